//! Scopes: the local variables visible at an offset (parameters, `let`s declared before it in the
//! enclosing blocks, loop variables, `catch` variables, match bindings), innermost last, each with
//! its type when the checker got that far.

use crate::ast::{self, ArmBody, Block, Expr, ExprKind, Ident, ItemKind, Pattern, StmtKind};
use crate::check::LocalId;
use crate::source::{FileId, Span};
use crate::types::Ty;

use super::ProgramAnalysis;

/// A local variable in scope.
#[derive(Clone, Debug, PartialEq)]
pub struct ScopeEntry {
    /// Its name.
    pub name: String,
    /// Where it is declared.
    pub span: Span,
    /// The checker's local, when it checked the declaration.
    pub local: Option<LocalId>,
    /// Its type, when known.
    pub ty: Option<Ty>,
}

/// The locals visible at `offset` of `file`, outermost first; a later entry shadows an earlier one
/// of the same name (only the visible one is kept).
pub fn locals_at(pa: &ProgramAnalysis, file: FileId, offset: u32) -> Vec<ScopeEntry> {
    let Some(ast) = pa.ast(file) else {
        return Vec::new();
    };
    let mut names: Vec<&Ident> = Vec::new();
    for item in &ast.items {
        if !(item.span.start <= offset && offset <= item.span.end) {
            continue;
        }
        if let ItemKind::Proc(decl) = &item.kind {
            names.extend(decl.params.iter().map(|p| &p.name));
            if covers(decl.body.span, offset) {
                block(&decl.body, offset, &mut names);
            }
        }
    }
    let mut out: Vec<ScopeEntry> = Vec::new();
    for ident in names {
        if ident.name == "_" || ident.name.is_empty() {
            continue;
        }
        out.retain(|e| e.name != ident.name);
        let local = pa.analysis.local_defs.get(&ident.span).copied();
        let ty = local
            .and_then(|id| pa.analysis.locals.get(id as usize))
            .map(|l| l.ty.clone())
            .filter(|ty| !ty.is_error());
        out.push(ScopeEntry {
            name: ident.name.clone(),
            span: ident.span,
            local,
            ty,
        });
    }
    out
}

fn covers(span: Span, offset: u32) -> bool {
    span.start < offset && offset <= span.end
}

/// Adds the names visible at `offset` inside `b` (which contains it).
fn block<'a>(b: &'a Block, offset: u32, names: &mut Vec<&'a Ident>) {
    for stmt in &b.stmts {
        if stmt.span.start >= offset {
            break;
        }
        let inside = offset <= stmt.span.end;
        match &stmt.kind {
            StmtKind::Let { name, value, .. } => {
                if let Some(value) = value
                    && inside
                {
                    expr(value, offset, names);
                }
                // `let x = …;` is visible once the statement ends; a half-typed `let x = ` without
                // its `;` still names x for what follows it.
                if !inside || name.span.end < offset && value.is_none() {
                    names.push(name);
                }
            }
            StmtKind::If {
                branches,
                else_block,
            } if inside => {
                for (cond, body) in branches {
                    expr(cond, offset, names);
                    if covers(body.span, offset) {
                        block(body, offset, names);
                    }
                }
                if let Some(body) = else_block
                    && covers(body.span, offset)
                {
                    block(body, offset, names);
                }
            }
            StmtKind::While { cond, body } if inside => {
                expr(cond, offset, names);
                if covers(body.span, offset) {
                    block(body, offset, names);
                }
            }
            StmtKind::Loop { body } | StmtKind::Block(body)
                if inside && covers(body.span, offset) =>
            {
                block(body, offset, names);
            }
            StmtKind::ForRange {
                var,
                start,
                end,
                body,
                ..
            } if inside => {
                expr(start, offset, names);
                expr(end, offset, names);
                if covers(body.span, offset) {
                    names.push(var);
                    block(body, offset, names);
                }
            }
            StmtKind::ForEach { var, iter, body } if inside => {
                expr(iter, offset, names);
                if covers(body.span, offset) {
                    names.push(var);
                    block(body, offset, names);
                }
            }
            StmtKind::Try { body, var, handler } if inside => {
                if covers(body.span, offset) {
                    block(body, offset, names);
                }
                if covers(handler.span, offset) {
                    names.push(var);
                    block(handler, offset, names);
                }
            }
            StmtKind::Assign { target, value, .. } if inside => {
                expr(target, offset, names);
                expr(value, offset, names);
            }
            StmtKind::Expr(e) | StmtKind::Throw(e) | StmtKind::Give(Some(e)) if inside => {
                expr(e, offset, names);
            }
            _ => {}
        }
    }
}

/// Adds the names bound inside an expression that contains `offset` (match arm bindings).
fn expr<'a>(e: &'a Expr, offset: u32, names: &mut Vec<&'a Ident>) {
    if !(e.span.start < offset && offset <= e.span.end) {
        return;
    }
    match &e.kind {
        ExprKind::Match { scrutinee, arms } => {
            expr(scrutinee, offset, names);
            for arm in arms {
                if !(arm.span.start < offset && offset <= arm.span.end) {
                    continue;
                }
                if let Pattern::Case { bindings, .. } = &arm.pattern {
                    names.extend(bindings.iter());
                }
                if let Some(guard) = &arm.guard {
                    expr(guard, offset, names);
                }
                match &arm.body {
                    ArmBody::Block(body) => {
                        if covers(body.span, offset) {
                            block(body, offset, names);
                        }
                    }
                    ArmBody::Expr(body) => expr(body, offset, names),
                }
            }
        }
        ExprKind::Field { base, .. } => expr(base, offset, names),
        ExprKind::Index { base, index } => {
            expr(base, offset, names);
            expr(index, offset, names);
        }
        ExprKind::Call { callee, args } => {
            expr(callee, offset, names);
            for arg in args {
                expr(arg, offset, names);
            }
        }
        ExprKind::Unary { operand, .. } => expr(operand, offset, names),
        ExprKind::Binary { lhs, rhs, .. } => {
            expr(lhs, offset, names);
            expr(rhs, offset, names);
        }
        ExprKind::Array(items) => {
            for item in items {
                expr(item, offset, names);
            }
        }
        ExprKind::Map(entries) => {
            for (k, v) in entries {
                expr(k, offset, names);
                expr(v, offset, names);
            }
        }
        ExprKind::FormLit { fields, .. } => {
            for (_, value) in fields {
                expr(value, offset, names);
            }
        }
        ExprKind::Spawn(inner) | ExprKind::Paren(inner) => expr(inner, offset, names),
        _ => {}
    }
}

/// The innermost `match` whose braces contain `offset`, with its scrutinee (for completing `case`).
pub fn enclosing_match(file: &ast::File, offset: u32) -> Option<&Expr> {
    let mut found: Option<&Expr> = None;
    for item in &file.items {
        if let ItemKind::Proc(decl) = &item.kind
            && covers(decl.body.span, offset)
        {
            find_match_in_block(&decl.body, offset, &mut found);
        }
    }
    found.and_then(|m| match &m.kind {
        ExprKind::Match { scrutinee, .. } => Some(&**scrutinee),
        _ => None,
    })
}

fn find_match_in_block<'a>(b: &'a Block, offset: u32, found: &mut Option<&'a Expr>) {
    for stmt in &b.stmts {
        if !(stmt.span.start < offset && offset <= stmt.span.end) {
            continue;
        }
        for inner in super::navigate::stmt_blocks(stmt) {
            if covers(inner.span, offset) {
                find_match_in_block(inner, offset, found);
            }
        }
        let exprs: Vec<&Expr> = match &stmt.kind {
            StmtKind::Let { value: Some(v), .. } => vec![v],
            StmtKind::Expr(e) | StmtKind::Give(Some(e)) | StmtKind::Throw(e) => vec![e],
            StmtKind::Assign { value, .. } => vec![value],
            _ => Vec::new(),
        };
        for e in exprs {
            find_match_in_expr(e, offset, found);
        }
    }
}

fn find_match_in_expr<'a>(e: &'a Expr, offset: u32, found: &mut Option<&'a Expr>) {
    if !(e.span.start < offset && offset <= e.span.end) {
        return;
    }
    if let ExprKind::Match { scrutinee, arms } = &e.kind {
        if offset > scrutinee.span.end {
            *found = Some(e);
        }
        for arm in arms {
            match &arm.body {
                ArmBody::Block(body) if covers(body.span, offset) => {
                    find_match_in_block(body, offset, found)
                }
                ArmBody::Expr(body) => find_match_in_expr(body, offset, found),
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::test_support::with_cursor;

    fn visible(source: &str) -> Vec<String> {
        let (pa, offset) = with_cursor(source, &[]);
        locals_at(&pa, pa.root(), offset)
            .into_iter()
            .map(|e| match e.ty {
                Some(ty) => format!("{}: {}", e.name, pa.analysis.type_name(&ty)),
                None => e.name,
            })
            .collect()
    }

    #[test]
    fn parameters_lets_and_loop_variables() {
        let names = visible(
            "proc f(a: int) {\n    let b = 1.5;\n    for i in 0..3 {\n        let c = \"s\";\n        $0\n    }\n    let d = 2;\n}\nproc main() {}\n",
        );
        assert_eq!(names, ["a: int", "b: float", "i: int", "c: string"]);
    }

    #[test]
    fn a_block_that_ended_is_out_of_scope() {
        let names = visible(
            "proc main() {\n    if true { let inner = 1; }\n    let outer = 2;\n    print($0);\n}\n",
        );
        assert_eq!(names, ["outer: int"]);
    }

    #[test]
    fn match_bindings_and_shadowing() {
        let names = visible(
            "pick S { case C(r: float), case E }\nproc main() {\n    let r = 1;\n    let s = S.E;\n    match s {\n        case C(r) { print($0); }\n        else {}\n    }\n}\n",
        );
        assert_eq!(names, ["s: S", "r: float"]);
    }
}
