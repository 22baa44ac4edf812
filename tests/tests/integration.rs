//! The integration tests of `vitte-tests`, in one test binary: the conformance programs (one test
//! each), the assembler reading back their disassembly, bytecode files, the CLI, compatibility, the
//! debug API, formatting, host functions, the README, record and replay, and thread determinism.
//!
//! Each file next to this one is a module; a test is named `FILE::TEST`
//! (`cargo test -p vitte-tests --test integration FILE::`).

mod asm_round_trip;
mod bytecode_files;
mod bytecode_mutation;
mod cli;
mod compat;
mod conformance;
mod debug_api;
mod format;
mod host_functions;
mod readme;
mod record_replay;
mod threads_determinism;
