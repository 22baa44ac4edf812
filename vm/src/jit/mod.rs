//! The native JIT: hot functions compiled to machine code with Cranelift, invisible to programs.
//!
//! Registers are statically typed and verified, so a method JIT gets unboxed int and float code with
//! no type guards. [`translate`] turns one verified function into Cranelift IR; [`runtime`] is the
//! boundary compiled code crosses (its context, the helpers it calls, and the call into compiled
//! code); this file holds the policy: which functions are compiled, when, and what it cost.
//!
//! Tiering ([`JitMode::On`], the default): the interpreter ends a fuel slice every
//! [`QUANTUM`](crate::core::sched::QUANTUM) counted steps (backward jumps and calls). Each slice end
//! is a sample of where time goes: the running function, and the callee when the slice ended at a
//! call. A function sampled [`HOT_SAMPLES`] times is compiled together with the functions it calls,
//! and the running frame enters the compiled code right there, at the backward jump or call where
//! the slice ended (on-stack replacement). Sampling costs the dispatch loop nothing, and it is
//! deterministic: fuel is. [`JitMode::Always`] compiles every function before the program starts
//! (for tests); [`JitMode::Off`] never compiles.
//!
//! The interpreter enters compiled code at a call of a compiled function, when a callee returns into
//! a compiled function, and at the end of a fuel slice; compiled code calls compiled code directly
//! and leaves for the interpreter wherever it cannot go on (see [`translate`]). Invariants:
//! - nothing unverified is compiled: the JIT reads the verified program's code;
//! - fuel is counted at the same steps as in the interpreter, so step limits, thread interleaving
//!   and pauses are the same;
//! - whenever the interpreter, the collector or the debugger looks at a frame, its registers are
//!   in the register window (compiled code stores them before a call and when it leaves);
//! - every runtime error is raised by the interpreter, at the same instruction.
//!
//! Runs under a debugger do not use compiled code yet.

pub(crate) mod runtime;
pub(crate) mod translate;

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::bytecode::Instr;
use crate::core::program::Program;

use translate::Refusal;

/// When functions are compiled.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum JitMode {
    /// Never: everything runs in the interpreter.
    Off,
    /// Hot functions and loops (the default).
    #[default]
    On,
    /// Every function that can be, before the program starts (for tests).
    Always,
}

impl JitMode {
    /// The mode named by `text` (`off`, `on` or `always`).
    ///
    /// # Errors
    /// A message naming the accepted values.
    pub fn parse(text: &str) -> Result<JitMode, String> {
        match text.trim() {
            "off" => Ok(JitMode::Off),
            "on" => Ok(JitMode::On),
            "always" => Ok(JitMode::Always),
            other => Err(format!(
                "unknown JIT mode `{other}` (expected off, on or always)"
            )),
        }
    }

    /// The mode set by the environment variable `VITTE_JIT`, if any.
    ///
    /// # Errors
    /// The variable is set to something other than `off`, `on` or `always`.
    pub fn from_env() -> Result<Option<JitMode>, String> {
        match std::env::var("VITTE_JIT") {
            Ok(text) => JitMode::parse(&text)
                .map(Some)
                .map_err(|message| format!("VITTE_JIT: {message}")),
            Err(_) => Ok(None),
        }
    }

    /// True when this build has the JIT (the cargo feature `jit`).
    pub const fn available() -> bool {
        cfg!(feature = "jit")
    }
}

impl std::fmt::Display for JitMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            JitMode::Off => "off",
            JitMode::On => "on",
            JitMode::Always => "always",
        })
    }
}

/// Samples after which a function is compiled (see the module docs).
pub(crate) const HOT_SAMPLES: u32 = 2;

/// What the JIT did during a run: `vitte run --jit-stats` prints it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JitStats {
    /// Functions compiled, by name.
    pub compiled: Vec<String>,
    /// Functions that stay in the interpreter: name and reason.
    pub refused: Vec<(String, String)>,
    /// Time spent compiling.
    pub compile_time: Duration,
    /// Bytes of machine code.
    pub code_bytes: usize,
    /// Times the interpreter entered compiled code.
    pub entries: u64,
    /// Of those, entries into a running loop (on-stack replacement).
    pub loop_entries: u64,
    /// Times compiled code left for the interpreter, by the instruction it left at.
    pub exits: Vec<(String, u64)>,
}

impl std::fmt::Display for JitStats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "jit: {} function(s) compiled in {:.3} ms, {} bytes of machine code",
            self.compiled.len(),
            self.compile_time.as_secs_f64() * 1000.0,
            self.code_bytes
        )?;
        if !self.compiled.is_empty() {
            writeln!(f, "jit: compiled: {}", self.compiled.join(", "))?;
        }
        for (name, reason) in &self.refused {
            writeln!(f, "jit: interpreted: {name} ({reason})")?;
        }
        writeln!(
            f,
            "jit: {} entries into compiled code, {} into running loops",
            self.entries, self.loop_entries
        )?;
        for (instruction, count) in &self.exits {
            writeln!(
                f,
                "jit: {count} exit(s) to the interpreter at `{instruction}`"
            )?;
        }
        Ok(())
    }
}

/// Exits from compiled code to the interpreter, by instruction (counted by the runtime).
#[derive(Debug, Default)]
pub(crate) struct ExitCounts(Mutex<BTreeMap<&'static str, u64>>);

impl ExitCounts {
    pub(crate) fn count(&self, mnemonic: &'static str) {
        if let Ok(mut counts) = self.0.lock() {
            *counts.entry(mnemonic).or_default() += 1;
        }
    }
}

/// Where one function stands.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Tier {
    /// Interpreted; sampled this many times.
    Interpreted(u32),
    /// Compiled (its code is in `Jit::entries`).
    Compiled,
    /// Stays in the interpreter.
    Refused(Refusal),
}

/// The JIT of one run of a loaded program. The address of each function's compiled code is kept
/// in the program (`FuncInfo::jit_code`), where the interpreter and compiled callers read it; the
/// JIT clears it when it is dropped, with the code.
pub(crate) struct Jit<'p> {
    mode: JitMode,
    program: &'p Program,
    /// Exits by instruction.
    pub(crate) exits: ExitCounts,
    /// Entries from the interpreter, and into running loops.
    entered: AtomicU64,
    loops_entered: AtomicU64,
    state: Mutex<State>,
}

/// What compiling changes.
struct State {
    tiers: Vec<Tier>,
    compile_time: Duration,
    code_bytes: usize,
    #[cfg(feature = "jit")]
    backend: Option<backend::Backend>,
}

impl std::fmt::Debug for Jit<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jit")
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

impl<'p> Jit<'p> {
    /// The JIT for a run of `program`; in [`JitMode::Always`] every function that can be is
    /// compiled now.
    pub(crate) fn new(mode: JitMode, program: &'p Program) -> Jit<'p> {
        let count = program.funcs.len();
        let mode = if JitMode::available() {
            mode
        } else {
            JitMode::Off
        };
        let jit = Jit {
            mode,
            program,
            exits: ExitCounts::default(),
            entered: AtomicU64::new(0),
            loops_entered: AtomicU64::new(0),
            state: Mutex::new(State {
                tiers: vec![Tier::Interpreted(0); count],
                compile_time: Duration::ZERO,
                code_bytes: 0,
                #[cfg(feature = "jit")]
                backend: None,
            }),
        };
        if mode == JitMode::Always {
            for func in 0..count {
                jit.compile(program, func);
            }
        }
        jit
    }

    /// The compiled code of function `func`, if any.
    #[inline]
    pub(crate) fn code(&self, func: u32) -> Option<*const u8> {
        let address = self
            .program
            .funcs
            .get(func as usize)?
            .jit_code
            .load(Ordering::Relaxed);
        (address != 0).then_some(address as *const u8)
    }

    /// Counts an entry from the interpreter (`in_loop`: into a running loop).
    pub(crate) fn count_entry(&self, in_loop: bool) {
        self.entered.fetch_add(1, Ordering::Relaxed);
        if in_loop {
            self.loops_entered.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// A fuel slice ended in function `func` at `instr` (a counted step): samples it, and the
    /// callee when `instr` is a call, compiling what became hot.
    pub(crate) fn sample(&self, program: &Program, func: u32, instr: &Instr) {
        if self.mode != JitMode::On {
            return;
        }
        let callee = match *instr {
            Instr::Call { func, .. } => Some(func),
            _ => None,
        };
        for sampled in std::iter::once(func).chain(callee) {
            let hot = {
                let Ok(mut state) = self.state.lock() else {
                    return;
                };
                match state.tiers.get_mut(sampled as usize) {
                    Some(Tier::Interpreted(samples)) => {
                        *samples += 1;
                        *samples >= HOT_SAMPLES
                    }
                    _ => false,
                }
            };
            if hot {
                self.compile(program, sampled as usize);
            }
        }
    }

    /// Compiles function `root` and the functions it calls (transitively) that are not compiled yet.
    fn compile(&self, program: &Program, root: usize) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        if !matches!(state.tiers.get(root), Some(Tier::Interpreted(_))) {
            return;
        }
        let started = Instant::now();
        self.compile_locked(&mut state, program, root);
        state.compile_time += started.elapsed();
    }

    #[cfg(feature = "jit")]
    fn compile_locked(&self, state: &mut State, program: &Program, root: usize) {
        let mut pending = vec![root];
        let mut batch = Vec::new();
        while let Some(func) = pending.pop() {
            if !matches!(state.tiers.get(func), Some(Tier::Interpreted(_))) {
                continue;
            }
            let Some(info) = program.funcs.get(func) else {
                continue;
            };
            if let Err(refusal) = translate::check(program, info) {
                state.tiers[func] = Tier::Refused(refusal);
                continue;
            }
            if state.backend.is_none() {
                match backend::Backend::new() {
                    Ok(backend) => state.backend = Some(backend),
                    Err(message) => {
                        state.tiers[func] = Tier::Refused(Refusal::Backend(message));
                        continue;
                    }
                }
            }
            let Some(backend) = state.backend.as_mut() else {
                continue;
            };
            match backend.define(program, info) {
                Ok((id, bytes)) => {
                    state.code_bytes += bytes;
                    state.tiers[func] = Tier::Compiled;
                    batch.push((func, id));
                    pending.extend(info.code.iter().filter_map(|instr| match *instr {
                        Instr::Call { func, .. } => Some(func as usize),
                        _ => None,
                    }));
                }
                Err(refusal) => state.tiers[func] = Tier::Refused(refusal),
            }
        }
        let Some(backend) = state.backend.as_mut() else {
            return;
        };
        match backend.finish(&batch) {
            Ok(addresses) => {
                for ((func, _), address) in batch.iter().zip(addresses) {
                    if let Some(info) = program.funcs.get(*func) {
                        info.jit_code.store(address as usize, Ordering::Relaxed);
                    }
                }
            }
            Err(message) => {
                for (func, _) in batch {
                    state.tiers[func] = Tier::Refused(Refusal::Backend(message.clone()));
                }
            }
        }
    }

    #[cfg(not(feature = "jit"))]
    fn compile_locked(&self, state: &mut State, _program: &Program, root: usize) {
        state.tiers[root] = Tier::Refused(Refusal::Backend("built without the JIT".into()));
    }

    /// For each function: what the JIT makes of it (its Cranelift IR and machine code), or why it
    /// stays in the interpreter.
    #[cfg(feature = "jit")]
    pub(crate) fn listing(program: &Program) -> String {
        let mut out = String::new();
        let mut backend = match backend::Backend::new() {
            Ok(backend) => backend,
            Err(message) => return format!("; the JIT cannot run here: {message}\n"),
        };
        for (info, function) in program.funcs.iter().zip(&program.module.functions) {
            out.push_str(&format!("; function {}\n", function.name));
            match backend.listing(program, info) {
                Ok(text) => out.push_str(&text),
                Err(refusal) => out.push_str(&format!("; not compiled: {refusal}\n")),
            }
            out.push('\n');
        }
        out
    }

    /// For each function: what the JIT makes of it (without the JIT: that it is not built in).
    #[cfg(not(feature = "jit"))]
    pub(crate) fn listing(_program: &Program) -> String {
        "; this build has no JIT (cargo feature `jit`)\n".to_owned()
    }

    /// What the JIT did so far.
    pub(crate) fn stats(&self, program: &Program) -> JitStats {
        let name = |func: usize| {
            program
                .module
                .functions
                .get(func)
                .map_or_else(|| format!("f{func}"), |function| function.name.clone())
        };
        let mut stats = JitStats {
            entries: self.entered.load(Ordering::Relaxed),
            loop_entries: self.loops_entered.load(Ordering::Relaxed),
            ..JitStats::default()
        };
        if let Ok(state) = self.state.lock() {
            stats.compile_time = state.compile_time;
            stats.code_bytes = state.code_bytes;
            for (func, tier) in state.tiers.iter().enumerate() {
                match tier {
                    Tier::Compiled => stats.compiled.push(name(func)),
                    Tier::Refused(refusal) => stats.refused.push((name(func), refusal.to_string())),
                    Tier::Interpreted(_) => {}
                }
            }
        }
        if let Ok(exits) = self.exits.0.lock() {
            stats.exits = exits
                .iter()
                .map(|(mnemonic, count)| ((*mnemonic).to_string(), *count))
                .collect();
        }
        stats
    }
}

impl Drop for Jit<'_> {
    fn drop(&mut self) {
        for info in &self.program.funcs {
            info.jit_code.store(0, Ordering::Relaxed);
        }
        #[cfg(feature = "jit")]
        if let Ok(state) = self.state.get_mut()
            && let Some(backend) = state.backend.take()
        {
            backend.free();
        }
    }
}

#[cfg(feature = "jit")]
mod backend;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_parse_from_their_names_only() {
        assert_eq!(JitMode::parse("off"), Ok(JitMode::Off));
        assert_eq!(JitMode::parse(" on "), Ok(JitMode::On));
        assert_eq!(JitMode::parse("always"), Ok(JitMode::Always));
        let refused = JitMode::parse("fast").unwrap_err();
        assert!(refused.contains("`fast`") && refused.contains("off, on or always"));
        for mode in [JitMode::Off, JitMode::On, JitMode::Always] {
            assert_eq!(JitMode::parse(&mode.to_string()), Ok(mode));
        }
        assert_eq!(JitMode::default(), JitMode::On);
    }

    #[test]
    fn statistics_read_as_sentences() {
        let stats = JitStats {
            compiled: vec!["fib".into(), "main".into()],
            refused: vec![("big".into(), "too large".into())],
            compile_time: Duration::from_micros(1500),
            code_bytes: 2048,
            entries: 7,
            loop_entries: 3,
            exits: vec![("call".into(), 4)],
        };
        assert_eq!(
            stats.to_string(),
            "jit: 2 function(s) compiled in 1.500 ms, 2048 bytes of machine code\n\
             jit: compiled: fib, main\n\
             jit: interpreted: big (too large)\n\
             jit: 7 entries into compiled code, 3 into running loops\n\
             jit: 4 exit(s) to the interpreter at `call`\n"
        );
    }
}
