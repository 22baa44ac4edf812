//! The integration tests of `vitte-tests`, in one test binary: the conformance programs (one test
//! each), the assembler reading back their disassembly, bytecode files, the CLI, compatibility, the
//! debug API, formatting, host functions, the README, record and replay, the value rules against the
//! interpreter, thread determinism, and the layout of every crate's integration tests.
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
mod semantics;
mod test_layout;
mod threads_determinism;
