//! The debugger-facing API: what a debugger (the `vitte-dap` adapter, an embedder) needs to run a
//! program step by step and look inside it. Nothing here knows a debugging protocol.
//!
//! A debugged run goes: [`Vm::debug_start`](crate::Vm::debug_start) prepares it (nothing runs yet),
//! then each [`Vm::debug_resume`](crate::Vm::debug_resume) runs until something stops it and says
//! why ([`Outcome`]). While stopped, the `debug_*` inspection methods of [`Vm`](crate::Vm) read
//! threads, frames, locals and globals, and the functions of [`inspect`] describe values.
//!
//! Cost model: `Vm::run` never looks at any of this. Under a debugger, breakpoints are patched into
//! the code as a `break` instruction, so a breakpoint that is never reached costs nothing; a pause
//! request is noticed when a thread's fuel slice ends (every 1000 backward jumps, calls or catches);
//! only stepping runs the interpreter's checking loop, which looks at every instruction.
//!
//! Locations are `(function index, instruction index)` pairs; [`lines`] maps source lines to them.

pub(crate) mod hook;
pub mod inspect;
pub mod lines;
mod run;

pub use run::Debugger;

pub use inspect::{ChildCount, Value};
pub use lines::{CodeLocation, LineResolution};

use crate::bytecode::Module;
use lines::is_statement_start;

/// Why a debugged run stopped.
#[derive(Clone, Debug, PartialEq)]
pub enum StopReason {
    /// Right after [`Vm::debug_start`](crate::Vm::debug_start), before the first instruction.
    Entry,
    /// A thread reached one of the locations given to
    /// [`Vm::debug_set_breakpoints`](crate::Vm::debug_set_breakpoints); it has not run that
    /// instruction yet. Resuming runs it (the breakpoint does not fire again on the spot).
    Breakpoint(CodeLocation),
    /// A step asked for with [`Resume::Step`] completed.
    Step,
    /// [`PauseHandle::pause`] was called.
    Pause,
    /// A runtime error was raised. `uncaught` is true when no handler will catch it: resuming then
    /// ends the run with [`Outcome::Failed`]. Otherwise resuming continues in the handler.
    Exception {
        /// The error message (`division by zero`).
        message: String,
        /// True when no `try` catches it.
        uncaught: bool,
    },
}

/// What [`Vm::debug_resume`](crate::Vm::debug_resume) ended with.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Thread `thread` (the one that stopped; the others stopped with it) stopped for `reason`.
    Stopped {
        /// The VM thread id.
        thread: u32,
        /// Why.
        reason: StopReason,
    },
    /// The program ended with this exit code.
    Exited(i32),
    /// The program ended with an uncaught runtime error (reported first as a
    /// [`StopReason::Exception`] stop when exception stops are on).
    Failed(crate::RuntimeError),
}

/// How far a step goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepKind {
    /// Into calls: stops at the next statement, in whatever function.
    In,
    /// Over calls: stops at the next statement of this frame or of a caller.
    Over,
    /// Out: stops once the current frame has returned (or was unwound).
    Out,
}

/// The unit of a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Granularity {
    /// Statements (the line table's statement starts).
    Statement,
    /// Single instructions.
    Instruction,
}

/// A step as it began: what it asks for, and where its thread was. [`StepStart::arrived`] is the
/// one rule of where a step stops, applied by the VM before each instruction of a step and by a
/// debugger that plans a step over several stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepStart {
    /// In, over or out.
    pub kind: StepKind,
    /// Statements or instructions.
    pub granularity: Granularity,
    /// Frames of the stepping thread when the step began.
    pub depth: usize,
    /// The function it began in.
    pub func: u32,
    /// The source line it began at (0 when unknown).
    pub line: u32,
}

impl StepStart {
    /// Whether the stepping thread, about to run instruction `pc` of `func` with `depth` frames,
    /// has arrived.
    pub fn arrived(&self, module: &Module, depth: usize, func: u32, pc: u32) -> bool {
        let statement = || is_statement_start(module, func, pc);
        let line = || module.location(func, pc).map_or(0, |(_, line, _)| line);
        match (self.granularity, self.kind) {
            (_, StepKind::Out) => depth < self.depth,
            (Granularity::Instruction, StepKind::In) => true,
            (Granularity::Instruction, StepKind::Over) => depth <= self.depth,
            (Granularity::Statement, StepKind::Over) => {
                depth < self.depth
                    || (depth == self.depth
                        && statement()
                        && (func != self.func || line() != self.line))
            }
            (Granularity::Statement, StepKind::In) => {
                statement() && (depth != self.depth || func != self.func || line() != self.line)
            }
        }
    }
}

/// How [`Vm::debug_resume`](crate::Vm::debug_resume) continues.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resume {
    /// Run until a breakpoint, an exception stop, a pause or the end.
    Continue,
    /// Like [`Continue`](Resume::Continue), but thread `thread` keeps the processor while it can
    /// run: the other threads wait, and run only while it is blocked (so it can go on).
    ContinueAlone {
        /// The VM thread id.
        thread: u32,
    },
    /// Step thread `thread`. Other threads run as usual unless `single_thread` is set, in which
    /// case they wait while the stepping thread can run (if it blocks, they run so it can go on).
    Step {
        /// The VM thread id.
        thread: u32,
        /// In, over or out.
        kind: StepKind,
        /// Statements or instructions.
        granularity: Granularity,
        /// Keep the other threads still.
        single_thread: bool,
    },
}

/// Which runtime errors stop a debugged run before they unwind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExceptionStops {
    /// Every runtime error, caught or not.
    pub all: bool,
    /// Runtime errors no handler catches (the program is about to end).
    pub uncaught: bool,
}

/// A thread's state, as shown to a user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThreadStatus {
    /// Running or ready to run.
    Runnable,
    /// Waiting on a channel or in `join`.
    Blocked,
    /// In `sleep`.
    Sleeping,
}

/// One live VM thread.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThreadInfo {
    /// Stable id: 0 for the main thread, then in spawn order.
    pub id: u32,
    /// `main` or `thread N`.
    pub name: String,
    /// What it is doing.
    pub status: ThreadStatus,
}

/// A thread coming or going during a debugged run, reported through
/// [`Vm::debug_set_thread_events`](crate::Vm::debug_set_thread_events) as it happens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThreadEvent {
    /// `spawn` created this thread.
    Started(u32),
    /// This thread returned.
    Exited(u32),
}

/// One frame of a stopped thread.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameInfo {
    /// The function's index in the module.
    pub func: u32,
    /// The instruction the frame is at: the next to run for the innermost frame of a runnable
    /// thread, the running call (or blocking instruction) otherwise.
    pub pc: u32,
    /// The function's name.
    pub name: String,
    /// Index into the module's sources, when known.
    pub source: Option<u32>,
    /// 1-based line (0 when unknown).
    pub line: u32,
    /// 1-based column (0 when unknown).
    pub col: u32,
}

/// A named value: a local, a global, an element, a map entry, a field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variable {
    /// Source name; `[3]` for an element, the key's text (`"a"`, `3`) for a map entry.
    pub name: String,
    /// Its static type and bits.
    pub value: Value,
    /// Where a new value for it is written (see [`Vm::debug_write`](crate::Vm::debug_write)).
    pub place: Place,
}

/// Where [`Vm::debug_write`](crate::Vm::debug_write) stores a new value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// Register `register` of frame `depth` (0 = innermost) of thread `thread`.
    Register {
        /// VM thread id.
        thread: u32,
        /// 0 for the innermost frame.
        depth: usize,
        /// Register number.
        register: u16,
    },
    /// A global, by index.
    Global(u32),
    /// Field `index` of a form, or payload field `index` of a pick.
    Field {
        /// The object's handle.
        object: u64,
        /// Field position.
        index: usize,
    },
    /// Element `index` of an array.
    Element {
        /// The array's handle.
        array: u64,
        /// Element position.
        index: usize,
    },
    /// The value of the map entry at insertion position `position`.
    Entry {
        /// The map's handle.
        map: u64,
        /// Entry position.
        position: usize,
    },
}

/// A handle to request a pause from another OS thread while a debugged run goes on.
#[derive(Clone, Debug, Default)]
pub struct PauseHandle(pub(crate) std::sync::Arc<std::sync::atomic::AtomicBool>);

impl PauseHandle {
    /// Asks the run to stop with [`StopReason::Pause`]; it does within one fuel slice of the running
    /// thread (a few microseconds of work). A request made while nothing runs applies to the next
    /// resume.
    pub fn pause(&self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// True while a pause is requested and not yet honoured.
    pub fn is_requested(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Withdraws the request.
    pub(crate) fn clear(&self) {
        self.0.store(false, std::sync::atomic::Ordering::Relaxed);
    }
}
