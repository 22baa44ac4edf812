//! Test support shared by the integration tests: an in-process session driven over in-memory
//! channels (the test transport), validation of every message the adapter sends against the
//! official DAP JSON schema, partial JSON matching, and the transcript runner.

#![allow(dead_code)]

pub mod schema;
pub mod transcript;

use std::path::PathBuf;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};
use serde_json::{Map, Value, json};
use vitte_dap::transport::{ChannelSink, Incoming, Outbox};
use vitte_dap::{SessionOptions, run_session};

/// How long to wait for a message before failing.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// The folder of this crate, found from any crate of the workspace whose tests share this module
/// (the tests of the `vitte-dap` binary live with the binary, in `cli/`).
pub fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the crate is inside the workspace")
        .join("dap-adapter")
}

/// The folder of the test programs.
pub fn programs_dir() -> PathBuf {
    crate_dir().join("tests/programs")
}

/// The absolute path of test program `name`.
pub fn program(name: &str) -> String {
    programs_dir().join(name).display().to_string()
}

/// A session of the adapter running in this process.
pub struct Session {
    input: Sender<Incoming>,
    output: Receiver<Value>,
    next_seq: i64,
    /// Every event received, in order.
    pub events: Vec<Value>,
    /// Events before this index have been matched or skipped.
    pub cursor: usize,
    responses: Vec<Value>,
    /// Every message received, in order.
    pub messages: Vec<Value>,
    /// Messages that do not validate against the schema.
    pub schema_errors: Vec<String>,
    thread: Option<JoinHandle<()>>,
}

impl Session {
    /// Starts a session on the in-memory transport.
    pub fn start() -> Session {
        let (input, incoming) = crossbeam_channel::unbounded();
        let (sink, output) = crossbeam_channel::unbounded();
        let outbox = Outbox::new(ChannelSink(sink), None);
        let thread = std::thread::spawn(move || {
            run_session(incoming, outbox, SessionOptions::default());
        });
        Session {
            input,
            output,
            next_seq: 0,
            events: Vec::new(),
            cursor: 0,
            responses: Vec::new(),
            messages: Vec::new(),
            schema_errors: Vec::new(),
            thread: Some(thread),
        }
    }

    /// Sends a request; returns its `seq`.
    pub fn send(&mut self, command: &str, arguments: Value) -> i64 {
        self.next_seq += 1;
        let mut request = Map::new();
        request.insert("seq".into(), self.next_seq.into());
        request.insert("type".into(), "request".into());
        request.insert("command".into(), command.into());
        if !arguments.is_null() {
            request.insert("arguments".into(), arguments);
        }
        self.send_raw(Incoming::Message(Value::Object(request)));
        self.next_seq
    }

    /// Sends anything, as the reader thread would deliver it.
    pub fn send_raw(&mut self, incoming: Incoming) {
        self.input.send(incoming).expect("the session is running");
    }

    /// Waits for one message until `deadline`; validates and stores it.
    fn receive(&mut self, deadline: Instant) -> Option<Value> {
        let left = deadline.saturating_duration_since(Instant::now());
        let message = self.output.recv_timeout(left).ok()?;
        if let Err(error) = schema::check(&message) {
            self.schema_errors.push(error);
        }
        self.messages.push(message.clone());
        match message.get("type").and_then(Value::as_str) {
            Some("event") => self.events.push(message.clone()),
            Some("response") => self.responses.push(message.clone()),
            _ => {}
        }
        Some(message)
    }

    /// Waits for the response to request `seq`.
    pub fn response(&mut self, seq: i64) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(found) = self
                .responses
                .iter()
                .find(|response| response["request_seq"] == json!(seq))
            {
                return found.clone();
            }
            if self.receive(deadline).is_none() {
                panic!(
                    "no response to request {seq} within {TIMEOUT:?}; received:\n{}",
                    self.transcript()
                );
            }
        }
    }

    /// Sends a request and waits for its response.
    pub fn request(&mut self, command: &str, arguments: Value) -> Value {
        let seq = self.send(command, arguments);
        self.response(seq)
    }

    /// Waits until `expected` events have arrived in this order (others may come between them),
    /// starting at the cursor; fails if an event named in `forbidden` comes first.
    pub fn expect_events(
        &mut self,
        expected: &[Value],
        forbidden: &[String],
    ) -> Result<(), String> {
        let deadline = Instant::now() + TIMEOUT;
        for want in expected {
            'search: loop {
                while self.cursor < self.events.len() {
                    let event = self.events[self.cursor].clone();
                    self.cursor += 1;
                    if matches(want, &event).is_ok() {
                        break 'search;
                    }
                    let name = event["event"].as_str().unwrap_or("");
                    if forbidden.iter().any(|forbidden| forbidden == name) {
                        return Err(format!("unexpected event {event}"));
                    }
                }
                if self.receive(deadline).is_none() {
                    return Err(format!(
                        "no event matching {want} within {TIMEOUT:?}; received:\n{}",
                        self.transcript()
                    ));
                }
            }
        }
        Ok(())
    }

    /// Every message received, one per line.
    pub fn transcript(&self) -> String {
        self.messages
            .iter()
            .map(Value::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Ends the session (end of input if it is still open), collects what is left and checks that
    /// every message validated against the schema.
    pub fn finish(mut self) -> Vec<Value> {
        let _ = self.input.send(Incoming::Eof);
        if let Some(thread) = self.thread.take() {
            thread.join().expect("the session thread does not panic");
        }
        while let Ok(message) = self.output.try_recv() {
            if let Err(error) = schema::check(&message) {
                self.schema_errors.push(error);
            }
            self.messages.push(message);
        }
        assert!(
            self.schema_errors.is_empty(),
            "messages that do not validate against the DAP schema:\n{}",
            self.schema_errors.join("\n")
        );
        self.messages.clone()
    }
}

/// Whether `actual` matches the partial `expected`:
/// - an object matches when each of its keys matches (`"$absent"` requires the key to be absent);
/// - an array matches element by element with the same length, or, when its first element is
///   `"$contains"`, when each further element matches some element of `actual`;
/// - `"$any"` matches anything present; `"$contains:TEXT"` a string containing TEXT;
/// - anything else must be equal (numbers compared as numbers).
pub fn matches(expected: &Value, actual: &Value) -> Result<(), String> {
    match expected {
        Value::Object(fields) => {
            let Value::Object(actual_fields) = actual else {
                return Err(format!("expected an object, found {actual}"));
            };
            for (key, want) in fields {
                match (want.as_str(), actual_fields.get(key)) {
                    (Some("$absent"), None) => {}
                    (Some("$absent"), Some(found)) => {
                        return Err(format!("'{key}' should be absent, found {found}"));
                    }
                    (_, None) => return Err(format!("'{key}' is missing in {actual}")),
                    (_, Some(found)) => {
                        matches(want, found).map_err(|error| format!("{key}: {error}"))?
                    }
                }
            }
            Ok(())
        }
        Value::Array(items) => {
            let Value::Array(actual_items) = actual else {
                return Err(format!("expected an array, found {actual}"));
            };
            if items.first() == Some(&json!("$contains")) {
                for want in &items[1..] {
                    if !actual_items.iter().any(|item| matches(want, item).is_ok()) {
                        return Err(format!("no element matches {want} in {actual}"));
                    }
                }
                return Ok(());
            }
            if items.len() != actual_items.len() {
                return Err(format!(
                    "expected {} elements, found {}: {actual}",
                    items.len(),
                    actual_items.len()
                ));
            }
            for (index, (want, found)) in items.iter().zip(actual_items).enumerate() {
                matches(want, found).map_err(|error| format!("[{index}]: {error}"))?;
            }
            Ok(())
        }
        Value::String(text) if text == "$any" => Ok(()),
        Value::String(text) if text.starts_with("$contains:") => {
            let needle = &text["$contains:".len()..];
            match actual.as_str() {
                Some(found) if found.contains(needle) => Ok(()),
                _ => Err(format!(
                    "expected a string containing {needle:?}, found {actual}"
                )),
            }
        }
        Value::Number(number) => match (number.as_f64(), actual.as_f64()) {
            (Some(a), Some(b)) if a == b => Ok(()),
            _ => Err(format!("expected {expected}, found {actual}")),
        },
        _ if expected == actual => Ok(()),
        _ => Err(format!("expected {expected}, found {actual}")),
    }
}
