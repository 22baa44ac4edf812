//! `vitte fmt`: the one canonical layout of Vitte source, from the token stream and the syntax tree.
//!
//! [`format_source`] takes the text of one `.vit` file and gives it back laid out canonically, or a
//! [`FormatError`] when the file does not parse (a file with a syntax error is never formatted, so a
//! half-typed buffer is left alone). The `vitte fmt` command and the language server both call it.
//!
//! # Design
//! The formatter works like `gofmt` more than like a pretty printer that rebuilds the file from its
//! tree: it prints the file's own tokens, in order, with their own spelling (`fn` stays `fn`, `&&`
//! stays `&&`, `0xff` stays `0xff`, strings keep their escapes), and decides only what goes *between*
//! two tokens: nothing, a space, or a line break and an indentation. Three passes:
//!
//! 1. [`parse_file`](crate::parser::parse_file) checks the file and gives the syntax tree; any error
//!    stops here.
//! 2. [`tokens::scan`] lists the code tokens (from the lexer) and every comment between them (the lexer
//!    skips `//` and `/* */` comments, so the formatter reads them from the text between tokens, with
//!    the line breaks around each one). [`structure::analyze`] walks the tree once and records, by
//!    token position, what the parser knows and the tokens do not: whether a `{` opens a block, the
//!    arms of a `match`, a form literal or a map; whether a `(` is a call or a parenthesised
//!    expression; whether a `-` is a negation; where each item, statement and match arm starts.
//! 3. [`layout::layout`] prints the tokens one by one, deciding each gap from the two tokens around
//!    it, the brackets that are open, and the comments and line breaks the gap had in the original.
//!
//! Comments are tokens of the stream like any other, so none can be lost or reordered; a final check
//! re-lexes the output and compares its tokens and comments with the input's (it fails with
//! [`FormatErrorKind::Internal`] instead of ever returning text that would change the program).
//! Because every decision depends only on things the output preserves, formatting the output again
//! changes nothing: `format_source(format_source(x)) == format_source(x)`.
//!
//! # Layout rules
//! - Indentation is 4 spaces per level; no tabs, no trailing whitespace, `\n` line ends, exactly one
//!   final newline (an empty file stays empty).
//! - Every item, `use` and `space` declaration, statement and `match` arm starts its own line; blocks
//!   and `match` bodies are written `{` on the line of their header, contents indented one level, `}`
//!   on a line of its own. `} else {`, `} elif c {` and `} catch e {` share a line. An empty block is
//!   `{}`.
//! - Blank lines the author left between lines are kept, at most one in a row; none right after a `{`,
//!   `(` or `[`, before the bracket that closes it, or at the start of the file.
//! - Spaces: one around binary operators, `=`, compound assignments, `->` and `=>`; one after `,`
//!   and `:`; none before `,`, `;`, `:` and `.`, none after `.`, none around `..` and `..=`, none after
//!   unary `-` and `!` (`not x` keeps its space), none after `?` in types, none inside `(…)` and `[…]`,
//!   none between a name and its call parentheses, index or type arguments (`f(x)`, `xs[0]`,
//!   `Map[string, int]`), none around `/` and `..` in `use` and `space` paths. Form literals and
//!   one-line `form`/`pick` bodies have spaces inside their braces (`Point { x: 1 }`), map literals do
//!   not (`{"a": 1}`).
//! - Comments stay where they are relative to the code: a comment that followed code on its line stays
//!   at the end of that line (after one space), a comment on its own line stays on its own line,
//!   indented like the code that follows it (like the code inside, for a comment just before a
//!   closing `}`). The text of a comment is kept as written, minus trailing whitespace; the inner lines
//!   of a multi-line block comment are not re-indented. Line comments, `/* */` block comments (also
//!   nested ones) and `///` doc comments are all kept.
//!
//! # Long lines
//! There is no line width and the formatter never breaks or joins a line on its own, except for the
//! rules above. Inside a statement it keeps the author's line breaks at the places where a break reads
//! well, and only there: after a `,`, after an opening `(`, `[` or literal `{`, before the bracket that
//! closes it, before or after a binary operator, and after `=`, `=>` or a compound assignment. Line
//! breaks anywhere else inside a statement are removed. A line that continues a statement is indented
//! one level more than the statement; a line inside brackets one level more than the line where the
//! bracket opened, and the closing bracket goes back to that line's indentation. A comma list (call
//! arguments, parameters, array, map and form literals, `form` and `pick` bodies, …) whose closing
//! bracket is on its own line gets a trailing comma after its last element; a list on one line loses
//! it. So a long call is broken by hand once, and the formatter keeps it that way:
//!
//! ```text
//! let total = add(
//!     first_value,
//!     second_value,
//! );
//! ```
//!
//! # Robustness
//! The formatter never panics and never loops: the tree walk and the printer are iterative, so even
//! deeply nested or very long expressions format on any thread's stack. The language server calls it on
//! half-typed buffers, which simply come back as a [`FormatErrorKind::Syntax`] error.

mod layout;
mod structure;
mod tokens;

#[cfg(test)]
mod tests;

use std::fmt;

use crate::diagnostics::{Diagnostic, Severity};
use crate::lexer::{self, TokenKind};
use crate::parser::parse_file;
use crate::source::{FileId, SourceMap, SourceText};

/// Why a file was not formatted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatErrorKind {
    /// The file has a syntax (or lexical) error; it is left as it is.
    Syntax,
    /// The formatter's own safety check failed: the layout would have changed the program's tokens or
    /// comments. This is a bug in the formatter; the file is left as it is.
    Internal,
}

/// Why [`format_source`] gave no text: where (1-based line and column, the column counting characters)
/// and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatError {
    /// Syntax error or formatter bug.
    pub kind: FormatErrorKind,
    /// 1-based line of the (first) problem.
    pub line: u32,
    /// 1-based column of the (first) problem, in characters.
    pub column: u32,
    /// What is wrong, as the compiler words it (lower-case start, no final period).
    pub message: String,
    /// Every syntax error of the file, in source order, with spans in `FileId(0)`; empty for an
    /// internal error.
    pub diagnostics: Vec<Diagnostic>,
}

impl FormatError {
    fn syntax(text: &str, diagnostics: Vec<Diagnostic>) -> FormatError {
        let source = SourceText::new("", text);
        let (line, column, message) = diagnostics.first().map_or_else(
            || (1, 1, "syntax error".to_string()),
            |first| {
                let (line, column) = source.line_col(first.span.start);
                (line, column, first.message.clone())
            },
        );
        FormatError {
            kind: FormatErrorKind::Syntax,
            line,
            column,
            message,
            diagnostics,
        }
    }

    fn internal(text: &str, offset: u32, what: &str) -> FormatError {
        let (line, column) = SourceText::new("", text).line_col(offset);
        FormatError {
            kind: FormatErrorKind::Internal,
            line,
            column,
            message: format!(
                "internal formatter error: {what}; the file was left unchanged (please report this)"
            ),
            diagnostics: Vec::new(),
        }
    }

    /// Renders the error for a person, the way the compiler renders diagnostics: for each syntax error
    /// `PATH:LINE:COL: error: MESSAGE`, the source line and a caret; for an internal error one
    /// `PATH:LINE:COL: error: MESSAGE` line. `text` is the file's text, as given to [`format_source`].
    pub fn render(&self, path: &str, text: &str) -> String {
        if self.diagnostics.is_empty() {
            return format!(
                "{path}:{}:{}: error: {}\n",
                self.line, self.column, self.message
            );
        }
        let mut sources = SourceMap::new();
        sources.add(path, text);
        crate::diagnostics::render_all(&self.diagnostics, &sources)
    }
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for FormatError {}

/// Formats the text of one Vitte source file: the canonical layout described in the
/// [module documentation](self), keeping every comment.
///
/// # Errors
/// [`FormatErrorKind::Syntax`] when the file does not parse (every syntax error is in
/// [`FormatError::diagnostics`]); [`FormatErrorKind::Internal`] if the formatter's own check finds that
/// its output would not be the same program (a bug; the text should then be left unchanged).
pub fn format_source(text: &str) -> Result<String, FormatError> {
    let (ast, diagnostics) = parse_file(FileId(0), text);
    let errors: Vec<Diagnostic> = diagnostics
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    if !errors.is_empty() {
        return Err(FormatError::syntax(text, errors));
    }
    let (lexed, lex_errors) = lexer::lex(FileId(0), text);
    if let Some(first) = lex_errors.first() {
        return Err(FormatError::syntax(text, vec![first.clone()]));
    }
    let stream = tokens::scan(text, lexed).map_err(|unexpected| {
        FormatError::internal(
            text,
            unexpected.offset,
            "unexpected text between two tokens",
        )
    })?;
    let structure = structure::analyze(&ast, &stream.tokens);
    let formatted = layout::layout(text, &stream, &structure);
    verify(text, &stream, &formatted)?;
    Ok(formatted)
}

/// Checks that `formatted` has the same tokens as the original (up to trailing commas, which the
/// layout adds and removes before closing brackets) and the same comments, in the same order.
fn verify(text: &str, original: &tokens::TokenStream, formatted: &str) -> Result<(), FormatError> {
    let (lexed, lex_errors) = lexer::lex(FileId(0), formatted);
    if !lex_errors.is_empty() {
        return Err(FormatError::internal(text, 0, "the output does not lex"));
    }
    let Ok(output) = tokens::scan(formatted, lexed) else {
        return Err(FormatError::internal(
            text,
            0,
            "the output has text outside of tokens and comments",
        ));
    };
    let significant = |stream: &tokens::TokenStream| -> Vec<(TokenKind, u32)> {
        let tokens = &stream.tokens;
        tokens
            .iter()
            .enumerate()
            .filter(|(index, token)| {
                let trailing_comma = token.kind == TokenKind::Comma
                    && tokens.get(index + 1).is_some_and(|next| {
                        matches!(
                            next.kind,
                            TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace
                        )
                    });
                !trailing_comma
            })
            .map(|(_, token)| (token.kind.clone(), token.start))
            .collect()
    };
    let before = significant(original);
    let after = significant(&output);
    if let Some(at) = (0..before.len().max(after.len()))
        .find(|&i| before.get(i).map(|t| &t.0) != after.get(i).map(|t| &t.0))
    {
        let offset = before.get(at).map_or(text.len() as u32, |t| t.1);
        return Err(FormatError::internal(
            text,
            offset,
            "the output's tokens differ",
        ));
    }
    let comments = |stream: &tokens::TokenStream| -> Vec<(String, u32)> {
        stream
            .gaps
            .iter()
            .flat_map(|gap| gap.comments.iter())
            .map(|comment| (comment.text.clone(), comment.start))
            .collect()
    };
    let before = comments(original);
    let after = comments(&output);
    if let Some(at) = (0..before.len().max(after.len()))
        .find(|&i| before.get(i).map(|c| &c.0) != after.get(i).map(|c| &c.0))
    {
        let offset = before.get(at).map_or(text.len() as u32, |c| c.1);
        return Err(FormatError::internal(
            text,
            offset,
            "the output's comments differ",
        ));
    }
    Ok(())
}
