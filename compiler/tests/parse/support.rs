//! Shared helpers of the parser tests: a compact rendering of the syntax tree (source-like, with every
//! binary and unary operation in parentheses so precedence is visible), of diagnostics (`LINE:COL:
//! message`), and the `check*` helpers that compare them with expected text.
//!
//! The rendering uses the new spelling everywhere (`proc`, `give`, `form`, `pick`, `and`, `set`, `elif`),
//! which shows that both spellings map to the same tree. A `Paren` node prints as `(e)`, so a
//! parenthesised binary operation shows two pairs: `((a + b))`.

#![allow(dead_code)]

use std::fmt::Write;

use vitte_compiler::ast::*;
use vitte_compiler::diagnostics::Diagnostic;
use vitte_compiler::parser::parse_file;
use vitte_compiler::source::{FileId, SourceText};

/// Renders a whole file.
pub fn render_file(file: &File) -> String {
    let mut p = Printer::default();
    if let Some(space) = &file.space {
        p.line(&format!("space {}", segments(space, "/")));
    }
    for decl in &file.uses {
        let alias = decl
            .alias
            .as_ref()
            .map(|a| format!(" as {}", a.name))
            .unwrap_or_default();
        p.line(&format!("use {}{alias}", segments(&decl.path, "/")));
    }
    for item in &file.items {
        p.item(item);
    }
    p.out
}

/// Renders statements at indentation 0.
pub fn render_stmts(stmts: &[Stmt]) -> String {
    let mut p = Printer::default();
    for stmt in stmts {
        p.stmt(stmt);
    }
    p.out
}

/// Renders one expression (a `match` over several lines).
pub fn render_expr(expr: &Expr) -> String {
    let mut p = Printer::default();
    p.expr(expr);
    p.out
}

/// `LINE:COL: message` per diagnostic; lines are shifted up by `line_offset`.
pub fn render_diagnostics(text: &str, diagnostics: &[Diagnostic], line_offset: u32) -> String {
    let source = SourceText::new("test.vit", text);
    let mut out = String::new();
    for d in diagnostics {
        let (line, col) = source.line_col(d.span.start);
        let _ = writeln!(
            out,
            "{}:{}: {}",
            line.saturating_sub(line_offset),
            col,
            d.message
        );
    }
    out
}

fn segments(idents: &[Ident], sep: &str) -> String {
    idents
        .iter()
        .map(|i| i.name.as_str())
        .collect::<Vec<_>>()
        .join(sep)
}

fn parse(text: &str) -> (File, Vec<Diagnostic>) {
    parse_file(FileId(0), text)
}

/// Compares `actual` with `expected` (both trimmed); on a mismatch prints the actual text ready to paste.
#[track_caller]
pub fn assert_text(actual: &str, expected: &str) {
    let actual = actual.trim();
    let expected = expected.trim();
    if actual != expected {
        panic!("rendering differs\n--- expected\n{expected}\n--- actual\n{actual}\n---");
    }
}

fn with_errors(
    mut rendered: String,
    text: &str,
    diagnostics: &[Diagnostic],
    line_offset: u32,
) -> String {
    if !diagnostics.is_empty() {
        rendered.push_str("---\n");
        rendered.push_str(&render_diagnostics(text, diagnostics, line_offset));
    }
    rendered
}

/// Parses a whole file and compares its rendering, then `---` and the diagnostics if there are any.
#[track_caller]
pub fn check(text: &str, expected: &str) {
    let (file, diagnostics) = parse(text);
    assert_text(
        &with_errors(render_file(&file), text, &diagnostics, 0),
        expected,
    );
}

/// Parses `body` as the statements of a procedure and compares their rendering (and diagnostics, with
/// line numbers counted from the body's first line).
#[track_caller]
pub fn check_stmts(body: &str, expected: &str) {
    let body = body.strip_prefix('\n').unwrap_or(body);
    let text = format!("proc main() {{\n{body}\n}}\n");
    let (file, diagnostics) = parse(&text);
    let rendered = match file.items.first().map(|item| &item.kind) {
        Some(ItemKind::Proc(decl)) => render_stmts(&decl.body.stmts),
        other => format!("not a procedure: {other:?}\n"),
    };
    assert_text(&with_errors(rendered, &text, &diagnostics, 1), expected);
}

/// Parses `expr` as the value of a `let` and compares the rendering of the value (and diagnostics).
#[track_caller]
pub fn check_expr(expr: &str, expected: &str) {
    let text = format!("proc main() {{\nlet v = {expr};\n}}\n");
    let (file, diagnostics) = parse(&text);
    let rendered = match file.items.first().map(|item| &item.kind) {
        Some(ItemKind::Proc(decl)) => match decl.body.stmts.first().map(|s| &s.kind) {
            Some(StmtKind::Let {
                value: Some(value), ..
            }) => render_expr(value),
            other => format!("not a let with a value: {other:?}"),
        },
        other => format!("not a procedure: {other:?}"),
    };
    assert_text(
        &with_errors(rendered + "\n", &text, &diagnostics, 1),
        expected,
    );
}

/// Parses a whole file and compares only its diagnostics.
#[track_caller]
pub fn check_errors(text: &str, expected: &str) {
    let (_, diagnostics) = parse(text);
    assert_text(&render_diagnostics(text, &diagnostics, 0), expected);
}

#[derive(Default)]
struct Printer {
    out: String,
    indent: usize,
}

impl Printer {
    fn pad(&mut self) {
        for _ in 0..self.indent {
            self.out.push_str("    ");
        }
    }

    fn line(&mut self, text: &str) {
        self.pad();
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn doc(&mut self, doc: &Option<String>) {
        if let Some(doc) = doc {
            for line in doc.split('\n') {
                self.line(&format!("/// {line}"));
            }
        }
    }

    fn item(&mut self, item: &Item) {
        self.doc(&item.doc);
        self.pad();
        if item.exported {
            self.out.push_str("export ");
        }
        match &item.kind {
            ItemKind::Const(c) => {
                let _ = write!(self.out, "const {}{} = ", c.name.name, opt_ty(&c.ty));
                self.expr(&c.value);
                self.out.push_str(";\n");
            }
            ItemKind::Global(g) => {
                self.let_text(&g.name, g.mutable, &g.ty, &g.value);
                self.out.push('\n');
            }
            ItemKind::Form(f) => {
                if f.fields.is_empty() {
                    let _ = writeln!(self.out, "form {} {{}}", f.name.name);
                    return;
                }
                let _ = writeln!(self.out, "form {} {{", f.name.name);
                self.indent += 1;
                for field in &f.fields {
                    self.doc(&field.doc);
                    self.line(&format!("{}: {},", field.name.name, ty(&field.ty)));
                }
                self.indent -= 1;
                self.line("}");
            }
            ItemKind::Pick(p) => {
                let _ = writeln!(self.out, "pick {} {{", p.name.name);
                self.indent += 1;
                for case in &p.cases {
                    self.doc(&case.doc);
                    let payload = if case.fields.is_empty() {
                        String::new()
                    } else {
                        let fields: Vec<String> = case
                            .fields
                            .iter()
                            .map(|f| format!("{}: {}", f.name.name, ty(&f.ty)))
                            .collect();
                        format!("({})", fields.join(", "))
                    };
                    self.line(&format!("case {}{payload},", case.name.name));
                }
                self.indent -= 1;
                self.line("}");
            }
            ItemKind::Proc(p) => {
                let params: Vec<String> = p
                    .params
                    .iter()
                    .map(|a| format!("{}: {}", a.name.name, ty(&a.ty)))
                    .collect();
                let ret = p
                    .ret
                    .as_ref()
                    .map(|t| format!(" -> {}", ty(t)))
                    .unwrap_or_default();
                let _ = write!(
                    self.out,
                    "proc {}({}){ret} ",
                    p.name.name,
                    params.join(", ")
                );
                self.block(&p.body);
                self.out.push('\n');
            }
            ItemKind::Error => self.out.push_str("<error item>\n"),
        }
    }

    fn let_text(
        &mut self,
        name: &Ident,
        mutable: bool,
        ty: &Option<TypeExpr>,
        value: &Option<Expr>,
    ) {
        let _ = write!(
            self.out,
            "let {}{}{}",
            if mutable { "mut " } else { "" },
            name.name,
            opt_ty(ty)
        );
        if let Some(value) = value {
            self.out.push_str(" = ");
            self.expr(value);
        }
        self.out.push(';');
    }

    /// Prints `{`, the statements on their own lines, and `}` (without a final newline).
    fn block(&mut self, block: &Block) {
        if block.stmts.is_empty() {
            self.out.push_str("{}");
            return;
        }
        self.out.push_str("{\n");
        self.indent += 1;
        for stmt in &block.stmts {
            self.stmt(stmt);
        }
        self.indent -= 1;
        self.pad();
        self.out.push('}');
    }

    fn stmt(&mut self, stmt: &Stmt) {
        self.pad();
        match &stmt.kind {
            StmtKind::Let {
                name,
                mutable,
                ty,
                value,
            } => self.let_text(name, *mutable, ty, value),
            StmtKind::Assign { target, op, value } => {
                self.out.push_str("set ");
                self.expr(target);
                let _ = write!(self.out, " {}= ", op.map(BinOp::symbol).unwrap_or(""));
                self.expr(value);
                self.out.push(';');
            }
            StmtKind::Expr(e) => {
                self.expr(e);
                self.out.push(';');
            }
            StmtKind::If {
                branches,
                else_block,
            } => {
                for (i, (cond, body)) in branches.iter().enumerate() {
                    self.out.push_str(if i == 0 { "if " } else { " elif " });
                    self.expr(cond);
                    self.out.push(' ');
                    self.block(body);
                }
                if let Some(body) = else_block {
                    self.out.push_str(" else ");
                    self.block(body);
                }
            }
            StmtKind::While { cond, body } => {
                self.out.push_str("while ");
                self.expr(cond);
                self.out.push(' ');
                self.block(body);
            }
            StmtKind::Loop { body } => {
                self.out.push_str("loop ");
                self.block(body);
            }
            StmtKind::ForRange {
                var,
                start,
                end,
                inclusive,
                body,
            } => {
                let _ = write!(self.out, "for {} in ", var.name);
                self.expr(start);
                self.out.push_str(if *inclusive { "..=" } else { ".." });
                self.expr(end);
                self.out.push(' ');
                self.block(body);
            }
            StmtKind::ForEach { var, iter, body } => {
                let _ = write!(self.out, "for {} in ", var.name);
                self.expr(iter);
                self.out.push(' ');
                self.block(body);
            }
            StmtKind::Break => self.out.push_str("break;"),
            StmtKind::Continue => self.out.push_str("continue;"),
            StmtKind::Give(value) => {
                self.out.push_str("give");
                if let Some(value) = value {
                    self.out.push(' ');
                    self.expr(value);
                }
                self.out.push(';');
            }
            StmtKind::Try { body, var, handler } => {
                self.out.push_str("try ");
                self.block(body);
                let _ = write!(self.out, " catch {} ", var.name);
                self.block(handler);
            }
            StmtKind::Throw(value) => {
                self.out.push_str("throw ");
                self.expr(value);
                self.out.push(';');
            }
            StmtKind::Block(block) => self.block(block),
            StmtKind::Error => self.out.push_str("<error>;"),
        }
        self.out.push('\n');
    }

    fn exprs(&mut self, exprs: &[Expr]) {
        for (i, e) in exprs.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.expr(e);
        }
    }

    fn expr(&mut self, expr: &Expr) {
        match &expr.kind {
            ExprKind::Int(v) => {
                let _ = write!(self.out, "{v}");
            }
            ExprKind::Float(v) => {
                let _ = write!(self.out, "{v:?}");
            }
            ExprKind::Str(s) => {
                let _ = write!(self.out, "{s:?}");
            }
            ExprKind::Bool(b) => {
                let _ = write!(self.out, "{b}");
            }
            ExprKind::Null => self.out.push_str("null"),
            ExprKind::Name(i) => self.out.push_str(&i.name),
            ExprKind::Field { base, name } => {
                self.expr(base);
                let _ = write!(self.out, ".{}", name.name);
            }
            ExprKind::Index { base, index } => {
                self.expr(base);
                self.out.push('[');
                self.expr(index);
                self.out.push(']');
            }
            ExprKind::Call { callee, args } => {
                self.expr(callee);
                self.out.push('(');
                self.exprs(args);
                self.out.push(')');
            }
            ExprKind::Unary { op, operand } => {
                self.out.push_str(match op {
                    UnOp::Neg => "(-",
                    UnOp::Not => "(not ",
                });
                self.expr(operand);
                self.out.push(')');
            }
            ExprKind::Binary { op, lhs, rhs } => {
                self.out.push('(');
                self.expr(lhs);
                let _ = write!(self.out, " {} ", op.symbol());
                self.expr(rhs);
                self.out.push(')');
            }
            ExprKind::Array(items) => {
                self.out.push('[');
                self.exprs(items);
                self.out.push(']');
            }
            ExprKind::Map(entries) => {
                self.out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.expr(k);
                    self.out.push_str(": ");
                    self.expr(v);
                }
                self.out.push('}');
            }
            ExprKind::FormLit { path, fields } => {
                let _ = write!(self.out, "{} {{", segments(path, "."));
                for (i, (name, value)) in fields.iter().enumerate() {
                    self.out.push_str(if i > 0 { ", " } else { " " });
                    let _ = write!(self.out, "{}: ", name.name);
                    self.expr(value);
                }
                self.out
                    .push_str(if fields.is_empty() { "}" } else { " }" });
            }
            ExprKind::Match { scrutinee, arms } => {
                self.out.push_str("match ");
                self.expr(scrutinee);
                self.out.push_str(" {\n");
                self.indent += 1;
                for arm in arms {
                    self.arm(arm);
                }
                self.indent -= 1;
                self.pad();
                self.out.push('}');
            }
            ExprKind::Spawn(call) => {
                self.out.push_str("spawn ");
                self.expr(call);
            }
            ExprKind::Paren(inner) => {
                self.out.push('(');
                self.expr(inner);
                self.out.push(')');
            }
            ExprKind::Error => self.out.push_str("<error>"),
        }
    }

    fn arm(&mut self, arm: &MatchArm) {
        self.pad();
        match &arm.pattern {
            Pattern::Else(_) => self.out.push_str("else"),
            pattern => {
                self.out.push_str("case ");
                self.out.push_str(&pattern_text(pattern));
            }
        }
        if let Some(guard) = &arm.guard {
            self.out.push_str(" if ");
            self.expr(guard);
        }
        match &arm.body {
            ArmBody::Expr(e) => {
                self.out.push_str(" => ");
                self.expr(e);
                self.out.push(';');
            }
            ArmBody::Block(b) => {
                self.out.push(' ');
                self.block(b);
            }
        }
        self.out.push('\n');
    }
}

fn pattern_text(pattern: &Pattern) -> String {
    match pattern {
        Pattern::Int(v, _) => v.to_string(),
        Pattern::Str(s, _) => format!("{s:?}"),
        Pattern::Bool(b, _) => b.to_string(),
        Pattern::Case { path, bindings, .. } if bindings.is_empty() => segments(path, "."),
        Pattern::Case { path, bindings, .. } => {
            format!("{}({})", segments(path, "."), segments(bindings, ", "))
        }
        Pattern::Else(_) => "_".to_string(),
        Pattern::Error(_) => "<error>".to_string(),
    }
}

fn opt_ty(t: &Option<TypeExpr>) -> String {
    t.as_ref()
        .map(|t| format!(": {}", ty(t)))
        .unwrap_or_default()
}

/// Renders a type as written.
pub fn ty(t: &TypeExpr) -> String {
    match t {
        TypeExpr::Named { path, args, .. } if args.is_empty() => segments(path, "."),
        TypeExpr::Named { path, args, .. } => {
            let args: Vec<String> = args.iter().map(ty).collect();
            format!("{}[{}]", segments(path, "."), args.join(", "))
        }
        TypeExpr::Array { elem, .. } => format!("[{}]", ty(elem)),
        TypeExpr::Nullable { inner, .. } => format!("?{}", ty(inner)),
        TypeExpr::Error { .. } => "<error>".to_string(),
    }
}
