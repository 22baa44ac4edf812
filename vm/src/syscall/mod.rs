//! The syscall layer: everything that reaches outside the VM goes through here, so a run can later be
//! recorded and replayed. [`Syscalls`] owns the program's streams, its arguments, its clock and its
//! access to files and the environment (checked against the [`Sandbox`]); [`registry`] holds the
//! natives (every built-in function and the embedder's host functions), [`builtins`] defines the
//! built-ins and [`host`] turns typed Rust closures into natives.

pub mod builtins;
pub mod host;
pub mod registry;
pub mod sandbox;

use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::path::Path;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::error::Trap;

pub use host::{HostArg, HostFunction, HostResult, HostSignature};
pub use registry::{
    NativeContext, NativeEntry, NativeFn, NativeRegistry, NativeSignature, NativeType,
};
pub use sandbox::{PathAccess, Sandbox};

/// The outside world as a program sees it: standard streams, arguments and clocks.
pub struct Syscalls {
    stdout: Box<dyn Write>,
    stderr: Box<dyn Write>,
    stdin: Box<dyn BufRead>,
    args: Vec<String>,
    started: Instant,
    sandbox: Sandbox,
}

impl std::fmt::Debug for Syscalls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Syscalls")
            .field("args", &self.args)
            .finish_non_exhaustive()
    }
}

impl Syscalls {
    /// The process's streams (stdout buffered unless it is a terminal) and these program arguments.
    pub fn new(args: Vec<String>) -> Syscalls {
        let stdout: Box<dyn Write> = if io::stdout().is_terminal() {
            // The standard library's stdout is line-buffered already.
            Box::new(io::stdout())
        } else {
            Box::new(BufWriter::with_capacity(64 * 1024, io::stdout()))
        };
        Syscalls {
            stdout,
            stderr: Box::new(io::stderr()),
            stdin: Box::new(BufReader::new(io::stdin())),
            args,
            started: Instant::now(),
            sandbox: Sandbox::default(),
        }
    }

    /// What the program may reach: files and environment.
    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    /// Replaces the sandbox.
    pub fn set_sandbox(&mut self, sandbox: Sandbox) {
        self.sandbox = sandbox;
    }

    /// `read_file(path)`: the file's text.
    ///
    /// # Errors
    /// `permission denied: read_file("PATH") needs --allow-read` when the sandbox does not allow it;
    /// `cannot read "PATH": REASON` when reading fails (invalid UTF-8 included).
    pub fn read_file(&mut self, path: &str) -> Result<String, Trap> {
        if !self.sandbox.read.allows(Path::new(path)) {
            return Err(denied("read_file", path, "--allow-read"));
        }
        std::fs::read_to_string(path)
            .map_err(|error| Trap::new(format!("cannot read \"{path}\": {}", io_reason(&error))))
    }

    /// `write_file(path, text)`: creates or replaces the file.
    ///
    /// # Errors
    /// `permission denied: write_file("PATH") needs --allow-write` when the sandbox does not allow it;
    /// `cannot write "PATH": REASON` when writing fails.
    pub fn write_file(&mut self, path: &str, text: &str) -> Result<(), Trap> {
        if !self.sandbox.write.allows(Path::new(path)) {
            return Err(denied("write_file", path, "--allow-write"));
        }
        std::fs::write(path, text)
            .map_err(|error| Trap::new(format!("cannot write \"{path}\": {}", io_reason(&error))))
    }

    /// `env(name)`: the variable's value, or `None` when it is not set (or not valid UTF-8).
    ///
    /// # Errors
    /// `permission denied: env("NAME") needs --allow-env` when the sandbox does not allow it.
    pub fn env(&mut self, name: &str) -> Result<Option<String>, Trap> {
        if !self.sandbox.env {
            return Err(denied("env", name, "--allow-env"));
        }
        if name.is_empty() || name.contains(['=', '\0']) {
            return Ok(None);
        }
        Ok(std::env::var(name).ok())
    }

    /// Replaces stdout (the previous one is flushed first).
    pub fn set_stdout(&mut self, stdout: Box<dyn Write>) {
        let _ = self.stdout.flush();
        self.stdout = stdout;
    }

    /// Replaces stderr.
    pub fn set_stderr(&mut self, stderr: Box<dyn Write>) {
        let _ = self.stderr.flush();
        self.stderr = stderr;
    }

    /// Replaces stdin.
    pub fn set_stdin(&mut self, stdin: Box<dyn BufRead>) {
        self.stdin = stdin;
    }

    /// Writes to stdout.
    ///
    /// # Errors
    /// `cannot write to stdout: …` when the stream fails.
    pub fn write_stdout(&mut self, bytes: &[u8]) -> Result<(), Trap> {
        self.stdout
            .write_all(bytes)
            .map_err(|error| Trap::new(format!("cannot write to stdout: {error}")))
    }

    /// Writes to stderr, after flushing stdout so the two interleave as written.
    ///
    /// # Errors
    /// `cannot write to stderr: …` when the stream fails.
    pub fn write_stderr(&mut self, bytes: &[u8]) -> Result<(), Trap> {
        let _ = self.stdout.flush();
        self.stderr
            .write_all(bytes)
            .and_then(|()| self.stderr.flush())
            .map_err(|error| Trap::new(format!("cannot write to stderr: {error}")))
    }

    /// Flushes stdout and stderr, ignoring failures (used at the end of a run).
    pub fn flush(&mut self) {
        let _ = self.stdout.flush();
        let _ = self.stderr.flush();
    }

    /// The next line of stdin without its `\n` (and a `\r` before it), or `None` at the end of input.
    /// Stdout is flushed first, so a prompt shows before the program waits. Invalid UTF-8 is replaced
    /// with U+FFFD.
    ///
    /// # Errors
    /// `cannot read stdin: …` when the stream fails.
    pub fn read_line(&mut self) -> Result<Option<String>, Trap> {
        let _ = self.stdout.flush();
        let mut line = Vec::new();
        let read = self
            .stdin
            .read_until(b'\n', &mut line)
            .map_err(|error| Trap::new(format!("cannot read stdin: {error}")))?;
        if read == 0 {
            return Ok(None);
        }
        if line.last() == Some(&b'\n') {
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
        }
        Ok(Some(match String::from_utf8(line) {
            Ok(text) => text,
            Err(error) => String::from_utf8_lossy(error.as_bytes()).into_owned(),
        }))
    }

    /// The program's arguments.
    pub fn args(&self) -> &[String] {
        &self.args
    }

    /// Replaces the program's arguments.
    pub fn set_args(&mut self, args: Vec<String>) {
        self.args = args;
    }

    /// Seconds since the program started (monotonic).
    pub fn clock(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    /// Restarts [`clock`](Syscalls::clock) at zero (when a run starts).
    pub fn restart_clock(&mut self) {
        self.started = Instant::now();
    }

    /// Wall-clock milliseconds since 1970 (negative before).
    pub fn now_ms(&self) -> i64 {
        match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(since) => i64::try_from(since.as_millis()).unwrap_or(i64::MAX),
            Err(before) => -i64::try_from(before.duration().as_millis()).unwrap_or(i64::MAX),
        }
    }
}

/// The runtime error of a call the sandbox does not allow.
#[cold]
fn denied(function: &str, argument: &str, flag: &str) -> Trap {
    let mut quoted = String::new();
    crate::memory::format::write_quoted(&mut quoted, argument);
    Trap::new(format!(
        "permission denied: {function}({quoted}) needs {flag}"
    ))
}

/// An I/O error's description without the `(os error N)` suffix.
fn io_reason(error: &io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}
