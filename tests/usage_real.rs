//! `ecs-iam usage` on CloudTrail record files taken unmodified from public
//! repositories (tests/usage/real/README.md names each file's repository,
//! path, commit and licence): a delivered `.json.gz`, a plain delivered
//! file, two bare arrays from a detection test suite (anonymised regions,
//! refused calls, `null` request parameters), what `aws cloudtrail
//! lookup-events` prints, and two files that hold no records. Each spec
//! beside a file names a role whose calls the file holds; each expectation
//! below was worked out by hand from the file and the spec before the run.

mod common;

use common::Test;
use serde_json::Value;

const REAL: &str = "tests/usage/real";

struct Run {
    stdout: String,
    stderr: String,
    status: i32,
}

fn usage(spec: &str, file: &str, format: &str) -> Run {
    let out = Test::in_dir(&common::root())
        .args(["usage", &format!("{REAL}/{spec}")])
        .args(["--cloudtrail", &format!("{REAL}/{file}")])
        .args(["--format", format, "--min-days", "0", "--fail-on", "never"])
        .command()
        .output()
        .unwrap();
    Run {
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
        status: out.status.code().unwrap_or(-1),
    }
}

/// One entry of the JSON report: `(action, resource, status, count,
/// event_id, reason)`.
type Entry = (String, String, String, u64, Option<String>, Option<String>);

/// The JSON report's entries, after checking the run succeeded and printed
/// JSON; every entry is the task role's (each spec leaves its execution
/// role to be managed elsewhere).
fn entries(spec: &str, file: &str) -> Vec<Entry> {
    let out = usage(spec, file, "json");
    assert_eq!(out.status, 0, "{}", out.stderr);
    assert_eq!(out.stderr, "");
    let v: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", out.stdout));
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["role"], "task", "{e}");
            (
                e["action"].as_str().unwrap().to_owned(),
                e["resource"].as_str().unwrap().to_owned(),
                e["status"].as_str().unwrap().to_owned(),
                e["count"].as_u64().unwrap(),
                e["event_id"].as_str().map(str::to_owned),
                e["reason"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

fn entry(
    action: &str,
    resource: &str,
    status: &str,
    count: u64,
    event_id: Option<&str>,
    reason: Option<&str>,
) -> Entry {
    (
        action.to_owned(),
        resource.to_owned(),
        status.to_owned(),
        count,
        event_id.map(str::to_owned),
        reason.map(str::to_owned),
    )
}

fn text(spec: &str, file: &str) -> String {
    let out = usage(spec, file, "text");
    assert_eq!(out.status, 0, "{}", out.stderr);
    out.stdout
}

/// The error `usage` prints for a file it refuses, and that it prints
/// nothing else.
fn refusal(spec: &str, file: &str) -> String {
    let out = usage(spec, file, "json");
    assert_eq!(out.status, 2, "{}", out.stdout);
    assert_eq!(out.stdout, "");
    out.stderr
}

const NOT_RECORDS: &str = "this file holds no CloudTrail records: give the `*.json.gz` files CloudTrail delivers (`{\"Records\": [...]}`), a JSON array of records, or what `aws cloudtrail lookup-events` prints";

/// trailscraper's delivered file, gzipped: version 1.05 records without
/// `eventCategory` or `readOnly`; `someRole`'s session calls
/// `DescribeLaunchConfigurations` with `requestParameters: null`, then
/// AWS Config assumes the role (`invokedBy: config.amazonaws.com`, no task
/// start).
#[test]
fn trailscraper_delivered_gzip() {
    const SPEC: &str = "trailscraper/trailscraper.yaml";
    const FILE: &str =
        "trailscraper/111111111111_CloudTrail_eu-central-1_20171211T1505Z_A6kvhMoVeCsc7v8U.json.gz";
    let report = text(SPEC, FILE);
    // Three minutes apart: 0 days.
    assert!(
        report.starts_with(
            "ecs-iam usage: 2 records from 2017-12-11T15:01:51Z to 2017-12-11T15:04:51Z (0 days; --min-days 0)\n\n\
             tests/usage/real/trailscraper/trailscraper.yaml: task role `someRole`: 0 task starts, 1 call\n"
        ),
        "{report}"
    );
    assert!(
        report.ends_with("\n2 grants: 1 used, 1 unused, 0 unobservable; 0 refused calls\n"),
        "{report}"
    );
    assert_eq!(
        entries(SPEC, FILE),
        // A statement's actions in name order.
        vec![
            // The role ran, and the file shows a read-only management
            // event (the `Describe` call, its side taken from its name).
            entry(
                "autoscaling:DescribeAutoScalingGroups",
                "*",
                "unused",
                0,
                None,
                Some("no call in the 0 days covered")
            ),
            // A grant on `*`: the record need name no resource.
            entry(
                "autoscaling:DescribeLaunchConfigurations",
                "*",
                "used",
                1,
                Some("a0ed971f-389f-406a-9fcf-887c5ca6903a"),
                None
            ),
        ]
    );
}

/// Stratus Red Team's `ec2-get-password-data` detonation: a bare array of
/// 34 records in an anonymised region (`apiso-northsouth-3r`, no region's
/// form); two `AssumeRole` refusals with `requestParameters: null`, two
/// granted ones, then 30 `GetPasswordData` calls by the role, each on
/// another instance and each refused (`Client.UnauthorizedOperation`).
#[test]
fn stratus_refused_calls_in_an_anonymised_region() {
    const SPEC: &str = "stratus-red-team/password-data.yaml";
    const FILE: &str = "stratus-red-team/aws.credential-access.ec2-get-password-data.json";
    let report = text(SPEC, FILE);
    assert!(
        report.starts_with(
            "ecs-iam usage: 34 records from 2024-07-30T21:31:10Z to 2024-07-30T21:31:21Z (0 days; --min-days 0)\n\n\
             tests/usage/real/stratus-red-team/password-data.yaml: task role `stratus-red-team-ec2-get-password-data-role`: 0 task starts, 30 calls\n"
        ),
        "{report}"
    );
    // No resource is read from an instance id: the refusals are one entry.
    assert!(report.contains(
        "  denied       ec2:GetPasswordData on a resource the record does not name (task_role.statements): 30 calls, 2024-07-30T21:31:16Z to 2024-07-30T21:31:21Z, e.g. 52242c8d-7ef7-4165-90cd-621ebe835388: no grant of the spec allows it; to grant it: `task_role.statements: {actions: [ec2:GetPasswordData], resources: [*]}`\n"
    ), "{report}");
    assert!(
        report.ends_with("\n1 grant: 0 used, 1 unused, 0 unobservable; 1 refused call\n"),
        "{report}"
    );
    assert_eq!(
        entries(SPEC, FILE),
        vec![
            entry(
                "ec2:DescribeInstances",
                "*",
                "unused",
                0,
                None,
                Some("no call in the 0 days covered")
            ),
            // Four calls at 21:31:16; the lowest id of them.
            entry(
                "ec2:GetPasswordData",
                "",
                "denied",
                30,
                Some("52242c8d-7ef7-4165-90cd-621ebe835388"),
                Some("no grant of the spec allows it")
            ),
        ]
    );
}

/// Stratus Red Team's `bedrock-invoke-model` detonation: 15 calls by
/// `test-role` (event versions 1.09 and 1.10, region
/// `megov-northeast-1r`), none naming a resource in `resources`.
#[test]
fn stratus_used_grants_and_calls_not_granted() {
    const SPEC: &str = "stratus-red-team/bedrock.yaml";
    const FILE: &str = "stratus-red-team/aws.impact.bedrock-invoke-model.json";
    let report = text(SPEC, FILE);
    assert!(
        report.starts_with(
            "ecs-iam usage: 15 records from 2024-10-17T20:09:50Z to 2024-10-17T20:11:24Z (0 days; --min-days 0)\n\n\
             tests/usage/real/stratus-red-team/bedrock.yaml: task role `test-role`: 0 task starts, 15 calls\n"
        ),
        "{report}"
    );
    for (action, at) in [
        ("bedrock:ListFoundationModelAgreementOffers", "20:09:50"),
        ("bedrock:PutUseCaseForModelAccess", "20:09:50"),
        ("bedrock:CreateFoundationModelAgreement", "20:09:51"),
        ("bedrock:PutFoundationModelEntitlement", "20:09:52"),
    ] {
        assert!(
            report.contains(&format!("  not granted  {action}: 1 call, last 2024-10-17T{at}Z: allowed, but no grant of the spec allows it")),
            "{action}: {report}"
        );
    }
    assert!(
        report.ends_with("\n3 grants: 2 used, 1 unused, 0 unobservable; 0 refused calls\n"),
        "{report}"
    );
    assert_eq!(
        entries(SPEC, FILE),
        vec![
            // Ten calls, 20:09:50 to 20:11:22.
            entry(
                "bedrock:GetFoundationModelAvailability",
                "*",
                "used",
                10,
                Some("b2038781-3ed7-43c7-ade7-358b162b2c41"),
                None
            ),
            // The model is in `requestParameters.modelId` only: the call
            // counts for the grant, on some resource.
            entry(
                "bedrock:InvokeModel",
                "arn:aws:bedrock:<region>::foundation-model/*",
                "used",
                1,
                Some("51d580ea-04f5-421c-b733-b5e4ec485a6e"),
                Some(
                    "1 of the calls name no resource: they may have been made on another resource of this action"
                )
            ),
            // Write management events are shown (`PutUseCaseForModelAccess`).
            entry(
                "bedrock:DeleteFoundationModelAgreement",
                "*",
                "unused",
                0,
                None,
                Some("no call in the 0 days covered")
            ),
        ]
    );
}

/// The AWS CLI's `lookup-events` example output: one event, a version 1.02
/// record as a JSON string, `my-role`'s console sign-in
/// (`signin.amazonaws.com` `ConsoleLogin`, no IAM action; `requestParameters:
/// null`).
#[test]
fn aws_cli_lookup_events() {
    const SPEC: &str = "aws-cli/my-role.yaml";
    const FILE: &str = "aws-cli/lookup-events.json";
    assert_eq!(
        text(SPEC, FILE),
        "ecs-iam usage: 1 record from 2016-01-26T21:42:12Z to 2016-01-26T21:42:12Z (0 days; --min-days 0)\n\n\
         tests/usage/real/aws-cli/my-role.yaml: task role `my-role`: 0 task starts, 0 calls\n\
         \x20 unobservable secretsmanager:GetSecretValue on arn:aws:secretsmanager:<region>:123456789012:secret:app/db-?????? (task_role.secrets.read): no task started with the role and it made no call in the records\n\
         \x20 unmapped     signin.amazonaws.com ConsoleLogin: 1 call: no IAM action is known for this operation\n\
         \n1 grant: 0 used, 0 unused, 1 unobservable; 0 refused calls\n"
    );
    assert_eq!(
        entries(SPEC, FILE),
        vec![entry(
            "secretsmanager:GetSecretValue",
            "arn:aws:secretsmanager:<region>:123456789012:secret:app/db-??????",
            "unobservable",
            0,
            None,
            Some("no task started with the role and it made no call in the records")
        )]
    );
}

/// What CloudWatch Logs hands a subscription (the records as strings in
/// `logEvents[].message`) and a digest file given by name are not record
/// files: refused, at the file's first character.
#[test]
fn files_without_records_are_refused() {
    for file in [
        "opentelemetry/cloudtrail_log_cw.json",
        "opentelemetry/cloudtrail_digest.json",
    ] {
        assert_eq!(
            refusal("opentelemetry/admin.yaml", file),
            format!("error: {REAL}/{file}:1:1: {NOT_RECORDS}\n")
        );
    }
}

/// The OpenTelemetry Collector's delivered-file fixture: seven records of
/// versions 1.08 and 1.09, among them a data event (`Admin`'s SNS
/// `Publish`), a refused `UpdateTrail` (`TrailNotFoundException`), an
/// `AwsServiceEvent` whose identity has no `type`, and a CloudTrail
/// Insights record (`Records[3]`), which has no top-level `eventSource` or
/// `eventName`: those are in its `insightDetails`.
///
/// The Insights record (`Records[3]`, `eventType: AwsCloudTrailInsight`)
/// records no call: it is passed over, and the other six are read.
#[test]
fn otel_delivered_with_an_insights_record() {
    const SPEC: &str = "opentelemetry/admin.yaml";
    const FILE: &str = "opentelemetry/cloudtrail_log.json";
    let report = text(SPEC, FILE);
    // The KMS rotation (2021-01-14) is the first; the console sign-in
    // (2025-06-15) the last; six records, the Insights one not among them.
    assert!(
        report.contains(
            "ecs-iam usage: 6 records from 2021-01-14T01:41:59Z to 2025-06-15T14:30:00Z (1613.5 days; --min-days 0)\n\n\
             tests/usage/real/opentelemetry/admin.yaml: task role `Admin`: 0 task starts, 1 call\n"
        ),
        "{report}"
    );
    assert_eq!(
        entries(SPEC, FILE),
        vec![entry(
            "sns:Publish",
            "arn:aws:sns:<region>:123456789012:ExampleSNSTopic",
            "used",
            1,
            Some("bb3496d4-5252-4660-9c28-3c6aebdb21c0"),
            None
        )]
    );
}
