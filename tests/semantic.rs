//! The grant-level diff against a corpus of before/after pairs
//! (`tests/semantic/corpus.yaml`), and the Markdown report against goldens
//! (`tests/semantic/markdown/`; `ECS_IAM_BLESS=1` regenerates them).

mod common;

use std::fs;
use std::path::Path;

use common::Test;
use ecs_iam::grant_diff::{self, Class};
use ecs_iam::report::DiffReport;
use serde_yaml::{Mapping, Value};

fn corpus() -> Vec<Value> {
    let text = fs::read_to_string(common::root().join("tests/semantic/corpus.yaml")).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

fn doc(statements: Value) -> Value {
    let mut m = Mapping::new();
    m.insert("Version".into(), "2012-10-17".into());
    m.insert("Statement".into(), statements);
    Value::Mapping(m)
}

/// A `cloudformation.yaml` whose task role is `side`; the execution role
/// is the same minimal role on both sides.
fn template(side: &Value) -> String {
    let default_trust: Value = serde_yaml::from_str(
        "[{Sid: T, Effect: Allow, Principal: {Service: [ecs-tasks.amazonaws.com]}, Action: [sts:AssumeRole]}]",
    )
    .unwrap();
    let mut task = Mapping::new();
    task.insert("RoleName".into(), "app-task".into());
    task.insert(
        "AssumeRolePolicyDocument".into(),
        doc(side
            .get("trust")
            .cloned()
            .unwrap_or_else(|| default_trust.clone())),
    );
    if let Some(st) = side.get("statements") {
        let mut p = Mapping::new();
        p.insert(
            "PolicyName".into(),
            side.get("policy_name")
                .cloned()
                .unwrap_or_else(|| "app-task-policy".into()),
        );
        p.insert("PolicyDocument".into(), doc(st.clone()));
        task.insert("Policies".into(), Value::Sequence(vec![Value::Mapping(p)]));
    }
    for (field, key) in [
        ("managed", "ManagedPolicyArns"),
        ("boundary", "PermissionsBoundary"),
        ("max_session", "MaxSessionDuration"),
    ] {
        if let Some(v) = side.get(field) {
            task.insert(key.into(), v.clone());
        }
    }
    let mut execution = Mapping::new();
    execution.insert("RoleName".into(), "app-execution".into());
    execution.insert("AssumeRolePolicyDocument".into(), doc(default_trust));
    let role = |props: Mapping| -> Value {
        let mut r = Mapping::new();
        r.insert("Type".into(), "AWS::IAM::Role".into());
        r.insert("Properties".into(), Value::Mapping(props));
        Value::Mapping(r)
    };
    let mut resources = Mapping::new();
    resources.insert("TaskRole".into(), role(task));
    resources.insert("TaskExecutionRole".into(), role(execution));
    let mut root = Mapping::new();
    root.insert("Resources".into(), Value::Mapping(resources));
    serde_yaml::to_string(&Value::Mapping(root)).unwrap()
}

fn compare(case: &Value) -> Vec<grant_diff::RoleChanges> {
    let file = Path::new("cloudformation.yaml");
    let old = ecs_iam::render::readback::parse(file, &template(&case["old"])).unwrap();
    let new = ecs_iam::render::readback::parse(file, &template(&case["new"])).unwrap();
    grant_diff::compare(&old, &new)
}

fn overall(roles: &[grant_diff::RoleChanges]) -> &'static str {
    let s = grant_diff::summarize(roles);
    if s.broadening > 0 {
        "broadening"
    } else if s.narrowing > 0 {
        "narrowing"
    } else if s.neutral > 0 {
        "neutral"
    } else {
        "none"
    }
}

#[test]
fn every_pair_is_classified_as_expected() {
    let cases = corpus();
    assert!(cases.len() >= 30, "the corpus holds at least 30 pairs");
    let mut wrong = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let expect = case["expect"].as_str().unwrap();
        let roles = compare(case);
        let got = overall(&roles);
        if got != expect {
            let rows: Vec<String> = roles
                .iter()
                .flat_map(|r| &r.changes)
                .map(|c| format!("    {} {} {}", c.sign.symbol(), c.class.as_str(), c.item))
                .collect();
            wrong.push(format!(
                "{name}: expected {expect}, got {got}\n{}",
                rows.join("\n")
            ));
        }
        // The execution role is the same on both sides.
        assert!(roles[1].changes.is_empty(), "{name}");
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Narrowing is never reported as broadening: for every pair expected to
/// narrow, no single change is classed broadening.
#[test]
fn narrowing_pairs_hold_no_broadening_row() {
    for case in corpus()
        .iter()
        .filter(|c| c["expect"] == "narrowing" || c["expect"] == "neutral")
    {
        let roles = compare(case);
        let broadening: Vec<String> = roles
            .iter()
            .flat_map(|r| &r.changes)
            .filter(|c| c.class == Class::Broadening)
            .map(|c| c.item.to_string())
            .collect();
        assert!(
            broadening.is_empty(),
            "{}: {broadening:?}",
            case["name"].as_str().unwrap()
        );
    }
}

#[test]
fn markdown_reports_match_goldens() {
    let bless = std::env::var_os("ECS_IAM_BLESS").is_some();
    let dir = common::root().join("tests/semantic/markdown");
    let mut failures = Vec::new();
    for name in [
        "resource \"*\" narrowed to one ARN (cdk diff calls this broadening)",
        "statements merged while a wildcard resource slips in",
        "permissions boundary removed (cdk diff does not watch boundaries)",
        "identical",
        "region and account pinned (the same secret only if deployed there)",
        "partition pinned (the same grant where the stack is deployed)",
    ] {
        let case = corpus().into_iter().find(|c| c["name"] == name).unwrap();
        let report = DiffReport::new(
            "base/app".into(),
            "pr/app".into(),
            &ecs_iam::file_diff::Report::default(),
            compare(&case),
        );
        let md = report.markdown();
        let slug: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect::<String>()
            .split('-')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        let path = dir.join(format!("{slug}.md"));
        if bless {
            fs::create_dir_all(&dir).unwrap();
            fs::write(&path, &md).unwrap();
        } else if fs::read_to_string(&path).ok().as_deref() != Some(md.as_str()) {
            failures.push(format!("{}:\n{md}", path.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "Markdown differs from the goldens (ECS_IAM_BLESS=1 regenerates):\n{}",
        failures.join("\n")
    );
}

/// Write `specs` (file name → text) to `<side>/specs/` and render them
/// into `<side>/out/`.
fn render_tree(dir: &Path, side: &str, specs: &Value) {
    fs::create_dir_all(dir.join(side).join("specs")).unwrap();
    let mut test = Test::in_dir(dir).current_dir(side);
    for (name, text) in specs.as_mapping().unwrap() {
        test = test.file(
            &format!("{side}/specs/{}", name.as_str().unwrap()),
            text.as_str().unwrap(),
        );
    }
    test.args(["render", "specs", "--out", "out"]).run();
}

/// Whole output trees: workloads paired by folder name, each with its
/// status, one verdict and one exit code.
#[test]
fn every_tree_pair_is_reported_as_expected() {
    let text = fs::read_to_string(common::root().join("tests/semantic/trees.yaml")).unwrap();
    let cases: Vec<Value> = serde_yaml::from_str(&text).unwrap();
    assert!(cases.len() >= 8);
    let mut wrong = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let dir = Test::new().dir().to_owned();
        render_tree(&dir, "old", &case["old"]);
        render_tree(&dir, "new", &case["new"]);
        let exit = case["exit"].as_i64().unwrap();
        let run = Test::in_dir(&dir)
            .args(["diff", "--old", "old/out", "--new", "new/out"])
            .args(["--fail-on", "broadening", "--format", "json"])
            .status(i32::try_from(exit).unwrap())
            .try_run();
        let out = match run {
            Ok(out) => out,
            Err(message) => {
                wrong.push(format!("{name}: {message}"));
                continue;
            }
        };
        let report: serde_json::Value = serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("{name}: {e}: {}", out.stderr));
        let statuses: Vec<(String, String)> = report["workloads"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| {
                (
                    w["name"].as_str().unwrap().to_owned(),
                    w["status"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let expected: Vec<(String, String)> = case["expect"]
            .as_mapping()
            .unwrap()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().unwrap().to_owned(),
                    v.as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let s = &report["summary"];
        let class = if s["broadening"] != 0 {
            "broadening"
        } else if s["narrowing"] != 0 {
            "narrowing"
        } else if s["neutral"] != 0 {
            "neutral"
        } else {
            "none"
        };
        if statuses != expected || class != case["class"].as_str().unwrap() {
            wrong.push(format!(
                "{name}: got {statuses:?}, {class}; expected {expected:?}, {}",
                case["class"].as_str().unwrap(),
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
