//! The dispatch loop.
//!
//! One Rust loop runs a whole VM thread: fetch `code[pc]` (a `Copy` [`Instr`]), `match`, repeat. The
//! current frame's registers are a `&mut [u64; REGISTER_WINDOW]`, so register operands index it without
//! bounds checks. A Vitte call pushes a [`Frame`], zeroes the callee's registers, copies the arguments
//! and continues in the same loop; a return pops it. Nothing recurses on the Rust stack, and the depth
//! limit turns runaway recursion into the runtime error `stack overflow`.
//!
//! Fuel (for `max_steps`) is only counted at backward jumps, calls, spawns and caught exceptions, and
//! a thread's slice ends only at those (see [`end_slice`]). The collector only runs at safe points:
//! right after an allocating instruction (or a native call) stored its result, when the heap asks
//! for it. Every "impossible" case (a stale reference, a missing function) becomes an internal
//! runtime error rather than a panic.
//!
//! Exceptions cost nothing until one is raised: a runtime error leaves the dispatch loop as a
//! [`Trap`], and only then [`unwind`] searches the handler tables (the current frame's at the
//! faulting pc, then each caller's at its call), drops the frames above the handler, stores the
//! message and re-enters the loop at the handler. Resource limits and internal errors are never
//! caught ([`Trap::is_catchable`]).
//!
//! The loop's speed moves with code layout, not only with the work each handler does: taking the
//! body of string concatenation out of the loop (into `Heap::concat`) made `bench/loop` a quarter
//! faster with the same instructions executed, and one more branch in a hot handler can cost more
//! than it looks. So any change to this file is checked twice: with `cargo xtask bench` (medians of
//! wall time, against Lua 5.4) and with instruction counts under `valgrind --tool=callgrind`, which
//! are repeatable on a busy machine. Rare and heavy work belongs in functions outside the loop.
//! Compiled code ([`crate::jit`]) is entered from three cold places: a call of a function that has
//! compiled code, a return into one, and the end of a fuel slice (where the JIT samples what is hot
//! and a running loop goes on in compiled code); the hot path only reads the code table at calls and
//! returns (an empty table when the JIT is off). When compiled code leaves, the loop goes on at the
//! innermost frame's saved pc, or raises the error a helper handed over.
//! Value rules are those of [`crate::semantics`]: the conversions call it; the arithmetic handlers
//! keep the rule inline (calling it cost `bench/loop` 6 % by layout, though it ran fewer
//! instructions) with its error texts, and a test checks that they agree.

use std::sync::atomic::Ordering;

use crate::bytecode::{Handler, Instr, ValueKind};
use crate::debug::ThreadEvent;
use crate::debug::hook::{Before, Hook};
use crate::debug::{CodeLocation, StopReason};
use crate::error::Trap;
use crate::jit::Jit;
use crate::jit::runtime::{self as compiled, Outcome};
use crate::memory::format::{self, StringStyle};
use crate::memory::heap::out_of_memory;
use crate::memory::map::KeyRef;
use crate::memory::{Heap, Object};
use crate::semantics::{arith, convert};
use crate::stack::{Frame, REGISTER_WINDOW, ThreadState, ensure_window, window};
use crate::syscall::{NativeContext, Syscalls};

use super::program::{FuncInfo, Program, SMALL_FRAME};
use super::sched::{QUANTUM, Scheduler, Status, Transfer};

/// The step budget of a run (`VmConfig::max_steps`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fuel {
    /// The configured limit, for the error message.
    pub(crate) limit: Option<u64>,
    /// Steps left.
    pub(crate) remaining: u64,
}

impl Fuel {
    pub(crate) fn new(limit: Option<u64>) -> Fuel {
        Fuel {
            limit,
            remaining: limit.unwrap_or(u64::MAX),
        }
    }
}

/// Everything a thread runs against.
pub(crate) struct Machine<'a> {
    pub(crate) program: &'a Program,
    pub(crate) heap: &'a mut Heap,
    pub(crate) globals: &'a mut [u64],
    pub(crate) sys: &'a mut Syscalls,
    pub(crate) max_depth: usize,
    pub(crate) fuel: &'a mut Fuel,
    pub(crate) sched: &'a mut Scheduler,
    /// The JIT, when compiled code may run (never under a debugger yet).
    pub(crate) jit: Option<&'a Jit<'a>>,
}

#[cold]
fn step_limit(limit: Option<u64>) -> Trap {
    Trap::resource_limit(format!(
        "step limit of {} exceeded",
        limit.unwrap_or(u64::MAX)
    ))
}

#[cold]
fn key_not_found(key: KeyRef<'_>) -> Trap {
    let mut message = String::from("key not found: ");
    format::write_key(&mut message, key);
    Trap::new(message)
}

#[cold]
fn missing(what: &str) -> Trap {
    Trap::internal(format_args!("{what} does not exist"))
}

/// The reference registers of each frame of one thread.
fn frame_roots<'p>(
    program: &'p Program,
    regs: &'p [u64],
    frames: &'p [Frame],
) -> impl Iterator<Item = u64> + 'p {
    frames.iter().flat_map(move |frame| {
        let refs: &[u16] = program
            .funcs
            .get(frame.func as usize)
            .map_or(&[], |info| &info.ref_regs);
        refs.iter()
            .filter_map(move |&register| regs.get(frame.base + usize::from(register)).copied())
    })
}

/// Runs every collector root through the heap: the reference registers of each live frame of every
/// thread (the running one's in `regs` and `frames`, the others' in the scheduler), values received
/// by a blocked thread and not yet stored, and the reference globals. Values in channels are
/// reached through the channels.
pub(crate) fn collect(
    heap: &mut Heap,
    program: &Program,
    regs: &[u64],
    frames: &[Frame],
    globals: &[u64],
    sched: &Scheduler,
) {
    let others = sched.slots.iter().flat_map(|slot| {
        let delivered = slot
            .delivery
            .filter(|&(_, _, is_ref)| is_ref)
            .map(|(_, value, _)| value);
        frame_roots(program, &slot.state.regs, &slot.state.frames).chain(delivered)
    });
    let global_roots = program
        .global_refs
        .iter()
        .filter_map(|&global| globals.get(global as usize).copied());
    heap.collect(
        frame_roots(program, regs, frames)
            .chain(others)
            .chain(global_roots),
    );
}

/// Why the running thread leaves the processor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Switch {
    /// Its slice of fuel is used up at a backward jump, a call or a spawn (see [`end_slice`]).
    Slice,
    /// Another thread gets the processor at the end of a slice: the counted step that ran out of
    /// fuel is taken again on resume (a backward jump, call or spawn runs again; a catch goes on
    /// at its handler).
    Preempt,
    /// It blocked, slept or yielded after its instruction.
    Block,
    /// It returned.
    Finished,
    /// A debugger stop (the reason is in the hook; none means "back to the plain loop"): the run
    /// leaves with every thread's state saved, the current one before the instruction at `pc`.
    Suspend,
    /// The run resumes after a pause made while every thread slept: the thread on the processor
    /// is asleep, its state saved as it was (see `Scheduler::parked`).
    Parked,
}

/// How the dispatch loop ended without an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RunEnd {
    /// The main thread's function returned this word.
    Returned(u64),
    /// A debugger stop; the hook says why.
    Suspended,
}

/// Runs function `entry` (no arguments) on `thread` to completion and returns its result word.
///
/// # Errors
/// The runtime error that ended the run. The thread's frames are then left as they were when it was
/// raised (each with the pc after its current instruction), for the caller to build the stack trace.
pub(crate) fn execute(
    machine: Machine<'_>,
    thread: &mut ThreadState,
    entry: u32,
) -> Result<u64, Trap> {
    enter(machine.program, thread, entry, machine.max_depth)?;
    match drive(machine, thread, None)? {
        RunEnd::Returned(value) => Ok(value),
        RunEnd::Suspended => Err(Trap::internal("a break instruction ran without a debugger")),
    }
}

/// Clears `thread` and pushes the frame of function `entry` (no arguments), ready to run from its
/// first instruction.
///
/// # Errors
/// `stack overflow` when the depth limit is 0, internal errors for a missing function.
pub(crate) fn enter(
    program: &Program,
    thread: &mut ThreadState,
    entry: u32,
    max_depth: usize,
) -> Result<(), Trap> {
    thread.frames.clear();
    if max_depth == 0 {
        return Err(Trap::stack_overflow());
    }
    let info = program
        .funcs
        .get(entry as usize)
        .ok_or_else(|| missing("entry function"))?;
    ensure_window(&mut thread.regs, 0)?;
    thread
        .regs
        .get_mut(..info.nregs)
        .ok_or_else(|| missing("entry frame"))?
        .fill(0);
    thread.frames.push(Frame {
        func: entry,
        pc: 0,
        base: 0,
        ret: 0,
    });
    Ok(())
}

/// Continues a debugged run: `thread` (the running thread, its innermost frame at the instruction
/// to run) goes on until the main thread's function returns or the debugger stops it; the stop's
/// reason is then in `hook`, and every thread's frames are saved. A runtime error held in the hook
/// (a stop before unwinding) is unwound first.
///
/// # Errors
/// The runtime error that ended the run, as [`execute`].
pub(crate) fn resume(
    machine: Machine<'_>,
    thread: &mut ThreadState,
    hook: &mut Hook,
) -> Result<RunEnd, Trap> {
    drive(machine, thread, Some(hook))
}

/// Runs `thread` from its innermost frame's pc, in the checking loop while the hook needs it.
fn drive(
    machine: Machine<'_>,
    thread: &mut ThreadState,
    mut hook: Option<&mut Hook>,
) -> Result<RunEnd, Trap> {
    let Machine {
        program,
        heap,
        globals,
        sys,
        max_depth,
        fuel,
        sched,
        jit,
    } = machine;
    // Compiled code does not run under a debugger yet.
    let jit = jit.filter(|_| hook.is_none());
    let ThreadState {
        regs: stack,
        frames,
    } = thread;
    let Some(&top) = frames.last() else {
        return Err(missing("frame"));
    };
    let info = program
        .funcs
        .get(top.func as usize)
        .ok_or_else(|| missing("function"))?;
    let pending = hook.as_mut().and_then(|hook| hook.pending.take());
    let mut pc = top.pc;
    let mut exec = Exec {
        program,
        heap,
        globals,
        sys,
        stack,
        frames,
        max_depth,
        fuel: fuel.remaining.min(QUANTUM),
        budget: fuel.remaining - fuel.remaining.min(QUANTUM),
        limit: fuel.limit,
        sched,
        switching: None,
        base: top.base,
        stack_len: 0,
        info,
        hook: hook.take(),
        rerun: false,
        jit,
    };
    exec.stack_len = exec.stack.len();
    let mut pending = pending;
    if pending.is_none() && exec.jit.is_some() && !exec.sched.parked {
        // Compiled code from the start (the entry function, or a resumed thread).
        match run_compiled(&mut exec, pc, false) {
            Ok(Compiled::Continue) => {
                pc = exec.frames.last().map_or(0, |frame| frame.pc);
            }
            Ok(Compiled::Raise(trap)) => {
                // Unwound below, as an error held for the debugger is.
                pc = exec
                    .frames
                    .last()
                    .map_or(0, |frame| frame.pc.saturating_sub(1));
                pending = Some(trap);
            }
            Ok(Compiled::Returned(value)) => {
                fuel.remaining = exec.budget + exec.fuel;
                return Ok(RunEnd::Returned(value));
            }
            Ok(Compiled::Finished) => match switch_thread(&mut exec, 0, Switch::Finished) {
                Ok(Some(next_pc)) => pc = next_pc,
                end => {
                    fuel.remaining = exec.budget + exec.fuel;
                    return end.map(|_| RunEnd::Suspended);
                }
            },
            Err(trap) => {
                fuel.remaining = exec.budget + exec.fuel;
                return Err(trap);
            }
        }
    }
    if let Some(trap) = pending {
        // A runtime error the debugger stopped at: the faulting instruction ran, unwinding starts
        // after it (and does not stop again), and a catch is a step as in the dispatch loop.
        let caught = unwind(&mut exec, pc + 1, trap)
            .and_then(|target| Ok((target, count_catch(&mut exec, target)?)));
        match caught {
            Ok((target, SliceEnd::Same)) => pc = target,
            Ok((_, SliceEnd::Switched(next_pc))) => pc = next_pc,
            Ok((_, SliceEnd::Paused)) => {
                fuel.remaining = exec.budget + exec.fuel;
                return Ok(RunEnd::Suspended);
            }
            Ok((_, SliceEnd::OutOfSteps(trap))) | Err(trap) => {
                fuel.remaining = exec.budget + exec.fuel;
                return Err(trap);
            }
        }
    }
    if exec.sched.parked {
        // Paused while every thread slept: wait for a sleeper again (or stop again).
        match switch_thread(&mut exec, pc, Switch::Parked) {
            Ok(Some(next_pc)) => pc = next_pc,
            end => {
                fuel.remaining = exec.budget + exec.fuel;
                return end.map(|_| RunEnd::Suspended);
            }
        }
    }
    let result = loop {
        let checking = exec.hook.as_ref().is_some_and(|hook| hook.needs_checking());
        let end = if checking {
            run::<true>(&mut exec, pc)
        } else {
            run::<false>(&mut exec, pc)
        };
        match (end, exec.hook.as_ref()) {
            // Back to the plain loop where the checking one left.
            (Ok(RunEnd::Suspended), Some(hook)) if hook.stop.is_none() => {
                pc = exec.frames.last().map_or(0, |frame| frame.pc);
                if let Some(&frame) = exec.frames.last() {
                    exec.base = frame.base;
                }
            }
            (end, _) => break end,
        }
    };
    fuel.remaining = exec.budget + exec.fuel;
    result
}

/// The state of a running thread that the dispatch loop touches only in some instructions (calls,
/// returns, allocation, fuel). Keeping it behind one pointer leaves the machine registers to the
/// values every instruction needs: the register window, the pc and the code.
struct Exec<'a> {
    program: &'a Program,
    heap: &'a mut Heap,
    globals: &'a mut [u64],
    sys: &'a mut Syscalls,
    stack: &'a mut Vec<u64>,
    frames: &'a mut Vec<Frame>,
    max_depth: usize,
    /// Steps left in the current slice (see [`refuel`]).
    fuel: u64,
    /// Steps left after the current slice.
    budget: u64,
    /// The threads.
    sched: &'a mut Scheduler,
    /// Set just before the dispatch loop is left to switch threads.
    switching: Option<Switch>,
    /// The step limit, for the error message.
    limit: Option<u64>,
    /// `stack.len()`, kept here because the register window borrows the stack.
    stack_len: usize,
    /// Where the current frame's registers start.
    base: usize,
    /// The running function.
    info: &'a FuncInfo,
    /// The debugger's state, during a debugged run.
    hook: Option<&'a mut Hook>,
    /// Set when the instruction at the pc is run again (a new fuel slice), so the checking loop
    /// does not count it twice.
    rerun: bool,
    /// The JIT, when compiled code may run (a call or return into a function whose
    /// `FuncInfo::jit_code` is set enters its compiled code).
    jit: Option<&'a Jit<'a>>,
}

/// The dispatch loop proper (see [`execute`]), starting at `start` in the current frame. `CHECKING` is the debugger's checking loop, which asks the hook before
/// every instruction; the plain loop never looks at the hook on its hot path.
#[inline(never)]
fn run<const CHECKING: bool>(ex: &mut Exec<'_>, start: usize) -> Result<RunEnd, Trap> {
    let mut code: &[Instr] = &ex.info.code;
    // The instruction to run next. It always points into `code` when an instruction is fetched:
    // it is set only by `code_at` (checked), by a verified jump target, by the start of a
    // verified function's code, or by stepping past an instruction that is not the last (the
    // verifier ends every function with a jump, return or throw).
    let mut ip: *const Instr = code_at(code, start)?;
    let mut regs = window(ex.stack, ex.base)?;

    // Each pass runs until a runtime error; a caught one resumes at its handler, so the dispatch
    // loop itself carries nothing for exceptions.
    loop {
        let trap: Trap = 'run: loop {
            /// Unwraps a `Result`, leaving the loop with its error.
            macro_rules! tri {
                ($result:expr) => {
                    match $result {
                        Ok(value) => value,
                        Err(trap) => break 'run trap,
                    }
                };
            }
            /// A register of the current frame.
            macro_rules! r {
                ($register:expr) => {
                    regs[usize::from($register)]
                };
            }
            /// Counts one step against `max_steps`.
            macro_rules! tick {
                () => {
                    if ex.fuel == 0 {
                        ex.switching = Some(Switch::Slice);
                        break 'run Trap::new(String::new());
                    }
                    ex.fuel -= 1;
                };
            }
            /// Leaves the processor after the current instruction.
            macro_rules! switch {
                ($reason:expr) => {{
                    ex.switching = Some($reason);
                    break 'run Trap::new(String::new());
                }};
            }
            /// Collects if the heap asks for it; only used after a result has been stored.
            macro_rules! safepoint {
                () => {
                    if ex.heap.should_collect() {
                        collect(
                            ex.heap, ex.program, ex.stack, ex.frames, ex.globals, ex.sched,
                        );
                        tri!(ex.heap.check_limit());
                        regs = tri!(window(ex.stack, ex.base));
                    }
                };
            }
            /// Runs the innermost frame's compiled code from `pc`, then goes on where it left.
            macro_rules! enter_compiled {
                ($pc:expr) => {{
                    match tri!(run_compiled(ex, $pc, false)) {
                        Compiled::Continue => {
                            code = &ex.info.code;
                            let pc = ex.frames.last().map_or(0, |frame| frame.pc);
                            ip = tri!(code_at(code, pc));
                            regs = tri!(window(ex.stack, ex.base));
                        }
                        Compiled::Raise(trap) => {
                            code = &ex.info.code;
                            let pc = ex.frames.last().map_or(0, |frame| frame.pc);
                            ip = tri!(code_at(code, pc.saturating_sub(1)));
                            // The error is raised by the instruction at `ip`, as if it had run.
                            ip = ip.wrapping_add(1);
                            break 'run trap;
                        }
                        Compiled::Returned(value) => return Ok(RunEnd::Returned(value)),
                        Compiled::Finished => switch!(Switch::Finished),
                    }
                }};
            }
            /// Takes a jump to `target`, counting a step when it goes backward.
            macro_rules! jump {
                ($target:expr) => {{
                    let target = $target as usize;
                    debug_assert!(target < code.len(), "unverified jump target");
                    // SAFETY: the verifier checked every jump target against the length of the
                    // function's code, and `code` is the running function's code.
                    let to = unsafe { code.as_ptr().add(target) };
                    if to < ip {
                        tick!();
                    }
                    ip = to;
                }};
            }

            // SAFETY: `ip` points into `code` (see its declaration).
            let fetched: &Instr = unsafe { &*ip };
            let checked: Instr;
            let instr: &Instr = if CHECKING && !std::mem::take(&mut ex.rerun) {
                match check(
                    ex.hook.as_deref_mut(),
                    ex.program,
                    ex.frames,
                    ex.sched,
                    pc_of(code, ip),
                    *fetched,
                ) {
                    Before::Run(instr) => {
                        checked = instr;
                        &checked
                    }
                    Before::Stop | Before::Leave => switch!(Switch::Suspend),
                }
            } else {
                fetched
            };
            // SAFETY: the fetched instruction is not the last of its function unless it jumps,
            // returns or throws, so `ip` stays inside `code` or is replaced before the next fetch.
            ip = unsafe { ip.add(1) };
            match *instr {
                // ---- moves, constants, globals ----
                Instr::Nop {} => {}
                Instr::Move { dst, src } => r!(dst) = r!(src),
                Instr::LoadInt { dst, value } => r!(dst) = i64::from(value) as u64,
                Instr::LoadConst { dst, index } => {
                    r!(dst) = *tri!(
                        ex.program
                            .constants
                            .get(index as usize)
                            .ok_or_else(|| missing("constant"))
                    );
                }
                Instr::LoadBool { dst, value } => r!(dst) = u64::from(value),
                Instr::LoadNull { dst } => r!(dst) = 0,
                Instr::GetGlobal { dst, global } => {
                    r!(dst) = *tri!(
                        ex.globals
                            .get(global as usize)
                            .ok_or_else(|| missing("global"))
                    );
                }
                Instr::SetGlobal { global, src } => {
                    *tri!(
                        ex.globals
                            .get_mut(global as usize)
                            .ok_or_else(|| missing("global"))
                    ) = r!(src);
                }

                // ---- int arithmetic ----
                Instr::AddI { dst, a, b } => r!(dst) = r!(a).wrapping_add(r!(b)),
                Instr::SubI { dst, a, b } => r!(dst) = r!(a).wrapping_sub(r!(b)),
                Instr::MulI { dst, a, b } => {
                    r!(dst) = (r!(a) as i64).wrapping_mul(r!(b) as i64) as u64
                }
                // Division and remainder keep their rule inline (the rule is `arith::div_int` and
                // `arith::rem_int`; `tests/tests/semantics.rs` checks these agree): calling them here
                // lowered the instruction count but made `bench/loop` 6 % slower by layout.
                Instr::DivI { dst, a, b } => {
                    let divisor = r!(b) as i64;
                    if divisor == 0 {
                        break 'run arith::division_by_zero();
                    }
                    r!(dst) = (r!(a) as i64).wrapping_div(divisor) as u64;
                }
                Instr::RemI { dst, a, b } => {
                    let divisor = r!(b) as i64;
                    if divisor == 0 {
                        break 'run arith::division_by_zero();
                    }
                    r!(dst) = (r!(a) as i64).wrapping_rem(divisor) as u64;
                }
                Instr::NegI { dst, src } => r!(dst) = (r!(src) as i64).wrapping_neg() as u64,
                Instr::AddIImm { dst, a, imm } => {
                    r!(dst) = (r!(a) as i64).wrapping_add(i64::from(imm)) as u64
                }
                Instr::MulIImm { dst, a, imm } => {
                    r!(dst) = (r!(a) as i64).wrapping_mul(i64::from(imm)) as u64
                }
                Instr::DivIImm { dst, a, imm } => {
                    if imm == 0 {
                        break 'run arith::division_by_zero();
                    }
                    r!(dst) = (r!(a) as i64).wrapping_div(i64::from(imm)) as u64;
                }
                Instr::RemIImm { dst, a, imm } => {
                    if imm == 0 {
                        break 'run arith::division_by_zero();
                    }
                    r!(dst) = (r!(a) as i64).wrapping_rem(i64::from(imm)) as u64;
                }

                // ---- float arithmetic ----
                Instr::AddF { dst, a, b } => r!(dst) = (f(r!(a)) + f(r!(b))).to_bits(),
                Instr::SubF { dst, a, b } => r!(dst) = (f(r!(a)) - f(r!(b))).to_bits(),
                Instr::MulF { dst, a, b } => r!(dst) = (f(r!(a)) * f(r!(b))).to_bits(),
                Instr::DivF { dst, a, b } => r!(dst) = (f(r!(a)) / f(r!(b))).to_bits(),
                Instr::RemF { dst, a, b } => r!(dst) = (f(r!(a)) % f(r!(b))).to_bits(),
                Instr::NegF { dst, src } => r!(dst) = (-f(r!(src))).to_bits(),

                // ---- comparisons ----
                Instr::EqI { dst, a, b } => r!(dst) = u64::from(r!(a) == r!(b)),
                Instr::NeI { dst, a, b } => r!(dst) = u64::from(r!(a) != r!(b)),
                Instr::LtI { dst, a, b } => r!(dst) = u64::from((r!(a) as i64) < (r!(b) as i64)),
                Instr::LeI { dst, a, b } => r!(dst) = u64::from((r!(a) as i64) <= (r!(b) as i64)),
                Instr::EqF { dst, a, b } => r!(dst) = u64::from(f(r!(a)) == f(r!(b))),
                Instr::NeF { dst, a, b } => r!(dst) = u64::from(f(r!(a)) != f(r!(b))),
                Instr::LtF { dst, a, b } => r!(dst) = u64::from(f(r!(a)) < f(r!(b))),
                Instr::LeF { dst, a, b } => r!(dst) = u64::from(f(r!(a)) <= f(r!(b))),
                Instr::EqB { dst, a, b } => r!(dst) = u64::from((r!(a) != 0) == (r!(b) != 0)),
                Instr::NeB { dst, a, b } => r!(dst) = u64::from((r!(a) != 0) != (r!(b) != 0)),
                Instr::EqS { dst, a, b } => {
                    r!(dst) = u64::from(tri!(strings_equal(ex.heap, r!(a), r!(b))))
                }
                Instr::NeS { dst, a, b } => {
                    r!(dst) = u64::from(!tri!(strings_equal(ex.heap, r!(a), r!(b))))
                }
                Instr::LtS { dst, a, b } => {
                    r!(dst) = u64::from(tri!(ex.heap.str(r!(a))) < tri!(ex.heap.str(r!(b))));
                }
                Instr::LeS { dst, a, b } => {
                    r!(dst) = u64::from(tri!(ex.heap.str(r!(a))) <= tri!(ex.heap.str(r!(b))));
                }
                Instr::EqRef { dst, a, b } => r!(dst) = u64::from(r!(a) == r!(b)),
                Instr::NeRef { dst, a, b } => r!(dst) = u64::from(r!(a) != r!(b)),
                Instr::Not { dst, src } => r!(dst) = u64::from(r!(src) == 0),

                // ---- control flow ----
                Instr::Jump { target } => jump!(target),
                Instr::JumpIf { cond, target } => {
                    if r!(cond) != 0 {
                        jump!(target);
                    }
                }
                Instr::JumpIfNot { cond, target } => {
                    if r!(cond) == 0 {
                        jump!(target);
                    }
                }
                Instr::JumpIfNotLtI { a, b, target } => {
                    if (r!(a) as i64) >= (r!(b) as i64) {
                        jump!(target);
                    }
                }
                Instr::JumpIfNotLeI { a, b, target } => {
                    if (r!(a) as i64) > (r!(b) as i64) {
                        jump!(target);
                    }
                }
                Instr::JumpIfNotEqI { a, b, target } => {
                    if r!(a) != r!(b) {
                        jump!(target);
                    }
                }
                Instr::JumpIfNotNeI { a, b, target } => {
                    if r!(a) == r!(b) {
                        jump!(target);
                    }
                }
                Instr::JumpIfNotEqIImm { a, imm, target } => {
                    if r!(a) as i64 != i64::from(imm) {
                        jump!(target);
                    }
                }
                Instr::JumpIfNotNeIImm { a, imm, target } => {
                    if r!(a) as i64 == i64::from(imm) {
                        jump!(target);
                    }
                }
                Instr::JumpIfNotLtIImm { a, imm, target } => {
                    if r!(a) as i64 >= i64::from(imm) {
                        jump!(target);
                    }
                }
                Instr::JumpIfNotLeIImm { a, imm, target } => {
                    if r!(a) as i64 > i64::from(imm) {
                        jump!(target);
                    }
                }
                Instr::JumpIfNotGtIImm { a, imm, target } => {
                    if r!(a) as i64 <= i64::from(imm) {
                        jump!(target);
                    }
                }
                Instr::JumpIfNotGeIImm { a, imm, target } => {
                    if (r!(a) as i64) < i64::from(imm) {
                        jump!(target);
                    }
                }
                Instr::ForNext {
                    counter,
                    end,
                    target,
                } => {
                    let next = (r!(counter) as i64).wrapping_add(1);
                    if next < r!(end) as i64 {
                        // Counted as a backward jump, before the counter changes, so that a new
                        // fuel slice runs this instruction again from the same state.
                        jump!(target);
                    }
                    r!(counter) = next as u64;
                }
                Instr::Call { func, args, dst } => {
                    tick!();
                    let Some(callee) = ex.program.funcs.get(func as usize) else {
                        break 'run missing("function");
                    };
                    if ex.frames.len() >= ex.max_depth {
                        break 'run Trap::stack_overflow();
                    }
                    let nregs = ex.info.nregs;
                    let first = usize::from(args);
                    let params = callee.params;
                    if first + params > nregs {
                        break 'run Trap::internal(
                            "call arguments lie outside the caller's registers",
                        );
                    }
                    let new_base = ex.base + nregs;
                    if let Some(top) = ex.frames.last_mut() {
                        top.pc = pc_of(code, ip);
                    }
                    ex.frames.push(Frame {
                        func,
                        pc: 0,
                        base: new_base,
                        ret: dst,
                    });
                    if ex.stack_len < new_base + REGISTER_WINDOW {
                        tri!(ensure_window(ex.stack, new_base));
                        ex.stack_len = ex.stack.len();
                        regs = tri!(window(ex.stack, ex.base));
                    }
                    // The callee's registers follow the caller's. For small frames they lie inside the
                    // caller's window: clear a fixed-size block (past the callee's registers nothing
                    // lives), then copy the arguments.
                    match regs.get_mut(nregs..nregs + SMALL_FRAME) {
                        Some(block) if callee.small_frame => {
                            block.fill(0);
                            for index in 0..params {
                                regs[nregs + index] = regs[first + index];
                            }
                        }
                        _ => {
                            let Some((caller_regs, callee_regs)) =
                                ex.stack.split_at_mut_checked(new_base)
                            else {
                                break 'run Trap::internal("register stack too small");
                            };
                            let (Some(arguments), Some(callee_regs)) = (
                                caller_regs.get(ex.base + first..ex.base + first + params),
                                callee_regs.get_mut(..callee.nregs),
                            ) else {
                                break 'run Trap::internal("register stack too small");
                            };
                            let (param_regs, other_regs) = callee_regs.split_at_mut(params);
                            param_regs.copy_from_slice(arguments);
                            other_regs.fill(0);
                        }
                    }
                    ex.info = callee;
                    ex.base = new_base;
                    code = &callee.code;
                    ip = tri!(code_at(code, 0));
                    regs = tri!(window(ex.stack, new_base));
                    if callee.jit_code.load(Ordering::Relaxed) != 0 {
                        enter_compiled!(0);
                    }
                }
                Instr::CallNative { native, args, dst } => {
                    let Some(bound) = ex.program.natives.get(native as usize) else {
                        break 'run missing("native");
                    };
                    let first = usize::from(args);
                    let Some(arguments) = regs.get(first..first + bound.params) else {
                        break 'run Trap::internal("native arguments lie outside the frame");
                    };
                    let mut context = NativeContext {
                        heap: &mut *ex.heap,
                        sys: &mut *ex.sys,
                        ret: &bound.ret,
                    };
                    let value = tri!((bound.function)(&mut context, arguments));
                    if bound.returns_value {
                        r!(dst) = value;
                    }
                    safepoint!();
                }
                Instr::Ret { src } => {
                    let value = r!(src);
                    let returns_value = ex.info.returns_value;
                    let Some(done) = ex.frames.pop() else {
                        break 'run missing("frame");
                    };
                    let Some(&caller) = ex.frames.last() else {
                        if ex.sched.current == 0 {
                            return Ok(RunEnd::Returned(value));
                        }
                        switch!(Switch::Finished);
                    };
                    let Some(caller_info) = ex.program.funcs.get(caller.func as usize) else {
                        break 'run missing("function");
                    };
                    ex.info = caller_info;
                    code = &caller_info.code;
                    ip = tri!(code_at(code, caller.pc));
                    ex.base = caller.base;
                    regs = tri!(window(ex.stack, ex.base));
                    if returns_value {
                        r!(done.ret) = value;
                    }
                    if caller_info.jit_code.load(Ordering::Relaxed) != 0 {
                        enter_compiled!(caller.pc);
                    }
                }
                Instr::RetVoid {} => {
                    if ex.frames.pop().is_none() {
                        break 'run missing("frame");
                    }
                    let Some(&caller) = ex.frames.last() else {
                        if ex.sched.current == 0 {
                            return Ok(RunEnd::Returned(0));
                        }
                        switch!(Switch::Finished);
                    };
                    let Some(caller_info) = ex.program.funcs.get(caller.func as usize) else {
                        break 'run missing("function");
                    };
                    ex.info = caller_info;
                    code = &caller_info.code;
                    ip = tri!(code_at(code, caller.pc));
                    ex.base = caller.base;
                    regs = tri!(window(ex.stack, ex.base));
                    if caller_info.jit_code.load(Ordering::Relaxed) != 0 {
                        enter_compiled!(caller.pc);
                    }
                }
                Instr::Throw { message } => {
                    break 'run Trap::new(tri!(ex.heap.str(r!(message))));
                }

                // ---- conversions ----
                Instr::IntToFloat { dst, src } => r!(dst) = ((r!(src) as i64) as f64).to_bits(),
                Instr::FloatToInt { dst, src } => {
                    r!(dst) = tri!(convert::float_to_int(f(r!(src)))) as u64
                }
                Instr::ParseInt { dst, src } => {
                    r!(dst) = tri!(convert::parse_int(tri!(ex.heap.str(r!(src))))) as u64
                }
                Instr::ParseFloat { dst, src } => {
                    r!(dst) = tri!(convert::parse_float(tri!(ex.heap.str(r!(src))))).to_bits();
                }
                Instr::IntToStr { dst, src } => {
                    r!(dst) = ex.heap.alloc_str(convert::int_to_str(r!(src) as i64));
                    safepoint!();
                }
                Instr::FloatToStr { dst, src } => {
                    r!(dst) = ex.heap.alloc_string(convert::float_to_str(f(r!(src))));
                    safepoint!();
                }
                Instr::BoolToStr { dst, src } => {
                    r!(dst) = if r!(src) != 0 {
                        ex.program.true_str
                    } else {
                        ex.program.false_str
                    };
                }
                Instr::RefToStr { dst, src } => {
                    let value = r!(src);
                    r!(dst) = if value == 0 {
                        ex.program.null_str
                    } else if let Object::Str(_) | Object::Builder(_) = tri!(ex.heap.get(value)) {
                        value
                    } else {
                        let text =
                            format::format_value(ex.heap, ValueKind::Ref, value, StringStyle::Raw);
                        tri!(ex.heap.check_alloc(text.len()));
                        ex.heap.alloc_string(text)
                    };
                    safepoint!();
                }

                // ---- strings ----
                Instr::Concat { dst, a, b } => {
                    r!(dst) = tri!(ex.heap.concat(r!(a), r!(b)));
                    safepoint!();
                }
                Instr::ConcatAppend { dst, src } => {
                    r!(dst) = tri!(ex.heap.append_string(r!(dst), r!(src)));
                    safepoint!();
                }
                Instr::StrLen { dst, src } => r!(dst) = tri!(ex.heap.str(r!(src))).len() as u64,

                // ---- arrays ----
                Instr::NewArray { dst, first, count } => {
                    let element = tri!(ex.program.register_type(ex.info, dst)).element;
                    let first = usize::from(first);
                    let Some(items) = regs.get(first..first + usize::from(count)) else {
                        break 'run Trap::internal("array elements lie outside the frame");
                    };
                    let items = items.to_vec();
                    r!(dst) = ex.heap.alloc_array(element, items);
                    safepoint!();
                }
                Instr::ArrayFill { dst, count, value } => {
                    let element = tri!(ex.program.register_type(ex.info, dst)).element;
                    let count = r!(count) as i64;
                    let Ok(length) = usize::try_from(count) else {
                        break 'run Trap::invalid_argument(format_args!("fill count {count}"));
                    };
                    tri!(ex.heap.check_alloc(length.saturating_mul(8)));
                    let mut items = Vec::new();
                    if items.try_reserve_exact(length).is_err() {
                        break 'run out_of_memory(length.saturating_mul(8));
                    }
                    items.resize(length, r!(value));
                    r!(dst) = ex.heap.alloc_array(element, items);
                    safepoint!();
                }
                Instr::ArrayGet { dst, array, index } => {
                    let array = tri!(ex.heap.array(r!(array)));
                    let index = r!(index) as i64;
                    match usize::try_from(index)
                        .ok()
                        .and_then(|index| array.items.get(index))
                    {
                        Some(&value) => r!(dst) = value,
                        None => break 'run Trap::index_out_of_bounds(index, array.items.len()),
                    }
                }
                Instr::ArraySet { array, index, src } => {
                    let value = r!(src);
                    let array = tri!(ex.heap.array_mut(r!(array)));
                    let index = r!(index) as i64;
                    let length = array.items.len();
                    match usize::try_from(index)
                        .ok()
                        .and_then(|index| array.items.get_mut(index))
                    {
                        Some(slot) => *slot = value,
                        None => break 'run Trap::index_out_of_bounds(index, length),
                    }
                }
                Instr::ArrayLen { dst, array } => {
                    r!(dst) = tri!(ex.heap.array(r!(array))).items.len() as u64
                }
                Instr::ArrayPush { array, src } => {
                    tri!(ex.heap.array_push(r!(array), r!(src)));
                    safepoint!();
                }
                Instr::ArrayPop { dst, array } => {
                    match tri!(ex.heap.array_mut(r!(array))).items.pop() {
                        Some(value) => r!(dst) = value,
                        None => break 'run Trap::index_out_of_bounds(-1, 0),
                    }
                }

                // ---- maps ----
                Instr::NewMap { dst } => {
                    let ty = tri!(ex.program.register_type(ex.info, dst));
                    let Some(key) = ty.key else {
                        break 'run Trap::internal("map.new destination is not a map");
                    };
                    r!(dst) = ex.heap.alloc_map(key, ty.value);
                    safepoint!();
                }
                Instr::MapGet { dst, map, key } => {
                    let map = tri!(ex.heap.map(r!(map)));
                    let key = tri!(ex.heap.key_ref(map.key, r!(key)));
                    match map.entries.get(&key) {
                        Some(&value) => r!(dst) = value,
                        None => break 'run key_not_found(key),
                    }
                }
                Instr::MapSet { map, key, src } => {
                    tri!(ex.heap.map_set(r!(map), r!(key), r!(src)));
                    safepoint!();
                }
                Instr::MapGetOr {
                    dst,
                    map,
                    key,
                    default,
                } => {
                    let map = tri!(ex.heap.map(r!(map)));
                    let key = tri!(ex.heap.key_ref(map.key, r!(key)));
                    r!(dst) = map.entries.get(&key).copied().unwrap_or(r!(default));
                }
                Instr::MapContains { dst, map, key } => {
                    let map = tri!(ex.heap.map(r!(map)));
                    let key = tri!(ex.heap.key_ref(map.key, r!(key)));
                    r!(dst) = u64::from(map.entries.contains_key(&key));
                }
                Instr::MapRemove { dst, map, key } => {
                    let handle = r!(map);
                    let object = tri!(ex.heap.map(handle));
                    let key = tri!(ex.heap.key_ref(object.key, r!(key)));
                    let found = object.entries.get_index_of(&key);
                    if let Some(index) = found {
                        tri!(ex.heap.map_mut(handle))
                            .entries
                            .shift_remove_index(index);
                    }
                    r!(dst) = u64::from(found.is_some());
                }
                Instr::MapLen { dst, map } => {
                    r!(dst) = tri!(ex.heap.map(r!(map))).entries.len() as u64
                }
                Instr::MapKeys { dst, map } => {
                    r!(dst) = tri!(ex.heap.map_keys(r!(map)));
                    safepoint!();
                }

                // ---- forms and picks ----
                Instr::NewForm { dst, first } => {
                    let form = tri!(ex.program.register_type(ex.info, dst)).form;
                    let Some(layout) = form.and_then(|form| ex.heap.layouts().form(form)) else {
                        break 'run Trap::internal("form.new destination is not a form");
                    };
                    let first = usize::from(first);
                    let Some(fields) = regs.get(first..first + layout.fields.len()) else {
                        break 'run Trap::internal("form fields lie outside the frame");
                    };
                    r!(dst) = ex.heap.alloc_form(form.unwrap_or_default(), fields);
                    safepoint!();
                }
                Instr::GetField { dst, object, field } => {
                    let form = tri!(ex.heap.form(r!(object)));
                    r!(dst) = *tri!(
                        form.fields
                            .get(usize::from(field))
                            .ok_or_else(|| missing("field"))
                    );
                }
                Instr::SetField { object, field, src } => {
                    let value = r!(src);
                    let form = tri!(ex.heap.form_mut(r!(object)));
                    *tri!(
                        form.fields
                            .get_mut(usize::from(field))
                            .ok_or_else(|| missing("field"))
                    ) = value;
                }
                Instr::NewPick { dst, case, first } => {
                    let pick = tri!(ex.program.register_type(ex.info, dst)).pick;
                    let Some(layout) =
                        pick.and_then(|pick| ex.heap.layouts().case(pick, u32::from(case)))
                    else {
                        break 'run Trap::internal(
                            "pick.new destination is not a pick with that case",
                        );
                    };
                    let first = usize::from(first);
                    let Some(payload) = regs.get(first..first + layout.fields.len()) else {
                        break 'run Trap::internal("pick payload lies outside the frame");
                    };
                    r!(dst) =
                        ex.heap
                            .alloc_pick(pick.unwrap_or_default(), u32::from(case), payload);
                    safepoint!();
                }
                Instr::PickTag { dst, pick } => {
                    r!(dst) = u64::from(tri!(ex.heap.pick(r!(pick))).case)
                }
                Instr::PickField {
                    dst,
                    pick,
                    case,
                    field,
                } => {
                    let pick = tri!(ex.heap.pick(r!(pick)));
                    // Compiled code reads a payload only where the case is known; the verifier
                    // knows only the pick type, so hand-made bytecode is checked here.
                    if pick.case != u32::from(case) {
                        break 'run Trap::invalid_bytecode("pick.field on a value of another case");
                    }
                    r!(dst) = *tri!(
                        pick.payload
                            .get(usize::from(field))
                            .ok_or_else(|| missing("payload field"))
                    );
                }

                // ---- threads ----
                Instr::Spawn { func, args, dst } => {
                    // A step: otherwise a chain of threads that each spawn the next would take
                    // none. It comes from the budget beyond the slice while there is one, so slices
                    // end where they would without it and threads interleave the same; in the last
                    // slice it is a step like any other, and the step limit trips.
                    if ex.budget > 0 {
                        ex.budget -= 1;
                    } else {
                        tick!();
                    }
                    let arguments = regs.get(usize::from(args)..).unwrap_or_default();
                    r!(dst) = tri!(spawn_thread(ex.program, ex.heap, ex.sched, func, arguments));
                    if ex.hook.is_some() {
                        let id = ex.sched.slots.len().saturating_sub(1) as u32;
                        thread_event(ex.hook.as_deref_mut(), ThreadEvent::Started(id));
                    }
                    safepoint!();
                }
                Instr::Join { thread } => {
                    let id = tri!(ex.heap.thread(r!(thread)));
                    if tri!(ex.sched.join(id)) {
                        switch!(Switch::Block);
                    }
                }
                Instr::ChanNew { dst, cap } => {
                    let element = tri!(ex.program.register_type(ex.info, dst)).element;
                    let cap = r!(cap) as i64;
                    let Ok(cap) = usize::try_from(cap) else {
                        break 'run Trap::invalid_argument(format_args!("channel capacity {cap}"));
                    };
                    r!(dst) = ex.heap.alloc_chan(element, cap);
                    safepoint!();
                }
                Instr::Send { chan, src } => {
                    match tri!(ex.sched.send(ex.heap, r!(chan), r!(src))) {
                        Transfer::Done(_) => {}
                        Transfer::Blocked => switch!(Switch::Block),
                    }
                }
                Instr::Recv { dst, chan } => match tri!(ex.sched.recv(ex.heap, r!(chan), dst)) {
                    Transfer::Done(value) => r!(dst) = value,
                    Transfer::Blocked => switch!(Switch::Block),
                },
                Instr::Yield {} => {
                    if !ex.sched.is_single() {
                        ex.sched.requeue_current();
                        switch!(Switch::Block);
                    }
                }
                Instr::Sleep { ms } => {
                    tri!(ex.sched.sleep(ex.sys, r!(ms) as i64));
                    switch!(Switch::Block);
                }
                Instr::ThreadId { dst } => r!(dst) = u64::from(ex.sched.current),
                Instr::Break {} => {
                    let pc = pc_of(code, ip) - 1;
                    ip = tri!(code_at(code, pc));
                    if let Some(hook) = ex.hook.as_deref_mut() {
                        let func = ex.frames.last().map_or(0, |frame| frame.func);
                        let here = CodeLocation {
                            func,
                            pc: pc as u32,
                        };
                        hook.stop = Some((ex.sched.current, StopReason::Breakpoint(here)));
                    }
                    switch!(Switch::Suspend);
                }
            }
        };
        /// Goes on at `pc` of the current frame (after a catch or a thread switch, `ex` describes
        /// the frame the dispatch loop runs next).
        macro_rules! resume_at {
            ($pc:expr) => {{
                code = &ex.info.code;
                ip = code_at(code, $pc)?;
                regs = window(ex.stack, ex.base)?;
            }};
        }
        let pc = pc_of(code, ip);
        let (pc, trap) = match ex.switching.take() {
            None => (pc, trap),
            Some(Switch::Suspend) => {
                if let Some(top) = ex.frames.last_mut() {
                    top.pc = pc;
                }
                return Ok(RunEnd::Suspended);
            }
            // The backward jump, call or spawn that ran out of fuel runs again in the next slice.
            Some(Switch::Slice) => match end_slice(ex, pc - 1)? {
                SliceEnd::Same if ex.jit.is_some() => {
                    // Where time goes: maybe compile, and go on in compiled code from here.
                    match run_compiled(ex, pc - 1, true)? {
                        Compiled::Continue => {
                            let pc = ex.frames.last().map_or(0, |frame| frame.pc);
                            resume_at!(pc);
                            continue;
                        }
                        Compiled::Raise(trap) => {
                            // Unwound below, as any error; the handler is resumed there.
                            (ex.frames.last().map_or(0, |frame| frame.pc), trap)
                        }
                        Compiled::Returned(value) => return Ok(RunEnd::Returned(value)),
                        Compiled::Finished => {
                            let Some(next_pc) = switch_thread(ex, 0, Switch::Finished)? else {
                                return Ok(RunEnd::Suspended);
                            };
                            resume_at!(next_pc);
                            continue;
                        }
                    }
                }
                SliceEnd::Same => {
                    resume_at!(pc - 1);
                    ex.rerun = true;
                    continue;
                }
                SliceEnd::Switched(next_pc) => {
                    resume_at!(next_pc);
                    continue;
                }
                SliceEnd::Paused => return Ok(RunEnd::Suspended),
                SliceEnd::OutOfSteps(limit) => (pc, limit),
            },
            Some(reason) => {
                let Some(next_pc) = switch_thread(ex, pc, reason)? else {
                    return Ok(RunEnd::Suspended);
                };
                resume_at!(next_pc);
                continue;
            }
        };
        // The error raised before `pc`; the step limit may follow a catch, raised at its handler.
        let mut raised = (pc, trap);
        loop {
            let (pc, trap) = raised;
            let watched = ex
                .hook
                .as_ref()
                .is_some_and(|hook| hook.exceptions.all || hook.exceptions.uncaught);
            if watched {
                let caught = trap.is_catchable() && find_handler(ex, pc).is_some();
                let Some(hook) = ex.hook.as_deref_mut() else {
                    return Err(missing("debugger"));
                };
                if (hook.exceptions.all && trap.is_catchable())
                    || (!caught && hook.exceptions.uncaught)
                {
                    hook.stop = Some((
                        ex.sched.current,
                        StopReason::Exception {
                            message: trap.message.clone(),
                            uncaught: !caught,
                        },
                    ));
                    hook.pending = Some(trap);
                    // Shown at the faulting instruction; unwinding resumes after it.
                    if let Some(top) = ex.frames.last_mut() {
                        top.pc = pc.saturating_sub(1);
                    }
                    return Ok(RunEnd::Suspended);
                }
            }
            let target = unwind(ex, pc, trap)?;
            match count_catch(ex, target)? {
                SliceEnd::Same => resume_at!(target),
                SliceEnd::Switched(next_pc) => resume_at!(next_pc),
                SliceEnd::Paused => return Ok(RunEnd::Suspended),
                SliceEnd::OutOfSteps(limit) => {
                    raised = (target + 1, limit);
                    continue;
                }
            }
            break;
        }
    }
}

/// Where the interpreter goes on after compiled code ran.
#[derive(Debug)]
enum Compiled {
    /// At the innermost frame's pc (`ex` describes that frame).
    Continue,
    /// Raising this error, by the instruction before the innermost frame's pc.
    Raise(Trap),
    /// The main thread's function returned this word.
    Returned(u64),
    /// The running thread's function returned (its frames are gone).
    Finished,
}

/// Runs the innermost frame's compiled code, if its function has some, from `pc` (the frame's pc
/// to go on at); `in_loop` when entered into a running loop at the end of a fuel slice, which also
/// samples where time goes (see [`crate::jit`]). Each compiled function that returns into a
/// compiled caller goes on in the caller's compiled code; the interpreter goes on at the innermost
/// frame when compiled code exits or a caller has none.
///
/// # Errors
/// An internal error (a missing frame or function).
#[cold]
#[inline(never)]
fn run_compiled(ex: &mut Exec<'_>, mut pc: usize, mut in_loop: bool) -> Result<Compiled, Trap> {
    let Some(jit) = ex.jit else {
        return Ok(Compiled::Continue);
    };
    loop {
        let Some(top) = ex.frames.last_mut() else {
            return Err(missing("frame"));
        };
        top.pc = pc;
        let top = *top;
        let info = ex
            .program
            .funcs
            .get(top.func as usize)
            .ok_or_else(|| missing("function"))?;
        ex.info = info;
        ex.base = top.base;
        if in_loop && let Some(instr) = info.code.get(pc) {
            jit.sample(ex.program, top.func, instr);
        }
        let Some(code) = jit.code(top.func) else {
            return Ok(Compiled::Continue);
        };
        jit.count_entry(in_loop);
        let thread = compiled::Thread {
            program: ex.program,
            stack: ex.stack,
            frames: ex.frames,
            globals: ex.globals,
            max_depth: ex.max_depth,
            fuel: &mut ex.fuel,
            heap: ex.heap,
            sys: ex.sys,
            sched: ex.sched,
        };
        let outcome = compiled::run(jit, thread, code, pc);
        ex.stack_len = ex.stack.len();
        match outcome {
            Outcome::NotEntered | Outcome::Exited | Outcome::Raised(_) => {
                describe_top_frame(ex)?;
                return Ok(match outcome {
                    Outcome::Raised(trap) => Compiled::Raise(trap),
                    _ => Compiled::Continue,
                });
            }
            Outcome::Returned(value) => {
                // As the interpreter's `ret`.
                ex.frames.pop();
                let Some(&caller) = ex.frames.last() else {
                    return Ok(if ex.sched.current == 0 {
                        Compiled::Returned(value)
                    } else {
                        Compiled::Finished
                    });
                };
                if info.returns_value {
                    *ex.stack
                        .get_mut(caller.base + usize::from(top.ret))
                        .ok_or_else(|| missing("register"))? = value;
                }
                pc = caller.pc;
                in_loop = false;
            }
        }
    }
}

/// A pointer to instruction `pc` of `code`, checked: where the dispatch loop resumes from a pc
/// saved in a frame, a handler table or the scheduler.
///
/// # Errors
/// An internal error when `pc` lies outside the code.
#[inline]
fn code_at(code: &[Instr], pc: usize) -> Result<*const Instr, Trap> {
    code.get(pc)
        .map(std::ptr::from_ref)
        .ok_or_else(|| Trap::internal("execution ran off the end of the function"))
}

/// The pc `ip` points at in `code`: the index of the instruction `ip` runs next.
#[inline]
fn pc_of(code: &[Instr], ip: *const Instr) -> usize {
    // Address arithmetic only (no dereference): `ip` points into `code` or one past it.
    (ip as usize - code.as_ptr() as usize) / std::mem::size_of::<Instr>()
}

/// `spawn`: a new thread running function `func` with its parameters copied from the start of
/// `arguments`; returns its `Thread` handle.
#[inline(never)]
fn spawn_thread(
    program: &Program,
    heap: &mut Heap,
    sched: &mut Scheduler,
    func: u32,
    arguments: &[u64],
) -> Result<u64, Trap> {
    let callee = program
        .funcs
        .get(func as usize)
        .ok_or_else(|| missing("function"))?;
    let arguments = arguments
        .get(..callee.params)
        .ok_or_else(|| Trap::internal("spawn arguments lie outside the frame"))?;
    let id = sched.spawn(heap, func, arguments)?;
    Ok(heap.alloc_thread(id))
}

/// How the running thread goes on after a counted step (see [`end_slice`]).
#[derive(Debug)]
enum SliceEnd {
    /// It keeps the processor, with a new slice when the old one was used up.
    Same,
    /// Another thread has the processor (`ex` describes it) and goes on at this pc.
    Switched(usize),
    /// A debugger's pause stopped the run; every thread's state is saved.
    Paused,
    /// The step limit: raised like any runtime error, and never caught.
    OutOfSteps(Trap),
}

/// The running thread's slice of fuel is used up at a counted step (a backward jump, a call, a
/// catch); it goes on at `resume` in its current frame. This is where every slice ends: a
/// debugger's pause request is served (the thread stopped before `resume`), the step limit
/// trips when the whole budget is used up, and otherwise a new slice starts, on which another
/// runnable thread may take the processor.
///
/// # Errors
/// An internal error of the scheduler.
#[cold]
#[inline(never)]
fn end_slice(ex: &mut Exec<'_>, resume: usize) -> Result<SliceEnd, Trap> {
    if let Some(hook) = ex.hook.as_deref_mut()
        && hook.pause.is_requested()
    {
        hook.pause.clear();
        hook.stop = Some((ex.sched.current, StopReason::Pause));
        if let Some(top) = ex.frames.last_mut() {
            top.pc = resume;
        }
        ex.fuel = 0;
        return Ok(SliceEnd::Paused);
    }
    let held = ex
        .hook
        .as_ref()
        .is_some_and(|hook| hook.holds_thread(ex.sched.current));
    match refuel(
        &mut ex.fuel,
        &mut ex.budget,
        ex.limit,
        held,
        ex.sched,
        ex.sys,
    ) {
        Ok(false) => Ok(SliceEnd::Same),
        Ok(true) => Ok(match switch_thread(ex, resume, Switch::Preempt)? {
            Some(next_pc) => SliceEnd::Switched(next_pc),
            None => SliceEnd::Paused,
        }),
        Err(limit) => Ok(SliceEnd::OutOfSteps(limit)),
    }
}

/// Counts the step of a caught exception whose handler, at `target` in the current frame, runs
/// next. Catching is a step like a backward jump: a handler inside the code it covers catches its
/// own `throw` again and again, and without a step the run would escape the step limit, the
/// preemption of threads and the debugger's pause. When the slice is used up, it ends as at a
/// backward jump ([`end_slice`]) and the catch's step comes out of the new one.
///
/// # Errors
/// An internal error of the scheduler.
#[inline]
fn count_catch(ex: &mut Exec<'_>, target: usize) -> Result<SliceEnd, Trap> {
    if ex.fuel > 0 {
        ex.fuel -= 1;
        return Ok(SliceEnd::Same);
    }
    let end = end_slice(ex, target)?;
    if let SliceEnd::Same | SliceEnd::Switched(_) = end {
        // A new slice started, and it is never empty.
        ex.fuel = ex.fuel.saturating_sub(1);
    }
    Ok(end)
}

/// The current slice of fuel is used up: fails with the step limit when the whole budget is, else
/// starts a new slice and tells whether the running thread should let another one run (then it
/// is queued again). A `held` thread (the debugger keeps it on the processor) never lets go.
#[cold]
#[inline(never)]
fn refuel(
    fuel: &mut u64,
    budget: &mut u64,
    limit: Option<u64>,
    held: bool,
    sched: &mut Scheduler,
    sys: &mut Syscalls,
) -> Result<bool, Trap> {
    if *budget == 0 {
        return Err(step_limit(limit));
    }
    let slice = (*budget).min(QUANTUM);
    *budget -= slice;
    *fuel = slice;
    if held || sched.is_single() {
        return Ok(false);
    }
    let others = sched.others_runnable(sys)?;
    if others {
        sched.requeue_current();
    }
    Ok(others)
}

/// Takes the running thread off the processor, to go on at `pc` of its current frame when it gets
/// it back (unless it finished), and puts the next one on; returns the pc to continue at.
///
/// Under a debugger, a pause requested while every thread sleeps ends the wait for a sleeper:
/// the one that wakes first goes on the processor still asleep (`Scheduler::parked`), the hook
/// records a pause stop on it, and the result is `None` (leave the loop suspended).
///
/// # Errors
/// `deadlock: all threads are blocked` when no thread can run (with the main thread's frames in
/// place for the trace), or an internal error.
#[cold]
#[inline(never)]
fn switch_thread(ex: &mut Exec<'_>, pc: usize, reason: Switch) -> Result<Option<usize>, Trap> {
    let current = ex.sched.current;
    match reason {
        Switch::Preempt | Switch::Block => {
            let Some(top) = ex.frames.last_mut() else {
                return Err(missing("frame"));
            };
            top.pc = pc;
        }
        Switch::Finished => {
            ex.sched.finish_current()?;
            thread_event(ex.hook.as_deref_mut(), ThreadEvent::Exited(current));
        }
        Switch::Parked => ex.sched.parked = false,
        Switch::Slice | Switch::Suspend => {
            return Err(Trap::internal("a slice switch reached the scheduler"));
        }
    }
    let pause = ex.hook.as_deref().map(|hook| hook.pause.clone());
    let (next, paused) = match ex.sched.next(ex.sys, pause.as_ref()) {
        Ok(Some(next)) => (next, false),
        Ok(None) => (ex.sched.first_sleeper().unwrap_or(current), true),
        Err(trap) => {
            // The trace shows where the main thread waits.
            if current != 0 {
                swap_state(ex, current)?;
                swap_state(ex, 0)?;
                ex.sched.current = 0;
            }
            return Err(trap);
        }
    };
    if next != current {
        swap_state(ex, current)?;
        if reason == Switch::Finished {
            ex.sched.reclaim(ex.heap, current);
        }
        swap_state(ex, next)?;
        ex.sched.current = next;
    }
    let top = describe_top_frame(ex)?;
    ex.stack_len = ex.stack.len();
    if paused {
        ex.sched.parked = true;
        if let Some(hook) = ex.hook.as_deref_mut() {
            hook.pause.clear();
            hook.stop = Some((next, StopReason::Pause));
        }
        return Ok(None);
    }
    let Some(slot) = ex.sched.slots.get_mut(next as usize) else {
        return Err(missing("thread"));
    };
    slot.status = Status::Runnable;
    let delivery = slot.delivery.take();
    if let Some((register, value, _)) = delivery {
        *ex.stack
            .get_mut(top.base + usize::from(register))
            .ok_or_else(|| missing("register"))? = value;
    }
    Ok(Some(top.pc))
}

/// Points `ex` (the running function, its registers' base) at the innermost frame, after the
/// frames changed under it (a thread switch, compiled code); returns that frame.
fn describe_top_frame(ex: &mut Exec<'_>) -> Result<Frame, Trap> {
    let Some(&top) = ex.frames.last() else {
        return Err(missing("frame"));
    };
    ex.info = ex
        .program
        .funcs
        .get(top.func as usize)
        .ok_or_else(|| missing("function"))?;
    ex.base = top.base;
    Ok(top)
}

/// Exchanges the running registers and frames with the ones kept in thread `id`'s slot.
fn swap_state(ex: &mut Exec<'_>, id: u32) -> Result<(), Trap> {
    let Some(slot) = ex.sched.slots.get_mut(id as usize) else {
        return Err(missing("thread"));
    };
    std::mem::swap(ex.stack, &mut slot.state.regs);
    std::mem::swap(ex.frames, &mut slot.state.frames);
    Ok(())
}

/// Looks for a handler of `trap`, raised by the instruction before `pc` in the current frame: first
/// among the current function's handlers, then at the call site of each caller, innermost first.
///
/// When one is found, the frames above the handler's are dropped (so the collector no longer sees
/// their registers), the message is stored as a new string into the handler's register, and the
/// handler's pc is returned; `ex` then describes the handler's frame. Otherwise, and for traps that
/// are not catchable (resource limits, internal errors), the trap comes back with the frames as
/// they were (the current one at `pc`) for the stack trace.
#[cold]
#[inline(never)]
fn unwind(ex: &mut Exec<'_>, pc: usize, trap: Trap) -> Result<usize, Trap> {
    let uncaught = |ex: &mut Exec<'_>, trap: Trap| {
        if let Some(top) = ex.frames.last_mut() {
            top.pc = pc;
        }
        Err(trap)
    };
    if !trap.is_catchable() {
        return uncaught(ex, trap);
    }
    let Some((depth, info, handler)) = find_handler(ex, pc) else {
        return uncaught(ex, trap);
    };
    ex.frames.truncate(depth + 1);
    let Some(frame) = ex.frames.last_mut() else {
        return Err(missing("frame"));
    };
    // Should storing the message fail (a heap limit), the trace points at the handler.
    frame.pc = handler.target_pc as usize + 1;
    ex.base = frame.base;
    ex.info = info;
    let message = ex.heap.alloc_string(trap.message);
    let slot = ex.base + usize::from(handler.message_register);
    *ex.stack
        .get_mut(slot)
        .ok_or_else(|| missing("handler message register"))? = message;
    if ex.heap.should_collect() {
        collect(
            ex.heap, ex.program, ex.stack, ex.frames, ex.globals, ex.sched,
        );
        ex.heap.check_limit()?;
    }
    Ok(handler.target_pc as usize)
}

/// The handler that catches an error raised by the instruction before `pc` in the current frame:
/// the frame it belongs to (as an index into the frames), its function and the handler.
fn find_handler<'p>(ex: &Exec<'p>, pc: usize) -> Option<(usize, &'p FuncInfo, Handler)> {
    let top = ex.frames.len();
    let program = ex.program;
    ex.frames
        .iter()
        .enumerate()
        .rev()
        .find_map(|(depth, frame)| {
            // Every frame's pc is the one after its running instruction (the call, for callers).
            let after = if depth + 1 == top { pc } else { frame.pc };
            let fault = u32::try_from(after.checked_sub(1)?).ok()?;
            let info = program.funcs.get(frame.func as usize)?;
            let handler = info.handlers.iter().find(|handler| handler.covers(fault))?;
            Some((depth, info, *handler))
        })
}

/// Asks the hook about the instruction at `pc` of the running thread (the checking loop).
#[inline(never)]
fn check(
    hook: Option<&mut Hook>,
    program: &Program,
    frames: &[Frame],
    sched: &Scheduler,
    pc: usize,
    fetched: Instr,
) -> Before {
    let Some(hook) = hook else {
        return Before::Run(fetched);
    };
    let func = frames.last().map_or(0, |frame| frame.func);
    hook.before(
        &program.module,
        sched.current,
        frames.len(),
        func,
        pc as u32,
        fetched,
    )
}

/// Tells the debugger (if any) that a thread came or went.
#[cold]
fn thread_event(hook: Option<&mut Hook>, event: ThreadEvent) {
    if let Some(hook) = hook {
        hook.thread_event(event);
    }
}

/// A float register's value.
#[inline(always)]
fn f(bits: u64) -> f64 {
    f64::from_bits(bits)
}

/// `eq.s`: contents equal; two nulls are equal, null and a string are not.
#[inline]
fn strings_equal(heap: &Heap, a: u64, b: u64) -> Result<bool, Trap> {
    if a == b {
        return Ok(true);
    }
    if a == 0 || b == 0 {
        return Ok(false);
    }
    Ok(heap.str(a)? == heap.str(b)?)
}
