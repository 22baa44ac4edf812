//! Conversions from LSP types to the server's and the compiler's: URIs to paths, content changes
//! to [`Change`]s. The only place (with [`crate::to_proto`]) that knows the protocol's
//! representation of URIs; positions go through [`crate::line_index`].

use std::path::PathBuf;

use lsp_types::{TextDocumentContentChangeEvent, Uri};

use crate::document::{Change, normalise};
use crate::line_index::LineCol;

/// The path a document URI stands for: the decoded path of a `file:` URI, else the URI text itself
/// (an `untitled:` buffer; its `use`s resolve from the current folder).
pub fn path(uri: &Uri) -> PathBuf {
    let text = uri.as_str();
    let Some(rest) = text.strip_prefix("file://") else {
        return PathBuf::from(text);
    };
    // Skip the authority (usually empty: `file:///home/…`).
    let path = match rest.find('/') {
        Some(slash) => &rest[slash..],
        None => rest,
    };
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let decoded = percent_decode(path);
    // `/C:/dir` is the Windows path `C:/dir`.
    let bytes = decoded.as_bytes();
    let decoded = if bytes.len() >= 3
        && bytes[0] == b'/'
        && bytes[2] == b':'
        && bytes[1].is_ascii_alphabetic()
    {
        decoded[1..].to_string()
    } else {
        decoded
    };
    normalise(&PathBuf::from(decoded))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(value) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(value);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A content change of `didChange`.
pub fn change(event: TextDocumentContentChangeEvent) -> Change {
    Change {
        range: event
            .range
            .map(|range| (LineCol::from(range.start), LineCol::from(range.end))),
        text: event.text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn file_uris_become_paths() {
        let uri = Uri::from_str("file:///home/me/my%20code/./a.vit").unwrap();
        assert_eq!(path(&uri), PathBuf::from("/home/me/my code/a.vit"));
        let untitled = Uri::from_str("untitled:Untitled-1").unwrap();
        assert_eq!(path(&untitled), PathBuf::from("untitled:Untitled-1"));
    }
}
