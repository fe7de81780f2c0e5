//! Markdown, for the Terraform module's `README.md`: the `md` filter for
//! text and `md_code` for a code span in a table cell.

use tera::{Kwargs, State, Value};

/// Text: Markdown's punctuation backslash-escaped, so a value cannot open
/// emphasis, a link, HTML or a table cell; line breaks become spaces.
#[allow(clippy::needless_pass_by_value)] // Tera's filter signature
#[must_use]
pub fn text_filter(value: &Value, _: Kwargs, _: &State) -> String {
    text(&plain(value))
}

/// A code span: fenced with more backticks than any run inside, `|` escaped
/// (GitHub's tables split cells on it even in code), line breaks as spaces.
#[allow(clippy::needless_pass_by_value)] // Tera's filter signature
#[must_use]
pub fn code_filter(value: &Value, _: Kwargs, _: &State) -> String {
    code(&plain(value))
}

fn plain(value: &Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_owned)
}

fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.chars().enumerate() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            // At the start of a line these open a heading, a list or a
            // quote; the value may start a paragraph.
            '#' | '-' | '+' | '=' if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            '.' | ')' if out.chars().all(|d| d.is_ascii_digit()) && !out.is_empty() => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn code(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .replace('|', "\\|");
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    // A span that starts or ends with a backtick needs a space inside.
    if s.starts_with('`') || s.ends_with('`') {
        format!("{fence} {s} {fence}")
    } else {
        format!("{fence}{s}{fence}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(text("a|b *c* [d](e)\nf"), "a\\|b \\*c\\* \\[d\\](e) f");
        assert_eq!(text("orders_api-v1.2"), "orders\\_api-v1.2");
        assert_eq!(text("- x"), "\\- x");
        assert_eq!(text("12. x"), "12\\. x");
        assert_eq!(text("<!-- x -->"), "\\<!-- x --\\>");
        assert_eq!(code("\"orders-task\""), "`\"orders-task\"`");
        assert_eq!(code("a`b|c"), "``a`b\\|c``");
        assert_eq!(code("`x"), "`` `x ``");
    }
}
