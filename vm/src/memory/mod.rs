//! Memory: the garbage-collected heap ([`heap`]), its collector ([`gc`]), map keys ([`map`]), the
//! text of strings ([`text`]), the shapes of forms and picks ([`layout`]) and value formatting
//! ([`format`](mod@format)).
//!
//! Registers hold untagged 64-bit words; a reference is an index into the heap's object table, with 0
//! for `null`. What a word means comes from the static type of where it is stored (register, global,
//! field, element), which is also how the collector finds references precisely.

pub mod format;
pub mod gc;
pub mod heap;
pub mod layout;
pub mod map;
pub mod text;

pub use format::{StringStyle, format_value, write_value};
pub use heap::{
    ArrayObject, Fields, FormObject, Heap, HeapStats, KindStats, MapObject, Object, PickObject,
};
pub use layout::Layouts;
pub use map::{KeyKind, KeyRef, MapKey};
pub use text::Text;
