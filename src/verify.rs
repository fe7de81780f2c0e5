//! `ecs-iam verify`: the calls ECS makes with the roles to start each
//! container of the task definitions, evaluated against the rendered
//! policies (`evaluate`), and the execution role's grants no task
//! definition needs.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::json;

use crate::error::{Error, Location};
use crate::escape;
use crate::evaluate::{Decision, PolicyStatement, Request, decide, role_policies};
use crate::model::{Model, RoleKind, guardduty};
use crate::sarif;
use crate::spec;
use crate::task_definition::TaskDefinition;
use crate::task_definition::needs::{Destination, Grant, Need};

/// A request as decided once: role, action, resource, context.
type RequestKey = (RoleKind, String, String, BTreeMap<String, Vec<String>>);

/// One call ECS (or the ECS agent) makes with a role while starting a task.
#[derive(Debug, Clone, Serialize)]
pub struct Call {
    /// Which role makes it.
    #[serde(serialize_with = "role_key")]
    pub role: RoleKind,
    pub request: CallRequest,
    /// What ECS reports when the call is denied.
    pub error: &'static str,
    /// Whether a denial stops the task from starting; `false` for the
    /// FireLens log router's writes, which lose the logs instead.
    pub stops_task: bool,
}

/// The request of a [`Call`].
#[derive(Debug, Clone, Serialize)]
pub struct CallRequest {
    pub action: String,
    pub resource: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub context: BTreeMap<String, Vec<String>>,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's signature
fn role_key<S: serde::Serializer>(r: &RoleKind, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(r.key())
}

/// A stand-in for the six characters Secrets Manager appends to a secret's
/// name, for a secret the task definition names by partial ARN.
const SECRET_SUFFIX: &str = "AbC123";
/// A stand-in for a task id in a log stream's name.
const TASK_ID: &str = "0123456789abcdef0123456789abcdef";

const PULL_AUTH: &str = "ResourceInitializationError: unable to pull secrets or registry auth: unable to retrieve ecr registry auth (AccessDeniedException)";
const PULL: &str = "CannotPullContainerError: pull access denied (AccessDeniedException)";
const SECRET: &str = "ResourceInitializationError: unable to pull secrets or registry auth: unable to retrieve secret from asm (AccessDeniedException)";
const PARAMETER: &str = "ResourceInitializationError: unable to pull secrets or registry auth: unable to retrieve secrets from ssm (AccessDeniedException)";
const LOGS: &str =
    "CannotStartContainerError: failed to initialize logging driver (AccessDeniedException)";
const ENV_FILE: &str = "ResourceInitializationError: failed to download env files (AccessDenied)";
const EFS: &str = "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes (access denied by server)";
const FIRELENS_CONFIG: &str =
    "the log router cannot fetch its configuration file from S3 (AccessDenied)";
const FIRELENS_LOST: &str = "the log router's writes are refused (AccessDenied) and every log line sent there is lost, silently";

/// The calls a need makes ECS issue. `network` holds the request context
/// of the image pulls the spec declares (`aws:SourceVpc`,
/// `aws:SourceVpce`).
#[must_use]
pub fn calls(need: &Need, network: &BTreeMap<String, Vec<String>>) -> Vec<Call> {
    let call = |role, action: &str, resource: String, error| Call {
        role,
        request: CallRequest {
            action: action.to_owned(),
            resource,
            context: BTreeMap::new(),
        },
        error,
        stops_task: true,
    };
    // The log router's writes: a denial loses the logs, the task runs on.
    let write = |action: &str, resource: String| Call {
        stops_task: false,
        ..call(RoleKind::Task, action, resource, FIRELENS_LOST)
    };
    let execution = RoleKind::Execution;
    match &need.grant {
        Grant::EcrPull { repository } => {
            let repo = repository.to_string();
            let mut out = vec![call(
                execution,
                "ecr:GetAuthorizationToken",
                "*".to_owned(),
                PULL_AUTH,
            )];
            for action in [
                "ecr:BatchCheckLayerAvailability",
                "ecr:GetDownloadUrlForLayer",
                "ecr:BatchGetImage",
            ] {
                let mut c = call(execution, action, repo.clone(), PULL);
                c.request.context.clone_from(network);
                out.push(c);
            }
            out
        }
        Grant::EcrImport {
            repository, create, ..
        } => {
            let mut out = vec![call(
                execution,
                "ecr:BatchImportUpstreamImage",
                repository.to_string(),
                PULL,
            )];
            if *create {
                out.push(call(
                    execution,
                    "ecr:CreateRepository",
                    repository.to_string(),
                    PULL,
                ));
            }
            out
        }
        Grant::Secret { arn } => {
            let arn = arn.to_string();
            let concrete = arn
                .strip_suffix("??????")
                .map_or_else(|| arn.clone(), |a| format!("{a}{SECRET_SUFFIX}"));
            vec![call(
                execution,
                "secretsmanager:GetSecretValue",
                concrete,
                SECRET,
            )]
        }
        Grant::Parameter { arn } => {
            vec![call(
                execution,
                "ssm:GetParameters",
                arn.to_string(),
                PARAMETER,
            )]
        }
        Grant::Logs { group, create } => {
            let group_arn = group.without_streams().to_string();
            let container = need.origin.container.as_deref().unwrap_or("container");
            let stream = format!("{group_arn}:log-stream:ecs/{container}/{TASK_ID}");
            let mut out = Vec::new();
            if *create {
                // The ECS agent asks for the group with an empty stream
                // name, as its AccessDenied messages show.
                out.push(call(
                    execution,
                    "logs:CreateLogGroup",
                    format!("{group_arn}:log-stream:"),
                    LOGS,
                ));
            }
            out.push(call(
                execution,
                "logs:CreateLogStream",
                stream.clone(),
                LOGS,
            ));
            out.push(call(execution, "logs:PutLogEvents", stream, LOGS));
            out
        }
        Grant::EnvironmentFile { object, bucket } => vec![
            call(
                execution,
                "s3:GetBucketLocation",
                bucket.to_string(),
                ENV_FILE,
            ),
            call(execution, "s3:GetObject", object.to_string(), ENV_FILE),
        ],
        Grant::FirelensConfig { object, bucket } => vec![
            call(
                execution,
                "s3:GetBucketLocation",
                bucket.to_string(),
                FIRELENS_CONFIG,
            ),
            call(
                execution,
                "s3:GetObject",
                object.to_string(),
                FIRELENS_CONFIG,
            ),
        ],
        Grant::FirelensDestination(d) => match d {
            Destination::Logs { group, create } => {
                let group_arn = group.without_streams().to_string();
                let stream = format!("{group_arn}:log-stream:{TASK_ID}");
                let mut out = Vec::new();
                if *create {
                    out.push(write(
                        "logs:CreateLogGroup",
                        format!("{group_arn}:log-stream:"),
                    ));
                }
                out.push(write("logs:CreateLogStream", stream.clone()));
                out.push(write("logs:PutLogEvents", stream));
                out
            }
            Destination::Firehose { stream } => {
                vec![write("firehose:PutRecordBatch", stream.to_string())]
            }
            Destination::Kinesis { stream } => {
                vec![write("kinesis:PutRecords", stream.to_string())]
            }
            Destination::S3 { objects } => {
                let objects = objects.to_string();
                let key = objects
                    .strip_suffix('*')
                    .map_or_else(|| objects.clone(), |p| format!("{p}{TASK_ID}.log"));
                vec![write("s3:PutObject", key)]
            }
        },
        Grant::Efs {
            file_system,
            access_point,
            write,
        } => {
            let mut context = BTreeMap::new();
            if let Some(ap) = access_point {
                context.insert(
                    "elasticfilesystem:AccessPointArn".to_owned(),
                    vec![ap.to_string()],
                );
            }
            let mut actions = vec!["elasticfilesystem:ClientMount"];
            if *write {
                actions.push("elasticfilesystem:ClientWrite");
            }
            actions
                .into_iter()
                .map(|a| {
                    let mut c = call(RoleKind::Task, a, file_system.to_string(), EFS);
                    c.request.context.clone_from(&context);
                    c
                })
                .collect()
        }
    }
}

/// A call the roles do not allow.
#[derive(Debug, Clone, Serialize)]
pub struct Missing {
    /// The task definition field that makes ECS call.
    pub at: Location,
    pub file: String,
    pub field: String,
    pub container: Option<String>,
    #[serde(flatten)]
    pub call: Call,
    /// `implicit` (nothing allows it), `boundary` (outside the permissions
    /// boundary) or `denied` (a `Deny` statement).
    pub why: String,
}

/// A grant of the execution role that no call needs.
#[derive(Debug, Clone, Serialize)]
pub struct Unused {
    /// Where the field stands: in the task definition for a grant derived
    /// from one, else in the spec.
    pub at: Location,
    /// The field the grant comes from: a task definition field (ECS API
    /// names) or a spec field.
    pub field: String,
    pub sid: String,
    pub actions: Vec<String>,
    pub resource: String,
}

/// A role the task definition runs with that is not the role the spec
/// renders, or a call no role can make.
#[derive(Debug, Clone, Serialize)]
pub struct RoleFinding {
    pub at: Location,
    pub field: String,
    pub message: String,
}

/// Something in a task definition ecs-iam could not see through.
#[derive(Debug, Clone, Serialize)]
pub struct Unseen {
    pub at: Location,
    pub message: String,
}

/// What `verify` found.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub spec: String,
    pub task_definitions: Vec<String>,
    pub containers: usize,
    /// Every call evaluated.
    pub calls: usize,
    pub missing: Vec<Missing>,
    pub unused: Vec<Unused>,
    /// Why an answer is not proof: policies whose content ecs-iam does not
    /// know.
    pub unproven: Vec<String>,
    /// Deploy-time values the spec leaves open, taken from the task
    /// definitions' own ARNs: placeholder, value, the field naming it.
    pub assumed: Vec<(String, String, String)>,
    /// Roles the task definitions run with that the spec does not render.
    pub roles: Vec<RoleFinding>,
    /// What ecs-iam could not see in the task definitions, each line with
    /// its position: template placeholders where an AWS value belongs,
    /// fields ECS rejects, FireLens outputs it does not derive.
    pub unseen: Vec<Unseen>,
    /// Fields the ECS API would reject, containers AWS adds to tasks that
    /// the roles do not let ECS pull, and other notes that do not decide
    /// the answer.
    pub notes: Vec<String>,
}

impl Verification {
    /// Whether every call is allowed, as far as ecs-iam can tell.
    #[must_use]
    pub fn proven(&self) -> bool {
        self.missing.is_empty()
            && self.unproven.is_empty()
            && self.roles.is_empty()
            && self.unseen.is_empty()
    }
}

/// Verify a spec's rendered roles against task definitions: the spec's own
/// (`task_definitions:`) or `tasks` given instead.
///
/// # Errors
/// The spec does not build, names no task definition, or a task definition
/// holds a value ECS would not accept. Template placeholders are not
/// errors: the answer is "not proven".
pub fn verify_spec(
    source: &spec::Source,
    tasks: Option<Vec<TaskDefinition>>,
) -> Result<Verification, Error> {
    let model = crate::model::build_despite_placeholders(source)?;
    let tasks = tasks.unwrap_or_else(|| source.task_definitions.clone());
    if tasks.is_empty() {
        return Err(Error::NothingToVerify {
            spec: source.path.clone(),
        });
    }
    let env = crate::model::deployment(source)?;
    let all = crate::task_definition::needs::needs_of_all(
        &tasks,
        &env,
        &source.spec.pull_through_caches(),
    );
    let needs = all.needs;
    let (placeholders, errors): (Vec<Error>, Vec<Error>) =
        all.problems.into_iter().partition(Error::is_placeholder);
    if let Some(e) = Error::several(errors) {
        return Err(e);
    }
    let labels = tasks.iter().map(|t| t.label.clone()).collect();
    let containers = tasks.iter().map(|t| t.containers.len()).sum();
    // What the spec leaves to deploy time, the task definitions' own ARNs
    // may name.
    let mut assumed: Vec<(String, String, String)> = Vec::new();
    for t in &tasks {
        for (placeholder, value, field) in t.deployment() {
            let pinned = match placeholder {
                "<partition>" => env.partition.is_some(),
                "<region>" => env.region.is_some(),
                _ => env.account.is_some(),
            };
            if !pinned && !assumed.iter().any(|(p, ..)| p == placeholder) {
                assumed.push((
                    placeholder.to_owned(),
                    value,
                    format!("{}: {field}", t.label),
                ));
            }
        }
    }
    // GuardDuty adds its agent to Fargate tasks only.
    let fargate = tasks.iter().any(TaskDefinition::may_run_on_fargate);
    let mut v = verify(source, &model, labels, containers, &needs, assumed, fargate);
    v.unseen.extend(
        placeholders
            .iter()
            .flat_map(Error::each)
            .filter_map(|e| match e {
                Error::Invalid { at, field, problem } => Some(Unseen {
                    at: at.clone(),
                    message: format!(
                        "`{field}`: {problem}; not proven: the grant it decides is not derived"
                    ),
                }),
                _ => None,
            }),
    );
    v.roles = role_findings(&tasks, &model, &env, &needs)?;
    v.unseen.extend(assumptions(source, &model, &tasks, &env));
    v.roles.sort_by(|a, b| {
        (&a.at.file, a.at.line, a.at.column).cmp(&(&b.at.file, b.at.line, b.at.column))
    });
    for t in &tasks {
        if !t.names_roles {
            v.notes.push(format!(
                "{}: evaluated as run with the rendered roles: a bare `containerDefinitions` list names no roles (they are set beside it, e.g. `execution_role_arn` of `aws_ecs_task_definition`); set them to the rendered roles' ARNs",
                t.label
            ));
        }
        for w in &t.warnings {
            if w.kind.hides_a_need() {
                v.unseen.push(Unseen {
                    at: w.at.clone(),
                    message: format!("warning: {w}; not proven"),
                });
            } else {
                v.notes.push(format!("{}: warning: {w}", w.at));
            }
        }
        if t.names_roles
            && t.task_role_arn.is_none()
            && t.deploy_time_roles.iter().all(|(f, _)| *f != "taskRoleArn")
            && !needs.iter().any(|n| n.grant.for_task_role())
        {
            v.notes.push(format!(
                "{}: note: the task definition names no `taskRoleArn`, so its containers run without task-role credentials; the rendered task role is used only once `taskRoleArn` names it",
                t.label
            ));
        }
    }
    v.unseen.sort_by(|a, b| {
        (&a.at.file, a.at.line, a.at.column).cmp(&(&b.at.file, b.at.line, b.at.column))
    });
    Ok(v)
}

/// What rests on a value `deployment.assumed` lists, unless a task
/// definition's own ARNs confirm it: the roles' trust conditions (which
/// name the deployment's partition, region and account) and the ARNs the
/// task definitions leave to the deployment (parameters and secrets by
/// name, awslogs without `awslogs-region`). None of it is proven.
fn assumptions(
    source: &spec::Source,
    model: &Model,
    tasks: &[TaskDefinition],
    env: &crate::arn::Env,
) -> Vec<Unseen> {
    let deployment = &source.spec.deployment;
    let mut keys = deployment.assumed.clone();
    keys.sort();
    keys.dedup();
    let mut out = Vec::new();
    for key in keys {
        let Some(value) = deployment.pinned(key) else {
            continue;
        };
        let seen = tasks.iter().any(|t| {
            t.deployment()
                .iter()
                .any(|(p, v, _)| *p == key.placeholder() && v == value)
        });
        if seen {
            continue;
        }
        let mut rests = Vec::new();
        for role in model
            .roles
            .iter()
            .filter(|r| tasks.iter().any(|t| runs_with(t, r.kind)))
        {
            let conditions: Vec<String> = role
                .trust
                .iter()
                .flat_map(|st| &st.conditions)
                .flat_map(|g| &g.entries)
                .filter_map(|e| {
                    let values: Vec<String> = e.values.iter().map(ToString::to_string).collect();
                    values
                        .iter()
                        .any(|v| v.contains(value))
                        .then(|| format!("`{}` `{}`", e.variable, values.join("`, `")))
                })
                .collect();
            if !conditions.is_empty() {
                rests.push(format!(
                    "the {}'s trust ({})",
                    role.kind.title(),
                    conditions.join(", ")
                ));
            }
        }
        let mut open = env.clone();
        match key {
            spec::DeploymentKey::Partition => open.partition = None,
            spec::DeploymentKey::Region => open.region = None,
            spec::DeploymentKey::AccountId => open.account = None,
        }
        let mut fields: Vec<String> = Vec::new();
        let needs = crate::task_definition::needs::needs_of_all(
            tasks,
            &open,
            &source.spec.pull_through_caches(),
        );
        for need in &needs.needs {
            let field = format!("`{}`", need.origin.field);
            if !fields.contains(&field)
                && calls(need, &BTreeMap::new())
                    .iter()
                    .any(|c| c.request.resource.contains(key.placeholder()))
            {
                fields.push(field);
            }
        }
        if !fields.is_empty() {
            rests.push(format!(
                "the {} of {}",
                if fields.len() == 1 { "ARN" } else { "ARNs" },
                fields.join(", ")
            ));
        }
        if rests.is_empty() {
            continue;
        }
        let field = format!("deployment.{}", key.as_str());
        let (seen_by, runs) = match key {
            spec::DeploymentKey::Region => (
                "only a `taskDefinitionArn` says where a task runs",
                format!("the task runs in `{value}`"),
            ),
            spec::DeploymentKey::AccountId => (
                "only the role ARNs and `taskDefinitionArn` say which account a task runs in",
                format!("the task runs in account `{value}`"),
            ),
            spec::DeploymentKey::Partition => (
                "only the role ARNs and `taskDefinitionArn` say which partition a task runs in",
                format!("the task runs in partition `{value}`"),
            ),
        };
        out.push(Unseen {
            at: spec_field(source, &field),
            message: format!(
                "{field}: `{value}` is assumed (`deployment.assumed`), not seen: {seen_by}, and {} {} on it; not proven: once {runs}, remove `{}` from `deployment.assumed`",
                rests.join(" and "),
                if rests.len() == 1 { "rests" } else { "rest" },
                key.as_str()
            ),
        });
    }
    out
}

/// Whether the task definition may run with the role of that kind: it
/// names one (literally or at deploy time), or names none at all (a bare
/// `containerDefinitions` list, whose roles are set beside it). A role no
/// task runs with is assumed by none.
fn runs_with(t: &TaskDefinition, kind: RoleKind) -> bool {
    let (field, api) = match kind {
        RoleKind::Task => (&t.task_role_arn, "taskRoleArn"),
        RoleKind::Execution => (&t.execution_role_arn, "executionRoleArn"),
    };
    !t.names_roles || field.is_some() || t.deploy_time_roles.iter().any(|(f, _)| *f == api)
}

/// Task definitions registered in another region than the pinned one:
/// their tasks run there, and a role whose trust names the pinned region
/// (`aws:SourceArn` `arn:<partition>:ecs:<region>:<account>:*`) cannot be
/// assumed for them.
fn trust_findings(
    tasks: &[TaskDefinition],
    model: &Model,
    env: &crate::arn::Env,
) -> Vec<RoleFinding> {
    let Some(pinned) = &env.region else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for t in tasks {
        let Some(arn) = &t.arn else {
            continue;
        };
        let Some(region) = arn
            .value
            .split(':')
            .nth(3)
            .filter(|r| crate::arn::is_region(r) && r != pinned)
        else {
            continue;
        };
        for role in model.roles.iter().filter(|r| runs_with(t, r.kind)) {
            let source_arns: Vec<String> = role
                .trust
                .iter()
                .flat_map(|st| &st.conditions)
                .flat_map(|g| &g.entries)
                .filter(|e| e.variable == "aws:SourceArn")
                .flat_map(|e| e.values.iter().map(ToString::to_string))
                .filter(|v| v.split(':').nth(3) == Some(pinned.as_str()))
                .collect();
            if source_arns.is_empty() {
                continue;
            }
            out.push(RoleFinding {
                at: arn.at.clone(),
                field: "taskDefinitionArn".to_owned(),
                message: format!(
                    "the task definition is registered in `{region}`, where its tasks run; the {}'s trust admits ECS tasks of `{pinned}` only (`aws:SourceArn` `{}`), so ECS cannot assume it for them: pin `deployment.region` to `{region}`",
                    role.kind.title(),
                    source_arns.join("`, `")
                ),
            });
        }
    }
    out
}

/// The roles the task definitions run with, against the roles the model
/// renders.
fn role_findings(
    tasks: &[TaskDefinition],
    model: &Model,
    env: &crate::arn::Env,
    needs: &[Need],
) -> Result<Vec<RoleFinding>, Error> {
    // Several task definitions naming different roles is an error.
    crate::task_definition::roles(tasks)?;
    let mut out = trust_findings(tasks, model, env);
    for t in tasks.iter().filter(|t| t.names_roles) {
        for (kind, field, api) in [
            (RoleKind::Task, &t.task_role_arn, "taskRoleArn"),
            (
                RoleKind::Execution,
                &t.execution_role_arn,
                "executionRoleArn",
            ),
        ] {
            let Some(role) = model.roles.iter().find(|r| r.kind == kind) else {
                continue;
            };
            let rendered =
                crate::task_definition::path_name(role.path.as_deref().unwrap_or("/"), &role.name);
            let needed = needs.iter().any(|n| {
                n.origin.label == t.label && n.grant.for_task_role() == (kind == RoleKind::Task)
            });
            if let Some((_, at)) = t.deploy_time_roles.iter().find(|(f, _)| *f == api) {
                out.push(RoleFinding {
                    at: at.clone(),
                    field: api.to_owned(),
                    message: format!(
                        "`{api}` is set at deploy time, so ecs-iam cannot see that the task runs with the rendered {} `{rendered}`; not proven",
                        kind.title()
                    ),
                });
                continue;
            }
            let Some(f) = field else {
                if needed {
                    out.push(RoleFinding {
                        at: t
                            .role_fields
                            .iter()
                            .find(|(f, _)| *f == api)
                            .map_or_else(
                                || crate::error::Location {
                                    file: t.label.clone().into(),
                                    line: 1,
                                    column: 1,
                                },
                                |(_, at)| at.clone(),
                            ),
                        field: api.to_owned(),
                        message: format!(
                            "the task definition names no `{api}`, so ECS makes the {}'s calls without it (on EC2 with the container instance's role, which ecs-iam cannot see); set `{api}` to the rendered role `{rendered}`",
                            kind.title()
                        ),
                    });
                }
                continue;
            };
            let Some(r) = crate::task_definition::RoleRef::of(f, &t.label) else {
                let what =
                    crate::task_definition::needs::placeholder(&f.value, f.pseudo_parameters)
                        .map_or_else(
                            || "is not a role ARN ecs-iam can read".to_owned(),
                            |syntax| format!("holds a template placeholder ({syntax})"),
                        );
                out.push(RoleFinding {
                    at: f.at.clone(),
                    field: api.to_owned(),
                    message: format!(
                        "`{}` {what}, so ecs-iam cannot see that the task runs with the rendered {} `{rendered}`; not proven",
                        f.value.escape_default(),
                        kind.title()
                    ),
                });
                continue;
            };
            if r.path_name() != rendered {
                out.push(RoleFinding {
                    at: f.at.clone(),
                    field: api.to_owned(),
                    message: format!(
                        "the task definition runs with `{}`; the spec renders `{rendered}` as its {}: {}",
                        r.path_name(),
                        kind.title(),
                        if kind == RoleKind::Task
                            && t.execution_role_arn.as_ref().is_some_and(|e| e.value == f.value)
                        {
                            format!("point `taskRoleArn` at `{rendered}` (the task role and the execution role are distinct)")
                        } else {
                            format!("point `{api}` at `{rendered}`, or name that role in the spec")
                        }
                    ),
                });
                continue;
            }
            if let (Some(found), Some(pinned)) = (&r.partition, env.partition)
                && found != pinned.as_str()
            {
                out.push(RoleFinding {
                    at: f.at.clone(),
                    field: api.to_owned(),
                    message: format!(
                        "the task definition runs with `{}` in partition {found}; the spec deploys its {} to partition {}",
                        r.path_name(),
                        kind.title(),
                        pinned.as_str()
                    ),
                });
                continue;
            }
            if let (Some(found), Some(pinned)) = (&r.account, &env.account)
                && found != pinned
            {
                out.push(RoleFinding {
                    at: f.at.clone(),
                    field: api.to_owned(),
                    message: format!(
                        "the task definition runs with `{}` in account {found}; the spec deploys its {} to account {pinned}",
                        r.path_name(),
                        kind.title()
                    ),
                });
            }
        }
    }
    Ok(out)
}

/// Evaluate every call the needs make against the model's roles.
#[must_use]
fn verify(
    source: &spec::Source,
    model: &Model,
    labels: Vec<String>,
    containers: usize,
    needs: &[Need],
    assumed: Vec<(String, String, String)>,
    fargate: bool,
) -> Verification {
    let fill = |text: &str| -> String {
        let mut t = text.to_owned();
        for (placeholder, value, _) in &assumed {
            t = t.replace(placeholder.as_str(), value);
        }
        t
    };
    let mut network = BTreeMap::new();
    let ecr = &source.spec.execution_role.ecr;
    if let Some(v) = &ecr.source_vpc {
        network.insert("aws:SourceVpc".to_owned(), vec![v.clone()]);
    }
    if let Some(v) = &ecr.source_vpce {
        network.insert("aws:SourceVpce".to_owned(), vec![v.clone()]);
    }
    let policies: Vec<(RoleKind, crate::evaluate::RolePolicies)> = model
        .roles
        .iter()
        .map(|r| {
            let mut p = role_policies(r);
            for st in &mut p.statements {
                for r in &mut st.resources {
                    *r = fill(r);
                }
                for c in &mut st.conditions {
                    for v in &mut c.values {
                        *v = fill(v);
                    }
                }
            }
            (r.kind, p)
        })
        .collect();
    let of = |kind: RoleKind| policies.iter().find(|(k, _)| *k == kind).map(|(_, p)| p);
    let mut out = Verification {
        spec: escape::path(&source.path),
        task_definitions: labels,
        containers,
        calls: 0,
        missing: Vec::new(),
        unused: Vec::new(),
        unproven: Vec::new(),
        assumed: Vec::new(),
        roles: Vec::new(),
        unseen: Vec::new(),
        notes: Vec::new(),
    };
    // Many calls repeat (one secret under several JSON keys, the ECR token
    // of every container): each distinct request is decided once.
    let mut decided: BTreeMap<RequestKey, Decision> = BTreeMap::new();
    let mut all_calls: Vec<(Call, Request)> = Vec::new();
    let mut elsewhere: BTreeMap<RoleKind, usize> = BTreeMap::new();
    for need in needs {
        for mut call in calls(need, &network) {
            call.request.resource = fill(&call.request.resource);
            for values in call.request.context.values_mut() {
                for v in values {
                    *v = fill(v);
                }
            }
            if model.unmanaged.iter().any(|u| u.kind == call.role) {
                // What a role managed elsewhere allows is not in the spec:
                // its calls are counted apart.
                *elsewhere.entry(call.role).or_default() += 1;
                continue;
            }
            out.calls += 1;
            let Some(p) = of(call.role) else {
                // A role the model does not render allows nothing.
                out.missing.push(Missing {
                    at: need.at.clone(),
                    file: need.origin.label.clone(),
                    field: need.origin.field.clone(),
                    container: need.origin.container.clone(),
                    call,
                    why: "the spec renders no such role".to_owned(),
                });
                continue;
            };
            let request = Request {
                action: call.request.action.clone(),
                resource: call.request.resource.clone(),
                context: call.request.context.clone(),
            };
            let key = (
                call.role,
                request.action.clone(),
                request.resource.clone(),
                request.context.clone(),
            );
            let first = !decided.contains_key(&key);
            let decision = decided
                .entry(key)
                .or_insert_with(|| decide(&p.statements, None, &request))
                .clone();
            // A call on a value left to an input: a grant written with the
            // same input proves it for every value; a refusal, or a Deny a
            // value might meet, proves nothing.
            let mut inputs = inputs_of(&request);
            if decision_is_implicit(&decision) {
                inputs.extend(granted_inputs(&p.statements, &request));
                inputs.sort();
                inputs.dedup();
            }
            let allowed = denial(&decision).is_none();
            if !inputs.is_empty()
                && (decision_is_implicit(&decision)
                    || (allowed && deny_might_apply(&p.statements, &request))
                    || (allowed && !allowed_for_every_value(&p.statements, &request, &inputs)))
            {
                if first {
                    out.unseen.push(Unseen {
                        at: need.at.clone(),
                        message: format!(
                            "{}: whether the {} allows {} on {} depends on the value of {}, which ecs-iam cannot know: write the same input in the spec's grant and in the task definition, or give the value; not proven",
                            need.origin.field,
                            call.role.title(),
                            request.action,
                            request.resource,
                            list_inputs(&inputs, |i| format!("the input `{i}`")),
                        ),
                    });
                    all_calls.push((call, request));
                }
                continue;
            }
            let why = denial(&decision);
            if let Some(why) = why {
                let why = if decision_is_implicit(&decision) && !p.unknown_managed.is_empty() {
                    format!(
                        "{why} (managed {} {}, whose content ecs-iam does not know, might)",
                        if p.unknown_managed.len() == 1 {
                            "policy"
                        } else {
                            "policies"
                        },
                        p.unknown_managed.join(", ")
                    )
                } else {
                    why
                };
                out.missing.push(Missing {
                    at: need.at.clone(),
                    file: need.origin.label.clone(),
                    field: match &need.origin.condition {
                        Some(c) => format!("{} ({c})", need.origin.field),
                        None => need.origin.field.clone(),
                    },
                    container: need.origin.container.clone(),
                    call: call.clone(),
                    why,
                });
            }
            if first {
                all_calls.push((call, request));
            }
        }
    }
    for (kind, calls) in &elsewhere {
        out.unproven.push(format!(
            "the {} is managed elsewhere (`{}.managed: false`), so ecs-iam cannot see what it allows: {calls} {} ECS makes with it {} not proven",
            kind.title(),
            kind.spec_field(),
            if *calls == 1 { "call" } else { "calls" },
            if *calls == 1 { "is" } else { "are" },
        ));
    }
    // The GuardDuty agent, when the spec lets ECS pull it: the same calls
    // as an image of the task definitions, decided once (every task pulls
    // the same image).
    let agent = source
        .spec
        .execution_role
        .guardduty_agent
        .then_some(source.spec.deployment.region.as_deref())
        .flatten()
        .and_then(guardduty::agent_repository)
        .map(|t| t.to_string());
    if let (Some(repository), Some(p)) = (&agent, of(RoleKind::Execution)) {
        let spec_at = spec_field(source, "execution_role.guardduty_agent");
        for call in agent_calls(repository) {
            out.calls += 1;
            let request = Request {
                action: call.request.action.clone(),
                resource: call.request.resource.clone(),
                context: BTreeMap::new(),
            };
            let why = denial(&decide(&p.statements, None, &request));
            if let Some(why) = why {
                out.missing.push(Missing {
                    at: spec_at.clone(),
                    file: out.spec.clone(),
                    field: "execution_role.guardduty_agent".to_owned(),
                    container: None,
                    call: call.clone(),
                    why,
                });
            }
            all_calls.push((call, request));
        }
    } else if !source.spec.execution_role.guardduty_agent
        && fargate
        && let Some(p) = of(RoleKind::Execution)
        && !agent_allowed(&p.statements, &assumed, source)
    {
        out.notes.push(format!(
            "{}: note: `execution_role.guardduty_agent` is not set: where GuardDuty manages its Runtime Monitoring agent automatically, ECS adds the agent to new Fargate tasks and pulls it with the task execution role from AWS's `{}` repository, which this role does not allow, so those tasks fail with CannotPullContainerError; set it to `true` for such accounts",
            out.spec,
            guardduty::AGENT_REPOSITORY
        ));
    }
    for (kind, p) in &policies {
        let needed = all_calls.iter().any(|(c, _)| c.role == *kind);
        if let Some(b) = &p.boundary
            && needed
        {
            out.unproven.push(format!(
                "the {} has the permissions boundary {b}, whose content ecs-iam does not know: it may deny what the policies allow",
                kind.title()
            ));
        }
        for m in p.unknown_managed.iter().filter(|_| needed) {
            out.unproven.push(format!(
                "the {} attaches the managed policy {m}, whose content ecs-iam does not know: it may deny what the policies allow",
                kind.title()
            ));
        }
    }
    // Grants of the execution role no call needs. KMS keys are left out:
    // which key encrypts a secret is not in the task definition.
    let Some(role) = model.roles.iter().find(|r| r.kind == RoleKind::Execution) else {
        out.assumed = assumed;
        return out;
    };
    for st in role.permission_statements() {
        if st.effect != spec::Effect::Allow || st.actions.iter().all(|a| a.starts_with("kms:")) {
            continue;
        }
        for r in &st.resources {
            let single = PolicyStatement {
                sid: st.sid.clone(),
                effect: st.effect,
                actions: st.actions.clone(),
                resources: vec![fill(&r.to_string())],
                conditions: Vec::new(),
            };
            let used = all_calls.iter().any(|(c, req)| {
                c.role == RoleKind::Execution && crate::evaluate::applies(&single, req)
            });
            if !used {
                // A resource a task definition asked for points at that
                // field; the spec's own at the spec field that grants it.
                let (at, field) = match st.sources.iter().find(|s| s.text == *r) {
                    Some(s) => (s.at.clone(), s.field.clone()),
                    None => (spec_field(source, &st.origin), st.origin.clone()),
                };
                out.unused.push(Unused {
                    at,
                    field,
                    sid: st.sid.clone(),
                    actions: st.actions.clone(),
                    resource: r.to_string(),
                });
            }
        }
    }
    out.assumed = assumed;
    for m in &role.managed_policies {
        out.unused.push(Unused {
            at: spec_field(source, "execution_role.managed_policies"),
            field: "execution_role.managed_policies".to_owned(),
            sid: m.name.clone(),
            actions: vec![format!("(managed policy {})", m.name)],
            resource: m.arn.to_string(),
        });
    }
    out
}

/// The calls ECS makes to pull the GuardDuty agent's image.
fn agent_calls(repository: &str) -> Vec<Call> {
    let call = |action: &str, resource: &str, error| Call {
        role: RoleKind::Execution,
        request: CallRequest {
            action: action.to_owned(),
            resource: resource.to_owned(),
            context: BTreeMap::new(),
        },
        error,
        stops_task: true,
    };
    vec![
        call("ecr:GetAuthorizationToken", "*", PULL_AUTH),
        call("ecr:BatchCheckLayerAvailability", repository, PULL),
        call("ecr:GetDownloadUrlForLayer", repository, PULL),
        call("ecr:BatchGetImage", repository, PULL),
    ]
}

/// Whether the execution role's statements already let ECS pull the agent
/// (a custom statement on `*`, say), in the deployment's region when it is
/// known and listed, else in the user guide's first.
fn agent_allowed(
    statements: &[PolicyStatement],
    assumed: &[(String, String, String)],
    source: &spec::Source,
) -> bool {
    let region = source
        .spec
        .deployment
        .region
        .clone()
        .or_else(|| {
            assumed
                .iter()
                .find(|(p, ..)| p == "<region>")
                .map(|(_, v, _)| v.clone())
        })
        .filter(|r| guardduty::agent_repository(r).is_some())
        .unwrap_or_else(|| guardduty::AGENT_ACCOUNTS[0].0.to_owned());
    let Some(repository) = guardduty::agent_repository(&region) else {
        return false;
    };
    agent_calls(&repository.to_string()).iter().all(|c| {
        let request = Request {
            action: c.request.action.clone(),
            resource: c.request.resource.clone(),
            context: BTreeMap::new(),
        };
        matches!(decide(statements, None, &request), Decision::Allowed { .. })
    })
}

/// Where the spec writes `path`. A grant comes from a field the spec
/// holds; should it not, the file itself is named, not a parent whose line
/// would point at another field.
fn spec_field(source: &spec::Source, path: &str) -> Location {
    source
        .locations
        .get(path)
        .unwrap_or_else(|| source.locations.location(1, 1))
}

/// Why a decision refuses the call; `None` when it allows it.
fn denial(decision: &Decision) -> Option<String> {
    match decision {
        Decision::Allowed { .. } => None,
        Decision::ExplicitDeny { by } => Some(format!("denied by statement `{}`", by.sid)),
        Decision::ImplicitDeny { .. } => Some("no statement allows it".to_owned()),
    }
}

/// The inputs (`<input.Name>`) a request's resource and context values
/// hold, by name.
fn inputs_of(request: &Request) -> Vec<String> {
    let mut out: Vec<String> = std::iter::once(&request.resource)
        .chain(request.context.values().flatten())
        .flat_map(|v| {
            v.split("<input.")
                .skip(1)
                .filter_map(|rest| rest.split_once('>').map(|(name, _)| name.to_owned()))
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The statements of a role with `effect` that name the request's action.
fn naming<'a>(
    statements: &'a [crate::evaluate::PolicyStatement],
    request: &'a Request,
    effect: spec::Effect,
) -> impl Iterator<Item = &'a crate::evaluate::PolicyStatement> {
    statements.iter().filter(move |st| {
        st.effect == effect
            && st
                .actions
                .iter()
                .any(|a| crate::evaluate::action_matches(a, &request.action))
    })
}

/// The inputs in the resources and condition values of the `Allow`
/// statements that name the request's action: a value of theirs might
/// match the request.
fn granted_inputs(
    statements: &[crate::evaluate::PolicyStatement],
    request: &Request,
) -> Vec<String> {
    naming(statements, request, spec::Effect::Allow)
        .flat_map(|st| {
            inputs_of(&Request {
                action: String::new(),
                resource: st.resources.join(" "),
                context: st
                    .conditions
                    .iter()
                    .map(|c| (c.key.clone(), c.values.clone()))
                    .collect(),
            })
        })
        .collect()
}

/// Whether a `Deny` statement of the role names the request's action: on
/// an input's value, which ecs-iam cannot know, it might apply.
fn deny_might_apply(statements: &[crate::evaluate::PolicyStatement], request: &Request) -> bool {
    naming(statements, request, spec::Effect::Deny)
        .next()
        .is_some()
}

/// Whether the statements allow the request whatever values its inputs
/// take: decided again with every `<input.Name>`, in the request and in the
/// statements alike, replaced by each of two probe values of other lengths
/// and characters. A grant written with the same input still matches, and
/// so does a `*`; a pattern that matched only the placeholder's own text
/// (a `?` for each of its characters) fails a probe.
fn allowed_for_every_value(
    statements: &[PolicyStatement],
    request: &Request,
    inputs: &[String],
) -> bool {
    ["v", "probe-value/2"].iter().all(|probe| {
        let fill = |s: &str| {
            inputs.iter().fold(s.to_owned(), |acc, i| {
                acc.replace(&format!("<input.{i}>"), probe)
            })
        };
        let request = Request {
            action: request.action.clone(),
            resource: fill(&request.resource),
            context: request
                .context
                .iter()
                .map(|(k, v)| (k.clone(), v.iter().map(|x| fill(x)).collect()))
                .collect(),
        };
        let statements: Vec<PolicyStatement> = statements
            .iter()
            .map(|st| PolicyStatement {
                resources: st.resources.iter().map(|r| fill(r)).collect(),
                conditions: st
                    .conditions
                    .iter()
                    .map(|c| crate::evaluate::Condition {
                        values: c.values.iter().map(|v| fill(v)).collect(),
                        ..c.clone()
                    })
                    .collect(),
                ..st.clone()
            })
            .collect();
        matches!(
            decide(&statements, None, &request),
            Decision::Allowed { .. }
        )
    })
}

/// `a`, `a and b`, `a, b and c`, each item shown by `show`.
fn list_inputs(names: &[String], show: impl Fn(&str) -> String) -> String {
    let shown: Vec<String> = names.iter().map(|n| show(n)).collect();
    match shown.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => shown.concat(),
    }
}

fn decision_is_implicit(d: &Decision) -> bool {
    matches!(d, Decision::ImplicitDeny { .. })
}

impl Verification {
    /// One line per missing call and unused grant, then the verdict.
    #[must_use]
    pub fn text(&self, strict: bool) -> String {
        let mut s = String::new();
        // Each line quotes what the spec and the task definitions hold
        // (container names, fields, ARNs): escaped, so that no value adds
        // a line or sends a control character to the terminal.
        let mut line = |text: String| {
            s.push_str(&crate::escape::terminal(&text));
            s.push('\n');
        };
        for r in &self.roles {
            line(format!("{}: {}: {}", r.at, r.field, r.message));
        }
        for m in &self.missing {
            let who = m
                .container
                .as_ref()
                .map_or_else(|| "the task".to_owned(), |c| format!("container `{c}`"));
            line(format!(
                "{}: {}: the {} does not allow {} on {} ({}); {}",
                m.at,
                m.field,
                m.call.role.title(),
                m.call.request.action,
                m.call.request.resource,
                m.why,
                if m.call.stops_task {
                    format!("ECS fails to start {who} with {}", m.call.error)
                } else {
                    format!("for {who}, {}", m.call.error)
                }
            ));
        }
        for u in &self.unseen {
            line(format!("{}: {}", u.at, u.message));
        }
        for u in &self.unproven {
            line(format!("{}: not proven: {u}", self.spec));
        }
        for u in &self.unused {
            line(format!(
                "{}: {}: {}: the execution role grants {} on {}, which no task definition needs{}",
                u.at,
                if strict { "error" } else { "warning" },
                u.field,
                u.actions.join(", "),
                u.resource,
                if strict {
                    ""
                } else {
                    " (--strict fails on it)"
                }
            ));
        }
        for n in &self.notes {
            line(n.clone());
        }
        for (placeholder, value, field) in &self.assumed {
            line(format!(
                "{}: evaluated with {placeholder} = {value}, from {field}; pin `deployment` in the spec to decide it",
                self.spec
            ));
        }
        let files = self.task_definitions.join(", ");
        line(format!(
            "{}: {} of {} calls ECS makes to start {} container{} of {files} {}",
            self.spec,
            self.calls - self.missing.len(),
            self.calls,
            self.containers,
            if self.containers == 1 { "" } else { "s" },
            if self.proven() {
                "are allowed".to_owned()
            } else if self.missing.is_empty() && !self.roles.is_empty() {
                "are allowed by the rendered roles, but ecs-iam cannot see that the task runs with them; not proven".to_owned()
            } else if self.missing.is_empty() {
                "are allowed by what ecs-iam can see; not proven".to_owned()
            } else {
                format!("are allowed; {} missing", self.missing.len())
            }
        ));
        s
    }

    /// The JSON report.
    #[must_use]
    pub fn json(&self) -> String {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        v["kind"] = json!("verify");
        v["proven"] = json!(self.proven());
        serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
    }

    /// SARIF 2.1.0: missing calls as errors, unused grants as warnings
    /// (errors with `--strict`), each at its own file's line.
    #[must_use]
    pub fn sarif(&self, strict: bool) -> serde_json::Value {
        let rule = |id: &str, summary: &str, level| sarif::Rule {
            id: id.to_owned(),
            summary: summary.to_owned(),
            help: None,
            level,
        };
        let mut run = sarif::Run {
            rules: vec![
                rule(
                    "missing-permission",
                    "A call ECS makes to start a container is not allowed",
                    "error",
                ),
                rule(
                    "unused-grant",
                    "An execution role grant no task definition needs",
                    "warning",
                ),
                rule(
                    "not-proven",
                    "Something ecs-iam cannot see decides whether the task starts",
                    "error",
                ),
                rule(
                    "role-mismatch",
                    "The task definition runs with another role than the spec renders",
                    "error",
                ),
            ],
            results: Vec::new(),
            invocation: None,
        };
        let mut result = |rule: &str, level, message: String, at: &Location| {
            run.results.push(sarif::Finding {
                rule: rule.to_owned(),
                level,
                message,
                location: at.clone(),
            });
        };
        for m in &self.missing {
            result(
                "missing-permission",
                "error",
                format!(
                    "{}: the {} does not allow {} on {} ({}); ECS fails with {}",
                    m.field,
                    m.call.role.title(),
                    m.call.request.action,
                    m.call.request.resource,
                    m.why,
                    m.call.error
                ),
                &m.at,
            );
        }
        for u in &self.unused {
            result(
                "unused-grant",
                if strict { "error" } else { "warning" },
                format!(
                    "{}: the execution role grants {} on {}, which no task definition needs",
                    u.field,
                    u.actions.join(", "),
                    u.resource
                ),
                &u.at,
            );
        }
        for r in &self.roles {
            result(
                "role-mismatch",
                "error",
                format!("{}: {}", r.field, r.message),
                &r.at,
            );
        }
        for u in &self.unseen {
            result("not-proven", "error", u.message.clone(), &u.at);
        }
        let spec = Location {
            file: self.spec.clone().into(),
            line: 1,
            column: 1,
        };
        for u in &self.unproven {
            result("not-proven", "error", u.clone(), &spec);
        }
        run.invocation = Some(sarif::Invocation {
            exit_code: self.exit_code(strict),
            errors: Vec::new(),
        });
        run.document()
    }

    /// What `verify` exits with: 0 when every call is proven (and, with
    /// `strict`, no grant is unused), 1 otherwise.
    #[must_use]
    pub fn exit_code(&self, strict: bool) -> i32 {
        if self.proven() && (!strict || self.unused.is_empty()) {
            crate::error::EXIT_OK
        } else {
            crate::error::EXIT_DIFFERS
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allow(resource: &str) -> Vec<PolicyStatement> {
        vec![PolicyStatement {
            sid: "A".to_owned(),
            effect: spec::Effect::Allow,
            actions: vec!["logs:PutLogEvents".to_owned()],
            resources: vec![resource.to_owned()],
            conditions: Vec::new(),
        }]
    }

    /// The same input on both sides, or a `*`, allows every value; a `?`
    /// for each character of the placeholder matched only its text.
    #[test]
    fn an_allow_holds_for_every_value_only_when_it_does_not_hang_on_the_placeholder() {
        let request = Request {
            action: "logs:PutLogEvents".to_owned(),
            resource:
                "arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/<input.Stage>:log-stream:s"
                    .to_owned(),
            context: BTreeMap::new(),
        };
        let inputs = ["Stage".to_owned()];
        let same = allow("arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/<input.Stage>:*");
        let star = allow("arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/*");
        let by_length = allow("arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/?????????????:*");
        for statements in [&same, &star, &by_length] {
            assert!(matches!(
                decide(statements, None, &request),
                Decision::Allowed { .. }
            ));
        }
        assert!(allowed_for_every_value(&same, &request, &inputs));
        assert!(allowed_for_every_value(&star, &request, &inputs));
        assert!(!allowed_for_every_value(&by_length, &request, &inputs));
    }
}
