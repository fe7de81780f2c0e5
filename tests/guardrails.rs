//! Platform guardrails (`check --guardrails`): every rule kind on two specs
//! (`tests/guardrails/`), decided on the rendered roles; a spec-level
//! `deny` satisfying a denied-action rule; bad guardrail files refused at
//! their position; SARIF that validates.

mod common;

use common::Test;

fn specs() -> Test {
    Test::new()
        .copy_as("tests/guardrails/platform.yaml", "platform.yaml")
        .copy_as("tests/guardrails/scratch-only.yaml", "scratch-only.yaml")
        .copy_as("tests/guardrails/broad.yaml", "broad.yaml")
}

#[test]
fn guardrails_find_what_the_roles_allow_not_what_the_text_says() {
    // Read by hand: `scratch-only` grants `iam:Pass*` but denies `iam:*`
    // in the spec, deletes only in a `*-scratch` bucket, carries the
    // boundary and the tag: no finding. `broad` breaks every rule.
    let expected =
        std::fs::read_to_string(common::root().join("tests/guardrails/expected.txt")).unwrap();
    specs()
        .args([
            "check",
            "--guardrails",
            "platform.yaml",
            "scratch-only.yaml",
            "broad.yaml",
        ])
        .status(1)
        .stdout(expected)
        .run();
    // The deny list is what keeps `scratch-only` clean: without it, the
    // rule finds the grant.
    let without =
        std::fs::read_to_string(common::root().join("tests/guardrails/scratch-only.yaml"))
            .unwrap()
            .replace("deny: [\"iam:*\"]\n", "");
    specs()
        .file("scratch-only.yaml", without)
        .args(["check", "--guardrails", "platform.yaml", "scratch-only.yaml"])
        .status(1)
        .stdout("scratch-only.yaml:10:14: error[guardrail/no-iam]: the task role allows `iam:Pass*` on `arn:<partition>:iam::<account_id>:role/app-*` (statement `Custom1`), which meets the denied `iam:*`: e.g. `iam:Pass` on `arn:<partition>:iam::<account_id>:role/app-x` (IAM belongs to the platform team); fix: remove the grant, narrow it, or add `iam:*` to the spec's `deny` list\n1 finding\n")
        .run();
    specs()
        .args([
            "check",
            "--guardrails",
            "platform.yaml",
            "scratch-only.yaml",
        ])
        .stdout("0 findings\n")
        .run();
}

#[test]
fn guardrail_findings_in_json_and_sarif() {
    let out = specs()
        .args([
            "check",
            "--guardrails",
            "platform.yaml",
            "broad.yaml",
            "--format",
            "json",
        ])
        .status(1)
        .run();
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let rules: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "guardrail/boundary",
            "guardrail/boundary",
            "guardrail/tags",
            "guardrail/tags",
            "guardrail/no-delete-outside-scratch",
            "guardrail/known-accounts",
            "guardrail/no-iam",
            "managed-execution-policy",
        ]
    );
    assert_eq!(v[6]["location"]["line"], 11);
    let out = specs()
        .args([
            "check",
            "--guardrails",
            "platform.yaml",
            "broad.yaml",
            "--format",
            "sarif",
        ])
        .status(1)
        .run();
    let sarif: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let validator = jsonschema::validator_for(&common::sarif_schema()).unwrap();
    assert!(validator.is_valid(&sarif), "{sarif}");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 8);
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    for r in results {
        let index = usize::try_from(r["ruleIndex"].as_u64().unwrap()).unwrap();
        assert_eq!(rules[index]["id"], r["ruleId"], "{r}");
    }
}

#[test]
fn bad_guardrail_files_are_refused_at_their_position() {
    for (text, stderr) in [
        (
            "version: 1\nrules:\n  - id: No_IAM\n    deny_actions: [\"iam:*\"]\n",
            "error: g.yaml:3:9: `rules[0].id`: `No_IAM` is not a rule id; use lowercase letters, digits and `-`\n",
        ),
        (
            "version: 1\nrules:\n  - id: both\n    deny_actions: [\"iam:*\"]\n    required_tags: [team]\n",
            "error: g.yaml:3:7: `rules[0]`: a rule has exactly one of `deny_actions` (with optional `except_resources`), `allowed_accounts`, `required_boundary`, `required_tags`\n",
        ),
        (
            "version: 1\nrules:\n  - id: a\n    deny_action: [\"iam:*\"]\n",
            "error: g.yaml:4:5: unknown field `deny_action` in `rules[0]`; did you mean `deny_actions`?\n",
        ),
        (
            "version: 1\nrules:\n  - id: a\n    allowed_accounts: [\"1234\"]\n",
            "error: g.yaml:4:24: `rules[0].allowed_accounts[0]`: `1234` is not an AWS account id; write its 12 digits as a quoted string, e.g. \"123456789012\"\n",
        ),
        (
            "version: 1\nrules:\n  - id: a\n    roles: [tasks]\n    required_tags: [team]\n",
            "error: g.yaml:4:13: `rules[0].roles[0]`: unknown role `tasks`; expected `task` or `execution`\n",
        ),
    ] {
        specs()
            .file("g.yaml", text)
            .args(["check", "--guardrails", "g.yaml", "broad.yaml"])
            .status(2)
            .stderr(stderr)
            .run();
    }
}

#[test]
fn removing_a_deny_entry_is_broadening() {
    let with = "version: 1\nname: w\ndeny: [\"iam:*\", \"organizations:*\"]\n";
    let without = "version: 1\nname: w\ndeny: [\"organizations:*\"]\n";
    let dir = Test::new()
        .file("old/w.yaml", with)
        .file("new/w.yaml", without)
        .args(["render", "old/w.yaml", "--out", "old-out"])
        .stdout_contains("old-out/w/")
        .run()
        .dir;
    Test::in_dir(&dir)
        .args(["render", "new/w.yaml", "--out", "new-out"])
        .stdout_contains("new-out/w/")
        .run();
    let out = Test::in_dir(&dir)
        .args([
            "diff",
            "--old",
            "old-out/w",
            "--new",
            "new-out/w",
            "--fail-on",
            "broadening",
        ])
        .status(1)
        .run();
    assert!(out.stdout.contains("iam:*"), "{}", out.stdout);
    assert!(
        out.stdout.lines().last().unwrap().contains("2 broadening"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_misspelt_deny_entry_is_refused() {
    Test::new()
        .file("d.yaml", "version: 1\nname: d\ndeny: [\"iam:*\", \"iam:PasRole\"]\n")
        .args(["render", "d.yaml", "--out", "out"])
        .status(2)
        .stderr("error: d.yaml:3:17: `deny[1]`: `iam:PasRole` is not an action of `iam` in AWS's service reference; did you mean `iam:PassRole`?\n")
        .run();
}
