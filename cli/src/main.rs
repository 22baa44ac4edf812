//! The `vitte` binary: [`vitte_cli::process_main`] on the process's arguments and streams.

#![forbid(unsafe_code)]

fn main() {
    std::process::exit(vitte_cli::process_main());
}
