//! The `vitte` command line as a library, so tests drive it in-process with their own streams.
//!
//! [`main_with`] parses one command line (`args[0]` is the program name), runs it against the given
//! streams and returns the process exit code. The binary (`main.rs`) only wires the process's streams.
//!
//! Exit codes follow the language page: 0 (or what `main` gives) on success, 65 for a compile error or
//! malformed bytecode, 70 for an uncaught runtime error; plus 2 for a usage error, 66 when an input
//! file cannot be read and 74 when an output file cannot be written.

use std::cell::RefCell;
use std::ffi::OsStr;
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use clap::{Parser, Subcommand};
use vitte_compiler::driver::{Compilation, compile_file};
use vitte_vm::bytecode::{Module, disasm, format};
use vitte_vm::{Vm, VmConfig};

/// Exit code of a compile error or malformed bytecode.
pub const EXIT_DATA_ERROR: i32 = 65;
/// Exit code of an input file that cannot be read.
pub const EXIT_NO_INPUT: i32 = 66;
/// Exit code of an uncaught runtime error.
pub const EXIT_RUNTIME_ERROR: i32 = 70;
/// Exit code of an output file that cannot be written.
pub const EXIT_IO_ERROR: i32 = 74;
/// Exit code of a command-line usage error.
pub const EXIT_USAGE: i32 = 2;

/// The standard streams of one command-line run.
pub struct CliIo {
    /// Standard input (for `read_line`).
    pub stdin: Box<dyn BufRead>,
    /// Standard output.
    pub stdout: Box<dyn Write>,
    /// Standard error.
    pub stderr: Box<dyn Write>,
}

#[derive(Parser, Debug)]
#[command(
    name = "vitte",
    version,
    propagate_version = true,
    about = "Run, build, check and disassemble Vitte programs",
    long_about = "Vitte VM: compiles Vitte source (.vit) to verified bytecode (.vitbc) and runs it.\n\n\
                  Exit codes: 0 success (or the int that main gives), 65 compile error or invalid \
                  bytecode, 66 unreadable input, 70 uncaught runtime error, 74 unwritable output."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Compile (if needed) and run a program: a .vit source file or a .vitbc bytecode file
    Run {
        /// The program: FILE.vit or FILE.vitbc
        file: PathBuf,
        /// Arguments passed to the program (read with args())
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
        /// Maximum call depth before the runtime error `stack overflow`
        #[arg(long, value_name = "N", default_value_t = VmConfig::default().max_depth)]
        max_depth: usize,
    },
    /// Compile a .vit program to a .vitbc bytecode file
    Build {
        /// The program's root source file
        file: PathBuf,
        /// Output file (default: the source path with the extension .vitbc)
        #[arg(short, long, value_name = "OUT.vitbc")]
        output: Option<PathBuf>,
    },
    /// Type-check a .vit program and report every error, without running it
    Check {
        /// The program's root source file
        file: PathBuf,
    },
    /// Print the bytecode of a program, interleaved with its source lines
    Disasm {
        /// FILE.vit (compiled first) or FILE.vitbc
        file: PathBuf,
    },
}

/// Writes shared between the VM (program output) and the CLI (its own messages).
#[derive(Clone)]
struct SharedWriter(Rc<RefCell<Box<dyn Write>>>);

impl Write for SharedWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.borrow_mut().flush()
    }
}

/// The streams of a run, shareable with the VM.
struct Streams {
    stdin: Option<Box<dyn BufRead>>,
    stdout: SharedWriter,
    stderr: SharedWriter,
}

impl Streams {
    /// Writes a message of the CLI itself to stderr, after flushing stdout so the order is kept.
    fn error(&mut self, message: &str) {
        let _ = self.stdout.flush();
        let _ = self.stderr.write_all(message.as_bytes());
        if !message.ends_with('\n') {
            let _ = self.stderr.write_all(b"\n");
        }
        let _ = self.stderr.flush();
    }
}

/// Runs `vitte ARGS…` and returns the exit code.
pub fn main_with(args: Vec<String>, io: CliIo) -> i32 {
    let mut streams = Streams {
        stdin: Some(io.stdin),
        stdout: SharedWriter(Rc::new(RefCell::new(io.stdout))),
        stderr: SharedWriter(Rc::new(RefCell::new(io.stderr))),
    };
    let code = match Cli::try_parse_from(args) {
        Ok(cli) => dispatch(cli.command, &mut streams),
        Err(error) => {
            let text = error.render().to_string();
            if error.use_stderr() {
                streams.error(&text);
                EXIT_USAGE
            } else {
                let _ = streams.stdout.write_all(text.as_bytes());
                0
            }
        }
    };
    let _ = streams.stdout.flush();
    let _ = streams.stderr.flush();
    code
}

fn dispatch(command: Command, streams: &mut Streams) -> i32 {
    match command {
        Command::Run {
            file,
            args,
            max_depth,
        } => run(&file, args, max_depth, streams),
        Command::Build { file, output } => build(&file, output, streams),
        Command::Check { file } => check(&file, streams),
        Command::Disasm { file } => disassemble(&file, streams),
    }
}

/// A program ready to load: bytecode as read from a file, or a module compiled from source.
enum Program {
    Bytecode(Vec<u8>),
    Compiled(Module),
}

/// Reads a `.vitbc` file or compiles a `.vit` file; on failure, reports why and gives the exit code.
fn prepare(file: &Path, streams: &mut Streams) -> Result<Program, i32> {
    if !is_bytecode(file) {
        return compile(file, streams).map(Program::Compiled);
    }
    std::fs::read(file).map(Program::Bytecode).map_err(|error| {
        streams.error(&format!("error: cannot read '{}': {error}", file.display()));
        EXIT_NO_INPUT
    })
}

/// The module of a program file (bytecode is decoded and verified).
fn load_program(file: &Path, streams: &mut Streams) -> Result<Module, i32> {
    match prepare(file, streams)? {
        Program::Compiled(module) => Ok(module),
        Program::Bytecode(bytes) => format::read(&bytes).map_err(|error| {
            streams.error(&format!("error: {error}"));
            EXIT_DATA_ERROR
        }),
    }
}

/// Compiles a source file, reporting every diagnostic.
fn compile(file: &Path, streams: &mut Streams) -> Result<Module, i32> {
    if let Err(error) = std::fs::metadata(file) {
        streams.error(&format!("error: cannot read '{}': {error}", file.display()));
        return Err(EXIT_NO_INPUT);
    }
    let Compilation { module, .. } = report(compile_file(file), streams);
    module.ok_or(EXIT_DATA_ERROR)
}

/// Prints a compilation's diagnostics (errors and warnings) to stderr and hands it back.
fn report(compilation: Compilation, streams: &mut Streams) -> Compilation {
    let rendered = compilation.render_diagnostics();
    if !rendered.is_empty() {
        streams.error(&rendered);
    }
    compilation
}

fn is_bytecode(file: &Path) -> bool {
    file.extension() == Some(OsStr::new("vitbc"))
}

fn run(file: &Path, args: Vec<String>, max_depth: usize, streams: &mut Streams) -> i32 {
    let program = match prepare(file, streams) {
        Ok(program) => program,
        Err(code) => return code,
    };
    let config = VmConfig {
        max_depth,
        args,
        ..VmConfig::default()
    };
    let mut vm = Vm::with_config(config);
    vm.set_stdout(Box::new(streams.stdout.clone()));
    vm.set_stderr(Box::new(streams.stderr.clone()));
    if let Some(stdin) = streams.stdin.take() {
        vm.set_stdin(stdin);
    }
    let loaded = match program {
        Program::Bytecode(bytes) => vm.load_bytes(&bytes),
        Program::Compiled(module) => vm.load_module(module),
    };
    if let Err(error) = loaded {
        streams.error(&format!("error: {error}"));
        return EXIT_DATA_ERROR;
    }
    match vm.run() {
        Ok(code) => code,
        Err(error) => {
            streams.error(&error.to_string());
            EXIT_RUNTIME_ERROR
        }
    }
}

fn build(file: &Path, output: Option<PathBuf>, streams: &mut Streams) -> i32 {
    let module = match compile(file, streams) {
        Ok(module) => module,
        Err(code) => return code,
    };
    let output = output.unwrap_or_else(|| file.with_extension("vitbc"));
    match std::fs::write(&output, format::write(&module)) {
        Ok(()) => 0,
        Err(error) => {
            streams.error(&format!(
                "error: cannot write '{}': {error}",
                output.display()
            ));
            EXIT_IO_ERROR
        }
    }
}

fn check(file: &Path, streams: &mut Streams) -> i32 {
    match compile(file, streams) {
        Ok(_) => 0,
        Err(code) => code,
    }
}

fn disassemble(file: &Path, streams: &mut Streams) -> i32 {
    let module = match load_program(file, streams) {
        Ok(module) => module,
        Err(code) => return code,
    };
    match streams
        .stdout
        .write_all(disasm::disassemble(&module).as_bytes())
    {
        Ok(()) => 0,
        Err(error) => {
            streams.error(&format!("error: cannot write the disassembly: {error}"));
            EXIT_IO_ERROR
        }
    }
}
