//! A rendered file always parses: a spec value that would become a
//! mapping key holding a deploy-time value is refused at its key, and
//! `render` reads every file back before it writes any, leaving the
//! previous output as it was when one fails.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use common::Test;
use ecs_iam::render::{Templates, selfcheck};

fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    if dir.exists() {
        common::read_folder(dir)
    } else {
        BTreeMap::new()
    }
}

const KEYS_SPEC: &str = "version: 1
name: w
inputs:
  Team:
    description: the team
task_role:
  statements:
    - sid: Queue
      actions: [sqs:SendMessage]
      resources: [\"arn:<partition>:sqs:<region>:<account_id>:orders\"]
      conditions:
        StringEquals:
          \"aws:ResourceTag/${AWS::AccountId}\": x
          \"aws:PrincipalTag/<input.Team>\": [y, z]
        StringLike:
          \"aws:PrincipalTag/team-<account_id>\": y
          \"s3:prefix\": \"<input.Team>/*\"
";

const FIX: &str = "write the key literally, or put the value on the right";

/// Every condition key holding a deploy-time value, each at its key, in
/// line order; exit 2 and the previous output untouched.
#[test]
fn a_deploy_time_value_in_a_condition_key_is_refused_at_the_key() {
    let expected = format!(
        "error: spec.yaml:13:11: `task_role.statements[0].conditions.StringEquals.aws:ResourceTag/${{AWS::AccountId}}`: a condition key cannot hold a deploy-time value such as `${{AWS::AccountId}}`; {FIX}
error: spec.yaml:14:11: `task_role.statements[0].conditions.StringEquals.aws:PrincipalTag/<input.Team>`: a condition key cannot hold a deploy-time value such as `<input.Team>`; {FIX}
error: spec.yaml:16:11: `task_role.statements[0].conditions.StringLike.aws:PrincipalTag/team-<account_id>`: a condition key cannot hold a deploy-time value such as `<account_id>`; {FIX}
"
    );
    let out = Test::new()
        .file("spec.yaml", KEYS_SPEC)
        .file("outputs/w/cloudformation.yaml", "# previous output\n")
        .args(["render", "spec.yaml"])
        .status(2)
        .stderr(expected.clone())
        .run();
    assert_eq!(
        snapshot(&out.dir.join("outputs")),
        BTreeMap::from([(
            "w/cloudformation.yaml".to_owned(),
            "# previous output\n".to_owned()
        )])
    );
    // `diff` no longer calls such a spec in sync with what it rendered.
    Test::in_dir(&out.dir)
        .args(["diff", "spec.yaml"])
        .status(2)
        .stderr(expected)
        .run();
}

/// A JSON spec, a `${Name}` variable of an input, and a condition
/// operator: refused the same way.
#[test]
fn operators_and_json_specs_are_refused_too() {
    Test::new()
        .file(
            "spec.json",
            r#"{"version": 1, "name": "w", "execution_role": {"statements": [
  {"actions": ["sqs:SendMessage"], "resources": ["*"],
   "conditions": {"StringEquals${Stage}": {"aws:SourceVpce": "v"},
                  "StringLike": {"aws:ResourceTag/${Team}": "t"}}}]}}"#,
        )
        .args(["render", "spec.json"])
        .status(2)
        .stderr(format!(
            "error: spec.json:3:19: `execution_role.statements[0].conditions.StringEquals${{Stage}}`: a condition operator cannot hold a deploy-time value such as `${{Stage}}`; {FIX}
error: spec.json:4:34: `execution_role.statements[0].conditions.StringLike.aws:ResourceTag/${{Team}}`: a condition key cannot hold a deploy-time value such as `${{Team}}`; {FIX}
"
        ))
        .run();
}

/// IAM policy variables are text, not deploy-time values: a key holding
/// one renders, as a plain string in every format.
#[test]
fn a_policy_variable_in_a_condition_key_renders() {
    let out = Test::new()
        .file(
            "spec.yaml",
            "version: 1
name: w
task_role:
  statements:
    - actions: [sqs:SendMessage]
      resources: [\"*\"]
      conditions:
        StringEquals:
          \"aws:ResourceTag/${aws:username}\": x
",
        )
        .args(["render", "spec.yaml"])
        .stdout("spec.yaml -> outputs/w/ (9 files)\n")
        .run();
    let cfn = fs::read_to_string(out.dir.join("outputs/w/cloudformation.yaml")).unwrap();
    assert!(
        cfn.contains("\"aws:ResourceTag/${aws:username}\": \"x\""),
        "{cfn}"
    );
    let cdk = fs::read_to_string(out.dir.join("outputs/w/cdk/task-role.json")).unwrap();
    serde_json::from_str::<serde_json::Value>(&cdk).unwrap();
}

/// A template from `--templates` whose file does not parse: exit 2, the
/// file, the template and the parser's words, and nothing written.
#[test]
fn a_template_rendering_a_file_that_does_not_parse_writes_nothing() {
    let root = common::root();
    let cdk = fs::read_to_string(root.join("templates/cdk/role.json.tera")).unwrap();
    let cfn = fs::read_to_string(root.join("templates/cloudformation.yaml.tera")).unwrap();
    let cases = [
        (
            "cdk/role.json.tera",
            cdk.replace(
                "\"roleName\": {{ role.name | json }}",
                "\"roleName\": {{ role.name | json }},,",
            ),
            "error: `cdk/execution-role.json` as the template `tpl/cdk/role.json.tera` renders it for `ecs-basic.yaml` does not parse: it is not JSON: key must be a string at line 2 column 37; fix the template\n",
        ),
        (
            "cloudformation.yaml.tera",
            cfn.replace("\nResources:", "\nResources: ["),
            "error: `cloudformation.yaml` as the template `tpl/cloudformation.yaml.tera` renders it for `ecs-basic.yaml` does not parse: it is not YAML: did not find expected ',' or ']' at line 6 column 9, while parsing a flow sequence at line 4 column 12; fix the template\n",
        ),
        (
            "terraform/main.tf.tera",
            "resource \"x\" {\n".to_owned(),
            "error: `terraform/main.tf` as the template `tpl/terraform/main.tf.tera` renders it for `ecs-basic.yaml` does not parse: it is not HCL: line 1, column 16: invalid block body; expected `}`, newline or identifier; fix the template\n",
        ),
        (
            "cdk/nag-acknowledgements.json.tera",
            "{\"a\": }\n".to_owned(),
            "error: `cdk/nag-acknowledgements.json` as the template `tpl/cdk/nag-acknowledgements.json.tera` renders it for `ecs-basic.yaml` does not parse: it is not JSON: expected value at line 1 column 7; fix the template\n",
        ),
    ];
    let rendered = Test::new()
        .copy_as("examples/ecs-basic.yaml", "ecs-basic.yaml")
        .args(["render", "ecs-basic.yaml"])
        .stdout("ecs-basic.yaml -> outputs/ecs-basic/ (9 files)\n")
        .run();
    let before = snapshot(&rendered.dir.join("outputs"));
    assert_eq!(before.len(), 9);
    for (template, text, message) in cases {
        let out = Test::in_dir(&rendered.dir)
            .file(&format!("tpl/{template}"), text)
            .args(["render", "ecs-basic.yaml", "--templates", "tpl"])
            .status(2)
            .stderr(message)
            .run();
        assert_eq!(snapshot(&out.dir.join("outputs")), before, "{template}");
        fs::remove_dir_all(out.dir.join("tpl")).unwrap();
    }
}

/// A custom template may lay its file out as it likes: what it renders is
/// only parsed, not read back as roles.
#[test]
fn a_custom_layout_that_parses_is_written() {
    Test::new()
        .copy_as("examples/ecs-basic.yaml", "ecs-basic.yaml")
        .file(
            "tpl/cloudformation.yaml.tera",
            "Roles: [{{ roles[0].name | cfn }}, {{ roles[1].name | cfn }}]\n",
        )
        .args(["render", "ecs-basic.yaml", "--templates", "tpl"])
        .stdout("ecs-basic.yaml -> outputs/ecs-basic/ (9 files)\n")
        .run();
}

fn specs() -> Vec<PathBuf> {
    let root = common::root();
    let mut out: Vec<PathBuf> = fs::read_dir(root.join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    for entry in fs::read_dir(root.join("tests/golden")).unwrap() {
        out.push(entry.unwrap().path().join("spec.yaml"));
    }
    out.sort();
    assert!(out.len() >= 20, "examples and golden cases are found");
    out
}

/// Every example and golden case passes the check `render` makes.
#[test]
fn every_golden_reads_back_as_its_model() {
    let templates = Templates::embedded().unwrap();
    for spec in specs() {
        let (model, files) = ecs_iam::render_spec(&spec, &templates).unwrap();
        selfcheck::check(&spec, &model, &files, &templates)
            .unwrap_or_else(|e| panic!("{}: {e}", spec.display()));
    }
}

/// A file that lost a grant between rendering and the check, or does not
/// parse, is an internal error asking for a report.
#[test]
fn a_built_in_rendering_that_differs_from_the_model_is_an_internal_error() {
    let templates = Templates::embedded().unwrap();
    let spec = common::root().join("examples/ecs-basic.yaml");
    let (model, files) = ecs_iam::render_spec(&spec, &templates).unwrap();
    let report = "Please report this at https://github.com/ecs-iam/ecs-iam/issues with the spec";
    let cases = [
        (
            "cloudformation.yaml",
            files["cloudformation.yaml"].replacen(
                "                  - \"logs:PutLogEvents\"\n",
                "",
                1,
            ),
            "it reads back as a different execution role: - narrowing   Allow logs:PutLogEvents on arn:<partition>:logs:<region>:<account_id>:log-group:/ecs/web:*",
        ),
        (
            "cdk/task-role.json",
            files["cdk/task-role.json"].replacen(
                "\"roleName\": \"ecs-basic-task\"",
                "\"roleName\": \"other\"",
                1,
            ),
            "it reads back as a different task role: ~ neutral     role renamed ecs-basic-task -> other",
        ),
        (
            "cdk/execution-role.json",
            files["cdk/execution-role.json"].replacen('{', "{{", 1),
            "it does not read back: key must be a string at line 1 column 2",
        ),
    ];
    for (file, text, what) in cases {
        let mut broken = files.clone();
        assert_ne!(broken[file], text, "{file} is changed");
        broken.insert(file.to_owned(), text);
        let e = selfcheck::check(&spec, &model, &broken, &templates).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "internal error: `{file}` as ecs-iam renders it for `{}` fails its check before writing: {what}; nothing was written. {report}",
                ecs_iam::error::path_text(&spec)
            )
        );
    }
}

/// Tag keys, the other spec values written as mapping keys (Terraform's
/// `tags` map), cannot hold a deploy-time value: IAM's tag characters
/// leave out `$`, `{` and `<`.
#[test]
fn a_deploy_time_value_in_a_tag_key_is_refused() {
    Test::new()
        .file(
            "spec.yaml",
            "version: 1\nname: w\ntags:\n  \"team-<account_id>\": a\n",
        )
        .args(["render", "spec.yaml"])
        .status(2)
        .stderr("error: spec.yaml:4:24: `tags.team-<account_id>`: `team-<account_id>` contains `<` (U+003C); IAM tags allow letters, digits, spaces and `_.:/=+-@`\n")
        .run();
}
