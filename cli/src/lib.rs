//! The `vitte` command line as a library, so tests drive it in-process with their own streams.
//!
//! API contract: [`main_with`] runs one command line (`args[0]` is the program name) against the given
//! streams and returns the process exit code.

use std::io::{BufRead, Write};

/// The standard streams of one command-line run.
pub struct CliIo {
    /// Standard input (for `read_line`).
    pub stdin: Box<dyn BufRead>,
    /// Standard output.
    pub stdout: Box<dyn Write>,
    /// Standard error.
    pub stderr: Box<dyn Write>,
}

/// Runs `vitte ARGS…` and returns the exit code.
pub fn main_with(args: Vec<String>, io: CliIo) -> i32 {
    let _ = (args, io);
    1
}
