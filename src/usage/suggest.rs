//! `usage --suggest`: the spec narrowed to what the evidence shows is
//! needed, as a unified diff of the spec file.
//!
//! Only spec items are removed: a list item (`task_role.secrets.read[1]`),
//! an S3 bucket or one of its access levels, a custom statement or one of
//! its actions or resources. Each is tried in spec order against the spec
//! narrowed so far: the text without it is parsed and built again, and
//! [`grant_diff::compare`] says what its removal takes away. It stays
//! removed when that is at least one grant, every grant taken away is
//! `unused` in the report (so none is used, unobservable or derived from a
//! task definition), and nothing broadens. A grant another item also gives
//! (`ecr:GetAuthorizationToken` on `*`, which each repository gives) is
//! not taken away by one item, so does not hold it back. The text is
//! edited where the item stands, comments and layout kept; the whole
//! narrowing is then checked once more against the spec as written.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use similar::TextDiff;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use crate::escape::{self, terminal};
use crate::grant_diff::{self, Class, Item, RoleChanges, Sign};
use crate::model::Model;
use crate::spec::{Effect, OneOrMany, S3Access, Source};

use super::{Report, Status};

/// One spec, narrowed.
#[derive(Debug, Clone)]
pub struct Narrowed {
    /// The spec as the report names it.
    pub spec: String,
    /// The spec's text as read.
    pub original: String,
    /// The text with the removals; the original when nothing is removed.
    pub narrowed: String,
    /// What was removed, as spec fields (`task_role.secrets.read[1]`,
    /// `task_role.s3[0].access: write`), in spec order.
    pub removed: Vec<String>,
    /// The grant-level changes of the whole narrowing, or why the narrowed
    /// spec is not offered (it does not build, or something is not
    /// narrowing).
    pub check: Result<Vec<RoleChanges>, String>,
}

impl Narrowed {
    /// The unified diff of the spec file, headed with the spec's path as
    /// given (`patch -p0`, `git apply -p0`); empty when nothing is removed
    /// or the check failed.
    #[must_use]
    pub fn diff(&self) -> String {
        if self.removed.is_empty() || self.check.is_err() {
            return String::new();
        }
        // A path is anyone's: a line break in it would forge diff lines.
        let shown = terminal(&self.spec);
        TextDiff::from_lines(self.original.as_str(), self.narrowed.as_str())
            .unified_diff()
            .context_radius(3)
            .header(&shown, &shown)
            .to_string()
    }

    /// What `usage --suggest` prints for the spec: the diff and the
    /// grant-level changes below it, or why there is none.
    #[must_use]
    pub fn text(&self) -> String {
        let spec = terminal(&self.spec);
        match &self.check {
            Err(why) => format!(
                "{spec}: no suggestion: the narrowed spec was refused: {}\n",
                terminal(why)
            ),
            Ok(_) if self.removed.is_empty() => {
                format!("{spec}: nothing to remove: no spec item grants only unused grants\n")
            }
            Ok(roles) => {
                let mut out = format!(
                    "{spec}: remove {}\n{}",
                    terminal(&self.removed.join(", ")),
                    self.diff()
                );
                for r in roles.iter().filter(|r| !r.changes.is_empty()) {
                    let _ = writeln!(out, "{} role `{}`:", r.role, terminal(&r.name));
                    for c in &r.changes {
                        let _ = writeln!(out, "{}", c.line());
                    }
                }
                out
            }
        }
    }

    /// The diff as a Markdown section, or why there is none.
    #[must_use]
    pub fn markdown(&self) -> String {
        let spec = crate::escape::markdown_code(&self.spec);
        match &self.check {
            Err(why) => format!(
                "\n{spec}: no suggestion: the narrowed spec was refused: {}\n",
                crate::escape::markdown_text(why)
            ),
            Ok(_) if self.removed.is_empty() => {
                format!("\n{spec}: nothing to remove: no spec item grants only unused grants\n")
            }
            Ok(roles) => {
                let removed: Vec<String> = self
                    .removed
                    .iter()
                    .map(|r| crate::escape::markdown_code(r))
                    .collect();
                // Inside the fences, each line with its controls, bidi
                // controls and line separators shown escaped, as every
                // fenced block ecs-iam writes.
                let mut lines = String::new();
                for r in roles {
                    for c in &r.changes {
                        let _ = writeln!(
                            lines,
                            "{}",
                            crate::escape::markdown_code_block(&format!(
                                "{} {}",
                                r.role,
                                c.line().trim_start()
                            ))
                        );
                    }
                }
                let mut diff = String::new();
                for line in self.diff().lines() {
                    let _ = writeln!(diff, "{}", crate::escape::markdown_code_block(line));
                }
                let fence = fence(&format!("{diff}{lines}"));
                format!(
                    "\n{spec}: remove {}\n\n{fence}diff\n{diff}{fence}\n\n{fence}\n{lines}{fence}\n",
                    removed.join(", ")
                )
            }
        }
    }
}

/// A code fence longer than any run of backticks in `text`.
fn fence(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    "`".repeat(longest.max(2) + 1)
}

/// Each spec narrowed to its used grants: `specs` as the report was built
/// from, each with its file's text.
#[must_use]
pub fn narrowed(specs: &[(Source, Model)], texts: &[String], report: &Report) -> Vec<Narrowed> {
    specs
        .iter()
        .zip(texts)
        .map(|((source, model), text)| narrow(source, model, text, report))
        .collect()
}

/// Which items are removed: per list (its path), the indices; per S3
/// bucket without `access:` (its path), the default levels removed.
#[derive(Debug, Clone, Default)]
struct Plan {
    items: BTreeMap<String, BTreeSet<usize>>,
    defaults: BTreeMap<String, BTreeSet<S3Access>>,
}

/// One thing that may be removed.
#[derive(Debug, Clone)]
enum Unit {
    Item { list: String, index: usize },
    DefaultLevel { bucket: String, level: S3Access },
}

impl Unit {
    fn name(&self) -> String {
        match self {
            Unit::Item { list, index } => format!("{list}[{index}]"),
            Unit::DefaultLevel { bucket, level } => {
                format!("{bucket}.access: {}", level_name(*level))
            }
        }
    }

    fn add(&self, plan: &Plan) -> Plan {
        let mut p = plan.clone();
        match self {
            Unit::Item { list, index } => {
                p.items.entry(list.clone()).or_default().insert(*index);
            }
            Unit::DefaultLevel { bucket, level } => {
                p.defaults.entry(bucket.clone()).or_default().insert(*level);
            }
        }
        p
    }
}

fn level_name(level: S3Access) -> &'static str {
    match level {
        S3Access::List => "list",
        S3Access::Read => "read",
        S3Access::Write => "write",
        S3Access::Delete => "delete",
        S3Access::Acl => "acl",
    }
}

const DEFAULT_LEVELS: [S3Access; 3] = [S3Access::List, S3Access::Read, S3Access::Write];

/// Candidates in spec order, each a group: the first that holds is taken
/// (a whole bucket or statement, else its parts one by one).
fn candidates(source: &Source) -> Vec<Vec<Vec<Unit>>> {
    let s = &source.spec;
    let item = |list: &str, index: usize| Unit::Item {
        list: list.to_owned(),
        index,
    };
    let items = |list: &str, n: usize| -> Vec<Vec<Vec<Unit>>> {
        (0..n).map(|i| vec![vec![item(list, i)]]).collect()
    };
    let statements = |role: &str, list: &[crate::spec::StatementSpec]| -> Vec<Vec<Vec<Unit>>> {
        let mut out = Vec::new();
        for (i, st) in list.iter().enumerate() {
            if st.effect != Effect::Allow {
                continue;
            }
            let field = format!("{role}.statements[{i}]");
            let mut parts = Vec::new();
            for (key, values) in [("actions", &st.actions), ("resources", &st.resources)] {
                if let OneOrMany::Many(v) = values {
                    parts.extend((0..v.len()).map(|j| item(&format!("{field}.{key}"), j)));
                }
            }
            out.push(vec![vec![item(&format!("{role}.statements"), i)], parts]);
        }
        out
    };
    let t = &s.task_role;
    let e = &s.execution_role;
    let mut out = Vec::new();
    out.extend(items("task_role.secrets.read", t.secrets.read.len()));
    out.extend(items("task_role.kms_keys", t.kms_keys.len()));
    for (i, b) in t.s3.iter().enumerate() {
        let field = format!("task_role.s3[{i}]");
        let levels = match &b.access {
            Some(list) => (0..list.len())
                .map(|j| item(&format!("{field}.access"), j))
                .collect(),
            None => DEFAULT_LEVELS
                .iter()
                .map(|&level| Unit::DefaultLevel {
                    bucket: field.clone(),
                    level,
                })
                .collect(),
        };
        out.push(vec![vec![item("task_role.s3", i)], levels]);
    }
    out.extend(statements("task_role", &t.statements));
    out.extend(items("execution_role.secrets", e.secrets.len()));
    out.extend(items(
        "execution_role.ssm_parameters",
        e.ssm_parameters.len(),
    ));
    out.extend(items("execution_role.kms_keys", e.kms_keys.len()));
    out.extend(items(
        "execution_role.ecr.repositories",
        e.ecr.repositories.len(),
    ));
    out.extend(items("execution_role.logs.groups", e.logs.groups.len()));
    out.extend(statements("execution_role", &e.statements));
    out
}

fn narrow(source: &Source, model: &Model, text: &str, report: &Report) -> Narrowed {
    let spec = escape::path(&source.path);
    // `spec::parse` reads past a byte-order mark; so do the edits.
    let (bom, body) = match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", text),
    };
    let mut out = Narrowed {
        spec: spec.clone(),
        original: text.to_owned(),
        narrowed: text.to_owned(),
        removed: Vec::new(),
        check: Ok(Vec::new()),
    };
    let Some(tree) = Tree::index(body) else {
        return out;
    };
    let json = is_json(&source.path);
    let mut plan = Plan::default();
    let mut current = model.clone();
    let mut removed = Vec::new();
    for group in candidates(source) {
        for tier in group {
            let mut took = false;
            for unit in tier {
                let next = unit.add(&plan);
                let Some((_, m)) = build(source, &tree, body, &next, json) else {
                    continue;
                };
                if takes_only_unused(&current.roles, &m.roles, &spec, report) {
                    plan = next;
                    current = m;
                    removed.push(unit.name());
                    took = true;
                }
            }
            if took {
                break;
            }
        }
    }
    if removed.is_empty() {
        return out;
    }
    out.removed = removed;
    out.check = match render(&tree, body, &plan, json) {
        Err(why) => Err(why),
        Ok(narrowed) => {
            out.narrowed = format!("{bom}{narrowed}");
            check(source, model, &narrowed)
        }
    };
    out
}

/// The grant-level changes from `model` to the spec `text` builds; an
/// error when it does not build or anything is not narrowing (or a
/// layout change).
fn check(source: &Source, model: &Model, text: &str) -> Result<Vec<RoleChanges>, String> {
    let narrowed = reparse(source, text)?;
    let m = crate::model::build(&narrowed).map_err(|e| e.to_string())?;
    let changes = grant_diff::compare(&model.roles, &m.roles);
    for r in &changes {
        for c in &r.changes {
            // A layout change (Sids, statements merged or gone) grants
            // nothing; any other is a grant that should not have changed.
            let layout = c.class == Class::Neutral && matches!(c.item, Item::Layout { .. });
            if c.class != Class::Narrowing && !layout {
                return Err(format!(
                    "the {} role's change is {}, not narrowing: {}",
                    r.role,
                    c.class.as_str(),
                    c.item
                ));
            }
        }
    }
    Ok(changes)
}

/// The spec `text` holds, with what the original read beside it: the
/// task definitions and the parameters given on the command line.
fn reparse(source: &Source, text: &str) -> Result<Source, String> {
    let mut s = crate::spec::parse(&source.path, text).map_err(|e| e.to_string())?;
    s.spec.parameters.clone_from(&source.spec.parameters);
    s.task_definitions.clone_from(&source.task_definitions);
    s.file_name.clone_from(&source.file_name);
    Ok(s)
}

fn build(
    source: &Source,
    tree: &Tree,
    body: &str,
    plan: &Plan,
    json: bool,
) -> Option<(String, Model)> {
    let text = render(tree, body, plan, json).ok()?;
    let s = reparse(source, &text).ok()?;
    let m = crate::model::build(&s).ok()?;
    Some((text, m))
}

/// Whether going from `old` to `new` takes away at least one grant, each
/// `unused` in the report wherever it is listed, and changes nothing else
/// but layout.
fn takes_only_unused(
    old: &[crate::model::Role],
    new: &[crate::model::Role],
    spec: &str,
    report: &Report,
) -> bool {
    let mut taken = 0;
    for r in grant_diff::compare(old, new) {
        for c in &r.changes {
            match (c.class, c.sign, &c.item) {
                (Class::Neutral, _, Item::Layout { .. }) => {}
                (Class::Narrowing, Sign::Removed, Item::Grant(g)) if g.effect == Effect::Allow => {
                    let mut listed = report.entries.iter().filter(|e| {
                        e.spec == spec
                            && e.role == r.role
                            && e.action == g.action
                            && e.resource == g.resource
                            && e.status != Status::Denied
                    });
                    let mut any = false;
                    if !listed.all(|e| {
                        any = true;
                        e.status == Status::Unused
                    }) || !any
                    {
                        return false;
                    }
                    taken += 1;
                }
                _ => return false,
            }
        }
    }
    taken > 0
}

fn is_json(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// Where each node of the spec text starts and what follows it, by the
/// dotted paths of [`crate::location::Locations`]: the locations give
/// where a node starts, an edit also needs where it ends.
#[derive(Debug)]
struct Tree {
    nodes: BTreeMap<String, Node>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Node {
    /// Byte offset of the node (a block mapping: its first key).
    start: usize,
    /// Byte offset of the next event after the node and all it holds.
    after: usize,
    /// Byte offset of the mapping key whose value the node is.
    key: Option<usize>,
}

impl Tree {
    fn index(text: &str) -> Option<Tree> {
        let mut r = Indexer {
            lines: line_starts(text),
            text,
            ..Indexer::default()
        };
        let mut parser = Parser::new_from_str(text);
        parser.load(&mut r, false).ok()?;
        let offset = |event: usize| r.events.get(event).copied().unwrap_or(text.len());
        let nodes = r
            .nodes
            .iter()
            .map(|(path, n)| {
                (
                    path.clone(),
                    Node {
                        start: offset(n.start),
                        after: n.after.map_or(text.len(), offset),
                        key: n.key,
                    },
                )
            })
            .collect();
        Some(Tree { nodes })
    }

    fn get(&self, path: &str) -> Option<Node> {
        self.nodes.get(path).copied()
    }

    /// How many items the list at `path` holds.
    fn len(&self, path: &str) -> usize {
        let mut n = 0;
        while self.nodes.contains_key(&format!("{path}[{n}]")) {
            n += 1;
        }
        n
    }
}

enum Frame {
    Mapping {
        path: String,
        /// The event that starts the mapping.
        event: usize,
        key: Option<(String, usize)>,
    },
    Sequence {
        path: String,
        next: usize,
    },
}

/// A node as events number it.
struct Indexed {
    start: usize,
    after: Option<usize>,
    key: Option<usize>,
}

#[derive(Default)]
struct Indexer<'a> {
    text: &'a str,
    lines: Vec<usize>,
    stack: Vec<Frame>,
    /// Byte offset of each event; a block mapping's, of its first key
    /// (the parser marks it after that key).
    events: Vec<usize>,
    nodes: BTreeMap<String, Indexed>,
    /// Nodes complete, waiting for the next event.
    pending: Vec<String>,
}

impl Indexer<'_> {
    fn offset(&self, mark: Marker) -> usize {
        let line = mark.line().saturating_sub(1);
        let start = self.lines.get(line).copied().unwrap_or(self.text.len());
        self.text[start..]
            .char_indices()
            .nth(mark.col())
            .map_or(self.text.len(), |(i, _)| start + i)
    }

    /// The path of the node that starts now, and its key; `None` when it
    /// is a key.
    fn enter(&mut self) -> Option<(String, Option<usize>)> {
        match self.stack.last_mut() {
            None => Some((String::new(), None)),
            Some(Frame::Sequence { path, next }) => {
                let p = format!("{path}[{next}]");
                *next += 1;
                Some((p, None))
            }
            Some(Frame::Mapping { path, key, .. }) => key.take().map(|(k, at)| {
                let p = if path.is_empty() {
                    k
                } else {
                    format!("{path}.{k}")
                };
                (p, Some(at))
            }),
        }
    }

    fn node(&mut self, path: String, key: Option<usize>) {
        let start = self.events.len() - 1;
        self.nodes.insert(
            path,
            Indexed {
                start,
                after: None,
                key,
            },
        );
    }
}

impl MarkedEventReceiver for Indexer<'_> {
    fn on_event(&mut self, event: Event, mark: Marker) {
        let at = self.offset(mark);
        self.events.push(at);
        let this = self.events.len() - 1;
        for path in std::mem::take(&mut self.pending) {
            if let Some(n) = self.nodes.get_mut(&path) {
                n.after = Some(this);
            }
        }
        match event {
            Event::Scalar(value, ..) => match self.enter() {
                Some((path, key)) => {
                    self.node(path.clone(), key);
                    self.pending.push(path);
                }
                None => {
                    if let Some(Frame::Mapping { key, event, .. }) = self.stack.last_mut() {
                        *key = Some((value, at));
                        let first = &mut self.events[*event];
                        *first = (*first).min(at);
                    }
                }
            },
            Event::Alias(_) => {
                if let Some((path, key)) = self.enter() {
                    self.node(path.clone(), key);
                    self.pending.push(path);
                }
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let (path, key) = self.enter().unwrap_or_else(|| ("\u{0}".to_owned(), None));
                self.node(path.clone(), key);
                self.stack
                    .push(if matches!(event, Event::MappingStart(..)) {
                        Frame::Mapping {
                            path,
                            event: this,
                            key: None,
                        }
                    } else {
                        Frame::Sequence { path, next: 0 }
                    });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                if let Some(Frame::Mapping { path, .. } | Frame::Sequence { path, .. }) =
                    self.stack.pop()
                {
                    self.pending.push(path);
                }
            }
            _ => {}
        }
    }
}

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// The text with the plan's removals made.
fn render(tree: &Tree, text: &str, plan: &Plan, json: bool) -> Result<String, String> {
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    for (list, removed) in &plan.items {
        edits.extend(list_edits(tree, text, list, removed)?);
    }
    for (bucket, removed) in &plan.defaults {
        let kept: Vec<&str> = DEFAULT_LEVELS
            .iter()
            .filter(|l| !removed.contains(l))
            .map(|l| level_name(*l))
            .collect();
        edits.push(access_edit(tree, text, bucket, &kept, json)?);
    }
    edits.sort_by_key(|e| (e.0, e.1));
    for pair in edits.windows(2) {
        if pair[0].1 > pair[1].0 {
            return Err("two removals overlap".to_owned());
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end, with) in edits {
        out.push_str(&text[at..start]);
        out.push_str(&with);
        at = end;
    }
    out.push_str(&text[at..]);
    Ok(out)
}

fn missing(path: &str) -> String {
    format!("`{path}` is not where the spec text was expected to hold it")
}

/// The edits that remove the items `removed` of the list at `list`.
fn list_edits(
    tree: &Tree,
    text: &str,
    list: &str,
    removed: &BTreeSet<usize>,
) -> Result<Vec<(usize, usize, String)>, String> {
    let node = tree.get(list).ok_or_else(|| missing(list))?;
    let n = tree.len(list);
    if removed.iter().any(|&i| i >= n) {
        return Err(missing(list));
    }
    let items: Vec<Node> = (0..n)
        .map(|i| {
            tree.get(&format!("{list}[{i}]"))
                .ok_or_else(|| missing(list))
        })
        .collect::<Result<_, _>>()?;
    let mut edits = Vec::new();
    if text[node.start..].starts_with('[') {
        let ends: Vec<usize> = items
            .iter()
            .map(|it| flow_end(text, it.start).ok_or_else(|| missing(list)))
            .collect::<Result<_, _>>()?;
        let mut i = 0;
        while i < n {
            if !removed.contains(&i) {
                i += 1;
                continue;
            }
            let a = i;
            while i + 1 < n && removed.contains(&(i + 1)) {
                i += 1;
            }
            let b = i;
            if b + 1 < n {
                edits.push((items[a].start, items[b + 1].start, String::new()));
            } else if a > 0 {
                edits.push((ends[a - 1], ends[b], String::new()));
            } else {
                edits.push((items[a].start, ends[b], String::new()));
            }
            i += 1;
        }
        return Ok(edits);
    }
    let lines = line_starts(text);
    for &i in removed {
        let (from, to) = block_item_lines(text, &lines, items[i]).ok_or_else(|| missing(list))?;
        edits.push((from, to, String::new()));
    }
    if removed.len() == n {
        // An empty block list has no lines: the key takes a flow `[]`.
        let key = node.key.ok_or_else(|| missing(list))?;
        let colon = key_colon(text, key).ok_or_else(|| missing(list))?;
        edits.push((colon + 1, colon + 1, " []".to_owned()));
    }
    Ok(edits)
}

/// The `:` after the mapping key at `key`.
fn key_colon(text: &str, key: usize) -> Option<usize> {
    let end = scalar_end(text, key, false)?;
    let rest = &text[end..];
    let skip = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    rest[skip..].starts_with(':').then_some(end + skip)
}

/// The whole lines of a block list item: from its `-` line to its last
/// line of content (comment lines after it are left to what follows).
fn block_item_lines(text: &str, lines: &[usize], item: Node) -> Option<(usize, usize)> {
    let before = text[..item.start].trim_end_matches([' ', '\t', '\n', '\r']);
    if !before.ends_with('-') {
        return None;
    }
    let dash = before.len() - 1;
    let line_of = |offset: usize| lines.partition_point(|&s| s <= offset) - 1;
    let first = line_of(dash);
    let after_line = line_of(item.after.min(text.len().saturating_sub(1)).max(item.start));
    let lead = &text[lines[after_line]..item.after.max(lines[after_line])];
    let mut last = if item.after >= text.len() {
        lines.len() - 1
    } else if lead.trim_matches([' ', '\t', '-']).is_empty() && after_line > first {
        after_line - 1
    } else {
        after_line
    };
    let line_text = |l: usize| {
        let end = lines.get(l + 1).copied().unwrap_or(text.len());
        &text[lines[l]..end]
    };
    while last > first {
        let t = line_text(last).trim();
        if t.is_empty() || t.starts_with('#') {
            last -= 1;
        } else {
            break;
        }
    }
    let to = lines.get(last + 1).copied().unwrap_or(text.len());
    Some((lines[first], to))
}

/// The edit that writes a bucket's remaining default levels as its
/// `access:` list.
fn access_edit(
    tree: &Tree,
    text: &str,
    bucket: &str,
    kept: &[&str],
    json: bool,
) -> Result<(usize, usize, String), String> {
    let node = tree.get(bucket).ok_or_else(|| missing(bucket))?;
    if text[node.start..].starts_with('{') {
        let end = flow_end(text, node.start).ok_or_else(|| missing(bucket))?;
        let close = end - 1;
        let inside = text[..close].trim_end_matches([' ', '\t', '\n', '\r']);
        let list = if json {
            let quoted: Vec<String> = kept.iter().map(|k| format!("\"{k}\"")).collect();
            format!(", \"access\": [{}]", quoted.join(", "))
        } else {
            format!(", access: [{}]", kept.join(", "))
        };
        return Ok((inside.len(), inside.len(), list));
    }
    let lines = line_starts(text);
    let (_, to) = block_item_lines(text, &lines, node).ok_or_else(|| missing(bucket))?;
    let line_start = lines[lines.partition_point(|&s| s <= node.start) - 1];
    let indent = text[line_start..node.start].chars().count();
    let newline = if to > 0 && !text[..to].ends_with('\n') {
        "\n"
    } else {
        ""
    };
    Ok((
        to,
        to,
        format!(
            "{newline}{}access: [{}]\n",
            " ".repeat(indent),
            kept.join(", ")
        ),
    ))
}

/// The end of the flow node at `start`: a quoted or plain scalar, or a
/// bracketed collection.
fn flow_end(text: &str, start: usize) -> Option<usize> {
    match text[start..].chars().next()? {
        '[' | '{' => {
            let mut depth = 0usize;
            let mut i = start;
            while i < text.len() {
                let c = text[i..].chars().next()?;
                match c {
                    '"' | '\'' => {
                        i = scalar_end(text, i, true)?;
                        continue;
                    }
                    '#' if text[..i].ends_with([' ', '\t', '\n']) => {
                        i += text[i..].find('\n').unwrap_or(text.len() - i);
                        continue;
                    }
                    '[' | '{' => depth += 1,
                    ']' | '}' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += c.len_utf8();
            }
            None
        }
        _ => scalar_end(text, start, true),
    }
}

/// The end of the scalar at `start`: past its closing quote, or, plain,
/// before what ends it (`: `, ` #`, a line end, and in flow `,]}`), trailing
/// blanks left out.
fn scalar_end(text: &str, start: usize, flow: bool) -> Option<usize> {
    let rest = &text[start..];
    let mut chars = rest.char_indices();
    match chars.next()? {
        (_, '"') => {
            let mut escaped = false;
            for (i, c) in chars {
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => return Some(start + i + 1),
                    _ => escaped = false,
                }
            }
            None
        }
        (_, '\'') => {
            let bytes = rest.as_bytes();
            let mut i = 1;
            while i < bytes.len() {
                if bytes[i] == b'\'' {
                    if bytes.get(i + 1) == Some(&b'\'') {
                        i += 2;
                        continue;
                    }
                    return Some(start + i + 1);
                }
                i += 1;
            }
            None
        }
        _ => {
            let mut end = rest.len();
            for (i, c) in rest.char_indices() {
                let next = rest[i + c.len_utf8()..].chars().next();
                let stop = c == '\n'
                    || (c == ':'
                        && next
                            .is_none_or(|n| n == ' ' || n == '\n' || (flow && ",]}".contains(n))))
                    || (c == '#' && i > 0 && rest[..i].ends_with([' ', '\t']))
                    || (flow && ",]}".contains(c));
                if stop {
                    end = i;
                    break;
                }
            }
            Some(start + rest[..end].trim_end_matches([' ', '\t', '\r']).len())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(text: &str, list: &str, removed: &[usize]) -> String {
        let tree = Tree::index(text).unwrap();
        let mut plan = Plan::default();
        plan.items
            .insert(list.to_owned(), removed.iter().copied().collect());
        render(&tree, text, &plan, false).unwrap()
    }

    #[test]
    fn flow_lists() {
        let t = "a:\n  read: [x, \"y\", 'z'] # the secrets\nb: 1\n";
        assert_eq!(
            edit(t, "a.read", &[0]),
            "a:\n  read: [\"y\", 'z'] # the secrets\nb: 1\n"
        );
        assert_eq!(
            edit(t, "a.read", &[1]),
            "a:\n  read: [x, 'z'] # the secrets\nb: 1\n"
        );
        assert_eq!(
            edit(t, "a.read", &[2]),
            "a:\n  read: [x, \"y\"] # the secrets\nb: 1\n"
        );
        assert_eq!(
            edit(t, "a.read", &[1, 2]),
            "a:\n  read: [x] # the secrets\nb: 1\n"
        );
        assert_eq!(
            edit(t, "a.read", &[0, 1, 2]),
            "a:\n  read: [] # the secrets\nb: 1\n"
        );
        let j = "{\"a\": {\"read\": [\"x\", \"y\"]}}";
        assert_eq!(edit(j, "a.read", &[0]), "{\"a\": {\"read\": [\"y\"]}}");
        let m = "s3: [{bucket: a, access: [read]}, {bucket: b}]\n";
        assert_eq!(edit(m, "s3", &[0]), "s3: [{bucket: b}]\n");
        assert_eq!(edit(m, "s3", &[1]), "s3: [{bucket: a, access: [read]}]\n");
    }

    #[test]
    fn block_lists() {
        let t = "a:\n  read:\n    # first\n    - x\n    - y   # why\n  # the last\n  list: true\n";
        assert_eq!(
            edit(t, "a.read", &[0]),
            "a:\n  read:\n    # first\n    - y   # why\n  # the last\n  list: true\n"
        );
        assert_eq!(
            edit(t, "a.read", &[1]),
            "a:\n  read:\n    # first\n    - x\n  # the last\n  list: true\n"
        );
        assert_eq!(
            edit(t, "a.read", &[0, 1]),
            "a:\n  read: []\n    # first\n  # the last\n  list: true\n"
        );
        let s = "s3:\n  - bucket: a\n    access:\n      - read\n\n  - bucket: b\n";
        assert_eq!(edit(s, "s3", &[0]), "s3:\n\n  - bucket: b\n");
        assert_eq!(
            edit(s, "s3", &[1]),
            "s3:\n  - bucket: a\n    access:\n      - read\n\n"
        );
        assert_eq!(
            edit(s, "s3[0].access", &[0]),
            "s3:\n  - bucket: a\n    access: []\n\n  - bucket: b\n"
        );
        let no_newline = "r:\n- x\n- y";
        assert_eq!(edit(no_newline, "r", &[1]), "r:\n- x\n");
    }

    #[test]
    fn default_levels_written() {
        let t = "s3:\n  - bucket: a\n    prefix: p/\n  - {bucket: b}\n";
        let tree = Tree::index(t).unwrap();
        let mut plan = Plan::default();
        plan.defaults
            .insert("s3[0]".to_owned(), BTreeSet::from([S3Access::Write]));
        plan.defaults
            .insert("s3[1]".to_owned(), BTreeSet::from([S3Access::List]));
        assert_eq!(
            render(&tree, t, &plan, false).unwrap(),
            "s3:\n  - bucket: a\n    prefix: p/\n    access: [list, read]\n  - {bucket: b, access: [read, write]}\n"
        );
    }
}
