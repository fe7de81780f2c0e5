//! Markdown, for the Terraform module's `README.md`: the `md` filter for
//! text and `md_code` for a code span in a table cell.

use tera::{Kwargs, State, Value};

/// Text: Markdown's punctuation backslash-escaped, so a value cannot open
/// emphasis, a link, HTML or a table cell; line breaks become spaces.
#[allow(clippy::needless_pass_by_value)] // Tera's filter signature
#[must_use]
pub fn text_filter(value: &Value, _: Kwargs, _: &State) -> String {
    crate::escape::markdown_text(&plain(value))
}

/// A code span: fenced with more backticks than any run inside, `|` escaped
/// (GitHub's tables split cells on it even in code), line breaks as spaces.
#[allow(clippy::needless_pass_by_value)] // Tera's filter signature
#[must_use]
pub fn code_filter(value: &Value, _: Kwargs, _: &State) -> String {
    crate::escape::markdown_code(&plain(value))
}

fn plain(value: &Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_owned)
}
