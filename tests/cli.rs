//! The binary as users run it: exact messages, exit codes, and what is (not)
//! left on disk.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

fn ecs_iam(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ecs-iam"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

/// A fresh, empty working folder.
fn workdir() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "cli-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    if dir.exists() {
        common::read_folder(dir)
    } else {
        BTreeMap::new()
    }
}

const PREVIOUS: &str = "# previous output\n";

/// Each bad spec: its text, and the exact line on stderr. The spec is
/// written to `spec.yaml` (or `spec.json` when the text starts with `{`).
const BAD_SPECS: &[(&str, &str)] = &[
    (
        "version: 1\nname: w\nexecution_role:\n  kms_keys: [1234abcd-12ab-34cd-56ef-1234567890ab]\n",
        "error: spec.yaml:4:3: `execution_role.kms_keys`: the execution role decrypts only secrets and SSM parameters it injects, and lists neither; add `secrets` or `ssm_parameters`, or remove the keys",
    ),
    (
        "version: 1\nname: w\ntask_role:\n  secret:\n    list: true\n",
        "error: spec.yaml:4:3: unknown field `secret` in `task_role`; did you mean `secrets`?",
    ),
    (
        "version: 1\nname: w\nexecution_role:\n  ecr:\n    repos: [web]\n",
        "error: spec.yaml:5:5: unknown field `repos` in `execution_role.ecr`; expected one of `repositories`, `public`, `source_vpc`, `source_vpce`",
    ),
    (
        "{\"version\": 1, \"name\": \"w\", \"execution_role\": {\"logs\": {\"group\": []}}}",
        "error: spec.json:1:57: unknown field `group` in `execution_role.logs`; did you mean `groups`?",
    ),
    (
        "version: 1\nname: w\ntask_role:\n  max_session_duration: one hour\n",
        "error: spec.yaml:4:25: task_role.max_session_duration: invalid type: string \"one hour\", expected a whole number",
    ),
    (
        "version: 1\nname: w\ntask_role:\n  s3:\n    - bucket: b-1\n      access: [list, reed]\n",
        "error: spec.yaml:6:22: unknown value `reed` for `task_role.s3[0].access[1]`; did you mean `read`?",
    ),
    (
        "version: 1\nname: w\ntask_role:\n  statements:\n    - actions: 5\n      resources: \"*\"\n",
        "error: spec.yaml:5:16: task_role.statements[0].actions: invalid type: integer `5`, expected a string; quote the value",
    ),
    (
        "version: 1\ntask_role: {}\n",
        "error: spec.yaml:1:1: missing field `name`; add it",
    ),
    (
        "version: 2\nname: w\n",
        "error: spec.yaml:1:10: `version`: spec version 2 is not supported; this ecs-iam reads `version: 1`",
    ),
    (
        "version: 1\nname: w\nname: v\n",
        "error: spec.yaml:3:7: `name` is given twice; keep one",
    ),
    (
        "version: 1\nname: w\ntags:\n  team: a\n  team: b\n",
        "error: spec.yaml:5:9: `tags.team` is given twice; keep one",
    ),
    (
        "version: 1\nname: w\ntags: {team: a\n",
        "error: spec.yaml:4:1: did not find expected ',' or '}', while parsing a flow mapping",
    ),
    (
        "version: 1\nname: w\n  task_role: {}\n",
        "error: spec.yaml:3:12: mapping values are not allowed in this context",
    ),
    (
        "version: 1\nname: w\ntask_role: []\n",
        "error: spec.yaml:3:12: task_role: invalid type: sequence, expected a mapping of fields",
    ),
    (
        "version: 1\nname: ../w\n",
        "error: spec.yaml:2:7: `name`: `../w` is not a valid name; use letters, digits, `-` and `_` (it names the output folder and prefixes the role names)",
    ),
    (
        "version: 1\nname: payments-reconciliation-batch-worker-eu-west-1-blue-green\n",
        "error: spec.yaml:2:7: `name`: role name `payments-reconciliation-batch-worker-eu-west-1-blue-green-execution` is 67 characters; IAM allows at most 64, so shorten it",
    ),
    (
        "version: 1\nname: w\ntask_role:\n  name: this-role-name-is-definitely-longer-than-the-sixty-four-characters-iam-allows\n",
        "error: spec.yaml:4:9: `task_role.name`: role name `this-role-name-is-definitely-longer-than-the-sixty-four-characters-iam-allows` is 77 characters; IAM allows at most 64, so shorten it",
    ),
    (
        "version: 1\nname: w\ndeployment:\n  account_id: \"12345\"\n",
        "error: spec.yaml:4:15: `deployment.account_id`: `12345` is not an AWS account id; write its 12 digits as a quoted string, e.g. \"123456789012\"",
    ),
    (
        "version: 1\nname: w\ndeployment:\n  partition: aws-gov\n",
        "error: spec.yaml:4:14: `deployment.partition`: unknown partition `aws-gov`; did you mean `aws-cn`?",
    ),
    (
        "version: 1\nname: w\ndeployment:\n  partition: aws-cn\n  region: eu-west-1\n",
        "error: spec.yaml:5:11: `deployment.region`: region `eu-west-1` is not in partition `aws-cn`; fix `deployment.partition` or `deployment.region`",
    ),
    (
        "version: 1\nname: w\ntask_role:\n  statements:\n    - sid: Read\n      actions: [s3:GetObject]\n      resources: [\"*\"]\n    - sid: Read\n      actions: [s3:PutObject]\n      resources: [\"*\"]\n",
        "error: spec.yaml:8:12: `task_role.statements[1].sid`: Sid `Read` is used twice in this role's policy; Sids must be unique, rename one",
    ),
    (
        "version: 1\nname: w\ntask_role:\n  secrets:\n    read: [db]\n  statements:\n    - sid: ReadSecrets\n      actions: [s3:GetObject]\n      resources: [\"*\"]\n",
        "error: spec.yaml:7:12: `task_role.statements[0].sid`: Sid `ReadSecrets` is used twice in this role's policy; Sids must be unique, rename one",
    ),
    (
        "version: 1\nname: w\ntask_role:\n  statements:\n    - sid: read-all\n      actions: [s3:GetObject]\n      resources: [\"*\"]\n",
        "error: spec.yaml:5:12: `task_role.statements[0].sid`: Sid `read-all` must be letters and digits only, e.g. `readall`",
    ),
    (
        "version: 1\nname: w\ntask_role:\n  statements:\n    - actions: []\n      resources: [\"*\"]\n",
        "error: spec.yaml:5:7: `task_role.statements[0].actions`: `actions` is empty; list at least one",
    ),
    (
        "version: 1\nname: w\ntask_role:\n  statements:\n    - actions: [GetObject]\n      resources: [\"*\"]\n",
        "error: spec.yaml:5:17: `task_role.statements[0].actions[0]`: `GetObject` is not an IAM action; write `service:Action`, e.g. `s3:GetObject` (wildcards `*` and `?` allowed in the action part)",
    ),
    (
        "version: 1\nname: w\ndeployment: {partition: aws-cn}\ntask_role:\n  statements:\n    - actions: [s3:GetObject]\n      resources: [\"arn:aws:s3:::b/*\"]\n",
        "error: spec.yaml:7:19: `task_role.statements[0].resources[0]`: `arn:aws:s3:::b/*` is in partition `aws` but `deployment.partition` is `aws-cn`; write `arn:<partition>:...`",
    ),
    (
        "version: 1\nname: w\ntask_role:\n  statements:\n    - actions: [s3:GetObject]\n      resources: [\"arn:<partition>:s3:::b/*\"]\n      conditions:\n        StringEqual:\n          aws:SourceVpc: vpc-1\n",
        "error: spec.yaml:8:9: `task_role.statements[0].conditions.StringEqual`: `StringEqual` is not an IAM condition operator; did you mean `StringEquals`?",
    ),
    (
        "version: 1\nname: w\ntask_role:\n  secrets:\n    read: [\"arn:<partition>:ssm:<region>:<account_id>:parameter/db\"]\n",
        "error: spec.yaml:5:12: `task_role.secrets.read[0]`: `arn:<partition>:ssm:<region>:<account_id>:parameter/db` is an ARN of service `ssm`; expected a Secrets Manager secret ARN",
    ),
    (
        "version: 1\nname: w\ntask_role:\n  secrets:\n    read: [\"arn:<partition>:secretsmanager:<region>:<acct>:secret:db\"]\n",
        "error: spec.yaml:5:12: `task_role.secrets.read[0]`: `arn:<partition>:secretsmanager:<region>:<acct>:secret:db` is not a valid ARN; expected a Secrets Manager secret ARN",
    ),
    (
        "version: 1\nname: w\ntask_role:\n  kms_keys: [alias/app]\n",
        "error: spec.yaml:4:14: `task_role.kms_keys[0]`: `alias/app` is a KMS alias; IAM policies cannot grant by alias, give the key id or key ARN",
    ),
    (
        "version: 1\nname: w\ntask_role:\n  s3:\n    - bucket: arn:aws:s3:::stage\n",
        "error: spec.yaml:5:15: `task_role.s3[0].bucket`: `arn:aws:s3:::stage` is an ARN; write the bucket name only (ecs-iam builds the bucket and object ARNs)",
    ),
    (
        "version: 1\nname: w\ntask_role:\n  trust:\n    services: [ecs.amazonaws.com]\n",
        "error: spec.yaml:5:16: `task_role.trust.services[0]`: `ecs.amazonaws.com` cannot assume an ECS role; did you mean `ec2.amazonaws.com`?",
    ),
    (
        "version: 1\nname: w\nexecution_role:\n  trust:\n    services: [ec2.amazonaws.com]\n",
        "error: spec.yaml:5:5: `execution_role.trust.services`: the trusted services must include `ecs-tasks.amazonaws.com`, or ECS cannot assume the role",
    ),
    (
        "version: 1\nname: w\nexecution_role:\n  max_session_duration: 50000\n",
        "error: spec.yaml:4:25: `execution_role.max_session_duration`: 50000 seconds is outside IAM's range; use a value from 3600 to 43200",
    ),
    (
        "version: 1\nname: w\npath: ecs/\n",
        "error: spec.yaml:3:7: `path`: path `ecs/` is not an IAM path; write `/` or `/segment/.../` (printable ASCII, at most 512 characters)",
    ),
    (
        "version: 1\nname: w\ntags:\n  team: \"a#b\"\n",
        "error: spec.yaml:4:9: `tags.team`: `a#b` contains `#` (U+0023); IAM tags allow letters, digits, spaces and `_.:/=+-@`",
    ),
    (
        "version: 1\nname: w\ntags:\n  aws:team: a\n",
        "error: spec.yaml:4:13: `tags.aws:team`: tag key `aws:team` starts with `aws:`, which AWS reserves; choose another key",
    ),
    (
        "version: 1\nname: w\ndescription: Orders API — on Fargate\n",
        "error: spec.yaml:3:14: `description`: description contains `\\u{2014}` (U+2014), which IAM rejects; use printable ASCII or Latin-1 (e.g. `-` for a dash)",
    ),
    (
        "version: 1\nname: w\nexecution_role:\n  ecr:\n    source_vpce: vpce-0123456789abcdef0\n",
        "error: spec.yaml:4:3: `execution_role.ecr`: `repositories` (the VPC conditions apply to pulls from them) is empty; list at least one",
    ),
    (
        "version: 1\nname: w\nexecution_role:\n  ecr:\n    repositories: [web]\n    source_vpc: vpc-xyz\n",
        "error: spec.yaml:6:17: `execution_role.ecr.source_vpc`: `vpc-xyz` is not a valid VPC id; write it as `vpc-` and 8 or 17 hex digits",
    ),
    (
        "version: 1\nname: w\nexecution_role:\n  managed_policies: [AdministratorAccess]\n",
        "error: spec.yaml:4:22: `execution_role.managed_policies[0]`: `AdministratorAccess` is not an AWS managed policy ecs-iam knows; give the policy's full ARN (`arn:<partition>:iam::aws:policy/...`)",
    ),
    (
        "version: 1\nname: w\nexecution_role:\n  secrets: [\"my secret\"]\n",
        "error: spec.yaml:4:13: `execution_role.secrets[0]`: `my secret` is not a valid secret name; use letters, digits and `/_+=.@-`, or give the secret's ARN",
    ),
];

#[test]
fn bad_specs_exit_2_with_one_line_and_touch_nothing() {
    let mut failures = Vec::new();
    for (spec, expected) in BAD_SPECS {
        let dir = workdir();
        let file = if spec.starts_with('{') {
            "spec.json"
        } else {
            "spec.yaml"
        };
        fs::write(dir.join(file), spec).unwrap();
        // A previous rendering that must survive the failed run.
        fs::create_dir_all(dir.join("outputs/w")).unwrap();
        fs::write(dir.join("outputs/w/cloudformation.yaml"), PREVIOUS).unwrap();
        let before = snapshot(&dir.join("outputs"));
        let out = ecs_iam(&dir, &["render", file]);
        let stderr = text(&out.stderr);
        if out.status.code() != Some(2)
            || stderr != format!("{expected}\n")
            || !out.stdout.is_empty()
        {
            failures.push(format!(
                "spec:\n{spec}\nexpected: {expected}\n     got: {} (exit {:?})",
                stderr.trim_end(),
                out.status.code()
            ));
        }
        let after = snapshot(&dir.join("outputs"));
        assert!(
            after == before,
            "{spec}: outputs changed: {:?}",
            after.keys().collect::<Vec<_>>()
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn bad_files_exit_2() {
    let dir = workdir();
    fs::write(dir.join("latin1.yaml"), b"version: 1\nname: caf\xe9\n").unwrap();
    let out = ecs_iam(&dir, &["render", "latin1.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: latin1.yaml:2:10: the file is not valid UTF-8; save it as UTF-8\n"
    );
    let out = ecs_iam(&dir, &["render", "absent.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: cannot read `absent.yaml`: No such file or directory (os error 2)\n"
    );
    assert!(!dir.join("outputs").exists());
}

fn example(dir: &Path, name: &str) -> PathBuf {
    let src = common::root().join("examples").join(name);
    let dst = dir.join(name);
    fs::copy(src, &dst).unwrap();
    dst
}

#[test]
fn render_writes_every_file_and_reports_it() {
    let dir = workdir();
    example(&dir, "ecs-basic.yaml");
    let out = ecs_iam(&dir, &["render", "ecs-basic.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "ecs-basic.yaml -> outputs/ecs-basic/ (8 files)\n"
    );
    let files: Vec<String> = snapshot(&dir.join("outputs/ecs-basic"))
        .into_keys()
        .collect();
    assert_eq!(
        files,
        [
            "cdk/execution-role.json",
            "cdk/nag-acknowledgements.json",
            "cdk/task-role.json",
            "cloudformation.yaml",
            "terraform/main.tf",
            "terraform/outputs.tf",
            "terraform/variables.tf",
            "terraform/versions.tf",
        ]
    );
    // Nothing is left beside the output folder.
    let siblings: Vec<_> = fs::read_dir(dir.join("outputs"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(siblings, ["ecs-basic"]);
}

#[test]
fn render_refuses_to_replace_a_folder_holding_foreign_files() {
    let dir = workdir();
    example(&dir, "ecs-basic.yaml");
    fs::create_dir_all(dir.join("outputs/ecs-basic")).unwrap();
    fs::write(dir.join("outputs/ecs-basic/NOTES.md"), "mine\n").unwrap();
    let out = ecs_iam(&dir, &["render", "ecs-basic.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: `outputs/ecs-basic` holds `NOTES.md`, which ecs-iam does not generate; move it elsewhere or choose another --out\n"
    );
    assert_eq!(
        fs::read_to_string(dir.join("outputs/ecs-basic/NOTES.md")).unwrap(),
        "mine\n"
    );
}

#[test]
fn a_batch_with_one_bad_spec_writes_nothing() {
    let dir = workdir();
    example(&dir, "ecs-basic.yaml");
    fs::write(dir.join("bad.yaml"), "version: 1\nname: bad\npath: nope\n").unwrap();
    let out = ecs_iam(&dir, &["render", "ecs-basic.yaml", "bad.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!dir.join("outputs").exists());
    // Two specs with one name would share a folder.
    fs::write(dir.join("twin.yaml"), "version: 1\nname: ecs-basic\n").unwrap();
    let out = ecs_iam(&dir, &["render", "ecs-basic.yaml", "twin.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: `ecs-basic.yaml` and `twin.yaml` both have name `ecs-basic` and would write the same output folder; give each spec its own `name`\n"
    );
    assert!(!dir.join("outputs").exists());
}

#[test]
fn render_replaces_previous_output_whole() {
    let dir = workdir();
    example(&dir, "ecs-basic.yaml");
    assert_eq!(
        ecs_iam(&dir, &["render", "ecs-basic.yaml", "--out", "gen"])
            .status
            .code(),
        Some(0)
    );
    fs::write(dir.join("gen/ecs-basic/cloudformation.yaml"), PREVIOUS).unwrap();
    assert_eq!(
        ecs_iam(&dir, &["render", "ecs-basic.yaml", "--out", "gen"])
            .status
            .code(),
        Some(0)
    );
    let fresh = fs::read_to_string(dir.join("gen/ecs-basic/cloudformation.yaml")).unwrap();
    assert!(
        fresh.starts_with("# Generated by ecs-iam from ecs-basic.yaml."),
        "{fresh}"
    );
}

#[test]
fn render_takes_a_folder_of_specs() {
    let dir = workdir();
    fs::create_dir(dir.join("specs")).unwrap();
    for name in ["ecs-basic.yaml", "matillion-agent.yaml"] {
        fs::copy(
            common::root().join("examples").join(name),
            dir.join("specs").join(name),
        )
        .unwrap();
    }
    fs::write(dir.join("specs/README.txt"), "not a spec\n").unwrap();
    let out = ecs_iam(&dir, &["render", "specs"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "specs/ecs-basic.yaml -> outputs/ecs-basic/ (8 files)\nspecs/matillion-agent.yaml -> outputs/matillion-agent/ (8 files)\n"
    );
}

#[test]
fn diff_exit_codes() {
    let dir = workdir();
    example(&dir, "ecs-basic.yaml");
    // Nothing generated yet: every file is missing.
    let out = ecs_iam(&dir, &["diff", "ecs-basic.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("missing: outputs/ecs-basic/terraform/main.tf (the spec renders it)\n"),
        "{stdout}"
    );
    assert!(stdout.contains("execution role `ecs-basic-execution`:\n  + broadening  Allow ecr:BatchCheckLayerAvailability on arn:<partition>:ecr:<region>:<account_id>:repository/web\n"), "{stdout}");
    assert!(stdout.ends_with("`outputs/ecs-basic` differs from the spec `ecs-basic.yaml`: 0 changed, 8 missing, 0 extra files; IAM: 8 broadening, 0 narrowing, 0 neutral; run `ecs-iam render` to update it\n"), "{stdout}");

    assert_eq!(
        ecs_iam(&dir, &["render", "ecs-basic.yaml"]).status.code(),
        Some(0)
    );
    let out = ecs_iam(&dir, &["diff", "ecs-basic.yaml"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stdout),
        "`outputs/ecs-basic` is in sync with the spec `ecs-basic.yaml`\n"
    );

    // A hand edit: a grant widened to "*".
    let main_tf = dir.join("outputs/ecs-basic/terraform/main.tf");
    let edited = fs::read_to_string(&main_tf).unwrap().replacen(
        "\"arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:log-group:/ecs/web:*\"",
        "\"*\"",
        1,
    );
    fs::write(&main_tf, edited).unwrap();
    fs::write(dir.join("outputs/ecs-basic/extra.tf"), "# extra\n").unwrap();
    let out = ecs_iam(&dir, &["diff", "ecs-basic.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("--- a/terraform/main.tf\n+++ b/terraform/main.tf\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("\n-      \"*\",\n+      \"arn:${data.aws_partition"),
        "{stdout}"
    );
    assert!(stdout.contains("extra: outputs/ecs-basic/extra.tf (the spec does not render it)\n"));
    assert!(stdout.contains(
        "changed: outputs/ecs-basic/terraform/main.tf (edited by hand, or the spec changed)\n"
    ));
    // The hand edit is in Terraform only: CloudFormation, which the grant
    // comparison reads, still says what the spec says.
    assert!(
        stdout.ends_with("`outputs/ecs-basic` differs from the spec `ecs-basic.yaml`: 1 changed, 0 missing, 1 extra files; IAM: 0 broadening, 0 narrowing, 0 neutral; run `ecs-iam render` to update it\n"),
        "{stdout}"
    );

    // --against names another folder.
    let out = ecs_iam(&dir, &["diff", "ecs-basic.yaml", "--against", "elsewhere"]);
    assert_eq!(out.status.code(), Some(1));

    // A bad spec cannot be compared.
    fs::write(dir.join("bad.yaml"), "version: 1\n").unwrap();
    let out = ecs_iam(&dir, &["diff", "bad.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: bad.yaml:1:1: missing field `name`; add it\n"
    );
}

#[test]
fn init_writes_a_preset_once() {
    let dir = workdir();
    let out = ecs_iam(&dir, &["init", "--preset", "matillion-agent"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        fs::read_to_string(dir.join("matillion-agent.yaml")).unwrap(),
        fs::read_to_string(common::root().join("examples/matillion-agent.yaml")).unwrap()
    );
    let out = ecs_iam(&dir, &["init", "--preset", "matillion-agent"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: `matillion-agent.yaml` already exists; remove it or pass --output with another path\n"
    );
    let out = ecs_iam(&dir, &["init", "--preset", "ecs-basics"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: unknown preset `ecs-basics`; did you mean `ecs-basic`?\n"
    );
    // The default preset, to stdout, renders.
    let out = ecs_iam(&dir, &["init", "--output", "-"]);
    assert_eq!(out.status.code(), Some(0));
    fs::write(dir.join("basic.yaml"), &out.stdout).unwrap();
    assert_eq!(
        ecs_iam(&dir, &["render", "basic.yaml"]).status.code(),
        Some(0)
    );
}

#[test]
fn schema_describes_every_field() {
    let dir = workdir();
    let out = ecs_iam(&dir, &["schema"]);
    assert_eq!(out.status.code(), Some(0));
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(schema["additionalProperties"], false);
    let top: Vec<&String> = schema["properties"].as_object().unwrap().keys().collect();
    for field in [
        "version",
        "name",
        "deployment",
        "path",
        "permissions_boundary",
        "tags",
        "task_role",
        "execution_role",
    ] {
        assert!(
            top.iter().any(|k| *k == field),
            "{field} missing from the schema"
        );
    }
    let task = &schema["$defs"]["TaskRoleSpec"]["properties"];
    for field in [
        "name",
        "trust",
        "secrets",
        "kms_keys",
        "s3",
        "managed_policies",
        "statements",
        "max_session_duration",
    ] {
        assert!(
            task.get(field).is_some(),
            "task_role.{field} missing from the schema"
        );
    }
    let acknowledge = &schema["$defs"]["StatementSpec"]["properties"]["acknowledge"];
    assert!(
        acknowledge["description"]
            .as_str()
            .is_some_and(|d| d.starts_with("Why this `Allow` statement needs its wildcards")),
        "statements[].acknowledge missing from the schema: {acknowledge}"
    );
}

#[test]
fn templates_can_be_overridden_and_context_shown() {
    let dir = workdir();
    example(&dir, "ecs-basic.yaml");
    fs::create_dir_all(dir.join("tpl/cdk")).unwrap();
    fs::write(
        dir.join("tpl/cdk/role.json.tera"),
        "{\"roleName\": {{ role.name | json }}}\n",
    )
    .unwrap();
    let out = ecs_iam(&dir, &["render", "ecs-basic.yaml", "--templates", "tpl"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        fs::read_to_string(dir.join("outputs/ecs-basic/cdk/task-role.json")).unwrap(),
        "{\"roleName\": \"ecs-basic-task\"}\n"
    );
    // The other templates stay built in.
    assert!(
        fs::read_to_string(dir.join("outputs/ecs-basic/cloudformation.yaml"))
            .unwrap()
            .contains("TaskExecutionRole:")
    );

    fs::write(dir.join("tpl/cloudformation.yml.tera"), "x").unwrap();
    let out = ecs_iam(&dir, &["render", "ecs-basic.yaml", "--templates", "tpl"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr)
            .starts_with("error: `tpl/cloudformation.yml.tera`: is not a template ecs-iam uses;")
    );

    let out = ecs_iam(&dir, &["render", "ecs-basic.yaml", "--context"]);
    assert_eq!(out.status.code(), Some(0));
    let ctx: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ctx["roles"][1]["name"], "ecs-basic-execution");
    assert_eq!(
        ctx["roles"][1]["policy"]["statements"][1]["resources"][0][1]["ref"],
        "partition"
    );
}

#[test]
fn a_broken_template_is_an_error_not_a_panic() {
    let dir = workdir();
    example(&dir, "ecs-basic.yaml");
    fs::create_dir_all(dir.join("tpl")).unwrap();
    fs::write(
        dir.join("tpl/cloudformation.yaml.tera"),
        "{{ roles | cfn }}",
    )
    .unwrap();
    let out = ecs_iam(&dir, &["render", "ecs-basic.yaml", "--templates", "tpl"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("error: template `cloudformation.yaml.tera`: "),
        "{stderr}"
    );
    assert!(
        stderr.contains("this filter takes a string, a text or a number"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1);
    assert!(!dir.join("outputs").exists());
}

#[test]
fn diff_of_two_folders_fails_on_broadening_only_when_asked() {
    let dir = workdir();
    let spec = example(&dir, "matillion-agent.yaml");
    let base = fs::read_to_string(&spec).unwrap();
    assert_eq!(
        ecs_iam(&dir, &["render", "matillion-agent.yaml", "--out", "base"])
            .status
            .code(),
        Some(0)
    );

    // Narrowing only: the staging bucket loses delete and acl.
    fs::write(
        &spec,
        base.replace(
            "access: [list, read, write, delete, acl]",
            "access: [list, read, write]",
        ),
    )
    .unwrap();
    assert_eq!(
        ecs_iam(&dir, &["render", "matillion-agent.yaml", "--out", "narrow"])
            .status
            .code(),
        Some(0)
    );
    let args = [
        "diff",
        "--old",
        "base/matillion-agent",
        "--new",
        "narrow/matillion-agent",
    ];
    assert_eq!(ecs_iam(&dir, &args).status.code(), Some(1));
    let out = ecs_iam(
        &dir,
        &[&args[..], &["--fail-on", "broadening", "--format", "json"]].concat(),
    );
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["broadening"], 0);
    assert_eq!(report["summary"]["narrowing"], 3);
    assert_eq!(report["roles"][0]["changes"][0]["kind"], "grant");

    // Broadening: a custom statement on "*".
    fs::write(
        &spec,
        format!("{base}  statements:\n    - actions: [sqs:SendMessage]\n      resources: \"*\"\n"),
    )
    .unwrap();
    assert_eq!(
        ecs_iam(&dir, &["render", "matillion-agent.yaml", "--out", "wide"])
            .status
            .code(),
        Some(0)
    );
    let args = [
        "diff",
        "--old",
        "base/matillion-agent",
        "--new",
        "wide/matillion-agent",
    ];
    let out = ecs_iam(&dir, &[&args[..], &["--fail-on", "broadening"]].concat());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("  + broadening  Allow sqs:SendMessage on *\n"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(
        ecs_iam(&dir, &[&args[..], &["--fail-on", "never"]].concat())
            .status
            .code(),
        Some(0)
    );
    let md = text(&ecs_iam(&dir, &[&args[..], &["--format", "markdown"]].concat()).stdout);
    assert!(
        md.starts_with("### ecs-iam: ⚠️ **Access grows**: 1 broadening, 0 narrowing, 1 neutral\n"),
        "{md}"
    );

    // A workload new in the change: everything it grants is broadening.
    let out = ecs_iam(
        &dir,
        &[
            "diff",
            "--old",
            "base/none",
            "--new",
            "wide/matillion-agent",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["narrowing"], 0);
    assert!(report["summary"]["broadening"].as_u64().unwrap() > 10);

    // --new must exist; --old and a spec exclude each other.
    assert_eq!(
        ecs_iam(
            &dir,
            &["diff", "--old", "base/matillion-agent", "--new", "nowhere"]
        )
        .status
        .code(),
        Some(2)
    );
    assert_eq!(
        ecs_iam(
            &dir,
            &["diff", "matillion-agent.yaml", "--old", "a", "--new", "b"]
        )
        .status
        .code(),
        Some(2)
    );
}

#[test]
fn completions_cover_every_command() {
    let dir = workdir();
    for shell in ["bash", "zsh", "fish"] {
        let out = ecs_iam(&dir, &["completions", shell]);
        assert_eq!(out.status.code(), Some(0));
        let script = text(&out.stdout);
        for command in ["render", "diff", "check", "explain", "init", "schema"] {
            assert!(
                script.contains(command),
                "{shell} completion lacks {command}"
            );
        }
    }
    assert_eq!(
        ecs_iam(&dir, &["completions", "tcsh"]).status.code(),
        Some(2)
    );
}

#[test]
fn paths_that_are_not_folders_are_refused() {
    let dir = workdir();
    example(&dir, "ecs-basic.yaml");
    fs::write(dir.join("not-a-folder"), "x\n").unwrap();
    let out = ecs_iam(
        &dir,
        &["render", "ecs-basic.yaml", "--templates", "not-a-folder"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: `not-a-folder`: is not a folder of templates\n"
    );
    let out = ecs_iam(
        &dir,
        &["diff", "ecs-basic.yaml", "--against", "not-a-folder"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: `not-a-folder`: is not a folder\n"
    );
    let out = ecs_iam(
        &dir,
        &["diff", "--old", "not-a-folder", "--new", "not-a-folder"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: `not-a-folder`: is not a folder of generated output\n"
    );
    assert!(!dir.join("outputs").exists());
}
