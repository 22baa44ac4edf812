//! Comparisons: `== != < <= > >=`.
//!
//! Ints compare as numbers. Floats compare as IEEE 754 doubles: `nan` is unordered, so every
//! comparison with it is false except `!=`, and `-0.0 == 0.0`. Strings compare byte-wise
//! (lexicographic order of their UTF-8 bytes). Bools have `==` and `!=` only.

use std::cmp::Ordering;

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Comparison {
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
}

impl Comparison {
    /// Every comparison: `== != < <= > >=`.
    pub const ALL: [Comparison; 6] = [
        Comparison::Eq,
        Comparison::Ne,
        Comparison::Lt,
        Comparison::Le,
        Comparison::Gt,
        Comparison::Ge,
    ];

    /// Whether the comparison holds for two operands ordered as `ordering` (`None`: unordered,
    /// as `nan` is with every float).
    pub fn holds(self, ordering: Option<Ordering>) -> bool {
        use Ordering::{Equal, Greater, Less};
        match self {
            Comparison::Eq => ordering == Some(Equal),
            Comparison::Ne => ordering != Some(Equal),
            Comparison::Lt => ordering == Some(Less),
            Comparison::Le => matches!(ordering, Some(Less | Equal)),
            Comparison::Gt => ordering == Some(Greater),
            Comparison::Ge => matches!(ordering, Some(Greater | Equal)),
        }
    }

    /// True for `==` and `!=`, the comparisons every type has.
    pub fn is_equality(self) -> bool {
        matches!(self, Comparison::Eq | Comparison::Ne)
    }
}

/// `a op b` on ints.
pub fn int(op: Comparison, a: i64, b: i64) -> bool {
    op.holds(Some(a.cmp(&b)))
}

/// `a op b` on floats.
pub fn float(op: Comparison, a: f64, b: f64) -> bool {
    op.holds(a.partial_cmp(&b))
}

/// `a op b` on strings: byte-wise.
pub fn str(op: Comparison, a: &str, b: &str) -> bool {
    op.holds(Some(a.as_bytes().cmp(b.as_bytes())))
}

/// `a op b` on bools; `None` for an ordering (bools have only `==` and `!=`).
pub fn bool(op: Comparison, a: bool, b: bool) -> Option<bool> {
    op.is_equality().then(|| op.holds(Some(a.cmp(&b))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints_compare_as_numbers() {
        let holding: Vec<bool> = Comparison::ALL.iter().map(|&op| int(op, -1, 1)).collect();
        assert_eq!(holding, [false, true, true, true, false, false]);
        let holding: Vec<bool> = Comparison::ALL
            .iter()
            .map(|&op| int(op, i64::MIN, i64::MIN))
            .collect();
        assert_eq!(holding, [true, false, false, true, false, true]);
    }

    #[test]
    fn nan_is_unordered() {
        for x in [f64::NAN, 0.0, f64::INFINITY] {
            let holding: Vec<bool> = Comparison::ALL
                .iter()
                .map(|&op| float(op, f64::NAN, x))
                .collect();
            assert_eq!(holding, [false, true, false, false, false, false], "{x}");
        }
        assert!(float(Comparison::Eq, -0.0, 0.0));
        assert!(float(Comparison::Lt, f64::NEG_INFINITY, -1e308));
    }

    #[test]
    fn strings_compare_byte_wise() {
        assert!(str(Comparison::Lt, "B", "a"));
        assert!(str(Comparison::Lt, "ab", "abc"));
        assert!(str(Comparison::Gt, "é", "z"));
        assert!(str(Comparison::Eq, "", ""));
        assert!(str(Comparison::Ne, "a", "A"));
    }

    #[test]
    fn bools_have_only_equality() {
        assert_eq!(bool(Comparison::Eq, true, true), Some(true));
        assert_eq!(bool(Comparison::Ne, true, false), Some(true));
        assert_eq!(bool(Comparison::Lt, false, true), None);
    }
}
