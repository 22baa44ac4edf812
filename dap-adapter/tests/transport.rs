//! A session fed by the real reader thread from raw bytes, which answers the good messages, reports
//! the bad ones with `output` events and goes on. (The framing itself is tested in
//! `framing/tests/read_frame.rs`.)

use crate::common;

use std::io::Cursor;

use serde_json::{Value, json};
use vitte_dap::transport::{ChannelSink, MAX_CONTENT_LENGTH, Outbox, spawn_reader};
use vitte_dap::{SessionOptions, run_session};

fn framed(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
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
