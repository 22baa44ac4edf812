//! The launch arguments `vitte-dap` accepts, described once: name, JSON type, whether it is
//! required, what it does and its default.
//!
//! `vitte-dap --launch-arguments` prints this table as JSON ([`describe`]); the VS Code extension's
//! `configurationAttributes` are checked against that output, and the unit tests below check the
//! table against the fields the `launch` request is parsed into
//! ([`crate::proto::from_proto::LaunchArguments`]) and against `docs/debugging.md`.

use serde_json::{Map, Value, json};

/// The JSON type of a launch argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgumentType {
    /// A string.
    String,
    /// `true` or `false`.
    Boolean,
    /// An array of strings.
    Strings,
    /// `true` (everything), `false` (nothing) or an array of strings (only these).
    AllOrStrings,
    /// An object whose values are strings.
    StringMap,
}

impl ArgumentType {
    /// The JSON schema keywords of this type (`type`, and `items` or `additionalProperties`).
    pub fn schema(self) -> Map<String, Value> {
        let strings = json!({ "type": "string" });
        let mut schema = Map::new();
        let json_type = match self {
            ArgumentType::String => json!("string"),
            ArgumentType::Boolean => json!("boolean"),
            ArgumentType::Strings => json!("array"),
            ArgumentType::AllOrStrings => json!(["boolean", "array"]),
            ArgumentType::StringMap => json!("object"),
        };
        schema.insert("type".to_owned(), json_type);
        match self {
            ArgumentType::Strings | ArgumentType::AllOrStrings => {
                schema.insert("items".to_owned(), strings);
            }
            ArgumentType::StringMap => {
                schema.insert("additionalProperties".to_owned(), strings);
            }
            ArgumentType::String | ArgumentType::Boolean => {}
        }
        schema
    }
}

/// One launch argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LaunchArgument {
    /// Its name in the launch configuration (`stopOnEntry`).
    pub name: &'static str,
    /// Its JSON type.
    pub kind: ArgumentType,
    /// Whether `launch` fails without it.
    pub required: bool,
    /// What it does, in one or two sentences.
    pub description: &'static str,
    /// Its default as JSON text, when leaving it out is the same as giving this value.
    pub default: Option<&'static str>,
}

/// Every launch argument, in the order of `docs/debugging.md`.
pub const LAUNCH_ARGUMENTS: &[LaunchArgument] = &[
    LaunchArgument {
        name: "program",
        kind: ArgumentType::String,
        required: true,
        description: "The program to debug: a .vit source file or a .vitbc bytecode file. A relative \
                      path is relative to cwd.",
        default: None,
    },
    LaunchArgument {
        name: "args",
        kind: ArgumentType::Strings,
        required: false,
        description: "The program's arguments: what args() gives it.",
        default: Some("[]"),
    },
    LaunchArgument {
        name: "cwd",
        kind: ArgumentType::String,
        required: false,
        description: "The folder relative paths (program, allowRead, allowWrite, and the paths the \
                      program reads and writes) resolve against. Default: the folder the adapter \
                      runs in; editor integrations set it to the workspace folder.",
        default: None,
    },
    LaunchArgument {
        name: "stopOnEntry",
        kind: ArgumentType::Boolean,
        required: false,
        description: "Stop before the first statement.",
        default: Some("false"),
    },
    LaunchArgument {
        name: "noDebug",
        kind: ArgumentType::Boolean,
        required: false,
        description: "Run without debugging: breakpoints, exception filters and stopOnEntry are \
                      ignored.",
        default: Some("false"),
    },
    LaunchArgument {
        name: "allowRead",
        kind: ArgumentType::AllOrStrings,
        required: false,
        description: "What read_file may read: true for every file, or only the files under these \
                      paths (like vitte run --allow-read). Default: nothing.",
        default: None,
    },
    LaunchArgument {
        name: "allowWrite",
        kind: ArgumentType::AllOrStrings,
        required: false,
        description: "What write_file may write: true for every file, or only the files under these \
                      paths (like vitte run --allow-write). Default: nothing.",
        default: None,
    },
    LaunchArgument {
        name: "allowEnv",
        kind: ArgumentType::AllOrStrings,
        required: false,
        description: "Which environment variables env() may read: true for all, or only these \
                      names. Default: none.",
        default: None,
    },
    LaunchArgument {
        name: "env",
        kind: ArgumentType::StringMap,
        required: false,
        description: "Values env() gives for these names, when allowEnv lets it read them. The \
                      adapter's own environment is not changed.",
        default: None,
    },
];

/// The table as JSON, what `vitte-dap --launch-arguments` prints: an array with one object per
/// argument holding `name`, `required`, `description`, `default` (when it has one) and its JSON
/// schema type (`type`, and `items` or `additionalProperties`).
pub fn describe() -> Value {
    let arguments = LAUNCH_ARGUMENTS
        .iter()
        .map(|argument| {
            let mut object = argument.kind.schema();
            object.insert("name".to_owned(), json!(argument.name));
            object.insert("required".to_owned(), json!(argument.required));
            object.insert("description".to_owned(), json!(argument.description));
            if let Some(default) = argument.default {
                let value = serde_json::from_str(default)
                    .unwrap_or_else(|error| panic!("default of {}: {error}", argument.name));
                object.insert("default".to_owned(), value);
            }
            Value::Object(object)
        })
        .collect();
    Value::Array(arguments)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde::Deserialize;
    use serde::de::{self, Visitor};

    use super::*;
    use crate::proto::from_proto::LaunchArguments;

    /// A deserializer that only records the field names a struct asks for.
    struct FieldNames<'a>(&'a mut Vec<&'static str>);

    impl<'de> de::Deserializer<'de> for FieldNames<'_> {
        type Error = de::value::Error;

        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(de::Error::custom(
                "only a struct's field names are recorded",
            ))
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            fields: &'static [&'static str],
            _visitor: V,
        ) -> Result<V::Value, Self::Error> {
            self.0.extend_from_slice(fields);
            Err(de::Error::custom("field names recorded"))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }

    /// The names of the fields `launch` arguments are parsed into, as the client spells them.
    fn parsed_field_names() -> BTreeSet<&'static str> {
        let mut names = Vec::new();
        let _ = LaunchArguments::deserialize(FieldNames(&mut names));
        names.into_iter().collect()
    }

    fn parse(arguments: Value) -> Result<LaunchArguments, serde_json::Error> {
        serde_json::from_value(arguments)
    }

    /// A value of type `kind` that is not what leaving the argument out gives.
    fn examples_of(kind: ArgumentType) -> Vec<Value> {
        match kind {
            ArgumentType::String => vec![json!("prog.vit")],
            ArgumentType::Boolean => vec![json!(true)],
            ArgumentType::Strings => vec![json!(["a", "b"])],
            ArgumentType::AllOrStrings => vec![json!(true), json!(["data"])],
            ArgumentType::StringMap => vec![json!({ "NAME": "value" })],
        }
    }

    /// A value that is not of type `kind`.
    fn wrong_value_for(kind: ArgumentType) -> Value {
        match kind {
            ArgumentType::String | ArgumentType::Strings | ArgumentType::StringMap => json!(1),
            ArgumentType::Boolean | ArgumentType::AllOrStrings => json!("yes"),
        }
    }

    #[test]
    fn the_table_names_every_field_the_launch_request_is_parsed_into() {
        let parsed = parsed_field_names();
        assert!(
            parsed.contains("program") && parsed.contains("stopOnEntry"),
            "{parsed:?}"
        );
        let described: BTreeSet<_> = LAUNCH_ARGUMENTS
            .iter()
            .map(|argument| argument.name)
            .collect();
        assert_eq!(described, parsed);
        assert_eq!(
            described.len(),
            LAUNCH_ARGUMENTS.len(),
            "a name is listed twice"
        );
    }

    #[test]
    fn every_argument_is_read_with_its_declared_type() {
        for argument in LAUNCH_ARGUMENTS {
            for value in examples_of(argument.kind) {
                let parsed = parse(json!({ argument.name: value }))
                    .unwrap_or_else(|error| panic!("{} = {value}: {error}", argument.name));
                assert_ne!(
                    parsed,
                    LaunchArguments::default(),
                    "{} = {value} changed nothing",
                    argument.name
                );
            }
            let wrong = wrong_value_for(argument.kind);
            assert!(
                parse(json!({ argument.name: wrong })).is_err(),
                "{} accepts {wrong}",
                argument.name
            );
        }
    }

    #[test]
    fn a_default_is_what_leaving_the_argument_out_gives() {
        let absent = parse(json!({})).unwrap();
        for argument in LAUNCH_ARGUMENTS {
            if let Some(default) = argument.default {
                let value: Value = serde_json::from_str(default).unwrap();
                assert_eq!(
                    parse(json!({ argument.name: value })).unwrap(),
                    absent,
                    "default of {}",
                    argument.name
                );
            }
        }
    }

    #[test]
    fn the_description_holds_each_argument_with_its_schema() {
        let Value::Array(described) = describe() else {
            panic!("not an array");
        };
        assert_eq!(described.len(), LAUNCH_ARGUMENTS.len());
        let allow_read = described
            .iter()
            .find(|entry| entry["name"] == "allowRead")
            .unwrap();
        assert_eq!(allow_read["type"], json!(["boolean", "array"]));
        assert_eq!(allow_read["items"], json!({ "type": "string" }));
        assert_eq!(allow_read["required"], json!(false));
        assert!(allow_read.get("default").is_none());
        let args = described
            .iter()
            .find(|entry| entry["name"] == "args")
            .unwrap();
        assert_eq!(args["default"], json!([]));
        let program = described
            .iter()
            .find(|entry| entry["name"] == "program")
            .unwrap();
        assert_eq!(program["required"], json!(true));
        assert_eq!(program["type"], json!("string"));
        let required: Vec<_> = LAUNCH_ARGUMENTS
            .iter()
            .filter(|argument| argument.required)
            .map(|argument| argument.name)
            .collect();
        assert_eq!(
            required,
            ["program"],
            "the launch handler requires only program"
        );
    }

    #[test]
    fn docs_debugging_lists_every_launch_argument() {
        let docs = include_str!("../../docs/debugging.md");
        let section = docs
            .split("## Launch configuration")
            .nth(1)
            .and_then(|rest| rest.split("\n## ").next())
            .expect("docs/debugging.md has a 'Launch configuration' section");
        let documented: BTreeSet<&str> = section
            .lines()
            .filter_map(|line| line.strip_prefix("| `"))
            .filter_map(|rest| rest.split('`').next())
            .collect();
        let described: BTreeSet<_> = LAUNCH_ARGUMENTS
            .iter()
            .map(|argument| argument.name)
            .collect();
        assert_eq!(documented, described);
    }
}
