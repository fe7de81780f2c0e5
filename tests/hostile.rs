//! Hostile input: each bad spec gets its exact one-line message and exit 2,
//! in bounded time and memory (the binary runs under a 1 GiB address-space
//! limit and must finish within 10 seconds), and writes nothing.

mod common;

use std::fmt::Write as _;
use std::time::Duration;

use common::Test;

fn bomb_in_a_field() -> String {
    let mut s = String::from("version: 1\nname: w\ntask_role:\n  statements:\n");
    s.push_str("    - actions: &a0 [s3:GetObject, s3:GetObject, s3:GetObject, s3:GetObject, s3:GetObject, s3:GetObject, s3:GetObject, s3:GetObject, s3:GetObject]\n      resources: \"*\"\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 9].join(",");
        let _ = write!(s, "    - actions: &a{i} [{refs}]\n      resources: \"*\"\n");
    }
    s
}

fn bomb_at_the_top() -> String {
    let mut s = String::from(
        "version: 1\nname: w\na0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 9].join(",");
        let _ = writeln!(s, "a{i}: &a{i} [{refs}]");
    }
    s
}

/// (file name, content, expected stderr line without the `error: file:` prefix... in full)
fn cases() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let s = |x: &str| x.as_bytes().to_vec();
    vec![
        (
            "alias-bomb-in-a-field.yaml",
            bomb_in_a_field().into_bytes(),
            "17:21: this alias would expand the spec past 1000000 nodes or 16777216 bytes; write the value out, or alias less",
        ),
        (
            "alias-bomb-at-the-top.yaml",
            bomb_at_the_top().into_bytes(),
            "9:10: this alias would expand the spec past 1000000 nodes or 16777216 bytes; write the value out, or alias less",
        ),
        (
            "10mb-string.yaml",
            format!(
                "version: 1\nname: w\ndescription: \"{}\"\n",
                "x".repeat(10_000_000)
            )
            .into_bytes(),
            "1:1: the file is 10000035 bytes; a spec may be at most 1048576 bytes",
        ),
        (
            "deep-flow-nesting.yaml",
            format!(
                "version: 1\nname: w\ntags: {}{}\n",
                "[".repeat(400_000),
                "]".repeat(400_000)
            )
            .into_bytes(),
            "3:262: the text nests too deep to be a spec (a spec nests about six levels)",
        ),
        (
            "deep-json-nesting.json",
            format!(
                "{{\"version\": 1, \"name\": \"w\", \"tags\": {}1{}}}",
                "{\"a\": ".repeat(100_000),
                "}".repeat(100_000)
            )
            .into_bytes(),
            "1:1561: the text nests too deep to be a spec (a spec nests about six levels)",
        ),
        (
            "10000-secrets.yaml",
            {
                let list = (0..10_000).fold(String::new(), |mut s, i| {
                    let _ = writeln!(s, "    - s{i}");
                    s
                });
                format!("version: 1\nname: w\nexecution_role:\n  secrets:\n{list}").into_bytes()
            },
            "3:1: `execution_role`: the task execution role's inline policy would be 799038 characters (whitespace not counted, at the longest partition and region names); IAM allows 10,240, so grant fewer resources, split the workload, or set `policy_layout: split` to move the statements beyond it into managed policies created beside the role",
        ),
        (
            "10000-tags.yaml",
            {
                let list = (0..10_000).fold(String::new(), |mut s, i| {
                    let _ = writeln!(s, "  t{i}: v");
                    s
                });
                format!("version: 1\nname: w\ntags:\n{list}").into_bytes()
            },
            "3:1: `tags`: 10000 tags; IAM allows at most 50 per role, remove some",
        ),
        (
            "nul-byte.yaml",
            s("version: 1\nname: w\0x\n"),
            "2:8: control characters are not allowed",
        ),
        (
            "escaped-nul-in-description.yaml",
            s("version: 1\nname: w\ndescription: \"a\\0b\"\n"),
            "3:14: `description`: description contains `\\u{0}` (U+0000), which IAM rejects; use printable ASCII or Latin-1 (e.g. `-` for a dash)",
        ),
        (
            "nul-in-a-tag.yaml",
            s("version: 1\nname: w\ntags: {team: \"a\\0\"}\n"),
            "3:14: `tags.team`: `a\\u{0}` contains `\\u{0}` (U+0000); IAM tags allow letters, digits, spaces and `_.:/=+-@`",
        ),
        (
            "invalid-utf8.yaml",
            b"version: 1\nname: w\ndescription: caf\xe9\n".to_vec(),
            "3:17: the file is not valid UTF-8; save it as UTF-8",
        ),
        (
            "utf16.yaml",
            {
                let mut v = vec![0xff, 0xfe];
                for u in "version: 1\nname: w\n".encode_utf16() {
                    v.extend(u.to_le_bytes());
                }
                v
            },
            "1:1: the file is not valid UTF-8; save it as UTF-8",
        ),
        (
            "name-with-dot-dot.yaml",
            s("version: 1\nname: ../../etc\n"),
            "2:7: `name`: `../../etc` is not a valid name; use letters, digits, `-` and `_` (it names the output folder and prefixes the role names)",
        ),
        (
            "name-with-slash.yaml",
            s("version: 1\nname: team/app\n"),
            "2:7: `name`: `team/app` is not a valid name; use letters, digits, `-` and `_` (it names the output folder and prefixes the role names)",
        ),
        (
            "kms-key-arn-of-secrets-manager.yaml",
            s(
                "version: 1\nname: w\ntask_role:\n  kms_keys: [\"arn:<partition>:secretsmanager:<region>:<account_id>:secret:k\"]\n",
            ),
            "4:14: `task_role.kms_keys[0]`: `arn:<partition>:secretsmanager:<region>:<account_id>:secret:k` is an ARN of service `secretsmanager`; expected a KMS key ARN",
        ),
        (
            "log-group-arn-of-s3.yaml",
            s(
                "version: 1\nname: w\nexecution_role:\n  logs:\n    groups: [\"arn:<partition>:s3:::bucket\"]\n",
            ),
            "5:14: `execution_role.logs.groups[0]`: `arn:<partition>:s3:::bucket` is an ARN of service `s3`; expected a CloudWatch Logs log group ARN",
        ),
        (
            "ecr-repository-of-another-service.yaml",
            s(
                "version: 1\nname: w\nexecution_role:\n  ecr:\n    repositories: [\"arn:<partition>:ecs:<region>:<account_id>:repository/web\"]\n",
            ),
            "5:20: `execution_role.ecr.repositories[0]`: `arn:<partition>:ecs:<region>:<account_id>:repository/web` is an ARN of service `ecs`; expected an ECR repository ARN",
        ),
        (
            "ssm-parameter-of-another-service.yaml",
            s(
                "version: 1\nname: w\nexecution_role:\n  ssm_parameters: [\"arn:<partition>:secretsmanager:<region>:<account_id>:parameter/x\"]\n",
            ),
            "4:20: `execution_role.ssm_parameters[0]`: `arn:<partition>:secretsmanager:<region>:<account_id>:parameter/x` is an ARN of service `secretsmanager`; expected an SSM parameter ARN",
        ),
        (
            "secret-arn-of-another-resource-type.yaml",
            s(
                "version: 1\nname: w\nexecution_role:\n  secrets: [\"arn:<partition>:secretsmanager:<region>:<account_id>:rotation:x\"]\n",
            ),
            "4:13: `execution_role.secrets[0]`: `arn:<partition>:secretsmanager:<region>:<account_id>:rotation:x` is the wrong kind of resource; expected a secret (`...:secret:<name>`)",
        ),
        (
            "boundary-arn-of-a-role.yaml",
            s(
                "version: 1\nname: w\npermissions_boundary: \"arn:<partition>:iam::<account_id>:role/admin\"\n",
            ),
            "3:23: `permissions_boundary`: `arn:<partition>:iam::<account_id>:role/admin` is the wrong kind of resource; expected an IAM policy (`...:policy/<name>`)",
        ),
        (
            "kms-alias-arn.yaml",
            s(
                "version: 1\nname: w\nexecution_role:\n  kms_keys: [\"arn:<partition>:kms:<region>:<account_id>:alias/app\"]\n",
            ),
            "4:14: `execution_role.kms_keys[0]`: `arn:<partition>:kms:<region>:<account_id>:alias/app` is a KMS alias; IAM policies cannot grant by alias, give the key id or key ARN",
        ),
        (
            "partition-typo-in-an-arn.yaml",
            s(
                "version: 1\nname: w\ndeployment: {partition: aws}\nexecution_role:\n  secrets: [\"arn:aws-eu:secretsmanager:eu-west-1:123456789012:secret:x\"]\n",
            ),
            "5:13: `execution_role.secrets[0]`: unknown partition `aws-eu`; did you mean `aws-cn`?",
        ),
        (
            "alias-gives-both-roles-one-name.yaml",
            s("version: 1\nname: w\ntask_role: &t {name: app}\nexecution_role: *t\n"),
            "4:17: `execution_role.name`: both roles are named `app`; give the task role and the execution role different names",
        ),
        (
            "merge-key.yaml",
            s("version: 1\nname: w\nbase: &b {name: x}\ntask_role:\n  <<: *b\n"),
            "3:1: unknown field `base` at the top level; did you mean `name`?",
        ),
        (
            "tab-indentation.yaml",
            s("version: 1\nname:\tw\n\ttask_role: {}\n"),
            "3:1: found a tab character that violates indentation, while scanning a plain scalar",
        ),
        (
            "two-documents.yaml",
            s("version: 1\nname: w\n---\nversion: 1\nname: v\n"),
            "1:1: the file holds more than one YAML document; a spec is one document, so remove the `---` and what follows",
        ),
        (
            "empty-file.yaml",
            s(""),
            "1:1: missing field `version`; add it",
        ),
        (
            "top-level-list.yaml",
            s("- 1\n- 2\n"),
            "1:1: invalid type: sequence, expected a mapping of fields",
        ),
        (
            "null-document.yaml",
            s("~\n"),
            "1:1: invalid type: unit value, expected a mapping of fields",
        ),
        (
            "binary-tag.yaml",
            s("version: 1\nname: !!binary aGVsbG8=\n"),
            "2:16: `name`: `aGVsbG8=` is not a valid name; use letters, digits, `-` and `_` (it names the output folder and prefixes the role names)",
        ),
        (
            "float-version.yaml",
            s("version: 1.0\nname: w\n"),
            "1:10: version: invalid type: floating point `1.0`, expected a whole number",
        ),
        (
            "negative-version.yaml",
            s("version: -1\nname: w\n"),
            "1:10: version: invalid type: integer `-1`, expected a whole number",
        ),
        (
            "huge-integer.yaml",
            s("version: 99999999999999999999999\nname: w\n"),
            "1:10: version: invalid type: integer `99999999999999999999999` as u128, expected a whole number",
        ),
        (
            "duplicate-condition-key.yaml",
            s(
                "version: 1\nname: w\ntask_role:\n  statements:\n    - actions: [s3:GetObject]\n      resources: \"*\"\n      conditions:\n        StringEquals:\n          aws:SourceVpce: vpce-1\n          aws:SourceVpce: vpce-2\n",
            ),
            "10:27: `task_role.statements[0].conditions.StringEquals.aws:SourceVpce` is given twice; keep one",
        ),
        (
            "access-as-a-string.yaml",
            s("version: 1\nname: w\ntask_role:\n  s3:\n    - bucket: stage\n      access: read\n"),
            "6:15: task_role.s3[0].access: invalid type: string \"read\", expected a sequence",
        ),
        (
            "complex-key.yaml",
            s("version: 1\nname: w\n? {a: 1}\n: x\n"),
            "3:3: invalid type: map, expected a field name",
        ),
        (
            "unknown-key-in-a-bucket.yaml",
            s(
                "version: 1\nname: w\ntask_role:\n  s3:\n    - bucket: stage\n      prefixes: [a/]\n",
            ),
            "6:7: unknown field `prefixes` in `task_role.s3[0]`; did you mean `prefix`?",
        ),
        (
            "boolean-for-a-list.yaml",
            s("version: 1\nname: w\nexecution_role:\n  secrets: true\n"),
            "4:12: execution_role.secrets: invalid type: boolean `true`, expected a sequence",
        ),
        (
            "string-for-a-mapping.yaml",
            s("version: 1\nname: w\ntask_role: app\n"),
            "3:12: task_role: invalid type: string \"app\", expected a mapping of fields",
        ),
        (
            "unclosed-quote.yaml",
            s("version: 1\nname: \"w\n"),
            "3:1: found unexpected end of stream, while scanning a quoted scalar",
        ),
        (
            "account-with-letters.yaml",
            s("version: 1\nname: w\ndeployment: {account_id: \"12345678901a\"}\n"),
            "3:26: `deployment.account_id`: `12345678901a` is not an AWS account id; write its 12 digits as a quoted string, e.g. \"123456789012\"",
        ),
        (
            "region-uppercase.yaml",
            s("version: 1\nname: w\ndeployment: {region: EU-WEST-1}\n"),
            "3:22: `deployment.region`: `EU-WEST-1` is not an AWS region name; write one such as `eu-west-1`",
        ),
        (
            "trust-service-typo.yaml",
            s(
                "version: 1\nname: w\ntask_role:\n  trust:\n    services: [ecs-task.amazonaws.com]\n",
            ),
            "5:16: `task_role.trust.services[0]`: `ecs-task.amazonaws.com` cannot assume an ECS role; did you mean `ecs-tasks.amazonaws.com`?",
        ),
        (
            "sid-with-space.yaml",
            s(
                "version: 1\nname: w\ntask_role:\n  statements:\n    - sid: \"Read All\"\n      actions: [s3:GetObject]\n      resources: \"*\"\n",
            ),
            "5:12: `task_role.statements[0].sid`: Sid `Read All` must be letters and digits only, e.g. `ReadAll`",
        ),
        (
            "effect-lowercase.yaml",
            s(
                "version: 1\nname: w\ntask_role:\n  statements:\n    - effect: allow\n      actions: [s3:GetObject]\n      resources: \"*\"\n",
            ),
            "5:15: unknown value `allow` for `task_role.statements[0].effect`; did you mean `Allow`?",
        ),
        (
            "acknowledge-blank.yaml",
            s(
                "version: 1\nname: w\ntask_role:\n  statements:\n    - actions: [s3:GetObject]\n      resources: \"*\"\n      acknowledge: \"  \"\n",
            ),
            "7:20: `task_role.statements[0].acknowledge`: `  ` is not a reason scanners can carry; write 1 to 500 printable ASCII characters (letters, digits, spaces, punctuation), not only spaces",
        ),
        (
            "acknowledge-newline.yaml",
            s(
                "version: 1\nname: w\ntask_role:\n  statements:\n    - actions: [s3:GetObject]\n      resources: \"*\"\n      acknowledge: \"one\\ntwo\"\n",
            ),
            "7:20: `task_role.statements[0].acknowledge`: `one\\ntwo` is not a reason scanners can carry; write 1 to 500 printable ASCII characters (letters, digits, spaces, punctuation), not only spaces",
        ),
        (
            "acknowledge-deny.yaml",
            s(
                "version: 1\nname: w\nexecution_role:\n  statements:\n    - effect: Deny\n      actions: [s3:*]\n      resources: \"*\"\n      acknowledge: never writes\n",
            ),
            "8:20: `execution_role.statements[0].acknowledge`: a `Deny` statement raises no wildcard finding; remove `acknowledge`",
        ),
        (
            "acknowledge-nothing.yaml",
            s(
                "version: 1\nname: w\ntask_role:\n  statements:\n    - actions: [s3:GetObject]\n      resources: \"arn:<partition>:s3:::b/report.csv\"\n      acknowledge: one report\n",
            ),
            "7:20: `task_role.statements[0].acknowledge`: the statement has no `*` in its actions or resources, so no finding to acknowledge; remove `acknowledge`",
        ),
        (
            "acknowledge-star-action.yaml",
            s(
                "version: 1\nname: w\ntask_role:\n  statements:\n    - actions: [\"*\"]\n      resources: \"arn:<partition>:s3:::b/*\"\n      acknowledge: everything\n",
            ),
            "7:20: `task_role.statements[0].acknowledge`: a statement allowing every action (`*`) cannot be acknowledged; list the actions the workload calls",
        ),
    ]
}

#[test]
fn hostile_specs_are_refused_cleanly() {
    let dir = Test::new().dir().to_owned();
    let cases = cases();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let mut failures = Vec::new();
    for (name, content, expected) in &cases {
        // A 1 GiB address-space limit: expanding an alias bomb or a
        // quadratic blow-up would hit it and fail the case.
        let run = Test::in_dir(&dir)
            .file(name, content)
            .args(["render", name, "--out", "out"])
            .address_space_limit_kib(1_048_576)
            .status(2)
            .stderr(format!("error: {name}:{expected}\n"))
            .try_run();
        match run {
            Err(message) => failures.push(format!("{name}: {message}")),
            Ok(out) if out.elapsed > Duration::from_secs(10) => {
                failures.push(format!("{name}: took {:?}", out.elapsed));
            }
            Ok(_) => {}
        }
    }
    assert!(!dir.join("out").exists(), "a refused spec wrote output");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_byte_order_mark_is_not_content() {
    Test::new()
        .file("bom.yaml", "\u{feff}version: 1\nname: bom\n")
        .args(["render", "bom.yaml"])
        .stdout("bom.yaml -> outputs/bom/ (9 files)\n")
        .run();
}
