//! Looking inside values while a debugged program is stopped: a short display text, the type's
//! name, and children (array elements, map entries, form fields, pick payloads) for variable views
//! that page through big collections. Everything reads the heap; nothing allocates in it.

use std::fmt::Write as _;

use crate::bytecode::{FieldDef, Module, Type, TypeId, ValueKind};
use crate::memory::format::{write_key, write_quoted};
use crate::memory::{Heap, KeyKind, KeyRef, Object};
use crate::semantics::convert::{bool_to_str, write_float};

use super::{Place, Variable};

/// A value as the debugger sees it: its static type and its register word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Value {
    /// The static type (index into the module's types).
    pub ty: TypeId,
    /// The register word (int bits, float bits, 0/1, or a heap handle with 0 for `null`).
    pub bits: u64,
}

/// How many children a value has, split the way debuggers page them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChildCount {
    /// Array elements, reached by position.
    pub indexed: usize,
    /// Map entries, form fields, pick payload fields.
    pub named: usize,
}

impl ChildCount {
    /// True when the value has no children (a scalar, a string, `null`, an empty collection).
    pub fn is_empty(&self) -> bool {
        self.indexed == 0 && self.named == 0
    }
}

/// Longest display text before it is cut with `…`.
const DISPLAY_BUDGET: usize = 240;
/// How many children of a collection the display text shows at most.
const DISPLAY_CHILDREN: usize = 64;
/// How deep the display text looks into nested values.
const DISPLAY_DEPTH: usize = 3;

/// The name of type `ty` as the language writes it (`[int]`, `Map[string, Point]`, `?string`).
pub fn type_name(module: &Module, ty: TypeId) -> String {
    crate::bytecode::disasm::type_name(module, ty)
}

/// How values of type `ty` are held.
pub fn kind_of(module: &Module, ty: TypeId) -> ValueKind {
    module.ty(ty).map_or(ValueKind::Void, Type::kind)
}

/// A short text for `value` as a debugger shows it: numbers as the language prints them, strings
/// quoted, collections and records written out up to a few levels and about 240 characters (then
/// `…`), `null`.
pub fn display(module: &Module, heap: &Heap, value: Value) -> String {
    let mut out = String::new();
    write_display(&mut out, module, heap, value, 0);
    if out.len() > DISPLAY_BUDGET {
        let mut cut = DISPLAY_BUDGET;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push('…');
    }
    out
}

fn write_display(out: &mut String, module: &Module, heap: &Heap, value: Value, depth: usize) {
    if out.len() > DISPLAY_BUDGET {
        return;
    }
    match kind_of(module, value.ty) {
        ValueKind::Void => out.push_str("void"),
        ValueKind::Int => {
            let _ = write!(out, "{}", value.bits as i64);
        }
        ValueKind::Float => write_float(out, f64::from_bits(value.bits)),
        ValueKind::Bool => out.push_str(bool_to_str(value.bits != 0)),
        ValueKind::Ref => write_reference(out, module, heap, value, depth),
    }
}

fn write_reference(out: &mut String, module: &Module, heap: &Heap, value: Value, depth: usize) {
    if value.bits == 0 {
        out.push_str("null");
        return;
    }
    let Ok(object) = heap.get(value.bits) else {
        out.push_str("<invalid reference>");
        return;
    };
    match object {
        Object::Str(text) => write_quoted(out, text),
        Object::Builder(text) => write_quoted(out, text),
        Object::Thread(id) => {
            let _ = write!(out, "<thread {id}>");
        }
        Object::Chan(chan) => {
            let _ = write!(out, "<channel ({} buffered)>", chan.buffer.len());
        }
        Object::Free => out.push_str("<freed object>"),
        _ if depth >= DISPLAY_DEPTH => out.push('…'),
        _ => {
            let count = child_count(module, heap, value);
            let all = children(module, heap, value, 0, DISPLAY_CHILDREN);
            let total = count.indexed + count.named;
            let (open, close) = match object {
                Object::Array(_) => ("[", "]"),
                Object::Map(_) => ("{", "}"),
                Object::Form(form) => {
                    let name = module
                        .forms
                        .get(form.form as usize)
                        .map_or("?", |f| &f.name);
                    out.push_str(name);
                    (" { ", " }")
                }
                Object::Pick(pick) => {
                    let case = module
                        .picks
                        .get(pick.pick as usize)
                        .and_then(|p| p.cases.get(pick.case as usize))
                        .map_or("?", |c| &c.name);
                    out.push_str(case);
                    if all.is_empty() {
                        return;
                    }
                    ("(", ")")
                }
                _ => ("", ""),
            };
            out.push_str(open);
            for (position, child) in all.iter().enumerate() {
                if out.len() > DISPLAY_BUDGET {
                    break;
                }
                if position > 0 {
                    out.push_str(", ");
                }
                match object {
                    Object::Map(_) | Object::Form(_) => {
                        out.push_str(&child.name);
                        out.push_str(": ");
                    }
                    _ => {}
                }
                write_display(out, module, heap, child.value, depth + 1);
            }
            if total > all.len() {
                out.push_str(", …");
            }
            out.push_str(close);
        }
    }
}

/// How many children `value` has (none for `null`, scalars, strings, threads and channels).
pub fn child_count(module: &Module, heap: &Heap, value: Value) -> ChildCount {
    if kind_of(module, value.ty) != ValueKind::Ref || value.bits == 0 {
        return ChildCount::default();
    }
    match heap.get(value.bits) {
        Ok(Object::Array(array)) => ChildCount {
            indexed: array.items.len(),
            named: 0,
        },
        Ok(Object::Map(map)) => ChildCount {
            indexed: 0,
            named: map.entries.len(),
        },
        Ok(Object::Form(form)) => ChildCount {
            indexed: 0,
            named: form.fields.len(),
        },
        Ok(Object::Pick(pick)) => ChildCount {
            indexed: 0,
            named: pick.payload.len(),
        },
        _ => ChildCount::default(),
    }
}

/// The field definitions of the pick case or form `value` holds.
fn field_defs<'m>(module: &'m Module, object: &Object) -> &'m [FieldDef] {
    match object {
        Object::Form(form) => module
            .forms
            .get(form.form as usize)
            .map_or(&[], |f| f.fields.as_slice()),
        Object::Pick(pick) => module
            .picks
            .get(pick.pick as usize)
            .and_then(|p| p.cases.get(pick.case as usize))
            .map_or(&[], |c| c.fields.as_slice()),
        _ => &[],
    }
}

/// The key text of a map entry (`"a"` quoted, numbers and booleans plain).
fn key_text(key: KeyRef<'_>) -> String {
    let mut out = String::new();
    write_key(&mut out, key);
    out
}

/// Children `start..start + count` of `value` (fewer at the end), in order: array elements by
/// position, map entries in insertion order, fields in declaration order.
pub fn children(
    module: &Module,
    heap: &Heap,
    value: Value,
    start: usize,
    count: usize,
) -> Vec<Variable> {
    if kind_of(module, value.ty) != ValueKind::Ref || value.bits == 0 {
        return Vec::new();
    }
    let ty = module.strip_nullable(value.ty);
    let Ok(object) = heap.get(value.bits) else {
        return Vec::new();
    };
    let end = |len: usize| start.saturating_add(count).min(len);
    match (object, module.ty(ty)) {
        (Object::Array(array), Some(Type::Array(element))) => (start.min(array.items.len())
            ..end(array.items.len()))
            .map(|index| Variable {
                name: format!("[{index}]"),
                value: Value {
                    ty: *element,
                    bits: array.items[index],
                },
                place: Place::Element {
                    array: value.bits,
                    index,
                },
            })
            .collect(),
        (Object::Map(map), Some(Type::Map(_, value_ty))) => {
            let len = map.entries.len();
            (start.min(len)..end(len))
                .filter_map(|position| {
                    let (key, &bits) = map.entries.get_index(position)?;
                    Some(Variable {
                        name: key_text(key.as_key_ref()),
                        value: Value {
                            ty: *value_ty,
                            bits,
                        },
                        place: Place::Entry {
                            map: value.bits,
                            position,
                        },
                    })
                })
                .collect()
        }
        (Object::Form(_) | Object::Pick(_), _) => {
            let values: &[u64] = match object {
                Object::Form(form) => &form.fields,
                Object::Pick(pick) => &pick.payload,
                _ => &[],
            };
            let defs = field_defs(module, object);
            (start.min(values.len())..end(values.len()))
                .filter_map(|index| {
                    let def = defs.get(index)?;
                    Some(Variable {
                        name: def.name.clone(),
                        value: Value {
                            ty: def.ty,
                            bits: values[index],
                        },
                        place: Place::Field {
                            object: value.bits,
                            index,
                        },
                    })
                })
                .collect()
        }
        _ => Vec::new(),
    }
}

/// The field `name` of a form value, or of a pick value's payload.
pub fn field(module: &Module, heap: &Heap, value: Value, name: &str) -> Option<Variable> {
    let object = heap.get(value.bits).ok()?;
    let index = field_defs(module, object)
        .iter()
        .position(|def| def.name == name)?;
    children(module, heap, value, index, 1).pop()
}

/// The name of the case a pick value holds.
pub fn case_name<'m>(module: &'m Module, heap: &Heap, value: Value) -> Option<&'m str> {
    let pick = heap.pick(value.bits).ok()?;
    let case = module
        .picks
        .get(pick.pick as usize)?
        .cases
        .get(pick.case as usize)?;
    Some(&case.name)
}

/// Element `index` of an array value.
///
/// # Errors
/// `index N out of bounds for length L`, or a message when `value` is not an array.
pub fn element(module: &Module, heap: &Heap, value: Value, index: i64) -> Result<Variable, String> {
    let array = heap
        .array(value.bits)
        .map_err(|_| "not an array".to_string())?;
    let len = array.items.len();
    let position = usize::try_from(index)
        .ok()
        .filter(|&position| position < len)
        .ok_or_else(|| format!("index {index} out of bounds for length {len}"))?;
    children(module, heap, value, position, 1)
        .pop()
        .ok_or_else(|| "not an array".to_string())
}

/// The entry of a map value under `key`.
///
/// # Errors
/// `key not found: K`, or a message when `value` is not a map or the key has the wrong type.
pub fn lookup(
    module: &Module,
    heap: &Heap,
    value: Value,
    key: KeyRef<'_>,
) -> Result<Variable, String> {
    let map = heap.map(value.bits).map_err(|_| "not a map".to_string())?;
    let matches = matches!(
        (map.key, key),
        (KeyKind::Int, KeyRef::Int(_))
            | (KeyKind::Bool, KeyRef::Bool(_))
            | (KeyKind::Str, KeyRef::Str(_))
    );
    if !matches {
        return Err("the key has the wrong type for this map".to_string());
    }
    let position = map
        .entries
        .get_index_of(&key.to_owned_key())
        .ok_or_else(|| format!("key not found: {}", key_text(key)))?;
    children(module, heap, value, position, 1)
        .pop()
        .ok_or_else(|| "not a map".to_string())
}
