//! Interpreter tests: the collector under churn. Garbage is allocated in loops while live values sit
//! in registers, globals, arrays, maps, forms and picks; the live set must stay bounded and every live
//! value must survive intact. Run with `--features stress_gc` to collect at every safe point.

mod interp_common;

use interp_common::{Builder, run};
use vitte_vm::bytecode::{Constant, Instr};

/// How many loop iterations the churn tests run (fewer when every allocation collects).
const ROUNDS: i32 = if cfg!(feature = "stress_gc") {
    3_000
} else {
    200_000
};

#[test]
fn garbage_is_collected_and_live_values_survive() {
    let mut b = Builder::new();
    let (int, string, void) = (b.int(), b.string(), b.void());
    let strings = b.array(string);
    let counts = b.map(string, int);
    let print = b.print();
    let kept_list = b.global("kept", strings);
    let k_prefix = b.str_const("item-");
    let k_rounds = b.constant(Constant::Int(i64::from(ROUNDS)));
    // r0 i, r1 rounds, r2 text, r3 prefix, r4 kept array, r5 map, r6 count, r7 tmp int, r8 join sep
    b.main(
        void,
        &[int, int, string, string, strings, counts, int, int, string],
        vec![
            /* 0 */ Instr::LoadInt { dst: 0, value: 0 },
            /* 1 */
            Instr::LoadConst {
                dst: 1,
                index: k_rounds,
            },
            /* 2 */
            Instr::LoadConst {
                dst: 3,
                index: k_prefix,
            },
            /* 3 */
            Instr::NewArray {
                dst: 4,
                first: 0,
                count: 0,
            },
            /* 4 */
            Instr::SetGlobal {
                global: kept_list,
                src: 4,
            },
            /* 5 */ Instr::NewMap { dst: 5 },
            // loop: text = prefix + str(i)  (garbage unless kept)
            /* 6 */
            Instr::JumpIfNotLtI {
                a: 0,
                b: 1,
                target: 16,
            },
            /* 7 */ Instr::IntToStr { dst: 2, src: 0 },
            /* 8 */ Instr::Concat { dst: 2, a: 3, b: 2 },
            /* 9 */ Instr::LoadInt { dst: 7, value: 100 },
            /* 10 */ Instr::RemI { dst: 7, a: 0, b: 7 },
            /* 11 */ Instr::LoadInt { dst: 6, value: 0 },
            // keep every 100th string in the global array and count it in the map
            /* 12 */
            Instr::JumpIfNotLeI {
                a: 7,
                b: 6,
                target: 15,
            },
            /* 13 */ Instr::ArrayPush { array: 4, src: 2 },
            /* 14 */
            Instr::MapSet {
                map: 5,
                key: 2,
                src: 0,
            },
            /* 15 */
            Instr::AddIImm {
                dst: 0,
                a: 0,
                imm: 1,
            },
            // back edge
            /* 16 */
            Instr::JumpIfNotLtI {
                a: 0,
                b: 1,
                target: 18,
            },
            /* 17 */ Instr::Jump { target: 7 },
            // print len(kept), kept[last], len(map)
            /* 18 */
            Instr::GetGlobal {
                dst: 4,
                global: kept_list,
            },
            /* 19 */ Instr::ArrayLen { dst: 6, array: 4 },
            /* 20 */ Instr::IntToStr { dst: 2, src: 6 },
            /* 21 */
            Instr::CallNative {
                native: print,
                args: 2,
                dst: 2,
            },
            /* 22 */
            Instr::AddIImm {
                dst: 6,
                a: 6,
                imm: -1,
            },
            /* 23 */
            Instr::ArrayGet {
                dst: 2,
                array: 4,
                index: 6,
            },
            /* 24 */
            Instr::CallNative {
                native: print,
                args: 2,
                dst: 2,
            },
            /* 25 */
            Instr::MapGet {
                dst: 7,
                map: 5,
                key: 2,
            },
            /* 26 */ Instr::IntToStr { dst: 2, src: 7 },
            /* 27 */
            Instr::CallNative {
                native: print,
                args: 2,
                dst: 2,
            },
            /* 28 */ Instr::MapLen { dst: 7, map: 5 },
            /* 29 */ Instr::IntToStr { dst: 2, src: 7 },
            /* 30 */
            Instr::CallNative {
                native: print,
                args: 2,
                dst: 2,
            },
            /* 31 */ Instr::RetVoid {},
        ],
    );
    let mut outcome = run(b.build());
    let kept = ROUNDS / 100;
    let last = (kept - 1) * 100;
    assert_eq!(
        outcome.stdout,
        format!("{kept}\nitem-{last}\n{last}\n{kept}\n")
    );
    let stats = outcome.vm.heap_stats();
    assert!(stats.collections > 0, "{stats:?}");
    // Three strings per round were allocated; far fewer may remain.
    assert!(stats.slots < (ROUNDS as usize) * 3 / 2, "{stats:?}");
    // After the run only the global array and its strings are live, plus the interned strings
    // (the constant "item-", and "true", "false", "null").
    outcome.vm.collect_garbage();
    assert_eq!(outcome.vm.heap_stats().objects, 1 + kept as usize + 4);
}

#[test]
fn a_linked_list_of_forms_survives_churn() {
    // form Node { value: int, next: ?Node }; build a list of 1000 nodes, churn garbage nodes and
    // strings, then sum the list.
    let mut b = Builder::new();
    let (int, bool, string) = (b.int(), b.bool(), b.string());
    let node = b.form("Node", &[("value", int), ("next", int)]);
    let nullable = b.nullable(node);
    b.module.forms[0].fields[1].ty = nullable;
    let k_rounds = b.constant(Constant::Int(i64::from(ROUNDS)));
    // r0 i, r1 limit, r2 value, r3 next, r4 head, r5 sum, r6 garbage node, r7 string, r8 bool
    b.main(
        int,
        &[int, int, int, nullable, nullable, int, node, string, bool],
        vec![
            /* 0 */ Instr::LoadInt { dst: 0, value: 0 },
            /* 1 */
            Instr::LoadInt {
                dst: 1,
                value: 1000,
            },
            /* 2 */ Instr::LoadNull { dst: 4 },
            // build: head = Node { value: i, next: head }
            /* 3 */
            Instr::JumpIfNotLtI {
                a: 0,
                b: 1,
                target: 9,
            },
            /* 4 */ Instr::Move { dst: 2, src: 0 },
            /* 5 */ Instr::Move { dst: 3, src: 4 },
            /* 6 */ Instr::NewForm { dst: 4, first: 2 },
            /* 7 */
            Instr::AddIImm {
                dst: 0,
                a: 0,
                imm: 1,
            },
            /* 8 */ Instr::Jump { target: 3 },
            // churn: a garbage node and a garbage string per round
            /* 9 */
            Instr::LoadInt { dst: 0, value: 0 },
            /* 10 */
            Instr::LoadConst {
                dst: 1,
                index: k_rounds,
            },
            /* 11 */
            Instr::JumpIfNotLtI {
                a: 0,
                b: 1,
                target: 18,
            },
            /* 12 */ Instr::Move { dst: 2, src: 0 },
            /* 13 */ Instr::LoadNull { dst: 3 },
            /* 14 */ Instr::NewForm { dst: 6, first: 2 },
            /* 15 */ Instr::IntToStr { dst: 7, src: 0 },
            /* 16 */
            Instr::AddIImm {
                dst: 0,
                a: 0,
                imm: 1,
            },
            /* 17 */ Instr::Jump { target: 11 },
            // sum: while head != null { sum += head.value; head = head.next }
            /* 18 */
            Instr::LoadInt { dst: 5, value: 0 },
            /* 19 */ Instr::LoadNull { dst: 3 },
            /* 20 */ Instr::EqRef { dst: 8, a: 4, b: 3 },
            /* 21 */
            Instr::JumpIf {
                cond: 8,
                target: 26,
            },
            /* 22 */
            Instr::GetField {
                dst: 2,
                object: 4,
                field: 0,
            },
            /* 23 */ Instr::AddI { dst: 5, a: 5, b: 2 },
            /* 24 */
            Instr::GetField {
                dst: 4,
                object: 4,
                field: 1,
            },
            /* 25 */ Instr::Jump { target: 20 },
            /* 26 */ Instr::Ret { src: 5 },
        ],
    );
    let outcome = run(b.build());
    assert_eq!(outcome.code(), 499_500);
    let stats = outcome.vm.heap_stats();
    assert!(stats.collections > 0, "{stats:?}");
    assert!(stats.slots < (ROUNDS as usize), "{stats:?}");
}

#[test]
fn picks_maps_and_nested_arrays_survive_churn() {
    // pick Tag { case Name(text: string), case Anon }; kept: [Tag]; map int -> [string]
    let mut b = Builder::new();
    let (int, string, void) = (b.int(), b.string(), b.void());
    let tag = b.pick("Tag", &[("Name", &[("text", string)]), ("Anon", &[])]);
    let tags = b.array(tag);
    let strings = b.array(string);
    let by_int = b.map(int, strings);
    let print = b.print();
    let k_rounds = b.constant(Constant::Int(i64::from(ROUNDS)));
    let k_name = b.str_const("ada");
    // r0 i, r1 limit, r2 text, r3 tag, r4 tags, r5 strings, r6 map, r7 out
    b.main(
        void,
        &[int, int, string, tag, tags, strings, by_int, string],
        vec![
            /* 0 */
            Instr::LoadConst {
                dst: 2,
                index: k_name,
            },
            /* 1 */ Instr::IntToStr { dst: 2, src: 0 },
            /* 2 */ Instr::Concat { dst: 2, a: 2, b: 2 },
            /* 3 */
            Instr::NewPick {
                dst: 3,
                case: 0,
                first: 2,
            },
            /* 4 */
            Instr::NewArray {
                dst: 4,
                first: 3,
                count: 1,
            },
            /* 5 */
            Instr::NewPick {
                dst: 3,
                case: 1,
                first: 0,
            },
            /* 6 */ Instr::ArrayPush { array: 4, src: 3 },
            /* 7 */ Instr::NewMap { dst: 6 },
            /* 8 */
            Instr::NewArray {
                dst: 5,
                first: 2,
                count: 1,
            },
            /* 9 */
            Instr::MapSet {
                map: 6,
                key: 0,
                src: 5,
            },
            // churn: strings, arrays and picks that die at once
            /* 10 */
            Instr::LoadInt { dst: 0, value: 0 },
            /* 11 */
            Instr::LoadConst {
                dst: 1,
                index: k_rounds,
            },
            /* 12 */
            Instr::JumpIfNotLtI {
                a: 0,
                b: 1,
                target: 19,
            },
            /* 13 */ Instr::IntToStr { dst: 2, src: 0 },
            /* 14 */
            Instr::NewPick {
                dst: 3,
                case: 0,
                first: 2,
            },
            /* 15 */
            Instr::NewArray {
                dst: 5,
                first: 2,
                count: 1,
            },
            /* 16 */ Instr::ArrayPush { array: 5, src: 2 },
            /* 17 */
            Instr::AddIImm {
                dst: 0,
                a: 0,
                imm: 1,
            },
            /* 18 */ Instr::Jump { target: 12 },
            /* 19 */ Instr::RefToStr { dst: 7, src: 4 },
            /* 20 */
            Instr::CallNative {
                native: print,
                args: 7,
                dst: 7,
            },
            /* 21 */ Instr::RefToStr { dst: 7, src: 6 },
            /* 22 */
            Instr::CallNative {
                native: print,
                args: 7,
                dst: 7,
            },
            /* 23 */ Instr::RetVoid {},
        ],
    );
    let outcome = run(b.build());
    outcome.code();
    assert_eq!(outcome.stdout, "[Name(\"00\"), Anon]\n{0: [\"00\"]}\n");
}
