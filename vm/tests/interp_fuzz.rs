//! Robustness: modules mutated at random that still pass the verifier must run to an outcome (a
//! result or a runtime error), never a panic.
//!
//! Mutations flip bytes of encoded instructions, retype registers, swap instructions and replace
//! constants of a seed program that exercises most kinds of instructions; each mutant that verifies
//! runs under a step, depth and heap limit. The generator is a fixed-seed xorshift, so failures
//! reproduce (`FUZZ_TRACE=1` lists the mutants run, `FUZZ_TRACE=N` also shows mutant N's changes).

mod interp_common;

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
    let code = vec![
        /* 0 */ Instr::LoadInt { dst: 0, value: 0 },
        /* 1 */ Instr::LoadInt { dst: 1, value: 5 },
        /* 2 */ Instr::LoadConst {
            dst: 6,
            index: k_text,
        },
        /* 3 */ Instr::LoadConst {
            dst: 7,
            index: k_comma,
        },
        /* 4 */
        Instr::CallNative {
            native: split,
            args: 6,
            dst: 8,
        },
        /* 5 */ Instr::SetGlobal { global, src: 8 },
        /* 6 */
        Instr::NewArray {
            dst: 9,
            first: 0,
            count: 2,
        },
        /* 7 */ Instr::NewMap { dst: 10 },
        /* 8 */ Instr::LoadConst {
            dst: 3,
            index: k_float,
        },
        /* 9 */ Instr::NewForm { dst: 11, first: 3 },
        /* 10 */
        Instr::JumpIfNotLtI {
            a: 0,
            b: 1,
            target: 32,
        },
        /* 11 */ Instr::IntToStr { dst: 7, src: 0 },
        /* 12 */ Instr::Concat { dst: 6, a: 6, b: 7 },
        /* 13 */
        Instr::MapSet {
            map: 10,
            key: 6,
            src: 0,
        },
        /* 14 */ Instr::ArrayPush { array: 9, src: 0 },
        /* 15 */
        Instr::ArrayGet {
            dst: 2,
            array: 9,
            index: 0,
        },
        /* 16 */
        Instr::MapGetOr {
            dst: 2,
            map: 10,
            key: 7,
            default: 1,
        },
        /* 17 */
        Instr::NewPick {
            dst: 12,
            case: 1,
            first: 6,
        },
        /* 18 */ Instr::PickTag { dst: 2, pick: 12 },
        /* 19 */
        Instr::PickField {
            dst: 7,
            pick: 12,
            case: 1,
            field: 0,
        },
        /* 20 */
        Instr::GetField {
            dst: 4,
            object: 11,
            field: 0,
        },
        /* 21 */ Instr::AddF { dst: 4, a: 4, b: 3 },
        /* 22 */
        Instr::SetField {
            object: 11,
            field: 1,
            src: 4,
        },
        /* 23 */
        Instr::Call {
            func: 1,
            args: 0,
            dst: 2,
        },
        /* 24 */ Instr::RefToStr { dst: 15, src: 10 },
        /* 25 */ Instr::StrLen { dst: 14, src: 15 },
        /* 26 */ Instr::Move { dst: 16, src: 15 },
        /* 27 */ Instr::LoadInt { dst: 17, value: 0 },
        /* 28 */ Instr::LoadInt { dst: 18, value: 1 },
        /* 29 */
        Instr::CallNative {
            native: substr,
            args: 16,
            dst: 15,
        },
        /* 30 */
        Instr::AddIImm {
            dst: 0,
            a: 0,
            imm: 1,
        },
        /* 31 */ Instr::Jump { target: 10 },
        /* 32 */ Instr::RefToStr { dst: 15, src: 11 },
        /* 33 */
        Instr::CallNative {
            native: print,
            args: 15,
            dst: 15,
        },
        /* 34 */ Instr::MapKeys { dst: 8, map: 10 },
        /* 35 */ Instr::ArrayLen { dst: 2, array: 8 },
        /* 36 */ Instr::LoadNull { dst: 13 },
        /* 37 */ Instr::EqS {
            dst: 5,
            a: 13,
            b: 6,
        },
        /* 38 */ Instr::LoadConst {
            dst: 0,
            index: k_big,
        },
        /* 39 */ Instr::DivI { dst: 0, a: 0, b: 1 },
        /* 40 */
        Instr::MapRemove {
            dst: 5,
            map: 10,
            key: 6,
        },
        /* 41 */ Instr::ArrayPop { dst: 2, array: 9 },
        /* 42 */ Instr::RetVoid {},
    ];
    b.main(void, &registers, code);
    // f(n) = n <= 0 ? 0 : f(n - 1) + 1
    b.function(
        "f",
        1,
        int,
        &[int, int, bool],
        vec![
            Instr::LoadInt { dst: 1, value: 0 },
            Instr::LeI { dst: 2, a: 0, b: 1 },
            Instr::JumpIfNot { cond: 2, target: 4 },
            Instr::Ret { src: 1 },
            Instr::AddIImm {
                dst: 1,
                a: 0,
                imm: -1,
            },
            Instr::Call {
                func: 1,
                args: 1,
                dst: 1,
            },
            Instr::AddIImm {
                dst: 1,
                a: 1,
                imm: 1,
            },
            Instr::Ret { src: 1 },
        ],
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
