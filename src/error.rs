//! The one error type of ecs-iam. Variants carry data; `Display` writes the
//! single line a user sees, naming the place and what would be right.

use std::fmt;
use std::io;
use std::path::PathBuf;

use crate::model::MAX_ACKNOWLEDGEMENT;

/// Exit code: success, and for `diff`, in sync.
pub const EXIT_OK: i32 = 0;
/// Exit code: `diff` found a difference.
pub const EXIT_DIFFERS: i32 = 1;
/// Exit code: ecs-iam could not do what was asked (bad input, I/O, templates).
pub const EXIT_ERROR: i32 = 2;

/// A position in a spec file; line and column count from 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// Everything that can stop ecs-iam.
#[derive(Debug)]
pub enum Error {
    /// A file could not be read.
    Read { path: PathBuf, source: io::Error },
    /// The YAML or JSON parser rejected the spec (syntax or a wrong type).
    Syntax { at: Location, message: String },
    /// A key the spec format does not have.
    UnknownField {
        at: Location,
        field: String,
        parent: String,
        suggestion: Option<String>,
        expected: Vec<String>,
    },
    /// A value outside a closed set (an access level, an effect, ...).
    UnknownVariant {
        at: Location,
        value: String,
        field: String,
        suggestion: Option<String>,
        expected: Vec<String>,
    },
    /// A required key is absent.
    MissingField { at: Location, field: String },
    /// A value that parses but that AWS or ecs-iam would reject.
    Invalid {
        at: Location,
        field: String,
        problem: Problem,
    },
    /// Two specs given to one `render` share a `name`, so one output folder.
    DuplicateName {
        name: String,
        first: PathBuf,
        second: PathBuf,
    },
    /// A template failed to parse or render.
    Template { name: String, message: String },
    /// Writing the output failed; the previous output is left as it was.
    Write { path: PathBuf, source: io::Error },
    /// The output folder holds a file ecs-iam does not write; replacing the
    /// folder would lose it.
    ForeignFile { dir: PathBuf, file: PathBuf },
    /// `init --preset` named a preset that does not exist.
    UnknownPreset {
        name: String,
        suggestion: Option<String>,
        expected: Vec<String>,
    },
    /// `init` would overwrite an existing file.
    WouldOverwrite { path: PathBuf },
    /// A path given on the command line does not exist or is not usable.
    BadPath { path: PathBuf, problem: String },
}

/// What is wrong with a value that parsed; each renders as "what; fix".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    UnsupportedVersion {
        found: u64,
    },
    BadSpecName {
        value: String,
    },
    RoleNameTooLong {
        name: String,
        length: usize,
    },
    RoleNameCharacter {
        name: String,
        character: char,
    },
    BadPath {
        value: String,
    },
    SessionDuration {
        value: u64,
    },
    AccountId {
        value: String,
    },
    UnknownPartition {
        value: String,
        suggestion: Option<String>,
    },
    Region {
        value: String,
    },
    RegionPartition {
        region: String,
        partition: String,
    },
    BadArn {
        value: String,
        expected: &'static str,
    },
    WrongService {
        value: String,
        found: String,
        expected: &'static str,
    },
    WrongResourceType {
        value: String,
        expected: &'static str,
    },
    HardCodedPartition {
        value: String,
        partition: String,
    },
    PartitionMismatch {
        value: String,
        found: String,
        pinned: String,
    },
    UnknownPlaceholder {
        value: String,
        placeholder: String,
    },
    KmsAlias {
        value: String,
    },
    KmsKeyId {
        value: String,
    },
    Name {
        kind: &'static str,
        value: String,
        allowed: &'static str,
    },
    UnknownManagedPolicy {
        value: String,
    },
    BucketArn {
        value: String,
    },
    BucketName {
        value: String,
    },
    UnknownService {
        value: String,
        suggestion: Option<String>,
    },
    MissingEcsTasks,
    DuplicateSid {
        sid: String,
    },
    BadSid {
        sid: String,
    },
    EmptyList {
        what: &'static str,
    },
    BadAction {
        action: String,
    },
    BadResource {
        value: String,
    },
    BadConditionOperator {
        operator: String,
        suggestion: Option<String>,
    },
    BadConditionKey {
        key: String,
    },
    TooManyTags {
        count: usize,
    },
    TagKeyLength {
        key: String,
    },
    TagValueLength {
        key: String,
        length: usize,
    },
    TagReserved {
        key: String,
    },
    TagCharacter {
        text: String,
        character: char,
    },
    DescriptionLength {
        length: usize,
    },
    DescriptionCharacter {
        character: char,
    },
    Duplicate {
        value: String,
    },
    PolicyTooLarge {
        role: &'static str,
        size: usize,
    },
    SameRoleName {
        name: String,
    },
    NothingToDecrypt,
    BadAcknowledgement {
        reason: String,
    },
    NothingToAcknowledge {
        deny: bool,
    },
    AcknowledgedStarAction,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Read { path, source } => {
                write!(f, "cannot read `{}`: {source}", path.display())
            }
            Error::Syntax { at, message } => write!(f, "{at}: {message}"),
            Error::UnknownField {
                at,
                field,
                parent,
                suggestion,
                expected,
            } => {
                let place = if parent.is_empty() {
                    "at the top level".to_owned()
                } else {
                    format!("in `{parent}`")
                };
                write!(f, "{at}: unknown field `{field}` {place}; ")?;
                match suggestion {
                    Some(s) => write!(f, "did you mean `{s}`?"),
                    None => write!(f, "expected one of {}", backticked(expected)),
                }
            }
            Error::UnknownVariant {
                at,
                value,
                field,
                suggestion,
                expected,
            } => {
                write!(f, "{at}: unknown value `{value}` for `{field}`; ")?;
                match suggestion {
                    Some(s) => write!(f, "did you mean `{s}`?"),
                    None => write!(f, "expected one of {}", backticked(expected)),
                }
            }
            Error::MissingField { at, field } => {
                write!(f, "{at}: missing field `{field}`; add it")
            }
            Error::Invalid { at, field, problem } => write!(f, "{at}: `{field}`: {problem}"),
            Error::DuplicateName {
                name,
                first,
                second,
            } => write!(
                f,
                "`{}` and `{}` both have name `{name}` and would write the same output folder; give each spec its own `name`",
                first.display(),
                second.display()
            ),
            Error::Template { name, message } => write!(f, "template `{name}`: {message}"),
            Error::Write { path, source } => write!(
                f,
                "cannot write `{}`: {source}; the previous output was left unchanged",
                path.display()
            ),
            Error::ForeignFile { dir, file } => write!(
                f,
                "`{}` holds `{}`, which ecs-iam does not generate; move it elsewhere or choose another --out",
                dir.display(),
                file.display()
            ),
            Error::UnknownPreset {
                name,
                suggestion,
                expected,
            } => {
                write!(f, "unknown preset `{name}`; ")?;
                match suggestion {
                    Some(s) => write!(f, "did you mean `{s}`?"),
                    None => write!(f, "expected one of {}", backticked(expected)),
                }
            }
            Error::WouldOverwrite { path } => write!(
                f,
                "`{}` already exists; remove it or pass --output with another path",
                path.display()
            ),
            Error::BadPath { path, problem } => write!(f, "`{}`: {problem}", path.display()),
        }
    }
}

impl std::error::Error for Error {}

impl fmt::Display for Problem {
    #[allow(clippy::too_many_lines)]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::UnsupportedVersion { found } => write!(
                f,
                "spec version {found} is not supported; this ecs-iam reads `version: 1`"
            ),
            Problem::BadSpecName { value } => write!(
                f,
                "`{value}` is not a valid name; use letters, digits, `-` and `_` (it names the output folder and prefixes the role names)"
            ),
            Problem::RoleNameTooLong { name, length } => write!(
                f,
                "role name `{name}` is {length} characters; IAM allows at most 64, so shorten it"
            ),
            Problem::RoleNameCharacter { name, character } => write!(
                f,
                "role name `{name}` contains `{}`; IAM role names use letters, digits and `+=,.@_-`",
                character.escape_default()
            ),
            Problem::BadPath { value } => write!(
                f,
                "path `{}` is not an IAM path; write `/` or `/segment/.../` (printable ASCII, at most 512 characters)",
                value.escape_default()
            ),
            Problem::SessionDuration { value } => write!(
                f,
                "{value} seconds is outside IAM's range; use a value from 3600 to 43200"
            ),
            Problem::AccountId { value } => write!(
                f,
                "`{}` is not an AWS account id; write its 12 digits as a quoted string, e.g. \"123456789012\"",
                value.escape_default()
            ),
            Problem::UnknownPartition { value, suggestion } => {
                write!(f, "unknown partition `{value}`; ")?;
                match suggestion {
                    Some(s) => write!(f, "did you mean `{s}`?"),
                    None => write!(f, "expected one of `aws`, `aws-cn`, `aws-us-gov`"),
                }
            }
            Problem::Region { value } => write!(
                f,
                "`{}` is not an AWS region name; write one such as `eu-west-1`",
                value.escape_default()
            ),
            Problem::RegionPartition { region, partition } => write!(
                f,
                "region `{region}` is not in partition `{partition}`; fix `deployment.partition` or `deployment.region`"
            ),
            Problem::BadArn { value, expected } => write!(
                f,
                "`{}` is not a valid ARN; expected {expected}",
                value.escape_default()
            ),
            Problem::WrongService {
                value,
                found,
                expected,
            } => write!(
                f,
                "`{value}` is an ARN of service `{found}`; expected {expected}"
            ),
            Problem::WrongResourceType { value, expected } => {
                write!(
                    f,
                    "`{value}` is the wrong kind of resource; expected {expected}"
                )
            }
            Problem::HardCodedPartition { value, partition } => write!(
                f,
                "`{value}` hard-codes partition `{partition}` while `deployment.partition` is not set; write `arn:<partition>:...` or set `deployment.partition: {partition}`"
            ),
            Problem::PartitionMismatch {
                value,
                found,
                pinned,
            } => write!(
                f,
                "`{value}` is in partition `{found}` but `deployment.partition` is `{pinned}`; write `arn:<partition>:...`"
            ),
            Problem::UnknownPlaceholder { value, placeholder } => write!(
                f,
                "`{value}` holds the placeholder `{placeholder}`; the placeholders are `<partition>`, `<region>` and `<account_id>`, anything else must be written out"
            ),
            Problem::KmsAlias { value } => write!(
                f,
                "`{value}` is a KMS alias; IAM policies cannot grant by alias, give the key id or key ARN"
            ),
            Problem::KmsKeyId { value } => write!(
                f,
                "`{}` is not a KMS key id or key ARN; write a key id such as `1234abcd-12ab-34cd-56ef-1234567890ab` or `arn:<partition>:kms:<region>:<account_id>:key/<key-id>`",
                value.escape_default()
            ),
            Problem::Name {
                kind,
                value,
                allowed,
            } => write!(
                f,
                "`{}` is not a valid {kind}; {allowed}",
                value.escape_default()
            ),
            Problem::UnknownManagedPolicy { value } => write!(
                f,
                "`{value}` is not an AWS managed policy ecs-iam knows; give the policy's full ARN (`arn:<partition>:iam::aws:policy/...`)"
            ),
            Problem::BucketArn { value } => write!(
                f,
                "`{value}` is an ARN; write the bucket name only (ecs-iam builds the bucket and object ARNs)"
            ),
            Problem::BucketName { value } => write!(
                f,
                "`{}` is not an S3 bucket name; use 3 to 63 lowercase letters, digits, `.` and `-`",
                value.escape_default()
            ),
            Problem::UnknownService { value, suggestion } => {
                write!(
                    f,
                    "`{}` cannot assume an ECS role; ",
                    value.escape_default()
                )?;
                match suggestion {
                    Some(s) => write!(f, "did you mean `{s}`?"),
                    None => write!(
                        f,
                        "use `ecs-tasks.amazonaws.com` and, for the EC2 launch type, `ec2.amazonaws.com`"
                    ),
                }
            }
            Problem::MissingEcsTasks => write!(
                f,
                "the trusted services must include `ecs-tasks.amazonaws.com`, or ECS cannot assume the role"
            ),
            Problem::DuplicateSid { sid } => write!(
                f,
                "Sid `{sid}` is used twice in this role's policy; Sids must be unique, rename one"
            ),
            Problem::BadSid { sid } => write!(
                f,
                "Sid `{}` must be letters and digits only, e.g. `{}`",
                sid.escape_default(),
                sid.chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect::<String>()
            ),
            Problem::EmptyList { what } => write!(f, "{what} is empty; list at least one"),
            Problem::BadAction { action } => write!(
                f,
                "`{}` is not an IAM action; write `service:Action`, e.g. `s3:GetObject` (wildcards `*` and `?` allowed in the action part)",
                action.escape_default()
            ),
            Problem::BadResource { value } => write!(
                f,
                "`{}` is not a resource; write an ARN (`arn:<partition>:service:region:account:resource`) or `*`",
                value.escape_default()
            ),
            Problem::BadConditionOperator {
                operator,
                suggestion,
            } => {
                write!(f, "`{operator}` is not an IAM condition operator; ")?;
                match suggestion {
                    Some(s) => write!(f, "did you mean `{s}`?"),
                    None => write!(
                        f,
                        "use one such as `StringEquals`, `StringLike`, `ArnLike`, `Bool`"
                    ),
                }
            }
            Problem::BadConditionKey { key } => write!(
                f,
                "`{}` is not a condition key; write `prefix:Name`, e.g. `aws:SourceVpce`",
                key.escape_default()
            ),
            Problem::TooManyTags { count } => write!(
                f,
                "{count} tags; IAM allows at most 50 per role, remove some"
            ),
            Problem::TagKeyLength { key } => {
                write!(f, "tag key `{key}` must be 1 to 128 characters; shorten it")
            }
            Problem::TagValueLength { key, length } => write!(
                f,
                "tag `{key}` has a value of {length} characters; IAM allows at most 256, shorten it"
            ),
            Problem::TagReserved { key } => write!(
                f,
                "tag key `{key}` starts with `aws:`, which AWS reserves; choose another key"
            ),
            Problem::TagCharacter { text, character } => write!(
                f,
                "`{}` contains `{}` (U+{:04X}); IAM tags allow letters, digits, spaces and `_.:/=+-@`",
                text.escape_default(),
                character.escape_default(),
                u32::from(*character)
            ),
            Problem::DescriptionLength { length } => write!(
                f,
                "description is {length} characters; IAM allows at most 1000, shorten it"
            ),
            Problem::DescriptionCharacter { character } => write!(
                f,
                "description contains `{}` (U+{:04X}), which IAM rejects; use printable ASCII or Latin-1 (e.g. `-` for a dash)",
                character.escape_default(),
                u32::from(*character)
            ),
            Problem::Duplicate { value } => {
                write!(f, "`{value}` is listed twice; remove one")
            }
            Problem::BadAcknowledgement { reason } => write!(
                f,
                "`{}` is not a reason scanners can carry; write 1 to {MAX_ACKNOWLEDGEMENT} printable ASCII characters (letters, digits, spaces, punctuation), not only spaces",
                reason.escape_default()
            ),
            Problem::NothingToAcknowledge { deny: true } => write!(
                f,
                "a `Deny` statement raises no wildcard finding; remove `acknowledge`"
            ),
            Problem::NothingToAcknowledge { deny: false } => write!(
                f,
                "the statement has no `*` in its actions or resources, so no finding to acknowledge; remove `acknowledge`"
            ),
            Problem::AcknowledgedStarAction => write!(
                f,
                "a statement allowing every action (`*`) cannot be acknowledged; list the actions the workload calls"
            ),
            Problem::NothingToDecrypt => write!(
                f,
                "the execution role decrypts only secrets and SSM parameters it injects, and lists neither; add `secrets` or `ssm_parameters`, or remove the keys"
            ),
            Problem::SameRoleName { name } => write!(
                f,
                "both roles are named `{name}`; give the task role and the execution role different names"
            ),
            Problem::PolicyTooLarge { role, size } => write!(
                f,
                "the {role}'s inline policy would be {size} characters (whitespace not counted, at the longest partition and region names); IAM allows 10,240, so grant fewer resources or split the workload"
            ),
        }
    }
}

fn backticked(items: &[String]) -> String {
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The closest candidate to `word` by edit distance, if close enough to be a
/// plausible typo.
#[must_use]
pub fn suggest<'a, I>(word: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let limit = (word.chars().count() / 3).max(1) + 1;
    candidates
        .into_iter()
        .map(|c| (edit_distance(&word.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c.to_owned())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let fields = ["secrets", "s3", "kms_keys", "statements"];
        assert_eq!(suggest("secret", fields), Some("secrets".to_owned()));
        assert_eq!(suggest("statement", fields), Some("statements".to_owned()));
        assert_eq!(suggest("zzzzzz", fields), None);
    }
}
