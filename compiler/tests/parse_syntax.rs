//! Parser tests for well-formed input: every item, statement and expression form, both spellings,
//! precedence, literals, types, patterns and doc comments. Each case is a source snippet and the
//! expected rendering of its tree (see `parse/support.rs` for the rendering).

use crate::support::{check, check_expr, check_stmts};

#[test]
fn hello_in_both_spellings() {
    check(
        r#"
fn main() {
    print("Hello from Vitte VM!");
}
"#,
        r#"
proc main() {
    print("Hello from Vitte VM!");
}
"#,
    );
    check(
        r#"
space demo/hello

proc main() -> int {
    let greeting: string = "Hello";
    print(greeting + " from Vitte VM!");
    give 0;
}
"#,
        r#"
space demo/hello
proc main() -> int {
    let greeting: string = "Hello";
    print((greeting + " from Vitte VM!"));
    give 0;
}
"#,
    );
}

#[test]
fn space_and_uses() {
    check(
        r#"
space geometry/shapes
use util
use lib/strings as s;
use ../common/io
"#,
        r#"
space geometry/shapes
use util
use lib/strings as s
use ../common/io
"#,
    );
}

#[test]
fn consts_and_globals() {
    check(
        r#"
const LIMIT: int = 100;
const NAME = "x";
let counter: int = 0;
let mut names: [string] = [];
let total: float;
"#,
        r#"
const LIMIT: int = 100;
const NAME = "x";
let counter: int = 0;
let mut names: [string] = [];
let total: float;
"#,
    );
}

#[test]
fn forms_in_both_spellings() {
    check(
        r#"
form Point { x: float, y: float }
struct Pair {
    first: int,
    second: ?string,
}
form Empty {}
"#,
        r#"
form Point {
    x: float,
    y: float,
}
form Pair {
    first: int,
    second: ?string,
}
form Empty {}
"#,
    );
}

#[test]
fn picks_in_both_spellings() {
    check(
        r#"
pick Shape {
    case Circle(r: float),
    case Rect(w: float, h: float),
    case Empty,
}
enum Token { Num(int), Pair(string, [int]), End }
"#,
        r#"
pick Shape {
    case Circle(r: float),
    case Rect(w: float, h: float),
    case Empty,
}
pick Token {
    case Num(0: int),
    case Pair(0: string, 1: [int]),
    case End,
}
"#,
    );
}

#[test]
fn procedures_in_both_spellings() {
    check(
        r#"
proc area(s: Shape) -> float {
    match s {
        case Circle(r) { give 3.141592653589793 * r * r; }
        case Rect(w, h) => w * h;
        case Empty => 0.0;
    }
}
fn add(a: i64, b: i64,) -> i64 { return a + b; }
export proc worker(c: Chan[int], n: int) { for i in 0..n { send(c, i); } }
proc lookup(m: Map[string, [geo.Point]]) -> ?geo.Point { give null; }
"#,
        r#"
proc area(s: Shape) -> float {
    match s {
        case Circle(r) {
            give ((3.141592653589793 * r) * r);
        }
        case Rect(w, h) => (w * h);
        case Empty => 0.0;
    };
}
proc add(a: i64, b: i64) -> i64 {
    give (a + b);
}
export proc worker(c: Chan[int], n: int) {
    for i in 0..n {
        send(c, i);
    }
}
proc lookup(m: Map[string, [geo.Point]]) -> ?geo.Point {
    give null;
}
"#,
    );
}

#[test]
fn doc_comments_attach_to_items_fields_and_cases() {
    check(
        r#"
/// A point.
/// In two dimensions.
export form Point {
    /// Horizontal.
    x: float,
    //// not a doc comment
    y: float,
}
/// Shapes.
pick Shape {
    /// Round.
    case Circle(r: float),
    Empty,
}
/// Entry point.
proc main() {
    /// ignored before a statement
    give;
}
"#,
        r#"
/// A point.
/// In two dimensions.
export form Point {
    /// Horizontal.
    x: float,
    y: float,
}
/// Shapes.
pick Shape {
    /// Round.
    case Circle(r: float),
    case Empty,
}
/// Entry point.
proc main() {
    give;
}
"#,
    );
}

#[test]
fn let_and_assignment_statements() {
    check_stmts(
        r#"
let x = 1;
let y: int = 2;
let mut z = 3;
let w: string;
set x = x + 1;
x = x + 1;
set x += 2;
x -= 1;
set x *= 3;
set x /= 4;
x %= 5;
set p.x = 3.0;
set xs[0] = 7;
m["k"] = 1;
set a.b[1].c += 1;
"#,
        r#"
let x = 1;
let y: int = 2;
let mut z = 3;
let w: string;
set x = (x + 1);
set x = (x + 1);
set x += 2;
set x -= 1;
set x *= 3;
set x /= 4;
set x %= 5;
set p.x = 3.0;
set xs[0] = 7;
set m["k"] = 1;
set a.b[1].c += 1;
"#,
    );
}

#[test]
fn if_elif_else_in_both_spellings() {
    check_stmts(
        r#"
if a < b { f(); } elif a == b { g(); } else { h(); }
if a { } else if b { } else if c { } else { }
if x { }
"#,
        r#"
if (a < b) {
    f();
} elif (a == b) {
    g();
} else {
    h();
}
if a {} elif b {} elif c {} else {}
if x {}
"#,
    );
}

#[test]
fn loops() {
    check_stmts(
        r#"
while i < 10 { set i += 1; }
loop { break; }
for i in 0..n { continue; }
for i in 1..=len(xs) - 1 { }
for x in xs { print(x); }
for k in keys(m) { }
"#,
        r#"
while (i < 10) {
    set i += 1;
}
loop {
    break;
}
for i in 0..n {
    continue;
}
for i in 1..=(len(xs) - 1) {}
for x in xs {
    print(x);
}
for k in keys(m) {}
"#,
    );
}

#[test]
fn give_return_throw_try_and_blocks() {
    check_stmts(
        r#"
give x + 1;
give;
return 2;
return;
throw "message";
try { risky(); } catch e { print(e); }
{ let inner = 1; { } }
;
"#,
        r#"
give (x + 1);
give;
give 2;
give;
throw "message";
try {
    risky();
} catch e {
    print(e);
}
{
    let inner = 1;
    {}
}
"#,
    );
}

#[test]
fn match_statement_arms_and_patterns() {
    check_stmts(
        r#"
match v {
    case 1 { print("one"); }
    case -2 => x;
    case "s" => 1;
    case true => 2;
    case Circle(r) if r > 1.0 => r;
    case Shape.Rect(w, _) { }
    case Empty => 0;
    case _ => 4;
    else { }
}
match s { else => 0; };
match -9223372036854775808 { case -9223372036854775808 => 1; case 9223372036854775807 => 2; }
"#,
        r#"
match v {
    case 1 {
        print("one");
    }
    case -2 => x;
    case "s" => 1;
    case true => 2;
    case Circle(r) if (r > 1.0) => r;
    case Shape.Rect(w, _) {}
    case Empty => 0;
    else => 4;
    else {}
};
match s {
    else => 0;
};
match (--9223372036854775808) {
    case -9223372036854775808 => 1;
    case 9223372036854775807 => 2;
};
"#,
    );
}

#[test]
fn match_expression() {
    check_stmts(
        r#"
let a = match s { case Circle(r) => r; else => 0.0; };
print(match b { case true => "yes"; case false => "no"; });
"#,
        r#"
let a = match s {
    case Circle(r) => r;
    else => 0.0;
};
print(match b {
    case true => "yes";
    case false => "no";
});
"#,
    );
}

#[test]
fn precedence_loosest_first() {
    check_expr(
        "a or b and c",
        r#"
(a or (b and c))
"#,
    );
    check_expr(
        "a || b && c || d",
        r#"
((a or (b and c)) or d)
"#,
    );
    check_expr(
        "a == b and c != d",
        r#"
((a == b) and (c != d))
"#,
    );
    check_expr(
        "a < b == c >= d",
        r#"
(((a < b) == c) >= d)
"#,
    );
    check_expr(
        "a + b < c * d",
        r#"
((a + b) < (c * d))
"#,
    );
    check_expr(
        "a - b - c",
        r#"
((a - b) - c)
"#,
    );
    check_expr(
        "a + b * c % d - e / f",
        r#"
((a + ((b * c) % d)) - (e / f))
"#,
    );
    check_expr(
        "-a * b",
        r#"
((-a) * b)
"#,
    );
    check_expr(
        "not a and !b",
        r#"
((not a) and (not b))
"#,
    );
    check_expr(
        "- -a",
        r#"
(-(-a))
"#,
    );
    check_expr(
        "-a.b[c](d)",
        r#"
(-a.b[c](d))
"#,
    );
    check_expr(
        "not f(x) or y",
        r#"
((not f(x)) or y)
"#,
    );
    check_expr(
        "(a + b) * c",
        r#"
(((a + b)) * c)
"#,
    );
}

#[test]
fn postfix_chains() {
    check_expr(
        "a.b.c(1, 2)[3].d",
        r#"
a.b.c(1, 2)[3].d
"#,
    );
    check_expr(
        "f()()",
        r#"
f()()
"#,
    );
    check_expr(
        "xs[i][j]",
        r#"
xs[i][j]
"#,
    );
    check_expr(
        "util.max(1, 2)",
        r#"
util.max(1, 2)
"#,
    );
    check_expr(
        "Shape.Circle(2.0)",
        r#"
Shape.Circle(2.0)
"#,
    );
    check_expr(
        "Shape.Empty",
        r#"
Shape.Empty
"#,
    );
}

#[test]
fn literals() {
    check_expr(
        "42", r#"
42
"#,
    );
    check_expr(
        "1_000_000 + 0xff + 0b1010",
        r#"
((1000000 + 255) + 10)
"#,
    );
    check_expr(
        "3.14 + 1e-9 + 2.5E3 + 1.0",
        r#"
(((3.14 + 1e-9) + 2500.0) + 1.0)
"#,
    );
    check_expr(
        r#""a\n\t\r\\\"\0\u{1F600}""#,
        r#"
"a\n\t\r\\\"\0😀"
"#,
    );
    check_expr(
        "[true, false, null]",
        r#"
[true, false, null]
"#,
    );
    check_expr(
        "[]", r#"
[]
"#,
    );
    check_expr(
        "[1, 2, 3,]",
        r#"
[1, 2, 3]
"#,
    );
    check_expr(
        "{}", r#"
{}
"#,
    );
    check_expr(
        r#"{"a": 1, "b": 2,}"#,
        r#"
{"a": 1, "b": 2}
"#,
    );
    // The smallest int: a negation of the literal whose value wrapped to i64::MIN.
    check_expr(
        "-9223372036854775808",
        r#"
(--9223372036854775808)
"#,
    );
    check_expr(
        "9223372036854775807",
        r#"
9223372036854775807
"#,
    );
}

#[test]
fn form_literals() {
    check_expr(
        "Point { x: 1.0, y: 2.0 }",
        r#"
Point { x: 1.0, y: 2.0 }
"#,
    );
    check_expr(
        "geo.Point { x: 1.0, }",
        r#"
geo.Point { x: 1.0 }
"#,
    );
    check_expr(
        "Empty {}",
        r#"
Empty {}
"#,
    );
    check_expr(
        "Line { from: Point { x: 0.0 }, to: p }.from.x",
        r#"
Line { from: Point { x: 0.0 }, to: p }.from.x
"#,
    );
}

#[test]
fn spawn_takes_a_call() {
    check_expr(
        "spawn worker(c, 3)",
        r#"
spawn worker(c, 3)
"#,
    );
    check_expr(
        "spawn pool.run()",
        r#"
spawn pool.run()
"#,
    );
}

#[test]
fn no_form_or_map_literal_directly_in_heads() {
    check_stmts(
        r#"
if x == y { f(); }
while running { step(); }
for p in points { }
match s { case 1 => 2; }
if (Point { x: 1.0 }) == p { }
match v { case Circle(r) if r == limit { } }
"#,
        r#"
if (x == y) {
    f();
}
while running {
    step();
}
for p in points {}
match s {
    case 1 => 2;
};
if ((Point { x: 1.0 }) == p) {}
match v {
    case Circle(r) if (r == limit) {}
};
"#,
    );
}

#[test]
fn brace_starts_a_block_as_a_statement_and_a_map_as_an_expression() {
    check_stmts(
        r#"
{ }
{ f(); }
let m = {};
let n = { "k": {} };
"#,
        r#"
{}
{
    f();
}
let m = {};
let n = {"k": {}};
"#,
    );
}

#[test]
fn types() {
    check(
        r#"
proc f(a: int, b: i64, c: float, d: f64, e: bool, g: string, h: [int], i: ?string, j: [[?int]],
       k: Map[string, [int]], l: Chan[int], m: Thread, n: util.Point, o: ?Map[int, bool]) -> void { }
"#,
        r#"
proc f(a: int, b: i64, c: float, d: f64, e: bool, g: string, h: [int], i: ?string, j: [[?int]], k: Map[string, [int]], l: Chan[int], m: Thread, n: util.Point, o: ?Map[int, bool]) -> void {}
"#,
    );
}

#[test]
fn both_spellings_give_the_same_tree() {
    let new = r#"
form P { x: int }
pick E { case A(v: int), case B }
proc f(a: int, b: bool) -> int {
    let mut x = 0;
    set x = x + 1;
    set x += 1;
    if a > 0 and b { give 1; } elif not b or a < 0 { give 2; }
    give x;
}
"#;
    let old = r#"
struct P { x: int }
enum E { A(v: int), B }
fn f(a: int, b: bool) -> int {
    let mut x = 0;
    x = x + 1;
    x += 1;
    if a > 0 && b { return 1; } else if !b || a < 0 { return 2; }
    return x;
}
"#;
    let render = |text: &str| {
        let (file, diagnostics) =
            vitte_compiler::parser::parse_file(vitte_compiler::source::FileId(0), text);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        crate::support::render_file(&file)
    };
    assert_eq!(render(new), render(old));
}
