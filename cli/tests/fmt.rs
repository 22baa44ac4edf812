//! `vitte fmt` end to end: in-place rewriting (only of files that change), `--check` with its diff and
//! exit code, stdin to stdout, folders, `--verbose`, and the errors (a file that does not parse, a
//! missing file), through [`vitte_cli::main_with`] in process and once through the real binary.

use std::cell::RefCell;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

/// Not formatted: one line, no spaces.
const UNFORMATTED: &str = "proc main(){let x=1;print(x+1);} // two\n";
/// What `UNFORMATTED` formats to.
const FORMATTED: &str = "proc main() {\n    let x = 1;\n    print(x + 1);\n} // two\n";
/// Does not parse: the error is at line 2, column 13.
const BROKEN: &str = "proc main() {\n    let x = ;\n}\n";

#[derive(Clone, Default)]
struct Buffer(Rc<RefCell<Vec<u8>>>);

impl Buffer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.borrow()).into_owned()
    }
}

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Exit code, stdout and stderr of one run.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `vitte ARGS…` in process with `stdin`.
fn vitte(args: &[&str], stdin: &str) -> Run {
    let (stdout, stderr) = (Buffer::default(), Buffer::default());
    let io = vitte_cli::CliIo {
        stdin: Box::new(Cursor::new(stdin.as_bytes().to_vec())),
        stdout: Box::new(stdout.clone()),
        stderr: Box::new(stderr.clone()),
    };
    let mut argv = vec!["vitte".to_owned()];
    argv.extend(args.iter().map(|arg| (*arg).to_owned()));
    let code = vitte_cli::main_with(argv, io);
    Run {
        code,
        stdout: stdout.text(),
        stderr: stderr.text(),
    }
}

/// A fresh, empty folder for one test.
fn scratch(name: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("fmt-{name}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("the scratch folder can be created");
    dir
}

fn write(path: &Path, text: &str) -> String {
    std::fs::write(path, text).expect("a test file can be written");
    path.display().to_string()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("a test file can be read")
}

/// Sets a file's modification time far in the past, so a rewrite would show.
fn age(path: &Path) -> SystemTime {
    let old = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    let file = std::fs::File::options()
        .write(true)
        .open(path)
        .expect("a test file can be opened");
    file.set_modified(old).expect("the time can be set");
    old
}

fn modified(path: &Path) -> SystemTime {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .expect("a test file has a modification time")
}

#[test]
fn rewrites_files_in_place_and_only_when_they_change() {
    let dir = scratch("in-place");
    let (a, b) = (dir.join("a.vit"), dir.join("b.vit"));
    let a_arg = write(&a, UNFORMATTED);
    let b_arg = write(&b, FORMATTED);
    let b_time = age(&b);
    let run = vitte(&["fmt", &a_arg, &b_arg], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!((run.stdout.as_str(), run.stderr.as_str()), ("", ""));
    assert_eq!(read(&a), FORMATTED);
    assert_eq!(read(&b), FORMATTED);
    assert_eq!(
        modified(&b),
        b_time,
        "an unchanged file must not be rewritten"
    );
}

#[test]
fn verbose_names_each_file() {
    let dir = scratch("verbose");
    let a_arg = write(&dir.join("a.vit"), UNFORMATTED);
    let b_arg = write(&dir.join("b.vit"), FORMATTED);
    let run = vitte(&["fmt", "--verbose", &a_arg, &b_arg], "");
    assert_eq!(run.code, 0);
    assert_eq!(
        run.stderr,
        format!("reformatted: {a_arg}\nformatted already: {b_arg}\n")
    );
}

#[test]
fn check_lists_the_files_that_would_change_with_a_diff() {
    let dir = scratch("check");
    let (a, b) = (dir.join("a.vit"), dir.join("b.vit"));
    let a_arg = write(&a, UNFORMATTED);
    let b_arg = write(&b, FORMATTED);
    let run = vitte(&["fmt", "--check", &a_arg, &b_arg], "");
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        format!(
            "Diff in {a_arg}:\n--- {a_arg}\n+++ {a_arg} (formatted)\n@@ -1,1 +1,4 @@\n\
             -proc main(){{let x=1;print(x+1);}} // two\n+proc main() {{\n+    let x = 1;\n\
             +    print(x + 1);\n+}} // two\n"
        )
    );
    assert!(!run.stdout.contains(&b_arg));
    assert_eq!(run.stderr, "");
    assert_eq!(read(&a), UNFORMATTED, "--check changes nothing");

    let run = vitte(&["fmt", "--check", &b_arg], "");
    assert_eq!((run.code, run.stdout.as_str()), (0, ""));
}

#[test]
fn stdin_is_formatted_to_stdout() {
    for args in [&["fmt"][..], &["fmt", "-"][..]] {
        let run = vitte(args, UNFORMATTED);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(run.stdout, FORMATTED);
        assert_eq!(run.stderr, "");
    }
    let run = vitte(&["fmt", "--check", "-"], UNFORMATTED);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.starts_with("Diff in <stdin>:\n"),
        "{}",
        run.stdout
    );
    let run = vitte(&["fmt", "--check"], FORMATTED);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""));
}

#[test]
fn a_file_that_does_not_parse_is_reported_and_left_alone() {
    let dir = scratch("broken");
    let (broken, good) = (dir.join("broken.vit"), dir.join("good.vit"));
    let broken_arg = write(&broken, BROKEN);
    let good_arg = write(&good, UNFORMATTED);
    let run = vitte(&["fmt", &broken_arg, &good_arg], "");
    assert_eq!(run.code, 65);
    assert_eq!(
        run.stderr,
        format!(
            "{broken_arg}:2:13: error: expected an expression\n  |\n2 |     let x = ;\n  |             ^\n"
        )
    );
    assert_eq!(read(&broken), BROKEN);
    assert_eq!(
        read(&good),
        FORMATTED,
        "the other files are still formatted"
    );

    let run = vitte(&["fmt", "-"], BROKEN);
    assert_eq!(run.code, 65);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr
            .starts_with("<stdin>:2:13: error: expected an expression\n"),
        "{}",
        run.stderr
    );
    // A parse error outranks --check's "would reformat".
    let run = vitte(&["fmt", "--check", &broken_arg, &good_arg], "");
    assert_eq!(run.code, 65);
}

#[test]
fn unreadable_and_invalid_inputs_are_errors() {
    let dir = scratch("missing");
    let missing = dir.join("missing.vit").display().to_string();
    let run = vitte(&["fmt", &missing], "");
    assert_eq!(run.code, 66);
    assert!(
        run.stderr
            .starts_with(&format!("error: cannot read '{missing}': ")),
        "{}",
        run.stderr
    );
    let latin1 = dir.join("latin1.vit");
    std::fs::write(&latin1, b"// caf\xe9\n").expect("a test file can be written");
    let run = vitte(&["fmt", &latin1.display().to_string()], "");
    assert_eq!(run.code, 65);
    assert!(run.stderr.contains("is not valid UTF-8"), "{}", run.stderr);
}

#[test]
fn a_folder_stands_for_its_vit_files() {
    let dir = scratch("folder");
    std::fs::create_dir_all(dir.join("lib")).expect("a folder can be created");
    let (a, b, other) = (
        dir.join("a.vit"),
        dir.join("lib/b.vit"),
        dir.join("notes.txt"),
    );
    write(&a, UNFORMATTED);
    write(&b, UNFORMATTED);
    write(&other, UNFORMATTED);
    let run = vitte(&["fmt", &dir.display().to_string()], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(read(&a), FORMATTED);
    assert_eq!(read(&b), FORMATTED);
    assert_eq!(read(&other), UNFORMATTED);
}

#[test]
fn help_describes_the_command() {
    let run = vitte(&["fmt", "--help"], "");
    assert_eq!(run.code, 0);
    for needle in ["--check", "--verbose", "Exit codes", "stdin"] {
        assert!(run.stdout.contains(needle), "{needle}: {}", run.stdout);
    }
    let run = vitte(&["--help"], "");
    assert!(run.stdout.contains("fmt"), "{}", run.stdout);
    let run = vitte(&["fmt", "--no-such-flag"], "");
    assert_eq!(run.code, 2);
}

#[test]
fn the_binary_exits_with_the_documented_codes() {
    let dir = scratch("binary");
    let a = dir.join("a.vit");
    write(&a, UNFORMATTED);
    let status = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_vitte"))
            .args(args)
            .arg(&a)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .expect("the vitte binary runs")
            .code()
    };
    assert_eq!(status(&["fmt", "--check"]), Some(1));
    assert_eq!(status(&["fmt"]), Some(0));
    assert_eq!(read(&a), FORMATTED);
    assert_eq!(status(&["fmt", "--check"]), Some(0));
}
