//! Where each value of a spec file sits, so that checks made after parsing
//! can still point at `file:line:column`.
//!
//! serde gives positions only for its own errors; a second, event-level pass
//! over the same text (JSON is YAML too) records the position of every node
//! under its dotted path (`task_role.s3[0].bucket`). Aliases are not
//! followed, so an alias bomb costs nothing here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use crate::error::Location;

/// Positions of the nodes of one spec file, by dotted path.
#[derive(Debug, Clone)]
pub struct Locations {
    file: PathBuf,
    nodes: BTreeMap<String, (usize, usize)>,
    /// Keys met a second time in the same mapping, in file order.
    duplicates: Vec<(String, (usize, usize))>,
    /// Positions of mapping keys (the node maps hold their values).
    keys: BTreeMap<String, (usize, usize)>,
    /// Paths whose value is a mapping or a list.
    collections: BTreeSet<String>,
    /// Where the text nests deeper than the event parser allows, if it does.
    pub too_deep: Option<Location>,
}

impl Locations {
    /// Index `text`; a text the event parser cannot read yields an empty
    /// index (every lookup then points at the start of the file).
    #[must_use]
    pub fn index(file: &Path, text: &str) -> Self {
        let mut recorder = Recorder::default();
        let mut parser = Parser::new_from_str(text);
        let mut too_deep = None;
        if let Err(e) = parser.load(&mut recorder, false) {
            recorder.nodes.clear();
            recorder.duplicates.clear();
            recorder.keys.clear();
            if e.info().contains("recursion limit") {
                too_deep = Some(Location {
                    file: file.to_owned(),
                    line: e.marker().line(),
                    column: e.marker().col() + 1,
                });
            }
        }
        Locations {
            file: file.to_owned(),
            nodes: recorder.nodes,
            duplicates: recorder.duplicates,
            keys: recorder.keys,
            collections: recorder.collections,
            too_deep,
        }
    }

    /// The path and position of the last node that starts at or before
    /// `line:column` and whose last path component is `field` (any node
    /// when `field` is `None`). Used to place errors of parsers that give a
    /// position but no path.
    #[must_use]
    pub fn find_before(
        &self,
        field: Option<&str>,
        line: usize,
        column: usize,
    ) -> Option<(String, Location)> {
        let map = if field.is_some() {
            &self.keys
        } else {
            &self.nodes
        };
        map.iter()
            .filter(|(path, pos)| {
                **pos <= (line, column)
                    && field.is_none_or(|f| path.rsplit(['.', '[']).next() == Some(f))
                    && !path.contains('\u{0}')
            })
            .max_by_key(|(path, pos)| (**pos, path.len()))
            .map(|(path, (l, c))| (path.clone(), self.location(*l, *c)))
    }

    /// The first key given twice in one mapping, anywhere in the file.
    #[must_use]
    pub fn first_duplicate(&self) -> Option<(String, Location)> {
        self.duplicates
            .first()
            .map(|(path, (l, c))| (path.clone(), self.location(*l, *c)))
    }

    /// The first repeated key named `field`.
    #[must_use]
    pub fn duplicate(&self, field: &str) -> Option<(String, Location)> {
        self.duplicates
            .iter()
            .find(|(path, _)| path.rsplit('.').next() == Some(field))
            .map(|(path, (l, c))| (path.clone(), self.location(*l, *c)))
    }

    /// The position of `path`, or of its nearest recorded ancestor. A
    /// scalar is located at its value; a mapping or list at its key, where
    /// it has one (the parser marks a block collection at its first item).
    #[must_use]
    pub fn at(&self, path: &str) -> Location {
        let mut path = path;
        loop {
            if let Some(at) = self.get(path) {
                return at;
            }
            match parent(path) {
                Some(p) => path = p,
                None => return self.location(1, 1),
            }
        }
    }

    /// The position of `path` itself (as [`Locations::at`] places it), or
    /// `None` when the file does not hold it: a default the spec leaves
    /// out has no line of its own, and its parent's line would name the
    /// wrong field.
    #[must_use]
    pub fn get(&self, path: &str) -> Option<Location> {
        let key = self
            .collections
            .contains(path)
            .then(|| self.keys.get(path))
            .flatten();
        key.or_else(|| self.nodes.get(path))
            .map(|&(line, column)| self.location(line, column))
    }

    /// The position of the mapping key that ends `path` (where
    /// [`Locations::at`] gives a scalar's value), or `None` when the file
    /// does not hold it.
    #[must_use]
    pub fn key(&self, path: &str) -> Option<Location> {
        self.keys
            .get(path)
            .map(|&(line, column)| self.location(line, column))
    }

    /// A location in this file at a known line and column.
    #[must_use]
    pub fn location(&self, line: usize, column: usize) -> Location {
        Location {
            file: self.file.clone(),
            line,
            column,
        }
    }
}

fn parent(path: &str) -> Option<&str> {
    if path.is_empty() {
        return None;
    }
    let cut = path.rfind(['.', '[']).unwrap_or(0);
    Some(&path[..cut])
}

enum Frame {
    Mapping {
        path: String,
        key: Option<String>,
    },
    Sequence {
        path: String,
        next: usize,
    },
    /// Below [`MAX_DEPTH`]: nothing is recorded (a real spec is six deep;
    /// paths of a pathologically deep file would cost quadratic time).
    TooDeep,
}

/// Nesting deeper than this is not indexed.
const MAX_DEPTH: usize = 32;

#[derive(Default)]
struct Recorder {
    stack: Vec<Frame>,
    nodes: BTreeMap<String, (usize, usize)>,
    duplicates: Vec<(String, (usize, usize))>,
    keys: BTreeMap<String, (usize, usize)>,
    collections: BTreeSet<String>,
}

impl Recorder {
    /// The path of the node that starts now, or `None` when it is a key.
    fn enter(&mut self) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::TooDeep) => None,
            Some(Frame::Sequence { path, next }) => {
                let p = format!("{path}[{next}]");
                *next += 1;
                Some(p)
            }
            Some(Frame::Mapping { path, key }) => key.take().map(|k| {
                if path.is_empty() {
                    k
                } else {
                    format!("{path}.{k}")
                }
            }),
        }
    }

    fn record(&mut self, path: &str, mark: Marker) {
        let pos = (mark.line(), mark.col() + 1);
        if self.nodes.contains_key(path) {
            self.duplicates.push((path.to_owned(), pos));
        } else {
            self.nodes.insert(path.to_owned(), pos);
        }
    }
}

impl MarkedEventReceiver for Recorder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        match event {
            Event::Scalar(..) | Event::Alias(_)
                if matches!(self.stack.last(), Some(Frame::TooDeep)) => {}
            Event::Scalar(value, ..) => match self.enter() {
                Some(path) => self.record(&path, mark),
                None => {
                    if let Some(Frame::Mapping { path, key }) = self.stack.last_mut() {
                        let full = if path.is_empty() {
                            value.clone()
                        } else {
                            format!("{path}.{value}")
                        };
                        self.keys
                            .entry(full)
                            .or_insert((mark.line(), mark.col() + 1));
                        *key = Some(value);
                    }
                }
            },
            Event::Alias(_) => {
                if let Some(path) = self.enter() {
                    self.record(&path, mark);
                }
            }
            Event::MappingStart(..) | Event::SequenceStart(..)
                if self.stack.len() >= MAX_DEPTH
                    || matches!(self.stack.last(), Some(Frame::TooDeep)) =>
            {
                self.stack.push(Frame::TooDeep);
            }
            Event::MappingStart(..) => {
                // A mapping used as a key gets a throwaway path.
                let path = self.enter().unwrap_or_else(|| "\u{0}".to_owned());
                self.record(&path, mark);
                self.collections.insert(path.clone());
                self.stack.push(Frame::Mapping { path, key: None });
            }
            Event::SequenceStart(..) => {
                let path = self.enter().unwrap_or_else(|| "\u{0}".to_owned());
                self.record(&path, mark);
                self.collections.insert(path.clone());
                self.stack.push(Frame::Sequence { path, next: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_nested_paths() {
        let text =
            "name: x\ntask_role:\n  s3:\n    - bucket: b\n      prefix: p/\ntags: {team: a}\n";
        let locs = Locations::index(Path::new("s.yaml"), text);
        assert_eq!(locs.at("name").line, 1);
        let b = locs.at("task_role.s3[0].bucket");
        assert_eq!((b.line, b.column), (4, 15));
        assert_eq!(locs.at("task_role.s3[0].prefix").line, 5);
        assert_eq!(locs.at("tags.team").line, 6);
        // Unknown paths fall back to the nearest ancestor; `get` does not.
        assert_eq!(locs.at("task_role.s3[0].nothing").line, 4);
        assert!(locs.get("task_role.s3[0].nothing").is_none());
        assert_eq!(locs.get("task_role.s3").map(|l| l.line), Some(3));
    }

    #[test]
    fn finds_duplicates_and_nearest_nodes() {
        let text = "name: x\ntask_role:\n  name: a\n  name: b\n";
        let locs = Locations::index(Path::new("s.yaml"), text);
        let (path, at) = locs.duplicate("name").unwrap();
        assert_eq!((path.as_str(), at.line), ("task_role.name", 4));
        let (path, _) = locs.find_before(None, 3, 20).unwrap();
        assert_eq!(path, "task_role.name");
    }

    #[test]
    fn indexes_json() {
        let text = "{\n  \"name\": \"x\",\n  \"tags\": {\"a\": \"b\"}\n}";
        let locs = Locations::index(Path::new("s.json"), text);
        assert_eq!(locs.at("tags.a").line, 3);
    }
}
