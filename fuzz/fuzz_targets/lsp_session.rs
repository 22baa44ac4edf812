//! Fuzz target `lsp_session`: a language server session fed raw client bytes: framing, handshake, main loop and handlers (see `vitte_fuzz::lsp_session`).

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vitte_fuzz::lsp_session(data));
