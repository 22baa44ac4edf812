//! The `vitte-dap` binary: the `vitte` program under the name that makes it the debug adapter
//! ([`vitte_cli::process_main`], [`vitte_dap::cli`]).

#![forbid(unsafe_code)]

fn main() {
    std::process::exit(vitte_cli::process_main());
}
