//! Interpreter tests: arithmetic, comparisons, jumps, conversions and string operations, on modules
//! written in assembler text.

use crate::interp_common::{Builder, run};
use vitte_vm::bytecode::{Constant, Type};

/// Runs `op` (writing r0, of type `result`, from r1 and r2, of type `operand`) on two constants,
/// prints r0 with `to_str`, and returns the printed text.
fn binary_op(
    constants: [Constant; 2],
    [operand, result]: [Type; 2],
    to_str: &str,
    op: &str,
) -> String {
    let mut builder = Builder::new();
    let (string, void) = (builder.string(), builder.void());
    let (operand, result) = (builder.ty(operand), builder.ty(result));
    let print = builder.print();
    let [ka, kb] = constants.map(|constant| builder.constant(constant));
    builder.main(
        void,
        &[result, operand, operand, string],
        format!(
            "
            load.const r1, k{ka}
            load.const r2, k{kb}
            {op}
            {to_str} r3, r0
            call.native n{print}, r3, r3
            ret.void
            "
        ),
    );
    let outcome = run(builder.build());
    assert_eq!(outcome.code(), 0);
    outcome.stdout.trim_end().to_string()
}

/// Applies `op` (writing r0 from r1 and r2) to two int constants and returns the printed result.
fn int_op(a: i64, b: i64, op: &str) -> String {
    let constants = [Constant::Int(a), Constant::Int(b)];
    binary_op(constants, [Type::Int, Type::Int], "int.to.str", op)
}

/// Applies `op` (writing r0 from r1 and r2) to two float constants and returns the printed result.
fn float_op(a: f64, b: f64, op: &str) -> String {
    let constants = [Constant::Float(a), Constant::Float(b)];
    binary_op(constants, [Type::Float, Type::Float], "float.to.str", op)
}

#[test]
fn int_arithmetic_wraps_and_truncates() {
    assert_eq!(int_op(7, 5, "add.i r0, r1, r2"), "12");
    assert_eq!(int_op(7, 5, "sub.i r0, r1, r2"), "2");
    assert_eq!(int_op(-7, 5, "mul.i r0, r1, r2"), "-35");
    assert_eq!(int_op(-7, 2, "div.i r0, r1, r2"), "-3");
    assert_eq!(int_op(-7, 3, "rem.i r0, r1, r2"), "-1");
    assert_eq!(int_op(7, -3, "rem.i r0, r1, r2"), "1");
    assert_eq!(
        int_op(i64::MAX, 1, "add.i r0, r1, r2"),
        i64::MIN.to_string()
    );
    assert_eq!(
        int_op(i64::MIN, 1, "sub.i r0, r1, r2"),
        i64::MAX.to_string()
    );
    assert_eq!(int_op(i64::MAX, 2, "mul.i r0, r1, r2"), "-2");
    assert_eq!(
        int_op(i64::MIN, -1, "div.i r0, r1, r2"),
        i64::MIN.to_string()
    );
    assert_eq!(int_op(i64::MIN, -1, "rem.i r0, r1, r2"), "0");
    assert_eq!(int_op(i64::MIN, 0, "neg.i r0, r1"), i64::MIN.to_string());
    assert_eq!(int_op(5, 0, "neg.i r0, r1"), "-5");
    assert_eq!(int_op(40, 0, "add.i.imm r0, r1, 2"), "42");
    assert_eq!(
        int_op(i64::MAX, 0, "add.i.imm r0, r1, 1"),
        i64::MIN.to_string()
    );
}

#[test]
fn float_arithmetic_follows_ieee() {
    assert_eq!(float_op(7.5, 2.0, "add.f r0, r1, r2"), "9.5");
    assert_eq!(float_op(7.5, 2.0, "sub.f r0, r1, r2"), "5.5");
    assert_eq!(float_op(7.5, 2.0, "mul.f r0, r1, r2"), "15.0");
    assert_eq!(float_op(7.5, 2.0, "div.f r0, r1, r2"), "3.75");
    assert_eq!(float_op(1.0, 0.0, "div.f r0, r1, r2"), "inf");
    assert_eq!(float_op(-1.0, 0.0, "div.f r0, r1, r2"), "-inf");
    assert_eq!(float_op(0.0, 0.0, "div.f r0, r1, r2"), "nan");
    assert_eq!(float_op(-7.5, 2.0, "rem.f r0, r1, r2"), "-1.5");
    assert_eq!(float_op(7.5, 0.0, "neg.f r0, r1"), "-7.5");
    assert_eq!(
        float_op(0.1, 0.2, "add.f r0, r1, r2"),
        "0.30000000000000004"
    );
}

/// Evaluates comparison `op` (writing bool r0 from r1 and r2 of register type `ty`) and returns
/// the printed result.
fn compare(constants: [Constant; 2], string_operands: bool, op: &str) -> String {
    let operand = match (&constants[0], string_operands) {
        (Constant::Int(_), false) => Type::Int,
        (Constant::Float(_), false) => Type::Float,
        _ => Type::Str,
    };
    binary_op(constants, [operand, Type::Bool], "bool.to.str", op)
}

#[test]
fn comparisons() {
    use Constant::{Float as F, Int as I, Str as S};
    let cases: Vec<([Constant; 2], &str, &str)> = vec![
        ([I(1), I(2)], "lt.i r0, r1, r2", "true"),
        ([I(2), I(2)], "le.i r0, r1, r2", "true"),
        ([I(-1), I(1)], "lt.i r0, r1, r2", "true"),
        ([I(3), I(3)], "eq.i r0, r1, r2", "true"),
        ([I(3), I(3)], "ne.i r0, r1, r2", "false"),
        ([F(f64::NAN), F(f64::NAN)], "eq.f r0, r1, r2", "false"),
        ([F(f64::NAN), F(f64::NAN)], "ne.f r0, r1, r2", "true"),
        ([F(0.5), F(1.5)], "lt.f r0, r1, r2", "true"),
        ([F(1.5), F(1.5)], "le.f r0, r1, r2", "true"),
        (
            [S("abc".into()), S("abc".into())],
            "eq.s r0, r1, r2",
            "true",
        ),
        (
            [S("abc".into()), S("abd".into())],
            "ne.s r0, r1, r2",
            "true",
        ),
        ([S("ab".into()), S("abc".into())], "lt.s r0, r1, r2", "true"),
        ([S("b".into()), S("abc".into())], "lt.s r0, r1, r2", "false"),
        ([S("Z".into()), S("a".into())], "le.s r0, r1, r2", "true"),
    ];
    for (constants, op, expected) in cases {
        let string_operands = matches!(constants[0], Constant::Str(_));
        assert_eq!(compare(constants, string_operands, op), expected, "{op}");
    }
}

#[test]
fn bools_and_null_strings_compare() {
    let mut b = Builder::new();
    let (bool, string, void) = (b.bool(), b.string(), b.void());
    let nullable = b.nullable(string);
    let print = b.print();
    let k = b.str_const("x");
    let mut code = format!(
        "
        load.bool r0, true
        load.bool r1, false
        load.null r3
        load.null r4
        load.const r5, k{k}
        "
    );
    for op in [
        "eq.b r2, r0, r1",
        "ne.b r2, r0, r1",
        "not r2, r1",
        "eq.s r2, r3, r4",
        "eq.s r2, r3, r5",
        "ne.s r2, r5, r3",
        "eq.ref r2, r3, r4",
        "ne.ref r2, r3, r5",
    ] {
        code += &format!("{op}\nbool.to.str r6, r2\ncall.native n{print}, r6, r6\n");
    }
    code += "ret.void";
    b.main(
        void,
        &[bool, bool, bool, nullable, nullable, nullable, string],
        code,
    );
    let outcome = run(b.build());
    assert_eq!(
        outcome.stdout,
        "false\ntrue\ntrue\ntrue\nfalse\ntrue\ntrue\ntrue\n"
    );
}

#[test]
fn loops_with_fused_compare_and_branch() {
    // sum = 0; for i in 0..=100 { sum += i }; give sum
    let mut b = Builder::new();
    let int = b.int();
    b.main(
        int,
        &[int, int, int],
        "
        0000  load.int r0, 0
        0001  load.int r1, 0
        0002  load.int r2, 100
        0003  jump.ifnot.le.i r1, r2, @7
        0004  add.i r0, r0, r1
        0005  add.i.imm r1, r1, 1
        0006  jump @3
        0007  ret r0
        ",
    );
    assert_eq!(run(b.build()).code(), 5050);

    // while i < 10 { i += 1 } using jump.if / jump.ifnot and lt.i
    let mut b = Builder::new();
    let (int, bool) = (b.int(), b.bool());
    b.main(
        int,
        &[int, int, bool],
        "
        0000  load.int r0, 0
        0001  load.int r1, 10
        0002  lt.i r2, r0, r1
        0003  jump.ifnot r2, @6
        0004  add.i.imm r0, r0, 1
        0005  jump.if r2, @2
        0006  jump.ifnot.lt.i r1, r0, @8
        0007  nop
        0008  ret r0
        ",
    );
    assert_eq!(run(b.build()).code(), 10);
}

#[test]
fn exit_code_is_mains_int_and_zero_for_void() {
    let mut b = Builder::new();
    let int = b.int();
    b.main(int, &[int], "load.int r0, 3\nret r0");
    assert_eq!(run(b.build()).code(), 3);

    let mut b = Builder::new();
    let void = b.void();
    b.main(void, &[], "ret.void");
    assert_eq!(run(b.build()).code(), 0);
}

#[test]
fn conversions() {
    let mut b = Builder::new();
    let (int, float, string, void) = (b.int(), b.float(), b.string(), b.void());
    let print = b.print();
    let texts = ["  42 ", "-17", "+8", " 2.5e3 ", "-inf", "nan", ".5"];
    let constants: Vec<u32> = texts.iter().map(|text| b.str_const(text)).collect();
    let k_float = b.constant(Constant::Float(-3.99));
    let mut code = format!(
        "
        load.int r0, 7
        int.to.float r1, r0
        float.to.str r2, r1
        call.native n{print}, r2, r2
        load.const r1, k{k_float}
        float.to.int r0, r1
        int.to.str r2, r0
        call.native n{print}, r2, r2
        "
    );
    for (index, &constant) in constants.iter().enumerate() {
        code += &format!("load.const r3, k{constant}\n");
        if index < 3 {
            code += "parse.int r0, r3\nint.to.str r2, r0\n";
        } else {
            code += "parse.float r1, r3\nfloat.to.str r2, r1\n";
        }
        code += &format!("call.native n{print}, r2, r2\n");
    }
    code += "ret.void";
    b.main(void, &[int, float, string, string], code);
    assert_eq!(
        run(b.build()).stdout,
        "7.0\n-3\n42\n-17\n8\n2500.0\n-inf\nnan\n0.5\n"
    );
}

#[test]
fn string_operations() {
    let mut b = Builder::new();
    let (int, string, void) = (b.int(), b.string(), b.void());
    let print = b.print();
    let hello = b.str_const("héllo");
    let world = b.str_const(", world");
    b.main(
        void,
        &[string, string, string, int, string],
        format!(
            "
            load.const r0, k{hello}
            load.const r1, k{world}
            concat r2, r0, r1
            call.native n{print}, r2, r2
            str.len r3, r0
            int.to.str r4, r3
            call.native n{print}, r4, r4
            ret.void
            "
        ),
    );
    assert_eq!(run(b.build()).stdout, "héllo, world\n6\n");
}

#[test]
fn globals_are_initialised_by_init_before_main() {
    let mut b = Builder::new();
    let (int, string, void) = (b.int(), b.string(), b.void());
    let counter = b.global("counter", int);
    let name = b.global("name", string);
    let k = b.str_const("vitte");
    let init = b.function(
        "<init>",
        0,
        void,
        &[int, string],
        format!(
            "
            load.int r0, 41
            global.set g{counter}, r0
            load.const r1, k{k}
            global.set g{name}, r1
            ret.void
            "
        ),
    );
    b.module.init = Some(init);
    b.main(
        int,
        &[int, string, int],
        format!(
            "
            global.get r0, g{counter}
            global.get r1, g{name}
            str.len r2, r1
            add.i r0, r0, r2
            add.i.imm r0, r0, -4
            ret r0
            "
        ),
    );
    assert_eq!(run(b.build()).code(), 42);
}
