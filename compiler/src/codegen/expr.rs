//! Expressions: names and paths, operators, literals, conversions to the expected type and null
//! checks.

use vitte_vm::bytecode::{Instr, Reg};

use super::{FnGen, MAX_LITERAL_REGISTERS, MatchTarget, strip};
use crate::ast::{BinOp, Expr, ExprKind, UnOp};
use crate::check::Symbol;
use crate::source::Span;
use crate::types::{ConstValue, Ty};

impl<'g, 'a> FnGen<'g, 'a> {
    /// Compiles `e` and gives its value converted to `want` (into `dst` when given).
    pub(super) fn expr_as(&mut self, e: &Expr, want: &Ty, dst: Option<Reg>) -> Reg {
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
    pub(super) fn expr(&mut self, e: &Expr, dst: Option<Reg>) -> Reg {
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
}
