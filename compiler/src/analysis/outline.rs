//! The outline of a file: its items (procs, forms and their fields, picks and their cases, consts,
//! globals) with the span of the whole declaration and of the name, and a one-line detail taken from
//! the source (`(a: int) -> bool`, `float`). It needs only the syntax tree, so it also serves
//! workspace symbols for files that are not part of any checked program.

use crate::ast::{self, ItemKind};
use crate::source::Span;

/// What kind of item a symbol is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutlineKind {
    /// `proc` / `fn`.
    Proc,
    /// `form` / `struct`.
    Form,
    /// A field of a form or of a pick case.
    Field,
    /// `pick` / `enum`.
    Pick,
    /// A case of a pick.
    Case,
    /// `const`.
    Const,
    /// A global `let`.
    Global,
}

/// One item of a file, with its members.
#[derive(Clone, Debug, PartialEq)]
pub struct OutlineSymbol {
    /// Its name.
    pub name: String,
    /// What it is.
    pub kind: OutlineKind,
    /// A one-line description from the source (a signature or a type), if any.
    pub detail: Option<String>,
    /// The whole declaration.
    pub span: Span,
    /// The name.
    pub name_span: Span,
    /// Fields of a form, cases of a pick, payload fields of a case.
    pub children: Vec<OutlineSymbol>,
}

/// The items of `file` (whose text is `text`) in source order.
pub fn outline(file: &ast::File, text: &str) -> Vec<OutlineSymbol> {
    let slice = |span: Span| -> String {
        text.get(span.start as usize..span.end as usize)
            .unwrap_or("")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let field = |f: &ast::FieldDecl| OutlineSymbol {
        name: f.name.name.clone(),
        kind: OutlineKind::Field,
        detail: Some(slice(f.ty.span())),
        span: f.name.span.to(f.ty.span()),
        name_span: f.name.span,
        children: Vec::new(),
    };
    let mut out = Vec::new();
    for item in &file.items {
        let symbol = match &item.kind {
            ItemKind::Proc(decl) => {
                let params: Vec<String> = decl
                    .params
                    .iter()
                    .map(|p| format!("{}: {}", p.name.name, slice(p.ty.span())))
                    .collect();
                let ret = decl
                    .ret
                    .as_ref()
                    .map(|r| format!(" -> {}", slice(r.span())))
                    .unwrap_or_default();
                OutlineSymbol {
                    name: decl.name.name.clone(),
                    kind: OutlineKind::Proc,
                    detail: Some(format!("({}){ret}", params.join(", "))),
                    span: item.span,
                    name_span: decl.name.span,
                    children: Vec::new(),
                }
            }
            ItemKind::Form(decl) => OutlineSymbol {
                name: decl.name.name.clone(),
                kind: OutlineKind::Form,
                detail: None,
                span: item.span,
                name_span: decl.name.span,
                children: decl.fields.iter().map(field).collect(),
            },
            ItemKind::Pick(decl) => OutlineSymbol {
                name: decl.name.name.clone(),
                kind: OutlineKind::Pick,
                detail: None,
                span: item.span,
                name_span: decl.name.span,
                children: decl
                    .cases
                    .iter()
                    .map(|case| OutlineSymbol {
                        name: case.name.name.clone(),
                        kind: OutlineKind::Case,
                        detail: (!case.fields.is_empty()).then(|| {
                            let fields: Vec<String> = case
                                .fields
                                .iter()
                                .map(|f| format!("{}: {}", f.name.name, slice(f.ty.span())))
                                .collect();
                            format!("({})", fields.join(", "))
                        }),
                        span: case.span,
                        name_span: case.name.span,
                        children: case.fields.iter().map(field).collect(),
                    })
                    .collect(),
            },
            ItemKind::Const(decl) => OutlineSymbol {
                name: decl.name.name.clone(),
                kind: OutlineKind::Const,
                detail: decl.ty.as_ref().map(|t| slice(t.span())),
                span: item.span,
                name_span: decl.name.span,
                children: Vec::new(),
            },
            ItemKind::Global(decl) => OutlineSymbol {
                name: decl.name.name.clone(),
                kind: OutlineKind::Global,
                detail: decl.ty.as_ref().map(|t| slice(t.span())),
                span: item.span,
                name_span: decl.name.span,
                children: Vec::new(),
            },
            ItemKind::Error => continue,
        };
        out.push(symbol);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::parse_file;
    use crate::source::FileId;

    #[test]
    fn items_fields_and_cases() {
        let text = "form P { x: float, y: float }\npick S { case C(r: float), case E }\nconst N: int = 1;\nlet g = 2;\nproc f(a: int,\n b: [string]) -> bool { give true; }\n";
        let (file, _) = parse_file(FileId(0), text);
        let outline = outline(&file, text);
        let names: Vec<(&str, OutlineKind, Option<&str>, usize)> = outline
            .iter()
            .map(|s| {
                (
                    s.name.as_str(),
                    s.kind,
                    s.detail.as_deref(),
                    s.children.len(),
                )
            })
            .collect();
        assert_eq!(
            names,
            [
                ("P", OutlineKind::Form, None, 2),
                ("S", OutlineKind::Pick, None, 2),
                ("N", OutlineKind::Const, Some("int"), 0),
                ("g", OutlineKind::Global, None, 0),
                (
                    "f",
                    OutlineKind::Proc,
                    Some("(a: int, b: [string]) -> bool"),
                    0
                ),
            ]
        );
        assert_eq!(outline[1].children[0].detail.as_deref(), Some("(r: float)"));
    }
}
