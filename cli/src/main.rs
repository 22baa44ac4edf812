//! The `vitte` binary: wires the process's standard streams to [`vitte_cli::main_with`].

use std::io::{self, BufReader, BufWriter};

fn main() {
    let io = vitte_cli::CliIo {
        stdin: Box::new(BufReader::new(io::stdin())),
        stdout: Box::new(BufWriter::new(io::stdout())),
        stderr: Box::new(io::stderr()),
    };
    let code = vitte_cli::main_with(
        std::env::args_os()
            .map(|arg| arg.to_string_lossy().into_owned())
            .collect(),
        io,
    );
    std::process::exit(code);
}
