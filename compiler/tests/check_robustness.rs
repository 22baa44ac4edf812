//! The checker and code generator never panic, whatever the input: every conformance program is
//! compiled whole, cut short at many points and with characters removed (what an editor sees while
//! someone types). Whenever a module comes out, it passes the verifier.

use crate::check_support;

use std::io;
use std::path::{Path, PathBuf};

use vitte_compiler::driver::{analyze, compile_with};
use vitte_compiler::loader::{FileLoader, FsLoader, load_program};
use vitte_compiler::source::FileId;

/// Serves one file from memory and every other from disk.
struct Edited {
    path: PathBuf,
    text: String,
}

impl FileLoader for Edited {
    fn read(&self, path: &Path) -> io::Result<String> {
        if path == self.path {
            Ok(self.text.clone())
        } else {
            FsLoader.read(path)
        }
    }
}

fn programs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/programs");
    let mut found = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "vit") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// Compiles `text` as the file at `path`; checks the module when there is one; runs the
/// language-server queries at a few offsets.
fn exercise(path: &Path, text: String) {
    let loader = Edited {
        path: path.to_path_buf(),
        text,
    };
    let compilation = compile_with(&loader, path);
    if let Some(module) = &compilation.module {
        check_support::verified(module);
    }
    let _ = compilation.render_diagnostics();
    let program = load_program(&loader, path);
    let analysis = analyze(&program);
    let len = loader.text.len() as u32;
    for offset in [0, len / 3, len / 2, len.saturating_sub(1)] {
        let file = program.root().map_or(FileId(0), |f| f.ast.file);
        let _ = analysis.type_at(file, offset);
        if let Some(reference) = analysis.reference_at(file, offset) {
            let _ = analysis.definition(reference.symbol);
        }
    }
}

/// Byte offsets on character boundaries, about `count` of them spread over `text`.
fn cut_points(text: &str, count: usize) -> Vec<usize> {
    let step = (text.len() / count).max(1);
    (0..text.len())
        .step_by(step)
        .filter(|i| text.is_char_boundary(*i))
        .collect()
}

#[test]
fn whole_programs_compile_to_verified_modules() {
    let programs = programs();
    assert!(!programs.is_empty(), "no conformance programs found");
    for path in programs {
        let text = std::fs::read_to_string(&path).expect("readable program");
        exercise(&path, text);
    }
}

#[test]
fn truncated_programs_never_crash() {
    for path in programs() {
        let text = std::fs::read_to_string(&path).expect("readable program");
        for cut in cut_points(&text, 24) {
            exercise(&path, text[..cut].to_string());
        }
    }
}

#[test]
fn programs_with_a_character_removed_never_crash() {
    for path in programs() {
        let text = std::fs::read_to_string(&path).expect("readable program");
        for cut in cut_points(&text, 24) {
            let mut edited = text.clone();
            edited.remove(cut);
            exercise(&path, edited);
        }
    }
}

#[test]
fn odd_programs_never_crash() {
    let sources = [
        "",
        "proc",
        "proc main(",
        "proc main() -> { }",
        "proc main() { match }",
        "proc main() { match x { case } }",
        "proc main() { let x: Map[int] = {}; let y: Map = 1; let z: [void] = []; }",
        "pick P { case A(x: P) }\nproc main() { let p = P.A(P.A(null)); }",
        "form F { f: F }\nproc main() { let f = F { f: null }; }",
        "proc main() { print(main()); main(); }",
        "const A = A;\nconst B: int = C;\nconst C: int = B;\nproc main() {}",
        "let g = g;\nproc main() {}",
        "proc main() { let x = [null]; let y = {null: 1}; let z = {1: null}; let w = [[], []]; }",
        "proc main() { set 1 = 2; set main = 3; set (x) = 1; set [1][0] = 2; }",
        "proc main() { for i in 0..\"x\" { } for x in null { } }",
        "proc main() -> int { match 1 { case 1 => 1; } }",
        "pick P {}\nproc main() -> int { let p: P; match p { } }",
        "proc main() { let a = -true; let b = not 1; let c = null + null; let d = null < null; }",
        "proc main() { print(util.x); util.f(); let p: util.P = util.P {}; }",
        "use\nproc main() {}",
        "proc f(x: int, x: int) {}\nproc main() { f(1, 2); }",
        "proc main() { x.y.z(1); (1)(2); [1].len; }",
        "proc main() { let s: string = read_line(); print(s); }",
    ];
    for source in sources {
        let compilation = check_support::compile(source);
        if let Some(module) = &compilation.module {
            check_support::verified(module);
        }
    }
}
