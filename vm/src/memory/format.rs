//! How values print: the one formatter used by `print`/`str` (through the `*.to.str` instructions),
//! by runtime error messages (`key not found: "k"`) and by debuggers.
//!
//! Floats print like Python's `repr` ([`write_float`]); strings are raw at top level and quoted with
//! escapes inside containers ([`StringStyle`]); arrays `[1, 2]`, maps `{"a": 1}`, forms
//! `Point { x: 1.0, y: 2.0 }`, picks `Circle(2.0)` / `Empty`, and `null`.
//!
//! [`write_value`] walks containers with an explicit stack, so neither a deeply nested value nor a very
//! long list can overflow the Rust stack. An object that contains itself prints as `[...]`, `{...}`,
//! `Name {...}` or `Case(...)` where it is met again inside itself.

use std::collections::HashSet;
use std::fmt::Write as _;

use crate::bytecode::ValueKind;

use super::heap::{Heap, Object};
use super::map::{FxBuildHasher, KeyRef};
use compact_str::ToCompactString as _;

use super::text::Text;

/// How a string value prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StringStyle {
    /// The text itself (a string printed at top level).
    Raw,
    /// Quoted, with `\\ \" \n \t \r \0` escaped (a string inside a container, a map key in a message).
    Quoted,
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

/// `int(s)`: optional sign and decimal digits, surrounding ASCII whitespace ignored; else the
/// runtime error's message `invalid int: "TEXT"`.
pub fn parse_int(text: &str) -> Result<i64, String> {
    text.trim_ascii()
        .parse::<i64>()
        .map_err(|_| format!("invalid int: \"{text}\""))
}

/// `float(s)`: decimal and exponent forms, `inf`, `-inf`, `nan`, surrounding ASCII whitespace
/// ignored; else the runtime error's message `invalid float: "TEXT"`.
pub fn parse_float(text: &str) -> Result<f64, String> {
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
        _ => Err(format!("invalid float: \"{text}\"")),
    }
}

/// `int(x)` for a float: truncation, or the message `invalid int: "TEXT"` outside the int range.
pub fn float_to_int(value: f64) -> Result<i64, String> {
    let truncated = value.trunc();
    if (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&truncated) {
        Ok(truncated as i64)
    } else {
        Err(format!("invalid int: \"{}\"", float_to_string(value)))
    }
}

/// `str(n)` for an int: its decimal text (inline: every int's text fits).
pub fn int_to_text(n: i64) -> Text {
    n.to_compact_string()
}

/// `x` as [`write_float`] writes it.
pub fn float_to_string(x: f64) -> String {
    let mut out = String::new();
    write_float(&mut out, x);
    out
}

/// `x` with exactly `digits` decimals, rounding the exact decimal value of the double to nearest with
/// ties away from zero (`to_fixed(0.125, 2)` is `0.13`, `to_fixed(2.5, 0)` is `3`); `nan`, `inf`,
/// `-inf` for the special values.
pub fn to_fixed(x: f64, digits: u32) -> String {
    if x.is_nan() {
        return "nan".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    let digits = digits as usize;
    // A double's exact decimal expansion has at most 1074 fractional digits, so with this precision
    // the text is exact and can be rounded by hand.
    let precision = digits.max(1100) + 1;
    let exact = format!("{:.*}", precision, x.abs());
    let (int_part, frac_part) = exact.split_once('.').unwrap_or((&exact, ""));
    let mut kept: Vec<u8> = int_part.bytes().collect();
    let int_len = kept.len();
    kept.extend(frac_part.bytes().take(digits));
    kept.resize(int_len + digits, b'0');
    let mut int_len = int_len;
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
    out
}

/// Appends `text` in double quotes with `\\ \" \n \t \r \0` escaped.
pub fn write_quoted(out: &mut String, text: &str) {
    out.push('"');
    let mut start = 0;
    for (index, byte) in text.bytes().enumerate() {
        let escape = match byte {
            b'\\' => "\\\\",
            b'"' => "\\\"",
            b'\n' => "\\n",
            b'\t' => "\\t",
            b'\r' => "\\r",
            b'\0' => "\\0",
            _ => continue,
        };
        out.push_str(&text[start..index]);
        out.push_str(escape);
        start = index + 1;
    }
    out.push_str(&text[start..]);
    out.push('"');
}

/// Appends a map key as it prints inside a map or an error message (strings quoted).
pub fn write_key(out: &mut String, key: KeyRef<'_>) {
    match key {
        KeyRef::Int(value) => {
            let _ = write!(out, "{value}");
        }
        KeyRef::Bool(value) => out.push_str(if value { "true" } else { "false" }),
        KeyRef::Str(text) => write_quoted(out, text),
    }
}

/// The value `bits`, held as `kind`, as text (see [`write_value`]).
pub fn format_value(heap: &Heap, kind: ValueKind, bits: u64, style: StringStyle) -> String {
    let mut out = String::new();
    write_value(&mut out, heap, kind, bits, style);
    out
}

/// A container being printed and the index of its next element.
#[derive(Clone, Copy)]
enum Open {
    Array { handle: u64, next: usize },
    Map { handle: u64, next: usize },
    Form { handle: u64, next: usize },
    Pick { handle: u64, next: usize },
}

/// What to do after looking at the innermost open container.
enum Step {
    Value(ValueKind, u64),
    Close(&'static str),
}

/// Appends the value `bits`, held as `kind`, as `print` writes it. `style` decides how a string
/// prints at top level; strings inside containers are always quoted. A stale reference prints as
/// `<invalid reference>`. When the heap has a [limit](Heap::set_limit), writing stops once the text
/// is longer than the limit (the caller then refuses to allocate it).
pub fn write_value(out: &mut String, heap: &Heap, kind: ValueKind, bits: u64, style: StringStyle) {
    let mut open: Vec<Open> = Vec::new();
    let mut on_path: HashSet<u64, FxBuildHasher> = HashSet::default();
    write_one(out, heap, kind, bits, style, &mut open, &mut on_path);
    let limit = heap.limit().unwrap_or(usize::MAX);
    while let Some(top) = open.last_mut() {
        if out.len() > limit {
            return;
        }
        let step = match top {
            Open::Array { handle, next } => match heap.array(*handle) {
                Ok(array) => match array.items.get(*next) {
                    Some(&item) => {
                        if *next > 0 {
                            out.push_str(", ");
                        }
                        *next += 1;
                        Step::Value(array.kind, item)
                    }
                    None => Step::Close("]"),
                },
                Err(_) => Step::Close("]"),
            },
            Open::Map { handle, next } => match heap.map(*handle) {
                Ok(map) => match map.entries.get_index(*next) {
                    Some((key, &value)) => {
                        if *next > 0 {
                            out.push_str(", ");
                        }
                        *next += 1;
                        write_key(out, key.as_key_ref());
                        out.push_str(": ");
                        Step::Value(map.value, value)
                    }
                    None => Step::Close("}"),
                },
                Err(_) => Step::Close("}"),
            },
            Open::Form { handle, next } => {
                let field = heap.form(*handle).ok().and_then(|form| {
                    let layout = heap.layouts().form(form.form)?;
                    Some((layout.fields.get(*next)?, *form.fields.get(*next)?))
                });
                match field {
                    Some((layout, value)) => {
                        if *next > 0 {
                            out.push_str(", ");
                        }
                        *next += 1;
                        out.push_str(&layout.name);
                        out.push_str(": ");
                        Step::Value(layout.kind, value)
                    }
                    None => Step::Close(" }"),
                }
            }
            Open::Pick { handle, next } => {
                let field = heap.pick(*handle).ok().and_then(|pick| {
                    let layout = heap.layouts().case(pick.pick, pick.case)?;
                    Some((layout.fields.get(*next)?.kind, *pick.payload.get(*next)?))
                });
                match field {
                    Some((kind, value)) => {
                        if *next > 0 {
                            out.push_str(", ");
                        }
                        *next += 1;
                        Step::Value(kind, value)
                    }
                    None => Step::Close(")"),
                }
            }
        };
        match step {
            Step::Value(kind, bits) => {
                write_one(
                    out,
                    heap,
                    kind,
                    bits,
                    StringStyle::Quoted,
                    &mut open,
                    &mut on_path,
                );
            }
            Step::Close(text) => {
                out.push_str(text);
                if let Some(closed) = open.pop() {
                    let (Open::Array { handle, .. }
                    | Open::Map { handle, .. }
                    | Open::Form { handle, .. }
                    | Open::Pick { handle, .. }) = closed;
                    on_path.remove(&handle);
                }
            }
        }
    }
}

/// Writes a scalar or a string, or opens a container (writing its opening text and pushing it).
fn write_one(
    out: &mut String,
    heap: &Heap,
    kind: ValueKind,
    bits: u64,
    style: StringStyle,
    open: &mut Vec<Open>,
    on_path: &mut HashSet<u64, FxBuildHasher>,
) {
    match kind {
        ValueKind::Int => {
            let _ = write!(out, "{}", bits as i64);
        }
        ValueKind::Float => write_float(out, f64::from_bits(bits)),
        ValueKind::Bool => out.push_str(if bits != 0 { "true" } else { "false" }),
        ValueKind::Void => out.push_str("void"),
        ValueKind::Ref if bits == 0 => out.push_str("null"),
        ValueKind::Ref => {
            let Ok(object) = heap.get(bits) else {
                out.push_str("<invalid reference>");
                return;
            };
            let cycle = on_path.contains(&bits);
            match object {
                Object::Free => out.push_str("<invalid reference>"),
                Object::Str(text) => match style {
                    StringStyle::Raw => out.push_str(text),
                    StringStyle::Quoted => write_quoted(out, text),
                },
                Object::Builder(text) => match style {
                    StringStyle::Raw => out.push_str(text),
                    StringStyle::Quoted => write_quoted(out, text),
                },
                Object::Thread(id) => {
                    out.push_str("<thread ");
                    out.push_str(&id.to_string());
                    out.push('>');
                }
                Object::Chan(_) => out.push_str("<chan>"),
                Object::Array(_) if cycle => out.push_str("[...]"),
                Object::Array(_) => {
                    out.push('[');
                    open.push(Open::Array {
                        handle: bits,
                        next: 0,
                    });
                    on_path.insert(bits);
                }
                Object::Map(_) if cycle => out.push_str("{...}"),
                Object::Map(_) => {
                    out.push('{');
                    open.push(Open::Map {
                        handle: bits,
                        next: 0,
                    });
                    on_path.insert(bits);
                }
                Object::Form(form) => {
                    let layout = heap.layouts().form(form.form);
                    out.push_str(layout.map_or("<form>", |layout| &layout.name));
                    if cycle {
                        out.push_str(" {...}");
                    } else if form.fields.is_empty() {
                        out.push_str(" {}");
                    } else {
                        out.push_str(" { ");
                        open.push(Open::Form {
                            handle: bits,
                            next: 0,
                        });
                        on_path.insert(bits);
                    }
                }
                Object::Pick(pick) => {
                    let layout = heap.layouts().case(pick.pick, pick.case);
                    out.push_str(layout.map_or("<case>", |layout| &layout.name));
                    if cycle {
                        out.push_str("(...)");
                    } else if !pick.payload.is_empty() {
                        out.push('(');
                        open.push(Open::Pick {
                            handle: bits,
                            next: 0,
                        });
                        on_path.insert(bits);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::layout::{CaseLayout, FieldLayout, FormLayout, Layouts, PickLayout};
    use crate::memory::map::KeyKind;

    #[test]
    fn int_text_is_the_decimal_text_for_every_magnitude() {
        let mut samples = vec![0, 1, -1, 9, 10, -10, i64::MAX, i64::MIN, i64::MIN + 1];
        let mut power: i64 = 1;
        while let Some(next) = power.checked_mul(10) {
            samples.extend([power - 1, power, -power, next - 1]);
            power = next;
        }
        for n in samples {
            assert_eq!(&*int_to_text(n), n.to_string(), "{n}");
        }
    }

    #[test]
    fn floats_print_like_python_repr() {
        let table: &[(f64, &str)] = &[
            (1.0, "1.0"),
            (0.1, "0.1"),
            (100.0, "100.0"),
            (1e16, "1e+16"),
            (1e-05, "1e-05"),
            (1.5e20, "1.5e+20"),
            (f64::NAN, "nan"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (1234567890123456.0, "1234567890123456.0"),
            (0.30000000000000004, "0.30000000000000004"),
            (2.5e-07, "2.5e-07"),
            (0.0001, "0.0001"),
            (123.456, "123.456"),
            (-1.5, "-1.5"),
            (1e100, "1e+100"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (9999999999999998.0, "9999999999999998.0"),
            (1e15, "1000000000000000.0"),
        ];
        for &(value, expected) in table {
            assert_eq!(float_to_string(value), expected, "{value:?}");
        }
    }

    #[test]
    fn to_fixed_rounds_ties_away_from_zero() {
        assert_eq!(to_fixed(1.0 / 3.0, 3), "0.333");
        assert_eq!(to_fixed(2.5, 0), "3");
        assert_eq!(to_fixed(-2.5, 0), "-3");
        assert_eq!(to_fixed(0.125, 2), "0.13");
        assert_eq!(to_fixed(1.005, 2), "1.00"); // 1.005 is 1.00499999999999989… as a double
        assert_eq!(to_fixed(9.999, 2), "10.00");
        assert_eq!(to_fixed(0.0, 2), "0.00");
        assert_eq!(to_fixed(123.0, 0), "123");
        assert_eq!(to_fixed(f64::NAN, 2), "nan");
        assert_eq!(to_fixed(f64::NEG_INFINITY, 2), "-inf");
        assert_eq!(to_fixed(1e21, 1), "1000000000000000000000.0");
    }

    #[test]
    fn strings_are_escaped_when_quoted() {
        let mut out = String::new();
        write_quoted(&mut out, "a\"b\\c\nd\te\rf\0g");
        assert_eq!(out, r#""a\"b\\c\nd\te\rf\0g""#);
    }

    fn layouts() -> Layouts {
        let field = |name: &str, kind| FieldLayout {
            name: name.into(),
            kind,
        };
        Layouts {
            forms: vec![
                FormLayout {
                    name: "Point".into(),
                    fields: vec![field("x", ValueKind::Float), field("y", ValueKind::Float)],
                    ref_fields: Box::new([]),
                },
                FormLayout {
                    name: "Unit".into(),
                    fields: vec![],
                    ref_fields: Box::new([]),
                },
            ],
            picks: vec![PickLayout {
                name: "Shape".into(),
                cases: vec![
                    CaseLayout {
                        name: "Rect".into(),
                        fields: vec![field("w", ValueKind::Float), field("label", ValueKind::Ref)],
                        ref_fields: Box::new([1]),
                    },
                    CaseLayout {
                        name: "Empty".into(),
                        fields: vec![],
                        ref_fields: Box::new([]),
                    },
                ],
            }],
        }
    }

    #[test]
    fn containers_print_with_quoted_strings() {
        let mut heap = Heap::new(layouts());
        let a = heap.alloc_string("a".into());
        let array = heap.alloc_array(ValueKind::Ref, vec![a, 0]);
        assert_eq!(
            format_value(&heap, ValueKind::Ref, array, StringStyle::Raw),
            r#"["a", null]"#
        );
        assert_eq!(
            format_value(&heap, ValueKind::Ref, a, StringStyle::Raw),
            "a"
        );
        assert_eq!(
            format_value(&heap, ValueKind::Ref, a, StringStyle::Quoted),
            "\"a\""
        );

        let map = heap.alloc_map(KeyKind::Str, ValueKind::Int);
        heap.map_set(map, a, 1).unwrap();
        let b = heap.alloc_string("b\n".into());
        heap.map_set(map, b, 2).unwrap();
        assert_eq!(
            format_value(&heap, ValueKind::Ref, map, StringStyle::Raw),
            r#"{"a": 1, "b\n": 2}"#
        );
        let empty = heap.alloc_map(KeyKind::Int, ValueKind::Bool);
        assert_eq!(
            format_value(&heap, ValueKind::Ref, empty, StringStyle::Raw),
            "{}"
        );

        let point = heap.alloc_form(0, &[1f64.to_bits(), 2.5f64.to_bits()]);
        assert_eq!(
            format_value(&heap, ValueKind::Ref, point, StringStyle::Raw),
            "Point { x: 1.0, y: 2.5 }"
        );
        let unit = heap.alloc_form(1, &[]);
        assert_eq!(
            format_value(&heap, ValueKind::Ref, unit, StringStyle::Raw),
            "Unit {}"
        );
        let rect = heap.alloc_pick(0, 0, &[2f64.to_bits(), a]);
        assert_eq!(
            format_value(&heap, ValueKind::Ref, rect, StringStyle::Raw),
            r#"Rect(2.0, "a")"#
        );
        let nothing = heap.alloc_pick(0, 1, &[]);
        let nested = heap.alloc_array(ValueKind::Ref, vec![nothing, rect]);
        assert_eq!(
            format_value(&heap, ValueKind::Ref, nested, StringStyle::Raw),
            r#"[Empty, Rect(2.0, "a")]"#
        );
        assert_eq!(
            format_value(&heap, ValueKind::Ref, 0, StringStyle::Raw),
            "null"
        );
    }

    #[test]
    fn cycles_print_once() {
        let mut heap = Heap::new(layouts());
        let outer = heap.alloc_array(ValueKind::Ref, vec![]);
        heap.array_push(outer, outer).unwrap();
        let sibling = heap.alloc_array(ValueKind::Int, vec![1]);
        heap.array_push(outer, sibling).unwrap();
        heap.array_push(outer, sibling).unwrap();
        assert_eq!(
            format_value(&heap, ValueKind::Ref, outer, StringStyle::Raw),
            "[[...], [1], [1]]"
        );
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let mut heap = Heap::new(layouts());
        let mut value = heap.alloc_array(ValueKind::Int, vec![]);
        for _ in 0..100_000 {
            value = heap.alloc_array(ValueKind::Ref, vec![value]);
        }
        let text = format_value(&heap, ValueKind::Ref, value, StringStyle::Raw);
        assert_eq!(text.len(), 2 * 100_001);
    }
}
