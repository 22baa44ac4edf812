//! Vitte bytecode: the instruction set ([`isa`]), the module model ([`module`]), the `.vitbc` binary
//! format ([`format`]), the verifier ([`verify`]) and the disassembler ([`disasm`]).

pub mod asm;
pub mod disasm;
pub mod format;
pub mod isa;
pub mod module;
pub mod verify;

pub use isa::{Instr, Reg};
pub use module::*;
