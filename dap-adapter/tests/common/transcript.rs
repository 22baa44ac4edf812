//! Transcripts: a session written as data (`tests/transcripts/NAME.json`) and played against the
//! adapter. A transcript names its `program` (in `tests/programs/`) and lists `steps`; each step
//! may have:
//! - `send` and `args`: a request to send (`${program}` and `${programs}` are the program's path
//!   and the programs folder; `"${NAME}"` alone is a value saved earlier, of any JSON type);
//! - `response`: what the response must match (default `{"success": true}`), see
//!   [`matches`](super::matches);
//! - `save`: `{NAME: "body.path.0.field"}` values of the response to use later;
//! - `raw`: a JSON value delivered as a message as it is (for malformed requests); its response
//!   (when it has a `seq`) is matched against `response`;
//! - `malformed`: a framing problem as the reader thread reports it;
//! - `events`: events that must follow, in this order (others may come between them);
//! - `forbid`: event names that must not come before the last of `events`;
//! - `note`: a comment.

use std::path::PathBuf;

use serde_json::{Map, Value, json};
use vitte_dap::transport::Incoming;

use super::{Session, matches, program, programs_dir};

/// The folder of the transcripts.
pub fn transcripts_dir() -> PathBuf {
    super::crate_dir().join("tests/transcripts")
}

/// Reads transcript `name`.
pub fn load(name: &str) -> Value {
    let path = transcripts_dir().join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("{} is not JSON: {error}", path.display()))
}

/// Replaces `${NAME}` in every string of `value`.
fn substitute(value: &Value, vars: &Map<String, Value>) -> Value {
    match value {
        Value::String(text) => {
            if let Some(name) = text
                .strip_prefix("${")
                .and_then(|rest| rest.strip_suffix('}'))
                && let Some(found) = vars.get(name)
            {
                return found.clone();
            }
            let mut out = text.clone();
            for (name, found) in vars {
                let shown = found
                    .as_str()
                    .map_or_else(|| found.to_string(), str::to_string);
                out = out.replace(&format!("${{{name}}}"), &shown);
            }
            Value::String(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| substitute(v, vars)).collect()),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(key, v)| (key.clone(), substitute(v, vars)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The value at a dotted path (`body.scopes.0.variablesReference`).
fn lookup<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(value, |value, part| match value {
        Value::Array(items) => items.get(part.parse::<usize>().ok()?),
        Value::Object(fields) => fields.get(part),
        _ => None,
    })
}

/// Plays transcript `name`; returns every message the adapter sent.
pub fn run(name: &str) -> Vec<Value> {
    let transcript = load(name);
    let mut vars = Map::new();
    if let Some(file) = transcript["program"].as_str() {
        vars.insert("program".into(), program(file).into());
    }
    vars.insert(
        "programs".into(),
        programs_dir().display().to_string().into(),
    );
    let mut session = Session::start();
    let steps = transcript["steps"].as_array().cloned().unwrap_or_default();
    for (index, step) in steps.iter().enumerate() {
        let what = step["send"]
            .as_str()
            .or(step["note"].as_str())
            .unwrap_or("step");
        let context = format!("transcript {name}, step {index} ({what})");
        let mut response = None;
        if let Some(command) = step["send"].as_str() {
            let args = substitute(&step["args"], &vars);
            let seq = session.send(command, args);
            response = Some(session.response(seq));
        }
        if let Some(raw) = step.get("raw") {
            session.send_raw(Incoming::Message(raw.clone()));
            if let Some(seq) = raw.get("seq").and_then(Value::as_i64)
                && step.get("response").is_some()
            {
                response = Some(session.response(seq));
            }
        }
        if let Some(problem) = step["malformed"].as_str() {
            session.send_raw(Incoming::Malformed(problem.to_string()));
        }
        if let Some(response) = &response {
            let expected = step
                .get("response")
                .map_or_else(|| json!({ "success": true }), |v| substitute(v, &vars));
            if let Err(error) = matches(&expected, response) {
                panic!(
                    "{context}: the response does not match: {error}\nresponse: {response}\n\nsession:\n{}",
                    session.transcript()
                );
            }
            if let Some(save) = step["save"].as_object() {
                for (key, path) in save {
                    let path = path.as_str().unwrap_or("");
                    let found = lookup(response, path)
                        .unwrap_or_else(|| panic!("{context}: no {path} in {response}"));
                    vars.insert(key.clone(), found.clone());
                }
            }
        }
        let events: Vec<Value> = step["events"]
            .as_array()
            .map(|events| events.iter().map(|e| substitute(e, &vars)).collect())
            .unwrap_or_default();
        let forbid: Vec<String> = step["forbid"]
            .as_array()
            .map(|names| {
                names
                    .iter()
                    .filter_map(|name| name.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        if let Err(error) = session.expect_events(&events, &forbid) {
            panic!("{context}: {error}");
        }
    }
    session.finish()
}
