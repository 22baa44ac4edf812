//! The conformance harness: runs a Vitte program through the `vitte` command line, in process, and checks
//! the run against the expectations written in the program's comments.
//!
//! # Which files are programs
//! - Under `tests/programs`, every `.vit` file is a test, except files whose name (or the name of a folder
//!   they are in) starts with `_`: those are modules used by other programs through `use`.
//! - Under `examples`, the `.vit` files directly in the folder are tests (except `_`-prefixed ones), and in
//!   each subfolder only `main.vit` is: the other files of a subfolder are the modules of that multi-file
//!   example. An example without any annotation (`hello.vit`, kept exactly as the README shows it) only
//!   has to run successfully with nothing on stderr; its stdout is not compared.
//!
//! `build.rs` applies these rules and generates one `#[test]` per program.
//!
//! # Annotations
//! Annotations are line comments anywhere in the program:
//! - `// expect: TEXT` — the next line of stdout. All of stdout must match, line by line, in order; a
//!   program without any expects empty stdout.
//! - `// expect stderr: TEXT` — the next line of stderr; these lines must start stderr (a runtime error
//!   then follows them). Without any, only the rules below apply to stderr.
//! - `// expect error: MESSAGE` — a compile error on the line of the annotation: stderr has a line
//!   `PATH:LINE:COL: error: MESSAGE` for this file and line (any column). The exit code is 65 and stderr
//!   holds exactly as many `error:` diagnostic lines as there are annotations.
//! - `// expect error at FILE:LINE: MESSAGE` — the same for an error reported in another file of the
//!   program (a used module), FILE being relative to the program's folder.
//! - `// expect runtime error: MESSAGE` — the first stderr line after any `expect stderr` lines is
//!   `error: MESSAGE`; the exit code is 70.
//! - `// expect trace: at PROC (REL/PATH.vit:LINE:COL)` — this line appears in stderr (trimmed), with paths
//!   relative to the program root (`tests/programs` or `examples`); several trace lines must appear in the
//!   order they are annotated, so write them innermost frame first.
//! - `// expect exit: N` — the exit code as a process would see it (`main` giving `300` exits with `44`:
//!   only the low 8 bits are compared). Default: 65 with `expect error`, 70 with `expect runtime error`,
//!   else 0.
//! - `// args: a b c` — the program's arguments (split on whitespace; may be repeated).
//! - `// stdin: TEXT` — one line of standard input (each annotation adds a line).
//! - `// flags: --allow-read=data --max-heap 1M` — options of `vitte run`, placed before the program
//!   (split on whitespace; may be repeated). The paths of `--allow-read=PATHS` and `--allow-write=PATHS`
//!   are relative to the program's folder, except those starting with `{scratch}`.
//!
//! In `args:` and `flags:`, `{dir}` stands for the program's folder and `{scratch}` for an empty
//! scratch folder of this test (for programs that write files).
//!
//! # What a test checks
//! 1. `vitte run FILE.vit ARGS…`: exit code, stdout and stderr as annotated.
//! 2. For a program that compiles (no `expect error`): `vitte build FILE.vit -o A.vitbc` and again to
//!    `B.vitbc`; the two files must be byte-identical (the writer is deterministic).
//! 3. `vitte run A.vitbc ARGS…` with the same stdin: stdout, exit code and stderr identical to step 1
//!    (minus the warnings that compiling printed, which a bytecode run does not repeat).
//!
//! Runs happen on a helper thread with a large stack and a time limit (120 s, 900 s under `stress_gc`,
//! or `VITTE_TEST_TIMEOUT` seconds), so a runaway program fails its test instead of hanging the suite.

#![forbid(unsafe_code)]

use std::cell::RefCell;
use std::fmt::Write as _;
use std::io::{self, Cursor, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// Exit code of a compile error.
pub const EXIT_COMPILE_ERROR: i32 = 65;
/// Exit code of an uncaught runtime error.
pub const EXIT_RUNTIME_ERROR: i32 = 70;

/// A compile error the program expects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectedError {
    /// The file it is reported in, relative to the program's folder; `None` for the program itself.
    pub file: Option<String>,
    /// 1-based line (of the annotation, for the program itself).
    pub line: usize,
    /// The message after `error: `.
    pub message: String,
}

/// Everything a program's annotations say about its run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expectations {
    /// Lines of stdout, in order.
    pub stdout: Vec<String>,
    /// Lines that start stderr.
    pub stderr: Vec<String>,
    /// Compile errors, in file order.
    pub errors: Vec<ExpectedError>,
    /// The runtime error message, if the program ends with one.
    pub runtime_error: Option<String>,
    /// Stack trace lines (`at PROC (path:LINE:COL)`), in order.
    pub traces: Vec<String>,
    /// The exit code, when given explicitly.
    pub exit: Option<i32>,
    /// Program arguments.
    pub args: Vec<String>,
    /// Lines of standard input.
    pub stdin: Vec<String>,
    /// Options of `vitte run`, before the program (`{dir}` and `{scratch}` not yet substituted).
    pub flags: Vec<String>,
    /// Whether stdout is compared (false only for an example without annotations).
    pub unchecked_stdout: bool,
}

impl Expectations {
    /// Reads the annotations of a program's source text.
    ///
    /// # Panics
    /// An annotation is malformed (an `expect exit` that is not an integer, two `expect runtime error`s).
    pub fn parse(source: &str) -> Expectations {
        let mut expectations = Expectations::default();
        for (index, line) in source.lines().enumerate() {
            // The first `//` that starts an annotation (an earlier one may sit inside a string literal).
            let Some(comment) = line
                .match_indices("//")
                .map(|(start, _)| line[start + 2..].trim_start())
                .find(|comment| KEYWORDS.iter().any(|keyword| comment.starts_with(keyword)))
            else {
                continue;
            };
            if let Some(text) = annotation(comment, "expect:") {
                expectations.stdout.push(text);
            } else if let Some(text) = annotation(comment, "expect stderr:") {
                expectations.stderr.push(text);
            } else if let Some(text) = annotation(comment, "expect error:") {
                expectations.errors.push(ExpectedError {
                    file: None,
                    line: index + 1,
                    message: text.trim_end().to_owned(),
                });
            } else if let Some(text) = annotation(comment, "expect error at") {
                expectations
                    .errors
                    .push(parse_error_elsewhere(&text).unwrap_or_else(|| {
                        panic!(
                            "line {}: write `expect error at FILE:LINE: MESSAGE`, got {text:?}",
                            index + 1
                        )
                    }));
            } else if let Some(text) = annotation(comment, "expect runtime error:") {
                assert!(
                    expectations.runtime_error.is_none(),
                    "line {}: a program has at most one `expect runtime error`",
                    index + 1
                );
                expectations.runtime_error = Some(text.trim_end().to_owned());
            } else if let Some(text) = annotation(comment, "expect trace:") {
                expectations.traces.push(text.trim().to_owned());
            } else if let Some(text) = annotation(comment, "expect exit:") {
                let code = text.trim().parse().unwrap_or_else(|_| {
                    panic!(
                        "line {}: `expect exit:` needs an integer, got {text:?}",
                        index + 1
                    )
                });
                expectations.exit = Some(code);
            } else if let Some(text) = annotation(comment, "args:") {
                expectations
                    .args
                    .extend(text.split_whitespace().map(str::to_owned));
            } else if let Some(text) = annotation(comment, "stdin:") {
                expectations.stdin.push(text);
            } else if let Some(text) = annotation(comment, "flags:") {
                expectations
                    .flags
                    .extend(text.split_whitespace().map(str::to_owned));
            }
        }
        expectations
    }

    /// Whether the source had no annotation at all.
    pub fn is_empty(&self) -> bool {
        *self == Expectations::default()
    }

    /// The exit code the run must end with.
    pub fn exit_code(&self) -> i32 {
        self.exit.unwrap_or(if !self.errors.is_empty() {
            EXIT_COMPILE_ERROR
        } else if self.runtime_error.is_some() {
            EXIT_RUNTIME_ERROR
        } else {
            0
        })
    }

    /// Whether the program is expected to compile.
    pub fn compiles(&self) -> bool {
        self.errors.is_empty()
    }

    /// The text fed to the program's stdin.
    pub fn stdin_text(&self) -> String {
        self.stdin.iter().map(|line| format!("{line}\n")).collect()
    }
}

/// The words that start an annotation comment.
const KEYWORDS: [&str; 10] = [
    "expect:",
    "expect stderr:",
    "expect error:",
    "expect error at",
    "expect runtime error:",
    "expect trace:",
    "expect exit:",
    "args:",
    "stdin:",
    "flags:",
];

/// The folders `{dir}` and `{scratch}` stand for in `args:` and `flags:`.
struct Places {
    dir: PathBuf,
    scratch: PathBuf,
}

impl Places {
    fn substitute(&self, text: &str) -> String {
        text.replace("{dir}", &self.dir.display().to_string())
            .replace("{scratch}", &self.scratch.display().to_string())
    }

    /// The program's arguments.
    fn args(&self, expected: &Expectations) -> Vec<String> {
        expected.args.iter().map(|a| self.substitute(a)).collect()
    }

    /// The `vitte run` options, with allow-list paths made relative to the program's folder.
    fn flags(&self, expected: &Expectations) -> Vec<String> {
        expected
            .flags
            .iter()
            .map(|flag| {
                for option in ["--allow-read=", "--allow-write="] {
                    if let Some(paths) = flag.strip_prefix(option) {
                        let paths: Vec<String> = paths
                            .split(',')
                            .map(|path| {
                                if path.starts_with("{scratch}") {
                                    self.substitute(path)
                                } else {
                                    self.dir.join(self.substitute(path)).display().to_string()
                                }
                            })
                            .collect();
                        return format!("{option}{}", paths.join(","));
                    }
                }
                self.substitute(flag)
            })
            .collect()
    }
}

/// `FILE:LINE: MESSAGE` of an `expect error at` annotation.
fn parse_error_elsewhere(text: &str) -> Option<ExpectedError> {
    let (location, message) = text.split_once(": ")?;
    let (file, line) = location.trim().rsplit_once(':')?;
    Some(ExpectedError {
        file: Some(file.to_owned()),
        line: line.parse().ok()?,
        message: message.trim_end().to_owned(),
    })
}

/// The text of an annotation `KEYWORD TEXT` (one space after the keyword is dropped, like the `// `).
fn annotation(comment: &str, keyword: &str) -> Option<String> {
    let rest = comment.strip_prefix(keyword)?;
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    Some(rest.trim_end_matches('\r').to_owned())
}

/// A `Write` whose bytes can be read back after the writer was handed away.
#[derive(Clone, Default)]
pub struct SharedBuffer(Rc<RefCell<Vec<u8>>>);

impl SharedBuffer {
    /// Everything written so far, as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.borrow()).into_owned()
    }
}

impl Write for SharedBuffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// What one `vitte` command did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The exit code `main_with` returned.
    pub code: i32,
    /// Everything written to stdout.
    pub stdout: String,
    /// Everything written to stderr.
    pub stderr: String,
}

/// Runs `vitte ARGS…` in process with the given stdin.
pub fn vitte(args: &[String], stdin: &str) -> Outcome {
    let stdout = SharedBuffer::default();
    let stderr = SharedBuffer::default();
    let mut argv = vec!["vitte".to_owned()];
    argv.extend(args.iter().cloned());
    let io = vitte_cli::CliIo {
        stdin: Box::new(Cursor::new(stdin.as_bytes().to_vec())),
        stdout: Box::new(stdout.clone()),
        stderr: Box::new(stderr.clone()),
    };
    let code = vitte_cli::main_with(argv, io);
    Outcome {
        code,
        stdout: stdout.text(),
        stderr: stderr.text(),
    }
}

/// Runs one program (`file`, absolute) and checks it against its annotations, then checks the `.vitbc`
/// round trip for programs that compile. Diagnostics and traces are compared with paths relative to
/// `root`. Bytecode files are written under `scratch`.
///
/// # Panics
/// On any difference from the expectations, with a report of expected and actual output.
pub fn run_program(file: &Path, root: &Path, scratch: &Path) {
    run(file, root, scratch, false);
}

/// Like [`run_program`], for an example: an example without any annotation (such as `hello.vit`, which
/// is kept exactly as the README shows it) must run successfully with an empty stderr, and its stdout is
/// not compared.
///
/// # Panics
/// On any difference from the expectations.
pub fn run_example(file: &Path, root: &Path, scratch: &Path) {
    run(file, root, scratch, true);
}

fn run(file: &Path, root: &Path, scratch: &Path, example: bool) {
    let file = file
        .canonicalize()
        .unwrap_or_else(|error| panic!("cannot open {}: {error}", file.display()));
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let scratch = scratch.to_path_buf();
    let timeout = timeout();
    let (done, result) = mpsc::channel();
    let name = file
        .strip_prefix(&root)
        .unwrap_or(&file)
        .display()
        .to_string();
    let worker = {
        let file = file.clone();
        std::thread::Builder::new()
            .name(name)
            .stack_size(256 << 20)
            .spawn(move || {
                let outcome =
                    std::panic::catch_unwind(|| check_program(&file, &root, &scratch, example));
                let _ = done.send(outcome);
            })
            .expect("can start a test thread")
    };
    match result.recv_timeout(timeout) {
        Ok(Ok(())) => {
            let _ = worker.join();
        }
        Ok(Err(panic)) => {
            let _ = worker.join();
            std::panic::resume_unwind(panic);
        }
        Err(_) => panic!(
            "{} did not finish within {} s",
            file.display(),
            timeout.as_secs()
        ),
    }
}

fn timeout() -> Duration {
    let default = if cfg!(feature = "stress_gc") {
        900
    } else {
        120
    };
    let seconds = std::env::var("VITTE_TEST_TIMEOUT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default);
    Duration::from_secs(seconds)
}

/// The body of [`run_program`], on the worker thread.
fn check_program(file: &Path, root: &Path, scratch: &Path, example: bool) {
    let source = std::fs::read_to_string(file)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", file.display()));
    let mut expected = Expectations::parse(&source);
    if example && expected.is_empty() {
        expected.unchecked_stdout = true;
    }
    let relative = file
        .strip_prefix(root)
        .unwrap_or(file)
        .to_string_lossy()
        .replace('\\', "/");
    let file_arg = file.display().to_string();
    let stdin = expected.stdin_text();
    let places = Places {
        dir: file.parent().map(Path::to_path_buf).unwrap_or_default(),
        scratch: scratch_folder(scratch, &relative),
    };

    // Compiled code must be invisible: the program runs with every function compiled and checked
    // against its annotations, then in the interpreter alone, which must do exactly the same.
    let run_source = |jit: &str| {
        let mut args = vec!["run".to_owned(), format!("--jit={jit}")];
        args.extend(places.flags(&expected));
        args.push(file_arg.clone());
        args.extend(places.args(&expected));
        vitte(&args, &stdin)
    };
    let source_run = run_source("always");
    let stderr = relativize(&source_run.stderr, root);
    let problems = compare(&expected, &relative, &source_run, &stderr);
    if !problems.is_empty() {
        panic!(
            "{} (with --jit=always)",
            report(&relative, &expected, &problems, &source_run, &stderr)
        );
    }
    // Under `stress_gc` (the collector's precision) the interpreter alone is left to the ordinary
    // build: the run with every function compiled is the one the collector has not seen before.
    let interpreted = if cfg!(feature = "stress_gc") {
        source_run.clone()
    } else {
        let _ = std::fs::remove_dir_all(&places.scratch);
        let _ = std::fs::create_dir_all(&places.scratch);
        run_source("off")
    };
    assert!(
        interpreted == source_run,
        "{relative}: the run with --jit=off differs from the run with --jit=always\n\
         --- exit codes: {} (off), {} (always)\n--- stdout (off) ---\n{}\n--- stdout (always) ---\n{}\n\
         --- stderr (off) ---\n{}\n--- stderr (always) ---\n{}",
        interpreted.code,
        source_run.code,
        interpreted.stdout,
        source_run.stdout,
        interpreted.stderr,
        source_run.stderr
    );
    if expected.compiles() {
        // The bytecode run starts from an empty scratch folder too.
        let _ = std::fs::remove_dir_all(&places.scratch);
        let _ = std::fs::create_dir_all(&places.scratch);
        check_bytecode_round_trip(
            &relative,
            &file_arg,
            &expected,
            &places,
            &source_run,
            scratch,
        );
    }
    let _ = std::fs::remove_dir_all(&places.scratch);
}

/// A fresh, empty folder for the files a program writes (`{scratch}`).
fn scratch_folder(scratch: &Path, relative: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let stem: String = relative
        .trim_end_matches(".vit")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let folder = scratch.join(format!("{stem}-{}-{n}-files", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    let _ = std::fs::create_dir_all(&folder);
    folder
}

/// Builds the program twice, compares the bytes, runs the bytecode and compares with the source run.
fn check_bytecode_round_trip(
    relative: &str,
    file: &str,
    expected: &Expectations,
    places: &Places,
    source_run: &Outcome,
    scratch: &Path,
) {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    std::fs::create_dir_all(scratch)
        .unwrap_or_else(|error| panic!("cannot create {}: {error}", scratch.display()));
    let stem: String = relative
        .trim_end_matches(".vit")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let unique = |which: &str| -> PathBuf {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        scratch.join(format!("{stem}-{}-{n}-{which}.vitbc", std::process::id()))
    };
    let first = unique("a");
    let second = unique("b");
    let build = |out: &Path| -> Outcome {
        let outcome = vitte(
            &[
                "build".to_owned(),
                file.to_owned(),
                "-o".to_owned(),
                out.display().to_string(),
            ],
            "",
        );
        assert_eq!(
            outcome.code, 0,
            "{relative}: `vitte build` failed with exit code {}\n--- stderr ---\n{}",
            outcome.code, outcome.stderr
        );
        outcome
    };
    let built = build(&first);
    build(&second);
    let bytes_a = std::fs::read(&first)
        .unwrap_or_else(|error| panic!("{relative}: cannot read {}: {error}", first.display()));
    let bytes_b = std::fs::read(&second)
        .unwrap_or_else(|error| panic!("{relative}: cannot read {}: {error}", second.display()));
    if bytes_a != bytes_b {
        let at = bytes_a
            .iter()
            .zip(&bytes_b)
            .position(|(a, b)| a != b)
            .unwrap_or(bytes_a.len().min(bytes_b.len()));
        panic!(
            "{relative}: two builds of the same source differ ({} and {} bytes, first difference at byte {at})",
            bytes_a.len(),
            bytes_b.len()
        );
    }
    let _ = std::fs::remove_file(&second);

    let mut args = vec!["run".to_owned()];
    args.extend(places.flags(expected));
    args.push(first.display().to_string());
    args.extend(places.args(expected));
    let bytecode_run = vitte(&args, &expected.stdin_text());
    let _ = std::fs::remove_file(&first);
    let expected_stderr = source_run
        .stderr
        .strip_prefix(built.stderr.as_str())
        .unwrap_or(&source_run.stderr);
    let mut problems = Vec::new();
    if bytecode_run.code != source_run.code {
        problems.push(format!(
            "exit code: the .vit run gave {}, the .vitbc run {}",
            source_run.code, bytecode_run.code
        ));
    }
    if bytecode_run.stdout != source_run.stdout {
        problems.push(format!(
            "stdout differs:\n{}",
            line_diff(&source_run.stdout, &bytecode_run.stdout)
        ));
    }
    if bytecode_run.stderr != expected_stderr {
        problems.push(format!(
            "stderr differs:\n{}",
            line_diff(expected_stderr, &bytecode_run.stderr)
        ));
    }
    if !problems.is_empty() {
        panic!(
            "{relative}: running the built .vitbc differs from running the source\n{}\n--- .vitbc stderr ---\n{}",
            problems.join("\n"),
            bytecode_run.stderr
        );
    }
}

/// `stderr` with the program root (and a following `/`) removed from paths.
fn relativize(stderr: &str, root: &Path) -> String {
    let prefix = format!("{}/", root.display());
    stderr.replace(&prefix, "")
}

/// Every way `run` differs from `expected`, as readable sentences.
fn compare(expected: &Expectations, relative: &str, run: &Outcome, stderr: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let want_code = expected.exit_code();
    if run.code & 0xff != want_code & 0xff {
        problems.push(format!("exit code: expected {want_code}, got {}", run.code));
    }
    let want_stdout: String = expected
        .stdout
        .iter()
        .map(|line| format!("{line}\n"))
        .collect();
    if expected.unchecked_stdout {
        if !stderr.is_empty() {
            problems.push("an example without annotations must not write to stderr".to_owned());
        }
    } else if run.stdout != want_stdout {
        problems.push(format!(
            "stdout differs (- expected, + actual):\n{}",
            line_diff(&want_stdout, &run.stdout)
        ));
    }

    let stderr_lines: Vec<&str> = stderr.lines().collect();
    let mut rest = stderr_lines.as_slice();
    if !expected.stderr.is_empty() {
        let head: Vec<&str> = rest.iter().take(expected.stderr.len()).copied().collect();
        if head != expected.stderr {
            problems.push(format!(
                "stderr should start with {:?}, got {head:?}",
                expected.stderr
            ));
        }
        rest = &rest[head.len()..];
    }
    if let Some(message) = &expected.runtime_error {
        let want = format!("error: {message}");
        match rest.first() {
            Some(line) if *line == want => {}
            Some(line) => problems.push(format!("runtime error: expected `{want}`, got `{line}`")),
            None => problems.push(format!(
                "runtime error: expected `{want}`, stderr has nothing more"
            )),
        }
    }
    let mut position = 0;
    for trace in &expected.traces {
        match stderr_lines[position..]
            .iter()
            .position(|line| line.trim() == trace)
        {
            Some(found) => position += found + 1,
            None if stderr_lines.iter().any(|line| line.trim() == trace) => {
                problems.push(format!("trace line `{trace}` is out of order"));
            }
            None => problems.push(format!("trace line `{trace}` is missing")),
        }
    }

    let reported: Vec<(String, usize, String)> = stderr_lines
        .iter()
        .filter_map(|line| parse_diagnostic(line))
        .collect();
    let folder = relative.rsplit_once('/').map_or("", |(folder, _)| folder);
    for error in &expected.errors {
        let file = match &error.file {
            None => relative.to_owned(),
            Some(file) if folder.is_empty() => file.clone(),
            Some(file) => format!("{folder}/{file}"),
        };
        let found = reported.iter().any(|(path, line, message)| {
            *path == file && *line == error.line && *message == error.message
        });
        if !found {
            problems.push(format!(
                "missing compile error at {file}:{}: `{}`",
                error.line, error.message
            ));
        }
    }
    if reported.len() != expected.errors.len() {
        problems.push(format!(
            "expected {} compile error(s), stderr reports {}",
            expected.errors.len(),
            reported.len()
        ));
    }
    problems
}

/// `PATH:LINE:COL: error: MESSAGE` → `(PATH, LINE, MESSAGE)`.
fn parse_diagnostic(line: &str) -> Option<(String, usize, String)> {
    let (location, message) = line.split_once(": error: ")?;
    let mut parts = location.rsplitn(3, ':');
    let _column: usize = parts.next()?.parse().ok()?;
    let line_number: usize = parts.next()?.parse().ok()?;
    let path = parts.next()?;
    Some((path.to_owned(), line_number, message.to_owned()))
}

/// A line-by-line comparison: equal lines with two spaces, differing ones with `-` (expected) and `+`.
fn line_diff(expected: &str, actual: &str) -> String {
    let want: Vec<&str> = expected.lines().collect();
    let got: Vec<&str> = actual.lines().collect();
    let mut out = String::new();
    for index in 0..want.len().max(got.len()) {
        match (want.get(index), got.get(index)) {
            (Some(w), Some(g)) if w == g => {
                let _ = writeln!(out, "  {w}");
            }
            (w, g) => {
                if let Some(w) = w {
                    let _ = writeln!(out, "- {w}");
                }
                if let Some(g) = g {
                    let _ = writeln!(out, "+ {g}");
                }
            }
        }
    }
    if expected.ends_with('\n') != actual.ends_with('\n')
        && !(expected.is_empty() || actual.is_empty())
    {
        out.push_str("(the two differ in the final newline)\n");
    }
    out
}

/// The panic message of a failed run.
fn report(
    relative: &str,
    expected: &Expectations,
    problems: &[String],
    run: &Outcome,
    stderr: &str,
) -> String {
    let mut out = format!("{relative} does not behave as annotated");
    if !expected.args.is_empty() {
        let _ = write!(out, " (args: {})", expected.args.join(" "));
    }
    out.push('\n');
    for problem in problems {
        let _ = writeln!(out, "* {problem}");
    }
    let _ = write!(
        out,
        "--- exit code: {} ---\n--- stdout ---\n{}--- stderr ---\n{stderr}",
        run.code, run.stdout
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_kind_of_annotation() {
        let source = "// args: a b\n// stdin: line one\nproc main() {\n    print(1); // expect: 1\n    \
                      let x = ; // expect error: expected an expression\n}\n// expect runtime error: boom\n\
                      // expect trace: at main (x.vit:3:5)\n// expect exit: 3\n// expect:\n";
        let expected = Expectations::parse(source);
        assert_eq!(expected.args, ["a", "b"]);
        assert_eq!(expected.stdin_text(), "line one\n");
        assert_eq!(expected.stdout, ["1", ""]);
        assert_eq!(
            expected.errors,
            [ExpectedError {
                file: None,
                line: 5,
                message: "expected an expression".into()
            }]
        );
        assert_eq!(expected.runtime_error.as_deref(), Some("boom"));
        assert_eq!(expected.traces, ["at main (x.vit:3:5)"]);
        assert_eq!(expected.exit_code(), 3);
    }

    #[test]
    fn reads_errors_reported_in_other_files() {
        let expected =
            Expectations::parse("use _m as m\n// expect error at _m.vit:2: use cycle: a -> b\n");
        assert_eq!(
            expected.errors,
            [ExpectedError {
                file: Some("_m.vit".into()),
                line: 2,
                message: "use cycle: a -> b".into(),
            }]
        );
        assert_eq!(expected.exit_code(), 65);
    }

    #[test]
    fn default_exit_codes_follow_the_outcome() {
        assert_eq!(Expectations::parse("// expect: x\n").exit_code(), 0);
        assert_eq!(
            Expectations::parse("// expect runtime error: x\n").exit_code(),
            70
        );
        assert_eq!(
            Expectations::parse("x // expect error: y\n").exit_code(),
            65
        );
    }

    #[test]
    fn parses_diagnostic_lines() {
        assert_eq!(
            parse_diagnostic("a/b.vit:12:7: error: unknown name: x"),
            Some(("a/b.vit".to_owned(), 12, "unknown name: x".to_owned()))
        );
        assert_eq!(parse_diagnostic("error: stack overflow"), None);
    }

    #[test]
    fn compares_exit_codes_on_their_low_byte() {
        let expected = Expectations::parse("// expect exit: 44\n");
        let run = Outcome {
            code: 300,
            stdout: String::new(),
            stderr: String::new(),
        };
        assert!(compare(&expected, "x.vit", &run, "").is_empty());
    }
}
