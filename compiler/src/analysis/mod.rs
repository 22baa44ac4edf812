//! Front-end queries for editors: what a language server asks about a program, answered from the
//! same loader, parser and checker the compiler uses, in byte offsets and [`Span`]s (no protocol
//! types here; `vitte-lsp` converts to LSP positions in one place).
//!
//! [`ProgramAnalysis`] bundles a loaded [`Program`] with its checker [`Analysis`] and every
//! diagnostic. The queries take it plus a file and a byte offset:
//!
//! - [`outline`]: the items of a file (procs, forms and their fields, picks and their cases, consts,
//!   globals) with their spans, for a document outline and workspace symbols;
//! - [`navigate`]: the symbol at an offset, its definition, its references and highlights;
//! - [`hover`]: the signature, type and doc comment of the symbol or expression at an offset;
//! - [`scope`]: the locals visible at an offset;
//! - [`complete`]: completion candidates at an offset (after `.`, after `case`, or anywhere);
//! - [`signature`]: the call around an offset, its signature and the active parameter;
//! - [`rename`]: checking a new name and listing the spans to change;
//! - [`tokens`]: every token of a file classified for semantic highlighting;
//! - [`inlay`]: the inferred types of `let` declarations without an annotation.
//!
//! **Architecture Invariant:** every query tolerates a half-typed file: missing nodes, `Error` nodes,
//! offsets past the end and spans of other files give an empty answer, never a panic.

pub mod complete;
pub mod hover;
pub mod inlay;
pub mod navigate;
pub mod outline;
pub mod rename;
pub mod scope;
pub mod signature;
pub mod tokens;

use std::path::Path;

use crate::ast;
use crate::check::Analysis;
use crate::diagnostics::Diagnostic;
use crate::driver;
use crate::loader::{self, FileLoader, ParsedFile, Program};
use crate::source::{FileId, SourceText};

/// A program loaded from one root file, checked, with every diagnostic of every file.
#[derive(Debug)]
pub struct ProgramAnalysis {
    /// The loaded files (texts, syntax trees, resolved `use`s).
    pub program: Program,
    /// What the checker learned (symbols, types, references).
    pub analysis: Analysis,
    /// Loading, syntax, name and type errors, by file then position.
    pub diagnostics: Vec<Diagnostic>,
}

/// Loads the program rooted at `root` through `loader` and checks it. Never fails: problems are
/// diagnostics (an unreadable root gives a program without files and one diagnostic).
pub fn analyze(loader: &dyn FileLoader, root: &Path) -> ProgramAnalysis {
    let program = loader::load_program(loader, root);
    let analysis = driver::analyze(&program);
    let mut diagnostics = program.diagnostics.clone();
    diagnostics.extend(analysis.diagnostics.iter().cloned());
    diagnostics.sort_by_key(|d| (d.span.file, d.span.start));
    ProgramAnalysis {
        program,
        analysis,
        diagnostics,
    }
}

impl ProgramAnalysis {
    /// The root file's id (the root is always the first file added to the source map).
    pub fn root(&self) -> FileId {
        FileId(0)
    }

    /// The id of the loaded file whose path is `path`, if loaded.
    pub fn file_id(&self, path: &str) -> Option<FileId> {
        self.program.sources.find(path)
    }

    /// The text of a file.
    pub fn source(&self, file: FileId) -> Option<&SourceText> {
        self.program.sources.files().get(file.0 as usize)
    }

    /// The text of a file, or `""` for an unknown id.
    pub fn text(&self, file: FileId) -> &str {
        self.source(file).map_or("", |s| s.text.as_str())
    }

    /// The index in [`Program::files`] of a file (the index the checker's `file` fields use).
    pub fn file_index(&self, file: FileId) -> Option<usize> {
        self.program.files.iter().position(|f| f.ast.file == file)
    }

    /// The parsed file with this id.
    pub fn parsed(&self, file: FileId) -> Option<&ParsedFile> {
        self.program.files.iter().find(|f| f.ast.file == file)
    }

    /// The syntax tree of a file.
    pub fn ast(&self, file: FileId) -> Option<&ast::File> {
        self.parsed(file).map(|f| &f.ast)
    }

    /// The [`FileId`] of the file at index `index` of [`Program::files`].
    pub fn file_of_index(&self, index: usize) -> Option<FileId> {
        self.program.files.get(index).map(|f| f.ast.file)
    }

    /// The text covered by a span (empty when out of range).
    pub fn slice(&self, span: crate::source::Span) -> &str {
        let text = self.text(span.file);
        text.get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }
}

/// True when `name` is a valid identifier that is not a keyword.
pub fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && crate::lexer::keyword(name).is_none()
}

/// Start of the identifier that ends at `offset` in `text` (or `offset` when none does).
pub(crate) fn ident_start(text: &str, offset: usize) -> usize {
    let bytes = text.as_bytes();
    let mut start = offset.min(bytes.len());
    while start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_') {
        start -= 1;
    }
    start
}

#[cfg(test)]
pub(crate) mod test_support {
    //! A loader over in-memory files and a cursor-marker helper for the unit tests of the queries.

    use std::collections::HashMap;
    use std::io;
    use std::path::{Path, PathBuf};

    use super::{ProgramAnalysis, analyze};
    use crate::loader::FileLoader;

    /// Files by path.
    pub struct MemoryLoader(pub HashMap<PathBuf, String>);

    impl FileLoader for MemoryLoader {
        fn read(&self, path: &Path) -> io::Result<String> {
            self.0
                .get(path)
                .cloned()
                .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))
        }
    }

    /// Analyzes `main.vit` with text `source` whose `$0` marks the cursor; `others` are more files.
    pub fn with_cursor(source: &str, others: &[(&str, &str)]) -> (ProgramAnalysis, u32) {
        let offset = source.find("$0").expect("a $0 cursor marker") as u32;
        let text = source.replacen("$0", "", 1);
        let mut files: HashMap<PathBuf, String> = others
            .iter()
            .map(|(p, t)| (PathBuf::from(p), t.to_string()))
            .collect();
        files.insert(PathBuf::from("main.vit"), text);
        (analyze(&MemoryLoader(files), Path::new("main.vit")), offset)
    }
}
