//! Interpreter tests: arithmetic, comparisons, jumps, conversions and string operations, on modules
//! built by hand.

mod interp_common;

use interp_common::{Builder, run};
use vitte_vm::bytecode::{Constant, Instr};

/// Applies `op` (writing r0 from r1 and r2) to two int constants and returns the printed result.
fn int_op(a: i64, b: i64, op: Instr) -> String {
    let mut builder = Builder::new();
    let (int, string, void) = (builder.int(), builder.string(), builder.void());
    let print = builder.print();
    let ka = builder.constant(Constant::Int(a));
    let kb = builder.constant(Constant::Int(b));
    builder.main(
        void,
        &[int, int, int, string],
        vec![
            Instr::LoadConst { dst: 1, index: ka },
            Instr::LoadConst { dst: 2, index: kb },
            op,
            Instr::IntToStr { dst: 3, src: 0 },
            Instr::CallNative {
                native: print,
                args: 3,
                dst: 3,
            },
            Instr::RetVoid {},
        ],
    );
    let outcome = run(builder.build());
    assert_eq!(outcome.code(), 0);
    outcome.stdout.trim_end().to_string()
}

/// Applies `op` (writing r0 from r1 and r2) to two float constants and returns the printed result.
fn float_op(a: f64, b: f64, op: Instr) -> String {
    let mut builder = Builder::new();
    let (float, string, void) = (builder.float(), builder.string(), builder.void());
    let print = builder.print();
    let ka = builder.constant(Constant::Float(a));
    let kb = builder.constant(Constant::Float(b));
    builder.main(
        void,
        &[float, float, float, string],
        vec![
            Instr::LoadConst { dst: 1, index: ka },
            Instr::LoadConst { dst: 2, index: kb },
            op,
            Instr::FloatToStr { dst: 3, src: 0 },
            Instr::CallNative {
                native: print,
                args: 3,
                dst: 3,
            },
            Instr::RetVoid {},
        ],
    );
    run(builder.build()).stdout.trim_end().to_string()
}

#[test]
fn int_arithmetic_wraps_and_truncates() {
    use Instr::*;
    assert_eq!(int_op(7, 5, AddI { dst: 0, a: 1, b: 2 }), "12");
    assert_eq!(int_op(7, 5, SubI { dst: 0, a: 1, b: 2 }), "2");
    assert_eq!(int_op(-7, 5, MulI { dst: 0, a: 1, b: 2 }), "-35");
    assert_eq!(int_op(-7, 2, DivI { dst: 0, a: 1, b: 2 }), "-3");
    assert_eq!(int_op(-7, 3, RemI { dst: 0, a: 1, b: 2 }), "-1");
    assert_eq!(int_op(7, -3, RemI { dst: 0, a: 1, b: 2 }), "1");
    assert_eq!(
        int_op(i64::MAX, 1, AddI { dst: 0, a: 1, b: 2 }),
        i64::MIN.to_string()
    );
    assert_eq!(
        int_op(i64::MIN, 1, SubI { dst: 0, a: 1, b: 2 }),
        i64::MAX.to_string()
    );
    assert_eq!(int_op(i64::MAX, 2, MulI { dst: 0, a: 1, b: 2 }), "-2");
    assert_eq!(
        int_op(i64::MIN, -1, DivI { dst: 0, a: 1, b: 2 }),
        i64::MIN.to_string()
    );
    assert_eq!(int_op(i64::MIN, -1, RemI { dst: 0, a: 1, b: 2 }), "0");
    assert_eq!(
        int_op(i64::MIN, 0, NegI { dst: 0, src: 1 }),
        i64::MIN.to_string()
    );
    assert_eq!(int_op(5, 0, NegI { dst: 0, src: 1 }), "-5");
    assert_eq!(
        int_op(
            40,
            0,
            AddIImm {
                dst: 0,
                a: 1,
                imm: 2
            }
        ),
        "42"
    );
    assert_eq!(
        int_op(
            i64::MAX,
            0,
            AddIImm {
                dst: 0,
                a: 1,
                imm: 1
            }
        ),
        i64::MIN.to_string()
    );
}

#[test]
fn float_arithmetic_follows_ieee() {
    use Instr::*;
    assert_eq!(float_op(7.5, 2.0, AddF { dst: 0, a: 1, b: 2 }), "9.5");
    assert_eq!(float_op(7.5, 2.0, SubF { dst: 0, a: 1, b: 2 }), "5.5");
    assert_eq!(float_op(7.5, 2.0, MulF { dst: 0, a: 1, b: 2 }), "15.0");
    assert_eq!(float_op(7.5, 2.0, DivF { dst: 0, a: 1, b: 2 }), "3.75");
    assert_eq!(float_op(1.0, 0.0, DivF { dst: 0, a: 1, b: 2 }), "inf");
    assert_eq!(float_op(-1.0, 0.0, DivF { dst: 0, a: 1, b: 2 }), "-inf");
    assert_eq!(float_op(0.0, 0.0, DivF { dst: 0, a: 1, b: 2 }), "nan");
    assert_eq!(float_op(-7.5, 2.0, RemF { dst: 0, a: 1, b: 2 }), "-1.5");
    assert_eq!(float_op(7.5, 0.0, NegF { dst: 0, src: 1 }), "-7.5");
    assert_eq!(
        float_op(0.1, 0.2, AddF { dst: 0, a: 1, b: 2 }),
        "0.30000000000000004"
    );
}

/// Evaluates comparison `op` (writing bool r0 from r1 and r2 of register type `ty`) and returns
/// the printed result.
fn compare(constants: [Constant; 2], string_operands: bool, op: Instr) -> String {
    let mut builder = Builder::new();
    let (bool, string, void) = (builder.bool(), builder.string(), builder.void());
    let operand = match (&constants[0], string_operands) {
        (_, true) => string,
        (Constant::Int(_), _) => builder.int(),
        (Constant::Float(_), _) => builder.float(),
        (Constant::Str(_), _) => string,
    };
    let print = builder.print();
    let [ka, kb] = constants.map(|constant| builder.constant(constant));
    builder.main(
        void,
        &[bool, operand, operand, string],
        vec![
            Instr::LoadConst { dst: 1, index: ka },
            Instr::LoadConst { dst: 2, index: kb },
            op,
            Instr::BoolToStr { dst: 3, src: 0 },
            Instr::CallNative {
                native: print,
                args: 3,
                dst: 3,
            },
            Instr::RetVoid {},
        ],
    );
    run(builder.build()).stdout.trim_end().to_string()
}

#[test]
fn comparisons() {
    use Constant::{Float as F, Int as I, Str as S};
    use Instr::*;
    let cases: Vec<([Constant; 2], Instr, &str)> = vec![
        ([I(1), I(2)], LtI { dst: 0, a: 1, b: 2 }, "true"),
        ([I(2), I(2)], LeI { dst: 0, a: 1, b: 2 }, "true"),
        ([I(-1), I(1)], LtI { dst: 0, a: 1, b: 2 }, "true"),
        ([I(3), I(3)], EqI { dst: 0, a: 1, b: 2 }, "true"),
        ([I(3), I(3)], NeI { dst: 0, a: 1, b: 2 }, "false"),
        (
            [F(f64::NAN), F(f64::NAN)],
            EqF { dst: 0, a: 1, b: 2 },
            "false",
        ),
        (
            [F(f64::NAN), F(f64::NAN)],
            NeF { dst: 0, a: 1, b: 2 },
            "true",
        ),
        ([F(0.5), F(1.5)], LtF { dst: 0, a: 1, b: 2 }, "true"),
        ([F(1.5), F(1.5)], LeF { dst: 0, a: 1, b: 2 }, "true"),
        (
            [S("abc".into()), S("abc".into())],
            EqS { dst: 0, a: 1, b: 2 },
            "true",
        ),
        (
            [S("abc".into()), S("abd".into())],
            NeS { dst: 0, a: 1, b: 2 },
            "true",
        ),
        (
            [S("ab".into()), S("abc".into())],
            LtS { dst: 0, a: 1, b: 2 },
            "true",
        ),
        (
            [S("b".into()), S("abc".into())],
            LtS { dst: 0, a: 1, b: 2 },
            "false",
        ),
        (
            [S("Z".into()), S("a".into())],
            LeS { dst: 0, a: 1, b: 2 },
            "true",
        ),
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
    let mut code = vec![
        Instr::LoadBool {
            dst: 0,
            value: true,
        },
        Instr::LoadBool {
            dst: 1,
            value: false,
        },
        Instr::LoadNull { dst: 3 },
        Instr::LoadNull { dst: 4 },
        Instr::LoadConst { dst: 5, index: k },
    ];
    for op in [
        Instr::EqB { dst: 2, a: 0, b: 1 },
        Instr::NeB { dst: 2, a: 0, b: 1 },
        Instr::Not { dst: 2, src: 1 },
        Instr::EqS { dst: 2, a: 3, b: 4 },
        Instr::EqS { dst: 2, a: 3, b: 5 },
        Instr::NeS { dst: 2, a: 5, b: 3 },
        Instr::EqRef { dst: 2, a: 3, b: 4 },
        Instr::NeRef { dst: 2, a: 3, b: 5 },
    ] {
        code.extend([
            op,
            Instr::BoolToStr { dst: 6, src: 2 },
            Instr::CallNative {
                native: print,
                args: 6,
                dst: 6,
            },
        ]);
    }
    code.push(Instr::RetVoid {});
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
        vec![
            Instr::LoadInt { dst: 0, value: 0 },
            Instr::LoadInt { dst: 1, value: 0 },
            Instr::LoadInt { dst: 2, value: 100 },
            Instr::JumpIfNotLeI {
                a: 1,
                b: 2,
                target: 7,
            },
            Instr::AddI { dst: 0, a: 0, b: 1 },
            Instr::AddIImm {
                dst: 1,
                a: 1,
                imm: 1,
            },
            Instr::Jump { target: 3 },
            Instr::Ret { src: 0 },
        ],
    );
    assert_eq!(run(b.build()).code(), 5050);

    // while i < 10 { i += 1 } using jump.if / jump.ifnot and lt.i
    let mut b = Builder::new();
    let (int, bool) = (b.int(), b.bool());
    b.main(
        int,
        &[int, int, bool],
        vec![
            Instr::LoadInt { dst: 0, value: 0 },
            Instr::LoadInt { dst: 1, value: 10 },
            Instr::LtI { dst: 2, a: 0, b: 1 },
            Instr::JumpIfNot { cond: 2, target: 6 },
            Instr::AddIImm {
                dst: 0,
                a: 0,
                imm: 1,
            },
            Instr::JumpIf { cond: 2, target: 2 },
            Instr::JumpIfNotLtI {
                a: 1,
                b: 0,
                target: 8,
            },
            Instr::Nop {},
            Instr::Ret { src: 0 },
        ],
    );
    assert_eq!(run(b.build()).code(), 10);
}

#[test]
fn exit_code_is_mains_int_and_zero_for_void() {
    let mut b = Builder::new();
    let int = b.int();
    b.main(
        int,
        &[int],
        vec![Instr::LoadInt { dst: 0, value: 3 }, Instr::Ret { src: 0 }],
    );
    assert_eq!(run(b.build()).code(), 3);

    let mut b = Builder::new();
    let void = b.void();
    b.main(void, &[], vec![Instr::RetVoid {}]);
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
    let mut code = vec![
        Instr::LoadInt { dst: 0, value: 7 },
        Instr::IntToFloat { dst: 1, src: 0 },
        Instr::FloatToStr { dst: 2, src: 1 },
        Instr::CallNative {
            native: print,
            args: 2,
            dst: 2,
        },
        Instr::LoadConst {
            dst: 1,
            index: k_float,
        },
        Instr::FloatToInt { dst: 0, src: 1 },
        Instr::IntToStr { dst: 2, src: 0 },
        Instr::CallNative {
            native: print,
            args: 2,
            dst: 2,
        },
    ];
    for (index, &constant) in constants.iter().enumerate() {
        code.push(Instr::LoadConst {
            dst: 3,
            index: constant,
        });
        if index < 3 {
            code.extend([
                Instr::ParseInt { dst: 0, src: 3 },
                Instr::IntToStr { dst: 2, src: 0 },
            ]);
        } else {
            code.extend([
                Instr::ParseFloat { dst: 1, src: 3 },
                Instr::FloatToStr { dst: 2, src: 1 },
            ]);
        }
        code.push(Instr::CallNative {
            native: print,
            args: 2,
            dst: 2,
        });
    }
    code.push(Instr::RetVoid {});
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
        vec![
            Instr::LoadConst {
                dst: 0,
                index: hello,
            },
            Instr::LoadConst {
                dst: 1,
                index: world,
            },
            Instr::Concat { dst: 2, a: 0, b: 1 },
            Instr::CallNative {
                native: print,
                args: 2,
                dst: 2,
            },
            Instr::StrLen { dst: 3, src: 0 },
            Instr::IntToStr { dst: 4, src: 3 },
            Instr::CallNative {
                native: print,
                args: 4,
                dst: 4,
            },
            Instr::RetVoid {},
        ],
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
        vec![
            Instr::LoadInt { dst: 0, value: 41 },
            Instr::SetGlobal {
                global: counter,
                src: 0,
            },
            Instr::LoadConst { dst: 1, index: k },
            Instr::SetGlobal {
                global: name,
                src: 1,
            },
            Instr::RetVoid {},
        ],
    );
    b.module.init = Some(init);
    b.main(
        int,
        &[int, string, int],
        vec![
            Instr::GetGlobal {
                dst: 0,
                global: counter,
            },
            Instr::GetGlobal {
                dst: 1,
                global: name,
            },
            Instr::StrLen { dst: 2, src: 1 },
            Instr::AddI { dst: 0, a: 0, b: 2 },
            Instr::AddIImm {
                dst: 0,
                a: 0,
                imm: -4,
            },
            Instr::Ret { src: 0 },
        ],
    );
    assert_eq!(run(b.build()).code(), 42);
}
