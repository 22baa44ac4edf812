//! The `vitte` command itself: help and version, usage errors, unreadable input, `build` output paths,
//! `check`, and `disasm` of both source and bytecode.

use std::path::PathBuf;

use vitte_tests::{Outcome, vitte};

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn example(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn scratch(name: &str) -> String {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli");
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir.join(name).to_string_lossy().into_owned()
}

#[test]
fn help_and_version() {
    let help = vitte(&args(&["--help"]), "");
    assert_eq!(help.code, 0);
    for command in ["run", "build", "check", "disasm"] {
        assert!(
            help.stdout.contains(command),
            "--help does not list {command}:\n{}",
            help.stdout
        );
    }
    let version = vitte(&args(&["--version"]), "");
    assert_eq!(version.code, 0);
    assert_eq!(
        version.stdout.trim(),
        format!("vitte {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn usage_errors_exit_2_with_a_message() {
    let Outcome { code, stderr, .. } = vitte(&args(&["frobnicate"]), "");
    assert_eq!(code, 2);
    assert!(stderr.contains("frobnicate"), "{stderr}");
    let Outcome { code, .. } = vitte(&args(&["run"]), "");
    assert_eq!(code, 2);
}

#[test]
fn unreadable_input_exits_66() {
    for command in ["run", "build", "check", "disasm"] {
        let outcome = vitte(&args(&[command, "no/such/file.vit"]), "");
        assert_eq!(outcome.code, 66, "{command}: {outcome:?}");
        assert!(
            outcome
                .stderr
                .starts_with("error: cannot read 'no/such/file.vit'"),
            "{outcome:?}"
        );
    }
    let outcome = vitte(&args(&["run", "no/such/file.vitbc"]), "");
    assert_eq!(outcome.code, 66);
}

#[test]
fn unwritable_output_exits_74() {
    let outcome = vitte(
        &args(&[
            "build",
            &example("hello.vit"),
            "-o",
            "/nonexistent/dir/x.vitbc",
        ]),
        "",
    );
    assert_eq!(outcome.code, 74, "{outcome:?}");
    assert!(
        outcome.stderr.starts_with("error: cannot write"),
        "{outcome:?}"
    );
}

#[test]
fn build_writes_bytecode_that_runs_with_arguments() {
    let out = scratch("fib.vitbc");
    let built = vitte(&args(&["build", &example("fib.vit"), "-o", &out]), "");
    assert_eq!(
        built,
        Outcome {
            code: 0,
            stdout: String::new(),
            stderr: String::new()
        }
    );
    let from_source = vitte(&args(&["run", &example("fib.vit")]), "");
    let from_bytecode = vitte(&args(&["run", &out]), "");
    assert_eq!(from_source, from_bytecode);
    assert!(
        from_source.stdout.contains("fib(20) = 6765"),
        "{from_source:?}"
    );
}

#[test]
fn check_reports_success_silently() {
    let outcome = vitte(&args(&["check", &example("nbody.vit")]), "");
    assert_eq!(
        outcome,
        Outcome {
            code: 0,
            stdout: String::new(),
            stderr: String::new()
        }
    );
}

#[test]
fn disasm_interleaves_source_lines() {
    let source = vitte(&args(&["disasm", &example("hello.vit")]), "");
    assert_eq!(source.code, 0, "{source:?}");
    assert!(
        source.stdout.contains("print(\"Hello from Vitte VM!\");"),
        "{}",
        source.stdout
    );
    assert!(source.stdout.contains("call.native"), "{}", source.stdout);
    let out = scratch("hello.vitbc");
    assert_eq!(
        vitte(&args(&["build", &example("hello.vit"), "-o", &out]), "").code,
        0
    );
    let bytecode = vitte(&args(&["disasm", &out]), "");
    assert_eq!(bytecode, source);
}

#[test]
fn run_passes_arguments_and_max_depth() {
    let out = vitte(
        &args(&["run", "--max-depth", "50", &example("fib.vit")]),
        "",
    );
    assert_eq!(out.code, 0, "{out:?}");
    let nbody = vitte(&args(&["run", &example("nbody.vit"), "10"]), "");
    assert_eq!(nbody.code, 0, "{nbody:?}");
    assert_eq!(nbody.stdout.lines().count(), 2);
}

#[test]
fn heap_stats_report_their_shape_on_stderr() {
    let program = scratch("heap_stats.vit");
    std::fs::write(
        &program,
        "form P { x: int, y: int, z: int }\n\
         proc main() {\n\
             let names = [\"a\", \"b\"];\n\
             let m: Map[string, int] = {\"k\": 1};\n\
             let p = P { x: 1, y: 2, z: 3 };\n\
             let mut s = \"\";\n\
             for i in 0..20000 { set s = str(i); }\n\
             print(len(names) + len(m) + p.x);\n\
         }\n",
    )
    .expect("write the program");
    let run = vitte(&args(&["run", "--heap-stats", &program]), "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "4\n");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.first(), Some(&"heap stats:"), "{}", run.stderr);
    let prefixes = [
        "  strings: ",
        "  arrays: ",
        "  maps: ",
        "  forms: ",
        "  picks: ",
        "  total: ",
        "  peak heap: ",
        "  collections: ",
        "  gc pauses: total ",
    ];
    assert_eq!(lines.len(), prefixes.len() + 1, "{}", run.stderr);
    for (line, prefix) in lines[1..].iter().zip(prefixes) {
        assert!(
            line.starts_with(prefix),
            "{line:?} should start with {prefix:?}"
        );
    }
    assert!(
        lines[2].starts_with("  arrays: 1 objects, "),
        "{}",
        run.stderr
    );
    assert!(
        lines[3].starts_with("  maps: 1 objects, "),
        "{}",
        run.stderr
    );
    assert!(
        lines[4].starts_with("  forms: 1 objects, "),
        "{}",
        run.stderr
    );
    assert!(
        lines[5].starts_with("  picks: 0 objects, 0 bytes"),
        "{}",
        run.stderr
    );
    assert!(lines[9].ends_with(" ms"), "{}", run.stderr);

    let failing = vitte(
        &args(&["run", "--heap-stats", "--max-steps", "10", &program]),
        "",
    );
    assert_eq!(failing.code, 70);
    assert!(
        failing
            .stderr
            .starts_with("error: step limit of 10 exceeded")
    );
    assert!(
        failing.stderr.contains("\nheap stats:\n"),
        "{}",
        failing.stderr
    );
}

#[test]
fn bad_limit_values_are_usage_errors() {
    let hello = example("hello.vit");
    let run = vitte(&args(&["run", "--max-heap", "lots", &hello]), "");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--max-heap"), "{}", run.stderr);
    for ok in ["65536", "64K", "64m", "1G", "none"] {
        let run = vitte(&args(&["run", "--max-heap", ok, &hello]), "");
        assert_eq!(run.code, 0, "--max-heap {ok}: {}", run.stderr);
    }
}
