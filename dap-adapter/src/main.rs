//! The `vitte-dap` binary: see [`vitte_dap::cli`].

fn main() {
    std::process::exit(vitte_dap::cli::main());
}
