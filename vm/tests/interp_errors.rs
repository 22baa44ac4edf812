//! Interpreter tests: every runtime error's exact message, and the stack trace attached to it.

mod interp_common;

use interp_common::{Builder, FILE, run, run_with};
use vitte_vm::bytecode::{Constant, Handler, Instr, TypeId};
use vitte_vm::{TraceFrame, VmConfig};

/// Runs a `void main` with these registers and code (a final `ret.void` is added), expecting a
/// runtime error; returns its message.
fn message(build: impl FnOnce(&mut Builder) -> (Vec<TypeId>, Vec<Instr>)) -> String {
    let mut b = Builder::new();
    let (registers, mut code) = build(&mut b);
    code.push(Instr::RetVoid {});
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
        vec![
            Instr::Nop {},
            Instr::Call {
                func: 1,
                args: 0,
                dst: 0,
            },
            Instr::RetVoid {},
        ],
    );
    b.module.entry = main;
    let f_line = b.next_line();
    b.function(
        "f",
        0,
        int,
        &[int],
        vec![
            Instr::Call {
                func: 2,
                args: 0,
                dst: 0,
            },
            Instr::Ret { src: 0 },
        ],
    );
    let g_line = b.next_line();
    b.function(
        "g",
        0,
        int,
        &[int, int, int],
        vec![
            Instr::LoadInt { dst: 0, value: 1 },
            Instr::LoadInt { dst: 1, value: 0 },
            Instr::DivI { dst: 2, a: 0, b: 1 },
            Instr::Ret { src: 2 },
        ],
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
            vec![
                Instr::LoadInt { dst: 0, value: 5 },
                Instr::RemI { dst: 1, a: 0, b: 1 },
                Instr::RetVoid {},
            ],
        )
    });
    assert_eq!(text, "division by zero");
}

/// An `[int]` of `[10, 20]` in r0, r1/r2 ints, then `tail`.
fn with_array(tail: Vec<Instr>) -> String {
    message(|b| {
        let int = b.int();
        let array = b.array(int);
        let mut code = vec![
            Instr::LoadInt { dst: 1, value: 10 },
            Instr::LoadInt { dst: 2, value: 20 },
            Instr::NewArray {
                dst: 0,
                first: 1,
                count: 2,
            },
        ];
        code.extend(tail);
        code.push(Instr::RetVoid {});
        (vec![array, int, int], code)
    })
}

#[test]
fn index_out_of_bounds() {
    assert_eq!(
        with_array(vec![
            Instr::LoadInt { dst: 1, value: 2 },
            Instr::ArrayGet {
                dst: 2,
                array: 0,
                index: 1
            }
        ]),
        "index out of bounds: index 2, length 2"
    );
    assert_eq!(
        with_array(vec![
            Instr::LoadInt { dst: 1, value: -1 },
            Instr::ArrayGet {
                dst: 2,
                array: 0,
                index: 1
            }
        ]),
        "index out of bounds: index -1, length 2"
    );
    assert_eq!(
        with_array(vec![
            Instr::LoadInt { dst: 1, value: 7 },
            Instr::ArraySet {
                array: 0,
                index: 1,
                src: 2
            }
        ]),
        "index out of bounds: index 7, length 2"
    );
    assert_eq!(
        with_array(vec![
            Instr::ArrayPop { dst: 1, array: 0 },
            Instr::ArrayPop { dst: 1, array: 0 },
            Instr::ArrayPop { dst: 1, array: 0 },
        ]),
        "index out of bounds: index -1, length 0"
    );
    assert_eq!(
        with_array(vec![
            Instr::LoadInt { dst: 1, value: -3 },
            Instr::ArrayFill {
                dst: 0,
                count: 1,
                value: 2
            }
        ]),
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
            vec![
                Instr::NewMap { dst: 0 },
                Instr::LoadConst { dst: 1, index: k },
                Instr::MapGet {
                    dst: 2,
                    map: 0,
                    key: 1,
                },
                Instr::RetVoid {},
            ],
        )
    });
    assert_eq!(text, r#"key not found: "mi\"ss""#);
    let text = message(|b| {
        let int = b.int();
        let map = b.map(int, int);
        (
            vec![map, int],
            vec![
                Instr::NewMap { dst: 0 },
                Instr::LoadInt { dst: 1, value: -7 },
                Instr::MapGet {
                    dst: 1,
                    map: 0,
                    key: 1,
                },
                Instr::RetVoid {},
            ],
        )
    });
    assert_eq!(text, "key not found: -7");
    let text = message(|b| {
        let (int, bool) = (b.int(), b.bool());
        let map = b.map(bool, int);
        (
            vec![map, bool, int],
            vec![
                Instr::NewMap { dst: 0 },
                Instr::LoadBool {
                    dst: 1,
                    value: true,
                },
                Instr::MapGet {
                    dst: 2,
                    map: 0,
                    key: 1,
                },
                Instr::RetVoid {},
            ],
        )
    });
    assert_eq!(text, "key not found: true");
}

/// Builds the registers and code of a test program.
type BuildFn = dyn Fn(&mut Builder) -> (Vec<TypeId>, Vec<Instr>);

#[test]
fn null_dereference() {
    let cases: Vec<Box<BuildFn>> = vec![
        Box::new(|b| {
            let float = b.float();
            let point = b.form("Point", &[("x", float)]);
            let nullable = b.nullable(point);
            (
                vec![nullable, float],
                vec![
                    Instr::LoadNull { dst: 0 },
                    Instr::GetField {
                        dst: 1,
                        object: 0,
                        field: 0,
                    },
                ],
            )
        }),
        Box::new(|b| {
            let float = b.float();
            let point = b.form("Point", &[("x", float)]);
            let nullable = b.nullable(point);
            (
                vec![nullable, float],
                vec![
                    Instr::LoadNull { dst: 0 },
                    Instr::SetField {
                        object: 0,
                        field: 0,
                        src: 1,
                    },
                ],
            )
        }),
        Box::new(|b| {
            let string = b.string();
            let nullable = b.nullable(string);
            (
                vec![nullable, string],
                vec![
                    Instr::LoadNull { dst: 0 },
                    Instr::Concat { dst: 1, a: 0, b: 0 },
                ],
            )
        }),
        Box::new(|b| {
            let (int, string) = (b.int(), b.string());
            let nullable = b.nullable(string);
            (
                vec![nullable, int],
                vec![Instr::LoadNull { dst: 0 }, Instr::StrLen { dst: 1, src: 0 }],
            )
        }),
        Box::new(|b| {
            let (bool, string) = (b.bool(), b.string());
            let nullable = b.nullable(string);
            (
                vec![nullable, bool],
                vec![
                    Instr::LoadNull { dst: 0 },
                    Instr::LtS { dst: 1, a: 0, b: 0 },
                ],
            )
        }),
        Box::new(|b| {
            let int = b.int();
            let array = b.array(int);
            let nullable = b.nullable(array);
            (
                vec![nullable, int],
                vec![
                    Instr::LoadNull { dst: 0 },
                    Instr::ArrayLen { dst: 1, array: 0 },
                ],
            )
        }),
        Box::new(|b| {
            let int = b.int();
            let shape = b.pick("Shape", &[("Empty", &[])]);
            let nullable = b.nullable(shape);
            (
                vec![nullable, int],
                vec![
                    Instr::LoadNull { dst: 0 },
                    Instr::PickTag { dst: 1, pick: 0 },
                ],
            )
        }),
    ];
    for build in cases {
        let text = message(|b| {
            let (registers, mut code) = build(b);
            code.push(Instr::RetVoid {});
            (registers, code)
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
            Instr::ParseFloat { dst: 1, src: 0 }
        } else {
            Instr::ParseInt { dst: 1, src: 0 }
        };
        (
            vec![string, result],
            vec![Instr::LoadConst { dst: 0, index: k }, op, Instr::RetVoid {}],
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
                vec![
                    Instr::LoadConst { dst: 0, index: k },
                    Instr::FloatToInt { dst: 1, src: 0 },
                    Instr::RetVoid {},
                ],
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
            vec![
                Instr::LoadBool {
                    dst: 0,
                    value: false,
                },
                Instr::CallNative {
                    native: assert,
                    args: 0,
                    dst: 0,
                },
            ],
        )
    });
    assert_eq!(assert_false, "assertion failed");
    let assert_msg = message(|b| {
        let (bool, string, void) = (b.bool(), b.string(), b.void());
        let assert = b.native("assert_msg", &[bool, string], void);
        let k = b.str_const("x must be positive");
        (
            vec![bool, string],
            vec![
                Instr::LoadBool {
                    dst: 0,
                    value: true,
                },
                Instr::LoadConst { dst: 1, index: k },
                Instr::CallNative {
                    native: assert,
                    args: 0,
                    dst: 0,
                },
                Instr::LoadBool {
                    dst: 0,
                    value: false,
                },
                Instr::CallNative {
                    native: assert,
                    args: 0,
                    dst: 0,
                },
            ],
        )
    });
    assert_eq!(assert_msg, "assertion failed: x must be positive");
    let panic = message(|b| {
        let (string, void) = (b.string(), b.void());
        let panic = b.native("panic", &[string], void);
        let k = b.str_const("something broke");
        (
            vec![string],
            vec![
                Instr::LoadConst { dst: 0, index: k },
                Instr::CallNative {
                    native: panic,
                    args: 0,
                    dst: 0,
                },
            ],
        )
    });
    assert_eq!(panic, "something broke");
    let thrown = message(|b| {
        let string = b.string();
        let k = b.str_const("custom failure");
        (
            vec![string],
            vec![
                Instr::LoadConst { dst: 0, index: k },
                Instr::Throw { message: 0 },
            ],
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
        vec![
            Instr::LoadInt { dst: 0, value: 5 },
            Instr::NewPick {
                dst: 1,
                case: 0,
                first: 0,
            },
            Instr::PickField {
                dst: 0,
                pick: 1,
                case: 1,
                field: 0,
            },
            Instr::Ret { src: 0 },
            Instr::Ret { src: 0 },
        ],
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
    b.main(void, &[], vec![Instr::Nop {}, Instr::Jump { target: 0 }]);
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
        vec![
            Instr::Jump { target: 1 },
            Instr::Jump { target: 2 },
            Instr::LoadInt { dst: 0, value: 5 },
            Instr::Ret { src: 0 },
        ],
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
        vec![
            Instr::LoadConst { dst: 0, index: k },
            Instr::CallNative {
                native: print,
                args: 0,
                dst: 0,
            },
            Instr::DivI { dst: 1, a: 1, b: 1 },
            Instr::RetVoid {},
        ],
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
        vec![Instr::RemI { dst: 0, a: 0, b: 0 }, Instr::RetVoid {}],
    );
    b.module.init = Some(init);
    b.main(void, &[], vec![Instr::RetVoid {}]);
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
            vec![
                Instr::LoadConst { dst: 1, index: k },
                Instr::ArrayFill {
                    dst: 0,
                    count: 1,
                    value: 1,
                },
            ],
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
        vec![
            Instr::LoadConst { dst: 0, index: k },
            Instr::Concat { dst: 0, a: 0, b: 0 },
            Instr::Jump { target: 1 },
        ],
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
