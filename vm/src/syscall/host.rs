//! Host functions: Rust closures an embedder makes callable from Vitte.
//!
//! [`Vm::register_native`](crate::Vm::register_native) takes a closure with typed arguments and
//! result; the [`HostArg`], [`HostResult`] and [`HostFunction`] traits map those Rust types to a
//! [`NativeSignature`] and convert between register words and Rust values:
//!
//! | Rust | Vitte |
//! | --- | --- |
//! | `i64` | `int` |
//! | `f64` | `float` |
//! | `bool` | `bool` |
//! | `String` | `string` (a null argument raises `null dereference`) |
//! | `()` (result only) | `void` |
//! | `Option<String>` (result only) | `?string` |
//! | `Result<T, String>` (result only) | `T`; `Err(message)` raises the runtime error `message` |
//!
//! Closures take up to four arguments. A host function that needs the heap (arrays, maps) is
//! registered with its [`NativeSignature`] and a function of [`NativeContext`] and the raw argument
//! words ([`Vm::register_native_raw`](crate::Vm::register_native_raw)).
//!
//! The compiler learns the signatures through [`HostSignature`]s
//! ([`Vm::host_signatures`](crate::Vm::host_signatures)); when a module is loaded its imports are checked
//! against the registered signatures, so a call compiled for another arity or other types is a load
//! error naming both signatures.

use crate::error::Trap;

use super::registry::{NativeContext, NativeSignature, NativeType};

/// The name and signature of a host function, as the compiler needs them to type-check calls.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HostSignature {
    /// The name Vitte code calls it by: a plain name (`add_numbers`) or a dotted one (`host.add`).
    pub name: String,
    /// Its parameter and return types.
    pub signature: NativeSignature,
}

/// A Rust type a host function can take as an argument.
pub trait HostArg: Sized {
    /// The Vitte type of the argument.
    fn native_type() -> NativeType;

    /// The value held in a register word.
    ///
    /// # Errors
    /// `null dereference` for a null string.
    fn from_word(ctx: &NativeContext<'_>, word: u64) -> Result<Self, Trap>;
}

impl HostArg for i64 {
    fn native_type() -> NativeType {
        NativeType::Int
    }
    fn from_word(_: &NativeContext<'_>, word: u64) -> Result<i64, Trap> {
        Ok(word as i64)
    }
}

impl HostArg for f64 {
    fn native_type() -> NativeType {
        NativeType::Float
    }
    fn from_word(_: &NativeContext<'_>, word: u64) -> Result<f64, Trap> {
        Ok(f64::from_bits(word))
    }
}

impl HostArg for bool {
    fn native_type() -> NativeType {
        NativeType::Bool
    }
    fn from_word(_: &NativeContext<'_>, word: u64) -> Result<bool, Trap> {
        Ok(word != 0)
    }
}

impl HostArg for String {
    fn native_type() -> NativeType {
        NativeType::Str
    }
    fn from_word(ctx: &NativeContext<'_>, word: u64) -> Result<String, Trap> {
        ctx.str(word).map(str::to_string)
    }
}

/// A Rust type a host function can return.
pub trait HostResult {
    /// The Vitte type of the result.
    fn native_type() -> NativeType;

    /// The register word of the result (allocating strings on the heap).
    ///
    /// # Errors
    /// The runtime error a `Result` result carries.
    fn into_word(self, ctx: &mut NativeContext<'_>) -> Result<u64, Trap>;
}

impl HostResult for () {
    fn native_type() -> NativeType {
        NativeType::Void
    }
    fn into_word(self, _: &mut NativeContext<'_>) -> Result<u64, Trap> {
        Ok(0)
    }
}

impl HostResult for i64 {
    fn native_type() -> NativeType {
        NativeType::Int
    }
    fn into_word(self, _: &mut NativeContext<'_>) -> Result<u64, Trap> {
        Ok(self as u64)
    }
}

impl HostResult for f64 {
    fn native_type() -> NativeType {
        NativeType::Float
    }
    fn into_word(self, _: &mut NativeContext<'_>) -> Result<u64, Trap> {
        Ok(self.to_bits())
    }
}

impl HostResult for bool {
    fn native_type() -> NativeType {
        NativeType::Bool
    }
    fn into_word(self, _: &mut NativeContext<'_>) -> Result<u64, Trap> {
        Ok(u64::from(self))
    }
}

impl HostResult for String {
    fn native_type() -> NativeType {
        NativeType::Str
    }
    fn into_word(self, ctx: &mut NativeContext<'_>) -> Result<u64, Trap> {
        ctx.heap.check_alloc(self.len())?;
        Ok(ctx.alloc_string(self))
    }
}

impl HostResult for Option<String> {
    fn native_type() -> NativeType {
        NativeType::nullable(NativeType::Str)
    }
    fn into_word(self, ctx: &mut NativeContext<'_>) -> Result<u64, Trap> {
        match self {
            Some(text) => text.into_word(ctx),
            None => Ok(0),
        }
    }
}

impl<T: HostResult> HostResult for Result<T, String> {
    fn native_type() -> NativeType {
        T::native_type()
    }
    fn into_word(self, ctx: &mut NativeContext<'_>) -> Result<u64, Trap> {
        match self {
            Ok(value) => value.into_word(ctx),
            Err(message) => Err(Trap::new(message)),
        }
    }
}

/// A Rust closure usable as a host function; `Args` is the tuple of its argument types (it only
/// tells the implementations for each arity apart).
pub trait HostFunction<Args>: 'static {
    /// The signature derived from the argument and result types.
    fn signature() -> NativeSignature;

    /// Calls the closure with the argument words.
    ///
    /// # Errors
    /// A null string argument, an error result, or an internal error for a wrong argument count
    /// (which the load-time signature check rules out).
    fn call(&self, ctx: &mut NativeContext<'_>, args: &[u64]) -> Result<u64, Trap>;
}

macro_rules! host_function {
    ($($arg:ident),*) => {
        impl<Func, Ret, $($arg),*> HostFunction<($($arg,)*)> for Func
        where
            Func: Fn($($arg),*) -> Ret + 'static,
            Ret: HostResult,
            $($arg: HostArg,)*
        {
            fn signature() -> NativeSignature {
                NativeSignature::new(vec![$($arg::native_type()),*], Ret::native_type())
            }

            #[allow(non_snake_case)]
            fn call(&self, ctx: &mut NativeContext<'_>, args: &[u64]) -> Result<u64, Trap> {
                let &[$($arg),*] = args else {
                    return Err(Trap::internal("host function called with the wrong number of arguments"));
                };
                $(let $arg = <$arg as HostArg>::from_word(ctx, $arg)?;)*
                (self)($($arg),*).into_word(ctx)
            }
        }
    };
}

host_function!();
host_function!(A);
host_function!(A, B);
host_function!(A, B, C);
host_function!(A, B, C, D);
