//! The built-in natives, registered by name and signature in [`NativeRegistry::with_builtins`].
//!
//! | name | signature |
//! | --- | --- |
//! | `print`, `eprint` | `(string) -> void` |
//! | `substr` | `(string, int, int) -> string` |
//! | `find` | `(string, string) -> int` |
//! | `split` | `(string, string) -> [string]` |
//! | `join` | `([string], string) -> string` |
//! | `to_fixed` | `(float, int) -> string` |
//! | `sqrt`, `floor`, `ceil`, `abs_float` | `(float) -> float` |
//! | `pow`, `min_float`, `max_float` | `(float, float) -> float` |
//! | `abs_int` | `(int) -> int` |
//! | `min_int`, `max_int` | `(int, int) -> int` |
//! | `clock` | `() -> float` |
//! | `now_ms` | `() -> int` |
//! | `args` | `() -> [string]` |
//! | `read_line` | `() -> ?string` |
//! | `read_file` | `(string) -> string` |
//! | `write_file` | `(string, string) -> void` |
//! | `env` | `(string) -> ?string` |
//! | `assert` | `(bool) -> void` |
//! | `assert_msg` | `(bool, string) -> void` |
//! | `panic` | `(string) -> void` |
//!
//! Semantics and error messages follow the project's language reference (`docs/language.md`).

use crate::error::Trap;
use crate::memory::{Text, format};

use super::registry::{NativeContext, NativeRegistry, NativeSignature, NativeType};

use NativeType::{Bool, Float, Int, Str, Void};

/// The result of a native: a register word or a runtime error.
type NativeResult = Result<u64, Trap>;

/// Registers every built-in native in `registry`.
pub fn register_builtins(registry: &mut NativeRegistry) {
    let strings = || NativeType::array(Str);
    registry.register("print", sig([Str], Void), print);
    registry.register("eprint", sig([Str], Void), eprint);
    registry.register("substr", sig([Str, Int, Int], Str), substr);
    registry.register("find", sig([Str, Str], Int), find);
    registry.register("split", sig([Str, Str], strings()), split);
    registry.register("join", sig([strings(), Str], Str), join);
    registry.register("to_fixed", sig([Float, Int], Str), to_fixed);
    registry.register("sqrt", sig([Float], Float), |_, args| {
        float1(args, f64::sqrt)
    });
    registry.register("floor", sig([Float], Float), |_, args| {
        float1(args, f64::floor)
    });
    registry.register("ceil", sig([Float], Float), |_, args| {
        float1(args, f64::ceil)
    });
    registry.register("abs_float", sig([Float], Float), |_, args| {
        float1(args, f64::abs)
    });
    registry.register("pow", sig([Float, Float], Float), |_, args| {
        float2(args, f64::powf)
    });
    registry.register("min_float", sig([Float, Float], Float), |_, args| {
        float2(args, f64::min)
    });
    registry.register("max_float", sig([Float, Float], Float), |_, args| {
        float2(args, f64::max)
    });
    registry.register("abs_int", sig([Int], Int), |_, args| {
        int1(args, i64::wrapping_abs)
    });
    registry.register("min_int", sig([Int, Int], Int), |_, args| {
        int2(args, i64::min)
    });
    registry.register("max_int", sig([Int, Int], Int), |_, args| {
        int2(args, i64::max)
    });
    registry.register("clock", sig([], Float), |ctx, _| {
        Ok(ctx.sys.clock()?.to_bits())
    });
    registry.register(
        "now_ms",
        sig([], Int),
        |ctx, _| Ok(ctx.sys.now_ms()? as u64),
    );
    registry.register("args", sig([], strings()), program_args);
    registry.register("read_line", sig([], NativeType::nullable(Str)), read_line);
    registry.register("read_file", sig([Str], Str), read_file);
    registry.register("write_file", sig([Str, Str], Void), write_file);
    registry.register("env", sig([Str], NativeType::nullable(Str)), env);
    registry.register("assert", sig([Bool], Void), assert);
    registry.register("assert_msg", sig([Bool, Str], Void), assert_msg);
    registry.register("panic", sig([Str], Void), panic);
}

/// A signature from a parameter array.
fn sig<const N: usize>(params: [NativeType; N], ret: NativeType) -> NativeSignature {
    NativeSignature::new(params, ret)
}

#[cold]
fn arity() -> Trap {
    Trap::internal("native called with the wrong number of arguments")
}

fn float1(args: &[u64], op: fn(f64) -> f64) -> NativeResult {
    let &[x] = args else { return Err(arity()) };
    Ok(op(f64::from_bits(x)).to_bits())
}

fn float2(args: &[u64], op: fn(f64, f64) -> f64) -> NativeResult {
    let &[x, y] = args else { return Err(arity()) };
    Ok(op(f64::from_bits(x), f64::from_bits(y)).to_bits())
}

fn int1(args: &[u64], op: fn(i64) -> i64) -> NativeResult {
    let &[x] = args else { return Err(arity()) };
    Ok(op(x as i64) as u64)
}

fn int2(args: &[u64], op: fn(i64, i64) -> i64) -> NativeResult {
    let &[x, y] = args else { return Err(arity()) };
    Ok(op(x as i64, y as i64) as u64)
}

fn write_line(ctx: &mut NativeContext<'_>, text: u64, to_stderr: bool) -> NativeResult {
    let text = ctx.heap.str(text)?;
    if to_stderr {
        let mut line = String::with_capacity(text.len() + 1);
        line.push_str(text);
        line.push('\n');
        ctx.sys.write_stderr(line.as_bytes())?;
    } else {
        ctx.sys.write_stdout(text.as_bytes())?;
        ctx.sys.write_stdout(b"\n")?;
    }
    Ok(0)
}

/// `print(text)`: the text and a newline on stdout.
fn print(ctx: &mut NativeContext<'_>, args: &[u64]) -> NativeResult {
    let &[text] = args else { return Err(arity()) };
    write_line(ctx, text, false)
}

/// `eprint(text)`: the text and a newline on stderr.
fn eprint(ctx: &mut NativeContext<'_>, args: &[u64]) -> NativeResult {
    let &[text] = args else { return Err(arity()) };
    write_line(ctx, text, true)
}

/// `substr(s, start, end)`: bytes `start..end` of `s`.
fn substr(ctx: &mut NativeContext<'_>, args: &[u64]) -> NativeResult {
    let &[text, start, end] = args else {
        return Err(arity());
    };
    let text = ctx.heap.str(text)?;
    let (start, end) = (start as i64, end as i64);
    let length = text.len();
    let in_range = |offset: i64| {
        usize::try_from(offset)
            .ok()
            .filter(|&offset| offset <= length)
    };
    let Some(from) = in_range(start) else {
        return Err(Trap::index_out_of_bounds(start, length));
    };
    let Some(to) = in_range(end).filter(|&to| to >= from) else {
        return Err(Trap::index_out_of_bounds(end, length));
    };
    for offset in [from, to] {
        if !text.is_char_boundary(offset) {
            return Err(Trap::invalid_argument(format_args!(
                "byte {offset} is inside a character"
            )));
        }
    }
    let part = Text::new(text.get(from..to).unwrap_or_default());
    Ok(ctx.heap.alloc_str(part))
}

/// `find(s, needle)`: byte offset of the first occurrence, or -1.
fn find(ctx: &mut NativeContext<'_>, args: &[u64]) -> NativeResult {
    let &[text, needle] = args else {
        return Err(arity());
    };
    let found = ctx.heap.str(text)?.find(ctx.heap.str(needle)?);
    Ok(found.map_or(-1, |offset| offset as i64) as u64)
}

/// `split(s, sep)`: the parts between occurrences of `sep`; characters when `sep` is empty.
fn split(ctx: &mut NativeContext<'_>, args: &[u64]) -> NativeResult {
    let &[text, separator] = args else {
        return Err(arity());
    };
    let text = ctx.heap.str(text)?;
    let separator = ctx.heap.str(separator)?;
    let parts: Vec<Text> = if separator.is_empty() {
        text.char_indices()
            .map(|(index, c)| Text::new(&text[index..index + c.len_utf8()]))
            .collect()
    } else {
        text.split(separator).map(Text::new).collect()
    };
    let items = parts
        .into_iter()
        .map(|part| ctx.heap.alloc_str(part))
        .collect();
    ctx.alloc_return_array(items)
}

/// `join(parts, sep)`.
fn join(ctx: &mut NativeContext<'_>, args: &[u64]) -> NativeResult {
    let &[parts, separator] = args else {
        return Err(arity());
    };
    let heap = &*ctx.heap;
    let separator = heap.str(separator)?;
    let mut out = String::new();
    for (index, &part) in heap.array(parts)?.items.iter().enumerate() {
        if index > 0 {
            out.push_str(separator);
        }
        out.push_str(heap.str(part)?);
    }
    Ok(ctx.heap.alloc_string(out))
}

/// `to_fixed(x, digits)`.
fn to_fixed(ctx: &mut NativeContext<'_>, args: &[u64]) -> NativeResult {
    let &[x, digits] = args else {
        return Err(arity());
    };
    let digits = digits as i64;
    let Some(digits) = u32::try_from(digits).ok().filter(|&digits| digits <= 20) else {
        return Err(Trap::invalid_argument(format_args!(
            "to_fixed digits must be in 0..=20, got {digits}"
        )));
    };
    Ok(ctx
        .heap
        .alloc_string(format::to_fixed(f64::from_bits(x), digits)))
}

/// `args()`: the program's arguments.
fn program_args(ctx: &mut NativeContext<'_>, _: &[u64]) -> NativeResult {
    let texts: Vec<Text> = ctx.sys.args()?.iter().map(Text::new).collect();
    let items = texts
        .into_iter()
        .map(|text| ctx.heap.alloc_str(text))
        .collect();
    ctx.alloc_return_array(items)
}

/// `read_line()`: the next stdin line, or null at the end of input.
fn read_line(ctx: &mut NativeContext<'_>, _: &[u64]) -> NativeResult {
    Ok(match ctx.sys.read_line()? {
        Some(line) => ctx.heap.alloc_string(line),
        None => 0,
    })
}

/// `assert(c)`.
fn assert(_: &mut NativeContext<'_>, args: &[u64]) -> NativeResult {
    let &[condition] = args else {
        return Err(arity());
    };
    if condition == 0 {
        return Err(Trap::new("assertion failed"));
    }
    Ok(0)
}

/// `assert(c, msg)`.
fn assert_msg(ctx: &mut NativeContext<'_>, args: &[u64]) -> NativeResult {
    let &[condition, message] = args else {
        return Err(arity());
    };
    if condition == 0 {
        return Err(Trap::new(format!(
            "assertion failed: {}",
            ctx.heap.str(message)?
        )));
    }
    Ok(0)
}

/// `panic(msg)`.
fn panic(ctx: &mut NativeContext<'_>, args: &[u64]) -> NativeResult {
    let &[message] = args else {
        return Err(arity());
    };
    Err(Trap::new(ctx.heap.str(message)?))
}

/// `read_file(path)`, through the sandbox.
fn read_file(ctx: &mut NativeContext<'_>, args: &[u64]) -> NativeResult {
    let &[path] = args else { return Err(arity()) };
    let path = ctx.heap.str(path)?.to_string();
    let text = ctx.sys.read_file(&path)?;
    ctx.heap.check_alloc(text.len())?;
    Ok(ctx.alloc_string(text))
}

/// `write_file(path, text)`, through the sandbox.
fn write_file(ctx: &mut NativeContext<'_>, args: &[u64]) -> NativeResult {
    let &[path, text] = args else {
        return Err(arity());
    };
    let path = ctx.heap.str(path)?;
    let text = ctx.heap.str(text)?;
    ctx.sys.write_file(path, text)?;
    Ok(0)
}

/// `env(name)`, through the sandbox: the value or null.
fn env(ctx: &mut NativeContext<'_>, args: &[u64]) -> NativeResult {
    let &[name] = args else { return Err(arity()) };
    let name = ctx.heap.str(name)?.to_string();
    match ctx.sys.env(&name)? {
        Some(value) => {
            ctx.heap.check_alloc(value.len())?;
            Ok(ctx.alloc_string(value))
        }
        None => Ok(0),
    }
}
