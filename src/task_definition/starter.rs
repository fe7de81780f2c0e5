//! `ecs-iam init --from-task-definition`: a spec that names the task
//! definition, so the execution role is derived from it at every render,
//! with comments listing what each container field needs and hints for
//! what the task definition cannot tell.

use std::fmt::Write as _;

use crate::arn::Env;
use crate::error::{Error, Location};
use crate::escape::yaml_comment;

use super::TaskDefinition;
use super::needs::{Destination, Grant, ecr_repository, needs};

/// The spec text. `reference` is the task definition's path as the spec
/// will name it (relative to the spec's folder).
///
/// # Errors
/// The task definition holds a value ECS would not accept.
pub fn starter(
    task: &TaskDefinition,
    reference: &str,
    parameters: &super::Parameters,
) -> Result<String, Error> {
    let Deployment { pins, open_region } = deployment(task);
    let pinned = |key: &str| pins.iter().find(|p| p.key == key).map(|p| p.value.clone());
    let env = Env {
        partition: pinned("partition").and_then(|p| crate::arn::Partition::parse(&p).ok()),
        region: pinned("region"),
        account: pinned("account_id"),
        inputs: task
            .input_parameters
            .keys()
            .filter_map(|n| crate::arn::InputName::parse(n).ok())
            .collect(),
    };
    let needs = needs(task, &env, &[])
        .all()
        .map_err(|e| whole_value_placeholders(e, task))?;
    // A placeholder's input is declared when a grant uses it: one in an
    // image's tag, a container's name or the environment decides nothing.
    let granted: std::collections::BTreeSet<&str> = task
        .input_parameters
        .keys()
        .filter(|name| {
            let written = format!("<input.{name}>");
            needs.iter().any(|n| describe(&n.grant).contains(&written))
        })
        .map(String::as_str)
        .collect();
    let declared: Vec<(&String, &super::InputSource)> =
        task.input_parameters
            .iter()
            .filter(|(name, source)| match source {
                super::InputSource::Placeholder { .. }
                | super::InputSource::ImageRepository { .. } => granted.contains(name.as_str()),
                _ => !task.init_parameters.contains_key(name.as_str()),
            })
            .collect();
    // What each placeholder is mapped to, with where it stands.
    let mut mapped: std::collections::BTreeMap<String, (String, Option<String>)> = parameters
        .values
        .iter()
        .map(|(k, v)| (k.clone(), (v.clone(), None)))
        .collect();
    let names: std::collections::BTreeSet<&str> =
        declared.iter().map(|(n, _)| n.as_str()).collect();
    for (name, (value, from)) in &task.init_parameters {
        // Only what the spec declares: a placeholder no grant uses stays.
        let inputs_declared = value
            .split("<input.")
            .skip(1)
            .filter_map(|rest| rest.split_once('>').map(|(n, _)| n))
            .all(|n| names.contains(n));
        if inputs_declared {
            mapped.insert(name.clone(), (value.clone(), Some(from.clone())));
        }
    }
    let name = spec_name(task, reference);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# ecs-iam role specification for the task definition `{}`.",
        yaml_comment(reference)
    );
    s.push_str(
        "# The roles' grants for its images, secrets, logs, environment files and EFS\n\
         # volumes are derived from it at every render: change the task definition and\n\
         # `ecs-iam diff` shows what the roles gain or lose; `ecs-iam verify` proves\n\
         # that ECS can start each container.\n",
    );
    s.push_str("version: 1\n");
    let _ = writeln!(s, "name: {}", quoted(&name));
    if task.family.is_some() {
        s.pop();
        s.push_str("  # the task definition's family\n");
    }
    if !pins.is_empty() || open_region.is_some() {
        s.push_str("# Where the task definition says it runs:\n");
    }
    if !pins.is_empty() {
        s.push_str("deployment:\n");
    }
    let indent = if pins.is_empty() { "" } else { "  " };
    for key in ["partition", "region", "account_id"] {
        if let Some(p) = pins.iter().find(|p| p.key == key) {
            let _ = writeln!(
                s,
                "  {key}: {}  # {} {}",
                quoted(&p.value),
                if p.assumed { "assumed from" } else { "from" },
                yaml_comment(&p.from)
            );
        } else if key == "region"
            && let Some(open) = &open_region
        {
            let _ = writeln!(s, "{indent}# {}", yaml_comment(open));
        }
    }
    if pins.iter().any(|p| p.assumed) {
        s.push_str(
            "  # Only `taskDefinitionArn` says where a task runs; the region above is what\n  \
             # its log, image and FireLens regions suggest. The task role's trust admits\n  \
             # ECS tasks of that region only, so `ecs-iam verify` does not prove what rests\n  \
             # on it until you confirm it: once the task runs there, remove `assumed`.\n  \
             assumed: [\"region\"]\n",
        );
    }
    s.push_str("task_definitions:\n");
    let _ = writeln!(s, "  - {}", quoted(reference));
    if !mapped.is_empty() {
        s.push_str(if mapped.values().any(|(_, from)| from.is_some()) {
            "# What the template leaves to deploy time, as given to `init`, and what its\n\
             # placeholders stand for:\nparameters:\n"
        } else {
            "# What the template leaves to deploy time, as given to `init`:\nparameters:\n"
        });
        for (name, (value, from)) in &mapped {
            let _ = write!(s, "  {}: {}", quoted(name), quoted(value));
            if let Some(from) = from {
                let _ = write!(s, "  # {}", yaml_comment(from));
            }
            s.push('\n');
        }
    }
    if !declared.is_empty() {
        s.push_str(
            "# What the template leaves to deploy time that its grants use, kept as inputs: each is a\n\
             # parameter of the rendered stack, a variable of the module (`<input.Name>`).\n\
             inputs:\n",
        );
        for (name, source) in &declared {
            let _ = writeln!(s, "  {}:", quoted(name));
            let description = input_description(name, source);
            let _ = writeln!(s, "    description: {}", quoted(&description));
        }
    }
    if needs.is_empty() {
        s.push_str("# The task definition needs nothing from either role.\n");
    } else {
        s.push_str("# What it needs (`ecs-iam explain` shows the grants):\n");
        for n in &needs {
            // Container and secret names, ARNs: the task definition's text.
            let _ = writeln!(
                s,
                "#   {}: {}",
                yaml_comment(&n.origin.field),
                yaml_comment(&describe(&n.grant))
            );
        }
    }
    let role_paths: Vec<Option<String>> = [&task.task_role_arn, &task.execution_role_arn]
        .iter()
        .map(|arn| {
            arn.as_ref()
                .and_then(|f| role_name(&f.value))
                .map(|(p, _)| p)
        })
        .collect();
    if let [Some(a), Some(b)] = role_paths.as_slice()
        && a == b
        && a != "/"
    {
        let _ = writeln!(
            s,
            "path: {}  # from the task definition's role ARNs",
            quoted(a)
        );
    }
    // One role for both, as the console's `ecsTaskExecutionRole` often is.
    let role_of = |f: &Option<super::Field>| f.as_ref().and_then(|f| role_name(&f.value));
    let execution_role_name = role_of(&task.execution_role_arn);
    let shared =
        execution_role_name.is_some() && role_of(&task.task_role_arn) == execution_role_name;
    let mut task_role = if shared {
        String::new()
    } else {
        role(
            task.task_role_arn.as_ref().map(|f| f.value.as_str()),
            "taskRoleArn",
        )
    };
    if shared {
        let shared_name = execution_role_name.map(|(_, n)| n).unwrap_or_default();
        comment(
            &mut task_role,
            &[
                &format!(
                    "The task definition runs with `{shared_name}` as both its task role and its"
                ),
                &format!(
                    "execution role. This task role is rendered apart (`{name}-task`): set the"
                ),
                "task definition's `taskRoleArn` to it; `ecs-iam verify` reports the task",
                "definition until it does.",
            ],
        );
    } else if task.task_role_arn.is_none() {
        comment(
            &mut task_role,
            &[
                "The task definition names no `taskRoleArn`: its containers run without a",
                "task role. This role is rendered, and used once `taskRoleArn` names it.",
            ],
        );
    }
    comment(
        &mut task_role,
        &[
            "What the application itself calls is not in the task definition; grant",
            "it here, e.g.:",
            "s3:",
            "  - bucket: <bucket>",
            "    prefix: <prefix>/",
            "    access: [list, read, write]",
        ],
    );
    section(&mut s, "task_role", &task_role);
    let mut execution_role = role(
        task.execution_role_arn.as_ref().map(|f| f.value.as_str()),
        "executionRoleArn",
    );
    let injects = needs
        .iter()
        .any(|n| matches!(n.grant, Grant::Secret { .. } | Grant::Parameter { .. }));
    if injects {
        comment(
            &mut execution_role,
            &[
                "A secret or SecureString parameter above encrypted with a customer",
                "managed KMS key needs that key too (not the AWS managed key):",
                "kms_keys:",
                "  - arn:<partition>:kms:<region>:<account_id>:key/<key-id>",
            ],
        );
    }
    section(&mut s, "execution_role", &execution_role);
    Ok(s)
}

/// One value `init` pins in `deployment`, with the field it comes from.
struct Pin {
    key: &'static str,
    value: String,
    from: String,
    /// Only suggested by the task definition (a log, image or FireLens
    /// region), not seen: written with `deployment.assumed`.
    assumed: bool,
}

/// What `init` writes under `deployment`.
struct Deployment {
    pins: Vec<Pin>,
    /// Why the region is left to deploy time when the task definition's
    /// regions disagree.
    open_region: Option<String>,
}

/// The deployment the task definition's own values name, each with the
/// field it comes from: the partition the role ARNs, `taskDefinitionArn`
/// and ECR hosts agree on; the account of the roles and
/// `taskDefinitionArn` (never of images). The region where a task runs is
/// seen only in `taskDefinitionArn`; without it, the regions of the awslogs
/// options, the ECR images and the FireLens outputs suggest one when they
/// agree, pinned as an assumption. A key whose sources disagree is left to
/// deploy time.
fn deployment(task: &TaskDefinition) -> Deployment {
    let env = Env::default();
    let mut partitions: Vec<(String, String)> = Vec::new();
    let mut accounts: Vec<(String, String)> = Vec::new();
    let mut regions: Vec<(String, String)> = Vec::new();
    for f in [&task.arn, &task.task_role_arn, &task.execution_role_arn]
        .into_iter()
        .flatten()
    {
        let parts: Vec<&str> = f.value.splitn(6, ':').collect();
        if parts.len() != 6 || parts[0] != "arn" {
            continue;
        }
        if crate::arn::Partition::parse(parts[1]).is_ok() {
            partitions.push((parts[1].to_owned(), f.path.clone()));
        }
        if crate::arn::is_account_id(parts[4]) {
            accounts.push((parts[4].to_owned(), f.path.clone()));
        }
        if crate::arn::is_region(parts[3]) {
            regions.push((parts[3].to_owned(), f.path.clone()));
        }
    }
    // Logs may go to another region, images be pulled from one (AWS's
    // sidecars are published in each region, but a task may pull any), a
    // log router write to one: hints at the task's region, no more.
    let mut hints = Vec::new();
    let mut image_hints = Vec::new();
    for c in &task.containers {
        if let Some(image) = &c.image
            && let Ok(Some(repo)) = ecr_repository(image, &env)
        {
            if let Some(p) = repo.partition {
                partitions.push((p.as_str().to_owned(), image.path.clone()));
            }
            if crate::arn::is_region(&repo.region) {
                image_hints.push((repo.region.clone(), image.path.clone()));
            }
        }
        if let Some(log) = &c.log {
            let region = match log.driver.value.as_str() {
                "awslogs" => log.option("awslogs-region"),
                "awsfirelens" => log.option_ignoring_case("region"),
                _ => None,
            };
            if let Some(r) = region
                && crate::arn::is_region(&r.value)
            {
                hints.push((r.value.clone(), r.path.clone()));
            }
        }
    }
    // When they agree, the comment names a log option before an image.
    hints.extend(image_hints);
    let agreed = |values: &[(String, String)]| -> Option<(String, String)> {
        let first = values.first()?;
        values
            .iter()
            .all(|(v, _)| *v == first.0)
            .then(|| first.clone())
    };
    let pin = |key, (value, from): (String, String), assumed| Pin {
        key,
        value,
        from,
        assumed,
    };
    let mut pins = Vec::new();
    if let Some(p) = agreed(&partitions) {
        pins.push(pin("partition", p, false));
    }
    let mut open_region = None;
    if !regions.is_empty() {
        if let Some(r) = agreed(&regions) {
            pins.push(pin("region", r, false));
        }
    } else if let Some((region, from)) = agreed(&hints) {
        let more = hints.len() - 1;
        let from = if more == 0 {
            from
        } else {
            format!("{from} and {more} more")
        };
        pins.push(pin("region", (region, from), true));
    } else if !hints.is_empty() {
        let mut seen: Vec<(&str, &str)> = Vec::new();
        for (r, from) in &hints {
            if !seen.iter().any(|(s, _)| s == r) {
                seen.push((r, from));
            }
        }
        let listed: Vec<String> = seen
            .iter()
            .map(|(r, from)| format!("{r} from {from}"))
            .collect();
        open_region = Some(format!(
            "region: left to deploy time; the task definition's regions disagree ({}), and only `taskDefinitionArn` says where a task runs",
            listed.join(", ")
        ));
    }
    // Images are not asked: sidecars are pulled from AWS's own accounts
    // (aws-for-fluent-bit, App Mesh's Envoy), applications from shared
    // registries; a wrong account would make the task role's trust
    // conditions refuse every task.
    if let Some(a) = agreed(&accounts) {
        pins.push(pin("account_id", a, false));
    }
    Deployment { pins, open_region }
}

/// `name:` under a role, from the task definition's role ARN.
fn role(arn: Option<&str>, field: &str) -> String {
    arn.and_then(role_name)
        .map(|(_, name)| format!("  name: {}  # from {field}\n", quoted(&name)))
        .unwrap_or_default()
}

/// Comment lines inside a role's section.
fn comment(s: &mut String, lines: &[&str]) {
    for l in lines {
        let _ = writeln!(s, "  # {}", yaml_comment(l));
    }
}

/// A top-level mapping; `{}` when its body is only comments.
fn section(s: &mut String, key: &str, body: &str) {
    let only_comments = body.lines().all(|l| l.trim_start().starts_with('#'));
    if only_comments {
        let _ = writeln!(s, "{key}: {{}}");
    } else {
        let _ = writeln!(s, "{key}:");
    }
    s.push_str(body);
}

/// The path and name of a role ARN (`arn:aws:iam::1:role/ops/x` →
/// `/ops/`, `x`).
fn role_name(arn: &str) -> Option<(String, String)> {
    let (path, name) = super::role_path_and_name(arn.splitn(6, ':').nth(5)?)?;
    (!name.is_empty() && !name.contains('<')).then(|| (path, name.to_owned()))
}

/// The family, or the file's stem, as a spec name.
fn spec_name(task: &TaskDefinition, reference: &str) -> String {
    let raw = task.family.as_ref().map_or_else(
        || {
            let file = reference.rsplit(['/', '\\']).next().unwrap_or(reference);
            file.split('.').next().unwrap_or(file).to_owned()
        },
        |f| f.value.clone(),
    );
    let name: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if name.trim_matches('-').is_empty() {
        "workload".to_owned()
    } else {
        name
    }
}

/// A YAML double-quoted scalar.
fn quoted(value: &str) -> String {
    crate::escape::yaml_scalar(value)
}

fn describe(g: &Grant) -> String {
    match g {
        Grant::EcrPull { repository } => format!("pull from ECR repository {repository}"),
        Grant::EcrImport { prefix, create, .. } => format!(
            "import through the pull-through cache {prefix}{}",
            if *create { " (creating it)" } else { "" }
        ),
        Grant::Secret { arn } => format!("read secret {arn}"),
        Grant::Parameter { arn } => format!("read parameter {arn}"),
        Grant::Logs { group, create } => format!(
            "write log streams of {group}{}",
            if *create { " (creating the group)" } else { "" }
        ),
        Grant::EnvironmentFile { object, .. } => format!("read environment file {object}"),
        Grant::FirelensConfig { object, .. } => {
            format!("read the FireLens configuration file {object}")
        }
        Grant::FirelensDestination(d) => match d {
            Destination::Logs { group, create } => format!(
                "task role: the log router writes to {group}{}",
                if *create { " (creating the group)" } else { "" }
            ),
            Destination::Firehose { stream } | Destination::Kinesis { stream } => {
                format!("task role: the log router writes to {stream}")
            }
            Destination::S3 { objects } => {
                format!("task role: the log router writes {objects}")
            }
        },
        Grant::Efs {
            file_system,
            access_point,
            write,
        } => format!(
            "task role mounts {file_system}{}{}",
            if *write { " read-write" } else { " read-only" },
            access_point
                .as_ref()
                .map(|a| format!(" through {a}"))
                .unwrap_or_default()
        ),
    }
}

/// Where the task definition holds what [`starter`] wrote as the spec's
/// `field` (`task_role.name`, `path`, ...), and what to call it: the role
/// ARN a role's name or path came from; else the task definition itself.
#[must_use]
pub fn source_of(task: &TaskDefinition, reference: &str, field: &str) -> (Location, String) {
    let arn = if field.starts_with("execution_role") {
        task.execution_role_arn.as_ref()
    } else if field.starts_with("task_role") || field == "path" {
        task.task_role_arn.as_ref()
    } else {
        None
    };
    if let Some(f) = arn {
        return (f.at.clone(), format!("`{}`", f.path));
    }
    let at = [&task.family, &task.arn]
        .into_iter()
        .flatten()
        .next()
        .map_or_else(
            || Location {
                file: reference
                    .rsplit_once('#')
                    .map_or(reference, |(f, _)| f)
                    .into(),
                line: 1,
                column: 1,
            },
            |f| f.at.clone(),
        );
    (at, "the task definition".to_owned())
}

/// `e` with each value that is a template placeholder's input as a whole
/// (`"valueFrom": "${db_password_arn}"`) told as that placeholder, whose
/// mapping the user writes.
fn whole_value_placeholders(e: Error, task: &TaskDefinition) -> Error {
    let one = |e: Error| match e {
        Error::Invalid { at, field, problem } => {
            let problem = match *problem {
                crate::error::Problem::WholeValueInput { name } => {
                    match task.input_parameters.get(&name) {
                        Some(super::InputSource::Placeholder { name, written, .. }) => {
                            crate::error::Problem::WholeValuePlaceholder {
                                written: written.clone(),
                                name: name.clone(),
                            }
                        }
                        _ => crate::error::Problem::WholeValueInput { name },
                    }
                }
                other => other,
            };
            Error::Invalid {
                at,
                field,
                problem: Box::new(problem),
            }
        }
        other => other,
    };
    match e {
        Error::Several(errors) => Error::Several(errors.into_iter().map(one).collect()),
        other => one(other),
    }
}

/// How `init` describes an input it declares for a template's deploy-time
/// value.
#[must_use]
pub fn input_description(name: &str, source: &super::InputSource) -> String {
    match source {
        super::InputSource::Stack => {
            format!("The {name} of the stack the template is deployed as (`AWS::{name}`)")
        }
        super::InputSource::Parameter { default: Some(d) } => {
            format!("The template parameter {name} (its Default is `{d}`)")
        }
        super::InputSource::Parameter { default: None } => {
            format!("The template parameter {name}")
        }
        super::InputSource::Placeholder { name, at, .. } => {
            format!("What the task definition template's placeholder {name} stands for ({at})")
        }
        super::InputSource::Given { of } => {
            format!("{name}, in the value given for {of}")
        }
        super::InputSource::ImageRepository { of, .. } => format!(
            "The name of the ECR repository (in this account and region) of the image {of} stands for"
        ),
    }
}
