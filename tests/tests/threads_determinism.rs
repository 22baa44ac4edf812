//! The scheduler is deterministic: a program whose threads exchange messages, yield, block and are
//! preempted in the middle of loops prints byte-identical output on every run.

use std::path::PathBuf;

use vitte_tests::vitte;

/// 8 workers in a ring: each receives from its left neighbour, does an amount of work that differs
/// per thread and per round (so preemption strikes at varying points), and passes the message on,
/// 20 times; every step is printed, so any change of interleaving changes the output.
const RING: &str = r#"
proc churn(n: int) -> int {
    let mut total = 0;
    for i in 0..n { set total += (i * 31) % 17; }
    give total;
}

proc worker(inbox: Chan[string], outbox: Chan[string], log: Chan[string], rounds: int) {
    let me = thread_id();
    for round in 0..rounds {
        let message = recv(inbox);
        let work = churn(((me * 7 + round * 13) % 11) * 150);
        if (me + round) % 3 == 0 { yield_now(); }
        send(log, "t" + str(me) + " r" + str(round) + " got " + message + " w" + str(work));
        send(outbox, message + "." + str(me));
    }
}

proc main() {
    let n = 8;
    let rounds = 20;
    let links: [Chan[string]] = [];
    for i in 0..n {
        let c: Chan[string] = chan(i % 3);
        push(links, c);
    }
    let log: Chan[string] = chan(4);
    let threads: [Thread] = [];
    for i in 0..n {
        push(threads, spawn worker(links[i], links[(i + 1) % n], log, rounds));
    }
    for i in 0..n { send(links[i], "m" + str(i)); }
    for i in 0..n * rounds {
        print(recv(log));
    }
    for i in 0..n {
        let last = recv(links[i]);
        print("left in " + str(i) + ": " + str(len(last)));
    }
    for t in threads { join(t); }
}
"#;

#[test]
fn eight_threads_interleave_identically_on_every_run() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("threads_determinism");
    std::fs::create_dir_all(&dir).expect("scratch folder");
    let file = dir.join("ring.vit");
    std::fs::write(&file, RING).expect("write the program");
    let args = vec!["run".to_string(), file.to_string_lossy().into_owned()];
    let first = vitte(&args, "");
    assert_eq!(first.code, 0, "{first:?}");
    assert!(first.stderr.is_empty(), "{}", first.stderr);
    assert_eq!(first.stdout.lines().count(), 8 * 20 + 8, "{}", first.stdout);
    for _ in 0..4 {
        let again = vitte(&args, "");
        assert_eq!(again.code, 0, "{again:?}");
        assert_eq!(again.stdout, first.stdout);
    }
}
