//! The `.vitbc` binary format: deterministic writer and checked reader (see `docs/vitbc.md`).
//!
//! API contract (implementation in progress):
//! - [`write`] serialises a module; the same module always gives the same bytes.
//! - [`read`] decodes and verifies; every failure is a [`BytecodeError`] with the byte offset it refers to.

use std::fmt;

use super::module::Module;

/// A malformed or unverifiable `.vitbc` file: `invalid bytecode: WHAT, at byte N`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BytecodeError {
    /// What is wrong (lower case, no final period).
    pub message: String,
    /// Byte offset in the file the problem was found at.
    pub offset: usize,
}

impl fmt::Display for BytecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid bytecode: {}, at byte {}", self.message, self.offset)
    }
}

impl std::error::Error for BytecodeError {}

/// Serialises `module` to `.vitbc` bytes.
pub fn write(module: &Module) -> Vec<u8> {
    let _ = module;
    Vec::new()
}

/// Decodes and verifies `.vitbc` bytes.
///
/// # Errors
/// Any malformation or verification failure, with the byte offset it was found at.
pub fn read(bytes: &[u8]) -> Result<Module, BytecodeError> {
    let _ = bytes;
    Err(BytecodeError { message: "reader not written yet".into(), offset: 0 })
}
