//! Checker diagnostics as data: each case is a program and the exact `LINE:COL: message` list it gives.

use crate::check_support::{check_diagnostics as check, compile_files, diagnostics};

#[test]
fn names() {
    check(
        "proc main() {\n    print(foo);\n    bar(1);\n    let x = 1;\n    x(2);\n}\n",
        &[
            "2:11: unknown name 'foo'",
            "3:5: unknown name 'bar'",
            "5:5: 'x' is a variable, not a procedure",
        ],
    );
    check(
        "proc f() {}\nform P { x: int }\nproc main() {\n    let a = f;\n    let b = P;\n    let c = len;\n}\n",
        &[
            "4:13: 'f' is a procedure; call it with f(…)",
            "5:13: 'P' is a type, not a value",
            "6:13: 'len' is a built-in procedure; call it with len(…)",
        ],
    );
}

#[test]
fn duplicates_and_shadowing() {
    check(
        "const A: int = 1;\nproc A() {}\nform P { x: int, x: int }\nproc main() {\n    let a = 1;\n    let a = 2;\n    { let a = 3; print(a); }\n}\n",
        &[
            "2:6: A is already defined",
            "3:18: x is already defined in P",
            "6:9: a is already defined in this scope",
        ],
    );
    // A parameter may be shadowed by a `let` in the body; loop variables and bindings get their own scope.
    check(
        "proc f(n: int) -> int {\n    let n = n + 1;\n    give n;\n}\nproc main() { print(f(1)); }\n",
        &[],
    );
}

#[test]
fn operators() {
    check(
        "proc main() {\n    let i = 1;\n    let f = 2.0;\n    print(i + f);\n    print(i == f);\n    print(\"a\" < 1);\n    print(i and true);\n    print(not i);\n    print(-\"s\");\n    print(\"a\" + \"b\" + \"c\");\n}\n",
        &[
            "4:11: cannot apply '+' to int and float",
            "5:11: cannot apply '==' to int and float",
            "6:11: cannot apply '<' to string and int",
            "7:11: cannot apply 'and' to int and bool",
            "8:11: cannot apply 'not' to int",
            "9:11: cannot apply '-' to string",
        ],
    );
}

#[test]
fn one_error_per_mistake() {
    // The error type of `foo` does not cascade into the `+`, the call or the `let`.
    check(
        "proc g(x: int) -> int { give x; }\nproc main() {\n    let a = foo + 1;\n    let b: int = g(foo * 2);\n    print(a + b);\n}\n",
        &["3:13: unknown name 'foo'", "4:20: unknown name 'foo'"],
    );
    // An array literal with several wrong elements is reported once.
    check(
        "proc main() {\n    let xs: [string] = [1, 2];\n}\n",
        &["2:25: expected string, found int"],
    );
}

#[test]
fn statements() {
    check(
        "const LIMIT: int = 3;\nproc helper() {}\nproc main() {\n    set LIMIT = 4;\n    set helper = 1;\n    break;\n    continue;\n    if 1 { }\n    while \"x\" { }\n    for c in \"abc\" { }\n    for i in 10 { }\n}\n",
        &[
            "4:9: cannot assign to constant LIMIT",
            "5:9: cannot assign to procedure helper",
            "6:5: break outside of a loop",
            "7:5: continue outside of a loop",
            "8:8: expected bool, found int",
            "9:11: expected bool, found string",
            "10:14: cannot iterate over a string; use split(s, \"\") for its characters",
            "11:14: cannot iterate over int",
        ],
    );
}

#[test]
fn give_on_every_path() {
    check(
        "proc sign(n: int) -> int {\n    if n < 0 { give -1; } elif n > 0 { give 1; }\n}\nproc ok(n: int) -> int {\n    if n < 0 { give -1; } else { give 1; }\n}\nproc forever() -> int {\n    loop { }\n}\nproc stops() -> int {\n    while true { break; }\n}\nproc main() {}\n",
        &[
            "1:6: sign does not give a value on every path",
            "10:6: stops does not give a value on every path",
        ],
    );
    check(
        "proc f() { give 1; }\nproc g() -> int { give; }\nproc h() -> string { panic(\"never\"); }\nproc main() {}\n",
        &[
            "1:17: expected void, found int",
            "2:19: expected int, found void",
        ],
    );
}

#[test]
fn main_signature() {
    check(
        "proc main(x: int) {}\n",
        &["1:6: main must take no parameters and return void or int"],
    );
    check(
        "proc main() -> string { give \"\"; }\n",
        &["1:6: main must take no parameters and return void or int"],
    );
    check("proc start() {}\n", &["1:1: no main procedure"]);
}

#[test]
fn literals_need_context() {
    check(
        "proc main() {\n    let xs = [];\n    let m = {};\n    let n = null;\n    let ys: [int] = [];\n    let s: ?string = null;\n    let t: string = null;\n    print([[], [1]]);\n}\n",
        &[
            "2:14: cannot infer the type of an empty array; annotate it",
            "3:13: cannot infer the type of an empty map; annotate it",
            "4:13: cannot infer the type of n from null; annotate it",
            "7:21: expected string, found null",
        ],
    );
}

#[test]
fn types() {
    check(
        "proc main() {\n    let a: ?int = null;\n    let m: Map[float, int] = {};\n    let x: integer = 1;\n    let v: void = 1;\n    let t: Thread;\n}\n",
        &[
            "2:12: ?int is not allowed: int is not a reference type",
            "3:16: map keys must be int, string or bool, not float",
            "4:12: unknown type 'integer'",
            "5:12: void can only be a return type",
            "6:9: t needs an initial value",
        ],
    );
    check(
        "proc main() {\n    let xs: [int];\n    let n: int;\n    let s: string;\n    let o: ?string;\n    let q;\n}\n",
        &[
            "2:9: xs needs an initial value",
            "6:9: q needs a type or an initial value",
        ],
    );
}

#[test]
fn void_values() {
    check(
        "proc f() {}\nproc main() {\n    print(f());\n    let x = f();\n}\n",
        &[
            "3:11: cannot use a void value",
            "4:13: cannot use a void value",
        ],
    );
}

#[test]
fn forms_and_picks() {
    check(
        "form Point { x: int, y: int }\npick Shape { case Circle(r: float), case Empty }\nproc main() {\n    let a = Point { x: 1 };\n    let b = Point { x: 1, y: 2, z: 3 };\n    let c = Point { x: 1, x: 2, y: 3 };\n    print(a.z);\n    let d = Shape.Triangle(1.0);\n    let e = Shape.Circle(1);\n    let f = Shape.Circle;\n    let g = Shape.Empty(1);\n    let h = Shape { r: 1.0 };\n    print(e.r);\n}\n",
        &[
            "4:13: missing field y in Point",
            "5:33: Point has no field z",
            "6:27: field x is given twice",
            "7:13: Point has no field z",
            "8:19: Shape has no case Triangle",
            "9:26: expected float, found int",
            "10:13: Shape.Circle needs its payload; write Shape.Circle(…)",
            "11:13: Shape.Empty has no payload; write Shape.Empty without parentheses",
            "12:13: Shape is a pick; build a case with Shape.CASE(…)",
            "13:13: Shape has no fields; use match to read the payload of a case",
        ],
    );
}

#[test]
fn calls() {
    check(
        "proc add(a: int, b: int) -> int { give a + b; }\npick P { case A(x: int) }\nproc main() {\n    print(add(1));\n    print(add(1, 2, 3));\n    print(add(1, \"2\"));\n    print(len(1));\n    print(len(\"a\", \"b\"));\n    print(P.A(1, 2));\n    let xs = [1];\n    print(xs.len());\n    assert(true, \"m\", 3);\n}\n",
        &[
            "4:11: add takes 2 arguments but 1 was given",
            "5:11: add takes 2 arguments but 3 were given",
            "6:18: expected int, found string",
            "7:15: len cannot take int",
            "8:11: len takes 1 argument but 2 were given",
            "9:11: P.A takes 1 argument but 2 were given",
            "11:14: there are no methods; write len(…) with the value as the first argument",
            "12:5: assert takes 1 or 2 arguments but 3 were given",
        ],
    );
}

#[test]
fn builtins_are_typed() {
    check(
        "proc main() {\n    let xs = [1, 2];\n    push(xs, \"a\");\n    let m: Map[string, int] = {};\n    print(get(m, 1, 0));\n    print(min(1, 2.0));\n    print(abs(\"x\"));\n    print(sqrt(4));\n    print(int(true));\n    print(keys(xs));\n}\n",
        &[
            "3:14: expected int, found string",
            "5:18: expected string, found int",
            "6:11: min cannot take int and float",
            "7:15: abs cannot take string",
            "8:16: expected float, found int",
            "9:15: int cannot take bool",
            "10:16: keys cannot take [int]",
        ],
    );
    // A program's own procedure wins over a built-in of the same name.
    check(
        "proc max(a: string) -> string { give a; }\nproc main() { print(max(\"x\")); }\n",
        &[],
    );
}

#[test]
fn thread_builtins_are_typed() {
    check(
        "proc w() {}\nproc main() {\n    let t = spawn w();\n    let c = chan(1);\n    join(t);\n    let d: Chan[Chan] = chan(0);\n    sleep(1.5);\n    let t2 = spawn len(\"x\");\n}\n",
        &[
            "4:13: cannot infer the channel's type; annotate it, like 'let c: Chan[int] = chan(0);'",
            "6:17: Chan needs an element type: Chan[T]",
            "7:11: expected int, found float",
            "8:20: 'spawn' needs a call of a procedure of the program, like 'spawn worker(c)'",
        ],
    );
    check(
        "proc w(c: Chan[string], n: int) { send(c, str(n)); }\nproc main() {\n    let c: Chan[string] = chan(0);\n    let t: ?Thread = spawn w(c, 1);\n    print(recv(c) + str(thread_id()));\n    join(t);\n    yield_now();\n    print(join([\"a\"], \",\"));\n}\n",
        &[],
    );
}

#[test]
fn exceptions_are_typed() {
    check(
        "proc f() -> int {\n    throw \"no\";\n}\nproc g(x: int) -> int {\n    try { give x; } catch e { print(e); }\n}\nproc main() {\n    throw 1;\n    try { } catch e { let n: int = e; }\n    print(e);\n    try { throw null; } catch e { }\n}\n",
        &[
            "4:6: g does not give a value on every path",
            "8:11: expected string, found int",
            "9:36: expected int, found string",
            "10:11: unknown name 'e'",
            "11:17: expected string, found null",
        ],
    );
}

#[test]
fn match_exhaustiveness() {
    check(
        "pick Light { case Red, case Amber, case Green }\nproc name(l: Light) -> string {\n    match l {\n        case Red => \"red\";\n    }\n}\nproc main() {\n    let n = 3;\n    let a = match n { case 1 => \"one\"; };\n    let b = match true { case true => 1; };\n    match n { case 1 { print(1); } }\n    match Light.Red { case Red if n > 1 { } case Amber { } case Green { } }\n}\n",
        &[
            "3:5: match is not exhaustive; missing Amber, Green",
            "9:13: match is not exhaustive; add an else arm",
            "10:13: match is not exhaustive; missing false",
            "12:5: match is not exhaustive; missing Red",
        ],
    );
    check(
        "pick P { case A(x: int), case B }\nproc main() {\n    match P.B {\n        case A(x, y) { }\n        case A(x) { }\n        case C { }\n        else { }\n        case B { }\n    }\n    match 1 { case \"one\" { } case true { } }\n}\n",
        &[
            "4:14: A has 1 field, found 2 bindings",
            "5:14: warning: this case is already covered by an earlier arm",
            "6:14: P has no case C",
            "8:14: warning: this arm is never reached; an earlier else matches everything",
            "10:20: expected a pattern of type int, found string",
            "10:35: expected a pattern of type int, found bool",
        ],
    );
    check(
        "proc main() {\n    let a = match 1 { case 1 { print(1); } else => 2; };\n}\n",
        &["2:28: this arm has no value; write case … => value;"],
    );
}

#[test]
fn constants() {
    check(
        "const A: int = B + 1;\nconst B: int = A * 2;\nconst C: int = 1 / 0;\nconst D: [int] = [1];\nconst E: int = len(\"x\");\nlet g = 1;\nconst F: int = g;\nconst G = 2.5 * 2.0;\nconst H: float = 1;\nproc main() {}\n",
        &[
            "2:16: the value of A depends on itself",
            "3:16: division by zero in a constant expression",
            "4:10: a const must be an int, float, bool or string, not [int]; use let for other values",
            "5:16: the value of a const must be a compile-time constant",
            "7:16: the value of a const must be a compile-time constant",
            "9:18: expected float, found int",
        ],
    );
}

#[test]
fn globals_are_initialised_in_order() {
    check(
        "let a: int = b + 1;\nlet b: int = 2;\nlet c = b * 2;\nproc main() { print(a + c); }\n",
        &["1:14: b is not initialised yet; globals are initialised in declaration order"],
    );
}

#[test]
fn strings_are_not_indexed() {
    check(
        "proc main() {\n    let s = \"abc\";\n    print(s[0]);\n    let n = 3;\n    print(n[0]);\n}\n",
        &[
            "3:11: cannot index a string; use substr(s, i, i + 1)",
            "5:11: cannot index int",
        ],
    );
}

#[test]
fn modules() {
    let files = [
        (
            "main.vit",
            "use util\nuse lib/shapes as s\nproc main() {\n    print(util.twice(2));\n    print(util.absent);\n    let c = s.Shape.Circle(1.0);\n    let p: s.Point = s.Point { x: 1 };\n    set util.counter = 3;\n    set util.LIMIT = 1;\n    print(util);\n}\n",
        ),
        (
            "util.vit",
            "let counter = 0;\nconst LIMIT: int = 3;\nproc twice(n: int) -> int { give n * 2; }\n",
        ),
        (
            "lib/shapes.vit",
            "form Point { x: int }\npick Shape { case Circle(r: float) }\n",
        ),
    ];
    let compilation = compile_files(&files, "main.vit");
    assert_eq!(
        diagnostics(&compilation),
        [
            "5:16: util has no item 'absent'",
            "9:9: cannot assign to constant LIMIT",
            "10:11: 'util' is a module; use util.NAME",
        ]
    );
}

#[test]
fn a_missing_module_is_reported_once() {
    let compilation = compile_files(
        &[("main.vit", "use gone\nproc main() { print(gone.f(1)); }\n")],
        "main.vit",
    );
    let messages = diagnostics(&compilation);
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].starts_with("1:1: cannot find module 'gone'"),
        "{messages:?}"
    );
}

#[test]
fn legacy_spellings_check_the_same() {
    check(
        "struct P { x: int }\nenum E { A(int), B }\nfn f(e: E) -> int {\n    match e {\n        case A(n) => n;\n        case B => 0;\n    }\n}\nfn main() {\n    let mut p = P { x: 1 };\n    p.x = f(E.A(2)) + 1;\n    if p.x > 1 && !(p.x == 5) || false { return; } else if p.x == 0 { print(\"zero\"); }\n}\n",
        &[],
    );
}
