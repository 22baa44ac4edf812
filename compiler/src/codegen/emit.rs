//! Registers and emission: a register per local for the whole function and temporaries reused
//! stack-like, scopes for the locals' live ranges, instructions, labels and jump patching, the line
//! table, and loading constants and default values.

use vitte_vm::bytecode::{Instr, LineEntry, LocalVar, Reg, TypeId};

use super::{FnGen, is_terminator, strip};
use crate::ast::{Expr, ExprKind, UnOp};
use crate::check::{LocalId, Symbol};
use crate::source::Span;
use crate::types::{ConstValue, Ty};

impl<'g, 'a> FnGen<'g, 'a> {
    pub(super) fn new_reg(&mut self, ty: &Ty, temp: bool) -> Reg {
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
    pub(super) fn temp(&mut self, ty: &Ty) -> Reg {
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
    pub(super) fn temps_consecutive(&mut self, tys: &[Ty]) -> Reg {
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

    pub(super) fn release(&mut self, mark: usize) {
        while self.temps.len() > mark {
            if let Some(reg) = self.temps.pop() {
                self.busy[reg as usize] = false;
            }
        }
    }

    pub(super) fn dst(&mut self, dst: Option<Reg>, ty: &Ty) -> Reg {
        match dst {
            Some(reg) => reg,
            None => self.temp(ty),
        }
    }

    /// A register for local `id` (allocated on first use).
    pub(super) fn local_reg(&mut self, id: LocalId) -> Reg {
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
    pub(super) fn debug_local(&mut self, id: LocalId, reg: Reg, start: u32) {
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

    pub(super) fn push_scope(&mut self) {
        self.scopes.push(Vec::new());
    }

    pub(super) fn pop_scope(&mut self) {
        let end = self.code.len() as u32;
        if let Some(scope) = self.scopes.pop() {
            for index in scope {
                self.locals[index].end_pc = end;
            }
        }
    }

    // ---- emission ----

    pub(super) fn emit(&mut self, instr: Instr) -> usize {
        if is_terminator(&instr) {
            self.reachable = false;
        }
        self.code.push(instr);
        self.code.len() - 1
    }

    /// The current position as a jump target.
    pub(super) fn label(&mut self) -> u32 {
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

    pub(super) fn patch_all(&mut self, jumps: &[usize], to: u32) {
        for &jump in jumps {
            self.patch(jump, to);
        }
    }

    pub(super) fn patch_here(&mut self, jumps: &[usize]) {
        if !jumps.is_empty() {
            let here = self.label();
            self.patch_all(jumps, here);
        }
    }

    pub(super) fn line_col(&self, span: Span) -> (u32, u32) {
        let sources = &self.g.program.sources;
        if (span.file.0 as usize) < sources.files().len() {
            sources.line_col(span)
        } else {
            (1, 1)
        }
    }

    /// Adds a statement entry for the next instruction even when the previous entry has the same
    /// position (a loop head that the back edge jumps to).
    pub(super) fn mark_loop_head(&mut self, span: Span) {
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
    pub(super) fn mark_at(&mut self, span: Span, is_stmt: bool) {
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
    pub(super) fn mark_expr(&mut self, span: Span) {
        self.mark_at(span, false);
    }

    pub(super) fn ty_of(&mut self, e: &Expr) -> Ty {
        match self.a.types.get(&e.span) {
            Some(ty) => ty.clone(),
            None => {
                self.internal(e.span, "expression without a type");
                Ty::Error
            }
        }
    }

    pub(super) fn load_int(&mut self, dst: Reg, value: i64) {
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

    pub(super) fn load_const(&mut self, dst: Reg, value: &ConstValue) {
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

    pub(super) fn default_value(&mut self, dst: Reg, ty: &Ty) {
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
    pub(super) fn small_int(&self, e: &Expr) -> Option<i32> {
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
}
