//! Shapes of forms and picks as the heap needs them: names (for printing) and how each field is held
//! (for printing and for finding references during marking). Built once per loaded module.

use crate::bytecode::{FieldDef, Module, ValueKind};

/// One field of a form or of a pick case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldLayout {
    /// Field name.
    pub name: String,
    /// How the field's value is held.
    pub kind: ValueKind,
}

/// A form's shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormLayout {
    /// Declared name (`Point`).
    pub name: String,
    /// Fields in declaration order.
    pub fields: Vec<FieldLayout>,
    /// Indices of the fields holding references.
    pub ref_fields: Box<[u16]>,
}

/// One case of a pick.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseLayout {
    /// Case name (`Circle`).
    pub name: String,
    /// Payload fields in order.
    pub fields: Vec<FieldLayout>,
    /// Indices of the payload fields holding references.
    pub ref_fields: Box<[u16]>,
}

/// A pick's shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PickLayout {
    /// Declared name (`Shape`).
    pub name: String,
    /// Cases in declaration order (a pick value's tag indexes this).
    pub cases: Vec<CaseLayout>,
}

/// The shapes of every form and pick of a module.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layouts {
    /// Indexed like [`Module::forms`].
    pub forms: Vec<FormLayout>,
    /// Indexed like [`Module::picks`].
    pub picks: Vec<PickLayout>,
}

impl Layouts {
    /// The layouts of `module`'s forms and picks. Unknown type ids count as non-reference fields.
    pub fn from_module(module: &Module) -> Layouts {
        let fields = |defs: &[FieldDef]| -> (Vec<FieldLayout>, Box<[u16]>) {
            let fields: Vec<FieldLayout> = defs
                .iter()
                .map(|field| FieldLayout {
                    name: field.name.clone(),
                    kind: module.ty(field.ty).map_or(ValueKind::Void, |ty| ty.kind()),
                })
                .collect();
            let refs = fields
                .iter()
                .enumerate()
                .filter(|(_, field)| field.kind == ValueKind::Ref)
                .filter_map(|(index, _)| u16::try_from(index).ok())
                .collect();
            (fields, refs)
        };
        let forms = module
            .forms
            .iter()
            .map(|form| {
                let (fields, ref_fields) = fields(&form.fields);
                FormLayout {
                    name: form.name.clone(),
                    fields,
                    ref_fields,
                }
            })
            .collect();
        let picks = module
            .picks
            .iter()
            .map(|pick| PickLayout {
                name: pick.name.clone(),
                cases: pick
                    .cases
                    .iter()
                    .map(|case| {
                        let (fields, ref_fields) = fields(&case.fields);
                        CaseLayout {
                            name: case.name.clone(),
                            fields,
                            ref_fields,
                        }
                    })
                    .collect(),
            })
            .collect();
        Layouts { forms, picks }
    }

    /// The layout of form `form`.
    pub fn form(&self, form: u32) -> Option<&FormLayout> {
        self.forms.get(form as usize)
    }

    /// The layout of case `case` of pick `pick`.
    pub fn case(&self, pick: u32, case: u32) -> Option<&CaseLayout> {
        self.picks.get(pick as usize)?.cases.get(case as usize)
    }
}
