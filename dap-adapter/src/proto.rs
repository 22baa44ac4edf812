//! Protocol conversion, in one place: DAP JSON in ([`from_proto`]: requests, their arguments, code
//! addresses, thread ids, hit conditions) and DAP JSON out ([`to_proto`]: responses, events,
//! capabilities, frames, variables, breakpoints, sources). Nothing else in the crate spells a DAP
//! field name, except the handlers that put the values built here together.

use serde_json::{Map, Value, json};

/// Declares [`Command`]: every request the adapter answers, with its DAP name.
macro_rules! commands {
    ($($variant:ident => $name:literal,)*) => {
        /// A request the adapter knows. Dispatch matches on it exhaustively.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Command {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant,
            )*
        }

        impl Command {
            /// Every command, in declaration order.
            pub const ALL: &'static [Command] = &[$(Command::$variant,)*];

            /// The DAP name (`setBreakpoints`).
            pub fn name(self) -> &'static str {
                match self {
                    $(Command::$variant => $name,)*
                }
            }

            /// The command named `name`, when the adapter knows it.
            pub fn parse(name: &str) -> Option<Command> {
                match name {
                    $($name => Some(Command::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

commands! {
    Initialize => "initialize",
    Launch => "launch",
    ConfigurationDone => "configurationDone",
    SetBreakpoints => "setBreakpoints",
    SetFunctionBreakpoints => "setFunctionBreakpoints",
    SetExceptionBreakpoints => "setExceptionBreakpoints",
    SetInstructionBreakpoints => "setInstructionBreakpoints",
    BreakpointLocations => "breakpointLocations",
    ExceptionInfo => "exceptionInfo",
    Threads => "threads",
    StackTrace => "stackTrace",
    Scopes => "scopes",
    Variables => "variables",
    SetVariable => "setVariable",
    Evaluate => "evaluate",
    Completions => "completions",
    Continue => "continue",
    Next => "next",
    StepIn => "stepIn",
    StepOut => "stepOut",
    Pause => "pause",
    Disassemble => "disassemble",
    LoadedSources => "loadedSources",
    Source => "source",
    Terminate => "terminate",
    Disconnect => "disconnect",
    Restart => "restart",
}

/// A request the adapter knows, as the session and the engine see it.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    /// The client's `seq`, echoed as `request_seq`.
    pub seq: i64,
    /// Which request.
    pub command: Command,
    /// Its `arguments` (`null` when absent).
    pub arguments: Value,
}

/// Error message ids (`body.error.id`), one per kind of failure.
pub mod error_id {
    /// A message that is not a valid request.
    pub const MALFORMED: i64 = 1001;
    /// A command the adapter does not know.
    pub const UNKNOWN_COMMAND: i64 = 1002;
    /// A request that does not fit the session's state (`stackTrace` before `launch`).
    pub const OUT_OF_ORDER: i64 = 1003;
    /// Arguments missing or of the wrong shape.
    pub const INVALID_ARGUMENTS: i64 = 1004;
    /// A `frameId`, `variablesReference`, thread or source that does not (or no longer) exist.
    pub const STALE_REFERENCE: i64 = 1005;
    /// The program cannot be read, compiled or loaded.
    pub const LAUNCH_FAILED: i64 = 1006;
    /// An inspection or resume request while the program runs.
    pub const RUNNING: i64 = 1007;
    /// An expression that cannot be evaluated, or a value that cannot be stored.
    pub const EVALUATION: i64 = 1008;
    /// A failure of the adapter itself.
    pub const INTERNAL: i64 = 1009;
}

/// A failed request: the `message` of the error response and its `body.error.id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DapError {
    /// One of [`error_id`].
    pub id: i64,
    /// Shown to the user.
    pub message: String,
}

impl DapError {
    /// An error of kind `id`.
    pub fn new(id: i64, message: impl Into<String>) -> DapError {
        DapError {
            id,
            message: message.into(),
        }
    }

    /// [`error_id::INVALID_ARGUMENTS`].
    pub fn arguments(message: impl Into<String>) -> DapError {
        DapError::new(error_id::INVALID_ARGUMENTS, message)
    }

    /// [`error_id::OUT_OF_ORDER`].
    pub fn order(message: impl Into<String>) -> DapError {
        DapError::new(error_id::OUT_OF_ORDER, message)
    }

    /// [`error_id::STALE_REFERENCE`].
    pub fn stale(message: impl Into<String>) -> DapError {
        DapError::new(error_id::STALE_REFERENCE, message)
    }

    /// [`error_id::EVALUATION`].
    pub fn evaluation(message: impl Into<String>) -> DapError {
        DapError::new(error_id::EVALUATION, message)
    }

    /// The program is running: [`error_id::RUNNING`].
    pub fn running() -> DapError {
        DapError::new(
            error_id::RUNNING,
            "the program is running; pause it or wait for it to stop",
        )
    }

    /// No program was launched yet.
    pub fn not_launched() -> DapError {
        DapError::order("no program is running: send 'launch' (and 'configurationDone') first")
    }

    /// The program is not stopped.
    pub fn not_stopped() -> DapError {
        DapError::order("the program is not stopped")
    }
}

/// Results of a handler: the response body, or why it failed.
pub type Reply = Result<Value, DapError>;

/// Reading DAP: requests and their arguments.
pub mod from_proto {
    use serde::Deserialize;
    use serde::de::DeserializeOwned;
    use serde_json::{Map, Value};
    use vitte_vm::debug::{CodeLocation, Granularity};

    use super::{Command, DapError, Request};

    /// What an incoming JSON value is.
    #[derive(Clone, Debug, PartialEq)]
    pub enum Parsed {
        /// A request for a known command.
        Request(Request),
        /// A request that cannot be served, answered with an error response.
        Refused {
            /// Its `seq`.
            seq: i64,
            /// Its `command` as sent (empty when missing).
            command: String,
            /// Why.
            error: DapError,
        },
        /// A message without a usable `seq`, reported with an `output` event.
        Unanswerable(String),
        /// Something to drop silently (a response or an event from the client).
        Ignored,
    }

    /// Classifies one incoming JSON value.
    pub fn message(value: Value) -> Parsed {
        let Value::Object(mut object) = value else {
            return Parsed::Unanswerable("a message is not a JSON object".to_string());
        };
        let Some(seq) = object.get("seq").and_then(Value::as_i64) else {
            return Parsed::Unanswerable("a message has no integer 'seq'".to_string());
        };
        let kind = object.get("type").and_then(Value::as_str).unwrap_or("");
        let command = object
            .get("command")
            .and_then(Value::as_str)
            .map(str::to_string);
        match kind {
            "request" => {}
            "response" | "event" => return Parsed::Ignored,
            other => {
                return Parsed::Refused {
                    seq,
                    command: command.unwrap_or_default(),
                    error: DapError::new(
                        super::error_id::MALFORMED,
                        format!("a message has type '{other}'; expected 'request'"),
                    ),
                };
            }
        }
        let Some(name) = command else {
            return Parsed::Refused {
                seq,
                command: String::new(),
                error: DapError::new(super::error_id::MALFORMED, "a request has no 'command'"),
            };
        };
        let Some(command) = Command::parse(&name) else {
            return Parsed::Refused {
                error: DapError::new(
                    super::error_id::UNKNOWN_COMMAND,
                    format!("unknown command {name}"),
                ),
                seq,
                command: name,
            };
        };
        let arguments = object.remove("arguments").unwrap_or(Value::Null);
        Parsed::Request(Request {
            seq,
            command,
            arguments,
        })
    }

    /// The arguments of `request` as `T`.
    ///
    /// # Errors
    /// [`DapError::arguments`] naming the command and what is wrong.
    pub fn arguments<T: DeserializeOwned>(request: &Request) -> Result<T, DapError> {
        let value = match &request.arguments {
            Value::Null => Value::Object(Map::new()),
            other => other.clone(),
        };
        serde_json::from_value(value).map_err(|error| {
            DapError::arguments(format!(
                "invalid arguments for '{}': {error}",
                request.command.name()
            ))
        })
    }

    /// `initialize` arguments (only what the adapter reads).
    #[derive(Clone, Debug, Default, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct InitializeArguments {
        /// The client's id (`vscode`).
        pub client_id: Option<String>,
        /// Whether lines are 1-based (the adapter assumes they are).
        pub lines_start_at1: Option<bool>,
        /// Whether columns are 1-based (the adapter assumes they are).
        pub columns_start_at1: Option<bool>,
    }

    /// `allowRead` / `allowWrite`: `true` for everything, or a list of paths.
    #[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
    #[serde(untagged)]
    pub enum PathList {
        /// `true` or `false`.
        All(bool),
        /// These paths (relative ones against `cwd`).
        Paths(Vec<String>),
    }

    /// `allowEnv`: `true` for every variable, or a list of names.
    #[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
    #[serde(untagged)]
    pub enum EnvAccess {
        /// `true` or `false`.
        All(bool),
        /// These names only.
        Names(Vec<String>),
    }

    /// `launch` arguments (the launch configuration).
    #[derive(Clone, Debug, Default, Deserialize, PartialEq)]
    #[serde(rename_all = "camelCase")]
    pub struct LaunchArguments {
        /// The program: a `.vit` or `.vitbc` file.
        pub program: Option<String>,
        /// The program's arguments (`args()`).
        #[serde(default)]
        pub args: Vec<String>,
        /// The folder relative paths resolve against.
        pub cwd: Option<String>,
        /// Values `env()` sees (only with `allowEnv`).
        pub env: Option<Map<String, Value>>,
        /// Stop before the first statement.
        #[serde(default)]
        pub stop_on_entry: bool,
        /// Run without debugging.
        #[serde(default)]
        pub no_debug: bool,
        /// What `read_file` may read.
        pub allow_read: Option<PathList>,
        /// What `write_file` may write.
        pub allow_write: Option<PathList>,
        /// What `env` may read.
        pub allow_env: Option<EnvAccess>,
    }

    /// A `Source` as sent by the client.
    #[derive(Clone, Debug, Default, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct SourceArg {
        /// The file name.
        pub name: Option<String>,
        /// The path.
        pub path: Option<String>,
        /// A `sourceReference` the adapter gave out.
        pub source_reference: Option<i64>,
    }

    /// One `SourceBreakpoint`.
    #[derive(Clone, Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct SourceBreakpointArg {
        /// The line asked for.
        pub line: i64,
        /// The column (ignored: breakpoints are per statement).
        pub column: Option<i64>,
        /// Stop only when this expression is true.
        pub condition: Option<String>,
        /// Stop only when the hit count satisfies this.
        pub hit_condition: Option<String>,
        /// Log this instead of stopping.
        pub log_message: Option<String>,
    }

    /// `setBreakpoints` arguments.
    #[derive(Clone, Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct SetBreakpointsArguments {
        /// The file.
        pub source: SourceArg,
        /// The breakpoints (all of the file's).
        pub breakpoints: Option<Vec<SourceBreakpointArg>>,
        /// The deprecated form: lines only.
        pub lines: Option<Vec<i64>>,
    }

    /// One `FunctionBreakpoint`.
    #[derive(Clone, Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct FunctionBreakpointArg {
        /// The procedure's name.
        pub name: String,
        /// Stop only when this expression is true.
        pub condition: Option<String>,
        /// Stop only when the hit count satisfies this.
        pub hit_condition: Option<String>,
    }

    /// `setFunctionBreakpoints` arguments.
    #[derive(Clone, Debug, Deserialize)]
    pub struct SetFunctionBreakpointsArguments {
        /// All function breakpoints.
        pub breakpoints: Vec<FunctionBreakpointArg>,
    }

    /// `setExceptionBreakpoints` arguments.
    #[derive(Clone, Debug, Deserialize)]
    pub struct SetExceptionBreakpointsArguments {
        /// The filter ids turned on.
        pub filters: Vec<String>,
    }

    /// One `InstructionBreakpoint`.
    #[derive(Clone, Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct InstructionBreakpointArg {
        /// A code address (see [`code_address`]).
        pub instruction_reference: String,
        /// Instructions to add to it.
        pub offset: Option<i64>,
        /// Stop only when this expression is true.
        pub condition: Option<String>,
        /// Stop only when the hit count satisfies this.
        pub hit_condition: Option<String>,
    }

    /// `setInstructionBreakpoints` arguments.
    #[derive(Clone, Debug, Deserialize)]
    pub struct SetInstructionBreakpointsArguments {
        /// All instruction breakpoints.
        pub breakpoints: Vec<InstructionBreakpointArg>,
    }

    /// `breakpointLocations` arguments.
    #[derive(Clone, Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct BreakpointLocationsArguments {
        /// The file.
        pub source: SourceArg,
        /// First line.
        pub line: i64,
        /// Last line (default: `line`).
        pub end_line: Option<i64>,
    }

    /// Arguments naming a thread (`exceptionInfo`, `pause`).
    #[derive(Clone, Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct ThreadArguments {
        /// The thread.
        pub thread_id: i64,
    }

    /// `stackTrace` arguments.
    #[derive(Clone, Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct StackTraceArguments {
        /// The thread.
        pub thread_id: i64,
        /// First frame to return.
        pub start_frame: Option<i64>,
        /// How many (0 or absent: all).
        pub levels: Option<i64>,
    }

    /// `scopes` arguments.
    #[derive(Clone, Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct ScopesArguments {
        /// The frame.
        pub frame_id: i64,
    }

    /// `variables` arguments.
    #[derive(Clone, Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct VariablesArguments {
        /// The container.
        pub variables_reference: i64,
        /// `indexed` or `named`.
        pub filter: Option<String>,
        /// First child.
        pub start: Option<i64>,
        /// How many (0 or absent: all).
        pub count: Option<i64>,
    }

    /// `setVariable` arguments.
    #[derive(Clone, Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct SetVariableArguments {
        /// The container.
        pub variables_reference: i64,
        /// The variable's name in it.
        pub name: String,
        /// The new value, as an expression.
        pub value: String,
    }

    /// `evaluate` arguments.
    #[derive(Clone, Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct EvaluateArguments {
        /// The expression.
        pub expression: String,
        /// The frame to evaluate in.
        pub frame_id: Option<i64>,
        /// `watch`, `hover`, `repl`, `variables`, `clipboard`.
        pub context: Option<String>,
    }

    /// `completions` arguments.
    #[derive(Clone, Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct CompletionsArguments {
        /// The frame.
        pub frame_id: Option<i64>,
        /// The text typed so far.
        pub text: String,
        /// The cursor's 1-based column (UTF-16 code units).
        pub column: i64,
        /// The cursor's line in a multi-line text.
        pub line: Option<i64>,
    }

    /// `continue`, `next`, `stepIn`, `stepOut` arguments.
    #[derive(Clone, Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct StepArguments {
        /// The thread.
        pub thread_id: i64,
        /// Keep the other threads still.
        pub single_thread: Option<bool>,
        /// `statement`, `line` or `instruction`.
        pub granularity: Option<String>,
    }

    /// `disassemble` arguments.
    #[derive(Clone, Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct DisassembleArguments {
        /// A code address (see [`code_address`]).
        pub memory_reference: String,
        /// Added to the address, in instructions.
        pub offset: Option<i64>,
        /// Instructions to skip (negative: go back).
        pub instruction_offset: Option<i64>,
        /// Instructions to return (padded past the ends).
        pub instruction_count: i64,
    }

    /// `source` arguments.
    #[derive(Clone, Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct SourceArguments {
        /// The source.
        pub source: Option<SourceArg>,
        /// Its reference (when `source` is absent).
        #[serde(default)]
        pub source_reference: i64,
    }

    /// `restart` arguments.
    #[derive(Clone, Debug, Default, Deserialize)]
    pub struct RestartArguments {
        /// The latest launch configuration.
        pub arguments: Option<LaunchArguments>,
    }

    /// The DAP thread id of VM thread `thread` (VM ids start at 0; DAP ids at 1, some clients treat
    /// 0 as "no thread").
    pub fn vm_thread(id: i64) -> Option<u32> {
        u32::try_from(id.checked_sub(1)?).ok()
    }

    /// Parses a code address (as made by
    /// [`to_proto::code_address`](super::to_proto::code_address)): hexadecimal with `0x`, or
    /// decimal.
    pub fn code_address(text: &str) -> Option<CodeLocation> {
        let text = text.trim();
        let value = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
            Some(hex) => u64::from_str_radix(hex, 16).ok()?,
            None => text.parse().ok()?,
        };
        let func = u32::try_from(value >> 32).ok()?.checked_sub(1)?;
        Some(CodeLocation {
            func,
            pc: value as u32,
        })
    }

    /// `granularity`: instructions for `instruction`, statements otherwise.
    pub fn granularity(text: Option<&str>) -> Granularity {
        match text {
            Some("instruction") => Granularity::Instruction,
            _ => Granularity::Statement,
        }
    }

    /// A hit condition: when a breakpoint whose condition held `hits` times (this one included)
    /// stops.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum HitCondition {
        /// `>= N` (also a bare `N`).
        AtLeast(u64),
        /// `> N`.
        Above(u64),
        /// `== N` (or `= N`).
        Exactly(u64),
        /// `< N`.
        Below(u64),
        /// `<= N`.
        AtMost(u64),
        /// `% N`: every Nth hit.
        Every(u64),
    }

    impl HitCondition {
        /// Whether the `hits`th hit stops.
        pub fn passes(self, hits: u64) -> bool {
            match self {
                HitCondition::AtLeast(n) => hits >= n,
                HitCondition::Above(n) => hits > n,
                HitCondition::Exactly(n) => hits == n,
                HitCondition::Below(n) => hits < n,
                HitCondition::AtMost(n) => hits <= n,
                HitCondition::Every(n) => n != 0 && hits.is_multiple_of(n),
            }
        }
    }

    /// Makes a hit condition from its number.
    type MakeHit = fn(u64) -> HitCondition;

    /// Parses a hit condition: `>= N`, `> N`, `== N`, `= N`, `< N`, `<= N`, `% N`, or `N` (same as
    /// `>= N`).
    pub fn hit_condition(text: &str) -> Option<HitCondition> {
        let text = text.trim();
        let operators: [(&str, MakeHit); 7] = [
            (">=", HitCondition::AtLeast),
            ("<=", HitCondition::AtMost),
            ("==", HitCondition::Exactly),
            (">", HitCondition::Above),
            ("<", HitCondition::Below),
            ("=", HitCondition::Exactly),
            ("%", HitCondition::Every),
        ];
        let (make, number): (MakeHit, &str) = operators
            .iter()
            .find_map(|(operator, make)| text.strip_prefix(operator).map(|rest| (*make, rest)))
            .unwrap_or((HitCondition::AtLeast, text));
        let number = number.trim();
        if number.is_empty() || !number.bytes().all(|byte| byte.is_ascii_digit()) {
            return None;
        }
        let condition = make(number.parse().ok()?);
        if condition == HitCondition::Every(0) {
            return None;
        }
        Some(condition)
    }
}

/// Writing DAP: responses, events and the objects in their bodies.
pub mod to_proto {
    use serde_json::{Map, Value, json};
    use vitte_vm::debug::{CodeLocation, FrameInfo};

    use super::DapError;

    /// A response to request `seq` (`command` as the client spelled it), without its own `seq`.
    pub fn response(
        seq: i64,
        command: &str,
        reply: &Result<Value, DapError>,
    ) -> Map<String, Value> {
        let mut message = Map::new();
        message.insert("type".into(), "response".into());
        message.insert("request_seq".into(), seq.into());
        message.insert("command".into(), command.into());
        match reply {
            Ok(body) => {
                message.insert("success".into(), true.into());
                if !body.is_null() {
                    message.insert("body".into(), body.clone());
                }
            }
            Err(error) => {
                message.insert("success".into(), false.into());
                message.insert("message".into(), error.message.clone().into());
                message.insert(
                    "body".into(),
                    json!({
                        "error": {
                            "id": error.id,
                            "format": error.message,
                            "showUser": true,
                        }
                    }),
                );
            }
        }
        message
    }

    /// An event, without its `seq`.
    pub fn event(name: &str, body: Option<Value>) -> Map<String, Value> {
        let mut message = Map::new();
        message.insert("type".into(), "event".into());
        message.insert("event".into(), name.into());
        if let Some(body) = body {
            message.insert("body".into(), body);
        }
        message
    }

    /// An `output` event body.
    pub fn output(category: &str, text: &str) -> Value {
        json!({ "category": category, "output": text })
    }

    /// The filters of `setExceptionBreakpoints`.
    pub const FILTER_UNCAUGHT: &str = "uncaught";
    /// See [`FILTER_UNCAUGHT`].
    pub const FILTER_ALL: &str = "all";

    /// What the adapter can do: the `initialize` response body. Every `supports…Request` flag here
    /// names a command the session dispatches (a test checks it).
    pub fn capabilities() -> Value {
        json!({
            "supportsConfigurationDoneRequest": true,
            "supportsFunctionBreakpoints": true,
            "supportsConditionalBreakpoints": true,
            "supportsHitConditionalBreakpoints": true,
            "supportsEvaluateForHovers": true,
            "exceptionBreakpointFilters": [
                {
                    "filter": FILTER_UNCAUGHT,
                    "label": "Uncaught Errors",
                    "description": "Stop when a runtime error is about to end the program",
                    "default": true,
                },
                {
                    "filter": FILTER_ALL,
                    "label": "All Errors",
                    "description": "Stop at every runtime error, caught or not",
                    "default": false,
                },
            ],
            "supportsStepBack": false,
            "supportsSetVariable": true,
            "supportsRestartFrame": false,
            "supportsGotoTargetsRequest": false,
            "supportsStepInTargetsRequest": false,
            "supportsCompletionsRequest": true,
            "completionTriggerCharacters": ["."],
            "supportsModulesRequest": false,
            "supportsRestartRequest": true,
            "supportsExceptionOptions": false,
            "supportsValueFormattingOptions": false,
            "supportsExceptionInfoRequest": true,
            "supportTerminateDebuggee": false,
            "supportSuspendDebuggee": false,
            "supportsDelayedStackTraceLoading": true,
            "supportsLoadedSourcesRequest": true,
            "supportsLogPoints": true,
            "supportsTerminateThreadsRequest": false,
            "supportsSetExpression": false,
            "supportsTerminateRequest": true,
            "supportsDataBreakpoints": false,
            "supportsReadMemoryRequest": false,
            "supportsWriteMemoryRequest": false,
            "supportsDisassembleRequest": true,
            "supportsCancelRequest": false,
            "supportsBreakpointLocationsRequest": true,
            "supportsClipboardContext": false,
            "supportsSteppingGranularity": true,
            "supportsInstructionBreakpoints": true,
            "supportsExceptionFilterOptions": false,
            "supportsSingleThreadExecutionRequests": true,
        })
    }

    /// The DAP thread id of VM thread `thread` (see [`super::from_proto::vm_thread`]).
    pub fn thread_id(thread: u32) -> i64 {
        i64::from(thread) + 1
    }

    /// The code address of an instruction: `(FUNC + 1) << 32 | PC` in hexadecimal, so that
    /// clients that read addresses as numbers (VS Code's disassembly view) can, each function's
    /// instructions are contiguous, and the padding before a function's first instruction still
    /// has an address of its own (see [`invalid_instruction`]).
    pub fn code_address(location: CodeLocation) -> String {
        address_text(function_base(location.func) + i64::from(location.pc))
    }

    /// The address of instruction 0 of function `func`.
    fn function_base(func: u32) -> i64 {
        (i64::from(func) + 1) << 32
    }

    fn address_text(address: i64) -> String {
        format!("0x{address:x}")
    }

    /// A `Source`: `reference` is 0 when the client may read `path` itself.
    pub fn source(path: &str, reference: i64) -> Value {
        let name = std::path::Path::new(path).file_name().map_or_else(
            || path.to_string(),
            |name| name.to_string_lossy().into_owned(),
        );
        let mut source = json!({ "name": name, "path": path });
        if reference > 0 {
            source["sourceReference"] = reference.into();
        }
        source
    }

    /// A `Thread`.
    pub fn thread(thread: u32, name: &str) -> Value {
        json!({ "id": thread_id(thread), "name": name })
    }

    /// A `StackFrame`.
    pub fn stack_frame(id: i64, frame: &FrameInfo, source: Option<Value>) -> Value {
        let mut value = json!({
            "id": id,
            "name": frame.name,
            "line": frame.line,
            "column": frame.col,
            "instructionPointerReference": code_address(CodeLocation {
                func: frame.func,
                pc: frame.pc,
            }),
        });
        if let Some(source) = source {
            value["source"] = source;
        }
        if frame.line == 0 {
            value["presentationHint"] = "subtle".into();
        }
        value
    }

    /// A `Scope`.
    pub fn scope(name: &str, hint: Option<&str>, reference: i64, named: usize) -> Value {
        let mut value = json!({
            "name": name,
            "variablesReference": reference,
            "namedVariables": named,
            "expensive": false,
        });
        if let Some(hint) = hint {
            value["presentationHint"] = hint.into();
        }
        value
    }

    /// What a variable or an evaluation result shows.
    #[derive(Clone, Debug, Default, PartialEq, Eq)]
    pub struct Shown {
        /// The value's text.
        pub value: String,
        /// Its type's name.
        pub ty: String,
        /// Handle of its children (0: none).
        pub reference: i64,
        /// Array elements.
        pub indexed: usize,
        /// Fields and map entries.
        pub named: usize,
    }

    impl Shown {
        /// Adds the fields shared by `Variable`, `EvaluateResponse` and `SetVariableResponse`
        /// (`key` names the text: `value` or `result`).
        fn write(&self, object: &mut Value, key: &str) {
            object[key] = self.value.clone().into();
            object["type"] = self.ty.clone().into();
            object["variablesReference"] = self.reference.into();
            if self.indexed > 0 {
                object["indexedVariables"] = self.indexed.into();
            }
            if self.named > 0 {
                object["namedVariables"] = self.named.into();
            }
        }
    }

    /// A `Variable`.
    pub fn variable(name: &str, shown: &Shown, evaluate_name: Option<&str>) -> Value {
        let mut value = json!({ "name": name });
        shown.write(&mut value, "value");
        if let Some(path) = evaluate_name {
            value["evaluateName"] = path.into();
        }
        value
    }

    /// The `evaluate` response body.
    pub fn evaluated(shown: &Shown) -> Value {
        let mut value = json!({});
        shown.write(&mut value, "result");
        value
    }

    /// The `setVariable` response body.
    pub fn set_variable(shown: &Shown) -> Value {
        let mut value = json!({});
        shown.write(&mut value, "value");
        value
    }

    /// A `Breakpoint`.
    #[derive(Clone, Debug, Default, PartialEq)]
    pub struct BreakpointView {
        /// Its id.
        pub id: i64,
        /// Whether it can be hit.
        pub verified: bool,
        /// Why not, when it cannot.
        pub message: Option<String>,
        /// Its line (the one it moved to).
        pub line: Option<u32>,
        /// Its file.
        pub source: Option<Value>,
        /// Its code address (instruction breakpoints).
        pub instruction_reference: Option<String>,
    }

    /// A `Breakpoint` object.
    pub fn breakpoint(view: &BreakpointView) -> Value {
        let mut value = json!({ "id": view.id, "verified": view.verified });
        if let Some(message) = &view.message {
            value["message"] = message.clone().into();
        }
        if let Some(line) = view.line.filter(|&line| line > 0) {
            value["line"] = line.into();
        }
        if let Some(source) = &view.source {
            value["source"] = source.clone();
        }
        if let Some(reference) = &view.instruction_reference {
            value["instructionReference"] = reference.clone().into();
        }
        value
    }

    /// An `output` event body placed at a source line (logpoints).
    pub fn output_at(
        category: &str,
        text: &str,
        source: Option<Value>,
        line: Option<u32>,
    ) -> Value {
        let mut body = output(category, text);
        if let Some(source) = source {
            body["source"] = source;
        }
        if let Some(line) = line {
            body["line"] = line.into();
        }
        body
    }

    /// A `thread` event body.
    pub fn thread_event(reason: &str, thread: u32) -> Value {
        json!({ "reason": reason, "threadId": thread_id(thread) })
    }

    /// An `exited` event body.
    pub fn exited(code: i32) -> Value {
        json!({ "exitCode": code })
    }

    /// A `continued` event body: `thread` goes on, and the others too unless it runs alone.
    pub fn continued(thread: u32, all: bool) -> Value {
        json!({ "threadId": thread_id(thread), "allThreadsContinued": all })
    }

    /// The body of a `continue` response (`all`: every thread goes on).
    pub fn continue_body(all: bool) -> Value {
        json!({ "allThreadsContinued": all })
    }

    /// A `breakpoint` event body for a breakpoint whose state changed.
    pub fn breakpoint_changed(breakpoint: Value) -> Value {
        json!({ "reason": "changed", "breakpoint": breakpoint })
    }

    /// The `Breakpoint` answering one exception filter: accepted, or why not.
    pub fn exception_filter(result: Result<(), String>) -> Value {
        match result {
            Ok(()) => json!({ "verified": true }),
            Err(message) => json!({ "verified": false, "message": message }),
        }
    }

    /// The `stackTrace` response body.
    pub fn stack_trace(frames: Vec<Value>, total: usize) -> Value {
        json!({ "stackFrames": frames, "totalFrames": total })
    }

    /// A `CompletionItem` replacing `length` code units from column `start`.
    pub fn completion(label: &str, start: usize, length: usize) -> Value {
        json!({ "label": label, "start": start, "length": length })
    }

    /// The `source` response body.
    pub fn source_content(text: &str) -> Value {
        json!({ "content": text, "mimeType": "text/x-vitte" })
    }

    /// A `BreakpointLocation`.
    pub fn breakpoint_location(line: u32) -> Value {
        json!({ "line": line })
    }

    /// A `DisassembledInstruction`.
    pub fn instruction(
        location: CodeLocation,
        text: &str,
        symbol: &str,
        source: Option<Value>,
        line: Option<(u32, u32)>,
    ) -> Value {
        let mut value = json!({
            "address": code_address(location),
            "instruction": text,
            "symbol": symbol,
        });
        if let Some(source) = source {
            value["location"] = source;
        }
        if let Some((line, column)) = line {
            value["line"] = line.into();
            value["column"] = column.into();
        }
        value
    }

    /// A padding `DisassembledInstruction` for position `index` (outside the function) of
    /// function `func`.
    pub fn invalid_instruction(func: u32, index: i64) -> Value {
        json!({
            "address": address_text(function_base(func).saturating_add(index).max(0)),
            "instruction": "",
            "presentationHint": "invalid",
        })
    }

    /// The `exceptionInfo` response body for a runtime error.
    pub fn exception_info(message: &str, uncaught: bool, trace: &str) -> Value {
        json!({
            "exceptionId": "runtime error",
            "description": message,
            "breakMode": if uncaught { "unhandled" } else { "always" },
            "details": {
                "message": message,
                "typeName": "runtime error",
                "stackTrace": trace,
            },
        })
    }

    /// A `stopped` event body.
    pub fn stopped(
        reason: &str,
        thread: u32,
        description: Option<&str>,
        text: Option<&str>,
        hit: &[i64],
    ) -> Value {
        let mut value = json!({
            "reason": reason,
            "threadId": thread_id(thread),
            "allThreadsStopped": true,
        });
        if let Some(description) = description {
            value["description"] = description.into();
        }
        if let Some(text) = text {
            value["text"] = text.into();
        }
        if !hit.is_empty() {
            value["hitBreakpointIds"] = json!(hit);
        }
        value
    }
}

/// The body `{}`: for responses whose body the schema requires but that carry nothing.
pub fn empty_body() -> Value {
    Value::Object(Map::new())
}

/// A body holding one array: `{name: items}`.
pub fn list_body(name: &str, items: Vec<Value>) -> Value {
    let mut body = Map::new();
    body.insert(name.to_string(), Value::Array(items));
    Value::Object(body)
}

/// Used by tests and docs: the body of a `threads` response.
pub fn threads_body(threads: &[(u32, String)]) -> Value {
    json!({
        "threads": threads
            .iter()
            .map(|(id, name)| to_proto::thread(*id, name))
            .collect::<Vec<_>>()
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use vitte_vm::debug::CodeLocation;

    use super::from_proto::{self, HitCondition, Parsed};
    use super::{Command, error_id, to_proto};

    #[test]
    fn hit_conditions() {
        let parse = from_proto::hit_condition;
        assert_eq!(parse(">= 3"), Some(HitCondition::AtLeast(3)));
        assert_eq!(parse("3"), Some(HitCondition::AtLeast(3)));
        assert_eq!(parse(" == 2 "), Some(HitCondition::Exactly(2)));
        assert_eq!(parse("=2"), Some(HitCondition::Exactly(2)));
        assert_eq!(parse("% 4"), Some(HitCondition::Every(4)));
        assert_eq!(parse("<= 1"), Some(HitCondition::AtMost(1)));
        assert_eq!(parse("> 1"), Some(HitCondition::Above(1)));
        assert_eq!(parse("< 1"), Some(HitCondition::Below(1)));
        for bad in [
            "",
            "% 0",
            "-1",
            ">= x",
            "== 1.5",
            "99999999999999999999999",
            ">=>= 1",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
        assert!(HitCondition::Every(3).passes(6));
        assert!(!HitCondition::Every(3).passes(7));
        assert!(HitCondition::AtLeast(2).passes(2));
        assert!(!HitCondition::Exactly(2).passes(3));
    }

    #[test]
    fn code_addresses_round_trip() {
        let location = CodeLocation { func: 3, pc: 17 };
        let text = to_proto::code_address(location);
        assert_eq!(text, "0x400000011");
        assert_eq!(from_proto::code_address(&text), Some(location));
        assert_eq!(from_proto::code_address("17179869201"), Some(location));
        assert_eq!(
            from_proto::code_address("0x1ffffffff"),
            Some(CodeLocation {
                func: 0,
                pc: u32::MAX
            })
        );
        for bad in ["", "3", "0x", "0xffffffff", "-1", "0xzz", "1:2", "0x1_0"] {
            assert_eq!(from_proto::code_address(bad), None, "{bad}");
        }
    }

    #[test]
    fn thread_ids_start_at_one() {
        assert_eq!(to_proto::thread_id(0), 1);
        assert_eq!(from_proto::vm_thread(1), Some(0));
        assert_eq!(from_proto::vm_thread(0), None);
        assert_eq!(from_proto::vm_thread(-5), None);
        assert_eq!(from_proto::vm_thread(i64::MIN), None);
        assert_eq!(from_proto::vm_thread(i64::MAX), None);
    }

    #[test]
    fn commands_parse_back() {
        for command in Command::ALL {
            assert_eq!(Command::parse(command.name()), Some(*command));
        }
        assert_eq!(Command::parse("attach"), None);
    }

    #[test]
    fn messages_are_classified() {
        let parsed =
            from_proto::message(json!({ "seq": 4, "type": "request", "command": "threads" }));
        assert!(
            matches!(parsed, Parsed::Request(request) if request.seq == 4 && request.command == Command::Threads)
        );
        let parsed = from_proto::message(json!({ "seq": 5, "type": "request", "command": "zap" }));
        assert!(
            matches!(parsed, Parsed::Refused { seq: 5, error, .. } if error.id == error_id::UNKNOWN_COMMAND && error.message == "unknown command zap")
        );
        assert!(matches!(
            from_proto::message(json!({ "type": "request" })),
            Parsed::Unanswerable(_)
        ));
        assert!(matches!(
            from_proto::message(json!("x")),
            Parsed::Unanswerable(_)
        ));
        assert!(matches!(
            from_proto::message(json!({ "seq": 1.5 })),
            Parsed::Unanswerable(_)
        ));
        assert!(matches!(
            from_proto::message(json!({ "seq": 1, "type": "event" })),
            Parsed::Ignored
        ));
    }

    #[test]
    fn error_responses_carry_a_structured_message() {
        let error = super::DapError::running();
        let response = to_proto::response(7, "next", &Err(error.clone()));
        assert_eq!(response["success"], json!(false));
        assert_eq!(response["message"], json!(error.message));
        assert_eq!(response["body"]["error"]["id"], json!(error_id::RUNNING));
        assert_eq!(response["body"]["error"]["showUser"], json!(true));
        let ok = to_proto::response(8, "pause", &Ok(serde_json::Value::Null));
        assert!(ok.get("body").is_none());
    }
}
