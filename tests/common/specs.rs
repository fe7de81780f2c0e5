//! Generators of valid specs, as JSON values, for the property tests and
//! the differential tests against iam-simulate.

use proptest::prelude::*;
use serde_json::{Value, json};

pub fn name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9]{1,12}"
}

pub fn bucket() -> impl Strategy<Value = Value> {
    (
        "[a-z][a-z0-9-]{2,20}[a-z0-9]",
        proptest::option::of("[a-z]{1,6}/"),
        proptest::sample::subsequence(vec!["list", "read", "write", "delete", "acl"], 1..=5),
    )
        .prop_map(|(bucket, prefix, access)| {
            let mut b = json!({"bucket": bucket, "access": access});
            if let Some(p) = prefix {
                b["prefix"] = json!(p);
            }
            b
        })
}

pub fn key_id() -> impl Strategy<Value = String> {
    "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
}

/// A custom statement: actions with a resource of a type they take (ecs-iam
/// rejects an Allow whose actions take none of its resources).
pub fn statement() -> impl Strategy<Value = Value> {
    let sqs = (
        proptest::sample::subsequence(vec!["sqs:SendMessage", "sqs:ReceiveMessage"], 1..=2),
        Just("arn:<partition>:sqs:<region>:<account_id>:jobs".to_owned()),
    );
    let sns = (
        Just(vec!["sns:Publish"]),
        "[a-z]{1,10}".prop_map(|t| format!("arn:<partition>:sns:<region>:<account_id>:{t}")),
    );
    let dynamodb = (
        Just(vec!["dynamodb:GetItem"]),
        "[a-z]{1,10}"
            .prop_map(|t| format!("arn:<partition>:dynamodb:<region>:<account_id>:table/{t}")),
    );
    let s3 = (
        Just(vec!["s3:GetObject"]),
        Just("arn:<partition>:s3:::home/${aws:PrincipalTag/team}/profile.json".to_owned()),
    );
    (
        prop_oneof![sqs, sns, dynamodb, s3],
        proptest::option::of("[a-z0-9-]{1,12}"),
    )
        .prop_map(|((actions, resource), vpce)| {
            let mut s = json!({"actions": actions, "resources": [resource]});
            if let Some(v) = vpce {
                s["conditions"] = json!({"StringEquals": {"aws:SourceVpce": format!("vpce-{v}")}});
            }
            s
        })
}

prop_compose! {
    pub fn spec()(
        name in name(),
        pinned in proptest::option::of(prop_oneof![
            Just(("aws", "eu-west-1")), Just(("aws-cn", "cn-north-1")), Just(("aws-us-gov", "us-gov-west-1"))
        ]),
        account in "[0-9]{12}",
        tags in proptest::collection::btree_map("[a-z]{1,8}", "[a-z0-9 ]{0,10}", 0..3),
        list in any::<bool>(),
        read in proptest::collection::vec("[a-z][a-z0-9/_]{0,15}", 0..3),
        task_keys in proptest::collection::vec(key_id(), 0..2),
        buckets in proptest::collection::vec(bucket(), 0..3),
        task_statements in proptest::collection::vec(statement(), 0..2),
        repos in proptest::collection::vec("[a-z][a-z0-9/_-]{1,12}", 0..3),
        public in any::<bool>(),
        vpce in proptest::option::of("[0-9a-f]{17}"),
        groups in proptest::collection::vec("/ecs/[a-z]{1,10}", 0..2),
        create_group in any::<bool>(),
        secrets in proptest::collection::vec("[a-z][a-z0-9/_]{0,15}", 0..3),
        parameters in proptest::collection::vec("/[a-z]{1,8}/[a-z]{1,8}", 0..3),
        keys in proptest::collection::vec(key_id(), 0..2),
        ec2 in any::<bool>(),
        session in proptest::option::of(3600u64..=43200),
    ) -> Value {
        let mut spec = json!({
            "version": 1,
            "name": name,
            "tags": tags,
            "task_role": {
                "secrets": {"list": list, "read": read},
                "kms_keys": task_keys,
                "s3": buckets,
                "statements": task_statements,
            },
            "execution_role": {
                "ecr": {"repositories": repos, "public": public},
                "logs": {"groups": groups, "create_group": create_group && !groups.is_empty()},
                "secrets": secrets,
                "ssm_parameters": parameters,
                "kms_keys": if secrets.is_empty() && parameters.is_empty() { Vec::new() } else { keys },
            },
        });
        if let Some((partition, region)) = pinned {
            spec["deployment"] = json!({"partition": partition, "region": region, "account_id": account});
        }
        if let (Some(v), false) = (vpce, repos.is_empty()) {
            spec["execution_role"]["ecr"]["source_vpce"] = json!(format!("vpce-{v}"));
        }
        if ec2 {
            spec["task_role"]["trust"] = json!({"services": ["ecs-tasks.amazonaws.com", "ec2.amazonaws.com"]});
        }
        if let Some(s) = session {
            spec["task_role"]["max_session_duration"] = json!(s);
        }
        spec
    }
}

/// Names shared by the rich statements, so that one statement's requests
/// meet the others' resources.
const QUEUES: &[&str] = &["jobs", "jobs-dlq", "orders"];
const TABLES: &[&str] = &["users", "users-archive", "audit"];
const BUCKETS: &[&str] = &["stage", "stage-logs", "reports"];
const SECRETS: &[&str] = &["db", "db-admin", "api/key"];

/// The actions rich statements use: real ones (iam-simulate knows every
/// action it is asked about) and wildcards over them.
pub const CUSTOM_ACTIONS: &[&str] = &[
    "sqs:SendMessage",
    "sqs:ReceiveMessage",
    "sqs:*Message",
    "sns:Publish",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:*",
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "s3:Get*",
    "secretsmanager:GetSecretValue",
    "secretsmanager:DescribeSecret",
    "secretsmanager:Get*",
    "kms:Decrypt",
    "kms:GenerateDataKey",
    "ssm:GetParameter",
    "ssm:GetParameter?",
    "logs:PutLogEvents",
];

/// A resource of a rich statement, with the spec's placeholders; some are
/// literal ARNs (in the simulated account, or in another one).
fn rich_resource() -> impl Strategy<Value = String> {
    const TEMPLATES: &[&str] = &[
        "arn:<partition>:sqs:<region>:<account_id>:{queue}",
        "arn:<partition>:sqs:<region>:<account_id>:{queue}*",
        "arn:<partition>:sqs:*:<account_id>:{queue}",
        "arn:aws:sqs:us-east-1:111122223333:{queue}",
        "arn:aws:sqs:eu-west-1:999999999999:{queue}",
        "arn:<partition>:sns:<region>:<account_id>:events",
        "arn:<partition>:dynamodb:<region>:<account_id>:table/{table}",
        "arn:<partition>:dynamodb:<region>:<account_id>:table/{table}*",
        "arn:<partition>:s3:::{bucket}",
        "arn:<partition>:s3:::{bucket}/*",
        "arn:<partition>:s3:::{bucket}/in/*/x?",
        "arn:<partition>:secretsmanager:<region>:<account_id>:secret:{secret}-??????",
        "arn:<partition>:secretsmanager:<region>:<account_id>:secret:{secret}*",
        "arn:<partition>:kms:<region>:<account_id>:key/*",
        "arn:<partition>:ssm:<region>:<account_id>:parameter/app/*",
        "arn:<partition>:logs:<region>:<account_id>:log-group:/ecs/app:*",
        "*",
    ];
    (proptest::sample::select(TEMPLATES), 0..3usize).prop_map(|(t, i)| {
        t.replace("{queue}", QUEUES[i])
            .replace("{table}", TABLES[i])
            .replace("{bucket}", BUCKETS[i])
            .replace("{secret}", SECRETS[i])
    })
}

/// A condition: (operator, key, values), with keys iam-simulate accepts for
/// every action and values of the key's type.
fn rich_condition() -> impl Strategy<Value = (String, String, Vec<String>)> {
    let strings = proptest::sample::select(
        &[
            "StringEquals",
            "StringNotEquals",
            "StringEqualsIgnoreCase",
            "StringNotEqualsIgnoreCase",
            "StringLike",
            "StringNotLike",
            "StringEqualsIfExists",
            "StringNotLikeIfExists",
        ][..],
    );
    let team = proptest::sample::subsequence(vec!["blue", "green", "red*", "gr??n"], 1..=2);
    let vpce = proptest::sample::subsequence(vec!["vpce-1a", "vpce-2b", "vpce-*"], 1..=2);
    let arns = proptest::sample::subsequence(
        vec![
            "arn:<partition>:ecs:<region>:<account_id>:*",
            "arn:<partition>:ecs:*:<account_id>:task/*",
            "arn:aws:ecs:us-east-1:999999999999:*",
        ],
        1..=2,
    );
    let owned = |v: Vec<&str>| v.into_iter().map(str::to_owned).collect::<Vec<_>>();
    prop_oneof![
        (strings.clone(), team).prop_map(move |(op, v)| (
            op.to_owned(),
            "aws:PrincipalTag/project".to_owned(),
            owned(v)
        )),
        (strings, vpce).prop_map(move |(op, v)| (
            op.to_owned(),
            "aws:SourceVpce".to_owned(),
            owned(v)
        )),
        (
            proptest::sample::select(
                &["ArnLike", "ArnEquals", "ArnNotLike", "ArnLikeIfExists"][..]
            ),
            arns
        )
            .prop_map(move |(op, v)| (op.to_owned(), "aws:SourceArn".to_owned(), owned(v))),
        proptest::sample::select(&["true", "false"][..]).prop_map(|v| (
            "Bool".to_owned(),
            "aws:SecureTransport".to_owned(),
            vec![v.to_owned()]
        )),
        (
            proptest::sample::select(&["true", "false"][..]),
            proptest::sample::select(&["aws:SourceVpce", "aws:PrincipalTag/project"][..])
        )
            .prop_map(|(v, k)| ("Null".to_owned(), k.to_owned(), vec![v.to_owned()])),
        proptest::sample::select(
            &[
                "NumericLessThan",
                "NumericLessThanEquals",
                "NumericGreaterThan",
                "NumericEquals",
                "NumericNotEquals"
            ][..]
        )
        .prop_map(|op| (
            op.to_owned(),
            "aws:MultiFactorAuthAge".to_owned(),
            vec!["3600".to_owned()]
        )),
        (
            proptest::sample::select(
                &[
                    "ForAnyValue:StringEquals",
                    "ForAllValues:StringEquals",
                    "ForAnyValue:StringLike",
                    "ForAllValues:StringNotLike",
                    "ForAnyValue:StringNotEquals"
                ][..]
            ),
            proptest::sample::subsequence(vec!["env", "team", "cost-*"], 1..=2)
        )
            .prop_map(move |(op, v)| (op.to_owned(), "aws:TagKeys".to_owned(), owned(v))),
        proptest::sample::select(&["IpAddress", "NotIpAddress"][..]).prop_map(|op| (
            op.to_owned(),
            "aws:SourceIp".to_owned(),
            vec!["203.0.113.0/24".to_owned(), "198.51.100.7".to_owned()]
        )),
        proptest::sample::select(&["DateLessThan", "DateGreaterThanEquals"][..]).prop_map(|op| (
            op.to_owned(),
            "aws:CurrentTime".to_owned(),
            vec!["2030-01-01T00:00:00Z".to_owned()]
        )),
    ]
}

/// A custom statement of any kind ecs-iam accepts: Allow or Deny, wildcard
/// actions and resources, literal ARNs, zero to two conditions.
pub fn rich_statement() -> impl Strategy<Value = Value> {
    (
        proptest::sample::subsequence(CUSTOM_ACTIONS.to_vec(), 1..=3),
        proptest::collection::vec(rich_resource(), 1..=2),
        proptest::collection::vec(rich_condition(), 0..=2),
        proptest::bool::weighted(0.35),
    )
        .prop_map(|(actions, resources, conditions, deny)| {
            let mut s = json!({"actions": actions, "resources": resources});
            if deny {
                s["effect"] = json!("Deny");
            }
            let mut c = serde_json::Map::new();
            for (op, key, values) in conditions {
                let entry = c.entry(op).or_insert_with(|| json!({}));
                entry[key] = json!(values);
            }
            if !c.is_empty() {
                s["conditions"] = Value::Object(c);
            }
            s
        })
}

prop_compose! {
    /// `spec()` with rich custom statements on both roles and, sometimes,
    /// AWS managed policies.
    pub fn rich_spec()(
        base in spec(),
        task in proptest::collection::vec(rich_statement(), 0..4),
        execution in proptest::collection::vec(rich_statement(), 0..3),
        managed in proptest::bool::weighted(0.3),
        xray in proptest::bool::weighted(0.1),
    ) -> Value {
        let base_copy = base.clone();
        let mut spec = base;
        let fix = |st| fit_partition(&base_copy, st);
        spec["task_role"]["statements"].as_array_mut().unwrap().extend(task.into_iter().map(fix));
        spec["execution_role"]["statements"] = json!(execution.into_iter().map(fix).collect::<Vec<_>>());
        if managed {
            spec["execution_role"]["managed_policies"] = json!(["AmazonECSTaskExecutionRolePolicy"]);
        }
        if xray {
            spec["task_role"]["managed_policies"] = json!(["AWSXRayDaemonWriteAccess"]);
        }
        spec
    }
}

/// A rich statement fit for `spec`: its literal `arn:aws:` ARNs made
/// `arn:<partition>:` when the spec pins another partition (ecs-iam refuses
/// the contradiction).
pub fn fit_partition(spec: &Value, mut statement: Value) -> Value {
    let elsewhere = spec["deployment"]["partition"]
        .as_str()
        .is_some_and(|p| p != "aws");
    if !elsewhere {
        return statement;
    }
    let fix = |v: &mut Value| {
        *v = json!(v.as_str().unwrap().replace("arn:aws:", "arn:<partition>:"));
    };
    for r in statement["resources"].as_array_mut().unwrap() {
        fix(r);
    }
    if let Some(c) = statement
        .get_mut("conditions")
        .and_then(Value::as_object_mut)
    {
        for keys in c.values_mut() {
            for values in keys.as_object_mut().unwrap().values_mut() {
                match values {
                    Value::Array(items) => items.iter_mut().for_each(fix),
                    one => fix(one),
                }
            }
        }
    }
    statement
}
