//! The sandbox: which files a program may read and write, and whether it may read the environment.
//!
//! Everything is denied unless allowed ([`Sandbox::default`]). A path allow-list is checked against the
//! path the operating system would really open: `..` and symbolic links are resolved first
//! (`std::fs::canonicalize`; for a file that does not exist yet, its parent folder is resolved and the
//! file name appended), so `allowed/../secret` and a link inside an allowed folder that points outside
//! it are both denied. Allowed paths are resolved the same way when they are checked.

use std::path::{Component, Path, PathBuf};

/// Access to a part of the file system.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum PathAccess {
    /// Nothing (the default).
    #[default]
    Denied,
    /// Any path.
    Any,
    /// These files, and everything under these folders (relative paths are relative to the working
    /// folder of the process).
    Paths(Vec<PathBuf>),
}

impl PathAccess {
    /// True when `path` (as a program wrote it) may be accessed.
    pub fn allows(&self, path: &Path) -> bool {
        match self {
            PathAccess::Denied => false,
            PathAccess::Any => true,
            PathAccess::Paths(allowed) => {
                let Some(target) = resolve(path) else {
                    return false;
                };
                allowed
                    .iter()
                    .filter_map(|allowed| resolve(allowed))
                    .any(|allowed| target.starts_with(allowed))
            }
        }
    }
}

/// What a program may reach outside the VM.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sandbox {
    /// Files `read_file` may read.
    pub read: PathAccess,
    /// Files `write_file` may write.
    pub write: PathAccess,
    /// Whether `env` may read environment variables.
    pub env: bool,
}

impl Sandbox {
    /// Everything allowed (`vitte run --allow-all`).
    pub fn allow_all() -> Sandbox {
        Sandbox {
            read: PathAccess::Any,
            write: PathAccess::Any,
            env: true,
        }
    }
}

/// The absolute path `path` names once `..` and symbolic links are resolved; for a path that does not
/// exist, its resolved parent joined with its file name. `None` when neither can be resolved.
fn resolve(path: &Path) -> Option<PathBuf> {
    if let Ok(resolved) = std::fs::canonicalize(path) {
        return Some(resolved);
    }
    let name = match path.components().next_back()? {
        Component::Normal(name) => name.to_os_string(),
        _ => return None,
    };
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    Some(std::fs::canonicalize(parent).ok()?.join(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn denied_and_any() {
        assert!(!PathAccess::Denied.allows(Path::new("Cargo.toml")));
        assert!(PathAccess::Any.allows(Path::new("/nonexistent/file")));
    }

    #[test]
    fn allow_list_resolves_dot_dot() {
        let here = std::env::current_dir().unwrap_or_default();
        let access = PathAccess::Paths(vec![here.join("src")]);
        assert!(access.allows(&here.join("src/lib.rs")));
        assert!(access.allows(&here.join("src/not_yet_written.txt")));
        assert!(!access.allows(&here.join("src/../Cargo.toml")));
        assert!(!access.allows(&here.join("src/missing_folder/file.txt")));
    }
}
