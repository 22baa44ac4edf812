//! Document sync and published diagnostics: incremental edits with UTF-16 (and negotiated UTF-8)
//! ranges, several changes in one notification, full replacement, diagnostics published on open
//! and on every change, across files joined by `use`, and cleared on close.

use crate::common::{TestServer, uri};
use serde_json::{Value, json};

fn range(l1: u32, c1: u32, l2: u32, c2: u32) -> Value {
    json!({ "start": { "line": l1, "character": c1 }, "end": { "line": l2, "character": c2 } })
}

#[test]
fn incremental_edits_in_utf16() {
    let mut server = TestServer::start();
    let file = uri("main.vit");
    server.open(&file, "proc main() {\n    print(\"😀é\");\n}\n");
    // Line 1 is `    print("😀é");`: 😀 is two UTF-16 units, so `é` is at 13 and `"` at 14.
    server.change(
        &file,
        2,
        json!([
            { "range": range(1, 13, 1, 14), "text": "e" },
            { "range": range(1, 11, 1, 13), "text": "🎉🎉" },
            { "range": range(2, 0, 2, 1), "text": "    print(1);\n}" },
            { "range": range(0, 5, 0, 9), "text": "start" },
        ]),
    );
    assert_eq!(
        server.document_text(&file).as_deref(),
        Some("proc start() {\n    print(\"🎉🎉e\");\n    print(1);\n}\n")
    );
    // A deletion across lines, then an insertion at the very end, then a full replacement.
    server.change(
        &file,
        3,
        json!([{ "range": range(1, 4, 2, 4), "text": "" }]),
    );
    assert_eq!(
        server.document_text(&file).as_deref(),
        Some("proc start() {\n    print(1);\n}\n")
    );
    server.change(
        &file,
        4,
        json!([{ "range": range(3, 0, 3, 0), "text": "// end" }]),
    );
    assert_eq!(
        server.document_text(&file).as_deref(),
        Some("proc start() {\n    print(1);\n}\n// end")
    );
    server.change(&file, 5, json!([{ "text": "proc main() {}\n" }]));
    assert_eq!(
        server.document_text(&file).as_deref(),
        Some("proc main() {}\n")
    );
    // Out-of-range positions clamp instead of failing.
    server.change(
        &file,
        6,
        json!([{ "range": range(40, 3, 90, 0), "text": "\n// tail" }]),
    );
    assert_eq!(
        server.document_text(&file).as_deref(),
        Some("proc main() {}\n\n// tail")
    );
    server.shutdown();
}

#[test]
fn incremental_edits_in_utf8() {
    let mut server = TestServer::start_with(json!({
        "capabilities": { "general": { "positionEncodings": ["utf-8"] } },
    }));
    let file = uri("main.vit");
    server.open(&file, "let s = \"😀é\";\n");
    // Bytes: `let s = "` is 9, 😀 is 4, é is 2.
    server.change(
        &file,
        2,
        json!([{ "range": range(0, 13, 0, 15), "text": "e" }]),
    );
    assert_eq!(
        server.document_text(&file).as_deref(),
        Some("let s = \"😀e\";\n")
    );
    server.shutdown();
}

#[test]
fn diagnostics_on_open_and_on_change() {
    let mut server = TestServer::start();
    let file = uri("main.vit");
    server.open(&file, "proc main() {\n    let x: int = \"a\";\n}\n");
    let first = server.diagnostics(&file, 1);
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].message, "expected int, found string");
    assert_eq!(first[0].range.start.line, 1);
    assert_eq!(first[0].range.start.character, 17);
    // Fix it.
    server.change(
        &file,
        2,
        json!([{ "range": range(1, 17, 1, 20), "text": "1" }]),
    );
    assert!(server.diagnostics(&file, 2).is_empty());
    // Break it twice: every error is reported.
    server.change(
        &file,
        3,
        json!([{ "range": range(1, 18, 1, 19), "text": "\n    print(nope);\n    let y = ;" }]),
    );
    let messages: Vec<String> = server
        .diagnostics(&file, 3)
        .into_iter()
        .map(|d| d.message)
        .collect();
    assert_eq!(
        messages,
        [
            "expected ';' after the statement",
            "unknown name 'nope'",
            "expected an expression"
        ]
    );
    server.shutdown();
}

/// Waits until the diagnostics of `file` satisfy `check`.
fn wait_until(
    server: &mut TestServer,
    file: &lsp_types::Uri,
    version: i32,
    check: impl Fn(&[lsp_types::Diagnostic]) -> bool,
) -> Vec<lsp_types::Diagnostic> {
    for _ in 0..50 {
        let found = server.diagnostics(file, version);
        if check(&found) {
            return found;
        }
    }
    panic!("the diagnostics of {} never matched", file.as_str());
}

#[test]
fn diagnostics_follow_used_files_and_clear_on_close() {
    let mut server = TestServer::start();
    let util = uri("util.vit");
    let main = uri("main.vit");
    server.open(&util, "proc twice(n: int) -> int { give n * 2; }\n");
    server.open(&main, "use util\nproc main() { print(util.twice(1)); }\n");
    // util has no main, but main.vit uses it: no "no main procedure" once both are open.
    wait_until(&mut server, &util, 1, |d| d.is_empty());
    wait_until(&mut server, &main, 1, |d| d.is_empty());
    // Changing util's signature breaks main.vit's call (main.vit itself did not change).
    server.change(
        &util,
        2,
        json!([{ "text": "proc twice(s: string) -> int { give 2; }\n" }]),
    );
    let broken = wait_until(&mut server, &main, 1, |d| !d.is_empty());
    assert_eq!(broken[0].message, "expected string, found int");
    // An error inside util is shown at main.vit's `use`.
    server.change(
        &util,
        3,
        json!([{ "text": "proc twice(n: int) -> int { give true; }\n" }]),
    );
    let at_use = wait_until(&mut server, &main, 1, |d| {
        d.iter()
            .any(|d| d.message.starts_with("util.vit has 1 error"))
    });
    assert_eq!(at_use[0].range.start.line, 0);
    assert_eq!(
        at_use[0].related_information.as_ref().map(Vec::len),
        Some(1)
    );
    // Closing a document clears its diagnostics.
    server.notify_raw(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": util } }),
    );
    loop {
        let Some(n) = server.notifications.pop_front().or_else(|| {
            let id = server.send_request("vitte/testSleep", json!(1));
            server.wait_response(&id);
            None
        }) else {
            continue;
        };
        if n.method == "textDocument/publishDiagnostics"
            && n.params["uri"] == json!(util)
            && n.params["version"].is_null()
        {
            assert_eq!(n.params["diagnostics"], json!([]));
            break;
        }
    }
    server.shutdown();
}
