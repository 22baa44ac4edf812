//! `match` statements and expressions: the scrutinee's cases, patterns and guards as jumps, and
//! where each arm's value goes ([`MatchTarget`]).

use vitte_vm::bytecode::Instr;

use super::{FnGen, MatchTarget};
use crate::ast::{ArmBody, Expr, MatchArm, Pattern};
use crate::types::{ConstValue, Ty};

impl<'g, 'a> FnGen<'g, 'a> {
    pub(super) fn match_(&mut self, scrutinee: &Expr, arms: &[MatchArm], target: MatchTarget) {
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
}
