//! The `vitte-dap` binary: `--help`, `--version`, a stdio session, `--port 0` serving two
//! connections one after another, and `--log`.

use crate::common;
use crate::dap_process;

use std::ffi::OsStr;
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};
use vitte_dap::client::Client;

use dap_process::{BINARY, listen_on_free_port, start_stdio};

/// A client of the binary that checks every message it takes against the DAP schema.
struct Checked(Client);

impl Checked {
    /// Waits for a message matching `want`.
    fn wait(&mut self, want: Value) -> Value {
        let message = self
            .0
            .wait(common::TIMEOUT, |message| {
                common::matches(&want, message).is_ok()
            })
            .unwrap_or_else(|error| panic!("no message matching {want}: {error}"));
        common::schema::check(&message).expect("the message validates");
        message
    }

    fn request(&mut self, command: &str, arguments: Value) -> Value {
        let response = self
            .0
            .request(command, arguments, common::TIMEOUT)
            .unwrap_or_else(|error| panic!("{error}"));
        common::schema::check(&response).expect("the response validates");
        response
    }
}

#[test]
fn help_and_version() {
    let help = Command::new(BINARY).arg("--help").output().expect("runs");
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    for option in ["--stdio", "--port", "--log"] {
        assert!(text.contains(option), "{text}");
    }
    let version = Command::new(BINARY)
        .arg("--version")
        .output()
        .expect("runs");
    assert!(version.status.success());
    assert!(String::from_utf8_lossy(&version.stdout).starts_with("vitte-dap "));
    let wrong = Command::new(BINARY).arg("--bogus").output().expect("runs");
    assert_eq!(wrong.status.code(), Some(2));
}

#[test]
fn a_stdio_session_runs_a_program_to_its_end() {
    let (mut guard, stdin, stdout) = start_stdio();
    let mut client = Checked(Client::new(Box::new(stdin), stdout));
    let response = client.request("initialize", json!({ "adapterID": "vitte" }));
    assert_eq!(
        response["body"]["supportsConfigurationDoneRequest"],
        json!(true)
    );
    let response = client.request("launch", json!({ "program": common::program("loop.vit") }));
    assert_eq!(response["success"], json!(true), "{response}");
    client.wait(json!({ "event": "initialized" }));
    client.request("configurationDone", json!({}));
    client.wait(json!({ "event": "output", "body": { "output": "total 10\n" } }));
    client.wait(json!({ "event": "exited", "body": { "exitCode": 0 } }));
    client.wait(json!({ "event": "terminated" }));
    let response = client.request("disconnect", json!({}));
    assert_eq!(response["success"], json!(true));
    let status = guard.0.wait().expect("the adapter exits");
    assert!(status.success());
}

#[test]
fn a_tcp_port_serves_connections_one_after_another_and_logs() {
    let log = std::env::temp_dir().join(format!("vitte-dap-test-{}.log", std::process::id()));
    let (_guard, port) = listen_on_free_port([OsStr::new("--log"), log.as_os_str()]);
    for _ in 0..2 {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("the adapter accepts");
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .expect("a timeout");
        let reader = stream.try_clone().expect("a second handle");
        let mut client = Checked(Client::new(Box::new(stream), reader));
        let response = client.request("initialize", json!({ "adapterID": "vitte" }));
        assert_eq!(response["success"], json!(true));
        let response = client.request(
            "launch",
            json!({ "program": common::program("loop.vit"), "stopOnEntry": true }),
        );
        assert_eq!(response["success"], json!(true));
        client.request("configurationDone", json!({}));
        client.wait(json!({ "event": "stopped", "body": { "reason": "entry" } }));
        let response = client.request("disconnect", json!({}));
        assert_eq!(response["success"], json!(true));
    }
    let logged = std::fs::read_to_string(&log).expect("the log exists");
    let _ = std::fs::remove_file(&log);
    let incoming = logged
        .lines()
        .filter(|line| line.starts_with("<- {"))
        .count();
    let outgoing = logged
        .lines()
        .filter(|line| line.starts_with("-> {"))
        .count();
    // Two sessions of four requests each, and more messages out than in.
    assert_eq!(incoming, 8, "{logged}");
    assert!(outgoing > incoming, "{logged}");
    assert!(logged.contains("\"command\":\"initialize\""), "{logged}");
}
