//! The assembler: the text [`disasm`](super::disasm) prints, turned back into a [`Module`].
//!
//! It reads the disassembler's own syntax, so a listing can be pasted back, edited and assembled.
//! Mnemonics and operand kinds come from the one description of the instruction set
//! ([`INSTRUCTIONS`]); an instruction is built by encoding its operands and decoding them with
//! [`Instr::decode`], so nothing here repeats the table.
//!
//! ```text
//! form Point { x: float, y: float }
//! pick Shape { Circle(r: float), Empty }
//!
//! constants:
//!   k0 = 40
//!   k1 = "hello\n"
//!
//! globals:
//!   g0 counter: int
//!
//! natives:
//!   n0 print(string)
//!
//! function f0 main() -> int  ; main.vit:3:1
//!   registers: r0 int, r1 string
//!   handler: 0000..0002 -> 0003, message r1
//!     ; 4 | give 40;
//!   0000  load.const r0, k0
//!   0001  ret r0
//!   0002  ret r0
//!   0003  ret r0
//! ```
//!
//! - `;` starts a comment. Three comments of the listing carry information and are read: the
//!   header's `; entry f0 (main), init f2 (<init>)` (without it the entry is the function named
//!   `main`, or the first one), a function header's `; PATH:LINE:COL` (its declaration site; the
//!   file is added to the sources, without text), and a source line `; 12 | text` or `; line 12`
//!   inside a function (a line-table entry at the next instruction, column 1, a statement start).
//! - `entry fN` and `init fN` may also be written as plain lines.
//! - An instruction is `[PC] MNEMONIC OPERANDS`: registers `r3`, constants `k0`, globals `g1`,
//!   functions `f2`, natives `n0`, jump targets `@12`, flags `true`/`false`, immediates and fields as
//!   decimal numbers. A leading PC, as the listing prints it, must be the instruction's index.
//! - Types are written as in the source (`int`, `[string]`, `Map[string, int]`, `?Point`,
//!   `Chan[int]`, `Thread`, form and pick names) and interned in the order they are met. An optional
//!   `types:` section (`t0 void`, `t1 int`, …), which the listing does not print, fixes the type
//!   table, duplicates included; `tN` then names entry N anywhere a type is expected.
//!
//! What the listing does not hold, the assembled module does not have: the type table's order
//! (unless a `types:` section gives it), line-table columns and statement flags, local variables
//! other than named parameters, and source text. Instructions, constants, globals, natives, forms,
//! picks, register types, handlers, entry and init come back exactly.
//!
//! The result is not verified: [`Vm::load_module`](crate::Vm::load_module) and
//! [`format::read`](super::format::read) verify it, as they verify every module, so the verifier's
//! tests can assemble modules it must refuse.

use std::fmt;

use super::isa::{INSTRUCTIONS, Instr, InstrInfo, OperandKind};
use super::module::{
    CaseDef, Constant, FieldDef, FormDef, Function, FunctionDebug, GlobalDef, Handler, LineEntry,
    LocalVar, Module, NativeImport, PickDef, SourceFile, Type, TypeId,
};

/// A mistake in assembler text: the 1-based line it is on and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AsmError {
    /// 1-based line number in the text.
    pub line: usize,
    /// What is wrong, in words.
    pub message: String,
}

impl fmt::Display for AsmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for AsmError {}

/// A message without its line yet; [`Assembler`] adds the line.
type Fallible<T> = Result<T, String>;

/// Assembles a whole module (see the module docs for the syntax). The module is not verified.
///
/// # Errors
/// The first mistake in the text, with its line number.
pub fn assemble(text: &str) -> Result<Module, AsmError> {
    let mut assembler = Assembler::new(text);
    for (index, line) in text.lines().enumerate() {
        assembler.line(line).map_err(|message| AsmError {
            line: index + 1,
            message,
        })?;
    }
    assembler.finish()
}

/// Assembles a function body: instruction lines only (with optional PCs, comments and blank lines).
///
/// # Errors
/// The first mistake in the text, with its line number.
pub fn assemble_code(text: &str) -> Result<Vec<Instr>, AsmError> {
    let mut code = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let fail = |message| AsmError {
            line: index + 1,
            message,
        };
        let (body, _) = split_comment(line);
        let body = body.trim();
        if !body.is_empty() {
            code.push(instruction(body, code.len()).map_err(fail)?);
        }
    }
    Ok(code)
}

/// The part of the text being read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Top,
    Types,
    Constants,
    Globals,
    Natives,
    /// Inside the last function of the module.
    Function,
}

struct Assembler {
    module: Module,
    section: Section,
    /// Form and pick names, collected before anything else so types may name them in any order.
    forms: Vec<String>,
    picks: Vec<String>,
    /// Whether a `types:` section fixed the type table.
    explicit_types: bool,
    /// Parameter names of the function being read (`None` for `rN` parameters).
    param_names: Vec<Option<String>>,
    /// The line of the function header being read, for errors found when it ends.
    header_line: usize,
    entry: Option<u32>,
    line_number: usize,
}

impl Assembler {
    fn new(text: &str) -> Self {
        let mut forms = Vec::new();
        let mut picks = Vec::new();
        for line in text.lines() {
            let (body, _) = split_comment(line);
            let body = body.trim();
            let name = |rest: &str| rest.split(['{', ' ']).next().unwrap_or("").to_owned();
            if let Some(rest) = body.strip_prefix("form ") {
                forms.push(name(rest));
            } else if let Some(rest) = body.strip_prefix("pick ") {
                picks.push(name(rest));
            }
        }
        Assembler {
            module: Module::default(),
            section: Section::Top,
            forms,
            picks,
            explicit_types: false,
            param_names: Vec::new(),
            header_line: 0,
            entry: None,
            line_number: 0,
        }
    }

    fn line(&mut self, line: &str) -> Fallible<()> {
        self.line_number += 1;
        let (body, comment) = split_comment(line);
        let body = body.trim();
        if body.is_empty() {
            return match comment {
                Some(comment) => self.comment(comment.trim()),
                None => Ok(()),
            };
        }
        match body {
            "types:" => return self.enter(Section::Types),
            "constants:" => return self.enter(Section::Constants),
            "globals:" => return self.enter(Section::Globals),
            "natives:" => return self.enter(Section::Natives),
            _ => {}
        }
        if let Some(rest) = body.strip_prefix("form ") {
            self.end_function()?;
            self.section = Section::Top;
            return self.form(rest);
        }
        if let Some(rest) = body.strip_prefix("pick ") {
            self.end_function()?;
            self.section = Section::Top;
            return self.pick(rest);
        }
        if let Some(rest) = body.strip_prefix("function ") {
            self.end_function()?;
            self.section = Section::Function;
            return self.function_header(rest, comment);
        }
        if body.starts_with("entry ") || body.starts_with("init ") {
            return self.entry_and_init(body);
        }
        match self.section {
            Section::Top => Err(format!(
                "`{body}` is outside any section (expected form, pick, types:, constants:, \
                 globals:, natives: or function)"
            )),
            Section::Types => self.type_entry(body),
            Section::Constants => self.constant(body),
            Section::Globals => self.global(body),
            Section::Natives => self.native(body),
            Section::Function => self.function_line(body),
        }
    }

    fn enter(&mut self, section: Section) -> Fallible<()> {
        self.end_function()?;
        if section == Section::Types && !self.module.types.is_empty() {
            return Err("`types:` must come before any type is used".into());
        }
        self.explicit_types |= section == Section::Types;
        self.section = section;
        Ok(())
    }

    /// A comment on a line of its own: the listing's header, or a source line inside a function.
    fn comment(&mut self, comment: &str) -> Fallible<()> {
        if comment.starts_with("entry ") {
            return self.entry_and_init(comment);
        }
        if self.section != Section::Function {
            return Ok(());
        }
        let line = if let Some(rest) = comment.strip_prefix("line ") {
            rest.trim()
        } else if let Some((number, _)) = comment.split_once('|') {
            number.trim()
        } else {
            return Ok(());
        };
        let Ok(line) = line.parse::<u32>() else {
            return Ok(());
        };
        let function = self.current_function()?;
        let pc = function.code.len() as u32;
        let entry = LineEntry {
            pc,
            line,
            col: 1,
            is_stmt: true,
        };
        match function.debug.lines.last_mut() {
            Some(last) if last.pc == pc => *last = entry,
            _ => function.debug.lines.push(entry),
        }
        Ok(())
    }

    /// `entry f1 (main), init f2 (<init>)`, or either part alone.
    fn entry_and_init(&mut self, text: &str) -> Fallible<()> {
        for part in text.split(", ") {
            let (keyword, rest) = part.split_once(' ').unwrap_or((part, ""));
            let function = rest.split_whitespace().next().unwrap_or("");
            let index = prefixed_number(function, 'f').ok_or_else(|| {
                format!("`{keyword}` needs a function such as f0, found `{rest}`")
            })?;
            match keyword {
                "entry" => self.entry = Some(index),
                "init" => self.module.init = Some(index),
                _ => return Err(format!("expected entry or init, found `{keyword}`")),
            }
        }
        Ok(())
    }

    fn type_entry(&mut self, body: &str) -> Fallible<()> {
        let (label, ty) = body
            .split_once(char::is_whitespace)
            .ok_or_else(|| format!("expected `tN TYPE`, found `{body}`"))?;
        self.expect_index(label, 't', self.module.types.len(), "type")?;
        let ty = self.type_structure(ty.trim())?;
        self.module.types.push(ty);
        Ok(())
    }

    fn constant(&mut self, body: &str) -> Fallible<()> {
        let (label, value) = body
            .split_once('=')
            .ok_or_else(|| format!("expected `kN = VALUE`, found `{body}`"))?;
        self.expect_index(label.trim(), 'k', self.module.constants.len(), "constant")?;
        let constant = constant_value(value.trim())?;
        self.module.constants.push(constant);
        Ok(())
    }

    fn global(&mut self, body: &str) -> Fallible<()> {
        let (label, rest) = body
            .split_once(char::is_whitespace)
            .ok_or_else(|| format!("expected `gN NAME: TYPE`, found `{body}`"))?;
        self.expect_index(label, 'g', self.module.globals.len(), "global")?;
        let (name, ty) = rest
            .split_once(':')
            .ok_or_else(|| format!("expected `NAME: TYPE` after {label}, found `{rest}`"))?;
        let ty = self.type_id(ty.trim())?;
        self.module.globals.push(GlobalDef {
            name: name.trim().to_owned(),
            ty,
        });
        Ok(())
    }

    fn native(&mut self, body: &str) -> Fallible<()> {
        let (label, rest) = body
            .split_once(char::is_whitespace)
            .ok_or_else(|| format!("expected `nN NAME(TYPES) -> TYPE`, found `{body}`"))?;
        self.expect_index(label, 'n', self.module.natives.len(), "native")?;
        let (name, params, ret) = self.signature(rest.trim())?;
        let params = params
            .iter()
            .map(|param| self.type_id(param))
            .collect::<Fallible<Vec<_>>>()?;
        self.module.natives.push(NativeImport {
            name: name.to_owned(),
            params,
            ret,
        });
        Ok(())
    }

    /// `NAME(A, B) -> RET` (the arrow part optional, meaning `void`): name, parameters, return type.
    fn signature<'t>(&mut self, text: &'t str) -> Fallible<(&'t str, Vec<&'t str>, TypeId)> {
        let open = text
            .find('(')
            .ok_or_else(|| format!("expected `NAME(…)`, found `{text}`"))?;
        let close = text
            .rfind(')')
            .filter(|&close| close > open)
            .ok_or_else(|| format!("unclosed `(` in `{text}`"))?;
        let name = text[..open].trim();
        if name.is_empty() {
            return Err(format!("a name is missing before `(` in `{text}`"));
        }
        let params = split_top_level(&text[open + 1..close]);
        let after = text[close + 1..].trim();
        let ret = if after.is_empty() {
            self.type_id("void")?
        } else {
            let ret = after
                .strip_prefix("->")
                .ok_or_else(|| format!("expected `-> TYPE` after `)`, found `{after}`"))?;
            self.type_id(ret.trim())?
        };
        Ok((name, params, ret))
    }

    fn form(&mut self, rest: &str) -> Fallible<()> {
        let (name, fields) = braced(rest)?;
        let fields = self.fields(fields)?;
        self.module.forms.push(FormDef { name, fields });
        Ok(())
    }

    fn pick(&mut self, rest: &str) -> Fallible<()> {
        let (name, cases_text) = braced(rest)?;
        let mut cases = Vec::new();
        for case in split_top_level(cases_text) {
            let (case_name, fields) = match case.split_once('(') {
                Some((case_name, fields)) => {
                    let fields = fields
                        .strip_suffix(')')
                        .ok_or_else(|| format!("unclosed `(` in case `{case}`"))?;
                    (case_name.trim(), self.fields(fields)?)
                }
                None => (case, Vec::new()),
            };
            cases.push(CaseDef {
                name: case_name.to_owned(),
                fields,
            });
        }
        self.module.picks.push(PickDef { name, cases });
        Ok(())
    }

    /// `x: float, y: float`.
    fn fields(&mut self, text: &str) -> Fallible<Vec<FieldDef>> {
        split_top_level(text)
            .into_iter()
            .map(|field| {
                let (name, ty) = field
                    .split_once(':')
                    .ok_or_else(|| format!("expected `NAME: TYPE`, found `{field}`"))?;
                Ok(FieldDef {
                    name: name.trim().to_owned(),
                    ty: self.type_id(ty.trim())?,
                })
            })
            .collect()
    }

    /// `f0 main(n: int) -> int`, with the header's `; PATH:LINE:COL` comment.
    fn function_header(&mut self, rest: &str, comment: Option<&str>) -> Fallible<()> {
        let (label, signature) = rest
            .split_once(char::is_whitespace)
            .ok_or_else(|| format!("expected `function fN NAME(…)`, found `function {rest}`"))?;
        self.expect_index(label, 'f', self.module.functions.len(), "function")?;
        let (name, params, ret) = self.signature(signature.trim())?;
        let mut param_names = Vec::new();
        for param in &params {
            let (param_name, _) = param
                .split_once(':')
                .ok_or_else(|| format!("expected `NAME: TYPE`, found `{param}`"))?;
            let param_name = param_name.trim();
            let is_register = prefixed_number(param_name, 'r') == Some(param_names.len() as u32);
            param_names.push((!is_register).then(|| param_name.to_owned()));
        }
        let param_count = u16::try_from(params.len()).map_err(|_| "too many parameters")?;
        let debug = match comment.and_then(|comment| declaration_site(comment.trim())) {
            Some((path, line, col)) => FunctionDebug {
                file: self.source_file(path),
                line,
                col,
                ..FunctionDebug::default()
            },
            None => FunctionDebug::default(),
        };
        self.module.functions.push(Function {
            name: name.to_owned(),
            param_count,
            ret,
            registers: Vec::new(),
            code: Vec::new(),
            handlers: Vec::new(),
            debug,
        });
        self.param_names = param_names;
        self.header_line = self.line_number;
        Ok(())
    }

    /// The index of source file `path`, added (without text) when new.
    fn source_file(&mut self, path: &str) -> u32 {
        let sources = &mut self.module.sources;
        let index = sources
            .iter()
            .position(|file| file.path == path)
            .unwrap_or_else(|| {
                sources.push(SourceFile {
                    path: path.to_owned(),
                    text: String::new(),
                });
                sources.len() - 1
            });
        index as u32
    }

    /// A line inside a function: registers, a handler or an instruction.
    fn function_line(&mut self, body: &str) -> Fallible<()> {
        if let Some(rest) = body.strip_prefix("registers:") {
            let rest = rest.trim();
            return if rest == "none" {
                Ok(())
            } else {
                self.registers(rest)
            };
        }
        if let Some(rest) = body.strip_prefix("handler:") {
            let handler = handler(rest.trim())?;
            self.current_function()?.handlers.push(handler);
            return Ok(());
        }
        let first = body.split_whitespace().next().unwrap_or("");
        if prefixed_number(first, 'r').is_some() {
            return self.registers(body);
        }
        let pc = self.current_function()?.code.len();
        let instr = instruction(body, pc)?;
        self.current_function()?.code.push(instr);
        Ok(())
    }

    /// `r0 int, r1 [string]`, numbered from the next register of the function.
    fn registers(&mut self, text: &str) -> Fallible<()> {
        for register in split_top_level(text) {
            let (label, ty) = register
                .split_once(char::is_whitespace)
                .ok_or_else(|| format!("expected `rN TYPE`, found `{register}`"))?;
            let next = self.current_function()?.registers.len();
            self.expect_index(label, 'r', next, "register")?;
            let ty = self.type_id(ty.trim())?;
            self.current_function()?.registers.push(ty);
        }
        Ok(())
    }

    fn current_function(&mut self) -> Fallible<&mut Function> {
        self.module
            .functions
            .last_mut()
            .ok_or_else(|| "no function header before this line".to_owned())
    }

    /// Completes the function being read, if any: parameter names become locals.
    fn end_function(&mut self) -> Fallible<()> {
        if self.section != Section::Function {
            return Ok(());
        }
        let names = std::mem::take(&mut self.param_names);
        let header_line = self.header_line;
        let function = self.current_function()?;
        if function.registers.len() < usize::from(function.param_count) {
            return Err(format!(
                "function `{}` (line {header_line}) has more parameters ({}) than registers ({})",
                function.name,
                function.param_count,
                function.registers.len()
            ));
        }
        let end_pc = function.code.len() as u32;
        for (register, name) in names.into_iter().enumerate() {
            if let Some(name) = name {
                function.debug.locals.push(LocalVar {
                    name,
                    register: register as u16,
                    start_pc: 0,
                    end_pc,
                });
            }
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Module, AsmError> {
        let at_end = self.line_number;
        self.end_function().map_err(|message| AsmError {
            line: at_end,
            message,
        })?;
        let functions = &self.module.functions;
        self.module.entry = self.entry.unwrap_or_else(|| {
            functions
                .iter()
                .position(|function| function.name == "main")
                .unwrap_or(0) as u32
        });
        Ok(self.module)
    }

    /// Checks that `label` is `PREFIX` followed by `expected` (tables are listed in order).
    fn expect_index(&self, label: &str, prefix: char, expected: usize, what: &str) -> Fallible<()> {
        match prefixed_number(label, prefix) {
            Some(found) if found as usize == expected => Ok(()),
            Some(found) => Err(format!(
                "{what} {prefix}{found} is out of order: the next {what} is {prefix}{expected}"
            )),
            None => Err(format!(
                "expected {what} {prefix}{expected}, found `{label}`"
            )),
        }
    }

    /// The id of the type written `text`: entry N for `tN`, else the structure interned.
    fn type_id(&mut self, text: &str) -> Fallible<TypeId> {
        if let Some(index) = prefixed_number(text, 't') {
            return if (index as usize) < self.module.types.len() {
                Ok(index)
            } else {
                Err(format!(
                    "type t{index} does not exist ({} types)",
                    self.module.types.len()
                ))
            };
        }
        let ty = self.type_structure(text)?;
        if self.explicit_types {
            return self
                .module
                .types
                .iter()
                .position(|known| *known == ty)
                .map(|index| index as TypeId)
                .ok_or_else(|| format!("type `{text}` is not in the `types:` section"));
        }
        Ok(self.module.intern_type(ty))
    }

    /// The type written `text`, its inner types interned.
    fn type_structure(&mut self, text: &str) -> Fallible<Type> {
        let text = text.trim();
        let inner = |text: &str, prefix: &str| -> Option<String> {
            Some(text.strip_prefix(prefix)?.strip_suffix(']')?.to_owned())
        };
        if let Some(inner) = text.strip_prefix('?') {
            return Ok(Type::Nullable(self.type_id(inner)?));
        }
        if let Some(arguments) = inner(text, "Map[") {
            let parts = split_top_level(&arguments);
            let [key, value] = parts.as_slice() else {
                return Err(format!("`Map[…]` takes two types, found `{text}`"));
            };
            return Ok(Type::Map(self.type_id(key)?, self.type_id(value)?));
        }
        if let Some(element) = inner(text, "Chan[") {
            return Ok(Type::Chan(self.type_id(&element)?));
        }
        if let Some(element) = inner(text, "[") {
            return Ok(Type::Array(self.type_id(&element)?));
        }
        Ok(match text {
            "void" => Type::Void,
            "int" => Type::Int,
            "float" => Type::Float,
            "bool" => Type::Bool,
            "string" => Type::Str,
            "Thread" => Type::Thread,
            name => {
                if let Some(form) = self.forms.iter().position(|form| form == name) {
                    Type::Form(form as u32)
                } else if let Some(pick) = self.picks.iter().position(|pick| pick == name) {
                    Type::Pick(pick as u32)
                } else {
                    return Err(format!("unknown type `{name}`"));
                }
            }
        })
    }
}

/// `NAME { INSIDE }` → name and inside.
fn braced(text: &str) -> Fallible<(String, &str)> {
    let (name, rest) = text
        .split_once('{')
        .ok_or_else(|| format!("expected `NAME {{ … }}`, found `{text}`"))?;
    let inside = rest
        .trim_end()
        .strip_suffix('}')
        .ok_or_else(|| format!("unclosed `{{` in `{text}`"))?;
    Ok((name.trim().to_owned(), inside))
}

/// `0003..0010 -> 0012, message r4`.
fn handler(text: &str) -> Fallible<Handler> {
    let bad = || format!("expected `START..END -> TARGET, message rN`, found `{text}`");
    let (range, rest) = text.split_once("->").ok_or_else(bad)?;
    let (start, end) = range.split_once("..").ok_or_else(bad)?;
    let (target, message) = rest.split_once(',').ok_or_else(bad)?;
    let message = message
        .trim()
        .strip_prefix("message")
        .map(str::trim)
        .ok_or_else(bad)?;
    let number = |text: &str| text.trim().parse::<u32>().map_err(|_| bad());
    Ok(Handler {
        start_pc: number(start)?,
        end_pc: number(end)?,
        target_pc: number(target)?,
        message_register: prefixed_number(message, 'r')
            .and_then(|register| u16::try_from(register).ok())
            .ok_or_else(bad)?,
    })
}

/// `PATH:LINE:COL` → its parts.
fn declaration_site(text: &str) -> Option<(&str, u32, u32)> {
    let (rest, col) = text.rsplit_once(':')?;
    let (path, line) = rest.rsplit_once(':')?;
    Some((path, line.parse().ok()?, col.parse().ok()?))
}

/// One instruction line, `[PC] MNEMONIC OPERANDS`, expected at index `pc`.
fn instruction(text: &str, pc: usize) -> Fallible<Instr> {
    let mut rest = text.trim();
    let first = rest.split_whitespace().next().unwrap_or("");
    if first.bytes().all(|byte| byte.is_ascii_digit()) {
        let written: usize = first
            .parse()
            .map_err(|_| format!("instruction index `{first}` is too large"))?;
        if written != pc {
            return Err(format!(
                "this is instruction {pc}, but the line says {first}"
            ));
        }
        rest = rest[first.len()..].trim_start();
    }
    let (mnemonic, operands) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let info = INSTRUCTIONS
        .iter()
        .find(|info| info.mnemonic == mnemonic)
        .ok_or_else(|| format!("unknown instruction `{mnemonic}`"))?;
    let operands: Vec<&str> = if operands.trim().is_empty() {
        Vec::new()
    } else {
        operands.split(',').map(str::trim).collect()
    };
    if operands.len() != info.operands.len() {
        return Err(format!(
            "`{mnemonic}` takes {} operand{} ({}), found {}",
            info.operands.len(),
            if info.operands.len() == 1 { "" } else { "s" },
            operand_names(info),
            operands.len()
        ));
    }
    let mut bytes = vec![info.opcode];
    for (&(name, kind), text) in info.operands.iter().zip(operands) {
        encode_operand(kind, text, &mut bytes)
            .map_err(|problem| format!("operand `{name}` of `{mnemonic}`: {problem}"))?;
    }
    let mut position = 0;
    Instr::decode(&bytes, &mut position).map_err(|error| format!("`{mnemonic}`: {error}"))
}

fn operand_names(info: &InstrInfo) -> String {
    let names: Vec<&str> = info.operands.iter().map(|&(name, _)| name).collect();
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

/// Appends operand `text` of kind `kind`, encoded as the instruction set encodes it.
fn encode_operand(kind: OperandKind, text: &str, out: &mut Vec<u8>) -> Fallible<()> {
    let prefix = match kind {
        kind if kind.is_register() => Some('r'),
        OperandKind::Const => Some('k'),
        OperandKind::Global => Some('g'),
        OperandKind::Func => Some('f'),
        OperandKind::Native => Some('n'),
        OperandKind::Target => Some('@'),
        _ => None,
    };
    match kind.size() {
        1 => match text {
            "true" => out.push(1),
            "false" => out.push(0),
            _ => return Err(format!("expected true or false, found `{text}`")),
        },
        2 => {
            let digits = match prefix {
                Some(prefix) => text
                    .strip_prefix(prefix)
                    .ok_or_else(|| format!("expected {prefix}N, found `{text}`"))?,
                None => text,
            };
            let value: u16 = digits
                .parse()
                .map_err(|_| format!("expected a number from 0 to 65535 in `{text}`"))?;
            out.extend_from_slice(&value.to_le_bytes());
        }
        _ => match prefix {
            Some(prefix) => {
                let value: u32 = text
                    .strip_prefix(prefix)
                    .and_then(|digits| digits.parse().ok())
                    .ok_or_else(|| format!("expected {prefix}N, found `{text}`"))?;
                out.extend_from_slice(&value.to_le_bytes());
            }
            None => {
                let value: i32 = text
                    .parse()
                    .map_err(|_| format!("expected a 32-bit signed number, found `{text}`"))?;
                out.extend_from_slice(&value.to_le_bytes());
            }
        },
    }
    Ok(())
}

/// `k3`-style labels: the number after `prefix`.
fn prefixed_number(text: &str, prefix: char) -> Option<u32> {
    let digits = text.strip_prefix(prefix)?;
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// A constant as [`disasm::constant_text`](super::disasm::constant_text) prints it.
fn constant_value(text: &str) -> Fallible<Constant> {
    if text.starts_with('"') {
        return string_literal(text).map(Constant::Str);
    }
    if let Ok(value) = text.parse::<i64>() {
        return Ok(Constant::Int(value));
    }
    text.parse::<f64>()
        .map(Constant::Float)
        .map_err(|_| format!("expected an int, a float or a string, found `{text}`"))
}

/// A string as Rust's `{:?}` writes it, quotes included.
fn string_literal(text: &str) -> Fallible<String> {
    let inside = text
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .filter(|_| text.len() >= 2)
        .ok_or_else(|| format!("unterminated string {text}"))?;
    let mut out = String::new();
    let mut chars = inside.chars();
    while let Some(c) = chars.next() {
        if c == '"' {
            return Err(format!("unescaped `\"` inside the string {text}"));
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        let escaped = match chars.next() {
            Some('n') => '\n',
            Some('r') => '\r',
            Some('t') => '\t',
            Some('0') => '\0',
            Some(c @ ('\\' | '"' | '\'')) => c,
            Some('u') => {
                let rest = chars.as_str();
                let code = rest
                    .strip_prefix('{')
                    .and_then(|rest| rest.split_once('}'))
                    .and_then(|(hex, _)| u32::from_str_radix(hex, 16).ok())
                    .and_then(char::from_u32)
                    .ok_or_else(|| format!("bad `\\u{{…}}` escape in {text}"))?;
                let skip = rest.find('}').map_or(0, |close| close + 1);
                chars = rest[skip..].chars();
                code
            }
            other => {
                return Err(format!(
                    "unknown escape `\\{}` in {text}",
                    other.map(String::from).unwrap_or_default()
                ));
            }
        };
        out.push(escaped);
    }
    Ok(out)
}

/// Splits `line` at its first `;` outside a string literal: the text before, and the comment after.
fn split_comment(line: &str) -> (&str, Option<&str>) {
    let mut in_string = false;
    let mut escaped = false;
    for (index, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            ';' if !in_string => return (&line[..index], Some(&line[index + 1..])),
            _ => {}
        }
    }
    (line, None)
}

/// Splits at the commas that are not inside brackets or parentheses, trimming each part; an empty
/// text has no parts.
fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (index, c) in text.char_indices() {
        match c {
            '[' | '(' => depth += 1,
            ']' | ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(text[start..index].trim());
                start = index + 1;
            }
            _ => {}
        }
    }
    let last = text[start..].trim();
    if !last.is_empty() || !parts.is_empty() {
        parts.push(last);
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bytecode::disasm::{constant_text, disassemble};

    #[test]
    fn every_instruction_of_the_table_assembles_from_its_listing() {
        for info in INSTRUCTIONS {
            let operands: Vec<String> = info
                .operands
                .iter()
                .enumerate()
                .map(|(index, &(_, kind))| match kind {
                    OperandKind::Flag => "true".to_owned(),
                    OperandKind::Imm => format!("-{index}"),
                    kind if kind.is_register() => format!("r{index}"),
                    OperandKind::Const => format!("k{index}"),
                    OperandKind::Global => format!("g{index}"),
                    OperandKind::Func => format!("f{index}"),
                    OperandKind::Native => format!("n{index}"),
                    OperandKind::Target => format!("@{index}"),
                    _ => index.to_string(),
                })
                .collect();
            let text = format!("{} {}", info.mnemonic, operands.join(", "));
            let instr = instruction(&text, 0).unwrap_or_else(|error| panic!("{text}: {error}"));
            assert_eq!(instr.opcode(), info.opcode);
            assert_eq!(instr.to_string(), text.trim_end());
        }
    }

    #[test]
    fn constants_read_back_what_the_listing_prints() {
        let constants = [
            Constant::Int(i64::MIN),
            Constant::Int(40),
            Constant::Float(-0.0),
            Constant::Float(2.5),
            Constant::Float(1e300),
            Constant::Float(f64::INFINITY),
            Constant::Float(f64::NEG_INFINITY),
            Constant::Str("hello \"world\"\n\t\\ ; 'quoted' \u{1F600}\u{0}\u{301}\u{7f}".into()),
            Constant::Str(String::new()),
        ];
        for constant in constants {
            let text = constant_text(&constant);
            assert_eq!(constant_value(&text), Ok(constant), "{text}");
        }
        let Ok(Constant::Float(nan)) = constant_value(&constant_text(&Constant::Float(f64::NAN)))
        else {
            panic!("NaN is a float");
        };
        assert!(nan.is_nan());
    }

    #[test]
    fn a_listing_assembles_to_the_same_listing() {
        let text = "\
; module: 2 functions, 9 types, 2 constants, 1 globals, 1 natives
; entry f1 (main), init f0 (<init>)

form Point { x: float, y: Shape }
pick Shape { Circle(r: float), Empty }

constants:
  k0 = 40
  k1 = \"a; b\"

globals:
  g0 counter: Map[string, [int]]

natives:
  n0 print(string)

function f0 <init>()  ; main.vit:1:1
  registers: none
  0000  ret.void

function f1 main(n: int, r1: ?Point) -> int  ; main.vit:3:1
  registers: r0 int, r1 ?Point, r2 string
  handler: 0000..0002 -> 0003, message r2
    ; 4 | give 40;
  0000  load.const r0, k0             ; 40
  0001  jump @3                       ; -> 0003
  0002  ret r0
    ; line 5
  0003  ret r0
";
        let module = assemble(text).unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(module.entry, 1);
        assert_eq!(module.init, Some(0));
        let main = &module.functions[1];
        assert_eq!(main.param_count, 2);
        assert_eq!(main.debug.locals.len(), 1, "only the named parameter");
        assert_eq!(main.debug.lines.len(), 2);
        assert_eq!(main.debug.lines[1].pc, 3);
        assert_eq!(main.debug.lines[1].line, 5);
        assert_eq!(module.constants[1], Constant::Str("a; b".into()));
        let listing = disassemble(&module);
        let again = assemble(&listing).unwrap_or_else(|error| panic!("{error}\n{listing}"));
        assert_eq!(disassemble(&again), listing);
        assert_eq!(again, module);
    }

    #[test]
    fn a_types_section_fixes_the_type_table() {
        let module = assemble(
            "types:\n  t0 int\n  t1 [int]\n  t2 [t0]\n  t3 void\n\
             function f0 main()\n  registers: r0 t2, r1 [int]\n  ret.void\n",
        )
        .unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(
            module.types,
            [Type::Int, Type::Array(0), Type::Array(0), Type::Void]
        );
        assert_eq!(module.functions[0].registers, [2, 1]);
        assert_eq!(module.functions[0].ret, 3);
    }

    #[test]
    fn mistakes_are_reported_with_their_line() {
        let cases = [
            (
                "function f0 main()\n  0000  add.x r0",
                2,
                "unknown instruction `add.x`",
            ),
            (
                "function f0 main()\n  add.i r0, r1",
                2,
                "`add.i` takes 3 operands (dst, a, b), found 2",
            ),
            (
                "function f0 main()\n  load.bool r0, yes",
                2,
                "operand `value` of `load.bool`: expected true or false, found `yes`",
            ),
            (
                "function f0 main()\n  ret.void\n  0003  ret.void",
                3,
                "this is instruction 1, but the line says 0003",
            ),
            (
                "function f0 main()\n  load.int r0, 99999999999",
                2,
                "operand `value` of `load.int`: expected a 32-bit signed number, found `99999999999`",
            ),
            (
                "function f0 main()\n  move r70000, r1",
                2,
                "operand `dst` of `move`: expected a number from 0 to 65535 in `r70000`",
            ),
            (
                "constants:\n  k1 = 3",
                2,
                "constant k1 is out of order: the next constant is k0",
            ),
            ("globals:\n  g0 x: Point", 2, "unknown type `Point`"),
            ("constants:\n  k0 = \"open", 2, "unterminated string \"open"),
            (
                "ret.void",
                1,
                "`ret.void` is outside any section (expected form, pick, types:, constants:, globals:, natives: or function)",
            ),
            (
                "function f0 f(a: int) -> int\n  ret r0\nfunction f1 main()\n",
                3,
                "function `f` (line 1) has more parameters (1) than registers (0)",
            ),
        ];
        for (text, line, message) in cases {
            let error = assemble(text).expect_err(text);
            assert_eq!(
                error,
                AsmError {
                    line,
                    message: message.into()
                },
                "{text}"
            );
        }
        assert_eq!(
            assemble_code("nop\n\njump @9 ; far").map(|code| code.len()),
            Ok(2)
        );
        assert_eq!(
            assemble_code("nop\nbogus").unwrap_err().to_string(),
            "line 2: unknown instruction `bogus`"
        );
    }
}
