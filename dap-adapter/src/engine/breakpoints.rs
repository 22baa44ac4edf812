//! Breakpoints: source lines, procedure entries and instructions, each with an optional
//! condition, hit condition and log message, and the exception filters.
//!
//! A breakpoint is resolved to code locations with `vitte_vm::debug::lines` (a line moves to the
//! next line that starts a statement); the union of every breakpoint's locations is patched into
//! the VM. Breakpoints set before `launch` are kept unverified and resolved when the program is
//! loaded (again at `restart`); each whose verification changes is reported with a `breakpoint`
//! event. When the VM stops at a location, [`Engine::breakpoint_hit`] decides whether the client
//! sees a stop: conditions are evaluated in the stopped frame, hit counts count the hits whose
//! condition held, and logpoints print instead of stopping.

use std::collections::BTreeMap;

use serde_json::Value;
use vitte_vm::debug::lines::{function_entry, resolve_line};
use vitte_vm::debug::{CodeLocation, ExceptionStops};

use super::Engine;
use super::launch::Loaded;
use crate::proto::from_proto::{
    self, HitCondition, SetBreakpointsArguments, SetExceptionBreakpointsArguments,
    SetFunctionBreakpointsArguments, SetInstructionBreakpointsArguments,
};
use crate::proto::to_proto::{self, BreakpointView, FILTER_ALL, FILTER_UNCAUGHT};
use crate::proto::{Reply, Request, list_body};

/// What a breakpoint is set on.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    /// A line of a file, named by path or by source reference.
    Line {
        path: Option<String>,
        reference: Option<i64>,
        line: i64,
    },
    /// The first statement of a procedure.
    Function(String),
    /// An instruction: a code address plus an offset in instructions.
    Instruction { reference: String, offset: i64 },
}

/// One breakpoint of any kind.
#[derive(Clone, Debug, PartialEq)]
struct Breakpoint {
    id: i64,
    kind: Kind,
    condition: Option<String>,
    hit_text: Option<String>,
    hit: Option<HitCondition>,
    log: Option<String>,
    /// Hits whose condition held.
    hits: u64,
    locations: Vec<CodeLocation>,
    view: BreakpointView,
}

/// Every breakpoint of the session.
#[derive(Debug, Default)]
pub(crate) struct Breakpoints {
    last_id: i64,
    /// Line breakpoints by the client's name for the file.
    sources: BTreeMap<String, Vec<Breakpoint>>,
    functions: Vec<Breakpoint>,
    instructions: Vec<Breakpoint>,
}

impl Breakpoints {
    fn all(&self) -> impl Iterator<Item = &Breakpoint> {
        self.sources
            .values()
            .flatten()
            .chain(&self.functions)
            .chain(&self.instructions)
    }

    fn all_mut(&mut self) -> impl Iterator<Item = &mut Breakpoint> {
        self.sources
            .values_mut()
            .flatten()
            .chain(&mut self.functions)
            .chain(&mut self.instructions)
    }

    fn make(
        &mut self,
        kind: Kind,
        condition: Option<String>,
        hit_text: Option<String>,
        log: Option<String>,
    ) -> Breakpoint {
        self.last_id += 1;
        let condition = condition.filter(|text| !text.trim().is_empty());
        let hit_text = hit_text.filter(|text| !text.trim().is_empty());
        Breakpoint {
            id: self.last_id,
            kind,
            condition,
            hit: hit_text.as_deref().and_then(from_proto::hit_condition),
            hit_text,
            log: log.filter(|text| !text.is_empty()),
            hits: 0,
            locations: Vec::new(),
            view: BreakpointView::default(),
        }
    }
}

/// Where a resolved breakpoint is: locations, line, source, code address.
type Resolved = (
    Vec<CodeLocation>,
    Option<u32>,
    Option<Value>,
    Option<String>,
);

/// The line and source of an instruction.
fn place_of(program: &Loaded, location: CodeLocation) -> (Option<u32>, Option<Value>) {
    let Some(module) = program.vm.module() else {
        return (None, None);
    };
    let line = module
        .location(location.func, location.pc)
        .map(|(_, line, _)| line);
    let source = module
        .functions
        .get(location.func as usize)
        .and_then(|function| program.source_json(function.debug.file));
    (line, source)
}

fn resolve_kind(breakpoint: &Breakpoint, program: Option<&Loaded>) -> Result<Resolved, String> {
    if let (Some(text), None) = (&breakpoint.hit_text, breakpoint.hit) {
        return Err(format!(
            "invalid hit condition '{text}': use >= N, > N, == N, < N, <= N, % N or N"
        ));
    }
    let program = program.ok_or("the program is not loaded yet")?;
    let module = program.vm.module().ok_or("no program is loaded")?;
    match &breakpoint.kind {
        Kind::Line {
            path,
            reference,
            line,
        } => {
            let index = program
                .source_index(path.as_deref(), *reference)
                .ok_or("this file is not part of the program")?;
            let line = u32::try_from(*line)
                .ok()
                .filter(|&line| line > 0)
                .ok_or_else(|| format!("line {line} does not exist"))?;
            let resolved = resolve_line(module, index, line)
                .ok_or_else(|| format!("no code on or after line {line}"))?;
            Ok((
                resolved.locations,
                Some(resolved.line),
                program.source_json(index),
                None,
            ))
        }
        Kind::Function(name) => {
            let location = function_entry(module, name)
                .ok_or_else(|| format!("no procedure named '{name}'"))?;
            let (line, source) = place_of(program, location);
            Ok((vec![location], line, source, None))
        }
        Kind::Instruction { reference, offset } => {
            let base = from_proto::code_address(reference)
                .ok_or_else(|| format!("'{reference}' is not a code address"))?;
            let missing = || format!("no instruction at {reference} with offset {offset}");
            let pc = i64::from(base.pc)
                .checked_add(*offset)
                .and_then(|pc| u32::try_from(pc).ok())
                .ok_or_else(missing)?;
            let function = module
                .functions
                .get(base.func as usize)
                .ok_or_else(missing)?;
            if pc as usize >= function.code.len() {
                return Err(missing());
            }
            let location = CodeLocation {
                func: base.func,
                pc,
            };
            let (line, source) = place_of(program, location);
            Ok((
                vec![location],
                line,
                source,
                Some(to_proto::code_address(location)),
            ))
        }
    }
}

/// Resolves `breakpoint` against `program`; returns whether its view changed.
fn resolve(breakpoint: &mut Breakpoint, program: Option<&Loaded>) -> bool {
    let view = match resolve_kind(breakpoint, program) {
        Ok((locations, line, source, instruction_reference)) => {
            breakpoint.locations = locations;
            BreakpointView {
                id: breakpoint.id,
                verified: true,
                message: None,
                line,
                source,
                instruction_reference,
            }
        }
        Err(message) => {
            breakpoint.locations.clear();
            let (line, source, instruction_reference) = match &breakpoint.kind {
                Kind::Line { path, line, .. } => (
                    u32::try_from(*line).ok(),
                    path.as_deref().map(|path| to_proto::source(path, 0)),
                    None,
                ),
                Kind::Function(_) => (None, None, None),
                Kind::Instruction { reference, .. } => (None, None, Some(reference.clone())),
            };
            BreakpointView {
                id: breakpoint.id,
                verified: false,
                message: Some(message),
                line,
                source,
                instruction_reference,
            }
        }
    };
    let changed = view != breakpoint.view;
    breakpoint.view = view;
    changed
}

/// Expands `{expression}` in a log message (`{{` and `}}` are literal braces).
pub(crate) fn interpolate(template: &str, mut evaluate: impl FnMut(&str) -> String) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(at) = rest.find(['{', '}']) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
        } else if let Some(stripped) = tail.strip_prefix('{') {
            match stripped.find('}') {
                Some(end) => {
                    out.push_str(&evaluate(&stripped[..end]));
                    rest = &stripped[end + 1..];
                }
                None => {
                    out.push_str(tail);
                    rest = "";
                }
            }
        } else {
            out.push('}');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

impl Engine {
    /// Patches the union of every breakpoint's locations into the VM (none under `noDebug`).
    pub(crate) fn apply_breakpoints(&mut self) {
        let Some(program) = self.program.as_mut() else {
            return;
        };
        let mut locations: Vec<CodeLocation> = if program.no_debug {
            Vec::new()
        } else {
            self.breakpoints
                .all()
                .flat_map(|breakpoint| breakpoint.locations.iter().copied())
                .collect()
        };
        locations.sort_unstable();
        locations.dedup();
        program.vm.debug_set_breakpoints(&locations);
    }

    /// Resolves every breakpoint again (a program was loaded); the views that changed.
    pub(crate) fn rebind_breakpoints(&mut self) -> Vec<Value> {
        let program = self.program.as_ref();
        let mut changed = Vec::new();
        for breakpoint in self.breakpoints.all_mut() {
            breakpoint.hits = 0;
            if resolve(breakpoint, program) {
                changed.push(to_proto::breakpoint(&breakpoint.view));
            }
        }
        self.apply_breakpoints();
        changed
    }

    /// `setBreakpoints`: replaces the breakpoints of one file.
    pub fn set_breakpoints(&mut self, request: &Request) -> Reply {
        let args: SetBreakpointsArguments = from_proto::arguments(request)?;
        let reference = args
            .source
            .source_reference
            .filter(|&reference| reference > 0);
        let path = args.source.path.clone();
        let key = match (&path, reference) {
            (Some(path), _) => path.clone(),
            (None, Some(reference)) => format!("#{reference}"),
            (None, None) => {
                return Err(crate::proto::DapError::arguments(
                    "'setBreakpoints' needs a source with a 'path' or a 'sourceReference'",
                ));
            }
        };
        let asked: Vec<from_proto::SourceBreakpointArg> = match (args.breakpoints, args.lines) {
            (Some(breakpoints), _) => breakpoints,
            (None, Some(lines)) => lines
                .into_iter()
                .map(|line| from_proto::SourceBreakpointArg {
                    line,
                    column: None,
                    condition: None,
                    hit_condition: None,
                    log_message: None,
                })
                .collect(),
            (None, None) => Vec::new(),
        };
        let mut made = Vec::with_capacity(asked.len());
        for arg in asked {
            let mut breakpoint = self.breakpoints.make(
                Kind::Line {
                    path: path.clone(),
                    reference,
                    line: arg.line,
                },
                arg.condition,
                arg.hit_condition,
                arg.log_message,
            );
            resolve(&mut breakpoint, self.program.as_ref());
            made.push(breakpoint);
        }
        let views = made
            .iter()
            .map(|breakpoint| to_proto::breakpoint(&breakpoint.view))
            .collect();
        if made.is_empty() {
            self.breakpoints.sources.remove(&key);
        } else {
            self.breakpoints.sources.insert(key, made);
        }
        self.apply_breakpoints();
        Ok(list_body("breakpoints", views))
    }

    /// `setFunctionBreakpoints`: replaces every function breakpoint.
    pub fn set_function_breakpoints(&mut self, request: &Request) -> Reply {
        let args: SetFunctionBreakpointsArguments = from_proto::arguments(request)?;
        let (made, views) = self.make_resolved(args.breakpoints.into_iter().map(|arg| {
            let kind = Kind::Function(arg.name.trim().to_string());
            (kind, arg.condition, arg.hit_condition)
        }));
        self.breakpoints.functions = made;
        self.apply_breakpoints();
        Ok(list_body("breakpoints", views))
    }

    /// `setInstructionBreakpoints`: replaces every instruction breakpoint.
    pub fn set_instruction_breakpoints(&mut self, request: &Request) -> Reply {
        let args: SetInstructionBreakpointsArguments = from_proto::arguments(request)?;
        let (made, views) = self.make_resolved(args.breakpoints.into_iter().map(|arg| {
            let kind = Kind::Instruction {
                reference: arg.instruction_reference,
                offset: arg.offset.unwrap_or(0),
            };
            (kind, arg.condition, arg.hit_condition)
        }));
        self.breakpoints.instructions = made;
        self.apply_breakpoints();
        Ok(list_body("breakpoints", views))
    }

    /// One breakpoint per `(kind, condition, hit condition)`, each resolved against the loaded
    /// program, with the views the response lists.
    fn make_resolved(
        &mut self,
        specs: impl Iterator<Item = (Kind, Option<String>, Option<String>)>,
    ) -> (Vec<Breakpoint>, Vec<Value>) {
        let made: Vec<Breakpoint> = specs
            .map(|(kind, condition, hit_condition)| {
                let mut breakpoint = self.breakpoints.make(kind, condition, hit_condition, None);
                resolve(&mut breakpoint, self.program.as_ref());
                breakpoint
            })
            .collect();
        let views = made
            .iter()
            .map(|breakpoint| to_proto::breakpoint(&breakpoint.view))
            .collect();
        (made, views)
    }

    /// `setExceptionBreakpoints`: the filters `uncaught` and `all`.
    pub fn set_exception_breakpoints(&mut self, request: &Request) -> Reply {
        let args: SetExceptionBreakpointsArguments = from_proto::arguments(request)?;
        let mut stops = ExceptionStops::default();
        let mut views = Vec::with_capacity(args.filters.len());
        for filter in &args.filters {
            match filter.as_str() {
                FILTER_UNCAUGHT => {
                    stops.uncaught = true;
                    views.push(to_proto::exception_filter(Ok(())));
                }
                FILTER_ALL => {
                    stops.all = true;
                    views.push(to_proto::exception_filter(Ok(())));
                }
                other => views.push(to_proto::exception_filter(Err(format!(
                    "unknown exception filter '{other}'"
                )))),
            }
        }
        self.exceptions = stops;
        self.apply_exception_stops();
        Ok(list_body("breakpoints", views))
    }

    /// The VM stopped thread `thread` at `location`: the ids of the breakpoints that stop there
    /// (none: the run goes on). Logpoints print here.
    pub(crate) fn breakpoint_hit(&mut self, thread: u32, location: CodeLocation) -> Vec<i64> {
        let candidates: Vec<(i64, Option<String>)> = self
            .breakpoints
            .all()
            .filter(|breakpoint| breakpoint.locations.contains(&location))
            .map(|breakpoint| (breakpoint.id, breakpoint.condition.clone()))
            .collect();
        let mut stop = Vec::new();
        for (id, condition) in candidates {
            if let Some(condition) = condition {
                match self.condition_holds(thread, &condition) {
                    Ok(true) => {}
                    Ok(false) => continue,
                    Err(problem) => {
                        self.output(
                            "important",
                            &format!(
                                "breakpoint condition '{condition}' could not be evaluated: {problem}\n"
                            ),
                        );
                        stop.push(id);
                        continue;
                    }
                }
            }
            let Some(breakpoint) = self.breakpoints.all_mut().find(|b| b.id == id) else {
                continue;
            };
            breakpoint.hits += 1;
            if breakpoint
                .hit
                .is_some_and(|hit| !hit.passes(breakpoint.hits))
            {
                continue;
            }
            match breakpoint.log.clone() {
                Some(template) => {
                    let source = breakpoint.view.source.clone();
                    let line = breakpoint.view.line;
                    let text = interpolate(&template, |expression| {
                        match self.evaluate_text(thread, expression) {
                            Ok(text) => text,
                            Err(problem) => format!("<{problem}>"),
                        }
                    });
                    let body = to_proto::output_at("console", &format!("{text}\n"), source, line);
                    self.out.send(to_proto::event("output", Some(body)));
                }
                None => stop.push(id),
            }
        }
        stop
    }
}

#[cfg(test)]
mod tests {
    use super::interpolate;

    #[test]
    fn log_messages_interpolate_expressions() {
        let upper = |expression: &str| expression.trim().to_uppercase();
        assert_eq!(interpolate("x = {x}, y = {y }", upper), "x = X, y = Y");
        assert_eq!(interpolate("{{literal}} {a}}", upper), "{literal} A}");
        assert_eq!(
            interpolate("open {never closed", upper),
            "open {never closed"
        );
        assert_eq!(interpolate("", upper), "");
        assert_eq!(interpolate("é{é}é", upper), "éÉé");
    }
}
