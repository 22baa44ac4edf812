//! Code generation shape: the instructions chosen for typical snippets, debug information, and
//! determinism. Every module built here also passes the verifier.

use crate::check_support::{compile, module};
use vitte_vm::bytecode::disasm::disassemble_function;
use vitte_vm::bytecode::{Instr, Module};

/// The instructions of function `name`, one `Display` per line.
fn code(module: &Module, name: &str) -> Vec<String> {
    let function = module
        .functions
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no function {name}"));
    function.code.iter().map(ToString::to_string).collect()
}

fn function_index(module: &Module, name: &str) -> u32 {
    module
        .functions
        .iter()
        .position(|f| f.name == name)
        .expect("function exists") as u32
}

#[test]
fn while_with_int_comparison_uses_fused_branch() {
    let module = module(
        "proc main() {\n    let i = 0;\n    while i < 10 {\n        set i = i + 1;\n    }\n}\n",
    );
    assert_eq!(
        code(&module, "main"),
        [
            "load.int r0, 0",
            // hoisted before the loop; the fused branch takes the literal itself
            "load.int r1, 10",
            "jump.ifnot.lt.i.imm r0, 10, @5",
            "add.i.imm r0, r0, 1",
            "jump @2",
            "ret.void",
        ]
    );
}

#[test]
fn for_range_counts_in_the_variable_register() {
    let module = module(
        "proc main() {\n    let s = 0;\n    for i in 0..5 { set s += i; }\n    print(s);\n}\n",
    );
    assert_eq!(
        code(&module, "main"),
        [
            "load.int r0, 0",
            "load.int r1, 0",
            "load.int r2, 5",
            // tested once on entry, then once per iteration by `for.next`
            "jump.ifnot.lt.i r1, r2, @6",
            "add.i r0, r0, r1",
            "for.next r1, r2, @4",
            "int.to.str r3, r0",
            "call.native n0, r3, r3",
            "ret.void",
        ]
    );
}

#[test]
fn conditions_branch_without_bool_values() {
    let module = module(
        "proc f(a: int, b: int) -> int {\n    if a >= b and not (a == 3) or b > 7 { give 1; }\n    give 0;\n}\nproc main() { print(f(1, 2)); }\n",
    );
    assert_eq!(
        code(&module, "f"),
        [
            // a >= b fails: try `b > 7`
            "jump.ifnot.le.i r1, r0, @2",
            // not (a == 3) holds: the whole condition holds
            "jump.ifnot.eq.i.imm r0, 3, @3",
            "jump.ifnot.gt.i.imm r1, 7, @5",
            "load.int r2, 1",
            "ret r2",
            "load.int r2, 0",
            "ret r2",
        ]
    );
}

#[test]
fn and_or_values_short_circuit() {
    let module = module(
        "proc t() -> bool { print(\"t\"); give true; }\nproc main() {\n    let x = false and t();\n    let y = true or t();\n    print(x or y);\n}\n",
    );
    let main = code(&module, "main");
    assert_eq!(
        main[0..5],
        [
            "load.bool r0, false",
            "jump.ifnot r0, @3",
            "call f0, r0, r0",
            "load.bool r1, true",
            "jump.if r1, @6"
        ]
    );
}

#[test]
fn calls_place_arguments_in_consecutive_registers() {
    let module = module(
        "proc add3(a: int, b: int, c: int) -> int { give a + b + c; }\nproc main() {\n    let x = 1;\n    print(add3(x, x + 1, 3));\n}\n",
    );
    assert_eq!(
        code(&module, "main"),
        [
            "load.int r0, 1",
            "move r1, r0",
            "add.i.imm r2, r0, 1",
            "load.int r3, 3",
            "call f0, r1, r4",
            "int.to.str r5, r4",
            "call.native n0, r5, r5",
            "ret.void",
        ]
    );
}

#[test]
fn print_converts_then_calls_the_native() {
    let module = module(
        "form P { x: float }\nproc main() {\n    print(1.5);\n    print(true);\n    print(\"s\");\n    print(P { x: 1.0 });\n    print(null);\n}\n",
    );
    let main = code(&module, "main");
    for conversion in ["float.to.str", "bool.to.str", "ref.to.str"] {
        assert!(
            main.iter().any(|i| i.starts_with(conversion)),
            "{conversion} missing in {main:#?}"
        );
    }
    assert_eq!(
        main.iter()
            .filter(|i| i.starts_with("call.native n0"))
            .count(),
        5
    );
    assert_eq!(module.natives.len(), 1);
    assert_eq!(module.natives[0].name, "print");
}

#[test]
fn builtins_map_to_instructions_and_natives() {
    let module = module(
        "proc main() {\n    let xs = [1, 2];\n    push(xs, 3);\n    let n = len(xs) + len(\"abc\");\n    let m: Map[string, int] = {\"a\": 1};\n    print(get(m, \"b\", n));\n    print(contains(m, \"a\"), );\n    print(remove(m, \"a\"));\n    print(keys(m));\n    print(pop(xs));\n    print(fill(2, 0.5));\n    print(int(\"7\") + int(2.5));\n    print(float(\"1.5\") + float(2));\n    print(abs(-1) + min(1, 2) + max(3, 4));\n    print(abs(-1.0) + min(1.0, 2.0) + max(3.0, 4.0));\n    print(sqrt(4.0) + floor(1.5) + ceil(1.5) + pow(2.0, 3.0));\n    print(substr(\"abc\", 0, 1) + join(split(\"a,b\", \",\"), \"-\") + to_fixed(1.0, 2));\n    print(find(\"abc\", \"c\"));\n    assert(true);\n    assert(true, \"m\");\n    print(len(args()));\n    print(read_line());\n    print(clock() > 0.0 or now_ms() > 0);\n}\n",
    );
    let main = code(&module, "main").join("\n");
    for mnemonic in [
        "array.push",
        "array.len",
        "str.len",
        "map.get.or",
        "map.contains",
        "map.remove",
        "map.keys",
        "array.pop",
        "array.fill",
        "parse.int",
        "float.to.int",
        "parse.float",
        "int.to.float",
    ] {
        assert!(main.contains(mnemonic), "{mnemonic} missing in\n{main}");
    }
    let natives: Vec<&str> = module.natives.iter().map(|n| n.name.as_str()).collect();
    for name in [
        "print",
        "abs_int",
        "min_int",
        "max_int",
        "abs_float",
        "min_float",
        "max_float",
        "sqrt",
        "floor",
        "ceil",
        "pow",
        "substr",
        "split",
        "join",
        "to_fixed",
        "find",
        "assert",
        "assert_msg",
        "args",
        "read_line",
        "clock",
        "now_ms",
    ] {
        assert!(
            natives.contains(&name),
            "native {name} missing: {natives:?}"
        );
    }
}

#[test]
fn constants_are_folded() {
    let module = module(
        "const A: int = 6 * 7;\nconst B = A > 40 and true;\nconst C: string = \"x\" + \"y\";\nconst BIG: bool = 1 < 2 == true;\nproc main() { print(A); print(B); print(C); print(BIG); }\n",
    );
    assert_eq!(
        code(&module, "main")
            .iter()
            .filter(|i| i.starts_with("load"))
            .map(String::as_str)
            .collect::<Vec<_>>(),
        [
            "load.int r0, 42",
            "load.bool r2, true",
            "load.const r1, k0",
            "load.bool r2, true"
        ]
    );
    assert_eq!(
        module.constants,
        [vitte_vm::bytecode::Constant::Str("xy".into())]
    );
}

#[test]
fn pick_match_tests_tags_and_binds_payloads() {
    let module = module(
        "pick Shape { case Circle(r: float), case Rect(w: float, h: float), case Empty }\nproc area(s: Shape) -> float {\n    match s {\n        case Circle(r) { give 3.0 * r * r; }\n        case Rect(w, _) => w;\n        case Empty => 0.0;\n    }\n}\nproc main() { print(area(Shape.Rect(2.0, 3.0))); }\n",
    );
    let area = code(&module, "area").join("\n");
    assert!(
        area.starts_with("pick.tag r1, r0\nload.int r2, 0\neq.i r3, r1, r2\njump.ifnot r3, @"),
        "{area}"
    );
    assert!(area.contains("pick.field r4, r0, 0, 0"), "{area}");
    assert!(
        area.contains(", r0, 1, 0\nret"),
        "the arm `=> w` gives w:\n{area}"
    );
    assert!(
        !area.contains(", r0, 1, 1"),
        "the `_` binding reads nothing:\n{area}"
    );
    assert!(
        area.ends_with("throw r9"),
        "a value function whose end is unreachable ends with a throw:\n{area}"
    );
}

#[test]
fn nullable_values_are_checked_where_a_value_is_needed() {
    let module = module(
        "proc shout(s: string) -> string { give s + \"!\"; }\nproc main() {\n    let line = read_line();\n    if line != null { print(shout(line)); }\n}\n",
    );
    let main = code(&module, "main").join("\n");
    assert!(main.contains("ne.s"), "{main}");
    assert!(
        main.contains("eq.ref"),
        "null check before the call:\n{main}"
    );
    assert!(main.contains("throw"), "{main}");
}

#[test]
fn globals_get_an_initialiser_per_file() {
    let files = [
        (
            "main.vit",
            "use util\nlet base: int = util.seed + 1;\nlet name: string;\nproc main() { print(base); }\n",
        ),
        ("util.vit", "let seed = 41;\n"),
    ];
    let compilation = crate::check_support::compile_files(&files, "main.vit");
    let module = compilation.module.expect("compiles");
    crate::check_support::verified(&module);
    let names: Vec<&str> = module.functions.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["main", "util.<init>", "<init>"]);
    assert_eq!(module.init, Some(2));
    assert_eq!(module.entry, 0);
    let globals: Vec<&str> = module.globals.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(globals, ["util.seed", "base", "name"]);
    let init = code(&module, "<init>");
    assert_eq!(init[0], "call f1, r0, r0");
    assert!(
        init.contains(&"global.set g2, r1".to_string())
            || init.iter().any(|i| i.starts_with("global.set g2"))
    );
    assert_eq!(module.sources.len(), 2);
    assert_eq!(module.functions[1].debug.file, 1);
}

#[test]
fn used_procedures_are_qualified_by_alias() {
    let files = [
        (
            "main.vit",
            "use lib/text as t\nproc main() { print(t.shout(\"a\")); }\n",
        ),
        (
            "lib/text.vit",
            "proc shout(s: string) -> string { give s + \"!\"; }\n",
        ),
    ];
    let module = crate::check_support::compile_files(&files, "main.vit")
        .module
        .expect("compiles");
    crate::check_support::verified(&module);
    let names: Vec<&str> = module.functions.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["t.shout", "main"]);
    assert_eq!(module.entry, 1);
    assert!(module.init.is_none());
}

#[test]
fn line_table_marks_statements_and_failing_expressions() {
    let source =
        "proc main() {\n    let xs = [1, 2];\n    let i = 5;\n    print(xs[i] / (i - 5));\n}\n";
    let module = module(source);
    let main = &module.functions[function_index(&module, "main") as usize];
    let statements: Vec<(u32, u32)> = main
        .debug
        .lines
        .iter()
        .filter(|e| e.is_stmt)
        .map(|e| (e.line, e.col))
        .collect();
    // The statement on line 4 starts with the failing `xs[i]`, so its entry has that column.
    assert_eq!(statements, [(2, 5), (3, 5), (4, 11), (5, 1)]);
    let func = function_index(&module, "main");
    let located: Vec<(&str, u32, u32)> = main
        .code
        .iter()
        .enumerate()
        .filter(|(_, i)| {
            matches!(
                i,
                Instr::ArrayGet { .. } | Instr::DivI { .. } | Instr::CallNative { .. }
            )
        })
        .map(|(pc, i)| {
            let (_, line, col) = module.location(func, pc as u32).expect("located");
            (i.mnemonic(), line, col)
        })
        .collect();
    assert_eq!(
        located,
        [
            ("array.get", 4, 11),
            ("div.i", 4, 11),
            ("call.native", 4, 5)
        ]
    );
    assert_eq!((main.debug.line, main.debug.col), (1, 6));
    let listing = disassemble_function(&module, 0).expect("function 0");
    assert!(listing.contains("print(xs[i] / (i - 5));"), "{listing}");
}

#[test]
fn locals_have_registers_and_live_ranges() {
    let module = module(
        "proc f(a: int, _: int) -> int {\n    let b = a + 1;\n    for i in 0..b { set b += i; }\n    give b;\n}\nproc main() { print(f(1, 2)); }\n",
    );
    let f = &module.functions[0];
    let locals: Vec<(&str, u16, u32, u32)> = f
        .debug
        .locals
        .iter()
        .map(|l| (l.name.as_str(), l.register, l.start_pc, l.end_pc))
        .collect();
    let end = f.code.len() as u32;
    assert_eq!(locals[0], ("a", 0, 0, end));
    assert_eq!(locals[1].0, "b");
    assert_eq!(locals[1].1, 2);
    assert_eq!(locals[1].3, end);
    let i = locals.iter().find(|l| l.0 == "i").expect("loop variable");
    assert!(i.2 > locals[1].2 && i.3 < end, "{locals:?}");
    assert!(!locals.iter().any(|l| l.0 == "_"));
}

#[test]
fn output_is_deterministic() {
    let source = "form P { x: int }\npick Q { case A(p: P), case B }\nlet g: Map[string, [P]] = {\"a\": [P { x: 1 }]};\nconst K: float = 0.5;\nproc main() {\n    let m: Map[int, string] = {1: \"a\", 2: \"b\"};\n    for k in m { print(k); }\n    print(K);\n    print(g);\n    match Q.B { case A(p) => print(p.x); case B => print(\"b\"); }\n}\n";
    let first = compile(source).module.expect("compiles");
    for _ in 0..5 {
        assert_eq!(compile(source).module.expect("compiles"), first);
    }
    crate::check_support::verified(&first);
}

#[test]
fn every_instruction_of_a_big_program_verifies() {
    let module = module(
        "form Node { value: int, next: ?Node }\npick Tree { case Leaf, case Branch(left: Tree, value: int, right: Tree) }\nlet count = 0;\nproc insert(t: Tree, v: int) -> Tree {\n    set count += 1;\n    match t {\n        case Leaf => Tree.Branch(Tree.Leaf, v, Tree.Leaf);\n        case Branch(l, x, r) if v < x => Tree.Branch(insert(l, v), x, r);\n        case Branch(l, x, r) => Tree.Branch(l, x, insert(r, v));\n    }\n}\nproc walk(t: Tree, out: [int]) {\n    match t {\n        case Leaf { }\n        case Branch(l, x, r) { walk(l, out); push(out, x); walk(r, out); }\n    }\n}\nproc main() -> int {\n    let t = Tree.Leaf;\n    for v in [5, 3, 8, 1] { set t = insert(t, v); }\n    let out: [int] = [];\n    walk(t, out);\n    let head: ?Node = null;\n    for i in 0..=3 { set head = Node { value: i, next: head }; }\n    let n = head;\n    let total = 0;\n    while n != null { set total += n.value; set n = n.next; }\n    let words = split(\"b a c\", \" \");\n    let m: Map[string, int] = {};\n    for w in words { set m[w] = len(w); }\n    let label = match total { case 6 => \"six\"; else => \"other\"; };\n    print(out);\n    print(label + \" \" + str(count));\n    give total;\n}\n",
    );
    assert!(module.functions.iter().all(|f| !f.code.is_empty()));
}

#[test]
fn try_blocks_get_handler_tables_innermost_first() {
    let module = module(
        "proc main() {\n    try {\n        print(\"a\");\n        try {\n            throw \"b\";\n        } catch inner {\n            print(inner);\n        }\n    } catch outer {\n        print(outer);\n    }\n}\n",
    );
    let main = &module.functions[function_index(&module, "main") as usize];
    assert_eq!(main.handlers.len(), 2, "{:?}", main.handlers);
    let (inner, outer) = (main.handlers[0], main.handlers[1]);
    assert!(outer.start_pc <= inner.start_pc && inner.end_pc <= outer.end_pc);
    assert!(inner.start_pc < inner.end_pc);
    assert!(outer.end_pc <= outer.target_pc);
    assert!(inner.end_pc <= inner.target_pc && inner.target_pc < outer.end_pc);
    assert_ne!(inner.message_register, outer.message_register);
    for handler in [inner, outer] {
        let ty = main.registers[usize::from(handler.message_register)];
        assert_eq!(module.types[ty as usize], vitte_vm::bytecode::Type::Str);
    }
    let names: Vec<&str> = main.debug.locals.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["inner", "outer"]);
    assert!(matches!(
        main.code[inner.start_pc as usize..inner.end_pc as usize].last(),
        Some(Instr::Throw { .. })
    ));
}
