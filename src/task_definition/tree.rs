//! A task definition file as a tree of positioned nodes: JSON and YAML
//! (CloudFormation's short-form tags included) read by one event parser, so
//! every value keeps its `line:column`.

use std::path::Path;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::error::{Error, Location};

/// Line and column, from 1.
pub type Pos = (usize, usize);

/// One node of the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    /// A YAML tag such as CloudFormation's `!Sub`, without the `!`.
    pub tag: Option<String>,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A scalar's text; `quoted` tells `"true"` from `true`.
    Scalar {
        text: String,
        quoted: bool,
    },
    List(Vec<Node>),
    /// Keys in file order, each with its own position.
    Map(Vec<(String, Pos, Node)>),
}

impl Node {
    /// The value under `key`, when this is a mapping holding it.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, ..)| k == key).map(|(_, _, n)| n),
            _ => None,
        }
    }

    #[must_use]
    pub fn as_list(&self) -> Option<&[Node]> {
        match &self.value {
            Value::List(items) => Some(items),
            _ => None,
        }
    }

    #[must_use]
    pub fn as_map(&self) -> Option<&[(String, Pos, Node)]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// A plain `null` (or `~`, or nothing): JSON's and YAML's absent
    /// value.
    #[must_use]
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, quoted: false }
            if self.tag.is_none() && matches!(text.as_str(), "null" | "Null" | "NULL" | "~" | ""))
    }

    /// The scalar's text, untagged.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } if self.tag.is_none() => Some(text),
            _ => None,
        }
    }
}

/// Parse a whole file. A `.json` file is checked as JSON first, so a file
/// that is YAML but not JSON is reported as what it is.
///
/// # Errors
/// The text is not JSON (for `.json`) or not YAML, holds several documents,
/// repeats a key, or uses an alias (task definitions have none).
pub fn parse(file: &Path, text: &str) -> Result<Node, Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let at = |line: usize, column: usize| Location {
        file: file.to_owned(),
        line,
        column,
    };
    let is_json = file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if is_json && let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
        let message = e.to_string();
        let message = message
            .rfind(" at line ")
            .map_or(message.as_str(), |i| &message[..i]);
        let (mut line, mut column) = (e.line().max(1), e.column().max(1));
        if message == "EOF while parsing a string" {
            // Point at the string that is never closed.
            if let Some(quote) = text.rfind('"') {
                line = text[..quote].matches('\n').count() + 1;
                let start = text[..quote].rfind('\n').map_or(0, |i| i + 1);
                column = text[start..quote].chars().count() + 1;
                return Err(Error::Syntax {
                    at: at(line, column),
                    message: "not JSON: this string is never closed (the file ends inside it)"
                        .to_owned(),
                });
            }
        }
        return Err(Error::Syntax {
            at: at(line, column),
            message: format!("not JSON: {message}"),
        });
    }
    let mut builder = Builder {
        lines: text.lines().collect(),
        ..Builder::default()
    };
    let mut parser = Parser::new_from_str(text);
    if let Err(e) = parser.load(&mut builder, true) {
        return Err(Error::Syntax {
            at: at(e.marker().line(), e.marker().col() + 1),
            message: format!("not YAML or JSON: {}", e.info()),
        });
    }
    if let Some((problem, (line, column))) = builder.problem {
        return Err(Error::Syntax {
            at: at(line, column),
            message: problem,
        });
    }
    match builder.documents.len() {
        0 => Err(Error::Syntax {
            at: at(1, 1),
            message: "the file is empty; expected a task definition".to_owned(),
        }),
        1 => Ok(builder.documents.remove(0)),
        _ => Err(Error::SeveralDocuments {
            at: {
                let (l, c) = builder.documents[1].pos;
                at(l, c)
            },
        }),
    }
}

enum Open {
    List(Vec<Node>, Option<String>, Pos),
    Map {
        entries: Vec<(String, Pos, Node)>,
        key: Option<(String, Pos)>,
        tag: Option<String>,
        pos: Pos,
    },
}

#[derive(Default)]
struct Builder<'t> {
    /// The text's lines, to place a tagged node at its `!`.
    lines: Vec<&'t str>,
    stack: Vec<Open>,
    documents: Vec<Node>,
    problem: Option<(String, Pos)>,
}

fn pos(mark: Marker) -> Pos {
    (mark.line(), mark.col() + 1)
}

impl Builder<'_> {
    /// A node's position: a tagged one at its tag (`!Sub`), where the long
    /// form's `{` would be, when the tag is on the same line.
    fn node_pos(&self, mark: Marker, tag: Option<&str>) -> Pos {
        let (line, column) = pos(mark);
        let Some(tag) = tag else {
            return (line, column);
        };
        if let Some(text) = self.lines.get(line.wrapping_sub(1)) {
            let before: String = text.chars().take(column - 1).collect();
            if let Some(bang) = before.rfind('!') {
                return (line, before[..bang].chars().count() + 1);
            }
        }
        // A block collection's tag stands on a line above its first entry
        // (`Image: !If` then `- Cond`): the nearest line holding it.
        let written = format!("!{tag}");
        for l in (line.saturating_sub(3).max(1)..line).rev() {
            if let Some(text) = self.lines.get(l - 1)
                && let Some(at) = text.rfind(&written)
            {
                return (l, text[..at].chars().count() + 1);
            }
        }
        (line, column)
    }

    fn fail(&mut self, message: String, at: Pos) {
        if self.problem.is_none() {
            self.problem = Some((message, at));
        }
    }

    fn add(&mut self, node: Node) {
        let problem = match self.stack.last_mut() {
            None => {
                self.documents.push(node);
                None
            }
            Some(Open::List(items, ..)) => {
                items.push(node);
                None
            }
            Some(Open::Map { entries, key, .. }) => match key.take() {
                Some((k, kpos)) => {
                    if entries.iter().any(|(e, ..)| *e == k) {
                        Some((
                            format!("`{k}` is given twice in one mapping; keep one"),
                            kpos,
                        ))
                    } else {
                        entries.push((k, kpos, node));
                        None
                    }
                }
                None => {
                    if let Value::Scalar { text, .. } = node.value {
                        *key = Some((text, node.pos));
                        None
                    } else {
                        *key = Some((String::new(), node.pos));
                        Some(("a mapping key must be a plain value".to_owned(), node.pos))
                    }
                }
            },
        };
        if let Some((message, at)) = problem {
            self.fail(message, at);
        }
    }
}

fn tag_name(tag: Option<yaml_rust2::parser::Tag>) -> Option<String> {
    let t = tag?;
    // Core-schema tags such as `!!str` say nothing CloudFormation reads.
    (t.handle == "!").then_some(t.suffix)
}

impl MarkedEventReceiver for Builder<'_> {
    fn on_event(&mut self, event: Event, mark: Marker) {
        match event {
            Event::Scalar(text, style, _, tag) => {
                let tag = tag_name(tag);
                let node = Node {
                    value: Value::Scalar {
                        text,
                        quoted: !matches!(style, TScalarStyle::Plain),
                    },
                    pos: self.node_pos(mark, tag.as_deref()),
                    tag,
                };
                self.add(node);
            }
            Event::Alias(_) => {
                self.fail(
                    "YAML aliases are not read in task definitions; write the value out".to_owned(),
                    pos(mark),
                );
            }
            Event::SequenceStart(_, tag) => {
                let tag = tag_name(tag);
                let at = self.node_pos(mark, tag.as_deref());
                self.stack.push(Open::List(Vec::new(), tag, at));
            }
            Event::MappingStart(_, tag) => {
                let tag = tag_name(tag);
                let at = self.node_pos(mark, tag.as_deref());
                self.stack.push(Open::Map {
                    entries: Vec::new(),
                    key: None,
                    tag,
                    pos: at,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let node = match self.stack.pop() {
                    Some(Open::List(items, tag, pos)) => Node {
                        value: Value::List(items),
                        tag,
                        pos,
                    },
                    Some(Open::Map {
                        entries, tag, pos, ..
                    }) => Node {
                        value: Value::Map(entries),
                        tag,
                        pos,
                    },
                    None => return,
                };
                self.add(node);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_yaml_keep_positions_and_tags() {
        let n = parse(
            Path::new("t.json"),
            "{\n  \"a\": [1, \"x\"],\n  \"b\": {\"c\": true}\n}",
        )
        .unwrap();
        let a = n.get("a").unwrap().as_list().unwrap();
        assert_eq!(a[1].pos, (2, 12));
        assert_eq!(n.get("b").unwrap().get("c").unwrap().as_str(), Some("true"));
        let y = parse(Path::new("t.yaml"), "Image: !Sub '${AWS::AccountId}.x'\n").unwrap();
        let image = y.get("Image").unwrap();
        assert_eq!(image.tag.as_deref(), Some("Sub"));
        // A tagged scalar is placed at its tag.
        assert_eq!(image.pos, (1, 8));
        // A block collection's tag stands on the line above its entries.
        let y = parse(Path::new("t.yaml"), "Image: !If\n  - C\n  - a\n  - b\n").unwrap();
        assert_eq!(y.get("Image").unwrap().pos, (1, 8));
    }

    #[test]
    fn bad_files_say_where() {
        let e = parse(Path::new("t.json"), "{\n  \"a\": [1,\n").unwrap_err();
        assert!(e.to_string().starts_with("t.json:3:1: not JSON:"), "{e}");
        let e = parse(Path::new("t.json"), "{\"a\": 1, \"a\": 2}").unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.json:1:10: `a` is given twice in one mapping; keep one"
        );
        let e = parse(Path::new("t.yaml"), "a: &x 1\nb: *x\n").unwrap_err();
        assert!(e.to_string().starts_with("t.yaml:2:4:"), "{e}");
    }
}
