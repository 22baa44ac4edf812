//! Damaged `.vitbc` files: every one must be refused with `error: invalid bytecode: WHAT, at byte N`
//! and exit code 65, never run and never panic.
//!
//! A small program is built once; the tests then feed the CLI truncated copies (every length), copies
//! with one byte changed (every position), and files that are not bytecode at all. The CRC32 trailer
//! catches a changed byte before anything else looks at it, so a last test changes bytes and then fixes
//! the trailer: that file reaches the reader and the verifier, and must be refused properly or run
//! without a panic. (A changed loop bound or jump can make a valid program that runs for a very long
//! time, so a run still going after two seconds counts as running.)

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use vitte_tests::{EXIT_COMPILE_ERROR, Outcome, vitte};

/// The program whose bytecode gets damaged: a little of everything (forms, picks, strings, maps,
/// globals, a loop and a call), so that every section of the file is present.
const PROGRAM: &str = r#"
form Point { x: int, y: int }
pick Shape { case Dot, case Box(w: int) }
let names: Map[string, int] = {"a": 1};

proc size(s: Shape) -> int {
    match s {
        case Dot => 0;
        case Box(w) => w * w;
    }
}

proc main() {
    let p = Point { x: 2, y: 3 };
    let mut total = 0;
    for i in 0..3 { set total += size(Shape.Box(i)) + p.x; }
    print("total " + str(total + names["a"]));
}
"#;

/// A fresh path under this target's scratch folder.
fn scratch(name: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bytecode_files");
    std::fs::create_dir_all(&dir).expect("scratch folder can be created");
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    dir.join(format!("{}-{n}-{name}", std::process::id()))
}

/// Writes [`PROGRAM`] to a fresh source file.
fn program_source() -> PathBuf {
    let source = scratch("program.vit");
    std::fs::write(&source, PROGRAM).expect("source can be written");
    source
}

/// Builds `source`, checks that the result runs, and gives the bytes of the `.vitbc`.
fn build(source: &Path) -> Vec<u8> {
    let output = scratch("program.vitbc");
    let built = vitte(
        &[
            "build".to_owned(),
            source.display().to_string(),
            "-o".to_owned(),
            output.display().to_string(),
        ],
        "",
    );
    assert_eq!(
        built.code, 0,
        "the sample program must build:\n{}",
        built.stderr
    );
    let run = vitte(&["run".to_owned(), output.display().to_string()], "");
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "total 12\n"),
        "the sample program must run:\n{}",
        run.stderr
    );
    let bytes = std::fs::read(&output).expect("the built file can be read");
    let _ = std::fs::remove_file(&output);
    bytes
}

/// The bytes of [`PROGRAM`]'s `.vitbc`.
fn built_program() -> Vec<u8> {
    let source = program_source();
    let bytes = build(&source);
    let _ = std::fs::remove_file(&source);
    bytes
}

/// Runs `bytes` as a `.vitbc` file.
fn run_bytes(bytes: &[u8]) -> Outcome {
    let path = scratch("damaged.vitbc");
    std::fs::write(&path, bytes).expect("scratch file can be written");
    let outcome = vitte(&["run".to_owned(), path.display().to_string()], "");
    let _ = std::fs::remove_file(&path);
    outcome
}

/// Whether `outcome` is a proper refusal: exit 65, nothing on stdout, and a first stderr line
/// `error: invalid bytecode: WHAT, at byte N`.
fn refusal_problem(outcome: &Outcome) -> Option<String> {
    let first = outcome.stderr.lines().next().unwrap_or("");
    let well_formed = first
        .strip_prefix("error: invalid bytecode: ")
        .and_then(|rest| rest.rsplit_once(", at byte "))
        .is_some_and(|(what, offset)| !what.is_empty() && offset.parse::<u64>().is_ok());
    if outcome.code == EXIT_COMPILE_ERROR && outcome.stdout.is_empty() && well_formed {
        None
    } else {
        Some(format!(
            "exit code {}, stdout {:?}, stderr {:?}",
            outcome.code, outcome.stdout, outcome.stderr
        ))
    }
}

#[test]
fn building_twice_gives_identical_bytes() {
    let source = program_source();
    let first = build(&source);
    let second = build(&source);
    let _ = std::fs::remove_file(&source);
    assert!(first == second, "two builds of one source differ");
}

#[test]
fn files_that_are_not_bytecode_are_refused() {
    let samples: [&[u8]; 4] = [
        b"",
        b"VITBC",
        b"not bytecode at all",
        b"fn main() { print(1); }\n",
    ];
    for sample in samples {
        if let Some(problem) = refusal_problem(&run_bytes(sample)) {
            panic!("{sample:?} was not refused properly: {problem}");
        }
    }
}

#[test]
fn every_truncation_is_refused() {
    let bytes = built_program();
    let failures: Vec<String> = (0..bytes.len())
        .filter_map(|length| {
            refusal_problem(&run_bytes(&bytes[..length]))
                .map(|problem| format!("first {length} bytes: {problem}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} truncations were not refused properly:\n{}",
        failures.len(),
        bytes.len(),
        failures
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn every_changed_byte_is_refused() {
    let bytes = built_program();
    let failures: Vec<String> = (0..bytes.len())
        .filter_map(|at| {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x5a;
            refusal_problem(&run_bytes(&damaged))
                .map(|problem| format!("byte {at} changed: {problem}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} one-byte changes were not refused properly:\n{}",
        failures.len(),
        bytes.len(),
        failures
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn trailing_bytes_are_refused() {
    let mut bytes = built_program();
    bytes.extend_from_slice(b"extra");
    if let Some(problem) = refusal_problem(&run_bytes(&bytes)) {
        panic!("a file with bytes after its end was not refused properly: {problem}");
    }
}

/// CRC32 (IEEE polynomial, reflected), as the format's trailer uses.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xedb8_8320 & mask);
        }
    }
    !crc
}

/// `bytes` with its last four bytes replaced by the CRC32 of the rest.
fn with_fixed_trailer(mut bytes: Vec<u8>) -> Vec<u8> {
    let body = bytes.len() - 4;
    let crc = crc32(&bytes[..body]);
    bytes[body..].copy_from_slice(&crc.to_le_bytes());
    bytes
}

#[test]
fn the_trailer_is_a_crc32_of_the_rest() {
    let bytes = built_program();
    assert_eq!(with_fixed_trailer(bytes.clone()), bytes);
}

#[test]
fn changes_behind_a_valid_trailer_are_refused_or_run_safely() {
    let bytes = built_program();
    let body = bytes.len() - 4;
    let mut failures = Vec::new();
    for at in 0..body {
        for flip in [0x01u8, 0x80] {
            let mut damaged = bytes.clone();
            damaged[at] ^= flip;
            let damaged = with_fixed_trailer(damaged);
            let (done, result) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                let _ = done.send(std::panic::catch_unwind(|| run_bytes(&damaged)));
            });
            match result.recv_timeout(std::time::Duration::from_secs(2)) {
                Ok(Ok(outcome)) => {
                    let refused = outcome.code == EXIT_COMPILE_ERROR;
                    if refused && let Some(problem) = refusal_problem(&outcome) {
                        failures.push(format!("byte {at} ^ {flip:#04x}: {problem}"));
                    }
                }
                Ok(Err(_)) => failures.push(format!("byte {at} ^ {flip:#04x}: the CLI panicked")),
                // A valid program that loops for a long time; its thread ends with the process.
                Err(_) => {}
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} damaged files behind a valid trailer were mishandled:\n{}",
        failures.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
