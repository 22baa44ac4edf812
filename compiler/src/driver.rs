//! The compiler's entry points: load a program, check it, generate its module.
//!
//! [`compile_file`] reads from the file system; [`compile_with`] reads through any [`FileLoader`]
//! (a language server passes its open buffers); [`compile_with_options`] also takes
//! [`CompileOptions`], such as the embedder's host functions the program may call. Both always return a [`Compilation`] holding every
//! diagnostic found (loading, syntax, names, types), and a module only when there was no error.

use std::path::Path;

use vitte_vm::bytecode::Module;
use vitte_vm::syscall::HostSignature;

use crate::check::{self, Analysis};
use crate::codegen;
use crate::diagnostics::{Diagnostic, Severity};
use crate::loader::{self, FileLoader, FsLoader, Program};
use crate::source::SourceMap;

/// The result of compiling a program.
#[derive(Debug)]
pub struct Compilation {
    /// Every loaded file's text.
    pub sources: SourceMap,
    /// Every diagnostic, in file then position order.
    pub diagnostics: Vec<Diagnostic>,
    /// The compiled module; `Some` only when there is no error.
    pub module: Option<Module>,
}

impl Compilation {
    /// True when at least one diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }

    /// Every diagnostic rendered (`path:line:col: error: message`, source line, caret), in order.
    pub fn render_diagnostics(&self) -> String {
        crate::diagnostics::render_all(&self.diagnostics, &self.sources)
    }
}

/// What a compilation may assume beyond the language itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CompileOptions {
    /// Host functions the program may call, by name (`host.add(1, 2)` or `add_numbers(1, 2)`); the VM
    /// that runs the module must provide them with these signatures (`Vm::host_signatures` lists what a
    /// VM provides).
    pub host_functions: Vec<HostSignature>,
}

/// Compiles the program whose root file is `path`, reading files from the file system.
pub fn compile_file(path: &Path) -> Compilation {
    compile_with(&FsLoader, path)
}

/// Compiles the program whose root file is `path`, reading files through `loader`.
pub fn compile_with(loader: &dyn FileLoader, path: &Path) -> Compilation {
    compile_with_options(loader, path, &CompileOptions::default())
}

/// Compiles the program whose root file is `path`, reading files through `loader` ([`FsLoader`] for
/// the file system), with `options`.
pub fn compile_with_options(
    loader: &dyn FileLoader,
    path: &Path,
    options: &CompileOptions,
) -> Compilation {
    let program = loader::load_program(loader, path);
    compile_program_with_options(program, options)
}

/// Checks a loaded program and, when it has no error, generates its module.
pub fn compile_program(program: Program) -> Compilation {
    compile_program_with_options(program, &CompileOptions::default())
}

/// [`compile_program`] with `options`.
pub fn compile_program_with_options(program: Program, options: &CompileOptions) -> Compilation {
    let hosts = options.host_functions.as_slice();
    let (analysis, module) = with_pass_stack(&program, || analyze_and_generate(&program, hosts));
    let mut diagnostics = program.diagnostics;
    diagnostics.extend(analysis.diagnostics);
    sort_diagnostics(&mut diagnostics);
    let module = if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        None
    } else {
        module
    };
    Compilation {
        sources: program.sources,
        diagnostics,
        module,
    }
}

/// Checks a loaded program without generating code (what a language server needs).
pub fn analyze(program: &Program) -> Analysis {
    with_pass_stack(program, || check::check(program))
}

/// Stack size of the thread the checker and codegen run on. They walk the tree recursively; the parser
/// bounds nesting to `parser::MAX_NESTING` levels and operator chains to `parser::MAX_CHAIN` links, and
/// this much stack covers both whatever thread the caller is on (the stack is reserved, not committed).
const PASS_STACK_BYTES: usize = 256 << 20;

/// The deepest tree (by [`TreeDepth::walk_bound`](crate::ast::TreeDepth::walk_bound)) the passes walk
/// on the caller's thread. The passes take well under 1 KiB of stack per level of the tree in a
/// release build and a few KiB in a debug build, so this stays within the 2 MiB a Rust thread gets by
/// default (`shallow_programs_compile_on_a_small_stack` checks it). Most programs are this shallow,
/// and they skip starting a thread: under load, waking the caller when the thread ends can cost more
/// than compiling a small program.
pub const CALLER_STACK_WALK_BOUND: u64 = 256;

/// Runs `pass` on the current thread when `program` is shallow enough, else on a thread with
/// [`PASS_STACK_BYTES`] of stack, falling back to the current thread when no thread can be started.
fn with_pass_stack<T: Send>(program: &Program, pass: impl FnOnce() -> T + Send) -> T {
    if program.depth().walk_bound() <= CALLER_STACK_WALK_BOUND {
        return pass();
    }
    let pending = std::sync::Mutex::new(Some(pass));
    let take = || pending.lock().ok().and_then(|mut slot| slot.take());
    let spawned = std::thread::scope(|scope| {
        let thread = std::thread::Builder::new()
            .name("vitte-compiler".into())
            .stack_size(PASS_STACK_BYTES)
            .spawn_scoped(scope, || take().map(|pass| pass()));
        match thread.map(|handle| handle.join()) {
            Ok(Ok(value)) => value,
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            Err(_) => None,
        }
    });
    match spawned {
        Some(value) => value,
        None => match take() {
            Some(pass) => pass(),
            None => unreachable!("the pass runs on exactly one thread"),
        },
    }
}

fn analyze_and_generate(program: &Program, hosts: &[HostSignature]) -> (Analysis, Option<Module>) {
    let mut analysis = check::check_with_hosts(program, hosts);
    let loader_errors = program
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error);
    if loader_errors || analysis.has_errors() || program.files.is_empty() {
        return (analysis, None);
    }
    match codegen::generate(program, &analysis) {
        Ok(module) => (analysis, Some(module)),
        Err(errors) => {
            analysis.diagnostics.extend(errors);
            (analysis, None)
        }
    }
}

/// Orders diagnostics by file, then position; the order found is kept among equals.
fn sort_diagnostics(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by_key(|d| (d.span.file, d.span.start));
}
