//! The `vitte-dap` command line: serve one session over stdio (the default), or sessions over TCP
//! one connection after another (`--port N`, on 127.0.0.1; `DAP_PORT=N` is printed once
//! listening, so `--port 0` can pick a free port). `--launch-arguments` prints the launch
//! arguments the adapter accepts, as JSON, for editor integrations to check theirs against.

use std::io::{self, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;

use clap::Parser;

use crate::SessionOptions;
use crate::launch_arguments;
use crate::server::run_session;
use crate::transport::{FramedWriter, Logger, Outbox, spawn_reader};

#[derive(Parser, Debug)]
#[command(
    name = "vitte-dap",
    version,
    about = "Debug Adapter Protocol server for Vitte programs (.vit and .vitbc)",
    long_about = "Debug Adapter Protocol server for Vitte programs (.vit and .vitbc).\n\n\
                  By default it serves one debug session on stdin/stdout. With --port it listens \
                  on 127.0.0.1, prints DAP_PORT=N once listening, and serves one session per \
                  connection, one connection after another.\n\n\
                  Launch arguments, requests and capabilities: docs/debugging.md."
)]
struct Args {
    /// Serve one session on stdin/stdout (the default)
    #[arg(long, conflicts_with = "port")]
    stdio: bool,
    /// Listen on 127.0.0.1:N (0 picks a free port) and print DAP_PORT=N
    #[arg(long, value_name = "N")]
    port: Option<u16>,
    /// Write every message in and out to this file
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
    /// Print the launch arguments this adapter accepts as JSON (name, type, required, description,
    /// default) and exit
    #[arg(long, conflicts_with_all = ["stdio", "port", "log"])]
    launch_arguments: bool,
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
    if args.launch_arguments {
        return print_launch_arguments();
    }
    let log = match &args.log {
        Some(path) => match Logger::create(path) {
            Ok(log) => Some(log),
            Err(error) => {
                eprintln!(
                    "vitte-dap: cannot create the log '{}': {error}",
                    path.display()
                );
                return 1;
            }
        },
        None => None,
    };
    let options = SessionOptions {
        set_process_cwd: true,
    };
    match args.port {
        Some(port) => serve_tcp(port, log, &options),
        None => {
            serve_stdio(log, options);
            0
        }
    }
}

/// Prints [`launch_arguments::describe`] on stdout, as indented JSON.
fn print_launch_arguments() -> i32 {
    let mut stdout = io::stdout();
    let written = serde_json::to_writer_pretty(&mut stdout, &launch_arguments::describe())
        .map_err(io::Error::from)
        .and_then(|()| writeln!(stdout))
        .and_then(|()| stdout.flush());
    match written {
        Ok(()) => 0,
        Err(error) => {
            eprintln!("vitte-dap: cannot write the launch arguments: {error}");
            1
        }
    }
}

/// One session on stdin/stdout.
fn serve_stdio(log: Option<Logger>, options: SessionOptions) {
    let (tx, rx) = crossbeam_channel::unbounded();
    let _reader = spawn_reader(io::stdin(), tx, log.clone());
    let out = Outbox::new(FramedWriter(io::stdout()), log);
    run_session(rx, out, options);
}

/// Sessions over TCP, one connection after another, until the listener fails.
fn serve_tcp(port: u16, log: Option<Logger>, options: &SessionOptions) -> i32 {
    let listener = match TcpListener::bind(("127.0.0.1", port)) {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("vitte-dap: cannot listen on 127.0.0.1:{port}: {error}");
            return 1;
        }
    };
    let port = match listener.local_addr() {
        Ok(address) => address.port(),
        Err(error) => {
            eprintln!("vitte-dap: cannot read the listening address: {error}");
            return 1;
        }
    };
    let mut stdout = io::stdout();
    let _ = writeln!(stdout, "DAP_PORT={port}");
    let _ = stdout.flush();
    for stream in listener.incoming() {
        match stream {
            Ok(stream) => serve_connection(stream, log.clone(), options.clone()),
            Err(error) => eprintln!("vitte-dap: a connection failed: {error}"),
        }
    }
    0
}

/// One session on one connection.
fn serve_connection(stream: TcpStream, log: Option<Logger>, options: SessionOptions) {
    let reader = match stream.try_clone() {
        Ok(reader) => reader,
        Err(error) => {
            eprintln!("vitte-dap: cannot use the connection: {error}");
            return;
        }
    };
    let writer = match stream.try_clone() {
        Ok(writer) => writer,
        Err(error) => {
            eprintln!("vitte-dap: cannot use the connection: {error}");
            return;
        }
    };
    let (tx, rx) = crossbeam_channel::unbounded();
    let reader = spawn_reader(reader, tx, log.clone());
    run_session(rx, Outbox::new(FramedWriter(writer), log), options);
    let _ = stream.shutdown(Shutdown::Both);
    let _ = reader.join();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn launch_arguments_is_a_flag_of_its_own() {
        let args = Args::try_parse_from(["vitte-dap", "--launch-arguments"]).unwrap();
        assert!(args.launch_arguments);
        assert!(
            !Args::try_parse_from(["vitte-dap"])
                .unwrap()
                .launch_arguments
        );
        for other in [["--port", "0"], ["--log", "dap.log"]] {
            let mut line = vec!["vitte-dap", "--launch-arguments"];
            line.extend(other);
            assert!(Args::try_parse_from(line).is_err(), "{other:?}");
        }
    }
}
