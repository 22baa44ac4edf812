//! The test harness: a server in-process over `lsp_server::Connection::memory()`, a client that sends
//! requests and notifications and waits for answers, fixtures (files with a `$0` cursor, several
//! files separated by `//- name.vit` lines, options as `//@ key: value` comment lines) and a runner
//! that checks every fixture of a feature against its `.expect` snapshot (`UPDATE_EXPECT=1`
//! rewrites them).

#![allow(dead_code)]

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::thread::JoinHandle;
use std::time::Duration;

use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types::{Position, Range, Uri};
use serde_json::{Value, json};
use vitte_lsp::Config;

/// How long a test waits for any one message before failing.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// The folder fixture files pretend to live in (they are served from open documents, never read).
pub const ROOT: &str = "/vitte-fixture";

/// A running server and the client end of its connection.
pub struct TestServer {
    client: Connection,
    thread: Option<JoinHandle<()>>,
    next_id: i32,
    /// Notifications received while waiting for something else.
    pub notifications: VecDeque<Notification>,
    /// Responses received while waiting for another one.
    responses: Vec<Response>,
    /// The `initialize` result.
    pub initialize_result: Value,
}

impl TestServer {
    /// A server initialized with no client capabilities (UTF-16 positions), workspace [`ROOT`].
    pub fn start() -> TestServer {
        TestServer::start_with(json!({
            "processId": null,
            "rootUri": format!("file://{ROOT}"),
            "capabilities": {},
        }))
    }

    /// A server initialized with these `initialize` parameters.
    pub fn start_with(params: Value) -> TestServer {
        let (server, client) = Connection::memory();
        let config = Config {
            threads: 2,
            test_hooks: true,
        };
        let thread = std::thread::spawn(move || {
            vitte_lsp::run_server(server, config, None).expect("the handshake succeeds");
        });
        let mut test = TestServer {
            client,
            thread: Some(thread),
            next_id: 0,
            notifications: VecDeque::new(),
            responses: Vec::new(),
            initialize_result: Value::Null,
        };
        let response = test.request_raw("initialize", params);
        test.initialize_result = response.result.expect("initialize succeeds");
        test.notify_raw("initialized", json!({}));
        test
    }

    /// Sends a request and waits for its response.
    pub fn request_raw(&mut self, method: &str, params: Value) -> Response {
        let id = self.send_request(method, params);
        self.wait_response(&id)
    }

    /// Sends a request without waiting; returns its id.
    pub fn send_request(&mut self, method: &str, params: Value) -> RequestId {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        let request = Request::new(id.clone(), method.to_string(), params);
        self.client
            .sender
            .send(Message::Request(request))
            .expect("the server is running");
        id
    }

    /// Waits for the response to request `id`, keeping notifications that arrive meanwhile.
    pub fn wait_response(&mut self, id: &RequestId) -> Response {
        if let Some(index) = self.responses.iter().position(|r| &r.id == id) {
            return self.responses.remove(index);
        }
        loop {
            match self.client.receiver.recv_timeout(TIMEOUT) {
                Ok(Message::Response(response)) if &response.id == id => return response,
                Ok(Message::Response(response)) => self.responses.push(response),
                Ok(Message::Notification(notification)) => {
                    self.notifications.push_back(notification)
                }
                Ok(Message::Request(_)) => {}
                Err(error) => panic!("no response to request {id:?}: {error}"),
            }
        }
    }

    /// Sends a typed request and returns its result (panics on an error response).
    pub fn request<R: lsp_types::request::Request>(&mut self, params: R::Params) -> R::Result {
        let response = self.request_raw(R::METHOD, serde_json::to_value(params).unwrap());
        if let Some(error) = response.error {
            panic!("{} failed: {} ({})", R::METHOD, error.message, error.code);
        }
        serde_json::from_value(response.result.unwrap_or(Value::Null)).expect("a valid result")
    }

    /// Sends a notification.
    pub fn notify_raw(&mut self, method: &str, params: Value) {
        let notification = Notification::new(method.to_string(), params);
        self.client
            .sender
            .send(Message::Notification(notification))
            .expect("the server is running");
    }

    /// Opens a document.
    pub fn open(&mut self, uri: &Uri, text: &str) {
        self.notify_raw(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "vitte", "version": 1, "text": text } }),
        );
    }

    /// Sends `didChange` with these content changes (each `{range, text}` or `{text}`).
    pub fn change(&mut self, uri: &Uri, version: i32, changes: Value) {
        self.notify_raw(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": changes }),
        );
    }

    /// Waits for the diagnostics of `uri` at `version`; returns them.
    pub fn diagnostics(&mut self, uri: &Uri, version: i32) -> Vec<lsp_types::Diagnostic> {
        let matches = |n: &Notification| {
            n.method == "textDocument/publishDiagnostics"
                && n.params["uri"] == json!(uri)
                && n.params["version"] == json!(version)
        };
        loop {
            if let Some(index) = self.notifications.iter().position(&matches) {
                let found = self.notifications.remove(index).expect("present");
                // Drop the older ones of the same file.
                self.notifications.retain(|n| {
                    !(n.method == "textDocument/publishDiagnostics"
                        && n.params["uri"] == json!(uri))
                });
                return serde_json::from_value(found.params["diagnostics"].clone())
                    .expect("diagnostics");
            }
            match self.client.receiver.recv_timeout(TIMEOUT) {
                Ok(Message::Notification(notification)) => {
                    self.notifications.push_back(notification)
                }
                Ok(_) => {}
                Err(error) => panic!("no diagnostics for {} v{version}: {error}", uri.as_str()),
            }
        }
    }

    /// The server's copy of a document's text (a test hook).
    pub fn document_text(&mut self, uri: &Uri) -> Option<String> {
        let response = self.request_raw("vitte/documentText", json!(uri));
        serde_json::from_value(response.result.unwrap_or(Value::Null)).unwrap()
    }

    /// `shutdown` then `exit`; waits for the server thread to end.
    pub fn shutdown(mut self) {
        let response = self.request_raw("shutdown", Value::Null);
        assert!(response.error.is_none(), "shutdown succeeds");
        self.notify_raw("exit", Value::Null);
        if let Some(thread) = self.thread.take() {
            thread.join().expect("the server thread ends cleanly");
        }
    }
}

/// The URI of a fixture file.
pub fn uri(name: &str) -> Uri {
    Uri::from_str(&format!("file://{ROOT}/{name}")).expect("a valid URI")
}

/// A parsed fixture.
pub struct Fixture {
    /// `(file name, text)` in order; the first file is the main one.
    pub files: Vec<(String, String)>,
    /// The file and byte offset of the `$0` cursor, if any.
    pub cursor: Option<(String, usize)>,
    /// `//@ key: value` options.
    pub options: Vec<(String, String)>,
}

impl Fixture {
    /// Parses fixture text (see the module documentation).
    pub fn parse(text: &str) -> Fixture {
        let mut files: Vec<(String, String)> = Vec::new();
        let mut options = Vec::new();
        for line in text.split_inclusive('\n') {
            if let Some(name) = line.strip_prefix("//- ") {
                files.push((name.trim().to_string(), String::new()));
                continue;
            }
            if let Some(option) = line.strip_prefix("//@ ")
                && let Some((key, value)) = option.split_once(':')
            {
                options.push((key.trim().to_string(), value.trim().to_string()));
            }
            if files.is_empty() {
                files.push(("main.vit".to_string(), String::new()));
            }
            if let Some(last) = files.last_mut() {
                last.1.push_str(line);
            }
        }
        let mut cursor = None;
        for (name, text) in &mut files {
            if let Some(at) = text.find("$0") {
                text.replace_range(at..at + 2, "");
                cursor = Some((name.clone(), at));
            }
        }
        Fixture {
            files,
            cursor,
            options,
        }
    }

    /// The value of option `key`.
    pub fn option(&self, key: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The text of file `name`.
    pub fn text(&self, name: &str) -> &str {
        self.files
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, t)| t.as_str())
    }

    /// The main file's name.
    pub fn main(&self) -> &str {
        &self.files[0].0
    }

    /// The cursor as `{textDocument, position}` (UTF-16 positions).
    pub fn cursor_params(&self) -> Value {
        let (name, offset) = self.cursor.as_ref().expect("the fixture has a $0 cursor");
        json!({ "textDocument": { "uri": uri(name) }, "position": position(self.text(name), *offset) })
    }

    /// Opens every file of the fixture.
    pub fn open_all(&self, server: &mut TestServer) {
        for (name, text) in &self.files {
            server.open(&uri(name), text);
        }
    }

    /// The file name of a fixture URI.
    pub fn name_of(uri: &Uri) -> String {
        uri.as_str()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string()
    }

    /// `name:L:C-L:C` (1-based) and the text of the range, for snapshots.
    pub fn show_range(&self, uri: &Uri, range: Range) -> String {
        let name = Fixture::name_of(uri);
        let text = self.text(&name);
        let start = offset(text, range.start);
        let end = offset(text, range.end);
        format!(
            "{name}:{}:{}-{}:{} `{}`",
            range.start.line + 1,
            range.start.character + 1,
            range.end.line + 1,
            range.end.character + 1,
            text.get(start..end).unwrap_or("?").replace('\n', "\\n")
        )
    }
}

/// The UTF-16 position of a byte offset.
pub fn position(text: &str, offset: usize) -> Position {
    let before = &text[..offset];
    let line = before.matches('\n').count() as u32;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let character = before[line_start..].encode_utf16().count() as u32;
    Position::new(line, character)
}

/// The byte offset of a UTF-16 position.
pub fn offset(text: &str, position: Position) -> usize {
    let mut line_start = 0;
    for _ in 0..position.line {
        match text[line_start..].find('\n') {
            Some(i) => line_start += i + 1,
            None => return text.len(),
        }
    }
    let mut units = 0;
    for (i, c) in text[line_start..].char_indices() {
        if units >= position.character as usize || c == '\n' {
            return line_start + i;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// The fixtures folder of a feature.
pub fn fixtures_dir(feature: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(feature)
}

/// Runs `render` on every `*.vit` fixture of `feature` (each with a fresh server that has every
/// fixture file open) and checks the output against `NAME.expect` next to it. All mismatches are
/// reported together. Returns the number of fixtures checked.
pub fn check_fixtures(
    feature: &str,
    render: impl Fn(&mut TestServer, &Fixture) -> String,
) -> usize {
    let dir = fixtures_dir(feature);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "vit"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no fixtures in {}", dir.display());
    let mut failures = Vec::new();
    for path in &paths {
        let text = std::fs::read_to_string(path).expect("a readable fixture");
        let fixture = Fixture::parse(&text);
        let mut server = TestServer::start();
        fixture.open_all(&mut server);
        let actual = render(&mut server, &fixture);
        server.shutdown();
        let expect = expect_test::expect_file![path.with_extension("expect")];
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| expect.assert_eq(&actual)));
        if outcome.is_err() {
            failures.push(path.display().to_string());
        }
    }
    assert!(failures.is_empty(), "snapshot mismatches: {failures:#?}");
    paths.len()
}
