//! Unit tests of the formatter: the layout rules as before/after fixture files, idempotence, syntax
//! errors, and a loop over mutated inputs that checks the formatter never panics.
//!
//! Each `fixtures/NAME.in.vit` is formatted and compared with `fixtures/NAME.out.vit`, which must also
//! be a fixed point of the formatter. Run with `UPDATE_EXPECT=1` to (re)write the `.out.vit` files from
//! the current output, then review the difference.

use std::path::{Path, PathBuf};

use super::{FormatErrorKind, format_source};
use crate::parser::parse_file;
use crate::source::FileId;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src/format/fixtures")
}

/// Every `NAME.in.vit` with its `NAME.out.vit`, sorted by name.
fn fixture_pairs() -> Vec<(PathBuf, PathBuf)> {
    let mut pairs: Vec<(PathBuf, PathBuf)> = std::fs::read_dir(fixtures_dir())
        .expect("the fixtures folder exists")
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter_map(|path| {
            let name = path.file_name()?.to_str()?.to_owned();
            let stem = name.strip_suffix(".in.vit")?;
            let out = path.with_file_name(format!("{stem}.out.vit"));
            Some((path, out))
        })
        .collect();
    pairs.sort();
    pairs
}

/// Formats `text`, which must parse, and checks that the result is a fixed point and still parses.
fn format_ok(text: &str) -> String {
    let formatted = format_source(text).unwrap_or_else(|error| panic!("{error}\n{text}"));
    let again = format_source(&formatted).unwrap_or_else(|error| panic!("{error}\n{formatted}"));
    assert_eq!(again, formatted, "formatting is not idempotent");
    let (_, diagnostics) = parse_file(FileId(0), &formatted);
    assert!(diagnostics.is_empty(), "{diagnostics:?}\n{formatted}");
    formatted
}

#[test]
fn fixtures_format_as_expected() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let pairs = fixture_pairs();
    assert!(pairs.len() >= 8, "fixtures are missing");
    let mut failures = Vec::new();
    for (input, output) in pairs {
        let text = std::fs::read_to_string(&input).expect("fixture is readable");
        let formatted = format_ok(&text);
        if update {
            std::fs::write(&output, &formatted).expect("fixture is writable");
            continue;
        }
        let expected = std::fs::read_to_string(&output).unwrap_or_default();
        if formatted != expected {
            failures.push(format!(
                "{}:\n--- expected\n{expected}--- got\n{formatted}",
                input.display()
            ));
        }
        assert_eq!(
            format_ok(&expected),
            expected,
            "{} is not a fixed point",
            output.display()
        );
    }
    assert!(
        failures.is_empty(),
        "run with UPDATE_EXPECT=1 to accept the new output\n{}",
        failures.join("\n")
    );
}

#[test]
fn small_rules() {
    let cases = [
        ("", ""),
        ("\n\n\n", ""),
        ("// only a comment", "// only a comment\n"),
        ("proc main(){}", "proc main() {}\n"),
        (
            "proc main() {\n\n    let x = 1;\n\n}\n",
            "proc main() {\n    let x = 1;\n}\n",
        ),
        (
            "proc f() -> int { give -x; }",
            "proc f() -> int {\n    give -x;\n}\n",
        ),
        ("proc f() { give; }", "proc f() {\n    give;\n}\n"),
        ("proc f() { x=y; }", "proc f() {\n    x = y;\n}\n"),
        ("proc f() { set x-=1; }", "proc f() {\n    set x -= 1;\n}\n"),
        (
            "proc f() { g(-1, !a, not b); }",
            "proc f() {\n    g(-1, !a, not b);\n}\n",
        ),
        (
            "proc f() { let t = spawn w(c); }",
            "proc f() {\n    let t = spawn w(c);\n}\n",
        ),
        ("proc f(a:[?string]) {}", "proc f(a: [?string]) {}\n"),
        ("form E {}", "form E {}\n"),
        ("form P { x: int, }", "form P { x: int }\n"),
        (
            "const A = -9223372036854775808;",
            "const A = -9223372036854775808;\n",
        ),
        ("proc f() { if (a) { } }", "proc f() {\n    if (a) {}\n}\n"),
        (
            "proc f() { x; /* c */ y; }",
            "proc f() {\n    x; /* c */\n    y;\n}\n",
        ),
        (
            "proc f() {\n    /* c */ y;\n}",
            "proc f() {\n    /* c */ y;\n}\n",
        ),
        (
            "proc f() { g(/* a */ 1 /* b */); }",
            "proc f() {\n    g(/* a */ 1 /* b */);\n}\n",
        ),
        (
            "proc f() { g(a, // c\n) ; }",
            "proc f() {\n    g(a, // c\n    );\n}\n",
        ),
        (
            "proc f() { g(a // c\n) ; }",
            "proc f() {\n    g(a, // c\n    );\n}\n",
        ),
        ("\u{feff}proc f() {}", "\u{feff}proc f() {}\n"),
    ];
    for (input, expected) in cases {
        assert_eq!(format_ok(input), expected, "input: {input:?}");
    }
}

#[test]
fn strings_and_numbers_are_kept_as_written() {
    let text =
        "proc f() {\n    print(\"a  \\t\\u{1F600}\", 0xFF, 1_000, 2.5E3, \"two\nlines  \n\");\n}\n";
    assert_eq!(format_ok(text), text);
}

#[test]
fn syntax_errors_are_reported_with_their_location() {
    let error = format_source("proc main() {\n    let x = ;\n}\n").expect_err("does not parse");
    assert_eq!(error.kind, FormatErrorKind::Syntax);
    assert_eq!((error.line, error.column), (2, 13));
    assert_eq!(error.message, "expected an expression");
    assert_eq!(error.to_string(), "2:13: expected an expression");
    let rendered = error.render("a.vit", "proc main() {\n    let x = ;\n}\n");
    assert!(
        rendered.starts_with("a.vit:2:13: error: expected an expression\n"),
        "{rendered}"
    );

    let error = format_source("proc main() { print(1) }\nproc f( {}").expect_err("does not parse");
    assert!(error.diagnostics.len() >= 2, "{:?}", error.diagnostics);
    let error = format_source("proc main() { let s = \"abc; }").expect_err("does not lex");
    assert_eq!(error.kind, FormatErrorKind::Syntax);
    assert!(format_source("/* unterminated").is_err());
}

/// Every prefix, every one-token deletion and a few insertions of the fixtures: the formatter returns
/// `Ok` (then idempotently) or a syntax error, and never panics or fails its own check.
#[test]
fn mutated_inputs_never_panic() {
    let insertions = [
        "{",
        "}",
        "(",
        ")",
        ",",
        ";",
        "//",
        "/*",
        "\"",
        "-",
        "match x {",
        "\n",
    ];
    let mut checked = 0usize;
    for (input, _) in fixture_pairs() {
        let text = std::fs::read_to_string(&input).expect("fixture is readable");
        let mut cuts: Vec<usize> = text.char_indices().map(|(at, _)| at).collect();
        cuts.push(text.len());
        for (n, &cut) in cuts.iter().enumerate() {
            let variants = [
                text[..cut].to_string(),
                format!(
                    "{}{}",
                    &text[..cut],
                    &text[cuts.get(n + 1).copied().unwrap_or(cut)..]
                ),
                format!(
                    "{}{}{}",
                    &text[..cut],
                    insertions[n % insertions.len()],
                    &text[cut..]
                ),
            ];
            for variant in variants {
                match format_source(&variant) {
                    Ok(formatted) => {
                        let again = format_source(&formatted)
                            .unwrap_or_else(|error| panic!("{error}\n{formatted}"));
                        assert_eq!(again, formatted, "not idempotent for {variant:?}");
                    }
                    Err(error) => {
                        assert_eq!(
                            error.kind,
                            FormatErrorKind::Syntax,
                            "{error} for {variant:?}"
                        )
                    }
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 1000);
}

#[test]
fn deep_and_long_expressions_do_not_overflow() {
    let chain = vec!["1"; 4000].join(" + ");
    let text = format!("proc main() {{ print({chain}); }}");
    let formatted = format_ok(&text);
    assert!(formatted.contains("1 + 1 + 1"));
    let nested = format!(
        "proc main() {{ print({}1{}); }}",
        "(".repeat(100),
        ")".repeat(100)
    );
    format_ok(&nested);
}
