//! Fuzz target `compile_run`: source text compiled and run under small limits, from source and from its `.vitbc` bytes (see `vitte_fuzz::compile_run`).

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vitte_fuzz::compile_run(data));
