//! Property test of the loader and the interpreter on damaged bytecode: real compiled programs are
//! mutated at random (bit flips, byte overwrites, truncations, splices, insertions, deletions), half the
//! time with the CRC32 trailer repaired so the damage reaches the decoder and the verifier. Every case
//! must end in a clean load error (`invalid bytecode: WHAT, at byte N`) or in a verified module that
//! runs, under step and heap limits, to a result or a runtime error, never a panic.

use std::io::{self, BufReader};
use std::path::PathBuf;
use std::sync::OnceLock;

use proptest::prelude::*;
use vitte_vm::bytecode::format;
use vitte_vm::{Vm, VmConfig};

/// Conformance programs whose bytecode is mutated: a spread of features (forms, picks, maps,
/// strings, globals, modules, recursion, loops).
const SEEDS: &[&str] = &[
    "programs/quicksort.vit",
    "programs/tiny_lisp.vit",
    "programs/json_printer.vit",
    "programs/huffman.vit",
    "picks/recursive_pick.vit",
    "maps/word_count.vit",
    "modules/diamond.vit",
    "globals/init_order.vit",
    "printing/nested_containers.vit",
    "recursion/deep_10000.vit",
];

fn programs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("programs")
}

/// The seeds' bytecode, compiled once.
fn seeds() -> &'static [Vec<u8>] {
    static SEEDS_BYTES: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    SEEDS_BYTES.get_or_init(|| {
        SEEDS
            .iter()
            .map(|seed| {
                let compilation = vitte_compiler::compile_file(&programs_dir().join(seed));
                match &compilation.module {
                    Some(module) => format::write(module),
                    None => panic!(
                        "seed {seed} does not compile:\n{}",
                        compilation.render_diagnostics()
                    ),
                }
            })
            .collect()
    })
}

/// One random change to a byte string; positions are taken modulo the current length.
#[derive(Clone, Debug)]
enum Mutation {
    FlipBit { at: usize, bit: u8 },
    Overwrite { at: usize, byte: u8 },
    Truncate { len: usize },
    Splice { from: usize, len: usize, to: usize },
    Insert { at: usize, bytes: Vec<u8> },
    Delete { at: usize, len: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), 0u8..8).prop_map(|(at, bit)| Mutation::FlipBit { at, bit }),
        3 => (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Overwrite { at, byte }),
        1 => any::<usize>().prop_map(|len| Mutation::Truncate { len }),
        2 => (any::<usize>(), 1usize..64, any::<usize>())
            .prop_map(|(from, len, to)| Mutation::Splice { from, len, to }),
        1 => (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        1 => (any::<usize>(), 1usize..32).prop_map(|(at, len)| Mutation::Delete { at, len }),
    ]
}

fn apply(bytes: &mut Vec<u8>, mutation: &Mutation) {
    if bytes.is_empty() {
        return;
    }
    let n = bytes.len();
    match mutation {
        Mutation::FlipBit { at, bit } => bytes[at % n] ^= 1 << bit,
        Mutation::Overwrite { at, byte } => bytes[at % n] = *byte,
        Mutation::Truncate { len } => bytes.truncate(len % n),
        Mutation::Splice { from, len, to } => {
            let from = from % n;
            let end = (from + len).min(n);
            let chunk = bytes[from..end].to_vec();
            let to = to % n;
            let end = (to + chunk.len()).min(n);
            bytes[to..end].copy_from_slice(&chunk[..end - to]);
        }
        Mutation::Insert { at, bytes: extra } => {
            let at = at % (n + 1);
            bytes.splice(at..at, extra.iter().copied());
        }
        Mutation::Delete { at, len } => {
            let at = at % n;
            let end = (at + len).min(n);
            bytes.drain(at..end);
        }
    }
}

/// Replaces the trailer with the CRC32 of everything before it.
fn repair_checksum(bytes: &mut [u8]) {
    if bytes.len() < 4 {
        return;
    }
    let body = bytes.len() - 4;
    let crc = crc32fast::hash(&bytes[..body]);
    bytes[body..].copy_from_slice(&crc.to_le_bytes());
}

/// Loads and runs `bytes` under limits; returns how it ended, as text, for the failure message.
fn load_and_run(bytes: &[u8]) -> Result<String, String> {
    let config = VmConfig {
        max_steps: Some(20_000),
        max_depth: 2_000,
        ..VmConfig::default()
    };
    let mut vm = Vm::with_config(config);
    vm.set_heap_limit(Some(64 << 20));
    vm.set_stdout(Box::new(io::sink()));
    vm.set_stderr(Box::new(io::sink()));
    vm.set_stdin(Box::new(BufReader::new(io::empty())));
    match vm.load_bytes(bytes) {
        Err(error) => {
            let text = error.to_string();
            if text.starts_with("invalid bytecode: ") && text.contains(", at byte ") {
                Ok(format!("refused: {text}"))
            } else {
                Err(format!("load error without the bytecode format: {text}"))
            }
        }
        Ok(()) => Ok(match vm.run() {
            Ok(code) => format!("ran, exit {code}"),
            Err(error) => format!("runtime error: {}", error.message),
        }),
    }
}

#[test]
fn unmutated_seeds_load_and_run() {
    for bytes in seeds() {
        let outcome = load_and_run(bytes).expect("a seed loads");
        assert!(
            !outcome.starts_with("refused"),
            "a valid seed was refused: {outcome}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_bytecode_is_refused_cleanly_or_runs_safely(
        seed in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..4),
        repair in any::<bool>(),
    ) {
        let seeds = seeds();
        let mut bytes = seeds[seed.index(seeds.len())].clone();
        for mutation in &mutations {
            apply(&mut bytes, mutation);
        }
        if repair {
            repair_checksum(&mut bytes);
        }
        if let Err(problem) = load_and_run(&bytes) {
            prop_assert!(false, "{problem}");
        }
    }
}
