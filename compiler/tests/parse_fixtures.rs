//! Fixture tests: every `parse/*.vit` file is parsed and its rendering (tree, then `---` and the
//! diagnostics if any) is compared with the `.ast` file next to it.
//!
//! To accept new output after a deliberate change, run with `UPDATE_EXPECT=1`; the `.ast` files are
//! rewritten and the diff is for review.

use crate::support;

use std::path::{Path, PathBuf};

use vitte_compiler::parser::parse_file;
use vitte_compiler::source::FileId;

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/parse");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the fixture folder exists")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "vit"))
        .collect();
    files.sort();
    files
}

#[test]
fn fixtures_match_their_expected_rendering() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    let files = fixtures();
    assert!(!files.is_empty());
    for path in files {
        let text = std::fs::read_to_string(&path).expect("fixture is readable");
        let (file, diagnostics) = parse_file(FileId(0), &text);
        let mut actual = support::render_file(&file);
        if !diagnostics.is_empty() {
            actual.push_str("---\n");
            actual.push_str(&support::render_diagnostics(&text, &diagnostics, 0));
        }
        let expected_path = path.with_extension("ast");
        if update {
            std::fs::write(&expected_path, &actual).expect("expected file is writable");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != actual {
            failures.push(format!(
                "{}\n--- expected\n{expected}\n--- actual\n{actual}",
                path.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture(s) differ (UPDATE_EXPECT=1 to accept):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
