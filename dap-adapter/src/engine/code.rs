//! The program's code as the client sees it: its sources (`loadedSources`, `source`), the lines
//! that can hold a breakpoint (`breakpointLocations`) and its instructions (`disassemble`).
//!
//! Code addresses are numbers, `(FUNC + 1) << 32 | PC` in hexadecimal (function index, instruction
//! index); a `disassemble` request's `offset` and `instructionOffset` both count instructions
//! within that function, and
//! the answer always has `instructionCount` entries: positions before the first or after the last
//! instruction are padded with empty entries marked `invalid`. Instructions are shown as the
//! compiler made them (the module keeps the original code; breakpoints patch a copy).

use vitte_vm::debug::CodeLocation;
use vitte_vm::debug::lines::lines_with_code;

use super::Engine;
use crate::proto::from_proto::{
    self, BreakpointLocationsArguments, DisassembleArguments, SourceArguments,
};
use crate::proto::to_proto;
use crate::proto::{DapError, Reply, Request, list_body};

/// The most instructions one `disassemble` request may ask for.
const MAX_INSTRUCTIONS: i64 = 100_000;

impl Engine {
    /// `loadedSources`: every source file of the program.
    pub fn loaded_sources(&mut self, _request: &Request) -> Reply {
        let sources = self.program.as_ref().map_or_else(Vec::new, |program| {
            program
                .sources
                .iter()
                .map(|view| to_proto::source(&view.path, view.reference))
                .collect()
        });
        Ok(list_body("sources", sources))
    }

    /// `source`: the text of a source file, as compiled.
    pub fn source(&mut self, request: &Request) -> Reply {
        let args: SourceArguments = from_proto::arguments(request)?;
        let program = self.program.as_ref().ok_or_else(DapError::not_launched)?;
        let module = program.vm.module().ok_or_else(DapError::not_launched)?;
        let (path, reference) = match &args.source {
            Some(source) => (
                source.path.as_deref(),
                source
                    .source_reference
                    .filter(|&reference| reference > 0)
                    .or(Some(args.source_reference)),
            ),
            None => (None, Some(args.source_reference)),
        };
        let index = program
            .source_index(None, reference)
            .or_else(|| program.source_index(path, None))
            .ok_or_else(|| DapError::stale("there is no such source in the program"))?;
        let text = module
            .sources
            .get(index as usize)
            .map(|source| source.text.clone())
            .ok_or_else(|| DapError::stale("there is no such source in the program"))?;
        Ok(to_proto::source_content(&text))
    }

    /// `breakpointLocations`: the lines of a range that start a statement.
    pub fn breakpoint_locations(&mut self, request: &Request) -> Reply {
        let args: BreakpointLocationsArguments = from_proto::arguments(request)?;
        let Some(program) = self.program.as_ref() else {
            return Ok(list_body("breakpoints", Vec::new()));
        };
        let Some(module) = program.vm.module() else {
            return Ok(list_body("breakpoints", Vec::new()));
        };
        let Some(index) =
            program.source_index(args.source.path.as_deref(), args.source.source_reference)
        else {
            return Ok(list_body("breakpoints", Vec::new()));
        };
        let first = u32::try_from(args.line.max(1)).unwrap_or(u32::MAX);
        let last = args
            .end_line
            .map_or(first, |end| u32::try_from(end.max(0)).unwrap_or(u32::MAX));
        let lines = lines_with_code(module, index, first, last)
            .into_iter()
            .map(to_proto::breakpoint_location)
            .collect();
        Ok(list_body("breakpoints", lines))
    }

    /// `disassemble`: instructions around a code address.
    pub fn disassemble(&mut self, request: &Request) -> Reply {
        let args: DisassembleArguments = from_proto::arguments(request)?;
        let program = self.program.as_ref().ok_or_else(DapError::not_launched)?;
        let module = program.vm.module().ok_or_else(DapError::not_launched)?;
        let base = from_proto::code_address(&args.memory_reference).ok_or_else(|| {
            DapError::arguments(format!("'{}' is not a code address", args.memory_reference))
        })?;
        let function = module.functions.get(base.func as usize).ok_or_else(|| {
            DapError::stale(format!("there is no function {} in the program", base.func))
        })?;
        if !(0..=MAX_INSTRUCTIONS).contains(&args.instruction_count) {
            return Err(DapError::arguments(format!(
                "instructionCount must be between 0 and {MAX_INSTRUCTIONS}"
            )));
        }
        let first = i64::from(base.pc)
            .saturating_add(args.offset.unwrap_or(0))
            .saturating_add(args.instruction_offset.unwrap_or(0));
        let source = program.source_json(function.debug.file);
        let mut instructions = Vec::new();
        for k in 0..args.instruction_count {
            let index = first.saturating_add(k);
            let instruction = usize::try_from(index)
                .ok()
                .and_then(|index| function.code.get(index));
            let Some(instruction) = instruction else {
                instructions.push(to_proto::invalid_instruction(base.func, index));
                continue;
            };
            let location = CodeLocation {
                func: base.func,
                pc: u32::try_from(index).unwrap_or(0),
            };
            let line = module
                .location(location.func, location.pc)
                .map(|(_, line, column)| (line, column));
            instructions.push(to_proto::instruction(
                location,
                &instruction.to_string(),
                &function.name,
                source.clone(),
                line,
            ));
        }
        Ok(list_body("instructions", instructions))
    }
}
