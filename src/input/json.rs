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
use std::path::Path;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::error::{Error, FileKind, Location};

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
                // Most of a file is strings: skip to the next quote or
                // escape at once.
                i += 1;
                loop {
                    match bytes.get(i..).and_then(|b| memchr::memchr2(b'"', b'\\', b)) {
                        Some(n) if bytes[i + n] == b'"' => {
                            i += n;
                            break;
                        }
                        Some(n) => i += n + 2,
                        None => {
                            i = bytes.len();
                            break;
                        }
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

/// Refuse JSON `text` that nests deeper than [`MAX_DEPTH`], at the bracket
/// that goes too deep ([`too_deep`]), before any parser builds values:
/// serde_json's `IgnoredAny` walk has no limit, and the YAML parser behind
/// serde_yaml takes time quadratic in the depth.
///
/// # Errors
/// [`Error::TooDeep`] at the first bracket past the limit.
pub fn check_depth(path: &Path, text: &str, kind: FileKind) -> Result<(), Error> {
    let Some(offset) = too_deep(text) else {
        return Ok(());
    };
    let before = &text[..offset];
    let start = before.rfind('\n').map_or(0, |n| n + 1);
    Err(Error::TooDeep {
        at: Location {
            file: path.to_owned(),
            line: before.matches('\n').count() + 1,
            column: before[start..].chars().count() + 1,
        },
        kind,
    })
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

/// [`line_column`] for offsets that come in increasing order (records or
/// roles read one after the other): each is counted on from the one before,
/// so a file's positions cost one pass over it, not one pass each. An
/// offset before the last starts again from the top.
#[derive(Debug, Clone, Default)]
pub struct Cursor {
    offset: usize,
    /// The line of `offset`, from 1; 0 before the first call.
    line: usize,
    line_start: usize,
}

impl Cursor {
    /// The line and column of byte `offset` of `text`, as [`line_column`].
    pub fn line_column(&mut self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        if self.line == 0 || offset < self.offset {
            *self = Cursor {
                offset: 0,
                line: 1,
                line_start: 0,
            };
        }
        // memchr's vectorised search: a file CloudTrail wrote is one line
        // of megabytes, passed over once here.
        let gap = &text.as_bytes()[self.offset..offset];
        if let Some(last) = memchr::memrchr(b'\n', gap) {
            self.line += memchr::memchr_iter(b'\n', gap).count();
            self.line_start = self.offset + last + 1;
        }
        self.offset = offset;
        (self.line, offset - self.line_start + 1)
    }
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

/// The members of a JSON object, each value kept as its text, and the
/// items of one member read as a list in the same pass. The last of
/// members of the same name wins, as it does in a parsed value.
#[derive(Debug, Default)]
pub struct Members<'a> {
    members: Vec<(Cow<'a, str>, Member<'a>)>,
    /// Whether the text was an object at all.
    pub is_object: bool,
}

#[derive(Debug)]
enum Member<'a> {
    Raw(&'a RawValue),
    /// The member read as a list: its items, or `None` when it is not one.
    Items(Option<Vec<&'a RawValue>>),
}

impl<'a> Members<'a> {
    /// The members of the object `text` holds; a text holding another
    /// value gives none, with `is_object` false. The member named `list`
    /// is read as a list ([`Members::items`]).
    ///
    /// # Errors
    /// The text is not JSON.
    pub fn of(text: &'a str, list: Option<&str>) -> Result<Self, serde_json::Error> {
        let mut d = serde_json::Deserializer::from_str(text);
        let members = de::DeserializeSeed::deserialize(MembersOf { list }, &mut d)?;
        d.end()?;
        Ok(members)
    }

    fn last(&self, name: &str) -> Option<&Member<'a>> {
        self.members
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    /// Whether the object has a member `name`.
    #[must_use]
    pub fn has(&self, name: &str) -> bool {
        self.last(name).is_some()
    }

    /// The value of member `name`, as text (not for the member read as a
    /// list).
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&'a RawValue> {
        match self.last(name)? {
            Member::Raw(raw) => Some(raw),
            Member::Items(_) => None,
        }
    }

    /// The items of the member read as a list, when it is one.
    #[must_use]
    pub fn items(&self, name: &str) -> Option<&[&'a RawValue]> {
        match self.last(name)? {
            Member::Items(items) => items.as_deref(),
            Member::Raw(_) => None,
        }
    }

    /// The member names, sorted, each once (as a parsed value lists them).
    #[must_use]
    pub fn keys(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self.members.iter().map(|(k, _)| k.as_ref()).collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// The value of member `name` of the object `text` holds, if it is a
/// string; the other members are skipped, not kept.
#[must_use]
pub fn string_member(text: &str, name: &str) -> Option<String> {
    struct Of<'n>(&'n str);
    impl<'de> Visitor<'de> for Of<'_> {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut found = None;
            while let Some(Key(key)) = map.next_key()? {
                if key == self.0 {
                    found = match map.next_value::<serde_json::Value>()? {
                        serde_json::Value::String(s) => Some(s),
                        _ => None,
                    };
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(found)
        }
    }
    let mut d = serde_json::Deserializer::from_str(text);
    d.deserialize_map(Of(name)).ok().flatten()
}

/// An object's key, borrowed from the text when it holds no escape.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Of;
        impl<'de> Visitor<'de> for Of {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(s.to_owned())))
            }
        }
        d.deserialize_str(Of)
    }
}

struct MembersOf<'l> {
    list: Option<&'l str>,
}

impl<'de> de::DeserializeSeed<'de> for MembersOf<'_> {
    type Value = Members<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for MembersOf<'_> {
    type Value = Members<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members = Vec::new();
        while let Some(Key(key)) = map.next_key()? {
            let value = if self.list == Some(key.as_ref()) {
                Member::Items(map.next_value_seed(ItemsOf)?)
            } else {
                Member::Raw(map.next_value()?)
            };
            members.push((key, value));
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

/// A list's items kept as text; `None` for any other value (skipped).
struct ItemsOf;

impl<'de> de::DeserializeSeed<'de> for ItemsOf {
    type Value = Option<Vec<&'de RawValue>>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ItemsOf {
    type Value = Option<Vec<&'de RawValue>>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Some(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// serde_json's message without its " at line N column M": the position is
/// reported in the error's location.
#[must_use]
pub fn without_position(message: &str) -> &str {
    message.find(" at line ").map_or(message, |i| &message[..i])
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_cursor_gives_line_column_s_positions_in_one_pass() {
        let text = "{\n  \"a\": [1,\n 2],\n\"b\": 3}\nlast";
        let mut cursor = Cursor::default();
        let offsets: Vec<usize> = (0..=text.len()).collect();
        for &o in &offsets {
            assert_eq!(cursor.line_column(text, o), line_column(text, o), "{o}");
        }
        // Backwards starts again from the top.
        for &o in offsets.iter().rev().step_by(3) {
            assert_eq!(cursor.line_column(text, o), line_column(text, o), "{o}");
        }
    }
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
        let members = Members::of(text, None).unwrap();
        let a = members.get("a").unwrap().get();
        assert_eq!(position_in(text, a, 1, 1), (2, 8));
        assert_eq!(position_in(text, a, 2, 3), (3, 3));
        assert_eq!(members.keys(), ["a"]);
        assert!(!Members::of("[1, {\"a\": 2}]", None).unwrap().is_object);
    }

    #[test]
    fn the_last_of_repeated_members_wins() {
        let text = r#"{"a": "x", "b": 1, "a": "y"}"#;
        let members = Members::of(text, None).unwrap();
        assert_eq!(members.get("a").map(RawValue::get), Some(r#""y""#));
        assert_eq!(string_member(text, "a").as_deref(), Some("y"));
        assert_eq!(string_member(text, "b"), None);
        assert_eq!(string_member("[1]", "a"), None);
        assert_eq!(members.keys(), ["a", "b"]);
        let reordered = Members::of(r#"{"b": 1, "a": 2}"#, None).unwrap();
        assert_eq!(reordered.keys(), ["a", "b"]);
    }

    #[test]
    fn one_member_is_read_as_a_list_in_the_same_pass() {
        let text = r#"{"l": [{"x": 1}, "y"], "m": {"l": 2}}"#;
        let members = Members::of(text, Some("l")).unwrap();
        let items: Vec<&str> = members
            .items("l")
            .unwrap()
            .iter()
            .map(|r| r.get())
            .collect();
        assert_eq!(items, [r#"{"x": 1}"#, r#""y""#]);
        assert!(members.has("l") && members.get("l").is_none());
        let not_a_list = Members::of(r#"{"l": {"a": [1]}}"#, Some("l")).unwrap();
        assert!(not_a_list.has("l") && not_a_list.items("l").is_none());
        assert!(Members::of(r#"{"l": [1,]}"#, Some("l")).is_err());
    }

    #[test]
    fn refuses_at_the_bracket_past_the_limit() {
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        check_depth(Path::new("d.json"), &ok, FileKind::Dump).unwrap();
        let text = format!(
            "{{\"s\": \"[[{{\",\n{}1{}}}",
            "{\"a\": ".repeat(200),
            "}".repeat(200)
        );
        let e = check_depth(Path::new("d.json"), &text, FileKind::Dump).unwrap_err();
        assert_eq!(
            e.to_string(),
            "d.json:2:757: the text nests too deep to be a dump (a dump nests about twelve levels)"
        );
    }
}
