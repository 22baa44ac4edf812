//! Shared helpers of the checker and code generation tests: compiling in-memory sources, rendering
//! diagnostics as `LINE:COL: message`, verifying and running the produced modules.

#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use vitte_compiler::diagnostics::Severity;
use vitte_compiler::driver::{Compilation, compile_with};
use vitte_compiler::loader::FileLoader;
use vitte_vm::Vm;
use vitte_vm::bytecode::Module;

/// Sources held in memory, by path.
#[derive(Default)]
pub struct MemLoader {
    files: HashMap<PathBuf, String>,
}

impl MemLoader {
    /// A loader with these `(path, text)` files.
    pub fn new(files: &[(&str, &str)]) -> MemLoader {
        MemLoader {
            files: files
                .iter()
                .map(|(p, t)| (PathBuf::from(p), t.to_string()))
                .collect(),
        }
    }
}

impl FileLoader for MemLoader {
    fn read(&self, path: &Path) -> io::Result<String> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such file"))
    }
}

/// Compiles `main.vit` holding `source`.
pub fn compile(source: &str) -> Compilation {
    compile_files(&[("main.vit", source)], "main.vit")
}

/// Compiles the program whose root is `root` among `files`.
pub fn compile_files(files: &[(&str, &str)], root: &str) -> Compilation {
    compile_with(&MemLoader::new(files), Path::new(root))
}

/// Every error and warning as `LINE:COL: message` (warnings prefixed `warning: `), in order.
pub fn diagnostics(compilation: &Compilation) -> Vec<String> {
    compilation
        .diagnostics
        .iter()
        .map(|d| {
            let (line, col) = compilation.sources.line_col(d.span);
            let prefix = if d.severity == Severity::Warning {
                "warning: "
            } else {
                ""
            };
            format!("{line}:{col}: {prefix}{}", d.message)
        })
        .collect()
}

/// Compiles `source` and asserts the diagnostics are exactly `expected`.
#[track_caller]
pub fn check_diagnostics(source: &str, expected: &[&str]) {
    let compilation = compile(source);
    let actual = diagnostics(&compilation);
    assert_eq!(actual, expected, "diagnostics of:\n{source}");
    assert_eq!(compilation.module.is_some(), !compilation.has_errors());
}

/// Compiles `source`, asserting it has no error and that its module verifies.
#[track_caller]
pub fn module(source: &str) -> Module {
    let compilation = compile(source);
    assert!(
        !compilation.has_errors(),
        "unexpected errors:\n{}",
        compilation.render_diagnostics()
    );
    let module = compilation.module.expect("a module without errors");
    verified(&module);
    module
}

/// Asserts that `module` passes the verifier.
#[track_caller]
pub fn verified(module: &Module) {
    if let Err(error) = vitte_vm::bytecode::verify::verify(module) {
        panic!(
            "module does not verify: {error}\n{}",
            vitte_vm::bytecode::disasm::disassemble(module)
        );
    }
}

/// A `Write` that keeps what is written, shared with the test.
#[derive(Clone, Default)]
pub struct Captured(Rc<RefCell<Vec<u8>>>);

impl Captured {
    /// What was written so far, as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.borrow()).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The outcome of running a program: stdout, and the exit code or the runtime error with its trace.
#[derive(Debug, PartialEq, Eq)]
pub struct Run {
    /// Everything printed on stdout.
    pub stdout: String,
    /// `Ok(exit code)` or `Err(runtime error as displayed)`.
    pub result: Result<i32, String>,
}

/// Compiles and runs `source` (which must compile).
#[track_caller]
pub fn run(source: &str) -> Run {
    run_module(module(source))
}

/// Runs a module in a fresh VM.
pub fn run_module(module: Module) -> Run {
    let stdout = Captured::default();
    let mut vm = Vm::new();
    vm.set_stdout(Box::new(stdout.clone()));
    vm.set_stderr(Box::new(Captured::default()));
    if let Err(error) = vm.load_module(module) {
        return Run {
            stdout: String::new(),
            result: Err(format!("load error: {error}")),
        };
    }
    let result = vm.run().map_err(|e| e.to_string());
    Run {
        stdout: stdout.text(),
        result,
    }
}

/// Runs `source` and asserts its stdout (lines joined with `\n`, final newline added).
#[track_caller]
pub fn check_output(source: &str, expected: &[&str]) {
    let run = run(source);
    let mut want = expected.join("\n");
    if !expected.is_empty() {
        want.push('\n');
    }
    assert_eq!(
        run.stdout, want,
        "output of:\n{source}\nresult: {:?}",
        run.result
    );
    assert!(
        run.result.is_ok(),
        "runtime error {:?} in:\n{source}",
        run.result
    );
}
