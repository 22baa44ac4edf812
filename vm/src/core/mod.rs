//! Execution: a loaded module prepared for running ([`program`]) and the interpreter loop
//! ([`interp`]).

pub(crate) mod interp;
pub(crate) mod program;
pub(crate) mod sched;
