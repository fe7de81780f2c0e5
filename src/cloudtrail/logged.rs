//! Which calls a trail can show, and which it logs: the class of each IAM
//! action ([`class`]: a management event, a data event of a resource type,
//! or never in CloudTrail), a trail's event selectors as `aws cloudtrail
//! get-event-selectors` prints them ([`selectors`], [`Selectors::logs`]),
//! and, without them, what the files show the trail logs ([`shown_logs`]).
//!
//! A grant whose calls the trail does not log is not unused but
//! unobservable: where AWS's documentation leaves open whether a call is
//! logged, the tables below say it is not, so that no grant is called
//! unused on evidence that could not hold its calls.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use serde_json::value::RawValue;

use super::actions::{self, Called};
use super::observed::Shown;
use crate::error::{Error, FileKind, Location, Problem, Unknown, suggest};
use crate::input;
use crate::input::json::Members;
use crate::service_reference::reference;

/// The largest event selectors file read: a trail has at most 5 basic
/// selectors of 250 data resources, or advanced selectors of 500 values
/// in all, a few dozen kilobytes.
pub const MAX_SELECTORS_BYTES: u64 = 1024 * 1024;

/// How CloudTrail records a call of an IAM action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// A management event: logged by any trail that logs management events
    /// of its read/write side.
    Management { read_only: bool },
    /// A data event: logged only if the trail selects data events of this
    /// resource type (and read/write side).
    Data {
        /// CloudTrail's `resources.type` (`AWS::S3::Object`).
        resource_type: &'static str,
        read_only: bool,
    },
    /// Never in CloudTrail: `why` is one sentence naming AWS's
    /// documentation.
    Never { why: &'static str },
}

/// Actions whose calls CloudTrail never records, each with the page that
/// says so.
const NEVER: &[(&str, &str, &str)] = &[
    (
        "iam",
        "PassRole",
        "`iam:PassRole` is a permission checked when a role is handed to a service, not an API call; IAM's \"Refine permissions using last accessed information\" and IAM Access Analyzer's policy generation pages say it is not logged in CloudTrail",
    ),
    (
        "logs",
        "PutLogEvents",
        "CloudWatch Logs does not log `PutLogEvents` in CloudTrail (\"Logging Amazon CloudWatch Logs API calls with AWS CloudTrail\"; IAM Access Analyzer's policy generation pages say the same)",
    ),
    // The Firehose developer guide's CloudTrail page lists the operations
    // logged: stream management only, not the two that write records.
    (
        "firehose",
        "PutRecord",
        "Amazon Data Firehose's \"Log Amazon Data Firehose API calls with AWS CloudTrail\" lists the operations CloudTrail logs, and `PutRecord` is not among them",
    ),
    (
        "firehose",
        "PutRecordBatch",
        "Amazon Data Firehose's \"Log Amazon Data Firehose API calls with AWS CloudTrail\" lists the operations CloudTrail logs, and `PutRecordBatch` is not among them",
    ),
    // Systems Manager's "Logging AWS Systems Manager API calls with AWS
    // CloudTrail" lists `CreateControlChannel` and `OpenControlChannel` as
    // the only `ssmmessages` calls logged (data events); ECS Exec's data
    // channels are not.
    (
        "ssmmessages",
        "CreateDataChannel",
        "Systems Manager's \"Logging AWS Systems Manager API calls with AWS CloudTrail\" lists only the control channel calls of `ssmmessages` as logged, not the data channel's",
    ),
    (
        "ssmmessages",
        "OpenDataChannel",
        "Systems Manager's \"Logging AWS Systems Manager API calls with AWS CloudTrail\" lists only the control channel calls of `ssmmessages` as logged, not the data channel's",
    ),
    // X-Ray's "Logging X-Ray API calls with AWS CloudTrail" lists the
    // management events and the `AWS::XRay::Trace` data events; the
    // sampling rules the daemon and the SDKs fetch are in neither list.
    (
        "xray",
        "GetSamplingRules",
        "X-Ray's \"Logging X-Ray API calls with AWS CloudTrail\" lists neither among its management events nor among its data events `GetSamplingRules`",
    ),
    // Amazon EFS: "When you use IAM authorization for NFS clients, client
    // connections and IAM authorization decisions are logged" ("Using IAM
    // to control access to file systems") — as connection events
    // (`NewClientConnection`, `UpdateClientConnection`), not as calls of
    // the client actions.
    (
        "elasticfilesystem",
        "ClientMount",
        "Amazon EFS logs an NFS client's connection as a `NewClientConnection` event, not as a call of `ClientMount` (\"Using IAM to control access to file systems\")",
    ),
    (
        "elasticfilesystem",
        "ClientWrite",
        "Amazon EFS logs an NFS client's connection as a `NewClientConnection` event, not as a call of `ClientWrite` (\"Using IAM to control access to file systems\")",
    ),
    (
        "elasticfilesystem",
        "ClientRootAccess",
        "Amazon EFS logs an NFS client's connection as a `NewClientConnection` event, not as a call of `ClientRootAccess` (\"Using IAM to control access to file systems\")",
    ),
    // Amazon SES's CloudTrail page lists the API actions it logs; the
    // sending actions are not among them (SES reports sends through event
    // publishing instead).
    (
        "ses",
        "SendEmail",
        "Amazon SES's \"Logging Amazon SES API calls with AWS CloudTrail\" does not list the sending actions among those CloudTrail logs; sends are reported through SES event publishing",
    ),
    (
        "ses",
        "SendRawEmail",
        "Amazon SES's \"Logging Amazon SES API calls with AWS CloudTrail\" does not list the sending actions among those CloudTrail logs; sends are reported through SES event publishing",
    ),
    (
        "ses",
        "SendTemplatedEmail",
        "Amazon SES's \"Logging Amazon SES API calls with AWS CloudTrail\" does not list the sending actions among those CloudTrail logs; sends are reported through SES event publishing",
    ),
    (
        "ses",
        "SendBulkTemplatedEmail",
        "Amazon SES's \"Logging Amazon SES API calls with AWS CloudTrail\" does not list the sending actions among those CloudTrail logs; sends are reported through SES event publishing",
    ),
    (
        "ses",
        "SendBulkEmail",
        "Amazon SES's \"Logging Amazon SES API calls with AWS CloudTrail\" does not list the sending actions among those CloudTrail logs; sends are reported through SES event publishing",
    ),
];

/// Actions whose calls are data events, by service prefix and resource
/// type. Sources: the CloudTrail User Guide's "Logging data events" (its
/// table of resource types) and each service's CloudTrail page, which
/// lists the API calls logged as data events:
/// - DynamoDB: item and PartiQL operations on tables; `GetRecords` and
///   `GetShardIterator` on streams.
/// - Lambda: `Invoke` (authorised as `lambda:InvokeFunction`).
/// - SQS ("Logging Amazon SQS API calls using AWS CloudTrail"): the message
///   operations, their batch forms authorised by the same actions.
/// - SNS: `Publish` and `PublishBatch` on topics.
/// - Kinesis Data Streams: record reads and writes on streams,
///   `SubscribeToShard` on consumers.
/// - X-Ray ("Logging X-Ray API calls with AWS CloudTrail"): the eight
///   calls its data events table lists for `AWS::XRay::Trace`.
/// - Systems Manager ("Logging AWS Systems Manager API calls with AWS
///   CloudTrail"): `CreateControlChannel` and `OpenControlChannel`.
/// - EventBridge: `PutEvents` on event buses.
/// - S3: the bucket listings; object actions are found through the service
///   reference ([`takes_objects`]).
const DATA: &[(&str, &str, &[&str])] = &[
    (
        "dynamodb",
        "AWS::DynamoDB::Table",
        &[
            "BatchGetItem",
            "BatchWriteItem",
            "ConditionCheckItem",
            "DeleteItem",
            "GetItem",
            "PartiQLDelete",
            "PartiQLInsert",
            "PartiQLSelect",
            "PartiQLUpdate",
            "PutItem",
            "Query",
            "Scan",
            "UpdateItem",
        ],
    ),
    (
        "dynamodb",
        "AWS::DynamoDB::Stream",
        &["GetRecords", "GetShardIterator"],
    ),
    ("lambda", "AWS::Lambda::Function", &["InvokeFunction"]),
    (
        "sqs",
        "AWS::SQS::Queue",
        &[
            "ChangeMessageVisibility",
            "DeleteMessage",
            "ReceiveMessage",
            "SendMessage",
        ],
    ),
    ("sns", "AWS::SNS::Topic", &["Publish"]),
    (
        "kinesis",
        "AWS::Kinesis::Stream",
        &["GetRecords", "GetShardIterator", "PutRecord", "PutRecords"],
    ),
    (
        "kinesis",
        "AWS::Kinesis::StreamConsumer",
        &["SubscribeToShard"],
    ),
    (
        "xray",
        "AWS::XRay::Trace",
        &[
            "BatchGetTraces",
            "GetSamplingTargets",
            "GetServiceGraph",
            "GetTimeSeriesServiceStatistics",
            "GetTraceGraph",
            "GetTraceSummaries",
            "PutTelemetryRecords",
            "PutTraceSegments",
        ],
    ),
    (
        "ssmmessages",
        "AWS::SSMMessages::ControlChannel",
        &["CreateControlChannel", "OpenControlChannel"],
    ),
    ("events", "AWS::Events::EventBus", &["PutEvents"]),
    (
        "s3",
        "AWS::S3::Object",
        &[
            "ListBucket",
            "ListBucketMultipartUploads",
            "ListBucketVersions",
        ],
    ),
];

/// How CloudTrail's `readOnly` reads an operation's name: reads start with
/// one of these words (`GetObject`, `ListBucket`, `DescribeTable`,
/// `BatchGetItem`), or are one of [`READ_NAMES`]; every other call is a
/// write (`PutObject`, `SendMessage`, `CreateLogStream`, `ReceiveMessage`).
const READ_WORDS: &[&str] = &[
    "Get", "List", "Describe", "Head", "Lookup", "BatchGet", "Search",
];
const READ_NAMES: &[&str] = &["Query", "Scan", "PartiQLSelect"];

/// Calls CloudTrail records `readOnly: true` whose names [`READ_WORDS`]
/// does not tell: KMS's cryptographic operations (AWS's example records of
/// `Decrypt`, e.g. in Amazon Managed Grafana's "Data protection", show
/// `"readOnly": true`) and STS's role assumptions.
const READ_ONLY: &[(&str, &str)] = &[
    ("kms", "Decrypt"),
    ("kms", "Encrypt"),
    ("kms", "GenerateDataKey"),
    ("kms", "GenerateDataKeyPair"),
    ("kms", "GenerateDataKeyPairWithoutPlaintext"),
    ("kms", "GenerateDataKeyWithoutPlaintext"),
    ("kms", "GenerateMac"),
    ("kms", "GenerateRandom"),
    ("kms", "ReEncryptFrom"),
    ("kms", "ReEncryptTo"),
    ("kms", "Sign"),
    ("kms", "Verify"),
    ("kms", "VerifyMac"),
    ("sts", "AssumeRole"),
    ("sts", "AssumeRoleWithSAML"),
    ("sts", "AssumeRoleWithWebIdentity"),
];

/// The class of one concrete IAM action (`s3:GetObject`; the caller expands
/// wildcards). Names compare without regard to case, as IAM's do. An action
/// in no table is a management event, read-only by its name's first word
/// ([`READ_WORDS`]): most of AWS's API is control plane, logged by default.
#[must_use]
pub fn class(action: &str) -> Class {
    let (prefix, name) = action.split_once(':').unwrap_or(("", action));
    let name = canonical(prefix, name);
    let same = |p: &str, n: &str| p.eq_ignore_ascii_case(prefix) && n.eq_ignore_ascii_case(name);
    if let Some(&(.., why)) = NEVER.iter().find(|(p, n, _)| same(p, n)) {
        return Class::Never { why };
    }
    let read_only = is_read_only(prefix, name);
    let data = DATA
        .iter()
        .find(|(p, _, names)| names.iter().any(|n| same(p, n)))
        .map(|&(_, resource_type, _)| resource_type)
        .or_else(|| {
            (prefix.eq_ignore_ascii_case("s3") && takes_objects(name)).then_some("AWS::S3::Object")
        });
    match data {
        Some(resource_type) => Class::Data {
            resource_type,
            read_only,
        },
        None => Class::Management { read_only },
    }
}

/// The action's name as the service reference spells it, when it knows it.
fn canonical<'a>(prefix: &str, name: &'a str) -> &'a str {
    reference()
        .service(&prefix.to_ascii_lowercase())
        .and_then(|s| s.actions.iter().find(|a| a.name.eq_ignore_ascii_case(name)))
        .map_or(name, |a| a.name)
}

/// Whether CloudTrail records a call of `prefix:name` as read-only.
fn is_read_only(prefix: &str, name: &str) -> bool {
    READ_ONLY
        .iter()
        .any(|(p, n)| p.eq_ignore_ascii_case(prefix) && *n == name)
        || READ_NAMES.contains(&name)
        || READ_WORDS.iter().any(|word| {
            name.strip_prefix(word)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(char::is_uppercase))
        })
}

/// Whether an S3 action acts on objects (takes the `object` or
/// `accesspointobject` resource type): object-level calls are S3's data
/// events ("Logging data events": "Amazon S3 object-level API activity").
fn takes_objects(name: &str) -> bool {
    reference().service("s3").is_some_and(|s| {
        s.actions
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
            .is_some_and(|a| {
                a.resource_types.iter().any(|&(i, _)| {
                    matches!(
                        s.resource_types[i].name.as_str(),
                        "object" | "accesspointobject"
                    )
                })
            })
    })
}

/// Whether a trail logs a kind of call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Logged {
    Yes,
    No {
        why: String,
    },
    /// Some such calls, not all: only some resources, operations or
    /// callers are selected.
    Partly {
        why: String,
    },
}

/// A trail's event selectors, basic or advanced, as conditions on the
/// fields of an event: the trail logs an event that meets every condition
/// of some selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selectors {
    selectors: Vec<Selector>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Selector {
    /// How messages name it: its `Name`, or its place in the file.
    name: String,
    conditions: Vec<Condition>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Condition {
    field: String,
    operator: Operator,
    values: Vec<String>,
}

/// AdvancedFieldSelector's operators: a positive one holds when some value
/// matches, a `Not` one when none does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operator {
    Equals,
    StartsWith,
    EndsWith,
    NotEquals,
    NotStartsWith,
    NotEndsWith,
}

const OPERATORS: &[(&str, Operator)] = &[
    ("Equals", Operator::Equals),
    ("StartsWith", Operator::StartsWith),
    ("EndsWith", Operator::EndsWith),
    ("NotEquals", Operator::NotEquals),
    ("NotStartsWith", Operator::NotStartsWith),
    ("NotEndsWith", Operator::NotEndsWith),
];

impl Operator {
    fn name(self) -> &'static str {
        OPERATORS
            .iter()
            .find(|(_, o)| *o == self)
            .map_or("", |(n, _)| n)
    }

    fn negated(self) -> bool {
        matches!(
            self,
            Operator::NotEquals | Operator::NotStartsWith | Operator::NotEndsWith
        )
    }

    /// Whether `value` meets the positive form of the operator for
    /// `condition`'s value `wanted`.
    fn holds(self, value: &str, wanted: &str) -> bool {
        match self {
            Operator::Equals | Operator::NotEquals => value == wanted,
            Operator::StartsWith | Operator::NotStartsWith => value.starts_with(wanted),
            Operator::EndsWith | Operator::NotEndsWith => value.ends_with(wanted),
        }
    }
}

/// A three-valued answer: for every such call, for none, for some.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tri {
    Yes,
    No,
    Partly,
}

impl Tri {
    fn of(b: bool) -> Tri {
        if b { Tri::Yes } else { Tri::No }
    }

    fn not(self) -> Tri {
        match self {
            Tri::Yes => Tri::No,
            Tri::No => Tri::Yes,
            Tri::Partly => Tri::Partly,
        }
    }

    /// Several answers of which one must hold.
    fn any(all: impl IntoIterator<Item = Tri>) -> Tri {
        all.into_iter().fold(Tri::No, |acc, t| match (acc, t) {
            (Tri::Yes, _) | (_, Tri::Yes) => Tri::Yes,
            (Tri::Partly, _) | (_, Tri::Partly) => Tri::Partly,
            _ => Tri::No,
        })
    }
}

/// What is known of the calls asked about.
struct Event<'a> {
    category: &'static str,
    read_only: bool,
    source: String,
    /// The `eventName`s of the operations that need the action.
    names: Vec<&'a str>,
    resource_type: Option<&'static str>,
    resource: Option<String>,
}

impl Event<'_> {
    /// How `condition` holds for these calls.
    fn meets(&self, c: &Condition) -> Tri {
        let known = |value: &str| {
            let any = c.values.iter().any(|w| c.operator.holds(value, w));
            Tri::of(any != c.operator.negated())
        };
        match c.field.as_str() {
            "eventCategory" => known(self.category),
            "readOnly" => known(if self.read_only { "true" } else { "false" }),
            "eventSource" => known(&self.source),
            "eventType" => known("AwsApiCall"),
            "eventName" => {
                let each: Vec<Tri> = self.names.iter().map(|n| known(n)).collect();
                if each.iter().all(|t| *t == Tri::Yes) {
                    Tri::Yes
                } else if each.iter().all(|t| *t == Tri::No) {
                    Tri::No
                } else {
                    Tri::Partly
                }
            }
            "resources.type" => self.resource_type.map_or(Tri::Partly, known),
            "resources.ARN" => match &self.resource {
                None => Tri::Partly,
                Some(arn) if !is_pattern(arn) => known(arn),
                Some(pattern) => {
                    let positive = Tri::any(
                        c.values
                            .iter()
                            .map(|w| pattern_meets(pattern, c.operator, w)),
                    );
                    if c.operator.negated() {
                        positive.not()
                    } else {
                        positive
                    }
                }
            },
            // The caller's identity, its error, the endpoint it came
            // through: not known before the call.
            _ => Tri::Partly,
        }
    }
}

fn is_pattern(arn: &str) -> bool {
    arn.contains(['*', '?'])
}

/// How the positive form of `operator` with `wanted` holds for the ARNs an
/// ARN pattern (`arn:aws:s3:::bucket/*`) stands for.
fn pattern_meets(pattern: &str, operator: Operator, wanted: &str) -> Tri {
    let head = &pattern[..pattern.find(['*', '?']).unwrap_or(pattern.len())];
    let tail = &pattern[pattern.rfind(['*', '?']).map_or(0, |i| i + 1)..];
    match operator {
        Operator::StartsWith | Operator::NotStartsWith => {
            if head.starts_with(wanted) {
                Tri::Yes
            } else if wanted.starts_with(head) {
                Tri::Partly
            } else {
                Tri::No
            }
        }
        Operator::EndsWith | Operator::NotEndsWith => {
            if tail.ends_with(wanted) {
                Tri::Yes
            } else if wanted.ends_with(tail) {
                Tri::Partly
            } else {
                Tri::No
            }
        }
        Operator::Equals | Operator::NotEquals => {
            if wanted.starts_with(head) && wanted.ends_with(tail) {
                Tri::Partly
            } else {
                Tri::No
            }
        }
    }
}

impl Selectors {
    /// Whether the trail logs calls of `action` (`service:Action`, of class
    /// `class`) on `resource`: an ARN, or an ARN pattern as a grant writes
    /// it; `None` when the record or the grant does not say, and then the
    /// answer is for some resource ([`Logged::Partly`] when only some ARNs
    /// are selected). The event names are those of the operations that
    /// need the action ([`actions::operations`]).
    #[must_use]
    pub fn logs(&self, action: &str, class: &Class, resource: Option<&str>) -> Logged {
        let (category, resource_type, read_only) = match *class {
            Class::Never { why } => {
                return Logged::No {
                    why: why.to_owned(),
                };
            }
            Class::Management { read_only } => ("Management", None, read_only),
            Class::Data {
                resource_type,
                read_only,
            } => ("Data", Some(resource_type), read_only),
        };
        let prefix = action.split_once(':').map_or(action, |(p, _)| p);
        // An S3 bucket's listings are selected with its objects:
        // `arn:aws:s3:::bucket/` selects `ListObjects` on the bucket.
        let written = resource;
        let resource = resource.map(|r| {
            if resource_type == Some("AWS::S3::Object") && !r.contains('/') && r.contains(":::") {
                format!("{r}/*")
            } else {
                r.to_owned()
            }
        });
        let event = Event {
            category,
            read_only,
            source: actions::event_source(prefix),
            names: actions::operations(action),
            resource_type,
            resource,
        };
        let mut partly = Vec::new();
        for selector in &self.selectors {
            let answers: Vec<Tri> = selector.conditions.iter().map(|c| event.meets(c)).collect();
            if answers.contains(&Tri::No) {
                continue;
            }
            if answers.iter().all(|t| *t == Tri::Yes) {
                return Logged::Yes;
            }
            let only: Vec<String> = selector
                .conditions
                .iter()
                .zip(&answers)
                .filter(|(_, t)| **t == Tri::Partly)
                .map(|(c, _)| {
                    format!(
                        "`{}` {} {}",
                        c.field,
                        c.operator.name(),
                        c.values
                            .iter()
                            .map(|v| format!("`{v}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })
                .collect();
            partly.push(format!(
                "`{}` only where {}",
                selector.name,
                only.join(" and ")
            ));
        }
        if partly.is_empty() {
            let mut why = format!(
                "no event selector of the trail logs {} {} events",
                if read_only { "read-only" } else { "write" },
                category.to_lowercase()
            );
            if let Some(t) = resource_type {
                let _ = write!(why, " of `{t}`");
            }
            if let Some(r) = written {
                let _ = write!(why, " on `{r}`");
            }
            if category == "Management" {
                let _ = write!(why, " from `{}`", event.source);
            }
            Logged::No { why }
        } else {
            Logged::Partly {
                why: format!("the trail logs these calls {}", partly.join("; or ")),
            }
        }
    }
}

/// Whether the files show the trail logs calls of this class. Data events
/// count as logged only if some shown record is a data event of the same
/// resource type and the same read/write side (records of S3 `GetObject`
/// do not prove `PutObject` would have been logged), and then for the
/// resources the trail selects, which the files cannot tell; management
/// events of a side count as logged if some management record of that side
/// is shown. A record's resource type is its call's action's ([`class`]);
/// a record without `readOnly` takes its side from its action's name.
#[must_use]
pub fn shown_logs(shown: &BTreeSet<Shown>, class: &Class) -> Logged {
    let (resource_type, read_only) = match *class {
        Class::Never { why } => {
            return Logged::No {
                why: why.to_owned(),
            };
        }
        Class::Management { read_only } => (None, read_only),
        Class::Data {
            resource_type,
            read_only,
        } => (Some(resource_type), read_only),
    };
    if shown
        .iter()
        .any(|s| shown_as(s) == Some((resource_type, read_only)))
    {
        return Logged::Yes;
    }
    let side = if read_only { "read-only" } else { "write" };
    Logged::No {
        why: match resource_type {
            None => {
                format!("the files show no {side} management event, so the trail may not log them")
            }
            Some(t) => format!(
                "the files show no {side} data event of `{t}`, so the trail may not log them (data events are off unless its event selectors select them)"
            ),
        },
    }
}

/// What a shown kind of event is: a data event of a resource type
/// (`Some`) or a management event (`None`), and its read/write side;
/// `None` when that cannot be told. The resource type is its call's
/// action's ([`class`]); a record without `eventCategory` (before
/// `eventVersion` 1.08) is a data event when its action's calls are, and
/// one without `readOnly` takes its side from its action's name.
fn shown_as(s: &Shown) -> Option<(Option<&'static str>, bool)> {
    let class = match actions::called(&s.source, &s.name) {
        Called::Action(a) => Some(class(&a)),
        Called::Unmapped { .. } => None,
    };
    let (resource_type, read_only) = match class {
        Some(Class::Data {
            resource_type,
            read_only,
        }) => (Some(resource_type), Some(read_only)),
        Some(Class::Management { read_only }) => (None, Some(read_only)),
        Some(Class::Never { .. }) | None => (None, None),
    };
    let read_only = s.read_only.or(read_only)?;
    match s.category.as_deref() {
        Some("Management") => Some((None, read_only)),
        // A data event the tables do not know tells nothing of the types
        // they do.
        Some("Data") => resource_type.map(|t| (Some(t), read_only)),
        None => Some((resource_type, read_only)),
        Some(_) => None,
    }
}

/// A trail's event selectors, read from the file at `path` (at most
/// [`MAX_SELECTORS_BYTES`]).
///
/// # Errors
/// As [`input::bytes::read_text`] and [`selectors`].
pub fn read(path: &Path) -> Result<Selectors, Error> {
    let text = input::bytes::read_text(path, FileKind::EventSelectors, MAX_SELECTORS_BYTES)?;
    selectors(path, &text)
}

const TOP: &[&str] = &["AdvancedEventSelectors", "EventSelectors", "TrailARN"];
const BASIC: &[&str] = &[
    "DataResources",
    "ExcludeManagementEventSources",
    "IncludeManagementEvents",
    "ReadWriteType",
];
const DATA_RESOURCE: &[&str] = &["Type", "Values"];
const ADVANCED: &[&str] = &["FieldSelectors", "Name"];
const FIELD_SELECTOR: &[&str] = &[
    "EndsWith",
    "Equals",
    "Field",
    "NotEndsWith",
    "NotEquals",
    "NotStartsWith",
    "StartsWith",
];
const READ_WRITE_TYPES: &[&str] = &["All", "ReadOnly", "WriteOnly"];
/// The resource types a basic selector's `DataResources` takes
/// (CloudTrail API Reference, "DataResource").
const BASIC_TYPES: &[&str] = &[
    "AWS::DynamoDB::Table",
    "AWS::Lambda::Function",
    "AWS::S3::Object",
];
/// The fields an advanced field selector takes (CloudTrail API Reference,
/// "AdvancedFieldSelector").
const FIELDS: &[&str] = &[
    "errorCode",
    "eventCategory",
    "eventName",
    "eventSource",
    "eventType",
    "readOnly",
    "resources.ARN",
    "resources.type",
    "sessionCredentialFromConsole",
    "userIdentity.arn",
    "vpcEndpointId",
];
const CATEGORIES: &[&str] = &["Data", "Management", "NetworkActivity"];

/// A trail's event selectors from `text`, what `aws cloudtrail
/// get-event-selectors --trail-name <trail>` prints: `EventSelectors`
/// (`ReadWriteType`, `IncludeManagementEvents`, `DataResources`,
/// `ExcludeManagementEventSources`) or `AdvancedEventSelectors` (`Name`,
/// `FieldSelectors`). Every problem of the file is reported at once, in
/// the order of the text.
///
/// # Errors
/// [`Error::TooDeep`], [`Error::Syntax`] for text that is not JSON, and
/// for a shape CloudTrail does not print or would refuse, the problems:
/// unknown fields and values, missing ones, values of the wrong type.
pub fn selectors(path: &Path, text: &str) -> Result<Selectors, Error> {
    input::json::check_depth(path, text, FileKind::EventSelectors)?;
    let top: &RawValue = serde_json::from_str(text).map_err(|e| Error::Syntax {
        at: Location {
            file: path.to_owned(),
            line: e.line().max(1),
            column: e.column().max(1),
        },
        message: format!(
            "not JSON: {}",
            input::json::without_position(&e.to_string())
        ),
    })?;
    let mut reader = Reader {
        path,
        text,
        problems: Vec::new(),
    };
    let selectors = reader.top(top);
    reader.problems.sort_by_key(|(offset, _)| *offset);
    match Error::several(reader.problems.into_iter().map(|(_, e)| e).collect()) {
        Some(e) => Err(e),
        None => Ok(Selectors { selectors }),
    }
}

/// Reads the file's values, keeping each problem with its offset.
struct Reader<'t> {
    path: &'t Path,
    text: &'t str,
    problems: Vec<(usize, Error)>,
}

impl<'t> Reader<'t> {
    fn offset(&self, raw: &RawValue) -> usize {
        input::json::offset_in(self.text, raw.get())
    }

    fn at(&self, offset: usize) -> Location {
        let (line, column) = input::json::line_column(self.text, offset);
        Location {
            file: self.path.to_owned(),
            line,
            column,
        }
    }

    fn problem(&mut self, raw: &RawValue, field: &str, problem: Problem) {
        let offset = self.offset(raw);
        self.problems.push((
            offset,
            Error::Invalid {
                at: self.at(offset),
                field: field.to_owned(),
                problem: Box::new(problem),
            },
        ));
    }

    fn missing(&mut self, object: &RawValue, field: String) {
        let offset = self.offset(object);
        self.problems.push((
            offset,
            Error::MissingField {
                at: self.at(offset),
                field,
            },
        ));
    }

    fn unknown(
        &mut self,
        variant: bool,
        offset: usize,
        name: &str,
        field: &str,
        expected: &[&str],
    ) {
        let unknown = Box::new(Unknown {
            at: self.at(offset),
            name: name.to_owned(),
            field: field.to_owned(),
            suggestion: suggest(name, expected.iter().copied()),
            expected: expected.iter().map(|&e| e.to_owned()).collect(),
        });
        self.problems.push((
            offset,
            if variant {
                Error::UnknownVariant(unknown)
            } else {
                Error::UnknownField(unknown)
            },
        ));
    }

    /// The members of the object `raw` holds, each unknown one reported at
    /// its key.
    fn object(&mut self, raw: &'t RawValue, field: &str, known: &[&str]) -> Option<Members<'t>> {
        let members = Members::of(raw.get(), None).ok().filter(|m| m.is_object);
        let Some(members) = members else {
            self.problem(
                raw,
                field,
                Problem::SelectorType {
                    expected: "an object",
                },
            );
            return None;
        };
        for key in members.keys() {
            if known.contains(&key) {
                continue;
            }
            let value = members.get(key).map_or(0, |v| self.offset(v));
            let quoted = format!("\"{key}\"");
            let offset = self.text[..value].rfind(&quoted).unwrap_or(value);
            self.unknown(false, offset, key, field, known);
        }
        Some(members)
    }

    fn list(&mut self, raw: &'t RawValue, field: &str) -> Option<Vec<&'t RawValue>> {
        let items = serde_json::from_str::<Vec<&RawValue>>(raw.get()).ok();
        if items.is_none() {
            self.problem(raw, field, Problem::SelectorType { expected: "a list" });
        }
        items
    }

    fn string(&mut self, raw: &'t RawValue, field: &str) -> Option<String> {
        let s = serde_json::from_str::<String>(raw.get()).ok();
        if s.is_none() {
            self.problem(
                raw,
                field,
                Problem::SelectorType {
                    expected: "a string",
                },
            );
        }
        s
    }

    fn strings(&mut self, raw: &'t RawValue, field: &str) -> Vec<(String, &'t RawValue)> {
        let items = self.list(raw, field).unwrap_or_default();
        items
            .into_iter()
            .enumerate()
            .filter_map(|(i, item)| {
                self.string(item, &format!("{field}[{i}]"))
                    .map(|s| (s, item))
            })
            .collect()
    }

    /// A string of a closed set, reported as an unknown value otherwise.
    fn one_of(&mut self, raw: &'t RawValue, field: &str, expected: &[&str]) -> Option<String> {
        let s = self.string(raw, field)?;
        if expected.contains(&s.as_str()) {
            Some(s)
        } else {
            let offset = self.offset(raw);
            self.unknown(true, offset, &s, field, expected);
            None
        }
    }

    fn top(&mut self, raw: &'t RawValue) -> Vec<Selector> {
        let Some(members) = self.object(raw, "", TOP) else {
            return Vec::new();
        };
        let basic = members.get("EventSelectors");
        let advanced = members.get("AdvancedEventSelectors");
        let non_empty = |r: Option<&RawValue>| {
            r.is_some_and(|r| {
                serde_json::from_str::<Vec<&RawValue>>(r.get()).map_or(true, |l| !l.is_empty())
            })
        };
        match (basic, advanced) {
            (None, None) => {
                self.problem(raw, "", Problem::NoEventSelectors);
                Vec::new()
            }
            (Some(_), Some(a)) if non_empty(basic) && non_empty(advanced) => {
                self.problem(a, "AdvancedEventSelectors", Problem::BothEventSelectors);
                Vec::new()
            }
            _ => {
                let mut out = Vec::new();
                if let Some(b) = basic {
                    for (i, item) in self
                        .list(b, "EventSelectors")
                        .unwrap_or_default()
                        .into_iter()
                        .enumerate()
                    {
                        out.extend(self.basic(item, &format!("EventSelectors[{i}]")));
                    }
                }
                if let Some(a) = advanced {
                    for (i, item) in self
                        .list(a, "AdvancedEventSelectors")
                        .unwrap_or_default()
                        .into_iter()
                        .enumerate()
                    {
                        out.extend(self.advanced(item, &format!("AdvancedEventSelectors[{i}]")));
                    }
                }
                out
            }
        }
    }

    /// One basic selector as the selectors it amounts to: one for its
    /// management events, and one for each data resource value.
    fn basic(&mut self, raw: &'t RawValue, field: &str) -> Vec<Selector> {
        let Some(members) = self.object(raw, field, BASIC) else {
            return Vec::new();
        };
        let side = match members.get("ReadWriteType") {
            Some(r) => self.one_of(r, &format!("{field}.ReadWriteType"), READ_WRITE_TYPES),
            None => Some("All".to_owned()),
        };
        let read_only = match side.as_deref() {
            Some("ReadOnly") => vec![condition("readOnly", Operator::Equals, "true")],
            Some("WriteOnly") => vec![condition("readOnly", Operator::Equals, "false")],
            _ => Vec::new(),
        };
        let management = match members.get("IncludeManagementEvents") {
            Some(r) => {
                let b = serde_json::from_str::<bool>(r.get()).ok();
                if b.is_none() {
                    self.problem(
                        r,
                        &format!("{field}.IncludeManagementEvents"),
                        Problem::SelectorType {
                            expected: "`true` or `false`",
                        },
                    );
                }
                b.unwrap_or(false)
            }
            // CloudTrail's default (API Reference, "EventSelector").
            None => true,
        };
        let excluded: Vec<String> = match members.get("ExcludeManagementEventSources") {
            Some(r) => self
                .strings(r, &format!("{field}.ExcludeManagementEventSources"))
                .into_iter()
                .map(|(s, _)| s)
                .collect(),
            None => Vec::new(),
        };
        let mut out = Vec::new();
        if management {
            let mut conditions = vec![condition("eventCategory", Operator::Equals, "Management")];
            conditions.extend(read_only.iter().cloned());
            if !excluded.is_empty() {
                conditions.push(Condition {
                    field: "eventSource".to_owned(),
                    operator: Operator::NotEquals,
                    values: excluded,
                });
            }
            out.push(Selector {
                name: field.to_owned(),
                conditions,
            });
        }
        let resources = match members.get("DataResources") {
            Some(r) => self
                .list(r, &format!("{field}.DataResources"))
                .unwrap_or_default(),
            None => Vec::new(),
        };
        for (i, item) in resources.into_iter().enumerate() {
            let at = format!("{field}.DataResources[{i}]");
            let Some(resource) = self.object(item, &at, DATA_RESOURCE) else {
                continue;
            };
            let kind = if let Some(t) = resource.get("Type") {
                self.one_of(t, &format!("{at}.Type"), BASIC_TYPES)
            } else {
                self.missing(item, format!("{at}.Type"));
                None
            };
            let values = match resource.get("Values") {
                Some(v) => self.strings(v, &format!("{at}.Values")),
                None => Vec::new(),
            };
            let Some(kind) = kind else { continue };
            for (value, _) in values {
                let mut base = vec![
                    condition("eventCategory", Operator::Equals, "Data"),
                    condition("resources.type", Operator::Equals, &kind),
                ];
                base.extend(read_only.iter().cloned());
                for arn in basic_arns(&kind, &value) {
                    let mut conditions = base.clone();
                    conditions.extend(arn);
                    out.push(Selector {
                        name: field.to_owned(),
                        conditions,
                    });
                }
            }
        }
        out
    }

    fn advanced(&mut self, raw: &'t RawValue, field: &str) -> Option<Selector> {
        let members = self.object(raw, field, ADVANCED)?;
        let name = match members.get("Name") {
            Some(n) => self.string(n, &format!("{field}.Name")),
            None => None,
        };
        let Some(list) = members.get("FieldSelectors") else {
            self.missing(raw, format!("{field}.FieldSelectors"));
            return None;
        };
        let mut conditions = Vec::new();
        let mut ok = true;
        for (i, item) in self
            .list(list, &format!("{field}.FieldSelectors"))
            .unwrap_or_default()
            .into_iter()
            .enumerate()
        {
            let at = format!("{field}.FieldSelectors[{i}]");
            match self.field_selector(item, &at) {
                Some(c) => conditions.extend(c),
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        let equals = |f: &str| {
            conditions
                .iter()
                .find(|c| c.field == f && c.operator == Operator::Equals)
        };
        match equals("eventCategory") {
            None => {
                self.problem(raw, field, Problem::NoEventCategory);
                return None;
            }
            Some(c)
                if c.values.iter().any(|v| v == "Data") && equals("resources.type").is_none() =>
            {
                self.problem(raw, field, Problem::NoResourceType);
                return None;
            }
            Some(_) => {}
        }
        Some(Selector {
            name: name.unwrap_or_else(|| field.to_owned()),
            conditions,
        })
    }

    /// One field selector's conditions, one per operator given.
    fn field_selector(&mut self, raw: &'t RawValue, at: &str) -> Option<Vec<Condition>> {
        let members = self.object(raw, at, FIELD_SELECTOR)?;
        let Some(f) = members.get("Field") else {
            self.missing(raw, format!("{at}.Field"));
            return None;
        };
        let field = self.one_of(f, &format!("{at}.Field"), FIELDS);
        let mut out = Vec::new();
        let mut ok = field.is_some();
        for &(name, operator) in OPERATORS {
            let Some(v) = members.get(name) else { continue };
            let place = format!("{at}.{name}");
            let list = self.list(v, &place);
            let given = list.as_ref().map(Vec::len);
            let values: Vec<String> = match &field {
                Some(f) if f == "eventCategory" => self.each_one_of(list, &place, CATEGORIES),
                Some(f) if f == "readOnly" => self.each_one_of(list, &place, &["false", "true"]),
                _ => list
                    .unwrap_or_default()
                    .into_iter()
                    .enumerate()
                    .filter_map(|(i, item)| self.string(item, &format!("{place}[{i}]")))
                    .collect(),
            };
            if given == Some(0) {
                self.problem(v, &place, Problem::EmptyList { what: "the list" });
            }
            ok &= given.is_some_and(|n| n > 0 && n == values.len());
            if let Some(f) = field
                .as_deref()
                .filter(|f| matches!(*f, "eventCategory" | "readOnly" | "resources.type"))
                && operator != Operator::Equals
            {
                self.problem(
                    v,
                    &place,
                    Problem::EqualsOnly {
                        field: f.to_owned(),
                        operator: name.to_owned(),
                    },
                );
                ok = false;
            }
            if let Some(f) = &field {
                out.push(Condition {
                    field: f.clone(),
                    operator,
                    values,
                });
            }
        }
        if out.is_empty() && field.is_some() {
            self.problem(raw, at, Problem::NoCondition);
            ok = false;
        }
        ok.then_some(out)
    }

    fn each_one_of(
        &mut self,
        list: Option<Vec<&'t RawValue>>,
        place: &str,
        expected: &[&str],
    ) -> Vec<String> {
        list.unwrap_or_default()
            .into_iter()
            .enumerate()
            .filter_map(|(i, item)| self.one_of(item, &format!("{place}[{i}]"), expected))
            .collect()
    }
}

fn condition(field: &str, operator: Operator, value: &str) -> Condition {
    Condition {
        field: field.to_owned(),
        operator,
        values: vec![value.to_owned()],
    }
}

/// The ARN conditions a basic selector's data resource value amounts to,
/// each alone enough (CloudTrail API Reference, "DataResource"): for S3 a
/// prefix of object ARNs (`arn:aws:s3` alone: every bucket;
/// `arn:aws:s3:::bucket/`: the bucket's objects); for Lambda and DynamoDB
/// the service alone (`arn:aws:lambda`: every function) or one resource's
/// ARN (with a function's qualifiers, a table's indexes).
fn basic_arns(kind: &str, value: &str) -> Vec<Vec<Condition>> {
    let service_only =
        value.split(':').filter(|p| !p.is_empty()).count() <= 3 && !value.contains('/');
    if service_only {
        return vec![Vec::new()];
    }
    if kind == "AWS::S3::Object" {
        return vec![vec![condition(
            "resources.ARN",
            Operator::StartsWith,
            value,
        )]];
    }
    vec![
        vec![condition("resources.ARN", Operator::Equals, value)],
        vec![Condition {
            field: "resources.ARN".to_owned(),
            operator: Operator::StartsWith,
            values: vec![format!("{value}:"), format!("{value}/")],
        }],
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Selectors {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/cloudtrail/selectors")
            .join(name);
        read(&path).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    fn management(read_only: bool) -> Class {
        Class::Management { read_only }
    }

    fn data(resource_type: &'static str, read_only: bool) -> Class {
        Class::Data {
            resource_type,
            read_only,
        }
    }

    #[test]
    fn every_action_of_the_tables_is_one_the_reference_knows() {
        let known = |prefix: &str, name: &str| {
            reference()
                .service(prefix)
                .is_some_and(|s| s.actions.iter().any(|a| a.name == name))
        };
        for (prefix, name, why) in NEVER {
            assert!(known(prefix, name), "{prefix}:{name}");
            assert!(why.ends_with(|c: char| c != '.'), "{why}");
        }
        for (prefix, _, names) in DATA {
            for name in *names {
                assert!(known(prefix, name), "{prefix}:{name}");
            }
        }
        for (prefix, name) in READ_ONLY {
            assert!(known(prefix, name), "{prefix}:{name}");
        }
    }

    #[test]
    fn classes_of_the_calls_ecs_workloads_make() {
        for (action, expected) in [
            ("s3:GetObject", data("AWS::S3::Object", true)),
            ("s3:PutObject", data("AWS::S3::Object", false)),
            ("s3:DeleteObject", data("AWS::S3::Object", false)),
            ("s3:GetObjectTagging", data("AWS::S3::Object", true)),
            ("s3:ListBucket", data("AWS::S3::Object", true)),
            ("s3:ListBucketVersions", data("AWS::S3::Object", true)),
            ("s3:AbortMultipartUpload", data("AWS::S3::Object", false)),
            ("s3:GetBucketLocation", management(true)),
            ("s3:PutBucketPolicy", management(false)),
            ("s3:ListAllMyBuckets", management(true)),
            ("dynamodb:GetItem", data("AWS::DynamoDB::Table", true)),
            ("dynamodb:BatchGetItem", data("AWS::DynamoDB::Table", true)),
            ("dynamodb:Query", data("AWS::DynamoDB::Table", true)),
            ("dynamodb:Scan", data("AWS::DynamoDB::Table", true)),
            ("dynamodb:PutItem", data("AWS::DynamoDB::Table", false)),
            (
                "dynamodb:BatchWriteItem",
                data("AWS::DynamoDB::Table", false),
            ),
            ("dynamodb:GetRecords", data("AWS::DynamoDB::Stream", true)),
            ("dynamodb:DescribeTable", management(true)),
            ("dynamodb:CreateTable", management(false)),
            (
                "lambda:InvokeFunction",
                data("AWS::Lambda::Function", false),
            ),
            ("lambda:GetFunction", management(true)),
            ("sqs:SendMessage", data("AWS::SQS::Queue", false)),
            ("sqs:ReceiveMessage", data("AWS::SQS::Queue", false)),
            ("sqs:DeleteMessage", data("AWS::SQS::Queue", false)),
            (
                "sqs:ChangeMessageVisibility",
                data("AWS::SQS::Queue", false),
            ),
            ("sqs:GetQueueUrl", management(true)),
            ("sns:Publish", data("AWS::SNS::Topic", false)),
            ("kinesis:PutRecords", data("AWS::Kinesis::Stream", false)),
            ("kinesis:GetRecords", data("AWS::Kinesis::Stream", true)),
            ("secretsmanager:GetSecretValue", management(true)),
            ("ssm:GetParameters", management(true)),
            ("ssm:GetParameter", management(true)),
            ("kms:Decrypt", management(true)),
            ("kms:GenerateDataKey", management(true)),
            ("kms:CreateGrant", management(false)),
            ("logs:CreateLogStream", management(false)),
            ("logs:DescribeLogStreams", management(true)),
            ("ecr:GetAuthorizationToken", management(true)),
            ("ecr:BatchGetImage", management(true)),
            ("ecr:GetDownloadUrlForLayer", management(true)),
            ("sts:AssumeRole", management(true)),
            ("xray:PutTraceSegments", data("AWS::XRay::Trace", false)),
            ("xray:GetSamplingTargets", data("AWS::XRay::Trace", true)),
            (
                "ssmmessages:OpenControlChannel",
                data("AWS::SSMMessages::ControlChannel", false),
            ),
            ("events:PutEvents", data("AWS::Events::EventBus", false)),
            // Unknown to every table: a management event, side by name.
            ("ecs:DescribeTasks", management(true)),
            ("ecs:RunTask", management(false)),
            ("nosuchservice:GetThing", management(true)),
            // IAM's names compare without regard to case.
            ("S3:getobject", data("AWS::S3::Object", true)),
        ] {
            assert_eq!(class(action), expected, "{action}");
        }
        for action in [
            "iam:PassRole",
            "logs:PutLogEvents",
            "firehose:PutRecord",
            "firehose:PutRecordBatch",
            "ssmmessages:CreateDataChannel",
            "ssmmessages:OpenDataChannel",
            "elasticfilesystem:ClientMount",
            "elasticfilesystem:ClientWrite",
            "elasticfilesystem:ClientRootAccess",
            "xray:GetSamplingRules",
            "ses:SendEmail",
            "iam:passrole",
        ] {
            assert!(matches!(class(action), Class::Never { .. }), "{action}");
        }
    }

    #[test]
    fn the_read_side_is_read_from_the_name() {
        assert!(is_read_only("ecs", "Get"));
        assert!(is_read_only("ecs", "ListTasks"));
        assert!(!is_read_only("ecs", "Getaway"));
        assert!(!is_read_only("ecs", "Listen"));
        assert!(!is_read_only("kms", "CreateKey"));
        assert!(is_read_only("kms", "Decrypt"));
        assert!(!is_read_only("lambda", "Decrypt"));
    }

    #[test]
    fn a_basic_selector_of_all_buckets_and_functions() {
        let s = fixture("basic.json");
        assert_eq!(
            s.logs(
                "s3:PutObject",
                &class("s3:PutObject"),
                Some("arn:aws:s3:::any-bucket/key")
            ),
            Logged::Yes
        );
        assert_eq!(
            s.logs("s3:GetObject", &class("s3:GetObject"), None),
            Logged::Yes
        );
        assert_eq!(
            s.logs(
                "lambda:InvokeFunction",
                &class("lambda:InvokeFunction"),
                None
            ),
            Logged::Yes
        );
        assert_eq!(
            s.logs("kms:Decrypt", &class("kms:Decrypt"), None),
            Logged::Yes
        );
        assert_eq!(
            s.logs("dynamodb:GetItem", &class("dynamodb:GetItem"), None),
            Logged::No {
                why: "no event selector of the trail logs read-only data events of `AWS::DynamoDB::Table`".to_owned()
            }
        );
        assert_eq!(
            s.logs("iam:PassRole", &class("iam:PassRole"), None),
            Logged::No {
                why: match class("iam:PassRole") {
                    Class::Never { why } => why.to_owned(),
                    other => panic!("{other:?}"),
                }
            }
        );
    }

    #[test]
    fn a_write_only_selector_with_prefixes_and_kms_excluded() {
        let s = fixture("basic-write-only.json");
        let put = class("s3:PutObject");
        assert_eq!(
            s.logs(
                "s3:PutObject",
                &put,
                Some("arn:aws:s3:::amzn-s3-demo-bucket/a/b")
            ),
            Logged::Yes
        );
        assert_eq!(
            s.logs(
                "s3:PutObject",
                &put,
                Some("arn:aws:s3:::amzn-s3-demo-bucket/*")
            ),
            Logged::Yes
        );
        assert_eq!(
            s.logs("s3:PutObject", &put, Some("arn:aws:s3:::other-bucket/a")),
            Logged::No {
                why: "no event selector of the trail logs write data events of `AWS::S3::Object` on `arn:aws:s3:::other-bucket/a`".to_owned()
            }
        );
        assert_eq!(
            s.logs("s3:PutObject", &put, Some("arn:aws:s3:::amzn-s3-demo-bucket2/*")),
            Logged::Partly {
                why: "the trail logs these calls `EventSelectors[0]` only where `resources.ARN` StartsWith `arn:aws:s3:::amzn-s3-demo-bucket2/logs/`".to_owned()
            }
        );
        assert!(matches!(
            s.logs("s3:PutObject", &put, None),
            Logged::Partly { .. }
        ));
        assert!(matches!(
            s.logs(
                "s3:GetObject",
                &class("s3:GetObject"),
                Some("arn:aws:s3:::amzn-s3-demo-bucket/a")
            ),
            Logged::No { .. }
        ));
        let table = "arn:aws:dynamodb:us-east-2:123456789012:table/orders";
        assert_eq!(
            s.logs("dynamodb:PutItem", &class("dynamodb:PutItem"), Some(table)),
            Logged::Yes
        );
        assert!(matches!(
            s.logs(
                "dynamodb:PutItem",
                &class("dynamodb:PutItem"),
                Some("arn:aws:dynamodb:us-east-2:123456789012:table/orders-archive")
            ),
            Logged::No { .. }
        ));
        assert_eq!(
            s.logs("ssm:PutParameter", &class("ssm:PutParameter"), None),
            Logged::Yes
        );
        assert!(matches!(
            s.logs("ssm:GetParameters", &class("ssm:GetParameters"), None),
            Logged::No { .. }
        ));
        assert_eq!(
            s.logs("kms:CreateGrant", &class("kms:CreateGrant"), None),
            Logged::No {
                why: "no event selector of the trail logs write management events from `kms.amazonaws.com`".to_owned()
            }
        );
    }

    #[test]
    fn advanced_selectors_by_side_prefix_and_event_name() {
        let s = fixture("advanced.json");
        assert_eq!(
            s.logs(
                "secretsmanager:GetSecretValue",
                &class("secretsmanager:GetSecretValue"),
                None
            ),
            Logged::Yes
        );
        let bucket = "arn:aws:s3:::amzn-s3-demo-bucket";
        assert_eq!(
            s.logs(
                "s3:DeleteObject",
                &class("s3:DeleteObject"),
                Some(&format!("{bucket}/k"))
            ),
            Logged::Yes
        );
        assert!(matches!(
            s.logs(
                "s3:GetObject",
                &class("s3:GetObject"),
                Some(&format!("{bucket}/k"))
            ),
            Logged::No { .. }
        ));
        // A bucket's writes are selected with its objects.
        assert_eq!(
            s.logs(
                "s3:AbortMultipartUpload",
                &class("s3:AbortMultipartUpload"),
                Some("arn:aws:s3:::amzn-s3-demo-bucket/*")
            ),
            Logged::Yes
        );
        assert!(matches!(
            s.logs("s3:PutObject", &class("s3:PutObject"), Some("*")),
            Logged::Partly { .. }
        ));
        // `SendMessage` is selected, `SendMessageBatch` (also
        // `sqs:SendMessage`) is not.
        assert_eq!(
            s.logs("sqs:SendMessage", &class("sqs:SendMessage"), None),
            Logged::Partly {
                why: "the trail logs these calls `Log SQS sends only` only where `eventName` Equals `SendMessage`".to_owned()
            }
        );
        assert!(matches!(
            s.logs("sqs:DeleteMessage", &class("sqs:DeleteMessage"), None),
            Logged::No { .. }
        ));
    }

    #[test]
    fn field_selectors_without_an_arn_and_negated() {
        let text = r#"{"AdvancedEventSelectors": [
            {"FieldSelectors": [
                {"Field": "eventCategory", "Equals": ["Data"]},
                {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
                {"Field": "resources.ARN", "NotStartsWith": ["arn:aws:s3:::noisy/"]}
            ]},
            {"FieldSelectors": [
                {"Field": "eventCategory", "Equals": ["Management"]},
                {"Field": "eventSource", "NotEquals": ["kms.amazonaws.com"]},
                {"Field": "readOnly", "Equals": ["false"]}
            ]}
        ]}"#;
        let s = selectors(Path::new("s.json"), text).unwrap();
        let get = class("s3:GetObject");
        assert_eq!(
            s.logs("s3:GetObject", &get, Some("arn:aws:s3:::b/k")),
            Logged::Yes
        );
        assert!(matches!(
            s.logs("s3:GetObject", &get, Some("arn:aws:s3:::noisy/k")),
            Logged::No { .. }
        ));
        assert_eq!(
            s.logs("s3:GetObject", &get, None),
            Logged::Partly {
                why: "the trail logs these calls `AdvancedEventSelectors[0]` only where `resources.ARN` NotStartsWith `arn:aws:s3:::noisy/`".to_owned()
            }
        );
        assert_eq!(
            s.logs("logs:CreateLogStream", &class("logs:CreateLogStream"), None),
            Logged::Yes
        );
        assert!(matches!(
            s.logs("kms:CreateGrant", &class("kms:CreateGrant"), None),
            Logged::No { .. }
        ));
        assert!(matches!(
            s.logs(
                "logs:DescribeLogGroups",
                &class("logs:DescribeLogGroups"),
                None
            ),
            Logged::No { .. }
        ));
    }

    #[test]
    fn every_problem_of_a_file_at_once_in_line_order() {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cloudtrail/selectors/invalid.json");
        let e = read(&path).unwrap_err();
        let p = crate::escape::path(&path);
        assert_eq!(
            e.to_string(),
            [
                format!("{p}:8:28: unknown value `resource.type` for `AdvancedEventSelectors[0].FieldSelectors[1].Field`; did you mean `resources.type`?"),
                format!("{p}:9:54: `AdvancedEventSelectors[0].FieldSelectors[2].StartsWith`: `readOnly` takes only `Equals`, and CloudTrail refuses `StartsWith` for it; write the values under `Equals`"),
                format!("{p}:9:55: unknown value `t` for `AdvancedEventSelectors[0].FieldSelectors[2].StartsWith[0]`; expected one of `false`, `true`"),
                format!("{p}:14:13: unknown field `Selectors` in `AdvancedEventSelectors[1]`; expected one of `FieldSelectors`, `Name`"),
                format!("{p}:16:56: unknown value `Managment` for `AdvancedEventSelectors[1].FieldSelectors[0].Equals[0]`; did you mean `Management`?"),
                format!("{p}:17:17: `AdvancedEventSelectors[1].FieldSelectors[1]`: the field selector gives no condition; add one of `Equals`, `StartsWith`, `EndsWith`, `NotEquals`, `NotStartsWith` or `NotEndsWith`"),
            ]
            .join("\n")
        );
    }

    #[test]
    fn shapes_other_than_get_event_selectors_are_refused() {
        let check = |text: &str, expected: &str| {
            let e = selectors(Path::new("t.json"), text).unwrap_err();
            assert_eq!(e.to_string(), expected, "{text}");
        };
        check(
            "{\"Trails\": []}",
            "t.json:1:1: this file holds neither `EventSelectors` nor `AdvancedEventSelectors`: give what `aws cloudtrail get-event-selectors --trail-name <trail>` prints\nt.json:1:2: unknown field `Trails` at the top level; did you mean `TrailARN`?",
        );
        check(
            "{\"EventSelectors\": [{\"ReadWriteType\": \"Read\", \"IncludeManagementEvents\": \"yes\"}]}",
            "t.json:1:39: unknown value `Read` for `EventSelectors[0].ReadWriteType`; expected one of `All`, `ReadOnly`, `WriteOnly`\nt.json:1:74: `EventSelectors[0].IncludeManagementEvents`: expected `true` or `false`, as `aws cloudtrail get-event-selectors` prints it",
        );
        check(
            "{\"EventSelectors\": [{\"DataResources\": [{\"Type\": \"AWS::SQS::Queue\", \"Values\": [\"arn:aws:sqs\"]}]}]}",
            "t.json:1:49: unknown value `AWS::SQS::Queue` for `EventSelectors[0].DataResources[0].Type`; expected one of `AWS::DynamoDB::Table`, `AWS::Lambda::Function`, `AWS::S3::Object`",
        );
        check(
            "{\"AdvancedEventSelectors\": [{\"FieldSelectors\": [{\"Field\": \"eventCategory\", \"Equals\": [\"Data\"]}]}]}",
            "t.json:1:29: `AdvancedEventSelectors[0]`: a data event selector needs a `resources.type` field selector with `Equals`, which CloudTrail requires; add `{\"Field\": \"resources.type\", \"Equals\": [\"AWS::S3::Object\"]}` with the resource type it logs",
        );
        check(
            "{\"EventSelectors\": [",
            "t.json:1:20: not JSON: EOF while parsing a list",
        );
    }

    #[test]
    #[cfg(unix)]
    fn reading_is_bounded_in_size_and_depth() {
        let e = read(Path::new("/dev/zero")).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "/dev/zero:1:1: the file goes on past {MAX_SELECTORS_BYTES} bytes; a trail's event selectors file may be at most {MAX_SELECTORS_BYTES} bytes"
            )
        );
        let deep = format!("{{\"EventSelectors\": {}", "[".repeat(200));
        let e = selectors(Path::new("d.json"), &deep).unwrap_err();
        assert_eq!(
            e.to_string(),
            "d.json:1:146: the text nests too deep to be a trail's event selectors file (a trail's event selectors file nests about six levels)"
        );
    }

    #[test]
    fn no_data_event_is_shown_for_another_side_or_type() {
        let shown =
            |category: Option<&str>, source: &str, name: &str, read_only: Option<bool>| Shown {
                category: category.map(str::to_owned),
                source: source.to_owned(),
                name: name.to_owned(),
                read_only,
            };
        let files: BTreeSet<Shown> = [
            shown(Some("Data"), "s3.amazonaws.com", "GetObject", Some(true)),
            shown(
                Some("Management"),
                "kms.amazonaws.com",
                "Decrypt",
                Some(true),
            ),
            // Written before CloudTrail had `eventCategory` or `readOnly`.
            shown(None, "logs.amazonaws.com", "CreateLogStream", None),
            shown(None, "sqs.amazonaws.com", "ReceiveMessage", None),
        ]
        .into();
        assert_eq!(shown_logs(&files, &class("s3:GetObject")), Logged::Yes);
        assert_eq!(
            shown_logs(&files, &class("s3:PutObject")),
            Logged::No {
                why: "the files show no write data event of `AWS::S3::Object`, so the trail may not log them (data events are off unless its event selectors select them)".to_owned()
            }
        );
        assert!(matches!(
            shown_logs(&files, &class("dynamodb:GetItem")),
            Logged::No { .. }
        ));
        assert_eq!(shown_logs(&files, &class("ssm:GetParameters")), Logged::Yes);
        assert_eq!(shown_logs(&files, &class("ssm:PutParameter")), Logged::Yes);
        assert_eq!(shown_logs(&files, &class("sqs:DeleteMessage")), Logged::Yes);
        assert!(matches!(
            shown_logs(&files, &class("sns:Publish")),
            Logged::No { .. }
        ));
        assert!(matches!(
            shown_logs(&files, &class("iam:PassRole")),
            Logged::No { .. }
        ));
        let reads_only: BTreeSet<Shown> = [shown(
            Some("Management"),
            "kms.amazonaws.com",
            "Decrypt",
            Some(true),
        )]
        .into();
        assert_eq!(
            shown_logs(&reads_only, &class("ecs:RunTask")),
            Logged::No {
                why: "the files show no write management event, so the trail may not log them"
                    .to_owned()
            }
        );
    }
}
