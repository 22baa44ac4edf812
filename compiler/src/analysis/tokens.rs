//! Semantic tokens: every token of a file classified for highlighting, names by what the checker
//! resolved them to (a parameter, a form, a pick case, a built-in, …), plus comments, which the lexer
//! skips and which are found in the gaps between tokens.

use std::collections::HashMap;

use crate::check::{Owner, Symbol};
use crate::lexer::{self, TokenKind};
use crate::source::{FileId, Span};

use super::ProgramAnalysis;

/// What a token is, for highlighting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenClass {
    /// A `use` alias.
    Namespace,
    /// A built-in type name (`int`, `Map`).
    Type,
    /// A form.
    Form,
    /// A pick.
    Pick,
    /// A pick case.
    Case,
    /// A procedure parameter.
    Parameter,
    /// A local or global variable, or a constant (with [`TokenModifiers::readonly`]).
    Variable,
    /// A field of a form or a pick case.
    Field,
    /// A procedure or built-in.
    Proc,
    /// A keyword (also `true`, `false`, `null`).
    Keyword,
    /// A comment (`///` doc comments too, with [`TokenModifiers::documentation`]).
    Comment,
    /// A string literal.
    String,
    /// A number literal.
    Number,
    /// An operator.
    Operator,
}

/// Extra facts about a token.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TokenModifiers {
    /// The name is declared here.
    pub declaration: bool,
    /// A constant.
    pub readonly: bool,
    /// A built-in.
    pub default_library: bool,
    /// A `///` doc comment.
    pub documentation: bool,
}

/// One classified token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SemanticToken {
    /// Where it is (may span lines: block comments).
    pub span: Span,
    /// What it is.
    pub class: TokenClass,
    /// Extra facts.
    pub modifiers: TokenModifiers,
}

/// The classified tokens of `file`, in source order; tokens that need no colour (punctuation,
/// unresolved names) are left out.
pub fn semantic_tokens(pa: &ProgramAnalysis, file: FileId) -> Vec<SemanticToken> {
    let text = pa.text(file);
    let (tokens, _) = lexer::lex(file, text);
    let resolved: HashMap<u32, (Symbol, bool)> = pa
        .analysis
        .references
        .iter()
        .filter(|r| r.span.file == file)
        .map(|r| (r.span.start, (r.symbol, r.is_definition)))
        .collect();
    let mut out = Vec::new();
    let mut last_end = 0u32;
    for token in &tokens {
        comments_between(text, file, last_end, token.span.start, &mut out);
        last_end = last_end.max(token.span.end);
        let mut modifiers = TokenModifiers::default();
        let class = match &token.kind {
            TokenKind::Ident(name) => match resolved.get(&token.span.start) {
                Some(&(symbol, definition)) => {
                    modifiers.declaration = definition;
                    match classify(pa, symbol, &mut modifiers) {
                        Some(class) => class,
                        None => continue,
                    }
                }
                None if is_type_name(name) => TokenClass::Type,
                None => continue,
            },
            TokenKind::Int(_) | TokenKind::Float(_) => TokenClass::Number,
            TokenKind::Str(_) => TokenClass::String,
            TokenKind::DocComment(_) => {
                modifiers.documentation = true;
                TokenClass::Comment
            }
            TokenKind::Eof => break,
            kind if kind.keyword_text().is_some() => TokenClass::Keyword,
            kind if is_operator(kind) => TokenClass::Operator,
            _ => continue,
        };
        out.push(SemanticToken {
            span: token.span,
            class,
            modifiers,
        });
    }
    comments_between(text, file, last_end, text.len() as u32, &mut out);
    out
}

fn classify(
    pa: &ProgramAnalysis,
    symbol: Symbol,
    modifiers: &mut TokenModifiers,
) -> Option<TokenClass> {
    let a = &pa.analysis;
    Some(match symbol {
        Symbol::Local(id) => {
            let is_param = a
                .locals
                .get(id as usize)
                .is_some_and(|local| match local.owner {
                    Owner::Proc(proc) => a
                        .procs
                        .get(proc as usize)
                        .is_some_and(|p| p.params.contains(&id)),
                    Owner::Init(_) => false,
                });
            if is_param {
                TokenClass::Parameter
            } else {
                TokenClass::Variable
            }
        }
        Symbol::Global(_) => TokenClass::Variable,
        Symbol::Const(_) => {
            modifiers.readonly = true;
            TokenClass::Variable
        }
        Symbol::Proc(_) => TokenClass::Proc,
        Symbol::Builtin(_) => {
            modifiers.default_library = true;
            TokenClass::Proc
        }
        Symbol::Form(_) => TokenClass::Form,
        Symbol::Pick(_) => TokenClass::Pick,
        Symbol::Case(..) => TokenClass::Case,
        Symbol::Field(..) | Symbol::CaseField(..) => TokenClass::Field,
        Symbol::Module(_) => TokenClass::Namespace,
    })
}

fn is_type_name(name: &str) -> bool {
    matches!(
        name,
        "int" | "i64" | "float" | "f64" | "bool" | "string" | "void" | "Map" | "Thread" | "Chan"
    )
}

fn is_operator(kind: &TokenKind) -> bool {
    use TokenKind::*;
    matches!(
        kind,
        Plus | Minus
            | Star
            | Slash
            | Percent
            | PlusEq
            | MinusEq
            | StarEq
            | SlashEq
            | PercentEq
            | Eq
            | EqEq
            | NotEq
            | Lt
            | Le
            | Gt
            | Ge
            | AndAnd
            | OrOr
            | Bang
            | Question
            | DotDot
            | DotDotEq
            | Arrow
            | FatArrow
    )
}

/// Pushes the `//` and `/* */` comments in `text[from..to]` (a gap between tokens).
fn comments_between(text: &str, file: FileId, from: u32, to: u32, out: &mut Vec<SemanticToken>) {
    let bytes = text.as_bytes();
    let (mut i, to) = (from as usize, (to as usize).min(bytes.len()));
    while i + 1 < to {
        if bytes[i] == b'/' && bytes[i + 1] == b'/' {
            let end = text[i..to].find('\n').map_or(to, |n| i + n);
            out.push(comment(file, i, end));
            i = end;
        } else if bytes[i] == b'/' && bytes[i + 1] == b'*' {
            let mut depth = 0;
            let mut j = i;
            while j + 1 < to {
                if bytes[j] == b'/' && bytes[j + 1] == b'*' {
                    depth += 1;
                    j += 2;
                } else if bytes[j] == b'*' && bytes[j + 1] == b'/' {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            let end = if depth == 0 { j } else { to };
            out.push(comment(file, i, end));
            i = end;
        } else {
            i += 1;
        }
    }
}

fn comment(file: FileId, start: usize, end: usize) -> SemanticToken {
    SemanticToken {
        span: Span::new(file, start as u32, end as u32),
        class: TokenClass::Comment,
        modifiers: TokenModifiers::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::test_support::with_cursor;

    #[test]
    fn names_by_what_they_denote() {
        let (pa, _) = with_cursor(
            "// hi\nconst N: int = 1;\nproc f(a: int) -> int { /* x */ give a + N; }\nproc main() { print(f(2)); }$0\n",
            &[],
        );
        let text = pa.text(pa.root());
        let shown: Vec<String> = semantic_tokens(&pa, pa.root())
            .iter()
            .map(|t| {
                format!(
                    "{}:{:?}",
                    &text[t.span.start as usize..t.span.end as usize],
                    t.class
                )
            })
            .collect();
        assert_eq!(
            shown.join(" "),
            "// hi:Comment const:Keyword N:Variable int:Type =:Operator 1:Number proc:Keyword f:Proc a:Parameter \
             int:Type ->:Operator int:Type /* x */:Comment give:Keyword a:Parameter +:Operator N:Variable \
             proc:Keyword main:Proc print:Proc f:Proc 2:Number"
        );
    }
}
