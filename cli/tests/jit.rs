//! The JIT's command-line surface, run as the real `vitte` binary (the environment variable
//! `VITTE_JIT` is read by the process, so these tests start their own): `--jit`, `VITTE_JIT`,
//! `--jit-stats` and `vitte disasm --jit`.

use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs `vitte ARGS…` with `VITTE_JIT` set to `jit` (or unset).
fn vitte(args: &[&str], jit: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vitte"));
    command.args(args).env_remove("VITTE_JIT");
    if let Some(mode) = jit {
        command.env("VITTE_JIT", mode);
    }
    command.output().expect("vitte starts")
}

fn example(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name)
        .display()
        .to_string()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_environment_sets_the_default_mode_and_the_flag_wins() {
    let fib = example("fib.vit");
    let always = vitte(&["run", "--jit-stats", &fib], Some("always"));
    assert_eq!(always.status.code(), Some(0), "{}", text(&always.stderr));
    let stats = text(&always.stderr);
    assert!(
        stats.contains("jit: compiled: ") && stats.contains("fib"),
        "{stats}"
    );

    let off = vitte(
        &["run", "--jit", "off", "--jit-stats", &fib],
        Some("always"),
    );
    assert_eq!(off.status.code(), Some(0));
    let stats = text(&off.stderr);
    assert!(stats.contains("jit: 0 function(s) compiled"), "{stats}");
    assert_eq!(
        off.stdout, always.stdout,
        "the same output with and without the JIT"
    );
}

#[test]
fn a_bad_mode_is_a_usage_error() {
    let hello = example("hello.vit");
    let from_environment = vitte(&["run", &hello], Some("sometimes"));
    assert_eq!(from_environment.status.code(), Some(2));
    let message = text(&from_environment.stderr);
    assert!(
        message.contains("VITTE_JIT") && message.contains("off, on or always"),
        "{message}"
    );
    let from_flag = vitte(&["run", "--jit", "fast", &hello], None);
    assert_eq!(from_flag.status.code(), Some(2));
    assert!(
        text(&from_flag.stderr).contains("--jit"),
        "{}",
        text(&from_flag.stderr)
    );
}

#[test]
fn disasm_jit_prints_each_function_s_ir_and_machine_code() {
    let listing = vitte(&["disasm", "--jit", &example("fib.vit")], None);
    assert_eq!(listing.status.code(), Some(0), "{}", text(&listing.stderr));
    let out = text(&listing.stdout);
    assert!(out.contains("; function fib\n"), "{out}");
    assert!(out.contains("; Cranelift IR\n"), "{out}");
    assert!(out.contains("; machine code ("), "{out}");
    // The IR calls compiled callees through the code table, and counts fuel.
    assert!(out.contains("call_indirect"), "{out}");
}
