//! Built-in procedures: the names the checker knows without a declaration, and the host functions
//! ("natives") that code generation calls for the built-ins that have no instruction of their own.
//!
//! A program's own procedure of the same name wins over a built-in (see the project's language
//! reference). The thread built-ins (`chan`, `send`, `recv`, `join` of a thread, `yield_now`,
//! `sleep`, `thread_id`) are instructions, not natives.

use crate::types::Ty;

/// A built-in procedure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Builtin {
    /// `print(v)`: any type.
    Print,
    /// `eprint(v)`: any type, to stderr.
    Eprint,
    /// `str(v)`: any type to text.
    Str,
    /// `len(v)`: string, array or map.
    Len,
    /// `push(a, v)`.
    Push,
    /// `pop(a)`.
    Pop,
    /// `fill(n, v)`.
    Fill,
    /// `int(v)`: from int, float or string.
    Int,
    /// `float(v)`: from int, float or string.
    Float,
    /// `to_fixed(x, digits)`.
    ToFixed,
    /// `join(parts, sep)`.
    Join,
    /// `split(s, sep)`.
    Split,
    /// `substr(s, start, end)`.
    Substr,
    /// `find(s, needle)`.
    Find,
    /// `keys(m)`.
    Keys,
    /// `contains(m, k)`.
    Contains,
    /// `get(m, k, default)`.
    Get,
    /// `remove(m, k)`.
    Remove,
    /// `sqrt(x)`.
    Sqrt,
    /// `abs(x)`: int or float.
    Abs,
    /// `floor(x)`.
    Floor,
    /// `ceil(x)`.
    Ceil,
    /// `pow(x, y)`.
    Pow,
    /// `min(a, b)`: two ints or two floats.
    Min,
    /// `max(a, b)`: two ints or two floats.
    Max,
    /// `clock()`.
    Clock,
    /// `now_ms()`.
    NowMs,
    /// `args()`.
    Args,
    /// `read_line()`.
    ReadLine,
    /// `read_file(path)`.
    ReadFile,
    /// `write_file(path, text)`.
    WriteFile,
    /// `env(name)`.
    Env,
    /// `assert(c)` or `assert(c, msg)`.
    Assert,
    /// `panic(msg)`.
    Panic,
    /// `chan(cap)`: a `Chan[T]` typed from context.
    Chan,
    /// `send(c, v)`.
    Send,
    /// `recv(c)`.
    Recv,
    /// `yield_now()`.
    YieldNow,
    /// `sleep(ms)`.
    Sleep,
    /// `thread_id()`.
    ThreadId,
}

impl Builtin {
    /// Every built-in, in a fixed order.
    pub const ALL: &'static [Builtin] = &[
        Builtin::Print,
        Builtin::Eprint,
        Builtin::Str,
        Builtin::Len,
        Builtin::Push,
        Builtin::Pop,
        Builtin::Fill,
        Builtin::Int,
        Builtin::Float,
        Builtin::ToFixed,
        Builtin::Join,
        Builtin::Split,
        Builtin::Substr,
        Builtin::Find,
        Builtin::Keys,
        Builtin::Contains,
        Builtin::Get,
        Builtin::Remove,
        Builtin::Sqrt,
        Builtin::Abs,
        Builtin::Floor,
        Builtin::Ceil,
        Builtin::Pow,
        Builtin::Min,
        Builtin::Max,
        Builtin::Clock,
        Builtin::NowMs,
        Builtin::Args,
        Builtin::ReadLine,
        Builtin::ReadFile,
        Builtin::WriteFile,
        Builtin::Env,
        Builtin::Assert,
        Builtin::Panic,
        Builtin::Chan,
        Builtin::Send,
        Builtin::Recv,
        Builtin::YieldNow,
        Builtin::Sleep,
        Builtin::ThreadId,
    ];

    /// The name a program calls it by.
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Print => "print",
            Builtin::Eprint => "eprint",
            Builtin::Str => "str",
            Builtin::Len => "len",
            Builtin::Push => "push",
            Builtin::Pop => "pop",
            Builtin::Fill => "fill",
            Builtin::Int => "int",
            Builtin::Float => "float",
            Builtin::ToFixed => "to_fixed",
            Builtin::Join => "join",
            Builtin::Split => "split",
            Builtin::Substr => "substr",
            Builtin::Find => "find",
            Builtin::Keys => "keys",
            Builtin::Contains => "contains",
            Builtin::Get => "get",
            Builtin::Remove => "remove",
            Builtin::Sqrt => "sqrt",
            Builtin::Abs => "abs",
            Builtin::Floor => "floor",
            Builtin::Ceil => "ceil",
            Builtin::Pow => "pow",
            Builtin::Min => "min",
            Builtin::Max => "max",
            Builtin::Clock => "clock",
            Builtin::NowMs => "now_ms",
            Builtin::Args => "args",
            Builtin::ReadLine => "read_line",
            Builtin::ReadFile => "read_file",
            Builtin::WriteFile => "write_file",
            Builtin::Env => "env",
            Builtin::Assert => "assert",
            Builtin::Panic => "panic",
            Builtin::Chan => "chan",
            Builtin::Send => "send",
            Builtin::Recv => "recv",
            Builtin::YieldNow => "yield_now",
            Builtin::Sleep => "sleep",
            Builtin::ThreadId => "thread_id",
        }
    }

    /// The built-in called `name`, if any.
    pub fn from_name(name: &str) -> Option<Builtin> {
        Builtin::ALL.iter().copied().find(|b| b.name() == name)
    }

    /// Whether a call only computes a value from its arguments: it touches no stream, file, clock,
    /// thread or channel, changes no value and creates no collection, so a debugger may call it to
    /// evaluate an expression.
    pub fn is_pure(self) -> bool {
        match self {
            Builtin::Str
            | Builtin::Len
            | Builtin::Int
            | Builtin::Float
            | Builtin::ToFixed
            | Builtin::Join
            | Builtin::Substr
            | Builtin::Find
            | Builtin::Contains
            | Builtin::Get
            | Builtin::Sqrt
            | Builtin::Abs
            | Builtin::Floor
            | Builtin::Ceil
            | Builtin::Pow
            | Builtin::Min
            | Builtin::Max => true,
            // Output, input, the host, a changed value, a new collection, threads and channels.
            Builtin::Print
            | Builtin::Eprint
            | Builtin::Push
            | Builtin::Pop
            | Builtin::Fill
            | Builtin::Split
            | Builtin::Keys
            | Builtin::Remove
            | Builtin::Clock
            | Builtin::NowMs
            | Builtin::Args
            | Builtin::ReadLine
            | Builtin::ReadFile
            | Builtin::WriteFile
            | Builtin::Env
            | Builtin::Assert
            | Builtin::Panic
            | Builtin::Chan
            | Builtin::Send
            | Builtin::Recv
            | Builtin::YieldNow
            | Builtin::Sleep
            | Builtin::ThreadId => false,
        }
    }

    /// A one-line signature for hovers and messages (`len(v: string | [T] | Map[K, V]) -> int`).
    pub fn signature(self) -> &'static str {
        match self {
            Builtin::Print => "print(v: any)",
            Builtin::Eprint => "eprint(v: any)",
            Builtin::Str => "str(v: any) -> string",
            Builtin::Len => "len(v: string | [T] | Map[K, V]) -> int",
            Builtin::Push => "push(a: [T], v: T)",
            Builtin::Pop => "pop(a: [T]) -> T",
            Builtin::Fill => "fill(n: int, v: T) -> [T]",
            Builtin::Int => "int(v: int | float | string) -> int",
            Builtin::Float => "float(v: int | float | string) -> float",
            Builtin::ToFixed => "to_fixed(x: float, digits: int) -> string",
            Builtin::Join => "join(parts: [string], sep: string) -> string | join(t: Thread)",
            Builtin::Split => "split(s: string, sep: string) -> [string]",
            Builtin::Substr => "substr(s: string, start: int, end: int) -> string",
            Builtin::Find => "find(s: string, needle: string) -> int",
            Builtin::Keys => "keys(m: Map[K, V]) -> [K]",
            Builtin::Contains => "contains(m: Map[K, V], k: K) -> bool",
            Builtin::Get => "get(m: Map[K, V], k: K, default: V) -> V",
            Builtin::Remove => "remove(m: Map[K, V], k: K) -> bool",
            Builtin::Sqrt => "sqrt(x: float) -> float",
            Builtin::Abs => "abs(x: int | float) -> int | float",
            Builtin::Floor => "floor(x: float) -> float",
            Builtin::Ceil => "ceil(x: float) -> float",
            Builtin::Pow => "pow(x: float, y: float) -> float",
            Builtin::Min => "min(a: int | float, b: int | float) -> int | float",
            Builtin::Max => "max(a: int | float, b: int | float) -> int | float",
            Builtin::Clock => "clock() -> float",
            Builtin::NowMs => "now_ms() -> int",
            Builtin::Args => "args() -> [string]",
            Builtin::ReadLine => "read_line() -> ?string",
            Builtin::ReadFile => "read_file(path: string) -> string",
            Builtin::WriteFile => "write_file(path: string, text: string)",
            Builtin::Env => "env(name: string) -> ?string",
            Builtin::Assert => "assert(c: bool, msg: string = \"\")",
            Builtin::Panic => "panic(msg: string)",
            Builtin::Chan => "chan(cap: int) -> Chan[T]",
            Builtin::Send => "send(c: Chan[T], v: T)",
            Builtin::Recv => "recv(c: Chan[T]) -> T",
            Builtin::YieldNow => "yield_now()",
            Builtin::Sleep => "sleep(ms: int)",
            Builtin::ThreadId => "thread_id() -> int",
        }
    }
}

/// A host function that code generation calls, by its registry name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Native {
    /// `print(string) -> void`
    Print,
    /// `eprint(string) -> void`
    Eprint,
    /// `substr(string, int, int) -> string`
    Substr,
    /// `find(string, string) -> int`
    Find,
    /// `split(string, string) -> [string]`
    Split,
    /// `join([string], string) -> string`
    Join,
    /// `to_fixed(float, int) -> string`
    ToFixed,
    /// `sqrt(float) -> float`
    Sqrt,
    /// `floor(float) -> float`
    Floor,
    /// `ceil(float) -> float`
    Ceil,
    /// `pow(float, float) -> float`
    Pow,
    /// `abs_int(int) -> int`
    AbsInt,
    /// `abs_float(float) -> float`
    AbsFloat,
    /// `min_int(int, int) -> int`
    MinInt,
    /// `max_int(int, int) -> int`
    MaxInt,
    /// `min_float(float, float) -> float`
    MinFloat,
    /// `max_float(float, float) -> float`
    MaxFloat,
    /// `clock() -> float`
    Clock,
    /// `now_ms() -> int`
    NowMs,
    /// `args() -> [string]`
    Args,
    /// `read_line() -> ?string`
    ReadLine,
    /// `read_file(string) -> string`
    ReadFile,
    /// `write_file(string, string) -> void`
    WriteFile,
    /// `env(string) -> ?string`
    Env,
    /// `assert(bool) -> void`
    Assert,
    /// `assert_msg(bool, string) -> void`
    AssertMsg,
    /// `panic(string) -> void`
    Panic,
}

impl Native {
    /// The registry name the VM binds it by.
    pub fn name(self) -> &'static str {
        match self {
            Native::Print => "print",
            Native::Eprint => "eprint",
            Native::Substr => "substr",
            Native::Find => "find",
            Native::Split => "split",
            Native::Join => "join",
            Native::ToFixed => "to_fixed",
            Native::Sqrt => "sqrt",
            Native::Floor => "floor",
            Native::Ceil => "ceil",
            Native::Pow => "pow",
            Native::AbsInt => "abs_int",
            Native::AbsFloat => "abs_float",
            Native::MinInt => "min_int",
            Native::MaxInt => "max_int",
            Native::MinFloat => "min_float",
            Native::MaxFloat => "max_float",
            Native::Clock => "clock",
            Native::NowMs => "now_ms",
            Native::Args => "args",
            Native::ReadLine => "read_line",
            Native::ReadFile => "read_file",
            Native::WriteFile => "write_file",
            Native::Env => "env",
            Native::Assert => "assert",
            Native::AssertMsg => "assert_msg",
            Native::Panic => "panic",
        }
    }

    /// Parameter types and return type, exactly as the VM's registry declares them.
    pub fn signature(self) -> (Vec<Ty>, Ty) {
        let s = || Ty::Str;
        match self {
            Native::Print | Native::Eprint | Native::Panic => (vec![s()], Ty::Void),
            Native::Substr => (vec![s(), Ty::Int, Ty::Int], s()),
            Native::Find => (vec![s(), s()], Ty::Int),
            Native::Split => (vec![s(), s()], Ty::array(s())),
            Native::Join => (vec![Ty::array(s()), s()], s()),
            Native::ToFixed => (vec![Ty::Float, Ty::Int], s()),
            Native::Sqrt | Native::Floor | Native::Ceil | Native::AbsFloat => {
                (vec![Ty::Float], Ty::Float)
            }
            Native::Pow | Native::MinFloat | Native::MaxFloat => {
                (vec![Ty::Float, Ty::Float], Ty::Float)
            }
            Native::AbsInt => (vec![Ty::Int], Ty::Int),
            Native::MinInt | Native::MaxInt => (vec![Ty::Int, Ty::Int], Ty::Int),
            Native::Clock => (vec![], Ty::Float),
            Native::NowMs => (vec![], Ty::Int),
            Native::Args => (vec![], Ty::array(s())),
            Native::ReadLine => (vec![], Ty::nullable(s())),
            Native::ReadFile => (vec![s()], s()),
            Native::WriteFile => (vec![s(), s()], Ty::Void),
            Native::Env => (vec![s()], Ty::nullable(s())),
            Native::Assert => (vec![Ty::Bool], Ty::Void),
            Native::AssertMsg => (vec![Ty::Bool, s()], Ty::Void),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for &builtin in Builtin::ALL {
            assert_eq!(Builtin::from_name(builtin.name()), Some(builtin));
        }
        assert_eq!(Builtin::from_name("spawn"), None);
    }

    #[test]
    fn only_value_computing_builtins_are_pure() {
        let pure: Vec<&str> = Builtin::ALL
            .iter()
            .filter(|builtin| builtin.is_pure())
            .map(|builtin| builtin.name())
            .collect();
        assert_eq!(
            pure,
            [
                "str", "len", "int", "float", "to_fixed", "join", "substr", "find", "contains",
                "get", "sqrt", "abs", "floor", "ceil", "pow", "min", "max"
            ]
        );
    }
}
