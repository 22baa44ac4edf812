//! Shared fixtures of the bytecode tests: hand-built valid modules, their code in assembler text
//! (one of them uses every instruction and fills every section), and an independent check that a module accepted by the
//! verifier cannot make the interpreter index out of range.

#![allow(dead_code)]

use vitte_vm::bytecode::asm;
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

/// The instructions of a function body in assembler text; panics on a mistake in the text.
pub fn code(text: &str) -> Vec<Instr> {
    asm::assemble_code(text).unwrap_or_else(|error| panic!("{error} in:\n{text}"))
}

/// The one instruction of assembler text `text`.
pub fn instr(text: &str) -> Instr {
    match code(text).as_slice() {
        [instr] => *instr,
        other => panic!("{text:?} is {} instructions, not one", other.len()),
    }
}

fn function(name: &str, params: u16, ret: TypeId, registers: &[TypeId], text: &str) -> Function {
    let code = code(text);
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
        "
            0000  str.len r2, r1
            0001  add.i r2, r2, r0
            0002  ret r2
        ",
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
            "
                0000  load.int r0, 0
                0001  ret r0
            ",
        ),
        helper,
        function(
            "$init",
            0,
            VOID,
            &[INT],
            "
                0000  load.int r0, 1
                0001  global.set g0, r0
                0002  ret.void
            ",
        ),
        function(
            "log",
            1,
            VOID,
            &[NSTR],
            "
                0000  call.native n0, r0, r0      ; PRINT
                0001  ret.void
            ",
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
    let code = "
        0000  nop
        0001  load.int r0, 7
        0002  load.const r1, k0
        0003  move r2, r1
        0004  add.i r2, r0, r1
        0005  sub.i r2, r2, r0
        0006  mul.i r2, r2, r0
        0007  div.i r2, r2, r0
        0008  rem.i r2, r2, r0
        0009  neg.i r2, r2
        0010  add.i.imm r2, r2, -3
        0011  load.const r3, k1
        0012  int.to.float r4, r0
        0013  add.f r5, r3, r4
        0014  sub.f r5, r5, r4
        0015  mul.f r5, r5, r4
        0016  div.f r5, r5, r4
        0017  rem.f r5, r5, r4
        0018  neg.f r5, r5
        0019  eq.i r6, r0, r1
        0020  ne.i r6, r0, r1
        0021  lt.i r6, r0, r1
        0022  le.i r6, r0, r1
        0023  eq.f r6, r3, r4
        0024  ne.f r6, r3, r4
        0025  lt.f r6, r3, r4
        0026  le.f r6, r3, r4
        0027  eq.b r7, r6, r6
        0028  ne.b r7, r6, r7
        0029  load.bool r7, true
        0030  load.const r8, k2
        0031  load.null r9
        0032  eq.s r6, r8, r9
        0033  ne.s r6, r8, r9
        0034  lt.s r6, r8, r8
        0035  le.s r6, r8, r8
        0036  eq.ref r6, r8, r9
        0037  ne.ref r6, r13, r15
        0038  not r7, r6
        0039  jump.if r7, @41
        0040  jump.ifnot r7, @41
        0041  jump.ifnot.lt.i r0, r1, @43
        0042  jump.ifnot.le.i r0, r1, @43
        0043  move r18, r0
        0044  load.const r19, k5
        0045  call f1, r18, r2            ; HELPER
        0046  call.native n0, r8, r0      ; PRINT
        0047  call.native n1, r3, r5      ; SQRT
        0048  float.to.int r0, r5
        0049  parse.int r0, r8
        0050  parse.float r3, r9
        0051  int.to.str r8, r0
        0052  float.to.str r9, r3
        0053  bool.to.str r8, r6
        0054  ref.to.str r8, r13
        0055  concat r8, r8, r9
        0056  str.len r0, r8
        0057  array.new r10, r0, 3
        0058  array.fill r20, r0, r1
        0059  array.get r1, r10, r0
        0060  array.set r20, r0, r1
        0061  array.len r0, r10
        0062  array.push r10, r2
        0063  array.pop r2, r10
        0064  map.new r11
        0065  map.set r11, r8, r0
        0066  map.get r0, r11, r9
        0067  map.get.or r0, r11, r8, r1
        0068  map.contains r6, r11, r8
        0069  map.remove r6, r11, r8
        0070  map.len r0, r11
        0071  map.keys r12, r11
        0072  form.new r13, r3
        0073  form.get r5, r13, 1
        0074  form.set r15, 0, r5
        0075  pick.new r14, 1, r4
        0076  pick.tag r0, r14
        0077  pick.field r3, r14, 0, 0
        0078  global.get r0, g0
        0079  global.set g0, r0
        0080  call f3, r9, r0             ; LOG
        0081  jump.ifnot r6, @83
        0082  throw r8
        0083  load.null r16
        0084  load.null r17
        0085  pick.new r14, 2, r21
        0086  jump @87
        0087  ret r0
    ";
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
    let code = "
        0000  load.int r0, 7
        0001  load.int r1, 9
        0002  move r2, r1
        0003  concat.append r8, r8
        0004  mul.i.imm r2, r2, 3
        0005  div.i.imm r2, r2, -4
        0006  rem.i.imm r2, r2, 5
        0007  jump.ifnot.eq.i r0, r1, @16
        0008  jump.ifnot.ne.i r0, r1, @16
        0009  jump.ifnot.eq.i.imm r0, 1, @16
        0010  jump.ifnot.ne.i.imm r0, 1, @16
        0011  jump.ifnot.lt.i.imm r0, 1, @16
        0012  jump.ifnot.le.i.imm r0, 1, @16
        0013  jump.ifnot.gt.i.imm r0, 1, @16
        0014  jump.ifnot.ge.i.imm r0, 1, @16
        0015  for.next r0, r1, @4
        0016  ret r2
    ";
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
            code: code(
                "
                0000  ret.void
            ",
            ),
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
        code: code(
            "
            0000  load.int r1, 2
            0001  jump.ifnot.lt.i r0, r1, @3
            0002  ret r0
            0003  add.i.imm r2, r0, -1
            0004  call f0, r2, r3
            0005  add.i.imm r2, r0, -2
            0006  call f0, r2, r4
            0007  add.i r3, r3, r4
            0008  ret r3
        ",
        ),
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
        code: code(
            "
            0000  load.const r0, k0
            0001  call f0, r0, r1
            0002  int.to.str r2, r1
            0003  call.native n0, r2, r0
            0004  ret.void
        ",
        ),
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
        "
            0000  thread.id r2
            0001  chan.new r1, r2
            0002  chan.send r1, r2
            0003  chan.recv r2, r1
            0004  spawn f2, r0, r0            ; INIT
            0005  join r0
            0006  yield
            0007  sleep r2
            0008  ret.void
        ",
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
