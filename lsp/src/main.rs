//! The `vitte-lsp` binary: see [`vitte_lsp::cli`].

fn main() {
    std::process::exit(vitte_lsp::cli::main());
}
