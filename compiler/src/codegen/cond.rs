//! Conditions compiled to branches: `and`/`or`/`not` become jump chains, int comparisons fuse with
//! their jump (and with a literal operand), and the int constants of a loop condition are loaded
//! once before the loop.

use vitte_vm::bytecode::{Instr, Reg};

use super::{FnGen, strip};
use crate::ast::{BinOp, Expr, ExprKind, UnOp};
use crate::types::Ty;

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

impl<'g, 'a> FnGen<'g, 'a> {
    /// Loads the int constants that a loop condition compares or multiplies with into registers
    /// before the loop, so each iteration reuses them (the registers stay busy until the loop
    /// statement ends).
    pub(super) fn hoist_constants(&mut self, cond: &Expr) {
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
    pub(super) fn cached_int(&self, value: i64) -> Option<Reg> {
        self.hoisted
            .iter()
            .rev()
            .find(|(v, _)| *v == value)
            .map(|(_, reg)| *reg)
    }

    /// Evaluates condition `e` and jumps when it equals `jump_if`; returns the jumps to patch. Falls
    /// through otherwise.
    pub(super) fn cond_jump(&mut self, e: &Expr, jump_if: bool) -> Vec<usize> {
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
}
