//! Interpreter tests: calls, returns, argument passing, deep recursion and the depth limit.

mod interp_common;

use interp_common::{Builder, run, run_with};
use vitte_vm::VmConfig;
use vitte_vm::bytecode::{Instr, Module};

/// `fib(n)` recursively, `main` gives `fib(n)`.
fn fib_module(n: i32) -> Module {
    let mut b = Builder::new();
    let (int, bool) = (b.int(), b.bool());
    b.main(
        int,
        &[int],
        vec![
            Instr::LoadInt { dst: 0, value: n },
            Instr::Call {
                func: 1,
                args: 0,
                dst: 0,
            },
            Instr::Ret { src: 0 },
        ],
    );
    // fib(r0): if r0 < 2 give r0; give fib(r0 - 1) + fib(r0 - 2)
    b.function(
        "fib",
        1,
        int,
        &[int, int, bool, int, int],
        vec![
            Instr::LoadInt { dst: 1, value: 2 },
            Instr::LtI { dst: 2, a: 0, b: 1 },
            Instr::JumpIfNot { cond: 2, target: 4 },
            Instr::Ret { src: 0 },
            Instr::AddIImm {
                dst: 3,
                a: 0,
                imm: -1,
            },
            Instr::Call {
                func: 1,
                args: 3,
                dst: 3,
            },
            Instr::AddIImm {
                dst: 4,
                a: 0,
                imm: -2,
            },
            Instr::Call {
                func: 1,
                args: 4,
                dst: 4,
            },
            Instr::AddI { dst: 3, a: 3, b: 4 },
            Instr::Ret { src: 3 },
        ],
    );
    b.build()
}

#[test]
fn recursive_calls_compute_fib() {
    assert_eq!(run(fib_module(20)).code(), 6765);
}

/// `main` calls `down(depth)`, which recurses until 0 and gives the depth reached back up.
fn nested_module(depth: i32) -> Module {
    let mut b = Builder::new();
    let (int, bool) = (b.int(), b.bool());
    b.main(
        int,
        &[int],
        vec![
            Instr::LoadInt {
                dst: 0,
                value: depth,
            },
            Instr::Call {
                func: 1,
                args: 0,
                dst: 0,
            },
            Instr::Ret { src: 0 },
        ],
    );
    b.function(
        "down",
        1,
        int,
        &[int, int, bool],
        vec![
            Instr::LoadInt { dst: 1, value: 0 },
            Instr::EqI { dst: 2, a: 0, b: 1 },
            Instr::JumpIf { cond: 2, target: 6 },
            Instr::AddIImm {
                dst: 1,
                a: 0,
                imm: -1,
            },
            Instr::Call {
                func: 1,
                args: 1,
                dst: 1,
            },
            Instr::AddIImm {
                dst: 0,
                a: 1,
                imm: 1,
            },
            Instr::Ret { src: 0 },
        ],
    );
    b.build()
}

#[test]
fn ten_thousand_nested_calls_work_by_default() {
    assert_eq!(run(nested_module(10_000)).code(), 10_000);
}

#[test]
fn the_default_limit_allows_exactly_100_000_frames() {
    // main plus 99 999 frames of `down` is at the limit.
    assert_eq!(run(nested_module(99_998)).code(), 99_998);
    let outcome = run(nested_module(99_999));
    let error = outcome.error();
    assert_eq!(error.message, "stack overflow");
    assert_eq!(error.trace.len(), 100_000);
    assert_eq!(error.trace[0].function, "down");
    assert_eq!(
        error.trace.last().map(|frame| frame.function.as_str()),
        Some("main")
    );
}

#[test]
fn unbounded_recursion_is_a_stack_overflow_at_the_configured_depth() {
    let mut b = Builder::new();
    let void = b.void();
    b.main(
        void,
        &[],
        vec![
            Instr::Call {
                func: 0,
                args: 0,
                dst: 0,
            },
            Instr::RetVoid {},
        ],
    );
    let config = VmConfig {
        max_depth: 50,
        ..VmConfig::default()
    };
    let outcome = run_with(b.build(), config, "");
    assert_eq!(outcome.error().message, "stack overflow");
    assert_eq!(outcome.error().trace.len(), 50);
}

#[test]
fn arguments_are_copied_and_other_callee_registers_start_zeroed() {
    let mut b = Builder::new();
    let (int, string, bool) = (b.int(), b.string(), b.bool());
    let nullable = b.nullable(string);
    // main: r0..r2 = 30, 12, junk; r3 = callee(r0, r1)
    b.main(
        int,
        &[int, int, int, int],
        vec![
            Instr::LoadInt { dst: 0, value: 30 },
            Instr::LoadInt { dst: 1, value: 12 },
            Instr::LoadInt { dst: 2, value: 99 },
            // A first call leaves junk in the callee's window...
            Instr::Call {
                func: 1,
                args: 0,
                dst: 3,
            },
            // ...which the second call must not see.
            Instr::Call {
                func: 1,
                args: 0,
                dst: 3,
            },
            Instr::Ret { src: 3 },
        ],
    );
    // callee(a, b): gives -1 unless r2 (int) is 0 and r3 (string) is still null; then leaves junk in
    // both and gives a + b.
    let junk = b.str_const("junk");
    b.function(
        "callee",
        2,
        int,
        &[int, int, int, string, bool, int, nullable],
        vec![
            Instr::LoadInt { dst: 5, value: 0 },
            Instr::EqI { dst: 4, a: 2, b: 5 },
            Instr::JumpIfNot {
                cond: 4,
                target: 10,
            },
            Instr::LoadNull { dst: 6 },
            Instr::EqS { dst: 4, a: 3, b: 6 },
            Instr::JumpIfNot {
                cond: 4,
                target: 10,
            },
            Instr::LoadInt { dst: 2, value: 7 },
            Instr::LoadConst {
                dst: 3,
                index: junk,
            },
            Instr::AddI { dst: 5, a: 0, b: 1 },
            Instr::Ret { src: 5 },
            Instr::LoadInt { dst: 5, value: -1 },
            Instr::Ret { src: 5 },
        ],
    );
    assert_eq!(run(b.build()).code(), 42);
}

#[test]
fn a_void_call_leaves_its_destination_alone() {
    let mut b = Builder::new();
    let (int, void) = (b.int(), b.void());
    b.main(
        int,
        &[int],
        vec![
            Instr::LoadInt { dst: 0, value: 5 },
            Instr::Call {
                func: 1,
                args: 0,
                dst: 0,
            },
            Instr::Ret { src: 0 },
        ],
    );
    b.function(
        "nothing",
        0,
        void,
        &[int],
        vec![Instr::LoadInt { dst: 0, value: 9 }, Instr::RetVoid {}],
    );
    assert_eq!(run(b.build()).code(), 5);
}

#[test]
fn a_vm_runs_again_with_fresh_globals() {
    let mut b = Builder::new();
    let int = b.int();
    let global = b.global("count", int);
    b.main(
        int,
        &[int],
        vec![
            Instr::GetGlobal { dst: 0, global },
            Instr::AddIImm {
                dst: 0,
                a: 0,
                imm: 1,
            },
            Instr::SetGlobal { global, src: 0 },
            Instr::Ret { src: 0 },
        ],
    );
    let mut outcome = run(b.build());
    assert_eq!(outcome.code(), 1);
    assert_eq!(outcome.vm.run().ok(), Some(1));
}
