//! `vitte fmt`: formats Vitte source files in place, checks that they are formatted, or formats
//! standard input to standard output, with [`vitte_compiler::format::format_source`].
//!
//! - `vitte fmt FILE…` rewrites each file that is not formatted (a folder stands for every `.vit`
//!   file under it) and prints nothing, unless `--verbose` (then one line per file on stderr).
//! - `vitte fmt --check FILE…` changes nothing; it lists each file that would change, with the first
//!   difference as a unified diff hunk, on stdout, and exits with 1 if there is any.
//! - `vitte fmt` or `vitte fmt -` formats stdin to stdout (with `--check`: the diff instead).
//!
//! A file that does not parse is reported like a compile error (`PATH:LINE:COL: error: MESSAGE`, the
//! line and a caret, for every syntax error) and left as it is; the other files are still processed.
//! Exit codes: 0 done, 1 `--check` found a file to reformat, 2 usage error, 65 a file does not parse or
//! is not UTF-8, 66 a file cannot be read, 70 internal formatter error, 74 a file cannot be written.
//! When several files fail, the first failure's code is the exit code.

use std::io::{Read, Write};
use std::path::PathBuf;

use vitte_compiler::format::{FormatErrorKind, format_source};

use super::{EXIT_DATA_ERROR, EXIT_IO_ERROR, EXIT_NO_INPUT, EXIT_RUNTIME_ERROR, Streams};

/// Exit code of `vitte fmt --check` when a file is not formatted.
pub const EXIT_NOT_FORMATTED: i32 = 1;

/// How `stdin` is named in messages.
const STDIN_NAME: &str = "<stdin>";

/// Lines of context around the first difference shown by `--check`.
const CONTEXT: usize = 3;

/// Changed lines shown by `--check` before the rest of the hunk is elided.
const MAX_SHOWN: usize = 40;

/// Lines compared (from the first difference on) to find where the first hunk ends.
const WINDOW: usize = 200;

/// One thing to format.
enum Input {
    Stdin,
    File(PathBuf),
}

/// `vitte fmt [--check] [--verbose] [FILE…]`; gives the exit code.
pub(crate) fn fmt(paths: &[PathBuf], check: bool, verbose: bool, streams: &mut Streams) -> i32 {
    let mut inputs = Vec::new();
    if paths.is_empty() {
        inputs.push(Input::Stdin);
    }
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.push(Input::Stdin);
        } else if path.is_dir() {
            inputs.extend(
                vitte_compiler::loader::vit_files_under(path)
                    .into_iter()
                    .map(Input::File),
            );
        } else {
            inputs.push(Input::File(path.clone()));
        }
    }
    let mut failure: Option<i32> = None;
    let mut unformatted = false;
    for input in inputs {
        match format_one(&input, check, verbose, streams) {
            Ok(changed) => unformatted |= changed,
            Err(code) => {
                failure.get_or_insert(code);
            }
        }
    }
    match failure {
        Some(code) => code,
        None if check && unformatted => EXIT_NOT_FORMATTED,
        None => 0,
    }
}

/// Formats one input; gives whether it was (or, with `check`, would be) changed, or the exit code of
/// its failure, which has been reported.
fn format_one(
    input: &Input,
    check: bool,
    verbose: bool,
    streams: &mut Streams,
) -> Result<bool, i32> {
    let (name, bytes) = match input {
        Input::Stdin => {
            let mut bytes = Vec::new();
            let read = match streams.stdin.as_mut() {
                Some(stdin) => stdin.read_to_end(&mut bytes).map(|_| ()),
                None => Ok(()),
            };
            streams.stdin = None;
            if let Err(error) = read {
                streams.error(&format!("error: cannot read stdin: {error}"));
                return Err(EXIT_NO_INPUT);
            }
            (STDIN_NAME.to_string(), bytes)
        }
        Input::File(path) => match std::fs::read(path) {
            Ok(bytes) => (path.display().to_string(), bytes),
            Err(error) => {
                streams.error(&format!("error: cannot read '{}': {error}", path.display()));
                return Err(EXIT_NO_INPUT);
            }
        },
    };
    let Ok(text) = String::from_utf8(bytes) else {
        streams.error(&format!(
            "error: cannot format '{name}': it is not valid UTF-8"
        ));
        return Err(EXIT_DATA_ERROR);
    };
    let formatted = match format_source(&text) {
        Ok(formatted) => formatted,
        Err(error) => {
            streams.error(&error.render(&name, &text));
            return Err(match error.kind {
                FormatErrorKind::Syntax => EXIT_DATA_ERROR,
                FormatErrorKind::Internal => EXIT_RUNTIME_ERROR,
            });
        }
    };
    let changed = formatted != text;
    if check {
        if changed {
            let diff = first_difference(&name, &text, &formatted);
            if let Err(error) = streams.stdout.write_all(diff.as_bytes()) {
                streams.error(&format!("error: cannot write to stdout: {error}"));
                return Err(EXIT_IO_ERROR);
            }
        } else if verbose {
            streams.error(&format!("formatted already: {name}"));
        }
        return Ok(changed);
    }
    match input {
        Input::Stdin => {
            if let Err(error) = streams.stdout.write_all(formatted.as_bytes()) {
                streams.error(&format!("error: cannot write to stdout: {error}"));
                return Err(EXIT_IO_ERROR);
            }
        }
        Input::File(path) => {
            if changed && let Err(error) = std::fs::write(path, formatted.as_bytes()) {
                streams.error(&format!(
                    "error: cannot write '{}': {error}",
                    path.display()
                ));
                return Err(EXIT_IO_ERROR);
            }
            if verbose {
                let what = if changed {
                    "reformatted"
                } else {
                    "formatted already"
                };
                streams.error(&format!("{what}: {name}"));
            }
        }
    }
    Ok(changed)
}

/// One step of a line diff.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Same,
    Removed,
    Added,
}

/// `Diff in NAME:` and the first hunk where `old` and `new` differ, in unified diff format (`---`,
/// `+++`, `@@ -start,count +start,count @@`, then lines prefixed with ` `, `-` or `+`).
fn first_difference(name: &str, old: &str, new: &str) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let mut out = format!("Diff in {name}:\n--- {name}\n+++ {name} (formatted)\n");
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if prefix == a.len() && prefix == b.len() {
        out.push_str("(only line endings or the final newline differ)\n");
        return out;
    }
    // Longest common subsequence of the next WINDOW lines, to find where the first hunk ends.
    let wa = &a[prefix..a.len().min(prefix + WINDOW)];
    let wb = &b[prefix..b.len().min(prefix + WINDOW)];
    let mut lcs = vec![vec![0u16; wb.len() + 1]; wa.len() + 1];
    for i in (0..wa.len()).rev() {
        for j in (0..wb.len()).rev() {
            lcs[i][j] = if wa[i] == wb[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut steps: Vec<(Step, &str)> = Vec::new();
    let mut trailing_same = 0;
    while (i < wa.len() || j < wb.len()) && trailing_same < CONTEXT {
        if i < wa.len() && j < wb.len() && wa[i] == wb[j] {
            steps.push((Step::Same, wa[i]));
            trailing_same += 1;
            i += 1;
            j += 1;
        } else if i < wa.len() && (j == wb.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            steps.push((Step::Removed, wa[i]));
            trailing_same = 0;
            i += 1;
        } else {
            steps.push((Step::Added, wb[j]));
            trailing_same = 0;
            j += 1;
        }
    }
    let before = prefix.saturating_sub(CONTEXT);
    let old_count = (prefix - before) + steps.iter().filter(|s| s.0 != Step::Added).count();
    let new_count = (prefix - before) + steps.iter().filter(|s| s.0 != Step::Removed).count();
    out.push_str(&format!(
        "@@ -{},{old_count} +{},{new_count} @@\n",
        before + 1,
        before + 1
    ));
    for line in &a[before..prefix] {
        out.push_str(&format!(" {line}\n"));
    }
    for (step, line) in steps.iter().take(MAX_SHOWN) {
        let mark = match step {
            Step::Same => ' ',
            Step::Removed => '-',
            Step::Added => '+',
        };
        out.push_str(&format!("{mark}{line}\n"));
    }
    if steps.len() > MAX_SHOWN {
        out.push_str(&format!(
            "… ({} more lines of this hunk)\n",
            steps.len() - MAX_SHOWN
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::first_difference;

    #[test]
    fn shows_the_first_hunk_with_context() {
        let old = "a\nb\nc\nd\nx = 1\ne\nf\ng\nh\ny = 2\n";
        let new = "a\nb\nc\nd\nx  =  1\ne\nf\ng\nh\ny  =  2\n";
        assert_eq!(
            first_difference("p.vit", old, new),
            "Diff in p.vit:\n--- p.vit\n+++ p.vit (formatted)\n@@ -2,7 +2,7 @@\n b\n c\n d\n-x = 1\n+x  =  1\n e\n f\n g\n"
        );
    }

    #[test]
    fn notes_differences_that_lines_do_not_show() {
        assert!(first_difference("p.vit", "a\r\n", "a\n").ends_with("final newline differ)\n"));
    }

    #[test]
    fn handles_insertions_at_the_start_and_the_end() {
        let diff = first_difference("p.vit", "b\n", "a\nb\nc\n");
        assert!(diff.contains("@@ -1,1 +1,3 @@\n+a\n b\n+c\n"), "{diff}");
    }
}
