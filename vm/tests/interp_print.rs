//! Interpreter tests: how values print (`float.to.str`, `ref.to.str`, `bool.to.str`, `int.to.str`
//! followed by `print`), following the printing rules of the language reference.

use crate::interp_common::{Builder, run};
use vitte_vm::bytecode::Constant;

/// Prints each float with `float.to.str` and returns the lines.
fn print_floats(values: &[f64]) -> Vec<String> {
    let mut b = Builder::new();
    let (float, string, void) = (b.float(), b.string(), b.void());
    let print = b.print();
    let mut code = String::new();
    for &value in values {
        let k = b.constant(Constant::Float(value));
        code +=
            &format!("load.const r0, k{k}\nfloat.to.str r1, r0\ncall.native n{print}, r1, r1\n");
    }
    code += "ret.void";
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
        format!(
            "
            load.const r0, k{k_min}
            int.to.str r2, r0
            call.native n{print}, r2, r2
            load.bool r1, true
            bool.to.str r2, r1
            call.native n{print}, r2, r2
            load.bool r1, false
            bool.to.str r2, r1
            call.native n{print}, r2, r2
            ret.void
        "
        ),
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
    let show =
        |register: u16| format!("ref.to.str r14, r{register}\ncall.native n{print}, r14, r14\n");
    let mut code = format!(
        "
        load.const r0, k{k_a}
        load.const r1, k{k_b}
        array.new r2, r0, 2
        load.const r3, k{k_one}
        load.const r4, k{k_two}
        array.new r5, r3, 2
        map.new r6
        load.int r7, 1
        map.set r6, r0, r7
        load.int r7, 2
        map.set r6, r1, r7
        load.int r7, 1
        map.set r6, r0, r7
        map.new r8
        load.bool r9, true
        load.int r7, -3
        map.set r8, r7, r9
        form.new r10, r3
        form.new r11, r0
        pick.new r12, 1, r3
        pick.new r13, 0, r1
        load.null r15
        load.null r16
        array.new r17, r15, 2
    "
    );
    for register in [2, 5, 6, 8, 10, 11, 12, 13, 15, 17, 0] {
        code += &show(register);
    }
    code += &format!(
        "
        pick.new r12, 2, r0
        ref.to.str r14, r12
        call.native n{print}, r14, r14
        pick.new r12, 0, r4
        ref.to.str r14, r12
        call.native n{print}, r14, r14
        map.new r6
        ref.to.str r14, r6
        call.native n{print}, r14, r14
        array.new r5, r0, 0
        ref.to.str r14, r5
        call.native n{print}, r14, r14
        ret.void
        "
    );
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
        format!(
            "
            load.int r0, 1
            load.null r1
            form.new r2, r0
            form.set r2, 1, r2
            ref.to.str r3, r2
            call.native n{print}, r3, r3
            ret.void
        "
        ),
    );
    assert_eq!(
        run(b.build()).stdout,
        "Node { value: 1, next: Node {...} }\n"
    );
}
