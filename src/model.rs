//! The two roles of a workload, normalised: defaults applied, names turned
//! into partition-aware ARNs, statements built, sorted and checked against
//! IAM's rules. Everything the templates print is decided here.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::json;

use crate::arn::{self, Env, GLOBAL, NO_SCOPE, Partition, REGIONAL, Segment, Text};
use crate::checkov;
use crate::error::{Error, Problem, suggest};
use crate::spec::{self, S3Access, Source, StatementSpec, TrustSpec};

/// IAM's limit on a role's inline policies together, whitespace not counted.
pub const MAX_INLINE_POLICY: usize = 10_240;

/// The longest reason a statement's `acknowledge` may give.
pub const MAX_ACKNOWLEDGEMENT: usize = 500;

/// The service principal of ECS tasks.
pub const ECS_TASKS: &str = "ecs-tasks.amazonaws.com";
/// The service principal of EC2 instances (EC2 launch type).
pub const EC2: &str = "ec2.amazonaws.com";

/// AWS managed policies known by name, with their paths.
const AWS_MANAGED: &[(&str, &str)] = &[
    ("AWSXRayDaemonWriteAccess", "/"),
    ("AmazonEC2ContainerRegistryReadOnly", "/"),
    ("AmazonECSTaskExecutionRolePolicy", "/service-role/"),
    ("AmazonS3ReadOnlyAccess", "/"),
    ("AmazonSSMManagedInstanceCore", "/"),
    ("AmazonSSMReadOnlyAccess", "/"),
    ("CloudWatchAgentServerPolicy", "/"),
    ("CloudWatchLogsFullAccess", "/"),
    ("SecretsManagerReadWrite", "/"),
];

const CONDITION_OPERATORS: &[&str] = &[
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "BinaryEquals",
    "Bool",
    "DateEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateNotEquals",
    "IpAddress",
    "NotIpAddress",
    "Null",
    "NumericEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericNotEquals",
    "StringEquals",
    "StringEqualsIgnoreCase",
    "StringLike",
    "StringNotEquals",
    "StringNotEqualsIgnoreCase",
    "StringNotLike",
];

/// A workload's two roles, ready to render.
#[derive(Debug, Clone, Serialize)]
pub struct Model {
    /// The spec's `name`; the output folder.
    pub name: String,
    /// The spec's `description`.
    pub description: Option<String>,
    /// File name of the spec, for the do-not-edit line.
    pub spec_file: String,
    /// One line on what the files declare (CloudFormation `Description`).
    pub summary: String,
    /// Tags of both roles.
    pub tags: Vec<Tag>,
    /// Which deploy-time values the roles refer to.
    pub uses: Uses,
    /// The task role, then the execution role.
    pub roles: Vec<Role>,
    /// ARNs that name a partition literally while the deployment pins none.
    #[serde(skip)]
    pub hard_coded: Vec<HardCodedArn>,
}

/// An ARN of the spec written with a literal partition (`arn:aws:...`)
/// while `deployment.partition` is not set: used as written, and reported
/// by `check` because it breaks in the other partitions.
#[derive(Debug, Clone)]
pub struct HardCodedArn {
    /// The spec field, e.g. `task_role.secrets.read[0]`.
    pub field: String,
    pub value: String,
    pub partition: Partition,
}

/// Deploy-time values used anywhere in the roles (Terraform declares a data
/// source only for those).
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Uses {
    pub partition: bool,
    pub region: bool,
    pub account_id: bool,
}

/// One IAM role.
#[derive(Debug, Clone, Serialize)]
pub struct Role {
    /// `task` or `execution`: Terraform resource names and output prefixes.
    pub key: &'static str,
    /// CloudFormation logical id.
    pub logical_id: &'static str,
    /// CDK file stem (`task-role`, `execution-role`).
    pub file_stem: &'static str,
    /// What the role is, in words (`task role`, `task execution role`).
    pub title: &'static str,
    pub name: String,
    pub description: Option<String>,
    pub path: Option<String>,
    pub permissions_boundary: Option<Text>,
    pub max_session_duration: Option<u64>,
    pub tags: Vec<Tag>,
    /// Trust policy statements (service principals, `sts:AssumeRole`).
    pub trust: Vec<Statement>,
    /// The inline permission policy; absent when the role has no grants.
    pub policy: Option<Policy>,
    pub managed_policies: Vec<ManagedPolicy>,
    /// Scanner findings that only unavoidable wildcards, or wildcards the
    /// spec acknowledges, cause.
    pub acknowledgements: Acknowledgements,
}

/// A role tag.
#[derive(Debug, Clone, Serialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// An inline policy.
#[derive(Debug, Clone, Serialize)]
pub struct Policy {
    pub name: String,
    pub statements: Vec<Statement>,
}

/// A managed policy attachment.
#[derive(Debug, Clone, Serialize)]
pub struct ManagedPolicy {
    /// The policy's name: a stable key (Terraform `for_each`).
    pub name: String,
    pub arn: Text,
}

/// A policy statement. Trust statements have `principals` and no
/// `resources`; permission statements the reverse.
#[derive(Debug, Clone, Serialize)]
pub struct Statement {
    pub sid: String,
    pub effect: &'static str,
    /// Service principals, sorted.
    pub principals: Vec<String>,
    /// Actions, sorted.
    pub actions: Vec<String>,
    /// Resources, sorted.
    pub resources: Vec<Text>,
    /// Conditions, grouped by operator; operators and keys sorted.
    pub conditions: Vec<ConditionGroup>,
    /// The spec field this statement comes from.
    #[serde(skip)]
    pub origin: String,
    /// Why this generated statement holds a wildcard no narrower grant
    /// avoids; `None` for everything else, custom statements included.
    #[serde(skip)]
    pub wildcard: Option<Wildcard>,
    /// The spec author's reason for this custom statement's wildcards
    /// (`acknowledge`).
    #[serde(skip)]
    pub acknowledged: Option<String>,
}

/// Wildcards IAM leaves no way around.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wildcard {
    /// Actions without resource-level permissions: AWS requires `"*"`.
    NoResourceScope,
    /// Log streams, named by the awslogs driver at run time.
    LogStreams,
    /// Object keys, chosen by the application at run time.
    ObjectKeys,
}

/// A scanner finding acknowledged in the output, with its reason.
#[derive(Debug, Clone, Serialize)]
pub struct Acknowledgement {
    pub id: String,
    pub reason: String,
}

/// The findings of each scanner that only an unavoidable wildcard causes.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Acknowledgements {
    /// checkov check ids for CloudFormation `Metadata`.
    pub checkov: Vec<Acknowledgement>,
    /// checkov check ids for the Terraform policy document's comments: the
    /// same, and `CKV_AWS_356`, which checkov runs on Terraform only.
    pub checkov_terraform: Vec<Acknowledgement>,
    /// cfn_nag rule ids (CloudFormation `Metadata`).
    pub cfn_nag: Vec<Acknowledgement>,
    /// cdk-nag finding ids (`cdk/nag-acknowledgements.json`).
    pub cdk_nag: Vec<Acknowledgement>,
}

/// The conditions of one operator.
#[derive(Debug, Clone, Serialize)]
pub struct ConditionGroup {
    /// The operator, e.g. `StringEquals`.
    pub test: String,
    /// Keys and their values, sorted by key.
    pub entries: Vec<ConditionEntry>,
}

/// One condition key and its values (sorted).
#[derive(Debug, Clone, Serialize)]
pub struct ConditionEntry {
    pub variable: String,
    pub values: Vec<Text>,
}

/// A condition before grouping.
struct Condition {
    test: String,
    variable: String,
    values: Vec<Text>,
}

/// Build the model of a parsed spec.
///
/// # Errors
/// The first value AWS or ecs-iam would reject, located in the spec file.
pub fn build(source: &Source) -> Result<Model, Error> {
    let b = Builder::new(source)?;
    let s = &source.spec;

    check_name(&b, "name", &s.name)?;
    if let Some(d) = &s.description {
        b.check_description("description", d)?;
    }
    let path = s.path.clone();
    if let Some(p) = &path
        && !is_iam_path(p)
    {
        return Err(b.invalid("path", Problem::BadPath { value: p.clone() }));
    }
    let boundary = s
        .permissions_boundary
        .as_ref()
        .map(|v| b.boundary("permissions_boundary", v))
        .transpose()?;
    let tags = b.tags()?;

    let common = Common {
        path,
        boundary,
        tags,
    };
    let task = b.task_role(&common)?;
    let execution = b.execution_role(&common)?;
    if task.name == execution.name {
        let field = if s.execution_role.name.is_some() {
            "execution_role.name"
        } else {
            "task_role.name"
        };
        return Err(b.invalid(field, Problem::SameRoleName { name: task.name }));
    }

    let mut model = Model {
        summary: format!("ECS task role and task execution role of {}", s.name),
        tags: common.tags.clone(),
        name: s.name.clone(),
        description: s.description.clone(),
        spec_file: source
            .path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        uses: Uses::default(),
        roles: vec![task, execution],
        hard_coded: b.hard_coded.take(),
    };
    model.uses = uses(&model);
    for role in &model.roles {
        let size = policy_size(role);
        if size > MAX_INLINE_POLICY {
            let field = if role.key == "task" {
                "task_role"
            } else {
                "execution_role"
            };
            return Err(b.invalid(
                field,
                Problem::PolicyTooLarge {
                    role: role.title,
                    size,
                },
            ));
        }
    }
    Ok(model)
}

struct Common {
    path: Option<String>,
    boundary: Option<Text>,
    tags: Vec<Tag>,
}

struct Builder<'a> {
    source: &'a Source,
    env: Env,
    hard_coded: RefCell<Vec<HardCodedArn>>,
}

impl<'a> Builder<'a> {
    fn new(source: &'a Source) -> Result<Self, Error> {
        let s = &source.spec;
        let mut b = Builder {
            source,
            env: Env::default(),
            hard_coded: RefCell::default(),
        };
        if s.version != 1 {
            return Err(b.invalid("version", Problem::UnsupportedVersion { found: s.version }));
        }
        let d = &s.deployment;
        if let Some(p) = &d.partition {
            b.env.partition =
                Some(Partition::parse(p).map_err(|e| b.invalid("deployment.partition", e))?);
        }
        if let Some(r) = &d.region {
            if !arn::is_region(r) {
                return Err(b.invalid("deployment.region", Problem::Region { value: r.clone() }));
            }
            if let Some(p) = b.env.partition
                && Partition::of_region(r) != p
            {
                return Err(b.invalid(
                    "deployment.region",
                    Problem::RegionPartition {
                        region: r.clone(),
                        partition: p.as_str().to_owned(),
                    },
                ));
            }
            b.env.region = Some(r.clone());
        }
        if let Some(a) = &d.account_id {
            if !arn::is_account_id(a) {
                return Err(b.invalid(
                    "deployment.account_id",
                    Problem::AccountId { value: a.clone() },
                ));
            }
            b.env.account = Some(a.clone());
        }
        Ok(b)
    }

    /// Parse an ARN the spec wrote in `field`, noting a literal partition.
    fn user_arn(
        &self,
        field: &str,
        value: &str,
        service: Option<&str>,
        what: &'static str,
    ) -> Result<arn::Arn, Error> {
        let a = self
            .env
            .user_arn(value, service, what)
            .map_err(|p| self.invalid(field, p))?;
        if let Some(partition) = a.hard_coded {
            self.hard_coded.borrow_mut().push(HardCodedArn {
                field: field.to_owned(),
                value: value.to_owned(),
                partition,
            });
        }
        Ok(a)
    }

    fn invalid(&self, field: &str, problem: Problem) -> Error {
        Error::Invalid {
            at: self.source.locations.at(field),
            field: field.to_owned(),
            problem: Box::new(problem),
        }
    }

    fn check_description(&self, field: &str, d: &str) -> Result<(), Error> {
        // IAM: at most 1000 characters of tab, LF, CR, printable ASCII and
        // Latin-1 supplement (U+00A1..U+00FF).
        let length = d.chars().count();
        if length > 1000 {
            return Err(self.invalid(field, Problem::DescriptionLength { length }));
        }
        if let Some(character) = d
            .chars()
            .find(|&c| !(matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{a1}'..='\u{ff}')))
        {
            return Err(self.invalid(field, Problem::DescriptionCharacter { character }));
        }
        Ok(())
    }

    fn tags(&self) -> Result<Vec<Tag>, Error> {
        let tags = &self.source.spec.tags;
        if tags.len() > 50 {
            return Err(self.invalid("tags", Problem::TooManyTags { count: tags.len() }));
        }
        let allowed = |c: char| {
            c.is_alphanumeric()
                || c == ' '
                || matches!(c, '_' | '.' | ':' | '/' | '=' | '+' | '-' | '@')
        };
        let mut out = Vec::new();
        for (key, value) in tags {
            let field = format!("tags.{key}");
            if key.is_empty() || key.chars().count() > 128 {
                return Err(self.invalid(&field, Problem::TagKeyLength { key: key.clone() }));
            }
            if key.to_ascii_lowercase().starts_with("aws:") {
                return Err(self.invalid(&field, Problem::TagReserved { key: key.clone() }));
            }
            let length = value.chars().count();
            if length > 256 {
                return Err(self.invalid(
                    &field,
                    Problem::TagValueLength {
                        key: key.clone(),
                        length,
                    },
                ));
            }
            for text in [key, value] {
                if let Some(character) = text.chars().find(|&c| !allowed(c)) {
                    return Err(self.invalid(
                        &field,
                        Problem::TagCharacter {
                            text: text.clone(),
                            character,
                        },
                    ));
                }
            }
            out.push(Tag {
                key: key.clone(),
                value: value.clone(),
            });
        }
        Ok(out)
    }

    fn boundary(&self, field: &str, value: &str) -> Result<Text, Error> {
        if value.starts_with("arn:") {
            let a = self.typed_arn(
                field,
                value,
                "iam",
                "an IAM policy ARN (`arn:<partition>:iam::<account_id>:policy/<name>`)",
                "policy/",
                "an IAM policy (`...:policy/<name>`)",
            )?;
            return Ok(a.text);
        }
        if !is_iam_name(value, 128) {
            return Err(self.invalid(
                field,
                Problem::Name {
                    kind: "policy name",
                    value: value.to_owned(),
                    allowed: "give a policy ARN, or a policy name of letters, digits and `+=,.@_-`",
                },
            ));
        }
        Ok(self.env.arn("iam", GLOBAL, &format!("policy/{value}")))
    }

    fn managed(&self, field: &str, list: &[String]) -> Result<Vec<ManagedPolicy>, Error> {
        let mut out: BTreeMap<String, ManagedPolicy> = BTreeMap::new();
        for (i, value) in list.iter().enumerate() {
            let field = format!("{field}[{i}]");
            let (name, arn) = if value.starts_with("arn:") {
                let a = self.typed_arn(
                    &field,
                    value,
                    "iam",
                    "a managed policy ARN (`arn:<partition>:iam::aws:policy/<name>`)",
                    "policy/",
                    "a managed policy (`...:policy/<name>`)",
                )?;
                let name = a.resource.rsplit('/').next().unwrap_or_default().to_owned();
                (name, a.text)
            } else {
                let Some((name, path)) = AWS_MANAGED.iter().find(|(n, _)| n == value) else {
                    return Err(self.invalid(
                        &field,
                        Problem::UnknownManagedPolicy {
                            value: value.clone(),
                        },
                    ));
                };
                let mut t = Text::literal("arn:");
                t.push(self.env.partition());
                t.push_str(&format!(":iam::aws:policy{path}{name}"));
                ((*name).to_owned(), t)
            };
            if out.contains_key(&name) {
                return Err(self.invalid(
                    &field,
                    Problem::Duplicate {
                        value: value.clone(),
                    },
                ));
            }
            out.insert(name.clone(), ManagedPolicy { name, arn });
        }
        Ok(out.into_values().collect())
    }

    fn role_name(
        &self,
        field: &str,
        explicit: Option<&String>,
        suffix: &str,
    ) -> Result<String, Error> {
        let (name, field) = match explicit {
            Some(n) => (n.clone(), field.to_owned()),
            None => (
                format!("{}-{suffix}", self.source.spec.name),
                "name".to_owned(),
            ),
        };
        if let Some(character) = name
            .chars()
            .find(|&c| !(c.is_ascii_alphanumeric() || "+=,.@_-".contains(c)))
        {
            return Err(self.invalid(&field, Problem::RoleNameCharacter { name, character }));
        }
        let length = name.chars().count();
        if length > 64 || length == 0 {
            return Err(self.invalid(&field, Problem::RoleNameTooLong { name, length }));
        }
        Ok(name)
    }

    fn description(
        &self,
        field: &str,
        explicit: Option<&String>,
        what: &str,
    ) -> Result<String, Error> {
        let s = &self.source.spec;
        match explicit {
            Some(d) => {
                self.check_description(field, d)?;
                Ok(d.clone())
            }
            None => {
                let d = match &s.description {
                    Some(d) => format!("{what} of {}: {d}", s.name),
                    None => format!("{what} of {}", s.name),
                };
                // The spec description was checked; only the length can grow.
                self.check_description("description", &d)?;
                Ok(d)
            }
        }
    }

    fn session(&self, field: &str, value: Option<u64>) -> Result<Option<u64>, Error> {
        match value {
            Some(v) if !(3600..=43200).contains(&v) => {
                Err(self.invalid(field, Problem::SessionDuration { value: v }))
            }
            other => Ok(other),
        }
    }

    fn trust(
        &self,
        field: &str,
        trust: &TrustSpec,
        deputy_default: bool,
    ) -> Result<Vec<Statement>, Error> {
        let services: BTreeSet<String> = match &trust.services {
            None => BTreeSet::from([ECS_TASKS.to_owned()]),
            Some(list) => {
                let mut set = BTreeSet::new();
                for (i, s) in list.iter().enumerate() {
                    if s != ECS_TASKS && s != EC2 {
                        return Err(self.invalid(
                            &format!("{field}.services[{i}]"),
                            Problem::UnknownService {
                                value: s.clone(),
                                suggestion: suggest(s, [ECS_TASKS, EC2]),
                            },
                        ));
                    }
                    set.insert(s.clone());
                }
                if !set.contains(ECS_TASKS) {
                    return Err(
                        self.invalid(&format!("{field}.services"), Problem::MissingEcsTasks)
                    );
                }
                set
            }
        };
        let deputy = trust.confused_deputy.unwrap_or(deputy_default);
        let mut out = Vec::new();
        let mut conditions = Vec::new();
        if deputy {
            // AWS: the conditions must sit on the statement that names the
            // principal; a separate statement would be ORed away.
            let mut source_arn = Text::literal("arn:");
            source_arn.push(self.env.partition());
            source_arn.push_str(":ecs:");
            source_arn.push(self.env.region());
            source_arn.push_str(":");
            source_arn.push(self.env.account());
            source_arn.push_str(":*");
            let mut account = Text::default();
            account.push(self.env.account());
            conditions = group_conditions(vec![
                condition("ArnLike", "aws:SourceArn", vec![source_arn]),
                condition("StringEquals", "aws:SourceAccount", vec![account]),
            ]);
        }
        out.push(Statement {
            sid: "EcsTasksAssumeRole".to_owned(),
            effect: "Allow",
            principals: vec![ECS_TASKS.to_owned()],
            actions: vec!["sts:AssumeRole".to_owned()],
            resources: Vec::new(),
            conditions,
            origin: format!("{field}.services"),
            wildcard: None,
            acknowledged: None,
        });
        if services.contains(EC2) {
            // EC2 assumes the role with the instance as source, so the ECS
            // SourceArn condition cannot apply to it.
            out.push(Statement {
                sid: "Ec2AssumeRole".to_owned(),
                effect: "Allow",
                principals: vec![EC2.to_owned()],
                actions: vec!["sts:AssumeRole".to_owned()],
                resources: Vec::new(),
                conditions: Vec::new(),
                origin: format!("{field}.services"),
                wildcard: None,
                acknowledged: None,
            });
        }
        Ok(out)
    }

    /// An ARN from the spec that must name `service` and a resource whose
    /// id starts with `prefix` (e.g. `secret:`).
    fn typed_arn(
        &self,
        field: &str,
        value: &str,
        service: &str,
        what: &'static str,
        prefix: &str,
        kind: &'static str,
    ) -> Result<arn::Arn, Error> {
        let a = self.user_arn(field, value, Some(service), what)?;
        if !a.resource.starts_with(prefix) {
            return Err(self.invalid(
                field,
                Problem::WrongResourceType {
                    value: value.to_owned(),
                    expected: kind,
                },
            ));
        }
        Ok(a)
    }

    fn secret(&self, field: &str, value: &str) -> Result<Text, Error> {
        if value == "*" {
            return Ok(Text::literal("*"));
        }
        if value.starts_with("arn:") {
            let a = self.typed_arn(
                field,
                value,
                "secretsmanager",
                "a Secrets Manager secret ARN",
                "secret:",
                "a secret (`...:secret:<name>`)",
            )?;
            return Ok(a.text);
        }
        if value.is_empty()
            || value.len() > 512
            || !value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/_+=.@-*?".contains(c))
        {
            return Err(self.invalid(
                field,
                Problem::Name {
                    kind: "secret name",
                    value: value.to_owned(),
                    allowed: "use letters, digits and `/_+=.@-`, or give the secret's ARN",
                },
            ));
        }
        // Secrets Manager appends `-` and six random characters to the name.
        let resource = if value.ends_with('*') {
            format!("secret:{value}")
        } else {
            format!("secret:{value}-??????")
        };
        Ok(self.env.arn("secretsmanager", REGIONAL, &resource))
    }

    fn kms_key(&self, field: &str, value: &str) -> Result<Text, Error> {
        if value.starts_with("alias/") || value.contains(":alias/") {
            return Err(self.invalid(
                field,
                Problem::KmsAlias {
                    value: value.to_owned(),
                },
            ));
        }
        if value.starts_with("arn:") {
            let a = self.typed_arn(
                field,
                value,
                "kms",
                "a KMS key ARN",
                "key/",
                "a KMS key (`...:key/<key-id>`)",
            )?;
            return Ok(a.text);
        }
        if !is_kms_key_id(value) {
            return Err(self.invalid(
                field,
                Problem::KmsKeyId {
                    value: value.to_owned(),
                },
            ));
        }
        Ok(self.env.arn("kms", REGIONAL, &format!("key/{value}")))
    }

    fn repository(&self, field: &str, value: &str) -> Result<Text, Error> {
        if value.starts_with("arn:") {
            let a = self.typed_arn(
                field,
                value,
                "ecr",
                "an ECR repository ARN",
                "repository/",
                "an ECR repository (`...:repository/<name>`)",
            )?;
            return Ok(a.text);
        }
        if value.len() < 2
            || value.len() > 256
            || !value
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._/-*".contains(c))
        {
            return Err(self.invalid(
                field,
                Problem::Name {
                    kind: "ECR repository name",
                    value: value.to_owned(),
                    allowed: "use 2 to 256 lowercase letters, digits and `._/-`, or give the repository ARN",
                },
            ));
        }
        Ok(self
            .env
            .arn("ecr", REGIONAL, &format!("repository/{value}")))
    }

    fn log_group(&self, field: &str, value: &str) -> Result<Text, Error> {
        if value.starts_with("arn:") {
            let a = self.typed_arn(
                field,
                value,
                "logs",
                "a CloudWatch Logs log group ARN",
                "log-group:",
                "a log group (`...:log-group:<name>:*`)",
            )?;
            return Ok(a.text);
        }
        if value.is_empty()
            || value.len() > 512
            || !value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-/#*".contains(c))
        {
            return Err(self.invalid(
                field,
                Problem::Name {
                    kind: "log group name",
                    value: value.to_owned(),
                    allowed: "use letters, digits and `._-/#`, or give the log group ARN",
                },
            ));
        }
        // Log streams (PutLogEvents) live under `log-group:<name>:log-stream:`.
        Ok(self
            .env
            .arn("logs", REGIONAL, &format!("log-group:{value}:*")))
    }

    fn parameter(&self, field: &str, value: &str) -> Result<Text, Error> {
        if value.starts_with("arn:") {
            let a = self.typed_arn(
                field,
                value,
                "ssm",
                "an SSM parameter ARN",
                "parameter/",
                "an SSM parameter (`...:parameter/<name>`)",
            )?;
            return Ok(a.text);
        }
        let name = value.strip_prefix('/').unwrap_or(value);
        if name.is_empty()
            || name.len() > 2048
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-/*".contains(c))
        {
            return Err(self.invalid(
                field,
                Problem::Name {
                    kind: "SSM parameter name",
                    value: value.to_owned(),
                    allowed: "use letters, digits and `_.-/`, or give the parameter ARN",
                },
            ));
        }
        Ok(self.env.arn("ssm", REGIONAL, &format!("parameter/{name}")))
    }

    fn list<F>(&self, field: &str, values: &[String], f: F) -> Result<Vec<Text>, Error>
    where
        F: Fn(&Self, &str, &str) -> Result<Text, Error>,
    {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| f(self, &format!("{field}[{i}]"), v))
            .collect()
    }

    fn kms_statement(
        &self,
        field: &str,
        keys: &[String],
        services: &[&str],
    ) -> Result<Option<Statement>, Error> {
        if keys.is_empty() {
            return Ok(None);
        }
        let resources = self.list(field, keys, Self::kms_key)?;
        // kms:ViaService limits the key to decryptions requested by these
        // services on the role's behalf. A KMS key serves only callers in its
        // own region, so a key given by ARN in another region is used via
        // the services of that region.
        let regions: BTreeSet<String> = resources
            .iter()
            .map(|k| {
                k.to_string()
                    .split(':')
                    .nth(3)
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect();
        let via = services
            .iter()
            .flat_map(|svc| {
                regions.iter().map(move |region| {
                    let mut t = Text::literal(&format!("{svc}."));
                    // A region left to deploy time, or a wildcard, stays
                    // the deployment's: the narrower reading.
                    if region == "<region>" || region.is_empty() || region.contains('*') {
                        t.push(self.env.region());
                    } else {
                        t.push_str(region);
                    }
                    t.push_str(".amazonaws.com");
                    t
                })
            })
            .collect();
        Ok(Some(statement(
            "DecryptSecrets",
            &["kms:Decrypt"],
            resources,
            vec![condition("StringEquals", "kms:ViaService", via)],
            field,
        )))
    }

    fn task_role(&self, common: &Common) -> Result<Role, Error> {
        let t = &self.source.spec.task_role;
        let name = self.role_name("task_role.name", t.name.as_ref(), "task")?;
        let mut st = Vec::new();
        if t.secrets.list {
            st.push(
                statement(
                    "ListSecrets",
                    &["secretsmanager:ListSecrets"],
                    vec![Text::literal("*")],
                    Vec::new(),
                    "task_role.secrets.list",
                )
                .unavoidable(Wildcard::NoResourceScope),
            );
        }
        if !t.secrets.read.is_empty() {
            let resources = self.list("task_role.secrets.read", &t.secrets.read, Self::secret)?;
            st.push(statement(
                "ReadSecrets",
                &["secretsmanager:GetSecretValue"],
                resources,
                Vec::new(),
                "task_role.secrets.read",
            ));
        }
        st.extend(self.kms_statement("task_role.kms_keys", &t.kms_keys, &["secretsmanager"])?);
        for (i, bucket) in t.s3.iter().enumerate() {
            st.extend(self.s3(&format!("task_role.s3[{i}]"), bucket)?);
        }
        let managed = self.managed("task_role.managed_policies", &t.managed_policies)?;
        let statements = self.custom("task_role.statements", &t.statements, st)?;
        Ok(Role {
            key: "task",
            logical_id: "TaskRole",
            file_stem: "task-role",
            title: "task role",
            description: Some(self.description(
                "task_role.description",
                t.description.as_ref(),
                "ECS task role",
            )?),
            max_session_duration: self
                .session("task_role.max_session_duration", t.max_session_duration)?,
            trust: self.trust("task_role.trust", &t.trust, true)?,
            acknowledgements: acknowledgements(&statements),
            policy: policy(&name, statements),
            name,
            path: common.path.clone(),
            permissions_boundary: common.boundary.clone(),
            tags: common.tags.clone(),
            managed_policies: managed,
        })
    }

    fn s3(&self, field: &str, s: &spec::S3Spec) -> Result<Vec<Statement>, Error> {
        let bucket = &s.bucket;
        if bucket.starts_with("arn:") {
            return Err(self.invalid(
                &format!("{field}.bucket"),
                Problem::BucketArn {
                    value: bucket.clone(),
                },
            ));
        }
        if !is_bucket_name(bucket) {
            return Err(self.invalid(
                &format!("{field}.bucket"),
                Problem::BucketName {
                    value: bucket.clone(),
                },
            ));
        }
        let prefix = s.prefix.clone().unwrap_or_default();
        if prefix.chars().any(char::is_control) {
            return Err(self.invalid(
                &format!("{field}.prefix"),
                Problem::Name {
                    kind: "key prefix",
                    value: prefix,
                    allowed: "control characters cannot appear in IAM resources",
                },
            ));
        }
        let access: BTreeSet<S3Access> = match &s.access {
            None => BTreeSet::from([S3Access::List, S3Access::Read, S3Access::Write]),
            Some(list) if list.is_empty() => {
                return Err(self.invalid(
                    &format!("{field}.access"),
                    Problem::EmptyList { what: "`access`" },
                ));
            }
            Some(list) => list.iter().copied().collect(),
        };
        let id = pascal(bucket);
        let bucket_arn = self.env.arn("s3", NO_SCOPE, bucket);
        let mut out = Vec::new();
        // Bucket-level actions take the bucket ARN; object actions the object
        // ARN. Mixed up, either silently grants nothing.
        let mut bucket_actions = vec!["s3:GetBucketLocation"];
        let list = access.contains(&S3Access::List);
        if list && prefix.is_empty() {
            bucket_actions.push("s3:ListBucket");
        }
        out.push(statement(
            &format!("S3Bucket{id}"),
            &bucket_actions,
            vec![bucket_arn.clone()],
            Vec::new(),
            field,
        ));
        if list && !prefix.is_empty() {
            // A condition on s3:prefix keeps listing inside the prefix; it
            // needs its own statement, as GetBucketLocation carries no prefix.
            out.push(statement(
                &format!("S3List{id}"),
                &["s3:ListBucket"],
                vec![bucket_arn],
                vec![condition(
                    "StringLike",
                    "s3:prefix",
                    vec![Text::literal(&format!("{prefix}*"))],
                )],
                &format!("{field}.prefix"),
            ));
        }
        let mut object_actions = Vec::new();
        for a in &access {
            match a {
                S3Access::List => {}
                S3Access::Read => object_actions.push("s3:GetObject"),
                S3Access::Write => object_actions.push("s3:PutObject"),
                S3Access::Delete => object_actions.push("s3:DeleteObject"),
                S3Access::Acl => object_actions.extend(["s3:GetObjectAcl", "s3:PutObjectAcl"]),
            }
        }
        if !object_actions.is_empty() {
            out.push(
                statement(
                    &format!("S3Objects{id}"),
                    &object_actions,
                    vec![self.env.arn("s3", NO_SCOPE, &format!("{bucket}/{prefix}*"))],
                    Vec::new(),
                    &format!("{field}.access"),
                )
                .unavoidable(Wildcard::ObjectKeys),
            );
        }
        Ok(out)
    }

    fn execution_role(&self, common: &Common) -> Result<Role, Error> {
        let e = &self.source.spec.execution_role;
        let name = self.role_name("execution_role.name", e.name.as_ref(), "execution")?;
        let mut st = Vec::new();
        let ecr = &e.ecr;
        let repos = self.list(
            "execution_role.ecr.repositories",
            &ecr.repositories,
            Self::repository,
        )?;
        if (ecr.source_vpc.is_some() || ecr.source_vpce.is_some()) && repos.is_empty() {
            return Err(self.invalid(
                "execution_role.ecr",
                Problem::EmptyList {
                    what: "`repositories` (the VPC conditions apply to pulls from them)",
                },
            ));
        }
        if !repos.is_empty() {
            // GetAuthorizationToken has no resource type and cannot carry the
            // VPC conditions: the call leaves through Fargate's own interface.
            st.push(
                statement(
                    "EcrAuthorizationToken",
                    &["ecr:GetAuthorizationToken"],
                    vec![Text::literal("*")],
                    Vec::new(),
                    "execution_role.ecr.repositories",
                )
                .unavoidable(Wildcard::NoResourceScope),
            );
            let mut conditions = Vec::new();
            if let Some(vpc) = &ecr.source_vpc {
                check_id(self, "execution_role.ecr.source_vpc", vpc, "vpc-", "VPC id")?;
                conditions.push(condition(
                    "StringEquals",
                    "aws:SourceVpc",
                    vec![Text::literal(vpc)],
                ));
            }
            if let Some(vpce) = &ecr.source_vpce {
                check_id(
                    self,
                    "execution_role.ecr.source_vpce",
                    vpce,
                    "vpce-",
                    "VPC endpoint id",
                )?;
                conditions.push(condition(
                    "StringEquals",
                    "aws:SourceVpce",
                    vec![Text::literal(vpce)],
                ));
            }
            st.push(statement(
                "EcrPull",
                &[
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:BatchGetImage",
                    "ecr:GetDownloadUrlForLayer",
                ],
                repos,
                conditions,
                "execution_role.ecr.repositories",
            ));
        }
        if ecr.public {
            st.push(
                statement(
                    "EcrPublicAuthorizationToken",
                    &[
                        "ecr-public:GetAuthorizationToken",
                        "sts:GetServiceBearerToken",
                    ],
                    vec![Text::literal("*")],
                    Vec::new(),
                    "execution_role.ecr.public",
                )
                .unavoidable(Wildcard::NoResourceScope),
            );
        }
        let groups = self.list(
            "execution_role.logs.groups",
            &e.logs.groups,
            Self::log_group,
        )?;
        if e.logs.create_group && groups.is_empty() {
            return Err(self.invalid(
                "execution_role.logs",
                Problem::EmptyList {
                    what: "`groups` (`create_group` applies to them)",
                },
            ));
        }
        if !groups.is_empty() {
            st.push(
                statement(
                    "Logs",
                    &["logs:CreateLogStream", "logs:PutLogEvents"],
                    groups.clone(),
                    Vec::new(),
                    "execution_role.logs.groups",
                )
                .unavoidable(Wildcard::LogStreams),
            );
            if e.logs.create_group {
                st.push(
                    statement(
                        "LogsCreateGroup",
                        &["logs:CreateLogGroup"],
                        groups,
                        Vec::new(),
                        "execution_role.logs.create_group",
                    )
                    .unavoidable(Wildcard::LogStreams),
                );
            }
        }
        if !e.secrets.is_empty() {
            let resources = self.list("execution_role.secrets", &e.secrets, Self::secret)?;
            st.push(statement(
                "ReadSecrets",
                &["secretsmanager:GetSecretValue"],
                resources,
                Vec::new(),
                "execution_role.secrets",
            ));
        }
        if !e.ssm_parameters.is_empty() {
            let resources = self.list(
                "execution_role.ssm_parameters",
                &e.ssm_parameters,
                Self::parameter,
            )?;
            st.push(statement(
                "ReadParameters",
                &["ssm:GetParameters"],
                resources,
                Vec::new(),
                "execution_role.ssm_parameters",
            ));
        }
        // The keys decrypt what ECS injects: secrets through Secrets
        // Manager, SecureString parameters through SSM.
        let mut via = Vec::new();
        if !e.secrets.is_empty() {
            via.push("secretsmanager");
        }
        if !e.ssm_parameters.is_empty() {
            via.push("ssm");
        }
        if via.is_empty() && !e.kms_keys.is_empty() {
            // A bad key is the more useful message.
            self.list("execution_role.kms_keys", &e.kms_keys, Self::kms_key)?;
            return Err(self.invalid("execution_role.kms_keys", Problem::NothingToDecrypt));
        }
        st.extend(self.kms_statement("execution_role.kms_keys", &e.kms_keys, &via)?);
        let managed = self.managed("execution_role.managed_policies", &e.managed_policies)?;
        let statements = self.custom("execution_role.statements", &e.statements, st)?;
        Ok(Role {
            key: "execution",
            logical_id: "TaskExecutionRole",
            file_stem: "execution-role",
            title: "task execution role",
            description: Some(self.description(
                "execution_role.description",
                e.description.as_ref(),
                "ECS task execution role",
            )?),
            max_session_duration: self.session(
                "execution_role.max_session_duration",
                e.max_session_duration,
            )?,
            trust: self.trust("execution_role.trust", &e.trust, false)?,
            acknowledgements: acknowledgements(&statements),
            policy: policy(&name, statements),
            name,
            path: common.path.clone(),
            permissions_boundary: common.boundary.clone(),
            tags: common.tags.clone(),
            managed_policies: managed,
        })
    }

    /// Append the spec's own statements to the generated ones, checking Sids
    /// across both.
    fn custom(
        &self,
        field: &str,
        specs: &[StatementSpec],
        mut st: Vec<Statement>,
    ) -> Result<Vec<Statement>, Error> {
        let mut sids: BTreeSet<String> = st.iter().map(|s| s.sid.clone()).collect();
        for (i, s) in specs.iter().enumerate() {
            let f = format!("{field}[{i}]");
            let sid = match &s.sid {
                Some(sid) => {
                    if sid.is_empty() || !sid.chars().all(|c| c.is_ascii_alphanumeric()) {
                        return Err(
                            self.invalid(&format!("{f}.sid"), Problem::BadSid { sid: sid.clone() })
                        );
                    }
                    if !sids.insert(sid.clone()) {
                        return Err(self.invalid(
                            &format!("{f}.sid"),
                            Problem::DuplicateSid { sid: sid.clone() },
                        ));
                    }
                    sid.clone()
                }
                None => {
                    let mut n = i + 1;
                    while sids.contains(&format!("Custom{n}")) {
                        n += 1;
                    }
                    let sid = format!("Custom{n}");
                    sids.insert(sid.clone());
                    sid
                }
            };
            let actions = s.actions.as_slice();
            if actions.is_empty() {
                return Err(self.invalid(
                    &format!("{f}.actions"),
                    Problem::EmptyList { what: "`actions`" },
                ));
            }
            for (j, a) in actions.iter().enumerate() {
                if !is_action(a) {
                    return Err(self.invalid(
                        &format!("{f}.actions[{j}]"),
                        Problem::BadAction { action: a.clone() },
                    ));
                }
            }
            let resources = s.resources.as_slice();
            if resources.is_empty() {
                return Err(self.invalid(
                    &format!("{f}.resources"),
                    Problem::EmptyList {
                        what: "`resources`",
                    },
                ));
            }
            let mut texts = Vec::new();
            for (j, r) in resources.iter().enumerate() {
                let rf = format!("{f}.resources[{j}]");
                if r == "*" {
                    texts.push(Text::literal("*"));
                } else if r.starts_with("arn:") {
                    let a = self.user_arn(
                        &rf,
                        r,
                        None,
                        "`arn:<partition>:service:region:account:resource`",
                    )?;
                    texts.push(a.text);
                } else {
                    return Err(self.invalid(&rf, Problem::BadResource { value: r.clone() }));
                }
            }
            let mut conditions = Vec::new();
            for (op, keys) in &s.conditions {
                let of = format!("{f}.conditions.{op}");
                if !is_condition_operator(op) {
                    return Err(self.invalid(
                        &of,
                        Problem::BadConditionOperator {
                            operator: op.clone(),
                            suggestion: suggest(op, CONDITION_OPERATORS.iter().copied()),
                        },
                    ));
                }
                for (key, values) in keys {
                    let kf = format!("{of}.{key}");
                    if !is_condition_key(key) {
                        return Err(
                            self.invalid(&kf, Problem::BadConditionKey { key: key.clone() })
                        );
                    }
                    let values = values.as_slice();
                    if values.is_empty() {
                        return Err(self.invalid(
                            &kf,
                            Problem::EmptyList {
                                what: "the condition's values",
                            },
                        ));
                    }
                    let mut texts = Vec::new();
                    for v in values {
                        texts.push(
                            self.env
                                .expand(&v.to_text())
                                .map_err(|p| self.invalid(&kf, p))?,
                        );
                    }
                    conditions.push(condition(op, key, texts));
                }
            }
            let mut stmt = statement(&sid, &[], texts, conditions, &f);
            stmt.effect = s.effect.as_str();
            stmt.actions = sorted_unique(actions.to_vec());
            if let Some(reason) = &s.acknowledge {
                stmt.acknowledged = Some(self.acknowledgement(&f, reason, &stmt)?);
            }
            st.push(stmt);
        }
        Ok(st)
    }
}

impl Builder<'_> {
    /// A custom statement's `acknowledge`: text every scanner's suppression
    /// format carries, on a statement with a wildcard to acknowledge.
    fn acknowledgement(&self, f: &str, reason: &str, st: &Statement) -> Result<String, Error> {
        let field = format!("{f}.acknowledge");
        if reason.is_empty()
            || reason.len() > MAX_ACKNOWLEDGEMENT
            || reason.trim().is_empty()
            || !reason.chars().all(|c| c == ' ' || c.is_ascii_graphic())
        {
            return Err(self.invalid(
                &field,
                Problem::BadAcknowledgement {
                    reason: reason.to_owned(),
                },
            ));
        }
        if st.effect != "Allow" {
            return Err(self.invalid(&field, Problem::NothingToAcknowledge { deny: true }));
        }
        if st.actions.iter().any(|a| a == "*") {
            return Err(self.invalid(&field, Problem::AcknowledgedStarAction));
        }
        let wildcard = st.actions.iter().any(|a| a.contains('*'))
            || st.resources.iter().any(|r| r.to_string().contains('*'));
        if !wildcard {
            return Err(self.invalid(&field, Problem::NothingToAcknowledge { deny: false }));
        }
        Ok(reason.to_owned())
    }
}

fn check_id(
    b: &Builder<'_>,
    field: &str,
    value: &str,
    prefix: &str,
    kind: &'static str,
) -> Result<(), Error> {
    let ok = value.strip_prefix(prefix).is_some_and(|hex| {
        (8..=17).contains(&hex.len())
            && hex
                .bytes()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
    });
    if ok {
        Ok(())
    } else {
        Err(b.invalid(
            field,
            Problem::Name {
                kind,
                value: value.to_owned(),
                allowed: if prefix == "vpc-" {
                    "write it as `vpc-` and 8 or 17 hex digits"
                } else {
                    "write it as `vpce-` and 8 or 17 hex digits"
                },
            },
        ))
    }
}

fn check_name(b: &Builder<'_>, field: &str, name: &str) -> Result<(), Error> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(b.invalid(
            field,
            Problem::BadSpecName {
                value: name.to_owned(),
            },
        ));
    }
    Ok(())
}

fn policy(role_name: &str, statements: Vec<Statement>) -> Option<Policy> {
    if statements.is_empty() {
        None
    } else {
        Some(Policy {
            name: format!("{role_name}-policy"),
            statements,
        })
    }
}

fn statement(
    sid: &str,
    actions: &[&str],
    resources: Vec<Text>,
    conditions: Vec<Condition>,
    origin: &str,
) -> Statement {
    Statement {
        sid: sid.to_owned(),
        effect: "Allow",
        principals: Vec::new(),
        actions: sorted_unique(actions.iter().map(|s| (*s).to_owned()).collect()),
        resources: sorted_texts(resources),
        conditions: group_conditions(conditions),
        origin: origin.to_owned(),
        wildcard: None,
        acknowledged: None,
    }
}

impl Statement {
    fn unavoidable(mut self, wildcard: Wildcard) -> Self {
        self.wildcard = Some(wildcard);
        self
    }
}

/// The acknowledgements a role's statements call for. A finding a custom
/// statement without `acknowledge` could also cause is never acknowledged:
/// the spec's author has to decide about their own wildcards.
fn acknowledgements(statements: &[Statement]) -> Acknowledgements {
    let allowed = |s: &&Statement| s.effect == "Allow";
    let unacknowledged: Vec<&Statement> = statements
        .iter()
        .filter(allowed)
        .filter(|s| s.wildcard.is_none() && s.acknowledged.is_none())
        .collect();
    let acknowledged: Vec<(&Statement, &str)> = statements
        .iter()
        .filter(allowed)
        .filter_map(|s| s.acknowledged.as_deref().map(|r| (s, r)))
        .collect();
    let custom_star = unacknowledged
        .iter()
        .any(|s| s.resources.iter().any(Text::is_star));
    let acknowledged_star = acknowledged
        .iter()
        .any(|(s, _)| s.resources.iter().any(Text::is_star));
    let mut acks = Acknowledgements::default();
    let star_actions: BTreeSet<&str> = statements
        .iter()
        .filter(|s| s.wildcard == Some(Wildcard::NoResourceScope))
        .flat_map(|s| s.actions.iter().map(String::as_str))
        .collect();
    if !star_actions.is_empty() && !custom_star {
        let actions: Vec<&str> = star_actions.iter().copied().collect();
        let (list, verb) = match actions.as_slice() {
            [one] => ((*one).to_owned(), "has"),
            [init @ .., last] => (format!("{} and {last}", init.join(", ")), "have"),
            [] => unreachable!("star_actions is not empty"),
        };
        let mut reason =
            format!("{list} {verb} no resource-level permissions, so IAM requires Resource \"*\"");
        if !acknowledged_star {
            reason.push_str("; nothing else is granted on \"*\"");
        }
        add(&mut acks.cdk_nag, "AwsSolutions-IAM5[Resource::*]", &reason);
        add(&mut acks.cfn_nag, "W11", &reason);
        // checkov counts ECR Public's token actions as credentials exposure.
        if star_actions.contains("ecr-public:GetAuthorizationToken")
            || star_actions.contains("sts:GetServiceBearerToken")
        {
            let reason = "Authenticated ECR Public pulls need ecr-public:GetAuthorizationToken and sts:GetServiceBearerToken, which support no resource-level permissions";
            add(&mut acks.checkov, "CKV_AWS_107", reason);
            add(&mut acks.checkov_terraform, "CKV_AWS_107", reason);
        }
    }
    for s in statements {
        let reason = match s.wildcard {
            Some(Wildcard::LogStreams) => {
                "The awslogs driver names log streams at run time; the grant covers the streams of this log group only"
            }
            Some(Wildcard::ObjectKeys) => {
                "Object keys are chosen at run time; the grant covers the objects under this bucket and prefix only"
            }
            _ => continue,
        };
        for r in s.resources.iter().filter(|r| r.to_string().contains('*')) {
            let id = format!("AwsSolutions-IAM5[Resource::{}]", cdk_nag_form(r));
            // aws-cdk-lib cannot take every id: such a finding stays.
            if acknowledgeable(&id) {
                add(&mut acks.cdk_nag, &id, reason);
            }
        }
    }
    if !acknowledged.is_empty() {
        acknowledge_custom(&mut acks, statements, &unacknowledged, &acknowledged);
    }
    acks
}

/// The findings the acknowledged custom statements cause, with their
/// authors' reasons; none that an unacknowledged custom statement shares.
fn acknowledge_custom(
    acks: &mut Acknowledgements,
    statements: &[Statement],
    unacknowledged: &[&Statement],
    acknowledged: &[(&Statement, &str)],
) {
    let by_others = |f: &dyn Fn(&Statement) -> bool| unacknowledged.iter().any(|s| f(s));
    let star = |s: &Statement| s.resources.iter().any(Text::is_star);
    // cfn_nag: `*` resource (W11), `*` or `service:*` action (F3), PassRole
    // on `*` (F38), as cfn-model matches them.
    let service_star = |s: &Statement| s.actions.iter().any(|a| a.ends_with(":*") && a.len() > 2);
    let pass_role = |s: &Statement| star(s) && s.actions.iter().any(|a| is_pass_role_pattern(a));
    for (s, reason) in acknowledged {
        if star(s) && !by_others(&star) {
            add(&mut acks.cfn_nag, "W11", reason);
        }
        if service_star(s) && !by_others(&service_star) {
            add(&mut acks.cfn_nag, "F3", reason);
        }
        if pass_role(s) && !by_others(&pass_role) {
            add(&mut acks.cfn_nag, "F38", reason);
        }
        // cdk-nag: every action and resource holding `*`.
        for a in s.actions.iter().filter(|a| a.contains('*')) {
            let id = format!("AwsSolutions-IAM5[Action::{a}]");
            if acknowledgeable(&id) && !by_others(&|o| o.actions.contains(a)) {
                add(&mut acks.cdk_nag, &id, reason);
            }
        }
        for r in s.resources.iter().filter(|r| r.to_string().contains('*')) {
            let form = cdk_nag_form(r);
            let id = format!("AwsSolutions-IAM5[Resource::{form}]");
            if acknowledgeable(&id)
                && !by_others(&|o| o.resources.iter().any(|x| cdk_nag_form(x) == form))
            {
                add(&mut acks.cdk_nag, &id, reason);
            }
        }
    }
    // checkov judges the whole policy: what it raises only with the
    // acknowledged statements is theirs.
    fn view(s: &Statement) -> checkov::Statement<'_> {
        checkov::Statement {
            allow: s.effect == "Allow",
            actions: &s.actions,
            star_resource: s.resources.iter().any(Text::is_star),
            conditioned: !s.conditions.is_empty(),
        }
    }
    let rest: Vec<checkov::Statement<'_>> = statements
        .iter()
        .filter(|s| s.acknowledged.is_none())
        .map(view)
        .collect();
    let all: Vec<checkov::Statement<'_>> = statements.iter().map(view).collect();
    let (with, without) = (checkov::raised(&all), checkov::raised(&rest));
    let alone: Vec<(checkov::Raised, &str)> = acknowledged
        .iter()
        .map(|(s, reason)| {
            let mut one = rest.clone();
            one.push(view(s));
            (checkov::raised(&one), *reason)
        })
        .collect();
    let everyone: Vec<&str> = acknowledged.iter().map(|(_, r)| *r).collect();
    let cloudformation: Vec<(&BTreeSet<&str>, &str)> = alone
        .iter()
        .map(|(r, why)| (&r.cloudformation, *why))
        .collect();
    let terraform: Vec<(&BTreeSet<&str>, &str)> =
        alone.iter().map(|(r, why)| (&r.terraform, *why)).collect();
    attribute(
        &mut acks.checkov,
        with.cloudformation.difference(&without.cloudformation),
        &cloudformation,
        &everyone,
    );
    attribute(
        &mut acks.checkov_terraform,
        with.terraform.difference(&without.terraform),
        &terraform,
        &everyone,
    );
}

/// Acknowledge each check with the reasons of the statements that raise it
/// alone, or of all of them when only several together do (privilege
/// escalation needs a combination of actions).
fn attribute<'a>(
    list: &mut Vec<Acknowledgement>,
    ids: impl Iterator<Item = &'a &'static str>,
    alone: &[(&BTreeSet<&'static str>, &str)],
    everyone: &[&str],
) {
    for id in ids {
        let mut reasons: Vec<&str> = alone
            .iter()
            .filter(|(raised, _)| raised.contains(id))
            .map(|(_, why)| *why)
            .collect();
        if reasons.is_empty() {
            reasons = everyone.to_vec();
        }
        for r in reasons {
            add(list, id, r);
        }
    }
}

/// cfn_nag's PassRole patterns: `iam:PassRole`, `iam:*` and each prefix of
/// `PassRole` followed by `*`.
fn is_pass_role_pattern(action: &str) -> bool {
    action == "*"
        || action.strip_prefix("iam:").is_some_and(|a| {
            a == "PassRole"
                || a.strip_suffix('*')
                    .is_some_and(|p| "PassRole".starts_with(p))
        })
}

/// Add an acknowledgement, or another reason to the one already there.
fn add(list: &mut Vec<Acknowledgement>, id: &str, reason: &str) {
    match list.iter_mut().find(|a| a.id == id) {
        Some(a) => {
            let has = a.reason == reason
                || a.reason.starts_with(&format!("{reason}; "))
                || a.reason.ends_with(&format!("; {reason}"))
                || a.reason.contains(&format!("; {reason}; "));
            if !has {
                a.reason.push_str("; ");
                a.reason.push_str(reason);
            }
        }
        None => list.push(Acknowledgement {
            id: id.to_owned(),
            reason: reason.to_owned(),
        }),
    }
}

/// A resource as cdk-nag 3.0.2 names it in a finding id. cdk-nag flattens
/// the synthesised value (`flattenCfnReference`): in every string `${`
/// becomes `<` and then `}` becomes `>`, and the pieces of an `Fn::Join` are
/// flattened one by one. So the id follows the value's CDK JSON form: an
/// `Fn::Sub` (deploy-time values as `<AWS::Partition>`, a literal `${` as
/// `<!`), a `Fn::Join` split before `{` (its `{` stays), or a plain string.
fn cdk_nag_form(t: &Text) -> String {
    let flatten = |s: &str| s.replace("${", "<").replace('}', ">");
    if !t.is_literal() {
        let sub: String = t
            .segments()
            .iter()
            .map(|s| match s {
                Segment::Literal(l) => l.replace("${", "${!"),
                Segment::Partition => "${AWS::Partition}".to_owned(),
                Segment::Region => "${AWS::Region}".to_owned(),
                Segment::Account => "${AWS::AccountId}".to_owned(),
            })
            .collect();
        return flatten(&sub);
    }
    let plain = t.to_string();
    match crate::render::join_pieces(&plain) {
        Some(pieces) => pieces.iter().map(|p| flatten(p)).collect(),
        None => flatten(&plain),
    }
}

/// Whether `Validations.of(...).acknowledge` in aws-cdk-lib 2.276 takes `id`
/// and records it as cdk-nag 3.0.2 reports it. `parseValidationId` refuses a
/// closing `)`, `]` or `}` that does not close the last open bracket (a
/// lone `{` is closed by the id's final `]`), and reads `::` outside
/// brackets as a plugin prefix; the recorded id has each space turned into
/// `-`, while cdk-nag compares its own id unchanged.
fn acknowledgeable(id: &str) -> bool {
    let mut open = Vec::new();
    let mut chars = id.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' => return false,
            ':' if open.is_empty() && chars.peek() == Some(&':') => return false,
            '(' | '[' | '{' => open.push(c),
            ')' | ']' | '}' => {
                let closes = match open.pop() {
                    Some('(') => ')',
                    Some('[') => ']',
                    Some(_) => '}',
                    None => return false,
                };
                if c != closes {
                    return false;
                }
            }
            _ => {}
        }
    }
    true
}

fn condition(test: &str, variable: &str, values: Vec<Text>) -> Condition {
    Condition {
        test: test.to_owned(),
        variable: variable.to_owned(),
        values: sorted_texts(values),
    }
}

fn group_conditions(conditions: Vec<Condition>) -> Vec<ConditionGroup> {
    let mut groups: BTreeMap<String, BTreeMap<String, Vec<Text>>> = BTreeMap::new();
    for c in conditions {
        groups
            .entry(c.test)
            .or_default()
            .entry(c.variable)
            .or_default()
            .extend(c.values);
    }
    groups
        .into_iter()
        .map(|(test, keys)| ConditionGroup {
            test,
            entries: keys
                .into_iter()
                .map(|(variable, values)| ConditionEntry {
                    variable,
                    values: sorted_texts(values),
                })
                .collect(),
        })
        .collect()
}

fn sorted_unique(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

fn sorted_texts(mut v: Vec<Text>) -> Vec<Text> {
    v.sort_by_cached_key(Text::sort_key);
    v.dedup();
    v
}

/// The size IAM counts for a role's inline policy (its JSON without
/// whitespace), with deploy-time values at their longest: `aws-us-gov`, a
/// 14-character region and a 12-digit account.
#[must_use]
pub fn policy_size(role: &Role) -> usize {
    let Some(policy) = &role.policy else { return 0 };
    let text = |t: &Text| -> String {
        t.segments()
            .iter()
            .map(|s| match s {
                Segment::Literal(l) => l.clone(),
                Segment::Partition => "aws-us-gov".to_owned(),
                Segment::Region => "ap-southeast-5".to_owned(),
                Segment::Account => "123456789012".to_owned(),
            })
            .collect()
    };
    let statements: Vec<serde_json::Value> = policy
        .statements
        .iter()
        .map(|st| {
            let mut conditions: BTreeMap<&str, BTreeMap<&str, Vec<String>>> = BTreeMap::new();
            for g in &st.conditions {
                for e in &g.entries {
                    conditions
                        .entry(&g.test)
                        .or_default()
                        .insert(&e.variable, e.values.iter().map(text).collect());
                }
            }
            json!({
                "Sid": st.sid,
                "Effect": st.effect,
                "Action": st.actions,
                "Resource": st.resources.iter().map(text).collect::<Vec<_>>(),
                "Condition": conditions,
            })
        })
        .collect();
    let doc = json!({"Version": "2012-10-17", "Statement": statements}).to_string();
    doc.chars().filter(|c| !c.is_whitespace()).count()
}

/// `orders-staging.eu` → `OrdersStagingEu`: a Sid-safe form of a name.
fn pascal(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn uses(model: &Model) -> Uses {
    let mut u = Uses::default();
    let mut see = |t: &Text| {
        for s in t.segments() {
            match s {
                Segment::Partition => u.partition = true,
                Segment::Region => u.region = true,
                Segment::Account => u.account_id = true,
                Segment::Literal(_) => {}
            }
        }
    };
    for role in &model.roles {
        role.permissions_boundary.iter().for_each(&mut see);
        for m in &role.managed_policies {
            see(&m.arn);
        }
        let statements = role
            .trust
            .iter()
            .chain(role.policy.iter().flat_map(|p| &p.statements));
        for st in statements {
            st.resources.iter().for_each(&mut see);
            for e in st.conditions.iter().flat_map(|g| &g.entries) {
                e.values.iter().for_each(&mut see);
            }
        }
    }
    u
}

fn is_iam_name(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
}

/// `/` or `/a/b/`: printable ASCII between slashes, at most 512 characters.
fn is_iam_path(p: &str) -> bool {
    p.len() <= 512
        && p.starts_with('/')
        && p.ends_with('/')
        && p.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

fn is_bucket_name(b: &str) -> bool {
    (3..=63).contains(&b.len())
        && b.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'.' || c == b'-')
        && b.bytes().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && b.bytes().last().is_some_and(|c| c.is_ascii_alphanumeric())
}

/// A key id (UUID) or a multi-Region key id (`mrk-` and 32 hex digits).
fn is_kms_key_id(s: &str) -> bool {
    let hex = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit());
    if let Some(rest) = s.strip_prefix("mrk-") {
        return hex(rest, 32);
    }
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && hex(parts[0], 8)
        && hex(parts[1], 4)
        && hex(parts[2], 4)
        && hex(parts[3], 4)
        && hex(parts[4], 12)
}

/// `service:Action`, wildcards allowed in the action part, or `*`.
fn is_action(a: &str) -> bool {
    if a == "*" {
        return true;
    }
    let Some((service, action)) = a.split_once(':') else {
        return false;
    };
    !service.is_empty()
        && service
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !action.is_empty()
        && action
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'*' || b == b'?')
}

fn is_condition_operator(op: &str) -> bool {
    let op = op
        .strip_prefix("ForAllValues:")
        .or_else(|| op.strip_prefix("ForAnyValue:"))
        .unwrap_or(op);
    let base = op
        .strip_suffix("IfExists")
        .filter(|b| *b != "Null")
        .unwrap_or(op);
    CONDITION_OPERATORS.contains(&base)
}

fn is_condition_key(key: &str) -> bool {
    let Some((prefix, name)) = key.split_once(':') else {
        return false;
    };
    !prefix.is_empty()
        && prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '"' | '\'' | '\\'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn model(text: &str) -> Result<Model, Error> {
        build(&crate::spec::parse(Path::new("t.yaml"), text)?)
    }

    #[test]
    fn s3_actions_land_on_the_right_resource_type() {
        let m = model(
            "version: 1\nname: w\ntask_role:\n  s3:\n    - bucket: stage\n      prefix: agent/\n      access: [list, read, acl]\n",
        )
        .unwrap();
        let st = &m.roles[0].policy.as_ref().unwrap().statements;
        let by_sid = |sid: &str| st.iter().find(|s| s.sid == sid).unwrap();
        assert_eq!(by_sid("S3BucketStage").actions, ["s3:GetBucketLocation"]);
        assert_eq!(
            by_sid("S3BucketStage").resources[0].to_string(),
            "arn:<partition>:s3:::stage"
        );
        assert_eq!(
            by_sid("S3ListStage").conditions[0].entries[0].values[0].to_string(),
            "agent/*"
        );
        let objects = by_sid("S3ObjectsStage");
        assert_eq!(
            objects.actions,
            ["s3:GetObject", "s3:GetObjectAcl", "s3:PutObjectAcl"]
        );
        assert_eq!(
            objects.resources[0].to_string(),
            "arn:<partition>:s3:::stage/agent/*"
        );
    }

    #[test]
    fn confused_deputy_sits_on_the_principal_statement() {
        let m = model("version: 1\nname: w\ntask_role:\n  trust:\n    services: [ec2.amazonaws.com, ecs-tasks.amazonaws.com]\n").unwrap();
        let trust = &m.roles[0].trust;
        assert_eq!(trust[0].principals, [ECS_TASKS]);
        assert_eq!(trust[0].conditions.len(), 2);
        assert_eq!(trust[1].principals, [EC2]);
        assert!(trust[1].conditions.is_empty());
        // The execution role has no deputy conditions by default.
        assert!(m.roles[1].trust[0].conditions.is_empty());
    }

    #[test]
    fn pinned_deployment_gives_literal_arns() {
        let m = model(
            "version: 1\nname: w\ndeployment: {partition: aws-us-gov, region: us-gov-west-1, account_id: \"123456789012\"}\nexecution_role:\n  secrets: [db]\n",
        )
        .unwrap();
        let st = &m.roles[1].policy.as_ref().unwrap().statements[0];
        assert_eq!(
            st.resources[0].to_string(),
            "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:db-??????"
        );
        assert!(!m.uses.partition && !m.uses.region && !m.uses.account_id);
    }

    #[test]
    fn kms_alias_is_refused() {
        let e = model("version: 1\nname: w\ntask_role:\n  kms_keys: [alias/app]\n").unwrap_err();
        assert!(e.to_string().contains("KMS alias"), "{e}");
    }

    #[test]
    fn only_unavoidable_wildcards_are_acknowledged() {
        let m = model(
            "version: 1\nname: w\nexecution_role:\n  ecr: {repositories: [web], public: true}\n  logs: {groups: [/ecs/w]}\n",
        )
        .unwrap();
        let acks = &m.roles[1].acknowledgements;
        let ids: Vec<&str> = acks.cdk_nag.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "AwsSolutions-IAM5[Resource::*]",
                "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/ecs/w:*]"
            ]
        );
        assert!(acks.cdk_nag[0].reason.starts_with(
            "ecr-public:GetAuthorizationToken, ecr:GetAuthorizationToken and sts:GetServiceBearerToken have no resource-level permissions"
        ));
        assert_eq!(acks.checkov[0].id, "CKV_AWS_107");
        assert_eq!(acks.cfn_nag[0].id, "W11");
        // The task role has no grants, so nothing to acknowledge.
        assert!(m.roles[0].acknowledgements.cdk_nag.is_empty());

        // A custom statement on "*" is the author's to justify: no role-wide
        // acknowledgement hides it.
        let m = model(
            "version: 1\nname: w\nexecution_role:\n  ecr: {repositories: [web]}\n  statements:\n    - {actions: [\"sqs:SendMessage\"], resources: \"*\"}\n",
        )
        .unwrap();
        let acks = &m.roles[1].acknowledgements;
        assert!(acks.cdk_nag.is_empty() && acks.cfn_nag.is_empty() && acks.checkov.is_empty());
    }

    #[test]
    fn acknowledged_statements_are_acknowledged_for_every_scanner() {
        let m = model(
            "version: 1\nname: w\ntask_role:\n  statements:\n    - {actions: [\"sqs:SendMessage\", \"sqs:Receive*\"], resources: \"*\", acknowledge: per tenant}\n    - {actions: [\"s3:*\"], resources: \"arn:<partition>:s3:::b/*\", acknowledge: staging}\n",
        )
        .unwrap();
        let acks = &m.roles[0].acknowledgements;
        let ids = |list: &[Acknowledgement]| -> Vec<String> {
            list.iter()
                .map(|a| format!("{} {}", a.id, a.reason))
                .collect()
        };
        assert_eq!(ids(&acks.cfn_nag), ["W11 per tenant", "F3 staging"]);
        assert_eq!(
            ids(&acks.cdk_nag),
            [
                "AwsSolutions-IAM5[Action::sqs:Receive*] per tenant",
                "AwsSolutions-IAM5[Resource::*] per tenant",
                "AwsSolutions-IAM5[Action::s3:*] staging",
                "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::b/*] staging",
            ]
        );
        // Writes on "*" (CKV_AWS_111); restrictable actions on "*" (356,
        // Terraform only). s3:* on a named bucket raises nothing in checkov.
        assert_eq!(ids(&acks.checkov), ["CKV_AWS_111 per tenant"]);
        assert_eq!(
            ids(&acks.checkov_terraform),
            ["CKV_AWS_111 per tenant", "CKV_AWS_356 per tenant"]
        );

        // A finding an unacknowledged statement shares stays.
        let m = model(
            "version: 1\nname: w\ntask_role:\n  statements:\n    - {actions: [\"sqs:SendMessage\"], resources: \"*\", acknowledge: per tenant}\n    - {actions: [\"sns:Publish\"], resources: \"*\"}\n",
        )
        .unwrap();
        let acks = &m.roles[0].acknowledgements;
        assert!(acks.cfn_nag.is_empty() && acks.cdk_nag.is_empty());
        assert!(acks.checkov.is_empty() && acks.checkov_terraform.is_empty());
    }

    /// The ids cdk-nag 3.0.2 reported for these resources, taken from its
    /// validation report (aws-cdk-lib 2.276, `conformance/cdk_synth.js`).
    #[test]
    fn cdk_nag_ids_follow_the_cdk_json_form() {
        let env = |partition: Option<Partition>| Env {
            partition,
            region: None,
            account: None,
        };
        let symbolic = env(None)
            .expand("arn:<partition>:s3:::b/${aws:username}/$${x}/%{y}/*")
            .unwrap();
        assert_eq!(
            cdk_nag_form(&symbolic),
            "arn:<AWS::Partition>:s3:::b/<!aws:username>/$<!x>/%{y>/*"
        );
        let plain = env(Some(Partition::Aws))
            .expand("arn:aws:s3:::b/${aws:username}/${AWS::Region}/*")
            .unwrap();
        assert_eq!(
            cdk_nag_form(&plain),
            "arn:aws:s3:::b/<aws:username>/${AWS::Region>/*"
        );
    }

    #[test]
    fn ids_aws_cdk_lib_refuses_are_not_acknowledgeable() {
        for ok in [
            "AwsSolutions-IAM5[Resource::*]",
            "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::b/<!x>/(a)[b]/*]",
            "AwsSolutions-IAM5[Resource::arn:aws:s3:::b/[open/*]",
            "AwsSolutions-IAM5[Action::s3:Get*]",
        ] {
            assert!(acknowledgeable(ok), "{ok}");
        }
        for refused in [
            // Mismatched closing brace ']': a `{` that `}` no longer closes.
            "AwsSolutions-IAM5[Resource::arn:aws:s3:::b/%{y>/*]",
            "AwsSolutions-IAM5[Resource::arn:aws:s3:::b/(open/*]",
            // Unmatched closing brace.
            "AwsSolutions-IAM5[Resource::arn:aws:s3:::b/a]/*]",
            // Recorded as `my-reports`, reported as `my reports`.
            "AwsSolutions-IAM5[Resource::arn:aws:s3:::b/my reports/*]",
            // `::` outside brackets: a plugin prefix.
            "AwsSolutions-IAM5[Resource::arn:aws:s3:::b/a]::[*]",
        ] {
            assert!(!acknowledgeable(refused), "{refused}");
        }
    }

    #[test]
    fn operators() {
        assert!(is_condition_operator("ForAnyValue:StringLikeIfExists"));
        assert!(!is_condition_operator("NullIfExists"));
        assert!(!is_condition_operator("StringEqual"));
    }
}
