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
        .args([format!(
            "{}#ecs-basic-execution",
            ecs_iam::escape::path(&dump)
        )])
        .args(["--output", "adopted.yaml"]);
    let dir = out.dir().to_owned();
    let shown = format!("{}#ecs-basic-execution", ecs_iam::escape::path(&dump));
    out.stdout(format!(
        "wrote adopted.yaml (from the role `{shown}`); render it with `ecs-iam render adopted.yaml`
the task role was not adopted: the spec leaves it to be managed elsewhere (`task_role.managed: false`), so `render` does not declare it and `drift` does not compare it; adopt it with a second `--from-role`
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
        .args([format!(
            "{}#ecs-basic-executon",
            ecs_iam::escape::path(&dump)
        )])
        .stderr(format!(
            "error: `{}` holds no role `ecs-basic-executon`; did you mean `ecs-basic-execution`?\n",
            ecs_iam::escape::path(&dump)
        ))
        .status(2)
        .run();
    Test::new()
        .args(["init", "--from-role"])
        .args([format!("execution={}#ecs-basic-task", ecs_iam::escape::path(&dump))])
        .args(["--from-role"])
        .args([format!("{}#ecs-basic-execution", ecs_iam::escape::path(&dump))])
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
        .args([format!("{}#ecs-basic-task", ecs_iam::escape::path(&dump))])
        .args(["--from-role"])
        .args([format!("{}#ecs-basic-execution", ecs_iam::escape::path(&dump))])
        .args(["--from-task-definition", "web.json", "--output", "adopted.yaml"])
        .stdout(format!(
            "wrote adopted.yaml (from the roles `{0}#ecs-basic-task` and `{0}#ecs-basic-execution`); render it with `ecs-iam render adopted.yaml`
the rendering against the task execution role `ecs-basic-execution` it adopts (narrowing: what least privilege removes):
  - narrowing   Allow s3:* on *
  - narrowing   managed policy arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy
  ~ neutral     statements 4 -> 3; Sids removed: (no Sid); added: none
  ~ neutral     inline policy renamed console-added,ecs-basic-execution-policy -> ecs-basic-execution-policy
",
            ecs_iam::escape::path(&dump)
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
    let t = ecs_iam::escape::path(&template);
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

/// The real dumps of `tests/adopt` (cloudsplaining's example account,
/// cloudmapper's demo account).
const CLOUDSPLAINING: &str = "tests/adopt/cloudsplaining-example-roles.json";
const CLOUDMAPPER: &str = "tests/adopt/cloudmapper-demo.json";

/// A role ECS tasks cannot assume (an EC2 instance role, a CloudFormation
/// or SSO role, a role people or another account assume) is no task role:
/// refused at its place in the dump, with what to adopt instead, and
/// nothing written.
#[test]
fn a_role_ecs_tasks_cannot_assume_is_refused_where_the_dump_holds_it() {
    let cases = [
        (
            CLOUDSPLAINING,
            "OverprivilegedEC2",
            "268:5",
            "`ec2.amazonaws.com`",
        ),
        (
            CLOUDSPLAINING,
            "AWS-QuickSetup-StackSet-Local-AdministrationRole",
            "3:5",
            "`cloudformation.amazonaws.com`",
        ),
        (
            CLOUDSPLAINING,
            "AWSReservedSSO_ViewOnlyAccess_0ace44bbc7092ea8",
            "45:5",
            "`arn:aws:iam::200611803367:saml-provider/AWSSSO_b937d2dff24f2774_DO_NOT_DELETE` (single sign-on through a SAML provider)",
        ),
        (
            CLOUDSPLAINING,
            "fn1-privesc3-partial-role",
            "89:5",
            "`arn:aws:sts::200611803367:assumed-role/AWSReservedSSO_AdministratorAccess_dc6414f7f2ab04fc/elad@codsec.io` (a role session)",
        ),
        (
            CLOUDSPLAINING,
            "OrganizationAccountAccessRole",
            "123:5",
            "`arn:aws:iam::072528804237:root` (an account other than the role's)",
        ),
        (
            CLOUDSPLAINING,
            "privesc-sre-role",
            "238:5",
            "`arn:aws:iam::200611803367:user/privesc-sre-user` (a user)",
        ),
        (CLOUDMAPPER, "exfiller", "234:9", "`ec2.amazonaws.com`"),
        (CLOUDMAPPER, "bad_role", "271:9", "`*` (anyone)"),
        (CLOUDMAPPER, "level1", "315:9", "`lambda.amazonaws.com`"),
    ];
    let mut failures = Vec::new();
    for (dump, role, at, trusted) in cases {
        for output in [None, Some("-"), Some("adopted.yaml")] {
            let mut test =
                Test::new()
                    .copy(dump)
                    .args(["init", "--from-role", &format!("{dump}#{role}")]);
            if let Some(o) = output {
                test = test.args(["--output", o]);
            }
            let result = test
                .stdout("")
                .stderr(format!(
                    "error: {dump}:{at}: the role `{role}` is not an ECS task role: its trust lets {trusted} assume it, not `ecs-tasks.amazonaws.com`, so no ECS task runs with it; adopt the roles a task definition names in `taskRoleArn` and `executionRoleArn`, or write a spec for new roles with `ecs-iam init --from-task-definition`\n"
                ))
                .status(2)
                .try_run();
            match result {
                Ok(out) => {
                    let written: Vec<_> = std::fs::read_dir(&out.dir)
                        .unwrap()
                        .map(|e| e.unwrap().file_name())
                        .collect();
                    assert_eq!(written, ["tests"], "{role}: a spec was written");
                }
                Err(message) => failures.push(message),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A role ECS tasks assume whose trust names others too (here ten
/// services, from cloudsplaining's example account): the spec keeps ECS
/// tasks and EC2 instances, and says, in the spec and on the terminal,
/// whom it drops and why.
#[test]
fn principals_a_spec_cannot_trust_are_dropped_and_said() {
    Test::new()
        .copy(CLOUDSPLAINING)
        .args([
            "init",
            "--from-role",
            &format!("{CLOUDSPLAINING}#privesc-high-priv-service-role"),
            "--output",
            "-",
        ])
        .stdout(format!(
            "# ecs-iam role specification adopted from the role `{CLOUDSPLAINING}#privesc-high-priv-service-role`.
# Each grant a field of the spec says exactly is written there; every other
# statement is kept under `statements` as written, with where it came from.
# `ecs-iam drift` compares the rendering with the deployed roles.
version: 1
name: \"privesc-high-priv-service-role\"
# Where the roles are deployed (their ARNs):
deployment:
  partition: \"aws\"
  account_id: \"200611803367\"
task_role:
  name: \"privesc-high-priv-service-role\"  # {CLOUDSPLAINING}#privesc-high-priv-service-role
  # The deployed trust also let these assume the role, which this spec does
  # not keep: its roles trust only ECS tasks (and EC2 instances for the EC2
  # launch type), because whoever else assumes a task role gets all of its
  # permissions. Give them a role of their own.
  #   `cloudformation.amazonaws.com`
  #   `codebuild.amazonaws.com`
  #   `datapipeline.amazonaws.com`
  #   `eks.amazonaws.com`
  #   `elasticbeanstalk.amazonaws.com`
  #   `glue.amazonaws.com`
  #   `lambda.amazonaws.com`
  #   `sagemaker.amazonaws.com`
  trust:
    services:
      - \"ec2.amazonaws.com\"
      - \"ecs-tasks.amazonaws.com\"
  managed_policies:
    - \"arn:aws:iam::200611803367:policy/privesc-high-priv-service-policy\"
    - \"arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore\"
# Not adopted: this spec leaves the task execution role to be managed
# elsewhere, so the files it renders do not declare it and `ecs-iam drift`
# does not compare it. Adopt it with a second `--from-role`, or write its
# grants here in place of `managed: false`.
execution_role:
  managed: false
"
        ))
        .stderr(
            "the task execution role was not adopted: the spec leaves it to be managed elsewhere (`execution_role.managed: false`), so `render` does not declare it and `drift` does not compare it; adopt it with a second `--from-role`
the trust of the task role `privesc-high-priv-service-role` also lets `cloudformation.amazonaws.com`, `codebuild.amazonaws.com`, `datapipeline.amazonaws.com`, `eks.amazonaws.com`, `elasticbeanstalk.amazonaws.com`, `glue.amazonaws.com`, `lambda.amazonaws.com` and `sagemaker.amazonaws.com` assume it: not kept, because the spec's roles trust only ECS tasks (and EC2 instances for the EC2 launch type), and whoever else assumes the role gets all of its permissions; give them a role of their own
the rendering against the task role `privesc-high-priv-service-role` it adopts (narrowing: what least privilege removes):
  + neutral     trust Allow sts:AssumeRole by ecs-tasks.amazonaws.com when ArnLike aws:SourceArn arn:aws:ecs:<region>:200611803367:* and StringEquals aws:SourceAccount 200611803367
  - narrowing   trust Allow sts:AssumeRole by cloudformation.amazonaws.com
  - narrowing   trust Allow sts:AssumeRole by codebuild.amazonaws.com
  - narrowing   trust Allow sts:AssumeRole by datapipeline.amazonaws.com
  - narrowing   trust Allow sts:AssumeRole by ecs-tasks.amazonaws.com
  - narrowing   trust Allow sts:AssumeRole by eks.amazonaws.com
  - narrowing   trust Allow sts:AssumeRole by elasticbeanstalk.amazonaws.com
  - narrowing   trust Allow sts:AssumeRole by glue.amazonaws.com
  - narrowing   trust Allow sts:AssumeRole by lambda.amazonaws.com
  - narrowing   trust Allow sts:AssumeRole by sagemaker.amazonaws.com
",
        )
        .run();

    // A user of the account and a role of another account beside ECS
    // tasks: each named with what it is.
    let role = json!({
        "Path": "/",
        "RoleName": "orders-task",
        "Arn": format!("arn:aws:iam::{ACCOUNT}:role/orders-task"),
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com", "AWS": format!("arn:aws:iam::{ACCOUNT}:user/alice")}, "Action": "sts:AssumeRole"},
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:role/ci-deploy"}, "Action": "sts:AssumeRole"}
        ]},
        "RolePolicyList": [],
        "AttachedManagedPolicies": [],
    });
    let t = Test::new().file(
        "dump.json",
        serde_json::to_string_pretty(&json!({"RoleDetailList": [role]})).unwrap(),
    );
    let dir = t.dir().to_owned();
    t.args(["init", "--from-role", "dump.json#orders-task"])
        .stdout(format!(
            "wrote orders.yaml (from the role `dump.json#orders-task`); render it with `ecs-iam render orders.yaml`
the task execution role was not adopted: the spec leaves it to be managed elsewhere (`execution_role.managed: false`), so `render` does not declare it and `drift` does not compare it; adopt it with a second `--from-role`
the trust of the task role `orders-task` also lets `arn:aws:iam::{ACCOUNT}:user/alice` (a user) and `arn:aws:iam::999988887777:role/ci-deploy` (a role of another account, 999988887777) assume it: not kept, because the spec's roles trust only ECS tasks (and EC2 instances for the EC2 launch type), and whoever else assumes the role gets all of its permissions; give them a role of their own
the rendering against the task role `orders-task` it adopts (narrowing: what least privilege removes):
  + neutral     trust Allow sts:AssumeRole by ecs-tasks.amazonaws.com when ArnLike aws:SourceArn arn:aws:ecs:<region>:{ACCOUNT}:* and StringEquals aws:SourceAccount {ACCOUNT}
  - narrowing   trust Allow sts:AssumeRole by arn:aws:iam::{ACCOUNT}:user/alice
  - narrowing   trust Allow sts:AssumeRole by arn:aws:iam::999988887777:role/ci-deploy
  - narrowing   trust Allow sts:AssumeRole by ecs-tasks.amazonaws.com
"
        ))
        .run();
    let spec = std::fs::read_to_string(dir.join("orders.yaml")).unwrap();
    assert!(
        spec.contains(&format!(
            "  # permissions. Give them a role of their own.\n  #   `arn:aws:iam::{ACCOUNT}:user/alice` (a user)\n  #   `arn:aws:iam::999988887777:role/ci-deploy` (a role of another account, 999988887777)\n"
        )),
        "{spec}"
    );
}

/// A role whose template spreads its statements over policies created
/// beside it (`policy_layout: split`, the golden case split-task-role) is
/// adopted with that layout: the spec renders (the statements outgrow the
/// inline limit) and drift finds it in sync with the template.
#[test]
fn init_from_role_keeps_a_split_layout() {
    let template = common::root().join("tests/golden/split-task-role/expected/cloudformation.yaml");
    let out = Test::new()
        .args(["init", "--from-role"])
        .args([format!(
            "{}#orders-batch-task",
            ecs_iam::escape::path(&template)
        )])
        .args(["--output", "adopted.yaml"])
        .run();
    let spec = std::fs::read_to_string(out.dir.join("adopted.yaml")).unwrap();
    assert!(
        spec.contains("\n  policy_layout: split  # its statements are spread over 2 policies created beside it\n"),
        "{spec}"
    );
    Test::in_dir(&out.dir)
        .args(["drift", "adopted.yaml", "--deployed"])
        .args([&template])
        .stdout_ends_with(
            "drift: 1 role: 1 match, 0 drifted, 0 missing; IAM: 0 broadening, 0 narrowing, 0 neutral\n",
        )
        .run();
    // A template written by hand may attach the policy from its side
    // (`Roles: [!Ref TaskRole]`) instead of the role's `ManagedPolicyArns`:
    // the same role.
    let text = std::fs::read_to_string(&template).unwrap();
    let by_roles = text
        .replace(
            "      ManagedPolicyArns:\n        - !Ref TaskRolePolicy2\n",
            "",
        )
        .replace(
            "      Description: \"Permissions of the task role orders-batch-task beyond its inline policy\"\n",
            "      Description: \"Permissions of the task role orders-batch-task beyond its inline policy\"\n      Roles:\n        - !Ref TaskRole\n",
        );
    assert!(!by_roles.contains("!Ref TaskRolePolicy2") && by_roles.contains("      Roles:\n"));
    std::fs::write(out.dir.join("by-roles.yaml"), by_roles).unwrap();
    Test::in_dir(&out.dir)
        .args(["drift", "adopted.yaml", "--deployed", "by-roles.yaml"])
        .stdout_ends_with(
            "drift: 1 role: 1 match, 0 drifted, 0 missing; IAM: 0 broadening, 0 narrowing, 0 neutral\n",
        )
        .run();
}
