//! Fuzz target `compile`: source text through the compiler's front end, code generation, the verifier and the formatter (see `vitte_fuzz::compile`).

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vitte_fuzz::compile(data));
