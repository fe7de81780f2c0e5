//! Task definitions kept as templates: every placeholder syntax reported
//! at its own position in one run, placeholders in place of JSON values
//! read as stand-ins, and a spec that maps placeholders to inputs rendered
//! and verified with the same input on both sides.

mod common;

use common::Test;

/// The GitHub render-task-definition style, with a tutorial's `{INSERT
/// REGION}`, a test harness's `$$$X$$$` and an unquoted Terraform value.
const TEMPLATE: &str = r#"{
  "family": "web",
  "executionRoleArn": "arn:aws:iam::111122223333:role/web-execution",
  "taskRoleArn": "arn:aws:iam::111122223333:role/web-task",
  "requiresCompatibilities": ["FARGATE"],
  "containerDefinitions": [
    {
      "name": "web",
      "image": "<IMAGE_NAME>",
      "portMappings": [{"containerPort": ${port}}],
      "secrets": [{"name": "DB", "valueFrom": "arn:aws:secretsmanager:us-east-2:<AWS_ACCOUNT_ID>:secret:prod/db-AbCdEf:password::"}],
      "logConfiguration": {
        "logDriver": "awslogs",
        "options": {"awslogs-group": "$$$LOG_GROUP$$$", "awslogs-region": "{INSERT REGION}", "awslogs-stream-prefix": "web"}
      }
    }
  ]
}
"#;

#[test]
fn every_placeholder_is_reported_at_its_own_position_in_one_run() {
    let t = Test::new().file("web.json", TEMPLATE).file(
        "s.yaml",
        "version: 1\nname: web\ntask_definitions: [web.json]\n",
    );
    let dir = t.dir().to_owned();
    t.args(["render", "s.yaml", "--out", "out"])
        .status(2)
        .stderr(concat!(
            "error: web.json:9:17: `containerDefinitions[web].image`: `<IMAGE_NAME>` is a template placeholder (`<...>`, as GitHub's render-task-definition examples leave) for the whole image: map `IMAGE_NAME` in the spec to the image with its repository left to deploy time, `parameters: {IMAGE_NAME: <account_id>.dkr.ecr.<region>.<url_suffix>/<input.ImageRepository>}` with `inputs: {ImageRepository: {description: ...}}` (ECR in the deployment's account and region), or to the image (one outside ECR needs no grant); `ecs-iam init --from-task-definition` writes the first\n",
            "error: web.json:11:81: `containerDefinitions[web].secrets[DB].valueFrom`: `<AWS_ACCOUNT_ID>` is a template placeholder (`<...>`, as GitHub's render-task-definition examples leave): map `AWS_ACCOUNT_ID` in the spec, `parameters: {AWS_ACCOUNT_ID: <input.AwsAccountId>}` with `inputs: {AwsAccountId: {description: ...}}` to keep it a deploy-time input, or `parameters: {AWS_ACCOUNT_ID: VALUE}`; `ecs-iam init --from-task-definition` writes the inputs\n",
            "error: web.json:14:39: `containerDefinitions[web].logConfiguration.options.awslogs-group`: `$$$LOG_GROUP$$$` is a template placeholder (`$$$...$$$`): map `LOG_GROUP` in the spec, `parameters: {LOG_GROUP: <input.LogGroup>}` with `inputs: {LogGroup: {description: ...}}` to keep it a deploy-time input, or `parameters: {LOG_GROUP: VALUE}`; `ecs-iam init --from-task-definition` writes the inputs\n",
            "error: web.json:14:76: `containerDefinitions[web].logConfiguration.options.awslogs-region`: `{INSERT REGION}` is a template placeholder (`{INSERT ...}`, as tutorials leave): map `INSERT REGION` in the spec, `parameters: {\"INSERT REGION\": <input.InsertRegion>}` with `inputs: {InsertRegion: {description: ...}}` to keep it a deploy-time input, or `parameters: {\"INSERT REGION\": VALUE}`; `ecs-iam init --from-task-definition` writes the inputs\n",
        ))
        .run();
    assert!(!dir.join("out").exists());
}

/// What `init` writes for the template, mapped by hand the same way.
const MAPPED: &str = r#"version: 1
name: web
task_definitions: [web.json]
parameters:
  IMAGE_NAME: "<account_id>.dkr.ecr.<region>.<url_suffix>/<input.ImageRepository>"
  AWS_ACCOUNT_ID: "<input.AwsAccountId>"
  LOG_GROUP: "/ecs/web"
  "INSERT REGION": "<input.LogRegion>"
inputs:
  ImageRepository: {description: the image's ECR repository}
  AwsAccountId: {description: the account of the database secret}
  LogRegion: {description: the region of the log group}
"#;

#[test]
fn a_mapped_template_renders_its_inputs_and_verifies_with_them() {
    let t = Test::new()
        .file("web.json", TEMPLATE)
        .file("s.yaml", MAPPED);
    let dir = t.dir().to_owned();
    t.args(["render", "s.yaml", "--out", "out"]).run();
    let stack = std::fs::read_to_string(dir.join("out/web/cloudformation.yaml")).unwrap();
    let stack: serde_yaml::Value = serde_yaml::from_str(&stack).unwrap();
    let parameters: Vec<&str> = stack["Parameters"]
        .as_mapping()
        .unwrap()
        .keys()
        .filter_map(serde_yaml::Value::as_str)
        .collect();
    assert_eq!(parameters, ["AwsAccountId", "ImageRepository", "LogRegion"]);
    // The input account names the cross-account statement's file without
    // `<` and `>`, which Windows refuses in a file name.
    let cross: Vec<String> = std::fs::read_dir(dir.join("out/web/cross-account"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(
        cross,
        ["execution-secretsmanager-input.AwsAccountId-prod-db-AbCdEf.json"]
    );
    Test::in_dir(&dir)
        .args(["explain", "s.yaml", "--format", "json"])
        .stdout_contains(
            "arn:<partition>:ecr:<region>:<account_id>:repository/<input.ImageRepository>",
        )
        .stdout_contains(
            "arn:aws:secretsmanager:us-east-2:<input.AwsAccountId>:secret:prod/db-AbCdEf",
        )
        .stdout_contains("arn:<partition>:logs:<input.LogRegion>:<account_id>:log-group:/ecs/web:*")
        .run();
    // An input account may be the deployment's own: said as a condition.
    Test::in_dir(&dir)
        .args(["check", "s.yaml"])
        .stdout_contains("on `arn:aws:secretsmanager:us-east-2:<input.AwsAccountId>:secret:prod/db-AbCdEf`, in an account given at deploy time: where <input.AwsAccountId> is another account than the deployment's, it must allow this role in the secret's resource policy")
        .run();
    // The same inputs stand in the task definition and in the grants.
    Test::in_dir(&dir)
        .args(["verify", "s.yaml"])
        .stdout_contains("7 of 7 calls ECS makes to start 1 container of web.json are allowed\n")
        .run();
}

#[test]
fn an_unmapped_template_is_not_proven_by_verify() {
    Test::new()
        .file("web.json", TEMPLATE)
        .file(
            "s.yaml",
            "version: 1\nname: web\ntask_definitions: [web.json]\n",
        )
        .args(["verify", "s.yaml"])
        .status(1)
        .stdout_contains("not proven")
        .run();
}

#[test]
fn a_placeholder_for_a_whole_grant_value_derives_nothing_and_says_so() {
    for (file, stderr) in [
        (
            r#"{"family": "j", "containerDefinitions": {{ containers|tojson }}}"#,
            "error: t.json:1:41: `containerDefinitions`: `containerDefinitions` is the template placeholder `{{ containers|tojson }}` (`{{ ... }}`, as Jinja fills): what it stands for is known only once the template is filled, so no grant can be derived from it; run ecs-iam on the file CI renders from the template, or write the value in the template",
        ),
        (
            r#"[{"name": "a", "image": "nginx", "secrets": ${secrets}}]"#,
            "error: t.json:1:45: `secrets`: `secrets` is the template placeholder `${secrets}` (`${...}`, as envsubst and Terraform's templatefile fill): what it stands for is known only once the template is filled, so no grant can be derived from it; run ecs-iam on the file CI renders from the template, or write the value in the template",
        ),
        (
            r#"[{"name": "a", "image": "nginx", "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": ${AWS_LOG_GROUP}}}}]"#,
            "error: t.json:1:108: `options`: `options` is the template placeholder `${AWS_LOG_GROUP}` (`${...}`, as envsubst and Terraform's templatefile fill): what it stands for is known only once the template is filled, so no grant can be derived from it; run ecs-iam on the file CI renders from the template, or write the value in the template",
        ),
        (
            r#"{"family": "k", "containerDefinitions": [{% for c in cs %}{"name": "{{ c }}"}{% endfor %}]}"#,
            "error: t.json:1:43: not JSON: key must be a string; the file is a task definition template (`{{ ... }}`, as Jinja fills), and only placeholders inside strings or in place of a whole value are read: run ecs-iam on the file CI renders from it",
        ),
    ] {
        Test::new()
            .file("t.json", file)
            .file(
                "s.yaml",
                "version: 1\nname: t\ntask_definitions: [t.json]\n",
            )
            .args(["render", "s.yaml", "--out", "out"])
            .status(2)
            .stderr(format!("{stderr}\n"))
            .run();
    }
}

#[test]
fn a_placeholder_that_decides_nothing_needs_no_input() {
    // The tag, the container's name and an unquoted port: init declares
    // no input for them, and the spec it writes renders.
    let t = Test::new().file(
        "c.json",
        r#"[{"name": "${name}", "image": "public.ecr.aws/nginx/nginx:${TAG}", "portMappings": [{"containerPort": ${port}}]}]"#,
    );
    let dir = t.dir().to_owned();
    t.args([
        "init",
        "--from-task-definition",
        "c.json",
        "--output",
        "s.yaml",
    ])
    .stdout_contains("wrote s.yaml")
    .run();
    let spec = std::fs::read_to_string(dir.join("s.yaml")).unwrap();
    assert!(!spec.contains("inputs:"), "{spec}");
    assert!(!spec.contains("parameters:"), "{spec}");
    Test::in_dir(&dir)
        .args(["render", "s.yaml", "--out", "out"])
        .stdout_contains("s.yaml -> out")
        .run();
}

#[test]
fn a_whole_arn_placeholder_is_refused_until_mapped_to_an_arn() {
    let template = r#"[{"name": "cms", "image": "nginx", "secrets": [{"name": "DB", "valueFrom": "${db_password_arn}"}]}]"#;
    // init cannot tell a secret from a parameter, nor an ARN from a name.
    Test::new()
        .file("cms.json", template)
        .args(["init", "--from-task-definition", "cms.json", "--output", "s.yaml"])
        .status(2)
        .stderr("error: cms.json:1:76: `containerDefinitions[cms].secrets[DB]`: `${db_password_arn}` is a template placeholder for the whole value, which may be the ARN or the name of a secret, a parameter or an object, so ecs-iam cannot tell what to grant: map `db_password_arn` under `parameters:` to the value with inputs only in its parts (e.g. `arn:<partition>:secretsmanager:<region>:<account_id>:secret:<input.Name>`), or fill the template\n")
        .run();
    // Mapped to an ARN with an input for the name: the secret is granted.
    Test::new()
        .file("cms.json", template)
        .file(
            "s.yaml",
            "version: 1\nname: cms\ntask_definitions: [cms.json]\nparameters:\n  db_password_arn: \"arn:<partition>:secretsmanager:<region>:<account_id>:secret:<input.DbSecret>\"\ninputs:\n  DbSecret: {description: the database password's secret}\n",
        )
        .args(["explain", "s.yaml", "--format", "json"])
        .stdout_contains("arn:<partition>:secretsmanager:<region>:<account_id>:secret:<input.DbSecret>-??????")
        .run();
}

#[test]
fn an_entry_maps_its_own_file_placeholders() {
    // Two templates of one module, each `"image": "${image}"`: the entry's
    // own values tell them apart; a value no placeholder of its file uses
    // is warned about where it is written.
    let t = Test::new()
        .file("api.json", r#"[{"name": "api", "image": "${image}"}]"#)
        .file(
            "worker.json",
            r#"[{"name": "worker", "image": "${image}"}]"#,
        )
        .file(
            "s.yaml",
            r#"version: 1
name: app
deployment: {partition: aws, region: eu-west-1, account_id: "111122223333"}
task_definitions:
  - file: api.json
    parameters:
      image: "<account_id>.dkr.ecr.<region>.<url_suffix>/api"
  - file: worker.json
    parameters:
      image: "<account_id>.dkr.ecr.<region>.<url_suffix>/<input.WorkerRepository>"
      tag: v1
inputs:
  WorkerRepository: {description: the worker's ECR repository}
"#,
        );
    let dir = t.dir().to_owned();
    t.args(["explain", "s.yaml", "--format", "json"])
        .stdout_contains("arn:aws:ecr:eu-west-1:111122223333:repository/api\"")
        .stdout_contains("arn:aws:ecr:eu-west-1:111122223333:repository/<input.WorkerRepository>")
        .stderr("s.yaml:11:12: warning: `task_definitions[1].parameters.tag` is used by no `Ref`, `Fn::GetAtt`, `Fn::Sub` or template placeholder of its task definition; check its name, or remove it\n")
        .run();
    // An entry's unknown key is refused at its position.
    Test::in_dir(&dir)
        .file(
            "bad.yaml",
            "version: 1\nname: app\ntask_definitions:\n  - fiel: api.json\n",
        )
        .args(["render", "bad.yaml", "--out", "out"])
        .status(2)
        .stderr("error: bad.yaml:4:5: unknown field `fiel` in `task_definitions[0]`; did you mean `file`?\n")
        .run();
}

#[test]
fn an_input_description_takes_no_sub_syntax() {
    // A CloudFormation parameter's description is literal text, and
    // aws-cdk-lib would write `${` in it as an `Fn::Join`.
    Test::new()
        .file(
            "s.yaml",
            "version: 1\nname: app\ninputs:\n  Stage:\n    description: \"what ${STAGE} stands for\"\nexecution_role:\n  ssm_parameters: [\"/app/<input.Stage>/db\"]\n",
        )
        .args(["render", "s.yaml", "--out", "out"])
        .status(2)
        .stderr("error: s.yaml:5:18: `inputs.Stage.description`: `what ${STAGE} stands for` holds `${`, which aws-cdk-lib writes into the parameter's description as an `Fn::Join` that CloudFormation refuses: write the text without `${` (e.g. `$IMAGE` or `IMAGE`)\n")
        .run();
}

#[test]
fn init_says_what_it_assumes_of_a_whole_image() {
    Test::new()
        .file("web.json", TEMPLATE)
        .args(["init", "--from-task-definition", "web.json", "--output", "s.yaml"])
        .stdout(concat!(
            "wrote s.yaml (from task definition `web.json`); render it with `ecs-iam render s.yaml`, check it with `ecs-iam verify s.yaml`\n",
            "web.json:9:17: note: `IMAGE_NAME` stands for a whole image: the spec grants the pull from the ECR repository `<input.ImageRepository>` in the deployment's own account and region (`parameters: {IMAGE_NAME: <account_id>.dkr.ecr.<region>.<url_suffix>/<input.ImageRepository>}`); edit it for another registry, or write the image if it is not in ECR (Docker Hub, ghcr.io: no grant)\n",
        ))
        .run();
}

#[test]
fn an_input_in_a_value_given_to_init_is_declared() {
    // `--parameter AWS_ACCOUNT_ID=<input.SecretsAccount>`: the spec init
    // writes declares the input, and reads its template back.
    let t = Test::new().file("web.json", TEMPLATE);
    let dir = t.dir().to_owned();
    t.args([
        "init",
        "--from-task-definition",
        "web.json",
        "--output",
        "s.yaml",
        "--parameter",
        "AWS_ACCOUNT_ID=<input.SecretsAccount>",
    ])
    .stdout_contains("wrote s.yaml")
    .run();
    let spec = std::fs::read_to_string(dir.join("s.yaml")).unwrap();
    assert!(
        spec.contains("  \"AWS_ACCOUNT_ID\": \"<input.SecretsAccount>\"\n"),
        "{spec}"
    );
    assert!(
        spec.contains("  \"SecretsAccount\":\n    description: \"SecretsAccount, in the value given for AWS_ACCOUNT_ID\"\n"),
        "{spec}"
    );
    Test::in_dir(&dir)
        .args(["explain", "s.yaml", "--format", "json"])
        .stdout_contains(
            "arn:aws:secretsmanager:us-east-2:<input.SecretsAccount>:secret:prod/db-AbCdEf",
        )
        .run();
}

#[test]
fn a_value_that_is_an_input_as_a_whole_is_refused() {
    // In a spec's own mapping too: the input may be a secret's or a
    // parameter's ARN or name.
    Test::new()
        .file("c.json", r#"[{"name": "c", "image": "nginx", "secrets": [{"name": "DB", "valueFrom": "${DB_ARN}:password::"}]}]"#)
        .file(
            "s.yaml",
            "version: 1\nname: c\ntask_definitions: [c.json]\nparameters: {DB_ARN: \"<input.DbArn>\"}\ninputs:\n  DbArn: {description: the database secret}\n",
        )
        .args(["render", "s.yaml", "--out", "out"])
        .status(2)
        .stderr("error: c.json:1:74: `containerDefinitions[c].secrets[DB]`: the value is the input `DbArn` as a whole, which may be the ARN or the name of a secret, a parameter or an object, so ecs-iam cannot tell what to grant: give the value with inputs only in its parts (e.g. `arn:<partition>:secretsmanager:<region>:<account_id>:secret:<input.DbArn>`)\n")
        .run();
}

#[test]
fn a_template_of_six_syntaxes_goes_through_init_render_and_verify() {
    // The golden case's task definition: GitHub's `<AWS_ACCOUNT_ID>`,
    // envsubst's image, an unquoted `${port}`, ecspresso's `must_env`, a
    // test harness's `$$$STAGE$$$` and a tutorial's `{INSERT REGION}`.
    let t = Test::new().copy_as("tests/golden/template/web.taskdef.json", "web.taskdef.json");
    let dir = t.dir().to_owned();
    t.args([
        "init",
        "--from-task-definition",
        "web.taskdef.json",
        "--output",
        "web.yaml",
    ])
    .stdout_contains("wrote web.yaml")
    .run();
    let spec = std::fs::read_to_string(dir.join("web.yaml")).unwrap();
    for mapped in [
        "  \"AWS_ACCOUNT_ID\": \"<input.AwsAccountId>\"  # <AWS_ACCOUNT_ID> at web.taskdef.json:3:37\n",
        "  \"ECR_REPOSITORY_URI\": \"<account_id>.dkr.ecr.<region>.<url_suffix>/<input.EcrRepository>\"",
        "  \"INSERT REGION\": \"<input.InsertRegion>\"",
        "  \"STAGE\": \"<input.Stage>\"",
    ] {
        assert!(spec.contains(mapped), "{mapped}\n{spec}");
    }
    // Neither the tag nor the port is an input.
    assert!(
        !spec.contains("GithubSha") && !spec.contains("Port"),
        "{spec}"
    );
    Test::in_dir(&dir)
        .args(["render", "web.yaml", "--out", "out"])
        .stdout_contains("web.yaml -> out")
        .run();
    // The role ARNs name the input account, which may not be the stack's:
    // not proven, though every call is allowed.
    Test::in_dir(&dir)
        .args(["verify", "web.yaml"])
        .status(1)
        .stdout_contains("8 of 8 calls ECS makes to start 1 container of web.taskdef.json are allowed by the rendered roles, but ecs-iam cannot see that the task runs with them; not proven\n")
        .run();
    // The golden spec maps the account to the deployment's own: proven.
    Test::new()
        .copy_as("tests/golden/template/web.taskdef.json", "web.taskdef.json")
        .copy_as("tests/golden/template/spec.yaml", "spec.yaml")
        .args(["verify", "spec.yaml"])
        .stdout_contains(
            "8 of 8 calls ECS makes to start 1 container of web.taskdef.json are allowed\n",
        )
        .run();
}
