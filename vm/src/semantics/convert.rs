//! Conversions between `int`, `float`, `bool` and text: the built-ins `int`, `float`, `str` (of an
//! int, a float or a bool) and `to_fixed`, and how numbers read in the source's `int(s)` and `float(s)`.
//!
//! How a whole value prints (containers, quoted strings) is [`memory::format`](crate::memory::format),
//! which writes the numbers and bools inside it with these functions.

use std::fmt::Write as _;

use compact_str::ToCompactString as _;

use crate::error::Trap;
use crate::memory::Text;

/// `to_fixed`'s largest number of decimals.
pub const TO_FIXED_MAX_DIGITS: i64 = 20;

/// `invalid int: "TEXT"`.
#[cold]
fn invalid_int(text: impl std::fmt::Display) -> Trap {
    Trap::new(format!("invalid int: \"{text}\""))
}

/// `invalid float: "TEXT"`.
#[cold]
fn invalid_float(text: &str) -> Trap {
    Trap::new(format!("invalid float: \"{text}\""))
}

/// `float(i)`: the nearest double.
#[inline(always)]
pub fn int_to_float(value: i64) -> f64 {
    value as f64
}

/// `int(x)` for a float: truncated toward zero.
///
/// # Errors
/// `invalid int: "TEXT"` (TEXT as `print` writes `value`) for `nan`, an infinity or a value outside
/// the int range.
pub fn float_to_int(value: f64) -> Result<i64, Trap> {
    let truncated = value.trunc();
    if (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&truncated) {
        Ok(truncated as i64)
    } else {
        Err(invalid_int(float_to_str(value)))
    }
}

/// `int(s)`: an optional sign and decimal digits, surrounding ASCII whitespace ignored.
///
/// # Errors
/// `invalid int: "s"` (`s` as given) for anything else, or a number outside the int range.
pub fn parse_int(text: &str) -> Result<i64, Trap> {
    text.trim_ascii()
        .parse::<i64>()
        .map_err(|_| invalid_int(text))
}

/// `float(s)`: decimal and exponent forms, `inf`, `-inf`, `nan`, surrounding ASCII whitespace
/// ignored.
///
/// # Errors
/// `invalid float: "s"` (`s` as given) for anything else.
pub fn parse_float(text: &str) -> Result<f64, Trap> {
    let trimmed = text.trim_ascii();
    let unsigned = trimmed.strip_prefix(['+', '-']).unwrap_or(trimmed);
    let plain = unsigned == "inf"
        || unsigned == "nan"
        || (unsigned.bytes().any(|byte| byte.is_ascii_digit())
            && unsigned
                .bytes()
                .all(|byte| matches!(byte, b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')));
    match trimmed.parse::<f64>() {
        Ok(value) if plain => Ok(value),
        _ => Err(invalid_float(text)),
    }
}

/// `str(i)`: the decimal text (inline in a [`Text`]: every int's text fits).
pub fn int_to_str(value: i64) -> Text {
    value.to_compact_string()
}

/// `str(b)`: `true` or `false`.
pub fn bool_to_str(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

/// `str(x)`: `x` as [`write_float`] writes it.
pub fn float_to_str(x: f64) -> String {
    let mut out = String::new();
    write_float(&mut out, x);
    out
}

/// A fixed-size text buffer, so formatting a number allocates nothing.
struct StackText {
    bytes: [u8; 40],
    len: usize,
}

impl StackText {
    fn new() -> StackText {
        StackText {
            bytes: [0; 40],
            len: 0,
        }
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(self.bytes.get(..self.len).unwrap_or_default()).unwrap_or_default()
    }
}

impl std::fmt::Write for StackText {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        let end = self.len + text.len();
        let slot = self.bytes.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        slot.copy_from_slice(text.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Appends `x` as Python's `repr` writes it: the shortest text that reads back to the same double;
/// plain decimal (with `.0` when it would look like an int) for decimal exponents in `-4..16`,
/// otherwise scientific with a signed exponent of at least two digits; `nan`, `inf`, `-inf`, `-0.0`.
pub fn write_float(out: &mut String, x: f64) {
    if x.is_nan() {
        out.push_str("nan");
        return;
    }
    if x.is_infinite() {
        out.push_str(if x > 0.0 { "inf" } else { "-inf" });
        return;
    }
    // `{:e}` gives the shortest round-trip digits: `1.5e20`, `-1e-5`, `0e0`.
    let mut scientific = StackText::new();
    if write!(scientific, "{x:e}").is_err() {
        let _ = write!(out, "{x}");
        return;
    }
    let text = scientific.as_str();
    let (mantissa, exponent) = text.split_once('e').unwrap_or((text, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, mantissa),
    };
    let mut digits = [0u8; 24];
    let mut count = 0;
    for byte in mantissa.bytes().filter(u8::is_ascii_digit) {
        if let Some(slot) = digits.get_mut(count) {
            *slot = byte;
            count += 1;
        }
    }
    let digits = std::str::from_utf8(&digits[..count]).unwrap_or("0");
    if negative {
        out.push('-');
    }
    if (-4..16).contains(&exponent) {
        if exponent >= 0 {
            let int_len = exponent as usize + 1;
            if digits.len() <= int_len {
                out.push_str(digits);
                out.extend(std::iter::repeat_n('0', int_len - digits.len()));
                out.push_str(".0");
            } else {
                out.push_str(&digits[..int_len]);
                out.push('.');
                out.push_str(&digits[int_len..]);
            }
        } else {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-exponent - 1) as usize));
            out.push_str(digits);
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let sign = if exponent < 0 { '-' } else { '+' };
        let _ = write!(out, "e{sign}{:02}", exponent.unsigned_abs());
    }
}

/// `to_fixed(x, digits)`: `x` with exactly `digits` decimals, rounding the exact decimal value of the
/// double to nearest with ties away from zero (`to_fixed(0.125, 2)` is `0.13`, `to_fixed(2.5, 0)`
/// is `3`); `nan`, `inf`, `-inf` for the special values.
///
/// # Errors
/// `invalid argument: to_fixed digits must be in 0..=20, got D` for `digits` outside `0..=20`.
pub fn to_fixed(x: f64, digits: i64) -> Result<String, Trap> {
    let Some(digits) = usize::try_from(digits)
        .ok()
        .filter(|&kept| kept as i64 <= TO_FIXED_MAX_DIGITS)
    else {
        return Err(Trap::invalid_argument(format_args!(
            "to_fixed digits must be in 0..={TO_FIXED_MAX_DIGITS}, got {digits}"
        )));
    };
    if x.is_nan() {
        return Ok("nan".to_string());
    }
    if x.is_infinite() {
        return Ok(if x > 0.0 { "inf" } else { "-inf" }.to_string());
    }
    // A double's exact decimal expansion has at most 1074 fractional digits, so with this precision
    // the text is exact and can be rounded by hand.
    let precision = digits.max(1100) + 1;
    let exact = format!("{:.*}", precision, x.abs());
    let (int_part, frac_part) = exact.split_once('.').unwrap_or((&exact, ""));
    let mut kept: Vec<u8> = int_part.bytes().collect();
    let mut int_len = kept.len();
    kept.extend(frac_part.bytes().take(digits));
    kept.resize(int_len + digits, b'0');
    if frac_part
        .as_bytes()
        .get(digits)
        .is_some_and(|&next| next >= b'5')
    {
        let mut carry = true;
        for byte in kept.iter_mut().rev() {
            if *byte == b'9' {
                *byte = b'0';
            } else {
                *byte += 1;
                carry = false;
                break;
            }
        }
        if carry {
            kept.insert(0, b'1');
            int_len += 1;
        }
    }
    let mut out = String::with_capacity(kept.len() + 2);
    if x.is_sign_negative() {
        out.push('-');
    }
    let kept = String::from_utf8(kept).unwrap_or_default();
    out.push_str(&kept[..int_len]);
    if digits > 0 {
        out.push('.');
        out.push_str(&kept[int_len..]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message<T: std::fmt::Debug>(result: Result<T, Trap>) -> String {
        result.unwrap_err().message
    }

    #[test]
    fn float_to_int_truncates_toward_zero() {
        assert_eq!(float_to_int(2.9), Ok(2));
        assert_eq!(float_to_int(-2.9), Ok(-2));
        assert_eq!(float_to_int(-0.0), Ok(0));
        assert_eq!(float_to_int(-9.223372036854776e18), Ok(i64::MIN));
    }

    #[test]
    fn float_to_int_refuses_what_has_no_int() {
        assert_eq!(message(float_to_int(f64::NAN)), "invalid int: \"nan\"");
        assert_eq!(message(float_to_int(f64::INFINITY)), "invalid int: \"inf\"");
        assert_eq!(
            message(float_to_int(9.223372036854776e18)),
            "invalid int: \"9.223372036854776e+18\""
        );
        assert_eq!(message(float_to_int(-1e19)), "invalid int: \"-1e+19\"");
    }

    #[test]
    fn int_parsing_trims_ascii_whitespace_only() {
        assert_eq!(parse_int(" 42 "), Ok(42));
        assert_eq!(parse_int("-7"), Ok(-7));
        assert_eq!(parse_int("+7"), Ok(7));
        assert_eq!(parse_int("-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(
            message(parse_int("9223372036854775808")),
            "invalid int: \"9223372036854775808\""
        );
        assert_eq!(message(parse_int("1.0")), "invalid int: \"1.0\"");
        assert_eq!(message(parse_int("\u{a0}1")), "invalid int: \"\u{a0}1\"");
        assert_eq!(message(parse_int("")), "invalid int: \"\"");
    }

    #[test]
    fn float_parsing_takes_decimals_exponents_and_specials() {
        assert_eq!(parse_float(" 2.5 "), Ok(2.5));
        assert_eq!(parse_float("1e3"), Ok(1000.0));
        assert_eq!(parse_float("-inf"), Ok(f64::NEG_INFINITY));
        assert!(parse_float("nan").is_ok_and(f64::is_nan));
        assert_eq!(
            message(parse_float("infinity")),
            "invalid float: \"infinity\""
        );
        assert_eq!(message(parse_float("0x10")), "invalid float: \"0x10\"");
        assert_eq!(message(parse_float(" . ")), "invalid float: \" . \"");
    }

    #[test]
    fn numbers_and_bools_as_text() {
        let mut samples = vec![0, 1, -1, 9, 10, -10, i64::MAX, i64::MIN, i64::MIN + 1];
        let mut power: i64 = 1;
        while let Some(next) = power.checked_mul(10) {
            samples.extend([power - 1, power, -power, next - 1]);
            power = next;
        }
        for n in samples {
            assert_eq!(&*int_to_str(n), n.to_string(), "{n}");
        }
        assert_eq!(bool_to_str(true), "true");
        assert_eq!(bool_to_str(false), "false");
        assert_eq!(int_to_float(i64::MAX), 9.223372036854776e18);
    }

    #[test]
    fn floats_print_like_python_repr() {
        // Each text is the shortest that reads back to its double, so it is what prints.
        let texts = [
            "1.0",
            "0.1",
            "100.0",
            "0.0",
            "-0.0",
            "-1.5",
            "123.456",
            "0.0001",
            "1e-05",
            "2.5e-07",
            "1e+16",
            "1.5e+20",
            "1e+100",
            "5e-324",
            "1.7976931348623157e+308",
            "nan",
            "inf",
            "-inf",
            "0.30000000000000004",
            "1234567890123456.0",
            "9999999999999998.0",
            "1000000000000000.0",
        ];
        for text in texts {
            let value: f64 = text.parse().expect("a float");
            assert_eq!(float_to_str(value), text);
        }
    }

    #[test]
    fn to_fixed_rounds_ties_away_from_zero() {
        let fixed = |x: f64, digits: i64| to_fixed(x, digits).unwrap();
        assert_eq!(fixed(1.0 / 3.0, 3), "0.333");
        assert_eq!(fixed(2.5, 0), "3");
        assert_eq!(fixed(-2.5, 0), "-3");
        assert_eq!(fixed(0.125, 2), "0.13");
        assert_eq!(fixed(1.005, 2), "1.00"); // 1.005 is 1.00499999999999989… as a double
        assert_eq!(fixed(9.999, 2), "10.00");
        assert_eq!(fixed(0.0, 2), "0.00");
        assert_eq!(fixed(123.0, 0), "123");
        assert_eq!(fixed(f64::NAN, 2), "nan");
        assert_eq!(fixed(f64::NEG_INFINITY, 2), "-inf");
        assert_eq!(fixed(1e21, 1), "1000000000000000000000.0");
        assert_eq!(fixed(0.5, 20), "0.50000000000000000000");
    }

    #[test]
    fn to_fixed_digits_are_checked() {
        for digits in [-1, 21, i64::MIN, i64::MAX] {
            assert_eq!(
                message(to_fixed(1.0, digits)),
                format!("invalid argument: to_fixed digits must be in 0..=20, got {digits}")
            );
        }
    }
}
