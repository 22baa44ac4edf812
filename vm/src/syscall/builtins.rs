//! The built-in natives, registered by name and signature in [`NativeRegistry::with_builtins`].
//! Each one moves values between registers, the heap and the host; what it computes is the rule of
//! [`crate::semantics`].
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
use crate::memory::Text;
use crate::semantics::{arith, convert, strings};

use super::registry::{NativeContext, NativeRegistry, NativeSignature, NativeType};

use NativeType::{Bool, Float, Int, Str, Void};

/// The result of a native: a register word or a runtime error.
type NativeResult = Result<u64, Trap>;

impl NativeRegistry {
    /// A registry with every built-in function.
    pub fn with_builtins() -> NativeRegistry {
        let mut registry = NativeRegistry::empty();
        register_builtins(&mut registry);
        registry
    }
}

/// Registers every built-in native in `registry`, as built-ins (not host functions).
fn register_builtins(registry: &mut NativeRegistry) {
    let strings = || NativeType::array(Str);
    registry.register_builtin("print", sig([Str], Void), print);
    registry.register_builtin("eprint", sig([Str], Void), eprint);
    registry.register_builtin("substr", sig([Str, Int, Int], Str), substr);
    registry.register_builtin("find", sig([Str, Str], Int), find);
    registry.register_builtin("split", sig([Str, Str], strings()), split);
    registry.register_builtin("join", sig([strings(), Str], Str), join);
    registry.register_builtin("to_fixed", sig([Float, Int], Str), to_fixed);
    register_float_function(registry, "sqrt", arith::sqrt);
    register_float_function(registry, "floor", arith::floor);
    register_float_function(registry, "ceil", arith::ceil);
    register_float_function(registry, "abs_float", arith::abs_float);
    register_float_pair_function(registry, "pow", arith::pow);
    register_float_pair_function(registry, "min_float", arith::min_float);
    register_float_pair_function(registry, "max_float", arith::max_float);
    registry.register_builtin("abs_int", sig([Int], Int), |_, args| {
        let &[x] = args else { return Err(arity()) };
        Ok(arith::abs_int(x as i64) as u64)
    });
    register_int_pair_function(registry, "min_int", arith::min_int);
    register_int_pair_function(registry, "max_int", arith::max_int);
    registry.register_builtin("clock", sig([], Float), |ctx, _| {
        Ok(ctx.sys.clock()?.to_bits())
    });
    registry.register_builtin(
        "now_ms",
        sig([], Int),
        |ctx, _| Ok(ctx.sys.now_ms()? as u64),
    );
    registry.register_builtin("args", sig([], strings()), program_args);
    registry.register_builtin("read_line", sig([], NativeType::nullable(Str)), read_line);
    registry.register_builtin("read_file", sig([Str], Str), read_file);
    registry.register_builtin("write_file", sig([Str, Str], Void), write_file);
    registry.register_builtin("env", sig([Str], NativeType::nullable(Str)), env);
    registry.register_builtin("assert", sig([Bool], Void), assert);
    registry.register_builtin("assert_msg", sig([Bool, Str], Void), assert_msg);
    registry.register_builtin("panic", sig([Str], Void), panic);
}

/// A signature from a parameter array.
fn sig<const N: usize>(params: [NativeType; N], ret: NativeType) -> NativeSignature {
    NativeSignature::new(params, ret)
}

#[cold]
fn arity() -> Trap {
    Trap::internal("native called with the wrong number of arguments")
}

/// Registers `name(float) -> float`, computing `function` (a function item, so the call is static).
fn register_float_function(
    registry: &mut NativeRegistry,
    name: &str,
    function: impl Fn(f64) -> f64 + 'static,
) {
    registry.register_builtin(name, sig([Float], Float), move |_, args| {
        let &[x] = args else { return Err(arity()) };
        Ok(function(f64::from_bits(x)).to_bits())
    });
}

/// Registers `name(float, float) -> float`, computing `function`.
fn register_float_pair_function(
    registry: &mut NativeRegistry,
    name: &str,
    function: impl Fn(f64, f64) -> f64 + 'static,
) {
    registry.register_builtin(name, sig([Float, Float], Float), move |_, args| {
        let &[x, y] = args else { return Err(arity()) };
        Ok(function(f64::from_bits(x), f64::from_bits(y)).to_bits())
    });
}

/// Registers `name(int, int) -> int`, computing `function`.
fn register_int_pair_function(
    registry: &mut NativeRegistry,
    name: &str,
    function: impl Fn(i64, i64) -> i64 + 'static,
) {
    registry.register_builtin(name, sig([Int, Int], Int), move |_, args| {
        let &[x, y] = args else { return Err(arity()) };
        Ok(function(x as i64, y as i64) as u64)
    });
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

/// `substr(s, start, end)`.
fn substr(ctx: &mut NativeContext<'_>, args: &[u64]) -> NativeResult {
    let &[text, start, end] = args else {
        return Err(arity());
    };
    let part = Text::new(strings::substr(
        ctx.heap.str(text)?,
        start as i64,
        end as i64,
    )?);
    Ok(ctx.heap.alloc_str(part))
}

/// `find(s, needle)`.
fn find(ctx: &mut NativeContext<'_>, args: &[u64]) -> NativeResult {
    let &[text, needle] = args else {
        return Err(arity());
    };
    Ok(strings::find(ctx.heap.str(text)?, ctx.heap.str(needle)?) as u64)
}

/// `split(s, sep)`.
fn split(ctx: &mut NativeContext<'_>, args: &[u64]) -> NativeResult {
    let &[text, separator] = args else {
        return Err(arity());
    };
    let parts: Vec<Text> = strings::split(ctx.heap.str(text)?, ctx.heap.str(separator)?)
        .into_iter()
        .map(Text::new)
        .collect();
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
    let parts = heap.array(parts)?.items.iter().map(|&part| heap.str(part));
    let joined = strings::join_each(parts, separator)?;
    Ok(ctx.heap.alloc_string(joined))
}

/// `to_fixed(x, digits)`.
fn to_fixed(ctx: &mut NativeContext<'_>, args: &[u64]) -> NativeResult {
    let &[x, digits] = args else {
        return Err(arity());
    };
    let text = convert::to_fixed(f64::from_bits(x), digits as i64)?;
    Ok(ctx.heap.alloc_string(text))
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
