//! Reading machine-made JSON: an account's dump, read with the JSON parser
//! alone, its roles read in full only when `drift` or `init --from-role`
//! names them, errors still at their `file:line:column`.

mod common;

use common::Test;
use serde_json::{Value, json};

/// The raw API dump of `tests/drift`, which `examples/ecs-basic.yaml`
/// drifts from, with `extra` roles after its own.
fn dump_with(extra: &[Value]) -> String {
    let text =
        std::fs::read_to_string(common::root().join("tests/drift/raw-api-eu-west-1.json")).unwrap();
    let mut dump: Value = serde_json::from_str(&text).unwrap();
    let list = dump["RoleDetailList"].as_array_mut().unwrap();
    list.extend(extra.iter().cloned());
    serde_json::to_string_pretty(&dump).unwrap()
}

/// A role ecs-iam cannot compare: its policy uses `NotAction`.
fn broken(name: &str) -> Value {
    json!({
        "Path": "/", "RoleName": name, "Arn": format!("arn:aws:iam::123456789012:role/{name}"),
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []},
        "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}]}}]
    })
}

/// Where the statement holding the first `NotAction` of `text` opens.
fn statement_of_not_action(text: &str) -> (usize, usize) {
    let at = text[..text.find("\"NotAction\"").unwrap()]
        .rfind('{')
        .unwrap();
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    (1 + text[..at].matches('\n').count(), at - line_start + 1)
}

#[test]
fn a_role_not_asked_for_does_not_stop_drift() {
    let drift = |dump: String| {
        Test::new()
            .copy_as("examples/ecs-basic.yaml", "ecs-basic.yaml")
            .file("d.json", dump)
            .args(["drift", "ecs-basic.yaml", "--deployed", "d.json"])
            .status(1)
            .run()
    };
    let clean = drift(dump_with(&[]));
    // The broken role and one whose policy is not even a document, neither
    // named by the spec: the report is the same.
    let mut unreadable = broken("other-unreadable");
    unreadable["RolePolicyList"][0]["PolicyDocument"] = json!("%7Bnot");
    let with_broken = drift(dump_with(&[broken("other-broken"), unreadable]));
    assert_eq!(with_broken.stdout, clean.stdout);
    assert_eq!(with_broken.stderr, "");
    assert!(clean.stdout.contains("1 match, 1 drifted, 0 missing"));
}

#[test]
fn a_role_not_asked_for_does_not_stop_init_from_role() {
    let init = |dump: String| {
        Test::new()
            .file("d.json", dump)
            .args([
                "init",
                "--from-role",
                "d.json#ecs-basic-execution",
                "--output",
                "-",
            ])
            .stderr_starts_with("the task role was not adopted: ")
            .status(0)
            .run()
    };
    let clean = init(dump_with(&[]));
    let with_broken = init(dump_with(&[broken("other-broken")]));
    assert_eq!(with_broken.stdout, clean.stdout);
    assert_eq!(with_broken.stderr, clean.stderr);
    assert!(clean.stdout.contains("ecr:\n"), "{}", clean.stdout);
}

#[test]
fn a_broken_role_asked_for_is_refused_at_its_position() {
    let dump = dump_with(&[broken("ecs-basic-task-2")]);
    let (line, column) = statement_of_not_action(&dump);
    Test::new()
        .file("d.json", dump)
        .args(["init", "--from-role", "d.json#ecs-basic-task-2"])
        .stderr(format!(
            "error: d.json:{line}:{column}: `RoleDetailList[2].RolePolicyList[0].PolicyDocument.Statement[0]`: uses `NotAction`, which ecs-iam cannot compare grant by grant\n"
        ))
        .status(2)
        .run();
}

/// A spec naming a role the dump does not hold: a role of the dump that
/// ecs-iam cannot read may be the one meant, and is reported.
#[test]
fn a_missing_role_reports_the_role_that_could_not_be_read() {
    let spec = std::fs::read_to_string(common::root().join("examples/ecs-basic.yaml"))
        .unwrap()
        .replace("name: ecs-basic\n", "name: elsewhere\n");
    let dump = dump_with(&[broken("other-broken")]);
    let (line, column) = statement_of_not_action(&dump);
    Test::new()
        .file("elsewhere.yaml", spec)
        .file("d.json", dump)
        .args(["drift", "elsewhere.yaml", "--deployed", "d.json"])
        .stderr(format!(
            "error: d.json:{line}:{column}: `RoleDetailList[2].RolePolicyList[0].PolicyDocument.Statement[0]`: uses `NotAction`, which ecs-iam cannot compare grant by grant\n"
        ))
        .status(2)
        .run();
}

/// JSON is read by the JSON parser alone: a template YAML would refuse (a
/// key longer than YAML's 1,024 characters for an implicit key) is read.
#[test]
fn a_json_template_is_not_read_as_yaml() {
    let template = json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Metadata": {"k".repeat(2000): "a key YAML refuses"},
        "Resources": {"TaskRole": {"Type": "AWS::IAM::Role", "Properties": {
            "RoleName": "ecs-basic-task",
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:AssumeRole"}]},
            "Policies": [{"PolicyName": "read", "PolicyDocument": {"Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::orders/*"}]}}]
        }}}
    });
    let out = Test::new()
        .file("t.json", serde_json::to_string(&template).unwrap())
        .args([
            "init",
            "--from-role",
            "task=t.json#ecs-basic-task",
            "--output",
            "-",
        ])
        .stderr_starts_with("the task execution role was not adopted: ")
        .status(0)
        .run();
    assert!(
        out.stdout.contains("arn:aws:s3:::orders/*"),
        "{}",
        out.stdout
    );
}

/// A dump indented with tabs on one very long line each role: JSON, and
/// located in it as before.
#[test]
fn errors_are_located_in_a_dump_indented_with_tabs() {
    let dump = json!({"RoleDetailList": [broken("r")]});
    let text = serde_json::to_string(&dump).unwrap().replacen(
        "{\"RoleDetailList\":",
        "{\n\t\"RoleDetailList\":",
        1,
    );
    let column = text.lines().nth(1).unwrap().find("{\"Effect\"").unwrap() + 1;
    Test::new()
        .file("d.json", text)
        .args(["init", "--from-role", "d.json#r"])
        .stderr(format!(
            "error: d.json:2:{column}: `RoleDetailList[0].RolePolicyList[0].PolicyDocument.Statement[0]`: uses `NotAction`, which ecs-iam cannot compare grant by grant\n"
        ))
        .status(2)
        .run();
}

/// Nesting deeper than the JSON parser's limit is refused wherever it is,
/// in a role asked for or not.
#[test]
fn deep_nesting_is_refused_at_once() {
    let deep = format!(
        "{{\"RoleDetailList\": [], \"Other\": {}{}}}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    Test::new()
        .copy_as("examples/ecs-basic.yaml", "ecs-basic.yaml")
        .file("d.json", deep)
        .args(["drift", "ecs-basic.yaml", "--deployed", "d.json"])
        .stderr("error: d.json:1:159: the text nests too deep to be a dump (a dump nests about twelve levels)\n")
        .status(2)
        .run();
}

/// A dump saved with a byte order mark (as some Windows editors save) is
/// read as without one.
#[test]
fn a_byte_order_mark_is_skipped() {
    let drift = |dump: String| {
        Test::new()
            .copy_as("examples/ecs-basic.yaml", "ecs-basic.yaml")
            .file("d.json", dump)
            .args(["drift", "ecs-basic.yaml", "--deployed", "d.json"])
            .status(1)
            .run()
            .stdout
    };
    assert_eq!(
        drift(format!("\u{feff}{}", dump_with(&[]))),
        drift(dump_with(&[]))
    );
}

/// In a Terraform state too, a role the spec does not name is read only
/// as far as its name: one whose trust policy is unknown until apply does
/// not stop `drift`, and is the error when it is the role asked for.
#[test]
fn a_terraform_role_not_asked_for_does_not_stop_drift() {
    let text =
        std::fs::read_to_string(common::root().join("tests/drift/terraform-state-eu-west-1.json"))
            .unwrap();
    let drift = |state: &str, spec: &str| {
        Test::new()
            .file(
                "ecs-basic.yaml",
                std::fs::read_to_string(common::root().join("examples/ecs-basic.yaml"))
                    .unwrap()
                    .replace("name: ecs-basic\n", &format!("name: {spec}\n")),
            )
            .file("state.json", state)
            .args(["drift", "ecs-basic.yaml", "--deployed", "state.json"])
    };
    let clean = drift(&text, "ecs-basic").status(1).run();
    let mut state: Value = serde_json::from_str(&text).unwrap();
    let root = state["values"]["root_module"].as_object_mut().unwrap();
    let resources = root.entry("resources").or_insert_with(|| json!([]));
    let other = resources.as_array_mut().unwrap();
    other.insert(
        0,
        json!({
            "address": "aws_iam_role.other", "type": "aws_iam_role", "name": "other",
            "values": {"name": "other-task", "path": "/"}
        }),
    );
    let state = serde_json::to_string_pretty(&state).unwrap();
    let with_other = drift(&state, "ecs-basic").status(1).run();
    assert_eq!(with_other.stdout, clean.stdout);
    // The role `other-task` is asked for now: its trust is the error.
    let line = 1 + state[..state.find("\"other-task\"").unwrap()]
        .matches('\n')
        .count();
    drift(&state, "other")
        .stderr(format!(
            "error: state.json:{}:11: `values.root_module.resources[0].values.assume_role_policy`: is missing or unknown until apply\n",
            line - 1
        ))
        .status(2)
        .run();
}

/// A split role's created policy (`<inline policy>-<N>`, read from the
/// dump's `Policies`) that ecs-iam cannot compare is refused at its own
/// statement, as an inline one is.
#[test]
fn a_created_policy_ecs_iam_cannot_read_is_refused_at_its_position() {
    let text =
        std::fs::read_to_string(common::root().join("tests/drift/raw-api-eu-west-1.json")).unwrap();
    let mut dump: Value = serde_json::from_str(&text).unwrap();
    let arn = "arn:aws:iam::123456789012:policy/split-task-policy-2";
    dump["RoleDetailList"].as_array_mut().unwrap().push(json!({
        "Path": "/", "RoleName": "split-task", "Arn": "arn:aws:iam::123456789012:role/split-task",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "RolePolicyList": [{"PolicyName": "split-task-policy", "PolicyDocument": {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}}],
        "AttachedManagedPolicies": [{"PolicyName": "split-task-policy-2", "PolicyArn": arn}]
    }));
    dump["Policies"] = json!([{
        "PolicyName": "split-task-policy-2", "Arn": arn, "DefaultVersionId": "v1",
        "PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}]}}]
    }]);
    let dump = serde_json::to_string_pretty(&dump).unwrap();
    let (line, column) = statement_of_not_action(&dump);
    Test::new()
        .file("d.json", dump)
        .args(["init", "--from-role", "d.json#split-task"])
        .stderr(format!(
            "error: d.json:{line}:{column}: `Policies[0].PolicyVersionList[0].Document.Statement[0]`: uses `NotAction`, which ecs-iam cannot compare grant by grant\n"
        ))
        .status(2)
        .run();
}
