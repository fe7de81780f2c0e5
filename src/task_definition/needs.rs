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

use super::{Container, FIRELENS_AWS_OUTPUTS, Field, TaskDefinition, Unresolved};

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
    /// The CloudFormation `Fn::If` conditions the field stands under.
    pub condition: Option<String>,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.label, self.field)?;
        match &self.condition {
            Some(c) => write!(f, " ({c})"),
            None => Ok(()),
        }
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
    /// Read a FireLens log router's configuration file from S3.
    FirelensConfig { object: Text, bucket: Text },
    /// A FireLens destination the log router writes with the task role.
    FirelensDestination(Destination),
}

/// Where a FireLens log router (Fluent Bit's AWS output plugins) sends a
/// container's logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// `cloudwatch` / `cloudwatch_logs`: the group's streams
    /// (`log-group:<name>:*`), creating the group with `auto_create_group`.
    Logs { group: Text, create: bool },
    /// `kinesis_firehose` / `firehose`: a delivery stream.
    Firehose { stream: Text },
    /// `kinesis_streams` / `kinesis`: a data stream.
    Kinesis { stream: Text },
    /// `s3`: the objects under the key format's fixed prefix.
    S3 { objects: Text },
}

impl Grant {
    /// True for the task role's grants; the others are the execution
    /// role's.
    #[must_use]
    pub fn for_task_role(&self) -> bool {
        matches!(self, Grant::Efs { .. } | Grant::FirelensDestination(_))
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

/// An ECR pull-through cache rule the images may be pulled through: the
/// image reference alone cannot show it (the registry owner chose the
/// prefix), so the spec declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullThroughCache {
    /// The rule's repository prefix, e.g. `docker-hub`.
    pub prefix: String,
    /// The first pull may create the cached repository.
    pub create_repository: bool,
}

/// What a task definition needs, and what it holds that ecs-iam cannot
/// turn into a grant.
#[derive(Debug, Default)]
pub struct Needs {
    /// In field order.
    pub needs: Vec<Need>,
    /// Values ECS would not accept, and template placeholders
    /// ([`Problem::Placeholder`]), in line order; each field's grant is
    /// left out.
    pub problems: Vec<Error>,
}

impl Needs {
    /// The needs, or every problem at once.
    ///
    /// # Errors
    /// The problems, in line order.
    pub fn all(self) -> Result<Vec<Need>, Error> {
        match Error::several(self.problems) {
            Some(e) => Err(e),
            None => Ok(self.needs),
        }
    }
}

/// What several task definitions need together: their needs in order,
/// their problems in line order.
#[must_use]
pub fn needs_of_all(tasks: &[TaskDefinition], env: &Env, caches: &[PullThroughCache]) -> Needs {
    let mut all = Needs::default();
    for t in tasks {
        let n = needs(t, env, caches);
        all.needs.extend(n.needs);
        all.problems.extend(n.problems);
    }
    all
}

/// What a task definition needs, in field order, with every value ECS
/// would not accept and every template placeholder in a field that decides
/// a grant: an image reference that does not parse, a `valueFrom` of
/// another service, an environment file that is not an S3 object ARN, an
/// awslogs configuration without a group, `${IMAGE}`.
#[must_use]
pub fn needs(task: &TaskDefinition, env: &Env, caches: &[PullThroughCache]) -> Needs {
    let mut out = Needs::default();
    for c in &task.containers {
        container(task, c, env, caches, &mut out);
    }
    for v in &task.volumes {
        if let Some(efs) = v.efs.as_ref().filter(|e| e.iam) {
            match volume(task, v, efs, env) {
                Ok(n) => out.needs.push(n),
                Err(e) => out.problems.push(e),
            }
        }
    }
    out.problems
        .sort_by_key(|e| e.location().map(|l| (l.file.clone(), l.line, l.column)));
    // A template resource two fields name is one problem, told once.
    out.problems.dedup_by(|a, b| a.to_string() == b.to_string());
    out
}

fn volume(
    task: &TaskDefinition,
    v: &super::Volume,
    efs: &super::Efs,
    env: &Env,
) -> Result<Need, Error> {
    {
        let id = &efs.file_system_id;
        literal(id)?;
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
        if let Some(ap) = &efs.access_point_id {
            literal(ap)?;
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
        Ok(Need {
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
                condition: efs.condition.clone(),
            },
            at: efs.at.clone(),
        })
    }
}

fn invalid(field: &Field, problem: Problem) -> Error {
    // A value made of an input cannot be checked or derived from: say so,
    // naming the input, rather than what its placeholder text fails.
    let problem = match field.value.split_once("<input.") {
        Some((_, rest))
            if !matches!(
                problem,
                Problem::UnknownInput { .. } | Problem::ImageInput { .. }
            ) =>
        {
            Problem::InputValue {
                name: rest.split_once('>').map_or(rest, |(n, _)| n).to_owned(),
            }
        }
        _ => problem,
    };
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
    caches: &[PullThroughCache],
    out: &mut Needs,
) {
    let origin = |field: &Field| Origin {
        label: task.label.clone(),
        field: field.path.clone(),
        container: Some(c.name.clone()),
        condition: field.condition.clone(),
    };
    let need = |grant: Grant, field: &Field| Need {
        grant,
        origin: origin(field),
        at: field.at.clone(),
    };
    let mut add = |result: Result<Vec<Need>, Error>| match result {
        Ok(n) => out.needs.extend(n),
        Err(e) => out.problems.push(e),
    };
    if let Some(image) = &c.image {
        add(image_needs(image, env, caches)
            .map(|grants| grants.into_iter().map(|g| need(g, image)).collect()));
    }
    if let Some(creds) = &c.repository_credentials {
        add(secret(creds, env, true).map(|g| vec![need(g, creds)]));
    }
    for s in &c.secrets {
        add(secret(s, env, false).map(|g| vec![need(g, s)]));
    }
    if let Some(log) = &c.log {
        let origin = Origin {
            label: task.label.clone(),
            field: log.driver.path.trim_end_matches(".logDriver").to_owned(),
            container: Some(c.name.clone()),
            condition: log.driver.condition.clone(),
        };
        let at = log.driver.at.clone();
        let sourced = |grants: Vec<Grant>| {
            grants
                .into_iter()
                .map(|grant| Need {
                    grant,
                    origin: origin.clone(),
                    at: at.clone(),
                })
                .collect()
        };
        match log.driver.value.as_str() {
            "awslogs" => add(awslogs(c, log, env).map(|g| sourced(vec![g]))),
            "awsfirelens" => add(firelens_destination(log, env).map(sourced)),
            _ => {}
        }
        for s in &log.secret_options {
            add(secret(s, env, false).map(|g| vec![need(g, s)]));
        }
    }
    for f in &c.environment_files {
        add(s3_object(f, env)
            .map(|(object, bucket)| vec![need(Grant::EnvironmentFile { object, bucket }, f)]));
    }
    if let Some(fl) = &c.firelens
        && fl
            .option("config-file-type")
            .is_some_and(|t| t.value == "s3")
    {
        match fl.option("config-file-value") {
            Some(v) => add(s3_object(v, env)
                .map(|(object, bucket)| vec![need(Grant::FirelensConfig { object, bucket }, v)])),
            None => add(Err(Error::Invalid {
                at: fl.at.clone(),
                field: fl.path.clone(),
                problem: Box::new(Problem::FirelensConfigFile),
            })),
        }
    }
}

/// What pulling an image needs: the ECR repository, and the pull-through
/// cache imports the spec declares for it.
fn image_needs(image: &Field, env: &Env, caches: &[PullThroughCache]) -> Result<Vec<Grant>, Error> {
    let Some(repo) = ecr_repository(image, env)? else {
        return Ok(Vec::new());
    };
    let mut out = vec![Grant::EcrPull {
        repository: repo.arn(env),
    }];
    for cache in caches {
        let prefix = cache.prefix.trim_end_matches('/');
        if repo.name.starts_with(&format!("{prefix}/")) {
            out.push(Grant::EcrImport {
                repository: repo.arn(env),
                prefix: RepositoryRef {
                    name: format!("{prefix}/*"),
                    ..repo.clone()
                }
                .arn(env),
                create: cache.create_repository,
            });
        }
    }
    Ok(out)
}

/// The awslogs driver's log group.
fn awslogs(c: &Container, log: &super::LogConfiguration, env: &Env) -> Result<Grant, Error> {
    let group = log.option("awslogs-group").ok_or_else(|| {
        invalid(
            &log.driver,
            Problem::AwslogsGroup {
                container: c.name.clone(),
            },
        )
    })?;
    // Every placeholder of the configuration at once, each where it stands.
    let templates: Vec<Error> = ["awslogs-group", "awslogs-region", "awslogs-create-group"]
        .iter()
        .filter_map(|key| log.option(key))
        .filter_map(|f| literal(f).err())
        .collect();
    if let Some(e) = Error::several(templates) {
        return Err(e);
    }
    log_group(env, group, &group.value)?;
    let region = region_option(log.option("awslogs-region"), env)?;
    if let Some(create) = log.option("awslogs-create-group") {
        literal(create)?;
    }
    let arn = format!(
        "arn:<partition>:logs:{region}:<account_id>:log-group:{}:*",
        group.value
    );
    Ok(Grant::Logs {
        group: expand(env, &arn, group)?,
        create: log
            .option("awslogs-create-group")
            .is_some_and(|v| v.value.eq_ignore_ascii_case("true")),
    })
}

/// A region option: a region name, or the task's region when absent.
fn region_option(field: Option<&Field>, env: &Env) -> Result<String, Error> {
    match field {
        Some(r) => {
            literal(r)?;
            if r.value == "<region>" || (r.pseudo_parameters && is_input(&r.value)) {
                Ok(r.value.clone())
            } else if is_region(&r.value) {
                // A region of another partition names nothing there.
                let found = Partition::of_region(&r.value);
                match env.partition {
                    Some(pinned) if pinned != found => Err(invalid(
                        r,
                        Problem::RegionPartition {
                            region: r.value.clone(),
                            partition: pinned.as_str().to_owned(),
                        },
                    )),
                    _ => Ok(r.value.clone()),
                }
            } else {
                Err(invalid(
                    r,
                    Problem::Region {
                        value: r.value.clone(),
                    },
                ))
            }
        }
        None => Ok("<region>".to_owned()),
    }
}

/// The AWS destination of an `awsfirelens` log configuration, from the
/// options of Fluent Bit's output plugin (`Name`): the log router writes
/// there with the task role. Other destinations (Datadog, Splunk, HTTP,
/// `forward`) need nothing from the roles.
fn firelens_destination(log: &super::LogConfiguration, env: &Env) -> Result<Vec<Grant>, Error> {
    let option = |key: &str| log.option_ignoring_case(key);
    let Some(name) = option("Name") else {
        return Ok(Vec::new());
    };
    literal(name)?;
    let plugin = name.value.to_ascii_lowercase();
    let required = |key: &'static str| {
        option(key).ok_or_else(|| {
            invalid(
                name,
                Problem::FirelensOption {
                    plugin: name.value.clone(),
                    option: key,
                },
            )
        })
    };
    if !FIRELENS_AWS_OUTPUTS.contains(&plugin.as_str()) {
        // The reader warns about outputs that call AWS otherwise.
        return Ok(Vec::new());
    }
    if let Some(role) = option("role_arn") {
        // The plugin writes with another role, assumed from the task
        // role: what that role may do is not in the task definition.
        return Err(invalid(
            role,
            Problem::FirelensRoleArn {
                role: role.value.clone(),
            },
        ));
    }
    let region = region_option(option("region"), env)?;
    let arn = |service: &str, resource: &str, field: &Field| {
        expand(
            env,
            &format!("arn:<partition>:{service}:{region}:<account_id>:{resource}"),
            field,
        )
    };
    let destination = match plugin.as_str() {
        "cloudwatch" | "cloudwatch_logs" => {
            let group = required("log_group_name")?;
            if group.value.contains(['*', '?']) {
                return Err(invalid(
                    group,
                    Problem::WildcardName {
                        value: group.value.clone(),
                    },
                ));
            }
            if group.value.trim_start().starts_with("$(") {
                // Named wholly at run time: the reader warns, and no
                // grant is narrower than every group.
                return Ok(Vec::new());
            }
            // Fluent Bit fills `$(ecs_cluster)`, `$(ecs_task_id)` and other
            // record accessors at run time: any name there.
            let group = &Field {
                value: run_time_wildcards(&group.value),
                ..group.clone()
            };
            template(group)?;
            log_group(env, group, &group.value.replace('*', "x"))?;
            let create = match option("auto_create_group") {
                Some(v) => {
                    literal(v)?;
                    matches!(v.value.to_ascii_lowercase().as_str(), "true" | "on" | "yes")
                }
                None => false,
            };
            Destination::Logs {
                group: arn("logs", &format!("log-group:{}:*", group.value), group)?,
                create,
            }
        }
        "firehose" | "kinesis_firehose" => {
            let stream = required("delivery_stream")?;
            literal(stream)?;
            stream_name(stream, 64)?;
            Destination::Firehose {
                stream: arn(
                    "firehose",
                    &format!("deliverystream/{}", stream.value),
                    stream,
                )?,
            }
        }
        "kinesis" | "kinesis_streams" => {
            let stream = required("stream")?;
            literal(stream)?;
            stream_name(stream, 128)?;
            Destination::Kinesis {
                stream: arn("kinesis", &format!("stream/{}", stream.value), stream)?,
            }
        }
        _ => {
            let bucket = required("bucket")?;
            literal(bucket)?;
            if !is_bucket(&bucket.value) {
                return Err(invalid(
                    bucket,
                    Problem::Name {
                        kind: "S3 bucket name",
                        value: bucket.value.clone(),
                        allowed: "use 3 to 63 lowercase letters, digits, `.` and `-`, starting and ending with a letter or digit",
                    },
                ));
            }
            // The objects are those under the key format's fixed start:
            // Fluent Bit's `$TAG`, `$UUID`, `$(...)` and strftime's `%Y`
            // are filled per object. Its default is
            // `/fluent-bit-logs/$TAG/%Y/%m/%d/%H/%M/%S` (`s3_key_format` in
            // plugins/out_s3/s3.c).
            let format = option("s3_key_format");
            let text = format.map_or("/fluent-bit-logs/$TAG/%Y/%m/%d/%H/%M/%S", |f| {
                f.value.as_str()
            });
            let fixed = text
                .find(['$', '%'])
                .map_or(text, |i| &text[..i])
                .trim_start_matches('/');
            // Fluent Bit's own `$TAG` and `%Y` are not placeholders: only
            // the fixed start is read, and the message names the whole.
            if let Some(f) = format
                && let Err(Error::Invalid { problem, .. }) = literal(&Field {
                    value: fixed.to_owned(),
                    ..f.clone()
                })
            {
                let problem = match *problem {
                    Problem::Placeholder { syntax, .. } => Problem::Placeholder {
                        value: f.value.clone(),
                        syntax,
                    },
                    other => other,
                };
                return Err(invalid(f, problem));
            }
            let objects = env.user_arn(
                &format!("arn:<partition>:s3:::{}/{fixed}*", bucket.value),
                Some("s3"),
                "an S3 bucket name",
            );
            Destination::S3 {
                objects: objects.map_err(|p| invalid(bucket, p))?.text,
            }
        }
    };
    Ok(vec![Grant::FirelensDestination(destination)])
}

/// A Firehose delivery stream's or Kinesis stream's name: letters, digits,
/// `_`, `.` and `-`.
fn stream_name(field: &Field, max: usize) -> Result<(), Error> {
    let ok = (1..=max).contains(&field.value.len())
        && field
            .value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(invalid(
            field,
            Problem::Name {
                kind: "stream name",
                value: field.value.clone(),
                allowed: "use letters, digits, `_`, `.` and `-`",
            },
        ))
    }
}

/// S3's bucket naming rule (general purpose buckets).
fn is_bucket(name: &str) -> bool {
    (3..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && name.as_bytes()[0].is_ascii_alphanumeric()
        && name.as_bytes()[name.len() - 1].is_ascii_alphanumeric()
}

/// Fluent Bit's record accessors (`$(ecs_cluster)`, `$(tag[1])`) as `*`.
fn run_time_wildcards(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("$(") {
        let Some(len) = rest[start..].find(')') else {
            break;
        };
        out.push_str(&rest[..start]);
        out.push('*');
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

/// Refuse a template placeholder (`${IMAGE}`, `{{ must_env "X" }}`,
/// `<IMAGE_URI>`) where ecs-iam needs an AWS value: it is never an image
/// name or a literal resource name.
fn literal(field: &Field) -> Result<(), Error> {
    if field.value.contains(['*', '?']) {
        return Err(invalid(
            field,
            Problem::WildcardName {
                value: field.value.clone(),
            },
        ));
    }
    template(field)
}

/// Refuse a template placeholder, wildcards allowed (a name Fluent Bit
/// completes at run time).
fn template(field: &Field) -> Result<(), Error> {
    if let Some(e) = Error::several(field.unresolved.iter().map(Unresolved::error).collect()) {
        return Err(e);
    }
    match placeholder(&field.value, field.pseudo_parameters) {
        Some(syntax) => Err(invalid(
            field,
            Problem::Placeholder {
                value: field.value.clone(),
                syntax,
            },
        )),
        None => Ok(()),
    }
}

/// The template syntax a value holds, if any: what envsubst, Terraform's
/// `templatefile`, ecspresso, Go templates, Jinja and documentation
/// examples leave for CI to fill in. ecs-iam's own `<partition>`,
/// `<region>`, `<account_id>` and `<url_suffix>` (CloudFormation's pseudo
/// parameters, resolved) and `<input.Name>` (a template parameter the spec
/// declares as an input) are not, when `pseudo_parameters` says they stand
/// for them.
#[must_use]
pub fn placeholder(value: &str, pseudo_parameters: bool) -> Option<&'static str> {
    if value.contains("${") {
        return Some("`${...}`");
    }
    if value.contains("{{") || value.contains("}}") {
        return Some("`{{ ... }}`");
    }
    if value.contains("$(") {
        return Some("`$(...)`");
    }
    if let Some(i) = value.find('$')
        && value[i + 1..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
    {
        return Some("`$VARIABLE`");
    }
    if let Some(account) = value.strip_prefix("arn:").and_then(|v| v.split(':').nth(3))
        && account != "<account_id>"
        && !(pseudo_parameters && is_input(account))
        && account.bytes().any(|b| b.is_ascii_alphabetic())
    {
        return Some("an account id made of letters (`XXXXXXXXXXXX`)");
    }
    let mut rest = value;
    while let Some(start) = rest.find('<') {
        let after = &rest[start..];
        let Some(len) = after.find('>') else { break };
        let ours = matches!(
            &after[..=len],
            "<partition>" | "<region>" | "<account_id>" | "<url_suffix>"
        ) || after[..len].starts_with("<input.");
        if !(pseudo_parameters && ours) {
            return Some("`<...>`");
        }
        rest = &after[len + 1..];
    }
    None
}

/// Refuse a value that starts with an input standing for its ARN or name
/// as a whole (`<input.DbSecretArn>`, `<input.DbSecretArn>:password::`,
/// `<input.Prefix>/db`):
/// what it names, and of which service, is unknown.
fn whole_input(field: &Field) -> Result<(), Error> {
    // A value starting with `/` is an SSM parameter's name.
    let value = field.value.as_str();
    let head = value.split(':').next().unwrap_or(value);
    let head = head.split('/').next().unwrap_or(head);
    if is_input(head) {
        return Err(Error::Invalid {
            at: field.at.clone(),
            field: field.path.clone(),
            problem: Box::new(Problem::WholeValueInput {
                name: head["<input.".len()..head.len() - 1].to_owned(),
            }),
        });
    }
    Ok(())
}

/// Whether `value` is one input as a whole, `<input.Name>`.
fn is_input(value: &str) -> bool {
    value
        .strip_prefix("<input.")
        .and_then(|v| v.strip_suffix('>'))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric()))
}

fn expand(env: &Env, value: &str, field: &Field) -> Result<Text, Error> {
    env.expand(value).map_err(|p| invalid(field, p))
}

/// CloudWatch Logs' rule for the group `field` names, checked on `name`
/// (the value with run-time parts filled in, and each input standing in as
/// `x`).
fn log_group(env: &Env, field: &Field, name: &str) -> Result<(), Error> {
    let name = env
        .check_placeholders(name)
        .map_err(|p| invalid(field, p))?;
    if is_log_group(&name) {
        Ok(())
    } else {
        Err(invalid(
            field,
            Problem::Name {
                kind: "log group name",
                value: field.value.clone(),
                allowed: "use 1 to 512 letters, digits and `._-/#`",
            },
        ))
    }
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
    /// A region name, `<region>` or an input.
    pub region: String,
    /// An account id, `<account_id>` or an input.
    pub account: String,
    /// The repository's name, which may hold inputs.
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
        t.append(&env.placeholders(&self.region));
        t.push_str(":");
        t.append(&env.placeholders(&self.account));
        t.append(&env.placeholders(&format!(":repository/{}", self.name)));
        t
    }
}

/// The ECR repository an image reference names, or `None` for an image
/// from another registry (pulled without credentials from the role).
///
/// # Errors
/// A reference to an ECR registry that does not parse.
pub fn ecr_repository(image: &Field, env: &Env) -> Result<Option<RepositoryRef>, Error> {
    // The tag and digest decide no grant: a template there is filled by
    // CI and harmless; one in the registry or repository is not.
    if let Some(e) = Error::several(image.unresolved.iter().map(Unresolved::error).collect()) {
        return Err(e);
    }
    let reference = image.value.as_str();
    let last = reference.rsplit('/').next().unwrap_or(reference);
    let cut = last
        .find('@')
        .or_else(|| last.find(':'))
        .map_or(reference.len(), |i| reference.len() - last.len() + i);
    literal(&Field {
        value: reference[..cut].to_owned(),
        ..image.clone()
    })
    .map_err(|_| {
        invalid(
            image,
            Problem::Placeholder {
                value: image.value.clone(),
                syntax: placeholder(&reference[..cut], image.pseudo_parameters)
                    .unwrap_or("a template"),
            },
        )
    })?;
    // An input's `.` is not a host's: inputs are read as `<input_Name>`
    // while the reference is taken apart.
    let masked = image.value.replace("<input.", "<input_");
    let unmask = |s: &str| s.replace("<input_", "<input.");
    let value = masked.as_str();
    if let Some(name) = image.value[..cut]
        .strip_prefix("<input.")
        .and_then(|v| v.strip_suffix('>'))
        .filter(|_| is_input(&image.value[..cut]))
    {
        return Err(invalid(
            image,
            Problem::ImageInput {
                name: name.to_owned(),
            },
        ));
    }
    let bad = |reason: &'static str| {
        invalid(
            image,
            Problem::BadImage {
                value: image.value.clone(),
                reason,
            },
        )
    };
    let is_masked_input = |s: &str| is_input(&unmask(s));
    // An input in another registry's reference: what it names is unknown.
    let other_registry = |image: &Field, path: &str| {
        if let Some((_, rest)) = image.value[..cut].split_once("<input.") {
            return Err(invalid(
                image,
                Problem::ImageInput {
                    name: rest.split_once('>').map_or(rest, |(n, _)| n).to_owned(),
                },
            ));
        }
        other_registry(image, path)
    };
    if value.is_empty() {
        return Err(bad("it is empty"));
    }
    // Docker's rule: the part before the first `/` is a registry host when
    // it has a `.` or a `:`, or is `localhost`.
    let Some((host, rest)) = value.split_once('/') else {
        return other_registry(image, value);
    };
    if !(host.contains('.') || host.contains(':') || host == "localhost") {
        return other_registry(image, value);
    }
    let host_lower = host.to_ascii_lowercase();
    let labels: Vec<&str> = host_lower.split('.').collect();
    let dual_stack = matches!(labels.get(1).copied(), Some("dkr-ecr" | "dkr-ecr-fips"));
    let is_ecr = labels.len() >= 5
        && (dual_stack || (labels[1] == "dkr" && matches!(labels[2], "ecr" | "ecr-fips")));
    if !is_ecr {
        return other_registry(image, rest);
    }
    // An input keeps its name's case.
    let cased: Vec<&str> = host.split('.').collect();
    let (account, region, suffix) = if dual_stack {
        // Dual-stack: ACCOUNT.dkr-ecr.REGION.on.aws
        (cased[0], labels[2], labels[3..].join("."))
    } else {
        (cased[0], labels[3], labels[4..].join("."))
    };
    let region = if is_masked_input(cased[if dual_stack { 2 } else { 3 }]) {
        cased[if dual_stack { 2 } else { 3 }]
    } else {
        region
    };
    if account.bytes().any(|b| b.is_ascii_alphabetic())
        && account != "<account_id>"
        && !is_masked_input(account)
    {
        return Err(invalid(
            image,
            Problem::Placeholder {
                value: image.value.clone(),
                syntax: "an account id made of letters (`XXXXXXXXXXXX`)",
            },
        ));
    }
    if !(account == "<account_id>" || is_masked_input(account) || is_account_id(account)) {
        return Err(bad(
            "its registry host does not start with a 12-digit account id",
        ));
    }
    let region_input = is_masked_input(region);
    if !(region == "<region>" || region_input || is_region(region)) {
        return Err(bad("its registry host does not name a region"));
    }
    let partition = if region == "<region>" || region_input {
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
                value: image.value.clone(),
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
    // A name that is one input is checked when its value is known.
    let checked = env
        .check_placeholders(&unmask(name))
        .map_err(|p| invalid(image, p))?;
    if !is_masked_input(name) && !is_repository_name(&checked) {
        return Err(bad(
            "its repository is not 2 to 256 lowercase letters, digits and `._-/` (each part starting and ending with a letter or digit)",
        ));
    }
    Ok(Some(RepositoryRef {
        partition,
        region: unmask(region),
        account: unmask(account),
        name: unmask(name),
    }))
}

/// An image of another registry, pulled without the roles; `path` is the
/// reference after the registry host. Docker's names are lower-case, so an
/// upper-case one (`REPLACED_BY_CI`, `IMAGE_URI`) is a placeholder.
fn other_registry(image: &Field, path: &str) -> Result<Option<RepositoryRef>, Error> {
    let without_digest = path.split_once('@').map_or(path, |(r, _)| r);
    let name = match without_digest.rsplit_once(':') {
        Some((r, tag)) if !tag.contains('/') => r,
        _ => without_digest,
    };
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(invalid(
            image,
            Problem::Placeholder {
                value: image.value.clone(),
                syntax: "an upper-case name, which no image reference has",
            },
        ));
    }
    Ok(None)
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
    literal(field)?;
    let value = field.value.as_str();
    // One input as a whole may be an ARN or a name, of either service.
    whole_input(field)?;
    if !value.starts_with("arn:") {
        // A name holding an input is checked with the input standing in.
        let checked = if field.pseudo_parameters {
            env.check_placeholders(value)
                .map_err(|p| invalid(field, p))?
        } else {
            value.to_owned()
        };
        if secrets_manager_only {
            // A secret's name, in the task's region and account.
            let is_name = !checked.is_empty()
                && checked.len() <= 512
                && checked
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
        let checked_name = checked.strip_prefix('/').unwrap_or(&checked);
        if checked_name.is_empty()
            || checked_name.len() > 2048
            || !checked_name
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
    literal(field)?;
    whole_input(field)?;
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
            condition: None,
            pseudo_parameters: true,
            unresolved: Vec::new(),
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
    fn placeholders_are_told_from_values() {
        for (value, syntax) in [
            ("${BACKEND_ECR}:latest", "`${...}`"),
            ("{{ must_env `IMAGE` }}", "`{{ ... }}`"),
            ("$IMAGE", "`$VARIABLE`"),
            ("/aws/ecs/$(ecs_cluster)", "`$(...)`"),
            ("<IMAGE_URI>", "`<...>`"),
            (
                "arn:aws:secretsmanager:us-east-1:XXXXXXXXXXXX:secret:db",
                "an account id made of letters (`XXXXXXXXXXXX`)",
            ),
        ] {
            assert_eq!(placeholder(value, true), Some(syntax), "{value}");
        }
        for value in [
            "arn:<partition>:ssm:<region>:<account_id>:parameter/a",
            "<account_id>.dkr.ecr.<region>.<url_suffix>/app",
            "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf",
            "/orders/db/host",
            "DB_PASSWORD",
        ] {
            assert_eq!(placeholder(value, true), None, "{value}");
        }
        // Outside CloudFormation, ecs-iam's own tokens are unfilled text.
        assert_eq!(
            placeholder("<account_id>.dkr.ecr.<region>.amazonaws.com/app", false),
            Some("`<...>`")
        );
        let env = Env::default();
        let image = |v: &str| ecr_repository(&field(v), &env).map_err(|e| e.to_string());
        assert!(
            image("REPLACED_BY_CI")
                .unwrap_err()
                .contains("upper-case name")
        );
        assert!(image("${IMAGE}").unwrap_err().contains("`${...}`"));
        // A template in the tag decides nothing.
        assert_eq!(image("nginx:{{ must_env `TAG` }}").unwrap(), None);
        assert!(
            image("XXXXXXXXXXXX.dkr.ecr.us-east-1.amazonaws.com/app:1")
                .unwrap_err()
                .contains("made of letters")
        );
    }

    #[test]
    fn run_time_record_accessors_widen_a_name() {
        assert_eq!(
            run_time_wildcards("/aws/ecs/containerinsights/$(ecs_cluster)/application"),
            "/aws/ecs/containerinsights/*/application"
        );
        assert_eq!(run_time_wildcards("/ecs/app"), "/ecs/app");
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
