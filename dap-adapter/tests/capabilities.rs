//! The `initialize` response is honest: every capability that stands for a request is true
//! exactly when the adapter answers that request, every request the adapter answers is either
//! part of the base protocol or advertised, and every capability is one the schema defines.

use crate::common::{Session, schema};
use serde_json::{Value, json};
use vitte_dap::proto::Command;

/// Capabilities that stand for requests, with the request.
const CAPABILITY_COMMANDS: &[(&str, &str)] = &[
    ("supportsConfigurationDoneRequest", "configurationDone"),
    ("supportsFunctionBreakpoints", "setFunctionBreakpoints"),
    ("supportsStepBack", "stepBack"),
    ("supportsSetVariable", "setVariable"),
    ("supportsRestartFrame", "restartFrame"),
    ("supportsGotoTargetsRequest", "gotoTargets"),
    ("supportsStepInTargetsRequest", "stepInTargets"),
    ("supportsCompletionsRequest", "completions"),
    ("supportsModulesRequest", "modules"),
    ("supportsRestartRequest", "restart"),
    ("supportsExceptionInfoRequest", "exceptionInfo"),
    ("supportsLoadedSourcesRequest", "loadedSources"),
    ("supportsTerminateThreadsRequest", "terminateThreads"),
    ("supportsSetExpression", "setExpression"),
    ("supportsTerminateRequest", "terminate"),
    ("supportsDataBreakpoints", "setDataBreakpoints"),
    ("supportsDataBreakpoints", "dataBreakpointInfo"),
    ("supportsReadMemoryRequest", "readMemory"),
    ("supportsWriteMemoryRequest", "writeMemory"),
    ("supportsDisassembleRequest", "disassemble"),
    ("supportsCancelRequest", "cancel"),
    ("supportsBreakpointLocationsRequest", "breakpointLocations"),
    (
        "supportsInstructionBreakpoints",
        "setInstructionBreakpoints",
    ),
];

/// Requests every adapter answers, advertised or not.
const BASE_COMMANDS: &[&str] = &[
    "initialize",
    "launch",
    "disconnect",
    "setBreakpoints",
    "setExceptionBreakpoints",
    "threads",
    "stackTrace",
    "scopes",
    "variables",
    "source",
    "continue",
    "next",
    "stepIn",
    "stepOut",
    "pause",
    "evaluate",
];

fn capabilities(session: &mut Session) -> Value {
    let response = session.request("initialize", json!({ "adapterID": "vitte" }));
    assert_eq!(response["success"], json!(true));
    response["body"].clone()
}

fn is_unknown(response: &Value, command: &str) -> bool {
    response["success"] == json!(false)
        && response["message"] == json!(format!("unknown command {command}"))
}

#[test]
fn request_capabilities_match_the_commands_handled() {
    let mut session = Session::start();
    let capabilities = capabilities(&mut session);
    for (capability, command) in CAPABILITY_COMMANDS {
        let advertised = capabilities[capability] == json!(true);
        let response = session.request(command, json!({}));
        assert_eq!(
            advertised,
            !is_unknown(&response, command),
            "{capability} is {advertised} but '{command}' got {response}"
        );
    }
    session.finish();
}

#[test]
fn every_handled_command_is_base_protocol_or_advertised() {
    let mut session = Session::start();
    let capabilities = capabilities(&mut session);
    for command in Command::ALL {
        let name = command.name();
        let advertised = CAPABILITY_COMMANDS.iter().any(|(capability, handled)| {
            *handled == name && capabilities[capability] == json!(true)
        });
        assert!(
            BASE_COMMANDS.contains(&name) || advertised,
            "'{name}' is handled but not advertised"
        );
        assert_eq!(Command::parse(name), Some(*command));
    }
    session.finish();
}

#[test]
fn feature_capabilities_are_as_documented() {
    let mut session = Session::start();
    let capabilities = capabilities(&mut session);
    for capability in [
        "supportsConditionalBreakpoints",
        "supportsHitConditionalBreakpoints",
        "supportsLogPoints",
        "supportsEvaluateForHovers",
        "supportsSteppingGranularity",
        "supportsSingleThreadExecutionRequests",
        "supportsDelayedStackTraceLoading",
    ] {
        assert_eq!(capabilities[capability], json!(true), "{capability}");
    }
    for capability in [
        "supportsValueFormattingOptions",
        "supportsExceptionOptions",
        "supportsExceptionFilterOptions",
        "supportTerminateDebuggee",
    ] {
        assert_eq!(capabilities[capability], json!(false), "{capability}");
    }
    let filters = &capabilities["exceptionBreakpointFilters"];
    assert_eq!(filters[0]["filter"], json!("uncaught"));
    assert_eq!(filters[0]["label"], json!("Uncaught Errors"));
    assert_eq!(filters[0]["default"], json!(true));
    assert_eq!(filters[1]["filter"], json!("all"));
    assert_eq!(filters[1]["label"], json!("All Errors"));
    assert_eq!(filters[1]["default"], json!(false));
    session.finish();
}

#[test]
fn every_capability_is_defined_by_the_schema() {
    let mut session = Session::start();
    let capabilities = capabilities(&mut session);
    let defined = crate::common::schema::definitions();
    assert!(defined.iter().any(|name| name == "Capabilities"));
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schema/debugProtocol.json"
    ))
    .expect("the schema is readable");
    let document: Value = serde_json::from_str(&text).expect("the schema is JSON");
    let known = &document["definitions"]["Capabilities"]["properties"];
    for key in capabilities.as_object().expect("an object").keys() {
        assert!(known.get(key).is_some(), "'{key}' is not a DAP capability");
    }
    let _ = schema::has_definition("InitializeResponse");
    session.finish();
}
