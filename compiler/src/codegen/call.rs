//! Calls: arguments in consecutive registers, procedures, natives, host functions and `spawn`.

use vitte_vm::bytecode::{Instr, NativeImport, Reg};

use super::FnGen;
use crate::ast::{Expr, ExprKind};
use crate::builtins::Native;
use crate::check::Callee;
use crate::types::Ty;

impl<'g, 'a> FnGen<'g, 'a> {
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
    pub(super) fn call_result(
        &mut self,
        first_arg: Option<Reg>,
        ret: &Ty,
        dst: Option<Reg>,
    ) -> Reg {
        match (ret, first_arg) {
            (Ty::Void, Some(first)) => first,
            (Ty::Void, None) => self.temp(&Ty::Bool),
            _ => self.dst(dst, ret),
        }
    }

    pub(super) fn call(
        &mut self,
        e: &Expr,
        callee: &Expr,
        args: &[Expr],
        ty: &Ty,
        dst: Option<Reg>,
    ) -> Reg {
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
    pub(super) fn spawn(&mut self, e: &Expr, call: &Expr, dst: Option<Reg>) -> Reg {
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

    pub(super) fn native_call(
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
    pub(super) fn text_of(&mut self, e: &Expr, dst: Option<Reg>) -> Reg {
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
}
