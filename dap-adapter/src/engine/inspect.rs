//! Looking at a stopped program: stack frames, scopes, variables (paged), changing a variable,
//! evaluating expressions, completions and the exception of an exception stop.
//!
//! `frameId`s and `variablesReference`s are handles into [`Handles`], valid until the program
//! resumes: resuming forgets them all, and their numbers are never given out again in the session,
//! so a stale one is an error rather than a different value.

use std::collections::HashMap;

use serde_json::Value as Json;
use vitte_vm::bytecode::{Module, Type, TypeId};
use vitte_vm::debug::inspect::{self, child_count, children};
use vitte_vm::debug::{Value, Variable};
use vitte_vm::memory::Heap;

use super::Engine;
use super::launch::Loaded;
use crate::eval::{self, EvalContext, EvalValue};
use crate::proto::from_proto::{
    self, CompletionsArguments, EvaluateArguments, ScopesArguments, SetVariableArguments,
    StackTraceArguments, ThreadArguments, VariablesArguments,
};
use crate::proto::to_proto::{self, Shown};
use crate::proto::{DapError, Reply, Request, list_body};

/// What a `variablesReference` points at.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Target {
    /// The locals of frame `depth` of `thread`.
    Locals { thread: u32, depth: usize },
    /// The globals.
    Globals,
    /// The children of a value; `path` is the expression that reaches it.
    Value { value: Value, path: Option<String> },
}

/// The handles given out since the program last stopped.
#[derive(Debug, Default)]
pub(crate) struct Handles {
    last: i64,
    targets: HashMap<i64, Target>,
    frames: HashMap<i64, (u32, usize)>,
    frame_ids: HashMap<(u32, usize), i64>,
}

impl Handles {
    fn next_id(&mut self) -> i64 {
        self.last = if self.last >= i64::from(i32::MAX) {
            1
        } else {
            self.last + 1
        };
        self.last
    }

    /// Forgets every handle (the program resumes).
    pub(crate) fn clear(&mut self) {
        self.targets.clear();
        self.frames.clear();
        self.frame_ids.clear();
    }

    /// The id of frame `depth` of `thread`.
    fn frame(&mut self, thread: u32, depth: usize) -> i64 {
        if let Some(&id) = self.frame_ids.get(&(thread, depth)) {
            return id;
        }
        let id = self.next_id();
        self.frames.insert(id, (thread, depth));
        self.frame_ids.insert((thread, depth), id);
        id
    }

    /// A new `variablesReference` for `target`.
    fn variables(&mut self, target: Target) -> i64 {
        let id = self.next_id();
        self.targets.insert(id, target);
        id
    }
}

/// `frame N is not valid…`.
fn stale_frame(id: i64) -> DapError {
    DapError::stale(format!(
        "frame {id} is not valid (frames are valid until the program resumes)"
    ))
}

/// How a value shows, with a handle for its children when it has some.
fn shown_value(
    module: &Module,
    heap: &Heap,
    handles: &mut Handles,
    value: Value,
    path: Option<String>,
) -> Shown {
    let count = child_count(module, heap, value);
    Shown {
        value: inspect::display(module, heap, value),
        ty: inspect::type_name(module, value.ty),
        reference: if count.is_empty() {
            0
        } else {
            handles.variables(Target::Value { value, path })
        },
        indexed: count.indexed,
        named: count.named,
    }
}

/// How an evaluation result shows.
fn shown_eval(
    ctx: &EvalContext<'_>,
    handles: &mut Handles,
    value: &EvalValue,
    path: Option<String>,
) -> Shown {
    if let EvalValue::Vm(value) = value {
        return shown_value(ctx.module, ctx.heap, handles, *value, path);
    }
    Shown {
        value: eval::display(ctx, value),
        ty: eval::type_name(ctx, value),
        ..Shown::default()
    }
}

/// The locals of `frame` (none without a frame) and the globals.
fn frame_variables(
    program: &Loaded,
    frame: Option<(u32, usize)>,
) -> Result<(Vec<Variable>, Vec<Variable>), DapError> {
    let locals = match frame {
        Some((thread, depth)) => program
            .vm
            .debug_locals(thread, depth)
            .ok_or_else(|| DapError::stale("the frame no longer exists"))?,
        None => Vec::new(),
    };
    Ok((locals, program.vm.debug_globals()))
}

/// Runs `f` with the expression context of `frame`: its locals (none before the run starts) and
/// the globals.
fn in_frame<R>(
    program: &Loaded,
    frame: Option<(u32, usize)>,
    f: impl FnOnce(&EvalContext<'_>) -> Result<R, DapError>,
) -> Result<R, DapError> {
    let module = program.vm.module().ok_or_else(DapError::not_launched)?;
    let (locals, globals) = frame_variables(program, frame)?;
    f(&EvalContext {
        module,
        heap: program.vm.heap(),
        locals: &locals,
        globals: &globals,
    })
}

/// The expression reaching child `child` of the value reached by `parent`.
fn child_path(parent: Option<&str>, is_map: bool, child: &Variable) -> Option<String> {
    let parent = parent?;
    Some(if child.name.starts_with('[') {
        format!("{parent}{}", child.name)
    } else if is_map {
        format!("{parent}[{}]", child.name)
    } else {
        format!("{parent}.{}", child.name)
    })
}

/// The child of `value` named `name` (`[3]` for an element).
fn find_child(module: &Module, heap: &Heap, value: Value, name: &str) -> Option<Variable> {
    if let Some(index) = name
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .and_then(|index| index.trim().parse::<usize>().ok())
        && child_count(module, heap, value).indexed > 0
    {
        return children(module, heap, value, index, 1).pop();
    }
    children(module, heap, value, 0, usize::MAX)
        .into_iter()
        .find(|child| child.name == name)
}

/// A new value for a place of type `target`: its bits, or a string still to allocate.
enum Fit {
    Bits(u64),
    Text(String),
}

/// Checks that `new` fits type `target` (an `int` fits a `float`).
fn fit(ctx: &EvalContext<'_>, target: TypeId, new: &EvalValue) -> Result<Fit, String> {
    let module = ctx.module;
    let nullable = matches!(module.ty(target), Some(Type::Nullable(_)));
    let base = module.strip_nullable(target);
    let fits = match (module.ty(base), new) {
        (Some(Type::Int), EvalValue::Int(value)) => Some(Fit::Bits(*value as u64)),
        (Some(Type::Float), EvalValue::Float(value)) => Some(Fit::Bits(value.to_bits())),
        (Some(Type::Float), EvalValue::Int(value)) => Some(Fit::Bits((*value as f64).to_bits())),
        (Some(Type::Bool), EvalValue::Bool(value)) => Some(Fit::Bits(u64::from(*value))),
        (Some(Type::Str), EvalValue::Str(text)) => Some(Fit::Text(text.clone())),
        (_, EvalValue::Null) if nullable => Some(Fit::Bits(0)),
        (_, EvalValue::Vm(value)) => {
            let same = value.ty == target || module.strip_nullable(value.ty) == base;
            (same && (nullable || value.bits != 0 || !is_reference(module, base)))
                .then_some(Fit::Bits(value.bits))
        }
        _ => None,
    };
    fits.ok_or_else(|| {
        format!(
            "a value of type {} cannot be stored in a variable of type {}",
            eval::type_name(ctx, new),
            inspect::type_name(module, target)
        )
    })
}

fn is_reference(module: &Module, ty: TypeId) -> bool {
    inspect::kind_of(module, ty) == vitte_vm::bytecode::ValueKind::Ref
}

/// The whole-text position `column` (1-based, UTF-16) of line `line` (1-based) of `text`, as a
/// byte offset into `text`.
fn cursor_offset(text: &str, line: Option<i64>, column: i64) -> usize {
    let line = usize::try_from(line.unwrap_or(1).max(1) - 1).unwrap_or(0);
    let mut start = 0;
    for _ in 0..line {
        match text[start..].find('\n') {
            Some(end) => start += end + 1,
            None => break,
        }
    }
    let wanted = usize::try_from(column.max(1) - 1).unwrap_or(0);
    let mut units = 0;
    for (offset, character) in text[start..].char_indices() {
        if units >= wanted || character == '\n' {
            return start + offset;
        }
        units += character.len_utf16();
    }
    text.len()
}

impl Engine {
    /// Checks that the program is stopped.
    fn check_stopped(&self) -> Result<(), DapError> {
        let program = self.program.as_ref().ok_or_else(DapError::not_launched)?;
        if program.ended {
            return Err(DapError::order("the program has ended"));
        }
        if self.stop.is_none() {
            return Err(DapError::not_stopped());
        }
        Ok(())
    }

    /// The frame an evaluation runs in: the one named, else the top frame of the stopped thread.
    fn evaluation_frame(&self, frame_id: Option<i64>) -> Result<Option<(u32, usize)>, DapError> {
        match frame_id {
            Some(id) => self
                .handles
                .frames
                .get(&id)
                .copied()
                .map(Some)
                .ok_or_else(|| stale_frame(id)),
            None => Ok(self
                .stop
                .as_ref()
                .map(|stop| (stop.thread, 0))
                .filter(|&(thread, _)| {
                    self.program
                        .as_ref()
                        .and_then(|program| program.vm.debug_frames(thread))
                        .is_some_and(|frames| !frames.is_empty())
                })),
        }
    }

    /// Evaluates `expression` in the top frame of `thread`: its display text.
    pub(crate) fn evaluate_text(&self, thread: u32, expression: &str) -> Result<String, String> {
        self.in_top_frame(thread, |ctx| {
            eval::evaluate(expression, ctx).map(|value| eval::display(ctx, &value))
        })
    }

    /// Runs `f` with the expression context of the top frame of `thread`; errors as text.
    fn in_top_frame<R>(
        &self,
        thread: u32,
        f: impl FnOnce(&EvalContext<'_>) -> Result<R, String>,
    ) -> Result<R, String> {
        let program = self.program.as_ref().ok_or("no program")?;
        in_frame(program, Some((thread, 0)), |ctx| Ok(f(ctx))).map_err(|error| error.message)?
    }

    /// Evaluates a breakpoint condition in the top frame of `thread`.
    pub(crate) fn condition_holds(&self, thread: u32, condition: &str) -> Result<bool, String> {
        self.in_top_frame(thread, |ctx| match eval::evaluate(condition, ctx)? {
            EvalValue::Bool(value) => Ok(value),
            EvalValue::Vm(value)
                if inspect::kind_of(ctx.module, value.ty)
                    == vitte_vm::bytecode::ValueKind::Bool =>
            {
                Ok(value.bits != 0)
            }
            other => Err(format!(
                "the condition gives a {}, not a bool",
                eval::type_name(ctx, &other)
            )),
        })
    }

    /// `stackTrace`.
    pub fn stack_trace(&mut self, request: &Request) -> Reply {
        let args: StackTraceArguments = from_proto::arguments(request)?;
        self.check_stopped()?;
        let program = self.program.as_ref().ok_or_else(DapError::not_launched)?;
        let thread = self.thread_arg(args.thread_id)?;
        let frames = program
            .vm
            .debug_frames(thread)
            .ok_or_else(|| DapError::stale(format!("thread {} does not exist", args.thread_id)))?;
        let total = frames.len();
        let start = usize::try_from(args.start_frame.unwrap_or(0)).unwrap_or(0);
        let levels = match args.levels {
            Some(levels) if levels > 0 => usize::try_from(levels).unwrap_or(usize::MAX),
            _ => usize::MAX,
        };
        let mut shown = Vec::new();
        for (depth, frame) in frames.iter().enumerate().skip(start).take(levels) {
            let id = self.handles.frame(thread, depth);
            let source = frame.source.and_then(|index| program.source_json(index));
            shown.push(to_proto::stack_frame(id, frame, source));
        }
        Ok(to_proto::stack_trace(shown, total))
    }

    /// `scopes`: the frame's locals and the globals.
    pub fn scopes(&mut self, request: &Request) -> Reply {
        let args: ScopesArguments = from_proto::arguments(request)?;
        self.check_stopped()?;
        let program = self.program.as_ref().ok_or_else(DapError::not_launched)?;
        let (thread, depth) = self
            .handles
            .frames
            .get(&args.frame_id)
            .copied()
            .ok_or_else(|| stale_frame(args.frame_id))?;
        let locals = program
            .vm
            .debug_locals(thread, depth)
            .ok_or_else(|| stale_frame(args.frame_id))?
            .len();
        let globals = program.vm.debug_globals().len();
        let locals_ref = self.handles.variables(Target::Locals { thread, depth });
        let globals_ref = self.handles.variables(Target::Globals);
        Ok(list_body(
            "scopes",
            vec![
                to_proto::scope("Locals", Some("locals"), locals_ref, locals),
                to_proto::scope("Globals", None, globals_ref, globals),
            ],
        ))
    }

    /// `variables`: the children of a scope or a value, paged with `start`/`count`.
    pub fn variables(&mut self, request: &Request) -> Reply {
        let args: VariablesArguments = from_proto::arguments(request)?;
        let reference = args.variables_reference;
        let target = self.handles.targets.get(&reference).cloned().ok_or_else(|| {
            DapError::stale(format!(
                "variablesReference {reference} is not valid (values are valid until the program resumes)"
            ))
        })?;
        self.check_stopped()?;
        let program = self.program.as_ref().ok_or_else(DapError::not_launched)?;
        let module = program.vm.module().ok_or_else(DapError::not_launched)?;
        let heap = program.vm.heap();
        let start = usize::try_from(args.start.unwrap_or(0)).unwrap_or(0);
        let count = match args.count {
            Some(count) if count > 0 => usize::try_from(count).unwrap_or(usize::MAX),
            _ => usize::MAX,
        };
        let (list, parent, is_map): (Vec<Variable>, Option<String>, bool) = match target {
            Target::Locals { thread, depth } => {
                let locals = program
                    .vm
                    .debug_locals(thread, depth)
                    .ok_or_else(|| DapError::stale("the frame no longer exists"))?;
                (
                    locals.into_iter().skip(start).take(count).collect(),
                    None,
                    false,
                )
            }
            Target::Globals => (
                program
                    .vm
                    .debug_globals()
                    .into_iter()
                    .skip(start)
                    .take(count)
                    .collect(),
                None,
                false,
            ),
            Target::Value { value, path } => {
                let counts = child_count(module, heap, value);
                let wanted = match args.filter.as_deref() {
                    Some("indexed") => counts.indexed > 0,
                    Some("named") => counts.named > 0,
                    _ => true,
                };
                let list = if wanted {
                    children(module, heap, value, start, count)
                } else {
                    Vec::new()
                };
                let is_map = matches!(
                    module.ty(module.strip_nullable(value.ty)),
                    Some(Type::Map(..))
                );
                (list, path, is_map)
            }
        };
        let top_level = parent.is_none();
        let mut shown = Vec::with_capacity(list.len());
        for child in &list {
            let path = if top_level {
                Some(child.name.clone())
            } else {
                child_path(parent.as_deref(), is_map, child)
            };
            let view = shown_value(module, heap, &mut self.handles, child.value, path.clone());
            shown.push(to_proto::variable(&child.name, &view, path.as_deref()));
        }
        Ok(list_body("variables", shown))
    }

    /// `setVariable`: a new value (an expression of the right type) for a variable.
    pub fn set_variable(&mut self, request: &Request) -> Reply {
        let args: SetVariableArguments = from_proto::arguments(request)?;
        let reference = args.variables_reference;
        let target = self.handles.targets.get(&reference).cloned().ok_or_else(|| {
            DapError::stale(format!(
                "variablesReference {reference} is not valid (values are valid until the program resumes)"
            ))
        })?;
        let frame = match &target {
            Target::Locals { thread, depth } => Some((*thread, *depth)),
            _ => self.evaluation_frame(None)?,
        };
        self.check_stopped()?;
        let program = self.program.as_ref().ok_or_else(DapError::not_launched)?;
        let (variable, fitted) = in_frame(program, frame, |ctx| {
            let found = match &target {
                Target::Locals { .. } => ctx.locals.iter().find(|v| v.name == args.name).cloned(),
                Target::Globals => ctx.globals.iter().find(|v| v.name == args.name).cloned(),
                Target::Value { value, .. } => find_child(ctx.module, ctx.heap, *value, &args.name),
            };
            let variable = found
                .or_else(|| eval::place_of(&args.name, ctx))
                .ok_or_else(|| {
                    DapError::evaluation(format!("there is no variable '{}' here", args.name))
                })?;
            let new = eval::evaluate(&args.value, ctx).map_err(DapError::evaluation)?;
            let fitted = fit(ctx, variable.value.ty, &new).map_err(DapError::evaluation)?;
            Ok((variable, fitted))
        })?;
        let program = self.program.as_mut().ok_or_else(DapError::not_launched)?;
        let bits = match fitted {
            Fit::Bits(bits) => bits,
            Fit::Text(text) => program.vm.debug_alloc_string(&text),
        };
        program
            .vm
            .debug_write(variable.place, bits)
            .map_err(DapError::evaluation)?;
        let program = self.program.as_ref().ok_or_else(DapError::not_launched)?;
        let module = program.vm.module().ok_or_else(DapError::not_launched)?;
        let value = Value {
            ty: variable.value.ty,
            bits,
        };
        let shown = shown_value(module, program.vm.heap(), &mut self.handles, value, None);
        Ok(to_proto::set_variable(&shown))
    }

    /// `evaluate`: an expression in the frame named by `frameId`, else the top frame of the
    /// stopped thread (only globals before the run starts). It cannot resume the program.
    pub fn evaluate(&mut self, request: &Request) -> Reply {
        let args: EvaluateArguments = from_proto::arguments(request)?;
        let frame = self.evaluation_frame(args.frame_id)?;
        let program = self.program.as_ref().ok_or_else(DapError::not_launched)?;
        let handles = &mut self.handles;
        in_frame(program, frame, |ctx| {
            let value = eval::evaluate(&args.expression, ctx).map_err(DapError::evaluation)?;
            let path = args.expression.trim().to_string();
            let shown = shown_eval(ctx, handles, &value, Some(path));
            Ok(to_proto::evaluated(&shown))
        })
    }

    /// `completions`: names that can follow the text before the cursor.
    pub fn completions(&mut self, request: &Request) -> Reply {
        let args: CompletionsArguments = from_proto::arguments(request)?;
        let frame = self.evaluation_frame(args.frame_id)?;
        let program = self.program.as_ref().ok_or_else(DapError::not_launched)?;
        let cursor = cursor_offset(&args.text, args.line, args.column);
        let before = &args.text[..cursor];
        let line_start = before.rfind('\n').map_or(0, |at| at + 1);
        let before = &before[line_start..];
        // The word being typed: what a completion replaces.
        let word = before
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_alphanumeric() || *c == '_')
            .last()
            .map_or(before.len(), |(at, _)| at);
        let word_len = before[word..].encode_utf16().count();
        let labels = in_frame(program, frame, |ctx| Ok(eval::completions(before, ctx)))?;
        let targets: Vec<Json> = labels
            .into_iter()
            .map(|label| {
                to_proto::completion(&label, before[..word].encode_utf16().count() + 1, word_len)
            })
            .collect();
        Ok(list_body("targets", targets))
    }

    /// `exceptionInfo`: the runtime error the thread stopped for.
    pub fn exception_info(&mut self, request: &Request) -> Reply {
        let args: ThreadArguments = from_proto::arguments(request)?;
        self.check_stopped()?;
        let program = self.program.as_ref().ok_or_else(DapError::not_launched)?;
        let thread = from_proto::vm_thread(args.thread_id)
            .ok_or_else(|| DapError::stale(format!("thread {} does not exist", args.thread_id)))?;
        let Some(super::Stop {
            exception: Some((message, uncaught)),
            ..
        }) = self.stop.as_ref().filter(|stop| stop.thread == thread)
        else {
            return Err(DapError::order(format!(
                "thread {} is not stopped on a runtime error",
                args.thread_id
            )));
        };
        let trace: Vec<String> = program
            .vm
            .debug_frames(thread)
            .unwrap_or_default()
            .iter()
            .map(|frame| {
                let file = frame
                    .source
                    .and_then(|index| program.sources.get(index as usize))
                    .map_or("?", |view| view.path.as_str());
                format!("  at {} ({file}:{}:{})", frame.name, frame.line, frame.col)
            })
            .collect();
        Ok(to_proto::exception_info(
            message,
            *uncaught,
            &trace.join("\n"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::cursor_offset;

    #[test]
    fn cursor_offsets_count_utf16_units_on_the_right_line() {
        assert_eq!(cursor_offset("abc", None, 3), 2);
        assert_eq!(cursor_offset("abc", None, 1), 0);
        assert_eq!(cursor_offset("abc", None, 99), 3);
        assert_eq!(cursor_offset("abc", None, -4), 0);
        // '😀' is two UTF-16 units and four bytes.
        assert_eq!(cursor_offset("😀x", None, 3), 4);
        assert_eq!(cursor_offset("ab\ncd", Some(2), 2), 4);
        assert_eq!(cursor_offset("ab\ncd", Some(9), 1), 3);
        assert_eq!(cursor_offset("ab\ncd", Some(1), 9), 2);
    }
}
