//! What the interpreter consults during a debugged run: the patched breakpoints' original
//! instructions, the step under way, the pause request, exception stops and thread events. The
//! plain dispatch loop only meets it at `break` instructions, at the end of a fuel slice and when
//! a runtime error is raised; the checking loop (for steps, and for running the instruction under a
//! breakpoint one time) asks [`Hook::before`] at every instruction.

use std::collections::HashMap;

use crate::bytecode::{Instr, Module};
use crate::error::Trap;

use super::lines::CodeLocation;
use super::{ExceptionStops, PauseHandle, StepStart, StopReason, ThreadEvent};

/// A step under way.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Step {
    pub(crate) thread: u32,
    pub(crate) start: StepStart,
    pub(crate) single_thread: bool,
    /// Instructions of the stepping thread seen so far.
    pub(crate) seen: u64,
}

impl Step {
    /// Whether the stepping thread, about to run instruction `pc` of `func` with `depth` frames,
    /// has arrived (never at the instruction the step began at).
    fn arrived(&self, module: &Module, depth: usize, func: u32, pc: u32) -> bool {
        self.seen > 1 && self.start.arrived(module, depth, func, pc)
    }
}

/// Debugger state the interpreter sees (see the module documentation).
#[derive(Default)]
pub(crate) struct Hook {
    pub(crate) pause: PauseHandle,
    pub(crate) step: Option<Step>,
    /// The thread a [`Resume::ContinueAlone`](super::Resume::ContinueAlone) run keeps on the
    /// processor.
    pub(crate) alone: Option<u32>,
    /// The thread, depth and breakpoint location to run the original instruction of once (the
    /// breakpoint it stopped at), until that thread is seen elsewhere.
    pub(crate) resume_over: Option<(u32, usize, CodeLocation)>,
    /// The instruction under each patched breakpoint.
    pub(crate) originals: HashMap<CodeLocation, Instr>,
    pub(crate) exceptions: ExceptionStops,
    /// Why the run stopped, set when the interpreter leaves with a suspension.
    pub(crate) stop: Option<(u32, StopReason)>,
    /// A runtime error that stopped the run before unwinding; resuming unwinds it.
    pub(crate) pending: Option<Trap>,
    pub(crate) thread_events: Option<Box<dyn FnMut(ThreadEvent)>>,
}

impl std::fmt::Debug for Hook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hook")
            .field("step", &self.step)
            .field("breakpoints", &self.originals.len())
            .field("exceptions", &self.exceptions)
            .finish_non_exhaustive()
    }
}

/// What [`Hook::before`] decided.
pub(crate) enum Before {
    /// Run this instruction (the original one under a breakpoint being resumed over).
    Run(Instr),
    /// Stop before the instruction; [`Hook::stop`] says why.
    Stop,
    /// Nothing needs the checking loop any more: go back to the plain one at this instruction.
    Leave,
}

impl Hook {
    /// True while the checking loop is needed.
    pub(crate) fn needs_checking(&self) -> bool {
        self.step.is_some() || self.resume_over.is_some()
    }

    /// True when the running thread must not be preempted (a single-thread step or continue).
    pub(crate) fn holds_thread(&self, thread: u32) -> bool {
        self.alone == Some(thread)
            || self
                .step
                .is_some_and(|step| step.single_thread && step.thread == thread)
    }

    /// Reports a thread event to the debugger.
    pub(crate) fn thread_event(&mut self, event: ThreadEvent) {
        if let ThreadEvent::Exited(thread) = event
            && self.step.is_some_and(|step| step.thread == thread)
        {
            self.step = None;
        }
        if let Some(sink) = self.thread_events.as_mut() {
            sink(event);
        }
    }

    /// Consulted by the checking loop before thread `thread` (with `depth` frames) runs instruction
    /// `pc` of function `func`, which reads `fetched` in the (patched) code.
    pub(crate) fn before(
        &mut self,
        module: &Module,
        thread: u32,
        depth: usize,
        func: u32,
        pc: u32,
        fetched: Instr,
    ) -> Before {
        let here = CodeLocation { func, pc };
        if let Some((over_thread, over_depth, over)) = self.resume_over
            && over_thread == thread
            && (over_depth, over) != (depth, here)
        {
            self.resume_over = None;
        }
        let mut instr = fetched;
        if let Instr::Break {} = fetched {
            if self.resume_over == Some((thread, depth, here)) {
                instr = self.originals.get(&here).copied().unwrap_or(Instr::Nop {});
            } else {
                self.stop = Some((thread, StopReason::Breakpoint(here)));
                return Before::Stop;
            }
        }
        if let Some(step) = self.step.as_mut()
            && step.thread == thread
        {
            step.seen += 1;
            if step.arrived(module, depth, func, pc) {
                self.step = None;
                self.stop = Some((thread, StopReason::Step));
                return Before::Stop;
            }
        }
        if !self.needs_checking() {
            return Before::Leave;
        }
        Before::Run(instr)
    }
}
