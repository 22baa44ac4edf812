//! `vitte-lsp`: a Language Server Protocol server for Vitte (`.vit` files), built on `lsp-server`
//! and `lsp-types` (rust-analyzer's own scaffold: a plain message loop over crossbeam channels, and
//! the protocol's types with serde), and on the compiler's own front end
//! (`vitte_compiler::analysis`), so editors see exactly the errors `vitte check` reports.
//!
//! Layout:
//! - [`cli`]: the `vitte-lsp` command (`--help`, `--version`, `--log FILE`; stdio transport);
//! - [`config`]: the server's own settings ([`Config`]: worker threads, test hooks);
//! - [`main_loop`]: the `Event` enum, the `select!` loop, notifications (document sync,
//!   cancellation) and request routing;
//! - [`dispatch`]: decoding requests and running handlers on the [`pool`] with panics caught;
//! - [`handlers`]: one plain function per request, plus the diagnostics pass;
//! - [`state`]: open documents, revisions, the analysis cache and handler snapshots;
//! - [`document`], [`line_index`]: document text, incremental edits, UTF-16/UTF-8 positions;
//! - [`from_proto`], [`to_proto`]: every conversion between protocol and compiler values;
//! - [`caps`]: the advertised capabilities and the position encoding negotiation;
//! - [`transport`]: the client's bytes to messages and back, bounded against hostile input.
//!
//! The user-facing documentation is `docs/lsp.md` at the root of the repository.

#![forbid(unsafe_code)]

pub mod caps;
pub mod cli;
pub mod config;
pub mod dispatch;
pub mod document;
pub mod from_proto;
pub mod handlers;
pub mod line_index;
pub mod log;
pub mod main_loop;
pub mod pool;
pub mod state;
pub mod to_proto;
pub mod transport;

pub use config::Config;

use std::path::PathBuf;

use lsp_server::Connection;
use lsp_types::InitializeParams;

use crate::log::Logger;
use crate::main_loop::MainLoop;
use crate::state::GlobalState;

/// Serves one client on `connection`: the `initialize` handshake, then the main loop until `exit`
/// or until the client goes away.
///
/// # Errors
/// The handshake failed (the client closed the connection or did not start with `initialize`).
pub fn run_server(
    connection: Connection,
    config: Config,
    log: Option<Logger>,
) -> Result<(), lsp_server::ProtocolError> {
    let (id, params) = connection.initialize_start()?;
    if let Some(log) = &log {
        log.note(&format!("initialize {params}"));
    }
    let params: InitializeParams = serde_json::from_value(params).unwrap_or_default();
    let encoding = caps::negotiate_encoding(&params.capabilities);
    let capabilities = caps::server_capabilities(encoding);
    let result = serde_json::json!({
        "capabilities": capabilities,
        "serverInfo": { "name": "vitte-lsp", "version": env!("CARGO_PKG_VERSION") },
    });
    if let Some(log) = &log {
        log.note(&format!("initialize result {result}"));
    }
    connection.initialize_finish(id, result)?;
    let state = GlobalState::new(encoding, workspace_roots(&params));
    MainLoop::new(connection, state, config, log).run();
    Ok(())
}

/// The workspace folders (or the deprecated root URI) as paths.
#[allow(deprecated)] // `root_uri` is what older clients send.
fn workspace_roots(params: &InitializeParams) -> Vec<PathBuf> {
    match &params.workspace_folders {
        Some(folders) if !folders.is_empty() => {
            folders.iter().map(|f| from_proto::path(&f.uri)).collect()
        }
        _ => params.root_uri.iter().map(from_proto::path).collect(),
    }
}
