//! Program loader tests, with files served from memory: `use` resolution relative to the importing
//! file, aliases, load order (dependencies first, root last), each file loaded once, and the loading
//! errors (missing file, unreadable file, `use` cycle, duplicate alias, unreadable root).

use std::collections::HashMap;
use std::io;
use std::path::Path;

use vitte_compiler::loader::{FileLoader, Program, load_program};

/// Files from a map of path to text; a text of `"<denied>"` fails with a permission error.
struct MemLoader(HashMap<String, String>);

impl MemLoader {
    fn new(files: &[(&str, &str)]) -> MemLoader {
        MemLoader(
            files
                .iter()
                .map(|(path, text)| (path.to_string(), text.to_string()))
                .collect(),
        )
    }
}

impl FileLoader for MemLoader {
    fn read(&self, path: &Path) -> io::Result<String> {
        let key = path.to_string_lossy().replace('\\', "/");
        match self.0.get(&key) {
            Some(text) if text == "<denied>" => {
                Err(io::Error::new(io::ErrorKind::PermissionDenied, "denied"))
            }
            Some(text) => Ok(text.clone()),
            None => Err(io::Error::new(io::ErrorKind::NotFound, "not found")),
        }
    }
}

/// One line per file (`path: alias -> path, …`), then the diagnostics as `path:line:col: message`.
fn render(program: &Program) -> String {
    let mut out = String::new();
    for file in &program.files {
        let imports: Vec<String> = file
            .imports
            .iter()
            .map(|i| format!("{} -> {}", i.alias, program.files[i.file].path.display()))
            .collect();
        out.push_str(&format!(
            "{}: {}\n",
            file.path.display(),
            imports.join(", ")
        ));
        let source = program.sources.get(file.ast.file);
        assert_eq!(source.path, file.path.to_string_lossy(), "source map path");
    }
    for d in &program.diagnostics {
        let source = program.sources.get(d.span.file);
        let (line, col) = source.line_col(d.span.start);
        out.push_str(&format!("{}:{line}:{col}: {}\n", source.path, d.message));
    }
    out
}

#[track_caller]
fn check(files: &[(&str, &str)], root: &str, expected: &str) {
    let program = load_program(&MemLoader::new(files), Path::new(root));
    let actual = render(&program);
    assert_eq!(actual.trim(), expected.trim(), "\n--- actual\n{actual}");
}

#[test]
fn aliases_default_to_the_last_segment_or_come_from_as() {
    check(
        &[
            (
                "tests/programs/x.vit",
                "use util\nuse lib/strings as s\nproc main() { }",
            ),
            ("tests/programs/util.vit", "proc helper() { }"),
            (
                "tests/programs/lib/strings.vit",
                "proc upper(s: string) -> string { give s; }",
            ),
        ],
        "tests/programs/x.vit",
        r#"
tests/programs/util.vit: 
tests/programs/lib/strings.vit: 
tests/programs/x.vit: util -> tests/programs/util.vit, s -> tests/programs/lib/strings.vit
"#,
    );
}

#[test]
fn uses_resolve_relative_to_the_importing_file() {
    check(
        &[
            ("app/main.vit", "use lib/a\nproc main() { }"),
            ("app/lib/a.vit", "use b\nuse ../shared/c"),
            ("app/lib/b.vit", ""),
            ("app/shared/c.vit", ""),
        ],
        "app/main.vit",
        r#"
app/lib/b.vit: 
app/shared/c.vit: 
app/lib/a.vit: b -> app/lib/b.vit, c -> app/shared/c.vit
app/main.vit: a -> app/lib/a.vit
"#,
    );
}

#[test]
fn dot_slash_is_not_kept_in_used_paths() {
    check(
        &[("./main.vit", "use util"), ("util.vit", "")],
        "./main.vit",
        r#"
util.vit: 
./main.vit: util -> util.vit
"#,
    );
}

#[test]
fn diamond_is_loaded_once_dependencies_first() {
    let files = [
        ("root.vit", "use a\nuse b\nproc main() { }"),
        ("a.vit", "use c"),
        ("b.vit", "use c\nuse a"),
        ("c.vit", "const K: int = 1;"),
    ];
    check(
        &files,
        "root.vit",
        r#"
c.vit: 
a.vit: c -> c.vit
b.vit: c -> c.vit, a -> a.vit
root.vit: a -> a.vit, b -> b.vit
"#,
    );
    let program = load_program(&MemLoader::new(&files), Path::new("root.vit"));
    assert_eq!(program.sources.files().len(), 4);
    assert_eq!(
        program.root().map(|f| f.path.as_path()),
        Some(Path::new("root.vit"))
    );
}

#[test]
fn missing_module() {
    check(
        &[("tests/programs/x.vit", "use lib/strings\nproc main() { }")],
        "tests/programs/x.vit",
        r#"
tests/programs/x.vit: 
tests/programs/x.vit:1:1: cannot find module 'lib/strings' (looked for tests/programs/lib/strings.vit)
"#,
    );
}

#[test]
fn unreadable_module() {
    check(
        &[("main.vit", "use secret"), ("secret.vit", "<denied>")],
        "main.vit",
        r#"
main.vit: 
main.vit:1:1: cannot read secret.vit: permission denied
"#,
    );
}

/// A cycle is reported at the `use` through which loading entered it (for a cycle through the root,
/// the root's `use` that starts it), naming the files relative to the root's folder.
#[test]
fn use_cycle_names_the_files() {
    check(
        &[("a.vit", "use b\nproc main() { }"), ("b.vit", "use a")],
        "a.vit",
        r#"
b.vit: 
a.vit: b -> b.vit
a.vit:1:1: use cycle: a.vit -> b.vit -> a.vit
"#,
    );
    check(
        &[("a.vit", "use b"), ("b.vit", "use c"), ("c.vit", "use b")],
        "a.vit",
        r#"
c.vit: 
b.vit: c -> c.vit
a.vit: b -> b.vit
a.vit:1:1: use cycle: b.vit -> c.vit -> b.vit
"#,
    );
    check(
        &[("self.vit", "use self")],
        "self.vit",
        r#"
self.vit: 
self.vit:1:1: use cycle: self.vit -> self.vit
"#,
    );
}

#[test]
fn use_cycle_reached_through_another_file() {
    check(
        &[
            ("app/main.vit", "use lib/a\nproc main() { }"),
            ("app/lib/a.vit", "use b"),
            ("app/lib/b.vit", "use c"),
            ("app/lib/c.vit", "use b"),
        ],
        "app/main.vit",
        r#"
app/lib/c.vit: 
app/lib/b.vit: c -> app/lib/c.vit
app/lib/a.vit: b -> app/lib/b.vit
app/main.vit: a -> app/lib/a.vit
app/lib/a.vit:1:1: use cycle: lib/b.vit -> lib/c.vit -> lib/b.vit
"#,
    );
}

#[test]
fn duplicate_alias_in_one_file() {
    check(
        &[
            ("main.vit", "use a/util\nuse b/util\nuse b/util as u2"),
            ("a/util.vit", ""),
            ("b/util.vit", ""),
        ],
        "main.vit",
        r#"
a/util.vit: 
b/util.vit: 
main.vit: util -> a/util.vit, u2 -> b/util.vit
main.vit:2:1: the alias 'util' is already used by another 'use' in this file; add 'as NAME' to choose another
"#,
    );
}

#[test]
fn same_file_under_two_aliases_is_loaded_once() {
    check(
        &[("main.vit", "use util\nuse util as u"), ("util.vit", "")],
        "main.vit",
        r#"
util.vit: 
main.vit: util -> util.vit, u -> util.vit
"#,
    );
}

#[test]
fn unreadable_root_is_a_diagnostic_at_its_start() {
    let program = load_program(&MemLoader::new(&[]), Path::new("missing.vit"));
    assert_eq!(
        render(&program).trim(),
        "missing.vit:1:1: cannot read missing.vit: file not found"
    );
    assert_eq!(program.sources.files().len(), 1);
    assert_eq!(
        program.sources.get(program.diagnostics[0].span.file).text,
        ""
    );
    assert!(program.files.is_empty() && program.root().is_none());
}

#[test]
fn syntax_errors_of_every_file_in_file_order() {
    check(
        &[
            ("main.vit", "use lib\nproc main() { let x = ; }"),
            ("lib.vit", "proc f() { give 1 }\nform F { x int }"),
        ],
        "main.vit",
        r#"
lib.vit: 
main.vit: lib -> lib.vit
lib.vit:1:18: expected ';' after the statement
lib.vit:2:12: expected ':' and the field's type
main.vit:2:23: expected an expression
"#,
    );
}

#[test]
fn diagnostics_point_at_the_use_declaration() {
    let program = load_program(
        &MemLoader::new(&[("m.vit", "proc main() { }\nuse nothere as n;\n")]),
        Path::new("m.vit"),
    );
    let d = &program.diagnostics[0];
    let text = &program.sources.get(d.span.file).text;
    assert_eq!(
        &text[d.span.start as usize..d.span.end as usize],
        "use nothere as n;"
    );
}

#[test]
fn long_chains_of_files_do_not_recurse() {
    let names: Vec<String> = (0..2000).map(|i| format!("f{i}.vit")).collect();
    let texts: Vec<String> = (0..2000)
        .map(|i| {
            if i + 1 < 2000 {
                format!("use f{}", i + 1)
            } else {
                String::new()
            }
        })
        .collect();
    let files: Vec<(&str, &str)> = names
        .iter()
        .zip(&texts)
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let program = load_program(&MemLoader::new(&files), Path::new("f0.vit"));
    assert!(program.diagnostics.is_empty());
    assert_eq!(program.files.len(), 2000);
    assert_eq!(program.files[0].path, Path::new("f1999.vit"));
    assert_eq!(
        program.root().map(|f| f.path.as_path()),
        Some(Path::new("f0.vit"))
    );
}
