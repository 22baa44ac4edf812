//! The assembler reads back what the disassembler prints: every conformance program that compiles
//! is disassembled, assembled again and compared with the compiled module, then both are run.
//!
//! The listing does not hold the type table's order, line-table columns and statement flags,
//! locals other than named parameters, or source text (see `vitte_vm::bytecode::asm`). So the check
//! is: the same instructions, tables, register types (by name), handlers, entry and init; the same
//! listing once the source texts are given back (apart from the type count of its first line);
//! and the same run (exit code, stdout, runtime error).

use std::path::{Path, PathBuf};

use vitte_compiler::driver::compile_file;
use vitte_tests::SharedBuffer;
use vitte_vm::bytecode::asm::assemble;
use vitte_vm::bytecode::disasm::{disassemble, type_name};
use vitte_vm::bytecode::{Module, TypeId};
use vitte_vm::{Vm, VmConfig};

fn programs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("programs")
}

/// The listing without its first line, which counts the types.
fn listing_after_counts(module: &Module) -> String {
    let listing = disassemble(module);
    listing
        .split_once('\n')
        .map_or(listing.clone(), |(_, rest)| rest.to_owned())
}

/// What a run of `module` did: the exit code or error message, and stdout. The limits keep every
/// run short (this test runs about 450 programs twice, one after the other, also under `stress_gc`,
/// where each allocation collects); a program stopped by one is stopped at the same point in both
/// runs, so the comparison holds either way.
fn run(module: Module) -> (Result<i32, String>, String) {
    let stdout = SharedBuffer::default();
    let mut vm = Vm::with_config(VmConfig {
        max_steps: Some(20_000),
        max_heap: Some(4 << 20),
        ..VmConfig::default()
    });
    vm.set_stdout(Box::new(stdout.clone()));
    vm.set_stderr(Box::new(SharedBuffer::default()));
    vm.set_stdin(Box::new(std::io::Cursor::new(Vec::new())));
    if let Err(error) = vm.load_module(module) {
        return (Err(format!("load: {error}")), String::new());
    }
    let result = vm.run().map_err(|error| error.message);
    (result, stdout.text())
}

fn type_names(module: &Module, types: &[TypeId]) -> Vec<String> {
    types.iter().map(|&ty| type_name(module, ty)).collect()
}

/// Checks one compiled module against its listing assembled again; returns the assembled module.
fn assemble_and_compare(path: &Path, original: &Module) -> Module {
    let listing = disassemble(original);
    let mut assembled =
        assemble(&listing).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let context = path.display();
    assert_eq!(assembled.constants, original.constants, "{context}");
    assert_eq!(assembled.entry, original.entry, "{context}");
    assert_eq!(assembled.init, original.init, "{context}");
    assert_eq!(
        assembled.functions.len(),
        original.functions.len(),
        "{context}"
    );
    for (again, function) in assembled.functions.iter().zip(&original.functions) {
        let context = format!("{context}: {}", function.name);
        assert_eq!(again.name, function.name, "{context}");
        assert_eq!(again.code, function.code, "{context}");
        assert_eq!(again.handlers, function.handlers, "{context}");
        assert_eq!(again.param_count, function.param_count, "{context}");
        assert_eq!(
            type_names(&assembled, &again.registers),
            type_names(original, &function.registers),
            "{context}"
        );
        assert_eq!(
            type_name(&assembled, again.ret),
            type_name(original, function.ret),
            "{context}"
        );
    }
    for (again, global) in assembled.globals.iter().zip(&original.globals) {
        assert_eq!(again.name, global.name, "{context}");
        assert_eq!(
            type_name(&assembled, again.ty),
            type_name(original, global.ty),
            "{context}"
        );
    }
    assert_eq!(assembled.globals.len(), original.globals.len(), "{context}");
    for source in &mut assembled.sources {
        if let Some(known) = original.sources.iter().find(|s| s.path == source.path) {
            source.text.clone_from(&known.text);
        }
    }
    assert_eq!(
        listing_after_counts(&assembled),
        listing_after_counts(original),
        "{context}"
    );
    assembled
}

#[test]
fn compiled_programs_survive_disassembly_and_assembly() {
    let mut checked = 0;
    for path in vitte_compiler::loader::vit_files_under(&programs_dir()) {
        let Some(original) = compile_file(&path).module else {
            continue;
        };
        let assembled = assemble_and_compare(&path, &original);
        // Under `stress_gc` (every allocation collects) the runs would take minutes and test the
        // collector, which the conformance tests already run every program under; what the
        // assembler must keep is checked above and by the runs of the ordinary build.
        if !cfg!(feature = "stress_gc") {
            assert_eq!(
                run(assembled),
                run(original),
                "{}: the assembled module runs differently",
                path.display()
            );
        }
        checked += 1;
    }
    assert!(checked >= 100, "only {checked} programs compiled");
}
