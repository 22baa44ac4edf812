//! The printer: lays the token stream out line by line, using the roles found by
//! [`structure`](super::structure) and the line breaks of the original text.
//!
//! For every token it decides what goes before it: nothing, one space, or a line break (with at most
//! one blank line) and an indentation. The decision depends only on the two tokens around the gap, the
//! brackets that are open, and what the gap held in the original (comments, line breaks). That is what
//! makes the output a fixed point: formatting it again sees the same tokens, the same brackets and, in
//! every gap, exactly the line breaks that the first run decided on. See the module documentation of
//! [`format`](super) for the rules themselves.

use super::structure::{Opener, Role, Structure};
use super::tokens::{CodeToken, Comment, CommentKind, Gap, TokenStream};
use crate::lexer::TokenKind;

/// One indentation level.
pub(super) const INDENT: usize = 4;

/// An open bracket (or the file itself) while printing.
#[derive(Clone, Copy, Debug)]
struct Frame {
    /// `None` for the file.
    role: Option<Role>,
    /// Index of the closing token.
    closer: Option<usize>,
    /// Indentation of the closing bracket when it starts a line.
    indent: usize,
    /// Indentation of the lines inside.
    inner: usize,
}

impl Frame {
    /// Whether the frame holds statements, arms or items (one per line).
    fn holds_units(&self) -> bool {
        self.role.is_none_or(Role::holds_units)
    }
}

/// What was printed last.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Last {
    /// Nothing yet.
    Nothing,
    /// A code token (by index).
    Token(usize),
    /// A comma the formatter added after a list's last element.
    AddedComma,
    /// A comment.
    Comment(CommentKind),
}

/// Per-token facts computed before printing.
struct Plan<'a> {
    text: &'a str,
    tokens: &'a [CodeToken],
    gaps: &'a [Gap],
    /// For a bracket, the index of its partner.
    partner: Vec<Option<usize>>,
    /// For an opening bracket, its role (closing brackets: see [`Plan::role`]).
    opener: Vec<Option<Opener>>,
    unit_start: Vec<bool>,
    unary: Vec<bool>,
    /// Inside a `space` or `use` declaration, where `/` and `..` separate path segments.
    in_path: Vec<bool>,
    /// A comma to add after this token (the last element of a list whose closer is on its own line).
    add_comma: Vec<bool>,
    /// A trailing comma to leave out (the list is on one line).
    drop: Vec<bool>,
}

fn is_open(kind: &TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace
    )
}

fn is_close(kind: &TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace
    )
}

impl<'a> Plan<'a> {
    fn new(text: &'a str, stream: &'a TokenStream, structure: &Structure) -> Plan<'a> {
        let tokens = stream.tokens.as_slice();
        let n = tokens.len();
        let mut partner = vec![None; n];
        let mut stack: Vec<usize> = Vec::new();
        for (index, token) in tokens.iter().enumerate() {
            if is_open(&token.kind) {
                stack.push(index);
            } else if is_close(&token.kind)
                && let Some(open) = stack.pop()
            {
                partner[open] = Some(index);
                partner[index] = Some(open);
            }
        }
        let opener = tokens
            .iter()
            .map(|token| {
                is_open(&token.kind).then(|| {
                    structure
                        .openers
                        .get(&token.start)
                        .copied()
                        .unwrap_or_else(Opener::group)
                })
            })
            .collect();
        let unit_start = tokens
            .iter()
            .map(|t| structure.unit_starts.contains(&t.start) && t.kind != TokenKind::Eof)
            .collect::<Vec<_>>();
        let unary = tokens
            .iter()
            .map(|t| structure.unary.contains(&t.start))
            .collect();
        let mut in_path = vec![false; n];
        let mut path_mode = false;
        for (index, token) in tokens.iter().enumerate() {
            if unit_start[index] {
                path_mode = matches!(token.kind, TokenKind::Use | TokenKind::Space);
            }
            in_path[index] = path_mode;
        }
        let mut plan = Plan {
            text,
            tokens,
            gaps: &stream.gaps,
            partner,
            opener,
            unit_start,
            unary,
            in_path,
            add_comma: vec![false; n],
            drop: vec![false; n],
        };
        plan.plan_trailing_commas();
        plan
    }

    /// A list whose closing bracket ends up on a later line than its last element gets a trailing
    /// comma; a list on one line loses its trailing comma.
    fn plan_trailing_commas(&mut self) {
        for close in 0..self.tokens.len() {
            let Some(open) = self.partner[close] else {
                continue;
            };
            if open >= close || !self.role(open).is_comma_list() || close == open + 1 {
                continue;
            }
            let last = close - 1;
            let is_comma = self.tokens[last].kind == TokenKind::Comma;
            let broken = self.gaps[close].breaks_line();
            if broken && !is_comma && last != open {
                self.add_comma[last] = true;
            } else if !broken
                && is_comma
                && last > open + 1
                && self.gaps[close].comments.is_empty()
                && self.gaps[last].comments.is_empty()
            {
                self.drop[last] = true;
            }
        }
    }

    fn kind(&self, index: usize) -> &'a TokenKind {
        &self.tokens[index].kind
    }

    /// The role of a bracket (opening or closing); `Group` for anything else.
    fn role(&self, index: usize) -> Role {
        let open = if is_close(self.kind(index)) {
            self.partner[index]
        } else {
            Some(index)
        };
        open.and_then(|open| self.opener[open])
            .map_or(Role::Group, |opener| opener.role)
    }

    /// An opening bracket with nothing (not even a comment) before its partner.
    fn is_empty_pair(&self, open: usize) -> bool {
        self.partner[open]
            .is_some_and(|close| close == open + 1 && self.gaps[close].comments.is_empty())
    }

    fn opens_units(&self, index: usize) -> bool {
        is_open(self.kind(index)) && self.role(index).holds_units()
    }

    fn closes_units(&self, index: usize) -> bool {
        is_close(self.kind(index))
            && self.partner[index].is_some()
            && self.role(index).holds_units()
    }

    fn is_binary_operator(&self, index: usize) -> bool {
        use TokenKind as T;
        match self.kind(index) {
            T::Plus
            | T::Star
            | T::Percent
            | T::EqEq
            | T::NotEq
            | T::Lt
            | T::Le
            | T::Gt
            | T::Ge
            | T::AndAnd
            | T::OrOr
            | T::And
            | T::Or => true,
            T::Minus => !self.unary[index],
            T::Slash => !self.in_path[index],
            _ => false,
        }
    }

    /// Whether `b` must start a line after `a` (an item, statement or arm starts, or a block opens or
    /// closes).
    fn forced_line(&self, a: usize, b: usize) -> bool {
        if self.unit_start[b] {
            return true;
        }
        if self.closes_units(b) {
            return self.partner[b].is_some_and(|open| !self.is_empty_pair(open));
        }
        self.opens_units(a) && !self.is_empty_pair(a)
    }

    /// Whether a line break the author put between `a` and `b` is kept.
    fn breakable(&self, a: usize, b: usize) -> bool {
        use TokenKind as T;
        let ka = self.kind(a);
        if *ka == T::Comma {
            return true;
        }
        if is_open(ka) && !self.role(a).holds_units() {
            return true;
        }
        if is_close(self.kind(b)) && !self.role(b).holds_units() {
            return true;
        }
        if self.is_binary_operator(a) || self.is_binary_operator(b) {
            return true;
        }
        matches!(
            ka,
            T::Eq | T::FatArrow | T::PlusEq | T::MinusEq | T::StarEq | T::SlashEq | T::PercentEq
        )
    }

    /// Whether `a` and `b`, printed on one line, are separated by a space.
    fn space_between(&self, a: usize, b: usize) -> bool {
        use TokenKind as T;
        let (ka, kb) = (self.kind(a), self.kind(b));
        if self.in_path[b] {
            // `use ../lib/strings`: no space inside the path, one after `use`.
            if matches!(ka, T::Slash | T::DotDot) || *kb == T::Slash {
                return false;
            }
            if *kb == T::DotDot {
                return true;
            }
        }
        if matches!(
            kb,
            T::Comma | T::Semi | T::Dot | T::DotDot | T::DotDotEq | T::Colon
        ) || matches!(ka, T::Dot | T::DotDot | T::DotDotEq | T::Question | T::Bang)
        {
            return false;
        }
        if is_open(ka) {
            return self.partner[a] != Some(b) && self.role(a).spaced();
        }
        if is_close(kb) {
            return self.role(b).spaced();
        }
        if is_open(kb) && self.opener[b].is_some_and(|opener| opener.attached) {
            return false;
        }
        !(*ka == T::Minus && self.unary[a])
    }

    /// Whether `b` may follow a comment on the same line without a space (`/* c */)`).
    fn hugs_left(&self, b: usize) -> bool {
        use TokenKind as T;
        matches!(self.kind(b), T::Comma | T::Semi)
            || (is_close(self.kind(b)) && !self.role(b).spaced())
    }
}

/// The output being built.
struct Printer<'a> {
    plan: Plan<'a>,
    out: String,
    frames: Vec<Frame>,
    last: Last,
    /// Indentation of the current line.
    line_indent: usize,
    /// The current line has a code token on it.
    line_has_code: bool,
    /// The last thing printed was a line or doc comment: the next thing starts a line.
    must_break: bool,
}

/// Lays out `stream` (the tokens and comments of `text`).
pub(super) fn layout(text: &str, stream: &TokenStream, structure: &Structure) -> String {
    let plan = Plan::new(text, stream, structure);
    let mut printer = Printer {
        plan,
        out: String::with_capacity(text.len() + text.len() / 8 + 16),
        frames: vec![Frame {
            role: None,
            closer: None,
            indent: 0,
            inner: 0,
        }],
        last: Last::Nothing,
        line_indent: 0,
        line_has_code: false,
        must_break: false,
    };
    if stream.bom {
        printer.out.push('\u{feff}');
    }
    printer.run();
    let mut out = printer.out;
    let content_start = if stream.bom { '\u{feff}'.len_utf8() } else { 0 };
    if out.len() > content_start && !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

impl Printer<'_> {
    fn run(&mut self) {
        let mut prev: Option<usize> = None;
        for index in 0..self.plan.tokens.len() {
            if self.plan.drop[index] {
                continue;
            }
            let gap = &self.plan.gaps[index];
            for comment in &gap.comments {
                self.comment(comment, index);
            }
            if self.plan.tokens[index].kind == TokenKind::Eof {
                break;
            }
            self.before_token(prev, index, gap.newlines_before_token);
            self.token(index);
            prev = Some(index);
        }
    }

    fn top(&self) -> Frame {
        self.frames.last().copied().unwrap_or(Frame {
            role: None,
            closer: None,
            indent: 0,
            inner: 0,
        })
    }

    fn nothing_printed(&self) -> bool {
        self.last == Last::Nothing
    }

    fn after_opener(&self) -> bool {
        matches!(self.last, Last::Token(index) if is_open(self.plan.kind(index)))
    }

    /// Indentation of a line that starts with token `b` (`for_comment`: with a comment that comes before
    /// token `b`).
    fn indent_for(&self, b: usize, for_comment: bool) -> usize {
        use TokenKind as T;
        let top = self.top();
        if top.closer == Some(b) {
            return if for_comment { top.inner } else { top.indent };
        }
        if !top.holds_units() {
            return top.inner;
        }
        let kind = self.plan.kind(b);
        // A block's `{` only starts a line after a line comment: it then lines up with its statement.
        let statement_brace =
            !for_comment && self.plan.opener[b].is_some_and(|opener| opener.statement);
        let continues_statement = !(self.plan.unit_start[b]
            || statement_brace
            || *kind == T::Eof
            || matches!(kind, T::Else | T::Elif | T::Catch));
        if continues_statement && !(for_comment && self.plan.closes_units(b)) {
            top.inner + INDENT
        } else {
            top.inner
        }
    }

    fn newline(&mut self, blank: bool, indent: usize) {
        self.out.push('\n');
        if blank {
            self.out.push('\n');
        }
        self.out.extend(std::iter::repeat_n(' ', indent));
        self.line_indent = indent;
        self.line_has_code = false;
        self.must_break = false;
    }

    fn comment(&mut self, comment: &Comment, next: usize) {
        if self.nothing_printed() {
            // The file starts with it.
        } else if comment.newlines_before == 0 && !self.must_break {
            let hug = comment.kind == CommentKind::Block
                && matches!(self.last, Last::Token(index)
                    if matches!(self.plan.kind(index), TokenKind::LParen | TokenKind::LBracket));
            if !hug {
                self.out.push(' ');
            }
        } else {
            let blank = comment.newlines_before >= 2 && !self.after_opener();
            let indent = self.indent_for(next, true);
            self.newline(blank, indent);
        }
        self.out.push_str(&comment.text);
        self.last = Last::Comment(comment.kind);
        self.must_break = comment.kind != CommentKind::Block;
    }

    fn before_token(&mut self, prev: Option<usize>, b: usize, newlines: u32) {
        if self.nothing_printed() {
            return;
        }
        let is_closer = is_close(self.plan.kind(b));
        let blank = newlines >= 2 && !is_closer && !self.after_opener();
        let forced = prev.is_some_and(|a| self.plan.forced_line(a, b));
        let break_line = if self.must_break {
            true
        } else if forced {
            // A statement may follow a block comment that starts its line: `/* c */ x = 1;`.
            self.line_has_code || !self.plan.unit_start[b]
        } else {
            newlines > 0 && prev.is_some_and(|a| self.plan.breakable(a, b))
        };
        if break_line {
            let indent = self.indent_for(b, false);
            self.newline(blank, indent);
            return;
        }
        let space = match self.last {
            Last::Comment(_) => !self.plan.hugs_left(b),
            Last::AddedComma => true,
            Last::Token(a) => self.plan.space_between(a, b),
            Last::Nothing => false,
        };
        if space {
            self.out.push(' ');
        }
    }

    fn token(&mut self, index: usize) {
        let token = &self.plan.tokens[index];
        let kind = &token.kind;
        if is_close(kind) && self.top().closer == Some(index) && self.frames.len() > 1 {
            self.frames.pop();
        }
        let text = self
            .plan
            .text
            .get(token.start as usize..token.end as usize)
            .unwrap_or_default();
        self.out.push_str(text);
        self.line_has_code = true;
        self.last = Last::Token(index);
        if self.plan.add_comma[index] {
            self.out.push(',');
            self.last = Last::AddedComma;
        }
        if is_open(kind) {
            let opener = self.plan.opener[index].unwrap_or_else(Opener::group);
            let top = self.top();
            let indent = if opener.statement && top.holds_units() {
                top.inner
            } else {
                self.line_indent
            };
            self.frames.push(Frame {
                role: Some(opener.role),
                closer: self.plan.partner[index],
                indent,
                inner: indent + INDENT,
            });
        }
    }
}
