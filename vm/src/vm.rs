//! The public face of the VM: [`Vm`] loads a module (from a `.vitbc` file, bytes or a [`Module`]),
//! verifies it, binds its natives and runs it.

use std::io::{BufRead, Write};
use std::path::Path;

use crate::bytecode::Module;
use crate::bytecode::format::{self, BytecodeError};
use crate::bytecode::verify::Location;
use crate::core::interp::{self, Fuel, Machine};
use crate::core::program::Program;
use crate::error::{LoadError, RuntimeError, TraceFrame, Trap};
use crate::memory::{Heap, HeapStats};
use crate::stack::{Frame, ThreadState};
use crate::syscall::{
    HostFunction, HostSignature, NativeContext, NativeRegistry, NativeSignature, Sandbox, Syscalls,
};

/// Limits and inputs of a run. The defaults allow no file or environment access and set no heap or step
/// limit; to run untrusted code, set [`max_heap`](VmConfig::max_heap) and
/// [`max_steps`](VmConfig::max_steps) and keep the [`sandbox`](VmConfig::sandbox) closed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VmConfig {
    /// Maximum number of live frames; one more call raises `stack overflow`. Default 100 000.
    pub max_depth: usize,
    /// Maximum number of steps (backward jumps and calls) before the runtime error
    /// `step limit of N exceeded`; `None` (the default) for no limit.
    pub max_steps: Option<u64>,
    /// The program's arguments, as `args()` returns them.
    pub args: Vec<String>,
    /// The most estimated bytes the heap may hold; more raises the runtime error `heap limit of N bytes
    /// exceeded` (sizes are checked before allocating). `None` (the default) for no limit.
    pub max_heap: Option<usize>,
    /// What `read_file`, `write_file` and `env` may reach (default: nothing).
    pub sandbox: Sandbox,
}

impl Default for VmConfig {
    fn default() -> VmConfig {
        VmConfig {
            max_depth: 100_000,
            max_steps: None,
            args: Vec::new(),
            max_heap: None,
            sandbox: Sandbox::default(),
        }
    }
}

/// A Vitte virtual machine: load a module, then run it.
///
/// Output goes to the process's stdout and stderr unless replaced with [`Vm::set_stdout`] and
/// [`Vm::set_stderr`]; stdout is flushed before anything is written to stderr and at the end of every
/// run.
pub struct Vm {
    config: VmConfig,
    natives: NativeRegistry,
    sys: Syscalls,
    heap: Heap,
    program: Option<Program>,
    globals: Vec<u64>,
    thread: ThreadState,
    heap_limit: Option<usize>,
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
        let result = self.run_program();
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
        let module = &program.module;
        for function in module.init.into_iter().chain([module.entry]) {
            let machine = Machine {
                program,
                heap: &mut self.heap,
                globals: &mut self.globals,
                sys: &mut self.sys,
                max_depth: self.config.max_depth,
                fuel: &mut fuel,
            };
            match interp::execute(machine, &mut self.thread, function) {
                Ok(value) if function == module.entry => {
                    let returns_int = program
                        .funcs
                        .get(function as usize)
                        .is_some_and(|info| info.returns_int);
                    return Ok(if returns_int { value as i64 as i32 } else { 0 });
                }
                Ok(_) => {}
                Err(trap) => return Err(runtime_error(program, trap, self.thread.frames())),
            }
        }
        Ok(0)
    }
}

/// Runs the bytecode verifier.
fn verify(module: &Module) -> Result<(), LoadError> {
    crate::bytecode::verify::verify(module).map_err(|error| LoadError::Invalid {
        message: error.to_string(),
    })
}

/// Attaches the stack trace of `frames` (innermost last) to `trap`.
fn runtime_error(program: &Program, trap: Trap, frames: &[Frame]) -> RuntimeError {
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
