//! The Athena query run without AWS: `tests/athena/run.py` parses it as
//! Trino with sqlglot, runs it transpiled on DuckDB over the records of
//! `tests/usage/records/` loaded as AWS's CloudTrail table holds them, and
//! writes the result as Athena does; what `ecs_iam::athena::results` reads
//! back is what the same records give read locally and grouped alike.
//!
//! sqlglot and DuckDB come from PyPI with the conformance tools
//! (`conformance/requirements.txt`): the test is ignored by a plain
//! `cargo test` and run by `cargo test -- --include-ignored` (`.ci/run`).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use ecs_iam::arn::Partition;
use ecs_iam::athena::{self, RoleName, Window};
use ecs_iam::cloudtrail::actions::{Called, called};
use ecs_iam::cloudtrail::observed::{Evidence, Observed, Shown, TaskStarts};
use ecs_iam::cloudtrail::records::{self, Record};
use ecs_iam::cloudtrail::resources::resources;

const TASK_ROLE: &str = "arn:aws:iam::111122223333:role/ecs/orders_task";
const EXECUTION_ROLE: &str = "arn:aws:iam::111122223333:role/orders-exec";

/// The spec's roles: the task role with its account known, the execution
/// role by path and name alone.
fn roles() -> Vec<RoleName> {
    vec![
        RoleName {
            path: "/ecs/".into(),
            name: "orders_task".into(),
            account: Some("111122223333".into()),
            partition: Some(Partition::Aws),
        },
        RoleName {
            path: "/".into(),
            name: "orders-exec".into(),
            account: None,
            partition: None,
        },
    ]
}

fn window() -> Window {
    Window::new(Some("2026-12-01T00:00:00Z"), Some("2026-12-03T00:00:00Z")).unwrap()
}

/// A counted call as compared: what decides its group, its tally, and the
/// resources derived from it for its action.
type Group = (
    Vec<Option<String>>,
    Option<bool>,
    BTreeMap<String, String>,
    Vec<String>,
    (u64, String, String, Option<String>),
    Option<Vec<String>>,
);

fn group(o: &Observed) -> Group {
    let r = &o.record;
    let request = athena::REQUEST_FIELDS
        .iter()
        .filter_map(|f| {
            r.request
                .get(*f)
                .filter(|v| !v.is_null())
                .map(|v| ((*f).to_owned(), v.to_string()))
        })
        .collect();
    let derived = match called(&r.source, &r.name) {
        Called::Action(action) => resources(r, &action),
        Called::Unmapped { .. } => None,
    };
    (
        vec![
            r.issuer.clone(),
            Some(r.source.clone()),
            Some(r.name.clone()),
            r.error.clone(),
            r.region.clone(),
            r.account.clone(),
            r.category.clone(),
        ],
        r.read_only,
        request,
        r.resources.clone(),
        (o.count, r.time.clone(), o.last.clone(), o.example.clone()),
        derived,
    )
}

/// The local records read and grouped as the query groups them: calls by
/// the two roles, ECS's task starts with them, the kinds of events shown
/// and the time covered, within the window.
fn local(records: &[Record], window: &Window) -> Evidence {
    let ours = |arn: &str| arn == TASK_ROLE || arn.ends_with(":role/orders-exec");
    let records: Vec<&Record> = records
        .iter()
        .filter(|r| window.contains(&r.time))
        .collect();
    let mut out = Evidence {
        records: records.len() as u64,
        coverage: records
            .iter()
            .map(|r| r.time.clone())
            .min()
            .zip(records.iter().map(|r| r.time.clone()).max()),
        ..Evidence::default()
    };
    let mut calls: BTreeMap<String, Observed> = BTreeMap::new();
    let mut starts: BTreeMap<String, (BTreeSet<String>, String, String)> = BTreeMap::new();
    for r in &records {
        out.shown.insert(Shown {
            category: r.category.clone(),
            source: r.source.clone(),
            name: r.name.clone(),
            read_only: r.read_only,
        });
        if r.source == "sts.amazonaws.com"
            && r.name == "AssumeRole"
            && r.invoked_by.as_deref() == Some("ecs-tasks.amazonaws.com")
            && r.error.is_none()
            && let Some(role) = r.request["roleArn"].as_str().filter(|a| ours(a))
        {
            let session = r.request["roleSessionName"].as_str().unwrap().to_owned();
            let e = starts
                .entry(role.to_owned())
                .or_insert_with(|| (BTreeSet::new(), r.time.clone(), r.time.clone()));
            e.0.insert(session);
            e.1 = e.1.clone().min(r.time.clone());
            e.2 = e.2.clone().max(r.time.clone());
        }
        if !r.issuer.as_deref().is_some_and(ours) {
            continue;
        }
        let g = group(&Observed::one((*r).clone()));
        let key = format!("{:?}", (g.0, g.1, g.2, g.3));
        calls
            .entry(key)
            .and_modify(|o| {
                o.count += 1;
                let earlier = (r.time.as_str(), r.id.as_deref())
                    < (o.record.time.as_str(), o.example.as_deref());
                if earlier {
                    o.record = (*r).clone();
                    o.example.clone_from(&r.id);
                }
                o.last = o.last.clone().max(r.time.clone());
            })
            .or_insert_with(|| Observed::one((*r).clone()));
    }
    out.calls = calls.into_values().collect();
    out.task_starts = starts
        .into_iter()
        .map(|(role, (sessions, first, last))| TaskStarts {
            role,
            tasks: sessions.len() as u64,
            first,
            last,
        })
        .collect();
    out
}

fn run_on_duckdb(dir: &Path, sql: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    run_on_duckdb_over(dir, sql, &common::root().join("tests/usage/records"))
}

fn run_on_duckdb_over(
    dir: &Path,
    sql: &str,
    records: &Path,
) -> (std::path::PathBuf, std::path::PathBuf) {
    let tools = common::conformance_tools();
    let query = dir.join("query.sql");
    let csv = dir.join("result.csv");
    let json = dir.join("result.json");
    std::fs::write(&query, sql).unwrap();
    let out = Command::new(tools.join("venv/bin/python"))
        .arg(common::root().join("tests/athena/run.py"))
        .arg(&query)
        .arg(&csv)
        .arg(records)
        .arg("--json")
        .arg(&json)
        .output()
        .expect("run.py runs");
    assert!(
        out.status.success(),
        "run.py failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (csv, json)
}

#[test]
#[ignore = "installs the conformance tools (PyPI); run with `cargo test -- --include-ignored`"]
fn the_query_gives_what_the_records_give() {
    let test = common::Test::new();
    let sql = athena::query(&roles(), &window());
    let (csv, json) = run_on_duckdb(test.dir(), &sql);
    let athena = athena::results(&csv).unwrap_or_else(|e| panic!("{e}"));

    // Written by hand from tests/usage/records: the task role's calls.
    let mut task_role: Vec<_> = athena
        .calls
        .iter()
        .filter(|o| o.record.issuer.as_deref() == Some(TASK_ROLE))
        .map(|o| {
            (
                o.record.source.as_str(),
                o.record.name.as_str(),
                o.record.error.as_deref(),
                o.record.request.get("key").and_then(|k| k.as_str()),
                o.record.resources.len(),
                o.count,
                o.record.time.as_str(),
                o.last.as_str(),
                o.example.as_deref(),
            )
        })
        .collect();
    task_role.sort_unstable();
    assert_eq!(
        task_role,
        [
            (
                "s3.amazonaws.com",
                "GetObject",
                None,
                Some("in/a.csv"),
                0,
                2,
                "2026-12-01T10:40:00Z",
                "2026-12-01T10:45:00Z",
                Some("t-08"),
            ),
            (
                "s3.amazonaws.com",
                "GetObject",
                None,
                Some("in/a.csv"),
                2,
                4,
                "2026-12-01T10:05:00Z",
                "2026-12-02T08:00:00Z",
                Some("t-01"),
            ),
            (
                "s3.amazonaws.com",
                "GetObject",
                None,
                Some("in/b.csv"),
                2,
                1,
                "2026-12-01T10:30:00Z",
                "2026-12-01T10:30:00Z",
                Some("t-05"),
            ),
            (
                "secretsmanager.amazonaws.com",
                "GetSecretValue",
                Some("AccessDenied"),
                None,
                0,
                1,
                "2026-12-01T10:10:00Z",
                "2026-12-01T10:10:00Z",
                Some("t-06"),
            ),
        ]
    );
    assert_eq!(
        athena.task_starts,
        [
            TaskStarts {
                role: TASK_ROLE.into(),
                tasks: 2,
                first: "2026-12-01T09:59:00Z".into(),
                last: "2026-12-02T07:59:00Z".into(),
            },
            TaskStarts {
                role: EXECUTION_ROLE.into(),
                tasks: 1,
                first: "2026-12-01T09:59:00Z".into(),
                last: "2026-12-01T09:59:00Z".into(),
            },
        ]
    );
    assert_eq!(
        athena.coverage,
        Some((
            "2026-12-01T09:59:00Z".to_owned(),
            "2026-12-02T08:00:06Z".to_owned()
        ))
    );
    assert_eq!(athena.records, 21);

    // The same records read locally and grouped alike.
    let records = records::read(&[common::root().join("tests/usage/records")]).unwrap();
    let local = local(&records, &window());
    let sorted = |e: &Evidence| {
        let mut g: Vec<Group> = e.calls.iter().map(group).collect();
        g.sort();
        g
    };
    assert_eq!(sorted(&athena), sorted(&local));
    assert_eq!(athena.task_starts, local.task_starts);
    assert_eq!(athena.shown, local.shown);
    assert_eq!(
        (athena.coverage.clone(), athena.records),
        (local.coverage.clone(), local.records)
    );
    // The resources derived from a call read back are the records' own.
    let secret = athena
        .calls
        .iter()
        .find(|o| o.record.name == "GetSecretValue" && o.record.error.is_none())
        .unwrap();
    assert_eq!(
        resources(&secret.record, "secretsmanager:GetSecretValue"),
        Some(vec![
            "arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders/db-??????".to_owned()
        ])
    );

    // get-query-results JSON reads as the CSV does.
    let from_json = athena::results(&json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sorted(&from_json), sorted(&athena));
    assert_eq!(
        (from_json.task_starts, from_json.shown, from_json.coverage),
        (athena.task_starts, athena.shown, athena.coverage)
    );
}

/// Role names that are SQL: the query stays one statement, and matches
/// exactly the roles named, not the ones a `LIKE` pattern would.
#[test]
#[ignore = "installs the conformance tools (PyPI); run with `cargo test -- --include-ignored`"]
fn hostile_role_names_match_nothing_more() {
    let test = common::Test::new();
    let hostile = [
        "x'; DROP TABLE cloudtrail_logs; --",
        "orders%",
        "o_ders_task",
        "a\nb",
        "it''s",
    ];
    let roles: Vec<RoleName> = hostile
        .iter()
        .map(|n| RoleName {
            path: "/ecs/".into(),
            name: (*n).into(),
            account: None,
            partition: None,
        })
        .collect();
    let sql = athena::query(&roles, &Window::default());
    let (csv, _) = run_on_duckdb(test.dir(), &sql);
    let evidence = athena::results(&csv).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(evidence.calls, []);
    assert_eq!(evidence.task_starts, []);
    // The whole trail, without a window.
    assert_eq!(evidence.records, 23);
}

/// `ecs-iam usage ARGS` in the repository's root: its exit code, stdout
/// and stderr.
fn usage(args: &[&std::ffi::OsStr]) -> (i32, String, String) {
    let out = common::Test::in_dir(&common::root())
        .args(["usage"])
        .args(args)
        .command()
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// The whole path, for a spec and records: the query `usage --athena-sql`
/// prints, run in DuckDB over the records, and its result given back with
/// `--athena-results` (as Athena's CSV and as `get-query-results` JSON),
/// reports exactly what `usage --cloudtrail` reports on the same records,
/// in every format.
#[test]
#[ignore = "installs the conformance tools (PyPI); run with `cargo test -- --include-ignored`"]
fn the_report_from_athena_is_the_local_report() {
    let os = |s: &str| std::ffi::OsString::from(s);
    let spec = os("tests/usage/orders/orders.yaml");
    let trail = common::root().join("tests/usage/orders/trail");
    for window in [
        vec![],
        vec![os("--since"), os("2026-11-20")],
        vec![os("--until"), os("2026-11-01T08:02:01Z")],
    ] {
        let test = common::Test::new();
        let mut args = vec![spec.clone(), os("--athena-sql")];
        args.extend(window.iter().cloned());
        let refs: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsString::as_os_str).collect();
        let (code, sql, stderr) = usage(&refs);
        assert_eq!(code, 0, "{stderr}");
        let (csv, json) = run_on_duckdb_over(test.dir(), &sql, &trail);
        for format in ["text", "json", "markdown", "sarif"] {
            let mut local = vec![
                spec.clone(),
                os("--cloudtrail"),
                trail.clone().into_os_string(),
            ];
            local.extend(window.iter().cloned());
            local.extend([os("--format"), os(format), os("--min-days"), os("0")]);
            let refs: Vec<&std::ffi::OsStr> =
                local.iter().map(std::ffi::OsString::as_os_str).collect();
            let want = usage(&refs);
            assert_eq!(want.0, 1, "{window:?} {format}: {}", want.2);
            for result in [&csv, &json] {
                let remote = [
                    spec.as_os_str(),
                    std::ffi::OsStr::new("--athena-results"),
                    result.as_os_str(),
                    std::ffi::OsStr::new("--format"),
                    std::ffi::OsStr::new(format),
                    std::ffi::OsStr::new("--min-days"),
                    std::ffi::OsStr::new("0"),
                ];
                let got = usage(&remote);
                assert_eq!(got, want, "{window:?} {format} from {}", result.display());
            }
        }
    }
}
