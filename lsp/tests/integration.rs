//! The integration tests of `vitte-lsp`, in one test binary: capabilities, the feature fixtures,
//! hostile clients, lifecycle, robustness and document sync.
//!
//! Each file next to this one is a module; a test is named `FILE::TEST`
//! (`cargo test -p vitte-lsp --test integration FILE::`).

mod common;

mod capabilities;
mod features;
mod hostile_client;
mod lifecycle;
mod robustness;
mod sync;
