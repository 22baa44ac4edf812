//! Interpreter tests: the collector under churn. Garbage is allocated in loops while live values sit
//! in registers, globals, arrays, maps, forms and picks; the live set must stay bounded and every live
//! value must survive intact. Run with `--features stress_gc` to collect at every safe point.

use crate::interp_common::{Builder, run};
use vitte_vm::bytecode::Constant;

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
        format!(
            "
            0000  load.int r0, 0
            0001  load.const r1, k{k_rounds}
            0002  load.const r3, k{k_prefix}
            0003  array.new r4, r0, 0
            0004  global.set g{kept_list}, r4
            0005  map.new r5
            0006  jump.ifnot.lt.i r0, r1, @16
            0007  int.to.str r2, r0
            0008  concat r2, r3, r2
            0009  load.int r7, 100
            0010  rem.i r7, r0, r7
            0011  load.int r6, 0
            0012  jump.ifnot.le.i r7, r6, @15
            0013  array.push r4, r2
            0014  map.set r5, r2, r0
            0015  add.i.imm r0, r0, 1
            0016  jump.ifnot.lt.i r0, r1, @18
            0017  jump @7
            0018  global.get r4, g{kept_list}
            0019  array.len r6, r4
            0020  int.to.str r2, r6
            0021  call.native n{print}, r2, r2
            0022  add.i.imm r6, r6, -1
            0023  array.get r2, r4, r6
            0024  call.native n{print}, r2, r2
            0025  map.get r7, r5, r2
            0026  int.to.str r2, r7
            0027  call.native n{print}, r2, r2
            0028  map.len r7, r5
            0029  int.to.str r2, r7
            0030  call.native n{print}, r2, r2
            0031  ret.void
        "
        ),
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
        format!(
            "
            0000  load.int r0, 0
            0001  load.int r1, 1000
            0002  load.null r4
            0003  jump.ifnot.lt.i r0, r1, @9
            0004  move r2, r0
            0005  move r3, r4
            0006  form.new r4, r2
            0007  add.i.imm r0, r0, 1
            0008  jump @3
            0009  load.int r0, 0
            0010  load.const r1, k{k_rounds}
            0011  jump.ifnot.lt.i r0, r1, @18
            0012  move r2, r0
            0013  load.null r3
            0014  form.new r6, r2
            0015  int.to.str r7, r0
            0016  add.i.imm r0, r0, 1
            0017  jump @11
            0018  load.int r5, 0
            0019  load.null r3
            0020  eq.ref r8, r4, r3
            0021  jump.if r8, @26
            0022  form.get r2, r4, 0
            0023  add.i r5, r5, r2
            0024  form.get r4, r4, 1
            0025  jump @20
            0026  ret r5
        "
        ),
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
        format!(
            "
            0000  load.const r2, k{k_name}
            0001  int.to.str r2, r0
            0002  concat r2, r2, r2
            0003  pick.new r3, 0, r2
            0004  array.new r4, r3, 1
            0005  pick.new r3, 1, r0
            0006  array.push r4, r3
            0007  map.new r6
            0008  array.new r5, r2, 1
            0009  map.set r6, r0, r5
            0010  load.int r0, 0
            0011  load.const r1, k{k_rounds}
            0012  jump.ifnot.lt.i r0, r1, @19
            0013  int.to.str r2, r0
            0014  pick.new r3, 0, r2
            0015  array.new r5, r2, 1
            0016  array.push r5, r2
            0017  add.i.imm r0, r0, 1
            0018  jump @12
            0019  ref.to.str r7, r4
            0020  call.native n{print}, r7, r7
            0021  ref.to.str r7, r6
            0022  call.native n{print}, r7, r7
            0023  ret.void
        "
        ),
    );
    let outcome = run(b.build());
    outcome.code();
    assert_eq!(outcome.stdout, "[Name(\"00\"), Anon]\n{0: [\"00\"]}\n");
}
