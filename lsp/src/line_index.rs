//! Byte offsets ⇄ LSP positions (line, character), where a character counts UTF-16 code units (the
//! protocol's default) or bytes (when the client accepts `positionEncoding: "utf-8"`).
//!
//! Positions past the end of a line clamp to the line's end, lines past the end of the text clamp to
//! the end of the text, and a position inside a character (half a surrogate pair) snaps to the
//! character's start: a client with a stale or wrong position never makes the server panic.
//!
//! [`Lines`] is the one place protocol positions and byte offsets are converted, both ways.

use lsp_types as lsp;

/// How the `character` of a position counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PositionEncoding {
    /// UTF-16 code units (the protocol default).
    Utf16,
    /// Bytes of UTF-8.
    Utf8,
}

/// A line/character position, both 0-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    /// 0-based line.
    pub line: u32,
    /// 0-based character in the chosen encoding.
    pub col: u32,
}

impl From<lsp::Position> for LineCol {
    fn from(position: lsp::Position) -> LineCol {
        LineCol {
            line: position.line,
            col: position.character,
        }
    }
}

/// The line starts of one text.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<u32>,
    len: u32,
}

impl LineIndex {
    /// Indexes `text`'s lines (a line ends after `\n`; `\r\n` keeps its `\r` on the line).
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i as u32 + 1));
        LineIndex {
            starts,
            len: text.len() as u32,
        }
    }

    /// The position of byte `offset` of `text` (the text this index was built from).
    pub fn position(&self, text: &str, offset: u32, encoding: PositionEncoding) -> LineCol {
        let offset = offset.min(self.len);
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line] as usize;
        let mut end = offset as usize;
        while end > start && !text.is_char_boundary(end) {
            end -= 1;
        }
        let col = match encoding {
            PositionEncoding::Utf8 => (end - start) as u32,
            PositionEncoding::Utf16 => text[start..end].encode_utf16().count() as u32,
        };
        LineCol {
            line: line as u32,
            col,
        }
    }

    /// The byte offset in `text` of a position, clamped as the module documentation says.
    pub fn offset(&self, text: &str, position: LineCol, encoding: PositionEncoding) -> u32 {
        let Some(&start) = self.starts.get(position.line as usize) else {
            return self.len;
        };
        let end = self
            .starts
            .get(position.line as usize + 1)
            .map_or(self.len, |&next| next - 1);
        let line = &text[start as usize..end as usize];
        let line = line.strip_suffix('\r').unwrap_or(line);
        let mut units = 0u32;
        for (index, c) in line.char_indices() {
            let width = match encoding {
                PositionEncoding::Utf8 => c.len_utf8() as u32,
                PositionEncoding::Utf16 => c.len_utf16() as u32,
            };
            if units + width > position.col {
                return start + index as u32;
            }
            units += width;
        }
        start + line.len() as u32
    }

    /// The number of lines (a text ending in `\n` has an empty last line).
    pub fn line_count(&self) -> u32 {
        self.starts.len() as u32
    }
}

/// Positions in one text.
pub struct Lines<'a> {
    text: &'a str,
    index: LineIndex,
    encoding: PositionEncoding,
}

impl<'a> Lines<'a> {
    /// Indexes `text` for conversions in `encoding`.
    pub fn new(text: &'a str, encoding: PositionEncoding) -> Lines<'a> {
        Lines {
            text,
            index: LineIndex::new(text),
            encoding,
        }
    }

    /// The position of a byte offset.
    pub fn position(&self, offset: u32) -> lsp::Position {
        let at = self.index.position(self.text, offset, self.encoding);
        lsp::Position::new(at.line, at.col)
    }

    /// The range of a byte range.
    pub fn range(&self, start: u32, end: u32) -> lsp::Range {
        lsp::Range::new(self.position(start), self.position(end.max(start)))
    }

    /// The byte offset of a position.
    pub fn offset(&self, position: lsp::Position) -> u32 {
        self.index
            .offset(self.text, LineCol::from(position), self.encoding)
    }

    /// The text.
    pub fn text(&self) -> &'a str {
        self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_and_utf8_columns() {
        let text = "aé😀b\nx\r\ny";
        let index = LineIndex::new(text);
        let b = text.find('b').unwrap() as u32;
        let utf16 = index.position(text, b, PositionEncoding::Utf16);
        assert_eq!(utf16, LineCol { line: 0, col: 4 });
        let utf8 = index.position(text, b, PositionEncoding::Utf8);
        assert_eq!(utf8, LineCol { line: 0, col: 7 });
        assert_eq!(index.offset(text, utf16, PositionEncoding::Utf16), b);
        assert_eq!(index.offset(text, utf8, PositionEncoding::Utf8), b);
        // Inside the surrogate pair: snaps to the emoji's start.
        let emoji = text.find('😀').unwrap() as u32;
        let inside = LineCol { line: 0, col: 3 };
        assert_eq!(index.offset(text, inside, PositionEncoding::Utf16), emoji);
        // Past the end of a line (before its \r\n) and past the last line.
        let past = LineCol { line: 1, col: 40 };
        assert_eq!(index.offset(text, past, PositionEncoding::Utf16), 10);
        let beyond = LineCol { line: 9, col: 0 };
        assert_eq!(
            index.offset(text, beyond, PositionEncoding::Utf16),
            text.len() as u32
        );
    }
}
