//! Code generation: a checked [`Program`] and its [`Analysis`] to a [`Module`] of typed register
//! bytecode with debug information.
//!
//! Each local variable gets a register of its static type for its whole procedure; temporaries are
//! allocated stack-like per statement and reused by later statements (a temporary is only reused for
//! a value of the same type, since register types are fixed). Arguments of calls and the operands of
//! `array.new`, `form.new` and `pick.new` go to consecutive registers.
//!
//! Conditions of `if`, `elif`, `while`, guards and `for` loops compile to branches rather than bool
//! values: `and`/`or`/`not` become jump chains and int comparisons use the fused
//! `jump.ifnot.lt.i`/`jump.ifnot.le.i`. `x + c` and `x - c` with a small constant use `add.i.imm`.
//! A `?T` value used where a `T` is expected is checked for null first (raising `null dereference`).
//!
//! Debug information: every source file, and per function its declaration, a line table (an
//! `is_stmt` entry at each statement start, and an entry at each instruction that can raise an error
//! or calls, whose column is the start of the failing expression) and its named locals with their live
//! ranges. Output is deterministic: tables are filled in source order, never by iterating a hash map.
//!
//! Here: the module-wide tables (`ModuleGen`) and the state of one function's generator (`FnGen`),
//! whose methods are spread over `function` (a procedure or initialiser from start to finished
//! `Function`), `emit` (registers, instructions, jumps, the line table), `stmt`, `cond`
//! (conditions as branches), `matching`, `expr`, `call` and `builtin`.

mod builtin;
mod call;
mod cond;
mod emit;
mod expr;
mod function;
mod matching;
mod stmt;

use std::collections::{HashMap, HashSet};

use vitte_vm::bytecode::{
    CaseDef, Constant, FieldDef, FormDef, GlobalDef, Handler, Instr, LineEntry, LocalVar, Module,
    NativeImport, PickDef, Reg, SourceFile, Type, TypeId,
};

use crate::ast::{Expr, ExprKind};
use crate::builtins::Native;
use crate::check::{Analysis, GlobalId, LocalId, ProcId};
use crate::diagnostics::Diagnostic;
use crate::loader::Program;
use crate::source::{FileId, Span};
use crate::types::Ty;

/// Array literals longer than this are built with `array.push` instead of consecutive registers.
const MAX_LITERAL_REGISTERS: usize = 64;

/// Generates the module of a program that checked without errors.
///
/// # Errors
/// A procedure exceeds a limit of the bytecode format (more than 65 535 registers), or the analysis is
/// inconsistent with the program (reported as an internal compiler error).
pub fn generate(program: &Program, analysis: &Analysis) -> Result<Module, Vec<Diagnostic>> {
    let mut generator = ModuleGen::new(program, analysis);
    generator.run();
    if generator.errors.is_empty() {
        Ok(generator.module)
    } else {
        Err(generator.errors)
    }
}

/// Module-wide tables: types, constants, natives and functions.
struct ModuleGen<'a> {
    program: &'a Program,
    a: &'a Analysis,
    module: Module,
    type_ids: HashMap<Ty, TypeId>,
    int_consts: HashMap<i64, u32>,
    float_consts: HashMap<u64, u32>,
    str_consts: HashMap<String, u32>,
    natives: HashMap<Native, u32>,
    errors: Vec<Diagnostic>,
    /// Locals whose value may be kept elsewhere ([`Analysis::sharing_locals`]); a string local not
    /// among them is grown in place by `set s = s + e` (`concat.append`).
    sharing_locals: HashSet<LocalId>,
}

impl<'a> ModuleGen<'a> {
    fn new(program: &'a Program, a: &'a Analysis) -> ModuleGen<'a> {
        ModuleGen {
            program,
            a,
            module: Module::default(),
            type_ids: HashMap::new(),
            int_consts: HashMap::new(),
            float_consts: HashMap::new(),
            str_consts: HashMap::new(),
            natives: HashMap::new(),
            errors: Vec::new(),
            sharing_locals: a.sharing_locals(),
        }
    }

    fn run(&mut self) {
        let a = self.a;
        self.module.sources = self
            .program
            .sources
            .files()
            .iter()
            .map(|f| SourceFile {
                path: f.path.clone(),
                text: f.text.clone(),
            })
            .collect();
        for form in &a.forms {
            let fields = form
                .fields
                .iter()
                .map(|f| FieldDef {
                    name: f.name.clone(),
                    ty: self.ty(&f.ty),
                })
                .collect();
            self.module.forms.push(FormDef {
                name: form.name.clone(),
                fields,
            });
        }
        for pick in &a.picks {
            let cases = pick
                .cases
                .iter()
                .map(|c| CaseDef {
                    name: c.name.clone(),
                    fields: c
                        .fields
                        .iter()
                        .map(|f| FieldDef {
                            name: f.name.clone(),
                            ty: self.ty(&f.ty),
                        })
                        .collect(),
                })
                .collect();
            self.module.picks.push(PickDef {
                name: pick.name.clone(),
                cases,
            });
        }
        for global in &a.globals {
            let ty = self.ty(&global.ty);
            self.module.globals.push(GlobalDef {
                name: global.qualified.clone(),
                ty,
            });
        }
        for id in 0..a.procs.len() {
            let function = FnGen::procedure(self, id as ProcId);
            self.module.functions.push(function);
        }
        self.module.init = self.init_functions();
        match a.main {
            Some(main) => self.module.entry = main,
            None => {
                let file = self.program.root().map_or(FileId(0), |f| f.ast.file);
                self.errors.push(Diagnostic::error(
                    Span::new(file, 0, 0),
                    "no main procedure",
                ));
            }
        }
    }

    /// One initialiser per file that has globals, and `<init>` (the root's) calling the others first.
    fn init_functions(&mut self) -> Option<u32> {
        let a = self.a;
        if a.globals.is_empty() {
            return None;
        }
        let root = self.program.files.len().saturating_sub(1);
        let mut used_inits = Vec::new();
        for file in 0..root {
            let globals: Vec<GlobalId> = (0..a.globals.len() as GlobalId)
                .filter(|g| a.globals[*g as usize].file == file)
                .collect();
            if globals.is_empty() {
                continue;
            }
            let name = format!("{}<init>", a.files[file].prefix);
            let function = FnGen::initialiser(self, file, &globals, &[], name);
            used_inits.push(self.module.functions.len() as u32);
            self.module.functions.push(function);
        }
        let globals: Vec<GlobalId> = (0..a.globals.len() as GlobalId)
            .filter(|g| a.globals[*g as usize].file == root)
            .collect();
        let function = FnGen::initialiser(self, root, &globals, &used_inits, "<init>".into());
        self.module.functions.push(function);
        Some(self.module.functions.len() as u32 - 1)
    }

    /// The module type id of a checker type.
    fn ty(&mut self, ty: &Ty) -> TypeId {
        if let Some(&id) = self.type_ids.get(ty) {
            return id;
        }
        let module_ty = match ty {
            Ty::Void => Type::Void,
            Ty::Int | Ty::Error => Type::Int,
            Ty::Float => Type::Float,
            Ty::Bool => Type::Bool,
            Ty::Str => Type::Str,
            Ty::Null => Type::Nullable(self.ty(&Ty::Str)),
            Ty::Array(elem) => Type::Array(self.ty(elem)),
            Ty::Map(key, value) => Type::Map(self.ty(key), self.ty(value)),
            Ty::Nullable(inner) => Type::Nullable(self.ty(inner)),
            Ty::Form(id) => Type::Form(*id),
            Ty::Pick(id) => Type::Pick(*id),
            Ty::Thread => Type::Thread,
            Ty::Chan(elem) => Type::Chan(self.ty(elem)),
        };
        let id = self.module.intern_type(module_ty);
        self.type_ids.insert(ty.clone(), id);
        id
    }

    fn int_const(&mut self, value: i64) -> u32 {
        if let Some(&index) = self.int_consts.get(&value) {
            return index;
        }
        let index = self.module.constants.len() as u32;
        self.module.constants.push(Constant::Int(value));
        self.int_consts.insert(value, index);
        index
    }

    fn float_const(&mut self, value: f64) -> u32 {
        if let Some(&index) = self.float_consts.get(&value.to_bits()) {
            return index;
        }
        let index = self.module.constants.len() as u32;
        self.module.constants.push(Constant::Float(value));
        self.float_consts.insert(value.to_bits(), index);
        index
    }

    fn str_const(&mut self, value: &str) -> u32 {
        if let Some(&index) = self.str_consts.get(value) {
            return index;
        }
        let index = self.module.constants.len() as u32;
        self.module.constants.push(Constant::Str(value.to_string()));
        self.str_consts.insert(value.to_string(), index);
        index
    }

    fn native(&mut self, native: Native) -> u32 {
        if let Some(&index) = self.natives.get(&native) {
            return index;
        }
        let (params, ret) = native.signature();
        let params = params.iter().map(|p| self.ty(p)).collect();
        let ret = self.ty(&ret);
        let index = self.module.natives.len() as u32;
        self.module.natives.push(NativeImport {
            name: native.name().to_string(),
            params,
            ret,
        });
        self.natives.insert(native, index);
        index
    }
}

/// Jumps waiting for the end of a loop or for its continue point.
#[derive(Default)]
struct LoopCtx {
    breaks: Vec<usize>,
    continues: Vec<usize>,
}

/// Where the value of a `match` goes.
#[derive(Clone)]
enum MatchTarget {
    /// A match expression: into this register, converted to this type.
    Value(Reg, Ty),
    /// A statement: arm values are dropped.
    Statement,
    /// The last statement of a value-returning procedure: `=> e` arms give `e`.
    Tail,
}

/// The code generator of one function.
struct FnGen<'g, 'a> {
    g: &'g mut ModuleGen<'a>,
    a: &'a Analysis,
    /// The source file of the function (line table positions are in it).
    source: FileId,
    reg_types: Vec<TypeId>,
    is_temp: Vec<bool>,
    /// The temporary registers, in increasing order.
    temp_regs: Vec<usize>,
    busy: Vec<bool>,
    /// Temporaries in allocation order, released stack-like.
    temps: Vec<Reg>,
    code: Vec<Instr>,
    lines: Vec<LineEntry>,
    locals: Vec<LocalVar>,
    /// Per open block: indices into `locals` whose live range ends with the block.
    scopes: Vec<Vec<usize>>,
    local_regs: HashMap<LocalId, Reg>,
    loops: Vec<LoopCtx>,
    ret: Ty,
    /// False right after an unconditional jump, return or throw, until a label.
    reachable: bool,
    /// Exception handlers, innermost first.
    handlers: Vec<Handler>,
    /// Int constants loaded once before the enclosing loops, by value (innermost last).
    hoisted: Vec<(i64, Reg)>,
}

/// True for instructions after which control does not fall through.
fn is_terminator(instr: &Instr) -> bool {
    matches!(
        instr,
        Instr::Jump { .. } | Instr::Ret { .. } | Instr::RetVoid {} | Instr::Throw { .. }
    )
}

/// The expression without surrounding parentheses.
fn strip(e: &Expr) -> &Expr {
    match &e.kind {
        ExprKind::Paren(inner) => strip(inner),
        _ => e,
    }
}
