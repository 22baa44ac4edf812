//! The VM's debugger-facing API driven directly: breakpoints (patched, resumed over, cleared),
//! statement and instruction steps in, over and out, pause of a tight loop from another OS thread,
//! exception stops (uncaught and all), threads and their frames, locals and globals, writing a
//! value, and a run under the debugger printing what `Vm::run` prints.

use std::cell::RefCell;
use std::io::{self, Write};
use std::path::Path;
use std::rc::Rc;

use vitte_compiler::loader::FileLoader;
use vitte_compiler::{CompileOptions, compile_with_options};
use vitte_vm::Vm;
use vitte_vm::debug::lines::{function_entry, resolve_line};
use vitte_vm::debug::{
    CodeLocation, ExceptionStops, Granularity, Outcome, Resume, StepKind, StopReason, ThreadEvent,
    ThreadStatus, inspect,
};

/// Serves one source text as `main.vit`.
struct OneFile(String);

impl FileLoader for OneFile {
    fn read(&self, path: &Path) -> io::Result<String> {
        if path == Path::new("main.vit") {
            Ok(self.0.clone())
        } else {
            Err(io::Error::new(io::ErrorKind::NotFound, "no such file"))
        }
    }
}

/// Collects what the program prints.
#[derive(Clone, Default)]
struct Sink(Rc<RefCell<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Sink {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.borrow()).into_owned()
    }
}

/// A VM with `source` loaded and a debugged run started, and its stdout.
fn start(source: &str) -> (Vm, Sink) {
    let compilation = compile_with_options(
        &OneFile(source.to_string()),
        Path::new("main.vit"),
        &CompileOptions::default(),
    );
    let Some(module) = compilation.module.clone() else {
        panic!("{}", compilation.render_diagnostics());
    };
    let mut vm = Vm::new();
    let out = Sink::default();
    vm.set_stdout(Box::new(out.clone()));
    vm.load_module(module).expect("the module loads");
    vm.debug_start().expect("the run starts");
    (vm, out)
}

/// Sets breakpoints on these lines of `main.vit`.
fn break_at(vm: &mut Vm, lines: &[u32]) -> Vec<CodeLocation> {
    let module = vm.module().expect("loaded");
    let mut locations = Vec::new();
    for &line in lines {
        let resolved = resolve_line(module, 0, line).expect("a statement on or after the line");
        locations.extend(resolved.locations);
    }
    vm.debug_set_breakpoints(&locations)
}

/// The line thread `thread` is stopped at.
fn line_of(vm: &Vm, thread: u32) -> u32 {
    vm.debug_frames(thread).expect("the thread exists")[0].line
}

/// The display text of local `name` in the innermost frame of thread `thread`.
fn local(vm: &Vm, thread: u32, name: &str) -> String {
    let locals = vm.debug_locals(thread, 0).expect("the frame exists");
    let variable = locals
        .iter()
        .find(|variable| variable.name == name)
        .unwrap_or_else(|| panic!("no local {name} among {locals:?}"));
    inspect::display(vm.module().expect("loaded"), vm.heap(), variable.value)
}

fn stopped(outcome: Outcome) -> (u32, StopReason) {
    match outcome {
        Outcome::Stopped { thread, reason } => (thread, reason),
        other => panic!("expected a stop, got {other:?}"),
    }
}

fn step(thread: u32, kind: StepKind) -> Resume {
    Resume::Step {
        thread,
        kind,
        granularity: Granularity::Statement,
        single_thread: false,
    }
}

const LOOP: &str = "\
proc main() {
    let mut total = 0;
    for i in 0..5 {
        set total = total + i;
    }
    print(\"total \" + str(total));
}
";

#[test]
fn a_breakpoint_in_a_loop_stops_on_every_pass_and_shows_the_locals() {
    let (mut vm, out) = start(LOOP);
    assert_eq!(break_at(&mut vm, &[4]).len(), 1);
    let mut seen = Vec::new();
    loop {
        match vm.debug_resume(Resume::Continue) {
            Outcome::Stopped { thread, reason } => {
                assert!(matches!(reason, StopReason::Breakpoint(_)), "{reason:?}");
                assert_eq!(line_of(&vm, thread), 4);
                seen.push((local(&vm, thread, "i"), local(&vm, thread, "total")));
            }
            Outcome::Exited(code) => {
                assert_eq!(code, 0);
                break;
            }
            Outcome::Failed(error) => panic!("{error}"),
        }
    }
    let expected: Vec<(String, String)> = [(0, 0), (1, 0), (2, 1), (3, 3), (4, 6)]
        .iter()
        .map(|(i, total)| (i.to_string(), total.to_string()))
        .collect();
    assert_eq!(seen, expected);
    assert_eq!(out.text(), "total 10\n");
    assert!(!vm.debug_is_running());
}

#[test]
fn clearing_breakpoints_lets_the_run_finish_and_keeps_the_disassembly_intact() {
    let (mut vm, out) = start(LOOP);
    let original = vm.module().expect("loaded").functions.clone();
    break_at(&mut vm, &[4]);
    let (thread, _) = stopped(vm.debug_resume(Resume::Continue));
    assert_eq!(line_of(&vm, thread), 4);
    assert!(vm.debug_set_breakpoints(&[]).is_empty());
    assert_eq!(vm.debug_resume(Resume::Continue), Outcome::Exited(0));
    assert_eq!(out.text(), "total 10\n");
    assert_eq!(vm.module().expect("loaded").functions, original);
}

const CALLS: &str = "\
proc square(x: int) -> int {
    let y = x * x;
    give y;
}

proc main() {
    let a = square(3);
    let b = square(a);
    print(str(b));
}
";

#[test]
fn statement_steps_go_over_into_and_out_of_calls() {
    let (mut vm, out) = start(CALLS);
    break_at(&mut vm, &[7]);
    let (thread, _) = stopped(vm.debug_resume(Resume::Continue));
    assert_eq!(line_of(&vm, thread), 7);
    // Over the call: the next line of main.
    let (thread, reason) = stopped(vm.debug_resume(step(thread, StepKind::Over)));
    assert_eq!((reason, line_of(&vm, thread)), (StopReason::Step, 8));
    assert_eq!(local(&vm, thread, "a"), "9");
    // Into the call: the first line of square, one frame deeper.
    let (thread, _) = stopped(vm.debug_resume(step(thread, StepKind::In)));
    let frames = vm.debug_frames(thread).expect("frames");
    assert_eq!((frames[0].name.as_str(), frames[0].line), ("square", 2));
    assert_eq!((frames[1].name.as_str(), frames[1].line), ("main", 8));
    assert_eq!(local(&vm, thread, "x"), "9");
    // Out: back in main right after the call, which was the last instruction of its line.
    let (thread, _) = stopped(vm.debug_resume(step(thread, StepKind::Out)));
    let frames = vm.debug_frames(thread).expect("frames");
    assert_eq!((frames.len(), frames[0].line), (1, 9));
    assert_eq!(local(&vm, thread, "b"), "81");
    assert_eq!(vm.debug_resume(Resume::Continue), Outcome::Exited(0));
    assert_eq!(out.text(), "81\n");
}

#[test]
fn instruction_steps_advance_one_instruction_at_a_time() {
    let (mut vm, _) = start(CALLS);
    let entry = function_entry(vm.module().expect("loaded"), "main").expect("main");
    vm.debug_set_breakpoints(&[entry]);
    let (thread, _) = stopped(vm.debug_resume(Resume::Continue));
    let first = vm.debug_frames(thread).expect("frames")[0].pc;
    let (thread, reason) = stopped(vm.debug_resume(Resume::Step {
        thread,
        kind: StepKind::Over,
        granularity: Granularity::Instruction,
        single_thread: false,
    }));
    assert_eq!(reason, StopReason::Step);
    assert_eq!(vm.debug_frames(thread).expect("frames")[0].pc, first + 1);
}

#[test]
fn pause_stops_a_tight_loop_from_another_thread() {
    let (mut vm, _) = start(
        "proc main() {\n    let mut i = 0;\n    while true {\n        set i = i + 1;\n    }\n}\n",
    );
    let pause = vm.debug_pause_handle();
    let pauser = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(50));
        pause.pause();
    });
    let (thread, reason) = stopped(vm.debug_resume(Resume::Continue));
    pauser.join().expect("the pausing thread ends");
    assert_eq!(reason, StopReason::Pause);
    assert!((3..=4).contains(&line_of(&vm, thread)));
    let before: i64 = local(&vm, thread, "i").parse().expect("an int");
    assert!(before > 0);
    // Pausing again right away stops again, further on.
    vm.debug_pause_handle().pause();
    let (thread, reason) = stopped(vm.debug_resume(Resume::Continue));
    assert_eq!(reason, StopReason::Pause);
    let after: i64 = local(&vm, thread, "i").parse().expect("an int");
    assert!(after >= before);
}

const FAILING: &str = "\
proc divide(a: int, b: int) -> int {
    give a / b;
}

proc main() {
    try {
        divide(1, 0);
    } catch e {
        print(\"caught \" + e);
    }
    divide(2, 0);
}
";

#[test]
fn exception_stops_report_caught_and_uncaught_errors() {
    let (mut vm, out) = start(FAILING);
    vm.debug_set_exception_stops(ExceptionStops {
        all: true,
        uncaught: true,
    });
    let (thread, reason) = stopped(vm.debug_resume(Resume::Continue));
    assert_eq!(
        reason,
        StopReason::Exception {
            message: "division by zero".into(),
            uncaught: false
        }
    );
    assert_eq!(line_of(&vm, thread), 2);
    let (thread, reason) = stopped(vm.debug_resume(Resume::Continue));
    assert_eq!(
        reason,
        StopReason::Exception {
            message: "division by zero".into(),
            uncaught: true
        }
    );
    assert_eq!(out.text(), "caught division by zero\n");
    let frames = vm.debug_frames(thread).expect("frames");
    assert_eq!((frames[0].line, frames[1].line), (2, 11));
    match vm.debug_resume(Resume::Continue) {
        Outcome::Failed(error) => assert_eq!(error.message, "division by zero"),
        other => panic!("expected the run to fail, got {other:?}"),
    }
}

#[test]
fn only_uncaught_errors_stop_by_default_filter() {
    let (mut vm, _) = start(FAILING);
    vm.debug_set_exception_stops(ExceptionStops {
        all: false,
        uncaught: true,
    });
    let (_, reason) = stopped(vm.debug_resume(Resume::Continue));
    assert!(matches!(
        reason,
        StopReason::Exception { uncaught: true, .. }
    ));
}

const THREADS: &str = "\
proc worker(c: Chan[int], n: int) {
    let v = recv(c);
    print(str(n + v));
}

proc main() {
    let c: Chan[int] = chan(0);
    let workers: [Thread] = [];
    for n in 0..3 {
        push(workers, spawn worker(c, n));
    }
    yield_now();
    print(\"ready\");
    for n in 0..3 {
        send(c, 10);
    }
    for t in workers {
        join(t);
    }
}
";

#[test]
fn threads_are_listed_with_their_frames_and_events() {
    let (mut vm, out) = start(THREADS);
    let events = Rc::new(RefCell::new(Vec::new()));
    let sink = Rc::clone(&events);
    vm.debug_set_thread_events(Box::new(move |event| sink.borrow_mut().push(event)));
    break_at(&mut vm, &[13]);
    let (thread, _) = stopped(vm.debug_resume(Resume::Continue));
    assert_eq!(thread, 0);
    let threads = vm.debug_threads();
    assert_eq!(
        threads.iter().map(|t| t.id).collect::<Vec<_>>(),
        vec![0, 1, 2, 3]
    );
    for worker in 1..=3 {
        let frames = vm.debug_frames(worker).expect("a worker");
        assert_eq!((frames[0].name.as_str(), frames[0].line), ("worker", 2));
        assert_eq!(local(&vm, worker, "n"), (worker - 1).to_string());
    }
    assert_eq!(
        *events.borrow(),
        vec![
            ThreadEvent::Started(1),
            ThreadEvent::Started(2),
            ThreadEvent::Started(3)
        ]
    );
    assert_eq!(vm.debug_resume(Resume::Continue), Outcome::Exited(0));
    assert_eq!(out.text(), "ready\n10\n11\n12\n");
    assert_eq!(events.borrow().len(), 6);
}

#[test]
fn writing_a_local_changes_what_the_program_computes() {
    let (mut vm, out) = start(CALLS);
    break_at(&mut vm, &[8]);
    let (thread, _) = stopped(vm.debug_resume(Resume::Continue));
    let a = vm
        .debug_locals(thread, 0)
        .expect("locals")
        .into_iter()
        .find(|variable| variable.name == "a")
        .expect("a");
    vm.debug_write(a.place, 2).expect("written");
    assert_eq!(local(&vm, thread, "a"), "2");
    assert_eq!(vm.debug_resume(Resume::Continue), Outcome::Exited(0));
    assert_eq!(out.text(), "4\n");
}

#[test]
fn globals_are_visible_and_a_run_without_stops_prints_what_run_prints() {
    let source = "let greeting: string = \"hi\";\nlet count: int = 3;\n\nproc main() {\n    print(greeting + str(count));\n}\n";
    let (mut vm, out) = start(source);
    let globals = vm.debug_globals();
    assert_eq!(
        globals.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(),
        vec!["greeting", "count"]
    );
    assert_eq!(vm.debug_resume(Resume::Continue), Outcome::Exited(0));
    assert_eq!(out.text(), "hi3\n");
}

/// A spinner counts while a worker loops; neither blocks, so they share the processor by slices.
const SPINNER: &str = "\
let ticks: int = 0;
let done: int = 0;
proc spinner() {
    while done == 0 {
        set ticks = ticks + 1;
    }
}
proc worker() {
    let mut i = 0;
    while i < 200000 {
        set i = i + 1;
    }
    set done = 1;
}
proc main() {
    let s = spawn spinner();
    let w = spawn worker();
    join(w);
    join(s);
}
";

/// The value of global `name`, as displayed.
fn global(vm: &Vm, name: &str) -> String {
    let globals = vm.debug_globals();
    let variable = globals
        .iter()
        .find(|variable| variable.name == name)
        .unwrap_or_else(|| panic!("no global {name}"));
    inspect::display(vm.module().expect("loaded"), vm.heap(), variable.value)
}

#[test]
fn a_continue_alone_keeps_the_other_threads_still_while_its_thread_can_run() {
    for alone in [false, true] {
        let (mut vm, _) = start(SPINNER);
        break_at(&mut vm, &[10]);
        let (worker, _) = stopped(vm.debug_resume(Resume::Continue));
        assert_eq!(line_of(&vm, worker), 10);
        let before = global(&vm, "ticks");
        break_at(&mut vm, &[14]);
        let how = if alone {
            Resume::ContinueAlone { thread: worker }
        } else {
            Resume::Continue
        };
        let (thread, _) = stopped(vm.debug_resume(how));
        assert_eq!((thread, line_of(&vm, thread)), (worker, 14));
        let after = global(&vm, "ticks");
        if alone {
            assert_eq!(after, before, "the spinner ran during a continue alone");
        } else {
            assert_ne!(after, before, "the spinner never ran during a continue");
        }
        vm.debug_set_breakpoints(&[]);
        assert_eq!(vm.debug_resume(Resume::Continue), Outcome::Exited(0));
    }
}

/// A worker sleeps for a long time while main waits for it: every thread sleeps or blocks.
const SLEEPERS: &str = "\
proc worker(ms: int) {
    sleep(ms);
    print(\"worker woke\");
}

proc main() {
    let w = spawn worker(1000000);
    join(w);
    print(\"done\");
}
";

#[test]
fn pause_stops_a_program_whose_threads_all_sleep() {
    let (mut vm, out) = start(SLEEPERS);
    let pause = vm.debug_pause_handle();
    let pauser = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(50));
        pause.pause();
    });
    // Without the pause this would wait for the worker's thousand seconds.
    let (thread, reason) = stopped(vm.debug_resume(Resume::Continue));
    pauser.join().expect("the pausing thread ends");
    assert_eq!((thread, reason), (1, StopReason::Pause));
    let frames = vm.debug_frames(1).expect("the worker");
    assert_eq!(frames[0].name, "worker");
    assert_eq!(local(&vm, 1, "ms"), "1000000");
    let statuses: Vec<_> = vm.debug_threads().iter().map(|t| t.status).collect();
    assert_eq!(
        statuses,
        vec![ThreadStatus::Blocked, ThreadStatus::Sleeping],
        "main waits in join, the worker still sleeps"
    );
    // Resumed and paused again, it is still waiting for the same sleeper.
    vm.debug_pause_handle().pause();
    let (thread, reason) = stopped(vm.debug_resume(Resume::Continue));
    assert_eq!((thread, reason), (1, StopReason::Pause));
    assert_eq!(out.text(), "");
}

#[test]
fn a_paused_sleeper_sleeps_its_full_time_once_resumed() {
    let (mut vm, out) = start(&SLEEPERS.replace("1000000", "30"));
    vm.debug_pause_handle().pause();
    let (thread, reason) = stopped(vm.debug_resume(Resume::Continue));
    assert_eq!((thread, reason), (1, StopReason::Pause));
    assert_eq!(out.text(), "", "the worker did not wake early");
    assert_eq!(vm.debug_resume(Resume::Continue), Outcome::Exited(0));
    assert_eq!(out.text(), "worker woke\ndone\n");
}
