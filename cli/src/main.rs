//! The `vitte` binary.
fn main() {}
