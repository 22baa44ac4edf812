//! The report of `cargo xtask bench` as markdown: the workload table, the startup table, the
//! targets of the issue with whether each holds, and the whole of `bench/RESULTS.md`.
//!
//! The workload table has a time column per implementation, Vitte's two first: "Vitte", the
//! default `vitte run` (the JIT on), and "Vitte interp", `vitte run --jit off`; next to them
//! "JIT / interp", the first's time over the second's, and "JIT compile", the compile time the
//! JIT reported in the workload's `--jit-stats` run. Every other ratio (to Lua 5.4, LuaJIT, Python,
//! C, and of peak memory) and every target is about the default run.
//!
//! The targets: Vitte's median time at most 1.0 × Lua 5.4's or CPython's on the workloads that
//! name one ([`crate::workloads::SpeedTarget`]); Vitte's peak memory at most 2 × Lua 5.4's on every
//! workload written in Lua; `vitte run` of an empty program at most 2 × `lua5.4 -e ''`. A ratio is
//! Vitte's figure divided by the other's, so below 1 means Vitte is faster or smaller.

use std::fmt::Write as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::tools::Machine;
use super::{Implementation, StartupProgram};
use crate::workloads::{Language, SpeedTarget, Workload};

/// The largest ratio of Vitte's time to the named interpreter's that meets a speed target.
const SPEED_LIMIT: f64 = 1.0;

/// The largest ratio of Vitte's peak memory to Lua 5.4's that meets the memory target.
const MEMORY_LIMIT: f64 = 2.0;

/// The largest ratio of `vitte run` of the empty program to `lua5.4 -e ''` that meets the startup
/// target.
const STARTUP_LIMIT: f64 = 2.0;

/// What the runs of one program measured.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Measured {
    /// The median wall time of the timed runs.
    pub time: Duration,
    /// The largest peak resident memory of the timed runs, in bytes, where the system reports it.
    pub peak_memory: Option<u64>,
}

/// One place of a table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cell {
    Measured(Measured),
    /// The tool is not installed.
    Missing,
    /// The workload has no program in this language.
    NotWritten,
}

impl Cell {
    fn measured(self) -> Option<Measured> {
        match self {
            Cell::Measured(measured) => Some(measured),
            Cell::Missing | Cell::NotWritten => None,
        }
    }

    fn time(self) -> Option<Duration> {
        self.measured().map(|measured| measured.time)
    }

    fn peak_memory(self) -> Option<u64> {
        self.measured()?.peak_memory
    }

    /// The median time in milliseconds, "missing" or "—".
    fn time_text(self) -> String {
        match self {
            Cell::Measured(measured) => millis(measured.time),
            Cell::Missing => "missing".to_owned(),
            Cell::NotWritten => "—".to_owned(),
        }
    }

    /// The peak memory in MiB, "n/a" (not reported by the system), "missing" or "—".
    fn memory_text(self) -> String {
        match self {
            Cell::Measured(Measured {
                peak_memory: Some(bytes),
                ..
            }) => mebibytes(bytes),
            Cell::Measured(_) => "n/a".to_owned(),
            Cell::Missing => "missing".to_owned(),
            Cell::NotWritten => "—".to_owned(),
        }
    }
}

/// The results of one workload.
#[derive(Debug)]
pub struct WorkloadRow {
    pub workload: &'static Workload,
    pub size: u64,
    /// A cell per implementation.
    pub cells: Vec<(Implementation, Cell)>,
    /// The time the JIT spent compiling, as the workload's `vitte run --jit-stats` reported it;
    /// `None` when it reported none.
    pub compile_time: Option<Duration>,
}

impl WorkloadRow {
    fn cell(&self, implementation: Implementation) -> Cell {
        self.cells
            .iter()
            .find(|(which, _)| *which == implementation)
            .map_or(Cell::NotWritten, |(_, cell)| *cell)
    }
}

/// The results of one startup measurement.
#[derive(Debug)]
pub struct StartupRow {
    pub program: StartupProgram,
    pub cell: Cell,
}

/// Everything one run of the task found.
#[derive(Debug)]
pub struct Report {
    pub rows: Vec<WorkloadRow>,
    pub startup: Vec<StartupRow>,
    /// The workloads that failed, with the reason.
    pub failures: Vec<(String, String)>,
    /// Timed runs of each implementation of a workload.
    pub runs: usize,
    /// Timed runs of each startup measurement.
    pub startup_runs: usize,
}

/// One target of the issue and how this run measured it.
#[derive(Debug, PartialEq)]
struct Target {
    description: String,
    /// Vitte's figure over the other's; `None` when one of them was not measured.
    ratio: Option<f64>,
    limit: f64,
}

impl Target {
    fn verdict(&self) -> &'static str {
        match self.ratio {
            Some(ratio) if ratio <= self.limit => "✓",
            Some(_) => "✗",
            None => "?",
        }
    }
}

impl Report {
    /// The workload table, the startup table and the targets, as markdown.
    pub fn markdown(&self) -> String {
        let mut text = String::from("## Workloads\n\n");
        let _ = writeln!(
            text,
            "Median wall time of {} in ms, run alternately after one warm-up; peak resident \
             memory in MiB (the largest of those runs). \"Vitte\" is `vitte run` in its default \
             mode (the JIT on), \"Vitte interp\" is `vitte run --jit off` (the interpreter alone), \
             and \"JIT / interp\" is the first's time over the second's. \"JIT compile\" is the \
             time the JIT spent compiling functions to machine code, as one more, untimed run with \
             `--jit-stats` reports it (a part of the \"Vitte\" time). The other ratios are Vitte's \
             figure (the JIT on) over the other's. \"—\": no program in that language, or no \
             compile time reported; \"missing\": the tool is not installed.\n",
            runs(self.runs)
        );
        text.push_str(&self.workload_table());
        for (name, error) in &self.failures {
            let error = error.strip_prefix(&format!("{name}: ")).unwrap_or(error);
            let reason: Vec<&str> = error.lines().map(str::trim).collect();
            let _ = writeln!(text, "\n**{name} failed:** {}", reason.join(" "));
        }
        let _ = writeln!(
            text,
            "\n## Startup\n\nMedian wall time of {} of each command, run alternately.\n",
            runs(self.startup_runs)
        );
        text.push_str(&self.startup_table());
        text.push_str("\n## Targets\n\n");
        text.push_str(&self.targets_table());
        text
    }

    fn workload_table(&self) -> String {
        // The Vitte runs (the JIT, then the interpreter) and the other implementations.
        let (vittes, others): (Vec<Implementation>, Vec<Implementation>) = Implementation::ALL
            .into_iter()
            .partition(|implementation| implementation.language() == Language::Vitte);
        let time_heading =
            |implementation: &Implementation| format!("{} (ms)", implementation.heading());
        let mut headings = vec!["workload".to_owned(), "size".to_owned()];
        headings.extend(vittes.iter().map(time_heading));
        headings.extend(["JIT / interp".to_owned(), "JIT compile (ms)".to_owned()]);
        headings.extend(others.iter().map(time_heading));
        headings.extend(
            others
                .iter()
                .map(|other| format!("Vitte / {}", other.heading())),
        );
        headings.extend([
            "Vitte peak (MiB)".to_owned(),
            "Lua 5.4 peak (MiB)".to_owned(),
            "peak Vitte / Lua 5.4".to_owned(),
        ]);
        let mut table = table_head(&headings, 1);
        for row in &self.rows {
            let vitte = row.cell(Implementation::Vitte);
            let lua = row.cell(Implementation::Lua54);
            let time_text = |implementation: &Implementation| row.cell(*implementation).time_text();
            let mut cells = vec![format!("`{}`", row.workload.name), row.size.to_string()];
            cells.extend(vittes.iter().map(time_text));
            cells.extend([
                ratio_text(time_ratio(vitte, row.cell(Implementation::VitteInterp))),
                row.compile_time.map_or_else(|| "—".to_owned(), millis),
            ]);
            cells.extend(others.iter().map(time_text));
            cells.extend(
                others
                    .iter()
                    .map(|other| ratio_text(time_ratio(vitte, row.cell(*other)))),
            );
            cells.extend([
                vitte.memory_text(),
                lua.memory_text(),
                ratio_text(memory_ratio(vitte, lua)),
            ]);
            table.push_str(&table_line(&cells));
        }
        table
    }

    fn startup_table(&self) -> String {
        let lua = self.startup_cell(StartupProgram::Lua54Empty);
        let mut table = table_head(
            &[
                "command".to_owned(),
                "median (ms)".to_owned(),
                "peak (MiB)".to_owned(),
                format!("ratio to `{}`", StartupProgram::Lua54Empty.shown()),
            ],
            1,
        );
        for row in &self.startup {
            let cells = [
                format!("`{}`", row.program.shown()),
                row.cell.time_text(),
                row.cell.memory_text(),
                ratio_text(time_ratio(row.cell, lua)),
            ];
            table.push_str(&table_line(&cells));
        }
        table
    }

    fn startup_cell(&self, program: StartupProgram) -> Cell {
        self.startup
            .iter()
            .find(|row| row.program == program)
            .map_or(Cell::Missing, |row| row.cell)
    }

    /// Every target of the issue this run can judge, in table order, the startup last.
    fn targets(&self) -> Vec<Target> {
        let mut targets = Vec::new();
        for row in &self.rows {
            let vitte = row.cell(Implementation::Vitte);
            if let Some(speed_target) = row.workload.speed_target {
                let other = match speed_target {
                    SpeedTarget::Lua54 => Implementation::Lua54,
                    SpeedTarget::CPython => Implementation::CPython,
                };
                targets.push(Target {
                    description: format!(
                        "`{}`: time ≤ {SPEED_LIMIT:.1} × {}",
                        row.workload.name,
                        speed_target.interpreter()
                    ),
                    ratio: time_ratio(vitte, row.cell(other)),
                    limit: SPEED_LIMIT,
                });
            }
            if row.workload.has(Language::Lua) {
                targets.push(Target {
                    description: format!(
                        "`{}`: peak memory ≤ {MEMORY_LIMIT:.0} × Lua 5.4",
                        row.workload.name
                    ),
                    ratio: memory_ratio(vitte, row.cell(Implementation::Lua54)),
                    limit: MEMORY_LIMIT,
                });
            }
        }
        if !self.startup.is_empty() {
            targets.push(Target {
                description: format!(
                    "startup: `{}` ≤ {STARTUP_LIMIT:.0} × `{}`",
                    StartupProgram::VitteRunEmpty.shown(),
                    StartupProgram::Lua54Empty.shown()
                ),
                ratio: time_ratio(
                    self.startup_cell(StartupProgram::VitteRunEmpty),
                    self.startup_cell(StartupProgram::Lua54Empty),
                ),
                limit: STARTUP_LIMIT,
            });
        }
        targets
    }

    fn targets_table(&self) -> String {
        let targets = self.targets();
        let held = targets
            .iter()
            .filter(|target| target.verdict() == "✓")
            .count();
        let mut table = format!(
            "Targets: {held} of {} hold (✓ holds, ✗ does not, ? not measured).\n\n",
            targets.len()
        );
        table.push_str(&table_head(
            &["holds".to_owned(), "target".to_owned(), "ratio".to_owned()],
            2,
        ));
        for target in &targets {
            table.push_str(&table_line(&[
                target.verdict().to_owned(),
                target.description.clone(),
                ratio_text(target.ratio),
            ]));
        }
        table
    }
}

/// The text of `bench/RESULTS.md` for `report`, run on `machine` at `now`.
pub fn results_file(report: &Report, machine: &Machine, now: SystemTime, quick: bool) -> String {
    let mut text = String::from("# Benchmark results\n\n");
    text.push_str(
        "The latest full run of `cargo xtask bench`, which writes this file (the workloads are \
         described in [README.md](README.md)). Compare ratios within one run rather than times \
         across machines.\n\n",
    );
    if quick {
        text.push_str("**These are quick sizes (`--quick`): the figures mean little.**\n\n");
    }
    let _ = writeln!(text, "- Date: {}", utc_date_time(now));
    let _ = writeln!(
        text,
        "- Machine: {}, {} logical CPU(s), {}",
        machine.cpu, machine.cpus, machine.os
    );
    text.push_str("- Versions:\n");
    for (program, version) in &machine.versions {
        let _ = writeln!(text, "  - `{program}`: {version}");
    }
    text.push('\n');
    text.push_str(&report.markdown());
    let _ = write!(
        text,
        "\n## Reproduce\n\n\
         ```sh\n\
         cargo xtask bench                # every workload at its default size, {runs} runs; rewrites this file\n\
         cargo xtask bench --runs 5 fib   # some workloads, more runs; this file is left alone\n\
         cargo xtask bench --quick        # small sizes, to check the runner and the outputs\n\
         ```\n\n\
         The runner builds `vitte` in release mode, installs the missing tools (Debian packages) when \
         it can, builds the C versions with `gcc -O2 -std=c99`, times Python as its interpreter binary \
         and checks that every implementation, Vitte with and without its JIT included, prints the \
         same output; \
         [README.md](README.md#running-them) has the details.\n",
        runs = super::DEFAULT_RUNS,
    );
    text
}

/// `1 run` or `N runs`.
fn runs(count: usize) -> String {
    if count == 1 {
        "1 run".to_owned()
    } else {
        format!("{count} runs")
    }
}

/// Vitte's figure over the other's; `None` when either is missing or the other is zero.
fn ratio(vitte: Option<f64>, other: Option<f64>) -> Option<f64> {
    match (vitte, other) {
        (Some(vitte), Some(other)) if other > 0.0 => Some(vitte / other),
        _ => None,
    }
}

fn time_ratio(vitte: Cell, other: Cell) -> Option<f64> {
    ratio(
        vitte.time().map(|time| time.as_secs_f64()),
        other.time().map(|time| time.as_secs_f64()),
    )
}

fn memory_ratio(vitte: Cell, other: Cell) -> Option<f64> {
    ratio(
        vitte.peak_memory().map(|bytes| bytes as f64),
        other.peak_memory().map(|bytes| bytes as f64),
    )
}

/// A ratio with two decimals, "—" when there is none.
fn ratio_text(ratio: Option<f64>) -> String {
    ratio.map_or_else(|| "—".to_owned(), |ratio| format!("{ratio:.2}"))
}

/// Milliseconds with three significant digits or more (`0.85`, `12.3`, `1234`).
fn millis(time: Duration) -> String {
    let ms = time.as_secs_f64() * 1000.0;
    if ms >= 100.0 {
        format!("{ms:.0}")
    } else if ms >= 10.0 {
        format!("{ms:.1}")
    } else {
        format!("{ms:.2}")
    }
}

fn mebibytes(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / (1024.0 * 1024.0))
}

/// The heading line and the alignment line of a table whose first `text_columns` columns are
/// left-aligned text and whose others are right-aligned figures.
fn table_head(headings: &[String], text_columns: usize) -> String {
    let alignments: Vec<String> = (0..headings.len())
        .map(|index| {
            if index < text_columns {
                "---".to_owned()
            } else {
                "---:".to_owned()
            }
        })
        .collect();
    table_line(headings) + &table_line(&alignments)
}

fn table_line(cells: &[String]) -> String {
    format!("| {} |\n", cells.join(" | "))
}

/// `YYYY-MM-DD HH:MM UTC` for `time`.
fn utc_date_time(time: SystemTime) -> String {
    let seconds = time
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    let (year, month, day) = civil_date(seconds / 86_400);
    let minutes = seconds % 86_400 / 60;
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        minutes / 60,
        minutes % 60
    )
}

/// The proleptic Gregorian date `days` days after 1970-01-01 (H. Hinnant's `civil_from_days`).
fn civil_date(days: u64) -> (u64, u64, u64) {
    let shifted = days + 719_468; // days since 0000-03-01
    let era = shifted / 146_097;
    let day_of_era = shifted % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workloads::WORKLOADS;

    fn workload(name: &str) -> &'static Workload {
        WORKLOADS
            .iter()
            .find(|workload| workload.name == name)
            .unwrap()
    }

    fn measured(ms: u64, mib: u64) -> Cell {
        Cell::Measured(Measured {
            time: Duration::from_millis(ms),
            peak_memory: Some(mib << 20),
        })
    }

    /// A row whose cells are, in order, the JIT, the interpreter, Lua 5.4, LuaJIT, Python and C.
    fn row(name: &str, cells: [Cell; 6], compile_time: Option<Duration>) -> WorkloadRow {
        WorkloadRow {
            workload: workload(name),
            size: workload(name).default_size,
            cells: Implementation::ALL.into_iter().zip(cells).collect(),
            compile_time,
        }
    }

    fn sample_report() -> Report {
        Report {
            rows: vec![
                row(
                    "fib",
                    [
                        measured(300, 4),
                        measured(1200, 3),
                        measured(200, 2),
                        Cell::Missing,
                        measured(600, 9),
                        measured(10, 1),
                    ],
                    Some(Duration::from_micros(8_053)),
                ),
                row(
                    "methods",
                    [
                        measured(1500, 3),
                        measured(1000, 3),
                        Cell::NotWritten,
                        Cell::NotWritten,
                        Cell::NotWritten,
                        Cell::NotWritten,
                    ],
                    None,
                ),
            ],
            startup: vec![
                StartupRow {
                    program: StartupProgram::VitteRunEmpty,
                    cell: measured(2, 3),
                },
                StartupRow {
                    program: StartupProgram::VitteRunEmptyInterp,
                    cell: measured(3, 3),
                },
                StartupRow {
                    program: StartupProgram::Lua54Empty,
                    cell: measured(1, 1),
                },
                StartupRow {
                    program: StartupProgram::PythonEmpty,
                    cell: Cell::Missing,
                },
            ],
            failures: vec![(
                "map".to_owned(),
                "map: luajit prints something else; first difference on line 2:\n  vitte: `1`\n  luajit: `2`"
                    .to_owned(),
            )],
            runs: 3,
            startup_runs: 20,
        }
    }

    #[test]
    fn ratios_and_figures_are_formatted() {
        assert_eq!(ratio_text(ratio(Some(3.0), Some(2.0))), "1.50");
        assert_eq!(ratio_text(ratio(Some(1.0), Some(3.0))), "0.33");
        assert_eq!(ratio_text(ratio(Some(1.0), None)), "—");
        assert_eq!(ratio_text(ratio(None, Some(1.0))), "—");
        assert_eq!(ratio_text(ratio(Some(1.0), Some(0.0))), "—");
        assert_eq!(millis(Duration::from_micros(850)), "0.85");
        assert_eq!(millis(Duration::from_micros(12_345)), "12.3");
        assert_eq!(millis(Duration::from_millis(1234)), "1234");
        assert_eq!(mebibytes(3 << 19), "1.5");
    }

    #[test]
    fn the_workload_table_shows_missing_and_absent_columns() {
        let table = sample_report().workload_table();
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(
            lines[0],
            "| workload | size | Vitte (ms) | Vitte interp (ms) | JIT / interp | JIT compile (ms) | \
             Lua 5.4 (ms) | LuaJIT (ms) | Python (ms) | C (ms) | \
             Vitte / Lua 5.4 | Vitte / LuaJIT | Vitte / Python | Vitte / C | Vitte peak (MiB) | \
             Lua 5.4 peak (MiB) | peak Vitte / Lua 5.4 |"
        );
        let columns = lines[0].matches(" | ").count() + 1;
        assert_eq!(
            lines[1],
            format!("| --- |{}", " ---: |".repeat(columns - 1)),
            "the workload's name is the only text column"
        );
        assert_eq!(
            lines[2],
            "| `fib` | 32 | 300 | 1200 | 0.25 | 8.05 | 200 | missing | 600 | 10.0 | 1.50 | — | 0.50 | 30.00 | 4.0 | 2.0 | 2.00 |"
        );
        assert_eq!(
            lines[3],
            "| `methods` | 300000 | 1500 | 1000 | 1.50 | — | — | — | — | — | — | — | — | — | 3.0 | — | — |"
        );
        assert_eq!(lines.len(), 4);
        for line in &lines {
            assert_eq!(line.matches(" | ").count() + 1, columns, "{line}");
        }
    }

    #[test]
    fn the_jit_columns_follow_the_runs_of_vitte() {
        // The interpreter was not measured (its run is missing): no JIT / interp ratio; a compile
        // time of zero (nothing compiled) is a figure, not an absence.
        let report = Report {
            rows: vec![row(
                "loop",
                [
                    measured(400, 2),
                    Cell::Missing,
                    measured(800, 1),
                    Cell::Missing,
                    Cell::Missing,
                    Cell::Missing,
                ],
                Some(Duration::ZERO),
            )],
            startup: Vec::new(),
            failures: Vec::new(),
            runs: 1,
            startup_runs: 1,
        };
        let table = report.workload_table();
        let line = table.lines().nth(2).unwrap();
        assert!(
            line.starts_with("| `loop` | 30000000 | 400 | missing | — | 0.00 | 800 | missing |"),
            "{line}"
        );
        // The ratio to Lua 5.4 is the JIT's, whatever the interpreter measured.
        assert!(line.contains("| 0.50 | — | — | — |"), "{line}");
    }

    #[test]
    fn the_startup_table_compares_with_lua() {
        let table = sample_report().startup_table();
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(
            lines[0],
            "| command | median (ms) | peak (MiB) | ratio to `lua5.4 -e ''` |"
        );
        assert_eq!(
            lines[2],
            "| `vitte run bench/startup/empty.vit` | 2.00 | 3.0 | 2.00 |"
        );
        assert_eq!(
            lines[3],
            "| `vitte run --jit off bench/startup/empty.vit` | 3.00 | 3.0 | 3.00 |"
        );
        assert_eq!(lines[4], "| `lua5.4 -e ''` | 1.00 | 1.0 | 1.00 |");
        assert_eq!(lines[5], "| `python3 -c ''` | missing | missing | — |");
        assert_eq!(lines.len(), 6);
    }

    #[test]
    fn targets_are_judged() {
        let report = sample_report();
        let verdicts: Vec<(String, &str)> = report
            .targets()
            .iter()
            .map(|target| (target.description.clone(), target.verdict()))
            .collect();
        assert_eq!(
            verdicts,
            [
                ("`fib`: time ≤ 1.0 × Lua 5.4".to_owned(), "✗"),
                ("`fib`: peak memory ≤ 2 × Lua 5.4".to_owned(), "✓"),
                (
                    "startup: `vitte run bench/startup/empty.vit` ≤ 2 × `lua5.4 -e ''`".to_owned(),
                    "✓"
                ),
            ]
        );
        let table = report.targets_table();
        assert!(table.starts_with("Targets: 2 of 3 hold"), "{table}");
        let binary_trees = Report {
            rows: vec![row(
                "binary_trees",
                [
                    measured(100, 8),
                    measured(50, 1),
                    Cell::Missing,
                    Cell::Missing,
                    measured(400, 9),
                    Cell::Missing,
                ],
                None,
            )],
            startup: Vec::new(),
            failures: Vec::new(),
            runs: 1,
            startup_runs: 1,
        };
        let targets = binary_trees.targets();
        assert_eq!(
            targets[0].description,
            "`binary_trees`: time ≤ 1.0 × CPython"
        );
        // The JIT's time (100 ms) is judged, not the faster interpreter's (50 ms).
        assert_eq!((targets[0].ratio, targets[0].verdict()), (Some(0.25), "✓"));
        assert_eq!((targets[1].ratio, targets[1].verdict()), (None, "?"));
        assert_eq!(targets.len(), 2);
        let unmeasured = Target {
            description: String::new(),
            ratio: None,
            limit: 1.0,
        };
        assert_eq!(unmeasured.verdict(), "?");
    }

    #[test]
    fn the_markdown_names_failures() {
        let text = sample_report().markdown();
        assert!(text.contains(
            "**map failed:** luajit prints something else; first difference on line 2: vitte: `1` luajit: `2`\n"
        ));
        assert!(text.contains("Median wall time of 3 runs"));
        assert!(text.contains("\"Vitte interp\" is `vitte run --jit off`"));
        assert!(text.contains("untimed run with `--jit-stats`"));
        assert!(text.contains("## Startup\n\nMedian wall time of 20 runs"));
        assert!(text.contains("## Targets\n\nTargets: 2 of 3 hold"));
    }

    #[test]
    fn the_results_file_has_the_date_machine_and_tables() {
        let machine = Machine {
            cpu: "Some CPU".to_owned(),
            cpus: 2,
            os: "Some OS".to_owned(),
            versions: vec![("lua5.4".to_owned(), "Lua 5.4.6".to_owned())],
        };
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let text = results_file(&sample_report(), &machine, now, false);
        assert!(text.starts_with("# Benchmark results\n"));
        assert!(text.contains("- Date: 2023-11-14 22:13 UTC\n"));
        assert!(text.contains("- Machine: Some CPU, 2 logical CPU(s), Some OS\n"));
        assert!(text.contains("  - `lua5.4`: Lua 5.4.6\n"));
        assert!(text.contains("| `fib` | 32 | 300 | 1200 | 0.25 | 8.05 |"));
        assert!(text.contains("| `vitte run --jit off bench/startup/empty.vit` |"));
        assert!(text.contains("## Reproduce"));
        assert!(!text.contains("quick sizes"));
        assert!(results_file(&sample_report(), &machine, now, true).contains("quick sizes"));
    }

    #[test]
    fn dates_are_computed_in_utc() {
        let at = |seconds: u64| utc_date_time(UNIX_EPOCH + Duration::from_secs(seconds));
        assert_eq!(at(0), "1970-01-01 00:00 UTC");
        assert_eq!(at(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(at(951_955_199), "2000-03-01 23:59 UTC");
        assert_eq!(at(1_709_251_199), "2024-02-29 23:59 UTC");
        assert_eq!(at(4_102_444_800), "2100-01-01 00:00 UTC");
    }
}
