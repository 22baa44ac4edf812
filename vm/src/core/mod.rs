//! Execution: a loaded module prepared for running ([`program`]) and the interpreter loop
//! ([`interp`]).

// The instruction pointer is a raw pointer into the verified code of the running function: the
// dispatch loop's three `unsafe` blocks, each with the `SAFETY:` reason it holds.
#[allow(unsafe_code)]
pub(crate) mod interp;
pub(crate) mod program;
pub(crate) mod sched;
