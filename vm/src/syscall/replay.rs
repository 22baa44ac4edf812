//! Record and replay: the inputs a run takes from the outside world, as a list of [`Event`]s, and
//! the `.vitrec` file that holds them ([`Recording`]).
//!
//! Every nondeterministic input enters the VM through [`Syscalls`](super::Syscalls): clock reads,
//! stdin lines, file reads and writes, environment variables and the arguments. When recording,
//! each answer the host gave is appended to the log; when replaying, the answers come from the log and
//! the host is never consulted. The file format is specified in `docs/vitrec.md`; the reader never
//! panics on malformed bytes, it returns a [`RecordingError`] naming the problem and its byte offset.

use std::fmt;
use std::io::{self, Write};

/// The magic bytes every `.vitrec` file starts with.
pub const MAGIC: &[u8; 7] = b"VITREC\0";

/// The format version this reader reads and this writer writes.
pub const VERSION: u16 = 1;

/// One input the outside world gave the program, with the answer it gave.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// `clock()` (or an internal monotonic clock read): seconds since the run started.
    Clock(f64),
    /// `now_ms()`: wall-clock milliseconds since 1970.
    NowMs(i64),
    /// `args()`; the arguments themselves are in the recording's header.
    Args,
    /// `read_line()`: a line, the end of input (`Ok(None)`) or a stream error message.
    ReadLine(Result<Option<String>, String>),
    /// `read_file(path)`: the text, or the runtime error message (a sandbox denial included).
    ReadFile {
        /// The path as the program gave it.
        path: String,
        /// The text, or the error message.
        result: Result<String, String>,
    },
    /// `write_file(path, text)`: success, or the runtime error message (a denial included).
    WriteFile {
        /// The path as the program gave it.
        path: String,
        /// Success, or the error message.
        result: Result<(), String>,
    },
    /// `env(name)`: the value (or `None` when unset), or the runtime error message (a denial).
    Env {
        /// The variable's name.
        name: String,
        /// The value, or the error message.
        result: Result<Option<String>, String>,
    },
}

impl Event {
    /// The request this event answers, as `divergence` messages show it: `clock()`,
    /// `read_file("data.txt")`…
    pub fn request(&self) -> Request<'_> {
        match self {
            Event::Clock(_) => Request::Clock,
            Event::NowMs(_) => Request::NowMs,
            Event::Args => Request::Args,
            Event::ReadLine(_) => Request::ReadLine,
            Event::ReadFile { path, .. } => Request::ReadFile(path),
            Event::WriteFile { path, .. } => Request::WriteFile(path),
            Event::Env { name, .. } => Request::Env(name),
        }
    }
}

/// What a program asks the syscall layer for (an [`Event`] without its answer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Request<'a> {
    /// A clock read.
    Clock,
    /// A wall-clock read.
    NowMs,
    /// The arguments.
    Args,
    /// A stdin line.
    ReadLine,
    /// A file read.
    ReadFile(&'a str),
    /// A file write.
    WriteFile(&'a str),
    /// An environment variable.
    Env(&'a str),
}

impl fmt::Display for Request<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (function, argument) = match *self {
            Request::Clock => ("clock", None),
            Request::NowMs => ("now_ms", None),
            Request::Args => ("args", None),
            Request::ReadLine => ("read_line", None),
            Request::ReadFile(path) => ("read_file", Some(path)),
            Request::WriteFile(path) => ("write_file", Some(path)),
            Request::Env(name) => ("env", Some(name)),
        };
        match argument {
            None => write!(f, "{function}()"),
            Some(argument) => {
                let mut quoted = String::new();
                crate::memory::format::write_quoted(&mut quoted, argument);
                write!(f, "{function}({quoted})")
            }
        }
    }
}

/// A recorded run: what it ran, with which settings, and every input it took.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Recording {
    /// The hash of the program's bytecode ([`bytecode_hash`]).
    pub bytecode_hash: u64,
    /// The program as it was named when recorded (a `.vit` or `.vitbc` path).
    pub program: String,
    /// The program's arguments.
    pub args: Vec<String>,
    /// The call depth limit.
    pub max_depth: u64,
    /// The step limit, if any.
    pub max_steps: Option<u64>,
    /// The heap limit in bytes, if any.
    pub max_heap: Option<u64>,
    /// The inputs, in the order the program took them.
    pub events: Vec<Event>,
}

/// A malformed `.vitrec` file: `invalid recording: WHAT, at byte N`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid recording: {message}, at byte {offset}")]
pub struct RecordingError {
    /// What is wrong.
    pub message: String,
    /// Where, from the start of the file.
    pub offset: usize,
}

/// The 64-bit FNV-1a hash of `.vitbc` bytes: what a recording remembers of its program.
pub fn bytecode_hash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

const TAG_CLOCK: u8 = 1;
const TAG_NOW_MS: u8 = 2;
const TAG_ARGS: u8 = 3;
const TAG_READ_LINE: u8 = 4;
const TAG_READ_FILE: u8 = 5;
const TAG_WRITE_FILE: u8 = 6;
const TAG_ENV: u8 = 7;

impl Recording {
    /// The `.vitrec` bytes of this recording (see `docs/vitrec.md`).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&self.bytecode_hash.to_le_bytes());
        put_str(&mut out, &self.program);
        put_uint(&mut out, self.args.len() as u64);
        for arg in &self.args {
            put_str(&mut out, arg);
        }
        put_uint(&mut out, self.max_depth);
        put_option(&mut out, self.max_steps);
        put_option(&mut out, self.max_heap);
        put_uint(&mut out, self.events.len() as u64);
        for event in &self.events {
            put_event(&mut out, event);
        }
        let crc = crc32fast::hash(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        out
    }

    /// Writes the `.vitrec` bytes to `out`.
    ///
    /// # Errors
    /// When `out` fails.
    pub fn write_to(&self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(&self.to_bytes())?;
        out.flush()
    }

    /// Reads `.vitrec` bytes.
    ///
    /// # Errors
    /// [`RecordingError`] for anything malformed: bad magic, an unknown version, a truncated or
    /// overlong file, an unknown event, invalid UTF-8, a checksum mismatch.
    pub fn from_bytes(bytes: &[u8]) -> Result<Recording, RecordingError> {
        let mut reader = Reader { bytes, at: 0 };
        let magic = reader.take(MAGIC.len(), "the magic bytes")?;
        if magic != MAGIC {
            return Err(RecordingError {
                message: "not a recording (bad magic bytes)".into(),
                offset: 0,
            });
        }
        let version_at = reader.at;
        let version =
            u16::from_le_bytes([reader.byte("the version")?, reader.byte("the version")?]);
        if version != VERSION {
            return Err(RecordingError {
                message: format!(
                    "unsupported version {version} (this reader reads version {VERSION})"
                ),
                offset: version_at,
            });
        }
        // The body ends where the 4-byte checksum starts.
        let Some(body_end) = bytes.len().checked_sub(4).filter(|&end| end >= reader.at) else {
            return Err(reader.error("unexpected end of the recording"));
        };
        reader.bytes = &bytes[..body_end];
        let mut hash = [0; 8];
        hash.copy_from_slice(reader.take(8, "the bytecode hash")?);
        let bytecode_hash = u64::from_le_bytes(hash);
        let program = reader.string()?;
        let count = reader.count()?;
        let mut args = Vec::new();
        for _ in 0..count {
            args.push(reader.string()?);
        }
        let max_depth = reader.uint()?;
        let max_steps = reader.option()?;
        let max_heap = reader.option()?;
        let count = reader.count()?;
        let mut events = Vec::new();
        for _ in 0..count {
            events.push(reader.event()?);
        }
        if reader.at != body_end {
            return Err(reader.error("unexpected bytes after the last event"));
        }
        let mut stored = [0; 4];
        stored.copy_from_slice(&bytes[body_end..]);
        let stored = u32::from_le_bytes(stored);
        let computed = crc32fast::hash(&bytes[..body_end]);
        if stored != computed {
            return Err(RecordingError {
                message: format!(
                    "checksum mismatch (stored {stored:08x}, computed {computed:08x})"
                ),
                offset: body_end,
            });
        }
        Ok(Recording {
            bytecode_hash,
            program,
            args,
            max_depth,
            max_steps,
            max_heap,
            events,
        })
    }
}

fn put_uint(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let low = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(low);
            return;
        }
        out.push(low | 0x80);
    }
}

fn put_str(out: &mut Vec<u8>, text: &str) {
    put_uint(out, text.len() as u64);
    out.extend_from_slice(text.as_bytes());
}

fn put_option(out: &mut Vec<u8>, value: Option<u64>) {
    match value {
        None => out.push(0),
        Some(value) => {
            out.push(1);
            put_uint(out, value);
        }
    }
}

/// A status byte then, for `Err`, the message.
fn put_error(out: &mut Vec<u8>, status: u8, message: &str) {
    out.push(status);
    put_str(out, message);
}

fn put_event(out: &mut Vec<u8>, event: &Event) {
    match event {
        Event::Clock(seconds) => {
            out.push(TAG_CLOCK);
            out.extend_from_slice(&seconds.to_bits().to_le_bytes());
        }
        Event::NowMs(ms) => {
            out.push(TAG_NOW_MS);
            put_uint(out, ((ms << 1) ^ (ms >> 63)) as u64);
        }
        Event::Args => out.push(TAG_ARGS),
        Event::ReadLine(result) => {
            out.push(TAG_READ_LINE);
            match result {
                Ok(None) => out.push(0),
                Ok(Some(line)) => {
                    out.push(1);
                    put_str(out, line);
                }
                Err(message) => put_error(out, 2, message),
            }
        }
        Event::ReadFile { path, result } => {
            out.push(TAG_READ_FILE);
            put_str(out, path);
            match result {
                Ok(text) => {
                    out.push(0);
                    put_str(out, text);
                }
                Err(message) => put_error(out, 1, message),
            }
        }
        Event::WriteFile { path, result } => {
            out.push(TAG_WRITE_FILE);
            put_str(out, path);
            match result {
                Ok(()) => out.push(0),
                Err(message) => put_error(out, 1, message),
            }
        }
        Event::Env { name, result } => {
            out.push(TAG_ENV);
            put_str(out, name);
            match result {
                Ok(None) => out.push(0),
                Ok(Some(value)) => {
                    out.push(1);
                    put_str(out, value);
                }
                Err(message) => put_error(out, 2, message),
            }
        }
    }
}

/// A cursor over the bytes of a recording (its body, once the checksum is set apart).
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    #[cold]
    fn error(&self, message: impl Into<String>) -> RecordingError {
        RecordingError {
            message: message.into(),
            offset: self.at,
        }
    }

    fn take(&mut self, count: usize, what: &str) -> Result<&'a [u8], RecordingError> {
        let end = self
            .at
            .checked_add(count)
            .filter(|&end| end <= self.bytes.len())
            .ok_or_else(|| self.error(format!("unexpected end of the recording in {what}")))?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn byte(&mut self, what: &str) -> Result<u8, RecordingError> {
        Ok(self.take(1, what)?[0])
    }

    fn uint(&mut self) -> Result<u64, RecordingError> {
        let start = self.at;
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte("a number")?;
            let bits = u64::from(byte & 0x7f);
            if shift == 63 && bits > 1 {
                break;
            }
            value |= bits << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(RecordingError {
            message: "number too large".into(),
            offset: start,
        })
    }

    /// A count of items that follow, each at least one byte long (so a count larger than the rest
    /// of the file is refused before anything is allocated).
    fn count(&mut self) -> Result<usize, RecordingError> {
        let start = self.at;
        let count = self.uint()?;
        let left = self.bytes.len() - self.at;
        usize::try_from(count)
            .ok()
            .filter(|&count| count <= left)
            .ok_or(RecordingError {
                message: format!("count {count} exceeds the rest of the recording"),
                offset: start,
            })
    }

    fn string(&mut self) -> Result<String, RecordingError> {
        let start = self.at;
        let length = self.uint()?;
        let length = usize::try_from(length).map_err(|_| RecordingError {
            message: format!("string length {length} too large"),
            offset: start,
        })?;
        let text_at = self.at;
        let bytes = self.take(length, "a string")?;
        String::from_utf8(bytes.to_vec()).map_err(|error| RecordingError {
            message: "string is not valid UTF-8".into(),
            offset: text_at + error.utf8_error().valid_up_to(),
        })
    }

    fn option(&mut self) -> Result<Option<u64>, RecordingError> {
        let at = self.at;
        match self.byte("an optional number")? {
            0 => Ok(None),
            1 => Ok(Some(self.uint()?)),
            other => Err(RecordingError {
                message: format!("invalid option flag {other}"),
                offset: at,
            }),
        }
    }

    fn status(&mut self, max: u8) -> Result<u8, RecordingError> {
        let at = self.at;
        let status = self.byte("an event status")?;
        if status > max {
            return Err(RecordingError {
                message: format!("invalid event status {status}"),
                offset: at,
            });
        }
        Ok(status)
    }

    fn event(&mut self) -> Result<Event, RecordingError> {
        let at = self.at;
        Ok(match self.byte("an event")? {
            TAG_CLOCK => {
                let mut bits = [0; 8];
                bits.copy_from_slice(self.take(8, "a clock value")?);
                Event::Clock(f64::from_bits(u64::from_le_bytes(bits)))
            }
            TAG_NOW_MS => {
                let zigzag = self.uint()?;
                Event::NowMs(((zigzag >> 1) as i64) ^ -((zigzag & 1) as i64))
            }
            TAG_ARGS => Event::Args,
            TAG_READ_LINE => Event::ReadLine(match self.status(2)? {
                0 => Ok(None),
                1 => Ok(Some(self.string()?)),
                _ => Err(self.string()?),
            }),
            TAG_READ_FILE => {
                let path = self.string()?;
                let result = match self.status(1)? {
                    0 => Ok(self.string()?),
                    _ => Err(self.string()?),
                };
                Event::ReadFile { path, result }
            }
            TAG_WRITE_FILE => {
                let path = self.string()?;
                let result = match self.status(1)? {
                    0 => Ok(()),
                    _ => Err(self.string()?),
                };
                Event::WriteFile { path, result }
            }
            TAG_ENV => {
                let name = self.string()?;
                let result = match self.status(2)? {
                    0 => Ok(None),
                    1 => Ok(Some(self.string()?)),
                    _ => Err(self.string()?),
                };
                Event::Env { name, result }
            }
            other => {
                return Err(RecordingError {
                    message: format!("unknown event kind {other}"),
                    offset: at,
                });
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Recording {
        Recording {
            bytecode_hash: 0x0123_4567_89ab_cdef,
            program: "prog.vit".into(),
            args: vec!["a".into(), "β".into()],
            max_depth: 100_000,
            max_steps: Some(5),
            max_heap: None,
            events: vec![
                Event::Clock(0.25),
                Event::NowMs(-7),
                Event::NowMs(1_700_000_000_000),
                Event::Args,
                Event::ReadLine(Ok(Some("line".into()))),
                Event::ReadLine(Ok(None)),
                Event::ReadLine(Err("cannot read stdin: boom".into())),
                Event::ReadFile {
                    path: "f".into(),
                    result: Ok("text".into()),
                },
                Event::ReadFile {
                    path: "g".into(),
                    result: Err("permission denied".into()),
                },
                Event::WriteFile {
                    path: "h".into(),
                    result: Ok(()),
                },
                Event::WriteFile {
                    path: "i".into(),
                    result: Err("cannot write".into()),
                },
                Event::Env {
                    name: "HOME".into(),
                    result: Ok(Some("/h".into())),
                },
                Event::Env {
                    name: "X".into(),
                    result: Ok(None),
                },
                Event::Env {
                    name: "Y".into(),
                    result: Err("denied".into()),
                },
            ],
        }
    }

    #[test]
    fn round_trip() {
        let recording = sample();
        let bytes = recording.to_bytes();
        assert_eq!(Recording::from_bytes(&bytes), Ok(recording));
    }

    #[test]
    fn damaged_bytes_give_errors() {
        let bytes = sample().to_bytes();
        for end in 0..bytes.len() {
            assert!(
                Recording::from_bytes(&bytes[..end]).is_err(),
                "truncated at {end}"
            );
        }
        for at in 0..bytes.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut damaged = bytes.clone();
                damaged[at] ^= flip;
                assert!(
                    Recording::from_bytes(&damaged).is_err(),
                    "byte {at} ^ {flip}"
                );
            }
        }
        let mut bad = sample().to_bytes();
        bad[0] = b'X';
        let error = Recording::from_bytes(&bad).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid recording: not a recording (bad magic bytes), at byte 0"
        );
    }

    #[test]
    fn requests_display_as_calls() {
        assert_eq!(Request::Clock.to_string(), "clock()");
        assert_eq!(
            Request::ReadFile("a\"b").to_string(),
            "read_file(\"a\\\"b\")"
        );
    }
}
