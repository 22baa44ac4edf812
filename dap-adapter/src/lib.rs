//! `vitte-dap`: a Debug Adapter Protocol server for the Vitte VM.
//!
//! Layout:
//! - [`transport`]: Content-Length framing, the reader thread, the numbered [`transport::Outbox`];
//! - [`proto`]: every conversion between DAP JSON and the adapter's types, and the [`proto::Command`]
//!   enum dispatch matches on;
//! - [`server`]: the protocol thread, one session per client ([`server::run_session`]);
//! - `engine`: the engine thread that owns the VM (launch, breakpoints, stepping, inspection,
//!   disassembly);
//! - [`eval`]: debugger expressions (watch, hover, console, conditions, logpoints);
//! - [`launch_arguments`]: the launch arguments, described once (`vitte-dap --launch-arguments`);
//! - [`cli`]: the `vitte-dap` command (`--stdio`, `--port N`, `--log FILE`, `--launch-arguments`);
//! - [`client`]: a small blocking client, to drive an adapter from the outside (tests, benchmarks).
//!
//! The user-facing documentation is `docs/debugging.md` at the root of the repository.

#![forbid(unsafe_code)]

pub mod cli;
pub mod client;
mod engine;
pub mod eval;
pub mod launch_arguments;
pub mod proto;
pub mod server;
pub mod transport;

pub use engine::SessionOptions;
pub use server::run_session;

/// The exit code reported when the program ends with an uncaught runtime error (as `vitte run`).
pub const EXIT_RUNTIME_ERROR: i32 = 70;
