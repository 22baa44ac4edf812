//! Shared fixtures of the bytecode tests: hand-built valid modules (one of them uses every
//! instruction and fills every section), and an independent check that a module accepted by the
//! verifier cannot make the interpreter index out of range.

#![allow(dead_code)]

use vitte_vm::bytecode::isa::OperandKind;
use vitte_vm::bytecode::{
    CaseDef, Constant, FieldDef, FormDef, Function, FunctionDebug, GlobalDef, Handler, Instr,
    LineEntry, LocalVar, Module, NativeImport, PickDef, SourceFile, Type, TypeId,
};

// Type ids of `kitchen_sink()` (and of every module built on `base()`).
pub const VOID: TypeId = 0;
pub const INT: TypeId = 1;
pub const FLOAT: TypeId = 2;
pub const BOOL: TypeId = 3;
pub const STR: TypeId = 4;
pub const NSTR: TypeId = 5;
pub const INTS: TypeId = 6;
pub const STRS: TypeId = 7;
pub const MAP: TypeId = 8;
pub const POINT: TypeId = 9;
pub const NPOINT: TypeId = 10;
pub const SHAPE: TypeId = 11;
pub const THREAD: TypeId = 12;
pub const CHAN: TypeId = 13;
pub const NSTRS: TypeId = 14;
pub const FLOATS: TypeId = 15;
/// A second id for `[int]`: structurally equal to [`INTS`].
pub const INTS2: TypeId = 16;

// Function indices of `base()`.
pub const MAIN: u32 = 0;
/// `helper(a: int, b: string) -> int`.
pub const HELPER: u32 = 1;
/// `$init()`.
pub const INIT: u32 = 2;
/// `log(s: ?string)`.
pub const LOG: u32 = 3;

// Native indices of `base()`.
/// `print(string)`.
pub const PRINT: u32 = 0;
/// `sqrt(float) -> float`.
pub const SQRT: u32 = 1;

fn field(name: &str, ty: TypeId) -> FieldDef {
    FieldDef {
        name: name.into(),
        ty,
    }
}

fn function(
    name: &str,
    params: u16,
    ret: TypeId,
    registers: &[TypeId],
    code: Vec<Instr>,
) -> Function {
    let lines = (0..code.len() as u32)
        .step_by(3)
        .map(|pc| LineEntry {
            pc,
            line: 2 + pc / 3,
            col: 5,
            is_stmt: pc % 2 == 0,
        })
        .collect();
    Function {
        name: name.into(),
        param_count: params,
        ret,
        registers: registers.to_vec(),
        code,
        handlers: Vec::new(),
        debug: FunctionDebug {
            file: 0,
            line: 1,
            col: 1,
            lines,
            locals: Vec::new(),
        },
    }
}

/// Every table filled, with `main` a trivial `ret r0`: the base the verifier tests change.
pub fn base() -> Module {
    let types = vec![
        Type::Void,
        Type::Int,
        Type::Float,
        Type::Bool,
        Type::Str,
        Type::Nullable(STR),
        Type::Array(INT),
        Type::Array(STR),
        Type::Map(STR, INT),
        Type::Form(0),
        Type::Nullable(POINT),
        Type::Pick(0),
        Type::Thread,
        Type::Chan(INT),
        Type::Nullable(STRS),
        Type::Array(FLOAT),
        Type::Array(INT),
    ];
    let forms = vec![FormDef {
        name: "Point".into(),
        fields: vec![field("x", FLOAT), field("y", FLOAT)],
    }];
    let picks = vec![PickDef {
        name: "Shape".into(),
        cases: vec![
            CaseDef {
                name: "Circle".into(),
                fields: vec![field("r", FLOAT)],
            },
            CaseDef {
                name: "Rect".into(),
                fields: vec![field("w", FLOAT), field("h", FLOAT)],
            },
            CaseDef {
                name: "Empty".into(),
                fields: vec![],
            },
        ],
    }];
    let constants = vec![
        Constant::Int(40),
        Constant::Float(2.5),
        Constant::Str("hello \"world\"\n\u{1F600}".into()),
        Constant::Int(i64::MIN),
        Constant::Float(-0.0),
        Constant::Str(String::new()),
    ];
    let globals = vec![
        GlobalDef {
            name: "counter".into(),
            ty: INT,
        },
        GlobalDef {
            name: "util.names".into(),
            ty: NSTRS,
        },
        GlobalDef {
            name: "origin".into(),
            ty: NPOINT,
        },
    ];
    let natives = vec![
        NativeImport {
            name: "print".into(),
            params: vec![STR],
            ret: VOID,
        },
        NativeImport {
            name: "sqrt".into(),
            params: vec![FLOAT],
            ret: FLOAT,
        },
        NativeImport {
            name: "chan".into(),
            params: vec![INT],
            ret: CHAN,
        },
    ];
    let mut helper = function(
        "util.helper",
        2,
        INT,
        &[INT, STR, INT],
        vec![
            Instr::StrLen { dst: 2, src: 1 },
            Instr::AddI { dst: 2, a: 2, b: 0 },
            Instr::Ret { src: 2 },
        ],
    );
    helper.debug.file = 1;
    helper.debug.locals = vec![
        LocalVar {
            name: "a".into(),
            register: 0,
            start_pc: 0,
            end_pc: 3,
        },
        LocalVar {
            name: "b".into(),
            register: 1,
            start_pc: 0,
            end_pc: 3,
        },
        LocalVar {
            name: "n".into(),
            register: 2,
            start_pc: 1,
            end_pc: 3,
        },
    ];
    let functions = vec![
        function(
            "main",
            0,
            INT,
            &[INT],
            vec![Instr::LoadInt { dst: 0, value: 0 }, Instr::Ret { src: 0 }],
        ),
        helper,
        function(
            "$init",
            0,
            VOID,
            &[INT],
            vec![
                Instr::LoadInt { dst: 0, value: 1 },
                Instr::SetGlobal { global: 0, src: 0 },
                Instr::RetVoid {},
            ],
        ),
        function(
            "log",
            1,
            VOID,
            &[NSTR],
            vec![
                Instr::CallNative {
                    native: PRINT,
                    args: 0,
                    dst: 0,
                },
                Instr::RetVoid {},
            ],
        ),
    ];
    let sources = vec![
        SourceFile {
            path: "main.vit".into(),
            text: "use util\n\nproc main() -> int {\n    give 0;\n}\n".into(),
        },
        SourceFile {
            path: "util.vit".into(),
            text: "proc helper(a: int, b: string) -> int {\n    give len(b) + a;\n}\n".into(),
        },
    ];
    Module {
        types,
        forms,
        picks,
        constants,
        globals,
        natives,
        functions,
        entry: MAIN,
        init: Some(INIT),
        sources,
    }
}

/// Registers of `kitchen_sink()`'s `main`.
pub const SINK_REGISTERS: &[TypeId] = &[
    INT, INT, INT, FLOAT, FLOAT, FLOAT, BOOL, BOOL, STR, NSTR, INTS, MAP, STRS, POINT, SHAPE,
    NPOINT, THREAD, CHAN, INT, STR, INTS2,
];

/// A valid module that fills every section and whose `main` uses every instruction.
pub fn kitchen_sink() -> Module {
    let mut module = base();
    let code = vec![
        Instr::Nop {},                         // 0
        Instr::LoadInt { dst: 0, value: 7 },   // 1
        Instr::LoadConst { dst: 1, index: 0 }, // 2
        Instr::Move { dst: 2, src: 1 },        // 3
        Instr::AddI { dst: 2, a: 0, b: 1 },    // 4
        Instr::SubI { dst: 2, a: 2, b: 0 },    // 5
        Instr::MulI { dst: 2, a: 2, b: 0 },    // 6
        Instr::DivI { dst: 2, a: 2, b: 0 },    // 7
        Instr::RemI { dst: 2, a: 2, b: 0 },    // 8
        Instr::NegI { dst: 2, src: 2 },        // 9
        Instr::AddIImm {
            dst: 2,
            a: 2,
            imm: -3,
        }, // 10
        Instr::LoadConst { dst: 3, index: 1 }, // 11
        Instr::IntToFloat { dst: 4, src: 0 },  // 12
        Instr::AddF { dst: 5, a: 3, b: 4 },    // 13
        Instr::SubF { dst: 5, a: 5, b: 4 },    // 14
        Instr::MulF { dst: 5, a: 5, b: 4 },    // 15
        Instr::DivF { dst: 5, a: 5, b: 4 },    // 16
        Instr::RemF { dst: 5, a: 5, b: 4 },    // 17
        Instr::NegF { dst: 5, src: 5 },        // 18
        Instr::EqI { dst: 6, a: 0, b: 1 },     // 19
        Instr::NeI { dst: 6, a: 0, b: 1 },     // 20
        Instr::LtI { dst: 6, a: 0, b: 1 },     // 21
        Instr::LeI { dst: 6, a: 0, b: 1 },     // 22
        Instr::EqF { dst: 6, a: 3, b: 4 },     // 23
        Instr::NeF { dst: 6, a: 3, b: 4 },     // 24
        Instr::LtF { dst: 6, a: 3, b: 4 },     // 25
        Instr::LeF { dst: 6, a: 3, b: 4 },     // 26
        Instr::EqB { dst: 7, a: 6, b: 6 },     // 27
        Instr::NeB { dst: 7, a: 6, b: 7 },     // 28
        Instr::LoadBool {
            dst: 7,
            value: true,
        }, // 29
        Instr::LoadConst { dst: 8, index: 2 }, // 30
        Instr::LoadNull { dst: 9 },            // 31
        Instr::EqS { dst: 6, a: 8, b: 9 },     // 32
        Instr::NeS { dst: 6, a: 8, b: 9 },     // 33
        Instr::LtS { dst: 6, a: 8, b: 8 },     // 34
        Instr::LeS { dst: 6, a: 8, b: 8 },     // 35
        Instr::EqRef { dst: 6, a: 8, b: 9 },   // 36
        Instr::NeRef {
            dst: 6,
            a: 13,
            b: 15,
        }, // 37
        Instr::Not { dst: 7, src: 6 },         // 38
        Instr::JumpIf {
            cond: 7,
            target: 41,
        }, // 39
        Instr::JumpIfNot {
            cond: 7,
            target: 41,
        }, // 40
        Instr::JumpIfNotLtI {
            a: 0,
            b: 1,
            target: 43,
        }, // 41
        Instr::JumpIfNotLeI {
            a: 0,
            b: 1,
            target: 43,
        }, // 42
        Instr::Move { dst: 18, src: 0 },       // 43
        Instr::LoadConst { dst: 19, index: 5 }, // 44
        Instr::Call {
            func: HELPER,
            args: 18,
            dst: 2,
        }, // 45
        Instr::CallNative {
            native: PRINT,
            args: 8,
            dst: 0,
        }, // 46
        Instr::CallNative {
            native: SQRT,
            args: 3,
            dst: 5,
        }, // 47
        Instr::FloatToInt { dst: 0, src: 5 },  // 48
        Instr::ParseInt { dst: 0, src: 8 },    // 49
        Instr::ParseFloat { dst: 3, src: 9 },  // 50
        Instr::IntToStr { dst: 8, src: 0 },    // 51
        Instr::FloatToStr { dst: 9, src: 3 },  // 52
        Instr::BoolToStr { dst: 8, src: 6 },   // 53
        Instr::RefToStr { dst: 8, src: 13 },   // 54
        Instr::Concat { dst: 8, a: 8, b: 9 },  // 55
        Instr::StrLen { dst: 0, src: 8 },      // 56
        Instr::NewArray {
            dst: 10,
            first: 0,
            count: 3,
        }, // 57
        Instr::ArrayFill {
            dst: 20,
            count: 0,
            value: 1,
        }, // 58
        Instr::ArrayGet {
            dst: 1,
            array: 10,
            index: 0,
        }, // 59
        Instr::ArraySet {
            array: 20,
            index: 0,
            src: 1,
        }, // 60
        Instr::ArrayLen { dst: 0, array: 10 }, // 61
        Instr::ArrayPush { array: 10, src: 2 }, // 62
        Instr::ArrayPop { dst: 2, array: 10 }, // 63
        Instr::NewMap { dst: 11 },             // 64
        Instr::MapSet {
            map: 11,
            key: 8,
            src: 0,
        }, // 65
        Instr::MapGet {
            dst: 0,
            map: 11,
            key: 9,
        }, // 66
        Instr::MapGetOr {
            dst: 0,
            map: 11,
            key: 8,
            default: 1,
        }, // 67
        Instr::MapContains {
            dst: 6,
            map: 11,
            key: 8,
        }, // 68
        Instr::MapRemove {
            dst: 6,
            map: 11,
            key: 8,
        }, // 69
        Instr::MapLen { dst: 0, map: 11 },     // 70
        Instr::MapKeys { dst: 12, map: 11 },   // 71
        Instr::NewForm { dst: 13, first: 3 },  // 72
        Instr::GetField {
            dst: 5,
            object: 13,
            field: 1,
        }, // 73
        Instr::SetField {
            object: 15,
            field: 0,
            src: 5,
        }, // 74
        Instr::NewPick {
            dst: 14,
            case: 1,
            first: 4,
        }, // 75
        Instr::PickTag { dst: 0, pick: 14 },   // 76
        Instr::PickField {
            dst: 3,
            pick: 14,
            case: 0,
            field: 0,
        }, // 77
        Instr::GetGlobal { dst: 0, global: 0 }, // 78
        Instr::SetGlobal { global: 0, src: 0 }, // 79
        Instr::Call {
            func: LOG,
            args: 9,
            dst: 0,
        }, // 80
        Instr::JumpIfNot {
            cond: 6,
            target: 83,
        }, // 81
        Instr::Throw { message: 8 },           // 82
        Instr::LoadNull { dst: 16 },           // 83
        Instr::LoadNull { dst: 17 },           // 84
        Instr::NewPick {
            dst: 14,
            case: 2,
            first: 21,
        }, // 85
        Instr::Jump { target: 87 },            // 86
        Instr::Ret { src: 0 },                 // 87
    ];
    let mut main = function("main", 0, INT, SINK_REGISTERS, code);
    main.debug.line = 3;
    main.debug.locals = vec![
        LocalVar {
            name: "x".into(),
            register: 0,
            start_pc: 1,
            end_pc: 88,
        },
        LocalVar {
            name: "point".into(),
            register: 13,
            start_pc: 72,
            end_pc: 88,
        },
    ];
    module.functions[MAIN as usize] = main;
    module
}

/// [`kitchen_sink`] with a `main` that holds the instructions added after format version 2 (the
/// forms with an immediate operand, the other fused branches, `concat.append`), kept apart so that
/// the kitchen sink stays what the version-2 files encode.
pub fn later_instructions() -> Module {
    let mut module = kitchen_sink();
    let code = vec![
        Instr::LoadInt { dst: 0, value: 7 },    // 0
        Instr::LoadInt { dst: 1, value: 9 },    // 1
        Instr::Move { dst: 2, src: 1 },         // 2
        Instr::ConcatAppend { dst: 8, src: 8 }, // 3
        Instr::MulIImm {
            dst: 2,
            a: 2,
            imm: 3,
        }, // 4
        Instr::DivIImm {
            dst: 2,
            a: 2,
            imm: -4,
        }, // 5
        Instr::RemIImm {
            dst: 2,
            a: 2,
            imm: 5,
        }, // 6
        Instr::JumpIfNotEqI {
            a: 0,
            b: 1,
            target: 16,
        }, // 7
        Instr::JumpIfNotNeI {
            a: 0,
            b: 1,
            target: 16,
        }, // 8
        Instr::JumpIfNotEqIImm {
            a: 0,
            imm: 1,
            target: 16,
        }, // 9
        Instr::JumpIfNotNeIImm {
            a: 0,
            imm: 1,
            target: 16,
        }, // 10
        Instr::JumpIfNotLtIImm {
            a: 0,
            imm: 1,
            target: 16,
        }, // 11
        Instr::JumpIfNotLeIImm {
            a: 0,
            imm: 1,
            target: 16,
        }, // 12
        Instr::JumpIfNotGtIImm {
            a: 0,
            imm: 1,
            target: 16,
        }, // 13
        Instr::JumpIfNotGeIImm {
            a: 0,
            imm: 1,
            target: 16,
        }, // 14
        Instr::ForNext {
            counter: 0,
            end: 1,
            target: 4,
        }, // 15
        Instr::Ret { src: 2 },                  // 16
    ];
    module.functions[MAIN as usize] = function("main", 0, INT, SINK_REGISTERS, code);
    module
}

/// The smallest valid module: `main` returns void.
pub fn minimal() -> Module {
    Module {
        types: vec![Type::Void],
        functions: vec![Function {
            name: "main".into(),
            param_count: 0,
            ret: 0,
            registers: vec![],
            code: vec![Instr::RetVoid {}],
            handlers: Vec::new(),
            debug: FunctionDebug::default(),
        }],
        ..Module::default()
    }
}

/// The source of [`fib`].
pub const FIB_SOURCE: &str = "\
proc fib(n: int) -> int {
    if n < 2 { give n; }
    give fib(n - 1) + fib(n - 2);
}

proc main() {
    print(str(fib(20)));
}
";

/// A recursive Fibonacci program, as a compiler would produce it, with its source and line tables.
pub fn fib() -> Module {
    let line = |pc: u32, line: u32, col: u32| LineEntry {
        pc,
        line,
        col,
        is_stmt: true,
    };
    let fib = Function {
        name: "fib".into(),
        param_count: 1,
        ret: 1,
        registers: vec![1, 1, 1, 1, 1],
        code: vec![
            Instr::LoadInt { dst: 1, value: 2 },
            Instr::JumpIfNotLtI {
                a: 0,
                b: 1,
                target: 3,
            },
            Instr::Ret { src: 0 },
            Instr::AddIImm {
                dst: 2,
                a: 0,
                imm: -1,
            },
            Instr::Call {
                func: 0,
                args: 2,
                dst: 3,
            },
            Instr::AddIImm {
                dst: 2,
                a: 0,
                imm: -2,
            },
            Instr::Call {
                func: 0,
                args: 2,
                dst: 4,
            },
            Instr::AddI { dst: 3, a: 3, b: 4 },
            Instr::Ret { src: 3 },
        ],
        handlers: Vec::new(),
        debug: FunctionDebug {
            file: 0,
            line: 1,
            col: 1,
            lines: vec![line(0, 2, 5), line(2, 2, 16), line(3, 3, 5)],
            locals: vec![LocalVar {
                name: "n".into(),
                register: 0,
                start_pc: 0,
                end_pc: 9,
            }],
        },
    };
    let main = Function {
        name: "main".into(),
        param_count: 0,
        ret: 0,
        registers: vec![1, 1, 2],
        code: vec![
            Instr::LoadConst { dst: 0, index: 0 },
            Instr::Call {
                func: 0,
                args: 0,
                dst: 1,
            },
            Instr::IntToStr { dst: 2, src: 1 },
            Instr::CallNative {
                native: 0,
                args: 2,
                dst: 0,
            },
            Instr::RetVoid {},
        ],
        handlers: Vec::new(),
        debug: FunctionDebug {
            file: 0,
            line: 6,
            col: 1,
            lines: vec![line(0, 7, 5), line(4, 8, 1)],
            locals: vec![],
        },
    };
    Module {
        types: vec![Type::Void, Type::Int, Type::Str],
        constants: vec![Constant::Int(20)],
        natives: vec![NativeImport {
            name: "print".into(),
            params: vec![2],
            ret: 0,
        }],
        functions: vec![fib, main],
        entry: 1,
        sources: vec![SourceFile {
            path: "fib.vit".into(),
            text: FIB_SOURCE.into(),
        }],
        ..Module::default()
    }
}

/// [`kitchen_sink`] with exception handlers in `main` (nested ranges, innermost first) and in
/// `helper`: what the committed version-2 file holds.
pub fn kitchen_sink_with_handlers() -> Module {
    let mut module = kitchen_sink();
    module.functions.push(threads_function());
    module.functions[MAIN as usize].handlers = vec![
        Handler {
            start_pc: 4,
            end_pc: 9,
            target_pc: 2,
            message_register: 8,
        },
        Handler {
            start_pc: 0,
            end_pc: 30,
            target_pc: 1,
            message_register: 9,
        },
    ];
    module.functions[HELPER as usize].handlers = vec![Handler {
        start_pc: 0,
        end_pc: 0,
        target_pc: 0,
        message_register: 1,
    }];
    module
}

/// A function (f4 of `kitchen_sink_with_handlers()`) that uses every thread instruction.
pub fn threads_function() -> Function {
    function(
        "threads",
        0,
        VOID,
        &[THREAD, CHAN, INT],
        vec![
            Instr::ThreadId { dst: 2 },
            Instr::ChanNew { dst: 1, cap: 2 },
            Instr::Send { chan: 1, src: 2 },
            Instr::Recv { dst: 2, chan: 1 },
            Instr::Spawn {
                func: INIT,
                args: 0,
                dst: 0,
            },
            Instr::Join { thread: 0 },
            Instr::Yield {},
            Instr::Sleep { ms: 2 },
            Instr::RetVoid {},
        ],
    )
}

/// Every valid sample module, named.
pub fn samples() -> Vec<(&'static str, Module)> {
    vec![
        ("minimal", minimal()),
        ("base", base()),
        ("fib", fib()),
        ("kitchen_sink", kitchen_sink()),
        ("kitchen_sink_with_handlers", kitchen_sink_with_handlers()),
        ("later_instructions", later_instructions()),
    ]
}

/// An independent re-check of what the interpreter relies on, written without the verifier's
/// code: every index in range, every fixed-type register of its type, no running off the end.
/// Panics (failing the test) when a module the verifier accepted breaks one of these.
pub fn assert_runnable(module: &Module) {
    let base_type = |mut id: TypeId| -> &Type {
        for _ in 0..=64 {
            match module.types.get(id as usize) {
                Some(Type::Nullable(inner)) => id = *inner,
                Some(ty) => return ty,
                None => panic!("type {id} out of range"),
            }
        }
        panic!("nullable chain too long")
    };
    assert!((module.entry as usize) < module.functions.len());
    if let Some(init) = module.init {
        assert!((init as usize) < module.functions.len());
    }
    for function in &module.functions {
        let registers = function.registers.len();
        assert!(registers <= 65535);
        assert!(usize::from(function.param_count) <= registers);
        assert!(matches!(
            function.code.last(),
            Some(Instr::Jump { .. } | Instr::Ret { .. } | Instr::RetVoid {} | Instr::Throw { .. })
        ));
        for &ty in &function.registers {
            assert!(!matches!(base_type(ty), Type::Void));
        }
        for handler in &function.handlers {
            assert!(handler.start_pc <= handler.end_pc);
            assert!(handler.end_pc as usize <= function.code.len());
            assert!((handler.target_pc as usize) < function.code.len());
            let register = usize::from(handler.message_register);
            assert!(register < registers);
            assert_eq!(*base_type(function.registers[register]), Type::Str);
        }
        for instr in &function.code {
            let span = match *instr {
                Instr::Call { func, args, .. } => Some((
                    args,
                    usize::from(module.functions[func as usize].param_count),
                )),
                Instr::CallNative { native, args, .. } => {
                    Some((args, module.natives[native as usize].params.len()))
                }
                Instr::NewArray { first, count, .. } => Some((first, usize::from(count))),
                _ => None,
            };
            if let Some((first, count)) = span {
                assert!(usize::from(first) + count <= registers, "{instr}");
            }
            let void_call = match *instr {
                Instr::Call { func, .. } => {
                    matches!(base_type(module.functions[func as usize].ret), Type::Void)
                }
                Instr::CallNative { native, .. } => {
                    matches!(base_type(module.natives[native as usize].ret), Type::Void)
                }
                _ => false,
            };
            for operand in instr.operands() {
                let value = operand.value as usize;
                match operand.kind {
                    OperandKind::Reg if matches!(operand.name, "args" | "first") => {}
                    OperandKind::Reg if operand.name == "dst" && void_call => {}
                    OperandKind::Reg => assert!(value < registers, "{instr}"),
                    OperandKind::RegI
                    | OperandKind::RegF
                    | OperandKind::RegB
                    | OperandKind::RegS => {
                        let ty = base_type(function.registers[value]);
                        let ok = match operand.kind {
                            OperandKind::RegI => *ty == Type::Int,
                            OperandKind::RegF => *ty == Type::Float,
                            OperandKind::RegB => *ty == Type::Bool,
                            _ => *ty == Type::Str,
                        };
                        assert!(ok, "{instr}: operand {} has type {ty:?}", operand.name);
                    }
                    OperandKind::Const => assert!(value < module.constants.len(), "{instr}"),
                    OperandKind::Global => assert!(value < module.globals.len(), "{instr}"),
                    OperandKind::Func => assert!(value < module.functions.len(), "{instr}"),
                    OperandKind::Native => assert!(value < module.natives.len(), "{instr}"),
                    OperandKind::Target => assert!(value < function.code.len(), "{instr}"),
                    OperandKind::Field | OperandKind::Imm | OperandKind::Flag => {}
                }
            }
            match *instr {
                Instr::GetField { object, field, .. } | Instr::SetField { object, field, .. } => {
                    let Type::Form(form) = base_type(function.registers[usize::from(object)])
                    else {
                        panic!("{instr}: not a form");
                    };
                    assert!(usize::from(field) < module.forms[*form as usize].fields.len());
                }
                Instr::NewForm { dst, first } => {
                    let Type::Form(form) = base_type(function.registers[usize::from(dst)]) else {
                        panic!("{instr}: not a form");
                    };
                    let count = module.forms[*form as usize].fields.len();
                    assert!(usize::from(first) + count <= registers);
                }
                Instr::NewPick { dst, case, first } => {
                    let Type::Pick(pick) = base_type(function.registers[usize::from(dst)]) else {
                        panic!("{instr}: not a pick");
                    };
                    let count = module.picks[*pick as usize].cases[usize::from(case)]
                        .fields
                        .len();
                    assert!(usize::from(first) + count <= registers);
                }
                Instr::PickField {
                    pick, case, field, ..
                } => {
                    let Type::Pick(index) = base_type(function.registers[usize::from(pick)]) else {
                        panic!("{instr}: not a pick");
                    };
                    let case = &module.picks[*index as usize].cases[usize::from(case)];
                    assert!(usize::from(field) < case.fields.len());
                }
                _ => {}
            }
        }
        for entry in &function.debug.lines {
            assert!((entry.pc as usize) < function.code.len());
        }
        for local in &function.debug.locals {
            assert!(usize::from(local.register) < registers);
        }
    }
}
