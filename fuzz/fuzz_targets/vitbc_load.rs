//! Fuzz target `vitbc_load`: `.vitbc` bytes through the reader, the verifier, the writer, the disassembler and a bounded run (see `vitte_fuzz::vitbc_load`).

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vitte_fuzz::vitbc_load(data));
