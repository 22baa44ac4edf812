//! The schema check itself: it accepts what the protocol allows and refuses what it does not, so
//! the transcripts' validation means something.

use crate::common::schema::{check, definition_for};
use serde_json::json;

#[test]
fn valid_messages_pass() {
    check(&json!({
        "seq": 1, "type": "event", "event": "stopped",
        "body": { "reason": "breakpoint", "threadId": 1, "allThreadsStopped": true }
    }))
    .expect("a stopped event");
    check(&json!({
        "seq": 2, "type": "response", "request_seq": 1, "command": "threads", "success": true,
        "body": { "threads": [ { "id": 1, "name": "main" } ] }
    }))
    .expect("a threads response");
    check(&json!({
        "seq": 3, "type": "response", "request_seq": 2, "command": "frobnicate", "success": false,
        "message": "unknown command frobnicate",
        "body": { "error": { "id": 1002, "format": "unknown command frobnicate", "showUser": true } }
    }))
    .expect("an error response");
}

#[test]
fn invalid_messages_fail() {
    // `reason` is required.
    assert!(
        check(&json!({ "seq": 1, "type": "event", "event": "stopped", "body": { "threadId": 1 } }))
            .is_err()
    );
    // A thread's id is an integer.
    assert!(
        check(&json!({
            "seq": 2, "type": "response", "request_seq": 1, "command": "threads", "success": true,
            "body": { "threads": [ { "id": "one", "name": "main" } ] }
        }))
        .is_err()
    );
    // A stackTrace response needs its body.
    assert!(
        check(&json!({
            "seq": 3, "type": "response", "request_seq": 1, "command": "stackTrace", "success": true
        }))
        .is_err()
    );
    // An error response needs `body`.
    assert!(
        check(&json!({
            "seq": 4, "type": "response", "request_seq": 1, "command": "threads", "success": false,
            "message": "no"
        }))
        .is_err()
    );
    // The output category is a string.
    assert!(
        check(&json!({ "seq": 5, "type": "event", "event": "output", "body": { "output": 5 } }))
            .is_err()
    );
    // Unknown events have no definition.
    assert!(definition_for(&json!({ "seq": 6, "type": "event", "event": "nonsense" })).is_err());
}

#[test]
fn responses_and_events_use_their_own_definitions() {
    let response = json!({ "type": "response", "command": "setBreakpoints", "success": true });
    assert_eq!(
        definition_for(&response).as_deref(),
        Ok("SetBreakpointsResponse")
    );
    let failed = json!({ "type": "response", "command": "setBreakpoints", "success": false });
    assert_eq!(definition_for(&failed).as_deref(), Ok("ErrorResponse"));
    let event = json!({ "type": "event", "event": "exited" });
    assert_eq!(definition_for(&event).as_deref(), Ok("ExitedEvent"));
}
