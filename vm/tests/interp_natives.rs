//! Interpreter tests: the built-in natives, binding natives at load, registering new ones, the
//! program's streams and arguments, and loading from bytes and files.

use std::io::BufWriter;

use crate::interp_common::{Builder, Capture, run, run_with};
use vitte_vm::bytecode::{Constant, Type, TypeId, format};
use vitte_vm::{LoadError, NativeSignature, NativeType, Vm, VmConfig};

/// Calls native `name` with constant arguments and returns what the result prints as, or the
/// runtime error's message. `signature` builds the parameter and return types.
fn call(
    name: &str,
    signature: impl FnOnce(&mut Builder) -> (Vec<TypeId>, TypeId),
    args: Vec<Constant>,
) -> Result<String, String> {
    let mut b = Builder::new();
    let (params, ret) = signature(&mut b);
    let (string, void) = (b.string(), b.void());
    let native = b.native(name, &params, ret);
    let print = b.print();
    let count = params.len();
    let mut code = String::new();
    for (register, arg) in args.into_iter().enumerate() {
        match arg {
            Constant::Int(value) if i32::try_from(value).is_ok() => {
                code += &format!("load.int r{register}, {value}\n");
            }
            arg => {
                let index = b.constant(arg);
                code += &format!("load.const r{register}, k{index}\n");
            }
        }
    }
    let (result, out) = (count, count + 1);
    code += &format!("call.native n{native}, r0, r{result}\n");
    let convert = match b.module.ty(ret) {
        Some(Type::Int) => Some("int.to.str"),
        Some(Type::Float) => Some("float.to.str"),
        Some(Type::Bool) => Some("bool.to.str"),
        Some(Type::Void) => None,
        _ => Some("ref.to.str"),
    };
    if let Some(convert) = convert {
        code += &format!("{convert} r{out}, r{result}\ncall.native n{print}, r{out}, r{out}\n");
    }
    code += "ret.void";
    let result_type = if b.module.ty(ret) == Some(&Type::Void) {
        string
    } else {
        ret
    };
    let mut registers = params.clone();
    registers.extend([result_type, string]);
    b.main(void, &registers, code);
    let outcome = run(b.build());
    match outcome.result {
        Ok(_) => Ok(outcome.stdout.trim_end_matches('\n').to_string()),
        Err(error) => Err(error.message),
    }
}

fn s(text: &str) -> Constant {
    Constant::Str(text.into())
}

fn string_int_int_to_string(b: &mut Builder) -> (Vec<TypeId>, TypeId) {
    let (int, string) = (b.int(), b.string());
    (vec![string, int, int], string)
}

fn two_strings_to(ret: Type) -> impl FnOnce(&mut Builder) -> (Vec<TypeId>, TypeId) {
    move |b| {
        let string = b.string();
        let ret = match ret {
            Type::Array(_) => b.array(string),
            other => b.ty(other),
        };
        (vec![string, string], ret)
    }
}

#[test]
fn substr_takes_byte_offsets() {
    let substr = |text: &str, start: i64, end: i64| {
        call(
            "substr",
            string_int_int_to_string,
            vec![s(text), Constant::Int(start), Constant::Int(end)],
        )
    };
    assert_eq!(substr("hello", 1, 3), Ok("el".into()));
    assert_eq!(substr("hello", 0, 5), Ok("hello".into()));
    assert_eq!(substr("hello", 5, 5), Ok("".into()));
    assert_eq!(
        substr("hello", -1, 2),
        Err("index out of bounds: index -1, length 5".into())
    );
    assert_eq!(
        substr("hello", 6, 7),
        Err("index out of bounds: index 6, length 5".into())
    );
    assert_eq!(
        substr("hello", 2, 9),
        Err("index out of bounds: index 9, length 5".into())
    );
    assert_eq!(
        substr("hello", 3, 2),
        Err("index out of bounds: index 2, length 5".into())
    );
    assert_eq!(
        substr("héllo", 2, 3),
        Err("invalid argument: byte 2 is inside a character".into())
    );
    assert_eq!(substr("héllo", 1, 3), Ok("é".into()));
}

#[test]
fn find_split_and_join() {
    let find = |text: &str, needle: &str| {
        call("find", two_strings_to(Type::Int), vec![s(text), s(needle)])
    };
    assert_eq!(find("hello", "ll"), Ok("2".into()));
    assert_eq!(find("hello", "z"), Ok("-1".into()));
    assert_eq!(find("hello", ""), Ok("0".into()));
    let split = |text: &str, sep: &str| {
        call(
            "split",
            two_strings_to(Type::Array(0)),
            vec![s(text), s(sep)],
        )
    };
    assert_eq!(split("a,,b", ","), Ok(r#"["a", "", "b"]"#.into()));
    assert_eq!(split("héj", ""), Ok(r#"["h", "é", "j"]"#.into()));
    assert_eq!(split("", ","), Ok(r#"[""]"#.into()));
    assert_eq!(split("a--b--", "--"), Ok(r#"["a", "b", ""]"#.into()));

    // join(split(s, ","), "+")
    let mut b = Builder::new();
    let (string, void) = (b.string(), b.void());
    let strings = b.array(string);
    let split = b.native("split", &[string, string], strings);
    let join = b.native("join", &[strings, string], string);
    let print = b.print();
    let (k_text, k_comma, k_plus) = (b.str_const("x,y,z"), b.str_const(","), b.str_const(" + "));
    b.main(
        void,
        &[string, string, strings, string],
        format!(
            "
            load.const r0, k{k_text}
            load.const r1, k{k_comma}
            call.native n{split}, r0, r2
            load.const r3, k{k_plus}
            call.native n{join}, r2, r0
            call.native n{print}, r0, r0
            ret.void
        "
        ),
    );
    assert_eq!(run(b.build()).stdout, "x + y + z\n");
}

#[test]
fn to_fixed_and_math() {
    let float_int = |b: &mut Builder| {
        let (int, float, string) = (b.int(), b.float(), b.string());
        (vec![float, int], string)
    };
    let to_fixed = |x: f64, digits: i64| {
        call(
            "to_fixed",
            float_int,
            vec![Constant::Float(x), Constant::Int(digits)],
        )
    };
    assert_eq!(to_fixed(1.0 / 3.0, 3), Ok("0.333".into()));
    assert_eq!(to_fixed(2.5, 0), Ok("3".into()));
    assert_eq!(to_fixed(-1.25, 1), Ok("-1.3".into()));
    assert_eq!(to_fixed(f64::INFINITY, 2), Ok("inf".into()));
    assert_eq!(
        to_fixed(1.0, 21),
        Err("invalid argument: to_fixed digits must be in 0..=20, got 21".into())
    );
    assert_eq!(
        to_fixed(1.0, -1),
        Err("invalid argument: to_fixed digits must be in 0..=20, got -1".into())
    );

    let float1 = |b: &mut Builder| {
        let float = b.float();
        (vec![float], float)
    };
    let float2 = |b: &mut Builder| {
        let float = b.float();
        (vec![float, float], float)
    };
    let int1 = |b: &mut Builder| {
        let int = b.int();
        (vec![int], int)
    };
    let int2 = |b: &mut Builder| {
        let int = b.int();
        (vec![int, int], int)
    };
    let f = Constant::Float;
    let i = Constant::Int;
    assert_eq!(
        call("sqrt", float1, vec![f(2.0)]),
        Ok("1.4142135623730951".into())
    );
    assert_eq!(call("sqrt", float1, vec![f(-1.0)]), Ok("nan".into()));
    assert_eq!(call("floor", float1, vec![f(-1.5)]), Ok("-2.0".into()));
    assert_eq!(call("ceil", float1, vec![f(1.2)]), Ok("2.0".into()));
    assert_eq!(call("abs_float", float1, vec![f(-0.5)]), Ok("0.5".into()));
    assert_eq!(
        call("pow", float2, vec![f(2.0), f(10.0)]),
        Ok("1024.0".into())
    );
    assert_eq!(
        call("min_float", float2, vec![f(2.0), f(-3.0)]),
        Ok("-3.0".into())
    );
    assert_eq!(
        call("max_float", float2, vec![f(2.0), f(-3.0)]),
        Ok("2.0".into())
    );
    assert_eq!(call("abs_int", int1, vec![i(-7)]), Ok("7".into()));
    assert_eq!(
        call("abs_int", int1, vec![i(i64::MIN)]),
        Ok(i64::MIN.to_string())
    );
    assert_eq!(call("min_int", int2, vec![i(4), i(-9)]), Ok("-9".into()));
    assert_eq!(call("max_int", int2, vec![i(4), i(-9)]), Ok("4".into()));
}

#[test]
fn clocks_count_forward() {
    let clock = |b: &mut Builder| (vec![], b.float());
    let seconds: f64 = call("clock", clock, vec![]).unwrap().parse().unwrap();
    assert!((0.0..60.0).contains(&seconds), "{seconds}");
    let now = |b: &mut Builder| (vec![], b.int());
    let millis: i64 = call("now_ms", now, vec![]).unwrap().parse().unwrap();
    assert!(millis > 1_600_000_000_000, "{millis}");
}

#[test]
fn args_and_read_line() {
    let mut b = Builder::new();
    let (string, void) = (b.string(), b.void());
    let strings = b.array(string);
    let nullable = b.nullable(string);
    let args = b.native("args", &[], strings);
    let read_line = b.native("read_line", &[], nullable);
    let print = b.print();
    let read_and_print_4_lines = format!(
        "call.native n{read_line}, r0, r2\nref.to.str r1, r2\ncall.native n{print}, r1, r1\n"
    )
    .repeat(4);
    b.main(
        void,
        &[strings, string, nullable],
        format!(
            "
            call.native n{args}, r0, r0
            ref.to.str r1, r0
            call.native n{print}, r1, r1
            {read_and_print_4_lines}
            ret.void
            "
        ),
    );
    let config = VmConfig {
        args: vec!["one".into(), "two words".into()],
        ..VmConfig::default()
    };
    let outcome = run_with(b.build(), config, "first\r\nsecond\nlast");
    assert_eq!(
        outcome.stdout,
        "[\"one\", \"two words\"]\nfirst\nsecond\nlast\nnull\n"
    );
}

#[test]
fn stdout_is_flushed_before_stderr_is_written() {
    let mut b = Builder::new();
    let (string, void) = (b.string(), b.void());
    let print = b.print();
    let eprint = b.native("eprint", &[string], void);
    let (k_a, k_b, k_c) = (
        b.str_const("out 1"),
        b.str_const("err"),
        b.str_const("out 2"),
    );
    b.main(
        void,
        &[string],
        format!(
            "
            load.const r0, k{k_a}
            call.native n{print}, r0, r0
            load.const r0, k{k_b}
            call.native n{eprint}, r0, r0
            load.const r0, k{k_c}
            call.native n{print}, r0, r0
            ret.void
        "
        ),
    );
    let both = Capture::default();
    let mut vm = Vm::new();
    vm.set_stdout(Box::new(BufWriter::new(both.clone())));
    vm.set_stderr(Box::new(both.clone()));
    vm.load_module(b.build()).unwrap();
    assert_eq!(vm.run().ok(), Some(0));
    // The last line was still in the BufWriter until the run ended.
    assert_eq!(both.text(), "out 1\nerr\nout 2\n");
}

#[test]
fn unknown_natives_and_wrong_signatures_fail_to_load() {
    let mut b = Builder::new();
    let (string, void) = (b.string(), b.void());
    b.native("no_such_native", &[string], void);
    b.main(
        void,
        &[],
        "
        ret.void
    ",
    );
    let error = Vm::new().load_module(b.build()).unwrap_err();
    assert!(matches!(&error, LoadError::Native { name, .. } if name == "no_such_native"));
    assert_eq!(
        error.to_string(),
        "unknown native function 'no_such_native'"
    );

    let mut b = Builder::new();
    let (int, float, void) = (b.int(), b.float(), b.void());
    b.native("sqrt", &[int], float);
    b.main(
        void,
        &[],
        "
        ret.void
    ",
    );
    let error = Vm::new().load_module(b.build()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "native function 'sqrt' is declared as (int) -> float, but the VM provides (float) -> float"
    );

    // Nullability does not matter, as for the verifier.
    let mut b = Builder::new();
    let (string, void) = (b.string(), b.void());
    let nullable = b.nullable(string);
    b.native("print", &[nullable], void);
    b.main(
        void,
        &[],
        "
        ret.void
    ",
    );
    assert!(Vm::new().load_module(b.build()).is_ok());
}

#[test]
fn embedders_can_register_natives() {
    let mut b = Builder::new();
    let (int, void) = (b.int(), b.void());
    let triple = b.native("triple", &[int], int);
    b.main(
        int,
        &[int],
        format!(
            "
            load.int r0, 14
            call.native n{triple}, r0, r0
            ret r0
        "
        ),
    );
    let _ = void;
    let mut vm = Vm::new();
    vm.natives_mut().register(
        "triple",
        NativeSignature::new([NativeType::Int], NativeType::Int),
        |_, args| Ok((args[0] as i64 * 3) as u64),
    );
    vm.load_module(b.build()).unwrap();
    assert_eq!(vm.run().ok(), Some(42));
}

#[test]
fn invalid_modules_and_bytes_are_refused() {
    let mut b = Builder::new();
    let int = b.int();
    b.main(
        int,
        &[int],
        "
        load.int r0, 1
    ",
    );
    let error = Vm::new().load_module(b.build()).unwrap_err();
    assert!(matches!(error, LoadError::Invalid { .. }), "{error}");
    assert!(error.to_string().starts_with("invalid module: "), "{error}");

    let error = Vm::new().load_bytes(b"not bytecode").unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid bytecode: not a .vitbc file (bad magic), at byte 0"
    );

    let error = Vm::new().load_file("does/not/exist.vitbc").unwrap_err();
    assert!(matches!(error, LoadError::Io { .. }));
    assert!(
        error
            .to_string()
            .starts_with("cannot read 'does/not/exist.vitbc': "),
        "{error}"
    );

    let error = Vm::new().run().unwrap_err();
    assert_eq!(error.message, "no program is loaded");
}

#[test]
fn modules_round_trip_through_bytes() {
    let mut b = Builder::new();
    let (int, string) = (b.int(), b.string());
    let print = b.print();
    let k = b.str_const("from bytes");
    b.main(
        int,
        &[string, int],
        format!(
            "
            load.const r0, k{k}
            call.native n{print}, r0, r0
            load.int r1, 7
            ret r1
        "
        ),
    );
    let bytes = format::write(&b.build());
    let stdout = Capture::default();
    let mut vm = Vm::new();
    vm.set_stdout(Box::new(stdout.clone()));
    vm.load_bytes(&bytes).unwrap();
    assert_eq!(vm.run().ok(), Some(7));
    assert_eq!(stdout.text(), "from bytes\n");

    let path = std::env::temp_dir().join(format!("vitte-interp-test-{}.vitbc", std::process::id()));
    std::fs::write(&path, &bytes).unwrap();
    let mut vm = Vm::new();
    vm.set_stdout(Box::new(stdout.clone()));
    let loaded = vm.load_file(&path);
    let _ = std::fs::remove_file(&path);
    loaded.unwrap();
    assert_eq!(vm.run().ok(), Some(7));
}
