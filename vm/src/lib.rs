//! Vitte VM: the bytecode format, its verifier, the interpreter and the garbage collector.
//!
//! ```no_run
//! use vitte_vm::Vm;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut vm = Vm::new();
//! vm.load_file("target/main.vitbc")?;
//! vm.run()?;
//! # Ok(())
//! # }
//! ```
//!
//! A module can also be built in memory and loaded with [`Vm::load_module`], which verifies it like
//! any other (nothing unverified runs):
//!
//! ```
//! use vitte_vm::bytecode::{Constant, Function, FunctionDebug, Instr, Module, NativeImport, Type};
//! use vitte_vm::Vm;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut module = Module::default();
//! let int = module.intern_type(Type::Int);
//! let string = module.intern_type(Type::Str);
//! let void = module.intern_type(Type::Void);
//! module.constants.push(Constant::Str("6 * 7 =".into()));
//! module.natives.push(NativeImport { name: "print".into(), params: vec![string], ret: void });
//! module.functions.push(Function {
//!     name: "main".into(),
//!     param_count: 0,
//!     ret: int,
//!     registers: vec![int, int, string, string, string],
//!     code: vec![
//!         Instr::LoadInt { dst: 0, value: 6 },
//!         Instr::LoadInt { dst: 1, value: 7 },
//!         Instr::MulI { dst: 0, a: 0, b: 1 },
//!         Instr::LoadConst { dst: 2, index: 0 },
//!         Instr::IntToStr { dst: 3, src: 0 },
//!         Instr::Concat { dst: 4, a: 2, b: 3 },
//!         Instr::CallNative { native: 0, args: 4, dst: 4 },
//!         Instr::Ret { src: 0 },
//!     ],
//!     handlers: Vec::new(),
//!     debug: FunctionDebug::default(),
//! });
//! module.entry = 0;
//!
//! let mut vm = Vm::new();
//! vm.load_module(module)?;
//! assert_eq!(vm.run()?, 42); // prints "6 * 7 =42", exits with main's result
//! # Ok(())
//! # }
//! ```
//!
//! Layout: [`bytecode`] (instruction set, module model, `.vitbc` format, verifier), `core` (the
//! interpreter loop), [`jit`] (the native JIT: hot functions compiled with Cranelift, behind the
//! default cargo feature `jit`), [`stack`] (threads and frames), [`memory`] (heap, collector, value formatting),
//! [`semantics`] (what operators and built-ins do to values, written once),
//! [`syscall`] (the native registry, the built-ins and every contact with the outside world),
//! [`error`] (load and runtime errors). Errors derive `Display` through `thiserror`; maps are
//! `indexmap` maps (insertion order, as the language requires).

// Only the dispatch loop and the JIT's boundary may use `unsafe` (allowed on `core::interp` and
// `jit::runtime`, the modules that do). A crate's `[lints]` either inherits the workspace's or
// replaces them, so this one lint is set here.
#![deny(unsafe_code)]

pub mod bytecode;
mod core;
pub mod debug;
pub mod error;
pub mod jit;
pub mod memory;
pub mod semantics;
pub mod stack;
pub mod syscall;
mod vm;

pub use error::{LoadError, RuntimeError, TraceFrame, Trap};
pub use jit::{JitMode, JitStats};
pub use memory::{HeapStats, KindStats};
pub use syscall::{Event, Recording, RecordingError};
pub use syscall::{
    HostSignature, NativeContext, NativeRegistry, NativeSignature, NativeType, PathAccess, Sandbox,
};
pub use vm::{ReplayError, Vm, VmConfig};
