//! JSON read once, with `serde_json`; positions from byte offsets, worked
//! out only where a message needs them.
//!
//! Machine-made JSON (an account's authorization details, `terraform show
//! -json`) runs to hundreds of megabytes. It is read here without building
//! a tree of values: an object's members are kept as slices of the text
//! ([`Members`]), and only the part a command asks about is parsed into
//! values. `serde_json`'s recursion limit of 128 levels holds for the whole
//! text ([`too_deep`]), as it does when the whole text is parsed at once.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

/// The deepest nesting `serde_json`'s recursion limit (128) lets through.
pub const MAX_DEPTH: usize = 127;

/// Whether `text` is JSON rather than YAML: its first character that is
/// not white space (after a byte order mark) opens an object or a list.
/// YAML takes JSON too, but JSON is read by the JSON parser alone.
#[must_use]
pub fn looks_like_json(text: &str) -> bool {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    matches!(
        text.trim_start_matches([' ', '\t', '\r', '\n'])
            .as_bytes()
            .first(),
        Some(b'{' | b'[')
    )
}

/// The byte offset of the first bracket that opens a level deeper than
/// [`MAX_DEPTH`], if any: one pass over the bytes, strings skipped.
#[must_use]
pub fn too_deep(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' => i += 2,
                        b'"' => break,
                        _ => i += 1,
                    }
                }
            }
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The line and column (both from 1, the column in bytes as `serde_json`
/// counts it) of byte `offset` of `text`.
#[must_use]
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..offset.min(text.len())];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let line = 1 + text[..line_start].matches('\n').count();
    (line, offset - line_start + 1)
}

/// Where `part`, a slice of `text`, starts in it.
#[must_use]
pub fn offset_in(text: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(text.as_ptr() as usize)
}

/// A position `serde_json` gave for an error in `part`, a slice of `text`,
/// made a position in `text`.
#[must_use]
pub fn position_in(text: &str, part: &str, line: usize, column: usize) -> (usize, usize) {
    let (start_line, start_column) = line_column(text, offset_in(text, part));
    if line <= 1 {
        (start_line, start_column + column.saturating_sub(1))
    } else {
        (start_line + line - 1, column)
    }
}

/// The members of a JSON object, each value kept as its text. The last of
/// members of the same name wins, as it does in a parsed value.
#[derive(Debug, Default)]
pub struct Members<'a> {
    members: Vec<(Cow<'a, str>, &'a RawValue)>,
    /// Whether the text was an object at all.
    pub is_object: bool,
}

impl<'a> Members<'a> {
    /// The members of the object `text` holds; a text holding another
    /// value gives none, with `is_object` false.
    ///
    /// # Errors
    /// The text is not JSON.
    pub fn of(text: &'a str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// The value of member `name`, as text.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&'a RawValue> {
        self.members
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| *v)
    }

    /// The member names, sorted, each once (as a parsed value lists them).
    #[must_use]
    pub fn keys(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self.members.iter().map(|(k, _)| k.as_ref()).collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The string value of member `name`, if it is a string.
    #[must_use]
    pub fn string(&self, name: &str) -> Option<String> {
        serde_json::from_str::<String>(self.get(name)?.get()).ok()
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Members<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Of;
        impl<'de> Visitor<'de> for Of {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut members = Vec::new();
                while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                    members.push((key, map.next_value::<&'de RawValue>()?));
                }
                Ok(Members {
                    members,
                    is_object: true,
                })
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Members::default())
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Members::default())
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Members::default())
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Members::default())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Members::default())
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(Members::default())
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Members::default())
            }
        }
        d.deserialize_any(Of)
    }
}

/// The items of a JSON list, each kept as its text; `None` when `text`
/// holds something else.
#[must_use]
pub fn items(text: &RawValue) -> Option<Vec<&RawValue>> {
    serde_json::from_str(text.get()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_told_from_yaml_by_its_first_character() {
        assert!(looks_like_json("\u{feff}  \n{\"a\": 1}"));
        assert!(looks_like_json("[1]"));
        assert!(!looks_like_json("a: {b: 1}"));
        assert!(!looks_like_json("# {\n"));
        assert!(!looks_like_json(""));
    }

    #[test]
    fn depth_is_counted_outside_strings() {
        let deep = "[".repeat(MAX_DEPTH + 1);
        assert_eq!(too_deep(&deep), Some(MAX_DEPTH));
        assert_eq!(too_deep(&"[".repeat(MAX_DEPTH)), None);
        let quoted = format!("[\"{}\\\"\"]", "[".repeat(500));
        assert_eq!(too_deep(&quoted), None);
    }

    #[test]
    fn positions_of_slices_and_offsets() {
        let text = "{\n  \"a\": [1,\n  2]}";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 4), (2, 3));
        let members = Members::of(text).unwrap();
        let a = members.get("a").unwrap().get();
        assert_eq!(position_in(text, a, 1, 1), (2, 8));
        assert_eq!(position_in(text, a, 2, 3), (3, 3));
        assert_eq!(members.keys(), ["a"]);
        assert!(!Members::of("[1, {\"a\": 2}]").unwrap().is_object);
    }

    #[test]
    fn the_last_of_repeated_members_wins() {
        let members = Members::of(r#"{"a": "x", "b": 1, "a": "y"}"#).unwrap();
        assert_eq!(members.string("a").as_deref(), Some("y"));
        assert_eq!(members.string("b"), None);
        assert_eq!(members.keys(), ["a", "b"]);
        assert_eq!(
            Members::of(r#"{"b": 1, "a": 2}"#).unwrap().keys(),
            ["a", "b"]
        );
    }
}
