//! The Vitte compiler: source text to a [`vitte_vm::bytecode::Module`], with diagnostics.

#![forbid(unsafe_code)]

pub mod analysis;
pub mod ast;
pub mod builtins;
pub mod check;
pub mod codegen;
pub mod diagnostics;
pub mod driver;
pub mod format;
pub mod lexer;
pub mod loader;
pub mod parser;
pub mod source;
pub mod types;

pub use driver::{Compilation, CompileOptions, compile_file, compile_with, compile_with_options};
pub use loader::FsLoader;
pub use parser::parse_expression;
