//! The wire: Content-Length framed JSON messages in both directions.
//!
//! Reading: [`read_frame`] reads one frame from any byte stream and never allocates more than
//! [`MAX_CONTENT_LENGTH`] for a body (a bigger frame is skipped without being stored);
//! [`spawn_reader`] runs it on a thread and feeds [`Incoming`] items into a crossbeam channel, so the
//! session loop never blocks on input. A frame that cannot be used (a bad header, JSON that does not
//! parse) becomes [`Incoming::Malformed`] and reading goes on.
//!
//! Writing: an [`Outbox`] numbers every outgoing message (`seq`), logs it when a log is set, and
//! hands it to a [`Sink`]: [`FramedWriter`] frames it onto a byte stream (stdout, a TCP socket),
//! [`ChannelSink`] passes the JSON value to a channel (the in-process test transport). The outbox is
//! shared by the protocol thread and the engine thread; a mutex keeps `seq` in sending order.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;

use crossbeam_channel::Sender;
use serde_json::{Map, Value};

/// The largest body accepted (64 MiB); a bigger `Content-Length` is refused and its body skipped.
pub const MAX_CONTENT_LENGTH: usize = 64 << 20;

/// The longest header line kept; the rest of a longer line is skipped.
const MAX_HEADER_LINE: usize = 8 << 10;

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

/// One frame read from the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frame {
    /// The body bytes.
    Body(Vec<u8>),
    /// A frame that cannot be used; reading may go on.
    Bad(String),
    /// End of input.
    Eof,
}

/// Locks a mutex even when another thread panicked while holding it.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Reads one line (up to and including `\n`) into `line`, keeping at most [`MAX_HEADER_LINE`]
/// bytes. Returns the number of bytes consumed (0 at end of input) and whether the line was cut.
fn read_header_line(reader: &mut impl BufRead, line: &mut Vec<u8>) -> io::Result<(usize, bool)> {
    line.clear();
    let mut consumed = 0;
    let mut cut = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        if available.is_empty() {
            return Ok((consumed, cut));
        }
        let (chunk, done) = match available.iter().position(|&byte| byte == b'\n') {
            Some(end) => (&available[..=end], true),
            None => (available, false),
        };
        let room = MAX_HEADER_LINE.saturating_sub(line.len());
        if chunk.len() > room {
            cut = true;
        }
        line.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let used = chunk.len();
        reader.consume(used);
        consumed += used;
        if done {
            return Ok((consumed, cut));
        }
    }
}

/// Reads one frame: header lines up to an empty line, then `Content-Length` bytes of body.
///
/// # Errors
/// Only errors of the underlying reader; protocol problems are [`Frame::Bad`].
pub fn read_frame(reader: &mut impl BufRead) -> io::Result<Frame> {
    let mut line = Vec::new();
    let mut length: Option<Result<usize, String>> = None;
    let mut problem: Option<String> = None;
    let mut started = false;
    loop {
        let (consumed, cut) = read_header_line(reader, &mut line)?;
        if consumed == 0 {
            return Ok(if started {
                Frame::Bad("the input ended inside a message header".to_string())
            } else {
                Frame::Eof
            });
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if !started {
                // Blank lines between messages are tolerated.
                continue;
            }
            break;
        }
        started = true;
        if cut {
            problem.get_or_insert_with(|| "a header line is too long".to_string());
            continue;
        }
        let Some((name, value)) = text.split_once(':') else {
            problem.get_or_insert_with(|| format!("malformed header line '{text}'"));
            continue;
        };
        if name.trim().eq_ignore_ascii_case("content-length") {
            let value = value.trim();
            length = Some(
                value
                    .parse::<usize>()
                    .map_err(|_| format!("invalid Content-Length '{value}'")),
            );
        }
    }
    let length = match length {
        None => {
            return Ok(Frame::Bad(problem.unwrap_or_else(|| {
                "a message header has no Content-Length".to_string()
            })));
        }
        Some(Err(message)) => return Ok(Frame::Bad(message)),
        Some(Ok(length)) => length,
    };
    if length > MAX_CONTENT_LENGTH {
        // Skip the body without storing it.
        let skipped = io::copy(&mut reader.take(length as u64), &mut io::sink())?;
        let message = format!(
            "a message of {length} bytes was refused: the limit is {MAX_CONTENT_LENGTH} bytes"
        );
        if skipped < length as u64 {
            return Ok(Frame::Bad(format!("{message}; the input ended inside it")));
        }
        return Ok(Frame::Bad(message));
    }
    let mut body = Vec::with_capacity(length.min(64 << 10));
    reader.take(length as u64).read_to_end(&mut body)?;
    if body.len() < length {
        return Ok(Frame::Bad(format!(
            "the input ended inside a message body ({} of {length} bytes)",
            body.len()
        )));
    }
    if let Some(problem) = problem {
        return Ok(Frame::Bad(problem));
    }
    Ok(Frame::Body(body))
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

/// Writes one message with its `Content-Length` header.
///
/// # Errors
/// Errors of the writer.
pub fn write_frame(writer: &mut impl Write, body: &[u8]) -> io::Result<()> {
    write!(writer, "Content-Length: {}\r\n\r\n", body.len())?;
    writer.write_all(body)?;
    writer.flush()
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
