//! The wire: the client's bytes to [`Message`]s and back, over any pair of byte streams (stdin and
//! stdout for the binary, memory for the fuzz target and the tests).
//!
//! `lsp-server` comes with a stdio transport, but it trusts its client: it allocates whatever
//! `Content-Length` says before reading (a client announcing 20 GB made the server fill 20 GB of
//! memory), and it stops reading for good at the first body that is not a valid message. This one
//! reads frames with `vitte-framing` (bodies over 64 MiB are refused and skipped, a lying length costs
//! only the bytes that arrive), and a message it cannot use is answered, not fatal:
//! - a body that is JSON with a usable `id` but not a valid message gets an `InvalidRequest`
//!   error response to that id;
//! - anything else (bad framing, a body that is not JSON, no usable `id`) gets a
//!   `window/logMessage` error naming the problem;
//!
//! and reading goes on with the next frame. Reading ends at the end of the input or after the
//! `exit` notification (so joining the threads never waits on a client that stays connected).
//!
//! The writer thread frames what the server sends. When the client stops reading (its end of the
//! stream is closed) the writer keeps draining the channel, so the server's sends never fail and
//! the server goes on until its input ends.

use std::io::{BufReader, BufWriter, Read, Write};
use std::thread::{self, JoinHandle};

use crossbeam_channel::{Receiver, Sender, bounded};
use lsp_server::{Connection, ErrorCode, Message, Notification, RequestId, Response};
use lsp_types::notification::{LogMessage, Notification as _};
use lsp_types::{LogMessageParams, MessageType};
use serde_json::Value;
use vitte_framing::{Frame, read_frame};

use crate::log::Logger;

/// The reader and writer threads of a connection.
#[derive(Debug)]
pub struct IoThreads {
    reader: JoinHandle<()>,
    writer: JoinHandle<()>,
}

impl IoThreads {
    /// Waits for both threads: the reader ends at the end of the input or after `exit`, the writer
    /// once every sender of the connection is dropped.
    ///
    /// # Errors
    /// A thread panicked.
    pub fn join(self) -> thread::Result<()> {
        self.reader.join()?;
        self.writer.join()
    }
}

/// A connection reading the client's frames from `input` and writing the server's to `output`;
/// malformed input is noted in `log` as well as reported to the client.
pub fn connect(
    input: impl Read + Send + 'static,
    output: impl Write + Send + 'static,
    log: Option<Logger>,
) -> (Connection, IoThreads) {
    // Rendezvous channels, as `lsp-server`'s own transport: a client that floods the server is
    // held back by its own pipe instead of filling the server's memory.
    let (to_client, outgoing) = bounded::<Message>(0);
    let (to_server, incoming) = bounded::<Message>(0);
    let writer = {
        let outgoing = outgoing.clone();
        thread::spawn(move || write_messages(outgoing, output))
    };
    drop(outgoing);
    let reader = {
        let replies = to_client.clone();
        thread::spawn(move || read_messages(input, &to_server, &replies, log.as_ref()))
    };
    let connection = Connection {
        sender: to_client,
        receiver: incoming,
    };
    (connection, IoThreads { reader, writer })
}

/// What a frame's body turned out to be.
#[derive(Debug)]
enum Decoded {
    /// A message for the server.
    Message(Message),
    /// JSON with a usable `id` that is not a valid message: answered with an error.
    Invalid(RequestId, String),
    /// Nothing that can be answered: why.
    Unusable(String),
}

fn decode(body: &[u8]) -> Decoded {
    let value = match serde_json::from_slice::<Value>(body) {
        Ok(value) => value,
        Err(error) => return Decoded::Unusable(format!("a message is not valid JSON: {error}")),
    };
    if !value.is_object() {
        return Decoded::Unusable("a message is not a JSON object".to_string());
    }
    let id = value
        .get("id")
        .and_then(|id| serde_json::from_value::<RequestId>(id.clone()).ok());
    // `Message` is an untagged enum: left to itself, serde would read a request with a bad
    // `method` as a response. A `method` makes a request (with an `id`) or a notification.
    let message = match (value.get("method").is_some(), id.is_some()) {
        (true, true) => serde_json::from_value(value).map(Message::Request),
        (true, false) => serde_json::from_value(value).map(Message::Notification),
        (false, _) => serde_json::from_value(value).map(Message::Response),
    };
    match message {
        Ok(message) => Decoded::Message(message),
        Err(error) => {
            let problem =
                format!("a message is not a valid request, response or notification: {error}");
            match id {
                Some(id) => Decoded::Invalid(id, problem),
                None => Decoded::Unusable(problem),
            }
        }
    }
}

fn read_messages(
    input: impl Read,
    to_server: &Sender<Message>,
    replies: &Sender<Message>,
    log: Option<&Logger>,
) {
    let mut reader = BufReader::new(input);
    loop {
        let problem = match read_frame(&mut reader) {
            Ok(Frame::Body(body)) => match decode(&body) {
                Decoded::Message(message) => {
                    let exit = matches!(&message, Message::Notification(n) if n.method == "exit");
                    if to_server.send(message).is_err() || exit {
                        return;
                    }
                    continue;
                }
                Decoded::Invalid(id, problem) => {
                    let response =
                        Response::new_err(id, ErrorCode::InvalidRequest as i32, problem.clone());
                    let _ = replies.send(Message::Response(response));
                    problem
                }
                Decoded::Unusable(problem) => {
                    let _ = replies.send(log_message(&problem));
                    problem
                }
            },
            Ok(Frame::Bad(problem)) => {
                let _ = replies.send(log_message(&problem));
                problem
            }
            Ok(Frame::Eof) | Err(_) => return,
        };
        if let Some(log) = log {
            log.note(&format!("ignored a message: {problem}"));
        }
    }
}

/// A `window/logMessage` error about a message that was ignored.
fn log_message(problem: &str) -> Message {
    let params = LogMessageParams {
        typ: MessageType::ERROR,
        message: format!("vitte-lsp: ignored a message: {problem}"),
    };
    Message::Notification(Notification::new(LogMessage::METHOD.to_string(), params))
}

fn write_messages(outgoing: Receiver<Message>, output: impl Write) {
    let mut output = BufWriter::new(output);
    let mut client_gone = false;
    for message in outgoing {
        if !client_gone {
            // `Message::write` adds `"jsonrpc": "2.0"`, frames and flushes.
            client_gone = message.write(&mut output).is_err();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding_tells_messages_invalid_and_unusable_bodies_apart() {
        assert!(matches!(
            decode(br#"{"jsonrpc":"2.0","id":3,"method":"shutdown"}"#),
            Decoded::Message(Message::Request(_))
        ));
        assert!(matches!(
            decode(br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#),
            Decoded::Message(Message::Notification(_))
        ));
        match decode(br#"{"jsonrpc":"2.0","id":"seven","method":42}"#) {
            Decoded::Invalid(id, problem) => {
                assert_eq!(id, RequestId::from("seven".to_string()));
                assert!(problem.contains("not a valid request"), "{problem}");
            }
            other => panic!("{other:?}"),
        }
        for body in [
            &b"{oops"[..],
            b"[1, 2]",
            b"{\"id\": [1], \"method\": 2}",
            b"{\"id\": 1.5}",
        ] {
            assert!(
                matches!(decode(body), Decoded::Unusable(_)),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
