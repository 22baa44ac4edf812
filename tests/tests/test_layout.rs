//! Every crate's integration tests are one binary (`tests/integration.rs`, with `autotests = false`),
//! so a test file that its `integration.rs` does not name as a module would never be built or run:
//! this checks that none is forgotten.

use std::fs;
use std::path::Path;

/// The crates whose `tests/` folder is one binary.
const CRATES: [&str; 7] = [
    "vm",
    "compiler",
    "cli",
    "dap-adapter",
    "lsp",
    "tests",
    "framing",
];

#[test]
fn every_test_file_is_a_module_of_its_crates_one_binary() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace root");
    let mut checked = 0;
    for krate in CRATES {
        let folder = root.join(krate).join("tests");
        let Ok(binary) = fs::read_to_string(folder.join("integration.rs")) else {
            continue;
        };
        let manifest = fs::read_to_string(root.join(krate).join("Cargo.toml")).expect("Cargo.toml");
        assert!(
            manifest.contains("autotests = false"),
            "{krate}/Cargo.toml has tests/integration.rs but builds every test file on its own"
        );
        for entry in fs::read_dir(&folder).expect("the tests folder") {
            let path = entry.expect("a folder entry").path();
            let Some(name) = path.file_stem().and_then(|stem| stem.to_str()) else {
                continue;
            };
            let is_module = path.extension().is_some_and(|extension| extension == "rs")
                || path.join("mod.rs").is_file();
            if !is_module || name == "integration" {
                continue;
            }
            assert!(
                binary
                    .lines()
                    .any(|line| line.trim() == format!("mod {name};")),
                "{krate}/tests/{name} is not a module of {krate}/tests/integration.rs, so its tests never run"
            );
            checked += 1;
        }
    }
    assert!(
        checked > 40,
        "only {checked} test files found: the layout changed"
    );
}
