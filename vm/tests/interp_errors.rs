//! Interpreter tests: every runtime error's exact message, and the stack trace attached to it.

use crate::interp_common::{Builder, FILE, run, run_with};
use vitte_vm::bytecode::{Constant, Handler, TypeId};
use vitte_vm::{TraceFrame, VmConfig};

/// Runs a `void main` with these registers and code (a final `ret.void` is added), expecting a
/// runtime error; returns its message.
fn message<Code: Into<String>>(build: impl FnOnce(&mut Builder) -> (Vec<TypeId>, Code)) -> String {
    let mut b = Builder::new();
    let (registers, code) = build(&mut b);
    let code = code.into() + "\nret.void";
    let void = b.void();
    b.main(void, &registers, code);
    let outcome = run(b.build());
    outcome.error().message.clone()
}

#[test]
fn division_by_zero_with_its_stack_trace() {
    let mut b = Builder::new();
    let (int, void) = (b.int(), b.void());
    let main_line = b.next_line();
    let main = b.function(
        "main",
        0,
        void,
        &[int],
        "
            nop
            call f1, r0, r0
            ret.void
        ",
    );
    b.module.entry = main;
    let f_line = b.next_line();
    b.function(
        "f",
        0,
        int,
        &[int],
        "
            call f2, r0, r0
            ret r0
        ",
    );
    let g_line = b.next_line();
    b.function(
        "g",
        0,
        int,
        &[int, int, int],
        "
            load.int r0, 1
            load.int r1, 0
            div.i r2, r0, r1
            ret r2
        ",
    );
    let outcome = run(b.build());
    let error = outcome.error();
    assert_eq!(error.message, "division by zero");
    let frame = |function: &str, line: u32, col: u32| TraceFrame {
        function: function.into(),
        file: FILE.into(),
        line,
        col,
    };
    assert_eq!(
        error.trace,
        [
            frame("g", g_line + 2, 3),
            frame("f", f_line, 1),
            frame("main", main_line + 1, 2)
        ]
    );
    assert_eq!(
        error.to_string(),
        format!(
            "error: division by zero\n  at g ({FILE}:{}:3)\n  at f ({FILE}:{f_line}:1)\n  at main ({FILE}:{}:2)",
            g_line + 2,
            main_line + 1
        )
    );
}

#[test]
fn remainder_by_zero() {
    let text = message(|b| {
        let int = b.int();
        (
            vec![int, int],
            "
                load.int r0, 5
                rem.i r1, r0, r1
                ret.void
            ",
        )
    });
    assert_eq!(text, "division by zero");
}

/// An `[int]` of `[10, 20]` in r0, r1/r2 ints, then `tail`.
fn with_array(tail: &str) -> String {
    message(|b| {
        let int = b.int();
        let array = b.array(int);
        let code = format!(
            "
            load.int r1, 10
            load.int r2, 20
            array.new r0, r1, 2
            {tail}
            ret.void
            "
        );
        (vec![array, int, int], code)
    })
}

#[test]
fn index_out_of_bounds() {
    assert_eq!(
        with_array(
            "
            load.int r1, 2
            array.get r2, r0, r1
        "
        ),
        "index out of bounds: index 2, length 2"
    );
    assert_eq!(
        with_array(
            "
            load.int r1, -1
            array.get r2, r0, r1
        "
        ),
        "index out of bounds: index -1, length 2"
    );
    assert_eq!(
        with_array(
            "
            load.int r1, 7
            array.set r0, r1, r2
        "
        ),
        "index out of bounds: index 7, length 2"
    );
    assert_eq!(
        with_array(
            "
            array.pop r1, r0
            array.pop r1, r0
            array.pop r1, r0
        "
        ),
        "index out of bounds: index -1, length 0"
    );
    assert_eq!(
        with_array(
            "
            load.int r1, -3
            array.fill r0, r1, r2
        "
        ),
        "invalid argument: fill count -3"
    );
}

#[test]
fn key_not_found_prints_the_key_like_print_does() {
    let text = message(|b| {
        let (int, string) = (b.int(), b.string());
        let map = b.map(string, int);
        let k = b.str_const("mi\"ss");
        (
            vec![map, string, int],
            format!(
                "
                map.new r0
                load.const r1, k{k}
                map.get r2, r0, r1
                ret.void
            "
            ),
        )
    });
    assert_eq!(text, r#"key not found: "mi\"ss""#);
    let text = message(|b| {
        let int = b.int();
        let map = b.map(int, int);
        (
            vec![map, int],
            "
                map.new r0
                load.int r1, -7
                map.get r1, r0, r1
                ret.void
            ",
        )
    });
    assert_eq!(text, "key not found: -7");
    let text = message(|b| {
        let (int, bool) = (b.int(), b.bool());
        let map = b.map(bool, int);
        (
            vec![map, bool, int],
            "
                map.new r0
                load.bool r1, true
                map.get r2, r0, r1
                ret.void
            ",
        )
    });
    assert_eq!(text, "key not found: true");
}

/// Builds the registers and code of a test program.
type BuildFn = dyn Fn(&mut Builder) -> (Vec<TypeId>, &'static str);

#[test]
fn null_dereference() {
    let cases: Vec<Box<BuildFn>> = vec![
        Box::new(|b| {
            let float = b.float();
            let point = b.form("Point", &[("x", float)]);
            let nullable = b.nullable(point);
            (
                vec![nullable, float],
                "
                    load.null r0
                    form.get r1, r0, 0
                ",
            )
        }),
        Box::new(|b| {
            let float = b.float();
            let point = b.form("Point", &[("x", float)]);
            let nullable = b.nullable(point);
            (
                vec![nullable, float],
                "
                    load.null r0
                    form.set r0, 0, r1
                ",
            )
        }),
        Box::new(|b| {
            let string = b.string();
            let nullable = b.nullable(string);
            (
                vec![nullable, string],
                "
                    load.null r0
                    concat r1, r0, r0
                ",
            )
        }),
        Box::new(|b| {
            let (int, string) = (b.int(), b.string());
            let nullable = b.nullable(string);
            (
                vec![nullable, int],
                "
                    load.null r0
                    str.len r1, r0
                ",
            )
        }),
        Box::new(|b| {
            let (bool, string) = (b.bool(), b.string());
            let nullable = b.nullable(string);
            (
                vec![nullable, bool],
                "
                    load.null r0
                    lt.s r1, r0, r0
                ",
            )
        }),
        Box::new(|b| {
            let int = b.int();
            let array = b.array(int);
            let nullable = b.nullable(array);
            (
                vec![nullable, int],
                "
                    load.null r0
                    array.len r1, r0
                ",
            )
        }),
        Box::new(|b| {
            let int = b.int();
            let shape = b.pick("Shape", &[("Empty", &[])]);
            let nullable = b.nullable(shape);
            (
                vec![nullable, int],
                "
                    load.null r0
                    pick.tag r1, r0
                ",
            )
        }),
    ];
    for build in cases {
        let text = message(|b| {
            let (registers, code) = build(b);
            (registers, format!("{code}\nret.void"))
        });
        assert_eq!(text, "null dereference");
    }
}

/// Converts string constant `text` with `op` (reading r0, writing r1 of type `result`).
fn parse(text: &str, float_result: bool) -> String {
    message(|b| {
        let string = b.string();
        let result = if float_result { b.float() } else { b.int() };
        let k = b.str_const(text);
        let op = if float_result {
            "parse.float r1, r0"
        } else {
            "parse.int r1, r0"
        };
        (
            vec![string, result],
            format!("load.const r0, k{k}\n{op}\nret.void"),
        )
    })
}

#[test]
fn invalid_numbers() {
    assert_eq!(parse("12x", false), r#"invalid int: "12x""#);
    assert_eq!(parse(" ", false), r#"invalid int: " ""#);
    assert_eq!(parse("1.5", false), r#"invalid int: "1.5""#);
    assert_eq!(
        parse("99999999999999999999", false),
        r#"invalid int: "99999999999999999999""#
    );
    assert_eq!(parse("1.2.3", true), r#"invalid float: "1.2.3""#);
    assert_eq!(parse("infinity", true), r#"invalid float: "infinity""#);
    assert_eq!(parse("", true), r#"invalid float: """#);
    for (value, text) in [
        (f64::NAN, "nan"),
        (f64::INFINITY, "inf"),
        (1e19, "1e+19"),
        (-9.3e18, "-9.3e+18"),
    ] {
        let error = message(|b| {
            let (int, float) = (b.int(), b.float());
            let k = b.constant(Constant::Float(value));
            (
                vec![float, int],
                format!(
                    "
                    load.const r0, k{k}
                    float.to.int r1, r0
                    ret.void
                "
                ),
            )
        });
        assert_eq!(error, format!("invalid int: \"{text}\""));
    }
}

#[test]
fn assertions_panic_and_throw() {
    let assert_false = message(|b| {
        let (bool, void) = (b.bool(), b.void());
        let assert = b.native("assert", &[bool], void);
        (
            vec![bool],
            format!(
                "
                load.bool r0, false
                call.native n{assert}, r0, r0
            "
            ),
        )
    });
    assert_eq!(assert_false, "assertion failed");
    let assert_msg = message(|b| {
        let (bool, string, void) = (b.bool(), b.string(), b.void());
        let assert = b.native("assert_msg", &[bool, string], void);
        let k = b.str_const("x must be positive");
        (
            vec![bool, string],
            format!(
                "
                load.bool r0, true
                load.const r1, k{k}
                call.native n{assert}, r0, r0
                load.bool r0, false
                call.native n{assert}, r0, r0
            "
            ),
        )
    });
    assert_eq!(assert_msg, "assertion failed: x must be positive");
    let panic = message(|b| {
        let (string, void) = (b.string(), b.void());
        let panic = b.native("panic", &[string], void);
        let k = b.str_const("something broke");
        (
            vec![string],
            format!(
                "
                load.const r0, k{k}
                call.native n{panic}, r0, r0
            "
            ),
        )
    });
    assert_eq!(panic, "something broke");
    let thrown = message(|b| {
        let string = b.string();
        let k = b.str_const("custom failure");
        (
            vec![string],
            format!(
                "
                load.const r0, k{k}
                throw r0
            "
            ),
        )
    });
    assert_eq!(thrown, "custom failure");
}

#[test]
fn pick_field_on_another_case_blames_the_bytecode() {
    // The verifier knows only that register 1 holds a `Shape`; compiled code reads a payload only
    // where the case is known, so this hand-made module is at fault, and no handler catches it.
    let mut b = Builder::new();
    let (int, string) = (b.int(), b.string());
    let shape = b.pick(
        "Shape",
        &[("Circle", &[("r", int)]), ("Square", &[("side", int)])],
    );
    let main = b.main(
        int,
        &[int, shape, string],
        "
            load.int r0, 5
            pick.new r1, 0, r0
            pick.field r0, r1, 1, 0
            ret r0
            ret r0
        ",
    );
    let mut module = b.build();
    module.functions[main as usize].handlers = vec![Handler {
        start_pc: 0,
        end_pc: 4,
        target_pc: 4,
        message_register: 2,
    }];
    let outcome = run(module);
    let error = outcome.error();
    assert_eq!(
        error.message,
        "invalid bytecode: pick.field on a value of another case"
    );
    assert_eq!(error.trace.len(), 1);
}

#[test]
fn step_limit() {
    let mut b = Builder::new();
    let void = b.void();
    b.main(
        void,
        &[],
        "
        0000  nop
        0001  jump @0
    ",
    );
    let config = VmConfig {
        max_steps: Some(1000),
        ..VmConfig::default()
    };
    let outcome = run_with(b.build(), config, "");
    let error = outcome.error();
    assert_eq!(error.message, "step limit of 1000 exceeded");
    assert_eq!(error.trace.len(), 1);
    assert_eq!(error.trace[0].function, "main");

    // Forward jumps do not count.
    let mut b = Builder::new();
    let int = b.int();
    b.main(
        int,
        &[int],
        "
            0000  jump @1
            0001  jump @2
            0002  load.int r0, 5
            0003  ret r0
        ",
    );
    let config = VmConfig {
        max_steps: Some(0),
        ..VmConfig::default()
    };
    assert_eq!(run_with(b.build(), config, "").code(), 5);
}

#[test]
fn output_before_an_error_stays_written() {
    let mut b = Builder::new();
    let (int, string, void) = (b.int(), b.string(), b.void());
    let print = b.print();
    let k = b.str_const("before");
    b.main(
        void,
        &[string, int],
        format!(
            "
            load.const r0, k{k}
            call.native n{print}, r0, r0
            div.i r1, r1, r1
            ret.void
        "
        ),
    );
    let outcome = run(b.build());
    assert_eq!(outcome.stdout, "before\n");
    assert_eq!(outcome.error().message, "division by zero");
}

#[test]
fn errors_in_init_have_a_trace_too() {
    let mut b = Builder::new();
    let (int, void) = (b.int(), b.void());
    let init = b.function(
        "<init>",
        0,
        void,
        &[int],
        "
            rem.i r0, r0, r0
            ret.void
        ",
    );
    b.module.init = Some(init);
    b.main(
        void,
        &[],
        "
        ret.void
    ",
    );
    let outcome = run(b.build());
    assert_eq!(outcome.error().message, "division by zero");
    assert_eq!(outcome.error().trace[0].function, "<init>");
}

#[test]
fn out_of_memory() {
    let text = message(|b| {
        let int = b.int();
        let ints = b.array(int);
        let k = b.constant(Constant::Int(1_000_000_000_000));
        (
            vec![ints, int],
            format!(
                "
                load.const r1, k{k}
                array.fill r0, r1, r1
            "
            ),
        )
    });
    assert_eq!(text, "out of memory: cannot allocate 8000000000000 bytes");

    // With a heap limit, a string that doubles in a loop hits the limit early.
    let mut b = Builder::new();
    let (string, void) = (b.string(), b.void());
    let k = b.str_const("x");
    b.main(
        void,
        &[string],
        format!(
            "
            0000  load.const r0, k{k}
            0001  concat r0, r0, r0
            0002  jump @1
        "
        ),
    );
    let mut vm = vitte_vm::Vm::new();
    vm.set_heap_limit(Some(1 << 20));
    vm.load_module(b.build()).unwrap();
    let error = vm.run().unwrap_err();
    assert_eq!(
        error.message, "heap limit of 1048576 bytes exceeded",
        "{error}"
    );
    assert!(vm.heap_stats().bytes < 3 << 20, "{:?}", vm.heap_stats());
}
