//! Running other programs for the tasks: every command is printed before it runs (with its folder and the
//! environment variables it is given), and a failure says which command failed and how.
//!
//! Errors are plain `String`s: a task either succeeds or ends `cargo xtask` with `error: MESSAGE` and a
//! non-zero exit code, so there is nothing for a caller to match on.

use std::ffi::OsStr;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The result of a task step; the error is the message `cargo xtask` prints.
pub type Result<T> = std::result::Result<T, String>;

/// The command as a user would type it: `[in FOLDER] NAME=VALUE … PROGRAM ARGS…`, folder relative to `root`.
pub fn display(command: &Command, root: &Path) -> String {
    let mut text = String::new();
    if let Some(dir) = command.get_current_dir() {
        let shown = dir.strip_prefix(root).unwrap_or(dir);
        if !shown.as_os_str().is_empty() {
            text.push_str(&format!("[in {}] ", shown.display()));
        }
    }
    for (name, value) in command.get_envs() {
        if let Some(value) = value {
            text.push_str(&format!("{}={} ", quote(name), quote(value)));
        }
    }
    text.push_str(&quote(command.get_program()));
    for arg in command.get_args() {
        text.push(' ');
        text.push_str(&quote(arg));
    }
    text
}

/// `word` as is, or in single quotes when a shell would split or expand it.
fn quote(word: &OsStr) -> String {
    let word = word.to_string_lossy();
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=+,@%".contains(c));
    if plain {
        word.into_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Prints `command`, runs it with inherited streams and fails unless it exits successfully.
pub fn run(command: &mut Command, root: &Path) -> Result<()> {
    let shown = display(command, root);
    println!("$ {shown}");
    let status = command
        .status()
        .map_err(|error| spawn_error(&shown, &error))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({status})"))
    }
}

/// Prints `command`, runs it with stdout captured (stderr inherited) and gives its stdout; fails unless it
/// exits successfully.
pub fn run_with_stdout(command: &mut Command, root: &Path) -> Result<String> {
    let shown = display(command, root);
    println!("$ {shown}");
    let output = command
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|error| spawn_error(&shown, &error))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(format!("`{shown}` failed ({})", output.status))
    }
}

/// The first line `PROGRAM --version` prints, without printing the command; `None` when the program cannot
/// be started (not installed, not on `PATH`) or fails.
pub fn version_of(program: &str) -> Option<String> {
    first_output_line(Command::new(program).arg("--version"))
}

/// The first non-empty line `command` prints on stdout (or, when it prints nothing there, on stderr: `lua -v`
/// and older Pythons answer there), without printing the command; `None` when it cannot be started or fails.
pub fn first_output_line(command: &mut Command) -> Option<String> {
    let output = command.stdin(Stdio::null()).output().ok()?;
    if !output.status.success() {
        return None;
    }
    [&output.stdout, &output.stderr]
        .into_iter()
        .find_map(|bytes| {
            String::from_utf8_lossy(bytes)
                .lines()
                .map(str::trim)
                .find(|line| !line.is_empty())
                .map(str::to_owned)
        })
}

/// The program to start for a command of the Node.js tool chain (`npm` is a batch file on Windows).
pub fn node_tool(name: &str) -> String {
    if cfg!(windows) && name != "node" {
        format!("{name}.cmd")
    } else {
        name.to_owned()
    }
}

/// Which cargo profile a binary is built with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// The `dev` profile (tests).
    Debug,
    /// The `release` profile (benchmarks).
    Release,
}

/// Builds binary `bin` of `package` with `profile` in the workspace's own target folder and gives
/// the absolute path cargo reports for it (read from cargo's JSON messages, so `CARGO_TARGET_DIR`
/// and `build.target-dir` are honoured).
pub fn build_binary(root: &Path, package: &str, bin: &str, profile: Profile) -> Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut build = Command::new(cargo);
    build
        .current_dir(root)
        .args(["build", "--package", package, "--bin", bin]);
    if profile == Profile::Release {
        build.arg("--release");
    }
    build.arg("--message-format=json-render-diagnostics");
    let messages = run_with_stdout(&mut build, root)?;
    let executable = executable_in_messages(&messages, bin).ok_or_else(|| {
        format!("cargo built package `{package}` but reported no executable named `{bin}`")
    })?;
    println!("built {}", executable.display());
    Ok(executable)
}

/// The executable of binary target `bin` among cargo's JSON messages (one per line).
fn executable_in_messages(messages: &str, bin: &str) -> Option<PathBuf> {
    messages
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["reason"] == "compiler-artifact")
        .filter(|message| message["target"]["name"] == bin)
        .filter(|message| {
            message["target"]["kind"]
                .as_array()
                .is_some_and(|kinds| kinds.iter().any(|kind| kind == "bin"))
        })
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
}

fn spawn_error(shown: &str, error: &std::io::Error) -> String {
    if error.kind() == ErrorKind::NotFound {
        format!("cannot run `{shown}`: program not found on PATH")
    } else {
        format!("cannot run `{shown}`: {error}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_shows_folder_environment_and_quoted_arguments() {
        let root = Path::new("/repo");
        let mut command = Command::new("npm");
        command
            .current_dir("/repo/tests/e2e/dap")
            .env("VITTE_DAP", "/repo/target/debug/vitte-dap")
            .args(["test", "--", "--grep", "two words", "it's"]);
        assert_eq!(
            display(&command, root),
            "[in tests/e2e/dap] VITTE_DAP=/repo/target/debug/vitte-dap npm test -- --grep \
             'two words' 'it'\\''s'"
        );
    }

    #[test]
    fn display_of_a_plain_command_is_the_command() {
        let command = Command::new("node");
        assert_eq!(display(&command, Path::new("/repo")), "node");
    }

    #[test]
    fn the_executable_is_found_in_cargo_messages() {
        let messages = r#"{"reason":"compiler-artifact","target":{"name":"vitte-dap","kind":["lib"]},"executable":null}
not json
{"reason":"compiler-artifact","target":{"name":"other","kind":["bin"]},"executable":"/t/debug/other"}
{"reason":"compiler-artifact","target":{"name":"vitte-dap","kind":["bin"]},"executable":"/t/debug/vitte-dap"}
{"reason":"build-finished","success":true}"#;
        assert_eq!(
            executable_in_messages(messages, "vitte-dap"),
            Some(PathBuf::from("/t/debug/vitte-dap"))
        );
        assert_eq!(executable_in_messages(messages, "missing"), None);
    }

    #[cfg(unix)]
    #[test]
    fn the_first_line_printed_is_read_from_stdout_then_stderr() {
        let first = |script: &str| first_output_line(Command::new("sh").args(["-c", script]));
        assert_eq!(
            first("echo; echo ' one '; echo two").as_deref(),
            Some("one")
        );
        assert_eq!(first("echo 'Lua 5.4' >&2").as_deref(), Some("Lua 5.4"));
        assert_eq!(first("echo out; exit 1"), None);
        assert_eq!(first("true"), None);
    }

    #[test]
    fn version_of_a_missing_program_is_none() {
        assert_eq!(version_of("vitte-xtask-no-such-program"), None);
    }
}
