//! What an IAM change does, grant by grant.
//!
//! Both sides are broken into single grants — (effect, action, resource,
//! conditions) — and trust grants (principal, action, conditions). A grant
//! on the new side that no old grant covers allows something new: it is
//! broadening. An old grant that no new grant covers is narrowing. Covering
//! understands `*` and `?` in actions and ARNs (`secret:db-??????` is
//! covered by `secret:*`) and conditions (fewer conditions, or more values
//! of a positive operator, allow more). So narrowing `"*"` to one ARN,
//! splitting or merging statements and renaming Sids are never reported as
//! broadening, which whole-statement comparisons (`cdk diff`) do.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};

use serde::Serialize;

use crate::evaluate::arn_fields;
use crate::model::Role;
use crate::model::managed::AwsManaged;
use crate::spec::Effect;

/// How a change affects access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    /// Some request is allowed after that was not allowed before.
    Broadening,
    /// Some request allowed before is no longer allowed.
    Narrowing,
    /// Nothing allowed or denied changes.
    Neutral,
}

impl Class {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Broadening => "broadening",
            Class::Narrowing => "narrowing",
            Class::Neutral => "neutral",
        }
    }
}

/// `+` (present only in the new side) or `-` (only in the old).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sign {
    Added,
    Removed,
    Changed,
}

impl Sign {
    #[must_use]
    pub fn symbol(self) -> &'static str {
        match self {
            Sign::Added => "+",
            Sign::Removed => "-",
            Sign::Changed => "~",
        }
    }
}

/// One condition of a grant.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Cond {
    pub test: String,
    pub key: String,
    pub values: BTreeSet<String>,
}

/// A single permission: one effect, action and resource (for trust: the
/// principal), under a set of conditions.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Grant {
    pub effect: Effect,
    pub action: String,
    pub resource: String,
    pub conditions: BTreeSet<Cond>,
}

impl fmt::Display for Grant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} on {}{}",
            self.effect.as_str(),
            self.action,
            self.resource,
            when(&self.conditions)
        )
    }
}

/// ` when StringEquals aws:SourceVpce vpce-1 and ...`, or nothing.
#[must_use]
pub fn when(conditions: &BTreeSet<Cond>) -> String {
    let mut out = String::new();
    for (i, c) in conditions.iter().enumerate() {
        let values: Vec<&str> = c.values.iter().map(String::as_str).collect();
        out.push_str(if i == 0 { " when " } else { " and " });
        let _ = write!(out, "{} {} {}", c.test, c.key, values.join(" | "));
    }
    out
}

/// What changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Item {
    /// A permission grant of the role's inline policy or of a policy
    /// created beside it.
    Grant(Grant),
    /// A trust grant: who may assume the role (`resource` is the principal).
    Trust(Grant),
    ManagedPolicy {
        arn: String,
    },
    PermissionsBoundary {
        old: Option<String>,
        new: Option<String>,
    },
    MaxSessionDuration {
        old: u64,
        new: u64,
    },
    /// A change that grants nothing: a Sid, the statement layout, a name.
    Layout {
        detail: String,
    },
    /// One grant written with a deploy-time value on one side and a literal
    /// on the other (`arn:<partition>:...` → `arn:aws:...`): the same grant
    /// only where the stack is deployed with that value.
    Pinned {
        /// `grant` or `trust`.
        of: &'static str,
        old: Grant,
        new: Grant,
        /// What must hold at deploy time, e.g. `<partition> = aws`.
        assumes: Vec<String>,
    },
}

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Item::Grant(g) => write!(f, "{g}"),
            Item::Trust(g) => write!(
                f,
                "trust {} {} by {}{}",
                g.effect.as_str(),
                g.action,
                g.resource,
                when(&g.conditions)
            ),
            Item::ManagedPolicy { arn } => write!(f, "managed policy {arn}"),
            Item::PermissionsBoundary { old, new } => write!(
                f,
                "permissions boundary {} -> {}",
                old.as_deref().unwrap_or("none"),
                new.as_deref().unwrap_or("none")
            ),
            Item::MaxSessionDuration { old, new } => {
                write!(f, "max session duration {old} s -> {new} s")
            }
            Item::Layout { detail } => f.write_str(detail),
            Item::Pinned {
                of,
                old,
                new,
                assumes,
            } => {
                let prefix = if *of == "trust" { "trust " } else { "" };
                write!(
                    f,
                    "{prefix}{old} -> {}{} (the same grant only where {} at deploy time)",
                    new.resource,
                    when(&new.conditions),
                    assumes.join(", ")
                )
            }
        }
    }
}

/// One classified change of one role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub class: Class,
    pub sign: Sign,
    #[serde(flatten)]
    pub item: Item,
}

impl Change {
    /// The change as one report line for a terminal: sign, class, item
    /// (escaped: it holds what the compared files hold).
    #[must_use]
    pub fn line(&self) -> String {
        format!(
            "  {} {:<10}  {}",
            self.sign.symbol(),
            self.class.as_str(),
            crate::escape::terminal(&self.item.to_string())
        )
    }
}

/// The changes of one role.
#[derive(Debug, Clone, Serialize)]
pub struct RoleChanges {
    /// `task` or `execution`.
    pub role: String,
    pub name: String,
    pub changes: Vec<Change>,
}

/// Compare the roles of two renderings (`old` may be empty: nothing was
/// generated before).
#[must_use]
pub fn compare(old: &[Role], new: &[Role]) -> Vec<RoleChanges> {
    let mut out = Vec::new();
    for n in new {
        let o = old.iter().find(|o| o.kind == n.kind);
        out.push(RoleChanges {
            role: n.kind.key().to_owned(),
            name: n.name.clone(),
            changes: role_changes(o, n),
        });
    }
    for o in old.iter().filter(|o| !new.iter().any(|n| n.kind == o.kind)) {
        out.push(RoleChanges {
            role: o.kind.key().to_owned(),
            name: o.name.clone(),
            changes: removed_role(o),
        });
    }
    out
}

fn removed_role(o: &Role) -> Vec<Change> {
    let mut changes = Vec::new();
    for g in permission_grants(o) {
        changes.push(Change {
            class: if g.effect == Effect::Allow {
                Class::Narrowing
            } else {
                Class::Broadening
            },
            sign: Sign::Removed,
            item: Item::Grant(g),
        });
    }
    changes
}

fn role_changes(old: Option<&Role>, new: &Role) -> Vec<Change> {
    let mut changes = Vec::new();
    let (old_grants, old_trust) = old.map_or_else(
        || (Vec::new(), Vec::new()),
        |o| (permission_grants(o), trust_grants(o)),
    );
    let new_grants = permission_grants(new);
    let new_trust = trust_grants(new);

    // What the AWS managed policies ecs-iam knows grant counts when deciding
    // whether a grant is covered: replacing AmazonECSTaskExecutionRolePolicy
    // by scoped grants is narrowing, not broadening.
    let effective = |grants: &[Grant], role: Option<&Role>| -> Vec<Grant> {
        let mut all = grants.to_vec();
        for m in role.iter().flat_map(|r| &r.managed_policies) {
            all.extend(managed_policy_grants(&m.arn.to_string()));
        }
        all
    };
    grant_changes(
        (&old_grants, &effective(&old_grants, old)),
        (&new_grants, &effective(&new_grants, Some(new))),
        &mut changes,
        "grant",
    );
    grant_changes(
        (&old_trust, &old_trust),
        (&new_trust, &new_trust),
        &mut changes,
        "trust",
    );

    let old_managed: BTreeSet<String> = old
        .map(|o| {
            o.managed_policies
                .iter()
                .map(|m| m.arn.to_string())
                .collect()
        })
        .unwrap_or_default();
    let new_managed: BTreeSet<String> = new
        .managed_policies
        .iter()
        .map(|m| m.arn.to_string())
        .collect();
    for arn in new_managed.difference(&old_managed) {
        changes.push(Change {
            class: Class::Broadening,
            sign: Sign::Added,
            item: Item::ManagedPolicy { arn: arn.clone() },
        });
    }
    for arn in old_managed.difference(&new_managed) {
        changes.push(Change {
            class: Class::Narrowing,
            sign: Sign::Removed,
            item: Item::ManagedPolicy { arn: arn.clone() },
        });
    }

    let old_boundary = old.and_then(|o| o.permissions_boundary.as_ref().map(ToString::to_string));
    let new_boundary = new.permissions_boundary.as_ref().map(ToString::to_string);
    if old.is_some() && old_boundary != new_boundary {
        // A boundary only ever limits; dropping or replacing one may allow
        // more (the new boundary's contents are unknown here).
        let (class, sign) = match (&old_boundary, &new_boundary) {
            (None, Some(_)) => (Class::Narrowing, Sign::Added),
            (Some(_), None) => (Class::Broadening, Sign::Removed),
            _ => (Class::Broadening, Sign::Changed),
        };
        changes.push(Change {
            class,
            sign,
            item: Item::PermissionsBoundary {
                old: old_boundary,
                new: new_boundary,
            },
        });
    }

    if let Some(o) = old {
        let (os, ns) = (
            o.max_session_duration.unwrap_or(3600),
            new.max_session_duration.unwrap_or(3600),
        );
        if os != ns {
            changes.push(Change {
                class: if ns > os {
                    Class::Broadening
                } else {
                    Class::Narrowing
                },
                sign: Sign::Changed,
                item: Item::MaxSessionDuration { old: os, new: ns },
            });
        }
        layout_changes(o, new, &mut changes);
    }
    changes
}

/// The grants of an AWS managed policy whose content ecs-iam knows.
fn managed_policy_grants(arn: &str) -> Vec<Grant> {
    let known = AwsManaged::by_arn(arn).map_or(&[][..], |m| m.grants);
    known
        .iter()
        .map(|a| Grant {
            effect: Effect::Allow,
            action: (*a).to_owned(),
            resource: "*".to_owned(),
            conditions: BTreeSet::new(),
        })
        .collect()
}

/// `+` rows for grants only the new side lists, `-` rows for grants only
/// the old side lists, each classified by whether the other side's
/// effective grants (`.1`) cover it. An added and a removed grant that
/// differ only where one side has a deploy-time value and the other a
/// literal become one `~` row that says what it assumes.
fn grant_changes(
    (old, old_cover): (&[Grant], &[Grant]),
    (new, new_cover): (&[Grant], &[Grant]),
    changes: &mut Vec<Change>,
    of: &'static str,
) {
    let wrap = |g: Grant| {
        if of == "trust" {
            Item::Trust(g)
        } else {
            Item::Grant(g)
        }
    };
    let old_set: BTreeSet<&Grant> = old.iter().collect();
    let new_set: BTreeSet<&Grant> = new.iter().collect();
    let mut added = Vec::new();
    for g in new_set.difference(&old_set) {
        let covered = old_cover.iter().any(|o| covers(o, g));
        // A new Allow nothing covered allows more; a new Deny denies more.
        let class = match (covered, g.effect) {
            (true, _) => Class::Neutral,
            (false, Effect::Deny) => Class::Narrowing,
            (false, _) => Class::Broadening,
        };
        added.push((class, *g));
    }
    let mut removed = Vec::new();
    for g in old_set.difference(&new_set) {
        let covered = new_cover.iter().any(|n| covers(n, g));
        let class = match (covered, g.effect) {
            (true, _) => Class::Neutral,
            (false, Effect::Deny) => Class::Broadening,
            (false, _) => Class::Narrowing,
        };
        removed.push((class, *g));
    }
    for (class, g) in added {
        let paired = (class != Class::Neutral)
            .then(|| {
                removed
                    .iter()
                    .position(|(c, r)| *c != Class::Neutral && resolve(r, g).is_some())
            })
            .flatten();
        if let Some(i) = paired {
            let (_, r) = removed.remove(i);
            let bindings = resolve(r, g).unwrap_or_default();
            changes.push(Change {
                class: pinned_class(&bindings, g.effect),
                sign: Sign::Changed,
                item: Item::Pinned {
                    of,
                    old: r.clone(),
                    new: g.clone(),
                    assumes: bindings
                        .iter()
                        .map(|b| format!("{} = {}", b.placeholder, b.literal))
                        .collect(),
                },
            });
        } else {
            changes.push(Change {
                class,
                sign: Sign::Added,
                item: wrap(g.clone()),
            });
        }
    }
    for (class, g) in removed {
        changes.push(Change {
            class,
            sign: Sign::Removed,
            item: wrap(g.clone()),
        });
    }
}

/// A deploy-time value written literally on one side of a pair of grants,
/// or an input renamed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Binding {
    /// `<partition>`, `<region>`, `<account_id>` or `<input.Name>`.
    placeholder: String,
    /// The text on the other side: a literal, or another input.
    literal: String,
    /// The old side had the placeholder, the new one the literal.
    pinned: bool,
}

/// Pinning the partition (`arn:<partition>:` → `arn:aws:`) never allows
/// more: no grant reaches across partitions, so where the stack is deployed
/// in that partition nothing changes and elsewhere the grant matches
/// nothing. Anything else (a region, account or input pinned or left to
/// deploy time again, an input renamed) may name another resource than
/// before, and ecs-iam cannot know the deployment: an Allow counts as
/// broadening.
fn pinned_class(bindings: &[Binding], effect: Effect) -> Class {
    let only_partition_pinned = bindings
        .iter()
        .all(|b| b.placeholder == "<partition>" && b.pinned);
    match (only_partition_pinned, effect) {
        (true, _) => Class::Neutral,
        (false, Effect::Deny) => Class::Narrowing,
        (false, _) => Class::Broadening,
    }
}

/// The deploy-time values that make `old` and `new` the same grant, when
/// they differ only in such values; `None` otherwise (or when they are
/// equal).
fn resolve(old: &Grant, new: &Grant) -> Option<Vec<Binding>> {
    if old.effect != new.effect || old.action != new.action {
        return None;
    }
    let mut bindings = Vec::new();
    unify(&old.resource, &new.resource, &mut bindings)?;
    if old.conditions.len() != new.conditions.len() {
        return None;
    }
    for (o, n) in old.conditions.iter().zip(&new.conditions) {
        if o.test != n.test || o.key != n.key || o.values.len() != n.values.len() {
            return None;
        }
        for (ov, nv) in o.values.iter().zip(&n.values) {
            unify(ov, nv, &mut bindings)?;
        }
    }
    (!bindings.is_empty()).then_some(bindings)
}

const PLACEHOLDERS: [&str; 3] = ["<partition>", "<region>", "<account_id>"];

/// The placeholder `s` starts with: a built-in one, or an input
/// (`<input.Name>`).
fn placeholder_at(s: &str) -> Option<&str> {
    if let Some(p) = PLACEHOLDERS.iter().find(|p| s.starts_with(**p)) {
        return Some(p);
    }
    let end = s.find('>')?;
    let name = s[..end].strip_prefix("<input.")?;
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric())).then(|| &s[..=end])
}

/// Record that `placeholder` stands for `literal`; false when it already
/// stands for something else.
fn bind(bindings: &mut Vec<Binding>, binding: Binding) -> bool {
    if let Some(existing) = bindings
        .iter()
        .find(|x| x.placeholder == binding.placeholder)
    {
        return *existing == binding;
    }
    bindings.push(binding);
    true
}

/// Match `old` against `new`, where a placeholder on either side stands for
/// text on the other: a built-in one for a partition, region or account
/// (`[a-z0-9-]+`), an input for any text, or for another input (a rename).
/// Each placeholder must stand for one value throughout.
fn unify(old: &str, new: &str, bindings: &mut Vec<Binding>) -> Option<()> {
    let (mut a, mut b) = (old, new);
    loop {
        match (placeholder_at(a), placeholder_at(b)) {
            (Some(x), Some(y)) if x == y => {
                a = &a[x.len()..];
                b = &b[y.len()..];
            }
            (Some(x), Some(y)) if x.starts_with("<input.") || y.starts_with("<input.") => {
                let renamed = Binding {
                    placeholder: x.to_owned(),
                    literal: y.to_owned(),
                    pinned: false,
                };
                if !bind(bindings, renamed) {
                    return None;
                }
                a = &a[x.len()..];
                b = &b[y.len()..];
            }
            (Some(p), None) | (None, Some(p)) => {
                let pinned = placeholder_at(a).is_some();
                let (rest_p, literal_side) = if pinned {
                    (&a[p.len()..], b)
                } else {
                    (&b[p.len()..], a)
                };
                let lengths: Vec<usize> = if p.starts_with("<input.") {
                    // Any text: the shortest that lets the rest match.
                    literal_side
                        .char_indices()
                        .skip(1)
                        .map(|(i, _)| i)
                        .chain([literal_side.len()])
                        .collect()
                } else {
                    let len = literal_side
                        .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))
                        .unwrap_or(literal_side.len());
                    vec![len]
                };
                for len in lengths.into_iter().filter(|l| *l > 0) {
                    let mut tried = bindings.clone();
                    let binding = Binding {
                        placeholder: p.to_owned(),
                        literal: literal_side[..len].to_owned(),
                        pinned,
                    };
                    if !bind(&mut tried, binding) {
                        continue;
                    }
                    let rest_literal = &literal_side[len..];
                    let rest = if pinned {
                        unify(rest_p, rest_literal, &mut tried)
                    } else {
                        unify(rest_literal, rest_p, &mut tried)
                    };
                    if rest.is_some() {
                        *bindings = tried;
                        return Some(());
                    }
                }
                return None;
            }
            _ => {
                let (ca, cb) = (a.chars().next(), b.chars().next());
                match (ca, cb) {
                    (None, None) => return Some(()),
                    (Some(x), Some(y)) if x == y => {
                        a = &a[x.len_utf8()..];
                        b = &b[y.len_utf8()..];
                    }
                    _ => return None,
                }
            }
        }
    }
}

fn layout_changes(old: &Role, new: &Role, changes: &mut Vec<Change>) {
    let mut neutral = |detail: String| {
        changes.push(Change {
            class: Class::Neutral,
            sign: Sign::Changed,
            item: Item::Layout { detail },
        });
    };
    let sids =
        |r: &Role| -> Vec<String> { r.permission_statements().map(|s| s.sid.clone()).collect() };
    let (os, ns) = (sids(old), sids(new));
    if os != ns {
        let (a, b): (BTreeSet<&String>, BTreeSet<&String>) =
            (os.iter().collect(), ns.iter().collect());
        if a == b && os.len() == ns.len() {
            neutral("statements reordered".to_owned());
        } else {
            let gone: Vec<String> = a.difference(&b).map(|s| (*s).clone()).collect();
            let came: Vec<String> = b.difference(&a).map(|s| (*s).clone()).collect();
            neutral(format!(
                "statements {} -> {}; Sids removed: {}; added: {}",
                os.len(),
                ns.len(),
                list(&gone),
                list(&came)
            ));
        }
    }
    moves(old, new, &mut neutral);
    let name = |r: &Role| r.policy.as_ref().map(|p| p.name.clone());
    if name(old) != name(new) && old.policy.is_some() && new.policy.is_some() {
        neutral(format!(
            "inline policy renamed {} -> {}",
            name(old).unwrap_or_default(),
            name(new).unwrap_or_default()
        ));
    }
    if old.name != new.name {
        neutral(format!("role renamed {} -> {}", old.name, new.name));
    }
    if old.description != new.description {
        neutral("description changed".to_owned());
    }
    if old.path != new.path {
        neutral(format!(
            "path {} -> {}",
            old.path.as_deref().unwrap_or("/"),
            new.path.as_deref().unwrap_or("/")
        ));
    }
    let tags = |r: &Role| -> Vec<String> {
        r.tags
            .iter()
            .map(|t| format!("{}={}", t.key, t.value))
            .collect()
    };
    if tags(old) != tags(new) {
        neutral(format!("tags {} -> {}", list(&tags(old)), list(&tags(new))));
    }
}

/// Statements that moved between the policies of one role (its inline
/// policy and those created beside it, `policy_layout: split`): the role
/// grants the same either way, so each move is neutral.
fn moves(old: &Role, new: &Role, neutral: &mut dyn FnMut(String)) {
    let homes = |r: &Role| -> BTreeMap<String, String> {
        r.policy
            .iter()
            .chain(&r.created_policies)
            .flat_map(|p| p.statements.iter().map(|s| (s.sid.clone(), p.name.clone())))
            .collect()
    };
    let (before, after) = (homes(old), homes(new));
    // Only policies created beside the role come and go by layout: a role
    // with none on either side has nothing to move between.
    if old.created_policies.is_empty() && new.created_policies.is_empty() {
        return;
    }
    let (old_inline, new_inline) = (
        old.policy.as_ref().map(|p| p.name.as_str()),
        new.policy.as_ref().map(|p| p.name.as_str()),
    );
    for (sid, from) in &before {
        if let Some(to) = after.get(sid) {
            // The inline policy renamed is reported once, below.
            let both_inline = old_inline == Some(from.as_str()) && new_inline == Some(to.as_str());
            if from != to && !both_inline && !sid.is_empty() {
                neutral(format!("statement {sid} moved from policy {from} to {to}"));
            }
        }
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items
            .iter()
            .map(|s| if s.is_empty() { "(no Sid)" } else { s.as_str() })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn conditions(st: &crate::model::Statement) -> BTreeSet<Cond> {
    st.conditions
        .iter()
        .flat_map(|g| {
            g.entries.iter().map(|e| Cond {
                test: g.test.clone(),
                key: e.variable.clone(),
                values: e.values.iter().map(ToString::to_string).collect(),
            })
        })
        .collect()
}

/// The single grants of a role's permission policies: its inline policy
/// and the policies created beside it.
#[must_use]
pub fn permission_grants(role: &Role) -> Vec<Grant> {
    let mut out = Vec::new();
    for st in role.permission_statements() {
        let conds = conditions(st);
        for a in &st.actions {
            for r in &st.resources {
                out.push(Grant {
                    effect: st.effect,
                    action: a.clone(),
                    resource: r.to_string(),
                    conditions: conds.clone(),
                });
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The trust grants of a role: one per principal and action.
#[must_use]
pub fn trust_grants(role: &Role) -> Vec<Grant> {
    let mut out = Vec::new();
    for st in &role.trust {
        let conds = conditions(st);
        for a in &st.actions {
            for p in &st.principals {
                out.push(Grant {
                    effect: st.effect,
                    action: a.clone(),
                    resource: p.clone(),
                    conditions: conds.clone(),
                });
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Whether every request `inner` matches is also matched by `outer`.
#[must_use]
pub fn covers(outer: &Grant, inner: &Grant) -> bool {
    outer.effect == inner.effect
        // Action names are case-insensitive in IAM; ARNs are not.
        && glob_covers(&outer.action.to_ascii_lowercase(), &inner.action.to_ascii_lowercase())
        && arn_covers(&outer.resource, &inner.resource)
        && outer.conditions.iter().all(|c| inner.conditions.iter().any(|i| condition_covers(c, i)))
}

/// Whether condition `outer` lets through every request `inner` does.
fn condition_covers(outer: &Cond, inner: &Cond) -> bool {
    if outer.test != inner.test || !outer.key.eq_ignore_ascii_case(&inner.key) {
        return false;
    }
    let test = outer.test.as_str();
    let set_operator = test.starts_with("ForAllValues:")
        || test.starts_with("ForAnyValue:")
        || test.ends_with("IfExists");
    if set_operator {
        return outer.values == inner.values;
    }
    let negated = test.contains("Not");
    let like = test.contains("Like");
    let positive_equality = matches!(
        test,
        "StringEquals"
            | "StringEqualsIgnoreCase"
            | "ArnEquals"
            | "ArnLike"
            | "StringLike"
            | "IpAddress"
            | "BinaryEquals"
    );
    if negated {
        // A request passes when it matches none of the values: more values
        // let fewer requests through.
        return outer.values.is_subset(&inner.values);
    }
    if matches!(test, "ArnEquals" | "ArnLike") {
        // Both take wildcards and match field by field; a value that is not
        // a six-field ARN matches no request.
        return inner.values.iter().all(|v| {
            let Some(v) = arn_fields(v) else { return true };
            outer.values.iter().any(|o| {
                arn_fields(o).is_some_and(|o| o.iter().zip(&v).all(|(o, v)| glob_covers(o, v)))
            })
        });
    }
    if positive_equality {
        // A request passes when it matches any value: `inner`'s values must
        // all be allowed by `outer`'s.
        return inner.values.iter().all(|v| {
            outer
                .values
                .iter()
                .any(|o| if like { glob_covers(o, v) } else { o == v })
        });
    }
    // Numeric, date, Bool, Null: no order is assumed.
    outer.values == inner.values
}

/// Whether resource `outer` matches every resource `inner` matches, as IAM
/// matches ARNs: partition, service, region, account and resource part each
/// on its own, so a `*` in the region never stands for `region:account`
/// (see [`crate::evaluate::resource_matches`]).
#[must_use]
pub fn arn_covers(outer: &str, inner: &str) -> bool {
    if outer == "*" {
        return true;
    }
    match (arn_fields(outer), arn_fields(inner)) {
        (Some(o), Some(i)) => o.iter().zip(&i).all(|(o, i)| glob_covers(o, i)),
        _ => glob_covers(outer, inner),
    }
}

/// Whether glob `outer` matches every string glob `inner` matches, with `*`
/// any run of characters and `?` one character. `inner`'s own wildcards
/// must be met by wildcards of `outer` at least as wide.
#[must_use]
pub fn glob_covers(outer: &str, inner: &str) -> bool {
    let p: Vec<char> = outer.chars().collect();
    let s: Vec<char> = inner.chars().collect();
    // dp[i][j]: p[..i] covers s[..j].
    let mut dp = vec![vec![false; s.len() + 1]; p.len() + 1];
    dp[0][0] = true;
    for i in 1..=p.len() {
        if p[i - 1] == '*' {
            dp[i][0] = dp[i - 1][0];
        }
        for j in 1..=s.len() {
            dp[i][j] = match p[i - 1] {
                '*' => dp[i - 1][j] || dp[i][j - 1],
                '?' => s[j - 1] != '*' && dp[i - 1][j - 1],
                c => s[j - 1] == c && dp[i - 1][j - 1],
            };
        }
    }
    dp[p.len()][s.len()]
}

/// Totals of a comparison.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub broadening: usize,
    pub narrowing: usize,
    pub neutral: usize,
}

/// Count the changes of every role by class.
#[must_use]
pub fn summarize(roles: &[RoleChanges]) -> Summary {
    let mut s = Summary::default();
    for c in roles.iter().flat_map(|r| &r.changes) {
        match c.class {
            Class::Broadening => s.broadening += 1,
            Class::Narrowing => s.narrowing += 1,
            Class::Neutral => s.neutral += 1,
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_cover_narrower_globs() {
        assert!(glob_covers(
            "arn:aws:secretsmanager:r:a:secret:*",
            "arn:aws:secretsmanager:r:a:secret:db-??????"
        ));
        assert!(!glob_covers(
            "arn:aws:secretsmanager:r:a:secret:db-??????",
            "arn:aws:secretsmanager:r:a:secret:*"
        ));
        assert!(glob_covers("*", "anything*"));
        assert!(glob_covers("s3:Get*", "s3:GetObject"));
        assert!(!glob_covers("s3:GetObject", "s3:Get*"));
        assert!(glob_covers("a?c", "abc"));
        assert!(!glob_covers("a?c", "a*c"));
        assert!(glob_covers("a*", "a?"));
        assert!(glob_covers("a*b*", "a*b*b*"));
    }

    // A wildcard in one ARN field covers only that field: `*` in the region
    // of `arn:aws:sqs:*:111122223333:*` does not stand for
    // `us-east-1:999999999999`, so a grant in that account is not covered
    // (IAM, iam-simulate and `evaluate` all match field by field).
    #[test]
    fn arn_wildcards_cover_one_field() {
        let any_region = "arn:aws:sqs:*:111122223333:*";
        let elsewhere = "arn:aws:sqs:us-east-1:999999999999:111122223333:q";
        assert!(glob_covers(any_region, elsewhere));
        assert!(!arn_covers(any_region, elsewhere));
        let other_account = Grant {
            resource: elsewhere.to_owned(),
            ..grant(any_region)
        };
        assert!(!covers(&grant(any_region), &other_account));
        assert!(arn_covers(
            any_region,
            "arn:aws:sqs:eu-west-1:111122223333:q"
        ));
        assert!(arn_covers("*", elsewhere));
        assert!(arn_covers("arn:aws:s3:::b/*", "arn:aws:s3:::b/k:1/x"));
        let request = crate::evaluate::Request {
            action: "s3:GetObject".into(),
            resource: elsewhere.into(),
            ..Default::default()
        };
        assert!(!crate::evaluate::resource_matches(
            any_region,
            &request.resource
        ));

        let arn_like = |value: &str| Cond {
            test: "ArnLike".into(),
            key: "aws:SourceArn".into(),
            values: BTreeSet::from([value.to_owned()]),
        };
        assert!(!condition_covers(
            &arn_like(any_region),
            &arn_like(elsewhere)
        ));
        assert!(condition_covers(
            &arn_like("arn:aws:ecs:*:111122223333:*"),
            &arn_like("arn:aws:ecs:us-east-1:111122223333:task/*")
        ));
        // Not an ARN: matches nothing, so covers nothing but itself.
        assert!(!condition_covers(
            &arn_like("arn:aws:ecs:*:x"),
            &arn_like("arn:aws:ecs:us-east-1:111122223333:x")
        ));
        // ArnEquals takes wildcards as ArnLike does.
        let arn_equals = |value: &str| Cond {
            test: "ArnEquals".into(),
            ..arn_like(value)
        };
        assert!(condition_covers(
            &arn_equals("arn:aws:ecs:us-east-1:111122223333:*"),
            &arn_equals("arn:aws:ecs:us-east-1:111122223333:task/c/1")
        ));
    }

    fn grant(resource: &str) -> Grant {
        Grant {
            effect: Effect::Allow,
            action: "s3:GetObject".to_owned(),
            resource: resource.to_owned(),
            conditions: BTreeSet::new(),
        }
    }

    #[test]
    fn deploy_time_values_resolve_against_literals() {
        let b = resolve(
            &grant("arn:<partition>:secretsmanager:<region>:<account_id>:secret:db-??????"),
            &grant("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-??????"),
        )
        .unwrap();
        let seen: Vec<(&str, &str, bool)> = b
            .iter()
            .map(|b| (b.placeholder.as_str(), b.literal.as_str(), b.pinned))
            .collect();
        assert_eq!(
            seen,
            [
                ("<partition>", "aws", true),
                ("<region>", "eu-west-1", true),
                ("<account_id>", "123456789012", true)
            ]
        );
        assert_eq!(pinned_class(&b, Effect::Allow), Class::Broadening);
        let p = resolve(
            &grant("arn:<partition>:s3:::b/*"),
            &grant("arn:aws-cn:s3:::b/*"),
        )
        .unwrap();
        assert_eq!(pinned_class(&p, Effect::Allow), Class::Neutral);
        // Back to deploy time: the old grant may have matched nothing.
        let u = resolve(
            &grant("arn:aws:s3:::b/*"),
            &grant("arn:<partition>:s3:::b/*"),
        )
        .unwrap();
        assert!(!u[0].pinned);
        assert_eq!(pinned_class(&u, Effect::Allow), Class::Broadening);
        // Another resource is not the same grant; nor is an equal one.
        assert!(
            resolve(
                &grant("arn:<partition>:s3:::b/*"),
                &grant("arn:aws:s3:::c/*")
            )
            .is_none()
        );
        assert!(resolve(&grant("arn:aws:s3:::b/*"), &grant("arn:aws:s3:::b/*")).is_none());
        // One placeholder, one value.
        assert!(
            resolve(
                &grant("arn:<partition>:s3:::<partition>"),
                &grant("arn:aws:s3:::aws-cn")
            )
            .is_none()
        );
    }

    #[test]
    fn inputs_resolve_against_any_text_and_other_inputs() {
        let seen = |old: &str, new: &str| -> Option<Vec<(String, String, bool)>> {
            resolve(&grant(old), &grant(new)).map(|b| {
                b.into_iter()
                    .map(|b| (b.placeholder, b.literal, b.pinned))
                    .collect()
            })
        };
        let owned = |p: &str, l: &str, pinned| (p.to_owned(), l.to_owned(), pinned);
        // An input stands for any text, `/` and `:` included: the shortest
        // that lets the rest match.
        assert_eq!(
            seen(
                "arn:<partition>:logs:<region>:<account_id>:log-group:/ecs/<input.Stage>:*",
                "arn:<partition>:logs:<region>:<account_id>:log-group:/ecs/prod/web:*"
            ),
            Some(vec![owned("<input.Stage>", "prod/web", true)])
        );
        // Left to deploy time again.
        assert_eq!(
            seen(
                "arn:aws:s3:::reports-prod/*",
                "arn:aws:s3:::reports-<input.Stage>/*"
            ),
            Some(vec![owned("<input.Stage>", "prod", false)])
        );
        // Renamed, and a built-in value made an input.
        assert_eq!(
            seen("x/<input.Stage>/y", "x/<input.Environment>/y"),
            Some(vec![owned("<input.Stage>", "<input.Environment>", false)])
        );
        assert_eq!(
            seen("x/<region>", "x/<input.Region>"),
            Some(vec![owned("<region>", "<input.Region>", false)])
        );
        // One input, one value throughout.
        assert_eq!(seen("<input.A>/<input.A>", "a/b"), None);
        assert_eq!(
            seen("<input.A>/<input.A>", "a/a"),
            Some(vec![owned("<input.A>", "a", true)])
        );
        let b = resolve(&grant("b/<input.A>"), &grant("b/c")).unwrap();
        assert_eq!(pinned_class(&b, Effect::Allow), Class::Broadening);
    }
}
