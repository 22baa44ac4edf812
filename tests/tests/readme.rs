//! The README stays true: its language tour is exactly `examples/tour.vit` (which the conformance
//! harness runs and checks), and the commands it names exist.

use std::path::PathBuf;

fn repo_file(path: &str) -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// The body of the first fenced block of `language` after `heading`.
fn fenced_block<'a>(text: &'a str, heading: &str, language: &str) -> &'a str {
    let after = &text[text
        .find(heading)
        .unwrap_or_else(|| panic!("no heading {heading}"))..];
    let fence = format!("```{language}\n");
    let start = after.find(&fence).expect("a fenced block") + fence.len();
    let end = after[start..].find("```").expect("a closing fence");
    &after[start..start + end]
}

#[test]
fn readme_tour_is_the_tour_example() {
    let readme = repo_file("README.md");
    let tour = repo_file("examples/tour.vit");
    assert_eq!(
        fenced_block(&readme, "## A short tour of the language", "vitte"),
        tour
    );
}

#[test]
fn readme_commands_are_real_commands() {
    let readme = repo_file("README.md");
    let commands = fenced_block(&readme, "## Two commands", "sh");
    assert!(commands.contains("cargo run --release --bin vitte -- run examples/hello.vit"));
    assert!(commands.contains("cargo test --workspace"));
    for command in ["run", "build", "check", "disasm"] {
        let help = vitte_tests::vitte(&[command.into(), "--help".into()], "");
        assert_eq!(
            help.code, 0,
            "vitte {command} --help failed: {}",
            help.stderr
        );
        assert!(
            readme.contains(&format!("`vitte {command} ")),
            "README does not show vitte {command}"
        );
    }
}
