//! The server's life: shutdown and exit, requests after shutdown, a panicking handler answered with
//! an error while the server lives on, cancellation, bad parameters, unknown methods, and the
//! `vitte-lsp` binary itself (`--help`, `--version`, `--log FILE`, a session over stdio).

use crate::common;

use std::io::{BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{TestServer, uri};
use lsp_server::{ErrorCode, Message, Notification, Request, RequestId};
use serde_json::{Value, json};

fn hover_params(line: u32, character: u32) -> Value {
    json!({ "textDocument": { "uri": uri("main.vit") }, "position": { "line": line, "character": character } })
}

#[test]
fn shutdown_then_exit_ends_the_loop_and_later_requests_fail() {
    let mut server = TestServer::start();
    let response = server.request_raw("shutdown", Value::Null);
    assert_eq!(response.result, Some(Value::Null));
    let after = server.request_raw("textDocument/hover", hover_params(0, 0));
    let error = after.error.expect("an error after shutdown");
    assert_eq!(error.code, ErrorCode::InvalidRequest as i32);
    server.notify_raw("exit", Value::Null);
}

#[test]
fn a_panicking_handler_gives_an_error_and_the_server_lives_on() {
    let mut server = TestServer::start();
    server.open(&uri("main.vit"), "proc main() { print(1); }\n");
    let response = server.request_raw("vitte/testPanic", Value::Null);
    let error = response.error.expect("an error response");
    assert_eq!(error.code, ErrorCode::InternalError as i32);
    assert!(error.message.contains("panicked"), "{}", error.message);
    // Still answering, several times over.
    for _ in 0..3 {
        let _ = server.request_raw("vitte/testPanic", Value::Null);
    }
    let hover = server.request_raw("textDocument/hover", hover_params(0, 15));
    assert!(hover.error.is_none());
    assert!(
        hover.result.unwrap()["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("print")
    );
    server.shutdown();
}

#[test]
fn cancellation_answers_at_once_and_drops_the_late_result() {
    let mut server = TestServer::start();
    let started = Instant::now();
    let id = server.send_request("vitte/testSleep", json!(20_000));
    server.notify_raw("$/cancelRequest", json!({ "id": id }));
    let response = server.wait_response(&id);
    assert!(started.elapsed() < Duration::from_secs(10));
    let error = response.error.expect("a cancelled request is an error");
    assert_eq!(error.code, ErrorCode::RequestCanceled as i32);
    // The worker noticed and is free again: a second request is answered normally.
    let quick = server.request_raw("vitte/testSleep", json!(1));
    assert_eq!(quick.result, Some(json!(true)));
    // Cancelling an answered request is ignored.
    server.notify_raw("$/cancelRequest", json!({ "id": id }));
    let again = server.request_raw("vitte/testSleep", json!(1));
    assert_eq!(again.result, Some(json!(true)));
    server.shutdown();
}

#[test]
fn edits_are_not_blocked_by_busy_workers() {
    let mut server = TestServer::start();
    let file = uri("main.vit");
    server.open(&file, "proc main() {}\n");
    // Both workers busy for a while.
    let a = server.send_request("vitte/testSleep", json!(3_000));
    let b = server.send_request("vitte/testSleep", json!(3_000));
    let started = Instant::now();
    for version in 2..50 {
        let text = format!("proc main() {{ print({version}); }}\n");
        server.change(&file, version, json!([{ "text": text }]));
    }
    // The main loop took every edit and answers the cancellation at once, while the workers sleep.
    server.notify_raw("$/cancelRequest", json!({ "id": a }));
    let cancelled = server.wait_response(&a);
    assert_eq!(
        cancelled.error.map(|e| e.code),
        Some(ErrorCode::RequestCanceled as i32)
    );
    assert!(started.elapsed() < Duration::from_millis(1_500));
    // A request taken after the edits sees the last text.
    let id = server.send_request("vitte/documentText", json!(file));
    let text = server.wait_response(&id).result.unwrap();
    assert_eq!(text, json!("proc main() { print(49); }\n"));
    assert_eq!(server.wait_response(&b).result, Some(json!(true)));
    let diagnostics = server.diagnostics(&file, 49);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    server.shutdown();
}

#[test]
fn bad_parameters_and_unknown_methods_are_errors() {
    let mut server = TestServer::start();
    let bad = server.request_raw("textDocument/hover", json!({ "nonsense": true }));
    assert_eq!(bad.error.unwrap().code, ErrorCode::InvalidParams as i32);
    let unknown = server.request_raw("textDocument/teleport", json!({}));
    assert_eq!(
        unknown.error.unwrap().code,
        ErrorCode::MethodNotFound as i32
    );
    // Notifications the server does not know, and malformed ones, are ignored.
    server.notify_raw("textDocument/didChange", json!({ "garbage": 1 }));
    server.notify_raw("$/unknownNotification", json!({}));
    server.change(&uri("never-opened.vit"), 2, json!([{ "text": "x" }]));
    let still = server.request_raw("vitte/testSleep", json!(1));
    assert_eq!(still.result, Some(json!(true)));
    server.shutdown();
}

#[test]
fn a_request_on_a_file_that_is_not_open_reads_it_from_disk_or_answers_empty() {
    let mut server = TestServer::start();
    let response = server.request_raw(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": uri("absent.vit") } }),
    );
    assert_eq!(response.result, Some(json!([])));
    let hover = server.request_raw(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri("absent.vit") }, "position": { "line": 3, "character": 1 } }),
    );
    assert_eq!(hover.result, Some(Value::Null));
    server.shutdown();
}

fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vitte-lsp"))
}

#[test]
fn help_and_version() {
    let help = binary().arg("--help").output().expect("runs");
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("Language Server Protocol"), "{text}");
    assert!(text.contains("--log <FILE>"), "{text}");
    let version = binary().arg("--version").output().expect("runs");
    assert!(version.status.success());
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("vitte-lsp {}", env!("CARGO_PKG_VERSION"))
    );
    let wrong = binary().arg("--frobnicate").output().expect("runs");
    assert_eq!(wrong.status.code(), Some(2));
}

fn write_message(stdin: &mut impl Write, message: Message) {
    message.write(stdin).expect("the server reads stdin");
}

#[test]
fn a_session_over_stdio_with_a_log() {
    let dir = std::env::temp_dir().join(format!("vitte-lsp-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("lsp.log");
    let mut child = binary()
        .arg("--log")
        .arg(&log)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts");
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let request = |id: i32, method: &str, params: Value| {
        Message::Request(Request::new(
            RequestId::from(id),
            method.to_string(),
            params,
        ))
    };
    write_message(
        &mut stdin,
        request(1, "initialize", json!({ "capabilities": {} })),
    );
    let Ok(Some(Message::Response(init))) = Message::read(&mut stdout) else {
        panic!("an initialize response");
    };
    assert_eq!(
        init.result.unwrap()["capabilities"]["hoverProvider"],
        json!(true)
    );
    let notify = |method: &str, params: Value| {
        Message::Notification(Notification::new(method.to_string(), params))
    };
    write_message(&mut stdin, notify("initialized", json!({})));
    let file = uri("main.vit");
    write_message(
        &mut stdin,
        notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": file, "languageId": "vitte", "version": 1, "text": "proc main() { let x: int = true; }\n" } }),
        ),
    );
    // The diagnostics of the opened file arrive.
    loop {
        match Message::read(&mut stdout) {
            Ok(Some(Message::Notification(n))) if n.method == "textDocument/publishDiagnostics" => {
                assert_eq!(
                    n.params["diagnostics"][0]["message"],
                    json!("expected int, found bool")
                );
                break;
            }
            Ok(Some(_)) => {}
            other => panic!("unexpected end of output: {other:?}"),
        }
    }
    write_message(&mut stdin, request(2, "shutdown", Value::Null));
    loop {
        match Message::read(&mut stdout) {
            Ok(Some(Message::Response(r))) if r.id == RequestId::from(2) => break,
            Ok(Some(_)) => {}
            other => panic!("no shutdown response: {other:?}"),
        }
    }
    write_message(&mut stdin, notify("exit", Value::Null));
    drop(stdin);
    let status = child.wait().expect("exits");
    assert!(status.success(), "{status}");
    let logged = std::fs::read_to_string(&log).expect("a log");
    assert!(logged.contains("textDocument/didOpen"), "{logged}");
    assert!(
        logged.contains("textDocument/publishDiagnostics"),
        "{logged}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
