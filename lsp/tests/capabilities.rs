//! The advertised capabilities match what the server handles, both ways, and the position encoding
//! is negotiated (UTF-8 when the client offers it, UTF-16 otherwise).

use crate::common::{TestServer, uri};
use lsp_server::ErrorCode;
use serde_json::{Value, json};
use vitte_lsp::caps::HANDLED_REQUESTS;

/// Capability keys and the request each one promises.
const PROVIDERS: &[(&str, &str)] = &[
    ("hoverProvider", "textDocument/hover"),
    ("definitionProvider", "textDocument/definition"),
    ("referencesProvider", "textDocument/references"),
    (
        "documentHighlightProvider",
        "textDocument/documentHighlight",
    ),
    ("documentSymbolProvider", "textDocument/documentSymbol"),
    ("workspaceSymbolProvider", "workspace/symbol"),
    ("completionProvider", "textDocument/completion"),
    ("signatureHelpProvider", "textDocument/signatureHelp"),
    ("renameProvider", "textDocument/rename"),
    ("semanticTokensProvider", "textDocument/semanticTokens/full"),
    ("inlayHintProvider", "textDocument/inlayHint"),
    ("codeLensProvider", "textDocument/codeLens"),
    ("documentFormattingProvider", "textDocument/formatting"),
    (
        "documentRangeFormattingProvider",
        "textDocument/rangeFormatting",
    ),
    ("typeDefinitionProvider", "textDocument/typeDefinition"),
    ("implementationProvider", "textDocument/implementation"),
    ("declarationProvider", "textDocument/declaration"),
    ("codeActionProvider", "textDocument/codeAction"),
    ("foldingRangeProvider", "textDocument/foldingRange"),
    ("selectionRangeProvider", "textDocument/selectionRange"),
    ("callHierarchyProvider", "textDocument/prepareCallHierarchy"),
    ("documentLinkProvider", "textDocument/documentLink"),
];

/// Parameters every request above accepts (extra fields are ignored by the ones that need fewer).
fn any_params() -> Value {
    let file = uri("main.vit");
    json!({
        "textDocument": { "uri": file },
        "position": { "line": 0, "character": 6 },
        "context": { "includeDeclaration": true },
        "query": "",
        "newName": "renamed",
        "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 9, "character": 0 } },
        "options": { "tabSize": 4, "insertSpaces": true },
    })
}

fn is_advertised(capabilities: &Value, key: &str) -> bool {
    !matches!(&capabilities[key], Value::Null | Value::Bool(false))
}

#[test]
fn advertised_capabilities_match_handled_requests() {
    let mut server = TestServer::start();
    server.open(&uri("main.vit"), "proc main() {}\n");
    let capabilities = server.initialize_result["capabilities"].clone();
    let mut advertised = 0;
    for (key, method) in PROVIDERS {
        let response = server.request_raw(method, any_params());
        let unknown = response
            .error
            .as_ref()
            .is_some_and(|e| e.code == ErrorCode::MethodNotFound as i32);
        if is_advertised(&capabilities, key) {
            advertised += 1;
            assert!(!unknown, "{key} is advertised but {method} is not handled");
            assert!(
                HANDLED_REQUESTS.contains(method),
                "{method} missing from HANDLED_REQUESTS"
            );
        } else {
            assert!(unknown, "{method} is handled but {key} is not advertised");
            assert!(
                !HANDLED_REQUESTS.contains(method),
                "{method} listed but not advertised"
            );
        }
    }
    assert_eq!(advertised, 13);
    // prepareRename is promised by renameProvider.prepareProvider.
    assert_eq!(
        capabilities["renameProvider"]["prepareProvider"],
        json!(true)
    );
    let response = server.request_raw("textDocument/prepareRename", any_params());
    assert!(response.error.is_none(), "prepareRename is handled");
    // Every handled request is one of the above (or a lifecycle/prepare request).
    for method in HANDLED_REQUESTS {
        let known = PROVIDERS.iter().any(|(_, m)| m == method)
            || ["shutdown", "textDocument/prepareRename"].contains(method);
        assert!(
            known,
            "{method} is handled but no capability test covers it"
        );
    }
    // Incremental sync.
    assert_eq!(capabilities["textDocumentSync"]["change"], json!(2));
    assert_eq!(capabilities["textDocumentSync"]["openClose"], json!(true));
    assert_eq!(
        server.initialize_result["serverInfo"]["name"],
        json!("vitte-lsp")
    );
    server.shutdown();
}

/// The column where `b` is declared on a line holding `"é😀"` (2 + 4 bytes, 1 + 2 UTF-16 units),
/// found through the highlights of its use at column `use_column`.
fn declaration_column(server: &mut TestServer, use_column: u32) -> u64 {
    let file = uri("main.vit");
    server.open(
        &file,
        "proc main() {\n    let s = \"é😀\"; let b = 2; print(b);\n}\n",
    );
    let response = server.request_raw(
        "textDocument/documentHighlight",
        json!({ "textDocument": { "uri": file }, "position": { "line": 1, "character": use_column } }),
    );
    let highlights = response.result.expect("highlights");
    assert_eq!(highlights.as_array().map(Vec::len), Some(2), "{highlights}");
    highlights[0]["range"]["start"]["character"]
        .as_u64()
        .expect("a column")
}

#[test]
fn utf8_is_chosen_when_offered() {
    let mut server = TestServer::start_with(json!({
        "capabilities": { "general": { "positionEncodings": ["utf-8", "utf-16"] } },
    }));
    assert_eq!(
        server.initialize_result["capabilities"]["positionEncoding"],
        json!("utf-8")
    );
    let column = declaration_column(&mut server, 39);
    server.shutdown();
    let mut utf16 = TestServer::start();
    assert_eq!(
        utf16.initialize_result["capabilities"]["positionEncoding"],
        json!("utf-16")
    );
    let column16 = declaration_column(&mut utf16, 36);
    utf16.shutdown();
    assert_eq!((column, column16), (26, 23));
}
