//! Request handlers and the diagnostics pass, as plain functions of a [`Snapshot`] and the
//! request's parameters. They run on the worker threads; each asks the compiler's
//! `vitte_compiler::analysis` queries and converts the answer with [`crate::to_proto`].

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lsp_types as lsp;
use vitte_compiler::analysis::navigate::{self, Access};
use vitte_compiler::analysis::outline::{OutlineSymbol, outline};
use vitte_compiler::analysis::{self as queries, ProgramAnalysis};
use vitte_compiler::check::Symbol;
use vitte_compiler::diagnostics::Severity;
use vitte_compiler::loader::read_source_file;
use vitte_compiler::parser::parse_file;
use vitte_compiler::source::{FileId, Span};

use crate::dispatch::{LspError, Result};
use crate::document::normalise;
use crate::from_proto;
use crate::line_index::Lines;
use crate::state::Snapshot;
use crate::to_proto;

/// The program rooted at a document, the document's file and the byte offset of a position in it.
struct Cursor {
    analysis: Arc<ProgramAnalysis>,
    file: FileId,
    offset: u32,
}

fn cursor(snap: &Snapshot, uri: &lsp::Uri, position: lsp::Position) -> Cursor {
    let analysis = snap.analysis(&from_proto::path(uri));
    let file = analysis.root();
    let offset = Lines::new(analysis.text(file), snap.encoding).offset(position);
    Cursor {
        analysis,
        file,
        offset,
    }
}

/// The location of a span of `pa`.
fn location(snap: &Snapshot, pa: &ProgramAnalysis, span: Span) -> Option<lsp::Location> {
    let source = pa.source(span.file)?;
    let lines = Lines::new(&source.text, snap.encoding);
    Some(lsp::Location::new(
        snap.uri_of(&source.path),
        lines.range(span.start, span.end),
    ))
}

/// `textDocument/hover`.
pub fn hover(snap: &Snapshot, params: lsp::HoverParams) -> Result<Option<lsp::Hover>> {
    let at = params.text_document_position_params;
    let c = cursor(snap, &at.text_document.uri, at.position);
    let Some(info) = queries::hover::hover_at(&c.analysis, c.file, c.offset) else {
        return Ok(None);
    };
    let lines = Lines::new(c.analysis.text(c.file), snap.encoding);
    Ok(Some(to_proto::hover(&lines, &info)))
}

/// `textDocument/definition`: the declaration; for a `use` alias, the used file.
pub fn definition(
    snap: &Snapshot,
    params: lsp::GotoDefinitionParams,
) -> Result<Option<lsp::GotoDefinitionResponse>> {
    let at = params.text_document_position_params;
    let c = cursor(snap, &at.text_document.uri, at.position);
    let pa = &c.analysis;
    let Some(reference) = navigate::reference_at(pa, c.file, c.offset) else {
        return Ok(None);
    };
    let target = match reference.symbol {
        Symbol::Module(index) => pa.file_of_index(index).map(|file| Span::new(file, 0, 0)),
        symbol => navigate::definition_of(pa, symbol, c.file),
    };
    Ok(target
        .and_then(|span| location(snap, pa, span))
        .map(lsp::GotoDefinitionResponse::Scalar))
}

/// The occurrences of the symbol at a position, in the program rooted at the document and in every
/// other open document's program that includes the symbol's file (so that references in a file
/// that uses this one are found too), without duplicates.
fn occurrences_everywhere(
    snap: &Snapshot,
    uri: &lsp::Uri,
    position: lsp::Position,
    include_declaration: bool,
) -> Vec<(lsp::Location, Access)> {
    let c = cursor(snap, uri, position);
    let pa = &c.analysis;
    let Some(reference) = navigate::reference_at(pa, c.file, c.offset) else {
        return Vec::new();
    };
    let mut found: Vec<(lsp::Location, Access)> = Vec::new();
    let mut seen: HashSet<(String, u32, u32)> = HashSet::new();
    let mut add = |pa: &ProgramAnalysis, occurrences: Vec<navigate::Occurrence>| {
        for occurrence in occurrences {
            let Some(location) = location(snap, pa, occurrence.span) else {
                continue;
            };
            let key = (
                location.uri.as_str().to_string(),
                occurrence.span.start,
                occurrence.span.end,
            );
            if seen.insert(key) {
                found.push((location, occurrence.access));
            }
        }
    };
    add(
        pa,
        navigate::occurrences(pa, reference.symbol, c.file, include_declaration),
    );
    let local = matches!(reference.symbol, Symbol::Module(_) | Symbol::Local(_));
    let definition = navigate::definition_of(pa, reference.symbol, c.file)
        .and_then(|span| Some((pa.source(span.file)?.path.clone(), span.start)));
    if let (Some((def_path, def_start)), false) = (definition, local) {
        let here = from_proto::path(uri);
        for path in snap.documents.keys().filter(|p| **p != here) {
            if snap.is_stale() {
                break;
            }
            let other = snap.analysis(path);
            let Some(file) = other.file_id(&def_path) else {
                continue;
            };
            if let Some(r) = navigate::reference_at(&other, file, def_start) {
                add(
                    &other,
                    navigate::occurrences(&other, r.symbol, file, include_declaration),
                );
            }
        }
    }
    found
}

/// `textDocument/references`.
pub fn references(
    snap: &Snapshot,
    params: lsp::ReferenceParams,
) -> Result<Option<Vec<lsp::Location>>> {
    let at = params.text_document_position;
    let found = occurrences_everywhere(
        snap,
        &at.text_document.uri,
        at.position,
        params.context.include_declaration,
    );
    Ok(Some(found.into_iter().map(|(l, _)| l).collect()))
}

/// `textDocument/documentHighlight`.
pub fn document_highlight(
    snap: &Snapshot,
    params: lsp::DocumentHighlightParams,
) -> Result<Option<Vec<lsp::DocumentHighlight>>> {
    let at = params.text_document_position_params;
    let c = cursor(snap, &at.text_document.uri, at.position);
    let lines = Lines::new(c.analysis.text(c.file), snap.encoding);
    let highlights = navigate::highlights_at(&c.analysis, c.file, c.offset)
        .into_iter()
        .map(|o| lsp::DocumentHighlight {
            range: lines.range(o.span.start, o.span.end),
            kind: Some(match o.access {
                Access::Definition | Access::Write => lsp::DocumentHighlightKind::WRITE,
                Access::Read => lsp::DocumentHighlightKind::READ,
            }),
        })
        .collect();
    Ok(Some(highlights))
}

/// `textDocument/documentSymbol`.
pub fn document_symbol(
    snap: &Snapshot,
    params: lsp::DocumentSymbolParams,
) -> Result<Option<lsp::DocumentSymbolResponse>> {
    let pa = snap.analysis(&from_proto::path(&params.text_document.uri));
    let file = pa.root();
    let Some(ast) = pa.ast(file) else {
        return Ok(Some(lsp::DocumentSymbolResponse::Nested(Vec::new())));
    };
    let text = pa.text(file);
    let lines = Lines::new(text, snap.encoding);
    let symbols = outline(ast, text)
        .iter()
        .map(|s| to_proto::document_symbol(&lines, s))
        .collect();
    Ok(Some(lsp::DocumentSymbolResponse::Nested(symbols)))
}

/// The most files `workspace/symbol` reads from the workspace folders.
const WORKSPACE_FILE_LIMIT: usize = 2000;
/// The most symbols `workspace/symbol` answers.
const WORKSPACE_SYMBOL_LIMIT: usize = 256;

/// `workspace/symbol`: the items of every open document and every `.vit` file under the workspace
/// folders whose name contains the query's characters in order (ignoring case).
#[allow(deprecated)] // `SymbolInformation::deprecated` must be written, as `None`.
pub fn workspace_symbol(
    snap: &Snapshot,
    params: lsp::WorkspaceSymbolParams,
) -> Result<Option<lsp::WorkspaceSymbolResponse>> {
    let mut paths: Vec<PathBuf> = snap.documents.keys().cloned().collect();
    for root in snap.roots.iter() {
        collect_vit_files(root, &mut paths, 0);
    }
    let mut seen = HashSet::new();
    paths.retain(|p| seen.insert(normalise(p)));
    paths.sort();
    let query = params.query.to_lowercase();
    let mut out = Vec::new();
    for path in paths {
        if snap.is_stale() || out.len() >= WORKSPACE_SYMBOL_LIMIT {
            break;
        }
        let text = match snap.documents.get(&path) {
            Some(document) => document.text.clone(),
            None => match read_source_file(&path) {
                Ok(text) => text,
                Err(_) => continue,
            },
        };
        let (ast, _) = parse_file(FileId(0), &text);
        let lines = Lines::new(&text, snap.encoding);
        let uri = snap.uri_of(&path.to_string_lossy());
        let mut push = |symbol: &OutlineSymbol, container: Option<&str>| {
            if fuzzy_match(&symbol.name.to_lowercase(), &query) {
                out.push(lsp::SymbolInformation {
                    name: symbol.name.clone(),
                    kind: to_proto::symbol_kind(symbol.kind),
                    tags: None,
                    deprecated: None,
                    location: lsp::Location::new(
                        uri.clone(),
                        lines.range(symbol.name_span.start, symbol.name_span.end),
                    ),
                    container_name: container.map(str::to_string),
                });
            }
        };
        for symbol in outline(&ast, &text) {
            push(&symbol, None);
            for child in &symbol.children {
                push(child, Some(&symbol.name));
            }
        }
    }
    out.truncate(WORKSPACE_SYMBOL_LIMIT);
    Ok(Some(lsp::WorkspaceSymbolResponse::Flat(out)))
}

/// True when `name` contains the characters of `query` in order.
fn fuzzy_match(name: &str, query: &str) -> bool {
    let mut chars = name.chars();
    query.chars().all(|q| chars.any(|c| c == q))
}

/// Adds the `.vit` files under `folder` (not in hidden folders, `target` or `node_modules`).
fn collect_vit_files(folder: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    if depth > 12 || out.len() >= WORKSPACE_FILE_LIMIT {
        return;
    }
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(|e| e.ok()).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            if !name.starts_with('.') && name != "target" && name != "node_modules" {
                collect_vit_files(&path, out, depth + 1);
            }
        } else if name.ends_with(".vit") && out.len() < WORKSPACE_FILE_LIMIT {
            out.push(path);
        }
    }
}

/// `textDocument/completion`.
pub fn completion(
    snap: &Snapshot,
    params: lsp::CompletionParams,
) -> Result<Option<lsp::CompletionResponse>> {
    let at = params.text_document_position;
    let c = cursor(snap, &at.text_document.uri, at.position);
    let items = queries::complete::completions(&c.analysis, c.file, c.offset)
        .iter()
        .enumerate()
        .map(|(rank, item)| to_proto::completion_item(item, rank))
        .collect();
    Ok(Some(lsp::CompletionResponse::Array(items)))
}

/// `textDocument/signatureHelp`.
pub fn signature_help(
    snap: &Snapshot,
    params: lsp::SignatureHelpParams,
) -> Result<Option<lsp::SignatureHelp>> {
    let at = params.text_document_position_params;
    let c = cursor(snap, &at.text_document.uri, at.position);
    Ok(
        queries::signature::signature_help(&c.analysis, c.file, c.offset)
            .map(|help| to_proto::signature(&help.signature, help.active_param)),
    )
}

/// `textDocument/prepareRename`.
pub fn prepare_rename(
    snap: &Snapshot,
    params: lsp::TextDocumentPositionParams,
) -> Result<Option<lsp::PrepareRenameResponse>> {
    let c = cursor(snap, &params.text_document.uri, params.position);
    let span = queries::rename::prepare_rename(&c.analysis, c.file, c.offset)
        .map_err(|e| LspError::request_failed(e.0))?;
    let lines = Lines::new(c.analysis.text(c.file), snap.encoding);
    Ok(Some(lsp::PrepareRenameResponse::RangeWithPlaceholder {
        range: lines.range(span.start, span.end),
        placeholder: c.analysis.slice(span).to_string(),
    }))
}

/// `textDocument/rename`: every occurrence in the document's program and in the programs of the
/// other open documents that include the symbol's file.
// `WorkspaceEdit::changes` is keyed by `Uri`, which hashes and compares by its text only.
#[allow(clippy::mutable_key_type)]
pub fn rename(snap: &Snapshot, params: lsp::RenameParams) -> Result<Option<lsp::WorkspaceEdit>> {
    let at = params.text_document_position;
    let c = cursor(snap, &at.text_document.uri, at.position);
    let pa = &c.analysis;
    let edits = queries::rename::rename(pa, c.file, c.offset, &params.new_name)
        .map_err(|e| LspError::request_failed(e.0))?;
    let mut changes: HashMap<lsp::Uri, Vec<lsp::TextEdit>> = HashMap::new();
    let mut seen: HashSet<(String, u32, u32)> = HashSet::new();
    let mut add = |pa: &ProgramAnalysis, edits: Vec<queries::rename::Edit>| {
        for edit in edits {
            let Some(location) = location(snap, pa, edit.span) else {
                continue;
            };
            let key = (
                location.uri.as_str().to_string(),
                edit.span.start,
                edit.span.end,
            );
            if seen.insert(key) {
                changes
                    .entry(location.uri)
                    .or_default()
                    .push(lsp::TextEdit::new(location.range, edit.text));
            }
        }
    };
    add(pa, edits);
    let symbol = navigate::reference_at(pa, c.file, c.offset).map(|r| r.symbol);
    let shared = !matches!(symbol, Some(Symbol::Module(_) | Symbol::Local(_)) | None);
    let definition = symbol
        .and_then(|s| navigate::definition_of(pa, s, c.file))
        .and_then(|span| Some((pa.source(span.file)?.path.clone(), span.start)));
    if let (Some((def_path, def_start)), true) = (definition, shared) {
        let here = from_proto::path(&at.text_document.uri);
        for path in snap.documents.keys().filter(|p| **p != here) {
            let other = snap.analysis(path);
            if let Some(file) = other.file_id(&def_path) {
                let more = queries::rename::rename(&other, file, def_start, &params.new_name)
                    .map_err(|e| LspError::request_failed(e.0))?;
                add(&other, more);
            }
        }
    }
    Ok(Some(lsp::WorkspaceEdit::new(changes)))
}

/// `textDocument/semanticTokens/full`.
pub fn semantic_tokens_full(
    snap: &Snapshot,
    params: lsp::SemanticTokensParams,
) -> Result<Option<lsp::SemanticTokensResult>> {
    let pa = snap.analysis(&from_proto::path(&params.text_document.uri));
    let file = pa.root();
    let tokens = queries::tokens::semantic_tokens(&pa, file);
    let lines = Lines::new(pa.text(file), snap.encoding);
    Ok(Some(lsp::SemanticTokensResult::Tokens(
        to_proto::semantic_tokens(&lines, &tokens),
    )))
}

/// `textDocument/inlayHint`.
pub fn inlay_hint(
    snap: &Snapshot,
    params: lsp::InlayHintParams,
) -> Result<Option<Vec<lsp::InlayHint>>> {
    let pa = snap.analysis(&from_proto::path(&params.text_document.uri));
    let file = pa.root();
    let lines = Lines::new(pa.text(file), snap.encoding);
    let start = lines.offset(params.range.start);
    let end = lines.offset(params.range.end);
    let hints = queries::inlay::inlay_hints(&pa, file, start, end)
        .into_iter()
        .map(|hint| lsp::InlayHint {
            position: lines.position(hint.offset),
            label: lsp::InlayHintLabel::String(hint.label),
            kind: Some(lsp::InlayHintKind::TYPE),
            text_edits: None,
            tooltip: None,
            padding_left: None,
            padding_right: None,
            data: None,
        })
        .collect();
    Ok(Some(hints))
}

/// `textDocument/formatting`: the document in `vitte fmt`'s layout, as one edit of the whole
/// text (none when it is already formatted). A document that does not parse is refused with the
/// first syntax error's place, and left as it is.
pub fn formatting(
    snap: &Snapshot,
    params: lsp::DocumentFormattingParams,
) -> Result<Option<Vec<lsp::TextEdit>>> {
    let pa = snap.analysis(&from_proto::path(&params.text_document.uri));
    let text = pa.text(pa.root());
    let formatted = vitte_compiler::format::format_source(text)
        .map_err(|error| LspError::request_failed(format!("cannot format: {error}")))?;
    if formatted == text {
        return Ok(Some(Vec::new()));
    }
    let lines = Lines::new(text, snap.encoding);
    let whole = lines.range(0, u32::try_from(text.len()).unwrap_or(u32::MAX));
    Ok(Some(vec![lsp::TextEdit::new(whole, formatted)]))
}

/// The command of the "Run" code lens (the VS Code extension implements it).
pub const RUN_COMMAND: &str = "vitte.runFile";
/// The command of the "Debug" code lens (the VS Code extension implements it).
pub const DEBUG_COMMAND: &str = "vitte.debugFile";

/// `textDocument/codeLens`: "Run" and "Debug" above a valid `main` of the document.
pub fn code_lens(
    snap: &Snapshot,
    params: lsp::CodeLensParams,
) -> Result<Option<Vec<lsp::CodeLens>>> {
    let uri = params.text_document.uri;
    let pa = snap.analysis(&from_proto::path(&uri));
    let file = pa.root();
    let Some(main) = pa
        .analysis
        .main
        .and_then(|id| pa.analysis.procs.get(id as usize))
    else {
        return Ok(Some(Vec::new()));
    };
    if main.span.file != file {
        return Ok(Some(Vec::new()));
    }
    let lines = Lines::new(pa.text(file), snap.encoding);
    let range = lines.range(main.span.start, main.span.end);
    let argument = serde_json::Value::String(uri.as_str().to_string());
    let lens = |title: &str, command: &str| lsp::CodeLens {
        range,
        command: Some(lsp::Command {
            title: title.to_string(),
            command: command.to_string(),
            arguments: Some(vec![argument.clone()]),
        }),
        data: None,
    };
    Ok(Some(vec![
        lens("▶ Run", RUN_COMMAND),
        lens("Debug", DEBUG_COMMAND),
    ]))
}

/// Diagnostics of one open document.
#[derive(Debug)]
pub struct FileDiagnostics {
    /// The document.
    pub uri: lsp::Uri,
    /// The version they were computed for.
    pub version: i32,
    /// The diagnostics.
    pub diagnostics: Vec<lsp::Diagnostic>,
}

/// The diagnostics of every open document: each document's own errors in the program rooted at
/// it, plus, at each `use` of a file that has errors, one error naming them (with their locations
/// as related information). `no main procedure` is left out for a file that another open
/// document uses (a library, not a program).
pub fn diagnostics(snap: &Snapshot) -> Vec<FileDiagnostics> {
    let mut analyses = Vec::new();
    for (path, document) in snap.documents.iter() {
        if snap.is_outdated() {
            return Vec::new();
        }
        analyses.push((path.clone(), document.clone(), snap.analysis(path)));
    }
    let used: HashSet<PathBuf> = analyses
        .iter()
        .flat_map(|(_, _, pa)| {
            pa.program
                .files
                .iter()
                .take(pa.program.files.len().saturating_sub(1))
                .map(|f| normalise(&f.path))
        })
        .collect();
    let mut out = Vec::new();
    for (path, document, pa) in analyses {
        let file = pa.root();
        let lines = Lines::new(pa.text(file), snap.encoding);
        let mut list: Vec<lsp::Diagnostic> = pa
            .diagnostics
            .iter()
            .filter(|d| d.span.file == file)
            .filter(|d| !(d.message == "no main procedure" && used.contains(&path)))
            .map(|d| to_proto::diagnostic(&lines, d))
            .collect();
        if let Some(root) = pa.parsed(file) {
            for import in &root.imports {
                let Some(target) = pa.file_of_index(import.file) else {
                    continue;
                };
                let errors: Vec<_> = pa
                    .diagnostics
                    .iter()
                    .filter(|d| d.span.file == target && d.severity == Severity::Error)
                    .collect();
                let Some(first) = errors.first() else {
                    continue;
                };
                let name = pa
                    .source(target)
                    .map(|s| {
                        Path::new(&s.path)
                            .file_name()
                            .map_or(s.path.clone(), |n| n.to_string_lossy().into_owned())
                    })
                    .unwrap_or_default();
                let count = if errors.len() == 1 {
                    "1 error".to_string()
                } else {
                    format!("{} errors", errors.len())
                };
                let mut diagnostic = to_proto::diagnostic(
                    &lines,
                    &vitte_compiler::diagnostics::Diagnostic::error(
                        import.span,
                        format!("{name} has {count}; the first: {}", first.message),
                    ),
                );
                diagnostic.related_information = Some(
                    errors
                        .iter()
                        .filter_map(|d| {
                            Some(lsp::DiagnosticRelatedInformation {
                                location: location(snap, &pa, d.span)?,
                                message: d.message.clone(),
                            })
                        })
                        .collect(),
                );
                list.push(diagnostic);
            }
        }
        list.sort_by_key(|d| (d.range.start, d.range.end));
        out.push(FileDiagnostics {
            uri: document.uri.clone(),
            version: document.version,
            diagnostics: list,
        });
    }
    out.sort_by(|a, b| a.uri.cmp(&b.uri));
    out
}
