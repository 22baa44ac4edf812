//! Framing: consecutive frames, extra headers, missing or invalid `Content-Length`, over-long
//! header lines, bodies over 64 MiB (skipped, not stored), huge lengths with short bodies,
//! truncated input.

use std::io::{self, BufReader, Cursor, Read};

use vitte_framing::{Frame, MAX_CONTENT_LENGTH, read_frame, write_frame};

fn framed(body: &str) -> Vec<u8> {
    let mut bytes = Vec::new();
    write_frame(&mut bytes, body.as_bytes()).expect("writing to memory does not fail");
    bytes
}

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
fn a_lying_length_under_the_limit_stores_only_what_arrives() {
    let input = format!("Content-Length: {MAX_CONTENT_LENGTH}\r\n\r\n{{}}").into_bytes();
    assert_eq!(
        all_frames(Cursor::new(input)),
        vec![
            Frame::Bad(format!(
                "the input ended inside a message body (2 of {MAX_CONTENT_LENGTH} bytes)"
            )),
            Frame::Eof
        ]
    );
}

#[test]
fn written_frames_read_back() {
    let mut input = framed("{\"a\": 1}");
    input.extend(framed(""));
    input.extend(framed("[\"\u{e9}\"]"));
    assert_eq!(
        all_frames(Cursor::new(input)),
        vec![
            Frame::Body(b"{\"a\": 1}".to_vec()),
            Frame::Body(Vec::new()),
            Frame::Body("[\"\u{e9}\"]".as_bytes().to_vec()),
            Frame::Eof
        ]
    );
}
