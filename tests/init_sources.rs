//! `init` writes a spec from a dump, a template or a task definition; when
//! that spec would be refused, the message points at the input that holds
//! the value, never at the spec it did not write.

mod common;

use common::Test;

const DUMP: &str = r#"{"RoleDetailList": [
  {"Path": "/", "RoleName": "orders-task", "Arn": "arn:aws:iam::123456789012:role/orders-task",
   "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
     {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
   "RolePolicyList": [{"PolicyName": "reports", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
     {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/<x>"}]}}],
   "AttachedManagedPolicies": []}
]}
"#;

const REFUSED: &str = "the spec written from it would be refused: `task_role.statements[0].resources[0]`: `arn:aws:s3:::reports/<x>` holds the placeholder `<x>`; the placeholders are `<partition>`, `<region>`, `<account_id>` and the spec's `<input.name>`, anything else must be written out\n";

#[test]
fn a_role_the_spec_would_refuse_is_reported_in_its_dump() {
    for output in [None, Some("-")] {
        let mut test = Test::new().file("dump.json", DUMP).args([
            "init",
            "--from-role",
            "dump.json#orders-task",
        ]);
        if let Some(o) = output {
            test = test.args(["--output", o]);
        }
        let out = test
            .stderr(format!(
                "error: dump.json:2:3: the role `orders-task`: {REFUSED}"
            ))
            .status(2)
            .run();
        assert!(out.stdout.is_empty(), "{}", out.stdout);
        assert!(!out.dir.join("orders.yaml").exists());
    }
}

#[test]
fn a_role_the_spec_would_refuse_is_reported_in_its_template() {
    let template = "Resources:
  TaskRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: orders-task
      AssumeRolePolicyDocument:
        Version: \"2012-10-17\"
        Statement:
          - Effect: Allow
            Principal:
              Service: ecs-tasks.amazonaws.com
            Action: sts:AssumeRole
      Policies:
        - PolicyName: reports
          PolicyDocument:
            Version: \"2012-10-17\"
            Statement:
              - Effect: Allow
                Action: s3:GetObject
                Resource: \"arn:aws:s3:::reports/<x>\"
";
    Test::new()
        .file("template.yaml", template)
        .args(["init", "--from-role", "template.yaml#orders-task"])
        .stderr(format!(
            "error: template.yaml:2:3: the role `orders-task`: {REFUSED}"
        ))
        .status(2)
        .run();
}

#[test]
fn a_role_name_the_spec_would_refuse_is_reported_in_the_task_definition() {
    let task_definition = r#"{
  "family": "orders",
  "taskRoleArn": "arn:aws:iam::123456789012:role/or ders",
  "containerDefinitions": [{"name": "web", "image": "nginx:1"}]
}
"#;
    let out = Test::new()
        .file("td.json", task_definition)
        .args(["init", "--from-task-definition", "td.json"])
        .stderr("error: td.json:3:18: `taskRoleArn`: the spec written from it would be refused: `task_role.name`: role name `or ders` contains ` `; IAM role names use letters, digits and `+=,.@_-`\n")
        .status(2)
        .run();
    assert!(!out.dir.join("orders.yaml").exists());
}
