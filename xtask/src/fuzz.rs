//! `cargo xtask fuzz`: runs the fuzz targets of `fuzz/` for a bounded time each, and fails when one
//! of them finds a crash (a panic, a timeout or running out of memory).
//!
//! The targets are `cargo fuzz` (libFuzzer) targets, built with the stable tool chain and no
//! nightly: by default with `--sanitizer none`, whose flags (coverage instrumentation, and
//! `-Cdebug-assertions`, so overflow checks too) are all stable. `--asan` builds them with
//! AddressSanitizer instead, for the `unsafe` of the interpreter's dispatch loop: `-Zsanitizer` is
//! an unstable flag, so the build then runs with `RUSTC_BOOTSTRAP=1` (the sanitizer runtime ships
//! with the stable tool chain). `cargo-fuzz` itself is installed, at a pinned version, into the
//! target folder (`TARGET/tools`) the first time, with `cargo install --locked`; a matching one
//! already on `PATH` is used as it is.
//!
//! Seeds are made at every run, not committed: the conformance programs and examples (as source for
//! the compiler targets, compiled to `.vitbc` for the loader with the committed files of older
//! format versions), the debug adapter's transcripts (framed as a client would send them) and one
//! language server session per sampled program. What libFuzzer finds on top of them is kept in
//! `TARGET/fuzz/corpus/TARGET_NAME` between runs, a crashing input lands in
//! `fuzz/artifacts/TARGET_NAME/`, and the full libFuzzer output of each run in
//! `TARGET/fuzz/logs/TARGET_NAME.log`.

use std::fmt::Write as _;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Command;

use clap::ValueEnum;
use serde_json::{Value, json};
use vitte_compiler::builtins::Builtin;
use vitte_compiler::lexer::KEYWORDS;
use vitte_compiler::loader::vit_files_under;
use vitte_vm::bytecode::format;

use crate::cmd::{self, Result};

/// The `cargo-fuzz` version installed when none is found.
const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// What libFuzzer may spend on one input before it counts as a hang (seconds).
const INPUT_TIMEOUT_SECS: u64 = 30;

/// The memory libFuzzer lets a target use before it counts as a crash (MiB).
const RSS_LIMIT_MB: u64 = 2048;

/// Source seeds larger than this are left out (they slow every mutation of the corpus down).
const MAX_SOURCE_SEED_BYTES: u64 = 16 << 10;

/// One language server seed session per this many programs.
const LSP_SEED_EVERY: usize = 6;

/// Arguments of `cargo xtask fuzz`.
#[derive(Debug, clap::Args)]
pub struct FuzzArgs {
    /// Seconds of fuzzing for each target
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub time: u64,
    /// Build with AddressSanitizer (on the stable tool chain, through RUSTC_BOOTSTRAP=1)
    #[arg(long)]
    pub asan: bool,
    /// The targets to run (all when none is named)
    #[arg(value_enum)]
    pub targets: Vec<Target>,
}

/// A fuzz target of `fuzz/fuzz_targets/`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Target {
    /// `.vitbc` bytes: reader, verifier, writer, disassembler, a bounded run
    #[value(name = "vitbc_load")]
    VitbcLoad,
    /// Source text: front end, code generation, verifier, formatter
    #[value(name = "compile")]
    Compile,
    /// Source text compiled and run under small limits, from source and from bytecode
    #[value(name = "compile_run")]
    CompileRun,
    /// Raw client bytes into a debug adapter session
    #[value(name = "dap_session")]
    DapSession,
    /// Raw client bytes into a language server session
    #[value(name = "lsp_session")]
    LspSession,
}

impl Target {
    const ALL: [Target; 5] = [
        Target::VitbcLoad,
        Target::Compile,
        Target::CompileRun,
        Target::DapSession,
        Target::LspSession,
    ];

    /// The binary's name in `fuzz/Cargo.toml`.
    fn name(self) -> &'static str {
        match self {
            Target::VitbcLoad => "vitbc_load",
            Target::Compile => "compile",
            Target::CompileRun => "compile_run",
            Target::DapSession => "dap_session",
            Target::LspSession => "lsp_session",
        }
    }

    /// Whether the target reads source text (and gets the language's dictionary).
    fn reads_source(self) -> bool {
        matches!(self, Target::Compile | Target::CompileRun)
    }
}

/// What one target's run came to.
struct Report {
    target: Target,
    executions: Option<u64>,
    corpus: usize,
    failure: Option<String>,
}

/// Runs the task.
pub fn run(root: &Path, args: &FuzzArgs) -> Result<()> {
    let targets: Vec<Target> = if args.targets.is_empty() {
        Target::ALL.to_vec()
    } else {
        args.targets.clone()
    };
    let target_dir = target_directory(root)?;
    let cargo_fuzz = ensure_cargo_fuzz(root, &target_dir)?;
    let work = target_dir.join("fuzz");
    let dictionary = work.join("vitte.dict");
    fs::create_dir_all(&work).map_err(|e| format!("cannot create {}: {e}", work.display()))?;
    write_file(&dictionary, language_dictionary().as_bytes())?;
    let build = Build {
        asan: args.asan,
        dir: work.join(if args.asan { "build-asan" } else { "build" }),
    };
    cmd::run(&mut build.command(&cargo_fuzz, root, "build"), root)?;

    let mut reports = Vec::new();
    for &target in &targets {
        let seeds = work.join("seeds").join(target.name());
        let corpus = work.join("corpus").join(target.name());
        let count = make_seeds(root, target, &seeds)?;
        println!("{count} seeds for {}", target.name());
        fs::create_dir_all(&corpus)
            .map_err(|e| format!("cannot create {}: {e}", corpus.display()))?;
        let log = work.join("logs").join(format!("{}.log", target.name()));
        reports.push(fuzz_one(
            root,
            &cargo_fuzz,
            target,
            &FuzzRun {
                seconds: args.time,
                build: &build,
                corpus: &corpus,
                seeds: &seeds,
                dictionary: &dictionary,
                log: &log,
            },
        )?);
    }
    print_reports(&reports);
    let failed: Vec<&str> = reports
        .iter()
        .filter(|report| report.failure.is_some())
        .map(|report| report.target.name())
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "fuzzing found a crash in {}: the input is in fuzz/artifacts/, reproduce it with \
             `cargo fuzz run TARGET FILE --sanitizer none` and make it a regression test",
            failed.join(", ")
        ))
    }
}

/// How the targets are built: the same for `cargo fuzz build` and every `cargo fuzz run`, so a run
/// does not rebuild.
struct Build {
    /// AddressSanitizer, or no sanitizer.
    asan: bool,
    /// The target folder of the fuzz build (one per sanitizer, so switching does not rebuild).
    dir: PathBuf,
}

impl Build {
    /// `cargo fuzz SUBCOMMAND` with the build options (and `RUSTC_BOOTSTRAP=1` for a sanitizer).
    fn command(&self, cargo_fuzz: &Path, root: &Path, subcommand: &str) -> Command {
        let mut command = Command::new(cargo_fuzz);
        command
            .current_dir(root)
            .args(["fuzz", subcommand])
            .arg("--sanitizer")
            .arg(if self.asan { "address" } else { "none" })
            .args([
                "--debug-assertions",
                "--codegen-units",
                "16",
                "--target-dir",
            ])
            .arg(&self.dir);
        if self.asan {
            command.env("RUSTC_BOOTSTRAP", "1");
        }
        command
    }
}

/// Where one target's run reads and writes.
struct FuzzRun<'a> {
    seconds: u64,
    build: &'a Build,
    corpus: &'a Path,
    seeds: &'a Path,
    dictionary: &'a Path,
    log: &'a Path,
}

fn fuzz_one(root: &Path, cargo_fuzz: &Path, target: Target, run: &FuzzRun<'_>) -> Result<Report> {
    if let Some(folder) = run.log.parent() {
        fs::create_dir_all(folder)
            .map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
    }
    let log =
        File::create(run.log).map_err(|e| format!("cannot create {}: {e}", run.log.display()))?;
    let log_err = log
        .try_clone()
        .map_err(|e| format!("cannot use {}: {e}", run.log.display()))?;
    let mut command = run.build.command(cargo_fuzz, root, "run");
    command
        .arg(target.name())
        .arg(run.corpus)
        .arg(run.seeds)
        .arg("--")
        .arg(format!("-max_total_time={}", run.seconds))
        .arg(format!("-timeout={INPUT_TIMEOUT_SECS}"))
        .arg(format!("-rss_limit_mb={RSS_LIMIT_MB}"))
        .arg("-print_final_stats=1");
    if target.reads_source() {
        command.arg(format!("-dict={}", run.dictionary.display()));
    }
    command.stdout(log).stderr(log_err);
    let failure = cmd::run(&mut command, root).err();
    let text = fs::read_to_string(run.log).unwrap_or_default();
    if failure.is_some() {
        eprintln!("--- the end of {} ---", run.log.display());
        let lines: Vec<&str> = text.lines().collect();
        for line in &lines[lines.len().saturating_sub(40)..] {
            eprintln!("{line}");
        }
    }
    Ok(Report {
        target,
        executions: executions_in_log(&text),
        corpus: fs::read_dir(run.corpus).map_or(0, Iterator::count),
        failure,
    })
}

/// The number of inputs run, from libFuzzer's final statistics (or its `Done N runs` line).
fn executions_in_log(text: &str) -> Option<u64> {
    text.lines().rev().find_map(|line| {
        if let Some(count) = line.strip_prefix("stat::number_of_executed_units:") {
            return count.trim().parse().ok();
        }
        let rest = line.strip_prefix("Done ")?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

fn print_reports(reports: &[Report]) {
    println!();
    println!("| target | executions | corpus | result |");
    println!("| --- | ---: | ---: | --- |");
    for report in reports {
        let executions = report
            .executions
            .map_or_else(|| "?".to_string(), |n| n.to_string());
        let result = if report.failure.is_some() {
            "CRASH"
        } else {
            "ok"
        };
        println!(
            "| {} | {executions} | {} | {result} |",
            report.target.name(),
            report.corpus
        );
    }
}

/// The target folder cargo uses for this workspace (`CARGO_TARGET_DIR` and `build.target-dir`
/// honoured).
fn target_directory(root: &Path) -> Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut metadata = Command::new(cargo);
    metadata
        .current_dir(root)
        .args(["metadata", "--format-version", "1", "--no-deps"]);
    let text = cmd::run_with_stdout(&mut metadata, root)?;
    let value: Value =
        serde_json::from_str(&text).map_err(|e| format!("cargo metadata is not JSON: {e}"))?;
    value["target_directory"]
        .as_str()
        .map(PathBuf::from)
        .ok_or_else(|| "cargo metadata gave no target_directory".to_string())
}

/// A `cargo-fuzz` of [`CARGO_FUZZ_VERSION`]: the one on `PATH`, or the one installed in
/// `TARGET/tools`, installed there first when missing.
fn ensure_cargo_fuzz(root: &Path, target_dir: &Path) -> Result<PathBuf> {
    let wanted = format!("cargo-fuzz {CARGO_FUZZ_VERSION}");
    if cmd::version_of("cargo-fuzz").is_some_and(|version| version == wanted) {
        return Ok(PathBuf::from("cargo-fuzz"));
    }
    let tools = target_dir.join("tools");
    let installed = tools
        .join("bin")
        .join(format!("cargo-fuzz{}", std::env::consts::EXE_SUFFIX));
    let installed_text = installed.display().to_string();
    if cmd::version_of(&installed_text).is_some_and(|version| version == wanted) {
        return Ok(installed);
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut install = Command::new(cargo);
    install
        .current_dir(root)
        .args([
            "install",
            "cargo-fuzz",
            "--locked",
            "--version",
            CARGO_FUZZ_VERSION,
        ])
        .arg("--root")
        .arg(&tools);
    cmd::run(&mut install, root)?;
    Ok(installed)
}

/// A libFuzzer dictionary of the language's words: keywords, built-ins and punctuation.
fn language_dictionary() -> String {
    let mut words: Vec<&str> = KEYWORDS.iter().map(|(word, _)| *word).collect();
    words.extend(Builtin::ALL.iter().map(|builtin| builtin.name()));
    words.extend([
        "->", "=>", "..", "..=", "==", "!=", "<=", ">=", "&&", "||", "+=", "-=", "*=", "/=", "%=",
        "//", "/*", "*/", "\"", "\\u{", "0x", "0b", "1e-9", "Map[", "Chan[", "Thread", "?", "int",
        "float", "bool", "string", "void", "main",
    ]);
    let mut text = String::new();
    for word in words {
        let escaped = word.replace('\\', "\\\\").replace('"', "\\\"");
        let _ = writeln!(text, "\"{escaped}\"");
    }
    text
}

/// Makes the seeds of `target` in `folder` (emptied first); gives how many.
fn make_seeds(root: &Path, target: Target, folder: &Path) -> Result<usize> {
    if folder.exists() {
        fs::remove_dir_all(folder)
            .map_err(|e| format!("cannot empty {}: {e}", folder.display()))?;
    }
    fs::create_dir_all(folder).map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
    let seeds = match target {
        Target::VitbcLoad => bytecode_seeds(root),
        Target::Compile | Target::CompileRun => source_seeds(root),
        Target::DapSession => dap_seeds(root)?,
        Target::LspSession => lsp_seeds(root),
    };
    for (name, bytes) in &seeds {
        write_file(&folder.join(name), bytes)?;
    }
    Ok(seeds.len())
}

/// Every `.vit` file of the conformance programs and the examples, sorted.
fn programs(root: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = ["tests/programs", "examples"]
        .iter()
        .flat_map(|dir| vit_files_under(&root.join(dir)))
        .collect();
    found.sort();
    found
}

/// A file name for a seed made from `path`: its path under the root, with `/` as `_`.
fn seed_name(root: &Path, path: &Path, extension: &str) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path).with_extension("");
    let flat: String = relative
        .to_string_lossy()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("{flat}.{extension}")
}

/// The programs small enough to be source seeds, with their text.
fn small_programs(root: &Path) -> Vec<(PathBuf, String)> {
    programs(root)
        .into_iter()
        .filter(|path| fs::metadata(path).is_ok_and(|m| m.len() <= MAX_SOURCE_SEED_BYTES))
        .filter_map(|path| fs::read_to_string(&path).ok().map(|text| (path, text)))
        .collect()
}

fn source_seeds(root: &Path) -> Vec<(String, Vec<u8>)> {
    small_programs(root)
        .into_iter()
        .map(|(path, text)| (seed_name(root, &path, "vit"), text.into_bytes()))
        .collect()
}

/// Every program that compiles, as `.vitbc` bytes, and the committed files of older versions.
fn bytecode_seeds(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut seeds: Vec<(String, Vec<u8>)> = programs(root)
        .into_iter()
        .filter_map(|path| {
            let module = vitte_compiler::compile_file(&path).module?;
            Some((seed_name(root, &path, "vitbc"), format::write(&module)))
        })
        .collect();
    for folder in ["tests/compat/v1", "tests/compat/v2"] {
        let Ok(entries) = fs::read_dir(root.join(folder)) else {
            continue;
        };
        for path in entries.flatten().map(|entry| entry.path()) {
            if path.extension().is_some_and(|ext| ext == "vitbc")
                && let Ok(bytes) = fs::read(&path)
            {
                seeds.push((seed_name(root, &path, "vitbc"), bytes));
            }
        }
    }
    seeds
}

/// `body` with its `Content-Length` header, as a client sends it.
fn framed(body: &Value) -> Vec<u8> {
    let text = body.to_string();
    let mut bytes = format!("Content-Length: {}\r\n\r\n", text.len()).into_bytes();
    bytes.extend(text.into_bytes());
    bytes
}

/// The debug adapter's transcripts (`dap-adapter/tests/transcripts/*.json`) as the bytes a client
/// sends: each step's request (`send` and `args`, or `raw`), with `${program}` and `${programs}`
/// pointing at the adapter's test programs and every value saved from a response (a frame,
/// a variables reference) guessed as `1`.
fn dap_seeds(root: &Path) -> Result<Vec<(String, Vec<u8>)>> {
    let transcripts = root.join("dap-adapter/tests/transcripts");
    let programs = root.join("dap-adapter/tests/programs");
    let entries = fs::read_dir(&transcripts)
        .map_err(|e| format!("cannot list {}: {e}", transcripts.display()))?;
    let mut paths: Vec<PathBuf> = entries.flatten().map(|entry| entry.path()).collect();
    paths.sort();
    let mut seeds = Vec::new();
    for path in paths
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
    {
        let text =
            fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let transcript: Value = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not JSON: {e}", path.display()))?;
        let program = transcript["program"]
            .as_str()
            .map(|name| programs.join(name).display().to_string())
            .unwrap_or_default();
        let places = [
            ("${program}", program),
            ("${programs}", programs.display().to_string()),
        ];
        let mut bytes = Vec::new();
        let mut seq = 0;
        for step in transcript["steps"].as_array().into_iter().flatten() {
            if let Some(command) = step["send"].as_str() {
                seq += 1;
                let request = json!({
                    "seq": seq,
                    "type": "request",
                    "command": command,
                    "arguments": fill_placeholders(&step["args"], &places),
                });
                bytes.extend(framed(&request));
            } else if let Some(raw) = step.get("raw") {
                bytes.extend(framed(raw));
            }
        }
        seeds.push((seed_name(root, path, "dap"), bytes));
    }
    Ok(seeds)
}

/// `value` with the transcript placeholders replaced: the known ones by their text, a string that
/// is a placeholder alone (a saved value) by `1`.
fn fill_placeholders(value: &Value, places: &[(&str, String)]) -> Value {
    match value {
        Value::String(text) => {
            let mut filled = text.clone();
            for (name, replacement) in places {
                filled = filled.replace(name, replacement);
            }
            if filled.starts_with("${") && filled.ends_with('}') {
                json!(1)
            } else {
                Value::String(filled)
            }
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| fill_placeholders(item, places))
                .collect(),
        ),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(key, item)| (key.clone(), fill_placeholders(item, places)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// One language server session for every [`LSP_SEED_EVERY`]th program: the handshake, the program
/// opened, one request of each kind at a position in its middle, an edit, and the shutdown.
fn lsp_seeds(root: &Path) -> Vec<(String, Vec<u8>)> {
    small_programs(root)
        .into_iter()
        .step_by(LSP_SEED_EVERY)
        .map(|(path, text)| (seed_name(root, &path, "lsp"), lsp_session(&text)))
        .collect()
}

fn lsp_session(text: &str) -> Vec<u8> {
    let uri = "file:///vitte-fuzz/main.vit";
    let document = json!({ "uri": uri });
    let lines = text.lines().count().max(1);
    let position = json!({ "line": lines / 2, "character": 6 });
    let at = json!({ "textDocument": document, "position": position });
    let whole =
        json!({ "start": { "line": 0, "character": 0 }, "end": { "line": lines, "character": 0 } });
    let mut messages = vec![
        json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": { "processId": null, "capabilities": {} } }),
        json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }),
        json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
            "textDocument": { "uri": uri, "languageId": "vitte", "version": 1, "text": text } } }),
    ];
    let requests = [
        ("textDocument/hover", at.clone()),
        ("textDocument/definition", at.clone()),
        (
            "textDocument/references",
            json!({ "textDocument": document, "position": position, "context": { "includeDeclaration": true } }),
        ),
        ("textDocument/documentHighlight", at.clone()),
        ("textDocument/completion", at.clone()),
        ("textDocument/signatureHelp", at.clone()),
        ("textDocument/prepareRename", at.clone()),
        (
            "textDocument/rename",
            json!({ "textDocument": document, "position": position, "newName": "renamed" }),
        ),
        (
            "textDocument/documentSymbol",
            json!({ "textDocument": document }),
        ),
        ("workspace/symbol", json!({ "query": "ma" })),
        (
            "textDocument/semanticTokens/full",
            json!({ "textDocument": document }),
        ),
        (
            "textDocument/inlayHint",
            json!({ "textDocument": document, "range": whole }),
        ),
        ("textDocument/codeLens", json!({ "textDocument": document })),
        (
            "textDocument/formatting",
            json!({ "textDocument": document, "options": { "tabSize": 4, "insertSpaces": true } }),
        ),
    ];
    for (id, (method, params)) in (2..).zip(requests) {
        messages.push(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
    }
    messages.push(
        json!({ "jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
        "textDocument": { "uri": uri, "version": 2 },
        "contentChanges": [ { "range": { "start": position, "end": position }, "text": "(" } ] } }),
    );
    messages
        .push(json!({ "jsonrpc": "2.0", "id": 100, "method": "textDocument/hover", "params": at }));
    messages.push(json!({ "jsonrpc": "2.0", "id": 101, "method": "shutdown" }));
    messages.push(json!({ "jsonrpc": "2.0", "method": "exit" }));
    messages.iter().flat_map(framed).collect()
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn executions_are_read_from_the_final_statistics_or_the_done_line() {
        let log = "#2\tINITED cov: 10\nDone 31337 runs in 30 second(s)\nstat::number_of_executed_units: 31340\n";
        assert_eq!(executions_in_log(log), Some(31340));
        assert_eq!(executions_in_log("Done 12 runs in 1 second(s)\n"), Some(12));
        assert_eq!(
            executions_in_log("==1== ERROR: libFuzzer: deadly signal\n"),
            None
        );
    }

    #[test]
    fn the_dictionary_holds_keywords_builtins_and_escaped_punctuation() {
        let dictionary = language_dictionary();
        for line in ["\"proc\"", "\"print\"", "\"\\\"\"", "\"\\\\u{\""] {
            assert!(
                dictionary.lines().any(|l| l == line),
                "{line} in\n{dictionary}"
            );
        }
    }

    #[test]
    fn placeholders_are_filled_and_saved_values_guessed() {
        let places = [("${program}", "/p/loop.vit".to_string())];
        let args =
            json!({ "program": "${program}", "frameId": "${frame}", "lines": [ "${program}:3" ] });
        assert_eq!(
            fill_placeholders(&args, &places),
            json!({ "program": "/p/loop.vit", "frameId": 1, "lines": [ "/p/loop.vit:3" ] })
        );
    }

    #[test]
    fn seeds_are_made_for_every_target() {
        let root = crate::workspace_root();
        assert!(source_seeds(&root).len() > 100);
        assert!(dap_seeds(&root).expect("the transcripts read").len() >= 5);
        let session = lsp_session("proc main() {\n    print(1);\n}\n");
        let text = String::from_utf8(session).expect("text");
        assert!(text.starts_with("Content-Length: "));
        assert!(text.contains("\"method\":\"exit\""));
    }

    #[test]
    fn seed_names_flatten_paths() {
        let root = Path::new("/repo");
        assert_eq!(
            seed_name(root, Path::new("/repo/tests/programs/a-b/c.vit"), "vitbc"),
            "tests_programs_a_b_c.vitbc"
        );
    }
}
