//! Content-Length framing: the base protocol shared by the Debug Adapter Protocol and the Language
//! Server Protocol (`Content-Length: N\r\n\r\n` then `N` bytes of JSON), read defensively.
//!
//! Both `vitte-dap` and `vitte-lsp` read their client's bytes with [`read_frame`], so both get the
//! same guarantees against a hostile or broken client:
//! - a body is never allocated beyond [`MAX_CONTENT_LENGTH`]: a bigger `Content-Length` is refused
//!   and its bytes skipped without being stored (and the buffer for an accepted one grows with the
//!   bytes that actually arrive, so a lying length costs nothing);
//! - a header line is kept up to [`MAX_HEADER_LINE`] bytes, the rest skipped;
//! - a bad header, a missing or invalid length and input that ends inside a message are reported as
//!   [`Frame::Bad`], and reading goes on with the next frame where the stream allows it.
//!
//! Nothing here knows either protocol; the crates above turn a body into their own messages.

#![forbid(unsafe_code)]

use std::io::{self, BufRead, Read, Write};

/// The largest body accepted (64 MiB); a bigger `Content-Length` is refused and its body skipped.
pub const MAX_CONTENT_LENGTH: usize = 64 << 20;

/// The longest header line kept (8 KiB); the rest of a longer line is skipped.
pub const MAX_HEADER_LINE: usize = 8 << 10;

/// How much of a body is reserved before its bytes arrive.
const INITIAL_BODY_CAPACITY: usize = 64 << 10;

/// One frame read from the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frame {
    /// The body bytes.
    Body(Vec<u8>),
    /// A frame that cannot be used, and why; reading may go on.
    Bad(String),
    /// End of input.
    Eof,
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
/// Header names are compared without case and other headers (`Content-Type`) are ignored; blank
/// lines before a header are tolerated.
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
    let mut body = Vec::with_capacity(length.min(INITIAL_BODY_CAPACITY));
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

/// Writes one message with its `Content-Length` header and flushes.
///
/// # Errors
/// Errors of the writer.
pub fn write_frame(writer: &mut impl Write, body: &[u8]) -> io::Result<()> {
    write!(writer, "Content-Length: {}\r\n\r\n", body.len())?;
    writer.write_all(body)?;
    writer.flush()
}
