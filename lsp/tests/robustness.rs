//! A half-typed file never brings the server down: thousands of random edits (deletions, insertions
//! of random tokens and characters, including multi-byte ones) go through `didChange`, with
//! requests at random positions in between; the server keeps answering every request, keeps its
//! text equal to the client's, and still publishes diagnostics at the end.

use crate::common::{TestServer, offset, position, uri};
use serde_json::{Value, json};

/// A small deterministic generator (xorshift64*), so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// `RequestFailed`: the request was understood but cannot be carried out.
const REQUEST_FAILED: i32 = -32803;

const START: &str = r#"use util
/// A point.
form Point { x: float, y: float }
pick Shape { case Circle(r: float), case Empty }
const LIMIT: int = 3;
proc area(s: Shape) -> float {
    match s {
        case Circle(r) => 3.14 * r * r;
        case Empty => 0.0;
    }
}
proc main() -> int {
    let p = Point { x: 1.0, y: 2.0 };
    let names = ["é", "😀"];
    for i in 0..LIMIT { print(p.x + area(Shape.Circle(float(i)))); }
    match Shape.Empty { case Circle(r) { print(r); } else {} }
    try { throw "x"; } catch e { print(e); }
    give util.twice(2);
}
"#;

const TOKENS: &[&str] = &[
    "proc ", "fn ", "let ", "set ", "give ", "match ", "case ", "if ", "elif ", "else ", "while ",
    "for ", " in ", "..", "..=", "{", "}", "(", ")", "[", "]", ",", ";", ":", ".", "=", "==", "=>",
    "->", "+", "-", "*", "/", "%", "and ", "or ", "not ", "?", "\"", "\"text\"", "'", "1", "2.5",
    "1e9", "0x", "x", "p", "Point", "Shape", "Circle", "util", "util.", "twice", "print", "len(",
    "é", "😀", "\n", " ", "//", "/*", "*/", "///", "\\", "spawn ", "try ", "catch ", "use ",
];

#[test]
fn thousands_of_random_edits() {
    let mut server = TestServer::start();
    let main = uri("main.vit");
    let util = uri("util.vit");
    server.open(&util, "proc twice(n: int) -> int { give n * 2; }\n");
    server.open(&main, START);
    let mut text = START.to_string();
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let methods = [
        "textDocument/hover",
        "textDocument/completion",
        "textDocument/definition",
        "textDocument/documentHighlight",
        "textDocument/signatureHelp",
        "textDocument/references",
        "textDocument/prepareRename",
        "textDocument/semanticTokens/full",
        "textDocument/documentSymbol",
        "textDocument/inlayHint",
        "textDocument/codeLens",
    ];
    let edits = 3000;
    let mut pending = Vec::new();
    let mut answered = 0;
    for version in 2..(2 + edits) {
        // A random range (often empty), as UTF-16 positions of the current text.
        let chars: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
        let a = chars[rng.below(chars.len())];
        let b = if rng.below(2) == 0 {
            a
        } else {
            chars[rng.below(chars.len())]
        };
        let (start, end) = (a.min(b), a.max(b).min(a.min(b) + 8));
        let end = *chars.iter().find(|&&c| c >= end).unwrap_or(&text.len());
        let insert: String = match rng.below(4) {
            0 => String::new(),
            _ => (0..1 + rng.below(3))
                .map(|_| TOKENS[rng.below(TOKENS.len())])
                .collect(),
        };
        let range = json!({ "start": position(&text, start), "end": position(&text, end) });
        server.change(&main, version, json!([{ "range": range, "text": insert }]));
        text.replace_range(start..end, &insert);
        // Keep the file between a fragment of a program and a few copies of one.
        if text.len() > 4000 || text.len() < 200 {
            text = START.to_string();
            server.change(&main, version, json!([{ "text": START }]));
        }
        if version % 7 == 0 {
            let boundaries: Vec<usize> = text
                .char_indices()
                .map(|(i, _)| i)
                .chain([text.len()])
                .collect();
            let at = boundaries[rng.below(boundaries.len())];
            assert_eq!(offset(&text, position(&text, at)), at);
            let method = methods[rng.below(methods.len())];
            let mut params = json!({
                "textDocument": { "uri": main },
                "position": position(&text, at),
                "range": { "start": { "line": 0, "character": 0 }, "end": position(&text, text.len()) },
            });
            if method == "textDocument/references" {
                params["context"] = json!({ "includeDeclaration": true });
            }
            pending.push((method, server.send_request(method, params)));
        }
        if pending.len() >= 16 {
            for (method, id) in pending.drain(..) {
                let response = server.wait_response(&id);
                // A request may fail for the user's reasons (nothing to rename here), never for
                // the server's.
                if let Some(error) = response.error.filter(|e| e.code != REQUEST_FAILED) {
                    panic!(
                        "{method} failed after edit {version}: {}\ntext:\n{text}",
                        error.message
                    );
                }
                answered += 1;
            }
        }
    }
    for (method, id) in pending.drain(..) {
        let response = server.wait_response(&id);
        let error = response.error.filter(|e| e.code != REQUEST_FAILED);
        assert!(error.is_none(), "{method} failed: {error:?}");
        answered += 1;
    }
    assert_eq!(answered, edits / 7);
    assert_eq!(server.document_text(&main).as_deref(), Some(text.as_str()));
    // Still alive and still checking: make the file valid again and expect no error.
    let version = 2 + edits;
    server.change(&main, version, json!([{ "text": START }]));
    let diagnostics = server.diagnostics(&main, version);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let hover = server.request_raw(
        "textDocument/hover",
        json!({ "textDocument": { "uri": main }, "position": { "line": 5, "character": 6 } }),
    );
    assert_eq!(
        hover.result.unwrap_or(Value::Null)["contents"]["value"],
        json!("```vitte\nproc area(s: Shape) -> float\n```")
    );
    server.shutdown();
}
