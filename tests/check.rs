//! `check` and `explain` as users run them.

mod common;

use common::Test;

const FINDINGS: &str = "\
tests/check/findings.yaml:7:41: warning[ec2-trust]: `ec2.amazonaws.com` is trusted; fix: remove `ec2.amazonaws.com` from `trust.services` unless tasks run on the EC2 launch type
tests/check/findings.yaml:8:22: warning[confused-deputy-off]: confused-deputy conditions are turned off on the task role; fix: remove `confused_deputy: false`
tests/check/findings.yaml:10:12: error[secret-wildcard]: `*` is a wildcard; fix: name each secret; ecs-iam adds the `-??????` suffix itself
tests/check/findings.yaml:10:17: warning[secret-suffix]: `prod/db-AbC123` ends in what looks like Secrets Manager's six-character suffix; fix: give the secret's full ARN, or rename the secret
tests/check/findings.yaml:11:14: error[kms-wildcard]: `arn:<partition>:kms:<region>:<account_id>:key/*` is a wildcard; fix: name each key by id or key ARN
tests/check/findings.yaml:13:17: error[custom-star-action]: the action is `*`; fix: list the actions the workload calls
tests/check/findings.yaml:15:17: warning[custom-service-wildcard]: `sqs:*` allows every action of the service; fix: list the actions the workload calls
tests/check/findings.yaml:16:19: warning[custom-star-resource]: the resource is `*`; fix: name the resources, unless the actions have no resource-level permissions
tests/check/findings.yaml:18:19: error[kms-alias]: `arn:<partition>:kms:<region>:<account_id>:alias/app` is a KMS alias; fix: use the key ARN, or a `kms:ResourceAliases` condition
tests/check/findings.yaml:20:22: warning[managed-execution-policy]: AmazonECSTaskExecutionRolePolicy is attached; fix: drop it and list `ecr.repositories` and `logs.groups`; ecs-iam scopes those grants
tests/check/findings.yaml:21:20: error[parameter-wildcard]: `/app/*` is a wildcard; fix: name each parameter
tests/check/findings.yaml:23:3: note[cross-account]: the task execution role grants secretsmanager:GetSecretValue on `arn:aws:secretsmanager:eu-central-1:111122223333:secret:shared/db-AbCdEf`, in another account: account 111122223333 must allow this role in the secret's resource policy; fix: have that account allow the role in its resource policy (`render` writes the statement to `cross-account/` for secrets, keys and repositories)
tests/check/findings.yaml:23:13: warning[hardcoded-partition]: `arn:aws:secretsmanager:eu-central-1:111122223333:secret:shared/db-AbCdEf` hard-codes partition `aws` while `deployment.partition` is not set; fix: write `arn:<partition>:...`, or pin `deployment.partition`
tests/check/findings.yaml:25:17: note[custom-service-wildcard]: `sqs:*` allows every action of the service; acknowledged: queues are created per tenant at run time; fix: list the actions the workload calls
tests/check/findings.yaml:26:19: note[custom-star-resource]: the resource is `*`; acknowledged: queues are created per tenant at run time; fix: name the resources, unless the actions have no resource-level permissions
tests/check/findings.yaml:32:11: warning[unknown-condition-key]: `aws:SourceVpcee` is neither a global condition key nor a key of the statement's actions (`logs:PutLogEvents`) or their resource types in AWS's service reference (did you mean `aws:SourceVpce`?); fix: correct the key's name, or use a key AWS's Service Authorization Reference lists for the actions
16 findings
";

#[test]
fn every_rule_reports_on_its_line() {
    Test::new()
        .copy("tests/check/findings.yaml")
        .args(["check", "tests/check/findings.yaml"])
        .status(1)
        .stdout(FINDINGS)
        .run();
}

#[test]
fn deny_sets_the_exit_code() {
    // Only warnings: exit 0 at the default level, 1 with --deny warning.
    let spec = "tests/golden/managed-opt-in/spec.yaml";
    let dir = Test::new()
        .copy(spec)
        .copy("tests/check/findings.yaml")
        .dir()
        .to_owned();
    Test::in_dir(&dir).args(["check", spec]).run();
    Test::in_dir(&dir)
        .args(["check", spec, "--deny", "warning"])
        .status(1)
        .run();
    Test::in_dir(&dir)
        .args(["check", "tests/check/findings.yaml", "--deny", "error"])
        .status(1)
        .run();
    // The examples are clean.
    for example in [
        "examples/ecs-basic.yaml",
        "examples/ecs-observability.yaml",
        "examples/ecs-secrets-vpce.yaml",
        "examples/matillion-agent.yaml",
    ] {
        Test::in_dir(&dir)
            .copy(example)
            .args(["check", example, "--deny", "note"])
            .stdout("0 findings\n")
            .run();
    }
}

/// A spec `check` cannot check (one `render` refuses, or one that does not
/// parse) is no finding: exit 2 in every format, the error on stderr, and
/// in SARIF a run marked unsuccessful with the error at its place, where
/// code scanning looks for it (SARIF 2.1.0, appendix I).
#[test]
fn a_spec_that_cannot_render_is_an_error_in_every_format() {
    let bad = [
        (
            "long.yaml",
            "version: 1\nname: w\ntask_role:\n  max_session_duration: 90000\n",
            (4, 25),
            "`task_role.max_session_duration`: 90000 seconds is outside IAM's range; use a value from 3600 to 43200",
        ),
        (
            "typo.yaml",
            "version: 1\nname: w\ntask_role:\n  secret: {list: true}\n",
            (4, 3),
            "unknown field `secret` in `task_role`; did you mean `secrets`?",
        ),
    ];
    let schema = common::sarif_schema();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    for (file, text, (line, column), message) in bad {
        let stderr = format!("error: {file}:{line}:{column}: {message}\n");
        for format in ["text", "json"] {
            Test::new()
                .file(file, text)
                .args(["check", file, "--format", format])
                .stdout("")
                .stderr(&stderr)
                .status(2)
                .run();
        }
        let out = Test::new()
            .file(file, text)
            .args(["check", file, "--format", "sarif"])
            .stderr(&stderr)
            .status(2)
            .run();
        let sarif: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&sarif)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
        let run = &sarif["runs"][0];
        assert_eq!(run["results"], serde_json::json!([]));
        assert_eq!(
            run["invocations"],
            serde_json::json!([{
                "executionSuccessful": false,
                "exitCode": 2,
                "toolExecutionNotifications": [{
                    "level": "error",
                    "message": {"text": message},
                    "locations": [{"physicalLocation": {
                        "artifactLocation": {"uri": file},
                        "region": {"startLine": line, "startColumn": column},
                    }}],
                }],
            }])
        );
    }
    // Three specs, two of them bad: both errors are said, and nothing is
    // printed as the good spec's clean result.
    Test::new()
        .file("long.yaml", bad[0].1)
        .file("typo.yaml", bad[1].1)
        .copy("examples/ecs-basic.yaml")
        .args(["check", "long.yaml", "examples/ecs-basic.yaml", "typo.yaml"])
        .stdout("")
        .stderr(format!(
            "error: long.yaml:4:25: {}\nerror: typo.yaml:4:3: {}\n",
            bad[0].3, bad[1].3
        ))
        .status(2)
        .run();
}

#[test]
fn an_oversized_policy_is_refused_as_render_refuses_it() {
    let secrets: Vec<String> = (0..150)
        .map(|i| format!("    - team/service/secret-number-{i:03}\n"))
        .collect();
    let out = Test::new()
        .file(
            "big.yaml",
            format!(
                "version: 1\nname: big\nexecution_role:\n  secrets:\n{}",
                secrets.concat()
            ),
        )
        .args(["check", "big.yaml"])
        .status(2)
        .stderr("error: big.yaml:3:1: `execution_role`: the task execution role's inline policy would be 15898 characters (whitespace not counted, at the longest partition and region names); IAM allows 10,240, so grant fewer resources, split the workload, or set `policy_layout: split` to move the statements beyond it into managed policies created beside the role\n")
        .run();
    // render refuses it the same way: IAM would reject the role at deploy
    // time.
    Test::in_dir(&out.dir)
        .args(["render", "big.yaml", "--out", "out"])
        .status(2)
        .stderr("error: big.yaml:3:1: `execution_role`: the task execution role's inline policy would be 15898 characters (whitespace not counted, at the longest partition and region names); IAM allows 10,240, so grant fewer resources, split the workload, or set `policy_layout: split` to move the statements beyond it into managed policies created beside the role\n")
        .run();
    assert!(!out.dir.join("out").exists());
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    let out = Test::new()
        .copy("tests/check/findings.yaml")
        .args(["check", "tests/check/findings.yaml", "--format", "sarif"])
        .status(1)
        .run();
    let sarif: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let schema = common::sarif_schema();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The run completed: its findings are the whole answer.
    assert_eq!(
        sarif["runs"][0]["invocations"],
        serde_json::json!([{"executionSuccessful": true, "exitCode": 1}])
    );
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 16);
    // An acknowledged wildcard is a note.
    assert_eq!(results[14]["ruleId"], "custom-star-resource");
    assert_eq!(results[14]["level"], "note");
    assert_eq!(results[2]["ruleId"], "secret-wildcard");
    assert_eq!(results[2]["level"], "error");
    let region = &results[2]["locations"][0]["physicalLocation"];
    assert_eq!(
        region["artifactLocation"]["uri"],
        "tests/check/findings.yaml"
    );
    assert_eq!(region["region"]["startLine"], 10);
    // A result names a rule the driver lists.
    let index = usize::try_from(results[2]["ruleIndex"].as_u64().unwrap()).unwrap();
    assert_eq!(
        sarif["runs"][0]["tool"]["driver"]["rules"][index]["id"],
        "secret-wildcard"
    );

    // And a document that breaks the schema is refused, so the check can fail.
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&broken));
}

#[test]
fn explain_names_the_field_behind_each_grant() {
    let out = Test::new()
        .copy("examples/matillion-agent.yaml")
        .args([
            "explain",
            "examples/matillion-agent.yaml",
            "--format",
            "json",
        ])
        .run();
    let rows: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    let find = |from: &str| {
        rows.iter()
            .find(|r| r["from"] == from)
            .unwrap_or_else(|| panic!("no row from {from}"))
    };
    let delete = find("task_role.s3[0].access: delete");
    assert_eq!(delete["actions"], serde_json::json!(["s3:DeleteObject"]));
    assert_eq!(
        delete["resources"],
        serde_json::json!(["arn:<partition>:s3:::matillion-staging-bucket/*"])
    );
    let kms = find("execution_role.kms_keys");
    assert_eq!(
        kms["condition"],
        "StringEquals kms:ViaService = secretsmanager.<region>.amazonaws.com"
    );
    assert_eq!(find("task_role.trust.services")["kind"], "trust");
    // The whole text is in `tests/explain/` (tests/explain.rs); here, the
    // first grant's title and one row of the table a wide terminal gets.
    Test::new()
        .copy("examples/ecs-basic.yaml")
        .args(["explain", "examples/ecs-basic.yaml"])
        .stdout_starts_with("ROLE: task  KIND: trust  EFFECT: Allow\n")
        .run();
    Test::new()
        .copy("examples/ecs-basic.yaml")
        .args(["explain", "examples/ecs-basic.yaml"])
        .env("COLUMNS", "400")
        .stdout_starts_with("ROLE ")
        .stdout_contains("execution  permission  Allow   logs:CreateLogStream, logs:PutLogEvents")
        .run();
}

/// A file name that is not a plain URI path (a space, `#`, `%`) is
/// percent-encoded in SARIF, so a viewer opens that file and no other.
#[test]
fn sarif_uris_are_percent_encoded() {
    let out = Test::new()
        .copy_as("tests/check/findings.yaml", "specs/a b#1%2e.yaml")
        .args(["check", "specs/a b#1%2e.yaml", "--format", "sarif"])
        .status(1)
        .run();
    let sarif: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let location = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"],
        "specs/a%20b%231%252e.yaml"
    );
}

#[test]
fn verify_and_drift_sarif_say_how_the_run_ended() {
    let schema = common::sarif_schema();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let valid = |text: &str| {
        let sarif: serde_json::Value = serde_json::from_str(text).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&sarif)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
        sarif["runs"][0]["invocations"].clone()
    };
    let spec = "version: 1\nname: w\ntask_role:\n  secret: {list: true}\n";
    let message = "unknown field `secret` in `task_role`; did you mean `secrets`?";
    let failed = serde_json::json!([{
        "executionSuccessful": false,
        "exitCode": 2,
        "toolExecutionNotifications": [{
            "level": "error",
            "message": {"text": message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": "w.yaml"},
                "region": {"startLine": 4, "startColumn": 3},
            }}],
        }],
    }]);
    let stderr = format!("error: w.yaml:4:3: {message}\n");
    // A spec that cannot be read: the run did not complete.
    let out = Test::new()
        .file("w.yaml", spec)
        .args(["verify", "w.yaml", "--format", "sarif"])
        .stderr(&stderr)
        .status(2)
        .run();
    assert_eq!(valid(&out.stdout), failed);
    let out = Test::new()
        .file("w.yaml", spec)
        .file("dump.json", "{\"RoleDetailList\": []}")
        .args([
            "drift",
            "w.yaml",
            "--deployed",
            "dump.json",
            "--format",
            "sarif",
        ])
        .stderr(&stderr)
        .status(2)
        .run();
    assert_eq!(valid(&out.stdout), failed);
    // A completed run says so, with its exit code.
    let out = Test::new()
        .file(
            "w.yaml",
            "version: 1\nname: w\ntask_definitions: [c.json]\n",
        )
        .file("c.json", r#"[{"name": "a", "image": "nginx"}]"#)
        .args(["verify", "w.yaml", "--format", "sarif"])
        .run();
    assert_eq!(
        valid(&out.stdout),
        serde_json::json!([{"executionSuccessful": true, "exitCode": 0}])
    );
    let out = Test::new()
        .file("w.yaml", "version: 1\nname: w\n")
        .file("dump.json", "{\"RoleDetailList\": []}")
        .args([
            "drift",
            "w.yaml",
            "--deployed",
            "dump.json",
            "--format",
            "sarif",
        ])
        .status(1)
        .run();
    assert_eq!(
        valid(&out.stdout),
        serde_json::json!([{"executionSuccessful": true, "exitCode": 1}])
    );
}
