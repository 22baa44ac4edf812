//! Every language feature, tested as data: each `tests/fixtures/FEATURE/*.vit` fixture is opened in
//! a fresh in-process server, the feature's request is sent at the `$0` cursor, and the answer,
//! rendered as readable text, must match `*.expect` next to the fixture (`UPDATE_EXPECT=1` rewrites
//! the snapshots).

use crate::common;

use std::fmt::Write;

use common::{Fixture, check_fixtures, uri};
use lsp_types::{self as lsp, request as req};
use serde_json::{Value, json};

fn params<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("valid parameters")
}

fn severity(s: Option<lsp::DiagnosticSeverity>) -> &'static str {
    match s {
        Some(lsp::DiagnosticSeverity::ERROR) => "error",
        Some(lsp::DiagnosticSeverity::WARNING) => "warning",
        _ => "other",
    }
}

#[test]
fn diagnostics() {
    check_fixtures("diagnostics", |server, fixture| {
        let response = server.request_raw("vitte/diagnostics", Value::Null);
        let files: Vec<Value> = serde_json::from_value(response.result.unwrap()).unwrap();
        let mut out = String::new();
        for file in files {
            let uri: lsp::Uri = serde_json::from_value(file["uri"].clone()).unwrap();
            let list: Vec<lsp::Diagnostic> =
                serde_json::from_value(file["diagnostics"].clone()).unwrap();
            writeln!(out, "== {}", Fixture::name_of(&uri)).unwrap();
            for d in list {
                writeln!(
                    out,
                    "{} {}: {}",
                    fixture.show_range(&uri, d.range),
                    severity(d.severity),
                    d.message
                )
                .unwrap();
                for related in d.related_information.unwrap_or_default() {
                    writeln!(
                        out,
                        "    related {} {}",
                        fixture.show_range(&related.location.uri, related.location.range),
                        related.message
                    )
                    .unwrap();
                }
            }
        }
        out
    });
}

#[test]
fn hover() {
    check_fixtures("hover", |server, fixture| {
        let hover = server.request::<req::HoverRequest>(params(fixture.cursor_params()));
        match hover {
            None => "no hover\n".to_string(),
            Some(hover) => {
                let lsp::HoverContents::Markup(content) = hover.contents else {
                    panic!("markup hover expected");
                };
                let main = uri(&fixture.cursor.as_ref().unwrap().0);
                format!(
                    "{}\n{}\n",
                    fixture.show_range(&main, hover.range.expect("a range")),
                    content.value
                )
            }
        }
    });
}

#[test]
fn definition() {
    check_fixtures("definition", |server, fixture| {
        match server.request::<req::GotoDefinition>(params(fixture.cursor_params())) {
            Some(lsp::GotoDefinitionResponse::Scalar(location)) => {
                format!("{}\n", fixture.show_range(&location.uri, location.range))
            }
            None => "no definition\n".to_string(),
            Some(other) => format!("unexpected {other:?}\n"),
        }
    });
}

#[test]
fn references() {
    check_fixtures("references", |server, fixture| {
        let mut request = fixture.cursor_params();
        request["context"] = json!({ "includeDeclaration": true });
        let found = server
            .request::<req::References>(params(request))
            .unwrap_or_default();
        found
            .iter()
            .map(|l| format!("{}\n", fixture.show_range(&l.uri, l.range)))
            .collect()
    });
}

#[test]
fn document_highlight() {
    check_fixtures("highlight", |server, fixture| {
        let found = server
            .request::<req::DocumentHighlightRequest>(params(fixture.cursor_params()))
            .unwrap_or_default();
        let main = uri(&fixture.cursor.as_ref().unwrap().0);
        found
            .iter()
            .map(|h| {
                let kind = match h.kind {
                    Some(lsp::DocumentHighlightKind::WRITE) => "write",
                    Some(lsp::DocumentHighlightKind::READ) => "read",
                    _ => "text",
                };
                format!("{} {kind}\n", fixture.show_range(&main, h.range))
            })
            .collect()
    });
}

fn show_symbols(
    out: &mut String,
    fixture: &Fixture,
    uri: &lsp::Uri,
    symbols: &[lsp::DocumentSymbol],
    depth: usize,
) {
    for s in symbols {
        writeln!(
            out,
            "{}{:?} {}{} {} name {}",
            "  ".repeat(depth),
            s.kind,
            s.name,
            s.detail
                .as_ref()
                .map(|d| format!(" [{d}]"))
                .unwrap_or_default(),
            fixture
                .show_range(uri, s.range)
                .split(' ')
                .next()
                .unwrap_or(""),
            fixture.show_range(uri, s.selection_range),
        )
        .unwrap();
        show_symbols(
            out,
            fixture,
            uri,
            s.children.as_deref().unwrap_or(&[]),
            depth + 1,
        );
    }
}

#[test]
fn document_symbol() {
    check_fixtures("document_symbol", |server, fixture| {
        let main = uri(fixture.main());
        let response = server.request::<req::DocumentSymbolRequest>(params(
            json!({ "textDocument": { "uri": main } }),
        ));
        let Some(lsp::DocumentSymbolResponse::Nested(symbols)) = response else {
            panic!("nested symbols expected");
        };
        let mut out = String::new();
        show_symbols(&mut out, fixture, &main, &symbols, 0);
        out
    });
}

#[test]
fn workspace_symbol() {
    check_fixtures("workspace_symbol", |server, fixture| {
        let query = fixture.option("query").unwrap_or("");
        let response =
            server.request::<req::WorkspaceSymbolRequest>(params(json!({ "query": query })));
        let Some(lsp::WorkspaceSymbolResponse::Flat(symbols)) = response else {
            panic!("flat symbols expected");
        };
        let mut out = format!("query `{query}`\n");
        for s in symbols {
            writeln!(
                out,
                "{:?} {}{} {}",
                s.kind,
                s.container_name
                    .map(|c| format!("{c}."))
                    .unwrap_or_default(),
                s.name,
                fixture.show_range(&s.location.uri, s.location.range)
            )
            .unwrap();
        }
        out
    });
}

#[test]
fn completion() {
    check_fixtures("completion", |server, fixture| {
        let response = server.request::<req::Completion>(params(fixture.cursor_params()));
        let Some(lsp::CompletionResponse::Array(items)) = response else {
            panic!("a completion list expected");
        };
        let limit = fixture
            .option("limit")
            .and_then(|l| l.parse().ok())
            .unwrap_or(usize::MAX);
        let mut out = String::new();
        for item in items.iter().take(limit) {
            writeln!(
                out,
                "{} ({:?}){}",
                item.label,
                item.kind.expect("a kind"),
                item.detail
                    .as_ref()
                    .map(|d| format!(" {d}"))
                    .unwrap_or_default()
            )
            .unwrap();
        }
        if items.len() > limit {
            writeln!(out, "… {} more", items.len() - limit).unwrap();
        }
        out
    });
}

#[test]
fn signature_help() {
    check_fixtures("signature_help", |server, fixture| match server
        .request::<req::SignatureHelpRequest>(params(fixture.cursor_params()))
    {
        None => "no signature help\n".to_string(),
        Some(help) => {
            let signature = &help.signatures[0];
            let active = help.active_parameter.unwrap_or(0) as usize;
            let params = signature.parameters.clone().unwrap_or_default();
            let label16: Vec<u16> = signature.label.encode_utf16().collect();
            let active_text = params.get(active).map(|p| match &p.label {
                lsp::ParameterLabel::LabelOffsets([s, e]) => {
                    String::from_utf16_lossy(&label16[*s as usize..*e as usize])
                }
                lsp::ParameterLabel::Simple(s) => s.clone(),
            });
            format!(
                "{}\nactive parameter {active}: {}\n{}",
                signature.label,
                active_text.unwrap_or_else(|| "none".to_string()),
                match &signature.documentation {
                    Some(lsp::Documentation::MarkupContent(m)) => format!("doc: {}\n", m.value),
                    _ => String::new(),
                }
            )
        }
    });
}

/// Applies LSP text edits (UTF-16 ranges) to a text.
fn apply_edits(text: &str, edits: &[lsp::TextEdit]) -> String {
    let mut edits: Vec<&lsp::TextEdit> = edits.iter().collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
    let mut text = text.to_string();
    for edit in edits {
        let start = common::offset(&text, edit.range.start);
        let end = common::offset(&text, edit.range.end);
        text.replace_range(start..end, &edit.new_text);
    }
    text
}

#[test]
fn rename() {
    check_fixtures("rename", |server, fixture| {
        let new_name = fixture.option("new_name").expect("a //@ new_name option");
        let mut request = fixture.cursor_params();
        let prepare = server.request_raw("textDocument/prepareRename", request.clone());
        let mut out = String::new();
        match (prepare.result, prepare.error) {
            (Some(result), None) => writeln!(
                out,
                "prepare: placeholder `{}`",
                result["placeholder"].as_str().unwrap_or("")
            )
            .unwrap(),
            (_, Some(error)) => writeln!(out, "prepare: error {}", error.message).unwrap(),
            _ => writeln!(out, "prepare: none").unwrap(),
        }
        request["newName"] = json!(new_name);
        let response = server.request_raw("textDocument/rename", request);
        if let Some(error) = response.error {
            writeln!(out, "rename to `{new_name}`: error {}", error.message).unwrap();
            return out;
        }
        let edit: lsp::WorkspaceEdit = serde_json::from_value(response.result.unwrap()).unwrap();
        let mut changes: Vec<_> = edit.changes.unwrap_or_default().into_iter().collect();
        changes.sort_by(|a, b| a.0.cmp(&b.0));
        writeln!(out, "rename to `{new_name}`:").unwrap();
        for (uri, edits) in changes {
            let name = Fixture::name_of(&uri);
            writeln!(out, "== {name} ({} edits)", edits.len()).unwrap();
            out.push_str(&apply_edits(fixture.text(&name), &edits));
        }
        out
    });
}

#[test]
fn semantic_tokens() {
    check_fixtures("semantic_tokens", |server, fixture| {
        let main = uri(fixture.main());
        let legend =
            server.initialize_result["capabilities"]["semanticTokensProvider"]["legend"].clone();
        let types: Vec<String> = serde_json::from_value(legend["tokenTypes"].clone()).unwrap();
        let modifiers: Vec<String> =
            serde_json::from_value(legend["tokenModifiers"].clone()).unwrap();
        let response = server.request::<req::SemanticTokensFullRequest>(params(
            json!({ "textDocument": { "uri": main } }),
        ));
        let Some(lsp::SemanticTokensResult::Tokens(tokens)) = response else {
            panic!("tokens expected");
        };
        let text = fixture.text(fixture.main());
        let (mut line, mut col) = (0u32, 0u32);
        let mut out = String::new();
        for t in tokens.data {
            if t.delta_line > 0 {
                line += t.delta_line;
                col = t.delta_start;
            } else {
                col += t.delta_start;
            }
            let start = common::offset(text, lsp::Position::new(line, col));
            let end = common::offset(text, lsp::Position::new(line, col + t.length));
            let mods: Vec<&str> = (0..modifiers.len())
                .filter(|bit| t.token_modifiers_bitset & (1 << bit) != 0)
                .map(|bit| modifiers[bit].as_str())
                .collect();
            writeln!(
                out,
                "{}:{} `{}` {}{}",
                line + 1,
                col + 1,
                &text[start..end],
                types[t.token_type as usize],
                if mods.is_empty() {
                    String::new()
                } else {
                    format!(" [{}]", mods.join(", "))
                }
            )
            .unwrap();
        }
        out
    });
}

#[test]
fn inlay_hint() {
    check_fixtures("inlay_hint", |server, fixture| {
        let main = uri(fixture.main());
        let text = fixture.text(fixture.main());
        let end = common::position(text, text.len());
        let hints = server
            .request::<req::InlayHintRequest>(params(json!({
                "textDocument": { "uri": main },
                "range": { "start": { "line": 0, "character": 0 }, "end": end },
            })))
            .unwrap_or_default();
        let mut shown = text.to_string();
        let mut placed: Vec<(usize, String)> = hints
            .iter()
            .map(|h| {
                let lsp::InlayHintLabel::String(label) = &h.label else {
                    panic!("string labels expected");
                };
                (common::offset(text, h.position), label.clone())
            })
            .collect();
        placed.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
        for (at, label) in placed {
            shown.insert_str(at, &format!("/*{label}*/"));
        }
        shown
    });
}

#[test]
fn code_lens() {
    check_fixtures("code_lens", |server, fixture| {
        let main = uri(fixture.main());
        let lenses = server
            .request::<req::CodeLensRequest>(params(json!({ "textDocument": { "uri": main } })))
            .unwrap_or_default();
        if lenses.is_empty() {
            return "no code lens\n".to_string();
        }
        lenses
            .iter()
            .map(|l| {
                let command = l.command.as_ref().expect("a command");
                let args = command.arguments.clone().unwrap_or_default();
                format!(
                    "{} {} -> {} {}\n",
                    fixture.show_range(&main, l.range),
                    command.title,
                    command.command,
                    serde_json::to_string(&args).unwrap()
                )
            })
            .collect()
    });
}

#[test]
fn formatting() {
    check_fixtures("formatting", |server, fixture| {
        let main = uri(fixture.main());
        let text = fixture.text(fixture.main());
        let response = server.request_raw(
            "textDocument/formatting",
            json!({ "textDocument": { "uri": main }, "options": { "tabSize": 4, "insertSpaces": true } }),
        );
        if let Some(error) = response.error {
            return format!("error: {}\n", error.message);
        }
        let edits: Vec<lsp::TextEdit> =
            serde_json::from_value(response.result.unwrap_or_default()).expect("edits");
        let mut shown = text.to_string();
        for edit in edits.iter().rev() {
            let start = common::offset(text, edit.range.start);
            let end = common::offset(text, edit.range.end);
            shown.replace_range(start..end, &edit.new_text);
        }
        format!("{} edit(s)\n{shown}", edits.len())
    });
}
