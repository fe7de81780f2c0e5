//! Roles as they are deployed, read offline from what the AWS CLI prints:
//! `aws iam get-account-authorization-details` (the raw API's shape as
//! well, whose policy documents are URL-encoded strings). Each role becomes
//! a [`Role`] as generated files read back, so that `drift` compares it
//! with a spec grant by grant.
//!
//! The dump holds no role description and no maximum session duration:
//! they are not compared. The customer managed policies `render` creates
//! beside a split role (`policy_layout: split`) are read from the dump's
//! `Policies` and from Terraform's `aws_iam_policy` as the role's grants.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_yaml::{Mapping, Value};

use crate::error::{Error, FileKind, Location, Problem};
use crate::escape;
use crate::input::json;
use crate::location::Locations;
use crate::model::{Policy, Role, RoleKind};
use crate::progress::Progress;
use crate::render::readback::{Reader, created_refs};

/// The largest dump read; an account's full authorization details are a
/// few megabytes.
pub const MAX_DUMP_BYTES: u64 = 256 * 1024 * 1024;

/// A dump from which reading shows a progress line on a terminal.
const LARGE_DUMP_BYTES: usize = 32 * 1024 * 1024;

/// One deployed role.
#[derive(Debug, Clone)]
pub struct DeployedRole {
    /// The role's ARN, as IAM gives it.
    pub arn: String,
    /// Its trust, inline policies (as one policy), attached managed
    /// policies, boundary, path and tags. `kind` is [`RoleKind::Task`]
    /// until a spec's role claims it.
    pub role: Role,
    /// Where its file writes it: messages about what is read from it point
    /// here.
    pub at: Location,
}

impl DeployedRole {
    /// The partition and account of the role's ARN.
    #[must_use]
    pub fn partition_and_account(&self) -> Option<(&str, &str)> {
        let mut parts = self.arn.splitn(6, ':');
        let (_, partition, _, _, account) = (
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
        );
        Some((partition, account))
    }
}

/// The roles of one file.
#[derive(Debug, Clone)]
pub struct Deployed {
    pub file: PathBuf,
    pub roles: Roles,
}

/// The roles of one file, by name. Each is read in full only when a
/// command asks for it ([`Roles::find`], [`Roles::get`]): an account's dump
/// holds thousands of roles, and a command compares a few.
#[derive(Debug, Clone)]
pub struct Roles {
    file: PathBuf,
    entries: Vec<Entry>,
    /// The file's text: the roles not yet read, and the positions of what
    /// a message points at.
    text: String,
    /// A Terraform plan or state, parsed.
    terraform: Option<serde_json::Value>,
    /// Where a dump's `Policies` (its customer managed policies) sit in
    /// the text, and the list, parsed the first time a role asks for one.
    policies: Option<Range<usize>>,
    policies_read: OnceLock<Vec<serde_json::Value>>,
    locations: OnceLock<Locations>,
}

/// One role of a file, by name.
#[derive(Debug, Clone)]
struct Entry {
    /// `None` when the dump gives the role no name ecs-iam can read.
    name: Option<String>,
    role: State,
}

#[derive(Debug, Clone)]
enum State {
    /// Read with the file (a template's role).
    Read(DeployedRole),
    /// A Terraform role: its index among the file's `aws_iam_role`s, read
    /// in full once asked for.
    Terraform {
        index: usize,
        read: OnceLock<DeployedRole>,
    },
    /// A dump's role: its index in `RoleDetailList` and where its text sits
    /// in the file, read in full once asked for.
    Raw {
        index: usize,
        text: Range<usize>,
        /// The line and column of its text's start.
        at: (usize, usize),
        read: OnceLock<DeployedRole>,
    },
}

impl Entry {
    fn read(role: DeployedRole) -> Self {
        Entry {
            name: Some(role.role.name.clone()),
            role: State::Read(role),
        }
    }
}

impl Deployed {
    fn new(file: &Path, text: String, roles: Vec<Entry>, locations: OnceLock<Locations>) -> Self {
        Deployed {
            file: file.to_owned(),
            roles: Roles {
                file: file.to_owned(),
                entries: roles,
                text,
                terraform: None,
                policies: None,
                policies_read: OnceLock::new(),
                locations,
            },
        }
    }
}

impl Roles {
    /// How many roles the file holds.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the file holds no role.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The names of the roles the file holds, in file order.
    #[must_use]
    pub fn names(&self) -> Vec<String> {
        self.entries.iter().filter_map(|e| e.name.clone()).collect()
    }

    /// The index of the first role named `name`.
    #[must_use]
    pub fn position(&self, name: &str) -> Option<usize> {
        self.entries
            .iter()
            .position(|e| e.name.as_deref() == Some(name))
    }

    /// Role `i` ([`Roles::position`]), read in full.
    ///
    /// # Errors
    /// The role holds what ecs-iam cannot read or compare; located in the
    /// file.
    pub fn get(&self, i: usize) -> Result<&DeployedRole, Error> {
        let (index, range, (line, column), read) = match &self.entries[i].role {
            State::Read(role) => return Ok(role),
            State::Terraform { index, read } => {
                if let Some(role) = read.get() {
                    return Ok(role);
                }
                let invalid = |at: &str, what: &str| dump_error(self.locations(), at, what);
                let reader = Reader::new(&invalid);
                let json = self.terraform.as_ref().unwrap_or(&serde_json::Value::Null);
                let locate = |at: &str| self.locations().at(at);
                let role = terraform(&reader, &invalid, json, &|j| j == *index, &locate)?
                    .into_iter()
                    .nth(*index)
                    .and_then(|(_, role)| role)
                    .ok_or_else(|| invalid("", "no longer holds the role read before"))?;
                return Ok(read.get_or_init(|| role));
            }
            State::Raw {
                index,
                text,
                at,
                read,
            } => {
                if let Some(role) = read.get() {
                    return Ok(role);
                }
                (index, text, *at, read)
            }
        };
        let part = &self.text[range.clone()];
        // The text was read as JSON with its depth checked: this parse
        // succeeds.
        let value: serde_json::Value = serde_json::from_str(part).map_err(|e| {
            let (line, column) = json::position_in(&self.text, part, e.line(), e.column());
            not_json(&self.file, line, column, &e)
        })?;
        let invalid = |at: &str, what: &str| dump_error(self.locations(), at, what);
        let reader = Reader::new(&invalid);
        let policies = |arn: &str| self.customer_managed(arn);
        let mut role = role(
            &reader,
            &invalid,
            &value,
            &format!("RoleDetailList[{index}]"),
            &policies,
        )?;
        role.at = Location {
            file: self.file.clone(),
            line,
            column,
        };
        Ok(read.get_or_init(|| role))
    }

    /// The role of `name` and `path` (`/` when unset), read in full.
    ///
    /// # Errors
    /// As [`Roles::get`], for a role of that name.
    pub fn find(&self, name: &str, path: &str) -> Result<Option<&DeployedRole>, Error> {
        for (i, e) in self.entries.iter().enumerate() {
            if e.name.as_deref() != Some(name) {
                continue;
            }
            let r = self.get(i)?;
            if r.role.path.as_deref().unwrap_or("/") == path {
                return Ok(Some(r));
            }
        }
        Ok(None)
    }

    /// Every role read in full: when a role asked for is not found, one
    /// ecs-iam cannot read may be the one meant, and is reported.
    ///
    /// # Errors
    /// The first role, in file order, that ecs-iam cannot read.
    pub fn read_all(&self) -> Result<(), Error> {
        (0..self.entries.len()).try_for_each(|i| self.get(i).map(|_| ()))
    }

    fn locations(&self) -> &Locations {
        located(&self.locations, &self.file, &self.text)
    }

    /// The dump's customer managed policy of `arn`, with its index in
    /// `Policies`. The list is parsed the first time; a list that is not
    /// one holds no policy.
    fn customer_managed(&self, arn: &str) -> Option<(usize, &serde_json::Value)> {
        let range = self.policies.clone()?;
        let list = self.policies_read.get_or_init(|| {
            serde_json::from_str::<Vec<serde_json::Value>>(&self.text[range]).unwrap_or_default()
        });
        list.iter()
            .enumerate()
            .find(|(_, p)| p.get("Arn").and_then(serde_json::Value::as_str) == Some(arn))
    }
}

/// The positions of `text`, worked out the first time a message needs
/// them: a dump's hundreds of megabytes are indexed only for an error.
fn located<'a>(cell: &'a OnceLock<Locations>, file: &Path, text: &str) -> &'a Locations {
    cell.get_or_init(|| Locations::index(file, text))
}

/// Read the deployed roles of `path`.
///
/// # Errors
/// The file cannot be read, is not JSON, is not the output of `aws iam
/// get-account-authorization-details`, or holds a policy document ecs-iam
/// cannot compare; located in the file.
pub fn read(path: &Path) -> Result<Deployed, Error> {
    let text = crate::input::bytes::read_text(path, FileKind::Dump, MAX_DUMP_BYTES)?;
    checked(path, text)
}

/// [`parse_owned`], after the checks of the reading layer: JSON, which the
/// AWS CLI and Terraform print, has no aliases and is only checked for
/// depth, in one pass over its bytes; a YAML text (a CloudFormation
/// template) must keep within the alias expansion budget and the depth
/// limit.
///
/// # Errors
/// As [`read`].
pub fn checked(path: &Path, text: String) -> Result<Deployed, Error> {
    if json::looks_like_json(&text) {
        json::check_depth(path, &text, FileKind::Dump)?;
    } else {
        crate::input::yaml::check(path, &text, FileKind::Dump)?;
    }
    parse_owned(path, text)
}

/// The deployed roles of a dump's text.
///
/// # Errors
/// As [`read`].
pub fn parse(path: &Path, text: &str) -> Result<Deployed, Error> {
    parse_owned(path, text.to_owned())
}

/// [`parse`], keeping `text` without a copy.
///
/// JSON (the first character an object's `{`) is read by the JSON parser
/// alone, once; YAML can only be a CloudFormation template.
///
/// # Errors
/// As [`read`].
pub fn parse_owned(path: &Path, text: String) -> Result<Deployed, Error> {
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    };
    if !json::looks_like_json(&text)
        && let Ok(doc) = serde_yaml::from_str::<Value>(&text)
        && is_template(&doc)
    {
        return template(path, text, &doc);
    }
    // Nesting deeper than serde_json's limit is refused wherever it is,
    // with the message parsing the whole text gives.
    if json::too_deep(&text).is_some()
        && let Err(e) = serde_json::from_str::<serde_json::Value>(&text)
    {
        return Err(not_json(path, e.line(), e.column(), &e));
    }
    let members = json::Members::of(&text, Some("RoleDetailList")).map_err(|e| {
        // The whole text parsed as a value names the error as it always
        // has (skipping a value says less: "EOF while parsing a value").
        let e = serde_json::from_str::<serde_json::Value>(&text)
            .err()
            .unwrap_or(e);
        not_json(path, e.line(), e.column(), &e)
    })?;
    let locations = OnceLock::new();
    let invalid = |at: &str, what: &str| dump_error(located(&locations, path, &text), at, what);
    if members.has("Resources") {
        let json = whole(path, &text)?;
        if let Ok(doc) = serde_yaml::to_value(&json)
            && is_template(&doc)
        {
            drop(members);
            return template(path, text, &doc);
        }
    }
    if members.has("format_version") && (members.has("values") || members.has("planned_values")) {
        let json = whole(path, &text)?;
        let reader = Reader::new(&invalid);
        let locate = |at: &str| located(&locations, path, &text).at(at);
        let roles = terraform(&reader, &invalid, &json, &|_| false, &locate)?
            .into_iter()
            .enumerate()
            .map(|(index, (name, _))| Entry {
                name: Some(name),
                role: State::Terraform {
                    index,
                    read: OnceLock::new(),
                },
            })
            .collect();
        drop(members);
        let mut deployed = Deployed::new(path, text, roles, locations);
        deployed.roles.terraform = Some(json);
        return Ok(deployed);
    }
    if !members.has("RoleDetailList") {
        let keys: Vec<String> = members.keys().iter().map(|k| format!("`{k}`")).collect();
        return Err(Error::Invalid {
            at: crate::error::Location {
                file: path.to_owned(),
                line: 1,
                column: 1,
            },
            field: String::new(),
            problem: Box::new(Problem::Dump {
                what: format!(
                    "the file is neither what `aws iam get-account-authorization-details` prints (no `RoleDetailList`) nor what `terraform show -json` prints (no `format_version` and `values`); its keys: {}",
                    if keys.is_empty() {
                        "none".to_owned()
                    } else {
                        keys.join(", ")
                    }
                ),
            }),
        });
    }
    let Some(list) = members.items("RoleDetailList") else {
        return Err(invalid("RoleDetailList", "is not a list"));
    };
    // Each role by its name alone; the rest is read when asked for.
    let progress = Progress::new(
        &format!("reading {}:", escape::path(path)),
        "roles",
        list.len(),
        text.len() > LARGE_DUMP_BYTES,
    );
    let mut roles = Vec::with_capacity(list.len());
    // The roles come in file order: their positions are one pass.
    let mut cursor = json::Cursor::default();
    for (index, item) in list.iter().enumerate() {
        let part = item.get();
        let start = json::offset_in(&text, part);
        let name = json::string_member(part, "RoleName");
        roles.push(Entry {
            name,
            role: State::Raw {
                index,
                text: start..start + part.len(),
                at: cursor.line_column(&text, start),
                read: OnceLock::new(),
            },
        });
        progress.tick();
    }
    progress.finish();
    let policies = members.get("Policies").map(|raw| {
        let start = json::offset_in(&text, raw.get());
        start..start + raw.get().len()
    });
    drop(members);
    let mut deployed = Deployed::new(path, text, roles, locations);
    deployed.roles.policies = policies;
    Ok(deployed)
}

/// The whole text as one JSON value (a template or a Terraform plan, which
/// are read in full).
fn whole(path: &Path, text: &str) -> Result<serde_json::Value, Error> {
    serde_json::from_str(text).map_err(|e| not_json(path, e.line(), e.column(), &e))
}

/// The file is not JSON: `serde_json`'s error at its position.
fn not_json(path: &Path, line: usize, column: usize, e: &serde_json::Error) -> Error {
    Error::Invalid {
        at: crate::error::Location {
            file: path.to_owned(),
            line: line.max(1),
            column: column.max(1),
        },
        field: String::new(),
        problem: Box::new(Problem::Dump {
            what: format!(
                "the file is not JSON ({}); give what `aws iam get-account-authorization-details` prints",
                crate::input::json::without_position(&e.to_string())
            ),
        }),
    }
}

/// A policy document as the dump holds it: a JSON object, a JSON string
/// (Terraform's state), or the raw API's URL-encoded JSON string.
fn document(
    value: &serde_json::Value,
    at: &str,
    invalid: &dyn Fn(&str, &str) -> Error,
) -> Result<Value, Error> {
    let json = match value {
        serde_json::Value::String(encoded) => {
            let decoded = if encoded.trim_start().starts_with('{') {
                encoded.clone()
            } else {
                percent_decode(encoded)
                    .ok_or_else(|| invalid(at, "is not a URL-encoded policy document"))?
            };
            serde_json::from_str(&decoded).map_err(|e| {
                invalid(
                    at,
                    &format!(
                        "does not decode to a JSON policy document ({})",
                        crate::input::json::without_position(&e.to_string())
                    ),
                )
            })?
        }
        other => other.clone(),
    };
    serde_yaml::to_value(json).map_err(|e| invalid(at, &e.to_string()))
}

/// What the dump holds at `at` that ecs-iam cannot read, located.
fn dump_error(locations: &Locations, at: &str, what: &str) -> Error {
    Error::Invalid {
        at: locations.at(at),
        field: at.to_owned(),
        problem: Box::new(Problem::Dump {
            what: what.to_owned(),
        }),
    }
}

/// A CloudFormation template declaring at least one role.
fn is_template(doc: &Value) -> bool {
    doc.get("Resources")
        .and_then(Value::as_mapping)
        .is_some_and(|r| r.values().any(is_role_resource))
}

fn is_role_resource(r: &Value) -> bool {
    r.get("Type").and_then(Value::as_str) == Some("AWS::IAM::Role")
}

/// The `AWS::IAM::Role` resources of a CloudFormation template, read as
/// `diff` reads generated templates (`!Sub` of the pseudo parameters and of
/// template parameters, which become inputs). A role without a literal
/// `RoleName` is named by its logical id. Its ARN is unknown before deploy.
fn template(path: &Path, text: String, doc: &Value) -> Result<Deployed, Error> {
    let locations = OnceLock::new();
    let invalid = |at: &str, what: &str| dump_error(located(&locations, path, &text), at, what);
    let reader = Reader::new(&invalid);
    let mut roles = Vec::new();
    for (id, r) in doc["Resources"].as_mapping().into_iter().flatten() {
        if !is_role_resource(r) {
            continue;
        }
        let id = id.as_str().unwrap_or_default();
        let mut props = r
            .get("Properties")
            .and_then(Value::as_mapping)
            .cloned()
            .unwrap_or_default();
        // A name CloudFormation generates or works out at deploy time
        // (`!Sub`) is not one a spec can write: the logical id stands in.
        if !matches!(props.get("RoleName"), Some(Value::String(_))) {
            props.insert("RoleName".into(), id.into());
        }
        let at = |field: &str| format!("Resources.{id}.Properties.{field}");
        // The managed policies the template creates for the role are its
        // grants (`policy_layout: split`).
        let (props, attached) = created_refs(doc, &Value::Mapping(props));
        let mut role = reader.role(RoleKind::Task, &props, &at)?;
        role.created_policies = reader.created_policies(doc, id, &attached)?;
        roles.push(Entry::read(DeployedRole {
            arn: String::new(),
            role,
            at: located(&locations, path, &text).at(&format!("Resources.{id}")),
        }));
    }
    Ok(Deployed::new(path, text, roles, locations))
}

/// The roles of `terraform show -json` output: state (`values`) or a
/// saved plan (`planned_values`), root and child modules, each
/// `aws_iam_role` with its `inline_policy` blocks and the
/// `aws_iam_role_policy` and `aws_iam_role_policy_attachment` resources
/// that name it. Each role is named; only those `wanted` (by their index
/// among the file's roles) are read in full.
fn terraform(
    reader: &Reader<'_>,
    invalid: &dyn Fn(&str, &str) -> Error,
    json: &serde_json::Value,
    wanted: &dyn Fn(usize) -> bool,
    locate: &dyn Fn(&str) -> Location,
) -> Result<Vec<(String, Option<DeployedRole>)>, Error> {
    let top = if json.get("values").is_some() {
        "values"
    } else {
        "planned_values"
    };
    let mut resources: Vec<(String, &serde_json::Value)> = Vec::new();
    if let Some(root) = json.get(top).and_then(|v| v.get("root_module")) {
        modules(root, &format!("{top}.root_module"), &mut resources);
    }
    let of_type = |t: &str| -> Vec<(String, &serde_json::Value)> {
        resources
            .iter()
            .filter(|(_, r)| r.get("type").and_then(serde_json::Value::as_str) == Some(t))
            .map(|(at, r)| {
                (
                    format!("{at}.values"),
                    r.get("values").unwrap_or(&serde_json::Value::Null),
                )
            })
            .collect()
    };
    let text = |v: &serde_json::Value, key: &str| {
        v.get(key)
            .and_then(serde_json::Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let inline = of_type("aws_iam_role_policy");
    let attached = of_type("aws_iam_role_policy_attachment");
    let customer_managed = of_type("aws_iam_policy");
    let mut out = Vec::new();
    for (i, (at, v)) in of_type("aws_iam_role").into_iter().enumerate() {
        let field = |name: &str| format!("{at}.{name}");
        let name = text(v, "name")
            .ok_or_else(|| invalid(&field("name"), "is missing or unknown until apply"))?;
        if !wanted(i) {
            out.push((name, None));
            continue;
        }
        let mut props = Mapping::new();
        props.insert("RoleName".into(), name.clone().into());
        props.insert(
            "Path".into(),
            text(v, "path").unwrap_or_else(|| "/".to_owned()).into(),
        );
        let trust = v
            .get("assume_role_policy")
            .filter(|t| t.is_string())
            .ok_or_else(|| {
                invalid(
                    &field("assume_role_policy"),
                    "is missing or unknown until apply",
                )
            })?;
        props.insert(
            "AssumeRolePolicyDocument".into(),
            document(trust, &field("assume_role_policy"), invalid)?,
        );
        // The role's own `inline_policy` blocks and the `aws_iam_role_policy`
        // resources naming it, once each by name.
        let mut policies: Vec<(String, String, &serde_json::Value)> = Vec::new();
        let blocks = v.get("inline_policy").and_then(serde_json::Value::as_array);
        for (i, p) in blocks.into_iter().flatten().enumerate() {
            if let (Some(n), Some(doc)) =
                (text(p, "name"), p.get("policy").filter(|d| d.is_string()))
            {
                policies.push((n, field(&format!("inline_policy[{i}].policy")), doc));
            }
        }
        for (pat, p) in &inline {
            let role = text(p, "role").unwrap_or_default();
            let role = role.rsplit(':').next().unwrap_or_default();
            if role != name {
                continue;
            }
            let n = text(p, "name").unwrap_or_default();
            if policies.iter().any(|(existing, ..)| *existing == n) {
                continue;
            }
            let doc = p.get("policy").filter(|d| d.is_string()).ok_or_else(|| {
                invalid(
                    &format!("{pat}.policy"),
                    "is missing or unknown until apply",
                )
            })?;
            policies.push((n, format!("{pat}.policy"), doc));
        }
        policies.sort_by(|a, b| a.0.cmp(&b.0));
        let mut list = Vec::new();
        for (n, pat, doc) in &policies {
            let mut one = Mapping::new();
            one.insert("PolicyName".into(), n.clone().into());
            one.insert("PolicyDocument".into(), document(doc, pat, invalid)?);
            list.push(Value::Mapping(one));
        }
        if !list.is_empty() {
            props.insert("Policies".into(), Value::Sequence(list));
        }
        let mut managed: Vec<String> = v
            .get("managed_policy_arns")
            .and_then(serde_json::Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|a| a.as_str().map(str::to_owned))
            .collect();
        for (_, a) in &attached {
            if text(a, "role").as_deref() == Some(name.as_str())
                && let Some(arn) = text(a, "policy_arn")
            {
                managed.push(arn);
            }
        }
        // The policies `render` creates beside the role (`policy_layout:
        // split`, `aws_iam_policy` and its attachment) are its grants; a
        // plan knows neither ARN until apply, so an unknown ARN matches an
        // attachment of this role whose ARN is unknown too.
        let inline_names: Vec<&str> = policies.iter().map(|(n, ..)| n.as_str()).collect();
        let mut created: Vec<(u32, Policy)> = Vec::new();
        for (pat, p) in &customer_managed {
            let policy_name = text(p, "name").unwrap_or_default();
            let Some(number) = created_number(&inline_names, &policy_name) else {
                continue;
            };
            let arn = text(p, "arn");
            let is_attached = attached.iter().any(|(_, a)| {
                text(a, "role").as_deref() == Some(name.as_str()) && text(a, "policy_arn") == arn
            });
            let Some(doc) = p.get("policy").filter(|d| d.is_string()) else {
                continue;
            };
            if !is_attached {
                continue;
            }
            if let Some(arn) = &arn {
                managed.retain(|m| m != arn);
            }
            let doc_at = format!("{pat}.policy");
            let statements = reader
                .statements(&document(doc, &doc_at, invalid)?, &doc_at)?
                .into_iter()
                .map(|mut st| {
                    st.origin.clone_from(&policy_name);
                    st
                })
                .collect();
            created.push((
                number,
                Policy {
                    name: policy_name,
                    statements,
                },
            ));
        }
        created.sort_by_key(|(number, _)| *number);
        managed.sort();
        managed.dedup();
        if !managed.is_empty() {
            props.insert(
                "ManagedPolicyArns".into(),
                Value::Sequence(managed.into_iter().map(Value::from).collect()),
            );
        }
        if let Some(b) = text(v, "permissions_boundary") {
            props.insert("PermissionsBoundary".into(), b.into());
        }
        let tags: Vec<Value> = v
            .get("tags")
            .and_then(serde_json::Value::as_object)
            .into_iter()
            .flatten()
            .map(|(k, val)| {
                let mut m = Mapping::new();
                m.insert("Key".into(), k.clone().into());
                m.insert("Value".into(), val.as_str().unwrap_or_default().into());
                Value::Mapping(m)
            })
            .collect();
        if !tags.is_empty() {
            props.insert("Tags".into(), Value::Sequence(tags));
        }
        if let Some(d) = v
            .get("max_session_duration")
            .and_then(serde_json::Value::as_u64)
        {
            props.insert("MaxSessionDuration".into(), d.into());
        }
        let policy_paths: Vec<String> = policies.iter().map(|(_, p, _)| p.clone()).collect();
        let tf_field = |property: &str| -> String {
            match property.split_once('[') {
                Some(("Policies", rest)) => {
                    let index: usize = rest
                        .split(']')
                        .next()
                        .and_then(|i| i.parse().ok())
                        .unwrap_or(0);
                    policy_paths
                        .get(index)
                        .cloned()
                        .unwrap_or_else(|| at.clone())
                }
                _ if property.starts_with("AssumeRolePolicyDocument") => {
                    field("assume_role_policy")
                }
                _ => at.clone(),
            }
        };
        let mut role = reader.role(RoleKind::Task, &Value::Mapping(props), &tf_field)?;
        role.created_policies = created.into_iter().map(|(_, p)| p).collect();
        let arn = text(v, "arn").unwrap_or_default();
        out.push((
            name,
            Some(DeployedRole {
                arn,
                role,
                at: locate(&at),
            }),
        ));
    }
    Ok(out)
}

/// Every resource of a module and its child modules, with its path.
fn modules<'a>(
    module: &'a serde_json::Value,
    at: &str,
    out: &mut Vec<(String, &'a serde_json::Value)>,
) {
    for (i, r) in array(module, "resources").iter().enumerate() {
        out.push((format!("{at}.resources[{i}]"), r));
    }
    for (i, m) in array(module, "child_modules").iter().enumerate() {
        modules(m, &format!("{at}.child_modules[{i}]"), out);
    }
}

/// `%XX` escapes decoded (IAM's URL encoding writes no `+` for spaces).
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// One `RoleDetailList` entry, turned into the CloudFormation `Properties`
/// shape the reader takes.
fn role<'p>(
    reader: &Reader<'_>,
    invalid: &dyn Fn(&str, &str) -> Error,
    r: &serde_json::Value,
    at: &str,
    policies: &dyn Fn(&str) -> Option<(usize, &'p serde_json::Value)>,
) -> Result<DeployedRole, Error> {
    let field = |name: &str| format!("{at}.{name}");
    let string = |name: &str| -> Result<String, Error> {
        r.get(name)
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| invalid(&field(name), "is missing or not a string"))
    };
    let name = string("RoleName")?;
    let arn = string("Arn")?;
    let mut props = Mapping::new();
    props.insert("RoleName".into(), name.into());
    props.insert("Path".into(), string("Path")?.into());
    let trust = r
        .get("AssumeRolePolicyDocument")
        .ok_or_else(|| invalid(&field("AssumeRolePolicyDocument"), "is missing"))?;
    props.insert(
        "AssumeRolePolicyDocument".into(),
        document(trust, &field("AssumeRolePolicyDocument"), invalid)?,
    );
    // By name, whatever order the dump lists them in.
    let mut inline: Vec<(usize, &serde_json::Value)> =
        array(r, "RolePolicyList").iter().enumerate().collect();
    inline.sort_by_key(|(_, p)| p.get("PolicyName").and_then(serde_json::Value::as_str));
    let mut inline_policies = Vec::new();
    for (i, p) in inline {
        let at = field(&format!("RolePolicyList[{i}]"));
        let mut one = Mapping::new();
        let policy_name = p
            .get("PolicyName")
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| invalid(&format!("{at}.PolicyName"), "is missing"))?;
        one.insert("PolicyName".into(), policy_name.into());
        let doc = p
            .get("PolicyDocument")
            .ok_or_else(|| invalid(&format!("{at}.PolicyDocument"), "is missing"))?;
        one.insert(
            "PolicyDocument".into(),
            document(doc, &format!("{at}.PolicyDocument"), invalid)?,
        );
        inline_policies.push(Value::Mapping(one));
    }
    let inline_names: Vec<&str> = array(r, "RolePolicyList")
        .iter()
        .filter_map(|p| p.get("PolicyName").and_then(serde_json::Value::as_str))
        .collect();
    if !inline_policies.is_empty() {
        props.insert("Policies".into(), Value::Sequence(inline_policies));
    }
    // The policies `render` creates beside the role (`policy_layout:
    // split`) are its grants, read from the dump's `Policies`; any other
    // attachment is compared by ARN.
    let mut managed: Vec<Value> = Vec::new();
    let mut created: Vec<(u32, Policy)> = Vec::new();
    for m in array(r, "AttachedManagedPolicies") {
        let Some(arn) = m.get("PolicyArn").and_then(serde_json::Value::as_str) else {
            continue;
        };
        let name = m
            .get("PolicyName")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default();
        let document_of = |(i, p): (usize, &'p serde_json::Value)| {
            array(p, "PolicyVersionList")
                .iter()
                .enumerate()
                .find(|(_, v)| v.get("IsDefaultVersion") == Some(&serde_json::Value::Bool(true)))
                .and_then(|(v, version)| {
                    Some((
                        version.get("Document")?,
                        format!("Policies[{i}].PolicyVersionList[{v}].Document"),
                    ))
                })
        };
        match (
            created_number(&inline_names, name),
            policies(arn).and_then(document_of),
        ) {
            (Some(number), Some((doc, doc_at))) => {
                let statements = reader
                    .statements(&document(doc, &doc_at, invalid)?, &doc_at)?
                    .into_iter()
                    .map(|mut st| {
                        name.clone_into(&mut st.origin);
                        st
                    })
                    .collect();
                created.push((
                    number,
                    Policy {
                        name: name.to_owned(),
                        statements,
                    },
                ));
            }
            _ => managed.push(arn.into()),
        }
    }
    created.sort_by_key(|(number, _)| *number);
    if !managed.is_empty() {
        props.insert("ManagedPolicyArns".into(), Value::Sequence(managed));
    }
    if let Some(b) = r
        .get("PermissionsBoundary")
        .and_then(|b| b.get("PermissionsBoundaryArn"))
        .and_then(serde_json::Value::as_str)
    {
        props.insert("PermissionsBoundary".into(), b.into());
    }
    let tags: Vec<Value> = array(r, "Tags")
        .iter()
        .map(|t| {
            let mut m = Mapping::new();
            for k in ["Key", "Value"] {
                m.insert(
                    k.into(),
                    t.get(k)
                        .and_then(serde_json::Value::as_str)
                        .unwrap_or_default()
                        .into(),
                );
            }
            Value::Mapping(m)
        })
        .collect();
    if !tags.is_empty() {
        props.insert("Tags".into(), Value::Sequence(tags));
    }
    // The reader names a field by the property; the dump's own field is
    // the one to point at.
    let dump_field = |property: &str| -> String {
        let (head, rest) = property.split_once('.').unwrap_or((property, ""));
        let mapped = match head.split_once('[') {
            Some(("Policies", index)) => format!("RolePolicyList[{index}.PolicyDocument"),
            _ => match head {
                "ManagedPolicyArns" => "AttachedManagedPolicies".to_owned(),
                "PermissionsBoundary" => "PermissionsBoundary".to_owned(),
                other => other.to_owned(),
            },
        };
        if rest.is_empty() || head.starts_with("Policies[") {
            field(&mapped)
        } else {
            field(&format!("{mapped}.{rest}"))
        }
    };
    let mut role = reader.role(RoleKind::Task, &Value::Mapping(props), &dump_field)?;
    role.created_policies = created.into_iter().map(|(_, p)| p).collect();
    // The caller, which knows where the role's text starts, places it.
    let at = Location {
        file: PathBuf::new(),
        line: 1,
        column: 1,
    };
    Ok(DeployedRole { arn, role, at })
}

/// The number of a policy named `name` when `render` created it beside a
/// role whose inline policy is one of `inline` (`policy_layout: split`):
/// the inline policy's name, `-`, and a number from 2.
fn created_number(inline: &[&str], name: &str) -> Option<u32> {
    inline.iter().find_map(|p| {
        let n = name.strip_prefix(p)?.strip_prefix('-')?;
        if n.starts_with('0') || !n.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        n.parse::<u32>().ok().filter(|&n| n >= 2)
    })
}

/// serde_json's message without its ` at line L column C`, which the
/// error's own position replaces.
fn array<'a>(v: &'a serde_json::Value, key: &str) -> &'a [serde_json::Value] {
    v.get(key)
        .and_then(serde_json::Value::as_array)
        .map_or(&[], Vec::as_slice)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_encoded_documents_decode() {
        assert_eq!(
            percent_decode("%7B%22Version%22%3A%222012-10-17%22%7D").as_deref(),
            Some("{\"Version\":\"2012-10-17\"}")
        );
        assert_eq!(percent_decode("%7"), None);
        assert_eq!(percent_decode("%zz"), None);
    }
}
