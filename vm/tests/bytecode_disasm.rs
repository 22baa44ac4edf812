//! The disassembler's listing: exact output for a small program, coverage of every instruction,
//! handler tables, and no panic on modules that do not verify.

use crate::bytecode_common::{
    code, fib, kitchen_sink, kitchen_sink_with_handlers, later_instructions,
};
use vitte_vm::bytecode::disasm::{disassemble, disassemble_function, type_name};
use vitte_vm::bytecode::isa::INSTRUCTIONS;
use vitte_vm::bytecode::{Constant, LineEntry, Module, Type};

const FIB_LISTING: &str = "\
; module: 2 functions, 3 types, 1 constants, 0 globals, 1 natives
; entry f1 (main)

constants:
  k0 = 20

natives:
  n0 print(string)

function f0 fib(n: int) -> int  ; fib.vit:1:1
  registers: r0 int, r1 int, r2 int, r3 int, r4 int
    ; 2 | if n < 2 { give n; }
  0000  load.int r1, 2
  0001  jump.ifnot.lt.i r0, r1, @3  ; -> 0003
  0002  ret r0
    ; 3 | give fib(n - 1) + fib(n - 2);
  0003  add.i.imm r2, r0, -1
  0004  call f0, r2, r3           ; fib
  0005  add.i.imm r2, r0, -2
  0006  call f0, r2, r4           ; fib
  0007  add.i r3, r3, r4
  0008  ret r3

function f1 main()  ; fib.vit:6:1
  registers: r0 int, r1 int, r2 string
    ; 7 | print(str(fib(20)));
  0000  load.const r0, k0         ; 20
  0001  call f0, r0, r1           ; fib
  0002  int.to.str r2, r1
  0003  call.native n0, r2, r0    ; print
    ; 8 | }
  0004  ret.void
";

#[test]
fn a_small_program_lists_exactly() {
    assert_eq!(disassemble(&fib()), FIB_LISTING);
}

#[test]
fn one_function_can_be_listed_alone() {
    let listing = disassemble_function(&fib(), 1).unwrap();
    assert!(
        listing.starts_with("function f1 main()  ; fib.vit:6:1\n"),
        "{listing}"
    );
    assert!(FIB_LISTING.ends_with(&listing));
    assert_eq!(disassemble_function(&fib(), 2), None);
}

#[test]
fn every_instruction_and_annotation_appears() {
    let listing = disassemble(&kitchen_sink_with_handlers()) + &disassemble(&later_instructions());
    // `break` only exists in a debugged program's patched code, never in a module.
    for info in INSTRUCTIONS.iter().filter(|info| info.mnemonic != "break") {
        assert!(
            listing
                .lines()
                .any(|line| line.split_whitespace().nth(1) == Some(info.mnemonic)),
            "{} missing from:\n{listing}",
            info.mnemonic
        );
    }
    for expected in [
        "; entry f0 (main), init f2 ($init)",
        "form Point { x: float, y: float }",
        "pick Shape { Circle(r: float), Rect(w: float, h: float), Empty }",
        "  k2 = \"hello \\\"world\\\"\\n😀\"",
        "  k4 = -0.0",
        "  g1 util.names: ?[string]",
        "  n2 chan(int) -> Chan[int]",
        "function f0 main() -> int  ; main.vit:3:1",
        "             r8 string, r9 ?string, r10 [int], r11 Map[string, int], r12 [string],",
        "function f1 util.helper(a: int, b: string) -> int  ; util.vit:1:1",
        "    ; 3 | proc main() -> int {",
        "  0039  jump.if r7, @41           ; -> 0041",
        "  0045  call f1, r18, r2          ; util.helper",
        "  0046  call.native n0, r8, r0    ; print",
        "  0078  global.get r0, g0         ; counter",
        "  0044  load.const r19, k5        ; \"\"",
        "function f3 log(r0: ?string)",
    ] {
        assert!(
            listing.contains(expected),
            "{expected:?} missing from:\n{listing}"
        );
    }
}

#[test]
fn broken_modules_list_without_panicking() {
    let module = Module {
        types: vec![Type::Array(0), Type::Form(4), Type::Map(9, 1)],
        constants: vec![Constant::Str("x".repeat(100))],
        functions: vec![vitte_vm::bytecode::Function {
            name: "broken".into(),
            param_count: 3,
            ret: 42,
            registers: vec![0, 1, 2, 77],
            code: code(
                "
                call f9, r0, r0
                call.native n3, r0, r0
                global.get r0, g5
                load.const r0, k0
                load.const r0, k8
                ",
            ),
            handlers: Vec::new(),
            debug: vitte_vm::bytecode::FunctionDebug {
                file: 3,
                line: 0,
                col: 0,
                lines: vec![
                    LineEntry {
                        pc: 4,
                        line: 0,
                        col: 0,
                        is_stmt: true,
                    },
                    LineEntry {
                        pc: 1,
                        line: u32::MAX,
                        col: 0,
                        is_stmt: true,
                    },
                ],
                locals: vec![],
            },
        }],
        entry: 7,
        init: Some(8),
        ..Module::default()
    };
    let listing = disassemble(&module);
    for expected in [
        "; entry f7 (<function 7>), init f8 (<function 8>)",
        "function f0 broken(r0: [[[[",
        "r1: <form 4>, r2: Map[<type 9>, <form 4>]) -> <type 42>",
        "r3 <type 77>",
        "; <no such function>",
        "; <no such native>",
        "; <no such global>",
        "; <no such constant>",
        &format!("; {:?}…", "x".repeat(40)),
        "    ; line 4294967295",
    ] {
        assert!(
            listing.contains(expected),
            "{expected:?} missing from:\n{listing}"
        );
    }
}

#[test]
fn type_names() {
    let module = kitchen_sink();
    let names: Vec<String> = (0..module.types.len() as u32)
        .map(|id| type_name(&module, id))
        .collect();
    assert_eq!(
        names,
        [
            "void",
            "int",
            "float",
            "bool",
            "string",
            "?string",
            "[int]",
            "[string]",
            "Map[string, int]",
            "Point",
            "?Point",
            "Shape",
            "Thread",
            "Chan[int]",
            "?[string]",
            "[float]",
            "[int]"
        ]
    );
}

#[test]
fn handler_tables_are_listed_after_the_registers() {
    let listing = disassemble_function(&kitchen_sink_with_handlers(), 0).unwrap();
    let lines: Vec<&str> = listing.lines().collect();
    let first = lines
        .iter()
        .position(|line| line.starts_with("  handler:"))
        .expect("a handler line");
    assert!(lines[first - 1].contains("r20 [int]"), "{listing}");
    assert_eq!(lines[first], "  handler: 0004..0009 -> 0002, message r8");
    assert_eq!(
        lines[first + 1],
        "  handler: 0000..0030 -> 0001, message r9"
    );
    assert!(lines[first + 3].starts_with("  0000  nop"), "{listing}");
    assert!(
        !disassemble_function(&kitchen_sink(), 0)
            .unwrap()
            .contains("handler:")
    );
}
