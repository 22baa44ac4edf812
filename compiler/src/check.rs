//! Name resolution and type checking of a whole [`Program`], producing an [`Analysis`].
//!
//! The analysis is the checker's full result, not only its errors: the items of every file with their
//! resolved types, every local variable, the static type of every expression (by span), what every
//! name refers to, which procedure, built-in or host function every call reaches, and the folded value of every
//! `const`. Code generation reads it, and so can a language server ("type at position", "definition of
//! the symbol at position").
//!
//! The checker never stops at the first error. An erroneous expression gets the type [`Ty::Error`],
//! which is compatible with everything, so one mistake gives one message.

mod expr;
mod model;
mod stmt;

use std::collections::HashSet;

use crate::ast::{self, Expr, ExprKind, Ident, ItemKind, TypeExpr};
use crate::diagnostics::Diagnostic;
use crate::loader::Program;
use crate::source::Span;
use crate::types::{ConstValue, FormId, PickId, Ty};
use vitte_vm::semantics;
use vitte_vm::syscall::HostSignature;

pub use model::{
    Analysis, Callee, CaseInfo, ConstId, ConstInfo, FieldInfo, FileScope, FormInfo, GlobalId,
    GlobalInfo, HostInfo, LocalId, LocalInfo, Owner, PickInfo, ProcId, ProcInfo, Reference, Symbol,
};

/// Checks a whole program: every file's items, every procedure body, and `main`.
pub fn check(program: &Program) -> Analysis {
    check_with_hosts(program, &[])
}

/// Checks a program that may also call these host functions (see [`HostInfo`]).
pub fn check_with_hosts(program: &Program, hosts: &[HostSignature]) -> Analysis {
    let mut checker = Checker::new(program);
    checker.a.hosts = hosts.iter().map(HostInfo::from_signature).collect();
    checker.run();
    let mut analysis = checker.a;
    analysis
        .references
        .sort_by_key(|r| (r.span.file, r.span.start, r.span.end));
    analysis
}

/// Progress of a lazily computed item (constants are folded on first use).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    NotStarted,
    InProgress,
    Done,
}

/// A block scope of local variables.
#[derive(Default)]
struct Scope {
    vars: Vec<(String, LocalId)>,
}

/// The code being checked: a procedure body or a file's global initialisers.
struct FuncCtx {
    owner: Owner,
    file: usize,
    ret: Ty,
    /// One entry per enclosing loop: whether a `break` targets it.
    loops: Vec<bool>,
    /// While checking the initialiser of a global: that global.
    init_global: Option<GlobalId>,
}

/// How a `match` is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MatchMode {
    /// As an expression: every arm has a value.
    Value,
    /// As a statement.
    Statement,
    /// As the last statement of a value-returning procedure: `=> e` arms give `e`.
    Tail,
}

/// What a (possibly qualified) path expression names, before it is recorded.
#[derive(Clone, Debug)]
enum PathRes {
    /// Not a static path: evaluate it as a value.
    NotPath,
    /// A used file.
    Module(usize),
    /// An item (procedure, form, pick, const, global).
    Item(Symbol),
    /// A pick case.
    Case(PickId, u32),
    /// Through a `use` that failed to load (already reported).
    Broken,
    /// `alias.name` where the used file has no such item.
    NoItem(usize, Ident),
    /// `Pick.name` where the pick has no such case.
    NoCase(PickId, Ident),
}

struct Checker<'p> {
    program: &'p Program,
    a: Analysis,
    scopes: Vec<Scope>,
    ctx: FuncCtx,
    const_state: Vec<State>,
    /// Globals whose initialiser has been checked (a global initialiser may only read those).
    globals_done: HashSet<GlobalId>,
}

/// Words `1 argument` / `2 arguments`.
fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        format!("{count} {word}")
    } else {
        format!("{count} {word}s")
    }
}

impl<'p> Checker<'p> {
    fn new(program: &'p Program) -> Checker<'p> {
        Checker {
            program,
            a: Analysis::default(),
            scopes: Vec::new(),
            ctx: FuncCtx {
                owner: Owner::Init(0),
                file: 0,
                ret: Ty::Void,
                loops: Vec::new(),
                init_global: None,
            },
            const_state: Vec::new(),
            globals_done: HashSet::new(),
        }
    }

    fn run(&mut self) {
        self.collect_items();
        self.resolve_signatures();
        for file in 0..self.program.files.len() {
            for id in 0..self.a.consts.len() {
                if self.a.consts[id].file == file {
                    self.ensure_const(id as ConstId, None);
                }
            }
            for id in 0..self.a.globals.len() {
                if self.a.globals[id].file == file {
                    self.check_global(id as GlobalId);
                }
            }
        }
        for id in 0..self.a.procs.len() {
            self.check_proc(id as ProcId);
        }
        self.check_main();
    }

    // ---- diagnostics and recording ----

    fn error(&mut self, span: Span, message: impl Into<String>) {
        self.a.diagnostics.push(Diagnostic::error(span, message));
    }

    fn warning(&mut self, span: Span, message: impl Into<String>) {
        self.a.diagnostics.push(Diagnostic::warning(span, message));
    }

    fn reference(&mut self, span: Span, symbol: Symbol) {
        self.a.references.push(Reference {
            span,
            symbol,
            is_definition: false,
        });
    }

    fn definition(&mut self, span: Span, symbol: Symbol) {
        self.a.references.push(Reference {
            span,
            symbol,
            is_definition: true,
        });
    }

    fn name(&self, ty: &Ty) -> String {
        self.a.type_name(ty)
    }

    // ---- items ----

    fn collect_items(&mut self) {
        let program = self.program;
        let root = program.files.len().saturating_sub(1);
        self.a.files = vec![FileScope::default(); program.files.len()];
        for (index, file) in program.files.iter().enumerate() {
            if index != root {
                self.a.files[index].prefix = format!("{}.", self.file_alias(index));
            }
            let prefix = self.a.files[index].prefix.clone();
            for (item_index, item) in file.ast.items.iter().enumerate() {
                let doc = item.doc.clone();
                let (name, symbol) = match &item.kind {
                    ItemKind::Const(decl) => {
                        let id = self.a.consts.len() as ConstId;
                        self.a.consts.push(ConstInfo {
                            name: decl.name.name.clone(),
                            file: index,
                            item: item_index,
                            ty: Ty::Error,
                            value: None,
                            span: decl.name.span,
                            doc,
                        });
                        self.const_state.push(State::NotStarted);
                        (&decl.name, Symbol::Const(id))
                    }
                    ItemKind::Global(decl) => {
                        let id = self.a.globals.len() as GlobalId;
                        self.a.globals.push(GlobalInfo {
                            name: decl.name.name.clone(),
                            qualified: format!("{prefix}{}", decl.name.name),
                            file: index,
                            item: item_index,
                            ty: Ty::Error,
                            span: decl.name.span,
                            doc,
                        });
                        (&decl.name, Symbol::Global(id))
                    }
                    ItemKind::Form(decl) => {
                        let id = self.a.forms.len() as FormId;
                        self.a.forms.push(FormInfo {
                            name: decl.name.name.clone(),
                            file: index,
                            fields: Vec::new(),
                            span: decl.name.span,
                            doc,
                        });
                        (&decl.name, Symbol::Form(id))
                    }
                    ItemKind::Pick(decl) => {
                        let id = self.a.picks.len() as PickId;
                        self.a.picks.push(PickInfo {
                            name: decl.name.name.clone(),
                            file: index,
                            cases: Vec::new(),
                            span: decl.name.span,
                            doc,
                        });
                        (&decl.name, Symbol::Pick(id))
                    }
                    ItemKind::Proc(decl) => {
                        let id = self.a.procs.len() as ProcId;
                        self.a.procs.push(ProcInfo {
                            name: decl.name.name.clone(),
                            qualified: format!("{prefix}{}", decl.name.name),
                            file: index,
                            item: item_index,
                            params: Vec::new(),
                            param_types: Vec::new(),
                            ret: Ty::Void,
                            span: decl.name.span,
                            doc,
                        });
                        (&decl.name, Symbol::Proc(id))
                    }
                    ItemKind::Error => continue,
                };
                self.definition(name.span, symbol);
                if self.a.files[index].items.contains_key(&name.name) {
                    self.error(name.span, format!("{} is already defined", name.name));
                } else {
                    self.a.files[index].items.insert(name.name.clone(), symbol);
                }
            }
            let loaded: HashSet<&str> = file.imports.iter().map(|i| i.alias.as_str()).collect();
            for import in &file.imports {
                let scope = &self.a.files[index];
                if scope.items.contains_key(&import.alias)
                    || scope.aliases.contains_key(&import.alias)
                {
                    let span = file
                        .ast
                        .uses
                        .iter()
                        .find(|u| u.span == import.span)
                        .map_or(import.span, |u| u.alias_name_span());
                    self.error(span, format!("{} is already defined", import.alias));
                    continue;
                }
                self.a.files[index]
                    .aliases
                    .insert(import.alias.clone(), import.file);
            }
            for declared in &file.ast.uses {
                let Some(alias) = declared.alias_ident() else {
                    continue;
                };
                if !loaded.contains(alias.name.as_str()) {
                    self.a.files[index]
                        .broken_aliases
                        .insert(alias.name.clone());
                } else if let Some(&target) = self.a.files[index].aliases.get(&alias.name) {
                    self.definition(alias.span, Symbol::Module(target));
                }
            }
        }
    }

    /// The alias a used file is known by: the root's `use` first, then any other file's.
    fn file_alias(&self, index: usize) -> String {
        let files = &self.program.files;
        files
            .iter()
            .rev()
            .flat_map(|f| f.imports.iter())
            .find(|import| import.file == index)
            .map(|import| import.alias.clone())
            .unwrap_or_else(|| {
                files[index]
                    .path
                    .file_stem()
                    .map_or_else(|| "module".into(), |s| s.to_string_lossy().into())
            })
    }

    /// The name of a used file in messages: its file name without `.vit`.
    fn module_name(&self, file: usize) -> String {
        self.program.files[file]
            .path
            .file_stem()
            .map_or_else(|| "module".into(), |s| s.to_string_lossy().into())
    }

    fn resolve_signatures(&mut self) {
        let program = self.program;
        let mut forms = 0usize;
        let mut picks = 0usize;
        let mut procs = 0usize;
        let mut consts = 0usize;
        let mut globals = 0usize;
        for (index, file) in program.files.iter().enumerate() {
            self.ctx.file = index;
            for item in &file.ast.items {
                match &item.kind {
                    ItemKind::Form(decl) => {
                        let id = forms as FormId;
                        forms += 1;
                        let mut fields: Vec<FieldInfo> = Vec::new();
                        for (field_index, field) in decl.fields.iter().enumerate() {
                            let ty = self.value_type(&field.ty);
                            self.definition(field.name.span, Symbol::Field(id, field_index as u32));
                            if fields.iter().any(|f| f.name == field.name.name) {
                                self.error(
                                    field.name.span,
                                    format!(
                                        "{} is already defined in {}",
                                        field.name.name, decl.name.name
                                    ),
                                );
                            }
                            fields.push(FieldInfo {
                                name: field.name.name.clone(),
                                ty,
                                span: field.name.span,
                                doc: field.doc.clone(),
                            });
                        }
                        self.a.forms[id as usize].fields = fields;
                    }
                    ItemKind::Pick(decl) => {
                        let id = picks as PickId;
                        picks += 1;
                        let mut cases: Vec<CaseInfo> = Vec::new();
                        for (case_index, case) in decl.cases.iter().enumerate() {
                            self.definition(case.name.span, Symbol::Case(id, case_index as u32));
                            if cases.iter().any(|c| c.name == case.name.name) {
                                self.error(
                                    case.name.span,
                                    format!(
                                        "{} is already defined in {}",
                                        case.name.name, decl.name.name
                                    ),
                                );
                            }
                            let mut fields: Vec<FieldInfo> = Vec::new();
                            for (field_index, field) in case.fields.iter().enumerate() {
                                let ty = self.value_type(&field.ty);
                                self.definition(
                                    field.name.span,
                                    Symbol::CaseField(id, case_index as u32, field_index as u32),
                                );
                                if fields.iter().any(|f| f.name == field.name.name) {
                                    self.error(
                                        field.name.span,
                                        format!(
                                            "{} is already defined in {}",
                                            field.name.name, case.name.name
                                        ),
                                    );
                                }
                                fields.push(FieldInfo {
                                    name: field.name.name.clone(),
                                    ty,
                                    span: field.name.span,
                                    doc: field.doc.clone(),
                                });
                            }
                            cases.push(CaseInfo {
                                name: case.name.name.clone(),
                                fields,
                                span: case.name.span,
                                doc: case.doc.clone(),
                            });
                        }
                        self.a.picks[id as usize].cases = cases;
                    }
                    ItemKind::Proc(decl) => {
                        let id = procs as ProcId;
                        procs += 1;
                        let mut param_types = Vec::new();
                        for param in &decl.params {
                            param_types.push(self.value_type(&param.ty));
                        }
                        let ret = match &decl.ret {
                            Some(te) => self.resolve_type(te, true),
                            None => Ty::Void,
                        };
                        let info = &mut self.a.procs[id as usize];
                        info.param_types = param_types;
                        info.ret = ret;
                    }
                    ItemKind::Const(decl) => {
                        let id = consts;
                        consts += 1;
                        if let Some(te) = &decl.ty {
                            let ty = self.resolve_type(te, false);
                            if !matches!(ty, Ty::Int | Ty::Float | Ty::Bool | Ty::Str | Ty::Error) {
                                self.error(
                                    te.span(),
                                    format!(
                                        "a const must be an int, float, bool or string, not {}; use let for other values",
                                        self.name(&ty)
                                    ),
                                );
                                self.a.consts[id].ty = Ty::Error;
                            } else {
                                self.a.consts[id].ty = ty;
                            }
                        }
                    }
                    ItemKind::Global(decl) => {
                        let id = globals;
                        globals += 1;
                        if let Some(te) = &decl.ty {
                            self.a.globals[id].ty = self.value_type(te);
                        }
                    }
                    ItemKind::Error => {}
                }
            }
        }
    }

    // ---- types ----

    /// Resolves a written type that holds a value (not `void`).
    fn value_type(&mut self, te: &TypeExpr) -> Ty {
        self.resolve_type(te, false)
    }

    /// Resolves a written type in the current file.
    fn resolve_type(&mut self, te: &TypeExpr, allow_void: bool) -> Ty {
        match te {
            TypeExpr::Error { .. } => Ty::Error,
            TypeExpr::Array { elem, .. } => {
                let elem = self.value_type(elem);
                Ty::array(elem)
            }
            TypeExpr::Nullable { inner, span } => {
                let inner_ty = self.value_type(inner);
                match inner_ty {
                    Ty::Error => Ty::Error,
                    Ty::Nullable(_) => {
                        self.error(
                            *span,
                            format!("{} is already nullable", self.name(&inner_ty)),
                        );
                        inner_ty
                    }
                    ref t if t.is_reference() => Ty::nullable(inner_ty),
                    _ => {
                        let name = self.name(&inner_ty);
                        self.error(
                            *span,
                            format!("?{name} is not allowed: {name} is not a reference type"),
                        );
                        Ty::Error
                    }
                }
            }
            TypeExpr::Named { path, args, span } => {
                let Some(first) = path.first() else {
                    return Ty::Error;
                };
                if path.len() == 1 {
                    let builtin = match first.name.as_str() {
                        "int" | "i64" => Some(Ty::Int),
                        "float" | "f64" => Some(Ty::Float),
                        "bool" => Some(Ty::Bool),
                        "string" => Some(Ty::Str),
                        "void" => Some(Ty::Void),
                        _ => None,
                    };
                    if let Some(ty) = builtin {
                        if !args.is_empty() {
                            self.error(*span, format!("{} takes no type arguments", first.name));
                        }
                        if ty == Ty::Void && !allow_void {
                            self.error(*span, "void can only be a return type");
                            return Ty::Error;
                        }
                        return ty;
                    }
                    match first.name.as_str() {
                        "Map" => {
                            if args.len() != 2 {
                                self.error(*span, "Map needs a key and a value type: Map[K, V]");
                                for arg in args {
                                    self.value_type(arg);
                                }
                                return Ty::Error;
                            }
                            let key = self.value_type(&args[0]);
                            let value = self.value_type(&args[1]);
                            if !matches!(key, Ty::Int | Ty::Str | Ty::Bool | Ty::Error) {
                                self.error(
                                    args[0].span(),
                                    format!(
                                        "map keys must be int, string or bool, not {}",
                                        self.name(&key)
                                    ),
                                );
                                return Ty::map(Ty::Error, value);
                            }
                            return Ty::map(key, value);
                        }
                        "Thread" => {
                            if !args.is_empty() {
                                self.error(*span, "Thread takes no type arguments");
                            }
                            return Ty::Thread;
                        }
                        "Chan" => {
                            if args.len() != 1 {
                                self.error(*span, "Chan needs an element type: Chan[T]");
                                for arg in args {
                                    self.value_type(arg);
                                }
                                return Ty::Error;
                            }
                            let element = self.value_type(&args[0]);
                            return Ty::Chan(Box::new(element));
                        }
                        _ => {}
                    }
                }
                let resolved = self.resolve_type_path(path);
                let ty = match resolved {
                    Some(Symbol::Form(id)) => Ty::Form(id),
                    Some(Symbol::Pick(id)) => Ty::Pick(id),
                    _ => return Ty::Error,
                };
                if !args.is_empty() {
                    let written = path
                        .iter()
                        .map(|i| i.name.as_str())
                        .collect::<Vec<_>>()
                        .join(".");
                    self.error(*span, format!("{written} takes no type arguments"));
                }
                ty
            }
        }
    }

    /// Resolves `Name` or `alias.Name` to a form or pick, reporting what is wrong otherwise.
    fn resolve_type_path(&mut self, path: &[Ident]) -> Option<Symbol> {
        let written = path
            .iter()
            .map(|i| i.name.as_str())
            .collect::<Vec<_>>()
            .join(".");
        let span = path.first()?.span.to(path.last()?.span);
        let file = self.ctx.file;
        let (scope_file, name) = match path {
            [name] => (file, name),
            [alias, name] => {
                if self.a.files[file].broken_aliases.contains(&alias.name) {
                    return None;
                }
                let Some(&target) = self.a.files[file].aliases.get(&alias.name) else {
                    self.error(span, format!("unknown type '{written}'"));
                    return None;
                };
                self.reference(alias.span, Symbol::Module(target));
                (target, name)
            }
            _ => {
                self.error(span, format!("unknown type '{written}'"));
                return None;
            }
        };
        match self.a.files[scope_file].items.get(&name.name).copied() {
            Some(symbol @ (Symbol::Form(_) | Symbol::Pick(_))) => {
                self.reference(name.span, symbol);
                Some(symbol)
            }
            Some(_) => {
                self.error(span, format!("'{written}' is not a type"));
                None
            }
            None => {
                self.error(span, format!("unknown type '{written}'"));
                None
            }
        }
    }

    // ---- scopes ----

    fn push_scope(&mut self) {
        self.scopes.push(Scope::default());
    }

    fn pop_scope(&mut self) {
        self.scopes.pop();
    }

    /// Declares a local in the innermost scope. `_` gets a local (it still holds a value, such as a
    /// loop counter) that no name reaches.
    fn declare_local(&mut self, ident: &Ident, ty: Ty) -> LocalId {
        let id = self.a.locals.len() as LocalId;
        self.a.locals.push(LocalInfo {
            name: ident.name.clone(),
            ty,
            span: ident.span,
            owner: self.ctx.owner,
        });
        self.a.local_defs.insert(ident.span, id);
        if ident.name == "_" {
            return id;
        }
        self.definition(ident.span, Symbol::Local(id));
        if self.scopes.is_empty() {
            self.push_scope();
        }
        let duplicate = self
            .scopes
            .last()
            .is_some_and(|scope| scope.vars.iter().any(|(name, _)| *name == ident.name));
        if duplicate {
            self.error(
                ident.span,
                format!("{} is already defined in this scope", ident.name),
            );
        }
        if let Some(scope) = self.scopes.last_mut() {
            scope.vars.push((ident.name.clone(), id));
        }
        id
    }

    fn lookup_local(&self, name: &str) -> Option<LocalId> {
        self.scopes.iter().rev().find_map(|scope| {
            scope
                .vars
                .iter()
                .rev()
                .find(|(n, _)| n == name)
                .map(|&(_, id)| id)
        })
    }

    // ---- paths ----

    /// What a name or a dotted path names statically (without recording anything).
    fn resolve_path(&self, e: &Expr) -> PathRes {
        let file = self.ctx.file;
        match &e.kind {
            ExprKind::Name(ident) => {
                if self.lookup_local(&ident.name).is_some() {
                    return PathRes::NotPath;
                }
                let scope = &self.a.files[file];
                if let Some(&symbol) = scope.items.get(&ident.name) {
                    return PathRes::Item(symbol);
                }
                if let Some(&target) = scope.aliases.get(&ident.name) {
                    return PathRes::Module(target);
                }
                if scope.broken_aliases.contains(&ident.name) {
                    return PathRes::Broken;
                }
                PathRes::NotPath
            }
            ExprKind::Field { base, name } => match self.resolve_path(base) {
                PathRes::Module(target) => match self.a.files[target].items.get(&name.name) {
                    Some(&symbol) => PathRes::Item(symbol),
                    None => PathRes::NoItem(target, name.clone()),
                },
                PathRes::Item(Symbol::Pick(pick)) => {
                    match self.a.picks[pick as usize]
                        .cases
                        .iter()
                        .position(|c| c.name == name.name)
                    {
                        Some(case) => PathRes::Case(pick, case as u32),
                        None => PathRes::NoCase(pick, name.clone()),
                    }
                }
                PathRes::Broken | PathRes::NoItem(..) | PathRes::NoCase(..) => PathRes::Broken,
                _ => PathRes::NotPath,
            },
            _ => PathRes::NotPath,
        }
    }

    /// Records the references along a static path whose meaning was `res`, and reports a missing item
    /// or case. Returns false when the path is broken (an error was reported or is already known).
    fn record_path(&mut self, e: &Expr, res: &PathRes) -> bool {
        match &e.kind {
            ExprKind::Name(ident) => {
                match res {
                    PathRes::Module(target) => self.reference(ident.span, Symbol::Module(*target)),
                    PathRes::Item(symbol) => self.reference(ident.span, *symbol),
                    _ => {}
                }
                !matches!(res, PathRes::Broken)
            }
            ExprKind::Field { base, name } => {
                let base_res = self.resolve_path(base);
                if !self.record_path(base, &base_res) {
                    return false;
                }
                match res {
                    PathRes::Item(symbol) => {
                        self.reference(name.span, *symbol);
                        true
                    }
                    PathRes::Case(pick, case) => {
                        self.reference(name.span, Symbol::Case(*pick, *case));
                        true
                    }
                    PathRes::NoItem(target, missing) => {
                        let module = self.module_name(*target);
                        self.error(
                            missing.span,
                            format!("{module} has no item '{}'", missing.name),
                        );
                        false
                    }
                    PathRes::NoCase(pick, missing) => {
                        let pick_name = self.a.picks[*pick as usize].name.clone();
                        self.error(
                            missing.span,
                            format!("{pick_name} has no case {}", missing.name),
                        );
                        false
                    }
                    PathRes::Broken => false,
                    _ => true,
                }
            }
            _ => true,
        }
    }

    // ---- constants ----

    /// Checks and folds constant `id` if not done yet. `from` is the span of a reference to it.
    fn ensure_const(&mut self, id: ConstId, from: Option<Span>) {
        match self.const_state[id as usize] {
            State::Done => return,
            State::InProgress => {
                let name = self.a.consts[id as usize].name.clone();
                let span = from.unwrap_or(self.a.consts[id as usize].span);
                self.error(span, format!("the value of {name} depends on itself"));
                return;
            }
            State::NotStarted => {}
        }
        self.const_state[id as usize] = State::InProgress;
        let info = self.a.consts[id as usize].clone();
        let ItemKind::Const(decl) = &self.program.files[info.file].ast.items[info.item].kind else {
            self.const_state[id as usize] = State::Done;
            return;
        };
        let saved_scopes = std::mem::take(&mut self.scopes);
        let saved_ctx = std::mem::replace(
            &mut self.ctx,
            FuncCtx {
                owner: Owner::Init(info.file),
                file: info.file,
                ret: Ty::Void,
                loops: Vec::new(),
                init_global: None,
            },
        );
        let annotated = decl.ty.is_some();
        let expected = if annotated {
            Some(info.ty.clone())
        } else {
            None
        };
        let ty = match &expected {
            Some(target) => {
                self.coerce(&decl.value, target);
                target.clone()
            }
            None => self.value(&decl.value, None),
        };
        let ty = match ty {
            Ty::Int | Ty::Float | Ty::Bool | Ty::Str | Ty::Error => ty,
            other => {
                if !other.contains_error() {
                    let message = format!(
                        "a const must be an int, float, bool or string, not {}; use let for other values",
                        self.name(&other)
                    );
                    self.error(decl.value.span, message);
                }
                Ty::Error
            }
        };
        let value = if ty.is_error() {
            None
        } else {
            self.fold(&decl.value)
        };
        // Keep the declared type when the value is an int literal for a float constant etc. (already
        // reported by `coerce`); the folded value must match the type to be used.
        let value = value.filter(|v| v.ty() == ty);
        self.a.consts[id as usize].ty = ty;
        self.a.consts[id as usize].value = value;
        self.scopes = saved_scopes;
        self.ctx = saved_ctx;
        self.const_state[id as usize] = State::Done;
    }

    /// Folds a checked constant expression; reports the first part that is not constant.
    fn fold(&mut self, e: &Expr) -> Option<ConstValue> {
        match self.fold_inner(e) {
            Ok(value) => Some(value),
            Err(Some((span, message))) => {
                self.error(span, message);
                None
            }
            Err(None) => None,
        }
    }

    /// `Err(None)`: not foldable because of an error already reported.
    fn fold_inner(&mut self, e: &Expr) -> Result<ConstValue, Option<(Span, String)>> {
        let not_constant = || {
            Err(Some((
                e.span,
                "the value of a const must be a compile-time constant".to_string(),
            )))
        };
        match &e.kind {
            ExprKind::Int(v) => Ok(ConstValue::Int(*v)),
            ExprKind::Float(v) => Ok(ConstValue::Float(*v)),
            ExprKind::Bool(v) => Ok(ConstValue::Bool(*v)),
            ExprKind::Str(v) => Ok(ConstValue::Str(v.clone())),
            ExprKind::Paren(inner) => self.fold_inner(inner),
            ExprKind::Error => Err(None),
            ExprKind::Name(_) | ExprKind::Field { .. } => {
                match self.a.resolved.get(&e.span).copied() {
                    // Checking the expression already evaluated the constant (or found a cycle).
                    Some(Symbol::Const(id)) => self.a.consts[id as usize].value.clone().ok_or(None),
                    Some(_) => not_constant(),
                    None => Err(None),
                }
            }
            ExprKind::Unary { op, operand } => {
                let value = self.fold_inner(operand)?;
                semantics::unary(op.operator(), &value.scalar())
                    .map(ConstValue::from_scalar)
                    .ok_or(None)
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let left = self.fold_inner(lhs)?;
                if let (ast::BinOp::And, ConstValue::Bool(false))
                | (ast::BinOp::Or, ConstValue::Bool(true)) = (op, &left)
                {
                    let right = self.fold_inner(rhs)?;
                    return if matches!(right, ConstValue::Bool(_)) {
                        Ok(left)
                    } else {
                        Err(None)
                    };
                }
                let right = self.fold_inner(rhs)?;
                fold_binary(*op, &left, &right).map_err(|message| message.map(|m| (e.span, m)))
            }
            _ => not_constant(),
        }
    }

    // ---- globals ----

    fn check_global(&mut self, id: GlobalId) {
        let info = self.a.globals[id as usize].clone();
        let ItemKind::Global(decl) = &self.program.files[info.file].ast.items[info.item].kind
        else {
            return;
        };
        self.scopes.clear();
        self.ctx = FuncCtx {
            owner: Owner::Init(info.file),
            file: info.file,
            ret: Ty::Void,
            loops: Vec::new(),
            init_global: Some(id),
        };
        self.push_scope();
        let ty = match (&decl.ty, &decl.value) {
            (Some(_), Some(value)) => {
                self.coerce(value, &info.ty);
                info.ty.clone()
            }
            (Some(_), None) => {
                if !has_default(&info.ty) {
                    self.error(
                        decl.name.span,
                        format!("{} needs an initial value", decl.name.name),
                    );
                }
                info.ty.clone()
            }
            (None, Some(value)) => {
                let ty = self.value(value, None);
                self.inferred_type(&decl.name, ty, value.span)
            }
            (None, None) => {
                self.error(
                    decl.name.span,
                    format!("{} needs a type or an initial value", decl.name.name),
                );
                Ty::Error
            }
        };
        self.pop_scope();
        self.a.globals[id as usize].ty = ty;
        self.globals_done.insert(id);
        self.ctx.init_global = None;
    }

    /// The type of a variable declared without a type: its value's, unless that says nothing.
    fn inferred_type(&mut self, name: &Ident, ty: Ty, value_span: Span) -> Ty {
        match ty {
            Ty::Null => {
                self.error(
                    value_span,
                    format!(
                        "cannot infer the type of {} from null; annotate it",
                        name.name
                    ),
                );
                Ty::Error
            }
            Ty::Void => Ty::Error,
            ty => ty,
        }
    }

    // ---- procedures ----

    fn check_proc(&mut self, id: ProcId) {
        let info = self.a.procs[id as usize].clone();
        let ItemKind::Proc(decl) = &self.program.files[info.file].ast.items[info.item].kind else {
            return;
        };
        self.scopes.clear();
        self.ctx = FuncCtx {
            owner: Owner::Proc(id),
            file: info.file,
            ret: info.ret.clone(),
            loops: Vec::new(),
            init_global: None,
        };
        self.push_scope();
        let mut params = Vec::new();
        for (param, ty) in decl.params.iter().zip(&info.param_types) {
            let local = self.declare_local(&param.name, ty.clone());
            params.push(local);
        }
        self.a.procs[id as usize].params = params;
        let tail = info.ret != Ty::Void;
        let gives = self.block(&decl.body, tail);
        self.pop_scope();
        if info.ret != Ty::Void && !info.ret.is_error() && !gives {
            self.error(
                decl.name.span,
                format!("{} does not give a value on every path", decl.name.name),
            );
        }
    }

    fn check_main(&mut self) {
        let Some(root) = self.program.files.len().checked_sub(1) else {
            return;
        };
        match self.a.files[root].items.get("main").copied() {
            Some(Symbol::Proc(id)) => {
                let info = &self.a.procs[id as usize];
                let ok = info.param_types.is_empty() && matches!(info.ret, Ty::Void | Ty::Int);
                if ok {
                    self.a.main = Some(id);
                } else if !info.ret.is_error() && !info.param_types.iter().any(Ty::is_error) {
                    let span = info.span;
                    self.error(span, "main must take no parameters and return void or int");
                }
            }
            _ => {
                let file = self.program.files[root].ast.file;
                self.error(Span::new(file, 0, 0), "no main procedure");
            }
        }
    }
}

/// True when a variable of this type may be declared without a value.
fn has_default(ty: &Ty) -> bool {
    matches!(
        ty,
        Ty::Int | Ty::Float | Ty::Bool | Ty::Str | Ty::Nullable(_) | Ty::Error
    )
}

/// Folds one binary operation on constants with the language's value rules
/// ([`vitte_vm::semantics`]). `Err(None)`: the operands do not fit (already reported);
/// `Err(Some(message))`: the operation raises a runtime error, reported at compile time
/// (`division by zero in a constant expression`).
fn fold_binary(
    op: ast::BinOp,
    left: &ConstValue,
    right: &ConstValue,
) -> Result<ConstValue, Option<String>> {
    let Some(operator) = op.operator() else {
        return match (op, left, right) {
            (ast::BinOp::And, ConstValue::Bool(a), ConstValue::Bool(b)) => {
                Ok(ConstValue::Bool(*a && *b))
            }
            (ast::BinOp::Or, ConstValue::Bool(a), ConstValue::Bool(b)) => {
                Ok(ConstValue::Bool(*a || *b))
            }
            _ => Err(None),
        };
    };
    match semantics::binary(operator, &left.scalar(), &right.scalar()) {
        Some(Ok(value)) => Ok(ConstValue::from_scalar(value)),
        Some(Err(trap)) => Err(Some(format!("{trap} in a constant expression"))),
        None => Err(None),
    }
}

/// Helpers on `use` declarations that tolerate an empty path (the parser reported it).
trait UseExt {
    fn alias_ident(&self) -> Option<&Ident>;
    fn alias_name_span(&self) -> Span;
}

impl UseExt for ast::Use {
    fn alias_ident(&self) -> Option<&Ident> {
        self.alias.as_ref().or(self.path.last())
    }

    fn alias_name_span(&self) -> Span {
        self.alias_ident().map_or(self.span, |i| i.span)
    }
}
