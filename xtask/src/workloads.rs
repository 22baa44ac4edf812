//! The benchmark workloads of `bench/`, described once: name, sizes, the languages each is written
//! in and the speed target it carries. `cargo xtask bench` and `cargo xtask bench-dap` both read
//! this table, and a test keeps it in step with the folders of `bench/`.
//!
//! Workload `NAME` lives in `bench/NAME/NAME.EXT`, one file per language (see `bench/README.md`),
//! and every program takes its size as its first argument.

use std::path::{Path, PathBuf};

use crate::cmd::Result;

/// A language a workload is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    Vitte,
    /// Runs on Lua 5.4 and on LuaJIT.
    Lua,
    Python,
    /// C99, built with `gcc -O2`.
    C,
}

impl Language {
    /// The extension of the workload's file in this language.
    pub fn extension(self) -> &'static str {
        match self {
            Language::Vitte => "vit",
            Language::Lua => "lua",
            Language::Python => "py",
            Language::C => "c",
        }
    }
}

/// The interpreter a workload's speed target compares Vitte with: Vitte's median time must be at
/// most this interpreter's on the same machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpeedTarget {
    /// At most as slow as Lua 5.4 (`lua5.4`).
    Lua54,
    /// At most as slow as CPython (`python3`).
    CPython,
}

impl SpeedTarget {
    /// The interpreter's name in the report.
    pub fn interpreter(self) -> &'static str {
        match self {
            SpeedTarget::Lua54 => "Lua 5.4",
            SpeedTarget::CPython => "CPython",
        }
    }
}

/// One workload of `bench/`.
#[derive(Debug)]
pub struct Workload {
    /// The folder of `bench/` and the stem of its files.
    pub name: &'static str,
    /// The size the program uses without an argument (the fallback of its `size_arg`).
    pub default_size: u64,
    /// The small size of quick runs, which check the runners rather than the speed.
    pub quick_size: u64,
    /// The languages it is written in; Vitte first.
    pub languages: &'static [Language],
    /// The speed target of the workload, if it has one.
    pub speed_target: Option<SpeedTarget>,
}

const ALL_LANGUAGES: &[Language] = &[
    Language::Vitte,
    Language::Lua,
    Language::Python,
    Language::C,
];

const VITTE_ONLY: &[Language] = &[Language::Vitte];

/// Every workload, in the order of `bench/README.md`.
pub const WORKLOADS: &[Workload] = &[
    Workload {
        name: "fib",
        default_size: 32,
        quick_size: 20,
        languages: ALL_LANGUAGES,
        speed_target: Some(SpeedTarget::Lua54),
    },
    Workload {
        name: "loop",
        default_size: 30_000_000,
        quick_size: 100_000,
        languages: ALL_LANGUAGES,
        speed_target: Some(SpeedTarget::Lua54),
    },
    Workload {
        name: "nbody",
        default_size: 1_000_000,
        quick_size: 1_000,
        languages: ALL_LANGUAGES,
        speed_target: Some(SpeedTarget::Lua54),
    },
    Workload {
        name: "binary_trees",
        default_size: 16,
        quick_size: 8,
        languages: ALL_LANGUAGES,
        speed_target: Some(SpeedTarget::CPython),
    },
    Workload {
        name: "strings",
        default_size: 2_000_000,
        quick_size: 10_000,
        languages: ALL_LANGUAGES,
        speed_target: Some(SpeedTarget::CPython),
    },
    Workload {
        name: "concat",
        default_size: 50_000,
        quick_size: 2_000,
        languages: ALL_LANGUAGES,
        speed_target: Some(SpeedTarget::CPython),
    },
    Workload {
        name: "spectral_norm",
        default_size: 500,
        quick_size: 50,
        languages: ALL_LANGUAGES,
        speed_target: Some(SpeedTarget::Lua54),
    },
    Workload {
        name: "fannkuch",
        default_size: 10,
        quick_size: 7,
        languages: ALL_LANGUAGES,
        speed_target: Some(SpeedTarget::Lua54),
    },
    Workload {
        name: "map",
        default_size: 1_000_000,
        quick_size: 10_000,
        languages: ALL_LANGUAGES,
        speed_target: Some(SpeedTarget::CPython),
    },
    Workload {
        name: "methods",
        default_size: 300_000,
        quick_size: 10_000,
        languages: VITTE_ONLY,
        speed_target: None,
    },
    Workload {
        name: "channels",
        default_size: 3_000_000,
        quick_size: 1_000,
        languages: VITTE_ONLY,
        speed_target: None,
    },
];

/// The folder of `bench/` holding the debugger benchmark's own programs (not a workload).
pub const DEBUGGER_FOLDER: &str = "debugger";

impl Workload {
    /// The file of the workload in `language`: `bench/NAME/NAME.EXT` under `root`.
    pub fn source(&self, root: &Path, language: Language) -> PathBuf {
        root.join("bench")
            .join(self.name)
            .join(format!("{}.{}", self.name, language.extension()))
    }

    /// The size a run passes: the quick size or the default size.
    pub fn size(&self, quick: bool) -> u64 {
        if quick {
            self.quick_size
        } else {
            self.default_size
        }
    }

    /// Whether the workload is written in `language`.
    pub fn has(&self, language: Language) -> bool {
        self.languages.contains(&language)
    }
}

/// The workloads named in `names` (a `-` may stand for a `_`: `binary-trees`), in table order;
/// every workload when `names` is empty. An unknown name is an error listing the known ones.
pub fn select(names: &[String]) -> Result<Vec<&'static Workload>> {
    let wanted: Vec<String> = names.iter().map(|name| name.replace('-', "_")).collect();
    if let Some(unknown) = names
        .iter()
        .zip(&wanted)
        .find(|(_, name)| !WORKLOADS.iter().any(|workload| workload.name == *name))
        .map(|(given, _)| given)
    {
        let known: Vec<&str> = WORKLOADS.iter().map(|workload| workload.name).collect();
        return Err(format!(
            "no workload named `{unknown}`; the workloads are: {}",
            known.join(", ")
        ));
    }
    Ok(WORKLOADS
        .iter()
        .filter(|workload| wanted.is_empty() || wanted.iter().any(|name| name == workload.name))
        .collect())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::fs;

    use super::*;

    /// Folders of `bench/` that hold programs but are not workloads: the debugger benchmark's and
    /// the empty program of the startup measurement (`bench/startup/empty.vit`).
    const OTHER_FOLDERS: [&str; 2] = [DEBUGGER_FOLDER, "startup"];

    fn names(workloads: &[&Workload]) -> Vec<&'static str> {
        workloads.iter().map(|workload| workload.name).collect()
    }

    #[test]
    fn the_table_and_the_bench_folder_hold_the_same_workloads() {
        let bench = crate::workspace_root().join("bench");
        let mut folders = BTreeSet::new();
        for entry in fs::read_dir(&bench).unwrap().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let has_vitte_program = entry.path().join(format!("{name}.vit")).is_file();
            if has_vitte_program && !OTHER_FOLDERS.contains(&name.as_str()) {
                folders.insert(name);
            }
        }
        let table: BTreeSet<String> = WORKLOADS
            .iter()
            .map(|workload| workload.name.to_owned())
            .collect();
        assert_eq!(folders, table);
        for folder in OTHER_FOLDERS {
            assert!(bench.join(folder).is_dir(), "bench/{folder}");
        }
    }

    #[test]
    fn each_listed_language_has_its_file_and_no_other_file_exists() {
        let root = crate::workspace_root();
        for workload in WORKLOADS {
            assert_eq!(workload.languages.first(), Some(&Language::Vitte));
            for language in ALL_LANGUAGES {
                let file = workload.source(&root, *language);
                assert_eq!(
                    file.is_file(),
                    workload.has(*language),
                    "{}: {}",
                    workload.name,
                    file.display()
                );
            }
        }
    }

    /// The fallbacks passed to `size_arg(…)` in `text`: the last argument of each call whose
    /// last argument is a number.
    fn size_arg_fallbacks(text: &str) -> BTreeSet<u64> {
        text.split("size_arg(")
            .skip(1)
            .filter_map(|rest| {
                rest.split(')')
                    .next()?
                    .rsplit(',')
                    .next()?
                    .trim()
                    .parse()
                    .ok()
            })
            .collect()
    }

    #[test]
    fn default_sizes_are_the_fallbacks_of_the_programs() {
        let root = crate::workspace_root();
        for workload in WORKLOADS {
            for language in workload.languages {
                let file = workload.source(&root, *language);
                let text = fs::read_to_string(&file).unwrap();
                assert_eq!(
                    size_arg_fallbacks(&text),
                    BTreeSet::from([workload.default_size]),
                    "{}",
                    file.display()
                );
            }
            assert!(
                workload.quick_size < workload.default_size,
                "{}",
                workload.name
            );
            assert!(workload.quick_size >= 1, "{}", workload.name);
        }
    }

    #[test]
    fn only_workloads_in_other_languages_carry_a_speed_target() {
        for workload in WORKLOADS {
            let compared = match workload.speed_target {
                Some(SpeedTarget::Lua54) => Some(Language::Lua),
                Some(SpeedTarget::CPython) => Some(Language::Python),
                None => None,
            };
            assert!(compared.is_none_or(|language| workload.has(language)));
        }
    }

    /// `n` with a space between groups of three digits, as `bench/README.md` writes sizes.
    fn grouped(n: u64) -> String {
        let digits = n.to_string();
        let mut text = String::new();
        for (index, digit) in digits.chars().enumerate() {
            if index > 0 && (digits.len() - index).is_multiple_of(3) {
                text.push(' ');
            }
            text.push(digit);
        }
        text
    }

    #[test]
    fn the_readme_lists_every_workload_with_its_quick_size() {
        assert_eq!(grouped(30_000_000), "30 000 000");
        assert_eq!(grouped(500), "500");
        let readme = fs::read_to_string(crate::workspace_root().join("bench/README.md")).unwrap();
        for workload in WORKLOADS {
            let row = readme
                .lines()
                .find(|line| line.starts_with(&format!("| `{}` |", workload.name)))
                .unwrap_or_else(|| panic!("bench/README.md has no row for {}", workload.name));
            assert!(
                row.contains(&format!("| {} |", grouped(workload.quick_size))),
                "{row}"
            );
        }
    }

    #[test]
    fn selecting_by_name() {
        assert_eq!(select(&[]).unwrap().len(), WORKLOADS.len());
        let picked = select(&["map".to_owned(), "binary-trees".to_owned()]).unwrap();
        assert_eq!(names(&picked), ["binary_trees", "map"]);
        let error = select(&["fib".to_owned(), "fibonacci".to_owned()]).unwrap_err();
        assert!(error.contains("`fibonacci`"), "{error}");
        assert!(error.contains("fib, loop, nbody"), "{error}");
    }
}
