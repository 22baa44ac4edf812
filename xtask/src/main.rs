//! `cargo xtask`: the project's own automation, written in Rust so that it runs wherever cargo runs.
//!
//! `cargo xtask` is an alias (in `.cargo/config.toml`) for `cargo run --package xtask --`. Each task is a
//! subcommand here and a module of its own:
//!
//! - `e2e` ([`e2e`]): build `vitte-dap` and run the end-to-end tests in `tests/e2e/` (Node.js, mocha and
//!   `@vscode/debugadapter-testsupport` driving the real binary over the Debug Adapter Protocol);
//! - `bench-dap` ([`bench_dap`]): what debugging costs: the round trip of one step over stdio, and the
//!   slowdown of the `bench/` workloads under `vitte-dap` against `vitte run`.
//!
//! Planned, not written yet: `bench` (the workloads against other languages) and `dist` (release
//! archives). A new task is a new variant of [`Task`] and a new module; [`cmd`] holds what every task
//! needs to build and run programs.
//!
//! Arguments are parsed with clap (already a workspace dependency), so `cargo xtask help`, `--help` and
//! `cargo xtask help e2e` come for free.

mod bench_dap;
mod cmd;
mod e2e;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Command line of `cargo xtask`.
#[derive(Debug, Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    about = "The Vitte VM project's own automation",
    after_help = "Planned tasks, not available yet: bench, dist"
)]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

/// One task of `cargo xtask`.
#[derive(Debug, Subcommand)]
enum Task {
    /// Build vitte-dap, then run the end-to-end tests of tests/e2e (needs Node.js 18.18+ and npm)
    E2e(e2e::E2eArgs),
    /// Measure the debugger on release builds: step round trip, slowdown of bench/ under vitte-dap
    BenchDap(bench_dap::BenchDapArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.task {
        Task::E2e(args) => e2e::run(&workspace_root(), &args),
        Task::BenchDap(args) => bench_dap::run(&workspace_root(), &args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The root of the workspace: the folder above this crate, wherever the clone is.
fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .map_or_else(|| manifest_dir.to_path_buf(), Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn e2e_passes_trailing_arguments_to_mocha() {
        let cli = Cli::try_parse_from(["xtask", "e2e", "--", "--grep", "pause"]).unwrap();
        let Task::E2e(args) = cli.task else {
            panic!("parsed as another task");
        };
        assert_eq!(args.mocha_args, ["--grep", "pause"]);
        assert!(!args.force_install);
    }

    #[test]
    fn workspace_root_holds_the_workspace_manifest() {
        assert!(workspace_root().join("Cargo.toml").is_file());
        assert!(workspace_root().join("xtask").is_dir());
    }
}
