//! `.vitbc` reader and writer: round trips, determinism, the committed version-1 and version-2
//! files, the exact error (message and byte offset) for each kind of malformed file.

use crate::bytecode_common::{
    code, kitchen_sink, kitchen_sink_with_handlers, later_instructions, minimal, samples,
};
use vitte_vm::bytecode::format::{self, BytecodeError, SECTIONS, VERSION};
use vitte_vm::bytecode::isa::INSTRUCTIONS;
use vitte_vm::bytecode::verify::Location;
use vitte_vm::bytecode::{Constant, Instr, Module, Type};

/// The committed version-1 encoding of `kitchen_sink()`.
const V1_FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/v1/kitchen_sink.vitbc"
);

/// The committed version-2 encoding of `kitchen_sink_with_handlers()`.
const V2_FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/v2/kitchen_sink.vitbc"
);

/// Recomputes the CRC32 trailer after an edit.
fn fix_crc(bytes: &mut [u8]) {
    let body_end = bytes.len() - 4;
    let crc = crc32fast::hash(&bytes[..body_end]);
    bytes[body_end..].copy_from_slice(&crc.to_le_bytes());
}

/// The byte offset of the header of section `tag` in a well-formed file.
fn section_offset(bytes: &[u8], tag: &[u8; 4]) -> usize {
    let mut pos = 8;
    loop {
        let len = u32::from_le_bytes(bytes[pos + 4..pos + 8].try_into().unwrap()) as usize;
        if &bytes[pos..pos + 4] == tag {
            return pos;
        }
        pos += 8 + len;
    }
}

fn read_err(bytes: &[u8]) -> BytecodeError {
    match format::read(bytes) {
        Ok(_) => panic!("the bytes were accepted"),
        Err(error) => error,
    }
}

#[test]
fn every_sample_round_trips() {
    for (name, module) in samples() {
        let bytes = format::write(&module);
        let back = format::read(&bytes).unwrap_or_else(|error| panic!("{name}: {error}"));
        assert_eq!(back, module, "{name}");
        assert_eq!(
            format::write(&back),
            bytes,
            "{name}: rewriting changed the bytes"
        );
    }
}

#[test]
fn the_kitchen_sink_uses_every_instruction_and_fills_every_table() {
    let module = kitchen_sink_with_handlers();
    let extra = later_instructions();
    // `break` only exists in a debugged program's patched code, never in a module.
    for info in INSTRUCTIONS.iter().filter(|info| info.mnemonic != "break") {
        assert!(
            module
                .functions
                .iter()
                .chain(&extra.functions)
                .flat_map(|f| &f.code)
                .any(|instr| instr.opcode() == info.opcode),
            "{} is not covered",
            info.mnemonic
        );
    }
    let kinds: Vec<std::mem::Discriminant<Type>> =
        module.types.iter().map(std::mem::discriminant).collect();
    for ty in [
        Type::Void,
        Type::Int,
        Type::Float,
        Type::Bool,
        Type::Str,
        Type::Array(0),
        Type::Map(0, 0),
        Type::Nullable(0),
        Type::Form(0),
        Type::Pick(0),
        Type::Thread,
        Type::Chan(0),
    ] {
        assert!(
            kinds.contains(&std::mem::discriminant(&ty)),
            "{ty:?} is not covered"
        );
    }
    assert!(!module.forms.is_empty() && !module.picks.is_empty() && !module.globals.is_empty());
    assert!(!module.natives.is_empty() && module.init.is_some() && module.sources.len() > 1);
    let debug = &module.functions[0].debug;
    assert!(!debug.lines.is_empty() && !debug.locals.is_empty());
}

#[test]
fn special_values_survive_exactly() {
    let mut module = minimal();
    module.constants = vec![
        Constant::Float(f64::NAN),
        Constant::Float(-0.0),
        Constant::Float(f64::INFINITY),
        Constant::Float(f64::from_bits(0x7ff8_dead_beef_0001)),
        Constant::Int(i64::MIN),
        Constant::Int(i64::MAX),
        Constant::Str("\0\u{10FFFF}é".into()),
    ];
    let back = format::read(&format::write(&module)).unwrap();
    let bits = |c: &Constant| match c {
        Constant::Float(value) => Some(value.to_bits()),
        _ => None,
    };
    for (a, b) in module.constants.iter().zip(&back.constants) {
        match bits(a) {
            Some(bits_a) => assert_eq!(Some(bits_a), bits(b)),
            None => assert_eq!(a, b),
        }
    }
}

#[test]
fn writing_is_deterministic() {
    for (name, module) in samples() {
        let first = format::write(&module);
        let second = format::write(&module.clone());
        assert_eq!(first, second, "{name}");
    }
    // Modules that differ in anything give different bytes.
    let mut changed = kitchen_sink();
    changed.functions[1].debug.locals[0].end_pc = 2;
    assert_ne!(format::write(&changed), format::write(&kitchen_sink()));
}

#[test]
fn the_file_starts_with_magic_and_version_and_ends_with_a_crc() {
    let bytes = format::write(&minimal());
    assert_eq!(&bytes[..6], b"VITBC\0");
    assert_eq!(u16::from_le_bytes([bytes[6], bytes[7]]), VERSION);
    let body_end = bytes.len() - 4;
    assert_eq!(
        bytes[body_end..],
        crc32fast::hash(&bytes[..body_end]).to_le_bytes()
    );
    let mut pos = 8;
    for tag in SECTIONS {
        assert_eq!(bytes[pos..pos + 4], tag);
        pos += 8 + u32::from_le_bytes(bytes[pos + 4..pos + 8].try_into().unwrap()) as usize;
    }
    assert_eq!(pos, body_end);
}

#[test]
fn version_1_files_still_load() {
    // Version 1 has no handler tables: the file decodes to the module without handlers.
    let committed = std::fs::read(V1_FIXTURE).expect("the committed version-1 file");
    assert_eq!(u16::from_le_bytes([committed[6], committed[7]]), 1);
    assert_eq!(
        format::read(&committed),
        Ok(kitchen_sink()),
        "a version-1 file no longer loads as it did"
    );
}

#[test]
fn version_2_files_still_load() {
    let module = kitchen_sink_with_handlers();
    let bytes = format::write(&module);
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::create_dir_all(std::path::Path::new(V2_FIXTURE).parent().unwrap()).unwrap();
        std::fs::write(V2_FIXTURE, &bytes).unwrap();
    }
    let committed = std::fs::read(V2_FIXTURE).expect("the committed version-2 file");
    assert_eq!(u16::from_le_bytes([committed[6], committed[7]]), 2);
    assert_eq!(
        format::read(&committed),
        Ok(module),
        "a version-2 file no longer loads as it did"
    );
    if VERSION == 2 {
        assert!(
            committed == bytes,
            "the writer's output changed without a format version bump \
             (if intended, bump VERSION and keep the old reader; UPDATE_EXPECT=1 rewrites the file)"
        );
    }
}

#[test]
fn handler_tables_round_trip_and_their_errors_point_at_the_entry() {
    let module = kitchen_sink_with_handlers();
    let bytes = format::write(&module);
    assert_eq!(format::read(&bytes), Ok(module.clone()));
    // A handler whose target is outside the code is refused at the handler's own bytes.
    let mut broken = module;
    broken.functions[0].handlers[1].target_pc = 5000;
    let bytes = format::write(&broken);
    let error = format::read(&bytes).unwrap_err();
    assert!(
        error
            .message
            .starts_with("function 0 (main), handler 1: target pc 5000 is outside the code"),
        "{error}"
    );
    let (_, offsets) = format::decode(&bytes).unwrap();
    let at = offsets
        .offset_of(&Location::Handler { func: 0, index: 1 })
        .unwrap();
    assert_eq!(error.offset, at);
    // start, end, target: the target is the third LEB128 value of the entry.
    assert_eq!(bytes[at], 0);
}

#[test]
fn bad_magic_and_short_headers() {
    assert_eq!(read_err(b"").message, "file ends inside the header");
    assert_eq!(read_err(b"VIT").message, "file ends inside the header");
    assert_eq!(read_err(b"VIT").offset, 3);
    assert_eq!(
        read_err(b"VITBC\0\x01").message,
        "file ends inside the header"
    );
    let error = read_err(b"\x7fELF\x02\x01\x01\x00\x00\x00");
    assert_eq!(
        error.to_string(),
        "invalid bytecode: not a .vitbc file (bad magic), at byte 0"
    );
    let error = read_err(b"VITBC\0\x01\x00\x00\x00");
    assert_eq!(error.message, "file ends before the checksum");
    assert_eq!(error.offset, 10);
}

#[test]
fn newer_and_unknown_versions_are_refused_before_anything_else() {
    let mut bytes = format::write(&minimal());
    bytes[6] = 7;
    bytes[7] = 0;
    let error = read_err(&bytes);
    assert_eq!(
        error.to_string(),
        "invalid bytecode: unsupported format version 7 (this VM reads version 2), at byte 6"
    );
    bytes[6] = 0;
    assert_eq!(
        read_err(&bytes).message,
        "unsupported format version 0 (this VM reads version 2)"
    );
    // Even with a bad checksum, the version is what is reported.
    let mut truncated = b"VITBC\0\x03\x00".to_vec();
    truncated.extend_from_slice(&[0; 8]);
    assert!(
        read_err(&truncated)
            .message
            .starts_with("unsupported format version 3")
    );
}

#[test]
fn checksum_mismatch_is_reported_at_the_trailer() {
    let mut bytes = format::write(&kitchen_sink());
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x10;
    let error = read_err(&bytes);
    assert!(
        error.message.starts_with("checksum mismatch (stored 0x"),
        "{error}"
    );
    assert_eq!(error.offset, bytes.len() - 4);
}

#[test]
fn a_huge_claimed_count_fails_fast() {
    // A 10-byte body claiming 4 billion types.
    let mut bytes = b"VITBC\0\x01\x00TYPE\x05\x00\x00\x00\xff\xff\xff\xff\x0f".to_vec();
    bytes.extend_from_slice(&[0; 4]);
    fix_crc(&mut bytes);
    let started = std::time::Instant::now();
    let error = read_err(&bytes);
    assert!(started.elapsed().as_secs() < 1);
    assert_eq!(
        error.message,
        "section TYPE: type count: 4294967295 entries need at least 4294967295 bytes but only 0 remain"
    );
    assert_eq!(error.offset, 16);

    // The same for code, registers and strings deep inside a valid file.
    let module = minimal();
    let mut bytes = format::write(&module);
    let func = section_offset(&bytes, b"FUNC");
    // Payload: count 1, name len 4 "main", params 0, ret 0, registers 0, code size 1, code,
    // handler count 0.
    assert_eq!(&bytes[func + 8..func + 14], b"\x01\x04main");
    bytes[func + 9] = 0x7f; // name length 127
    fix_crc(&mut bytes);
    let error = read_err(&bytes);
    assert_eq!(
        error.message,
        "section FUNC: function 0: name: 127 entries need at least 127 bytes but only 10 remain"
    );
    assert_eq!(error.offset, func + 9);
}

#[test]
fn section_structure_errors_name_the_section() {
    let bytes = format::write(&minimal());
    let cnst = section_offset(&bytes, b"CNST");
    let glob = section_offset(&bytes, b"GLOB");

    // Missing: cut CNST out.
    let mut missing = bytes[..cnst].to_vec();
    missing.extend_from_slice(&bytes[glob..]);
    fix_crc(&mut missing);
    let error = read_err(&missing);
    assert_eq!(error.message, "missing section CNST (found section GLOB)");
    assert_eq!(error.offset, cnst);

    // Duplicate: CNST twice.
    let mut duplicate = bytes[..glob].to_vec();
    duplicate.extend_from_slice(&bytes[cnst..]);
    fix_crc(&mut duplicate);
    let error = read_err(&duplicate);
    assert_eq!(error.message, "duplicate section CNST");
    assert_eq!(error.offset, glob);

    // Unknown tag.
    let mut unknown = bytes.clone();
    unknown[cnst..cnst + 4].copy_from_slice(b"XTRA");
    fix_crc(&mut unknown);
    assert_eq!(
        read_err(&unknown).message,
        "unknown section tag XTRA (expected CNST)"
    );
    unknown[cnst..cnst + 4].copy_from_slice(&[0, 1, 2, 3]);
    fix_crc(&mut unknown);
    assert_eq!(
        read_err(&unknown).message,
        "unknown section tag 0x00010203 (expected CNST)"
    );

    // A section running past the end.
    let mut long = bytes.clone();
    long[cnst + 4..cnst + 8].copy_from_slice(&1000u32.to_le_bytes());
    fix_crc(&mut long);
    let error = read_err(&long);
    assert!(
        error
            .message
            .starts_with("section CNST claims 1000 bytes but only "),
        "{error}"
    );
    assert_eq!(error.offset, cnst + 4);

    // A section longer than its content.
    let mut padded = bytes[..cnst].to_vec();
    padded.extend_from_slice(b"CNST\x02\x00\x00\x00\x00\x00");
    padded.extend_from_slice(&bytes[glob..]);
    fix_crc(&mut padded);
    let error = read_err(&padded);
    assert_eq!(
        error.message,
        "section CNST: 1 unexpected bytes at the end of the section"
    );
    assert_eq!(error.offset, cnst + 9);

    // Truncated: the file ends (before the trailer) in the middle of the sections.
    let mut truncated = bytes[..cnst + 3].to_vec();
    truncated.extend_from_slice(&[0; 4]);
    fix_crc(&mut truncated);
    assert_eq!(
        read_err(&truncated).message,
        "file ends inside the header of section CNST"
    );

    // Trailing bytes after the last section, and a repeated last section.
    let body_end = bytes.len() - 4;
    let mut trailing = bytes[..body_end].to_vec();
    trailing.extend_from_slice(b"junk");
    trailing.extend_from_slice(&[0; 4]);
    fix_crc(&mut trailing);
    let error = read_err(&trailing);
    assert_eq!(error.message, "4 unexpected bytes after the last section");
    assert_eq!(error.offset, body_end);
    let srcs = section_offset(&bytes, b"SRCS");
    let mut repeated = bytes[..body_end].to_vec();
    repeated.extend_from_slice(&bytes[srcs..body_end]);
    repeated.extend_from_slice(&[0; 4]);
    fix_crc(&mut repeated);
    assert_eq!(read_err(&repeated).message, "duplicate section SRCS");
}

#[test]
fn malformed_values_are_reported_where_they_are() {
    let mut module = minimal();
    module.globals.push(vitte_vm::bytecode::GlobalDef {
        name: "héllo".into(),
        ty: 0,
    });
    let bytes = format::write(&module);
    let glob = section_offset(&bytes, b"GLOB");
    // GLOB payload: count 1, name length 6, "héllo" (h, 0xc3 0xa9, l, l, o), type.
    assert_eq!(bytes[glob + 9], 6);

    let mut utf8 = bytes.clone();
    utf8[glob + 11] = 0xff;
    fix_crc(&mut utf8);
    let error = read_err(&utf8);
    assert_eq!(
        error.message,
        "section GLOB: global 0: name: text is not valid UTF-8"
    );
    assert_eq!(error.offset, glob + 11);

    // An unknown type tag.
    let mut tag = format::write(&minimal());
    let types = section_offset(&tag, b"TYPE");
    tag[types + 9] = 99;
    fix_crc(&mut tag);
    let error = read_err(&tag);
    assert_eq!(error.message, "section TYPE: type 0: unknown type tag 99");
    assert_eq!(error.offset, types + 9);

    // An unknown opcode in code.
    let mut opcode = format::write(&minimal());
    let at = format::decode(&opcode).unwrap().1.instr(0, 0).unwrap();
    assert_eq!(opcode[at], Instr::RetVoid {}.opcode());
    opcode[at] = 0xee;
    fix_crc(&mut opcode);
    let error = read_err(&opcode);
    assert_eq!(
        error.message,
        "section FUNC: function 0: pc 0: unknown opcode 0xee"
    );
    assert_eq!(error.offset, at);

    // A flag that is neither 0 nor 1 (the init flag of ENTR).
    let mut flag = format::write(&minimal());
    let entr = section_offset(&flag, b"ENTR");
    flag[entr + 9] = 2;
    fix_crc(&mut flag);
    let error = read_err(&flag);
    assert_eq!(
        error.message,
        "section ENTR: init present: flag byte 2 is not 0 or 1"
    );
    assert_eq!(error.offset, entr + 9);

    // Debug records must match the functions one to one.
    let mut debug = format::write(&minimal());
    let dbug = section_offset(&debug, b"DBUG");
    debug[dbug + 8] = 0;
    fix_crc(&mut debug);
    let error = read_err(&debug);
    assert_eq!(
        error.message,
        "section DBUG: debug information for 0 functions but section FUNC has 1"
    );
    assert_eq!(error.offset, dbug + 8);
}

#[test]
fn an_instruction_cut_by_the_end_of_its_code_is_truncated() {
    let mut module = minimal();
    module.functions[0].code = code("load.int r0, 1\nret.void");
    module.functions[0].registers = vec![1];
    module.types.push(Type::Int);
    let mut bytes = format::write(&module);
    let offsets = format::decode(&bytes).unwrap().1;
    let second = offsets.instr(0, 1).unwrap();
    // Shrink the code size by one byte and drop the last byte of the first instruction.
    let size_at = second - 8;
    assert_eq!(bytes[size_at], 8);
    bytes[size_at] = 6;
    bytes.remove(second - 1);
    bytes.remove(second - 1);
    let func = section_offset(&bytes, b"FUNC");
    let len = u32::from_le_bytes(bytes[func + 4..func + 8].try_into().unwrap()) - 2;
    bytes[func + 4..func + 8].copy_from_slice(&len.to_le_bytes());
    fix_crc(&mut bytes);
    let error = read_err(&bytes);
    assert_eq!(
        error.message,
        "section FUNC: function 0: pc 0: instruction truncated"
    );
}

#[test]
fn decode_does_not_verify_but_read_does() {
    let mut module = minimal();
    module.functions[0].code = code("nop");
    let bytes = format::write(&module);
    let (decoded, offsets) = format::decode(&bytes).unwrap();
    assert_eq!(decoded, module);
    let error = read_err(&bytes);
    assert!(
        error
            .message
            .starts_with("function 0 (main), pc 0 (nop): the last instruction")
    );
    assert_eq!(Some(error.offset), offsets.instr(0, 0));
    assert_eq!(
        offsets.offset_of(&Location::Instr { func: 0, pc: 0 }),
        offsets.instr(0, 0)
    );
    assert_eq!(offsets.instr(0, 1), None);
    assert_eq!(offsets.instr(5, 0), None);
}

#[test]
fn writing_an_empty_module_gives_a_file_that_decodes() {
    let bytes = format::write(&Module::default());
    let (module, _) = format::decode(&bytes).unwrap();
    assert_eq!(module, Module::default());
    // But it has no entry function, so it does not verify.
    let error = read_err(&bytes);
    assert_eq!(
        error.message,
        "entry function: function 0 does not exist (0 functions)"
    );
    assert_eq!(error.offset, section_offset(&bytes, b"ENTR") + 8);
}
