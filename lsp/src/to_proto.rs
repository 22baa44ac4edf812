//! Conversions from the compiler's answers to LSP types: spans to ranges (in the negotiated position
//! encoding, through [`Lines`]), paths to URIs, diagnostics, symbols, completion items, hovers,
//! signatures, semantic tokens and inlay hints. The only place (with [`crate::from_proto`]) that builds protocol values
//! out of compiler values.

use std::path::Path;
use std::str::FromStr;

use lsp_types as lsp;
use vitte_compiler::analysis::complete::{CompletionItem, CompletionKind};
use vitte_compiler::analysis::hover::{CallSignature, HoverInfo};
use vitte_compiler::analysis::outline::{OutlineKind, OutlineSymbol};
use vitte_compiler::analysis::tokens::{SemanticToken, TokenClass};
use vitte_compiler::diagnostics::{Diagnostic, Severity};

use crate::line_index::{Lines, PositionEncoding};

/// The `file:` URI of a path.
pub fn uri(path: &Path) -> lsp::Uri {
    let text = path.to_string_lossy().replace('\\', "/");
    let mut out = String::from("file://");
    if !text.starts_with('/') {
        out.push('/');
    }
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' | b':' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    // Every byte outside the unreserved set is escaped, so the text is a valid URI.
    lsp::Uri::from_str(&out).unwrap_or_else(|_| {
        lsp::Uri::from_str("file:///").unwrap_or_else(|_| unreachable!("a constant URI"))
    })
}

/// The protocol's name of a position encoding.
pub fn encoding(encoding: PositionEncoding) -> lsp::PositionEncodingKind {
    match encoding {
        PositionEncoding::Utf8 => lsp::PositionEncodingKind::UTF8,
        PositionEncoding::Utf16 => lsp::PositionEncodingKind::UTF16,
    }
}

/// A compiler diagnostic in a file whose positions `lines` converts.
pub fn diagnostic(lines: &Lines<'_>, diagnostic: &Diagnostic) -> lsp::Diagnostic {
    lsp::Diagnostic {
        range: lines.range(diagnostic.span.start, diagnostic.span.end),
        severity: Some(match diagnostic.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        }),
        source: Some("vitte".to_string()),
        message: diagnostic.message.clone(),
        ..lsp::Diagnostic::default()
    }
}

/// The symbol kind of an outline item.
pub fn symbol_kind(kind: OutlineKind) -> lsp::SymbolKind {
    match kind {
        OutlineKind::Proc => lsp::SymbolKind::FUNCTION,
        OutlineKind::Form => lsp::SymbolKind::STRUCT,
        OutlineKind::Field => lsp::SymbolKind::FIELD,
        OutlineKind::Pick => lsp::SymbolKind::ENUM,
        OutlineKind::Case => lsp::SymbolKind::ENUM_MEMBER,
        OutlineKind::Const => lsp::SymbolKind::CONSTANT,
        OutlineKind::Global => lsp::SymbolKind::VARIABLE,
    }
}

/// An outline item and its members as a `DocumentSymbol` tree.
#[allow(deprecated)] // `DocumentSymbol::deprecated` must be written, as `None`.
pub fn document_symbol(lines: &Lines<'_>, symbol: &OutlineSymbol) -> lsp::DocumentSymbol {
    let range = lines.range(symbol.span.start, symbol.span.end);
    let mut selection = lines.range(symbol.name_span.start, symbol.name_span.end);
    if selection.start < range.start || selection.end > range.end {
        selection = range;
    }
    lsp::DocumentSymbol {
        name: symbol.name.clone(),
        detail: symbol.detail.clone(),
        kind: symbol_kind(symbol.kind),
        tags: None,
        deprecated: None,
        range,
        selection_range: selection,
        children: (!symbol.children.is_empty()).then(|| {
            symbol
                .children
                .iter()
                .map(|child| document_symbol(lines, child))
                .collect()
        }),
    }
}

/// A hover as Markdown: the signature in a `vitte` code block, then the documentation.
pub fn hover(lines: &Lines<'_>, info: &HoverInfo) -> lsp::Hover {
    let mut value = format!("```vitte\n{}\n```", info.signature);
    if let Some(doc) = &info.doc {
        value.push_str("\n\n---\n\n");
        value.push_str(doc);
    }
    lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value,
        }),
        range: Some(lines.range(info.span.start, info.span.end)),
    }
}

/// The completion kind of a candidate.
pub fn completion_kind(kind: CompletionKind) -> lsp::CompletionItemKind {
    match kind {
        CompletionKind::Local => lsp::CompletionItemKind::VARIABLE,
        CompletionKind::Field => lsp::CompletionItemKind::FIELD,
        CompletionKind::Case => lsp::CompletionItemKind::ENUM_MEMBER,
        CompletionKind::Proc | CompletionKind::Builtin => lsp::CompletionItemKind::FUNCTION,
        CompletionKind::Global => lsp::CompletionItemKind::VARIABLE,
        CompletionKind::Const => lsp::CompletionItemKind::CONSTANT,
        CompletionKind::Form => lsp::CompletionItemKind::STRUCT,
        CompletionKind::Pick => lsp::CompletionItemKind::ENUM,
        CompletionKind::Module => lsp::CompletionItemKind::MODULE,
        CompletionKind::Type => lsp::CompletionItemKind::TYPE_PARAMETER,
        CompletionKind::Keyword => lsp::CompletionItemKind::KEYWORD,
    }
}

/// A completion candidate; `rank` orders it among the others.
pub fn completion_item(item: &CompletionItem, rank: usize) -> lsp::CompletionItem {
    lsp::CompletionItem {
        label: item.label.clone(),
        kind: Some(completion_kind(item.kind)),
        detail: item.detail.clone(),
        documentation: item.doc.as_ref().map(|doc| {
            lsp::Documentation::MarkupContent(lsp::MarkupContent {
                kind: lsp::MarkupKind::Markdown,
                value: doc.clone(),
            })
        }),
        sort_text: Some(format!("{rank:04}")),
        ..lsp::CompletionItem::default()
    }
}

/// A signature for `signatureHelp`; parameter labels are offsets into the label, in UTF-16 units
/// as the protocol requires for them.
pub fn signature(signature: &CallSignature, active: usize) -> lsp::SignatureHelp {
    let utf16 = |byte: usize| -> u32 {
        signature.label[..byte.min(signature.label.len())]
            .encode_utf16()
            .count() as u32
    };
    let parameters = signature
        .params
        .iter()
        .map(|&(start, end)| lsp::ParameterInformation {
            label: lsp::ParameterLabel::LabelOffsets([utf16(start), utf16(end)]),
            documentation: None,
        })
        .collect::<Vec<_>>();
    let active = if parameters.is_empty() {
        0
    } else {
        active.min(parameters.len() - 1)
    };
    lsp::SignatureHelp {
        signatures: vec![lsp::SignatureInformation {
            label: signature.label.clone(),
            documentation: signature.doc.as_ref().map(|doc| {
                lsp::Documentation::MarkupContent(lsp::MarkupContent {
                    kind: lsp::MarkupKind::Markdown,
                    value: doc.clone(),
                })
            }),
            parameters: Some(parameters),
            active_parameter: Some(active as u32),
        }],
        active_signature: Some(0),
        active_parameter: Some(active as u32),
    }
}

/// The semantic token types, in legend order.
pub const TOKEN_TYPES: &[lsp::SemanticTokenType] = &[
    lsp::SemanticTokenType::NAMESPACE,
    lsp::SemanticTokenType::TYPE,
    lsp::SemanticTokenType::STRUCT,
    lsp::SemanticTokenType::ENUM,
    lsp::SemanticTokenType::ENUM_MEMBER,
    lsp::SemanticTokenType::PARAMETER,
    lsp::SemanticTokenType::VARIABLE,
    lsp::SemanticTokenType::PROPERTY,
    lsp::SemanticTokenType::FUNCTION,
    lsp::SemanticTokenType::KEYWORD,
    lsp::SemanticTokenType::COMMENT,
    lsp::SemanticTokenType::STRING,
    lsp::SemanticTokenType::NUMBER,
    lsp::SemanticTokenType::OPERATOR,
];

/// The semantic token modifiers, in legend order (bit 0 first).
pub const TOKEN_MODIFIERS: &[lsp::SemanticTokenModifier] = &[
    lsp::SemanticTokenModifier::DECLARATION,
    lsp::SemanticTokenModifier::READONLY,
    lsp::SemanticTokenModifier::DEFAULT_LIBRARY,
    lsp::SemanticTokenModifier::DOCUMENTATION,
];

fn token_type(class: TokenClass) -> u32 {
    match class {
        TokenClass::Namespace => 0,
        TokenClass::Type => 1,
        TokenClass::Form => 2,
        TokenClass::Pick => 3,
        TokenClass::Case => 4,
        TokenClass::Parameter => 5,
        TokenClass::Variable => 6,
        TokenClass::Field => 7,
        TokenClass::Proc => 8,
        TokenClass::Keyword => 9,
        TokenClass::Comment => 10,
        TokenClass::String => 11,
        TokenClass::Number => 12,
        TokenClass::Operator => 13,
    }
}

/// Tokens in the protocol's relative encoding; a token spanning lines is split into one per line.
pub fn semantic_tokens(lines: &Lines<'_>, tokens: &[SemanticToken]) -> lsp::SemanticTokens {
    let mut data = Vec::new();
    let (mut prev_line, mut prev_col) = (0u32, 0u32);
    let text = lines.text();
    for token in tokens {
        let modifiers = u32::from(token.modifiers.declaration)
            | (u32::from(token.modifiers.readonly) << 1)
            | (u32::from(token.modifiers.default_library) << 2)
            | (u32::from(token.modifiers.documentation) << 3);
        let mut start = token.span.start as usize;
        let end = (token.span.end as usize).min(text.len());
        while start < end {
            let line_end = text[start..end].find('\n').map_or(end, |i| start + i);
            let piece_end = if text[..line_end].ends_with('\r') {
                line_end - 1
            } else {
                line_end
            };
            if piece_end > start {
                let from = lines.position(start as u32);
                let to = lines.position(piece_end as u32);
                let delta_line = from.line - prev_line;
                let delta_col = if delta_line == 0 {
                    from.character - prev_col
                } else {
                    from.character
                };
                data.push(lsp::SemanticToken {
                    delta_line,
                    delta_start: delta_col,
                    length: to.character - from.character,
                    token_type: token_type(token.class),
                    token_modifiers_bitset: modifiers,
                });
                prev_line = from.line;
                prev_col = from.character;
            }
            start = line_end + 1;
        }
    }
    lsp::SemanticTokens {
        result_id: None,
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_escaped_file_uris() {
        let uri = uri(Path::new("/home/me/my code/a é.vit"));
        assert_eq!(uri.as_str(), "file:///home/me/my%20code/a%20%C3%A9.vit");
        assert_eq!(
            crate::from_proto::path(&uri),
            Path::new("/home/me/my code/a é.vit")
        );
    }
}
