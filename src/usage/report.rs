//! The usage report: each grant's status, the refused calls with the spec
//! field that would grant them, and what the evidence covers; as text,
//! Markdown, JSON and SARIF. Every value a record or a spec holds is
//! escaped for the output it is written into.

use std::fmt::Write as _;

use serde::Serialize;

use crate::error::Location;
use crate::escape::{markdown_code, markdown_text, terminal};
use crate::service_reference::reference;

use super::{Seen, Status, Tally, Usage, Visibility, seconds};

/// One grant's evidence, or one refused call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub spec: String,
    /// `task` or `execution`.
    pub role: &'static str,
    /// The spec field that grants it; for a refused call, the one that
    /// would.
    pub field: String,
    pub action: String,
    /// As the spec writes it (`<partition>`, `<region>`, `<account_id>`,
    /// `<input.X>` for deploy-time values); for a refused call, as the
    /// record names it (empty when it does not).
    pub resource: String,
    pub status: Status,
    pub count: u64,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    /// One call's `eventID`: the earliest.
    pub event_id: Option<String>,
    /// Why it is unused, unobservable or refused; for a used grant, what
    /// weakens the evidence, if anything.
    pub reason: Option<String>,
    /// For a refused call: the spec text that would grant it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grant_with: Option<String>,
    #[serde(skip)]
    pub at: Location,
    #[serde(skip)]
    pub(super) subject: usize,
}

/// Calls a role made that the report cannot place on a grant.
#[derive(Debug, Clone, PartialEq)]
pub struct Stray {
    /// `source name` of an unmapped operation, or `action on resource`.
    pub what: String,
    pub seen: Seen,
}

/// One role of one spec, as the evidence shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleUsage {
    pub spec: String,
    pub role: &'static str,
    pub name: String,
    pub at: Location,
    /// Tasks ECS started with the role in the window.
    pub task_starts: u64,
    /// Calls attributed to the role.
    pub calls: u64,
    /// Another spec's role is the same role.
    pub shared: bool,
    /// Calls that succeeded though no grant of the spec allows them.
    pub unexplained: Vec<Stray>,
    /// Attached managed policies whose content ecs-iam does not know: a
    /// call no grant allows may be theirs.
    pub unknown_managed: Vec<String>,
    /// Operations no IAM action is known for.
    pub unmapped: Vec<Stray>,
}

/// What the evidence covers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Covered {
    pub records: u64,
    pub first: Option<String>,
    pub last: Option<String>,
    /// Whole and part days between them.
    pub days: f64,
    pub min_days: u32,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub covered: Covered,
    /// What the report rests on beyond the records (`--evidence`), said
    /// once.
    pub notes: Vec<String>,
    pub roles: Vec<RoleUsage>,
    /// Grants, then refused calls, each in spec and role order.
    pub entries: Vec<Entry>,
}

pub(super) fn build(usage: &Usage, tally: &Tally, visibility: Visibility) -> Report {
    let days = match &tally.coverage {
        Some((f, l)) => match (seconds(f), seconds(l)) {
            #[allow(clippy::cast_precision_loss)]
            (Some(a), Some(b)) => (b - a) as f64 / 86_400.0,
            _ => 0.0,
        },
        None => 0.0,
    };
    let covered = Covered {
        records: tally.records,
        first: tally.coverage.as_ref().map(|c| c.0.clone()),
        last: tally.coverage.as_ref().map(|c| c.1.clone()),
        days,
        min_days: usage.window.min_days,
    };
    let mut roles = Vec::new();
    for (i, s) in usage.subjects.iter().enumerate() {
        let arn_tail = format!(":role{}{}", s.path, s.name);
        let mut starts = 0;
        for (arn, (ids, _)) in &tally.sessions {
            if arn.ends_with(&arn_tail) && arn_pins(usage, i, arn) {
                starts += ids.len() as u64;
            }
        }
        for (arn, (n, _)) in &tally.counted_starts {
            if arn.ends_with(&arn_tail) && arn_pins(usage, i, arn) {
                starts += n;
            }
        }
        let stray = |map: &std::collections::BTreeMap<super::CallKey, Seen>| {
            map.iter()
                .filter(|((subject, ..), _)| *subject == i)
                .map(|((_, action, resource), seen)| Stray {
                    what: match resource {
                        Some(r) => format!("{action} on {r}"),
                        None => action.clone(),
                    },
                    seen: seen.clone(),
                })
                .collect()
        };
        roles.push(RoleUsage {
            spec: s.spec.clone(),
            role: s.kind.key(),
            name: s.name.clone(),
            at: s.at.clone(),
            task_starts: starts,
            calls: tally.calls.get(&i).copied().unwrap_or(0),
            shared: s.shared,
            unexplained: stray(&tally.unexplained),
            unknown_managed: s.unknown_managed.clone(),
            unmapped: tally
                .unmapped
                .iter()
                .filter(|((subject, ..), _)| *subject == i)
                .map(|((_, source, name), seen)| Stray {
                    what: format!("{source} {name}"),
                    seen: seen.clone(),
                })
                .collect(),
        });
    }
    let mut entries = Vec::new();
    for (g, grant) in usage.grants.iter().enumerate() {
        let s = &usage.subjects[grant.subject];
        let role = &roles[grant.subject];
        let (seen, unrecorded) = &tally.grants[g];
        let resource = grant.resource.to_string();
        // What the trail's selectors are asked about: the resource with the
        // values the spec pins, `*` for the others.
        let pattern = super::bind(
            &grant.resource,
            s.partition.map_or("*", |p| p.as_str()),
            s.account.as_deref().unwrap_or("*"),
            "*",
        );
        let (status, reason) = if seen.count > 0 {
            let mut weak = Vec::new();
            if *unrecorded > 0 {
                weak.push(format!(
                    "{unrecorded} of the calls name no resource: they may have been made on another resource of this action"
                ));
            }
            if grant
                .resource
                .segments()
                .iter()
                .any(|x| matches!(x, crate::arn::Segment::Input(_)))
            {
                weak.push("the resource holds an input, matched as any value".to_owned());
            }
            if s.shared {
                weak.push(shared_reason().to_owned());
            }
            (Status::Used, (!weak.is_empty()).then(|| weak.join("; ")))
        } else if role.task_starts == 0 && role.calls == 0 {
            (
                Status::Unobservable,
                Some("no task started with the role and it made no call in the records".to_owned()),
            )
        } else if let Err(why) = unseen(&grant.action, &pattern, visibility) {
            (Status::Unobservable, Some(why))
        } else if days < f64::from(usage.window.min_days) {
            (
                Status::Unobservable,
                Some(format!(
                    "not enough evidence: the records cover {}, fewer than the {} asked for (--min-days)",
                    days_text(days),
                    usage.window.min_days
                )),
            )
        } else {
            let mut why = format!("no call in the {} covered", days_text(days));
            if let Ok(Some(rests_on)) = unseen(&grant.action, &pattern, visibility) {
                why.push_str("; ");
                why.push_str(&rests_on);
            }
            if s.shared {
                why.push_str("; ");
                why.push_str(shared_reason());
            }
            (Status::Unused, Some(why))
        };
        entries.push(Entry {
            spec: s.spec.clone(),
            role: s.kind.key(),
            field: grant.field.clone(),
            action: grant.action.clone(),
            resource,
            status,
            count: seen.count,
            first_seen: (seen.count > 0).then(|| seen.first.clone()),
            last_seen: (seen.count > 0).then(|| seen.last.clone()),
            event_id: seen.example.as_ref().map(|e| e.1.clone()),
            reason,
            grant_with: None,
            at: grant.at.clone(),
            subject: grant.subject,
        });
    }
    for ((subject, action, resource), (seen, by)) in &tally.denied {
        let s = &usage.subjects[*subject];
        let (field, grant_with) = would_grant(s.kind, action, resource.as_deref());
        let reason = match by {
            Some(g) => format!(
                "the spec grants it (`{}`): the refusal came from elsewhere (a resource or key policy, an SCP, a permissions boundary, or a deployed role that differs from the spec: see `ecs-iam drift`)",
                usage.grants[*g].field
            ),
            None => "no grant of the spec allows it".to_owned(),
        };
        entries.push(Entry {
            spec: s.spec.clone(),
            role: s.kind.key(),
            field,
            action: action.clone(),
            resource: resource.clone().unwrap_or_default(),
            status: Status::Denied,
            count: seen.count,
            first_seen: Some(seen.first.clone()),
            last_seen: Some(seen.last.clone()),
            event_id: seen.example.as_ref().map(|e| e.1.clone()),
            reason: Some(reason),
            grant_with: (by.is_none() && resource.as_deref() != Some(super::OTHER_RESOURCES))
                .then_some(grant_with),
            at: s.at.clone(),
            subject: *subject,
        });
    }
    entries.sort_by_key(|e| (e.subject, e.status == Status::Denied));
    Report {
        covered,
        notes: Vec::new(),
        roles,
        entries,
    }
}

fn shared_reason() -> &'static str {
    "another spec's role is the same role: a call of either counts for both"
}

/// Whether a role ARN's partition and account are the subject's pins.
fn arn_pins(usage: &Usage, subject: usize, arn: &str) -> bool {
    let mut parts = arn.split(':');
    let partition = parts.nth(1).unwrap_or_default();
    let account = parts.nth(2).unwrap_or_default();
    usage.pins_match(subject, partition, account)
}

/// Why calls of a grant's action (each action a wildcard covers) on its
/// resource could not be in the evidence (`Err`); or what their being
/// there rests on (`Ok`).
fn unseen(action: &str, resource: &str, visibility: Visibility) -> Result<Option<String>, String> {
    let actions = reference()
        .expand(action)
        .filter(|a| !a.is_empty())
        .unwrap_or_else(|| vec![action.to_owned()]);
    let mut why: Vec<String> = Vec::new();
    let mut hidden = Vec::new();
    let mut caveats: Vec<String> = Vec::new();
    for a in &actions {
        match visibility(a, resource) {
            Ok(None) => {}
            Ok(Some(c)) => {
                if !caveats.contains(&c) {
                    caveats.push(c);
                }
            }
            Err(w) => {
                hidden.push(a.clone());
                if !why.contains(&w) {
                    why.push(w);
                }
            }
        }
    }
    if hidden.is_empty() {
        return Ok((!caveats.is_empty()).then(|| caveats.join("; ")));
    }
    let which = if actions.len() > 1 {
        let shown: Vec<&str> = hidden.iter().take(3).map(String::as_str).collect();
        format!(
            "{}{}: ",
            shown.join(", "),
            if hidden.len() > 3 {
                format!(" and {} more", hidden.len() - 3)
            } else {
                String::new()
            }
        )
    } else {
        String::new()
    };
    Err(format!("{which}{}", why.join("; ")))
}

/// `3.5 days`.
fn days_text(days: f64) -> String {
    if (days - 1.0).abs() < f64::EPSILON {
        "1 day".to_owned()
    } else {
        format!("{} days", (days * 10.0).round() / 10.0)
    }
}

/// The spec field that would grant a refused call, and the text to write
/// there.
fn would_grant(
    kind: crate::model::RoleKind,
    action: &str,
    resource: Option<&str>,
) -> (String, String) {
    let role = kind.spec_field();
    let r = resource.unwrap_or("*");
    let statement = || {
        (
            format!("{role}.statements"),
            format!("{{actions: [{action}], resources: [{r}]}}"),
        )
    };
    let secret_name = || {
        let name = r.split_once(":secret:").map(|(_, n)| n)?;
        Some(name.strip_suffix("-??????").unwrap_or(r).to_owned())
    };
    match (kind, action) {
        (crate::model::RoleKind::Task, "secretsmanager:GetSecretValue") => match secret_name() {
            Some(n) => (format!("{role}.secrets.read"), format!("[{n}]")),
            None => statement(),
        },
        (crate::model::RoleKind::Execution, "secretsmanager:GetSecretValue") => {
            match secret_name() {
                Some(n) => (format!("{role}.secrets"), format!("[{n}]")),
                None => statement(),
            }
        }
        (crate::model::RoleKind::Execution, "ssm:GetParameters" | "ssm:GetParameter") => {
            match r.split_once(":parameter/") {
                Some((_, n)) => (format!("{role}.ssm_parameters"), format!("[/{n}]")),
                None => statement(),
            }
        }
        (crate::model::RoleKind::Execution, a)
            if a.starts_with("ecr:") && a != "ecr:GetAuthorizationToken" =>
        {
            match r.split_once(":repository/") {
                Some((_, n)) => (format!("{role}.ecr.repositories"), format!("[{n}]")),
                None => statement(),
            }
        }
        (_, "kms:Decrypt") if r.contains(":key/") => (format!("{role}.kms_keys"), format!("[{r}]")),
        _ => statement(),
    }
}

impl Report {
    /// How many entries have `status`.
    #[must_use]
    pub fn count(&self, status: Status) -> usize {
        self.entries.iter().filter(|e| e.status == status).count()
    }

    fn summary(&self) -> String {
        let grants = self.entries.len() - self.count(Status::Denied);
        format!(
            "{grants} grant{}: {} used, {} unused, {} unobservable; {} refused call{}",
            if grants == 1 { "" } else { "s" },
            self.count(Status::Used),
            self.count(Status::Unused),
            self.count(Status::Unobservable),
            self.count(Status::Denied),
            if self.count(Status::Denied) == 1 {
                ""
            } else {
                "s"
            },
        )
    }

    fn covered_line(&self) -> String {
        let c = &self.covered;
        match (&c.first, &c.last) {
            (Some(f), Some(l)) => format!(
                "{} record{} from {f} to {l} ({}; --min-days {})",
                c.records,
                if c.records == 1 { "" } else { "s" },
                days_text(c.days),
                c.min_days
            ),
            _ => "no records in the window".to_owned(),
        }
    }

    fn role_line(r: &RoleUsage) -> String {
        let mut line = format!(
            "{} task start{}, {} call{}",
            r.task_starts,
            if r.task_starts == 1 { "" } else { "s" },
            r.calls,
            if r.calls == 1 { "" } else { "s" }
        );
        if r.shared {
            line.push_str(" (another spec given names the same role: their calls cannot be told apart, so a grant of one may be counted used by a call made for the other)");
        }
        line
    }

    /// Why a call that succeeded is not placed on a grant.
    fn not_granted(r: &RoleUsage) -> String {
        if r.unknown_managed.is_empty() {
            "allowed, but no grant of the spec allows it (the deployed role holds more than the spec: see `ecs-iam drift`)".to_owned()
        } else {
            format!(
                "allowed, but no grant ecs-iam can read allows it: the managed polic{} {}, whose content ecs-iam does not know, may; or the deployed role holds more than the spec",
                if r.unknown_managed.len() == 1 {
                    "y"
                } else {
                    "ies"
                },
                r.unknown_managed
                    .iter()
                    .map(|m| format!("`{m}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    }

    fn seen_text(e: &Entry) -> String {
        match (&e.first_seen, &e.last_seen) {
            (Some(f), Some(l)) => format!(
                "{} call{}, {}{}",
                e.count,
                if e.count == 1 { "" } else { "s" },
                if f == l {
                    format!("at {f}")
                } else {
                    format!("{f} to {l}")
                },
                e.event_id
                    .as_ref()
                    .map(|id| format!(", e.g. {id}"))
                    .unwrap_or_default()
            ),
            _ => String::new(),
        }
    }

    /// One block per role: its grants, then its refused and unplaced calls;
    /// then the summary line. Values are escaped for a terminal.
    #[must_use]
    pub fn text(&self) -> String {
        let mut out = format!("ecs-iam usage: {}\n", terminal(&self.covered_line()));
        for n in &self.notes {
            let _ = writeln!(out, "note: {}", terminal(n));
        }
        for (i, r) in self.roles.iter().enumerate() {
            let _ = writeln!(
                out,
                "\n{}: {} role `{}`: {}",
                terminal(&r.spec),
                r.role,
                terminal(&r.name),
                Self::role_line(r)
            );
            for e in self.entries.iter().filter(|e| e.subject == i) {
                let _ = write!(
                    out,
                    "  {:<13}{} on {} ({})",
                    e.status.as_str(),
                    terminal(&e.action),
                    if e.resource.is_empty() {
                        "a resource the record does not name".to_owned()
                    } else {
                        terminal(&e.resource)
                    },
                    terminal(&e.field)
                );
                let seen = Self::seen_text(e);
                if !seen.is_empty() {
                    let _ = write!(out, ": {}", terminal(&seen));
                }
                if let Some(why) = &e.reason {
                    let _ = write!(out, ": {}", terminal(why));
                }
                if let Some(g) = &e.grant_with {
                    let _ = write!(
                        out,
                        "; to grant it: `{}: {}`",
                        terminal(&e.field),
                        terminal(g)
                    );
                }
                out.push('\n');
            }
            for s in &r.unexplained {
                let _ = writeln!(
                    out,
                    "  {:<13}{}: {} call{}, last {}: {}",
                    "not granted",
                    terminal(&s.what),
                    s.seen.count,
                    if s.seen.count == 1 { "" } else { "s" },
                    terminal(&s.seen.last),
                    terminal(&Self::not_granted(r))
                );
            }
            for s in &r.unmapped {
                let _ = writeln!(
                    out,
                    "  {:<13}{}: {} call{}: no IAM action is known for this operation",
                    "unmapped",
                    terminal(&s.what),
                    s.seen.count,
                    if s.seen.count == 1 { "" } else { "s" }
                );
            }
        }
        let _ = writeln!(out, "\n{}", self.summary());
        out
    }

    /// A Markdown report for a pull request: a table per role.
    #[must_use]
    pub fn markdown(&self) -> String {
        let mut out = format!(
            "## ecs-iam usage\n\n{}\n\n{}\n",
            markdown_text(&self.covered_line()),
            markdown_text(&self.summary())
        );
        for n in &self.notes {
            let _ = writeln!(out, "\n{}", markdown_text(&format!("note: {n}")));
        }
        for (i, r) in self.roles.iter().enumerate() {
            let _ = writeln!(
                out,
                "\n### {} role {} ({})\n\n{}\n\n| status | action | resource | spec field | calls | last seen | why |\n|---|---|---|---|---|---|---|",
                r.role,
                markdown_code(&r.name),
                markdown_text(&r.spec),
                markdown_text(&Self::role_line(r))
            );
            for e in self.entries.iter().filter(|e| e.subject == i) {
                let status = match e.status {
                    Status::Unused | Status::Denied => format!("**{}**", e.status.as_str()),
                    _ => e.status.as_str().to_owned(),
                };
                let mut why = e.reason.clone().unwrap_or_default();
                if let Some(g) = &e.grant_with {
                    why = format!("{why}; to grant it: {}: {g}", e.field);
                }
                let _ = writeln!(
                    out,
                    "| {status} | {} | {} | {} | {} | {} | {} |",
                    markdown_code(&e.action),
                    if e.resource.is_empty() {
                        "(not recorded)".to_owned()
                    } else {
                        markdown_code(&e.resource)
                    },
                    markdown_code(&e.field),
                    e.count,
                    match (&e.last_seen, &e.event_id) {
                        (Some(l), Some(id)) =>
                            format!("{} (e.g. {})", markdown_text(l), markdown_code(id)),
                        (Some(l), None) => markdown_text(l),
                        _ => String::new(),
                    },
                    markdown_text(&why)
                );
            }
            for (label, list, why) in [
                ("not granted", &r.unexplained, Self::not_granted(r)),
                (
                    "unmapped",
                    &r.unmapped,
                    "no IAM action is known for this operation".to_owned(),
                ),
            ] {
                for s in list {
                    let _ = writeln!(
                        out,
                        "| {label} | {} |  |  | {} | {} | {} |",
                        markdown_code(&s.what),
                        s.seen.count,
                        markdown_text(&s.seen.last),
                        markdown_text(&why)
                    );
                }
            }
        }
        out
    }

    /// The JSON report: an array of the grants, then the refused calls.
    #[must_use]
    pub fn json(&self) -> String {
        serde_json::to_string_pretty(&self.entries).unwrap_or_default() + "\n"
    }

    /// SARIF 2.1.0: each unused grant at the spec field that grants it,
    /// each refused call at the role, completing with `exit_code`.
    #[must_use]
    pub fn sarif(&self, exit_code: i32) -> serde_json::Value {
        let mut run = Self::sarif_run();
        for e in &self.entries {
            let (rule, level) = match e.status {
                Status::Unused => ("usage-unused", "warning"),
                Status::Denied => ("usage-denied", "error"),
                _ => continue,
            };
            run.results.push(crate::sarif::Finding {
                rule: rule.to_owned(),
                level,
                message: format!(
                    "the {} role's {} on `{}` ({}): {}",
                    e.role,
                    e.action,
                    e.resource,
                    e.field,
                    e.reason.as_deref().unwrap_or_default()
                ),
                location: e.at.clone(),
            });
        }
        run.invocation = Some(crate::sarif::Invocation {
            exit_code,
            errors: Vec::new(),
        });
        run.document()
    }

    /// The rules of the SARIF run, no results.
    #[must_use]
    pub fn sarif_run() -> crate::sarif::Run {
        let rule = |id: &str, summary: &str, level| crate::sarif::Rule {
            id: id.to_owned(),
            summary: summary.to_owned(),
            help: None,
            level,
        };
        crate::sarif::Run {
            rules: vec![
                rule(
                    "usage-unused",
                    "A grant no recorded call used over the window",
                    "warning",
                ),
                rule(
                    "usage-denied",
                    "A recorded call the role was refused",
                    "error",
                ),
            ],
            results: Vec::new(),
            invocation: None,
        }
    }
}
