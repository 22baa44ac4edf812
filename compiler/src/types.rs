//! Static types of the checker ([`Ty`]) and compile-time constant values ([`ConstValue`]).
//!
//! `Ty` is what the type checker computes for every expression and what code generation turns into
//! register types. Two variants exist only inside the checker: [`Ty::Error`], the type of anything
//! that already produced a diagnostic (it is compatible with everything, so one mistake gives one
//! message), and [`Ty::Null`], the type of a `null` literal whose nullable type is not known from
//! context.

use std::borrow::Cow;
use std::fmt;

use vitte_vm::semantics::Scalar;

/// Index of a form in [`Analysis::forms`](crate::check::Analysis::forms).
pub type FormId = u32;
/// Index of a pick in [`Analysis::picks`](crate::check::Analysis::picks).
pub type PickId = u32;

/// A static type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    /// The type of an erroneous expression; compatible with everything, never reported again.
    Error,
    /// No value (procedure results only).
    Void,
    /// `int` (`i64`).
    Int,
    /// `float` (`f64`).
    Float,
    /// `bool`.
    Bool,
    /// `string`.
    Str,
    /// A `null` literal whose nullable type is not known from context.
    Null,
    /// `[T]`.
    Array(Box<Ty>),
    /// `Map[K, V]`.
    Map(Box<Ty>, Box<Ty>),
    /// `?T` (T is a reference type and never itself nullable).
    Nullable(Box<Ty>),
    /// A form, by index.
    Form(FormId),
    /// A pick, by index.
    Pick(PickId),
    /// `Thread`: the handle of a VM thread.
    Thread,
    /// `Chan[T]`.
    Chan(Box<Ty>),
}

impl Ty {
    /// `[elem]`.
    pub fn array(elem: Ty) -> Ty {
        Ty::Array(Box::new(elem))
    }

    /// `Map[key, value]`.
    pub fn map(key: Ty, value: Ty) -> Ty {
        Ty::Map(Box::new(key), Box::new(value))
    }

    /// `?inner`; a type that is already nullable (or `null`, or an error) is returned unchanged.
    pub fn nullable(inner: Ty) -> Ty {
        match inner {
            Ty::Nullable(_) | Ty::Null | Ty::Error => inner,
            other => Ty::Nullable(Box::new(other)),
        }
    }

    /// True for types whose values live on the heap (and may therefore be made nullable).
    pub fn is_reference(&self) -> bool {
        matches!(
            self,
            Ty::Str
                | Ty::Array(_)
                | Ty::Map(..)
                | Ty::Nullable(_)
                | Ty::Form(_)
                | Ty::Pick(_)
                | Ty::Thread
                | Ty::Chan(_)
                | Ty::Null
        )
    }

    /// True for `int` and `float`.
    pub fn is_numeric(&self) -> bool {
        matches!(self, Ty::Int | Ty::Float)
    }

    /// True for [`Ty::Error`].
    pub fn is_error(&self) -> bool {
        matches!(self, Ty::Error)
    }

    /// The type without its outer `?` (`?string` gives `string`; other types are returned as they are).
    pub fn non_null(&self) -> &Ty {
        match self {
            Ty::Nullable(inner) => inner,
            other => other,
        }
    }

    /// True when a value of type `self` may be used where `target` is expected: the same type, `T`
    /// where `?T` is expected, `?T` where `T` is expected (checked for null at run time), `null` where
    /// a nullable type is expected, and anything involving [`Ty::Error`].
    pub fn assignable_to(&self, target: &Ty) -> bool {
        if self.is_error() || target.is_error() || self == target {
            return true;
        }
        match (self, target) {
            (Ty::Null, Ty::Nullable(_)) => true,
            (Ty::Nullable(inner), other) | (other, Ty::Nullable(inner)) => **inner == *other,
            _ => false,
        }
    }

    /// True when the type contains [`Ty::Error`] anywhere.
    pub fn contains_error(&self) -> bool {
        match self {
            Ty::Error => true,
            Ty::Array(elem) | Ty::Nullable(elem) | Ty::Chan(elem) => elem.contains_error(),
            Ty::Map(key, value) => key.contains_error() || value.contains_error(),
            _ => false,
        }
    }

    /// The common type of two values that meet (array elements, map values, match arms), if any:
    /// equal types, a type and its nullable form, or `null` and a reference type.
    pub fn join(&self, other: &Ty) -> Option<Ty> {
        if self.is_error() {
            return Some(other.clone());
        }
        if other.is_error() || self == other {
            return Some(self.clone());
        }
        match (self, other) {
            (Ty::Null, t) | (t, Ty::Null) if t.is_reference() => Some(Ty::nullable(t.clone())),
            (Ty::Nullable(inner), t) | (t, Ty::Nullable(inner)) if **inner == *t => {
                Some(Ty::nullable(t.clone()))
            }
            _ => None,
        }
    }
}

/// The names of forms and picks, needed to show a [`Ty`] to a person.
pub trait TypeNames {
    /// The declared name of form `id`.
    fn form_name(&self, id: FormId) -> &str;
    /// The declared name of pick `id`.
    fn pick_name(&self, id: PickId) -> &str;
}

/// A [`Ty`] shown as it is written in source (`[int]`, `Map[string, ?Point]`), from [`display`].
pub struct TyDisplay<'a> {
    ty: &'a Ty,
    names: &'a dyn TypeNames,
}

/// Shows `ty` as it is written in source, using `names` for forms and picks.
pub fn display<'a>(ty: &'a Ty, names: &'a dyn TypeNames) -> TyDisplay<'a> {
    TyDisplay { ty, names }
}

impl fmt::Display for TyDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = self.names;
        match self.ty {
            Ty::Error => f.write_str("{unknown}"),
            Ty::Void => f.write_str("void"),
            Ty::Int => f.write_str("int"),
            Ty::Float => f.write_str("float"),
            Ty::Bool => f.write_str("bool"),
            Ty::Str => f.write_str("string"),
            Ty::Null => f.write_str("null"),
            Ty::Array(elem) => write!(f, "[{}]", display(elem, names)),
            Ty::Map(key, value) => {
                write!(f, "Map[{}, {}]", display(key, names), display(value, names))
            }
            Ty::Nullable(inner) => write!(f, "?{}", display(inner, names)),
            Ty::Form(id) => f.write_str(names.form_name(*id)),
            Ty::Pick(id) => f.write_str(names.pick_name(*id)),
            Ty::Thread => f.write_str("Thread"),
            Ty::Chan(elem) => write!(f, "Chan[{}]", display(elem, names)),
        }
    }
}

/// The value of a `const` item, folded at compile time.
#[derive(Clone, Debug, PartialEq)]
pub enum ConstValue {
    /// An `int`.
    Int(i64),
    /// A `float`.
    Float(f64),
    /// A `bool`.
    Bool(bool),
    /// A `string`.
    Str(String),
}

impl ConstValue {
    /// The value's type.
    pub fn ty(&self) -> Ty {
        match self {
            ConstValue::Int(_) => Ty::Int,
            ConstValue::Float(_) => Ty::Float,
            ConstValue::Bool(_) => Ty::Bool,
            ConstValue::Str(_) => Ty::Str,
        }
    }

    /// The value as the operators of [`vitte_vm::semantics`] take it.
    pub fn scalar(&self) -> Scalar<'_> {
        match self {
            ConstValue::Int(value) => Scalar::Int(*value),
            ConstValue::Float(value) => Scalar::Float(*value),
            ConstValue::Bool(value) => Scalar::Bool(*value),
            ConstValue::Str(text) => Scalar::Str(Cow::Borrowed(text)),
        }
    }

    /// A value computed by an operator of [`vitte_vm::semantics`].
    pub fn from_scalar(value: Scalar<'_>) -> ConstValue {
        match value {
            Scalar::Int(value) => ConstValue::Int(value),
            Scalar::Float(value) => ConstValue::Float(value),
            Scalar::Bool(value) => ConstValue::Bool(value),
            Scalar::Str(text) => ConstValue::Str(text.into_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoNames;
    impl TypeNames for NoNames {
        fn form_name(&self, _: FormId) -> &str {
            "F"
        }
        fn pick_name(&self, _: PickId) -> &str {
            "P"
        }
    }

    #[test]
    fn assignability() {
        let s = Ty::Str;
        let ns = Ty::nullable(Ty::Str);
        assert!(s.assignable_to(&ns));
        assert!(ns.assignable_to(&s));
        assert!(Ty::Null.assignable_to(&ns));
        assert!(!Ty::Null.assignable_to(&s));
        assert!(!Ty::Int.assignable_to(&Ty::Float));
        assert!(!Ty::array(Ty::Str).assignable_to(&Ty::array(ns.clone())));
        assert!(Ty::Error.assignable_to(&Ty::Int));
    }

    #[test]
    fn joins() {
        assert_eq!(Ty::Null.join(&Ty::Str), Some(Ty::nullable(Ty::Str)));
        assert_eq!(
            Ty::Str.join(&Ty::nullable(Ty::Str)),
            Some(Ty::nullable(Ty::Str))
        );
        assert_eq!(Ty::Int.join(&Ty::Float), None);
        assert_eq!(Ty::Null.join(&Ty::Int), None);
    }

    #[test]
    fn displays_like_source() {
        let ty = Ty::map(Ty::Str, Ty::nullable(Ty::array(Ty::Form(0))));
        assert_eq!(display(&ty, &NoNames).to_string(), "Map[string, ?[F]]");
    }
}
