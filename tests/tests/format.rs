//! `vitte fmt` against the conformance suite.
//!
//! - Every `.vit` file under `tests/programs` and `examples` (programs and the modules they use) is
//!   formatted; the result must parse, be a fixed point of the formatter, and keep every comment. Only
//!   files of programs that expect a compile error may fail to format (with a syntax error).
//! - Every program is compiled twice, from its original files and from its formatted files (a
//!   [`FileLoader`] formats each file as the compiler reads it), and both are run the way the
//!   conformance harness runs them (same arguments, stdin and `vitte run` flags): stdout and the exit
//!   code must be the same, and stderr too once `LINE:COL` positions are blanked out (formatting moves
//!   code). A program that does not compile must fail with the same messages after formatting.
//! - A property test feeds the formatter mutated programs and token soup: it returns the formatted
//!   text (a fixed point) or a syntax error, and never panics.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use vitte_compiler::format::{FormatErrorKind, format_source};
use vitte_compiler::loader::FileLoader;
use vitte_compiler::parser::parse_file;
use vitte_compiler::source::FileId;
use vitte_tests::{Expectations, Outcome, vitte};
use vitte_vm::bytecode::{Module, format as bytecode};

fn programs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("programs")
}

fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

/// A conformance program (not a module used by one): no part of its path starts with `_`.
fn is_program(relative: &Path) -> bool {
    !relative
        .components()
        .any(|part| part.as_os_str().to_string_lossy().starts_with('_'))
}

/// The comments of `text`, in order (line, block and doc comments), found by the lexer-free scan
/// below: everything between tokens that is not whitespace.
fn comments(text: &str) -> Vec<String> {
    let (tokens, _) = vitte_compiler::lexer::lex(FileId(0), text);
    let mut found = Vec::new();
    let mut pos = 0usize;
    for token in tokens {
        let start = token.span.start as usize;
        let between = text.get(pos..start).unwrap_or_default();
        let mut rest = between.trim_start_matches('\u{feff}');
        while let Some(at) = rest.find('/') {
            let tail = &rest[at..];
            if tail.starts_with("//") {
                let end = tail.find('\n').unwrap_or(tail.len());
                found.push(tail[..end].trim_end().to_owned());
                rest = &tail[end..];
            } else if tail.starts_with("/*") {
                let mut depth = 0usize;
                let mut end = tail.len();
                let bytes = tail.as_bytes();
                let mut i = 0;
                while i + 1 < bytes.len() {
                    if bytes[i] == b'/' && bytes[i + 1] == b'*' {
                        depth += 1;
                        i += 2;
                    } else if bytes[i] == b'*' && bytes[i + 1] == b'/' {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            end = i;
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
                let lines: Vec<&str> = tail[..end].split('\n').map(str::trim_end).collect();
                found.push(lines.join("\n"));
                rest = &tail[end..];
            } else {
                rest = &tail[1..];
            }
        }
        if let vitte_compiler::lexer::TokenKind::DocComment(_) = token.kind {
            let raw = text.get(start..token.span.end as usize).unwrap_or_default();
            found.push(raw.trim_end().to_owned());
        }
        pos = token.span.end as usize;
    }
    found
}

#[test]
fn every_file_formats_to_a_fixed_point_and_keeps_its_comments() {
    let mut files = vitte_compiler::loader::vit_files_under(&programs_dir());
    files.extend(vitte_compiler::loader::vit_files_under(&examples_dir()));
    assert!(files.len() > 400, "only {} files found", files.len());
    let (mut changed, mut rejected) = (0, 0);
    let mut problems = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("a conformance file is readable");
        let formatted = match format_source(&text) {
            Ok(formatted) => formatted,
            Err(error) => {
                // Only a program that expects a compile error (here: a syntax error) may not format.
                let expects_error = !Expectations::parse(&text).errors.is_empty()
                    || text.contains("// expect error");
                if error.kind != FormatErrorKind::Syntax || !expects_error {
                    problems.push(format!("{}: {error}", file.display()));
                }
                rejected += 1;
                continue;
            }
        };
        if formatted != text {
            changed += 1;
        }
        match format_source(&formatted) {
            Ok(again) if again == formatted => {}
            Ok(again) => problems.push(format!(
                "{}: formatting twice differs\n--- once\n{formatted}--- twice\n{again}",
                file.display()
            )),
            Err(error) => problems.push(format!(
                "{}: the formatted text does not format: {error}\n{formatted}",
                file.display()
            )),
        }
        let (_, diagnostics) = parse_file(FileId(0), &formatted);
        if !diagnostics.is_empty() {
            problems.push(format!(
                "{}: the formatted text does not parse: {diagnostics:?}",
                file.display()
            ));
        }
        if comments(&formatted) != comments(&text) {
            problems.push(format!(
                "{}: comments differ after formatting",
                file.display()
            ));
        }
        // Trailing whitespace only where the original has the same line (inside a multi-line string).
        if formatted
            .lines()
            .any(|line| line.ends_with([' ', '\t']) && !text.lines().any(|l| l == line))
        {
            problems.push(format!("{}: trailing whitespace", file.display()));
        }
    }
    eprintln!(
        "{} files: {changed} reformatted, {rejected} rejected (syntax errors), {} already formatted",
        files.len(),
        files.len() - changed - rejected
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Reads files formatted (a file that does not format is read as it is).
struct FormattingLoader;

impl FileLoader for FormattingLoader {
    fn read(&self, path: &Path) -> io::Result<String> {
        let text = std::fs::read_to_string(path)?;
        Ok(format_source(&text).unwrap_or(text))
    }
}

/// `text` with every `:LINE:COL` (and `LINE:COL`) position replaced by `:L:C`.
fn without_positions(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == ':' {
            let digits = |from: usize| {
                chars[from..]
                    .iter()
                    .take_while(|c| c.is_ascii_digit())
                    .count()
            };
            let line = digits(i + 1);
            if line > 0 && chars.get(i + 1 + line) == Some(&':') {
                let column = digits(i + 2 + line);
                if column > 0 {
                    out.push_str(":L:C");
                    i += 2 + line + column;
                    continue;
                }
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// The `vitte run` options of a program, as the conformance harness builds them: `{dir}` is the
/// program's folder, `{scratch}` an empty folder, and allow-list paths are relative to the folder.
fn run_flags(expected: &Expectations, dir: &Path, scratch: &Path) -> (Vec<String>, Vec<String>) {
    let substitute = |text: &str| {
        text.replace("{dir}", &dir.display().to_string())
            .replace("{scratch}", &scratch.display().to_string())
    };
    let flags = expected
        .flags
        .iter()
        .map(|flag| {
            for option in ["--allow-read=", "--allow-write="] {
                if let Some(paths) = flag.strip_prefix(option) {
                    let paths: Vec<String> = paths
                        .split(',')
                        .map(|path| {
                            if path.starts_with("{scratch}") {
                                substitute(path)
                            } else {
                                dir.join(substitute(path)).display().to_string()
                            }
                        })
                        .collect();
                    return format!("{option}{}", paths.join(","));
                }
            }
            substitute(flag)
        })
        .collect();
    let args = expected.args.iter().map(|arg| substitute(arg)).collect();
    (flags, args)
}

/// Runs a compiled module through `vitte run FILE.vitbc`, with the program's flags, arguments and
/// stdin, from an empty scratch folder.
fn run_module(module: &Module, expected: &Expectations, dir: &Path, scratch: &Path) -> Outcome {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let _ = std::fs::remove_dir_all(scratch);
    std::fs::create_dir_all(scratch).expect("the scratch folder can be created");
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let bytecode_file = scratch
        .parent()
        .unwrap_or(scratch)
        .join(format!("fmt-{}-{n}.vitbc", std::process::id()));
    std::fs::write(&bytecode_file, bytecode::write(module)).expect("bytecode can be written");
    let (flags, args) = run_flags(expected, dir, scratch);
    let mut argv = vec!["run".to_owned()];
    argv.extend(flags);
    argv.push(bytecode_file.display().to_string());
    argv.extend(args);
    let outcome = vitte(&argv, &expected.stdin_text());
    let _ = std::fs::remove_file(&bytecode_file);
    outcome
}

/// How a program was compared.
enum Compared {
    /// Both versions ran, with the same results.
    Ran,
    /// Neither version compiles, with the same messages.
    SameErrors,
    /// They differ: how.
    Differ(String),
}

/// Compiles and runs one program from its original and from its formatted files.
fn compare_program(file: &Path, scratch_root: &Path) -> Compared {
    let Ok(text) = std::fs::read_to_string(file) else {
        return Compared::Differ(format!("{}: cannot read", file.display()));
    };
    let expected = Expectations::parse(&text);
    let original = vitte_compiler::compile_file(file);
    let formatted = vitte_compiler::compile_with(&FormattingLoader, file);
    let messages = |compilation: &vitte_compiler::Compilation| -> Vec<String> {
        let mut messages: Vec<String> = compilation
            .diagnostics
            .iter()
            .map(|d| format!("{:?}: {}", d.severity, d.message))
            .collect();
        messages.sort();
        messages
    };
    let (Some(before), Some(after)) = (&original.module, &formatted.module) else {
        if messages(&original) != messages(&formatted) || original.module.is_some() {
            return Compared::Differ(format!(
                "{}: compiling the formatted program gives other diagnostics\n--- original\n{}--- formatted\n{}",
                file.display(),
                original.render_diagnostics(),
                formatted.render_diagnostics()
            ));
        }
        return Compared::SameErrors;
    };
    let dir = file.parent().unwrap_or(Path::new("."));
    let stem: String = file
        .strip_prefix(programs_dir())
        .unwrap_or(file)
        .display()
        .to_string()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let scratch = scratch_root.join(format!("{stem}-files"));
    let first = run_module(before, &expected, dir, &scratch);
    let second = run_module(after, &expected, dir, &scratch);
    let _ = std::fs::remove_dir_all(&scratch);
    let same = first.code == second.code
        && first.stdout == second.stdout
        && without_positions(&first.stderr) == without_positions(&second.stderr);
    if same {
        return Compared::Ran;
    }
    Compared::Differ(format!(
        "{}: the formatted program runs differently\n--- original: exit {}\n{}{}--- formatted: exit {}\n{}{}",
        file.display(),
        first.code,
        first.stdout,
        first.stderr,
        second.code,
        second.stdout,
        second.stderr
    ))
}

// It checks the formatter, not the collector: the `stress_gc` build (which CI runs for the
// collector's precision, where this test alone took a minute at the end of the run) leaves it to
// the ordinary build, which runs it.
#[test]
#[cfg_attr(
    feature = "stress_gc",
    ignore = "checks the formatter, not the collector: run by the ordinary build"
)]
fn formatted_programs_compile_and_run_like_the_originals() {
    let root = programs_dir();
    let programs: Vec<PathBuf> = vitte_compiler::loader::vit_files_under(&root)
        .into_iter()
        .filter(|file| is_program(file.strip_prefix(&root).unwrap_or(file)))
        .collect();
    assert!(
        programs.len() > 300,
        "only {} programs found",
        programs.len()
    );
    let scratch_root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fmt-runs");
    let next = AtomicUsize::new(0);
    let problems = Mutex::new(Vec::new());
    let (ran, same_errors) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let workers = std::thread::available_parallelism()
        .map_or(4, usize::from)
        .min(8);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let worker = std::thread::Builder::new().stack_size(256 << 20);
            let spawned = worker.spawn_scoped(scope, || {
                while let Some(file) = programs.get(next.fetch_add(1, Ordering::Relaxed)) {
                    match compare_program(file, &scratch_root) {
                        Compared::Ran => {
                            ran.fetch_add(1, Ordering::Relaxed);
                        }
                        Compared::SameErrors => {
                            same_errors.fetch_add(1, Ordering::Relaxed);
                        }
                        Compared::Differ(problem) => {
                            if let Ok(mut problems) = problems.lock() {
                                problems.push(problem);
                            }
                        }
                    }
                }
            });
            spawned.expect("a worker thread can be started");
        }
    });
    let problems = problems.into_inner().unwrap_or_default();
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    let (ran, same_errors) = (ran.into_inner(), same_errors.into_inner());
    eprintln!(
        "{} programs: {ran} ran alike, {same_errors} failed to compile alike",
        programs.len()
    );
    assert_eq!(ran + same_errors, programs.len());
    assert!(ran > 250, "only {ran} programs ran");
}

#[test]
fn positions_are_blanked_out() {
    assert_eq!(
        without_positions("  at main (a/b.vit:12:5)\nx:1"),
        "  at main (a/b.vit:L:C)\nx:1"
    );
}

/// Snippets spliced into programs and strung together as token soup.
const SNIPPETS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ",",
    ";",
    ":",
    ".",
    "..",
    "=",
    "==",
    "-",
    "+",
    "!",
    "not ",
    "and ",
    "&&",
    "->",
    "=>",
    "?",
    "// c\n",
    "/* c */",
    "/* open ",
    "*/",
    "/// doc\n",
    "\"s\"",
    "\"open",
    "1",
    "2.5",
    "x",
    "proc ",
    "fn ",
    "let ",
    "set ",
    "if ",
    "else ",
    "elif ",
    "match ",
    "case ",
    "give ",
    "form ",
    "pick ",
    "use ",
    "space ",
    "for ",
    "in ",
    "while ",
    "\n",
    "\n\n",
    "\t",
    " ",
];

/// The conformance programs' texts, read once.
fn corpus() -> &'static [String] {
    static CORPUS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    CORPUS.get_or_init(|| {
        vitte_compiler::loader::vit_files_under(&programs_dir())
            .iter()
            .filter_map(|file| std::fs::read_to_string(file).ok())
            .collect()
    })
}

/// The formatter's contract on any input: formatted text that is a fixed point, or a syntax error.
fn check_contract(text: &str) -> Result<(), TestCaseError> {
    match format_source(text) {
        Ok(formatted) => {
            let again = format_source(&formatted);
            prop_assert_eq!(again.as_ref(), Ok(&formatted), "input: {:?}", text);
        }
        Err(error) => {
            prop_assert_eq!(
                error.kind,
                FormatErrorKind::Syntax,
                "{} for {:?}",
                error,
                text
            );
        }
    }
    Ok(())
}

/// The char boundary at or before `at`.
fn boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn mutated_programs_format_or_fail_cleanly(
        program in any::<prop::sample::Index>(),
        cut in any::<prop::sample::Index>(),
        deleted in 0usize..40,
        inserted in prop::collection::vec(prop::sample::select(SNIPPETS), 0..4),
    ) {
        let text = program.get(corpus());
        let start = boundary(text, cut.index(text.len() + 1));
        let end = boundary(text, start + deleted).max(start);
        let mutated = format!("{}{}{}", &text[..start], inserted.concat(), &text[end..]);
        check_contract(&mutated)?;
    }

    #[test]
    fn token_soup_formats_or_fails_cleanly(
        soup in prop::collection::vec(prop::sample::select(SNIPPETS), 0..60),
    ) {
        check_contract(&soup.concat())?;
    }
}

/// The fenced `vitte` blocks of `docs/fmt.md`, in order.
fn doc_examples() -> Vec<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/fmt.md");
    let doc = std::fs::read_to_string(&path).expect("docs/fmt.md is readable");
    doc.split("```vitte\n")
        .skip(1)
        .filter_map(|block| block.split_once("```").map(|(code, _)| code.to_owned()))
        .collect()
}

#[test]
fn the_documented_examples_are_true() {
    let examples = doc_examples();
    assert_eq!(examples.len(), 3, "docs/fmt.md changed its examples");
    // "… becomes …": the first block formats to the second.
    assert_eq!(
        format_source(&examples[0]).as_deref(),
        Ok(examples[1].as_str())
    );
    for example in &examples[1..] {
        assert_eq!(format_source(example).as_deref(), Ok(example.as_str()));
    }
}
