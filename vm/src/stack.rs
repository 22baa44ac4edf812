//! The state of one VM thread: its register stack and its frame stack.
//!
//! Registers of all live frames sit in one `Vec<u64>`; a frame's registers are the window starting at
//! its `base`, and a callee's window starts right after its caller's registers. The vector always
//! extends at least [`REGISTER_WINDOW`] slots past the current frame's base, so the interpreter can
//! view the current frame as a `&mut [u64; REGISTER_WINDOW]`: any `u16` register number indexes it
//! without a bounds check. Threads are independent values, so several can exist side by side.

use crate::error::Trap;

/// The number of registers a `u16` register number can address; also the maximum frame size.
pub const REGISTER_WINDOW: usize = 1 << 16;

/// The bytes of the register stack [`ThreadState::new`] reserves: one window.
pub(crate) const NEW_THREAD_REGISTER_BYTES: usize = REGISTER_WINDOW * std::mem::size_of::<u64>();

/// One activation of a Vitte function. Its layout is C's, because compiled code pushes frames.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct Frame {
    /// Index of the running function in the module.
    pub func: u32,
    /// The next instruction to run in this frame (for a caller, the one after its `call`).
    pub pc: usize,
    /// Index of the frame's register 0 in the thread's register stack.
    pub base: usize,
    /// The caller's register that receives this frame's result.
    pub ret: u16,
}

/// A VM thread: registers and frames.
#[derive(Clone, Debug)]
pub struct ThreadState {
    pub(crate) regs: Vec<u64>,
    pub(crate) frames: Vec<Frame>,
}

impl Default for ThreadState {
    fn default() -> ThreadState {
        ThreadState::new()
    }
}

impl ThreadState {
    /// A thread with no frames, its register stack one window of [`REGISTER_WINDOW`] registers.
    pub fn new() -> ThreadState {
        ThreadState {
            regs: vec![0; REGISTER_WINDOW],
            frames: Vec::new(),
        }
    }

    /// A thread with no frames and no register stack (a placeholder; it cannot run).
    pub fn empty() -> ThreadState {
        ThreadState {
            regs: Vec::new(),
            frames: Vec::new(),
        }
    }

    /// The live frames, outermost first.
    pub fn frames(&self) -> &[Frame] {
        &self.frames
    }

    /// The first `count` registers of `frame`.
    pub fn registers(&self, frame: &Frame, count: usize) -> Option<&[u64]> {
        self.regs.get(frame.base..frame.base.checked_add(count)?)
    }

    /// Drops every frame (after a run, or an error).
    pub(crate) fn clear(&mut self) {
        self.frames.clear();
    }
}

/// Grows `regs` so that a window of [`REGISTER_WINDOW`] slots starts at `base`.
///
/// # Errors
/// An internal error when `base` is absurdly large.
#[inline]
pub(crate) fn ensure_window(regs: &mut Vec<u64>, base: usize) -> Result<(), Trap> {
    let needed = base
        .checked_add(REGISTER_WINDOW)
        .ok_or_else(|| Trap::internal("register stack overflow"))?;
    if regs.len() < needed {
        regs.resize(needed, 0);
    }
    Ok(())
}

/// The window of registers starting at `base`.
///
/// # Errors
/// An internal error when the stack was not grown with [`ensure_window`].
#[inline]
pub(crate) fn window(regs: &mut [u64], base: usize) -> Result<&mut [u64; REGISTER_WINDOW], Trap> {
    base.checked_add(REGISTER_WINDOW)
        .and_then(|end| regs.get_mut(base..end))
        .and_then(|slice| slice.try_into().ok())
        .ok_or_else(|| Trap::internal("register window out of range"))
}
