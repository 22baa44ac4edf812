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

use std::collections::{HashMap, HashSet};

use vitte_vm::bytecode::{
    CaseDef, Constant, FieldDef, FormDef, Function, FunctionDebug, GlobalDef, Handler, Instr,
    LineEntry, LocalVar, Module, NativeImport, PickDef, Reg, SourceFile, Type, TypeId,
};

use crate::ast::{
    self, ArmBody, BinOp, Block, Expr, ExprKind, ItemKind, MatchArm, Pattern, Stmt, StmtKind, UnOp,
};
use crate::builtins::{Builtin, Native};
use crate::check::{Analysis, Callee, GlobalId, LocalId, ProcId, Symbol};
use crate::diagnostics::Diagnostic;
use crate::loader::Program;
use crate::source::{FileId, Span};
use crate::types::{ConstValue, Ty};

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

/// The comparison with its operands swapped: `a < b` is `b > a`.
fn mirrored(op: BinOp) -> BinOp {
    match op {
        BinOp::Lt => BinOp::Gt,
        BinOp::Le => BinOp::Ge,
        BinOp::Gt => BinOp::Lt,
        BinOp::Ge => BinOp::Le,
        other => other,
    }
}

/// The comparison that holds exactly when `op` does not (on ints).
fn negated(op: BinOp) -> BinOp {
    match op {
        BinOp::Eq => BinOp::Ne,
        BinOp::Ne => BinOp::Eq,
        BinOp::Lt => BinOp::Ge,
        BinOp::Le => BinOp::Gt,
        BinOp::Gt => BinOp::Le,
        BinOp::Ge => BinOp::Lt,
        other => other,
    }
}

/// True for expressions whose code writes the destination register before it has read all its
/// operands (so `set x = e` must not target `x` directly).
fn writes_destination_early(e: &Expr) -> bool {
    match &strip(e).kind {
        ExprKind::Binary {
            op: BinOp::And | BinOp::Or,
            ..
        }
        | ExprKind::Match { .. } => true,
        ExprKind::Map(entries) => !entries.is_empty(),
        ExprKind::Array(elems) => elems.len() > MAX_LITERAL_REGISTERS,
        _ => false,
    }
}

impl<'g, 'a> FnGen<'g, 'a> {
    fn new(g: &'g mut ModuleGen<'a>, source: FileId, ret: Ty) -> FnGen<'g, 'a> {
        let a = g.a;
        FnGen {
            g,
            a,
            source,
            reg_types: Vec::new(),
            is_temp: Vec::new(),
            temp_regs: Vec::new(),
            busy: Vec::new(),
            temps: Vec::new(),
            code: Vec::new(),
            lines: Vec::new(),
            locals: Vec::new(),
            scopes: vec![Vec::new()],
            local_regs: HashMap::new(),
            loops: Vec::new(),
            ret,
            reachable: true,
            handlers: Vec::new(),
            hoisted: Vec::new(),
        }
    }

    /// Compiles procedure `id`.
    fn procedure(g: &'g mut ModuleGen<'a>, id: ProcId) -> Function {
        let a = g.a;
        let program = g.program;
        let info = &a.procs[id as usize];
        let file = &program.files[info.file];
        let source = file.ast.file;
        let mut f = FnGen::new(g, source, info.ret.clone());
        for (index, ty) in info.param_types.iter().enumerate() {
            let reg = f.new_reg(ty, false);
            if let Some(&local) = info.params.get(index) {
                f.local_regs.insert(local, reg);
                f.debug_local(local, reg, 0);
            }
        }
        if let ItemKind::Proc(decl) = &file.ast.items[info.item].kind {
            f.block(&decl.body);
            // Statements after a `give` (or `throw`, `break`, `continue`) in the same block are
            // unreachable but still generated, so the code may end with one of them: it must
            // end with a terminator all the same.
            if f.reachable || !f.code.last().is_some_and(is_terminator) {
                let end = decl
                    .body
                    .span
                    .end
                    .saturating_sub(1)
                    .max(decl.body.span.start);
                f.mark_at(Span::new(source, end, end + 1), true);
                f.implicit_return();
            }
        } else {
            f.internal(info.span, "procedure item not found");
            f.implicit_return();
        }
        let param_count = info.param_types.len() as u16;
        let ret = f.g.ty(&info.ret);
        f.finish(info.qualified.clone(), param_count, ret, info.span)
    }

    /// Compiles the initialiser of `file`'s globals, calling `first` (other initialisers) before.
    fn initialiser(
        g: &'g mut ModuleGen<'a>,
        file: usize,
        globals: &[GlobalId],
        first: &[u32],
        name: String,
    ) -> Function {
        let a = g.a;
        let program = g.program;
        let parsed = &program.files[file];
        let source = parsed.ast.file;
        let mut f = FnGen::new(g, source, Ty::Void);
        let decl_span = globals
            .first()
            .map(|g| parsed.ast.items[a.globals[*g as usize].item].span)
            .unwrap_or(Span::new(source, 0, 0));
        for &init in first {
            let mark = f.temps.len();
            f.mark_at(decl_span, true);
            let dummy = f.temp(&Ty::Bool);
            f.emit(Instr::Call {
                func: init,
                args: dummy,
                dst: dummy,
            });
            f.release(mark);
        }
        for &global in globals {
            let info = &a.globals[global as usize];
            let item = &parsed.ast.items[info.item];
            let ItemKind::Global(decl) = &item.kind else {
                continue;
            };
            let mark = f.temps.len();
            f.mark_at(item.span, true);
            match &decl.value {
                Some(value) => {
                    let reg = f.expr_as(value, &info.ty, None);
                    f.emit(Instr::SetGlobal { global, src: reg });
                }
                None => {
                    if info.ty == Ty::Str {
                        let reg = f.temp(&Ty::Str);
                        f.default_value(reg, &Ty::Str);
                        f.emit(Instr::SetGlobal { global, src: reg });
                    }
                }
            }
            f.release(mark);
        }
        f.emit(Instr::RetVoid {});
        let ret = f.g.ty(&Ty::Void);
        f.finish(name, 0, ret, decl_span)
    }

    fn implicit_return(&mut self) {
        if self.ret == Ty::Void {
            self.emit(Instr::RetVoid {});
        } else {
            let message = self.temp(&Ty::Str);
            let index = self.g.str_const("unreachable");
            self.emit(Instr::LoadConst {
                dst: message,
                index,
            });
            self.emit(Instr::Throw { message });
        }
    }

    fn finish(mut self, name: String, param_count: u16, ret: TypeId, span: Span) -> Function {
        let end = self.code.len() as u32;
        for scope in std::mem::take(&mut self.scopes) {
            for index in scope {
                self.locals[index].end_pc = end;
            }
        }
        if self.reg_types.len() > usize::from(u16::MAX) {
            self.g.errors.push(Diagnostic::error(
                span,
                format!("{name} is too large to compile: it needs more than 65535 registers; split it into smaller procedures"),
            ));
        }
        self.lines
            .retain(|entry| (entry.pc as usize) < self.code.len());
        let (line, col) = self.line_col(span);
        Function {
            name,
            param_count,
            ret,
            registers: self.reg_types,
            code: self.code,
            handlers: self.handlers,
            debug: FunctionDebug {
                file: self.source.0,
                line,
                col,
                lines: self.lines,
                locals: self.locals,
            },
        }
    }

    fn internal(&mut self, span: Span, what: &str) {
        self.g.errors.push(Diagnostic::error(
            span,
            format!("internal compiler error: {what}"),
        ));
    }

    // ---- registers ----

    fn new_reg(&mut self, ty: &Ty, temp: bool) -> Reg {
        let id = self.g.ty(ty);
        let reg = self.reg_types.len();
        self.reg_types.push(id);
        self.is_temp.push(temp);
        self.busy.push(true);
        if temp {
            self.temp_regs.push(reg);
        }
        let reg = Reg::try_from(reg).unwrap_or(Reg::MAX);
        if temp {
            self.temps.push(reg);
        }
        reg
    }

    /// A free temporary of type `ty`, busy until the current statement ends.
    fn temp(&mut self, ty: &Ty) -> Reg {
        let id = self.g.ty(ty);
        let found = self
            .temp_regs
            .iter()
            .copied()
            .find(|&r| !self.busy[r] && self.reg_types[r] == id);
        match found {
            Some(r) => {
                self.busy[r] = true;
                let reg = r as Reg;
                self.temps.push(reg);
                reg
            }
            None => self.new_reg(ty, true),
        }
    }

    /// Consecutive free temporaries of the given types; returns the first.
    fn temps_consecutive(&mut self, tys: &[Ty]) -> Reg {
        let ids: Vec<TypeId> = tys.iter().map(|t| self.g.ty(t)).collect();
        let count = ids.len();
        let total = self.reg_types.len();
        if count > 0 {
            for index in 0..self.temp_regs.len() {
                let start = self.temp_regs[index];
                if start + count > total {
                    break;
                }
                let fits = (0..count).all(|i| {
                    let r = start + i;
                    self.is_temp[r] && !self.busy[r] && self.reg_types[r] == ids[i]
                });
                if fits {
                    for r in start..start + count {
                        self.busy[r] = true;
                        self.temps.push(r as Reg);
                    }
                    return start as Reg;
                }
            }
        }
        let first = self.reg_types.len();
        for ty in tys {
            self.new_reg(ty, true);
        }
        Reg::try_from(first).unwrap_or(Reg::MAX)
    }

    fn release(&mut self, mark: usize) {
        while self.temps.len() > mark {
            if let Some(reg) = self.temps.pop() {
                self.busy[reg as usize] = false;
            }
        }
    }

    fn dst(&mut self, dst: Option<Reg>, ty: &Ty) -> Reg {
        match dst {
            Some(reg) => reg,
            None => self.temp(ty),
        }
    }

    /// A register for local `id` (allocated on first use).
    fn local_reg(&mut self, id: LocalId) -> Reg {
        if let Some(&reg) = self.local_regs.get(&id) {
            return reg;
        }
        let ty = self
            .a
            .locals
            .get(id as usize)
            .map_or(Ty::Error, |l| l.ty.clone());
        let reg = self.new_reg(&ty, false);
        self.local_regs.insert(id, reg);
        reg
    }

    /// Records local `id` in the debug table as live from `start` to the end of the current block.
    fn debug_local(&mut self, id: LocalId, reg: Reg, start: u32) {
        let Some(info) = self.a.locals.get(id as usize) else {
            return;
        };
        if info.name == "_" {
            return;
        }
        self.locals.push(LocalVar {
            name: info.name.clone(),
            register: reg,
            start_pc: start,
            end_pc: start,
        });
        let index = self.locals.len() - 1;
        if let Some(scope) = self.scopes.last_mut() {
            scope.push(index);
        }
    }

    fn push_scope(&mut self) {
        self.scopes.push(Vec::new());
    }

    fn pop_scope(&mut self) {
        let end = self.code.len() as u32;
        if let Some(scope) = self.scopes.pop() {
            for index in scope {
                self.locals[index].end_pc = end;
            }
        }
    }

    // ---- emission ----

    fn emit(&mut self, instr: Instr) -> usize {
        if is_terminator(&instr) {
            self.reachable = false;
        }
        self.code.push(instr);
        self.code.len() - 1
    }

    /// The current position as a jump target.
    fn label(&mut self) -> u32 {
        self.reachable = true;
        self.code.len() as u32
    }

    fn patch(&mut self, at: usize, to: u32) {
        match &mut self.code[at] {
            Instr::Jump { target }
            | Instr::JumpIf { target, .. }
            | Instr::JumpIfNot { target, .. }
            | Instr::JumpIfNotLtI { target, .. }
            | Instr::JumpIfNotLeI { target, .. }
            | Instr::JumpIfNotEqI { target, .. }
            | Instr::JumpIfNotNeI { target, .. }
            | Instr::JumpIfNotEqIImm { target, .. }
            | Instr::JumpIfNotNeIImm { target, .. }
            | Instr::JumpIfNotLtIImm { target, .. }
            | Instr::JumpIfNotLeIImm { target, .. }
            | Instr::JumpIfNotGtIImm { target, .. }
            | Instr::JumpIfNotGeIImm { target, .. }
            | Instr::ForNext { target, .. } => *target = to,
            _ => {}
        }
    }

    fn patch_all(&mut self, jumps: &[usize], to: u32) {
        for &jump in jumps {
            self.patch(jump, to);
        }
    }

    fn patch_here(&mut self, jumps: &[usize]) {
        if !jumps.is_empty() {
            let here = self.label();
            self.patch_all(jumps, here);
        }
    }

    fn line_col(&self, span: Span) -> (u32, u32) {
        let sources = &self.g.program.sources;
        if (span.file.0 as usize) < sources.files().len() {
            sources.line_col(span)
        } else {
            (1, 1)
        }
    }

    /// Adds a statement entry for the next instruction even when the previous entry has the same
    /// position (a loop head that the back edge jumps to).
    fn mark_loop_head(&mut self, span: Span) {
        if span.file != self.source {
            return;
        }
        let (line, col) = self.line_col(span);
        let pc = self.code.len() as u32;
        match self.lines.last_mut() {
            Some(last) if last.pc == pc => {
                last.line = line;
                last.col = col;
                last.is_stmt = true;
            }
            _ => self.lines.push(LineEntry {
                pc,
                line,
                col,
                is_stmt: true,
            }),
        }
    }

    /// Adds a line-table entry for the next instruction.
    fn mark_at(&mut self, span: Span, is_stmt: bool) {
        if span.file != self.source {
            return;
        }
        let (line, col) = self.line_col(span);
        let pc = self.code.len() as u32;
        if let Some(last) = self.lines.last_mut() {
            if last.pc == pc {
                last.line = line;
                last.col = col;
                last.is_stmt |= is_stmt;
                return;
            }
            if last.line == line && last.col == col && (last.is_stmt == is_stmt || !is_stmt) {
                return;
            }
        }
        self.lines.push(LineEntry {
            pc,
            line,
            col,
            is_stmt,
        });
    }

    /// Marks the next instruction as one that can fail or calls, located at `span`'s start.
    fn mark_expr(&mut self, span: Span) {
        self.mark_at(span, false);
    }

    fn ty_of(&mut self, e: &Expr) -> Ty {
        match self.a.types.get(&e.span) {
            Some(ty) => ty.clone(),
            None => {
                self.internal(e.span, "expression without a type");
                Ty::Error
            }
        }
    }

    fn load_int(&mut self, dst: Reg, value: i64) {
        match i32::try_from(value) {
            Ok(value) => {
                self.emit(Instr::LoadInt { dst, value });
            }
            Err(_) => {
                let index = self.g.int_const(value);
                self.emit(Instr::LoadConst { dst, index });
            }
        }
    }

    fn load_const(&mut self, dst: Reg, value: &ConstValue) {
        match value {
            ConstValue::Int(v) => self.load_int(dst, *v),
            ConstValue::Float(v) => {
                let index = self.g.float_const(*v);
                self.emit(Instr::LoadConst { dst, index });
            }
            ConstValue::Bool(v) => {
                self.emit(Instr::LoadBool { dst, value: *v });
            }
            ConstValue::Str(v) => {
                let index = self.g.str_const(v);
                self.emit(Instr::LoadConst { dst, index });
            }
        }
    }

    fn default_value(&mut self, dst: Reg, ty: &Ty) {
        match ty {
            Ty::Int => self.load_int(dst, 0),
            Ty::Float => self.load_const(dst, &ConstValue::Float(0.0)),
            Ty::Bool => self.load_const(dst, &ConstValue::Bool(false)),
            Ty::Str => self.load_const(dst, &ConstValue::Str(String::new())),
            _ => {
                self.emit(Instr::LoadNull { dst });
            }
        }
    }

    /// The compile-time int value of `e` when it fits an `i32` immediate.
    fn small_int(&self, e: &Expr) -> Option<i32> {
        let e = strip(e);
        let value = match &e.kind {
            ExprKind::Int(v) => *v,
            ExprKind::Unary {
                op: UnOp::Neg,
                operand,
            } => match &strip(operand).kind {
                ExprKind::Int(v) => v.wrapping_neg(),
                _ => return None,
            },
            ExprKind::Name(_) | ExprKind::Field { .. } => match self.a.resolved.get(&e.span) {
                Some(Symbol::Const(id)) => match self.a.consts.get(*id as usize)?.value {
                    Some(ConstValue::Int(v)) => v,
                    _ => return None,
                },
                _ => return None,
            },
            _ => return None,
        };
        i32::try_from(value).ok()
    }

    // ---- statements ----

    fn block(&mut self, block: &Block) {
        self.push_scope();
        for stmt in &block.stmts {
            self.stmt(stmt);
        }
        self.pop_scope();
    }

    fn stmt(&mut self, s: &Stmt) {
        let mark = self.temps.len();
        if !matches!(s.kind, StmtKind::Block(_) | StmtKind::Error) {
            self.mark_at(s.span, true);
        }
        match &s.kind {
            StmtKind::Let { name, value, .. } => {
                let Some(&local) = self.a.local_defs.get(&name.span) else {
                    self.internal(name.span, "variable without a declaration");
                    return;
                };
                let ty = self.a.locals[local as usize].ty.clone();
                let reg = self.local_reg(local);
                match value {
                    Some(value) => {
                        self.expr_as(value, &ty, Some(reg));
                    }
                    None => self.default_value(reg, &ty),
                }
                let start = self.code.len() as u32;
                self.debug_local(local, reg, start);
            }
            StmtKind::Assign { target, op, value } => self.assign(target, *op, value),
            StmtKind::Expr(e) => match &e.kind {
                ExprKind::Match { scrutinee, arms } => {
                    let target = if self.a.tail_matches.contains(&e.span) {
                        MatchTarget::Tail
                    } else {
                        MatchTarget::Statement
                    };
                    self.match_(scrutinee, arms, target);
                }
                _ => {
                    self.expr(e, None);
                }
            },
            StmtKind::If {
                branches,
                else_block,
            } => {
                let mut ends = Vec::new();
                for (index, (cond, body)) in branches.iter().enumerate() {
                    if index > 0 {
                        self.mark_at(cond.span, true);
                    }
                    let cond_mark = self.temps.len();
                    let skip = self.cond_jump(cond, false);
                    self.release(cond_mark);
                    self.block(body);
                    let last = index + 1 == branches.len() && else_block.is_none();
                    if !last && self.reachable {
                        ends.push(self.emit(Instr::Jump { target: 0 }));
                    }
                    self.patch_here(&skip);
                }
                if let Some(body) = else_block {
                    self.block(body);
                }
                self.patch_here(&ends);
            }
            StmtKind::While { cond, body } => {
                let hoisted = self.hoisted.len();
                self.hoist_constants(cond);
                let top = self.label();
                self.mark_loop_head(s.span);
                let cond_mark = self.temps.len();
                let exits = self.cond_jump(cond, false);
                self.release(cond_mark);
                self.loops.push(LoopCtx::default());
                self.block(body);
                let ctx = self.loops.pop().unwrap_or_default();
                self.patch_all(&ctx.continues, top);
                self.emit(Instr::Jump { target: top });
                self.patch_here(&exits);
                self.patch_here(&ctx.breaks);
                self.hoisted.truncate(hoisted);
            }
            StmtKind::Loop { body } => {
                let top = self.label();
                self.loops.push(LoopCtx::default());
                self.block(body);
                let ctx = self.loops.pop().unwrap_or_default();
                self.patch_all(&ctx.continues, top);
                self.emit(Instr::Jump { target: top });
                self.patch_here(&ctx.breaks);
            }
            StmtKind::ForRange {
                var,
                start,
                end,
                inclusive,
                body,
            } => {
                self.for_range(s.span, var, start, end, *inclusive, body);
            }
            StmtKind::ForEach { var, iter, body } => self.for_each(s.span, var, iter, body),
            StmtKind::Break | StmtKind::Continue => {
                let jump = self.emit(Instr::Jump { target: 0 });
                let is_break = matches!(s.kind, StmtKind::Break);
                match self.loops.last_mut() {
                    Some(ctx) if is_break => ctx.breaks.push(jump),
                    Some(ctx) => ctx.continues.push(jump),
                    None => self.internal(s.span, "break outside of a loop"),
                }
            }
            StmtKind::Give(value) => self.give(value.as_ref()),
            StmtKind::Block(block) => self.block(block),
            StmtKind::Try { body, var, handler } => self.try_(body, var, handler),
            StmtKind::Throw(value) => {
                let message = self.expr_as(value, &Ty::Str, None);
                // A trace points at the `throw` keyword.
                self.mark_at(s.span, false);
                self.emit(Instr::Throw { message });
            }
            StmtKind::Error => {}
        }
        self.release(mark);
    }

    /// `try { body } catch var { handler }`: the body's instructions are covered by a handler that
    /// stores the message into `var`'s register and jumps to the handler block. Handlers of `try`s
    /// nested in the body are pushed first, so the table is innermost first.
    fn try_(&mut self, body: &Block, var: &ast::Ident, handler: &Block) {
        let start = self.code.len() as u32;
        self.block(body);
        let end = self.code.len() as u32;
        let skip = if self.reachable {
            vec![self.emit(Instr::Jump { target: 0 })]
        } else {
            Vec::new()
        };
        let Some(&local) = self.a.local_defs.get(&var.span) else {
            self.internal(var.span, "catch variable without a declaration");
            return;
        };
        let message_register = self.local_reg(local);
        let target_pc = self.label();
        self.handlers.push(Handler {
            start_pc: start,
            end_pc: end,
            target_pc,
            message_register,
        });
        self.push_scope();
        self.debug_local(local, message_register, target_pc);
        self.block(handler);
        self.pop_scope();
        self.patch_here(&skip);
    }

    fn give(&mut self, value: Option<&Expr>) {
        match value {
            Some(value) if self.ret == Ty::Void => {
                self.expr(value, None);
                self.emit(Instr::RetVoid {});
            }
            Some(value) => {
                let ret = self.ret.clone();
                let reg = self.expr_as(value, &ret, None);
                self.emit(Instr::Ret { src: reg });
            }
            None => {
                self.emit(Instr::RetVoid {});
            }
        }
    }

    fn for_range(
        &mut self,
        span: Span,
        var: &ast::Ident,
        start: &Expr,
        end: &Expr,
        inclusive: bool,
        body: &Block,
    ) {
        let Some(&local) = self.a.local_defs.get(&var.span) else {
            self.internal(var.span, "loop variable without a declaration");
            return;
        };
        self.push_scope();
        let var_reg = self.local_reg(local);
        let assigned = self.a.assigned.contains(&local);
        let counter = if assigned {
            self.temp(&Ty::Int)
        } else {
            var_reg
        };
        self.expr_as(start, &Ty::Int, Some(counter));
        let end_reg = match self.a.resolved.get(&strip(end).span) {
            Some(Symbol::Local(l)) if self.a.assigned.contains(l) => {
                let reg = self.temp(&Ty::Int);
                self.expr_as(end, &Ty::Int, Some(reg))
            }
            _ => self.expr_as(end, &Ty::Int, None),
        };
        let top = self.label();
        self.mark_loop_head(span);
        let exit = if inclusive {
            self.emit(Instr::JumpIfNotLeI {
                a: counter,
                b: end_reg,
                target: 0,
            })
        } else {
            self.emit(Instr::JumpIfNotLtI {
                a: counter,
                b: end_reg,
                target: 0,
            })
        };
        if assigned {
            self.emit(Instr::Move {
                dst: var_reg,
                src: counter,
            });
        }
        let start_pc = self.code.len() as u32;
        self.debug_local(local, var_reg, start_pc);
        self.loops.push(LoopCtx::default());
        self.block(body);
        let ctx = self.loops.pop().unwrap_or_default();
        let next = self.label();
        self.patch_all(&ctx.continues, next);
        let mut exits = vec![exit];
        if inclusive {
            let at_end = self.temp(&Ty::Bool);
            self.emit(Instr::EqI {
                dst: at_end,
                a: counter,
                b: end_reg,
            });
            exits.push(self.emit(Instr::JumpIf {
                cond: at_end,
                target: 0,
            }));
            self.emit(Instr::AddIImm {
                dst: counter,
                a: counter,
                imm: 1,
            });
            self.emit(Instr::Jump { target: top });
        } else {
            // The test at the top runs once; each later iteration is one `for.next`, shown on
            // the loop's line like the test.
            self.mark_loop_head(span);
            self.emit(Instr::ForNext {
                counter,
                end: end_reg,
                target: top + 1,
            });
        }
        self.patch_here(&exits);
        self.patch_here(&ctx.breaks);
        self.pop_scope();
    }

    fn for_each(&mut self, span: Span, var: &ast::Ident, iter: &Expr, body: &Block) {
        let Some(&local) = self.a.local_defs.get(&var.span) else {
            self.internal(var.span, "loop variable without a declaration");
            return;
        };
        let iter_ty = self.ty_of(iter).non_null().clone();
        let array = match &iter_ty {
            Ty::Map(key, _) => {
                let map = self.expr_as(iter, &iter_ty, None);
                let keys = self.temp(&Ty::Array(key.clone()));
                self.mark_expr(iter.span);
                self.emit(Instr::MapKeys { dst: keys, map });
                keys
            }
            _ => match self.a.resolved.get(&strip(iter).span) {
                Some(Symbol::Local(l)) if self.a.assigned.contains(l) => {
                    let reg = self.temp(&iter_ty);
                    self.expr_as(iter, &iter_ty, Some(reg))
                }
                _ => self.expr_as(iter, &iter_ty, None),
            },
        };
        self.push_scope();
        let index = self.temp(&Ty::Int);
        self.load_int(index, 0);
        let len = self.temp(&Ty::Int);
        let var_reg = self.local_reg(local);
        let top = self.label();
        self.mark_loop_head(span);
        self.emit(Instr::ArrayLen { dst: len, array });
        let exit = self.emit(Instr::JumpIfNotLtI {
            a: index,
            b: len,
            target: 0,
        });
        self.emit(Instr::ArrayGet {
            dst: var_reg,
            array,
            index,
        });
        let start_pc = self.code.len() as u32;
        self.debug_local(local, var_reg, start_pc);
        self.loops.push(LoopCtx::default());
        self.block(body);
        let ctx = self.loops.pop().unwrap_or_default();
        let next = self.label();
        self.patch_all(&ctx.continues, next);
        self.emit(Instr::AddIImm {
            dst: index,
            a: index,
            imm: 1,
        });
        self.emit(Instr::Jump { target: top });
        self.patch_here(&[exit]);
        self.patch_here(&ctx.breaks);
        self.pop_scope();
    }

    /// For `set s = s + e` or `set s += e` on a `string` local that never shares its value: `e`,
    /// which `concat.append` adds to the string in place (no other variable can see it change).
    fn appended_piece<'e>(
        &mut self,
        local: LocalId,
        target_ty: &Ty,
        op: Option<BinOp>,
        value: &'e Expr,
    ) -> Option<&'e Expr> {
        if *target_ty != Ty::Str || self.g.sharing_locals.contains(&local) {
            return None;
        }
        let piece = match (op, &strip(value).kind) {
            (Some(BinOp::Add), _) => value,
            (
                None,
                ExprKind::Binary {
                    op: BinOp::Add,
                    lhs,
                    rhs,
                },
            ) if self.a.resolved.get(&strip(lhs).span) == Some(&Symbol::Local(local)) => rhs,
            _ => return None,
        };
        (self.ty_of(piece) == Ty::Str).then_some(piece)
    }

    fn assign(&mut self, target: &Expr, op: Option<BinOp>, value: &Expr) {
        let target_ty = self.ty_of(target);
        match (&target.kind, self.a.resolved.get(&target.span).copied()) {
            (_, Some(Symbol::Local(local))) => {
                let reg = self.local_reg(local);
                if let Some(piece) = self.appended_piece(local, &target_ty, op, value) {
                    let src = self.expr_as(piece, &Ty::Str, None);
                    self.mark_expr(target.span);
                    self.emit(Instr::ConcatAppend { dst: reg, src });
                    return;
                }
                match op {
                    None if writes_destination_early(value) => {
                        let result = self.expr_as(value, &target_ty, None);
                        if result != reg {
                            self.emit(Instr::Move {
                                dst: reg,
                                src: result,
                            });
                        }
                    }
                    None => {
                        self.expr_as(value, &target_ty, Some(reg));
                    }
                    Some(op) => self.compound(op, &target_ty, reg, value, target.span),
                }
            }
            (_, Some(Symbol::Global(global))) => {
                let reg = self.assigned_value(op, &target_ty, value, target.span, None, |dst| {
                    Instr::GetGlobal { dst, global }
                });
                self.emit(Instr::SetGlobal { global, src: reg });
            }
            (ExprKind::Field { base, .. }, Some(Symbol::Field(form, field))) => {
                let object = self.expr_as(base, &Ty::Form(form), None);
                let field = field as u16;
                let load_at = Some(base.span);
                let reg = self.assigned_value(op, &target_ty, value, target.span, load_at, |dst| {
                    Instr::GetField { dst, object, field }
                });
                self.mark_expr(base.span);
                self.emit(Instr::SetField {
                    object,
                    field,
                    src: reg,
                });
            }
            (ExprKind::Index { base, index }, _) => {
                let base_ty = self.ty_of(base).non_null().clone();
                let container = self.expr_as(base, &base_ty, None);
                match &base_ty {
                    Ty::Array(elem) => {
                        let index = self.expr_as(index, &Ty::Int, None);
                        let load_at = Some(base.span);
                        let reg =
                            self.assigned_value(op, elem, value, target.span, load_at, |dst| {
                                Instr::ArrayGet {
                                    dst,
                                    array: container,
                                    index,
                                }
                            });
                        self.mark_expr(base.span);
                        self.emit(Instr::ArraySet {
                            array: container,
                            index,
                            src: reg,
                        });
                    }
                    Ty::Map(key, elem) => {
                        let key = self.expr_as(index, key, None);
                        let load_at = Some(base.span);
                        let reg =
                            self.assigned_value(op, elem, value, target.span, load_at, |dst| {
                                Instr::MapGet {
                                    dst,
                                    map: container,
                                    key,
                                }
                            });
                        self.emit(Instr::MapSet {
                            map: container,
                            key,
                            src: reg,
                        });
                    }
                    _ => self.internal(
                        target.span,
                        "element assignment on a value that is not an array or map",
                    ),
                }
            }
            _ => self.internal(target.span, "unsupported assignment target"),
        }
    }

    /// The register holding what an assignment stores: `value` itself, or for a compound assignment
    /// (`op=`) the current value, read by the instruction `load` makes (its possible runtime error
    /// located at `load_at`), combined with `value`.
    fn assigned_value(
        &mut self,
        op: Option<BinOp>,
        ty: &Ty,
        value: &Expr,
        target: Span,
        load_at: Option<Span>,
        load: impl FnOnce(Reg) -> Instr,
    ) -> Reg {
        let Some(op) = op else {
            return self.expr_as(value, ty, None);
        };
        let reg = self.temp(ty);
        if let Some(span) = load_at {
            self.mark_expr(span);
        }
        self.emit(load(reg));
        self.compound(op, ty, reg, value, target);
        reg
    }

    /// `reg = reg op value` for a compound assignment.
    fn compound(&mut self, op: BinOp, ty: &Ty, reg: Reg, value: &Expr, span: Span) {
        let operand_ty = ty.non_null().clone();
        if operand_ty == Ty::Int
            && let Some(imm) = self.small_int(value)
            && self.arith_imm(op, reg, reg, imm, span)
        {
            return;
        }
        let rhs = self.expr_as(value, &operand_ty, None);
        self.arith(op, &operand_ty, reg, reg, rhs, span);
    }

    /// `dst = a op imm` in one instruction, when there is one for `op` (int `+ - * / %`; a
    /// division by a literal 0 keeps its register form, which raises the error); returns whether
    /// it was emitted.
    fn arith_imm(&mut self, op: BinOp, dst: Reg, a: Reg, imm: i32, span: Span) -> bool {
        let instr = match op {
            BinOp::Add => Instr::AddIImm { dst, a, imm },
            BinOp::Sub => match imm.checked_neg() {
                Some(imm) => Instr::AddIImm { dst, a, imm },
                None => return false,
            },
            BinOp::Mul => Instr::MulIImm { dst, a, imm },
            BinOp::Div if imm != 0 => {
                self.mark_expr(span);
                Instr::DivIImm { dst, a, imm }
            }
            BinOp::Rem if imm != 0 => {
                self.mark_expr(span);
                Instr::RemIImm { dst, a, imm }
            }
            _ => return false,
        };
        self.emit(instr);
        true
    }

    /// Emits `dst = a op b` for an arithmetic operator on `ty` (int, float or string `+`).
    fn arith(&mut self, op: BinOp, ty: &Ty, dst: Reg, a: Reg, b: Reg, span: Span) {
        let instr = match (ty, op) {
            (Ty::Int, BinOp::Add) => Instr::AddI { dst, a, b },
            (Ty::Int, BinOp::Sub) => Instr::SubI { dst, a, b },
            (Ty::Int, BinOp::Mul) => Instr::MulI { dst, a, b },
            (Ty::Int, BinOp::Div) => {
                self.mark_expr(span);
                Instr::DivI { dst, a, b }
            }
            (Ty::Int, BinOp::Rem) => {
                self.mark_expr(span);
                Instr::RemI { dst, a, b }
            }
            (Ty::Float, BinOp::Add) => Instr::AddF { dst, a, b },
            (Ty::Float, BinOp::Sub) => Instr::SubF { dst, a, b },
            (Ty::Float, BinOp::Mul) => Instr::MulF { dst, a, b },
            (Ty::Float, BinOp::Div) => Instr::DivF { dst, a, b },
            (Ty::Float, BinOp::Rem) => Instr::RemF { dst, a, b },
            (Ty::Str, BinOp::Add) => {
                self.mark_expr(span);
                Instr::Concat { dst, a, b }
            }
            _ => {
                self.internal(span, "arithmetic on an unexpected type");
                return;
            }
        };
        self.emit(instr);
    }

    // ---- conditions ----

    /// Loads the int constants that a loop condition compares or multiplies with into registers
    /// before the loop, so each iteration reuses them (the registers stay busy until the loop
    /// statement ends).
    fn hoist_constants(&mut self, cond: &Expr) {
        let e = strip(cond);
        match &e.kind {
            ExprKind::Unary { operand, .. } => self.hoist_constants(operand),
            ExprKind::Binary { op, lhs, rhs } => {
                let operands_count =
                    !matches!(op, BinOp::And | BinOp::Or | BinOp::Add | BinOp::Sub);
                for side in [lhs, rhs] {
                    match self.small_int(side) {
                        Some(value) if operands_count => {
                            let value = i64::from(value);
                            if self.cached_int(value).is_none() {
                                let reg = self.temp(&Ty::Int);
                                self.load_int(reg, value);
                                self.hoisted.push((value, reg));
                            }
                        }
                        Some(_) => {}
                        None => self.hoist_constants(side),
                    }
                }
            }
            _ => {}
        }
    }

    /// A register already holding int `value` for the whole current loop, if any.
    fn cached_int(&self, value: i64) -> Option<Reg> {
        self.hoisted
            .iter()
            .rev()
            .find(|(v, _)| *v == value)
            .map(|(_, reg)| *reg)
    }

    /// Evaluates condition `e` and jumps when it equals `jump_if`; returns the jumps to patch. Falls
    /// through otherwise.
    fn cond_jump(&mut self, e: &Expr, jump_if: bool) -> Vec<usize> {
        let e = strip(e);
        match &e.kind {
            ExprKind::Bool(value) => {
                if *value == jump_if {
                    vec![self.emit(Instr::Jump { target: 0 })]
                } else {
                    Vec::new()
                }
            }
            ExprKind::Unary {
                op: UnOp::Not,
                operand,
            } => self.cond_jump(operand, !jump_if),
            ExprKind::Binary {
                op: BinOp::And,
                lhs,
                rhs,
            } => {
                if jump_if {
                    let skip = self.cond_jump(lhs, false);
                    let taken = self.cond_jump(rhs, true);
                    self.patch_here(&skip);
                    taken
                } else {
                    let mut taken = self.cond_jump(lhs, false);
                    taken.extend(self.cond_jump(rhs, false));
                    taken
                }
            }
            ExprKind::Binary {
                op: BinOp::Or,
                lhs,
                rhs,
            } => {
                if jump_if {
                    let mut taken = self.cond_jump(lhs, true);
                    taken.extend(self.cond_jump(rhs, true));
                    taken
                } else {
                    let done = self.cond_jump(lhs, true);
                    let taken = self.cond_jump(rhs, false);
                    self.patch_here(&done);
                    taken
                }
            }
            ExprKind::Binary {
                op: op @ (BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne),
                lhs,
                rhs,
            } if self.ty_of(lhs) == Ty::Int
                && self.ty_of(rhs) == Ty::Int
                && (self.small_int(rhs).is_some() || self.small_int(lhs).is_some()) =>
            {
                // An int compared with a literal: one fused instruction that jumps unless the
                // comparison holds. `7 < x` is `x > 7`; jumping when it holds is jumping unless
                // the opposite holds.
                let (operand, imm, op) = match self.small_int(rhs) {
                    Some(imm) => (lhs, imm, *op),
                    None => (rhs, self.small_int(lhs).unwrap_or_default(), mirrored(*op)),
                };
                let op = if jump_if { negated(op) } else { op };
                let a = self.expr_as(operand, &Ty::Int, None);
                let target = 0;
                let instr = match op {
                    BinOp::Eq => Instr::JumpIfNotEqIImm { a, imm, target },
                    BinOp::Ne => Instr::JumpIfNotNeIImm { a, imm, target },
                    BinOp::Lt => Instr::JumpIfNotLtIImm { a, imm, target },
                    BinOp::Le => Instr::JumpIfNotLeIImm { a, imm, target },
                    BinOp::Gt => Instr::JumpIfNotGtIImm { a, imm, target },
                    _ => Instr::JumpIfNotGeIImm { a, imm, target },
                };
                vec![self.emit(instr)]
            }
            ExprKind::Binary {
                op: op @ (BinOp::Eq | BinOp::Ne),
                lhs,
                rhs,
            } if self.ty_of(lhs) == Ty::Int && self.ty_of(rhs) == Ty::Int => {
                let a = self.expr_as(lhs, &Ty::Int, None);
                let b = self.expr_as(rhs, &Ty::Int, None);
                let target = 0;
                let jump = if (*op == BinOp::Eq) != jump_if {
                    self.emit(Instr::JumpIfNotEqI { a, b, target })
                } else {
                    self.emit(Instr::JumpIfNotNeI { a, b, target })
                };
                vec![jump]
            }
            ExprKind::Binary {
                op: op @ (BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge),
                lhs,
                rhs,
            } if self.ty_of(lhs).non_null() == &Ty::Int => {
                let left = self.expr_as(lhs, &Ty::Int, None);
                let right = self.expr_as(rhs, &Ty::Int, None);
                // `jump.ifnot.lt a, b` jumps when !(a < b); the other cases are rewritten to it.
                let (lt, a, b) = match (op, jump_if) {
                    (BinOp::Lt, false) => (true, left, right),
                    (BinOp::Le, false) => (false, left, right),
                    (BinOp::Gt, false) => (true, right, left),
                    (BinOp::Ge, false) => (false, right, left),
                    (BinOp::Lt, true) => (false, right, left),
                    (BinOp::Le, true) => (true, right, left),
                    (BinOp::Gt, true) => (false, left, right),
                    _ => (true, left, right),
                };
                let jump = if lt {
                    self.emit(Instr::JumpIfNotLtI { a, b, target: 0 })
                } else {
                    self.emit(Instr::JumpIfNotLeI { a, b, target: 0 })
                };
                vec![jump]
            }
            _ => {
                let cond = self.expr_as(e, &Ty::Bool, None);
                let jump = if jump_if {
                    self.emit(Instr::JumpIf { cond, target: 0 })
                } else {
                    self.emit(Instr::JumpIfNot { cond, target: 0 })
                };
                vec![jump]
            }
        }
    }

    // ---- match ----

    fn match_(&mut self, scrutinee: &Expr, arms: &[MatchArm], target: MatchTarget) {
        let scrutinee_ty = self.ty_of(scrutinee).non_null().clone();
        let value = self.expr_as(scrutinee, &scrutinee_ty, None);
        let tag = if let Ty::Pick(_) = scrutinee_ty {
            let tag = self.temp(&Ty::Int);
            self.mark_expr(scrutinee.span);
            self.emit(Instr::PickTag {
                dst: tag,
                pick: value,
            });
            Some(tag)
        } else {
            None
        };
        let mut ends = Vec::new();
        for arm in arms {
            let mark = self.temps.len();
            self.push_scope();
            let mut next = Vec::new();
            match &arm.pattern {
                Pattern::Int(v, _) => {
                    let constant = self.temp(&Ty::Int);
                    self.load_int(constant, *v);
                    let equal = self.temp(&Ty::Bool);
                    self.emit(Instr::EqI {
                        dst: equal,
                        a: value,
                        b: constant,
                    });
                    next.push(self.emit(Instr::JumpIfNot {
                        cond: equal,
                        target: 0,
                    }));
                }
                Pattern::Str(v, _) => {
                    let constant = self.temp(&Ty::Str);
                    self.load_const(constant, &ConstValue::Str(v.clone()));
                    let equal = self.temp(&Ty::Bool);
                    self.emit(Instr::EqS {
                        dst: equal,
                        a: value,
                        b: constant,
                    });
                    next.push(self.emit(Instr::JumpIfNot {
                        cond: equal,
                        target: 0,
                    }));
                }
                Pattern::Bool(v, _) => {
                    let jump = if *v {
                        Instr::JumpIfNot {
                            cond: value,
                            target: 0,
                        }
                    } else {
                        Instr::JumpIf {
                            cond: value,
                            target: 0,
                        }
                    };
                    next.push(self.emit(jump));
                }
                Pattern::Case {
                    path,
                    bindings,
                    span,
                } => {
                    let (Ty::Pick(pick), Some(tag)) = (&scrutinee_ty, tag) else {
                        self.internal(*span, "case pattern on a value that is not a pick");
                        continue;
                    };
                    let pick = *pick;
                    let case = path.last().and_then(|name| {
                        self.a.picks[pick as usize]
                            .cases
                            .iter()
                            .position(|c| c.name == name.name)
                    });
                    let Some(case) = case else {
                        self.internal(*span, "unknown case");
                        continue;
                    };
                    let constant = self.temp(&Ty::Int);
                    self.load_int(constant, case as i64);
                    let equal = self.temp(&Ty::Bool);
                    self.emit(Instr::EqI {
                        dst: equal,
                        a: tag,
                        b: constant,
                    });
                    next.push(self.emit(Instr::JumpIfNot {
                        cond: equal,
                        target: 0,
                    }));
                    for (field, binding) in bindings.iter().enumerate() {
                        if binding.name == "_" {
                            continue;
                        }
                        let Some(&local) = self.a.local_defs.get(&binding.span) else {
                            continue;
                        };
                        let reg = self.local_reg(local);
                        self.emit(Instr::PickField {
                            dst: reg,
                            pick: value,
                            case: case as u16,
                            field: field as u16,
                        });
                        let start = self.code.len() as u32;
                        self.debug_local(local, reg, start);
                    }
                }
                Pattern::Else(_) | Pattern::Error(_) => {}
            }
            if let Some(guard) = &arm.guard {
                next.extend(self.cond_jump(guard, false));
            }
            match &arm.body {
                ArmBody::Expr(e) => match &target {
                    MatchTarget::Value(dst, ty) => {
                        self.expr_as(e, ty, Some(*dst));
                    }
                    MatchTarget::Statement => {
                        self.mark_at(e.span, true);
                        self.expr(e, None);
                    }
                    MatchTarget::Tail => {
                        self.mark_at(e.span, true);
                        self.give(Some(e));
                    }
                },
                ArmBody::Block(block) => self.block(block),
            }
            self.pop_scope();
            self.release(mark);
            if self.reachable {
                ends.push(self.emit(Instr::Jump { target: 0 }));
            }
            self.patch_here(&next);
        }
        self.patch_here(&ends);
    }

    // ---- expressions ----

    /// Compiles `e` and gives its value converted to `want` (into `dst` when given).
    fn expr_as(&mut self, e: &Expr, want: &Ty, dst: Option<Reg>) -> Reg {
        let ty = self.ty_of(e);
        if ty == *want || ty.is_error() || want.is_error() {
            return self.expr(e, dst);
        }
        if ty == Ty::Null {
            let reg = self.dst(dst, want);
            self.emit(Instr::LoadNull { dst: reg });
            return reg;
        }
        // `T` and `?T` share their representation (the verifier does not tell them apart), so a
        // conversion only costs a null check when a `?T` is used as a `T`.
        if let Ty::Nullable(inner) = want
            && **inner == ty
        {
            return self.expr(e, dst);
        }
        let reg = self.expr(e, None);
        if let Ty::Nullable(inner) = &ty
            && **inner == *want
        {
            self.null_check(reg, &ty, e.span);
            if dst.is_none() {
                return reg;
            }
        }
        let out = self.dst(dst, want);
        self.emit(Instr::Move { dst: out, src: reg });
        out
    }

    /// Raises `null dereference` (located at `span`) when `reg` holds null.
    fn null_check(&mut self, reg: Reg, ty: &Ty, span: Span) {
        let null = self.temp(ty);
        self.emit(Instr::LoadNull { dst: null });
        let is_null = self.temp(&Ty::Bool);
        self.emit(Instr::EqRef {
            dst: is_null,
            a: reg,
            b: null,
        });
        let skip = self.emit(Instr::JumpIfNot {
            cond: is_null,
            target: 0,
        });
        let message = self.temp(&Ty::Str);
        self.load_const(message, &ConstValue::Str("null dereference".into()));
        self.mark_expr(span);
        self.emit(Instr::Throw { message });
        self.patch_here(&[skip]);
    }

    /// Compiles `e` with its own static type; the value ends up in `dst` when given (which must
    /// have that type), else in a temporary or the variable's own register.
    fn expr(&mut self, e: &Expr, dst: Option<Reg>) -> Reg {
        let ty = self.ty_of(e);
        match &e.kind {
            ExprKind::Int(v) => {
                if dst.is_none()
                    && let Some(reg) = self.cached_int(*v)
                {
                    return reg;
                }
                let reg = self.dst(dst, &Ty::Int);
                self.load_int(reg, *v);
                reg
            }
            ExprKind::Float(v) => {
                let reg = self.dst(dst, &Ty::Float);
                self.load_const(reg, &ConstValue::Float(*v));
                reg
            }
            ExprKind::Str(v) => {
                let reg = self.dst(dst, &Ty::Str);
                self.load_const(reg, &ConstValue::Str(v.clone()));
                reg
            }
            ExprKind::Bool(v) => {
                let reg = self.dst(dst, &Ty::Bool);
                self.load_const(reg, &ConstValue::Bool(*v));
                reg
            }
            ExprKind::Null => {
                let reg = self.dst(dst, &ty);
                self.emit(Instr::LoadNull { dst: reg });
                reg
            }
            ExprKind::Name(_) => self.symbol_value(e, &ty, dst),
            ExprKind::Field { base, .. } => match self.a.resolved.get(&e.span).copied() {
                Some(Symbol::Field(form, field)) => {
                    let object = self.expr_as(base, &Ty::Form(form), None);
                    let reg = self.dst(dst, &ty);
                    self.mark_expr(base.span);
                    self.emit(Instr::GetField {
                        dst: reg,
                        object,
                        field: field as u16,
                    });
                    reg
                }
                _ => self.symbol_value(e, &ty, dst),
            },
            ExprKind::Index { base, index } => {
                let base_ty = self.ty_of(base).non_null().clone();
                let container = self.expr_as(base, &base_ty, None);
                match &base_ty {
                    Ty::Array(_) => {
                        let index = self.expr_as(index, &Ty::Int, None);
                        let reg = self.dst(dst, &ty);
                        self.mark_expr(base.span);
                        self.emit(Instr::ArrayGet {
                            dst: reg,
                            array: container,
                            index,
                        });
                        reg
                    }
                    Ty::Map(key, _) => {
                        let key = self.expr_as(index, key, None);
                        let reg = self.dst(dst, &ty);
                        self.mark_expr(base.span);
                        self.emit(Instr::MapGet {
                            dst: reg,
                            map: container,
                            key,
                        });
                        reg
                    }
                    _ => {
                        self.internal(e.span, "index on a value that is not an array or map");
                        self.dst(dst, &ty)
                    }
                }
            }
            ExprKind::Call { callee, args } => self.call(e, callee, args, &ty, dst),
            ExprKind::Unary { op, operand } => self.unary(e, *op, operand, &ty, dst),
            ExprKind::Binary { op, lhs, rhs } => self.binary(e, *op, lhs, rhs, &ty, dst),
            ExprKind::Array(elems) => self.array_literal(elems, &ty, dst),
            ExprKind::Map(entries) => {
                let Ty::Map(key_ty, value_ty) = ty.non_null().clone() else {
                    self.internal(e.span, "map literal without a map type");
                    return self.dst(dst, &ty);
                };
                let map = if entries.is_empty() {
                    self.dst(dst, &ty)
                } else {
                    self.temp(&ty)
                };
                self.emit(Instr::NewMap { dst: map });
                for (key, value) in entries {
                    let key = self.expr_as(key, &key_ty, None);
                    let value = self.expr_as(value, &value_ty, None);
                    self.emit(Instr::MapSet {
                        map,
                        key,
                        src: value,
                    });
                }
                match dst {
                    Some(dst) if dst != map => {
                        self.emit(Instr::Move { dst, src: map });
                        dst
                    }
                    _ => map,
                }
            }
            ExprKind::FormLit { fields, .. } => {
                let Ty::Form(form) = ty else {
                    self.internal(e.span, "form literal without a form type");
                    return self.dst(dst, &ty);
                };
                let declared: Vec<(String, Ty)> = self.a.forms[form as usize]
                    .fields
                    .iter()
                    .map(|f| (f.name.clone(), f.ty.clone()))
                    .collect();
                let tys: Vec<Ty> = declared.iter().map(|(_, t)| t.clone()).collect();
                let first = if tys.is_empty() {
                    None
                } else {
                    Some(self.temps_consecutive(&tys))
                };
                for (name, value) in fields {
                    let Some(index) = declared.iter().position(|(n, _)| *n == name.name) else {
                        continue;
                    };
                    let slot = first.map(|f| f + index as Reg);
                    self.expr_as(value, &declared[index].1, slot);
                }
                let reg = self.dst(dst, &ty);
                self.emit(Instr::NewForm {
                    dst: reg,
                    first: first.unwrap_or(reg),
                });
                reg
            }
            ExprKind::Match { scrutinee, arms } => {
                let reg = self.dst(dst, &ty);
                self.match_(scrutinee, arms, MatchTarget::Value(reg, ty.clone()));
                reg
            }
            ExprKind::Paren(inner) => self.expr(inner, dst),
            ExprKind::Spawn(call) => self.spawn(e, call, dst),
            ExprKind::Error => {
                self.internal(e.span, "unsupported expression");
                self.dst(dst, &ty)
            }
        }
    }

    /// The value of a name or path: a local, global, const or payload-less pick case.
    fn symbol_value(&mut self, e: &Expr, ty: &Ty, dst: Option<Reg>) -> Reg {
        match self.a.resolved.get(&e.span).copied() {
            Some(Symbol::Local(local)) => {
                let reg = self.local_reg(local);
                match dst {
                    Some(dst) if dst != reg => {
                        self.emit(Instr::Move { dst, src: reg });
                        dst
                    }
                    _ => reg,
                }
            }
            Some(Symbol::Global(global)) => {
                let reg = self.dst(dst, ty);
                self.emit(Instr::GetGlobal { dst: reg, global });
                reg
            }
            Some(Symbol::Const(id)) => {
                let value = self.a.consts.get(id as usize).and_then(|c| c.value.clone());
                if dst.is_none()
                    && let Some(ConstValue::Int(v)) = value
                    && let Some(reg) = self.cached_int(v)
                {
                    return reg;
                }
                let reg = self.dst(dst, ty);
                match value {
                    Some(value) => self.load_const(reg, &value),
                    None => self.internal(e.span, "constant without a value"),
                }
                reg
            }
            Some(Symbol::Case(_, case)) => {
                let reg = self.dst(dst, ty);
                self.emit(Instr::NewPick {
                    dst: reg,
                    case: case as u16,
                    first: reg,
                });
                reg
            }
            _ => {
                self.internal(e.span, "unresolved name");
                self.dst(dst, ty)
            }
        }
    }

    fn unary(&mut self, e: &Expr, op: UnOp, operand: &Expr, ty: &Ty, dst: Option<Reg>) -> Reg {
        let reg = self.dst(dst, ty);
        match op {
            UnOp::Neg => match (&strip(operand).kind, ty) {
                (ExprKind::Int(v), _) => self.load_int(reg, v.wrapping_neg()),
                (ExprKind::Float(v), _) => self.load_const(reg, &ConstValue::Float(-v)),
                (_, Ty::Int) => {
                    let src = self.expr_as(operand, &Ty::Int, None);
                    self.emit(Instr::NegI { dst: reg, src });
                }
                (_, Ty::Float) => {
                    let src = self.expr_as(operand, &Ty::Float, None);
                    self.emit(Instr::NegF { dst: reg, src });
                }
                _ => self.internal(e.span, "negation of a value that is not a number"),
            },
            UnOp::Not => {
                let src = self.expr_as(operand, &Ty::Bool, None);
                self.emit(Instr::Not { dst: reg, src });
            }
        }
        reg
    }

    fn binary(
        &mut self,
        e: &Expr,
        op: BinOp,
        lhs: &Expr,
        rhs: &Expr,
        ty: &Ty,
        dst: Option<Reg>,
    ) -> Reg {
        match op {
            BinOp::And | BinOp::Or => {
                let reg = self.dst(dst, &Ty::Bool);
                self.expr_as(lhs, &Ty::Bool, Some(reg));
                let jump = if op == BinOp::And {
                    self.emit(Instr::JumpIfNot {
                        cond: reg,
                        target: 0,
                    })
                } else {
                    self.emit(Instr::JumpIf {
                        cond: reg,
                        target: 0,
                    })
                };
                self.expr_as(rhs, &Ty::Bool, Some(reg));
                self.patch_here(&[jump]);
                reg
            }
            BinOp::Eq | BinOp::Ne => self.equality(op == BinOp::Eq, lhs, rhs, dst),
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let left_ty = self.ty_of(lhs);
                let operand_ty = if left_ty.is_error() {
                    self.ty_of(rhs)
                } else {
                    left_ty
                }
                .non_null()
                .clone();
                let left = self.expr_as(lhs, &operand_ty, None);
                let right = self.expr_as(rhs, &operand_ty, None);
                let reg = self.dst(dst, &Ty::Bool);
                let (a, b) = if matches!(op, BinOp::Gt | BinOp::Ge) {
                    (right, left)
                } else {
                    (left, right)
                };
                let strict = matches!(op, BinOp::Lt | BinOp::Gt);
                let instr = match (&operand_ty, strict) {
                    (Ty::Int, true) => Instr::LtI { dst: reg, a, b },
                    (Ty::Int, false) => Instr::LeI { dst: reg, a, b },
                    (Ty::Float, true) => Instr::LtF { dst: reg, a, b },
                    (Ty::Float, false) => Instr::LeF { dst: reg, a, b },
                    (Ty::Str, true) => Instr::LtS { dst: reg, a, b },
                    (Ty::Str, false) => Instr::LeS { dst: reg, a, b },
                    _ => {
                        self.internal(e.span, "comparison of values that are not ordered");
                        return reg;
                    }
                };
                if operand_ty == Ty::Str {
                    self.mark_expr(lhs.span);
                }
                self.emit(instr);
                reg
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem => {
                let operand_ty = ty.non_null().clone();
                if operand_ty == Ty::Int {
                    // `x op 7`, and `7 + x` or `7 * x` (which commute).
                    let with_imm = match (self.small_int(rhs), self.small_int(lhs)) {
                        (Some(imm), _) if imm != 0 || !matches!(op, BinOp::Div | BinOp::Rem) => {
                            Some((lhs, imm))
                        }
                        (None, Some(imm)) if matches!(op, BinOp::Add | BinOp::Mul) => {
                            Some((rhs, imm))
                        }
                        _ => None,
                    };
                    if let Some((operand, imm)) = with_imm
                        && (op != BinOp::Sub || imm.checked_neg().is_some())
                    {
                        let a = self.expr_as(operand, &Ty::Int, None);
                        let reg = self.dst(dst, &Ty::Int);
                        self.arith_imm(op, reg, a, imm, lhs.span);
                        return reg;
                    }
                }
                let left = self.expr_as(lhs, &operand_ty, None);
                let right = self.expr_as(rhs, &operand_ty, None);
                let reg = self.dst(dst, ty);
                self.arith(op, &operand_ty, reg, left, right, lhs.span);
                reg
            }
        }
    }

    fn equality(&mut self, equal: bool, lhs: &Expr, rhs: &Expr, dst: Option<Reg>) -> Reg {
        let left_ty = self.ty_of(lhs);
        let right_ty = self.ty_of(rhs);
        if left_ty == Ty::Null && right_ty == Ty::Null {
            let reg = self.dst(dst, &Ty::Bool);
            self.load_const(reg, &ConstValue::Bool(equal));
            return reg;
        }
        let base = if left_ty == Ty::Null {
            right_ty.clone()
        } else {
            left_ty.clone()
        };
        let plain = base.non_null().clone();
        let (left, right) = match plain {
            Ty::Int | Ty::Float | Ty::Bool => (
                self.expr_as(lhs, &plain, None),
                self.expr_as(rhs, &plain, None),
            ),
            _ => {
                let left = self.reference_operand(lhs, &left_ty, &right_ty);
                let right = self.reference_operand(rhs, &right_ty, &left_ty);
                (left, right)
            }
        };
        let reg = self.dst(dst, &Ty::Bool);
        let (a, b) = (left, right);
        let instr = match (&plain, equal) {
            (Ty::Int, true) => Instr::EqI { dst: reg, a, b },
            (Ty::Int, false) => Instr::NeI { dst: reg, a, b },
            (Ty::Float, true) => Instr::EqF { dst: reg, a, b },
            (Ty::Float, false) => Instr::NeF { dst: reg, a, b },
            (Ty::Bool, true) => Instr::EqB { dst: reg, a, b },
            (Ty::Bool, false) => Instr::NeB { dst: reg, a, b },
            (Ty::Str, true) => Instr::EqS { dst: reg, a, b },
            (Ty::Str, false) => Instr::NeS { dst: reg, a, b },
            (_, true) => Instr::EqRef { dst: reg, a, b },
            (_, false) => Instr::NeRef { dst: reg, a, b },
        };
        self.emit(instr);
        reg
    }

    /// An operand of `==` on references: its own register, or a null of the other side's type.
    fn reference_operand(&mut self, e: &Expr, ty: &Ty, other: &Ty) -> Reg {
        if *ty == Ty::Null {
            let reg = self.temp(other);
            self.emit(Instr::LoadNull { dst: reg });
            return reg;
        }
        self.expr(e, None)
    }

    fn array_literal(&mut self, elems: &[Expr], ty: &Ty, dst: Option<Reg>) -> Reg {
        let elem = match ty.non_null() {
            Ty::Array(elem) => (**elem).clone(),
            _ => Ty::Error,
        };
        if !elems.is_empty() && elems.len() <= MAX_LITERAL_REGISTERS {
            let first = self.temps_consecutive(&vec![elem.clone(); elems.len()]);
            for (index, value) in elems.iter().enumerate() {
                self.expr_as(value, &elem, Some(first + index as Reg));
            }
            let reg = self.dst(dst, ty);
            self.emit(Instr::NewArray {
                dst: reg,
                first,
                count: elems.len() as u16,
            });
            return reg;
        }
        let array = if elems.is_empty() {
            self.dst(dst, ty)
        } else {
            self.temp(ty)
        };
        let first = self.temp(&elem);
        self.emit(Instr::NewArray {
            dst: array,
            first,
            count: 0,
        });
        for value in elems {
            let value = self.expr_as(value, &elem, None);
            self.emit(Instr::ArrayPush { array, src: value });
        }
        match dst {
            Some(dst) if dst != array => {
                self.emit(Instr::Move { dst, src: array });
                dst
            }
            _ => array,
        }
    }

    // ---- calls ----

    /// Places call arguments in consecutive registers converted to `tys`; gives the first register.
    fn arguments(&mut self, args: &[Expr], tys: &[Ty]) -> Option<Reg> {
        match args {
            [] => None,
            [single] => Some(self.expr_as(single, tys.first().unwrap_or(&Ty::Error), None)),
            _ => {
                let first = self.temps_consecutive(tys);
                for (index, (arg, ty)) in args.iter().zip(tys).enumerate() {
                    self.expr_as(arg, ty, Some(first + index as Reg));
                }
                Some(first)
            }
        }
    }

    /// The register a call's result goes to. A `void` call names one anyway (the instruction has the
    /// operand, and it is ignored): the first argument's, or a fresh temporary when there is none.
    fn call_result(&mut self, first_arg: Option<Reg>, ret: &Ty, dst: Option<Reg>) -> Reg {
        match (ret, first_arg) {
            (Ty::Void, Some(first)) => first,
            (Ty::Void, None) => self.temp(&Ty::Bool),
            _ => self.dst(dst, ret),
        }
    }

    fn call(&mut self, e: &Expr, callee: &Expr, args: &[Expr], ty: &Ty, dst: Option<Reg>) -> Reg {
        match self.a.calls.get(&e.span).copied() {
            Some(Callee::Proc(proc)) => {
                let info = &self.a.procs[proc as usize];
                let params = info.param_types.clone();
                let ret = info.ret.clone();
                let first = self.arguments(args, &params);
                let reg = self.call_result(first, &ret, dst);
                self.mark_expr(callee.span);
                self.emit(Instr::Call {
                    func: proc,
                    args: first.unwrap_or(reg),
                    dst: reg,
                });
                reg
            }
            Some(Callee::Case(pick, case)) => {
                let fields: Vec<Ty> = self.a.picks[pick as usize].cases[case as usize]
                    .fields
                    .iter()
                    .map(|f| f.ty.clone())
                    .collect();
                let first = self.arguments(args, &fields);
                let reg = self.dst(dst, ty);
                self.emit(Instr::NewPick {
                    dst: reg,
                    case: case as u16,
                    first: first.unwrap_or(reg),
                });
                reg
            }
            Some(Callee::Builtin(builtin)) => self.builtin(e, builtin, callee, args, ty, dst),
            Some(Callee::Host(host)) => self.host_call(host, args, callee, dst),
            None => {
                self.internal(e.span, "unresolved call");
                self.dst(dst, ty)
            }
        }
    }

    /// `spawn f(args…)`: the arguments in consecutive registers, then `spawn`.
    fn spawn(&mut self, e: &Expr, call: &Expr, dst: Option<Reg>) -> Reg {
        let (ExprKind::Call { callee, args }, Some(Callee::Proc(proc))) =
            (&call.kind, self.a.calls.get(&call.span).copied())
        else {
            self.internal(e.span, "spawn of something that is not a procedure call");
            return self.dst(dst, &Ty::Thread);
        };
        let params = self.a.procs[proc as usize].param_types.clone();
        let first = self.arguments(args, &params);
        let reg = self.dst(dst, &Ty::Thread);
        self.mark_expr(callee.span);
        self.emit(Instr::Spawn {
            func: proc,
            args: first.unwrap_or(reg),
            dst: reg,
        });
        reg
    }

    fn native_call(
        &mut self,
        native: Native,
        args: &[Expr],
        callee: &Expr,
        dst: Option<Reg>,
    ) -> Reg {
        let (params, ret) = native.signature();
        let index = self.g.native(native);
        let first = self.arguments(args, &params);
        let reg = self.call_result(first, &ret, dst);
        self.mark_expr(callee.span);
        self.emit(Instr::CallNative {
            native: index,
            args: first.unwrap_or(reg),
            dst: reg,
        });
        reg
    }

    /// A call of the embedder's host function `host` (an index into [`Analysis::hosts`]): a native
    /// import under the host function's name, with the signature the compiler was given.
    fn host_call(&mut self, host: u32, args: &[Expr], callee: &Expr, dst: Option<Reg>) -> Reg {
        let Some(info) = self.a.hosts.get(host as usize) else {
            self.internal(callee.span, "unknown host function");
            return self.dst(dst, &Ty::Void);
        };
        let (name, params, ret) = (info.name.clone(), info.params.clone(), info.ret.clone());
        let index = match self.g.module.natives.iter().position(|n| n.name == name) {
            Some(index) => index as u32,
            None => {
                let param_types = params.iter().map(|p| self.g.ty(p)).collect();
                let ret_type = self.g.ty(&ret);
                self.g.module.natives.push(NativeImport {
                    name,
                    params: param_types,
                    ret: ret_type,
                });
                (self.g.module.natives.len() - 1) as u32
            }
        };
        let first = self.arguments(args, &params);
        let reg = self.call_result(first, &ret, dst);
        self.mark_expr(callee.span);
        self.emit(Instr::CallNative {
            native: index,
            args: first.unwrap_or(reg),
            dst: reg,
        });
        reg
    }

    /// `str(e)`: the text of any value, as `print` writes it.
    fn text_of(&mut self, e: &Expr, dst: Option<Reg>) -> Reg {
        let ty = self.ty_of(e);
        match &ty {
            Ty::Str => self.expr(e, dst),
            Ty::Int | Ty::Float | Ty::Bool => {
                let src = self.expr(e, None);
                let reg = self.dst(dst, &Ty::Str);
                let instr = match ty {
                    Ty::Int => Instr::IntToStr { dst: reg, src },
                    Ty::Float => Instr::FloatToStr { dst: reg, src },
                    _ => Instr::BoolToStr { dst: reg, src },
                };
                self.emit(instr);
                reg
            }
            _ => {
                let src = self.expr(e, None);
                let reg = self.dst(dst, &Ty::Str);
                self.emit(Instr::RefToStr { dst: reg, src });
                reg
            }
        }
    }

    fn builtin(
        &mut self,
        e: &Expr,
        builtin: Builtin,
        callee: &Expr,
        args: &[Expr],
        ty: &Ty,
        dst: Option<Reg>,
    ) -> Reg {
        use Builtin as B;
        let arg_ty = |this: &mut Self, index: usize| -> Ty {
            match args.get(index) {
                Some(arg) => this.ty_of(arg).non_null().clone(),
                None => Ty::Error,
            }
        };
        match builtin {
            B::Print | B::Eprint => {
                let Some(arg) = args.first() else {
                    return self.dst(dst, ty);
                };
                let text = self.text_of(arg, None);
                let native = if builtin == B::Print {
                    Native::Print
                } else {
                    Native::Eprint
                };
                let index = self.g.native(native);
                self.mark_expr(callee.span);
                self.emit(Instr::CallNative {
                    native: index,
                    args: text,
                    dst: text,
                });
                text
            }
            B::Str => match args.first() {
                Some(arg) => self.text_of(arg, dst),
                None => self.dst(dst, ty),
            },
            B::Len => {
                let container_ty = arg_ty(self, 0);
                let Some(arg) = args.first() else {
                    return self.dst(dst, ty);
                };
                let container = self.expr_as(arg, &container_ty, None);
                let reg = self.dst(dst, &Ty::Int);
                let instr = match container_ty {
                    Ty::Str => Instr::StrLen {
                        dst: reg,
                        src: container,
                    },
                    Ty::Map(..) => Instr::MapLen {
                        dst: reg,
                        map: container,
                    },
                    _ => Instr::ArrayLen {
                        dst: reg,
                        array: container,
                    },
                };
                self.mark_expr(arg.span);
                self.emit(instr);
                reg
            }
            B::Push => {
                let array_ty = arg_ty(self, 0);
                let Ty::Array(elem) = &array_ty else {
                    return self.dst(dst, ty);
                };
                let array = self.expr_as(&args[0], &array_ty, None);
                let value = self.expr_as(&args[1], elem, None);
                self.emit(Instr::ArrayPush { array, src: value });
                array
            }
            B::Pop => {
                let array_ty = arg_ty(self, 0);
                let array = self.expr_as(&args[0], &array_ty, None);
                let reg = self.dst(dst, ty);
                self.mark_expr(callee.span);
                self.emit(Instr::ArrayPop { dst: reg, array });
                reg
            }
            B::Fill => {
                let elem = match ty {
                    Ty::Array(elem) => (**elem).clone(),
                    _ => Ty::Error,
                };
                let count = self.expr_as(&args[0], &Ty::Int, None);
                let value = self.expr_as(&args[1], &elem, None);
                let reg = self.dst(dst, ty);
                self.mark_expr(callee.span);
                self.emit(Instr::ArrayFill {
                    dst: reg,
                    count,
                    value,
                });
                reg
            }
            B::Int | B::Float => {
                let from = arg_ty(self, 0);
                let Some(arg) = args.first() else {
                    return self.dst(dst, ty);
                };
                if from == *ty {
                    return self.expr_as(arg, ty, dst);
                }
                let src = self.expr_as(arg, &from, None);
                let reg = self.dst(dst, ty);
                let instr = match (builtin, &from) {
                    (B::Int, Ty::Float) => Instr::FloatToInt { dst: reg, src },
                    (B::Int, _) => Instr::ParseInt { dst: reg, src },
                    (_, Ty::Int) => Instr::IntToFloat { dst: reg, src },
                    _ => Instr::ParseFloat { dst: reg, src },
                };
                self.mark_expr(callee.span);
                self.emit(instr);
                reg
            }
            B::ToFixed => self.native_call(Native::ToFixed, args, callee, dst),
            B::Join if args.len() == 1 => {
                let thread = self.expr_as(&args[0], &Ty::Thread, None);
                self.mark_expr(callee.span);
                self.emit(Instr::Join { thread });
                self.call_result(None, &Ty::Void, dst)
            }
            B::Join => self.native_call(Native::Join, args, callee, dst),
            B::Chan => {
                let cap = self.expr_as(&args[0], &Ty::Int, None);
                let reg = self.dst(dst, ty);
                self.mark_expr(callee.span);
                self.emit(Instr::ChanNew { dst: reg, cap });
                reg
            }
            B::Send | B::Recv => {
                let chan_ty = arg_ty(self, 0);
                let Ty::Chan(elem) = &chan_ty else {
                    self.internal(e.span, "channel built-in on a value that is not a channel");
                    return self.dst(dst, ty);
                };
                let chan = self.expr_as(&args[0], &chan_ty, None);
                if builtin == B::Send {
                    let src = self.expr_as(&args[1], elem, None);
                    self.mark_expr(callee.span);
                    self.emit(Instr::Send { chan, src });
                    self.call_result(None, &Ty::Void, dst)
                } else {
                    let reg = self.dst(dst, elem);
                    self.mark_expr(callee.span);
                    self.emit(Instr::Recv { dst: reg, chan });
                    reg
                }
            }
            B::YieldNow => {
                self.mark_expr(callee.span);
                self.emit(Instr::Yield {});
                self.call_result(None, &Ty::Void, dst)
            }
            B::Sleep => {
                let ms = self.expr_as(&args[0], &Ty::Int, None);
                self.mark_expr(callee.span);
                self.emit(Instr::Sleep { ms });
                self.call_result(None, &Ty::Void, dst)
            }
            B::ThreadId => {
                let reg = self.dst(dst, &Ty::Int);
                self.emit(Instr::ThreadId { dst: reg });
                reg
            }
            B::Split => self.native_call(Native::Split, args, callee, dst),
            B::Substr => self.native_call(Native::Substr, args, callee, dst),
            B::Find => self.native_call(Native::Find, args, callee, dst),
            B::Sqrt => self.native_call(Native::Sqrt, args, callee, dst),
            B::Floor => self.native_call(Native::Floor, args, callee, dst),
            B::Ceil => self.native_call(Native::Ceil, args, callee, dst),
            B::Pow => self.native_call(Native::Pow, args, callee, dst),
            B::Clock => self.native_call(Native::Clock, args, callee, dst),
            B::NowMs => self.native_call(Native::NowMs, args, callee, dst),
            B::Args => self.native_call(Native::Args, args, callee, dst),
            B::ReadLine => self.native_call(Native::ReadLine, args, callee, dst),
            B::ReadFile => self.native_call(Native::ReadFile, args, callee, dst),
            B::WriteFile => self.native_call(Native::WriteFile, args, callee, dst),
            B::Env => self.native_call(Native::Env, args, callee, dst),
            B::Panic => self.native_call(Native::Panic, args, callee, dst),
            B::Assert => {
                let native = if args.len() == 2 {
                    Native::AssertMsg
                } else {
                    Native::Assert
                };
                self.native_call(native, args, callee, dst)
            }
            B::Abs => {
                let native = if *ty == Ty::Float {
                    Native::AbsFloat
                } else {
                    Native::AbsInt
                };
                self.native_call(native, args, callee, dst)
            }
            B::Min | B::Max => {
                let native = match (builtin, ty) {
                    (B::Min, Ty::Float) => Native::MinFloat,
                    (B::Min, _) => Native::MinInt,
                    (_, Ty::Float) => Native::MaxFloat,
                    _ => Native::MaxInt,
                };
                self.native_call(native, args, callee, dst)
            }
            B::Keys | B::Contains | B::Get | B::Remove => {
                let map_ty = arg_ty(self, 0);
                let Ty::Map(key_ty, value_ty) = &map_ty else {
                    self.internal(e.span, "map built-in on a value that is not a map");
                    return self.dst(dst, ty);
                };
                let map = self.expr_as(&args[0], &map_ty, None);
                match builtin {
                    B::Keys => {
                        let reg = self.dst(dst, ty);
                        self.emit(Instr::MapKeys { dst: reg, map });
                        reg
                    }
                    B::Contains | B::Remove => {
                        let key = self.expr_as(&args[1], key_ty, None);
                        let reg = self.dst(dst, &Ty::Bool);
                        let instr = if builtin == B::Contains {
                            Instr::MapContains { dst: reg, map, key }
                        } else {
                            Instr::MapRemove { dst: reg, map, key }
                        };
                        self.emit(instr);
                        reg
                    }
                    _ => {
                        let key = self.expr_as(&args[1], key_ty, None);
                        let default = self.expr_as(&args[2], value_ty, None);
                        let reg = self.dst(dst, value_ty);
                        self.emit(Instr::MapGetOr {
                            dst: reg,
                            map,
                            key,
                            default,
                        });
                        reg
                    }
                }
            }
        }
    }
}
