//! Terraform's JSON output, what `terraform show -json` prints for a saved
//! plan (`planned_values`) or for state (`values`), and a state file itself
//! (`terraform.tfstate`): its `aws_ecs_task_definition` resources, in the
//! root module and in child modules, each turned into the task definition
//! shape the reader knows.
//!
//! `container_definitions` is a JSON string there; its fields are read as
//! any `containerDefinitions` list, each pointing at the string's position
//! in the plan (a plan is one line; the field's path names the entry). A
//! value Terraform knows only after apply is missing from `planned_values`
//! and `true` in the change's `after_unknown`: it stays unknown, and is
//! reported where a grant needs it.

use std::path::Path;

use super::tree::{self, Node, Pos, Value};
use crate::error::{Error, Problem};

/// The tag of a value the plan knows only after apply.
pub const AFTER_APPLY: &str = "terraform-after-apply";

/// Whether the file is Terraform's JSON output, or a state file itself
/// (`terraform.tfstate`, format version 4).
pub fn is_terraform(root: &Node) -> bool {
    let show = root.get("format_version").is_some()
        && (root.get("planned_values").is_some() || root.get("values").is_some());
    let state = root.get("terraform_version").is_some()
        && root.get("version").is_some()
        && root.get("resources").and_then(Node::as_list).is_some();
    show || state
}

/// One `aws_ecs_task_definition` of the plan or state.
struct Found<'n> {
    address: String,
    resource: &'n Node,
    values: &'n Node,
    /// The change's `after_unknown`, in a plan.
    unknown: Option<&'n Node>,
}

/// The task definition `address` picks (the only one when `None`), as a
/// task definition node and its `containerDefinitions`.
///
/// # Errors
/// No such resource, several without an address, `container_definitions`
/// that is not JSON, or known only after apply.
pub fn task(file: &Path, root: &Node, address: Option<&str>) -> Result<(Node, Node), Error> {
    let invalid = |pos: Pos, field: &str, problem: Problem| Error::Invalid {
        at: crate::error::Location {
            file: file.to_owned(),
            line: pos.0,
            column: pos.1,
        },
        field: field.to_owned(),
        problem: Box::new(problem),
    };
    let module = root
        .get("planned_values")
        .or_else(|| root.get("values"))
        .and_then(|v| v.get("root_module"));
    let mut found = Vec::new();
    if let Some(m) = module {
        walk(m, &mut found);
    } else {
        state_file(root, &mut found);
    }
    for f in &mut found {
        f.unknown = changes(root, &f.address);
    }
    let addresses: Vec<String> = found.iter().map(|f| f.address.clone()).collect();
    let chosen = match (address, found.as_slice()) {
        (Some(a), _) => found.iter().find(|f| f.address == a).ok_or_else(|| {
            invalid(
                root.pos,
                "",
                Problem::NoSuchTerraformTaskDefinition {
                    address: a.to_owned(),
                    found: addresses.clone(),
                },
            )
        })?,
        (None, [one]) => one,
        (None, _) => {
            return Err(invalid(
                root.pos,
                "",
                Problem::TerraformTaskDefinitionCount { found: addresses },
            ));
        }
    };
    let v = chosen.values;
    let unknown = |key: &str| {
        chosen
            .unknown
            .and_then(|u| u.get(key))
            .is_some_and(|n| n.as_str() == Some("true"))
    };
    let definitions = match v.get("container_definitions").filter(|n| !n.is_null()) {
        Some(n) => {
            let text = n.as_str().ok_or_else(|| {
                invalid(
                    n.pos,
                    "container_definitions",
                    Problem::TaskDefinitionType {
                        expected: "a JSON string",
                    },
                )
            })?;
            let mut parsed =
                tree::parse(Path::new("container_definitions.json"), text).map_err(|e| {
                    let message = match e {
                        Error::Syntax { message, .. } => message,
                        other => other.to_string(),
                    };
                    invalid(
                        n.pos,
                        "container_definitions",
                        Problem::EmbeddedJson { message },
                    )
                })?;
            place(&mut parsed, n.pos);
            parsed
        }
        None if unknown("container_definitions") => {
            return Err(invalid(
                chosen.resource.pos,
                &format!("{}.container_definitions", chosen.address),
                Problem::AfterApply,
            ));
        }
        None => {
            return Err(invalid(
                chosen.resource.pos,
                &chosen.address,
                Problem::NoContainerDefinitions,
            ));
        }
    };
    let mut entries: Vec<(String, Pos, Node)> = Vec::new();
    let mut copy = |api: &str, key: &str| {
        if let Some(n) = v.get(key).filter(|n| !n.is_null()) {
            entries.push((api.to_owned(), n.pos, n.clone()));
        } else if unknown(key) {
            entries.push((
                api.to_owned(),
                chosen.resource.pos,
                after_apply(chosen.resource.pos),
            ));
        }
    };
    copy("taskDefinitionArn", "arn");
    copy("family", "family");
    copy("taskRoleArn", "task_role_arn");
    copy("executionRoleArn", "execution_role_arn");
    copy("requiresCompatibilities", "requires_compatibilities");
    copy("networkMode", "network_mode");
    if let Some(volumes) = v.get("volume").and_then(Node::as_list) {
        // `after_unknown` mirrors the value: a list of blocks, each a list
        // of one.
        let unknown_volumes = chosen
            .unknown
            .and_then(|u| u.get("volume"))
            .and_then(Node::as_list)
            .unwrap_or_default();
        let list = volumes
            .iter()
            .enumerate()
            .map(|(i, vol)| volume(vol, unknown_volumes.get(i)))
            .collect();
        entries.push((
            "volumes".to_owned(),
            chosen.resource.pos,
            node(chosen.resource.pos, Value::List(list)),
        ));
    }
    let task = node(chosen.resource.pos, Value::Map(entries));
    Ok((task, definitions))
}

/// The resources of a module and of its child modules, in file order.
fn walk<'n>(module: &'n Node, out: &mut Vec<Found<'n>>) {
    for r in module
        .get("resources")
        .and_then(Node::as_list)
        .unwrap_or_default()
    {
        let is_task = r.get("type").and_then(Node::as_str) == Some("aws_ecs_task_definition")
            && r.get("mode").and_then(Node::as_str) != Some("data");
        if let (true, Some(address), Some(values)) = (
            is_task,
            r.get("address").and_then(Node::as_str),
            r.get("values"),
        ) {
            out.push(Found {
                address: address.to_owned(),
                resource: r,
                values,
                unknown: None,
            });
        }
    }
    for m in module
        .get("child_modules")
        .and_then(Node::as_list)
        .unwrap_or_default()
    {
        walk(m, out);
    }
}

/// The task definitions of a state file: each instance of each
/// `aws_ecs_task_definition` resource, addressed as Terraform addresses it
/// (`module.orders.aws_ecs_task_definition.this["blue"]`).
fn state_file<'n>(root: &'n Node, out: &mut Vec<Found<'n>>) {
    for r in root
        .get("resources")
        .and_then(Node::as_list)
        .unwrap_or_default()
    {
        let text = |key: &str| r.get(key).and_then(Node::as_str);
        if text("type") != Some("aws_ecs_task_definition") || text("mode") == Some("data") {
            continue;
        }
        let mut base = String::new();
        if let Some(m) = text("module") {
            base.push_str(m);
            base.push('.');
        }
        base.push_str("aws_ecs_task_definition.");
        base.push_str(text("name").unwrap_or_default());
        for i in r
            .get("instances")
            .and_then(Node::as_list)
            .unwrap_or_default()
        {
            let Some(values) = i.get("attributes") else {
                continue;
            };
            let address = match i.get("index_key") {
                Some(k) => match &k.value {
                    Value::Scalar { text, quoted: true } => format!("{base}[\"{text}\"]"),
                    Value::Scalar { text, .. } => format!("{base}[{text}]"),
                    _ => base.clone(),
                },
                None => base.clone(),
            };
            out.push(Found {
                address,
                resource: i,
                values,
                unknown: None,
            });
        }
    }
}

/// The `after_unknown` of the change to `address`, in a plan.
fn changes<'n>(root: &'n Node, address: &str) -> Option<&'n Node> {
    root.get("resource_changes")?
        .as_list()?
        .iter()
        .find(|c| c.get("address").and_then(Node::as_str) == Some(address))?
        .get("change")?
        .get("after_unknown")
}

/// A `volume` block as the ECS API writes it: `efs_volume_configuration`
/// (a list of one block in Terraform) as `efsVolumeConfiguration`.
fn volume(v: &Node, unknown: Option<&Node>) -> Node {
    let mut entries = Vec::new();
    if let Some(name) = v.get("name") {
        entries.push(("name".to_owned(), name.pos, name.clone()));
    }
    let first = |n: &Node, key: &str| {
        n.get(key)
            .and_then(Node::as_list)
            .and_then(|l| l.first())
            .cloned()
    };
    let is_true = |n: Option<&Node>| n.and_then(Node::as_str) == Some("true");
    let unknown_efs = unknown.and_then(|u| first(u, "efs_volume_configuration"));
    if let Some(efs) = first(v, "efs_volume_configuration") {
        let mut e = Vec::new();
        for (api, key) in [
            ("fileSystemId", "file_system_id"),
            ("rootDirectory", "root_directory"),
            ("transitEncryption", "transit_encryption"),
        ] {
            if let Some(n) = efs.get(key).filter(|n| !n.is_null()) {
                e.push((api.to_owned(), n.pos, n.clone()));
            } else if is_true(unknown_efs.as_ref().and_then(|u| u.get(key))) {
                // A file system the same plan creates.
                e.push((api.to_owned(), efs.pos, after_apply(efs.pos)));
            }
        }
        if let Some(auth) = first(&efs, "authorization_config") {
            let unknown_auth = unknown_efs
                .as_ref()
                .and_then(|u| first(u, "authorization_config"));
            let mut a = Vec::new();
            for (api, key) in [("accessPointId", "access_point_id"), ("iam", "iam")] {
                if let Some(n) = auth.get(key).filter(|n| !n.is_null()) {
                    a.push((api.to_owned(), n.pos, n.clone()));
                } else if is_true(unknown_auth.as_ref().and_then(|u| u.get(key))) {
                    a.push((api.to_owned(), auth.pos, after_apply(auth.pos)));
                }
            }
            e.push((
                "authorizationConfig".to_owned(),
                auth.pos,
                node(auth.pos, Value::Map(a)),
            ));
        }
        entries.push((
            "efsVolumeConfiguration".to_owned(),
            efs.pos,
            node(efs.pos, Value::Map(e)),
        ));
    }
    node(v.pos, Value::Map(entries))
}

fn node(pos: Pos, value: Value) -> Node {
    Node {
        value,
        tag: None,
        pos,
    }
}

/// A value the plan knows only after apply.
fn after_apply(pos: Pos) -> Node {
    Node {
        value: Value::Scalar {
            text: String::new(),
            quoted: false,
        },
        tag: Some(AFTER_APPLY.to_owned()),
        pos,
    }
}

/// Every node of the embedded JSON at the string's own position.
fn place(n: &mut Node, pos: Pos) {
    n.pos = pos;
    match &mut n.value {
        Value::List(items) => items.iter_mut().for_each(|i| place(i, pos)),
        Value::Map(entries) => {
            for (_, p, v) in entries {
                *p = pos;
                place(v, pos);
            }
        }
        Value::Scalar { .. } => {}
    }
}
