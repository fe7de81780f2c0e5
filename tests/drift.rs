//! `ecs-iam drift` against a real IAM API: moto's server, driven by the AWS
//! CLI as users drive IAM. Each case renders its own spec, creates the
//! roles from the rendering (`create-role`, `put-role-policy`,
//! `attach-role-policy`, `put-role-permissions-boundary`, `tag-role`),
//! changes them the way people do by hand, dumps the account with `aws iam
//! get-account-authorization-details`, and checks drift's exact report.
//!
//! The tools come from `conformance/setup.sh` (moto from PyPI, the AWS CLI
//! from PyPI `awscli`): ignored by a plain `cargo test`, run by
//! `cargo test -- --include-ignored` (`.ci/run`).
//!
//! The roles are created through the IAM API, not by deploying
//! `cloudformation.yaml`: moto 5.2.5's CloudFormation stores inline
//! policies as Python's repr of the document, which no real account holds
//! (see `conformance/check.py`).

mod common;

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::Test;
use serde_json::Value;

const ACCOUNT: &str = "123456789012";
const REGION: &str = "us-east-1";

struct Moto {
    child: Child,
    port: u16,
    tools: PathBuf,
}

impl Moto {
    fn start() -> Moto {
        let tools = common::conformance_tools();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(tools.join("venv/bin/moto_server"))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env("MOTO_ACCOUNT_ID", ACCOUNT)
            .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server starts");
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "moto did not start in 60 s");
            std::thread::sleep(Duration::from_millis(200));
        }
        Moto { child, port, tools }
    }

    /// Run `aws ARGS...` against the server; its standard output.
    fn aws(&self, args: &[&str]) -> String {
        let out = Command::new(self.tools.join("awscli-venv/bin/aws"))
            .args(args)
            .args(["--output", "json"])
            .env(
                "AWS_ENDPOINT_URL",
                format!("http://127.0.0.1:{}", self.port),
            )
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_DEFAULT_REGION", REGION)
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .output()
            .expect("aws runs");
        assert!(
            out.status.success(),
            "aws {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// `get-account-authorization-details` into `dir/dump.json`.
    fn dump(&self, dir: &Path) -> PathBuf {
        let path = dir.join("dump.json");
        std::fs::write(
            &path,
            self.aws(&["iam", "get-account-authorization-details"]),
        )
        .unwrap();
        path
    }

    /// `aws iam attach-role-policy`.
    fn attach(&self, role: &str, arn: &str) {
        self.aws(&[
            "iam",
            "attach-role-policy",
            "--role-name",
            role,
            "--policy-arn",
            arn,
        ]);
    }

    /// Create the roles of a rendering through the IAM API, as `deploy`
    /// would: the CDK JSON (`CfnRoleProps`) with the deployment's values
    /// put in for `Fn::Sub`.
    fn deploy(&self, rendered: &Path) {
        for file in ["task-role.json", "execution-role.json"] {
            let props = resolve(
                &serde_json::from_str(
                    &std::fs::read_to_string(rendered.join("cdk").join(file)).unwrap(),
                )
                .unwrap(),
            );
            let name = props["roleName"].as_str().unwrap();
            let trust = props["assumeRolePolicyDocument"].to_string();
            let mut create = vec![
                "iam",
                "create-role",
                "--role-name",
                name,
                "--assume-role-policy-document",
                &trust,
            ];
            let boundary = props["permissionsBoundary"].as_str().map(str::to_owned);
            if let Some(b) = &boundary {
                create.extend(["--permissions-boundary", b]);
            }
            self.aws(&create);
            for p in props["policies"].as_array().into_iter().flatten() {
                self.aws(&[
                    "iam",
                    "put-role-policy",
                    "--role-name",
                    name,
                    "--policy-name",
                    p["policyName"].as_str().unwrap(),
                    "--policy-document",
                    &p["policyDocument"].to_string(),
                ]);
            }
            // The policies created beside a split role
            // (`cdk/<role>-policies.json`, `CfnManagedPolicyProps`).
            let created = rendered
                .join("cdk")
                .join(file.replace(".json", "-policies.json"));
            if let Ok(text) = std::fs::read_to_string(&created) {
                let list = resolve(&serde_json::from_str(&text).unwrap());
                for p in list.as_array().unwrap() {
                    let policy_name = p["managedPolicyName"].as_str().unwrap();
                    self.aws(&[
                        "iam",
                        "create-policy",
                        "--policy-name",
                        policy_name,
                        "--policy-document",
                        &p["policyDocument"].to_string(),
                    ]);
                    self.attach(
                        name,
                        &format!("arn:aws:iam::{ACCOUNT}:policy/{policy_name}"),
                    );
                }
            }
            for arn in props["managedPolicyArns"].as_array().into_iter().flatten() {
                self.attach(name, arn.as_str().unwrap());
            }
        }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `{"Fn::Sub": "..."}` with this account's values; `${!` is a literal `${`.
fn resolve(v: &Value) -> Value {
    match v {
        Value::Object(o) if o.len() == 1 && o.contains_key("Fn::Sub") => Value::String(
            o["Fn::Sub"]
                .as_str()
                .unwrap()
                .replace("${AWS::Partition}", "aws")
                .replace("${AWS::Region}", REGION)
                .replace("${AWS::AccountId}", ACCOUNT)
                .replace("${!", "${"),
        ),
        Value::Object(o) if o.len() == 1 && o.contains_key("managedPolicyRef") => {
            resolve(&o["managedPolicyRef"]["policyArn"])
        }
        Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), resolve(v))).collect()),
        Value::Array(a) => Value::Array(a.iter().map(resolve).collect()),
        other => other.clone(),
    }
}

/// A spec of the roles people run: a boundary, an AWS managed policy on the
/// task role, ECR and logs on the execution role.
fn spec(name: &str) -> String {
    format!(
        "version: 1
name: {name}
permissions_boundary: team-boundary
task_role:
  managed_policies: [AmazonS3ReadOnlyAccess]
  secrets:
    read: [{name}/db]
execution_role:
  ecr:
    repositories: [{name}]
  logs:
    groups: [/ecs/{name}]
"
    )
}

#[test]
#[ignore = "installs moto and the AWS CLI (PyPI); run with `cargo test -- --include-ignored`"]
fn drift_finds_what_people_change_by_hand_in_a_real_iam_api() {
    let moto = Moto::start();
    moto.aws(&[
        "iam",
        "create-policy",
        "--policy-name",
        "team-boundary",
        "--policy-document",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    ]);
    let cases = [
        "fresh",
        "console",
        "widened",
        "unbounded",
        "detached",
        "deleted",
        "trusted",
    ];
    let t = Test::new();
    let dir = t.dir().to_owned();
    for case in cases {
        std::fs::write(dir.join(format!("{case}.yaml")), spec(case)).unwrap();
    }
    let mut render = vec!["render".to_owned()];
    render.extend(cases.iter().map(|c| format!("{c}.yaml")));
    render.extend(["--out".to_owned(), "out".to_owned()]);
    Test::in_dir(&dir).args(&render).run();
    for case in cases {
        moto.deploy(&dir.join("out").join(case));
    }

    // What people do in the console.
    let added = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
    moto.aws(&[
        "iam",
        "put-role-policy",
        "--role-name",
        "console-task",
        "--policy-name",
        "console-added",
        "--policy-document",
        added,
    ]);
    let widened = r#"{"Version":"2012-10-17","Statement":[{"Sid":"EcrAuthorizationToken","Effect":"Allow","Action":["ecr:GetAuthorizationToken"],"Resource":["*"]},{"Sid":"EcrPull","Effect":"Allow","Action":["ecr:BatchCheckLayerAvailability","ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"],"Resource":["arn:aws:ecr:us-east-1:123456789012:repository/widened"]},{"Sid":"Logs","Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":["*"]}]}"#;
    moto.aws(&[
        "iam",
        "put-role-policy",
        "--role-name",
        "widened-execution",
        "--policy-name",
        "widened-execution-policy",
        "--policy-document",
        widened,
    ]);
    moto.aws(&[
        "iam",
        "delete-role-permissions-boundary",
        "--role-name",
        "unbounded-task",
    ]);
    moto.aws(&[
        "iam",
        "detach-role-policy",
        "--role-name",
        "detached-task",
        "--policy-arn",
        "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
    ]);
    moto.aws(&[
        "iam",
        "delete-role-policy",
        "--role-name",
        "deleted-execution",
        "--policy-name",
        "deleted-execution-policy",
    ]);
    moto.aws(&["iam", "delete-role", "--role-name", "deleted-execution"]);
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Sid":"EcsTasksAssumeRole","Effect":"Allow","Principal":{"Service":["ecs-tasks.amazonaws.com"]},"Action":["sts:AssumeRole"]},{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}"#;
    moto.aws(&[
        "iam",
        "update-assume-role-policy",
        "--role-name",
        "trusted-execution",
        "--policy-document",
        trust,
    ]);
    let dump = moto.dump(&dir);

    let arn = |role: &str| format!("arn:aws:iam::{ACCOUNT}:role/{role}");
    let bound = "<account_id> = 123456789012, <partition> = aws, <region> = us-east-1";
    let matches = |case: &str, role: &str, kind: &str| {
        format!(
            "{case}.yaml: {kind} role `{case}-{role}`: matches {} in {}, compared with {bound}\n",
            arn(&format!("{case}-{role}")),
            ecs_iam::escape::path(&dump)
        )
    };
    let differs = |case: &str, role: &str, kind: &str, lines: &str| {
        format!(
            "{case}.yaml: {kind} role `{case}-{role}`: differs from {} in {}, compared with {bound}:\n{lines}",
            arn(&format!("{case}-{role}")),
            ecs_iam::escape::path(&dump)
        )
    };
    let summary = |matching: usize,
                   drifted: usize,
                   missing: usize,
                   b: usize,
                   n: usize,
                   z: usize| {
        format!(
            "drift: 2 roles: {matching} match, {drifted} drifted, {missing} missing; IAM: {b} broadening, {n} narrowing, {z} neutral\n"
        )
    };
    let run = |case: &str, stdout: String, status: i32| {
        Test::in_dir(&dir)
            .args(["drift", &format!("{case}.yaml"), "--deployed"])
            .args([dump.as_os_str()])
            .stdout(stdout)
            .status(status)
            .run();
    };

    // A fresh deploy of the rendering: no drift.
    run(
        "fresh",
        matches("fresh", "task", "task")
            + &matches("fresh", "execution", "execution")
            + &summary(2, 0, 0, 0, 0, 0),
        0,
    );
    // The fresh roles adopted into a spec: it renders them as deployed.
    let fresh = |role: &str| format!("{}#fresh-{role}", ecs_iam::escape::path(&dump));
    Test::in_dir(&dir)
        .args(["init", "--from-role", &fresh("task"), "--from-role", &fresh("execution")])
        .args(["--output", "adopted.yaml"])
        .stdout(format!(
            "wrote adopted.yaml (from the roles `{}` and `{}`); render it with `ecs-iam render adopted.yaml`\n",
            fresh("task"),
            fresh("execution")
        ))
        .run();
    Test::in_dir(&dir)
        .args(["drift", "adopted.yaml", "--deployed"])
        .args([dump.as_os_str()])
        .stdout(
            (matches("fresh", "task", "task") + &matches("fresh", "execution", "execution"))
                .replace("fresh.yaml:", "adopted.yaml:")
                .replace(&format!(", compared with {bound}"), "")
                + &summary(2, 0, 0, 0, 0, 0),
        )
        .run();

    // A statement added in the console.
    run(
        "console",
        differs(
            "console",
            "task",
            "task",
            "  + broadening  Allow s3:* on *\n  ~ neutral     statements 1 -> 2; Sids removed: none; added: (no Sid)\n  ~ neutral     inline policy renamed console-task-policy -> console-added,console-task-policy\n",
        ) + &matches("console", "execution", "execution")
            + &summary(1, 1, 0, 1, 0, 2),
        1,
    );
    // A resource widened to "*".
    run(
        "widened",
        matches("widened", "task", "task")
            + &differs(
                "widened",
                "execution",
                "execution",
                // As `diff` shows a widening: the wider grant added, the
                // narrower one it covers removed at no loss.
                "  + broadening  Allow logs:CreateLogStream on *\n  + broadening  Allow logs:PutLogEvents on *\n  - neutral     Allow logs:CreateLogStream on arn:aws:logs:us-east-1:123456789012:log-group:/ecs/widened:*\n  - neutral     Allow logs:PutLogEvents on arn:aws:logs:us-east-1:123456789012:log-group:/ecs/widened:*\n",
            )
            + &summary(1, 1, 0, 2, 0, 2),
        1,
    );
    // The boundary removed.
    run(
        "unbounded",
        differs(
            "unbounded",
            "task",
            "task",
            "  - broadening  permissions boundary arn:aws:iam::123456789012:policy/team-boundary -> none\n",
        ) + &matches("unbounded", "execution", "execution")
            + &summary(1, 1, 0, 1, 0, 0),
        1,
    );
    // A managed policy detached: the deploy is narrower than the spec.
    run(
        "detached",
        differs(
            "detached",
            "task",
            "task",
            "  - narrowing   managed policy arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess\n",
        ) + &matches("detached", "execution", "execution")
            + &summary(1, 1, 0, 0, 1, 0),
        1,
    );
    // A role deleted: never a pass.
    run(
        "deleted",
        matches("deleted", "task", "task")
            + &format!(
                "deleted.yaml: execution role `deleted-execution`: not deployed: no role of that name with path `/` in {}\n",
                ecs_iam::escape::path(&dump)
            )
            + &summary(1, 0, 1, 0, 0, 0),
        1,
    );
    Test::in_dir(&dir)
        .args(["drift", "deleted.yaml", "--fail-on", "never", "--deployed"])
        .args([dump.as_os_str()])
        .status(1)
        .run();
    // Another account's root trusted.
    run(
        "trusted",
        matches("trusted", "task", "task")
            + &differs(
                "trusted",
                "execution",
                "execution",
                "  + broadening  trust Allow sts:AssumeRole by arn:aws:iam::111122223333:root\n",
            )
            + &summary(1, 1, 0, 1, 0, 0),
        1,
    );
}

/// A split role (`policy_layout: split`, the golden case) deployed through
/// the IAM API with the policies created beside it: the dump's customer
/// managed policies are read as the role's grants, `init --from-role`
/// adopts it as split, and a created policy detached is narrowing.
#[test]
#[ignore = "installs moto and the AWS CLI (PyPI); run with `cargo test -- --include-ignored`"]
fn a_split_role_in_a_real_iam_api_is_one_role_with_its_created_policies() {
    let moto = Moto::start();
    let t = Test::new().copy_as("tests/golden/split-task-role/spec.yaml", "split.yaml");
    let dir = t.dir().to_owned();
    Test::in_dir(&dir)
        .args(["render", "split.yaml", "--out", "out"])
        .run();
    moto.deploy(&dir.join("out/orders-batch"));
    let dump = moto.dump(&dir);
    let shown = ecs_iam::escape::path(&dump);
    let matches = |spec: &str, role: &str, kind: &str, bound: bool| {
        format!(
            "{spec}: {kind} role `orders-batch-{role}`: matches arn:aws:iam::{ACCOUNT}:role/orders-batch-{role} in {shown}{}\n",
            if bound {
                ", compared with <account_id> = 123456789012, <partition> = aws, <region> = us-east-1"
            } else {
                ""
            }
        )
    };
    let summary = "drift: 2 roles: 2 match, 0 drifted, 0 missing; IAM: 0 broadening, 0 narrowing, 0 neutral\n";
    Test::in_dir(&dir)
        .args(["drift", "split.yaml", "--deployed"])
        .args([dump.as_os_str()])
        .stdout(
            matches("split.yaml", "task", "task", true)
                + &matches("split.yaml", "execution", "execution", true)
                + summary,
        )
        .run();
    let from = |role: &str| format!("{shown}#orders-batch-{role}");
    Test::in_dir(&dir)
        .args([
            "init",
            "--from-role",
            &from("task"),
            "--from-role",
            &from("execution"),
        ])
        .args(["--output", "adopted.yaml"])
        .stdout_contains("wrote adopted.yaml")
        .run();
    let adopted = std::fs::read_to_string(dir.join("adopted.yaml")).unwrap();
    assert!(adopted.contains("policy_layout: split"), "{adopted}");
    // The same grants. The adopted spec pins the dump's partition, so its
    // ARNs say `aws` where the template says `${AWS::Partition}`: shorter,
    // the inline policy holds more of them, and the rest fill the created
    // policy otherwise. Moves between policies only: neutral, which
    // `--fail-on broadening` lets pass.
    let out = Test::in_dir(&dir)
        .args([
            "drift",
            "adopted.yaml",
            "--fail-on",
            "broadening",
            "--deployed",
        ])
        .args([dump.as_os_str()])
        .stdout_contains(matches("adopted.yaml", "execution", "execution", false))
        .stdout_contains("IAM: 0 broadening, 0 narrowing, ")
        .run();
    let changes: Vec<&str> = out.stdout.lines().filter(|l| l.starts_with("  ")).collect();
    assert!(!changes.is_empty(), "{}", out.stdout);
    for line in changes {
        assert!(
            line.starts_with("  ~ neutral     statement ")
                && line.contains(" moved from policy orders-batch-task-policy"),
            "{line}"
        );
    }
    // The created policy detached by hand: its grants are gone.
    moto.aws(&[
        "iam",
        "detach-role-policy",
        "--role-name",
        "orders-batch-task",
        "--policy-arn",
        &format!("arn:aws:iam::{ACCOUNT}:policy/orders-batch-task-policy-2"),
    ]);
    let dump = moto.dump(&dir);
    let out = Test::in_dir(&dir)
        .args(["drift", "split.yaml", "--deployed"])
        .args([dump.as_os_str()])
        .status(1)
        .stdout_contains("narrowing   Allow s3:ListBucket on arn:aws:s3:::orders-audit")
        .stdout_contains("drift: 2 roles: 1 match, 1 drifted, 0 missing; IAM: 0 broadening,")
        .run();
    assert!(!out.stdout.contains("broadening  "), "{}", out.stdout);
}

/// The raw API's shape (documents URL-encoded), in another region, with a
/// statement added by hand and AWS's broad execution policy attached:
/// `tests/drift/raw-api-eu-west-1.json`, written by hand.
#[test]
fn a_raw_api_dump_binds_the_region_and_shows_what_was_added() {
    let dump = common::root().join("tests/drift/raw-api-eu-west-1.json");
    let shown = ecs_iam::escape::path(&dump);
    Test::new()
        .copy_as("examples/ecs-basic.yaml", "ecs-basic.yaml")
        .args(["drift", "ecs-basic.yaml", "--deployed"])
        .args([dump.as_os_str()])
        .stdout(format!(
            "ecs-basic.yaml: task role `ecs-basic-task`: matches arn:aws:iam::123456789012:role/ecs-basic-task in {shown}, compared with <account_id> = 123456789012, <partition> = aws, <region> = eu-west-1
ecs-basic.yaml: execution role `ecs-basic-execution`: differs from arn:aws:iam::123456789012:role/ecs-basic-execution in {shown}, compared with <account_id> = 123456789012, <partition> = aws, <region> = eu-west-1:
  + broadening  Allow s3:* on *
  + broadening  managed policy arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy
  ~ neutral     statements 3 -> 4; Sids removed: none; added: (no Sid)
  ~ neutral     inline policy renamed ecs-basic-execution-policy -> console-added,ecs-basic-execution-policy
drift: 2 roles: 1 match, 1 drifted, 0 missing; IAM: 2 broadening, 0 narrowing, 2 neutral
"
        ))
        .status(1)
        .run();
    // Only broadening fails with --fail-on broadening; JSON says the same.
    let out = Test::new()
        .copy_as("examples/ecs-basic.yaml", "ecs-basic.yaml")
        .args(["drift", "ecs-basic.yaml", "--format", "json", "--deployed"])
        .args([dump.as_os_str()])
        .status(1)
        .run();
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["kind"], "drift");
    assert_eq!(v["in_sync"], false);
    assert_eq!(v["summary"]["broadening"], 2);
    assert_eq!(v["roles"][1]["changes"][0]["class"], "broadening");
}

#[test]
fn bad_dumps_are_refused_at_their_position() {
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"s3:*","Resource":"*"}]}"#;
    let role = |document: &str| {
        format!(
            r#"{{"RoleDetailList": [
  {{"Path": "/", "RoleName": "r", "Arn": "arn:aws:iam::123456789012:role/r",
   "AssumeRolePolicyDocument": {{"Version": "2012-10-17", "Statement": []}},
   "RolePolicyList": [{{"PolicyName": "p", "PolicyDocument": {document}}}]}}
]}}
"#
        )
    };
    // A Terraform plan whose role name is known only after apply.
    let plan = r#"{"format_version": "1.2", "planned_values": {"root_module": {"resources": [
  {"address": "aws_iam_role.task", "type": "aws_iam_role", "name": "task",
   "values": {"assume_role_policy": "{}"}}
]}}}
"#;
    for (text, message) in [
        (
            plan.to_owned(),
            "error: d.json:3:4: `planned_values.root_module.resources[0].values.name`: is missing or unknown until apply\n",
        ),
        (
            "{\"RoleDetailList\": [\n".to_owned(),
            "error: d.json:2:1: the file is not JSON (EOF while parsing a list); give what `aws iam get-account-authorization-details` prints\n",
        ),
        (
            "{\"Roles\": []}\n".to_owned(),
            "error: d.json:1:1: the file is neither what `aws iam get-account-authorization-details` prints (no `RoleDetailList`) nor what `terraform show -json` prints (no `format_version` and `values`); its keys: `Roles`\n",
        ),
        (
            role("\"%7Bnot\""),
            "error: d.json:4:61: `RoleDetailList[0].RolePolicyList[0].PolicyDocument`: does not decode to a JSON policy document (key must be a string)\n",
        ),
        (
            role(doc),
            "error: d.json:4:98: `RoleDetailList[0].RolePolicyList[0].PolicyDocument.Statement[0]`: uses `NotAction`, which ecs-iam cannot compare grant by grant\n",
        ),
    ] {
        Test::new()
            .copy_as("examples/ecs-basic.yaml", "ecs-basic.yaml")
            .file("d.json", text)
            .args(["drift", "ecs-basic.yaml", "--deployed", "d.json"])
            .stderr(message)
            .status(2)
            .run();
    }
}

/// SARIF (valid against the OASIS schema) places each change at the spec's
/// role; Markdown tables every role.
#[test]
fn drift_reports_as_sarif_and_markdown() {
    let dump = common::root().join("tests/drift/raw-api-eu-west-1.json");
    let out = Test::new()
        .copy_as("examples/ecs-basic.yaml", "ecs-basic.yaml")
        .args(["drift", "ecs-basic.yaml", "--format", "sarif", "--deployed"])
        .args([dump.as_os_str()])
        .status(1)
        .run();
    let sarif: Value = serde_json::from_str(&out.stdout).unwrap();
    let validator = jsonschema::validator_for(&common::sarif_schema()).unwrap();
    assert!(validator.is_valid(&sarif), "{sarif}");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let seen: Vec<(String, String, u64)> = results
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_owned(),
                r["level"].as_str().unwrap().to_owned(),
                r["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap(),
            )
        })
        .collect();
    // `execution_role:` is line 6 of examples/ecs-basic.yaml.
    let at = |id: &str, level: &str| (id.to_owned(), level.to_owned(), 6);
    assert_eq!(
        seen,
        [
            at("drift-broadening", "error"),
            at("drift-broadening", "error"),
            at("drift-neutral", "note"),
            at("drift-neutral", "note"),
        ]
    );

    let out = Test::new()
        .copy_as("examples/ecs-basic.yaml", "ecs-basic.yaml")
        .args([
            "drift",
            "ecs-basic.yaml",
            "--format",
            "markdown",
            "--deployed",
        ])
        .args([dump.as_os_str()])
        .status(1)
        .run();
    assert!(out.stdout.starts_with("## ecs-iam drift\n\n2 roles: 1 match, 1 drifted, 0 missing; IAM: 2 broadening, 0 narrowing, 2 neutral\n\n| spec | role | deployed | status |\n|---|---|---|---|\n| `ecs-basic.yaml` | task `ecs-basic-task` | `arn:aws:iam::123456789012:role/ecs-basic-task` | matches |\n| `ecs-basic.yaml` | execution `ecs-basic-execution` | `arn:aws:iam::123456789012:role/ecs-basic-execution` | **drifted**: 2 broadening, 0 narrowing, 2 neutral |\n"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("```diff\n+ + broadening: Allow s3:* on *\n"),
        "{}",
        out.stdout
    );
}

/// `terraform show -json` state, written by hand from Terraform's JSON
/// output format: the roles in a child module, an inline policy block, and
/// a managed policy attached by an `aws_iam_role_policy_attachment`
/// someone added (`tests/drift/terraform-state-eu-west-1.json`).
#[test]
fn terraform_state_is_a_deployment_too() {
    let state = common::root().join("tests/drift/terraform-state-eu-west-1.json");
    let shown = ecs_iam::escape::path(&state);
    let bound = "<account_id> = 123456789012, <partition> = aws, <region> = eu-west-1";
    Test::new()
        .copy_as("examples/ecs-basic.yaml", "ecs-basic.yaml")
        .args(["drift", "ecs-basic.yaml", "--deployed"])
        .args([state.as_os_str()])
        .stdout(format!(
            "ecs-basic.yaml: task role `ecs-basic-task`: differs from arn:aws:iam::123456789012:role/ecs-basic-task in {shown}, compared with {bound}:
  + broadening  managed policy arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess
ecs-basic.yaml: execution role `ecs-basic-execution`: matches arn:aws:iam::123456789012:role/ecs-basic-execution in {shown}, compared with {bound}
drift: 2 roles: 1 match, 1 drifted, 0 missing; IAM: 1 broadening, 0 narrowing, 0 neutral
"
        ))
        .status(1)
        .run();
    // Adopted from the state, the execution role's grants are fields.
    let out = Test::new()
        .args(["init", "--from-role"])
        .args([format!("{shown}#ecs-basic-execution")])
        .args(["--output", "-"])
        .stderr("the task role was not adopted: the spec leaves it to be managed elsewhere (`task_role.managed: false`), so `render` does not declare it and `drift` does not compare it; adopt it with a second `--from-role`\n")
        .run();
    assert!(
        out.stdout.contains("  ecr:\n    repositories:\n      - \"arn:aws:ecr:eu-west-1:123456789012:repository/web\"\n  logs:\n    groups:\n      - \"arn:aws:logs:eu-west-1:123456789012:log-group:/ecs/web:*\"\n"),
        "{}",
        out.stdout
    );
}

/// A task role adopted alone: the spec leaves the execution role to be
/// managed elsewhere (`managed: false`), so `drift` right after adoption
/// compares the task role alone and finds it as deployed, and `render`
/// declares it alone.
#[test]
fn a_role_adopted_alone_is_the_only_one_drift_compares() {
    let dump = common::root().join("tests/drift/raw-api-eu-west-1.json");
    let shown = ecs_iam::escape::path(&dump);
    let t = Test::new();
    let dir = t.dir().to_owned();
    t.args(["init", "--from-role"])
        .args([format!("{shown}#ecs-basic-task")])
        .args(["--output", "adopted.yaml"])
        .stdout(format!(
            "wrote adopted.yaml (from the role `{shown}#ecs-basic-task`); render it with `ecs-iam render adopted.yaml`
the task execution role was not adopted: the spec leaves it to be managed elsewhere (`execution_role.managed: false`), so `render` does not declare it and `drift` does not compare it; adopt it with a second `--from-role`
"
        ))
        .run();
    let spec = std::fs::read_to_string(dir.join("adopted.yaml")).unwrap();
    assert!(
        spec.ends_with("\nexecution_role:\n  managed: false\n"),
        "{spec}"
    );
    Test::in_dir(&dir)
        .args(["drift", "adopted.yaml", "--deployed"])
        .args([dump.as_os_str()])
        .stdout(format!(
            "adopted.yaml: task role `ecs-basic-task`: matches arn:aws:iam::123456789012:role/ecs-basic-task in {shown}
drift: 1 role: 1 match, 0 drifted, 0 missing; IAM: 0 broadening, 0 narrowing, 0 neutral
"
        ))
        .run();
    Test::in_dir(&dir)
        .args(["render", "adopted.yaml"])
        .stdout("adopted.yaml -> outputs/ecs-basic/ (8 files)\n")
        .run();
    let out = dir.join("outputs/ecs-basic");
    assert!(!out.join("cdk/execution-role.json").exists());
    let template = std::fs::read_to_string(out.join("cloudformation.yaml")).unwrap();
    assert!(template.contains("\n  TaskRole:\n"), "{template}");
    assert!(!template.contains("TaskExecutionRole"), "{template}");
    // `diff` reads the folder's one role back.
    Test::in_dir(&dir)
        .args(["diff", "adopted.yaml", "--against", "outputs"])
        .stdout("`outputs/ecs-basic` is in sync with the spec `adopted.yaml`\n")
        .run();
}

/// `terraform show -json` of a split role (the golden case), in
/// Terraform's JSON output format, written here from the rendering as the
/// module declares it: `aws_iam_role`, `aws_iam_role_policy`, and each
/// created policy as an `aws_iam_policy` with its
/// `aws_iam_role_policy_attachment`. `plan` leaves the ARNs unknown, as a
/// plan of a first apply does.
fn split_terraform_json(rendered: &Path, plan: bool) -> String {
    let mut resources = Vec::new();
    let mut add = |kind: &str, name: &str, values: Value| {
        resources.push(serde_json::json!({
            "address": format!("module.orders.{kind}.{name}"),
            "mode": "managed",
            "type": kind,
            "name": name,
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "values": values,
        }));
    };
    for (key, file) in [("task", "task-role"), ("execution", "execution-role")] {
        let read = |f: &str| -> Option<Value> {
            let text = std::fs::read_to_string(rendered.join("cdk").join(f)).ok()?;
            Some(resolve(&serde_json::from_str(&text).unwrap()))
        };
        let props = read(&format!("{file}.json")).unwrap();
        let role = props["roleName"].as_str().unwrap();
        let arn = |kind: &str, name: &str| {
            (!plan).then(|| format!("arn:aws:iam::{ACCOUNT}:{kind}/{name}"))
        };
        add(
            "aws_iam_role",
            key,
            serde_json::json!({
                "arn": arn("role", role),
                "name": role,
                "path": "/",
                "assume_role_policy": props["assumeRolePolicyDocument"].to_string(),
                "inline_policy": [],
                "managed_policy_arns": [],
                "tags": {},
            }),
        );
        for p in props["policies"].as_array().into_iter().flatten() {
            add(
                "aws_iam_role_policy",
                key,
                serde_json::json!({
                    "name": p["policyName"],
                    "role": role,
                    "policy": p["policyDocument"].to_string(),
                }),
            );
        }
        for (i, p) in read(&format!("{file}-policies.json"))
            .as_ref()
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let name = p["managedPolicyName"].as_str().unwrap();
            add(
                "aws_iam_policy",
                &format!("{key}_policy_{}", i + 2),
                serde_json::json!({
                    "arn": arn("policy", name),
                    "name": name,
                    "policy": p["policyDocument"].to_string(),
                }),
            );
            add(
                "aws_iam_role_policy_attachment",
                &format!("{key}_policy_{}", i + 2),
                serde_json::json!({"role": role, "policy_arn": arn("policy", name)}),
            );
        }
    }
    let top = if plan { "planned_values" } else { "values" };
    serde_json::json!({
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        top: {"root_module": {"child_modules": [{"address": "module.orders", "resources": resources}]}},
    })
    .to_string()
}

/// A split role in Terraform state and in a plan: its created policies are
/// its grants, and `init --from-role` keeps the layout.
#[test]
fn a_split_role_in_terraform_state_is_one_role_with_its_created_policies() {
    let t = Test::new().copy_as("tests/golden/split-task-role/spec.yaml", "split.yaml");
    let dir = t.dir().to_owned();
    Test::in_dir(&dir)
        .args(["render", "split.yaml", "--out", "out"])
        .run();
    let rendered = dir.join("out/orders-batch");
    for plan in [false, true] {
        std::fs::write(dir.join("tf.json"), split_terraform_json(&rendered, plan)).unwrap();
        if plan {
            // A plan's roles have no ARN yet, so no partition or account is
            // bound: each grant differs only as a deploy-time value does.
            // Nothing is missing: the created policies were read, though
            // their ARNs, and their attachments', are unknown.
            let out = Test::in_dir(&dir)
                .args(["drift", "split.yaml", "--fail-on", "never"])
                .args(["--deployed", "tf.json"])
                .stdout_contains(" 0 narrowing, ")
                .run();
            for line in out.stdout.lines().filter(|l| l.starts_with("  ")) {
                assert!(
                    line.starts_with("  ~ ") && line.ends_with(" at deploy time)"),
                    "{line}"
                );
            }
        } else {
            Test::in_dir(&dir)
                .args(["drift", "split.yaml", "--deployed", "tf.json"])
                .stdout_contains("`orders-batch-task`: matches ")
                .stdout_contains("`orders-batch-execution`: matches ")
                .stdout_ends_with(
                    "drift: 2 roles: 2 match, 0 drifted, 0 missing; IAM: 0 broadening, 0 narrowing, 0 neutral\n",
                )
                .run();
        }
        let out = Test::in_dir(&dir)
            .args(["init", "--from-role", "tf.json#orders-batch-task"])
            .args(["--output", "-"])
            .command()
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let stderr = String::from_utf8(out.stderr).unwrap();
        let mut lines = stderr.lines();
        assert_eq!(
            lines.next(),
            Some(
                "the task execution role was not adopted: the spec leaves it to be managed elsewhere (`execution_role.managed: false`), so `render` does not declare it and `drift` does not compare it; adopt it with a second `--from-role`"
            )
        );
        // The state's literal ARNs fill the inline policy otherwise than
        // the template's `${AWS::Partition}`: moves, and in a plan the
        // values no role ARN binds.
        for line in lines.skip(1) {
            assert!(
                (line.starts_with("  ~ neutral     statement ")
                    && line.contains(" moved from policy "))
                    || (line.starts_with("  ~ ") && line.ends_with(" at deploy time)")),
                "{stderr}"
            );
        }
        let spec = String::from_utf8(out.stdout).unwrap();
        assert!(
            spec.contains("\n  policy_layout: split  # its statements are spread over 2 policies created beside it\n"),
            "{spec}"
        );
    }
}
