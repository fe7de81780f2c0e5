//! Task definitions in the loop: the corpus under `tests/task_definitions/`
//! (task definitions written from AWS's documentation, with the grants a
//! correct derivation adds, written by hand), read back from all three
//! generated formats; bad task definitions refused at their own position;
//! `init --from-task-definition`, `verify` and `diff --base` end to end.

mod common;

use std::collections::BTreeSet;

use common::{
    Grant, Test, expected_grants, from_cdk, from_cloudformation, from_terraform, grants, root,
    task_definition_cases,
};
use ecs_iam::render::{Templates, render};

/// The grants of a spec as each format declares them: they must agree.
fn rendered_grants(source: &ecs_iam::spec::Source) -> BTreeSet<Grant> {
    let model = ecs_iam::model::build(source).unwrap_or_else(|e| panic!("{e}"));
    let files = render(&model, &Templates::embedded().unwrap()).unwrap();
    let cfn = grants(&from_cloudformation(&files["cloudformation.yaml"]));
    let tf = grants(&from_terraform(&files));
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

#[test]
fn the_corpus_derives_the_documented_grants_in_all_three_formats() {
    let cases = task_definition_cases("corpus");
    assert!(cases.len() >= 12, "the corpus has {} cases", cases.len());
    let mut failures = Vec::new();
    for dir in cases {
        let spec = dir.join("spec.yaml");
        let source = ecs_iam::spec::load(&spec, ecs_iam::spec_tree::Reach::Tree)
            .unwrap_or_else(|e| panic!("{e}"));
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
        let label = source.spec.task_definitions[0].file();
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
    let cases = task_definition_cases("invalid");
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

/// A register-task-definition input: a private image, a JSON-key secret, a
/// parameter by name, awslogs.
const TASK: &str = r#"{
  "family": "orders",
  "executionRoleArn": "arn:aws:iam::111122223333:role/ops/orders-exec",
  "taskRoleArn": "arn:aws:iam::111122223333:role/ops/orders-app",
  "containerDefinitions": [
    {
      "name": "app",
      "image": "111122223333.dkr.ecr.eu-west-1.amazonaws.com/orders/api:1.4",
      "secrets": [
        {"name": "DB_PASSWORD", "valueFrom": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders/db-AbCdEf:password::"},
        {"name": "API_HOST", "valueFrom": "/orders/api/host"}
      ],
      "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/orders", "awslogs-region": "eu-west-1"}}
    }
  ],
  "networkMode": "awsvpc"
}
"#;

/// The note `verify` prints for a spec without `guardduty_agent`.
fn guardduty_note(spec: &str) -> String {
    format!(
        "{spec}: note: `execution_role.guardduty_agent` is not set: where GuardDuty manages its Runtime Monitoring agent automatically, ECS adds the agent to new Fargate tasks and pulls it with the task execution role from AWS's `aws-guardduty-agent-fargate` repository, which this role does not allow, so those tasks fail with CannotPullContainerError; set it to `true` for such accounts\n"
    )
}

#[test]
fn init_from_a_task_definition_writes_a_spec_that_renders_and_verifies() {
    let out = Test::new()
        .file("taskdefs/orders.json", TASK)
        .args([
            "init",
            "--from-task-definition",
            "taskdefs/orders.json",
            "--output",
            "-",
        ])
        .run();
    assert_eq!(
        out.stdout,
        r#"# ecs-iam role specification for the task definition `taskdefs/orders.json`.
# The roles' grants for its images, secrets, logs, environment files and EFS
# volumes are derived from it at every render: change the task definition and
# `ecs-iam diff` shows what the roles gain or lose; `ecs-iam verify` proves
# that ECS can start each container.
version: 1
name: "orders"  # the task definition's family
# Where the task definition says it runs:
deployment:
  partition: "aws"  # from taskRoleArn
  region: "eu-west-1"  # assumed from containerDefinitions[app].logConfiguration.options.awslogs-region and 1 more
  account_id: "111122223333"  # from taskRoleArn
  # Only `taskDefinitionArn` says where a task runs; the region above is what
  # its log, image and FireLens regions suggest. The task role's trust admits
  # ECS tasks of that region only, so `ecs-iam verify` does not prove what rests
  # on it until you confirm it: once the task runs there, remove `assumed`.
  assumed: ["region"]
task_definitions:
  - "taskdefs/orders.json"
# What it needs (`ecs-iam explain` shows the grants):
#   containerDefinitions[app].image: pull from ECR repository arn:aws:ecr:eu-west-1:111122223333:repository/orders/api
#   containerDefinitions[app].secrets[DB_PASSWORD]: read secret arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders/db-AbCdEf
#   containerDefinitions[app].secrets[API_HOST]: read parameter arn:aws:ssm:eu-west-1:111122223333:parameter/orders/api/host
#   containerDefinitions[app].logConfiguration: write log streams of arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/orders:*
path: "/ops/"  # from the task definition's role ARNs
task_role:
  name: "orders-app"  # from taskRoleArn
  # What the application itself calls is not in the task definition; grant
  # it here, e.g.:
  # s3:
  #   - bucket: <bucket>
  #     prefix: <prefix>/
  #     access: [list, read, write]
execution_role:
  name: "orders-exec"  # from executionRoleArn
  # A secret or SecureString parameter above encrypted with a customer
  # managed KMS key needs that key too (not the AWS managed key):
  # kms_keys:
  #   - arn:<partition>:kms:<region>:<account_id>:key/<key-id>
"#
    );
    // Written beside another folder of the same git work tree, the spec
    // names the task definition relative to itself; it renders and
    // verifies.
    let dir = Test::new()
        .file(".git/HEAD", "ref: refs/heads/main\n")
        .file("taskdefs/orders.json", TASK)
        .args(["init", "--from-task-definition", "taskdefs/orders.json", "--output", "specs/orders.yaml"])
        .stdout("wrote specs/orders.yaml (from task definition `taskdefs/orders.json`); render it with `ecs-iam render specs/orders.yaml`, check it with `ecs-iam verify specs/orders.yaml`\n")
        .run()
        .dir;
    let spec = std::fs::read_to_string(dir.join("specs/orders.yaml")).unwrap();
    assert!(spec.contains("  - \"../taskdefs/orders.json\"\n"), "{spec}");
    // The region is only suggested (by the log option and the image), and
    // the task role's trust and the parameter named without ARN rest on it:
    // not proven until the spec's author confirms it.
    Test::in_dir(&dir)
        .args(["verify", "specs/orders.yaml"])
        .status(1)
        .stdout("specs/orders.yaml:11:11: deployment.region: `eu-west-1` is assumed (`deployment.assumed`), not seen: only a `taskDefinitionArn` says where a task runs, and the task role's trust (`aws:SourceArn` `arn:aws:ecs:eu-west-1:111122223333:*`) and the ARN of `containerDefinitions[app].secrets[API_HOST]` rest on it; not proven: once the task runs in `eu-west-1`, remove `region` from `deployment.assumed`
".to_owned() + &guardduty_note("specs/orders.yaml") +
            "specs/orders.yaml: 8 of 8 calls ECS makes to start 1 container of ../taskdefs/orders.json are allowed by what ecs-iam can see; not proven
",
        )
        .run();
    std::fs::write(
        dir.join("specs/orders.yaml"),
        spec.replace("  assumed: [\"region\"]\n", ""),
    )
    .unwrap();
    Test::in_dir(&dir)
        .args(["verify", "specs/orders.yaml"])
        .stdout(guardduty_note("specs/orders.yaml") +
            "specs/orders.yaml: 8 of 8 calls ECS makes to start 1 container of ../taskdefs/orders.json are allowed
",
        )
        .run();
    // It never overwrites, and a bad task definition writes nothing.
    Test::in_dir(&dir)
        .args(["init", "--from-task-definition", "taskdefs/orders.json", "--output", "specs/orders.yaml"])
        .status(2)
        .stderr("error: `specs/orders.yaml` already exists; remove it or pass --output with another path\n")
        .run();
    let bad = Test::new()
        .file("t.json", TASK.replace("/orders/api:1.4", "/Orders:1.4"))
        .args(["init", "--from-task-definition", "t.json"])
        .status(2)
        .stderr_starts_with("error: t.json:8:16: `containerDefinitions[app].image`: image ")
        .run();
    assert!(!bad.dir.join("orders.yaml").exists());
}

#[test]
fn a_spec_written_for_awslogs_create_group_verifies_strictly() {
    // `logs:CreateLogGroup` is granted on the ARN the ECS agent asks for
    // and nothing else, so `--strict` finds no unneeded grant.
    let task = TASK.replace(
        r#""awslogs-region": "eu-west-1"}"#,
        r#""awslogs-region": "eu-west-1", "awslogs-create-group": "true"}"#,
    );
    assert_ne!(task, TASK);
    let dir = Test::new()
        .file("orders.json", &task)
        .args([
            "init",
            "--from-task-definition",
            "orders.json",
            "--output",
            "orders.yaml",
        ])
        .run()
        .dir;
    // Its region confirmed.
    let spec = std::fs::read_to_string(dir.join("orders.yaml")).unwrap();
    std::fs::write(
        dir.join("orders.yaml"),
        spec.replace("  assumed: [\"region\"]\n", ""),
    )
    .unwrap();
    Test::in_dir(&dir)
        .args(["verify", "orders.yaml", "--strict"])
        .stdout(guardduty_note("orders.yaml") +
            "orders.yaml: 9 of 9 calls ECS makes to start 1 container of orders.json are allowed
",
        )
        .run();
}

#[test]
fn an_unneeded_derived_grant_points_at_its_task_definition_field() {
    // The spec derives its grants from orders.json; verified against a
    // task definition with the image alone, the secret, the parameter and
    // the log group are unneeded, each named at the field that asked.
    let image_only = r#"{
  "family": "orders",
  "taskRoleArn": "arn:aws:iam::111122223333:role/ops/orders-app",
  "executionRoleArn": "arn:aws:iam::111122223333:role/ops/orders-exec",
  "containerDefinitions": [
    {"name": "app", "image": "111122223333.dkr.ecr.eu-west-1.amazonaws.com/orders/api:1.4"}
  ],
  "networkMode": "awsvpc"
}
"#;
    Test::new()
        .file("orders.json", TASK)
        .file("image-only.json", image_only)
        .file(
            "orders.yaml",
            "version: 1\nname: orders\ndeployment: {partition: aws, region: eu-west-1, account_id: \"111122223333\"}\ntask_definitions: [orders.json]\n",
        )
        .args(["verify", "orders.yaml", "--task-definition", "image-only.json"])
        .stdout(
            "orders.json:13:41: warning: containerDefinitions[app].logConfiguration: the execution role grants logs:CreateLogStream, logs:PutLogEvents on arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/orders:*, which no task definition needs (--strict fails on it)
orders.json:10:46: warning: containerDefinitions[app].secrets[DB_PASSWORD]: the execution role grants secretsmanager:GetSecretValue on arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders/db-AbCdEf, which no task definition needs (--strict fails on it)
orders.json:11:43: warning: containerDefinitions[app].secrets[API_HOST]: the execution role grants ssm:GetParameters on arn:aws:ssm:eu-west-1:111122223333:parameter/orders/api/host, which no task definition needs (--strict fails on it)
".to_owned() + &guardduty_note("orders.yaml") + "orders.yaml: 4 of 4 calls ECS makes to start 1 container of image-only.json are allowed
",
        )
        .run();
}

/// A hand-written spec that misses the parameter and pins the deployment.
const HAND: &str = "version: 1
name: orders
deployment: {partition: aws, region: eu-west-1, account_id: \"111122223333\"}
path: /ops/
task_role:
  name: orders-app
execution_role:
  name: orders-exec
  ecr:
    repositories: [orders/api]
  logs:
    groups: [/ecs/orders, /ecs/legacy]
  secrets: [\"arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders/db-AbCdEf\"]
";

#[test]
fn verify_names_each_missing_call_and_each_unneeded_grant() {
    let t = || {
        Test::new()
            .file("orders.json", TASK)
            .file("hand.yaml", HAND)
    };
    t().args(["verify", "hand.yaml", "--task-definition", "orders.json"])
        .status(1)
        .stdout(
            "orders.json:11:43: containerDefinitions[app].secrets[API_HOST]: the task execution role does not allow ssm:GetParameters on arn:aws:ssm:eu-west-1:111122223333:parameter/orders/api/host (no statement allows it); ECS fails to start container `app` with ResourceInitializationError: unable to pull secrets or registry auth: unable to retrieve secrets from ssm (AccessDeniedException)
hand.yaml:12:5: warning: execution_role.logs.groups: the execution role grants logs:CreateLogStream, logs:PutLogEvents on arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/legacy:*, which no task definition needs (--strict fails on it)
".to_owned() + &guardduty_note("hand.yaml") + "hand.yaml: 7 of 8 calls ECS makes to start 1 container of orders.json are allowed; 1 missing
",
        )
        .run();
    // With the parameter granted, the roles suffice; --strict still fails
    // on the log group no container writes to.
    let fixed = HAND.replace(
        "  secrets:",
        "  ssm_parameters: [/orders/api/host]\n  secrets:",
    );
    t().file("hand.yaml", &fixed)
        .args(["verify", "hand.yaml", "--task-definition", "orders.json"])
        .stdout_ends_with(
            "hand.yaml: 8 of 8 calls ECS makes to start 1 container of orders.json are allowed\n",
        )
        .run();
    t().file("hand.yaml", &fixed)
        .args([
            "verify",
            "hand.yaml",
            "--task-definition",
            "orders.json",
            "--strict",
        ])
        .status(1)
        .stdout_contains("hand.yaml:12:5: error: execution_role.logs.groups: ")
        .run();
    // A Deny the spec writes is a denial ECS meets.
    let denied = format!(
        "{fixed}  statements:\n    - sid: NoSsm\n      effect: Deny\n      actions: [ssm:*]\n      resources: [\"*\"]\n"
    );
    t().file("hand.yaml", &denied)
        .args(["verify", "hand.yaml", "--task-definition", "orders.json"])
        .status(1)
        .stdout_contains("(denied by statement `NoSsm`)")
        .run();
    // JSON and SARIF carry the same findings; SARIF validates.
    let json = t()
        .args([
            "verify",
            "hand.yaml",
            "--task-definition",
            "orders.json",
            "--format",
            "json",
        ])
        .status(1)
        .run()
        .stdout;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["kind"], "verify");
    assert_eq!(v["proven"], false);
    assert_eq!(v["missing"][0]["request"]["action"], "ssm:GetParameters");
    assert_eq!(v["missing"][0]["at"]["line"], 11);
    let sarif = t()
        .args([
            "verify",
            "hand.yaml",
            "--task-definition",
            "orders.json",
            "--format",
            "sarif",
        ])
        .status(1)
        .run()
        .stdout;
    let sarif: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let validator = jsonschema::validator_for(&common::sarif_schema()).unwrap();
    assert!(validator.is_valid(&sarif), "{sarif}");
    assert_eq!(
        sarif["runs"][0]["results"][0]["ruleId"],
        "missing-permission"
    );
    // Nothing to verify against, and a permissions boundary it cannot see.
    t().args(["verify", "hand.yaml"])
        .status(2)
        .stderr("error: `hand.yaml` names no task definitions; add `task_definitions: [<file>]` to it, or pass --task-definition <file>\n")
        .run();
    let bounded = format!("{fixed}permissions_boundary: ops-boundary\n");
    t().file("hand.yaml", &bounded)
        .args(["verify", "hand.yaml", "--task-definition", "orders.json"])
        .status(1)
        .stdout_contains("hand.yaml: not proven: the task execution role has the permissions boundary arn:aws:iam::111122223333:policy/ops-boundary, whose content ecs-iam does not know: it may deny what the policies allow\n")
        .run();
    let managed = fixed.replace(
        "execution_role:\n",
        "execution_role:\n  managed_policies: [SecretsManagerReadWrite]\n",
    );
    t().file("hand.yaml", &managed)
        .args(["verify", "hand.yaml", "--task-definition", "orders.json"])
        .status(1)
        .stdout_contains("hand.yaml: not proven: the task execution role attaches the managed policy SecretsManagerReadWrite, whose content ecs-iam does not know: it may deny what the policies allow\n")
        .run();
}

#[test]
fn a_secret_added_to_the_task_definition_is_broadening_in_review() {
    let dir = Test::new()
        .file("orders.json", TASK)
        .file(
            "orders.yaml",
            "version: 1\nname: orders\ntask_definitions: [orders.json]\n",
        )
        .dir()
        .to_owned();
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(&dir)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "base"]);
    // Unchanged: in sync.
    Test::in_dir(&dir)
        .args([
            "diff",
            "--base",
            "main",
            "orders.yaml",
            "--fail-on",
            "broadening",
        ])
        .stdout("`main` is in sync with `the working tree`: 1 workload: 0 new, 0 removed, 0 changed, 1 unchanged\n")
        .run();
    let grown = TASK.replace(
        r#"{"name": "API_HOST""#,
        r#"{"name": "STRIPE", "valueFrom": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:stripe/key-Zz9Yy8"},
        {"name": "API_HOST""#,
    );
    std::fs::write(dir.join("orders.json"), grown).unwrap();
    Test::in_dir(&dir)
        .args([
            "diff",
            "--base",
            "main",
            "orders.yaml",
            "--fail-on",
            "broadening",
        ])
        .status(1)
        .stdout_contains("arn:aws:secretsmanager:eu-west-1:111122223333:secret:stripe/key-Zz9Yy8")
        .stdout_contains("broaden")
        .run();
}

#[test]
fn the_guardduty_agent_is_verified_when_set_and_noted_when_not() {
    let spec = "version: 1
name: orders
deployment: {region: eu-west-1}
task_definitions: [orders.json]
";
    let t = |spec: &str| {
        Test::new()
            .file("orders.json", TASK)
            .file("orders.yaml", spec)
    };
    // Off: a note, not a failure.
    t(spec)
        .args(["verify", "orders.yaml", "--strict"])
        .stdout_starts_with(guardduty_note("orders.yaml"))
        .stdout_ends_with(
            "orders.yaml: 8 of 8 calls ECS makes to start 1 container of orders.json are allowed\n",
        )
        .run();
    // A role that already allows the pull gets no note.
    let managed =
        format!("{spec}execution_role:\n  managed_policies: [AmazonECSTaskExecutionRolePolicy]\n");
    let out = t(&managed).args(["verify", "orders.yaml"]).run();
    assert!(!out.stdout.contains("note:"), "{}", out.stdout);
    // On: the agent's four pull calls are evaluated too, and allowed.
    let on = format!("{spec}execution_role:\n  guardduty_agent: true\n");
    let out = t(&on)
        .args(["verify", "orders.yaml", "--strict"])
        .stdout_ends_with("orders.yaml: 12 of 12 calls ECS makes to start 1 container of orders.json are allowed\n")
        .run();
    assert!(!out.stdout.contains("note:"), "{}", out.stdout);
    // A Deny on the agent's repository is a call ECS is refused, at the
    // setting's line.
    let denied = format!(
        "{on}  statements:\n    - sid: NoAgent\n      effect: Deny\n      actions: [ecr:BatchGetImage]\n      resources: [\"arn:aws:ecr:eu-west-1:694911143906:repository/aws-guardduty-agent-fargate\"]\n"
    );
    t(&denied)
        .args(["verify", "orders.yaml"])
        .status(1)
        .stdout_starts_with("orders.yaml:6:20: execution_role.guardduty_agent: the task execution role does not allow ecr:BatchGetImage on arn:aws:ecr:eu-west-1:694911143906:repository/aws-guardduty-agent-fargate (denied by statement `NoAgent`); ECS fails to start the task with CannotPullContainerError: pull access denied (AccessDeniedException)\n")
        .run();
}

#[test]
fn the_guardduty_note_is_only_for_task_definitions_fargate_can_run() {
    // Fargate runs only `awsvpc` tasks (ECS's default network mode is
    // `bridge`), of task definitions whose launch types allow it: the note
    // about GuardDuty's Fargate agent is printed only when one may run there.
    let image = r#""executionRoleArn": "arn:aws:iam::111122223333:role/app-execution", "containerDefinitions": [{"name": "app", "image": "111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:1"}]"#;
    let cases = [
        (
            "describe output: compatibilities EC2 only, bridge",
            format!(
                r#"{{"taskDefinition": {{"family": "app", "networkMode": "bridge", "compatibilities": ["EC2"], {image}}}}}"#
            ),
            false,
        ),
        (
            "requiresCompatibilities EC2 only",
            format!(r#"{{"family": "app", "requiresCompatibilities": ["EC2"], {image}}}"#),
            false,
        ),
        (
            "no networkMode: bridge",
            format!(r#"{{"family": "app", {image}}}"#),
            false,
        ),
        (
            "host network mode",
            format!(r#"{{"family": "app", "networkMode": "host", {image}}}"#),
            false,
        ),
        (
            "awsvpc, no launch type",
            format!(r#"{{"family": "app", "networkMode": "awsvpc", {image}}}"#),
            true,
        ),
        (
            "awsvpc, EC2 and FARGATE",
            format!(
                r#"{{"family": "app", "networkMode": "awsvpc", "requiresCompatibilities": ["EC2", "FARGATE"], {image}}}"#
            ),
            true,
        ),
        (
            "a bare list: the network mode is set beside it",
            r#"[{"name": "app", "image": "111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:1"}]"#
                .to_owned(),
            true,
        ),
    ];
    let spec = "version: 1\nname: app\ndeployment: {partition: aws, region: eu-west-1, account_id: \"111122223333\"}\ntask_definitions: [app.json]\n";
    for (case, task, noted) in cases {
        let out = Test::new()
            .file("app.json", task)
            .file("app.yaml", spec)
            .args(["verify", "app.yaml"])
            .stdout_ends_with(
                "app.yaml: 4 of 4 calls ECS makes to start 1 container of app.json are allowed\n",
            )
            .run();
        assert_eq!(
            out.stdout.contains(&guardduty_note("app.yaml")),
            noted,
            "{case}: {}",
            out.stdout
        );
    }
    // A CloudFormation network mode left to a parameter may be `awsvpc`.
    let template = "Parameters:\n  Mode: {Type: String}\nResources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      NetworkMode: !Ref Mode\n      ExecutionRoleArn: arn:aws:iam::111122223333:role/app-execution\n      ContainerDefinitions:\n        - Name: app\n          Image: 111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:1\n";
    Test::new()
        .file("template.yaml", template)
        .file("app.yaml", spec.replace("app.json", "template.yaml"))
        .args(["verify", "app.yaml"])
        .stdout_starts_with(guardduty_note("app.yaml"))
        .run();
}

#[test]
fn the_guardduty_agent_needs_a_region_its_user_guide_lists() {
    for (deployment, message) in [
        (
            "",
            "the GuardDuty agent's repository is in an AWS-owned account that differs per region, and the region is left to deploy time; pin it with `deployment: {region: <region>}`",
        ),
        (
            "deployment: {partition: aws-us-gov, region: us-gov-west-1}\n",
            "GuardDuty's user guide lists no Fargate agent repository for region `us-gov-west-1` (it lists commercial regions only); remove `guardduty_agent`, or grant the repository in `statements` if AWS has since published one",
        ),
    ] {
        let line = 4 + deployment.lines().count();
        Test::new()
            .file(
                "s.yaml",
                format!("version: 1\nname: orders\n{deployment}execution_role:\n  guardduty_agent: true\n"),
            )
            .args(["render", "s.yaml", "--out", "out"])
            .status(2)
            .stderr(format!(
                "error: s.yaml:{line}:20: `execution_role.guardduty_agent`: {message}\n"
            ))
            .run();
    }
}

#[test]
fn firelens_outputs_outside_aws_need_no_grant() {
    // The log router's output writes with the task role only when it
    // reaches an AWS API: Fluent Bit's (`Name`) and Fluentd's (`@type`)
    // other outputs need nothing, and verify proves the task; an output
    // that signs with the task role, or one ecs-iam does not know, is a
    // warning and "not proven", each at its value.
    let task = |options: &str| {
        format!(
            "{{\"family\": \"app\", \"taskRoleArn\": \"arn:aws:iam::111122223333:role/app-task\", \"executionRoleArn\": \"arn:aws:iam::111122223333:role/app-execution\", \"containerDefinitions\": [\n  {{\"name\": \"router\", \"image\": \"public.ecr.aws/aws-observability/aws-for-fluent-bit:stable\", \"firelensConfiguration\": {{\"type\": \"fluentbit\"}}}},\n  {{\"name\": \"app\", \"image\": \"nginx\", \"logConfiguration\": {{\"logDriver\": \"awsfirelens\", \"options\": {{{options}}}}}}}]}}\n"
        )
    };
    let spec = "version: 1\nname: app\ndeployment: {partition: aws, region: eu-west-1, account_id: \"111122223333\"}\ntask_definitions: [app.json]\n";
    let proven = "app.yaml: 0 of 0 calls ECS makes to start 2 containers of app.json are allowed\n";
    for options in [
        r#""Name": "datadog", "Host": "http-intake.logs.datadoghq.eu", "TLS": "on", "apikey": "k""#,
        r#""Name": "http", "Host": "logs.example.com", "URI": "/ingest", "Format": "json""#,
        r#""Name": "newrelic", "endpoint": "https://log-api.eu.newrelic.com/log/v1""#,
        r#""Name": "splunk", "Host": "splunk.example.com", "Port": "8088""#,
        r#""Name": "loki", "host": "loki.example.com", "labels": "job=app""#,
        r#""Name": "grafana-loki", "Url": "https://logs.example.com/loki/api/v1/push""#,
        r#""Name": "es", "Host": "search.example.com", "AWS_Auth": "Off""#,
        r#""Name": "gcs", "bucket": "app-logs""#,
        r#""@type": "datadog", "api_key": "k", "dd_source": "app""#,
        r#""@type": "forward", "host": "aggregator.internal", "port": "24224""#,
        r#""@type": "splunk_hec", "hec_host": "splunk.example.com""#,
    ] {
        Test::new()
            .file("app.json", task(options))
            .file("app.yaml", spec)
            .args(["verify", "app.yaml"])
            .stdout(proven)
            .run();
    }
    let not_proven = "app.yaml: 0 of 0 calls ECS makes to start 2 containers of app.json are allowed by what ecs-iam can see; not proven\n";
    for (options, warning) in [
        (
            r#""@type": "cloudwatch_logs", "log_group_name": "app", "log_stream_name": "app", "region": "eu-west-1""#,
            "app.json:3:107: warning: the Fluentd output `cloudwatch_logs` (`@type`) of `containerDefinitions[app].logConfiguration` writes to AWS with the task role, with permissions ecs-iam derives for Fluent Bit's outputs only: grant them in `task_role.firelens` or `task_role.statements`; not proven",
        ),
        (
            r#""@type": "relabel", "@label": "@ROUTED""#,
            "app.json:3:107: warning: ecs-iam does not know the Fluentd output `relabel` (`@type`) of `containerDefinitions[app].logConfiguration`, nor whether it calls AWS with the task role: if it does, grant that in `task_role.statements`; not proven",
        ),
        (
            r#""Name": "kafka", "brokers": "b-1.msk.example.com:9098", "aws_msk_iam": "true""#,
            "app.json:3:106: warning: the FireLens output `kafka` of `containerDefinitions[app].logConfiguration` authenticates to AWS, with permissions ecs-iam does not derive: grant them in `task_role.statements`; not proven",
        ),
        (
            r#""Name": "http", "Host": "aps-workspaces.eu-west-1.amazonaws.com", "aws_auth": "On""#,
            "app.json:3:106: warning: the FireLens output `http` of `containerDefinitions[app].logConfiguration` authenticates to AWS, with permissions ecs-iam does not derive: grant them in `task_role.statements`; not proven",
        ),
        (
            r#""Name": "mystery", "Host": "x""#,
            "app.json:3:106: warning: ecs-iam does not know the FireLens output `mystery` of `containerDefinitions[app].logConfiguration`, nor whether it calls AWS with the task role: if it does, grant that in `task_role.statements`; not proven",
        ),
    ] {
        Test::new()
            .file("app.json", task(options))
            .file("app.yaml", spec)
            .args(["verify", "app.yaml"])
            .status(1)
            .stdout(format!("{warning}\n{not_proven}"))
            .run();
    }
}

#[test]
fn firelens_names_regions_and_functions_are_refused_where_they_stand() {
    // (task definition, the one line `render` prints), each exit 2 with
    // nothing written.
    let cases = [
        (
            r#"{"containerDefinitions": [{"name": "r", "image": "nginx", "firelensConfiguration": {"type": "fluentbit", "options": {"config-file-type": "s3"}}}]}"#,
            "error: t.json:1:84: `containerDefinitions[r].firelensConfiguration`: `config-file-type` is `s3` but there is no `config-file-value`; give the configuration file's S3 object ARN",
        ),
        (
            r#"{"containerDefinitions": [{"name": "a", "image": "nginx", "logConfiguration": {"logDriver": "awsfirelens", "options": {"Name": "kinesis_firehose", "region": "eu-west-1"}}}]}"#,
            "error: t.json:1:128: `containerDefinitions[a].logConfiguration.options.Name`: the FireLens output `kinesis_firehose` has no `delivery_stream` option; Fluent Bit requires it, add it",
        ),
        (
            r#"{"containerDefinitions": [{"name": "a", "image": "nginx", "logConfiguration": {"logDriver": "awsfirelens", "options": {"Name": "kinesis_firehose", "delivery_stream": "s", "role_arn": "arn:aws:iam::111122223333:role/fb"}}}]}"#,
            "error: t.json:1:184: `containerDefinitions[a].logConfiguration.options.role_arn`: the FireLens output writes with the role `arn:aws:iam::111122223333:role/fb` (`role_arn`), whose permissions ecs-iam cannot see: drop `role_arn` so that the log router writes with the task role, which ecs-iam then grants",
        ),
        (
            r#"{"containerDefinitions": [{"name": "a", "image": "nginx", "logConfiguration": {"logDriver": "awsfirelens", "options": {"Name": "kinesis_streams", "stream": "bad stream"}}}]}"#,
            "error: t.json:1:157: `containerDefinitions[a].logConfiguration.options.stream`: `bad stream` is not a valid stream name; use letters, digits, `_`, `.` and `-`",
        ),
        (
            r#"{"containerDefinitions": [{"name": "a", "image": "nginx", "logConfiguration": {"logDriver": "awsfirelens", "options": {"Name": "s3", "bucket": "Bad_Bucket"}}}]}"#,
            "error: t.json:1:144: `containerDefinitions[a].logConfiguration.options.bucket`: `Bad_Bucket` is not a valid S3 bucket name; use 3 to 63 lowercase letters, digits, `.` and `-`, starting and ending with a letter or digit",
        ),
        (
            r#"{"containerDefinitions": [{"name": "a", "image": "nginx", "logConfiguration": {"logDriver": "awsfirelens", "options": {"Name": "s3", "bucket": "logs", "s3_key_format": "/{{ env }}/app/$TAG"}}}]}"#,
            "error: t.json:1:169: `containerDefinitions[a].logConfiguration.options.s3_key_format`: `/{{ env }}/app/$TAG` is a template placeholder (`{{ ... }}`), not an AWS value: fill the template first (run ecs-iam on the file CI deploys), or write the value here",
        ),
        (
            r#"{"containerDefinitions": [{"name": "a", "image": "nginx", "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/a", "awslogs-region": "cn-north-1"}}}]}"#,
            "error: t.json:1:161: `containerDefinitions[a].logConfiguration.options.awslogs-region`: region `cn-north-1` is not in partition `aws`; fix `deployment.partition` or `deployment.region`",
        ),
        (
            r#"{"containerDefinitions": [{"name": "a", "image": "nginx", "secrets": [{"Fn::If": ["C", {"name": "A", "valueFrom": "/a"}, {"Ref": "AWS::NoValue"}]}]}]}"#,
            "error: t.json:1:71: `containerDefinitions[a].secrets`: `Fn::If` is a CloudFormation function, but this file is not a CloudFormation template, so nothing evaluates it: write the value",
        ),
    ];
    for (task, stderr) in cases {
        let t = Test::new().file("t.json", task).file(
            "t.yaml",
            "version: 1\nname: e\ndeployment: {partition: aws}\ntask_definitions: [t.json]\n",
        );
        let dir = t.dir().to_owned();
        t.args(["render", "t.yaml", "--out", "out"])
            .status(2)
            .stderr(format!("{stderr}\n"))
            .run();
        assert!(!dir.join("out").exists(), "{stderr}");
    }
}

#[test]
fn repository_credentials_are_refused_at_credentials_parameter() {
    // The error names the field that holds the value, in every shape.
    let cases = [
        (
            "t.json",
            "{\"containerDefinitions\": [{\"name\": \"a\", \"image\": \"registry.example.com/a:1\",\n  \"repositoryCredentials\": {\"credentialsParameter\": \"arn:aws:s3:::creds/a.json\"}}]}",
            "2:53",
        ),
        (
            "t.yaml",
            "Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: a\n          Image: registry.example.com/a:1\n          RepositoryCredentials:\n            CredentialsParameter: arn:aws:s3:::creds/a.json\n",
            "9:35",
        ),
    ];
    for (file, task, at) in cases {
        Test::new()
            .file(file, task)
            .file(
                "spec.yaml",
                format!("version: 1\nname: e\ndeployment: {{partition: aws}}\ntask_definitions: [{file}]\n"),
            )
            .args(["render", "spec.yaml", "--out", "out"])
            .status(2)
            .stderr(format!("error: {file}:{at}: `containerDefinitions[a].repositoryCredentials.credentialsParameter`: `arn:aws:s3:::creds/a.json` is an ARN of service `s3`; ECS reads this field from Secrets Manager (`secretsmanager`) only\n"))
            .run();
    }
}

/// A template whose log group is named from a parameter and whose image tag
/// is another, with visible role ARNs.
const PARAMETER_TEMPLATE: &str = "Parameters:
  Env:
    Type: String
  Tag:
    Type: String
    Default: latest
Resources:
  Logs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub /ecs/${Env}/orders
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: orders
      TaskRoleArn: !Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:role/orders-task
      ExecutionRoleArn: !Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:role/orders-execution
      ContainerDefinitions:
        - Name: app
          Image: !Sub ${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/orders:${Tag}
          LogConfiguration:
            LogDriver: awslogs
            Options:
              awslogs-group: !Ref Logs
              awslogs-region: !Ref AWS::Region
              awslogs-stream-prefix: app
      NetworkMode: awsvpc
";

const GUARDDUTY_NOTE: &str = "spec.yaml: note: `execution_role.guardduty_agent` is not set: where GuardDuty manages its Runtime Monitoring agent automatically, ECS adds the agent to new Fargate tasks and pulls it with the task execution role from AWS's `aws-guardduty-agent-fargate` repository, which this role does not allow, so those tasks fail with CannotPullContainerError; set it to `true` for such accounts\n";

#[test]
fn template_parameters_are_given_by_the_spec_or_the_command_line() {
    let spec = "version: 1\nname: orders\ntask_definitions: [template.yaml]\n";
    let env = "template.yaml:11:21: `Resources.Logs.Properties.LogGroupName`: `Env` is a parameter of the template, known at deploy time: declare it under `inputs:` in the spec to keep it one (`inputs: {Env: {description: ...}}`), or give its value with `parameters: {Env: ...}` beside `task_definitions:` (or `--parameter Env=VALUE`)";
    let tag = "template.yaml:20:18: `containerDefinitions[app].image`: `Tag` is a parameter of the template, known at deploy time: declare it under `inputs:` in the spec to keep it one (`inputs: {Tag: {description: ...}}`), or give its value with `parameters: {Tag: ...}` beside `task_definitions:` (or `--parameter Tag=VALUE`); its `Default` is `latest`";
    let t = || {
        Test::new()
            .file("template.yaml", PARAMETER_TEMPLATE)
            .file("spec.yaml", spec)
    };
    // Without values: both reported at once, in line order, nothing written.
    let out = t()
        .args(["render", "spec.yaml", "--out", "out"])
        .status(2)
        .stderr(format!("error: {env}\nerror: {tag}\n"))
        .run();
    assert!(!out.dir.join("out").exists());
    // verify: not proven, naming each value.
    let unseen = "; not proven: the grant it decides is not derived\n";
    t().args(["verify", "spec.yaml"])
        .status(1)
        .stdout(format!(
            "{env}{unseen}{tag}{unseen}{GUARDDUTY_NOTE}spec.yaml: 0 of 0 calls ECS makes to start 1 container of template.yaml are allowed by what ecs-iam can see; not proven\n"
        ))
        .run();
    // Given on the command line: proven.
    t().args([
        "verify",
        "spec.yaml",
        "--parameter",
        "Env=prod",
        "--parameter",
        "Tag=v1",
    ])
    .status(0)
    .stdout(format!(
        "{GUARDDUTY_NOTE}spec.yaml: 6 of 6 calls ECS makes to start 1 container of template.yaml are allowed\n"
    ))
    .run();
    // Given in the spec: rendered, the group named from the value.
    let out = Test::new()
        .file("template.yaml", PARAMETER_TEMPLATE)
        .file(
            "spec.yaml",
            format!("{spec}parameters:\n  Env: prod\n  Tag: v1\n"),
        )
        .args(["render", "spec.yaml", "--out", "out"])
        .status(0)
        .run();
    let cfn = std::fs::read_to_string(out.dir.join("out/orders/cloudformation.yaml")).unwrap();
    assert!(
        cfn.contains(
            "- !Sub \"arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/ecs/prod/orders:*\""
        ),
        "{cfn}"
    );
    // A value for a name no template uses: most likely misspelt.
    Test::new()
        .file("template.yaml", PARAMETER_TEMPLATE)
        .file(
            "spec.yaml",
            format!("{spec}parameters:\n  Env: prod\n  Tag: v1\n  Tga: v2\n"),
        )
        .args(["render", "spec.yaml", "--out", "out"])
        .status(0)
        .stderr("spec.yaml:7:8: warning: `parameters.Tga` is used by no `Ref`, `Fn::GetAtt`, `Fn::Sub` or template placeholder of the task definitions; check its name, or remove it\n")
        .run();
    // init writes the values it was given into the spec.
    let out = Test::new()
        .file("template.yaml", PARAMETER_TEMPLATE)
        .args([
            "init",
            "--from-task-definition",
            "template.yaml",
            "--parameter",
            "Env=prod",
            "--parameter",
            "Tag=v1",
            "--output",
            "spec.yaml",
        ])
        .status(0)
        .run();
    let written = std::fs::read_to_string(out.dir.join("spec.yaml")).unwrap();
    assert!(
        written.contains(
            "# What the template leaves to deploy time, as given to `init`:\nparameters:\n  \"Env\": \"prod\"\n  \"Tag\": \"v1\"\n"
        ),
        "{written}"
    );
    // A value without a name is refused by the argument parser.
    Test::new()
        .args(["verify", "spec.yaml", "--parameter", "=x"])
        .status(2)
        .stderr_starts_with(
            "error: invalid value '=x' for '--parameter <NAME=VALUE>': expected NAME=VALUE, found `=x`",
        )
        .run();
}

/// The column (from 1) of the `n`th occurrence of `needle` in a one-line
/// JSON file.
fn column_of(text: &str, needle: &str, n: usize) -> usize {
    text.match_indices(needle).nth(n).unwrap().0 + 1
}

#[test]
fn terraform_plans_name_their_task_definition_and_what_apply_decides() {
    let plan = std::fs::read_to_string(
        root().join("tests/task_definitions/corpus/terraform-plan-child-module/plan.json"),
    )
    .unwrap();
    let spec = |reference: &str| {
        format!("version: 1\nname: orders\ntask_definitions: [\"{reference}\"]\n")
    };
    // Two task definitions: the address picks one.
    Test::new()
        .file("plan.json", &plan)
        .file("spec.yaml", spec("plan.json"))
        .args(["render", "spec.yaml", "--out", "out"])
        .status(2)
        .stderr("error: plan.json:1:1: the file has 2 task definitions (`aws_ecs_task_definition.worker`, `module.orders.aws_ecs_task_definition.this`); name one as `<file>#<address>`\n")
        .run();
    Test::new()
        .file("plan.json", &plan)
        .file("spec.yaml", spec("plan.json#module.billing.aws_ecs_task_definition.this"))
        .args(["render", "spec.yaml", "--out", "out"])
        .status(2)
        .stderr("error: plan.json:1:1: the file has no `aws_ecs_task_definition` at `module.billing.aws_ecs_task_definition.this`; it has `aws_ecs_task_definition.worker`, `module.orders.aws_ecs_task_definition.this`\n")
        .run();
    // A plan without a task definition, and one whose
    // `container_definitions` is not JSON.
    Test::new()
        .file(
            "plan.json",
            r#"{"format_version":"1.2","planned_values":{"root_module":{"resources":[]}}}"#,
        )
        .file("spec.yaml", spec("plan.json"))
        .args(["render", "spec.yaml", "--out", "out"])
        .status(2)
        .stderr("error: plan.json:1:1: the file has no `aws_ecs_task_definition` resource (in `planned_values`, `values` or `resources`, root or child modules)\n")
        .run();
    let broken = r#"{"format_version":"1.2","planned_values":{"root_module":{"resources":[{"address":"aws_ecs_task_definition.app","mode":"managed","type":"aws_ecs_task_definition","name":"app","values":{"family":"app","container_definitions":"[{\"name\": "}}]}}}"#;
    let at = column_of(broken, "\"[{", 0);
    Test::new()
        .file("plan.json", broken)
        .file("spec.yaml", spec("plan.json"))
        .args(["render", "spec.yaml", "--out", "out"])
        .status(2)
        .stderr_starts_with(format!(
            "error: plan.json:1:{at}: `container_definitions`: `container_definitions` is not a JSON list: not JSON: "
        ))
        .run();
    // `container_definitions` built from values known only after apply:
    // absent from `planned_values`, `true` in `after_unknown`.
    let mut doc: serde_json::Value = serde_json::from_str(&plan).unwrap();
    let worker = &mut doc["planned_values"]["root_module"]["resources"][0];
    worker["values"]
        .as_object_mut()
        .unwrap()
        .remove("container_definitions");
    doc["resource_changes"][0]["change"]["after_unknown"]["container_definitions"] =
        serde_json::Value::Bool(true);
    let unknown = serde_json::to_string(&doc).unwrap();
    // The worker resource's `{` in `planned_values` (serde_json writes the
    // keys in order: `address` first, `planned_values` before
    // `resource_changes`).
    let at = column_of(
        &unknown,
        "{\"address\":\"aws_ecs_task_definition.worker\"",
        0,
    );
    Test::new()
        .file("plan.json", &unknown)
        .file("spec.yaml", spec("plan.json#aws_ecs_task_definition.worker"))
        .args(["render", "spec.yaml", "--out", "out"])
        .status(2)
        .stderr(format!("error: plan.json:1:{at}: `aws_ecs_task_definition.worker.container_definitions`: the plan knows this value only after apply (`after_unknown`); read the task definition from the state after apply (`terraform show -json > state.json`), or write the value\n"))
        .run();
    // An EFS file system the same plan creates: its id is unknown.
    let root_plan = std::fs::read_to_string(
        root().join("tests/task_definitions/corpus/terraform-plan-root-module/plan.json"),
    )
    .unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&root_plan).unwrap();
    doc["planned_values"]["root_module"]["resources"][0]["values"]["volume"][0]
        ["efs_volume_configuration"][0]
        .as_object_mut()
        .unwrap()
        .remove("file_system_id");
    doc["resource_changes"][0]["change"]["after_unknown"]["volume"][0]["efs_volume_configuration"]
        [0]["file_system_id"] = serde_json::Value::Bool(true);
    let unknown = serde_json::to_string(&doc).unwrap();
    // The block's `{`, the first after `"efs_volume_configuration":[` (in
    // `planned_values`, written before `resource_changes`).
    let at = column_of(&unknown, "\"efs_volume_configuration\":[{", 0)
        + "\"efs_volume_configuration\":[".len();
    let efs = format!(
        "plan.json:1:{at}: `volumes[uploads].efsVolumeConfiguration.fileSystemId`: the plan knows this value only after apply (`after_unknown`); read the task definition from the state after apply (`terraform show -json > state.json`), or write the value"
    );
    Test::new()
        .file("plan.json", &unknown)
        .file("spec.yaml", spec("plan.json"))
        .args(["render", "spec.yaml", "--out", "out"])
        .status(2)
        .stderr(format!("error: {efs}\n"))
        .run();
    let out = Test::new()
        .file("plan.json", &unknown)
        .file("spec.yaml", spec("plan.json"))
        .args(["verify", "spec.yaml"])
        .status(1)
        .run();
    assert!(
        out.stdout.contains(&format!(
            "{efs}; not proven: the grant it decides is not derived\n"
        )),
        "{}",
        out.stdout
    );
}
