//! Drift: each role a spec renders against the deployed role of the same
//! name and path, grant by grant, with the semantic diff's classes. The
//! spec is the old side and the deployed role the new one, so access
//! someone added by hand is broadening and access the deployed role lacks
//! (a deploy pending, or a hand edit) is narrowing.
//!
//! The spec's symbolic partition and account are bound from the deployed
//! role's ARN, and its region from the regional ARNs the deployed policies
//! name when they name one region; the report says which values it bound.

use std::fmt::Write as _;

use serde::Serialize;

use crate::arn::{Segment, Text};
use crate::deployed::{Deployed, DeployedRole};
use crate::error::{Error, Location};
use crate::escape::{self, markdown_code, markdown_code_block, markdown_text, terminal};
use crate::grant_diff::{self, Change, Class};
use crate::model::{Model, Role, RoleKind};
use crate::spec::Source;

/// Where a spec's role was found.
#[derive(Debug, Clone, Serialize)]
pub struct Found {
    pub file: String,
    /// Empty for a role read from a template, which has no ARN before it
    /// is deployed.
    pub arn: String,
}

impl Found {
    /// The deployed role as reports name it: its ARN, or, read from a
    /// template, "the template's role `NAME`".
    fn shown(&self, name: &str) -> String {
        if self.arn.is_empty() {
            format!("the template's role `{name}`")
        } else {
            self.arn.clone()
        }
    }
}

/// One role of one spec, compared.
#[derive(Debug, Clone, Serialize)]
pub struct RoleDrift {
    /// The spec file.
    pub spec: String,
    /// `task` or `execution`.
    pub role: String,
    pub name: String,
    pub path: String,
    /// The deployed role; `None` when no dump holds it.
    pub deployed: Option<Found>,
    /// The spec's deploy-time values bound from the deployed role, e.g.
    /// `<account_id> = 123456789012`.
    pub bound: Vec<String>,
    pub changes: Vec<Change>,
    /// Where the spec writes the role (its section, or the file's top).
    #[serde(skip)]
    pub at: Location,
}

impl RoleDrift {
    fn count(&self, class: Class) -> usize {
        self.changes.iter().filter(|c| c.class == class).count()
    }
}

/// Counts over every role compared.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub roles: usize,
    pub matching: usize,
    pub drifted: usize,
    pub missing: usize,
    pub broadening: usize,
    pub narrowing: usize,
    pub neutral: usize,
}

/// What `drift` found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub deployed: Vec<String>,
    pub roles: Vec<RoleDrift>,
    pub summary: Summary,
}

/// Compare the roles of each spec's model with the deployed roles. Only
/// the deployed roles the specs name are read in full; when one is not
/// found, every role is, and one ecs-iam cannot read is reported (it may be
/// the one meant).
///
/// # Errors
/// A deployed role of a name the specs give, or (a role not found) any
/// deployed role, holds what ecs-iam cannot read or compare.
pub fn drift(specs: &[(Source, Model)], deployed: &[Deployed]) -> Result<Report, Error> {
    let mut roles = Vec::new();
    for (source, model) in specs {
        let spec = escape::path(&source.path);
        // The region the deployed roles of this spec run in, if one.
        let mut found = Vec::new();
        for role in &model.roles {
            found.push(find(deployed, role)?);
        }
        let region = deployment_region(
            &found
                .iter()
                .flatten()
                .map(|(_, r)| &r.role)
                .collect::<Vec<_>>(),
        );
        for (role, found) in model.roles.iter().zip(found) {
            let path = role.path.clone().unwrap_or_else(|| "/".to_owned());
            let mut out = RoleDrift {
                at: source
                    .locations
                    .get(role.kind.spec_field())
                    .unwrap_or_else(|| source.locations.location(1, 1)),
                spec: spec.clone(),
                role: role.kind.key().to_owned(),
                name: role.name.clone(),
                path,
                deployed: None,
                bound: Vec::new(),
                changes: Vec::new(),
            };
            if let Some((d, r)) = found {
                let values = Values::of(r, region.clone());
                out.bound = values.shown(role);
                let spec_role = values.bind(role);
                out.changes = grant_diff::compare(&[spec_role], &[live(r, role)])
                    .into_iter()
                    .flat_map(|c| c.changes)
                    .collect();
                out.deployed = Some(Found {
                    file: escape::path(&d.file),
                    arn: r.arn.clone(),
                });
            }
            roles.push(out);
        }
    }
    if roles.iter().any(|r| r.deployed.is_none()) {
        for d in deployed {
            d.roles.read_all()?;
        }
    }
    let mut summary = Summary {
        roles: roles.len(),
        ..Summary::default()
    };
    for r in &roles {
        if r.deployed.is_none() {
            summary.missing += 1;
        } else if r.changes.is_empty() {
            summary.matching += 1;
        } else {
            summary.drifted += 1;
        }
        summary.broadening += r.count(Class::Broadening);
        summary.narrowing += r.count(Class::Narrowing);
        summary.neutral += r.count(Class::Neutral);
    }
    Ok(Report {
        deployed: deployed.iter().map(|d| escape::path(&d.file)).collect(),
        roles,
        summary,
    })
}

/// What a spec's rendering changes from the deployed roles it was adopted
/// from (`init --from-role`): the deployed role is the old side, the
/// spec's role (its deploy-time values bound from the deployed ARNs) the
/// new one, so what least privilege removes is narrowing.
#[must_use]
pub fn from_deployed(
    model: &Model,
    deployed: &[(RoleKind, &DeployedRole)],
) -> Vec<(RoleKind, Vec<Change>)> {
    let roles: Vec<&Role> = deployed.iter().map(|(_, r)| &r.role).collect();
    let region = deployment_region(&roles);
    let mut out = Vec::new();
    for (kind, r) in deployed {
        let Some(role) = model.roles.iter().find(|m| m.kind == *kind) else {
            continue;
        };
        let values = Values::of(r, region.clone());
        let changes = grant_diff::compare(&[live(r, role)], &[values.bind(role)])
            .into_iter()
            .flat_map(|c| c.changes)
            .collect();
        out.push((*kind, changes));
    }
    out
}

/// The deployed role as the spec's `role` is compared with it: its kind,
/// and what the dump may not hold written as the spec writes it (the
/// description; the session duration when absent, IAM's default hour and
/// the root path `/` as unset).
fn live(r: &DeployedRole, role: &Role) -> Role {
    let mut live = r.role.clone();
    live.kind = role.kind;
    live.description.clone_from(&role.description);
    live.max_session_duration = session(live.max_session_duration, role);
    if role.path.is_none() && live.path.as_deref() == Some("/") {
        live.path = None;
    }
    live
}

/// The deployed maximum session duration as the spec would write it: the
/// spec's own when the dump has none (`get-account-authorization-details`
/// lists none), and IAM's default of an hour as the spec leaves it unset.
fn session(deployed: Option<u64>, spec: &Role) -> Option<u64> {
    match deployed {
        None => spec.max_session_duration,
        Some(3600) if spec.max_session_duration.is_none() => None,
        other => other,
    }
}

/// The deployed role of `role`'s name and path, and its dump.
fn find<'a>(
    deployed: &'a [Deployed],
    role: &Role,
) -> Result<Option<(&'a Deployed, &'a DeployedRole)>, Error> {
    let path = role.path.as_deref().unwrap_or("/");
    for d in deployed {
        if let Some(r) = d.roles.find(&role.name, path)? {
            return Ok(Some((d, r)));
        }
    }
    Ok(None)
}

/// The regions the ARNs of a deployed role's statements (resources and
/// condition values, trust included) name.
fn regions_of(role: &Role) -> Vec<String> {
    let mut out = Vec::new();
    for_each_text(role, &mut |t: &Text| out.extend(region_of(t)));
    out
}

fn region_of(t: &Text) -> Option<String> {
    let text = t.to_string();
    let region = text.strip_prefix("arn:")?.split(':').nth(2)?.to_owned();
    crate::arn::is_region(&region).then_some(region)
}

/// The region deployed roles run in: the one their trust's conditions name
/// (`aws:SourceArn` of the ECS tasks that assume them), or else the one
/// all their ARNs name; `None` when they name none or several.
#[must_use]
pub fn deployment_region(roles: &[&Role]) -> Option<String> {
    let one = |mut all: Vec<String>| {
        all.sort();
        all.dedup();
        (all.len() == 1).then(|| all.remove(0))
    };
    let trusted: Vec<String> = roles
        .iter()
        .flat_map(|r| &r.trust)
        .flat_map(|st| &st.conditions)
        .flat_map(|g| &g.entries)
        .flat_map(|e| &e.values)
        .filter_map(region_of)
        .collect();
    if !trusted.is_empty() {
        return one(trusted);
    }
    one(roles.iter().flat_map(|r| regions_of(r)).collect())
}

/// The deployment's values as the deployed role shows them.
struct Values {
    partition: Option<String>,
    account: Option<String>,
    region: Option<String>,
}

impl Values {
    /// The partition and account of `r`'s ARN, and `region`.
    fn of(r: &DeployedRole, region: Option<String>) -> Values {
        let (partition, account) = r.partition_and_account().map_or((None, None), |(p, a)| {
            (Some(p.to_owned()), Some(a.to_owned()))
        });
        Values {
            partition,
            account,
            region,
        }
    }

    fn value(&self, s: &Segment) -> Option<&str> {
        match s {
            Segment::Partition => self.partition.as_deref(),
            Segment::Account => self.account.as_deref(),
            Segment::Region => self.region.as_deref(),
            _ => None,
        }
    }

    /// The bindings the role's texts use, as the report shows them.
    fn shown(&self, role: &Role) -> Vec<String> {
        let mut used = Vec::new();
        for_each_text(role, &mut |t: &Text| {
            for s in t.segments() {
                if let Some(v) = self.value(s) {
                    let line = format!("{} = {v}", Text::from_segment(s.clone()));
                    if !used.contains(&line) {
                        used.push(line);
                    }
                }
            }
        });
        used.sort();
        used
    }

    fn bind_text(&self, t: &Text) -> Text {
        let mut out = Text::default();
        for s in t.segments() {
            match self.value(s) {
                Some(v) => out.push_str(v),
                None => out.push(s.clone()),
            }
        }
        out
    }

    /// `role` with the deployment's values in place of its symbols.
    fn bind(&self, role: &Role) -> Role {
        let mut r = role.clone();
        let bind_all = |statements: &mut Vec<crate::model::Statement>| {
            for st in statements {
                for t in &mut st.resources {
                    *t = self.bind_text(t);
                }
                for e in st.conditions.iter_mut().flat_map(|g| &mut g.entries) {
                    for v in &mut e.values {
                        *v = self.bind_text(v);
                    }
                }
            }
        };
        bind_all(&mut r.trust);
        for p in r.policy.iter_mut().chain(&mut r.created_policies) {
            bind_all(&mut p.statements);
        }
        if let Some(b) = &mut r.permissions_boundary {
            *b = self.bind_text(b);
        }
        for m in &mut r.managed_policies {
            m.arn = self.bind_text(&m.arn);
        }
        r
    }
}

fn for_each_text(role: &Role, f: &mut dyn FnMut(&Text)) {
    for st in role.trust.iter().chain(role.permission_statements()) {
        st.resources.iter().for_each(&mut *f);
        for e in st.conditions.iter().flat_map(|g| &g.entries) {
            e.values.iter().for_each(&mut *f);
        }
    }
    role.permissions_boundary.iter().for_each(&mut *f);
    for m in &role.managed_policies {
        f(&m.arn);
    }
}

impl Report {
    /// Whether every role was found and matches.
    #[must_use]
    pub fn in_sync(&self) -> bool {
        self.summary.missing == 0 && self.summary.drifted == 0
    }

    fn title(r: &RoleDrift) -> String {
        format!(
            "{}: {} role `{}`",
            terminal(&r.spec),
            r.role,
            terminal(&r.name)
        )
    }

    /// One block per role, then the summary line. Names, paths and what
    /// the deployed roles hold are escaped for a terminal.
    #[must_use]
    pub fn text(&self) -> String {
        let mut out = String::new();
        let files: Vec<String> = self.deployed.iter().map(|f| terminal(f)).collect();
        for r in &self.roles {
            let Some(found) = &r.deployed else {
                let _ = writeln!(
                    out,
                    "{}: not deployed: no role of that name with path `{}` in {}",
                    Self::title(r),
                    terminal(&r.path),
                    files.join(", ")
                );
                continue;
            };
            let bound = if r.bound.is_empty() {
                String::new()
            } else {
                format!(", compared with {}", terminal(&r.bound.join(", ")))
            };
            let deployed = terminal(&found.shown(&r.name));
            let file = terminal(&found.file);
            if r.changes.is_empty() {
                let _ = writeln!(
                    out,
                    "{}: matches {deployed} in {file}{bound}",
                    Self::title(r),
                );
                continue;
            }
            let _ = writeln!(
                out,
                "{}: differs from {deployed} in {file}{bound}:",
                Self::title(r),
            );
            for c in &r.changes {
                let _ = writeln!(out, "{}", c.line());
            }
        }
        let s = &self.summary;
        let _ = writeln!(
            out,
            "drift: {} role{}: {} match, {} drifted, {} missing; IAM: {} broadening, {} narrowing, {} neutral",
            s.roles,
            if s.roles == 1 { "" } else { "s" },
            s.matching,
            s.drifted,
            s.missing,
            s.broadening,
            s.narrowing,
            s.neutral
        );
        out
    }

    /// A Markdown report, for an issue or a job summary. What the specs
    /// and the deployed roles name is escaped: code spans in the table,
    /// inline text in headings, one escaped line per change in the fence.
    #[must_use]
    pub fn markdown(&self) -> String {
        let s = &self.summary;
        let mut out = format!(
            "## ecs-iam drift\n\n{} role{}: {} match, {} drifted, {} missing; IAM: {} broadening, {} narrowing, {} neutral\n\n| spec | role | deployed | status |\n|---|---|---|---|\n",
            s.roles,
            if s.roles == 1 { "" } else { "s" },
            s.matching,
            s.drifted,
            s.missing,
            s.broadening,
            s.narrowing,
            s.neutral
        );
        for r in &self.roles {
            let (deployed, status) = match &r.deployed {
                None => ("none".to_owned(), "**missing**".to_owned()),
                Some(f) if r.changes.is_empty() => {
                    (deployed_cell(f, &r.name), "matches".to_owned())
                }
                Some(f) => (
                    deployed_cell(f, &r.name),
                    format!(
                        "**drifted**: {} broadening, {} narrowing, {} neutral",
                        r.count(Class::Broadening),
                        r.count(Class::Narrowing),
                        r.count(Class::Neutral)
                    ),
                ),
            };
            let _ = writeln!(
                out,
                "| {} | {} {} | {deployed} | {status} |",
                markdown_code(&r.spec),
                r.role,
                markdown_code(&r.name)
            );
        }
        for r in self.roles.iter().filter(|r| !r.changes.is_empty()) {
            let _ = writeln!(
                out,
                "\n### {} role {} ({})\n\n```diff",
                r.role,
                markdown_code(&r.name),
                markdown_text(&r.spec)
            );
            for c in &r.changes {
                let sign = match c.class {
                    Class::Broadening => '+',
                    Class::Narrowing => '-',
                    Class::Neutral => ' ',
                };
                let _ = writeln!(
                    out,
                    "{sign} {} {}: {}",
                    c.sign.symbol(),
                    c.class.as_str(),
                    markdown_code_block(&c.item.to_string())
                );
            }
            out.push_str("```\n");
        }
        out
    }

    /// SARIF 2.1.0: each change at the spec's role, a missing role too.
    #[must_use]
    pub fn sarif(&self) -> serde_json::Value {
        self.sarif_run().document()
    }

    /// [`Report::sarif`], saying the run completed with `exit_code`.
    #[must_use]
    pub fn sarif_exiting(&self, exit_code: i32) -> serde_json::Value {
        let mut run = self.sarif_run();
        run.invocation = Some(crate::sarif::Invocation {
            exit_code,
            errors: Vec::new(),
        });
        run.document()
    }

    fn sarif_run(&self) -> crate::sarif::Run {
        let rule = |id: &str, summary: &str, level| crate::sarif::Rule {
            id: id.to_owned(),
            summary: summary.to_owned(),
            help: None,
            level,
        };
        let mut run = crate::sarif::Run {
            rules: vec![
                rule(
                    "drift-missing-role",
                    "A role the spec renders is not deployed",
                    "error",
                ),
                rule(
                    "drift-broadening",
                    "The deployed role allows more than the spec",
                    "error",
                ),
                rule(
                    "drift-narrowing",
                    "The deployed role allows less than the spec",
                    "warning",
                ),
                rule(
                    "drift-neutral",
                    "The deployed role differs from the spec in what grants nothing",
                    "note",
                ),
            ],
            results: Vec::new(),
            invocation: None,
        };
        for r in &self.roles {
            let Some(found) = &r.deployed else {
                run.results.push(crate::sarif::Finding {
                    rule: "drift-missing-role".to_owned(),
                    level: "error",
                    message: format!(
                        "the {} role `{}` (path `{}`) is not in {}",
                        r.role,
                        r.name,
                        r.path,
                        self.deployed.join(", ")
                    ),
                    location: r.at.clone(),
                });
                continue;
            };
            for c in &r.changes {
                let (id, level) = match c.class {
                    Class::Broadening => ("drift-broadening", "error"),
                    Class::Narrowing => ("drift-narrowing", "warning"),
                    Class::Neutral => ("drift-neutral", "note"),
                };
                run.results.push(crate::sarif::Finding {
                    rule: id.to_owned(),
                    level,
                    message: format!(
                        "{} {} (deployed {}): {}",
                        c.sign.symbol(),
                        c.class.as_str(),
                        found.shown(&r.name),
                        c.item
                    ),
                    location: r.at.clone(),
                });
            }
        }
        run
    }

    /// The JSON report.
    #[must_use]
    pub fn json(&self) -> String {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        v["kind"] = serde_json::json!("drift");
        v["in_sync"] = serde_json::json!(self.in_sync());
        serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
    }
}

/// The table's `deployed` cell: the ARN as code, or the template's role.
fn deployed_cell(found: &Found, name: &str) -> String {
    if found.arn.is_empty() {
        format!("the template's role {}", markdown_code(name))
    } else {
        markdown_code(&found.arn)
    }
}
