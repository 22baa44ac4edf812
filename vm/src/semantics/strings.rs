//! The string operations: `+` (concatenation) and the built-ins `substr`, `find`, `split` and `join`.
//!
//! Offsets and lengths are in bytes of the UTF-8 text; an offset inside a multi-byte character is an
//! error rather than a broken string.

use crate::error::Trap;

/// `a + b` on strings.
pub fn concat(a: &str, b: &str) -> String {
    let mut text = String::with_capacity(a.len() + b.len());
    text.push_str(a);
    text.push_str(b);
    text
}

/// `substr(s, start, end)`: bytes `start..end` of `text`.
///
/// # Errors
/// `index out of bounds: index I, length N` when `start` or `end` lies outside `0..=len(s)` or
/// `end < start` (I is the offending offset, `start` checked first); `invalid argument: byte I is
/// inside a character` when an offset splits a character.
pub fn substr(text: &str, start: i64, end: i64) -> Result<&str, Trap> {
    let length = text.len();
    let in_range = |offset: i64| {
        usize::try_from(offset)
            .ok()
            .filter(|&offset| offset <= length)
    };
    let Some(from) = in_range(start) else {
        return Err(Trap::index_out_of_bounds(start, length));
    };
    let Some(to) = in_range(end).filter(|&to| to >= from) else {
        return Err(Trap::index_out_of_bounds(end, length));
    };
    for offset in [from, to] {
        if !text.is_char_boundary(offset) {
            return Err(Trap::invalid_argument(format_args!(
                "byte {offset} is inside a character"
            )));
        }
    }
    Ok(text.get(from..to).unwrap_or_default())
}

/// `find(s, needle)`: the byte offset of the first occurrence of `needle` in `text`, or -1
/// (`find(s, "")` is 0).
pub fn find(text: &str, needle: &str) -> i64 {
    text.find(needle).map_or(-1, |offset| offset as i64)
}

/// `split(s, sep)`: the parts of `text` between occurrences of `separator` (`split("a,,b", ",")` is
/// `["a", "", "b"]`); its characters when `separator` is empty.
pub fn split<'t>(text: &'t str, separator: &str) -> Vec<&'t str> {
    if separator.is_empty() {
        text.char_indices()
            .map(|(index, c)| &text[index..index + c.len_utf8()])
            .collect()
    } else {
        text.split(separator).collect()
    }
}

/// How long [`join`] of `parts` and `separator` is, in bytes (saturating).
pub fn joined_len(parts: &[&str], separator: &str) -> usize {
    let separators = separator
        .len()
        .saturating_mul(parts.len().saturating_sub(1));
    parts
        .iter()
        .fold(separators, |total, part| total.saturating_add(part.len()))
}

/// `join(parts, sep)`: the parts with `separator` between each two.
pub fn join(parts: &[&str], separator: &str) -> String {
    let joined: Result<String, std::convert::Infallible> =
        join_each(parts.iter().map(|&part| Ok(part)), separator);
    match joined {
        Ok(text) => text,
        Err(never) => match never {},
    }
}

/// [`join`] of parts read one by one, each of which may fail to be read (a heap string); stops at the
/// first failure. Nothing is gathered first, so joining a large array costs only the result.
pub fn join_each<'p, E>(
    parts: impl IntoIterator<Item = Result<&'p str, E>>,
    separator: &str,
) -> Result<String, E> {
    let mut out = String::new();
    for (index, part) in parts.into_iter().enumerate() {
        if index > 0 {
            out.push_str(separator);
        }
        out.push_str(part?);
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
    fn substr_takes_byte_offsets_end_exclusive() {
        assert_eq!(substr("hello", 1, 3), Ok("el"));
        assert_eq!(substr("hello", 0, 5), Ok("hello"));
        assert_eq!(substr("hello", 5, 5), Ok(""));
        assert_eq!(substr("", 0, 0), Ok(""));
    }

    #[test]
    fn substr_checks_start_first_then_end() {
        let out_of_bounds = |index: i64| format!("index out of bounds: index {index}, length 3");
        for (start, end, offending) in [(-1, 9, -1), (4, 4, 4), (2, 1, 1), (0, i64::MIN, i64::MIN)]
        {
            assert_eq!(message(substr("abc", start, end)), out_of_bounds(offending));
        }
    }

    #[test]
    fn substr_refuses_to_split_a_character() {
        for (start, end) in [(0, 2), (2, 3)] {
            assert_eq!(
                message(substr("héllo", start, end)),
                "invalid argument: byte 2 is inside a character"
            );
        }
        assert_eq!(substr("héllo", 1, 3), Ok("é"));
    }

    #[test]
    fn find_gives_a_byte_offset_or_minus_one() {
        assert_eq!(find("héllo", "l"), 3);
        assert_eq!(find("abc", "d"), -1);
        assert_eq!(find("abc", ""), 0);
        assert_eq!(find("", ""), 0);
    }

    #[test]
    fn split_keeps_empty_parts_and_splits_characters_on_an_empty_separator() {
        assert_eq!(split("a,,b", ","), ["a", "", "b"]);
        assert_eq!(split("", ","), [""]);
        assert_eq!(split("hé", ""), ["h", "é"]);
        assert!(split("", "").is_empty());
        assert_eq!(split("a--b", "--"), ["a", "b"]);
    }

    #[test]
    fn join_and_concat() {
        assert_eq!(join(&["a", "", "b"], ","), "a,,b");
        assert_eq!(join(&[], ","), "");
        assert_eq!(joined_len(&["a", "", "b"], ", "), 6);
        assert_eq!(joined_len(&[], ", "), 0);
        let failing: Result<String, &str> = join_each([Ok("a"), Err("unreadable"), Ok("b")], ",");
        assert_eq!(failing, Err("unreadable"));
        assert_eq!(concat("hé", "llo"), "héllo");
    }
}
