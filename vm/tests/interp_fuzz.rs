//! Robustness: modules mutated at random that still pass the verifier must run to an outcome (a
//! result or a runtime error), never a panic.
//!
//! Mutations flip bytes of encoded instructions, retype registers, swap instructions and replace
//! constants of a seed program that exercises most kinds of instructions; each mutant that verifies
//! runs under a step, depth and heap limit. The generator is a fixed-seed xorshift, so failures
//! reproduce (`FUZZ_TRACE=1` lists the mutants run, `FUZZ_TRACE=N` also shows mutant N's changes).

use crate::interp_common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use interp_common::{Builder, Capture};
use vitte_vm::bytecode::verify::verify;
use vitte_vm::bytecode::{Constant, Instr, Module};
use vitte_vm::{Vm, VmConfig};

/// How many mutants to try per seed.
const MUTANTS: usize = if cfg!(feature = "stress_gc") {
    3_000
} else {
    20_000
};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A program touching strings, arrays, maps, forms, picks, calls, natives and globals.
fn seed() -> Module {
    let mut b = Builder::new();
    let (int, float, bool, string, void) = (b.int(), b.float(), b.bool(), b.string(), b.void());
    let ints = b.array(int);
    let strings = b.array(string);
    let counts = b.map(string, int);
    let point = b.form("Point", &[("x", float), ("y", float)]);
    let shape = b.pick(
        "Shape",
        &[
            ("Circle", &[("r", float)]),
            ("Named", &[("first", string), ("second", string)]),
            ("Empty", &[]),
        ],
    );
    let nullable = b.nullable(string);
    let print = b.print();
    let split = b.native("split", &[string, string], strings);
    let substr = b.native("substr", &[string, int, int], string);
    let global = b.global("g", strings);
    let k_text = b.str_const("a,b,c");
    let k_comma = b.str_const(",");
    let k_float = b.constant(Constant::Float(1.5));
    let k_big = b.constant(Constant::Int(1 << 40));
    let registers = [
        int, int, int, float, float, bool, string, string, strings, ints, counts, point, shape,
        nullable, int, string, string, int, int,
    ];
    let code = format!(
        "
        0000  load.int r0, 0
        0001  load.int r1, 5
        0002  load.const r6, k{k_text}
        0003  load.const r7, k{k_comma}
        0004  call.native n{split}, r6, r8
        0005  global.set g{global}, r8
        0006  array.new r9, r0, 2
        0007  map.new r10
        0008  load.const r3, k{k_float}
        0009  form.new r11, r3
        0010  jump.ifnot.lt.i r0, r1, @32
        0011  int.to.str r7, r0
        0012  concat r6, r6, r7
        0013  map.set r10, r6, r0
        0014  array.push r9, r0
        0015  array.get r2, r9, r0
        0016  map.get.or r2, r10, r7, r1
        0017  pick.new r12, 1, r6
        0018  pick.tag r2, r12
        0019  pick.field r7, r12, 1, 0
        0020  form.get r4, r11, 0
        0021  add.f r4, r4, r3
        0022  form.set r11, 1, r4
        0023  call f1, r0, r2
        0024  ref.to.str r15, r10
        0025  str.len r14, r15
        0026  move r16, r15
        0027  load.int r17, 0
        0028  load.int r18, 1
        0029  call.native n{substr}, r16, r15
        0030  add.i.imm r0, r0, 1
        0031  jump @10
        0032  ref.to.str r15, r11
        0033  call.native n{print}, r15, r15
        0034  map.keys r8, r10
        0035  array.len r2, r8
        0036  load.null r13
        0037  eq.s r5, r13, r6
        0038  load.const r0, k{k_big}
        0039  div.i r0, r0, r1
        0040  map.remove r5, r10, r6
        0041  array.pop r2, r9
        0042  ret.void
    "
    );
    b.main(void, &registers, code);
    // f(n) = n <= 0 ? 0 : f(n - 1) + 1
    b.function(
        "f",
        1,
        int,
        &[int, int, bool],
        "
            0000  load.int r1, 0
            0001  le.i r2, r0, r1
            0002  jump.ifnot r2, @4
            0003  ret r1
            0004  add.i.imm r1, r0, -1
            0005  call f1, r1, r1
            0006  add.i.imm r1, r1, 1
            0007  ret r1
        ",
    );
    b.build()
}

/// Applies one to three random mutations.
fn mutate(module: &mut Module, rng: &mut Rng) {
    for _ in 0..=rng.below(3) {
        let func = rng.below(module.functions.len());
        let function = &mut module.functions[func];
        match rng.below(10) {
            0..=6 => {
                let pc = rng.below(function.code.len());
                let mut bytes = Vec::new();
                function.code[pc].encode(&mut bytes);
                let at = rng.below(bytes.len());
                bytes[at] = match rng.below(3) {
                    0 => rng.next() as u8,
                    1 => bytes[at].wrapping_add(1),
                    _ => bytes[at].wrapping_sub(1),
                };
                let mut pos = 0;
                if let Ok(instr) = Instr::decode(&bytes, &mut pos) {
                    function.code[pc] = instr;
                }
            }
            7 => {
                let register = rng.below(function.registers.len());
                function.registers[register] = rng.below(module.types.len()) as u32;
            }
            8 => {
                let a = rng.below(function.code.len());
                let b = rng.below(function.code.len());
                function.code.swap(a, b);
            }
            _ => {
                let index = rng.below(module.constants.len());
                module.constants[index] = match rng.below(3) {
                    0 => Constant::Int(rng.next() as i64),
                    1 => Constant::Float(f64::from_bits(rng.next())),
                    _ => Constant::Str("x\"\u{e9}".into()),
                };
            }
        }
    }
}

#[test]
fn verified_mutants_never_panic() {
    let base = seed();
    verify(&base).expect("the seed verifies");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut ran = 0;
    for round in 0..MUTANTS {
        let mut module = base.clone();
        mutate(&mut module, &mut rng);
        if verify(&module).is_err() {
            continue;
        }
        ran += 1;
        if std::env::var_os("FUZZ_TRACE").is_some() {
            eprintln!("mutant {round}");
            if std::env::var("FUZZ_TRACE").ok().as_deref() == Some(&round.to_string()) {
                for (func, (mutant, original)) in
                    module.functions.iter().zip(&base.functions).enumerate()
                {
                    for (pc, (a, b)) in mutant.code.iter().zip(&original.code).enumerate() {
                        if a != b {
                            eprintln!("f{func} @{pc}: {b} -> {a}");
                        }
                    }
                    if mutant.registers != original.registers {
                        eprintln!("f{func} registers {:?}", mutant.registers);
                    }
                }
                eprintln!("{:?}", module.constants);
            }
        }
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let config = VmConfig {
                max_steps: Some(500),
                max_depth: 200,
                args: Vec::new(),
                ..VmConfig::default()
            };
            let mut vm = Vm::with_config(config);
            vm.set_heap_limit(Some(1 << 20));
            vm.set_stdout(Box::new(Capture::default()));
            vm.set_stderr(Box::new(Capture::default()));
            vm.load_module(module.clone())
                .map(|()| vm.run().map(|_| ()))
        }));
        if outcome.is_err() {
            panic!("mutant {round} panicked:\n{module:#?}");
        }
    }
    assert!(ran > MUTANTS / 20, "only {ran} mutants verified");
}
