//! Least privilege from evidence: what each grant of the specs' roles was
//! used for, by the calls CloudTrail recorded.
//!
//! A call is attributed to a spec's role by the role its session was
//! issued from (`userIdentity.sessionContext.sessionIssuer.arn`), matched by
//! the role's path and name (and the spec's account and partition, when it
//! pins them). The grant's deploy-time values are bound from the call: the
//! partition and account from the role's ARN, the region from the call's
//! own region; an input, unknown here, matches anything in its place, so a
//! grant with an input may be counted used for a call of another value,
//! never unused for a call of its own. Each call then proves every grant
//! whose action and resource match it: evidence is per grant, and per spec
//! field. Conditions are not evaluated (a record does not hold the
//! request's context): a call that succeeded met them.
//!
//! A grant no call proves is **unused** only when its calls could be in
//! the evidence (see [`Visibility`]), the window covers at least the days
//! asked for, and a task ran with the role; otherwise it is
//! **unobservable**, with the reason. Refused calls are listed apart, with
//! the spec field that would grant them.

mod evidence;
pub mod report;
pub mod suggest;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::arn::{Partition, Segment, Text};
use crate::cloudtrail::actions::{Called, called};
use crate::cloudtrail::logged::{self, Selectors};
use crate::cloudtrail::observed::{Evidence, Observed, Shown, TaskStarts};
use crate::cloudtrail::records::Record;
use crate::cloudtrail::resources::resources;
use crate::error::{Error, Location, Problem};
use crate::escape;
use crate::evaluate::{action_matches, resource_matches};
use crate::last_accessed::LastAccessed;
use crate::model::{Model, RoleKind};
use crate::spec::{Effect, Source};

pub use report::Report;

/// What a grant's status is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Used,
    Unused,
    Unobservable,
    Denied,
}

impl Status {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Used => "used",
            Status::Unused => "unused",
            Status::Unobservable => "unobservable",
            Status::Denied => "denied",
        }
    }
}

/// Whether the calls of one action on one resource (a pattern, `*` for
/// what is not known) could be in the evidence: `Ok` when they could, with
/// what that rests on, if anything; otherwise why not (never logged, a data
/// event the trail does not select).
pub type Visibility<'a> = &'a (dyn Fn(&str, &str) -> Result<Option<String>, String> + Sync);

/// The time the evidence is asked to cover.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Window {
    /// Seconds since the Unix epoch, inclusive.
    pub since: Option<i64>,
    /// Seconds since the Unix epoch, exclusive.
    pub until: Option<i64>,
    /// The fewest days the evidence must cover for a grant to be unused.
    pub min_days: u32,
}

impl Window {
    fn holds(&self, t: i64) -> bool {
        self.since.is_none_or(|s| t >= s) && self.until.is_none_or(|u| t < u)
    }
}

/// A role of a spec, as calls are attributed to it.
#[derive(Debug, Clone)]
struct Subject {
    spec: String,
    kind: RoleKind,
    name: String,
    /// `/` when the spec gives none.
    path: String,
    account: Option<String>,
    partition: Option<Partition>,
    at: Location,
    /// Another spec's role is the same role.
    shared: bool,
    /// The grants of the role, in `Usage::grants`.
    grants: std::ops::Range<usize>,
    /// Attached managed policies whose content ecs-iam does not know: what
    /// they allow is not among the grants.
    unknown_managed: Vec<String>,
}

/// One action on one resource a role allows, and where the spec grants it.
#[derive(Debug, Clone)]
struct Grant {
    subject: usize,
    field: String,
    at: Location,
    action: String,
    resource: Text,
}

/// How often calls alike were made: their count, the first and last time,
/// and the example (earliest, lowest id).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen {
    pub count: u64,
    pub first: String,
    pub last: String,
    /// `(eventTime, eventID)` of the example.
    pub example: Option<(String, String)>,
}

impl Seen {
    fn add(&mut self, o: &Observed) {
        let first = &o.record.time;
        if self.count == 0 || *first < self.first {
            self.first.clone_from(first);
        }
        if self.count == 0 || o.last > self.last {
            self.last.clone_from(&o.last);
        }
        self.count += o.count;
        if let Some(id) = &o.example {
            let candidate = (first.clone(), id.clone());
            if self.example.as_ref().is_none_or(|e| candidate < *e) {
                self.example = Some(candidate);
            }
        }
    }

    fn merge(&mut self, other: &Seen) {
        if other.count == 0 {
            return;
        }
        if self.count == 0 || other.first < self.first {
            self.first.clone_from(&other.first);
        }
        if self.count == 0 || other.last > self.last {
            self.last.clone_from(&other.last);
        }
        self.count += other.count;
        if let Some(e) = &other.example
            && self.example.as_ref().is_none_or(|x| e < x)
        {
            self.example = Some(e.clone());
        }
    }
}

/// Calls of one role, action and resource (`None`: the record did not
/// say).
type CallKey = (usize, String, Option<String>);

/// What the evidence read so far shows; tallied per worker, then merged.
#[derive(Debug, Default)]
pub struct Tally {
    records: u64,
    coverage: Option<(String, String)>,
    shown: BTreeSet<Shown>,
    /// Per grant: the calls that prove it, and those whose resource the
    /// record did not say.
    grants: Vec<(Seen, u64)>,
    /// Refused calls, with a grant of the spec that allows them (the
    /// refusal then came from elsewhere).
    denied: BTreeMap<CallKey, (Seen, Option<usize>)>,
    /// Calls that succeeded though no grant of the spec allows them.
    unexplained: BTreeMap<CallKey, Seen>,
    /// Per subject, operations no action is known for.
    unmapped: BTreeMap<(usize, String, String), Seen>,
    /// Per role ARN ECS assumed: the task ids, and the first and last time.
    sessions: BTreeMap<String, (BTreeSet<String>, Seen)>,
    /// Task starts counted elsewhere (an Athena result).
    counted_starts: BTreeMap<String, (u64, Seen)>,
    /// Per subject, calls attributed.
    calls: BTreeMap<usize, u64>,
    /// Bound resource patterns, per subject and binding.
    bound: HashMap<(usize, String, String, String), Vec<String>>,
}

/// The specs' roles and grants, and the evidence tallied against them.
pub struct Usage {
    subjects: Vec<Subject>,
    grants: Vec<Grant>,
    /// Subjects by `path + name`.
    by_name: HashMap<String, Vec<usize>>,
    window: Window,
}

impl Usage {
    /// The managed roles of each spec and their `Allow` grants.
    #[must_use]
    pub fn new(specs: &[(Source, Model)], window: Window) -> Usage {
        let mut subjects = Vec::new();
        let mut grants = Vec::new();
        for (source, model) in specs {
            let spec = escape::path(&source.path);
            for role in &model.roles {
                let start = grants.len();
                let subject = subjects.len();
                for st in role.permission_statements() {
                    if st.effect != Effect::Allow {
                        continue;
                    }
                    for r in &st.resources {
                        let (at, field) = match st.sources.iter().find(|s| s.text == *r) {
                            Some(s) => (s.at.clone(), s.origin.clone()),
                            None => (field_at(source, &st.origin), st.origin.clone()),
                        };
                        for a in &st.actions {
                            grants.push(Grant {
                                subject,
                                field: field.clone(),
                                at: at.clone(),
                                action: a.clone(),
                                resource: r.clone(),
                            });
                        }
                    }
                }
                let managed_field = format!("{}.managed_policies", role.kind.spec_field());
                let mut unknown_managed = Vec::new();
                for m in &role.managed_policies {
                    let known = crate::model::managed::AwsManaged::by_arn(&m.arn.to_string())
                        .filter(|k| !k.grants.is_empty());
                    if known.is_none() {
                        unknown_managed.push(m.name.clone());
                    }
                    if let Some(known) = known {
                        for a in known.grants {
                            grants.push(Grant {
                                subject,
                                field: format!("{managed_field} ({})", m.name),
                                at: field_at(source, &managed_field),
                                action: (*a).to_owned(),
                                resource: Text::literal("*"),
                            });
                        }
                    }
                }
                subjects.push(Subject {
                    spec: spec.clone(),
                    kind: role.kind,
                    name: role.name.clone(),
                    path: role.path.clone().unwrap_or_else(|| "/".to_owned()),
                    account: model.account.clone(),
                    partition: model.partition,
                    at: field_at(source, role.kind.spec_field()),
                    shared: false,
                    grants: start..grants.len(),
                    unknown_managed,
                });
            }
        }
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, s) in subjects.iter().enumerate() {
            by_name
                .entry(format!("{}{}", s.path, s.name))
                .or_default()
                .push(i);
        }
        // A spec refuses one role as both of its roles, but two specs may
        // name one role: its calls cannot be told apart.
        for group in by_name.values().filter(|g| g.len() > 1) {
            for &i in group {
                subjects[i].shared = true;
            }
        }
        Usage {
            subjects,
            grants,
            by_name,
            window,
        }
    }

    /// An empty tally for these grants.
    #[must_use]
    pub fn tally(&self) -> Tally {
        Tally {
            grants: vec![(Seen::default(), 0); self.grants.len()],
            ..Tally::default()
        }
    }

    /// The subjects a role ARN (`arn:aws:iam::111122223333:role/path/name`)
    /// is, with its partition and account.
    pub(crate) fn subjects_of<'a>(
        &'a self,
        arn: &'a str,
    ) -> Option<(&'a [usize], &'a str, &'a str)> {
        let mut parts = arn.splitn(6, ':');
        let (Some("arn"), Some(partition), Some("iam"), Some(""), Some(account), Some(resource)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return None;
        };
        let role = resource.strip_prefix("role")?;
        let found = self.by_name.get(role)?;
        Some((found, partition, account))
    }

    /// Tally one record read from a file: a task start, or a call.
    ///
    /// # Errors
    /// A record whose `eventTime` is not a time.
    pub fn add_record(&self, tally: &mut Tally, record: Record) -> Result<(), Error> {
        let Some(t) = seconds(&record.time) else {
            return Err(Error::Invalid {
                at: record.at.clone(),
                field: "eventTime".to_owned(),
                problem: Box::new(Problem::CloudTrailTime {
                    value: record.time.clone(),
                }),
            });
        };
        if !self.window.holds(t) {
            return Ok(());
        }
        tally.records += 1;
        match &mut tally.coverage {
            None => tally.coverage = Some((record.time.clone(), record.time.clone())),
            Some((first, last)) => {
                if record.time < *first {
                    first.clone_from(&record.time);
                }
                if record.time > *last {
                    last.clone_from(&record.time);
                }
            }
        }
        let shown = Shown {
            category: record.category.clone(),
            source: record.source.clone(),
            name: record.name.clone(),
            read_only: record.read_only,
        };
        if !tally.shown.contains(&shown) {
            tally.shown.insert(shown);
        }
        if is_task_start(&record) {
            let text = |k: &str| {
                record
                    .request
                    .get(k)
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_owned)
            };
            if let (Some(role), Some(session)) = (text("roleArn"), text("roleSessionName"))
                && self.subjects_of(&role).is_some()
            {
                let entry = tally.sessions.entry(role).or_default();
                entry.0.insert(session);
                entry.1.add(&Observed::one(record));
            }
            return Ok(());
        }
        self.add_calls(tally, &Observed::one(record));
        Ok(())
    }

    /// Tally task starts counted elsewhere (an Athena result).
    pub fn add_task_starts(&self, tally: &mut Tally, starts: &TaskStarts) {
        if self.subjects_of(&starts.role).is_none() {
            return;
        }
        let entry = tally.counted_starts.entry(starts.role.clone()).or_default();
        entry.0 += starts.tasks;
        entry.1.merge(&Seen {
            count: starts.tasks,
            first: starts.first.clone(),
            last: starts.last.clone(),
            example: None,
        });
    }

    /// Tally the kinds of events and the time the evidence shows, counted
    /// elsewhere (an Athena result).
    pub fn add_shown(
        &self,
        tally: &mut Tally,
        coverage: Option<(String, String)>,
        records: u64,
        shown: &BTreeSet<Shown>,
    ) {
        tally.records += records;
        if let Some((first, last)) = coverage {
            merge_coverage(&mut tally.coverage, (first, last));
        }
        tally.shown.extend(shown.iter().cloned());
    }

    /// Tally what an Athena result holds: the time and kinds of events it
    /// shows, the task starts, and the calls, already counted.
    pub fn add_evidence(&self, tally: &mut Tally, evidence: &Evidence) {
        self.add_shown(
            tally,
            evidence.coverage.clone(),
            evidence.records,
            &evidence.shown,
        );
        for starts in &evidence.task_starts {
            self.add_task_starts(tally, starts);
        }
        for o in &evidence.calls {
            self.add_calls(tally, o);
        }
    }

    /// The roles an Athena query asks about.
    #[must_use]
    pub fn athena_roles(&self) -> Vec<crate::athena::RoleName> {
        let mut out: Vec<crate::athena::RoleName> = self
            .subjects
            .iter()
            .map(|s| crate::athena::RoleName {
                path: s.path.clone(),
                name: s.name.clone(),
                account: s.account.clone(),
                partition: s.partition,
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Tally calls recorded alike.
    pub fn add_calls(&self, tally: &mut Tally, o: &Observed) {
        let record = &o.record;
        let Some(issuer) = record.issuer.as_deref() else {
            return;
        };
        let Some((subjects, partition, account)) = self.subjects_of(issuer) else {
            return;
        };
        let action = match called(&record.source, &record.name) {
            Called::Action(a) => a,
            Called::Unmapped { source, name } => {
                for &s in subjects {
                    if self.pins_match(s, partition, account) {
                        let key = listed(&tally.unmapped, (s, source.clone(), name.clone()));
                        tally.unmapped.entry(key).or_default().add(o);
                    }
                }
                return;
            }
        };
        if NEEDS_NO_PERMISSION.contains(&action.as_str()) {
            return;
        }
        let targets = resources(record, &action);
        let region = record
            .region
            .as_deref()
            .filter(|r| crate::arn::is_region(r))
            .unwrap_or("*");
        let resource = targets.as_ref().map(|t| t.join(" "));
        let denied = is_denied(record.error.as_deref());
        // Every subject the role is: the grants of each that allow the call.
        let mut proven: Vec<(usize, Vec<(usize, bool)>)> = Vec::new();
        for &s in subjects {
            if !self.pins_match(s, partition, account) {
                continue;
            }
            *tally.calls.entry(s).or_default() += o.count;
            let subject = &self.subjects[s];
            let key = (
                s,
                partition.to_owned(),
                account.to_owned(),
                region.to_owned(),
            );
            let patterns = tally.bound.entry(key).or_insert_with(|| {
                self.grants[subject.grants.clone()]
                    .iter()
                    .map(|g| bind(&g.resource, partition, account, region))
                    .collect()
            });
            let mut mine = Vec::new();
            for (i, g) in self.grants[subject.grants.clone()].iter().enumerate() {
                if !action_matches(&g.action, &action) {
                    continue;
                }
                let matches = match &targets {
                    None => true,
                    Some(list) => list.iter().any(|r| resource_matches(&patterns[i], r)),
                };
                if matches {
                    // A grant on `*` takes any resource: the record need
                    // not name one.
                    let unrecorded = targets.is_none() && patterns[i] != "*";
                    mine.push((subject.grants.start + i, unrecorded));
                }
            }
            proven.push((s, mine));
        }
        let by = proven.iter().find_map(|(_, m)| m.first().map(|(g, _)| *g));
        for (s, mine) in proven {
            if denied {
                let key = listed(&tally.denied, (s, action.clone(), resource.clone()));
                let entry = tally.denied.entry(key).or_default();
                entry.0.add(o);
                entry.1 = match (entry.1, by) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                continue;
            }
            for (g, unrecorded) in mine {
                let entry = &mut tally.grants[g];
                entry.0.add(o);
                if unrecorded {
                    entry.1 += o.count;
                }
            }
            if by.is_none() {
                let key = listed(&tally.unexplained, (s, action.clone(), resource.clone()));
                tally.unexplained.entry(key).or_default().add(o);
            }
        }
    }

    /// Whether a call of `partition` and `account` may be the subject's:
    /// the spec's own values, when it pins them.
    pub(crate) fn pins_match(&self, s: usize, partition: &str, account: &str) -> bool {
        let subject = &self.subjects[s];
        subject.account.as_deref().is_none_or(|a| a == account)
            && subject.partition.is_none_or(|p| p.as_str() == partition)
    }

    /// Tally the record files `paths` name (folders walked), files read
    /// and parsed in parallel, each dropped once tallied; a progress line
    /// while many are read.
    ///
    /// # Errors
    /// The problems of the first files (in name order) that cannot be
    /// read, or whose records are not CloudTrail's.
    pub fn read(&self, paths: &[std::path::PathBuf]) -> Result<Vec<Tally>, Error> {
        let mut files = Vec::new();
        for p in paths {
            files.extend(crate::cloudtrail::records::files(p)?);
        }
        let progress = crate::progress::Progress::new(
            "reading CloudTrail records:",
            "files",
            files.len(),
            files.len() > 50,
        );
        let tallies = crate::parallel::fold(
            &files,
            || (self.tally(), Vec::new()),
            |(tally, errors), i, file| {
                let outcome = crate::cloudtrail::records::read_file(
                    file,
                    crate::cloudtrail::records::MAX_INFLATED_BYTES,
                )
                .and_then(|records| {
                    let mut problems = Vec::new();
                    for r in records {
                        if let Err(e) = self.add_record(tally, r) {
                            problems.push(e);
                        }
                    }
                    Error::several(problems).map_or(Ok(()), Err)
                });
                if let Err(e) = outcome {
                    errors.push((i, e));
                }
                progress.tick();
            },
        );
        progress.finish();
        let mut out = Vec::new();
        let mut errors = Vec::new();
        for (t, e) in tallies {
            out.push(t);
            errors.extend(e);
        }
        errors.sort_by_key(|(i, _)| *i);
        match Error::several(errors.into_iter().map(|(_, e)| e).collect()) {
            Some(e) => Err(e),
            None => Ok(out),
        }
    }

    /// The report of what was tallied; what the trail logs from its event
    /// selectors when given, or else from what the records show.
    #[must_use]
    pub fn report(
        &self,
        tallies: Vec<Tally>,
        selectors: Option<&Selectors>,
        last_accessed: &[LastAccessed],
    ) -> Report {
        let mut all = self.tally();
        for t in tallies {
            all.merge(t);
        }
        let shown = all.shown.clone();
        let visibility = |action: &str, resource: &str| -> Result<Option<String>, String> {
            let class = logged::class(action);
            if let logged::Class::Never { why } = &class {
                return Err(format!("never logged: {why}"));
            }
            let answer = match selectors {
                Some(s) => s.logs(action, &class, Some(resource)),
                None => logged::shown_logs(&shown, &class),
            };
            match answer {
                logged::Logged::Yes => Ok(match (selectors, class) {
                    (None, logged::Class::Data { resource_type, .. }) => Some(format!(
                        "the records show `{resource_type}` data events of this side, taken as selected for this resource too (--event-selectors would say)"
                    )),
                    _ => None,
                }),
                logged::Logged::No { why } | logged::Logged::Partly { why } => Err(why),
            }
        };
        let mut report = report::build(self, &all, &visibility);
        evidence::apply(self, &mut report, last_accessed);
        report
    }
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        self.records += other.records;
        if let Some(c) = other.coverage {
            merge_coverage(&mut self.coverage, c);
        }
        self.shown.extend(other.shown);
        for (mine, theirs) in self.grants.iter_mut().zip(other.grants) {
            mine.0.merge(&theirs.0);
            mine.1 += theirs.1;
        }
        for (k, (v, by)) in other.denied {
            let k = listed(&self.denied, k);
            let entry = self.denied.entry(k).or_default();
            entry.0.merge(&v);
            entry.1 = match (entry.1, by) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        for (k, v) in other.unexplained {
            let k = listed(&self.unexplained, k);
            self.unexplained.entry(k).or_default().merge(&v);
        }
        for (k, v) in other.unmapped {
            let k = listed(&self.unmapped, k);
            self.unmapped.entry(k).or_default().merge(&v);
        }
        for (k, (ids, seen)) in other.sessions {
            let entry = self.sessions.entry(k).or_default();
            entry.0.extend(ids);
            entry.1.merge(&seen);
        }
        for (k, (n, seen)) in other.counted_starts {
            let entry = self.counted_starts.entry(k).or_default();
            entry.0 += n;
            entry.1.merge(&seen);
        }
        for (k, n) in other.calls {
            *self.calls.entry(k).or_default() += n;
        }
    }
}

/// The most calls of distinct resources listed apart, per kind (refused,
/// not granted): past them, one line per role and action counts the rest,
/// so that memory stays flat however many objects a role touched.
pub const MAX_LISTED: usize = 1000;

/// What stands for the calls past [`MAX_LISTED`].
pub const OTHER_RESOURCES: &str = "(other resources: at most 1000 are listed)";

/// What stands for the operations past [`MAX_LISTED`] unmapped ones.
pub const OTHER_OPERATIONS: &str = "(other operations: at most 1000 are listed)";

/// A key of the calls listed apart, whose last part [`listed`] may fold.
trait Listed: Ord + Sized {
    fn folded(self) -> Self;
}

impl Listed for CallKey {
    fn folded(self) -> Self {
        (self.0, self.1, Some(OTHER_RESOURCES.to_owned()))
    }
}

impl Listed for (usize, String, String) {
    fn folded(self) -> Self {
        (self.0, self.1, OTHER_OPERATIONS.to_owned())
    }
}

/// `key`, or its role and action (or event source) on
/// [`OTHER_RESOURCES`] ([`OTHER_OPERATIONS`]) once the map lists
/// [`MAX_LISTED`] others.
fn listed<K: Listed, V>(map: &BTreeMap<K, V>, key: K) -> K {
    if map.len() < MAX_LISTED || map.contains_key(&key) {
        key
    } else {
        key.folded()
    }
}

fn merge_coverage(coverage: &mut Option<(String, String)>, (first, last): (String, String)) {
    match coverage {
        None => *coverage = Some((first, last)),
        Some((f, l)) => {
            if first < *f {
                *f = first;
            }
            if last > *l {
                *l = last;
            }
        }
    }
}

/// Actions every principal may call, whatever its policies: AWS's STS
/// documentation ("no permissions are required to perform this
/// operation").
const NEEDS_NO_PERMISSION: &[&str] = &["sts:GetCallerIdentity"];

/// Whether a record is ECS assuming a task's role.
#[must_use]
pub fn is_task_start(record: &Record) -> bool {
    record.source == "sts.amazonaws.com"
        && record.name == "AssumeRole"
        && record.invoked_by.as_deref() == Some(crate::model::ECS_TASKS)
        // A refused assumption starts no task.
        && record.error.is_none()
}

/// Whether an `errorCode` says the call was refused for want of
/// permission (rather than failing after it was allowed).
#[must_use]
pub fn is_denied(error: Option<&str>) -> bool {
    error.is_some_and(|e| {
        e.ends_with("AccessDenied")
            || e.ends_with("AccessDeniedException")
            || e.ends_with("UnauthorizedOperation")
            || e == "AuthorizationError"
            || e == "AuthorizationErrorException"
    })
}

/// A grant's resource with the call's values in place of its symbols; an
/// input matches anything in its place.
fn bind(text: &Text, partition: &str, account: &str, region: &str) -> String {
    let mut out = String::new();
    for s in text.segments() {
        match s {
            Segment::Literal(l) => out.push_str(l),
            Segment::Partition => out.push_str(partition),
            Segment::Account => out.push_str(account),
            Segment::Region => out.push_str(region),
            Segment::Input(_) => out.push('*'),
        }
    }
    out
}

/// Where the spec writes `path`, or the file's start.
fn field_at(source: &Source, path: &str) -> Location {
    // An origin may say which value of the field (`task_role.s3[0].access:
    // read`): the field is before it.
    let path = path.split_once(": ").map_or(path, |(field, _)| field);
    source
        .locations
        .get(path)
        .unwrap_or_else(|| source.locations.location(1, 1))
}

/// Seconds since the Unix epoch of a time as CloudTrail writes it
/// (`2026-12-01T10:00:00Z`, fractions of a second allowed) or a date
/// (`2026-12-01`, its midnight).
#[must_use]
pub fn seconds(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let digits = text.get(r)?;
        if digits.bytes().all(|c| c.is_ascii_digit()) {
            digits.parse().ok()
        } else {
            None
        }
    };
    if bytes.len() < 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let midnight = days_from_civil(year, month, day) * 86_400;
    if bytes.len() == 10 {
        return Some(midnight);
    }
    if bytes.len() < 20
        || bytes[10] != b'T'
        || bytes[13] != b':'
        || bytes[16] != b':'
        || !text.ends_with('Z')
    {
        return None;
    }
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let fraction = &text[19..text.len() - 1];
    if !(fraction.is_empty()
        || (fraction.len() > 1
            && fraction.starts_with('.')
            && fraction[1..].bytes().all(|c| c.is_ascii_digit())))
    {
        return None;
    }
    Some(midnight + hour * 3600 + minute * 60 + second)
}

/// A time as CloudTrail writes it (`2026-12-01T10:00:00Z`), of seconds
/// since the Unix epoch.
#[must_use]
pub fn time_text(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rest = secs.rem_euclid(86_400);
    // Howard Hinnant's `civil_from_days`.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(seconds("1970-01-01"), Some(0));
        assert_eq!(seconds("1970-01-02T00:00:01Z"), Some(86_401));
        assert_eq!(seconds("2026-12-01T10:00:00Z"), Some(1_796_119_200));
        assert_eq!(seconds("2026-12-01T10:00:00.123Z"), Some(1_796_119_200));
        assert_eq!(seconds("2024-02-29"), Some(1_709_164_800));
        for bad in [
            "2023-02-29",
            "2026-13-01",
            "2026-12-01T10:00:00",
            "2026-12-01T24:00:00Z",
            "2026-12-01 10:00:00Z",
            "2026-12-01T10:00:00.Z",
            "yesterday",
            "",
        ] {
            assert_eq!(seconds(bad), None, "{bad}");
        }
    }

    #[test]
    fn times_written_back() {
        for t in [
            "1970-01-01T00:00:00Z",
            "2024-02-29T23:59:59Z",
            "2026-12-01T10:00:00Z",
            "2000-03-01T00:00:01Z",
            "1969-12-31T23:59:59Z",
        ] {
            assert_eq!(time_text(seconds(t).unwrap()), t);
        }
    }

    #[test]
    fn listing_is_bounded() {
        let mut map: BTreeMap<CallKey, u64> = BTreeMap::new();
        for i in 0..MAX_LISTED + 5 {
            let key = listed(&map, (0, "s3:GetObject".to_owned(), Some(format!("o{i}"))));
            *map.entry(key).or_default() += 1;
        }
        assert_eq!(map.len(), MAX_LISTED + 1);
        assert_eq!(
            map[&(
                0,
                "s3:GetObject".to_owned(),
                Some(OTHER_RESOURCES.to_owned())
            )],
            5
        );
        // One listed already is counted as itself.
        let key = listed(&map, (0, "s3:GetObject".to_owned(), Some("o3".to_owned())));
        assert_eq!(key.2.as_deref(), Some("o3"));
    }

    #[test]
    fn denials() {
        for e in [
            "AccessDenied",
            "AccessDeniedException",
            "Client.UnauthorizedOperation",
            "AuthorizationError",
        ] {
            assert!(is_denied(Some(e)), "{e}");
        }
        for e in [
            "NoSuchKey",
            "ResourceNotFoundException",
            "ThrottlingException",
        ] {
            assert!(!is_denied(Some(e)), "{e}");
        }
        assert!(!is_denied(None));
    }

    #[test]
    fn binding() {
        let mut t = Text::default();
        t.push_str("arn:");
        t.push(Segment::Partition);
        t.push_str(":secretsmanager:");
        t.push(Segment::Region);
        t.push_str(":");
        t.push(Segment::Account);
        t.push_str(":secret:");
        t.push(Segment::Input(
            crate::arn::InputName::parse("Env").expect("a name"),
        ));
        t.push_str("/db-*");
        assert_eq!(
            bind(&t, "aws-cn", "111122223333", "cn-north-1"),
            "arn:aws-cn:secretsmanager:cn-north-1:111122223333:secret:*/db-*"
        );
    }
}
