//! Request dispatch: [`RequestDispatcher::on`] matches a request by method, decodes its parameters,
//! and runs the handler on the worker pool against a [`Snapshot`], catching panics. A handler's
//! result, error or panic always becomes exactly one response; the server lives on.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use lsp_server::{ErrorCode, Request, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::main_loop::{MainLoop, Task};
use crate::state::Snapshot;

/// A failed request: a JSON-RPC error code and a message for the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LspError {
    /// The JSON-RPC error code.
    pub code: i32,
    /// What went wrong.
    pub message: String,
}

impl LspError {
    /// The request was valid but cannot be carried out (`RequestFailed`), e.g. an invalid new name.
    pub fn request_failed(message: impl Into<String>) -> LspError {
        LspError {
            code: ErrorCode::RequestFailed as i32,
            message: message.into(),
        }
    }
}

/// What a handler returns.
pub type Result<T> = std::result::Result<T, LspError>;

/// Routes one request to its handler.
pub struct RequestDispatcher<'a> {
    /// The request, until a handler takes it.
    pub request: Option<Request>,
    /// The main loop (state, pool, pending requests).
    pub main_loop: &'a mut MainLoop,
}

impl RequestDispatcher<'_> {
    /// Runs `handler` on the pool if the request is `R`.
    pub fn on<R>(&mut self, handler: fn(&Snapshot, R::Params) -> Result<R::Result>) -> &mut Self
    where
        R: lsp_types::request::Request,
        R::Params: DeserializeOwned + Send + 'static,
        R::Result: Serialize + 'static,
    {
        self.on_method(R::METHOD, handler)
    }

    /// Runs `handler` on the pool if the request's method is `method`.
    pub fn on_method<P, T>(
        &mut self,
        method: &'static str,
        handler: fn(&Snapshot, P) -> Result<T>,
    ) -> &mut Self
    where
        P: DeserializeOwned + Send + 'static,
        T: Serialize + 'static,
    {
        let Some(request) = self.request.take_if(|r| r.method == method) else {
            return self;
        };
        let id = request.id.clone();
        let params: P = match serde_json::from_value(request.params) {
            Ok(params) => params,
            Err(error) => {
                let response = Response::new_err(
                    id,
                    ErrorCode::InvalidParams as i32,
                    format!("invalid parameters for {method}: {error}"),
                );
                self.main_loop.respond(response);
                return self;
            }
        };
        let cancelled = Arc::new(AtomicBool::new(false));
        self.main_loop.register(id.clone(), cancelled.clone());
        let snapshot = self.main_loop.state.snapshot(cancelled);
        let tasks = self.main_loop.task_sender();
        self.main_loop.pool.spawn(move || {
            if snapshot.is_stale() {
                return;
            }
            let outcome = catch_unwind(AssertUnwindSafe(|| handler(&snapshot, params)));
            let response = match outcome {
                Ok(Ok(result)) => Response::new_ok(id, result),
                Ok(Err(error)) => Response::new_err(id, error.code, error.message),
                Err(panic) => Response::new_err(
                    id,
                    ErrorCode::InternalError as i32,
                    format!(
                        "internal error: the {method} handler panicked: {}",
                        panic_message(&panic)
                    ),
                ),
            };
            let _ = tasks.send(Task::Response(response));
        });

        self
    }

    /// Answers a request no handler took with `MethodNotFound`.
    pub fn finish(&mut self) {
        if let Some(request) = self.request.take() {
            let response = Response::new_err(
                request.id,
                ErrorCode::MethodNotFound as i32,
                format!("unknown request {}", request.method),
            );
            self.main_loop.respond(response);
        }
    }
}

/// The text of a panic payload.
pub fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(text) = panic.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = panic.downcast_ref::<String>() {
        text.clone()
    } else {
        "no message".to_string()
    }
}
