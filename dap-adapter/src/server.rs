//! The protocol thread: one debug session from the first request to `disconnect` (or the end of
//! the input).
//!
//! [`run_session`] takes the incoming messages (a channel fed by a reader thread, or by a test) and
//! an [`Outbox`], starts the engine thread that owns the VM, and dispatches every request by
//! [`Command`], exhaustively. It answers `initialize`, `pause` and (while the program runs)
//! `threads` itself; everything that touches the VM becomes a job for the engine thread, which
//! sends the response. While the program runs the engine is inside `debug_resume`, so:
//! - inspection and resume requests (`stackTrace`, `scopes`, `variables`, `setVariable`,
//!   `evaluate`, `completions`, `exceptionInfo`, `continue`, `next`, `stepIn`, `stepOut`) are
//!   answered at once with the error "the program is running";
//! - configuration and lifecycle requests (breakpoints, sources, disassembly, `terminate`,
//!   `restart`, `disconnect`, …) are queued and the run is *interrupted*: paused through the VM's
//!   [`PauseHandle`](vitte_vm::debug::PauseHandle), the queue is served, and the run goes on
//!   without the client seeing a stop;
//! - `pause` asks the VM to pause directly from this thread (also when the program is loaded
//!   and about to start; a pause asked for while it is stopped does nothing).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::thread;

use crossbeam_channel::{Receiver, Sender};
use serde_json::Value;

use crate::engine::{self, Engine, Handler, Job, SessionOptions, Shared};
use crate::proto::from_proto::{self, Parsed, ThreadArguments};
use crate::proto::{Command, DapError, Request, error_id, threads_body, to_proto};
use crate::transport::{Incoming, Outbox};

/// How a request is served.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    /// Needs the VM; while the program runs the run is interrupted to serve it.
    Configure,
    /// Needs a stopped program: refused while it runs.
    Inspect,
}

/// Whether the session goes on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flow {
    Continue,
    End,
}

struct Server {
    out: Outbox,
    shared: Arc<Shared>,
    jobs: Sender<Job>,
    initialized: bool,
}

/// Runs one session: reads `incoming` until `disconnect` or [`Incoming::Eof`], writes to `out`.
/// Returns once the engine thread has finished (the program is ended).
pub fn run_session(incoming: Receiver<Incoming>, out: Outbox, options: SessionOptions) {
    let shared = Arc::new(Shared::default());
    let (jobs, queue) = crossbeam_channel::unbounded::<Job>();
    let engine = {
        let out = out.clone();
        let shared = Arc::clone(&shared);
        thread::Builder::new()
            .name("vitte-dap engine".to_string())
            .spawn(move || engine::run(queue, out, shared, options))
    };
    let engine = match engine {
        Ok(engine) => engine,
        Err(error) => {
            out.send(to_proto::event(
                "output",
                Some(to_proto::output(
                    "important",
                    &format!("vitte-dap: cannot start the engine thread: {error}\n"),
                )),
            ));
            return;
        }
    };
    let mut server = Server {
        out,
        shared,
        jobs,
        initialized: false,
    };
    loop {
        let item = incoming.recv().unwrap_or(Incoming::Eof);
        let flow = match item {
            Incoming::Message(value) => server.message(value),
            Incoming::Malformed(problem) => {
                server.important(&problem);
                Flow::Continue
            }
            Incoming::Eof => {
                server.end_of_input();
                Flow::End
            }
        };
        if flow == Flow::End {
            break;
        }
    }
    drop(server);
    let _ = engine.join();
}

impl Server {
    /// An `output` event of category `important` (for messages that cannot be answered).
    fn important(&self, text: &str) {
        self.out.send(to_proto::event(
            "output",
            Some(to_proto::output(
                "important",
                &format!("vitte-dap: ignored a message: {text}\n"),
            )),
        ));
    }

    fn respond(&self, seq: i64, command: &str, reply: &Result<Value, DapError>) {
        self.out.send(to_proto::response(seq, command, reply));
    }

    fn message(&mut self, value: Value) -> Flow {
        match from_proto::message(value) {
            Parsed::Request(request) => {
                let seq = request.seq;
                let name = request.command.name();
                match catch_unwind(AssertUnwindSafe(|| self.request(request))) {
                    Ok(flow) => flow,
                    Err(_) => {
                        self.respond(
                            seq,
                            name,
                            &Err(DapError::new(
                                error_id::INTERNAL,
                                format!("internal error while handling '{name}'"),
                            )),
                        );
                        Flow::Continue
                    }
                }
            }
            Parsed::Refused {
                seq,
                command,
                error,
            } => {
                self.respond(seq, &command, &Err(error));
                Flow::Continue
            }
            Parsed::Unanswerable(problem) => {
                self.important(&problem);
                Flow::Continue
            }
            Parsed::Ignored => Flow::Continue,
        }
    }

    fn request(&mut self, request: Request) -> Flow {
        if !self.initialized && request.command != Command::Initialize {
            self.respond(
                request.seq,
                request.command.name(),
                &Err(DapError::order("the first request must be 'initialize'")),
            );
            return Flow::Continue;
        }
        match request.command {
            Command::Initialize => self.initialize(&request),
            Command::Pause => self.pause(&request),
            Command::Threads if self.shared.is_running() => {
                let threads = self.shared.threads();
                self.respond(request.seq, "threads", &Ok(threads_body(&threads)));
            }
            Command::Threads => self.engine(request, Class::Configure, Engine::threads),
            Command::Launch => self.engine(request, Class::Configure, Engine::launch),
            Command::ConfigurationDone => {
                self.engine(request, Class::Configure, Engine::configuration_done)
            }
            Command::SetBreakpoints => {
                self.engine(request, Class::Configure, Engine::set_breakpoints)
            }
            Command::SetFunctionBreakpoints => {
                self.engine(request, Class::Configure, Engine::set_function_breakpoints)
            }
            Command::SetExceptionBreakpoints => {
                self.engine(request, Class::Configure, Engine::set_exception_breakpoints)
            }
            Command::SetInstructionBreakpoints => self.engine(
                request,
                Class::Configure,
                Engine::set_instruction_breakpoints,
            ),
            Command::BreakpointLocations => {
                self.engine(request, Class::Configure, Engine::breakpoint_locations)
            }
            Command::LoadedSources => {
                self.engine(request, Class::Configure, Engine::loaded_sources)
            }
            Command::Source => self.engine(request, Class::Configure, Engine::source),
            Command::Disassemble => self.engine(request, Class::Configure, Engine::disassemble),
            Command::ExceptionInfo => self.engine(request, Class::Inspect, Engine::exception_info),
            Command::StackTrace => self.engine(request, Class::Inspect, Engine::stack_trace),
            Command::Scopes => self.engine(request, Class::Inspect, Engine::scopes),
            Command::Variables => self.engine(request, Class::Inspect, Engine::variables),
            Command::SetVariable => self.engine(request, Class::Inspect, Engine::set_variable),
            Command::Evaluate => self.engine(request, Class::Inspect, Engine::evaluate),
            Command::Completions => self.engine(request, Class::Inspect, Engine::completions),
            Command::Continue => self.engine(request, Class::Inspect, Engine::continue_),
            Command::Next => self.engine(request, Class::Inspect, Engine::next),
            Command::StepIn => self.engine(request, Class::Inspect, Engine::step_in),
            Command::StepOut => self.engine(request, Class::Inspect, Engine::step_out),
            Command::Terminate => self.engine(request, Class::Configure, Engine::terminate),
            Command::Restart => self.engine(request, Class::Configure, Engine::restart),
            Command::Disconnect => {
                self.engine(request, Class::Configure, Engine::disconnect);
                return Flow::End;
            }
        }
        Flow::Continue
    }

    /// Hands `request` to the engine thread (see the module documentation for `class`).
    ///
    /// The job is queued first and the state read after: the engine sets the running state
    /// before it looks at its queue, so either it sees the job or this thread sees it running
    /// and interrupts it; a job is never left waiting for a long run.
    fn engine(&self, request: Request, class: Class, handler: Handler) {
        if class == Class::Inspect && self.shared.is_running() {
            self.respond(
                request.seq,
                request.command.name(),
                &Err(DapError::running()),
            );
            return;
        }
        let seq = request.seq;
        let name = request.command.name();
        let job: Job = Box::new(move |engine: &mut Engine| engine.serve(&request, handler));
        if self.jobs.send(job).is_err() {
            self.respond(
                seq,
                name,
                &Err(DapError::new(
                    error_id::INTERNAL,
                    "the engine thread has stopped",
                )),
            );
            return;
        }
        if self.shared.is_running() {
            self.shared.interrupt();
        }
    }

    fn initialize(&mut self, request: &Request) {
        if self.initialized {
            self.respond(
                request.seq,
                "initialize",
                &Err(DapError::order("the session is already initialized")),
            );
            return;
        }
        if let Err(error) = from_proto::arguments::<from_proto::InitializeArguments>(request) {
            self.respond(request.seq, "initialize", &Err(error));
            return;
        }
        self.initialized = true;
        self.respond(request.seq, "initialize", &Ok(to_proto::capabilities()));
    }

    fn pause(&self, request: &Request) {
        let reply = from_proto::arguments::<ThreadArguments>(request).and_then(|_| {
            if !self.shared.is_launched() {
                return Err(DapError::not_launched());
            }
            if self.shared.may_run() {
                self.shared.request_pause();
            }
            Ok(Value::Null)
        });
        self.respond(request.seq, "pause", &reply);
    }

    /// The client went away: end the program and the engine thread.
    fn end_of_input(&self) {
        if self.shared.is_running() {
            self.shared.interrupt();
        }
        let _ = self
            .jobs
            .send(Box::new(|engine: &mut Engine| engine.shutdown()));
    }
}
