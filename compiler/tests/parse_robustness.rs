//! Robustness: the lexer and parser never panic, never loop forever and never overflow the stack, on
//! any input. Thousands of randomly truncated and mutated versions of a realistic source file (from a
//! small deterministic generator, so failures reproduce) are parsed, and every diagnostic is checked
//! to lie inside the text and to read like a diagnostic.

use vitte_compiler::diagnostics::Diagnostic;
use vitte_compiler::parser::{MAX_NESTING, parse_file};
use vitte_compiler::source::FileId;

const SAMPLE: &str = include_str!("parse/sample.vit");

/// SplitMix64: tiny, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Snippets that are likely to confuse a parser.
const PIECES: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ";",
    ",",
    ":",
    ".",
    "..",
    "..=",
    "=>",
    "->",
    "=",
    "==",
    "+=",
    "-",
    "!",
    "?",
    "\"",
    "\\",
    "/*",
    "*/",
    "//",
    "///",
    "\n",
    "case",
    "else",
    "elif",
    "match",
    "if",
    "proc",
    "fn",
    "form",
    "pick",
    "let",
    "set",
    "give",
    "use",
    "export",
    "space",
    "spawn",
    "try",
    "catch",
    "for",
    "in",
    "while",
    "loop",
    "_",
    "x",
    "Point {",
    "9223372036854775808",
    "0x",
    "1e",
    "1.5",
    "\"\\u{",
    "é",
    "@",
    "&",
    "|",
    "\u{0}",
    "\r\n",
];

/// The nearest character boundary at or before `at`.
fn boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut out = text.to_string();
    for _ in 0..=rng.below(4) {
        let a = boundary(&out, rng.below(out.len() + 1));
        let b = boundary(&out, a + rng.below(40));
        match rng.below(6) {
            0 => out.truncate(a),
            1 => out.replace_range(a..b, ""),
            2 => out.insert_str(a, PIECES[rng.below(PIECES.len())]),
            3 => {
                let piece = out[a..b].to_string();
                let at = boundary(&out, rng.below(out.len() + 1));
                out.insert_str(at, &piece);
            }
            4 => {
                let byte = (rng.below(95) as u8 + 32) as char;
                out.insert(a, byte);
            }
            _ => {
                if b < out.len() {
                    let c = out[b..].chars().next().unwrap_or(' ');
                    out.replace_range(b..b + c.len_utf8(), PIECES[rng.below(PIECES.len())]);
                }
            }
        }
    }
    out
}

/// Parses `text` and checks the diagnostics' spans and wording.
fn parse_and_check(text: &str) -> Vec<Diagnostic> {
    let (file, diagnostics) = parse_file(FileId(7), text);
    assert_eq!(file.file, FileId(7));
    for d in &diagnostics {
        assert!(
            d.span.start <= d.span.end && d.span.end as usize <= text.len(),
            "{d:?} in {text:?}"
        );
        assert_eq!(d.span.file, FileId(7));
        assert!(
            !d.message.is_empty() && !d.message.ends_with('.'),
            "{:?}",
            d.message
        );
        assert!(
            !d.message.starts_with(|c: char| c.is_uppercase()),
            "{:?}",
            d.message
        );
    }
    diagnostics
}

#[test]
fn the_sample_parses_without_errors() {
    assert!(parse_and_check(SAMPLE).is_empty());
}

#[test]
fn every_prefix_parses_without_panicking() {
    for end in 0..=SAMPLE.len() {
        if SAMPLE.is_char_boundary(end) {
            parse_and_check(&SAMPLE[..end]);
        }
    }
}

#[test]
fn thousands_of_mutations_parse_without_panicking() {
    let mut rng = Rng(0x5eed_1234);
    for round in 0..4000 {
        let text = mutate(&mut rng, SAMPLE);
        let first = parse_and_check(&text);
        if round % 500 == 0 {
            // Same input, same result.
            assert_eq!(first, parse_and_check(&text));
        }
    }
}

#[test]
fn random_token_soup_parses_without_panicking() {
    let mut rng = Rng(42);
    for _ in 0..2000 {
        let mut text = String::new();
        for _ in 0..rng.below(60) {
            text.push_str(PIECES[rng.below(PIECES.len())]);
            if rng.below(3) == 0 {
                text.push(' ');
            }
        }
        parse_and_check(&text);
    }
}

/// Runs `f` on a thread with a 2 MiB stack, the default size of a spawned thread.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .expect("thread starts")
        .join()
        .expect("no panic");
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    on_small_stack(|| {
        let n = 100_000;
        let cases = [
            format!(
                "proc main() {{ let x = {}1{}; }}",
                "(".repeat(n),
                ")".repeat(n)
            ),
            format!("proc main() {}{}", "{".repeat(n), "}".repeat(n)),
            format!("proc main() {{ {}{} }}", "if x { ".repeat(n), "}".repeat(n)),
            format!("proc main() {{ let x = {}1; }}", "-".repeat(n)),
            format!(
                "proc main() {{ let x = {}1{}; }}",
                "[".repeat(n),
                "]".repeat(n)
            ),
            format!(
                "proc main() {{ let x: {}int{} = 1; }}",
                "[".repeat(n),
                "]".repeat(n)
            ),
            format!("proc main() {{ let x: {}int = null; }}", "?".repeat(n)),
            format!("proc main() {{ let x = a{}; }}", ".b".repeat(n)),
            format!("proc main() {{ let x = 1{}; }}", "+1".repeat(n)),
            format!(
                "proc main() {{ let x = {}1{}; }}",
                "f(".repeat(n),
                ")".repeat(n)
            ),
            format!(
                "proc main() {{ let x = {}1{}; }}",
                "match x { case 1 => ".repeat(n),
                "; }".repeat(n)
            ),
            format!(
                "proc main() {{ let x = {}1{}; }}",
                "P { a: ".repeat(n),
                " }".repeat(n)
            ),
        ];
        for text in cases {
            let diagnostics = parse_and_check(&text);
            assert!(
                diagnostics
                    .iter()
                    .any(|d| d.message.contains("nested too deeply")
                        || d.message.contains("too long")),
                "{:?}",
                diagnostics.first()
            );
        }
    });
}

#[test]
fn nesting_below_the_limit_is_fine() {
    on_small_stack(|| {
        let n = (MAX_NESTING - 8) as usize;
        let text = format!(
            "proc main() {{ let x = {}1{}; }}",
            "(".repeat(n),
            ")".repeat(n)
        );
        assert!(parse_and_check(&text).is_empty());
        let text = format!(
            "proc main() {{ {}{} }}",
            "if x { ".repeat(n / 2),
            "}".repeat(n / 2)
        );
        assert!(parse_and_check(&text).is_empty());
    });
}
