//! The analysis as a language server uses it: the type at a position, the symbol at a position, its
//! definition and its references, also in half-typed programs.

use crate::check_support;

use std::path::Path;

use check_support::MemLoader;
use vitte_compiler::check::{Analysis, Symbol};
use vitte_compiler::driver::analyze;
use vitte_compiler::loader::{Program, load_program};
use vitte_compiler::source::Span;
use vitte_compiler::types::Ty;

fn analysis_of(files: &[(&str, &str)]) -> (Program, Analysis) {
    let program = load_program(&MemLoader::new(files), Path::new("main.vit"));
    let analysis = analyze(&program);
    (program, analysis)
}

/// The byte offset of the `nth` (0-based) occurrence of `needle` in the root file.
fn offset(program: &Program, needle: &str, nth: usize) -> u32 {
    let text = &program
        .sources
        .get(program.root().expect("root").ast.file)
        .text;
    let found = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle} #{nth} not found"));
    found.0 as u32
}

fn line_col(program: &Program, span: Span) -> (u32, u32) {
    program.sources.line_col(span)
}

const SOURCE: &str = "form Point { x: float, y: float }
proc twice(n: int) -> int { give n * 2; }
proc main() {
    let x = twice(21);
    let p = Point { x: 1.0, y: 2.0 };
    print(x);
    print(p.y + 1.0);
    let names = [\"a\"];
    print(names);
}
";

#[test]
fn type_at_position() {
    let (program, analysis) = analysis_of(&[("main.vit", SOURCE)]);
    let file = program.root().expect("root").ast.file;
    assert!(!analysis.has_errors(), "{:?}", analysis.diagnostics);
    assert_eq!(
        analysis.type_at(file, offset(&program, "x)", 0)),
        Some(Ty::Int)
    );
    assert_eq!(
        analysis.type_at(file, offset(&program, "twice(21)", 0) + 6),
        Some(Ty::Int)
    );
    assert_eq!(
        analysis.type_at(file, offset(&program, "y + 1.0", 0)),
        Some(Ty::Float)
    );
    let names = analysis
        .type_at(file, offset(&program, "names", 0))
        .expect("declared variable");
    assert_eq!(analysis.type_name(&names), "[string]");
    let p = analysis
        .type_at(file, offset(&program, "p.y", 0))
        .expect("a form");
    assert_eq!(analysis.type_name(&p), "Point");
}

#[test]
fn definitions_and_references() {
    let (program, analysis) = analysis_of(&[("main.vit", SOURCE)]);
    let file = program.root().expect("root").ast.file;

    let use_of_x = analysis
        .reference_at(file, offset(&program, "x)", 0))
        .expect("x is a reference");
    assert!(matches!(use_of_x.symbol, Symbol::Local(_)));
    let definition = analysis
        .definition(use_of_x.symbol)
        .expect("x has a definition");
    assert_eq!(line_col(&program, definition), (4, 9));

    let call = analysis
        .reference_at(file, offset(&program, "twice(21)", 0))
        .expect("twice");
    assert_eq!(call.symbol, Symbol::Proc(0));
    assert_eq!(
        line_col(
            &program,
            analysis.definition(call.symbol).expect("declared")
        ),
        (2, 6)
    );
    assert_eq!(analysis.references_to(Symbol::Proc(0)).count(), 2);

    let field = analysis
        .reference_at(file, offset(&program, "y + 1.0", 0))
        .expect("field");
    assert_eq!(field.symbol, Symbol::Field(0, 1));
    assert_eq!(
        line_col(&program, analysis.definition(field.symbol).expect("field")),
        (1, 24)
    );
    // `y: 2.0` in the literal and `p.y` both refer to the field.
    assert_eq!(
        analysis
            .references_to(Symbol::Field(0, 1))
            .filter(|r| !r.is_definition)
            .count(),
        2
    );

    let print = analysis
        .reference_at(file, offset(&program, "print", 0))
        .expect("built-in");
    assert!(matches!(print.symbol, Symbol::Builtin(_)));
    assert_eq!(analysis.definition(print.symbol), None);
}

#[test]
fn symbols_across_files() {
    let (program, analysis) = analysis_of(&[
        (
            "main.vit",
            "use util as u\nproc main() { print(u.LIMIT + u.twice(1)); }\n",
        ),
        (
            "util.vit",
            "const LIMIT: int = 7;\nproc twice(n: int) -> int { give n * 2; }\n",
        ),
    ]);
    let file = program.root().expect("root").ast.file;
    assert!(!analysis.has_errors(), "{:?}", analysis.diagnostics);
    let alias = analysis
        .reference_at(file, offset(&program, "u.LIMIT", 0))
        .expect("alias");
    assert_eq!(alias.symbol, Symbol::Module(0));
    let limit = analysis
        .reference_at(file, offset(&program, "LIMIT", 0))
        .expect("const");
    assert_eq!(limit.symbol, Symbol::Const(0));
    let definition = analysis.definition(limit.symbol).expect("declared");
    assert_eq!(program.sources.get(definition.file).path, "util.vit");
    assert_eq!(
        analysis.consts[0].value,
        Some(vitte_compiler::types::ConstValue::Int(7))
    );
    assert_eq!(analysis.procs[0].qualified, "u.twice");
}

#[test]
fn half_typed_programs_still_answer() {
    let (program, analysis) = analysis_of(&[(
        "main.vit",
        "proc main() {\n    let count = 3;\n    let s = count + ;\n    print(cou\n",
    )]);
    let file = program.root().expect("root").ast.file;
    assert!(analysis.has_errors());
    let declared = analysis.type_at(file, offset(&program, "count", 0));
    assert_eq!(declared, Some(Ty::Int));
    let use_of_count = analysis.reference_at(file, offset(&program, "count", 1));
    assert!(use_of_count.is_some_and(|r| matches!(r.symbol, Symbol::Local(_))));
}
