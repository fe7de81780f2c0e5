//! Task definitions from public repositories (`tests/task_definitions/real/`,
//! sources and licences in its README), each with what a correct tool does
//! with it, written by hand in `expected.yaml`: `init --from-task-definition`
//! (refused at a position, or a spec pinning the deployment and naming the
//! roles; with `parameters:`, given to it as `--parameter`), the grants the written spec renders, and the answers of `verify`
//! and `verify --strict`. Every case runs; all mismatches are reported at once.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use common::{
    Grant, Output, Test, expected_grants, from_cdk, from_cloudformation, from_terraform, grants,
    read_folder, real_case_init, root, task_definition_cases,
};
use serde_yaml::Value as Yaml;

const EXPECTED: &str = "expected.yaml";

/// What `expected.yaml` says beyond the grants.
struct Expected {
    /// `None` for `ok`; otherwise the `line:column` of each refused value,
    /// all reported by one run.
    refused_at: Option<Vec<String>>,
    verify: String,
    strict: String,
    deployment: BTreeMap<String, String>,
    task_role: Option<String>,
    execution_role: Option<String>,
}

fn read_expected(file: &Path) -> Expected {
    let doc: Yaml = serde_yaml::from_str(&std::fs::read_to_string(file).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let text = |v: &Yaml| v.as_str().map(str::to_owned);
    let init = text(&doc["init"]).unwrap_or_else(|| panic!("{}: no `init`", file.display()));
    let refused_at = match init.strip_prefix("refused ") {
        Some(at) => Some(at.split_whitespace().map(str::to_owned).collect()),
        None if init == "ok" => None,
        None => panic!(
            "{}: `init: {init}` is neither ok nor refused",
            file.display()
        ),
    };
    let mut deployment = BTreeMap::new();
    if let Some(map) = doc["deployment"].as_mapping() {
        for (k, v) in map {
            deployment.insert(text(k).unwrap(), deployment_value(v));
        }
    }
    let answer = |key: &str| {
        if refused_at.is_some() {
            String::new()
        } else {
            text(&doc[key]).unwrap_or_else(|| panic!("{}: no `{key}`", file.display()))
        }
    };
    Expected {
        verify: answer("verify"),
        strict: answer("strict"),
        refused_at,
        deployment,
        task_role: text(&doc["roles"]["task"]),
        execution_role: text(&doc["roles"]["execution"]),
    }
}

fn run(dir: &Path, args: &[&str]) -> Output {
    let out = Test::in_dir(dir)
        .args(args)
        .command()
        .output()
        .expect("the binary runs");
    Output {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        status: out.status.code().unwrap_or(-1),
        dir: dir.to_owned(),
        elapsed: std::time::Duration::ZERO,
    }
}

/// `verify`'s answer in the words of `expected.yaml`.
fn verdict(out: &Output) -> String {
    let summary = out.stdout.lines().last().unwrap_or("");
    match out.status {
        0 => "allowed".to_owned(),
        1 if summary.ends_with(" missing") => "missing".to_owned(),
        1 if out.stdout.contains("not proven") => "not-proven".to_owned(),
        1 if out.stdout.contains("which no task definition needs") => "unused".to_owned(),
        code => format!(
            "exit {code}: {}",
            out.stderr.lines().next().unwrap_or(summary)
        ),
    }
}

/// A `deployment` value as text: a scalar as written, a list (`assumed`)
/// joined with `, `.
fn deployment_value(v: &Yaml) -> String {
    match v {
        Yaml::Sequence(items) => items
            .iter()
            .map(|i| i.as_str().map_or_else(|| format!("{i:?}"), str::to_owned))
            .collect::<Vec<_>>()
            .join(", "),
        _ => v.as_str().map_or_else(|| format!("{v:?}"), str::to_owned),
    }
}

/// The spec's `deployment` and role names, as `init` wrote them.
fn written_spec(spec: &Path) -> (BTreeMap<String, String>, Option<String>, Option<String>) {
    let doc: Yaml = serde_yaml::from_str(&std::fs::read_to_string(spec).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", spec.display()));
    let mut deployment = BTreeMap::new();
    if let Some(map) = doc["deployment"].as_mapping() {
        for (k, v) in map {
            deployment.insert(k.as_str().unwrap().to_owned(), deployment_value(v));
        }
    }
    let name = |role: &str| doc[role]["name"].as_str().map(str::to_owned);
    (deployment, name("task_role"), name("execution_role"))
}

/// The grants of the rendered folder, which all three formats must agree on.
fn rendered_grants(folder: &Path) -> Result<BTreeSet<Grant>, String> {
    let files = read_folder(folder);
    let cfn = grants(&from_cloudformation(&files["cloudformation.yaml"]));
    let tf = grants(&from_terraform(&files));
    let cdk = grants(&from_cdk(&files));
    if cfn != tf || cfn != cdk {
        return Err("CloudFormation, Terraform and CDK render different grants".to_owned());
    }
    Ok(cfn)
}

fn list(grants: &BTreeSet<&Grant>) -> String {
    let mut out = String::new();
    for (role, action, resource, conditions) in grants {
        let _ = write!(out, "\n      {role}: {action} on {resource}");
        if conditions != "{}" {
            let _ = write!(out, " if {conditions}");
        }
    }
    out
}

/// Every mismatch of one case, one line each.
fn check(case: &Path) -> Vec<String> {
    let expected = read_expected(&case.join(EXPECTED));
    let (file, init_args) = real_case_init(case);
    let rel = case
        .join(&file)
        .strip_prefix(root())
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let dir = Test::new().copy_as(&rel, &file).dir().to_owned();
    let mut out = Vec::new();

    let args: Vec<&str> = init_args.iter().map(String::as_str).collect();
    let init = run(&dir, &args);
    match (&expected.refused_at, init.status) {
        (Some(at), 2) => {
            let errors = init
                .stderr
                .lines()
                .filter(|l| l.starts_with("error: "))
                .count();
            if errors != at.len()
                || !at
                    .iter()
                    .all(|a| init.stderr.contains(&format!("{file}:{a}:")))
            {
                out.push(format!(
                    "init: expected refusals at {}, got: {}",
                    at.join(" "),
                    init.stderr.trim_end()
                ));
            }
            return out;
        }
        (Some(at), code) => {
            out.push(format!(
                "init: expected refusal at {}, got exit {code}{}",
                at.join(" "),
                init.stderr
                    .lines()
                    .next()
                    .map_or_else(String::new, |l| format!(": {l}"))
            ));
            return out;
        }
        (None, 0) => {}
        (None, code) => {
            out.push(format!(
                "init: expected ok, got exit {code}: {}",
                init.stderr.trim_end()
            ));
            return out;
        }
    }

    let (deployment, task_role, execution_role) = written_spec(&dir.join("spec.yaml"));
    if deployment != expected.deployment {
        out.push(format!(
            "deployment: expected {:?}, init pinned {deployment:?}",
            expected.deployment
        ));
    }
    if let Some(want) = &expected.execution_role
        && execution_role.as_ref() != Some(want)
    {
        out.push(format!(
            "execution role: expected `{want}`, init named {execution_role:?}"
        ));
    }
    if let Some(want) = &expected.task_role {
        // A task role shared with the execution role is rendered apart,
        // under the spec's default name (`<name>-task`): init names none.
        let want = (Some(want) != expected.execution_role.as_ref()).then(|| want.clone());
        if task_role != want {
            out.push(format!(
                "task role: expected {want:?}, init named {task_role:?}"
            ));
        }
    }

    let render = run(&dir, &["render", "spec.yaml", "--out", "rendered"]);
    if render.status == 0 {
        let folder = std::fs::read_dir(dir.join("rendered"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.is_dir())
            .expect("render writes a folder");
        match rendered_grants(&folder) {
            Ok(got) => {
                let (want, _) = expected_grants(&case.join(EXPECTED));
                let missing: BTreeSet<&Grant> = want.difference(&got).collect();
                let unexpected: BTreeSet<&Grant> = got.difference(&want).collect();
                if !missing.is_empty() {
                    out.push(format!("grants missing:{}", list(&missing)));
                }
                if !unexpected.is_empty() {
                    out.push(format!("grants not expected:{}", list(&unexpected)));
                }
            }
            Err(e) => out.push(format!("render: {e}")),
        }
    } else {
        out.push(format!(
            "render: exit {}: {}",
            render.status,
            render.stderr.trim_end()
        ));
    }

    let verify = verdict(&run(&dir, &["verify", "spec.yaml"]));
    if verify != expected.verify {
        out.push(format!(
            "verify: expected {}, got {verify}",
            expected.verify
        ));
    }
    let strict = verdict(&run(&dir, &["verify", "spec.yaml", "--strict"]));
    if strict != expected.strict {
        out.push(format!(
            "verify --strict: expected {}, got {strict}",
            expected.strict
        ));
    }
    out
}

#[test]
fn real_task_definitions_get_the_documented_spec_grants_and_verdicts() {
    let cases = task_definition_cases("real");
    assert!(cases.len() >= 30, "the corpus has {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        for problem in check(case) {
            failures.push(format!("{name}: {problem}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
