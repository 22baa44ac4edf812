//! Starting and finishing one function's code: a procedure (parameters, body, implicit
//! return), the initialiser of a file's globals, and the finished [`Function`] with its debug
//! information.

use std::collections::HashMap;

use vitte_vm::bytecode::{Function, FunctionDebug, Instr, TypeId};

use super::{FnGen, ModuleGen, is_terminator};
use crate::ast::ItemKind;
use crate::check::{GlobalId, ProcId};
use crate::diagnostics::Diagnostic;
use crate::source::{FileId, Span};
use crate::types::Ty;

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
    pub(super) fn procedure(g: &'g mut ModuleGen<'a>, id: ProcId) -> Function {
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
    pub(super) fn initialiser(
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

    pub(super) fn internal(&mut self, span: Span, what: &str) {
        self.g.errors.push(Diagnostic::error(
            span,
            format!("internal compiler error: {what}"),
        ));
    }
}
