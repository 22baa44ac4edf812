//! `cargo xtask bench`: the workloads of `bench/` in Vitte against the same programs on Lua 5.4,
//! LuaJIT, CPython and in C, and the startup time of `vitte`.
//!
//! 1. `vitte` is built in release mode; `lua5.4`, `luajit`, `python3` and `gcc` are found on `PATH`
//!    and the missing ones installed from Debian packages when possible (see [`tools`]); a tool
//!    still missing is reported and its column reads "missing". Each C version is built with
//!    `gcc -O2 -std=c99` into cargo's target folder.
//! 2. For each workload (the table of [`crate::workloads`]), every implementation runs once
//!    untimed, and they must all print exactly what Vitte prints and exit with 0; then `--runs`
//!    (3) timed rounds run the implementations alternately (one run of each, then the next
//!    round), so a slow phase of a shared machine hurts them all alike. Every timed run must print
//!    the same again. A workload that fails is reported with the reason (for different outputs,
//!    the first line that differs) and the others go on; the task then fails.
//! 3. Startup: `vitte run` of an empty program (`bench/startup/empty.vit`), `vitte --version`,
//!    `lua5.4 -e ''` and `python3 -c ''`, alternately, [`STARTUP_RUNS`] times each.
//! 4. The report, on stdout, is markdown: per workload the median wall time of each
//!    implementation, Vitte's ratio to each, the peak resident memory of Vitte and of Lua 5.4 and
//!    their ratio; the startup table; and whether each target of the issue holds (see
//!    [`report`]). A full run (every workload, default sizes, at least [`MIN_RUNS_FOR_RESULTS`]
//!    runs) also writes it, with the date, the machine and the tool versions, to
//!    `bench/RESULTS.md`; `--write` and `--no-write` decide otherwise.
//!
//! Wall time runs from starting a process to reaping it, so it includes starting the interpreter
//! and, for Vitte, compiling the program; peak memory is each process's own maximum resident set
//! size (see [`measure`]), the largest over the timed runs. Progress goes to stderr, one line per
//! run.

mod measure;
mod report;
mod tools;

use std::ffi::{OsStr, OsString};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

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

/// Where a workload's programs run a language: the interpreters and the C compiler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Implementation {
    Vitte,
    Lua54,
    LuaJit,
    CPython,
    C,
}

impl Implementation {
    /// Every implementation, in the order of the table's columns.
    pub const ALL: [Implementation; 5] = [
        Implementation::Vitte,
        Implementation::Lua54,
        Implementation::LuaJit,
        Implementation::CPython,
        Implementation::C,
    ];

    /// Its name in progress lines and messages.
    pub fn label(self) -> &'static str {
        match self {
            Implementation::Vitte => "vitte",
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
            Implementation::Lua54 => "Lua 5.4",
            Implementation::LuaJit => "LuaJIT",
            Implementation::CPython => "Python",
            Implementation::C => "C",
        }
    }

    /// The language of the file it runs.
    fn language(self) -> Language {
        match self {
            Implementation::Vitte => Language::Vitte,
            Implementation::Lua54 | Implementation::LuaJit => Language::Lua,
            Implementation::CPython => Language::Python,
            Implementation::C => Language::C,
        }
    }

    /// The tool it needs besides `vitte`.
    fn tool(self) -> Option<Tool> {
        match self {
            Implementation::Vitte => None,
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
    VitteVersion,
    Lua54Empty,
    PythonEmpty,
}

impl StartupProgram {
    pub const ALL: [StartupProgram; 4] = [
        StartupProgram::VitteRunEmpty,
        StartupProgram::VitteVersion,
        StartupProgram::Lua54Empty,
        StartupProgram::PythonEmpty,
    ];

    /// The command as a user would type it.
    pub fn shown(self) -> &'static str {
        match self {
            StartupProgram::VitteRunEmpty => "vitte run bench/startup/empty.vit",
            StartupProgram::VitteVersion => "vitte --version",
            StartupProgram::Lua54Empty => "lua5.4 -e ''",
            StartupProgram::PythonEmpty => "python3 -c ''",
        }
    }

    /// The program it starts (`None`: a missing tool) and its arguments.
    fn invocation(self, vitte: &Path, tools: &Tools) -> Option<Invocation> {
        let (program, args): (&Path, &[&str]) = match self {
            StartupProgram::VitteRunEmpty => (vitte, &["run", EMPTY_PROGRAM]),
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

    fn command(&self, root: &Path) -> Command {
        let mut command = Command::new(&self.program);
        command.args(&self.args).current_dir(root);
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
    let startup_invocations = startup.iter().filter(|(_, found)| found.is_some()).count();
    let mut progress = Progress {
        done: 0,
        total: workload_runs * (runs + 1) + startup_invocations * (startup_runs + 1),
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

/// Runs the implementations of `plan` alternately and gives its row of the table.
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
    let measured =
        measure_alternately(root, plan.workload.name, &invocations, runs, true, progress)?;
    Ok(workload_row(plan, &measured))
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
    let mut measured =
        measure_alternately(root, "startup", &invocations, runs, false, progress)?.into_iter();
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
    for implementation in Implementation::ALL {
        let language = implementation.language();
        if !workload.has(language) {
            continue;
        }
        let source = relative_source(workload, language).into_os_string();
        let label = implementation.label();
        let invocation = match implementation.tool() {
            None => Invocation::new(label, vitte, &["run".into(), source, size_arg.clone()]),
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
    Ok(WorkloadPlan {
        workload,
        size,
        runnable,
        missing,
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

/// The row of `plan` from the measurements of its runnable implementations (in order).
fn workload_row(plan: &WorkloadPlan, measured: &[Measured]) -> WorkloadRow {
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
/// each invocation's median time and peak memory. Every run must exit with 0; with
/// `same_output`, every run must print what the first invocation printed.
fn measure_alternately(
    root: &Path,
    subject: &str,
    invocations: &[&Invocation],
    runs: usize,
    same_output: bool,
    progress: &mut Progress,
) -> Result<Vec<Measured>> {
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
    Ok(times
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
        .collect())
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
        assert!(
            StartupProgram::VitteRunEmpty
                .shown()
                .ends_with(EMPTY_PROGRAM)
        );
    }
}
