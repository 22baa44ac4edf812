//! Signature help: the call whose parentheses contain an offset, the signature of what it calls and
//! which argument the cursor is in. Found from the tokens rather than the tree, so that a call that
//! is still being typed (`area(1, `) gets help too.

use crate::builtins::Builtin;
use crate::check::Symbol;
use crate::lexer::{self, TokenKind};
use crate::source::FileId;

use super::ProgramAnalysis;
use super::hover::{CallSignature, builtin_signature, case_signature, proc_signature};
use super::navigate::reference_at;

/// Signature help at an offset.
#[derive(Clone, Debug, PartialEq)]
pub struct SignatureHelp {
    /// The called thing's signature.
    pub signature: CallSignature,
    /// The index of the argument the cursor is in.
    pub active_param: usize,
}

/// The signature help at `offset` of `file`.
pub fn signature_help(pa: &ProgramAnalysis, file: FileId, offset: u32) -> Option<SignatureHelp> {
    let text = pa.text(file);
    let (tokens, _) = lexer::lex(file, text);
    // Open parentheses before the cursor: (index of the `(` token, commas seen at its level).
    let mut open: Vec<(usize, usize)> = Vec::new();
    let mut depth_other = Vec::new();
    for (index, token) in tokens.iter().enumerate() {
        if token.span.start >= offset {
            break;
        }
        match token.kind {
            TokenKind::LParen => open.push((index, 0)),
            TokenKind::RParen => {
                open.pop();
            }
            TokenKind::LBracket | TokenKind::LBrace => depth_other.push(open.len()),
            TokenKind::RBracket | TokenKind::RBrace => {
                depth_other.pop();
            }
            TokenKind::Comma => {
                let inside_other = depth_other.last().is_some_and(|&d| d == open.len());
                if let (Some(last), false) = (open.last_mut(), inside_other) {
                    last.1 += 1;
                }
            }
            TokenKind::Semi => {
                open.clear();
                depth_other.clear();
            }
            _ => {}
        }
    }
    let (paren, commas) = *open.last()?;
    let callee = tokens.get(paren.checked_sub(1)?)?;
    let TokenKind::Ident(name) = &callee.kind else {
        return None;
    };
    let signature = match reference_at(pa, file, callee.span.start).map(|r| r.symbol) {
        Some(Symbol::Proc(id)) => proc_signature(pa, id)?,
        Some(Symbol::Case(pick, case)) => case_signature(pa, pick, case)?,
        Some(Symbol::Builtin(builtin)) => builtin_signature(builtin),
        Some(_) => return None,
        None => {
            // Not resolved (the call is incomplete): look the name up in the file's items, then
            // among the built-ins.
            let scope = pa.file_index(file).and_then(|i| pa.analysis.files.get(i));
            let qualified = paren >= 3
                && tokens[paren - 2].kind == TokenKind::Dot
                && matches!(tokens[paren - 3].kind, TokenKind::Ident(_));
            let symbol = if qualified {
                let TokenKind::Ident(alias) = &tokens[paren - 3].kind else {
                    return None;
                };
                let target = scope.and_then(|s| s.aliases.get(alias).copied());
                target
                    .and_then(|t| pa.analysis.files.get(t))
                    .and_then(|s| s.items.get(name).copied())
            } else {
                scope.and_then(|s| s.items.get(name).copied())
            };
            match symbol {
                Some(Symbol::Proc(id)) => proc_signature(pa, id)?,
                Some(_) => return None,
                None if !qualified => builtin_signature(Builtin::from_name(name)?),
                None => return None,
            }
        }
    };
    Some(SignatureHelp {
        signature,
        active_param: commas,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::test_support::with_cursor;

    #[test]
    fn active_parameter_of_an_incomplete_call() {
        let (pa, offset) = with_cursor(
            "proc add(a: int, b: int) -> int { give a + b; }\nproc main() {\n    let x = add(1, [2, 3], $0\n}\n",
            &[],
        );
        let help = signature_help(&pa, pa.root(), offset).expect("help");
        assert_eq!(help.signature.label, "proc add(a: int, b: int) -> int");
        assert_eq!(help.active_param, 2);
    }

    #[test]
    fn builtins_and_nested_calls() {
        let (pa, offset) = with_cursor("proc main() { print(substr(\"abc\", 1$0, 2)); }\n", &[]);
        let help = signature_help(&pa, pa.root(), offset).expect("help");
        assert_eq!(
            help.signature.label,
            "substr(s: string, start: int, end: int) -> string"
        );
        assert_eq!(help.active_param, 1);
    }
}
