//! Real VS Code for the `vscode-real` end-to-end suite: code-server [`CODE_SERVER_VERSION`] (VS Code
//! 1.100.3 served to a browser) installed into cargo's target folder, and the Debian packages the suite
//! needs (Chromium, ripgrep, the Kerberos headers one of VS Code's native modules is built against).
//!
//! code-server's own install script downloads ripgrep and prebuilt native modules from hosts outside the
//! package registries, so the package is installed with `--ignore-scripts` and its steps are done here,
//! locally: VS Code's dependencies installed from their shrinkwrap files, its native modules built from
//! source with a pinned node-gyp against the running Node.js's headers, the links the script makes, and
//! ripgrep from the system. A stamp file records what was installed, so a warm run skips all of it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd::{self, Result};
use crate::e2e;
use crate::system;

/// The code-server release the suite runs: the last one that runs on Node.js 20.
pub const CODE_SERVER_VERSION: &str = "4.100.3";

/// The Node.js major version code-server [`CODE_SERVER_VERSION`] runs on (and only on).
const CODE_SERVER_NODE_MAJOR: u32 = 20;

/// Folder of the `package.json` and `package-lock.json` that pin code-server and node-gyp, relative to
/// the workspace root.
const PINS: &str = "tests/e2e/vscode-real/code-server";

/// Folder code-server is installed in, inside cargo's target folder.
const INSTALL_DIR: &str = "e2e-code-server";

/// VS Code's native modules that the extension host and server load on Linux, built with node-gyp
/// (relative to `lib/vscode/node_modules`).
const NATIVE_MODULES: [&str; 5] = [
    "@vscode/spdlog",
    "native-watchdog",
    "node-pty",
    "@vscode/deviceid",
    "kerberos",
];

/// What changes the installation besides the pinned packages: bump it when the steps below change.
const RECIPE: &str = "recipe 1";

/// One thing the suite needs from the system, and the Debian package that provides it.
struct Requirement {
    what: &'static str,
    package: &'static str,
    present: fn() -> bool,
}

/// What the suite needs from the system besides Node.js.
const REQUIREMENTS: [Requirement; 5] = [
    Requirement {
        what: "Chromium (`chromium` on PATH), the browser the suite drives",
        package: "chromium",
        present: || system::find_on_path("chromium").is_some(),
    },
    Requirement {
        what: "ripgrep (`rg` on PATH), VS Code's search",
        package: "ripgrep",
        present: || system::find_on_path("rg").is_some(),
    },
    Requirement {
        what: "the Kerberos headers (`krb5-config`), for VS Code's `kerberos` module",
        package: "libkrb5-dev",
        present: || system::find_on_path("krb5-config").is_some(),
    },
    Requirement {
        what: "a C++ compiler (`g++`), for VS Code's native modules",
        package: "g++",
        present: || system::find_on_path("g++").is_some(),
    },
    Requirement {
        what: "make, for VS Code's native modules",
        package: "make",
        present: || system::find_on_path("make").is_some(),
    },
];

/// Checks that Node.js (`node --version` said `node_version`) is the major version code-server runs on.
pub fn check_node_major(node_version: &str) -> Result<()> {
    let major = node_version
        .trim()
        .strip_prefix('v')
        .and_then(|rest| rest.split('.').next())
        .and_then(|major| major.parse::<u32>().ok());
    if major == Some(CODE_SERVER_NODE_MAJOR) {
        Ok(())
    } else {
        Err(format!(
            "code-server {CODE_SERVER_VERSION}, the VS Code this suite runs, needs Node.js \
             {CODE_SERVER_NODE_MAJOR} (it is the last release that runs on it, and it runs on no other), \
             but `node --version` says {node_version}: run the suite with Node.js {CODE_SERVER_NODE_MAJOR}"
        ))
    }
}

/// Makes sure every [`REQUIREMENTS`] is met, installing the missing Debian packages when the task runs
/// as root with `apt-get`; gives the path of Chromium.
pub fn ensure_system_packages(root: &Path) -> Result<PathBuf> {
    let missing = || {
        REQUIREMENTS
            .iter()
            .filter(|requirement| !(requirement.present)())
    };
    let packages: Vec<&str> = missing().map(|requirement| requirement.package).collect();
    if !packages.is_empty() {
        if system::can_apt_install() {
            println!(
                "installing what the vscode-real suite needs: {}",
                packages.join(" ")
            );
            system::apt_install(root, &packages)?;
        }
        let still: Vec<String> = missing()
            .map(|requirement| {
                format!(
                    "{} (Debian package `{}`)",
                    requirement.what, requirement.package
                )
            })
            .collect();
        if !still.is_empty() {
            return Err(format!(
                "the vscode-real suite cannot run without: {}; install them, or run the task as root \
                 with apt-get to let it install them",
                still.join("; ")
            ));
        }
    }
    system::find_on_path("chromium").ok_or_else(|| "chromium vanished from PATH".to_owned())
}

/// Installs code-server into the target folder `target` unless the stamp says it is there already;
/// gives the path of its entry script (`node ENTRY` runs it).
pub fn install(root: &Path, target: &Path, node_version: &str, force: bool) -> Result<PathBuf> {
    let folder = target.join(INSTALL_DIR);
    let entry = folder.join("node_modules/code-server/out/node/entry.js");
    let pins = root.join(PINS);
    let wanted = format!("{}{RECIPE}\n", e2e::stamp_text(&pins, node_version)?);
    let stamp_path = folder.join(e2e::STAMP);
    if !force
        && fs::read_to_string(&stamp_path).ok().as_deref() == Some(wanted.as_str())
        && entry.is_file()
    {
        println!(
            "code-server {CODE_SERVER_VERSION} is installed in {} (install skipped)",
            folder.display()
        );
        return Ok(entry);
    }
    println!(
        "installing code-server {CODE_SERVER_VERSION} into {} (its scripts' steps done locally)",
        folder.display()
    );
    let _ = fs::remove_file(&stamp_path);
    let _ = fs::remove_dir_all(folder.join("node_modules"));
    fs::create_dir_all(&folder)
        .map_err(|error| format!("cannot create {}: {error}", folder.display()))?;
    for name in ["package.json", "package-lock.json"] {
        fs::copy(pins.join(name), folder.join(name))
            .map_err(|error| format!("cannot copy {} into {}: {error}", name, folder.display()))?;
    }
    npm(
        root,
        &folder,
        &["ci", "--ignore-scripts", "--no-audit", "--no-fund"],
    )?;

    let vscode = folder.join("node_modules/code-server/lib/vscode");
    let production = [
        "install",
        "--omit=dev",
        "--ignore-scripts",
        "--no-audit",
        "--no-fund",
    ];
    npm(root, &vscode, &production)?;
    npm(root, &vscode.join("extensions"), &production)?;

    let node_gyp = folder.join("node_modules/node-gyp/bin/node-gyp.js");
    let node_dir = node_headers()?;
    let node_dir_arg = format!("--nodedir={}", node_dir.display());
    for module in NATIVE_MODULES {
        let mut build = Command::new("node");
        build
            .current_dir(vscode.join("node_modules").join(module))
            .arg(&node_gyp)
            .args(["rebuild", "--loglevel=warn", &node_dir_arg]);
        cmd::run(&mut build, root)?;
    }
    // code-server's own password hashing module, built from source by node-pre-gyp.
    let mut argon2 = Command::new("node");
    argon2
        .current_dir(folder.join("node_modules/argon2"))
        .env("npm_config_node_gyp", &node_gyp)
        .arg("../@mapbox/node-pre-gyp/bin/node-pre-gyp")
        .args([
            "install",
            "--build-from-source",
            "--loglevel=warn",
            &node_dir_arg,
        ]);
    cmd::run(&mut argon2, root)?;

    // The links code-server's postinstall.sh makes, and the ripgrep @vscode/ripgrep would download.
    let rg = system::find_on_path("rg").ok_or_else(|| "rg is not on PATH".to_owned())?;
    link(Path::new("node_modules"), &vscode.join("node_modules.asar"))?;
    link(
        Path::new("code-linux.sh"),
        &vscode.join("bin/remote-cli/code-server"),
    )?;
    link(
        Path::new("browser-linux.sh"),
        &vscode.join("bin/helpers/browser.sh"),
    )?;
    let rg_folder = vscode.join("node_modules/@vscode/ripgrep/bin");
    fs::create_dir_all(&rg_folder)
        .map_err(|error| format!("cannot create {}: {error}", rg_folder.display()))?;
    link(&rg, &rg_folder.join("rg"))?;

    // A config file of its own, or code-server writes one into the user's home.
    let config = folder.join("config.yaml");
    fs::write(&config, "auth: none\n")
        .map_err(|error| format!("cannot write {}: {error}", config.display()))?;
    let mut version = Command::new("node");
    version
        .arg(&entry)
        .arg("--config")
        .arg(&config)
        .arg("--version");
    let said = cmd::run_with_stdout(&mut version, root)?;
    if !said
        .lines()
        .any(|line| line.starts_with(CODE_SERVER_VERSION))
    {
        return Err(format!(
            "the installed code-server says {:?}, not {CODE_SERVER_VERSION}",
            said.trim()
        ));
    }
    fs::write(&stamp_path, wanted)
        .map_err(|error| format!("cannot write {}: {error}", stamp_path.display()))?;
    Ok(entry)
}

/// `npm ARGS` in `folder`.
fn npm(root: &Path, folder: &Path, args: &[&str]) -> Result<()> {
    let mut command = Command::new(cmd::node_tool("npm"));
    command.current_dir(folder).args(args);
    cmd::run(&mut command, root)
}

/// The folder holding the running Node.js's headers (`include/node/node.h`), which node-gyp builds
/// against instead of downloading them.
fn node_headers() -> Result<PathBuf> {
    let exec_path = cmd::first_output_line(Command::new("node").args(["-p", "process.execPath"]))
        .ok_or_else(|| "`node -p process.execPath` did not answer".to_owned())?;
    let prefix = Path::new(&exec_path)
        .parent()
        .and_then(Path::parent)
        .ok_or_else(|| format!("Node.js at {exec_path} is not in a bin folder"))?;
    if prefix.join("include/node/node.h").is_file() {
        Ok(prefix.to_path_buf())
    } else {
        Err(format!(
            "the headers of Node.js ({}/include/node/node.h) are missing; VS Code's native modules are \
             built against them (Debian's and NodeSource's `nodejs` package has them)",
            prefix.display()
        ))
    }
}

/// A symbolic link at `link` to `target`, replacing what is there.
#[cfg(unix)]
fn link(target: &Path, link: &Path) -> Result<()> {
    let _ = fs::remove_file(link);
    std::os::unix::fs::symlink(target, link).map_err(|error| {
        format!(
            "cannot link {} to {}: {error}",
            link.display(),
            target.display()
        )
    })
}

/// code-server runs on Linux and macOS only.
#[cfg(not(unix))]
fn link(_target: &Path, _link: &Path) -> Result<()> {
    Err("the vscode-real suite runs on Linux and macOS only".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_node_20_runs_code_server() {
        assert!(check_node_major("v20.20.2").is_ok());
        assert!(check_node_major("v20.0.0\n").is_ok());
        let error = check_node_major("v22.11.0").unwrap_err();
        assert!(error.contains("needs Node.js 20"), "{error}");
        assert!(error.contains("v22.11.0"), "{error}");
        assert!(check_node_major("v18.20.4").is_err());
        assert!(check_node_major("20.1.0").is_err());
    }

    #[test]
    fn the_pins_name_the_code_server_version() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let manifest = fs::read_to_string(root.join(PINS).join("package.json")).unwrap();
        let value: serde_json::Value = serde_json::from_str(&manifest).unwrap();
        assert_eq!(value["dependencies"]["code-server"], CODE_SERVER_VERSION);
        let lock = fs::read_to_string(root.join(PINS).join("package-lock.json")).unwrap();
        let lock: serde_json::Value = serde_json::from_str(&lock).unwrap();
        assert_eq!(
            lock["packages"]["node_modules/code-server"]["version"],
            CODE_SERVER_VERSION
        );
    }
}
