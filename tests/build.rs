//! Generates one test per conformance program (being written).
fn main() {}
