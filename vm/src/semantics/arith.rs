//! Arithmetic on `int` and `float`: the operators `+ - * / %` and unary `-`, and the numeric
//! built-ins (`abs`, `min`, `max`, `sqrt`, `floor`, `ceil`, `pow`).
//!
//! Int arithmetic wraps (two's complement) except division and remainder by zero, which raise
//! `division by zero`; `i64::MIN / -1` wraps to `i64::MIN` and `i64::MIN % -1` is `0`; `%` takes the
//! sign of the dividend. Float arithmetic is IEEE 754 (`x / 0.0` is an infinity or `nan`, `%` is C's
//! `fmod`).

use crate::error::Trap;

/// `division by zero`: an int `/` or `%` whose divisor is 0 (also raised by the interpreter's own
/// division handlers, which keep the rule inline for speed).
#[cold]
pub(crate) fn division_by_zero() -> Trap {
    Trap::new("division by zero")
}

/// An arithmetic operator: `+ - * / %`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Arith {
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/`.
    Div,
    /// `%`.
    Rem,
}

/// `a op b` on two ints.
///
/// # Errors
/// `division by zero` for `/` and `%` when `b` is 0.
#[inline(always)]
pub fn int(op: Arith, a: i64, b: i64) -> Result<i64, Trap> {
    match op {
        Arith::Add => Ok(a.wrapping_add(b)),
        Arith::Sub => Ok(a.wrapping_sub(b)),
        Arith::Mul => Ok(a.wrapping_mul(b)),
        Arith::Div => div_int(a, b),
        Arith::Rem => rem_int(a, b),
    }
}

/// `a op b` on two floats.
#[inline(always)]
pub fn float(op: Arith, a: f64, b: f64) -> f64 {
    match op {
        Arith::Add => a + b,
        Arith::Sub => a - b,
        Arith::Mul => a * b,
        Arith::Div => a / b,
        Arith::Rem => a % b,
    }
}

/// `a / b` on ints: truncated toward zero; `i64::MIN / -1` wraps to `i64::MIN`.
///
/// # Errors
/// `division by zero` when `b` is 0.
#[inline(always)]
pub fn div_int(a: i64, b: i64) -> Result<i64, Trap> {
    if b == 0 {
        return Err(division_by_zero());
    }
    Ok(a.wrapping_div(b))
}

/// `a % b` on ints: the sign of `a` (`-7 % 3` is `-1`); `i64::MIN % -1` is 0.
///
/// # Errors
/// `division by zero` when `b` is 0.
#[inline(always)]
pub fn rem_int(a: i64, b: i64) -> Result<i64, Trap> {
    if b == 0 {
        return Err(division_by_zero());
    }
    Ok(a.wrapping_rem(b))
}

/// `-x` on an int: `-i64::MIN` wraps to `i64::MIN`.
#[inline(always)]
pub fn neg_int(x: i64) -> i64 {
    x.wrapping_neg()
}

/// `abs(x)` on an int: `abs(i64::MIN)` wraps to `i64::MIN`.
pub fn abs_int(x: i64) -> i64 {
    x.wrapping_abs()
}

/// `min(a, b)` on ints.
pub fn min_int(a: i64, b: i64) -> i64 {
    a.min(b)
}

/// `max(a, b)` on ints.
pub fn max_int(a: i64, b: i64) -> i64 {
    a.max(b)
}

/// `abs(x)` on a float (`abs(-0.0)` is `0.0`).
pub fn abs_float(x: f64) -> f64 {
    x.abs()
}

/// `min(a, b)` on floats: when one of them is `nan`, the other.
pub fn min_float(a: f64, b: f64) -> f64 {
    a.min(b)
}

/// `max(a, b)` on floats: when one of them is `nan`, the other.
pub fn max_float(a: f64, b: f64) -> f64 {
    a.max(b)
}

/// `sqrt(x)`: `nan` for a negative `x`.
pub fn sqrt(x: f64) -> f64 {
    x.sqrt()
}

/// `floor(x)`.
pub fn floor(x: f64) -> f64 {
    x.floor()
}

/// `ceil(x)`.
pub fn ceil(x: f64) -> f64 {
    x.ceil()
}

/// `pow(x, y)`.
pub fn pow(x: f64, y: f64) -> f64 {
    x.powf(y)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIVISION_BY_ZERO: &str = "division by zero";

    #[test]
    fn int_arithmetic_wraps() {
        assert_eq!(int(Arith::Add, i64::MAX, 1), Ok(i64::MIN));
        assert_eq!(int(Arith::Sub, i64::MIN, 1), Ok(i64::MAX));
        assert_eq!(int(Arith::Mul, i64::MAX, 2), Ok(-2));
        assert_eq!(neg_int(i64::MIN), i64::MIN);
        assert_eq!(abs_int(i64::MIN), i64::MIN);
        assert_eq!(abs_int(-5), 5);
    }

    #[test]
    fn int_division_truncates_and_remainder_takes_the_dividends_sign() {
        assert_eq!(div_int(7, 2), Ok(3));
        assert_eq!(div_int(-7, 2), Ok(-3));
        assert_eq!(rem_int(-7, 3), Ok(-1));
        assert_eq!(rem_int(7, -3), Ok(1));
        assert_eq!(rem_int(-7, -3), Ok(-1));
    }

    #[test]
    fn min_divided_by_minus_one_wraps() {
        assert_eq!(div_int(i64::MIN, -1), Ok(i64::MIN));
        assert_eq!(rem_int(i64::MIN, -1), Ok(0));
        assert_eq!(int(Arith::Div, i64::MIN, -1), Ok(i64::MIN));
        assert_eq!(int(Arith::Rem, i64::MIN, -1), Ok(0));
    }

    #[test]
    fn int_division_by_zero_raises() {
        for dividend in [0, 1, -1, i64::MIN, i64::MAX] {
            for op in [Arith::Div, Arith::Rem] {
                let error = int(op, dividend, 0).unwrap_err();
                assert_eq!(error.message, DIVISION_BY_ZERO);
                assert!(error.is_catchable());
            }
        }
    }

    #[test]
    fn float_arithmetic_is_ieee() {
        assert_eq!(float(Arith::Div, 1.0, 0.0), f64::INFINITY);
        assert_eq!(float(Arith::Div, -1.0, 0.0), f64::NEG_INFINITY);
        assert!(float(Arith::Div, 0.0, 0.0).is_nan());
        assert!(float(Arith::Rem, 1.0, 0.0).is_nan());
        assert_eq!(float(Arith::Rem, -7.5, 2.0), -1.5);
        assert_eq!(float(Arith::Add, 0.1, 0.2), 0.30000000000000004);
        assert_eq!(float(Arith::Sub, 1.0, 3.0), -2.0);
        assert_eq!(float(Arith::Mul, 1.5, -2.0), -3.0);
    }

    #[test]
    fn float_min_and_max_ignore_nan() {
        assert_eq!(min_float(f64::NAN, 1.0), 1.0);
        assert_eq!(max_float(2.0, f64::NAN), 2.0);
        assert_eq!(min_float(-1.0, 1.0), -1.0);
        assert_eq!(max_int(-1, 1), 1);
        assert_eq!(min_int(-1, 1), -1);
        assert!(sqrt(-1.0).is_nan());
        assert_eq!(floor(-1.5), -2.0);
        assert_eq!(ceil(-1.5), -1.0);
        assert_eq!(pow(2.0, 10.0), 1024.0);
        assert_eq!(abs_float(-0.0).to_bits(), 0.0f64.to_bits());
    }
}
