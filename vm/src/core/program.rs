//! A loaded module prepared for execution: per-function frame facts (register count, which registers
//! hold references), per-type facts for allocating instructions, the constant pool as register words
//! (string constants interned once, pinned in the heap), and the natives bound by name.

use std::sync::atomic::AtomicUsize;

use crate::bytecode::{Constant, Function, Handler, Instr, Module, Type, TypeId, ValueKind};
use crate::error::{LoadError, Trap};
use crate::memory::{Heap, KeyKind, Layouts};
use crate::stack::REGISTER_WINDOW;
use crate::syscall::NativeRegistry;
use crate::syscall::registry::BoundNative;

/// Frame facts of one function, and its code (copied here so that a call needs one lookup).
#[derive(Debug)]
pub(crate) struct FuncInfo {
    /// The instructions.
    pub(crate) code: Box<[Instr]>,
    /// The type of every register.
    pub(crate) registers: Box<[TypeId]>,
    /// Registers in the frame.
    pub(crate) nregs: usize,
    /// Parameters (the first registers).
    pub(crate) params: usize,
    /// Registers of a reference type: the collector's roots in this function's frames.
    pub(crate) ref_regs: Box<[u16]>,
    /// False for `void` functions (their result register is left alone).
    pub(crate) returns_value: bool,
    /// True when the function returns `int` (used for `main`'s exit code).
    pub(crate) returns_int: bool,
    /// True when the frame has at most [`SMALL_FRAME`] registers, so a call can clear it with one
    /// fixed-size store sequence.
    pub(crate) small_frame: bool,
    /// Exception handlers, innermost first (only read when a runtime error unwinds).
    pub(crate) handlers: Box<[Handler]>,
    /// The address of the function's compiled code during a run whose JIT compiled it, else 0
    /// (set and cleared by [`crate::jit::Jit`]; compiled code reads it to call the function).
    pub(crate) jit_code: AtomicUsize,
}

/// Registers a call clears with one fixed-size store sequence.
pub(crate) const SMALL_FRAME: usize = 16;

/// What allocating instructions need to know about the type of their destination register.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TypeInfo {
    /// How the type is held.
    pub(crate) kind: ValueKind,
    /// Arrays and channels: how elements are held.
    pub(crate) element: ValueKind,
    /// Maps: the key type.
    pub(crate) key: Option<KeyKind>,
    /// Maps: how values are held.
    pub(crate) value: ValueKind,
    /// Forms: which form.
    pub(crate) form: Option<u32>,
    /// Picks: which pick.
    pub(crate) pick: Option<u32>,
}

impl TypeInfo {
    const fn of_kind(kind: ValueKind) -> TypeInfo {
        TypeInfo {
            kind,
            element: ValueKind::Void,
            key: None,
            value: ValueKind::Void,
            form: None,
            pick: None,
        }
    }
}

/// How many `?` layers [`type_info`] looks through.
const MAX_NULLABLE_DEPTH: usize = 8;

fn kind_of(module: &Module, id: TypeId) -> ValueKind {
    module.ty(id).map_or(ValueKind::Void, Type::kind)
}

fn type_info(module: &Module, id: TypeId, depth: usize) -> TypeInfo {
    match module.ty(id) {
        None => TypeInfo::of_kind(ValueKind::Void),
        Some(Type::Nullable(inner)) if depth < MAX_NULLABLE_DEPTH => TypeInfo {
            kind: ValueKind::Ref,
            ..type_info(module, *inner, depth + 1)
        },
        Some(Type::Array(element) | Type::Chan(element)) => TypeInfo {
            element: kind_of(module, *element),
            ..TypeInfo::of_kind(ValueKind::Ref)
        },
        Some(Type::Map(key, value)) => TypeInfo {
            key: match module.ty(*key) {
                Some(Type::Int) => Some(KeyKind::Int),
                Some(Type::Bool) => Some(KeyKind::Bool),
                Some(Type::Str) => Some(KeyKind::Str),
                _ => None,
            },
            value: kind_of(module, *value),
            ..TypeInfo::of_kind(ValueKind::Ref)
        },
        Some(Type::Form(form)) => TypeInfo {
            form: Some(*form),
            ..TypeInfo::of_kind(ValueKind::Ref)
        },
        Some(Type::Pick(pick)) => TypeInfo {
            pick: Some(*pick),
            ..TypeInfo::of_kind(ValueKind::Ref)
        },
        Some(ty) => TypeInfo::of_kind(ty.kind()),
    }
}

/// A verified module, ready to run.
pub(crate) struct Program {
    /// The module itself (code, debug information).
    pub(crate) module: Module,
    /// Indexed like `module.functions`.
    pub(crate) funcs: Vec<FuncInfo>,
    /// Indexed like `module.types`.
    pub(crate) types: Vec<TypeInfo>,
    /// The constant pool as register words.
    pub(crate) constants: Vec<u64>,
    /// Indexed like `module.natives`.
    pub(crate) natives: Vec<BoundNative>,
    /// Globals of a reference type: collector roots.
    pub(crate) global_refs: Vec<u32>,
    /// The interned strings `true`, `false` and `null` (for `bool.to.str` and `ref.to.str`).
    pub(crate) true_str: u64,
    pub(crate) false_str: u64,
    pub(crate) null_str: u64,
}

fn invalid(message: impl Into<String>) -> LoadError {
    LoadError::Invalid {
        message: message.into(),
    }
}

impl Program {
    /// Prepares `module` (already verified) and a fresh heap for it.
    pub(crate) fn load(
        module: Module,
        natives: &NativeRegistry,
    ) -> Result<(Program, Heap), LoadError> {
        if module.functions.get(module.entry as usize).is_none() {
            return Err(invalid(format!(
                "entry function {} does not exist",
                module.entry
            )));
        }
        if let Some(init) = module.init
            && module.functions.get(init as usize).is_none()
        {
            return Err(invalid(format!("init function {init} does not exist")));
        }
        let mut funcs = Vec::with_capacity(module.functions.len());
        for function in &module.functions {
            funcs.push(func_info(&module, function)?);
        }
        let types = (0..module.types.len())
            .map(|id| type_info(&module, TypeId::try_from(id).unwrap_or(TypeId::MAX), 0))
            .collect();
        let bound = module
            .natives
            .iter()
            .enumerate()
            .map(|(index, import)| natives.bind(&module, index, import))
            .collect::<Result<Vec<_>, _>>()?;
        let global_refs = module
            .globals
            .iter()
            .enumerate()
            .filter(|(_, global)| kind_of(&module, global.ty) == ValueKind::Ref)
            .filter_map(|(index, _)| u32::try_from(index).ok())
            .collect();

        let mut heap = Heap::new(Layouts::from_module(&module));
        let mut intern = |text: &str| {
            let handle = heap.alloc_str(text.into());
            heap.pin(handle);
            handle
        };
        let constants = module
            .constants
            .iter()
            .map(|constant| match constant {
                Constant::Int(value) => *value as u64,
                Constant::Float(value) => value.to_bits(),
                Constant::Str(text) => intern(text),
            })
            .collect();
        let (true_str, false_str, null_str) = (intern("true"), intern("false"), intern("null"));
        let program = Program {
            module,
            funcs,
            types,
            constants,
            natives: bound,
            global_refs,
            true_str,
            false_str,
            null_str,
        };
        Ok((program, heap))
    }

    /// The allocation facts of register `register`'s type in `function`.
    #[inline]
    pub(crate) fn register_type(
        &self,
        function: &FuncInfo,
        register: u16,
    ) -> Result<&TypeInfo, Trap> {
        function
            .registers
            .get(usize::from(register))
            .and_then(|&id| self.types.get(id as usize))
            .ok_or_else(|| Trap::internal(format_args!("register r{register} has no type")))
    }
}

fn func_info(module: &Module, function: &Function) -> Result<FuncInfo, LoadError> {
    let nregs = function.registers.len();
    if nregs > REGISTER_WINDOW {
        return Err(invalid(format!(
            "function {} has {nregs} registers, more than the {REGISTER_WINDOW} a frame can hold",
            function.name
        )));
    }
    let params = usize::from(function.param_count);
    if params > nregs {
        return Err(invalid(format!(
            "function {} has {params} parameters but only {nregs} registers",
            function.name
        )));
    }
    let ref_regs = function
        .registers
        .iter()
        .enumerate()
        .filter(|(_, ty)| kind_of(module, **ty) == ValueKind::Ref)
        .filter_map(|(index, _)| u16::try_from(index).ok())
        .collect();
    let ret = module.ty(function.ret);
    Ok(FuncInfo {
        code: function.code.clone().into_boxed_slice(),
        registers: function.registers.clone().into_boxed_slice(),
        handlers: function.handlers.clone().into_boxed_slice(),
        small_frame: nregs <= SMALL_FRAME,
        nregs,
        params,
        ref_regs,
        returns_value: !matches!(ret, Some(Type::Void) | None),
        returns_int: matches!(ret, Some(Type::Int)),
        jit_code: AtomicUsize::new(0),
    })
}
