//! The `vitte-lsp` binary against a hostile client: bodies that are not JSON or not messages, a
//! body just over the size limit, a `Content-Length` of 20 GB, thousands of requests at once,
//! requests on files that never end, and a client that vanishes. Every bad message is answered
//! (an error response to its id, or a `window/logMessage`), nothing large is allocated, and
//! well-formed requests are still answered; the process always ends.

use std::io::{BufReader, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use serde_json::{Value, json};
use vitte_framing::{MAX_CONTENT_LENGTH, write_frame};

/// How long the test waits for any one message, or for the server to exit.
const TIMEOUT: Duration = Duration::from_secs(30);

/// The binary, its stdin, and its messages read on another thread.
struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: mpsc::Receiver<Message>,
    /// Messages read while waiting for others.
    kept: Vec<Message>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vitte-lsp"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the server starts");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("piped");
        let (tx, messages) = mpsc::channel();
        thread::spawn(move || {
            let mut stdout = BufReader::new(stdout);
            while let Ok(Some(message)) = Message::read(&mut stdout) {
                if tx.send(message).is_err() {
                    return;
                }
            }
        });
        Server {
            child,
            stdin,
            messages,
            kept: Vec::new(),
        }
    }

    /// A server past the handshake.
    fn initialized() -> Server {
        let mut server = Server::start();
        server.send(request(1, "initialize", json!({ "capabilities": {} })));
        server.response(1);
        server.send(notification("initialized", json!({})));
        server
    }

    fn stdin(&mut self) -> &mut ChildStdin {
        self.stdin.as_mut().expect("stdin is open")
    }

    fn send(&mut self, message: Message) {
        message.write(self.stdin()).expect("the server reads");
    }

    fn send_body(&mut self, body: &[u8]) {
        write_frame(self.stdin(), body).expect("the server reads");
    }

    /// The first message, kept or new, that `accept` takes.
    fn wait(&mut self, what: &str, accept: impl Fn(&Message) -> bool) -> Message {
        if let Some(index) = self.kept.iter().position(&accept) {
            return self.kept.remove(index);
        }
        loop {
            match self.messages.recv_timeout(TIMEOUT) {
                Ok(message) if accept(&message) => return message,
                Ok(message) => self.kept.push(message),
                Err(error) => panic!("no {what}: {error}; kept {:?}", self.kept),
            }
        }
    }

    fn response(&mut self, id: i32) -> Response {
        let id = RequestId::from(id);
        match self.wait(
            "response",
            |m| matches!(m, Message::Response(r) if r.id == id),
        ) {
            Message::Response(response) => response,
            _ => unreachable!("only responses are accepted"),
        }
    }

    fn log_message(&mut self, containing: &str) -> String {
        let accept = |m: &Message| {
            matches!(m, Message::Notification(n) if n.method == "window/logMessage"
                && n.params["message"].as_str().is_some_and(|text| text.contains(containing)))
        };
        match self.wait("window/logMessage", accept) {
            Message::Notification(n) => n.params["message"].as_str().unwrap_or("").to_string(),
            _ => unreachable!("only notifications are accepted"),
        }
    }

    /// Shuts the server down politely and checks that it exits with success.
    fn shut_down(mut self) {
        self.send(request(9999, "shutdown", Value::Null));
        self.response(9999);
        self.send(notification("exit", Value::Null));
        assert!(self.exits().success());
    }

    /// Waits for the process to end on its own (its stdin stays open unless taken before).
    fn exits(&mut self) -> ExitStatus {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self
                .child
                .try_wait()
                .expect("the process can be waited for")
            {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// The peak resident memory of the process so far, in KiB (Linux only).
    #[cfg(target_os = "linux")]
    fn peak_memory_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("/proc is readable");
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM is reported")
    }
}

fn request(id: i32, method: &str, params: Value) -> Message {
    Message::Request(Request::new(
        RequestId::from(id),
        method.to_string(),
        params,
    ))
}

fn notification(method: &str, params: Value) -> Message {
    Message::Notification(Notification::new(method.to_string(), params))
}

fn hover(id: i32, uri: &str) -> Message {
    request(
        id,
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 1, "character": 8 } }),
    )
}

const PROGRAM: &str = "proc main() {\n    let answer = 42;\n    print(answer);\n}\n";

fn open_program(server: &mut Server) -> &'static str {
    let uri = "file:///vitte-hostile/main.vit";
    server.send(notification(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "vitte", "version": 1, "text": PROGRAM } }),
    ));
    uri
}

#[test]
fn bad_bodies_are_answered_and_the_session_goes_on() {
    let mut server = Server::initialized();
    let uri = open_program(&mut server);
    server.send_body(b"{not json");
    let logged = server.log_message("not valid JSON");
    assert!(
        logged.starts_with("vitte-lsp: ignored a message:"),
        "{logged}"
    );
    server.send_body(b"[1, 2, 3]");
    server.log_message("not a JSON object");
    server.send_body(br#"{"jsonrpc": "2.0", "id": 7, "method": 42}"#);
    let refused = server.response(7);
    let error = refused.error.expect("an error response");
    assert_eq!(error.code, ErrorCode::InvalidRequest as i32);
    server
        .stdin()
        .write_all(b"Content-Length: many\r\n\r\n")
        .expect("the server reads");
    server.log_message("invalid Content-Length 'many'");
    server.send(hover(8, uri));
    let hovered = server.response(8);
    let text = hovered.result.expect("a hover")["contents"]["value"].to_string();
    assert!(text.contains("answer: int"), "{text}");
    server.shut_down();
}

#[cfg(target_os = "linux")]
#[test]
fn a_body_over_the_limit_is_skipped_without_being_stored() {
    let mut server = Server::initialized();
    let uri = open_program(&mut server);
    let length = MAX_CONTENT_LENGTH + 1;
    let mut stdin = server.stdin.take().expect("stdin is open");
    let writer = thread::spawn(move || {
        write!(stdin, "Content-Length: {length}\r\n\r\n")?;
        let chunk = vec![b' '; 1 << 20];
        let mut left = length;
        while left > 0 {
            let part = left.min(chunk.len());
            stdin.write_all(&chunk[..part])?;
            left -= part;
        }
        stdin.flush()?;
        Ok::<ChildStdin, std::io::Error>(stdin)
    });
    server.log_message("was refused: the limit is");
    server.stdin = Some(
        writer
            .join()
            .expect("the writer ends")
            .expect("the server reads"),
    );
    server.send(hover(2, uri));
    assert!(server.response(2).result.is_some());
    let peak = server.peak_memory_kib();
    assert!(
        peak < (MAX_CONTENT_LENGTH as u64 >> 10),
        "the server's peak memory is {peak} KiB: the body was stored"
    );
    server.shut_down();
}

#[test]
fn a_huge_length_with_a_short_body_ends_with_the_input() {
    let mut server = Server::initialized();
    server
        .stdin()
        .write_all(b"Content-Length: 20000000000\r\n\r\n{\"jsonrpc\": \"2.0\"")
        .expect("the server reads");
    server.stdin = None;
    let status = server.exits();
    server.log_message("a message of 20000000000 bytes was refused");
    assert!(status.success(), "{status}");
}

#[test]
fn thousands_of_requests_at_once_are_all_answered() {
    const REQUESTS: i32 = 2000;
    let mut server = Server::initialized();
    let uri = open_program(&mut server);
    let mut stdin = server.stdin.take().expect("stdin is open");
    let writer = thread::spawn(move || {
        let mut burst = Vec::new();
        for id in 100..100 + REQUESTS {
            hover(id, uri).write(&mut burst)?;
        }
        stdin.write_all(&burst)?;
        stdin.flush()?;
        Ok::<ChildStdin, std::io::Error>(stdin)
    });
    for id in 100..100 + REQUESTS {
        let response = server.response(id);
        assert!(response.error.is_none(), "{response:?}");
    }
    server.stdin = Some(
        writer
            .join()
            .expect("the writer ends")
            .expect("the server reads"),
    );
    server.shut_down();
}

#[cfg(unix)]
#[test]
fn a_request_on_a_file_that_never_ends_is_answered_at_once() {
    let mut server = Server::initialized();
    server.send(hover(2, "file:///dev/zero"));
    // Nothing to show (the file cannot be read as a program), and no error.
    let response = server.response(2);
    assert!(
        response.error.is_none() && response.result.unwrap_or(Value::Null) == Value::Null,
        "answered"
    );
    let uri = open_program(&mut server);
    server.send(hover(3, uri));
    assert!(server.response(3).result.is_some());
    server.shut_down();
}

#[test]
fn a_client_that_vanishes_mid_session_leaves_no_process_behind() {
    let mut server = Server::initialized();
    let uri = open_program(&mut server);
    server.send(hover(2, uri));
    let stdin = server.stdin.take();
    drop(stdin);
    assert!(server.exits().success());
}

#[test]
fn a_client_that_skips_the_handshake_gets_errors_and_the_server_ends() {
    let mut server = Server::start();
    server.send(hover(1, "file:///vitte-hostile/main.vit"));
    let refused = server.response(1);
    assert_eq!(
        refused.error.expect("an error").code,
        ErrorCode::ServerNotInitialized as i32
    );
    server.send(request(2, "initialize", json!({ "capabilities": {} })));
    server.response(2);
    // A request where the `initialized` notification belongs ends the handshake with an error,
    // and the server exits although the client keeps its end open.
    server.send(hover(3, "file:///vitte-hostile/main.vit"));
    let status = server.exits();
    assert_eq!(status.code(), Some(1));
}
