//! What Vitte's operators and built-ins do to values, written once.
//!
//! Every rule of the language's values lives here as a pure function over plain Rust values
//! (`i64`, `f64`, `bool`, `&str`), returning a [`Trap`] for a runtime error: arithmetic
//! ([`arith`]: wrapping, division by zero, `i64::MIN / -1`), comparisons ([`compare`]),
//! conversions ([`convert`]: `int`, `float`, `str`, `to_fixed`) and string operations ([`strings`]:
//! `+`, `substr`, `find`, `split`, `join`). The error texts are defined here, once.
//!
//! The interpreter's instructions and the built-in natives apply these rules to register words and
//! heap objects; the debugger's expressions and the compiler's constant folding apply them to their
//! own values through [`binary`] and [`unary`] over [`Scalar`]s. Nothing here knows of registers,
//! the heap or a protocol.

pub mod arith;
pub mod compare;
pub mod convert;
pub mod strings;

use std::borrow::Cow;

use crate::error::Trap;

pub use arith::Arith;
pub use compare::Comparison;

/// A binary operator that computes a value from two operands (`and`/`or` only choose one).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operator {
    /// `+ - * / %`.
    Arith(Arith),
    /// `== != < <= > >=`.
    Compare(Comparison),
}

/// A unary operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOperator {
    /// `-`.
    Neg,
    /// `not`.
    Not,
}

/// A value the operators work on directly: an int, a float, a bool or a string.
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar<'s> {
    /// An `int`.
    Int(i64),
    /// A `float`.
    Float(f64),
    /// A `bool`.
    Bool(bool),
    /// A `string`.
    Str(Cow<'s, str>),
}

/// `a op b`.
///
/// `None` when the operator does not apply to these operands (`1 + 2.0`, `true < false`,
/// `"a" - "b"`): a type error, which the caller words.
///
/// # Errors
/// The runtime error the operation raises (`division by zero`).
pub fn binary(
    op: Operator,
    a: &Scalar<'_>,
    b: &Scalar<'_>,
) -> Option<Result<Scalar<'static>, Trap>> {
    use Scalar::{Bool, Float, Int, Str};
    let value = match (op, a, b) {
        (Operator::Arith(op), Int(x), Int(y)) => match arith::int(op, *x, *y) {
            Ok(value) => Int(value),
            Err(trap) => return Some(Err(trap)),
        },
        (Operator::Arith(op), Float(x), Float(y)) => Float(arith::float(op, *x, *y)),
        (Operator::Arith(Arith::Add), Str(x), Str(y)) => Str(Cow::Owned(strings::concat(x, y))),
        (Operator::Compare(op), Int(x), Int(y)) => Bool(compare::int(op, *x, *y)),
        (Operator::Compare(op), Float(x), Float(y)) => Bool(compare::float(op, *x, *y)),
        (Operator::Compare(op), Str(x), Str(y)) => Bool(compare::str(op, x, y)),
        (Operator::Compare(op), Bool(x), Bool(y)) => Bool(compare::bool(op, *x, *y)?),
        _ => return None,
    };
    Some(Ok(value))
}

/// `op a`; `None` when the operator does not apply (`-true`, `not 1`).
pub fn unary(op: UnaryOperator, a: &Scalar<'_>) -> Option<Scalar<'static>> {
    Some(match (op, a) {
        (UnaryOperator::Neg, Scalar::Int(x)) => Scalar::Int(arith::neg_int(*x)),
        (UnaryOperator::Neg, Scalar::Float(x)) => Scalar::Float(-x),
        (UnaryOperator::Not, Scalar::Bool(x)) => Scalar::Bool(!x),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(value: &str) -> Scalar<'_> {
        Scalar::Str(Cow::Borrowed(value))
    }

    fn apply(
        op: Operator,
        a: Scalar<'_>,
        b: Scalar<'_>,
    ) -> Option<Result<Scalar<'static>, String>> {
        binary(op, &a, &b).map(|result| result.map_err(|trap| trap.message))
    }

    #[test]
    fn operators_follow_the_typed_rules() {
        let div = Operator::Arith(Arith::Div);
        assert_eq!(
            apply(div, Scalar::Int(i64::MIN), Scalar::Int(-1)),
            Some(Ok(Scalar::Int(i64::MIN)))
        );
        assert_eq!(
            apply(Operator::Arith(Arith::Rem), Scalar::Int(5), Scalar::Int(0)),
            Some(Err("division by zero".to_string()))
        );
        assert_eq!(
            apply(div, Scalar::Float(1.0), Scalar::Float(0.0)),
            Some(Ok(Scalar::Float(f64::INFINITY)))
        );
        assert_eq!(
            apply(Operator::Arith(Arith::Add), text("a"), text("b")),
            Some(Ok(Scalar::Str(Cow::Owned("ab".to_string()))))
        );
        assert_eq!(
            apply(Operator::Compare(Comparison::Lt), text("B"), text("a")),
            Some(Ok(Scalar::Bool(true)))
        );
        assert_eq!(
            apply(
                Operator::Compare(Comparison::Ne),
                Scalar::Bool(true),
                Scalar::Bool(false)
            ),
            Some(Ok(Scalar::Bool(true)))
        );
    }

    #[test]
    fn operators_refuse_mismatched_operands() {
        let mismatched = [
            (
                Operator::Arith(Arith::Div),
                Scalar::Int(1),
                Scalar::Float(2.0),
            ),
            (Operator::Arith(Arith::Sub), text("a"), text("b")),
            (
                Operator::Compare(Comparison::Lt),
                Scalar::Bool(false),
                Scalar::Bool(true),
            ),
            (
                Operator::Arith(Arith::Add),
                Scalar::Bool(true),
                Scalar::Bool(true),
            ),
            (Operator::Compare(Comparison::Eq), Scalar::Int(1), text("1")),
        ];
        for (op, a, b) in mismatched {
            assert_eq!(binary(op, &a, &b), None, "{op:?} {a:?} {b:?}");
        }
    }

    #[test]
    fn unary_operators() {
        assert_eq!(
            unary(UnaryOperator::Neg, &Scalar::Int(i64::MIN)),
            Some(Scalar::Int(i64::MIN))
        );
        assert_eq!(
            unary(UnaryOperator::Neg, &Scalar::Float(0.0)).map(|value| match value {
                Scalar::Float(x) => x.is_sign_negative(),
                _ => false,
            }),
            Some(true)
        );
        assert_eq!(
            unary(UnaryOperator::Not, &Scalar::Bool(true)),
            Some(Scalar::Bool(false))
        );
        assert_eq!(unary(UnaryOperator::Not, &Scalar::Int(1)), None);
        assert_eq!(unary(UnaryOperator::Neg, &text("a")), None);
    }
}
