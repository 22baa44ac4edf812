//! The wire: Content-Length framed JSON messages in both directions.
//!
//! Reading: [`read_frame`] (from the `vitte-framing` crate, shared with the language server) reads
//! one frame from any byte stream and never allocates more than [`MAX_CONTENT_LENGTH`] for a body
//! (a bigger frame is skipped without being stored); [`spawn_reader`] runs it on a thread and feeds
//! [`Incoming`] items into a crossbeam channel, so the session loop never blocks on input. A frame that cannot be used (a bad header, JSON that does not
//! parse) becomes [`Incoming::Malformed`] and reading goes on.
//!
//! Writing: an [`Outbox`] numbers every outgoing message (`seq`), logs it when a log is set, and
//! hands it to a [`Sink`]: [`FramedWriter`] frames it onto a byte stream (stdout, a TCP socket),
//! [`ChannelSink`] passes the JSON value to a channel (the in-process test transport). The outbox is
//! shared by the protocol thread and the engine thread; a mutex keeps `seq` in sending order.

use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;

use crossbeam_channel::Sender;
use serde_json::{Map, Value};

pub use vitte_framing::{Frame, MAX_CONTENT_LENGTH, read_frame, write_frame};

/// What the reader thread delivers.
#[derive(Clone, Debug, PartialEq)]
pub enum Incoming {
    /// A frame whose body is valid JSON (not yet checked to be a request).
    Message(Value),
    /// A frame that could not be read as JSON, or a bad header: why.
    Malformed(String),
    /// The input ended (or failed).
    Eof,
}

/// Locks a mutex even when another thread panicked while holding it.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Turns a frame body into an [`Incoming`] item.
pub fn parse_body(body: &[u8]) -> Incoming {
    match serde_json::from_slice::<Value>(body) {
        Ok(value) => Incoming::Message(value),
        Err(error) => Incoming::Malformed(format!("a message is not valid JSON: {error}")),
    }
}

/// Reads frames from `input` on a new thread until the input ends, sending each to `tx`. Stops
/// early when the receiver is gone.
pub fn spawn_reader(
    input: impl Read + Send + 'static,
    tx: Sender<Incoming>,
    log: Option<Logger>,
) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        let mut reader = BufReader::new(input);
        loop {
            let item = match read_frame(&mut reader) {
                Ok(Frame::Body(body)) => {
                    if let Some(log) = &log {
                        log.line("<-", &String::from_utf8_lossy(&body));
                    }
                    parse_body(&body)
                }
                Ok(Frame::Bad(message)) => {
                    if let Some(log) = &log {
                        log.line("<- (malformed)", &message);
                    }
                    Incoming::Malformed(message)
                }
                Ok(Frame::Eof) | Err(_) => {
                    let _ = tx.send(Incoming::Eof);
                    return;
                }
            };
            if tx.send(item).is_err() {
                return;
            }
        }
    })
}

/// The `--log FILE` log: every message in and out, one per line.
#[derive(Clone, Debug)]
pub struct Logger(Arc<Mutex<File>>);

impl Logger {
    /// Creates (or truncates) the log file.
    ///
    /// # Errors
    /// When the file cannot be created.
    pub fn create(path: &Path) -> io::Result<Logger> {
        Ok(Logger(Arc::new(Mutex::new(File::create(path)?))))
    }

    /// Appends `direction text`.
    pub fn line(&self, direction: &str, text: &str) {
        let mut file = lock(&self.0);
        let _ = writeln!(file, "{direction} {text}");
        let _ = file.flush();
    }
}

/// Where outgoing messages go.
pub trait Sink: Send {
    /// Delivers one complete message.
    ///
    /// # Errors
    /// When the peer is gone.
    fn send(&mut self, message: &Value) -> io::Result<()>;
}

/// Frames messages onto a byte stream.
#[derive(Debug)]
pub struct FramedWriter<W>(pub W);

impl<W: Write + Send> Sink for FramedWriter<W> {
    fn send(&mut self, message: &Value) -> io::Result<()> {
        let body = serde_json::to_vec(message).map_err(io::Error::other)?;
        write_frame(&mut self.0, &body)
    }
}

/// Passes messages to a channel: the in-process test transport.
#[derive(Debug)]
pub struct ChannelSink(pub Sender<Value>);

impl Sink for ChannelSink {
    fn send(&mut self, message: &Value) -> io::Result<()> {
        self.0
            .send(message.clone())
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the receiver is gone"))
    }
}

struct OutboxState {
    seq: i64,
    sink: Box<dyn Sink>,
    log: Option<Logger>,
}

/// The numbered, logged way out (see the module documentation). Cheap to clone.
#[derive(Clone)]
pub struct Outbox(Arc<Mutex<OutboxState>>);

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox").finish_non_exhaustive()
    }
}

impl Outbox {
    /// An outbox writing to `sink`, logging to `log`.
    pub fn new(sink: impl Sink + 'static, log: Option<Logger>) -> Outbox {
        Outbox(Arc::new(Mutex::new(OutboxState {
            seq: 0,
            sink: Box::new(sink),
            log,
        })))
    }

    /// Sends `message` (an object without `seq`) with the next sequence number. A peer that is
    /// gone is not an error here: the session notices when its input ends.
    pub fn send(&self, message: Map<String, Value>) {
        let mut state = lock(&self.0);
        state.seq += 1;
        let mut numbered = Map::with_capacity(message.len() + 1);
        numbered.insert("seq".to_string(), Value::from(state.seq));
        numbered.extend(message);
        let value = Value::Object(numbered);
        if let Some(log) = &state.log {
            log.line("->", &value.to_string());
        }
        let _ = state.sink.send(&value);
    }
}
