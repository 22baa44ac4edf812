//! The integration tests of `vitte-dap`, in one test binary: sessions on compiled and hand-made
//! bytecode, capabilities, the protocol schema, recorded transcripts, transport and robustness.
//!
//! Each file next to this one is a module; a test is named `FILE::TEST`
//! (`cargo test -p vitte-dap --test integration FILE::`).

mod common;

mod bytecode;
mod capabilities;
mod robustness;
mod schema;
mod transcripts;
mod transport;
