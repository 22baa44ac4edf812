//! The thread scheduler: green threads on one OS thread, switched deterministically.
//!
//! The running thread's registers and frames are the ones the dispatch loop works on; every other
//! thread's [`ThreadState`] waits in its slot here. Switching threads swaps those two `Vec`s, nothing
//! is copied. Threads run in round-robin order from one run queue; a thread leaves the processor
//! when it blocks (`join`, `send` on a full channel, `recv` on an empty one), yields, sleeps,
//! finishes, or when its slice of [`QUANTUM`] fuel units (backward jumps, calls and caught
//! exceptions; a `spawn` is a step too, but taken outside the slice) is used up while another
//! thread is runnable. No decision depends on the host: the same program with the same
//! inputs interleaves the same way on every run. The only outside input is the clock, read through
//! [`Syscalls`] and only while some thread sleeps.
//!
//! Sleeping threads wait in a timer queue ordered by (wake time, thread id). When no thread is
//! runnable, the OS thread sleeps until the earliest wake time; when none sleeps either, the run
//! ends with `deadlock: all threads are blocked`. When the main thread (id 0) returns, the program
//! ends and the other threads are dropped.
//!
//! Every thread a program spawns is charged to the heap limit as external bytes (see
//! [`Heap::charge_external`]): its register stack until it ends, and its record here (kept so that
//! `join` on a finished thread returns at once) until the run ends. Without that, threads that
//! each spawn the next would hold memory no limit sees.

use std::collections::{BTreeSet, VecDeque};

use crate::debug::PauseHandle;
use crate::error::Trap;
use crate::memory::Heap;
use crate::stack::{Frame, NEW_THREAD_REGISTER_BYTES, ThreadState};
use crate::syscall::Syscalls;

/// Fuel units (backward jumps, calls and caught exceptions) a thread runs before another runnable
/// thread gets its turn.
pub const QUANTUM: u64 = 1000;

/// What a thread is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    /// Running, or waiting in the run queue.
    Runnable,
    /// Waiting for a channel or another thread.
    Blocked,
    /// Waiting in the timer queue.
    Sleeping,
    /// Returned; its state is dropped.
    Done,
}

/// One thread's record.
#[derive(Debug)]
pub(crate) struct Slot {
    /// Registers and frames, while the thread is not the running one.
    pub(crate) state: ThreadState,
    pub(crate) status: Status,
    /// Threads blocked in `join` on this one, in the order they joined.
    pub(crate) joiners: Vec<u32>,
    /// A value received while blocked in `recv`: the register (of the top frame) it goes to, the
    /// value, and whether it is a reference (a collector root until it is stored).
    pub(crate) delivery: Option<(u16, u64, bool)>,
    /// The bytes of its register stack charged to the heap until the thread's state is dropped.
    register_bytes: usize,
}

impl Slot {
    fn new(state: ThreadState, register_bytes: usize) -> Slot {
        Slot {
            state,
            status: Status::Runnable,
            joiners: Vec::new(),
            delivery: None,
            register_bytes,
        }
    }
}

/// The bytes charged to the heap for the record of a spawned thread, kept until the run ends.
const THREAD_RECORD_BYTES: usize = std::mem::size_of::<Slot>();

/// Every thread of a run, the run queue and the timer queue.
#[derive(Debug)]
pub(crate) struct Scheduler {
    /// Indexed by thread id; the running thread's `state` is an empty placeholder.
    pub(crate) slots: Vec<Slot>,
    /// Runnable threads waiting for their turn, in order.
    pub(crate) run_queue: VecDeque<u32>,
    /// Sleeping threads by (wake time in microseconds of the run's clock, thread id).
    pub(crate) sleepers: BTreeSet<(u64, u32)>,
    /// The running thread.
    pub(crate) current: u32,
    /// A debugger paused the run while every thread slept: the thread on the processor (shown
    /// as stopped) is asleep, so resuming goes back to the scheduler first.
    pub(crate) parked: bool,
    /// The external bytes charged to the heap for the spawned threads and not given back yet.
    charged_bytes: usize,
}

impl Default for Scheduler {
    fn default() -> Scheduler {
        Scheduler::new()
    }
}

/// What a `send` or `recv` did.
pub(crate) enum Transfer {
    /// Done without blocking (`recv`: with this value).
    Done(u64),
    /// The thread must block.
    Blocked,
}

/// The longest the scheduler sleeps between two looks at a debugger's pause request, in
/// microseconds: a pause reaches a program whose threads all sleep within this time.
const PAUSE_POLL_US: u64 = 10_000;

/// The run's clock in microseconds.
fn now_us(sys: &mut Syscalls) -> Result<u64, Trap> {
    let seconds = sys.clock()?;
    Ok(if seconds.is_finite() && seconds > 0.0 {
        (seconds * 1e6) as u64
    } else {
        0
    })
}

impl Scheduler {
    /// A scheduler with only the main thread (id 0), running.
    pub(crate) fn new() -> Scheduler {
        Scheduler {
            // The main thread's registers belong to the VM, not to the run: nothing is charged.
            slots: vec![Slot::new(ThreadState::empty(), 0)],
            run_queue: VecDeque::new(),
            sleepers: BTreeSet::new(),
            current: 0,
            parked: false,
            charged_bytes: 0,
        }
    }

    /// True when no thread was ever spawned: nothing to schedule.
    #[inline]
    pub(crate) fn is_single(&self) -> bool {
        self.slots.len() == 1
    }

    /// Adds a new runnable thread that runs function `func` from its first instruction, its first
    /// registers set to `arguments`; returns its id. Its record and register stack are charged to
    /// the heap before the registers are reserved.
    ///
    /// # Errors
    /// `heap limit of N bytes exceeded` when the heap cannot take the charge, `too many threads`
    /// when the ids are exhausted, or an internal error when the arguments do not fit.
    pub(crate) fn spawn(
        &mut self,
        heap: &mut Heap,
        func: u32,
        arguments: &[u64],
    ) -> Result<u32, Trap> {
        let id = u32::try_from(self.slots.len())
            .map_err(|_| Trap::resource_limit("too many threads"))?;
        let charge = THREAD_RECORD_BYTES + NEW_THREAD_REGISTER_BYTES;
        heap.charge_external(charge)?;
        self.charged_bytes += charge;
        let mut state = ThreadState::new();
        state
            .regs
            .get_mut(..arguments.len())
            .ok_or_else(|| Trap::internal("spawn arguments do not fit"))?
            .copy_from_slice(arguments);
        state.frames.push(Frame {
            func,
            pc: 0,
            base: 0,
            ret: 0,
        });
        self.slots.push(Slot::new(state, NEW_THREAD_REGISTER_BYTES));
        self.run_queue.push_back(id);
        Ok(id)
    }

    /// Drops the state of thread `id`, which has finished and is off the processor, and gives its
    /// register stack's charge back to the heap.
    pub(crate) fn reclaim(&mut self, heap: &mut Heap, id: u32) {
        if let Some(slot) = self.slots.get_mut(id as usize) {
            slot.state = ThreadState::empty();
            let released = std::mem::take(&mut slot.register_bytes);
            heap.release_external(released);
            self.charged_bytes -= released;
        }
    }

    /// The run is over: drops every thread and gives back to the heap everything charged for them
    /// (the register stacks of those still alive, every thread's record).
    pub(crate) fn release(self, heap: &mut Heap) {
        heap.release_external(self.charged_bytes);
    }

    fn slot(&mut self, id: u32) -> Result<&mut Slot, Trap> {
        self.slots
            .get_mut(id as usize)
            .ok_or_else(|| Trap::internal(format_args!("thread {id} does not exist")))
    }

    /// Makes thread `id` runnable (at the back of the run queue).
    fn wake(&mut self, id: u32) -> Result<(), Trap> {
        let slot = self.slot(id)?;
        slot.status = Status::Runnable;
        self.run_queue.push_back(id);
        Ok(())
    }

    /// Marks the running thread blocked.
    fn block_current(&mut self) -> Result<(), Trap> {
        let current = self.current;
        self.slot(current)?.status = Status::Blocked;
        Ok(())
    }

    /// `join(thread)`: true when the running thread must block until `thread` finishes (a thread
    /// that joins itself waits forever).
    #[inline(never)]
    pub(crate) fn join(&mut self, thread: u32) -> Result<bool, Trap> {
        let current = self.current;
        let target = self.slot(thread)?;
        if target.status == Status::Done {
            return Ok(false);
        }
        target.joiners.push(current);
        self.block_current()?;
        Ok(true)
    }

    /// The running thread returned: wakes its joiners. Its registers are on the processor until
    /// the next thread takes it, then [`reclaim`](Scheduler::reclaim) drops them.
    #[inline(never)]
    pub(crate) fn finish_current(&mut self) -> Result<(), Trap> {
        let current = self.current;
        let slot = self.slot(current)?;
        slot.status = Status::Done;
        slot.state = ThreadState::empty();
        let joiners = std::mem::take(&mut slot.joiners);
        for joiner in joiners {
            self.wake(joiner)?;
        }
        Ok(())
    }

    /// `send(chan, value)` from the running thread.
    #[inline(never)]
    pub(crate) fn send(
        &mut self,
        heap: &mut Heap,
        chan: u64,
        value: u64,
    ) -> Result<Transfer, Trap> {
        let current = self.current;
        let chan = heap.chan_mut(chan)?;
        if let Some((receiver, register)) = chan.receivers.pop_front() {
            let is_ref = chan.kind == crate::bytecode::ValueKind::Ref;
            self.slot(receiver)?.delivery = Some((register, value, is_ref));
            self.wake(receiver)?;
            return Ok(Transfer::Done(0));
        }
        if chan.buffer.len() < chan.cap {
            chan.buffer.push_back(value);
            return Ok(Transfer::Done(0));
        }
        chan.senders.push_back((current, value));
        self.block_current()?;
        Ok(Transfer::Blocked)
    }

    /// `recv(chan)` into register `dst` of the running thread.
    #[inline(never)]
    pub(crate) fn recv(&mut self, heap: &mut Heap, chan: u64, dst: u16) -> Result<Transfer, Trap> {
        let current = self.current;
        let chan = heap.chan_mut(chan)?;
        if let Some(value) = chan.buffer.pop_front() {
            if let Some((sender, sent)) = chan.senders.pop_front() {
                chan.buffer.push_back(sent);
                self.wake(sender)?;
            }
            return Ok(Transfer::Done(value));
        }
        if let Some((sender, sent)) = chan.senders.pop_front() {
            self.wake(sender)?;
            return Ok(Transfer::Done(sent));
        }
        chan.receivers.push_back((current, dst));
        self.block_current()?;
        Ok(Transfer::Blocked)
    }

    /// `sleep(ms)` of the running thread: puts it in the timer queue.
    #[inline(never)]
    pub(crate) fn sleep(&mut self, sys: &mut Syscalls, ms: i64) -> Result<(), Trap> {
        let current = self.current;
        let wake = now_us(sys)?.saturating_add(u64::try_from(ms).unwrap_or(0).saturating_mul(1000));
        self.slot(current)?.status = Status::Sleeping;
        self.sleepers.insert((wake, current));
        Ok(())
    }

    /// The running thread yields: back of the run queue.
    pub(crate) fn requeue_current(&mut self) {
        self.run_queue.push_back(self.current);
    }

    /// Moves the sleepers whose time has come to the run queue, in (wake time, id) order.
    fn wake_sleepers(&mut self, sys: &mut Syscalls) -> Result<(), Trap> {
        if self.sleepers.is_empty() {
            return Ok(());
        }
        let now = now_us(sys)?;
        while let Some(&(wake, id)) = self.sleepers.first() {
            if wake > now {
                break;
            }
            self.sleepers.pop_first();
            self.wake(id)?;
        }
        Ok(())
    }

    /// True when another thread could run now (for preemption at the end of a slice).
    pub(crate) fn others_runnable(&mut self, sys: &mut Syscalls) -> Result<bool, Trap> {
        self.wake_sleepers(sys)?;
        Ok(!self.run_queue.is_empty())
    }

    /// Picks the next thread to run, sleeping the OS thread while only sleepers remain.
    ///
    /// With a debugger's `pause`, the sleep is cut in slices of at most [`PAUSE_POLL_US`] and a
    /// requested pause ends the wait: `Ok(None)`, the earliest sleeper still asleep. Without one
    /// (a plain run) the OS thread sleeps until the earliest wake time, reading the clock no
    /// more than before, so recordings are unchanged.
    ///
    /// # Errors
    /// `deadlock: all threads are blocked` when no thread can ever run again.
    pub(crate) fn next(
        &mut self,
        sys: &mut Syscalls,
        pause: Option<&PauseHandle>,
    ) -> Result<Option<u32>, Trap> {
        loop {
            self.wake_sleepers(sys)?;
            if let Some(id) = self.run_queue.pop_front() {
                return Ok(Some(id));
            }
            let Some(&(wake, _)) = self.sleepers.first() else {
                return Err(Trap::new("deadlock: all threads are blocked"));
            };
            if pause.is_some_and(PauseHandle::is_requested) {
                return Ok(None);
            }
            let now = now_us(sys)?;
            if wake > now {
                let wait = match pause {
                    Some(_) => (wake - now).min(PAUSE_POLL_US),
                    None => wake - now,
                };
                sys.sleep(std::time::Duration::from_micros(wait));
            }
        }
    }

    /// The sleeper that wakes first, if any.
    pub(crate) fn first_sleeper(&self) -> Option<u32> {
        self.sleepers.first().map(|&(_, id)| id)
    }
}
