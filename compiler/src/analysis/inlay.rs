//! Inlay hints: the inferred type after the name of each `let` (local or global) written without a
//! type annotation, where the checker inferred one.

use crate::ast::{ItemKind, StmtKind};
use crate::source::FileId;
use crate::types::Ty;

use super::ProgramAnalysis;
use super::navigate::walk_block;

/// One hint: show `label` right after byte `offset`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlayHint {
    /// Where (just after the variable's name).
    pub offset: u32,
    /// What (`: int`).
    pub label: String,
}

/// The hints of `file` whose offsets lie in `start..=end`, in source order.
pub fn inlay_hints(pa: &ProgramAnalysis, file: FileId, start: u32, end: u32) -> Vec<InlayHint> {
    let Some(ast) = pa.ast(file) else {
        return Vec::new();
    };
    let a = &pa.analysis;
    let mut out = Vec::new();
    let mut push = |offset: u32, ty: Option<&Ty>| {
        if let Some(ty) = ty.filter(|ty| !ty.contains_error())
            && (start..=end).contains(&offset)
        {
            out.push(InlayHint {
                offset,
                label: format!(": {}", a.type_name(ty)),
            });
        }
    };
    for item in &ast.items {
        match &item.kind {
            ItemKind::Global(decl) if decl.ty.is_none() => {
                let ty = a
                    .globals
                    .iter()
                    .find(|g| g.span == decl.name.span)
                    .map(|g| &g.ty);
                push(decl.name.span.end, ty);
            }
            ItemKind::Proc(decl) => walk_block(&decl.body, &mut |stmt| {
                if let StmtKind::Let { name, ty: None, .. } = &stmt.kind
                    && name.name != "_"
                {
                    let ty = a
                        .local_defs
                        .get(&name.span)
                        .and_then(|&id| a.locals.get(id as usize))
                        .map(|l| &l.ty);
                    push(name.span.end, ty);
                }
            }),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::test_support::with_cursor;

    #[test]
    fn unannotated_lets_only() {
        let (pa, _) = with_cursor(
            "let g = 1.5;\nproc main() {\n    let xs = [\"a\"];\n    let n: int = 2;\n    if true { let m = {\"k\": n}; }\n}$0\n",
            &[],
        );
        let text = pa.text(pa.root());
        let hints: Vec<String> = inlay_hints(&pa, pa.root(), 0, 1000)
            .into_iter()
            .map(|h| {
                format!(
                    "{}{}",
                    &text[..h.offset as usize].rsplit(' ').next().unwrap_or(""),
                    h.label
                )
            })
            .collect();
        assert_eq!(hints, ["g: float", "xs: [string]", "m: Map[string, int]"]);
    }
}
