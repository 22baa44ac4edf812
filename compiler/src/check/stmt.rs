//! Type checking of statements and `match`: scopes, assignments, loops, `give` on every path and match
//! exhaustiveness.

use std::collections::HashSet;

use super::{Callee, Checker, MatchMode, PathRes, Symbol, has_default, plural};
use crate::ast::{ArmBody, BinOp, Block, Expr, ExprKind, MatchArm, Pattern, Stmt, StmtKind};
use crate::builtins::Builtin;
use crate::source::Span;
use crate::types::{PickId, Ty};

/// What a `match` looks at.
#[derive(Clone, Copy, PartialEq, Eq)]
enum MatchKind {
    Int,
    Str,
    Bool,
    Pick(PickId),
    /// The scrutinee has an error type: accept every pattern quietly.
    Unknown,
}

/// True for `true` (possibly parenthesised).
fn is_true_literal(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Bool(true) => true,
        ExprKind::Paren(inner) => is_true_literal(inner),
        _ => false,
    }
}

impl Checker<'_> {
    /// Checks a block in its own scope. Returns true when control never reaches its end (every path
    /// gives, breaks, continues or panics). `tail`: the block ends a value-returning procedure.
    pub(super) fn block(&mut self, block: &Block, tail: bool) -> bool {
        self.push_scope();
        let mut diverges = false;
        let count = block.stmts.len();
        for (index, stmt) in block.stmts.iter().enumerate() {
            if self.stmt(stmt, tail && index + 1 == count) {
                diverges = true;
            }
        }
        self.pop_scope();
        diverges
    }

    /// Checks one statement; returns true when control never continues after it.
    fn stmt(&mut self, s: &Stmt, tail: bool) -> bool {
        match &s.kind {
            StmtKind::Let {
                name, ty, value, ..
            } => {
                let declared = ty.as_ref().map(|t| self.value_type(t));
                let local_ty = match (declared, value) {
                    (Some(ty), Some(value)) => {
                        self.coerce(value, &ty);
                        ty
                    }
                    (Some(ty), None) => {
                        if !has_default(&ty) {
                            self.error(name.span, format!("{} needs an initial value", name.name));
                        }
                        ty
                    }
                    (None, Some(value)) => {
                        let ty = self.value(value, None);
                        self.inferred_type(name, ty, value.span)
                    }
                    (None, None) => {
                        self.error(
                            name.span,
                            format!("{} needs a type or an initial value", name.name),
                        );
                        Ty::Error
                    }
                };
                self.declare_local(name, local_ty);
                false
            }
            StmtKind::Assign { target, op, value } => {
                self.assign(target, *op, value);
                false
            }
            StmtKind::Expr(e) => {
                if let ExprKind::Match { scrutinee, arms } = &e.kind {
                    let mode = if tail {
                        MatchMode::Tail
                    } else {
                        MatchMode::Statement
                    };
                    let (_, diverges) = self.check_match(e.span, scrutinee, arms, mode, None);
                    if mode == MatchMode::Tail {
                        self.a.tail_matches.insert(e.span);
                    }
                    self.a.types.insert(e.span, Ty::Void);
                    return diverges;
                }
                self.expr(e, None);
                matches!(
                    self.a.calls.get(&e.span),
                    Some(Callee::Builtin(Builtin::Panic))
                )
            }
            StmtKind::If {
                branches,
                else_block,
            } => {
                let mut all = true;
                for (cond, body) in branches {
                    self.coerce(cond, &Ty::Bool);
                    if !self.block(body, tail) {
                        all = false;
                    }
                }
                match else_block {
                    Some(body) => {
                        if !self.block(body, tail) {
                            all = false;
                        }
                    }
                    None => all = false,
                }
                all
            }
            StmtKind::While { cond, body } => {
                self.coerce(cond, &Ty::Bool);
                let has_break = self.loop_body(body);
                is_true_literal(cond) && !has_break
            }
            StmtKind::Loop { body } => !self.loop_body(body),
            StmtKind::ForRange {
                var,
                start,
                end,
                body,
                ..
            } => {
                self.coerce(start, &Ty::Int);
                self.coerce(end, &Ty::Int);
                self.push_scope();
                self.declare_local(var, Ty::Int);
                self.loop_body(body);
                self.pop_scope();
                false
            }
            StmtKind::ForEach { var, iter, body } => {
                let ty = self.value(iter, None);
                let elem = match ty.non_null() {
                    Ty::Array(elem) => (**elem).clone(),
                    Ty::Map(key, _) => (**key).clone(),
                    Ty::Error => Ty::Error,
                    Ty::Str => {
                        self.error(
                            iter.span,
                            "cannot iterate over a string; use split(s, \"\") for its characters",
                        );
                        Ty::Error
                    }
                    _ => {
                        let message = format!("cannot iterate over {}", self.name(&ty));
                        self.error(iter.span, message);
                        Ty::Error
                    }
                };
                self.push_scope();
                self.declare_local(var, elem);
                self.loop_body(body);
                self.pop_scope();
                false
            }
            StmtKind::Break => {
                match self.ctx.loops.last_mut() {
                    Some(has_break) => *has_break = true,
                    None => self.error(s.span, "break outside of a loop"),
                }
                true
            }
            StmtKind::Continue => {
                if self.ctx.loops.is_empty() {
                    self.error(s.span, "continue outside of a loop");
                }
                true
            }
            StmtKind::Give(value) => {
                let ret = self.ctx.ret.clone();
                match value {
                    Some(value) if ret == Ty::Void => {
                        let ty = self.expr(value, None);
                        if ty != Ty::Void && !ty.is_error() {
                            let message = format!("expected void, found {}", self.name(&ty));
                            self.error(value.span, message);
                        }
                    }
                    Some(value) => {
                        self.coerce(value, &ret);
                    }
                    None if ret != Ty::Void && !ret.is_error() => {
                        let message = format!("expected {}, found void", self.name(&ret));
                        self.error(s.span, message);
                    }
                    None => {}
                }
                true
            }
            StmtKind::Try { body, var, handler } => {
                // Gives on every path when both the body and the handler do.
                let body_gives = self.block(body, false);
                self.push_scope();
                self.declare_local(var, Ty::Str);
                let handler_gives = self.block(handler, false);
                self.pop_scope();
                body_gives && handler_gives
            }
            StmtKind::Throw(value) => {
                self.coerce(value, &Ty::Str);
                true
            }
            StmtKind::Block(block) => self.block(block, tail),
            // Already reported by the parser; assume it gave, to avoid a second message.
            StmtKind::Error => true,
        }
    }

    /// Checks a loop body; returns whether a `break` leaves this loop.
    fn loop_body(&mut self, body: &Block) -> bool {
        self.ctx.loops.push(false);
        self.block(body, false);
        self.ctx.loops.pop().unwrap_or(false)
    }

    fn assign(&mut self, target: &Expr, op: Option<BinOp>, value: &Expr) {
        let target_ty = self.assign_target(target);
        match op {
            None => {
                self.coerce(value, &target_ty);
            }
            Some(op) => {
                // `set x op= e` reads `e` as an operand of `op`.
                self.unshared_use(value);
                let value_ty = self.value(value, None);
                let span = target.span.to(value.span);
                let result = self.arithmetic(span, op, &target_ty, &value_ty);
                self.expect_type(value.span, &result, &target_ty);
            }
        }
    }

    /// Checks an assignment target and gives its type.
    fn assign_target(&mut self, target: &Expr) -> Ty {
        match &target.kind {
            ExprKind::Name(ident) => {
                if let Some(local) = self.lookup_local(&ident.name) {
                    self.a.assigned.insert(local);
                    self.unshared_use(target);
                    return self.expr(target, None);
                }
                self.assign_path(target)
            }
            ExprKind::Field { .. } => self.assign_path(target),
            ExprKind::Index { .. } => self.expr(target, None),
            _ => {
                self.expr(target, None);
                self.error(
                    target.span,
                    "cannot assign to this expression; assign to a variable, a field or an element",
                );
                Ty::Error
            }
        }
    }

    fn assign_path(&mut self, target: &Expr) -> Ty {
        let res = self.resolve_path(target);
        let what = match &res {
            PathRes::Item(Symbol::Const(_)) => "constant",
            PathRes::Item(Symbol::Proc(_)) => "procedure",
            PathRes::Item(Symbol::Form(_) | Symbol::Pick(_)) => "type",
            PathRes::Case(..) => "pick case",
            PathRes::Module(_) => "module",
            _ => return self.expr(target, None),
        };
        self.record_path(target, &res);
        let text = match &target.kind {
            ExprKind::Name(ident) => ident.name.clone(),
            ExprKind::Field { name, .. } => name.name.clone(),
            _ => String::new(),
        };
        self.error(target.span, format!("cannot assign to {what} {text}"));
        Ty::Error
    }

    /// Checks a `match`. Gives its type (in [`MatchMode::Value`]) and whether control never continues
    /// after it.
    pub(super) fn check_match(
        &mut self,
        span: Span,
        scrutinee: &Expr,
        arms: &[MatchArm],
        mode: MatchMode,
        expected: Option<&Ty>,
    ) -> (Ty, bool) {
        let scrutinee_ty = self.value(scrutinee, None);
        let kind = match scrutinee_ty.non_null() {
            Ty::Int => MatchKind::Int,
            Ty::Str => MatchKind::Str,
            Ty::Bool => MatchKind::Bool,
            Ty::Pick(pick) => MatchKind::Pick(*pick),
            Ty::Error => MatchKind::Unknown,
            _ => {
                let message = format!(
                    "cannot match on {}; match works on int, string, bool and picks",
                    self.name(&scrutinee_ty)
                );
                self.error(scrutinee.span, message);
                MatchKind::Unknown
            }
        };
        let scrutinee_name = self.name(scrutinee_ty.non_null());
        let case_count = match kind {
            MatchKind::Pick(pick) => self.a.picks[pick as usize].cases.len(),
            _ => 0,
        };
        let mut covered_cases = vec![false; case_count];
        let mut covered_bools = [false, false];
        let mut seen_ints: HashSet<i64> = HashSet::new();
        let mut seen_strs: HashSet<String> = HashSet::new();
        let mut has_else = false;
        let mut unresolved_pattern = false;
        let mut all_diverge = true;
        let mut value_ty: Option<Ty> = expected.cloned();
        let fixed_type = expected.is_some();
        for arm in arms {
            if has_else {
                self.warning(
                    arm.pattern.span(),
                    "this arm is never reached; an earlier else matches everything",
                );
            }
            self.push_scope();
            let unguarded = arm.guard.is_none();
            let mismatch = |this: &mut Self, pattern_span: Span, what: &str| {
                if kind != MatchKind::Unknown {
                    this.error(
                        pattern_span,
                        format!("expected a pattern of type {scrutinee_name}, found {what}"),
                    );
                }
            };
            let duplicate = match &arm.pattern {
                Pattern::Int(value, pattern_span) => {
                    if kind == MatchKind::Int {
                        unguarded && !seen_ints.insert(*value)
                    } else {
                        mismatch(self, *pattern_span, "int");
                        false
                    }
                }
                Pattern::Str(value, pattern_span) => {
                    if kind == MatchKind::Str {
                        unguarded && !seen_strs.insert(value.clone())
                    } else {
                        mismatch(self, *pattern_span, "string");
                        false
                    }
                }
                Pattern::Bool(value, pattern_span) => {
                    if kind == MatchKind::Bool {
                        let slot = &mut covered_bools[usize::from(*value)];
                        let duplicate = unguarded && *slot;
                        if unguarded {
                            *slot = true;
                        }
                        duplicate
                    } else {
                        mismatch(self, *pattern_span, "bool");
                        false
                    }
                }
                Pattern::Case {
                    path,
                    bindings,
                    span: pattern_span,
                } => {
                    let mut case_fields: Option<Vec<Ty>> = None;
                    let mut duplicate = false;
                    if let MatchKind::Pick(pick) = kind {
                        if let Some(case) = self.pattern_case(pick, path, *pattern_span) {
                            let info = &self.a.picks[pick as usize].cases[case as usize];
                            let fields: Vec<Ty> =
                                info.fields.iter().map(|f| f.ty.clone()).collect();
                            if !bindings.is_empty() && bindings.len() != fields.len() {
                                let message = format!(
                                    "{} has {}, found {}",
                                    info.name,
                                    plural(fields.len(), "field"),
                                    plural(bindings.len(), "binding")
                                );
                                self.error(*pattern_span, message);
                            } else {
                                case_fields = Some(fields);
                            }
                            if unguarded {
                                duplicate = covered_cases[case as usize];
                                covered_cases[case as usize] = true;
                            }
                        } else {
                            // Already reported; exhaustiveness would only repeat it.
                            unresolved_pattern = true;
                        }
                    } else {
                        let written = path
                            .iter()
                            .map(|i| i.name.as_str())
                            .collect::<Vec<_>>()
                            .join(".");
                        mismatch(self, *pattern_span, &format!("case '{written}'"));
                    }
                    for (index, binding) in bindings.iter().enumerate() {
                        let ty = case_fields
                            .as_ref()
                            .and_then(|f| f.get(index).cloned())
                            .unwrap_or(Ty::Error);
                        self.declare_local(binding, ty);
                    }
                    duplicate
                }
                Pattern::Else(_) => {
                    if unguarded {
                        has_else = true;
                    }
                    false
                }
                Pattern::Error(_) => {
                    unresolved_pattern = true;
                    false
                }
            };
            if duplicate {
                self.warning(
                    arm.pattern.span(),
                    "this case is already covered by an earlier arm",
                );
            }
            if let Some(guard) = &arm.guard {
                self.coerce(guard, &Ty::Bool);
            }
            let diverges = match &arm.body {
                ArmBody::Expr(e) => match mode {
                    MatchMode::Value => {
                        match &value_ty {
                            Some(target) if fixed_type => {
                                self.coerce(e, target);
                            }
                            Some(known) => {
                                let known = known.clone();
                                let found = self.value(e, Some(&known));
                                match known.join(&found) {
                                    Some(joined) => value_ty = Some(joined),
                                    None => {
                                        self.expect_type(e.span, &found, &known);
                                    }
                                }
                            }
                            None => value_ty = Some(self.value(e, None)),
                        }
                        false
                    }
                    MatchMode::Tail => {
                        let ret = self.ctx.ret.clone();
                        self.coerce(e, &ret);
                        true
                    }
                    MatchMode::Statement => {
                        self.expr(e, None);
                        matches!(
                            self.a.calls.get(&e.span),
                            Some(Callee::Builtin(Builtin::Panic))
                        )
                    }
                },
                ArmBody::Block(block) => {
                    let diverges = self.block(block, mode == MatchMode::Tail);
                    if mode == MatchMode::Value && !diverges {
                        self.error(
                            arm.pattern.span(),
                            "this arm has no value; write case … => value;",
                        );
                    }
                    diverges
                }
            };
            self.pop_scope();
            if !diverges {
                all_diverge = false;
            }
        }
        let exhaustive = has_else
            || unresolved_pattern
            || match kind {
                MatchKind::Pick(_) => covered_cases.iter().all(|c| *c),
                MatchKind::Bool => covered_bools.iter().all(|c| *c),
                MatchKind::Unknown => true,
                MatchKind::Int | MatchKind::Str => false,
            };
        let reported =
            !exhaustive && (mode == MatchMode::Value || matches!(kind, MatchKind::Pick(_)));
        if reported {
            let message = match kind {
                MatchKind::Pick(pick) => {
                    let info = &self.a.picks[pick as usize];
                    let missing: Vec<&str> = info
                        .cases
                        .iter()
                        .zip(&covered_cases)
                        .filter(|(_, covered)| !**covered)
                        .map(|(case, _)| case.name.as_str())
                        .collect();
                    format!("match is not exhaustive; missing {}", missing.join(", "))
                }
                MatchKind::Bool => {
                    let missing = if covered_bools[1] {
                        "false"
                    } else if covered_bools[0] {
                        "true"
                    } else {
                        "true, false"
                    };
                    format!("match is not exhaustive; missing {missing}")
                }
                _ => "match is not exhaustive; add an else arm".into(),
            };
            self.error(
                Span::new(span.file, span.start, scrutinee.span.end.max(span.start)),
                message,
            );
        }
        // A reported non-exhaustive match counts as covering, so the procedure is not also reported
        // for not giving a value on every path.
        let diverges = (exhaustive || reported) && all_diverge;
        if mode != MatchMode::Value {
            return (Ty::Void, diverges);
        }
        let ty = match value_ty {
            Some(Ty::Null) => {
                self.error(
                    span,
                    "cannot infer the type of this match from null; write the variable's type",
                );
                Ty::Error
            }
            Some(ty) => ty,
            None => Ty::Error,
        };
        (ty, diverges)
    }

    /// Resolves the case named by a pattern on pick `pick` (`Circle`, `Shape.Circle`, `geo.Shape.Circle`).
    fn pattern_case(
        &mut self,
        pick: PickId,
        path: &[crate::ast::Ident],
        span: Span,
    ) -> Option<u32> {
        let (case_name, prefix) = path.split_last()?;
        if !prefix.is_empty() {
            match self.resolve_type_path(prefix) {
                Some(Symbol::Pick(other)) if other == pick => {}
                Some(Symbol::Pick(other)) => {
                    let message = format!(
                        "{}.{} is not a case of {}",
                        self.a.picks[other as usize].name,
                        case_name.name,
                        self.a.picks[pick as usize].name
                    );
                    self.error(span, message);
                    return None;
                }
                Some(_) | None => return None,
            }
        }
        let info = &self.a.picks[pick as usize];
        match info.cases.iter().position(|c| c.name == case_name.name) {
            Some(case) => {
                self.reference(case_name.span, Symbol::Case(pick, case as u32));
                Some(case as u32)
            }
            None => {
                let message = format!("{} has no case {}", info.name, case_name.name);
                self.error(case_name.span, message);
                None
            }
        }
    }
}
