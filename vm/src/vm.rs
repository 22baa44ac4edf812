//! The public face of the VM: [`Vm`] loads a module (from a `.vitbc` file, bytes or a [`Module`]),
//! verifies it, binds its natives and runs it.

use std::io::{BufRead, Write};
use std::path::Path;

use crate::bytecode::Module;
use crate::bytecode::format::{self, BytecodeError};
use crate::bytecode::verify::Location;
use crate::core::interp::{self, Fuel, Machine};
use crate::core::program::Program;
use crate::core::sched::Scheduler;
use crate::error::{LoadError, RuntimeError, TraceFrame, Trap};
use crate::jit::{Jit, JitMode, JitStats};
use crate::memory::{Heap, HeapStats};
use crate::stack::{Frame, ThreadState};
use crate::syscall::replay::{self, Recording};
use crate::syscall::{
    HostFunction, HostSignature, Mode, NativeContext, NativeRegistry, NativeSignature, Sandbox,
    Syscalls,
};

/// Limits and inputs of a run. The defaults allow no file or environment access and set no heap or step
/// limit; to run untrusted code, set [`max_heap`](VmConfig::max_heap) and
/// [`max_steps`](VmConfig::max_steps) and keep the [`sandbox`](VmConfig::sandbox) closed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VmConfig {
    /// Maximum number of live frames; one more call raises `stack overflow`. Default 100 000.
    pub max_depth: usize,
    /// Maximum number of steps (backward jumps, calls, spawns and caught errors) before the runtime
    /// error `step limit of N exceeded`; `None` (the default) for no limit.
    pub max_steps: Option<u64>,
    /// The program's arguments, as `args()` returns them.
    pub args: Vec<String>,
    /// The most estimated bytes the heap may hold; more raises the runtime error `heap limit of N bytes
    /// exceeded` (sizes are checked before allocating). `None` (the default) for no limit.
    pub max_heap: Option<usize>,
    /// What `read_file`, `write_file` and `env` may reach (default: nothing).
    pub sandbox: Sandbox,
    /// When functions are compiled to machine code (default [`JitMode::On`]: hot ones). Compiled
    /// code behaves exactly as the interpreter; runs under a debugger do not use it yet.
    pub jit: JitMode,
}

impl Default for VmConfig {
    fn default() -> VmConfig {
        VmConfig {
            max_depth: 100_000,
            max_steps: None,
            args: Vec::new(),
            max_heap: None,
            sandbox: Sandbox::default(),
            jit: JitMode::default(),
        }
    }
}

/// A Vitte virtual machine: load a module, then run it.
///
/// Output goes to the process's stdout and stderr unless replaced with [`Vm::set_stdout`] and
/// [`Vm::set_stderr`]; stdout is flushed before anything is written to stderr and at the end of every
/// run.
pub struct Vm {
    pub(crate) config: VmConfig,
    natives: NativeRegistry,
    pub(crate) sys: Syscalls,
    pub(crate) heap: Heap,
    pub(crate) program: Option<Program>,
    pub(crate) globals: Vec<u64>,
    pub(crate) thread: ThreadState,
    heap_limit: Option<usize>,
    /// The program name of the recording under way.
    recording: Option<String>,
    /// Breakpoints, steps and the run under a debugger (see [`crate::debug`]).
    pub(crate) debugger: crate::debug::Debugger,
    /// What the JIT did in the last run.
    jit_stats: Option<JitStats>,
}

/// Why a recording cannot be replayed on this VM.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    /// No program is loaded.
    #[error("no program is loaded")]
    NotLoaded,
    /// The loaded program's bytecode is not the recorded one.
    #[error(
        "the program changed since it was recorded (recorded hash {recorded:016x}, now {now:016x})"
    )]
    ProgramChanged {
        /// The hash in the recording.
        recorded: u64,
        /// The hash of the loaded program.
        now: u64,
    },
    /// A recorded setting does not fit this machine (a limit larger than `usize`).
    #[error("the recorded {what} does not fit this machine")]
    Setting {
        /// Which setting.
        what: &'static str,
    },
}

impl std::fmt::Debug for Vm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vm")
            .field("config", &self.config)
            .field("loaded", &self.program.is_some())
            .field("heap", &self.heap.stats())
            .finish_non_exhaustive()
    }
}

impl Default for Vm {
    fn default() -> Vm {
        Vm::new()
    }
}

impl Vm {
    /// A VM with the default configuration and the built-in natives.
    pub fn new() -> Vm {
        Vm::with_config(VmConfig::default())
    }

    /// A VM with this configuration and the built-in natives.
    pub fn with_config(config: VmConfig) -> Vm {
        let mut sys = Syscalls::new(config.args.clone());
        sys.set_sandbox(config.sandbox.clone());
        let heap_limit = config.max_heap;
        let mut heap = Heap::default();
        heap.set_limit(heap_limit);
        Vm {
            config,
            natives: NativeRegistry::with_builtins(),
            sys,
            heap,
            program: None,
            globals: Vec::new(),
            thread: ThreadState::new(),
            heap_limit,
            recording: None,
            debugger: crate::debug::Debugger::default(),
            jit_stats: None,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &VmConfig {
        &self.config
    }

    /// Sends the program's stdout to `stdout` (used as given: wrap it in a `BufWriter` for speed).
    pub fn set_stdout(&mut self, stdout: Box<dyn Write>) {
        self.sys.set_stdout(stdout);
    }

    /// Sends the program's stderr to `stderr`.
    pub fn set_stderr(&mut self, stderr: Box<dyn Write>) {
        self.sys.set_stderr(stderr);
    }

    /// Reads the program's stdin (`read_line`) from `stdin`.
    pub fn set_stdin(&mut self, stdin: Box<dyn BufRead>) {
        self.sys.set_stdin(stdin);
    }

    /// Limits the heap to about `bytes` (`None`: no limit), as [`VmConfig::max_heap`] does; a program
    /// that needs more gets the runtime error `heap limit of N bytes exceeded`. See [`Heap::set_limit`].
    pub fn set_heap_limit(&mut self, bytes: Option<usize>) {
        self.heap_limit = bytes;
        self.config.max_heap = bytes;
        self.heap.set_limit(bytes);
    }

    /// Registers a Rust closure as the host function `name` (a plain name such as `add_numbers` or a
    /// dotted one such as `host.add`), replacing a native of the same name. Its signature follows from
    /// the closure's types (`i64` is `int`, `f64` `float`, `bool`, `String` `string`, `()` `void`; see
    /// [`crate::syscall::host`]). Register before loading: a module binds its imports when it is loaded.
    ///
    /// ```
    /// let mut vm = vitte_vm::Vm::new();
    /// vm.register_native("host.add", |a: i64, b: i64| a + b);
    /// assert_eq!(vm.host_signatures()[0].signature.to_string(), "(int, int) -> int");
    /// ```
    pub fn register_native<Args, F>(&mut self, name: &str, function: F)
    where
        F: HostFunction<Args>,
    {
        self.natives
            .register(name, F::signature(), move |ctx, args| {
                function.call(ctx, args)
            });
    }

    /// Registers a host function that works on register words with access to the heap (arrays, maps,
    /// nullable values): the lower-level form of [`register_native`](Vm::register_native).
    pub fn register_native_raw<F>(&mut self, name: &str, signature: NativeSignature, function: F)
    where
        F: Fn(&mut NativeContext<'_>, &[u64]) -> Result<u64, Trap> + 'static,
    {
        self.natives.register(name, signature, function);
    }

    /// The names and signatures of the registered host functions, to pass to the compiler
    /// (`vitte_compiler::CompileOptions::host_functions`).
    pub fn host_signatures(&self) -> Vec<HostSignature> {
        self.natives.host_signatures()
    }

    /// The natives modules can import.
    pub fn natives(&self) -> &NativeRegistry {
        &self.natives
    }

    /// The natives modules can import, to register more; a module binds its imports when it is
    /// loaded, so register before loading.
    pub fn natives_mut(&mut self) -> &mut NativeRegistry {
        &mut self.natives
    }

    /// Loads a `.vitbc` file.
    ///
    /// # Errors
    /// [`LoadError::Io`] when the file cannot be read, [`LoadError::Bytecode`] when it is malformed,
    /// does not verify or imports a native that cannot be bound.
    pub fn load_file(&mut self, path: impl AsRef<Path>) -> Result<(), LoadError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        self.load_bytes(&bytes)
    }

    /// Loads `.vitbc` bytes.
    ///
    /// # Errors
    /// As [`load_file`](Vm::load_file), without the I/O case. An import that cannot be bound is
    /// reported as [`LoadError::Bytecode`] at the byte offset of the import, like every other
    /// problem of the file.
    pub fn load_bytes(&mut self, bytes: &[u8]) -> Result<(), LoadError> {
        let module = format::read(bytes)?;
        match self.load_module(module) {
            Err(LoadError::Native { index, message, .. }) => {
                let offset = format::decode(bytes)
                    .ok()
                    .and_then(|(_, offsets)| offsets.offset_of(&Location::Native(index)))
                    .unwrap_or(0);
                Err(LoadError::Bytecode(BytecodeError { message, offset }))
            }
            other => other,
        }
    }

    /// Verifies `module`, binds its natives and makes it the program [`run`](Vm::run) runs. The
    /// previously loaded program and its heap are dropped.
    ///
    /// # Errors
    /// [`LoadError::Invalid`] when the verifier rejects the module, [`LoadError::Native`] when an
    /// import names an unknown native or declares another signature than the registered one.
    pub fn load_module(&mut self, module: Module) -> Result<(), LoadError> {
        verify(&module)?;
        let (program, mut heap) = Program::load(module, &self.natives)?;
        heap.set_limit(self.heap_limit);
        self.globals = vec![0; program.module.globals.len()];
        self.heap = heap;
        self.program = Some(program);
        self.thread.clear();
        self.debugger.reset();
        Ok(())
    }

    /// The hash recordings identify the loaded program by: the hash of the `.vitbc` bytes
    /// [`format::write`] gives for the module (the writer is deterministic), with each source file
    /// path reduced to its file name, so that `prog.vit` and `./prog.vit` (or the same program
    /// loaded from its `.vitbc`) hash alike while any change to the code or the sources does not.
    pub fn bytecode_hash(&self) -> Option<u64> {
        let program = self.program.as_ref()?;
        let mut module = program.module.clone();
        for source in &mut module.sources {
            if let Some(name) = Path::new(&source.path).file_name() {
                source.path = name.to_string_lossy().into_owned();
            }
        }
        Some(replay::bytecode_hash(&format::write(&module)))
    }

    /// Starts recording: the following runs take their inputs from the host as usual and log each
    /// one, until [`finish_recording`](Vm::finish_recording). `program` is the name the recording
    /// keeps for the program (the CLI stores its path). Stops any replay.
    pub fn start_recording(&mut self, program: impl Into<String>) {
        self.recording = Some(program.into());
        self.sys.set_mode(Mode::Recording(Vec::new()));
    }

    /// Ends the recording started with [`start_recording`](Vm::start_recording) and returns it:
    /// the loaded program's hash, its name, the arguments and limits of this VM, and every input
    /// taken. `None` when no recording was under way. Write it with [`Recording::write_to`].
    pub fn finish_recording(&mut self) -> Option<Recording> {
        let program = self.recording.take()?;
        let Mode::Recording(events) = self.sys.set_mode(Mode::Live) else {
            return None;
        };
        Some(Recording {
            bytecode_hash: self.bytecode_hash().unwrap_or(0),
            program,
            args: self.config.args.clone(),
            max_depth: self.config.max_depth as u64,
            max_steps: self.config.max_steps,
            max_heap: self.config.max_heap.map(|bytes| bytes as u64),
            events,
        })
    }

    /// Prepares the next run to replay `recording` on the loaded program: the recorded arguments
    /// and limits replace this VM's, and every input comes from the recording, never from the host
    /// (files are neither read nor written; stdout and stderr are written as usual). An input the
    /// recording does not hold next ends the run with the uncatchable runtime error
    /// `replay diverged: expected EVENT, program asked for OTHER`, as does a run that ends before
    /// taking every recorded input.
    ///
    /// # Errors
    /// [`ReplayError::ProgramChanged`] when the loaded program is not the recorded one,
    /// [`ReplayError::NotLoaded`] when nothing is loaded.
    pub fn replay(&mut self, recording: Recording) -> Result<(), ReplayError> {
        let now = self.bytecode_hash().ok_or(ReplayError::NotLoaded)?;
        if now != recording.bytecode_hash {
            return Err(ReplayError::ProgramChanged {
                recorded: recording.bytecode_hash,
                now,
            });
        }
        let max_depth = usize::try_from(recording.max_depth).map_err(|_| ReplayError::Setting {
            what: "depth limit",
        })?;
        let max_heap = match recording.max_heap {
            None => None,
            Some(bytes) => Some(
                usize::try_from(bytes).map_err(|_| ReplayError::Setting { what: "heap limit" })?,
            ),
        };
        self.config.max_depth = max_depth;
        self.config.max_steps = recording.max_steps;
        self.config.args = recording.args;
        self.set_heap_limit(max_heap);
        self.recording = None;
        self.sys.set_mode(Mode::Replaying {
            events: recording.events,
            next: 0,
        });
        Ok(())
    }

    /// The loaded module.
    pub fn module(&self) -> Option<&Module> {
        self.program.as_ref().map(|program| &program.module)
    }

    /// The heap (to inspect or format values).
    pub fn heap(&self) -> &Heap {
        &self.heap
    }

    /// Counters describing the heap.
    pub fn heap_stats(&self) -> HeapStats {
        self.heap.stats()
    }

    /// Collects garbage now; between runs the only roots are the globals (and pinned handles).
    pub fn collect_garbage(&mut self) {
        let Some(program) = &self.program else { return };
        let globals = &self.globals;
        self.heap.collect(
            program
                .global_refs
                .iter()
                .filter_map(|&global| globals.get(global as usize).copied()),
        );
    }

    /// Runs the loaded program: its init function (globals start zeroed), then its entry function.
    /// Returns the exit code: what `main` gives when it returns an `int` (truncated to `i32`), else 0.
    /// Stdout is flushed before returning.
    ///
    /// # Errors
    /// The uncaught runtime error, with its stack trace.
    pub fn run(&mut self) -> Result<i32, RuntimeError> {
        let mut result = self.run_program();
        if result.is_ok()
            && let Some(event) = self.sys.pending_replay()
        {
            result = Err(RuntimeError {
                message: Trap::replay_diverged(event.request(), "nothing more (it ended)").message,
                trace: Vec::new(),
            });
        }
        self.thread.clear();
        self.sys.flush();
        result
    }

    fn run_program(&mut self) -> Result<i32, RuntimeError> {
        let Some(program) = &self.program else {
            return Err(RuntimeError {
                message: "no program is loaded".to_string(),
                trace: Vec::new(),
            });
        };
        self.globals.fill(0);
        self.sys.set_args(self.config.args.clone());
        self.sys.restart_clock();
        let mut fuel = Fuel::new(self.config.max_steps);
        let mut sched = Scheduler::new();
        let jit = Jit::new(self.config.jit, program);
        let module = &program.module;
        let result = 'phases: {
            for function in module.init.into_iter().chain([module.entry]) {
                let machine = Machine {
                    program,
                    heap: &mut self.heap,
                    globals: &mut self.globals,
                    sys: &mut self.sys,
                    max_depth: self.config.max_depth,
                    fuel: &mut fuel,
                    sched: &mut sched,
                    jit: Some(&jit),
                };
                match interp::execute(machine, &mut self.thread, function) {
                    Ok(value) if function == module.entry => {
                        let returns_int = program
                            .funcs
                            .get(function as usize)
                            .is_some_and(|info| info.returns_int);
                        break 'phases Ok(if returns_int { value as i64 as i32 } else { 0 });
                    }
                    Ok(_) => {}
                    Err(trap) => {
                        break 'phases Err(runtime_error(program, trap, self.thread.frames()));
                    }
                }
            }
            Ok(0)
        };
        // Threads still alive when the main thread returned (or the run failed) end here.
        sched.release(&mut self.heap);
        self.jit_stats = Some(jit.stats(program));
        result
    }

    /// What the JIT makes of each function of the loaded program: its Cranelift IR and machine code
    /// (`vitte disasm --jit`); `None` when no program is loaded.
    pub fn jit_listing(&self) -> Option<String> {
        Some(Jit::listing(self.program.as_ref()?))
    }

    /// What the JIT did in the last run (`None` before the first).
    pub fn jit_stats(&self) -> Option<&JitStats> {
        self.jit_stats.as_ref()
    }
}

/// Runs the bytecode verifier.
fn verify(module: &Module) -> Result<(), LoadError> {
    crate::bytecode::verify::verify(module).map_err(|error| LoadError::Invalid {
        message: error.to_string(),
    })
}

/// Attaches the stack trace of `frames` (innermost last) to `trap`.
pub(crate) fn runtime_error(program: &Program, trap: Trap, frames: &[Frame]) -> RuntimeError {
    let module = &program.module;
    let trace = frames
        .iter()
        .rev()
        .map(|frame| {
            let function = module.functions.get(frame.func as usize);
            let name =
                function.map_or_else(|| format!("<function {}>", frame.func), |f| f.name.clone());
            // A frame's pc is the instruction after the one running (the call, for outer frames).
            let pc = u32::try_from(frame.pc.saturating_sub(1)).unwrap_or(u32::MAX);
            let (file, line, col) = match module.location(frame.func, pc) {
                Some((file, line, col)) => (file.to_string(), line, col),
                None => function
                    .and_then(|f| {
                        let file = module.sources.get(f.debug.file as usize)?;
                        Some((file.path.clone(), f.debug.line, f.debug.col))
                    })
                    .unwrap_or_default(),
            };
            TraceFrame {
                function: name,
                file,
                line,
                col,
            }
        })
        .collect();
    RuntimeError {
        message: trap.message,
        trace,
    }
}
