//! The IAM action a CloudTrail record's call needs, from its `eventSource`
//! and `eventName`: the action of the same name in AWS's service
//! reference, or a curated override where the API operation and the action
//! differ (`ListObjectsV2` is authorised as `s3:ListBucket`). An operation
//! with neither is unmapped, never guessed: no action the service
//! reference does not know is ever named.

use crate::service_reference::reference;

/// What one recorded call needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Called {
    /// The action, as the service reference spells it (`s3:ListBucket`).
    Action(String),
    /// No action is known for the operation.
    Unmapped {
        /// The record's `eventSource` (`s3.amazonaws.com`).
        source: String,
        /// The record's `eventName`.
        name: String,
    },
}

/// Event sources whose IAM service prefix is not the host's first label.
const SOURCES: &[(&str, &str)] = &[
    ("monitoring", "cloudwatch"),
    ("email", "ses"),
    ("streams.dynamodb", "dynamodb"),
    ("data.iot", "iot"),
    ("runtime.sagemaker", "sagemaker"),
];

/// Operations authorised by an action of another name, by service prefix
/// and `eventName`. Each comes from the service's documentation of which
/// action an operation needs (e.g. Amazon S3's "Actions, resources, and
/// condition keys": `ListObjectsV2` needs `s3:ListBucket`, `HeadObject`
/// needs `s3:GetObject`).
const OVERRIDES: &[(&str, &str, &str)] = &[
    ("s3", "ListObjects", "ListBucket"),
    ("s3", "ListObjectsV2", "ListBucket"),
    ("s3", "ListObjectVersions", "ListBucketVersions"),
    ("s3", "HeadObject", "GetObject"),
    ("s3", "HeadBucket", "ListBucket"),
    ("s3", "ListBuckets", "ListAllMyBuckets"),
    ("s3", "DeleteObjects", "DeleteObject"),
    ("s3", "CreateMultipartUpload", "PutObject"),
    ("s3", "UploadPart", "PutObject"),
    ("s3", "CompleteMultipartUpload", "PutObject"),
    ("s3", "ListParts", "ListMultipartUploadParts"),
    ("s3", "ListMultipartUploads", "ListBucketMultipartUploads"),
    ("s3", "GetObjectAttributes", "GetObject"),
    // A bucket configuration's `Delete...` operation needs its `Put...`
    // action (Amazon S3 User Guide, "Required permissions for Amazon S3 API
    // operations", bucket operations), as do the two lifecycle operations
    // (S3 API Reference, PutBucketLifecycle and
    // PutBucketLifecycleConfiguration: "s3:PutLifecycleConfiguration").
    (
        "s3",
        "DeleteBucketAnalyticsConfiguration",
        "PutAnalyticsConfiguration",
    ),
    ("s3", "DeleteBucketCors", "PutBucketCORS"),
    ("s3", "DeleteBucketEncryption", "PutEncryptionConfiguration"),
    (
        "s3",
        "DeleteBucketIntelligentTieringConfiguration",
        "PutIntelligentTieringConfiguration",
    ),
    (
        "s3",
        "DeleteBucketInventoryConfiguration",
        "PutInventoryConfiguration",
    ),
    ("s3", "PutBucketLifecycle", "PutLifecycleConfiguration"),
    (
        "s3",
        "PutBucketLifecycleConfiguration",
        "PutLifecycleConfiguration",
    ),
    // The bucket replication operations (S3 API Reference,
    // PutBucketReplication and DeleteBucketReplication:
    // "s3:PutReplicationConfiguration"; GetBucketReplication:
    // "s3:GetReplicationConfiguration"); there is no
    // `s3:DeleteReplicationConfiguration`, which trailscraper's table names.
    ("s3", "PutBucketReplication", "PutReplicationConfiguration"),
    (
        "s3",
        "DeleteBucketReplication",
        "PutReplicationConfiguration",
    ),
    ("s3", "GetBucketReplication", "GetReplicationConfiguration"),
    ("sqs", "SendMessageBatch", "SendMessage"),
    ("sqs", "DeleteMessageBatch", "DeleteMessage"),
    (
        "sqs",
        "ChangeMessageVisibilityBatch",
        "ChangeMessageVisibility",
    ),
    ("sns", "PublishBatch", "Publish"),
    ("lambda", "Invoke", "InvokeFunction"),
];

/// Actions no API operation is named after: only the operations
/// [`OVERRIDES`] lists for them call them (Lambda's `Invoke` needs
/// `lambda:InvokeFunction`).
const NOT_OPERATIONS: &[(&str, &str)] = &[
    ("lambda", "InvokeFunction"),
    ("s3", "ListAllMyBuckets"),
    ("s3", "ListBucket"),
    ("s3", "ListBucketMultipartUploads"),
    ("s3", "ListBucketVersions"),
    ("s3", "ListMultipartUploadParts"),
    ("s3", "GetReplicationConfiguration"),
    ("s3", "PutReplicationConfiguration"),
];

/// The `eventName`s of the operations that need `action`
/// (`service:Action`, as the service reference spells it): the action's own
/// name, unless no operation has it, and the operations [`OVERRIDES`] maps
/// to it, sorted.
#[must_use]
pub fn operations(action: &str) -> Vec<&str> {
    let (prefix, name) = action.split_once(':').unwrap_or(("", action));
    let mut out: Vec<&str> = OVERRIDES
        .iter()
        .filter(|(p, _, a)| *p == prefix && *a == name)
        .map(|(_, operation, _)| *operation)
        .collect();
    if !NOT_OPERATIONS.contains(&(prefix, name)) {
        out.push(name);
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The `eventSource` of a service's calls, from its IAM prefix
/// (`cloudwatch` → `monitoring.amazonaws.com`); for DynamoDB, the table
/// operations' (its streams' are `streams.dynamodb.amazonaws.com`).
#[must_use]
pub fn event_source(prefix: &str) -> String {
    let host = SOURCES
        .iter()
        .find(|(h, p)| *p == prefix && !h.starts_with("streams."))
        .map_or(prefix, |(h, _)| *h);
    format!("{host}.amazonaws.com")
}

/// What a call recorded with `source` and `name` needs.
#[must_use]
pub fn called(source: &str, name: &str) -> Called {
    let unmapped = || Called::Unmapped {
        source: source.to_owned(),
        name: name.to_owned(),
    };
    let Some(host) = source
        .strip_suffix(".amazonaws.com")
        .or_else(|| source.strip_suffix(".amazonaws.com.cn"))
    else {
        return unmapped();
    };
    let prefix = SOURCES
        .iter()
        .find(|(h, _)| *h == host)
        .map_or(host, |(_, p)| *p);
    let Some(service) = reference().service(prefix) else {
        return unmapped();
    };
    // Lambda's operations carry their API version (`CreateFunction20150331`,
    // `GetFunctionConfiguration20150331v2`).
    let name = if prefix == "lambda" {
        undated(name)
    } else {
        name
    };
    let wanted = OVERRIDES
        .iter()
        .find(|(p, operation, _)| *p == prefix && *operation == name)
        .map_or(name, |(.., action)| *action);
    service
        .actions
        .iter()
        .find(|a| a.name == wanted)
        .map_or_else(unmapped, |a| {
            Called::Action(format!("{}:{}", service.prefix, a.name))
        })
}

/// An operation name without a trailing API version: eight digits, then
/// optionally `v` and digits.
fn undated(name: &str) -> &str {
    let trimmed = name.trim_end_matches(|c: char| c.is_ascii_digit());
    let base = match trimmed.strip_suffix('v') {
        Some(before) if trimmed.len() < name.len() => before,
        _ => name,
    };
    let digits = base.len() - base.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 8 {
        &base[..base.len() - 8]
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(source: &str, name: &str) -> String {
        match called(source, name) {
            Called::Action(a) => a,
            Called::Unmapped { .. } => panic!("{source} {name} is unmapped"),
        }
    }

    #[test]
    fn every_override_names_an_action_the_reference_knows() {
        for (prefix, operation, action) in OVERRIDES {
            let service = reference()
                .service(prefix)
                .unwrap_or_else(|| panic!("no service {prefix}"));
            assert!(
                service.actions.iter().any(|a| a.name == *action),
                "{prefix}:{action} (for {operation})"
            );
        }
        for (_, prefix) in SOURCES {
            assert!(reference().service(prefix).is_some(), "{prefix}");
        }
    }

    #[test]
    fn operations_and_their_actions() {
        for (source, name, expected) in [
            ("s3.amazonaws.com", "ListObjects", "s3:ListBucket"),
            ("s3.amazonaws.com", "ListObjectsV2", "s3:ListBucket"),
            ("s3.amazonaws.com", "HeadObject", "s3:GetObject"),
            ("s3.amazonaws.com", "ListBuckets", "s3:ListAllMyBuckets"),
            ("s3.amazonaws.com", "GetObject", "s3:GetObject"),
            ("s3.amazonaws.com", "PutObject", "s3:PutObject"),
            ("s3.amazonaws.com", "DeleteObjects", "s3:DeleteObject"),
            ("s3.amazonaws.com", "DeleteBucketCors", "s3:PutBucketCORS"),
            (
                "s3.amazonaws.com",
                "DeleteBucketEncryption",
                "s3:PutEncryptionConfiguration",
            ),
            (
                "s3.amazonaws.com",
                "PutBucketLifecycleConfiguration",
                "s3:PutLifecycleConfiguration",
            ),
            (
                "s3.amazonaws.com",
                "PutBucketReplication",
                "s3:PutReplicationConfiguration",
            ),
            (
                "s3.amazonaws.com",
                "DeleteBucketReplication",
                "s3:PutReplicationConfiguration",
            ),
            (
                "lambda.amazonaws.com",
                "CreateFunction20150331",
                "lambda:CreateFunction",
            ),
            (
                "lambda.amazonaws.com",
                "GetFunctionConfiguration20150331v2",
                "lambda:GetFunctionConfiguration",
            ),
            ("lambda.amazonaws.com", "Invoke", "lambda:InvokeFunction"),
            (
                "monitoring.amazonaws.com",
                "PutMetricData",
                "cloudwatch:PutMetricData",
            ),
            ("email.amazonaws.com", "SendEmail", "ses:SendEmail"),
            ("sqs.amazonaws.com", "SendMessageBatch", "sqs:SendMessage"),
            ("sns.amazonaws.com", "Publish", "sns:Publish"),
            (
                "secretsmanager.amazonaws.com",
                "GetSecretValue",
                "secretsmanager:GetSecretValue",
            ),
            ("ssm.amazonaws.com", "GetParameters", "ssm:GetParameters"),
            ("kms.amazonaws.com", "Decrypt", "kms:Decrypt"),
            ("logs.amazonaws.com", "PutLogEvents", "logs:PutLogEvents"),
            (
                "ecr.amazonaws.com",
                "GetAuthorizationToken",
                "ecr:GetAuthorizationToken",
            ),
            ("sts.amazonaws.com", "AssumeRole", "sts:AssumeRole"),
            (
                "dynamodb.amazonaws.com",
                "BatchWriteItem",
                "dynamodb:BatchWriteItem",
            ),
            ("kinesis.amazonaws.com", "PutRecords", "kinesis:PutRecords"),
            (
                "firehose.amazonaws.com",
                "PutRecordBatch",
                "firehose:PutRecordBatch",
            ),
            (
                "xray.amazonaws.com",
                "PutTraceSegments",
                "xray:PutTraceSegments",
            ),
            (
                "elasticfilesystem.amazonaws.com",
                "ClientMount",
                "elasticfilesystem:ClientMount",
            ),
            ("events.amazonaws.com", "PutEvents", "events:PutEvents"),
        ] {
            assert_eq!(action(source, name), expected, "{source} {name}");
        }
    }

    #[test]
    fn what_is_not_known_is_unmapped_not_guessed() {
        for (source, name) in [
            ("s3.amazonaws.com", "NoSuchOperation"),
            ("nosuchservice.amazonaws.com", "GetThing"),
            ("s3", "GetObject"),
            ("signin.aws.example", "ConsoleLogin"),
            // The name of an action, but the case of none.
            ("s3.amazonaws.com", "getobject"),
        ] {
            assert_eq!(
                called(source, name),
                Called::Unmapped {
                    source: source.to_owned(),
                    name: name.to_owned()
                },
                "{source} {name}"
            );
        }
    }

    #[test]
    fn the_operations_an_action_is_called_by() {
        assert_eq!(operations("lambda:InvokeFunction"), ["Invoke"]);
        assert_eq!(
            operations("s3:ListBucket"),
            ["HeadBucket", "ListObjects", "ListObjectsV2"]
        );
        assert_eq!(
            operations("s3:GetObject"),
            ["GetObject", "GetObjectAttributes", "HeadObject"]
        );
        assert_eq!(
            operations("sqs:SendMessage"),
            ["SendMessage", "SendMessageBatch"]
        );
        assert_eq!(operations("kms:Decrypt"), ["Decrypt"]);
        for (prefix, name) in NOT_OPERATIONS {
            assert!(
                reference()
                    .service(prefix)
                    .is_some_and(|s| s.actions.iter().any(|a| a.name == *name)),
                "{prefix}:{name}"
            );
            assert!(
                !operations(&format!("{prefix}:{name}")).is_empty(),
                "{prefix}:{name}"
            );
        }
    }

    #[test]
    fn event_sources_of_prefixes() {
        assert_eq!(event_source("kms"), "kms.amazonaws.com");
        assert_eq!(event_source("cloudwatch"), "monitoring.amazonaws.com");
        assert_eq!(event_source("ses"), "email.amazonaws.com");
        assert_eq!(event_source("dynamodb"), "dynamodb.amazonaws.com");
    }

    #[test]
    fn api_versions_come_off_lambda_operations_only() {
        assert_eq!(undated("CreateFunction20150331"), "CreateFunction");
        assert_eq!(undated("GetPolicy20150331v2"), "GetPolicy");
        assert_eq!(undated("Invoke"), "Invoke");
        assert_eq!(undated("ListV2"), "ListV2");
        assert_eq!(undated("Get123"), "Get123");
    }
}
