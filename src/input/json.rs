//! JSON read once, with `serde_json`; positions from byte offsets, worked
//! out only where a message needs them.

use std::path::Path;

use crate::error::{Error, FileKind, Location};

/// Deeper than this is refused, as `serde_json` refuses it when it builds
/// values (its `IgnoredAny` walk has no limit, and the YAML parser behind
/// serde_yaml takes time quadratic in the depth).
pub const MAX_DEPTH: usize = 128;

/// Refuse JSON `text` that nests deeper than [`MAX_DEPTH`], at the bracket
/// that goes too deep; one pass over the bytes, strings skipped. Meant for
/// text already known to be JSON.
///
/// # Errors
/// [`Error::TooDeep`] at the first bracket past the limit.
pub fn check_depth(path: &Path, text: &str, kind: FileKind) -> Result<(), Error> {
    let bytes = text.as_bytes();
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    let before = &text[..i];
                    let line = before.matches('\n').count() + 1;
                    let start = before.rfind('\n').map_or(0, |n| n + 1);
                    return Err(Error::TooDeep {
                        at: Location {
                            file: path.to_owned(),
                            line,
                            column: before[start..].chars().count() + 1,
                        },
                        kind,
                    });
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_at_the_bracket_past_the_limit() {
        let ok = format!("{}{}", "[".repeat(128), "]".repeat(128));
        check_depth(Path::new("d.json"), &ok, FileKind::Dump).unwrap();
        let text = format!(
            "{{\"s\": \"[[{{\",\n{}1{}}}",
            "{\"a\": ".repeat(200),
            "}".repeat(200)
        );
        let e = check_depth(Path::new("d.json"), &text, FileKind::Dump).unwrap_err();
        assert_eq!(
            e.to_string(),
            "d.json:2:763: the text nests too deep to be a dump (a dump nests about twelve levels)"
        );
    }
}
