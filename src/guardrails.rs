//! Platform guardrails: rules a platform team holds every workload to
//! ("never grant `iam:*`", "no `s3:DeleteObject` outside `*-scratch`
//! buckets", "no grant on another account's resource", "every role carries
//! this boundary", "these tags"), checked offline on the rendered roles.
//!
//! A denied action is decided with the IAM evaluation `verify` uses
//! (`evaluate`): for each `Allow` statement whose actions can meet the rule's,
//! a witness request (an action both patterns match, on a resource the
//! statement covers and the rule's exceptions do not) is decided against the
//! role's whole policy, `Deny` statements and known managed policies
//! included. So `deny: [iam:*]` in a spec satisfies "never grant `iam:*`"
//! even beside an `iam:*` grant, and `s3:Get*` meets a rule on
//! `s3:GetObject`, where string matching would see neither.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, FileKind, Location, Problem};
use crate::evaluate::{Request, decide, resource_matches, role_policies};
use crate::location::Locations;
use crate::model::{Model, Role, RoleKind};
use crate::sarif;
use crate::spec::{Effect, Source};

/// A guardrails file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guardrails {
    /// Format version; must be 1.
    pub version: u64,
    pub rules: Vec<RuleSpec>,
    #[serde(skip)]
    pub path: PathBuf,
    #[serde(skip)]
    locations: Option<Locations>,
}

/// One rule: an id, and exactly one of the checks.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Lowercase letters, digits and `-`; findings carry `guardrail/<id>`.
    pub id: String,
    /// Why the rule exists; shown with each finding.
    #[serde(default)]
    pub description: Option<String>,
    /// `error` (default) or `warning`.
    #[serde(default)]
    pub severity: Option<String>,
    /// Which roles it holds for: `task`, `execution` (default both).
    #[serde(default)]
    pub roles: Option<Vec<String>>,
    /// Actions no role may be allowed (wildcards allowed, case-insensitive).
    #[serde(default)]
    pub deny_actions: Option<Vec<String>>,
    /// With `deny_actions`: resources (ARN patterns) where they are allowed.
    #[serde(default)]
    pub except_resources: Option<Vec<String>>,
    /// Accounts the roles' resources may be in (the deployment's own, left
    /// symbolic, always may).
    #[serde(default)]
    pub allowed_accounts: Option<Vec<String>>,
    /// The permissions boundary every role must carry (an ARN pattern).
    #[serde(default)]
    pub required_boundary: Option<String>,
    /// Tag keys every role must carry.
    #[serde(default)]
    pub required_tags: Option<Vec<String>>,
}

/// A rule broken by a spec.
#[derive(Debug, Clone, Serialize)]
pub struct Violation {
    /// `guardrail/<id>`.
    pub rule: String,
    pub severity: &'static str,
    pub message: String,
    pub fix: String,
    pub location: Location,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}[{}]: {}; fix: {}",
            self.location, self.severity, self.rule, self.message, self.fix
        )
    }
}

/// Read and check a guardrails file.
///
/// # Errors
/// The file cannot be read, does not parse, or a rule is malformed: one
/// line at the rule's `file:line:column`.
pub fn load(path: &Path) -> Result<Guardrails, Error> {
    let text = crate::input::bytes::read_text(path, FileKind::Guardrails, MAX_GUARDRAILS_BYTES)?;
    parse(path, &text)
}

/// The largest guardrails file read; a real one is a few kilobytes.
pub const MAX_GUARDRAILS_BYTES: u64 = 1024 * 1024;

/// Check a guardrails file's text; `path` names it in errors.
///
/// # Errors
/// As [`load`].
pub fn parse(path: &Path, text: &str) -> Result<Guardrails, Error> {
    crate::input::yaml::check(path, text, FileKind::Guardrails)?;
    let locations = Locations::index(path, text);
    let mut g: Guardrails = serde_yaml::from_str(text).map_err(|e| {
        let at = e.location().map_or_else(
            || locations.location(1, 1),
            |l| locations.location(l.line(), l.column()),
        );
        let message = e.to_string();
        let message = message
            .rfind(" at line ")
            .map_or(message.as_str(), |i| &message[..i])
            .to_owned();
        Error::Syntax {
            at,
            message: unknown_field(&message).unwrap_or(message),
        }
    })?;
    let invalid = |field: &str, problem: Problem| Error::Invalid {
        at: locations.at(field),
        field: field.to_owned(),
        problem: Box::new(problem),
    };
    if g.version != 1 {
        return Err(invalid(
            "version",
            Problem::UnsupportedVersion { found: g.version },
        ));
    }
    let mut ids = BTreeSet::new();
    for (i, r) in g.rules.iter().enumerate() {
        let f = format!("rules[{i}]");
        if r.id.is_empty()
            || !r
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(invalid(
                &format!("{f}.id"),
                Problem::GuardrailId { id: r.id.clone() },
            ));
        }
        if !ids.insert(r.id.clone()) {
            return Err(invalid(
                &format!("{f}.id"),
                Problem::Duplicate {
                    value: r.id.clone(),
                },
            ));
        }
        let kinds = [
            r.deny_actions.is_some(),
            r.allowed_accounts.is_some(),
            r.required_boundary.is_some(),
            r.required_tags.is_some(),
        ];
        if kinds.iter().filter(|k| **k).count() != 1 {
            return Err(invalid(&f, Problem::GuardrailKind));
        }
        if r.except_resources.is_some() && r.deny_actions.is_none() {
            return Err(invalid(
                &format!("{f}.except_resources"),
                Problem::GuardrailKind,
            ));
        }
        if let Some(s) = &r.severity
            && s != "error"
            && s != "warning"
        {
            return Err(invalid(
                &format!("{f}.severity"),
                Problem::GuardrailSeverity { value: s.clone() },
            ));
        }
        for (j, role) in r.roles.iter().flatten().enumerate() {
            if role != "task" && role != "execution" {
                return Err(invalid(
                    &format!("{f}.roles[{j}]"),
                    Problem::GuardrailRole {
                        value: role.clone(),
                    },
                ));
            }
        }
        for (j, a) in r.deny_actions.iter().flatten().enumerate() {
            if !is_action_pattern(a) {
                return Err(invalid(
                    &format!("{f}.deny_actions[{j}]"),
                    Problem::BadAction { action: a.clone() },
                ));
            }
        }
        for (j, a) in r.allowed_accounts.iter().flatten().enumerate() {
            if !crate::arn::is_account_id(a) {
                return Err(invalid(
                    &format!("{f}.allowed_accounts[{j}]"),
                    Problem::AccountId { value: a.clone() },
                ));
            }
        }
    }
    path.clone_into(&mut g.path);
    g.locations = Some(locations);
    Ok(g)
}

/// serde's `path: unknown field `x`, expected one of ...` as ecs-iam
/// words it for specs, with the closest field.
fn unknown_field(message: &str) -> Option<String> {
    let (path, rest) = message.split_once(": unknown field `")?;
    let (name, expected) = rest.split_once("`, expected one of ")?;
    let fields: Vec<&str> = expected.split(", ").map(|f| f.trim_matches('`')).collect();
    Some(match crate::error::suggest(name, fields.iter().copied()) {
        Some(s) => format!("unknown field `{name}` in `{path}`; did you mean `{s}`?"),
        None => format!("unknown field `{name}` in `{path}`; expected one of {expected}"),
    })
}

fn is_action_pattern(a: &str) -> bool {
    a == "*"
        || a.split_once(':').is_some_and(|(s, n)| {
            !s.is_empty()
                && !n.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'*')
                && n.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'*' || b == b'?')
        })
}

impl Guardrails {
    /// The rules a spec's rendered roles break.
    #[must_use]
    pub fn check(&self, source: &Source, model: &Model) -> Vec<Violation> {
        let mut out = Vec::new();
        for rule in &self.rules {
            let severity = if rule.severity.as_deref() == Some("warning") {
                "warning"
            } else {
                "error"
            };
            let mut report = |at: Location, message: String, fix: String| {
                let message = match &rule.description {
                    Some(d) => format!("{message} ({d})"),
                    None => message,
                };
                out.push(Violation {
                    rule: format!("guardrail/{}", rule.id),
                    severity,
                    message,
                    fix,
                    location: at,
                });
            };
            for role in model.roles.iter().filter(|r| applies_to(rule, r.kind)) {
                if let Some(actions) = &rule.deny_actions {
                    denied_actions(source, role, actions, rule, &mut report);
                }
                if let Some(accounts) = &rule.allowed_accounts {
                    foreign_accounts(source, role, accounts, &mut report);
                }
                if let Some(pattern) = &rule.required_boundary {
                    let has = role
                        .permissions_boundary
                        .as_ref()
                        .is_some_and(|b| resource_matches(pattern, &b.to_string()));
                    if !has {
                        report(
                            at_or_name(
                                source,
                                "permissions_boundary",
                                source.spec.permissions_boundary.is_some(),
                            ),
                            format!(
                                "the {} has {}, not the boundary `{pattern}`",
                                role.kind.title(),
                                role.permissions_boundary.as_ref().map_or_else(
                                    || "no permissions boundary".to_owned(),
                                    |b| format!("the boundary `{b}`")
                                )
                            ),
                            format!("set `permissions_boundary` to a policy matching `{pattern}`"),
                        );
                    }
                }
                if let Some(keys) = &rule.required_tags {
                    let missing: Vec<&String> = keys
                        .iter()
                        .filter(|k| !role.tags.iter().any(|t| t.key == **k))
                        .collect();
                    if !missing.is_empty() {
                        let list: Vec<String> = missing.iter().map(|k| format!("`{k}`")).collect();
                        report(
                            at_or_name(source, "tags", !source.spec.tags.is_empty()),
                            format!("the {} has no tag {}", role.kind.title(), list.join(", ")),
                            "add the tags under `tags`".to_owned(),
                        );
                    }
                }
            }
        }
        out
    }
}

/// Where a top-level field stands, or the spec's `name` when it is absent.
fn at_or_name(source: &Source, field: &str, present: bool) -> Location {
    source.locations.at(if present { field } else { "name" })
}

fn applies_to(rule: &RuleSpec, kind: RoleKind) -> bool {
    rule.roles
        .as_ref()
        .is_none_or(|roles| roles.iter().any(|r| r == kind.key()))
}

/// `deny_actions`: every `Allow` statement whose actions meet the rule's,
/// decided on witness requests against the whole role.
fn denied_actions(
    source: &Source,
    role: &Role,
    denied: &[String],
    guardrail: &RuleSpec,
    report: &mut dyn FnMut(Location, String, String),
) {
    let policies = role_policies(role);
    let except = guardrail.except_resources.clone().unwrap_or_default();
    // Statements of the inline policy and of the policies created beside
    // the role keep their spec field; managed policies follow them in
    // `policies.statements`.
    let inline = role.permission_statements().count();
    let mut seen = BTreeSet::new();
    for (index, st) in policies.statements.iter().enumerate() {
        if st.effect != Effect::Allow {
            continue;
        }
        let field = role.permission_statements().nth(index).map_or_else(
            || format!("{}.managed_policies", role.kind.spec_field()),
            |s| s.origin.clone(),
        );
        for action in &st.actions {
            for pattern in denied {
                let Some(witness) = intersection(action, pattern) else {
                    continue;
                };
                for resource in &st.resources {
                    let Some(target) = resource_witness(resource, &except) else {
                        continue;
                    };
                    let request = Request {
                        action: witness.clone(),
                        resource: target.clone(),
                        context: BTreeMap::new(),
                    };
                    if !decide(&policies.statements, None, &request).is_allowed()
                        || !seen.insert((index, pattern.clone()))
                    {
                        continue;
                    }
                    let outside = if except.is_empty() {
                        String::new()
                    } else {
                        format!(" outside {}", backticked(&except))
                    };
                    let via = if index < inline {
                        format!("statement `{}`", st.sid)
                    } else {
                        format!("managed policy `{}`", st.sid)
                    };
                    report(
                        source.locations.at(&field),
                        format!(
                            "the {} allows `{action}` on `{resource}` ({via}), which meets the denied `{pattern}`{outside}: e.g. `{witness}` on `{target}`",
                            role.kind.title()
                        ),
                        format!(
                            "remove the grant, narrow it{}, or add `{pattern}` to the spec's `deny` list",
                            if except.is_empty() {
                                String::new()
                            } else {
                                " to the allowed resources".to_owned()
                            }
                        ),
                    );
                }
            }
        }
    }
    if !policies.unknown_managed.is_empty() {
        report(
            source.locations.at(&format!("{}.managed_policies", role.kind.spec_field())),
            format!(
                "the {} attaches {}, whose content ecs-iam does not know: it may allow `{}`",
                role.kind.title(),
                backticked(&policies.unknown_managed),
                denied.join("`, `")
            ),
            "replace the managed policy with scoped grants, or add the denied actions to the spec's `deny` list".to_owned(),
        );
    }
}

/// `allowed_accounts`: resources named in another account.
fn foreign_accounts(
    source: &Source,
    role: &Role,
    accounts: &[String],
    report: &mut dyn FnMut(Location, String, String),
) {
    for st in role.permission_statements() {
        if st.effect != Effect::Allow {
            continue;
        }
        for r in &st.resources {
            let text = r.to_string();
            let Some(account) = text.split(':').nth(4) else {
                continue;
            };
            let allowed = account.is_empty()
                || account == "<account_id>"
                || account == "aws"
                || accounts.iter().any(|a| a == account);
            if !allowed {
                report(
                    source.locations.at(&st.origin),
                    format!(
                        "the {} grants {} on `{text}`, in account `{account}`, which is not among {}",
                        role.kind.title(),
                        st.actions.join(", "),
                        backticked(accounts)
                    ),
                    "name a resource in an allowed account, or add the account to the rule"
                        .to_owned(),
                );
            }
        }
    }
}

fn backticked(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A walk's step: the state it came from and the character it read.
type Step = ((usize, usize), Option<char>);

/// A string both glob patterns match (`*` any run, `?` one character,
/// letters without case, as IAM compares actions), or
/// `None` when none exists: a breadth-first walk of the two patterns'
/// product automaton.
#[must_use]
pub fn intersection(a: &str, b: &str) -> Option<String> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut parent: BTreeMap<(usize, usize), Option<Step>> = BTreeMap::new();
    let mut queue = VecDeque::from([(0, 0)]);
    parent.insert((0, 0), None);
    while let Some((i, j)) = queue.pop_front() {
        if i == a.len() && j == b.len() {
            let mut out = Vec::new();
            let mut at = (i, j);
            while let Some(Some((prev, c))) = parent.get(&at) {
                if let Some(c) = c {
                    out.push(*c);
                }
                at = *prev;
            }
            out.reverse();
            return Some(out.into_iter().collect());
        }
        let mut next = Vec::new();
        // A `*` may match nothing.
        if a.get(i) == Some(&'*') {
            next.push(((i + 1, j), None));
        }
        if b.get(j) == Some(&'*') {
            next.push(((i, j + 1), None));
        }
        // Or both consume one character.
        if let (Some(&x), Some(&y)) = (a.get(i), b.get(j)) {
            let c = match (x, y) {
                ('*' | '?', '*' | '?') => Some('x'),
                ('*' | '?', c) | (c, '*' | '?') => Some(c),
                // Actions compare without case; the first pattern's
                // spelling is kept.
                (x, y) if x.eq_ignore_ascii_case(&y) => Some(x),
                _ => None,
            };
            if let Some(c) = c {
                let ni = if x == '*' { i } else { i + 1 };
                let nj = if y == '*' { j } else { j + 1 };
                if (ni, nj) != (i, j) {
                    next.push(((ni, nj), Some(c)));
                }
            }
        }
        for (state, c) in next {
            if let std::collections::btree_map::Entry::Vacant(e) = parent.entry(state) {
                e.insert(Some(((i, j), c)));
                queue.push_back(state);
            }
        }
    }
    None
}

/// A resource `pattern` covers that none of `except` does, tried with a few
/// fillings of its wildcards; `None` when every one falls under `except`.
fn resource_witness(pattern: &str, except: &[String]) -> Option<String> {
    for fill in ["x", "ecs-iam-witness", "a/b", ""] {
        let candidate: String = pattern
            .chars()
            .map(|c| match c {
                '*' => fill.to_owned(),
                '?' => "x".to_owned(),
                c => c.to_string(),
            })
            .collect();
        if !resource_matches(pattern, &candidate) {
            continue;
        }
        if !except.iter().any(|e| resource_matches(e, &candidate)) {
            return Some(candidate);
        }
    }
    None
}

/// The findings as SARIF results and rules, added to `check`'s SARIF run.
pub fn extend_sarif(run: &mut sarif::Run, violations: &[Violation]) {
    let mut ids: Vec<&str> = violations.iter().map(|v| v.rule.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    run.rules.extend(ids.iter().map(|id| sarif::Rule {
        id: (*id).to_owned(),
        summary: format!("platform guardrail {}", id.trim_start_matches("guardrail/")),
        help: None,
        level: "error",
    }));
    run.results
        .extend(violations.iter().map(|v| sarif::Finding {
            rule: v.rule.clone(),
            level: v.severity,
            message: format!("{}; fix: {}", v.message, v.fix),
            location: v.location.clone(),
        }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_intersections() {
        assert_eq!(
            intersection("iam:*", "iam:Pass*").as_deref(),
            Some("iam:Pass")
        );
        assert_eq!(
            intersection("s3:Get*", "s3:*Object").as_deref(),
            Some("s3:GetObject")
        );
        assert_eq!(intersection("s3:get*", "s3:put*"), None);
        assert_eq!(
            intersection("S3:GETOBJECT", "s3:getobject").as_deref(),
            Some("S3:GETOBJECT")
        );
        assert_eq!(
            intersection("*", "kms:decrypt").as_deref(),
            Some("kms:decrypt")
        );
        assert_eq!(
            intersection("s3:?etobject", "s3:getobject").as_deref(),
            Some("s3:getobject")
        );
        assert_eq!(intersection("a*b", "a*c"), None);
    }
}
