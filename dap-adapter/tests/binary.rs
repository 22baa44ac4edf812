//! The `vitte-dap` binary: `--help`, `--version`, a stdio session, `--port 0` serving two
//! connections one after another, and `--log`.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};
use vitte_dap::transport::{Frame, read_frame};

const BINARY: &str = env!("CARGO_BIN_EXE_vitte-dap");

fn framed(message: &Value) -> Vec<u8> {
    let body = message.to_string();
    let mut bytes = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    bytes.extend(body.into_bytes());
    bytes
}

/// A client of the binary over any pair of streams.
struct Client {
    input: Box<dyn Write>,
    messages: mpsc::Receiver<Value>,
    seq: i64,
    seen: Vec<Value>,
}

impl Client {
    fn new(input: Box<dyn Write>, output: impl Read + Send + 'static) -> Client {
        let (tx, messages) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(output);
            while let Ok(Frame::Body(body)) = read_frame(&mut reader) {
                let Ok(message) = serde_json::from_slice::<Value>(&body) else {
                    return;
                };
                if tx.send(message).is_err() {
                    return;
                }
            }
        });
        Client {
            input,
            messages,
            seq: 0,
            seen: Vec::new(),
        }
    }

    fn send(&mut self, command: &str, arguments: Value) -> i64 {
        self.seq += 1;
        let request = json!({ "seq": self.seq, "type": "request", "command": command, "arguments": arguments });
        self.input
            .write_all(&framed(&request))
            .expect("the adapter reads");
        self.input.flush().expect("the adapter reads");
        self.seq
    }

    /// Waits for a message matching `want`.
    fn wait(&mut self, want: Value) -> Value {
        if let Some(found) = self.seen.iter().find(|m| common::matches(&want, m).is_ok()) {
            return found.clone();
        }
        loop {
            let message = self
                .messages
                .recv_timeout(common::TIMEOUT)
                .unwrap_or_else(|_| panic!("no message matching {want}; seen {:#?}", self.seen));
            common::schema::check(&message).expect("the message validates");
            self.seen.push(message.clone());
            if common::matches(&want, &message).is_ok() {
                return message;
            }
        }
    }

    fn request(&mut self, command: &str, arguments: Value) -> Value {
        let seq = self.send(command, arguments);
        self.wait(json!({ "type": "response", "request_seq": seq }))
    }
}

/// Kills the child when the test ends, even on failure.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
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
    let mut child = Command::new(BINARY)
        .arg("--stdio")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the adapter starts");
    let stdin = child.stdin.take().expect("piped");
    let stdout = child.stdout.take().expect("piped");
    let mut guard = Guard(child);
    let mut client = Client::new(Box::new(stdin), stdout);
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
    let mut child = Command::new(BINARY)
        .args(["--port", "0", "--log"])
        .arg(&log)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the adapter starts");
    let stdout = child.stdout.take().expect("piped");
    let _guard = Guard(child);
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("the adapter prints its port");
    let port: u16 = line
        .trim()
        .strip_prefix("DAP_PORT=")
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("expected DAP_PORT=N, got {line:?}"));
    for _ in 0..2 {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("the adapter accepts");
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .expect("a timeout");
        let reader = stream.try_clone().expect("a second handle");
        let mut client = Client::new(Box::new(stream), reader);
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
