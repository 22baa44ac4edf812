//! The built `vitte-dap` binary as a child process, for its tests: a guard that kills it when a test
//! ends, the adapter over stdio, and the adapter listening on a free TCP port.

#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// The binary under test.
pub const BINARY: &str = env!("CARGO_BIN_EXE_vitte-dap");

/// Kills the child when the test ends, even on failure.
pub struct Guard(pub Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Guard {
    /// Waits for the process to exit on its own; fails after `timeout`.
    pub fn exits_within(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.0.try_wait().expect("the process can be waited for") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the adapter did not exit after its client went away"
            );
            thread::sleep(Duration::from_millis(20));
        }
    }
}

/// `vitte-dap --stdio`, with its pipes.
pub fn start_stdio() -> (Guard, ChildStdin, ChildStdout) {
    let mut child = Command::new(BINARY)
        .arg("--stdio")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the adapter starts");
    let stdin = child.stdin.take().expect("piped");
    let stdout = child.stdout.take().expect("piped");
    (Guard(child), stdin, stdout)
}

/// `vitte-dap --port 0 EXTRA…`, once it has printed the port it listens on.
pub fn listen_on_free_port<I, S>(extra: I) -> (Guard, u16)
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut child = Command::new(BINARY)
        .args(["--port", "0"])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the adapter starts");
    let stdout = child.stdout.take().expect("piped");
    let guard = Guard(child);
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("the adapter prints its port");
    let port: u16 = line
        .trim()
        .strip_prefix("DAP_PORT=")
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("expected DAP_PORT=N, got {line:?}"));
    (guard, port)
}
