//! The verifier: every rule rejects a crafted module with the expected message and location, the
//! valid samples pass, and verifier errors read from a file point at the offending bytes.

use crate::bytecode_common::*;
use vitte_vm::bytecode::format;
use vitte_vm::bytecode::isa::{Instr, OperandKind};
use vitte_vm::bytecode::verify::{Location, MAX_REGISTERS, MAX_TYPE_DEPTH, VerifyError, verify};
use vitte_vm::bytecode::{
    CaseDef, FieldDef, Function, FunctionDebug, Handler, LineEntry, LocalVar, Module, Type, TypeId,
};

/// Index of the function `with_function` adds.
const TEST_FN: u32 = 4;

/// `base()` plus a `void` function `t` with these registers and this code (a final `ret.void` is
/// added).
fn with_function(registers: &[TypeId], text: &str) -> Module {
    let code = code(&format!("{text}\nret.void"));
    let mut module = base();
    module.functions.push(Function {
        name: "t".into(),
        param_count: 0,
        ret: VOID,
        registers: registers.to_vec(),
        code,
        handlers: Vec::new(),
        debug: FunctionDebug::default(),
    });
    module
}

fn rejected(module: &Module) -> VerifyError {
    match verify(module) {
        Ok(()) => panic!("the module was accepted"),
        Err(error) => error,
    }
}

/// Asserts that `module` is refused at `location` with a message containing `needle`.
#[track_caller]
fn refuses(module: &Module, location: Location, needle: &str) {
    let error = rejected(module);
    assert_eq!(error.location, location, "{error}");
    assert!(
        error.message.contains(needle),
        "expected {needle:?} in:\n{error}"
    );
    assert!(!error.message.ends_with('.'), "{error}");
}

/// Asserts that the test function's instruction `pc` is refused with a message containing `needle`.
#[track_caller]
fn bad_at(pc: u32, registers: &[TypeId], code: &str, needle: &str) {
    refuses(
        &with_function(registers, code),
        Location::Instr { func: TEST_FN, pc },
        needle,
    );
}

#[track_caller]
fn bad(registers: &[TypeId], code: &str, needle: &str) {
    bad_at(0, registers, code, needle);
}

#[track_caller]
fn good(registers: &[TypeId], code: &str) {
    if let Err(error) = verify(&with_function(registers, code)) {
        panic!("refused: {error}");
    }
}

#[test]
fn the_samples_pass() {
    for (name, module) in samples() {
        if let Err(error) = verify(&module) {
            panic!("{name}: {error}");
        }
        assert_runnable(&module);
    }
}

#[test]
fn error_messages_say_where_with_names() {
    let error = rejected(&with_function(&[INT, FLOAT], "add.i r0, r0, r1"));
    assert_eq!(
        error.to_string(),
        "function 4 (t), pc 0 (add.i r0, r0, r1): operand b (r1) must be int, not float"
    );
    let mut module = base();
    module.globals[1].ty = VOID;
    assert_eq!(
        rejected(&module).to_string(),
        "global 1 (util.names): its type is void"
    );
}

// ---- the type table ----

#[test]
fn type_references_must_be_in_range() {
    let mut module = base();
    module.types.push(Type::Array(999));
    refuses(
        &module,
        Location::Type(17),
        "refers to type 999, but the table has 18 types",
    );
    let mut module = base();
    module.types.push(Type::Map(STR, 18));
    refuses(&module, Location::Type(17), "refers to type 18");
    let mut module = base();
    module.types.push(Type::Form(3));
    refuses(
        &module,
        Location::Type(17),
        "form 3 does not exist (1 forms)",
    );
    let mut module = base();
    module.types.push(Type::Pick(1));
    refuses(
        &module,
        Location::Type(17),
        "pick 1 does not exist (1 picks)",
    );
}

#[test]
fn types_cannot_contain_themselves() {
    let mut module = base();
    module.types.push(Type::Nullable(17));
    refuses(&module, Location::Type(17), "contains itself");
    let mut module = base();
    module.types.push(Type::Array(18));
    module.types.push(Type::Nullable(19));
    module.types.push(Type::Chan(17));
    let error = rejected(&module);
    assert!(error.message.contains("contains itself"), "{error}");
    assert!(matches!(error.location, Location::Type(17..=19)));
    // Two maps, each of the other to the other: the error names the type in bounded time and length.
    let mut module = base();
    module.types.push(Type::Map(18, 18));
    module.types.push(Type::Map(17, 17));
    let error = rejected(&module);
    assert!(error.message.contains("contains itself"), "{error}");
    assert!(error.message.len() < 2000, "{} bytes", error.message.len());
}

#[test]
fn types_nest_a_bounded_depth() {
    let mut module = base();
    let mut id = INT;
    for _ in 0..MAX_TYPE_DEPTH {
        id = module.intern_type(Type::Array(id));
    }
    refuses(&module, Location::Type(id), "nests deeper than 64 levels");
    module.types.pop();
    verify(&module).unwrap();
}

#[test]
fn only_reference_types_are_nullable() {
    for inner in [INT, FLOAT, BOOL, VOID] {
        let mut module = base();
        module.types.push(Type::Nullable(inner));
        refuses(
            &module,
            Location::Type(17),
            "only reference types can be nullable",
        );
    }
    // `??string` is harmless (same representation) and allowed.
    let mut module = base();
    module.types.push(Type::Nullable(NSTR));
    verify(&module).unwrap();
}

#[test]
fn map_keys_are_int_string_or_bool() {
    for key in [FLOAT, NSTR, INTS, POINT, VOID] {
        let mut module = base();
        module.types.push(Type::Map(key, INT));
        refuses(
            &module,
            Location::Type(17),
            "map keys must be int, string or bool",
        );
    }
    for key in [INT, STR, BOOL] {
        let mut module = base();
        module.types.push(Type::Map(key, POINT));
        verify(&module).unwrap();
    }
}

#[test]
fn components_are_not_void() {
    for (ty, needle) in [
        (Type::Array(VOID), "void elements"),
        (Type::Chan(VOID), "void elements"),
        (Type::Map(INT, VOID), "void values"),
    ] {
        let mut module = base();
        module.types.push(ty);
        refuses(&module, Location::Type(17), needle);
    }
}

// ---- forms, picks, globals, natives ----

#[test]
fn field_types_are_in_range_and_not_void() {
    let mut module = base();
    module.forms[0].fields.push(FieldDef {
        name: "z".into(),
        ty: VOID,
    });
    refuses(
        &module,
        Location::Form(0),
        "form 0 (Point): the type of field 2 (z) is void",
    );
    let mut module = base();
    module.forms[0].fields[0].ty = 50;
    refuses(
        &module,
        Location::Form(0),
        "field 0 (x) is type 50, but the table has 17 types",
    );
    let mut module = base();
    module.picks[0].cases.push(CaseDef {
        name: "Bad".into(),
        fields: vec![FieldDef {
            name: "v".into(),
            ty: VOID,
        }],
    });
    refuses(
        &module,
        Location::Pick(0),
        "pick 0 (Shape): the type of case 3 (Bad) field 0 (v) is void",
    );
    let mut module = base();
    module.picks[0].cases[1].fields[1].ty = 17;
    refuses(
        &module,
        Location::Pick(0),
        "case 1 (Rect) field 1 (h) is type 17",
    );
}

#[test]
fn globals_and_natives_have_valid_types() {
    let mut module = base();
    module.globals[0].ty = 17;
    refuses(
        &module,
        Location::Global(0),
        "global 0 (counter): its type is type 17",
    );
    let mut module = base();
    module.natives[1].params.push(VOID);
    refuses(
        &module,
        Location::Native(1),
        "native 1 (sqrt): parameter 1 is void",
    );
    let mut module = base();
    module.natives[2].ret = 99;
    refuses(&module, Location::Native(2), "the return type is type 99");
}

// ---- function signatures ----

#[test]
fn function_signatures() {
    let mut module = base();
    module.functions[HELPER as usize].registers = vec![INT; MAX_REGISTERS + 1];
    refuses(
        &module,
        Location::Function(HELPER),
        "65536 registers (at most 65535)",
    );
    let mut module = base();
    module.functions[HELPER as usize].param_count = 4;
    refuses(
        &module,
        Location::Function(HELPER),
        "4 parameters but only 3 registers",
    );
    let mut module = base();
    module.functions[HELPER as usize].registers[2] = VOID;
    refuses(
        &module,
        Location::Function(HELPER),
        "the type of register r2 is void",
    );
    let mut module = base();
    module.functions[HELPER as usize].registers[0] = 40;
    refuses(
        &module,
        Location::Function(HELPER),
        "the type of register r0 is type 40",
    );
    let mut module = base();
    module.functions[HELPER as usize].ret = 40;
    refuses(
        &module,
        Location::Function(HELPER),
        "the return type is type 40",
    );
    // The maximum itself is fine.
    let registers = vec![INT; MAX_REGISTERS];
    good(&registers, "load.int r65534, 1");
}

#[test]
fn code_is_non_empty_and_cannot_run_off_the_end() {
    let mut module = base();
    module.functions[HELPER as usize].code.clear();
    refuses(
        &module,
        Location::Function(HELPER),
        "function 1 (util.helper): no code",
    );
    for last in [
        "nop",
        "jump.if r0, @0",
        "jump.ifnot r0, @0",
        "call f2, r0, r0",
    ] {
        let mut module = with_function(&[BOOL], "");
        module.functions[TEST_FN as usize].code = code(&format!("load.bool r0, true\n{last}"));
        refuses(
            &module,
            Location::Instr {
                func: TEST_FN,
                pc: 1,
            },
            "the last instruction must be jump, ret, ret.void or throw",
        );
    }
    for last in ["jump @0", "throw r0"] {
        let mut module = with_function(&[STR], "");
        module.functions[TEST_FN as usize].code = code(last);
        verify(&module).unwrap();
    }
}

// ---- entry and init ----

#[test]
fn entry_and_init_functions() {
    let mut module = base();
    module.entry = 9;
    refuses(
        &module,
        Location::Entry,
        "entry function: function 9 does not exist (4 functions)",
    );
    let mut module = base();
    module.entry = HELPER;
    refuses(
        &module,
        Location::Entry,
        "util.helper must take no parameters (takes 2)",
    );
    let mut module = base();
    module.functions[MAIN as usize].registers = vec![STR];
    module.functions[MAIN as usize].ret = STR;
    module.functions[MAIN as usize].code = code(
        "
            load.const r0, k2
            ret r0
        ",
    );
    refuses(
        &module,
        Location::Entry,
        "main must return void or int, not string",
    );
    let mut module = base();
    module.init = Some(MAIN);
    refuses(
        &module,
        Location::Init,
        "main must take no parameters and return void",
    );
    let mut module = base();
    module.init = Some(4);
    refuses(
        &module,
        Location::Init,
        "function 4 does not exist (4 functions)",
    );
    let mut module = base();
    module.init = None;
    verify(&module).unwrap();
}

// ---- operands checked from the operand table ----

#[test]
fn fixed_type_registers() {
    bad(
        &[INT, INT],
        "add.i r0, r1, r2",
        "register r2 is out of range (the function has 2 registers)",
    );
    bad(
        &[INT, FLOAT],
        "add.i r0, r0, r1",
        "operand b (r1) must be int, not float",
    );
    bad(
        &[FLOAT, INT],
        "add.f r0, r0, r1",
        "operand b (r1) must be float, not int",
    );
    bad(
        &[BOOL, INT],
        "not r0, r1",
        "operand src (r1) must be bool, not int",
    );
    bad(
        &[BOOL, STRS],
        "eq.s r0, r1, r1",
        "operand a (r1) must be string, not [string]",
    );
    bad(
        &[INT],
        "load.bool r0, true",
        "operand dst (r0) must be bool, not int",
    );
    // `RegS` takes `?string` too.
    good(
        &[BOOL, STR, NSTR],
        "
            eq.s r0, r1, r2
            concat r2, r2, r1
        ",
    );
    good(&[NSTR], "throw r0");
}

#[test]
fn table_indices_and_jump_targets() {
    bad(
        &[INT],
        "load.const r0, k6",
        "constant k6 does not exist (6 constants)",
    );
    bad(
        &[INT],
        "global.get r0, g3",
        "global g3 does not exist (3 globals)",
    );
    bad(
        &[INT],
        "call f5, r0, r0",
        "function f5 does not exist (5 functions)",
    );
    bad(
        &[INT],
        "call.native n3, r0, r0",
        "native n3 does not exist (3 natives)",
    );
    bad(
        &[],
        "0000  jump @2",
        "jump target @2 is outside the code (2 instructions)",
    );
    bad(
        &[BOOL],
        "0000  jump.if r0, @9",
        "jump target @9 is outside the code",
    );
    bad(&[INT], "0000  jump.ifnot.le.i r0, r0, @2", "jump target @2");
    good(&[INT], "0000  jump.ifnot.lt.i r0, r0, @1");
}

/// Every operand of every instruction of the kitchen sink, set out of range, is refused with a
/// message naming the bad value; the kitchen sink itself is valid, so nothing else can be wrong.
#[test]
fn every_operand_out_of_range_is_refused() {
    let module = kitchen_sink();
    let main = &module.functions[MAIN as usize];
    let mut checked = 0;
    for (pc, instr) in main.code.iter().enumerate() {
        let mut offset = 1;
        for (index, &(name, kind)) in instr.info().operands.iter().enumerate() {
            let at = offset;
            offset += kind.size();
            if matches!(kind, OperandKind::Imm | OperandKind::Flag) {
                continue;
            }
            let mut bytes = Vec::new();
            instr.encode(&mut bytes);
            bytes[at..at + kind.size()].copy_from_slice(&60000u32.to_le_bytes()[..kind.size()]);
            let mut pos = 0;
            let changed = Instr::decode(&bytes, &mut pos).unwrap();
            assert_eq!(changed.operands()[index].value, 60000);
            let mut copy = module.clone();
            copy.functions[MAIN as usize].code[pc] = changed;
            let void_call_dst = name == "dst"
                && matches!(
                    instr,
                    Instr::Call { func: LOG, .. } | Instr::CallNative { native: PRINT, .. }
                );
            if void_call_dst {
                // The result register of a call to a void function is ignored.
                verify(&copy).unwrap();
                continue;
            }
            let error = rejected(&copy);
            assert_eq!(
                error.location,
                Location::Instr {
                    func: MAIN,
                    pc: pc as u32
                },
                "{error}"
            );
            assert!(
                error.message.contains("60000"),
                "{instr} operand {name}: {error}"
            );
            checked += 1;
        }
    }
    assert!(checked > 150, "{checked}");
}

// ---- typing rules of `Reg` operands ----

#[test]
fn moves_and_constants() {
    bad(
        &[INT, FLOAT],
        "move r0, r1",
        "r1 has type float but the destination r0 has type int",
    );
    bad(
        &[INTS, STRS],
        "move r0, r1",
        "r1 has type [string] but the destination r0 has type [int]",
    );
    bad(&[POINT, SHAPE], "move r0, r1", "r1 has type Shape");
    // Structural equality, and `?T` equals `T`.
    good(
        &[INTS, INTS2, STR, NSTR, POINT, NPOINT, STRS, NSTRS],
        "
            move r0, r1
            move r1, r0
            move r2, r3
            move r3, r2
            move r4, r5
            move r6, r7
        ",
    );
    bad(
        &[FLOAT],
        "load.const r0, k0",
        "constant k0 is an int but r0 has type float",
    );
    bad(
        &[INT],
        "load.const r0, k1",
        "constant k1 is a float but r0 has type int",
    );
    bad(
        &[INTS],
        "load.const r0, k2",
        "constant k2 is a string but r0 has type [int]",
    );
    good(
        &[NSTR, FLOAT, INT],
        "
            load.const r0, k2
            load.const r1, k4
            load.const r2, k3
        ",
    );
    bad(
        &[INT],
        "load.null r0",
        "r0 must have a reference type, not int",
    );
    bad(&[BOOL], "load.null r1", "register r1 is out of range");
    good(
        &[STR, INTS, MAP, POINT, SHAPE, THREAD, CHAN, NPOINT],
        &(0..8)
            .map(|dst| format!("load.null r{dst}\n"))
            .collect::<String>(),
    );
}

#[test]
fn globals() {
    bad(
        &[FLOAT],
        "global.get r0, g0",
        "r0 has type float but global counter has type int",
    );
    bad(
        &[STRS],
        "global.set g2, r0",
        "r0 has type [string] but global origin has type ?Point",
    );
    bad(&[], "global.set g0, r0", "register r0 is out of range");
    good(
        &[STRS, POINT],
        "
            global.set g1, r0
            global.get r1, g2
        ",
    );
}

#[test]
fn reference_comparisons_and_text() {
    bad(
        &[BOOL, INT, STR],
        "eq.ref r0, r1, r2",
        "r1 must have a reference type, not int",
    );
    bad(
        &[BOOL, STR, FLOAT],
        "ne.ref r0, r1, r2",
        "r2 must have a reference type, not float",
    );
    good(&[BOOL, POINT, NPOINT], "eq.ref r0, r1, r2");
    bad(
        &[STR, BOOL],
        "ref.to.str r0, r1",
        "r1 must have a reference type, not bool",
    );
    good(&[STR, MAP], "ref.to.str r0, r1");
}

#[test]
fn calls() {
    // helper(a: int, b: string) -> int
    bad(
        &[INT, STR],
        "call f1, r1, r0                   ; HELPER",
        "registers r1..r3 for the 2 parameters of util.helper run past the 2 registers of the function",
    );
    bad(
        &[INT, INT, INT],
        "call f1, r0, r0                   ; HELPER",
        "r1 has type int but parameter 1 of util.helper has type string",
    );
    bad(
        &[INT, STR, FLOAT],
        "call f1, r0, r2                   ; HELPER",
        "r2 has type float but the result of util.helper has type int",
    );
    bad(
        &[INT, STR],
        "call f1, r0, r2                   ; HELPER",
        "register r2 is out of range",
    );
    good(
        &[FLOAT, INT, NSTR, INT],
        "call f1, r1, r3                   ; HELPER",
    );
    // A call to a void function ignores its result register, and a call without arguments may
    // start its (empty) span at the end of the registers.
    good(&[], "call f2, r0, r0                   ; INIT");
    bad(
        &[],
        "call f2, r1, r0                   ; INIT",
        "registers r1..r1 for the 0 ",
    );
    // Natives: print(string), sqrt(float) -> float.
    bad(
        &[INT],
        "call.native n0, r0, r0            ; PRINT",
        "r0 has type int but parameter 0 of print has type string",
    );
    bad(
        &[FLOAT, INT],
        "call.native n1, r0, r1            ; SQRT",
        "r1 has type int but the result of sqrt has type float",
    );
    bad(
        &[],
        "call.native n0, r0, r0            ; PRINT",
        "registers r0..r1 for the 1 parameters of print run past",
    );
    good(&[NSTR], "call.native n0, r0, r7            ; PRINT");
}

/// The cached comparison of argument spans must not let a different callee through.
#[test]
fn span_cache_does_not_mix_callees() {
    let mut module = with_function(
        &[INT, STR, INT],
        "
            call f1, r0, r2                   ; HELPER
            call f1, r0, r2                   ; HELPER
            call.native n1, r0, r2            ; SQRT
        ",
    );
    refuses(
        &module,
        Location::Instr {
            func: TEST_FN,
            pc: 2,
        },
        "r0 has type int but parameter 0 of sqrt has type float",
    );
    module.functions[TEST_FN as usize].code[2] = instr("array.new r2, r0, 2");
    refuses(
        &module,
        Location::Instr {
            func: TEST_FN,
            pc: 2,
        },
        "r2 must be an array, not int",
    );
}

#[test]
fn returns() {
    let mut module = base();
    module.functions[MAIN as usize].code = code("ret.void");
    refuses(
        &module,
        Location::Instr { func: MAIN, pc: 0 },
        "ret.void in a function that returns int",
    );
    bad(
        &[INT],
        "ret r0",
        "ret in a function that returns void (use ret.void)",
    );
    let mut module = base();
    module.functions[HELPER as usize].code[2] = instr("ret r1");
    refuses(
        &module,
        Location::Instr {
            func: HELPER,
            pc: 2,
        },
        "r1 has type string but the function's return type has type int",
    );
}

#[test]
fn arrays() {
    bad(
        &[INT, INT],
        "array.new r0, r1, 1",
        "r0 must be an array, not int",
    );
    bad(
        &[INTS, INT, FLOAT],
        "array.new r0, r1, 2",
        "r2 has type float but the element type of r0 has type int",
    );
    bad(
        &[INTS, INT],
        "array.new r0, r1, 2",
        "registers r1..r3 for the element type of r0 run past the 2 registers",
    );
    good(
        &[INTS, INT, INT],
        "
            array.new r0, r1, 2
            array.new r0, r3, 0
        ",
    );
    bad(&[INTS], "array.new r0, r2, 0", "registers r2..r2");
    bad(
        &[FLOATS, INT, INT],
        "array.fill r0, r1, r2",
        "r2 has type int but the element type of r0 has type float",
    );
    bad(
        &[FLOAT, INTS, INT],
        "array.get r0, r1, r2",
        "r0 has type float but the element type of r1 has type int",
    );
    bad(
        &[INT, MAP, INT],
        "array.get r0, r1, r2",
        "r1 must be an array, not Map[string, int]",
    );
    bad(
        &[STRS, INT, INT],
        "array.set r0, r1, r2",
        "r2 has type int but the element type of r0 has type string",
    );
    bad(
        &[INT, STR],
        "array.len r0, r1",
        "r1 must be an array, not string",
    );
    bad(
        &[NSTRS, INT],
        "array.push r0, r1",
        "r1 has type int but the element type of r0 has type string",
    );
    bad(
        &[INT, FLOATS],
        "array.pop r0, r1",
        "r0 has type int but the element type of r1 has type float",
    );
    good(
        &[NSTRS, NSTR, INT],
        "
            array.push r0, r1
            array.pop r1, r0
            array.len r2, r0
            array.fill r0, r2, r1
        ",
    );
}

#[test]
fn maps() {
    bad(&[INTS], "map.new r0", "r0 must be a map, not [int]");
    bad(
        &[INT, MAP, INT],
        "map.get r0, r1, r2",
        "r2 has type int but the key type of r1 has type string",
    );
    bad(
        &[FLOAT, MAP, STR],
        "map.get r0, r1, r2",
        "r0 has type float but the value type of r1 has type int",
    );
    bad(
        &[MAP, STR, FLOAT],
        "map.set r0, r1, r2",
        "r2 has type float but the value type of r0 has type int",
    );
    bad(
        &[INT, MAP, STR, STR],
        "map.get.or r0, r1, r2, r3",
        "r3 has type string but the value type of r1 has type int",
    );
    bad(
        &[BOOL, MAP, BOOL],
        "map.contains r0, r1, r2",
        "r2 has type bool but the key type",
    );
    bad(
        &[BOOL, MAP, INT],
        "map.remove r0, r1, r2",
        "r2 has type int but the key type",
    );
    bad(
        &[INT, STRS],
        "map.len r0, r1",
        "r1 must be a map, not [string]",
    );
    bad(
        &[INTS, MAP],
        "map.keys r0, r1",
        "r0 has type [int] but the keys of r1 have type string",
    );
    bad(
        &[STR, MAP],
        "map.keys r0, r1",
        "r0 must be an array, not string",
    );
    good(
        &[MAP, NSTR, INT, BOOL, NSTRS],
        "
            map.new r0
            map.set r0, r1, r2
            map.get r2, r0, r1
            map.get.or r2, r0, r1, r2
            map.contains r3, r0, r1
            map.remove r3, r0, r1
            map.len r2, r0
            map.keys r4, r0
        ",
    );
}

#[test]
fn forms() {
    bad(
        &[SHAPE, FLOAT, FLOAT],
        "form.new r0, r1",
        "r0 must be a form, not Shape",
    );
    bad(
        &[POINT, FLOAT, INT],
        "form.new r0, r1",
        "r2 has type int but field 1 (y) has type float",
    );
    bad(
        &[POINT, FLOAT],
        "form.new r0, r1",
        "registers r1..r3 for the 2 fields run past the 2 registers",
    );
    bad(
        &[FLOAT, POINT],
        "form.get r0, r1, 2",
        "Point has no field 2 (2 fields)",
    );
    bad(
        &[INT, POINT],
        "form.get r0, r1, 0",
        "r0 has type int but field x has type float",
    );
    bad(
        &[FLOAT, INTS],
        "form.get r0, r1, 0",
        "r1 must be a form, not [int]",
    );
    bad(
        &[NPOINT, STR],
        "form.set r0, 1, r1",
        "r1 has type string but field y has type float",
    );
    good(
        &[NPOINT, FLOAT, FLOAT],
        "
            form.new r0, r1
            form.get r1, r0, 1
            form.set r0, 0, r2
        ",
    );
}

#[test]
fn picks() {
    bad(
        &[POINT, FLOAT],
        "pick.new r0, 0, r1",
        "r0 must be a pick, not Point",
    );
    bad(
        &[SHAPE, FLOAT],
        "pick.new r0, 3, r1",
        "Shape has no case 3 (3 cases)",
    );
    bad(
        &[SHAPE, FLOAT, STR],
        "pick.new r0, 1, r1",
        "r2 has type string but payload field 1 (h) has type float",
    );
    bad(
        &[SHAPE, FLOAT],
        "pick.new r0, 1, r1",
        "registers r1..r3 for the 2 payload fields run past",
    );
    bad(
        &[INT, POINT],
        "pick.tag r0, r1",
        "r1 must be a pick, not Point",
    );
    bad(
        &[FLOAT, SHAPE],
        "pick.field r0, r1, 2, 0",
        "case 2 of Shape has no field 0 (0 fields)",
    );
    bad(
        &[FLOAT, SHAPE],
        "pick.field r0, r1, 7, 0",
        "Shape has no case 7",
    );
    bad(
        &[INT, SHAPE],
        "pick.field r0, r1, 1, 1",
        "r0 has type int but payload field h has type float",
    );
    good(
        &[SHAPE, FLOAT, FLOAT, INT],
        "
            pick.new r0, 1, r1
            pick.new r0, 2, r4
            pick.tag r3, r0
            pick.field r2, r0, 0, 0
        ",
    );
}

#[test]
fn a_pick_without_cases_still_has_a_tag() {
    let mut module = with_function(&[INT, 17], "pick.tag r0, r1");
    module.picks.push(vitte_vm::bytecode::PickDef {
        name: "Never".into(),
        cases: vec![],
    });
    module.types.push(Type::Pick(1));
    verify(&module).unwrap();
}

// ---- debug information ----

#[test]
fn debug_information() {
    let line = |pc, line| LineEntry {
        pc,
        line,
        col: 1,
        is_stmt: true,
    };
    let mut module = base();
    module.functions[HELPER as usize].debug.lines = vec![line(0, 1), line(3, 2)];
    refuses(
        &module,
        Location::LineEntry {
            func: HELPER,
            index: 1,
        },
        "pc 3 is outside the code (3 instructions)",
    );
    let mut module = base();
    module.functions[HELPER as usize].debug.lines = vec![line(0, 1), line(2, 2), line(1, 3)];
    refuses(
        &module,
        Location::LineEntry {
            func: HELPER,
            index: 2,
        },
        "pc 1 comes after pc 2; the line table must be sorted by pc",
    );
    let mut module = base();
    module.functions[HELPER as usize].debug.lines = vec![line(0, 1), line(0, 2), line(2, 2)];
    verify(&module).unwrap();

    let local = |register, start_pc, end_pc| LocalVar {
        name: "v".into(),
        register,
        start_pc,
        end_pc,
    };
    let mut module = base();
    module.functions[HELPER as usize].debug.locals = vec![local(0, 0, 3), local(3, 0, 1)];
    refuses(
        &module,
        Location::Local {
            func: HELPER,
            index: 1,
        },
        "v is in register r3, out of range (3 registers)",
    );
    let mut module = base();
    module.functions[HELPER as usize].debug.locals = vec![local(0, 2, 1)];
    refuses(
        &module,
        Location::Local {
            func: HELPER,
            index: 0,
        },
        "v is live over pcs 2..1, not within the code (3 instructions)",
    );
    module.functions[HELPER as usize].debug.locals = vec![local(0, 0, 4)];
    refuses(
        &module,
        Location::Local {
            func: HELPER,
            index: 0,
        },
        "pcs 0..4",
    );

    let mut module = base();
    module.functions[HELPER as usize].debug.file = 2;
    refuses(
        &module,
        Location::FunctionDebug(HELPER),
        "function 1 (util.helper), debug information: source file 2 does not exist (2 files)",
    );
    // Without sources, file indices are not checked.
    module.sources.clear();
    verify(&module).unwrap();
}

// ---- errors read from a file point at the bytes ----

#[test]
fn read_reports_verifier_errors_at_the_offending_bytes() {
    let mut module = kitchen_sink();
    module.functions[MAIN as usize].code[13] = instr("add.f r5, r3, r0");
    let bytes = format::write(&module);
    let (_, offsets) = format::decode(&bytes).unwrap();
    let error = format::read(&bytes).unwrap_err();
    let at = offsets.instr(MAIN, 13).unwrap();
    assert_eq!(error.offset, at);
    assert_eq!(bytes[at], instr("add.f r0, r0, r0").opcode());
    assert_eq!(
        error.to_string(),
        format!(
            "invalid bytecode: function 0 (main), pc 13 (add.f r5, r3, r0): operand b (r0) must be float, not int, at byte {at}"
        )
    );

    // Table entries: the error points at the entry's first byte.
    let mut module = kitchen_sink();
    module.globals[2].ty = VOID;
    let bytes = format::write(&module);
    let (_, offsets) = format::decode(&bytes).unwrap();
    let error = format::read(&bytes).unwrap_err();
    assert_eq!(Some(error.offset), offsets.offset_of(&Location::Global(2)));
    assert_eq!(
        bytes[error.offset], 6,
        "the entry starts with the length of \"origin\""
    );
    assert_eq!(&bytes[error.offset + 1..error.offset + 7], b"origin");

    for (location, change) in [
        (
            Location::Type(17),
            (|m: &mut Module| m.types.push(Type::Nullable(INT))) as fn(&mut Module),
        ),
        (Location::Form(0), |m| m.forms[0].fields[0].ty = VOID),
        (Location::Pick(0), |m| {
            m.picks[0].cases[0].fields[0].ty = VOID
        }),
        (Location::Native(1), |m| m.natives[1].ret = 77),
        (Location::Function(HELPER), |m| {
            m.functions[HELPER as usize].param_count = 9
        }),
        (Location::FunctionDebug(HELPER), |m| {
            m.functions[HELPER as usize].debug.file = 7
        }),
        (
            Location::LineEntry {
                func: MAIN,
                index: 2,
            },
            |m| m.functions[MAIN as usize].debug.lines[2].pc = 999,
        ),
        (
            Location::Local {
                func: HELPER,
                index: 1,
            },
            |m| m.functions[HELPER as usize].debug.locals[1].register = 99,
        ),
        (Location::Entry, |m| m.entry = 99),
        (Location::Init, |m| m.init = Some(MAIN)),
    ] {
        let mut module = kitchen_sink();
        change(&mut module);
        let bytes = format::write(&module);
        let (_, offsets) = format::decode(&bytes).unwrap();
        let error = format::read(&bytes).unwrap_err();
        assert_eq!(verify(&module).unwrap_err().location, location);
        let expected = offsets.offset_of(&location).unwrap();
        assert_eq!(error.offset, expected, "{location}: {error}");
        assert!(expected > 8 && expected < bytes.len() - 4);
    }
}

#[test]
fn verification_is_fast_on_large_functions() {
    // 200 000 instructions, including calls with wide argument spans.
    let mut module = base();
    let mut registers = vec![INT; 60_000];
    // Calls first, then the pairs: the calls' argument spans reach far into the registers.
    let mut text: String = (0..20u16)
        .rev()
        .map(|first| format!("call f4, r{}, r0\n", 1 + first % 2))
        .collect();
    for i in 0..100_000u32 {
        let dst = 1 + i % 59_999;
        text += &format!("add.i r{dst}, r1, r2\narray.new r0, r1, 0\n");
    }
    text += "ret.void";
    module.types.push(Type::Array(INT));
    registers[0] = 17;
    let wide = Function {
        name: "wide".into(),
        param_count: 50_000,
        ret: VOID,
        registers: vec![INT; 50_000],
        code: code("ret.void"),
        handlers: Vec::new(),
        debug: FunctionDebug::default(),
    };
    module.functions.push(wide);
    module.functions.push(Function {
        name: "big".into(),
        param_count: 0,
        ret: VOID,
        registers,
        code: code(&text),
        handlers: Vec::new(),
        debug: FunctionDebug::default(),
    });
    let started = std::time::Instant::now();
    verify(&module).unwrap();
    assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
}

/// [`with_function`] (code `nop, nop, nop, ret.void`) with these handlers on the test function.
fn with_handlers(registers: &[TypeId], handlers: &[Handler]) -> Module {
    let mut module = with_function(
        registers,
        "
        nop
        nop
        nop
    ",
    );
    module.functions[TEST_FN as usize].handlers = handlers.to_vec();
    module
}

fn handler(start_pc: u32, end_pc: u32, target_pc: u32, message_register: u16) -> Handler {
    Handler {
        start_pc,
        end_pc,
        target_pc,
        message_register,
    }
}

#[test]
fn exception_handlers() {
    let at = |index| Location::Handler {
        func: TEST_FN,
        index,
    };
    // Valid: nested ranges, an empty range, a range up to the end, a `?string` register.
    let valid = with_handlers(
        &[INT, STR, NSTR],
        &[
            handler(1, 2, 3, 1),
            handler(0, 4, 3, 2),
            handler(2, 2, 0, 1),
        ],
    );
    if let Err(error) = verify(&valid) {
        panic!("refused: {error}");
    }
    refuses(
        &with_handlers(&[STR], &[handler(0, 5, 3, 0)]),
        at(0),
        "covers pcs 0..5, not within the code (4 instructions)",
    );
    refuses(
        &with_handlers(&[STR], &[handler(0, 1, 0, 0), handler(3, 2, 0, 0)]),
        at(1),
        "covers pcs 3..2, not within the code",
    );
    refuses(
        &with_handlers(&[STR], &[handler(0, 1, 4, 0)]),
        at(0),
        "target pc 4 is outside the code (4 instructions)",
    );
    refuses(
        &with_handlers(&[STR], &[handler(0, 1, 0, 1)]),
        at(0),
        "message register r1 is out of range (1 registers)",
    );
    refuses(
        &with_handlers(&[STR, INT], &[handler(0, 1, 0, 1)]),
        at(0),
        "message register r1 is not a string register",
    );
    refuses(
        &with_handlers(&[STRS], &[handler(0, 1, 0, 0)]),
        at(0),
        "message register r0 is not a string register",
    );
    let error = rejected(&with_handlers(&[STR], &[handler(0, 1, 9, 0)]));
    assert!(
        error.message.starts_with("function 4 (t), handler 0: "),
        "{error}"
    );
}
