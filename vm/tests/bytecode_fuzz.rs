//! Robustness of the reader and the verifier against hostile input: thousands of random mutations
//! of valid files (bit flips, overwrites, truncations, duplicated, removed and inserted ranges),
//! with and without a recomputed checksum, and random changes to valid modules. `read` must never
//! panic; whatever it accepts must verify, pass an independent range check, and write back to the
//! same bytes (the encoding is canonical).

use crate::bytecode_common::{assert_runnable, kitchen_sink, samples};
use proptest::prelude::*;
use proptest::sample::Index;
use vitte_vm::bytecode::Module;
use vitte_vm::bytecode::format;
use vitte_vm::bytecode::isa::{Instr, OperandKind};
use vitte_vm::bytecode::verify::verify;

#[derive(Clone, Debug)]
enum Mutation {
    FlipBit { at: Index, bit: u8 },
    Overwrite { at: Index, byte: u8 },
    WriteU32 { at: Index, value: u32 },
    Truncate { len: Index },
    Duplicate { from: Index, len: u8, to: Index },
    Remove { from: Index, len: u8 },
    Insert { at: Index, bytes: Vec<u8> },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let interesting = prop_oneof![
        Just(0u32),
        Just(1),
        Just(0x7f),
        Just(0x80),
        Just(0xffff),
        Just(u32::MAX),
        any::<u32>()
    ];
    prop_oneof![
        (any::<Index>(), 0u8..8).prop_map(|(at, bit)| Mutation::FlipBit { at, bit }),
        (any::<Index>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Overwrite { at, byte }),
        (any::<Index>(), interesting).prop_map(|(at, value)| Mutation::WriteU32 { at, value }),
        any::<Index>().prop_map(|len| Mutation::Truncate { len }),
        (any::<Index>(), 1u8..64, any::<Index>()).prop_map(|(from, len, to)| Mutation::Duplicate {
            from,
            len,
            to
        }),
        (any::<Index>(), 1u8..64).prop_map(|(from, len)| Mutation::Remove { from, len }),
        (any::<Index>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
    ]
}

/// Mostly small values (valid and invalid registers, fields, types), some around the length of
/// the longest function (jump targets), some anything.
fn operand_value() -> impl Strategy<Value = u32> {
    prop_oneof![6 => 0u32..40, 2 => 80u32..100, 1 => any::<u32>()]
}

fn apply(bytes: &mut Vec<u8>, mutation: &Mutation) {
    if bytes.is_empty() {
        return;
    }
    let len = bytes.len();
    match mutation {
        Mutation::FlipBit { at, bit } => bytes[at.index(len)] ^= 1 << bit,
        Mutation::Overwrite { at, byte } => bytes[at.index(len)] = *byte,
        Mutation::WriteU32 { at, value } => {
            let start = at.index(len);
            for (offset, byte) in value.to_le_bytes().into_iter().enumerate() {
                if let Some(slot) = bytes.get_mut(start + offset) {
                    *slot = byte;
                }
            }
        }
        Mutation::Truncate { len: keep } => bytes.truncate(keep.index(len)),
        Mutation::Duplicate {
            from,
            len: count,
            to,
        } => {
            let start = from.index(len);
            let end = (start + usize::from(*count)).min(len);
            let range = bytes[start..end].to_vec();
            let at = to.index(len);
            bytes.splice(at..at, range);
        }
        Mutation::Remove { from, len: count } => {
            let start = from.index(len);
            let end = (start + usize::from(*count)).min(len);
            bytes.drain(start..end);
        }
        Mutation::Insert {
            at,
            bytes: inserted,
        } => {
            let at = at.index(len + 1);
            bytes.splice(at..at, inserted.iter().copied());
        }
    }
}

fn fix_crc(bytes: &mut [u8]) {
    if bytes.len() >= 12 {
        let body_end = bytes.len() - 4;
        let crc = crc32fast::hash(&bytes[..body_end]);
        bytes[body_end..].copy_from_slice(&crc.to_le_bytes());
    }
}

/// What must hold for any input.
fn check_bytes(bytes: &[u8]) -> Result<(), TestCaseError> {
    match format::read(bytes) {
        Ok(module) => {
            if let Err(error) = verify(&module) {
                return Err(TestCaseError::fail(format!(
                    "read returned an unverified module: {error}"
                )));
            }
            assert_runnable(&module);
            prop_assert_eq!(
                format::write(&module),
                bytes,
                "accepted bytes are not canonical"
            );
        }
        Err(error) => {
            prop_assert!(!error.message.is_empty());
            prop_assert!(!error.message.ends_with('.'), "{}", error);
            prop_assert!(error.offset <= bytes.len(), "{}", error);
        }
    }
    Ok(())
}

fn sample_bytes() -> Vec<Vec<u8>> {
    samples()
        .iter()
        .map(|(_, module)| format::write(module))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    #[test]
    fn mutated_files_never_panic(
        sample in any::<Index>(),
        mutations in prop::collection::vec(mutation(), 1..5),
    ) {
        let all = sample_bytes();
        let mut bytes = all[sample.index(all.len())].clone();
        for mutation in &mutations {
            apply(&mut bytes, mutation);
        }
        check_bytes(&bytes)?;
    }

    #[test]
    fn mutated_files_with_a_valid_checksum_never_panic(
        sample in any::<Index>(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let all = sample_bytes();
        let mut bytes = all[sample.index(all.len())].clone();
        for mutation in &mutations {
            apply(&mut bytes, mutation);
        }
        fix_crc(&mut bytes);
        check_bytes(&bytes)?;
    }

    /// Random operand values and register types in valid modules: whatever the verifier accepts
    /// passes the independent range check.
    #[test]
    fn mutated_modules_that_verify_are_runnable(
        edits in prop::collection::vec((any::<Index>(), any::<Index>(), any::<Index>(), operand_value(), any::<bool>()), 1..4),
    ) {
        let mut module = kitchen_sink();
        for (function, at, operand, value, retype) in &edits {
            edit(&mut module, function, at, operand, *value, *retype);
        }
        if verify(&module).is_ok() {
            assert_runnable(&module);
            let bytes = format::write(&module);
            prop_assert_eq!(format::read(&bytes), Ok(module));
        }
    }
}

/// Sets one operand of one instruction (or, with `retype`, the type of one register) of the
/// function picked by `function` to `value`; the `Index`es pick among what exists.
fn edit(
    module: &mut Module,
    function: &Index,
    at: &Index,
    operand: &Index,
    value: u32,
    retype: bool,
) {
    let func = function.index(module.functions.len());
    if retype {
        let registers = module.functions[func].registers.len();
        if registers > 0 {
            module.functions[func].registers[at.index(registers)] = value % 20;
        }
        return;
    }
    let pc = at.index(module.functions[func].code.len());
    let operands = module.functions[func].code[pc].info().operands.len();
    if operands > 0 {
        set_operand(module, func, pc, operand.index(operands), value);
    }
}

/// Sets operand `operand` of instruction `pc` of function `func` to `value` (truncated to the
/// operand's width; flags take `value % 2`).
fn set_operand(module: &mut Module, func: usize, pc: usize, operand: usize, value: u32) {
    let function = &mut module.functions[func];
    let instr = function.code[pc];
    let operands = instr.info().operands;
    let offset = 1 + operands[..operand]
        .iter()
        .map(|&(_, kind)| kind.size())
        .sum::<usize>();
    let kind = operands[operand].1;
    let value = if kind == OperandKind::Flag {
        value % 2
    } else {
        value
    };
    let mut bytes = Vec::new();
    instr.encode(&mut bytes);
    bytes[offset..offset + kind.size()].copy_from_slice(&value.to_le_bytes()[..kind.size()]);
    let mut pos = 0;
    function.code[pc] = Instr::decode(&bytes, &mut pos).expect("an edited instruction decodes");
}

/// Every single-bit flip of every byte of the kitchen sink, with the checksum fixed.
#[test]
fn every_single_bit_flip_is_handled() {
    let original = format::write(&kitchen_sink());
    let mut accepted = 0;
    for at in 0..original.len() - 4 {
        for bit in 0..8 {
            let mut bytes = original.clone();
            bytes[at] ^= 1 << bit;
            fix_crc(&mut bytes);
            if let Err(error) = check_bytes(&bytes) {
                panic!("byte {at} bit {bit}: {error}");
            }
            accepted += usize::from(format::read(&bytes).is_ok());
        }
    }
    // Some flips (names, source text, constants, immediates) keep the file valid; most do not.
    assert!(accepted > 0 && accepted < original.len() * 8);
}

/// Every truncation of every sample.
#[test]
fn every_truncation_is_refused() {
    for bytes in sample_bytes() {
        for len in 0..bytes.len() {
            let error = format::read(&bytes[..len]).expect_err("a truncated file was accepted");
            assert!(error.offset <= len, "{error}");
        }
    }
}

/// Every operand of every instruction of every sample set to each of a range of values (small
/// ones, ones around the code length, huge ones), and every register retyped to every type: each
/// edit the verifier accepts passes the independent range check.
#[test]
fn every_single_edit_that_verifies_is_runnable() {
    let values: Vec<u32> = (0..=24)
        .chain([85, 86, 87, 88, 89, 90, 65535, u32::MAX])
        .collect();
    let mut accepted = 0;
    let mut refused = 0;
    for (_, module) in samples() {
        for function in 0..module.functions.len() {
            let code_len = module.functions[function].code.len();
            for pc in 0..code_len {
                let operands = module.functions[function].code[pc].info().operands.len();
                for operand in 0..operands {
                    for &value in &values {
                        let mut copy = module.clone();
                        set_operand(&mut copy, function, pc, operand, value);
                        if verify(&copy).is_ok() {
                            assert_runnable(&copy);
                            accepted += 1;
                        } else {
                            refused += 1;
                        }
                    }
                }
            }
            for register in 0..module.functions[function].registers.len() {
                for ty in 0..20 {
                    let mut copy = module.clone();
                    copy.functions[function].registers[register] = ty;
                    if verify(&copy).is_ok() {
                        assert_runnable(&copy);
                        accepted += 1;
                    } else {
                        refused += 1;
                    }
                }
            }
        }
    }
    assert!(
        accepted > 100 && refused > 1000,
        "{accepted} accepted, {refused} refused"
    );
}
