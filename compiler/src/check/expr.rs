//! Type checking of expressions: names and paths, operators, literals, calls and built-ins.

use super::{Callee, Checker, MatchMode, PathRes, Symbol, plural};
use crate::ast::{BinOp, Expr, ExprKind, Ident, UnOp};
use crate::builtins::Builtin;
use crate::source::Span;
use crate::types::{PickId, Ty};

/// `a.b.c` as written, for messages.
fn path_text(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Name(ident) => ident.name.clone(),
        ExprKind::Field { base, name } => format!("{}.{}", path_text(base), name.name),
        ExprKind::Paren(inner) => path_text(inner),
        _ => "this expression".into(),
    }
}

/// `f takes 2 arguments but 1 was given`.
fn arity_message(name: &str, expected: usize, found: usize) -> String {
    format!(
        "{name} takes {} but {} given",
        plural(expected, "argument"),
        were(found)
    )
}

/// `1 was` / `3 were`.
fn were(count: usize) -> String {
    if count == 1 {
        "1 was".into()
    } else {
        format!("{count} were")
    }
}

/// True for literals whose type comes from context (`null`, `[]`, `{}`).
fn needs_context(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Null => true,
        ExprKind::Array(elems) => elems.iter().all(needs_context),
        ExprKind::Map(entries) => entries.is_empty(),
        ExprKind::Paren(inner) => needs_context(inner),
        _ => false,
    }
}

/// True when `==` may compare values of these types.
fn comparable(a: &Ty, b: &Ty) -> bool {
    if a.contains_error() || b.contains_error() {
        return true;
    }
    match (a, b) {
        (Ty::Null, Ty::Null) => true,
        (Ty::Null, other) | (other, Ty::Null) => other.is_reference(),
        _ => a.non_null() == b.non_null(),
    }
}

impl Checker<'_> {
    /// Checks an expression whose value is used; a `void` value is an error.
    pub(super) fn value(&mut self, e: &Expr, expected: Option<&Ty>) -> Ty {
        let ty = self.expr(e, expected);
        if ty == Ty::Void {
            self.error(e.span, "cannot use a void value");
            return Ty::Error;
        }
        ty
    }

    /// Checks an expression whose value must fit `target`.
    pub(super) fn coerce(&mut self, e: &Expr, target: &Ty) -> Ty {
        let ty = self.value(e, Some(target));
        self.expect_type(e.span, &ty, target);
        ty
    }

    /// Reports `expected T, found U` unless `found` fits `target`.
    pub(super) fn expect_type(&mut self, span: Span, found: &Ty, target: &Ty) -> bool {
        if found.assignable_to(target) {
            return true;
        }
        if !found.contains_error() && !target.contains_error() {
            let message = format!("expected {}, found {}", self.name(target), self.name(found));
            self.error(span, message);
        }
        false
    }

    /// Checks an expression and records its type. `expected` only guides literals whose type comes
    /// from context (`null`, `[]`, `{}`) and match arms; callers check the result.
    pub(super) fn expr(&mut self, e: &Expr, expected: Option<&Ty>) -> Ty {
        let ty = match &e.kind {
            ExprKind::Int(_) => Ty::Int,
            ExprKind::Float(_) => Ty::Float,
            ExprKind::Str(_) => Ty::Str,
            ExprKind::Bool(_) => Ty::Bool,
            ExprKind::Null => match expected {
                Some(ty @ Ty::Nullable(_)) => ty.clone(),
                Some(ty) if ty.contains_error() => Ty::Error,
                _ => Ty::Null,
            },
            ExprKind::Name(ident) => self.name_expr(e, ident),
            ExprKind::Field { base, name } => self.field_expr(e, base, name),
            ExprKind::Index { base, index } => self.index_expr(e, base, index),
            ExprKind::Call { callee, args } => self.call_expr(e, callee, args, expected),
            ExprKind::Unary { op, operand } => self.unary(e, *op, operand),
            ExprKind::Binary { op, lhs, rhs } => self.binary(e, *op, lhs, rhs),
            ExprKind::Array(elems) => self.array_lit(e.span, elems, expected),
            ExprKind::Map(entries) => self.map_lit(e.span, entries, expected),
            ExprKind::FormLit { path, fields } => self.form_lit(e.span, path, fields),
            ExprKind::Match { scrutinee, arms } => {
                self.check_match(e.span, scrutinee, arms, MatchMode::Value, expected)
                    .0
            }
            ExprKind::Spawn(call) => {
                let ty = self.expr(call, None);
                if matches!(self.a.calls.get(&call.span), Some(Callee::Proc(_))) {
                    Ty::Thread
                } else {
                    if !ty.is_error() {
                        self.error(
                            call.span,
                            "'spawn' needs a call of a procedure of the program, like 'spawn worker(c)'",
                        );
                    }
                    Ty::Error
                }
            }
            ExprKind::Paren(inner) => self.expr(inner, expected),
            ExprKind::Error => Ty::Error,
        };
        self.a.types.insert(e.span, ty.clone());
        ty
    }

    // ---- names and paths ----

    fn name_expr(&mut self, e: &Expr, ident: &Ident) -> Ty {
        if let Some(id) = self.lookup_local(&ident.name) {
            self.reference(ident.span, Symbol::Local(id));
            self.a.resolved.insert(e.span, Symbol::Local(id));
            return self.a.locals[id as usize].ty.clone();
        }
        let res = self.resolve_path(e);
        if let PathRes::NotPath = res {
            if let Some(builtin) = Builtin::from_name(&ident.name) {
                self.reference(ident.span, Symbol::Builtin(builtin));
                self.error(
                    e.span,
                    format!(
                        "'{0}' is a built-in procedure; call it with {0}(…)",
                        ident.name
                    ),
                );
            } else {
                self.error(e.span, format!("unknown name '{}'", ident.name));
            }
            return Ty::Error;
        }
        self.path_value(e, res)
    }

    fn field_expr(&mut self, e: &Expr, base: &Expr, name: &Ident) -> Ty {
        let res = self.resolve_path(e);
        if !matches!(res, PathRes::NotPath) {
            return self.path_value(e, res);
        }
        let base_ty = self.value(base, None);
        match base_ty.non_null() {
            Ty::Form(form) => {
                let form = *form;
                let info = &self.a.forms[form as usize];
                match info.fields.iter().position(|f| f.name == name.name) {
                    Some(index) => {
                        let ty = info.fields[index].ty.clone();
                        self.reference(name.span, Symbol::Field(form, index as u32));
                        self.a
                            .resolved
                            .insert(e.span, Symbol::Field(form, index as u32));
                        ty
                    }
                    None => {
                        let message = format!("{} has no field {}", info.name, name.name);
                        self.error(name.span, message);
                        Ty::Error
                    }
                }
            }
            Ty::Error => Ty::Error,
            Ty::Pick(_) => {
                let message = format!(
                    "{} has no fields; use match to read the payload of a case",
                    self.name(&base_ty)
                );
                self.error(name.span, message);
                Ty::Error
            }
            _ => {
                let message = format!("{} has no field {}", self.name(&base_ty), name.name);
                self.error(name.span, message);
                Ty::Error
            }
        }
    }

    /// The value of a static path (`LIMIT`, `util.counter`, `Shape.Empty`).
    fn path_value(&mut self, e: &Expr, res: PathRes) -> Ty {
        let ok = self.record_path(e, &res);
        if !ok {
            return Ty::Error;
        }
        let text = path_text(e);
        match res {
            PathRes::Item(symbol) => match symbol {
                Symbol::Global(id) => {
                    if self.ctx.init_global.is_some() && !self.globals_done.contains(&id) {
                        let name = self.a.globals[id as usize].name.clone();
                        self.error(
                            e.span,
                            format!("{name} is not initialised yet; globals are initialised in declaration order"),
                        );
                    }
                    self.a.resolved.insert(e.span, symbol);
                    self.a.globals[id as usize].ty.clone()
                }
                Symbol::Const(id) => {
                    self.ensure_const(id, Some(e.span));
                    self.a.resolved.insert(e.span, symbol);
                    self.a.consts[id as usize].ty.clone()
                }
                Symbol::Proc(_) => {
                    self.error(
                        e.span,
                        format!("'{text}' is a procedure; call it with {text}(…)"),
                    );
                    Ty::Error
                }
                _ => {
                    self.error(e.span, format!("'{text}' is a type, not a value"));
                    Ty::Error
                }
            },
            PathRes::Case(pick, case) => {
                let info = &self.a.picks[pick as usize];
                if !info.cases[case as usize].fields.is_empty() {
                    let message = format!("{text} needs its payload; write {text}(…)");
                    self.error(e.span, message);
                    return Ty::Error;
                }
                self.a.resolved.insert(e.span, Symbol::Case(pick, case));
                Ty::Pick(pick)
            }
            PathRes::Module(_) => {
                self.error(e.span, format!("'{text}' is a module; use {text}.NAME"));
                Ty::Error
            }
            _ => Ty::Error,
        }
    }

    fn index_expr(&mut self, e: &Expr, base: &Expr, index: &Expr) -> Ty {
        let base_ty = self.value(base, None);
        match base_ty.non_null().clone() {
            Ty::Array(elem) => {
                self.coerce(index, &Ty::Int);
                *elem
            }
            Ty::Map(key, value) => {
                self.coerce(index, &key);
                *value
            }
            Ty::Error => {
                self.value(index, None);
                Ty::Error
            }
            Ty::Str => {
                self.value(index, None);
                self.error(e.span, "cannot index a string; use substr(s, i, i + 1)");
                Ty::Error
            }
            other => {
                self.value(index, None);
                let message = format!("cannot index {}", self.name(&other));
                self.error(e.span, message);
                Ty::Error
            }
        }
    }

    // ---- operators ----

    fn unary(&mut self, e: &Expr, op: UnOp, operand: &Expr) -> Ty {
        let ty = self.value(operand, None);
        match (op, ty.non_null()) {
            (_, Ty::Error) => Ty::Error,
            (UnOp::Neg, Ty::Int) => Ty::Int,
            (UnOp::Neg, Ty::Float) => Ty::Float,
            (UnOp::Not, Ty::Bool) => Ty::Bool,
            (UnOp::Neg, _) => {
                let message = format!("cannot apply '-' to {}", self.name(&ty));
                self.error(e.span, message);
                Ty::Error
            }
            (UnOp::Not, _) => {
                let message = format!("cannot apply 'not' to {}", self.name(&ty));
                self.error(e.span, message);
                Ty::Error
            }
        }
    }

    fn binary(&mut self, e: &Expr, op: BinOp, lhs: &Expr, rhs: &Expr) -> Ty {
        if op != BinOp::And && op != BinOp::Or {
            // `+` and comparisons read their operands without keeping them.
            self.unshared_use(lhs);
            self.unshared_use(rhs);
        }
        match op {
            BinOp::And | BinOp::Or => {
                let left = self.value(lhs, Some(&Ty::Bool));
                let right = self.value(rhs, Some(&Ty::Bool));
                let fits = |ty: &Ty| ty.is_error() || *ty == Ty::Bool;
                if !fits(&left) || !fits(&right) {
                    self.operator_error(e.span, op, &left, &right);
                }
                Ty::Bool
            }
            BinOp::Eq | BinOp::Ne => {
                let left = self.value(lhs, None);
                let hint = if left.is_reference() && left != Ty::Null {
                    Some(Ty::nullable(left.clone()))
                } else {
                    None
                };
                let right = self.value(rhs, hint.as_ref());
                if !comparable(&left, &right) {
                    self.operator_error(e.span, op, &left, &right);
                }
                Ty::Bool
            }
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let left = self.value(lhs, None);
                let right = self.value(rhs, None);
                let (a, b) = (left.non_null(), right.non_null());
                let ok = a.is_error()
                    || b.is_error()
                    || (a == b && matches!(a, Ty::Int | Ty::Float | Ty::Str));
                if !ok {
                    self.operator_error(e.span, op, &left, &right);
                }
                Ty::Bool
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem => {
                let left = self.value(lhs, None);
                let right = self.value(rhs, None);
                self.arithmetic(e.span, op, &left, &right)
            }
        }
    }

    /// Records that `e`, when it is a plain name, is read without its value being kept.
    pub(super) fn unshared_use(&mut self, e: &Expr) {
        let mut e = e;
        while let ExprKind::Paren(inner) = &e.kind {
            e = inner;
        }
        if let ExprKind::Name(_) = e.kind {
            self.a.unshared_uses.insert(e.span);
        }
    }

    /// The result type of `left op right` for an arithmetic operator (also used by `set x op= e`).
    pub(super) fn arithmetic(&mut self, span: Span, op: BinOp, left: &Ty, right: &Ty) -> Ty {
        let (a, b) = (left.non_null(), right.non_null());
        if a.is_error() || b.is_error() {
            return Ty::Error;
        }
        if a == b && (a.is_numeric() || (op == BinOp::Add && *a == Ty::Str)) {
            return a.clone();
        }
        self.operator_error(span, op, left, right);
        Ty::Error
    }

    fn operator_error(&mut self, span: Span, op: BinOp, left: &Ty, right: &Ty) {
        let message = format!(
            "cannot apply '{}' to {} and {}",
            op.symbol(),
            self.name(left),
            self.name(right)
        );
        self.error(span, message);
    }

    // ---- literals ----

    fn array_lit(&mut self, span: Span, elems: &[Expr], expected: Option<&Ty>) -> Ty {
        if let Some(Ty::Array(elem)) = expected.map(Ty::non_null) {
            let elem = (**elem).clone();
            let mut reported = false;
            for e in elems {
                let found = self.value(e, Some(&elem));
                if !reported && !found.assignable_to(&elem) {
                    reported = true;
                    self.expect_type(e.span, &found, &elem);
                }
            }
            return Ty::array(elem);
        }
        if expected.is_some_and(Ty::contains_error) {
            self.check_args_loosely(elems);
            return Ty::Error;
        }
        if elems.is_empty() {
            self.error(span, "cannot infer the type of an empty array; annotate it");
            return Ty::Error;
        }
        let lead = elems.iter().position(|e| !needs_context(e)).unwrap_or(0);
        let mut ty = self.value(&elems[lead], None);
        for (index, e) in elems.iter().enumerate() {
            if index == lead {
                continue;
            }
            let found = self.value(e, Some(&ty));
            match ty.join(&found) {
                Some(joined) => ty = joined,
                None => {
                    self.expect_type(e.span, &found, &ty);
                }
            }
        }
        if ty == Ty::Null {
            self.error(
                span,
                "cannot infer the element type of this array; annotate it",
            );
            return Ty::Error;
        }
        Ty::array(ty)
    }

    fn map_lit(&mut self, span: Span, entries: &[(Expr, Expr)], expected: Option<&Ty>) -> Ty {
        if let Some(Ty::Map(key, value)) = expected.map(Ty::non_null) {
            let (key, value) = ((**key).clone(), (**value).clone());
            let mut reported = false;
            for (k, v) in entries {
                for (e, target) in [(k, &key), (v, &value)] {
                    let found = self.value(e, Some(target));
                    if !reported && !found.assignable_to(target) {
                        reported = true;
                        self.expect_type(e.span, &found, target);
                    }
                }
            }
            return Ty::map(key, value);
        }
        if expected.is_some_and(Ty::contains_error) {
            for (k, v) in entries {
                self.expr(k, None);
                self.expr(v, None);
            }
            return Ty::Error;
        }
        if entries.is_empty() {
            self.error(span, "cannot infer the type of an empty map; annotate it");
            return Ty::Error;
        }
        let mut key_ty: Option<Ty> = None;
        let mut value_ty: Option<Ty> = None;
        let lead = entries
            .iter()
            .position(|(_, v)| !needs_context(v))
            .unwrap_or(0);
        let order = std::iter::once(lead).chain((0..entries.len()).filter(|i| *i != lead));
        for (k, v) in order.map(|i| &entries[i]) {
            let found = self.value(k, key_ty.as_ref());
            key_ty = Some(match &key_ty {
                None => found,
                Some(known) => {
                    self.expect_type(k.span, &found, known);
                    known.clone()
                }
            });
            let found = self.value(v, value_ty.as_ref());
            value_ty = Some(match &value_ty {
                None => found,
                Some(known) => match known.join(&found) {
                    Some(joined) => joined,
                    None => {
                        self.expect_type(v.span, &found, known);
                        known.clone()
                    }
                },
            });
        }
        let key = key_ty.unwrap_or(Ty::Error);
        let value = value_ty.unwrap_or(Ty::Error);
        if !matches!(key, Ty::Int | Ty::Str | Ty::Bool | Ty::Error) {
            let message = format!(
                "map keys must be int, string or bool, not {}",
                self.name(&key)
            );
            self.error(entries[0].0.span, message);
            return Ty::map(Ty::Error, value);
        }
        if value == Ty::Null {
            self.error(span, "cannot infer the value type of this map; annotate it");
            return Ty::Error;
        }
        Ty::map(key, value)
    }

    fn form_lit(&mut self, span: Span, path: &[Ident], fields: &[(Ident, Expr)]) -> Ty {
        let form = match self.resolve_type_path(path) {
            Some(Symbol::Form(form)) => form,
            Some(Symbol::Pick(pick)) => {
                let name = self.a.picks[pick as usize].name.clone();
                self.error(
                    span,
                    format!("{name} is a pick; build a case with {name}.CASE(…)"),
                );
                for (_, value) in fields {
                    self.value(value, None);
                }
                return Ty::Error;
            }
            _ => {
                for (_, value) in fields {
                    self.value(value, None);
                }
                return Ty::Error;
            }
        };
        let info = self.a.forms[form as usize].clone();
        let mut seen = vec![false; info.fields.len()];
        for (ident, value) in fields {
            match info.fields.iter().position(|f| f.name == ident.name) {
                Some(index) => {
                    if seen[index] {
                        self.error(ident.span, format!("field {} is given twice", ident.name));
                    }
                    seen[index] = true;
                    self.reference(ident.span, Symbol::Field(form, index as u32));
                    self.coerce(value, &info.fields[index].ty);
                }
                None => {
                    self.error(
                        ident.span,
                        format!("{} has no field {}", info.name, ident.name),
                    );
                    self.value(value, None);
                }
            }
        }
        let missing: Vec<String> = info
            .fields
            .iter()
            .zip(&seen)
            .filter(|(_, seen)| !**seen)
            .map(|(f, _)| f.name.clone())
            .collect();
        if !missing.is_empty() {
            let word = if missing.len() == 1 {
                "field"
            } else {
                "fields"
            };
            self.error(
                span,
                format!("missing {word} {} in {}", missing.join(", "), info.name),
            );
        }
        Ty::Form(form)
    }

    // ---- calls ----

    fn call_expr(&mut self, e: &Expr, callee: &Expr, args: &[Expr], expected: Option<&Ty>) -> Ty {
        match &callee.kind {
            ExprKind::Name(ident) => {
                let file = self.ctx.file;
                match self.a.files[file].items.get(&ident.name).copied() {
                    Some(Symbol::Proc(proc)) => {
                        self.reference(ident.span, Symbol::Proc(proc));
                        return self.proc_call(e.span, proc, args);
                    }
                    Some(symbol) => {
                        self.reference(ident.span, symbol);
                        self.not_callable(callee, symbol, args);
                        return Ty::Error;
                    }
                    None => {}
                }
                if let Some(builtin) = Builtin::from_name(&ident.name) {
                    self.reference(ident.span, Symbol::Builtin(builtin));
                    return self.builtin_call(e.span, builtin, args, expected);
                }
                if let Some(host) = self.host_named(&ident.name) {
                    return self.host_call(e.span, host, args);
                }
                let message = if self.a.files[file].broken_aliases.contains(&ident.name) {
                    String::new()
                } else if self.a.files[file].aliases.contains_key(&ident.name) {
                    format!(
                        "'{0}' is a module; call its procedures as {0}.NAME(…)",
                        ident.name
                    )
                } else if let Some(local) = self.lookup_local(&ident.name) {
                    self.reference(ident.span, Symbol::Local(local));
                    format!("'{}' is a variable, not a procedure", ident.name)
                } else {
                    format!("unknown name '{}'", ident.name)
                };
                if !message.is_empty() {
                    self.error(callee.span, message);
                }
                self.check_args_loosely(args);
                Ty::Error
            }
            ExprKind::Field { base, name } => {
                if let Some(host) = self.dotted_host(callee) {
                    return self.host_call(e.span, host, args);
                }
                let res = self.resolve_path(callee);
                match res {
                    PathRes::NotPath => {
                        let base_ty = self.value(base, None);
                        if !base_ty.is_error() {
                            self.error(
                                name.span,
                                format!(
                                    "there are no methods; write {}(…) with the value as the first argument",
                                    name.name
                                ),
                            );
                        }
                        self.check_args_loosely(args);
                        Ty::Error
                    }
                    PathRes::Item(Symbol::Proc(proc)) => {
                        self.record_path(callee, &res);
                        self.proc_call(e.span, proc, args)
                    }
                    PathRes::Case(pick, case) => {
                        self.record_path(callee, &res);
                        self.case_call(e.span, callee, pick, case, args)
                    }
                    PathRes::Item(symbol) => {
                        self.record_path(callee, &res);
                        self.not_callable(callee, symbol, args);
                        Ty::Error
                    }
                    PathRes::Module(_) => {
                        self.record_path(callee, &res);
                        let text = path_text(callee);
                        self.error(
                            callee.span,
                            format!("'{text}' is a module; call its procedures as {text}.NAME(…)"),
                        );
                        self.check_args_loosely(args);
                        Ty::Error
                    }
                    PathRes::Broken | PathRes::NoItem(..) | PathRes::NoCase(..) => {
                        self.record_path(callee, &res);
                        self.check_args_loosely(args);
                        Ty::Error
                    }
                }
            }
            _ => {
                self.value(callee, None);
                self.error(callee.span, "cannot call this expression");
                self.check_args_loosely(args);
                Ty::Error
            }
        }
    }

    fn not_callable(&mut self, callee: &Expr, symbol: Symbol, args: &[Expr]) {
        let text = path_text(callee);
        let message = match symbol {
            Symbol::Form(_) => format!("'{text}' is a form; build one with {text} {{ … }}"),
            Symbol::Pick(_) => format!("'{text}' is a pick; build a case with {text}.CASE(…)"),
            _ => format!("'{text}' is not a procedure"),
        };
        self.error(callee.span, message);
        self.check_args_loosely(args);
    }

    /// Checks arguments of a call that could not be resolved, for the errors inside them.
    fn check_args_loosely(&mut self, args: &[Expr]) {
        for arg in args {
            self.expr(arg, None);
        }
    }

    fn proc_call(&mut self, span: Span, proc: u32, args: &[Expr]) -> Ty {
        let info = &self.a.procs[proc as usize];
        let params = info.param_types.clone();
        let ret = info.ret.clone();
        let name = info.name.clone();
        self.a.calls.insert(span, Callee::Proc(proc));
        if args.len() != params.len() {
            self.error(span, arity_message(&name, params.len(), args.len()));
            self.check_args_loosely(args);
            return ret;
        }
        for (arg, ty) in args.iter().zip(&params) {
            self.coerce(arg, ty);
        }
        ret
    }

    /// The host function called `name`, if the compiler was given one.
    fn host_named(&self, name: &str) -> Option<u32> {
        self.a
            .hosts
            .iter()
            .position(|host| host.name == name)
            .and_then(|index| u32::try_from(index).ok())
    }

    /// The host function a dotted callee (`host.add`) names: only when its first segment is not a
    /// `use` alias, an item of the file or a local variable, which keep their meaning.
    fn dotted_host(&self, callee: &Expr) -> Option<u32> {
        fn dotted(e: &Expr, out: &mut String) -> Option<()> {
            match &e.kind {
                ExprKind::Name(ident) => out.push_str(&ident.name),
                ExprKind::Field { base, name } => {
                    dotted(base, out)?;
                    out.push('.');
                    out.push_str(&name.name);
                }
                _ => return None,
            }
            Some(())
        }
        let mut name = String::new();
        dotted(callee, &mut name)?;
        let first = name.split('.').next()?;
        let scope = &self.a.files[self.ctx.file];
        if scope.aliases.contains_key(first)
            || scope.broken_aliases.contains(first)
            || scope.items.contains_key(first)
            || self.lookup_local(first).is_some()
        {
            return None;
        }
        self.host_named(&name)
    }

    /// A call of host function `host`: arity and argument types from its signature.
    fn host_call(&mut self, span: Span, host: u32, args: &[Expr]) -> Ty {
        let Some(info) = self.a.hosts.get(host as usize) else {
            self.check_args_loosely(args);
            return Ty::Error;
        };
        let (name, params, ret) = (info.name.clone(), info.params.clone(), info.ret.clone());
        self.a.calls.insert(span, Callee::Host(host));
        if args.len() != params.len() {
            self.error(span, arity_message(&name, params.len(), args.len()));
            self.check_args_loosely(args);
            return ret;
        }
        for (arg, ty) in args.iter().zip(&params) {
            self.coerce(arg, ty);
        }
        ret
    }

    fn case_call(
        &mut self,
        span: Span,
        callee: &Expr,
        pick: PickId,
        case: u32,
        args: &[Expr],
    ) -> Ty {
        let fields: Vec<Ty> = self.a.picks[pick as usize].cases[case as usize]
            .fields
            .iter()
            .map(|f| f.ty.clone())
            .collect();
        let text = path_text(callee);
        if fields.is_empty() {
            self.error(
                span,
                format!("{text} has no payload; write {text} without parentheses"),
            );
            self.check_args_loosely(args);
            return Ty::Pick(pick);
        }
        self.a.calls.insert(span, Callee::Case(pick, case));
        if args.len() != fields.len() {
            self.error(span, arity_message(&text, fields.len(), args.len()));
            self.check_args_loosely(args);
            return Ty::Pick(pick);
        }
        for (arg, ty) in args.iter().zip(&fields) {
            self.coerce(arg, ty);
        }
        Ty::Pick(pick)
    }

    fn builtin_call(&mut self, span: Span, b: Builtin, args: &[Expr], expected: Option<&Ty>) -> Ty {
        use Builtin as B;
        let arity: &[usize] = match b {
            B::Print
            | B::Eprint
            | B::Str
            | B::Len
            | B::Pop
            | B::Int
            | B::Float
            | B::Keys
            | B::Sqrt
            | B::Abs
            | B::Floor
            | B::Ceil
            | B::ReadFile
            | B::Env
            | B::Panic => &[1],
            B::Push
            | B::Fill
            | B::ToFixed
            | B::Join
            | B::Split
            | B::Find
            | B::Contains
            | B::Remove
            | B::Pow
            | B::Min
            | B::WriteFile
            | B::Max => &[2],
            B::Substr | B::Get => &[3],
            B::Clock | B::NowMs | B::Args | B::ReadLine | B::YieldNow | B::ThreadId => &[0],
            B::Assert => &[1, 2],
            B::Chan | B::Recv | B::Sleep => &[1],
            B::Send => &[2],
        };
        if b == B::Join && args.len() == 1 {
            self.a.calls.insert(span, Callee::Builtin(b));
            self.coerce(&args[0], &Ty::Thread);
            return Ty::Void;
        }
        if !arity.contains(&args.len()) {
            let message = match arity {
                [one] => arity_message(b.name(), *one, args.len()),
                _ => format!(
                    "{} takes 1 or 2 arguments but {} given",
                    b.name(),
                    were(args.len())
                ),
            };
            self.error(span, message);
            self.check_args_loosely(args);
            return Ty::Error;
        }
        self.a.calls.insert(span, Callee::Builtin(b));
        match b {
            B::Print | B::Eprint => {
                self.unshared_use(&args[0]);
                self.value(&args[0], None);
                Ty::Void
            }
            B::Str => {
                self.value(&args[0], None);
                Ty::Str
            }
            B::Len => {
                self.unshared_use(&args[0]);
                let ty = self.value(&args[0], None);
                if !matches!(
                    ty.non_null(),
                    Ty::Str | Ty::Array(_) | Ty::Map(..) | Ty::Error
                ) {
                    let message = format!("len cannot take {}", self.name(&ty));
                    self.error(args[0].span, message);
                }
                Ty::Int
            }
            B::Push => {
                let ty = self.value(&args[0], None);
                match ty.non_null().clone() {
                    Ty::Array(elem) => {
                        self.coerce(&args[1], &elem);
                    }
                    other => {
                        self.needs(&args[0], "push", &other);
                        self.value(&args[1], None);
                    }
                }
                Ty::Void
            }
            B::Pop => {
                let ty = self.value(&args[0], None);
                match ty.non_null().clone() {
                    Ty::Array(elem) => *elem,
                    other => {
                        self.needs(&args[0], "pop", &other);
                        Ty::Error
                    }
                }
            }
            B::Fill => {
                self.coerce(&args[0], &Ty::Int);
                if let Some(Ty::Array(elem)) = expected.map(Ty::non_null) {
                    let elem = (**elem).clone();
                    self.coerce(&args[1], &elem);
                    return Ty::array(elem);
                }
                let ty = self.value(&args[1], None);
                if ty == Ty::Null {
                    self.error(args[1].span, "cannot infer the type of null; annotate it");
                    return Ty::Error;
                }
                Ty::array(ty)
            }
            B::Int | B::Float => {
                let ty = self.value(&args[0], None);
                if !matches!(ty.non_null(), Ty::Int | Ty::Float | Ty::Str | Ty::Error) {
                    let message = format!("{} cannot take {}", b.name(), self.name(&ty));
                    self.error(args[0].span, message);
                }
                if b == B::Int { Ty::Int } else { Ty::Float }
            }
            B::ToFixed => {
                self.coerce(&args[0], &Ty::Float);
                self.coerce(&args[1], &Ty::Int);
                Ty::Str
            }
            B::Join => {
                self.coerce(&args[0], &Ty::array(Ty::Str));
                self.coerce(&args[1], &Ty::Str);
                Ty::Str
            }
            B::Split => {
                self.coerce(&args[0], &Ty::Str);
                self.coerce(&args[1], &Ty::Str);
                Ty::array(Ty::Str)
            }
            B::Substr => {
                self.coerce(&args[0], &Ty::Str);
                self.coerce(&args[1], &Ty::Int);
                self.coerce(&args[2], &Ty::Int);
                Ty::Str
            }
            B::Find => {
                self.coerce(&args[0], &Ty::Str);
                self.coerce(&args[1], &Ty::Str);
                Ty::Int
            }
            B::Keys | B::Contains | B::Get | B::Remove => {
                let ty = self.value(&args[0], None);
                let Ty::Map(key, value) = ty.non_null().clone() else {
                    let other = ty.non_null().clone();
                    self.needs(&args[0], b.name(), &other);
                    self.check_args_loosely(&args[1..]);
                    return match b {
                        B::Contains | B::Remove => Ty::Bool,
                        _ => Ty::Error,
                    };
                };
                match b {
                    B::Keys => Ty::array(*key),
                    B::Contains | B::Remove => {
                        self.coerce(&args[1], &key);
                        Ty::Bool
                    }
                    _ => {
                        self.coerce(&args[1], &key);
                        self.coerce(&args[2], &value);
                        *value
                    }
                }
            }
            B::Sqrt | B::Floor | B::Ceil => {
                self.coerce(&args[0], &Ty::Float);
                Ty::Float
            }
            B::Pow => {
                self.coerce(&args[0], &Ty::Float);
                self.coerce(&args[1], &Ty::Float);
                Ty::Float
            }
            B::Abs => {
                let ty = self.value(&args[0], None);
                match ty {
                    Ty::Int | Ty::Float | Ty::Error => ty,
                    other => {
                        self.needs(&args[0], "abs", &other);
                        Ty::Error
                    }
                }
            }
            B::Min | B::Max => {
                let left = self.value(&args[0], None);
                let right = self.value(&args[1], None);
                match (&left, &right) {
                    (Ty::Error, other) | (other, Ty::Error)
                        if other.is_numeric() || other.is_error() =>
                    {
                        other.clone()
                    }
                    (Ty::Int, Ty::Int) => Ty::Int,
                    (Ty::Float, Ty::Float) => Ty::Float,
                    _ => {
                        let message = format!(
                            "{} cannot take {} and {}",
                            b.name(),
                            self.name(&left),
                            self.name(&right)
                        );
                        self.error(span, message);
                        Ty::Error
                    }
                }
            }
            B::Clock => Ty::Float,
            B::NowMs => Ty::Int,
            B::Args => Ty::array(Ty::Str),
            B::ReadLine => Ty::nullable(Ty::Str),
            B::ReadFile => {
                self.coerce(&args[0], &Ty::Str);
                Ty::Str
            }
            B::WriteFile => {
                self.coerce(&args[0], &Ty::Str);
                self.coerce(&args[1], &Ty::Str);
                Ty::Void
            }
            B::Env => {
                self.coerce(&args[0], &Ty::Str);
                Ty::nullable(Ty::Str)
            }
            B::Assert => {
                self.coerce(&args[0], &Ty::Bool);
                if let Some(message) = args.get(1) {
                    self.coerce(message, &Ty::Str);
                }
                Ty::Void
            }
            B::Panic => {
                self.coerce(&args[0], &Ty::Str);
                Ty::Void
            }
            B::Chan => {
                self.coerce(&args[0], &Ty::Int);
                match expected.map(Ty::non_null) {
                    Some(Ty::Chan(elem)) => Ty::Chan(elem.clone()),
                    Some(ty) if ty.is_error() => Ty::Error,
                    _ => {
                        self.error(
                            span,
                            "cannot infer the channel's type; annotate it, like 'let c: Chan[int] = chan(0);'",
                        );
                        Ty::Error
                    }
                }
            }
            B::Send | B::Recv => {
                let ty = self.value(&args[0], None);
                let elem = match ty.non_null() {
                    Ty::Chan(elem) => (**elem).clone(),
                    other => {
                        let other = other.clone();
                        self.needs(&args[0], b.name(), &other);
                        Ty::Error
                    }
                };
                if b == B::Send {
                    self.coerce(&args[1], &elem);
                    Ty::Void
                } else {
                    elem
                }
            }
            B::YieldNow => Ty::Void,
            B::Sleep => {
                self.coerce(&args[0], &Ty::Int);
                Ty::Void
            }
            B::ThreadId => Ty::Int,
        }
    }

    /// Reports `NAME cannot take T` unless `found` is an error already reported.
    fn needs(&mut self, arg: &Expr, name: &str, found: &Ty) {
        if !found.is_error() {
            let message = format!("{name} cannot take {}", self.name(found));
            self.error(arg.span, message);
        }
    }
}
