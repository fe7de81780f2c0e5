//! The one error type of ecs-iam. Variants carry data; `Display` writes the
//! single line a user sees, naming the place and what would be right.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// A path as ecs-iam shows it, in messages, reports and JSON alike: with
/// `/` between its parts on every platform, as a user would also type it
/// on Windows, whose file APIs take `/`. On Windows `\` is a
/// separator and becomes `/`, and the `\\?\` prefix `canonicalize` puts
/// before a drive letter is dropped (`\\?\C:\w` is `C:/w`); on Unix `\` is
/// a legal character of a file name and stays.
#[must_use]
pub fn path_text(path: &std::path::Path) -> String {
    slashed(&path.to_string_lossy(), std::path::MAIN_SEPARATOR)
}

/// `path` with each `separator` written as `/`: the platform's separator
/// is a parameter so that the tests run Windows' case on every platform.
pub(crate) fn slashed(path: &str, separator: char) -> String {
    if separator == '/' {
        return path.to_owned();
    }
    let verbatim = format!("{separator}{separator}?{separator}");
    let path = match path.strip_prefix(&verbatim) {
        Some(rest)
            if rest.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
                && rest[1..].starts_with(':') =>
        {
            rest
        }
        _ => path,
    };
    path.replace(separator, "/")
}

/// Exit code: success, and for `diff`, in sync.
pub const EXIT_OK: i32 = 0;
/// Exit code: `diff` found a difference.
pub const EXIT_DIFFERS: i32 = 1;
/// Exit code: ecs-iam could not do what was asked (bad input, I/O, templates).
pub const EXIT_ERROR: i32 = 2;
/// Exit code: stdout's reader went away before the output was written
/// (`ecs-iam … | head`). Quiet, as a process killed by SIGPIPE is, and the
/// status a shell reports for one (128 + 13), so that a lost report never
/// reads as a pass under `set -o pipefail`.
pub const EXIT_BROKEN_PIPE: i32 = 141;

/// A position in a spec file; line and column count from 1.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    #[serde(serialize_with = "shown_path")]
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

fn shown_path<S: serde::Serializer>(path: &std::path::Path, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&path_text(path))
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", path_text(&self.file), self.line, self.column)
    }
}

/// What a file ecs-iam reads is, named in messages about its size or shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Spec,
    TaskDefinition,
    /// `drift --deployed` and `init --from-role` input: an account's
    /// authorization details, a CloudFormation template, or Terraform's
    /// plan or state.
    Dump,
    Guardrails,
    /// A `--templates` override.
    Template,
    /// A file of a rendered output folder, read back by `diff`.
    Generated,
    /// A file of CloudTrail records.
    CloudTrail,
    /// `usage --evidence` input: IAM's last-accessed report or an Access
    /// Analyzer finding, as the AWS CLI prints them.
    LastAccessed,
    /// What `aws cloudtrail get-event-selectors` prints for a trail.
    EventSelectors,
    /// The result of the Athena query `usage` prints: Athena's CSV or
    /// `aws athena get-query-results` JSON.
    AthenaResult,
}

impl FileKind {
    /// How deep a real file of this kind nests, in words.
    #[must_use]
    pub fn typical_depth(self) -> &'static str {
        match self {
            FileKind::Spec
            | FileKind::Guardrails
            | FileKind::LastAccessed
            | FileKind::EventSelectors
            | FileKind::AthenaResult => "six",
            FileKind::TaskDefinition | FileKind::Template | FileKind::Generated => "ten",
            FileKind::Dump | FileKind::CloudTrail => "twelve",
        }
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileKind::Spec => "spec",
            FileKind::TaskDefinition => "task definition",
            FileKind::Dump => "dump",
            FileKind::Guardrails => "guardrails file",
            FileKind::Template => "template",
            FileKind::Generated => "generated file",
            FileKind::CloudTrail => "CloudTrail file",
            FileKind::LastAccessed => "file of last-accessed evidence",
            FileKind::EventSelectors => "trail's event selectors file",
            FileKind::AthenaResult => "Athena result",
        })
    }
}

/// Someone a deployed role's trust lets assume it, and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trusted {
    /// As the trust policy writes it.
    pub principal: String,
    pub kind: PrincipalKind,
    /// The account an ARN principal belongs to, when it is not the role's
    /// own.
    pub other_account: Option<String>,
}

/// What a trust policy's principal is, read from its shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalKind {
    /// `*`.
    Anyone,
    /// `<name>.amazonaws.com`.
    Service,
    /// `arn:...:iam::<account>:root` or a bare account id.
    Account,
    User,
    Role,
    /// `arn:...:sts::<account>:assumed-role/...`: one session of a role,
    /// often a person signed in through single sign-on.
    RoleSession,
    /// A SAML provider: people signing in through single sign-on.
    SamlProvider,
    /// An OIDC provider: web identities.
    OidcProvider,
    Other,
}

impl fmt::Display for Trusted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            // The name says it.
            PrincipalKind::Service => return write!(f, "`{}`", self.principal),
            PrincipalKind::Anyone => "anyone",
            PrincipalKind::Account => "an account",
            PrincipalKind::User => "a user",
            PrincipalKind::Role => "a role",
            PrincipalKind::RoleSession => "a role session",
            PrincipalKind::SamlProvider => "single sign-on through a SAML provider",
            PrincipalKind::OidcProvider => "web identities of an OIDC provider",
            PrincipalKind::Other => "a principal",
        };
        write!(f, "`{}` ({what}", self.principal)?;
        match &self.other_account {
            Some(_) if self.kind == PrincipalKind::Account => {
                f.write_str(" other than the role's)")
            }
            Some(a) => write!(f, " of another account, {a})"),
            None => f.write_str(")"),
        }
    }
}

/// Everything that can stop ecs-iam.
#[derive(Debug)]
pub enum Error {
    /// A file could not be read.
    Read { path: PathBuf, source: io::Error },
    /// The YAML or JSON parser rejected the spec (syntax or a wrong type).
    Syntax { at: Location, message: String },
    /// A file is larger than any file of its kind needs. `bytes` is its
    /// size where it has one (a regular file); a device or a pipe that
    /// goes on past `max` has none.
    TooLarge {
        at: Location,
        kind: FileKind,
        bytes: Option<u64>,
        max: u64,
    },
    /// The spec is not UTF-8; `at` is the first bad byte.
    NotUtf8 { at: Location },
    /// The text nests deeper than a file of its kind does (refused before
    /// the parser).
    TooDeep { at: Location, kind: FileKind },
    /// The YAML's aliases would expand past the budget (`nodes` nodes or
    /// `bytes` bytes of scalars): refused at the alias that crosses it,
    /// before anything is expanded.
    AliasExpansion {
        at: Location,
        kind: FileKind,
        nodes: u64,
        bytes: u64,
    },
    /// A key is given twice in one mapping.
    DuplicateKey { at: Location, path: String },
    /// The YAML file holds more than one document.
    SeveralDocuments { at: Location },
    /// A key the spec format does not have (`name` is the key, `field`
    /// the mapping holding it).
    UnknownField(Box<Unknown>),
    /// A value outside a closed set (an access level, an effect, ...):
    /// `name` is the value, `field` where it stands.
    UnknownVariant(Box<Unknown>),
    /// A required key is absent.
    MissingField { at: Location, field: String },
    /// A value that parses but that AWS or ecs-iam would reject.
    Invalid {
        at: Location,
        field: String,
        problem: Box<Problem>,
    },
    /// The spec `init` writes from an input would be refused. `at` is where
    /// the input holds what the refused value was written from (a role in
    /// its dump or template, a task definition's field), `from` names it,
    /// and `error` is the spec's own message, whose position in the spec
    /// never written is left out.
    Unadoptable {
        at: Location,
        from: String,
        error: Box<Error>,
    },
    /// Two specs given to one `render` share a `name`, so one output folder.
    DuplicateName {
        name: String,
        first: PathBuf,
        second: PathBuf,
    },
    /// A template failed to parse or render: `path` is the user's file for
    /// an override (`None` for a built-in template), `at` Tera's line and
    /// column (1-based) when it gives one.
    Template {
        name: String,
        path: Option<PathBuf>,
        at: Option<(usize, usize)>,
        message: String,
    },
    /// Writing the output failed; the previous output is left as it was.
    Write { path: PathBuf, source: io::Error },
    /// Writing to standard output failed (a full disk, a closed pipe).
    Stdout { source: io::Error },
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
    /// A path that must be a folder is something else.
    NotAFolder { path: PathBuf, what: &'static str },
    /// A folder given as specs holds none.
    NoSpecs { path: PathBuf },
    /// `--templates` holds a `.tera` file that is not one of the templates.
    UnknownTemplate {
        path: PathBuf,
        expected: Vec<String>,
    },
    /// A file `render` made from `spec` does not parse, or does not
    /// declare the model's roles (`what` says how), found before anything
    /// is written. `template` is the user's template that rendered it; for
    /// a built-in template it is a bug of ecs-iam.
    RenderedUnreadable {
        spec: PathBuf,
        file: String,
        template: Option<PathBuf>,
        what: String,
    },
    /// A `cloudformation.yaml` that ecs-iam could not have written.
    NotGenerated { path: PathBuf, message: String },
    /// `init --from-role` without `FILE#ROLE_NAME`.
    RoleReference { reference: String },
    /// `init --from-role` names a role the dump does not hold.
    NoSuchRole {
        file: PathBuf,
        name: String,
        suggestion: Option<String>,
        names: Vec<String>,
    },
    /// `init --from-role` given two task roles or two execution roles.
    AdoptedRoles,
    /// `init --from-role` names a role whose trust does not let ECS tasks
    /// assume it (an EC2 instance role, a CloudFormation or SSO role).
    NotAnEcsRole {
        at: Location,
        name: String,
        trusted: Vec<Trusted>,
    },
    /// A folder given to `diff` holds no generated output: a comparison
    /// with it would compare nothing.
    NoOutput { path: PathBuf },
    /// `diff --old` and `--new` name a workload folder and a folder of
    /// workloads.
    MixedFolders { workload: PathBuf, tree: PathBuf },
    /// `diff --against` names a workload folder where the parent belongs.
    AgainstWorkload { dir: PathBuf, name: String },
    /// A `git` command `diff --base` needs failed.
    Git { command: String, message: String },
    /// `verify` was given no task definition to verify against.
    NothingToVerify { spec: PathBuf },
    /// `init --from-task-definition` would write a spec naming a task
    /// definition outside the spec's tree, which the spec could not read.
    InitOutside {
        spec: PathBuf,
        task_definition: String,
        tree: TreeRoot,
    },
    /// An `--athena-table` value that is not an Athena table name.
    AthenaTable { value: String },
    /// A time bounding the window of evidence (`flag` is `--since` or
    /// `--until`) not written as CloudTrail writes `eventTime`.
    WindowTime { flag: &'static str, value: String },
    /// A window that ends before it starts.
    EmptyWindow { since: String, until: String },
    /// Several problems of one spec, in line order, each reported.
    Several(Vec<Error>),
}

impl Error {
    /// One error for several: `None` for none, the error itself for one.
    #[must_use]
    pub fn several(mut errors: Vec<Error>) -> Option<Error> {
        match errors.len() {
            0 => None,
            1 => errors.pop(),
            _ => Some(Error::Several(errors)),
        }
    }

    /// Where the error points, when it points into a file.
    #[must_use]
    pub fn location(&self) -> Option<&Location> {
        match self {
            Error::Syntax { at, .. }
            | Error::TooLarge { at, .. }
            | Error::NotUtf8 { at }
            | Error::TooDeep { at, .. }
            | Error::AliasExpansion { at, .. }
            | Error::DuplicateKey { at, .. }
            | Error::SeveralDocuments { at }
            | Error::MissingField { at, .. }
            | Error::Invalid { at, .. }
            | Error::Unadoptable { at, .. }
            | Error::NotAnEcsRole { at, .. } => Some(at),
            Error::UnknownField(u) | Error::UnknownVariant(u) => Some(&u.at),
            Error::Several(errors) => errors.first().and_then(Error::location),
            _ => None,
        }
    }

    /// Whether every problem is a value ecs-iam cannot see: a template
    /// placeholder, or a value a CloudFormation template leaves to deploy
    /// time. `verify` reports these as not proven rather than refusing.
    #[must_use]
    pub fn is_placeholder(&self) -> bool {
        match self {
            // A `Ref` of a name the template does not declare is a broken
            // template, not a value left for later.
            Error::Invalid { problem, .. } => {
                matches!(
                    **problem,
                    Problem::Placeholder { .. }
                        | Problem::TemplatePlaceholder { .. }
                        | Problem::TemplateValue { .. }
                        | Problem::WholeValuePlaceholder { .. }
                        | Problem::WholeValueInput { .. }
                        | Problem::ImageInput { .. }
                ) || (problem.is_deploy_time()
                    && !matches!(**problem, Problem::NotInTemplate { .. }))
            }
            Error::Several(errors) => errors.iter().all(Error::is_placeholder),
            _ => false,
        }
    }

    /// The problems this error reports: itself, or each of `Several`.
    #[must_use]
    pub fn each(&self) -> Vec<&Error> {
        match self {
            Error::Several(all) => all.iter().flat_map(Error::each).collect(),
            one => vec![one],
        }
    }
}

/// The folder tree a spec may name files in, as messages name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TreeRoot {
    /// The git work tree holding the spec.
    WorkTree(PathBuf),
    /// The spec's own folder, which is in no git work tree.
    SpecFolder(PathBuf),
    /// The repository at a git revision (`diff --base`).
    Revision(String),
}

impl fmt::Display for TreeRoot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TreeRoot::WorkTree(p) => write!(f, "the git work tree `{}`", path_text(p)),
            TreeRoot::SpecFolder(p) => write!(f, "the spec's folder `{}`", path_text(p)),
            TreeRoot::Revision(rev) => write!(f, "the repository at `{rev}`"),
        }
    }
}

/// A name the spec format does not know, with the closest one it does.
#[derive(Debug)]
pub struct Unknown {
    pub at: Location,
    pub name: String,
    pub field: String,
    pub suggestion: Option<String>,
    pub expected: Vec<String>,
}

/// What is wrong with a value that parsed; each renders as "what; fix".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    UnsupportedVersion {
        found: u64,
    },
    UnsupportedProvider {
        found: u64,
        supported: Vec<u64>,
    },
    BadSpecName {
        value: String,
    },
    RoleNameEmpty,
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
    PartitionMismatch {
        value: String,
        found: String,
        pinned: String,
    },
    UnknownPlaceholder {
        value: String,
        placeholder: String,
    },
    UnknownInput {
        value: String,
        name: String,
        suggestion: Option<String>,
    },
    InputName {
        name: String,
    },
    InputClash {
        name: String,
        with: &'static str,
    },
    InputValue {
        name: String,
    },
    /// A deployed-roles dump ecs-iam cannot read.
    Dump {
        what: String,
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
    /// An action's service prefix is not in AWS's service reference.
    UnknownActionService {
        action: String,
        service: String,
        suggestion: Option<String>,
    },
    /// An action its service does not have.
    UnknownAction {
        action: String,
        suggestion: Option<String>,
    },
    /// An action wildcard that matches no action of its service.
    ActionWildcardMatchesNothing {
        action: String,
    },
    /// An Allow statement's action takes none of the statement's
    /// resources: `types` are the resource types it does take, each with
    /// its ARN format (empty for a wildcard matching several actions).
    ResourceTypeMismatch {
        action: String,
        resources: Vec<String>,
        types: Vec<(String, String)>,
    },
    /// An action without resource-level permissions, given only ARNs.
    ActionTakesOnlyStar {
        action: String,
        resources: Vec<String>,
    },
    BadConditionOperator {
        operator: String,
        suggestion: Option<String>,
    },
    BadConditionKey {
        key: String,
    },
    /// A deploy-time `value` in a spec value the outputs write as a
    /// mapping key (`what`: `condition key`, `condition operator`).
    DeployTimeKey {
        what: &'static str,
        key: String,
        value: String,
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
    /// With `policy_layout: split`: one statement fits neither the inline
    /// policy beside the others nor a managed policy (`limit`).
    StatementTooLarge {
        role: &'static str,
        sid: String,
        size: usize,
        limit: usize,
    },
    SameRoleName {
        name: String,
    },
    /// A field other than `name` on a role the spec does not manage.
    UnmanagedRoleField {
        role: &'static str,
        field: String,
    },
    /// Both roles `managed: false`.
    NoManagedRole,
    NothingToDecrypt,
    /// `guardduty_agent` with no region pinned, or one GuardDuty lists no
    /// agent repository for (`None`: not pinned).
    GuardDutyRegion {
        region: Option<String>,
    },
    /// `deployment.assumed` names a key `deployment` does not pin.
    AssumedOpen {
        key: &'static str,
    },
    BadAcknowledgement {
        reason: String,
        max: usize,
    },
    NothingToAcknowledge {
        deny: bool,
    },
    AcknowledgedStarAction,
    TaskDefinitionUnreadable {
        path: PathBuf,
        message: String,
    },
    /// A spec names a file by absolute path.
    AbsolutePath {
        value: String,
        tree: TreeRoot,
    },
    /// A spec names a file whose `..` climbs above its tree's root.
    PathClimbsOut {
        value: String,
        tree: TreeRoot,
    },
    /// A spec names a file through a symbolic link leading out of its tree.
    LinkLeadsOut {
        value: String,
        tree: TreeRoot,
        link: PathBuf,
        target: PathBuf,
    },
    NotATaskDefinition,
    NoSuchTaskDefinition {
        id: String,
        found: Vec<String>,
    },
    TaskDefinitionCount {
        found: Vec<String>,
    },
    NoContainerDefinitions,
    TaskDefinitionType {
        expected: &'static str,
    },
    Intrinsic {
        function: String,
    },
    /// An `Fn::If` where ecs-iam needs one value.
    Condition,
    /// A CloudFormation function in a file that is not a template.
    NotATemplate {
        function: String,
    },

    /// A `Ref` of a template parameter no value was given for.
    Parameter {
        name: String,
        /// The parameter's `Default`, a hint: deployments often override it.
        default: Option<String>,
    },
    /// A `Ref` or `Fn::GetAtt` of a resource whose name or id CloudFormation
    /// generates: no `property` naming it, or an id (EFS) it always picks.
    GeneratedName {
        resource: String,
        kind: String,
        property: Option<&'static str>,
    },
    /// A `Ref` or `Fn::GetAtt` of a resource type (or attribute) whose value
    /// ecs-iam does not read from the template.
    ResourceValue {
        resource: String,
        kind: String,
        attribute: Option<String>,
    },
    /// A `Ref` of a name the template declares neither as a parameter nor
    /// as a resource.
    NotInTemplate {
        name: String,
    },
    /// A value a Terraform plan knows only after apply.
    AfterApply,
    /// `container_definitions` of a Terraform plan or state that is not
    /// JSON.
    EmbeddedJson {
        message: String,
    },
    /// `FILE#ADDRESS` names no `aws_ecs_task_definition` of the plan.
    NoSuchTerraformTaskDefinition {
        address: String,
        found: Vec<String>,
    },
    /// A plan with several (or no) task definitions and no address.
    TerraformTaskDefinitionCount {
        found: Vec<String>,
    },

    /// A template placeholder where ecs-iam needs an AWS value.
    Placeholder {
        value: String,
        syntax: &'static str,
    },
    /// A task definition template's placeholder that neither the spec's
    /// `parameters:` nor an input of the same name fills.
    TemplatePlaceholder {
        written: String,
        name: String,
        syntax: &'static str,
        input: String,
        /// When it stands for an image's registry and repository as a
        /// whole: the input for the repository.
        repository: Option<String>,
    },
    /// A placeholder of a task definition template standing for a whole
    /// value ecs-iam derives grants from (the container list, `secrets`).
    TemplateValue {
        field: String,
        written: String,
        syntax: &'static str,
    },
    /// A value an input starts as a whole (an ARN or a name).
    WholeValueInput {
        name: String,
    },
    /// A file that holds no CloudTrail records.
    NotCloudTrail,
    /// A record without the fields every CloudTrail record has.
    CloudTrailRecord {
        message: String,
    },
    /// A value of a trail's event selectors of another JSON type than
    /// `aws cloudtrail get-event-selectors` prints.
    SelectorType {
        expected: &'static str,
    },
    /// A file that holds neither kind of a trail's event selectors.
    NoEventSelectors,
    /// A file that holds both kinds of event selectors, which no trail has.
    BothEventSelectors,
    /// An advanced field selector without a condition.
    NoCondition,
    /// An advanced event selector without `eventCategory` `Equals`.
    NoEventCategory,
    /// An advanced data event selector without `resources.type` `Equals`.
    NoResourceType,
    /// A field of an advanced event selector that takes `Equals` only.
    EqualsOnly {
        field: String,
        operator: String,
    },
    /// A record's `eventTime` that is not a time.
    CloudTrailTime {
        value: String,
    },
    /// A folder of more files than are read.
    TooManyFiles {
        max: usize,
    },
    /// A file given as last-accessed evidence that is neither IAM's report
    /// nor an Access Analyzer finding; `cloudtrail` when it holds
    /// CloudTrail records.
    NotLastAccessed {
        cloudtrail: bool,
    },
    /// IAM's report polled before its job finished.
    ReportInProgress,
    /// IAM's report job failed, with IAM's reason when it gives one.
    ReportFailed {
        code: Option<String>,
        message: Option<String>,
    },
    /// A page of IAM's report with more pages after it.
    ReportTruncated,
    /// IAM's report names several entities, so it is a policy's or a
    /// group's, not one role's.
    ReportEntities {
        entities: Vec<String>,
    },
    /// An Access Analyzer finding of a type that says nothing of what a
    /// role used.
    FindingType {
        found: String,
    },
    /// An Access Analyzer finding about a resource other than a role.
    FindingResource {
        found: String,
    },
    /// An Access Analyzer finding whose unused access is resolved.
    FindingResolved,
    /// An Access Analyzer finding printed without all its details.
    FindingPaginated {
        key: String,
    },
    /// A value of a last-accessed file that is not what AWS writes there.
    LastAccessedValue {
        message: String,
    },
    /// A file that is neither Athena's CSV nor `aws athena
    /// get-query-results` JSON.
    NotAthenaResult,
    /// An Athena result whose header lacks columns the query gives.
    AthenaColumns {
        missing: Vec<String>,
    },
    /// A row of an Athena result with more or fewer values than its header.
    AthenaRowWidth {
        expected: usize,
        found: usize,
    },
    /// A value of an Athena result that the query could not have given:
    /// `value` is `None` for NULL.
    AthenaValue {
        value: Option<String>,
        expected: &'static str,
    },
    /// `aws athena get-query-results` output holding `NextToken`: only the
    /// first page of the result.
    AthenaTruncated,
    /// An Athena result without the one `coverage` row the query gives.
    AthenaNoCoverage,
    /// An input's description holding `${`.
    InputDescriptionSub {
        description: String,
    },
    /// A template placeholder standing for a whole ARN or name, which
    /// `init` cannot turn into an input: what it names is unknown.
    WholeValuePlaceholder {
        written: String,
        name: String,
    },
    /// An image whose registry or repository is an input as a whole: the
    /// repository cannot be derived from it.
    ImageInput {
        name: String,
    },
    /// Two task definitions of one spec name different roles.
    RolesDisagree {
        field: &'static str,
        first: String,
        first_origin: String,
        second: String,
    },
    /// A wildcard where a task definition names one resource.
    WildcardName {
        value: String,
    },
    /// `config-file-type: s3` without `config-file-value`.
    FirelensConfigFile,
    /// A Fluent Bit AWS output without the option naming its destination.
    FirelensOption {
        plugin: String,
        option: &'static str,
    },
    /// A Fluent Bit AWS output that writes with another role.
    FirelensRoleArn {
        role: String,
    },
    DeployTimeValue {
        name: String,
    },
    ContainerName,
    LogDriver,
    ValueFromMissing,
    FileSystemId,
    EfsId {
        value: String,
        kind: &'static str,
        prefix: &'static str,
    },
    AwslogsGroup {
        container: String,
    },
    BadImage {
        value: String,
        reason: &'static str,
    },
    ValueFrom {
        value: String,
        expected: &'static str,
    },
    ValueFromService {
        value: String,
        found: String,
        expected: &'static str,
    },
    TaskDefinitionsNotRead,
    GuardrailId {
        id: String,
    },
    GuardrailKind,
    GuardrailSeverity {
        value: String,
    },
    GuardrailRole {
        value: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Read { path, source } => {
                write!(f, "cannot read `{}`: {source}", path_text(path))
            }
            Error::Syntax { at, message } => write!(f, "{at}: {message}"),
            Error::TooLarge {
                at,
                kind,
                bytes: Some(bytes),
                max,
            } => write!(
                f,
                "{at}: the file is {bytes} bytes; a {kind} may be at most {max} bytes"
            ),
            Error::TooLarge {
                at,
                kind,
                bytes: None,
                max,
            } => write!(
                f,
                "{at}: the file goes on past {max} bytes; a {kind} may be at most {max} bytes"
            ),
            Error::NotUtf8 { at } => {
                write!(f, "{at}: the file is not valid UTF-8; save it as UTF-8")
            }
            Error::TooDeep { at, kind } => write!(
                f,
                "{at}: the text nests too deep to be a {kind} (a {kind} nests about {} levels)",
                kind.typical_depth()
            ),
            Error::AliasExpansion {
                at,
                kind,
                nodes,
                bytes,
            } => write!(
                f,
                "{at}: this alias would expand the {kind} past {nodes} nodes or {bytes} bytes; write the value out, or alias less"
            ),
            Error::DuplicateKey { at, path } => {
                write!(f, "{at}: `{path}` is given twice; keep one")
            }
            Error::SeveralDocuments { at } => write!(
                f,
                "{at}: the file holds more than one YAML document; a spec is one document, so remove the `---` and what follows"
            ),
            Error::UnknownField(u) => {
                let place = if u.field.is_empty() {
                    "at the top level".to_owned()
                } else {
                    format!("in `{}`", u.field)
                };
                write!(f, "{}: unknown field `{}` {place}; ", u.at, u.name)?;
                match &u.suggestion {
                    Some(s) => write!(f, "did you mean `{s}`?"),
                    None => write!(f, "expected one of {}", backticked(&u.expected)),
                }
            }
            Error::UnknownVariant(u) => {
                write!(
                    f,
                    "{}: unknown value `{}` for `{}`; ",
                    u.at, u.name, u.field
                )?;
                match &u.suggestion {
                    Some(s) => write!(f, "did you mean `{s}`?"),
                    None => write!(f, "expected one of {}", backticked(&u.expected)),
                }
            }
            Error::MissingField { at, field } => {
                write!(f, "{at}: missing field `{field}`; add it")
            }
            Error::Invalid { at, field, problem } if field.is_empty() => {
                write!(f, "{at}: {problem}")
            }
            Error::Invalid { at, field, problem } => write!(f, "{at}: `{field}`: {problem}"),
            Error::Unadoptable { at, from, error } => {
                let message = error.to_string();
                let unplaced = error
                    .location()
                    .and_then(|l| message.strip_prefix(&format!("{l}: ")))
                    .unwrap_or(&message);
                write!(
                    f,
                    "{at}: {from}: the spec written from it would be refused: {unplaced}"
                )
            }
            Error::DuplicateName {
                name,
                first,
                second,
            } => write!(
                f,
                "`{}` and `{}` both have name `{name}` and would write the same output folder; give each spec its own `name`",
                path_text(first),
                path_text(second)
            ),
            Error::Template {
                name,
                path,
                at,
                message,
            } => {
                match path {
                    Some(p) => write!(f, "{}", path_text(p))?,
                    None => write!(f, "template `{name}`")?,
                }
                if let Some((line, column)) = at {
                    write!(f, ":{line}:{column}")?;
                }
                write!(f, ": {message}")
            }
            Error::Write { path, source } => write!(
                f,
                "cannot write `{}`: {source}; the previous output was left unchanged",
                path_text(path)
            ),
            Error::Stdout { source } => {
                write!(f, "cannot write to standard output: {source}")
            }
            Error::ForeignFile { dir, file } => write!(
                f,
                "`{}` holds `{}`, which ecs-iam does not generate; move it elsewhere or choose another --out",
                path_text(dir),
                path_text(file)
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
                path_text(path)
            ),
            Error::BadPath { path, problem } => write!(f, "`{}`: {problem}", path_text(path)),
            Error::NotAFolder { path, what } => write!(f, "`{}`: {what}", path_text(path)),
            Error::NoSpecs { path } => write!(
                f,
                "`{}`: holds no spec files (.yaml, .yml, .json)",
                path_text(path)
            ),
            Error::UnknownTemplate { path, expected } => write!(
                f,
                "`{}`: is not a template ecs-iam uses; the templates are {}",
                path_text(path),
                backticked(expected)
            ),
            Error::RoleReference { reference } => write!(
                f,
                "`--from-role {reference}`: name the role as `FILE#ROLE_NAME`, with `task=` or `execution=` before it to say which it becomes"
            ),
            Error::NoSuchRole {
                file,
                name,
                suggestion,
                names,
            } => {
                write!(f, "`{}` holds no role `{name}`", path_text(file))?;
                match (suggestion, names.is_empty()) {
                    (Some(s), _) => write!(f, "; did you mean `{s}`?"),
                    (None, true) => write!(f, "; it holds no role at all"),
                    (None, false) => write!(f, "; it holds {}", backticked(names)),
                }
            }
            Error::AdoptedRoles => write!(
                f,
                "`--from-role`: give at most one task role and one execution role; say which with `task=` or `execution=` before `FILE#NAME`"
            ),
            Error::NotAnEcsRole { at, name, trusted } => {
                write!(
                    f,
                    "{at}: the role `{name}` is not an ECS task role: its trust "
                )?;
                if trusted.is_empty() {
                    f.write_str("lets no one assume it")?;
                } else {
                    let who: Vec<String> = trusted.iter().map(ToString::to_string).collect();
                    write!(f, "lets {} assume it", and_list(&who))?;
                }
                f.write_str(", not `ecs-tasks.amazonaws.com`, so no ECS task runs with it; adopt the roles a task definition names in `taskRoleArn` and `executionRoleArn`, or write a spec for new roles with `ecs-iam init --from-task-definition`")
            }
            Error::RenderedUnreadable {
                spec,
                file,
                template: Some(template),
                what,
            } => write!(
                f,
                "`{file}` as the template `{}` renders it for `{}` does not parse: {what}; fix the template",
                path_text(template),
                path_text(spec)
            ),
            Error::RenderedUnreadable {
                spec,
                file,
                template: None,
                what,
            } => write!(
                f,
                "internal error: `{file}` as ecs-iam renders it for `{}` fails its check before writing: {what}; nothing was written. Please report this at https://github.com/ecs-iam/ecs-iam/issues with the spec",
                path_text(spec)
            ),
            Error::NotGenerated { path, message } => write!(
                f,
                "`{}`: is not a template ecs-iam could have written: {message}",
                path_text(path)
            ),
            Error::NoOutput { path } => write!(
                f,
                "`{}` holds no generated output: expected `cloudformation.yaml` (a workload folder) or folders holding one (what `ecs-iam render --out {}` writes); render into it first, or name the right folder",
                path_text(path),
                // An option's value that starts with `-` is read as an option.
                if path.to_string_lossy().starts_with('-') {
                    format!("./{}", path_text(path))
                } else {
                    path_text(path)
                }
            ),
            Error::MixedFolders { workload, tree } => write!(
                f,
                "`{}` is one workload's folder but `{}` is a folder of workloads; compare a workload folder with a workload folder, or two folders of workloads",
                path_text(workload),
                path_text(tree)
            ),
            Error::AgainstWorkload { dir, name } => write!(
                f,
                "`{}` is a workload folder, but --against takes the folder `render --out` took (it compares `<DIR>/{name}`); pass its parent",
                path_text(dir)
            ),
            Error::Git { command, message } => {
                write!(f, "`{command}` failed: {message}")
            }
            Error::InitOutside {
                spec,
                task_definition,
                tree,
            } => write!(
                f,
                "`{}` would name the task definition as `{task_definition}`, outside {tree}, and a spec reads only files inside its tree; write the spec into the tree that holds the task definition (--output), or pass --allow-outside-paths here and to each command that reads the spec",
                path_text(spec)
            ),
            Error::Several(all) => {
                for (i, e) in all.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "{e}")?;
                }
                Ok(())
            }
            Error::AthenaTable { value } => write!(
                f,
                "`{}` is not an Athena table name: give `TABLE`, `DATABASE.TABLE` or `CATALOG.DATABASE.TABLE`, each name of letters, digits, `_` and `-` (the table AWS documents for CloudTrail is `cloudtrail_logs`)",
                value.escape_default()
            ),
            Error::WindowTime { flag, value } => write!(
                f,
                "{flag} `{}` is not a time as CloudTrail writes it: give `YYYY-MM-DDTHH:MM:SSZ` in UTC (e.g. `2026-12-01T00:00:00Z`)",
                value.escape_default()
            ),
            Error::EmptyWindow { since, until } => write!(
                f,
                "--until `{until}` is not after --since `{since}`: the window holds no time; give an --until later than --since"
            ),
            Error::NothingToVerify { spec } => write!(
                f,
                "`{}` names no task definitions; add `task_definitions: [<file>]` to it, or pass --task-definition <file>",
                path_text(spec)
            ),
        }
    }
}

impl std::error::Error for Error {}

impl Problem {
    /// Whether the value is one a CloudFormation template or a Terraform
    /// plan leaves to deploy time (or names wrongly): the task definition
    /// reader keeps such a value with its reason, for whatever grant needs
    /// it to report.
    #[must_use]
    pub fn is_deploy_time(&self) -> bool {
        matches!(
            self,
            Problem::Parameter { .. }
                | Problem::InputValue { .. }
                | Problem::DeployTimeValue { .. }
                | Problem::GeneratedName { .. }
                | Problem::ResourceValue { .. }
                | Problem::NotInTemplate { .. }
                | Problem::Intrinsic { .. }
                | Problem::AfterApply
        )
    }
}

impl fmt::Display for Problem {
    #[allow(clippy::too_many_lines)]
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::UnsupportedVersion { found } => write!(
                f,
                "spec version {found} is not supported; this ecs-iam reads `version: 1`"
            ),
            Problem::UnsupportedProvider { found, supported } => write!(
                f,
                "the Terraform module cannot be written for `hashicorp/aws` {found}.x; use {}",
                supported
                    .iter()
                    .map(|v| format!("`{v}`"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
            Problem::BadSpecName { value } => write!(
                f,
                "`{value}` is not a valid name; use letters, digits, `-` and `_` (it names the output folder and prefixes the role names)"
            ),
            Problem::RoleNameEmpty => write!(
                f,
                "role name is empty; give 1 to 64 letters, digits and `+=,.@_-`, or leave `name` out for `<name>-task` / `<name>-execution`"
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
                "`{value}` holds the placeholder `{placeholder}`; the placeholders are `<partition>`, `<region>`, `<account_id>` and the spec's `<input.name>`, anything else must be written out"
            ),
            Problem::UnknownInput {
                value,
                name,
                suggestion,
            } => {
                write!(
                    f,
                    "`{value}` uses the input `{name}`, which `inputs:` does not declare"
                )?;
                match suggestion {
                    Some(s) => write!(f, "; did you mean `<input.{s}>`?"),
                    None => write!(f, "; declare it under `inputs:` with a description"),
                }
            }
            Problem::InputName { name } => write!(
                f,
                "`{name}` cannot name an input: it is a CloudFormation parameter and a Terraform variable, so use a letter then letters and digits (no `_` or `-`), at most 255"
            ),
            Problem::InputClash { name, with } => write!(
                f,
                "the input `{name}` has the name of {with} in the generated files; rename the input"
            ),
            Problem::Dump { what } => f.write_str(what),
            Problem::InputValue { name } => write!(
                f,
                "the grant this value decides depends on the input `{name}`, whose value ecs-iam cannot know here: give it with `parameters: {{{name}: ...}}` beside `task_definitions:` in the spec (or `--parameter {name}=VALUE`)"
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
            Problem::UnknownActionService {
                action,
                service,
                suggestion,
            } => {
                write!(
                    f,
                    "`{action}`: `{service}` is not a service prefix in AWS's service reference; "
                )?;
                match suggestion {
                    Some(s) => write!(f, "did you mean `{s}`?"),
                    None => write!(
                        f,
                        "use the prefix the Service Authorization Reference gives, e.g. `s3`"
                    ),
                }
            }
            Problem::UnknownAction { action, suggestion } => {
                let service = action.split(':').next().unwrap_or_default();
                write!(
                    f,
                    "`{action}` is not an action of `{service}` in AWS's service reference; "
                )?;
                match suggestion {
                    Some(s) => write!(f, "did you mean `{s}`?"),
                    None => write!(
                        f,
                        "use an action the Service Authorization Reference lists for `{service}`"
                    ),
                }
            }
            Problem::ActionWildcardMatchesNothing { action } => {
                let service = action.split(':').next().unwrap_or_default();
                write!(
                    f,
                    "`{action}` matches no action of `{service}` in AWS's service reference; correct the pattern"
                )
            }
            Problem::ResourceTypeMismatch {
                action,
                resources,
                types,
            } => {
                if types.is_empty() {
                    return write!(
                        f,
                        "none of the actions `{action}` matches acts on {}, so the statement grants them nothing; add a resource of a type they take, or narrow the pattern",
                        backticked_or(resources)
                    );
                }
                let takes: Vec<String> = types
                    .iter()
                    .map(|(name, arn)| format!("`{name}` (`{arn}`)"))
                    .collect();
                write!(
                    f,
                    "`{action}` does not act on {}, so the statement grants it nothing; it takes {}: add such a resource, or move the action to a statement that has one",
                    backticked_or(resources),
                    takes.join(" or ")
                )
            }
            Problem::ActionTakesOnlyStar { action, resources } => write!(
                f,
                "`{action}` has no resource-level permissions, so it never matches {}; give it `resources: \"*\"` in a statement of its own",
                backticked_or(resources)
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
            Problem::DeployTimeKey { what, value, .. } => write!(
                f,
                "a {what} cannot hold a deploy-time value such as `{}`; write the key literally, or put the value on the right",
                value.escape_default()
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
            Problem::BadAcknowledgement { reason, max } => write!(
                f,
                "`{}` is not a reason scanners can carry; write 1 to {max} printable ASCII characters (letters, digits, spaces, punctuation), not only spaces",
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
            Problem::TaskDefinitionUnreadable { path, message } => write!(
                f,
                "cannot read task definition `{}`: {message}; paths are relative to the spec's folder",
                path_text(path)
            ),
            Problem::AbsolutePath { value, tree } => write!(
                f,
                "`{value}` is an absolute path, and a spec reads only files inside {tree}; name a file there, relative to the spec's folder, or pass --allow-outside-paths to read it anyway"
            ),
            Problem::PathClimbsOut { value, tree } => write!(
                f,
                "`..` in `{value}` climbs out of {tree}, and a spec reads only files inside it; move the file into the tree, or pass --allow-outside-paths to read it anyway"
            ),
            Problem::LinkLeadsOut {
                value,
                tree,
                link,
                target,
            } => write!(
                f,
                "`{value}` leads out of {tree}: `{}` is a symbolic link to `{}`, and a spec reads only files inside the tree; copy the file into it, or pass --allow-outside-paths to read it anyway",
                path_text(link),
                path_text(target)
            ),
            Problem::NotATaskDefinition => write!(
                f,
                "not a task definition; expected what `aws ecs describe-task-definition` prints (`{{\"taskDefinition\": ...}}`), what `register-task-definition --cli-input-json` takes (`{{\"family\": ..., \"containerDefinitions\": [...]}}`), a `containerDefinitions` list, a CloudFormation template with an `AWS::ECS::TaskDefinition`, or Terraform's plan or state JSON (`terraform show -json`, `terraform.tfstate`) with an `aws_ecs_task_definition`"
            ),
            Problem::NoSuchTaskDefinition { id, found } => write!(
                f,
                "the template has no `AWS::ECS::TaskDefinition` named `{id}`; it has {}",
                if found.is_empty() {
                    "none".to_owned()
                } else {
                    backticked(found)
                }
            ),
            Problem::TaskDefinitionCount { found } if found.is_empty() => {
                write!(f, "the template has no `AWS::ECS::TaskDefinition` resource")
            }
            Problem::TaskDefinitionCount { found } => write!(
                f,
                "the template has {} task definitions ({}); name one as `<file>#<LogicalId>`",
                found.len(),
                backticked(found)
            ),
            Problem::NoContainerDefinitions => {
                write!(
                    f,
                    "the task definition has no `containerDefinitions`; add them"
                )
            }
            Problem::TaskDefinitionType { expected } => write!(f, "expected {expected}"),
            Problem::Intrinsic { function } => write!(
                f,
                "`{function}` is known only at deploy time; ecs-iam resolves `Ref`, `Fn::GetAtt`, `Fn::Sub` and `Fn::Join` of the template's parameters, pseudo parameters and named resources: write the value here"
            ),
            Problem::TemplatePlaceholder {
                written,
                name,
                syntax,
                input,
                repository,
            } => {
                let key = if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    name.clone()
                } else {
                    format!("\"{name}\"")
                };
                if let Some(repository) = repository {
                    return write!(
                        f,
                        "`{written}` is a template placeholder ({syntax}) for the whole image: map `{name}` in the spec to the image with its repository left to deploy time, `parameters: {{{key}: <account_id>.dkr.ecr.<region>.<url_suffix>/<input.{repository}>}}` with `inputs: {{{repository}: {{description: ...}}}}` (ECR in the deployment's account and region), or to the image (one outside ECR needs no grant); `ecs-iam init --from-task-definition` writes the first"
                    );
                }
                write!(
                    f,
                    "`{written}` is a template placeholder ({syntax}): map `{name}` in the spec, `parameters: {{{key}: <input.{input}>}}` with `inputs: {{{input}: {{description: ...}}}}` to keep it a deploy-time input, or `parameters: {{{key}: VALUE}}`; `ecs-iam init --from-task-definition` writes the inputs"
                )
            }
            Problem::TemplateValue {
                field,
                written,
                syntax,
            } => write!(
                f,
                "`{field}` is the template placeholder `{written}` ({syntax}): what it stands for is known only once the template is filled, so no grant can be derived from it; run ecs-iam on the file CI renders from the template, or write the value in the template"
            ),
            Problem::NotCloudTrail => write!(
                f,
                "this file holds no CloudTrail records: give the `*.json.gz` files CloudTrail delivers (`{{\"Records\": [...]}}`), a JSON array of records, or what `aws cloudtrail lookup-events` prints"
            ),
            Problem::SelectorType { expected } => write!(
                f,
                "expected {expected}, as `aws cloudtrail get-event-selectors` prints it"
            ),
            Problem::NoEventSelectors => write!(
                f,
                "this file holds neither `EventSelectors` nor `AdvancedEventSelectors`: give what `aws cloudtrail get-event-selectors --trail-name <trail>` prints"
            ),
            Problem::BothEventSelectors => write!(
                f,
                "the file holds both `EventSelectors` and `AdvancedEventSelectors`, but a trail has one kind or the other: give what `aws cloudtrail get-event-selectors --trail-name <trail>` prints for one trail"
            ),
            Problem::NoCondition => write!(
                f,
                "the field selector gives no condition; add one of `Equals`, `StartsWith`, `EndsWith`, `NotEquals`, `NotStartsWith` or `NotEndsWith`"
            ),
            Problem::NoEventCategory => write!(
                f,
                "the selector has no `eventCategory` field selector with `Equals`, which CloudTrail requires; add `{{\"Field\": \"eventCategory\", \"Equals\": [\"Management\"]}}` (or `[\"Data\"]`)"
            ),
            Problem::NoResourceType => write!(
                f,
                "a data event selector needs a `resources.type` field selector with `Equals`, which CloudTrail requires; add `{{\"Field\": \"resources.type\", \"Equals\": [\"AWS::S3::Object\"]}}` with the resource type it logs"
            ),
            Problem::EqualsOnly { field, operator } => write!(
                f,
                "`{field}` takes only `Equals`, and CloudTrail refuses `{operator}` for it; write the values under `Equals`"
            ),
            Problem::CloudTrailRecord { message } => {
                write!(f, "not a CloudTrail record: {message}")
            }
            Problem::NotLastAccessed { cloudtrail: true } => write!(
                f,
                "this file holds CloudTrail records, not last-accessed evidence: give it with `--cloudtrail`"
            ),
            Problem::NotLastAccessed { cloudtrail: false } => write!(
                f,
                "this file is neither IAM's last-accessed report nor an Access Analyzer finding: give what `aws iam get-service-last-accessed-details --job-id <id>` or `aws accessanalyzer get-finding-v2 --analyzer-arn <arn> --id <id>` prints"
            ),
            Problem::ReportInProgress => write!(
                f,
                "the report is not ready yet (`JobStatus` is `IN_PROGRESS`): run `aws iam get-service-last-accessed-details --job-id <id>` again until it answers `COMPLETED`, and give that output"
            ),
            Problem::ReportFailed { code, message } => {
                write!(f, "IAM could not make the report (`JobStatus` is `FAILED`")?;
                match (code, message) {
                    (Some(c), Some(m)) => write!(f, ": {c}: {}", m.escape_default())?,
                    (Some(c), None) => write!(f, ": {c}")?,
                    (None, Some(m)) => write!(f, ": {}", m.escape_default())?,
                    (None, None) => {}
                }
                write!(
                    f,
                    "); generate it again with `aws iam generate-service-last-accessed-details --arn <role ARN> --granularity ACTION_LEVEL`"
                )
            }
            Problem::ReportTruncated => write!(
                f,
                "this is one page of the report (`IsTruncated` is `true`): the services of the pages after it are missing; ask for the whole report in one page, `aws iam get-service-last-accessed-details --job-id <id> --max-items 1000`"
            ),
            Problem::ReportEntities { entities } => write!(
                f,
                "the report's services were used by {}, so it is a policy's or a group's report, not one role's; generate it for the role: `aws iam generate-service-last-accessed-details --arn <role ARN> --granularity ACTION_LEVEL`",
                backticked(entities)
            ),
            Problem::FindingType { found } => write!(
                f,
                "an Access Analyzer finding of type `{found}` says nothing of what a role used; give an unused access finding about the role (`UnusedPermission` or `UnusedIAMRole`)"
            ),
            Problem::FindingResource { found } => write!(
                f,
                "the finding is about `{found}`, not a role (`AWS::IAM::Role`); give the findings of the task or execution role"
            ),
            Problem::FindingResolved => write!(
                f,
                "the finding is resolved (`status` is `RESOLVED`): the access it reported has since been used or removed, so it is no evidence now; give an active or archived finding"
            ),
            Problem::FindingPaginated { key } => write!(
                f,
                "the finding's details go on past this output (`{key}` is set): run `aws accessanalyzer get-finding-v2` without `--max-items` or `--no-paginate`, so the AWS CLI gathers every page"
            ),
            Problem::LastAccessedValue { message } => {
                write!(f, "not what AWS writes here: {message}")
            }
            Problem::CloudTrailTime { value } => write!(
                f,
                "`{value}` is not a time as CloudTrail writes it (`2026-12-01T10:00:00Z`)"
            ),
            Problem::NotAthenaResult => write!(
                f,
                "this file is not an Athena result: give the CSV Athena wrote for the query (`<QueryExecutionId>.csv` in the query result location) or what `aws athena get-query-results` prints"
            ),
            Problem::AthenaColumns { missing } => write!(
                f,
                "the result has no column {}: it is not the result of the query ecs-iam prints; run that query again and give its result",
                missing
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Problem::AthenaRowWidth { expected, found } => write!(
                f,
                "the row has {found} values where the header names {expected}: give the file as Athena wrote it"
            ),
            Problem::AthenaValue { value, expected } => match value {
                Some(v) => write!(
                    f,
                    "`{}` is not {expected}: give the result of the query ecs-iam prints, as Athena wrote it",
                    v.escape_default()
                ),
                None => write!(
                    f,
                    "NULL is not {expected}: give the result of the query ecs-iam prints, as Athena wrote it"
                ),
            },
            Problem::AthenaNoCoverage => write!(
                f,
                "the result has no `coverage` row, which the query always gives: give the whole result, as Athena wrote it"
            ),
            Problem::AthenaTruncated => write!(
                f,
                "the result goes on past this page (`NextToken`): run `aws athena get-query-results` without `--max-items` or `--no-paginate` so it prints every page, or give the CSV Athena wrote to S3"
            ),
            Problem::TooManyFiles { max } => write!(
                f,
                "the folder holds more than {max} files of records; give its parts (a month's folder, a region's) one at a time"
            ),
            Problem::WholeValueInput { name } => write!(
                f,
                "the value is the input `{name}` as a whole, which may be the ARN or the name of a secret, a parameter or an object, so ecs-iam cannot tell what to grant: give the value with inputs only in its parts (e.g. `arn:<partition>:secretsmanager:<region>:<account_id>:secret:<input.{name}>`)"
            ),
            Problem::InputDescriptionSub { description } => write!(
                f,
                "`{}` holds `${{`, which aws-cdk-lib writes into the parameter's description as an `Fn::Join` that CloudFormation refuses: write the text without `${{` (e.g. `$IMAGE` or `IMAGE`)",
                description.escape_default()
            ),
            Problem::WholeValuePlaceholder { written, name } => write!(
                f,
                "`{written}` is a template placeholder for the whole value, which may be the ARN or the name of a secret, a parameter or an object, so ecs-iam cannot tell what to grant: map `{name}` under `parameters:` to the value with inputs only in its parts (e.g. `arn:<partition>:secretsmanager:<region>:<account_id>:secret:<input.Name>`), or fill the template"
            ),
            Problem::ImageInput { name } => write!(
                f,
                "the image's registry and repository are the input `{name}` as a whole, so the repository to grant cannot be derived; map the placeholder to the image with only the repository left to deploy time, `<account_id>.dkr.ecr.<region>.<url_suffix>/<input.{name}Repository>` (ECR in the deployment's account and region), or to the image itself (an image outside ECR needs no grant); `ecs-iam init --from-task-definition` writes the first"
            ),
            Problem::Placeholder { value, syntax } => write!(
                f,
                "`{}` is a template placeholder ({syntax}), not an AWS value: fill the template first (run ecs-iam on the file CI deploys), or write the value here",
                value.escape_default()
            ),
            Problem::RolesDisagree {
                field,
                first,
                first_origin,
                second,
            } => write!(
                f,
                "this task definition runs with the role `{second}`, but `{first_origin}` names `{first}`; one spec renders one {} role: give the task definitions the same role, or give each its own spec",
                if *field == "taskRoleArn" {
                    "task"
                } else {
                    "task execution"
                }
            ),
            Problem::WildcardName { value } => write!(
                f,
                "`{}` holds a wildcard, but this field names one resource (ECS and Fluent Bit take it as written); write the name",
                value.escape_default()
            ),
            Problem::FirelensConfigFile => write!(
                f,
                "`config-file-type` is `s3` but there is no `config-file-value`; give the configuration file's S3 object ARN"
            ),
            Problem::FirelensOption { plugin, option } => write!(
                f,
                "the FireLens output `{plugin}` has no `{option}` option; Fluent Bit requires it, add it"
            ),
            Problem::FirelensRoleArn { role } => write!(
                f,
                "the FireLens output writes with the role `{role}` (`role_arn`), whose permissions ecs-iam cannot see: drop `role_arn` so that the log router writes with the task role, which ecs-iam then grants"
            ),
            Problem::NotATemplate { function } => write!(
                f,
                "`{function}` is a CloudFormation function, but this file is not a CloudFormation template, so nothing evaluates it: write the value"
            ),
            Problem::Condition => write!(
                f,
                "`Fn::If` picks this value at deploy time; ecs-iam takes every branch of an `Fn::If` that stands for a list or a list entry (`ContainerDefinitions`, `Secrets`, `EnvironmentFiles`, `MountPoints`, `Volumes`, `SecretOptions`), not here: move the condition to the list entry, or write the value"
            ),
            Problem::DeployTimeValue { name } => write!(
                f,
                "`{name}` is known only at deploy time: give its value with `parameters: {{{name}: ...}}` beside `task_definitions:` in the spec (or `--parameter {name}=VALUE`), or write the value here"
            ),
            Problem::Parameter { name, default } => {
                write!(
                    f,
                    "`{name}` is a parameter of the template, known at deploy time: declare it under `inputs:` in the spec to keep it one (`inputs: {{{name}: {{description: ...}}}}`), or give its value with `parameters: {{{name}: ...}}` beside `task_definitions:` (or `--parameter {name}=VALUE`)"
                )?;
                match default.as_deref() {
                    Some("") => write!(f, "; its `Default` is empty"),
                    Some(d) => write!(f, "; its `Default` is `{}`", d.escape_default()),
                    None => Ok(()),
                }
            }
            Problem::GeneratedName {
                resource,
                kind,
                property,
            } => match property {
                Some(p) => write!(
                    f,
                    "`{resource}` (`{kind}`) has no `{p}`, so CloudFormation generates its name at deploy time: set `{p}`, or give the value with `parameters: {{{resource}: ...}}` beside `task_definitions:` in the spec (or `--parameter {resource}=VALUE`)"
                ),
                None => write!(
                    f,
                    "`{resource}` (`{kind}`) gets its id from CloudFormation at deploy time: give the value with `parameters: {{{resource}: ...}}` beside `task_definitions:` in the spec (or `--parameter {resource}=VALUE`)"
                ),
            },
            Problem::ResourceValue {
                resource,
                kind,
                attribute,
            } => {
                let key = match attribute {
                    Some(a) => format!("{resource}.{a}"),
                    None => resource.clone(),
                };
                let what = match attribute {
                    Some(a) => format!("`Fn::GetAtt` of `{a}`"),
                    None => "`Ref`".to_owned(),
                };
                write!(
                    f,
                    "ecs-iam does not read the value of {what} of `{resource}` (`{kind}`) from the template: give it with `parameters: {{{key}: ...}}` beside `task_definitions:` in the spec (or `--parameter {key}=VALUE`)"
                )
            }
            Problem::AfterApply => write!(
                f,
                "the plan knows this value only after apply (`after_unknown`); read the task definition from the state after apply (`terraform show -json > state.json`), or write the value"
            ),
            Problem::EmbeddedJson { message } => {
                write!(f, "`container_definitions` is not a JSON list: {message}")
            }
            Problem::NoSuchTerraformTaskDefinition { address, found } => write!(
                f,
                "the file has no `aws_ecs_task_definition` at `{address}`; it has {}",
                if found.is_empty() {
                    "none".to_owned()
                } else {
                    backticked(found)
                }
            ),
            Problem::TerraformTaskDefinitionCount { found } if found.is_empty() => write!(
                f,
                "the file has no `aws_ecs_task_definition` resource (in `planned_values`, `values` or `resources`, root or child modules)"
            ),
            Problem::TerraformTaskDefinitionCount { found } => write!(
                f,
                "the file has {} task definitions ({}); name one as `<file>#<address>`",
                found.len(),
                backticked(found)
            ),
            Problem::NotInTemplate { name } => write!(
                f,
                "`{name}` is neither a parameter nor a resource of this template; CloudFormation rejects the `Ref`: declare it, or fix the name"
            ),
            Problem::ContainerName => write!(
                f,
                "the container has no `name`; ECS requires one, and ecs-iam names grants after it"
            ),
            Problem::LogDriver => write!(f, "`logConfiguration` has no `logDriver`; add it"),
            Problem::ValueFromMissing => write!(
                f,
                "the entry has no `valueFrom`; give the secret's or parameter's ARN"
            ),
            Problem::FileSystemId => {
                write!(f, "`efsVolumeConfiguration` has no `fileSystemId`; add it")
            }
            Problem::EfsId {
                value,
                kind,
                prefix,
            } => write!(
                f,
                "`{}` is not an EFS {kind} id; write `{prefix}` and 8 to 40 hexadecimal digits",
                value.escape_default()
            ),
            Problem::AwslogsGroup { container } => write!(
                f,
                "the awslogs driver of container `{container}` has no `awslogs-group` option; ECS requires one, add it"
            ),
            Problem::BadImage { value, reason } => write!(
                f,
                "image `{}` does not parse: {reason}; write `<account>.dkr.ecr.<region>.amazonaws.com/<repository>[:<tag>|@<digest>]` for ECR",
                value.escape_default()
            ),
            Problem::ValueFrom { value, expected } => {
                write!(f, "`{}` is not {expected}", value.escape_default())
            }
            Problem::ValueFromService {
                value,
                found,
                expected,
            } => write!(
                f,
                "`{}` is an ARN of service `{found}`; ECS reads this field from {expected} only",
                value.escape_default()
            ),
            Problem::GuardrailId { id } => write!(
                f,
                "`{}` is not a rule id; use lowercase letters, digits and `-`",
                id.escape_default()
            ),
            Problem::GuardrailKind => write!(
                f,
                "a rule has exactly one of `deny_actions` (with optional `except_resources`), `allowed_accounts`, `required_boundary`, `required_tags`"
            ),
            Problem::GuardrailSeverity { value } => write!(
                f,
                "unknown severity `{value}`; expected `error` or `warning`"
            ),
            Problem::GuardrailRole { value } => {
                write!(f, "unknown role `{value}`; expected `task` or `execution`")
            }
            Problem::TaskDefinitionsNotRead => write!(
                f,
                "the task definitions were not read; read them with `Source::read_task_definitions` before building the model"
            ),
            Problem::NothingToDecrypt => write!(
                f,
                "the execution role decrypts only secrets and SSM parameters it injects, and lists neither; add `secrets` or `ssm_parameters`, or remove the keys"
            ),
            Problem::GuardDutyRegion { region: None } => write!(
                f,
                "the GuardDuty agent's repository is in an AWS-owned account that differs per region, and the region is left to deploy time; pin it with `deployment: {{region: <region>}}`"
            ),
            Problem::GuardDutyRegion {
                region: Some(region),
            } => write!(
                f,
                "GuardDuty's user guide lists no Fargate agent repository for region `{region}` (it lists commercial regions only); remove `guardduty_agent`, or grant the repository in `statements` if AWS has since published one"
            ),
            Problem::AssumedOpen { key } => write!(
                f,
                "`{key}` is listed as assumed, but `deployment.{key}` is not set: nothing rests on it; remove it from `deployment.assumed`, or pin `deployment.{key}`"
            ),
            Problem::SameRoleName { name } => write!(
                f,
                "both roles are named `{name}`; give the task role and the execution role different names"
            ),
            Problem::UnmanagedRoleField { role, field } => write!(
                f,
                "the {role} is `managed: false`, so this spec declares nothing for it and takes only its `name`; remove `{field}`, or remove `managed: false` to let the spec manage the role"
            ),
            Problem::NoManagedRole => write!(
                f,
                "both roles are `managed: false`, so the spec would declare nothing; let it manage one of them"
            ),
            Problem::PolicyTooLarge { role, size } => write!(
                f,
                "the {role}'s inline policy would be {size} characters (whitespace not counted, at the longest partition and region names); IAM allows 10,240, so grant fewer resources, split the workload, or set `policy_layout: split` to move the statements beyond it into managed policies created beside the role"
            ),
            Problem::StatementTooLarge {
                role,
                sid,
                size,
                limit,
            } => write!(
                f,
                "the {role}'s statement `{sid}` would be {size} characters (whitespace not counted, at the longest partition and region names), more than a managed policy's {limit} and more than the inline policy has room for beside the statements before it; grant fewer resources in it, or split it into several statements"
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

/// `a`, `a and b`, `a, b and c`.
#[must_use]
pub fn and_list(items: &[String]) -> String {
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

/// `a`, `` `a` or `b` ``, `` `a`, `b` or `c` ``.
fn backticked_or(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

/// The closest candidate to `word` by edit distance, if close enough to be a
/// plausible typo.
#[must_use]
pub fn suggest<'a, I>(word: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let limit = (word.chars().count() / 3).max(1) + 1;
    let word = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(&word, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c.to_owned())
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
