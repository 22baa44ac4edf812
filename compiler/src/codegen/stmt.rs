//! Statements: blocks, `let`, assignments (compound ones, and `concat.append` for a string that
//! grows in place), loops (range loops rotated to end in one `for.next`), `try`, `give`.

use vitte_vm::bytecode::{Handler, Instr, Reg};

use super::{FnGen, LoopCtx, MAX_LITERAL_REGISTERS, MatchTarget, strip};
use crate::ast::{self, BinOp, Block, Expr, ExprKind, Stmt, StmtKind};
use crate::check::{LocalId, Symbol};
use crate::source::Span;
use crate::types::Ty;

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
    pub(super) fn block(&mut self, block: &Block) {
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

    pub(super) fn give(&mut self, value: Option<&Expr>) {
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
    pub(super) fn arith_imm(&mut self, op: BinOp, dst: Reg, a: Reg, imm: i32, span: Span) -> bool {
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
    pub(super) fn arith(&mut self, op: BinOp, ty: &Ty, dst: Reg, a: Reg, b: Reg, span: Span) {
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
}
