//! CloudTrail records as files hold them: the `*.json.gz` files CloudTrail
//! delivers to S3 (`{"Records": [...]}`, under
//! `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/`), the same as plain
//! JSON, a bare array of records as tools export them, and what `aws
//! cloudtrail lookup-events` prints (each record a JSON string in
//! `CloudTrailEvent`); a folder is walked for all of these. Records are
//! read as they really are: `requestParameters` may be `null`, `resources`
//! is often missing, and only the fields the evidence needs are kept.
//! Every reader is bounded: the bytes of a file, the bytes a gzip file
//! inflates to, the nesting of its JSON, and the files a folder holds.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::error::{Error, FileKind, Location, Problem};
use crate::input;

/// The largest file read, compressed or not; CloudTrail's own files are a
/// few megabytes.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;
/// The most a gzip file may inflate to.
pub const MAX_INFLATED_BYTES: u64 = 1024 * 1024 * 1024;
/// The most files a folder given may hold.
pub const MAX_FILES: usize = 1_000_000;

/// One recorded call.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Where the record is: its file, and its line and column there (of
    /// the inflated text, for a gzip file).
    pub at: Location,
    pub id: Option<String>,
    /// `eventTime`, as CloudTrail writes it (`2026-12-01T10:00:00Z`).
    pub time: String,
    pub source: String,
    pub name: String,
    pub region: Option<String>,
    /// `recipientAccountId`: the account the call was made in.
    pub account: Option<String>,
    /// `userIdentity.sessionContext.sessionIssuer.arn`: the role whose
    /// session made the call.
    pub issuer: Option<String>,
    /// `userIdentity.invokedBy`: the service that made the call for the
    /// principal (`ecs-tasks.amazonaws.com` for a task's role assumption).
    pub invoked_by: Option<String>,
    /// `errorCode`: `AccessDenied` and the like for a refused call.
    pub error: Option<String>,
    /// `eventCategory`: `Management`, `Data`, `Insight`.
    pub category: Option<String>,
    pub read_only: Option<bool>,
    /// The ARNs of `resources[]`, when the record lists them.
    pub resources: Vec<String>,
    /// `requestParameters`, `null` when absent.
    pub request: serde_json::Value,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Raw {
    #[serde(rename = "eventID", default)]
    event_id: Option<String>,
    event_time: String,
    // Required of every record but an Insights one (below).
    #[serde(default)]
    event_source: Option<String>,
    #[serde(default)]
    event_name: Option<String>,
    #[serde(default)]
    event_type: Option<String>,
    #[serde(default)]
    aws_region: Option<String>,
    #[serde(default)]
    recipient_account_id: Option<String>,
    #[serde(default)]
    user_identity: Option<Identity>,
    #[serde(default)]
    error_code: Option<String>,
    #[serde(default)]
    event_category: Option<String>,
    #[serde(default)]
    read_only: Option<bool>,
    #[serde(default)]
    resources: Option<Vec<Resource>>,
    #[serde(default)]
    request_parameters: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Identity {
    #[serde(default)]
    invoked_by: Option<String>,
    #[serde(default)]
    session_context: Option<SessionContext>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionContext {
    #[serde(default)]
    session_issuer: Option<Issuer>,
}

#[derive(Deserialize)]
struct Issuer {
    #[serde(default)]
    arn: Option<String>,
}

#[derive(Deserialize)]
struct Resource {
    #[serde(rename = "ARN", default)]
    arn: Option<String>,
}

/// The shapes a file may hold, each record kept as its text.
#[derive(Deserialize)]
struct Delivered<'a> {
    #[serde(rename = "Records", borrow, default)]
    records: Option<Vec<&'a RawValue>>,
    #[serde(rename = "Events", default)]
    events: Option<Vec<LookedUp>>,
}

/// One event of `aws cloudtrail lookup-events`.
#[derive(Deserialize)]
struct LookedUp {
    #[serde(rename = "CloudTrailEvent")]
    record: String,
}

/// Every record of the files and folders given, in the order given (a
/// folder's files in name order).
///
/// # Errors
/// A file that cannot be read, is too large, does not inflate or parse, or
/// holds no CloudTrail records; a record without the fields of one.
pub fn read(paths: &[PathBuf]) -> Result<Vec<Record>, Error> {
    let mut out = Vec::new();
    for path in paths {
        for file in files(path)? {
            out.extend(read_file(&file, MAX_INFLATED_BYTES)?);
        }
    }
    Ok(out)
}

/// The record files a path names: itself, or a folder's `.json` and
/// `.json.gz` files at any depth, in name order, CloudTrail's digest files
/// (`CloudTrail-Digest/`, which hold no records) and Insights files
/// (`CloudTrail-Insight/`, which hold no calls) left out.
///
/// # Errors
/// A folder that cannot be read, or one of more than [`MAX_FILES`] files.
pub fn files(path: &Path) -> Result<Vec<PathBuf>, Error> {
    if !path.is_dir() {
        return Ok(vec![path.to_owned()]);
    }
    let mut out = Vec::new();
    let mut folders = vec![path.to_owned()];
    while let Some(folder) = folders.pop() {
        let entries = std::fs::read_dir(&folder).map_err(|source| Error::Read {
            path: folder.clone(),
            source,
        })?;
        for entry in entries {
            let entry = entry.map_err(|source| Error::Read {
                path: folder.clone(),
                source,
            })?;
            let p = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let kind = entry.file_type().map_err(|source| Error::Read {
                path: p.clone(),
                source,
            })?;
            if kind.is_dir() {
                // Digest files hold no records, and Insights files no
                // calls.
                if name != "CloudTrail-Digest" && name != "CloudTrail-Insight" {
                    folders.push(p);
                }
            } else if is_record_file(&name) {
                out.push(p);
                if out.len() > MAX_FILES {
                    return Err(Error::Invalid {
                        at: Location {
                            file: path.to_owned(),
                            line: 1,
                            column: 1,
                        },
                        field: String::new(),
                        problem: Box::new(Problem::TooManyFiles { max: MAX_FILES }),
                    });
                }
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Whether a file name is a record file's: `.json` or `.json.gz`, in any
/// case.
fn is_record_file(name: &str) -> bool {
    let name = Path::new(name);
    let ext = |e: &str| name.extension().is_some_and(|x| x.eq_ignore_ascii_case(e));
    ext("json")
        || (ext("gz") && is_record_file(&name.file_stem().unwrap_or_default().to_string_lossy()))
}

/// The records of one file, inflating a gzip file (by its magic bytes) to
/// at most `max_inflated` bytes.
///
/// # Errors
/// As [`read`].
pub fn read_file(path: &Path, max_inflated: u64) -> Result<Vec<Record>, Error> {
    let bytes = input::bytes::read(path, FileKind::CloudTrail, MAX_FILE_BYTES)?;
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        // A gzip member ends with its inflated size (modulo 2^32): the size
        // of a file CloudTrail wrote, which is one member. Deflate inflates
        // at most 1,032 times: a larger claim is no file's.
        let expected = bytes
            .last_chunk::<4>()
            .map_or(0, |size| u64::from(u32::from_le_bytes(*size)))
            .min((bytes.len() as u64).saturating_mul(1032));
        let inflated = input::bytes::read_up_to_expecting(
            flate2::read::MultiGzDecoder::new(bytes.as_slice()),
            max_inflated,
            expected,
        )
        .map_err(|e| Error::Syntax {
            at: Location {
                file: path.to_owned(),
                line: 1,
                column: 1,
            },
            message: format!("not a gzip file CloudTrail wrote: {e}"),
        })?;
        if inflated.len() as u64 > max_inflated {
            return Err(input::bytes::too_large(
                path,
                FileKind::CloudTrail,
                None,
                max_inflated,
            ));
        }
        inflated
    } else {
        bytes
    };
    let text = input::bytes::text(path, bytes)?;
    input::json::check_depth(path, &text, FileKind::CloudTrail)?;
    parse(path, &text)
}

/// The records of a file's text.
///
/// # Errors
/// As [`read`].
pub fn parse(path: &Path, text: &str) -> Result<Vec<Record>, Error> {
    // Records come in file order: their positions are one pass.
    let cursor = std::cell::RefCell::new(input::json::Cursor::default());
    let at = |offset: usize| {
        let (line, column) = cursor.borrow_mut().line_column(text, offset);
        Location {
            file: path.to_owned(),
            line,
            column,
        }
    };
    let syntax = |e: &serde_json::Error| Error::Syntax {
        at: Location {
            file: path.to_owned(),
            line: e.line().max(1),
            column: e.column().max(1),
        },
        message: format!(
            "not JSON: {}",
            input::json::without_position(&e.to_string())
        ),
    };
    let not_records = || Error::Invalid {
        at: at(text.len() - text.trim_start().len()),
        field: String::new(),
        problem: Box::new(Problem::NotCloudTrail),
    };
    let body = text.trim_start();
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let mut one = |raw: &str, at: Location, field: String| match serde_json::from_str::<Raw>(raw) {
        // CloudTrail Insights records (`eventType: AwsCloudTrailInsight`)
        // are delivered beside the calls, their source and name inside
        // `insightDetails`: they record no call.
        Ok(r)
            if r.event_type.as_deref() == Some("AwsCloudTrailInsight")
                || r.event_category.as_deref() == Some("Insight") => {}
        Ok(r) => match record(r, at.clone()) {
            Ok(r) => out.push(r),
            Err(missing) => problems.push(Error::Invalid {
                at,
                field,
                problem: Box::new(Problem::CloudTrailRecord {
                    message: format!("missing field `{missing}`"),
                }),
            }),
        },
        Err(e) => problems.push(Error::Invalid {
            at,
            field,
            problem: Box::new(Problem::CloudTrailRecord {
                message: input::json::without_position(&e.to_string()).to_owned(),
            }),
        }),
    };
    if body.starts_with('[') {
        let records: Vec<&RawValue> = serde_json::from_str(text).map_err(|e| syntax(&e))?;
        for (i, r) in records.iter().enumerate() {
            let offset = input::json::offset_in(text, r.get());
            one(r.get(), at(offset), format!("[{i}]"));
        }
    } else if body.starts_with('{') {
        let top: Delivered = serde_json::from_str(text).map_err(|e| syntax(&e))?;
        match (top.records, top.events) {
            (Some(records), _) => {
                for (i, r) in records.iter().enumerate() {
                    let offset = input::json::offset_in(text, r.get());
                    one(r.get(), at(offset), format!("Records[{i}]"));
                }
            }
            (None, Some(events)) => {
                // Each record is a string of JSON; the event is where it is.
                let starts = event_offsets(text, events.len());
                for (i, e) in events.iter().enumerate() {
                    let offset = starts.get(i).copied().unwrap_or(0);
                    one(
                        &e.record,
                        at(offset),
                        format!("Events[{i}].CloudTrailEvent"),
                    );
                }
            }
            (None, None) => return Err(not_records()),
        }
    } else {
        return Err(not_records());
    }
    match Error::several(problems) {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

/// The record of a call, or the name of a field it lacks.
fn record(r: Raw, at: Location) -> Result<Record, &'static str> {
    let identity = r.user_identity;
    Ok(Record {
        at,
        id: r.event_id,
        time: r.event_time,
        source: r.event_source.ok_or("eventSource")?,
        name: r.event_name.ok_or("eventName")?,
        region: r.aws_region,
        account: r.recipient_account_id,
        issuer: identity
            .as_ref()
            .and_then(|i| i.session_context.as_ref())
            .and_then(|c| c.session_issuer.as_ref())
            .and_then(|s| s.arn.clone()),
        invoked_by: identity.and_then(|i| i.invoked_by),
        error: r.error_code,
        category: r.event_category,
        read_only: r.read_only,
        resources: r
            .resources
            .unwrap_or_default()
            .into_iter()
            .filter_map(|x| x.arn)
            .collect(),
        request: r.request_parameters.unwrap_or(serde_json::Value::Null),
    })
}

/// Where each `"CloudTrailEvent"` key stands, in order: the place a
/// looked-up event's problem is reported at.
fn event_offsets(text: &str, count: usize) -> Vec<usize> {
    text.match_indices("\"CloudTrailEvent\"")
        .map(|(i, _)| i)
        .take(count)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    const RECORD: &str = r#"{"eventVersion": "1.09", "eventTime": "2026-12-01T10:00:00Z", "eventSource": "s3.amazonaws.com", "eventName": "GetObject", "awsRegion": "eu-west-1", "eventID": "e1",
 "userIdentity": {"type": "AssumedRole", "sessionContext": {"sessionIssuer": {"type": "Role", "arn": "arn:aws:iam::111122223333:role/orders-task"}}},
 "requestParameters": {"bucketName": "orders", "key": "a.csv"},
 "resources": [{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::orders/a.csv"}], "eventCategory": "Data", "readOnly": true}"#;

    fn gzip(text: &str) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(text.as_bytes()).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn every_shape_reads_alike() {
        let delivered = format!("{{\"Records\": [{RECORD}]}}");
        let bare = format!("[{RECORD}]");
        let looked_up = format!(
            "{{\"Events\": [{{\"EventId\": \"e1\", \"CloudTrailEvent\": {}}}]}}",
            serde_json::to_string(RECORD).unwrap()
        );
        for text in [&delivered, &bare, &looked_up] {
            let records = parse(Path::new("t.json"), text).unwrap();
            assert_eq!(records.len(), 1, "{text}");
            let r = &records[0];
            assert_eq!(
                (r.source.as_str(), r.name.as_str()),
                ("s3.amazonaws.com", "GetObject")
            );
            assert_eq!(
                r.issuer.as_deref(),
                Some("arn:aws:iam::111122223333:role/orders-task")
            );
            assert_eq!(r.resources, ["arn:aws:s3:::orders/a.csv"]);
            assert_eq!(r.request["key"], "a.csv");
            assert_eq!(r.read_only, Some(true));
        }
        // A record's place in its file.
        let records = parse(
            Path::new("t.json"),
            &format!("{{\"Records\": [\n  {RECORD}]}}"),
        )
        .unwrap();
        assert_eq!((records[0].at.line, records[0].at.column), (2, 3));
    }

    #[test]
    fn records_as_they_really_are() {
        let text = r#"[{"eventTime": "2026-12-01T10:00:00Z", "eventSource": "sts.amazonaws.com", "eventName": "AssumeRole", "awsRegion": "xx-unknown-9",
          "userIdentity": {"type": "AWSService", "invokedBy": "ecs-tasks.amazonaws.com"}, "requestParameters": null, "responseElements": null}]"#;
        let r = &parse(Path::new("t.json"), text).unwrap()[0];
        assert_eq!(r.invoked_by.as_deref(), Some("ecs-tasks.amazonaws.com"));
        assert_eq!(r.request, serde_json::Value::Null);
        assert!(r.resources.is_empty());
        assert_eq!(r.region.as_deref(), Some("xx-unknown-9"));
        assert_eq!(r.issuer, None);
    }

    #[test]
    fn what_is_not_records_is_refused_where_it_is() {
        let e = parse(Path::new("t.json"), "  {\"RoleDetailList\": []}").unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.json:1:3: this file holds no CloudTrail records: give the `*.json.gz` files CloudTrail delivers (`{\"Records\": [...]}`), a JSON array of records, or what `aws cloudtrail lookup-events` prints"
        );
        // Every bad record of a file at once, each at its place.
        let e = parse(
            Path::new("t.json"),
            "{\"Records\": [\n{\"eventTime\": \"t\"},\n{\"eventSource\": \"s\"}]}",
        )
        .unwrap_err();
        assert_eq!(
            e.each().iter().map(ToString::to_string).collect::<Vec<_>>(),
            [
                "t.json:2:1: `Records[0]`: not a CloudTrail record: missing field `eventSource`",
                "t.json:3:1: `Records[1]`: not a CloudTrail record: missing field `eventTime`",
            ]
        );
    }

    #[test]
    fn broken_files_are_refused_where_they_break() {
        let e = parse(
            Path::new("t.json"),
            "{\"Records\": [\n  {\"eventTime\": }]}",
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "t.json:2:17: not JSON: expected value");
        // A looked-up event's record is a string: its event is where it is.
        let e = parse(
            Path::new("t.json"),
            "{\"Events\": [\n {\"CloudTrailEvent\": \"{}\"}]}",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.json:2:3: `Events[0].CloudTrailEvent`: not a CloudTrail record: missing field `eventTime`"
        );
        let dir =
            std::env::temp_dir().join(format!("ecs-iam-cloudtrail-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("a.json.gz");
        let mut broken = gzip(RECORD);
        broken.truncate(broken.len() / 2);
        std::fs::write(&file, broken).unwrap();
        let e = read_file(&file, MAX_INFLATED_BYTES).unwrap_err();
        assert!(
            e.to_string()
                .ends_with(":1:1: not a gzip file CloudTrail wrote: incomplete deflate stream"),
            "{e}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn record_files_by_name() {
        for (name, is) in [
            (
                "111122223333_CloudTrail_eu-west-1_20261201T1000Z_abc.json.gz",
                true,
            ),
            ("EVENTS.JSON", true),
            ("a.JSON.GZ", true),
            ("a.gz", false),
            ("a.txt", false),
            ("json", false),
        ] {
            assert_eq!(is_record_file(name), is, "{name}");
        }
    }

    #[test]
    fn insights_records_are_passed_over() {
        let insight = r#"{"eventVersion": "1.07", "eventTime": "2026-12-01T10:00:00Z", "awsRegion": "eu-west-1", "eventID": "i1", "eventType": "AwsCloudTrailInsight", "recipientAccountId": "111122223333", "sharedEventID": "s1", "insightDetails": {"state": "Start", "eventSource": "ssm.amazonaws.com", "eventName": "UpdateInstanceAssociationStatus", "insightType": "ApiCallRateInsight"}, "eventCategory": "Insight"}"#;
        let text = format!("{{\"Records\": [{RECORD}, {insight}, {RECORD}]}}");
        let records = parse(Path::new("t.json"), &text).unwrap();
        assert_eq!(records.len(), 2);
        // Any other record without a source is still refused.
        let bare = r#"[{"eventTime": "2026-12-01T10:00:00Z", "eventName": "GetObject"}]"#;
        let e = parse(Path::new("t.json"), bare).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.json:1:2: `[0]`: not a CloudTrail record: missing field `eventSource`"
        );
    }

    #[test]
    fn gzip_files_inflate_within_their_bound() {
        let dir = std::env::temp_dir().join(format!("ecs-iam-cloudtrail-{}", std::process::id()));
        let trail = dir.join("AWSLogs/111122223333/CloudTrail/eu-west-1/2026/12/01");
        std::fs::create_dir_all(&trail).unwrap();
        std::fs::create_dir_all(dir.join("AWSLogs/111122223333/CloudTrail-Digest")).unwrap();
        let text = format!("{{\"Records\": [{RECORD}, {RECORD}]}}");
        std::fs::write(trail.join("a.json.gz"), gzip(&text)).unwrap();
        std::fs::write(trail.join("b.json"), &text).unwrap();
        std::fs::write(
            dir.join("AWSLogs/111122223333/CloudTrail-Digest/d.json.gz"),
            gzip("{}"),
        )
        .unwrap();
        let records = read(std::slice::from_ref(&dir)).unwrap();
        assert_eq!(records.len(), 4);
        assert!(records[0].at.file.ends_with("a.json.gz"));
        // A file that inflates past the bound is refused, not read.
        let e = read_file(&trail.join("a.json.gz"), 100).unwrap_err();
        assert!(
            e.to_string().ends_with(
                ": the file goes on past 100 bytes; a CloudTrail file may be at most 100 bytes"
            ),
            "{e}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
