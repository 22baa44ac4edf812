//! Fuzz target `dap_session`: a debug adapter session fed raw client bytes: framing, parsing and dispatch (see `vitte_fuzz::dap_session`).

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vitte_fuzz::dap_session(data));
