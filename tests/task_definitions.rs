//! Task definitions in the loop: the corpus under `tests/task_definitions/`
//! (task definitions written from AWS's documentation, with the grants a
//! correct derivation adds, written by hand), read back from all three
//! generated formats; bad task definitions refused at their own position;
//! `init --from-task-definition`, `verify` and `diff --base` end to end.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::{Roles, Test, from_cdk, from_cloudformation, from_terraform, root};
use ecs_iam::render::{Templates, render};
use serde_yaml::Value as Yaml;

/// (role, action, resource, conditions) of every Allow statement.
type Grant = (String, String, String, String);

fn grants(roles: &Roles) -> BTreeSet<Grant> {
    let mut out = BTreeSet::new();
    for (role, view) in roles {
        for st in view.statements.iter().filter(|s| s.effect == "Allow") {
            for a in &st.actions {
                for r in &st.resources {
                    out.insert((
                        role.clone(),
                        a.clone(),
                        r.clone(),
                        format!("{:?}", st.conditions),
                    ));
                }
            }
        }
    }
    out
}

/// The grants of a spec as each format declares them: they must agree.
fn rendered_grants(source: &ecs_iam::spec::Source) -> BTreeSet<Grant> {
    let model = ecs_iam::model::build(source).unwrap_or_else(|e| panic!("{e}"));
    let files = render(&model, &Templates::embedded().unwrap()).unwrap();
    let cfn = grants(&from_cloudformation(&files["cloudformation.yaml"]));
    let tf = grants(&from_terraform(&files["terraform/main.tf"]));
    let cdk = grants(&from_cdk(&files));
    assert_eq!(
        cfn,
        tf,
        "{}: CloudFormation and Terraform differ",
        source.path.display()
    );
    assert_eq!(
        cfn,
        cdk,
        "{}: CloudFormation and CDK differ",
        source.path.display()
    );
    cfn
}

fn expected_grants(file: &Path) -> (BTreeSet<Grant>, Vec<String>) {
    let doc: Yaml = serde_yaml::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let mut out = BTreeSet::new();
    let mut froms = Vec::new();
    for role in ["execution", "task"] {
        for group in doc[role].as_sequence().unwrap() {
            let list = |v: &Yaml| -> Vec<String> {
                v.as_sequence()
                    .map(|s| s.iter().map(|x| x.as_str().unwrap().to_owned()).collect())
                    .unwrap_or_default()
            };
            let mut conditions: common::Conditions = BTreeMap::new();
            if let Some(map) = group.get("conditions").and_then(Yaml::as_mapping) {
                for (op, keys) in map {
                    for (key, values) in keys.as_mapping().unwrap() {
                        conditions
                            .entry(op.as_str().unwrap().to_owned())
                            .or_default()
                            .insert(
                                key.as_str().unwrap().to_owned(),
                                list(values).into_iter().collect(),
                            );
                    }
                }
            }
            for a in list(&group["actions"]) {
                for r in list(&group["resources"]) {
                    out.insert((role.to_owned(), a.clone(), r, format!("{conditions:?}")));
                }
            }
            froms.push(group["from"].as_str().unwrap().to_owned());
        }
    }
    (out, froms)
}

fn cases(folder: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> =
        std::fs::read_dir(root().join("tests/task_definitions").join(folder))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .collect();
    out.sort();
    out
}

#[test]
fn the_corpus_derives_the_documented_grants_in_all_three_formats() {
    let cases = cases("corpus");
    assert!(cases.len() >= 12, "the corpus has {} cases", cases.len());
    let mut failures = Vec::new();
    for dir in cases {
        let spec = dir.join("spec.yaml");
        let source = ecs_iam::spec::load(&spec).unwrap_or_else(|e| panic!("{e}"));
        let with = rendered_grants(&source);
        // What the task definition adds: the grants without it taken away.
        let mut bare = source.clone();
        bare.spec.task_definitions.clear();
        bare.task_definitions.clear();
        let without = rendered_grants(&bare);
        let added: BTreeSet<Grant> = with.difference(&without).cloned().collect();
        let (expected, froms) = expected_grants(&dir.join("expected.yaml"));
        if added != expected {
            failures.push(format!(
                "{}:\n  missing: {:#?}\n  unexpected: {:#?}",
                dir.display(),
                expected.difference(&added).collect::<Vec<_>>(),
                added.difference(&expected).collect::<Vec<_>>()
            ));
        }
        // `explain` names each field the grants come from.
        let model = ecs_iam::model::build(&source).unwrap();
        let rows = ecs_iam::explain::explain(&model);
        let label = &source.spec.task_definitions[0];
        for from in froms {
            let want = format!("{label}: {from}");
            if !rows.iter().any(|r| r.from == want) {
                failures.push(format!(
                    "{}: explain names no grant `{want}`",
                    dir.display()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn bad_task_definitions_fail_at_their_own_position_and_write_nothing() {
    let cases = cases("invalid");
    assert!(cases.len() >= 6);
    for dir in cases {
        let expected = std::fs::read_to_string(dir.join("expected-error.txt")).unwrap();
        let position = expected.split(": ").next().unwrap().to_owned();
        let task_file = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .find(|n| n != "spec.yaml" && n != "expected-error.txt")
            .unwrap();
        let mut t = Test::new();
        for name in ["spec.yaml", task_file.as_str()] {
            let rel = dir
                .join(name)
                .strip_prefix(root())
                .unwrap()
                .to_string_lossy()
                .into_owned();
            t = t.copy_as(&rel, name);
        }
        let out = t
            .args(["render", "spec.yaml", "--out", "out"])
            .status(2)
            .stderr_starts_with(format!("error: {task_file}:{position}: "))
            .run();
        let stderr = &out.stderr;
        assert_eq!(stderr.lines().count(), 1, "{}: {stderr}", dir.display());
        assert!(
            !out.dir.join("out").exists(),
            "{}: wrote output",
            dir.display()
        );
    }
}
