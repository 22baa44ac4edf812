//! Framing: consecutive frames, extra headers, missing or invalid `Content-Length`, over-long
//! header lines, bodies over 64 MiB (skipped, not stored), truncated input; and a session fed by
//! the real reader thread from raw bytes, which answers the good messages, reports the bad ones
//! with `output` events and goes on.

mod common;

use std::io::{self, BufReader, Cursor, Read};

use serde_json::{Value, json};
use vitte_dap::transport::{
    ChannelSink, Frame, MAX_CONTENT_LENGTH, Outbox, read_frame, spawn_reader,
};
use vitte_dap::{SessionOptions, run_session};

fn all_frames(input: impl Read) -> Vec<Frame> {
    let mut reader = BufReader::new(input);
    let mut frames = Vec::new();
    loop {
        let frame = read_frame(&mut reader).expect("reading from memory does not fail");
        let end = frame == Frame::Eof;
        frames.push(frame);
        if end {
            return frames;
        }
    }
}

fn framed(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

#[test]
fn consecutive_frames_with_extra_headers() {
    let input =
        b"Content-Length: 2\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}\
                  \r\ncontent-length:4\n\nnull"
            .to_vec();
    assert_eq!(
        all_frames(Cursor::new(input)),
        vec![
            Frame::Body(b"{}".to_vec()),
            Frame::Body(b"null".to_vec()),
            Frame::Eof
        ]
    );
}

#[test]
fn a_missing_or_invalid_length_is_reported_and_reading_goes_on() {
    let mut input = b"X-Nothing: 1\r\n\r\n".to_vec();
    input.extend(b"Content-Length: twelve\r\n\r\n");
    input.extend(framed("[]"));
    assert_eq!(
        all_frames(Cursor::new(input)),
        vec![
            Frame::Bad("a message header has no Content-Length".into()),
            Frame::Bad("invalid Content-Length 'twelve'".into()),
            Frame::Body(b"[]".to_vec()),
            Frame::Eof
        ]
    );
}

#[test]
fn an_over_long_header_line_is_refused() {
    let mut input = vec![b'x'; 100_000];
    input.extend(b"\r\nContent-Length: 2\r\n\r\n{}");
    let frames = all_frames(Cursor::new(input));
    assert_eq!(frames[0], Frame::Bad("a header line is too long".into()));
    assert_eq!(frames[1], Frame::Eof);
}

#[test]
fn a_body_over_64_mib_is_skipped_without_being_stored() {
    let length = MAX_CONTENT_LENGTH + 1;
    let header = format!("Content-Length: {length}\r\n\r\n").into_bytes();
    let input = Cursor::new(header)
        .chain(io::repeat(b' ').take(length as u64))
        .chain(Cursor::new(framed("{\"after\": true}")));
    let frames = all_frames(input);
    assert_eq!(
        frames,
        vec![
            Frame::Bad(format!(
                "a message of {length} bytes was refused: the limit is {MAX_CONTENT_LENGTH} bytes"
            )),
            Frame::Body(b"{\"after\": true}".to_vec()),
            Frame::Eof
        ]
    );
}

#[test]
fn a_huge_length_with_a_short_body_is_refused() {
    let input = b"Content-Length: 99999999999999\r\n\r\n{}".to_vec();
    let frames = all_frames(Cursor::new(input));
    assert!(
        matches!(&frames[0], Frame::Bad(message) if message.contains("refused") && message.contains("ended")),
        "{frames:?}"
    );
}

#[test]
fn truncated_input_is_reported() {
    let frames = all_frames(Cursor::new(b"Content-Length: 10\r\n\r\n{}".to_vec()));
    assert_eq!(
        frames,
        vec![
            Frame::Bad("the input ended inside a message body (2 of 10 bytes)".into()),
            Frame::Eof
        ]
    );
    let frames = all_frames(Cursor::new(b"Content-Length: 10\r\n".to_vec()));
    assert_eq!(
        frames,
        vec![
            Frame::Bad("the input ended inside a message header".into()),
            Frame::Eof
        ]
    );
}

#[test]
fn a_session_over_raw_bytes_answers_good_messages_and_reports_bad_ones() {
    let mut input = framed(
        r#"{"seq":1,"type":"request","command":"initialize","arguments":{"adapterID":"x"}}"#,
    );
    input.extend(framed("{oops"));
    input.extend(b"Content-Length: 3\r\n\r\n\xff\xfe\xfd");
    input.extend(framed(r#"{"seq":2,"type":"request","command":"threads"}"#));
    input.extend(format!("Content-Length: {}\r\n\r\n", MAX_CONTENT_LENGTH * 2).into_bytes());
    let (tx, incoming) = crossbeam_channel::unbounded();
    let reader = spawn_reader(Cursor::new(input), tx, None);
    let (sink, output) = crossbeam_channel::unbounded();
    run_session(
        incoming,
        Outbox::new(ChannelSink(sink), None),
        SessionOptions::default(),
    );
    reader.join().expect("the reader ends");
    let messages: Vec<Value> = output.try_iter().collect();
    for message in &messages {
        common::schema::check(message).expect("every message validates");
    }
    let expected = [
        json!({ "type": "response", "command": "initialize", "success": true }),
        json!({ "event": "output", "body": { "category": "important", "output": "$contains:not valid JSON" } }),
        json!({ "event": "output", "body": { "category": "important", "output": "$contains:not valid JSON" } }),
        json!({ "type": "response", "command": "threads", "success": true, "body": { "threads": [] } }),
        json!({ "event": "output", "body": { "category": "important", "output": "$contains:was refused" } }),
    ];
    // The protocol thread and the engine thread both send, so only each thread's own messages
    // keep their order: match each expectation with a message of its own.
    assert_eq!(messages.len(), expected.len(), "{messages:#?}");
    let mut unused: Vec<&Value> = messages.iter().collect();
    for want in &expected {
        let found = unused
            .iter()
            .position(|got| common::matches(want, got).is_ok())
            .unwrap_or_else(|| panic!("no message matches {want} in {messages:#?}"));
        unused.remove(found);
    }
    let seqs: Vec<i64> = messages.iter().filter_map(|m| m["seq"].as_i64()).collect();
    assert_eq!(seqs, (1..=messages.len() as i64).collect::<Vec<_>>());
}
