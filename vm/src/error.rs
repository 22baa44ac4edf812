//! Errors of loading and running a program: [`LoadError`] (the module could not be loaded),
//! [`Trap`] (a runtime error as raised by an instruction or a native, before it has a stack trace) and
//! [`RuntimeError`] (an uncaught runtime error with its Vitte stack trace).

use std::fmt;
use std::io;
use std::path::PathBuf;

use crate::bytecode::format::BytecodeError;

/// Why a program could not be loaded into the VM.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The bytecode file could not be read.
    #[error("cannot read '{}': {source}", path.display())]
    Io {
        /// The file that was being read.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
    /// The bytes are not a valid `.vitbc` file: `invalid bytecode: WHAT, at byte N`.
    #[error(transparent)]
    Bytecode(#[from] BytecodeError),
    /// The module failed verification or breaks a limit of the VM.
    #[error("invalid module: {message}")]
    Invalid {
        /// What is wrong.
        message: String,
    },
    /// A native import names no registered native, or its declared signature differs from the
    /// registered one. ([`Vm::load_bytes`](crate::Vm::load_bytes) and
    /// [`Vm::load_file`](crate::Vm::load_file) report it as [`LoadError::Bytecode`] instead, with the
    /// byte offset of the import.)
    #[error("{message}")]
    Native {
        /// Index of the import in [`Module::natives`](crate::bytecode::Module::natives).
        index: u32,
        /// The native's name as the module imports it.
        name: String,
        /// The full message (it names the native).
        message: String,
    },
}

/// A runtime error as raised by an instruction or a native function, before the interpreter attaches
/// the stack trace. Natives return it to fail.
///
/// Every runtime error is catchable by a `try`/`catch` handler, except the ones made with
/// [`Trap::resource_limit`] (the step limit, out of memory, the heap limit),
/// [`Trap::replay_diverged`], [`Trap::invalid_bytecode`] and [`Trap::internal`] errors: those
/// always end the run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trap {
    /// The message shown after `error: ` (lower case, no final period).
    pub message: String,
    /// Whether an exception handler may catch it (see [`Trap::is_catchable`]).
    catchable: bool,
}

impl Trap {
    /// A (catchable) runtime error with this message.
    #[cold]
    pub fn new(message: impl Into<String>) -> Trap {
        Trap {
            message: message.into(),
            catchable: true,
        }
    }

    /// A resource limit was reached (`step limit of N exceeded`, `out of memory: …`, a heap
    /// limit): an error no exception handler can catch, so a sandboxed program cannot ignore its
    /// limits.
    #[cold]
    pub fn resource_limit(message: impl Into<String>) -> Trap {
        Trap {
            message: message.into(),
            catchable: false,
        }
    }

    /// `replay diverged: expected EXPECTED, program asked for ASKED`: a replayed program asked the
    /// syscall layer for something else than the recording holds. No handler can catch it.
    #[cold]
    pub fn replay_diverged(expected: impl fmt::Display, asked: impl fmt::Display) -> Trap {
        Trap {
            message: format!("replay diverged: expected {expected}, program asked for {asked}"),
            catchable: false,
        }
    }

    /// Whether a `try`/`catch` handler may catch this error: false for resource limits and
    /// internal errors.
    pub fn is_catchable(&self) -> bool {
        self.catchable
    }

    /// `null dereference`.
    #[cold]
    pub fn null_dereference() -> Trap {
        Trap::new("null dereference")
    }

    /// `index out of bounds: index I, length N`.
    #[cold]
    pub fn index_out_of_bounds(index: i64, length: usize) -> Trap {
        Trap::new(format!(
            "index out of bounds: index {index}, length {length}"
        ))
    }

    /// `invalid argument: WHAT`.
    #[cold]
    pub fn invalid_argument(what: impl fmt::Display) -> Trap {
        Trap::new(format!("invalid argument: {what}"))
    }

    /// `stack overflow`.
    #[cold]
    pub fn stack_overflow() -> Trap {
        Trap::new("stack overflow")
    }

    /// Verified bytecode did at run time what the verifier cannot rule out statically and the
    /// compiler never emits (`pick.field` on a value of another case): `invalid bytecode: WHAT`.
    /// The module is at fault, not the VM; no handler can catch it.
    #[cold]
    pub fn invalid_bytecode(what: impl fmt::Display) -> Trap {
        Trap {
            message: format!("invalid bytecode: {what}"),
            catchable: false,
        }
    }

    /// An impossibility for a verified module (a stale reference, an out-of-range index the verifier
    /// should have refused): `internal error: WHAT`. Reported instead of panicking.
    #[cold]
    pub fn internal(what: impl fmt::Display) -> Trap {
        Trap {
            message: format!("internal error: {what}"),
            catchable: false,
        }
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Trap {}

/// One live Vitte frame of a [`RuntimeError`]'s stack trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceFrame {
    /// The procedure's name (`main`, `util.helper`).
    pub function: String,
    /// The source file's path as the compiler recorded it; empty when unknown.
    pub file: String,
    /// 1-based line of the instruction running in this frame (the call, for outer frames); 0 when
    /// unknown.
    pub line: u32,
    /// 1-based column; 0 when unknown.
    pub col: u32,
}

impl fmt::Display for TraceFrame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.file.is_empty() || self.line == 0 {
            write!(f, "{} (unknown location)", self.function)
        } else {
            write!(
                f,
                "{} ({}:{}:{})",
                self.function, self.file, self.line, self.col
            )
        }
    }
}

/// An uncaught runtime error: its message and the stack trace, innermost frame first.
///
/// Displays as `error: MESSAGE` followed by one `  at PROC (path:LINE:COL)` line per frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuntimeError {
    /// The message (`division by zero`, `index out of bounds: index 3, length 2`, …).
    pub message: String,
    /// One entry per live Vitte frame, innermost first.
    pub trace: Vec<TraceFrame>,
}

/// How many frames of each end of a long trace are shown; the middle of a longer trace is elided
/// (`  ... 99980 more frames ...`), so a `stack overflow` does not print 100 000 lines.
pub const TRACE_SHOWN_AT_EACH_END: usize = 10;

impl fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.message)?;
        let shown = TRACE_SHOWN_AT_EACH_END;
        // Eliding a single frame would save nothing: the elision line takes its place.
        let elided = match self.trace.len().saturating_sub(2 * shown) {
            1 => 0,
            more => more,
        };
        for (index, frame) in self.trace.iter().enumerate() {
            if elided > 0 && index == shown {
                write!(f, "\n  ... {elided} more frames ...")?;
            }
            if elided > 0 && (shown..shown + elided).contains(&index) {
                continue;
            }
            write!(f, "\n  at {frame}")?;
        }
        Ok(())
    }
}

impl std::error::Error for RuntimeError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_with_frames(count: usize) -> RuntimeError {
        let trace = (0..count)
            .map(|depth| TraceFrame {
                function: format!("f{depth}"),
                file: "a.vit".into(),
                line: 1,
                col: 1,
            })
            .collect();
        RuntimeError {
            message: "stack overflow".into(),
            trace,
        }
    }

    #[test]
    fn short_traces_show_every_frame() {
        let text = error_with_frames(2 * TRACE_SHOWN_AT_EACH_END + 1).to_string();
        assert_eq!(text.lines().count(), 2 * TRACE_SHOWN_AT_EACH_END + 2);
        assert!(!text.contains("more frames"));
    }

    #[test]
    fn long_traces_elide_the_middle() {
        let text = error_with_frames(1000).to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1 + 2 * TRACE_SHOWN_AT_EACH_END + 1);
        assert_eq!(lines[1], "  at f0 (a.vit:1:1)");
        assert_eq!(
            lines[TRACE_SHOWN_AT_EACH_END + 1],
            "  ... 980 more frames ..."
        );
        assert_eq!(lines.last(), Some(&"  at f999 (a.vit:1:1)"));
    }
}
