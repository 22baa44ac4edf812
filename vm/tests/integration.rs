//! The integration tests of `vitte-vm`, in one test binary: the bytecode format, verifier and
//! disassembler (`bytecode_*`) and the interpreter on modules written in assembler text (`interp_*`).
//!
//! Each file next to this one is a module; a test is named `FILE::TEST`
//! (`cargo test -p vitte-vm --test integration FILE::`).

mod bytecode_common;
mod interp_common;

mod bytecode_disasm;
mod bytecode_docs;
mod bytecode_format;
mod bytecode_fuzz;
mod bytecode_verify;
mod interp_arith;
mod interp_calls;
mod interp_errors;
mod interp_exceptions;
mod interp_fuzz;
mod interp_gc;
mod interp_natives;
mod interp_print;
mod interp_threads;
