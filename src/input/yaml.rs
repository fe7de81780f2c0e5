//! YAML read with a budget: aliases, nodes, bytes and depth.
//!
//! serde_yaml builds what it deserializes from the parser's events and
//! replays an anchor's events at each alias: one 300,000-character string
//! aliased 5,000 times (a 315 KB file) becomes 1.5 GB of strings before
//! any check on the result can run. Its own repetition limit counts
//! aliases, not what they expand to. [`check`] walks the events first with
//! yaml-rust2's parser, which does not follow aliases: it records what each
//! anchor expands to (nodes and scalar bytes, aliases inside it included),
//! adds up the document as serde would expand it, and refuses at the alias
//! that crosses the budget, before serde sees the text. It refuses deep
//! nesting the same way, at once: the parser behind serde takes time
//! quadratic in the depth.
//!
//! serde-saphyr (crates.io) would do all of this inside one parser, with a
//! `Budget` on aliases, nodes, depth and bytes and `Spanned<T>` positions.
//! It is not used yet: moving the spec, guardrails and template readers to
//! it changes every YAML error message the tests pin word for word, and
//! its budget reports where the parser stopped rather than at the alias.
//! Until the readers move to one YAML parser, this pass costs one more walk
//! over the events of a YAML file (not of a JSON one), with the parser
//! ecs-iam already has.

use std::collections::HashMap;
use std::path::Path;

use yaml_rust2::parser::{Event, Parser};

use crate::error::{Error, FileKind, Location};

/// Deeper than this is refused, as serde_json and serde_yaml refuse more
/// than 128 levels when they deserialize; no real input nests near it.
pub const MAX_DEPTH: usize = 128;

/// Nodes a document may expand to, whatever its size. A node of a file
/// takes at least half a byte of text (`{a,b}`), so a file without aliases
/// is never refused: the budget is at least twice its size.
pub const MIN_NODES: u64 = 1_000_000;

/// Scalar bytes a document may expand to, whatever its size; the budget is
/// at least four times the file's size, and a file's own scalars never
/// exceed it.
pub const MIN_BYTES: u64 = 16 * 1024 * 1024;

/// The budget for a text of `len` bytes: (nodes, scalar bytes).
#[must_use]
pub fn budget(len: usize) -> (u64, u64) {
    let len = len as u64;
    (
        MIN_NODES.max(len.saturating_mul(2)),
        MIN_BYTES.max(len.saturating_mul(4)),
    )
}

/// What a node expands to.
#[derive(Clone, Copy, Default)]
struct Cost {
    nodes: u64,
    bytes: u64,
}

impl Cost {
    fn add(&mut self, other: Cost) {
        self.nodes = self.nodes.saturating_add(other.nodes);
        self.bytes = self.bytes.saturating_add(other.bytes);
    }
}

/// Check `text` (YAML; JSON is YAML too) against the expansion budget and
/// the depth limit before serde reads it; `path` and `kind` name the file
/// in errors.
///
/// A text the event parser cannot read is left to serde, whose message
/// callers already word; only the parser's own depth limit is reported
/// here.
///
/// # Errors
/// [`Error::AliasExpansion`] at the alias that would expand the document
/// past [`budget`], or [`Error::TooDeep`] where the text nests deeper than
/// [`MAX_DEPTH`].
pub fn check(path: &Path, text: &str, kind: FileKind) -> Result<(), Error> {
    let at = |line: usize, column: usize| Location {
        file: path.to_owned(),
        line,
        column,
    };
    let (max_nodes, max_bytes) = budget(text.len());
    let mut parser = Parser::new_from_str(text);
    // Each anchor's expansion, by the parser's anchor id.
    let mut anchors: HashMap<usize, Cost> = HashMap::new();
    // Open collections: their anchor id (0 for none) and the total when
    // they opened.
    let mut open: Vec<(usize, Cost)> = Vec::new();
    let mut total = Cost::default();
    loop {
        let (event, mark) = match parser.next_token() {
            Ok(next) => next,
            Err(e) if e.info().contains("recursion limit") => {
                return Err(Error::TooDeep {
                    at: at(e.marker().line(), e.marker().col() + 1),
                    kind,
                });
            }
            Err(_) => return Ok(()),
        };
        let cost = match event {
            Event::StreamEnd => return Ok(()),
            Event::Scalar(value, _, anchor, _) => {
                let cost = Cost {
                    nodes: 1,
                    bytes: value.len() as u64,
                };
                if anchor != 0 {
                    anchors.insert(anchor, cost);
                }
                cost
            }
            Event::Alias(anchor) => anchors.get(&anchor).copied().unwrap_or_default(),
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if open.len() >= MAX_DEPTH {
                    return Err(Error::TooDeep {
                        at: at(mark.line(), mark.col() + 1),
                        kind,
                    });
                }
                open.push((anchor, total));
                Cost { nodes: 1, bytes: 0 }
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((anchor, start)) = open.pop()
                    && anchor != 0
                {
                    anchors.insert(
                        anchor,
                        Cost {
                            nodes: total.nodes - start.nodes + 1,
                            bytes: total.bytes - start.bytes,
                        },
                    );
                }
                continue;
            }
            _ => continue,
        };
        total.add(cost);
        if total.nodes > max_nodes || total.bytes > max_bytes {
            return Err(Error::AliasExpansion {
                at: at(mark.line(), mark.col() + 1),
                kind,
                nodes: max_nodes,
                bytes: max_bytes,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write as _;

    fn check_spec(text: &str) -> Result<(), Error> {
        check(Path::new("s.yaml"), text, FileKind::Spec)
    }

    #[test]
    fn accepts_a_file_without_aliases_and_modest_aliases() {
        check_spec("a: [1, 2, {b: c}]\nd: &x {e: f}\ng: *x\n").unwrap();
        check_spec("{\"a\": [1, 2, {\"b\": \"c\"}]}").unwrap();
    }

    #[test]
    fn refuses_a_long_string_aliased_many_times_at_the_alias() {
        let mut text = format!("a: &s \"{}\"\nb:\n", "x".repeat(300_000));
        for _ in 0..5_000 {
            text.push_str("  - *s\n");
        }
        let e = check_spec(&text).unwrap_err();
        // The anchor and 55 aliases hold 16,800,000 bytes, past 16 MiB:
        // the 55th alias, on line 57, crosses it.
        assert_eq!(
            e.to_string(),
            "s.yaml:57:5: this alias would expand the spec past 1000000 nodes or 16777216 bytes; write the value out, or alias less"
        );
    }

    #[test]
    fn counts_aliases_inside_anchors() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            let _ = writeln!(text, "a{i}: &a{i} [{refs}]");
        }
        let e = check_spec(&text).unwrap_err();
        assert!(
            matches!(e, Error::AliasExpansion { ref at, .. } if at.line == 6),
            "{e}"
        );
    }

    #[test]
    fn refuses_deep_nesting_at_once() {
        // The scanner, which reads ahead of the events, stops at 255 flow
        // levels; a block collection nested past 128 is stopped here.
        let text = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let e = check_spec(&text).unwrap_err();
        assert_eq!(
            e.to_string(),
            "s.yaml:1:256: the text nests too deep to be a spec (a spec nests about six levels)"
        );
        let block = (0..200).fold(String::new(), |mut s, i| {
            let _ = writeln!(s, "{}a:", " ".repeat(i));
            s
        });
        let e = check_spec(&block).unwrap_err();
        assert_eq!(
            e.to_string(),
            "s.yaml:129:130: the text nests too deep to be a spec (a spec nests about six levels)"
        );
    }

    #[test]
    fn leaves_syntax_errors_to_serde() {
        check_spec("a: [1, 2\n").unwrap();
    }
}
