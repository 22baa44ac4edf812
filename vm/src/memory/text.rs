//! The text of a string object and of a string map key: [`Text`], which keeps up to 24 bytes inline
//! and longer text in one heap buffer.
//!
//! Most strings a program makes are short (numbers turned to text, map keys, words, characters), and
//! storing them inline makes `str(i)`, `"k" + str(i)` and a map insert with such a key allocate
//! nothing but the object's slot. [`Text`] is as large as a `String` (24 bytes), so neither the object
//! table nor a map entry grows for it.

pub use compact_str::CompactString as Text;

/// Bytes `text` holds outside itself: its buffer when the text is too long to be inline, else none.
#[inline]
pub fn outside_bytes(text: &Text) -> usize {
    if text.is_heap_allocated() {
        text.capacity()
    } else {
        0
    }
}

/// `text` as a [`Text`], without spare capacity: inline when short enough, else in a buffer of its
/// exact length.
pub fn from_string(mut text: String) -> Text {
    if text.len() > size_of::<Text>() {
        text.shrink_to_fit();
    }
    Text::from(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_inline_and_long_text_counts_its_buffer() {
        let short = from_string("k1234567".to_string());
        assert!(!short.is_heap_allocated());
        assert_eq!(outside_bytes(&short), 0);
        let mut long = String::with_capacity(100);
        long.push_str("a string of more than twenty-four bytes");
        let long = from_string(long);
        assert!(long.is_heap_allocated());
        assert_eq!(outside_bytes(&long), long.len());
        assert_eq!(long, "a string of more than twenty-four bytes");
    }
}
