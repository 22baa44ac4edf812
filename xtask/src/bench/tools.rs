//! The programs `cargo xtask bench` compares Vitte with (Lua 5.4, LuaJIT, CPython, and gcc for the
//! C versions): finding them on `PATH`, installing the missing ones from Debian packages when that
//! is allowed and possible, and describing the machine for `bench/RESULTS.md`.
//!
//! Installing takes `apt-get`, run as root ([`system::apt_install`]); anywhere else the
//! runner says which package is missing and goes on without it, and its columns read "missing".
//! Python is timed as the interpreter binary itself: the `python3` found on `PATH` is asked for
//! `sys.executable`, so a wrapper such as a pyenv shim is not part of every measurement.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd::{self, Result};
use crate::system::{self, find_on_path};

/// A program the benchmark runs besides `vitte`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    Lua54,
    LuaJit,
    Python3,
    Gcc,
}

impl Tool {
    pub const ALL: [Tool; 4] = [Tool::Lua54, Tool::LuaJit, Tool::Python3, Tool::Gcc];

    /// The command's name on `PATH`.
    pub fn command(self) -> &'static str {
        match self {
            Tool::Lua54 => "lua5.4",
            Tool::LuaJit => "luajit",
            Tool::Python3 => "python3",
            Tool::Gcc => "gcc",
        }
    }

    /// The Debian (and Ubuntu) package holding it.
    fn package(self) -> &'static str {
        match self {
            Tool::Lua54 => "lua5.4",
            Tool::LuaJit => "luajit",
            Tool::Python3 => "python3",
            Tool::Gcc => "gcc",
        }
    }

    /// The arguments that make it print its version.
    fn version_args(self) -> &'static [&'static str] {
        match self {
            Tool::Lua54 | Tool::LuaJit => &["-v"],
            Tool::Python3 | Tool::Gcc => &["--version"],
        }
    }
}

/// The tools found, each as the program to start.
#[derive(Debug, Default)]
pub struct Tools {
    found: Vec<(Tool, PathBuf)>,
}

impl Tools {
    /// The program to start for `tool`; `None` when it is missing.
    pub fn path(&self, tool: Tool) -> Option<&Path> {
        self.found
            .iter()
            .find(|(found, _)| *found == tool)
            .map(|(_, path)| path.as_path())
    }

    /// The first line of `tool`'s version; `None` when it is missing or does not answer.
    pub fn version(&self, tool: Tool) -> Option<String> {
        let path = self.path(tool)?;
        cmd::first_output_line(Command::new(path).args(tool.version_args()))
    }
}

/// Finds every [`Tool`]. With `allow_install`, the missing ones are installed with `apt-get`
/// when the runner is root and `apt-get` exists (each command printed before it runs); every tool
/// still missing afterwards is reported on stderr with the package to install.
pub fn find(root: &Path, allow_install: bool) -> Tools {
    let mut missing = missing_tools();
    if !missing.is_empty() && allow_install {
        match install(root, &missing) {
            Ok(()) => missing = missing_tools(),
            Err(error) => eprintln!("warning: installing failed: {error}"),
        }
    }
    for tool in &missing {
        eprintln!(
            "warning: `{}` is not on PATH, so its column reads \"missing\"; {}",
            tool.command(),
            install_advice(*tool, allow_install)
        );
    }
    let found = Tool::ALL
        .into_iter()
        .filter_map(|tool| {
            let path = find_on_path(tool.command())?;
            let path = if tool == Tool::Python3 {
                real_python(&path)
            } else {
                path
            };
            Some((tool, path))
        })
        .collect();
    Tools { found }
}

fn missing_tools() -> Vec<Tool> {
    Tool::ALL
        .into_iter()
        .filter(|tool| find_on_path(tool.command()).is_none())
        .collect()
}

/// Installs the Debian packages of `tools` (see [`system::apt_install`]).
fn install(root: &Path, tools: &[Tool]) -> Result<()> {
    let packages: Vec<&str> = tools.iter().map(|tool| tool.package()).collect();
    println!("installing the missing tools: {}", packages.join(" "));
    system::apt_install(root, &packages)
}

/// What to do about missing `tool`.
fn install_advice(tool: Tool, allow_install: bool) -> String {
    let package = tool.package();
    if !allow_install {
        format!("not installed because of --no-install (Debian package `{package}`)")
    } else if system::can_apt_install() {
        format!("`apt-get install {package}` did not provide it")
    } else {
        format!(
            "install the Debian package `{package}` (`sudo apt-get install {package}`), or run the \
             runner as root to let it install the package"
        )
    }
}

/// The interpreter binary behind `python3` (its `sys.executable`, symbolic links resolved); `python3`
/// itself when it cannot say.
fn real_python(python3: &Path) -> PathBuf {
    let executable = cmd::first_output_line(
        Command::new(python3).args(["-c", "import sys; print(sys.executable)"]),
    );
    match executable.map(|path| fs::canonicalize(&path)) {
        Some(Ok(path)) => path,
        _ => {
            eprintln!(
                "warning: {} did not name its interpreter binary (sys.executable); timing it as is",
                python3.display()
            );
            python3.to_path_buf()
        }
    }
}

/// The machine a run happened on, for `bench/RESULTS.md`.
#[derive(Debug)]
pub struct Machine {
    /// The CPU model (`model name` of `/proc/cpuinfo`).
    pub cpu: String,
    /// The logical CPUs available to the runner.
    pub cpus: usize,
    /// The operating system (`PRETTY_NAME` of `/etc/os-release`) and kernel release.
    pub os: String,
    /// Each program's name and version line.
    pub versions: Vec<(String, String)>,
}

/// Describes this machine and the versions of `vitte`, rustc and the tools.
pub fn describe_machine(root: &Path, vitte: &Path, tools: &Tools) -> Machine {
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| cpu_model(&text))
        .unwrap_or_else(|| std::env::consts::ARCH.to_owned());
    let cpus = std::thread::available_parallelism().map_or(1, usize::from);
    let distribution = fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|text| os_name(&text))
        .unwrap_or_else(|| std::env::consts::OS.to_owned());
    let os = match fs::read_to_string("/proc/sys/kernel/osrelease") {
        Ok(kernel) => format!("{distribution}, kernel {}", kernel.trim()),
        Err(_) => distribution,
    };
    let unknown = || "unknown".to_owned();
    let mut versions = vec![
        (
            "vitte".to_owned(),
            cmd::first_output_line(Command::new(vitte).arg("--version")).unwrap_or_else(unknown),
        ),
        (
            "rustc".to_owned(),
            cmd::first_output_line(Command::new("rustc").current_dir(root).arg("--version"))
                .unwrap_or_else(unknown),
        ),
    ];
    for tool in Tool::ALL {
        let version = match tools.path(tool) {
            Some(_) => tools.version(tool).unwrap_or_else(unknown),
            None => "missing".to_owned(),
        };
        versions.push((tool.command().to_owned(), version));
    }
    Machine {
        cpu,
        cpus,
        os,
        versions,
    }
}

/// The `model name` of the first processor in the text of `/proc/cpuinfo`.
fn cpu_model(cpuinfo: &str) -> Option<String> {
    cpuinfo.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        (name.trim() == "model name").then(|| value.trim().to_owned())
    })
}

/// `PRETTY_NAME` in the text of `/etc/os-release`, without its quotes.
fn os_name(os_release: &str) -> Option<String> {
    os_release.lines().find_map(|line| {
        let value = line.strip_prefix("PRETTY_NAME=")?;
        Some(value.trim().trim_matches('"').to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cpu_model_and_the_os_are_read_from_their_files() {
        let cpuinfo = "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) CPU @ 2.20GHz\n\nprocessor\t: 1\nmodel name\t: other\n";
        assert_eq!(
            cpu_model(cpuinfo).as_deref(),
            Some("Intel(R) Xeon(R) CPU @ 2.20GHz")
        );
        assert_eq!(cpu_model("processor : 0\n"), None);
        let os_release =
            "NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n";
        assert_eq!(
            os_name(os_release).as_deref(),
            Some("Debian GNU/Linux 12 (bookworm)")
        );
    }

    #[test]
    fn a_program_not_on_path_is_not_found() {
        assert_eq!(find_on_path("vitte-xtask-no-such-program"), None);
    }

    #[test]
    fn every_tool_has_a_package_and_a_version_flag() {
        for tool in Tool::ALL {
            assert!(!tool.package().is_empty());
            assert!(!tool.version_args().is_empty());
        }
    }
}
