//! ECS task definitions, read from the shapes users have: what
//! `aws ecs describe-task-definition` prints, what
//! `register-task-definition --cli-input-json` takes, a bare
//! `containerDefinitions` list (Terraform's `container_definitions`), and an
//! `AWS::ECS::TaskDefinition` resource of a CloudFormation template.
//!
//! Only the fields that decide what the roles need are read; each keeps its
//! `file:line:column` and its path in the ECS API's own names
//! (`containerDefinitions[app].secrets[DB_PASSWORD]`), whatever the shape.
//! CloudFormation's `Fn::Sub`, `Fn::Join` and `Ref` of the pseudo
//! parameters are resolved to the spec's placeholders (`<partition>`,
//! `<region>`, `<account_id>`); anything known only at deploy time is an
//! error where it is needed. [`needs`] turns what is read into grants.

mod fields;
pub mod needs;
pub mod starter;
pub mod template;
mod terraform;
mod tree;

use std::cell::RefCell;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Location, Problem};

use tree::{Node, Pos, Value};

/// The largest task definition file read (CloudFormation's own limit on a
/// template is 1 MB).
pub const MAX_TASK_DEFINITION_BYTES: u64 = 4 * 1024 * 1024;

/// A task definition, as far as the roles are concerned.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskDefinition {
    /// The file as the spec or the command line names it, for origins.
    pub label: String,
    /// `taskDefinitionArn` (describe-task-definition output only).
    pub arn: Option<Field>,
    pub family: Option<Field>,
    pub task_role_arn: Option<Field>,
    pub execution_role_arn: Option<Field>,
    pub containers: Vec<Container>,
    pub volumes: Vec<Volume>,
    /// Fields the ECS API does not know where they stand, in file order.
    pub warnings: Vec<Warning>,
    /// `taskRoleArn` / `executionRoleArn` fields whose value is known only
    /// at deploy time (a CloudFormation `Ref` or `Fn::GetAtt`).
    pub deploy_time_roles: Vec<(&'static str, Location)>,
    /// Where `taskRoleArn` and `executionRoleArn` are written, a `null`
    /// included; for one the task definition does not write, where its own
    /// mapping starts.
    pub role_fields: Vec<(&'static str, Location)>,
    /// `requiresCompatibilities` (`FARGATE`, `EC2`, `EXTERNAL`), as
    /// written; empty when absent or not literal.
    pub requires_compatibilities: Vec<String>,
    /// `compatibilities`, the launch types ECS found the task definition
    /// fit for when it was registered (describe-task-definition output).
    pub compatibilities: Vec<String>,
    /// `networkMode` as written, `bridge` (ECS's default) when absent;
    /// `None` when known only at deploy time, or for a bare
    /// `containerDefinitions` list.
    pub network_mode: Option<String>,
    /// Whether the shape has role fields: a bare `containerDefinitions`
    /// list (Terraform's `container_definitions`) has none, its roles are
    /// set beside it.
    pub names_roles: bool,
    /// The names of [`Parameters`] its template used.
    pub used_parameters: std::collections::BTreeSet<String>,
    /// What of its template stays an input (`<input.Name>`), by name.
    pub input_parameters: std::collections::BTreeMap<String, InputSource>,
    /// The values `init` writes under `parameters:` for what it keeps as
    /// inputs under another name: a placeholder's variable (`AWS_ACCOUNT_ID:
    /// <input.AwsAccountId>`), a whole image (`IMAGE: <account_id>.dkr.ecr.
    /// <region>.<url_suffix>/<input.ImageRepository>`).
    /// Each with the comment `init` writes beside it (where the placeholder
    /// stands, what is assumed).
    pub init_parameters: std::collections::BTreeMap<String, (String, String)>,
}

/// What of a CloudFormation template an input stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputSource {
    /// A template parameter, with its `Default`.
    Parameter { default: Option<String> },
    /// `AWS::StackName` or `AWS::StackId`.
    Stack,
    /// A placeholder of a task definition template: its variable, as
    /// written, and where it first stands.
    Placeholder {
        name: String,
        written: String,
        at: Location,
    },
    /// The ECR repository of an image that a placeholder or a template
    /// parameter (`of`) stands for as a whole.
    ImageRepository { of: String, at: Location },
    /// An input named in the value given for `of` (`init --parameter
    /// accountId=<input.SecretsAccount>`).
    Given { of: String },
}

/// A field the ECS API would reject: misspelt, or in the wrong place.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    pub at: Location,
    /// The mapping holding it, in ECS API names (`containerDefinitions[app]`).
    pub path: String,
    /// The field as written.
    pub name: String,
    /// What is wrong, and the fix.
    pub kind: WarningKind,
}

/// Why a field is reported.
#[derive(Debug, Clone, PartialEq)]
pub enum WarningKind {
    /// Not a field of this mapping; the closest that is, if any.
    Unknown { suggestion: Option<String> },
    /// A field of another level of the task definition.
    Misplaced { belongs: &'static str },
    /// `valueFrom` in `environment`: ECS injects secrets only from
    /// `secrets`.
    EnvironmentValueFrom,
    /// A field written in another case than the API's (`Secrets`): read as
    /// the field, since some tools accept it.
    Case { api: String },
    /// An `awsfirelens` output that writes to AWS with permissions ecs-iam
    /// does not derive (an OpenSearch or HTTP output with AWS
    /// authentication, a Fluentd output to AWS), or one it does not know;
    /// `fluentd` when the options name it with Fluentd's `@type`.
    FirelensOutput {
        plugin: String,
        known: bool,
        fluentd: bool,
    },
    /// An `awsfirelens` configuration without `Name`: its outputs are in
    /// the log router's configuration file.
    FirelensOutputsInConfig,
    /// A FireLens destination named only at run time (`log_group_template`,
    /// or a name made wholly of record accessors such as `$(tag)`).
    FirelensRunTimeName { option: String },
    /// A `parameters:` entry of the spec no template uses: a misspelt name
    /// leaves the field it meant unresolved.
    UnusedParameter,
}

impl WarningKind {
    /// Whether ecs-iam could not see everything the task needs because of
    /// it: `verify` is then "not proven". A field in another case is read
    /// as the field, so it hides nothing.
    #[must_use]
    pub fn hides_a_need(&self) -> bool {
        !matches!(
            self,
            WarningKind::Case { .. } | WarningKind::UnusedParameter
        )
    }
}

/// The warning without its position, which callers print first
/// (`orders.json:12:7: warning: ...`).
impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let place = if self.path.is_empty() {
            "the task definition".to_owned()
        } else {
            format!("`{}`", self.path)
        };
        match &self.kind {
            WarningKind::Unknown { suggestion } => {
                write!(f, "{place} has no field `{}`; ECS rejects it", self.name)?;
                match suggestion {
                    Some(s) => write!(f, "; did you mean `{s}`?"),
                    None => write!(f, "; remove it"),
                }
            }
            WarningKind::Misplaced { belongs } => write!(
                f,
                "`{}` is not a field of {place}; ECS rejects it: it belongs in {belongs}",
                self.name
            ),
            WarningKind::EnvironmentValueFrom => write!(
                f,
                "{place} has `valueFrom`, which ECS rejects in `environment` (nothing is injected and no grant is derived): move the entry to `secrets`"
            ),
            WarningKind::Case { api } => write!(
                f,
                "{place} writes `{}`, which the ECS API names `{api}`: read as `{api}` (Terraform and ecspresso accept it; the AWS CLI refuses it); write `{api}`",
                self.name
            ),
            WarningKind::FirelensOutput {
                plugin,
                known: true,
                fluentd: false,
            } => write!(
                f,
                "the FireLens output `{plugin}` of {place} authenticates to AWS, with permissions ecs-iam does not derive: grant them in `task_role.statements`"
            ),
            WarningKind::FirelensOutput {
                plugin,
                known: true,
                fluentd: true,
            } => write!(
                f,
                "the Fluentd output `{plugin}` (`@type`) of {place} writes to AWS with the task role, with permissions ecs-iam derives for Fluent Bit's outputs only: grant them in `task_role.firelens` or `task_role.statements`"
            ),
            WarningKind::FirelensOutput {
                plugin,
                known: false,
                fluentd,
            } => write!(
                f,
                "ecs-iam does not know the {} of {place}, nor whether it calls AWS with the task role: if it does, grant that in `task_role.statements`",
                if *fluentd {
                    format!("Fluentd output `{plugin}` (`@type`)")
                } else {
                    format!("FireLens output `{plugin}`")
                }
            ),
            WarningKind::FirelensOutputsInConfig => write!(
                f,
                "{place} routes to FireLens without `Name` (Fluent Bit) or `@type` (Fluentd): its outputs are in the log router's configuration file, which ecs-iam does not read; grant those that write to AWS in `task_role.firelens` or `task_role.statements`"
            ),
            WarningKind::FirelensRunTimeName { option } => write!(
                f,
                "the FireLens output of {place} names its destination at run time (`{option}`), so ecs-iam cannot scope it: grant the destinations in `task_role.firelens`"
            ),
            WarningKind::UnusedParameter => write!(
                f,
                "`{}parameters.{}` is used by no `Ref`, `Fn::GetAtt`, `Fn::Sub` or template placeholder of {}; check its name, or remove it",
                if self.path.is_empty() {
                    String::new()
                } else {
                    format!("{}.", self.path)
                },
                self.name,
                if self.path.is_empty() {
                    "the task definitions"
                } else {
                    "its task definition"
                }
            ),
        }
    }
}

impl TaskDefinition {
    /// Whether ECS may run it on Fargate: `requiresCompatibilities` and
    /// `compatibilities` name `FARGATE` or nothing (ECS then checks at
    /// launch), and the network mode is `awsvpc`, which Fargate requires
    /// (ECS's default is `bridge`), or not known.
    #[must_use]
    pub fn may_run_on_fargate(&self) -> bool {
        let fargate = |launch_types: &[String]| {
            launch_types.is_empty()
                || launch_types
                    .iter()
                    .any(|c| c.eq_ignore_ascii_case("FARGATE"))
        };
        fargate(&self.requires_compatibilities)
            && fargate(&self.compatibilities)
            && self.network_mode.as_deref().is_none_or(|m| m == "awsvpc")
    }

    /// The deployment its own ARNs name: the partition and account of its
    /// roles and of `taskDefinitionArn`, the region of the latter; each
    /// with the field that names it.
    #[must_use]
    pub fn deployment(&self) -> Vec<(&'static str, String, String)> {
        let mut out: Vec<(&'static str, String, String)> = Vec::new();
        for f in [&self.arn, &self.execution_role_arn, &self.task_role_arn]
            .into_iter()
            .flatten()
        {
            let parts: Vec<&str> = f.value.splitn(6, ':').collect();
            if parts.len() != 6 || parts[0] != "arn" {
                continue;
            }
            // Only real values: a placeholder (`${AWS_ACCOUNT_ID}`,
            // `XXXXXXXXXXXX`) names nothing.
            let mut add = |key: &'static str, value: &str, valid: bool| {
                if valid && !out.iter().any(|(k, ..)| *k == key) {
                    out.push((key, value.to_owned(), f.path.clone()));
                }
            };
            add(
                "<partition>",
                parts[1],
                crate::arn::Partition::parse(parts[1]).is_ok(),
            );
            add("<region>", parts[3], crate::arn::is_region(parts[3]));
            add(
                "<account_id>",
                parts[4],
                crate::arn::is_account_id(parts[4]),
            );
        }
        out
    }
}

/// A role a task definition runs with (`taskRoleArn`,
/// `executionRoleArn`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleRef {
    /// `/` or `/a/b/`.
    pub path: String,
    pub name: String,
    /// The ARN's account and partition, when literal.
    pub account: Option<String>,
    pub partition: Option<String>,
    /// The task definition (as the spec names it) and field.
    pub origin: String,
    pub at: Location,
}

impl RoleRef {
    /// The role an ARN field names; `None` for a value that is not a role
    /// ARN with a literal name (a parameter, a bare name).
    #[must_use]
    pub fn of(field: &Field, label: &str) -> Option<RoleRef> {
        let value = field.value.as_str();
        if !value.contains(':') {
            // ECS takes a role's name as well as its ARN.
            let is_name = !value.is_empty()
                && value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
            return is_name.then(|| RoleRef {
                path: "/".to_owned(),
                name: value.to_owned(),
                account: None,
                partition: None,
                origin: format!("{label}: {}", field.path),
                at: field.at.clone(),
            });
        }
        let parts: Vec<&str> = value.splitn(6, ':').collect();
        if parts.len() != 6 || parts[0] != "arn" || parts[2] != "iam" {
            return None;
        }
        let (path, name) = role_path_and_name(parts[5])?;
        // A placeholder where an account, partition or name belongs
        // (`${AWS_ACCOUNT_ID}`, `XXXXXXXXXXXX`) names no role.
        let account = match parts[4] {
            "" | "<account_id>" => None,
            a if crate::arn::is_account_id(a) => Some(a.to_owned()),
            _ => return None,
        };
        let partition = match parts[1] {
            "<partition>" => None,
            p if crate::arn::Partition::parse(p).is_ok() => Some(p.to_owned()),
            _ => return None,
        };
        let is_name = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
        (is_name && !path.contains(['<', '$', '{', '}', '>'])).then(|| RoleRef {
            path,
            name: name.to_owned(),
            account,
            partition,
            origin: format!("{label}: {}", field.path),
            at: field.at.clone(),
        })
    }

    /// The role as messages name it: path and name, and its account when
    /// the ARN gives one (`/ecs/orders-exec` in account 111122223333).
    #[must_use]
    pub fn described(&self) -> String {
        match &self.account {
            Some(a) => format!("{}` in account `{a}", self.path_name()),
            None => self.path_name(),
        }
    }

    /// The role's path and name (`/ecs/orders-exec`; the name alone on
    /// the root path).
    #[must_use]
    pub fn path_name(&self) -> String {
        path_name(&self.path, &self.name)
    }
}

/// A role's path and name (`/ecs/orders-exec`); the name alone on the
/// root path.
#[must_use]
pub fn path_name(path: &str, name: &str) -> String {
    if path == "/" {
        name.to_owned()
    } else {
        format!("{path}{name}")
    }
}

/// The path and name of a role ARN's resource (`role/ops/x` → `/ops/`,
/// `x`).
pub(crate) fn role_path_and_name(resource: &str) -> Option<(String, &str)> {
    let resource = resource.strip_prefix("role/")?;
    Some(match resource.rsplit_once('/') {
        Some((p, n)) => (format!("/{p}/"), n),
        None => ("/".to_owned(), resource),
    })
}

/// The roles the task definitions run with, when they name them.
#[derive(Debug, Clone, Default)]
pub struct Roles {
    pub task: Option<RoleRef>,
    pub execution: Option<RoleRef>,
}

/// The roles the task definitions run with.
///
/// # Errors
/// Two task definitions name different roles for the same purpose: one
/// spec renders one task role and one execution role.
pub fn roles(tasks: &[TaskDefinition]) -> Result<Roles, Error> {
    let mut out = Roles::default();
    for t in tasks {
        for (field, slot, what) in [
            (&t.task_role_arn, &mut out.task, "taskRoleArn"),
            (
                &t.execution_role_arn,
                &mut out.execution,
                "executionRoleArn",
            ),
        ] {
            let Some(r) = field.as_ref().and_then(|f| RoleRef::of(f, &t.label)) else {
                continue;
            };
            match slot {
                None => *slot = Some(r),
                // A bare role name is in the task's own account.
                Some(first)
                    if first.path_name() != r.path_name()
                        || matches!((&first.account, &r.account), (Some(a), Some(b)) if a != b) =>
                {
                    return Err(Error::Invalid {
                        at: r.at.clone(),
                        field: what.to_owned(),
                        // The accounts only when they are the difference.
                        problem: Box::new(if first.path_name() == r.path_name() {
                            Problem::RolesDisagree {
                                field: what,
                                first: first.described(),
                                first_origin: first.origin.clone(),
                                second: r.described(),
                            }
                        } else {
                            Problem::RolesDisagree {
                                field: what,
                                first: first.path_name(),
                                first_origin: first.origin.clone(),
                                second: r.path_name(),
                            }
                        }),
                    });
                }
                Some(_) => {}
            }
        }
    }
    Ok(out)
}

/// A value read from the file: its text (deploy-time values as the spec's
/// placeholders), its path in ECS API names, and where it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub value: String,
    pub path: String,
    pub at: Location,
    /// The CloudFormation conditions under which the field applies
    /// (`if HasEnvFile`, `unless UseDefault`), when it is one branch of an
    /// `Fn::If`.
    pub condition: Option<String>,
    /// Whether `<partition>`, `<region>`, `<account_id>` and `<url_suffix>`
    /// in the value are CloudFormation's pseudo parameters, resolved; in the
    /// other shapes they are text someone left unfilled.
    pub pseudo_parameters: bool,
    /// Why the value could not be resolved (a template parameter without a
    /// value, a name CloudFormation generates): reported where a grant
    /// needs the value, so that a field that decides nothing may hold any
    /// intrinsic. The value is then `${Name}`, which no grant takes.
    pub unresolved: Vec<Unresolved>,
}

/// A value of a CloudFormation template known only at deploy time, and
/// where: the field itself, or the resource property it names.
#[derive(Debug, Clone, PartialEq)]
pub struct Unresolved {
    pub at: Location,
    pub field: String,
    pub problem: Problem,
}

impl Unresolved {
    #[must_use]
    pub fn error(&self) -> Error {
        Error::Invalid {
            at: self.at.clone(),
            field: self.field.clone(),
            problem: Box::new(self.problem.clone()),
        }
    }
}

/// Values for what a CloudFormation template leaves to deploy time, by the
/// name a `Ref` uses: a template parameter (`ImageTag`), a resource whose
/// name or id CloudFormation generates (`FileSystem`, or
/// `FileSystem.Arn` for an `Fn::GetAtt`), a pseudo parameter such as
/// `AWS::StackName`. The spec's `parameters:` and `--parameter NAME=VALUE`
/// give them.
/// A template parameter the spec declares as an input (`inputs:`) of the
/// same name, and given no value, stays that input: `<input.Name>`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parameters {
    pub values: std::collections::BTreeMap<String, String>,
    pub inputs: std::collections::BTreeSet<String>,
    /// Every template parameter given no value stays an input (`init`).
    pub every_parameter: bool,
}

impl Parameters {
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }
}

impl FromIterator<(String, String)> for Parameters {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(pairs: I) -> Self {
        Parameters {
            values: pairs.into_iter().collect(),
            inputs: std::collections::BTreeSet::new(),
            every_parameter: false,
        }
    }
}

/// What a template declares, for its `Ref`s: parameters with their
/// `Default`, resources with their type and properties.
#[derive(Debug, Clone, Default)]
struct Declared {
    parameters: Vec<(String, Option<String>)>,
    resources: Vec<(String, String, Option<Node>)>,
}

/// One entry of `containerDefinitions`.
#[derive(Debug, Clone, PartialEq)]
pub struct Container {
    pub name: String,
    /// `containerDefinitions[<name>]`.
    pub path: String,
    pub image: Option<Field>,
    /// `repositoryCredentials.credentialsParameter`.
    pub repository_credentials: Option<Field>,
    /// `secrets[].valueFrom`, each path naming the secret's `name`.
    pub secrets: Vec<Field>,
    pub log: Option<LogConfiguration>,
    /// `environmentFiles[]` of type `s3`: their `value`.
    pub environment_files: Vec<Field>,
    pub mount_points: Vec<MountPoint>,
    /// `firelensConfiguration`: the container is a FireLens log router.
    pub firelens: Option<FirelensConfiguration>,
}

/// A log router's `firelensConfiguration`.
#[derive(Debug, Clone, PartialEq)]
pub struct FirelensConfiguration {
    /// `firelensConfiguration`.
    pub path: String,
    pub at: Location,
    /// `options`, by key (`config-file-type`, `config-file-value`, ...).
    pub options: Vec<(String, Field)>,
}

impl FirelensConfiguration {
    #[must_use]
    pub fn option(&self, key: &str) -> Option<&Field> {
        option(&self.options, key)
    }
}

/// A container's `logConfiguration`.
#[derive(Debug, Clone, PartialEq)]
pub struct LogConfiguration {
    pub driver: Field,
    /// `options`, by key.
    pub options: Vec<(String, Field)>,
    /// `secretOptions[].valueFrom`.
    pub secret_options: Vec<Field>,
}

/// The option named `key`, as written.
fn option<'o>(options: &'o [(String, Field)], key: &str) -> Option<&'o Field> {
    options.iter().find(|(k, _)| k == key).map(|(_, f)| f)
}

impl LogConfiguration {
    #[must_use]
    pub fn option(&self, key: &str) -> Option<&Field> {
        option(&self.options, key)
    }

    /// An option whatever its case: Fluent Bit's keys are case-insensitive.
    #[must_use]
    pub fn option_ignoring_case(&self, key: &str) -> Option<&Field> {
        self.options
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, f)| f)
    }
}

/// Fluent Bit's outputs whose AWS destination ecs-iam derives.
pub const FIRELENS_AWS_OUTPUTS: &[&str] = &[
    "cloudwatch",
    "cloudwatch_logs",
    "firehose",
    "kinesis_firehose",
    "kinesis",
    "kinesis_streams",
    "s3",
];

/// Fluent Bit outputs that write nowhere in AWS with the task role (unless
/// an option in [`FIRELENS_AWS_AUTH_OPTIONS`] is on, for those that have
/// one): Fluent Bit's own (the `plugins/out_*` of fluent/fluent-bit; its
/// `bigquery` may sign an STS `GetCallerIdentity` call, which needs no
/// permission), New Relic's `newrelic` and Grafana's `grafana-loki`.
const FIRELENS_OTHER_OUTPUTS: &[&str] = &[
    "datadog",
    "splunk",
    "forward",
    "newrelic",
    "nrlogs",
    "loki",
    "grafana-loki",
    "stdout",
    "null",
    "counter",
    "file",
    "http",
    "es",
    "opensearch",
    "kafka",
    "kafka-rest",
    "syslog",
    "tcp",
    "udp",
    "gelf",
    "logdna",
    "influxdb",
    "opentelemetry",
    "prometheus_remote_write",
    "prometheus_exporter",
    "websocket",
    "azure",
    "azure_blob",
    "azure_logs_ingestion",
    "stackdriver",
    "bigquery",
    "slack",
    "azure_kusto",
    "calyptia",
    "chronicle",
    "exit",
    "flowcounter",
    "gcs",
    "lib",
    "nats",
    "oracle_log_analytics",
    "pgsql",
    "plot",
    "retry",
    "skywalking",
    "td",
    "vivo_exporter",
];

/// Fluent Bit options that make an output sign its requests with the task
/// role's credentials: `aws_auth` (`es`, `opensearch`, `http`,
/// `opentelemetry`, `prometheus_remote_write`) and `aws_msk_iam` (`kafka`,
/// Amazon MSK's IAM authentication).
const FIRELENS_AWS_AUTH_OPTIONS: &[&str] = &["aws_auth", "aws_msk_iam"];

/// Fluentd outputs (`@type`, the key a Fluentd log router's FireLens
/// options name the output with) that write to AWS with the task role:
/// fluent-plugin-cloudwatch-logs, fluent-plugin-kinesis, fluent-plugin-s3,
/// fluent-plugin-aws-elasticsearch-service. ecs-iam derives no grant for
/// them.
const FLUENTD_AWS_OUTPUTS: &[&str] = &[
    "cloudwatch_logs",
    "kinesis_firehose",
    "kinesis_streams",
    "kinesis_streams_aggregated",
    "s3",
    "aws-elasticsearch-service",
];

/// Fluentd outputs that write nowhere in AWS: Fluentd's own `forward`,
/// `http` (its AWS signing needs an `<auth>` section, which FireLens
/// options cannot write), `stdout`, `null`, `file`, and the Datadog, New
/// Relic, Splunk HEC, Grafana Loki and Elasticsearch plugins.
const FLUENTD_OTHER_OUTPUTS: &[&str] = &[
    "forward",
    "http",
    "stdout",
    "null",
    "file",
    "datadog",
    "newrelic",
    "splunk_hec",
    "loki",
    "elasticsearch",
];

/// A container's mount of a task volume.
#[derive(Debug, Clone, PartialEq)]
pub struct MountPoint {
    pub source_volume: String,
    pub read_only: bool,
}

/// One entry of `volumes`.
#[derive(Debug, Clone, PartialEq)]
pub struct Volume {
    pub name: String,
    pub path: String,
    pub efs: Option<Efs>,
}

/// `efsVolumeConfiguration`.
#[derive(Debug, Clone, PartialEq)]
pub struct Efs {
    pub path: String,
    pub at: Location,
    pub file_system_id: Field,
    /// `authorizationConfig.iam` is `ENABLED`.
    pub iam: bool,
    pub access_point_id: Option<Field>,
    /// The volume's `Fn::If` conditions, as [`Field::condition`].
    pub condition: Option<String>,
}

/// Read the task definition `reference` names (`file` or `file#LogicalId`
/// for a template holding several), relative to `base`, with `read`
/// supplying a file's bytes (from disk, or from a git revision).
///
/// # Errors
/// The file cannot be read, is not a task definition, or a field ecs-iam
/// needs is malformed or known only at deploy time.
pub fn load(
    reference: &str,
    base: &Path,
    read: &dyn Fn(&Path) -> Result<Vec<u8>, Error>,
    parameters: &Parameters,
) -> Result<TaskDefinition, Error> {
    let (file, logical) = match reference.rsplit_once('#') {
        Some((f, id)) => (f, Some(id)),
        None => (reference, None),
    };
    // `..` is applied to the text, so a spec's folder need not exist yet
    // (`init --output new/folder/spec.yaml`).
    let mut path = PathBuf::new();
    for c in base.join(file).components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir if path.file_name().is_some() => {
                path.pop();
            }
            other => path.push(other),
        }
    }
    let bytes = read(&path)?;
    // A reader that does not cap (a git blob) is checked here.
    if bytes.len() as u64 > MAX_TASK_DEFINITION_BYTES {
        return Err(crate::input::bytes::too_large(
            &path,
            crate::error::FileKind::TaskDefinition,
            Some(bytes.len() as u64),
            MAX_TASK_DEFINITION_BYTES,
        ));
    }
    let text = crate::input::bytes::text(&path, bytes)?;
    parse(&path, reference, &text, logical, parameters)
}

/// Parse a task definition's text; `path` names the file in errors and
/// picks JSON or YAML, `label` names it in origins.
///
/// # Errors
/// As [`load`].
pub fn parse(
    path: &Path,
    label: &str,
    text: &str,
    logical: Option<&str>,
    parameters: &Parameters,
) -> Result<TaskDefinition, Error> {
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let filled = is_json.then(|| template::stand_ins(text)).flatten();
    let root = match &filled {
        Some((filled, _)) => tree::parse(path, filled),
        None => tree::parse(path, text),
    }
    .map_err(|e| not_json_template(e, text))?;
    let r = Reader {
        file: path.to_owned(),
        cfn: false,
        warnings: RefCell::default(),
        condition: RefCell::default(),
        parameters: parameters.clone(),
        declared: Declared::default(),
        depth: std::cell::Cell::new(0),
        used: RefCell::default(),
        inputs: RefCell::default(),
        stand_ins: filled.map(|(_, s)| s).unwrap_or_default(),
        template_values: RefCell::default(),
        init_parameters: RefCell::default(),
        first_seen: RefCell::default(),
    };
    if let Some(e) = r.stand_in_error(&root, "containerDefinitions") {
        return Err(e);
    }
    if root.as_list().is_some() {
        return r.task(label, &root, Some(&root));
    }
    if let Some(inner) = root.get("taskDefinition") {
        let containers = inner.get("containerDefinitions");
        return r.task(label, inner, containers);
    }
    if let Some(containers) = root.get("containerDefinitions") {
        return r.task(label, &root, Some(containers));
    }
    if terraform::is_terraform(&root) {
        let (task, containers) = terraform::task(path, &root, logical)?;
        return r.task(label, &task, Some(&containers));
    }
    if let Some(resources) = root.get("Resources") {
        let declared = Declared {
            parameters: root
                .get("Parameters")
                .and_then(Node::as_map)
                .unwrap_or_default()
                .iter()
                .map(|(name, _, p)| {
                    let default = p.get("Default").and_then(Node::as_str).map(str::to_owned);
                    (name.clone(), default)
                })
                .collect(),
            resources: resources
                .as_map()
                .unwrap_or_default()
                .iter()
                .map(|(id, _, n)| {
                    let kind = n.get("Type").and_then(Node::as_str).unwrap_or_default();
                    (id.clone(), kind.to_owned(), n.get("Properties").cloned())
                })
                .collect(),
        };
        let r = Reader {
            cfn: true,
            declared,
            ..r
        };
        let found: Vec<(&str, &Node)> = resources
            .as_map()
            .unwrap_or_default()
            .iter()
            .filter(|(_, _, n)| {
                n.get("Type").and_then(Node::as_str) == Some("AWS::ECS::TaskDefinition")
            })
            .map(|(k, _, n)| (k.as_str(), n))
            .collect();
        let chosen = match (logical, found.as_slice()) {
            (Some(id), _) => found.iter().find(|(k, _)| *k == id).ok_or_else(|| {
                r.invalid(
                    resources.pos,
                    "Resources",
                    Problem::NoSuchTaskDefinition {
                        id: id.to_owned(),
                        found: found.iter().map(|(k, _)| (*k).to_owned()).collect(),
                    },
                )
            })?,
            (None, [one]) => one,
            (None, _) => {
                return Err(r.invalid(
                    resources.pos,
                    "Resources",
                    Problem::TaskDefinitionCount {
                        found: found.iter().map(|(k, _)| (*k).to_owned()).collect(),
                    },
                ));
            }
        };
        let properties = chosen.1.get("Properties").ok_or_else(|| {
            r.invalid(
                chosen.1.pos,
                &format!("Resources.{}", chosen.0),
                Problem::NoContainerDefinitions,
            )
        })?;
        return r.task(label, properties, properties.get("ContainerDefinitions"));
    }
    Err(r.invalid(root.pos, "", Problem::NotATaskDefinition))
}

/// A parse error of a file that holds template placeholders, saying so:
/// what stands outside strings (`{% for %}`, a placeholder as a key) is
/// not read.
fn not_json_template(e: Error, text: &str) -> Error {
    let syntaxes = template::syntaxes(text);
    match e {
        Error::Syntax { at, message } if !syntaxes.is_empty() => Error::Syntax {
            at,
            message: format!(
                "{message}; the file is a task definition template ({}), and only placeholders inside strings or in place of a whole value are read: run ecs-iam on the file CI renders from it",
                syntaxes
                    .iter()
                    .map(|s| s.described())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        },
        other => other,
    }
}

/// Whether a field's path is a container's `image`.
fn is_image(path: &str) -> bool {
    path.rsplit('.').next() == Some("image")
}

/// The fields whose value, were it a placeholder as a whole, decides a
/// grant: one is reported rather than read as absent.
const GRANT_FIELDS: &[&str] = &[
    "containerDefinitions",
    "image",
    "secrets",
    "valueFrom",
    "repositoryCredentials",
    "credentialsParameter",
    "logConfiguration",
    "logDriver",
    "options",
    "secretOptions",
    "environmentFiles",
    "value",
    "firelensConfiguration",
    "volumes",
    "efsVolumeConfiguration",
    "fileSystemId",
    "authorizationConfig",
    "accessPointId",
    "iam",
    "mountPoints",
];

/// Reads fields by their ECS API name, in the API's camelCase or
/// CloudFormation's PascalCase.
struct Reader {
    file: PathBuf,
    cfn: bool,
    /// Fields the ECS API does not know, found while reading.
    warnings: RefCell<Vec<Warning>>,
    /// The `Fn::If` conditions of the container being read.
    condition: RefCell<Option<String>>,
    /// Values given for what the template leaves to deploy time.
    parameters: Parameters,
    /// The template's parameters and resources.
    declared: Declared,
    /// How deep resource names are being resolved (a name made of another
    /// resource's name): a loop stops.
    depth: std::cell::Cell<u8>,
    /// The names of `parameters` used.
    used: RefCell<std::collections::BTreeSet<String>>,
    inputs: RefCell<std::collections::BTreeMap<String, InputSource>>,
    /// Where a JSON template's placeholders stand in place of a value.
    stand_ins: Vec<template::StandIn>,
    /// Grant-deciding fields that are such a placeholder as a whole.
    template_values: RefCell<Vec<Error>>,
    /// What `init` writes under `parameters:`.
    init_parameters: RefCell<std::collections::BTreeMap<String, (String, String)>>,
    /// Where each placeholder's variable first stands in the file, as
    /// written there.
    first_seen: RefCell<std::collections::BTreeMap<String, (Location, String)>>,
}

/// CloudFormation's name of an ECS API field.
fn cfn_name(api: &str) -> String {
    match api {
        "efsVolumeConfiguration" => "EFSVolumeConfiguration".to_owned(),
        "fsxWindowsFileServerVolumeConfiguration" => {
            "FSxWindowsFileServerVolumeConfiguration".to_owned()
        }
        "fileSystemId" => "FilesystemId".to_owned(),
        "iam" => "IAM".to_owned(),
        _ => {
            let mut c = api.chars();
            c.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + c.as_str()
            })
        }
    }
}

/// One entry of a list, with the `Fn::If` conditions it stands under.
struct Item<'n> {
    node: &'n Node,
    condition: Option<String>,
}

/// The name of the intrinsic function a node calls (`Fn::If`, `Ref`),
/// short form or long.
fn intrinsic(node: &Node) -> Option<String> {
    match (&node.tag, &node.value) {
        (Some(tag), _) if tag == "Ref" => Some("Ref".to_owned()),
        (Some(tag), _) => Some(format!("Fn::{tag}")),
        (None, Value::Map(entries))
            if entries.len() == 1
                && (entries[0].0 == "Ref" || entries[0].0.starts_with("Fn::")) =>
        {
            Some(entries[0].0.clone())
        }
        _ => None,
    }
}

/// The argument of an intrinsic function call.
fn argument(node: &Node) -> Node {
    match (&node.tag, &node.value) {
        (Some(_), _) => Node {
            tag: None,
            ..node.clone()
        },
        (None, Value::Map(entries)) if entries.len() == 1 => entries[0].2.clone(),
        _ => node.clone(),
    }
}

/// `Ref: AWS::NoValue`, the branch of an `Fn::If` that removes the value.
fn is_no_value(node: &Node) -> bool {
    intrinsic(node).as_deref() == Some("Ref") && argument(node).as_str() == Some("AWS::NoValue")
}

/// Whether an error is a value the template leaves to deploy time.
fn is_deploy_time(e: &Error) -> bool {
    matches!(e, Error::Invalid { problem, .. } if problem.is_deploy_time())
}

/// Two conditions, both holding.
fn and(outer: Option<&str>, inner: String) -> String {
    match outer {
        Some(o) => format!("{o}, {inner}"),
        None => inner,
    }
}

impl Reader {
    fn at(&self, (line, column): Pos) -> Location {
        Location {
            file: self.file.clone(),
            line,
            column,
        }
    }

    fn invalid(&self, pos: Pos, path: &str, problem: Problem) -> Error {
        Error::Invalid {
            at: self.at(pos),
            field: path.to_owned(),
            problem: Box::new(problem),
        }
    }

    /// The field `api` of a mapping; a JSON `null` (the AWS CLI's way of
    /// writing an absent field) is absent.
    /// In the ECS API's JSON shapes a key that differs only in case is read
    /// as the field (Terraform's provider and Go's JSON decoding, which
    /// ecspresso uses, accept `Secrets`; the AWS CLI refuses it, which
    /// [`WarningKind::Case`] says): a grant is derived either way, so a task
    /// that gets the field is never short of it.
    fn get<'n>(&self, node: &'n Node, api: &str) -> Option<&'n Node> {
        let n = self.written(node, api)?;
        if n.is_null() {
            if let Some(e) = self.stand_in_error(n, api) {
                self.template_values.borrow_mut().push(e);
            }
            return None;
        }
        Some(n)
    }

    /// The field as written, a `null` included.
    fn written<'n>(&self, node: &'n Node, api: &str) -> Option<&'n Node> {
        if self.cfn {
            node.get(&cfn_name(api))
        } else {
            node.get(api).or_else(|| {
                node.as_map()?
                    .iter()
                    .find(|(k, ..)| k.eq_ignore_ascii_case(api))
                    .map(|(_, _, n)| n)
            })
        }
    }

    /// The error for a template placeholder standing, as a whole, for the
    /// grant-deciding field `api`.
    fn stand_in_error(&self, n: &Node, api: &str) -> Option<Error> {
        if !n.is_null() || !GRANT_FIELDS.contains(&api) {
            return None;
        }
        let s = self.stand_ins.iter().find(|s| s.pos == n.pos)?;
        Some(self.invalid(
            n.pos,
            api,
            Problem::TemplateValue {
                field: api.to_owned(),
                written: s.written.clone(),
                syntax: s.syntax.described(),
            },
        ))
    }

    /// Report the keys of a mapping the ECS API does not know at this
    /// level: `known` in API names, `elsewhere` the levels a misplaced key
    /// belongs to.
    fn check_fields(
        &self,
        node: &Node,
        path: &str,
        known: &[&str],
        elsewhere: &[(&[&str], &'static str)],
    ) {
        let Some(entries) = node.as_map() else {
            return;
        };
        let names: Vec<String> = known
            .iter()
            .map(|k| {
                if self.cfn {
                    cfn_name(k)
                } else {
                    (*k).to_owned()
                }
            })
            .collect();
        let mut warnings = self.warnings.borrow_mut();
        for (key, pos, _) in entries {
            if names.iter().any(|n| n == key) {
                continue;
            }
            if !self.cfn
                && let Some(api) = names.iter().find(|n| n.eq_ignore_ascii_case(key))
            {
                warnings.push(Warning {
                    at: self.at(*pos),
                    path: path.to_owned(),
                    name: key.clone(),
                    kind: WarningKind::Case { api: api.clone() },
                });
                continue;
            }
            let is = |list: &[&str]| {
                list.iter().any(|k| {
                    if self.cfn {
                        cfn_name(k) == *key
                    } else {
                        k == key
                    }
                })
            };
            let kind = if let Some((_, belongs)) = elsewhere.iter().find(|(list, _)| is(list)) {
                WarningKind::Misplaced { belongs }
            } else {
                WarningKind::Unknown {
                    suggestion: crate::error::suggest(key, names.iter().map(String::as_str)),
                }
            };
            warnings.push(Warning {
                at: self.at(*pos),
                path: path.to_owned(),
                name: key.clone(),
                kind,
            });
        }
    }

    /// A node that must be a mapping: an intrinsic function in its place
    /// is known only at deploy time.
    fn mapping<'n>(&self, node: &'n Node, path: &str) -> Result<&'n Node, Error> {
        if let Some(function) = intrinsic(node) {
            return Err(self.deploy_time(node.pos, path, &function));
        }
        if node.as_map().is_none() {
            return Err(self.invalid(
                node.pos,
                path,
                Problem::TaskDefinitionType {
                    expected: "a mapping",
                },
            ));
        }
        Ok(node)
    }

    /// The error for an intrinsic function where ecs-iam needs a value.
    fn deploy_time(&self, pos: Pos, path: &str, function: &str) -> Error {
        let problem = if function == "Fn::If" {
            Problem::Condition
        } else {
            Problem::Intrinsic {
                function: function.to_owned(),
            }
        };
        self.invalid(pos, path, problem)
    }

    /// The entries of the list under `api`, empty when absent. An `Fn::If`
    /// as the list or as an entry contributes every branch (ECS gets one of
    /// them; the roles must serve each), `AWS::NoValue` none.
    fn items<'n>(&self, node: &'n Node, api: &str, path: &str) -> Result<Vec<Item<'n>>, Error> {
        let Some(n) = self.get(node, api) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        let container = self.condition.borrow().clone();
        self.expand(
            n,
            &format!("{path}.{api}"),
            container.as_deref(),
            true,
            &mut out,
        )?;
        Ok(out)
    }

    fn expand<'n>(
        &self,
        n: &'n Node,
        path: &str,
        condition: Option<&str>,
        is_list: bool,
        out: &mut Vec<Item<'n>>,
    ) -> Result<(), Error> {
        if let Some(function) = intrinsic(n) {
            if !self.cfn {
                // Outside a CloudFormation template nothing evaluates it.
                return Err(self.invalid(n.pos, path, Problem::NotATemplate { function }));
            }
            if function != "Fn::If" {
                return Err(self.deploy_time(n.pos, path, &function));
            }
            let (name, then, otherwise) = self.branches(n, path)?;
            for (branch, label) in [(then, "if"), (otherwise, "unless")] {
                if is_no_value(branch) {
                    continue;
                }
                let c = and(condition, format!("{label} {name}"));
                self.expand(branch, path, Some(&c), is_list, out)?;
            }
            return Ok(());
        }
        if !is_list {
            out.push(Item {
                node: n,
                condition: condition.map(str::to_owned),
            });
            return Ok(());
        }
        let entries = n.as_list().ok_or_else(|| {
            self.invalid(
                n.pos,
                path,
                Problem::TaskDefinitionType { expected: "a list" },
            )
        })?;
        for e in entries {
            self.expand(e, path, condition, false, out)?;
        }
        Ok(())
    }

    /// An `Fn::If`'s condition name and its two branches.
    fn branches<'n>(&self, n: &'n Node, path: &str) -> Result<(String, &'n Node, &'n Node), Error> {
        let args = match (&n.tag, &n.value) {
            (Some(_), Value::List(items)) => Some(items.as_slice()),
            (None, Value::Map(entries)) => entries[0].2.as_list(),
            _ => None,
        };
        match args {
            Some([name, then, otherwise]) if name.as_str().is_some() => Ok((
                name.as_str().unwrap_or_default().to_owned(),
                then,
                otherwise,
            )),
            _ => Err(self.invalid(
                n.pos,
                path,
                Problem::TaskDefinitionType {
                    expected: "`Fn::If` with a condition name and two values",
                },
            )),
        }
    }

    /// The text of a string field, CloudFormation intrinsics resolved.
    /// A value a template leaves to deploy time is kept with its reason
    /// ([`Field::unresolved`]); a value of the wrong type is refused.
    fn text(&self, node: &Node, path: &str) -> Result<Field, Error> {
        self.text_in(node, path, true)
    }

    /// [`Reader::text`]; `bare_dollar` reads `$NAME` as a placeholder (not
    /// in a log router's options, where `$TAG` is Fluent Bit's own).
    fn text_in(&self, node: &Node, path: &str, bare_dollar: bool) -> Result<Field, Error> {
        let (value, unresolved) = match self.resolve(node, path) {
            Ok(v) => (v, Vec::new()),
            Err(e) if e.each().iter().all(|e| is_deploy_time(e)) => {
                let unresolved: Vec<Unresolved> = e
                    .each()
                    .into_iter()
                    .filter_map(|e| match e {
                        Error::Invalid { at, field, problem } => Some(Unresolved {
                            at: at.clone(),
                            field: field.clone(),
                            problem: (**problem).clone(),
                        }),
                        _ => None,
                    })
                    .collect();
                let name = match unresolved.first().map(|u| &u.problem) {
                    Some(
                        Problem::Parameter { name, .. }
                        | Problem::DeployTimeValue { name }
                        | Problem::NotInTemplate { name }
                        | Problem::GeneratedName { resource: name, .. }
                        | Problem::ResourceValue { resource: name, .. }
                        | Problem::Intrinsic { function: name },
                    ) => name.clone(),
                    _ => "unknown".to_owned(),
                };
                (format!("${{{name}}}"), unresolved)
            }
            Err(e) => return Err(e),
        };
        let mut field = if !self.cfn && unresolved.is_empty() {
            self.fill(node, value, path, bare_dollar)
        } else {
            Field {
                value,
                path: path.to_owned(),
                at: self.at(node.pos),
                condition: self.condition.borrow().clone(),
                pseudo_parameters: self.cfn,
                unresolved,
            }
        };
        if is_image(path) && self.parameters.every_parameter {
            self.whole_image(&mut field);
        }
        Ok(field)
    }

    /// For `init`: the inputs a value given for `of` names, declared
    /// unless the spec or the template declares them.
    fn given(&self, of: &str, value: &str) {
        if !self.parameters.every_parameter {
            return;
        }
        for rest in value.split("<input.").skip(1) {
            if let Some((name, _)) = rest.split_once('>')
                && !self.parameters.inputs.contains(name)
            {
                self.inputs
                    .borrow_mut()
                    .entry(name.to_owned())
                    .or_insert_with(|| InputSource::Given { of: of.to_owned() });
            }
        }
    }

    /// For `init`: an image whose registry and repository are one input
    /// that `init` made (`<IMAGE_NAME>`, `${ECR_REPOSITORY_URI}:${TAG}`, a
    /// template's `!Ref ImageUrl`) becomes an image of an ECR repository in
    /// the deployment's account and region whose name is the input
    /// (`<input.ImageRepository>`): each output derives the repository's
    /// ARN from it, and `verify` proves the pull with the same input on
    /// both sides. What the input was made from is mapped to that image.
    fn whole_image(&self, field: &mut Field) {
        let value = &field.value;
        let cut = template::tag_start(value);
        let Some(input) = value[..cut]
            .strip_prefix("<input.")
            .and_then(|v| v.strip_suffix('>'))
            .filter(|v| !v.contains(['<', '>']))
        else {
            return;
        };
        let (of, at) = match self.inputs.borrow().get(input) {
            Some(InputSource::Placeholder { name, at, .. }) => (name.clone(), at.clone()),
            Some(InputSource::Parameter { .. }) => (input.to_owned(), field.at.clone()),
            _ => return,
        };
        let repository = template::repository_input(input);
        let image = format!("<account_id>.dkr.ecr.<region>.<url_suffix>/<input.{repository}>");
        self.init_parameters.borrow_mut().insert(
            of.clone(),
            (
                image.clone(),
                format!(
                    "the image at {at}, assumed in the deployment's own ECR registry: write another registry's image here (one outside ECR needs no grant)"
                ),
            ),
        );
        self.inputs
            .borrow_mut()
            .insert(repository, InputSource::ImageRepository { of, at });
        field.value = format!("{image}{}", &value[cut..]);
        field.pseudo_parameters = true;
    }

    /// A template's string value with its placeholders filled: each by
    /// the value the spec's `parameters:` maps its variable to, by the
    /// input of the same name, or (for `init`) by a new input named from
    /// it. One that stays is kept with its own position, reported where a
    /// grant needs the value. A placeholder in an image's tag or digest
    /// decides nothing and stays as written; so does Fluent Bit's own
    /// `$TAG` in a log router's options.
    fn fill(&self, node: &Node, text: String, path: &str, bare_dollar: bool) -> Field {
        let found = template::scan(&text, bare_dollar);
        let mut field = Field {
            value: text,
            path: path.to_owned(),
            at: self.at(node.pos),
            condition: self.condition.borrow().clone(),
            pseudo_parameters: false,
            unresolved: Vec::new(),
        };
        if found.is_empty() {
            return field;
        }
        let text = &field.value;
        // Where the tag starts, with every placeholder masked (a `:` in
        // `${IMAGE:-nginx}` is not the tag's).
        let tag = is_image(path).then(|| {
            let mut masked = text.clone().into_bytes();
            for p in &found {
                masked[p.start..p.end].fill(b'x');
            }
            template::tag_start(&String::from_utf8_lossy(&masked))
        });
        let quoted = matches!(node.value, Value::Scalar { quoted: true, .. });
        // A name or role ARN decides no grant: what no entry maps stays
        // as written, for the role checks to report.
        let names = matches!(
            path,
            ".taskRoleArn" | ".executionRoleArn" | ".taskDefinitionArn" | ".family"
        );
        let mut out = String::new();
        let mut done = 0;
        let mut unresolved = Vec::new();
        for p in found.iter().filter(|p| tag.is_none_or(|t| p.start < t)) {
            let written = &text[p.start..p.end];
            let at = Location {
                column: node.pos.1 + usize::from(quoted) + text[..p.start].chars().count(),
                ..self.at(node.pos)
            };
            let value = if p.syntax == template::Syntax::GoSecretArn {
                // ecspresso looks the secret up by name where it deploys.
                Some(format!(
                    "arn:<partition>:secretsmanager:<region>:<account_id>:secret:{}",
                    p.name
                ))
            } else if let Some(v) = self.parameters.get(&p.name) {
                self.given(&p.name, v);
                self.used.borrow_mut().insert(p.name.clone());
                Some(v.to_owned())
            } else {
                let input = if self.parameters.inputs.contains(&p.name) {
                    Some(p.name.clone())
                } else {
                    self.parameters
                        .every_parameter
                        .then(|| template::input_name(&p.name))
                };
                input.map(|input| {
                    // Each told where it first stands in the file (fields
                    // are read in another order).
                    let earlier =
                        |before: &Location| (at.line, at.column) < (before.line, before.column);
                    let mut inputs = self.inputs.borrow_mut();
                    let source =
                        inputs
                            .entry(input.clone())
                            .or_insert_with(|| InputSource::Placeholder {
                                name: p.name.clone(),
                                written: written.to_owned(),
                                at: at.clone(),
                            });
                    if let InputSource::Placeholder {
                        name,
                        written: w,
                        at: first,
                    } = source
                        && *name == p.name
                        && earlier(first)
                    {
                        written.clone_into(w);
                        *first = at.clone();
                    }
                    if self.parameters.every_parameter && p.name != input {
                        // Its comment, where it first stands, is written
                        // once the whole file is read.
                        self.init_parameters
                            .borrow_mut()
                            .entry(p.name.clone())
                            .or_insert_with(|| (format!("<input.{input}>"), String::new()));
                    }
                    let mut seen = self.first_seen.borrow_mut();
                    let first = seen
                        .entry(p.name.clone())
                        .or_insert_with(|| (at.clone(), written.to_owned()));
                    if earlier(&first.0) {
                        *first = (at.clone(), written.to_owned());
                    }
                    format!("<input.{input}>")
                })
            };
            out.push_str(&text[done..p.start]);
            if let Some(v) = value {
                out.push_str(&v);
            } else if names {
                out.push_str(written);
            } else {
                out.push_str(written);
                unresolved.push(Unresolved {
                    at,
                    field: path.to_owned(),
                    problem: Problem::TemplatePlaceholder {
                        written: written.to_owned(),
                        name: p.name.clone(),
                        syntax: p.syntax.described(),
                        input: template::input_name(&p.name),
                        repository: (tag.is_some() && p.start == 0 && tag == Some(p.end))
                            .then(|| template::repository_input(&template::input_name(&p.name))),
                    },
                });
            }
            done = p.end;
        }
        out.push_str(&text[done..]);
        field.pseudo_parameters = unresolved.is_empty();
        field.value = out;
        field.unresolved = unresolved;
        field
    }

    fn field(&self, node: &Node, api: &str, path: &str) -> Result<Option<Field>, Error> {
        self.get(node, api)
            .map(|n| self.text(n, &format!("{path}.{api}")))
            .transpose()
    }

    /// A field read only for names (`family`, role ARNs): a value known
    /// only at deploy time is left out rather than refused.
    fn optional(&self, node: &Node, api: &str) -> Option<Field> {
        self.field(node, api, "")
            .ok()
            .flatten()
            .filter(|f| f.unresolved.is_empty())
            .map(|mut f| {
                api.clone_into(&mut f.path);
                f
            })
    }

    fn boolean(&self, node: &Node, api: &str) -> bool {
        self.get(node, api)
            .and_then(|n| match &n.value {
                Value::Scalar { text, .. } if n.tag.is_none() => Some(text.as_str()),
                _ => None,
            })
            .is_some_and(|t| t.eq_ignore_ascii_case("true"))
    }

    /// A scalar, a `Fn::Sub`, a `Fn::Join` or a `Ref` of a pseudo
    /// parameter, as text with the spec's placeholders.
    fn resolve(&self, node: &Node, path: &str) -> Result<String, Error> {
        if node.tag.as_deref() == Some(terraform::AFTER_APPLY) {
            return Err(self.invalid(node.pos, path, Problem::AfterApply));
        }
        let Some(function_name) = intrinsic(node) else {
            return match &node.value {
                Value::Scalar { text, .. } => Ok(text.clone()),
                _ => Err(self.invalid(
                    node.pos,
                    path,
                    Problem::TaskDefinitionType {
                        expected: "a string",
                    },
                )),
            };
        };
        let argument = argument(node);
        self.call(&function_name, &argument, path)
            .map_err(|e| match e {
                // A `Ref` is reported where it stands, as the long form's `{`.
                Some(Error::Invalid { field, problem, .. })
                    if function_name == "Ref" && field == path =>
                {
                    Error::Invalid {
                        at: self.at(node.pos),
                        field,
                        problem,
                    }
                }
                Some(e) => e,
                None => self.deploy_time(node.pos, path, &function_name),
            })
    }

    /// An intrinsic function's value; `Err(None)` for a function that
    /// cannot be resolved before deploy.
    fn call(&self, function: &str, arg: &Node, path: &str) -> Result<String, Option<Error>> {
        let type_error =
            |expected| Some(self.invalid(arg.pos, path, Problem::TaskDefinitionType { expected }));
        match function {
            "Ref" => {
                let name = arg.as_str().ok_or_else(|| type_error("a name"))?;
                self.reference(name, None, arg.pos, path).map_err(Some)
            }
            "Fn::GetAtt" => {
                let (resource, attribute) = match (&arg.value, arg.as_str()) {
                    (_, Some(dotted)) => dotted.split_once('.').ok_or_else(|| {
                        type_error("a resource and an attribute (`Resource.Attribute`)")
                    })?,
                    (Value::List(items), None) => match items.as_slice() {
                        [r, a] => (
                            r.as_str().ok_or_else(|| type_error("a resource name"))?,
                            a.as_str().ok_or_else(|| type_error("an attribute name"))?,
                        ),
                        _ => return Err(type_error("a resource and an attribute")),
                    },
                    _ => return Err(type_error("a resource and an attribute")),
                };
                self.reference(resource, Some(attribute), arg.pos, path)
                    .map_err(Some)
            }
            "Fn::Sub" => {
                let (template, vars) = match &arg.value {
                    Value::Scalar { text, .. } if arg.tag.is_none() => (text.clone(), None),
                    Value::List(items) if items.len() == 2 => (
                        items[0]
                            .as_str()
                            .ok_or_else(|| type_error("a string"))?
                            .to_owned(),
                        Some(&items[1]),
                    ),
                    _ => return Err(type_error("a string, or a string and a mapping")),
                };
                self.sub(&template, vars, arg.pos, path).map_err(Some)
            }
            "Fn::Join" => {
                let items = arg.as_list().ok_or_else(|| type_error("a list"))?;
                let [delimiter, parts] = items else {
                    return Err(type_error("a delimiter and a list"));
                };
                let delimiter = delimiter.as_str().ok_or_else(|| type_error("a string"))?;
                let parts = parts.as_list().ok_or_else(|| type_error("a list"))?;
                // Every part, so that each value left to deploy time is
                // reported at once.
                let mut texts = Vec::new();
                let mut problems = Vec::new();
                for p in parts {
                    match self.resolve(p, path) {
                        Ok(t) => texts.push(t),
                        Err(e) => problems.push(e),
                    }
                }
                match Error::several(problems) {
                    Some(e) => Err(Some(e)),
                    None => Ok(texts.join(delimiter)),
                }
            }
            _ => Err(None),
        }
    }

    /// What a `Ref` (or, with an attribute, an `Fn::GetAtt`) of `name`
    /// stands for: a value given in `parameters`, a pseudo parameter as the
    /// spec's placeholder, or a resource's name read from its properties.
    fn reference(
        &self,
        name: &str,
        attribute: Option<&str>,
        pos: Pos,
        path: &str,
    ) -> Result<String, Error> {
        let key = match attribute {
            Some(a) => format!("{name}.{a}"),
            None => name.to_owned(),
        };
        if let Some(value) = self.parameters.get(&key) {
            self.given(&key, value);
            self.used.borrow_mut().insert(key);
            return Ok(value.to_owned());
        }
        if attribute.is_none()
            && let Some(value) = pseudo(name)
        {
            return Ok(value.to_owned());
        }
        // The stack's own name and id: an input of the same name
        // (`StackName`, `StackId`) when the spec declares one.
        if let Some(input) = name
            .strip_prefix("AWS::")
            .filter(|n| matches!(*n, "StackName" | "StackId"))
            && attribute.is_none()
            && (self.parameters.inputs.contains(input) || self.parameters.every_parameter)
        {
            self.inputs
                .borrow_mut()
                .insert(input.to_owned(), InputSource::Stack);
            return Ok(format!("<input.{input}>"));
        }
        if name.starts_with("AWS::") {
            return Err(self.invalid(
                pos,
                path,
                Problem::DeployTimeValue {
                    name: name.to_owned(),
                },
            ));
        }
        if let Some((_, default)) = self.declared.parameters.iter().find(|(p, _)| p == name) {
            if attribute.is_none()
                && (self.parameters.inputs.contains(name) || self.parameters.every_parameter)
            {
                self.used.borrow_mut().insert(key);
                self.inputs.borrow_mut().insert(
                    name.to_owned(),
                    InputSource::Parameter {
                        default: default.clone(),
                    },
                );
                return Ok(format!("<input.{name}>"));
            }
            return Err(self.invalid(
                pos,
                path,
                Problem::Parameter {
                    name: name.to_owned(),
                    default: default.clone(),
                },
            ));
        }
        let Some((_, kind, properties)) = self.declared.resources.iter().find(|(r, ..)| r == name)
        else {
            return Err(self.invalid(
                pos,
                path,
                Problem::NotInTemplate {
                    name: name.to_owned(),
                },
            ));
        };
        self.resource(name, kind, properties.as_ref(), attribute, pos, path)
    }

    /// A resource's name or ARN, from the property that names it.
    fn resource(
        &self,
        id: &str,
        kind: &str,
        properties: Option<&Node>,
        attribute: Option<&str>,
        pos: Pos,
        path: &str,
    ) -> Result<String, Error> {
        let unknown = || {
            self.invalid(
                pos,
                path,
                Problem::ResourceValue {
                    resource: id.to_owned(),
                    kind: kind.to_owned(),
                    attribute: attribute.map(str::to_owned),
                },
            )
        };
        let property = match kind {
            "AWS::Logs::LogGroup" => "LogGroupName",
            "AWS::SecretsManager::Secret" | "AWS::SSM::Parameter" => "Name",
            "AWS::ECR::Repository" => "RepositoryName",
            "AWS::S3::Bucket" => "BucketName",
            "AWS::EFS::FileSystem" | "AWS::EFS::AccessPoint" => {
                return Err(self.invalid(
                    pos,
                    path,
                    Problem::GeneratedName {
                        resource: id.to_owned(),
                        kind: kind.to_owned(),
                        property: None,
                    },
                ));
            }
            _ => return Err(unknown()),
        };
        let Some(node) = properties.and_then(|p| p.get(property)) else {
            return Err(self.invalid(
                pos,
                path,
                Problem::GeneratedName {
                    resource: id.to_owned(),
                    kind: kind.to_owned(),
                    property: Some(property),
                },
            ));
        };
        if self.depth.get() > 8 {
            return Err(self.invalid(
                node.pos,
                &format!("Resources.{id}.Properties.{property}"),
                Problem::TaskDefinitionType {
                    expected: "a name that does not refer back to itself",
                },
            ));
        }
        self.depth.set(self.depth.get() + 1);
        let name = self.resolve(node, &format!("Resources.{id}.Properties.{property}"));
        self.depth.set(self.depth.get() - 1);
        let name = name?;
        let arn = |service: &str, resource: &str| {
            format!("arn:<partition>:{service}:<region>:<account_id>:{resource}")
        };
        Ok(match (kind, attribute) {
            (
                "AWS::Logs::LogGroup"
                | "AWS::SSM::Parameter"
                | "AWS::ECR::Repository"
                | "AWS::S3::Bucket",
                None,
            ) => name,
            ("AWS::Logs::LogGroup", Some("Arn")) => arn("logs", &format!("log-group:{name}:*")),
            // A secret's ARN ends in six characters Secrets Manager picks;
            // without them it grants the secret by name.
            ("AWS::SecretsManager::Secret", None | Some("Id")) => {
                arn("secretsmanager", &format!("secret:{name}"))
            }
            ("AWS::ECR::Repository", Some("Arn")) => arn("ecr", &format!("repository/{name}")),
            ("AWS::ECR::Repository", Some("RepositoryUri")) => {
                format!("<account_id>.dkr.ecr.<region>.<url_suffix>/{name}")
            }
            ("AWS::S3::Bucket", Some("Arn")) => format!("arn:<partition>:s3:::{name}"),
            _ => return Err(unknown()),
        })
    }

    fn sub(
        &self,
        template: &str,
        vars: Option<&Node>,
        pos: Pos,
        path: &str,
    ) -> Result<String, Error> {
        let mut out = String::new();
        let mut problems = Vec::new();
        let mut rest = template;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            if let Some(literal) = after.strip_prefix('!') {
                // `${!Name}` is the literal text `${Name}`.
                out.push_str("${");
                rest = literal;
                continue;
            }
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let name = &after[..end];
            let value = if let Some(v) = vars.and_then(|v| v.get(name)) {
                self.resolve(v, path)
            } else {
                // `${Name}` is a `Ref`, `${Resource.Attribute}` an
                // `Fn::GetAtt`.
                match name.split_once('.') {
                    Some((resource, attribute)) if !name.starts_with("AWS::") => {
                        self.reference(resource, Some(attribute), pos, path)
                    }
                    _ => self.reference(name, None, pos, path),
                }
            };
            // Every variable, so that each value left to deploy time is
            // reported at once.
            match value {
                Ok(v) => out.push_str(&v),
                Err(e) => problems.push(e),
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        match Error::several(problems) {
            Some(e) => Err(e),
            None => Ok(out),
        }
    }

    fn task(
        &self,
        label: &str,
        task: &Node,
        containers: Option<&Node>,
    ) -> Result<TaskDefinition, Error> {
        // A container under an `Fn::If` (an optional sidecar) is read with
        // its condition, which every field it holds stands under.
        if let Some(e) = containers.and_then(|c| self.stand_in_error(c, "containerDefinitions")) {
            return Err(e);
        }
        let containers = match containers.filter(|c| !c.is_null()) {
            None => return Err(self.invalid(task.pos, "", Problem::NoContainerDefinitions)),
            Some(c) => {
                let mut items = Vec::new();
                self.expand(c, "containerDefinitions", None, true, &mut items)?;
                items
            }
        };
        let is_task = task.as_map().is_some();
        let mut out = TaskDefinition {
            label: label.to_owned(),
            arn: None,
            family: None,
            task_role_arn: None,
            execution_role_arn: None,
            containers: Vec::new(),
            volumes: Vec::new(),
            warnings: Vec::new(),
            deploy_time_roles: Vec::new(),
            role_fields: Vec::new(),
            names_roles: is_task,
            requires_compatibilities: Vec::new(),
            compatibilities: Vec::new(),
            network_mode: None,
            used_parameters: std::collections::BTreeSet::new(),
            input_parameters: std::collections::BTreeMap::new(),
            init_parameters: std::collections::BTreeMap::new(),
        };
        if is_task {
            self.check_fields(
                task,
                "",
                fields::TASK,
                &[(fields::CONTAINER, "each entry of `containerDefinitions`")],
            );
            for (api, slot) in [
                ("requiresCompatibilities", &mut out.requires_compatibilities),
                ("compatibilities", &mut out.compatibilities),
            ] {
                if let Ok(items) = self.items(task, api, "") {
                    *slot = items
                        .iter()
                        .filter_map(|i| i.node.as_str().map(str::to_owned))
                        .collect();
                }
            }
            out.network_mode = match self.get(task, "networkMode") {
                None => Some("bridge".to_owned()),
                Some(_) => self.optional(task, "networkMode").map(|f| f.value),
            };
            out.arn = self.optional(task, "taskDefinitionArn");
            out.family = self.optional(task, "family");
            for (api, slot) in [
                ("taskRoleArn", &mut out.task_role_arn),
                ("executionRoleArn", &mut out.execution_role_arn),
            ] {
                let at = self.written(task, api).map_or(task.pos, |n| n.pos);
                out.role_fields.push((api, self.at(at)));
                *slot = self.optional(task, api);
                if slot.is_none()
                    && let Some(n) = self.get(task, api)
                {
                    out.deploy_time_roles.push((api, self.at(n.pos)));
                }
            }
        }
        for (i, c) in containers.iter().enumerate() {
            self.condition.replace(c.condition.clone());
            out.containers.push(self.container(i, c.node)?);
        }
        self.condition.replace(None);
        if is_task {
            for (i, v) in self.items(task, "volumes", "")?.iter().enumerate() {
                out.volumes.push(self.volume(i, v)?);
            }
        }
        if let Some(e) = Error::several(self.template_values.take()) {
            return Err(e);
        }
        let mut warnings = self.warnings.take();
        warnings.sort_by_key(|w| (w.at.line, w.at.column));
        out.warnings = warnings;
        out.used_parameters = self.used.take();
        out.input_parameters = self.inputs.take();
        let seen = self.first_seen.take();
        out.init_parameters = self.init_parameters.take();
        for (name, (_, from)) in &mut out.init_parameters {
            if let (true, Some((at, written))) = (from.is_empty(), seen.get(name)) {
                *from = format!("{written} at {at}");
            }
        }
        Ok(out)
    }

    fn container(&self, index: usize, c: &Node) -> Result<Container, Error> {
        let indexed = format!("containerDefinitions[{index}]");
        let c = self.mapping(c, &indexed)?;
        // A name decides no grant: one known only at deploy time (a
        // CloudFormation `Ref`) names the container by its index.
        let name = match self.get(c, "name") {
            Some(n) => self
                .resolve(n, &format!("{indexed}.name"))
                .unwrap_or_else(|_| index.to_string()),
            None => {
                return Err(self.invalid(c.pos, &indexed, Problem::ContainerName));
            }
        };
        let path = format!("containerDefinitions[{name}]");
        self.check_fields(
            c,
            &path,
            fields::CONTAINER,
            &[(fields::TASK, "the task definition itself")],
        );
        let image = self.field(c, "image", &path)?;
        let mut secrets = Vec::new();
        for (i, s) in self.items(c, "secrets", &path)?.iter().enumerate() {
            secrets.push(self.named_value_from(s, &format!("{path}.secrets"), i)?);
        }
        for (i, e) in self.items(c, "environment", &path)?.iter().enumerate() {
            let ep = format!("{path}.environment[{i}]");
            let e = self.mapping(e.node, &ep)?;
            self.check_fields(e, &ep, fields::ENVIRONMENT, &[]);
            if let Some(w) = self
                .warnings
                .borrow_mut()
                .iter_mut()
                .rev()
                .take_while(|w| w.path == ep)
                .find(|w| w.name == if self.cfn { "ValueFrom" } else { "valueFrom" })
            {
                w.kind = WarningKind::EnvironmentValueFrom;
            }
        }
        let log = match self.get(c, "logConfiguration") {
            None => None,
            Some(l) => {
                let lp = format!("{path}.logConfiguration");
                let l = self.mapping(l, &lp)?;
                self.check_fields(l, &lp, fields::LOG_CONFIGURATION, &[]);
                let driver = self
                    .field(l, "logDriver", &lp)?
                    .ok_or_else(|| self.invalid(l.pos, &lp, Problem::LogDriver))?;
                let options = self.options(l, &lp)?;
                let mut secret_options = Vec::new();
                for (i, s) in self.items(l, "secretOptions", &lp)?.iter().enumerate() {
                    secret_options.push(self.named_value_from(
                        s,
                        &format!("{lp}.secretOptions"),
                        i,
                    )?);
                }
                let log = LogConfiguration {
                    driver,
                    options,
                    secret_options,
                };
                if log.driver.value == "awsfirelens" {
                    self.firelens_outputs(&log, &lp, l.pos);
                }
                Some(log)
            }
        };
        let firelens = match self.get(c, "firelensConfiguration") {
            None => None,
            Some(f) => {
                let fp = format!("{path}.firelensConfiguration");
                let f = self.mapping(f, &fp)?;
                self.check_fields(f, &fp, fields::FIRELENS, &[]);
                Some(FirelensConfiguration {
                    options: self.options(f, &fp)?,
                    at: self.at(f.pos),
                    path: fp,
                })
            }
        };
        let repository_credentials = match self.get(c, "repositoryCredentials") {
            None => None,
            Some(r) => {
                let rp = format!("{path}.repositoryCredentials");
                let r = self.mapping(r, &rp)?;
                self.check_fields(r, &rp, fields::REPOSITORY_CREDENTIALS, &[]);
                self.field(r, "credentialsParameter", &rp)?
            }
        };
        let mut environment_files = Vec::new();
        for (i, item) in self.items(c, "environmentFiles", &path)?.iter().enumerate() {
            let fp = format!("{path}.environmentFiles[{i}]");
            let f = self.mapping(item.node, &fp)?;
            self.check_fields(f, &fp, fields::ENVIRONMENT_FILE, &[]);
            let kind = self.field(f, "type", &fp)?;
            if kind.as_ref().is_some_and(|k| k.value == "s3")
                && let Some(mut v) = self.field(f, "value", &fp)?
            {
                v.path = fp;
                v.condition.clone_from(&item.condition);
                environment_files.push(v);
            }
        }
        let mut mount_points = Vec::new();
        for (i, m) in self.items(c, "mountPoints", &path)?.iter().enumerate() {
            let mp = format!("{path}.mountPoints[{i}]");
            let m = self.mapping(m.node, &mp)?;
            self.check_fields(m, &mp, fields::MOUNT_POINT, &[]);
            // Which volume is mounted, and whether writable, decides
            // `ClientWrite`: a value known only at deploy time is refused.
            if let Some(v) = self.field(m, "sourceVolume", &mp)? {
                mount_points.push(MountPoint {
                    source_volume: v.value,
                    read_only: self.boolean(m, "readOnly"),
                });
            }
        }
        Ok(Container {
            name,
            path,
            image,
            repository_credentials,
            secrets,
            log,
            environment_files,
            mount_points,
            firelens,
        })
    }

    /// What an `awsfirelens` configuration's output writes to that ecs-iam
    /// cannot derive (see `needs`, which derives Fluent Bit's CloudWatch
    /// Logs, Firehose, Kinesis and S3 outputs), as warnings.
    fn firelens_outputs(&self, log: &LogConfiguration, path: &str, pos: Pos) {
        let warn = |at: Location, kind| {
            self.warnings.borrow_mut().push(Warning {
                at,
                path: path.to_owned(),
                name: String::new(),
                kind,
            });
        };
        let Some(name) = log.option_ignoring_case("Name") else {
            // A Fluentd log router takes the output's name from `@type`
            // (the ECS agent's FireLens configuration generator).
            match log.option("@type") {
                Some(t) => {
                    let plugin = t.value.to_ascii_lowercase();
                    let known = FLUENTD_AWS_OUTPUTS.contains(&plugin.as_str());
                    if known || !FLUENTD_OTHER_OUTPUTS.contains(&plugin.as_str()) {
                        warn(
                            t.at.clone(),
                            WarningKind::FirelensOutput {
                                plugin: t.value.clone(),
                                known,
                                fluentd: true,
                            },
                        );
                    }
                }
                None => warn(self.at(pos), WarningKind::FirelensOutputsInConfig),
            }
            return;
        };
        let plugin = name.value.to_ascii_lowercase();
        let aws_auth = log.options.iter().any(|(k, v)| {
            FIRELENS_AWS_AUTH_OPTIONS
                .iter()
                .any(|o| k.eq_ignore_ascii_case(o))
                && matches!(v.value.to_ascii_lowercase().as_str(), "on" | "true" | "yes")
        });
        let derived = FIRELENS_AWS_OUTPUTS.contains(&plugin.as_str());
        if aws_auth && !derived {
            warn(
                name.at.clone(),
                WarningKind::FirelensOutput {
                    plugin: name.value.clone(),
                    known: true,
                    fluentd: false,
                },
            );
        } else if !derived && !FIRELENS_OTHER_OUTPUTS.contains(&plugin.as_str()) {
            warn(
                name.at.clone(),
                WarningKind::FirelensOutput {
                    plugin: name.value.clone(),
                    known: false,
                    fluentd: false,
                },
            );
        }
        if matches!(plugin.as_str(), "cloudwatch" | "cloudwatch_logs") {
            if let Some(t) = log.option_ignoring_case("log_group_template") {
                warn(
                    t.at.clone(),
                    WarningKind::FirelensRunTimeName {
                        option: "log_group_template".to_owned(),
                    },
                );
            }
            if let Some(g) = log.option_ignoring_case("log_group_name")
                && g.value.trim_start().starts_with("$(")
            {
                warn(
                    g.at.clone(),
                    WarningKind::FirelensRunTimeName {
                        option: format!("log_group_name {}", g.value),
                    },
                );
            }
        }
    }

    /// The `options` of a log configuration or FireLens configuration, by
    /// key (the keys are the driver's own, in both shapes).
    fn options(&self, node: &Node, path: &str) -> Result<Vec<(String, Field)>, Error> {
        let Some(o) = self.get(node, "options") else {
            return Ok(Vec::new());
        };
        let o = self.mapping(o, &format!("{path}.options"))?;
        // Fluent Bit's options: its own `$TAG` and `$(...)` are not envsubst's.
        let fluent_bit = path.ends_with("firelensConfiguration")
            || self
                .get(node, "logDriver")
                .and_then(Node::as_str)
                .is_some_and(|d| d == "awsfirelens");
        let mut out = Vec::new();
        for (k, _, v) in o.as_map().unwrap_or_default() {
            if let Some(e) = self.stand_in_error(v, "options") {
                self.template_values.borrow_mut().push(e);
            } else if !v.is_null() {
                out.push((
                    k.clone(),
                    self.text_in(v, &format!("{path}.options.{k}"), !fluent_bit)?,
                ));
            }
        }
        Ok(out)
    }

    /// A `{name, valueFrom}` entry, its path naming it by `name`.
    fn named_value_from(&self, item: &Item, list: &str, index: usize) -> Result<Field, Error> {
        let entry = self.mapping(item.node, &format!("{list}[{index}]"))?;
        let name = self
            .get(entry, "name")
            .and_then(|n| self.resolve(n, list).ok())
            .unwrap_or_else(|| index.to_string());
        let path = format!("{list}[{name}]");
        self.check_fields(entry, &path, fields::SECRET, &[]);
        let value = self
            .get(entry, "valueFrom")
            .ok_or_else(|| self.invalid(entry.pos, &path, Problem::ValueFromMissing))?;
        let mut f = self.text(value, &format!("{path}.valueFrom"))?;
        f.path = path;
        f.condition.clone_from(&item.condition);
        Ok(f)
    }

    fn volume(&self, index: usize, item: &Item) -> Result<Volume, Error> {
        let indexed = format!("volumes[{index}]");
        let v = self.mapping(item.node, &indexed)?;
        // Mount points name the volume: its name decides `ClientWrite`.
        let name = match self.get(v, "name") {
            Some(n) => self.resolve(n, &format!("{indexed}.name"))?,
            None => index.to_string(),
        };
        let path = format!("volumes[{name}]");
        self.check_fields(v, &path, fields::VOLUME, &[]);
        let efs = match self.get(v, "efsVolumeConfiguration") {
            None => None,
            Some(e) => {
                let ep = format!("{path}.efsVolumeConfiguration");
                let e = self.mapping(e, &ep)?;
                self.check_fields(e, &ep, fields::EFS, &[]);
                let file_system_id = self
                    .field(e, "fileSystemId", &ep)?
                    .ok_or_else(|| self.invalid(e.pos, &ep, Problem::FileSystemId))?;
                let auth = match self.get(e, "authorizationConfig") {
                    Some(a) => {
                        let ap = format!("{ep}.authorizationConfig");
                        let a = self.mapping(a, &ap)?;
                        self.check_fields(a, &ap, fields::EFS_AUTHORIZATION, &[]);
                        Some(a)
                    }
                    None => None,
                };
                let iam = match auth.and_then(|a| self.get(a, "iam")) {
                    Some(i) => {
                        self.text(i, &format!("{ep}.authorizationConfig.iam"))?
                            .value
                            == "ENABLED"
                    }
                    None => false,
                };
                let access_point_id = match auth {
                    Some(a) => {
                        self.field(a, "accessPointId", &format!("{ep}.authorizationConfig"))?
                    }
                    None => None,
                };
                Some(Efs {
                    at: self.at(e.pos),
                    path: ep,
                    file_system_id,
                    iam,
                    access_point_id,
                    condition: item.condition.clone(),
                })
            }
        };
        Ok(Volume { name, path, efs })
    }
}

/// The text a pseudo parameter stands for.
fn pseudo(name: &str) -> Option<&'static str> {
    Some(match name {
        "AWS::Partition" => "<partition>",
        "AWS::Region" => "<region>",
        "AWS::AccountId" => "<account_id>",
        "AWS::URLSuffix" => "<url_suffix>",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(file: &str, text: &str) -> Result<TaskDefinition, Error> {
        parse(Path::new(file), file, text, None, &Parameters::default())
    }

    #[test]
    fn the_four_shapes_read_alike() {
        let bare = r#"[{"name": "app", "image": "nginx", "secrets": [{"name": "DB", "valueFrom": "/orders/db"}]}]"#;
        let register = format!(r#"{{"family": "orders", "containerDefinitions": {bare}}}"#);
        let describe = format!(r#"{{"taskDefinition": {register}, "tags": []}}"#);
        let cfn = "Resources:\n  Task:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      Family: orders\n      ContainerDefinitions:\n        - Name: app\n          Image: nginx\n          Secrets:\n            - Name: DB\n              ValueFrom: /orders/db\n";
        let shapes = [
            read("a.json", bare).unwrap(),
            read("b.json", &register).unwrap(),
            read("c.json", &describe).unwrap(),
            read("d.yaml", cfn).unwrap(),
        ];
        for t in &shapes {
            assert_eq!(t.containers[0].name, "app");
            assert_eq!(t.containers[0].secrets[0].value, "/orders/db");
            assert_eq!(
                t.containers[0].secrets[0].path,
                "containerDefinitions[app].secrets[DB]"
            );
        }
        assert_eq!(shapes[3].containers[0].secrets[0].at.line, 11);
        assert_eq!(shapes[2].family.as_ref().unwrap().value, "orders");
    }

    #[test]
    fn intrinsics_resolve_to_placeholders() {
        let cfn = "Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: app\n          Image: !Sub '${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/app:${Tag}'\n";
        // A name the template does not declare: kept with its reason, for
        // whatever needs the value to report.
        let t = read("t.yaml", cfn).unwrap();
        let image = t.containers[0].image.as_ref().unwrap();
        assert_eq!(image.value, "${Tag}");
        assert_eq!(
            image.unresolved[0].error().to_string(),
            "t.yaml:7:18: `containerDefinitions[app].image`: `Tag` is neither a parameter nor a resource of this template; CloudFormation rejects the `Ref`: declare it, or fix the name"
        );
        let ok = cfn.replace("${Tag}", "${!Tag}");
        let t = read("t.yaml", &ok).unwrap();
        let image = t.containers[0].image.as_ref().unwrap();
        assert_eq!(
            image.value,
            "<account_id>.dkr.ecr.<region>.<url_suffix>/app:${Tag}"
        );
        assert!(image.unresolved.is_empty());
        let join = r#"{"Resources": {"T": {"Type": "AWS::ECS::TaskDefinition", "Properties": {"ContainerDefinitions": [{"Name": "app", "Image": {"Fn::Join": ["", [{"Ref": "AWS::AccountId"}, ".dkr.ecr.eu-west-1.amazonaws.com/app"]]}, "Secrets": [{"Name": "S", "ValueFrom": {"Fn::ImportValue": "db-secret"}}]}]}}}}"#;
        let t = read("t.json", join).unwrap();
        assert_eq!(
            t.containers[0].image.as_ref().unwrap().value,
            "<account_id>.dkr.ecr.eu-west-1.amazonaws.com/app"
        );
        assert!(
            t.containers[0].secrets[0].unresolved[0]
                .error()
                .to_string()
                .starts_with("t.json:1:251: `containerDefinitions[app].secrets[S].valueFrom`: `Fn::ImportValue` is known only at deploy time"),
        );
    }

    /// Resource names that refer to each other in a loop (CloudFormation
    /// rejects such a template) stop, at a property of the loop.
    #[test]
    fn a_loop_of_resource_names_stops() {
        let cfn = "Resources:\n  A:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      LogGroupName: !Ref B\n  B:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      LogGroupName: !Ref A\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: app\n          LogConfiguration:\n            LogDriver: awslogs\n            Options: {awslogs-group: !Ref A}\n";
        let e = read("t.yaml", cfn).unwrap_err().to_string();
        assert!(
            e.ends_with("expected a name that does not refer back to itself"),
            "{e}"
        );
        assert!(e.starts_with("t.yaml:"), "{e}");
    }

    /// Every name of an `Fn::Sub` left to deploy time is reported, each at
    /// the `!Sub`.
    #[test]
    fn every_deploy_time_name_of_a_sub() {
        let cfn = "Parameters:\n  A: {Type: String}\n  B: {Type: String}\nResources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: app\n          Image: !Sub '${A}.dkr.ecr.eu-west-1.amazonaws.com/${B}:1'\n";
        let t = read("t.yaml", cfn).unwrap();
        let names: Vec<String> = t.containers[0]
            .image
            .as_ref()
            .unwrap()
            .unresolved
            .iter()
            .map(|u| match &u.problem {
                Problem::Parameter { name, .. } => format!("{name} {}", u.at),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(names, ["A t.yaml:10:18", "B t.yaml:10:18"]);
    }

    /// `Ref` and `Fn::GetAtt` of the template's parameters and resources:
    /// a value given for it, the name its properties set, or the reason.
    #[test]
    fn template_parameters_and_resources() {
        let cfn = "Parameters:
  Tag:
    Type: String
    Default: latest
  Env:
    Type: String
Resources:
  Logs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub '/ecs/${Env}/orders'
  Db:
    Type: AWS::SecretsManager::Secret
    Properties:
      Name: orders/db
  Repo:
    Type: AWS::ECR::Repository
    Properties:
      RepositoryName: orders
  Files:
    Type: AWS::EFS::FileSystem
  Unnamed:
    Type: AWS::Logs::LogGroup
  T:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: app
          Image: !Sub '${Repo.RepositoryUri}:${Tag}'
          Secrets:
            - {Name: DB, ValueFrom: !Ref Db}
            - {Name: STACK, ValueFrom: !Sub '/${AWS::StackName}/key'}
          LogConfiguration:
            LogDriver: awslogs
            Options:
              awslogs-group: !Ref Logs
              awslogs-stream-prefix: !Ref Unnamed
      Volumes:
        - Name: data
          EFSVolumeConfiguration:
            FilesystemId: !Ref Files
            AuthorizationConfig: {IAM: ENABLED}
";
        let problem = |f: &Field| f.unresolved.first().map(|u| u.error().to_string());
        let t = read("t.yaml", cfn).unwrap();
        let c = &t.containers[0];
        assert_eq!(
            problem(c.image.as_ref().unwrap()).unwrap(),
            "t.yaml:29:18: `containerDefinitions[app].image`: `Tag` is a parameter of the template, known at deploy time: declare it under `inputs:` in the spec to keep it one (`inputs: {Tag: {description: ...}}`), or give its value with `parameters: {Tag: ...}` beside `task_definitions:` (or `--parameter Tag=VALUE`); its `Default` is `latest`"
        );
        assert_eq!(
            c.secrets[0].value,
            "arn:<partition>:secretsmanager:<region>:<account_id>:secret:orders/db"
        );
        assert!(!c.secrets[1].unresolved.is_empty());
        let log = c.log.as_ref().unwrap();
        // The group's name uses a parameter: reported at the property.
        assert_eq!(
            problem(log.option("awslogs-group").unwrap()).unwrap(),
            "t.yaml:11:21: `Resources.Logs.Properties.LogGroupName`: `Env` is a parameter of the template, known at deploy time: declare it under `inputs:` in the spec to keep it one (`inputs: {Env: {description: ...}}`), or give its value with `parameters: {Env: ...}` beside `task_definitions:` (or `--parameter Env=VALUE`)"
        );
        assert!(problem(log.option("awslogs-stream-prefix").unwrap())
            .unwrap()
            .ends_with("`Unnamed` (`AWS::Logs::LogGroup`) has no `LogGroupName`, so CloudFormation generates its name at deploy time: set `LogGroupName`, or give the value with `parameters: {Unnamed: ...}` beside `task_definitions:` in the spec (or `--parameter Unnamed=VALUE`)"));
        assert!(problem(&t.volumes[0].efs.as_ref().unwrap().file_system_id)
            .unwrap()
            .contains("`Files` (`AWS::EFS::FileSystem`) gets its id from CloudFormation at deploy time"));

        // Given values: every one resolves.
        let given: Parameters = [
            ("Tag", "v1"),
            ("Env", "prod"),
            ("AWS::StackName", "orders-stack"),
            ("Unnamed", "/ecs/unnamed"),
            ("Files", "fs-0123456789abcdef0"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let t = parse(Path::new("t.yaml"), "t.yaml", cfn, None, &given).unwrap();
        let c = &t.containers[0];
        assert_eq!(
            c.image.as_ref().unwrap().value,
            "<account_id>.dkr.ecr.<region>.<url_suffix>/orders:v1"
        );
        assert_eq!(c.secrets[1].value, "/orders-stack/key");
        let log = c.log.as_ref().unwrap();
        assert_eq!(
            log.option("awslogs-group").unwrap().value,
            "/ecs/prod/orders"
        );
        assert_eq!(
            t.volumes[0].efs.as_ref().unwrap().file_system_id.value,
            "fs-0123456789abcdef0"
        );
        for f in [c.image.as_ref().unwrap(), &c.secrets[0], &c.secrets[1]] {
            assert!(f.unresolved.is_empty(), "{f:?}");
        }
    }

    #[test]
    fn null_is_absent() {
        let t = read(
            "t.json",
            r#"{"containerDefinitions": [{"name": "app", "image": "nginx", "secrets": null, "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/app"}, "secretOptions": null}, "mountPoints": null}], "volumes": null}"#,
        )
        .unwrap();
        assert!(t.containers[0].secrets.is_empty());
        assert!(
            t.containers[0]
                .log
                .as_ref()
                .unwrap()
                .secret_options
                .is_empty()
        );
        assert!(t.warnings.is_empty());
    }

    #[test]
    fn fn_if_entries_take_every_branch() {
        let cfn = "Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: app\n          Secrets: !If\n            - Legacy\n            - [{Name: A, ValueFrom: /a}]\n            - - Name: B\n                ValueFrom: /b\n              - !If [Extra, {Name: C, ValueFrom: /c}, !Ref AWS::NoValue]\n";
        let t = read("t.yaml", cfn).unwrap();
        let got: Vec<(String, Option<String>)> = t.containers[0]
            .secrets
            .iter()
            .map(|s| (s.value.clone(), s.condition.clone()))
            .collect();
        assert_eq!(
            got,
            [
                ("/a".to_owned(), Some("if Legacy".to_owned())),
                ("/b".to_owned(), Some("unless Legacy".to_owned())),
                ("/c".to_owned(), Some("unless Legacy, if Extra".to_owned())),
            ]
        );
        // An optional sidecar: everything it holds stands under its
        // condition.
        let sidecar = "Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: app\n          Image: nginx\n        - !If\n          - UseXray\n          - Name: xray\n            Image: amazon/aws-xray-daemon\n            Secrets: [{Name: K, ValueFrom: /k}, !If [Extra, {Name: E, ValueFrom: /e}, !Ref AWS::NoValue]]\n          - !Ref AWS::NoValue\n";
        let t = read("t.yaml", sidecar).unwrap();
        assert_eq!(t.containers.len(), 2);
        let got: Vec<Option<String>> = t.containers[1]
            .secrets
            .iter()
            .map(|s| s.condition.clone())
            .collect();
        assert_eq!(
            got,
            [
                Some("if UseXray".to_owned()),
                Some("if UseXray, if Extra".to_owned())
            ]
        );
        assert_eq!(
            t.containers[1].image.as_ref().unwrap().condition.as_deref(),
            Some("if UseXray")
        );
        assert_eq!(t.containers[0].image.as_ref().unwrap().condition, None);
        let e = read(
            "t.yaml",
            &cfn.replace(
                "Secrets: !If",
                "Image: !If [U, a, b]\n          Secrets: !If",
            ),
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("`Fn::If` picks this value at deploy time"),
            "{e}"
        );
    }

    #[test]
    fn not_a_task_definition() {
        let e = read("t.json", r#"{"version": 1}"#).unwrap_err();
        assert!(e.to_string().starts_with("t.json:1:1: "), "{e}");
        let e = read("t.json", r#"[{"image": "nginx"}]"#).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("t.json:1:2: `containerDefinitions[0]`: "),
            "{e}"
        );
    }
}
