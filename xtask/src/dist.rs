//! `cargo xtask dist`: what a release ships, in `dist/` at the workspace root.
//!
//! 1. the VS Code extension's version (`vscode-extension/package.json`) is checked against the
//!    workspace's, before anything is built;
//! 2. `cargo build --release` of `vitte`, `vitte-dap` and `vitte-lsp` (see [`cmd::build_binary`]);
//! 3. Node.js 20 or newer and npm are checked, `npm ci` runs in `vscode-extension` unless its
//!    `node_modules` is up to date (the stamp of [`e2e::install_packages`]), and
//!    `npm run package -- --out dist/vitte-VERSION.vsix` packages the extension (`vsce package
//!    --no-dependencies`, whose prepublish step bundles it with esbuild);
//! 4. `dist/` is emptied first and then holds the three binaries and the `.vsix`, which are listed.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use clap::Args;

use crate::cmd::{self, Profile, Result};
use crate::e2e;

/// Options of `cargo xtask dist`.
#[derive(Debug, Args)]
pub struct DistArgs {
    /// Run `npm ci` in vscode-extension even when its node_modules is up to date
    #[arg(long)]
    pub force_install: bool,
}

/// The folder the task fills, relative to the workspace root.
const DIST: &str = "dist";

/// The binaries a release ships: (package, binary).
const BINARIES: [(&str, &str); 3] = [
    ("vitte-cli", "vitte"),
    ("vitte-cli", "vitte-dap"),
    ("vitte-lsp", "vitte-lsp"),
];

/// The workspace's version (xtask's own, which is `version.workspace`).
const WORKSPACE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Runs the task from the workspace at `root`.
pub fn run(root: &Path, args: &DistArgs) -> Result<()> {
    let extension = root.join(e2e::VSCODE_EXTENSION);
    let manifest_path = extension.join("package.json");
    let manifest = fs::read_to_string(&manifest_path)
        .map_err(|error| format!("cannot read {}: {error}", manifest_path.display()))?;
    let extension_name = checked_extension_name(&manifest, WORKSPACE_VERSION)?;
    let node_version = e2e::check_node(e2e::MIN_NODE_VSCODE)?;

    let dist = root.join(DIST);
    if dist.exists() {
        fs::remove_dir_all(&dist)
            .map_err(|error| format!("cannot empty {}: {error}", dist.display()))?;
    }
    fs::create_dir_all(&dist)
        .map_err(|error| format!("cannot create {}: {error}", dist.display()))?;

    let mut shipped = Vec::new();
    for (package, bin) in BINARIES {
        let built = cmd::build_binary(root, package, bin, Profile::Release)?;
        shipped.push(copy_into(&built, &dist)?);
    }

    let vsix = dist.join(format!("{extension_name}-{WORKSPACE_VERSION}.vsix"));
    package_extension(root, &node_version, args.force_install, &vsix)?;
    shipped.push(vsix);

    println!(
        "\n{} holds:",
        dist.strip_prefix(root).unwrap_or(&dist).display()
    );
    for file in &shipped {
        let size = fs::metadata(file)
            .map(|metadata| metadata.len())
            .unwrap_or(0);
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        println!("  {name:<24} {:>8} KiB", size.div_ceil(1024));
    }
    Ok(())
}

/// Copies `file` into the folder `dist`, keeping its name; gives the copy's path.
fn copy_into(file: &Path, dist: &Path) -> Result<PathBuf> {
    let name = file
        .file_name()
        .ok_or_else(|| format!("{} has no file name", file.display()))?;
    let copy = dist.join(name);
    fs::copy(file, &copy).map_err(|error| {
        format!(
            "cannot copy {} to {}: {error}",
            file.display(),
            copy.display()
        )
    })?;
    Ok(copy)
}

/// The extension's `name` from its `package.json` text, after checking that its `version` is
/// `workspace_version` (the extension is released with the binaries it starts).
fn checked_extension_name(manifest: &str, workspace_version: &str) -> Result<String> {
    let value: serde_json::Value = serde_json::from_str(manifest)
        .map_err(|error| format!("vscode-extension/package.json is not JSON: {error}"))?;
    let field = |key: &str| {
        value[key]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("vscode-extension/package.json has no string \"{key}\""))
    };
    let name = field("name")?;
    let version = field("version")?;
    if version != workspace_version {
        return Err(format!(
            "vscode-extension/package.json has version {version} but the workspace has \
             {workspace_version}; give the extension the workspace's version"
        ));
    }
    Ok(name)
}

/// Packages the VS Code extension into `vsix` (`npm ci` in the extension's folder first when its
/// `node_modules` is not up to date); fails unless the file is written.
pub fn package_extension(root: &Path, node_version: &str, force: bool, vsix: &Path) -> Result<()> {
    let extension = root.join(e2e::VSCODE_EXTENSION);
    e2e::install_packages(root, &extension, node_version, force)?;
    let mut package = Command::new(cmd::node_tool("npm"));
    package
        .current_dir(&extension)
        .args(["run", "package", "--", "--out"])
        .arg(vsix);
    cmd::run(&mut package, root)?;
    if vsix.is_file() {
        Ok(())
    } else {
        Err(format!(
            "`npm run package` succeeded but {} was not written",
            vsix.display()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extension_has_the_workspace_version() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let manifest = fs::read_to_string(root.join(e2e::VSCODE_EXTENSION).join("package.json"))
            .expect("vscode-extension/package.json is readable");
        assert_eq!(
            checked_extension_name(&manifest, WORKSPACE_VERSION),
            Ok("vitte".to_owned())
        );
    }

    #[test]
    fn a_version_mismatch_or_a_bad_manifest_is_refused_with_a_reason() {
        let error = checked_extension_name(r#"{"name": "vitte", "version": "0.2.0"}"#, "0.1.0")
            .unwrap_err();
        assert!(
            error.contains("version 0.2.0") && error.contains("0.1.0"),
            "{error}"
        );
        let error = checked_extension_name(r#"{"version": "0.1.0"}"#, "0.1.0").unwrap_err();
        assert!(error.contains("\"name\""), "{error}");
        let error = checked_extension_name("{", "0.1.0").unwrap_err();
        assert!(error.contains("not JSON"), "{error}");
    }

    #[test]
    fn copies_keep_the_file_name() {
        let scratch = std::env::temp_dir().join(format!("xtask-dist-test-{}", std::process::id()));
        let into = scratch.join("dist");
        fs::create_dir_all(&into).unwrap();
        let file = scratch.join("vitte-dap");
        fs::write(&file, b"binary").unwrap();
        let copy = copy_into(&file, &into).unwrap();
        assert_eq!(copy, into.join("vitte-dap"));
        assert_eq!(fs::read(&copy).unwrap(), b"binary");
        let missing = copy_into(&scratch.join("missing"), &into).unwrap_err();
        assert!(missing.contains("cannot copy"), "{missing}");
        fs::remove_dir_all(&scratch).unwrap();
    }
}
