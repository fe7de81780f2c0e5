//! Every operation of the services ECS tasks commonly call, from botocore's
//! service models (PyPI, pinned in `tests/cloudtrail/requirements.txt`),
//! mapped to the IAM action it needs as a CloudTrail record of it would be
//! ([`ecs_iam::cloudtrail::actions::called`]); those with no action are
//! compared with `tests/cloudtrail/unmapped-operations.txt`, so that a new
//! botocore, service reference or override shows what it changes.
//! `ECS_IAM_BLESS=1 cargo test --test unmapped_operations -- --ignored`
//! rewrites the list; review it in the diff.
//!
//! botocore is installed under `target/botocore/` on first use and reused
//! while the pin is unchanged: the test is ignored by a plain `cargo test`
//! and run by `cargo test -- --include-ignored` (`.ci/run`).

mod common;

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use ecs_iam::cloudtrail::actions::{Called, called};

/// botocore's names of the services: `ses` and `sesv2` both sign as
/// `ses`; AWS publishes no model of `ssmmessages`, so botocore has none.
const SERVICES: &[&str] = &[
    "s3",
    "sqs",
    "sns",
    "dynamodb",
    "secretsmanager",
    "ssm",
    "kms",
    "logs",
    "ecr",
    "sts",
    "lambda",
    "kinesis",
    "firehose",
    "events",
    "ses",
    "sesv2",
    "xray",
    "efs",
];

/// The virtualenv's python, with the pinned botocore.
fn python() -> PathBuf {
    let root = common::root();
    let dest = root.join("target/botocore");
    let pins = root.join("tests/cloudtrail/requirements.txt");
    let stamp = dest.join("requirements.txt");
    let python = dest.join("venv/bin/python");
    if fs::read(&pins).ok() != fs::read(&stamp).ok() || !python.exists() {
        let _ = fs::remove_dir_all(&dest);
        fs::create_dir_all(&dest).unwrap();
        let run = |cmd: &mut Command| {
            let out = cmd.output().expect("python3 runs");
            assert!(
                out.status.success(),
                "installing botocore failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        run(Command::new("python3")
            .args(["-m", "venv"])
            .arg(dest.join("venv")));
        run(Command::new(dest.join("venv/bin/pip"))
            .args(["install", "--disable-pip-version-check", "--quiet", "-r"])
            .arg(&pins));
        fs::copy(&pins, &stamp).unwrap();
    }
    python
}

#[test]
#[ignore = "installs botocore from PyPI; run with `cargo test -- --include-ignored`"]
fn the_unmapped_operations_of_common_services_are_the_listed_ones() {
    let root = common::root();
    let out = Command::new(python())
        .arg(root.join("tests/cloudtrail/operations.py"))
        .args(SERVICES)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut unmapped: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| {
            let (source, operation) = line.split_once(' ')?;
            match called(source, operation) {
                Called::Action(_) => None,
                Called::Unmapped { .. } => Some(line.to_owned()),
            }
        })
        .collect();
    unmapped.sort();
    unmapped.dedup();
    let path = root.join("tests/cloudtrail/unmapped-operations.txt");
    let text = fs::read_to_string(&path).unwrap_or_default();
    let header: Vec<&str> = text.lines().take_while(|l| l.starts_with('#')).collect();
    let listed: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .collect();
    if std::env::var_os("ECS_IAM_BLESS").is_some() {
        let lines: Vec<&str> = header
            .into_iter()
            .chain(unmapped.iter().map(String::as_str))
            .collect();
        fs::write(&path, lines.join("\n") + "\n").unwrap();
        return;
    }
    let expected = listed.join("\n") + "\n";
    let found = unmapped.join("\n") + "\n";
    if expected != found {
        let diff = similar::TextDiff::from_lines(&expected, &found)
            .unified_diff()
            .header("listed", "found")
            .to_string();
        panic!(
            "the unmapped operations differ from tests/cloudtrail/unmapped-operations.txt (ECS_IAM_BLESS=1 regenerates):\n{diff}"
        );
    }
}
