//! Plays every transcript of `tests/transcripts/` against an in-process session (see
//! `common/transcript.rs` for the format); every message the adapter sends is validated against
//! the DAP schema.

use crate::common;

use std::collections::BTreeSet;

use common::transcript;
use serde_json::Value;
use vitte_dap::proto::Command;

macro_rules! transcripts {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                transcript::run(stringify!($name));
            }
        )*

        /// The transcripts played above.
        const PLAYED: &[&str] = &[$(stringify!($name)),*];
    };
}

transcripts!(
    basics,
    conditions,
    disassembly,
    environment,
    errors,
    exceptions,
    lifecycle,
    nodebug,
    pending,
    sleeping,
    stepping,
    threads,
    variables,
);

#[test]
fn every_transcript_file_is_played() {
    let mut files: Vec<String> = std::fs::read_dir(transcript::transcripts_dir())
        .expect("the transcripts folder exists")
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            (path.extension()? == "json")
                .then(|| path.file_stem()?.to_str().map(str::to_string))
                .flatten()
        })
        .collect();
    files.sort();
    let mut played: Vec<String> = PLAYED.iter().map(|name| name.to_string()).collect();
    played.sort();
    assert_eq!(files, played);
}

/// The names used in the transcripts' requests and expected events, with the stop reasons and
/// output categories they expect.
fn covered() -> (
    BTreeSet<String>,
    BTreeSet<String>,
    BTreeSet<String>,
    BTreeSet<String>,
) {
    let mut sent = BTreeSet::new();
    let mut events = BTreeSet::new();
    let mut reasons = BTreeSet::new();
    let mut categories = BTreeSet::new();
    let text = |value: &Value| value.as_str().map(str::to_string);
    for name in PLAYED {
        let transcript = transcript::load(name);
        for step in transcript["steps"].as_array().into_iter().flatten() {
            sent.extend(text(&step["send"]));
            for event in step["events"].as_array().into_iter().flatten() {
                events.extend(text(&event["event"]));
                reasons
                    .extend(text(&event["body"]["reason"]).filter(|_| event["event"] == "stopped"));
                categories.extend(text(&event["body"]["category"]));
            }
        }
    }
    (sent, events, reasons, categories)
}

#[test]
fn the_transcripts_cover_every_request_event_stop_reason_and_output_category() {
    let (sent, events, reasons, categories) = covered();
    for command in Command::ALL {
        assert!(
            sent.contains(command.name()),
            "no transcript sends '{}'",
            command.name()
        );
    }
    for event in [
        "initialized",
        "stopped",
        "continued",
        "thread",
        "output",
        "breakpoint",
        "exited",
        "terminated",
    ] {
        assert!(
            events.contains(event),
            "no transcript expects a '{event}' event"
        );
    }
    for reason in ["entry", "breakpoint", "step", "pause", "exception"] {
        assert!(
            reasons.contains(reason),
            "no transcript expects a '{reason}' stop"
        );
    }
    for category in ["stdout", "stderr", "console", "important"] {
        assert!(
            categories.contains(category),
            "no transcript expects '{category}' output"
        );
    }
}
