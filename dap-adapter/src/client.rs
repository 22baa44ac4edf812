//! A small blocking Debug Adapter Protocol client over any pair of byte streams, for driving an
//! adapter from the outside: the binary's own tests and the debugger benchmark use it.
//!
//! A reader thread decodes the adapter's frames into JSON values. [`Client::wait`] returns the
//! first message a predicate accepts and keeps the others, in order, for later waits; so a caller
//! can wait for a response and then for events that arrived before it.

use std::collections::VecDeque;
use std::io::{self, BufReader, Read, Write};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::transport::{Frame, read_frame, write_frame};

/// A client connected to an adapter.
pub struct Client {
    input: Box<dyn Write + Send>,
    messages: mpsc::Receiver<Value>,
    seq: i64,
    /// Messages received but not yet taken by a [`wait`](Client::wait).
    kept: VecDeque<Value>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("seq", &self.seq)
            .field("kept", &self.kept.len())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client writing requests to `input` and reading the adapter's messages from `output`.
    pub fn new(input: Box<dyn Write + Send>, output: impl Read + Send + 'static) -> Client {
        let (tx, messages) = mpsc::channel();
        thread::spawn(move || {
            let mut reader = BufReader::new(output);
            while let Ok(Frame::Body(body)) = read_frame(&mut reader) {
                let Ok(message) = serde_json::from_slice::<Value>(&body) else {
                    return;
                };
                if tx.send(message).is_err() {
                    return;
                }
            }
        });
        Client {
            input,
            messages,
            seq: 0,
            kept: VecDeque::new(),
        }
    }

    /// Sends request `command` with `arguments`; gives its `seq`.
    ///
    /// # Errors
    /// When the adapter's input is closed.
    pub fn send(&mut self, command: &str, arguments: Value) -> io::Result<i64> {
        self.seq += 1;
        let request = json!({
            "seq": self.seq,
            "type": "request",
            "command": command,
            "arguments": arguments,
        });
        write_frame(&mut self.input, request.to_string().as_bytes())?;
        Ok(self.seq)
    }

    /// The first message, kept or new, that `accept` takes; the others are kept. Waits at most
    /// `timeout`.
    ///
    /// # Errors
    /// When no such message came in time, or the adapter closed its output; the message lists
    /// what did come.
    pub fn wait(
        &mut self,
        timeout: Duration,
        accept: impl Fn(&Value) -> bool,
    ) -> Result<Value, String> {
        if let Some(index) = self.kept.iter().position(&accept) {
            return Ok(self.kept.remove(index).unwrap_or(Value::Null));
        }
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.messages.recv_timeout(left) {
                Ok(message) if accept(&message) => return Ok(message),
                Ok(message) => self.kept.push_back(message),
                Err(error) => {
                    let why = match error {
                        mpsc::RecvTimeoutError::Timeout => "no such message in time",
                        mpsc::RecvTimeoutError::Disconnected => "the adapter closed its output",
                    };
                    let seen: Vec<String> = self.kept.iter().map(Value::to_string).collect();
                    return Err(format!("{why}; messages not taken: [{}]", seen.join(", ")));
                }
            }
        }
    }

    /// Sends a request and waits (at most `timeout`) for its response, successful or not.
    ///
    /// # Errors
    /// When the request cannot be sent or no response comes in time.
    pub fn request(
        &mut self,
        command: &str,
        arguments: Value,
        timeout: Duration,
    ) -> Result<Value, String> {
        let seq = self
            .send(command, arguments)
            .map_err(|error| format!("cannot send '{command}': {error}"))?;
        self.wait(timeout, |message| is_response_to(message, seq))
            .map_err(|error| format!("no response to '{command}': {error}"))
    }

    /// Like [`request`](Client::request), but a failed response is an error carrying its message.
    ///
    /// # Errors
    /// As [`request`](Client::request), and when the adapter answers with `success: false`.
    pub fn call(
        &mut self,
        command: &str,
        arguments: Value,
        timeout: Duration,
    ) -> Result<Value, String> {
        let response = self.request(command, arguments, timeout)?;
        if response["success"] == json!(true) {
            Ok(response)
        } else {
            Err(format!(
                "'{command}' failed: {}",
                response["message"].as_str().unwrap_or("(no message)")
            ))
        }
    }

    /// Waits (at most `timeout`) for event `name`.
    ///
    /// # Errors
    /// When it does not come in time.
    pub fn event(&mut self, name: &str, timeout: Duration) -> Result<Value, String> {
        self.wait(timeout, |message| is_event(message, name))
            .map_err(|error| format!("no '{name}' event: {error}"))
    }

    /// Takes every kept message and every one already received, in order, without waiting.
    pub fn drain(&mut self) -> Vec<Value> {
        let mut all: Vec<Value> = self.kept.drain(..).collect();
        all.extend(self.messages.try_iter());
        all
    }
}

/// True when `message` is the response to request `seq`.
pub fn is_response_to(message: &Value, seq: i64) -> bool {
    message["type"] == "response" && message["request_seq"] == json!(seq)
}

/// True when `message` is event `name`.
pub fn is_event(message: &Value, name: &str) -> bool {
    message["type"] == "event" && message["event"] == name
}
