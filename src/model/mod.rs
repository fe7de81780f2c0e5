//! The two roles of a workload, normalised: defaults applied, names turned
//! into partition-aware ARNs, statements built, sorted and checked against
//! IAM's rules. Everything the templates print is decided here, except
//! the scanners' acknowledgement ids, which rendering derives from the
//! wildcards recorded on each statement (`render::acknowledgements`).

pub mod cross_account;
mod derived;
mod execution_role;
pub mod guardduty;
mod integrations;
pub mod managed;
mod names;
mod resources;
mod role;
pub mod split;
mod statements;
mod task_role;

use std::cell::RefCell;

use serde::Serialize;

use crate::arn::{self, Env, Partition, Segment, Text};
use crate::error::{Error, Problem};
use crate::spec::{Effect, PolicyLayout, Source};

pub use derived::Sourced;
pub use statements::{document_size, policy_size, trust_policy_size};

/// IAM's limit on a role's inline policies together, whitespace not counted.
pub const MAX_INLINE_POLICY: usize = 10_240;

/// IAM's limit on one customer managed policy, whitespace not counted.
pub const MAX_MANAGED_POLICY: usize = 6_144;

/// IAM's default quota of managed policies attached to one role; it can
/// be raised to [`MAX_ATTACHED_POLICIES_RAISED`].
pub const MAX_ATTACHED_POLICIES: usize = 10;

/// The most managed policies a role can have attached, quota raised.
pub const MAX_ATTACHED_POLICIES_RAISED: usize = 20;

/// IAM's default quota on a trust policy's length (whitespace not
/// counted); it can be raised to [`MAX_TRUST_POLICY_RAISED`].
pub const MAX_TRUST_POLICY: usize = 2_048;

/// The longest trust policy IAM accepts, quota raised.
pub const MAX_TRUST_POLICY_RAISED: usize = 4_096;

/// The longest reason a statement's `acknowledge` may give.
pub const MAX_ACKNOWLEDGEMENT: usize = 500;

/// The service principal of ECS tasks.
pub const ECS_TASKS: &str = "ecs-tasks.amazonaws.com";
/// The service principal of EC2 instances (EC2 launch type).
pub const EC2: &str = "ec2.amazonaws.com";

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
    /// The AWS provider the Terraform module is written for.
    pub terraform: Terraform,
    /// The declared inputs the roles use, by name: CloudFormation
    /// parameters, Terraform variables, CDK `CfnParameter`s.
    pub inputs: Vec<Input>,
    /// Declared inputs nothing uses (`check` warns: most likely a
    /// misspelling).
    #[serde(skip)]
    pub unused_inputs: Vec<String>,
    /// The task role, then the execution role, of those the spec manages.
    /// Templates see them through `render::context`, each with what its
    /// output acknowledges.
    #[serde(skip)]
    pub roles: Vec<Role>,
    /// The roles the spec leaves to be managed elsewhere (`managed: false`):
    /// nothing declares them.
    #[serde(skip)]
    pub unmanaged: Vec<UnmanagedRole>,
    /// ARNs that name a partition literally while the deployment pins none.
    #[serde(skip)]
    pub hard_coded: Vec<HardCodedArn>,
    /// The deployment's account, when the spec pins it.
    #[serde(skip)]
    pub account: Option<String>,
    /// The deployment's partition, when the spec pins it.
    #[serde(skip)]
    pub partition: Option<Partition>,
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

/// A deploy-time input the spec declares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Input {
    pub name: arn::InputName,
    pub description: String,
}

/// What the generated files name `name`, when they give it to something
/// else: one of [`TAKEN_NAMES`], or the logical id of a policy a split
/// role's template creates (`TaskRolePolicy2`, `TaskExecutionRolePolicy3`).
fn taken(name: &str) -> Option<&'static str> {
    if let Some((_, with)) = TAKEN_NAMES.iter().find(|(t, _)| *t == name) {
        return Some(with);
    }
    let policy = ["TaskRolePolicy", "TaskExecutionRolePolicy"]
        .iter()
        .filter_map(|p| name.strip_prefix(p))
        .any(|n| !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()));
    policy.then_some("a CloudFormation resource (a policy created beside a split role)")
}

/// Names the generated files give to something else: an input may not
/// take them. CloudFormation's resource and output logical ids, then the
/// Terraform module's own variables and the names Terraform reserves.
const TAKEN_NAMES: &[(&str, &str)] = &[
    ("TaskRole", "a CloudFormation resource"),
    ("TaskExecutionRole", "a CloudFormation resource"),
    ("TaskRoleArn", "a CloudFormation output"),
    ("TaskRoleName", "a CloudFormation output"),
    ("TaskExecutionRoleArn", "a CloudFormation output"),
    ("TaskExecutionRoleName", "a CloudFormation output"),
    ("path", "a Terraform variable"),
    ("tags", "a Terraform variable"),
    ("source", "a name Terraform reserves"),
    ("version", "a name Terraform reserves"),
    ("providers", "a name Terraform reserves"),
    ("count", "a name Terraform reserves"),
    ("locals", "a name Terraform reserves"),
    ("lifecycle", "a name Terraform reserves"),
];

/// The `hashicorp/aws` provider the Terraform module is written for (the
/// spec's `terraform.provider`): its version constraint, and the attribute
/// of the `aws_region` data source that names the region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Terraform {
    /// Major version: 5 or 6.
    pub provider: u64,
    /// The module's `required_providers` constraint on `hashicorp/aws`.
    pub aws_version: &'static str,
    /// `region` on 6.x; `name` on 5.x, which has no `region`. 6.0.0
    /// deprecates `name` (hashicorp/terraform-provider-aws#42131) and
    /// 6.47.0 `id` (#48036), so no attribute serves both majors.
    pub region_attribute: &'static str,
}

impl Terraform {
    /// The major versions a module can be written for; the first is the
    /// default.
    pub const PROVIDERS: [u64; 2] = [6, 5];

    /// The module for `provider`, one of [`Terraform::PROVIDERS`].
    #[must_use]
    pub fn for_provider(provider: u64) -> Option<Terraform> {
        match provider {
            6 => Some(Terraform {
                provider,
                aws_version: ">= 6.0",
                region_attribute: "region",
            }),
            5 => Some(Terraform {
                provider,
                aws_version: ">= 5.0, < 6.0",
                region_attribute: "name",
            }),
            _ => None,
        }
    }
}

/// Deploy-time values used anywhere in the roles (Terraform declares a data
/// source only for those).
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Uses {
    pub partition: bool,
    pub region: bool,
    pub account_id: bool,
}

/// Which of a workload's two roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RoleKind {
    Task,
    Execution,
}

impl RoleKind {
    /// Both roles, in the order they are built and rendered.
    pub const ALL: [RoleKind; 2] = [RoleKind::Task, RoleKind::Execution];

    /// `task` or `execution`: Terraform resource names and output prefixes.
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            RoleKind::Task => "task",
            RoleKind::Execution => "execution",
        }
    }

    /// CloudFormation logical id.
    #[must_use]
    pub fn logical_id(self) -> &'static str {
        match self {
            RoleKind::Task => "TaskRole",
            RoleKind::Execution => "TaskExecutionRole",
        }
    }

    /// CDK file stem (`task-role`, `execution-role`).
    #[must_use]
    pub fn file_stem(self) -> &'static str {
        match self {
            RoleKind::Task => "task-role",
            RoleKind::Execution => "execution-role",
        }
    }

    /// What the role is, in words (`task role`, `task execution role`).
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            RoleKind::Task => "task role",
            RoleKind::Execution => "task execution role",
        }
    }

    /// The spec's section for the role (`task_role`, `execution_role`).
    #[must_use]
    pub fn spec_field(self) -> &'static str {
        match self {
            RoleKind::Task => "task_role",
            RoleKind::Execution => "execution_role",
        }
    }
}

/// Templates and reports see each spelling as its own field.
impl Serialize for RoleKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("RoleKind", 4)?;
        s.serialize_field("key", self.key())?;
        s.serialize_field("logical_id", self.logical_id())?;
        s.serialize_field("file_stem", self.file_stem())?;
        s.serialize_field("title", self.title())?;
        s.end()
    }
}

/// One IAM role.
#[derive(Debug, Clone, Serialize)]
pub struct Role {
    /// Which role: serialised as `key`, `logical_id`, `file_stem` and
    /// `title`.
    #[serde(flatten)]
    pub kind: RoleKind,
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
    /// Customer managed policies created beside the role and attached to
    /// it (`policy_layout: split`): the statements the inline policy has
    /// no room for. Empty for a role whose statements fit inline.
    /// Templates see them through `render::context`, with their ids.
    #[serde(skip)]
    pub created_policies: Vec<Policy>,
    pub managed_policies: Vec<ManagedPolicy>,
}

impl Role {
    /// Every permission statement of the role: its inline policy's, then
    /// those of the policies created beside it. Grants are the role's
    /// whichever policy holds them.
    pub fn permission_statements(&self) -> impl Iterator<Item = &Statement> {
        self.policy
            .iter()
            .chain(&self.created_policies)
            .flat_map(|p| &p.statements)
    }
}

/// A role the spec names but does not manage (`managed: false`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnmanagedRole {
    pub kind: RoleKind,
    /// The spec's `name`, or the one the task definitions run with; `None`
    /// when neither names it.
    pub name: Option<String>,
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
    pub effect: Effect,
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
    /// Resources a task definition asked for, each with the field that
    /// asked; a resource may also be the spec's own.
    #[serde(skip)]
    pub sources: Vec<Sourced>,
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
    /// Log streams of a group another writer names at run time (the ECS
    /// Exec agent, a FireLens log router): the sentence that says who.
    LogStreamsNamedBy(&'static str),
    /// Object keys, chosen by the application at run time.
    ObjectKeys,
    /// Repositories an ECR pull-through cache rule creates under its prefix
    /// at the first pull of each upstream image.
    CachedRepositories,
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

/// Build the model of a parsed spec.
///
/// # Errors
/// The first value AWS or ecs-iam would reject, located in the spec file;
/// every problem of the task definitions at once.
pub fn build(source: &Source) -> Result<Model, Error> {
    build_with(source, false)
}

/// Build the model as [`build`] does, leaving out what template
/// placeholders in the task definitions stand for: `verify` reports them
/// as not proven.
///
/// # Errors
/// As [`build`], placeholders aside.
pub fn build_despite_placeholders(source: &Source) -> Result<Model, Error> {
    build_with(source, true)
}

fn build_with(source: &Source, despite_placeholders: bool) -> Result<Model, Error> {
    let b = Builder::new(source)?;
    let s = &source.spec;

    b.at("name", names::spec_name(&s.name))?;
    if let Some(d) = &s.description {
        b.at("description", names::description(d))?;
    }
    for (name, input) in &s.inputs {
        b.at(
            &format!("inputs.{name}.description"),
            names::input_description(&input.description),
        )?;
    }
    let path = s.path.clone().or_else(|| b.bound_path());
    if let Some(p) = &path {
        b.at("path", names::iam_path(p))?;
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
    if source.task_definitions.len() != s.task_definitions.len() {
        return Err(b.invalid("task_definitions", Problem::TaskDefinitionsNotRead));
    }
    let all = crate::task_definition::needs::needs_of_all(
        &source.task_definitions,
        &b.env,
        &s.pull_through_caches(),
    );
    let needs = all.needs;
    let problems: Vec<Error> = all
        .problems
        .into_iter()
        .filter(|p| !(despite_placeholders && p.is_placeholder()))
        .collect();
    if let Some(e) = Error::several(problems) {
        return Err(e);
    }
    let derived = derived::Derived::new(&needs);
    b.literal_keys()?;
    let task_managed = b.is_managed(RoleKind::Task)?;
    let execution_managed = b.is_managed(RoleKind::Execution)?;
    if !task_managed && !execution_managed {
        return Err(b.invalid("execution_role.managed", Problem::NoManagedRole));
    }
    let mut roles = Vec::new();
    let mut unmanaged = Vec::new();
    for (kind, managed) in [
        (RoleKind::Task, task_managed),
        (RoleKind::Execution, execution_managed),
    ] {
        match (managed, kind) {
            (true, RoleKind::Task) => roles.push(b.task_role(&common, &derived)?),
            (true, RoleKind::Execution) => roles.push(b.execution_role(&common, &derived)?),
            (false, _) => unmanaged.push(b.unmanaged_role(kind)?),
        }
    }
    let names: Vec<&str> = roles
        .iter()
        .map(|r| r.name.as_str())
        .chain(unmanaged.iter().filter_map(|u| u.name.as_deref()))
        .collect();
    if names.len() == 2 && names[0] == names[1] {
        let field = if s.execution_role.name.is_some() {
            "execution_role.name"
        } else {
            "task_role.name"
        };
        return Err(b.invalid(
            field,
            Problem::SameRoleName {
                name: names[0].to_owned(),
            },
        ));
    }

    let mut model = Model {
        summary: match (task_managed, execution_managed) {
            (true, true) => format!("ECS task role and task execution role of {}", s.name),
            (true, false) => format!("ECS task role of {}", s.name),
            (false, _) => format!("ECS task execution role of {}", s.name),
        },
        tags: common.tags.clone(),
        name: s.name.clone(),
        description: s.description.clone(),
        spec_file: source.file_name.clone(),
        uses: Uses::default(),
        terraform: b.terraform()?,
        inputs: Vec::new(),
        unused_inputs: Vec::new(),
        roles,
        unmanaged,
        hard_coded: b.hard_coded.take(),
        account: b.env.account.clone(),
        partition: b.env.partition,
    };
    let mut used = std::collections::BTreeSet::new();
    model.uses = uses(&model, &mut used);
    for (name, input) in &s.inputs {
        match used.iter().find(|u| u.as_str() == name) {
            Some(n) => model.inputs.push(Input {
                name: (*n).clone(),
                description: input.description.clone(),
            }),
            None => model.unused_inputs.push(name.clone()),
        }
    }
    for role in &mut model.roles {
        let layout = match role.kind {
            RoleKind::Task => s.task_role.policy_layout,
            RoleKind::Execution => s.execution_role.policy_layout,
        };
        if layout == Some(PolicyLayout::Split) {
            split::split(role)
                .map_err(|p| b.invalid(&format!("{}.policy_layout", role.kind.spec_field()), p))?;
            continue;
        }
        let size = policy_size(role);
        if size > MAX_INLINE_POLICY {
            return Err(b.invalid(
                role.kind.spec_field(),
                Problem::PolicyTooLarge {
                    role: role.kind.title(),
                    size,
                },
            ));
        }
    }
    Ok(model)
}

/// Why a spec's statement could not hold `action` (with `resources`, as
/// written): not `service:Action`, unknown to AWS's service reference, or,
/// in an `Allow`, acting on none of the resources (a grant of nothing);
/// `None` when it can.
#[must_use]
pub fn statement_action_problem(
    effect: Effect,
    action: &str,
    resources: &[String],
) -> Option<Problem> {
    names::action(action)
        .and_then(|()| names::known_action(action))
        .and_then(|()| {
            if effect == Effect::Allow {
                names::action_takes(action, resources)
            } else {
                Ok(())
            }
        })
        .err()
}

/// The deployment a spec pins (partition, region, account), checked.
///
/// # Errors
/// A deployment value AWS would reject, located in the spec.
pub fn deployment(source: &Source) -> Result<Env, Error> {
    Ok(Builder::new(source)?.env)
}

/// What both roles take from the top of the spec.
struct Common {
    path: Option<String>,
    boundary: Option<Text>,
    tags: Vec<Tag>,
}

/// Builds the model from a spec, locating every problem in the spec file.
struct Builder<'a> {
    source: &'a Source,
    env: Env,
    hard_coded: RefCell<Vec<HardCodedArn>>,
    /// The roles the task definitions run with.
    roles: crate::task_definition::Roles,
}

impl<'a> Builder<'a> {
    /// The provider the spec's `terraform.provider` names, 6 by default.
    fn terraform(&self) -> Result<Terraform, Error> {
        let provider = self
            .source
            .spec
            .terraform
            .provider
            .unwrap_or(Terraform::PROVIDERS[0]);
        Terraform::for_provider(provider).ok_or_else(|| {
            self.invalid(
                "terraform.provider",
                Problem::UnsupportedProvider {
                    found: provider,
                    supported: Terraform::PROVIDERS.to_vec(),
                },
            )
        })
    }

    fn new(source: &'a Source) -> Result<Self, Error> {
        let s = &source.spec;
        let mut b = Builder {
            source,
            env: Env::default(),
            hard_coded: RefCell::default(),
            roles: crate::task_definition::roles(&source.task_definitions)?,
        };
        if s.version != 1 {
            return Err(b.invalid("version", Problem::UnsupportedVersion { found: s.version }));
        }
        for name in s.inputs.keys() {
            let field = format!("inputs.{name}");
            let input = b.at(&field, arn::InputName::parse(name))?;
            if let Some(with) = taken(name) {
                return Err(b.invalid(
                    &field,
                    Problem::InputClash {
                        name: name.clone(),
                        with,
                    },
                ));
            }
            b.env.inputs.push(input);
        }
        let d = &s.deployment;
        if let Some(p) = &d.partition {
            b.env.partition = Some(b.at("deployment.partition", Partition::parse(p))?);
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
        for (i, key) in d.assumed.iter().enumerate() {
            if d.pinned(*key).is_none() {
                return Err(b.invalid(
                    &format!("deployment.assumed[{i}]"),
                    Problem::AssumedOpen { key: key.as_str() },
                ));
            }
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
        let a = self.at(field, self.env.user_arn(value, service, what))?;
        if let Some(partition) = a.hard_coded {
            self.hard_coded.borrow_mut().push(HardCodedArn {
                field: field.to_owned(),
                value: value.to_owned(),
                partition,
            });
        }
        Ok(a)
    }

    /// The problem a rule found, located at `field` of the spec.
    fn at<T>(&self, field: &str, result: Result<T, Problem>) -> Result<T, Error> {
        result.map_err(|p| self.invalid(field, p))
    }

    /// [`Builder::invalid`] at the mapping key that ends `field` rather
    /// than at its value.
    fn invalid_key(&self, field: &str, problem: Problem) -> Error {
        Error::Invalid {
            at: self
                .source
                .locations
                .key(field)
                .unwrap_or_else(|| self.source.locations.at(field)),
            field: field.to_owned(),
            problem: Box::new(problem),
        }
    }

    fn invalid(&self, field: &str, problem: Problem) -> Error {
        Error::Invalid {
            at: self.source.locations.at(field),
            field: field.to_owned(),
            problem: Box::new(problem),
        }
    }
}

/// The built-in deploy-time values the roles use; the declared inputs
/// they use are added to `inputs`.
fn uses(model: &Model, inputs: &mut std::collections::BTreeSet<arn::InputName>) -> Uses {
    let mut u = Uses::default();
    let mut see = |t: &Text| {
        for s in t.segments() {
            match s {
                Segment::Partition => u.partition = true,
                Segment::Region => u.region = true,
                Segment::Account => u.account_id = true,
                Segment::Input(name) => {
                    inputs.insert(name.clone());
                }
                Segment::Literal(_) => {}
            }
        }
    };
    for role in &model.roles {
        role.permissions_boundary.iter().for_each(&mut see);
        for m in &role.managed_policies {
            see(&m.arn);
        }
        let statements = role.trust.iter().chain(role.permission_statements());
        for st in statements {
            st.resources.iter().for_each(&mut see);
            for e in st.conditions.iter().flat_map(|g| &g.entries) {
                e.values.iter().for_each(&mut see);
            }
        }
    }
    u
}

#[cfg(test)]
mod tests {
    #[test]
    fn split_policy_ids_are_taken() {
        for name in [
            "TaskRolePolicy2",
            "TaskExecutionRolePolicy12",
            "TaskRoleArn",
        ] {
            assert!(super::taken(name).is_some(), "{name}");
        }
        for name in [
            "TaskRolePolicy",
            "TaskRolePolicyX",
            "TaskRolePolicy2a",
            "Stage",
        ] {
            assert!(super::taken(name).is_none(), "{name}");
        }
    }

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
    fn an_empty_role_name_has_its_own_message() {
        let e = model("version: 1\nname: w\ntask_role:\n  name: \"\"\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.yaml:4:9: `task_role.name`: role name is empty; give 1 to 64 letters, digits and `+=,.@_-`, or leave `name` out for `<name>-task` / `<name>-execution`"
        );
    }

    #[test]
    fn kms_alias_is_refused() {
        let e = model("version: 1\nname: w\ntask_role:\n  kms_keys: [alias/app]\n").unwrap_err();
        assert!(e.to_string().contains("KMS alias"), "{e}");
    }
}
