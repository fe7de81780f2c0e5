//! The role specification file (format version 1), as written by users.
//!
//! These types only mirror the file; defaults, ARNs and checks live in
//! the model stage. Unknown keys are errors everywhere.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use std::fmt;
use std::marker::PhantomData;

use schemars::JsonSchema;
use serde::de::{self, IntoDeserializer, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::error::{Error, FileKind, Location, Unknown, suggest};
use crate::location::Locations;
use crate::spec_tree::{Reach, SpecTree};
use crate::task_definition::TaskDefinition;

/// A role specification file.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "ecs-iam role specification, version 1")]
pub struct Spec {
    /// Format version; must be 1.
    pub version: u64,
    /// Workload name: letters, digits, `-`, `_`. Prefixes the default role
    /// names and names the output folder `outputs/<name>/`.
    #[schemars(pattern(r"^[A-Za-z0-9_-]+$"))]
    pub name: String,
    /// What the workload is; used in the generated files' descriptions.
    #[serde(default)]
    pub description: Option<String>,
    /// Where the roles are deployed. An omitted field stays symbolic: a
    /// pseudo parameter in CloudFormation and CDK, a data source in Terraform.
    #[serde(default)]
    pub deployment: Deployment,
    /// IAM path of both roles (default `/`).
    #[serde(default)]
    pub path: Option<String>,
    /// Permissions boundary of both roles: a policy ARN, or a customer
    /// managed policy name in the deployment account.
    #[serde(default)]
    pub permissions_boundary: Option<String>,
    /// Tags on both roles.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// The role the application containers assume.
    #[serde(default)]
    pub task_role: TaskRoleSpec,
    /// The role the ECS agent assumes to start the task.
    #[serde(default)]
    pub execution_role: ExecutionRoleSpec,
    /// ECS task definitions this workload runs, relative to the spec
    /// (`file#LogicalId` picks one of several in a CloudFormation
    /// template): what their images, secrets, log configurations,
    /// environment files and EFS volumes need is granted with the spec's
    /// own grants, and `ecs-iam verify` checks the roles against them.
    /// An entry may be a mapping, `{file: web.json, parameters: {...}}`,
    /// whose values serve that file alone.
    #[serde(default)]
    pub task_definitions: Vec<TaskDefinitionEntry>,
    /// Values for what the task definitions' CloudFormation templates leave
    /// to deploy time, by the name a `Ref` uses: a template parameter
    /// (`ImageTag: v1.4`), a resource whose name or id CloudFormation
    /// generates (`FileSystem: fs-0123456789abcdef0`; `FileSystem.Arn` for
    /// an `Fn::GetAtt`), or a pseudo parameter such as `AWS::StackName`;
    /// and for the placeholders of a task definition kept as a template, by
    /// their variable (`IMAGE_NAME` for `<IMAGE_NAME>` or `${IMAGE_NAME}`).
    /// A value may hold inputs and `<partition>`, `<region>`,
    /// `<account_id>`, `<url_suffix>`.
    #[serde(default)]
    pub parameters: BTreeMap<String, String>,
    /// Values known only at deploy time, by name: `<input.name>` in any
    /// ARN, resource name or condition value of the spec stands for one.
    /// Each becomes a CloudFormation parameter, a Terraform variable and a
    /// CDK `CfnParameter` of that name (a letter, then letters and
    /// digits). A task definition's `Ref` to a template parameter of the
    /// same name is the input too, and `parameters:` may bind any other
    /// deploy-time value to one (`AWS::StackName: <input.StackName>`).
    #[serde(default)]
    pub inputs: BTreeMap<String, InputSpec>,
    /// Actions neither role may ever perform, e.g. `iam:*`: an explicit
    /// `Deny` on `"*"` in both roles' policies (Sid `Deny`), which no grant,
    /// managed policy or later edit can override.
    #[serde(default)]
    pub deny: Vec<String>,
    /// What the Terraform module is written for.
    #[serde(default)]
    pub terraform: TerraformSpec,
}

impl Spec {
    /// What the spec gives its task definitions' templates: values, and
    /// the inputs a template parameter of the same name stays.
    #[must_use]
    pub fn task_definition_parameters(&self) -> crate::task_definition::Parameters {
        crate::task_definition::Parameters {
            values: self.parameters.clone(),
            inputs: self.inputs.keys().cloned().collect(),
            every_parameter: false,
        }
    }
}

/// An entry of `task_definitions`: a file, or a file with values for what
/// its template leaves to deploy time.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum TaskDefinitionEntry {
    /// The file, relative to the spec's folder (`file#LogicalId` picks one
    /// task definition of several).
    File(String),
    /// The file, with its own values.
    Template(TemplateEntry),
}

/// A task definition file with values for its placeholders and template
/// parameters alone.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateEntry {
    /// The file, as a plain entry names it.
    pub file: String,
    /// Values for this file's placeholders and template parameters, by
    /// variable (`IMAGE_NAME: <account_id>.dkr.ecr.<region>.<url_suffix>/
    /// <input.WebRepository>`), over the spec's `parameters:` of the same
    /// name.
    #[serde(default)]
    pub parameters: BTreeMap<String, String>,
}

impl TaskDefinitionEntry {
    /// The file the entry names.
    #[must_use]
    pub fn file(&self) -> &str {
        match self {
            TaskDefinitionEntry::File(f) => f,
            TaskDefinitionEntry::Template(t) => &t.file,
        }
    }

    /// The entry's own values, if any.
    #[must_use]
    pub fn parameters(&self) -> Option<&BTreeMap<String, String>> {
        match self {
            TaskDefinitionEntry::File(_) => None,
            TaskDefinitionEntry::Template(t) => Some(&t.parameters),
        }
    }

    /// Where in the spec the file is named, below `task_definitions[i]`.
    #[must_use]
    pub fn file_field(&self, i: usize) -> String {
        match self {
            TaskDefinitionEntry::File(_) => format!("task_definitions[{i}]"),
            TaskDefinitionEntry::Template(_) => format!("task_definitions[{i}].file"),
        }
    }
}

impl<'de> Deserialize<'de> for TaskDefinitionEntry {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entry;
        impl<'de> serde::de::Visitor<'de> for Entry {
            type Value = TaskDefinitionEntry;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a file name, or a mapping with `file` and `parameters`")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(TaskDefinitionEntry::File(v.to_owned()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Self::Value, A::Error> {
                TemplateEntry::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(TaskDefinitionEntry::Template)
            }
        }
        deserializer.deserialize_any(Entry)
    }
}

/// A deploy-time input.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InputSpec {
    /// What the value is, for whoever deploys: the CloudFormation
    /// parameter's and the Terraform variable's description.
    pub description: String,
}

/// What the Terraform module is written for.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TerraformSpec {
    /// Major version of the `hashicorp/aws` provider, `6` (default) or
    /// `5`: the module's `required_providers` constraint (`>= 6.0`, or
    /// `>= 5.0, < 6.0`) and how it reads the region from `aws_region`
    /// (`region`, which 5.x lacks, or `name`, which 6.0 deprecates). No
    /// spelling of the region serves both without a warning.
    #[serde(default)]
    #[schemars(extend("enum" = [5, 6]))]
    pub provider: Option<u64>,
}

/// The deployment target; each field optional.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Deployment {
    /// `aws`, `aws-cn` or `aws-us-gov`.
    #[serde(default)]
    #[schemars(extend("enum" = ["aws", "aws-cn", "aws-us-gov"]))]
    pub partition: Option<String>,
    /// Region name, e.g. `eu-west-1`.
    #[serde(default)]
    pub region: Option<String>,
    /// Twelve-digit account id, quoted.
    #[serde(default)]
    #[schemars(pattern(r"^[0-9]{12}$"))]
    pub account_id: Option<String>,
    /// Pinned values that are assumptions, not seen: `init` lists the
    /// region it took from the task definition's log, image and FireLens regions
    /// (only `taskDefinitionArn` says where a task runs). `verify` proves
    /// nothing that rests on them (the task role's trust conditions, ARNs
    /// in the task's region) until they are removed from here.
    #[serde(default)]
    pub assumed: Vec<DeploymentKey>,
}

/// A key of `deployment`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DeploymentKey {
    Partition,
    Region,
    AccountId,
}

impl DeploymentKey {
    /// The key as the spec writes it (`account_id`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            DeploymentKey::Partition => "partition",
            DeploymentKey::Region => "region",
            DeploymentKey::AccountId => "account_id",
        }
    }

    /// The deploy-time value that stands for it in ARNs (`<account_id>`).
    #[must_use]
    pub fn placeholder(self) -> &'static str {
        match self {
            DeploymentKey::Partition => "<partition>",
            DeploymentKey::Region => "<region>",
            DeploymentKey::AccountId => "<account_id>",
        }
    }
}

impl Deployment {
    /// The value `deployment` pins for `key`.
    #[must_use]
    pub fn pinned(&self, key: DeploymentKey) -> Option<&str> {
        match key {
            DeploymentKey::Partition => self.partition.as_deref(),
            DeploymentKey::Region => self.region.as_deref(),
            DeploymentKey::AccountId => self.account_id.as_deref(),
        }
    }
}

/// Who may assume a role.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrustSpec {
    /// Trusted service principals (default `[ecs-tasks.amazonaws.com]`;
    /// `ec2.amazonaws.com` may be added for the EC2 launch type).
    #[serde(default)]
    pub services: Option<Vec<String>>,
    /// Add `aws:SourceAccount` and `aws:SourceArn` conditions to the
    /// `ecs-tasks.amazonaws.com` statement (default: true on the task role,
    /// false on the execution role).
    #[serde(default)]
    pub confused_deputy: Option<bool>,
}

/// Where a role's permission statements go.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PolicyLayout {
    /// One inline policy; a role whose statements exceed IAM's 10,240
    /// characters is refused.
    #[default]
    Inline,
    /// The inline policy as far as it fits; the statements beyond it in
    /// customer managed policies of at most 6,144 characters each, created
    /// and attached beside the role.
    Split,
}

/// The task role: what the application may call.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskRoleSpec {
    /// Whether this spec manages the role (default `true`). `false`: the
    /// role is managed elsewhere (by hand, by another stack): the generated
    /// files do not declare it and `drift` does not compare it. Only `name`
    /// may be given beside it.
    #[serde(default)]
    pub managed: Option<bool>,
    /// Role name (default `<name>-task`), at most 64 characters.
    #[serde(default)]
    pub name: Option<String>,
    /// Role description.
    #[serde(default)]
    pub description: Option<String>,
    /// Maximum session duration in seconds, 3600 to 43200.
    #[serde(default)]
    #[schemars(range(min = 3600, max = 43200))]
    pub max_session_duration: Option<u64>,
    /// Where the role's statements go (default `inline`): `split` moves
    /// those beyond IAM's inline limit into customer managed policies
    /// created beside the role.
    #[serde(default)]
    pub policy_layout: Option<PolicyLayout>,
    /// Trust relationship.
    #[serde(default)]
    pub trust: TrustSpec,
    /// Secrets Manager access.
    #[serde(default)]
    pub secrets: TaskSecretsSpec,
    /// Customer managed KMS keys (ids or key ARNs) that encrypt the secrets:
    /// `kms:Decrypt` via Secrets Manager only.
    #[serde(default)]
    pub kms_keys: Vec<String>,
    /// S3 buckets the application stages data in.
    #[serde(default)]
    pub s3: Vec<S3Spec>,
    /// ECS Exec (`aws ecs execute-command`): `true`, or a mapping naming
    /// where sessions are logged and the key that encrypts them.
    #[serde(default)]
    pub exec_command: ExecCommandSpec,
    /// Send traces through an X-Ray daemon or ADOT collector sidecar.
    #[serde(default)]
    pub xray: bool,
    /// Destinations a FireLens (Fluent Bit) log router sends to.
    #[serde(default)]
    pub firelens: FirelensSpec,
    /// Managed policies to attach: ARNs or known AWS managed policy names.
    #[serde(default)]
    pub managed_policies: Vec<String>,
    /// Further statements, for integrations ecs-iam has no field for.
    #[serde(default)]
    pub statements: Vec<StatementSpec>,
}

/// Secrets Manager access of the task role.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskSecretsSpec {
    /// Grant `secretsmanager:ListSecrets` (a list-only action on `*`).
    #[serde(default)]
    pub list: bool,
    /// Secrets to read (`secretsmanager:GetSecretValue`): names or ARNs.
    #[serde(default)]
    pub read: Vec<String>,
}

/// One S3 bucket (and optional key prefix) the task uses.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct S3Spec {
    /// Bucket name (not an ARN).
    pub bucket: String,
    /// Key prefix the objects live under, e.g. `agent/`.
    #[serde(default)]
    pub prefix: Option<String>,
    /// Access levels (default `[list, read, write]`).
    #[serde(default)]
    pub access: Option<Vec<S3Access>>,
}

/// ECS Exec: `false` (default), `true`, or the cluster's
/// `executeCommandConfiguration` in ecs-iam's terms.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum ExecCommandSpec {
    /// On or off, without session logging.
    Enabled(bool),
    /// On, with session logging and/or encryption.
    Configured(ExecCommandConfig),
}

impl Default for ExecCommandSpec {
    fn default() -> Self {
        ExecCommandSpec::Enabled(false)
    }
}

impl ExecCommandSpec {
    /// The logging and encryption settings when ECS Exec is on.
    #[must_use]
    pub fn config(&self) -> Option<ExecCommandConfig> {
        match self {
            ExecCommandSpec::Enabled(false) => None,
            ExecCommandSpec::Enabled(true) => Some(ExecCommandConfig::default()),
            ExecCommandSpec::Configured(c) => Some(c.clone()),
        }
    }
}

// Hand-written so that `true` and a mapping are both read, and a mistake
// inside the mapping is reported at its field rather than as "did not
// match any variant".
impl<'de> Deserialize<'de> for ExecCommandSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ExecCommandSpec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("true, false or a mapping of `logs`, `s3` and `kms_key`")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(ExecCommandSpec::Enabled(v))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                ExecCommandConfig::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(ExecCommandSpec::Configured)
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// Where ECS Exec sessions are logged and which key encrypts them.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExecCommandConfig {
    /// Session logs to a CloudWatch Logs group (`cloudWatchLogGroupName`).
    #[serde(default)]
    pub logs: Option<ExecLogsSpec>,
    /// Session logs to an S3 bucket (`s3BucketName`, `s3KeyPrefix`).
    #[serde(default)]
    pub s3: Option<BucketPrefixSpec>,
    /// The customer managed KMS key (id or key ARN) that encrypts the
    /// session (`kmsKeyId`).
    #[serde(default)]
    pub kms_key: Option<String>,
}

/// The CloudWatch Logs group ECS Exec logs sessions to.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExecLogsSpec {
    /// Log group name or ARN.
    pub group: String,
}

/// An S3 bucket and optional key prefix written to.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BucketPrefixSpec {
    /// Bucket name (not an ARN).
    pub bucket: String,
    /// Key prefix the objects are written under, e.g. `exec/`.
    #[serde(default)]
    pub prefix: Option<String>,
}

/// What a FireLens log router (Fluent Bit) writes to.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FirelensSpec {
    /// CloudWatch Logs groups (`cloudwatch_logs` output).
    #[serde(default)]
    pub logs: LogsSpec,
    /// Kinesis Data Firehose delivery streams (names or ARNs;
    /// `kinesis_firehose` output).
    #[serde(default)]
    pub firehose: Vec<String>,
    /// Kinesis data streams (names or ARNs; `kinesis_streams` output).
    #[serde(default)]
    pub kinesis: Vec<String>,
    /// S3 buckets and prefixes (`s3` output).
    #[serde(default)]
    pub s3: Vec<BucketPrefixSpec>,
}

/// An S3 access level.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum S3Access {
    /// `s3:ListBucket` on the bucket (limited to the prefix).
    List,
    /// `s3:GetObject` on the objects.
    Read,
    /// `s3:PutObject` on the objects.
    Write,
    /// `s3:DeleteObject` on the objects.
    Delete,
    /// `s3:GetObjectAcl` and `s3:PutObjectAcl` on the objects.
    Acl,
}

/// The task execution role: what ECS needs to start the task.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExecutionRoleSpec {
    /// Whether this spec manages the role (default `true`). `false`: the
    /// role is managed elsewhere (the console's `ecsTaskExecutionRole`,
    /// another stack): the generated files do not declare it and `drift`
    /// does not compare it. Only `name` may be given beside it.
    #[serde(default)]
    pub managed: Option<bool>,
    /// Role name (default `<name>-execution`), at most 64 characters.
    #[serde(default)]
    pub name: Option<String>,
    /// Role description.
    #[serde(default)]
    pub description: Option<String>,
    /// Maximum session duration in seconds, 3600 to 43200.
    #[serde(default)]
    #[schemars(range(min = 3600, max = 43200))]
    pub max_session_duration: Option<u64>,
    /// Where the role's statements go (default `inline`): `split` moves
    /// those beyond IAM's inline limit into customer managed policies
    /// created beside the role.
    #[serde(default)]
    pub policy_layout: Option<PolicyLayout>,
    /// Trust relationship.
    #[serde(default)]
    pub trust: TrustSpec,
    /// Managed policies to attach, e.g. `AmazonECSTaskExecutionRolePolicy`
    /// (opt-in; the scoped inline policy is the default).
    #[serde(default)]
    pub managed_policies: Vec<String>,
    /// Image pulls from Amazon ECR.
    #[serde(default)]
    pub ecr: EcrSpec,
    /// CloudWatch Logs groups of the awslogs driver.
    #[serde(default)]
    pub logs: LogsSpec,
    /// Secrets injected into containers or used as private registry
    /// credentials: names or ARNs.
    #[serde(default)]
    pub secrets: Vec<String>,
    /// SSM parameters injected into containers: names or ARNs.
    #[serde(default)]
    pub ssm_parameters: Vec<String>,
    /// Customer managed KMS keys (ids or key ARNs) of those secrets and
    /// parameters.
    #[serde(default)]
    pub kms_keys: Vec<String>,
    /// Let ECS pull GuardDuty's Runtime Monitoring agent: with automated
    /// agent management, ECS adds the agent as a sidecar to new Fargate
    /// tasks and pulls it with this role from the AWS-owned
    /// `aws-guardduty-agent-fargate` repository of the deployment's region
    /// (the three layer actions on that repository alone, and
    /// `ecr:GetAuthorizationToken`). Needs `deployment.region`.
    #[serde(default)]
    pub guardduty_agent: bool,
    /// Further statements.
    #[serde(default)]
    pub statements: Vec<StatementSpec>,
}

/// Amazon ECR pulls.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EcrSpec {
    /// Private repositories (names or ARNs) the images come from.
    #[serde(default)]
    pub repositories: Vec<String>,
    /// Authenticated pulls from ECR Public.
    #[serde(default)]
    pub public: bool,
    /// Only allow layer pulls from this VPC (`aws:SourceVpc`).
    #[serde(default)]
    pub source_vpc: Option<String>,
    /// Only allow layer pulls through this VPC endpoint (`aws:SourceVpce`).
    #[serde(default)]
    pub source_vpce: Option<String>,
    /// Pull-through cache rules: images of the task definitions under one
    /// of these repository prefixes may also be imported from upstream.
    #[serde(default)]
    pub pull_through_cache: Vec<PullThroughCacheSpec>,
}

/// An ECR pull-through cache rule the task definitions' images use.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PullThroughCacheSpec {
    /// The rule's repository prefix, e.g. `docker-hub`.
    pub prefix: String,
    /// The cached repository may not exist yet: allow
    /// `ecr:CreateRepository` under the prefix (the first pull creates it).
    #[serde(default)]
    pub create_repository: bool,
}

impl Spec {
    /// The pull-through cache rules, as the task definitions' needs take
    /// them.
    #[must_use]
    pub fn pull_through_caches(&self) -> Vec<crate::task_definition::needs::PullThroughCache> {
        self.execution_role
            .ecr
            .pull_through_cache
            .iter()
            .map(Into::into)
            .collect()
    }
}

impl From<&PullThroughCacheSpec> for crate::task_definition::needs::PullThroughCache {
    fn from(s: &PullThroughCacheSpec) -> Self {
        Self {
            prefix: s.prefix.clone(),
            create_repository: s.create_repository,
        }
    }
}

/// CloudWatch Logs for the awslogs log driver.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogsSpec {
    /// Log groups (names or ARNs).
    #[serde(default)]
    pub groups: Vec<String>,
    /// Allow the log driver or router to create the groups
    /// (`awslogs-create-group`; Fluent Bit's `auto_create_group`).
    #[serde(default)]
    pub create_group: bool,
}

/// A policy statement written out in full.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatementSpec {
    /// Statement id: letters and digits (default `Custom<n>`).
    #[serde(default)]
    pub sid: Option<String>,
    /// `Allow` (default) or `Deny`.
    #[serde(default)]
    pub effect: Effect,
    /// Actions, `service:Action`.
    pub actions: OneOrMany<String>,
    /// Resource ARNs (placeholders `<partition>`, `<region>`,
    /// `<account_id>`) or `*`.
    pub resources: OneOrMany<String>,
    /// Conditions: operator → key → value or values.
    #[serde(default)]
    pub conditions: BTreeMap<String, BTreeMap<String, OneOrMany<Scalar>>>,
    /// Why this `Allow` statement needs its wildcards (1 to 500 printable
    /// ASCII characters). Its `*` resources and wildcard actions are then
    /// acknowledged with this reason for checkov, cfn_nag and cdk-nag, and
    /// `check` reports them as notes.
    #[serde(default)]
    pub acknowledge: Option<String>,
}

/// A statement's effect; ordered `Allow` before `Deny`, as their names.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema,
)]
pub enum Effect {
    #[default]
    Allow,
    Deny,
}

impl Effect {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

/// A single value or a list of them, as IAM policies allow.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    #[must_use]
    pub fn as_slice(&self) -> &[T] {
        match self {
            OneOrMany::One(v) => std::slice::from_ref(v),
            OneOrMany::Many(v) => v,
        }
    }
}

/// A condition value: IAM compares strings, so numbers and booleans are
/// written as their text.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Scalar {
    String(String),
    Bool(bool),
    Integer(i64),
    Float(f64),
}

impl Scalar {
    #[must_use]
    pub fn to_text(&self) -> String {
        match self {
            Scalar::String(s) => s.clone(),
            Scalar::Bool(b) => b.to_string(),
            Scalar::Integer(i) => i.to_string(),
            Scalar::Float(x) => x.to_string(),
        }
    }
}

// Hand-written so that a wrong type is reported at the field itself
// ("invalid type: integer `5`, expected a string") rather than as an
// untagged-enum mismatch of the enclosing mapping.
impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = OneOrMany<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value or a list of values")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                T::deserialize(v.into_deserializer()).map(OneOrMany::One)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                T::deserialize(v.into_deserializer()).map(OneOrMany::One)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                T::deserialize(v.into_deserializer()).map(OneOrMany::One)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                T::deserialize(v.into_deserializer()).map(OneOrMany::One)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                T::deserialize(v.into_deserializer()).map(OneOrMany::One)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                Vec::<T>::deserialize(de::value::SeqAccessDeserializer::new(seq))
                    .map(OneOrMany::Many)
            }
        }
        deserializer.deserialize_any(V(PhantomData))
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, number or boolean")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar::String(v.to_owned()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar::Bool(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar::Integer(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(
                    i64::try_from(v)
                        .map_or_else(|_| Scalar::String(v.to_string()), Scalar::Integer),
                )
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar::Float(v))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// A parsed spec with what is needed to point back into its file.
#[derive(Debug, Clone)]
pub struct Source {
    /// Where the spec is, as messages name it: a path, or `<rev>:<path>`
    /// for a spec read at a git revision.
    pub path: PathBuf,
    /// The spec's file name, as generated files name their source: the
    /// same at a revision as in the working tree.
    pub file_name: String,
    pub spec: Spec,
    pub locations: Locations,
    /// The task definitions `spec.task_definitions` names, read by
    /// [`Source::read_task_definitions`]; empty until then.
    pub task_definitions: Vec<TaskDefinition>,
}

impl Source {
    /// Read the task definitions the spec names, relative to the spec's
    /// folder, with `read` supplying each file's bytes. With a `tree`, every
    /// entry must stay inside it: all that do not are reported together,
    /// before any file is read.
    ///
    /// # Errors
    /// An entry outside `tree`, a file that cannot be read (located at the
    /// spec's entry), or a problem inside one (located in that file).
    pub fn read_task_definitions(
        &mut self,
        read: &dyn Fn(&Path) -> Result<Vec<u8>, std::io::Error>,
        tree: Option<&SpecTree>,
    ) -> Result<(), Error> {
        let base = self.path.parent().unwrap_or(Path::new("")).to_owned();
        let entries = self.spec.task_definitions.clone();
        let field = |i: usize| entries[i].file_field(i);
        if let Some(tree) = tree {
            let mut outside: Vec<Error> = self
                .spec
                .task_definitions
                .iter()
                .enumerate()
                .filter_map(|(i, entry)| {
                    let problem = tree.check(entry.file(), &base).err()?;
                    Some(Error::Invalid {
                        at: self.locations.at(&field(i)),
                        field: field(i),
                        problem: Box::new(problem),
                    })
                })
                .collect();
            outside.sort_by_key(|e| match e {
                Error::Invalid { at, .. } => (at.line, at.column),
                _ => (0, 0),
            });
            match outside.len() {
                0 => {}
                1 => return Err(outside.remove(0)),
                _ => return Err(Error::Several(outside)),
            }
        }
        let spec_parameters = self.spec.task_definition_parameters();
        let mut out = Vec::new();
        let mut unused_own = Vec::new();
        for (i, entry) in self.spec.task_definitions.iter().enumerate() {
            let reference = entry.file();
            let mut parameters = spec_parameters.clone();
            if let Some(own) = entry.parameters() {
                parameters
                    .values
                    .extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
            let field = field(i);
            let at = self.locations.at(&field);
            let reader = |p: &Path| {
                read(p).map_err(|e| match crate::input::bytes::into_error(e) {
                    Ok(error) => error,
                    Err(e) => Error::Invalid {
                        at: at.clone(),
                        field: field.clone(),
                        problem: Box::new(crate::error::Problem::TaskDefinitionUnreadable {
                            path: p.to_owned(),
                            message: e.to_string(),
                        }),
                    },
                })
            };
            let task = crate::task_definition::load(reference, &base, &reader, &parameters)?;
            // An entry's own value no template of its file uses.
            for k in entry.parameters().into_iter().flat_map(BTreeMap::keys) {
                if !task.used_parameters.contains(k) {
                    unused_own.push(crate::task_definition::Warning {
                        at: self
                            .locations
                            .at(&format!("task_definitions[{i}].parameters.{k}")),
                        path: format!("task_definitions[{i}]"),
                        name: k.clone(),
                        kind: crate::task_definition::WarningKind::UnusedParameter,
                    });
                }
            }
            out.push(task);
        }
        // A value given for a name no template uses is most likely a
        // misspelt one: said beside the first task definition's warnings.
        let used: std::collections::BTreeSet<&String> =
            out.iter().flat_map(|t| &t.used_parameters).collect();
        let unused: Vec<crate::task_definition::Warning> = self
            .spec
            .parameters
            .keys()
            .filter(|k| !used.contains(k))
            .map(|k| crate::task_definition::Warning {
                at: self.locations.at(&format!("parameters.{k}")),
                path: String::new(),
                name: k.clone(),
                kind: crate::task_definition::WarningKind::UnusedParameter,
            })
            .collect();
        if let Some(first) = out.first_mut() {
            first.warnings.extend(unused);
            first.warnings.extend(unused_own);
        }
        self.task_definitions = out;
        Ok(())
    }
}

/// The largest spec file read; real specs are a few kilobytes.
pub const MAX_SPEC_BYTES: u64 = 1024 * 1024;

/// Whether a file name is a spec's: `.yaml`, `.yml` or `.json`.
#[must_use]
pub fn is_spec_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
}

/// Spec files named on the command line, folders expanded to their
/// `.yaml`, `.yml` and `.json` files in name order.
///
/// # Errors
/// A folder cannot be read or holds no spec files.
pub fn find_specs(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|source| Error::Read {
                    path: p.clone(),
                    source,
                })?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|f| f.is_file() && is_spec_name(f))
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(Error::NoSpecs { path: p.clone() });
            }
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// Read and parse a spec file (`.json` as JSON, anything else as YAML),
/// and the task definitions it names, where `reach` allows.
///
/// # Errors
/// The file cannot be read, does not parse into a [`Spec`], or names a task
/// definition outside its tree or one that cannot be read.
pub fn load(path: &Path, reach: Reach) -> Result<Source, Error> {
    load_with(path, reach, &BTreeMap::new())
}

/// [`load`], with `parameters` (from the command line) added to the
/// spec's own, replacing any of the same name.
///
/// # Errors
/// As [`load`].
pub fn load_with(
    path: &Path,
    reach: Reach,
    parameters: &BTreeMap<String, String>,
) -> Result<Source, Error> {
    let bytes = crate::input::bytes::read(path, FileKind::Spec, MAX_SPEC_BYTES)?;
    let mut source = from_bytes(path, bytes)?;
    source.spec.parameters.extend(parameters.clone());
    let tree = match reach {
        Reach::Tree if !source.spec.task_definitions.is_empty() => Some(SpecTree::of_file(path)?),
        _ => None,
    };
    source.read_task_definitions(&read_task_definition, tree.as_ref())?;
    Ok(source)
}

/// A task definition's bytes from disk, through the task definition cap.
///
/// # Errors
/// The file cannot be read, or is larger than a task definition may be
/// (an I/O error carrying [`Error::TooLarge`]).
pub fn read_task_definition(path: &Path) -> std::io::Result<Vec<u8>> {
    crate::input::bytes::read_io(
        path,
        FileKind::TaskDefinition,
        crate::task_definition::MAX_TASK_DEFINITION_BYTES,
    )
}

/// Parse a spec's bytes (read from disk or from a git revision); `path`
/// names it in errors.
///
/// # Errors
/// The bytes are too many, not UTF-8, or do not parse into a [`Spec`].
pub fn from_bytes(path: &Path, bytes: Vec<u8>) -> Result<Source, Error> {
    if bytes.len() as u64 > MAX_SPEC_BYTES {
        return Err(crate::input::bytes::too_large(
            path,
            FileKind::Spec,
            Some(bytes.len() as u64),
            MAX_SPEC_BYTES,
        ));
    }
    let text = crate::input::bytes::text(path, bytes)?;
    parse(path, &text)
}

/// Parse spec text; `path` names the file in errors and picks the format.
///
/// # Errors
/// The text does not parse into a [`Spec`].
pub fn parse(path: &Path, text: &str) -> Result<Source, Error> {
    // A byte-order mark, as some Windows editors write, is not content.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let locations = Locations::index(path, text);
    // The YAML parser behind serde takes time quadratic in the nesting
    // depth; a spec nests six levels, so refuse a deep text before it.
    if let Some(at) = locations.too_deep.clone() {
        return Err(Error::TooDeep {
            at,
            kind: FileKind::Spec,
        });
    }
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if !is_json {
        crate::input::yaml::check(path, text, FileKind::Spec)?;
    }
    let spec = if is_json {
        serde_json::from_str::<Spec>(text).map_err(|e| {
            let (line, column) = (e.line().max(1), e.column().max(1));
            let message = strip_position(&e.to_string());
            // serde_json gives a position but no path; find the node there.
            let field = message
                .strip_prefix("unknown field `")
                .or_else(|| message.strip_prefix("duplicate field `"))
                .and_then(|r| r.split('`').next());
            let found = match field {
                Some(f) => locations.find_before(Some(f), line, column),
                None => locations.find_before(None, line, column),
            };
            match found {
                Some((path, at)) => {
                    let parent = if field.is_some() {
                        path.rfind(['.', '[']).map_or("", |i| &path[..i]).to_owned()
                    } else {
                        path
                    };
                    let message = if parent.is_empty() {
                        message
                    } else {
                        format!("{parent}: {message}")
                    };
                    from_serde_message(at, &message, &locations)
                }
                None => from_serde_message(locations.location(line, column), &message, &locations),
            }
        })?
    } else {
        serde_yaml::from_str::<Spec>(text).map_err(|e| {
            let mut message = e.to_string();
            // The scanner's own errors give a byte position instead.
            let at_index = message.rfind(" at position ").and_then(|i| {
                let n = message[i + " at position ".len()..].parse::<usize>().ok()?;
                message.truncate(i);
                Some(n)
            });
            let at = match (e.location(), at_index) {
                (_, Some(index)) => {
                    let before = &text.as_bytes()[..index.min(text.len())];
                    let line = before.split(|&b| b == b'\n').count();
                    let start = before
                        .iter()
                        .rposition(|&b| b == b'\n')
                        .map_or(0, |p| p + 1);
                    let column = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
                    locations.location(line, column)
                }
                (Some(l), None) => locations.location(l.line(), l.column()),
                (None, None) => locations.location(1, 1),
            };
            let message = strip_position(&message);
            from_serde_message(at, &message, &locations)
        })?
    };
    // serde keeps the last of two equal keys in a map (`tags`, conditions)
    // without a word; a spec that says two things is refused.
    if let Some((path, at)) = locations.first_duplicate() {
        return Err(Error::DuplicateKey { at, path });
    }
    Ok(Source {
        path: path.to_owned(),
        file_name: path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        spec,
        locations,
        task_definitions: Vec::new(),
    })
}

/// serde_yaml and serde_json put " at line N column M" in their messages;
/// the location is reported separately.
fn strip_position(message: &str) -> String {
    let mut out = message.to_owned();
    while let Some(i) = out.find(" at line ") {
        let rest = &out[i + " at line ".len()..];
        let digits = |s: &str| s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let n = digits(rest);
        let Some(after) = rest[n..].strip_prefix(" column ") else {
            break;
        };
        let m = digits(after);
        if n == 0 || m == 0 {
            break;
        }
        let end = i + " at line ".len() + n + " column ".len() + m;
        out.replace_range(i..end, "");
    }
    out
}

/// Turn serde's messages into ecs-iam's: unknown fields and variants with a
/// suggestion, the rest with the serde text and a hint where one helps.
fn from_serde_message(at: Location, message: &str, locations: &Locations) -> Error {
    // serde_yaml prefixes the path: "task_role.secrets: unknown field ...".
    let (path, body) = match message.split_once(": ") {
        Some((p, b)) if !p.contains(' ') && !p.contains('`') => (p.to_owned(), b.to_owned()),
        _ => (String::new(), message.to_owned()),
    };
    if let Some(rest) = body.strip_prefix("unknown field `")
        && let Some((field, tail)) = rest.split_once('`')
    {
        let expected = backticked_items(tail);
        return Error::UnknownField(Box::new(Unknown {
            at,
            name: field.to_owned(),
            field: path,
            suggestion: suggest(field, expected.iter().map(String::as_str)),
            expected,
        }));
    }
    if let Some(rest) = body.strip_prefix("unknown variant `")
        && let Some((value, tail)) = rest.split_once('`')
    {
        let expected = backticked_items(tail);
        return Error::UnknownVariant(Box::new(Unknown {
            at,
            name: value.to_owned(),
            field: path,
            suggestion: suggest(value, expected.iter().map(String::as_str)),
            expected,
        }));
    }
    if let Some(rest) = body.strip_prefix("missing field `")
        && let Some((field, _)) = rest.split_once('`')
    {
        let field = if path.is_empty() {
            field.to_owned()
        } else {
            format!("{path}.{field}")
        };
        return Error::MissingField { at, field };
    }
    if let Some(rest) = body.strip_prefix("duplicate field `")
        && let Some((field, _)) = rest.split_once('`')
        && let Some((path, at)) = locations.duplicate(field)
    {
        return Error::DuplicateKey { at, path };
    }
    if body.starts_with("deserializing from YAML containing more than one document") {
        return Error::SeveralDocuments { at };
    }
    let mut message = message.to_owned();
    // Name the expected shape in the spec's terms, not Rust's.
    for (rust, words) in [
        ("expected field identifier", "expected a field name"),
        ("expected u64", "expected a whole number"),
        ("expected a boolean", "expected true or false"),
        ("expected a map", "expected a mapping"),
    ] {
        message = message.replace(rust, words);
    }
    if let Some(i) = message.find("expected struct ") {
        message.truncate(i);
        message.push_str("expected a mapping of fields");
    }
    if body.starts_with("invalid type: integer") && body.ends_with("expected a string") {
        message.push_str("; quote the value");
    }
    Error::Syntax { at, message }
}

fn backticked_items(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        parse(Path::new("s.yaml"), text).unwrap_err().to_string()
    }

    #[test]
    fn unknown_field_suggests() {
        let e = err("version: 1\nname: x\ntask_role:\n  secret: {}\n");
        assert_eq!(
            e,
            "s.yaml:4:3: unknown field `secret` in `task_role`; did you mean `secrets`?"
        );
    }

    #[test]
    fn unknown_variant_suggests() {
        let e =
            err("version: 1\nname: x\ntask_role:\n  s3:\n    - bucket: b\n      access: [reed]\n");
        assert!(e.contains("unknown value `reed`"), "{e}");
        assert!(e.contains("did you mean `read`?"), "{e}");
    }

    #[test]
    fn unquoted_account_id_keeps_its_digits() {
        // A YAML plain scalar read as a string keeps its text: no octal, no
        // lost leading zero.
        let s = parse(
            Path::new("s.yaml"),
            "version: 1\nname: x\ndeployment:\n  account_id: 012345678901\n",
        )
        .unwrap();
        assert_eq!(
            s.spec.deployment.account_id.as_deref(),
            Some("012345678901")
        );
        let e = parse(
            Path::new("s.json"),
            "{\"version\": 1, \"name\": \"x\", \"deployment\": {\"account_id\": 123456789012}}",
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            e,
            "s.json:1:58: deployment.account_id: invalid type: integer `123456789012`, expected a string; quote the value"
        );
    }
}
