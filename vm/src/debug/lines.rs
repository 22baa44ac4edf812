//! Source lines and code locations: where a breakpoint on a line lands, which lines can hold one,
//! where a function starts, and the location of an instruction.

use crate::bytecode::Module;

/// An instruction of the module, with its place in the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CodeLocation {
    /// Function index.
    pub func: u32,
    /// Instruction index in the function.
    pub pc: u32,
}

/// Where a breakpoint asked for on a line goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineResolution {
    /// The line it lands on: the requested one when it starts a statement, else the next one that
    /// does (in the same function when the requested line is inside one).
    pub line: u32,
    /// Every statement start on that line (a loop header has one per visit kind; a line can hold
    /// statements of several functions).
    pub locations: Vec<CodeLocation>,
}

/// Statement starts of the functions declared in source `source`: `(line, location)`.
fn statement_starts(
    module: &Module,
    source: u32,
) -> impl Iterator<Item = (u32, CodeLocation)> + '_ {
    module
        .functions
        .iter()
        .enumerate()
        .filter(move |(_, function)| function.debug.file == source)
        .flat_map(|(func, function)| {
            function
                .debug
                .lines
                .iter()
                .filter(|entry| entry.is_stmt)
                .map(move |entry| {
                    (
                        entry.line,
                        CodeLocation {
                            func: func as u32,
                            pc: entry.pc,
                        },
                    )
                })
        })
}

/// Where a breakpoint on line `line` of source `source` lands: that line when a statement starts on
/// it, else the nearest following line that starts one. `None` when no statement starts on or after
/// the line.
pub fn resolve_line(module: &Module, source: u32, line: u32) -> Option<LineResolution> {
    let target = statement_starts(module, source)
        .map(|(start, _)| start)
        .filter(|&start| start >= line)
        .min()?;
    let mut locations: Vec<CodeLocation> = statement_starts(module, source)
        .filter(|&(start, _)| start == target)
        .map(|(_, location)| location)
        .collect();
    locations.sort();
    locations.dedup();
    Some(LineResolution {
        line: target,
        locations,
    })
}

/// The lines of source `source` within `first..=last` on which a statement starts, ascending.
pub fn lines_with_code(module: &Module, source: u32, first: u32, last: u32) -> Vec<u32> {
    let mut lines: Vec<u32> = statement_starts(module, source)
        .map(|(line, _)| line)
        .filter(|line| (first..=last).contains(line))
        .collect();
    lines.sort_unstable();
    lines.dedup();
    lines
}

/// The first statement of the function named `name` (`main`, `util.helper`).
pub fn function_entry(module: &Module, name: &str) -> Option<CodeLocation> {
    let func = module.functions.iter().position(|f| f.name == name)?;
    let function = &module.functions[func];
    let pc = function
        .debug
        .lines
        .iter()
        .find(|entry| entry.is_stmt)
        .map_or(0, |entry| entry.pc);
    Some(CodeLocation {
        func: func as u32,
        pc,
    })
}

/// True when instruction `pc` of function `func` starts a statement.
pub fn is_statement_start(module: &Module, func: u32, pc: u32) -> bool {
    module.functions.get(func as usize).is_some_and(|function| {
        let lines = &function.debug.lines;
        let index = lines.partition_point(|entry| entry.pc < pc);
        lines
            .get(index)
            .is_some_and(|entry| entry.pc == pc && entry.is_stmt)
    })
}

/// The source index of the file whose path is `path` (compared as given, then by file name when
/// exactly one source has that name).
pub fn source_index(module: &Module, path: &str) -> Option<u32> {
    if let Some(index) = module.sources.iter().position(|s| s.path == path) {
        return Some(index as u32);
    }
    let name = std::path::Path::new(path).file_name()?;
    let mut matching = module
        .sources
        .iter()
        .enumerate()
        .filter(|(_, s)| std::path::Path::new(&s.path).file_name() == Some(name));
    let (index, _) = matching.next()?;
    matching.next().is_none().then_some(index as u32)
}
