//! Debugging a `.vitbc` program: its recorded source paths are resolved against `cwd` (or the
//! bytecode's folder); a source that is not on disk as compiled is served by `sourceReference`;
//! hand-made bytecode that catches its own `throw` for ever can still be paused and disconnected.

use crate::common;

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

/// Writes a `.vitbc` whose `try` catches its own `throw` for ever: the program throws in a `try`,
/// and its handler is moved back to the start of the code it covers (which the compiler never
/// does, and the verifier accepts).
fn catching_for_ever() -> PathBuf {
    let stem = format!("vitte-dap-{}-catching", std::process::id());
    let source = std::env::temp_dir().join(format!("{stem}.vit"));
    std::fs::write(
        &source,
        "proc main() {\n    try {\n        throw \"boom\";\n    } catch e {\n        print(e);\n    }\n}\n",
    )
    .expect("the temporary folder is writable");
    let compilation = compile_file(&source);
    let mut module = compilation.module.expect("the program compiles");
    let main = module.entry as usize;
    let handler = &mut module.functions[main].handlers[0];
    handler.target_pc = handler.start_pc;
    let path = std::env::temp_dir().join(format!("{stem}.vitbc"));
    std::fs::write(&path, format::write(&module)).expect("the temporary folder is writable");
    let _ = std::fs::remove_file(source);
    path
}

#[test]
fn a_handler_catching_its_own_throw_can_be_paused_and_disconnected() {
    let file = catching_for_ever();
    let mut session = Session::start();
    session.request("initialize", json!({ "adapterID": "vitte" }));
    let launched = session.request("launch", json!({ "program": file.display().to_string() }));
    check(&launched, json!({ "success": true }));
    session.request("configurationDone", json!({}));
    let paused = session.request("pause", json!({ "threadId": 1 }));
    check(&paused, json!({ "success": true }));
    session
        .expect_events(
            &[json!({ "event": "stopped", "body": { "reason": "pause", "threadId": 1 } })],
            &[],
        )
        .expect("a pause stop");
    let trace = session.request("stackTrace", json!({ "threadId": 1 }));
    check(
        &trace,
        json!({ "body": { "stackFrames": [ { "name": "main" } ] } }),
    );
    // Running again, it is interrupted by the disconnect.
    session.request("continue", json!({ "threadId": 1 }));
    let disconnected = session.request("disconnect", json!({ "terminateDebuggee": true }));
    check(&disconnected, json!({ "success": true }));
    session.finish();
    let _ = std::fs::remove_file(file);
}
