//! The syntax tree produced by the parser and consumed by name resolution, type checking and codegen.
//!
//! The tree mirrors the source closely (both spellings of the language map to the same nodes: `fn` and
//! `proc`, `return` and `give`, `struct` and `form`, `enum` and `pick`, `&&` and `and`, …). Nodes that
//! could not be parsed are kept as `Error` variants so later passes can go on and report more errors
//! without repeating the parser's.

use crate::source::{FileId, Span};
use vitte_vm::semantics::{Arith, Comparison, Operator, UnaryOperator};

/// A name as written, with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    /// The identifier text.
    pub name: String,
    /// Where it is.
    pub span: Span,
}

/// One parsed source file.
#[derive(Clone, Debug, PartialEq)]
pub struct File {
    /// Which file.
    pub file: FileId,
    /// `space a/b/c` if present: the segments.
    pub space: Option<Vec<Ident>>,
    /// `use` declarations, in order.
    pub uses: Vec<Use>,
    /// Top-level items, in order.
    pub items: Vec<Item>,
    /// How deep the parser went in this file.
    pub depth: TreeDepth,
}

/// How deep a syntax tree is: the deepest nesting of expressions, blocks and types, and the longest
/// chain of operators, as the parser met them. Every recursive walk of the tree goes at most about
/// [`walk_bound`](TreeDepth::walk_bound) levels deep.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TreeDepth {
    /// The deepest nesting level.
    pub nesting: u32,
    /// The longest chain of binary operators or postfix operations.
    pub chain: u32,
}

impl TreeDepth {
    /// An upper bound on the depth of the tree: every nesting level on a path from the root may add a
    /// whole chain (a chain builds a tree as deep as it is long).
    pub fn walk_bound(self) -> u64 {
        (u64::from(self.nesting) + 1) * (u64::from(self.chain) + 1)
    }

    /// The deeper of `self` and `other` in each dimension.
    pub fn max(self, other: TreeDepth) -> TreeDepth {
        TreeDepth {
            nesting: self.nesting.max(other.nesting),
            chain: self.chain.max(other.chain),
        }
    }
}

/// `use lib/strings as s`.
#[derive(Clone, Debug, PartialEq)]
pub struct Use {
    /// Path segments (`lib`, `strings`); the file is `lib/strings.vit` next to the importing file.
    pub path: Vec<Ident>,
    /// `as s`; without it the alias is the last segment.
    pub alias: Option<Ident>,
    /// The whole declaration.
    pub span: Span,
}

impl Use {
    /// The name the used file's items are reached through (`alias.name`).
    pub fn alias_name(&self) -> &Ident {
        self.alias
            .as_ref()
            .unwrap_or_else(|| self.path.last().expect("a use path has a segment"))
    }
}

/// A top-level item.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// What it is.
    pub kind: ItemKind,
    /// `export` was written before it.
    pub exported: bool,
    /// The `///` doc comment lines before it, joined with `\n` (without the `///` and one leading space).
    pub doc: Option<String>,
    /// The whole item.
    pub span: Span,
}

/// The kinds of top-level items.
#[derive(Clone, Debug, PartialEq)]
pub enum ItemKind {
    /// `const NAME: T = e;`
    Const(ConstDecl),
    /// `let [mut] name[: T] = e;` at top level.
    Global(GlobalDecl),
    /// `form Name { field: T, … }` or `struct`.
    Form(FormDecl),
    /// `pick Name { case A(x: T), case B, … }` or `enum`.
    Pick(PickDecl),
    /// `proc name(params) -> T { … }` or `fn`.
    Proc(ProcDecl),
    /// An item that could not be parsed (already reported).
    Error,
}

/// `const NAME: T = e;`
#[derive(Clone, Debug, PartialEq)]
pub struct ConstDecl {
    /// Name.
    pub name: Ident,
    /// Annotated type, if any.
    pub ty: Option<TypeExpr>,
    /// Value (must be a compile-time constant).
    pub value: Expr,
}

/// A global variable.
#[derive(Clone, Debug, PartialEq)]
pub struct GlobalDecl {
    /// Name.
    pub name: Ident,
    /// `mut` was written.
    pub mutable: bool,
    /// Annotated type, if any.
    pub ty: Option<TypeExpr>,
    /// Initial value, if any (without one, the type must have a default).
    pub value: Option<Expr>,
}

/// A form (record) declaration.
#[derive(Clone, Debug, PartialEq)]
pub struct FormDecl {
    /// Name.
    pub name: Ident,
    /// Fields in order.
    pub fields: Vec<FieldDecl>,
}

/// `name: T` in a form or a pick case.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldDecl {
    /// Field name; for a positional payload (`Circle(float)`) the parser names it `0`, `1`, ….
    pub name: Ident,
    /// Field type.
    pub ty: TypeExpr,
    /// `///` doc comment, if any.
    pub doc: Option<String>,
}

/// A pick (tagged union) declaration.
#[derive(Clone, Debug, PartialEq)]
pub struct PickDecl {
    /// Name.
    pub name: Ident,
    /// Cases in order.
    pub cases: Vec<CaseDecl>,
}

/// `case Circle(r: float)` (the `case` keyword is optional, as in `enum`).
#[derive(Clone, Debug, PartialEq)]
pub struct CaseDecl {
    /// Case name.
    pub name: Ident,
    /// Payload fields (empty for a case without payload).
    pub fields: Vec<FieldDecl>,
    /// `///` doc comment, if any.
    pub doc: Option<String>,
    /// The whole case.
    pub span: Span,
}

/// A procedure.
#[derive(Clone, Debug, PartialEq)]
pub struct ProcDecl {
    /// Name.
    pub name: Ident,
    /// Parameters (each has a type).
    pub params: Vec<Param>,
    /// `-> T`; absent means `void`.
    pub ret: Option<TypeExpr>,
    /// Body.
    pub body: Block,
}

/// `name: T` in a parameter list.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// Name.
    pub name: Ident,
    /// Type.
    pub ty: TypeExpr,
}

/// A written type.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeExpr {
    /// `int`, `string`, `Point`, `util.Point`, `Map[K, V]`, `Chan[T]`: a (possibly qualified) name and
    /// bracketed arguments.
    Named {
        path: Vec<Ident>,
        args: Vec<TypeExpr>,
        span: Span,
    },
    /// `[T]`.
    Array { elem: Box<TypeExpr>, span: Span },
    /// `?T`.
    Nullable { inner: Box<TypeExpr>, span: Span },
    /// A type that could not be parsed (already reported).
    Error { span: Span },
}

impl TypeExpr {
    /// Where the type is written.
    pub fn span(&self) -> Span {
        match self {
            TypeExpr::Named { span, .. }
            | TypeExpr::Array { span, .. }
            | TypeExpr::Nullable { span, .. }
            | TypeExpr::Error { span } => *span,
        }
    }
}

/// `{ stmt* }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    /// Statements in order.
    pub stmts: Vec<Stmt>,
    /// From `{` to `}`.
    pub span: Span,
}

/// A statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    /// What it is.
    pub kind: StmtKind,
    /// The whole statement (including its `;`).
    pub span: Span,
}

/// The kinds of statements.
#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// `let [mut] name[: T] [= e];`
    Let {
        name: Ident,
        mutable: bool,
        ty: Option<TypeExpr>,
        value: Option<Expr>,
    },
    /// `set target = e;`, `target = e;`, `set target += e;` (op is the arithmetic operator of a compound
    /// assignment). The target is a name, a field access or an index expression.
    Assign {
        target: Expr,
        op: Option<BinOp>,
        value: Expr,
    },
    /// An expression followed by `;` (or a `match` used as a statement).
    Expr(Expr),
    /// `if c { … } elif c { … } else { … }`: the `(condition, block)` pairs in order, then the `else`.
    If {
        branches: Vec<(Expr, Block)>,
        else_block: Option<Block>,
    },
    /// `while c { … }`.
    While { cond: Expr, body: Block },
    /// `loop { … }`.
    Loop { body: Block },
    /// `for i in a..b { … }` or `a..=b`.
    ForRange {
        var: Ident,
        start: Expr,
        end: Expr,
        inclusive: bool,
        body: Block,
    },
    /// `for x in e { … }` (array elements, or map keys).
    ForEach { var: Ident, iter: Expr, body: Block },
    /// `break;`
    Break,
    /// `continue;`
    Continue,
    /// `give e;`, `give;`, `return …;`
    Give(Option<Expr>),
    /// `try { … } catch e { … }`.
    Try {
        body: Block,
        var: Ident,
        handler: Block,
    },
    /// `throw e;`
    Throw(Expr),
    /// A nested `{ … }` block.
    Block(Block),
    /// A statement that could not be parsed (already reported).
    Error,
}

/// An expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// The whole expression.
    pub span: Span,
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Rem,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `and`, `&&` (short-circuit)
    And,
    /// `or`, `||` (short-circuit)
    Or,
}

impl BinOp {
    /// The operator as written in the new spelling (`+`, `and`, …).
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::And => "and",
            BinOp::Or => "or",
        }
    }

    /// The value rule this operator applies (see [`vitte_vm::semantics`]); `None` for `and`/`or`,
    /// which only choose an operand.
    pub fn operator(self) -> Option<Operator> {
        Some(match self {
            BinOp::Add => Operator::Arith(Arith::Add),
            BinOp::Sub => Operator::Arith(Arith::Sub),
            BinOp::Mul => Operator::Arith(Arith::Mul),
            BinOp::Div => Operator::Arith(Arith::Div),
            BinOp::Rem => Operator::Arith(Arith::Rem),
            BinOp::Eq => Operator::Compare(Comparison::Eq),
            BinOp::Ne => Operator::Compare(Comparison::Ne),
            BinOp::Lt => Operator::Compare(Comparison::Lt),
            BinOp::Le => Operator::Compare(Comparison::Le),
            BinOp::Gt => Operator::Compare(Comparison::Gt),
            BinOp::Ge => Operator::Compare(Comparison::Ge),
            BinOp::And | BinOp::Or => return None,
        })
    }
}

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnOp {
    /// `-e`
    Neg,
    /// `not e`, `!e`
    Not,
}

impl UnOp {
    /// The value rule this operator applies (see [`vitte_vm::semantics`]).
    pub fn operator(self) -> UnaryOperator {
        match self {
            UnOp::Neg => UnaryOperator::Neg,
            UnOp::Not => UnaryOperator::Not,
        }
    }
}

/// The kinds of expressions.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// Integer literal (already range-checked; `-9223372036854775808` parses as `Neg` of a literal
    /// whose value wrapped, which the checker accepts).
    Int(i64),
    /// Float literal.
    Float(f64),
    /// String literal with escapes already decoded.
    Str(String),
    /// `true` / `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// A plain name: local, global, const, procedure, or a module alias / type name that a `Field`
    /// or `Call` around it qualifies.
    Name(Ident),
    /// `base.name`: a form field, `alias.item` of a used file, or `Pick.Case` without payload.
    Field { base: Box<Expr>, name: Ident },
    /// `base[index]` (arrays and maps).
    Index { base: Box<Expr>, index: Box<Expr> },
    /// `callee(args)`: a procedure, a built-in, `alias.proc(…)` or `Pick.Case(…)`.
    Call { callee: Box<Expr>, args: Vec<Expr> },
    /// `-e`, `not e`.
    Unary { op: UnOp, operand: Box<Expr> },
    /// `a op b`.
    Binary {
        op: BinOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `[a, b, c]`.
    Array(Vec<Expr>),
    /// `{}` or `{k: v, …}`.
    Map(Vec<(Expr, Expr)>),
    /// `Point { x: e, y: e }` or `util.Point { … }`: the type path and the field initialisers.
    FormLit {
        path: Vec<Ident>,
        fields: Vec<(Ident, Expr)>,
    },
    /// `match e { arms }`.
    Match {
        scrutinee: Box<Expr>,
        arms: Vec<MatchArm>,
    },
    /// `spawn call(…)`.
    Spawn(Box<Expr>),
    /// `(e)` — kept so spans and the formatter see the parentheses.
    Paren(Box<Expr>),
    /// An expression that could not be parsed (already reported).
    Error,
}

/// One arm of a `match`.
#[derive(Clone, Debug, PartialEq)]
pub struct MatchArm {
    /// What it matches.
    pub pattern: Pattern,
    /// `if guard` after the pattern.
    pub guard: Option<Expr>,
    /// `{ … }` (statements) or `=> e;` (a value).
    pub body: ArmBody,
    /// The whole arm.
    pub span: Span,
}

/// The body of a match arm.
#[derive(Clone, Debug, PartialEq)]
pub enum ArmBody {
    /// `case P { stmts }`.
    Block(Block),
    /// `case P => e;`.
    Expr(Expr),
}

/// A `match` pattern.
#[derive(Clone, Debug, PartialEq)]
pub enum Pattern {
    /// `case 1`, `case -3`.
    Int(i64, Span),
    /// `case "text"`.
    Str(String, Span),
    /// `case true`.
    Bool(bool, Span),
    /// `case Circle(r)`, `case Shape.Circle(r)`, `case Empty`: the (possibly qualified) case name and
    /// the payload bindings (`_` ignores one).
    Case {
        path: Vec<Ident>,
        bindings: Vec<Ident>,
        span: Span,
    },
    /// `else` (or `case _`): matches anything.
    Else(Span),
    /// A pattern that could not be parsed (already reported).
    Error(Span),
}

impl Pattern {
    /// Where the pattern is written.
    pub fn span(&self) -> Span {
        match self {
            Pattern::Int(_, span)
            | Pattern::Str(_, span)
            | Pattern::Bool(_, span)
            | Pattern::Case { span, .. }
            | Pattern::Else(span)
            | Pattern::Error(span) => *span,
        }
    }
}
