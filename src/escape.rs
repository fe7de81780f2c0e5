//! One escaping function per output syntax, for every writer that copies
//! text it read from a file into what it writes: YAML scalars and
//! comments, Markdown inline text and code, terminal text, JSON strings.
//!
//! Text read from a file a pull request's author controls (a policy name,
//! a Sid, a container or secret name, a file name) is data: whatever it
//! holds, it ends where the writer ends it. A line break never ends a YAML
//! comment or a Markdown table row, a `<` never opens HTML, and a control
//! character or bidi override never reaches a terminal raw. JSON and SARIF
//! are written with `serde_json`, whose strings escape everything JSON
//! needs; no writer builds JSON by joining text.

use std::fmt::Write as _;
use std::path::Path;

/// A YAML double-quoted scalar. Always quoting sidesteps YAML's plain-scalar
/// traps (`yes`, `*`, `: `, ` #`, leading `!` and `%`, numbers); inside the
/// quotes, `"` and `\` are escaped, and so is every character YAML parsers
/// treat as a line break (LF, CR, and libyaml's NEL, U+2028, U+2029, which
/// would be folded) or refuse (control characters), and the byte-order mark.
#[must_use]
pub fn yaml_scalar(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || bidi(c) || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text for inside a YAML comment (after `# `): a comment ends at the first
/// line break, so every line break (LF, CR, NEL, U+2028, U+2029) is shown
/// escaped (`\n`, `\u{85}`) and the comment goes on; control characters,
/// which YAML refuses anywhere in a file, and bidi controls, which reorder
/// what a reviewer sees, are shown escaped too.
#[must_use]
pub fn yaml_comment(s: &str) -> String {
    visible(s, false)
}

/// Text for a terminal, one value within a line: every control character
/// (line breaks and tabs included, C1 and ESC, so no ANSI sequence), every
/// bidi override, embedding, isolate and mark, the Unicode line and
/// paragraph separators and the byte-order mark are shown as escapes
/// (`\n`, `\u{1b}`, `\u{202e}`).
#[must_use]
pub fn terminal(s: &str) -> String {
    visible(s, false)
}

/// Terminal text the writer laid out in lines itself: as [`terminal`], but
/// line feeds and tabs are kept. A last guard on whole reports and error
/// messages; a value read from a file is escaped with [`terminal`] where
/// it is placed.
#[must_use]
pub fn terminal_lines(s: &str) -> String {
    if !s.chars().any(|c| c != '\n' && c != '\t' && hidden(c)) {
        return s.to_owned();
    }
    visible(s, true)
}

/// A path as ecs-iam shows it: [`crate::error::path_text`], where the
/// messages that need it live.
#[must_use]
pub fn path(path: &Path) -> String {
    crate::error::path_text(path)
}

/// A file path as a SARIF URI reference (RFC 3986): `/` separates
/// segments on every platform, and every byte that is not unreserved, a
/// sub-delimiter or `@` is percent-encoded, so that `%`, `#`, `?`, `:`, a
/// space or a control in a file name stays part of the path a viewer
/// opens. `path` is as [`path`] shows it (`/`-separated); a Windows
/// absolute path (`C:/x`) becomes a `file:///C:/x` URI.
#[must_use]
pub fn uri_path(path: &str) -> String {
    let bytes = path.as_bytes();
    let (prefix, rest) = if bytes.len() >= 3
        && bytes[0].is_ascii_alphabetic()
        && bytes[1] == b':'
        && bytes[2] == b'/'
    {
        (format!("file:///{}", &path[..2]), &path[2..])
    } else {
        (String::new(), path)
    };
    let mut out = prefix;
    for b in rest.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@".contains(&b) {
            out.push(char::from(b));
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
    }
    out
}

/// Text for one line inside a fenced Markdown code block: a line break
/// would start a line that could close the fence, so line breaks and
/// controls are shown escaped, as for a terminal. Nothing else is
/// interpreted inside a fence.
#[must_use]
pub fn markdown_code_block(s: &str) -> String {
    visible(s, false)
}

/// Markdown inline text: Markdown's punctuation backslash-escaped, so a
/// value cannot open emphasis, a link, HTML, a table cell or a code span;
/// at its start, what would open a heading, a list or a quote is escaped
/// too. Line feeds, carriage returns and tabs become spaces; every other
/// line break (NEL, the Unicode line and paragraph separators), control
/// character, bidi control and the byte-order mark is shown as its escape
/// (`\u{2028}`), as in a fenced block: no new block can start, and
/// nothing invisible reaches the reader.
#[must_use]
pub fn markdown_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut digits_only = true;
    for (i, c) in s.chars().enumerate() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            // An entity (`&lt;`) would be shown as the character it names.
            '&' => out.push_str("\\&"),
            // At the start of a line these open a heading, a list or a
            // quote; the value may start a paragraph.
            '#' | '-' | '+' | '=' if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            // `12.` or `12)` opens an ordered list. Whether only digits
            // came before is kept as a flag, not searched for again: a long
            // run of `.` after digits stays linear.
            '.' | ')' if digits_only && i > 0 => {
                out.push('\\');
                out.push(c);
            }
            c => push_inline(&mut out, c),
        }
        digits_only = digits_only && c.is_ascii_digit();
    }
    out
}

/// `c` into inline Markdown: a line feed, carriage return or tab as a
/// space (as inline Markdown shows them), any other [`hidden`] character
/// as its escape, as a fenced block shows it; others as they are.
fn push_inline(out: &mut String, c: char) {
    match c {
        '\n' | '\r' | '\t' => out.push(' '),
        c if hidden(c) => push_escape(out, c),
        c => out.push(c),
    }
}

/// A Markdown code span: fenced with more backticks than any run inside,
/// `|` escaped (GitHub's tables split cells on it even in code), line
/// feeds, carriage returns and tabs as spaces, and every other line break,
/// control character, bidi control and the byte-order mark shown as its
/// escape, as [`markdown_text`] does.
#[must_use]
pub fn markdown_code(s: &str) -> String {
    let mut shown = String::with_capacity(s.len());
    for c in s.chars() {
        push_inline(&mut shown, c);
    }
    let s = shown.replace('|', "\\|");
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    // A span that starts or ends with a backtick needs a space inside.
    if s.starts_with('`') || s.ends_with('`') {
        format!("{fence} {s} {fence}")
    } else {
        format!("{fence}{s}{fence}")
    }
}

/// Text inside an HTML `<code>` element in a Markdown table cell: `&`, `<`
/// and `>` as entities so no tag opens, `|` as `&#124;` so no cell ends, a
/// backtick as `&#96;` so no code span swallows the closing tag; line
/// feeds, carriage returns and tabs as spaces, and every other line break,
/// control character, bidi control and the byte-order mark shown as its
/// escape (`\u{2028}`), as [`markdown_text`] does: a numeric reference
/// would still break the line or reorder the text once the HTML is shown.
#[must_use]
pub fn markdown_html_code(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("&#124;"),
            '`' => out.push_str("&#96;"),
            c => push_inline(&mut out, c),
        }
    }
    out
}

/// Whether `c` is a bidi control: the overrides and embeddings
/// (U+202A–U+202E), the isolates (U+2066–U+2069) and the marks (U+200E,
/// U+200F, U+061C). Each reorders the text around it, so what a reviewer
/// reads is not what the bytes say.
#[must_use]
pub fn bidi(c: char) -> bool {
    matches!(
        c,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}'
    )
}

/// Whether `c` is shown escaped rather than written.
fn hidden(c: char) -> bool {
    c.is_control() || bidi(c) || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
}

/// `s` with every [`hidden`] character as an escape; `keep_lines` keeps
/// line feeds and tabs.
fn visible(s: &str, keep_lines: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\t' if keep_lines => out.push(c),
            c if hidden(c) => push_escape(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// The escape `c` is shown as: `\n`, `\r`, `\t`, else `\u{hex}`.
fn push_escape(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml() {
        assert_eq!(yaml_scalar("yes"), "\"yes\"");
        assert_eq!(yaml_scalar("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
        assert_eq!(
            yaml_scalar("a\u{85}b\u{2028}c\0"),
            "\"a\\u0085b\\u2028c\\u0000\""
        );
        assert_eq!(
            yaml_comment("a\nb\rc\u{85}d\u{2028}e\u{2029}f"),
            "a\\nb\\rc\\u{85}d\\u{2028}e\\u{2029}f"
        );
        assert_eq!(yaml_comment("orders #x"), "orders #x");
    }

    #[test]
    fn terminals() {
        assert_eq!(terminal("\u{1b}[31mred"), "\\u{1b}[31mred");
        assert_eq!(
            terminal("a\u{202e}b\u{2067}c\u{9b}"),
            "a\\u{202e}b\\u{2067}c\\u{9b}"
        );
        assert_eq!(terminal("a\tb\nc"), "a\\tb\\nc");
        assert_eq!(terminal_lines("a\tb\nc\u{7}"), "a\tb\nc\\u{7}");
        assert_eq!(terminal_lines("naïve → ok\n"), "naïve → ok\n");
    }

    #[test]
    fn markdown() {
        assert_eq!(
            markdown_text("a|b *c* [d](e)\nf"),
            "a\\|b \\*c\\* \\[d\\](e) f"
        );
        assert_eq!(markdown_text("orders_api-v1.2"), "orders\\_api-v1.2");
        assert_eq!(markdown_text("- x"), "\\- x");
        assert_eq!(markdown_text("12. x"), "12\\. x");
        assert_eq!(markdown_text("<!-- x -->"), "\\<!-- x --\\>");
        assert_eq!(markdown_text("&lt;"), "\\&lt;");
        assert_eq!(markdown_code("\"orders-task\""), "`\"orders-task\"`");
        assert_eq!(markdown_code("a`b|c"), "``a`b\\|c``");
        assert_eq!(markdown_code("`x"), "`` `x ``");
        assert_eq!(
            markdown_html_code("<img>|`&\r\n"),
            "&lt;img&gt;&#124;&#96;&amp;  "
        );
        assert_eq!(markdown_code_block("a\n```"), "a\\n```");
    }

    #[test]
    fn uri_paths_keep_every_character_in_the_path() {
        assert_eq!(uri_path("specs/orders.yaml"), "specs/orders.yaml");
        assert_eq!(uri_path("specs/a b.yaml"), "specs/a%20b.yaml");
        // A `\\` that reaches here is part of a Unix file name.
        assert_eq!(uri_path("specs\\a.yaml"), "specs%5Ca.yaml");
        assert_eq!(
            uri_path("specs/%2e%2e%2fother#x?y:z.yaml"),
            "specs/%252e%252e%252fother%23x%3Fy%3Az.yaml"
        );
        assert_eq!(uri_path("s/\u{e9}\n.yaml"), "s/%C3%A9%0A.yaml");
        assert_eq!(
            uri_path(&crate::error::slashed("C:\\w\\s.yaml", '\\')),
            "file:///C:/w/s.yaml"
        );
    }

    #[test]
    fn paths_are_shown_with_slashes_on_windows() {
        assert_eq!(
            crate::error::slashed("gen\\ecs-basic", '\\'),
            "gen/ecs-basic"
        );
        assert_eq!(
            crate::error::slashed("examples/a\\ecs-basic.yaml", '\\'),
            "examples/a/ecs-basic.yaml"
        );
        assert_eq!(
            crate::error::slashed("\\\\?\\C:\\w\\s.yaml", '\\'),
            "C:/w/s.yaml"
        );
        // Other verbatim forms keep their prefix: no shorter name is the same.
        assert_eq!(
            crate::error::slashed("\\\\?\\UNC\\host\\share", '\\'),
            "//?/UNC/host/share"
        );
        assert_eq!(
            crate::error::slashed("\\\\host\\share\\s.yaml", '\\'),
            "//host/share/s.yaml"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_backslash_in_a_unix_file_name_is_kept() {
        assert_eq!(path(Path::new("gen/a\\b.yaml")), "gen/a\\b.yaml");
        assert_eq!(crate::error::slashed("gen/a\\b.yaml", '/'), "gen/a\\b.yaml");
    }

    /// Every Markdown writer shows the characters a reader could not see,
    /// or that would break a line or reorder text once rendered, as a
    /// fenced block does: NEL, the line and paragraph separators, the
    /// byte-order mark, bidi controls, NUL. Inline, a line feed, carriage
    /// return or tab is a space.
    #[test]
    fn markdown_invisibles() {
        let s = "a\u{2028}b\u{2029}c\u{feff}d\u{202e}e\0f\u{85}g";
        let shown = "a\\u{2028}b\\u{2029}c\\u{feff}d\\u{202e}e\\u{0}f\\u{85}g";
        assert_eq!(markdown_code_block(s), shown);
        assert_eq!(markdown_code_block("a\r\n\tb"), "a\\r\\n\\tb");
        assert_eq!(markdown_text("a\r\n\tb"), "a   b");
        assert_eq!(markdown_html_code(s), shown);
        assert_eq!(markdown_text(s), shown);
        assert_eq!(markdown_code(s), format!("`{shown}`"));
    }
}
