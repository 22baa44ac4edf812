//! The Vitte compiler: source text to a [`vitte_vm::bytecode::Module`], with diagnostics.

pub mod ast;
pub mod diagnostics;
pub mod loader;
pub mod source;
