//! How values print: the one formatter used by `print`/`str` (through the `*.to.str` instructions),
//! by runtime error messages (`key not found: "k"`) and by debuggers.
//!
//! Numbers and bools print as `str` gives them ([`semantics::convert`](crate::semantics::convert): floats
//! like Python's `repr`); strings are raw at top level and quoted with escapes inside containers
//! ([`StringStyle`]); arrays `[1, 2]`, maps `{"a": 1}`, forms
//! `Point { x: 1.0, y: 2.0 }`, picks `Circle(2.0)` / `Empty`, and `null`.
//!
//! [`write_value`] walks containers with an explicit stack, so neither a deeply nested value nor a very
//! long list can overflow the Rust stack. An object that contains itself prints as `[...]`, `{...}`,
//! `Name {...}` or `Case(...)` where it is met again inside itself.

use std::collections::HashSet;
use std::fmt::Write as _;

use crate::bytecode::ValueKind;
use crate::semantics::convert::{bool_to_str, write_float};

use super::heap::{Heap, Object};
use super::map::{FxBuildHasher, KeyRef};

/// How a string value prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StringStyle {
    /// The text itself (a string printed at top level).
    Raw,
    /// Quoted, with `\\ \" \n \t \r \0` escaped (a string inside a container, a map key in a message).
    Quoted,
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
        KeyRef::Bool(value) => out.push_str(bool_to_str(value)),
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
        ValueKind::Bool => out.push_str(bool_to_str(bits != 0)),
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
