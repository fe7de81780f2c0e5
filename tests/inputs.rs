//! Deploy-time inputs end to end, with exact output: `init` keeps a
//! CloudFormation template's parameters as inputs, `verify` proves a call
//! when the same input stands in the grant and in the task definition and
//! says "not proven", naming the input, when it cannot, `diff` shows an
//! input bound to a literal with its assumption, and bad inputs are refused
//! at their place in the spec.

mod common;

use common::Test;

/// A service stack as CloudFormation users write it: the log group and the
/// secret named by template parameters.
const STACK: &str = r#"Parameters:
  Stage:
    Type: String
    Default: staging
  DbSecretName:
    Type: String
Resources:
  TaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: orders
      RequiresCompatibilities: [FARGATE]
      NetworkMode: awsvpc
      Cpu: "256"
      Memory: "512"
      ExecutionRoleArn: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/orders-execution"
      TaskRoleArn: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/orders-task"
      ContainerDefinitions:
        - Name: app
          Image: !Sub "${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/orders:latest"
          LogConfiguration:
            LogDriver: awslogs
            Options:
              awslogs-group: !Sub "/ecs/orders-${Stage}"
              awslogs-region: !Ref AWS::Region
              awslogs-stream-prefix: app
          Secrets:
            - Name: DB
              ValueFrom: !Sub "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${DbSecretName}"
"#;

const GUARDDUTY_NOTE: &str = "note: `execution_role.guardduty_agent` is not set: where GuardDuty manages its Runtime Monitoring agent automatically, ECS adds the agent to new Fargate tasks and pulls it with the task execution role from AWS's `aws-guardduty-agent-fargate` repository, which this role does not allow, so those tasks fail with CannotPullContainerError; set it to `true` for such accounts";

#[test]
fn init_keeps_template_parameters_as_inputs_and_verify_proves_with_them() {
    let t = Test::new().file("stack.yaml", STACK);
    let dir = t.dir().to_owned();
    t.args([
        "init",
        "--from-task-definition",
        "stack.yaml",
        "--output",
        "orders.yaml",
    ])
    .stdout("wrote orders.yaml (from task definition `stack.yaml`); render it with `ecs-iam render orders.yaml`, check it with `ecs-iam verify orders.yaml`\n")
    .run();
    let spec = std::fs::read_to_string(dir.join("orders.yaml")).unwrap();
    assert!(
        spec.contains(
            "inputs:\n  \"DbSecretName\":\n    description: \"The template parameter DbSecretName\"\n  \"Stage\":\n    description: \"The template parameter Stage (its Default is `staging`)\"\n"
        ),
        "{spec}"
    );
    assert!(spec.contains("#   containerDefinitions[app].logConfiguration: write log streams of arn:<partition>:logs:<region>:<account_id>:log-group:/ecs/orders-<input.Stage>:*\n"), "{spec}");

    Test::in_dir(&dir)
        .args(["render", "orders.yaml", "--out", "out"])
        .run();
    let cfn = std::fs::read_to_string(dir.join("out/orders/cloudformation.yaml")).unwrap();
    assert!(cfn.contains("Parameters:\n  DbSecretName:\n    Type: String\n    MinLength: 1\n    Description: \"The template parameter DbSecretName\"\n  Stage:\n"), "{cfn}");
    assert!(cfn.contains("                  - !Sub \"arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/ecs/orders-${Stage}:*\"\n"), "{cfn}");
    assert!(cfn.contains("                  - !Sub \"arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${DbSecretName}-??????\"\n"), "{cfn}");
    let tf = std::fs::read_to_string(dir.join("out/orders/terraform/main.tf")).unwrap();
    assert!(
        tf.contains(":log-group:/ecs/orders-${var.Stage}:*\""),
        "{tf}"
    );

    // The same input on both sides: proven for every value.
    Test::in_dir(&dir)
        .args(["verify", "orders.yaml"])
        .stdout(format!("orders.yaml: {GUARDDUTY_NOTE}\norders.yaml: 7 of 7 calls ECS makes to start 1 container of stack.yaml are allowed\n"))
        .run();
}

#[test]
fn verify_names_the_input_it_cannot_prove() {
    // The spec grants one stage's log group literally; the task definition
    // names it by the input: allowed for `prod` only, which ecs-iam cannot
    // know.
    let spec = "version: 1
name: orders
inputs:
  Stage:
    description: Deployment stage
  DbSecretName:
    description: Name of the database secret
execution_role:
  ecr:
    repositories: [orders]
  logs:
    groups: [\"/ecs/orders-prod\"]
  secrets:
    - \"<input.DbSecretName>\"
";
    let stream =
        "log-group:/ecs/orders-<input.Stage>:log-stream:ecs/app/0123456789abcdef0123456789abcdef";
    let unseen = |action: &str| {
        format!(
            "stack.yaml:22:24: containerDefinitions[app].logConfiguration: whether the task execution role allows {action} on arn:<partition>:logs:<region>:<account_id>:{stream} depends on the value of the input `Stage`, which ecs-iam cannot know: write the same input in the spec's grant and in the task definition, or give the value; not proven\n"
        )
    };
    Test::new()
        .file("stack.yaml", STACK)
        .file("orders.yaml", spec)
        .args(["verify", "orders.yaml", "--task-definition", "stack.yaml"])
        .stdout(format!(
            "{}{}orders.yaml:12:5: warning: execution_role.logs.groups: the execution role grants logs:CreateLogStream, logs:PutLogEvents on arn:<partition>:logs:<region>:<account_id>:log-group:/ecs/orders-prod:*, which no task definition needs (--strict fails on it)\norders.yaml: {GUARDDUTY_NOTE}\norders.yaml: 7 of 7 calls ECS makes to start 1 container of stack.yaml are allowed by what ecs-iam can see; not proven\n",
            unseen("logs:CreateLogStream"),
            unseen("logs:PutLogEvents"),
        ))
        .status(1)
        .run();
}

#[test]
fn diff_shows_an_input_bound_to_a_literal() {
    let with_input = "version: 1
name: api
inputs:
  Stage:
    description: Deployment stage
execution_role:
  logs:
    groups: [\"/ecs/api-<input.Stage>\"]
";
    let t = Test::new().file("api.yaml", with_input);
    let dir = t.dir().to_owned();
    t.args(["render", "api.yaml", "--out", "out"]).run();
    std::fs::write(
        dir.join("api.yaml"),
        "version: 1\nname: api\nexecution_role:\n  logs:\n    groups: [\"/ecs/api-prod\"]\n",
    )
    .unwrap();
    let arn = |name: &str| {
        format!("arn:<partition>:logs:<region>:<account_id>:log-group:/ecs/api-{name}:*")
    };
    let line = |action: &str| {
        format!(
            "  ~ broadening  Allow {action} on {} -> {} (the same grant only where <input.Stage> = prod at deploy time)\n",
            arn("<input.Stage>"),
            arn("prod")
        )
    };
    Test::in_dir(&dir)
        .args(["diff", "api.yaml", "--against", "out"])
        .stdout_contains("extra: out/api/cdk/inputs.json (the spec does not render it)\n")
        .stdout_ends_with(format!(
            "execution role `api-execution`:\n{}{}`out/api` differs from the spec `api.yaml`: 6 changed, 0 missing, 1 extra files; IAM: 2 broadening, 0 narrowing, 0 neutral; run `ecs-iam render` to update it\n",
            line("logs:CreateLogStream"),
            line("logs:PutLogEvents")
        ))
        .status(1)
        .run();
}

#[test]
fn bad_inputs_are_refused_where_they_are_written() {
    for (spec, message) in [
        (
            "version: 1\nname: o\ninputs:\n  Stage:\n    description: d\nexecution_role:\n  logs:\n    groups: [\"/ecs/o-<input.Stag>\"]\n",
            "error: spec.yaml:8:14: `execution_role.logs.groups[0]`: `/ecs/o-<input.Stag>` uses the input `Stag`, which `inputs:` does not declare; did you mean `<input.Stage>`?\n",
        ),
        (
            "version: 1\nname: o\ninputs:\n  stage_name:\n    description: d\n",
            "error: spec.yaml:4:3: `inputs.stage_name`: `stage_name` cannot name an input: it is a CloudFormation parameter and a Terraform variable, so use a letter then letters and digits (no `_` or `-`), at most 255\n",
        ),
        (
            "version: 1\nname: o\ninputs:\n  TaskRole:\n    description: d\n",
            "error: spec.yaml:4:3: `inputs.TaskRole`: the input `TaskRole` has the name of a CloudFormation resource in the generated files; rename the input\n",
        ),
    ] {
        let t = Test::new().file("spec.yaml", spec);
        let dir = t.dir().to_owned();
        t.args(["render", "spec.yaml", "--out", "out"])
            .stderr(message)
            .status(2)
            .run();
        assert!(!dir.join("out").exists(), "nothing written");
    }
    // Declared and unused: a warning at its place.
    Test::new()
        .file("spec.yaml", "version: 1\nname: o\ninputs:\n  Stage:\n    description: d\n")
        .args(["check", "spec.yaml"])
        .stdout("spec.yaml:4:3: warning[unused-input]: the input `Stage` is declared but no `<input.Stage>` uses it; fix: write `<input.name>` where the value belongs, or remove the input\n1 finding\n")
        .run();
}
