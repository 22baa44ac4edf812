//! Hover: the signature or type of the symbol under the cursor and its `///` documentation, or the
//! type of the innermost expression there. Also the one-line descriptions completion shows.

use crate::ast::ItemKind;
use crate::check::{Owner, Symbol};
use crate::source::{FileId, Span};
use crate::types::ConstValue;

use super::ProgramAnalysis;
use super::navigate::reference_at;

/// What a hover shows.
#[derive(Clone, Debug, PartialEq)]
pub struct HoverInfo {
    /// What the hover is about (the name or the expression).
    pub span: Span,
    /// A declaration or type in Vitte syntax (`proc area(s: Shape) -> float`, `let x: int`).
    pub signature: String,
    /// The `///` documentation, if any.
    pub doc: Option<String>,
}

/// The hover at `offset` of `file`.
pub fn hover_at(pa: &ProgramAnalysis, file: FileId, offset: u32) -> Option<HoverInfo> {
    if let Some(reference) = reference_at(pa, file, offset)
        && let Some(signature) = signature_of(pa, reference.symbol)
    {
        return Some(HoverInfo {
            span: reference.span,
            signature,
            doc: doc_of(pa, reference.symbol),
        });
    }
    let a = &pa.analysis;
    let (span, ty) = a
        .types
        .iter()
        .filter(|(span, _)| span.file == file && span.start <= offset && offset <= span.end)
        .min_by_key(|(span, _)| (span.end - span.start, span.start))?;
    if ty.is_error() {
        return None;
    }
    Some(HoverInfo {
        span: *span,
        signature: a.type_name(ty),
        doc: None,
    })
}

/// The declaration of `symbol` in Vitte syntax, on one line.
pub fn signature_of(pa: &ProgramAnalysis, symbol: Symbol) -> Option<String> {
    let a = &pa.analysis;
    Some(match symbol {
        Symbol::Local(id) => {
            let local = a.locals.get(id as usize)?;
            let is_param = match local.owner {
                Owner::Proc(proc) => a
                    .procs
                    .get(proc as usize)
                    .is_some_and(|p| p.params.contains(&id)),
                Owner::Init(_) => false,
            };
            let keyword = if is_param { "param" } else { "let" };
            let mutable = if a.assigned.contains(&id) { "mut " } else { "" };
            let mutable = if is_param { "" } else { mutable };
            format!(
                "{keyword} {mutable}{}: {}",
                local.name,
                a.type_name(&local.ty)
            )
        }
        Symbol::Global(id) => {
            let global = a.globals.get(id as usize)?;
            format!("let {}: {}", global.qualified, a.type_name(&global.ty))
        }
        Symbol::Const(id) => {
            let constant = a.consts.get(id as usize)?;
            let value = match &constant.value {
                Some(ConstValue::Int(v)) => format!(" = {v}"),
                Some(ConstValue::Float(v)) => format!(" = {v:?}"),
                Some(ConstValue::Bool(v)) => format!(" = {v}"),
                Some(ConstValue::Str(v)) => format!(" = {v:?}"),
                None => String::new(),
            };
            format!(
                "const {}: {}{value}",
                constant.name,
                a.type_name(&constant.ty)
            )
        }
        Symbol::Proc(id) => proc_signature(pa, id)?.label,
        Symbol::Form(id) => {
            let form = a.forms.get(id as usize)?;
            let fields: Vec<String> = form
                .fields
                .iter()
                .map(|f| format!("{}: {}", f.name, a.type_name(&f.ty)))
                .collect();
            format!("form {} {{ {} }}", form.name, fields.join(", "))
        }
        Symbol::Pick(id) => {
            let pick = a.picks.get(id as usize)?;
            let cases: Vec<String> = pick
                .cases
                .iter()
                .map(|c| case_text(pa, &c.name, &c.fields))
                .collect();
            format!("pick {} {{ {} }}", pick.name, cases.join(", "))
        }
        Symbol::Case(pick, case) => {
            let info = a.case(pick, case)?;
            let pick_name = &a.picks.get(pick as usize)?.name;
            format!(
                "case {pick_name}.{}",
                case_text(pa, &info.name, &info.fields)
            )
        }
        Symbol::Field(form, field) => {
            let form = a.forms.get(form as usize)?;
            let field = form.fields.get(field as usize)?;
            format!("{}.{}: {}", form.name, field.name, a.type_name(&field.ty))
        }
        Symbol::CaseField(pick, case, field) => {
            let info = a.case(pick, case)?;
            let field = info.fields.get(field as usize)?;
            let pick_name = &a.picks.get(pick as usize)?.name;
            format!(
                "{pick_name}.{}.{}: {}",
                info.name,
                field.name,
                a.type_name(&field.ty)
            )
        }
        Symbol::Module(index) => {
            let file = pa.program.files.get(index)?;
            format!("use {}", file.path.display())
        }
        Symbol::Builtin(builtin) => format!("builtin {}", builtin.signature()),
    })
}

/// `Circle(r: float)` or `Empty`.
fn case_text(pa: &ProgramAnalysis, name: &str, fields: &[crate::check::FieldInfo]) -> String {
    if fields.is_empty() {
        return name.to_string();
    }
    let fields: Vec<String> = fields
        .iter()
        .map(|f| {
            if f.name.chars().all(|c| c.is_ascii_digit()) {
                pa.analysis.type_name(&f.ty)
            } else {
                format!("{}: {}", f.name, pa.analysis.type_name(&f.ty))
            }
        })
        .collect();
    format!("{name}({})", fields.join(", "))
}

/// The `///` documentation of `symbol`.
pub fn doc_of(pa: &ProgramAnalysis, symbol: Symbol) -> Option<String> {
    let a = &pa.analysis;
    match symbol {
        Symbol::Global(id) => a.globals.get(id as usize)?.doc.clone(),
        Symbol::Const(id) => a.consts.get(id as usize)?.doc.clone(),
        Symbol::Proc(id) => a.procs.get(id as usize)?.doc.clone(),
        Symbol::Form(id) => a.forms.get(id as usize)?.doc.clone(),
        Symbol::Pick(id) => a.picks.get(id as usize)?.doc.clone(),
        Symbol::Case(pick, case) => a.case(pick, case)?.doc.clone(),
        Symbol::Field(form, field) => a
            .forms
            .get(form as usize)?
            .fields
            .get(field as usize)?
            .doc
            .clone(),
        Symbol::CaseField(pick, case, field) => {
            a.case(pick, case)?.fields.get(field as usize)?.doc.clone()
        }
        Symbol::Local(_) | Symbol::Module(_) | Symbol::Builtin(_) => None,
    }
}

/// A callable's signature: its label and, for each parameter, the byte range of the parameter in it.
#[derive(Clone, Debug, PartialEq)]
pub struct CallSignature {
    /// `proc area(s: Shape) -> float`.
    pub label: String,
    /// Byte ranges in `label` of each parameter (`s: Shape`).
    pub params: Vec<(usize, usize)>,
    /// The callable's `///` documentation.
    pub doc: Option<String>,
}

/// The signature of procedure `id`, with parameter names from its declaration.
pub fn proc_signature(pa: &ProgramAnalysis, id: u32) -> Option<CallSignature> {
    let a = &pa.analysis;
    let info = a.procs.get(id as usize)?;
    let decl = match &pa
        .program
        .files
        .get(info.file)?
        .ast
        .items
        .get(info.item)?
        .kind
    {
        ItemKind::Proc(decl) => decl,
        _ => return None,
    };
    let mut label = format!("proc {}(", info.qualified);
    let mut params = Vec::new();
    for (index, (param, ty)) in decl.params.iter().zip(&info.param_types).enumerate() {
        if index > 0 {
            label.push_str(", ");
        }
        let start = label.len();
        label.push_str(&format!("{}: {}", param.name.name, a.type_name(ty)));
        params.push((start, label.len()));
    }
    label.push(')');
    if info.ret != crate::types::Ty::Void {
        label.push_str(&format!(" -> {}", a.type_name(&info.ret)));
    }
    Some(CallSignature {
        label,
        params,
        doc: info.doc.clone(),
    })
}

/// The signature of a pick case used as a constructor (`Shape.Circle(r: float)`).
pub fn case_signature(pa: &ProgramAnalysis, pick: u32, case: u32) -> Option<CallSignature> {
    let a = &pa.analysis;
    let info = a.case(pick, case)?;
    let mut label = format!("{}.{}(", a.picks.get(pick as usize)?.name, info.name);
    let mut params = Vec::new();
    for (index, field) in info.fields.iter().enumerate() {
        if index > 0 {
            label.push_str(", ");
        }
        let start = label.len();
        label.push_str(&format!("{}: {}", field.name, a.type_name(&field.ty)));
        params.push((start, label.len()));
    }
    label.push(')');
    Some(CallSignature {
        label,
        params,
        doc: info.doc.clone(),
    })
}

/// The signature of a built-in (the first form, for those with several).
pub fn builtin_signature(builtin: crate::builtins::Builtin) -> CallSignature {
    let text = builtin.signature();
    let first = text.split(" | ").next().unwrap_or(text);
    // A `|` inside the parameter list belongs to it (`len(v: string | [T] | Map[K, V])`): cut at the
    // `)` that closes the list instead.
    let close = matching_paren(text).unwrap_or(first.len());
    let end = text[close..]
        .find(" | ")
        .and_then(|i| {
            // ` | ` after the return type starts another form only when it is followed by `name(`.
            let rest = &text[close + i + 3..];
            rest.split_once('(')
                .filter(|(head, _)| head.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
                .map(|_| close + i)
        })
        .unwrap_or(text.len());
    let label = text[..end].to_string();
    let mut params = Vec::new();
    if let Some(open) = label.find('(') {
        let mut depth = 0;
        let mut start = open + 1;
        for (i, c) in label.char_indices().skip(open + 1) {
            match c {
                '(' | '[' => depth += 1,
                ']' => depth -= 1,
                ')' if depth == 0 => {
                    if i > start {
                        params.push((start, i));
                    }
                    break;
                }
                ')' => depth -= 1,
                ',' if depth == 0 => {
                    params.push((start, i));
                    start = i + 2;
                }
                _ => {}
            }
        }
    }
    CallSignature {
        label,
        params,
        doc: None,
    }
}

/// Byte index just after the `)` that closes the first `(` of `text`.
fn matching_paren(text: &str) -> Option<usize> {
    let open = text.find('(')?;
    let mut depth = 0;
    for (i, c) in text.char_indices().skip(open) {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::test_support::with_cursor;
    use crate::builtins::Builtin;

    #[test]
    fn hovers_a_procedure_with_its_doc() {
        let (pa, offset) = with_cursor(
            "/// Doubles n.\nproc twice(n: int) -> int { give n * 2; }\nproc main() { print($0twice(1)); }\n",
            &[],
        );
        let hover = hover_at(&pa, pa.root(), offset).expect("a hover");
        assert_eq!(hover.signature, "proc twice(n: int) -> int");
        assert_eq!(hover.doc.as_deref(), Some("Doubles n."));
    }

    #[test]
    fn hovers_the_type_of_an_expression() {
        let (pa, offset) = with_cursor("proc main() { let s = [1, 2]$0; }\n", &[]);
        let hover = hover_at(&pa, pa.root(), offset).expect("a hover");
        assert_eq!(hover.signature, "[int]");
    }

    #[test]
    fn builtin_signatures_split_their_parameters() {
        let len = builtin_signature(Builtin::Len);
        assert_eq!(len.label, "len(v: string | [T] | Map[K, V]) -> int");
        assert_eq!(len.params.len(), 1);
        let join = builtin_signature(Builtin::Join);
        assert_eq!(join.label, "join(parts: [string], sep: string) -> string");
        let parts: Vec<&str> = join
            .params
            .iter()
            .map(|&(s, e)| &join.label[s..e])
            .collect();
        assert_eq!(parts, ["parts: [string]", "sep: string"]);
        assert!(builtin_signature(Builtin::Clock).params.is_empty());
    }
}
