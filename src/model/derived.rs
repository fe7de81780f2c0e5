//! The grants the spec's task definitions need (`task_definition::needs`),
//! sorted by the statement they join, each resource with the task
//! definition field it comes from.

use crate::arn::Text;
use crate::error::Location;
use crate::task_definition::needs::{Destination, Grant, Need};

/// A resource a task definition needs, and the field that needs it
/// (`orders.taskdef.json: containerDefinitions[app].secrets[DB]`).
#[derive(Debug, Clone)]
pub struct Sourced {
    pub text: Text,
    /// The file and the field: `orders.taskdef.json: containerDefinitions[app].image`.
    pub origin: String,
    /// The field alone, in ECS API names.
    pub field: String,
    /// Where that field stands in the task definition.
    pub at: Location,
}

/// An EFS volume the task role mounts.
#[derive(Debug, Clone)]
pub(super) struct EfsMount {
    pub file_system: Text,
    pub access_point: Option<Text>,
    pub write: bool,
    pub origin: Sourced,
}

/// Every need of the task definitions, by statement.
#[derive(Debug, Clone, Default)]
pub(super) struct Derived {
    /// ECR repositories pulled from.
    pub pulls: Vec<Sourced>,
    /// Pull-through cache prefixes (`repository/<prefix>/*`) imported into.
    pub imports: Vec<Sourced>,
    /// Those of `imports` whose repository the first pull creates.
    pub creates: Vec<Sourced>,
    pub secrets: Vec<Sourced>,
    pub parameters: Vec<Sourced>,
    /// Log groups (`log-group:<name>:*`) the awslogs driver writes to.
    pub log_groups: Vec<Sourced>,
    /// Those of `log_groups` the driver creates.
    pub created_log_groups: Vec<Sourced>,
    pub environment_files: Vec<Sourced>,
    pub environment_file_buckets: Vec<Sourced>,
    pub efs: Vec<EfsMount>,
    /// FireLens configuration files in S3, and their buckets.
    pub firelens_configs: Vec<Sourced>,
    pub firelens_config_buckets: Vec<Sourced>,
    /// FireLens destinations, written with the task role.
    pub firelens_log_groups: Vec<Sourced>,
    /// Those of `firelens_log_groups` the log router creates.
    pub firelens_created_log_groups: Vec<Sourced>,
    pub firelens_firehose: Vec<Sourced>,
    pub firelens_kinesis: Vec<Sourced>,
    pub firelens_s3: Vec<Sourced>,
}

impl Derived {
    pub fn new(needs: &[Need]) -> Self {
        let mut d = Derived::default();
        for n in needs {
            let s = |text: &Text| Sourced {
                text: text.clone(),
                origin: n.origin.to_string(),
                field: n.origin.field.clone(),
                at: n.at.clone(),
            };
            match &n.grant {
                Grant::EcrPull { repository } => d.pulls.push(s(repository)),
                Grant::EcrImport { prefix, create, .. } => {
                    d.imports.push(s(prefix));
                    if *create {
                        d.creates.push(s(prefix));
                    }
                }
                Grant::Secret { arn } => d.secrets.push(s(arn)),
                Grant::Parameter { arn } => d.parameters.push(s(arn)),
                Grant::Logs { group, create } => {
                    d.log_groups.push(s(group));
                    if *create {
                        d.created_log_groups.push(s(group));
                    }
                }
                Grant::EnvironmentFile { object, bucket } => {
                    d.environment_files.push(s(object));
                    d.environment_file_buckets.push(s(bucket));
                }
                Grant::FirelensConfig { object, bucket } => {
                    d.firelens_configs.push(s(object));
                    d.firelens_config_buckets.push(s(bucket));
                }
                Grant::FirelensDestination(Destination::Logs { group, create }) => {
                    d.firelens_log_groups.push(s(group));
                    if *create {
                        d.firelens_created_log_groups.push(s(group));
                    }
                }
                Grant::FirelensDestination(Destination::Firehose { stream }) => {
                    d.firelens_firehose.push(s(stream));
                }
                Grant::FirelensDestination(Destination::Kinesis { stream }) => {
                    d.firelens_kinesis.push(s(stream));
                }
                Grant::FirelensDestination(Destination::S3 { objects }) => {
                    d.firelens_s3.push(s(objects));
                }
                Grant::Efs {
                    file_system,
                    access_point,
                    write,
                } => d.efs.push(EfsMount {
                    file_system: file_system.clone(),
                    access_point: access_point.clone(),
                    write: *write,
                    origin: s(file_system),
                }),
            }
        }
        d
    }
}

/// The texts of `sourced`, after `own` (the spec's).
pub(super) fn joined(own: Vec<Text>, sourced: &[Sourced]) -> Vec<Text> {
    own.into_iter()
        .chain(sourced.iter().map(|s| s.text.clone()))
        .collect()
}

/// A statement's `sources`.
pub(super) fn origins(sourced: &[Sourced]) -> Vec<Sourced> {
    sourced.to_vec()
}
