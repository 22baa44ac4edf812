//! Interpreter tests: how values print (`float.to.str`, `ref.to.str`, `bool.to.str`, `int.to.str`
//! followed by `print`), following the printing rules of the language reference.

mod interp_common;

use interp_common::{Builder, run};
use vitte_vm::bytecode::{Constant, Instr};

/// Prints each float with `float.to.str` and returns the lines.
fn print_floats(values: &[f64]) -> Vec<String> {
    let mut b = Builder::new();
    let (float, string, void) = (b.float(), b.string(), b.void());
    let print = b.print();
    let mut code = Vec::new();
    for &value in values {
        let k = b.constant(Constant::Float(value));
        code.extend([
            Instr::LoadConst { dst: 0, index: k },
            Instr::FloatToStr { dst: 1, src: 0 },
            Instr::CallNative {
                native: print,
                args: 1,
                dst: 1,
            },
        ]);
    }
    code.push(Instr::RetVoid {});
    b.main(void, &[float, string], code);
    run(b.build()).stdout.lines().map(str::to_string).collect()
}

#[test]
fn floats_print_as_python_repr() {
    let table: &[(f64, &str)] = &[
        (1.0, "1.0"),
        (0.1, "0.1"),
        (100.0, "100.0"),
        (1e16, "1e+16"),
        (1e-05, "1e-05"),
        (1.5e20, "1.5e+20"),
        (f64::NAN, "nan"),
        (f64::INFINITY, "inf"),
        (f64::NEG_INFINITY, "-inf"),
        (-0.0, "-0.0"),
        (1234567890123456.0, "1234567890123456.0"),
        (0.30000000000000004, "0.30000000000000004"),
        (2.5e-07, "2.5e-07"),
        (0.0001, "0.0001"),
        (std::f64::consts::PI, "3.141592653589793"),
        (-2.0, "-2.0"),
        (1e15, "1000000000000000.0"),
        (123456789.125, "123456789.125"),
    ];
    let values: Vec<f64> = table.iter().map(|&(value, _)| value).collect();
    let expected: Vec<&str> = table.iter().map(|&(_, text)| text).collect();
    assert_eq!(print_floats(&values), expected);
}

#[test]
fn ints_and_bools_print_plainly() {
    let mut b = Builder::new();
    let (int, bool, string, void) = (b.int(), b.bool(), b.string(), b.void());
    let print = b.print();
    let k_min = b.constant(Constant::Int(i64::MIN));
    b.main(
        void,
        &[int, bool, string],
        vec![
            Instr::LoadConst {
                dst: 0,
                index: k_min,
            },
            Instr::IntToStr { dst: 2, src: 0 },
            Instr::CallNative {
                native: print,
                args: 2,
                dst: 2,
            },
            Instr::LoadBool {
                dst: 1,
                value: true,
            },
            Instr::BoolToStr { dst: 2, src: 1 },
            Instr::CallNative {
                native: print,
                args: 2,
                dst: 2,
            },
            Instr::LoadBool {
                dst: 1,
                value: false,
            },
            Instr::BoolToStr { dst: 2, src: 1 },
            Instr::CallNative {
                native: print,
                args: 2,
                dst: 2,
            },
            Instr::RetVoid {},
        ],
    );
    assert_eq!(run(b.build()).stdout, "-9223372036854775808\ntrue\nfalse\n");
}

#[test]
fn containers_print_with_quoted_strings() {
    let mut b = Builder::new();
    let (int, float, bool, string, void) = (b.int(), b.float(), b.bool(), b.string(), b.void());
    let strings = b.array(string);
    let nullable_string = b.nullable(string);
    let maybe_strings = b.array(nullable_string);
    let floats = b.array(float);
    let by_name = b.map(string, int);
    let by_int = b.map(int, bool);
    let point = b.form("Point", &[("x", float), ("y", float)]);
    let unit = b.form("Unit", &[]);
    let shape = b.pick(
        "Shape",
        &[
            ("Circle", &[("r", float)]),
            ("Rect", &[("w", float), ("h", float)]),
            ("Empty", &[]),
        ],
    );
    let labelled = b.pick("Label", &[("Text", &[("s", string)])]);
    let print = b.print();
    let k_a = b.str_const("a");
    let k_b = b.str_const("say \"hi\"\n\t\\");
    let k_one = b.constant(Constant::Float(1.0));
    let k_two = b.constant(Constant::Float(2.5));
    // registers
    let regs = [
        string,          // r0  a
        string,          // r1  b
        strings,         // r2
        float,           // r3  1.0
        float,           // r4  2.5
        floats,          // r5
        by_name,         // r6
        int,             // r7
        by_int,          // r8
        bool,            // r9
        point,           // r10
        unit,            // r11
        shape,           // r12
        labelled,        // r13
        string,          // r14 out
        nullable_string, // r15 null
        nullable_string, // r16 null
        maybe_strings,   // r17
    ];
    let show = |register: u16| {
        [
            Instr::RefToStr {
                dst: 14,
                src: register,
            },
            Instr::CallNative {
                native: print,
                args: 14,
                dst: 14,
            },
        ]
    };
    let mut code = vec![
        Instr::LoadConst { dst: 0, index: k_a },
        Instr::LoadConst { dst: 1, index: k_b },
        Instr::NewArray {
            dst: 2,
            first: 0,
            count: 2,
        },
        Instr::LoadConst {
            dst: 3,
            index: k_one,
        },
        Instr::LoadConst {
            dst: 4,
            index: k_two,
        },
        Instr::NewArray {
            dst: 5,
            first: 3,
            count: 2,
        },
        Instr::NewMap { dst: 6 },
        Instr::LoadInt { dst: 7, value: 1 },
        Instr::MapSet {
            map: 6,
            key: 0,
            src: 7,
        },
        Instr::LoadInt { dst: 7, value: 2 },
        Instr::MapSet {
            map: 6,
            key: 1,
            src: 7,
        },
        Instr::LoadInt { dst: 7, value: 1 },
        Instr::MapSet {
            map: 6,
            key: 0,
            src: 7,
        },
        Instr::NewMap { dst: 8 },
        Instr::LoadBool {
            dst: 9,
            value: true,
        },
        Instr::LoadInt { dst: 7, value: -3 },
        Instr::MapSet {
            map: 8,
            key: 7,
            src: 9,
        },
        Instr::NewForm { dst: 10, first: 3 },
        Instr::NewForm { dst: 11, first: 0 },
        Instr::NewPick {
            dst: 12,
            case: 1,
            first: 3,
        },
        Instr::NewPick {
            dst: 13,
            case: 0,
            first: 1,
        },
        Instr::LoadNull { dst: 15 },
        Instr::LoadNull { dst: 16 },
        Instr::NewArray {
            dst: 17,
            first: 15,
            count: 2,
        },
    ];
    for register in [2, 5, 6, 8, 10, 11, 12, 13, 15, 17, 0] {
        code.extend(show(register));
    }
    code.extend([
        Instr::NewPick {
            dst: 12,
            case: 2,
            first: 0,
        },
        Instr::RefToStr { dst: 14, src: 12 },
        Instr::CallNative {
            native: print,
            args: 14,
            dst: 14,
        },
        Instr::NewPick {
            dst: 12,
            case: 0,
            first: 4,
        },
        Instr::RefToStr { dst: 14, src: 12 },
        Instr::CallNative {
            native: print,
            args: 14,
            dst: 14,
        },
        Instr::NewMap { dst: 6 },
        Instr::RefToStr { dst: 14, src: 6 },
        Instr::CallNative {
            native: print,
            args: 14,
            dst: 14,
        },
        Instr::NewArray {
            dst: 5,
            first: 0,
            count: 0,
        },
        Instr::RefToStr { dst: 14, src: 5 },
        Instr::CallNative {
            native: print,
            args: 14,
            dst: 14,
        },
        Instr::RetVoid {},
    ]);
    b.main(void, &regs, code);
    let outcome = run(b.build());
    let expected = [
        r#"["a", "say \"hi\"\n\t\\"]"#,
        "[1.0, 2.5]",
        r#"{"a": 1, "say \"hi\"\n\t\\": 2}"#,
        "{-3: true}",
        "Point { x: 1.0, y: 2.5 }",
        "Unit {}",
        "Rect(1.0, 2.5)",
        r#"Text("say \"hi\"\n\t\\")"#,
        "null",
        "[null, null]",
        "a",
        "Empty",
        "Circle(2.5)",
        "{}",
        "[]",
    ];
    assert_eq!(outcome.stdout.lines().collect::<Vec<_>>(), expected);
}

#[test]
fn a_form_that_reaches_itself_prints_once() {
    let mut b = Builder::new();
    let (int, string, void) = (b.int(), b.string(), b.void());
    let node = b.form("Node", &[("value", int), ("next", int)]);
    let nullable = b.nullable(node);
    b.module.forms[0].fields[1].ty = nullable;
    let print = b.print();
    b.main(
        void,
        &[int, nullable, node, string],
        vec![
            Instr::LoadInt { dst: 0, value: 1 },
            Instr::LoadNull { dst: 1 },
            Instr::NewForm { dst: 2, first: 0 },
            Instr::SetField {
                object: 2,
                field: 1,
                src: 2,
            },
            Instr::RefToStr { dst: 3, src: 2 },
            Instr::CallNative {
                native: print,
                args: 3,
                dst: 3,
            },
            Instr::RetVoid {},
        ],
    );
    assert_eq!(
        run(b.build()).stdout,
        "Node { value: 1, next: Node {...} }\n"
    );
}
