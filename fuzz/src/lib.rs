//! The bodies of the fuzz targets: each takes the fuzzer's bytes, drives one entry point of the
//! project with them, and panics when a promise is broken. Under libFuzzer every panic is a crash,
//! even one a handler catches (`libfuzzer-sys` aborts from its panic hook), so "never panics" is
//! checked everywhere, including inside the debug adapter's and the language server's
//! `catch_unwind` guards.
//!
//! | target | input | promises checked |
//! | --- | --- | --- |
//! | `vitbc_load` | `.vitbc` bytes | the reader and verifier reject malformed bytes without panicking; what they accept writes back to bytes that read again to the same bytes, disassembles, and (when the VM binds its natives) runs under small limits to an outcome, every function compiled by the JIT |
//! | `compile` | source text | the front end never fails; what it compiles the VM loads (verifier, natives, limits); the formatter never reports an internal error and is idempotent |
//! | `compile_run` | source text | a compiled program runs under small fuel, heap and depth limits to an outcome, never an internal error (nor `invalid bytecode`), and (unless it reads a clock) runs the same from its `.vitbc` bytes, and the same with every function compiled by the JIT as in the interpreter alone (differential testing against the reference interpreter) |
//! | `dap_session` | bytes from a client | the debug adapter's framing and dispatch answer without a caught panic, and the session ends at the end of the input |
//! | `lsp_session` | bytes from a client | the language server's framing, handshake and handlers never panic, and the server ends at the end of the input |
//!
//! The seed corpora are made by `cargo xtask fuzz` from the conformance programs, the debug
//! adapter's transcripts and generated language server sessions; see `docs/security.md`.

#![forbid(unsafe_code)]

use std::cell::RefCell;
use std::io::{self, Cursor, Write};
use std::path::Path;
use std::rc::Rc;

use vitte_compiler::format::{FormatErrorKind, format_source};
use vitte_compiler::loader::FileLoader;
use vitte_vm::bytecode::{Instr, Module, disasm, format};
use vitte_vm::{JitMode, LoadError, RuntimeError, Vm, VmConfig};

/// The path the source under test pretends to have.
const SOURCE_PATH: &str = "fuzz.vit";

/// Limits of every run: small enough that any program ends in milliseconds.
fn run_limits(jit: JitMode) -> VmConfig {
    VmConfig {
        max_depth: 200,
        max_steps: Some(20_000),
        max_heap: Some(4 << 20),
        jit,
        ..VmConfig::default()
    }
}

/// A program made of one file, held in memory.
struct OneFile<'a>(&'a str);

impl FileLoader for OneFile<'_> {
    fn read(&self, path: &Path) -> io::Result<String> {
        if path == Path::new(SOURCE_PATH) {
            Ok(self.0.to_owned())
        } else {
            Err(io::Error::new(io::ErrorKind::NotFound, "only one file"))
        }
    }
}

/// A `Write` whose bytes can be read back after the writer was handed to a VM.
#[derive(Clone, Default)]
struct Captured(Rc<RefCell<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// What a run did: its result and its standard output.
#[derive(Debug, PartialEq)]
struct Outcome {
    result: Result<i32, RuntimeError>,
    stdout: Vec<u8>,
}

/// Whether the module may run in a fuzz target: not when it sleeps, as it could sleep for days of
/// real time (the limits bound steps, not the clock; `docs/security.md`, "Known gaps").
fn may_run(module: &Module) -> bool {
    module.functions.iter().all(|function| {
        function
            .code
            .iter()
            .all(|instr| !matches!(instr, Instr::Sleep { .. }))
    })
}

/// Whether two runs of the module must print the same: not when it reads a clock.
fn is_deterministic(module: &Module) -> bool {
    module
        .natives
        .iter()
        .all(|native| native.name != "clock" && native.name != "now_ms")
}

/// A VM under [`run_limits`] and this JIT mode, with no input and no access to files or the
/// environment, its stdout captured, and `module` loaded.
///
/// # Errors
/// The VM refuses the module: a native it imports does not exist or has another signature, or it
/// breaks a limit of the VM.
fn load(module: Module, jit: JitMode) -> Result<(Vm, Captured), LoadError> {
    let mut vm = Vm::with_config(run_limits(jit));
    let stdout = Captured::default();
    vm.set_stdout(Box::new(stdout.clone()));
    vm.set_stderr(Box::new(io::sink()));
    vm.set_stdin(Box::new(Cursor::new(Vec::new())));
    vm.load_module(module)?;
    Ok((vm, stdout))
}

/// Loads a module the compiler made (which the VM must accept) and runs it; compiled code never
/// ends with an internal error, nor with the invalid bytecode errors of run time.
fn run_compiled(module: Module, jit: JitMode) -> Outcome {
    let outcome = match load(module, jit) {
        Ok((vm, stdout)) => run(vm, &stdout),
        Err(error) => panic!("the compiler made a module the VM refuses: {error}"),
    };
    if let Err(error) = &outcome.result {
        assert!(
            !error.message.starts_with("internal error")
                && !error.message.starts_with("invalid bytecode"),
            "the run ended with {}",
            error.message
        );
    }
    outcome
}

/// Runs a loaded VM to its outcome. A run of hand-made bytecode may end with `invalid bytecode:
/// …`: the VM checks at run time what the verifier cannot know (`pick.field` on a value of another
/// case, which compiled code never does), and ends the run with that error.
fn run(mut vm: Vm, stdout: &Captured) -> Outcome {
    let result = vm.run();
    let stdout = stdout.0.borrow().clone();
    Outcome { result, stdout }
}

/// `vitbc_load`: see the crate documentation.
///
/// The CRC32 trailer is repaired first, so that mutated bytes reach the decoder and the verifier
/// instead of stopping at the checksum (`tests/tests/bytecode_mutation.rs` covers the checksum).
pub fn vitbc_load(data: &[u8]) {
    let mut bytes = data.to_vec();
    if let Some(body) = bytes.len().checked_sub(4) {
        let crc = crc32fast::hash(&bytes[..body]);
        bytes[body..].copy_from_slice(&crc.to_le_bytes());
    }
    let Ok(module) = format::read(&bytes) else {
        return;
    };
    let written = format::write(&module);
    let again = format::read(&written).expect("bytes from the writer read back");
    assert_eq!(
        format::write(&again),
        written,
        "a module read back writes the same bytes"
    );
    let _ = disasm::disassemble(&module);
    if may_run(&module)
        && let Ok((vm, stdout)) = load(module, JitMode::Always)
    {
        run(vm, &stdout);
    }
}

/// `compile`: see the crate documentation.
pub fn compile(data: &[u8]) {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(module) = compile_source(source)
        && let Err(error) = load(module, JitMode::Off)
    {
        panic!("the compiler made a module the VM refuses: {error}");
    }
    match format_source(source) {
        Ok(formatted) => {
            let again = format_source(&formatted).expect("formatted text formats again");
            assert_eq!(again, formatted, "formatting is idempotent");
        }
        Err(error) => assert_ne!(
            error.kind,
            FormatErrorKind::Internal,
            "the formatter failed its own check: {error:?}"
        ),
    }
}

/// `compile_run`: see the crate documentation.
pub fn compile_run(data: &[u8]) {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let Some(module) = compile_source(source) else {
        return;
    };
    if !may_run(&module) {
        return;
    }
    let deterministic = is_deterministic(&module);
    let bytes = format::write(&module);
    let interpreted = run_compiled(module.clone(), JitMode::Off);
    let compiled = run_compiled(module, JitMode::Always);
    let loaded = format::read(&bytes).expect("bytes from the writer read back");
    let from_bytecode = run_compiled(loaded, JitMode::On);
    if deterministic {
        assert_eq!(
            compiled, interpreted,
            "the program runs the same with every function compiled as in the interpreter"
        );
        assert_eq!(
            interpreted, from_bytecode,
            "the program runs the same from source and from its bytecode"
        );
    }
}

/// The module of a one-file program, when it compiles.
fn compile_source(source: &str) -> Option<Module> {
    vitte_compiler::compile_with(&OneFile(source), Path::new(SOURCE_PATH)).module
}

/// `dap_session`: see the crate documentation.
pub fn dap_session(data: &[u8]) {
    use vitte_dap::transport::{ChannelSink, Outbox, spawn_reader};
    use vitte_dap::{SessionOptions, run_session};

    let (to_session, incoming) = crossbeam_channel::unbounded();
    let reader = spawn_reader(Cursor::new(data.to_vec()), to_session, None);
    let (sink, sent) = crossbeam_channel::unbounded();
    run_session(
        incoming,
        Outbox::new(ChannelSink(sink), None),
        SessionOptions::default(),
    );
    reader.join().expect("the reader thread ends");
    for message in sent.try_iter() {
        assert!(
            message["body"]["error"]["id"] != vitte_dap::proto::error_id::INTERNAL,
            "an internal error: {message}"
        );
    }
}

/// `lsp_session`: see the crate documentation.
pub fn lsp_session(data: &[u8]) {
    let (connection, io_threads) =
        vitte_lsp::transport::connect(Cursor::new(data.to_vec()), io::sink(), None);
    let config = vitte_lsp::Config {
        threads: 1,
        test_hooks: false,
    };
    // A failed handshake is the client's fault, not a crash.
    let _ = vitte_lsp::run_server(connection, config, None);
    io_threads
        .join()
        .expect("the reader and writer threads end");
}
