//! The integration tests of `vitte-compiler`, in one test binary: lexer, parser and loader
//! (`parse_*`), checker (`check_*`), code generator (`codegen_*`), hostile files and stack use.
//!
//! Each file next to this one is a module; a test is named `FILE::TEST`
//! (`cargo test -p vitte-compiler --test integration FILE::`).

mod check_support;
#[path = "parse/support.rs"]
mod support;

mod check_analysis;
mod check_diagnostics;
mod check_robustness;
mod codegen_run;
mod codegen_shape;
mod hostile_files;
mod parse_errors;
mod parse_fixtures;
mod parse_lexer;
mod parse_loader;
mod parse_robustness;
mod parse_syntax;
mod pass_stack;
