//! `cargo xtask bench-lsp`: the language server on a large file, measured on a release build.
//!
//! 1. A valid Vitte program of exactly [`LINES`] lines is generated ([`generate_program`]: many forms,
//!    procs with parameters, locals, loops and conditions), written to a temporary folder and checked
//!    with the release `vitte check`, so the benchmark never measures a broken program.
//! 2. The release `vitte-lsp` is started with piped stdio and spoken to directly (Content-Length framed
//!    JSON-RPC): `initialize`, `initialized`, `didOpen` (its first `publishDiagnostics` is timed too),
//!    then `--edits` (50) `didChange` notifications, each an incremental change of one literal in the
//!    middle of the file with the next version, alternating an edit that keeps the program valid and one
//!    that introduces a type error. Each is timed from writing the `didChange` to reading the
//!    `publishDiagnostics` of that version (or, from a server that sends no versions, the next one for
//!    the file), and the diagnostics are checked: none after a valid edit, the type error after the
//!    other. Edits are sent one at a time, each after the previous one's diagnostics.
//! 3. After the edits, the server's peak and current resident memory (`VmHWM` and `VmRSS` of
//!    `/proc/PID/status`; "n/a" where there is no `/proc`), then `shutdown` and `exit`, and the server
//!    must exit successfully.
//!
//! The results are a markdown table: median, p90 and max of the edit times. Target: a median under
//! 50 ms. `--quick` makes 10 edits, to check the task itself.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use clap::Args;
use serde_json::{Value, json};

use crate::cmd::{self, Profile, Result};
use crate::stats::{median, quantile};

/// Options of `cargo xtask bench-lsp`.
#[derive(Debug, Args)]
pub struct BenchLspArgs {
    /// 10 edits instead of 50: checks the task, not the speed
    #[arg(long)]
    pub quick: bool,
    /// Timed `didChange` edits (half valid, half introducing an error)
    #[arg(long, value_name = "N")]
    pub edits: Option<usize>,
}

/// Lines of the generated program.
pub const LINES: usize = 5000;

/// Edits timed by default.
const EDITS: usize = 50;

/// Edits timed under `--quick`.
const QUICK_EDITS: usize = 10;

/// The target for the median time from `didChange` to `publishDiagnostics`.
const TARGET: Duration = Duration::from_millis(50);

/// The longest wait for one message from the server.
const MESSAGE_TIMEOUT: Duration = Duration::from_secs(60);

/// The longest wait for the server to exit after `exit`.
const EXIT_TIMEOUT: Duration = Duration::from_secs(10);

/// The line of each unit of the program whose literal the edits change (see [`unit`]).
const EDITED_LINE: &str = "    let scale: float = 1.5;";

/// The literal on [`EDITED_LINE`].
const EDITED_LITERAL: &str = "1.5";

/// The text the error edits put in place of the literal: a string where a float is declared.
const ERROR_TEXT: &str = "\"oops\"";

/// Runs the task from the workspace at `root`.
pub fn run(root: &Path, args: &BenchLspArgs) -> Result<()> {
    let edits = args
        .edits
        .unwrap_or(if args.quick { QUICK_EDITS } else { EDITS })
        .max(1);
    let vitte = cmd::build_binary(root, "vitte-cli", "vitte", Profile::Release)?;
    let server = cmd::build_binary(root, "vitte-lsp", "vitte-lsp", Profile::Release)?;

    let folder = std::env::temp_dir().join(format!("vitte-bench-lsp-{}", std::process::id()));
    fs::create_dir_all(&folder)
        .map_err(|error| format!("cannot create {}: {error}", folder.display()))?;
    let result = measure(root, &vitte, &server, &folder, edits);
    let _ = fs::remove_dir_all(&folder);
    let report = result?;
    println!("\n{}", report.table());
    Ok(())
}

/// Generates and checks the program in `folder`, then runs the session.
fn measure(
    root: &Path,
    vitte: &Path,
    server: &Path,
    folder: &Path,
    edits: usize,
) -> Result<Report> {
    let text = generate_program(LINES);
    let program = folder.join("big.vit");
    fs::write(&program, &text)
        .map_err(|error| format!("cannot write {}: {error}", program.display()))?;
    let mut check = Command::new(vitte);
    check.arg("check").arg(&program);
    cmd::run(&mut check, root)
        .map_err(|error| format!("the generated program does not compile: {error}"))?;
    let line = edited_line(&text).ok_or("the generated program has no line to edit")?;
    println!(
        "\n{LINES}-line program, {edits} didChange edit(s) on line {}…",
        line + 1
    );
    session(server, &program, &text, line, edits)
}

/// What one session measured.
#[derive(Debug)]
struct Report {
    /// From `didOpen` to its `publishDiagnostics`.
    open: Duration,
    /// From each `didChange` to its `publishDiagnostics`.
    edits: Vec<Duration>,
    /// `VmHWM` and `VmRSS` after the edits, in kB.
    memory: Option<(u64, u64)>,
}

impl Report {
    /// The results as markdown tables.
    fn table(&self) -> String {
        let middle = median(&self.edits);
        let (peak, current) = match self.memory {
            Some((peak, current)) => (mebibytes(peak), mebibytes(current)),
            None => ("n/a".to_owned(), "n/a".to_owned()),
        };
        format!(
            "| {LINES}-line file | count | median | p90 | max | target |\n\
             | --- | ---: | ---: | ---: | ---: | --- |\n\
             | didOpen → publishDiagnostics | 1 | {} | | | |\n\
             | didChange → publishDiagnostics | {} | {} | {} | {} | median < {} ms{} |\n\
             \n\
             | vitte-lsp memory after the edits | peak resident (VmHWM) | resident (VmRSS) |\n\
             | --- | ---: | ---: |\n\
             | release build | {peak} | {current} |",
            millis(self.open),
            self.edits.len(),
            millis(middle),
            millis(quantile(&self.edits, 0.9)),
            millis(quantile(&self.edits, 1.0)),
            TARGET.as_millis(),
            if middle < TARGET {
                " (met)"
            } else {
                " (missed)"
            },
        )
    }
}

/// The program: [`unit`]s numbered from 0 until the next would not fit, comment lines up to exactly
/// `lines` lines, then `main`. Every line ends with a newline.
pub fn generate_program(lines: usize) -> String {
    let mut body = vec![
        "// Generated by `cargo xtask bench-lsp`: a large valid program for the language server."
            .to_owned(),
        String::new(),
    ];
    let main_proc = main_proc();
    let mut index = 0;
    loop {
        let next = unit(index);
        if body.len() + next.len() + main_proc.len() > lines {
            break;
        }
        body.extend(next);
        index += 1;
    }
    while body.len() + main_proc.len() < lines {
        body.push("// padding".to_owned());
    }
    body.extend(main_proc);
    let mut text = body.join("\n");
    text.push('\n');
    text
}

/// Unit `i` of the program: a form, a proc building it and a proc scoring it.
fn unit(i: usize) -> Vec<String> {
    let rounds = i % 7 + 3;
    format!(
        "form Item{i} {{ id: int, weight: float, label: string }}

/// Builds item {i} from `seed`.
proc make{i}(seed: int) -> Item{i} {{
    let mut total = seed;
{EDITED_LINE}
    for k in 0..{rounds} {{
        set total += k * {i};
    }}
    let label = \"item\" + str(total);
    give Item{i} {{ id: total, weight: float(total) * scale, label: label }};
}}

proc score{i}(item: Item{i}, bonus: float) -> float {{
    let mut result = item.weight + bonus;
    if item.id > 10 {{
        set result += {i}.0;
    }} elif len(item.label) == 0 {{
        set result = 0.0;
    }}
    give result;
}}
"
    )
    .lines()
    .map(str::to_owned)
    .collect()
}

/// The program's `main`, calling the first unit.
fn main_proc() -> Vec<String> {
    [
        "proc main() -> int {",
        "    let first = make0(4);",
        "    print(score0(first, 0.5));",
        "    give 0;",
        "}",
    ]
    .map(str::to_owned)
    .to_vec()
}

/// The 0-based index of the [`EDITED_LINE`] nearest the middle of `text`.
fn edited_line(text: &str) -> Option<usize> {
    let middle = text.lines().count() / 2;
    text.lines()
        .enumerate()
        .filter(|(_, line)| *line == EDITED_LINE)
        .map(|(index, _)| index)
        .min_by_key(|index| index.abs_diff(middle))
}

/// The text that edit `n` (0-based) puts in place of the literal: a type error for odd `n`, another
/// float for even `n`.
fn edit_text(n: usize) -> String {
    if n % 2 == 1 {
        ERROR_TEXT.to_owned()
    } else {
        format!("{}.5", n / 2 % 9 + 2)
    }
}

/// A running server, the messages it sends (read by a thread) and the next request id.
struct Server {
    child: Child,
    input: ChildStdin,
    messages: Receiver<std::result::Result<(Instant, Value), String>>,
    next_id: i64,
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `program` with piped stdin and stdout (stderr is inherited, so its complaints show).
    fn start(program: &Path) -> Result<Server> {
        let mut child = Command::new(program)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|error| format!("cannot start {}: {error}", program.display()))?;
        let (Some(input), Some(output)) = (child.stdin.take(), child.stdout.take()) else {
            return Err("the server's stdio is not piped".to_owned());
        };
        let (sender, messages) = mpsc::channel();
        thread::spawn(move || {
            let mut reader = BufReader::new(output);
            loop {
                let message = read_message(&mut reader).map(|value| (Instant::now(), value));
                let stop = message.is_err();
                if sender.send(message).is_err() || stop {
                    break;
                }
            }
        });
        Ok(Server {
            child,
            input,
            messages,
            next_id: 1,
        })
    }

    /// Writes one message; gives the time just after it was written.
    fn send(&mut self, message: &Value) -> Result<Instant> {
        let body = message.to_string();
        write!(self.input, "Content-Length: {}\r\n\r\n{body}", body.len())
            .and_then(|()| self.input.flush())
            .map_err(|error| format!("cannot write to the server: {error}"))?;
        Ok(Instant::now())
    }

    fn notify(&mut self, method: &str, params: Value) -> Result<Instant> {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }))
    }

    /// Sends request `method` and waits for its response, answering the server's own requests.
    fn call(&mut self, method: &str, params: Value) -> Result<Value> {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }))?;
        let (_, response) = self.wait(&format!("the response to {method}"), |message| {
            message.get("method").is_none() && message["id"] == json!(id)
        })?;
        if let Some(error) = response.get("error") {
            return Err(format!("{method} failed: {error}"));
        }
        Ok(response["result"].clone())
    }

    /// The next message for which `wanted` is true, with the time it was read. Requests of the server
    /// (registrations, progress) are answered with a null result on the way.
    fn wait(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Result<(Instant, Value)> {
        let deadline = Instant::now() + MESSAGE_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let (time, message) = match self.messages.recv_timeout(left) {
                Ok(message) => message?,
                Err(RecvTimeoutError::Timeout) => {
                    return Err(format!("no {what} within {} s", MESSAGE_TIMEOUT.as_secs()));
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(format!("the server stopped before {what}"));
                }
            };
            if wanted(&message) {
                return Ok((time, message));
            }
            if message.get("method").is_some() && message.get("id").is_some() {
                self.send(&json!({ "jsonrpc": "2.0", "id": message["id"], "result": null }))?;
            }
        }
    }

    /// Waits for the `publishDiagnostics` of `uri` at `version` (or, when the server sends no
    /// version, the next one of `uri`); gives the time it was read and its diagnostics.
    fn diagnostics(&mut self, uri: &str, version: i64) -> Result<(Instant, Vec<Value>)> {
        let (time, message) = self.wait(
            &format!("publishDiagnostics of version {version}"),
            |message| {
                message["method"] == "textDocument/publishDiagnostics"
                    && message["params"]["uri"] == uri
                    && (message["params"]["version"].is_null()
                        || message["params"]["version"] == json!(version))
            },
        )?;
        let diagnostics = message["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        Ok((time, diagnostics))
    }

    /// `shutdown`, `exit`, and the server's successful exit.
    fn shut_down(&mut self) -> Result<()> {
        self.call("shutdown", Value::Null)?;
        self.notify("exit", Value::Null)?;
        let deadline = Instant::now() + EXIT_TIMEOUT;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) if status.success() => return Ok(()),
                Ok(Some(status)) => return Err(format!("the server exited with {status}")),
                Ok(None) if Instant::now() < deadline => {
                    thread::sleep(Duration::from_millis(10));
                }
                Ok(None) => {
                    return Err(format!(
                        "the server did not exit within {} s of `exit`",
                        EXIT_TIMEOUT.as_secs()
                    ));
                }
                Err(error) => return Err(format!("cannot wait for the server: {error}")),
            }
        }
    }
}

/// One Content-Length framed message; an error at the end of the stream or on a malformed frame.
fn read_message(reader: &mut impl BufRead) -> std::result::Result<Value, String> {
    let mut length = None;
    loop {
        let mut header = String::new();
        let read = reader
            .read_line(&mut header)
            .map_err(|error| format!("cannot read from the server: {error}"))?;
        if read == 0 {
            return Err("the server closed its output".to_owned());
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let length = length.ok_or("a message from the server has no Content-Length")?;
    let mut body = vec![0; length];
    reader
        .read_exact(&mut body)
        .map_err(|error| format!("cannot read a message body from the server: {error}"))?;
    serde_json::from_slice(&body).map_err(|error| format!("the server sent bad JSON: {error}"))
}

/// The `file:` URI of absolute `path` (the generated file's path has no characters to escape on the
/// systems this runs on; spaces are escaped anyway).
fn file_uri(path: &Path) -> String {
    let text = path
        .to_string_lossy()
        .replace('\\', "/")
        .replace(' ', "%20");
    if text.starts_with('/') {
        format!("file://{text}")
    } else {
        format!("file:///{text}")
    }
}

/// The session: open `program` (whose text is `text`), edit `line` `edits` times, read the memory, shut
/// down.
fn session(
    server_path: &Path,
    program: &Path,
    text: &str,
    line: usize,
    edits: usize,
) -> Result<Report> {
    let folder = program.parent().map(Path::to_path_buf).unwrap_or_default();
    let uri = file_uri(program);
    let mut server = Server::start(server_path)?;
    server.call(
        "initialize",
        json!({
            "processId": std::process::id(),
            "clientInfo": { "name": "cargo xtask bench-lsp" },
            "rootUri": file_uri(&folder),
            "workspaceFolders": [{ "uri": file_uri(&folder), "name": "bench" }],
            "capabilities": {
                "textDocument": {
                    "synchronization": { "dynamicRegistration": false },
                    "publishDiagnostics": { "versionSupport": true },
                },
                "general": { "positionEncodings": ["utf-16"] },
            },
        }),
    )?;
    server.notify("initialized", json!({}))?;
    let sent = server.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "vitte", "version": 0, "text": text } }),
    )?;
    let (received, diagnostics) = server.diagnostics(&uri, 0)?;
    if !diagnostics.is_empty() {
        return Err(format!(
            "the generated program has diagnostics in the server: {}",
            Value::Array(diagnostics)
        ));
    }
    let open = received.saturating_duration_since(sent);

    let column = text
        .lines()
        .nth(line)
        .and_then(|line| line.find(EDITED_LITERAL))
        .ok_or("the edited line has no literal")?;
    let mut current = EDITED_LITERAL.to_owned();
    let mut times = Vec::with_capacity(edits);
    for n in 0..edits {
        let version = i64::try_from(n).unwrap_or(i64::MAX - 1) + 1;
        let replacement = edit_text(n);
        let change = json!({
            "range": {
                "start": { "line": line, "character": column },
                "end": { "line": line, "character": column + current.len() },
            },
            "text": replacement,
        });
        let sent = server.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [change] }),
        )?;
        let (received, diagnostics) = server.diagnostics(&uri, version)?;
        times.push(received.saturating_duration_since(sent));
        check_edit(n, line, &diagnostics)?;
        current = replacement;
    }
    let memory = memory_of(server.child.id());
    server.shut_down()?;
    Ok(Report {
        open,
        edits: times,
        memory,
    })
}

/// Checks the diagnostics after edit `n` of `line`: none after a valid edit, the type error on
/// `line` after an error edit.
fn check_edit(n: usize, line: usize, diagnostics: &[Value]) -> Result<()> {
    let ok = if n % 2 == 1 {
        diagnostics.iter().any(|diagnostic| {
            diagnostic["range"]["start"]["line"] == json!(line)
                && diagnostic["message"]
                    .as_str()
                    .is_some_and(|message| message.contains("expected float, found string"))
        })
    } else {
        diagnostics.is_empty()
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "unexpected diagnostics after edit {n} ({}): {}",
            if n % 2 == 1 { "an error" } else { "valid" },
            Value::Array(diagnostics.to_vec())
        ))
    }
}

/// `VmHWM` and `VmRSS` (kB) of process `pid`, from `/proc`; `None` where that cannot be read.
fn memory_of(pid: u32) -> Option<(u64, u64)> {
    let status = fs::read_to_string(PathBuf::from(format!("/proc/{pid}/status"))).ok()?;
    Some((
        status_field(&status, "VmHWM")?,
        status_field(&status, "VmRSS")?,
    ))
}

/// The number of kB of field `name` in the text of a `/proc/PID/status` file.
fn status_field(status: &str, name: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let value = line.strip_prefix(name)?.strip_prefix(':')?;
        value.trim().strip_suffix("kB")?.trim().parse().ok()
    })
}

fn millis(time: Duration) -> String {
    format!("{:.2} ms", time.as_secs_f64() * 1000.0)
}

fn mebibytes(kilobytes: u64) -> String {
    format!("{:.1} MiB", kilobytes as f64 / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_program_has_exactly_the_lines_asked_for() {
        for lines in [LINES, 300, 1234] {
            let text = generate_program(lines);
            assert_eq!(text.lines().count(), lines);
            assert!(text.ends_with("}\n"));
        }
        let text = generate_program(LINES);
        assert!(text.matches("\nproc ").count() > 400, "many procs");
        assert!(text.matches("\nform ").count() > 200, "many forms");
        assert_eq!(text.matches("proc main()").count(), 1);
    }

    #[test]
    fn the_program_compiles() {
        let text = generate_program(LINES);
        let folder =
            std::env::temp_dir().join(format!("xtask-bench-lsp-test-{}", std::process::id()));
        fs::create_dir_all(&folder).unwrap();
        let path = folder.join("big.vit");
        fs::write(&path, &text).unwrap();
        let compilation = vitte_compiler::compile_file(&path);
        fs::remove_dir_all(&folder).unwrap();
        assert!(
            compilation.diagnostics.is_empty(),
            "the generated program does not compile: {:?}",
            compilation.diagnostics
        );
        assert!(compilation.module.is_some());
    }

    #[test]
    fn the_edited_line_is_near_the_middle() {
        let text = generate_program(LINES);
        let line = edited_line(&text).unwrap();
        assert!(line.abs_diff(LINES / 2) < 30, "{line}");
        assert_eq!(text.lines().nth(line), Some(EDITED_LINE));
    }

    #[test]
    fn edits_alternate_valid_and_error() {
        assert_eq!(edit_text(0), "2.5");
        assert_eq!(edit_text(1), ERROR_TEXT);
        assert_eq!(edit_text(2), "3.5");
        assert_eq!(edit_text(3), ERROR_TEXT);
        assert!(
            (0..100)
                .step_by(2)
                .all(|n| edit_text(n).parse::<f64>().is_ok())
        );
    }

    #[test]
    fn messages_are_read_from_content_length_frames() {
        let body = r#"{"jsonrpc":"2.0","method":"x","params":{"é":1}}"#;
        let stream = format!(
            "Content-Length: {}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{body}",
            body.len()
        );
        let mut reader = BufReader::new(stream.as_bytes());
        assert_eq!(read_message(&mut reader).unwrap()["params"]["é"], 1);
        assert!(read_message(&mut reader).is_err());
    }

    #[test]
    fn status_fields_are_parsed() {
        let status =
            "Name:\tvitte-lsp\nVmPeak:\t  20000 kB\nVmHWM:\t    5120 kB\nVmRSS:\t    4096 kB\n";
        assert_eq!(status_field(status, "VmHWM"), Some(5120));
        assert_eq!(status_field(status, "VmRSS"), Some(4096));
        assert_eq!(status_field(status, "VmSwap"), None);
    }

    #[test]
    fn file_uris() {
        assert_eq!(
            file_uri(Path::new("/tmp/a b/big.vit")),
            "file:///tmp/a%20b/big.vit"
        );
    }
}
