//! What IAM's last-accessed report and Access Analyzer's unused access
//! findings (`--evidence`) add to the records' answer, grant by grant:
//!
//! - **Service-level facts never decide.** That a role called a service
//!   says nothing of which action; that it never called one, or that
//!   Access Analyzer found a service or the role unused, is said as a
//!   note. They only confirm a grant the records show used.
//! - **Action-level facts** (IAM's tracked actions, Access Analyzer's
//!   unused actions) name no resource, and IAM counts refused attempts:
//!   - an action attempted confirms a used grant of it; it makes a grant the
//!     records could not show used only when that grant is the role's one
//!     grant of the action; it makes an unused grant unobservable when the
//!     attempt came after the records end (it may have been on that
//!     grant's resource);
//!   - an action never attempted (or unused since before the records
//!     begin) makes a grant of exactly that action, which the records
//!     could not show, unused: only when the role ran and the records
//!     cover `--min-days`, as for the records' own answer.

use crate::escape;
use crate::evaluate::action_matches;
use crate::last_accessed::{Fact, Kind, LastAccessed};

use super::report::{Entry, Report};
use super::{Status, Usage};

/// Apply each file's facts to the entries of the roles it is about.
pub(super) fn apply(usage: &Usage, report: &mut Report, files: &[LastAccessed]) {
    for file in files {
        let source = match file.kind {
            Kind::Report { .. } => "IAM's last-accessed data",
            Kind::Finding { .. } => "Access Analyzer",
        };
        let name = escape::path(&file.file);
        let as_of = file
            .as_of
            .as_deref()
            .map(|t| format!(" (as of {t})"))
            .unwrap_or_default();
        let Some(principal) = &file.principal else {
            report.notes.push(format!(
                "{name}: {source} names no role that used anything: it says nothing of these grants"
            ));
            continue;
        };
        let subjects: Vec<usize> = match usage.subjects_of(principal) {
            Some((found, partition, account)) => found
                .iter()
                .copied()
                .filter(|&s| usage.pins_match(s, partition, account))
                .collect(),
            None => Vec::new(),
        };
        if subjects.is_empty() {
            report.notes.push(format!(
                "{name}: {source} is about `{principal}`, none of the specs' roles: not used"
            ));
            continue;
        }
        let ran: Vec<usize> = subjects
            .iter()
            .copied()
            .filter(|&s| {
                report
                    .roles
                    .get(s)
                    .is_some_and(|r| r.task_starts > 0 || r.calls > 0)
            })
            .collect();
        let long_enough = report.covered.days >= f64::from(report.covered.min_days);
        let records_end = report.covered.last.clone();
        let records_start = report.covered.first.clone();
        for fact in &file.facts {
            match fact {
                Fact::ServiceUsed { namespace, last } => {
                    for e in entries_of(report, &subjects) {
                        if e.status == Status::Used && service(&e.action) == namespace {
                            add_reason(
                                e,
                                &format!("{source}{as_of}: the service last called at {last}"),
                            );
                        }
                    }
                }
                Fact::ServiceNeverUsed { namespace } | Fact::ServiceUnused { namespace, .. } => {
                    if entries_of(report, &subjects).any(|e| service(&e.action) == namespace) {
                        report.notes.push(format!(
                            "{name}: {source}{as_of} finds no use of `{namespace}` by `{principal}`: a service-level fact, which decides no grant"
                        ));
                    }
                }
                Fact::RoleUnused { last } => report.notes.push(format!(
                    "{name}: {source}{as_of} finds `{principal}` unused{}: a role-level fact, which decides no grant",
                    last.as_deref()
                        .map(|l| format!(" since {l}"))
                        .unwrap_or_default()
                )),
                Fact::ActionUsed { action, last } => {
                    let covering = entries_of(report, &subjects)
                        .filter(|e| action_matches(&e.action, action))
                        .count();
                    for e in entries_of(report, &subjects) {
                        if !action_matches(&e.action, action) {
                            continue;
                        }
                        let said = format!("{source}{as_of}: `{action}` last attempted at {last}");
                        match e.status {
                            Status::Used => add_reason(e, &said),
                            Status::Unobservable if covering == 1 && e.count == 0 => {
                                e.status = Status::Used;
                                e.reason = Some(format!(
                                    "{said} (refused attempts count too; the resource is not said)"
                                ));
                            }
                            Status::Unused
                                if records_end.as_deref().is_none_or(|end| last.as_str() > end) =>
                            {
                                e.status = Status::Unobservable;
                                e.reason = Some(format!(
                                    "{said}, after the records end: it may have been on this resource"
                                ));
                            }
                            _ => add_reason(e, &format!("{said} (on a resource it does not say)")),
                        }
                    }
                }
                Fact::ActionNeverUsed { action } | Fact::ActionUnused { action, last: None } => {
                    never_used(
                        report,
                        &subjects,
                        action,
                        &format!("{source}{as_of} records no use of `{action}`"),
                        long_enough,
                        &ran,
                    );
                }
                Fact::ActionUnused {
                    action,
                    last: Some(last),
                } => {
                    // Unused since `last`: since before the records begin
                    // covers the records' window.
                    if records_start.as_deref().is_some_and(|s| last.as_str() < s) {
                        never_used(
                            report,
                            &subjects,
                            action,
                            &format!("{source}{as_of}: `{action}` unused since {last}"),
                            long_enough,
                            &ran,
                        );
                    }
                }
            }
        }
    }
}

/// A grant of exactly `action` the records could not show becomes unused.
fn never_used(
    report: &mut Report,
    subjects: &[usize],
    action: &str,
    said: &str,
    long_enough: bool,
    ran: &[usize],
) {
    for e in entries_of(report, subjects) {
        if !e.action.eq_ignore_ascii_case(action) {
            continue;
        }
        match e.status {
            Status::Unobservable if long_enough && ran.contains(&e.subject) => {
                e.status = Status::Unused;
                e.reason = Some(said.to_owned());
            }
            Status::Used => add_reason(e, &format!("{said}, but the records show a use")),
            _ => {}
        }
    }
}

fn entries_of<'a>(
    report: &'a mut Report,
    subjects: &'a [usize],
) -> impl Iterator<Item = &'a mut Entry> + 'a {
    report
        .entries
        .iter_mut()
        .filter(move |e| e.status != Status::Denied && subjects.contains(&e.subject))
}

fn service(action: &str) -> &str {
    action.split_once(':').map_or(action, |(s, _)| s)
}

fn add_reason(e: &mut Entry, said: &str) {
    e.reason = Some(match e.reason.take() {
        Some(r) => format!("{r}; {said}"),
        None => said.to_owned(),
    });
}
