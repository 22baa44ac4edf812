//! Debugging a `.vitbc` program: its recorded source paths are resolved against `cwd` (or the
//! bytecode's folder); a source that is not on disk as compiled is served by `sourceReference`.

mod common;

use std::path::PathBuf;

use common::{Session, matches, program, programs_dir};
use serde_json::{Value, json};
use vitte_compiler::driver::compile_file;
use vitte_vm::bytecode::format;

/// Writes `loop.vit` compiled, with its source recorded as `recorded`, to a temporary `.vitbc`.
fn bytecode(recorded: &str, tag: &str) -> PathBuf {
    let compilation = compile_file(program("loop.vit").as_ref());
    let mut module = compilation.module.expect("loop.vit compiles");
    module.sources[0].path = recorded.to_string();
    let path = std::env::temp_dir().join(format!("vitte-dap-{}-{tag}.vitbc", std::process::id()));
    std::fs::write(&path, format::write(&module)).expect("the temporary folder is writable");
    path
}

fn check(response: &Value, expected: Value) {
    matches(&expected, response).unwrap_or_else(|error| panic!("{error}\n{response}"));
}

fn stop_in_add(session: &mut Session, file: &str, cwd: &str, breakpoint_path: &str) {
    session.request("initialize", json!({ "adapterID": "vitte" }));
    let launched = session.request("launch", json!({ "program": file, "cwd": cwd }));
    check(&launched, json!({ "success": true }));
    let set = session.request(
        "setBreakpoints",
        json!({ "source": { "path": breakpoint_path }, "breakpoints": [ { "line": 6 } ] }),
    );
    check(
        &set,
        json!({ "body": { "breakpoints": [ { "verified": true, "line": 6 } ] } }),
    );
    session.request("configurationDone", json!({}));
    session
        .expect_events(
            &[json!({ "event": "stopped", "body": { "reason": "breakpoint" } })],
            &[],
        )
        .expect("a stop");
}

#[test]
fn recorded_relative_paths_resolve_against_cwd() {
    let file = bytecode("loop.vit", "relative");
    let mut session = Session::start();
    let dir = programs_dir().display().to_string();
    stop_in_add(
        &mut session,
        &file.display().to_string(),
        &dir,
        &program("loop.vit"),
    );
    let trace = session.request("stackTrace", json!({ "threadId": 1 }));
    check(
        &trace,
        json!({ "body": { "stackFrames": [ { "name": "add", "source": { "path": program("loop.vit"), "sourceReference": "$absent" } }, { "name": "main" } ] } }),
    );
    session.request("disconnect", json!({}));
    session.finish();
    let _ = std::fs::remove_file(file);
}

#[test]
fn sources_missing_on_disk_are_served_by_reference() {
    let file = bytecode("gone/away.vit", "missing");
    let mut session = Session::start();
    let dir = programs_dir().display().to_string();
    stop_in_add(&mut session, &file.display().to_string(), &dir, "away.vit");
    let trace = session.request("stackTrace", json!({ "threadId": 1, "levels": 1 }));
    check(
        &trace,
        json!({ "body": { "stackFrames": [ { "source": { "name": "away.vit", "path": format!("{dir}/gone/away.vit"), "sourceReference": 1 } } ] } }),
    );
    let sources = session.request("loadedSources", json!({}));
    check(
        &sources,
        json!({ "body": { "sources": [ { "sourceReference": 1 } ] } }),
    );
    let text = session.request(
        "source",
        json!({ "source": { "sourceReference": 1 }, "sourceReference": 1 }),
    );
    check(
        &text,
        json!({ "body": { "content": "$contains:proc add(a: int, b: int) -> int {" } }),
    );
    session.request("disconnect", json!({}));
    session.finish();
    let _ = std::fs::remove_file(file);
}

#[test]
fn invalid_bytecode_fails_the_launch() {
    let path = std::env::temp_dir().join(format!("vitte-dap-{}-broken.vitbc", std::process::id()));
    std::fs::write(&path, b"VITBC\0 not really").expect("the temporary folder is writable");
    let mut session = Session::start();
    session.request("initialize", json!({ "adapterID": "vitte" }));
    let launched = session.request("launch", json!({ "program": path.display().to_string() }));
    check(
        &launched,
        json!({ "success": false, "message": "$contains:invalid bytecode", "body": { "error": { "id": 1006 } } }),
    );
    session.finish();
    let _ = std::fs::remove_file(path);
}
