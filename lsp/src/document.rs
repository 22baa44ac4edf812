//! Open documents: the editor's text of each file, kept in step with `didChange` (incremental or
//! full), and the paths they stand for, which the compiler's loader reads through [`Overlay`].

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lsp_types::Uri;
use vitte_compiler::loader::{FileLoader, read_source_file};

use crate::line_index::{LineCol, LineIndex, PositionEncoding};

/// One open document.
#[derive(Clone, Debug)]
pub struct Document {
    /// Its URI as the client sent it.
    pub uri: Uri,
    /// The path the compiler knows it by (normalised).
    pub path: PathBuf,
    /// The client's version.
    pub version: i32,
    /// The current text.
    pub text: String,
}

/// One change: replace `range` (or everything, when `None`) with `text`.
#[derive(Clone, Debug)]
pub struct Change {
    /// Start and end positions.
    pub range: Option<(LineCol, LineCol)>,
    /// The new text.
    pub text: String,
}

impl Document {
    /// Applies changes in order (each range is in the text as left by the previous change). A range
    /// whose end is before its start is read as the empty range at the start.
    pub fn apply(&mut self, changes: &[Change], encoding: PositionEncoding) {
        for change in changes {
            match change.range {
                None => self.text = change.text.clone(),
                Some((start, end)) => {
                    let index = LineIndex::new(&self.text);
                    let start = index.offset(&self.text, start, encoding) as usize;
                    let end = (index.offset(&self.text, end, encoding) as usize).max(start);
                    self.text.replace_range(start..end, &change.text);
                }
            }
        }
    }
}

/// The open documents by path.
pub type Documents = HashMap<PathBuf, Arc<Document>>;

/// Removes `.` components and folds `name/..`, without touching the file system: the loader's own
/// rule for the paths of used files, so documents and loaded files have the same keys.
pub use vitte_compiler::loader::normalise;

/// The compiler's view of files: open documents first, then the file system.
pub struct Overlay<'a>(pub &'a Documents);

impl FileLoader for Overlay<'_> {
    fn read(&self, path: &Path) -> io::Result<String> {
        match self.0.get(&normalise(path)) {
            Some(document) => Ok(document.text.clone()),
            None => read_source_file(path),
        }
    }
}
