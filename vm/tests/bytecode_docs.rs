//! `docs/vitbc.md` stays in step with the code: its instruction table is generated from the
//! instruction table in `isa.rs` (opcodes, mnemonics, operands, sizes and the doc comment of each
//! instruction), and it documents every section and the current format version.
//!
//! After changing the instruction set, `UPDATE_EXPECT=1 cargo test -p vitte-vm --test integration bytecode_docs`
//! rewrites the generated part of the document.

use vitte_vm::bytecode::format::{SECTIONS, VERSION};
use vitte_vm::bytecode::isa::INSTRUCTIONS;

const DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/vitbc.md");
const ISA: &str = include_str!("../src/bytecode/isa.rs");
const BEGIN: &str = "<!-- instructions:begin (generated from isa.rs; UPDATE_EXPECT=1 cargo test -p vitte-vm --test integration bytecode_docs) -->\n";
const END: &str = "<!-- instructions:end -->\n";

/// One instruction as declared in the `define_instructions!` table of `isa.rs`.
struct Declared {
    group: String,
    doc: String,
    opcode: u8,
    mnemonic: String,
    operands: String,
}

/// Reads the instruction table out of the source of `isa.rs`.
fn declared_instructions() -> Vec<Declared> {
    let start = ISA
        .find("\ndefine_instructions! {")
        .expect("the instruction table in isa.rs");
    let mut result = Vec::new();
    let mut group = String::new();
    let mut doc = Vec::new();
    for line in ISA[start..].lines().skip(2) {
        let line = line.trim();
        if line == "}" {
            break;
        }
        if let Some(title) = line.strip_prefix("// ----") {
            group = title.trim_end_matches('-').trim().to_owned();
        } else if let Some(text) = line.strip_prefix("///") {
            doc.push(text.trim().to_owned());
        } else if let Some((_, rest)) = line.split_once(" = 0x") {
            let (opcode, rest) = rest.split_once(", \"").expect("opcode, then mnemonic");
            let (mnemonic, rest) = rest.split_once('"').expect("closing quote");
            let operands = rest
                .trim()
                .trim_start_matches('{')
                .trim_end_matches(',')
                .trim_end_matches('}');
            result.push(Declared {
                group: group.clone(),
                doc: doc.join(" "),
                opcode: u8::from_str_radix(opcode, 16).expect("hex opcode"),
                mnemonic: mnemonic.to_owned(),
                operands: operands.trim().to_owned(),
            });
            doc.clear();
        }
    }
    result
}

fn generated_table() -> String {
    let declared = declared_instructions();
    assert_eq!(
        declared.len(),
        INSTRUCTIONS.len(),
        "the isa.rs table was not read completely"
    );
    let mut out = String::new();
    let mut group = None;
    for (declared, info) in declared.iter().zip(INSTRUCTIONS) {
        assert_eq!(declared.opcode, info.opcode);
        assert_eq!(declared.mnemonic, info.mnemonic);
        let operands: Vec<String> = info
            .operands
            .iter()
            .map(|(name, kind)| format!("{name}: {kind:?}"))
            .collect();
        assert_eq!(declared.operands, operands.join(", "), "{}", info.mnemonic);
        if group != Some(&declared.group) {
            group = Some(&declared.group);
            let mut title = declared.group.clone();
            if let Some(first) = title.get_mut(..1) {
                first.make_ascii_uppercase();
            }
            out.push_str(&format!(
                "\n#### {title}\n\n| opcode | mnemonic | operands | bytes | meaning |\n| --- | --- | --- | --- | --- |\n"
            ));
        }
        let size = 1 + info
            .operands
            .iter()
            .map(|(_, kind)| kind.size())
            .sum::<usize>();
        let operands = if operands.is_empty() {
            "—".to_owned()
        } else {
            format!("`{}`", operands.join(", "))
        };
        out.push_str(&format!(
            "| `0x{:02x}` | `{}` | {operands} | {size} | {} |\n",
            info.opcode,
            info.mnemonic,
            declared.doc.replace('|', "\\|")
        ));
    }
    out.push('\n');
    out
}

#[test]
fn the_instruction_table_is_up_to_date() {
    let doc = std::fs::read_to_string(DOC).expect("docs/vitbc.md");
    let begin = doc
        .find(BEGIN)
        .expect("the begin marker of the instruction table")
        + BEGIN.len();
    let end = doc
        .find(END)
        .expect("the end marker of the instruction table");
    let expected = generated_table();
    if doc[begin..end] != expected {
        if std::env::var_os("UPDATE_EXPECT").is_some() {
            let updated = format!("{}{expected}{}", &doc[..begin], &doc[end..]);
            std::fs::write(DOC, updated).expect("write docs/vitbc.md");
        } else {
            panic!(
                "the instruction table of docs/vitbc.md is out of date; \
                 run with UPDATE_EXPECT=1 to regenerate it. Expected:\n{expected}"
            );
        }
    }
}

#[test]
fn every_mnemonic_opcode_and_section_is_documented() {
    let doc = std::fs::read_to_string(DOC).expect("docs/vitbc.md");
    for info in INSTRUCTIONS {
        assert!(
            doc.contains(&format!("`{}`", info.mnemonic)),
            "{} is not documented",
            info.mnemonic
        );
        assert!(
            doc.contains(&format!("`0x{:02x}`", info.opcode)),
            "0x{:02x} is not documented",
            info.opcode
        );
    }
    for tag in SECTIONS {
        let tag = String::from_utf8(tag.to_vec()).unwrap();
        assert!(
            doc.contains(&format!("### `{tag}`")),
            "section {tag} has no heading"
        );
    }
    assert!(doc.contains(&format!("Current version: **{VERSION}**")));
}
