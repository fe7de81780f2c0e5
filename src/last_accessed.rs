//! Evidence of use AWS itself keeps for a role, as the AWS CLI prints it
//! (`ecs-iam usage ... --evidence FILE`):
//!
//! - IAM's last-accessed report, `aws iam get-service-last-accessed-details
//!   --job-id <id>` after `generate-service-last-accessed-details --arn <role
//!   ARN> --granularity ACTION_LEVEL`: per service, when the role last
//!   called it (a service never called within the tracking period, 400
//!   days, has no `LastAuthenticated`); per action only for the actions IAM
//!   tracks (`TrackedActionsLastAccessed`). IAM counts attempts, refused
//!   ones too, and reports with about four hours' lag.
//! - An Access Analyzer unused access finding, `aws accessanalyzer
//!   get-finding-v2 --analyzer-arn <arn> --id <id>`: the actions
//!   (`UnusedPermission`) or the whole role (`UnusedIAMRole`) not used
//!   within the analyzer's unused access age.
//!
//! A file is refused rather than read in part where what it leaves out
//! would change the answer: a report still `IN_PROGRESS` or `FAILED`; a page
//! of a report (`IsTruncated`), since the AWS CLI does not gather this
//! command's pages and a page's neighbours cannot be told apart (no page
//! names its job), so the fix is one page with `--max-items 1000` (the most
//! IAM allows, more than the services it lists); a finding printed in
//! pages; a resolved finding, which no longer holds; findings of other
//! types or of other resources, which say nothing of what a role used.
//!
//! Reading is bounded as every reader is: the bytes of the file, the
//! nesting of its JSON. Every problem of one file is reported, in line
//! order, at its `file:line:column`.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::error::{Error, FileKind, Location, Problem};
use crate::input;

/// The largest file read: a report lists a few hundred services at most.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// What one file of evidence says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastAccessed {
    pub file: PathBuf,
    pub kind: Kind,
    /// Whom the evidence is about, when the file says: a finding's
    /// `resource` (a role's ARN); for a report, the one entity its services
    /// were used by (`None` when none was), which is the role's ARN for a
    /// role's report and a user's for a user's: the caller compares it with
    /// the role it asks about.
    pub principal: Option<String>,
    /// When the evidence was taken: the report's `JobCompletionDate`, the
    /// finding's `analyzedAt`, as written.
    pub as_of: Option<String>,
    /// In the order the file gives them.
    pub facts: Vec<Fact>,
}

/// Which evidence a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// IAM's report; `action_level` when generated with `--granularity
    /// ACTION_LEVEL` (`JobType`).
    Report { action_level: bool },
    /// An Access Analyzer unused access finding; `archived` when its
    /// `status` is `ARCHIVED` (still true, but set aside by someone).
    Finding { archived: bool },
}

/// One thing the evidence says. Times are as the file writes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact {
    /// IAM: the role attempted a call of the service at `last` (refused
    /// attempts count). It says nothing of which of its actions: only a
    /// recorded call or a tracked action tells that.
    ServiceUsed { namespace: String, last: String },
    /// IAM: the role attempted no call of the service within the tracking
    /// period.
    ServiceNeverUsed { namespace: String },
    /// IAM: a tracked action (`s3:GetObject`) attempted at `last`.
    ActionUsed { action: String, last: String },
    /// IAM: a tracked action not attempted within the tracking period.
    ActionNeverUsed { action: String },
    /// Access Analyzer: no action of the service used within the unused
    /// access age; `last` when one was used before it.
    ServiceUnused {
        namespace: String,
        last: Option<String>,
    },
    /// Access Analyzer: the action not used within the unused access age;
    /// `last` when it was used before it.
    ActionUnused {
        action: String,
        last: Option<String>,
    },
    /// Access Analyzer: the role not used at all within the unused access
    /// age.
    RoleUnused { last: Option<String> },
}

/// The evidence the file at `path` holds.
///
/// # Errors
/// A file that cannot be read, is too large or too deep, is not JSON, is
/// not one of the two kinds of evidence, or is one that cannot be taken as
/// it is (see the module's documentation); every value that is not what AWS
/// writes.
pub fn read(path: &Path) -> Result<LastAccessed, Error> {
    let text = input::bytes::read_text(path, FileKind::LastAccessed, MAX_FILE_BYTES)?;
    input::json::check_depth(path, &text, FileKind::LastAccessed)?;
    parse(path, &text)
}

/// The evidence of a file's text.
///
/// # Errors
/// As [`read`].
pub fn parse(path: &Path, text: &str) -> Result<LastAccessed, Error> {
    let file = File { path, text };
    let members = input::json::Members::of(text, Some("ServicesLastAccessed")).map_err(|e| {
        Error::Syntax {
            at: file.location(e.line().max(1), e.column().max(1)),
            message: format!(
                "not JSON: {}",
                input::json::without_position(&e.to_string())
            ),
        }
    })?;
    let start = text.len() - text.trim_start().len();
    if members.has("JobStatus") || members.has("ServicesLastAccessed") {
        report(&file, &members)
    } else if members.has("findingType") || members.has("findingDetails") {
        finding(&file, &members)
    } else {
        let cloudtrail = !members.is_object || members.has("Records") || members.has("Events");
        Err(file.invalid(start, "", Problem::NotLastAccessed { cloudtrail }))
    }
}

/// A file being read, for the positions of its problems.
struct File<'a> {
    path: &'a Path,
    text: &'a str,
}

impl File<'_> {
    fn location(&self, line: usize, column: usize) -> Location {
        Location {
            file: self.path.to_owned(),
            line,
            column,
        }
    }

    fn at(&self, offset: usize) -> Location {
        let (line, column) = input::json::line_column(self.text, offset);
        self.location(line, column)
    }

    fn invalid(&self, offset: usize, field: &str, problem: Problem) -> Error {
        Error::Invalid {
            at: self.at(offset),
            field: field.to_owned(),
            problem: Box::new(problem),
        }
    }

    /// A member's value, typed; its problem at the value, in `field`.
    fn value<T: DeserializeOwned>(&self, raw: &RawValue, field: &str) -> Result<T, Error> {
        serde_json::from_str(raw.get()).map_err(|e| {
            let (line, column) =
                input::json::position_in(self.text, raw.get(), e.line().max(1), e.column());
            Error::Invalid {
                at: self.location(line, column),
                field: field.to_owned(),
                problem: Box::new(Problem::LastAccessedValue {
                    message: input::json::without_position(&e.to_string()).to_owned(),
                }),
            }
        })
    }

    /// The member `name` as a string, `None` when absent or `null`.
    fn string(&self, members: &input::json::Members, name: &str) -> Result<Option<String>, Error> {
        members
            .get(name)
            .map_or(Ok(None), |raw| self.value::<Option<String>>(raw, name))
    }

    fn offset(&self, raw: &RawValue) -> usize {
        input::json::offset_in(self.text, raw.get())
    }
}

/// Several problems as one error, in line order.
fn problems(mut all: Vec<Error>) -> Option<Error> {
    all.sort_by_key(|e| e.location().map(|l| (l.line, l.column)));
    Error::several(all)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Service {
    #[serde(rename = "ServiceNamespace")]
    namespace: String,
    #[serde(default)]
    last_authenticated: Option<String>,
    #[serde(default)]
    last_authenticated_entity: Option<String>,
    #[serde(default)]
    tracked_actions_last_accessed: Option<Vec<TrackedAction>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TrackedAction {
    action_name: String,
    #[serde(default)]
    last_accessed_time: Option<String>,
    #[serde(default)]
    last_accessed_entity: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ErrorDetails {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

/// An action as IAM or Access Analyzer names it (`GetObject`, or already
/// `s3:GetObject`), with its service's prefix.
fn qualified(namespace: &str, action: &str) -> String {
    if action.contains(':') {
        action.to_owned()
    } else {
        format!("{namespace}:{action}")
    }
}

fn report(file: &File, members: &input::json::Members) -> Result<LastAccessed, Error> {
    let top = file.text.len() - file.text.trim_start().len();
    let status_at = members.get("JobStatus").map_or(top, |r| file.offset(r));
    match file.string(members, "JobStatus")?.as_deref() {
        Some("COMPLETED") => {}
        Some("IN_PROGRESS") => {
            return Err(file.invalid(status_at, "", Problem::ReportInProgress));
        }
        Some("FAILED") => {
            let details = match members.get("Error") {
                Some(raw) => file.value::<Option<ErrorDetails>>(raw, "Error")?,
                None => None,
            };
            let (code, message) = details.map_or((None, None), |d| (d.code, d.message));
            return Err(file.invalid(status_at, "", Problem::ReportFailed { code, message }));
        }
        Some(other) => {
            return Err(file.invalid(
                status_at,
                "JobStatus",
                Problem::LastAccessedValue {
                    message: format!(
                        "`{}` is not a job status; IAM writes `COMPLETED`, `IN_PROGRESS` or `FAILED`",
                        other.escape_default()
                    ),
                },
            ));
        }
        None => {
            return Err(Error::MissingField {
                at: file.at(top),
                field: "JobStatus".to_owned(),
            });
        }
    }
    if let Some(raw) = members.get("IsTruncated")
        && file.value::<Option<bool>>(raw, "IsTruncated")? == Some(true)
    {
        return Err(file.invalid(file.offset(raw), "", Problem::ReportTruncated));
    }
    let action_level = match file.string(members, "JobType")?.as_deref() {
        Some("ACTION_LEVEL") => true,
        Some("SERVICE_LEVEL") | None => false,
        Some(other) => {
            let raw = members.get("JobType").map_or(top, |r| file.offset(r));
            return Err(file.invalid(
                raw,
                "JobType",
                Problem::LastAccessedValue {
                    message: format!(
                        "`{}` is not a job type; IAM writes `SERVICE_LEVEL` or `ACTION_LEVEL`",
                        other.escape_default()
                    ),
                },
            ));
        }
    };
    let as_of = file.string(members, "JobCompletionDate")?;
    let Some(services) = members.items("ServicesLastAccessed") else {
        return Err(match members.get("ServicesLastAccessed") {
            Some(raw) => file.invalid(
                file.offset(raw),
                "ServicesLastAccessed",
                Problem::LastAccessedValue {
                    message: "IAM writes a list of services here".to_owned(),
                },
            ),
            None => Error::MissingField {
                at: file.at(top),
                field: "ServicesLastAccessed".to_owned(),
            },
        });
    };
    let mut facts = Vec::new();
    let mut errors = Vec::new();
    // Each entity, with where it is first named.
    let mut entities: Vec<(String, usize)> = Vec::new();
    let mut entity = |name: Option<String>, at: usize| {
        if let Some(name) = name
            && !entities.iter().any(|(e, _)| *e == name)
        {
            entities.push((name, at));
        }
    };
    for (i, raw) in services.iter().enumerate() {
        let service: Service = match file.value(raw, &format!("ServicesLastAccessed[{i}]")) {
            Ok(s) => s,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let at = file.offset(raw);
        entity(service.last_authenticated_entity, at);
        let namespace = service.namespace;
        facts.push(match service.last_authenticated {
            Some(last) => Fact::ServiceUsed {
                namespace: namespace.clone(),
                last,
            },
            None => Fact::ServiceNeverUsed {
                namespace: namespace.clone(),
            },
        });
        for tracked in service.tracked_actions_last_accessed.unwrap_or_default() {
            entity(tracked.last_accessed_entity, at);
            let action = qualified(&namespace, &tracked.action_name);
            facts.push(match tracked.last_accessed_time {
                Some(last) => Fact::ActionUsed { action, last },
                None => Fact::ActionNeverUsed { action },
            });
        }
    }
    if entities.len() > 1 {
        errors.push(file.invalid(
            entities[1].1,
            "",
            Problem::ReportEntities {
                entities: entities.iter().map(|(e, _)| e.clone()).collect(),
            },
        ));
    }
    if let Some(e) = problems(errors) {
        return Err(e);
    }
    Ok(LastAccessed {
        file: file.path.to_owned(),
        kind: Kind::Report { action_level },
        principal: entities.into_iter().next().map(|(e, _)| e),
        as_of,
        facts,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UnusedPermission {
    service_namespace: String,
    #[serde(default)]
    actions: Option<Vec<UnusedAction>>,
    #[serde(default)]
    last_accessed: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UnusedAction {
    action: String,
    #[serde(default)]
    last_accessed: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UnusedRole {
    #[serde(default)]
    last_accessed: Option<String>,
}

/// One entry of `findingDetails`: a union of which one member is set.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Details {
    #[serde(default)]
    unused_permission_details: Option<UnusedPermission>,
    #[serde(default)]
    unused_iam_role_details: Option<UnusedRole>,
}

fn finding(file: &File, members: &input::json::Members) -> Result<LastAccessed, Error> {
    let top = file.text.len() - file.text.trim_start().len();
    let at = |name: &str| members.get(name).map_or(top, |r| file.offset(r));
    match file.string(members, "findingType")? {
        Some(t) if t == "UnusedPermission" || t == "UnusedIAMRole" => {}
        Some(found) => {
            return Err(file.invalid(at("findingType"), "", Problem::FindingType { found }));
        }
        None => {
            return Err(Error::MissingField {
                at: file.at(top),
                field: "findingType".to_owned(),
            });
        }
    }
    // `nextToken` is the API's own; `NextToken` the AWS CLI's, after
    // `--max-items`.
    for key in ["nextToken", "NextToken"] {
        if file.string(members, key)?.is_some() {
            return Err(file.invalid(
                at(key),
                "",
                Problem::FindingPaginated {
                    key: key.to_owned(),
                },
            ));
        }
    }
    match file.string(members, "resourceType")? {
        Some(t) if t == "AWS::IAM::Role" => {}
        Some(found) => {
            return Err(file.invalid(at("resourceType"), "", Problem::FindingResource { found }));
        }
        None => {
            return Err(Error::MissingField {
                at: file.at(top),
                field: "resourceType".to_owned(),
            });
        }
    }
    let archived = match file.string(members, "status")?.as_deref() {
        Some("RESOLVED") => return Err(file.invalid(at("status"), "", Problem::FindingResolved)),
        Some("ARCHIVED") => true,
        _ => false,
    };
    let role = file.string(members, "resource")?;
    let as_of = file.string(members, "analyzedAt")?;
    // The items borrow the file's text, so their offsets hold.
    let details: Vec<&RawValue> = match members.get("findingDetails") {
        Some(raw) => serde_json::from_str(raw.get()).map_err(|_| {
            file.invalid(
                file.offset(raw),
                "findingDetails",
                Problem::LastAccessedValue {
                    message: "Access Analyzer writes a list of details here".to_owned(),
                },
            )
        })?,
        None => {
            return Err(Error::MissingField {
                at: file.at(top),
                field: "findingDetails".to_owned(),
            });
        }
    };
    let mut facts = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in details.iter().enumerate() {
        let field = format!("findingDetails[{i}]");
        match file.value::<Details>(raw, &field) {
            Ok(Details {
                unused_permission_details: Some(p),
                ..
            }) => match p.actions {
                Some(actions) if !actions.is_empty() => {
                    facts.extend(actions.into_iter().map(|a| Fact::ActionUnused {
                        action: qualified(&p.service_namespace, &a.action),
                        last: a.last_accessed,
                    }));
                }
                _ => facts.push(Fact::ServiceUnused {
                    namespace: p.service_namespace,
                    last: p.last_accessed,
                }),
            },
            Ok(Details {
                unused_iam_role_details: Some(r),
                ..
            }) => facts.push(Fact::RoleUnused {
                last: r.last_accessed,
            }),
            Ok(_) => errors.push(file.invalid(
                file.offset(raw),
                &field,
                Problem::LastAccessedValue {
                    message: "each detail of an unused access finding about a role is `unusedPermissionDetails` or `unusedIamRoleDetails`".to_owned(),
                },
            )),
            Err(e) => errors.push(e),
        }
    }
    if let Some(e) = problems(errors) {
        return Err(e);
    }
    Ok(LastAccessed {
        file: file.path.to_owned(),
        kind: Kind::Finding { archived },
        principal: role,
        as_of,
        facts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROLE: &str = "arn:aws:iam::111122223333:role/orders-task";

    fn read_text(text: &str) -> Result<LastAccessed, String> {
        parse(Path::new("e.json"), text).map_err(|e| e.to_string())
    }

    #[test]
    fn an_action_level_report() {
        let text = format!(
            r#"{{
    "JobStatus": "COMPLETED",
    "JobType": "ACTION_LEVEL",
    "JobCreationDate": "2026-12-01T10:00:00.000Z",
    "JobCompletionDate": "2026-12-01T10:00:04.000Z",
    "ServicesLastAccessed": [
        {{"ServiceName": "Amazon S3", "ServiceNamespace": "s3", "LastAuthenticated": "2026-11-30T08:00:00Z",
          "LastAuthenticatedEntity": "{ROLE}", "LastAuthenticatedRegion": "eu-west-1", "TotalAuthenticatedEntities": 1,
          "TrackedActionsLastAccessed": [
            {{"ActionName": "GetObject", "LastAccessedEntity": "{ROLE}", "LastAccessedTime": "2026-11-30T08:00:00Z", "LastAccessedRegion": "eu-west-1"}},
            {{"ActionName": "PutObject"}}
          ]}},
        {{"ServiceName": "Amazon SQS", "ServiceNamespace": "sqs", "TotalAuthenticatedEntities": 0}}
    ],
    "IsTruncated": false
}}"#
        );
        let evidence = read_text(&text).unwrap();
        assert_eq!(evidence.kind, Kind::Report { action_level: true });
        assert_eq!(evidence.principal.as_deref(), Some(ROLE));
        assert_eq!(evidence.as_of.as_deref(), Some("2026-12-01T10:00:04.000Z"));
        assert_eq!(
            evidence.facts,
            [
                Fact::ServiceUsed {
                    namespace: "s3".into(),
                    last: "2026-11-30T08:00:00Z".into()
                },
                Fact::ActionUsed {
                    action: "s3:GetObject".into(),
                    last: "2026-11-30T08:00:00Z".into()
                },
                Fact::ActionNeverUsed {
                    action: "s3:PutObject".into()
                },
                // No `LastAuthenticated`: never used.
                Fact::ServiceNeverUsed {
                    namespace: "sqs".into()
                },
            ]
        );
    }

    #[test]
    fn a_service_level_report_with_nulls_as_tools_write_them() {
        let text = r#"{"JobStatus": "COMPLETED", "JobType": "SERVICE_LEVEL", "JobCreationDate": "2026-12-01 10:00:00+00:00", "JobCompletionDate": null,
            "ServicesLastAccessed": [{"ServiceName": "AWS KMS", "ServiceNamespace": "kms", "LastAuthenticated": null, "TotalAuthenticatedEntities": 0}]}"#;
        let evidence = read_text(text).unwrap();
        assert_eq!(
            evidence.kind,
            Kind::Report {
                action_level: false
            }
        );
        assert_eq!((evidence.principal, evidence.as_of), (None, None));
        assert_eq!(
            evidence.facts,
            [Fact::ServiceNeverUsed {
                namespace: "kms".into()
            }]
        );
    }

    #[test]
    fn a_report_not_complete_is_refused_with_what_to_do() {
        for (text, expected) in [
            (
                r#"{"JobStatus": "IN_PROGRESS", "JobCreationDate": "2026-12-01T10:00:00Z", "ServicesLastAccessed": []}"#,
                "e.json:1:15: the report is not ready yet (`JobStatus` is `IN_PROGRESS`): run `aws iam get-service-last-accessed-details --job-id <id>` again until it answers `COMPLETED`, and give that output",
            ),
            (
                r#"{"JobStatus": "FAILED", "ServicesLastAccessed": [], "Error": {"Code": "ServiceFailure", "Message": "internal"}}"#,
                "e.json:1:15: IAM could not make the report (`JobStatus` is `FAILED`: ServiceFailure: internal); generate it again with `aws iam generate-service-last-accessed-details --arn <role ARN> --granularity ACTION_LEVEL`",
            ),
            (
                r#"{"JobStatus": "FAILED", "ServicesLastAccessed": []}"#,
                "e.json:1:15: IAM could not make the report (`JobStatus` is `FAILED`); generate it again with `aws iam generate-service-last-accessed-details --arn <role ARN> --granularity ACTION_LEVEL`",
            ),
            (
                "{\"JobStatus\": \"COMPLETED\",\n \"IsTruncated\": true, \"Marker\": \"m\", \"ServicesLastAccessed\": []}",
                "e.json:2:17: this is one page of the report (`IsTruncated` is `true`): the services of the pages after it are missing; ask for the whole report in one page, `aws iam get-service-last-accessed-details --job-id <id> --max-items 1000`",
            ),
            (
                r#"{"JobStatus": "DONE", "ServicesLastAccessed": []}"#,
                "e.json:1:15: `JobStatus`: not what AWS writes here: `DONE` is not a job status; IAM writes `COMPLETED`, `IN_PROGRESS` or `FAILED`",
            ),
            (
                r#"{"ServicesLastAccessed": []}"#,
                "e.json:1:1: missing field `JobStatus`; add it",
            ),
        ] {
            assert_eq!(read_text(text).unwrap_err(), expected, "{text}");
        }
    }

    #[test]
    fn every_bad_service_is_reported_in_line_order() {
        let text = r#"{"JobStatus": "COMPLETED", "ServicesLastAccessed": [
  {"ServiceName": "Amazon S3"},
  {"ServiceNamespace": "s3", "LastAuthenticated": 5},
  {"ServiceNamespace": "sqs"}
]}"#;
        assert_eq!(
            read_text(text).unwrap_err(),
            "e.json:2:30: `ServicesLastAccessed[0]`: not what AWS writes here: missing field `ServiceNamespace`\n\
             e.json:3:51: `ServicesLastAccessed[1]`: not what AWS writes here: invalid type: integer `5`, expected a string"
        );
    }

    #[test]
    fn a_policy_s_report_is_not_a_role_s() {
        let text = r#"{"JobStatus": "COMPLETED", "ServicesLastAccessed": [
  {"ServiceNamespace": "s3", "LastAuthenticated": "2026-11-30T08:00:00Z", "LastAuthenticatedEntity": "arn:aws:iam::111122223333:role/a"},
  {"ServiceNamespace": "sqs", "LastAuthenticated": "2026-11-30T08:00:00Z", "LastAuthenticatedEntity": "arn:aws:iam::111122223333:user/b"}
]}"#;
        assert_eq!(
            read_text(text).unwrap_err(),
            "e.json:3:3: the report's services were used by `arn:aws:iam::111122223333:role/a`, `arn:aws:iam::111122223333:user/b`, so it is a policy's or a group's report, not one role's; generate it for the role: `aws iam generate-service-last-accessed-details --arn <role ARN> --granularity ACTION_LEVEL`"
        );
    }

    fn finding_text(finding_type: &str, status: &str, details: &str) -> String {
        format!(
            r#"{{"analyzedAt": "2026-12-01T00:00:00+00:00", "createdAt": "2026-11-01T00:00:00+00:00", "id": "f1",
  "resource": "{ROLE}", "resourceType": "AWS::IAM::Role", "resourceOwnerAccount": "111122223333",
  "status": "{status}", "updatedAt": "2026-12-01T00:00:00+00:00", "findingType": "{finding_type}",
  "findingDetails": [{details}]}}"#
        )
    }

    #[test]
    fn unused_access_findings() {
        let text = finding_text(
            "UnusedPermission",
            "ACTIVE",
            r#"{"unusedPermissionDetails": {"serviceNamespace": "s3", "actions": [{"action": "s3:PutObject", "lastAccessed": "2026-01-01T00:00:00+00:00"}, {"action": "DeleteObject"}]}},
              {"unusedPermissionDetails": {"serviceNamespace": "sqs", "lastAccessed": "2025-12-01T00:00:00+00:00"}}"#,
        );
        let evidence = read_text(&text).unwrap();
        assert_eq!(evidence.kind, Kind::Finding { archived: false });
        assert_eq!(evidence.principal.as_deref(), Some(ROLE));
        assert_eq!(evidence.as_of.as_deref(), Some("2026-12-01T00:00:00+00:00"));
        assert_eq!(
            evidence.facts,
            [
                Fact::ActionUnused {
                    action: "s3:PutObject".into(),
                    last: Some("2026-01-01T00:00:00+00:00".into())
                },
                Fact::ActionUnused {
                    action: "s3:DeleteObject".into(),
                    last: None
                },
                Fact::ServiceUnused {
                    namespace: "sqs".into(),
                    last: Some("2025-12-01T00:00:00+00:00".into())
                },
            ]
        );
        let text = finding_text(
            "UnusedIAMRole",
            "ARCHIVED",
            r#"{"unusedIamRoleDetails": {}}"#,
        );
        let evidence = read_text(&text).unwrap();
        assert_eq!(evidence.kind, Kind::Finding { archived: true });
        assert_eq!(evidence.facts, [Fact::RoleUnused { last: None }]);
    }

    #[test]
    fn findings_that_say_nothing_of_use_are_refused() {
        let user = finding_text(
            "UnusedPermission",
            "ACTIVE",
            r#"{"unusedPermissionDetails": {"serviceNamespace": "s3"}}"#,
        )
        .replace("AWS::IAM::Role", "AWS::IAM::User");
        for (text, expected) in [
            (
                finding_text(
                    "ExternalAccess",
                    "ACTIVE",
                    r#"{"externalAccessDetails": {"action": ["sts:AssumeRole"], "isPublic": false}}"#,
                ),
                "e.json:3:80: an Access Analyzer finding of type `ExternalAccess` says nothing of what a role used; give an unused access finding about the role (`UnusedPermission` or `UnusedIAMRole`)",
            ),
            (
                finding_text(
                    "UnusedIAMUserAccessKey",
                    "ACTIVE",
                    r#"{"unusedIamUserAccessKeyDetails": {"accessKeyId": "AKIA"}}"#,
                ),
                "e.json:3:80: an Access Analyzer finding of type `UnusedIAMUserAccessKey` says nothing of what a role used; give an unused access finding about the role (`UnusedPermission` or `UnusedIAMRole`)",
            ),
            (
                user,
                "e.json:2:77: the finding is about `AWS::IAM::User`, not a role (`AWS::IAM::Role`); give the findings of the task or execution role",
            ),
            (
                finding_text(
                    "UnusedIAMRole",
                    "RESOLVED",
                    r#"{"unusedIamRoleDetails": {}}"#,
                ),
                "e.json:3:13: the finding is resolved (`status` is `RESOLVED`): the access it reported has since been used or removed, so it is no evidence now; give an active or archived finding",
            ),
            (
                finding_text("UnusedIAMRole", "ACTIVE", r#"{"unusedIamRoleDetails": {}}"#)
                    .replace("\"id\"", "\"NextToken\": \"eyJ\", \"id\""),
                "e.json:1:100: the finding's details go on past this output (`NextToken` is set): run `aws accessanalyzer get-finding-v2` without `--max-items` or `--no-paginate`, so the AWS CLI gathers every page",
            ),
            (
                finding_text(
                    "UnusedPermission",
                    "ACTIVE",
                    r#"{"unusedPermissionDetails": {"actions": []}}, {"somethingNew": {}}"#,
                ),
                "e.json:4:64: `findingDetails[0]`: not what AWS writes here: missing field `serviceNamespace`\n\
                 e.json:4:68: `findingDetails[1]`: not what AWS writes here: each detail of an unused access finding about a role is `unusedPermissionDetails` or `unusedIamRoleDetails`",
            ),
        ] {
            assert_eq!(read_text(&text).unwrap_err(), expected, "{text}");
        }
    }

    #[test]
    fn a_file_of_another_kind_is_named_for_what_it_is() {
        let cloudtrail = "e.json:1:1: this file holds CloudTrail records, not last-accessed evidence: give it with `--cloudtrail`";
        let neither = "e.json:2:1: this file is neither IAM's last-accessed report nor an Access Analyzer finding: give what `aws iam get-service-last-accessed-details --job-id <id>` or `aws accessanalyzer get-finding-v2 --analyzer-arn <arn> --id <id>` prints";
        for (text, expected) in [
            (
                r#"{"Records": [{"eventSource": "s3.amazonaws.com"}]}"#,
                cloudtrail,
            ),
            (r#"[{"eventSource": "s3.amazonaws.com"}]"#, cloudtrail),
            ("\n{\"Roles\": []}", neither),
        ] {
            assert_eq!(read_text(text).unwrap_err(), expected, "{text}");
        }
        assert_eq!(
            read_text("{\"JobStatus\": \"COMPLETED\",}").unwrap_err(),
            "e.json:1:27: not JSON: trailing comma"
        );
    }

    #[test]
    fn reading_is_bounded() {
        let dir =
            std::env::temp_dir().join(format!("ecs-iam-last-accessed-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let deep = dir.join("deep.json");
        std::fs::write(&deep, "[".repeat(200)).unwrap();
        assert_eq!(
            read(&deep).unwrap_err().to_string(),
            format!(
                "{}:1:128: the text nests too deep to be a file of last-accessed evidence (a file of last-accessed evidence nests about six levels)",
                crate::escape::path(&deep)
            )
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
