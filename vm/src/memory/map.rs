//! Map keys and the hasher of Vitte maps.
//!
//! A map's key type is `int`, `bool` or `string`. Keys are stored by value ([`MapKey`]; string keys
//! own a copy of their text, inline when short, so hashing and comparing never needs the heap) and looked up through the
//! borrowed form [`KeyRef`], which hashes identically and implements [`Equivalent`], so a lookup with
//! a string held in a register allocates nothing.
//!
//! Maps are insertion-ordered [`IndexMap`]s with [`FxBuildHasher`], a small multiplicative hasher
//! (the one rustc uses): much faster than SipHash for short keys, and deterministic, which record and
//! replay need. Hash flooding is not a concern for a VM running its own programs.

use std::hash::{BuildHasherDefault, Hash, Hasher};

use indexmap::{Equivalent, IndexMap};

use super::text::Text;

/// The key type of a map.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// `int` keys.
    Int,
    /// `bool` keys.
    Bool,
    /// `string` keys.
    Str,
}

/// A stored map key.
#[derive(Clone, Debug)]
pub enum MapKey {
    /// An `int` key.
    Int(i64),
    /// A `bool` key.
    Bool(bool),
    /// A `string` key (its own copy of the text).
    Str(Text),
}

/// A borrowed map key, for lookups.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyRef<'a> {
    /// An `int` key.
    Int(i64),
    /// A `bool` key.
    Bool(bool),
    /// A `string` key.
    Str(&'a str),
}

impl MapKey {
    /// The borrowed form of this key.
    pub fn as_key_ref(&self) -> KeyRef<'_> {
        match self {
            MapKey::Int(value) => KeyRef::Int(*value),
            MapKey::Bool(value) => KeyRef::Bool(*value),
            MapKey::Str(text) => KeyRef::Str(text),
        }
    }
}

impl KeyRef<'_> {
    /// An owned copy of this key.
    pub fn to_owned_key(self) -> MapKey {
        match self {
            KeyRef::Int(value) => MapKey::Int(value),
            KeyRef::Bool(value) => MapKey::Bool(value),
            KeyRef::Str(text) => MapKey::Str(Text::new(text)),
        }
    }
}

impl Hash for KeyRef<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            KeyRef::Int(value) => value.hash(state),
            KeyRef::Bool(value) => value.hash(state),
            KeyRef::Str(text) => text.hash(state),
        }
    }
}

impl Hash for MapKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_key_ref().hash(state);
    }
}

impl PartialEq for MapKey {
    fn eq(&self, other: &MapKey) -> bool {
        self.as_key_ref() == other.as_key_ref()
    }
}

impl Eq for MapKey {}

impl Equivalent<MapKey> for KeyRef<'_> {
    fn equivalent(&self, key: &MapKey) -> bool {
        *self == key.as_key_ref()
    }
}

/// The multiplicative "Fx" hasher: one rotate, xor and multiply per word.
#[derive(Clone, Copy, Debug, Default)]
pub struct FxHasher {
    hash: u64,
}

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(FX_SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_u8(&mut self, value: u8) {
        self.add(u64::from(value));
    }

    #[inline]
    fn write_u64(&mut self, value: u64) {
        self.add(value);
    }

    #[inline]
    fn write_i64(&mut self, value: i64) {
        self.add(value as u64);
    }

    #[inline]
    fn write_usize(&mut self, value: usize) {
        self.add(value as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        // The low bits of a product only depend on the low bits of its factors; rotating brings the
        // well-mixed high bits down to where the table takes its bucket index.
        self.hash.rotate_left(26)
    }
}

/// Builds [`FxHasher`]s.
pub type FxBuildHasher = BuildHasherDefault<FxHasher>;

/// The entries of a Vitte map: insertion-ordered, values as untagged register words.
pub type MapEntries = IndexMap<MapKey, u64, FxBuildHasher>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn borrowed_and_owned_keys_hash_alike() {
        let build = FxBuildHasher::default();
        for key in [
            MapKey::Int(-3),
            MapKey::Bool(true),
            MapKey::Str("héllo wörld, long".into()),
        ] {
            assert_eq!(build.hash_one(&key), build.hash_one(key.as_key_ref()));
        }
    }

    #[test]
    fn lookup_by_borrowed_string() {
        let mut entries = MapEntries::default();
        entries.insert(MapKey::Str("a".into()), 1);
        entries.insert(MapKey::Str("b".into()), 2);
        assert_eq!(entries.get(&KeyRef::Str("b")), Some(&2));
        assert_eq!(entries.get(&KeyRef::Str("c")), None);
    }
}
