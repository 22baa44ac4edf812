//! Calls of built-ins: each compiles to its own instructions or to a native import.

use vitte_vm::bytecode::{Instr, Reg};

use super::FnGen;
use crate::ast::Expr;
use crate::builtins::{Builtin, Native};
use crate::types::Ty;

impl<'g, 'a> FnGen<'g, 'a> {
    pub(super) fn builtin(
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
