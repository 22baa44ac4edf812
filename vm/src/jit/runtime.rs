//! The boundary between compiled code and the VM: the context compiled code reads and writes, the
//! runtime helpers it calls, and the one place where a code address becomes a function to call.
//!
//! This is the only module of the JIT with `unsafe` code (see `docs/safety.md`). Compiled code gets
//! a pointer to a [`JitContext`] that lives on the Rust stack of [`run`] for the whole call; its
//! raw pointers come from the `&mut` borrows [`run`] holds, and nothing else touches those values
//! until compiled code has returned. Helpers never unwind into compiled code: they report failure
//! with their return value.

#![allow(unsafe_code)]

use std::mem::offset_of;

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

use crate::core::interp::collect;
use crate::core::program::Program;
use crate::core::sched::Scheduler;
use crate::error::Trap;
use crate::memory::Heap;
use crate::stack::{Frame, REGISTER_WINDOW, ensure_window};
use crate::syscall::{NativeContext, Syscalls};

use super::translate::{STATUS_EXITED, STATUS_NO_ENTRY, STATUS_RETURNED};
use super::{ExitCounts, Jit};

/// How many compiled calls may nest on the native stack before a call leaves for the interpreter
/// (which then starts the callee's compiled code afresh): keeps deep Vitte recursion off the
/// native stack.
pub(crate) const MAX_NATIVE_DEPTH: u64 = 256;

/// What compiled code sees of the running thread. The fields up to `native_depth` are read and
/// written by compiled code at the offsets [`offset`] gives; the others are for the helpers.
#[repr(C)]
pub(crate) struct JitContext {
    /// The register stack's first slot (moves when the stack grows).
    stack: *mut u64,
    /// Steps left in the current fuel slice.
    fuel: u64,
    /// The value the last compiled `ret` returned.
    ret: u64,
    /// The globals.
    globals: *mut u64,
    /// Compiled calls nested on the native stack.
    native_depth: u64,
    /// The frame stack's first frame (moves when it grows).
    frames_pointer: *mut Frame,
    /// The frames on it: compiled code pushes and pops frames itself, so this, not the vector's
    /// length, is the truth while compiled code runs (see [`with_frames`]).
    frames_length: usize,
    /// How many frames compiled code may have on it before a call goes through `call_enter`: the
    /// vector's capacity, or the depth limit when that is lower.
    frames_room: usize,
    /// The highest base at which the register stack holds a whole register window.
    stack_limit: usize,
    globals_len: usize,
    stack_vec: *mut Vec<u64>,
    frames: *mut Vec<Frame>,
    program: *const Program,
    max_depth: usize,
    exits: *const ExitCounts,
    heap: *mut Heap,
    sys: *mut Syscalls,
    sched: *const Scheduler,
    /// A runtime error a helper raised after the instruction had effects (a native's): the
    /// interpreter raises it at that instruction instead of running it again.
    raised: Option<Trap>,
    /// A panic of a native, carried across compiled code and resumed when it has returned.
    panic: Option<Box<dyn Any + Send>>,
}

/// The context fields compiled code uses.
#[derive(Clone, Copy, Debug)]
pub(crate) enum ContextField {
    Stack,
    Fuel,
    Ret,
    Globals,
    NativeDepth,
    FramesPointer,
    FramesLength,
    FramesRoom,
    StackLimit,
}

/// The byte offset of a context field.
pub(crate) fn offset(field: ContextField) -> i32 {
    let offset = match field {
        ContextField::Stack => offset_of!(JitContext, stack),
        ContextField::Fuel => offset_of!(JitContext, fuel),
        ContextField::Ret => offset_of!(JitContext, ret),
        ContextField::Globals => offset_of!(JitContext, globals),
        ContextField::NativeDepth => offset_of!(JitContext, native_depth),
        ContextField::FramesPointer => offset_of!(JitContext, frames_pointer),
        ContextField::FramesLength => offset_of!(JitContext, frames_length),
        ContextField::FramesRoom => offset_of!(JitContext, frames_room),
        ContextField::StackLimit => offset_of!(JitContext, stack_limit),
    };
    // A handful of words.
    offset as i32
}

/// The runtime helpers compiled code calls.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Helper {
    /// `exit_at(ctx, pc)`: saves `pc` as the running frame's pc (compiled code then stores its
    /// registers and returns "exited").
    ExitAt,
    /// `call_enter(ctx, func, base, dst, resume) -> refused`: pushes a call's frame when compiled
    /// code cannot (the frame stack or the register stack must grow, the callee is not compiled).
    CallEnter,
    /// `float_remainder(a, b) -> a % b`.
    FloatRemainder,
    /// `array_get(ctx, array, index) -> failed`, the element in `ret`.
    ArrayGet,
    /// `array_set(ctx, array, index, value) -> failed`.
    ArraySet,
    /// `array_len(ctx, array) -> failed`, the length in `ret`.
    ArrayLen,
    /// `field_get(ctx, form, field) -> failed`, the value in `ret`.
    FieldGet,
    /// `field_set(ctx, form, field, value) -> failed`.
    FieldSet,
    /// `call_native(ctx, native, first argument, destination, pc) -> raised`.
    CallNative,
}

impl Helper {
    /// The helper's address, which compiled code calls.
    pub(crate) fn address(self) -> usize {
        match self {
            Helper::ExitAt => exit_at as extern "C" fn(*mut JitContext, u64) as usize,
            Helper::CallEnter => {
                call_enter as extern "C" fn(*mut JitContext, u64, u64, u64, u64) -> u64 as usize
            }
            Helper::FloatRemainder => float_remainder as extern "C" fn(f64, f64) -> f64 as usize,
            Helper::ArrayGet => {
                array_get as extern "C" fn(*mut JitContext, u64, u64) -> u64 as usize
            }
            Helper::ArraySet => {
                array_set as extern "C" fn(*mut JitContext, u64, u64, u64) -> u64 as usize
            }
            Helper::ArrayLen => array_len as extern "C" fn(*mut JitContext, u64) -> u64 as usize,
            Helper::FieldGet => {
                field_get as extern "C" fn(*mut JitContext, u64, u64) -> u64 as usize
            }
            Helper::FieldSet => {
                field_set as extern "C" fn(*mut JitContext, u64, u64, u64) -> u64 as usize
            }
            Helper::CallNative => {
                call_native as extern "C" fn(*mut JitContext, u64, u64, u64, u64) -> u64 as usize
            }
        }
    }
}

/// Saves the pc the running (innermost) frame goes on at in the interpreter, and counts the exit.
extern "C" fn exit_at(ctx: *mut JitContext, pc: u64) {
    // SAFETY: compiled code passes the context pointer it was called with, which `run` keeps valid
    // (and otherwise untouched) while compiled code runs.
    let ctx = unsafe { &mut *ctx };
    let Some(top) = with_frames(ctx, |frames| {
        let top = frames.last_mut()?;
        top.pc = pc as usize;
        Some(*top)
    }) else {
        return;
    };
    // SAFETY: `program` and `exits` come from shared borrows `run` holds for the call.
    let (program, exits) = unsafe { (&*ctx.program, &*ctx.exits) };
    if let Some(instr) = program
        .funcs
        .get(top.func as usize)
        .and_then(|info| info.code.get(top.pc))
    {
        exits.count(instr.mnemonic());
    }
}

/// Runs `work` on the frame stack: its length is first set to the one compiled code keeps, and
/// the context then learns where the frames are, how many there are and how much room is left.
fn with_frames<R>(ctx: &mut JitContext, work: impl FnOnce(&mut Vec<Frame>) -> R) -> R {
    // SAFETY: `frames` comes from the `&mut Vec<Frame>` `run` holds for the call. Compiled code
    // only pushes a frame below `frames_room` (at most the capacity) after writing all its fields,
    // so the first `frames_length` frames are initialized.
    let frames = unsafe {
        let frames = &mut *ctx.frames;
        frames.set_len(ctx.frames_length);
        frames
    };
    let result = work(frames);
    sync_frames(ctx, frames);
    result
}

/// Tells compiled code (through the context) where the frame stack is and how much room it has.
fn sync_frames(ctx: &mut JitContext, frames: &mut Vec<Frame>) {
    ctx.frames_pointer = frames.as_mut_ptr();
    ctx.frames_length = frames.len();
    ctx.frames_room = frames.capacity().min(ctx.max_depth);
}

/// Tells compiled code where the register stack is and how far a window fits.
fn sync_stack(ctx: &mut JitContext, stack: &mut Vec<u64>) {
    ctx.stack = stack.as_mut_ptr();
    ctx.stack_limit = stack.len().saturating_sub(REGISTER_WINDOW);
}

/// Pushes the frame of a call of `func` whose registers start at `base`, after saving `resume` as
/// the caller's pc: the callee's registers are cleared and the register stack keeps a whole window
/// past `base`, as the interpreter's `call` does; the frame stack gets room for more frames.
/// Returns 1 (and changes nothing) when the depth limit or a malformed call refuses it; the
/// interpreter then runs the call and raises the error.
extern "C" fn call_enter(ctx: *mut JitContext, func: u64, base: u64, dst: u64, resume: u64) -> u64 {
    // SAFETY: see `exit_at`.
    let ctx = unsafe { &mut *ctx };
    guarded(ctx, 1, |ctx| push_call(ctx, func, base, dst, resume))
}

/// Runs a helper's work; a panic is kept in the context (and resumed once compiled code has
/// returned) instead of unwinding into compiled code, and the helper returns `refused`.
fn guarded(ctx: &mut JitContext, refused: u64, work: impl FnOnce(&mut JitContext) -> u64) -> u64 {
    let ctx_pointer = std::ptr::from_mut(ctx);
    // SAFETY: `ctx_pointer` is the live context; `work` has the only use of it until it returns.
    match catch_unwind(AssertUnwindSafe(|| work(unsafe { &mut *ctx_pointer }))) {
        Ok(status) => status,
        Err(panic) => {
            ctx.panic = Some(panic);
            refused
        }
    }
}

/// The body of `call_enter`.
fn push_call(ctx: &mut JitContext, func: u64, base: u64, dst: u64, resume: u64) -> u64 {
    // SAFETY: `stack_vec` and `program` come from the borrows `run` holds.
    let (stack, program) = unsafe { (&mut *ctx.stack_vec, &*ctx.program) };
    let max_depth = ctx.max_depth;
    if ctx.frames_length >= max_depth {
        return 1;
    }
    let (Some(callee), Ok(func), Ok(base), Ok(dst)) = (
        program.funcs.get(func as usize),
        u32::try_from(func),
        usize::try_from(base),
        u16::try_from(dst),
    ) else {
        return 1;
    };
    if ensure_window(stack, base).is_err() {
        return 1;
    }
    sync_stack(ctx, stack);
    let Some(registers) = stack.get_mut(base..base + callee.nregs) else {
        return 1;
    };
    registers.fill(0);
    with_frames(ctx, |frames| {
        if let Some(caller) = frames.last_mut() {
            caller.pc = resume as usize;
        }
        frames.push(Frame {
            func,
            pc: 0,
            base,
            ret: dst,
        });
        // Room for the calls that follow, up to the depth limit.
        let wanted = frames.len().saturating_mul(2).max(64).min(max_depth);
        frames.reserve(wanted.saturating_sub(frames.len()));
        0
    })
}

/// `rem.f`: the remainder with the sign of `a`, as C's `fmod`.
extern "C" fn float_remainder(a: f64, b: f64) -> f64 {
    a % b
}

/// The heap, for the helpers that read or write objects.
///
/// # Safety
/// `ctx` is the context compiled code was called with (see `exit_at`).
unsafe fn heap<'c>(ctx: *mut JitContext) -> (&'c mut JitContext, &'c mut Heap) {
    // SAFETY: the caller passes the live context; `heap` comes from the `&mut Heap` `run` holds.
    unsafe {
        let ctx = &mut *ctx;
        let heap = &mut *ctx.heap;
        (ctx, heap)
    }
}

/// `array.get`: 1 when the interpreter must raise the error (null, index out of bounds).
extern "C" fn array_get(ctx: *mut JitContext, array: u64, index: u64) -> u64 {
    // SAFETY: compiled code passes its context.
    let (ctx, heap) = unsafe { heap(ctx) };
    let element = heap.array(array).ok().and_then(|array| {
        array
            .items
            .get(usize::try_from(index as i64).ok()?)
            .copied()
    });
    match element {
        Some(value) => {
            ctx.ret = value;
            0
        }
        None => 1,
    }
}

/// `array.set`: 1 when the interpreter must raise the error.
extern "C" fn array_set(ctx: *mut JitContext, array: u64, index: u64, value: u64) -> u64 {
    // SAFETY: compiled code passes its context.
    let (_, heap) = unsafe { heap(ctx) };
    let slot = heap
        .array_mut(array)
        .ok()
        .and_then(|array| array.items.get_mut(usize::try_from(index as i64).ok()?));
    match slot {
        Some(slot) => {
            *slot = value;
            0
        }
        None => 1,
    }
}

/// `array.len`: 1 on null.
extern "C" fn array_len(ctx: *mut JitContext, array: u64) -> u64 {
    // SAFETY: compiled code passes its context.
    let (ctx, heap) = unsafe { heap(ctx) };
    match heap.array(array) {
        Ok(array) => {
            ctx.ret = array.items.len() as u64;
            0
        }
        Err(_) => 1,
    }
}

/// `form.get`: 1 on null (or a missing field, which the interpreter reports).
extern "C" fn field_get(ctx: *mut JitContext, object: u64, field: u64) -> u64 {
    // SAFETY: compiled code passes its context.
    let (ctx, heap) = unsafe { heap(ctx) };
    let value = heap
        .form(object)
        .ok()
        .and_then(|form| form.fields.get(field as usize).copied());
    match value {
        Some(value) => {
            ctx.ret = value;
            0
        }
        None => 1,
    }
}

/// `form.set`: 1 on null (or a missing field).
extern "C" fn field_set(ctx: *mut JitContext, object: u64, field: u64, value: u64) -> u64 {
    // SAFETY: compiled code passes its context.
    let (_, heap) = unsafe { heap(ctx) };
    match heap
        .form_mut(object)
        .ok()
        .and_then(|form| form.fields.get_mut(field as usize))
    {
        Some(slot) => {
            *slot = value;
            0
        }
        None => 1,
    }
}

/// `call.native` of the running frame at `pc`, its arguments from register stack slot `first`
/// on, its result stored to slot `dst` (compiled code stored every register first and reloads
/// the result): as the interpreter's, with the collection that may follow. Returns 1 when it
/// raised a runtime error (kept in the context, the frame's pc after the instruction).
extern "C" fn call_native(ctx: *mut JitContext, native: u64, first: u64, dst: u64, pc: u64) -> u64 {
    // SAFETY: compiled code passes the context it was called with, which `run` keeps valid.
    let ctx = unsafe { &mut *ctx };
    // SAFETY: each pointer comes from a distinct borrow `run` holds for the call (the globals with
    // their length), none of them points into the context, and nothing else uses those values
    // while compiled code runs.
    let (program, stack, heap, sys, sched, globals) = unsafe {
        (
            &*ctx.program,
            &mut *ctx.stack_vec,
            &mut *ctx.heap,
            &mut *ctx.sys,
            &*ctx.sched,
            std::slice::from_raw_parts_mut(ctx.globals, ctx.globals_len),
        )
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<(), Trap> {
        let bound = program
            .natives
            .get(native as usize)
            .ok_or_else(|| Trap::internal("native does not exist"))?;
        let first = first as usize;
        let arguments = stack
            .get(first..first + bound.params)
            .ok_or_else(|| Trap::internal("native arguments lie outside the frame"))?;
        let mut context = NativeContext {
            heap: &mut *heap,
            sys: &mut *sys,
            ret: &bound.ret,
        };
        let value = (bound.function)(&mut context, arguments)?;
        if bound.returns_value {
            *stack
                .get_mut(dst as usize)
                .ok_or_else(|| Trap::internal("register out of range"))? = value;
        }
        if heap.should_collect() {
            with_frames(ctx, |frames| {
                collect(heap, program, stack, frames, globals, sched)
            });
            heap.check_limit()?;
        }
        Ok(())
    }));
    let trap = match outcome {
        Ok(Ok(())) => return 0,
        Ok(Err(trap)) => trap,
        Err(panic) => {
            ctx.panic = Some(panic);
            Trap::internal("a native panicked")
        }
    };
    with_frames(ctx, |frames| {
        if let Some(top) = frames.last_mut() {
            top.pc = pc as usize + 1;
        }
    });
    ctx.raised = Some(trap);
    1
}

/// How compiled code ended.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// The frame it was called for returned this word (its frame is still on the frame stack).
    Returned(u64),
    /// It left for the interpreter: every frame it ran is saved, the innermost at the pc to go on.
    Exited,
    /// The pc is not an entry of the compiled code; nothing ran.
    NotEntered,
    /// An instruction raised this runtime error after it had effects: the frames are saved, the
    /// innermost at the pc after that instruction, and the interpreter raises it there.
    Raised(Trap),
}

/// What compiled code runs against: the running thread and its program.
pub(crate) struct Thread<'a> {
    pub(crate) program: &'a Program,
    pub(crate) stack: &'a mut Vec<u64>,
    pub(crate) frames: &'a mut Vec<Frame>,
    pub(crate) globals: &'a mut [u64],
    pub(crate) max_depth: usize,
    pub(crate) fuel: &'a mut u64,
    pub(crate) heap: &'a mut Heap,
    pub(crate) sys: &'a mut Syscalls,
    pub(crate) sched: &'a Scheduler,
}

/// Runs the compiled code of the innermost frame's function from `pc` (an entry).
pub(crate) fn run(jit: &Jit, thread: Thread<'_>, code: *const u8, pc: usize) -> Outcome {
    let Some(&top) = thread.frames.last() else {
        return Outcome::NotEntered;
    };
    // Room for compiled calls, so that most of them push their frame themselves.
    thread.frames.reserve(64);
    let frames_pointer = thread.frames.as_mut_ptr();
    let frames_length = thread.frames.len();
    let frames_room = thread.frames.capacity().min(thread.max_depth);
    let stack_limit = thread.stack.len().saturating_sub(REGISTER_WINDOW);
    let mut context = JitContext {
        stack: thread.stack.as_mut_ptr(),
        fuel: *thread.fuel,
        ret: 0,
        globals: thread.globals.as_mut_ptr(),
        globals_len: thread.globals.len(),
        native_depth: 0,
        frames_pointer,
        frames_length,
        frames_room,
        stack_limit,
        stack_vec: std::ptr::from_mut(thread.stack),
        frames: std::ptr::from_mut(thread.frames),
        program: thread.program,
        max_depth: thread.max_depth,
        exits: &jit.exits,
        heap: thread.heap,
        sys: thread.sys,
        sched: thread.sched,
        raised: None,
        panic: None,
    };
    // SAFETY: `code` is the address of a function the JIT compiled with `compiled_signature` for
    // the innermost frame's function from verified bytecode, and the JIT's memory lives as long as
    // `jit`. Its context points at values borrowed for this call; compiled code keeps to the frame's
    // register window (the stack always extends a whole window past the frame's base) and to the
    // globals the translator checked.
    let status = unsafe {
        let function: extern "C" fn(*mut JitContext, u64, u64) -> u64 = std::mem::transmute(code);
        function(&mut context, top.base as u64, pc as u64)
    };
    *thread.fuel = context.fuel;
    with_frames(&mut context, |_| ());
    if let Some(panic) = context.panic.take() {
        resume_unwind(panic);
    }
    if let Some(trap) = context.raised.take() {
        return Outcome::Raised(trap);
    }
    match status as i64 {
        STATUS_RETURNED => Outcome::Returned(context.ret),
        STATUS_EXITED => Outcome::Exited,
        STATUS_NO_ENTRY => Outcome::NotEntered,
        _ => Outcome::Exited,
    }
}

/// Releases the memory of compiled code.
#[cfg(feature = "jit")]
pub(crate) fn free(module: cranelift_jit::JITModule) {
    // SAFETY: the JIT is dropped with the VM's program; compiled code only runs inside `run`, which
    // borrows the JIT, so none of it is running or will run again.
    unsafe { module.free_memory() };
}
