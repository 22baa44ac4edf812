//! Bytecode compatibility: every committed `.vitbc` file under `tests/compat/vN/` still loads and prints
//! exactly the output recorded next to it when it was written (see `tests/compat/README.md`).

use std::path::PathBuf;

use vitte_tests::vitte;

#[test]
fn committed_bytecode_still_runs_the_same() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("compat");
    let mut checked = 0;
    let mut versions: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/compat exists")
        .map(|entry| entry.expect("readable folder").path())
        .filter(|path| path.is_dir())
        .collect();
    versions.sort();
    for version in versions {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&version)
            .expect("readable version folder")
            .map(|entry| entry.expect("readable entry").path())
            .filter(|path| path.extension().is_some_and(|e| e == "vitbc"))
            .collect();
        files.sort();
        for file in files {
            let expected = std::fs::read_to_string(file.with_extension("out"))
                .unwrap_or_else(|e| panic!("{} has no .out file: {e}", file.display()));
            let outcome = vitte(&["run".into(), file.to_string_lossy().into_owned()], "");
            assert_eq!(outcome.code, 0, "{}: {}", file.display(), outcome.stderr);
            assert_eq!(
                outcome.stdout,
                expected,
                "{} prints something else",
                file.display()
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 2,
        "only {checked} committed bytecode files found"
    );
}
