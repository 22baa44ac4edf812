//! The verifier: decides whether a [`Module`] may run.
//!
//! Architecture invariant: a module that passes [`verify`] can be run by the interpreter with no
//! possibility of a panic or of an out-of-range read: every register, constant, global, function,
//! native, field and case index is in range, every jump lands on an instruction, execution cannot
//! run off the end of a function, and every register holds the type its instructions expect.
//!
//! Checks, in order: the type table (ids in range, no cycles, bounded nesting, `?T` only around a
//! reference type, map keys `int`, `string` or `bool`, no `void` components), forms and picks,
//! globals, natives, every function's signature and registers, the entry and init functions, then
//! every instruction (generic operand checks from [`Instr::operands`], then one exhaustive `match`
//! over [`Instr`] with the typing rule of each instruction), the exception handlers (range within
//! the code, target on an instruction, a `string` message register) and the debug information.
//!
//! Type equality is structural and ignores nullability: `?T` and `T` have the same representation,
//! so they are interchangeable for the verifier, and the interpreter checks for null wherever it
//! dereferences. Types are compared in constant time through canonical class numbers computed once.
//!
//! The work is linear in the size of the module, except that the register spans of calls and of
//! `array.new`, `form.new` and `pick.new` are compared element by element (each distinct span once
//! per function).

use std::collections::{HashMap, HashSet};
use std::fmt;

use super::disasm::type_name;
use super::isa::{Instr, OperandKind, Reg};
use super::module::{Constant, FieldDef, Function, Module, Type, TypeId, ValueKind};

/// The most registers a function may have (register numbers are `u16`).
pub const MAX_REGISTERS: usize = 65535;

/// The deepest a type may nest (`[[[int]]]` has depth 4).
pub const MAX_TYPE_DEPTH: usize = 64;

/// What a [`VerifyError`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Location {
    /// An entry of [`Module::types`].
    Type(u32),
    /// An entry of [`Module::forms`].
    Form(u32),
    /// An entry of [`Module::picks`].
    Pick(u32),
    /// An entry of [`Module::constants`].
    Constant(u32),
    /// An entry of [`Module::globals`].
    Global(u32),
    /// An entry of [`Module::natives`].
    Native(u32),
    /// A function's signature or register list.
    Function(u32),
    /// One instruction.
    Instr {
        /// Function index.
        func: u32,
        /// Instruction index.
        pc: u32,
    },
    /// One exception handler of a function.
    Handler {
        /// Function index.
        func: u32,
        /// Index in [`Function::handlers`].
        index: u32,
    },
    /// A function's debug record (declaration site).
    FunctionDebug(u32),
    /// One row of a function's line table.
    LineEntry {
        /// Function index.
        func: u32,
        /// Row index.
        index: u32,
    },
    /// One local variable of a function's debug information.
    Local {
        /// Function index.
        func: u32,
        /// Index in [`FunctionDebug::locals`](super::module::FunctionDebug::locals).
        index: u32,
    },
    /// [`Module::entry`].
    Entry,
    /// [`Module::init`].
    Init,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Location::Type(index) => write!(f, "type {index}"),
            Location::Form(index) => write!(f, "form {index}"),
            Location::Pick(index) => write!(f, "pick {index}"),
            Location::Constant(index) => write!(f, "constant {index}"),
            Location::Global(index) => write!(f, "global {index}"),
            Location::Native(index) => write!(f, "native {index}"),
            Location::Function(func) => write!(f, "function {func}"),
            Location::Instr { func, pc } => write!(f, "function {func}, pc {pc}"),
            Location::Handler { func, index } => write!(f, "handler {index} of function {func}"),
            Location::FunctionDebug(func) => write!(f, "debug information of function {func}"),
            Location::LineEntry { func, index } => {
                write!(f, "line table entry {index} of function {func}")
            }
            Location::Local { func, index } => write!(f, "local {index} of function {func}"),
            Location::Entry => f.write_str("entry function"),
            Location::Init => f.write_str("init function"),
        }
    }
}

/// Why a module was refused: where, and what is wrong.
///
/// `message` is complete on its own: it starts with the location in words (with the function's
/// name and the instruction's text where there is one), e.g.
/// `function 2 (fib), pc 7 (add.i r1, r2, r9): register r9 is out of range (the function has 4 registers)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyError {
    /// The offending table entry or instruction.
    pub location: Location,
    /// What is wrong, prefixed by where.
    pub message: String,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for VerifyError {}

/// Checks that `module` is safe to run (see the module docs for what that covers).
///
/// # Errors
/// The first problem found, with its [`Location`].
pub fn verify(module: &Module) -> Result<(), VerifyError> {
    let types = TypeClasses::build(module)?;
    let verifier = Verifier { module, types };
    verifier.check_forms_and_picks()?;
    verifier.check_globals_and_natives()?;
    for (index, function) in module.functions.iter().enumerate() {
        verifier.check_signature(index as u32, function)?;
    }
    verifier.check_entry_and_init()?;
    for (index, function) in module.functions.iter().enumerate() {
        verifier.check_code(index as u32, function)?;
        verifier.check_handlers(index as u32, function)?;
        verifier.check_debug(index as u32, function)?;
    }
    Ok(())
}

/// An error at `location`, its message prefixed by the location in words.
fn error(module: &Module, location: Location, message: impl fmt::Display) -> VerifyError {
    VerifyError {
        location,
        message: format!("{}: {message}", describe(module, location)),
    }
}

/// `location` in words, with the names of the things it points into.
fn describe(module: &Module, location: Location) -> String {
    fn named<T>(table: &[T], index: u32, name: impl Fn(&T) -> &str) -> String {
        table
            .get(index as usize)
            .map_or_else(String::new, |item| format!(" ({})", name(item)))
    }
    let function = |func: u32| {
        format!(
            "function {func}{}",
            named(&module.functions, func, |f| &f.name)
        )
    };
    match location {
        Location::Type(_) | Location::Entry | Location::Init => location.to_string(),
        Location::Form(index) => format!("{location}{}", named(&module.forms, index, |f| &f.name)),
        Location::Pick(index) => format!("{location}{}", named(&module.picks, index, |p| &p.name)),
        Location::Constant(_) => location.to_string(),
        Location::Global(index) => {
            format!("{location}{}", named(&module.globals, index, |g| &g.name))
        }
        Location::Native(index) => {
            format!("{location}{}", named(&module.natives, index, |n| &n.name))
        }
        Location::Function(func) => function(func),
        Location::Instr { func, pc } => {
            let instr = module
                .functions
                .get(func as usize)
                .and_then(|f| f.code.get(pc as usize))
                .map_or_else(String::new, |instr| format!(" ({instr})"));
            format!("{}, pc {pc}{instr}", function(func))
        }
        Location::Handler { func, index } => format!("{}, handler {index}", function(func)),
        Location::FunctionDebug(func) => format!("{}, debug information", function(func)),
        Location::LineEntry { func, index } => {
            format!("{}, line table entry {index}", function(func))
        }
        Location::Local { func, index } => format!("{}, local {index}", function(func)),
    }
}

/// The type ids a type refers to.
fn components(ty: &Type) -> ([TypeId; 2], usize) {
    match *ty {
        Type::Array(element) | Type::Nullable(element) | Type::Chan(element) => ([element, 0], 1),
        Type::Map(key, value) => ([key, value], 2),
        Type::Void
        | Type::Int
        | Type::Float
        | Type::Bool
        | Type::Str
        | Type::Form(_)
        | Type::Pick(_)
        | Type::Thread => ([0, 0], 0),
    }
}

/// A type up to nullability, with its components replaced by their classes.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum ClassKey {
    Void,
    Int,
    Float,
    Bool,
    Str,
    Thread,
    Array(u32),
    Map(u32, u32),
    Form(u32),
    Pick(u32),
    Chan(u32),
}

/// The checked type table: for every type id, its canonical class (equal classes mean the same
/// type up to nullability) and the id of the type with its `?` wrappers removed.
struct TypeClasses {
    class: Vec<u32>,
    bare: Vec<TypeId>,
}

impl TypeClasses {
    fn build(module: &Module) -> Result<Self, VerifyError> {
        let types = &module.types;
        let count = types.len();
        let type_error =
            |index: usize, message: String| error(module, Location::Type(index as u32), message);

        // Every reference in range.
        for (index, ty) in types.iter().enumerate() {
            let (ids, len) = components(ty);
            for &id in ids.iter().take(len) {
                if id as usize >= count {
                    return Err(type_error(
                        index,
                        format!("refers to type {id}, but the table has {count} types"),
                    ));
                }
            }
            match *ty {
                Type::Form(form) if form as usize >= module.forms.len() => {
                    return Err(type_error(
                        index,
                        format!("form {form} does not exist ({} forms)", module.forms.len()),
                    ));
                }
                Type::Pick(pick) if pick as usize >= module.picks.len() => {
                    return Err(type_error(
                        index,
                        format!("pick {pick} does not exist ({} picks)", module.picks.len()),
                    ));
                }
                _ => {}
            }
        }

        // No cycles, bounded depth; `order` lists every type after its components.
        const NEW: u8 = 0;
        const ACTIVE: u8 = 1;
        const DONE: u8 = 2;
        let mut state = vec![NEW; count];
        let mut depth = vec![0usize; count];
        let mut order = Vec::with_capacity(count);
        for root in 0..count {
            if state[root] != NEW {
                continue;
            }
            state[root] = ACTIVE;
            let mut stack = vec![(root, 0usize)];
            while let Some(&(node, next)) = stack.last() {
                let (ids, len) = components(&types[node]);
                if next < len {
                    if let Some(top) = stack.last_mut() {
                        top.1 += 1;
                    }
                    let child = ids[next] as usize;
                    match state[child] {
                        NEW => {
                            state[child] = ACTIVE;
                            stack.push((child, 0));
                        }
                        ACTIVE => {
                            return Err(type_error(
                                node,
                                format!("type {} contains itself", type_name(module, node as u32)),
                            ));
                        }
                        _ => {}
                    }
                } else {
                    let below = ids.iter().take(len).map(|&id| depth[id as usize]).max();
                    depth[node] = 1 + below.unwrap_or(0);
                    if depth[node] > MAX_TYPE_DEPTH {
                        return Err(type_error(
                            node,
                            format!("type nests deeper than {MAX_TYPE_DEPTH} levels"),
                        ));
                    }
                    state[node] = DONE;
                    order.push(node);
                    stack.pop();
                }
            }
        }

        // Component rules.
        for (index, ty) in types.iter().enumerate() {
            let name = || type_name(module, index as u32);
            match *ty {
                Type::Array(element) | Type::Chan(element)
                    if types[element as usize] == Type::Void =>
                {
                    return Err(type_error(index, format!("{} has void elements", name())));
                }
                Type::Map(key, value) => {
                    if !matches!(types[key as usize], Type::Int | Type::Str | Type::Bool) {
                        return Err(type_error(
                            index,
                            format!(
                                "{}: map keys must be int, string or bool, not {}",
                                name(),
                                type_name(module, key)
                            ),
                        ));
                    }
                    if types[value as usize] == Type::Void {
                        return Err(type_error(index, format!("{} has void values", name())));
                    }
                }
                Type::Nullable(inner) if types[inner as usize].kind() != ValueKind::Ref => {
                    return Err(type_error(
                        index,
                        format!(
                            "{}: only reference types can be nullable, not {}",
                            name(),
                            type_name(module, inner)
                        ),
                    ));
                }
                _ => {}
            }
        }

        // Canonical classes, components first.
        let mut class = vec![0u32; count];
        let mut bare: Vec<TypeId> = (0..count as u32).collect();
        let mut classes: HashMap<ClassKey, u32> = HashMap::new();
        for node in order {
            let key = match types[node] {
                Type::Nullable(inner) => {
                    class[node] = class[inner as usize];
                    bare[node] = bare[inner as usize];
                    continue;
                }
                Type::Void => ClassKey::Void,
                Type::Int => ClassKey::Int,
                Type::Float => ClassKey::Float,
                Type::Bool => ClassKey::Bool,
                Type::Str => ClassKey::Str,
                Type::Thread => ClassKey::Thread,
                Type::Array(element) => ClassKey::Array(class[element as usize]),
                Type::Map(key, value) => ClassKey::Map(class[key as usize], class[value as usize]),
                Type::Form(form) => ClassKey::Form(form),
                Type::Pick(pick) => ClassKey::Pick(pick),
                Type::Chan(element) => ClassKey::Chan(class[element as usize]),
            };
            let next = classes.len() as u32;
            class[node] = *classes.entry(key).or_insert(next);
        }
        Ok(TypeClasses { class, bare })
    }
}

struct Verifier<'m> {
    module: &'m Module,
    types: TypeClasses,
}

impl<'m> Verifier<'m> {
    fn name(&self, id: TypeId) -> String {
        type_name(self.module, id)
    }

    fn error(&self, location: Location, message: impl fmt::Display) -> VerifyError {
        error(self.module, location, message)
    }

    /// The type with `?` removed; `None` for an id outside the table.
    fn bare(&self, id: TypeId) -> Option<&'m Type> {
        let bare = *self.types.bare.get(id as usize)?;
        self.module.ty(bare)
    }

    fn same(&self, a: TypeId, b: TypeId) -> bool {
        match (
            self.types.class.get(a as usize),
            self.types.class.get(b as usize),
        ) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        }
    }

    fn is_void(&self, id: TypeId) -> bool {
        matches!(self.module.ty(id), Some(Type::Void))
    }

    /// An error unless `id` is in the type table (and, with `allow_void` false, not `void`).
    fn check_type(
        &self,
        location: Location,
        what: impl fmt::Display,
        id: TypeId,
        allow_void: bool,
    ) -> Result<(), VerifyError> {
        let count = self.module.types.len();
        if id as usize >= count {
            return Err(self.error(
                location,
                format!("{what} is type {id}, but the table has {count} types"),
            ));
        }
        if !allow_void && self.is_void(id) {
            return Err(self.error(location, format!("{what} is void")));
        }
        Ok(())
    }

    fn check_fields(
        &self,
        location: Location,
        owner: &str,
        fields: &[FieldDef],
    ) -> Result<(), VerifyError> {
        for (index, field) in fields.iter().enumerate() {
            let what = format!("the type of {owner}field {index} ({})", field.name);
            self.check_type(location, what, field.ty, false)?;
        }
        Ok(())
    }

    fn check_forms_and_picks(&self) -> Result<(), VerifyError> {
        for (index, form) in self.module.forms.iter().enumerate() {
            self.check_fields(Location::Form(index as u32), "", &form.fields)?;
        }
        for (index, pick) in self.module.picks.iter().enumerate() {
            for (case_index, case) in pick.cases.iter().enumerate() {
                let owner = format!("case {case_index} ({}) ", case.name);
                self.check_fields(Location::Pick(index as u32), &owner, &case.fields)?;
            }
        }
        Ok(())
    }

    fn check_globals_and_natives(&self) -> Result<(), VerifyError> {
        for (index, global) in self.module.globals.iter().enumerate() {
            self.check_type(Location::Global(index as u32), "its type", global.ty, false)?;
        }
        for (index, native) in self.module.natives.iter().enumerate() {
            let location = Location::Native(index as u32);
            for (param, &ty) in native.params.iter().enumerate() {
                self.check_type(location, format_args!("parameter {param}"), ty, false)?;
            }
            self.check_type(location, "the return type", native.ret, true)?;
        }
        Ok(())
    }

    fn check_signature(&self, index: u32, function: &Function) -> Result<(), VerifyError> {
        let location = Location::Function(index);
        let registers = function.registers.len();
        if registers > MAX_REGISTERS {
            return Err(self.error(
                location,
                format!("{registers} registers (at most {MAX_REGISTERS})"),
            ));
        }
        if usize::from(function.param_count) > registers {
            return Err(self.error(
                location,
                format!(
                    "{} parameters but only {registers} registers",
                    function.param_count
                ),
            ));
        }
        self.check_type(location, "the return type", function.ret, true)?;
        for (register, &ty) in function.registers.iter().enumerate() {
            self.check_type(
                location,
                format_args!("the type of register r{register}"),
                ty,
                false,
            )?;
        }
        Ok(())
    }

    fn check_entry_and_init(&self) -> Result<(), VerifyError> {
        let module = self.module;
        let count = module.functions.len();
        let Some(entry) = module.functions.get(module.entry as usize) else {
            return Err(self.error(
                Location::Entry,
                format!(
                    "function {} does not exist ({count} functions)",
                    module.entry
                ),
            ));
        };
        if entry.param_count != 0 {
            return Err(self.error(
                Location::Entry,
                format!(
                    "{} must take no parameters (takes {})",
                    entry.name, entry.param_count
                ),
            ));
        }
        if !matches!(module.ty(entry.ret), Some(Type::Void | Type::Int)) {
            return Err(self.error(
                Location::Entry,
                format!(
                    "{} must return void or int, not {}",
                    entry.name,
                    self.name(entry.ret)
                ),
            ));
        }
        if let Some(init) = module.init {
            let Some(function) = module.functions.get(init as usize) else {
                return Err(self.error(
                    Location::Init,
                    format!("function {init} does not exist ({count} functions)"),
                ));
            };
            if function.param_count != 0 || !self.is_void(function.ret) {
                return Err(self.error(
                    Location::Init,
                    format!("{} must take no parameters and return void", function.name),
                ));
            }
        }
        Ok(())
    }

    fn check_code(&self, index: u32, function: &'m Function) -> Result<(), VerifyError> {
        let Some(last) = function.code.last() else {
            return Err(self.error(Location::Function(index), "no code"));
        };
        let mut checker = InstrChecker {
            verifier: self,
            function,
            func: index,
            pc: 0,
            instr: *last,
            spans_checked: HashSet::new(),
        };
        for (pc, instr) in function.code.iter().enumerate() {
            checker.pc = pc as u32;
            checker.instr = *instr;
            checker.check()?;
        }
        if !matches!(
            last,
            Instr::Jump { .. } | Instr::Ret { .. } | Instr::RetVoid {} | Instr::Throw { .. }
        ) {
            checker.pc = (function.code.len() - 1) as u32;
            checker.instr = *last;
            return Err(checker.fail(
                "the last instruction must be jump, ret, ret.void or throw, \
                 so that execution cannot run off the end",
            ));
        }
        Ok(())
    }

    /// Exception handlers: `start_pc <= end_pc <= code length`, `target_pc` on an instruction, and
    /// a message register in range whose type is `string`.
    fn check_handlers(&self, index: u32, function: &Function) -> Result<(), VerifyError> {
        let code_len = function.code.len();
        let registers = function.registers.len();
        for (row, handler) in function.handlers.iter().enumerate() {
            let location = Location::Handler {
                func: index,
                index: row as u32,
            };
            if handler.start_pc > handler.end_pc || handler.end_pc as usize > code_len {
                return Err(self.error(
                    location,
                    format!(
                        "covers pcs {}..{}, not within the code ({code_len} instructions)",
                        handler.start_pc, handler.end_pc
                    ),
                ));
            }
            if handler.target_pc as usize >= code_len {
                return Err(self.error(
                    location,
                    format!(
                        "target pc {} is outside the code ({code_len} instructions)",
                        handler.target_pc
                    ),
                ));
            }
            let register = handler.message_register;
            let Some(&ty) = function.registers.get(usize::from(register)) else {
                return Err(self.error(
                    location,
                    format!("message register r{register} is out of range ({registers} registers)"),
                ));
            };
            let ty = match self.module.ty(ty) {
                Some(Type::Nullable(inner)) => self.module.ty(*inner),
                other => other,
            };
            if ty != Some(&Type::Str) {
                return Err(self.error(
                    location,
                    format!("message register r{register} is not a string register"),
                ));
            }
        }
        Ok(())
    }

    fn check_debug(&self, index: u32, function: &Function) -> Result<(), VerifyError> {
        let debug = &function.debug;
        let sources = self.module.sources.len();
        if sources > 0 && debug.file as usize >= sources {
            return Err(self.error(
                Location::FunctionDebug(index),
                format!(
                    "source file {} does not exist ({sources} files)",
                    debug.file
                ),
            ));
        }
        let code_len = function.code.len();
        let mut previous = 0;
        for (row, entry) in debug.lines.iter().enumerate() {
            let location = Location::LineEntry {
                func: index,
                index: row as u32,
            };
            if entry.pc as usize >= code_len {
                return Err(self.error(
                    location,
                    format!(
                        "pc {} is outside the code ({code_len} instructions)",
                        entry.pc
                    ),
                ));
            }
            if entry.pc < previous {
                return Err(self.error(
                    location,
                    format!(
                        "pc {} comes after pc {previous}; the line table must be sorted by pc",
                        entry.pc
                    ),
                ));
            }
            previous = entry.pc;
        }
        let registers = function.registers.len();
        for (row, local) in debug.locals.iter().enumerate() {
            let location = Location::Local {
                func: index,
                index: row as u32,
            };
            if usize::from(local.register) >= registers {
                return Err(self.error(
                    location,
                    format!(
                        "{} is in register r{}, out of range ({registers} registers)",
                        local.name, local.register
                    ),
                ));
            }
            if local.start_pc > local.end_pc || local.end_pc as usize > code_len {
                return Err(self.error(
                    location,
                    format!(
                        "{} is live over pcs {}..{}, not within the code ({code_len} instructions)",
                        local.name, local.start_pc, local.end_pc
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// Checks one instruction at a time of one function.
struct InstrChecker<'v, 'm> {
    verifier: &'v Verifier<'m>,
    function: &'m Function,
    func: u32,
    pc: u32,
    instr: Instr,
    /// Register spans already compared (calls, `array.new`, `form.new`, `pick.new`).
    spans_checked: HashSet<(u8, u32, u32, u32)>,
}

impl<'v, 'm> InstrChecker<'v, 'm> {
    fn fail(&self, message: impl fmt::Display) -> VerifyError {
        self.verifier.error(
            Location::Instr {
                func: self.func,
                pc: self.pc,
            },
            message,
        )
    }

    fn module(&self) -> &'m Module {
        self.verifier.module
    }

    fn name(&self, id: TypeId) -> String {
        self.verifier.name(id)
    }

    /// The type of register `register`, which must exist.
    fn reg(&self, register: Reg) -> Result<TypeId, VerifyError> {
        match self.function.registers.get(usize::from(register)) {
            Some(&ty) => Ok(ty),
            None => Err(self.fail(format!(
                "register r{register} is out of range (the function has {} registers)",
                self.function.registers.len()
            ))),
        }
    }

    /// An error unless register `register` has type `want` (up to nullability).
    fn expect(&self, register: Reg, want: TypeId, what: &str) -> Result<(), VerifyError> {
        let have = self.reg(register)?;
        if self.verifier.same(have, want) {
            Ok(())
        } else {
            Err(self.fail(format!(
                "r{register} has type {} but {what} has type {}",
                self.name(have),
                self.name(want)
            )))
        }
    }

    /// An error unless register `register` holds a reference.
    fn expect_ref(&self, register: Reg) -> Result<(), VerifyError> {
        let ty = self.reg(register)?;
        match self.module().ty(ty) {
            Some(ty) if ty.kind() == ValueKind::Ref => Ok(()),
            _ => Err(self.fail(format!(
                "r{register} must have a reference type, not {}",
                self.name(ty)
            ))),
        }
    }

    /// The element type of array register `register`.
    fn array_element(&self, register: Reg) -> Result<TypeId, VerifyError> {
        let ty = self.reg(register)?;
        match self.verifier.bare(ty) {
            Some(&Type::Array(element)) => Ok(element),
            _ => Err(self.fail(format!(
                "r{register} must be an array, not {}",
                self.name(ty)
            ))),
        }
    }

    /// An error unless register `register` has type `Thread` (or `?Thread`).
    fn thread_reg(&self, register: Reg) -> Result<(), VerifyError> {
        let ty = self.reg(register)?;
        match self.verifier.bare(ty) {
            Some(Type::Thread) => Ok(()),
            _ => Err(self.fail(format!(
                "r{register} must be a thread, not {}",
                self.name(ty)
            ))),
        }
    }

    /// The element type of channel register `register`.
    fn chan_element(&self, register: Reg) -> Result<TypeId, VerifyError> {
        let ty = self.reg(register)?;
        match self.verifier.bare(ty) {
            Some(&Type::Chan(element)) => Ok(element),
            _ => Err(self.fail(format!(
                "r{register} must be a channel, not {}",
                self.name(ty)
            ))),
        }
    }

    /// The key and value types of map register `register`.
    fn map_types(&self, register: Reg) -> Result<(TypeId, TypeId), VerifyError> {
        let ty = self.reg(register)?;
        match self.verifier.bare(ty) {
            Some(&Type::Map(key, value)) => Ok((key, value)),
            _ => Err(self.fail(format!("r{register} must be a map, not {}", self.name(ty)))),
        }
    }

    /// The form held by register `register`.
    fn form(&self, register: Reg) -> Result<&'m [FieldDef], VerifyError> {
        let ty = self.reg(register)?;
        match self.verifier.bare(ty) {
            Some(&Type::Form(form)) => match self.module().forms.get(form as usize) {
                Some(def) => Ok(&def.fields),
                None => Err(self.fail(format!("form {form} does not exist"))),
            },
            _ => Err(self.fail(format!("r{register} must be a form, not {}", self.name(ty)))),
        }
    }

    /// The payload fields of case `case` of the pick held by register `register`.
    fn pick_case(&self, register: Reg, case: u16) -> Result<(u32, &'m [FieldDef]), VerifyError> {
        let ty = self.reg(register)?;
        let pick = match self.verifier.bare(ty) {
            Some(&Type::Pick(pick)) => pick,
            _ => {
                return Err(self.fail(format!("r{register} must be a pick, not {}", self.name(ty))));
            }
        };
        let Some(def) = self.module().picks.get(pick as usize) else {
            return Err(self.fail(format!("pick {pick} does not exist")));
        };
        match def.cases.get(usize::from(case)) {
            Some(case_def) => Ok((pick, &case_def.fields)),
            None => Err(self.fail(format!(
                "{} has no case {case} ({} cases)",
                def.name,
                def.cases.len()
            ))),
        }
    }

    /// The field `field` of `fields`, which belong to `owner`.
    fn field<'f>(
        &self,
        fields: &'f [FieldDef],
        field: u16,
        owner: &str,
    ) -> Result<&'f FieldDef, VerifyError> {
        fields.get(usize::from(field)).ok_or_else(|| {
            self.fail(format!(
                "{owner} has no field {field} ({} fields)",
                fields.len()
            ))
        })
    }

    /// An error unless registers `first..first + want.len()` exist and have the types `want`.
    /// `key` names the comparison so that a span already checked in this function is skipped.
    /// Checks that `functions[func]` exists and that the registers from `args` hold its parameters
    /// (the rule shared by `call` and `spawn`); gives the callee.
    fn call_arguments(&mut self, func: u32, args: Reg) -> Result<&'m Function, VerifyError> {
        let module = self.module();
        let Some(callee) = module.functions.get(func as usize) else {
            return Err(self.fail(format!("function f{func} does not exist")));
        };
        let params = callee
            .registers
            .get(..usize::from(callee.param_count))
            .ok_or_else(|| {
                self.fail(format!(
                    "{} has fewer registers than parameters",
                    callee.name
                ))
            })?;
        let what = |index: usize| match index < params.len() {
            true => format!("parameter {index} of {}", callee.name),
            false => format!("the {index} parameters of {}", callee.name),
        };
        self.expect_span((0, func, 0), args, params, &what)?;
        Ok(callee)
    }

    fn expect_span(
        &mut self,
        key: (u8, u32, u32),
        first: Reg,
        want: &[TypeId],
        what: &dyn Fn(usize) -> String,
    ) -> Result<(), VerifyError> {
        let registers = self.function.registers.len();
        let end = usize::from(first) + want.len();
        if end > registers {
            return Err(self.fail(format!(
                "registers r{first}..r{end} for {} run past the {registers} registers of the function",
                what(want.len())
            )));
        }
        if !self
            .spans_checked
            .insert((key.0, key.1, key.2, u32::from(first)))
        {
            return Ok(());
        }
        for (offset, &ty) in want.iter().enumerate() {
            let register = usize::from(first) + offset;
            let have = self
                .function
                .registers
                .get(register)
                .copied()
                .unwrap_or(u32::MAX);
            if !self.verifier.same(have, ty) {
                return Err(self.fail(format!(
                    "r{register} has type {} but {} has type {}",
                    self.name(have),
                    what(offset),
                    self.name(ty)
                )));
            }
        }
        Ok(())
    }

    fn check(&mut self) -> Result<(), VerifyError> {
        self.check_fixed_operands()?;
        self.check_rule()
    }

    /// The checks that follow from operand kinds alone: fixed-type registers and table indices.
    fn check_fixed_operands(&self) -> Result<(), VerifyError> {
        let module = self.module();
        for operand in self.instr.operands() {
            let value = usize::try_from(operand.value).unwrap_or(usize::MAX);
            let (table, len, prefix) = match operand.kind {
                OperandKind::RegI => {
                    self.expect_fixed(operand.value, operand.name, &Type::Int)?;
                    continue;
                }
                OperandKind::RegF => {
                    self.expect_fixed(operand.value, operand.name, &Type::Float)?;
                    continue;
                }
                OperandKind::RegB => {
                    self.expect_fixed(operand.value, operand.name, &Type::Bool)?;
                    continue;
                }
                OperandKind::RegS => {
                    self.expect_fixed(operand.value, operand.name, &Type::Str)?;
                    continue;
                }
                OperandKind::Const => ("constants", module.constants.len(), "constant k"),
                OperandKind::Global => ("globals", module.globals.len(), "global g"),
                OperandKind::Func => ("functions", module.functions.len(), "function f"),
                OperandKind::Native => ("natives", module.natives.len(), "native n"),
                OperandKind::Target => {
                    if value >= self.function.code.len() {
                        return Err(self.fail(format!(
                            "jump target @{} is outside the code ({} instructions)",
                            operand.value,
                            self.function.code.len()
                        )));
                    }
                    continue;
                }
                OperandKind::Reg | OperandKind::Imm | OperandKind::Field | OperandKind::Flag => {
                    continue;
                }
            };
            if value >= len {
                return Err(self.fail(format!(
                    "{prefix}{} does not exist ({len} {table})",
                    operand.value
                )));
            }
        }
        Ok(())
    }

    fn expect_fixed(&self, value: i64, name: &str, want: &Type) -> Result<(), VerifyError> {
        let register = Reg::try_from(value).unwrap_or(Reg::MAX);
        let ty = self.reg(register)?;
        if self.verifier.bare(ty) == Some(want) {
            return Ok(());
        }
        let want = match want {
            Type::Int => "int",
            Type::Float => "float",
            Type::Bool => "bool",
            _ => "string",
        };
        Err(self.fail(format!(
            "operand {name} (r{register}) must be {want}, not {}",
            self.name(ty)
        )))
    }

    /// The typing rule of each instruction for its `Reg` operands and its field and case indices.
    fn check_rule(&mut self) -> Result<(), VerifyError> {
        let module = self.module();
        let function = self.function;
        match self.instr {
            // Only fixed-type operands and indices: checked generically.
            Instr::Nop {}
            | Instr::LoadInt { .. }
            | Instr::LoadBool { .. }
            | Instr::AddI { .. }
            | Instr::SubI { .. }
            | Instr::MulI { .. }
            | Instr::DivI { .. }
            | Instr::RemI { .. }
            | Instr::NegI { .. }
            | Instr::AddIImm { .. }
            | Instr::MulIImm { .. }
            | Instr::DivIImm { .. }
            | Instr::RemIImm { .. }
            | Instr::AddF { .. }
            | Instr::SubF { .. }
            | Instr::MulF { .. }
            | Instr::DivF { .. }
            | Instr::RemF { .. }
            | Instr::NegF { .. }
            | Instr::EqI { .. }
            | Instr::NeI { .. }
            | Instr::LtI { .. }
            | Instr::LeI { .. }
            | Instr::EqF { .. }
            | Instr::NeF { .. }
            | Instr::LtF { .. }
            | Instr::LeF { .. }
            | Instr::EqB { .. }
            | Instr::NeB { .. }
            | Instr::EqS { .. }
            | Instr::NeS { .. }
            | Instr::LtS { .. }
            | Instr::LeS { .. }
            | Instr::Not { .. }
            | Instr::Jump { .. }
            | Instr::JumpIf { .. }
            | Instr::JumpIfNot { .. }
            | Instr::JumpIfNotLtI { .. }
            | Instr::JumpIfNotLeI { .. }
            | Instr::JumpIfNotEqI { .. }
            | Instr::JumpIfNotNeI { .. }
            | Instr::JumpIfNotEqIImm { .. }
            | Instr::JumpIfNotNeIImm { .. }
            | Instr::JumpIfNotLtIImm { .. }
            | Instr::JumpIfNotLeIImm { .. }
            | Instr::JumpIfNotGtIImm { .. }
            | Instr::JumpIfNotGeIImm { .. }
            | Instr::ForNext { .. }
            | Instr::Throw { .. }
            | Instr::IntToFloat { .. }
            | Instr::FloatToInt { .. }
            | Instr::ParseInt { .. }
            | Instr::ParseFloat { .. }
            | Instr::IntToStr { .. }
            | Instr::FloatToStr { .. }
            | Instr::BoolToStr { .. }
            | Instr::Concat { .. }
            | Instr::StrLen { .. }
            | Instr::ConcatAppend { .. } => Ok(()),

            Instr::Move { dst, src } => {
                let want = self.reg(dst)?;
                self.expect(src, want, &format!("the destination r{dst}"))
            }
            Instr::LoadConst { dst, index } => {
                let ty = self.reg(dst)?;
                let (want, what) = match module.constants.get(index as usize) {
                    Some(Constant::Int(_)) => (Type::Int, "an int"),
                    Some(Constant::Float(_)) => (Type::Float, "a float"),
                    Some(Constant::Str(_)) => (Type::Str, "a string"),
                    None => return Err(self.fail(format!("constant k{index} does not exist"))),
                };
                if self.verifier.bare(ty) == Some(&want) {
                    Ok(())
                } else {
                    Err(self.fail(format!(
                        "constant k{index} is {what} but r{dst} has type {}",
                        self.name(ty)
                    )))
                }
            }
            Instr::LoadNull { dst } => self.expect_ref(dst),
            Instr::GetGlobal { dst, global } | Instr::SetGlobal { global, src: dst } => {
                let Some(def) = module.globals.get(global as usize) else {
                    return Err(self.fail(format!("global g{global} does not exist")));
                };
                self.expect(dst, def.ty, &format!("global {}", def.name))
            }
            Instr::EqRef { a, b, .. } | Instr::NeRef { a, b, .. } => {
                self.expect_ref(a)?;
                self.expect_ref(b)
            }
            Instr::Call { func, args, dst } => {
                let callee = self.call_arguments(func, args)?;
                if self.verifier.is_void(callee.ret) {
                    Ok(())
                } else {
                    self.expect(dst, callee.ret, &format!("the result of {}", callee.name))
                }
            }
            Instr::Spawn { func, args, dst } => {
                self.call_arguments(func, args)?;
                self.thread_reg(dst)
            }
            Instr::Join { thread } => self.thread_reg(thread),
            Instr::ChanNew { dst, .. } => self.chan_element(dst).map(|_| ()),
            Instr::Send { chan, src: value } | Instr::Recv { dst: value, chan } => {
                let element = self.chan_element(chan)?;
                self.expect(value, element, "the channel's element")
            }
            Instr::Yield {} | Instr::Sleep { .. } | Instr::ThreadId { .. } => Ok(()),
            Instr::Break {} => Err(self.fail("the break instruction is reserved for debuggers")),
            Instr::CallNative { native, args, dst } => {
                let Some(import) = module.natives.get(native as usize) else {
                    return Err(self.fail(format!("native n{native} does not exist")));
                };
                let what = |index: usize| match index < import.params.len() {
                    true => format!("parameter {index} of {}", import.name),
                    false => format!("the {index} parameters of {}", import.name),
                };
                self.expect_span((1, native, 0), args, &import.params, &what)?;
                if self.verifier.is_void(import.ret) {
                    Ok(())
                } else {
                    self.expect(dst, import.ret, &format!("the result of {}", import.name))
                }
            }
            Instr::Ret { src } => {
                if self.verifier.is_void(function.ret) {
                    return Err(self.fail("ret in a function that returns void (use ret.void)"));
                }
                self.expect(src, function.ret, "the function's return type")
            }
            Instr::RetVoid {} => {
                if self.verifier.is_void(function.ret) {
                    Ok(())
                } else {
                    Err(self.fail(format!(
                        "ret.void in a function that returns {}",
                        self.name(function.ret)
                    )))
                }
            }
            Instr::RefToStr { src, .. } => self.expect_ref(src),
            Instr::NewArray { dst, first, count } => {
                let element = self.array_element(dst)?;
                let want = vec![element; usize::from(count)];
                let class = self
                    .verifier
                    .types
                    .class
                    .get(element as usize)
                    .copied()
                    .unwrap_or(0);
                let what = |_: usize| format!("the element type of r{dst}");
                self.expect_span((2, class, u32::from(count)), first, &want, &what)
            }
            Instr::ArrayFill { dst, value, .. } => {
                let element = self.array_element(dst)?;
                self.expect(value, element, &format!("the element type of r{dst}"))
            }
            Instr::ArrayGet { dst, array, .. } | Instr::ArrayPop { dst, array } => {
                let element = self.array_element(array)?;
                self.expect(dst, element, &format!("the element type of r{array}"))
            }
            Instr::ArraySet { array, src, .. } | Instr::ArrayPush { array, src } => {
                let element = self.array_element(array)?;
                self.expect(src, element, &format!("the element type of r{array}"))
            }
            Instr::ArrayLen { array, .. } => self.array_element(array).map(|_| ()),
            Instr::NewMap { dst } => self.map_types(dst).map(|_| ()),
            Instr::MapGet { dst, map, key } => {
                let (key_ty, value_ty) = self.map_types(map)?;
                self.expect(key, key_ty, &format!("the key type of r{map}"))?;
                self.expect(dst, value_ty, &format!("the value type of r{map}"))
            }
            Instr::MapSet { map, key, src } => {
                let (key_ty, value_ty) = self.map_types(map)?;
                self.expect(key, key_ty, &format!("the key type of r{map}"))?;
                self.expect(src, value_ty, &format!("the value type of r{map}"))
            }
            Instr::MapGetOr {
                dst,
                map,
                key,
                default,
            } => {
                let (key_ty, value_ty) = self.map_types(map)?;
                self.expect(key, key_ty, &format!("the key type of r{map}"))?;
                self.expect(default, value_ty, &format!("the value type of r{map}"))?;
                self.expect(dst, value_ty, &format!("the value type of r{map}"))
            }
            Instr::MapContains { map, key, .. } | Instr::MapRemove { map, key, .. } => {
                let (key_ty, _) = self.map_types(map)?;
                self.expect(key, key_ty, &format!("the key type of r{map}"))
            }
            Instr::MapLen { map, .. } => self.map_types(map).map(|_| ()),
            Instr::MapKeys { dst, map } => {
                let (key_ty, _) = self.map_types(map)?;
                let element = self.array_element(dst)?;
                if self.verifier.same(element, key_ty) {
                    Ok(())
                } else {
                    Err(self.fail(format!(
                        "r{dst} has type {} but the keys of r{map} have type {}",
                        self.name(self.reg(dst)?),
                        self.name(key_ty)
                    )))
                }
            }
            Instr::NewForm { dst, first } => {
                let fields = self.form(dst)?;
                let want: Vec<TypeId> = fields.iter().map(|field| field.ty).collect();
                let form = match self.verifier.bare(self.reg(dst)?) {
                    Some(&Type::Form(form)) => form,
                    _ => 0,
                };
                let what = |index: usize| match fields.get(index) {
                    Some(field) => format!("field {index} ({})", field.name),
                    None => format!("the {index} fields"),
                };
                self.expect_span((3, form, 0), first, &want, &what)
            }
            Instr::GetField { dst, object, field } => {
                let fields = self.form(object)?;
                let def = self.field(fields, field, &self.name(self.reg(object)?))?;
                self.expect(dst, def.ty, &format!("field {}", def.name))
            }
            Instr::SetField { object, field, src } => {
                let fields = self.form(object)?;
                let def = self.field(fields, field, &self.name(self.reg(object)?))?;
                self.expect(src, def.ty, &format!("field {}", def.name))
            }
            Instr::NewPick { dst, case, first } => {
                let (pick, fields) = self.pick_case(dst, case)?;
                let want: Vec<TypeId> = fields.iter().map(|field| field.ty).collect();
                let what = |index: usize| match fields.get(index) {
                    Some(field) => format!("payload field {index} ({})", field.name),
                    None => format!("the {index} payload fields"),
                };
                self.expect_span((4, pick, u32::from(case)), first, &want, &what)
            }
            Instr::PickTag { pick, .. } => {
                let ty = self.reg(pick)?;
                match self.verifier.bare(ty) {
                    Some(Type::Pick(_)) => Ok(()),
                    _ => Err(self.fail(format!("r{pick} must be a pick, not {}", self.name(ty)))),
                }
            }
            Instr::PickField {
                dst,
                pick,
                case,
                field,
            } => {
                let (_, fields) = self.pick_case(pick, case)?;
                let owner = format!("case {case} of {}", self.name(self.reg(pick)?));
                let def = self.field(fields, field, &owner)?;
                self.expect(dst, def.ty, &format!("payload field {}", def.name))
            }
        }
    }
}
