//! The `vitte-lsp` binary: see [`vitte_lsp::cli`].

#![forbid(unsafe_code)]

fn main() {
    std::process::exit(vitte_lsp::cli::main());
}
