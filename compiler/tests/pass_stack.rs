//! Where the checker and code generator run: a program whose tree is shallow (its
//! `TreeDepth::walk_bound` within the driver's bound for the caller's stack) is compiled on the
//! caller's thread, so it must compile on the 2 MiB stack of an ordinary thread, in a debug build too;
//! deeper programs get a thread of their own and compile on the same small stack.

use crate::check_support::compile;
use vitte_compiler::driver::CALLER_STACK_WALK_BOUND;
use vitte_compiler::parser::parse_file;
use vitte_compiler::source::FileId;

/// A program nesting or chaining one construct `n` times.
type Shape = fn(usize) -> String;

/// Programs that nest one construct `n` times, in every way the parser counts as nesting or chaining.
/// Some do not type-check; the checker still walks all of them.
const SHAPES: &[(&str, Shape)] = &[
    ("parentheses", |n| {
        format!(
            "proc main() {{ let x = {}1{}; print(x); }}",
            "(".repeat(n),
            ")".repeat(n)
        )
    }),
    ("blocks", |n| {
        format!("proc main() {}{}", "{".repeat(n), "}".repeat(n))
    }),
    ("ifs", |n| {
        format!(
            "proc main() {{ let x = true; {}print(1);{} }}",
            "if x { ".repeat(n),
            "}".repeat(n)
        )
    }),
    ("negations", |n| {
        format!("proc main() {{ let x = {}1; print(x); }}", "-".repeat(n))
    }),
    ("arrays", |n| {
        format!(
            "proc main() {{ let x = {}1{}; print(x); }}",
            "[".repeat(n),
            "]".repeat(n)
        )
    }),
    ("array types", |n| {
        format!(
            "proc main() {{ let x: {}int{} = []; print(x); }}",
            "[".repeat(n),
            "]".repeat(n)
        )
    }),
    ("field chain", |n| {
        format!("proc main() {{ let x = a{}; }}", ".b".repeat(n))
    }),
    ("operator chain", |n| {
        format!("proc main() {{ let x = 1{}; print(x); }}", "+1".repeat(n))
    }),
    ("calls", |n| {
        format!(
            "proc f(x: int) -> int {{ give x; }}\nproc main() {{ print({}1{}); }}",
            "f(".repeat(n),
            ")".repeat(n)
        )
    }),
    ("matches", |n| {
        format!(
            "proc main() {{ let x = 1; let y = {}1{}; print(y); }}",
            "match x { case 1 => ".repeat(n),
            "; case _ => 0; }".repeat(n)
        )
    }),
    ("chains of nested chains", |n| {
        let mut text = String::from("1");
        for _ in 0..n {
            text = format!("({text}{})", " + 1".repeat(n));
        }
        format!("proc main() {{ let x = {text}; print(x); }}")
    }),
];

/// The walk bound of `text`'s tree.
fn walk_bound(text: &str) -> u64 {
    parse_file(FileId(0), text).0.depth.walk_bound()
}

/// The largest `n` for which `shape(n)` is still within `bound` and within the parser's limits.
fn deepest_within(shape: Shape, bound: u64) -> usize {
    let fits = |n: usize| {
        let (file, diagnostics) = parse_file(FileId(0), &shape(n));
        file.depth.walk_bound() <= bound
            && diagnostics
                .iter()
                .all(|d| !d.message.contains("too deeply") && !d.message.contains("too long"))
    };
    assert!(fits(1), "even one level is too deep");
    let mut n = 1;
    while fits(n + 1) {
        n += 1;
    }
    n
}

/// Compiles `text` on a thread with the 2 MiB stack a spawned thread gets by default; the
/// compilation's errors, if any.
fn compile_on_small_stack(text: String) -> Vec<String> {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            compile(&text)
                .diagnostics
                .iter()
                .map(|d| d.message.clone())
                .collect()
        })
        .expect("thread starts")
        .join()
        .expect("no panic")
}

#[test]
fn shallow_programs_compile_on_a_small_stack() {
    for (name, shape) in SHAPES {
        let n = deepest_within(*shape, CALLER_STACK_WALK_BOUND);
        let text = shape(n);
        let errors = compile_on_small_stack(text);
        assert!(
            errors.iter().all(|e| !e.contains("too deeply")),
            "{name} ×{n}: {errors:?}"
        );
    }
}

#[test]
fn deeper_programs_also_compile_on_a_small_stack() {
    for (name, shape) in SHAPES {
        let n = deepest_within(*shape, CALLER_STACK_WALK_BOUND * 16);
        let errors = compile_on_small_stack(shape(n));
        assert!(
            errors.iter().all(|e| !e.contains("too deeply")),
            "{name} ×{n}: {errors:?}"
        );
    }
}

#[test]
fn valid_shapes_compile_without_errors() {
    // `a.b.b…` names no variable: the checker reports that and still walks the chain.
    for (name, shape) in SHAPES.iter().filter(|(name, _)| *name != "field chain") {
        let errors = compile_on_small_stack(shape(3));
        assert!(errors.is_empty(), "{name}: {errors:?}");
    }
}

#[test]
fn the_walk_bound_grows_with_nesting_and_chains() {
    let empty = walk_bound("proc main() {}");
    assert!(empty <= 4, "{empty}");
    assert!(walk_bound("proc main() { let x = ((((1)))); }") > empty);
    assert!(walk_bound("proc main() { let x = 1 + 2 + 3 + 4; }") > empty);
}
