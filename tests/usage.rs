//! `ecs-iam usage` on hand-made CloudTrail records (tests/usage/orders/trail,
//! written from CloudTrail's documented record format: an ECS task's
//! `AssumedRole` calls, ECS's own `AssumeRole`, S3 data events, a refused
//! call, another role's call, a record with `null` request parameters,
//! event versions 1.05 to 1.11, a gzip file and a plain one). Each
//! expectation below was written from the records and the spec by hand.

mod common;

use common::Test;
use serde_json::Value;

const SPEC: &str = "tests/usage/orders/orders.yaml";
const TRAIL: &str = "tests/usage/orders/trail";

struct Run {
    stdout: String,
    stderr: String,
    status: i32,
}

fn usage(args: &[&str]) -> Run {
    let out = Test::in_dir(&common::root())
        .args(["usage"])
        .args(args)
        .command()
        .output()
        .unwrap();
    Run {
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
        status: out.status.code().unwrap_or(-1),
    }
}

/// `(role, action, resource, status, count, event_id)` of each entry.
fn entries(stdout: &str) -> Vec<(String, String, String, String, u64, Option<String>)> {
    let v: Value = serde_json::from_str(stdout).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["role"].as_str().unwrap().to_owned(),
                e["action"].as_str().unwrap().to_owned(),
                e["resource"].as_str().unwrap().to_owned(),
                e["status"].as_str().unwrap().to_owned(),
                e["count"].as_u64().unwrap(),
                e["event_id"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

fn row(
    role: &str,
    action: &str,
    resource: &str,
    status: &str,
    count: u64,
    id: Option<&str>,
) -> (String, String, String, String, u64, Option<String>) {
    (
        role.to_owned(),
        action.to_owned(),
        resource.to_owned(),
        status.to_owned(),
        count,
        id.map(str::to_owned),
    )
}

const SECRET: &str = "arn:aws:secretsmanager:<region>:111122223333:secret:";
const REPO: &str = "arn:aws:ecr:<region>:111122223333:repository/orders";
const LOGS: &str = "arn:aws:logs:<region>:111122223333:log-group:/ecs/orders:*";

#[test]
fn each_grant_used_unused_or_unobservable() {
    let out = usage(&[SPEC, "--cloudtrail", TRAIL, "--format", "json"]);
    assert_eq!(out.status, 1, "{}", out.stderr);
    let expected = vec![
        // Read twice (Nov 1 and Dec 1; the second record names no
        // `resources`, only `secretId`).
        row(
            "task",
            "secretsmanager:GetSecretValue",
            &format!("{SECRET}orders/db-??????"),
            "used",
            2,
            Some("e-sec-1"),
        ),
        // Never read; GetSecretValue is a management read event, and the
        // records show such events: unused over 30 days.
        row(
            "task",
            "secretsmanager:GetSecretValue",
            &format!("{SECRET}orders/legacy-api-key-??????"),
            "unused",
            0,
            None,
        ),
        row(
            "task",
            "s3:GetBucketLocation",
            "arn:aws:s3:::orders-in",
            "unused",
            0,
            None,
        ),
        // `ListObjects` (list-type 2) is authorised as s3:ListBucket.
        row(
            "task",
            "s3:ListBucket",
            "arn:aws:s3:::orders-in",
            "used",
            1,
            Some("e-s3-2"),
        ),
        row(
            "task",
            "s3:GetObject",
            "arn:aws:s3:::orders-in/*",
            "used",
            2,
            Some("e-s3-1"),
        ),
        row(
            "task",
            "s3:GetBucketLocation",
            "arn:aws:s3:::orders-archive",
            "unused",
            0,
            None,
        ),
        // S3 object writes are data events of the write side: the records
        // show only reads, so a write would not prove to be logged.
        row(
            "task",
            "s3:PutObject",
            "arn:aws:s3:::orders-archive/done/*",
            "unobservable",
            0,
            None,
        ),
        // SQS message actions are data events; none is shown.
        row(
            "task",
            "sqs:SendMessage",
            "arn:aws:sqs:<region>:111122223333:orders-events",
            "unobservable",
            0,
            None,
        ),
        // iam:PassRole is never logged.
        row(
            "task",
            "iam:PassRole",
            "arn:aws:iam::111122223333:role/orders-worker",
            "unobservable",
            0,
            None,
        ),
        // The refused read of another secret, in the call's region.
        row(
            "task",
            "secretsmanager:GetSecretValue",
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders/stripe-??????",
            "denied",
            1,
            Some("e-deny-1"),
        ),
        row(
            "execution",
            "ecr:GetAuthorizationToken",
            "*",
            "used",
            1,
            Some("e-ecr-1"),
        ),
        row(
            "execution",
            "ecr:BatchCheckLayerAvailability",
            REPO,
            "unused",
            0,
            None,
        ),
        row(
            "execution",
            "ecr:BatchGetImage",
            REPO,
            "used",
            1,
            Some("e-ecr-2"),
        ),
        row(
            "execution",
            "ecr:GetDownloadUrlForLayer",
            REPO,
            "unused",
            0,
            None,
        ),
        row(
            "execution",
            "logs:CreateLogStream",
            LOGS,
            "used",
            1,
            Some("e-logs-1"),
        ),
        // PutLogEvents is not logged.
        row(
            "execution",
            "logs:PutLogEvents",
            LOGS,
            "unobservable",
            0,
            None,
        ),
    ];
    assert_eq!(entries(&out.stdout), expected);
}

#[test]
fn json_fields() {
    let out = usage(&[SPEC, "--cloudtrail", TRAIL, "--format", "json"]);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    let first = &v[0];
    assert_eq!(first["spec"], SPEC);
    assert_eq!(first["field"], "task_role.secrets.read");
    assert_eq!(first["first_seen"], "2026-11-01T08:01:00Z");
    assert_eq!(first["last_seen"], "2026-12-01T09:00:30Z");
    let denied = v
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["status"] == "denied")
        .unwrap();
    assert_eq!(denied["field"], "task_role.secrets.read");
    assert_eq!(denied["grant_with"], "[orders/stripe]");
    assert_eq!(denied["reason"], "no grant of the spec allows it");
}

#[test]
fn a_window_too_short_is_not_enough_evidence() {
    // From Nov 20 on, the records cover Dec 1 only (two minutes): no grant
    // is unused, each unseen one is unobservable.
    let out = usage(&[
        SPEC,
        "--cloudtrail",
        TRAIL,
        "--format",
        "json",
        "--since",
        "2026-11-20",
    ]);
    // Nothing unused, and the refusal was on Nov 1: exit 0.
    assert_eq!(out.status, 0, "{}", out.stderr);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    let legacy = v
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["resource"].as_str().unwrap().contains("legacy"))
        .unwrap();
    assert_eq!(legacy["status"], "unobservable");
    assert!(
        legacy["reason"].as_str().unwrap().starts_with(
            "not enough evidence: the records cover 0 days, fewer than the 30 asked for"
        ),
        "{legacy}"
    );
    // The secret read on Dec 1 is still used, once; the refusal was on
    // Nov 1, before the window: exit 0 under --fail-on denied.
    assert!(entries(&out.stdout).contains(&row(
        "task",
        "secretsmanager:GetSecretValue",
        &format!("{SECRET}orders/db-??????"),
        "used",
        1,
        Some("e-sec-2")
    )));
    let out = usage(&[
        SPEC,
        "--cloudtrail",
        TRAIL,
        "--since",
        "2026-11-20",
        "--fail-on",
        "denied",
    ]);
    assert_eq!(out.status, 0, "{}", out.stdout);
    // More days asked for than covered: the same.
    let out = usage(&[
        SPEC,
        "--cloudtrail",
        TRAIL,
        "--format",
        "json",
        "--min-days",
        "31",
    ]);
    assert!(
        !entries(&out.stdout).iter().any(|e| e.3 == "unused"),
        "{}",
        out.stdout
    );
}

#[test]
fn exit_codes_follow_fail_on() {
    for (fail_on, code) in [("any", 1), ("unused", 1), ("denied", 1), ("never", 0)] {
        let out = usage(&[SPEC, "--cloudtrail", TRAIL, "--fail-on", fail_on]);
        assert_eq!(out.status, code, "--fail-on {fail_on}: {}", out.stderr);
    }
    // Before Nov 1 10:00 only: no unused grant (under a day covered), the
    // refused call is in.
    let out = usage(&[
        SPEC,
        "--cloudtrail",
        TRAIL,
        "--until",
        "2026-11-01T10:00:00Z",
        "--fail-on",
        "unused",
    ]);
    assert_eq!(out.status, 0, "{}", out.stdout);
}

#[test]
fn text_report() {
    let out = usage(&[SPEC, "--cloudtrail", TRAIL]);
    assert!(
        out.stdout.starts_with(
            "ecs-iam usage: 15 records from 2026-11-01T08:00:00Z to 2026-12-01T09:02:00Z (30 days; --min-days 30)\n\n\
             tests/usage/orders/orders.yaml: task role `orders-task`: 2 task starts, 6 calls\n"
        ),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains(
        "  denied       secretsmanager:GetSecretValue on arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders/stripe-?????? (task_role.secrets.read): 1 call, at 2026-11-01T08:03:00Z, e.g. e-deny-1: no grant of the spec allows it; to grant it: `task_role.secrets.read: [orders/stripe]`\n"
    ), "{}", out.stdout);
    assert!(out.stdout.contains(
        "tests/usage/orders/orders.yaml: execution role `orders-execution`: 1 task start, 3 calls\n"
    ));
    assert!(
        out.stdout
            .ends_with("\n15 grants: 6 used, 5 unused, 4 unobservable; 1 refused call\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn bad_records_are_reported_at_their_place_and_nothing_is_printed() {
    let out = Test::new()
        .copy_as(SPEC, "orders.yaml")
        .file(
            "trail/a.json",
            "{\"Records\": [\n {\"eventTime\": \"yesterday\", \"eventSource\": \"s3.amazonaws.com\", \"eventName\": \"GetObject\"},\n {\"eventTime\": \"2026-11-01T08:00:00Z\", \"eventName\": \"GetObject\"}\n]}\n",
        )
        .file("trail/b.json", "{\"Items\": []}\n")
        .args(["usage", "orders.yaml", "--cloudtrail", "trail"])
        .command()
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr,
        format!(
            "error: trail/a.json:3:2: `Records[1]`: not a CloudTrail record: missing field `eventSource`\n\
             error: trail/b.json:1:1: this file holds no CloudTrail records: give the `*.json.gz` files CloudTrail delivers (`{{\"Records\": [...]}}`), a JSON array of records, or what `aws cloudtrail lookup-events` prints\n"
        )
    );
}

#[test]
fn a_time_that_is_not_one_is_refused() {
    let out = Test::new()
        .copy_as(SPEC, "orders.yaml")
        .file(
            "a.json",
            "[{\"eventTime\": \"yesterday\", \"eventSource\": \"s3.amazonaws.com\", \"eventName\": \"GetObject\"}]",
        )
        .args(["usage", "orders.yaml", "--cloudtrail", "a.json"])
        .command()
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: a.json:1:2: `eventTime`: `yesterday` is not a time as CloudTrail writes it (`2026-12-01T10:00:00Z`)\n"
    );
    let out = Test::new()
        .copy_as(SPEC, "orders.yaml")
        .args([
            "usage",
            "orders.yaml",
            "--cloudtrail",
            "x",
            "--since",
            "last week",
        ])
        .command()
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("give a date (`2026-11-01`) or a UTC time (`2026-11-01T00:00:00Z`)")
    );
}

#[test]
fn sarif_is_valid_and_places_unused_grants_at_their_field() {
    let out = usage(&[SPEC, "--cloudtrail", TRAIL, "--format", "sarif"]);
    assert_eq!(out.status, 1);
    let sarif: Value = serde_json::from_str(&out.stdout).unwrap();
    let validator = jsonschema::validator_for(&common::sarif_schema()).unwrap();
    assert!(validator.is_valid(&sarif), "{}", out.stdout);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    // 5 unused grants, 1 refused call.
    assert_eq!(results.len(), 6);
    let legacy = results
        .iter()
        .find(|r| r["message"]["text"].as_str().unwrap().contains("legacy"))
        .unwrap();
    assert_eq!(legacy["ruleId"], "usage-unused");
    // `read: [orders/db, orders/legacy-api-key]` is line 10 of the spec.
    let region = &legacy["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 10);
    assert_eq!(
        sarif["runs"][0]["invocations"][0]["exitCode"], 1,
        "{}",
        out.stdout
    );
}

/// Two specs name one role (one's execution role is the other's task
/// role): each call counts for both, and both say so. Read from what `aws
/// cloudtrail lookup-events` prints.
#[test]
fn a_role_two_specs_name() {
    let out = usage(&[
        "tests/usage/shared/shared.yaml",
        "tests/usage/shared/shared-api.yaml",
        "--cloudtrail",
        "tests/usage/shared/lookup-events.json",
        "--min-days",
        "0",
        "--format",
        "json",
    ]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let shared = "another spec's role is the same role: a call of either counts for both";
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    let got: Vec<(&str, &str, &str, &str, u64)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["spec"].as_str().unwrap(),
                e["action"].as_str().unwrap(),
                e["status"].as_str().unwrap(),
                e["reason"].as_str().unwrap(),
                e["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            // The worker's own task role never ran.
            (
                "tests/usage/shared/shared.yaml",
                "secretsmanager:GetSecretValue",
                "unobservable",
                "no task started with the role and it made no call in the records",
                0
            ),
            (
                "tests/usage/shared/shared.yaml",
                "logs:CreateLogStream",
                "used",
                shared,
                1
            ),
            (
                "tests/usage/shared/shared.yaml",
                "logs:PutLogEvents",
                "unobservable",
                "never logged: CloudWatch Logs does not log `PutLogEvents` in CloudTrail (\"Logging Amazon CloudWatch Logs API calls with AWS CloudTrail\"; IAM Access Analyzer's policy generation pages say the same)",
                0
            ),
            (
                "tests/usage/shared/shared-api.yaml",
                "secretsmanager:GetSecretValue",
                "used",
                shared,
                1
            ),
        ]
    );
    let text = usage(&[
        "tests/usage/shared/shared.yaml",
        "tests/usage/shared/shared-api.yaml",
        "--cloudtrail",
        "tests/usage/shared/lookup-events.json",
        "--min-days",
        "0",
    ]);
    // The queue neither spec grants, and the operation no action is known
    // for, under each name of the role; the secret and the log stream,
    // each granted by one of them, are not.
    assert_eq!(text.stdout.matches("  not granted  sqs:SendMessage on arn:aws:sqs:us-east-2:111122223333:shared-jobs: 1 call, last 2026-11-02T10:00:05Z").count(), 2, "{}", text.stdout);
    assert_eq!(text.stdout.matches("  unmapped     s3.amazonaws.com GetWidget: 1 call: no IAM action is known for this operation\n").count(), 2);
    assert!(
        !text.stdout.contains("not granted  secretsmanager"),
        "{}",
        text.stdout
    );
    assert!(
        !text.stdout.contains("not granted  logs"),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains(
        "execution role `shared-app`: 1 task start, 3 calls (another spec given names the same role"
    ));
}

/// IAM's last-accessed report for the task role (written from the API's
/// documented shape, four days after the records end): a service-level
/// fact confirms a use and decides nothing else; a tracked action
/// attempted after the records end makes the records' "unused" no longer
/// sure; a service never used is a note.
#[test]
fn last_accessed_evidence_confirms_and_unsettles() {
    let out = usage(&[
        SPEC,
        "--cloudtrail",
        TRAIL,
        "--evidence",
        "tests/usage/orders/evidence/orders-task-last-accessed.json",
        "--format",
        "json",
    ]);
    assert_eq!(out.status, 1, "{}", out.stderr);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    let find = |action: &str, resource: &str| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == action && e["resource"] == resource)
            .unwrap_or_else(|| panic!("{action} {resource}"))
            .clone()
    };
    let as_of = "IAM's last-accessed data (as of 2026-12-04T08:00:05.000Z)";
    let db = find(
        "secretsmanager:GetSecretValue",
        &format!("{SECRET}orders/db-??????"),
    );
    assert_eq!(db["status"], "used");
    assert_eq!(
        db["reason"],
        format!("{as_of}: the service last called at 2026-12-01T09:00:30Z")
    );
    // Secrets Manager is tracked per service only: the unused secret stays
    // unused.
    let legacy = find(
        "secretsmanager:GetSecretValue",
        &format!("{SECRET}orders/legacy-api-key-??????"),
    );
    assert_eq!(legacy["status"], "unused");
    for bucket in ["orders-in", "orders-archive"] {
        let e = find("s3:GetBucketLocation", &format!("arn:aws:s3:::{bucket}"));
        assert_eq!(e["status"], "unobservable", "{e}");
        assert_eq!(
            e["reason"],
            format!(
                "{as_of}: `s3:GetBucketLocation` last attempted at 2026-12-03T00:00:00Z, after the records end: it may have been on this resource"
            )
        );
    }
    let list = find("s3:ListBucket", "arn:aws:s3:::orders-in");
    assert_eq!(list["status"], "used");
    assert!(
        list["reason"]
            .as_str()
            .unwrap()
            .ends_with("`s3:ListBucket` last attempted at 2026-12-01T09:00:00Z"),
        "{list}"
    );
    let text = usage(&[
        SPEC,
        "--cloudtrail",
        TRAIL,
        "--evidence",
        "tests/usage/orders/evidence/orders-task-last-accessed.json",
    ]);
    assert!(text.stdout.contains(
        "\nnote: tests/usage/orders/evidence/orders-task-last-accessed.json: IAM's last-accessed data (as of 2026-12-04T08:00:05.000Z) finds no use of `sqs` by `arn:aws:iam::111122223333:role/orders-task`: a service-level fact, which decides no grant\n"
    ), "{}", text.stdout);
    // A report still in progress is refused, with the fix, before anything
    // is read.
    let out = Test::new()
        .copy_as(SPEC, "orders.yaml")
        .file(
            "report.json",
            "{\"JobStatus\": \"IN_PROGRESS\", \"JobCreationDate\": \"2026-12-04T08:00:00Z\"}",
        )
        .args([
            "usage",
            "orders.yaml",
            "--cloudtrail",
            "x",
            "--evidence",
            "report.json",
        ])
        .command()
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.starts_with("error: report.json:1:"), "{stderr}");
    assert!(stderr.contains("`IN_PROGRESS`"), "{stderr}");
}

/// The trail's event selectors (what `aws cloudtrail get-event-selectors`
/// prints) log S3 object events of both buckets, reads and writes, and no
/// SQS data events: the archive's write grant, never called, is now
/// unused; the queue's stays unobservable, the selectors saying why.
#[test]
fn event_selectors_say_what_is_logged() {
    let out = usage(&[
        SPEC,
        "--cloudtrail",
        TRAIL,
        "--event-selectors",
        "tests/usage/orders/selectors/archive-writes.json",
        "--format",
        "json",
    ]);
    assert_eq!(out.status, 1, "{}", out.stderr);
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    let find = |action: &str| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == action)
            .unwrap()
            .clone()
    };
    let put = find("s3:PutObject");
    assert_eq!(put["status"], "unused", "{put}");
    assert_eq!(put["reason"], "no call in the 30 days covered");
    let send = find("sqs:SendMessage");
    assert_eq!(send["status"], "unobservable");
    assert!(
        send["reason"].as_str().unwrap().starts_with(
            "no event selector of the trail logs write data events of `AWS::SQS::Queue`"
        ),
        "{send}"
    );
    // A used grant is used whatever the selectors say.
    assert_eq!(find("s3:GetObject")["status"], "used");
}

/// The Markdown report, exactly (tests/usage/orders/expected.md, read
/// line by line against the records; `ECS_IAM_BLESS=1` rewrites it).
#[test]
fn markdown_report() {
    let out = usage(&[SPEC, "--cloudtrail", TRAIL, "--format", "markdown"]);
    assert_eq!(out.status, 1, "{}", out.stderr);
    let expected = common::root().join("tests/usage/orders/expected.md");
    if std::env::var_os("ECS_IAM_BLESS").is_some() {
        std::fs::write(&expected, &out.stdout).unwrap();
    }
    assert_eq!(
        out.stdout,
        std::fs::read_to_string(&expected).unwrap(),
        "ECS_IAM_BLESS=1 rewrites tests/usage/orders/expected.md"
    );
}

/// A call no grant allows, from a role with a customer managed policy
/// ecs-iam cannot read: the policy may allow it, and the report says so
/// rather than blaming the deployed role.
#[test]
fn a_managed_policy_of_unknown_content_may_allow_a_call() {
    let out = Test::new()
        .file(
            "api.yaml",
            "version: 1\nname: shared-api\ndeployment:\n  partition: aws\n  account_id: \"111122223333\"\ntask_role:\n  name: shared-app\n  managed_policies: [\"arn:aws:iam::111122223333:policy/jobs-queue\"]\n",
        )
        .copy_as("tests/usage/shared/lookup-events.json", "events.json")
        .args(["usage", "api.yaml", "--cloudtrail", "events.json", "--min-days", "0"])
        .command()
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("  not granted  sqs:SendMessage on arn:aws:sqs:us-east-2:111122223333:shared-jobs: 1 call, last 2026-11-02T10:00:05Z: allowed, but no grant ecs-iam can read allows it: the managed policy `jobs-queue`, whose content ecs-iam does not know, may; or the deployed role holds more than the spec\n"),
        "{stdout}"
    );
}

/// The `--suggest` section of a text report: what follows its heading.
fn suggestion(stdout: &str) -> &str {
    stdout
        .split_once("\necs-iam usage --suggest:\n")
        .unwrap_or_else(|| panic!("no suggestion in:\n{stdout}"))
        .1
}

/// The unified diff in a suggestion: from its `---` line to the line
/// before the first role's changes.
fn diff_of(section: &str) -> String {
    let start = section.find("--- ").expect("a diff");
    let mut out = String::new();
    for l in section[start..].lines().take_while(|l| {
        !l.ends_with("role `orders-task`:") && !l.ends_with("role `orders-execution`:")
    }) {
        out.push_str(l);
        out.push('\n');
    }
    out
}

/// `patch -p0` and `git apply -p0` accept `diff` over a copy of `spec`;
/// the patched text is returned.
fn applied(spec: &str, diff: &str) -> String {
    let t = Test::new().copy(spec);
    let check = std::process::Command::new("git")
        .args(["apply", "--check", "-p0", "-"])
        .current_dir(t.dir())
        .stdin(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write as _;
            c.stdin.take().unwrap().write_all(diff.as_bytes())?;
            c.wait_with_output()
        })
        .unwrap();
    assert!(check.status.success(), "git apply: {check:?}\n{diff}");
    let out = std::process::Command::new("patch")
        .args(["-p0", "--quiet", "--no-backup-if-mismatch"])
        .current_dir(t.dir())
        .stdin(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write as _;
            c.stdin.take().unwrap().write_all(diff.as_bytes())?;
            c.wait_with_output()
        })
        .unwrap();
    assert!(out.status.success(), "patch: {out:?}\n{diff}");
    std::fs::read_to_string(t.dir().join(spec)).unwrap()
}

#[test]
fn suggest_removes_the_unused_secret_from_a_flow_list() {
    let out = usage(&[SPEC, "--cloudtrail", TRAIL, "--suggest"]);
    assert_eq!(out.status, 1, "{}", out.stderr);
    // The legacy key alone is unused with enough evidence: orders-in's
    // `s3:GetBucketLocation` is unused too, but only the whole bucket
    // takes it away, and its `s3:ListBucket` is used; orders-archive's
    // `s3:PutObject` is unobservable; the repository's layer actions go
    // only with the repository, whose `ecr:BatchGetImage` is used.
    assert_eq!(
        suggestion(&out.stdout),
        "\ntests/usage/orders/orders.yaml: remove task_role.secrets.read[1]\n\
         --- tests/usage/orders/orders.yaml\n\
         +++ tests/usage/orders/orders.yaml\n\
         @@ -7,7 +7,7 @@\n   account_id: \"111122223333\"\n task_role:\n   secrets:\n\
         -    read: [orders/db, orders/legacy-api-key]\n\
         +    read: [orders/db]\n   s3:\n     - bucket: orders-in\n       access: [list, read]\n\
         task role `orders-task`:\n  \
         - narrowing   Allow secretsmanager:GetSecretValue on arn:aws:secretsmanager:<region>:111122223333:secret:orders/legacy-api-key-??????\n"
    );
    let before = std::fs::read_to_string(common::root().join(SPEC)).unwrap();
    let after = applied(SPEC, &diff_of(suggestion(&out.stdout)));
    assert_eq!(
        after,
        before.replace(
            "read: [orders/db, orders/legacy-api-key]",
            "read: [orders/db]"
        )
    );
    ecs_iam::model::build(&ecs_iam::spec::parse(std::path::Path::new(SPEC), &after).unwrap())
        .unwrap();
    // No file is written.
    assert_eq!(
        std::fs::read_to_string(common::root().join(SPEC)).unwrap(),
        before
    );
}

const BLOCK_SPEC: &str = "tests/usage/suggest/orders.yaml";

#[test]
fn suggest_edits_block_lists_access_levels_and_statements() {
    let out = usage(&[
        BLOCK_SPEC,
        "--cloudtrail",
        TRAIL,
        "--event-selectors",
        "tests/cloudtrail/selectors/basic.json",
        "--suggest",
    ]);
    assert_eq!(out.status, 1, "{}", out.stderr);
    let section = suggestion(&out.stdout);
    // With every S3 object event selected, orders-in's `s3:PutObject` is
    // unused: its default levels are written out without `write`.
    // orders-old is unused whole. The Describe statement reads orders/db:
    // only its `DescribeSecret` goes. The Parameters statement is unused
    // whole (its Sid goes: a layout change, shown as neutral).
    // orders-sidecar's layer actions are unused; the
    // `ecr:GetAuthorizationToken` it shares with orders stays with orders.
    assert!(
        section.starts_with(
            "\ntests/usage/suggest/orders.yaml: remove task_role.secrets.read[1], task_role.s3[0].access: write, task_role.s3[1], task_role.statements[0].actions[1], task_role.statements[1], execution_role.ecr.repositories[1]\n"
        ),
        "{section}"
    );
    let diff = diff_of(section);
    assert_eq!(
        diff,
        "--- tests/usage/suggest/orders.yaml\n\
         +++ tests/usage/suggest/orders.yaml\n\
         @@ -11,24 +11,17 @@\n\
         \x20    read:\n\
         \x20      - orders/db\n\
         \x20      # Retired in October.\n\
         -      - orders/legacy-api-key\n\
         \x20  s3:\n\
         \x20    - bucket: orders-in\n\
         -    - bucket: orders-old\n\
         -      access: [read]\n\
         +      access: [list, read]\n\
         \x20  statements:\n\
         \x20    - sid: Describe\n\
         \x20      actions:\n\
         \x20        - secretsmanager:GetSecretValue\n\
         -        - secretsmanager:DescribeSecret\n\
         \x20      resources: [\"arn:<partition>:secretsmanager:<region>:<account_id>:secret:orders/db-*\"]\n\
         -    - sid: Parameters\n\
         -      actions: [ssm:GetParameter]\n\
         -      resources: [\"arn:<partition>:ssm:<region>:<account_id>:parameter/orders/*\"]\n\
         \x20execution_role:\n\
         \x20  ecr:\n\
         \x20    repositories:\n\
         \x20      - orders\n\
         -      - orders-sidecar\n\
         \x20  logs:\n\
         \x20    groups: [/ecs/orders]\n"
    );
    let mut changes: Vec<&str> = section.lines().filter(|l| l.starts_with("  - ")).collect();
    changes.sort_unstable();
    let mut expected = vec![
        "  - narrowing   Allow secretsmanager:GetSecretValue on arn:aws:secretsmanager:<region>:111122223333:secret:orders/legacy-api-key-??????",
        "  - narrowing   Allow s3:PutObject on arn:aws:s3:::orders-in/*",
        "  - narrowing   Allow s3:GetBucketLocation on arn:aws:s3:::orders-old",
        "  - narrowing   Allow s3:GetObject on arn:aws:s3:::orders-old/*",
        "  - narrowing   Allow secretsmanager:DescribeSecret on arn:aws:secretsmanager:<region>:111122223333:secret:orders/db-*",
        "  - narrowing   Allow ssm:GetParameter on arn:aws:ssm:<region>:111122223333:parameter/orders/*",
        "  - narrowing   Allow ecr:BatchCheckLayerAvailability on arn:aws:ecr:<region>:111122223333:repository/orders-sidecar",
        "  - narrowing   Allow ecr:BatchGetImage on arn:aws:ecr:<region>:111122223333:repository/orders-sidecar",
        "  - narrowing   Allow ecr:GetDownloadUrlForLayer on arn:aws:ecr:<region>:111122223333:repository/orders-sidecar",
    ];
    expected.sort_unstable();
    assert_eq!(changes, expected, "{section}");
    let after = applied(BLOCK_SPEC, &diff);
    ecs_iam::model::build(&ecs_iam::spec::parse(std::path::Path::new(BLOCK_SPEC), &after).unwrap())
        .unwrap();
}

#[test]
fn suggest_needs_enough_evidence() {
    let out = usage(&[SPEC, "--cloudtrail", TRAIL, "--suggest", "--min-days", "31"]);
    assert_eq!(
        suggestion(&out.stdout),
        "\ntests/usage/orders/orders.yaml: nothing to remove: no spec item grants only unused grants\n"
    );
}

#[test]
fn suggest_goes_with_text_and_markdown_only() {
    for format in ["json", "sarif"] {
        let out = usage(&[SPEC, "--cloudtrail", TRAIL, "--suggest", "--format", format]);
        assert_eq!(out.status, 2);
        assert_eq!(out.stdout, "");
        assert!(
            out.stderr.starts_with(&format!(
                "error: the argument '--suggest' cannot be used with '--format {format}': the suggestion is a diff, printed after a text or Markdown report\n"
            )),
            "{}",
            out.stderr
        );
    }
    let out = usage(&[
        SPEC,
        "--cloudtrail",
        TRAIL,
        "--suggest",
        "--format",
        "markdown",
    ]);
    assert_eq!(out.status, 1, "{}", out.stderr);
    let section = out
        .stdout
        .split_once("\n## Suggested narrowing\n")
        .unwrap()
        .1;
    assert!(
        section.starts_with(
            "\n`tests/usage/orders/orders.yaml`: remove `task_role.secrets.read[1]`\n\n```diff\n--- tests/usage/orders/orders.yaml\n"
        ),
        "{section}"
    );
    assert!(
        section.contains("-    read: [orders/db, orders/legacy-api-key]\n+    read: [orders/db]\n")
    );
    assert!(section.ends_with("```\n\n```\ntask - narrowing   Allow secretsmanager:GetSecretValue on arn:aws:secretsmanager:<region>:111122223333:secret:orders/legacy-api-key-??????\n```\n"), "{section}");
}

/// The command line's own mistakes: a window that ends before it starts
/// (with the records or the Athena query alike), an Athena table name
/// that is not one. Each is one line and exit 2, and nothing is printed.
#[test]
fn a_bad_window_or_table_is_refused() {
    let window = "error: --until `2026-11-01T00:00:00Z` is not after --since `2026-12-01T00:00:00Z`: the window holds no time; give an --until later than --since\n";
    for source in [&["--cloudtrail", TRAIL][..], &["--athena-sql"][..]] {
        let mut args = vec![SPEC];
        args.extend_from_slice(source);
        args.extend(["--since", "2026-12-01", "--until", "2026-11-01"]);
        let out = usage(&args);
        assert_eq!(out.status, 2, "{source:?}");
        assert_eq!(out.stderr, window, "{source:?}");
        assert!(out.stdout.is_empty());
    }
    let out = usage(&[SPEC, "--athena-sql", "--athena-table", "logs;drop"]);
    assert_eq!(out.status, 2);
    assert!(out.stdout.is_empty());
    assert_eq!(
        out.stderr,
        "error: `logs;drop` is not an Athena table name: give `TABLE`, `DATABASE.TABLE` or `CATALOG.DATABASE.TABLE`, each name of letters, digits, `_` and `-` (the table AWS documents for CloudTrail is `cloudtrail_logs`)\n"
    );
}
