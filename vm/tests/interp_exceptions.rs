//! The unwinder: runtime errors caught by handler tables in the same frame and in callers, the
//! innermost handler winning, the frames and registers after a catch, errors that stay uncaught
//! (with their full stack trace), the resource limits no handler can catch, and catching as a
//! step (a handler that catches its own `throw` for ever still meets the step limit, the
//! preemption of threads and the debugger's pause).

use crate::bytecode_common::code;
use crate::interp_common::{Builder, run, run_with};
use vitte_vm::bytecode::{Handler, Module, Type};
use vitte_vm::debug::{Outcome, Resume, StopReason};
use vitte_vm::{Vm, VmConfig};

fn handler(start_pc: u32, end_pc: u32, target_pc: u32, message_register: u16) -> Handler {
    Handler {
        start_pc,
        end_pc,
        target_pc,
        message_register,
    }
}

/// `main() -> int` whose `div.i` at pc 2 divides by zero, caught by `handlers` (when they cover it).
fn divide_by_zero(handlers: Vec<Handler>) -> Module {
    let mut b = Builder::new();
    let (int, string) = (b.int(), b.string());
    let print = b.print();
    let main = b.main(
        int,
        &[int, int, string, string],
        format!(
            "
            load.int r0, 10
            load.int r1, 0
            div.i r0, r0, r1
            ret r0
            call.native n{print}, r2, r2
            load.int r0, 7
            ret r0
            call.native n{print}, r3, r3
            load.int r0, 8
            ret r0
        "
        ),
    );
    let mut module = b.build();
    module.functions[main as usize].handlers = handlers;
    module
}

#[test]
fn an_error_is_caught_in_its_own_frame() {
    let outcome = run(divide_by_zero(vec![handler(2, 3, 4, 2)]));
    assert_eq!(outcome.code(), 7);
    assert_eq!(outcome.stdout, "division by zero\n");
}

#[test]
fn the_first_covering_handler_wins() {
    let outcome = run(divide_by_zero(vec![
        handler(1, 3, 7, 3),
        handler(0, 4, 4, 2),
    ]));
    assert_eq!(outcome.code(), 8);
    let outcome = run(divide_by_zero(vec![
        handler(0, 2, 7, 3),
        handler(2, 3, 4, 2),
    ]));
    assert_eq!(outcome.code(), 7, "the first handler ends before the fault");
}

#[test]
fn a_handler_that_does_not_cover_the_fault_is_ignored() {
    for handlers in [
        vec![handler(0, 2, 4, 2)],
        vec![handler(3, 4, 4, 2)],
        vec![handler(2, 2, 4, 2)],
    ] {
        let outcome = run(divide_by_zero(handlers));
        let error = outcome.error();
        assert_eq!(error.message, "division by zero");
        assert_eq!(error.trace.len(), 1);
    }
}

/// `main` calls `outer(depth)`, which calls `inner`, which throws `"deep"` after filling its
/// registers with fresh strings; `main`'s call at pc 3 is covered by `main_handlers`. `main` keeps
/// a string in r1 and an int in r0 across the call.
fn throw_through_frames(main_handlers: Vec<Handler>) -> Module {
    let mut b = Builder::new();
    let (int, string, void) = (b.int(), b.string(), b.void());
    let print = b.print();
    let deep = b.str_const("deep");
    let kept = b.str_const("kept");
    let main = b.main(
        int,
        &[int, string, string, int],
        format!(
            "
            load.int r0, 42
            load.const r1, k{kept}
            load.int r3, 5
            call f1, r3, r3
            ret r0
            call.native n{print}, r2, r2
            call.native n{print}, r1, r1
            int.to.str r2, r0
            call.native n{print}, r2, r2
            ret r0
        "
        ),
    );
    b.function(
        "outer",
        1,
        void,
        &[int, string],
        "
            int.to.str r1, r0
            call f2, r0, r0
            ret.void
        ",
    );
    b.function(
        "inner",
        1,
        void,
        &[int, string, string],
        format!(
            "
            int.to.str r1, r0
            concat r2, r1, r1
            load.const r2, k{deep}
            throw r2
        "
        ),
    );
    let mut module = b.build();
    module.functions[main as usize].handlers = main_handlers;
    module
}

#[test]
fn an_error_unwinds_to_a_caller_with_its_locals_intact() {
    let outcome = run(throw_through_frames(vec![handler(3, 4, 5, 2)]));
    assert_eq!(outcome.code(), 42);
    assert_eq!(outcome.stdout, "deep\nkept\n42\n");
}

#[test]
fn an_uncaught_error_keeps_every_frame_in_its_trace() {
    let outcome = run(throw_through_frames(vec![handler(0, 3, 5, 2)]));
    let error = outcome.error();
    assert_eq!(error.message, "deep");
    let names: Vec<&str> = error
        .trace
        .iter()
        .map(|frame| frame.function.as_str())
        .collect();
    assert_eq!(names, ["inner", "outer", "main"]);
}

/// `main() -> int` calling the endlessly recursive `down` at pc 0 under a handler, then once more
/// at pc 3 under the same handler, counting the catches in r0.
fn overflow_twice() -> Module {
    let mut b = Builder::new();
    let (int, string, void) = (b.int(), b.string(), b.void());
    let print = b.print();
    let main = b.main(
        int,
        &[int, string, int],
        format!(
            "
            0000  call f1, r2, r2
            0001  load.int r0, 99
            0002  ret r0
            0003  call.native n{print}, r1, r1
            0004  add.i.imm r0, r0, 1
            0005  load.int r2, 2
            0006  jump.ifnot.lt.i r0, r2, @8
            0007  jump @0
            0008  ret r0
        "
        ),
    );
    b.function(
        "down",
        0,
        void,
        &[string, int],
        "
            int.to.str r0, r1
            call f1, r0, r0
            ret.void
        ",
    );
    let mut module = b.build();
    module.functions[main as usize].handlers = vec![handler(0, 1, 3, 1)];
    module
}

#[test]
fn stack_overflow_is_caught_and_the_program_can_recurse_again() {
    let config = VmConfig {
        max_depth: 200,
        ..VmConfig::default()
    };
    let outcome = run_with(overflow_twice(), config, "");
    assert_eq!(outcome.code(), 2);
    assert_eq!(outcome.stdout, "stack overflow\nstack overflow\n");
}

#[test]
fn native_errors_are_caught() {
    let mut b = Builder::new();
    let (int, string, void) = (b.int(), b.string(), b.void());
    let print = b.print();
    let panic = b.native("panic", &[string], void);
    let text = b.str_const("from a native");
    let main = b.main(
        int,
        &[int, string],
        format!(
            "
            load.const r1, k{text}
            call.native n{panic}, r1, r1
            load.int r0, 1
            ret r0
        "
        ),
    );
    let mut module = b.build();
    module.functions[main as usize].handlers = vec![handler(1, 2, 2, 1)];
    let mut module_with_print = module.clone();
    module_with_print.functions[main as usize].code = code(&format!(
        "
        load.const r1, k{text}
        call.native n{panic}, r1, r1
        load.int r0, 1
        call.native n{print}, r1, r1
        ret r0
        "
    ));
    let outcome = run(module_with_print);
    assert_eq!(outcome.code(), 1);
    assert_eq!(outcome.stdout, "from a native\n");
    assert_eq!(run(module).code(), 1);
}

#[test]
fn the_step_limit_cannot_be_caught() {
    let mut b = Builder::new();
    let (int, string) = (b.int(), b.string());
    let main = b.main(
        int,
        &[int, string],
        "
            0000  jump @0
            0001  load.int r0, 3
            0002  ret r0
        ",
    );
    let mut module = b.build();
    module.functions[main as usize].handlers = vec![handler(0, 3, 1, 1)];
    let config = VmConfig {
        max_steps: Some(1000),
        ..VmConfig::default()
    };
    let outcome = run_with(module, config, "");
    let error = outcome.error();
    assert_eq!(error.message, "step limit of 1000 exceeded");
    assert_eq!(error.trace.len(), 1);
}

#[test]
fn the_heap_limit_cannot_be_caught() {
    let mut b = Builder::new();
    let (int, string) = (b.int(), b.string());
    let k = b.str_const("0123456789abcdef");
    let main = b.main(
        int,
        &[int, string, string],
        format!(
            "
            0000  load.const r1, k{k}
            0001  concat r1, r1, r1
            0002  jump @1
            0003  load.int r0, 3
            0004  ret r0
        "
        ),
    );
    let mut module = b.build();
    module.functions[main as usize].handlers = vec![handler(0, 3, 3, 2)];
    let config = VmConfig {
        max_heap: Some(1 << 20),
        ..VmConfig::default()
    };
    let outcome = run_with(module, config, "");
    let error = outcome.error();
    assert!(!error.message.is_empty());
    assert_eq!(error.trace.len(), 1);
}

#[test]
fn catching_in_a_loop_many_times_keeps_the_frame_stack_flat() {
    // main: for i in 0..1000 { try { f(i) } catch {} } where f always divides by zero.
    let mut b = Builder::new();
    let (int, string, void) = (b.int(), b.string(), b.void());
    let main = b.main(
        int,
        &[int, int, string, int],
        "
            0000  load.int r1, 1000
            0001  jump.ifnot.lt.i r0, r1, @5
            0002  move r3, r0
            0003  call f1, r3, r3
            0004  add.i.imm r0, r0, 1
            0005  jump.ifnot.lt.i r0, r1, @7
            0006  jump @2
            0007  ret r0
        ",
    );
    b.function(
        "f",
        1,
        void,
        &[int, int, string],
        "
            int.to.str r2, r0
            load.int r1, 0
            div.i r0, r0, r1
            ret.void
        ",
    );
    let mut module = b.build();
    module.functions[main as usize].handlers = vec![handler(3, 4, 4, 2)];
    let config = VmConfig {
        max_depth: 3,
        ..VmConfig::default()
    };
    let outcome = run_with(module, config, "");
    assert_eq!(outcome.code(), 1000);
}

/// Adds `name() -> void` that throws `boom` at pc 1 under a handler whose target is that `throw`
/// itself, so it catches its own error for ever. The verifier accepts such a handler; the compiler
/// never makes one.
fn self_catching(b: &mut Builder, name: &str) -> u32 {
    let (string, void) = (b.string(), b.void());
    let boom = b.str_const("boom");
    let function = b.function(
        name,
        0,
        void,
        &[string],
        format!(
            "
            load.const r0, k{boom}
            throw r0
        "
        ),
    );
    b.module.functions[function as usize].handlers = vec![handler(1, 2, 1, 0)];
    function
}

/// `main`, catching its own `throw` for ever.
fn catching_for_ever() -> Module {
    let mut b = Builder::new();
    let main = self_catching(&mut b, "main");
    b.module.entry = main;
    b.build()
}

#[test]
fn catching_is_a_step_so_the_step_limit_ends_a_handler_that_catches_its_own_throw() {
    let config = VmConfig {
        max_steps: Some(1000),
        ..VmConfig::default()
    };
    let outcome = run_with(catching_for_ever(), config, "");
    let error = outcome.error();
    assert_eq!(error.message, "step limit of 1000 exceeded");
    assert_eq!(error.trace.len(), 1);
    assert_eq!(error.trace[0].function, "main");
}

#[test]
fn a_thread_that_catches_its_own_throw_for_ever_is_preempted() {
    // main: spawn the catcher, yield to it, then print and return 7. Only the slices that
    // catching uses up give the processor back to main.
    let mut b = Builder::new();
    let (int, string, thread) = (b.int(), b.string(), b.ty(Type::Thread));
    let print = b.print();
    let done = b.str_const("main ran");
    let catcher = self_catching(&mut b, "catcher");
    b.main(
        int,
        &[thread, string, int],
        format!(
            "
            spawn f{catcher}, r0, r0
            yield
            load.const r1, k{done}
            call.native n{print}, r1, r1
            load.int r2, 7
            ret r2
        "
        ),
    );
    let outcome = run(b.build());
    assert_eq!(outcome.code(), 7);
    assert_eq!(outcome.stdout, "main ran\n");
}

#[test]
fn a_pause_from_another_thread_stops_a_handler_that_catches_its_own_throw() {
    let mut vm = Vm::new();
    vm.load_module(catching_for_ever())
        .expect("the verifier accepts it");
    vm.debug_start().expect("a debugged run starts");
    let pause = vm.debug_pause_handle();
    let pauser = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(50));
        pause.pause();
    });
    let outcome = vm.debug_resume(Resume::Continue);
    pauser.join().expect("the pausing thread ends");
    let Outcome::Stopped { thread, reason } = outcome else {
        panic!("expected a pause, got {outcome:?}");
    };
    assert_eq!(reason, StopReason::Pause);
    let frames = vm
        .debug_frames(thread)
        .expect("the stopped thread's frames");
    assert_eq!(frames.len(), 1);
    assert_eq!(frames[0].pc, 1, "stopped at the handler, the `throw`");
    // Resumed, it goes on catching until the next pause.
    vm.debug_pause_handle().pause();
    let outcome = vm.debug_resume(Resume::Continue);
    assert!(
        matches!(
            outcome,
            Outcome::Stopped {
                reason: StopReason::Pause,
                ..
            }
        ),
        "{outcome:?}"
    );
}
