//! The `vitte` command line as a library, so tests drive it in-process with their own streams.
//!
//! [`main_with`] parses one command line (`args[0]` is the program name), runs it against the given
//! streams and returns the process exit code. [`process_main`] is the binaries' entry point: it wires the
//! process's streams, or serves the Debug Adapter Protocol when started as `vitte-dap`.
//!
//! Exit codes follow the language page: 0 (or what `main` gives) on success, 65 for a compile error or
//! malformed bytecode, 70 for an uncaught runtime error; plus 2 for a usage error, 66 when an input
//! file cannot be read and 74 when an output file cannot be written. `vitte replay` exits with 65 for
//! an invalid recording or a program that changed since it was recorded. `vitte fmt` (see [`fmt`])
//! exits with 65 for a file that does not parse, and `vitte fmt --check` with 1 when a file is not
//! formatted.

#![forbid(unsafe_code)]

use std::cell::RefCell;
use std::ffi::OsStr;
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use clap::{Parser, Subcommand};
use vitte_compiler::driver::{Compilation, compile_file};
use vitte_compiler::loader::read_regular_file;
use vitte_vm::bytecode::{Module, disasm, format};
use vitte_vm::{HeapStats, JitMode, PathAccess, Recording, Sandbox, Vm, VmConfig};

mod fmt;

pub use fmt::EXIT_NOT_FORMATTED;

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
    about = "Run, build, check, format and disassemble Vitte programs; record and replay runs",
    long_about = "Vitte VM: compiles Vitte source (.vit) to verified bytecode (.vitbc) and runs it.\n\n\
                  Exit codes: 0 success (or the int that main gives), 1 `fmt --check` found a file to \
                  reformat, 2 usage error, 65 compile error or invalid bytecode, 66 unreadable input, \
                  70 uncaught runtime error, 74 unwritable output."
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
        /// Maximum number of steps (backward jumps, calls, spawns and caught errors) before
        /// `step limit of N exceeded`
        #[arg(long, value_name = "N")]
        max_steps: Option<u64>,
        /// Heap limit in bytes (suffixes K, M, G) before `heap limit of N bytes exceeded`, or `none`
        #[arg(long, value_name = "BYTES", default_value = DEFAULT_MAX_HEAP, value_parser = parse_heap_limit)]
        max_heap: HeapLimit,
        /// Allow read_file, on any path or only under these comma-separated paths
        #[arg(long, value_name = "PATHS", num_args = 0..=1, require_equals = true, value_delimiter = ',')]
        allow_read: Option<Vec<PathBuf>>,
        /// Allow write_file, on any path or only under these comma-separated paths
        #[arg(long, value_name = "PATHS", num_args = 0..=1, require_equals = true, value_delimiter = ',')]
        allow_write: Option<Vec<PathBuf>>,
        /// Allow env
        #[arg(long)]
        allow_env: bool,
        /// Allow every file and environment access
        #[arg(long)]
        allow_all: bool,
        /// Print heap statistics to stderr when the program ends
        #[arg(long)]
        heap_stats: bool,
        /// When to compile functions to machine code: off, on (hot functions and loops) or always
        /// (every function before the program starts). Default: the environment variable
        /// VITTE_JIT, else on
        #[arg(long, value_name = "MODE", value_parser = JitMode::parse)]
        jit: Option<JitMode>,
        /// Print what the JIT did (functions compiled or left to the interpreter and why, compile
        /// time, code size, entries and exits) to stderr when the program ends
        #[arg(long)]
        jit_stats: bool,
        /// Record every input of the run (clock, stdin, files, environment, arguments) to this
        /// .vitrec file, for `vitte replay`
        #[arg(long, value_name = "FILE.vitrec")]
        record: Option<PathBuf>,
    },
    /// Re-run a recorded run exactly: same inputs, same output, without touching stdin, files or
    /// the environment
    #[command(
        long_about = "Re-run a run recorded with `vitte run --record FILE.vitrec`. The program is the \
                      one named in the recording (its path as given to `vitte run`, relative to the \
                      current folder), or PROGRAM when given. Every \
                      input (clock, stdin, files, environment, arguments) comes from the recording; \
                      stdin, the file system and the environment are never touched (write_file \
                      returns the recorded outcome without writing). The recorded arguments and \
                      limits apply.\n\n\
                      Exit codes: the program's own, 65 for an invalid recording or a program whose \
                      bytecode changed since it was recorded, 66 for an unreadable file, 70 for a \
                      runtime error (including `replay diverged: …`)."
    )]
    Replay {
        /// The recording, written by `vitte run --record`
        recording: PathBuf,
        /// The program to replay (default: the path stored in the recording)
        program: Option<PathBuf>,
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
        /// Print what the JIT makes of each function instead: its Cranelift IR and machine code
        #[arg(long)]
        jit: bool,
    },
    /// Format .vit files in place in the one canonical layout, or check that they are formatted
    #[command(
        long_about = "Format Vitte source files in the one canonical layout: 4-space indentation, one \
                      statement per line, `{` on the line of its header, spaces around binary \
                      operators, at most one blank line in a row, no trailing whitespace, a final \
                      newline. Every comment is kept where it is. Line breaks inside a statement are \
                      kept where a break reads well (after a comma or an opening bracket, around a \
                      binary operator); there is no line width. The rules are in docs/fmt.md.\n\n\
                      Each FILE is rewritten in place when formatting changes it; a folder stands for \
                      every .vit file under it; `-` (or no FILE) formats stdin to stdout. Nothing is \
                      printed on success unless --verbose. A file that does not parse is reported \
                      (PATH:LINE:COL: error: MESSAGE) and left unchanged; the other files are still \
                      formatted.\n\n\
                      Exit codes: 0 success, 1 with --check when a file would be reformatted, 2 usage \
                      error, 65 a file does not parse or is not UTF-8, 66 a file cannot be read, 70 \
                      internal formatter error, 74 a file cannot be written (the first failure's code \
                      when several files fail).",
        after_help = "Examples:\n  vitte fmt src/main.vit lib/\n  vitte fmt --check src/\n  \
                      cat main.vit | vitte fmt - > formatted.vit"
    )]
    Fmt {
        /// Files or folders to format; `-` or none: stdin to stdout
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Change nothing: list the files that would change, with their first difference, and exit
        /// with 1 if there is any
        #[arg(long)]
        check: bool,
        /// Say on stderr, for each file, whether it was reformatted or already formatted
        #[arg(short, long)]
        verbose: bool,
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

/// The process's entry point, shared by the two binaries built from this crate: `vitte-dap` (the
/// name the program was started by, without directory or extension) serves the Debug Adapter
/// Protocol ([`vitte_dap::cli::main`]), any other name is the `vitte` command line on the process's
/// standard streams. Being one program, both run a Vitte program with the same machine code, so
/// debugging it costs only what the debugger does, never a different layout of the interpreter.
pub fn process_main() -> i32 {
    let invoked_as = std::env::args_os()
        .next()
        .and_then(|arg0| {
            std::path::Path::new(&arg0)
                .file_stem()
                .map(|stem| stem.to_string_lossy().into_owned())
        })
        .unwrap_or_default();
    if invoked_as == "vitte-dap" {
        return vitte_dap::cli::main();
    }
    let io = CliIo {
        stdin: Box::new(std::io::BufReader::new(std::io::stdin())),
        stdout: Box::new(std::io::BufWriter::new(std::io::stdout())),
        stderr: Box::new(std::io::stderr()),
    };
    main_with(
        std::env::args_os()
            .map(|arg| arg.to_string_lossy().into_owned())
            .collect(),
        io,
    )
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
            max_steps,
            max_heap,
            allow_read,
            allow_write,
            allow_env,
            allow_all,
            heap_stats,
            jit,
            jit_stats,
            record,
        } => {
            let jit = match jit.map_or_else(JitMode::from_env, |mode| Ok(Some(mode))) {
                Ok(mode) => mode.unwrap_or_default(),
                Err(message) => {
                    streams.error(&format!("error: {message}"));
                    return EXIT_USAGE;
                }
            };
            let sandbox = if allow_all {
                Sandbox::allow_all()
            } else {
                Sandbox {
                    read: path_access(allow_read),
                    write: path_access(allow_write),
                    env: allow_env,
                }
            };
            let config = VmConfig {
                max_depth,
                max_steps,
                max_heap: max_heap.0,
                args,
                sandbox,
                jit,
            };
            let reports = Reports {
                heap_stats,
                jit_stats,
            };
            run(&file, config, reports, record.as_deref(), streams)
        }
        Command::Replay { recording, program } => replay(&recording, program, streams),
        Command::Build { file, output } => build(&file, output, streams),
        Command::Check { file } => check(&file, streams),
        Command::Disasm { file, jit: false } => disassemble(&file, streams),
        Command::Disasm { file, jit: true } => match load_vm(&file, VmConfig::default(), streams) {
            Ok(vm) => write_out(
                &vm.jit_listing().unwrap_or_default(),
                "the listing",
                streams,
            ),
            Err(code) => code,
        },
        Command::Fmt {
            files,
            check,
            verbose,
        } => fmt::fmt(&files, check, verbose, streams),
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
    read_regular_file(file)
        .map(Program::Bytecode)
        .map_err(|error| {
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

/// The heap limit of `vitte run` when `--max-heap` is not given.
const DEFAULT_MAX_HEAP: &str = "1G";

/// A `--max-heap` value: bytes, or `None` for `none`.
#[derive(Clone, Copy, Debug)]
struct HeapLimit(Option<usize>);

/// Parses `--max-heap`: `none`, or a number of bytes with an optional `K`, `M` or `G` suffix (powers
/// of 1024).
fn parse_heap_limit(text: &str) -> Result<HeapLimit, String> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("none") {
        return Ok(HeapLimit(None));
    }
    let (digits, shift) = match text.char_indices().last() {
        Some((at, 'k' | 'K')) => (&text[..at], 10),
        Some((at, 'm' | 'M')) => (&text[..at], 20),
        Some((at, 'g' | 'G')) => (&text[..at], 30),
        _ => (text, 0),
    };
    digits
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(1usize << shift))
        .map(|bytes| HeapLimit(Some(bytes)))
        .ok_or_else(|| {
            format!(
                "expected a number of bytes such as 65536, 64K, 64M or 1G, or none; got '{text}'"
            )
        })
}

/// `--allow-read` / `--allow-write`: absent, without paths (anything) or with paths.
fn path_access(flag: Option<Vec<PathBuf>>) -> PathAccess {
    match flag {
        None => PathAccess::Denied,
        Some(paths) if paths.is_empty() => PathAccess::Any,
        Some(paths) => PathAccess::Paths(paths),
    }
}

/// The `--heap-stats` report.
fn heap_report(stats: &HeapStats) -> String {
    let mut out = String::from("heap stats:\n");
    for (kind, counts) in [
        ("strings", stats.strings),
        ("arrays", stats.arrays),
        ("maps", stats.maps),
        ("forms", stats.forms),
        ("picks", stats.picks),
    ] {
        out.push_str(&format!(
            "  {kind}: {} objects, {} bytes\n",
            counts.objects, counts.bytes
        ));
    }
    out.push_str(&format!(
        "  total: {} objects, {} bytes\n  peak heap: {} bytes\n  collections: {}\n",
        stats.objects, stats.bytes, stats.peak_bytes, stats.collections
    ));
    out.push_str(&format!(
        "  gc pauses: total {:.3} ms, longest {:.3} ms\n",
        stats.total_gc_pause.as_secs_f64() * 1000.0,
        stats.longest_gc_pause.as_secs_f64() * 1000.0
    ));
    out
}

/// Makes a VM on these streams and loads `file` into it; on failure, reports why and gives the exit
/// code.
fn load_vm(file: &Path, config: VmConfig, streams: &mut Streams) -> Result<Vm, i32> {
    let program = prepare(file, streams)?;
    let mut vm = Vm::with_config(config);
    vm.set_stdout(Box::new(streams.stdout.clone()));
    vm.set_stderr(Box::new(streams.stderr.clone()));
    let loaded = match program {
        Program::Bytecode(bytes) => vm.load_bytes(&bytes),
        Program::Compiled(module) => vm.load_module(module),
    };
    if let Err(error) = loaded {
        streams.error(&format!("error: {error}"));
        return Err(EXIT_DATA_ERROR);
    }
    Ok(vm)
}

/// Runs the loaded program and gives its exit code, reporting an uncaught runtime error.
fn run_loaded(vm: &mut Vm, streams: &mut Streams) -> i32 {
    match vm.run() {
        Ok(code) => code,
        Err(error) => {
            streams.error(&error.to_string());
            EXIT_RUNTIME_ERROR
        }
    }
}

/// What `vitte run` reports on stderr when the program ends.
#[derive(Clone, Copy, Debug)]
struct Reports {
    heap_stats: bool,
    jit_stats: bool,
}

fn run(
    file: &Path,
    config: VmConfig,
    reports: Reports,
    record: Option<&Path>,
    streams: &mut Streams,
) -> i32 {
    let mut vm = match load_vm(file, config, streams) {
        Ok(vm) => vm,
        Err(code) => return code,
    };
    if let Some(stdin) = streams.stdin.take() {
        vm.set_stdin(stdin);
    }
    if record.is_some() {
        // The path as given, so that a replay compiles the same paths into its traces.
        vm.start_recording(file.to_string_lossy());
    }
    let code = run_loaded(&mut vm, streams);
    if reports.heap_stats {
        streams.error(&heap_report(&vm.heap_stats()));
    }
    if reports.jit_stats
        && let Some(stats) = vm.jit_stats()
    {
        streams.error(stats.to_string().trim_end());
    }
    if let (Some(path), Some(recording)) = (record, vm.finish_recording())
        && let Err(error) = std::fs::write(path, recording.to_bytes())
    {
        streams.error(&format!(
            "error: cannot write '{}': {error}",
            path.display()
        ));
        return EXIT_IO_ERROR;
    }
    code
}

/// `vitte replay FILE.vitrec [PROGRAM]`.
fn replay(file: &Path, program: Option<PathBuf>, streams: &mut Streams) -> i32 {
    let bytes = match std::fs::read(file) {
        Ok(bytes) => bytes,
        Err(error) => {
            streams.error(&format!("error: cannot read '{}': {error}", file.display()));
            return EXIT_NO_INPUT;
        }
    };
    let recording = match Recording::from_bytes(&bytes) {
        Ok(recording) => recording,
        Err(error) => {
            streams.error(&format!("error: {error}"));
            return EXIT_DATA_ERROR;
        }
    };
    let program = program.unwrap_or_else(|| PathBuf::from(&recording.program));
    let mut vm = match load_vm(&program, VmConfig::default(), streams) {
        Ok(vm) => vm,
        Err(code) => return code,
    };
    if let Err(error) = vm.replay(recording) {
        streams.error(&format!("error: {error}"));
        return EXIT_DATA_ERROR;
    }
    run_loaded(&mut vm, streams)
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
    write_out(&disasm::disassemble(&module), "the disassembly", streams)
}

/// Writes `text` (`what`, for the error message) to stdout.
fn write_out(text: &str, what: &str, streams: &mut Streams) -> i32 {
    match streams.stdout.write_all(text.as_bytes()) {
        Ok(()) => 0,
        Err(error) => {
            streams.error(&format!("error: cannot write {what}: {error}"));
            EXIT_IO_ERROR
        }
    }
}
