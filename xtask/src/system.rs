//! The machine's own programs and packages: finding a program on `PATH`, and installing Debian packages
//! with `apt-get` when the task runs as root (a task never calls `sudo`; anywhere else it says which
//! package to install).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd::{self, Result};

/// The executable `name` in the first folder of `PATH` that holds one.
pub fn find_on_path(name: &str) -> Option<PathBuf> {
    let file_name = format!("{name}{}", std::env::consts::EXE_SUFFIX);
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|folder| folder.join(&file_name))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path)
        .is_ok_and(|metadata| metadata.is_file() && metadata.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// Whether the task runs as root, and so may install packages.
#[cfg(unix)]
pub fn is_root() -> bool {
    // SAFETY: `geteuid` takes nothing, touches no memory of ours and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Whether the task runs as root, and so may install packages.
#[cfg(not(unix))]
pub fn is_root() -> bool {
    false
}

/// Whether [`apt_install`] can work here: root, with `apt-get`.
pub fn can_apt_install() -> bool {
    is_root() && find_on_path("apt-get").is_some()
}

/// `apt-get update` then `apt-get install -y PACKAGES` (each command printed before it runs); an error
/// when not root with `apt-get`.
pub fn apt_install(root: &Path, packages: &[&str]) -> Result<()> {
    if !can_apt_install() {
        return Err(format!(
            "installing {} needs apt-get, run as root",
            packages.join(" ")
        ));
    }
    let apt_get = |args: &[&str]| {
        let mut command = Command::new("apt-get");
        command.env("DEBIAN_FRONTEND", "noninteractive").args(args);
        cmd::run(&mut command, root)
    };
    apt_get(&["update"])?;
    apt_get(&[&["install", "-y"], packages].concat())
}
