//! The `vitte-lsp` command line: serve one client over stdin/stdout.

use std::path::PathBuf;

use clap::Parser;

use crate::config::Config;
use crate::log::Logger;
use crate::{run_server, transport};

#[derive(Parser, Debug)]
#[command(
    name = "vitte-lsp",
    version,
    about = "Language Server Protocol server for Vitte (.vit) files",
    long_about = "Language Server Protocol server for Vitte (.vit) files.\n\n\
                  It talks LSP over stdin/stdout: start it from your editor, not by hand. \
                  Diagnostics, hover, go to definition, references, highlights, symbols, \
                  completion, signature help, rename, semantic tokens, inlay hints and \
                  Run/Debug code lenses come from the same front end as `vitte check`.\n\n\
                  Features and editor set-up: docs/lsp.md."
)]
struct Args {
    /// Talk LSP over stdin/stdout (the default and only transport; accepted for editors that pass it)
    #[arg(long)]
    stdio: bool,
    /// Write every message in and out to this file
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
}

/// Runs the command with the process's arguments; returns the exit code.
pub fn main() -> i32 {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() { 2 } else { 0 };
        }
    };
    let log = match &args.log {
        Some(path) => match Logger::create(path) {
            Ok(log) => Some(log),
            Err(error) => {
                eprintln!(
                    "vitte-lsp: cannot create the log '{}': {error}",
                    path.display()
                );
                return 1;
            }
        },
        None => None,
    };
    let (connection, io_threads) =
        transport::connect(std::io::stdin(), std::io::stdout(), log.clone());
    match run_server(connection, Config::default(), log.clone()) {
        Ok(()) => {
            // The loop ended at `exit` or at the end of the input, so the reader has stopped and
            // the writer flushes what was sent before it ends.
            let _ = io_threads.join();
            0
        }
        Err(error) => {
            // The handshake failed: the reader may still wait on a client that stays connected,
            // so exit without joining it.
            eprintln!("vitte-lsp: {error}");
            if let Some(log) = &log {
                log.note(&format!("stopped: {error}"));
            }
            1
        }
    }
}
