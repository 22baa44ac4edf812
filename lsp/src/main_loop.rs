//! The server's main loop, in the rust-analyzer style: one [`Event`] enum fed by one
//! `crossbeam_channel::select!` over the client's messages and the workers' finished tasks.
//!
//! The loop itself only does cheap work: it applies edits to the open documents, answers
//! `shutdown` and `$/cancelRequest`, and hands every other request (and each diagnostics pass) to
//! the worker [`Pool`] with a [`Snapshot`]. So typing is never blocked by a check of the program,
//! and a request cancelled before its handler finished is answered with `RequestCanceled` at once
//! (the handler's late result is dropped).
//!
//! **Architecture Invariant:** the loop never dies of a bad message. A panic while handling a
//! notification is logged and the loop goes on; a panic in a request handler becomes an
//! `InternalError` response (see [`crate::dispatch`]).

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crossbeam_channel::{Receiver, Sender, select, unbounded};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    Cancel, DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument,
    DidOpenTextDocument, DidSaveTextDocument, Notification as _, PublishDiagnostics,
};
use lsp_types::request as req;

use crate::config::Config;
use crate::dispatch::{RequestDispatcher, panic_message};
use crate::document::Document;
use crate::from_proto;
use crate::handlers::{self, FileDiagnostics};
use crate::log::Logger;
use crate::pool::Pool;
use crate::state::{GlobalState, Snapshot};

/// Something the main loop reacts to.
#[derive(Debug)]
pub enum Event {
    /// A message from the client.
    Lsp(Message),
    /// A worker finished something.
    Task(Task),
}

/// What a worker hands back.
#[derive(Debug)]
pub enum Task {
    /// The response to a request.
    Response(Response),
    /// Diagnostics of the open documents, computed at a revision.
    Diagnostics {
        /// The revision they describe.
        revision: u64,
        /// Per document.
        files: Vec<FileDiagnostics>,
    },
}

/// The main loop's state and its connections.
pub struct MainLoop {
    connection: Connection,
    /// Documents, revision, caches.
    pub state: GlobalState,
    /// Where handlers run.
    pub pool: Pool,
    tasks: (Sender<Task>, Receiver<Task>),
    /// Requests handed to the pool and not yet answered, with their cancellation flags.
    pending: HashMap<RequestId, Arc<AtomicBool>>,
    shutdown_requested: bool,
    log: Option<Logger>,
    config: Config,
}

impl MainLoop {
    /// A loop over an initialized connection.
    pub fn new(
        connection: Connection,
        state: GlobalState,
        config: Config,
        log: Option<Logger>,
    ) -> MainLoop {
        MainLoop {
            connection,
            state,
            pool: Pool::new(config.threads),
            tasks: unbounded(),
            pending: HashMap::new(),
            shutdown_requested: false,
            log,
            config,
        }
    }

    /// Runs until `exit` or until the client goes away.
    pub fn run(mut self) {
        loop {
            let event = select! {
                recv(self.connection.receiver) -> message => match message {
                    Ok(message) => Event::Lsp(message),
                    Err(_) => return,
                },
                recv(self.tasks.1) -> task => match task {
                    Ok(task) => Event::Task(task),
                    Err(_) => return,
                },
            };
            if let Event::Lsp(Message::Notification(n)) = &event
                && n.method == "exit"
            {
                self.note("exit");
                // Unanswered handlers may stop early; the pool is joined when the loop is dropped.
                for flag in self.pending.values() {
                    flag.store(true, Ordering::Relaxed);
                }
                return;
            }
            let outcome = catch_unwind(AssertUnwindSafe(|| self.handle_event(event)));
            if let Err(panic) = outcome {
                self.note(&format!(
                    "internal error while handling a message: {}",
                    panic_message(&panic)
                ));
            }
        }
    }

    fn handle_event(&mut self, event: Event) {
        match event {
            Event::Lsp(message) => {
                if let Some(log) = &self.log {
                    log.incoming(&message);
                }
                match message {
                    Message::Request(request) => self.on_request(request),
                    Message::Notification(notification) => self.on_notification(notification),
                    Message::Response(_) => {}
                }
            }
            Event::Task(Task::Response(response)) => {
                if self.pending.remove(&response.id).is_some() {
                    self.send(Message::Response(response));
                }
            }
            Event::Task(Task::Diagnostics { revision, files }) => {
                if revision == self.state.revision {
                    for file in files {
                        self.publish(file);
                    }
                }
            }
        }
    }

    fn on_request(&mut self, request: Request) {
        if self.shutdown_requested {
            let response = Response::new_err(
                request.id,
                ErrorCode::InvalidRequest as i32,
                "the server is shutting down".to_string(),
            );
            return self.respond(response);
        }
        if request.method == "shutdown" {
            self.shutdown_requested = true;
            return self.respond(Response::new_ok(request.id, ()));
        }
        let test_hooks = self.config.test_hooks;
        let mut dispatcher = RequestDispatcher {
            request: Some(request),
            main_loop: self,
        };
        dispatcher
            .on::<req::HoverRequest>(handlers::hover)
            .on::<req::GotoDefinition>(handlers::definition)
            .on::<req::References>(handlers::references)
            .on::<req::DocumentHighlightRequest>(handlers::document_highlight)
            .on::<req::DocumentSymbolRequest>(handlers::document_symbol)
            .on::<req::WorkspaceSymbolRequest>(handlers::workspace_symbol)
            .on::<req::Completion>(handlers::completion)
            .on::<req::SignatureHelpRequest>(handlers::signature_help)
            .on::<req::PrepareRenameRequest>(handlers::prepare_rename)
            .on::<req::Rename>(handlers::rename)
            .on::<req::SemanticTokensFullRequest>(handlers::semantic_tokens_full)
            .on::<req::InlayHintRequest>(handlers::inlay_hint)
            .on::<req::Formatting>(handlers::formatting)
            .on::<req::CodeLensRequest>(handlers::code_lens);
        if test_hooks {
            dispatcher
                .on_method("vitte/testPanic", test_hooks::panic)
                .on_method("vitte/testSleep", test_hooks::sleep)
                .on_method("vitte/documentText", test_hooks::document_text)
                .on_method("vitte/diagnostics", test_hooks::diagnostics);
        }
        dispatcher.finish();
    }

    fn on_notification(&mut self, notification: Notification) {
        match notification.method.as_str() {
            Cancel::METHOD => {
                if let Ok(params) = notification.extract::<lsp_types::CancelParams>(Cancel::METHOD)
                {
                    let id: RequestId = match params.id {
                        lsp_types::NumberOrString::Number(n) => n.into(),
                        lsp_types::NumberOrString::String(s) => s.into(),
                    };
                    if let Some(flag) = self.pending.remove(&id) {
                        flag.store(true, Ordering::Relaxed);
                        let response = Response::new_err(
                            id,
                            ErrorCode::RequestCanceled as i32,
                            "canceled by the client".to_string(),
                        );
                        self.send(Message::Response(response));
                    }
                }
            }
            DidOpenTextDocument::METHOD => {
                if let Ok(params) = notification
                    .extract::<lsp_types::DidOpenTextDocumentParams>(DidOpenTextDocument::METHOD)
                {
                    let item = params.text_document;
                    let path = from_proto::path(&item.uri);
                    let document = Document {
                        uri: item.uri,
                        path: path.clone(),
                        version: item.version,
                        text: item.text,
                    };
                    self.state.documents_mut().insert(path, Arc::new(document));
                    self.edited();
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(params) = notification.extract::<lsp_types::DidChangeTextDocumentParams>(
                    DidChangeTextDocument::METHOD,
                ) {
                    let path = from_proto::path(&params.text_document.uri);
                    let encoding = self.state.encoding;
                    let changes: Vec<_> = params
                        .content_changes
                        .into_iter()
                        .map(from_proto::change)
                        .collect();
                    match self.state.documents_mut().get_mut(&path) {
                        Some(document) => {
                            let document = Arc::make_mut(document);
                            document.apply(&changes, encoding);
                            document.version = params.text_document.version;
                        }
                        None => {
                            self.note(&format!(
                                "didChange for a document that is not open: {}",
                                path.display()
                            ));
                            return;
                        }
                    }
                    self.edited();
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(params) = notification
                    .extract::<lsp_types::DidCloseTextDocumentParams>(DidCloseTextDocument::METHOD)
                {
                    let uri = params.text_document.uri;
                    self.state.documents_mut().remove(&from_proto::path(&uri));
                    let params = lsp_types::PublishDiagnosticsParams::new(uri, Vec::new(), None);
                    self.send(Message::Notification(Notification::new(
                        PublishDiagnostics::METHOD.to_string(),
                        params,
                    )));
                    self.edited();
                }
            }
            DidSaveTextDocument::METHOD | DidChangeWatchedFiles::METHOD => self.edited(),
            _ => {}
        }
    }

    /// After an edit: a new revision, and a diagnostics pass for it.
    fn edited(&mut self) {
        self.state.bump();
        let snapshot = self.state.snapshot(Arc::new(AtomicBool::new(false)));
        let tasks = self.task_sender();
        self.pool.spawn(move || {
            if snapshot.is_outdated() {
                return;
            }
            let outcome = catch_unwind(AssertUnwindSafe(|| handlers::diagnostics(&snapshot)));
            if let Ok(files) = outcome {
                let revision = snapshot.revision;
                let _ = tasks.send(Task::Diagnostics { revision, files });
            }
        });
    }

    fn publish(&self, file: FileDiagnostics) {
        let params = lsp_types::PublishDiagnosticsParams::new(
            file.uri,
            file.diagnostics,
            Some(file.version),
        );
        self.send(Message::Notification(Notification::new(
            PublishDiagnostics::METHOD.to_string(),
            params,
        )));
    }

    /// Records a request handed to the pool.
    pub fn register(&mut self, id: RequestId, cancelled: Arc<AtomicBool>) {
        self.pending.insert(id, cancelled);
    }

    /// Sends a response now.
    pub fn respond(&mut self, response: Response) {
        self.pending.remove(&response.id);
        self.send(Message::Response(response));
    }

    /// Where workers send their results.
    pub fn task_sender(&self) -> Sender<Task> {
        self.tasks.0.clone()
    }

    fn send(&self, message: Message) {
        if let Some(log) = &self.log {
            log.outgoing(&message);
        }
        // A client that went away is noticed by the receiving side of the loop.
        let _ = self.connection.sender.send(message);
    }

    fn note(&self, text: &str) {
        if let Some(log) = &self.log {
            log.note(text);
        }
    }
}

/// Requests that exist only when [`Config::test_hooks`] is set, so that the tests can make a handler
/// panic, keep one busy until it is cancelled, read the server's copy of a document, and get the
/// diagnostics of the current revision without racing the published ones.
mod test_hooks {
    use std::time::{Duration, Instant};

    use super::Snapshot;
    use crate::dispatch::Result;

    /// Panics.
    pub fn panic(_: &Snapshot, _: serde_json::Value) -> Result<()> {
        panic!("the test asked for a panic")
    }

    /// Sleeps up to the given number of milliseconds, stopping early when cancelled.
    pub fn sleep(snapshot: &Snapshot, millis: u64) -> Result<bool> {
        let until = Instant::now() + Duration::from_millis(millis);
        while Instant::now() < until {
            if snapshot.is_stale() {
                return Ok(false);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        Ok(true)
    }

    /// What the diagnostics pass computes for the snapshot: `[{uri, version, diagnostics}]`.
    pub fn diagnostics(snapshot: &Snapshot, _: serde_json::Value) -> Result<serde_json::Value> {
        let files = crate::handlers::diagnostics(snapshot);
        Ok(files
            .into_iter()
            .map(|f| serde_json::json!({ "uri": f.uri, "version": f.version, "diagnostics": f.diagnostics }))
            .collect())
    }

    /// The server's text of a document.
    pub fn document_text(snapshot: &Snapshot, uri: lsp_types::Uri) -> Result<Option<String>> {
        Ok(snapshot.document(&uri).map(|d| d.text.clone()))
    }
}
