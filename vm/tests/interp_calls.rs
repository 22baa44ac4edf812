//! Interpreter tests: calls, returns, argument passing, deep recursion and the depth limit.

use crate::interp_common::{Builder, run, run_with};
use vitte_vm::VmConfig;
use vitte_vm::bytecode::Module;

/// `fib(n)` recursively, `main` gives `fib(n)`.
fn fib_module(n: i32) -> Module {
    let mut b = Builder::new();
    let (int, bool) = (b.int(), b.bool());
    b.main(
        int,
        &[int],
        format!(
            "
            load.int r0, {n}
            call f1, r0, r0
            ret r0
        "
        ),
    );
    // fib(r0): if r0 < 2 give r0; give fib(r0 - 1) + fib(r0 - 2)
    b.function(
        "fib",
        1,
        int,
        &[int, int, bool, int, int],
        "
            0000  load.int r1, 2
            0001  lt.i r2, r0, r1
            0002  jump.ifnot r2, @4
            0003  ret r0
            0004  add.i.imm r3, r0, -1
            0005  call f1, r3, r3
            0006  add.i.imm r4, r0, -2
            0007  call f1, r4, r4
            0008  add.i r3, r3, r4
            0009  ret r3
        ",
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
        format!(
            "
            load.int r0, {depth}
            call f1, r0, r0
            ret r0
        "
        ),
    );
    b.function(
        "down",
        1,
        int,
        &[int, int, bool],
        "
            0000  load.int r1, 0
            0001  eq.i r2, r0, r1
            0002  jump.if r2, @6
            0003  add.i.imm r1, r0, -1
            0004  call f1, r1, r1
            0005  add.i.imm r0, r1, 1
            0006  ret r0
        ",
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
        "
            call f0, r0, r0
            ret.void
        ",
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
        "
            load.int r0, 30
            load.int r1, 12
            load.int r2, 99
            call f1, r0, r3
            call f1, r0, r3
            ret r3
        ",
    );
    // callee(a, b): gives -1 unless r2 (int) is 0 and r3 (string) is still null; then leaves junk in
    // both and gives a + b.
    let junk = b.str_const("junk");
    b.function(
        "callee",
        2,
        int,
        &[int, int, int, string, bool, int, nullable],
        format!(
            "
            0000  load.int r5, 0
            0001  eq.i r4, r2, r5
            0002  jump.ifnot r4, @10
            0003  load.null r6
            0004  eq.s r4, r3, r6
            0005  jump.ifnot r4, @10
            0006  load.int r2, 7
            0007  load.const r3, k{junk}
            0008  add.i r5, r0, r1
            0009  ret r5
            0010  load.int r5, -1
            0011  ret r5
        "
        ),
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
        "
            load.int r0, 5
            call f1, r0, r0
            ret r0
        ",
    );
    b.function(
        "nothing",
        0,
        void,
        &[int],
        "
            load.int r0, 9
            ret.void
        ",
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
        format!(
            "
            global.get r0, g{global}
            add.i.imm r0, r0, 1
            global.set g{global}, r0
            ret r0
        "
        ),
    );
    let mut outcome = run(b.build());
    assert_eq!(outcome.code(), 1);
    assert_eq!(outcome.vm.run().ok(), Some(1));
}
