//! The `--log FILE` trace: every message in and out, and the server's own notes, one per line.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use lsp_server::Message;

/// A shared, append-only log file.
#[derive(Clone)]
pub struct Logger {
    file: Arc<Mutex<File>>,
    start: Instant,
}

impl Logger {
    /// Creates (truncates) the log file.
    ///
    /// # Errors
    /// The file cannot be created.
    pub fn create(path: &Path) -> io::Result<Logger> {
        Ok(Logger {
            file: Arc::new(Mutex::new(File::create(path)?)),
            start: Instant::now(),
        })
    }

    fn line(&self, tag: &str, text: &str) {
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        let elapsed = self.start.elapsed().as_secs_f64();
        let _ = writeln!(file, "[{elapsed:10.3}] {tag} {text}");
        let _ = file.flush();
    }

    /// A message from the client.
    pub fn incoming(&self, message: &Message) {
        self.line("<--", &serde_json::to_string(message).unwrap_or_default());
    }

    /// A message to the client.
    pub fn outgoing(&self, message: &Message) {
        self.line("-->", &serde_json::to_string(message).unwrap_or_default());
    }

    /// A note of the server's.
    pub fn note(&self, text: &str) {
        self.line("---", text);
    }
}
