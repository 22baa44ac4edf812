//! Validation against the official DAP JSON schema (`schema/debugProtocol.json`, draft-04): a
//! response against `#/definitions/<Command>Response` (or `ErrorResponse` when it failed), an
//! event against `#/definitions/<Event>Event`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::Validator;
use serde_json::{Value, json};

struct Schema {
    document: Value,
    validators: Mutex<HashMap<String, Arc<Validator>>>,
}

fn schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../dap-adapter/schema/debugProtocol.json"
        );
        let text = std::fs::read_to_string(path).expect("the schema is readable");
        Schema {
            document: serde_json::from_str(&text).expect("the schema is JSON"),
            validators: Mutex::new(HashMap::new()),
        }
    })
}

/// Whether the schema defines `name`.
pub fn has_definition(name: &str) -> bool {
    schema().document["definitions"].get(name).is_some()
}

/// The definitions of the schema.
pub fn definitions() -> Vec<String> {
    schema().document["definitions"]
        .as_object()
        .map(|definitions| definitions.keys().cloned().collect())
        .unwrap_or_default()
}

fn validator(definition: &str) -> Arc<Validator> {
    let schema = schema();
    let mut validators = schema.validators.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(found) = validators.get(definition) {
        return Arc::clone(found);
    }
    let root = json!({
        "$schema": "http://json-schema.org/draft-04/schema#",
        "definitions": schema.document["definitions"],
        "$ref": format!("#/definitions/{definition}"),
    });
    let validator = Arc::new(jsonschema::draft4::new(&root).expect("the schema compiles"));
    validators.insert(definition.to_string(), Arc::clone(&validator));
    validator
}

fn capitalised(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The definition a message must validate against.
pub fn definition_for(message: &Value) -> Result<String, String> {
    match message["type"].as_str() {
        Some("response") if message["success"] == json!(false) => Ok("ErrorResponse".into()),
        Some("response") => {
            let command = message["command"].as_str().unwrap_or("");
            let name = format!("{}Response", capitalised(command));
            if has_definition(&name) {
                Ok(name)
            } else {
                Err(format!("the schema has no {name}"))
            }
        }
        Some("event") => {
            let event = message["event"].as_str().unwrap_or("");
            let name = format!("{}Event", capitalised(event));
            if has_definition(&name) {
                Ok(name)
            } else {
                Err(format!("the schema has no {name}"))
            }
        }
        _ => Err(format!("not a response or an event: {message}")),
    }
}

/// Checks one message the adapter sent.
pub fn check(message: &Value) -> Result<(), String> {
    let definition = definition_for(message)?;
    let validator = validator(&definition);
    let errors: Vec<String> = validator
        .iter_errors(message)
        .map(|error| format!("{error} at {}", error.instance_path))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{message}\n  does not validate against {definition}: {}",
            errors.join("; ")
        ))
    }
}
