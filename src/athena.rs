//! Evidence of use from an organisation's trail too large for one machine:
//! [`query`] writes one Athena (Trino) query over the CloudTrail table AWS
//! documents, and [`results`] reads its result back, as the CSV Athena
//! writes to S3 or as `aws athena get-query-results` prints it, into the
//! same [`Evidence`] local CloudTrail files give.
//!
//! The query counts the roles' calls grouped as the local reader groups
//! records, and keeps the `requestParameters` fields and the `resources[]`
//! ARNs that [`crate::cloudtrail::resources`] derives a call's resources
//! from, so a call read back names the same ARNs as the records it counts.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::arn::Partition;
use crate::cloudtrail::observed::{Evidence, Observed, Shown, TaskStarts};
use crate::cloudtrail::records::Record;
use crate::error::{Error, FileKind, Location, Problem};
use crate::input;

/// The table AWS's "Querying AWS CloudTrail logs" pages name.
pub const DEFAULT_TABLE: &str = "cloudtrail_logs";
/// The largest result read: a result holds one row per kind of call, not
/// one per call, so even an organisation's is a few megabytes.
pub const MAX_RESULT_BYTES: u64 = 256 * 1024 * 1024;

/// The `requestParameters` fields [`crate::cloudtrail::resources`] derives
/// resources from, each carried in the result as the column
/// `request_<field in lower case>`. `names` is a list, carried as JSON.
pub const REQUEST_FIELDS: [&str; 15] = [
    "bucketName",
    "key",
    "secretId",
    "name",
    "names",
    "logGroupName",
    "queueUrl",
    "topicArn",
    "tableName",
    "keyId",
    "repositoryName",
    "registryId",
    "streamARN",
    "streamName",
    "deliveryStreamName",
];

/// A role asked about: its path and name, and where known its account and
/// partition, which make its ARN exact.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RoleName {
    /// `/`, or `/a/b/`.
    pub path: String,
    pub name: String,
    pub account: Option<String>,
    pub partition: Option<Partition>,
}

impl RoleName {
    /// The part of the role's ARN after its account: `role/<path><name>`
    /// without the path's leading `/`.
    #[must_use]
    pub fn resource(&self) -> String {
        let path = if self.path.is_empty() {
            "/"
        } else {
            &self.path
        };
        format!("role{path}{}", self.name)
    }
}

/// The time evidence is read for: `since` (inclusive) to `until`
/// (exclusive), each `YYYY-MM-DDTHH:MM:SSZ` as CloudTrail writes
/// `eventTime`; an open end when `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Window {
    pub since: Option<String>,
    pub until: Option<String>,
}

impl Window {
    /// A window from the command line's `--since` and `--until`.
    ///
    /// # Errors
    /// A time not written as `YYYY-MM-DDTHH:MM:SSZ`, or an `until` not
    /// after `since`.
    pub fn new(since: Option<&str>, until: Option<&str>) -> Result<Window, Error> {
        for (flag, value) in [("--since", since), ("--until", until)] {
            if let Some(v) = value.filter(|v| !is_time(v)) {
                return Err(Error::WindowTime {
                    flag,
                    value: v.to_owned(),
                });
            }
        }
        if let (Some(s), Some(u)) = (since, until)
            && u <= s
        {
            return Err(Error::EmptyWindow {
                since: s.to_owned(),
                until: u.to_owned(),
            });
        }
        Ok(Window {
            since: since.map(str::to_owned),
            until: until.map(str::to_owned),
        })
    }

    /// Whether an `eventTime` falls in the window.
    #[must_use]
    pub fn contains(&self, time: &str) -> bool {
        self.since.as_deref().is_none_or(|s| time >= s)
            && self.until.as_deref().is_none_or(|u| time < u)
    }
}

/// Whether `s` is `YYYY-MM-DDTHH:MM:SSZ` with a real date and time of day.
fn is_time(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| r.clone().all(|i| b[i].is_ascii_digit());
    let number = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(u32::MAX);
    b.len() == 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && b[19] == b'Z'
        && day(s).is_some()
        && number(11..13) < 24
        && number(14..16) < 60
        && number(17..19) < 60
}

/// The date a time starts with, when it is a real one.
fn day(time: &str) -> Option<(u32, u32, u32)> {
    let y = time.get(0..4)?.parse().ok()?;
    let m = time.get(5..7)?.parse().ok()?;
    let d = time.get(8..10)?.parse().ok()?;
    (time.get(4..5) == Some("-")
        && time.get(7..8) == Some("-")
        && (1..=12).contains(&m)
        && (1..=days_in_month(y, m)).contains(&d))
    .then_some((y, m, d))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn next_day((y, m, d): (u32, u32, u32)) -> (u32, u32, u32) {
    if d < days_in_month(y, m) {
        (y, m, d + 1)
    } else if m < 12 {
        (y, m + 1, 1)
    } else {
        (y + 1, 1, 1)
    }
}

/// The value of the table's `timestamp` partition column for a date
/// (`projection.timestamp.format` `yyyy/MM/dd`).
fn partition_value((y, m, d): (u32, u32, u32)) -> String {
    format!("{y:04}/{m:02}/{d:02}")
}

/// An Athena table: up to catalog, database and table names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table(Vec<String>);

impl Table {
    /// A table as `--athena-table` names it: `TABLE`, `DATABASE.TABLE` or
    /// `CATALOG.DATABASE.TABLE`.
    ///
    /// # Errors
    /// [`Error::AthenaTable`] for anything else.
    pub fn parse(value: &str) -> Result<Table, Error> {
        let parts: Vec<String> = value.split('.').map(str::to_owned).collect();
        let good = |p: &String| {
            !p.is_empty()
                && p.len() <= 255
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        };
        if parts.len() > 3 || !parts.iter().all(good) {
            return Err(Error::AthenaTable {
                value: value.to_owned(),
            });
        }
        Ok(Table(parts))
    }

    /// The table as the query names it: each name a quoted identifier.
    fn sql(&self) -> String {
        self.0
            .iter()
            .map(|p| format!("\"{}\"", p.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(".")
    }
}

impl Default for Table {
    fn default() -> Table {
        Table(vec![DEFAULT_TABLE.to_owned()])
    }
}

/// A Trino string literal holding `s` exactly: a quote is doubled, and
/// nothing else has a meaning inside one (no backslash escapes).
#[must_use]
pub fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The columns of the result, in order; every row has them all.
#[must_use]
pub fn columns() -> Vec<String> {
    let mut out: Vec<String> = [
        "kind",
        "role",
        "event_source",
        "event_name",
        "error_code",
        "region",
        "account",
        "category",
        "read_only",
    ]
    .map(str::to_owned)
    .to_vec();
    out.extend(REQUEST_FIELDS.iter().map(|f| request_column(f)));
    out.extend(
        [
            "resources",
            "event_count",
            "first_time",
            "last_time",
            "example",
        ]
        .map(str::to_owned),
    );
    out
}

fn request_column(field: &str) -> String {
    format!("request_{}", field.to_ascii_lowercase())
}

/// The query over [`DEFAULT_TABLE`]; see [`query_on`].
#[must_use]
pub fn query(roles: &[RoleName], window: &Window) -> String {
    query_on(&Table::default(), roles, window)
}

/// One Athena (Trino) query giving, as rows of one shape told apart by
/// `kind`: the roles' calls counted per role, event source and name, error
/// code, region, account and the resource they name (`call`); the tasks ECS
/// started with each role (`task_start`); the kinds of events the trail
/// logged in the window, whoever made them (`shown`); and the time the
/// trail covers (`coverage`). Every string from a spec is a literal
/// compared exactly, never a `LIKE` pattern.
#[must_use]
pub fn query_on(table: &Table, roles: &[RoleName], window: &Window) -> String {
    let mut q = String::new();
    let roles: BTreeSet<&RoleName> = roles.iter().collect();
    q.push_str(HEADER);

    // The window: on the partition column, so Athena reads only those
    // days' files, and on eventtime. A file's folder is the day it was
    // delivered, up to about 15 minutes after its last event: the day
    // after `until` is read too.
    let mut partitions = Vec::new();
    let mut times = Vec::new();
    if let Some(since) = &window.since {
        if let Some(d) = day(since) {
            partitions.push(format!("\"timestamp\" >= {}", literal(&partition_value(d))));
        }
        times.push(format!("eventtime >= {}", literal(since)));
    }
    if let Some(until) = &window.until {
        if let Some(d) = day(until) {
            partitions.push(format!(
                "\"timestamp\" <= {}",
                literal(&partition_value(next_day(d)))
            ));
        }
        times.push(format!("eventtime < {}", literal(until)));
    }
    let within: Vec<String> = partitions.into_iter().chain(times).collect();
    let _ = writeln!(q, "WITH events AS (\n  SELECT *\n  FROM {}", table.sql());
    for (i, c) in within.iter().enumerate() {
        let _ = writeln!(q, "  {} {c}", if i == 0 { "WHERE" } else { "  AND" });
    }
    q.push_str("),\n");

    let mut calls: Vec<(String, String)> = vec![
        (
            "useridentity.sessioncontext.sessionissuer.arn".into(),
            "role".into(),
        ),
        ("eventsource".into(), "event_source".into()),
        ("eventname".into(), "event_name".into()),
        ("errorcode".into(), "error_code".into()),
        ("awsregion".into(), "region".into()),
        ("recipientaccountid".into(), "account".into()),
        ("eventcategory".into(), "category".into()),
        ("readonly".into(), "read_only".into()),
    ];
    for field in REQUEST_FIELDS {
        let path = literal(&format!("$.{field}"));
        let expr = if field == "names" {
            format!("json_format(json_extract(requestparameters, {path}))")
        } else {
            format!("json_extract_scalar(requestparameters, {path})")
        };
        calls.push((expr, request_column(field)));
    }
    calls.push((
        // No list and an empty one are alike, as they are read locally.
        "nullif(json_format(CAST(filter(transform(resources, r -> r.arn), a -> a IS NOT NULL) AS JSON)), '[]')"
            .into(),
        "resources".into(),
    ));
    calls.push(("eventtime".into(), "eventtime".into()));
    calls.push(("eventid".into(), "eventid".into()));
    q.push_str("calls AS (\n  SELECT\n");
    let last = calls.len() - 1;
    for (i, (expr, name)) in calls.iter().enumerate() {
        let comma = if i == last { "" } else { "," };
        if expr == name {
            let _ = writeln!(q, "    {expr}{comma}");
        } else {
            let _ = writeln!(q, "    {expr} AS {name}{comma}");
        }
    }
    q.push_str("  FROM events\n),\n");

    // ECS's own AssumeRole for each task: one task per session name.
    q.push_str(
        "task_starts AS (
  SELECT
    json_extract_scalar(requestparameters, '$.roleArn') AS role,
    json_extract_scalar(requestparameters, '$.roleSessionName') AS session_name,
    eventtime
  FROM events
  WHERE eventsource = 'sts.amazonaws.com'
    AND eventname = 'AssumeRole'
    AND useridentity.invokedby = 'ecs-tasks.amazonaws.com'
    AND errorcode IS NULL
)
",
    );

    let grouped: Vec<String> = columns()[1..columns().len() - 4].to_vec();
    let role_filter = role_condition(&roles);
    let aggregates = [
        ("count(*)", "event_count"),
        ("min(eventtime)", "first_time"),
        ("max(eventtime)", "last_time"),
    ];

    // The roles' calls.
    let mut select = vec![("'call'".to_owned(), "kind".to_owned())];
    select.extend(grouped.iter().map(|c| (c.clone(), c.clone())));
    select.extend(aggregates.map(|(e, n)| (e.to_owned(), n.to_owned())));
    select.push((
        "min(concat(eventtime, ' ', eventid))".into(),
        "example".into(),
    ));
    branch(&mut q, &select, "calls", Some(&role_filter), &grouped);

    // The tasks ECS started with them.
    q.push_str("UNION ALL\n");
    let select = with_nulls(&[
        ("'task_start'", "kind"),
        ("role", "role"),
        ("count(DISTINCT session_name)", "event_count"),
        ("min(eventtime)", "first_time"),
        ("max(eventtime)", "last_time"),
    ]);
    branch(
        &mut q,
        &select,
        "task_starts",
        Some(&role_filter),
        &["role".to_owned()],
    );

    // The kinds of events the trail logged, whoever made them.
    q.push_str("UNION ALL\n");
    let select = with_nulls(&[
        ("'shown'", "kind"),
        ("eventsource", "event_source"),
        ("eventname", "event_name"),
        ("eventcategory", "category"),
        ("readonly", "read_only"),
        ("count(*)", "event_count"),
        ("min(eventtime)", "first_time"),
        ("max(eventtime)", "last_time"),
    ]);
    let shown_by = ["eventsource", "eventname", "eventcategory", "readonly"].map(str::to_owned);
    branch(&mut q, &select, "events", None, &shown_by);

    // The time the trail covers in the window.
    q.push_str("UNION ALL\n");
    let select = with_nulls(&[
        ("'coverage'", "kind"),
        ("count(*)", "event_count"),
        ("min(eventtime)", "first_time"),
        ("max(eventtime)", "last_time"),
    ]);
    branch(&mut q, &select, "events", None, &[]);

    let order: Vec<String> = columns()[..columns().len() - 4].to_vec();
    let _ = writeln!(q, "ORDER BY {}", order.join(", "));
    q
}

const HEADER: &str = "\
-- ecs-iam usage: what the roles of the specs called, the tasks ECS started
-- with them, the kinds of events the trail logged and the time it covers,
-- as rows of one shape told apart by `kind` (call, task_start, shown,
-- coverage). Give its result to ecs-iam: the CSV Athena writes to the
-- query result location, or what `aws athena get-query-results` prints.
--
-- It reads the table AWS documents in \"Querying AWS CloudTrail logs\",
-- \"Create the table for CloudTrail logs in Athena using partition
-- projection\": the CloudTrail record fields as columns (useridentity and
-- resources as structs, requestparameters as JSON text), partitioned by
-- `timestamp` ('projection.timestamp.format'='yyyy/MM/dd').
";

/// Every column of the result: the given expressions, NULL for the rest.
fn with_nulls(given: &[(&str, &str)]) -> Vec<(String, String)> {
    columns()
        .into_iter()
        .map(|c| {
            let expr = given
                .iter()
                .find(|(_, n)| *n == c)
                .map_or("NULL", |(e, _)| e);
            (expr.to_owned(), c)
        })
        .collect()
}

/// One `SELECT ... FROM ... [WHERE ...] [GROUP BY ...]` of the union.
fn branch(
    q: &mut String,
    select: &[(String, String)],
    from: &str,
    filter: Option<&str>,
    group_by: &[String],
) {
    q.push_str("SELECT\n");
    let last = select.len() - 1;
    for (i, (expr, name)) in select.iter().enumerate() {
        let comma = if i == last { "" } else { "," };
        if expr == name {
            let _ = writeln!(q, "  {expr}{comma}");
        } else {
            let _ = writeln!(q, "  {expr} AS {name}{comma}");
        }
    }
    let _ = writeln!(q, "FROM {from}");
    if let Some(f) = filter {
        let _ = writeln!(q, "WHERE {f}");
    }
    if !group_by.is_empty() {
        let _ = writeln!(q, "GROUP BY {}", group_by.join(", "));
    }
}

/// Whether the column `role` holds the ARN of one of the roles: an exact
/// ARN where the account is known (in each partition, unless known),
/// otherwise the part after the account (`role/<path><name>`) compared
/// exactly; `role/` first follows the account in every role ARN.
fn role_condition(roles: &BTreeSet<&RoleName>) -> String {
    let mut exact = BTreeSet::new();
    let mut by_partition: BTreeMap<Option<&'static str>, BTreeSet<String>> = BTreeMap::new();
    for role in roles {
        let resource = role.resource();
        match &role.account {
            Some(account) => {
                let partitions = role.partition.map_or(Partition::ALL.to_vec(), |p| vec![p]);
                for p in partitions {
                    exact.insert(format!("arn:{}:iam::{account}:{resource}", p.as_str()));
                }
            }
            None => {
                by_partition
                    .entry(role.partition.map(Partition::as_str))
                    .or_default()
                    .insert(resource);
            }
        }
    }
    let list = |set: &BTreeSet<String>| {
        set.iter()
            .map(|s| literal(s))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut any = Vec::new();
    if !exact.is_empty() {
        any.push(format!("role IN ({})", list(&exact)));
    }
    for (partition, resources) in &by_partition {
        let tail = format!(
            "substr(role, strpos(role, ':role/') + 1) IN ({})",
            list(resources)
        );
        any.push(match partition {
            None => tail,
            Some(p) => format!("(split_part(role, ':', 2) = {} AND {tail})", literal(p)),
        });
    }
    if any.is_empty() {
        "false".to_owned()
    } else {
        any.join("\n  OR ")
    }
}

/// One value of the result and where it stands in its file.
#[derive(Debug, Clone)]
struct Cell {
    value: Option<String>,
    at: Location,
}

/// The evidence an Athena result holds: the CSV Athena writes to S3, or
/// what `aws athena get-query-results` prints.
///
/// # Errors
/// A file that cannot be read, is too large, or is not the result of
/// [`query`]: each problem of the file at its `file:line:column`, all of
/// them in line order.
pub fn results(path: &Path) -> Result<Evidence, Error> {
    let text = input::bytes::read_text(path, FileKind::AthenaResult, MAX_RESULT_BYTES)?;
    parse(path, &text)
}

/// [`results`] of a file's text.
///
/// # Errors
/// As [`results`].
pub fn parse(path: &Path, text: &str) -> Result<Evidence, Error> {
    let rows = if text.trim_start().starts_with('{') {
        input::json::check_depth(path, text, FileKind::AthenaResult)?;
        json_rows(path, text)?
    } else {
        csv_rows(path, text)?
    };
    evidence(path, rows)
}

fn start(path: &Path) -> Location {
    Location {
        file: path.to_owned(),
        line: 1,
        column: 1,
    }
}

fn not_a_result(path: &Path) -> Error {
    Error::Invalid {
        at: start(path),
        field: String::new(),
        problem: Box::new(Problem::NotAthenaResult),
    }
}

/// The rows of Athena's CSV: every value in double quotes (a quote
/// doubled inside), NULL an empty field without quotes, the first row the
/// header; a quoted value may span lines.
fn csv_rows(path: &Path, text: &str) -> Result<Vec<Vec<Cell>>, Error> {
    let at = |line, column| Location {
        file: path.to_owned(),
        line,
        column,
    };
    let mut rows = Vec::new();
    let mut row: Vec<Cell> = Vec::new();
    let mut chars = text.char_indices().peekable();
    let (mut line, mut column) = (1, 1);
    loop {
        // One field, starting at (line, column).
        let here = at(line, column);
        let value = if chars.peek().map(|&(_, c)| c) == Some('"') {
            chars.next();
            column += 1;
            let mut v = String::new();
            loop {
                match chars.next() {
                    None => {
                        return Err(Error::Syntax {
                            at: here,
                            message: "not CSV: the quoted value is not closed".into(),
                        });
                    }
                    Some((_, '"')) if chars.peek().map(|&(_, c)| c) == Some('"') => {
                        chars.next();
                        column += 2;
                        v.push('"');
                    }
                    Some((_, '"')) => {
                        column += 1;
                        break;
                    }
                    Some((_, '\n')) => {
                        line += 1;
                        column = 1;
                        v.push('\n');
                    }
                    Some((_, c)) => {
                        column += c.len_utf8();
                        v.push(c);
                    }
                }
            }
            match chars.peek().map(|&(_, c)| c) {
                None | Some(',' | '\n' | '\r') => {}
                Some(_) => {
                    return Err(Error::Syntax {
                        at: at(line, column),
                        message: "not CSV: a value goes on after its closing quote".into(),
                    });
                }
            }
            Some(v)
        } else {
            let mut v = String::new();
            while let Some(&(_, c)) = chars.peek() {
                if matches!(c, ',' | '\n' | '\r') {
                    break;
                }
                if c == '"' {
                    return Err(Error::Syntax {
                        at: at(line, column),
                        message: "not CSV: a quote inside a value that does not start with one"
                            .into(),
                    });
                }
                chars.next();
                column += c.len_utf8();
                v.push(c);
            }
            (!v.is_empty()).then_some(v)
        };
        row.push(Cell { value, at: here });
        match chars.next() {
            Some((_, ',')) => column += 1,
            Some((_, '\r')) if chars.peek().map(|&(_, c)| c) == Some('\n') => {
                chars.next();
                rows.push(std::mem::take(&mut row));
                (line, column) = (line + 1, 1);
            }
            Some((_, '\n')) => {
                rows.push(std::mem::take(&mut row));
                (line, column) = (line + 1, 1);
            }
            Some(_) => {
                return Err(Error::Syntax {
                    at: at(line, column),
                    message: "not CSV: a carriage return alone ends no row".into(),
                });
            }
            None => {
                rows.push(row);
                break;
            }
        }
        if chars.peek().is_none() {
            break;
        }
    }
    // A file ends with one line break; a blank line is no row.
    rows.retain(|r| !(r.len() == 1 && r[0].value.is_none()));
    Ok(rows)
}

#[derive(Deserialize)]
struct QueryResults<'a> {
    #[serde(rename = "ResultSet", borrow)]
    result_set: Option<ResultSet<'a>>,
    #[serde(rename = "NextToken", default)]
    next_token: Option<String>,
}

#[derive(Deserialize)]
struct ResultSet<'a> {
    #[serde(rename = "Rows", borrow, default)]
    rows: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct JsonRow<'a> {
    #[serde(rename = "Data", borrow, default)]
    data: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct Datum {
    #[serde(rename = "VarCharValue", default)]
    value: Option<String>,
}

/// The rows of `aws athena get-query-results` output: `ResultSet.Rows[]`,
/// each `Data[]` of `{"VarCharValue": ...}`, NULL a datum without one; the
/// first row the header.
fn json_rows(path: &Path, text: &str) -> Result<Vec<Vec<Cell>>, Error> {
    let cursor = std::cell::RefCell::new(input::json::Cursor::default());
    let at = |part: &str| {
        let (line, column) = cursor
            .borrow_mut()
            .line_column(text, input::json::offset_in(text, part));
        Location {
            file: path.to_owned(),
            line,
            column,
        }
    };
    let syntax = |e: &serde_json::Error, part: &str| {
        let (line, column) =
            input::json::position_in(text, part, e.line().max(1), e.column().max(1));
        Error::Syntax {
            at: Location {
                file: path.to_owned(),
                line,
                column,
            },
            message: format!(
                "not an Athena result: {}",
                input::json::without_position(&e.to_string())
            ),
        }
    };
    let top: QueryResults = serde_json::from_str(text).map_err(|e| syntax(&e, text))?;
    let Some(set) = top.result_set else {
        return Err(not_a_result(path));
    };
    if top.next_token.is_some() {
        let offset = text.find("\"NextToken\"").unwrap_or(0);
        let (line, column) = input::json::line_column(text, offset);
        return Err(Error::Invalid {
            at: Location {
                file: path.to_owned(),
                line,
                column,
            },
            field: String::new(),
            problem: Box::new(Problem::AthenaTruncated),
        });
    }
    let mut rows = Vec::new();
    for raw in set.rows {
        let row: JsonRow = serde_json::from_str(raw.get()).map_err(|e| syntax(&e, raw.get()))?;
        let mut cells = Vec::new();
        for datum in row.data {
            let d: Datum =
                serde_json::from_str(datum.get()).map_err(|e| syntax(&e, datum.get()))?;
            cells.push(Cell {
                value: d.value,
                at: at(datum.get()),
            });
        }
        if cells.is_empty() {
            // A row without data stands where its `{` is.
            cells.push(Cell {
                value: None,
                at: at(raw.get()),
            });
        }
        rows.push(cells);
    }
    Ok(rows)
}

/// The kinds of row the query gives.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Call,
    TaskStart,
    Shown,
    Coverage,
}

/// The evidence of the result's rows, the first being the header.
fn evidence(path: &Path, mut rows: Vec<Vec<Cell>>) -> Result<Evidence, Error> {
    if rows.is_empty() {
        return Err(not_a_result(path));
    }
    let header = rows.remove(0);
    let names: Vec<Option<&str>> = header.iter().map(|c| c.value.as_deref()).collect();
    let wanted = columns();
    let index: BTreeMap<&str, usize> = names
        .iter()
        .enumerate()
        .filter_map(|(i, n)| n.map(|n| (n, i)))
        .collect();
    let missing: Vec<String> = wanted
        .iter()
        .filter(|c| !index.contains_key(c.as_str()))
        .cloned()
        .collect();
    if !missing.is_empty() {
        return Err(Error::Invalid {
            at: header[0].at.clone(),
            field: String::new(),
            problem: Box::new(Problem::AthenaColumns { missing }),
        });
    }

    let mut out = Evidence::default();
    let mut problems = Vec::new();
    let mut coverage_seen = false;
    for row in &rows {
        if row.len() != header.len() {
            problems.push(Error::Invalid {
                at: row[0].at.clone(),
                field: String::new(),
                problem: Box::new(Problem::AthenaRowWidth {
                    expected: header.len(),
                    found: row.len(),
                }),
            });
            continue;
        }
        let mut fields = Fields {
            row,
            index: &index,
            problems: &mut problems,
        };
        let kind = match fields.get("kind").as_deref() {
            Some("call") => Kind::Call,
            Some("task_start") => Kind::TaskStart,
            Some("shown") => Kind::Shown,
            Some("coverage") => Kind::Coverage,
            other => {
                let other = other.map(str::to_owned);
                fields.bad(
                    "kind",
                    other,
                    "a kind of row: `call`, `task_start`, `shown` or `coverage`",
                );
                continue;
            }
        };
        match kind {
            Kind::Call => {
                if let Some(o) = fields.call() {
                    out.calls.push(o);
                }
            }
            Kind::TaskStart => {
                let role = fields.required("role", "a role ARN");
                let tasks = fields.count();
                let first = fields.required("first_time", "a time");
                let last = fields.required("last_time", "a time");
                if let (Some(role), Some(tasks), Some(first), Some(last)) =
                    (role, tasks, first, last)
                {
                    out.task_starts.push(TaskStarts {
                        role,
                        tasks,
                        first,
                        last,
                    });
                }
            }
            Kind::Shown => {
                let category = fields.get("category");
                let source = fields.required("event_source", "an event source");
                let name = fields.required("event_name", "an event name");
                let read_only = fields.read_only();
                if let (Some(source), Some(name), Ok(read_only)) = (source, name, read_only) {
                    out.shown.insert(Shown {
                        category,
                        source,
                        name,
                        read_only,
                    });
                }
            }
            Kind::Coverage => {
                if coverage_seen {
                    fields.bad(
                        "kind",
                        Some("coverage".into()),
                        "a second `coverage` row (the query gives one)",
                    );
                    continue;
                }
                coverage_seen = true;
                let count = fields.count();
                let first = fields.get("first_time");
                let last = fields.get("last_time");
                if let Some(count) = count {
                    out.records = count;
                    out.coverage = first.zip(last);
                }
            }
        }
    }
    if !coverage_seen && problems.is_empty() {
        return Err(Error::Invalid {
            at: header[0].at.clone(),
            field: String::new(),
            problem: Box::new(Problem::AthenaNoCoverage),
        });
    }
    problems.sort_by_key(|e| e.location().map(|l| (l.line, l.column)));
    if let Some(e) = Error::several(problems) {
        return Err(e);
    }
    out.task_starts.sort();
    Ok(out)
}

/// A problem already reported for a value.
struct Reported;

/// The values of one row, by column, and the problems found in them.
struct Fields<'a> {
    row: &'a [Cell],
    index: &'a BTreeMap<&'a str, usize>,
    problems: &'a mut Vec<Error>,
}

impl Fields<'_> {
    fn cell(&self, column: &str) -> &Cell {
        &self.row[self.index[column]]
    }

    fn get(&self, column: &str) -> Option<String> {
        self.cell(column).value.clone()
    }

    fn bad(&mut self, column: &str, value: Option<String>, expected: &'static str) {
        let at = self.cell(column).at.clone();
        self.problems.push(Error::Invalid {
            at,
            field: column.to_owned(),
            problem: Box::new(Problem::AthenaValue { value, expected }),
        });
    }

    fn required(&mut self, column: &str, expected: &'static str) -> Option<String> {
        let v = self.get(column);
        if v.is_none() {
            self.bad(column, None, expected);
        }
        v
    }

    fn count(&mut self) -> Option<u64> {
        let v = self.get("event_count");
        let n = v.as_deref().and_then(|s| s.parse().ok());
        if n.is_none() {
            self.bad("event_count", v, "a count");
        }
        n
    }

    /// `readonly` as the table holds it (a string).
    fn read_only(&mut self) -> Result<Option<bool>, Reported> {
        match self.get("read_only").as_deref() {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(other) => {
                let other = other.to_owned();
                self.bad("read_only", Some(other), "`true`, `false` or NULL");
                Err(Reported)
            }
        }
    }

    /// A JSON list of strings (`resources`, `request_names`); `None` for
    /// NULL or JSON `null`.
    fn list(&mut self, column: &str) -> Result<Option<Vec<String>>, Reported> {
        let Some(text) = self.get(column) else {
            return Ok(None);
        };
        serde_json::from_str::<Option<Vec<String>>>(&text).map_err(|_| {
            self.bad(column, Some(text), "a JSON list of strings");
            Reported
        })
    }

    fn call(&mut self) -> Option<Observed> {
        let at = self.row[0].at.clone();
        let issuer = self.required("role", "a role ARN");
        let source = self.required("event_source", "an event source");
        let name = self.required("event_name", "an event name");
        let count = self.count();
        let first = self.required("first_time", "a time");
        let last = self.required("last_time", "a time");
        let read_only = self.read_only();
        let resources = self.list("resources");
        let example = self.get("example");
        // `<eventtime> <eventid>`: the id is what follows the first space.
        let id = match example.as_deref().map(|e| e.split_once(' ')) {
            None => Ok(None),
            Some(Some((_, id))) => Ok(Some(id.to_owned())),
            Some(None) => {
                self.bad("example", example.clone(), "a time and an event id");
                Err(Reported)
            }
        };
        let mut request = serde_json::Map::new();
        let mut request_ok = true;
        for field in REQUEST_FIELDS {
            let column = request_column(field);
            if field == "names" {
                match self.list(&column) {
                    Ok(Some(names)) => {
                        request.insert(field.to_owned(), names.into());
                    }
                    Ok(None) => {}
                    Err(Reported) => request_ok = false,
                }
            } else if let Some(v) = self.get(&column) {
                request.insert(field.to_owned(), v.into());
            }
        }
        let (
            Some(issuer),
            Some(source),
            Some(name),
            Some(count),
            Some(first),
            Some(last),
            Ok(read_only),
            Ok(resources),
            Ok(id),
            true,
        ) = (
            issuer, source, name, count, first, last, read_only, resources, id, request_ok,
        )
        else {
            return None;
        };
        let record = Record {
            at,
            id: id.clone(),
            time: first,
            source,
            name,
            region: self.get("region"),
            account: self.get("account"),
            issuer: Some(issuer),
            invoked_by: None,
            error: self.get("error_code"),
            category: self.get("category"),
            read_only,
            resources: resources.unwrap_or_default(),
            request: if request.is_empty() {
                serde_json::Value::Null
            } else {
                serde_json::Value::Object(request)
            },
        };
        Some(Observed {
            record,
            count,
            last,
            example: id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(path: &str, name: &str) -> RoleName {
        RoleName {
            path: path.into(),
            name: name.into(),
            account: None,
            partition: None,
        }
    }

    fn messages(e: &Error) -> Vec<String> {
        e.each().iter().map(ToString::to_string).collect()
    }

    /// The CSV Athena writes for a result of `rows` (each a list of
    /// values, `None` for NULL) with the query's header.
    fn csv(rows: &[&[(&str, Option<&str>)]]) -> String {
        let columns = columns();
        let quote = |v: &str| format!("\"{}\"", v.replace('"', "\"\""));
        let mut out = columns
            .iter()
            .map(|c| quote(c))
            .collect::<Vec<_>>()
            .join(",");
        out.push('\n');
        for row in rows {
            let line: Vec<String> = columns
                .iter()
                .map(|c| {
                    row.iter()
                        .find(|(n, _)| n == c)
                        .and_then(|(_, v)| *v)
                        .map_or(String::new(), quote)
                })
                .collect();
            out.push_str(&line.join(","));
            out.push('\n');
        }
        out
    }

    const COVERAGE: &[(&str, Option<&str>)] = &[
        ("kind", Some("coverage")),
        ("event_count", Some("3")),
        ("first_time", Some("2026-12-01T10:00:00Z")),
        ("last_time", Some("2026-12-02T10:00:00Z")),
    ];

    #[test]
    fn hostile_role_names_stay_literals_compared_exactly() {
        assert_eq!(literal("it's"), "'it''s'");
        assert_eq!(literal("a\nb"), "'a\nb'");
        let roles = [
            role("/", "x'); DROP TABLE cloudtrail_logs; --"),
            role("/a'b/", "orders_%"),
            role("/", "a\nb"),
        ];
        let q = query(&roles, &Window::default());
        // Every quote of a role is doubled, inside the one IN list.
        assert!(q.contains(
            "IN ('role/a\nb', 'role/a''b/orders_%', 'role/x''); DROP TABLE cloudtrail_logs; --')"
        ));
        // No pattern matching anywhere: `_` and `%` are plain characters.
        assert!(!q.to_ascii_uppercase().contains("LIKE"), "{q}");
        assert!(!q.contains("regexp"), "{q}");
        // Apart from the doubled ones, quotes pair up: the text outside
        // literals is the query's own.
        let outside: String = q
            .lines()
            .filter(|l| !l.starts_with("--"))
            .collect::<Vec<_>>()
            .join("\n")
            .replace("''", "")
            .split('\'')
            .step_by(2)
            .collect();
        assert!(!outside.contains("DROP"), "{outside}");
        assert!(!outside.contains("orders_"), "{outside}");
    }

    #[test]
    fn exact_arns_where_the_account_is_known() {
        let mut known = role("/ecs/", "app");
        known.account = Some("111122223333".into());
        let mut any_partition = role("/", "exec");
        any_partition.account = Some("444455556666".into());
        let mut gov = role("/", "gov");
        gov.partition = Some(Partition::AwsUsGov);
        known.partition = Some(Partition::Aws);
        let q = query(&[any_partition, known, gov], &Window::default());
        assert!(q.contains(
            "WHERE role IN ('arn:aws-cn:iam::444455556666:role/exec', 'arn:aws-us-gov:iam::444455556666:role/exec', 'arn:aws:iam::111122223333:role/ecs/app', 'arn:aws:iam::444455556666:role/exec')\n  OR (split_part(role, ':', 2) = 'aws-us-gov' AND substr(role, strpos(role, ':role/') + 1) IN ('role/gov'))\n"
        ), "{q}");
        // No role: no call is theirs.
        assert!(query(&[], &Window::default()).contains("WHERE false\n"));
    }

    #[test]
    fn the_same_roles_in_any_order_give_the_same_query() {
        let a = role("/", "a");
        let b = role("/x/", "b");
        let w = Window::new(Some("2026-12-01T00:00:00Z"), None).unwrap();
        assert_eq!(
            query(&[a.clone(), b.clone(), a.clone()], &w),
            query(&[b, a], &w)
        );
    }

    #[test]
    fn the_window_bounds_the_partitions_and_the_times() {
        let w = Window::new(Some("2026-12-31T23:00:00Z"), Some("2027-02-28T12:00:00Z")).unwrap();
        let q = query(&[], &w);
        assert!(q.contains(
            "  FROM \"cloudtrail_logs\"\n  WHERE \"timestamp\" >= '2026/12/31'\n    AND \"timestamp\" <= '2027/03/01'\n    AND eventtime >= '2026-12-31T23:00:00Z'\n    AND eventtime < '2027-02-28T12:00:00Z'\n),"
        ), "{q}");
        assert!(w.contains("2026-12-31T23:00:00Z"));
        assert!(!w.contains("2027-02-28T12:00:00Z"));
        assert!(!w.contains("2026-12-31T22:59:59Z"));
        assert_eq!(next_day((2024, 2, 28)), (2024, 2, 29));
        assert_eq!(next_day((2100, 2, 28)), (2100, 3, 1));
        // No window: the whole table.
        assert!(query(&[], &Window::default()).contains("  FROM \"cloudtrail_logs\"\n),"));
        for (since, until, message) in [
            (
                Some("2026-12-01"),
                None,
                "--since `2026-12-01` is not a time as CloudTrail writes it: give `YYYY-MM-DDTHH:MM:SSZ` in UTC (e.g. `2026-12-01T00:00:00Z`)",
            ),
            (
                None,
                Some("2026-02-30T00:00:00Z"),
                "--until `2026-02-30T00:00:00Z` is not a time as CloudTrail writes it: give `YYYY-MM-DDTHH:MM:SSZ` in UTC (e.g. `2026-12-01T00:00:00Z`)",
            ),
            (
                Some("2026-12-01T00:00:00Z"),
                Some("2026-12-01T00:00:00Z"),
                "--until `2026-12-01T00:00:00Z` is not after --since `2026-12-01T00:00:00Z`: the window holds no time; give an --until later than --since",
            ),
        ] {
            assert_eq!(Window::new(since, until).unwrap_err().to_string(), message);
        }
    }

    #[test]
    fn tables_are_quoted_names() {
        let t = Table::parse("security.cloudtrail_logs_pp").unwrap();
        let q = query_on(&t, &[], &Window::default());
        assert!(
            q.contains("  FROM \"security\".\"cloudtrail_logs_pp\"\n"),
            "{q}"
        );
        for bad in ["", "a..b", "a;b", "a\"b", "a.b.c.d", "logs\n-- x"] {
            assert!(
                matches!(Table::parse(bad), Err(Error::AthenaTable { .. })),
                "{bad:?}"
            );
        }
        assert_eq!(
            Table::parse("a b").unwrap_err().to_string(),
            "`a b` is not an Athena table name: give `TABLE`, `DATABASE.TABLE` or `CATALOG.DATABASE.TABLE`, each name of letters, digits, `_` and `-` (the table AWS documents for CloudTrail is `cloudtrail_logs`)"
        );
    }

    #[test]
    fn csv_values_quotes_and_nulls() {
        let text = csv(&[
            &[
                ("kind", Some("call")),
                ("role", Some("arn:aws:iam::111122223333:role/app")),
                ("event_source", Some("s3.amazonaws.com")),
                ("event_name", Some("GetObject")),
                ("region", Some("eu-west-1")),
                ("account", Some("111122223333")),
                ("read_only", Some("true")),
                ("request_bucketname", Some("orders")),
                // A key with a quote, a comma and a line break.
                ("request_key", Some("in/\"a\",\nb.csv")),
                // An empty string is a value, not NULL.
                ("request_secretid", Some("")),
                ("resources", Some("[\"arn:aws:s3:::orders/in/a.csv\"]")),
                ("event_count", Some("2")),
                ("first_time", Some("2026-12-01T10:00:00Z")),
                ("last_time", Some("2026-12-02T10:00:00Z")),
                ("example", Some("2026-12-01T10:00:00Z e-1")),
            ],
            &[
                ("kind", Some("task_start")),
                ("role", Some("arn:aws:iam::111122223333:role/app")),
                ("event_count", Some("3")),
                ("first_time", Some("2026-12-01T09:00:00Z")),
                ("last_time", Some("2026-12-02T09:00:00Z")),
            ],
            &[
                ("kind", Some("shown")),
                ("event_source", Some("s3.amazonaws.com")),
                ("event_name", Some("GetObject")),
                ("category", Some("Data")),
                ("read_only", Some("true")),
                ("event_count", Some("2")),
            ],
            COVERAGE,
        ]);
        // Windows line ends read alike.
        for text in [
            text.clone(),
            text.replace('\n', "\r\n").replace(",\r\nb", ",\nb"),
        ] {
            let e = parse(Path::new("r.csv"), &text).unwrap();
            assert_eq!(e.calls.len(), 1);
            let call = &e.calls[0];
            assert_eq!(call.count, 2);
            assert_eq!(call.last, "2026-12-02T10:00:00Z");
            assert_eq!(call.example.as_deref(), Some("e-1"));
            let r = &call.record;
            assert_eq!((r.at.line, r.at.column), (2, 1));
            assert_eq!(r.time, "2026-12-01T10:00:00Z");
            assert_eq!(r.error, None);
            assert_eq!(r.category, None);
            assert_eq!(r.read_only, Some(true));
            assert_eq!(
                r.request,
                serde_json::json!({"bucketName": "orders", "key": "in/\"a\",\nb.csv", "secretId": ""})
            );
            assert_eq!(r.resources, ["arn:aws:s3:::orders/in/a.csv"]);
            assert_eq!(
                e.task_starts,
                [TaskStarts {
                    role: "arn:aws:iam::111122223333:role/app".into(),
                    tasks: 3,
                    first: "2026-12-01T09:00:00Z".into(),
                    last: "2026-12-02T09:00:00Z".into(),
                }]
            );
            assert_eq!(
                e.shown.iter().collect::<Vec<_>>(),
                [&Shown {
                    category: Some("Data".into()),
                    source: "s3.amazonaws.com".into(),
                    name: "GetObject".into(),
                    read_only: Some(true),
                }]
            );
            assert_eq!(
                e.coverage,
                Some((
                    "2026-12-01T10:00:00Z".to_owned(),
                    "2026-12-02T10:00:00Z".to_owned()
                ))
            );
            assert_eq!(e.records, 3);
        }
        // A trail without events in the window covers no time.
        let empty = csv(&[&[("kind", Some("coverage")), ("event_count", Some("0"))]]);
        let e = parse(Path::new("r.csv"), &empty).unwrap();
        assert_eq!((e.coverage, e.records), (None, 0));
    }

    #[test]
    fn a_result_of_another_query_is_refused_at_its_header() {
        let e = parse(Path::new("r.csv"), "\"kind\",\"role\"\n\"call\",\"x\"\n").unwrap_err();
        let missing = columns()[2..]
            .iter()
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ");
        assert_eq!(
            e.to_string(),
            format!(
                "r.csv:1:1: the result has no column {missing}: it is not the result of the query ecs-iam prints; run that query again and give its result"
            )
        );
        assert_eq!(
            parse(Path::new("r.csv"), "").unwrap_err().to_string(),
            "r.csv:1:1: this file is not an Athena result: give the CSV Athena wrote for the query (`<QueryExecutionId>.csv` in the query result location) or what `aws athena get-query-results` prints"
        );
    }

    #[test]
    fn every_bad_value_of_a_file_at_its_place_in_line_order() {
        let text = csv(&[
            &[
                ("kind", Some("call")),
                ("role", Some("arn:aws:iam::111122223333:role/app")),
                ("event_source", Some("s3.amazonaws.com")),
                ("event_count", Some("many")),
                ("first_time", Some("2026-12-01T10:00:00Z")),
                ("last_time", Some("2026-12-01T10:00:00Z")),
                ("read_only", Some("yes")),
            ],
            &[("kind", Some("calls"))],
            COVERAGE,
        ]);
        let e = parse(Path::new("r.csv"), &text).unwrap_err();
        assert_eq!(
            messages(&e),
            [
                "r.csv:2:64: `event_name`: NULL is not an event name: give the result of the query ecs-iam prints, as Athena wrote it",
                "r.csv:2:69: `read_only`: `yes` is not `true`, `false` or NULL: give the result of the query ecs-iam prints, as Athena wrote it",
                "r.csv:2:91: `event_count`: `many` is not a count: give the result of the query ecs-iam prints, as Athena wrote it",
                "r.csv:3:1: `kind`: `calls` is not a kind of row: `call`, `task_start`, `shown` or `coverage`: give the result of the query ecs-iam prints, as Athena wrote it",
            ]
        );
        // Broken CSV, where it breaks.
        let header = csv(&[]);
        for (row, message) in [
            (
                "\"call,\"x\n",
                "r.csv:2:8: not CSV: a value goes on after its closing quote",
            ),
            (
                "\"coverage\",\"3\n",
                "r.csv:2:12: not CSV: the quoted value is not closed",
            ),
            (
                "a\"b\n",
                "r.csv:2:2: not CSV: a quote inside a value that does not start with one",
            ),
        ] {
            let e = parse(Path::new("r.csv"), &format!("{header}{row}")).unwrap_err();
            assert_eq!(e.to_string(), message, "{row}");
        }
        let e = parse(Path::new("r.csv"), &format!("{header}\"coverage\",\"3\"\n")).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "r.csv:2:1: the row has 2 values where the header names {}: give the file as Athena wrote it",
                columns().len()
            )
        );
        let e = parse(Path::new("r.csv"), &header).unwrap_err();
        assert_eq!(
            e.to_string(),
            "r.csv:1:1: the result has no `coverage` row, which the query always gives: give the whole result, as Athena wrote it"
        );
    }

    /// `aws athena get-query-results` output for rows of values.
    fn json(rows: &[&[(&str, Option<&str>)]], next_token: bool) -> String {
        let columns = columns();
        let datum = |v: Option<&str>| match v {
            Some(v) => serde_json::json!({ "VarCharValue": v }),
            None => serde_json::json!({}),
        };
        let mut out = vec![serde_json::json!({
            "Data": columns.iter().map(|c| datum(Some(c))).collect::<Vec<_>>()
        })];
        for row in rows {
            out.push(serde_json::json!({
                "Data": columns
                    .iter()
                    .map(|c| datum(row.iter().find(|(n, _)| n == c).and_then(|(_, v)| *v)))
                    .collect::<Vec<_>>()
            }));
        }
        let mut top = serde_json::json!({
            "UpdateCount": 0,
            "ResultSet": {"Rows": out, "ResultSetMetadata": {"ColumnInfo": []}}
        });
        if next_token {
            top["NextToken"] = "AYAB...".into();
        }
        serde_json::to_string_pretty(&top).unwrap()
    }

    #[test]
    fn get_query_results_reads_as_the_csv_does() {
        let rows: &[&[(&str, Option<&str>)]] = &[
            &[
                ("kind", Some("call")),
                ("role", Some("arn:aws:iam::111122223333:role/app")),
                ("event_source", Some("ssm.amazonaws.com")),
                ("event_name", Some("GetParameters")),
                ("region", Some("eu-west-1")),
                ("account", Some("111122223333")),
                ("request_names", Some("[\"/a\",\"b\"]")),
                ("event_count", Some("1")),
                ("first_time", Some("2026-12-01T10:00:00Z")),
                ("last_time", Some("2026-12-01T10:00:00Z")),
                ("example", Some("2026-12-01T10:00:00Z e-1")),
            ],
            COVERAGE,
        ];
        let from_json = parse(Path::new("r.json"), &json(rows, false)).unwrap();
        let from_csv = parse(Path::new("r.csv"), &csv(rows)).unwrap();
        let call = &from_json.calls[0];
        assert_eq!(
            call.record.request,
            serde_json::json!({"names": ["/a", "b"]})
        );
        assert_eq!(
            crate::cloudtrail::resources::resources(&call.record, "ssm:GetParameters"),
            Some(vec![
                "arn:aws:ssm:eu-west-1:111122223333:parameter/a".to_owned(),
                "arn:aws:ssm:eu-west-1:111122223333:parameter/b".to_owned(),
            ])
        );
        // The same, but where each row stands.
        assert_eq!(call.record.at.file, Path::new("r.json"));
        let mut moved = from_json.calls[0].clone();
        moved.record.at = from_csv.calls[0].record.at.clone();
        assert_eq!(moved, from_csv.calls[0]);
        assert_eq!(from_json.coverage, from_csv.coverage);

        // A page of the result, not the whole of it.
        let text = json(rows, true);
        let e = parse(Path::new("r.json"), &text).unwrap_err();
        let line = text.lines().position(|l| l.contains("NextToken")).unwrap() + 1;
        assert_eq!(
            e.to_string(),
            format!(
                "r.json:{line}:3: the result goes on past this page (`NextToken`): run `aws athena get-query-results` without `--max-items` or `--no-paginate` so it prints every page, or give the CSV Athena wrote to S3"
            )
        );
        // A bad value of JSON output stands at its datum.
        let bad: &[&[(&str, Option<&str>)]] =
            &[&[("kind", Some("coverage")), ("event_count", Some("-1"))]];
        let text = json(bad, false);
        let e = parse(Path::new("r.json"), &text).unwrap_err();
        let e = e.to_string();
        assert!(
            e.ends_with(": `event_count`: `-1` is not a count: give the result of the query ecs-iam prints, as Athena wrote it"),
            "{e}"
        );
        // JSON that is not a result.
        assert_eq!(
            parse(Path::new("r.json"), "{\"Rows\": []}")
                .unwrap_err()
                .to_string(),
            "r.json:1:1: this file is not an Athena result: give the CSV Athena wrote for the query (`<QueryExecutionId>.csv` in the query result location) or what `aws athena get-query-results` prints"
        );
        assert_eq!(
            parse(
                Path::new("r.json"),
                "{\"ResultSet\": {\"Rows\": [\n  {\"Data\": 3}]}}"
            )
            .unwrap_err()
            .to_string(),
            "r.json:2:12: not an Athena result: invalid type: integer `3`, expected a sequence"
        );
    }
}
