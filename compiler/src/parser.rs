//! The parser: tokens to a syntax tree ([`File`](crate::ast::File)), with error recovery.
//!
//! [`parse_file`] never fails. It reports every syntax error once and keeps going, so that a file with
//! three separate mistakes gets three diagnostics. [`parse_expression`] parses one expression with the
//! same grammar (a debugger's watch or console input). The recovery works like this:
//!
//! - After an error the parser is *panicking*: further errors are suppressed until it reaches a point
//!   where it knows where it is again. Statements re-synchronise after a `;`, before a `}`, or before a
//!   statement keyword that starts a line; items re-synchronise before an item keyword; entering a `{ … }`
//!   block and the next `case` of a `match` also end the panic.
//! - Comma-separated lists (arguments, fields, parameters, …) skip a bad element up to the next `,` or
//!   the closing bracket, skipping nested brackets as a whole.
//! - A missing `;` at the end of a line is reported just after the previous token and needs no skipping.
//! - Every loop consumes a token or exits, and nesting is limited to [`MAX_NESTING`] levels (deeper input
//!   is reported as an error), so no input makes the parser loop forever or overflow the stack.
//!
//! Grammar notes (see the language reference for the full syntax):
//! - Form literals (`Point { x: 1.0 }`) and map literals (`{k: v}`) are not allowed directly in the head
//!   of an `if`, `elif`, `while`, `for`, `match` or a match guard, so that `if x == y {` starts the block;
//!   parenthesised they are.
//! - A `{` at the start of a statement is a block; at the start of an expression it is a map literal.
//! - A `match` at the start of a statement ends at its `}` (a `;` after it is allowed, not needed).
//! - `-9223372036854775808` is accepted as the negation of a literal whose value wrapped to `i64::MIN`.
//!
//! Some common slips get a specific message and are then parsed as what was meant, so they cost one
//! diagnostic and nothing else: a form literal in a head without parentheses, `case P => { … }` (an arm
//! that runs statements is written `case P { … }`), `pub` for `export`, a return type without `->`,
//! `use lib/a.vit`, single-quoted strings, a single `&` or `|`.

use crate::ast::{
    ArmBody, BinOp, Block, CaseDecl, ConstDecl, Expr, ExprKind, FieldDecl, File, FormDecl,
    GlobalDecl, Ident, Item, ItemKind, MatchArm, Param, Pattern, PickDecl, ProcDecl, Stmt,
    StmtKind, TreeDepth, TypeExpr, UnOp, Use,
};
use crate::diagnostics::Diagnostic;
use crate::lexer::{self, INT_LITERAL_LIMIT, Token, TokenKind};
use crate::source::{FileId, Span};

/// The deepest nesting of expressions, blocks and types the parser accepts; deeper input is reported
/// as `nested too deeply` (this keeps every later pass, which walks the tree recursively, within its
/// stack).
pub const MAX_NESTING: u32 = 128;

/// The longest chain of binary operators or postfix operations (`a + b + …`, `f(x)(y)…`, `a.b.c…`) one
/// expression may have; a chain is long rather than deep, so it has its own, larger, limit.
pub const MAX_CHAIN: u32 = 4096;

/// Parses one file. Never fails: the tree keeps `Error` nodes where the text could not be parsed, and
/// the diagnostics (lexical and syntax errors, in source order) say what was wrong.
pub fn parse_file(file: FileId, text: &str) -> (File, Vec<Diagnostic>) {
    let (mut parser, mut diagnostics) = Parser::for_text(file, text);
    let ast = parser.file();
    diagnostics.extend(parser.diags);
    diagnostics.sort_by_key(|d| d.span.start);
    (ast, diagnostics)
}

/// Parses `text` as one expression (the whole text: tokens after it are an error), as a debugger's
/// watch or console expression. Spans are in file `FileId(0)`. Never fails: an expression that could
/// not be parsed comes back with `Error` nodes and at least one diagnostic.
pub fn parse_expression(text: &str) -> (Expr, Vec<Diagnostic>) {
    let (mut parser, mut diagnostics) = Parser::for_text(FileId(0), text);
    let expr = parser.expr(true);
    if !parser.at_eof() {
        let message = format!(
            "expected the end of the expression, found {}",
            parser.peek().describe()
        );
        parser.error(parser.here(), message);
    }
    diagnostics.extend(parser.diags);
    diagnostics.sort_by_key(|d| d.span.start);
    (expr, diagnostics)
}

struct Parser<'a> {
    file: FileId,
    text: &'a str,
    /// The tokens without doc comments; never empty, the last is `Eof`.
    tokens: Vec<Token>,
    /// The doc comment lines just before each token, joined with `\n`.
    docs: Vec<Option<String>>,
    /// Tokens after which the parser starts panicking (an unterminated string).
    broken: Vec<bool>,
    pos: usize,
    diags: Vec<Diagnostic>,
    panicking: bool,
    depth: u32,
    /// The deepest nesting and longest chain met so far.
    deepest: TreeDepth,
}

/// Binding power of a binary operator: `or` 1, `and` 2, comparisons 3, `+ -` 4, `* / %` 5.
fn binary_op(kind: &TokenKind) -> Option<(BinOp, u8)> {
    use TokenKind as T;
    Some(match kind {
        T::Or | T::OrOr => (BinOp::Or, 1),
        T::And | T::AndAnd => (BinOp::And, 2),
        T::EqEq => (BinOp::Eq, 3),
        T::NotEq => (BinOp::Ne, 3),
        T::Lt => (BinOp::Lt, 3),
        T::Le => (BinOp::Le, 3),
        T::Gt => (BinOp::Gt, 3),
        T::Ge => (BinOp::Ge, 3),
        T::Plus => (BinOp::Add, 4),
        T::Minus => (BinOp::Sub, 4),
        T::Star => (BinOp::Mul, 5),
        T::Slash => (BinOp::Div, 5),
        T::Percent => (BinOp::Rem, 5),
        _ => return None,
    })
}

/// The operator of a compound assignment token (`+=` is `Add`).
fn compound_op(kind: &TokenKind) -> Option<BinOp> {
    use TokenKind as T;
    Some(match kind {
        T::PlusEq => BinOp::Add,
        T::MinusEq => BinOp::Sub,
        T::StarEq => BinOp::Mul,
        T::SlashEq => BinOp::Div,
        T::PercentEq => BinOp::Rem,
        _ => return None,
    })
}

/// Keywords that only start a top-level declaration.
fn is_item_keyword(kind: &TokenKind) -> bool {
    use TokenKind as T;
    matches!(
        kind,
        T::Proc
            | T::Fn
            | T::Form
            | T::Struct
            | T::Pick
            | T::Enum
            | T::Const
            | T::Export
            | T::Use
            | T::Space
    )
}

/// Keywords that start a statement.
fn is_stmt_keyword(kind: &TokenKind) -> bool {
    use TokenKind as T;
    matches!(
        kind,
        T::Let
            | T::Set
            | T::If
            | T::While
            | T::Loop
            | T::For
            | T::Break
            | T::Continue
            | T::Give
            | T::Return
            | T::Match
            | T::Try
            | T::Throw
    )
}

/// Whether `expr` is a plain or qualified name (`Point`, `geo.Point`), which a `{` can turn into a form
/// literal.
fn is_path(mut expr: &Expr) -> bool {
    loop {
        match &expr.kind {
            ExprKind::Name(_) => return true,
            ExprKind::Field { base, .. } => expr = base,
            _ => return false,
        }
    }
}

/// The segments of a path expression (see [`is_path`]).
fn path_segments(mut expr: &Expr) -> Vec<Ident> {
    let mut segments = Vec::new();
    loop {
        match &expr.kind {
            ExprKind::Name(ident) => {
                segments.push(ident.clone());
                break;
            }
            ExprKind::Field { base, name } => {
                segments.push(name.clone());
                expr = base;
            }
            _ => break,
        }
    }
    segments.reverse();
    segments
}

impl<'a> Parser<'a> {
    /// A parser over `text` and the lexical diagnostics of it.
    fn for_text(file: FileId, text: &'a str) -> (Parser<'a>, Vec<Diagnostic>) {
        let (tokens, diagnostics) = lexer::lex(file, text);
        let mut parser = Parser::new(file, text, tokens);
        // A string whose lexical error is its opening quote is unterminated: what follows it on its
        // line was swallowed, so errors right after it would only repeat that one.
        for diagnostic in &diagnostics {
            let start = diagnostic.span.start;
            let at_quote = diagnostic.span.end == start + 1
                && text.as_bytes().get(start as usize) == Some(&b'"');
            if let Ok(index) = parser.tokens.binary_search_by_key(&start, |t| t.span.start)
                && at_quote
                && matches!(parser.tokens[index].kind, TokenKind::Str(_))
            {
                parser.broken[index] = true;
            }
        }
        (parser, diagnostics)
    }

    fn new(file: FileId, text: &'a str, raw: Vec<Token>) -> Parser<'a> {
        let mut tokens = Vec::with_capacity(raw.len());
        let mut docs = Vec::with_capacity(raw.len());
        let mut pending: Vec<String> = Vec::new();
        for token in raw {
            if let TokenKind::DocComment(line) = token.kind {
                pending.push(line);
                continue;
            }
            docs.push(if pending.is_empty() {
                None
            } else {
                Some(pending.join("\n"))
            });
            pending.clear();
            tokens.push(token);
        }
        if tokens.last().is_none_or(|t| t.kind != TokenKind::Eof) {
            let end = text.len() as u32;
            tokens.push(Token {
                kind: TokenKind::Eof,
                span: Span::new(file, end, end),
            });
            docs.push(None);
        }
        let broken = vec![false; tokens.len()];
        Parser {
            file,
            text,
            tokens,
            docs,
            broken,
            pos: 0,
            diags: Vec::new(),
            panicking: false,
            depth: 0,
            deepest: TreeDepth::default(),
        }
    }

    // ----- token access -----

    fn token_at(&self, index: usize) -> &Token {
        let last = self.tokens.len().saturating_sub(1);
        &self.tokens[index.min(last)]
    }

    fn tok(&self) -> &Token {
        self.token_at(self.pos)
    }

    fn peek(&self) -> &TokenKind {
        &self.tok().kind
    }

    fn peek_nth(&self, n: usize) -> &TokenKind {
        &self.token_at(self.pos + n).kind
    }

    fn here(&self) -> Span {
        self.tok().span
    }

    fn at(&self, kind: &TokenKind) -> bool {
        self.peek() == kind
    }

    fn at_eof(&self) -> bool {
        self.at(&TokenKind::Eof)
    }

    /// Consumes the current token (never the final `Eof`) and gives its span.
    fn bump(&mut self) -> Span {
        let span = self.here();
        if self.pos + 1 < self.tokens.len() {
            if self.broken.get(self.pos).copied().unwrap_or(false) {
                self.panicking = true;
            }
            self.pos += 1;
        }
        span
    }

    fn eat(&mut self, kind: &TokenKind) -> bool {
        if self.at(kind) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn prev_end(&self) -> u32 {
        if self.pos == 0 {
            0
        } else {
            self.token_at(self.pos - 1).span.end
        }
    }

    fn prev_kind(&self) -> Option<&TokenKind> {
        if self.pos == 0 {
            None
        } else {
            Some(&self.token_at(self.pos - 1).kind)
        }
    }

    /// A span from `start` to the end of the last consumed token.
    fn span_from(&self, start: u32) -> Span {
        Span::new(self.file, start, self.prev_end().max(start))
    }

    /// An empty span just after the previous token.
    fn after_prev(&self) -> Span {
        let end = self.prev_end();
        Span::new(self.file, end, end)
    }

    /// Whether a line break separates the previous token from the current one.
    fn on_new_line(&self) -> bool {
        let from = self.prev_end() as usize;
        let to = self.here().start as usize;
        self.pos > 0
            && self
                .text
                .get(from..to)
                .is_some_and(|between| between.contains('\n'))
    }

    /// Where to report something missing before the current token: just after the previous token when
    /// the current one is on a later line (or is the end of the file), else the current token.
    fn missing_at(&self) -> Span {
        if self.on_new_line() || (self.at_eof() && self.pos > 0) {
            self.after_prev()
        } else {
            self.here()
        }
    }

    fn doc_here(&self) -> Option<String> {
        self.docs.get(self.pos).cloned().flatten()
    }

    // ----- diagnostics -----

    /// Reports a syntax error and starts panicking (unless already panicking, then it is dropped).
    fn error(&mut self, span: Span, message: impl Into<String>) {
        if !self.panicking {
            self.diags.push(Diagnostic::error(span, message));
            self.panicking = true;
        }
    }

    /// Reports an error after which parsing can go on normally (dropped while panicking).
    fn report(&mut self, span: Span, message: impl Into<String>) {
        if !self.panicking {
            self.diags.push(Diagnostic::error(span, message));
        }
    }

    /// `expected WHAT`, with `, found keyword 'x'` when a keyword is in the way.
    fn expected_message(&self, what: &str) -> String {
        match self.peek().keyword_text() {
            Some(word) => format!("expected {what}, found keyword '{word}'"),
            None => format!("expected {what}"),
        }
    }

    fn expect(&mut self, kind: &TokenKind, what: &str) -> bool {
        if self.eat(kind) {
            return true;
        }
        let message = self.expected_message(what);
        self.error(self.missing_at(), message);
        false
    }

    /// Expects the `;` that ends a statement; a missing one is reported just after the previous token.
    fn expect_semi(&mut self, after: &str) {
        if self.eat(&TokenKind::Semi) {
            return;
        }
        let message = format!("expected ';' after {after}");
        if self.on_new_line() || self.at(&TokenKind::RBrace) || self.at_eof() {
            self.report(self.after_prev(), message);
        } else {
            self.error(self.after_prev(), message);
        }
    }

    /// A name, or an error `expected WHAT`.
    fn name(&mut self, what: &str) -> Option<Ident> {
        if let TokenKind::Ident(name) = self.peek() {
            let ident = Ident {
                name: name.clone(),
                span: self.here(),
            };
            self.bump();
            return Some(ident);
        }
        let message = self.expected_message(what);
        self.error(self.missing_at(), message);
        None
    }

    // ----- nesting and skipping -----

    fn enter(&mut self) -> bool {
        if self.depth >= MAX_NESTING {
            return false;
        }
        self.depth += 1;
        self.deepest.nesting = self.deepest.nesting.max(self.depth);
        true
    }

    /// Counts one more link of a chain of operators, `chain` being the links so far; false (and a
    /// report) when the chain is too long.
    fn extend_chain(&mut self, chain: &mut u32) -> bool {
        *chain += 1;
        if *chain > MAX_CHAIN {
            self.too_long();
            return false;
        }
        self.deepest.chain = self.deepest.chain.max(*chain);
        true
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Reports input nested deeper than [`MAX_NESTING`] and skips the construct at the current token.
    fn too_deep(&mut self) -> Span {
        self.limit_exceeded(format!(
            "this is nested too deeply (the limit is {MAX_NESTING} levels)"
        ))
    }

    /// Reports an operator chain longer than [`MAX_CHAIN`] and skips the construct at the current token.
    fn too_long(&mut self) -> Span {
        self.limit_exceeded(format!(
            "this expression is too long (the limit is {MAX_CHAIN} operations in a row)"
        ))
    }

    fn limit_exceeded(&mut self, message: String) -> Span {
        let span = self.here();
        self.error(span, message);
        self.skip_balanced_one();
        span
    }

    /// Skips one token, or a whole bracketed group when the current token opens one. Stops early at the
    /// end of the file and before a keyword that only starts an item.
    fn skip_balanced_one(&mut self) {
        use TokenKind as T;
        let opens = |kind: &TokenKind| matches!(kind, T::LParen | T::LBracket | T::LBrace);
        let closes = |kind: &TokenKind| matches!(kind, T::RParen | T::RBracket | T::RBrace);
        if !opens(self.peek()) {
            self.bump();
            return;
        }
        let mut depth = 0usize;
        loop {
            let kind = self.peek();
            if *kind == T::Eof || (depth > 0 && is_item_keyword(kind)) {
                return;
            }
            if opens(kind) {
                depth += 1;
            } else if closes(kind) {
                depth = depth.saturating_sub(1);
            }
            self.bump();
            if depth == 0 {
                return;
            }
        }
    }

    /// After an error in a statement: skip to a point where the next statement can start, then stop
    /// panicking. Stays panicking at the end of the file (so an unclosed block is not reported again).
    fn sync_stmt(&mut self) {
        use TokenKind as T;
        if matches!(self.prev_kind(), Some(T::Semi | T::RBrace)) {
            self.panicking = false;
            return;
        }
        loop {
            match self.peek() {
                T::Eof => return,
                T::Semi => {
                    self.bump();
                    break;
                }
                T::RBrace => break,
                kind if is_item_keyword(kind) => break,
                kind if is_stmt_keyword(kind) && self.on_new_line() => break,
                T::LBrace => {
                    self.skip_balanced_one();
                    let continues = matches!(self.peek(), T::Else | T::Elif | T::Catch | T::Semi);
                    if self.on_new_line() && !continues {
                        break;
                    }
                }
                _ => self.skip_balanced_one(),
            }
        }
        self.panicking = false;
    }

    /// After an error at top level: skip to the next item keyword (a `let` only outside braces).
    fn sync_top(&mut self) {
        use TokenKind as T;
        let mut depth = 0usize;
        loop {
            match self.peek() {
                T::Eof => break,
                kind if is_item_keyword(kind) => break,
                T::Let if depth == 0 => break,
                T::LBrace => depth += 1,
                T::RBrace => depth = depth.saturating_sub(1),
                _ => {}
            }
            self.bump();
        }
        self.panicking = false;
    }

    /// Whether a list closed by `close` must end here: at the end of the file, a `;`, a `}` that is not
    /// its own, a keyword that starts an item or a statement (other than `match`), or one of `extra`.
    fn list_stop(&self, close: &TokenKind, extra: &[TokenKind]) -> bool {
        use TokenKind as T;
        let kind = self.peek();
        match kind {
            T::Eof | T::Semi => true,
            T::RBrace => *close != T::RBrace,
            T::Match => false,
            _ => is_item_keyword(kind) || is_stmt_keyword(kind) || extra.contains(kind),
        }
    }

    /// Parses `elem (, elem)* ,? close` after the opening bracket, recovering from bad elements.
    fn comma_list<T>(
        &mut self,
        close: &TokenKind,
        extra_stop: &[TokenKind],
        mut elem: impl FnMut(&mut Self) -> Option<T>,
    ) -> Vec<T> {
        let close_text = close.describe();
        let mut out = Vec::new();
        loop {
            if self.eat(close) {
                break;
            }
            if self.list_stop(close, extra_stop) {
                let message = self.expected_message(&close_text);
                self.error(self.missing_at(), message);
                break;
            }
            if let Some(item) = elem(self) {
                out.push(item);
            }
            if self.eat(&TokenKind::Comma) || self.at(close) || self.list_stop(close, extra_stop) {
                continue;
            }
            let message = self.expected_message(&format!("',' or {close_text}"));
            self.error(self.missing_at(), message);
            while !(self.at(&TokenKind::Comma)
                || self.at(close)
                || self.list_stop(close, extra_stop))
            {
                self.skip_balanced_one();
            }
            self.eat(&TokenKind::Comma);
        }
        out
    }

    // ----- file and items -----

    fn file(&mut self) -> File {
        let mut space = None;
        let mut uses = Vec::new();
        let mut items = Vec::new();
        let mut first = true;
        loop {
            if self.panicking {
                self.sync_top();
            }
            let start = self.pos;
            match self.peek() {
                TokenKind::Eof => break,
                TokenKind::Space => {
                    let (segments, span) = self.space_decl();
                    if !first {
                        self.report(span, "'space' must be the first declaration of the file");
                    } else if !segments.is_empty() {
                        space = Some(segments);
                    }
                }
                TokenKind::Use => uses.extend(self.use_decl()),
                _ => items.push(self.item()),
            }
            first = false;
            if self.pos == start {
                self.bump();
            }
        }
        File {
            file: self.file,
            space,
            uses,
            items,
            depth: self.deepest,
        }
    }

    /// `space a/b/c [;]`.
    fn space_decl(&mut self) -> (Vec<Ident>, Span) {
        let start = self.bump().start;
        let mut segments = Vec::new();
        while let Some(ident) = self.name("a module name after 'space'") {
            segments.push(ident);
            if !self.eat(&TokenKind::Slash) {
                break;
            }
        }
        self.eat(&TokenKind::Semi);
        (segments, self.span_from(start))
    }

    /// `use a/b [as c] [;]`; `..` segments go up one folder.
    fn use_decl(&mut self) -> Option<Use> {
        let start = self.bump().start;
        let mut path = Vec::new();
        let mut ok = true;
        loop {
            if self.at(&TokenKind::DotDot) {
                path.push(Ident {
                    name: "..".to_string(),
                    span: self.bump(),
                });
            } else if let Some(ident) = self.name("a file name after 'use'") {
                path.push(ident);
            } else {
                ok = false;
                break;
            }
            if !self.eat(&TokenKind::Slash) {
                break;
            }
        }
        if self.at(&TokenKind::Dot)
            && matches!(self.peek_nth(1), TokenKind::Ident(ext) if ext == "vit")
        {
            let dot = self.bump();
            let span = dot.to(self.bump());
            self.report(
                span,
                "write the path without '.vit': 'use lib/strings' loads lib/strings.vit",
            );
        }
        let alias = if self.eat(&TokenKind::As) {
            self.name("an alias after 'as'")
        } else {
            None
        };
        if ok && path.last().is_some_and(|segment| segment.name == "..") {
            self.error(self.missing_at(), "expected a file name after '..'");
            ok = false;
        }
        self.eat(&TokenKind::Semi);
        let span = self.span_from(start);
        ok.then_some(Use { path, alias, span })
    }

    fn item(&mut self) -> Item {
        use TokenKind as T;
        let doc = self.doc_here();
        let start = self.here().start;
        let mut exported = self.eat(&T::Export);
        if !exported
            && matches!(self.peek(), T::Ident(word) if word == "pub")
            && is_item_start(self.peek_nth(1))
        {
            self.report(self.here(), "'pub' is not a Vitte keyword; write 'export'");
            self.bump();
            exported = true;
        }
        let kind = match self.peek() {
            T::Const => self.const_decl(),
            T::Let => self.global_decl(),
            T::Form | T::Struct => self.form_decl(),
            T::Pick | T::Enum => self.pick_decl(),
            T::Proc | T::Fn => self.proc_decl(),
            T::RBrace if !exported => {
                self.error(self.here(), "unexpected '}': no block is open here");
                ItemKind::Error
            }
            _ => {
                let what = if exported {
                    "an item after 'export'"
                } else {
                    "an item ('proc', 'form', 'pick', 'const' or 'let')"
                };
                let message = self.expected_message(what);
                let span = if exported {
                    self.missing_at()
                } else {
                    self.here()
                };
                self.error(span, message);
                ItemKind::Error
            }
        };
        Item {
            kind,
            exported,
            doc,
            span: self.span_from(start),
        }
    }

    fn const_decl(&mut self) -> ItemKind {
        self.bump();
        let name = self.name("a constant name");
        let ty = if self.eat(&TokenKind::Colon) {
            Some(self.ty())
        } else {
            None
        };
        let value = if self.eat(&TokenKind::Eq) {
            self.expr(true)
        } else {
            let span = self.missing_at();
            let message = self.expected_message("'=' and the constant's value");
            self.error(span, message);
            Expr {
                kind: ExprKind::Error,
                span,
            }
        };
        self.expect_semi("the statement");
        match name {
            Some(name) => ItemKind::Const(ConstDecl { name, ty, value }),
            None => ItemKind::Error,
        }
    }

    fn global_decl(&mut self) -> ItemKind {
        let (name, mutable, ty, value) = self.let_parts();
        match name {
            Some(name) => ItemKind::Global(GlobalDecl {
                name,
                mutable,
                ty,
                value,
            }),
            None => ItemKind::Error,
        }
    }

    /// `let [mut] name [: T] [= e];` (shared by globals and local variables).
    fn let_parts(&mut self) -> (Option<Ident>, bool, Option<TypeExpr>, Option<Expr>) {
        self.bump();
        let mutable = self.eat(&TokenKind::Mut);
        let name = self.name("a name");
        let ty = if self.eat(&TokenKind::Colon) {
            Some(self.ty())
        } else {
            None
        };
        let value = if self.eat(&TokenKind::Eq) {
            Some(self.expr(true))
        } else {
            None
        };
        if value.is_none()
            && !self.at(&TokenKind::Semi)
            && !self.on_new_line()
            && !self.at(&TokenKind::RBrace)
        {
            let what = if ty.is_none() {
                "':', '=' or ';' after the variable name"
            } else {
                "'=' or ';' after the type"
            };
            let message = self.expected_message(what);
            self.error(self.here(), message);
        }
        self.expect_semi("the statement");
        (name, mutable, ty, value)
    }

    fn form_decl(&mut self) -> ItemKind {
        self.bump();
        let name = self.name("a form name");
        if !self.at(&TokenKind::LBrace) {
            let message = self.expected_message("'{' and the form's fields");
            self.error(self.missing_at(), message);
            return ItemKind::Error;
        }
        self.bump();
        let fields = self.comma_list(&TokenKind::RBrace, &[], |p| p.field_decl());
        match name {
            Some(name) => ItemKind::Form(FormDecl { name, fields }),
            None => ItemKind::Error,
        }
    }

    /// `name: T` in a form.
    fn field_decl(&mut self) -> Option<FieldDecl> {
        let doc = self.doc_here();
        let name = self.name("a field name")?;
        if !self.expect(&TokenKind::Colon, "':' and the field's type") {
            return None;
        }
        let ty = self.ty();
        Some(FieldDecl { name, ty, doc })
    }

    fn pick_decl(&mut self) -> ItemKind {
        self.bump();
        let name = self.name("a pick name");
        if !self.at(&TokenKind::LBrace) {
            let message = self.expected_message("'{' and the pick's cases");
            self.error(self.missing_at(), message);
            return ItemKind::Error;
        }
        self.bump();
        let cases = self.comma_list(&TokenKind::RBrace, &[], |p| p.case_decl());
        match name {
            Some(name) => ItemKind::Pick(PickDecl { name, cases }),
            None => ItemKind::Error,
        }
    }

    /// `[case] Name [(payload)]`; a positional payload `(T, U)` names its fields `0`, `1`, ….
    fn case_decl(&mut self) -> Option<CaseDecl> {
        let doc = self.doc_here();
        let start = self.here().start;
        self.eat(&TokenKind::Case);
        let name = self.name("a case name")?;
        let mut fields = Vec::new();
        if self.eat(&TokenKind::LParen) {
            let mut index = 0usize;
            let (mut named, mut positional) = (0usize, 0usize);
            fields = self.comma_list(&TokenKind::RParen, &[], |p| {
                let field = p.payload_field(index);
                index += 1;
                match &field {
                    Some((_, true)) => named += 1,
                    Some((_, false)) => positional += 1,
                    None => {}
                }
                field.map(|(field, _)| field)
            });
            if named > 0 && positional > 0 {
                self.report(
                    self.span_from(start),
                    "a payload is either all named, like (w: float, h: float), or all positional, like (float, float)",
                );
            }
        }
        Some(CaseDecl {
            name,
            fields,
            doc,
            span: self.span_from(start),
        })
    }

    /// One payload field: `name: T` (named, `true`) or `T` (positional, `false`, named by its index).
    fn payload_field(&mut self, index: usize) -> Option<(FieldDecl, bool)> {
        let doc = self.doc_here();
        if matches!(self.peek(), TokenKind::Ident(_)) && *self.peek_nth(1) == TokenKind::Colon {
            let name = self.name("a field name")?;
            self.bump();
            let ty = self.ty();
            return Some((FieldDecl { name, ty, doc }, true));
        }
        let ty = self.ty();
        let name = Ident {
            name: index.to_string(),
            span: ty.span(),
        };
        Some((FieldDecl { name, ty, doc }, false))
    }

    fn proc_decl(&mut self) -> ItemKind {
        use TokenKind as T;
        self.bump();
        let name = self.name("a procedure name");
        let params = if self.eat(&T::LParen) {
            self.comma_list(&T::RParen, &[T::LBrace, T::Arrow], |p| p.param())
        } else {
            let message = self.expected_message("'(' and the parameters");
            self.error(self.missing_at(), message);
            Vec::new()
        };
        let ret = if self.eat(&T::Arrow) {
            Some(self.ty())
        } else if matches!(self.peek(), T::Ident(_) | T::LBracket | T::Question)
            && !self.on_new_line()
            && !self.panicking
        {
            self.report(self.here(), "expected '->' before the return type");
            Some(self.ty())
        } else {
            None
        };
        let body = self.block();
        match name {
            Some(name) => ItemKind::Proc(ProcDecl {
                name,
                params,
                ret,
                body,
            }),
            None => ItemKind::Error,
        }
    }

    fn param(&mut self) -> Option<Param> {
        let name = self.name("a parameter name")?;
        if !self.expect(&TokenKind::Colon, "':' and the parameter's type") {
            return None;
        }
        let ty = self.ty();
        Some(Param { name, ty })
    }

    // ----- types -----

    fn ty(&mut self) -> TypeExpr {
        if !self.enter() {
            let span = self.too_deep();
            return TypeExpr::Error { span };
        }
        let ty = self.ty_inner();
        self.leave();
        ty
    }

    fn ty_inner(&mut self) -> TypeExpr {
        use TokenKind as T;
        let start = self.here().start;
        match self.peek() {
            T::Question => {
                self.bump();
                let inner = Box::new(self.ty());
                TypeExpr::Nullable {
                    inner,
                    span: self.span_from(start),
                }
            }
            T::LBracket => {
                self.bump();
                let elem = Box::new(self.ty());
                self.expect(&T::RBracket, "']'");
                TypeExpr::Array {
                    elem,
                    span: self.span_from(start),
                }
            }
            T::Ident(_) => {
                let mut path = Vec::new();
                while let Some(ident) = self.name("a type name after '.'") {
                    path.push(ident);
                    if !self.eat(&T::Dot) {
                        break;
                    }
                }
                let args = if self.eat(&T::LBracket) {
                    self.comma_list(&T::RBracket, &[], |p| Some(p.ty()))
                } else {
                    Vec::new()
                };
                TypeExpr::Named {
                    path,
                    args,
                    span: self.span_from(start),
                }
            }
            _ => {
                let span = self.missing_at();
                let message = self.expected_message("a type");
                self.error(span, message);
                TypeExpr::Error { span }
            }
        }
    }

    // ----- statements -----

    fn block(&mut self) -> Block {
        if !self.at(&TokenKind::LBrace) {
            let span = self.missing_at();
            let message = self.expected_message("'{'");
            self.error(span, message);
            return Block {
                stmts: Vec::new(),
                span,
            };
        }
        if !self.enter() {
            let span = self.too_deep();
            return Block {
                stmts: Vec::new(),
                span,
            };
        }
        let block = self.block_inner();
        self.leave();
        block
    }

    fn block_inner(&mut self) -> Block {
        let open = self.bump();
        self.panicking = false;
        let mut stmts = Vec::new();
        loop {
            if self.panicking {
                self.sync_stmt();
            }
            match self.peek() {
                TokenKind::RBrace => {
                    self.bump();
                    break;
                }
                TokenKind::Semi => {
                    self.bump();
                    continue;
                }
                kind if *kind == TokenKind::Eof || is_item_keyword(kind) => {
                    self.error(open, "expected '}' to close this block");
                    break;
                }
                _ => {}
            }
            let start = self.pos;
            stmts.push(self.stmt());
            if self.pos == start {
                self.bump();
            }
        }
        Block {
            stmts,
            span: self.span_from(open.start),
        }
    }

    /// The block after the head of an `if`, `while` or `for`: a missing `{` is reported and the parser
    /// looks for the `{` further on the line.
    fn head_block(&mut self, after: &str) -> Block {
        use TokenKind as T;
        if self.at(&T::LBrace) {
            return self.block();
        }
        let span = self.missing_at();
        let message = if self.at(&T::Eq) {
            format!("expected '{{' after {after}; write '==' to compare")
        } else {
            self.expected_message(&format!("'{{' after {after}"))
        };
        self.error(span, message);
        loop {
            let kind = self.peek();
            let stop = matches!(kind, T::LBrace | T::Semi | T::RBrace | T::Eof)
                || is_item_keyword(kind)
                || (is_stmt_keyword(kind) && self.on_new_line());
            if stop {
                break;
            }
            self.skip_balanced_one();
        }
        if self.at(&T::LBrace) {
            self.block()
        } else {
            Block {
                stmts: Vec::new(),
                span,
            }
        }
    }

    fn stmt(&mut self) -> Stmt {
        use TokenKind as T;
        let start = self.here().start;
        let kind = match self.peek() {
            T::Let => {
                let (name, mutable, ty, value) = self.let_parts();
                match name {
                    Some(name) => StmtKind::Let {
                        name,
                        mutable,
                        ty,
                        value,
                    },
                    None => StmtKind::Error,
                }
            }
            T::Set => self.set_stmt(),
            T::If => self.if_stmt(),
            T::While => {
                self.bump();
                let cond = self.expr(false);
                let body = self.head_block("the condition");
                StmtKind::While { cond, body }
            }
            T::Loop => {
                self.bump();
                StmtKind::Loop { body: self.block() }
            }
            T::For => self.for_stmt(),
            T::Break => {
                self.bump();
                self.expect_semi("'break'");
                StmtKind::Break
            }
            T::Continue => {
                self.bump();
                self.expect_semi("'continue'");
                StmtKind::Continue
            }
            T::Give | T::Return => {
                self.bump();
                let value = if self.at(&T::Semi)
                    || self.at(&T::RBrace)
                    || (self.on_new_line() && !self.starts_expr())
                {
                    None
                } else {
                    Some(self.expr(true))
                };
                self.expect_semi("the statement");
                StmtKind::Give(value)
            }
            T::Try => self.try_stmt(),
            T::Throw => {
                self.bump();
                let value = self.expr(true);
                self.expect_semi("the statement");
                StmtKind::Throw(value)
            }
            T::LBrace => StmtKind::Block(self.block()),
            T::Match => {
                let value = self.match_expr();
                self.eat(&T::Semi);
                StmtKind::Expr(value)
            }
            T::Elif | T::Else => {
                let word = self.peek().keyword_text().unwrap_or("else");
                self.error(self.here(), format!("'{word}' without a matching 'if'"));
                self.bump();
                StmtKind::Error
            }
            T::Catch => {
                self.error(self.here(), "'catch' without a matching 'try'");
                self.bump();
                StmtKind::Error
            }
            T::Case => {
                self.error(self.here(), "'case' outside of a 'match'");
                self.bump();
                StmtKind::Error
            }
            _ => self.expr_stmt(),
        };
        Stmt {
            kind,
            span: self.span_from(start),
        }
    }

    /// Whether the current token can start an expression.
    fn starts_expr(&self) -> bool {
        use TokenKind as T;
        matches!(
            self.peek(),
            T::Ident(_)
                | T::Int(_)
                | T::Float(_)
                | T::Str(_)
                | T::True
                | T::False
                | T::Null
                | T::LParen
                | T::LBracket
                | T::LBrace
                | T::Minus
                | T::Not
                | T::Bang
                | T::Match
                | T::Spawn
        )
    }

    fn expr_stmt(&mut self) -> StmtKind {
        let target = self.expr(true);
        let op = match self.peek() {
            TokenKind::Eq => None,
            kind => match compound_op(kind) {
                Some(op) => Some(op),
                None => {
                    self.expect_semi("the statement");
                    return StmtKind::Expr(target);
                }
            },
        };
        self.bump();
        self.check_target(&target);
        let value = self.expr(true);
        self.expect_semi("the statement");
        StmtKind::Assign { target, op, value }
    }

    fn set_stmt(&mut self) -> StmtKind {
        self.bump();
        let target = self.postfix(true);
        let op = match self.peek() {
            TokenKind::Eq => None,
            kind => match compound_op(kind) {
                Some(op) => Some(op),
                None => {
                    let message = self.expected_message(
                        "'=' or a compound assignment such as '+=' after the target",
                    );
                    self.error(self.missing_at(), message);
                    return StmtKind::Error;
                }
            },
        };
        self.bump();
        self.check_target(&target);
        let value = self.expr(true);
        self.expect_semi("the statement");
        StmtKind::Assign { target, op, value }
    }

    /// An assignment target must be a name, a field or an element.
    fn check_target(&mut self, target: &Expr) {
        match target.kind {
            ExprKind::Name(_)
            | ExprKind::Field { .. }
            | ExprKind::Index { .. }
            | ExprKind::Error => {}
            _ => self.report(
                target.span,
                "cannot assign to this; the target must be a name, a field or an element",
            ),
        }
    }

    fn if_stmt(&mut self) -> StmtKind {
        use TokenKind as T;
        self.bump();
        let cond = self.expr(false);
        let body = self.head_block("the condition");
        let mut branches = vec![(cond, body)];
        let mut else_block = None;
        loop {
            if self.eat(&T::Elif) {
                let cond = self.expr(false);
                let body = self.head_block("the condition");
                branches.push((cond, body));
            } else if self.at(&T::Else) && *self.peek_nth(1) == T::If {
                self.bump();
                self.bump();
                let cond = self.expr(false);
                let body = self.head_block("the condition");
                branches.push((cond, body));
            } else if self.eat(&T::Else) {
                else_block = Some(self.block());
                break;
            } else {
                break;
            }
        }
        StmtKind::If {
            branches,
            else_block,
        }
    }

    fn for_stmt(&mut self) -> StmtKind {
        use TokenKind as T;
        self.bump();
        if self.at(&T::LParen) {
            self.error(
                self.here(),
                "a 'for' loop is written 'for i in 0..n { … }' or 'for x in xs { … }'",
            );
            self.skip_balanced_one();
            if self.at(&T::LBrace) {
                self.block();
            }
            return StmtKind::Error;
        }
        let var = self.name("a loop variable name after 'for'");
        if var.is_some() && !self.eat(&T::In) {
            let message = self.expected_message("'in' after the loop variable");
            self.error(self.missing_at(), message);
        }
        let first = self.expr(false);
        let range_end = match self.peek() {
            T::DotDot | T::DotDotEq => {
                let inclusive = self.at(&T::DotDotEq);
                self.bump();
                Some((self.expr(false), inclusive))
            }
            _ => None,
        };
        let body = self.head_block(if range_end.is_some() {
            "the range"
        } else {
            "the loop's sequence"
        });
        let Some(var) = var else {
            return StmtKind::Error;
        };
        match range_end {
            Some((end, inclusive)) => StmtKind::ForRange {
                var,
                start: first,
                end,
                inclusive,
                body,
            },
            None => StmtKind::ForEach {
                var,
                iter: first,
                body,
            },
        }
    }

    fn try_stmt(&mut self) -> StmtKind {
        self.bump();
        let body = self.block();
        if !self.eat(&TokenKind::Catch) {
            let message = self.expected_message("'catch' after the 'try' block");
            self.error(self.missing_at(), message);
            return StmtKind::Error;
        }
        let var = self.name("a name for the error after 'catch', like 'catch e'");
        let handler = self.block();
        match var {
            Some(var) => StmtKind::Try { body, var, handler },
            None => StmtKind::Error,
        }
    }

    // ----- expressions -----

    /// An expression; `forms` says whether form and map literals may appear at its top level (not in the
    /// head of an `if`, `while`, `for` or `match`).
    fn expr(&mut self, forms: bool) -> Expr {
        if !self.enter() {
            let span = self.too_deep();
            return Expr {
                kind: ExprKind::Error,
                span,
            };
        }
        let expr = self.binary(1, forms);
        self.leave();
        expr
    }

    fn binary(&mut self, min_power: u8, forms: bool) -> Expr {
        let mut lhs = self.unary(forms);
        let mut chain = 0u32;
        while let Some((op, power)) = binary_op(self.peek()) {
            if power < min_power {
                break;
            }
            if !self.extend_chain(&mut chain) {
                break;
            }
            self.bump();
            let rhs = self.binary(power + 1, forms);
            let span = lhs.span.to(rhs.span);
            lhs = Expr {
                kind: ExprKind::Binary {
                    op,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                },
                span,
            };
        }
        lhs
    }

    fn unary(&mut self, forms: bool) -> Expr {
        use TokenKind as T;
        let start = self.here().start;
        let op = match self.peek() {
            T::Minus => UnOp::Neg,
            T::Not | T::Bang => UnOp::Not,
            _ => return self.postfix(forms),
        };
        if op == UnOp::Neg
            && *self.peek_nth(1) == T::Int(INT_LITERAL_LIMIT)
            && !matches!(self.peek_nth(2), T::LParen | T::LBracket | T::Dot)
        {
            self.bump();
            let literal = self.bump();
            let operand = Box::new(Expr {
                kind: ExprKind::Int(i64::MIN),
                span: literal,
            });
            return Expr {
                kind: ExprKind::Unary { op, operand },
                span: self.span_from(start),
            };
        }
        self.bump();
        if !self.enter() {
            let span = self.too_deep();
            return Expr {
                kind: ExprKind::Error,
                span,
            };
        }
        let operand = Box::new(self.unary(forms));
        self.leave();
        Expr {
            kind: ExprKind::Unary { op, operand },
            span: self.span_from(start),
        }
    }

    fn postfix(&mut self, forms: bool) -> Expr {
        use TokenKind as T;
        let mut expr = self.primary(forms);
        let start = expr.span.start;
        let mut chain = 0u32;
        loop {
            let mut is_form = self.at(&T::LBrace) && is_path(&expr);
            if is_form && !forms {
                // `if p == Point { x: 1 } {`: reported, then read as the form literal it is.
                is_form = matches!(self.peek_nth(1), T::Ident(_)) && *self.peek_nth(2) == T::Colon;
                if is_form {
                    let span = Span::new(self.file, start, self.here().end);
                    self.report(
                        span,
                        "a form literal here must be in parentheses, like (Point { x: 1.0 })",
                    );
                }
            }
            if !(matches!(self.peek(), T::LParen | T::LBracket | T::Dot) || is_form) {
                break;
            }
            if !self.extend_chain(&mut chain) {
                break;
            }
            match self.peek() {
                T::LParen => {
                    self.bump();
                    let args = self.comma_list(&T::RParen, &[], |p| Some(p.expr(true)));
                    let kind = ExprKind::Call {
                        callee: Box::new(expr),
                        args,
                    };
                    expr = Expr {
                        kind,
                        span: self.span_from(start),
                    };
                }
                T::LBracket => {
                    self.bump();
                    let index = Box::new(self.expr(true));
                    self.expect(&T::RBracket, "']'");
                    let kind = ExprKind::Index {
                        base: Box::new(expr),
                        index,
                    };
                    expr = Expr {
                        kind,
                        span: self.span_from(start),
                    };
                }
                T::Dot => {
                    self.bump();
                    let Some(name) = self.name("a field name after '.'") else {
                        break;
                    };
                    let kind = ExprKind::Field {
                        base: Box::new(expr),
                        name,
                    };
                    expr = Expr {
                        kind,
                        span: self.span_from(start),
                    };
                }
                _ => {
                    let path = path_segments(&expr);
                    self.bump();
                    let fields = self.comma_list(&T::RBrace, &[], |p| {
                        let name = p.name("a field name")?;
                        if !p.expect(&T::Colon, "':' after the field name") {
                            return None;
                        }
                        Some((name, p.expr(true)))
                    });
                    expr = Expr {
                        kind: ExprKind::FormLit { path, fields },
                        span: self.span_from(start),
                    };
                }
            }
        }
        expr
    }

    fn primary(&mut self, forms: bool) -> Expr {
        use TokenKind as T;
        let span = self.here();
        let kind = match self.peek() {
            T::Int(value) => {
                let value = *value;
                self.bump();
                if value > i64::MAX as u64 {
                    self.report(span, "integer literal is too large");
                    ExprKind::Int(0)
                } else {
                    ExprKind::Int(value as i64)
                }
            }
            T::Float(value) => {
                let value = *value;
                self.bump();
                ExprKind::Float(value)
            }
            T::Str(text) => {
                let text = text.clone();
                self.bump();
                ExprKind::Str(text)
            }
            T::True | T::False => {
                let value = self.at(&T::True);
                self.bump();
                ExprKind::Bool(value)
            }
            T::Null => {
                self.bump();
                ExprKind::Null
            }
            T::Ident(name) => {
                let ident = Ident {
                    name: name.clone(),
                    span,
                };
                self.bump();
                ExprKind::Name(ident)
            }
            T::LParen => {
                self.bump();
                let inner = self.expr(true);
                self.expect(&T::RParen, "')'");
                ExprKind::Paren(Box::new(inner))
            }
            T::LBracket => {
                self.bump();
                ExprKind::Array(self.comma_list(&T::RBracket, &[], |p| Some(p.expr(true))))
            }
            T::LBrace if forms => {
                self.bump();
                ExprKind::Map(self.comma_list(&T::RBrace, &[], |p| {
                    let key = p.expr(true);
                    if !p.at(&T::Colon) {
                        let message = p.expected_message(
                            "':' after the map key (a '{' that starts an expression is a map)",
                        );
                        p.error(p.missing_at(), message);
                        return None;
                    }
                    p.bump();
                    Some((key, p.expr(true)))
                }))
            }
            T::Match => return self.match_expr(),
            T::Spawn => {
                self.bump();
                let call = self.postfix(forms);
                if !matches!(call.kind, ExprKind::Call { .. } | ExprKind::Error) {
                    self.report(
                        call.span,
                        "'spawn' needs a procedure call, like 'spawn worker(c)'",
                    );
                }
                ExprKind::Spawn(Box::new(call))
            }
            T::Plus if self.prev_kind() == Some(&T::Plus) && self.prev_end() == span.start => {
                self.error(span, "there is no '++' operator; write 'set x += 1'");
                return Expr {
                    kind: ExprKind::Error,
                    span,
                };
            }
            _ => {
                let span = self.missing_at();
                let message = self.expected_message("an expression");
                self.error(span, message);
                return Expr {
                    kind: ExprKind::Error,
                    span,
                };
            }
        };
        Expr {
            kind,
            span: self.span_from(span.start),
        }
    }

    fn match_expr(&mut self) -> Expr {
        use TokenKind as T;
        let start = self.bump().start;
        let scrutinee = Box::new(self.expr(false));
        if !self.at(&T::LBrace) {
            let message = self.expected_message("'{' after the value to match");
            self.error(self.missing_at(), message);
            let arms = Vec::new();
            return Expr {
                kind: ExprKind::Match { scrutinee, arms },
                span: self.span_from(start),
            };
        }
        let open = self.bump();
        let mut arms = Vec::new();
        loop {
            let after_arm = matches!(self.prev_kind(), Some(T::Semi | T::RBrace));
            if self.panicking && (after_arm || matches!(self.peek(), T::Case | T::Else | T::RBrace))
            {
                self.panicking = false;
            }
            match self.peek() {
                T::RBrace => {
                    self.bump();
                    break;
                }
                T::Case | T::Else => arms.push(self.arm()),
                kind if *kind == T::Eof || is_item_keyword(kind) => {
                    self.error(open, "expected '}' to close this match");
                    break;
                }
                _ => {
                    let message = self.expected_message("'case' or 'else' to start a match arm");
                    self.error(self.here(), message);
                    self.skip_balanced_one();
                }
            }
        }
        Expr {
            kind: ExprKind::Match { scrutinee, arms },
            span: self.span_from(start),
        }
    }

    fn arm(&mut self) -> MatchArm {
        use TokenKind as T;
        let start = self.here().start;
        let pattern = if self.at(&T::Else) {
            Pattern::Else(self.bump())
        } else {
            self.bump();
            self.pattern()
        };
        let guard = if self.eat(&T::If) {
            Some(self.expr(false))
        } else {
            None
        };
        let body = if self.at(&T::FatArrow) {
            let arrow = self.bump();
            if self.at(&T::LBrace) && self.brace_holds_statements() {
                self.report(
                    arrow,
                    "a match arm that runs statements is written 'case P { … }', without '=>'",
                );
                let block = self.block();
                self.eat(&T::Semi);
                return MatchArm {
                    pattern,
                    guard,
                    body: ArmBody::Block(block),
                    span: self.span_from(start),
                };
            }
            let value = self.expr(true);
            self.expect_semi("the match arm");
            ArmBody::Expr(value)
        } else if self.at(&T::LBrace) {
            ArmBody::Block(self.block())
        } else {
            let span = self.missing_at();
            let message = self.expected_message("'=>' or '{' after the pattern");
            self.error(span, message);
            ArmBody::Expr(Expr {
                kind: ExprKind::Error,
                span,
            })
        };
        MatchArm {
            pattern,
            guard,
            body,
            span: self.span_from(start),
        }
    }

    /// At a `{`: whether it opens statements rather than a map literal (its first token is a statement
    /// keyword, or a `;` comes before any `:` at its top level).
    fn brace_holds_statements(&self) -> bool {
        use TokenKind as T;
        let first = self.peek_nth(1);
        if is_stmt_keyword(first) && *first != T::Match {
            return true;
        }
        let mut depth = 0usize;
        let mut at = self.pos + 1;
        loop {
            match &self.token_at(at).kind {
                T::Eof => return false,
                T::LParen | T::LBracket | T::LBrace => depth += 1,
                T::RParen | T::RBracket | T::RBrace if depth == 0 => return false,
                T::RParen | T::RBracket | T::RBrace => depth -= 1,
                T::Colon if depth == 0 => return false,
                T::Semi if depth == 0 => return true,
                _ => {}
            }
            at += 1;
        }
    }

    fn pattern(&mut self) -> Pattern {
        use TokenKind as T;
        let span = self.here();
        match self.peek() {
            T::Minus => {
                let T::Int(value) = *self.peek_nth(1) else {
                    self.bump();
                    let message = self.expected_message("an integer after '-'");
                    self.error(self.missing_at(), message);
                    return Pattern::Error(span);
                };
                self.bump();
                self.bump();
                let value = if value == INT_LITERAL_LIMIT {
                    i64::MIN
                } else {
                    -(value as i64)
                };
                Pattern::Int(value, self.span_from(span.start))
            }
            T::Int(value) => {
                let value = *value;
                self.bump();
                if value > i64::MAX as u64 {
                    self.report(span, "integer literal is too large");
                    return Pattern::Error(span);
                }
                Pattern::Int(value as i64, span)
            }
            T::Str(text) => {
                let text = text.clone();
                self.bump();
                Pattern::Str(text, span)
            }
            T::True | T::False => {
                let value = self.at(&T::True);
                self.bump();
                Pattern::Bool(value, span)
            }
            T::Ident(name) if name == "_" => {
                self.bump();
                Pattern::Else(span)
            }
            T::Ident(_) => {
                let mut path = Vec::new();
                while let Some(ident) = self.name("a case name after '.'") {
                    path.push(ident);
                    if !self.eat(&T::Dot) {
                        break;
                    }
                }
                let bindings = if self.eat(&T::LParen) {
                    self.comma_list(&T::RParen, &[T::LBrace, T::FatArrow], |p| {
                        p.name("a name to bind")
                    })
                } else {
                    Vec::new()
                };
                Pattern::Case {
                    path,
                    bindings,
                    span: self.span_from(span.start),
                }
            }
            _ => {
                let span = self.missing_at();
                let message = self.expected_message(
                    "a pattern: an integer, a string, 'true', 'false', a case name or '_'",
                );
                self.error(span, message);
                Pattern::Error(span)
            }
        }
    }
}

/// Whether `kind` starts an item (after `export`).
fn is_item_start(kind: &TokenKind) -> bool {
    use TokenKind as T;
    matches!(
        kind,
        T::Proc | T::Fn | T::Form | T::Struct | T::Pick | T::Enum | T::Const | T::Let
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Expr {
        let (expr, diagnostics) = parse_expression(text);
        assert!(diagnostics.is_empty(), "{text}: {diagnostics:?}");
        expr
    }

    fn first_error(text: &str) -> String {
        let (_, diagnostics) = parse_expression(text);
        diagnostics
            .first()
            .map(|d| d.message.clone())
            .unwrap_or_else(|| panic!("{text}: expected an error"))
    }

    #[test]
    fn expression_precedence() {
        let expr = parse_ok("1 + 2 * 3 == 7 and not false");
        let ExprKind::Binary { op, lhs, .. } = expr.kind else {
            panic!("not a binary expression");
        };
        assert_eq!(op, BinOp::And);
        let ExprKind::Binary { op, lhs, .. } = lhs.kind else {
            panic!("not a comparison");
        };
        assert_eq!(op, BinOp::Eq);
        let ExprKind::Binary { op, rhs, .. } = lhs.kind else {
            panic!("not an addition");
        };
        assert_eq!(op, BinOp::Add);
        assert!(matches!(rhs.kind, ExprKind::Binary { op: BinOp::Mul, .. }));
    }

    #[test]
    fn expression_postfix_and_literals() {
        let expr = parse_ok("p.items[2].name");
        assert!(matches!(expr.kind, ExprKind::Field { ref name, .. } if name.name == "name"));
        assert!(matches!(parse_ok("len(xs)").kind, ExprKind::Call { .. }));
        assert!(matches!(parse_ok("m[\"k\"]").kind, ExprKind::Index { .. }));
        assert!(matches!(
            parse_ok("-9223372036854775808").kind,
            ExprKind::Unary { .. }
        ));
        assert!(matches!(parse_ok("(1)").kind, ExprKind::Paren(_)));
        assert!(matches!(parse_ok("{\"a\": 1}").kind, ExprKind::Map(_)));
        assert!(matches!(
            parse_ok("Point { x: 1.0 }").kind,
            ExprKind::FormLit { .. }
        ));
        assert!(matches!(
            parse_ok("  null  // comment").kind,
            ExprKind::Null
        ));
        let expr = parse_ok("x");
        assert_eq!(expr.span, Span::new(FileId(0), 0, 1));
    }

    #[test]
    fn expression_trailing_tokens_are_an_error() {
        let end = "expected the end of the expression, found";
        assert_eq!(first_error("1 2"), format!("{end} an integer"));
        assert_eq!(first_error("x)"), format!("{end} ')'"));
        assert_eq!(first_error("a;"), format!("{end} ';'"));
        assert_eq!(first_error("x let"), format!("{end} keyword 'let'"));
    }

    #[test]
    fn expression_errors() {
        assert_eq!(first_error(""), "expected an expression");
        assert_eq!(first_error("   "), "expected an expression");
        assert_eq!(first_error("1 +"), "expected an expression");
        assert_eq!(first_error("(1"), "expected ')'");
        assert!(!parse_expression("\"abc").1.is_empty());
        assert!(!parse_expression("a[").1.is_empty());
        assert!(!parse_expression("#").1.is_empty());
        let (expr, diagnostics) = parse_expression("set x = 1");
        assert!(!diagnostics.is_empty());
        assert!(matches!(expr.kind, ExprKind::Error) || !diagnostics.is_empty());
    }

    #[test]
    fn expression_deep_nesting_is_reported_not_overflowed() {
        let text = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
        let (_, diagnostics) = parse_expression(&text);
        assert!(
            diagnostics
                .iter()
                .any(|d| d.message.contains("nested too deeply"))
        );
        let text = format!("{}1", "-".repeat(10_000));
        let (_, diagnostics) = parse_expression(&text);
        assert!(
            diagnostics
                .iter()
                .any(|d| d.message.contains("nested too deeply"))
        );
    }
}
