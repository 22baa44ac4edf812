//! The server's state: open documents, the revision counter, the analysis cache, and the
//! [`Snapshot`] a request handler works on while the main loop goes on taking edits.
//!
//! Every edit (open, change, close, save, watched-file change) bumps the revision. An analysis is
//! cached per root file for the revision it was computed at, so the requests that follow an edit
//! share one check of the program; a request on an older snapshot computes (and caches) its own.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use lsp_types::Uri;
use vitte_compiler::analysis::{self, ProgramAnalysis};

use crate::document::{Document, Documents, Overlay, normalise};
use crate::line_index::PositionEncoding;
use crate::{from_proto, to_proto};

/// Analyses by root path, with the revision each was computed at.
#[derive(Default)]
pub struct AnalysisCache {
    entries: Mutex<HashMap<PathBuf, (u64, Arc<ProgramAnalysis>)>>,
}

impl AnalysisCache {
    fn get(&self, path: &Path, revision: u64) -> Option<Arc<ProgramAnalysis>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(path)
            .filter(|(at, _)| *at == revision)
            .map(|(_, analysis)| analysis.clone())
    }

    fn put(&self, path: PathBuf, revision: u64, analysis: Arc<ProgramAnalysis>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.retain(|_, (at, _)| *at >= revision);
        let newer = entries.get(&path).is_some_and(|(at, _)| *at > revision);
        if !newer {
            entries.insert(path, (revision, analysis));
        }
    }
}

/// What a request handler sees: the documents at one revision.
#[derive(Clone)]
pub struct Snapshot {
    /// Open documents by path.
    pub documents: Arc<Documents>,
    /// The revision of `documents`.
    pub revision: u64,
    /// The newest revision (moves on while a handler runs).
    pub latest: Arc<AtomicU64>,
    /// Shared analyses.
    pub cache: Arc<AnalysisCache>,
    /// How positions count.
    pub encoding: PositionEncoding,
    /// Workspace folders (for workspace symbols).
    pub roots: Arc<Vec<PathBuf>>,
    /// Set when the request was cancelled.
    pub cancelled: Arc<AtomicBool>,
}

impl Snapshot {
    /// The analysis of the program rooted at `path`.
    pub fn analysis(&self, path: &Path) -> Arc<ProgramAnalysis> {
        let path = normalise(path);
        if let Some(found) = self.cache.get(&path, self.revision) {
            return found;
        }
        let computed = Arc::new(analysis::analyze(&Overlay(&self.documents), &path));
        self.cache.put(path, self.revision, computed.clone());
        computed
    }

    /// The open document with this URI.
    pub fn document(&self, uri: &Uri) -> Option<Arc<Document>> {
        self.documents.get(&from_proto::path(uri)).cloned()
    }

    /// The URI of a file the compiler knows by `path`: the open document's, else a `file:` URI.
    pub fn uri_of(&self, path: &str) -> Uri {
        let path = normalise(Path::new(path));
        match self.documents.get(&path) {
            Some(document) => document.uri.clone(),
            None => to_proto::uri(&path),
        }
    }

    /// True when the request this snapshot serves was cancelled.
    pub fn is_stale(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    /// True when an edit arrived since the snapshot was taken.
    pub fn is_outdated(&self) -> bool {
        self.latest.load(Ordering::Relaxed) != self.revision
    }
}

/// The main loop's own state.
pub struct GlobalState {
    /// Open documents by path (copied on write while snapshots hold it).
    pub documents: Arc<Documents>,
    /// Bumped on every edit.
    pub revision: u64,
    /// `revision`, readable by handlers.
    pub latest: Arc<AtomicU64>,
    /// Shared analyses.
    pub cache: Arc<AnalysisCache>,
    /// How positions count.
    pub encoding: PositionEncoding,
    /// Workspace folders.
    pub roots: Arc<Vec<PathBuf>>,
}

impl GlobalState {
    /// A state with no documents.
    pub fn new(encoding: PositionEncoding, roots: Vec<PathBuf>) -> GlobalState {
        GlobalState {
            documents: Arc::new(HashMap::new()),
            revision: 0,
            latest: Arc::new(AtomicU64::new(0)),
            cache: Arc::new(AnalysisCache::default()),
            encoding,
            roots: Arc::new(roots),
        }
    }

    /// Records an edit.
    pub fn bump(&mut self) {
        self.revision += 1;
        self.latest.store(self.revision, Ordering::Relaxed);
    }

    /// A snapshot for a handler, with its cancellation flag.
    pub fn snapshot(&self, cancelled: Arc<AtomicBool>) -> Snapshot {
        Snapshot {
            documents: self.documents.clone(),
            revision: self.revision,
            latest: self.latest.clone(),
            cache: self.cache.clone(),
            encoding: self.encoding,
            roots: self.roots.clone(),
            cancelled,
        }
    }

    /// The open documents, for changing them.
    pub fn documents_mut(&mut self) -> &mut Documents {
        Arc::make_mut(&mut self.documents)
    }
}
