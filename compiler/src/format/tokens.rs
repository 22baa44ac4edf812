//! The formatter's view of a file: the lexer's code tokens plus every comment, in source order.
//!
//! The lexer drops `//` and `/* … */` comments (it keeps only `///` doc comments). The formatter needs
//! all of them, so [`scan`] walks the text *between* consecutive lexer tokens, which in a file without
//! lexical errors holds nothing but whitespace and comments, and records each comment with the number of
//! line breaks before it. This keeps the lexer untouched: no comment-keeping mode is needed.
//!
//! The result is a list of code tokens (ending with [`TokenKind::Eof`]) and, for each token, the
//! [`Gap`] before it: the comments there and how many line breaks separate each piece from the one
//! before it. Blank lines, trailing comments (`x; // note`) and own-line comments are all told apart
//! from these counts.

use crate::lexer::{Token, TokenKind};

/// A token of code (never a comment) and where it is in the source.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct CodeToken {
    /// What it is.
    pub kind: TokenKind,
    /// Byte offset of its first byte.
    pub start: u32,
    /// Byte offset after its last byte.
    pub end: u32,
}

/// The three spellings of a comment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum CommentKind {
    /// `// …` to the end of the line (also `//// …`, which is not a doc comment).
    Line,
    /// `/* … */`, possibly nested and spanning lines.
    Block,
    /// `/// …`, a doc comment.
    Doc,
}

/// One comment, as it will be printed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Comment {
    /// Its spelling.
    pub kind: CommentKind,
    /// Its text, from the opening `//` or `/*`, with trailing whitespace removed from every line.
    pub text: String,
    /// Line breaks between the previous token or comment and this one.
    pub newlines_before: u32,
    /// Byte offset of its first byte in the source.
    pub start: u32,
}

/// What lies between two code tokens.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Gap {
    /// The comments, in order.
    pub comments: Vec<Comment>,
    /// Line breaks between the last comment (or the previous token, if none) and the next token.
    pub newlines_before_token: u32,
}

impl Gap {
    /// Whether the gap holds a line break anywhere, or a comment that runs to the end of its line.
    pub fn breaks_line(&self) -> bool {
        self.newlines_before_token > 0
            || self
                .comments
                .iter()
                .any(|c| c.newlines_before > 0 || c.kind != CommentKind::Block)
    }
}

/// A whole file as the formatter sees it.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct TokenStream {
    /// The code tokens; the last one is [`TokenKind::Eof`].
    pub tokens: Vec<CodeToken>,
    /// `gaps[i]` is what lies before `tokens[i]`.
    pub gaps: Vec<Gap>,
    /// The file starts with a byte order mark.
    pub bom: bool,
}

/// Something between two tokens that is neither whitespace nor a comment, or an unterminated comment.
/// Only possible in a file with lexical errors, which are rejected before this runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct UnexpectedText {
    /// Byte offset of the text.
    pub offset: u32,
}

const BOM: char = '\u{feff}';

/// Splits `text` into code tokens and comments. `lexed` is the lexer's output for `text`.
pub(super) fn scan(text: &str, lexed: Vec<Token>) -> Result<TokenStream, UnexpectedText> {
    let bom = text.starts_with(BOM);
    let mut scanner = Scanner {
        text,
        pos: if bom { BOM.len_utf8() } else { 0 },
        gap: Gap::default(),
        newlines: 0,
    };
    let mut tokens = Vec::with_capacity(lexed.len());
    let mut gaps = Vec::with_capacity(lexed.len());
    for token in lexed {
        let start = token.span.start as usize;
        let end = (token.span.end as usize).max(start);
        scanner.skip_to(start)?;
        if let TokenKind::DocComment(_) = token.kind {
            let raw = text.get(start..end).unwrap_or_default();
            scanner.push_comment(CommentKind::Doc, raw, start);
            scanner.pos = end;
            continue;
        }
        let is_eof = token.kind == TokenKind::Eof;
        scanner.gap.newlines_before_token = scanner.newlines;
        scanner.newlines = 0;
        gaps.push(std::mem::take(&mut scanner.gap));
        tokens.push(CodeToken {
            kind: token.kind,
            start: start as u32,
            end: end as u32,
        });
        scanner.pos = end;
        if is_eof {
            break;
        }
    }
    if tokens.last().is_none_or(|t| t.kind != TokenKind::Eof) {
        scanner.skip_to(text.len())?;
        scanner.gap.newlines_before_token = scanner.newlines;
        gaps.push(std::mem::take(&mut scanner.gap));
        let end = text.len() as u32;
        tokens.push(CodeToken {
            kind: TokenKind::Eof,
            start: end,
            end,
        });
    }
    Ok(TokenStream { tokens, gaps, bom })
}

struct Scanner<'a> {
    text: &'a str,
    pos: usize,
    gap: Gap,
    newlines: u32,
}

impl Scanner<'_> {
    fn push_comment(&mut self, kind: CommentKind, raw: &str, start: usize) {
        let text = match kind {
            CommentKind::Block => raw
                .split('\n')
                .map(str::trim_end)
                .collect::<Vec<_>>()
                .join("\n"),
            CommentKind::Line | CommentKind::Doc => raw.trim_end().to_string(),
        };
        self.gap.comments.push(Comment {
            kind,
            text,
            newlines_before: self.newlines,
            start: start as u32,
        });
        self.newlines = 0;
    }

    /// Reads whitespace and comments up to byte `to`, recording the comments in the current gap.
    fn skip_to(&mut self, to: usize) -> Result<(), UnexpectedText> {
        let bytes = self.text.as_bytes();
        while self.pos < to {
            let start = self.pos;
            match bytes[start] {
                b'\n' => {
                    self.newlines += 1;
                    self.pos += 1;
                }
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'/' if bytes.get(start + 1) == Some(&b'/') => {
                    let end = self.text[start..to]
                        .find('\n')
                        .map_or(to, |offset| start + offset);
                    let raw = &self.text[start..end];
                    self.push_comment(CommentKind::Line, raw, start);
                    self.pos = end;
                }
                b'/' if bytes.get(start + 1) == Some(&b'*') => {
                    let end = block_comment_end(bytes, start, to).ok_or(UnexpectedText {
                        offset: start as u32,
                    })?;
                    let raw = &self.text[start..end];
                    self.push_comment(CommentKind::Block, raw, start);
                    self.pos = end;
                }
                _ => {
                    return Err(UnexpectedText {
                        offset: start as u32,
                    });
                }
            }
        }
        Ok(())
    }
}

/// The offset after the `*/` that closes the (nesting) block comment opened at `start`, if it closes
/// before `limit`.
fn block_comment_end(bytes: &[u8], start: usize, limit: usize) -> Option<usize> {
    let mut at = start + 2;
    let mut depth = 1usize;
    while at < limit {
        match (bytes[at], bytes.get(at + 1).copied()) {
            (b'/', Some(b'*')) => {
                depth += 1;
                at += 2;
            }
            (b'*', Some(b'/')) => {
                depth -= 1;
                at += 2;
                if depth == 0 {
                    return (at <= limit).then_some(at);
                }
            }
            _ => at += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexer::lex;
    use crate::source::FileId;

    fn stream(text: &str) -> TokenStream {
        let (lexed, diagnostics) = lex(FileId(0), text);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        scan(text, lexed).expect("only whitespace and comments between tokens")
    }

    #[test]
    fn keeps_every_comment_with_its_line_breaks() {
        let s = stream("// a\n\n/* b /* c */ */ x /// d\n//// e\ny");
        assert_eq!(s.tokens.len(), 3);
        let before_x: Vec<(&str, u32)> = s.gaps[0]
            .comments
            .iter()
            .map(|c| (c.text.as_str(), c.newlines_before))
            .collect();
        assert_eq!(before_x, [("// a", 0), ("/* b /* c */ */", 2)]);
        assert_eq!(s.gaps[0].newlines_before_token, 0);
        let before_y: Vec<(CommentKind, &str, u32)> = s.gaps[1]
            .comments
            .iter()
            .map(|c| (c.kind, c.text.as_str(), c.newlines_before))
            .collect();
        assert_eq!(
            before_y,
            [
                (CommentKind::Doc, "/// d", 0),
                (CommentKind::Line, "//// e", 1)
            ]
        );
        assert_eq!(s.gaps[1].newlines_before_token, 1);
        assert!(s.gaps[2].comments.is_empty());
    }

    #[test]
    fn trims_trailing_whitespace_inside_comments_only() {
        let s = stream("x // a  \r\n/* b  \n c */ \"s  \"");
        let texts: Vec<&str> = s.gaps[1].comments.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["// a", "/* b\n c */"]);
        assert_eq!(s.tokens[1].end - s.tokens[1].start, 5);
    }

    #[test]
    fn byte_order_mark_is_noted() {
        let s = stream("\u{feff}x");
        assert!(s.bom);
        assert_eq!(s.tokens[0].kind, TokenKind::Ident("x".into()));
    }
}
