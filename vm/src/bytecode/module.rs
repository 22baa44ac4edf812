//! The in-memory form of a compiled program: what the compiler produces, what `.vitbc` stores, what
//! the verifier checks and what the interpreter runs.
//!
//! Every table is indexed by a plain `u32` (types, forms, picks, constants, globals, natives,
//! functions). A [`Module`] that came from outside is only run after
//! [`verify`](super::verify::verify) accepted it.

use super::isa::{Instr, Reg};

/// Index into [`Module::types`].
pub type TypeId = u32;

/// A static type, as recorded for registers, globals, fields and signatures.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    /// No value (return type only).
    Void,
    /// 64-bit signed integer.
    Int,
    /// IEEE-754 double.
    Float,
    /// `true` or `false`.
    Bool,
    /// Immutable UTF-8 text (a heap reference).
    Str,
    /// `[T]`: growable array.
    Array(TypeId),
    /// `Map[K, V]`.
    Map(TypeId, TypeId),
    /// `?T`: a reference type that may be null.
    Nullable(TypeId),
    /// A form (record), index into [`Module::forms`].
    Form(u32),
    /// A pick (tagged union), index into [`Module::picks`].
    Pick(u32),
    /// Handle of a VM thread.
    Thread,
    /// `Chan[T]`.
    Chan(TypeId),
}

/// How a value of some type is held in a 64-bit register slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueKind {
    /// No value (`void`).
    Void,
    /// `i64` bits.
    Int,
    /// `f64` bits.
    Float,
    /// 0 or 1.
    Bool,
    /// A heap reference; 0 is `null`.
    Ref,
}

impl Type {
    /// How values of this type are represented in a register.
    pub fn kind(&self) -> ValueKind {
        match self {
            Type::Void => ValueKind::Void,
            Type::Int => ValueKind::Int,
            Type::Float => ValueKind::Float,
            Type::Bool => ValueKind::Bool,
            _ => ValueKind::Ref,
        }
    }
}

/// A record type.
#[derive(Clone, Debug, PartialEq)]
pub struct FormDef {
    /// Declared name (`Point`).
    pub name: String,
    /// Fields in declaration order.
    pub fields: Vec<FieldDef>,
}

/// A named, typed field of a form or of a pick case.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldDef {
    /// Field name (`x`).
    pub name: String,
    /// Field type.
    pub ty: TypeId,
}

/// A tagged-union type.
#[derive(Clone, Debug, PartialEq)]
pub struct PickDef {
    /// Declared name (`Shape`).
    pub name: String,
    /// Cases in declaration order; a pick value's tag is the index into this list.
    pub cases: Vec<CaseDef>,
}

/// One case of a pick.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseDef {
    /// Case name (`Circle`).
    pub name: String,
    /// Payload fields (empty for `Empty`).
    pub fields: Vec<FieldDef>,
}

/// A constant loaded by [`Instr::LoadConst`].
#[derive(Clone, Debug, PartialEq)]
pub enum Constant {
    /// An `int` constant.
    Int(i64),
    /// A `float` constant.
    Float(f64),
    /// A `string` constant; the VM creates each string object once, at load.
    Str(String),
}

/// A global variable slot.
#[derive(Clone, Debug, PartialEq)]
pub struct GlobalDef {
    /// Source name, qualified by module alias when it comes from a used file (`util.counter`).
    pub name: String,
    /// Its type. Globals start zeroed (0, 0.0, false, null) until the init function sets them.
    pub ty: TypeId,
}

/// A host function the module calls, bound by name when the VM loads the module.
#[derive(Clone, Debug, PartialEq)]
pub struct NativeImport {
    /// Registry name (`print`, `sqrt`, `abs_int`, …).
    pub name: String,
    /// Parameter types; a call passes them in consecutive registers.
    pub params: Vec<TypeId>,
    /// Return type (`Void` for none).
    pub ret: TypeId,
}

/// A compiled procedure.
#[derive(Clone, Debug, PartialEq)]
pub struct Function {
    /// Source name (`main`, or `util.helper` for a procedure of a used file).
    pub name: String,
    /// The first `param_count` registers hold the arguments on entry.
    pub param_count: u16,
    /// Return type (`Void` for none).
    pub ret: TypeId,
    /// The static type of every register; the frame has `registers.len()` slots.
    pub registers: Vec<TypeId>,
    /// The instructions; execution starts at index 0 and never runs off the end.
    pub code: Vec<Instr>,
    /// Exception handlers, innermost first: a runtime error at a pc is caught by the first handler
    /// whose range contains it.
    pub handlers: Vec<Handler>,
    /// Source mapping and local-variable names.
    pub debug: FunctionDebug,
}

/// One exception handler of a function (a `try` block).
///
/// A runtime error raised by the instruction at `pc` with `start_pc <= pc < end_pc` (in a caller
/// frame: by the call at that pc) is caught: the frames above are dropped, the error's message is
/// stored as a string into `message_register` and execution continues at `target_pc` in this frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Handler {
    /// First instruction index covered.
    pub start_pc: u32,
    /// Instruction index after the last one covered.
    pub end_pc: u32,
    /// Where the handler's code starts.
    pub target_pc: u32,
    /// A `string` register that receives the error message.
    pub message_register: Reg,
}

impl Handler {
    /// Whether the instruction at `pc` is covered.
    pub fn covers(&self, pc: u32) -> bool {
        self.start_pc <= pc && pc < self.end_pc
    }
}

/// Debug information of one function.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FunctionDebug {
    /// Index into [`Module::sources`] of the file that declares the function.
    pub file: u32,
    /// 1-based line of the declaration.
    pub line: u32,
    /// 1-based column of the declaration.
    pub col: u32,
    /// Line table sorted by `pc`: each entry covers the instructions from its `pc` to the next entry's.
    pub lines: Vec<LineEntry>,
    /// Named locals (parameters included) and where they are live.
    pub locals: Vec<LocalVar>,
}

/// One row of a line table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineEntry {
    /// First instruction index covered.
    pub pc: u32,
    /// 1-based source line.
    pub line: u32,
    /// 1-based source column (in characters).
    pub col: u32,
    /// True when this instruction starts a statement (a breakpoint or step can stop here).
    pub is_stmt: bool,
}

/// A named local variable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalVar {
    /// Source name.
    pub name: String,
    /// The register holding it (its type is the register's type).
    pub register: Reg,
    /// First instruction index where the variable is live.
    pub start_pc: u32,
    /// Instruction index after the last one where it is live.
    pub end_pc: u32,
}

/// A source file of the program, kept so traces, disassembly and debuggers need nothing else.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    /// Path as given to the compiler (relative paths stay relative).
    pub path: String,
    /// Full text.
    pub text: String,
}

/// A whole compiled program.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Module {
    /// Type table.
    pub types: Vec<Type>,
    /// Form declarations.
    pub forms: Vec<FormDef>,
    /// Pick declarations.
    pub picks: Vec<PickDef>,
    /// Constant pool.
    pub constants: Vec<Constant>,
    /// Global variables.
    pub globals: Vec<GlobalDef>,
    /// Host functions used.
    pub natives: Vec<NativeImport>,
    /// Procedures.
    pub functions: Vec<Function>,
    /// The function run by `Vm::run` (`main`): no parameters, returns `void` or `int`.
    pub entry: u32,
    /// A `void` function with no parameters run before `entry` to initialise globals.
    pub init: Option<u32>,
    /// Source files; [`FunctionDebug::file`] indexes this.
    pub sources: Vec<SourceFile>,
}

impl Module {
    /// Looks up the type with this id.
    pub fn ty(&self, id: TypeId) -> Option<&Type> {
        self.types.get(id as usize)
    }

    /// The type a `?T` stands for: `ty` without its `?`s (`ty` itself for other types). Follows at
    /// most 8 `?`s, so a malformed type table that nests a `?` in itself cannot hang it.
    pub fn strip_nullable(&self, ty: TypeId) -> TypeId {
        let mut ty = ty;
        for _ in 0..8 {
            match self.ty(ty) {
                Some(Type::Nullable(inner)) => ty = *inner,
                _ => break,
            }
        }
        ty
    }

    /// The index of `ty` in the type table, adding it when absent.
    pub fn intern_type(&mut self, ty: Type) -> TypeId {
        if let Some(index) = self.types.iter().position(|t| *t == ty) {
            return index as TypeId;
        }
        self.types.push(ty);
        (self.types.len() - 1) as TypeId
    }

    /// The source location `(file, line, col)` of instruction `pc` in function `func`, from its line table.
    pub fn location(&self, func: u32, pc: u32) -> Option<(&str, u32, u32)> {
        let function = self.functions.get(func as usize)?;
        let debug = &function.debug;
        let index = debug.lines.partition_point(|entry| entry.pc <= pc);
        let entry = if index == 0 {
            debug.lines.first()?
        } else {
            &debug.lines[index - 1]
        };
        let file = self.sources.get(debug.file as usize)?;
        Some((file.path.as_str(), entry.line, entry.col))
    }
}
