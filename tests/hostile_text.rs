//! Text read from inputs never becomes structure in output. Each string of
//! the hostile corpus (`tests/hostile/strings.json`: line breaks of every
//! kind, YAML document markers, comments, code fences, table pipes, HTML,
//! ANSI sequences, bidi overrides, NUL...) goes through every field `init`,
//! `drift`, `diff`, `check`, `verify` and `explain` copy from their inputs,
//! and each output is parsed with the real parser for its syntax and
//! compared with the output for a benign string: the YAML spec `init`
//! writes parses to the same document, Markdown (CommonMark with GitHub's
//! tables, as pulldown-cmark reads it) has the same blocks and no HTML an
//! input added, SARIF stays valid against the 2.1.0 schema with the same
//! results, and terminal text holds no control character but line feeds
//! and tabs, no ESC, no C1 control and no bidi control, in the same number
//! of lines.

mod common;

use std::fmt::Write as _;
use std::process::Output;

use common::Test;
use pulldown_cmark::{Event, Options, Parser, Tag};
use serde_json::{Value, json};

const ACCOUNT: &str = "123456789012";

/// Stands where a hostile string stands, for the output to compare with.
const BENIGN: &str = "plain-1";

struct Hostile {
    name: String,
    text: String,
}

fn corpus() -> Vec<Hostile> {
    let text = std::fs::read_to_string(common::root().join("tests/hostile/strings.json")).unwrap();
    let list: Vec<Value> = serde_json::from_str(&text).unwrap();
    let corpus: Vec<Hostile> = list
        .iter()
        .map(|v| Hostile {
            name: v["name"].as_str().unwrap().to_owned(),
            text: v["text"].as_str().unwrap().to_owned(),
        })
        .collect();
    assert!(corpus.len() >= 30, "the corpus is read");
    corpus
}

/// The strings of the corpus a file name can hold (no `/`, no NUL).
fn file_names() -> Vec<Hostile> {
    corpus()
        .into_iter()
        .filter(|h| !h.text.contains(['/', '\0']))
        .collect()
}

/// What one run printed.
struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

fn run(test: &Test) -> Run {
    let out: Output = test.command().output().expect("the binary runs");
    Run {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// Terminal text: no C0 control but `\n` and `\t`, no DEL, no C1 (ESC and
/// CSI included), no bidi control, no Unicode line or paragraph separator.
fn assert_terminal_safe(what: &str, text: &str) {
    for c in text.chars() {
        let bad = (c.is_control() && c != '\n' && c != '\t')
            || matches!(
                c,
                '\u{202a}'..='\u{202e}'
                    | '\u{2066}'..='\u{2069}'
                    | '\u{200e}'
                    | '\u{200f}'
                    | '\u{061c}'
                    | '\u{2028}'
                    | '\u{2029}'
            );
        assert!(
            !bad,
            "{what}: U+{:04X} reaches the terminal:\n{text:?}",
            u32::from(c)
        );
    }
}

/// Markdown shows every character a reader could not see or that would
/// break a line once rendered as an escape: none is written raw (the
/// Unicode line and paragraph separators, the byte-order mark, bidi
/// controls, control characters but the writer's own line feeds).
fn assert_markdown_shows_invisibles(what: &str, text: &str) {
    for c in text.chars() {
        let bad = (c.is_control() && c != '\n')
            || matches!(
                c,
                '\u{202a}'..='\u{202e}'
                    | '\u{2066}'..='\u{2069}'
                    | '\u{200e}'
                    | '\u{200f}'
                    | '\u{061c}'
                    | '\u{2028}'
                    | '\u{2029}'
                    | '\u{feff}'
            );
        assert!(
            !bad,
            "{what}: U+{:04X} is written raw in the Markdown:\n{text:?}",
            u32::from(c)
        );
    }
}

/// The blocks of a Markdown document as GitHub's dialect reads them, each
/// code block with its number of lines, and the HTML it holds.
fn markdown_structure(text: &str) -> (Vec<String>, usize) {
    let mut blocks = Vec::new();
    let mut html = 0;
    let mut code_lines: Option<usize> = None;
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_GFM;
    for event in Parser::new_ext(text, options) {
        match event {
            Event::Start(tag) => {
                let shown = match tag {
                    Tag::Paragraph => Some("paragraph".to_owned()),
                    Tag::Heading { level, .. } => Some(format!("heading {level}")),
                    Tag::BlockQuote(_) => Some("quote".to_owned()),
                    Tag::CodeBlock(kind) => {
                        code_lines = Some(0);
                        Some(format!("code {kind:?}"))
                    }
                    Tag::HtmlBlock => Some("html block".to_owned()),
                    Tag::List(start) => Some(format!("list {start:?}")),
                    Tag::Item => Some("item".to_owned()),
                    Tag::FootnoteDefinition(_) => Some("footnote".to_owned()),
                    Tag::Table(columns) => Some(format!("table {}", columns.len())),
                    Tag::TableHead => Some("head".to_owned()),
                    Tag::TableRow => Some("row".to_owned()),
                    Tag::TableCell => Some("cell".to_owned()),
                    Tag::Image { .. } => Some("image".to_owned()),
                    _ => None,
                };
                blocks.extend(shown);
            }
            Event::End(pulldown_cmark::TagEnd::CodeBlock) => {
                blocks.push(format!("{} lines", code_lines.take().unwrap_or(0)));
            }
            Event::Text(t) if code_lines.is_some() => {
                *code_lines.as_mut().unwrap() += t.matches('\n').count();
            }
            Event::Html(_) | Event::InlineHtml(_) => html += 1,
            Event::Rule => blocks.push("rule".to_owned()),
            _ => {}
        }
    }
    (blocks, html)
}

fn assert_same_markdown(what: &str, benign: &str, hostile: &str) {
    let (want, want_html) = markdown_structure(benign);
    let (got, got_html) = markdown_structure(hostile);
    assert_eq!(
        got, want,
        "{what}: the Markdown's blocks changed:\n{hostile}\n--- benign:\n{benign}"
    );
    assert_eq!(
        got_html, want_html,
        "{what}: HTML in the Markdown:\n{hostile}\n--- benign:\n{benign}"
    );
}

/// Valid SARIF 2.1.0, with as many results as the benign run's.
fn assert_same_sarif(what: &str, benign: &str, hostile: &str) {
    let validator = jsonschema::validator_for(&common::sarif_schema()).unwrap();
    let results = |text: &str| {
        let sarif: Value = serde_json::from_str(text)
            .unwrap_or_else(|e| panic!("{what}: not JSON ({e}):\n{text}"));
        assert!(
            validator.is_valid(&sarif),
            "{what}: not valid SARIF:\n{text}"
        );
        sarif["runs"][0]["results"].as_array().unwrap().len()
    };
    assert_eq!(results(hostile), results(benign), "{what}:\n{hostile}");
}

/// Valid SARIF 2.1.0 (a string the spec refuses makes its own finding).
fn assert_valid_sarif(what: &str, text: &str) {
    let validator = jsonschema::validator_for(&common::sarif_schema()).unwrap();
    let sarif: Value =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{what}: not JSON ({e}):\n{text}"));
    assert!(
        validator.is_valid(&sarif),
        "{what}: not valid SARIF:\n{text}"
    );
}

/// The same exit status, terminal-safe streams, and as many lines on each
/// as the benign run printed.
fn assert_same_text(what: &str, benign: &Run, hostile: &Run) {
    assert_eq!(
        hostile.status, benign.status,
        "{what}: exit status\n{}{}",
        hostile.stdout, hostile.stderr
    );
    assert_terminal_safe(&format!("{what} (stdout)"), &hostile.stdout);
    assert_terminal_safe(&format!("{what} (stderr)"), &hostile.stderr);
    assert_eq!(
        hostile.stdout.lines().count(),
        benign.stdout.lines().count(),
        "{what}: stdout lines\n{}\n--- benign:\n{}",
        hostile.stdout,
        benign.stdout
    );
    assert_eq!(
        hostile.stderr.lines().count(),
        benign.stderr.lines().count(),
        "{what}: stderr lines\n{}\n--- benign:\n{}",
        hostile.stderr,
        benign.stderr
    );
}

/// Every line on stderr is one error or one warning: none was added by a
/// line break in a value.
fn assert_one_line_each(what: &str, stderr: &str) {
    for line in stderr.lines() {
        assert!(
            line.starts_with("error: ") || line.contains(": warning: "),
            "{what}: a line that is no message:\n{stderr}"
        );
    }
}

/// A spec `init` wrote parses to the same document as the benign one.
fn assert_same_yaml(what: &str, benign: &str, hostile: &str) {
    let parse = |text: &str| -> serde_yaml::Value {
        serde_yaml::from_str(text)
            .unwrap_or_else(|e| panic!("{what}: the spec does not parse ({e}):\n{text}"))
    };
    assert_eq!(
        parse(hostile),
        parse(benign),
        "{what}: the spec's structure changed:\n{hostile}\n--- benign:\n{benign}"
    );
}

// ------------------------------------------------------------- init

/// A dump of one role whose inline policy's name and statement's Sid hold
/// `text`.
fn dump_with_policy(text: &str) -> String {
    let role = json!({
        "Path": "/",
        "RoleName": "orders-task",
        "Arn": format!("arn:aws:iam::{ACCOUNT}:role/orders-task"),
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"
        }]},
        "RolePolicyList": [{"PolicyName": format!("policy{text}"), "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Sid": format!("Sid{text}"), "Effect": "Allow", "Action": "dynamodb:Query",
             "Resource": format!("arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/orders")}
        ]}}],
        "AttachedManagedPolicies": [],
    });
    json!({"RoleDetailList": [role]}).to_string()
}

/// The same role as a CloudFormation template (JSON, which is YAML).
fn template_with_policy(text: &str) -> String {
    let template = json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {"TaskRole": {"Type": "AWS::IAM::Role", "Properties": {
            "RoleName": "orders-task",
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"
            }]},
            "Policies": [{"PolicyName": format!("policy{text}"), "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Sid": format!("Sid{text}"), "Effect": "Allow", "Action": "dynamodb:Query",
                 "Resource": {"Fn::Sub": "arn:${AWS::Partition}:dynamodb:eu-west-1:${AWS::AccountId}:table/orders"}}
            ]}}]
        }}}
    });
    ascii_json(&template)
}

/// JSON with every character outside printable ASCII as a `\u` escape: a
/// YAML parser reads escapes in any string, but refuses C1 controls and
/// DEL written raw.
fn ascii_json(value: &Value) -> String {
    let mut out = String::new();
    for c in value.to_string().chars() {
        if c.is_ascii() && !c.is_ascii_control() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{u:04x}");
            }
        }
    }
    out
}

/// The same role in `terraform show -json` state: an `inline_policy` block.
fn state_with_policy(text: &str) -> String {
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": format!("Sid{text}"), "Effect": "Allow", "Action": "dynamodb:Query",
         "Resource": format!("arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/orders")}
    ]});
    let trust = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"
    }]});
    json!({"format_version": "1.0", "values": {"root_module": {"resources": [{
        "address": "aws_iam_role.task", "mode": "managed", "type": "aws_iam_role", "name": "task",
        "values": {
            "arn": format!("arn:aws:iam::{ACCOUNT}:role/orders-task"),
            "name": "orders-task", "path": "/",
            "assume_role_policy": trust.to_string(),
            "inline_policy": [{"name": format!("policy{text}"), "policy": policy.to_string()}],
            "managed_policy_arns": [], "tags": {}
        }
    }]}}})
    .to_string()
}

fn init_from_role(file: &str, contents: &str) -> Run {
    run(&Test::new().file(file, contents).args([
        "init",
        "--from-role",
        &format!("{file}#orders-task"),
        "--output",
        "-",
    ]))
}

/// A PolicyName or Sid, from a dump, a template or Terraform state, stays
/// in its comment.
#[test]
fn init_from_role_keeps_policy_names_and_sids_in_their_comments() {
    for (file, make) in [
        ("dump.json", dump_with_policy as fn(&str) -> String),
        ("template.json", template_with_policy),
        ("state.json", state_with_policy),
    ] {
        let benign = init_from_role(file, &make(BENIGN));
        assert_eq!(benign.status, 0, "{}", benign.stderr);
        assert!(benign.stdout.contains("policyplain-1"), "{}", benign.stdout);
        for h in corpus() {
            let what = format!("init --from-role {file}, {}", h.name);
            let hostile = init_from_role(file, &make(&h.text));
            assert_same_text(&what, &benign, &hostile);
            assert_same_yaml(&what, &benign.stdout, &hostile.stdout);
        }
    }
}

/// A task definition whose container and secret names hold `text`.
fn task_definition(text: &str) -> String {
    json!({
        "family": "orders",
        "taskRoleArn": format!("arn:aws:iam::{ACCOUNT}:role/orders-task"),
        "executionRoleArn": format!("arn:aws:iam::{ACCOUNT}:role/orders-execution"),
        "containerDefinitions": [{
            "name": format!("web{text}"),
            "image": format!("{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/web:1"),
            "essential": true,
            "secrets": [{
                "name": format!("DB{text}"),
                "valueFrom": format!("arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:orders/db-AbCdEf")
            }]
        }]
    })
    .to_string()
}

/// Container and secret names stay in their comments.
#[test]
fn init_from_task_definition_keeps_container_and_secret_names_in_their_comments() {
    let init = |text: &str| {
        run(&Test::new().file("td.json", task_definition(text)).args([
            "init",
            "--from-task-definition",
            "td.json",
            "--output",
            "-",
        ]))
    };
    let benign = init(BENIGN);
    assert_eq!(benign.status, 0, "{}", benign.stderr);
    assert!(benign.stdout.contains("webplain-1"), "{}", benign.stdout);
    for h in corpus() {
        let what = format!("init --from-task-definition, {}", h.name);
        let hostile = init(&h.text);
        assert_terminal_safe(&what, &hostile.stderr);
        assert_one_line_each(&what, &hostile.stderr);
        assert_eq!(hostile.status, 0, "{what}: {}", hostile.stderr);
        assert_same_yaml(&what, &benign.stdout, &hostile.stdout);
    }
}

// ------------------------------------------------------------- drift

/// The drift corpus's dump with an inline policy added to `ecs-basic-task`
/// whose name, Sid, resource and condition value hold `text`.
fn drift_dump(text: &str) -> String {
    let mut dump: Value = serde_json::from_str(
        &std::fs::read_to_string(common::root().join("tests/drift/raw-api-eu-west-1.json"))
            .unwrap(),
    )
    .unwrap();
    let policy = json!({"PolicyName": format!("policy{text}"), "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Sid": format!("Sid{text}"), "Effect": "Allow", "Action": "s3:GetObject",
         "Resource": format!("arn:aws:s3:::reports/{text}"),
         "Condition": {"StringEquals": {"s3:ExistingObjectTag/team": format!("team{text}")}}}
    ]}});
    let roles = dump["RoleDetailList"].as_array_mut().unwrap();
    let task = roles
        .iter_mut()
        .find(|r| r["RoleName"] == "ecs-basic-task")
        .unwrap();
    task["RolePolicyList"] = json!([policy]);
    // The execution role's policies are renamed: the report names them.
    let execution = roles
        .iter_mut()
        .find(|r| r["RoleName"] == "ecs-basic-execution")
        .unwrap();
    execution["RolePolicyList"]
        .as_array_mut()
        .unwrap()
        .push(policy);
    dump.to_string()
}

fn drift(text: &str, format: &str) -> Run {
    run(&Test::new()
        .copy_as("examples/ecs-basic.yaml", "ecs-basic.yaml")
        .file("dump.json", drift_dump(text))
        .args([
            "drift",
            "ecs-basic.yaml",
            "--deployed",
            "dump.json",
            "--format",
            format,
        ]))
}

/// A deployed policy's name, Sid, resources and condition values, in every
/// format `drift` writes.
#[test]
fn drift_escapes_what_the_deployed_roles_hold() {
    let benign: Vec<Run> = ["text", "markdown", "sarif", "json"]
        .iter()
        .map(|f| drift(BENIGN, f))
        .collect();
    assert_eq!(benign[0].status, 1, "{}", benign[0].stderr);
    assert!(
        benign[1].stdout.contains("policyplain-1"),
        "{}",
        benign[1].stdout
    );
    for h in corpus() {
        let what = format!("drift, {}", h.name);
        let text = drift(&h.text, "text");
        assert_same_text(&format!("{what}, text"), &benign[0], &text);
        let markdown = drift(&h.text, "markdown");
        assert_eq!(markdown.status, 1, "{what}: {}", markdown.stderr);
        assert_same_markdown(
            &format!("{what}, markdown"),
            &benign[1].stdout,
            &markdown.stdout,
        );
        assert_markdown_shows_invisibles(&format!("{what}, markdown"), &markdown.stdout);
        let sarif = drift(&h.text, "sarif");
        assert_same_sarif(&format!("{what}, sarif"), &benign[2].stdout, &sarif.stdout);
        let json = drift(&h.text, "json");
        let parsed: Value = serde_json::from_str(&json.stdout).unwrap();
        assert_eq!(
            parsed["summary"],
            serde_json::from_str::<Value>(&benign[3].stdout).unwrap()["summary"],
            "{what}, json"
        );
    }
}

/// The dump's file name is printed as it was given, escaped.
#[test]
fn drift_escapes_the_dump_file_name() {
    let drift = |name: &str, format: &str| {
        run(&Test::new()
            .copy_as("examples/ecs-basic.yaml", "ecs-basic.yaml")
            .copy_as("tests/drift/raw-api-eu-west-1.json", name)
            .args([
                "drift",
                "ecs-basic.yaml",
                "--format",
                format,
                "--deployed",
                name,
            ]))
    };
    let benign_text = drift(BENIGN, "text");
    let benign_markdown = drift(BENIGN, "markdown");
    assert_eq!(benign_text.status, 1, "{}", benign_text.stderr);
    for h in file_names() {
        let name = format!("dump{}", h.text);
        let what = format!("drift, dump file name {}", h.name);
        assert_same_text(&what, &benign_text, &drift(&name, "text"));
        let markdown = drift(&name, "markdown");
        assert_same_markdown(&what, &benign_markdown.stdout, &markdown.stdout);
        assert_markdown_shows_invisibles(&what, &markdown.stdout);
    }
}

/// A role read from a template has no ARN before it is deployed: `drift`
/// names the template's role instead.
#[test]
fn drift_names_a_role_read_from_a_template() {
    let out = Test::new()
        .copy_as("examples/ecs-basic.yaml", "ecs-basic.yaml")
        .file(
            "template.json",
            template_with_policy(BENIGN).replace("orders-task", "ecs-basic-task"),
        )
        .args(["drift", "ecs-basic.yaml", "--deployed", "template.json"])
        .status(1)
        .run();
    assert!(
        out.stdout.starts_with(
            "ecs-basic.yaml: task role `ecs-basic-task`: differs from the template's role `ecs-basic-task` in template.json"
        ),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("from  in"), "{}", out.stdout);
}

// ------------------------------------------------------------- spec-based commands

/// A spec whose custom statement's resource and condition value hold
/// `text`, and whose task definition's container names hold it.
fn spec(text: &str) -> String {
    let quoted = |s: String| serde_json::to_string(&s).unwrap();
    format!(
        "version: 1
name: orders
task_definitions: [td.json]
task_role:
  statements:
    - effect: Allow
      actions: [\"s3:GetObject\"]
      resources: [{}]
      conditions:
        StringEquals:
          s3:ExistingObjectTag/team: [{}]
",
        quoted(format!("arn:aws:s3:::reports/{text}*")),
        quoted(format!("team{text}")),
    )
}

fn spec_test(text: &str) -> Test {
    Test::new()
        .file("orders.yaml", spec(text))
        .file("td.json", task_definition(text))
}

/// `check`, `verify` and `explain` on a spec holding hostile text: each
/// text output and error is terminal-safe, SARIF stays valid and JSON
/// parses. A spec may refuse a string (a `<` opens a placeholder): then the
/// command says so, safely, and exits 2 (`check --format sarif` still
/// writes its SARIF, the run marked unsuccessful with the error in it).
#[test]
fn check_verify_and_explain_escape_what_the_spec_holds() {
    let commands: [(&str, &[&str]); 6] = [
        ("check", &["check", "orders.yaml"]),
        (
            "check sarif",
            &["check", "orders.yaml", "--format", "sarif"],
        ),
        ("verify", &["verify", "orders.yaml"]),
        (
            "verify sarif",
            &["verify", "orders.yaml", "--format", "sarif"],
        ),
        ("explain", &["explain", "orders.yaml"]),
        (
            "explain json",
            &["explain", "orders.yaml", "--format", "json"],
        ),
    ];
    for (label, args) in commands {
        let benign = run(&spec_test(BENIGN).args(args));
        assert!(benign.status <= 1, "{label}: {}", benign.stderr);
        let mut accepted = 0;
        for h in corpus() {
            let what = format!("{label}, {}", h.name);
            let hostile = run(&spec_test(&h.text).args(args));
            assert_terminal_safe(&what, &hostile.stderr);
            assert_one_line_each(&what, &hostile.stderr);
            if hostile.status == 2 {
                if label.ends_with("sarif") {
                    assert_valid_sarif(&what, &hostile.stdout);
                    let sarif: Value = serde_json::from_str(&hostile.stdout).unwrap();
                    assert_eq!(
                        sarif["runs"][0]["invocations"][0]["executionSuccessful"], false,
                        "{what}"
                    );
                } else {
                    assert!(hostile.stdout.is_empty(), "{what}: {}", hostile.stdout);
                }
                assert!(
                    hostile.stderr.starts_with("error: "),
                    "{what}: {}",
                    hostile.stderr
                );
                continue;
            }
            accepted += 1;
            if label.ends_with("sarif") {
                assert_valid_sarif(&what, &hostile.stdout);
            } else if label.ends_with("json") {
                serde_json::from_str::<Value>(&hostile.stdout)
                    .unwrap_or_else(|e| panic!("{what}: {e}\n{}", hostile.stdout));
            } else {
                assert_terminal_safe(&what, &hostile.stdout);
                // `explain` wraps long values, so only `verify` keeps its
                // count of lines.
                if label == "verify" {
                    assert_eq!(
                        hostile.stdout.lines().count(),
                        benign.stdout.lines().count(),
                        "{what}:\n{}\n--- benign:\n{}",
                        hostile.stdout,
                        benign.stdout
                    );
                }
                if label == "check" {
                    // One line per finding, then their count.
                    let n = hostile.stdout.lines().count() - 1;
                    let count = format!("{n} finding{}", if n == 1 { "" } else { "s" });
                    assert_eq!(
                        hostile.stdout.lines().last(),
                        Some(count.as_str()),
                        "{what}:\n{}",
                        hostile.stdout
                    );
                }
            }
        }
        assert!(
            accepted >= 20,
            "{label}: the spec refuses most of the corpus"
        );
    }
}

/// `diff` of a hostile spec against the benign one's rendering, and of a
/// file someone put in the output folder under a hostile name.
#[test]
fn diff_escapes_grants_and_file_names() {
    let rendered = Test::new()
        .file("orders.yaml", spec(BENIGN))
        .file("td.json", task_definition(BENIGN))
        .args(["render", "orders.yaml", "--out", "out"])
        .stdout_contains("")
        .run();
    let dir = rendered.dir.clone();
    let diff = |text: &str, extra: Option<&str>, format: &str| {
        std::fs::write(dir.join("orders.yaml"), spec(text)).unwrap();
        std::fs::write(dir.join("td.json"), task_definition(text)).unwrap();
        let extra_path = extra.map(|name| dir.join("out").join(name));
        if let Some(p) = &extra_path {
            std::fs::write(p, "x\n").unwrap();
        }
        let out = run(&Test::in_dir(&dir).args([
            "diff",
            "orders.yaml",
            "--against",
            "out",
            "--format",
            format,
        ]));
        if let Some(p) = &extra_path {
            std::fs::remove_file(p).unwrap();
        }
        out
    };
    let benign = |extra: Option<&str>| {
        (
            diff(&format!("{BENIGN}x"), extra, "text"),
            diff(&format!("{BENIGN}x"), extra, "markdown"),
        )
    };
    let with_extra = benign(Some(BENIGN));
    let without_extra = benign(None);
    assert_eq!(with_extra.0.status, 1, "{}", with_extra.0.stderr);
    assert!(
        with_extra.1.stdout.contains("plain-1x"),
        "{}",
        with_extra.1.stdout
    );
    let mut accepted = 0;
    for h in corpus() {
        let what = format!("diff, {}", h.name);
        let text = diff(&h.text, None, "text");
        assert_terminal_safe(&what, &text.stderr);
        assert_one_line_each(&what, &text.stderr);
        assert_terminal_safe(&what, &text.stdout);
        if text.status == 2 {
            // Refused by the spec (a `<` opens a placeholder): said safely.
            assert!(
                text.stderr.starts_with("error: "),
                "{what}: {}",
                text.stderr
            );
            continue;
        }
        accepted += 1;
        assert_eq!(text.status, 1, "{what}: {}", text.stderr);
        assert_eq!(
            text.stdout.lines().count(),
            without_extra.0.stdout.lines().count(),
            "{what}:\n{}",
            text.stdout
        );
        let markdown = diff(&h.text, None, "markdown");
        assert_same_markdown(&what, &without_extra.1.stdout, &markdown.stdout);
        assert_markdown_shows_invisibles(&what, &markdown.stdout);
    }
    assert!(accepted >= 20, "the spec refuses most of the corpus");
    for h in file_names() {
        let what = format!("diff, file name {}", h.name);
        let name = format!("extra{}", h.text);
        let text = diff(&format!("{BENIGN}x"), Some(&name), "text");
        assert_same_text(&what, &with_extra.0, &text);
        let markdown = diff(&format!("{BENIGN}x"), Some(&name), "markdown");
        assert_same_markdown(&what, &with_extra.1.stdout, &markdown.stdout);
        assert_markdown_shows_invisibles(&what, &markdown.stdout);
    }
}

/// `diff --old A --new B` of two folders that both hold a file under a
/// hostile name, with other content: the unified diff's `--- a/` and
/// `+++ b/` headers name it escaped, so it adds no line (a line feed in
/// the name would forge the diff's own lines, a tab splits the header).
#[test]
fn diff_of_folders_escapes_the_changed_file_names() {
    let rendered = Test::new()
        .file("orders.yaml", spec(BENIGN))
        .file("td.json", task_definition(BENIGN))
        .args(["render", "orders.yaml", "--out", "old"])
        .stdout_contains("")
        .run();
    let dir = rendered.dir.clone();
    let copy = common::read_folder(&dir.join("old/orders"));
    for (file, text) in &copy {
        let path = dir.join("new/orders").join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let diff = |name: &str| {
        let old = dir.join("old/orders").join(name);
        let new = dir.join("new/orders").join(name);
        std::fs::write(&old, "1\n").unwrap();
        std::fs::write(&new, "2\n").unwrap();
        let out =
            run(&Test::in_dir(&dir).args(["diff", "--old", "old/orders", "--new", "new/orders"]));
        std::fs::remove_file(old).unwrap();
        std::fs::remove_file(new).unwrap();
        out
    };
    let benign = diff(&format!("extra{BENIGN}"));
    assert_eq!(benign.status, 1, "{}", benign.stderr);
    assert!(
        benign
            .stdout
            .starts_with("--- a/extraplain-1\n+++ b/extraplain-1\n@@ -1 +1 @@\n-1\n+2\n"),
        "{}",
        benign.stdout
    );
    for h in file_names() {
        let what = format!("diff --old --new, changed file name {}", h.name);
        let hostile = diff(&format!("extra{}", h.text));
        assert_same_text(&what, &benign, &hostile);
        let headers: Vec<&str> = hostile
            .stdout
            .lines()
            .filter(|l| l.starts_with("--- ") || l.starts_with("+++ "))
            .collect();
        assert_eq!(headers.len(), 2, "{what}:\n{}", hostile.stdout);
        for header in headers {
            assert!(!header.contains('\t'), "{what}:\n{}", hostile.stdout);
        }
    }
}

// ------------------------------------------------------------- render

/// The spec's file name, which the generated files name in their first
/// comment: the CloudFormation template parses to the same document (YAML
/// also breaks lines at NEL, U+2028 and U+2029) and the Terraform module to
/// the same body.
#[test]
fn render_keeps_the_spec_file_name_in_its_comment() {
    let render = |name: &str| {
        let out = Test::new()
            .file(name, spec(BENIGN))
            .file("td.json", task_definition(BENIGN))
            .args(["render", name, "--out", "out"])
            .stdout_contains("")
            .run();
        let read =
            |file: &str| std::fs::read_to_string(out.dir.join("out/orders").join(file)).unwrap();
        (read("cloudformation.yaml"), read("terraform/main.tf"))
    };
    let (cfn, tf) = render(&format!("{BENIGN}.yaml"));
    assert!(cfn.contains("plain-1.yaml"), "{cfn}");
    for h in file_names() {
        let what = format!("render, spec file name {}", h.name);
        let (hostile_cfn, hostile_tf) = render(&format!("spec{}.yaml", h.text));
        assert_same_yaml(&what, &cfn, &hostile_cfn);
        let body = |text: &str| -> hcl::Body {
            hcl::from_str(text).unwrap_or_else(|e| panic!("{what}: {e}\n{text}"))
        };
        assert_eq!(body(&hostile_tf), body(&tf), "{what}:\n{hostile_tf}");
    }
}

/// `render` of a folder holding a spec under a hostile name prints one
/// line for it, the spec's path escaped.
#[test]
fn render_escapes_the_spec_paths_it_prints() {
    let render = |name: &str| {
        run(&Test::new()
            .copy_as("examples/ecs-basic.yaml", &format!("specs/{name}"))
            .args(["render", "--out", "out", "specs"]))
    };
    let benign = render(&format!("{BENIGN}.yaml"));
    assert_eq!(benign.status, 0, "{}", benign.stderr);
    assert!(
        benign
            .stdout
            .starts_with("specs/plain-1.yaml -> out/ecs-basic/ ("),
        "{}",
        benign.stdout
    );
    for h in file_names() {
        let what = format!("render, spec file name {}", h.name);
        let hostile = render(&format!("spec{}.yaml", h.text));
        assert_same_text(&what, &benign, &hostile);
    }
}

// ------------------------------------------------------------- explain

/// A condition value whose runs of spaces would lay out, once wrapped,
/// lines that read as the labels of a grant's block.
const FORGED_BLOCK: &str = concat!(
    "x",
    "                                                                      ",
    "FROM:       task_role.statements[0]",
    "                                                                      ",
    "ROLE: task  KIND: permission  EFFECT: Allow",
    "                                                                      ",
    "ACTIONS:    iam:*",
    "                                                                      ",
    "RESOURCES:  *",
);

/// `explain` wraps a value only at single spaces: a run of spaces, shown
/// escaped, never starts a line with what follows it, so at no width does
/// a value add a line that begins like a grant's block (`ROLE:` at the
/// start of a line, `  ACTIONS:` after two spaces) or, in a continuation
/// of a cell, reads as one.
#[test]
fn explain_wrapping_lays_out_no_line_of_a_value() {
    const LABELS: [&str; 7] = [
        "ROLE:",
        "KIND:",
        "EFFECT:",
        "ACTIONS:",
        "RESOURCES:",
        "CONDITION:",
        "FROM:",
    ];
    let explain = |text: &str, columns: &str| {
        run(&spec_test(text)
            .env("COLUMNS", columns)
            .args(["explain", "orders.yaml"]))
    };
    for columns in ["60", "100", "160", "300"] {
        let hostile = explain(FORGED_BLOCK, columns);
        assert_eq!(hostile.status, 0, "{}", hostile.stderr);
        for line in hostile.stdout.lines() {
            let text = line.trim_start();
            let indent = line.len() - text.len();
            let labelled = LABELS.iter().any(|l| text.starts_with(l));
            let title = indent == 0
                && text.starts_with("ROLE: ")
                && (text.ends_with("EFFECT: Allow") || text.ends_with("EFFECT: Deny"));
            assert!(
                !labelled || title || indent == 2,
                "COLUMNS={columns}: a value lays out the line {line:?}:\n{}",
                hostile.stdout
            );
        }
        assert!(
            hostile.stdout.contains("x\\u{20}\\u{20}"),
            "COLUMNS={columns}: the run of spaces is shown:\n{}",
            hostile.stdout
        );
    }
}

// ------------------------------------------------------------- init hints

/// A task definition whose family is a path names its spec
/// `-tmp-abs.yaml`: the commands `init` suggests name it `./-tmp-abs.yaml`,
/// which no command line reads as options, and the suggested render runs.
#[test]
fn init_suggests_commands_that_read_a_dash_name_as_a_path() {
    let td = json!({
        "family": "/tmp/abs",
        "containerDefinitions": [{
            "name": "api",
            "image": format!("{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/api:2"),
            "essential": true
        }]
    });
    let out = Test::new()
        .file("td.json", td.to_string())
        .args(["init", "--from-task-definition", "td.json"])
        .stdout(
            "wrote -tmp-abs.yaml (from task definition `td.json`); render it with `ecs-iam render ./-tmp-abs.yaml`, check it with `ecs-iam verify ./-tmp-abs.yaml`\n",
        )
        .run();
    Test::in_dir(&out.dir)
        .args(["render", "./-tmp-abs.yaml", "--out", "out"])
        .stdout_starts_with("./-tmp-abs.yaml -> out/-tmp-abs/ (")
        .run();
}

/// Records whose event id, refused secret's name and unmapped operation
/// hold `text`, for the orders spec's task role.
fn trail_with(text: &str) -> String {
    let identity = json!({"type": "AssumedRole", "sessionContext": {"sessionIssuer": {
        "type": "Role", "arn": "arn:aws:iam::111122223333:role/orders-task"}}});
    let record = |id: &str, source: &str, name: &str, request: Value, error: Option<&str>| {
        let mut r = json!({
            "eventVersion": "1.09", "eventTime": "2026-11-01T08:00:00Z",
            "eventSource": source, "eventName": name, "awsRegion": "eu-west-1",
            "recipientAccountId": "111122223333", "eventID": id,
            "userIdentity": identity, "requestParameters": request,
            "eventCategory": "Management", "readOnly": true,
        });
        if let Some(e) = error {
            r["errorCode"] = json!(e);
        }
        r
    };
    json!({"Records": [
        record(text, "secretsmanager.amazonaws.com", "GetSecretValue",
            json!({"secretId": "orders/db"}), None),
        record("e2", "secretsmanager.amazonaws.com", "GetSecretValue",
            json!({"secretId": format!("orders/{text}")}), Some("AccessDenied")),
        record("e3", "s3.amazonaws.com", &format!("Get{text}"), json!(null), None),
    ]})
    .to_string()
}

fn usage_run(text: &str, format: &str) -> Run {
    run(&Test::new()
        .copy_as("tests/usage/orders/orders.yaml", "orders.yaml")
        .file("trail.json", trail_with(text))
        .args([
            "usage",
            "orders.yaml",
            "--cloudtrail",
            "trail.json",
            "--min-days",
            "0",
            "--format",
            format,
        ]))
}

/// What the records hold (event ids, a refused secret's name, an
/// operation's name), in every format `usage` writes.
#[test]
fn usage_escapes_what_the_records_hold() {
    let benign: Vec<Run> = ["text", "markdown", "sarif", "json"]
        .iter()
        .map(|f| usage_run(BENIGN, f))
        .collect();
    assert_eq!(benign[0].status, 1, "{}", benign[0].stderr);
    assert!(
        benign[0].stdout.contains("e.g. plain-1") && benign[0].stdout.contains("Getplain-1"),
        "{}",
        benign[0].stdout
    );
    for h in corpus() {
        let what = format!("usage, {}", h.name);
        let text = usage_run(&h.text, "text");
        assert_same_text(&format!("{what}, text"), &benign[0], &text);
        let markdown = usage_run(&h.text, "markdown");
        assert_eq!(markdown.status, 1, "{what}: {}", markdown.stderr);
        assert_same_markdown(
            &format!("{what}, markdown"),
            &benign[1].stdout,
            &markdown.stdout,
        );
        assert_markdown_shows_invisibles(&format!("{what}, markdown"), &markdown.stdout);
        let sarif = usage_run(&h.text, "sarif");
        assert_same_sarif(&format!("{what}, sarif"), &benign[2].stdout, &sarif.stdout);
        let json = usage_run(&h.text, "json");
        let parsed: Value = serde_json::from_str(&json.stdout).unwrap();
        let benign_json: Value = serde_json::from_str(&benign[3].stdout).unwrap();
        assert_eq!(
            parsed.as_array().unwrap().len(),
            benign_json.as_array().unwrap().len(),
            "{what}, json"
        );
    }
}
