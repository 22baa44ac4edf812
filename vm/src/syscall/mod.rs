//! The syscall layer: everything that reaches outside the VM goes through here, so a run can later be
//! recorded and replayed. [`Syscalls`] owns the program's streams, its arguments, its clock and its
//! access to files and the environment (checked against the [`Sandbox`]); [`registry`] holds the
//! natives (every built-in function and the embedder's host functions), [`builtins`] defines the
//! built-ins and [`host`] turns typed Rust closures into natives.
//!
//! Every nondeterministic input — clock reads (`clock()`, `now_ms()` and any clock read of the VM
//! itself), stdin lines, `read_file` and `write_file` outcomes, `env` values and `args()` — is one
//! [`Event`] taken through a single private door, `Syscalls::input`, in one of three [`Mode`]s: live
//! (ask the host), recording (ask the host and append the answer to a log) and replaying (answer
//! from the log, never touching the host). See [`replay`] for the events and the `.vitrec` file.
//! Writes to stdout and stderr are outputs, not inputs: they happen in every mode.

pub mod builtins;
pub mod host;
pub mod registry;
pub mod replay;
pub mod sandbox;

use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::path::Path;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::error::Trap;

pub use host::{HostArg, HostFunction, HostResult, HostSignature};
pub use registry::{
    NativeContext, NativeEntry, NativeFn, NativeRegistry, NativeSignature, NativeType,
};
pub use replay::{Event, Recording, RecordingError, Request};
pub use sandbox::{PathAccess, Sandbox};

/// Where the answers to the program's inputs come from.
#[derive(Debug, Default)]
pub enum Mode {
    /// From the host.
    #[default]
    Live,
    /// From the host, each answer appended to this log.
    Recording(Vec<Event>),
    /// From this log, in order (`next` is the index of the next answer); the host is never asked.
    Replaying {
        /// The recorded answers.
        events: Vec<Event>,
        /// The index of the next one.
        next: usize,
    },
}

/// The outside world as a program sees it: standard streams, arguments and clocks.
pub struct Syscalls {
    stdout: Box<dyn Write>,
    stderr: Box<dyn Write>,
    stdin: Box<dyn BufRead>,
    args: Vec<String>,
    started: Instant,
    sandbox: Sandbox,
    mode: Mode,
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
            mode: Mode::Live,
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
        let event = self.input(Request::ReadFile(path), |sys| {
            let result = if sys.sandbox.read.allows(Path::new(path)) {
                std::fs::read_to_string(path)
                    .map_err(|error| format!("cannot read \"{path}\": {}", io_reason(&error)))
            } else {
                Err(denied("read_file", path, "--allow-read"))
            };
            Event::ReadFile {
                path: path.to_string(),
                result,
            }
        })?;
        match event {
            Event::ReadFile { result, .. } => result.map_err(Trap::new),
            _ => Err(mismatch()),
        }
    }

    /// `write_file(path, text)`: creates or replaces the file.
    ///
    /// # Errors
    /// `permission denied: write_file("PATH") needs --allow-write` when the sandbox does not allow it;
    /// `cannot write "PATH": REASON` when writing fails.
    ///
    /// On replay the file system is not touched: the recorded outcome is returned.
    pub fn write_file(&mut self, path: &str, text: &str) -> Result<(), Trap> {
        let event = self.input(Request::WriteFile(path), |sys| {
            let result = if sys.sandbox.write.allows(Path::new(path)) {
                std::fs::write(path, text)
                    .map_err(|error| format!("cannot write \"{path}\": {}", io_reason(&error)))
            } else {
                Err(denied("write_file", path, "--allow-write"))
            };
            Event::WriteFile {
                path: path.to_string(),
                result,
            }
        })?;
        match event {
            Event::WriteFile { result, .. } => result.map_err(Trap::new),
            _ => Err(mismatch()),
        }
    }

    /// `env(name)`: the variable's value, or `None` when it is not set (or not valid UTF-8).
    ///
    /// # Errors
    /// `permission denied: env("NAME") needs --allow-env` when the sandbox does not allow it.
    pub fn env(&mut self, name: &str) -> Result<Option<String>, Trap> {
        let event = self.input(Request::Env(name), |sys| {
            let result = if !sys.sandbox.env {
                Err(denied("env", name, "--allow-env"))
            } else if name.is_empty() || name.contains(['=', '\0']) {
                Ok(None)
            } else {
                Ok(std::env::var(name).ok())
            };
            Event::Env {
                name: name.to_string(),
                result,
            }
        })?;
        match event {
            Event::Env { result, .. } => result.map_err(Trap::new),
            _ => Err(mismatch()),
        }
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
        let event = self.input(Request::ReadLine, |sys| {
            Event::ReadLine(read_stdin_line(&mut sys.stdin))
        })?;
        match event {
            Event::ReadLine(result) => result.map_err(Trap::new),
            _ => Err(mismatch()),
        }
    }

    /// `args()`: the program's arguments (on replay, the recorded ones, which the VM sets from the
    /// recording's header).
    ///
    /// # Errors
    /// `replay diverged: …` when replaying and the recording expected another input.
    pub fn args(&mut self) -> Result<&[String], Trap> {
        self.input(Request::Args, |_| Event::Args)?;
        Ok(&self.args)
    }

    /// Replaces the program's arguments.
    pub fn set_args(&mut self, args: Vec<String>) {
        self.args = args;
    }

    /// Seconds since the program started (monotonic). This is the one monotonic clock of the VM:
    /// `clock()` and every internal time read (such as a thread's `sleep`) go through it, so each
    /// read is recorded and replayed.
    ///
    /// # Errors
    /// `replay diverged: …` when replaying and the recording expected another input.
    pub fn clock(&mut self) -> Result<f64, Trap> {
        match self.input(Request::Clock, |sys| {
            Event::Clock(sys.started.elapsed().as_secs_f64())
        })? {
            Event::Clock(seconds) => Ok(seconds),
            _ => Err(mismatch()),
        }
    }

    /// Restarts [`clock`](Syscalls::clock) at zero (when a run starts).
    pub fn restart_clock(&mut self) {
        self.started = Instant::now();
    }

    /// Sleeps the OS thread for `duration` (the scheduler, when every VM thread sleeps). On replay
    /// it returns at once: the recorded clock reads already say how much time passed.
    pub fn sleep(&mut self, duration: std::time::Duration) {
        if !matches!(self.mode, Mode::Replaying { .. }) {
            std::thread::sleep(duration);
        }
    }

    /// Wall-clock milliseconds since 1970 (negative before).
    ///
    /// # Errors
    /// `replay diverged: …` when replaying and the recording expected another input.
    pub fn now_ms(&mut self) -> Result<i64, Trap> {
        match self.input(Request::NowMs, |_| Event::NowMs(wall_clock_ms()))? {
            Event::NowMs(ms) => Ok(ms),
            _ => Err(mismatch()),
        }
    }

    /// The current mode.
    pub fn mode(&self) -> &Mode {
        &self.mode
    }

    /// Replaces the mode, returning the previous one (with its log, if it was recording).
    pub fn set_mode(&mut self, mode: Mode) -> Mode {
        std::mem::replace(&mut self.mode, mode)
    }

    /// When replaying, the recorded input the program has not taken yet, if any.
    pub fn pending_replay(&self) -> Option<&Event> {
        match &self.mode {
            Mode::Replaying { events, next } => events.get(*next),
            _ => None,
        }
    }

    /// The one door for inputs: asks the host (`live`) and logs the answer, or takes the next
    /// recorded answer, which must answer the same `request`.
    fn input(
        &mut self,
        request: Request<'_>,
        live: impl FnOnce(&mut Syscalls) -> Event,
    ) -> Result<Event, Trap> {
        if let Mode::Replaying { events, next } = &mut self.mode {
            let Some(event) = events.get(*next) else {
                return Err(Trap::replay_diverged("the end of the recording", request));
            };
            if event.request() != request {
                return Err(Trap::replay_diverged(event.request(), request));
            }
            *next += 1;
            return Ok(event.clone());
        }
        let event = live(self);
        if let Mode::Recording(log) = &mut self.mode {
            log.push(event.clone());
        }
        Ok(event)
    }
}

/// The next line of `stdin` without its `\n` (and a `\r` before it), `None` at the end of input;
/// invalid UTF-8 is replaced with U+FFFD.
fn read_stdin_line(stdin: &mut dyn BufRead) -> Result<Option<String>, String> {
    let mut line = Vec::new();
    let read = stdin
        .read_until(b'\n', &mut line)
        .map_err(|error| format!("cannot read stdin: {error}"))?;
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

/// Wall-clock milliseconds since 1970 (negative before).
fn wall_clock_ms() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(since) => i64::try_from(since.as_millis()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

/// The answer to a request is of another kind than the request (cannot happen: `input` checks).
#[cold]
fn mismatch() -> Trap {
    Trap::internal("a recorded input answers another request")
}

/// The runtime error message of a call the sandbox does not allow.
#[cold]
fn denied(function: &str, argument: &str, flag: &str) -> String {
    let mut quoted = String::new();
    crate::memory::format::write_quoted(&mut quoted, argument);
    format!("permission denied: {function}({quoted}) needs {flag}")
}

/// An I/O error's description without the `(os error N)` suffix.
fn io_reason(error: &io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}
