//! The integration tests of `vitte-cli`, in one test binary: the `vitte-dap` binary (`dap_*`,
//! sharing the adapter's test support), `vitte fmt` and the JIT's options (`jit`).
//!
//! Each file next to this one is a module; a test is named `FILE::TEST`
//! (`cargo test -p vitte-cli --test integration FILE::`).

#[path = "../../dap-adapter/tests/common/mod.rs"]
mod common;
mod dap_process;

mod dap_binary;
mod dap_hostile;
mod fmt;
mod jit;
