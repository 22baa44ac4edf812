//! `cargo xtask e2e`: the end-to-end tests, which drive the real binaries from the outside.
//!
//! Steps, each printed before it runs:
//! 1. check that `node` (18.18 or newer) and `npm` are on `PATH`, with a clear message if not;
//! 2. `cargo build --package vitte-dap --bins` (see [`cmd::build_binary`]);
//! 3. `npm ci` in `tests/e2e/dap`, skipped when `node_modules` was installed from the same `package.json`,
//!    `package-lock.json` and Node.js version (a stamp file in `node_modules` records them);
//! 4. `npm test` there, with `VITTE_DAP` set to the absolute path of the binary; arguments after `--` go to
//!    mocha (`cargo xtask e2e -- --grep pause`).
//!
//! Any failure ends the task with an error, so `cargo xtask e2e` exits non-zero. The suite itself is described
//! in `tests/e2e/README.md`.

use std::fs;
use std::path::Path;
use std::process::Command;

use clap::Args;

use crate::cmd::{self, Profile, Result};

/// Options of `cargo xtask e2e`.
#[derive(Debug, Args)]
pub struct E2eArgs {
    /// Run `npm ci` even when node_modules is up to date with package-lock.json
    #[arg(long)]
    pub force_install: bool,
    /// Arguments for mocha, after `--` (for example `-- --grep breakpoint`)
    #[arg(last = true, value_name = "MOCHA_ARGS")]
    pub mocha_args: Vec<String>,
}

/// The oldest Node.js the suite runs on (mocha 11 needs 18.18).
const MIN_NODE: (u32, u32) = (18, 18);

/// Folder of the Debug Adapter Protocol suite, relative to the workspace root.
const DAP_SUITE: &str = "tests/e2e/dap";

/// Name of the stamp file, inside `node_modules`, that records what was installed.
const STAMP: &str = ".xtask-e2e-stamp";

/// Runs the task from the workspace at `root`.
pub fn run(root: &Path, args: &E2eArgs) -> Result<()> {
    let node_version = check_node()?;
    let vitte_dap = cmd::build_binary(root, "vitte-dap", "vitte-dap", Profile::Debug)?;
    let suite = root.join(DAP_SUITE);
    install_packages(root, &suite, &node_version, args.force_install)?;

    let mut test = Command::new(cmd::node_tool("npm"));
    test.current_dir(&suite)
        .env("VITTE_DAP", &vitte_dap)
        .arg("test");
    if !args.mocha_args.is_empty() {
        test.arg("--").args(&args.mocha_args);
    }
    cmd::run(&mut test, root)?;
    println!("end-to-end tests passed");
    Ok(())
}

/// Checks that `node` and `npm` can be started and that Node.js is recent enough; gives Node's version.
fn check_node() -> Result<String> {
    let install = "the end-to-end tests need Node.js 18.18 or newer with npm (https://nodejs.org, or the \
                   `nodejs` and `npm` packages of your system)";
    let node = cmd::version_of("node")
        .ok_or_else(|| format!("`node --version` could not be run: {install}"))?;
    let npm = cmd::version_of(&cmd::node_tool("npm"))
        .ok_or_else(|| format!("`npm --version` could not be run: {install}"))?;
    match parse_node_version(&node) {
        Some(version) if version >= MIN_NODE => {}
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
fn install_packages(root: &Path, suite: &Path, node_version: &str, force: bool) -> Result<()> {
    let wanted = stamp_text(suite, node_version)?;
    let stamp_path = suite.join("node_modules").join(STAMP);
    let installed = fs::read_to_string(&stamp_path).ok();
    if !force && installed.as_deref() == Some(wanted.as_str()) {
        println!(
            "{}/node_modules is up to date with package-lock.json (npm ci skipped)",
            DAP_SUITE
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
fn stamp_text(suite: &Path, node_version: &str) -> Result<String> {
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
