//! `init --from-role`: adopting a deployed role never renders more access
//! than it has (a property over generated roles: statements of every kind
//! the fields map and of kinds they do not, wildcards, conditions, `Deny`,
//! the AWS managed execution policy, boundaries, trust with and without
//! conditions), and the CLI's exact output on a hand-made dump.

mod common;

use std::path::Path;

use common::Test;
use ecs_iam::grant_diff::Class;
use ecs_iam::model::RoleKind;
use proptest::prelude::*;
use serde_json::{Value, json};

const ACCOUNT: &str = "123456789012";

fn actions() -> impl Strategy<Value = Vec<&'static str>> {
    prop::sample::subsequence(
        vec![
            "secretsmanager:GetSecretValue",
            "kms:Decrypt",
            "ssm:GetParameters",
            "ssm:GetParameter",
            "ecr:GetAuthorizationToken",
            "ecr:BatchCheckLayerAvailability",
            "ecr:BatchGetImage",
            "ecr:GetDownloadUrlForLayer",
            "logs:CreateLogStream",
            "logs:PutLogEvents",
            "logs:CreateLogGroup",
            "s3:GetObject",
            "s3:PutObject",
            "s3:GetBucketLocation",
            "s3:ListBucket",
            "s3:*",
            "dynamodb:Query",
        ],
        1..4,
    )
}

fn resources() -> impl Strategy<Value = Vec<String>> {
    prop::sample::subsequence(
        vec![
            format!("arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:orders/db-AbCdEf"),
            format!("arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:orders/api-??????"),
            format!("arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:orders/*"),
            format!("arn:aws:kms:eu-west-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
            format!("arn:aws:ssm:eu-west-1:{ACCOUNT}:parameter/orders/url"),
            format!("arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/orders"),
            "arn:aws:ecr:us-east-1:111122223333:repository/shared/base".to_owned(),
            format!("arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/ecs/orders:*"),
            format!("arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/ecs/orders"),
            "arn:aws:s3:::orders-reports/*".to_owned(),
            "arn:aws:s3:::orders-reports".to_owned(),
            "arn:aws:s3:::orders-reports/in/*".to_owned(),
            "*".to_owned(),
        ],
        1..4,
    )
}

fn statement() -> impl Strategy<Value = Value> {
    (
        actions(),
        resources(),
        prop::bool::weighted(0.15),
        prop::bool::weighted(0.2),
    )
        .prop_map(|(actions, resources, deny, condition)| {
            let mut st = json!({
                "Effect": if deny { "Deny" } else { "Allow" },
                "Action": actions,
                "Resource": resources,
            });
            if condition {
                st["Condition"] = json!({"StringEquals": {"aws:SourceVpc": "vpc-0abc"}});
            }
            st
        })
}

/// A deployed role as `get-account-authorization-details` lists it.
fn role() -> impl Strategy<Value = (RoleKind, Value)> {
    (
        prop::bool::ANY,
        prop::collection::vec(prop::collection::vec(statement(), 1..4), 0..3),
        prop::sample::subsequence(
            vec![
                "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
                "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
            ],
            0..2,
        ),
        prop::bool::ANY,
        prop::bool::ANY,
    )
        .prop_map(|(execution, policies, managed, boundary, conditions)| {
            let kind = if execution {
                RoleKind::Execution
            } else {
                RoleKind::Task
            };
            let name = if execution { "orders-execution" } else { "orders-task" };
            let mut trust = json!({"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"});
            if conditions {
                trust["Condition"] = json!({
                    "StringEquals": {"aws:SourceAccount": ACCOUNT},
                    "ArnLike": {"aws:SourceArn": format!("arn:aws:ecs:eu-west-1:{ACCOUNT}:*")},
                });
            }
            let mut r = json!({
                "Path": "/",
                "RoleName": name,
                "Arn": format!("arn:aws:iam::{ACCOUNT}:role/{name}"),
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [trust]},
                "RolePolicyList": policies.iter().enumerate().map(|(i, statements)| json!({
                    "PolicyName": format!("policy-{i}"),
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
                })).collect::<Vec<_>>(),
                "AttachedManagedPolicies": managed.iter().map(|arn| json!({
                    "PolicyName": arn.rsplit('/').next().unwrap(),
                    "PolicyArn": arn,
                })).collect::<Vec<_>>(),
            });
            if boundary {
                r["PermissionsBoundary"] = json!({
                    "PermissionsBoundaryType": "Policy",
                    "PermissionsBoundaryArn": format!("arn:aws:iam::{ACCOUNT}:policy/team-boundary"),
                });
            }
            (kind, r)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn the_adopted_spec_never_renders_more_than_the_deployed_role((kind, role) in role()) {
        let text = json!({"RoleDetailList": [role]}).to_string();
        let dump = ecs_iam::deployed::parse(Path::new("dump.json"), &text).unwrap();
        let deployed = dump.roles.get(0).unwrap();
        let spec = ecs_iam::adopt::spec(&[ecs_iam::adopt::Adopting {
            kind,
            role: deployed,
            label: "dump.json#role".to_owned(),
        }]);
        let source = ecs_iam::spec::parse(Path::new("adopted.yaml"), &spec)
            .unwrap_or_else(|e| panic!("{e}\n{spec}"));
        let model = ecs_iam::model::build(&source).unwrap_or_else(|e| panic!("{e}\n{spec}"));
        for (_, changes) in ecs_iam::drift::from_deployed(&model, &[(kind, deployed)]) {
            let broader: Vec<String> = changes
                .iter()
                .filter(|c| c.class == Class::Broadening)
                .map(|c| c.item.to_string())
                .collect();
            prop_assert!(broader.is_empty(), "broadening {broader:?}\n{spec}");
        }
    }
}

/// A console-made execution role, adopted: exact spec and report.
#[test]
fn init_from_role_writes_the_fields_and_says_what_least_privilege_removes() {
    let dump = common::root().join("tests/drift/raw-api-eu-west-1.json");
    let out = Test::new()
        .args(["init", "--from-role"])
        .args([format!("{}#ecs-basic-execution", dump.display())])
        .args(["--output", "adopted.yaml"]);
    let dir = out.dir().to_owned();
    let shown = format!("{}#ecs-basic-execution", dump.display());
    out.stdout(format!(
        "wrote adopted.yaml (from the role `{shown}`); render it with `ecs-iam render adopted.yaml`
the rendering against the task execution role `ecs-basic-execution` it adopts (narrowing: what least privilege removes):
  - narrowing   managed policy arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy
  ~ neutral     statements 4 -> 4; Sids removed: (no Sid); added: Custom1
  ~ neutral     inline policy renamed console-added,ecs-basic-execution-policy -> ecs-basic-execution-policy
"
    ))
    .run();
    let spec = std::fs::read_to_string(dir.join("adopted.yaml")).unwrap();
    let expected = "execution_role:
  name: \"ecs-basic-execution\"  # "
        .to_owned()
        + &shown
        + "
  # AmazonECSTaskExecutionRolePolicy was attached: not kept, because it pulls
  # from every repository and writes to every log group. Grant the repositories
  # and log groups the tasks use below, or name their task definitions.
  ecr:
    repositories:
      - \"arn:aws:ecr:eu-west-1:123456789012:repository/web\"
  logs:
    groups:
      - \"arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/web:*\"
  statements:
    # from the inline policy `console-added`
    - effect: Allow
      actions:
        - \"s3:*\"
      resources:
        - \"*\"
";
    assert!(spec.ends_with(&expected), "{spec}");
    assert!(
        spec.contains("deployment:\n  partition: \"aws\"\n  region: \"eu-west-1\"\n  account_id: \"123456789012\"\n"),
        "{spec}"
    );

    // A role the dump does not hold; two execution roles.
    Test::new()
        .args(["init", "--from-role"])
        .args([format!("{}#ecs-basic-executon", dump.display())])
        .stderr(format!(
            "error: `{}` holds no role `ecs-basic-executon`; did you mean `ecs-basic-execution`?\n",
            dump.display()
        ))
        .status(2)
        .run();
    Test::new()
        .args(["init", "--from-role"])
        .args([format!("execution={}#ecs-basic-task", dump.display())])
        .args(["--from-role"])
        .args([format!("{}#ecs-basic-execution", dump.display())])
        .stderr("error: `--from-role`: give at most one task role and one execution role; say which with `task=` or `execution=` before `FILE#NAME`\n")
        .status(2)
        .run();
}

/// With the task definition the deployed execution role serves, its grants
/// are derived from the task definition: what the role held beyond it (a
/// console statement, the AWS managed policy) is what least privilege
/// removes.
#[test]
fn init_from_role_with_the_task_definition_derives_the_execution_role() {
    let dump = common::root().join("tests/drift/raw-api-eu-west-1.json");
    let task_definition = r#"{
  "family": "ecs-basic",
  "taskRoleArn": "arn:aws:iam::123456789012:role/ecs-basic-task",
  "executionRoleArn": "arn:aws:iam::123456789012:role/ecs-basic-execution",
  "requiresCompatibilities": ["FARGATE"],
  "containerDefinitions": [
    {
      "name": "web",
      "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1.4",
      "logConfiguration": {
        "logDriver": "awslogs",
        "options": {"awslogs-group": "/ecs/web", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "web"}
      }
    }
  ]
}
"#;
    let t = Test::new().file("web.json", task_definition);
    let dir = t.dir().to_owned();
    t.args(["init", "--from-role"])
        .args([format!("{}#ecs-basic-task", dump.display())])
        .args(["--from-role"])
        .args([format!("{}#ecs-basic-execution", dump.display())])
        .args(["--from-task-definition", "web.json", "--output", "adopted.yaml"])
        .stdout(format!(
            "wrote adopted.yaml (from the roles `{0}#ecs-basic-task` and `{0}#ecs-basic-execution`); render it with `ecs-iam render adopted.yaml`
the rendering against the task execution role `ecs-basic-execution` it adopts (narrowing: what least privilege removes):
  - narrowing   Allow s3:* on *
  - narrowing   managed policy arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy
  ~ neutral     statements 4 -> 3; Sids removed: (no Sid); added: none
  ~ neutral     inline policy renamed console-added,ecs-basic-execution-policy -> ecs-basic-execution-policy
",
            dump.display()
        ))
        .run();
    let spec = std::fs::read_to_string(dir.join("adopted.yaml")).unwrap();
    assert!(
        spec.contains("task_definitions:\n  - \"web.json\"\n"),
        "{spec}"
    );
    Test::in_dir(&dir)
        .args(["verify", "adopted.yaml"])
        .stdout_ends_with(
            "adopted.yaml: 6 of 6 calls ECS makes to start 1 container of web.json are allowed\n",
        )
        .run();
}

/// A CloudFormation template's `AWS::IAM::Role` resources, adopted: a role
/// named by `!Sub` goes by its logical id, a template parameter becomes an
/// input (`tests/drift/roles-template.yaml`, written by hand).
#[test]
fn init_from_role_reads_a_cloudformation_template() {
    let template = common::root().join("tests/drift/roles-template.yaml");
    let t = template.display();
    Test::new()
        .args(["init", "--from-role"])
        .args([format!("{t}#TaskRole")])
        .args(["--from-role"])
        .args([format!("{t}#ExecRole")])
        .args(["--output", "-"])
        .stdout(format!(
            "# ecs-iam role specification adopted from the roles `{t}#TaskRole` and `{t}#ExecRole`.
# Each grant a field of the spec says exactly is written there; every other
# statement is kept under `statements` as written, with where it came from.
# `ecs-iam drift` compares the rendering with the deployed roles.
version: 1
name: \"TaskRole\"
# Values left to deploy time (template parameters), each a parameter of the
# rendered stack and a variable of the module:
inputs:
  \"Env\":
    description: \"The template parameter Env\"
task_role:
  name: \"TaskRole\"  # {t}#TaskRole
execution_role:
  name: \"ExecRole\"  # {t}#ExecRole
  # AmazonECSTaskExecutionRolePolicy was attached: not kept, because it pulls
  # from every repository and writes to every log group. Grant the repositories
  # and log groups the tasks use below, or name their task definitions.
  secrets:
    - \"arn:<partition>:secretsmanager:<region>:<account_id>:secret:orders/<input.Env>/db-??????\"
"
        ))
        .stderr(
            "the rendering against the task role `TaskRole` it adopts (narrowing: what least privilege removes):
  + neutral     trust Allow sts:AssumeRole by ecs-tasks.amazonaws.com when ArnLike aws:SourceArn arn:<partition>:ecs:<region>:<account_id>:* and StringEquals aws:SourceAccount <account_id>
  - narrowing   trust Allow sts:AssumeRole by ecs-tasks.amazonaws.com
the rendering against the task execution role `ExecRole` it adopts (narrowing: what least privilege removes):
  - narrowing   managed policy arn:<partition>:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy
  ~ neutral     statements 1 -> 1; Sids removed: (no Sid); added: ReadSecrets
  ~ neutral     inline policy renamed secrets -> ExecRole-policy
",
        )
        .run();
}

/// A bucket granted exactly as `task_role.s3` grants it becomes that entry;
/// the rendering then has the same grants as the deployed role.
#[test]
fn a_bucket_granted_as_the_s3_field_grants_it_becomes_the_field() {
    let role = json!({
        "Path": "/",
        "RoleName": "orders-task",
        "Arn": format!("arn:aws:iam::{ACCOUNT}:role/orders-task"),
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}, "ArnLike": {"aws:SourceArn": format!("arn:aws:ecs:eu-west-1:{ACCOUNT}:*")}}
        }]},
        "RolePolicyList": [{"PolicyName": "reports", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetBucketLocation", "s3:ListBucket"], "Resource": "arn:aws:s3:::orders-reports"},
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::orders-reports/*"},
            {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::other-bucket/*"}
        ]}}],
        "AttachedManagedPolicies": [],
    });
    let text = json!({"RoleDetailList": [role]}).to_string();
    let dump = ecs_iam::deployed::parse(Path::new("dump.json"), &text).unwrap();
    let deployed = dump.roles.get(0).unwrap();
    let spec = ecs_iam::adopt::spec(&[ecs_iam::adopt::Adopting {
        kind: RoleKind::Task,
        role: deployed,
        label: "dump.json#orders-task".to_owned(),
    }]);
    assert!(
        spec.contains(
            "  s3:\n    - bucket: \"orders-reports\"\n      access: [list, read, write]\n"
        ),
        "{spec}"
    );
    // `other-bucket` has no statement on the bucket itself: the field's
    // GetBucketLocation would be more, so it stays a statement.
    assert!(
        spec.contains("        - \"arn:aws:s3:::other-bucket/*\"\n"),
        "{spec}"
    );
    let source = ecs_iam::spec::parse(Path::new("adopted.yaml"), &spec).unwrap();
    let model = ecs_iam::model::build(&source).unwrap_or_else(|e| panic!("{e}\n{spec}"));
    for (_, changes) in ecs_iam::drift::from_deployed(&model, &[(RoleKind::Task, deployed)]) {
        let grants: Vec<String> = changes
            .iter()
            .filter(|c| c.class != Class::Neutral)
            .map(|c| c.item.to_string())
            .collect();
        assert!(grants.is_empty(), "{grants:?}\n{spec}");
    }
}

/// `--from-role` without `#ROLE_NAME` names what is missing.
#[test]
fn a_role_reference_without_a_name_is_refused() {
    Test::new()
        .args(["init", "--from-role", "dump.json"])
        .stderr("error: `--from-role dump.json`: name the role as `FILE#ROLE_NAME`, with `task=` or `execution=` before it to say which it becomes\n")
        .status(2)
        .run();
}
