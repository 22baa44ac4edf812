//! Rename: checks the new name and lists the edits (span, new text) that rename the symbol at an
//! offset everywhere the program uses it.
//!
//! Refused: a new name that is not an identifier or is a keyword, built-ins, names the checker did
//! not resolve, and an item name already declared in the same file. Renaming a `use` alias written
//! without `as` adds `as NEW` after the path instead of changing the file it names.

use crate::check::Symbol;
use crate::source::{FileId, Span};

use super::navigate::{occurrences, reference_at};
use super::{ProgramAnalysis, is_valid_name};

/// Why a rename is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenameError(pub String);

/// One text change: replace `span` with `text` (an empty span inserts).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    /// What to replace.
    pub span: Span,
    /// The new text.
    pub text: String,
}

/// The span of the name that can be renamed at `offset` (for `prepareRename`).
///
/// # Errors
/// Nothing renamable is there.
pub fn prepare_rename(
    pa: &ProgramAnalysis,
    file: FileId,
    offset: u32,
) -> Result<Span, RenameError> {
    let reference = reference_at(pa, file, offset)
        .ok_or_else(|| RenameError("there is no symbol to rename here".into()))?;
    if let Symbol::Builtin(builtin) = reference.symbol {
        return Err(RenameError(format!(
            "{} is a built-in and cannot be renamed",
            builtin.name()
        )));
    }
    Ok(reference.span)
}

/// The edits that rename the symbol at `offset` of `file` to `new_name`.
///
/// # Errors
/// The name is invalid or the symbol cannot be renamed (see the module documentation).
pub fn rename(
    pa: &ProgramAnalysis,
    file: FileId,
    offset: u32,
    new_name: &str,
) -> Result<Vec<Edit>, RenameError> {
    if !is_valid_name(new_name) || new_name == "_" {
        let why = if crate::lexer::keyword(new_name).is_some() {
            "it is a keyword"
        } else {
            "a name starts with a letter or '_' and has only letters, digits and '_'"
        };
        return Err(RenameError(format!(
            "'{new_name}' is not a valid name: {why}"
        )));
    }
    prepare_rename(pa, file, offset)?;
    let symbol = reference_at(pa, file, offset)
        .map(|r| r.symbol)
        .ok_or_else(|| RenameError("there is no symbol to rename here".into()))?;
    check_conflict(pa, symbol, file, new_name)?;
    let mut edits = Vec::new();
    for occurrence in occurrences(pa, symbol, file, true) {
        let span = occurrence.span;
        if let Symbol::Module(_) = symbol
            && occurrence.access == super::navigate::Access::Definition
            && !has_as(pa, span)
        {
            edits.push(Edit {
                span: Span::new(span.file, span.end, span.end),
                text: format!(" as {new_name}"),
            });
            continue;
        }
        edits.push(Edit {
            span,
            text: new_name.to_string(),
        });
    }
    Ok(edits)
}

/// True when the `use` whose alias is at `span` spells its alias with `as`.
fn has_as(pa: &ProgramAnalysis, span: Span) -> bool {
    pa.ast(span.file).is_some_and(|file| {
        file.uses
            .iter()
            .any(|u| u.alias.as_ref().is_some_and(|a| a.span == span))
    })
}

/// Refuses a new item name that the file declaring the item already uses.
fn check_conflict(
    pa: &ProgramAnalysis,
    symbol: Symbol,
    file: FileId,
    new_name: &str,
) -> Result<(), RenameError> {
    let a = &pa.analysis;
    let owner = match symbol {
        Symbol::Proc(id) => a.procs.get(id as usize).map(|p| p.file),
        Symbol::Form(id) => a.forms.get(id as usize).map(|f| f.file),
        Symbol::Pick(id) => a.picks.get(id as usize).map(|p| p.file),
        Symbol::Const(id) => a.consts.get(id as usize).map(|c| c.file),
        Symbol::Global(id) => a.globals.get(id as usize).map(|g| g.file),
        Symbol::Module(_) => pa.file_index(file),
        _ => None,
    };
    if let Some(scope) = owner.and_then(|index| a.files.get(index))
        && (scope.items.contains_key(new_name) || scope.aliases.contains_key(new_name))
    {
        return Err(RenameError(format!(
            "{new_name} is already defined in this file"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::test_support::with_cursor;

    #[test]
    fn renames_every_use_across_files() {
        let (pa, offset) = with_cursor(
            "use util\nproc main() { print(util.$0twice(2)); }\n",
            &[("util.vit", "proc twice(n: int) -> int { give n * 2; }\n")],
        );
        let edits = rename(&pa, pa.root(), offset, "double").expect("edits");
        let files: Vec<&str> = edits
            .iter()
            .map(|e| pa.source(e.span.file).map_or("", |s| s.path.as_str()))
            .collect();
        assert_eq!(files, ["main.vit", "util.vit"]);
    }

    #[test]
    fn refuses_keywords_builtins_and_conflicts() {
        let (pa, offset) = with_cursor(
            "proc other() {}\nproc main() { let $0x = 1; print(x); }\n",
            &[],
        );
        assert!(rename(&pa, pa.root(), offset, "match").is_err());
        assert!(rename(&pa, pa.root(), offset, "9lives").is_err());
        assert_eq!(rename(&pa, pa.root(), offset, "y").map(|e| e.len()), Ok(2));
        let print = pa.text(pa.root()).find("print").unwrap() as u32;
        assert!(rename(&pa, pa.root(), print, "show").is_err());
        let main = pa.text(pa.root()).find("main").unwrap() as u32;
        assert!(rename(&pa, pa.root(), main, "other").is_err());
    }

    #[test]
    fn renaming_an_implicit_alias_adds_as() {
        let (pa, offset) = with_cursor(
            "use util\nproc main() { print($0util.twice(2)); }\n",
            &[("util.vit", "proc twice(n: int) -> int { give n * 2; }\n")],
        );
        let edits = rename(&pa, pa.root(), offset, "u").expect("edits");
        let texts: Vec<(u32, u32, &str)> = edits
            .iter()
            .map(|e| (e.span.start, e.span.end, e.text.as_str()))
            .collect();
        assert_eq!(texts, [(8, 8, " as u"), (29, 33, "u")]);
    }
}
