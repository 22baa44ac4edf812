//! `cargo xtask bench-dap`: what debugging costs, measured on release builds.
//!
//! Three measurements, each printed as a markdown table:
//!
//! 1. **Step round trip.** `vitte-dap --stdio` runs `bench/debugger/stepping.vit` to a breakpoint;
//!    then each step is what an editor does at every press of F10: `next`, the `stopped` event,
//!    `stackTrace`, `scopes` and `variables` of the top frame's locals. The table gives the median
//!    (and the spread) of the time from sending `next` to receiving the `variables` response.
//!    Target: a median under 2 ms.
//! 2. **Pause latency.** `bench/debugger/spin.vit` loops without ever blocking; the time from
//!    sending `pause` to receiving its `stopped` event, over repeated pause and continue.
//!    Target: under 100 ms (it is a fuel slice of work, so far less).
//! 3. **Slowdown under the debugger.** Each workload of `bench/` (`bench/NAME/NAME.vit`) runs with
//!    `vitte run` and under `vitte-dap` with breakpoints on its lines marked `// #unreached`
//!    (lines with code that a normal run never executes); the runs alternate and each side's
//!    median wall time is compared. A session is timed from starting the adapter to its exit, as
//!    `vitte run` is from start to exit, so both include starting up and compiling. Every
//!    breakpoint must be verified on its own line and never hit, and the program's output must be
//!    the same both ways. Target: at most 10 % slower.
//!
//! `--quick` runs each workload once at its quick size (the table of [`crate::workloads`]) and
//! fewer steps, to check the task itself; its figures mean little.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use clap::Args;
use serde_json::{Value, json};
use vitte_dap::client::{Client, is_event};

use crate::cmd::{self, Profile, Result};
use crate::stats::{median, quantile};
use crate::workloads::{self, DEBUGGER_FOLDER, Language};

/// Options of `cargo xtask bench-dap`.
#[derive(Debug, Args)]
pub struct BenchDapArgs {
    /// Small sizes, one run per workload, fewer steps: checks the task, not the speed
    #[arg(long)]
    pub quick: bool,
    /// Timed steps in the round-trip measurement
    #[arg(long, value_name = "N")]
    pub steps: Option<usize>,
    /// Runs of each workload each way (the median is reported)
    #[arg(long, value_name = "N")]
    pub runs: Option<usize>,
    /// Only these workloads (names of folders of bench/); all when none
    #[arg(value_name = "NAMES")]
    pub names: Vec<String>,
}

/// The comment marking a line a normal run never executes.
const UNREACHED: &str = "// #unreached";

/// The longest wait for one protocol message during the round trips.
const MESSAGE_TIMEOUT: Duration = Duration::from_secs(30);

/// The longest a workload may run under the debugger.
const RUN_TIMEOUT: Duration = Duration::from_secs(600);

/// Untimed steps before the timed ones.
const WARM_UP_STEPS: usize = 20;

/// Pauses in the pause-latency measurement.
const PAUSES: usize = 50;

/// How long the program runs between a `continue` and the next `pause`.
const RUN_BETWEEN_PAUSES: Duration = Duration::from_millis(20);

/// Runs the task from the workspace at `root`.
pub fn run(root: &Path, args: &BenchDapArgs) -> Result<()> {
    let workloads = marked_workloads(root, &args.names)?;
    let vitte = cmd::build_binary(root, "vitte-cli", "vitte", Profile::Release)?;
    let adapter = cmd::build_binary(root, "vitte-cli", "vitte-dap", Profile::Release)?;
    let steps = args
        .steps
        .unwrap_or(if args.quick { 50 } else { 500 })
        .max(1);
    let runs = args.runs.unwrap_or(if args.quick { 1 } else { 5 }).max(1);

    let stepping = root
        .join("bench")
        .join(DEBUGGER_FOLDER)
        .join("stepping.vit");
    println!(
        "\nstepping through {} ({steps} steps)…",
        relative(root, &stepping)
    );
    let times = step_round_trips(&adapter, &stepping, steps)?;
    println!("\n{}", round_trip_table(&times));

    let spin = root.join("bench").join(DEBUGGER_FOLDER).join("spin.vit");
    let pauses = if args.quick { 5 } else { PAUSES };
    println!("\npausing {} ({pauses} pauses)…", relative(root, &spin));
    let latencies = pause_latencies(&adapter, &spin, pauses)?;
    println!("\n{}", pause_table(&latencies));

    let mut rows = Vec::new();
    for workload in &workloads {
        let size = args.quick.then(|| workload.quick_size.to_string());
        println!(
            "\n{}: {} run(s) each way{}, breakpoints on line(s) {:?}…",
            workload.name,
            runs,
            size.as_ref()
                .map(|s| format!(" at size {s}"))
                .unwrap_or_default(),
            workload.unreached
        );
        rows.push(slowdown(&vitte, &adapter, workload, size.as_deref(), runs)?);
    }
    if !rows.is_empty() {
        println!("\n{}", slowdown_table(&rows, runs));
    }
    Ok(())
}

/// One workload of `bench/` with the lines of its Vitte program marked [`UNREACHED`].
#[derive(Debug)]
struct MarkedWorkload {
    name: &'static str,
    quick_size: u64,
    program: PathBuf,
    /// Lines marked `// #unreached`.
    unreached: Vec<u32>,
}

/// The workloads of `bench/` (all, or those named in `names`), each with its marked lines.
fn marked_workloads(root: &Path, names: &[String]) -> Result<Vec<MarkedWorkload>> {
    let mut found = Vec::new();
    for workload in workloads::select(names)? {
        let program = workload.source(root, Language::Vitte);
        let text = fs::read_to_string(&program)
            .map_err(|error| format!("cannot read {}: {error}", program.display()))?;
        let unreached = marked_lines(&text);
        if unreached.is_empty() {
            return Err(format!(
                "{} has no line marked `{UNREACHED}`: the debugger benchmark needs one",
                relative(root, &program)
            ));
        }
        found.push(MarkedWorkload {
            name: workload.name,
            quick_size: workload.quick_size,
            program,
            unreached,
        });
    }
    Ok(found)
}

/// The 1-based numbers of the lines of `text` marked [`UNREACHED`].
fn marked_lines(text: &str) -> Vec<u32> {
    text.lines()
        .zip(1..)
        .filter(|(line, _)| line.trim_end().ends_with(UNREACHED))
        .map(|(_, number)| number)
        .collect()
}

/// `path` relative to `root` for display.
fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// An adapter process and a client talking to it over its stdio; the process is killed when
/// this is dropped.
struct Session {
    client: Client,
    child: Child,
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Session {
    /// Starts `adapter --stdio` and initializes it.
    fn start(adapter: &Path) -> Result<Session> {
        let mut child = Command::new(adapter)
            .arg("--stdio")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|error| format!("cannot start {}: {error}", adapter.display()))?;
        let (Some(input), Some(output)) = (child.stdin.take(), child.stdout.take()) else {
            return Err("the adapter's stdio is not piped".to_owned());
        };
        let mut session = Session {
            client: Client::new(Box::new(input), output),
            child,
        };
        session.call(
            "initialize",
            json!({ "adapterID": "vitte", "clientID": "xtask", "linesStartAt1": true,
                    "columnsStartAt1": true, "pathFormat": "path" }),
        )?;
        Ok(session)
    }

    fn call(&mut self, command: &str, arguments: Value) -> Result<Value> {
        self.client.call(command, arguments, MESSAGE_TIMEOUT)
    }

    /// Launches `program` with `args`, sets line breakpoints on `lines` (each must be verified on
    /// its own line) and starts the run.
    fn launch(&mut self, program: &Path, args: &[&str], lines: &[u32]) -> Result<()> {
        let cwd = program.parent().unwrap_or(program);
        self.call(
            "launch",
            json!({ "program": program, "args": args, "cwd": cwd }),
        )?;
        self.client.event("initialized", MESSAGE_TIMEOUT)?;
        let breakpoints: Vec<Value> = lines.iter().map(|line| json!({ "line": line })).collect();
        let response = self.call(
            "setBreakpoints",
            json!({ "source": { "path": program }, "breakpoints": breakpoints }),
        )?;
        let answered = response["body"]["breakpoints"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for (line, breakpoint) in lines.iter().zip(&answered) {
            if breakpoint["verified"] != json!(true) || breakpoint["line"] != json!(line) {
                return Err(format!(
                    "{}:{line}: the breakpoint was not verified on its line: {breakpoint}",
                    program.display()
                ));
            }
        }
        if answered.len() != lines.len() {
            return Err(format!("setBreakpoints answered {response}"));
        }
        self.call("configurationDone", json!({}))?;
        Ok(())
    }
}

/// The times of `steps` step round trips through `program`, after a few untimed ones.
fn step_round_trips(adapter: &Path, program: &Path, steps: usize) -> Result<Vec<Duration>> {
    let text = fs::read_to_string(program)
        .map_err(|error| format!("cannot read {}: {error}", program.display()))?;
    let line = text
        .lines()
        .position(|line| line.trim() == "set total = total + i;")
        .and_then(|index| u32::try_from(index + 1).ok())
        .ok_or_else(|| format!("{}: no line `set total = total + i;`", program.display()))?;
    let mut session = Session::start(adapter)?;
    session.launch(program, &[], &[line])?;
    let stop = session.client.event("stopped", MESSAGE_TIMEOUT)?;
    let thread = stop["body"]["threadId"].clone();
    session.call(
        "setBreakpoints",
        json!({ "source": { "path": program }, "breakpoints": [] }),
    )?;
    let mut times = Vec::with_capacity(steps);
    for index in 0..WARM_UP_STEPS + steps {
        let start = Instant::now();
        let variables = one_step(&mut session, &thread)?;
        let elapsed = start.elapsed();
        if variables == 0 {
            return Err("a step showed no local variables".to_owned());
        }
        if index >= WARM_UP_STEPS {
            times.push(elapsed);
        }
        // The `continued` events of the steps; nothing waits for them.
        session.client.drain();
    }
    let _ = session.call("disconnect", json!({ "terminateDebuggee": true }));
    Ok(times)
}

/// One step as an editor does it; gives how many locals the top frame showed.
fn one_step(session: &mut Session, thread: &Value) -> Result<usize> {
    session.call("next", json!({ "threadId": thread }))?;
    let stop = session.client.event("stopped", MESSAGE_TIMEOUT)?;
    if stop["body"]["reason"] != "step" {
        return Err(format!("a step stopped for another reason: {stop}"));
    }
    let trace = session.call(
        "stackTrace",
        json!({ "threadId": thread, "startFrame": 0, "levels": 20 }),
    )?;
    let frame = trace["body"]["stackFrames"][0]["id"].clone();
    let scopes = session.call("scopes", json!({ "frameId": frame }))?;
    let locals = scopes["body"]["scopes"][0]["variablesReference"].clone();
    let variables = session.call("variables", json!({ "variablesReference": locals }))?;
    Ok(variables["body"]["variables"]
        .as_array()
        .map_or(0, Vec::len))
}

/// The times from `pause` to its `stopped` event on `program`, which must never block.
fn pause_latencies(adapter: &Path, program: &Path, pauses: usize) -> Result<Vec<Duration>> {
    let mut session = Session::start(adapter)?;
    session.launch(program, &[], &[])?;
    let mut times = Vec::with_capacity(pauses);
    for _ in 0..pauses {
        std::thread::sleep(RUN_BETWEEN_PAUSES);
        let start = Instant::now();
        session.call("pause", json!({ "threadId": 1 }))?;
        let stop = session.client.event("stopped", MESSAGE_TIMEOUT)?;
        times.push(start.elapsed());
        if stop["body"]["reason"] != "pause" {
            return Err(format!("a pause stopped for another reason: {stop}"));
        }
        session.call("continue", json!({ "threadId": stop["body"]["threadId"] }))?;
        session.client.drain();
    }
    let _ = session.call("disconnect", json!({ "terminateDebuggee": true }));
    Ok(times)
}

/// One workload's medians.
#[derive(Debug)]
struct SlowdownRow {
    name: &'static str,
    plain: Duration,
    debugged: Duration,
}

/// Runs `workload` alternately with `vitte run` and under the adapter, `runs` times each.
fn slowdown(
    vitte: &Path,
    adapter: &Path,
    workload: &MarkedWorkload,
    size: Option<&str>,
    runs: usize,
) -> Result<SlowdownRow> {
    let args: Vec<&str> = size.into_iter().collect();
    let mut plain = Vec::with_capacity(runs);
    let mut debugged = Vec::with_capacity(runs);
    for _ in 0..runs {
        let (time, expected) = plain_run(vitte, &workload.program, &args)?;
        plain.push(time);
        let (time, output) = debugged_run(adapter, workload, &args)?;
        debugged.push(time);
        if output != expected {
            return Err(format!(
                "{}: the output under the debugger differs from `vitte run`'s:\n{output}\n---\n{expected}",
                workload.name
            ));
        }
    }
    let row = SlowdownRow {
        name: workload.name,
        plain: median(&plain),
        debugged: median(&debugged),
    };
    println!(
        "  vitte run {} · vitte-dap {} · {}",
        millis(row.plain),
        millis(row.debugged),
        change(row.plain, row.debugged)
    );
    Ok(row)
}

/// `vitte run PROGRAM ARGS`: its wall time and stdout.
fn plain_run(vitte: &Path, program: &Path, args: &[&str]) -> Result<(Duration, String)> {
    let mut command = Command::new(vitte);
    command
        .arg("run")
        .arg(program)
        .args(args)
        .current_dir(program.parent().unwrap_or(program))
        .stdin(Stdio::null())
        .stderr(Stdio::inherit());
    let start = Instant::now();
    let output = command
        .output()
        .map_err(|error| format!("cannot start {}: {error}", vitte.display()))?;
    let elapsed = start.elapsed();
    if !output.status.success() {
        return Err(format!(
            "`vitte run {}` failed ({})",
            program.display(),
            output.status
        ));
    }
    Ok((
        elapsed,
        String::from_utf8_lossy(&output.stdout).into_owned(),
    ))
}

/// The workload under the adapter with its unreached breakpoints: wall time from starting the
/// adapter to its exit, and what the program printed (its `stdout` output events).
fn debugged_run(
    adapter: &Path,
    workload: &MarkedWorkload,
    args: &[&str],
) -> Result<(Duration, String)> {
    let start = Instant::now();
    let mut session = Session::start(adapter)?;
    session.launch(&workload.program, args, &workload.unreached)?;
    let end = session.client.wait(RUN_TIMEOUT, |message| {
        is_event(message, "exited") || is_event(message, "stopped")
    })?;
    if is_event(&end, "stopped") {
        return Err(format!(
            "{}: the run stopped, though its breakpoints are on lines it should never reach: {end}",
            workload.name
        ));
    }
    if end["body"]["exitCode"] != json!(0) {
        return Err(format!("{}: the program exited with {end}", workload.name));
    }
    let mut stdout = String::new();
    for message in session.client.drain() {
        if is_event(&message, "output") && message["body"]["category"] == "stdout" {
            stdout.push_str(message["body"]["output"].as_str().unwrap_or_default());
        }
    }
    session.call("disconnect", json!({}))?;
    let status = session
        .child
        .wait()
        .map_err(|error| format!("the adapter did not exit: {error}"))?;
    let elapsed = start.elapsed();
    if !status.success() {
        return Err(format!("the adapter exited with {status}"));
    }
    Ok((elapsed, stdout))
}

fn millis(time: Duration) -> String {
    format!("{:.3} ms", time.as_secs_f64() * 1000.0)
}

/// `debugged` against `plain` as a signed percentage.
fn change(plain: Duration, debugged: Duration) -> String {
    if plain.is_zero() {
        return "n/a".to_owned();
    }
    let percent = (debugged.as_secs_f64() / plain.as_secs_f64() - 1.0) * 100.0;
    format!("{percent:+.1} %")
}

/// The markdown table of the step round trips.
fn round_trip_table(times: &[Duration]) -> String {
    format!(
        "| step round trip (next + stackTrace + scopes + variables) | steps | median | p10 | p90 | max | target |\n\
         | --- | ---: | ---: | ---: | ---: | ---: | --- |\n\
         | vitte-dap over stdio | {} | {} | {} | {} | {} | median < 2 ms |",
        times.len(),
        millis(median(times)),
        millis(quantile(times, 0.1)),
        millis(quantile(times, 0.9)),
        millis(quantile(times, 1.0)),
    )
}

/// The markdown table of the pause latencies.
fn pause_table(times: &[Duration]) -> String {
    format!(
        "| pause of a tight loop (pause → stopped) | pauses | median | p90 | max | target |\n\
         | --- | ---: | ---: | ---: | ---: | --- |\n\
         | vitte-dap over stdio | {} | {} | {} | {} | < 100 ms |",
        times.len(),
        millis(median(times)),
        millis(quantile(times, 0.9)),
        millis(quantile(times, 1.0)),
    )
}

/// The markdown table of the slowdowns.
fn slowdown_table(rows: &[SlowdownRow], runs: usize) -> String {
    let mut table = format!(
        "| workload | vitte run (median of {runs}) | under vitte-dap, unreached breakpoints | change | target |\n\
         | --- | ---: | ---: | ---: | --- |\n"
    );
    for row in rows {
        table.push_str(&format!(
            "| {} | {} | {} | {} | ≤ +10 % |\n",
            row.name,
            millis(row.plain),
            millis(row.debugged),
            change(row.plain, row.debugged)
        ));
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marked_lines_are_found_by_their_comment() {
        let text = "proc main() {\n    print(1); // #unreached\n    print(2);\n    give; // #unreached  \n}\n";
        assert_eq!(marked_lines(text), vec![2, 4]);
        assert!(marked_lines("// #unreached is only a marker at the end\nx;\n").is_empty());
    }

    #[test]
    fn changes_are_signed_percentages() {
        let ms = Duration::from_millis;
        assert_eq!(change(ms(100), ms(105)), "+5.0 %");
        assert_eq!(change(ms(100), ms(97)), "-3.0 %");
        assert_eq!(change(Duration::ZERO, ms(1)), "n/a");
    }

    #[test]
    fn every_workload_of_the_bench_folder_is_marked() {
        let root = crate::workspace_root();
        let all = marked_workloads(&root, &[]).expect("the workloads are readable and marked");
        for workload in &all {
            assert!(!workload.unreached.is_empty(), "{}", workload.name);
        }
        assert!(marked_workloads(&root, &["no-such-workload".to_owned()]).is_err());
    }
}
