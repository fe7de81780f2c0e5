//! What a task definition needs from the roles, each need with the field
//! it comes from. The rules follow the ECS documentation of each field:
//!
//! - `image` in a private ECR registry: the layer actions on that
//!   repository, in the registry's own account and region, and
//!   `ecr:GetAuthorizationToken`; other registries are pulled anonymously.
//!   A repository under a pull-through cache prefix the spec declares also
//!   needs `ecr:BatchImportUpstreamImage` (and `ecr:CreateRepository` when
//!   the cached repository may not exist yet).
//! - `repositoryCredentials.credentialsParameter`, `secrets[].valueFrom`
//!   and `logConfiguration.secretOptions[].valueFrom`: the secret
//!   (`secretsmanager:GetSecretValue`) or parameter (`ssm:GetParameters`).
//! - `logConfiguration` of the `awslogs` driver: its log group.
//! - `environmentFiles[]` of type `s3`: the object and its bucket's
//!   location.
//! - `volumes[].efsVolumeConfiguration` with IAM authorisation: the task
//!   role mounts the file system, and writes when a mount is not read-only.

use std::fmt;

use crate::arn::{Env, Partition, REGIONAL, Segment, Text, is_account_id, is_region};
use crate::error::{Error, Location, Problem};
use crate::spec::PullThroughCacheSpec;

use super::{Container, Field, TaskDefinition};

/// Where a need comes from: the task definition file and the field.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Origin {
    /// The file as the spec names it.
    pub label: String,
    /// The field, in ECS API names, e.g.
    /// `containerDefinitions[app].secrets[DB_PASSWORD]`.
    pub field: String,
    /// The container it is for; `None` for task-level fields.
    pub container: Option<String>,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.label, self.field)
    }
}

/// One thing a role must allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant {
    /// Pull an image from a private ECR repository (ARN).
    EcrPull { repository: Text },
    /// Import an image into a pull-through cache repository.
    EcrImport {
        /// The repository the image is cached in.
        repository: Text,
        /// `repository/<prefix>/*`: every repository the rule caches into.
        prefix: Text,
        create: bool,
    },
    /// Read a Secrets Manager secret; `arn` as IAM matches it (a partial
    /// ARN ends in `-??????`).
    Secret { arn: Text },
    /// Read an SSM parameter.
    Parameter { arn: Text },
    /// Write the awslogs driver's streams of a log group
    /// (`log-group:<name>:*`), creating the group when asked.
    Logs { group: Text, create: bool },
    /// Read an environment file from S3.
    EnvironmentFile { object: Text, bucket: Text },
    /// Mount (and write) an EFS file system, through an access point.
    Efs {
        file_system: Text,
        access_point: Option<Text>,
        write: bool,
    },
}

impl Grant {
    /// True for the task role's grants; the others are the execution
    /// role's.
    #[must_use]
    pub fn for_task_role(&self) -> bool {
        matches!(self, Grant::Efs { .. })
    }
}

/// A grant and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    pub grant: Grant,
    pub origin: Origin,
    /// Where the field stands in the task definition.
    pub at: Location,
}

/// What a task definition needs, in field order.
///
/// # Errors
/// A value ECS would not accept, located in the task definition: an image
/// reference that does not parse, a `valueFrom` of another service, an
/// environment file that is not an S3 object ARN, an awslogs configuration
/// without a group.
pub fn needs(
    task: &TaskDefinition,
    env: &Env,
    caches: &[PullThroughCacheSpec],
) -> Result<Vec<Need>, Error> {
    let mut out = Vec::new();
    for c in &task.containers {
        container(task, c, env, caches, &mut out)?;
    }
    for v in &task.volumes {
        let Some(efs) = v.efs.as_ref().filter(|e| e.iam) else {
            continue;
        };
        let id = &efs.file_system_id;
        if !is_efs_id(&id.value, "fs-") {
            return Err(invalid(
                id,
                Problem::EfsId {
                    value: id.value.clone(),
                    kind: "file system",
                    prefix: "fs-",
                },
            ));
        }
        let access_point = match &efs.access_point_id {
            Some(ap) if !is_efs_id(&ap.value, "fsap-") => {
                return Err(invalid(
                    ap,
                    Problem::EfsId {
                        value: ap.value.clone(),
                        kind: "access point",
                        prefix: "fsap-",
                    },
                ));
            }
            Some(ap) => Some(env.arn(
                "elasticfilesystem",
                REGIONAL,
                &format!("access-point/{}", ap.value),
            )),
            None => None,
        };
        let write = task
            .containers
            .iter()
            .flat_map(|c| &c.mount_points)
            .any(|m| m.source_volume == v.name && !m.read_only);
        out.push(Need {
            grant: Grant::Efs {
                file_system: env.arn(
                    "elasticfilesystem",
                    REGIONAL,
                    &format!("file-system/{}", id.value),
                ),
                access_point,
                write,
            },
            origin: Origin {
                label: task.label.clone(),
                field: efs.path.clone(),
                container: None,
            },
            at: efs.at.clone(),
        });
    }
    Ok(out)
}

fn invalid(field: &Field, problem: Problem) -> Error {
    Error::Invalid {
        at: field.at.clone(),
        field: field.path.clone(),
        problem: Box::new(problem),
    }
}

fn is_efs_id(value: &str, prefix: &str) -> bool {
    value.strip_prefix(prefix).is_some_and(|hex| {
        (8..=40).contains(&hex.len()) && hex.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

fn container(
    task: &TaskDefinition,
    c: &Container,
    env: &Env,
    caches: &[PullThroughCacheSpec],
    out: &mut Vec<Need>,
) -> Result<(), Error> {
    let origin = |field: &Field| Origin {
        label: task.label.clone(),
        field: field.path.clone(),
        container: Some(c.name.clone()),
    };
    if let Some(image) = &c.image
        && let Some(repo) = ecr_repository(image, env)?
    {
        out.push(Need {
            grant: Grant::EcrPull {
                repository: repo.arn(env),
            },
            origin: origin(image),
            at: image.at.clone(),
        });
        for cache in caches {
            let prefix = cache.prefix.trim_end_matches('/');
            if repo.name.starts_with(&format!("{prefix}/")) {
                out.push(Need {
                    grant: Grant::EcrImport {
                        repository: repo.arn(env),
                        prefix: RepositoryRef {
                            name: format!("{prefix}/*"),
                            ..repo.clone()
                        }
                        .arn(env),
                        create: cache.create_repository,
                    },
                    origin: origin(image),
                    at: image.at.clone(),
                });
            }
        }
    }
    if let Some(creds) = &c.repository_credentials {
        let arn = secret(creds, env, true)?;
        out.push(Need {
            grant: arn,
            origin: origin(creds),
            at: creds.at.clone(),
        });
    }
    for s in &c.secrets {
        out.push(Need {
            grant: secret(s, env, false)?,
            origin: origin(s),
            at: s.at.clone(),
        });
    }
    if let Some(log) = &c.log {
        if log.driver.value == "awslogs" {
            let path = log.driver.path.trim_end_matches(".logDriver").to_owned();
            let group = log.option("awslogs-group").ok_or_else(|| {
                invalid(
                    &log.driver,
                    Problem::AwslogsGroup {
                        container: c.name.clone(),
                    },
                )
            })?;
            if !is_log_group(&group.value) {
                return Err(invalid(
                    group,
                    Problem::Name {
                        kind: "log group name",
                        value: group.value.clone(),
                        allowed: "use 1 to 512 letters, digits and `._-/#`",
                    },
                ));
            }
            let region = match log.option("awslogs-region") {
                Some(r) if r.value == "<region>" || is_region(&r.value) => r.value.clone(),
                Some(r) => {
                    return Err(invalid(
                        r,
                        Problem::Region {
                            value: r.value.clone(),
                        },
                    ));
                }
                None => "<region>".to_owned(),
            };
            let arn = format!(
                "arn:<partition>:logs:{region}:<account_id>:log-group:{}:*",
                group.value
            );
            out.push(Need {
                grant: Grant::Logs {
                    group: expand(env, &arn, group)?,
                    create: log
                        .option("awslogs-create-group")
                        .is_some_and(|v| v.value.eq_ignore_ascii_case("true")),
                },
                origin: Origin {
                    label: task.label.clone(),
                    field: path,
                    container: Some(c.name.clone()),
                },
                at: log.driver.at.clone(),
            });
        }
        for s in &log.secret_options {
            out.push(Need {
                grant: secret(s, env, false)?,
                origin: origin(s),
                at: s.at.clone(),
            });
        }
    }
    for f in &c.environment_files {
        let (object, bucket) = s3_object(f, env)?;
        out.push(Need {
            grant: Grant::EnvironmentFile { object, bucket },
            origin: origin(f),
            at: f.at.clone(),
        });
    }
    Ok(())
}

fn expand(env: &Env, value: &str, field: &Field) -> Result<Text, Error> {
    env.expand(value).map_err(|p| invalid(field, p))
}

fn is_log_group(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 512
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/#".contains(c))
}

/// A private ECR repository an image names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepositoryRef {
    /// The literal partition the registry's host fixes; `None` when its
    /// region is left to deploy time.
    pub partition: Option<Partition>,
    /// A region name or `<region>`.
    pub region: String,
    /// An account id or `<account_id>`.
    pub account: String,
    pub name: String,
}

impl RepositoryRef {
    #[must_use]
    pub fn arn(&self, env: &Env) -> Text {
        let mut t = Text::literal("arn:");
        t.push(self.partition.map_or_else(
            || env.partition(),
            |p| Segment::Literal(p.as_str().to_owned()),
        ));
        t.push_str(":ecr:");
        t.push(if self.region == "<region>" {
            env.region()
        } else {
            Segment::Literal(self.region.clone())
        });
        t.push_str(":");
        t.push(if self.account == "<account_id>" {
            env.account()
        } else {
            Segment::Literal(self.account.clone())
        });
        t.push_str(&format!(":repository/{}", self.name));
        t
    }
}

/// The ECR repository an image reference names, or `None` for an image
/// from another registry (pulled without credentials from the role).
///
/// # Errors
/// A reference to an ECR registry that does not parse.
pub fn ecr_repository(image: &Field, env: &Env) -> Result<Option<RepositoryRef>, Error> {
    let value = image.value.as_str();
    let bad = |reason: &'static str| {
        invalid(
            image,
            Problem::BadImage {
                value: value.to_owned(),
                reason,
            },
        )
    };
    if value.is_empty() {
        return Err(bad("it is empty"));
    }
    // Docker's rule: the part before the first `/` is a registry host when
    // it has a `.` or a `:`, or is `localhost`.
    let Some((host, rest)) = value.split_once('/') else {
        return Ok(None);
    };
    if !(host.contains('.') || host.contains(':') || host == "localhost") {
        return Ok(None);
    }
    let host_lower = host.to_ascii_lowercase();
    let labels: Vec<&str> = host_lower.split('.').collect();
    let dual_stack = matches!(labels.get(1).copied(), Some("dkr-ecr" | "dkr-ecr-fips"));
    let is_ecr = labels.len() >= 5
        && (dual_stack || (labels[1] == "dkr" && matches!(labels[2], "ecr" | "ecr-fips")));
    if !is_ecr {
        return Ok(None);
    }
    let (account, region, suffix) = if dual_stack {
        // Dual-stack: ACCOUNT.dkr-ecr.REGION.on.aws
        (labels[0], labels[2], labels[3..].join("."))
    } else {
        (labels[0], labels[3], labels[4..].join("."))
    };
    if !(account == "<account_id>" || is_account_id(account)) {
        return Err(bad(
            "its registry host does not start with a 12-digit account id",
        ));
    }
    if !(region == "<region>" || is_region(region)) {
        return Err(bad("its registry host does not name a region"));
    }
    let partition = if region == "<region>" {
        None
    } else {
        Some(Partition::of_region(region))
    };
    let suffix_ok = matches!(
        (suffix.as_str(), partition),
        ("<url_suffix>" | "on.aws", _)
            | ("amazonaws.com.cn", Some(Partition::AwsCn) | None)
            | (
                "amazonaws.com",
                Some(Partition::Aws | Partition::AwsUsGov) | None
            )
    );
    if !suffix_ok {
        return Err(bad(
            "its registry host is not `<account>.dkr.ecr.<region>.amazonaws.com` (`.amazonaws.com.cn` in China)",
        ));
    }
    if let (Some(p), Some(pinned)) = (partition, env.partition)
        && p != pinned
    {
        return Err(invalid(
            image,
            Problem::PartitionMismatch {
                value: value.to_owned(),
                found: p.as_str().to_owned(),
                pinned: pinned.as_str().to_owned(),
            },
        ));
    }
    // `repo[:tag][@digest]`; a tag follows the last `/`.
    let without_digest = rest.split_once('@').map_or(rest, |(r, _)| r);
    let name = match without_digest.rsplit_once(':') {
        Some((r, tag)) if !tag.contains('/') => r,
        _ => without_digest,
    };
    if !is_repository_name(name) {
        return Err(bad(
            "its repository is not 2 to 256 lowercase letters, digits and `._-/` (each part starting and ending with a letter or digit)",
        ));
    }
    Ok(Some(RepositoryRef {
        partition,
        region: region.to_owned(),
        account: account.to_owned(),
        name: name.to_owned(),
    }))
}

/// ECR's repository name rule.
fn is_repository_name(name: &str) -> bool {
    (2..=256).contains(&name.len())
        && name.split('/').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
                && part.as_bytes()[0].is_ascii_alphanumeric()
                && part.as_bytes()[part.len() - 1].is_ascii_alphanumeric()
        })
}

/// A `valueFrom` (or `credentialsParameter`): the secret or parameter.
fn secret(field: &Field, env: &Env, secrets_manager_only: bool) -> Result<Grant, Error> {
    let value = field.value.as_str();
    if !value.starts_with("arn:") {
        if secrets_manager_only {
            // A secret's name, in the task's region and account.
            let is_name = !value.is_empty()
                && value.len() <= 512
                && value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "/_+=.@-".contains(c));
            if !is_name {
                return Err(invalid(
                    field,
                    Problem::ValueFrom {
                        value: value.to_owned(),
                        expected: "a Secrets Manager secret name or ARN",
                    },
                ));
            }
            let mut text = env.arn("secretsmanager", REGIONAL, &format!("secret:{value}"));
            if !is_complete_secret_name(value) {
                text.push_str("-??????");
            }
            return Ok(Grant::Secret { arn: text });
        }
        // A parameter name, resolved by ECS in the task's region and account.
        let name = value.strip_prefix('/').unwrap_or(value);
        if name.is_empty()
            || name.len() > 2048
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-/".contains(c))
        {
            return Err(invalid(
                field,
                Problem::ValueFrom {
                    value: value.to_owned(),
                    expected: "a Secrets Manager secret ARN, an SSM parameter ARN, or an SSM parameter name (letters, digits and `_.-/`)",
                },
            ));
        }
        return Ok(Grant::Parameter {
            arn: env.arn("ssm", REGIONAL, &format!("parameter/{name}")),
        });
    }
    let parts: Vec<&str> = value.split(':').collect();
    let service = parts.get(2).copied().unwrap_or_default();
    let arn_problem = || {
        invalid(
            field,
            Problem::BadArn {
                value: value.to_owned(),
                expected: if secrets_manager_only {
                    "`arn:<partition>:secretsmanager:<region>:<account_id>:secret:<name>`"
                } else {
                    "`arn:<partition>:secretsmanager:<region>:<account_id>:secret:<name>[:<json-key>:<version-stage>:<version-id>]` or `arn:<partition>:ssm:<region>:<account_id>:parameter/<name>`"
                },
            },
        )
    };
    match service {
        "secretsmanager" => {
            // arn:P:secretsmanager:R:A:secret:NAME[:json-key:stage:id]
            if parts.len() < 7 || parts.len() > 10 || parts[5] != "secret" || parts[6].is_empty() {
                return Err(arn_problem());
            }
            let arn = parts[..7].join(":");
            let checked = env
                .user_arn(&arn, Some("secretsmanager"), "a Secrets Manager secret ARN")
                .map_err(|p| invalid(field, p))?;
            let mut text = checked.text;
            // A complete ARN ends in `-` and the six characters Secrets
            // Manager appends; a partial one (the name alone) matches them
            // with `-??????`.
            if !is_complete_secret_name(parts[6]) {
                text.push_str("-??????");
            }
            Ok(Grant::Secret { arn: text })
        }
        "ssm" if !secrets_manager_only => {
            if parts.len() != 6 || !parts[5].starts_with("parameter/") {
                return Err(arn_problem());
            }
            let checked = env
                .user_arn(value, Some("ssm"), "an SSM parameter ARN")
                .map_err(|p| invalid(field, p))?;
            Ok(Grant::Parameter { arn: checked.text })
        }
        "" => Err(arn_problem()),
        other => Err(invalid(
            field,
            Problem::ValueFromService {
                value: value.to_owned(),
                found: other.to_owned(),
                expected: if secrets_manager_only {
                    "Secrets Manager (`secretsmanager`)"
                } else {
                    "Secrets Manager (`secretsmanager`) or SSM Parameter Store (`ssm`)"
                },
            },
        )),
    }
}

/// Whether a secret name ends with the `-` and six letters or digits that
/// Secrets Manager appends (AWS advises against names that end so).
#[must_use]
pub fn is_complete_secret_name(name: &str) -> bool {
    name.len() > 7
        && name.as_bytes()[name.len() - 7] == b'-'
        && name[name.len() - 6..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric())
}

/// An `environmentFiles` value: the object's ARN and its bucket's.
fn s3_object(field: &Field, env: &Env) -> Result<(Text, Text), Error> {
    let value = field.value.as_str();
    let bad = || {
        invalid(
            field,
            Problem::BadArn {
                value: value.to_owned(),
                expected: "an S3 object ARN, `arn:<partition>:s3:::<bucket>/<key>.env`",
            },
        )
    };
    let parts: Vec<&str> = value.splitn(6, ':').collect();
    if parts.len() != 6 || parts[0] != "arn" || !parts[3].is_empty() || !parts[4].is_empty() {
        return Err(bad());
    }
    if parts[2] != "s3" {
        return Err(invalid(
            field,
            Problem::ValueFromService {
                value: value.to_owned(),
                found: parts[2].to_owned(),
                expected: "Amazon S3 (`s3`)",
            },
        ));
    }
    let Some((bucket, key)) = parts[5].split_once('/') else {
        return Err(bad());
    };
    if bucket.is_empty() || key.is_empty() {
        return Err(bad());
    }
    let object = env
        .user_arn(value, Some("s3"), "an S3 object ARN")
        .map_err(|p| invalid(field, p))?;
    let bucket_arn = format!("arn:{}:s3:::{bucket}", parts[1]);
    let bucket = env
        .user_arn(&bucket_arn, Some("s3"), "an S3 bucket ARN")
        .map_err(|p| invalid(field, p))?;
    Ok((object.text, bucket.text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Location;

    fn field(value: &str) -> Field {
        Field {
            value: value.to_owned(),
            path: "containerDefinitions[app].image".to_owned(),
            at: Location {
                file: "t.json".into(),
                line: 1,
                column: 1,
            },
        }
    }

    #[test]
    fn images() {
        let env = Env::default();
        let repo =
            |v: &str| ecr_repository(&field(v), &env).map(|r| r.map(|r| r.arn(&env).to_string()));
        assert_eq!(
            repo("111122223333.dkr.ecr.eu-west-1.amazonaws.com/orders/api:1.2")
                .unwrap()
                .unwrap(),
            "arn:aws:ecr:eu-west-1:111122223333:repository/orders/api"
        );
        assert_eq!(
            repo("111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn/api@sha256:abcd")
                .unwrap()
                .unwrap(),
            "arn:aws-cn:ecr:cn-north-1:111122223333:repository/api"
        );
        assert_eq!(
            repo("<account_id>.dkr.ecr.<region>.<url_suffix>/api:latest")
                .unwrap()
                .unwrap(),
            "arn:<partition>:ecr:<region>:<account_id>:repository/api"
        );
        assert_eq!(repo("nginx:1.27").unwrap(), None);
        assert_eq!(repo("public.ecr.aws/nginx/nginx:1").unwrap(), None);
        assert_eq!(repo("localhost:5000/app").unwrap(), None);
        let e = repo("111122223333.dkr.ecr.eu-west-1.amazonaws.com/Orders").unwrap_err();
        assert!(e.to_string().contains("lowercase"), "{e}");
        let e = repo("111122223333.dkr.ecr.eu-west-1.amazonaws.com/").unwrap_err();
        assert!(e.to_string().contains("repository"), "{e}");
    }

    #[test]
    fn secrets_and_parameters() {
        let env = Env::default();
        let s = |v: &str| match secret(&field(v), &env, false) {
            Ok(Grant::Secret { arn }) => format!("secret {arn}"),
            Ok(Grant::Parameter { arn }) => format!("parameter {arn}"),
            Ok(other) => format!("{other:?}"),
            Err(e) => e.to_string(),
        };
        assert_eq!(
            s("arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf:password::"),
            "secret arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf"
        );
        assert_eq!(
            s("arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db"),
            "secret arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/db-??????"
        );
        assert_eq!(
            s("/orders/db/host"),
            "parameter arn:<partition>:ssm:<region>:<account_id>:parameter/orders/db/host"
        );
        assert_eq!(
            s("arn:aws:ssm:eu-west-1:111122223333:parameter/orders/db"),
            "parameter arn:aws:ssm:eu-west-1:111122223333:parameter/orders/db"
        );
        assert!(s("arn:aws:s3:::bucket/key").contains("is an ARN of service `s3`"));
    }
}
