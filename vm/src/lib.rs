//! Vitte VM: the bytecode format, its verifier, the interpreter and the garbage collector.
//!
//! ```no_run
//! use vitte_vm::Vm;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut vm = Vm::new();
//! vm.load_file("target/main.vitbc")?;
//! vm.run()?;
//! # Ok(())
//! # }
//! ```

pub mod bytecode;
