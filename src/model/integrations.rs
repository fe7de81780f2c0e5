//! The task role's first-class integrations: ECS Exec, X-Ray (the daemon
//! or an ADOT collector sidecar) and FireLens log destinations. Each grants
//! only the actions AWS (or Fluent Bit, for FireLens) documents for it, on
//! the resources the spec names; the actions IAM cannot scope sit alone on
//! `"*"`.

use crate::arn::{NO_SCOPE, REGIONAL, Text};
use crate::error::{Error, Problem};
use crate::spec::{BucketPrefixSpec, ExecCommandSpec, FirelensSpec};

use super::derived::{Derived, joined, origins};
use super::resources::{ArnRule, KMS_KEY, LOG_GROUP, ResourceKind};
use super::statements::statement;
use super::{Builder, Statement, Wildcard, names};

/// Kinesis Data Firehose delivery streams: 1 to 64 of `[a-zA-Z0-9_.-]`
/// (the `DeliveryStreamName` rule of Firehose's API).
const DELIVERY_STREAM: ResourceKind = ResourceKind {
    arn: ArnRule {
        service: "firehose",
        what: "a Kinesis Data Firehose delivery stream ARN",
        prefix: "deliverystream/",
        expected: "a delivery stream (`...:deliverystream/<name>`)",
    },
    scope: REGIONAL,
    any: false,
    refuse: |_| Ok(()),
    check: |value| {
        stream_name(
            value,
            64,
            "Firehose delivery stream name",
            "use 1 to 64 letters, digits and `_.-`, or give the delivery stream ARN",
        )
    },
    resource: |value| format!("deliverystream/{value}"),
};

/// Kinesis data streams: 1 to 128 of `[a-zA-Z0-9_.-]` (the `StreamName`
/// rule of Kinesis Data Streams' API).
const KINESIS_STREAM: ResourceKind = ResourceKind {
    arn: ArnRule {
        service: "kinesis",
        what: "a Kinesis data stream ARN",
        prefix: "stream/",
        expected: "a Kinesis data stream (`...:stream/<name>`)",
    },
    scope: REGIONAL,
    any: false,
    refuse: |_| Ok(()),
    check: |value| {
        stream_name(
            value,
            128,
            "Kinesis stream name",
            "use 1 to 128 letters, digits and `_.-`, or give the stream ARN",
        )
    },
    resource: |value| format!("stream/{value}"),
};

/// A stream name of 1 to `max` letters, digits and `_.-`.
fn stream_name(
    value: &str,
    max: usize,
    kind: &'static str,
    allowed: &'static str,
) -> Result<(), Problem> {
    let ok = !value.is_empty()
        && value.len() <= max
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(Problem::Name {
            kind,
            value: value.to_owned(),
            allowed,
        })
    }
}

/// Who names the log streams of a group an integration writes to.
const EXEC_STREAMS: &str = "The ECS Exec agent names a log stream per session";
const FIRELENS_STREAMS: &str = "The FireLens log router names log streams at run time";

impl Builder<'_> {
    /// ECS Exec (`task_role.exec_command`): the Session Manager channels,
    /// and the session logging and encryption the cluster configures.
    pub(super) fn exec_command(&self, spec: &ExecCommandSpec) -> Result<Vec<Statement>, Error> {
        const FIELD: &str = "task_role.exec_command";
        let Some(config) = spec.config() else {
            return Ok(Vec::new());
        };
        // The ssmmessages actions have no resource types: IAM requires "*".
        let mut st = vec![
            statement(
                "EcsExec",
                &[
                    "ssmmessages:CreateControlChannel",
                    "ssmmessages:CreateDataChannel",
                    "ssmmessages:OpenControlChannel",
                    "ssmmessages:OpenDataChannel",
                ],
                vec![Text::literal("*")],
                Vec::new(),
                FIELD,
            )
            .unavoidable(Wildcard::NoResourceScope),
        ];
        if let Some(logs) = &config.logs {
            let field = format!("{FIELD}.logs.group");
            let group = self.resource(&LOG_GROUP, &field, &logs.group)?;
            // The agent looks the group up before writing; DescribeLogGroups
            // has no resource type.
            st.push(
                statement(
                    "EcsExecDescribeLogGroups",
                    &["logs:DescribeLogGroups"],
                    vec![Text::literal("*")],
                    Vec::new(),
                    &field,
                )
                .unavoidable(Wildcard::NoResourceScope),
            );
            st.push(
                statement(
                    "EcsExecLogs",
                    &[
                        "logs:CreateLogStream",
                        "logs:DescribeLogStreams",
                        "logs:PutLogEvents",
                    ],
                    vec![group],
                    Vec::new(),
                    &field,
                )
                .unavoidable(Wildcard::LogStreamsNamedBy(EXEC_STREAMS)),
            );
        }
        if let Some(s3) = &config.s3 {
            let field = format!("{FIELD}.s3");
            let (bucket, objects) = self.bucket_prefix(&field, s3)?;
            // GetBucketLocation (AWS's example grants it on "*") takes the
            // bucket; GetEncryptionConfiguration is the agent's check that
            // the bucket encrypts what it writes.
            st.push(statement(
                "EcsExecS3Bucket",
                &["s3:GetBucketLocation", "s3:GetEncryptionConfiguration"],
                vec![bucket],
                Vec::new(),
                &format!("{field}.bucket"),
            ));
            st.push(
                statement(
                    "EcsExecS3Objects",
                    &["s3:PutObject"],
                    vec![objects],
                    Vec::new(),
                    &field,
                )
                .unavoidable(Wildcard::ObjectKeys),
            );
        }
        if let Some(key) = &config.kms_key {
            let field = format!("{FIELD}.kms_key");
            // The agent in the container decrypts the session's data key
            // itself, so no kms:ViaService narrows it.
            st.push(statement(
                "EcsExecKms",
                &["kms:Decrypt"],
                vec![self.resource(&KMS_KEY, &field, key)?],
                Vec::new(),
                &field,
            ));
        }
        Ok(st)
    }

    /// X-Ray (`task_role.xray`): what the X-Ray daemon or an ADOT
    /// collector sends and reads, as `AWSXRayDaemonWriteAccess` grants it.
    pub(super) fn xray(enabled: bool) -> Option<Statement> {
        enabled.then(|| {
            statement(
                "XRay",
                &[
                    "xray:GetSamplingRules",
                    "xray:GetSamplingStatisticSummaries",
                    "xray:GetSamplingTargets",
                    "xray:PutTelemetryRecords",
                    "xray:PutTraceSegments",
                ],
                vec![Text::literal("*")],
                Vec::new(),
                "task_role.xray",
            )
            .unavoidable(Wildcard::NoResourceScope)
        })
    }

    /// FireLens (`task_role.firelens`): the put actions of Fluent Bit's
    /// output plugins, on the destinations named.
    /// The destinations the task definitions' `awsfirelens` log
    /// configurations name (`derived`) join the spec's.
    pub(super) fn firelens(
        &self,
        spec: &FirelensSpec,
        derived: &Derived,
    ) -> Result<Vec<Statement>, Error> {
        const FIELD: &str = "task_role.firelens";
        let mut st = Vec::new();
        let own_groups = self.resources(
            &LOG_GROUP,
            "task_role.firelens.logs.groups",
            &spec.logs.groups,
        )?;
        let groups = joined(own_groups.clone(), &derived.firelens_log_groups);
        if spec.logs.create_group && own_groups.is_empty() {
            return Err(self.invalid(
                "task_role.firelens.logs",
                Problem::EmptyList {
                    what: "`groups` (`create_group` applies to them)",
                },
            ));
        }
        if !groups.is_empty() {
            st.push(
                statement(
                    "FirelensLogs",
                    &[
                        "logs:CreateLogStream",
                        "logs:DescribeLogStreams",
                        "logs:PutLogEvents",
                    ],
                    groups.clone(),
                    Vec::new(),
                    "task_role.firelens.logs.groups",
                )
                .sourced(origins(&derived.firelens_log_groups))
                .unavoidable(Wildcard::LogStreamsNamedBy(FIRELENS_STREAMS)),
            );
            let mut created = if spec.logs.create_group {
                own_groups
            } else {
                Vec::new()
            };
            created.extend(
                derived
                    .firelens_created_log_groups
                    .iter()
                    .map(|g| g.text.clone()),
            );
            if !created.is_empty() {
                // As for the execution role's awslogs groups: CloudWatch
                // Logs authorises CreateLogGroup on
                // `log-group:<name>:log-stream:`, which `:*` matches.
                st.push(
                    statement(
                        "FirelensLogsCreateGroup",
                        &["logs:CreateLogGroup"],
                        created.clone(),
                        Vec::new(),
                        "task_role.firelens.logs.create_group",
                    )
                    .sourced(origins(&derived.firelens_created_log_groups))
                    .unavoidable(Wildcard::LogStreamsNamedBy(FIRELENS_STREAMS)),
                );
            }
        }
        let streams = joined(
            self.resources(
                &DELIVERY_STREAM,
                "task_role.firelens.firehose",
                &spec.firehose,
            )?,
            &derived.firelens_firehose,
        );
        if !streams.is_empty() {
            st.push(
                statement(
                    "FirelensFirehose",
                    &["firehose:PutRecordBatch"],
                    streams,
                    Vec::new(),
                    "task_role.firelens.firehose",
                )
                .sourced(origins(&derived.firelens_firehose)),
            );
        }
        let streams = joined(
            self.resources(&KINESIS_STREAM, "task_role.firelens.kinesis", &spec.kinesis)?,
            &derived.firelens_kinesis,
        );
        if !streams.is_empty() {
            st.push(
                statement(
                    "FirelensKinesis",
                    &["kinesis:PutRecords"],
                    streams,
                    Vec::new(),
                    "task_role.firelens.kinesis",
                )
                .sourced(origins(&derived.firelens_kinesis)),
            );
        }
        let mut objects = Vec::new();
        for (i, s3) in spec.s3.iter().enumerate() {
            objects.push(self.bucket_prefix(&format!("{FIELD}.s3[{i}]"), s3)?.1);
        }
        let objects = joined(objects, &derived.firelens_s3);
        if !objects.is_empty() {
            st.push(
                statement(
                    "FirelensS3",
                    &["s3:PutObject"],
                    objects,
                    Vec::new(),
                    "task_role.firelens.s3",
                )
                .sourced(origins(&derived.firelens_s3))
                .unavoidable(Wildcard::ObjectKeys),
            );
        }
        Ok(st)
    }

    /// A bucket and prefix, checked: the bucket's ARN and `bucket/prefix*`.
    fn bucket_prefix(&self, field: &str, s: &BucketPrefixSpec) -> Result<(Text, Text), Error> {
        self.checked_name(&format!("{field}.bucket"), &s.bucket, names::bucket)?;
        let prefix = s.prefix.clone().unwrap_or_default();
        self.checked_name(&format!("{field}.prefix"), &prefix, names::key_prefix)?;
        Ok((
            self.env.arn("s3", NO_SCOPE, &s.bucket),
            self.env
                .arn("s3", NO_SCOPE, &format!("{}/{prefix}*", s.bucket)),
        ))
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::model::{Model, build};

    fn sids(task_role: &str) -> Vec<String> {
        let text = format!("version: 1\nname: w\ntask_role:\n{task_role}");
        let m: Model = build(&crate::spec::parse(Path::new("t.yaml"), &text).unwrap()).unwrap();
        m.roles[0]
            .policy
            .iter()
            .flat_map(|p| &p.statements)
            .map(|s| format!("{} {}", s.sid, s.resources[0]))
            .collect()
    }

    #[test]
    fn exec_command_grants_only_what_its_settings_need() {
        assert!(sids("  exec_command: false\n").is_empty());
        assert_eq!(sids("  exec_command: true\n"), ["EcsExec *"]);
        // An empty mapping turns ECS Exec on without logging.
        assert_eq!(sids("  exec_command: {}\n"), ["EcsExec *"]);
        assert_eq!(
            sids("  exec_command:\n    s3: {bucket: audit}\n"),
            [
                "EcsExec *",
                "EcsExecS3Bucket arn:<partition>:s3:::audit",
                "EcsExecS3Objects arn:<partition>:s3:::audit/*",
            ]
        );
    }

    #[test]
    fn firelens_destinations_keep_to_their_resources() {
        assert_eq!(
            sids(
                "  firelens:\n    firehose: [app]\n    kinesis: [\"arn:aws:kinesis:eu-west-1:111122223333:stream/events\"]\n"
            ),
            [
                "FirelensFirehose arn:<partition>:firehose:<region>:<account_id>:deliverystream/app",
                "FirelensKinesis arn:aws:kinesis:eu-west-1:111122223333:stream/events",
            ]
        );
        assert!(sids("  firelens: {}\n  xray: false\n").is_empty());
    }
}
