//! Generated code run in the VM: the semantics that code generation itself decides (loop shapes,
//! evaluation order, register reuse, null checks, short-circuits, error locations).

use crate::check_support::{check_output, run};

#[test]
fn for_range_ignores_assignments_to_its_variable() {
    check_output(
        "proc main() {\n    for i in 0..3 { print(i); set i = 10; }\n}\n",
        &["0", "1", "2"],
    );
}

#[test]
fn range_bounds_are_evaluated_once() {
    check_output(
        "proc main() {\n    let n = 3;\n    for i in 0..n { set n = 0; print(i); }\n    print(n);\n}\n",
        &["0", "1", "2", "0"],
    );
}

#[test]
fn inclusive_range_up_to_the_largest_int_terminates() {
    check_output(
        "proc main() {\n    for i in 9223372036854775806..=9223372036854775807 { print(i); }\n    for i in 3..=1 { print(i); }\n    for i in 1..=1 { print(i); }\n}\n",
        &["9223372036854775806", "9223372036854775807", "1"],
    );
}

#[test]
fn for_each_sees_pushes_but_not_reassignment() {
    check_output(
        "proc main() {\n    let xs = [1, 2];\n    for x in xs {\n        if x < 3 { push(xs, x + 10); }\n        print(x);\n    }\n    let ys = [1, 2];\n    for y in ys { set ys = [9]; print(y); }\n    print(ys);\n}\n",
        &["1", "2", "11", "12", "1", "2", "[9]"],
    );
}

#[test]
fn for_over_a_map_iterates_a_snapshot_of_its_keys() {
    check_output(
        "proc main() {\n    let m: Map[string, int] = {\"a\": 1, \"b\": 2, \"c\": 3};\n    for k in m { remove(m, \"c\"); set m[k + k] = 0; print(k); }\n    print(len(m));\n}\n",
        &["a", "b", "c", "5"],
    );
}

#[test]
fn break_and_continue_in_every_loop() {
    check_output(
        "proc main() {\n    for i in 0..10 { if i == 1 { continue; } if i == 3 { break; } print(i); }\n    for i in 0..=10 { if i % 2 == 0 { continue; } if i > 4 { break; } print(i); }\n    let j = 0;\n    while true { set j += 1; if j < 3 { continue; } break; }\n    print(j);\n    loop { set j -= 1; if j == 0 { break; } }\n    for x in [5, 6, 7] { if x == 6 { continue; } print(x); }\n}\n",
        &["0", "2", "1", "3", "3", "5", "7"],
    );
}

#[test]
fn assignments_that_read_their_own_target() {
    check_output(
        "proc main() {\n    let a = true;\n    let b = false;\n    set a = b or a;\n    print(a);\n    set a = b and a;\n    print(a);\n    let m: Map[string, int] = {\"a\": 1};\n    set m = {\"b\": len(m), \"c\": get(m, \"a\", 0)};\n    print(m);\n    let n = 2;\n    set n = match n { case 2 => n * 10; else => 0; };\n    print(n);\n    let x = 5;\n    set x = x * x - x;\n    print(x);\n}\n",
        &["true", "false", "{\"b\": 1, \"c\": 1}", "20", "20"],
    );
}

#[test]
fn compound_assignment_on_every_target() {
    check_output(
        "form P { x: int, s: string }\nlet g = 1;\nproc main() {\n    let p = P { x: 1, s: \"a\" };\n    set p.x += 41;\n    set p.s += \"b\";\n    let xs = [1.5, 2.0];\n    set xs[1] *= 2.0;\n    let m: Map[string, int] = {\"k\": 10};\n    set m[\"k\"] -= 3;\n    set m[\"k\"] %= 4;\n    set g += 1;\n    set g *= 10;\n    print(p);\n    print(xs);\n    print(m);\n    print(g);\n}\n",
        &["P { x: 42, s: \"ab\" }", "[1.5, 4.0]", "{\"k\": 3}", "20"],
    );
}

#[test]
fn short_circuit_skips_the_right_operand() {
    check_output(
        "proc loud(s: string) -> bool { print(s); give true; }\nproc main() {\n    if false and loud(\"no\") { print(\"x\"); }\n    if true or loud(\"no\") { print(\"or\"); }\n    let v = false and loud(\"no\");\n    let w = true and loud(\"yes\");\n    print(v);\n    print(w);\n}\n",
        &["or", "yes", "false", "true"],
    );
}

#[test]
fn comparisons_of_every_type() {
    check_output(
        "form P { x: int }\nproc main() {\n    print(\"b\" > \"a\");\n    print(\"a\" >= \"b\");\n    print(2.5 <= 2.5);\n    print(3 > 4);\n    print(true == true);\n    let p = P { x: 1 };\n    let q = p;\n    print(p == q);\n    print(p != P { x: 1 });\n    let s: ?string = null;\n    print(s == null);\n    print(null == s);\n    print(\"x\" == s);\n    print(null == null);\n    let xs = [1];\n    print(xs == null);\n}\n",
        &[
            "true", "false", "true", "false", "true", "true", "true", "true", "true", "false",
            "true", "false",
        ],
    );
}

#[test]
fn match_values_guards_and_tail_gives() {
    check_output(
        "pick Shape { case Circle(r: float), case Rect(w: float, h: float), case Empty }\nproc area(s: Shape) -> float {\n    match s {\n        case Circle(r) { give 3.0 * r * r; }\n        case Rect(w, h) if w == h => w * w;\n        case Shape.Rect(w, h) => w * h;\n        case Empty => 0.0;\n    }\n}\nproc name(n: int) -> string {\n    give match n { case 1 => \"one\"; case 2 => \"two\"; else => \"many\"; };\n}\nproc main() {\n    print(area(Shape.Circle(1.0)));\n    print(area(Shape.Rect(2.0, 2.0)));\n    print(area(Shape.Rect(2.0, 3.0)));\n    print(area(Shape.Empty));\n    print(name(2) + name(7));\n    match \"b\" { case \"a\" { print(\"A\"); } case \"b\" => print(\"B\"); }\n    match 5 { case 1 { print(\"never\"); } }\n    let t = match false { case true => 1; case false => 0; };\n    print(t);\n}\n",
        &["3.0", "4.0", "6.0", "0.0", "twomany", "B", "0"],
    );
}

#[test]
fn defaults_are_reset_each_time_a_let_runs() {
    check_output(
        "proc main() {\n    for i in 0..2 {\n        let x: int;\n        let s: string;\n        let o: ?string;\n        print(x);\n        print(s + \"|\");\n        print(o);\n        set x = 5;\n        set s = \"no\";\n        set o = \"no\";\n    }\n}\n",
        &["0", "|", "null", "0", "|", "null"],
    );
}

#[test]
fn extreme_int_literals() {
    check_output(
        "const MIN: int = -9223372036854775808;\nproc main() {\n    print(-9223372036854775808);\n    print(MIN - 1);\n    print(abs(MIN));\n    print(0x7fffffff + 1);\n    print(2147483647 + 1);\n    print(-2147483648 - 1);\n}\n",
        &[
            "-9223372036854775808",
            "9223372036854775807",
            "-9223372036854775808",
            "2147483648",
            "2147483648",
            "-2147483649",
        ],
    );
}

#[test]
fn null_used_as_a_value_raises_null_dereference_where_it_is_used() {
    let run = run(
        "proc show(s: string) { print(s); }\nproc main() {\n    let s: ?string = null;\n    print(s);\n    show(s);\n}\n",
    );
    assert_eq!(run.stdout, "null\n");
    assert_eq!(
        run.result,
        Err("error: null dereference\n  at main (main.vit:5:10)".into())
    );
}

#[test]
fn runtime_errors_point_at_the_failing_expression() {
    let run = run(
        "proc div(a: int, b: int) -> int {\n    give 1 + a / b;\n}\nproc main() {\n    let xs = [1];\n    print(div(4, 2));\n    print(  div(xs[0], 0));\n}\n",
    );
    assert_eq!(run.stdout, "3\n");
    assert_eq!(
        run.result,
        Err("error: division by zero\n  at div (main.vit:2:14)\n  at main (main.vit:7:13)".into())
    );
    let run = run_index();
    assert_eq!(
        run.result,
        Err("error: index out of bounds: index 3, length 1\n  at main (main.vit:3:11)".into())
    );
}

fn run_index() -> crate::check_support::Run {
    run("proc main() {\n    let xs = [1];\n    print(xs[3]);\n}\n")
}

#[test]
fn main_gives_the_exit_code_and_globals_are_initialised_first() {
    let run = run(
        "let base = 40;\nlet answer = base + two();\nproc two() -> int { give 2; }\nproc main() -> int { print(answer); give answer; }\n",
    );
    assert_eq!(run.stdout, "42\n");
    assert_eq!(run.result, Ok(42));
}

#[test]
fn string_building_and_conversions() {
    check_output(
        "proc main() {\n    let parts: [string] = [];\n    for i in 1..=3 { push(parts, str(i * 2)); }\n    print(join(parts, \",\"));\n    print(str(1.0) + str(true) + str(\"s\"));\n    print(int(\" 42 \") + int(-2.9));\n    print(float(\"2.5\") * float(2));\n    print(to_fixed(2.0 / 3.0, 3));\n    let words = split(\"a b\", \" \");\n    print(len(words[1]));\n}\n",
        &["2,4,6", "1.0trues", "40", "5.0", "0.667", "1"],
    );
}

#[test]
fn forms_picks_arrays_and_maps_nest() {
    check_output(
        "form Node { value: int, next: ?Node }\npick Opt { case Some(v: [int]), case None }\nproc main() {\n    let head: ?Node = null;\n    for i in 0..3 { set head = Node { value: i, next: head }; }\n    let total = 0;\n    let n = head;\n    while n != null { set total += n.value; set n = n.next; }\n    print(total);\n    let o = Opt.Some([1, 2]);\n    match o { case Some(v) { push(v, 3); print(v); } case None { } }\n    print(o);\n    let grid: [[int]] = [[0, 0], [0, 0]];\n    set grid[1][0] = 7;\n    print(grid);\n    let m: Map[int, [string]] = {};\n    set m[1] = [\"a\"];\n    push(m[1], \"b\");\n    print(m);\n    print(Opt.None);\n}\n",
        &[
            "3",
            "[1, 2, 3]",
            "Some([1, 2, 3])",
            "[[0, 0], [7, 0]]",
            "{1: [\"a\", \"b\"]}",
            "None",
        ],
    );
}

#[test]
fn large_array_literals_are_built_by_pushing() {
    let elems: Vec<String> = (0..200).map(|i| i.to_string()).collect();
    let source = format!(
        "proc main() {{\n    let xs = [{}];\n    print(len(xs));\n    print(xs[199]);\n}}\n",
        elems.join(", ")
    );
    check_output(&source, &["200", "199"]);
}

#[test]
fn used_files_run_their_initialisers_first() {
    let files = [
        (
            "main.vit",
            "use a\nuse b\nlet mine = a.x + b.y;\nproc main() { print(mine); print(a.bump()); print(a.x); }\n",
        ),
        (
            "a.vit",
            "let x = 10;\nproc bump() -> int { set x += 1; give x; }\n",
        ),
        ("b.vit", "use a\nlet y = a.x * 2;\n"),
    ];
    let compilation = crate::check_support::compile_files(&files, "main.vit");
    let module = compilation.module.expect("compiles");
    crate::check_support::verified(&module);
    let run = crate::check_support::run_module(module);
    assert_eq!(run.stdout, "30\n11\n11\n");
}

#[test]
fn null_checks_on_fields_matches_and_loops() {
    let field =
        run("form P { x: int }\nproc main() {\n    let p: ?P = null;\n    print(1 + p.x);\n}\n");
    assert_eq!(
        field.result,
        Err("error: null dereference\n  at main (main.vit:4:15)".into())
    );
    let matched = run(
        "pick K { case A, case B }\nproc main() {\n    let k: ?K = null;\n    match k { case A { } case B { } }\n}\n",
    );
    assert_eq!(
        matched.result,
        Err("error: null dereference\n  at main (main.vit:4:11)".into())
    );
    let looped =
        run("proc main() {\n    let xs: ?[int] = null;\n    for x in xs { print(x); }\n}\n");
    assert_eq!(
        looped.result,
        Err("error: null dereference\n  at main (main.vit:3:14)".into())
    );
    check_output(
        "form P { x: int }\nproc main() {\n    let p: ?P = P { x: 4 };\n    print(p.x);\n    let xs: ?[int] = [1];\n    for x in xs { print(x); }\n    let s: ?string = \"ab\";\n    print(len(s) + len(s + \"c\"));\n}\n",
        &["4", "1", "5"],
    );
}

#[test]
fn statements_after_a_give_at_the_end_of_a_procedure_are_dead_but_verify() {
    // Found by the `compile` fuzz target: the code ended with the unreachable statement instead of
    // a return, and the verifier refused the module ("the last instruction must be jump, ret,
    // ret.void or throw").
    check_output(
        "proc f() -> int {\n    give 1;\n    print(2);\n}\nproc g() {\n    give;\n    print(3);\n}\nproc main() {\n    g();\n    give print(f());\n    print(4);\n}\n",
        &["1"],
    );
}
