//! What the parser knows that the token stream alone does not: the role of every bracket, where each
//! item, statement and match arm starts, and which `-` is a negation.
//!
//! [`analyze`] walks the syntax tree once, with an explicit work list rather than recursion (an operator
//! chain may be thousands of nodes deep), and records its findings by the byte offset of the token they
//! are about. The layout then never has to guess whether a `{` opens a block or a map literal, or
//! whether a `(` is a call or a parenthesised expression.

use std::collections::{HashMap, HashSet};

use super::tokens::CodeToken;
use crate::ast::{
    ArmBody, Block, Expr, ExprKind, File, Ident, Item, ItemKind, Pattern, Stmt, StmtKind, TypeExpr,
};
use crate::lexer::TokenKind;

/// What an opening bracket opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Role {
    /// `{` of a statement block (a procedure body, `if`, `while`, `for`, `loop`, `try`, `catch`, a
    /// nested block, a `case P { … }` arm): one statement per line.
    Block,
    /// `{` of a `match`: one arm per line.
    Arms,
    /// `{` of a `form` or `pick` declaration: a comma list written `{ x: int }` on one line.
    Fields,
    /// `{` of a form literal: a comma list written `Point { x: 1 }` on one line.
    FormLiteral,
    /// Any other comma list: arguments, parameters, a case payload, pattern bindings, an array or map
    /// literal, type arguments.
    List,
    /// Brackets around a single thing: a parenthesised expression, an index, an array type.
    Group,
}

impl Role {
    /// Whether the bracket holds statements or arms, one per line.
    pub fn holds_units(self) -> bool {
        matches!(self, Role::Block | Role::Arms)
    }

    /// Whether the bracket holds a comma-separated list (where a trailing comma is allowed).
    pub fn is_comma_list(self) -> bool {
        matches!(self, Role::Fields | Role::FormLiteral | Role::List)
    }

    /// Whether a one-line list has spaces inside its braces (`Point { x: 1 }`, not `{"a": 1}`).
    pub fn spaced(self) -> bool {
        matches!(self, Role::Fields | Role::FormLiteral)
    }
}

/// An opening bracket's role and how it sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Opener {
    /// What it opens.
    pub role: Role,
    /// It follows what it applies to without a space: a call's `(`, an index's `[`, `Map[`.
    pub attached: bool,
    /// It belongs to a statement or item rather than to an expression (a block, or the arms of a
    /// `match` statement): its closing brace lines up with the start of that statement.
    pub statement: bool,
}

impl Opener {
    /// A bracket the syntax tree says nothing about: a parenthesised expression or an array type.
    pub fn group() -> Opener {
        Opener {
            role: Role::Group,
            attached: false,
            statement: false,
        }
    }
}

/// Everything [`analyze`] found, by byte offset of the token concerned.
#[derive(Debug, Default)]
pub(super) struct Structure {
    /// Opening brackets with a known role.
    pub openers: HashMap<u32, Opener>,
    /// First tokens of items, `use` declarations, statements and match arms.
    pub unit_starts: HashSet<u32>,
    /// `-`, `!` and `not` tokens that are prefix operators.
    pub unary: HashSet<u32>,
}

enum Node<'a> {
    Item(&'a Item),
    Block(&'a Block),
    Stmt(&'a Stmt),
    Expr(&'a Expr, bool),
    Type(&'a TypeExpr),
    Pattern(&'a Pattern),
}

struct Walker<'a> {
    tokens: &'a [CodeToken],
    found: Structure,
    work: Vec<Node<'a>>,
}

/// Walks `file` (parsed from the text `tokens` came from).
pub(super) fn analyze(file: &File, tokens: &[CodeToken]) -> Structure {
    let mut walker = Walker {
        tokens,
        found: Structure::default(),
        work: Vec::new(),
    };
    for token in tokens {
        if token.kind == TokenKind::Space {
            walker.found.unit_starts.insert(token.start);
        }
    }
    for use_decl in &file.uses {
        walker.found.unit_starts.insert(use_decl.span.start);
    }
    for item in file.items.iter().rev() {
        walker.work.push(Node::Item(item));
    }
    while let Some(node) = walker.work.pop() {
        match node {
            Node::Item(item) => walker.item(item),
            Node::Block(block) => walker.block(block),
            Node::Stmt(stmt) => walker.stmt(stmt),
            Node::Expr(expr, statement) => walker.expr(expr, statement),
            Node::Type(ty) => walker.ty(ty),
            Node::Pattern(pattern) => walker.pattern(pattern),
        }
    }
    walker.found
}

impl<'a> Walker<'a> {
    /// The first token starting at or after `offset`.
    fn token_from(&self, offset: u32) -> Option<&'a CodeToken> {
        let index = self.tokens.partition_point(|t| t.start < offset);
        self.tokens.get(index)
    }

    /// Records the bracket `kind` that is the first token at or after `offset`, if it is one.
    fn opener_after(&mut self, offset: u32, kind: TokenKind, opener: Opener) {
        if let Some(token) = self.token_from(offset)
            && token.kind == kind
        {
            self.found.openers.insert(token.start, opener);
        }
    }

    /// Records the bracket `kind` starting exactly at `offset`.
    fn opener_at(&mut self, offset: u32, kind: TokenKind, opener: Opener) {
        if let Some(token) = self.token_from(offset)
            && token.start == offset
            && token.kind == kind
        {
            self.found.openers.insert(offset, opener);
        }
    }

    fn list(attached: bool) -> Opener {
        Opener {
            role: Role::List,
            attached,
            statement: false,
        }
    }

    fn end_of_path(path: &[Ident]) -> Option<u32> {
        path.last().map(|ident| ident.span.end)
    }

    fn item(&mut self, item: &'a Item) {
        self.found.unit_starts.insert(item.span.start);
        let fields = Opener {
            role: Role::Fields,
            attached: false,
            statement: false,
        };
        match &item.kind {
            ItemKind::Const(decl) => {
                self.work.push(Node::Expr(&decl.value, false));
                self.work.extend(decl.ty.as_ref().map(Node::Type));
            }
            ItemKind::Global(decl) => {
                self.work
                    .extend(decl.value.as_ref().map(|e| Node::Expr(e, false)));
                self.work.extend(decl.ty.as_ref().map(Node::Type));
            }
            ItemKind::Form(decl) => {
                self.opener_after(decl.name.span.end, TokenKind::LBrace, fields);
                self.work
                    .extend(decl.fields.iter().map(|field| Node::Type(&field.ty)));
            }
            ItemKind::Pick(decl) => {
                self.opener_after(decl.name.span.end, TokenKind::LBrace, fields);
                for case in &decl.cases {
                    self.opener_after(case.name.span.end, TokenKind::LParen, Self::list(true));
                    self.work
                        .extend(case.fields.iter().map(|field| Node::Type(&field.ty)));
                }
            }
            ItemKind::Proc(decl) => {
                self.opener_after(decl.name.span.end, TokenKind::LParen, Self::list(true));
                self.work.push(Node::Block(&decl.body));
                self.work.extend(decl.ret.as_ref().map(Node::Type));
                self.work
                    .extend(decl.params.iter().map(|param| Node::Type(&param.ty)));
            }
            ItemKind::Error => {}
        }
    }

    fn block(&mut self, block: &'a Block) {
        let opener = Opener {
            role: Role::Block,
            attached: false,
            statement: true,
        };
        self.opener_at(block.span.start, TokenKind::LBrace, opener);
        for stmt in block.stmts.iter().rev() {
            self.work.push(Node::Stmt(stmt));
        }
    }

    fn stmt(&mut self, stmt: &'a Stmt) {
        self.found.unit_starts.insert(stmt.span.start);
        match &stmt.kind {
            StmtKind::Let { ty, value, .. } => {
                self.work
                    .extend(value.as_ref().map(|e| Node::Expr(e, false)));
                self.work.extend(ty.as_ref().map(Node::Type));
            }
            StmtKind::Assign { target, value, .. } => {
                self.work.push(Node::Expr(value, false));
                self.work.push(Node::Expr(target, false));
            }
            StmtKind::Expr(expr) => {
                let statement = expr.span.start == stmt.span.start;
                self.work.push(Node::Expr(expr, statement));
            }
            StmtKind::If {
                branches,
                else_block,
            } => {
                self.work.extend(else_block.as_ref().map(Node::Block));
                for (cond, body) in branches.iter().rev() {
                    self.work.push(Node::Block(body));
                    self.work.push(Node::Expr(cond, false));
                }
            }
            StmtKind::While { cond, body } => {
                self.work.push(Node::Block(body));
                self.work.push(Node::Expr(cond, false));
            }
            StmtKind::Loop { body } | StmtKind::Block(body) => self.work.push(Node::Block(body)),
            StmtKind::ForRange {
                start, end, body, ..
            } => {
                self.work.push(Node::Block(body));
                self.work.push(Node::Expr(end, false));
                self.work.push(Node::Expr(start, false));
            }
            StmtKind::ForEach { iter, body, .. } => {
                self.work.push(Node::Block(body));
                self.work.push(Node::Expr(iter, false));
            }
            StmtKind::Give(value) => {
                self.work
                    .extend(value.as_ref().map(|e| Node::Expr(e, false)));
            }
            StmtKind::Throw(value) => self.work.push(Node::Expr(value, false)),
            StmtKind::Try { body, handler, .. } => {
                self.work.push(Node::Block(handler));
                self.work.push(Node::Block(body));
            }
            StmtKind::Break | StmtKind::Continue | StmtKind::Error => {}
        }
    }

    /// `statement`: the expression is a whole statement (only matters for a `match`).
    fn expr(&mut self, expr: &'a Expr, statement: bool) {
        match &expr.kind {
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Str(_)
            | ExprKind::Bool(_)
            | ExprKind::Null
            | ExprKind::Name(_)
            | ExprKind::Error => {}
            ExprKind::Field { base, .. } => self.work.push(Node::Expr(base, false)),
            ExprKind::Index { base, index } => {
                let opener = Opener {
                    role: Role::Group,
                    attached: true,
                    statement: false,
                };
                self.opener_after(base.span.end, TokenKind::LBracket, opener);
                self.work.push(Node::Expr(index, false));
                self.work.push(Node::Expr(base, false));
            }
            ExprKind::Call { callee, args } => {
                self.opener_after(callee.span.end, TokenKind::LParen, Self::list(true));
                self.work
                    .extend(args.iter().map(|arg| Node::Expr(arg, false)));
                self.work.push(Node::Expr(callee, false));
            }
            ExprKind::Unary { operand, .. } => {
                self.found.unary.insert(expr.span.start);
                self.work.push(Node::Expr(operand, false));
            }
            ExprKind::Binary { lhs, rhs, .. } => {
                self.work.push(Node::Expr(rhs, false));
                self.work.push(Node::Expr(lhs, false));
            }
            ExprKind::Array(elements) => {
                self.opener_at(expr.span.start, TokenKind::LBracket, Self::list(false));
                self.work
                    .extend(elements.iter().map(|element| Node::Expr(element, false)));
            }
            ExprKind::Map(entries) => {
                self.opener_at(expr.span.start, TokenKind::LBrace, Self::list(false));
                for (key, value) in entries {
                    self.work.push(Node::Expr(key, false));
                    self.work.push(Node::Expr(value, false));
                }
            }
            ExprKind::FormLit { path, fields } => {
                if let Some(end) = Self::end_of_path(path) {
                    let opener = Opener {
                        role: Role::FormLiteral,
                        attached: false,
                        statement: false,
                    };
                    self.opener_after(end, TokenKind::LBrace, opener);
                }
                self.work
                    .extend(fields.iter().map(|(_, value)| Node::Expr(value, false)));
            }
            ExprKind::Match { scrutinee, arms } => {
                let opener = Opener {
                    role: Role::Arms,
                    attached: false,
                    statement,
                };
                self.opener_after(scrutinee.span.end, TokenKind::LBrace, opener);
                for arm in arms.iter().rev() {
                    self.found.unit_starts.insert(arm.span.start);
                    match &arm.body {
                        ArmBody::Block(block) => self.work.push(Node::Block(block)),
                        ArmBody::Expr(value) => self.work.push(Node::Expr(value, false)),
                    }
                    self.work
                        .extend(arm.guard.as_ref().map(|guard| Node::Expr(guard, false)));
                    self.work.push(Node::Pattern(&arm.pattern));
                }
                self.work.push(Node::Expr(scrutinee, false));
            }
            ExprKind::Spawn(inner) | ExprKind::Paren(inner) => {
                self.work.push(Node::Expr(inner, false));
            }
        }
    }

    fn ty(&mut self, ty: &'a TypeExpr) {
        match ty {
            TypeExpr::Named { path, args, .. } => {
                if let Some(end) = Self::end_of_path(path) {
                    self.opener_after(end, TokenKind::LBracket, Self::list(true));
                }
                self.work.extend(args.iter().map(Node::Type));
            }
            TypeExpr::Array { elem, .. } => self.work.push(Node::Type(elem)),
            TypeExpr::Nullable { inner, .. } => self.work.push(Node::Type(inner)),
            TypeExpr::Error { .. } => {}
        }
    }

    fn pattern(&mut self, pattern: &'a Pattern) {
        match pattern {
            Pattern::Int(_, span) => {
                if self
                    .token_from(span.start)
                    .is_some_and(|t| t.start == span.start && t.kind == TokenKind::Minus)
                {
                    self.found.unary.insert(span.start);
                }
            }
            Pattern::Case { path, span, .. } => {
                if let Some(end) = Self::end_of_path(path)
                    && self
                        .token_from(end)
                        .is_some_and(|t| t.start < span.end && t.kind == TokenKind::LParen)
                {
                    self.opener_after(end, TokenKind::LParen, Self::list(true));
                }
            }
            Pattern::Str(..) | Pattern::Bool(..) | Pattern::Else(_) | Pattern::Error(_) => {}
        }
    }
}
