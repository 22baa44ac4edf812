//! The engine thread: it owns the [`Vm`](vitte_vm::Vm) (which is not `Send`, so it is created here) and every
//! piece of debugger state that refers into it (breakpoints, variable handles, the current stop).
//!
//! It runs [`Job`]s sent by the protocol thread, in order; each serves one request and sends its
//! response. Work that must follow a response (starting the run after `configurationDone`,
//! resuming after `continue`) is deferred until the response is out, so events come after the
//! response that caused them. While the program runs, the engine is inside [`Engine::resume`],
//! which returns at the next stop the client should see: breakpoints whose condition is false,
//! logpoints and internal pauses (to serve queued configuration requests) resume without a
//! `stopped` event.

mod breakpoints;
mod code;
mod inspect;
mod launch;

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

use crossbeam_channel::Receiver;
use serde_json::Value;
use vitte_vm::debug::{
    ExceptionStops, Outcome, PauseHandle, Resume, StepKind, StepStart, StopReason,
};

use crate::proto::from_proto::{self, LaunchArguments, StepArguments};
use crate::proto::{DapError, Reply, Request, error_id, list_body, to_proto};
use crate::transport::{Outbox, lock};

pub(crate) use breakpoints::Breakpoints;
pub(crate) use inspect::Handles;
pub(crate) use launch::Loaded;

/// Work for the engine thread.
pub type Job = Box<dyn FnOnce(&mut Engine) + Send>;

/// A request handler run on the engine thread.
pub type Handler = fn(&mut Engine, &Request) -> Reply;

/// Settings of a session that do not come from the client.
#[derive(Clone, Debug, Default)]
pub struct SessionOptions {
    /// Make `launch`'s `cwd` the process's working folder, so relative paths in `read_file` and
    /// `write_file` resolve against it. The binary sets it; in-process tests (many sessions in one
    /// process) do not.
    pub set_process_cwd: bool,
}

/// The session's state as both threads see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum State {
    /// No program yet.
    Idle = 0,
    /// Launched (loaded), not started or not yet stopped.
    Loaded = 1,
    /// Inside `debug_resume`.
    Running = 2,
    /// Stopped; inspection is possible.
    Stopped = 3,
    /// The program ended.
    Ended = 4,
}

/// What the protocol thread and the engine thread share.
#[derive(Debug, Default)]
pub struct Shared {
    state: AtomicU8,
    pause: Mutex<Option<PauseHandle>>,
    /// The client asked for a pause (the next pause stop is shown).
    user_pause: AtomicBool,
    /// Live threads (VM id → name), for `threads` while the program runs.
    threads: Mutex<BTreeMap<u32, String>>,
}

impl Shared {
    fn set_state(&self, state: State) {
        self.state.store(state as u8, Ordering::SeqCst);
    }

    fn state(&self) -> State {
        match self.state.load(Ordering::SeqCst) {
            1 => State::Loaded,
            2 => State::Running,
            3 => State::Stopped,
            4 => State::Ended,
            _ => State::Idle,
        }
    }

    /// True while the engine is inside `debug_resume`.
    pub fn is_running(&self) -> bool {
        self.state() == State::Running
    }

    /// True while the program runs or is loaded and about to start.
    pub fn may_run(&self) -> bool {
        matches!(self.state(), State::Running | State::Loaded)
    }

    /// True once a program was launched.
    pub fn is_launched(&self) -> bool {
        self.state() != State::Idle
    }

    /// Interrupts a running program so the engine serves its queue (no stop is shown).
    pub fn interrupt(&self) {
        if let Some(handle) = lock(&self.pause).as_ref() {
            handle.pause();
        }
    }

    /// The client's `pause`.
    pub fn request_pause(&self) {
        self.user_pause.store(true, Ordering::SeqCst);
        if let Some(handle) = lock(&self.pause).as_ref() {
            handle.pause();
        }
    }

    fn set_pause_handle(&self, handle: Option<PauseHandle>) {
        *lock(&self.pause) = handle;
    }

    /// The live threads, by VM id.
    pub fn threads(&self) -> Vec<(u32, String)> {
        lock(&self.threads)
            .iter()
            .map(|(id, name)| (*id, name.clone()))
            .collect()
    }

    fn thread_started(&self, id: u32) -> bool {
        let name = if id == 0 {
            "main".to_string()
        } else {
            format!("thread {id}")
        };
        lock(&self.threads).insert(id, name).is_none()
    }

    fn thread_exited(&self, id: u32) -> bool {
        lock(&self.threads).remove(&id).is_some()
    }

    fn take_threads(&self) -> Vec<u32> {
        let mut threads = lock(&self.threads);
        let ids = threads.keys().copied().collect();
        threads.clear();
        ids
    }
}

/// Sends a `thread` event.
fn thread_event(out: &Outbox, reason: &str, thread: u32) {
    out.send(to_proto::event(
        "thread",
        Some(to_proto::thread_event(reason, thread)),
    ));
}

/// Work that follows a response.
#[derive(Clone, Debug, PartialEq)]
enum After {
    /// Start the run (entry stop or run).
    Start,
    /// Resume the stopped run.
    Resume(Resume),
    /// Tell the client about breakpoints whose verification changed.
    BreakpointEvents(Vec<Value>),
    /// Send `terminated`.
    Terminated,
    /// Send `initialized`: the program is loaded, so breakpoints set from now on are verified
    /// against its code at once.
    Initialized,
}

/// What the run does after a stop.
#[derive(Clone, Debug, PartialEq)]
enum Next {
    /// Resume like this.
    Resume(Resume),
    /// Show the client this stop (thread, reason, breakpoint ids).
    Report(u32, StopReason, Vec<i64>),
}

/// Where the run is stopped.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Stop {
    /// The VM thread that stopped.
    pub(crate) thread: u32,
    /// The runtime error it stopped for: message, and whether it is uncaught.
    pub(crate) exception: Option<(String, bool)>,
}

/// A step the client asked for, remembered so that a run interrupted by something the client
/// does not see (a logpoint, an internal pause) finishes the same step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct StepPlan {
    thread: u32,
    start: StepStart,
    single_thread: bool,
}

/// The engine thread's state.
pub struct Engine {
    pub(crate) out: Outbox,
    pub(crate) shared: Arc<Shared>,
    jobs: Receiver<Job>,
    pub(crate) options: SessionOptions,
    /// The configuration of the last launch (for `restart`).
    launch_args: Option<LaunchArguments>,
    pub(crate) program: Option<Loaded>,
    config_done: bool,
    pub(crate) breakpoints: Breakpoints,
    pub(crate) exceptions: ExceptionStops,
    pub(crate) handles: Handles,
    pub(crate) stop: Option<Stop>,
    step: Option<StepPlan>,
    resuming: bool,
    /// Changes whenever a run ends or a program is (re)loaded.
    generation: u64,
    deferred: Vec<After>,
    quit: bool,
}

/// Runs the engine until the protocol thread drops its end of `jobs` or a `disconnect`.
pub(crate) fn run(jobs: Receiver<Job>, out: Outbox, shared: Arc<Shared>, options: SessionOptions) {
    let mut engine = Engine {
        out,
        shared,
        jobs: jobs.clone(),
        options,
        launch_args: None,
        program: None,
        config_done: false,
        breakpoints: Breakpoints::default(),
        exceptions: ExceptionStops {
            all: false,
            uncaught: true,
        },
        handles: Handles::default(),
        stop: None,
        step: None,
        resuming: false,
        generation: 0,
        deferred: Vec::new(),
        quit: false,
    };
    while let Ok(job) = jobs.recv() {
        job(&mut engine);
        engine.run_deferred();
        if engine.quit {
            break;
        }
    }
    engine.end_quietly();
}

impl Engine {
    /// Runs `handler` for `request` and sends the response (an internal error if it panicked).
    pub fn serve(&mut self, request: &Request, handler: Handler) {
        let reply =
            catch_unwind(AssertUnwindSafe(|| handler(self, request))).unwrap_or_else(|_| {
                Err(DapError::new(
                    error_id::INTERNAL,
                    format!("internal error while handling '{}'", request.command.name()),
                ))
            });
        self.out.send(to_proto::response(
            request.seq,
            request.command.name(),
            &reply,
        ));
    }

    fn run_deferred(&mut self) {
        while !self.deferred.is_empty() && !self.quit {
            let after = self.deferred.remove(0);
            let done = catch_unwind(AssertUnwindSafe(|| match after {
                After::Start => self.start(),
                After::Resume(how) => self.resume(how),
                After::BreakpointEvents(views) => {
                    for view in views {
                        self.out.send(to_proto::event(
                            "breakpoint",
                            Some(to_proto::breakpoint_changed(view)),
                        ));
                    }
                }
                After::Terminated => self.out.send(to_proto::event("terminated", None)),
                After::Initialized => self.out.send(to_proto::event("initialized", None)),
            }));
            if done.is_err() {
                self.resuming = false;
                self.output(
                    "important",
                    "vitte-dap: internal error; the program was ended\n",
                );
                self.end_run(None);
            }
        }
    }

    /// Sends an `output` event.
    pub(crate) fn output(&self, category: &str, text: &str) {
        self.out.send(to_proto::event(
            "output",
            Some(to_proto::output(category, text)),
        ));
    }

    /// The client's `disconnect` or the end of its input: the program ends, the engine stops.
    pub fn shutdown(&mut self) {
        self.end_quietly();
        self.quit = true;
    }

    /// Ends the current run, if any, without `exited`/`terminated` events.
    fn end_quietly(&mut self) {
        for thread in self.shared.take_threads() {
            thread_event(&self.out, "exited", thread);
        }
        if let Some(program) = self.program.as_mut() {
            program.ended = true;
        }
        self.shared.set_pause_handle(None);
        self.after_run();
        if self.program.is_some() {
            self.shared.set_state(State::Ended);
        }
    }

    /// Forgets everything about the current run.
    fn after_run(&mut self) {
        self.generation += 1;
        self.shared.user_pause.store(false, Ordering::SeqCst);
        self.stop = None;
        self.step = None;
        self.handles.clear();
    }

    /// The run ended: `exited` (when there is a code) and `terminated`.
    fn end_run(&mut self, code: Option<i32>) {
        for thread in self.shared.take_threads() {
            thread_event(&self.out, "exited", thread);
        }
        if let Some(program) = self.program.as_mut() {
            program.ended = true;
        }
        self.after_run();
        self.shared.set_state(State::Ended);
        if let Some(code) = code {
            self.out
                .send(to_proto::event("exited", Some(to_proto::exited(code))));
        }
        self.out.send(to_proto::event("terminated", None));
    }

    /// `launch`: compile or load the program, then send `initialized` (after the response), which
    /// opens the configuration phase; the run starts at `configurationDone`. Sending `initialized`
    /// only once the program is loaded (as debugpy and lldb-dap do) lets the breakpoints of the
    /// configuration phase be answered verified.
    pub fn launch(&mut self, request: &Request) -> Reply {
        if self.program.is_some() {
            return Err(DapError::order(
                "a program was already launched in this session (use 'restart')",
            ));
        }
        let args: LaunchArguments = from_proto::arguments(request)?;
        self.load(args)?;
        self.deferred.insert(0, After::Initialized);
        Ok(Value::Null)
    }

    /// Loads the program of `args` and re-resolves the breakpoints against it.
    fn load(&mut self, args: LaunchArguments) -> Result<(), DapError> {
        let loaded = launch::load(&args, self)?;
        self.shared
            .set_pause_handle(Some(loaded.vm.debug_pause_handle()));
        self.program = Some(loaded);
        self.launch_args = Some(args);
        self.generation += 1;
        self.shared.set_state(State::Loaded);
        let changed = self.rebind_breakpoints();
        if !changed.is_empty() {
            self.deferred.push(After::BreakpointEvents(changed));
        }
        if self.config_done {
            self.deferred.push(After::Start);
        }
        Ok(())
    }

    /// `configurationDone`: the run starts (or starts once launched).
    pub fn configuration_done(&mut self, _request: &Request) -> Reply {
        self.config_done = true;
        if self.program.as_ref().is_some_and(|p| !p.started) {
            self.deferred.push(After::Start);
        }
        Ok(Value::Null)
    }

    /// Starts the loaded run: an entry stop, or running.
    fn start(&mut self) {
        let Some(program) = self.program.as_mut() else {
            return;
        };
        if program.started {
            return;
        }
        program.started = true;
        let stop_on_entry = program.stop_on_entry && !program.no_debug;
        self.apply_breakpoints();
        self.apply_exception_stops();
        let Some(program) = self.program.as_mut() else {
            return;
        };
        if let Err(error) = program.vm.debug_start() {
            self.output("stderr", &format!("{error}\n"));
            self.end_run(Some(crate::EXIT_RUNTIME_ERROR));
            return;
        }
        if self.shared.thread_started(0) {
            thread_event(&self.out, "started", 0);
        }
        if stop_on_entry {
            self.report_stop(0, &StopReason::Entry, &[]);
        } else {
            self.resume(Resume::Continue);
        }
    }

    /// Sets the VM's exception stops from the filters (none under `noDebug`).
    pub(crate) fn apply_exception_stops(&mut self) {
        let stops = self.exceptions;
        if let Some(program) = self.program.as_mut() {
            program.vm.debug_set_exception_stops(if program.no_debug {
                ExceptionStops::default()
            } else {
                stops
            });
        }
    }

    /// Records a stop and tells the client.
    fn report_stop(&mut self, thread: u32, reason: &StopReason, hit: &[i64]) {
        self.step = None;
        // Any pause asked for is satisfied by this stop.
        self.shared.user_pause.store(false, Ordering::SeqCst);
        let (name, description, text, exception) = match reason {
            StopReason::Entry => ("entry", None, None, None),
            StopReason::Breakpoint(_) => ("breakpoint", None, None, None),
            StopReason::Step => ("step", None, None, None),
            StopReason::Pause => ("pause", None, None, None),
            StopReason::Exception { message, uncaught } => (
                "exception",
                Some(if *uncaught {
                    "Paused on an uncaught runtime error"
                } else {
                    "Paused on a runtime error"
                }),
                Some(message.as_str()),
                Some((message.clone(), *uncaught)),
            ),
        };
        self.stop = Some(Stop { thread, exception });
        self.shared.set_state(State::Stopped);
        self.out.send(to_proto::event(
            "stopped",
            Some(to_proto::stopped(name, thread, description, text, hit)),
        ));
    }

    /// Checks a resume request: the program must be stopped and not already resuming.
    fn check_resumable(&self) -> Result<(), DapError> {
        if self.resuming {
            return Err(DapError::running());
        }
        match &self.program {
            None => Err(DapError::not_launched()),
            Some(program) if program.ended => Err(DapError::order("the program has ended")),
            Some(_) if self.stop.is_none() => Err(DapError::not_stopped()),
            Some(_) => Ok(()),
        }
    }

    /// `continue`.
    pub fn continue_(&mut self, request: &Request) -> Reply {
        let args: StepArguments = from_proto::arguments(request)?;
        self.check_resumable()?;
        let alone = args.single_thread.unwrap_or(false);
        let resume = if alone {
            Resume::ContinueAlone {
                thread: self.thread_arg(args.thread_id)?,
            }
        } else {
            Resume::Continue
        };
        self.deferred.push(After::Resume(resume));
        Ok(to_proto::continue_body(!alone))
    }

    /// `next`.
    pub fn next(&mut self, request: &Request) -> Reply {
        self.step_request(request, StepKind::Over)
    }

    /// `stepIn`.
    pub fn step_in(&mut self, request: &Request) -> Reply {
        self.step_request(request, StepKind::In)
    }

    /// `stepOut`.
    pub fn step_out(&mut self, request: &Request) -> Reply {
        self.step_request(request, StepKind::Out)
    }

    fn step_request(&mut self, request: &Request, kind: StepKind) -> Reply {
        let args: StepArguments = from_proto::arguments(request)?;
        self.check_resumable()?;
        let thread = self.thread_arg(args.thread_id)?;
        let (depth, func, line) = self
            .position(thread)
            .ok_or_else(|| DapError::stale(format!("thread {} has no frames", args.thread_id)))?;
        let plan = StepPlan {
            thread,
            start: StepStart {
                kind,
                granularity: from_proto::granularity(args.granularity.as_deref()),
                depth,
                func,
                line,
            },
            single_thread: args.single_thread.unwrap_or(false),
        };
        self.step = Some(plan);
        self.deferred.push(After::Resume(plan.resume(kind)));
        Ok(Value::Null)
    }

    /// The VM thread of DAP thread `id`, when it exists in the stopped run.
    pub(crate) fn thread_arg(&self, id: i64) -> Result<u32, DapError> {
        let unknown = || DapError::stale(format!("thread {id} does not exist"));
        let thread = from_proto::vm_thread(id).ok_or_else(unknown)?;
        let program = self.program.as_ref().ok_or_else(DapError::not_launched)?;
        if program.vm.debug_frames(thread).is_none() {
            return Err(unknown());
        }
        Ok(thread)
    }

    /// Frames, function and line of thread `thread`'s innermost frame.
    fn position(&self, thread: u32) -> Option<(usize, u32, u32)> {
        let frames = self.program.as_ref()?.vm.debug_frames(thread)?;
        let top = frames.first()?;
        Some((frames.len(), top.func, top.line))
    }

    /// How to go on with `plan` from where its thread is now; `None` when the step has arrived
    /// (the VM's own test, with the step's original depth).
    fn continue_plan(&self, plan: &StepPlan) -> Option<Resume> {
        let Some(program) = self.program.as_ref() else {
            return Some(Resume::Continue);
        };
        let Some(frames) = program.vm.debug_frames(plan.thread) else {
            // The stepping thread is gone: nothing left to step.
            return Some(Resume::Continue);
        };
        let Some(top) = frames.first() else {
            return Some(Resume::Continue);
        };
        let depth = frames.len();
        let module = program.vm.module()?;
        if plan.start.arrived(module, depth, top.func, top.pc) {
            None
        } else if depth > plan.start.depth && plan.start.kind != StepKind::In {
            // Deeper than the step began: climb back out first.
            Some(plan.resume(StepKind::Out))
        } else {
            Some(plan.resume(plan.start.kind))
        }
    }

    /// Runs the program until a stop the client sees, or its end.
    fn resume(&mut self, first: Resume) {
        let startable = self
            .program
            .as_ref()
            .is_some_and(|program| program.started && !program.ended);
        if self.resuming || !startable {
            return;
        }
        let generation = self.generation;
        let stopped = self.stop.take().map(|stop| stop.thread);
        self.resuming = true;
        self.handles.clear();
        self.shared.set_state(State::Running);
        if !self.jobs.is_empty() {
            // Queued before this thread was seen running: serve them at once.
            self.shared.interrupt();
        }
        if let Some(thread) = stopped {
            let (thread, all) = match first {
                Resume::ContinueAlone { thread } => (thread, false),
                Resume::Step {
                    thread,
                    single_thread,
                    ..
                } => (thread, !single_thread),
                Resume::Continue => (thread, true),
            };
            self.out.send(to_proto::event(
                "continued",
                Some(to_proto::continued(thread, all)),
            ));
        }
        let mut how = first;
        loop {
            if self.generation != generation || self.quit {
                break;
            }
            let Some(program) = self.program.as_mut() else {
                break;
            };
            let outcome = program.vm.debug_resume(how);
            let (thread, reason) = match outcome {
                Outcome::Stopped { thread, reason } => (thread, reason),
                Outcome::Exited(code) => {
                    self.end_run(Some(code));
                    break;
                }
                Outcome::Failed(error) => {
                    self.output("stderr", &format!("{error}\n"));
                    self.end_run(Some(crate::EXIT_RUNTIME_ERROR));
                    break;
                }
            };
            let next = match reason {
                StopReason::Pause if !self.shared.user_pause.swap(false, Ordering::SeqCst) => {
                    // An interrupt: serve the queue, then go on.
                    self.drain_jobs(generation);
                    if self.generation != generation || self.quit {
                        break;
                    }
                    self.go_on(how)
                }
                StopReason::Breakpoint(location) => {
                    let hit = self.breakpoint_hit(thread, location);
                    if hit.is_empty() {
                        self.go_on(how)
                    } else {
                        Next::Report(thread, reason, hit)
                    }
                }
                StopReason::Step => match self.step {
                    Some(plan) => self.plan_next(&plan),
                    None => Next::Report(thread, reason, Vec::new()),
                },
                other => Next::Report(thread, other, Vec::new()),
            };
            match next {
                Next::Resume(resume) => how = resume,
                Next::Report(thread, reason, hit) => {
                    self.report_stop(thread, &reason, &hit);
                    break;
                }
            }
        }
        self.resuming = false;
    }

    /// After a stop the client does not see: the step under way goes on (or has arrived), else
    /// the same resume again.
    fn go_on(&self, how: Resume) -> Next {
        match self.step {
            Some(plan) => self.plan_next(&plan),
            None => Next::Resume(how),
        }
    }

    /// Goes on with `plan`, or reports its arrival.
    fn plan_next(&self, plan: &StepPlan) -> Next {
        match self.continue_plan(plan) {
            Some(resume) => Next::Resume(resume),
            None => Next::Report(plan.thread, StopReason::Step, Vec::new()),
        }
    }

    /// Serves the jobs queued while the program ran (the run is paused).
    fn drain_jobs(&mut self, generation: u64) {
        while let Ok(job) = self.jobs.try_recv() {
            job(self);
            if self.generation != generation || self.quit {
                break;
            }
        }
    }

    /// `terminate`: the program ends.
    pub fn terminate(&mut self, _request: &Request) -> Reply {
        if self.program.as_ref().is_some_and(|p| !p.ended) {
            self.end_quietly();
            self.deferred.push(After::Terminated);
        }
        Ok(Value::Null)
    }

    /// `disconnect`: the program ends and so does the session.
    pub fn disconnect(&mut self, _request: &Request) -> Reply {
        self.shutdown();
        Ok(Value::Null)
    }

    /// `restart`: the program is loaded again (from the new launch configuration when given) and
    /// started again.
    pub fn restart(&mut self, request: &Request) -> Reply {
        let args: from_proto::RestartArguments = from_proto::arguments(request)?;
        let launch = args
            .arguments
            .or_else(|| self.launch_args.clone())
            .ok_or_else(|| DapError::order("nothing to restart: no program was launched"))?;
        self.end_quietly();
        self.program = None;
        self.shared.set_state(State::Idle);
        if let Err(error) = self.load(launch) {
            self.shared.set_state(State::Ended);
            self.deferred.push(After::Terminated);
            return Err(error);
        }
        Ok(Value::Null)
    }

    /// `threads` while the program is not running.
    pub fn threads(&mut self, _request: &Request) -> Reply {
        let threads: Vec<Value> = match &self.program {
            Some(program) if !program.ended => program
                .vm
                .debug_threads()
                .iter()
                .map(|thread| to_proto::thread(thread.id, &thread.name))
                .collect(),
            _ => Vec::new(),
        };
        Ok(list_body("threads", threads))
    }
}

impl StepPlan {
    /// The VM resume that steps this plan's thread with `kind`.
    fn resume(&self, kind: StepKind) -> Resume {
        Resume::Step {
            thread: self.thread,
            kind,
            granularity: self.start.granularity,
            single_thread: self.single_thread,
        }
    }
}
