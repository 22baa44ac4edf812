//! Lexer tests: every token kind, literal forms, comments, doc comments, and lexical errors (which are
//! reported and skipped, never fatal). Each case renders the tokens as `kind` words, one token per
//! word, and the diagnostics as `LINE:COL: message`.

use vitte_compiler::lexer::{KEYWORDS, TokenKind, keyword, lex};
use vitte_compiler::source::{FileId, SourceText};

/// `Int(42) Plus Ident(x)` etc., then the diagnostics (if any) after `---`.
fn render(text: &str) -> String {
    let (tokens, diagnostics) = lex(FileId(0), text);
    let mut out: Vec<String> = tokens
        .iter()
        .map(|t| match &t.kind {
            TokenKind::Ident(s) => format!("Ident({s})"),
            TokenKind::Str(s) => format!("Str({s:?})"),
            TokenKind::DocComment(s) => format!("Doc({s:?})"),
            kind => match kind.keyword_text().or(kind.punct_text()) {
                Some(text) => text.to_string(),
                None => format!("{kind:?}"),
            },
        })
        .collect();
    let source = SourceText::new("t.vit", text);
    for d in &diagnostics {
        let (line, col) = source.line_col(d.span.start);
        out.push(format!("\n{line}:{col}: {}", d.message));
    }
    out.join(" ").replace(" \n", "\n")
}

#[track_caller]
fn check(text: &str, expected: &str) {
    let actual = render(text);
    assert_eq!(actual.trim(), expected.trim(), "\n--- actual\n{actual}\n");
}

#[test]
fn every_keyword_is_a_keyword() {
    for (word, kind) in KEYWORDS {
        assert_eq!(keyword(word).as_ref(), Some(kind));
        let (tokens, diagnostics) = lex(FileId(0), word);
        assert!(diagnostics.is_empty());
        assert_eq!(&tokens[0].kind, kind);
    }
    assert_eq!(KEYWORDS.len(), 37);
    check(
        "int float string bool void Map Chan main _x x1",
        "Ident(int) Ident(float) Ident(string) Ident(bool) Ident(void) Ident(Map) Ident(Chan) Ident(main) Ident(_x) Ident(x1) Eof",
    );
}

#[test]
fn operators_and_punctuation() {
    check(
        "( ) { } [ ] , ; : . .. ..= -> => + - * / % += -= *= /= %= = == != < <= > >= && || ! ?",
        "( ) { } [ ] , ; : . .. ..= -> => + - * / % += -= *= /= %= = == != < <= > >= && || ! ? Eof",
    );
    check(
        "a.b..c..=d",
        "Ident(a) . Ident(b) .. Ident(c) ..= Ident(d) Eof",
    );
    check("x+=1-->y", "Ident(x) += Int(1) - -> Ident(y) Eof");
}

#[test]
fn int_literals() {
    check(
        "42 1_000_000 0xff 0XFF 0b1010 0 007",
        "Int(42) Int(1000000) Int(255) Int(255) Int(10) Int(0) Int(7) Eof",
    );
    check("9223372036854775807", "Int(9223372036854775807) Eof");
    // 2^63 is kept for the parser, which accepts it only after a unary minus.
    check("9223372036854775808", "Int(9223372036854775808) Eof");
    check(
        "9223372036854775809",
        "Int(0) Eof\n1:1: integer literal is too large",
    );
    check(
        "0xffff_ffff_ffff_ffff",
        "Int(0) Eof\n1:1: integer literal is too large",
    );
    check(
        "99999999999999999999999",
        "Int(0) Eof\n1:1: integer literal is too large",
    );
}

#[test]
fn float_literals_and_ranges() {
    check(
        "3.14 1e-9 2.5E3 1.0 1e10 1_000.5",
        "Float(3.14) Float(1e-9) Float(2500.0) Float(1.0) Float(10000000000.0) Float(1000.5) Eof",
    );
    check("0..n", "Int(0) .. Ident(n) Eof");
    check("0..=10", "Int(0) ..= Int(10) Eof");
    check("1.x", "Int(1) . Ident(x) Eof");
    check("1e999", "Float(0.0) Eof\n1:1: float literal is too large");
}

#[test]
fn malformed_numbers() {
    check("12abc", "Int(0) Eof\n1:1: invalid number literal '12abc'");
    check("0x", "Int(0) Eof\n1:1: invalid number literal '0x'");
    check("0b102", "Int(0) Eof\n1:1: invalid number literal '0b102'");
    check("0xfg", "Int(0) Eof\n1:1: invalid number literal '0xfg'");
}

#[test]
fn string_literals_and_escapes() {
    check(r#""hello""#, r#"Str("hello") Eof"#);
    check(r#""a\n\t\r\\\"\0b""#, r#"Str("a\n\t\r\\\"\0b") Eof"#);
    check(r#""\u{1F600} \u{e9} \u{0}""#, r#"Str("😀 é \0") Eof"#);
    check("\"é ü 日本\"", r#"Str("é ü 日本") Eof"#);
    check("\"two\nlines\"", r#"Str("two\nlines") Eof"#);
}

#[test]
fn string_errors() {
    check(
        r#""a\qb""#,
        "Str(\"ab\") Eof\n1:3: unknown escape sequence '\\q'",
    );
    check(
        r#""\u{D800}""#,
        "Str(\"\") Eof\n1:2: invalid unicode escape '\\u{D800}': not a unicode scalar value",
    );
    check(
        r#""\u{1234567}""#,
        "Str(\"\") Eof\n1:2: invalid unicode escape; write '\\u{' then 1 to 6 hex digits and '}'",
    );
    check(
        r#""\u1234""#,
        "Str(\"1234\") Eof\n1:2: invalid unicode escape; write '\\u{' then 1 to 6 hex digits and '}'",
    );
    check(
        r#""\u{zz}""#,
        "Str(\"\") Eof\n1:2: invalid unicode escape; write '\\u{' then 1 to 6 hex digits and '}'",
    );
    // An unterminated string ends at the end of its line; the next line is lexed normally.
    check(
        "\"abc\nx",
        "Str(\"abc\") Ident(x) Eof\n1:1: unterminated string",
    );
    check(
        "\"abc\\",
        "Str(\"abc\") Eof\n1:1: unterminated string\n1:5: expected an escape character after '\\'",
    );
}

#[test]
fn comments() {
    check("a // line comment\nb", "Ident(a) Ident(b) Eof");
    check("a /* block */ b", "Ident(a) Ident(b) Eof");
    check(
        "a /* outer /* nested */ still comment */ b",
        "Ident(a) Ident(b) Eof",
    );
    check(
        "a /* unterminated /* nested */",
        "Ident(a) Eof\n1:3: unterminated block comment",
    );
    check(
        "/// doc one\n///doc two\n//// not doc\nx",
        r#"Doc("doc one") Doc("doc two") Ident(x) Eof"#,
    );
    check("a/b", "Ident(a) / Ident(b) Eof");
}

#[test]
fn bad_characters_are_reported_and_skipped() {
    check(
        "a @ b",
        "Ident(a) Ident(b) Eof\n1:3: unexpected character '@'",
    );
    check(
        "a @#$ b",
        "Ident(a) Ident(b) Eof\n1:3: unexpected characters '@#$'",
    );
    check(
        "x é y",
        "Ident(x) Ident(y) Eof\n1:3: unexpected character 'é'",
    );
    check(
        "a & b | c",
        "Ident(a) && Ident(b) || Ident(c) Eof\n1:3: unexpected character '&'; write '&&' or 'and'\n1:7: unexpected character '|'; write '||' or 'or'",
    );
    check("\u{feff}x", "Ident(x) Eof");
    check(
        "'abc' x",
        "Str(\"abc\") Ident(x) Eof\n1:1: strings are written with double quotes: \"…\"",
    );
    check(
        "a ' b",
        "Ident(a) Ident(b) Eof\n1:3: unexpected single quote; strings are written with double quotes",
    );
    check(
        "@'a'",
        "Str(\"a\") Eof\n1:1: unexpected character '@'\n1:2: strings are written with double quotes: \"…\"",
    );
}

#[test]
fn spans_are_byte_ranges() {
    let text = "let é = \"ü\";";
    let (tokens, _) = lex(FileId(3), text);
    let slices: Vec<&str> = tokens
        .iter()
        .map(|t| &text[t.span.start as usize..t.span.end as usize])
        .collect();
    assert_eq!(slices, ["let", "=", "\"ü\"", ";", ""]);
    assert!(tokens.iter().all(|t| t.span.file == FileId(3)));
    let (tokens, _) = lex(FileId(0), "ab  cd");
    assert_eq!((tokens[1].span.start, tokens[1].span.end), (4, 6));
    assert_eq!((tokens[2].span.start, tokens[2].span.end), (6, 6));
}
