//! Parser tests for malformed input: each syntax error is reported once, at a useful place, with a
//! helpful message, and parsing recovers so that later errors are reported too (and later code is
//! still in the tree).

use crate::support::{check, check_errors, check_stmts};
use vitte_compiler::parser::parse_file;
use vitte_compiler::source::{FileId, SourceText};

#[test]
fn missing_semicolon_points_just_after_the_previous_token() {
    check_errors(
        r#"
proc main() {
    let x = 1
    print(x)
    give x
}
"#,
        r#"
3:14: expected ';' after the statement
4:13: expected ';' after the statement
5:11: expected ';' after the statement
"#,
    );
}

#[test]
fn missing_semicolon_keeps_the_next_statement() {
    check_stmts(
        r#"
let x = 1
set x = 2;
"#,
        r#"
let x = 1;
set x = 2;
---
1:10: expected ';' after the statement
"#,
    );
}

#[test]
fn three_separate_errors_give_exactly_three_diagnostics() {
    let text = r#"
proc main() {
    let x = ;
    print("ok");
    let y: = 2;
    print("still ok");
}

proc other() -> int {
    give (1 + );
}

proc fine() { print(1); }
"#;
    let (file, diagnostics) = parse_file(FileId(0), text);
    assert_eq!(diagnostics.len(), 3, "{diagnostics:#?}");
    assert_eq!(file.items.len(), 3);
    check_errors(
        text,
        r#"
3:13: expected an expression
5:12: expected a type
10:15: expected an expression
"#,
    );
}

#[test]
fn recovery_keeps_later_statements_and_items() {
    check(
        r#"
proc main() {
    let a = (1 + ;
    let b = 2;
    foo(1 2, 3);
    print(b);
}
form P { x: int y: int }
proc after() { give; }
"#,
        r#"
proc main() {
    let a = ((1 + <error>));
    let b = 2;
    foo(1, 3);
    print(b);
}
form P {
    x: int,
}
proc after() {
    give;
}
---
3:18: expected an expression
5:11: expected ',' or ')'
8:17: expected ',' or '}'
"#,
    );
}

#[test]
fn expected_messages() {
    check_errors("proc main() { let x = ; }", "1:23: expected an expression");
    check_errors("proc main() { let x: = 1; }", "1:22: expected a type");
    check_errors("proc main() { f(1; }", "1:18: expected ')'");
    check_errors("proc main() { let x = [1, 2; }", "1:28: expected ']'");
    check_errors("proc main() { let x = xs[1; }", "1:27: expected ']'");
    check_errors("proc main() { let x = (1; }", "1:25: expected ')'");
    check_errors(
        "proc main() {\n    print(1);\n",
        "1:13: expected '}' to close this block",
    );
    check_errors("proc main() { let = 1; }", "1:19: expected a name");
    check_errors(
        "proc main() { let match = 1; }",
        "1:19: expected a name, found keyword 'match'",
    );
    check_errors("proc (a: int) {}", "1:6: expected a procedure name");
    check_errors(
        "proc f(a int) {}",
        "1:10: expected ':' and the parameter's type",
    );
    check_errors(
        "proc f() int { give 1; }",
        "1:10: expected '->' before the return type",
    );
    check_errors("proc f { }", "1:8: expected '(' and the parameters");
    check_errors("proc f();", "1:9: expected '{'");
    check_errors(
        "form P ( x: int )",
        "1:8: expected '{' and the form's fields",
    );
    check_errors(
        "form P { x int }",
        "1:12: expected ':' and the field's type",
    );
    check_errors(
        "pick S { case A(x: int, float) }",
        "1:10: a payload is either all named, like (w: float, h: float), or all positional, like (float, float)",
    );
    check_errors(
        "const N: int;",
        "1:13: expected '=' and the constant's value",
    );
    check_errors(
        "print(1);",
        "1:1: expected an item ('proc', 'form', 'pick', 'const' or 'let')",
    );
    check_errors(
        "export use x",
        "1:8: expected an item after 'export', found keyword 'use'",
    );
    check_errors(
        "pub proc f() {}",
        "1:1: 'pub' is not a Vitte keyword; write 'export'",
    );
    check_errors("use", "1:4: expected a file name after 'use'");
    check_errors(
        "use lib/a.vit\nproc main() {}",
        "1:10: write the path without '.vit': 'use lib/strings' loads lib/strings.vit",
    );
    check_errors("use lib/..", "1:11: expected a file name after '..'");
    check_errors(
        "proc f() {}\nspace a/b",
        "2:1: 'space' must be the first declaration of the file",
    );
}

#[test]
fn statement_messages() {
    check_errors(
        "proc main() { if x = 1 { } }",
        "1:20: expected '{' after the condition; write '==' to compare",
    );
    check_errors(
        "proc main() { while x { } else { } }",
        "1:27: 'else' without a matching 'if'",
    );
    check_errors(
        "proc main() { elif x { } }",
        "1:15: 'elif' without a matching 'if'",
    );
    check_errors(
        "proc main() { catch e { } }",
        "1:15: 'catch' without a matching 'try'",
    );
    check_errors(
        "proc main() { case 1 => 2; }",
        "1:15: 'case' outside of a 'match'",
    );
    check_errors(
        "proc main() { for in xs { } }",
        "1:19: expected a loop variable name after 'for', found keyword 'in'",
    );
    check_errors(
        "proc main() { for i xs { } }",
        "1:21: expected 'in' after the loop variable",
    );
    check_errors(
        "proc main() { for i in 0..n print(i); }",
        "1:29: expected '{' after the range",
    );
    check_errors(
        "proc main() { try { } }",
        "1:23: expected 'catch' after the 'try' block",
    );
    check_errors(
        "proc main() { try { } catch { } }",
        "1:29: expected a name for the error after 'catch', like 'catch e'",
    );
    check_errors(
        "proc main() { set x == 1; }",
        "1:21: expected '=' or a compound assignment such as '+=' after the target",
    );
    check_errors(
        "proc main() { set f() = 1; }",
        "1:19: cannot assign to this; the target must be a name, a field or an element",
    );
    check_errors(
        "proc main() { 1 + 2 = 3; }",
        "1:15: cannot assign to this; the target must be a name, a field or an element",
    );
    check_errors(
        "proc main() { let x = 1 2; }",
        "1:24: expected ';' after the statement",
    );
    check_errors("proc main() { break }", "1:20: expected ';' after 'break'");
    check_errors(
        "proc main() { let t = spawn worker; }",
        "1:29: 'spawn' needs a procedure call, like 'spawn worker(c)'",
    );
    check_errors("proc main() { if {} }", "1:18: expected an expression");
    check_errors(
        "proc main() { x++; }",
        "1:17: there is no '++' operator; write 'set x += 1'",
    );
    check_errors(
        "proc main() { for (i = 0; i < n; i++) { } let y = ; }",
        "1:19: a 'for' loop is written 'for i in 0..n { … }' or 'for x in xs { … }'\n1:51: expected an expression",
    );
    check_errors(
        "proc main() { if Point { x: 1 } == p { } }",
        "1:18: a form literal here must be in parentheses, like (Point { x: 1.0 })",
    );
}

#[test]
fn match_messages() {
    check_errors(
        "proc main() { match x { 1 => 2; } }",
        "1:25: expected 'case' or 'else' to start a match arm",
    );
    check_errors(
        "proc main() { match x { case 1 2; } }",
        "1:32: expected '=>' or '{' after the pattern",
    );
    check_errors(
        "proc main() { match x { case 1 => 2 } }",
        "1:36: expected ';' after the match arm",
    );
    check_errors(
        "proc main() { match x { case 1.5 => 2; } }",
        "1:30: expected a pattern: an integer, a string, 'true', 'false', a case name or '_'",
    );
    check_errors(
        "proc main() { match x { case - => 2; } }",
        "1:32: expected an integer after '-'",
    );
    check_errors(
        "proc main() { match x case 1 => 2; }",
        "1:23: expected '{' after the value to match, found keyword 'case'",
    );
    check_errors(
        "proc main() { match x { case 1 => { print(1); } } }",
        "1:32: a match arm that runs statements is written 'case P { … }', without '=>'",
    );
    check_errors(
        "proc main() { let m = match x { case 1 => {1: 2}; else => {}; }; }",
        "",
    );
    check_errors(
        "proc main() { let m = match x { case 1 => {1, 2}; }; }",
        "1:45: expected ':' after the map key (a '{' that starts an expression is a map)",
    );
    // Each bad arm is reported: a new arm ends the previous arm's error.
    check_errors(
        r#"
proc main() {
    match x {
        case 1 => ;
        oops
        case Foo( => 1;
        case 2 => 3;
    }
}
"#,
        r#"
4:19: expected an expression
5:9: expected 'case' or 'else' to start a match arm
6:19: expected ')'
"#,
    );
}

#[test]
fn integer_literal_limits() {
    check_errors(
        "proc main() { let x = 9223372036854775808; }",
        "1:23: integer literal is too large",
    );
    check_errors(
        "proc main() { let x = -(9223372036854775808); }",
        "1:25: integer literal is too large",
    );
    check_errors(
        "proc main() { let x = 18446744073709551616; }",
        "1:23: integer literal is too large",
    );
    check_errors(
        "proc main() { let x = 0x1_0000_0000_0000_0000; }",
        "1:23: integer literal is too large",
    );
    check_errors(
        "proc main() { match x { case 9223372036854775808 => 1; } }",
        "1:30: integer literal is too large",
    );
    check_errors(
        "proc main() { let x = -9223372036854775808; let y = 9223372036854775807; }",
        "",
    );
}

#[test]
fn lexical_errors_are_reported_and_skipped() {
    check(
        r#"
proc main() {
    let s = "bad \q escape";
    let t = @x;
    let u = a & b;
}
"#,
        r#"
proc main() {
    let s = "bad  escape";
    let t = x;
    let u = (a and b);
}
---
3:18: unknown escape sequence '\q'
4:13: unexpected character '@'
5:15: unexpected character '&'; write '&&' or 'and'
"#,
    );
}

#[test]
fn unterminated_string_ends_at_the_end_of_its_line() {
    check(
        r#"
proc main() {
    print("unterminated);
    let after = 1;
}
"#,
        r#"
proc main() {
    print("unterminated);");
    let after = 1;
}
---
3:11: unterminated string
"#,
    );
}

#[test]
fn unterminated_block_comment() {
    check_errors(
        "proc main() { }\n/* one /* two */ three",
        "2:1: unterminated block comment",
    );
}

#[test]
fn unclosed_block_is_reported_once() {
    check_errors(
        r#"
proc main() {
    if x {
        while y {
"#,
        "4:17: expected '}' to close this block",
    );
    check_errors(
        r#"
proc a() {
    let x = 1;

proc b() { }
"#,
        "2:10: expected '}' to close this block",
    );
}

#[test]
fn stray_top_level_tokens_are_skipped_to_the_next_item() {
    check(
        r#"
}
let x = 1;
) ) )
proc main() { }
"#,
        r#"
<error item>
let x = 1;
<error item>
proc main() {}
---
2:1: unexpected '}': no block is open here
4:1: expected an item ('proc', 'form', 'pick', 'const' or 'let')
"#,
    );
}

#[test]
fn rust_style_if_expression_is_one_error() {
    check_errors(
        r#"
proc main() {
    let x = if a {
        1
    } else {
        2
    };
    let y = ;
}
"#,
        r#"
3:13: expected an expression, found keyword 'if'
8:13: expected an expression
"#,
    );
}

#[test]
fn spans_cover_the_whole_statement_and_expressions() {
    let text = "proc main() {\n    let total = a + b * 2;\n    set x += f(1);\n}\n";
    let (file, diagnostics) = parse_file(FileId(0), text);
    assert!(diagnostics.is_empty());
    let source = SourceText::new("t.vit", text);
    let slice = |span: vitte_compiler::source::Span| &text[span.start as usize..span.end as usize];
    let vitte_compiler::ast::ItemKind::Proc(main) = &file.items[0].kind else {
        panic!("not a proc")
    };
    assert_eq!(slice(file.items[0].span), text.trim_end());
    assert_eq!(slice(main.body.stmts[0].span), "let total = a + b * 2;");
    assert_eq!(slice(main.body.stmts[1].span), "set x += f(1);");
    let vitte_compiler::ast::StmtKind::Let {
        value: Some(value),
        name,
        ..
    } = &main.body.stmts[0].kind
    else {
        panic!("not a let")
    };
    assert_eq!(slice(value.span), "a + b * 2");
    assert_eq!(slice(name.span), "total");
    assert_eq!(source.line_col(name.span.start), (2, 9));
}
