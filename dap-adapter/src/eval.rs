//! Debugger expressions: what a user types in a watch, the debug console or a hover (`p.x * 2.0`,
//! `len(names) > 3`, `m["key"]`, `util.counter`), evaluated against a stopped program without
//! running any of its code.
//!
//! The text is parsed with the compiler's expression grammar
//! ([`parse_expression`](vitte_compiler::parser::parse_expression)) and evaluated here, directly on
//! the VM's heap, with the language's rules:
//!
//! - Names are the frame's locals first, then the globals; a global of a used file is reached as
//!   `alias.name` (`util.counter`).
//! - Literals (`42`, `2.5`, `"text"`, `true`, `null`), parentheses, `-`, `not`/`!`, `and`/`or`
//!   (short-circuit), `+ - * / %` on two ints (wrapping; `/` and `%` by zero are `division by zero`)
//!   or two floats, `+` on two strings, `== != < <= > >=` on two ints, floats or strings, `==`/`!=`
//!   on bools, `null` and references (identity). There are no implicit conversions: `1 + 2.0` is an
//!   error, as in a program. What operators and built-ins compute is the VM's
//!   [`semantics`], so an expression gives what the same code gives in the program.
//! - `p.x` reads a form field or a pick payload field, `xs[i]` an array element, `m[k]` a map entry.
//! - The built-ins that only compute a value ([`Builtin::is_pure`]) can be called: `len str int float
//!   abs min max sqrt floor ceil pow to_fixed substr find join contains get` (a program's own procedure
//!   of the same name wins, as in the language, and then the call is refused).
//!
//! Everything else is an error with a message for the user: calling procedures, built-ins with side
//! effects or that would allocate collections, literals that would allocate (`[1]`, `{}`,
//! `Point { … }`), `match`, `spawn`. Evaluation only reads ([`EvalContext`] holds shared
//! references), never panics on any input, and is bounded: expressions nest at most [`MAX_DEPTH`]
//! levels and computed strings are at most [`MAX_TEXT`] bytes long.

use std::borrow::Cow;

use vitte_compiler::ast::{BinOp, Expr, ExprKind, UnOp};
use vitte_compiler::builtins::Builtin;
use vitte_compiler::diagnostics::Severity;
use vitte_vm::Trap;
use vitte_vm::bytecode::{Module, Type, TypeId, ValueKind};
use vitte_vm::debug::{Value, Variable, inspect};
use vitte_vm::memory::format::write_quoted;
use vitte_vm::memory::{Heap, KeyRef, Object, StringStyle, format_value};
use vitte_vm::semantics::{self, Comparison, Operator, Scalar, arith, convert, strings};

/// The deepest nesting of operations an expression may have.
pub const MAX_DEPTH: usize = 200;

/// The longest string (in bytes) an expression may compute.
pub const MAX_TEXT: usize = 1 << 20;

/// The keywords that can appear in an expression, offered by [`completions`].
const KEYWORDS: &[&str] = &["and", "false", "not", "null", "or", "true"];

/// The result of an expression.
#[derive(Clone, Debug, PartialEq)]
pub enum EvalValue {
    /// An `int`.
    Int(i64),
    /// A `float`.
    Float(f64),
    /// A `bool`.
    Bool(bool),
    /// A string computed by the expression (a string read from the program stays [`EvalValue::Vm`]).
    Str(String),
    /// The `null` literal.
    Null,
    /// A value of the program: a reference (string, array, map, form, pick, thread, channel, or a
    /// typed `null`) with its static type.
    Vm(Value),
}

/// What an expression can see: the program, its heap, and the variables of the selected frame.
#[derive(Clone, Copy, Debug)]
pub struct EvalContext<'a> {
    /// The loaded program.
    pub module: &'a Module,
    /// Its heap.
    pub heap: &'a Heap,
    /// The locals of the selected frame (as `Vm::debug_locals` gives them).
    pub locals: &'a [Variable],
    /// The globals (as `Vm::debug_globals` gives them).
    pub globals: &'a [Variable],
}

/// Evaluates the expression `source`.
///
/// # Errors
/// A message for the user: a syntax error (with its column), an unknown name, a type error, a
/// runtime error (`division by zero`, `null dereference`, `index 5 out of bounds for length 3`,
/// `key not found: "k"`), or something expressions cannot do.
pub fn evaluate(source: &str, ctx: &EvalContext<'_>) -> Result<EvalValue, String> {
    let expr = parse(source)?;
    let evaluator = Evaluator { ctx: *ctx };
    evaluator.value(&expr, 0)
}

/// The text a debugger shows for `value`: as [`inspect::display`] shows program values (strings
/// quoted, collections written out), numbers as the language prints them.
pub fn display(ctx: &EvalContext<'_>, value: &EvalValue) -> String {
    match value {
        EvalValue::Int(value) => convert::int_to_str(*value).into(),
        EvalValue::Float(value) => convert::float_to_str(*value),
        EvalValue::Bool(value) => convert::bool_to_str(*value).to_string(),
        EvalValue::Str(text) => {
            let mut out = String::with_capacity(text.len() + 2);
            write_quoted(&mut out, text);
            out
        }
        EvalValue::Null => "null".to_string(),
        EvalValue::Vm(value) => inspect::display(ctx.module, ctx.heap, *value),
    }
}

/// The name of `value`'s type as the language writes it (`int`, `string`, `[int]`, `?Point`, …).
pub fn type_name(ctx: &EvalContext<'_>, value: &EvalValue) -> String {
    match value {
        EvalValue::Int(_) => "int".to_string(),
        EvalValue::Float(_) => "float".to_string(),
        EvalValue::Bool(_) => "bool".to_string(),
        EvalValue::Str(_) => "string".to_string(),
        EvalValue::Null => "null".to_string(),
        EvalValue::Vm(value) => inspect::type_name(ctx.module, value.ty),
    }
}

/// What may follow `prefix` (the text before the cursor): the names that start with its last
/// identifier, sorted and without repeats. After `x.` these are the fields of the form or pick
/// value `x` (and the globals `x.NAME` of a used file); otherwise the locals, the globals, the
/// built-ins expressions can call and the keywords `true false null not and or`. Nothing inside a
/// string literal or after a number.
pub fn completions(prefix: &str, ctx: &EvalContext<'_>) -> Vec<String> {
    if inside_string(prefix) {
        return Vec::new();
    }
    let word_start = prefix
        .char_indices()
        .rev()
        .find(|&(_, c)| !is_ident_char(c))
        .map_or(0, |(index, c)| index + c.len_utf8());
    let word = &prefix[word_start..];
    if word.starts_with(|c: char| c.is_ascii_digit()) {
        return Vec::new();
    }
    let before = &prefix[..word_start];
    let mut names: Vec<String> = Vec::new();
    if let Some(base_text) = before.strip_suffix('.') {
        let base = path_suffix(base_text);
        if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
            return Vec::new();
        }
        if let Ok(value) = evaluate(base, ctx) {
            names.extend(field_names(ctx, &value));
        }
        let dotted = format!("{base}.");
        names.extend(
            ctx.globals
                .iter()
                .filter_map(|global| global.name.strip_prefix(&dotted))
                .map(str::to_string),
        );
    } else {
        names.extend(ctx.locals.iter().map(|local| local.name.clone()));
        names.extend(ctx.globals.iter().map(|global| global.name.clone()));
        names.extend(
            Builtin::ALL
                .iter()
                .filter(|builtin| builtin.is_pure())
                .map(|builtin| builtin.name().to_string()),
        );
        names.extend(KEYWORDS.iter().map(|keyword| keyword.to_string()));
    }
    names.retain(|name| name.starts_with(word));
    names.sort();
    names.dedup();
    names
}

/// The place `source` names, when it is a path to a settable place (`x`, `util.counter`, `p.x`,
/// `xs[i + 1]`, `m["k"]`, a pick's payload field), with its current value; its `place` says where
/// a new value is written. Its `name` is the trimmed `source`. `None` for anything else (a
/// computed value, an error, a map key that is not there).
pub fn place_of(source: &str, ctx: &EvalContext<'_>) -> Option<Variable> {
    let expr = parse(source).ok()?;
    let evaluator = Evaluator { ctx: *ctx };
    match evaluator.resolve(&expr, 0) {
        Ok(Resolved::Place(mut variable)) => {
            variable.name = source.trim().to_string();
            Some(variable)
        }
        _ => None,
    }
}

/// Parses `source`, turning the first error into a message with its column.
fn parse(source: &str) -> Result<Expr, String> {
    let (expr, diagnostics) = vitte_compiler::parser::parse_expression(source);
    if let Some(error) = diagnostics
        .iter()
        .find(|diagnostic| diagnostic.severity == Severity::Error)
    {
        let start = (error.span.start as usize).min(source.len());
        let column = source
            .char_indices()
            .take_while(|&(index, _)| index < start)
            .count()
            + 1;
        return Err(format!("{} (at column {column})", error.message));
    }
    Ok(expr)
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Whether `text` ends inside a string literal.
fn inside_string(text: &str) -> bool {
    let mut inside = false;
    let mut escaped = false;
    for c in text.chars() {
        if escaped {
            escaped = false;
        } else if inside && c == '\\' {
            escaped = true;
        } else if c == '"' {
            inside = !inside;
        }
    }
    inside
}

/// The path expression `text` ends with: names, dots and bracketed indexes (`a.b[i + 1].c`).
fn path_suffix(text: &str) -> &str {
    let mut depth = 0usize;
    let mut start = text.len();
    for (index, c) in text.char_indices().rev() {
        if depth > 0 {
            match c {
                ']' => depth += 1,
                '[' => depth -= 1,
                _ => {}
            }
        } else if c == ']' {
            depth = 1;
        } else if !(is_ident_char(c) || c == '.') {
            break;
        }
        start = index;
    }
    if depth > 0 { "" } else { &text[start..] }
}

/// The field names of a form value, or of the case a pick value holds.
fn field_names(ctx: &EvalContext<'_>, value: &EvalValue) -> Vec<String> {
    let EvalValue::Vm(value) = value else {
        return Vec::new();
    };
    if inspect::kind_of(ctx.module, value.ty) != ValueKind::Ref || value.bits == 0 {
        return Vec::new();
    }
    let defs = match ctx.heap.get(value.bits) {
        Ok(Object::Form(form)) => ctx
            .module
            .forms
            .get(form.form as usize)
            .map(|def| def.fields.as_slice()),
        Ok(Object::Pick(pick)) => ctx
            .module
            .picks
            .get(pick.pick as usize)
            .and_then(|def| def.cases.get(pick.case as usize))
            .map(|case| case.fields.as_slice()),
        _ => None,
    };
    defs.unwrap_or_default()
        .iter()
        .map(|def| def.name.clone())
        .collect()
}

/// The segments of `expr` when it is a plain or dotted name (`a`, `util.counter`, `p.x.y`).
fn path_segments(expr: &Expr) -> Option<Vec<&str>> {
    let mut segments = Vec::new();
    let mut expr = expr;
    loop {
        match &expr.kind {
            ExprKind::Name(ident) => {
                segments.push(ident.name.as_str());
                break;
            }
            ExprKind::Field { base, name } => {
                segments.push(name.name.as_str());
                expr = base;
            }
            _ => return None,
        }
    }
    segments.reverse();
    Some(segments)
}

/// `null dereference`.
fn null_dereference() -> String {
    "null dereference".to_string()
}

fn too_deep() -> String {
    format!("the expression is nested too deeply (the limit is {MAX_DEPTH} levels)")
}

fn too_long() -> String {
    format!("the resulting string would be longer than {MAX_TEXT} bytes")
}

/// A runtime error's message, as the user sees it.
fn message(trap: Trap) -> String {
    trap.message
}

impl From<Scalar<'_>> for EvalValue {
    fn from(value: Scalar<'_>) -> EvalValue {
        match value {
            Scalar::Int(value) => EvalValue::Int(value),
            Scalar::Float(value) => EvalValue::Float(value),
            Scalar::Bool(value) => EvalValue::Bool(value),
            Scalar::Str(text) => EvalValue::Str(text.into_owned()),
        }
    }
}

/// What an expression names: a place of the program, or a computed value.
enum Resolved {
    /// A variable, field, element or map entry.
    Place(Variable),
    /// A value computed by the expression.
    Value(EvalValue),
}

/// A value as the operators see it.
#[derive(Clone, Copy)]
enum Kind<'v> {
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(&'v str),
    /// `null`: the literal, or a program reference holding null (`vm`).
    Null {
        vm: bool,
    },
    /// A non-null program reference that is not a string.
    Ref(Value),
}

impl<'v> Kind<'v> {
    /// The value as the VM's operators take it; `None` for null and references.
    fn scalar(self) -> Option<Scalar<'v>> {
        Some(match self {
            Kind::Int(value) => Scalar::Int(value),
            Kind::Float(value) => Scalar::Float(value),
            Kind::Bool(value) => Scalar::Bool(value),
            Kind::Str(text) => Scalar::Str(Cow::Borrowed(text)),
            Kind::Null { .. } | Kind::Ref(_) => return None,
        })
    }
}

struct Evaluator<'a> {
    ctx: EvalContext<'a>,
}

impl<'a> Evaluator<'a> {
    // ----- names -----

    fn variable(&self, name: &str) -> Option<&'a Variable> {
        let ctx = self.ctx;
        ctx.locals
            .iter()
            .find(|local| local.name == name)
            .or_else(|| ctx.globals.iter().find(|global| global.name == name))
    }

    fn is_procedure(&self, name: &str) -> bool {
        self.ctx
            .module
            .functions
            .iter()
            .any(|function| function.name == name)
    }

    fn is_type(&self, name: &str) -> bool {
        let module = self.ctx.module;
        module.forms.iter().any(|form| form.name == name)
            || module.picks.iter().any(|pick| pick.name == name)
    }

    /// The message for a name that is not a variable.
    fn not_a_variable(&self, name: &str) -> String {
        if self.is_procedure(name) {
            format!(
                "`{name}` is a procedure, not a value (calling procedures is not supported in debugger expressions)"
            )
        } else if self.is_type(name) {
            format!(
                "`{name}` is a type, not a value (debugger expressions cannot create values of it)"
            )
        } else {
            format!("unknown name `{name}`")
        }
    }

    /// A dotted path whose first segment is not a variable: a global of a used file
    /// (`util.counter`), then fields of it.
    fn qualified(&self, segments: &[&str]) -> Result<Variable, String> {
        for split in 2..=segments.len() {
            let name = segments[..split].join(".");
            if let Some(global) = self.ctx.globals.iter().find(|global| global.name == name) {
                let mut variable = global.clone();
                for field in &segments[split..] {
                    let value = self.normalise(variable.value)?;
                    variable = self.field(&value, field)?;
                }
                return Ok(variable);
            }
        }
        for split in (1..=segments.len()).rev() {
            let name = segments[..split].join(".");
            if self.is_procedure(&name) || self.is_type(&name) {
                return Err(self.not_a_variable(&name));
            }
        }
        let first = segments.first().copied().unwrap_or_default();
        let alias = format!("{first}.");
        if segments.len() > 1
            && self
                .ctx
                .globals
                .iter()
                .any(|global| global.name.starts_with(&alias))
        {
            return Err(format!("unknown name `{}`", segments[..2].join(".")));
        }
        Err(format!("unknown name `{first}`"))
    }

    // ----- values -----

    /// A program value as an [`EvalValue`]: scalars become [`EvalValue::Int`], … .
    fn normalise(&self, value: Value) -> Result<EvalValue, String> {
        let bits = value.bits;
        Ok(match inspect::kind_of(self.ctx.module, value.ty) {
            ValueKind::Int => EvalValue::Int(bits as i64),
            ValueKind::Float => EvalValue::Float(f64::from_bits(bits)),
            ValueKind::Bool => EvalValue::Bool(bits != 0),
            ValueKind::Ref => EvalValue::Vm(value),
            ValueKind::Void => return Err("this has no value (its type is void)".to_string()),
        })
    }

    fn type_name(&self, value: &EvalValue) -> String {
        type_name(&self.ctx, value)
    }

    /// The static type of a program reference, without `?`.
    fn ref_type(&self, value: Value) -> Option<&'a Type> {
        let module = self.ctx.module;
        module.ty(module.strip_nullable(value.ty))
    }

    fn classify<'v>(&self, value: &'v EvalValue) -> Result<Kind<'v>, String>
    where
        'a: 'v,
    {
        Ok(match value {
            EvalValue::Int(value) => Kind::Int(*value),
            EvalValue::Float(value) => Kind::Float(*value),
            EvalValue::Bool(value) => Kind::Bool(*value),
            EvalValue::Str(text) => Kind::Str(text),
            EvalValue::Null => Kind::Null { vm: false },
            EvalValue::Vm(value) => match inspect::kind_of(self.ctx.module, value.ty) {
                ValueKind::Int => Kind::Int(value.bits as i64),
                ValueKind::Float => Kind::Float(f64::from_bits(value.bits)),
                ValueKind::Bool => Kind::Bool(value.bits != 0),
                ValueKind::Void => {
                    return Err("this has no value (its type is void)".to_string());
                }
                ValueKind::Ref if value.bits == 0 => Kind::Null { vm: true },
                ValueKind::Ref => match self.ref_type(*value) {
                    Some(Type::Str) => {
                        let heap: &'a Heap = self.ctx.heap;
                        Kind::Str(heap.str(value.bits).map_err(message)?)
                    }
                    _ => Kind::Ref(*value),
                },
            },
        })
    }

    // ----- expressions -----

    fn value(&self, expr: &Expr, depth: usize) -> Result<EvalValue, String> {
        match self.resolve(expr, depth)? {
            Resolved::Place(variable) => self.normalise(variable.value),
            Resolved::Value(value) => Ok(value),
        }
    }

    fn resolve(&self, expr: &Expr, depth: usize) -> Result<Resolved, String> {
        if depth >= MAX_DEPTH {
            return Err(too_deep());
        }
        let next = depth + 1;
        let value = match &expr.kind {
            ExprKind::Int(value) => EvalValue::Int(*value),
            ExprKind::Float(value) => EvalValue::Float(*value),
            ExprKind::Str(text) => EvalValue::Str(text.clone()),
            ExprKind::Bool(value) => EvalValue::Bool(*value),
            ExprKind::Null => EvalValue::Null,
            ExprKind::Paren(inner) => return self.resolve(inner, next),
            ExprKind::Name(ident) => {
                return match self.variable(&ident.name) {
                    Some(variable) => Ok(Resolved::Place(variable.clone())),
                    None => Err(self.not_a_variable(&ident.name)),
                };
            }
            ExprKind::Field { base, name } => {
                if let Some(segments) = path_segments(expr)
                    && segments.len() <= MAX_DEPTH
                    && segments
                        .first()
                        .is_some_and(|first| self.variable(first).is_none())
                {
                    return self.qualified(&segments).map(Resolved::Place);
                }
                let base = self.value(base, next)?;
                return self.field(&base, &name.name).map(Resolved::Place);
            }
            ExprKind::Index { base, index } => {
                let base = self.value(base, next)?;
                let index = self.value(index, next)?;
                return self.index(&base, &index).map(Resolved::Place);
            }
            ExprKind::Call { callee, args } => return self.call(callee, args, next),
            ExprKind::Unary { op, operand } => {
                let operand = self.value(operand, next)?;
                self.unary(*op, &operand)?
            }
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, next)?,
            ExprKind::Array(_) => {
                return Err("array literals are not supported in debugger expressions".to_string());
            }
            ExprKind::Map(_) => {
                return Err("map literals are not supported in debugger expressions".to_string());
            }
            ExprKind::FormLit { .. } => {
                return Err("form literals are not supported in debugger expressions".to_string());
            }
            ExprKind::Match { .. } => {
                return Err("`match` is not supported in debugger expressions".to_string());
            }
            ExprKind::Spawn(_) => {
                return Err("`spawn` is not supported in debugger expressions".to_string());
            }
            ExprKind::Error => return Err("the expression could not be parsed".to_string()),
        };
        Ok(Resolved::Value(value))
    }

    /// `base.name`: a form field or a pick payload field.
    fn field(&self, base: &EvalValue, name: &str) -> Result<Variable, String> {
        let ctx = self.ctx;
        let no_field = || {
            format!(
                "a value of type `{}` has no field `{name}`",
                self.type_name(base)
            )
        };
        let EvalValue::Vm(value) = base else {
            return Err(no_field());
        };
        if inspect::kind_of(ctx.module, value.ty) != ValueKind::Ref {
            return Err(no_field());
        }
        if value.bits == 0 {
            return Err(null_dereference());
        }
        if let Some(variable) = inspect::field(ctx.module, ctx.heap, *value, name) {
            return Ok(variable);
        }
        Err(match ctx.heap.get(value.bits) {
            Ok(Object::Form(form)) => {
                let form = ctx.module.forms.get(form.form as usize);
                format!("`{}` has no field `{name}`", form.map_or("?", |f| &f.name))
            }
            Ok(Object::Pick(pick)) => {
                let pick_name = ctx
                    .module
                    .picks
                    .get(pick.pick as usize)
                    .map_or("?", |p| &p.name);
                let case = inspect::case_name(ctx.module, ctx.heap, *value).unwrap_or("?");
                format!("case `{case}` of `{pick_name}` has no field `{name}`")
            }
            Ok(Object::Array(_) | Object::Map(_) | Object::Str(_) | Object::Builder(_)) => format!(
                "{} (there are no methods or properties; use the built-ins, like len(v))",
                no_field()
            ),
            Ok(_) => no_field(),
            Err(trap) => trap.message,
        })
    }

    /// `base[index]`: an array element or a map entry.
    fn index(&self, base: &EvalValue, index: &EvalValue) -> Result<Variable, String> {
        let ctx = self.ctx;
        let cannot = || format!("cannot index a value of type `{}`", self.type_name(base));
        let value = match base {
            EvalValue::Vm(value) if inspect::kind_of(ctx.module, value.ty) == ValueKind::Ref => {
                *value
            }
            EvalValue::Str(_) => {
                return Err(format!("{} (use substr(s, start, end))", cannot()));
            }
            _ => return Err(cannot()),
        };
        if value.bits == 0 {
            return Err(null_dereference());
        }
        match self.ref_type(value) {
            Some(Type::Array(_)) => match self.classify(index)? {
                Kind::Int(position) => inspect::element(ctx.module, ctx.heap, value, position),
                _ => Err(format!(
                    "an array index must be an int, found {}",
                    self.type_name(index)
                )),
            },
            Some(Type::Map(key_ty, _)) => {
                let kind = self.classify(index)?;
                let key = self.map_key(*key_ty, kind, index)?;
                inspect::lookup(ctx.module, ctx.heap, value, key)
            }
            Some(Type::Str) => Err(format!("{} (use substr(s, start, end))", cannot())),
            _ => Err(cannot()),
        }
    }

    /// `key` as a key of a map whose key type is `key_ty`.
    fn map_key<'v>(
        &self,
        key_ty: TypeId,
        key: Kind<'v>,
        original: &EvalValue,
    ) -> Result<KeyRef<'v>, String> {
        let module = self.ctx.module;
        match (module.ty(key_ty), key) {
            (Some(Type::Int), Kind::Int(value)) => Ok(KeyRef::Int(value)),
            (Some(Type::Bool), Kind::Bool(value)) => Ok(KeyRef::Bool(value)),
            (Some(Type::Str), Kind::Str(text)) => Ok(KeyRef::Str(text)),
            (Some(Type::Str), Kind::Null { vm: true }) => Err(null_dereference()),
            _ => Err(format!(
                "the keys of this map are {}, found {}",
                inspect::type_name(module, key_ty),
                self.type_name(original)
            )),
        }
    }

    fn unary(&self, op: UnOp, operand: &EvalValue) -> Result<EvalValue, String> {
        let value = self.classify(operand)?.scalar();
        match value.and_then(|value| semantics::unary(op.operator(), &value)) {
            Some(result) => Ok(result.into()),
            None => {
                let symbol = match op {
                    UnOp::Neg => "-",
                    UnOp::Not => "not",
                };
                Err(format!(
                    "cannot apply `{symbol}` to {}",
                    self.type_name(operand)
                ))
            }
        }
    }

    fn binary(&self, op: BinOp, lhs: &Expr, rhs: &Expr, depth: usize) -> Result<EvalValue, String> {
        if matches!(op, BinOp::And | BinOp::Or) {
            let left = self.value(lhs, depth)?;
            let Kind::Bool(left_bool) = self.classify(&left)? else {
                return Err(format!(
                    "cannot apply `{}` to {} (it takes two bools)",
                    op.symbol(),
                    self.type_name(&left)
                ));
            };
            if left_bool == (op == BinOp::Or) {
                return Ok(EvalValue::Bool(left_bool));
            }
            let right = self.value(rhs, depth)?;
            return match self.classify(&right)? {
                Kind::Bool(value) => Ok(EvalValue::Bool(value)),
                _ => Err(self.mismatch(op, &left, &right)),
            };
        }
        let left = self.value(lhs, depth)?;
        let right = self.value(rhs, depth)?;
        let (a, b) = (self.classify(&left)?, self.classify(&right)?);
        let result = match (op.operator(), a.scalar(), b.scalar()) {
            (Some(operator), Some(x), Some(y)) => {
                if let (Scalar::Str(x), Scalar::Str(y)) = (&x, &y)
                    && op == BinOp::Add
                    && x.len().saturating_add(y.len()) > MAX_TEXT
                {
                    return Err(too_long());
                }
                semantics::binary(operator, &x, &y)
            }
            (Some(Operator::Compare(comparison)), _, _) if comparison.is_equality() => self
                .same_reference(a, b)
                .map(|same| Ok(Scalar::Bool(same == (comparison == Comparison::Eq)))),
            _ => None,
        };
        match result {
            Some(result) => result.map(EvalValue::from).map_err(message),
            None if op != BinOp::Sub
                && op != BinOp::Mul
                && op != BinOp::Div
                && op != BinOp::Rem
                && null_string_pair(a, b) =>
            {
                Err(null_dereference())
            }
            None => Err(self.mismatch(op, &left, &right)),
        }
    }

    /// `cannot apply '+' to int and float`, with a hint for mixed numbers.
    fn mismatch(&self, op: BinOp, left: &EvalValue, right: &EvalValue) -> String {
        let (left, right) = (self.type_name(left), self.type_name(right));
        let mut message = format!("cannot apply `{}` to {left} and {right}", op.symbol());
        let numbers = [left.as_str(), right.as_str()];
        if numbers == ["int", "float"] || numbers == ["float", "int"] {
            message.push_str(" (there are no implicit conversions; use float(i) or int(x))");
        }
        message
    }

    /// `==` where an operand is null or a reference that is not a string: identity. `None` when
    /// the operands cannot be compared.
    fn same_reference(&self, a: Kind<'_>, b: Kind<'_>) -> Option<bool> {
        Some(match (a, b) {
            (Kind::Null { .. }, Kind::Null { .. }) => true,
            (Kind::Null { .. }, Kind::Str(_) | Kind::Ref(_))
            | (Kind::Str(_) | Kind::Ref(_), Kind::Null { .. }) => false,
            (Kind::Ref(x), Kind::Ref(y)) => {
                let module = self.ctx.module;
                if module.strip_nullable(x.ty) != module.strip_nullable(y.ty) {
                    return None;
                }
                x.bits == y.bits
            }
            _ => return None,
        })
    }

    // ----- calls -----

    fn call(&self, callee: &Expr, args: &[Expr], depth: usize) -> Result<Resolved, String> {
        let name = match path_segments(callee).as_deref() {
            Some([single]) => single.to_string(),
            Some(segments) => {
                let name = segments.join(".");
                if self.is_procedure(&name) {
                    return Err(
                        "calling procedures is not supported in debugger expressions".to_string(),
                    );
                }
                if let [pick, _] = segments
                    && self.is_type(pick)
                {
                    return Err(format!(
                        "`{name}` creates a value, which debugger expressions cannot do"
                    ));
                }
                if segments.len() <= MAX_DEPTH
                    && let Some((last, base)) = segments.split_last()
                    && (base
                        .first()
                        .is_some_and(|first| self.variable(first).is_some())
                        || self.qualified(base).is_ok())
                {
                    return Err(format!(
                        "there are no methods; write {last}(…) with the value as the first argument"
                    ));
                }
                return Err(format!("unknown name `{name}`"));
            }
            None => {
                return Err(
                    "only built-in functions can be called in debugger expressions".to_string(),
                );
            }
        };
        if self.is_procedure(&name) {
            return Err("calling procedures is not supported in debugger expressions".to_string());
        }
        if self.variable(&name).is_some() {
            return Err(format!("`{name}` is a variable, not a procedure"));
        }
        let Some(builtin) = Builtin::from_name(&name) else {
            return Err(self.not_a_variable(&name));
        };
        if !builtin.is_pure() {
            return Err(unsupported_builtin(builtin));
        }
        let arity = match builtin {
            Builtin::Substr | Builtin::Get => 3,
            Builtin::ToFixed
            | Builtin::Join
            | Builtin::Find
            | Builtin::Contains
            | Builtin::Pow
            | Builtin::Min
            | Builtin::Max => 2,
            _ => 1,
        };
        if args.len() != arity {
            if builtin == Builtin::Join && args.len() == 1 {
                return Err(unsupported_builtin(builtin));
            }
            let were = if args.len() == 1 { "was" } else { "were" };
            let plural = if arity == 1 { "" } else { "s" };
            return Err(format!(
                "{name} takes {arity} argument{plural} but {} {were} given",
                args.len()
            ));
        }
        let values = args
            .iter()
            .map(|arg| self.value(arg, depth))
            .collect::<Result<Vec<_>, _>>()?;
        self.builtin(builtin, &values)
    }

    fn builtin(&self, builtin: Builtin, args: &[EvalValue]) -> Result<Resolved, String> {
        let ctx = self.ctx;
        let name = builtin.name();
        let kinds = args
            .iter()
            .map(|arg| self.classify(arg))
            .collect::<Result<Vec<_>, _>>()?;
        let cannot_take = |index: usize| {
            format!(
                "{name} cannot take {}",
                args.get(index)
                    .map_or_else(String::new, |a| self.type_name(a))
            )
        };
        let expected = |index: usize, what: &str| {
            format!(
                "{name} expects {what}, found {}",
                args.get(index)
                    .map_or_else(String::new, |a| self.type_name(a))
            )
        };
        let float_arg = |index: usize| match kinds.get(index) {
            Some(Kind::Float(value)) => Ok(*value),
            _ => Err(expected(index, "float")),
        };
        let int_arg = |index: usize| match kinds.get(index) {
            Some(Kind::Int(value)) => Ok(*value),
            _ => Err(expected(index, "int")),
        };
        let str_arg = |index: usize| match kinds.get(index) {
            Some(Kind::Str(text)) => Ok(*text),
            Some(Kind::Null { vm: true }) => Err(null_dereference()),
            _ => Err(expected(index, "string")),
        };
        let first = kinds.first().copied().unwrap_or(Kind::Null { vm: false });
        let value = match builtin {
            Builtin::Len => EvalValue::Int(match first {
                Kind::Str(text) => text.len() as i64,
                Kind::Null { vm: true } => return Err(null_dereference()),
                Kind::Ref(value) => match ctx.heap.get(value.bits) {
                    Ok(Object::Array(array)) => array.items.len() as i64,
                    Ok(Object::Map(map)) => map.entries.len() as i64,
                    _ => return Err(cannot_take(0)),
                },
                _ => return Err(cannot_take(0)),
            }),
            Builtin::Str => {
                let text = match first {
                    Kind::Int(value) => convert::int_to_str(value).into(),
                    Kind::Float(value) => convert::float_to_str(value),
                    Kind::Bool(value) => convert::bool_to_str(value).to_string(),
                    Kind::Str(text) => text.to_string(),
                    Kind::Null { .. } => "null".to_string(),
                    Kind::Ref(value) => {
                        format_value(ctx.heap, ValueKind::Ref, value.bits, StringStyle::Raw)
                    }
                };
                if text.len() > MAX_TEXT {
                    return Err(too_long());
                }
                EvalValue::Str(text)
            }
            Builtin::Int => EvalValue::Int(match first {
                Kind::Int(value) => value,
                Kind::Float(value) => convert::float_to_int(value).map_err(message)?,
                Kind::Str(text) => convert::parse_int(text).map_err(message)?,
                Kind::Null { vm: true } => return Err(null_dereference()),
                _ => return Err(cannot_take(0)),
            }),
            Builtin::Float => EvalValue::Float(match first {
                Kind::Int(value) => convert::int_to_float(value),
                Kind::Float(value) => value,
                Kind::Str(text) => convert::parse_float(text).map_err(message)?,
                Kind::Null { vm: true } => return Err(null_dereference()),
                _ => return Err(cannot_take(0)),
            }),
            Builtin::Abs => match first {
                Kind::Int(value) => EvalValue::Int(arith::abs_int(value)),
                Kind::Float(value) => EvalValue::Float(arith::abs_float(value)),
                _ => return Err(expected(0, "int or float")),
            },
            Builtin::Min | Builtin::Max => {
                let min = builtin == Builtin::Min;
                match (first, kinds.get(1).copied()) {
                    (Kind::Int(a), Some(Kind::Int(b))) => EvalValue::Int(if min {
                        arith::min_int(a, b)
                    } else {
                        arith::max_int(a, b)
                    }),
                    (Kind::Float(a), Some(Kind::Float(b))) => EvalValue::Float(if min {
                        arith::min_float(a, b)
                    } else {
                        arith::max_float(a, b)
                    }),
                    _ => {
                        return Err(format!(
                            "{name} cannot take {} and {}",
                            args.first().map_or_else(String::new, |a| self.type_name(a)),
                            args.get(1).map_or_else(String::new, |a| self.type_name(a))
                        ));
                    }
                }
            }
            Builtin::Sqrt => EvalValue::Float(arith::sqrt(float_arg(0)?)),
            Builtin::Floor => EvalValue::Float(arith::floor(float_arg(0)?)),
            Builtin::Ceil => EvalValue::Float(arith::ceil(float_arg(0)?)),
            Builtin::Pow => EvalValue::Float(arith::pow(float_arg(0)?, float_arg(1)?)),
            Builtin::ToFixed => {
                EvalValue::Str(convert::to_fixed(float_arg(0)?, int_arg(1)?).map_err(message)?)
            }
            Builtin::Substr => EvalValue::Str(
                strings::substr(str_arg(0)?, int_arg(1)?, int_arg(2)?)
                    .map_err(message)?
                    .to_string(),
            ),
            Builtin::Find => EvalValue::Int(strings::find(str_arg(0)?, str_arg(1)?)),
            Builtin::Join => {
                let separator = str_arg(1)?;
                let array = match first {
                    Kind::Ref(value)
                        if matches!(
                            self.ref_type(value),
                            Some(Type::Array(element))
                                if matches!(ctx.module.ty(*element), Some(Type::Str))
                        ) =>
                    {
                        ctx.heap.array(value.bits).map_err(message)?
                    }
                    Kind::Null { vm: true } => return Err(null_dereference()),
                    _ => return Err(expected(0, "[string]")),
                };
                let mut parts = Vec::with_capacity(array.items.len());
                for &part in &array.items {
                    if part == 0 {
                        return Err(null_dereference());
                    }
                    parts.push(ctx.heap.str(part).map_err(message)?);
                }
                if strings::joined_len(&parts, separator) > MAX_TEXT {
                    return Err(too_long());
                }
                EvalValue::Str(strings::join(&parts, separator))
            }
            Builtin::Contains | Builtin::Get => {
                let map = match first {
                    Kind::Ref(value) => value,
                    Kind::Null { vm: true } => return Err(null_dereference()),
                    _ => return Err(expected(0, "a map")),
                };
                let Some(&Type::Map(key_ty, value_ty)) = self.ref_type(map) else {
                    return Err(expected(0, "a map"));
                };
                let (Some(&key_kind), Some(key_arg)) = (kinds.get(1), args.get(1)) else {
                    return Err(expected(1, "a key"));
                };
                let key = self.map_key(key_ty, key_kind, key_arg)?;
                let found = ctx
                    .heap
                    .map(map.bits)
                    .map_err(message)?
                    .entries
                    .get_index_of(&key);
                if builtin == Builtin::Contains {
                    EvalValue::Bool(found.is_some())
                } else {
                    let Some(default) = args.get(2) else {
                        return Err(expected(2, "a default value"));
                    };
                    self.check_fits(default, value_ty, 2, name)?;
                    match found {
                        Some(_) => {
                            let entry = inspect::lookup(ctx.module, ctx.heap, map, key)?;
                            self.normalise(entry.value)?
                        }
                        None => default.clone(),
                    }
                }
            }
            _ => return Err(unsupported_builtin(builtin)),
        };
        Ok(Resolved::Value(value))
    }

    /// Checks that `value` can stand where a `ty` is expected (argument `index` of `name`).
    fn check_fits(
        &self,
        value: &EvalValue,
        ty: TypeId,
        index: usize,
        name: &str,
    ) -> Result<(), String> {
        let module = self.ctx.module;
        let target = module.ty(module.strip_nullable(ty));
        let fits = match (value, target) {
            (EvalValue::Int(_), Some(Type::Int))
            | (EvalValue::Float(_), Some(Type::Float))
            | (EvalValue::Bool(_), Some(Type::Bool))
            | (EvalValue::Str(_), Some(Type::Str)) => true,
            (EvalValue::Null, _) => inspect::kind_of(module, ty) == ValueKind::Ref,
            (EvalValue::Vm(value), _) => {
                module.strip_nullable(value.ty) == module.strip_nullable(ty)
            }
            _ => false,
        };
        if fits {
            Ok(())
        } else {
            Err(format!(
                "{name} expects {} as argument {}, found {}",
                inspect::type_name(module, ty),
                index + 1,
                self.type_name(value)
            ))
        }
    }
}

/// Whether `a` and `b` are strings, one or both held in a program reference that is null (the
/// operation would dereference it).
fn null_string_pair(a: Kind<'_>, b: Kind<'_>) -> bool {
    matches!(
        (a, b),
        (
            Kind::Null { vm: true },
            Kind::Str(_) | Kind::Null { vm: true }
        ) | (Kind::Str(_), Kind::Null { vm: true })
    )
}

/// Why a built-in cannot be called from an expression.
fn unsupported_builtin(builtin: Builtin) -> String {
    let name = builtin.name();
    match builtin {
        Builtin::Fill | Builtin::Split | Builtin::Keys | Builtin::Args => {
            format!("`{name}` creates a new collection, which debugger expressions cannot do")
        }
        Builtin::Clock | Builtin::NowMs | Builtin::ThreadId => {
            format!("`{name}` is not available in debugger expressions")
        }
        _ => format!(
            "`{name}` has side effects or needs the host, which debugger expressions cannot have"
        ),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use vitte_vm::Vm;
    use vitte_vm::debug::{Outcome, Place, Resume, StopReason, lines};

    use super::*;

    const UTIL: &str = "\
let counter: int = 3;
let names: [string] = [\"u\", \"v\"];

proc bump() -> int {
    give 1;
}
";

    const MAIN: &str = "\
use util

form Point { x: float, y: float }
form Line { a: Point, b: Point, label: string }

pick Shape {
    case Circle(r: float),
    case Rect(w: float, h: float),
    case Empty,
}

let counter: int = 7;
let title: string = \"demo\";

proc helper(n: int) -> int {
    give n * 2;
}

proc main() {
    let i = 42;
    let j = -5;
    let zero = 0;
    let f = 2.5;
    let b = true;
    let s = \"hello\";
    let u = \"héllo\";
    let nothing: ?string = null;
    let nopoint: ?Point = null;
    let xs = [10, 20, 30];
    let words = [\"a\", \"b\", \"c\"];
    let m = {\"one\": 1, \"two\": 2};
    let im: Map[int, string] = {1: \"x\", 2: \"y\"};
    let bm: Map[bool, float] = {true: 1.5};
    let p = Point { x: 1.0, y: 2.0 };
    let q = p;
    let r = Point { x: 1.0, y: 2.0 };
    let line = Line { a: p, b: Point { x: 3.0, y: 4.0 }, label: \"L\" };
    let c = Shape.Circle(1.5);
    let e = Shape.Empty;
    let big = 9223372036854775807;
    let lines = [line];
    print(helper(i) + util.bump() + counter + util.counter); // stop
}
";

    /// A program stopped at the `// stop` line of `MAIN`, with its frame's locals and globals.
    struct Stopped {
        vm: Vm,
        locals: Vec<Variable>,
        globals: Vec<Variable>,
    }

    impl Stopped {
        fn new() -> Stopped {
            static NEXT: AtomicUsize = AtomicUsize::new(0);
            let dir: PathBuf = std::env::temp_dir().join(format!(
                "vitte-eval-test-{}-{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            ));
            std::fs::create_dir_all(&dir).expect("temp dir");
            std::fs::write(dir.join("util.vit"), UTIL).expect("write util.vit");
            let main = dir.join("main.vit");
            std::fs::write(&main, MAIN).expect("write main.vit");
            let compilation = vitte_compiler::compile_file(&main);
            let _ = std::fs::remove_dir_all(&dir);
            let Some(module) = compilation.module.clone() else {
                panic!("{}", compilation.render_diagnostics());
            };
            let source = module
                .sources
                .iter()
                .position(|source| source.path.ends_with("main.vit"))
                .expect("main source") as u32;
            let line = MAIN
                .lines()
                .position(|line| line.contains("// stop"))
                .expect("stop line") as u32
                + 1;
            let resolution = lines::resolve_line(&module, source, line).expect("line has code");
            assert_eq!(resolution.line, line);
            let mut vm = Vm::new();
            vm.load_module(module).expect("load");
            vm.debug_set_breakpoints(&resolution.locations);
            vm.debug_start().expect("start");
            let outcome = vm.debug_resume(Resume::Continue);
            assert!(
                matches!(
                    outcome,
                    Outcome::Stopped {
                        reason: StopReason::Breakpoint(_),
                        ..
                    }
                ),
                "{outcome:?}"
            );
            let locals = vm.debug_locals(0, 0).expect("locals");
            let globals = vm.debug_globals();
            Stopped {
                vm,
                locals,
                globals,
            }
        }

        fn ctx(&self) -> EvalContext<'_> {
            EvalContext {
                module: self.vm.module().expect("module"),
                heap: self.vm.heap(),
                locals: &self.locals,
                globals: &self.globals,
            }
        }

        fn eval(&self, source: &str) -> Result<EvalValue, String> {
            evaluate(source, &self.ctx())
        }

        fn ok(&self, source: &str) -> EvalValue {
            self.eval(source)
                .unwrap_or_else(|error| panic!("{source}: {error}"))
        }

        fn err(&self, source: &str) -> String {
            match self.eval(source) {
                Ok(value) => panic!("{source}: expected an error, got {value:?}"),
                Err(error) => error,
            }
        }

        /// The display text of `source`'s value.
        fn show(&self, source: &str) -> String {
            display(&self.ctx(), &self.ok(source))
        }

        fn ty(&self, source: &str) -> String {
            type_name(&self.ctx(), &self.ok(source))
        }

        fn complete(&self, prefix: &str) -> Vec<String> {
            completions(prefix, &self.ctx())
        }
    }

    fn int(value: i64) -> EvalValue {
        EvalValue::Int(value)
    }

    fn float(value: f64) -> EvalValue {
        EvalValue::Float(value)
    }

    fn boolean(value: bool) -> EvalValue {
        EvalValue::Bool(value)
    }

    fn text(value: &str) -> EvalValue {
        EvalValue::Str(value.to_string())
    }

    #[test]
    fn literals_and_parentheses() {
        let t = Stopped::new();
        assert_eq!(t.ok("42"), int(42));
        assert_eq!(t.ok("0xff"), int(255));
        assert_eq!(t.ok("1_000"), int(1000));
        assert_eq!(t.ok("2.5e1"), float(25.0));
        assert_eq!(t.ok("\"a\\tb\""), text("a\tb"));
        assert_eq!(t.ok("true"), boolean(true));
        assert_eq!(t.ok("false"), boolean(false));
        assert_eq!(t.ok("null"), EvalValue::Null);
        assert_eq!(t.ok("((((7))))"), int(7));
        assert_eq!(t.ok("(1 + 2) * 3"), int(9));
        assert_eq!(t.ok("1 + 2 * 3"), int(7));
        assert_eq!(t.ok("-9223372036854775808"), int(i64::MIN));
        assert_eq!(t.ok("  i  "), int(42));
    }

    #[test]
    fn locals_globals_and_qualified_globals() {
        let t = Stopped::new();
        assert_eq!(t.ok("i"), int(42));
        assert_eq!(t.ok("f"), float(2.5));
        assert_eq!(t.ok("b"), boolean(true));
        assert_eq!(t.show("s"), "\"hello\"");
        assert_eq!(t.ty("s"), "string");
        assert!(matches!(t.ok("s"), EvalValue::Vm(_)));
        assert_eq!(t.ok("counter"), int(7));
        assert_eq!(t.ok("util.counter"), int(3));
        assert_eq!(t.show("title"), "\"demo\"");
        assert_eq!(t.show("util.names"), "[\"u\", \"v\"]");
        assert_eq!(t.show("util.names[1]"), "\"v\"");
        assert_eq!(t.err("nope"), "unknown name `nope`");
        assert_eq!(t.err("util.nope"), "unknown name `util.nope`");
        assert_eq!(t.err("nope.x"), "unknown name `nope`");
        assert!(
            t.err("helper").contains("is a procedure"),
            "{}",
            t.err("helper")
        );
        assert!(t.err("util.bump").contains("is a procedure"));
        assert!(t.err("Point").contains("is a type"));
        assert!(t.err("Shape.Empty").contains("is a type"));
    }

    #[test]
    fn int_arithmetic() {
        let t = Stopped::new();
        assert_eq!(t.ok("i + 1"), int(43));
        assert_eq!(t.ok("i - 50"), int(-8));
        assert_eq!(t.ok("i * 2"), int(84));
        assert_eq!(t.ok("i / 5"), int(8));
        assert_eq!(t.ok("j / 2"), int(-2));
        assert_eq!(t.ok("i % 5"), int(2));
        assert_eq!(t.ok("j % 3"), int(-2));
        assert_eq!(t.ok("big + 1"), int(i64::MIN));
        assert_eq!(t.ok("big * 2"), int(-2));
        assert_eq!(t.ok("-big - 2"), int(i64::MAX));
        assert_eq!(t.ok("(-big - 1) / -1"), int(i64::MIN));
        assert_eq!(t.ok("(-big - 1) % -1"), int(0));
        assert_eq!(t.ok("-i"), int(-42));
        assert_eq!(t.err("i / 0"), "division by zero");
        assert_eq!(t.err("i % zero"), "division by zero");
    }

    #[test]
    fn float_arithmetic() {
        let t = Stopped::new();
        assert_eq!(t.ok("f + 1.0"), float(3.5));
        assert_eq!(t.ok("f - 0.5"), float(2.0));
        assert_eq!(t.ok("f * 2.0"), float(5.0));
        assert_eq!(t.ok("f / 2.0"), float(1.25));
        assert_eq!(t.ok("f % 1.0"), float(0.5));
        assert_eq!(t.ok("-f"), float(-2.5));
        assert_eq!(t.ok("1.0 / 0.0"), float(f64::INFINITY));
        assert_eq!(t.show("0.0 / 0.0"), "nan");
        assert_eq!(t.show("p.x + p.y"), "3.0");
        assert_eq!(
            t.err("i + f"),
            "cannot apply `+` to int and float (there are no implicit conversions; use float(i) or int(x))"
        );
        assert!(
            t.err("f * 2")
                .starts_with("cannot apply `*` to float and int")
        );
    }

    #[test]
    fn strings() {
        let t = Stopped::new();
        assert_eq!(t.ok("s + \" world\""), text("hello world"));
        assert_eq!(t.ok("s + s"), text("hellohello"));
        assert_eq!(t.show("\"say \\\"hi\\\"\" + \"\""), "\"say \\\"hi\\\"\"");
        assert_eq!(t.ty("s + s"), "string");
        assert_eq!(t.ok("s == \"hello\""), boolean(true));
        assert_eq!(t.ok("s != \"hello\""), boolean(false));
        assert_eq!(t.ok("s < \"help\""), boolean(true));
        assert_eq!(t.ok("\"i\" >= s"), boolean(true));
        assert_eq!(t.ok("\"b\" > s"), boolean(false));
        assert_eq!(t.ok("words[0] + words[2]"), text("ac"));
        assert_eq!(t.err("s - s"), "cannot apply `-` to string and string");
        assert_eq!(t.err("s + 1"), "cannot apply `+` to string and int");
        assert_eq!(t.err("nothing + s"), "null dereference");
        assert_eq!(t.err("nothing < s"), "null dereference");
        assert!(t.err("s[0]").contains("use substr"));
        assert!(
            t.err("\"ab\"[0]")
                .contains("cannot index a value of type `string`")
        );
        assert!(t.err("s.len").contains("has no field `len`"));
    }

    #[test]
    fn comparisons() {
        let t = Stopped::new();
        for (source, expected) in [
            ("i == 42", true),
            ("i != 42", false),
            ("i < 43", true),
            ("i <= 42", true),
            ("i > 42", false),
            ("i >= 43", false),
            ("f == 2.5", true),
            ("f < 3.0", true),
            ("f >= 2.5", true),
            ("0.0 / 0.0 == 0.0 / 0.0", false),
            ("0.0 / 0.0 != 0.0 / 0.0", true),
            ("b == true", true),
            ("b != false", true),
            ("null == null", true),
            ("nothing == null", true),
            ("null != nothing", false),
            ("s == null", false),
            ("nothing == s", false),
            ("nopoint == null", true),
            ("p == null", false),
            ("p == q", true),
            ("p == r", false),
            ("p != r", true),
            ("line.a == p", true),
            ("xs == xs", true),
            ("m == m", true),
            ("c == c", true),
            ("c != e", true),
            ("1 < 2 == true", true),
        ] {
            assert_eq!(t.ok(source), boolean(expected), "{source}");
        }
        assert_eq!(
            t.err("i == f"),
            "cannot apply `==` to int and float (there are no implicit conversions; use float(i) or int(x))"
        );
        assert_eq!(t.err("b < true"), "cannot apply `<` to bool and bool");
        assert_eq!(t.err("p < q"), "cannot apply `<` to Point and Point");
        assert_eq!(t.err("p == line"), "cannot apply `==` to Point and Line");
        assert_eq!(t.err("i == null"), "cannot apply `==` to int and null");
        assert_eq!(t.err("s == 1"), "cannot apply `==` to string and int");
        assert_eq!(
            t.err("nothing == 1"),
            "cannot apply `==` to ?string and int"
        );
    }

    #[test]
    fn logic_short_circuits() {
        let t = Stopped::new();
        assert_eq!(t.ok("true and b"), boolean(true));
        assert_eq!(t.ok("b and false"), boolean(false));
        assert_eq!(t.ok("false or b"), boolean(true));
        assert_eq!(t.ok("false or false"), boolean(false));
        assert_eq!(t.ok("not b"), boolean(false));
        assert_eq!(t.ok("!b"), boolean(false));
        assert_eq!(t.ok("b && i > 1 || false"), boolean(true));
        // The right side is not evaluated when the left side decides.
        assert_eq!(t.ok("false and i / 0 == 1"), boolean(false));
        assert_eq!(t.ok("true or xs[99] == 1"), boolean(true));
        assert_eq!(t.ok("nothing == null or len(nothing) > 0"), boolean(true));
        assert_eq!(t.err("true and i / 0 == 1"), "division by zero");
        assert_eq!(
            t.err("i and true"),
            "cannot apply `and` to int (it takes two bools)"
        );
        assert_eq!(t.err("false or 1"), "cannot apply `or` to bool and int");
        // Like `and`/`or` in a running program, a decided left side skips the right side.
        assert_eq!(t.ok("true or 1"), boolean(true));
        assert_eq!(t.err("not i"), "cannot apply `not` to int");
        assert_eq!(t.err("-s"), "cannot apply `-` to string");
        assert_eq!(t.err("-b"), "cannot apply `-` to bool");
    }

    #[test]
    fn fields() {
        let t = Stopped::new();
        assert_eq!(t.ok("p.x"), float(1.0));
        assert_eq!(t.ok("line.b.y"), float(4.0));
        assert_eq!(t.show("line.label"), "\"L\"");
        assert_eq!(t.show("line.a"), "Point { x: 1.0, y: 2.0 }");
        assert_eq!(t.ty("line.a"), "Point");
        assert_eq!(t.ok("(line).a.x"), float(1.0));
        assert_eq!(t.ok("lines[0].b.x"), float(3.0));
        assert_eq!(t.ok("c.r"), float(1.5));
        assert_eq!(t.err("p.z"), "`Point` has no field `z`");
        assert_eq!(t.err("c.w"), "case `Circle` of `Shape` has no field `w`");
        assert_eq!(t.err("e.r"), "case `Empty` of `Shape` has no field `r`");
        assert_eq!(t.err("nopoint.x"), "null dereference");
        assert_eq!(t.err("i.x"), "a value of type `int` has no field `x`");
        assert!(
            t.err("xs.len")
                .starts_with("a value of type `[int]` has no field `len`")
        );
    }

    #[test]
    fn indexing() {
        let t = Stopped::new();
        assert_eq!(t.ok("xs[0]"), int(10));
        assert_eq!(t.ok("xs[i - 40]"), int(30));
        assert_eq!(t.ok("xs[len(xs) - 1] + xs[1]"), int(50));
        assert_eq!(t.err("xs[3]"), "index 3 out of bounds for length 3");
        assert_eq!(t.err("xs[-1]"), "index -1 out of bounds for length 3");
        assert_eq!(
            t.err("xs[1.0]"),
            "an array index must be an int, found float"
        );
        assert_eq!(t.ok("m[\"two\"]"), int(2));
        assert_eq!(t.ok("m[\"o\" + \"ne\"]"), int(1));
        assert_eq!(t.ok("m[substr(\"xone\", 1, 4)]"), int(1));
        assert_eq!(t.err("m[\"three\"]"), "key not found: \"three\"");
        assert_eq!(t.err("m[1]"), "the keys of this map are string, found int");
        assert_eq!(t.err("m[nothing]"), "null dereference");
        assert_eq!(t.show("im[2]"), "\"y\"");
        assert_eq!(t.err("im[3]"), "key not found: 3");
        assert_eq!(t.ok("bm[true]"), float(1.5));
        assert_eq!(t.err("bm[false]"), "key not found: false");
        assert_eq!(t.err("i[0]"), "cannot index a value of type `int`");
        assert_eq!(t.err("p[0]"), "cannot index a value of type `Point`");
        assert_eq!(t.err("nopoint[0]"), "null dereference");
    }

    #[test]
    fn builtins() {
        let t = Stopped::new();
        assert_eq!(t.ok("len(s)"), int(5));
        assert_eq!(t.ok("len(u)"), int(6));
        assert_eq!(t.ok("len(xs)"), int(3));
        assert_eq!(t.ok("len(m)"), int(2));
        assert_eq!(t.ok("len(\"\")"), int(0));
        assert_eq!(t.err("len(nothing)"), "null dereference");
        assert_eq!(t.err("len(i)"), "len cannot take int");
        assert_eq!(t.err("len(p)"), "len cannot take Point");
        assert_eq!(t.ok("str(i)"), text("42"));
        assert_eq!(t.ok("str(f)"), text("2.5"));
        assert_eq!(t.ok("str(1.0)"), text("1.0"));
        assert_eq!(t.ok("str(b)"), text("true"));
        assert_eq!(t.ok("str(s)"), text("hello"));
        assert_eq!(t.ok("str(nothing)"), text("null"));
        assert_eq!(t.ok("str(xs)"), text("[10, 20, 30]"));
        assert_eq!(t.ok("str(words)"), text("[\"a\", \"b\", \"c\"]"));
        assert_eq!(t.ok("str(p)"), text("Point { x: 1.0, y: 2.0 }"));
        assert_eq!(t.ok("str(c)"), text("Circle(1.5)"));
        assert_eq!(t.ok("int(f)"), int(2));
        assert_eq!(t.ok("int(-2.9)"), int(-2));
        assert_eq!(t.ok("int(i)"), int(42));
        assert_eq!(t.ok("int(\" 12 \")"), int(12));
        assert_eq!(t.err("int(\"x1\")"), "invalid int: \"x1\"");
        assert_eq!(t.err("int(1e300)"), "invalid int: \"1e+300\"");
        assert_eq!(t.err("int(b)"), "int cannot take bool");
        assert_eq!(t.ok("float(i)"), float(42.0));
        assert_eq!(t.ok("float(\"2.5\")"), float(2.5));
        assert_eq!(t.ok("float(f)"), float(2.5));
        assert_eq!(t.err("float(\"abc\")"), "invalid float: \"abc\"");
        assert_eq!(t.ok("abs(j)"), int(5));
        assert_eq!(t.ok("abs(-f)"), float(2.5));
        assert_eq!(t.ok("abs(-big - 1)"), int(i64::MIN));
        assert_eq!(t.err("abs(s)"), "abs expects int or float, found string");
        assert_eq!(t.ok("min(i, j)"), int(-5));
        assert_eq!(t.ok("max(i, j)"), int(42));
        assert_eq!(t.ok("min(f, 1.0)"), float(1.0));
        assert_eq!(t.ok("max(f, 1.0)"), float(2.5));
        assert_eq!(t.err("min(i, f)"), "min cannot take int and float");
        assert_eq!(t.ok("sqrt(16.0)"), float(4.0));
        assert_eq!(t.err("sqrt(16)"), "sqrt expects float, found int");
        assert_eq!(t.ok("floor(f)"), float(2.0));
        assert_eq!(t.ok("ceil(f)"), float(3.0));
        assert_eq!(t.ok("pow(2.0, 10.0)"), float(1024.0));
        assert_eq!(t.ok("to_fixed(1.0 / 3.0, 3)"), text("0.333"));
        assert_eq!(
            t.err("to_fixed(f, 21)"),
            "invalid argument: to_fixed digits must be in 0..=20, got 21"
        );
        assert_eq!(t.ok("substr(s, 1, 3)"), text("el"));
        assert_eq!(
            t.err("substr(s, 2, 9)"),
            "index out of bounds: index 9, length 5"
        );
        assert_eq!(
            t.err("substr(u, 0, 2)"),
            "invalid argument: byte 2 is inside a character"
        );
        assert_eq!(t.ok("find(s, \"llo\")"), int(2));
        assert_eq!(t.ok("find(s, \"z\")"), int(-1));
        assert_eq!(t.ok("join(words, \"-\")"), text("a-b-c"));
        assert_eq!(t.ok("join(util.names, \"\")"), text("uv"));
        assert_eq!(
            t.err("join(xs, \",\")"),
            "join expects [string], found [int]"
        );
        assert_eq!(t.ok("contains(m, \"one\")"), boolean(true));
        assert_eq!(t.ok("contains(m, \"six\")"), boolean(false));
        assert_eq!(t.ok("contains(im, 2)"), boolean(true));
        assert_eq!(
            t.err("contains(m, 1)"),
            "the keys of this map are string, found int"
        );
        assert_eq!(
            t.err("contains(xs, 1)"),
            "contains expects a map, found [int]"
        );
        assert_eq!(t.ok("get(m, \"two\", 0)"), int(2));
        assert_eq!(t.ok("get(m, \"six\", -1)"), int(-1));
        assert_eq!(t.show("get(im, 1, \"none\")"), "\"x\"");
        assert_eq!(t.show("get(im, 9, \"none\")"), "\"none\"");
        assert_eq!(
            t.err("get(m, \"two\", 1.0)"),
            "get expects int as argument 3, found float"
        );
    }

    #[test]
    fn refused_calls() {
        let t = Stopped::new();
        let procedures = "calling procedures is not supported in debugger expressions";
        assert_eq!(t.err("helper(1)"), procedures);
        assert_eq!(t.err("util.bump()"), procedures);
        assert_eq!(t.err("main()"), procedures);
        assert_eq!(t.err("i(1)"), "`i` is a variable, not a procedure");
        assert_eq!(t.err("nope(1)"), "unknown name `nope`");
        assert!(t.err("print(s)").contains("side effects"));
        assert!(t.err("push(xs, 1)").contains("side effects"));
        assert!(t.err("pop(xs)").contains("side effects"));
        assert!(t.err("remove(m, \"one\")").contains("side effects"));
        assert!(t.err("join(xs)").contains("side effects"));
        assert!(t.err("keys(m)").contains("creates a new collection"));
        assert!(t.err("fill(3, 0)").contains("creates a new collection"));
        assert!(t.err("clock()").contains("not available"));
        assert_eq!(t.err("len(s, s)"), "len takes 1 argument but 2 were given");
        assert_eq!(t.err("min(1)"), "min takes 2 arguments but 1 was given");
        assert_eq!(t.err("get(m)"), "get takes 3 arguments but 1 was given");
        assert!(t.err("Shape.Circle(1.0)").contains("creates a value"));
        assert!(t.err("p.norm()").starts_with("there are no methods"));
        assert!(t.err("util.names.x()").starts_with("there are no methods"));
        assert_eq!(
            t.err("(len)(s)"),
            "only built-in functions can be called in debugger expressions"
        );
        assert_eq!(
            t.err("[1, 2]"),
            "array literals are not supported in debugger expressions"
        );
        assert_eq!(
            t.err("{\"a\": 1}"),
            "map literals are not supported in debugger expressions"
        );
        assert_eq!(
            t.err("Point { x: 1.0, y: 2.0 }"),
            "form literals are not supported in debugger expressions"
        );
        assert!(
            t.err("match i { case 1 => 2; else => 3; }")
                .contains("`match`")
        );
        assert!(t.err("spawn helper(1)").contains("`spawn`"));
    }

    #[test]
    fn syntax_errors_never_panic() {
        let t = Stopped::new();
        assert_eq!(t.err(""), "expected an expression (at column 1)");
        assert_eq!(t.err("1 +"), "expected an expression (at column 4)");
        assert_eq!(
            t.err("i 2"),
            "expected the end of the expression, found an integer (at column 3)"
        );
        assert_eq!(
            t.err("set i = 1"),
            "expected an expression, found keyword 'set' (at column 1)"
        );
        assert!(
            t.err("i = 1")
                .contains("expected the end of the expression")
        );
        assert!(!t.err("\"open").is_empty());
        assert!(!t.err("xs[").is_empty());
        assert!(!t.err("é").is_empty());
        assert!(!t.err("p.").is_empty());
        for source in [
            "(", ")", "[", "]", "{", "}", ".", ",", "#", "\0", "\"\\q\"", "1..2", "a::b",
        ] {
            assert!(t.eval(source).is_err(), "{source}");
        }
    }

    #[test]
    fn depth_is_bounded() {
        let t = Stopped::new();
        // A long chain is parsed (the parser allows 4096 operations in a row) but evaluates
        // only up to the depth limit.
        let chain = format!("1{}", " + 1".repeat(150));
        assert_eq!(t.ok(&chain), int(151));
        let chain = format!("1{}", " + 1".repeat(1000));
        assert!(t.err(&chain).contains("nested too deeply"));
        let chain = format!("s{}", " + s".repeat(3000));
        assert!(t.err(&chain).contains("nested too deeply"));
        let fields = format!("line{}", ".a".repeat(1000));
        assert!(t.err(&fields).contains("nested too deeply"));
        let calls = format!("{}i{}", "abs(".repeat(120), ")".repeat(120));
        assert_eq!(t.ok(&calls), int(42));
        let calls = format!("{}i{}", "abs(".repeat(5000), ")".repeat(5000));
        assert!(t.err(&calls).contains("nested too deeply"));
        let parens = format!("{}i{}", "(".repeat(100_000), ")".repeat(100_000));
        assert!(t.err(&parens).contains("nested too deeply"));
        let negations = format!("{}i", "-".repeat(100_000));
        assert!(t.err(&negations).contains("nested too deeply"));
    }

    #[test]
    fn strings_are_bounded() {
        let t = Stopped::new();
        // Each level doubles the text: 5 * 2^18 bytes would be reached without the limit.
        let mut source = "s".to_string();
        for _ in 0..18 {
            source = format!("({source} + {source})");
        }
        let small = format!("({0} + {0})", "(s + s)");
        assert_eq!(t.ok(&small), text(&"hello".repeat(4)));
        let error = t.err(&source);
        assert!(error.contains("longer than"), "{error}");
    }

    #[test]
    fn display_and_type_names() {
        let t = Stopped::new();
        let ctx = t.ctx();
        assert_eq!(display(&ctx, &int(-3)), "-3");
        assert_eq!(display(&ctx, &float(1.0)), "1.0");
        assert_eq!(display(&ctx, &float(0.1)), "0.1");
        assert_eq!(display(&ctx, &boolean(false)), "false");
        assert_eq!(display(&ctx, &text("a\"b\n")), "\"a\\\"b\\n\"");
        assert_eq!(display(&ctx, &EvalValue::Null), "null");
        assert_eq!(type_name(&ctx, &int(1)), "int");
        assert_eq!(type_name(&ctx, &float(1.0)), "float");
        assert_eq!(type_name(&ctx, &boolean(true)), "bool");
        assert_eq!(type_name(&ctx, &text("")), "string");
        assert_eq!(type_name(&ctx, &EvalValue::Null), "null");
        assert_eq!(t.show("xs"), "[10, 20, 30]");
        assert_eq!(t.ty("xs"), "[int]");
        assert_eq!(t.show("m"), "{\"one\": 1, \"two\": 2}");
        assert_eq!(t.ty("m"), "Map[string, int]");
        assert_eq!(t.ty("im"), "Map[int, string]");
        assert_eq!(t.show("c"), "Circle(1.5)");
        assert_eq!(t.show("e"), "Empty");
        assert_eq!(t.ty("c"), "Shape");
        assert_eq!(t.show("nothing"), "null");
        assert_eq!(t.ty("nothing"), "?string");
        assert_eq!(t.ty("nopoint"), "?Point");
        assert_eq!(
            t.show("line"),
            "Line { a: Point { x: 1.0, y: 2.0 }, b: Point { x: 3.0, y: 4.0 }, label: \"L\" }"
        );
        // A scalar held as a program value displays like the scalar.
        let local = t.locals.iter().find(|v| v.name == "i").expect("i");
        assert_eq!(display(&ctx, &EvalValue::Vm(local.value)), "42");
        assert_eq!(type_name(&ctx, &EvalValue::Vm(local.value)), "int");
    }

    #[test]
    fn completion_of_names() {
        let t = Stopped::new();
        let all = t.complete("");
        for name in [
            "i",
            "xs",
            "counter",
            "util.counter",
            "title",
            "len",
            "get",
            "true",
            "not",
            "or",
        ] {
            assert!(all.contains(&name.to_string()), "{name} in {all:?}");
        }
        assert!(!all.contains(&"print".to_string()));
        assert!(!all.contains(&"helper".to_string()));
        let mut sorted = all.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(all, sorted);
        assert_eq!(t.complete("co"), ["contains", "counter"]);
        assert_eq!(t.complete("len(wo"), ["words"]);
        assert_eq!(t.complete("i + s"), ["s", "sqrt", "str", "substr"]);
        assert_eq!(t.complete("b an"), ["and"]);
        assert_eq!(t.complete("x and tr"), ["true"]);
        assert_eq!(t.complete("ut"), ["util.counter", "util.names"]);
        assert!(t.complete("zzz").is_empty());
        assert!(t.complete("12").is_empty());
        assert!(t.complete("\"co").is_empty());
        assert!(t.complete("\"a\\\" co").is_empty());
        assert_eq!(t.complete("\"a\" + co"), ["contains", "counter"]);
    }

    #[test]
    fn completion_of_fields() {
        let t = Stopped::new();
        assert_eq!(t.complete("p."), ["x", "y"]);
        assert_eq!(t.complete("p.y"), ["y"]);
        assert_eq!(t.complete("line."), ["a", "b", "label"]);
        assert_eq!(t.complete("line.l"), ["label"]);
        assert_eq!(t.complete("line.a."), ["x", "y"]);
        assert_eq!(t.complete("lines[0].b."), ["x", "y"]);
        assert_eq!(t.complete("lines[len(xs) - 3].b."), ["x", "y"]);
        assert_eq!(t.complete("1 + p."), ["x", "y"]);
        assert_eq!(t.complete("xs[p."), ["x", "y"]);
        assert_eq!(t.complete("c."), ["r"]);
        assert!(t.complete("e.").is_empty());
        assert_eq!(t.complete("util."), ["counter", "names"]);
        assert_eq!(t.complete("util.n"), ["names"]);
        assert!(t.complete("i.").is_empty());
        assert!(t.complete("xs.").is_empty());
        assert!(t.complete("nopoint.").is_empty());
        assert!(t.complete("nope.").is_empty());
        assert!(t.complete("3.").is_empty());
        assert!(t.complete(".").is_empty());
        assert!(t.complete("xs].").is_empty());
    }

    #[test]
    fn places() {
        let t = Stopped::new();
        let ctx = t.ctx();
        let place = |source: &str| place_of(source, &ctx);
        let i = place("i").expect("i");
        assert!(matches!(
            i.place,
            Place::Register {
                thread: 0,
                depth: 0,
                ..
            }
        ));
        assert_eq!(i.name, "i");
        assert_eq!(i.value.bits, 42);
        let counter = place(" counter ").expect("counter");
        assert_eq!(counter.name, "counter");
        assert_eq!(counter.value.bits, 7);
        let Place::Global(main_counter) = counter.place else {
            panic!("{counter:?}");
        };
        let util_counter = place("util.counter").expect("util.counter");
        assert_eq!(util_counter.value.bits, 3);
        assert!(matches!(util_counter.place, Place::Global(index) if index != main_counter));
        let p = t
            .locals
            .iter()
            .find(|v| v.name == "p")
            .expect("p")
            .value
            .bits;
        let x = place("p.y").expect("p.y");
        assert_eq!(
            x.place,
            Place::Field {
                object: p,
                index: 1
            }
        );
        assert_eq!(f64::from_bits(x.value.bits), 2.0);
        assert_eq!(type_name(&ctx, &EvalValue::Vm(x.value)), "float");
        let ax = place("line.a.x").expect("line.a.x");
        assert_eq!(
            ax.place,
            Place::Field {
                object: p,
                index: 0
            }
        );
        let xs = t
            .locals
            .iter()
            .find(|v| v.name == "xs")
            .expect("xs")
            .value
            .bits;
        let element = place("xs[i - 41]").expect("xs[i - 41]");
        assert_eq!(
            element.place,
            Place::Element {
                array: xs,
                index: 1
            }
        );
        assert_eq!(element.value.bits, 20);
        assert_eq!(element.name, "xs[i - 41]");
        let m = t
            .locals
            .iter()
            .find(|v| v.name == "m")
            .expect("m")
            .value
            .bits;
        let entry = place("m[\"two\"]").expect("m[\"two\"]");
        assert_eq!(
            entry.place,
            Place::Entry {
                map: m,
                position: 1
            }
        );
        assert_eq!(entry.value.bits, 2);
        let c = t
            .locals
            .iter()
            .find(|v| v.name == "c")
            .expect("c")
            .value
            .bits;
        let r = place("c.r").expect("c.r");
        assert_eq!(
            r.place,
            Place::Field {
                object: c,
                index: 0
            }
        );
        assert!(place("(i)").is_some());
        assert!(place("util.names[0]").is_some());
        for source in [
            "i + 1",
            "42",
            "\"text\"",
            "len(xs)",
            "get(m, \"one\", 0)",
            "xs[3]",
            "m[\"zzz\"]",
            "nope",
            "helper",
            "nopoint.x",
            "p.z",
            "",
            "i =",
            "-i",
        ] {
            assert!(place(source).is_none(), "{source}");
        }
    }

    #[test]
    fn random_inputs_never_panic() {
        let t = Stopped::new();
        let ctx = t.ctx();
        let pieces = [
            "i",
            "f",
            "s",
            "u",
            "xs",
            "m",
            "im",
            "bm",
            "p",
            "c",
            "e",
            "line",
            "lines",
            "nothing",
            "nopoint",
            "util",
            "counter",
            "big",
            "zero",
            ".",
            ".x",
            ".a",
            ".r",
            "[",
            "]",
            "(",
            ")",
            ",",
            "0",
            "1",
            "-1",
            "2.5",
            "\"",
            "\"one\"",
            "+",
            "-",
            "*",
            "/",
            "%",
            "==",
            "<",
            ">=",
            " and ",
            " or ",
            "not ",
            "!",
            "len(",
            "str(",
            "int(",
            "float(",
            "min(",
            "get(",
            "substr(",
            "join(",
            "contains(",
            "to_fixed(",
            "abs(",
            "helper(",
            "null",
            "true",
            "{",
            "}",
            ":",
            "é",
            "\\",
            " ",
        ];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..3000 {
            let count = next() % 12;
            let source: String = (0..count)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            let value = evaluate(&source, &ctx);
            if let Ok(value) = &value {
                display(&ctx, value);
                type_name(&ctx, value);
            }
            completions(&source, &ctx);
            place_of(&source, &ctx);
        }
    }

    #[test]
    fn evaluation_does_not_change_the_program() {
        let t = Stopped::new();
        let before = t.vm.heap_stats();
        for source in ["s + s", "str(xs)", "join(words, \",\")", "get(m, \"x\", 0)"] {
            t.ok(source);
        }
        let after = t.vm.heap_stats();
        assert_eq!(before.objects, after.objects);
        assert_eq!(before.bytes, after.bytes);
        assert_eq!(t.vm.debug_locals(0, 0).expect("locals"), t.locals);
        assert_eq!(t.vm.debug_globals(), t.globals);
    }
}
