//! The native registry: name → Rust function + signature. Every built-in function is provided through
//! it, and embedders register their own host functions the same way (typed closures: [`super::host`]).
//!
//! When a module is loaded, each of its [`NativeImport`]s is bound by name; an unknown name, or a
//! declared signature that differs from the registered one, is a load error. Signatures are compared
//! up to nullability (`?string` matches `string`), the way the verifier compares types: a `string`
//! argument may be null at run time, so natives check (`NativeContext::str` does). A bound native is called
//! with its arguments as untagged register words (see [`NativeType`] for how each type is held) and
//! returns one word (ignored for `void`) or a [`Trap`].

use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

use crate::bytecode::{Module, NativeImport, Type, TypeId, ValueKind};
use crate::error::{LoadError, Trap};
use crate::memory::Heap;

use super::Syscalls;

/// A type in a native's signature.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum NativeType {
    /// No value (return type only); the native returns 0.
    Void,
    /// `int`: the word is the `i64`'s bits.
    Int,
    /// `float`: the word is the `f64`'s bits.
    Float,
    /// `bool`: 0 or 1.
    Bool,
    /// `string`: a heap reference (may be null when the caller's register is `?string`).
    Str,
    /// `[T]`: a heap reference.
    Array(Box<NativeType>),
    /// `Map[K, V]`: a heap reference.
    Map(Box<NativeType>, Box<NativeType>),
    /// `?T`: a heap reference or 0 for null.
    Nullable(Box<NativeType>),
}

/// How deep [`NativeType::from_module`] follows nested types.
const MAX_TYPE_DEPTH: usize = 32;

impl NativeType {
    /// `[element]`.
    pub fn array(element: NativeType) -> NativeType {
        NativeType::Array(Box::new(element))
    }

    /// `?inner`.
    pub fn nullable(inner: NativeType) -> NativeType {
        NativeType::Nullable(Box::new(inner))
    }

    /// How values of this type are held in a register.
    pub fn kind(&self) -> ValueKind {
        match self {
            NativeType::Void => ValueKind::Void,
            NativeType::Int => ValueKind::Int,
            NativeType::Float => ValueKind::Float,
            NativeType::Bool => ValueKind::Bool,
            _ => ValueKind::Ref,
        }
    }

    /// This type with every `?` removed, at every level: two signatures match when their bare types
    /// are equal, as the verifier compares types up to nullability.
    pub fn bare(&self) -> NativeType {
        match self {
            NativeType::Array(element) => NativeType::array(element.bare()),
            NativeType::Map(key, value) => {
                NativeType::Map(Box::new(key.bare()), Box::new(value.bare()))
            }
            NativeType::Nullable(inner) => inner.bare(),
            other => other.clone(),
        }
    }

    /// The module type `id` as a native type; `None` for types natives cannot name (forms, picks,
    /// threads, channels) or unknown ids.
    pub fn from_module(module: &Module, id: TypeId) -> Option<NativeType> {
        Self::from_module_at(module, id, 0)
    }

    fn from_module_at(module: &Module, id: TypeId, depth: usize) -> Option<NativeType> {
        if depth > MAX_TYPE_DEPTH {
            return None;
        }
        let nested = |id| Self::from_module_at(module, id, depth + 1).map(Box::new);
        Some(match module.ty(id)? {
            Type::Void => NativeType::Void,
            Type::Int => NativeType::Int,
            Type::Float => NativeType::Float,
            Type::Bool => NativeType::Bool,
            Type::Str => NativeType::Str,
            Type::Array(element) => NativeType::Array(nested(*element)?),
            Type::Map(key, value) => NativeType::Map(nested(*key)?, nested(*value)?),
            Type::Nullable(inner) => NativeType::Nullable(nested(*inner)?),
            Type::Form(_) | Type::Pick(_) | Type::Thread | Type::Chan(_) => return None,
        })
    }
}

impl fmt::Display for NativeType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NativeType::Void => f.write_str("void"),
            NativeType::Int => f.write_str("int"),
            NativeType::Float => f.write_str("float"),
            NativeType::Bool => f.write_str("bool"),
            NativeType::Str => f.write_str("string"),
            NativeType::Array(element) => write!(f, "[{element}]"),
            NativeType::Map(key, value) => write!(f, "Map[{key}, {value}]"),
            NativeType::Nullable(inner) => write!(f, "?{inner}"),
        }
    }
}

/// A native's parameter and return types.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NativeSignature {
    /// Parameter types, in order.
    pub params: Vec<NativeType>,
    /// Return type ([`NativeType::Void`] for none).
    pub ret: NativeType,
}

impl NativeSignature {
    /// A signature from its parts.
    pub fn new(params: impl Into<Vec<NativeType>>, ret: NativeType) -> NativeSignature {
        NativeSignature {
            params: params.into(),
            ret,
        }
    }

    /// True when both signatures have the same parameter and return types up to nullability.
    pub fn matches(&self, other: &NativeSignature) -> bool {
        self.params.len() == other.params.len()
            && self
                .params
                .iter()
                .zip(&other.params)
                .all(|(a, b)| a.bare() == b.bare())
            && self.ret.bare() == other.ret.bare()
    }
}

impl fmt::Display for NativeSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        for (index, param) in self.params.iter().enumerate() {
            if index > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{param}")?;
        }
        write!(f, ") -> {}", self.ret)
    }
}

/// What a native function gets besides its arguments: the heap, the outside world and its declared
/// return type (to know what to allocate, e.g. the element type of a returned array).
pub struct NativeContext<'a> {
    /// The heap: read arguments, allocate results. Natives never trigger a collection; the
    /// interpreter collects only after the native's result is stored in a register.
    pub heap: &'a mut Heap,
    /// Streams, program arguments and clocks.
    pub sys: &'a mut Syscalls,
    /// The registered return type.
    pub ret: &'a NativeType,
}

impl NativeContext<'_> {
    /// The text of a string argument.
    ///
    /// # Errors
    /// `null dereference` for null.
    pub fn str(&self, handle: u64) -> Result<&str, Trap> {
        self.heap.str(handle)
    }

    /// Allocates a string and returns its reference.
    pub fn alloc_string(&mut self, text: impl Into<String>) -> u64 {
        self.heap.alloc_string(text.into())
    }

    /// Allocates an array of the declared return type (`[T]` or `?[T]`) holding `items`.
    ///
    /// # Errors
    /// An internal error when the native's return type is not an array.
    pub fn alloc_return_array(&mut self, items: Vec<u64>) -> Result<u64, Trap> {
        let element = match self.ret {
            NativeType::Array(element) => element,
            NativeType::Nullable(inner) => match inner.as_ref() {
                NativeType::Array(element) => element,
                _ => return Err(Trap::internal("native does not return an array")),
            },
            _ => return Err(Trap::internal("native does not return an array")),
        };
        Ok(self.heap.alloc_array(element.kind(), items))
    }
}

/// A native function: arguments as register words in, one word (or a runtime error) out.
pub type NativeFn = Rc<dyn Fn(&mut NativeContext<'_>, &[u64]) -> Result<u64, Trap>>;

/// One registered native.
pub struct NativeEntry {
    /// Registry name (`print`).
    pub name: String,
    /// Its signature; a module's import must declare this (up to nullability).
    pub signature: NativeSignature,
    /// The function.
    pub function: NativeFn,
    /// True for the built-ins of [`NativeRegistry::with_builtins`]; false for host functions.
    pub builtin: bool,
}

impl fmt::Debug for NativeEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.name, self.signature)
    }
}

/// Natives by name.
#[derive(Default)]
pub struct NativeRegistry {
    entries: Vec<NativeEntry>,
    by_name: HashMap<String, usize>,
}

impl fmt::Debug for NativeRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.entries).finish()
    }
}

/// A native import of the loaded module, resolved against the registry.
pub(crate) struct BoundNative {
    pub(crate) function: NativeFn,
    pub(crate) params: usize,
    pub(crate) ret: NativeType,
    pub(crate) returns_value: bool,
}

impl NativeRegistry {
    /// A registry without any native.
    pub fn empty() -> NativeRegistry {
        NativeRegistry::default()
    }

    /// Registers `function` under `name`, replacing a native of the same name. Modules loaded
    /// afterwards bind to it.
    pub fn register<F>(&mut self, name: &str, signature: NativeSignature, function: F)
    where
        F: Fn(&mut NativeContext<'_>, &[u64]) -> Result<u64, Trap> + 'static,
    {
        self.insert(name, signature, Rc::new(function), false);
    }

    /// Registers a built-in function: like [`register`](Self::register), but not as a host function
    /// (see [`host_signatures`](Self::host_signatures)).
    pub(crate) fn register_builtin<F>(
        &mut self,
        name: &str,
        signature: NativeSignature,
        function: F,
    ) where
        F: Fn(&mut NativeContext<'_>, &[u64]) -> Result<u64, Trap> + 'static,
    {
        self.insert(name, signature, Rc::new(function), true);
    }

    fn insert(
        &mut self,
        name: &str,
        signature: NativeSignature,
        function: NativeFn,
        builtin: bool,
    ) {
        let entry = NativeEntry {
            name: name.to_string(),
            signature,
            function,
            builtin,
        };
        match self.by_name.get(name) {
            Some(&index) if index < self.entries.len() => self.entries[index] = entry,
            _ => {
                self.by_name.insert(name.to_string(), self.entries.len());
                self.entries.push(entry);
            }
        }
    }

    /// The native registered under `name`.
    pub fn get(&self, name: &str) -> Option<&NativeEntry> {
        self.by_name
            .get(name)
            .and_then(|&index| self.entries.get(index))
    }

    /// Every registered native, in registration order.
    pub fn entries(&self) -> &[NativeEntry] {
        &self.entries
    }

    /// The names and signatures of the host functions (every native that is not a built-in), in
    /// registration order: what the compiler needs to type-check calls to them.
    pub fn host_signatures(&self) -> Vec<super::HostSignature> {
        self.entries
            .iter()
            .filter(|entry| !entry.builtin)
            .map(|entry| super::HostSignature {
                name: entry.name.clone(),
                signature: entry.signature.clone(),
            })
            .collect()
    }

    /// Resolves import `index` of `module`.
    pub(crate) fn bind(
        &self,
        module: &Module,
        index: usize,
        import: &NativeImport,
    ) -> Result<BoundNative, LoadError> {
        let index = u32::try_from(index).unwrap_or(u32::MAX);
        let name = &import.name;
        let Some(entry) = self.get(name) else {
            return Err(LoadError::Native {
                index,
                name: name.clone(),
                message: format!("unknown native function '{name}'"),
            });
        };
        let declared: Option<NativeSignature> = (|| {
            let params = import
                .params
                .iter()
                .map(|&param| NativeType::from_module(module, param))
                .collect::<Option<Vec<_>>>()?;
            Some(NativeSignature {
                params,
                ret: NativeType::from_module(module, import.ret)?,
            })
        })();
        if !declared
            .as_ref()
            .is_some_and(|declared| declared.matches(&entry.signature))
        {
            return Err(LoadError::Native {
                index,
                name: name.clone(),
                message: format!(
                    "native function '{name}' is declared as {}, but the VM provides {}",
                    describe_import(module, import),
                    entry.signature
                ),
            });
        }
        Ok(BoundNative {
            function: Rc::clone(&entry.function),
            params: entry.signature.params.len(),
            ret: entry.signature.ret.clone(),
            returns_value: entry.signature.ret != NativeType::Void,
        })
    }
}

/// The declared signature of an import, in Vitte syntax.
fn describe_import(module: &Module, import: &NativeImport) -> String {
    let params: Vec<String> = import
        .params
        .iter()
        .map(|&param| describe_type(module, param, 0))
        .collect();
    format!(
        "({}) -> {}",
        params.join(", "),
        describe_type(module, import.ret, 0)
    )
}

/// A module type in Vitte syntax, for messages.
fn describe_type(module: &Module, id: TypeId, depth: usize) -> String {
    if depth > MAX_TYPE_DEPTH {
        return "…".to_string();
    }
    let nested = |id| describe_type(module, id, depth + 1);
    match module.ty(id) {
        None => format!("<unknown type {id}>"),
        Some(Type::Void) => "void".into(),
        Some(Type::Int) => "int".into(),
        Some(Type::Float) => "float".into(),
        Some(Type::Bool) => "bool".into(),
        Some(Type::Str) => "string".into(),
        Some(Type::Array(element)) => format!("[{}]", nested(*element)),
        Some(Type::Map(key, value)) => format!("Map[{}, {}]", nested(*key), nested(*value)),
        Some(Type::Nullable(inner)) => format!("?{}", nested(*inner)),
        Some(Type::Form(form)) => module
            .forms
            .get(*form as usize)
            .map_or_else(|| format!("<form {form}>"), |f| f.name.clone()),
        Some(Type::Pick(pick)) => module
            .picks
            .get(*pick as usize)
            .map_or_else(|| format!("<pick {pick}>"), |p| p.name.clone()),
        Some(Type::Thread) => "Thread".into(),
        Some(Type::Chan(element)) => format!("Chan[{}]", nested(*element)),
    }
}
