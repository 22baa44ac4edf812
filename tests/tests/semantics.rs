//! The interpreter and the JIT agree with the value rules of `vitte_vm::semantics` on their edge
//! cases: a compiled program reads operations from stdin (operands as text, so nothing is folded at
//! compile time), runs each through the instructions and built-ins, and prints the result or the
//! runtime error; every line must be what the semantics function gives, with the JIT off and with
//! every function compiled (`--jit=always`).

use std::path::PathBuf;

use vitte_tests::vitte;
use vitte_vm::Trap;
use vitte_vm::semantics::{Arith, Comparison, arith, compare, convert, strings};

/// Reads `KIND|OP|A|B|…` lines and prints the result of each, or `error: MESSAGE`.
const PROGRAM: &str = r#"
proc ints(op: string, a: int, b: int) -> string {
    if op == "+-*" { give str([a + b, a - b, a * b, -a]); }
    if op == "/" { give str(a / b); }
    if op == "%" { give str(a % b); }
    if op == "cmp" { give str([a == b, a != b, a < b, a <= b, a > b, a >= b]); }
    if op == "literal" { give str([a / -1, a % -1, a % 13, a / 7, a * 31]); }
    if op == "/0" { give str(a / 0); }
    if op == "%0" { give str(a % 0); }
    give "unknown int operation " + op;
}

proc floats(op: string, a: float, b: float) -> string {
    if op == "arith" { give str([a + b, a - b, a * b, a / b, a % b, -a]); }
    if op == "cmp" { give str([a == b, a != b, a < b, a <= b, a > b, a >= b]); }
    give "unknown float operation " + op;
}

proc strings(op: string, a: string, b: string) -> string {
    if op == "cmp" { give str([a == b, a != b, a < b, a <= b, a > b, a >= b]); }
    if op == "find" { give str(find(a, b)); }
    if op == "split" { give join(split(a, b), "/"); }
    give "unknown string operation " + op;
}

proc convert(op: string, w: [string]) -> string {
    if op == "int(float)" { give str(int(float(w[2]))); }
    if op == "int(str)" { give str(int(w[2])); }
    if op == "float(str)" { give str(float(w[2])); }
    if op == "float(int)" { give str(float(int(w[2]))); }
    if op == "to_fixed" { give to_fixed(float(w[2]), int(w[3])); }
    if op == "substr" { give substr(w[2], int(w[3]), int(w[4])); }
    give "unknown conversion " + op;
}

proc apply(w: [string]) -> string {
    let kind = w[0];
    if kind == "int" { give ints(w[1], int(w[2]), int(w[3])); }
    if kind == "float" { give floats(w[1], float(w[2]), float(w[3])); }
    if kind == "str" { give strings(w[1], w[2], w[3]); }
    if kind == "conv" { give convert(w[1], w); }
    give "unknown kind " + kind;
}

proc main() {
    while true {
        let line = read_line();
        if line == null {
            break;
        }
        try {
            print(apply(split(line, "|")));
        } catch e {
            print("error: " + e);
        }
    }
}
"#;

/// One operation for the program, and what the semantics say it gives.
struct Case {
    input: String,
    expected: String,
}

fn shown<T>(result: Result<T, Trap>, text: impl FnOnce(T) -> String) -> String {
    match result {
        Ok(value) => text(value),
        Err(trap) => format!("error: {}", trap.message),
    }
}

fn int_text(value: i64) -> String {
    convert::int_to_str(value).to_string()
}

/// An array as it prints: `[1, 2]`.
fn array_text(items: impl IntoIterator<Item = String>) -> String {
    format!("[{}]", items.into_iter().collect::<Vec<_>>().join(", "))
}

const INTS: [i64; 11] = [0, 1, -1, 3, -3, 7, -7, 13, i64::MIN, i64::MAX, i64::MIN + 1];
const FLOATS: [f64; 11] = [
    0.0,
    -0.0,
    1.5,
    -7.5,
    2.0,
    0.1,
    1e308,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
    -9.3e18,
];
const STRINGS: [&str; 7] = ["", "a", "B", "ab", "abc", "é", "z"];
/// The six comparisons, in the order of [`Comparison::ALL`] (the program lists them so), as they print.
fn comparisons(holds: impl Fn(Comparison) -> bool) -> String {
    array_text(Comparison::ALL.map(|op| convert::bool_to_str(holds(op)).to_string()))
}

fn int_cases(case: &mut impl FnMut(String, String)) {
    for a in INTS {
        for b in INTS {
            let wrapping = [Arith::Add, Arith::Sub, Arith::Mul]
                .map(|op| int_text(arith::int(op, a, b).expect("+ - * never fail")));
            let mut wrapping = wrapping.to_vec();
            wrapping.push(int_text(arith::neg_int(a)));
            case(format!("int|+-*|{a}|{b}"), array_text(wrapping));
            case(
                format!("int|/|{a}|{b}"),
                shown(arith::div_int(a, b), int_text),
            );
            case(
                format!("int|%|{a}|{b}"),
                shown(arith::rem_int(a, b), int_text),
            );
            case(
                format!("int|cmp|{a}|{b}"),
                comparisons(|op| compare::int(op, a, b)),
            );
        }
        let literal = [
            arith::div_int(a, -1),
            arith::rem_int(a, -1),
            arith::rem_int(a, 13),
            arith::div_int(a, 7),
            arith::int(Arith::Mul, a, 31),
        ];
        let literal = literal.map(|result| int_text(result.expect("no zero divisor")));
        case(format!("int|literal|{a}|0"), array_text(literal));
        case(
            format!("int|/0|{a}|0"),
            shown(arith::div_int(a, 0), int_text),
        );
        case(
            format!("int|%0|{a}|0"),
            shown(arith::rem_int(a, 0), int_text),
        );
        case(
            format!("conv|float(int)|{a}"),
            convert::float_to_str(convert::int_to_float(a)),
        );
    }
}

fn float_cases(case: &mut impl FnMut(String, String)) {
    let text = convert::float_to_str;
    for a in FLOATS {
        for b in FLOATS {
            let operations = [Arith::Add, Arith::Sub, Arith::Mul, Arith::Div, Arith::Rem];
            let mut results = operations.map(|op| text(arith::float(op, a, b))).to_vec();
            results.push(text(-a));
            case(
                format!("float|arith|{}|{}", text(a), text(b)),
                array_text(results),
            );
            case(
                format!("float|cmp|{}|{}", text(a), text(b)),
                comparisons(|op| compare::float(op, a, b)),
            );
        }
        case(
            format!("conv|int(float)|{}", text(a)),
            shown(convert::float_to_int(a), int_text),
        );
        for digits in [0, 2, 20, 21, -1] {
            case(
                format!("conv|to_fixed|{}|{digits}", text(a)),
                shown(convert::to_fixed(a, digits), |fixed| fixed),
            );
        }
    }
    for parsed in [
        "2.5", " inf ", "-inf", "nan", "1e3", "abc", "0x10", ".", "1e400",
    ] {
        case(
            format!("conv|float(str)|{parsed}"),
            shown(convert::parse_float(parsed), text),
        );
    }
}

fn string_cases(case: &mut impl FnMut(String, String)) {
    for a in STRINGS {
        for b in STRINGS {
            case(
                format!("str|cmp|{a}|{b}"),
                comparisons(|op| compare::str(op, a, b)),
            );
            case(format!("str|find|{a}|{b}"), int_text(strings::find(a, b)));
            case(
                format!("str|split|{a}|{b}"),
                strings::join(&strings::split(a, b), "/"),
            );
        }
    }
    for parsed in [
        " 42 ",
        "-7",
        "+7",
        "x",
        "",
        "1.5",
        "9223372036854775808",
        "-9223372036854775808",
    ] {
        case(
            format!("conv|int(str)|{parsed}"),
            shown(convert::parse_int(parsed), int_text),
        );
    }
    for (start, end) in [
        (0, 0),
        (1, 3),
        (0, 6),
        (2, 3),
        (-1, 2),
        (3, 2),
        (0, 7),
        (6, 6),
    ] {
        case(
            format!("conv|substr|héllo|{start}|{end}"),
            shown(strings::substr("héllo", start, end), str::to_string),
        );
    }
}

fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    let mut case = |input: String, expected: String| cases.push(Case { input, expected });
    int_cases(&mut case);
    float_cases(&mut case);
    string_cases(&mut case);
    cases
}

#[test]
fn the_interpreter_applies_the_semantics_rules() {
    check_engine("off", "the interpreter");
}

#[test]
fn compiled_code_applies_the_semantics_rules() {
    check_engine("always", "compiled code");
}

/// Runs the cases with `--jit=MODE` and compares every line with the semantics functions.
fn check_engine(mode: &str, engine: &str) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("semantics-{mode}"));
    std::fs::create_dir_all(&dir).expect("scratch folder");
    let program = dir.join("values.vit");
    std::fs::write(&program, PROGRAM).expect("write the program");
    let cases = cases();
    let stdin: String = cases
        .iter()
        .map(|case| format!("{}\n", case.input))
        .collect();
    let outcome = vitte(
        &[
            "run".into(),
            format!("--jit={mode}"),
            program.to_string_lossy().into_owned(),
        ],
        &stdin,
    );
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let printed: Vec<&str> = outcome.stdout.lines().collect();
    assert_eq!(printed.len(), cases.len(), "{}", outcome.stdout);
    let differences: Vec<String> = cases
        .iter()
        .zip(&printed)
        .filter(|(case, printed)| case.expected != **printed)
        .map(|(case, printed)| {
            format!(
                "{}: {engine} gives {printed}, the semantics {}",
                case.input, case.expected
            )
        })
        .collect();
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}
