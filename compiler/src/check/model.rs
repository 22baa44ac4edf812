//! The checker's result, [`Analysis`], as code generation and the language server's queries
//! (`crate::analysis`) read it: the items of every file with their resolved types, every local
//! variable, the static type of every expression, what every name and call refers to, and the
//! questions asked of it ("type at position", "definition of", "references to").

use std::collections::{HashMap, HashSet};

use crate::builtins::Builtin;
use crate::diagnostics::Diagnostic;
use crate::source::{FileId, Span};
use crate::types::{ConstValue, FormId, PickId, Ty, TypeNames, display};
use vitte_vm::syscall::{HostSignature, NativeType};

/// Index of a procedure in [`Analysis::procs`] (also its index in the generated module).
pub type ProcId = u32;
/// Index of a global variable in [`Analysis::globals`].
pub type GlobalId = u32;
/// Index of a constant in [`Analysis::consts`].
pub type ConstId = u32;
/// Index of a local variable in [`Analysis::locals`].
pub type LocalId = u32;

/// What a name refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Symbol {
    /// A local variable (parameter, `let`, loop variable, match binding).
    Local(LocalId),
    /// A global variable.
    Global(GlobalId),
    /// A constant.
    Const(ConstId),
    /// A procedure.
    Proc(ProcId),
    /// A form type.
    Form(FormId),
    /// A pick type.
    Pick(PickId),
    /// A case of a pick: pick and case index.
    Case(PickId, u32),
    /// A field of a form: form and field index.
    Field(FormId, u32),
    /// A payload field of a pick case: pick, case index, field index.
    CaseField(PickId, u32, u32),
    /// A used file, by its index in [`Program::files`].
    Module(usize),
    /// A built-in procedure.
    Builtin(Builtin),
}

/// What a call expression calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Callee {
    /// A procedure of the program.
    Proc(ProcId),
    /// A built-in.
    Builtin(Builtin),
    /// The constructor of a pick case: pick and case index.
    Case(PickId, u32),
    /// A host function of the embedder, by its index in [`Analysis::hosts`].
    Host(u32),
}

/// A host function the program may call (see `CompileOptions::host_functions`).
#[derive(Clone, Debug, PartialEq)]
pub struct HostInfo {
    /// The name calls use: plain (`add_numbers`) or dotted (`host.add`).
    pub name: String,
    /// Parameter types.
    pub params: Vec<Ty>,
    /// Return type.
    pub ret: Ty,
}

impl HostInfo {
    /// The compiler's view of a host function's signature.
    pub fn from_signature(host: &HostSignature) -> HostInfo {
        HostInfo {
            name: host.name.clone(),
            params: host.signature.params.iter().map(native_ty).collect(),
            ret: native_ty(&host.signature.ret),
        }
    }
}

/// A native type as a compiler type (every native type has one).
fn native_ty(ty: &NativeType) -> Ty {
    match ty {
        NativeType::Void => Ty::Void,
        NativeType::Int => Ty::Int,
        NativeType::Float => Ty::Float,
        NativeType::Bool => Ty::Bool,
        NativeType::Str => Ty::Str,
        NativeType::Array(element) => Ty::array(native_ty(element)),
        NativeType::Map(key, value) => Ty::map(native_ty(key), native_ty(value)),
        NativeType::Nullable(inner) => Ty::nullable(native_ty(inner)),
    }
}

/// The code a local variable belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Owner {
    /// A procedure.
    Proc(ProcId),
    /// The global initialisers of a file (index in [`Program::files`]).
    Init(usize),
}

/// One occurrence of a name in the source, with what it denotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reference {
    /// The name's span.
    pub span: Span,
    /// What it refers to.
    pub symbol: Symbol,
    /// True at the declaration itself.
    pub is_definition: bool,
}

/// A procedure.
#[derive(Clone, Debug, PartialEq)]
pub struct ProcInfo {
    /// Declared name.
    pub name: String,
    /// Name as shown in traces: `name` in the root file, `alias.name` in a used file.
    pub qualified: String,
    /// Index of its file in [`Program::files`].
    pub file: usize,
    /// Index of its item in that file's `ast.items`.
    pub item: usize,
    /// Parameter locals, in order.
    pub params: Vec<LocalId>,
    /// Parameter types, in order.
    pub param_types: Vec<Ty>,
    /// Return type ([`Ty::Void`] when none is written).
    pub ret: Ty,
    /// The name's span.
    pub span: Span,
    /// `///` documentation.
    pub doc: Option<String>,
}

/// A field of a form or a payload field of a pick case.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldInfo {
    /// Name.
    pub name: String,
    /// Type.
    pub ty: Ty,
    /// The name's span.
    pub span: Span,
    /// `///` documentation.
    pub doc: Option<String>,
}

/// A form (record type).
#[derive(Clone, Debug, PartialEq)]
pub struct FormInfo {
    /// Declared name.
    pub name: String,
    /// Index of its file in [`Program::files`].
    pub file: usize,
    /// Fields in order.
    pub fields: Vec<FieldInfo>,
    /// The name's span.
    pub span: Span,
    /// `///` documentation.
    pub doc: Option<String>,
}

/// A case of a pick.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseInfo {
    /// Name.
    pub name: String,
    /// Payload fields in order.
    pub fields: Vec<FieldInfo>,
    /// The name's span.
    pub span: Span,
    /// `///` documentation.
    pub doc: Option<String>,
}

/// A pick (tagged union type).
#[derive(Clone, Debug, PartialEq)]
pub struct PickInfo {
    /// Declared name.
    pub name: String,
    /// Index of its file in [`Program::files`].
    pub file: usize,
    /// Cases in order.
    pub cases: Vec<CaseInfo>,
    /// The name's span.
    pub span: Span,
    /// `///` documentation.
    pub doc: Option<String>,
}

/// A constant.
#[derive(Clone, Debug, PartialEq)]
pub struct ConstInfo {
    /// Declared name.
    pub name: String,
    /// Index of its file in [`Program::files`].
    pub file: usize,
    /// Index of its item in that file's `ast.items`.
    pub item: usize,
    /// Type (annotated or of the value).
    pub ty: Ty,
    /// The folded value, when it could be computed.
    pub value: Option<ConstValue>,
    /// The name's span.
    pub span: Span,
    /// `///` documentation.
    pub doc: Option<String>,
}

/// A global variable.
#[derive(Clone, Debug, PartialEq)]
pub struct GlobalInfo {
    /// Declared name.
    pub name: String,
    /// `name` in the root file, `alias.name` in a used file.
    pub qualified: String,
    /// Index of its file in [`Program::files`].
    pub file: usize,
    /// Index of its item in that file's `ast.items`.
    pub item: usize,
    /// Type (annotated or of the initial value).
    pub ty: Ty,
    /// The name's span.
    pub span: Span,
    /// `///` documentation.
    pub doc: Option<String>,
}

/// A local variable.
#[derive(Clone, Debug, PartialEq)]
pub struct LocalInfo {
    /// Name.
    pub name: String,
    /// Type.
    pub ty: Ty,
    /// The span of the name where it is declared.
    pub span: Span,
    /// The procedure (or file initialiser) it belongs to.
    pub owner: Owner,
}

/// The names declared at the top level of one file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FileScope {
    /// Items by name (procedures, forms, picks, consts, globals).
    pub items: HashMap<String, Symbol>,
    /// `use` aliases to the used file's index in [`Program::files`].
    pub aliases: HashMap<String, usize>,
    /// Aliases of `use` declarations whose file could not be loaded (already reported).
    pub broken_aliases: HashSet<String>,
    /// How names of this file are qualified in traces: empty for the root, else `alias.`.
    pub prefix: String,
}

/// Everything the checker learned about a program.
#[derive(Clone, Debug, Default)]
pub struct Analysis {
    /// Per file of [`Program::files`], its top-level names.
    pub files: Vec<FileScope>,
    /// Every procedure, files in program order, items in source order.
    pub procs: Vec<ProcInfo>,
    /// Every form.
    pub forms: Vec<FormInfo>,
    /// Every pick.
    pub picks: Vec<PickInfo>,
    /// Every constant.
    pub consts: Vec<ConstInfo>,
    /// Every global variable, in initialisation order.
    pub globals: Vec<GlobalInfo>,
    /// Every local variable.
    pub locals: Vec<LocalInfo>,
    /// The static type of every checked expression, by the expression's span.
    pub types: HashMap<Span, Ty>,
    /// What name and field expressions (`x`, `util.x`, `p.x`, `Shape.Empty`) denote, by expression span.
    pub resolved: HashMap<Span, Symbol>,
    /// What each call expression calls, by the call's span.
    pub calls: HashMap<Span, Callee>,
    /// The local declared at each declaring name's span (`let`, parameters, loop variables, bindings).
    pub local_defs: HashMap<Span, LocalId>,
    /// Locals that are assigned after their declaration.
    pub assigned: HashSet<LocalId>,
    /// Spans of name expressions whose value is only looked at, never kept: operands of `+` and of
    /// comparisons, arguments of `print`, `eprint` and `len`, and assignment targets. A string local
    /// whose every use is one of these never shares its string, so `set s = s + e` may grow it in
    /// place (see [`Analysis::sharing_locals`]).
    pub unshared_uses: HashSet<Span>,
    /// Spans of `match` statements that end a value-returning procedure: their `=> e` arms give `e`.
    pub tail_matches: HashSet<Span>,
    /// Every name occurrence with what it refers to, in source order per file.
    pub references: Vec<Reference>,
    /// The entry procedure, when the root file declares a valid `main`.
    pub main: Option<ProcId>,
    /// The host functions calls may resolve to.
    pub hosts: Vec<HostInfo>,
    /// Errors and warnings, in the order found.
    pub diagnostics: Vec<Diagnostic>,
}

impl TypeNames for Analysis {
    fn form_name(&self, id: FormId) -> &str {
        self.forms
            .get(id as usize)
            .map_or("{form}", |f| f.name.as_str())
    }

    fn pick_name(&self, id: PickId) -> &str {
        self.picks
            .get(id as usize)
            .map_or("{pick}", |p| p.name.as_str())
    }
}

impl Analysis {
    /// The locals some use of which may keep their value elsewhere (see [`Analysis::unshared_uses`]):
    /// passed to a procedure, stored, returned, copied into another variable.
    pub fn sharing_locals(&self) -> HashSet<LocalId> {
        self.resolved
            .iter()
            .filter(|(span, _)| !self.unshared_uses.contains(span))
            .filter_map(|(_, symbol)| match symbol {
                Symbol::Local(local) => Some(*local),
                _ => None,
            })
            .collect()
    }

    /// True when an error was reported.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == crate::diagnostics::Severity::Error)
    }

    /// `ty` as written in source (`[int]`, `?Point`).
    pub fn type_name(&self, ty: &Ty) -> String {
        display(ty, self).to_string()
    }

    /// The type of the innermost expression covering byte `offset` of `file`, or of the declared
    /// variable whose name is there.
    pub fn type_at(&self, file: FileId, offset: u32) -> Option<Ty> {
        let covers = |span: &Span| span.file == file && span.start <= offset && offset <= span.end;
        let expr = self
            .types
            .iter()
            .filter(|(span, _)| covers(span))
            .min_by_key(|(span, _)| (span.end - span.start, span.start))
            .map(|(span, ty)| (*span, ty.clone()));
        let definition = self
            .references
            .iter()
            .filter(|r| r.is_definition && covers(&r.span))
            .find_map(|r| self.symbol_type(r.symbol).map(|ty| (r.span, ty)));
        match (expr, definition) {
            (Some((a, ty)), Some((b, def))) => Some(if b.end - b.start <= a.end - a.start {
                def
            } else {
                ty
            }),
            (Some((_, ty)), None) | (None, Some((_, ty))) => Some(ty),
            (None, None) => None,
        }
    }

    /// The name occurrence at byte `offset` of `file`, if any.
    pub fn reference_at(&self, file: FileId, offset: u32) -> Option<&Reference> {
        self.references
            .iter()
            .filter(|r| r.span.file == file && r.span.start <= offset && offset <= r.span.end)
            .min_by_key(|r| r.span.end - r.span.start)
    }

    /// Where `symbol` is declared (built-ins have no declaration).
    pub fn definition(&self, symbol: Symbol) -> Option<Span> {
        match symbol {
            Symbol::Local(id) => self.locals.get(id as usize).map(|l| l.span),
            Symbol::Global(id) => self.globals.get(id as usize).map(|g| g.span),
            Symbol::Const(id) => self.consts.get(id as usize).map(|c| c.span),
            Symbol::Proc(id) => self.procs.get(id as usize).map(|p| p.span),
            Symbol::Form(id) => self.forms.get(id as usize).map(|f| f.span),
            Symbol::Pick(id) => self.picks.get(id as usize).map(|p| p.span),
            Symbol::Case(pick, case) => self.case(pick, case).map(|c| c.span),
            Symbol::Field(form, field) => self
                .forms
                .get(form as usize)?
                .fields
                .get(field as usize)
                .map(|f| f.span),
            Symbol::CaseField(pick, case, field) => self
                .case(pick, case)?
                .fields
                .get(field as usize)
                .map(|f| f.span),
            Symbol::Module(_) | Symbol::Builtin(_) => None,
        }
    }

    /// Every occurrence of `symbol` (its declaration included).
    pub fn references_to(&self, symbol: Symbol) -> impl Iterator<Item = &Reference> {
        self.references.iter().filter(move |r| r.symbol == symbol)
    }

    /// The type of a value symbol (locals, globals, consts, fields).
    pub fn symbol_type(&self, symbol: Symbol) -> Option<Ty> {
        match symbol {
            Symbol::Local(id) => self.locals.get(id as usize).map(|l| l.ty.clone()),
            Symbol::Global(id) => self.globals.get(id as usize).map(|g| g.ty.clone()),
            Symbol::Const(id) => self.consts.get(id as usize).map(|c| c.ty.clone()),
            Symbol::Field(form, field) => self
                .forms
                .get(form as usize)?
                .fields
                .get(field as usize)
                .map(|f| f.ty.clone()),
            Symbol::CaseField(pick, case, field) => self
                .case(pick, case)?
                .fields
                .get(field as usize)
                .map(|f| f.ty.clone()),
            Symbol::Form(id) => Some(Ty::Form(id)),
            Symbol::Pick(id) | Symbol::Case(id, _) => Some(Ty::Pick(id)),
            Symbol::Proc(_) | Symbol::Module(_) | Symbol::Builtin(_) => None,
        }
    }

    /// Case `case` of pick `pick`.
    pub fn case(&self, pick: PickId, case: u32) -> Option<&CaseInfo> {
        self.picks.get(pick as usize)?.cases.get(case as usize)
    }

    /// The static type recorded for the expression at `span`.
    pub fn type_of(&self, span: Span) -> Option<&Ty> {
        self.types.get(&span)
    }
}
