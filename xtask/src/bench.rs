//! `cargo xtask bench`: the workloads of `bench/` in Vitte, with its JIT and in its interpreter
//! alone, against the same programs on Lua 5.4, LuaJIT, CPython and in C, and the startup time of
//! `vitte`.
//!
//! 1. `vitte` is built in release mode; `lua5.4`, `luajit`, `python3` and `gcc` are found on `PATH`
//!    and the missing ones installed from Debian packages when possible (see [`tools`]); a tool
//!    still missing is reported and its column reads "missing". Each C version is built with
//!    `gcc -O2 -std=c99` into cargo's target folder.
//! 2. For each workload (the table of [`crate::workloads`]), Vitte runs twice per round: `vitte run`
//!    in its default mode (the JIT on) and `vitte run --jit off` (the interpreter alone); `vitte`
//!    always runs without the environment variable `VITTE_JIT`, so the default is the JIT. Every
//!    implementation runs once untimed, and they must all print exactly what the default Vitte run
//!    prints and exit with 0; then `--runs` (3) timed rounds run the implementations alternately
//!    (one run of each, then the next round), so a slow phase of a shared machine hurts them all
//!    alike. Every timed run must print the same again. Then one more, untimed run,
//!    `vitte run --jit-stats`, must print the same too; the JIT's compile time is read from the
//!    statistics it prints on stderr (see [`compile_time`]); the timed runs never pass
//!    `--jit-stats`. A workload that fails is reported with the reason (for different outputs,
//!    the first line that differs) and the others go on; the task then fails.
//! 3. Startup: `vitte run` and `vitte run --jit off` of an empty program
//!    (`bench/startup/empty.vit`), `vitte --version`, `lua5.4 -e ''` and `python3 -c ''`,
//!    alternately, [`STARTUP_RUNS`] times each.
//! 4. The report, on stdout, is markdown: per workload the median wall time of each
//!    implementation, the ratio of the JIT's to the interpreter's, the JIT's compile time, Vitte's
//!    (JIT) ratio to each other implementation, the peak resident memory of Vitte and of Lua 5.4
//!    and their ratio; the startup table; and whether each target of the issue holds (see
//!    [`report`]). A full run (every workload, default sizes, at least [`MIN_RUNS_FOR_RESULTS`]
//!    runs) also writes it, with the date, the machine and the tool versions, to
//!    `bench/RESULTS.md`; `--write` and `--no-write` decide otherwise.
//!
//! Wall time runs from starting a process to reaping it, so it includes starting the interpreter
//! and, for Vitte, compiling the program (and, with the JIT, compiling hot functions to machine
//! code); peak memory is each process's own maximum resident set size (see [`measure`]), the
//! largest over the timed runs. Progress goes to stderr, one line per run.

mod measure;
mod report;
mod tools;

use std::ffi::{OsStr, OsString};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use clap::Args;

use crate::cmd::{self, Profile, Result};
use crate::stats;
use crate::workloads::{self, Language, Workload};
use report::{Cell, Measured, Report, StartupRow, WorkloadRow};
use tools::{Tool, Tools};

/// Options of `cargo xtask bench`.
#[derive(Debug, Args)]
#[command(
    after_help = "bench/RESULTS.md is rewritten after a full run: every workload, no \
                        --quick, at least 3 runs, no failure. --write also writes it after \
                        another run; --no-write never does."
)]
pub struct BenchArgs {
    /// Small sizes (the quick sizes of bench/README.md): checks the runner and the outputs, the
    /// figures mean little
    #[arg(long)]
    pub quick: bool,
    /// Timed runs of each implementation of a workload; the median is reported
    #[arg(long, value_name = "N", default_value_t = DEFAULT_RUNS,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub runs: u32,
    /// Write bench/RESULTS.md even after a quick or partial run
    #[arg(long, conflicts_with = "no_write")]
    pub write: bool,
    /// Do not write bench/RESULTS.md, even after a full run
    #[arg(long)]
    pub no_write: bool,
    /// Install nothing; run without the tools that are missing
    #[arg(long)]
    pub no_install: bool,
    /// Only these workloads (folders of bench/, such as fib or binary_trees); all when none
    #[arg(value_name = "NAMES")]
    pub names: Vec<String>,
}

/// Timed runs of each implementation of a workload unless `--runs` says otherwise.
const DEFAULT_RUNS: u32 = 3;

/// Timed runs of each startup measurement.
const STARTUP_RUNS: usize = 20;

/// Timed runs of each startup measurement under `--quick`.
const QUICK_STARTUP_RUNS: usize = 5;

/// The fewest timed runs whose medians `bench/RESULTS.md` records by default.
const MIN_RUNS_FOR_RESULTS: u32 = 3;

/// The empty program of the startup measurement, relative to the workspace root.
const EMPTY_PROGRAM: &str = "bench/startup/empty.vit";

/// The file a full run writes, relative to the workspace root.
const RESULTS_FILE: &str = "bench/RESULTS.md";

/// The environment variable that sets `vitte run`'s default JIT mode; the runner removes it, so
/// that `vitte run` without `--jit` is the JIT whatever the runner's environment.
const JIT_ENVIRONMENT_VARIABLE: &str = "VITTE_JIT";

/// Where a workload's programs run a language: Vitte with its JIT and without, the other
/// interpreters and the C compiler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Implementation {
    /// `vitte run` in its default mode: the JIT compiles hot functions.
    Vitte,
    /// `vitte run --jit off`: the interpreter alone.
    VitteInterp,
    Lua54,
    LuaJit,
    CPython,
    C,
}

impl Implementation {
    /// Every implementation, in the order of the table's columns; the default Vitte run first,
    /// whose output the others must print.
    pub const ALL: [Implementation; 6] = [
        Implementation::Vitte,
        Implementation::VitteInterp,
        Implementation::Lua54,
        Implementation::LuaJit,
        Implementation::CPython,
        Implementation::C,
    ];

    /// Its name in progress lines and messages.
    pub fn label(self) -> &'static str {
        match self {
            Implementation::Vitte => "vitte",
            Implementation::VitteInterp => "vitte --jit off",
            Implementation::Lua54 => "lua5.4",
            Implementation::LuaJit => "luajit",
            Implementation::CPython => "python3",
            Implementation::C => "C",
        }
    }

    /// Its name in table headings.
    pub fn heading(self) -> &'static str {
        match self {
            Implementation::Vitte => "Vitte",
            Implementation::VitteInterp => "Vitte interp",
            Implementation::Lua54 => "Lua 5.4",
            Implementation::LuaJit => "LuaJIT",
            Implementation::CPython => "Python",
            Implementation::C => "C",
        }
    }

    /// The language of the file it runs.
    fn language(self) -> Language {
        match self {
            Implementation::Vitte | Implementation::VitteInterp => Language::Vitte,
            Implementation::Lua54 | Implementation::LuaJit => Language::Lua,
            Implementation::CPython => Language::Python,
            Implementation::C => Language::C,
        }
    }

    /// The options of `vitte run` before the program, for the Vitte implementations.
    fn vitte_options(self) -> &'static [&'static str] {
        match self {
            Implementation::VitteInterp => &["--jit", "off"],
            _ => &[],
        }
    }

    /// The tool it needs besides `vitte`.
    fn tool(self) -> Option<Tool> {
        match self {
            Implementation::Vitte | Implementation::VitteInterp => None,
            Implementation::Lua54 => Some(Tool::Lua54),
            Implementation::LuaJit => Some(Tool::LuaJit),
            Implementation::CPython => Some(Tool::Python3),
            Implementation::C => Some(Tool::Gcc),
        }
    }
}

/// One of the startup measurements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartupProgram {
    VitteRunEmpty,
    VitteRunEmptyInterp,
    VitteVersion,
    Lua54Empty,
    PythonEmpty,
}

impl StartupProgram {
    pub const ALL: [StartupProgram; 5] = [
        StartupProgram::VitteRunEmpty,
        StartupProgram::VitteRunEmptyInterp,
        StartupProgram::VitteVersion,
        StartupProgram::Lua54Empty,
        StartupProgram::PythonEmpty,
    ];

    /// The command as a user would type it.
    pub fn shown(self) -> &'static str {
        match self {
            StartupProgram::VitteRunEmpty => "vitte run bench/startup/empty.vit",
            StartupProgram::VitteRunEmptyInterp => "vitte run --jit off bench/startup/empty.vit",
            StartupProgram::VitteVersion => "vitte --version",
            StartupProgram::Lua54Empty => "lua5.4 -e ''",
            StartupProgram::PythonEmpty => "python3 -c ''",
        }
    }

    /// The program it starts (`None`: a missing tool) and its arguments.
    fn invocation(self, vitte: &Path, tools: &Tools) -> Option<Invocation> {
        let (program, args): (&Path, &[&str]) = match self {
            StartupProgram::VitteRunEmpty => (vitte, &["run", EMPTY_PROGRAM]),
            StartupProgram::VitteRunEmptyInterp => (vitte, &["run", "--jit", "off", EMPTY_PROGRAM]),
            StartupProgram::VitteVersion => (vitte, &["--version"]),
            StartupProgram::Lua54Empty => (tools.path(Tool::Lua54)?, &["-e", ""]),
            StartupProgram::PythonEmpty => (tools.path(Tool::Python3)?, &["-c", ""]),
        };
        Some(Invocation::new(self.shown(), program, args))
    }
}

/// A program to run, with its arguments, from the workspace root.
#[derive(Debug)]
struct Invocation {
    /// The name in progress lines and messages.
    label: String,
    program: PathBuf,
    args: Vec<OsString>,
}

impl Invocation {
    fn new(label: &str, program: &Path, args: &[impl AsRef<OsStr>]) -> Invocation {
        Invocation {
            label: label.to_owned(),
            program: program.to_path_buf(),
            args: args.iter().map(|arg| arg.as_ref().to_owned()).collect(),
        }
    }

    /// The command, run from `root`, without [`JIT_ENVIRONMENT_VARIABLE`].
    fn command(&self, root: &Path) -> Command {
        let mut command = Command::new(&self.program);
        command
            .args(&self.args)
            .current_dir(root)
            .env_remove(JIT_ENVIRONMENT_VARIABLE);
        command
    }
}

/// The runs of a workload: an invocation per implementation that can run it.
#[derive(Debug)]
struct WorkloadPlan {
    workload: &'static Workload,
    size: u64,
    runnable: Vec<(Implementation, Invocation)>,
    /// The implementations whose tool is missing.
    missing: Vec<Implementation>,
    /// `vitte run --jit-stats` of the workload (the JIT in its default mode), run once untimed
    /// for the compile time; `None` when the workload has no Vitte program.
    jit_stats: Option<Invocation>,
}

/// Runs the task from the workspace at `root`.
pub fn run(root: &Path, args: &BenchArgs) -> Result<()> {
    let selected = workloads::select(&args.names)?;
    let vitte = cmd::build_binary(root, "vitte-cli", "vitte", Profile::Release)?;
    let tools = tools::find(root, !args.no_install);
    let c_folder = vitte.parent().unwrap_or(root).join("bench-c");
    let runs = usize::try_from(args.runs).unwrap_or(usize::MAX).max(1);
    let startup_runs = if args.quick {
        QUICK_STARTUP_RUNS
    } else {
        STARTUP_RUNS
    };

    // The workloads that failed, with the reason.
    let mut failures: Vec<(String, String)> = Vec::new();
    let mut plans = Vec::new();
    for workload in selected {
        let size = workload.size(args.quick);
        match plan(root, workload, size, &vitte, &tools, &c_folder) {
            Ok(plan) => plans.push(plan),
            Err(error) => failures.push((workload.name.to_owned(), error)),
        }
    }
    let startup: Vec<(StartupProgram, Option<Invocation>)> = StartupProgram::ALL
        .into_iter()
        .map(|program| (program, program.invocation(&vitte, &tools)))
        .collect();
    let workload_runs: usize = plans.iter().map(|plan| plan.runnable.len()).sum();
    let stats_runs = plans.iter().filter(|plan| plan.jit_stats.is_some()).count();
    let startup_invocations = startup.iter().filter(|(_, found)| found.is_some()).count();
    let mut progress = Progress {
        done: 0,
        total: workload_runs * (runs + 1) + stats_runs + startup_invocations * (startup_runs + 1),
    };

    let mut rows = Vec::new();
    for plan in &plans {
        match measure_workload(root, plan, runs, &mut progress) {
            Ok(row) => rows.push(row),
            Err(error) => {
                eprintln!("error: {error}");
                failures.push((plan.workload.name.to_owned(), error));
            }
        }
    }
    let startup = measure_startup(root, &startup, startup_runs, &mut progress)?;

    let report = Report {
        rows,
        startup,
        failures,
        runs,
        startup_runs,
    };
    println!("\n{}", report.markdown());
    if writes_results(args) {
        write_results(root, &report, &vitte, &tools, args.quick)?;
    }
    match report.failures.as_slice() {
        [] => Ok(()),
        failed => Err(format!(
            "{} workload(s) failed: {}",
            failed.len(),
            failed
                .iter()
                .map(|(name, _)| name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Writes `bench/RESULTS.md`, unless a workload failed.
fn write_results(
    root: &Path,
    report: &Report,
    vitte: &Path,
    tools: &Tools,
    quick: bool,
) -> Result<()> {
    if !report.failures.is_empty() {
        println!("{RESULTS_FILE} is left as it was: a workload failed");
        return Ok(());
    }
    let machine = tools::describe_machine(root, vitte, tools);
    let text = report::results_file(report, &machine, SystemTime::now(), quick);
    let path = root.join(RESULTS_FILE);
    fs::write(&path, text).map_err(|error| format!("cannot write {}: {error}", path.display()))?;
    println!("wrote {RESULTS_FILE}");
    Ok(())
}

/// Runs the implementations of `plan` alternately, then its `--jit-stats` run, and gives its row
/// of the table.
fn measure_workload(
    root: &Path,
    plan: &WorkloadPlan,
    runs: usize,
    progress: &mut Progress,
) -> Result<WorkloadRow> {
    let labels: Vec<&str> = plan
        .runnable
        .iter()
        .map(|(implementation, _)| implementation.label())
        .collect();
    eprintln!(
        "\n{} at size {}: {}",
        plan.workload.name,
        plan.size,
        labels.join(", ")
    );
    let invocations: Vec<&Invocation> = plan.runnable.iter().map(|(_, run)| run).collect();
    let (measured, output) =
        measure_alternately(root, plan.workload.name, &invocations, runs, true, progress)?;
    let compile_time = match (&plan.jit_stats, invocations.first(), &output) {
        (Some(stats), Some(reference), Some(output)) => measure_compile_time(
            root,
            plan.workload.name,
            stats,
            &reference.label,
            output,
            progress,
        )?,
        _ => None,
    };
    Ok(workload_row(plan, &measured, compile_time))
}

/// Runs `invocation` (a `vitte run --jit-stats`) once, untimed for the table, with its stderr
/// captured and then shown; it must exit with 0 and print what `reference` printed. Gives the
/// JIT's compile time read from its stderr (`None` when it reports none).
fn measure_compile_time(
    root: &Path,
    subject: &str,
    invocation: &Invocation,
    reference: &str,
    expected: &str,
    progress: &mut Progress,
) -> Result<Option<Duration>> {
    let mut command = invocation.command(root);
    let shown = cmd::display(&command, root);
    let start = Instant::now();
    let output = command
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|error| format!("{subject}: cannot run `{shown}`: {error}"))?;
    progress.record(subject, &invocation.label, "untimed", start.elapsed());
    let stderr = String::from_utf8_lossy(&output.stderr);
    eprint!("{stderr}");
    if !output.status.success() {
        return Err(format!(
            "{subject}: `{shown}` failed ({}); its error output is above",
            output.status
        ));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    compare_outputs(reference, expected, &invocation.label, &stdout)
        .map_err(|difference| format!("{subject}: {difference}"))?;
    Ok(compile_time(&stderr))
}

/// The JIT's compile time in the statistics `vitte run --jit-stats` prints on stderr, from the
/// line `jit: N function(s) compiled in X ms, …` (the last such line); `None` without one.
fn compile_time(stderr: &str) -> Option<Duration> {
    stderr.lines().rev().find_map(|line| {
        let rest = line.trim().strip_prefix("jit: ")?;
        let (count, rest) = rest.split_once(" function(s) compiled in ")?;
        count.parse::<u64>().ok()?;
        let (ms, _) = rest.split_once(" ms")?;
        let ms: f64 = ms.parse().ok()?;
        (ms.is_finite() && ms >= 0.0).then(|| Duration::from_secs_f64(ms / 1000.0))
    })
}

/// Runs the startup commands that can run (`Some` invocation) alternately and gives their rows.
fn measure_startup(
    root: &Path,
    startup: &[(StartupProgram, Option<Invocation>)],
    runs: usize,
    progress: &mut Progress,
) -> Result<Vec<StartupRow>> {
    eprintln!("\nstartup");
    let invocations: Vec<&Invocation> =
        startup.iter().filter_map(|(_, run)| run.as_ref()).collect();
    let mut measured = measure_alternately(root, "startup", &invocations, runs, false, progress)?
        .0
        .into_iter();
    Ok(startup
        .iter()
        .map(|(program, invocation)| StartupRow {
            program: *program,
            cell: match invocation {
                Some(_) => measured.next().map_or(Cell::Missing, Cell::Measured),
                None => Cell::Missing,
            },
        })
        .collect())
}

/// Whether this run rewrites `bench/RESULTS.md`: by default a full run does.
fn writes_results(args: &BenchArgs) -> bool {
    if args.write {
        true
    } else if args.no_write {
        false
    } else {
        !args.quick && args.names.is_empty() && args.runs >= MIN_RUNS_FOR_RESULTS
    }
}

/// The invocations of `workload` at `size`, building its C version with gcc.
fn plan(
    root: &Path,
    workload: &'static Workload,
    size: u64,
    vitte: &Path,
    tools: &Tools,
    c_folder: &Path,
) -> Result<WorkloadPlan> {
    let mut runnable = Vec::new();
    let mut missing = Vec::new();
    let size_arg = OsString::from(size.to_string());
    // `vitte run OPTIONS SOURCE SIZE`.
    let vitte_run = |label: &str, options: &[&str]| {
        let source = relative_source(workload, Language::Vitte).into_os_string();
        let args: Vec<OsString> = std::iter::once("run")
            .chain(options.iter().copied())
            .map(OsString::from)
            .chain([source, size_arg.clone()])
            .collect();
        Invocation::new(label, vitte, &args)
    };
    for implementation in Implementation::ALL {
        let language = implementation.language();
        if !workload.has(language) {
            continue;
        }
        let source = relative_source(workload, language).into_os_string();
        let label = implementation.label();
        let invocation = match implementation.tool() {
            None => vitte_run(label, implementation.vitte_options()),
            Some(tool) => {
                let Some(tool_path) = tools.path(tool) else {
                    missing.push(implementation);
                    continue;
                };
                if implementation == Implementation::C {
                    let executable = build_c(root, tool_path, &source, c_folder, workload.name)?;
                    Invocation::new(label, &executable, std::slice::from_ref(&size_arg))
                } else {
                    Invocation::new(label, tool_path, &[source, size_arg.clone()])
                }
            }
        };
        runnable.push((implementation, invocation));
    }
    let jit_stats = workload
        .has(Language::Vitte)
        .then(|| vitte_run("vitte --jit-stats", &["--jit-stats"]));
    Ok(WorkloadPlan {
        workload,
        size,
        runnable,
        missing,
        jit_stats,
    })
}

/// `bench/NAME/NAME.EXT`, relative to the workspace root (where every program runs).
fn relative_source(workload: &Workload, language: Language) -> PathBuf {
    workload.source(Path::new(""), language)
}

/// `gcc -O2 -std=c99 -o FOLDER/NAME SOURCE -lm`; gives the executable.
fn build_c(root: &Path, gcc: &Path, source: &OsStr, folder: &Path, name: &str) -> Result<PathBuf> {
    fs::create_dir_all(folder)
        .map_err(|error| format!("cannot create {}: {error}", folder.display()))?;
    let executable = folder.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    let mut build = Command::new(gcc);
    build
        .current_dir(root)
        .args(["-O2", "-std=c99", "-o"])
        .arg(&executable)
        .arg(source)
        .arg("-lm");
    cmd::run(&mut build, root)?;
    Ok(executable)
}

/// The row of `plan` from the measurements of its runnable implementations (in order) and the
/// JIT's compile time.
fn workload_row(
    plan: &WorkloadPlan,
    measured: &[Measured],
    compile_time: Option<Duration>,
) -> WorkloadRow {
    let cells = Implementation::ALL
        .into_iter()
        .map(|implementation| {
            let cell = if let Some(index) = plan
                .runnable
                .iter()
                .position(|(runnable, _)| *runnable == implementation)
            {
                measured
                    .get(index)
                    .copied()
                    .map_or(Cell::Missing, Cell::Measured)
            } else if plan.missing.contains(&implementation) {
                Cell::Missing
            } else {
                Cell::NotWritten
            };
            (implementation, cell)
        })
        .collect();
    WorkloadRow {
        workload: plan.workload,
        size: plan.size,
        cells,
        compile_time,
    }
}

/// Counts runs for the progress lines.
#[derive(Debug)]
struct Progress {
    done: usize,
    total: usize,
}

impl Progress {
    /// Prints `[DONE/TOTAL] SUBJECT LABEL RUN: TIME s` to stderr.
    fn record(&mut self, subject: &str, label: &str, run: &str, time: Duration) {
        self.done += 1;
        eprintln!(
            "[{}/{}] {subject} {label} {run}: {:.3} s",
            self.done,
            self.total,
            time.as_secs_f64()
        );
    }
}

/// Runs each of `invocations` once untimed, then `runs` timed rounds of one run of each; gives
/// each invocation's median time and peak memory, and, with `same_output`, what the first
/// invocation printed. Every run must exit with 0; with `same_output`, every run must print what
/// the first invocation printed.
fn measure_alternately(
    root: &Path,
    subject: &str,
    invocations: &[&Invocation],
    runs: usize,
    same_output: bool,
    progress: &mut Progress,
) -> Result<(Vec<Measured>, Option<String>)> {
    let mut expected: Option<(&str, String)> = None;
    let mut times = vec![Vec::with_capacity(runs); invocations.len()];
    let mut peaks = vec![Vec::with_capacity(runs); invocations.len()];
    for round in 0..=runs {
        let run_name = if round == 0 {
            "warm-up".to_owned()
        } else {
            format!("run {round}")
        };
        for (index, invocation) in invocations.iter().enumerate() {
            let mut command = invocation.command(root);
            let shown = cmd::display(&command, root);
            let run = measure::run_once(&mut command)
                .map_err(|error| format!("{subject}: cannot run `{shown}`: {error}"))?;
            progress.record(subject, &invocation.label, &run_name, run.wall_time);
            if !run.status.success() {
                return Err(format!(
                    "{subject}: `{shown}` failed ({}); its error output is above",
                    run.status
                ));
            }
            if same_output {
                match &expected {
                    None => expected = Some((&invocation.label, run.stdout)),
                    Some((reference, output)) => {
                        compare_outputs(reference, output, &invocation.label, &run.stdout)
                            .map_err(|difference| format!("{subject}: {difference}"))?;
                    }
                }
            }
            if round > 0 {
                times[index].push(run.wall_time);
                peaks[index].push(run.peak_memory);
            }
        }
    }
    let measured = times
        .iter()
        .zip(&peaks)
        .map(|(times, peaks)| Measured {
            time: stats::median(times),
            peak_memory: peaks
                .iter()
                .copied()
                .collect::<Option<Vec<u64>>>()
                .and_then(|peaks| peaks.into_iter().max()),
        })
        .collect();
    Ok((measured, expected.map(|(_, output)| output)))
}

/// Checks that `label` printed `actual`, the same as `reference` printed (`expected`); the error
/// names the first line that differs.
fn compare_outputs(reference: &str, expected: &str, label: &str, actual: &str) -> Result<()> {
    if expected == actual {
        return Ok(());
    }
    let mut expected_lines = expected.lines();
    let mut actual_lines = actual.lines();
    for line in 1.. {
        let (wanted, got) = (expected_lines.next(), actual_lines.next());
        if wanted != got {
            let show = |text: Option<&str>| {
                text.map_or_else(
                    || "(the output ends)".to_owned(),
                    |text| format!("`{text}`"),
                )
            };
            return Err(format!(
                "{label} prints something else than {reference}; first difference on line \
                 {line}:\n  {reference}: {}\n  {label}: {}",
                show(wanted),
                show(got)
            ));
        }
        if wanted.is_none() {
            break;
        }
    }
    Err(format!(
        "{label} prints the same lines as {reference} but with other line endings"
    ))
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        args: BenchArgs,
    }

    fn parse(words: &[&str]) -> std::result::Result<BenchArgs, clap::Error> {
        Cli::try_parse_from(std::iter::once("bench").chain(words.iter().copied()))
            .map(|cli| cli.args)
    }

    #[test]
    fn the_command_line_has_defaults() {
        let args = parse(&[]).unwrap();
        assert!(!args.quick && !args.write && !args.no_write && !args.no_install);
        assert_eq!(args.runs, 3);
        assert!(args.names.is_empty());
        assert!(writes_results(&args), "a full run writes the results");
    }

    #[test]
    fn the_command_line_takes_options_and_names() {
        let args = parse(&["--quick", "--runs", "5", "--no-install", "fib", "map"]).unwrap();
        assert!(args.quick && args.no_install);
        assert_eq!(args.runs, 5);
        assert_eq!(args.names, ["fib", "map"]);
        assert!(!writes_results(&args));
        assert!(parse(&["--runs", "0"]).is_err());
        assert!(parse(&["--runs", "x"]).is_err());
        assert!(parse(&["--write", "--no-write"]).is_err());
    }

    #[test]
    fn only_a_full_run_writes_the_results_unless_told() {
        let writes = |words: &[&str]| writes_results(&parse(words).unwrap());
        assert!(writes(&["--runs", "5"]));
        assert!(!writes(&["--quick"]));
        assert!(!writes(&["fib"]));
        assert!(!writes(&["--runs", "1"]));
        assert!(!writes(&["--no-write"]));
        assert!(writes(&["--quick", "--write"]));
    }

    #[test]
    fn same_outputs_pass() {
        assert!(compare_outputs("vitte", "1\n2\n", "luajit", "1\n2\n").is_ok());
    }

    #[test]
    fn the_first_differing_line_is_shown() {
        let error = compare_outputs("vitte", "1\n2\n3\n", "lua5.4", "1\n2.0\n3\n").unwrap_err();
        assert_eq!(
            error,
            "lua5.4 prints something else than vitte; first difference on line 2:\n  vitte: `2`\n  lua5.4: `2.0`"
        );
        let error = compare_outputs("vitte", "1\n2\n", "C", "1\n").unwrap_err();
        assert!(
            error.ends_with("line 2:\n  vitte: `2`\n  C: (the output ends)"),
            "{error}"
        );
        let error = compare_outputs("vitte", "1\n", "python3", "1\r\n").unwrap_err();
        assert!(error.contains("line endings"), "{error}");
    }

    #[test]
    fn every_implementation_runs_a_language() {
        for implementation in Implementation::ALL {
            let language = implementation.language();
            assert_eq!(
                implementation.tool().is_none(),
                language == Language::Vitte,
                "{}",
                implementation.label()
            );
        }
    }

    #[test]
    fn the_compile_time_is_read_from_the_jit_statistics() {
        let stats = "jit: 6 function(s) compiled in 8.053 ms, 18955 bytes of machine code\n\
                     jit: compiled: size_arg, make_bodies\n\
                     jit: 32518 entries into compiled code, 16998 into running loops\n\
                     jit: 999 exit(s) to the interpreter at `call`\n";
        assert_eq!(compile_time(stats), Some(Duration::from_micros(8_053)));
        assert_eq!(
            compile_time("jit: 0 function(s) compiled in 0.000 ms, 0 bytes of machine code\n"),
            Some(Duration::ZERO)
        );
        // The program's own complaints around the statistics do not matter; the last line wins.
        assert_eq!(
            compile_time(
                "warning: x\njit: 1 function(s) compiled in 2.000 ms, 9 bytes\n\
                 jit: 2 function(s) compiled in 1.500 ms, 10 bytes of machine code\n"
            ),
            Some(Duration::from_micros(1_500))
        );
        assert_eq!(compile_time(""), None);
        assert_eq!(compile_time("some error\n"), None);
        assert_eq!(
            compile_time("jit: 32518 entries into compiled code, 16998 into running loops"),
            None
        );
        assert_eq!(
            compile_time("jit: many function(s) compiled in 1.0 ms, 1 bytes"),
            None
        );
        assert_eq!(
            compile_time("jit: 1 function(s) compiled in x ms, 1 bytes"),
            None
        );
        assert_eq!(compile_time("jit: 1 function(s) compiled in -1.0 ms"), None);
    }

    fn args_of(invocation: &Invocation) -> Vec<&str> {
        invocation
            .args
            .iter()
            .map(|arg| arg.to_str().unwrap())
            .collect()
    }

    #[test]
    fn vitte_runs_with_and_without_the_jit_and_once_with_its_statistics() {
        let fib = workloads::select(&["fib".to_owned()]).unwrap()[0];
        let vitte = Path::new("/bin/vitte");
        // No tool found: only the two runs of Vitte can run, and no C version is built.
        let plan = plan(
            Path::new("/nowhere"),
            fib,
            20,
            vitte,
            &Tools::default(),
            Path::new("/nowhere/bench-c"),
        )
        .unwrap();
        let runnable: Vec<(Implementation, Vec<&str>)> = plan
            .runnable
            .iter()
            .map(|(implementation, invocation)| {
                assert_eq!(invocation.program, vitte);
                assert_eq!(invocation.label, implementation.label());
                (*implementation, args_of(invocation))
            })
            .collect();
        assert_eq!(
            runnable,
            [
                (
                    Implementation::Vitte,
                    vec!["run", "bench/fib/fib.vit", "20"]
                ),
                (
                    Implementation::VitteInterp,
                    vec!["run", "--jit", "off", "bench/fib/fib.vit", "20"]
                ),
            ]
        );
        assert_eq!(
            plan.missing,
            [
                Implementation::Lua54,
                Implementation::LuaJit,
                Implementation::CPython,
                Implementation::C
            ]
        );
        let stats = plan.jit_stats.as_ref().unwrap();
        assert_eq!(stats.program, vitte);
        assert_eq!(
            args_of(stats),
            ["run", "--jit-stats", "bench/fib/fib.vit", "20"]
        );

        let measured = [300, 900].map(|ms| Measured {
            time: Duration::from_millis(ms),
            peak_memory: Some(1 << 20),
        });
        let row = workload_row(&plan, &measured, Some(Duration::from_millis(8)));
        let time = |cell: &Cell| match cell {
            Cell::Measured(measured) => Some(measured.time.as_millis()),
            Cell::Missing | Cell::NotWritten => None,
        };
        let cells: Vec<(Implementation, Option<u128>, bool)> = row
            .cells
            .iter()
            .map(|(implementation, cell)| (*implementation, time(cell), *cell == Cell::Missing))
            .collect();
        assert_eq!(
            cells,
            [
                (Implementation::Vitte, Some(300), false),
                (Implementation::VitteInterp, Some(900), false),
                (Implementation::Lua54, None, true),
                (Implementation::LuaJit, None, true),
                (Implementation::CPython, None, true),
                (Implementation::C, None, true),
            ]
        );
        assert_eq!(row.compile_time, Some(Duration::from_millis(8)));
    }

    #[test]
    fn vitte_runs_without_the_jit_environment_variable() {
        let invocation = Invocation::new("vitte", Path::new("vitte"), &["run", "x.vit"]);
        let command = invocation.command(Path::new("/"));
        let envs: Vec<_> = command.get_envs().collect();
        assert_eq!(envs, [(OsStr::new(JIT_ENVIRONMENT_VARIABLE), None)]);
    }

    #[cfg(unix)]
    fn shell(label: &str, script: &str) -> Invocation {
        Invocation::new(label, Path::new("sh"), &["-c", script])
    }

    #[cfg(unix)]
    fn quiet_progress() -> Progress {
        Progress { done: 0, total: 0 }
    }

    #[cfg(unix)]
    #[test]
    fn the_interpreter_run_must_print_what_the_jit_run_prints() {
        let root = std::env::temp_dir();
        let jit = shell("vitte", "echo 1; echo 2");
        let same = shell("vitte --jit off", "echo 1; echo 2");
        let (measured, output) =
            measure_alternately(&root, "fib", &[&jit, &same], 2, true, &mut quiet_progress())
                .unwrap();
        assert_eq!(measured.len(), 2);
        assert_eq!(output.as_deref(), Some("1\n2\n"));

        let other = shell("vitte --jit off", "echo 1; echo 3");
        let error = measure_alternately(
            &root,
            "fib",
            &[&jit, &other],
            2,
            true,
            &mut quiet_progress(),
        )
        .unwrap_err();
        assert_eq!(
            error,
            "fib: vitte --jit off prints something else than vitte; first difference on line 2:\n  \
             vitte: `2`\n  vitte --jit off: `3`"
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_statistics_run_gives_the_compile_time_and_must_print_the_same() {
        let root = std::env::temp_dir();
        let stats = shell(
            "vitte --jit-stats",
            "echo 1; echo 'jit: 2 function(s) compiled in 1.500 ms, 10 bytes of machine code' >&2",
        );
        let mut progress = quiet_progress();
        let time = measure_compile_time(&root, "fib", &stats, "vitte", "1\n", &mut progress);
        assert_eq!(time, Ok(Some(Duration::from_micros(1_500))));
        assert_eq!(progress.done, 1);

        let silent = shell("vitte --jit-stats", "echo 1");
        let time = measure_compile_time(&root, "fib", &silent, "vitte", "1\n", &mut progress);
        assert_eq!(time, Ok(None), "no statistics: no compile time");

        let error =
            measure_compile_time(&root, "fib", &stats, "vitte", "2\n", &mut progress).unwrap_err();
        assert!(
            error.starts_with("fib: vitte --jit-stats prints something else than vitte"),
            "{error}"
        );
        let failing = shell("vitte --jit-stats", "echo 1; exit 70");
        let error = measure_compile_time(&root, "fib", &failing, "vitte", "1\n", &mut progress)
            .unwrap_err();
        assert!(error.contains("failed"), "{error}");
    }

    #[test]
    fn the_empty_program_exists_and_compiles() {
        let path = crate::workspace_root().join(EMPTY_PROGRAM);
        let compilation = vitte_compiler::compile_file(&path);
        assert!(
            compilation.diagnostics.is_empty(),
            "{}: {:?}",
            path.display(),
            compilation.diagnostics
        );
        assert!(compilation.module.is_some());
        for program in [
            StartupProgram::VitteRunEmpty,
            StartupProgram::VitteRunEmptyInterp,
        ] {
            assert!(program.shown().ends_with(EMPTY_PROGRAM));
        }
    }

    #[test]
    fn startup_is_measured_with_and_without_the_jit() {
        let vitte = Path::new("/bin/vitte");
        let tools = Tools::default();
        let invocation = |program: StartupProgram| program.invocation(vitte, &tools);
        let jit = invocation(StartupProgram::VitteRunEmpty).unwrap();
        let interp = invocation(StartupProgram::VitteRunEmptyInterp).unwrap();
        assert_eq!(args_of(&jit), ["run", EMPTY_PROGRAM]);
        assert_eq!(args_of(&interp), ["run", "--jit", "off", EMPTY_PROGRAM]);
        assert_eq!(interp.program, vitte);
        // What the table shows is what runs.
        for run in [&jit, &interp] {
            assert_eq!(run.label, format!("vitte {}", args_of(run).join(" ")));
        }
        assert!(invocation(StartupProgram::Lua54Empty).is_none());
        let position = |program| StartupProgram::ALL.iter().position(|p| *p == program);
        assert_eq!(
            position(StartupProgram::VitteRunEmptyInterp),
            position(StartupProgram::VitteRunEmpty).map(|index| index + 1),
            "the two runs of the empty program are next to each other"
        );
    }
}
