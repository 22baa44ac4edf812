//! The `vitte-dap` binary against hostile programs and hostile clients: a program that ends with a
//! resource error is reported and the adapter goes on; garbage, a body just over the size limit
//! and thousands of requests at once are answered or reported and well-formed requests still work;
//! a client that sends half a message, or vanishes while a step or a run is under way, leaves no
//! process behind; over TCP, the next client is served after one vanished.

use crate::common;
use crate::dap_process;

use std::io::Write;
use std::net::{Shutdown, TcpStream};
use std::path::PathBuf;
use std::process::ChildStdin;
use std::thread;

use serde_json::{Value, json};
use vitte_dap::client::Client;
use vitte_dap::transport::{MAX_CONTENT_LENGTH, write_frame};

use dap_process::{listen_on_free_port, start_stdio};

/// A hostile program of the conformance suite.
fn hostile_program(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/programs/hostile")
        .join(name)
        .display()
        .to_string()
}

fn request(client: &mut Client, command: &str, arguments: Value) -> Value {
    client
        .request(command, arguments, common::TIMEOUT)
        .unwrap_or_else(|error| panic!("{error}"))
}

fn wait(client: &mut Client, want: Value) -> Value {
    client
        .wait(common::TIMEOUT, |message| {
            common::matches(&want, message).is_ok()
        })
        .unwrap_or_else(|error| panic!("no message matching {want}: {error}"))
}

/// Starts `program` stopped on entry in an initialized session.
fn launch_stopped(client: &mut Client, program: &str) {
    request(client, "initialize", json!({ "adapterID": "vitte" }));
    let launched = request(
        client,
        "launch",
        json!({ "program": program, "stopOnEntry": true }),
    );
    assert_eq!(launched["success"], json!(true), "{launched}");
    request(client, "configurationDone", json!({}));
    wait(
        client,
        json!({ "event": "stopped", "body": { "reason": "entry" } }),
    );
}

#[test]
fn a_program_ending_with_a_resource_error_is_reported_and_the_adapter_goes_on() {
    let (mut guard, stdin, stdout) = start_stdio();
    let mut client = Client::new(Box::new(stdin), stdout);
    request(&mut client, "initialize", json!({ "adapterID": "vitte" }));
    let program = hostile_program("recursion_unbounded.vit");
    let launched = request(&mut client, "launch", json!({ "program": program }));
    assert_eq!(launched["success"], json!(true), "{launched}");
    request(&mut client, "configurationDone", json!({}));
    // The uncaught error stops the program where it happened (the default exception
    // breakpoint), 100 000 frames deep, and the stack can be looked at page by page.
    wait(
        &mut client,
        json!({ "event": "stopped", "body": { "reason": "exception", "text": "stack overflow" } }),
    );
    let stack = request(
        &mut client,
        "stackTrace",
        json!({ "threadId": 1, "startFrame": 0, "levels": 20 }),
    );
    assert_eq!(
        stack["body"]["stackFrames"].as_array().map(Vec::len),
        Some(20)
    );
    assert_eq!(
        stack["body"]["totalFrames"],
        json!(100_000),
        "{}",
        stack["body"]["totalFrames"]
    );
    request(&mut client, "continue", json!({ "threadId": 1 }));
    wait(
        &mut client,
        json!({ "event": "output", "body": { "category": "stderr", "output": "$contains:error: stack overflow" } }),
    );
    wait(
        &mut client,
        json!({ "event": "exited", "body": { "exitCode": 70 } }),
    );
    wait(&mut client, json!({ "event": "terminated" }));
    // The session is still served.
    let threads = request(&mut client, "threads", json!({}));
    assert_eq!(threads["success"], json!(true), "{threads}");
    let disconnected = request(&mut client, "disconnect", json!({}));
    assert_eq!(disconnected["success"], json!(true));
    assert!(guard.exits_within(common::TIMEOUT).success());
}

#[test]
fn a_program_that_is_not_a_regular_file_is_refused() {
    let (mut guard, stdin, stdout) = start_stdio();
    let mut client = Client::new(Box::new(stdin), stdout);
    request(&mut client, "initialize", json!({ "adapterID": "vitte" }));
    for program in ["/dev/zero", "/dev/zero.vitbc"] {
        let launched = request(&mut client, "launch", json!({ "program": program }));
        assert_eq!(launched["success"], json!(false), "{launched}");
    }
    let refused = request(&mut client, "launch", json!({ "program": "/dev/zero" }));
    let message = refused["message"].as_str().unwrap_or_default().to_string()
        + refused["body"]["error"]["format"]
            .as_str()
            .unwrap_or_default();
    assert!(message.contains("not a regular file"), "{refused}");
    request(&mut client, "disconnect", json!({}));
    assert!(guard.exits_within(common::TIMEOUT).success());
}

#[test]
fn garbage_and_an_oversized_body_are_reported_and_good_requests_still_answered() {
    let (mut guard, mut stdin, stdout) = start_stdio();
    // The junk goes first, from another thread: the adapter's answers are read meanwhile.
    let writer = thread::spawn(move || {
        stdin.write_all(b"garbage without any header\r\n\r\n")?;
        write_frame(&mut stdin, b"{not json")?;
        write_frame(&mut stdin, b"[1, 2, 3]")?;
        write_frame(
            &mut stdin,
            br#"{"seq": "one", "type": "request", "command": 7}"#,
        )?;
        let length = MAX_CONTENT_LENGTH + 1;
        write!(stdin, "Content-Length: {length}\r\n\r\n")?;
        let chunk = vec![b' '; 1 << 20];
        let mut left = length;
        while left > 0 {
            let part = left.min(chunk.len());
            stdin.write_all(&chunk[..part])?;
            left -= part;
        }
        stdin.flush()?;
        Ok::<ChildStdin, std::io::Error>(stdin)
    });
    let stdin = writer
        .join()
        .expect("the writer thread ends")
        .expect("the adapter reads everything");
    let mut client = Client::new(Box::new(stdin), stdout);
    wait(
        &mut client,
        json!({ "event": "output", "body": { "output": "$contains:was refused: the limit is" } }),
    );
    let initialized = request(&mut client, "initialize", json!({ "adapterID": "vitte" }));
    assert_eq!(initialized["success"], json!(true), "{initialized}");
    let threads = request(&mut client, "threads", json!({}));
    assert_eq!(threads["body"], json!({ "threads": [] }), "{threads}");
    let reports = client
        .drain()
        .into_iter()
        .filter(|message| message["event"] == "output")
        .count();
    assert!(reports >= 4, "each bad message is reported");
    request(&mut client, "disconnect", json!({}));
    assert!(guard.exits_within(common::TIMEOUT).success());
}

#[test]
fn thousands_of_requests_at_once_are_all_answered_in_order() {
    const REQUESTS: i64 = 3000;
    let (mut guard, mut stdin, stdout) = start_stdio();
    let mut client = Client::new(Box::new(std::io::sink()), stdout);
    let writer = thread::spawn(move || {
        let mut burst = Vec::new();
        let initialize = json!({ "seq": 1, "type": "request", "command": "initialize", "arguments": { "adapterID": "vitte" } });
        write_frame(&mut burst, initialize.to_string().as_bytes())?;
        for seq in 2..=REQUESTS + 1 {
            let threads = json!({ "seq": seq, "type": "request", "command": "threads" });
            write_frame(&mut burst, threads.to_string().as_bytes())?;
        }
        stdin.write_all(&burst)?;
        let disconnect = json!({ "seq": REQUESTS + 2, "type": "request", "command": "disconnect" });
        write_frame(&mut stdin, disconnect.to_string().as_bytes())?;
        Ok::<ChildStdin, std::io::Error>(stdin)
    });
    let mut answered = Vec::new();
    for _ in 0..REQUESTS + 2 {
        let response = client
            .wait(common::TIMEOUT, |message| message["type"] == "response")
            .unwrap_or_else(|error| panic!("after {} responses: {error}", answered.len()));
        assert_eq!(response["success"], json!(true), "{response}");
        answered.push(response["request_seq"].as_i64().unwrap_or(0));
    }
    assert_eq!(answered, (1..=REQUESTS + 2).collect::<Vec<_>>());
    drop(writer.join().expect("the writer thread ends"));
    assert!(guard.exits_within(common::TIMEOUT).success());
}

#[test]
fn half_a_message_then_the_end_of_input_ends_the_adapter() {
    let (mut guard, mut stdin, _stdout) = start_stdio();
    stdin
        .write_all(b"Content-Length: 100\r\n\r\n{\"seq\": 1, \"type\"")
        .expect("the adapter reads");
    drop(stdin);
    assert!(guard.exits_within(common::TIMEOUT).success());
}

#[test]
fn a_client_that_vanishes_during_a_step_leaves_no_process_behind() {
    let (mut guard, stdin, stdout) = start_stdio();
    let mut client = Client::new(Box::new(stdin), stdout);
    launch_stopped(&mut client, &common::program("spin.vit"));
    client
        .send("next", json!({ "threadId": 1 }))
        .expect("the adapter reads");
    drop(client);
    assert!(guard.exits_within(common::TIMEOUT).success());
}

#[test]
fn a_client_that_vanishes_during_a_run_leaves_no_process_behind() {
    let (mut guard, stdin, stdout) = start_stdio();
    let mut client = Client::new(Box::new(stdin), stdout);
    launch_stopped(&mut client, &common::program("spin.vit"));
    request(&mut client, "continue", json!({ "threadId": 1 }));
    wait(&mut client, json!({ "event": "continued" }));
    drop(client);
    assert!(guard.exits_within(common::TIMEOUT).success());
}

#[test]
fn over_tcp_the_next_client_is_served_after_one_vanished_mid_run() {
    let (_guard, port) = listen_on_free_port::<[&str; 0], &str>([]);
    let connect = || {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("the adapter accepts");
        stream
            .set_read_timeout(Some(common::TIMEOUT))
            .expect("a timeout");
        let reader = stream.try_clone().expect("a second handle");
        (
            stream.try_clone().expect("a third handle"),
            Client::new(Box::new(stream), reader),
        )
    };
    let (first, mut client) = connect();
    launch_stopped(&mut client, &common::program("spin.vit"));
    request(&mut client, "continue", json!({ "threadId": 1 }));
    first.shutdown(Shutdown::Both).expect("the socket closes");
    drop(client);

    let (_second, mut client) = connect();
    request(&mut client, "initialize", json!({ "adapterID": "vitte" }));
    let launched = request(
        &mut client,
        "launch",
        json!({ "program": common::program("loop.vit") }),
    );
    assert_eq!(launched["success"], json!(true), "{launched}");
    request(&mut client, "configurationDone", json!({}));
    wait(
        &mut client,
        json!({ "event": "exited", "body": { "exitCode": 0 } }),
    );
    request(&mut client, "disconnect", json!({}));
}
