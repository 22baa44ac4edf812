//! Threads against the resource limits: every spawn is a step, and each spawned thread's register
//! stack (while it lives) and record (until the run ends) are charged to the heap limit, given back
//! when the thread ends and when the run ends.

use crate::interp_common;

use std::cell::RefCell;
use std::rc::Rc;

use interp_common::{Builder, run_with};
use vitte_vm::bytecode::{Module, Type};
use vitte_vm::{NativeSignature, NativeType, Vm, VmConfig};

/// The bytes of the one register window a new thread reserves: 65 536 registers of 8 bytes.
const WINDOW_BYTES: usize = 512 << 10;

/// `main() -> int` that reads the heap's external bytes (through the native `heap.external`) before
/// spawning a thread that returns at once, after spawning it, and after joining it.
fn spawn_and_join_observed() -> Module {
    let mut b = Builder::new();
    let (int, void, thread) = (b.int(), b.void(), b.ty(Type::Thread));
    let external = b.native("heap.external", &[], int);
    let worker = b.function("worker", 0, void, &[], "ret.void");
    let probe = format!("call.native n{external}, r0, r0");
    b.main(
        int,
        &[int, thread],
        format!(
            "
            {probe}
            spawn f{worker}, r0, r1
            {probe}
            join r1
            {probe}
            load.int r0, 0
            ret r0
            "
        ),
    );
    b.build()
}

/// A VM whose native `heap.external` records the heap's external bytes into the returned list.
fn observed_vm(config: VmConfig) -> (Vm, Rc<RefCell<Vec<usize>>>) {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let mut vm = Vm::with_config(config);
    let sink = Rc::clone(&seen);
    vm.register_native_raw(
        "heap.external",
        NativeSignature::new(Vec::new(), NativeType::Int),
        move |context, _| {
            let bytes = context.heap.stats().external_bytes;
            sink.borrow_mut().push(bytes);
            Ok(bytes as u64)
        },
    );
    (vm, seen)
}

#[test]
fn a_thread_is_charged_to_the_heap_while_it_lives_and_its_record_until_the_run_ends() {
    let (mut vm, seen) = observed_vm(VmConfig::default());
    vm.load_module(spawn_and_join_observed())
        .expect("the module loads");
    assert_eq!(vm.run().expect("the run succeeds"), 0);
    let seen = seen.take();
    let [before, alive, ended] = seen[..] else {
        panic!("three observations expected, got {seen:?}");
    };
    assert_eq!(before, 0);
    assert_eq!(
        alive - ended,
        WINDOW_BYTES,
        "the registers go when the thread ends"
    );
    assert!(
        (1..4096).contains(&ended),
        "a small record stays until the run ends: {ended}"
    );
    assert_eq!(
        vm.heap_stats().external_bytes,
        0,
        "everything is given back"
    );
}

#[test]
fn a_second_run_starts_from_nothing_charged() {
    let (mut vm, seen) = observed_vm(VmConfig::default());
    vm.load_module(spawn_and_join_observed())
        .expect("the module loads");
    vm.run().expect("the first run succeeds");
    let first = seen.take();
    vm.run().expect("the second run succeeds");
    assert_eq!(seen.take(), first);
    assert_eq!(vm.heap_stats().external_bytes, 0);
}

/// `main() -> int` spawning threads that return at once, in a loop: each one joined before the
/// next when `join` is set, else never joined and never waited for.
fn spawn_loop(count: i32, join: bool) -> Module {
    let mut b = Builder::new();
    let (int, void, thread) = (b.int(), b.void(), b.ty(Type::Thread));
    let worker = b.function("worker", 0, void, &[], "ret.void");
    let wait = if join { "join r2" } else { "nop" };
    b.main(
        int,
        &[int, int, thread],
        format!(
            "
            0000  load.int r1, {count}
            0001  jump.ifnot.lt.i r0, r1, @6
            0002  spawn f{worker}, r0, r2
            0003  {wait}
            0004  add.i.imm r0, r0, 1
            0005  jump @1
            0006  ret r0
            "
        ),
    );
    b.build()
}

#[test]
fn threads_that_end_give_their_registers_back() {
    // 200 threads one after the other, under a limit that holds the registers of only three.
    let config = VmConfig {
        max_heap: Some(2 << 20),
        ..VmConfig::default()
    };
    let outcome = run_with(spawn_loop(200, true), config, "");
    assert_eq!(outcome.code(), 200);
    assert_eq!(outcome.vm.heap_stats().external_bytes, 0);
}

#[test]
fn spawning_past_the_heap_limit_is_the_heap_limit_error() {
    let config = VmConfig {
        max_heap: Some(4 << 20),
        ..VmConfig::default()
    };
    let outcome = run_with(spawn_loop(1_000_000, false), config, "");
    let error = outcome.error();
    assert_eq!(error.message, "heap limit of 4194304 bytes exceeded");
    assert_eq!(error.trace.len(), 1);
    assert_eq!(error.trace[0].function, "main");
    assert_eq!(outcome.vm.heap_stats().external_bytes, 0);
}

#[test]
fn a_spawn_is_a_step() {
    // 100 rounds, each a spawn, a join and a backward jump: 200 steps, not one more.
    let steps = |max_steps| VmConfig {
        max_steps: Some(max_steps),
        ..VmConfig::default()
    };
    let outcome = run_with(spawn_loop(100, true), steps(199), "");
    assert_eq!(outcome.error().message, "step limit of 199 exceeded");
    assert_eq!(run_with(spawn_loop(100, true), steps(200), "").code(), 100);
}
