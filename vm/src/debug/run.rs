//! The debugged run: [`Vm`]'s `debug_*` methods. A run is prepared by
//! [`Vm::debug_start`], advanced by [`Vm::debug_resume`] from stop to stop, and inspected between
//! stops. Breakpoints are patched into the loaded program's code (the module keeps the original
//! code, for disassembly).

use crate::bytecode::{Instr, Type};
use crate::core::interp::{self, Fuel, Machine, RunEnd};
use crate::core::sched::{Scheduler, Status};
use crate::error::{RuntimeError, Trap};
use crate::stack::{Frame, ThreadState};
use crate::vm::{Vm, runtime_error};

use super::hook::{Hook, Step};
use super::{
    CodeLocation, ExceptionStops, FrameInfo, Outcome, PauseHandle, Place, Resume, StepStart,
    ThreadEvent, ThreadInfo, ThreadStatus, Value, Variable,
};

/// A debugged run between two stops.
#[derive(Debug)]
struct Run {
    /// The functions to run in turn (the initialiser, then the entry function).
    phases: Vec<u32>,
    /// Which one runs now.
    phase: usize,
    fuel: Fuel,
    sched: Scheduler,
    /// True once `debug_resume` reported a stop (before that, nothing is "resumed over").
    stopped: bool,
}

/// Everything the VM keeps for a debugger.
#[derive(Debug, Default)]
pub struct Debugger {
    hook: Hook,
    run: Option<Run>,
}

impl Debugger {
    /// Forgets breakpoints and any run (a new program was loaded).
    pub(crate) fn reset(&mut self) {
        let pause = self.hook.pause.clone();
        let exceptions = self.hook.exceptions;
        let events = self.hook.thread_events.take();
        self.hook = Hook {
            pause,
            exceptions,
            thread_events: events,
            ..Hook::default()
        };
        self.run = None;
    }
}

/// A plain error for a debugger request.
fn no_run() -> String {
    "the program is not running".to_string()
}

impl Vm {
    /// Prepares a debugged run of the loaded program: globals are zeroed and the first function's
    /// frame is in place, but nothing has run. Breakpoints already set stay set.
    ///
    /// # Errors
    /// When no program is loaded, or the depth limit is 0.
    pub fn debug_start(&mut self) -> Result<(), RuntimeError> {
        self.debug_end_run();
        let Some(program) = &self.program else {
            return Err(RuntimeError {
                message: "no program is loaded".to_string(),
                trace: Vec::new(),
            });
        };
        self.globals.fill(0);
        self.sys.set_args(self.config.args.clone());
        self.sys.restart_clock();
        let module = &program.module;
        let phases: Vec<u32> = module.init.into_iter().chain([module.entry]).collect();
        interp::enter(program, &mut self.thread, phases[0], self.config.max_depth)
            .map_err(|trap| runtime_error(program, trap, &[]))?;
        self.debugger.hook.pending = None;
        self.debugger.hook.step = None;
        self.debugger.hook.resume_over = None;
        self.debugger.run = Some(Run {
            phases,
            phase: 0,
            fuel: Fuel::new(self.config.max_steps),
            sched: Scheduler::new(),
            stopped: false,
        });
        Ok(())
    }

    /// True between [`debug_start`](Vm::debug_start) and the end of the run.
    pub fn debug_is_running(&self) -> bool {
        self.debugger.run.is_some()
    }

    /// Runs the debugged program until it stops, ends or fails. Program output is flushed before
    /// this returns.
    pub fn debug_resume(&mut self, how: Resume) -> Outcome {
        let outcome = self.advance(how);
        self.sys.flush();
        if !matches!(outcome, Outcome::Stopped { .. }) {
            self.debug_end_run();
            self.thread.clear();
        }
        outcome
    }

    /// Drops the debugged run, if any, and the heap charges of its threads.
    fn debug_end_run(&mut self) {
        if let Some(run) = self.debugger.run.take() {
            run.sched.release(&mut self.heap);
        }
    }

    fn advance(&mut self, how: Resume) -> Outcome {
        let Some(program) = &self.program else {
            return Outcome::Failed(RuntimeError {
                message: "no program is loaded".to_string(),
                trace: Vec::new(),
            });
        };
        let Some(run) = self.debugger.run.as_mut() else {
            return Outcome::Failed(RuntimeError {
                message: no_run(),
                trace: Vec::new(),
            });
        };
        let hook = &mut self.debugger.hook;
        hook.stop = None;
        hook.step = None;
        hook.alone = None;
        hook.resume_over = None;
        // The stopped thread does not stop again at the breakpoint it is on.
        let current = run.sched.current;
        if let Some(&top) = self.thread.frames.last()
            && run.stopped
            && hook.pending.is_none()
            && program
                .funcs
                .get(top.func as usize)
                .and_then(|info| info.code.get(top.pc))
                .is_some_and(|instr| matches!(instr, Instr::Break {}))
        {
            let here = CodeLocation {
                func: top.func,
                pc: top.pc as u32,
            };
            hook.resume_over = Some((current, self.thread.frames.len(), here));
        }
        if let Resume::ContinueAlone { thread } = how {
            hook.alone = Some(thread);
        }
        if let Resume::Step {
            thread,
            kind,
            granularity,
            single_thread,
        } = how
        {
            let frames = thread_frames(&self.thread, &run.sched, thread);
            if let Some(&top) = frames.last() {
                let pc = top.pc as u32;
                hook.step = Some(Step {
                    thread,
                    start: StepStart {
                        kind,
                        granularity,
                        depth: frames.len(),
                        func: top.func,
                        line: program
                            .module
                            .location(top.func, pc)
                            .map_or(0, |(_, line, _)| line),
                    },
                    single_thread,
                    seen: 0,
                });
            }
        }
        loop {
            let machine = Machine {
                program,
                heap: &mut self.heap,
                globals: &mut self.globals,
                sys: &mut self.sys,
                max_depth: self.config.max_depth,
                fuel: &mut run.fuel,
                sched: &mut run.sched,
                jit: None,
            };
            match interp::resume(machine, &mut self.thread, hook) {
                Ok(RunEnd::Suspended) => {
                    hook.step = None;
                    run.stopped = true;
                    let (thread, reason) = hook
                        .stop
                        .take()
                        .unwrap_or((run.sched.current, super::StopReason::Pause));
                    return Outcome::Stopped { thread, reason };
                }
                Ok(RunEnd::Returned(value)) => {
                    run.phase += 1;
                    let Some(&next) = run.phases.get(run.phase) else {
                        let returns_int = program
                            .funcs
                            .get(program.module.entry as usize)
                            .is_some_and(|info| info.returns_int);
                        return Outcome::Exited(if returns_int { value as i64 as i32 } else { 0 });
                    };
                    if let Err(trap) =
                        interp::enter(program, &mut self.thread, next, self.config.max_depth)
                    {
                        return Outcome::Failed(runtime_error(program, trap, &[]));
                    }
                }
                Err(trap) => {
                    return Outcome::Failed(runtime_error(program, trap, self.thread.frames()));
                }
            }
        }
    }

    /// Replaces the set of breakpoints: each location gets a `break` patched over its instruction.
    /// Returns the locations accepted (those naming an existing instruction), which may be set
    /// before or during a run.
    pub fn debug_set_breakpoints(&mut self, locations: &[CodeLocation]) -> Vec<CodeLocation> {
        let Some(program) = self.program.as_mut() else {
            return Vec::new();
        };
        let hook = &mut self.debugger.hook;
        for (location, original) in hook.originals.drain() {
            if let Some(slot) = program
                .funcs
                .get_mut(location.func as usize)
                .and_then(|info| info.code.get_mut(location.pc as usize))
            {
                *slot = original;
            }
        }
        let mut accepted = Vec::new();
        for &location in locations {
            let Some(slot) = program
                .funcs
                .get_mut(location.func as usize)
                .and_then(|info| info.code.get_mut(location.pc as usize))
            else {
                continue;
            };
            if let std::collections::hash_map::Entry::Vacant(entry) = hook.originals.entry(location)
            {
                entry.insert(*slot);
                *slot = Instr::Break {};
            }
            accepted.push(location);
        }
        accepted
    }

    /// Chooses which runtime errors stop the run before they unwind.
    pub fn debug_set_exception_stops(&mut self, stops: ExceptionStops) {
        self.debugger.hook.exceptions = stops;
    }

    /// A handle another OS thread can use to pause the run.
    pub fn debug_pause_handle(&self) -> PauseHandle {
        self.debugger.hook.pause.clone()
    }

    /// Calls `sink` whenever a VM thread starts or ends during a debugged run (from the thread
    /// running the VM, while it runs).
    pub fn debug_set_thread_events(&mut self, sink: Box<dyn FnMut(ThreadEvent)>) {
        self.debugger.hook.thread_events = Some(sink);
    }

    /// The live threads of the stopped run, by id (none when nothing runs).
    pub fn debug_threads(&self) -> Vec<ThreadInfo> {
        let Some(run) = &self.debugger.run else {
            return Vec::new();
        };
        run.sched
            .slots
            .iter()
            .enumerate()
            .filter(|(_, slot)| slot.status != Status::Done)
            .map(|(id, slot)| ThreadInfo {
                id: id as u32,
                name: if id == 0 {
                    "main".to_string()
                } else {
                    format!("thread {id}")
                },
                status: match slot.status {
                    Status::Blocked => ThreadStatus::Blocked,
                    Status::Sleeping => ThreadStatus::Sleeping,
                    Status::Runnable | Status::Done => ThreadStatus::Runnable,
                },
            })
            .collect()
    }

    /// The frames of thread `thread`, innermost first; `None` for a thread that does not exist
    /// (or when nothing runs).
    pub fn debug_frames(&self, thread: u32) -> Option<Vec<FrameInfo>> {
        let run = self.debugger.run.as_ref()?;
        let program = self.program.as_ref()?;
        let slot = run.sched.slots.get(thread as usize)?;
        if slot.status == Status::Done {
            return None;
        }
        let frames = thread_frames(&self.thread, &run.sched, thread);
        let waiting = thread != run.sched.current
            && matches!(slot.status, Status::Blocked | Status::Sleeping);
        let module = &program.module;
        let count = frames.len();
        Some(
            frames
                .iter()
                .enumerate()
                .rev()
                .map(|(index, frame)| {
                    let innermost = index + 1 == count;
                    let pc = if innermost && !waiting {
                        frame.pc
                    } else {
                        frame.pc.saturating_sub(1)
                    } as u32;
                    let function = module.functions.get(frame.func as usize);
                    let (line, col) = module
                        .location(frame.func, pc)
                        .map_or((0, 0), |(_, line, col)| (line, col));
                    FrameInfo {
                        func: frame.func,
                        pc,
                        name: function.map_or_else(
                            || format!("<function {}>", frame.func),
                            |f| f.name.clone(),
                        ),
                        source: function
                            .map(|f| f.debug.file)
                            .filter(|&file| (file as usize) < module.sources.len()),
                        line,
                        col,
                    }
                })
                .collect(),
        )
    }

    /// The named locals of frame `depth` (0 = innermost) of thread `thread` that are live at its
    /// pc; when two share a name, the one declared last. `None` for a missing thread or frame.
    pub fn debug_locals(&self, thread: u32, depth: usize) -> Option<Vec<Variable>> {
        let run = self.debugger.run.as_ref()?;
        let program = self.program.as_ref()?;
        let info = self.debug_frames(thread)?.into_iter().nth(depth)?;
        let state = thread_state(&self.thread, &run.sched, thread)?;
        let frames = state.frames.len();
        let frame = state.frames.get(frames.checked_sub(depth + 1)?)?;
        let function = program.module.functions.get(frame.func as usize)?;
        let mut live: Vec<&crate::bytecode::LocalVar> = function
            .debug
            .locals
            .iter()
            .filter(|local| local.start_pc <= info.pc && info.pc < local.end_pc)
            .collect();
        live.sort_by_key(|local| local.start_pc);
        let mut out: Vec<Variable> = Vec::new();
        for local in live {
            let Some(&ty) = function.registers.get(usize::from(local.register)) else {
                continue;
            };
            let bits = state
                .regs
                .get(frame.base + usize::from(local.register))
                .copied()
                .unwrap_or(0);
            let variable = Variable {
                name: local.name.clone(),
                value: Value { ty, bits },
                place: Place::Register {
                    thread,
                    depth,
                    register: local.register,
                },
            };
            match out.iter_mut().find(|known| known.name == local.name) {
                Some(known) => *known = variable,
                None => out.push(variable),
            }
        }
        Some(out)
    }

    /// The globals, in declaration order, with their current values.
    pub fn debug_globals(&self) -> Vec<Variable> {
        let Some(program) = &self.program else {
            return Vec::new();
        };
        program
            .module
            .globals
            .iter()
            .enumerate()
            .map(|(index, global)| Variable {
                name: global.name.clone(),
                value: Value {
                    ty: global.ty,
                    bits: self.globals.get(index).copied().unwrap_or(0),
                },
                place: Place::Global(index as u32),
            })
            .collect()
    }

    /// Stores `bits` at `place` (the caller makes sure they fit the place's type).
    ///
    /// # Errors
    /// A message when the place does not exist.
    pub fn debug_write(&mut self, place: Place, bits: u64) -> Result<(), String> {
        let gone = |error: Trap| error.message;
        match place {
            Place::Register {
                thread,
                depth,
                register,
            } => {
                let run = self.debugger.run.as_mut().ok_or_else(no_run)?;
                let state = if thread == run.sched.current {
                    &mut self.thread
                } else {
                    &mut run
                        .sched
                        .slots
                        .get_mut(thread as usize)
                        .ok_or_else(|| format!("thread {thread} does not exist"))?
                        .state
                };
                let index = state
                    .frames
                    .len()
                    .checked_sub(depth + 1)
                    .ok_or_else(|| format!("frame {depth} does not exist"))?;
                let frame: Frame = state.frames[index];
                let slot = state
                    .regs
                    .get_mut(frame.base + usize::from(register))
                    .ok_or_else(|| format!("register {register} does not exist"))?;
                *slot = bits;
            }
            Place::Global(index) => {
                *self
                    .globals
                    .get_mut(index as usize)
                    .ok_or_else(|| format!("global {index} does not exist"))? = bits;
            }
            Place::Field { object, index } => {
                let fields: &mut [u64] = match self.heap.get(object).map_err(gone)? {
                    crate::memory::Object::Form(_) => {
                        &mut self.heap.form_mut(object).map_err(gone)?.fields
                    }
                    _ => &mut self.heap.pick_mut(object).map_err(gone)?.payload,
                };
                *fields
                    .get_mut(index)
                    .ok_or_else(|| format!("field {index} does not exist"))? = bits;
            }
            Place::Element { array, index } => {
                *self
                    .heap
                    .array_mut(array)
                    .map_err(gone)?
                    .items
                    .get_mut(index)
                    .ok_or_else(|| format!("element {index} does not exist"))? = bits;
            }
            Place::Entry { map, position } => {
                let (_, value) = self
                    .heap
                    .map_mut(map)
                    .map_err(gone)?
                    .entries
                    .get_index_mut(position)
                    .ok_or_else(|| format!("entry {position} does not exist"))?;
                *value = bits;
            }
        }
        Ok(())
    }

    /// A new string in the heap, to store with [`debug_write`](Vm::debug_write) before resuming
    /// (until stored somewhere, the collector may reclaim it at the next safe point).
    pub fn debug_alloc_string(&mut self, text: &str) -> u64 {
        self.heap.alloc_string(text.to_string())
    }

    /// The type id of `ty` in the loaded module, when the module uses that type.
    pub fn debug_type_id(&self, ty: &Type) -> Option<u32> {
        let module = &self.program.as_ref()?.module;
        module
            .types
            .iter()
            .position(|t| t == ty)
            .map(|id| id as u32)
    }
}

/// The register stack and frames of thread `thread`: the running one's are the VM's own.
fn thread_state<'a>(
    running: &'a ThreadState,
    sched: &'a Scheduler,
    thread: u32,
) -> Option<&'a ThreadState> {
    if thread == sched.current {
        Some(running)
    } else {
        sched.slots.get(thread as usize).map(|slot| &slot.state)
    }
}

/// The frames of thread `thread`, outermost first (none for an unknown thread).
fn thread_frames<'a>(running: &'a ThreadState, sched: &'a Scheduler, thread: u32) -> &'a [Frame] {
    thread_state(running, sched, thread).map_or(&[], |state| &state.frames)
}
