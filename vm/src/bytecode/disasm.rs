//! The disassembler: a readable listing of a module, and the type names every other part of the
//! VM and tools print.
//!
//! [`disassemble`] lists the module's forms, picks, constants, globals and natives, then every
//! function: a header (index, name, parameters, return type, declaration site), its register types,
//! its exception handlers (`handler: 0003..0010 -> 0012, message r4`, innermost first), and its
//! instructions, one per line as `  0007  add.i r1, r2, r3`, with the source line shown
//! each time the line table moves to a new line and operands annotated (`call f3, r4, r5  ; fib`,
//! `load.const r0, k2  ; "hello"`, `jump @12  ; -> 0012`).
//!
//! Both functions accept any module, verified or not: out-of-range indices print as `<type 9>`,
//! `<function 9>`, … instead of panicking.

use std::fmt::Write as _;

use super::isa::{Instr, OperandKind};
use super::module::{Constant, FieldDef, Function, Module, Type, TypeId};

/// Deeper type nesting than this prints as `…` (a verified module nests far less).
const MAX_NAME_DEPTH: usize = 64;

/// A type name grows no longer than about this many bytes: past it, the rest prints as `…`. Depth
/// alone does not bound the work, since a map has two components: a type that contains itself twice
/// (`t0 = Map[t0, t0]`, which the verifier refuses, naming it) would otherwise print 2^64 times.
const MAX_NAME_LEN: usize = 256;

/// String constants longer than this many characters are shortened in operand annotations.
const MAX_ANNOTATION_CHARS: usize = 40;

/// Register types listed per line of a function header.
const REGISTERS_PER_LINE: usize = 8;

/// Column at which operand annotations start.
const ANNOTATION_COLUMN: usize = 32;

/// The source-level name of type `id`: `int`, `[string]`, `Map[string, int]`, `?Point`,
/// `Chan[int]`, the declared name of a form or pick, `<type N>` for an id outside the table.
pub fn type_name(module: &Module, id: TypeId) -> String {
    let mut out = String::new();
    push_type_name(module, id, 0, &mut out);
    out
}

fn push_type_name(module: &Module, id: TypeId, depth: usize, out: &mut String) {
    if out.len() >= MAX_NAME_LEN {
        // Every call that goes on pushes at least one byte, so few calls end up here.
        if !out.ends_with('…') {
            out.push('…');
        }
        return;
    }
    if depth > MAX_NAME_DEPTH {
        out.push('…');
        return;
    }
    let Some(ty) = module.ty(id) else {
        let _ = write!(out, "<type {id}>");
        return;
    };
    match *ty {
        Type::Void => out.push_str("void"),
        Type::Int => out.push_str("int"),
        Type::Float => out.push_str("float"),
        Type::Bool => out.push_str("bool"),
        Type::Str => out.push_str("string"),
        Type::Thread => out.push_str("Thread"),
        Type::Array(element) => {
            out.push('[');
            push_type_name(module, element, depth + 1, out);
            out.push(']');
        }
        Type::Map(key, value) => {
            out.push_str("Map[");
            push_type_name(module, key, depth + 1, out);
            out.push_str(", ");
            push_type_name(module, value, depth + 1, out);
            out.push(']');
        }
        Type::Nullable(inner) => {
            out.push('?');
            push_type_name(module, inner, depth + 1, out);
        }
        Type::Form(form) => match module.forms.get(form as usize) {
            Some(def) => out.push_str(&def.name),
            None => {
                let _ = write!(out, "<form {form}>");
            }
        },
        Type::Pick(pick) => match module.picks.get(pick as usize) {
            Some(def) => out.push_str(&def.name),
            None => {
                let _ = write!(out, "<pick {pick}>");
            }
        },
        Type::Chan(element) => {
            out.push_str("Chan[");
            push_type_name(module, element, depth + 1, out);
            out.push(']');
        }
    }
}

/// A constant as source text: `42`, `3.5`, `"hello\n"`.
pub fn constant_text(constant: &Constant) -> String {
    match constant {
        Constant::Int(value) => value.to_string(),
        Constant::Float(value) => format!("{value:?}"),
        Constant::Str(text) => format!("{text:?}"),
    }
}

/// The whole module as text (see the module docs for the layout).
pub fn disassemble(module: &Module) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "; module: {} functions, {} types, {} constants, {} globals, {} natives",
        module.functions.len(),
        module.types.len(),
        module.constants.len(),
        module.globals.len(),
        module.natives.len()
    );
    let _ = write!(out, "; entry {}", function_ref(module, module.entry));
    if let Some(init) = module.init {
        let _ = write!(out, ", init {}", function_ref(module, init));
    }
    out.push('\n');

    if !module.forms.is_empty() || !module.picks.is_empty() {
        out.push('\n');
    }
    for form in &module.forms {
        let _ = writeln!(
            out,
            "form {} {{ {} }}",
            form.name,
            fields_text(module, &form.fields)
        );
    }
    for pick in &module.picks {
        let cases: Vec<String> = pick
            .cases
            .iter()
            .map(|case| {
                if case.fields.is_empty() {
                    case.name.clone()
                } else {
                    format!("{}({})", case.name, fields_text(module, &case.fields))
                }
            })
            .collect();
        let _ = writeln!(out, "pick {} {{ {} }}", pick.name, cases.join(", "));
    }
    if !module.constants.is_empty() {
        out.push_str("\nconstants:\n");
        for (index, constant) in module.constants.iter().enumerate() {
            let _ = writeln!(out, "  k{index} = {}", constant_text(constant));
        }
    }
    if !module.globals.is_empty() {
        out.push_str("\nglobals:\n");
        for (index, global) in module.globals.iter().enumerate() {
            let _ = writeln!(
                out,
                "  g{index} {}: {}",
                global.name,
                type_name(module, global.ty)
            );
        }
    }
    if !module.natives.is_empty() {
        out.push_str("\nnatives:\n");
        for (index, native) in module.natives.iter().enumerate() {
            let params: Vec<String> = native
                .params
                .iter()
                .map(|&param| type_name(module, param))
                .collect();
            let _ = write!(out, "  n{index} {}({})", native.name, params.join(", "));
            if !matches!(module.ty(native.ret), Some(Type::Void)) {
                let _ = write!(out, " -> {}", type_name(module, native.ret));
            }
            out.push('\n');
        }
    }

    let sources = SourceLines::new(module);
    for index in 0..module.functions.len() {
        out.push('\n');
        write_function(module, &sources, index, &mut out);
    }
    out
}

/// One function's listing (header, registers, instructions), or `None` when there is no such
/// function.
pub fn disassemble_function(module: &Module, func: u32) -> Option<String> {
    module.functions.get(func as usize)?;
    let mut out = String::new();
    write_function(module, &SourceLines::new(module), func as usize, &mut out);
    Some(out)
}

fn fields_text(module: &Module, fields: &[FieldDef]) -> String {
    let fields: Vec<String> = fields
        .iter()
        .map(|field| format!("{}: {}", field.name, type_name(module, field.ty)))
        .collect();
    fields.join(", ")
}

fn function_ref(module: &Module, func: u32) -> String {
    match module.functions.get(func as usize) {
        Some(function) => format!("f{func} ({})", function.name),
        None => format!("f{func} (<function {func}>)"),
    }
}

/// The lines of every source file, split once.
struct SourceLines<'m> {
    files: Vec<Vec<&'m str>>,
}

impl<'m> SourceLines<'m> {
    fn new(module: &'m Module) -> Self {
        SourceLines {
            files: module
                .sources
                .iter()
                .map(|file| file.text.lines().collect())
                .collect(),
        }
    }

    /// The text of 1-based `line` of file `file`, trimmed.
    fn line(&self, file: u32, line: u32) -> Option<&'m str> {
        let index = usize::try_from(line).ok()?.checked_sub(1)?;
        Some(self.files.get(file as usize)?.get(index)?.trim())
    }
}

fn write_function(module: &Module, sources: &SourceLines<'_>, index: usize, out: &mut String) {
    let Some(function) = module.functions.get(index) else {
        return;
    };
    let params: Vec<String> = (0..function.param_count)
        .map(|register| {
            let name = local_name(function, register).unwrap_or_default();
            let ty = register_type_name(module, function, register);
            if name.is_empty() {
                format!("r{register}: {ty}")
            } else {
                format!("{name}: {ty}")
            }
        })
        .collect();
    let _ = write!(
        out,
        "function f{index} {}({})",
        function.name,
        params.join(", ")
    );
    if !matches!(module.ty(function.ret), Some(Type::Void)) {
        let _ = write!(out, " -> {}", type_name(module, function.ret));
    }
    let debug = &function.debug;
    if let Some(file) = module.sources.get(debug.file as usize) {
        let _ = write!(out, "  ; {}:{}:{}", file.path, debug.line, debug.col);
    }
    out.push('\n');

    let registers: Vec<String> = function
        .registers
        .iter()
        .enumerate()
        .map(|(register, &ty)| format!("r{register} {}", type_name(module, ty)))
        .collect();
    if registers.is_empty() {
        out.push_str("  registers: none\n");
    }
    for (row, chunk) in registers.chunks(REGISTERS_PER_LINE).enumerate() {
        let label = if row == 0 { "registers:" } else { "          " };
        let _ = writeln!(out, "  {label} {}", chunk.join(", "));
    }
    for handler in &function.handlers {
        let _ = writeln!(
            out,
            "  handler: {:04}..{:04} -> {:04}, message r{}",
            handler.start_pc, handler.end_pc, handler.target_pc, handler.message_register
        );
    }

    let mut next_line_entry = 0;
    let mut current_line = None;
    for (pc, instr) in function.code.iter().enumerate() {
        let mut entry = None;
        while let Some(candidate) = debug.lines.get(next_line_entry) {
            if candidate.pc as usize > pc {
                break;
            }
            entry = Some(candidate);
            next_line_entry += 1;
        }
        if let Some(entry) = entry
            && current_line != Some(entry.line)
        {
            current_line = Some(entry.line);
            match sources.line(debug.file, entry.line) {
                Some("") => {
                    let _ = writeln!(out, "    ; {} |", entry.line);
                }
                Some(text) => {
                    let _ = writeln!(out, "    ; {} | {text}", entry.line);
                }
                None => {
                    let _ = writeln!(out, "    ; line {}", entry.line);
                }
            }
        }
        let text = format!("  {pc:04}  {instr}");
        let notes = annotations(module, instr);
        if notes.is_empty() {
            let _ = writeln!(out, "{text}");
        } else {
            let _ = writeln!(
                out,
                "{text:<width$}  ; {}",
                notes.join(", "),
                width = ANNOTATION_COLUMN
            );
        }
    }
}

/// The name of the local living in `register` from the function's start, if any.
fn local_name(function: &Function, register: u16) -> Option<String> {
    function
        .debug
        .locals
        .iter()
        .find(|local| local.register == register && local.start_pc == 0)
        .map(|local| local.name.clone())
}

fn register_type_name(module: &Module, function: &Function, register: u16) -> String {
    match function.registers.get(usize::from(register)) {
        Some(&ty) => type_name(module, ty),
        None => "<missing register>".to_owned(),
    }
}

/// What each operand refers to: callee names, constant values, global names, jump targets.
fn annotations(module: &Module, instr: &Instr) -> Vec<String> {
    let mut notes = Vec::new();
    for operand in instr.operands() {
        let index = usize::try_from(operand.value).unwrap_or(usize::MAX);
        let note = match operand.kind {
            OperandKind::Func => Some(
                module
                    .functions
                    .get(index)
                    .map_or_else(|| "<no such function>".to_owned(), |f| f.name.clone()),
            ),
            OperandKind::Native => Some(
                module
                    .natives
                    .get(index)
                    .map_or_else(|| "<no such native>".to_owned(), |n| n.name.clone()),
            ),
            OperandKind::Global => Some(
                module
                    .globals
                    .get(index)
                    .map_or_else(|| "<no such global>".to_owned(), |g| g.name.clone()),
            ),
            OperandKind::Const => Some(
                module
                    .constants
                    .get(index)
                    .map_or_else(|| "<no such constant>".to_owned(), short_constant),
            ),
            OperandKind::Target => Some(format!("-> {:04}", operand.value)),
            _ => None,
        };
        notes.extend(note);
    }
    notes
}

fn short_constant(constant: &Constant) -> String {
    match constant {
        Constant::Str(text) if text.chars().count() > MAX_ANNOTATION_CHARS => {
            let prefix: String = text.chars().take(MAX_ANNOTATION_CHARS).collect();
            format!("{prefix:?}…")
        }
        other => constant_text(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_follow_the_source_syntax() {
        let mut module = Module::default();
        module.forms.push(super::super::module::FormDef {
            name: "Point".into(),
            fields: vec![],
        });
        let int = module.intern_type(Type::Int);
        let string = module.intern_type(Type::Str);
        let strings = module.intern_type(Type::Array(string));
        let map = module.intern_type(Type::Map(string, int));
        let point = module.intern_type(Type::Form(0));
        let maybe_point = module.intern_type(Type::Nullable(point));
        let chan = module.intern_type(Type::Chan(int));
        assert_eq!(type_name(&module, int), "int");
        assert_eq!(type_name(&module, strings), "[string]");
        assert_eq!(type_name(&module, map), "Map[string, int]");
        assert_eq!(type_name(&module, maybe_point), "?Point");
        assert_eq!(type_name(&module, chan), "Chan[int]");
        assert_eq!(type_name(&module, 99), "<type 99>");
        let pick = module.intern_type(Type::Pick(4));
        assert_eq!(type_name(&module, pick), "<pick 4>");
    }

    #[test]
    fn cyclic_types_print_without_looping() {
        let module = Module {
            types: vec![Type::Array(0)],
            ..Module::default()
        };
        let name = type_name(&module, 0);
        assert!(
            name.starts_with("[[[") && name.contains('…') && name.ends_with("]]]"),
            "{name}"
        );
    }

    #[test]
    fn a_type_that_contains_itself_twice_prints_in_bounded_time_and_length() {
        // Found by the `vitbc_load` fuzz target: the verifier names the cyclic type in its error, and
        // a map of itself to itself printed 2^64 components.
        let module = Module {
            types: vec![Type::Map(1, 1), Type::Map(0, 0)],
            ..Module::default()
        };
        for id in [0, 1] {
            let name = type_name(&module, id);
            assert!(name.starts_with("Map[Map[Map["), "{name}");
            assert!(name.contains('…'), "{name}");
            // The budget, then at most the closing brackets and separators of the open components.
            let bound = MAX_NAME_LEN + 8 * MAX_NAME_DEPTH;
            assert!(name.len() <= bound, "{} bytes", name.len());
        }
    }

    #[test]
    fn long_strings_are_shortened_in_annotations() {
        let text = "é".repeat(100);
        let short = short_constant(&Constant::Str(text));
        assert_eq!(short, format!("{:?}…", "é".repeat(MAX_ANNOTATION_CHARS)));
        assert_eq!(short_constant(&Constant::Float(1.0)), "1.0");
    }
}
