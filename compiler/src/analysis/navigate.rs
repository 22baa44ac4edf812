//! Navigation: the symbol under the cursor, where it is defined, every place it is used, and the
//! highlights of its occurrences in one file.
//!
//! A `use` alias is a symbol of the file that declares it ([`Symbol::Module`] of the used file): its
//! definition is the alias in that file's `use`, and its references are limited to that file, since
//! another file may reach the same module under another alias.

use crate::ast::{self, Expr, ExprKind, StmtKind};
use crate::check::{Reference, Symbol};
use crate::source::{FileId, Span};

use super::ProgramAnalysis;

/// Whether an occurrence reads, writes or declares the symbol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// The declaration itself.
    Definition,
    /// Assigned (`set x = …`, `x += …`).
    Write,
    /// Any other use.
    Read,
}

/// One occurrence of a symbol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Occurrence {
    /// Where its name is.
    pub span: Span,
    /// How it is used there.
    pub access: Access,
}

/// The name occurrence at `offset` in `file`, if there is one.
pub fn reference_at(pa: &ProgramAnalysis, file: FileId, offset: u32) -> Option<Reference> {
    // Prefer a name that starts at the cursor over one that ends there (`a|.b` is `a`, `a.|b` is `b`).
    let covering: Vec<&Reference> = pa
        .analysis
        .references
        .iter()
        .filter(|r| r.span.file == file && r.span.start <= offset && offset <= r.span.end)
        .collect();
    covering
        .iter()
        .find(|r| r.span.start <= offset && offset < r.span.end)
        .or(covering.first())
        .map(|r| **r)
}

/// Where the symbol at `offset` of `file` is declared.
pub fn definition_at(pa: &ProgramAnalysis, file: FileId, offset: u32) -> Option<Span> {
    let reference = reference_at(pa, file, offset)?;
    definition_of(pa, reference.symbol, file)
}

/// Where `symbol`, seen from `file`, is declared (built-ins have no declaration).
pub fn definition_of(pa: &ProgramAnalysis, symbol: Symbol, file: FileId) -> Option<Span> {
    match symbol {
        Symbol::Module(_) => pa
            .analysis
            .references
            .iter()
            .find(|r| r.is_definition && r.symbol == symbol && r.span.file == file)
            .map(|r| r.span),
        Symbol::Builtin(_) => None,
        _ => pa.analysis.definition(symbol),
    }
}

/// Every occurrence of `symbol`, seen from `file`, in source order (files in program order). The
/// declaration is included when `include_declaration` is set.
pub fn occurrences(
    pa: &ProgramAnalysis,
    symbol: Symbol,
    file: FileId,
    include_declaration: bool,
) -> Vec<Occurrence> {
    let writes = match symbol {
        Symbol::Local(_) | Symbol::Global(_) | Symbol::Field(..) => assigned_names(pa),
        _ => Vec::new(),
    };
    pa.analysis
        .references_to(symbol)
        .filter(|r| !matches!(symbol, Symbol::Module(_)) || r.span.file == file)
        .filter(|r| include_declaration || !r.is_definition)
        .map(|r| Occurrence {
            span: r.span,
            access: if r.is_definition {
                Access::Definition
            } else if writes.contains(&r.span) {
                Access::Write
            } else {
                Access::Read
            },
        })
        .collect()
}

/// The occurrences in `file` of the symbol at `offset` (for highlighting), declaration included.
pub fn highlights_at(pa: &ProgramAnalysis, file: FileId, offset: u32) -> Vec<Occurrence> {
    let Some(reference) = reference_at(pa, file, offset) else {
        return Vec::new();
    };
    occurrences(pa, reference.symbol, file, true)
        .into_iter()
        .filter(|o| o.span.file == file)
        .collect()
}

/// Spans of the names assigned by `set` statements (the variable, or the field of `set p.x = …`).
fn assigned_names(pa: &ProgramAnalysis) -> Vec<Span> {
    let mut out = Vec::new();
    for file in &pa.program.files {
        for item in &file.ast.items {
            if let ast::ItemKind::Proc(decl) = &item.kind {
                walk_block(&decl.body, &mut |stmt| {
                    if let StmtKind::Assign { target, .. } = &stmt.kind
                        && let Some(span) = target_name(target)
                    {
                        out.push(span);
                    }
                });
            }
        }
    }
    out
}

/// The name an assignment writes: `x` in `x`, `x` in `p.x`; `xs[i]` writes no name.
fn target_name(target: &Expr) -> Option<Span> {
    match &target.kind {
        ExprKind::Name(ident) => Some(ident.span),
        ExprKind::Field { name, .. } => Some(name.span),
        ExprKind::Paren(inner) => target_name(inner),
        _ => None,
    }
}

/// Calls `f` on every statement of `block`, nested blocks included (not those inside expressions).
pub(crate) fn walk_block(block: &ast::Block, f: &mut dyn FnMut(&ast::Stmt)) {
    for stmt in &block.stmts {
        f(stmt);
        for inner in stmt_blocks(stmt) {
            walk_block(inner, f);
        }
    }
}

/// The blocks directly inside a statement.
pub(crate) fn stmt_blocks(stmt: &ast::Stmt) -> Vec<&ast::Block> {
    match &stmt.kind {
        StmtKind::If {
            branches,
            else_block,
        } => branches
            .iter()
            .map(|(_, b)| b)
            .chain(else_block.as_ref())
            .collect(),
        StmtKind::While { body, .. }
        | StmtKind::Loop { body }
        | StmtKind::ForRange { body, .. }
        | StmtKind::ForEach { body, .. } => vec![body],
        StmtKind::Try { body, handler, .. } => vec![body, handler],
        StmtKind::Block(block) => vec![block],
        StmtKind::Expr(expr) => match &expr.kind {
            ExprKind::Match { arms, .. } => arms
                .iter()
                .filter_map(|arm| match &arm.body {
                    ast::ArmBody::Block(block) => Some(block),
                    ast::ArmBody::Expr(_) => None,
                })
                .collect(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::test_support::with_cursor;

    #[test]
    fn local_definition_and_references() {
        let (pa, offset) = with_cursor(
            "proc main() {\n    let x = 1;\n    set x = x + 1;\n    print($0x);\n}\n",
            &[],
        );
        let root = pa.root();
        let def = definition_at(&pa, root, offset).expect("a definition");
        assert_eq!(pa.slice(def), "x");
        assert_eq!(def.start, 22);
        let all = highlights_at(&pa, root, offset);
        let accesses: Vec<Access> = all.iter().map(|o| o.access).collect();
        assert_eq!(
            accesses,
            [
                Access::Definition,
                Access::Write,
                Access::Read,
                Access::Read
            ]
        );
    }

    #[test]
    fn module_alias_is_local_to_its_file() {
        let (pa, offset) = with_cursor(
            "use util as u\nproc main() { print($0u.twice(2)); }\n",
            &[("util.vit", "proc twice(n: int) -> int { give n * 2; }\n")],
        );
        let root = pa.root();
        let def = definition_at(&pa, root, offset).expect("a definition");
        assert_eq!((def.start, pa.slice(def)), (12, "u"));
        let twice = definition_at(&pa, root, offset + 2).expect("twice");
        assert_eq!(
            pa.source(twice.file).map(|s| s.path.as_str()),
            Some("util.vit")
        );
    }
}
