//! `verify` never says a task starts when it cannot see that it will: each
//! path that once answered "allowed" for a task that would not start, or
//! that would lose its logs, answers exit 1 (or `render` exit 2) with the
//! exact message.

mod common;

use common::Test;

const ORDERS: &str = r#"{
  "family": "orders-api",
  "taskRoleArn": "arn:aws:iam::111122223333:role/orders-api-task",
  "executionRoleArn": "arn:aws:iam::111122223333:role/orders-api-exec",
  "containerDefinitions": [
    {
      "name": "app",
      "image": "111122223333.dkr.ecr.eu-west-1.amazonaws.com/orders:1",
      "logConfiguration": {"logDriver": "awsfirelens", "options": {"Name": "kinesis_firehose", "region": "eu-west-1", "delivery_stream": "orders-logs"}, "secretOptions": null}
    }
  ],
  "networkMode": "awsvpc"
}
"#;

#[test]
fn a_spec_naming_other_roles_than_the_task_definition_is_not_proven() {
    Test::new()
        .file("orders.json", ORDERS)
        .file(
            "named.yaml",
            "version: 1\nname: orders\ndeployment: {partition: aws, region: eu-west-1, account_id: \"111122223333\"}\ntask_definitions: [orders.json]\nexecution_role:\n  name: orders-execution\n",
        )
        .args(["verify", "named.yaml"])
        .status(1)
        .stdout(
            "orders.json:4:23: executionRoleArn: the task definition runs with `orders-api-exec`; the spec renders `orders-execution` as its task execution role: point `executionRoleArn` at `orders-execution`, or name that role in the spec
named.yaml: note: `execution_role.guardduty_agent` is not set: where GuardDuty manages its Runtime Monitoring agent automatically, ECS adds the agent to new Fargate tasks and pulls it with the task execution role from AWS's `aws-guardduty-agent-fargate` repository, which this role does not allow, so those tasks fail with CannotPullContainerError; set it to `true` for such accounts
named.yaml: 5 of 5 calls ECS makes to start 1 container of orders.json are allowed by the rendered roles, but ecs-iam cannot see that the task runs with them; not proven
",
        )
        .run();
    // Without role names, the rendered roles take the task definition's.
    Test::new()
        .file("orders.json", ORDERS)
        .file(
            "plain.yaml",
            "version: 1\nname: orders\ndeployment: {partition: aws, region: eu-west-1, account_id: \"111122223333\"}\ntask_definitions: [orders.json]\n",
        )
        .args(["verify", "plain.yaml"])
        .stdout_ends_with("plain.yaml: 5 of 5 calls ECS makes to start 1 container of orders.json are allowed\n")
        .run();
    // A role in another account than the pinned one is the same finding.
    Test::new()
        .file("orders.json", ORDERS.replace(
            "111122223333:role/orders-api-exec",
            "444455556666:role/orders-api-exec",
        ))
        .file(
            "plain.yaml",
            "version: 1\nname: orders\ndeployment: {partition: aws, region: eu-west-1, account_id: \"111122223333\"}\ntask_definitions: [orders.json]\n",
        )
        .args(["verify", "plain.yaml"])
        .status(1)
        .stdout_starts_with("orders.json:4:23: executionRoleArn: the task definition runs with `orders-api-exec` in account 444455556666; the spec deploys its task execution role to account 111122223333\n")
        .run();
}

#[test]
fn a_role_the_task_definition_does_not_name_is_reported_where_it_would_be() {
    // `null` is an absent field (console exports): the finding points at
    // the `null`; a field not written at all, at the task definition's own
    // mapping (inside describe-task-definition's wrapper), not at 1:1.
    let describe = |execution: &str| {
        format!(
            "{{\"taskDefinition\": {{\n  \"family\": \"n\",\n  \"taskRoleArn\": \"arn:aws:iam::111122223333:role/n-task\",{execution}\n  \"containerDefinitions\": [{{\"name\": \"app\", \"image\": \"111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:1\"}}]}}}}\n"
        )
    };
    let spec = "version: 1\nname: n\ndeployment: {partition: aws, region: eu-west-1, account_id: \"111122223333\"}\ntask_definitions: [n.json]\n";
    for (execution, at) in [("\n  \"executionRoleArn\": null,", "4:23"), ("", "1:20")] {
        Test::new()
            .file("n.json", describe(execution))
            .file("n.yaml", spec)
            .args(["verify", "n.yaml"])
            .status(1)
            .stdout_starts_with(format!("n.json:{at}: executionRoleArn: the task definition names no `executionRoleArn`, so ECS makes the task execution role's calls without it (on EC2 with the container instance's role, which ecs-iam cannot see); set `executionRoleArn` to the rendered role `n-execution`\n"))
            .run();
    }
}

#[test]
fn a_firelens_destination_the_task_role_lacks_loses_the_logs() {
    Test::new()
        .file("orders.json", ORDERS)
        .file(
            "hand.yaml",
            "version: 1\nname: orders-api\ndeployment: {partition: aws, region: eu-west-1, account_id: \"111122223333\"}\ntask_role:\n  name: orders-api-task\nexecution_role:\n  name: orders-api-exec\n  ecr:\n    repositories: [orders]\n",
        )
        .args(["verify", "hand.yaml", "--task-definition", "orders.json"])
        .status(1)
        .stdout(
            "orders.json:9:41: containerDefinitions[app].logConfiguration: the task role does not allow firehose:PutRecordBatch on arn:aws:firehose:eu-west-1:111122223333:deliverystream/orders-logs (no statement allows it); for container `app`, the log router's writes are refused (AccessDenied) and every log line sent there is lost, silently
hand.yaml: note: `execution_role.guardduty_agent` is not set: where GuardDuty manages its Runtime Monitoring agent automatically, ECS adds the agent to new Fargate tasks and pulls it with the task execution role from AWS's `aws-guardduty-agent-fargate` repository, which this role does not allow, so those tasks fail with CannotPullContainerError; set it to `true` for such accounts
hand.yaml: 4 of 5 calls ECS makes to start 1 container of orders.json are allowed; 1 missing
",
        )
        .run();
}

const SHARED: &str = r#"{"family": "web", "taskRoleArn": "arn:aws:iam::111122223333:role/ecsTaskExecutionRole", "executionRoleArn": "arn:aws:iam::111122223333:role/ecsTaskExecutionRole",
 "containerDefinitions": [{"name": "web", "image": "nginx:1.27"}], "networkMode": "awsvpc"}
"#;

#[test]
fn one_role_for_both_renders_two_and_verify_says_so() {
    let t = Test::new().file("shared.json", SHARED);
    let dir = t.dir().to_owned();
    t.args(["init", "--from-task-definition", "shared.json", "--output", "web.yaml"])
        .stdout("wrote web.yaml (from task definition `shared.json`); render it with `ecs-iam render web.yaml`, check it with `ecs-iam verify web.yaml`\n")
        .run();
    let spec = std::fs::read_to_string(dir.join("web.yaml")).unwrap();
    assert!(
        spec.contains("  name: \"ecsTaskExecutionRole\"  # from executionRoleArn\n"),
        "{spec}"
    );
    assert!(spec.contains("  # The task definition runs with `ecsTaskExecutionRole` as both its task role and its\n"), "{spec}");
    Test::in_dir(&dir)
        .args(["render", "web.yaml", "--out", "out"])
        .run();
    Test::in_dir(&dir)
        .args(["verify", "web.yaml"])
        .status(1)
        .stdout(
            "shared.json:1:34: taskRoleArn: the task definition runs with `ecsTaskExecutionRole`; the spec renders `web-task` as its task role: point `taskRoleArn` at `web-task` (the task role and the execution role are distinct)
web.yaml: note: `execution_role.guardduty_agent` is not set: where GuardDuty manages its Runtime Monitoring agent automatically, ECS adds the agent to new Fargate tasks and pulls it with the task execution role from AWS's `aws-guardduty-agent-fargate` repository, which this role does not allow, so those tasks fail with CannotPullContainerError; set it to `true` for such accounts
web.yaml: 0 of 0 calls ECS makes to start 1 container of shared.json are allowed by the rendered roles, but ecs-iam cannot see that the task runs with them; not proven
",
        )
        .run();
}

const TEMPLATE: &str = r#"{"family": "web", "executionRoleArn": "arn:aws:iam::111122223333:role/web-exec",
 "containerDefinitions": [{"name": "web", "image": "${BACKEND_ECR}:latest",
   "secrets": [{"name": "K", "valueFrom": "{{ must_env `SECRET_ARN` }}"}]},
   {"name": "ci", "image": "REPLACED_BY_CI"}], "networkMode": "awsvpc"}
"#;

#[test]
fn template_placeholders_are_never_read_as_values() {
    let t = || {
        Test::new()
            .file("tpl.json", TEMPLATE)
            .file("tpl.yaml", "version: 1\nname: web\ndeployment: {partition: aws, region: eu-west-1, account_id: \"111122223333\"}\ntask_definitions: [tpl.json]\n")
    };
    t().args(["verify", "tpl.yaml"])
        .status(1)
        .stdout(
            "tpl.json:2:53: `containerDefinitions[web].image`: `${BACKEND_ECR}` is a template placeholder (`${...}`, as envsubst and Terraform's templatefile fill) for the whole image: map `BACKEND_ECR` in the spec to the image with its repository left to deploy time, `parameters: {BACKEND_ECR: <account_id>.dkr.ecr.<region>.<url_suffix>/<input.BackendEcrRepository>}` with `inputs: {BackendEcrRepository: {description: ...}}` (ECR in the deployment's account and region), or to the image (one outside ECR needs no grant); `ecs-iam init --from-task-definition` writes the first; not proven: the grant it decides is not derived
tpl.json:3:44: `containerDefinitions[web].secrets[K].valueFrom`: `{{ must_env `SECRET_ARN` }}` is a template placeholder (`{{ ... }}`, as ecspresso and Go templates fill): map `SECRET_ARN` in the spec, `parameters: {SECRET_ARN: <input.SecretArn>}` with `inputs: {SecretArn: {description: ...}}` to keep it a deploy-time input, or `parameters: {SECRET_ARN: VALUE}`; `ecs-iam init --from-task-definition` writes the inputs; not proven: the grant it decides is not derived
tpl.json:4:28: `containerDefinitions[ci].image`: `REPLACED_BY_CI` is a template placeholder (an upper-case name, which no image reference has), not an AWS value: fill the template first (run ecs-iam on the file CI deploys), or write the value here; not proven: the grant it decides is not derived
tpl.yaml: note: `execution_role.guardduty_agent` is not set: where GuardDuty manages its Runtime Monitoring agent automatically, ECS adds the agent to new Fargate tasks and pulls it with the task execution role from AWS's `aws-guardduty-agent-fargate` repository, which this role does not allow, so those tasks fail with CannotPullContainerError; set it to `true` for such accounts
tpl.json: note: the task definition names no `taskRoleArn`, so its containers run without task-role credentials; the rendered task role is used only once `taskRoleArn` names it
tpl.yaml: 0 of 0 calls ECS makes to start 2 containers of tpl.json are allowed by what ecs-iam can see; not proven
",
        )
        .run();
    let t2 = t();
    let dir = t2.dir().to_owned();
    t2.args(["render", "tpl.yaml", "--out", "out"])
        .status(2)
        .stderr(
            "error: tpl.json:2:53: `containerDefinitions[web].image`: `${BACKEND_ECR}` is a template placeholder (`${...}`, as envsubst and Terraform's templatefile fill) for the whole image: map `BACKEND_ECR` in the spec to the image with its repository left to deploy time, `parameters: {BACKEND_ECR: <account_id>.dkr.ecr.<region>.<url_suffix>/<input.BackendEcrRepository>}` with `inputs: {BackendEcrRepository: {description: ...}}` (ECR in the deployment's account and region), or to the image (one outside ECR needs no grant); `ecs-iam init --from-task-definition` writes the first
error: tpl.json:3:44: `containerDefinitions[web].secrets[K].valueFrom`: `{{ must_env `SECRET_ARN` }}` is a template placeholder (`{{ ... }}`, as ecspresso and Go templates fill): map `SECRET_ARN` in the spec, `parameters: {SECRET_ARN: <input.SecretArn>}` with `inputs: {SecretArn: {description: ...}}` to keep it a deploy-time input, or `parameters: {SECRET_ARN: VALUE}`; `ecs-iam init --from-task-definition` writes the inputs
error: tpl.json:4:28: `containerDefinitions[ci].image`: `REPLACED_BY_CI` is a template placeholder (an upper-case name, which no image reference has), not an AWS value: fill the template first (run ecs-iam on the file CI deploys), or write the value here
",
        )
        .run();
    assert!(!dir.join("out").exists());
}

const COPILOT: &str = "Resources:
  TaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ExecutionRoleArn: arn:aws:iam::111122223333:role/svc-exec
      ContainerDefinitions:
        - Name: app
          Image: nginx:1.27
          EnvironmentFiles:
            - !If
              - HasEnvFile
              - Type: s3
                Value: arn:aws:s3:::env-bucket/app.env
              - !Ref AWS::NoValue
";

#[test]
fn every_branch_of_an_fn_if_is_derived_or_refused() {
    Test::new()
        .file("svc.yaml", COPILOT)
        .file(
            "spec.yaml",
            "version: 1\nname: svc\ntask_definitions: [svc.yaml]\n",
        )
        .args(["explain", "spec.yaml", "--format", "json"])
        .stdout_contains(
            "\"svc.yaml: containerDefinitions[app].environmentFiles[0] (if HasEnvFile)\"",
        )
        .run();
    let refused = COPILOT.replace(
        "          EnvironmentFiles:",
        "          LogConfiguration: !If [HasLogs, {LogDriver: awslogs, Options: {awslogs-group: app}}, !Ref AWS::NoValue]\n          EnvironmentFiles:",
    );
    Test::new()
        .file("svc.yaml", &refused)
        .file("spec.yaml", "version: 1\nname: svc\ntask_definitions: [svc.yaml]\n")
        .args(["render", "spec.yaml", "--out", "out"])
        .status(2)
        .stderr("error: svc.yaml:9:29: `containerDefinitions[app].logConfiguration`: `Fn::If` picks this value at deploy time; ecs-iam takes every branch of an `Fn::If` that stands for a list or a list entry (`ContainerDefinitions`, `Secrets`, `EnvironmentFiles`, `MountPoints`, `Volumes`, `SecretOptions`), not here: move the condition to the list entry, or write the value\n")
        .run();
}

#[test]
fn fields_ecs_rejects_are_warned_about_at_their_position() {
    let task = r#"{"family": "w", "executionRoleArn": "arn:aws:iam::111122223333:role/w-exec",
 "logConfiguration": {"logDriver": "awslogs"},
 "containerDefinitions": [{"name": "w", "image": "nginx", "secret": [],
   "environment": [{"name": "X", "valueFrom": "/w/x"}]}]}
"#;
    Test::new()
        .file("w.json", task)
        .file("w.yaml", "version: 1\nname: w\ntask_definitions: [w.json]\n")
        .args(["render", "w.yaml", "--out", "out"])
        .stderr(
            "w.json:2:2: warning: `logConfiguration` is not a field of the task definition; ECS rejects it: it belongs in each entry of `containerDefinitions`
w.json:3:59: warning: `containerDefinitions[w]` has no field `secret`; ECS rejects it; did you mean `secrets`?
w.json:4:34: warning: `containerDefinitions[w].environment[0]` has `valueFrom`, which ECS rejects in `environment` (nothing is injected and no grant is derived): move the entry to `secrets`
",
        )
        .stdout_starts_with("w.yaml -> ")
        .run();
}

#[test]
fn task_definitions_of_one_spec_must_name_the_same_roles() {
    Test::new()
        .file(
            "a.json",
            r#"{"family": "a", "executionRoleArn": "arn:aws:iam::111122223333:role/a-exec", "containerDefinitions": [{"name": "a", "image": "nginx"}]}"#,
        )
        .file(
            "b.json",
            r#"{"family": "b", "executionRoleArn": "arn:aws:iam::111122223333:role/b-exec", "containerDefinitions": [{"name": "b", "image": "nginx"}]}"#,
        )
        .file("ab.yaml", "version: 1\nname: ab\ntask_definitions: [a.json, b.json]\n")
        .args(["render", "ab.yaml", "--out", "out"])
        .status(2)
        .stderr("error: b.json:1:37: `executionRoleArn`: this task definition runs with the role `b-exec`, but `a.json: executionRoleArn` names `a-exec`; one spec renders one task execution role: give the task definitions the same role, or give each its own spec\n")
        .run();
}

#[test]
fn the_workloads_own_repository_is_not_another_accounts() {
    // init pins the account the roles name, so the image's repository in
    // that account needs no resource policy from "another" account.
    let t = Test::new().file(
        "app.json",
        r#"{"family": "app", "executionRoleArn": "arn:aws:iam::111122223333:role/app-exec",
 "containerDefinitions": [{"name": "app", "image": "111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:1"}]}"#,
    );
    let dir = t.dir().to_owned();
    t.args([
        "init",
        "--from-task-definition",
        "app.json",
        "--output",
        "app.yaml",
    ])
    .stdout_starts_with("wrote app.yaml")
    .run();
    let spec = std::fs::read_to_string(dir.join("app.yaml")).unwrap();
    assert!(
        spec.contains("deployment:\n  partition: \"aws\"  # from executionRoleArn\n  region: \"eu-west-1\"  # assumed from containerDefinitions[app].image\n  account_id: \"111122223333\"  # from executionRoleArn\n"),
        "{spec}"
    );
    Test::in_dir(&dir)
        .args(["check", "app.yaml"])
        .stdout_contains("0 findings")
        .run();
    Test::in_dir(&dir)
        .args(["render", "app.yaml", "--out", "out"])
        .stdout("app.yaml -> out/app/ (9 files)\n")
        .run();
    assert!(!dir.join("out/app/cross-account").exists());
    // A bare container list (Terraform's `container_definitions`) names no
    // account: the image's account is unknown, not another one.
    let t = Test::new().file(
        "bare.json",
        r#"[{"name": "api", "image": "111122223333.dkr.ecr.eu-west-1.amazonaws.com/api:1",
  "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/api", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "api"}}}]"#,
    );
    let dir = t.dir().to_owned();
    t.args([
        "init",
        "--from-task-definition",
        "bare.json",
        "--output",
        "bare.yaml",
    ])
    .stdout_starts_with("wrote bare.yaml")
    .run();
    let spec = std::fs::read_to_string(dir.join("bare.yaml")).unwrap();
    assert!(!spec.contains("  account_id:"), "{spec}");
    Test::in_dir(&dir)
        .args(["check", "bare.yaml"])
        .stdout("0 findings\n")
        .run();
    let out = Test::in_dir(&dir).args(["explain", "bare.yaml"]).run();
    assert!(!out.stdout.contains("cross-account"), "{}", out.stdout);
    Test::in_dir(&dir)
        .args(["render", "bare.yaml", "--out", "out"])
        .stdout_starts_with("bare.yaml -> out/bare/ (")
        .run();
    assert!(!dir.join("out/bare/cross-account").exists());
}

/// Logs in us-east-1, both images and the FireLens output in us-west-2,
/// and nothing that says where the task runs (no `taskDefinitionArn`).
const HINTS: &str = r#"{
  "family": "shop",
  "taskRoleArn": "arn:aws:iam::111122223333:role/shop-task",
  "executionRoleArn": "arn:aws:iam::111122223333:role/shop-execution",
  "containerDefinitions": [
    {"name": "log_router", "image": "111122223333.dkr.ecr.us-west-2.amazonaws.com/fluent-bit:2", "firelensConfiguration": {"type": "fluentbit"},
     "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/shop-router", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "router"}}},
    {"name": "app", "image": "111122223333.dkr.ecr.us-west-2.amazonaws.com/shop:1",
     "logConfiguration": {"logDriver": "awsfirelens", "options": {"Name": "cloudwatch_logs", "region": "us-west-2", "log_group_name": "/ecs/shop", "log_stream_prefix": "app-"}}}
  ]
}
"#;

#[test]
fn a_region_the_task_definition_only_suggests_is_not_where_it_runs() {
    // Logs may go to another region: the hints disagree, so init leaves
    // the region to deploy time (the trust condition then names the
    // region the roles are deployed in), and says why.
    let t = Test::new().file("shop.json", HINTS);
    let dir = t.dir().to_owned();
    t.args([
        "init",
        "--from-task-definition",
        "shop.json",
        "--output",
        "shop.yaml",
    ])
    .stdout_starts_with("wrote shop.yaml")
    .run();
    let spec = std::fs::read_to_string(dir.join("shop.yaml")).unwrap();
    assert!(
        spec.contains("# Where the task definition says it runs:\ndeployment:\n  partition: \"aws\"  # from taskRoleArn\n  # region: left to deploy time; the task definition's regions disagree (us-east-1 from containerDefinitions[log_router].logConfiguration.options.awslogs-region, us-west-2 from containerDefinitions[app].logConfiguration.options.region), and only `taskDefinitionArn` says where a task runs\n  account_id: \"111122223333\"  # from taskRoleArn\ntask_definitions:\n"),
        "{spec}"
    );
    Test::in_dir(&dir)
        .args(["verify", "shop.yaml"])
        .stdout(
            "shop.yaml: 12 of 12 calls ECS makes to start 2 containers of shop.json are allowed\n",
        )
        .run();
    // When they agree, init pins the region as an assumption, and verify
    // does not prove the trust that rests on it until the spec confirms it.
    let agreeing = HINTS.replace("us-east-1", "us-west-2");
    let t = Test::new().file("shop.json", &agreeing);
    let dir = t.dir().to_owned();
    t.args([
        "init",
        "--from-task-definition",
        "shop.json",
        "--output",
        "shop.yaml",
    ])
    .stdout_starts_with("wrote shop.yaml")
    .run();
    let spec = std::fs::read_to_string(dir.join("shop.yaml")).unwrap();
    assert!(
        spec.contains("  region: \"us-west-2\"  # assumed from containerDefinitions[log_router].logConfiguration.options.awslogs-region and 3 more\n"),
        "{spec}"
    );
    assert!(spec.contains("\n  assumed: [\"region\"]\n"), "{spec}");
    Test::in_dir(&dir)
        .args(["verify", "shop.yaml"])
        .status(1)
        .stdout("shop.yaml:11:11: deployment.region: `us-west-2` is assumed (`deployment.assumed`), not seen: only a `taskDefinitionArn` says where a task runs, and the task role's trust (`aws:SourceArn` `arn:aws:ecs:us-west-2:111122223333:*`) rests on it; not proven: once the task runs in `us-west-2`, remove `region` from `deployment.assumed`
shop.yaml: 12 of 12 calls ECS makes to start 2 containers of shop.json are allowed by what ecs-iam can see; not proven
")
        .run();
    std::fs::write(
        dir.join("shop.yaml"),
        spec.replace("  assumed: [\"region\"]\n", ""),
    )
    .unwrap();
    Test::in_dir(&dir)
        .args(["verify", "shop.yaml"])
        .stdout(
            "shop.yaml: 12 of 12 calls ECS makes to start 2 containers of shop.json are allowed\n",
        )
        .run();
    // `taskDefinitionArn` says where it runs: init pins that region, seen;
    // a spec pinned elsewhere has a trust ECS cannot satisfy there.
    let described = format!(
        "{{\"taskDefinition\": {}}}",
        HINTS.replacen(
            "{\n  \"family\": \"shop\",",
            "{\n  \"taskDefinitionArn\": \"arn:aws:ecs:us-west-2:111122223333:task-definition/shop:4\",\n  \"family\": \"shop\",",
            1
        )
    );
    let t = Test::new().file("shop.json", &described);
    let dir = t.dir().to_owned();
    t.args([
        "init",
        "--from-task-definition",
        "shop.json",
        "--output",
        "shop.yaml",
    ])
    .stdout_starts_with("wrote shop.yaml")
    .run();
    let spec = std::fs::read_to_string(dir.join("shop.yaml")).unwrap();
    assert!(
        spec.contains("  region: \"us-west-2\"  # from taskDefinitionArn\n"),
        "{spec}"
    );
    assert!(!spec.contains("assumed"), "{spec}");
    Test::in_dir(&dir)
        .args(["verify", "shop.yaml"])
        .stdout(
            "shop.yaml: 12 of 12 calls ECS makes to start 2 containers of shop.json are allowed\n",
        )
        .run();
    std::fs::write(
        dir.join("shop.yaml"),
        spec.replace("region: \"us-west-2\"", "region: \"us-east-1\""),
    )
    .unwrap();
    Test::in_dir(&dir)
        .args(["verify", "shop.yaml"])
        .status(1)
        .stdout_starts_with("shop.json:2:24: taskDefinitionArn: the task definition is registered in `us-west-2`, where its tasks run; the task role's trust admits ECS tasks of `us-east-1` only (`aws:SourceArn` `arn:aws:ecs:us-east-1:111122223333:*`), so ECS cannot assume it for them: pin `deployment.region` to `us-west-2`\n")
        .run();
}

#[test]
fn an_environment_file_under_fn_if_and_a_firelens_configuration_file_are_checked() {
    // Both were once read as needing nothing: the `Fn::If` entry was
    // dropped, the configuration file in S3 ignored.
    let svc = COPILOT.to_owned()
        + "        - Name: log_router
          Image: public.ecr.aws/aws-observability/aws-for-fluent-bit:stable
          FirelensConfiguration:
            Type: fluentbit
            Options:
              config-file-type: s3
              config-file-value: arn:aws:s3:::cfg-bucket/fluent-bit.conf
";
    Test::new()
        .file("svc.yaml", &svc)
        .file(
            "hand.yaml",
            "version: 1\nname: svc\ndeployment: {partition: aws, region: eu-west-1, account_id: \"111122223333\"}\nexecution_role:\n  name: svc-exec\n",
        )
        .args(["verify", "hand.yaml", "--task-definition", "svc.yaml"])
        .status(1)
        .stdout_starts_with(
            "svc.yaml:13:24: containerDefinitions[app].environmentFiles[0] (if HasEnvFile): the task execution role does not allow s3:GetBucketLocation on arn:aws:s3:::env-bucket (no statement allows it); ECS fails to start container `app` with ResourceInitializationError: failed to download env files (AccessDenied)
svc.yaml:13:24: containerDefinitions[app].environmentFiles[0] (if HasEnvFile): the task execution role does not allow s3:GetObject on arn:aws:s3:::env-bucket/app.env (no statement allows it); ECS fails to start container `app` with ResourceInitializationError: failed to download env files (AccessDenied)
svc.yaml:21:34: containerDefinitions[log_router].firelensConfiguration.options.config-file-value: the task execution role does not allow s3:GetBucketLocation on arn:aws:s3:::cfg-bucket (no statement allows it); ECS fails to start container `log_router` with the log router cannot fetch its configuration file from S3 (AccessDenied)
svc.yaml:21:34: containerDefinitions[log_router].firelensConfiguration.options.config-file-value: the task execution role does not allow s3:GetObject on arn:aws:s3:::cfg-bucket/fluent-bit.conf (no statement allows it); ECS fails to start container `log_router` with the log router cannot fetch its configuration file from S3 (AccessDenied)
",
        )
        .stdout_ends_with("hand.yaml: 0 of 4 calls ECS makes to start 2 containers of svc.yaml are allowed; 4 missing\n")
        .run();
}

#[test]
fn what_ecs_iam_cannot_see_is_not_proven() {
    // A FireLens output that calls AWS with permissions ecs-iam does not
    // derive.
    Test::new()
        .file(
            "es.json",
            r#"{"family": "w", "taskRoleArn": "arn:aws:iam::111122223333:role/w-task", "executionRoleArn": "arn:aws:iam::111122223333:role/w-exec",
 "containerDefinitions": [{"name": "app", "image": "nginx", "logConfiguration": {"logDriver": "awsfirelens", "options": {"Name": "es", "Host": "search.example.com", "AWS_Auth": "On"}}}]}"#,
        )
        .file("es.yaml", "version: 1\nname: w\ndeployment: {partition: aws, region: eu-west-1, account_id: \"111122223333\"}\ntask_definitions: [es.json]\n")
        .args(["verify", "es.yaml"])
        .status(1)
        .stdout_starts_with("es.json:2:130: warning: the FireLens output `es` of `containerDefinitions[app].logConfiguration` authenticates to AWS, with permissions ecs-iam does not derive: grant them in `task_role.statements`; not proven\n")
        .stdout_ends_with("es.yaml: 0 of 0 calls ECS makes to start 1 container of es.json are allowed by what ecs-iam can see; not proven\n")
        .run();
    // A placeholder in a role ARN names no role.
    Test::new()
        .file(
            "ph.json",
            r#"{"family": "p", "executionRoleArn": "arn:aws:iam::${AWS_ACCOUNT_ID}:role/p-exec", "containerDefinitions": [{"name": "app", "image": "nginx"}]}"#,
        )
        .file("ph.yaml", "version: 1\nname: p\ntask_definitions: [ph.json]\n")
        .args(["verify", "ph.yaml"])
        .status(1)
        .stdout_starts_with("ph.json:1:37: executionRoleArn: `arn:aws:iam::${AWS_ACCOUNT_ID}:role/p-exec` holds a template placeholder (`${...}`), so ecs-iam cannot see that the task runs with the rendered task execution role `p-execution`; not proven\n")
        .run();
    // A role in another partition than the pinned one.
    Test::new()
        .file("orders.json", ORDERS.replace("arn:aws:iam::111122223333:role/orders-api-exec", "arn:aws-cn:iam::111122223333:role/orders-api-exec"))
        .file(
            "plain.yaml",
            "version: 1\nname: orders\ndeployment: {partition: aws, region: eu-west-1, account_id: \"111122223333\"}\ntask_definitions: [orders.json]\n",
        )
        .args(["verify", "plain.yaml"])
        .status(1)
        .stdout_starts_with("orders.json:4:23: executionRoleArn: the task definition runs with `orders-api-exec` in partition aws-cn; the spec deploys its task execution role to partition aws\n")
        .run();
}

#[test]
fn a_field_in_another_case_is_read_as_the_field() {
    // Terraform's provider accepts `Secrets` in `container_definitions`, so
    // ECS injects the secret: the grant is derived, with a warning.
    Test::new()
        .file(
            "case.json",
            r#"[{"name": "app", "image": "nginx", "Secrets": [{"name": "DB", "valueFrom": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf"}]}]"#,
        )
        .file("case.yaml", "version: 1\nname: c\ndeployment: {partition: aws, region: eu-west-1, account_id: \"111122223333\"}\ntask_definitions: [case.json]\n")
        .args(["verify", "case.yaml"])
        .stdout_contains("case.json:1:36: warning: `containerDefinitions[app]` writes `Secrets`, which the ECS API names `secrets`: read as `secrets` (Terraform and ecspresso accept it; the AWS CLI refuses it); write `secrets`\n")
        .stdout_ends_with("case.yaml: 1 of 1 calls ECS makes to start 1 container of case.json are allowed\n")
        .run();
}

#[test]
fn a_wildcard_where_a_name_belongs_is_refused() {
    Test::new()
        .file(
            "wild.json",
            r#"{"family": "x", "containerDefinitions": [{"name": "app", "image": "nginx", "logConfiguration": {"logDriver": "awsfirelens", "options": {"Name": "s3", "bucket": "*", "region": "eu-west-1"}}}]}"#,
        )
        .file("wild.yaml", "version: 1\nname: x\ntask_definitions: [wild.json]\n")
        .args(["render", "wild.yaml", "--out", "out"])
        .status(2)
        .stderr("error: wild.json:1:161: `containerDefinitions[app].logConfiguration.options.bucket`: `*` holds a wildcard, but this field names one resource (ECS and Fluent Bit take it as written); write the name\n")
        .run();
}

#[test]
fn init_never_takes_the_account_from_a_sidecar_image() {
    // App Mesh's Envoy is pulled from AWS's account 840364872350: pinning
    // it would make the task role's trust conditions refuse every task.
    let t = Test::new().file(
        "envoy.json",
        r#"[{"name": "app", "image": "nginx:1"}, {"name": "envoy", "image": "840364872350.dkr.ecr.us-west-2.amazonaws.com/aws-appmesh-envoy:v1.27.0.0-prod"}]"#,
    );
    let dir = t.dir().to_owned();
    t.args([
        "init",
        "--from-task-definition",
        "envoy.json",
        "--output",
        "envoy.yaml",
    ])
    .stdout_starts_with("wrote envoy.yaml")
    .run();
    let spec = std::fs::read_to_string(dir.join("envoy.yaml")).unwrap();
    assert!(
        spec.contains("deployment:\n  partition: \"aws\"  # from containerDefinitions[envoy].image\n  region: \"us-west-2\"  # assumed from containerDefinitions[envoy].image\n  # Only"),
        "{spec}"
    );
    assert!(
        spec.contains("  assumed: [\"region\"]\ntask_definitions:\n"),
        "{spec}"
    );
}
