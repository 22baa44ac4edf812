//! `vitte run --record` and `vitte replay`: a replay reproduces the recorded run byte for byte
//! without stdin, files or the environment; a changed program, a damaged recording or a program
//! that asks for other inputs gives a clear error, never a panic.

use std::path::{Path, PathBuf};

use vitte_tests::{Outcome, vitte};

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// An empty scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("record_replay")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

fn text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

fn write(path: &Path, contents: &str) {
    std::fs::write(path, contents).expect("write a test file");
}

/// Reads stdin, both clocks, a file (and a denied one), writes a file, prints what it got.
const INPUTS: &str = r#"
proc main() {
    let dir = args()[0];
    let line = read_line();
    let mut got = "end of input";
    if line != null {
        let text: string = line;
        set got = text;
    }
    print("stdin: " + got);
    let t0 = clock();
    let t1 = clock();
    print("clock: " + str(t0) + " " + str(t1));
    print("now_ms: " + str(now_ms()));
    print("file: " + read_file(dir + "/data.txt"));
    try {
        print(read_file("/elsewhere/secret.txt"));
    } catch e {
        print("caught: " + e);
    }
    write_file(dir + "/out.txt", got);
    eprint("done");
}
"#;

#[test]
fn replay_reproduces_a_run_without_stdin_or_files() {
    let dir = scratch("inputs");
    let program = dir.join("inputs.vit");
    write(&program, INPUTS);
    write(&dir.join("data.txt"), "recorded contents");
    let recording = dir.join("run.vitrec");
    let allow_read = format!("--allow-read={}", text(&dir));
    let allow_write = format!("--allow-write={}", text(&dir));
    let recorded = vitte(
        &args(&[
            "run",
            "--record",
            &text(&recording),
            &allow_read,
            &allow_write,
            &text(&program),
            &text(&dir),
        ]),
        "first line\nsecond\n",
    );
    assert_eq!(recorded.code, 0, "{recorded:?}");
    assert!(
        recorded.stdout.contains("stdin: first line\n"),
        "{recorded:?}"
    );
    assert!(
        recorded.stdout.contains("file: recorded contents\n"),
        "{recorded:?}"
    );
    assert!(
        recorded
            .stdout
            .contains("caught: permission denied: read_file(\"/elsewhere/secret.txt\")"),
        "{recorded:?}"
    );
    assert_eq!(recorded.stderr, "done\n");
    assert_eq!(
        std::fs::read_to_string(dir.join("out.txt")).ok().as_deref(),
        Some("first line")
    );

    // The inputs are gone or different: the replay uses none of them.
    std::fs::remove_file(dir.join("data.txt")).expect("delete the data file");
    std::fs::remove_file(dir.join("out.txt")).expect("delete the output file");
    std::thread::sleep(std::time::Duration::from_millis(20));
    for replayed in [
        vitte(&args(&["replay", &text(&recording)]), "other input\n"),
        vitte(&args(&["replay", &text(&recording), &text(&program)]), ""),
    ] {
        assert_eq!(replayed, recorded);
    }
    assert!(
        !dir.join("out.txt").exists(),
        "a replay must not write files"
    );
}

#[test]
fn replay_of_a_changed_program_is_refused() {
    let dir = scratch("changed");
    let program = dir.join("prog.vit");
    write(&program, "proc main() { print(str(clock() >= 0.0)); }\n");
    let recording = dir.join("run.vitrec");
    let recorded = vitte(
        &args(&["run", "--record", &text(&recording), &text(&program)]),
        "",
    );
    assert_eq!(recorded.code, 0, "{recorded:?}");
    // Another spelling of the same file, or its bytecode, is the same program.
    let respelled = dir.join(".").join("prog.vit");
    let outcome = vitte(&args(&["replay", &text(&recording), &text(&respelled)]), "");
    assert_eq!(outcome.code, 0, "{outcome:?}");
    assert_eq!(outcome.stdout, recorded.stdout);
    let bytecode = dir.join("prog.vitbc");
    let built = vitte(
        &args(&["build", &text(&program), "-o", &text(&bytecode)]),
        "",
    );
    assert_eq!(built.code, 0, "{built:?}");
    let outcome = vitte(&args(&["replay", &text(&recording), &text(&bytecode)]), "");
    assert_eq!(outcome.code, 0, "{outcome:?}");
    assert_eq!(outcome.stdout, recorded.stdout);

    // A changed expression changes the bytecode.
    write(&program, "proc main() { print(str(clock() > 0.0)); }\n");
    let Outcome {
        code,
        stdout,
        stderr,
    } = vitte(&args(&["replay", &text(&recording)]), "");
    assert_eq!(code, 65, "{stderr}");
    assert_eq!(stdout, "");
    assert!(
        stderr.starts_with("error: the program changed since it was recorded (recorded hash "),
        "{stderr}"
    );
    assert!(stderr.contains(", now "), "{stderr}");
}

#[test]
fn damaged_recordings_give_clean_errors() {
    let dir = scratch("damaged");
    let program = dir.join("prog.vit");
    write(
        &program,
        "proc main() { let l = read_line(); print(str(now_ms() > 0)); print(str(l != null)); }\n",
    );
    let recording = dir.join("run.vitrec");
    let recorded = vitte(
        &args(&["run", "--record", &text(&recording), &text(&program), "x"]),
        "line\n",
    );
    assert_eq!(recorded.code, 0, "{recorded:?}");
    let bytes = std::fs::read(&recording).expect("read the recording");
    let damaged = dir.join("damaged.vitrec");
    for end in 0..bytes.len() {
        std::fs::write(&damaged, &bytes[..end]).expect("write a truncated recording");
        let outcome = vitte(&args(&["replay", &text(&damaged)]), "");
        assert_eq!(outcome.code, 65, "truncated at {end}: {outcome:?}");
        assert!(
            outcome.stderr.starts_with("error: invalid recording: ")
                && outcome.stderr.contains(", at byte "),
            "truncated at {end}: {outcome:?}"
        );
        assert_eq!(outcome.stdout, "");
    }
    for at in 0..bytes.len() {
        let mut changed = bytes.clone();
        changed[at] ^= 0x5a;
        std::fs::write(&damaged, &changed).expect("write a damaged recording");
        let outcome = vitte(&args(&["replay", &text(&damaged)]), "");
        assert_eq!(outcome.code, 65, "byte {at} changed: {outcome:?}");
        assert!(
            outcome.stderr.starts_with("error: invalid recording: "),
            "byte {at} changed: {outcome:?}"
        );
    }
    std::fs::write(&damaged, b"not a recording at all").expect("write garbage");
    let outcome = vitte(&args(&["replay", &text(&damaged)]), "");
    assert_eq!(
        outcome.stderr,
        "error: invalid recording: not a recording (bad magic bytes), at byte 0\n"
    );
    let missing = vitte(&args(&["replay", &text(&dir.join("missing.vitrec"))]), "");
    assert_eq!(missing.code, 66, "{missing:?}");
    // The intact recording still replays.
    assert_eq!(vitte(&args(&["replay", &text(&recording)]), ""), recorded);
}

#[test]
fn a_recorded_runtime_error_replays_to_the_same_error() {
    let dir = scratch("runtime_error");
    let program = dir.join("fails.vit");
    write(
        &program,
        "proc main() {\n    let t = clock();\n    print(\"started\");\n    let xs = [1, 2];\n    print(str(xs[int(t) + 5]));\n}\n",
    );
    let recording = dir.join("run.vitrec");
    let recorded = vitte(
        &args(&["run", "--record", &text(&recording), &text(&program)]),
        "",
    );
    assert_eq!(recorded.code, 70, "{recorded:?}");
    assert!(recorded.stderr.contains("index"), "{recorded:?}");
    assert_eq!(vitte(&args(&["replay", &text(&recording)]), ""), recorded);
}

#[test]
fn arguments_and_environment_are_replayed() {
    let dir = scratch("args_env");
    let program = dir.join("env.vit");
    write(
        &program,
        r#"
proc main() -> int {
    for a in args() { print("arg " + a); }
    let home = env("VITTE_REPLAY_TEST_UNSET_VARIABLE");
    print(str(home == null));
    let path = env("PATH");
    print(str(path != null));
    give len(args());
}
"#,
    );
    let recording = dir.join("run.vitrec");
    let recorded = vitte(
        &args(&[
            "run",
            "--allow-env",
            "--record",
            &text(&recording),
            &text(&program),
            "one",
            "two words",
        ]),
        "",
    );
    assert_eq!(recorded.code, 2, "{recorded:?}");
    assert!(
        recorded
            .stdout
            .starts_with("arg one\narg two words\ntrue\n")
    );
    assert_eq!(vitte(&args(&["replay", &text(&recording)]), ""), recorded);

    // Without --allow-env the denial is recorded, and replayed.
    let denied = vitte(
        &args(&["run", "--record", &text(&recording), &text(&program), "x"]),
        "",
    );
    assert_eq!(denied.code, 70, "{denied:?}");
    assert!(denied.stderr.contains("needs --allow-env"), "{denied:?}");
    assert_eq!(vitte(&args(&["replay", &text(&recording)]), ""), denied);
}

#[test]
fn a_program_asking_for_other_inputs_diverges() {
    use vitte_vm::{Event, Recording, Vm, VmConfig};

    let dir = scratch("diverged");
    let program = dir.join("prog.vit");
    write(&program, "proc main() { print(str(clock())); }\n");
    let recording = dir.join("run.vitrec");
    let recorded = vitte(
        &args(&["run", "--record", &text(&recording), &text(&program)]),
        "",
    );
    assert_eq!(recorded.code, 0, "{recorded:?}");
    let bytes = std::fs::read(&recording).expect("read the recording");
    let mut edited = Recording::from_bytes(&bytes).expect("a valid recording");

    // Another kind of input where the program asks for the clock.
    edited.events = vec![Event::NowMs(5)];
    let other = dir.join("other.vitrec");
    std::fs::write(&other, edited.to_bytes()).expect("write the recording");
    let outcome = vitte(&args(&["replay", &text(&other)]), "");
    assert_eq!(outcome.code, 70, "{outcome:?}");
    assert!(
        outcome
            .stderr
            .starts_with("error: replay diverged: expected now_ms(), program asked for clock()"),
        "{outcome:?}"
    );

    // The log runs out.
    edited.events.clear();
    std::fs::write(&other, edited.to_bytes()).expect("write the recording");
    let outcome = vitte(&args(&["replay", &text(&other)]), "");
    assert_eq!(outcome.code, 70, "{outcome:?}");
    assert!(
        outcome.stderr.starts_with(
            "error: replay diverged: expected the end of the recording, program asked for clock()"
        ),
        "{outcome:?}"
    );

    // The program ends before taking every recorded input.
    edited.events = vec![Event::Clock(1.5), Event::Args];
    std::fs::write(&other, edited.to_bytes()).expect("write the recording");
    let outcome = vitte(&args(&["replay", &text(&other)]), "");
    assert_eq!(outcome.code, 70, "{outcome:?}");
    assert_eq!(outcome.stdout, "1.5\n");
    assert!(
        outcome
            .stderr
            .starts_with("error: replay diverged: expected args(), program asked for nothing more"),
        "{outcome:?}"
    );

    // The same through the Rust API: record to memory, replay from the recording.
    let module = vitte_compiler::driver::compile_file(&program)
        .module
        .expect("the program compiles");
    let recorded_output = vitte_tests::SharedBuffer::default();
    let mut vm = Vm::with_config(VmConfig::default());
    vm.set_stdout(Box::new(recorded_output.clone()));
    vm.load_module(module.clone()).expect("loads");
    vm.start_recording("prog.vit");
    assert_eq!(vm.run(), Ok(0));
    let recording = vm.finish_recording().expect("a recording");
    assert!(matches!(recording.events.as_slice(), [Event::Clock(_)]));
    let mut bytes = Vec::new();
    recording.write_to(&mut bytes).expect("write to memory");
    std::thread::sleep(std::time::Duration::from_millis(5));
    let replayed_output = vitte_tests::SharedBuffer::default();
    let mut again = Vm::new();
    again.set_stdout(Box::new(replayed_output.clone()));
    again.load_module(module).expect("loads");
    again
        .replay(Recording::from_bytes(&bytes).expect("reads back"))
        .expect("same program");
    assert_eq!(again.run(), Ok(0));
    assert_eq!(replayed_output.text(), recorded_output.text());
}

/// Threads that sleep and read the clock: the interleaving, the clock values and the output replay
/// exactly, and replay does not wait for the recorded sleeps.
const SLEEPING_THREADS: &str = r#"
proc worker(c: Chan[float], n: int) {
    for i in 0..n {
        sleep(2 * thread_id());
        send(c, clock());
    }
}

proc main() {
    let c: Chan[float] = chan(1);
    let a = spawn worker(c, 3);
    let b = spawn worker(c, 3);
    for i in 0..6 { print(recv(c)); }
    join(a);
    join(b);
    print(now_ms());
}
"#;

#[test]
fn threads_sleep_and_clock_replay_identically() {
    let dir = scratch("threads");
    let program = dir.join("threads.vit");
    write(&program, SLEEPING_THREADS);
    let recording = dir.join("run.vitrec");
    let recorded = vitte(
        &args(&["run", "--record", &text(&recording), &text(&program)]),
        "",
    );
    assert_eq!(recorded.code, 0, "{recorded:?}");
    assert_eq!(recorded.stdout.lines().count(), 7, "{recorded:?}");
    let live_again = vitte(&args(&["run", &text(&program)]), "");
    assert_ne!(
        live_again.stdout, recorded.stdout,
        "a live run reads new clock values, so only replay can reproduce the recorded ones"
    );
    assert_eq!(vitte(&args(&["replay", &text(&recording)]), ""), recorded);
}
