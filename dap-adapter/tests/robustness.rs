//! Garbage in, errors out: every request with arguments of every wrong shape, before launch and
//! while stopped, gets a response that validates (an error or a harmless success), never an
//! internal error (a caught panic), and the session goes on.

use crate::common::{Session, program};
use serde_json::{Value, json};
use vitte_dap::proto::{Command, error_id};

/// Arguments of wrong shapes and out-of-range values.
fn garbage() -> Vec<Value> {
    vec![
        Value::Null,
        json!({}),
        json!([1, 2]),
        json!("text"),
        json!(-7),
        json!({
            "threadId": -1, "frameId": -5, "variablesReference": 1e20, "start": -3,
            "count": i64::MAX, "levels": i64::MIN, "startFrame": i64::MAX, "line": -1,
            "endLine": i64::MIN, "instructionCount": -1, "instructionOffset": i64::MIN,
            "offset": i64::MAX, "memoryReference": "1:99999999999", "expression": "((((",
            "text": "é\u{1F600}x.", "column": 999_999, "name": "[18446744073709551615]",
            "value": "\"\\u{zz}\"", "filters": ["all", 3], "source": { "path": 5 },
            "breakpoints": [ { "line": i64::MAX, "hitCondition": "% 0", "condition": "" } ],
            "sourceReference": -1, "granularity": "quantum", "context": "elsewhere",
        }),
        json!({
            "threadId": 1, "frameId": 1, "variablesReference": 1, "name": "i", "value": "i",
            "expression": "xs[99999999999999]", "memoryReference": "0:0",
            "instructionCount": 3, "instructionOffset": i64::MIN, "text": "", "column": 0,
            "source": { "path": "", "sourceReference": i64::MAX }, "line": 0,
            "breakpoints": [ { "instructionReference": "0:0", "offset": i64::MIN },
                             { "name": "" }, { "line": 0, "logMessage": "{{{}}}{" } ],
        }),
    ]
}

fn hammer(session: &mut Session, commands: &[Command]) {
    for command in commands {
        for arguments in garbage() {
            let response = session.request(command.name(), arguments.clone());
            assert_eq!(response["type"], json!("response"));
            assert_ne!(
                response["body"]["error"]["id"],
                json!(error_id::INTERNAL),
                "'{}' with {arguments} gave {response}",
                command.name()
            );
        }
    }
}

#[test]
fn wrong_arguments_never_break_the_session() {
    let mut session = Session::start();
    session.request("initialize", json!({ "adapterID": "vitte" }));
    let safe_before_launch: Vec<Command> = Command::ALL
        .iter()
        .copied()
        .filter(|command| {
            !matches!(
                command,
                Command::Initialize | Command::Disconnect | Command::ConfigurationDone
            )
        })
        .collect();
    hammer(&mut session, &safe_before_launch);
    let launched = session.request(
        "launch",
        json!({ "program": program("values.vit"), "stopOnEntry": true }),
    );
    assert_eq!(launched["success"], json!(true), "{launched}");
    session.request("configurationDone", json!({}));
    session
        .expect_events(
            &[json!({ "event": "stopped", "body": { "reason": "entry" } })],
            &[],
        )
        .expect("an entry stop");
    // Stopped: everything that does not resume or end the program.
    let inspect: Vec<Command> = Command::ALL
        .iter()
        .copied()
        .filter(|command| {
            !matches!(
                command,
                Command::Initialize
                    | Command::Launch
                    | Command::ConfigurationDone
                    | Command::Continue
                    | Command::Next
                    | Command::StepIn
                    | Command::StepOut
                    | Command::Terminate
                    | Command::Restart
                    | Command::Disconnect
            )
        })
        .collect();
    hammer(&mut session, &inspect);
    let threads = session.request("threads", json!({}));
    assert_eq!(threads["success"], json!(true));
    session.request("disconnect", json!({}));
    session.finish();
}
