//! Completion: what may be written at an offset.
//!
//! - after `alias.`: the items of the used file; after `Pick.` or `alias.Pick.`: the pick's cases;
//! - after `value.`: the fields of the value's form;
//! - after `case` inside a `match` on a pick: the pick's cases;
//! - anywhere else: the locals in scope, the file's items, `use` aliases, built-ins (with their
//!   signatures), type names and keywords.
//!
//! Candidates are filtered by the part of the name already typed (case-insensitive prefix) and
//! ordered locals first, then items, aliases, built-ins, types and keywords, each by name (fields
//! and cases in declaration order).

use std::collections::HashSet;

use crate::builtins::Builtin;
use crate::check::Symbol;
use crate::lexer::KEYWORDS;
use crate::source::FileId;
use crate::types::Ty;

use super::hover::{doc_of, signature_of};
use super::scope::{enclosing_match, locals_at};
use super::{ProgramAnalysis, ident_start};

/// What a candidate is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CompletionKind {
    /// A local variable or parameter.
    Local,
    /// A field of a form.
    Field,
    /// A case of a pick.
    Case,
    /// A procedure.
    Proc,
    /// A global variable.
    Global,
    /// A constant.
    Const,
    /// A form type.
    Form,
    /// A pick type.
    Pick,
    /// A `use` alias.
    Module,
    /// A built-in procedure.
    Builtin,
    /// A built-in type name.
    Type,
    /// A keyword.
    Keyword,
}

/// One candidate.
#[derive(Clone, Debug, PartialEq)]
pub struct CompletionItem {
    /// The text to insert.
    pub label: String,
    /// What it is.
    pub kind: CompletionKind,
    /// Its type or signature, on one line.
    pub detail: Option<String>,
    /// Its `///` documentation.
    pub doc: Option<String>,
}

/// The built-in type names.
const TYPE_NAMES: &[&str] = &[
    "int", "float", "bool", "string", "void", "i64", "f64", "Map", "Thread", "Chan",
];

/// The candidates at `offset` of `file`.
pub fn completions(pa: &ProgramAnalysis, file: FileId, offset: u32) -> Vec<CompletionItem> {
    let text = pa.text(file);
    let offset = (offset as usize).min(text.len());
    if !text.is_char_boundary(offset) || in_comment_or_string(text, offset) {
        return Vec::new();
    }
    let start = ident_start(text, offset);
    let prefix = &text[start..offset];
    let before = text[..start].trim_end_matches([' ', '\t']);
    let mut items = if before.ends_with('.') && !before.ends_with("..") {
        let base_end = before.len() - 1;
        dotted(pa, file, text, base_end)
    } else if before.ends_with("case")
        && ident_start(before, before.len()) == before.len() - 4
        && let Some(cases) = case_pattern(pa, file, offset as u32)
    {
        cases
    } else {
        plain(pa, file, offset as u32)
    };
    let lower = prefix.to_ascii_lowercase();
    items.retain(|item| item.label.to_ascii_lowercase().starts_with(&lower));
    // Fields and cases keep their declaration order; everything else is sorted by name.
    items.sort_by(|a, b| {
        let ordered = |k: CompletionKind| matches!(k, CompletionKind::Field | CompletionKind::Case);
        let key = |i: &CompletionItem| (i.kind, (!ordered(i.kind)).then(|| i.label.clone()));
        key(a).cmp(&key(b))
    });
    items.dedup_by(|a, b| a.label == b.label && a.kind == b.kind);
    items
}

/// True when `offset` is inside a `//` comment or a string literal on its line (a cheap check:
/// completion there would only get in the way).
fn in_comment_or_string(text: &str, offset: usize) -> bool {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..offset];
    let mut in_string = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if in_string => {
                chars.next();
            }
            '"' => in_string = !in_string,
            '/' if !in_string && chars.peek() == Some(&'/') => return true,
            _ => {}
        }
    }
    in_string
}

fn item(pa: &ProgramAnalysis, label: &str, symbol: Symbol) -> CompletionItem {
    let kind = match symbol {
        Symbol::Local(_) => CompletionKind::Local,
        Symbol::Global(_) => CompletionKind::Global,
        Symbol::Const(_) => CompletionKind::Const,
        Symbol::Proc(_) => CompletionKind::Proc,
        Symbol::Form(_) => CompletionKind::Form,
        Symbol::Pick(_) => CompletionKind::Pick,
        Symbol::Case(..) => CompletionKind::Case,
        Symbol::Field(..) | Symbol::CaseField(..) => CompletionKind::Field,
        Symbol::Module(_) => CompletionKind::Module,
        Symbol::Builtin(_) => CompletionKind::Builtin,
    };
    CompletionItem {
        label: label.to_string(),
        kind,
        detail: signature_of(pa, symbol),
        doc: doc_of(pa, symbol),
    }
}

/// Completion after `base.` where the base ends at byte `base_end` (the dot).
fn dotted(pa: &ProgramAnalysis, file: FileId, text: &str, base_end: usize) -> Vec<CompletionItem> {
    let end = text[..base_end].trim_end().len();
    // A static path: `alias`, `Pick`, `alias.Pick`.
    let path = ident_path(text, end);
    let locals = locals_at(pa, file, end as u32);
    let first_is_local = path
        .first()
        .is_some_and(|first| locals.iter().any(|l| &l.name == first));
    if let (Some(index), false) = (pa.file_index(file), first_is_local) {
        let scope = &pa.analysis.files[index];
        let resolved = match path.as_slice() {
            [name] => scope
                .items
                .get(*name)
                .copied()
                .or_else(|| scope.aliases.get(*name).map(|&t| Symbol::Module(t))),
            [alias, name] => scope
                .aliases
                .get(*alias)
                .and_then(|&t| pa.analysis.files.get(t))
                .and_then(|target| target.items.get(*name).copied()),
            _ => None,
        };
        match resolved {
            Some(Symbol::Module(target)) => {
                return pa
                    .analysis
                    .files
                    .get(target)
                    .map(|scope| {
                        scope
                            .items
                            .iter()
                            .map(|(name, &symbol)| item(pa, name, symbol))
                            .collect()
                    })
                    .unwrap_or_default();
            }
            Some(Symbol::Pick(pick)) => return pick_cases(pa, pick),
            _ => {}
        }
    }
    // A value: the fields of its form.
    let ty = pa
        .analysis
        .types
        .iter()
        .filter(|(span, _)| span.file == file && span.end as usize == end && span.start < span.end)
        .min_by_key(|(span, _)| span.end - span.start)
        .map(|(_, ty)| ty.clone())
        .or_else(|| match path.as_slice() {
            [name] => locals
                .iter()
                .rev()
                .find(|l| l.name == *name)
                .and_then(|l| l.ty.clone()),
            _ => None,
        });
    match ty.as_ref().map(Ty::non_null) {
        Some(Ty::Form(form)) => pa
            .analysis
            .forms
            .get(*form as usize)
            .map(|info| {
                (0..info.fields.len())
                    .map(|i| item(pa, &info.fields[i].name, Symbol::Field(*form, i as u32)))
                    .collect()
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The dotted identifiers ending at `end` (`u.Shape` gives `["u", "Shape"]`).
fn ident_path(text: &str, end: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut end = end;
    loop {
        let start = ident_start(text, end);
        if start == end {
            break;
        }
        out.push(&text[start..end]);
        let before = text[..start].trim_end();
        if before.ends_with('.') && !before.ends_with("..") {
            end = before[..before.len() - 1].trim_end().len();
        } else {
            break;
        }
    }
    out.reverse();
    out
}

fn pick_cases(pa: &ProgramAnalysis, pick: u32) -> Vec<CompletionItem> {
    let count = pa
        .analysis
        .picks
        .get(pick as usize)
        .map_or(0, |p| p.cases.len());
    (0..count)
        .map(|i| {
            let name = pa.analysis.picks[pick as usize].cases[i].name.clone();
            item(pa, &name, Symbol::Case(pick, i as u32))
        })
        .collect()
}

/// After `case` in a `match` on a pick: its cases.
fn case_pattern(pa: &ProgramAnalysis, file: FileId, offset: u32) -> Option<Vec<CompletionItem>> {
    let scrutinee = enclosing_match(pa.ast(file)?, offset)?;
    match pa.analysis.type_of(scrutinee.span)?.non_null() {
        Ty::Pick(pick) => Some(pick_cases(pa, *pick)),
        _ => None,
    }
}

/// Everything a name may be at `offset`.
fn plain(pa: &ProgramAnalysis, file: FileId, offset: u32) -> Vec<CompletionItem> {
    let mut out = Vec::new();
    for local in locals_at(pa, file, offset) {
        out.push(match local.local {
            Some(id) => item(pa, &local.name, Symbol::Local(id)),
            None => CompletionItem {
                label: local.name.clone(),
                kind: CompletionKind::Local,
                detail: None,
                doc: None,
            },
        });
    }
    let mut taken: HashSet<String> = HashSet::new();
    if let Some(scope) = pa.file_index(file).and_then(|i| pa.analysis.files.get(i)) {
        for (name, &symbol) in &scope.items {
            taken.insert(name.clone());
            out.push(item(pa, name, symbol));
        }
        for (alias, &target) in &scope.aliases {
            out.push(item(pa, alias, Symbol::Module(target)));
        }
    }
    for builtin in Builtin::ALL {
        if !taken.contains(builtin.name()) {
            out.push(item(pa, builtin.name(), Symbol::Builtin(*builtin)));
        }
    }
    for name in TYPE_NAMES {
        out.push(CompletionItem {
            label: (*name).to_string(),
            kind: CompletionKind::Type,
            detail: None,
            doc: None,
        });
    }
    for (word, _) in KEYWORDS {
        out.push(CompletionItem {
            label: (*word).to_string(),
            kind: CompletionKind::Keyword,
            detail: None,
            doc: None,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::test_support::with_cursor;

    fn labels(source: &str, others: &[(&str, &str)]) -> Vec<String> {
        let (pa, offset) = with_cursor(source, others);
        completions(&pa, pa.root(), offset)
            .into_iter()
            .map(|c| c.label)
            .collect()
    }

    #[test]
    fn fields_after_a_dot_on_a_half_typed_line() {
        let found = labels(
            "form P { x: float, y: float }\nproc main() {\n    let p = P { x: 1.0, y: 2.0 };\n    print(p.$0\n}\n",
            &[],
        );
        assert_eq!(found, ["x", "y"]);
    }

    #[test]
    fn module_members_and_pick_cases() {
        let util = "pick S { case A, case B(n: int) }\nproc twice(n: int) -> int { give n * 2; }\n";
        assert_eq!(
            labels("use util\nproc main() { util.$0 }\n", &[("util.vit", util)]),
            ["twice", "S"]
        );
        assert_eq!(
            labels(
                "use util\nproc main() { let s = util.S.$0 }\n",
                &[("util.vit", util)]
            ),
            ["A", "B"]
        );
    }

    #[test]
    fn cases_after_case_in_a_match() {
        let found = labels(
            "pick S { case Alpha, case Beta }\nproc main() {\n    let s = S.Alpha;\n    match s {\n        case $0\n    }\n}\n",
            &[],
        );
        assert_eq!(found, ["Alpha", "Beta"]);
    }

    #[test]
    fn locals_items_builtins_and_keywords_by_prefix() {
        let found = labels(
            "const LIMIT: int = 3;\nproc lookup() {}\nproc main() {\n    let lo = 1;\n    l$0\n}\n",
            &[],
        );
        assert_eq!(found, ["lo", "lookup", "LIMIT", "len", "let", "loop"]);
    }

    #[test]
    fn nothing_inside_comments() {
        assert!(labels("proc main() { // pri$0\n}\n", &[]).is_empty());
    }
}
