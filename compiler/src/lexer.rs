//! The lexer: source text to [`Token`]s with [`Span`]s, plus diagnostics for malformed input.
//!
//! Lexing never stops at an error. A character that cannot start a token is reported and skipped, an
//! integer literal that is too large is reported and becomes `0`, an unknown escape is reported and left
//! out of the string, and an unterminated string ends at the end of its line so that the rest of the file
//! is still lexed. The token list always ends with one [`TokenKind::Eof`].
//!
//! Comments (`// …` and nesting `/* … */`) are skipped, except `///` doc comments, which become
//! [`TokenKind::DocComment`] tokens so the parser can attach them to the next item, field or case.
//!
//! The lexer is written by hand rather than generated (for example with `logos`): nested comments, doc
//! comments, the `0..n` versus `1.5` decision and the error recovery above are each a few lines here and
//! awkward to express as a token regex.

use crate::diagnostics::Diagnostic;
use crate::source::{FileId, Span};

/// One token: what it is and where it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    /// What it is (with its value for names and literals).
    pub kind: TokenKind,
    /// Where it is.
    pub span: Span,
}

/// The kinds of tokens.
#[derive(Clone, Debug, PartialEq)]
pub enum TokenKind {
    /// A name that is not a keyword.
    Ident(String),
    /// An integer literal. Values up to `2^63` are kept (`2^63` is only valid after a unary minus,
    /// which the parser checks); larger ones are reported here and become `0`.
    Int(u64),
    /// A float literal.
    Float(f64),
    /// A string literal, escapes decoded.
    Str(String),
    /// A `///` comment line: its text without `///` and one following space.
    DocComment(String),

    /// `space`
    Space,
    /// `use`
    Use,
    /// `as`
    As,
    /// `export`
    Export,
    /// `proc`
    Proc,
    /// `fn`
    Fn,
    /// `give`
    Give,
    /// `return`
    Return,
    /// `let`
    Let,
    /// `mut`
    Mut,
    /// `set`
    Set,
    /// `const`
    Const,
    /// `form`
    Form,
    /// `struct`
    Struct,
    /// `pick`
    Pick,
    /// `enum`
    Enum,
    /// `case`
    Case,
    /// `match`
    Match,
    /// `if`
    If,
    /// `elif`
    Elif,
    /// `else`
    Else,
    /// `while`
    While,
    /// `loop`
    Loop,
    /// `for`
    For,
    /// `in`
    In,
    /// `break`
    Break,
    /// `continue`
    Continue,
    /// `and`
    And,
    /// `or`
    Or,
    /// `not`
    Not,
    /// `true`
    True,
    /// `false`
    False,
    /// `null`
    Null,
    /// `try`
    Try,
    /// `catch`
    Catch,
    /// `throw`
    Throw,
    /// `spawn`
    Spawn,

    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `{`
    LBrace,
    /// `}`
    RBrace,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `,`
    Comma,
    /// `;`
    Semi,
    /// `:`
    Colon,
    /// `.`
    Dot,
    /// `..`
    DotDot,
    /// `..=`
    DotDotEq,
    /// `->`
    Arrow,
    /// `=>`
    FatArrow,
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `*`
    Star,
    /// `/`
    Slash,
    /// `%`
    Percent,
    /// `+=`
    PlusEq,
    /// `-=`
    MinusEq,
    /// `*=`
    StarEq,
    /// `/=`
    SlashEq,
    /// `%=`
    PercentEq,
    /// `=`
    Eq,
    /// `==`
    EqEq,
    /// `!=`
    NotEq,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `&&`
    AndAnd,
    /// `||`
    OrOr,
    /// `!`
    Bang,
    /// `?`
    Question,
    /// The end of the file.
    Eof,
}

/// Every keyword with its token, in the order of the language page.
pub const KEYWORDS: &[(&str, TokenKind)] = &[
    ("space", TokenKind::Space),
    ("use", TokenKind::Use),
    ("as", TokenKind::As),
    ("export", TokenKind::Export),
    ("proc", TokenKind::Proc),
    ("fn", TokenKind::Fn),
    ("give", TokenKind::Give),
    ("return", TokenKind::Return),
    ("let", TokenKind::Let),
    ("mut", TokenKind::Mut),
    ("set", TokenKind::Set),
    ("const", TokenKind::Const),
    ("form", TokenKind::Form),
    ("struct", TokenKind::Struct),
    ("pick", TokenKind::Pick),
    ("enum", TokenKind::Enum),
    ("case", TokenKind::Case),
    ("match", TokenKind::Match),
    ("if", TokenKind::If),
    ("elif", TokenKind::Elif),
    ("else", TokenKind::Else),
    ("while", TokenKind::While),
    ("loop", TokenKind::Loop),
    ("for", TokenKind::For),
    ("in", TokenKind::In),
    ("break", TokenKind::Break),
    ("continue", TokenKind::Continue),
    ("and", TokenKind::And),
    ("or", TokenKind::Or),
    ("not", TokenKind::Not),
    ("true", TokenKind::True),
    ("false", TokenKind::False),
    ("null", TokenKind::Null),
    ("try", TokenKind::Try),
    ("catch", TokenKind::Catch),
    ("throw", TokenKind::Throw),
    ("spawn", TokenKind::Spawn),
];

/// The keyword token spelled `text`, if `text` is a keyword.
pub fn keyword(text: &str) -> Option<TokenKind> {
    use TokenKind::*;
    Some(match text {
        "space" => Space,
        "use" => Use,
        "as" => As,
        "export" => Export,
        "proc" => Proc,
        "fn" => Fn,
        "give" => Give,
        "return" => Return,
        "let" => Let,
        "mut" => Mut,
        "set" => Set,
        "const" => Const,
        "form" => Form,
        "struct" => Struct,
        "pick" => Pick,
        "enum" => Enum,
        "case" => Case,
        "match" => Match,
        "if" => If,
        "elif" => Elif,
        "else" => Else,
        "while" => While,
        "loop" => Loop,
        "for" => For,
        "in" => In,
        "break" => Break,
        "continue" => Continue,
        "and" => And,
        "or" => Or,
        "not" => Not,
        "true" => True,
        "false" => False,
        "null" => Null,
        "try" => Try,
        "catch" => Catch,
        "throw" => Throw,
        "spawn" => Spawn,
        _ => return None,
    })
}

impl TokenKind {
    /// The keyword's spelling, if this is a keyword.
    pub fn keyword_text(&self) -> Option<&'static str> {
        KEYWORDS
            .iter()
            .find(|(_, kind)| kind == self)
            .map(|(word, _)| *word)
    }

    /// The punctuation's spelling, if this is an operator or punctuation.
    pub fn punct_text(&self) -> Option<&'static str> {
        use TokenKind::*;
        Some(match self {
            LParen => "(",
            RParen => ")",
            LBrace => "{",
            RBrace => "}",
            LBracket => "[",
            RBracket => "]",
            Comma => ",",
            Semi => ";",
            Colon => ":",
            Dot => ".",
            DotDot => "..",
            DotDotEq => "..=",
            Arrow => "->",
            FatArrow => "=>",
            Plus => "+",
            Minus => "-",
            Star => "*",
            Slash => "/",
            Percent => "%",
            PlusEq => "+=",
            MinusEq => "-=",
            StarEq => "*=",
            SlashEq => "/=",
            PercentEq => "%=",
            Eq => "=",
            EqEq => "==",
            NotEq => "!=",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
            AndAnd => "&&",
            OrOr => "||",
            Bang => "!",
            Question => "?",
            _ => return None,
        })
    }

    /// How the token is named in a message: `'('`, `keyword 'match'`, `name 'x'`, `end of file`, ….
    pub fn describe(&self) -> String {
        if let Some(word) = self.keyword_text() {
            return format!("keyword '{word}'");
        }
        if let Some(punct) = self.punct_text() {
            return format!("'{punct}'");
        }
        match self {
            TokenKind::Ident(name) => format!("name '{name}'"),
            TokenKind::Int(_) => "an integer".to_string(),
            TokenKind::Float(_) => "a float".to_string(),
            TokenKind::Str(_) => "a string".to_string(),
            TokenKind::DocComment(_) => "a doc comment".to_string(),
            _ => "end of file".to_string(),
        }
    }
}

/// Splits `text` (the contents of file `file`) into tokens, ending with [`TokenKind::Eof`], and reports
/// every lexical error. Never fails.
pub fn lex(file: FileId, text: &str) -> (Vec<Token>, Vec<Diagnostic>) {
    let mut lexer = Lexer {
        file,
        text,
        bytes: text.as_bytes(),
        pos: 0,
        tokens: Vec::new(),
        diags: Vec::new(),
    };
    lexer.run();
    (lexer.tokens, lexer.diags)
}

/// `i64::MAX + 1`, the magnitude of `i64::MIN`: the largest literal the lexer keeps.
pub const INT_LITERAL_LIMIT: u64 = 1 << 63;

struct Lexer<'a> {
    file: FileId,
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    tokens: Vec<Token>,
    diags: Vec<Diagnostic>,
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl Lexer<'_> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start as u32, end as u32)
    }

    fn error(&mut self, start: usize, end: usize, message: impl Into<String>) {
        self.diags
            .push(Diagnostic::error(self.span(start, end), message));
    }

    fn push(&mut self, kind: TokenKind, start: usize) {
        let span = self.span(start, self.pos);
        self.tokens.push(Token { kind, span });
    }

    fn byte(&self, offset: usize) -> Option<u8> {
        self.bytes.get(self.pos + offset).copied()
    }

    /// The character at byte offset `at` (which is always a character boundary here).
    fn char_at(&self, at: usize) -> Option<char> {
        self.text.get(at..).and_then(|rest| rest.chars().next())
    }

    fn run(&mut self) {
        if self.text.starts_with('\u{feff}') {
            self.pos = '\u{feff}'.len_utf8();
        }
        while let Some(b) = self.byte(0) {
            let start = self.pos;
            match b {
                b' ' | b'\t' | b'\r' | b'\n' => self.pos += 1,
                b'/' if self.byte(1) == Some(b'/') => self.line_comment(),
                b'/' if self.byte(1) == Some(b'*') => self.block_comment(),
                b'"' => self.string(),
                b'\'' => self.single_quoted(),
                b'0'..=b'9' => self.number(),
                _ if is_ident_start(b) => self.ident(),
                _ => {
                    if let Some((kind, len)) = self.punct() {
                        self.pos += len;
                        self.push(kind, start);
                    } else {
                        self.bad_chars();
                    }
                }
            }
        }
        let end = self.bytes.len();
        self.tokens.push(Token {
            kind: TokenKind::Eof,
            span: self.span(end, end),
        });
    }

    fn line_comment(&mut self) {
        let start = self.pos;
        let end = self.text[start..]
            .find('\n')
            .map_or(self.bytes.len(), |i| start + i);
        let is_doc = self.byte(2) == Some(b'/') && self.byte(3) != Some(b'/');
        self.pos = end;
        if is_doc {
            let body = self.text[start + 3..end].trim_end_matches('\r');
            let body = body.strip_prefix(' ').unwrap_or(body);
            self.push(TokenKind::DocComment(body.to_string()), start);
        }
    }

    fn block_comment(&mut self) {
        let start = self.pos;
        self.pos += 2;
        let mut depth = 1usize;
        while depth > 0 {
            match (self.byte(0), self.byte(1)) {
                (None, _) => {
                    self.error(start, start + 2, "unterminated block comment");
                    return;
                }
                (Some(b'/'), Some(b'*')) => {
                    depth += 1;
                    self.pos += 2;
                }
                (Some(b'*'), Some(b'/')) => {
                    depth -= 1;
                    self.pos += 2;
                }
                _ => self.pos += 1,
            }
        }
    }

    fn ident(&mut self) {
        let start = self.pos;
        while self.byte(0).is_some_and(is_ident_continue) {
            self.pos += 1;
        }
        let text = &self.text[start..self.pos];
        let kind = keyword(text).unwrap_or_else(|| TokenKind::Ident(text.to_string()));
        self.push(kind, start);
    }

    fn punct(&self) -> Option<(TokenKind, usize)> {
        use TokenKind::*;
        let b0 = self.byte(0)?;
        let b1 = self.byte(1);
        let b2 = self.byte(2);
        let two = |kind: TokenKind| Some((kind, 2));
        match (b0, b1) {
            (b'.', Some(b'.')) if b2 == Some(b'=') => Some((DotDotEq, 3)),
            (b'.', Some(b'.')) => two(DotDot),
            (b'-', Some(b'>')) => two(Arrow),
            (b'=', Some(b'>')) => two(FatArrow),
            (b'+', Some(b'=')) => two(PlusEq),
            (b'-', Some(b'=')) => two(MinusEq),
            (b'*', Some(b'=')) => two(StarEq),
            (b'/', Some(b'=')) => two(SlashEq),
            (b'%', Some(b'=')) => two(PercentEq),
            (b'=', Some(b'=')) => two(EqEq),
            (b'!', Some(b'=')) => two(NotEq),
            (b'<', Some(b'=')) => two(Le),
            (b'>', Some(b'=')) => two(Ge),
            (b'&', Some(b'&')) => two(AndAnd),
            (b'|', Some(b'|')) => two(OrOr),
            _ => {
                let kind = match b0 {
                    b'(' => LParen,
                    b')' => RParen,
                    b'{' => LBrace,
                    b'}' => RBrace,
                    b'[' => LBracket,
                    b']' => RBracket,
                    b',' => Comma,
                    b';' => Semi,
                    b':' => Colon,
                    b'.' => Dot,
                    b'+' => Plus,
                    b'-' => Minus,
                    b'*' => Star,
                    b'/' => Slash,
                    b'%' => Percent,
                    b'=' => Eq,
                    b'<' => Lt,
                    b'>' => Gt,
                    b'!' => Bang,
                    b'?' => Question,
                    _ => return None,
                };
                Some((kind, 1))
            }
        }
    }

    /// Reports a run of characters that cannot start a token as one diagnostic and skips it.
    fn bad_chars(&mut self) {
        let start = self.pos;
        if let Some(single @ (b'&' | b'|')) = self.byte(0) {
            // Reported, then read as the operator that was most likely meant.
            self.pos += 1;
            let (c, word, kind) = if single == b'&' {
                ('&', "and", TokenKind::AndAnd)
            } else {
                ('|', "or", TokenKind::OrOr)
            };
            self.error(
                start,
                self.pos,
                format!("unexpected character '{c}'; write '{c}{c}' or '{word}'"),
            );
            self.push(kind, start);
            return;
        }
        while let Some(b) = self.byte(0) {
            let starts_token = b.is_ascii_whitespace()
                || is_ident_start(b)
                || b.is_ascii_digit()
                || b == b'"'
                || b == b'\''
                || self.punct().is_some()
                || b == b'&'
                || b == b'|';
            if starts_token && self.pos > start {
                break;
            }
            let len = self.char_at(self.pos).map_or(1, char::len_utf8);
            self.pos += len;
        }
        let chars = &self.text[start..self.pos];
        let message = if chars.chars().count() == 1 {
            format!("unexpected character '{chars}'")
        } else {
            format!("unexpected characters '{chars}'")
        };
        self.error(start, self.pos, message);
    }

    fn number(&mut self) {
        let start = self.pos;
        let radix = match (self.byte(0), self.byte(1)) {
            (Some(b'0'), Some(b'x' | b'X')) => 16,
            (Some(b'0'), Some(b'b' | b'B')) => 2,
            _ => 10,
        };
        if radix != 10 {
            self.pos += 2;
            self.radix_int(start, radix);
            return;
        }
        let mut is_float = false;
        self.digits();
        if self.byte(0) == Some(b'.') && self.byte(1).is_some_and(|b| b.is_ascii_digit()) {
            is_float = true;
            self.pos += 1;
            self.digits();
        }
        if matches!(self.byte(0), Some(b'e' | b'E')) {
            let sign = usize::from(matches!(self.byte(1), Some(b'+' | b'-')));
            if self.byte(1 + sign).is_some_and(|b| b.is_ascii_digit()) {
                is_float = true;
                self.pos += 1 + sign;
                self.digits();
            }
        }
        if self.bad_suffix(start) {
            return;
        }
        let clean: String = self.text[start..self.pos]
            .chars()
            .filter(|&c| c != '_')
            .collect();
        if is_float {
            let value = clean.parse::<f64>().unwrap_or(0.0);
            if value.is_infinite() {
                self.error(start, self.pos, "float literal is too large");
                self.push(TokenKind::Float(0.0), start);
            } else {
                self.push(TokenKind::Float(value), start);
            }
        } else {
            let value = self.int_value(start, &clean, 10);
            self.push(TokenKind::Int(value), start);
        }
    }

    fn digits(&mut self) {
        while self
            .byte(0)
            .is_some_and(|b| b.is_ascii_digit() || b == b'_')
        {
            self.pos += 1;
        }
    }

    /// After a number, letters or digits that cannot belong to it make the whole word an error.
    fn bad_suffix(&mut self, start: usize) -> bool {
        if !self.byte(0).is_some_and(is_ident_continue) {
            return false;
        }
        while self.byte(0).is_some_and(is_ident_continue) {
            self.pos += 1;
        }
        let word = &self.text[start..self.pos];
        self.error(start, self.pos, format!("invalid number literal '{word}'"));
        self.push(TokenKind::Int(0), start);
        true
    }

    fn radix_int(&mut self, start: usize, radix: u32) {
        let digits_start = self.pos;
        while self.byte(0).is_some_and(is_ident_continue) {
            self.pos += 1;
        }
        let digits: String = self.text[digits_start..self.pos]
            .chars()
            .filter(|&c| c != '_')
            .collect();
        let valid = !digits.is_empty() && digits.chars().all(|c| c.is_digit(radix));
        if !valid {
            let word = &self.text[start..self.pos];
            self.error(start, self.pos, format!("invalid number literal '{word}'"));
            self.push(TokenKind::Int(0), start);
            return;
        }
        let value = self.int_value(start, &digits, radix);
        self.push(TokenKind::Int(value), start);
    }

    /// The value of valid `digits`; above `2^63` reports `integer literal is too large` and gives 0.
    fn int_value(&mut self, start: usize, digits: &str, radix: u32) -> u64 {
        match u64::from_str_radix(digits, radix) {
            Ok(value) if value <= INT_LITERAL_LIMIT => value,
            _ => {
                self.error(start, self.pos, "integer literal is too large");
                0
            }
        }
    }

    fn string(&mut self) {
        let start = self.pos;
        let (content_end, end) = match self.string_end(start + 1) {
            Some(close) => (close, close + 1),
            None => {
                self.error(start, start + 1, "unterminated string");
                let line_end = self.text[start..]
                    .find('\n')
                    .map_or(self.bytes.len(), |i| start + i);
                let line_end = if self.text[start..line_end].ends_with('\r') {
                    line_end - 1
                } else {
                    line_end
                };
                (line_end, line_end)
            }
        };
        let value = self.decode(start + 1, content_end);
        self.pos = end;
        self.push(TokenKind::Str(value), start);
    }

    /// `'text'`: reported (strings use double quotes) and read as the string it was meant to be. A lone
    /// `'` (no closing one on its line) is just an unexpected character.
    fn single_quoted(&mut self) {
        let start = self.pos;
        let line_end = self.text[start..]
            .find('\n')
            .map_or(self.bytes.len(), |i| start + i);
        let Some(close) = self.text[start + 1..line_end]
            .find('\'')
            .map(|i| start + 1 + i)
        else {
            self.pos += 1;
            self.error(
                start,
                self.pos,
                "unexpected single quote; strings are written with double quotes",
            );
            return;
        };
        self.error(
            start,
            close + 1,
            "strings are written with double quotes: \"…\"",
        );
        let value = self.decode(start + 1, close);
        self.pos = close + 1;
        self.push(TokenKind::Str(value), start);
    }

    /// Byte offset of the closing `"` of a string whose contents start at `from`.
    fn string_end(&self, from: usize) -> Option<usize> {
        let mut at = from;
        while let Some(&b) = self.bytes.get(at) {
            match b {
                b'"' => return Some(at),
                b'\\' => at += 2,
                _ => at += 1,
            }
        }
        None
    }

    /// Decodes the escapes of the string contents `from..to`, reporting bad ones.
    fn decode(&mut self, from: usize, to: usize) -> String {
        let mut out = String::with_capacity(to.saturating_sub(from));
        let mut at = from;
        while at < to {
            let Some(c) = self.char_at(at) else { break };
            if c != '\\' {
                out.push(c);
                at += c.len_utf8();
                continue;
            }
            let escape_start = at;
            at += 1;
            let Some(e) = self.char_at(at).filter(|_| at < to) else {
                self.error(escape_start, at, "expected an escape character after '\\'");
                break;
            };
            at += e.len_utf8();
            match e {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                '\\' => out.push('\\'),
                '"' => out.push('"'),
                '0' => out.push('\0'),
                'u' => {
                    let (value, next) = self.unicode_escape(escape_start, at, to);
                    out.extend(value);
                    at = next;
                }
                '\n' | '\r' => {
                    self.error(
                        escape_start,
                        at - e.len_utf8(),
                        "expected an escape character after '\\'",
                    );
                    out.push(e);
                }
                other => {
                    self.error(
                        escape_start,
                        at,
                        format!("unknown escape sequence '\\{other}'"),
                    );
                }
            }
        }
        out
    }

    /// Decodes `{HEX}` at `at` after `\u` (which started at `escape_start`); gives the character and the
    /// offset after the escape.
    fn unicode_escape(
        &mut self,
        escape_start: usize,
        at: usize,
        to: usize,
    ) -> (Option<char>, usize) {
        let rest = &self.text[at..to];
        let malformed = "invalid unicode escape; write '\\u{' then 1 to 6 hex digits and '}'";
        let Some(body) = rest.strip_prefix('{') else {
            self.error(escape_start, at, malformed);
            return (None, at);
        };
        let Some(close) = body.find('}') else {
            self.error(escape_start, at, malformed);
            return (None, at);
        };
        let hex = &body[..close];
        let next = at + 1 + close + 1;
        if hex.is_empty() || hex.len() > 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            self.error(escape_start, next, malformed);
            return (None, next);
        }
        let value = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32);
        if value.is_none() {
            self.error(
                escape_start,
                next,
                format!("invalid unicode escape '\\u{{{hex}}}': not a unicode scalar value"),
            );
        }
        (value, next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<TokenKind> {
        lex(FileId(0), text).0.into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn range_is_not_a_float() {
        use TokenKind::*;
        assert_eq!(kinds("0..n"), vec![Int(0), DotDot, Ident("n".into()), Eof]);
        assert_eq!(kinds("1.5"), vec![Float(1.5), Eof]);
    }
}
