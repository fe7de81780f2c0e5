//! Reviewing a change across workloads: the generated output of a base and
//! of a change (folders on disk, specs rendered in memory, or specs at a git
//! revision), paired by workload name and compared file by file and grant by
//! grant, in one report with one verdict.
//!
//! A review never passes on something it did not compare: a folder holding
//! no generated output is an error, a workload only in the change is new
//! (everything it grants is broadening) and one only in the base was removed.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::Error;
use crate::escape;
use crate::files::{Files, TEMPLATE_FILE};
use crate::model::Role;
use crate::render::readback;
use crate::render::{self, Templates};
use crate::report::{DiffReport, FullSummary};
use crate::spec_tree::{Reach, SpecTree};
use crate::{file_diff, files, grant_diff};

/// One workload's generated output: its files and the roles they declare.
#[derive(Debug, Clone)]
pub struct Workload {
    /// The spec's `name`: the folder name under `render --out`.
    pub name: String,
    /// Where it comes from, for the report (a folder or a spec).
    pub origin: String,
    /// Rendered from a spec rather than read from a folder.
    pub is_spec: bool,
    pub files: Files,
    /// The roles, or `None` until read back from the folder's
    /// `cloudformation.yaml` (two identical folders never need it).
    pub roles: Option<Vec<Role>>,
    /// The task definitions' fields the ECS API would reject
    /// (`orders.json:12:7: ...`), for `render` to print.
    pub warnings: Vec<String>,
}

impl Workload {
    /// A workload rendered from a spec in memory.
    #[must_use]
    pub fn rendered(origin: String, model: crate::model::Model, files: Files) -> Self {
        Workload {
            name: model.name,
            origin,
            is_spec: true,
            files,
            roles: Some(model.roles),
            warnings: Vec::new(),
        }
    }

    /// A generated workload folder's files; its roles are read back when a
    /// comparison needs them.
    ///
    /// # Errors
    /// A file cannot be read.
    pub fn read(name: String, dir: &Path) -> Result<Self, Error> {
        Ok(Workload {
            name,
            origin: escape::path(dir),
            is_spec: false,
            files: files::read_tree(dir)?,
            roles: None,
            warnings: Vec::new(),
        })
    }

    /// The roles. Without `cloudformation.yaml` a folder declares none:
    /// everything the other side grants counts as new.
    ///
    /// # Errors
    /// `cloudformation.yaml` is not one ecs-iam could have written.
    pub fn roles(&self) -> Result<Vec<Role>, Error> {
        if let Some(roles) = &self.roles {
            return Ok(roles.clone());
        }
        match self.files.get(TEMPLATE_FILE) {
            Some(template) => {
                readback::parse(&Path::new(&self.origin).join(TEMPLATE_FILE), template)
            }
            None => Ok(Vec::new()),
        }
    }
}

/// What a folder given to `diff` holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Generated {
    /// Nothing there: a base before its first rendering.
    Missing,
    /// One workload's output (`cloudformation.yaml` and the rest).
    Workload,
    /// Workload folders by name, as `render --out DIR` writes them.
    Tree(BTreeMap<String, PathBuf>),
}

/// Look at a folder given to `diff`.
///
/// # Errors
/// It is not a folder, cannot be read, or holds no generated output.
pub fn classify(dir: &Path) -> Result<Generated, Error> {
    if !dir.exists() {
        return Ok(Generated::Missing);
    }
    if !dir.is_dir() {
        return Err(Error::NotAFolder {
            path: dir.to_owned(),
            what: "is not a folder of generated output",
        });
    }
    if dir.join(TEMPLATE_FILE).is_file() {
        return Ok(Generated::Workload);
    }
    let tree = workload_folders(dir)?;
    if tree.is_empty() {
        return Err(Error::NoOutput {
            path: dir.to_owned(),
        });
    }
    Ok(Generated::Tree(tree))
}

/// The workload folders directly under `dir`, by name. Hidden folders (a
/// render's staging folders) are not workloads.
///
/// # Errors
/// `dir` cannot be read.
pub fn workload_folders(dir: &Path) -> Result<BTreeMap<String, PathBuf>, Error> {
    let read_err = |source| Error::Read {
        path: dir.to_owned(),
        source,
    };
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).map_err(read_err)? {
        let entry = entry.map_err(read_err)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if !name.starts_with('.') && path.join(TEMPLATE_FILE).is_file() {
            out.insert(name, path);
        }
    }
    Ok(out)
}

/// Read every workload of a tree, on all cores.
///
/// # Errors
/// The first workload that cannot be read.
pub fn read_tree(tree: &BTreeMap<String, PathBuf>) -> Result<Vec<Workload>, Error> {
    let items: Vec<(&String, &PathBuf)> = tree.iter().collect();
    crate::parallel::map(&items, |(name, dir)| Workload::read((*name).clone(), dir))
        .into_iter()
        .collect()
}

/// Compare one workload's base and change (either may be absent).
///
/// # Errors
/// A side's `cloudformation.yaml` cannot be read back.
pub fn compare(
    old: Option<&Workload>,
    new: Option<&Workload>,
) -> Result<(file_diff::Report, Vec<grant_diff::RoleChanges>), Error> {
    let empty = Files::new();
    let files = file_diff::compare(
        old.map_or(&empty, |w| &w.files),
        new.map_or(&empty, |w| &w.files),
    );
    let roles = |w: Option<&Workload>| w.map_or_else(|| Ok(Vec::new()), Workload::roles);
    // Identical files declare identical roles: nothing to read back.
    let (old_roles, new_roles) = if old.is_some() && new.is_some() && files.in_sync() {
        let roles = roles(new)?;
        (roles.clone(), roles)
    } else {
        (roles(old)?, roles(new)?)
    };
    Ok((files, grant_diff::compare(&old_roles, &new_roles)))
}

/// How a workload fares in a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Only in the change.
    New,
    /// Only in the base.
    Removed,
    /// In both, with some difference.
    Changed,
    /// In both, identical.
    Unchanged,
}

impl Status {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Removed => "removed",
            Status::Changed => "changed",
            Status::Unchanged => "unchanged",
        }
    }
}

/// One workload's part of a review.
#[derive(Debug)]
pub struct WorkloadReview {
    pub name: String,
    pub status: Status,
    pub report: DiffReport,
}

impl Serialize for WorkloadReview {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Row<'a> {
            name: &'a str,
            status: Status,
            old: &'a str,
            new: &'a str,
            summary: &'a FullSummary,
            files: &'a crate::report::Files,
            roles: &'a [grant_diff::RoleChanges],
        }
        Row {
            name: &self.name,
            status: self.status,
            old: &self.report.old,
            new: &self.report.new,
            summary: &self.report.summary,
            files: &self.report.files,
            roles: &self.report.roles,
        }
        .serialize(serializer)
    }
}

/// Workloads by status.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct WorkloadCounts {
    pub new: usize,
    pub removed: usize,
    pub changed: usize,
    pub unchanged: usize,
}

/// Totals of a review.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct ReviewSummary {
    pub workloads: WorkloadCounts,
    /// IAM changes and file differences of all workloads together.
    #[serde(flatten)]
    pub totals: FullSummary,
}

/// A change compared workload by workload.
#[derive(Debug, Serialize)]
pub struct Review {
    /// JSON schema version of this report.
    pub version: u32,
    /// What the report covers: `workloads`.
    pub kind: &'static str,
    /// The base and the change, as given.
    pub old: String,
    pub new: String,
    pub summary: ReviewSummary,
    /// Every workload of either side, by name.
    pub workloads: Vec<WorkloadReview>,
}

/// A workload's base and change; either may be absent.
type Pair = (Option<Workload>, Option<Workload>);

/// Pair the workloads of both sides by name and compare each pair.
///
/// # Errors
/// A `cloudformation.yaml` cannot be read back.
pub fn review(
    old_label: String,
    new_label: String,
    old: Vec<Workload>,
    new: Vec<Workload>,
) -> Result<Review, Error> {
    let mut pairs: BTreeMap<String, Pair> = BTreeMap::new();
    for w in old {
        let name = w.name.clone();
        pairs.entry(name).or_default().0 = Some(w);
    }
    for w in new {
        let name = w.name.clone();
        pairs.entry(name).or_default().1 = Some(w);
    }
    let pairs: Vec<(String, Pair)> = pairs.into_iter().collect();
    let workloads = crate::parallel::map(&pairs, |(name, (o, n))| {
        let (files, roles) = compare(o.as_ref(), n.as_ref())?;
        let label = |w: &Option<Workload>, side: &str| {
            w.as_ref()
                .map_or_else(|| format!("{side}/{name}"), |w| w.origin.clone())
        };
        let mut report = DiffReport::new(label(o, &old_label), label(n, &new_label), &files, roles);
        report.new_is_spec = n.as_ref().is_some_and(|w| w.is_spec);
        report.old_is_spec = o.as_ref().is_some_and(|w| w.is_spec);
        let status = match (o, n) {
            (None, _) => Status::New,
            (_, None) => Status::Removed,
            _ if report.in_sync() => Status::Unchanged,
            _ => Status::Changed,
        };
        Ok(WorkloadReview {
            name: name.clone(),
            status,
            report,
        })
    })
    .into_iter()
    .collect::<Result<Vec<_>, Error>>()?;
    let mut summary = ReviewSummary::default();
    for w in &workloads {
        match w.status {
            Status::New => summary.workloads.new += 1,
            Status::Removed => summary.workloads.removed += 1,
            Status::Changed => summary.workloads.changed += 1,
            Status::Unchanged => summary.workloads.unchanged += 1,
        }
        let s = &w.report.summary;
        summary.totals.add(s);
    }
    Ok(Review {
        version: 1,
        kind: "workloads",
        old: old_label,
        new: new_label,
        summary,
        workloads,
    })
}

impl Review {
    /// Every workload is on both sides and identical.
    #[must_use]
    pub fn in_sync(&self) -> bool {
        self.workloads.iter().all(|w| w.status == Status::Unchanged)
    }

    /// Some workload grants more than before.
    #[must_use]
    pub fn broadens(&self) -> bool {
        self.summary.totals.iam.broadening > 0
    }

    fn iam_line(&self) -> String {
        crate::report::iam_line(&self.summary.totals.iam)
    }

    fn workloads_line(&self) -> String {
        let w = &self.summary.workloads;
        let total = self.workloads.len();
        format!(
            "{total} workload{}: {} new, {} removed, {} changed, {} unchanged",
            if total == 1 { "" } else { "s" },
            w.new,
            w.removed,
            w.changed,
            w.unchanged
        )
    }

    /// One line: workloads and IAM changes in numbers.
    #[must_use]
    pub fn summary_line(&self) -> String {
        let (old, new) = (
            crate::escape::terminal(&self.old),
            crate::escape::terminal(&self.new),
        );
        if self.in_sync() {
            format!("`{old}` is in sync with `{new}`: {}", self.workloads_line())
        } else {
            format!(
                "`{old}` differs from `{new}`: {}; IAM: {}",
                self.workloads_line(),
                self.iam_line()
            )
        }
    }

    /// The text report: a section per workload that differs (a new or
    /// removed one shows its grants, not its files), then the totals.
    #[must_use]
    pub fn text(&self, color: bool) -> String {
        let mut out = String::new();
        for w in self
            .workloads
            .iter()
            .filter(|w| w.status != Status::Unchanged)
        {
            let _ = writeln!(
                out,
                "== workload `{}` ({})",
                crate::escape::terminal(&w.name),
                w.status.as_str()
            );
            out.push_str(&w.report.body_text(color, w.status == Status::Changed));
        }
        out.push_str(&self.summary_line());
        out.push('\n');
        out
    }

    /// A pull-request comment: the verdict, then a section per workload
    /// that differs.
    #[must_use]
    pub fn markdown(&self) -> String {
        let headline = crate::report::headline(&self.summary.totals.iam);
        let mut out = format!("### ecs-iam: {headline}\n\n{}\n\n", self.workloads_line());
        for w in self
            .workloads
            .iter()
            .filter(|w| w.status != Status::Unchanged)
        {
            let _ = writeln!(
                out,
                "#### workload <code>{}</code> ({})\n",
                crate::report::html(&w.name),
                w.status.as_str()
            );
            out.push_str(
                &w.report
                    .markdown_sections("#####", w.status == Status::Changed),
            );
        }
        out
    }

    /// The JSON report (schema version 1, documented in docs/reviewing-changes.md).
    #[must_use]
    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }
}

/// What `diff` compared: one workload, or several paired by name.
pub enum Outcome {
    One(DiffReport),
    Many(Review),
}

/// What [`render_workloads`] keeps of each workload besides its files: a
/// batch `render` needs only the files, and its roles would hold several
/// times their size in memory until every spec is rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// The files alone (`render`).
    Files,
    /// The files and the roles (`diff`, which compares them).
    Roles,
}

/// Render specs (read from disk, or given as bytes read at a git revision)
/// in memory, on all cores, refusing two with one name; `reach` says where
/// the task definitions they name may be.
///
/// # Errors
/// The first spec, in order, that cannot be rendered; two specs with one
/// name.
pub fn render_workloads(
    specs: &[(PathBuf, Option<Vec<u8>>)],
    templates: &Templates,
    reach: Reach,
    keep: Keep,
    done: &(dyn Fn() + Sync),
) -> Result<Vec<Workload>, Error> {
    let results = crate::parallel::map(specs, |(path, bytes)| {
        let source = match bytes {
            Some(b) => {
                let mut source = crate::spec::from_bytes(path, b.clone())?;
                // The spec's label is `<rev>:<path>`; a spec at the
                // repository's root has no folder to carry the `<rev>:`.
                let label = path.to_string_lossy().into_owned();
                let (rev, in_repo) = label.split_once(':').unwrap_or(("", &label));
                // Generated files name the spec's file as the working
                // tree's rendering does, without the revision.
                if let Some(name) = Path::new(in_repo).file_name() {
                    source.file_name = name.to_string_lossy().into_owned();
                }
                let tree = (reach == Reach::Tree).then(|| SpecTree::at_revision(rev, in_repo));
                source.read_task_definitions(
                    &|p| {
                        let p = p.to_string_lossy();
                        if p.starts_with(&format!("{rev}:")) {
                            crate::git::file_at_label(Path::new(p.as_ref()))
                        } else {
                            crate::git::file_at_label(Path::new(&format!("{rev}:{p}")))
                        }
                    },
                    tree.as_ref(),
                )?;
                source
            }
            None => crate::spec::load(path, reach)?,
        };
        let model = crate::model::build(&source)?;
        let files = render::render(&model, templates)?;
        if keep == Keep::Files {
            // `render` writes these files: each is read back first.
            render::selfcheck::check(path, &model, &files, templates)?;
        }
        done();
        let mut w = Workload::rendered(escape::path(path), model, files);
        if keep == Keep::Files {
            w.roles = None;
        }
        w.warnings = source
            .task_definitions
            .iter()
            .flat_map(|t| &t.warnings)
            .map(|w| format!("{}: warning: {w}", w.at))
            .collect();
        Ok::<_, Error>(w)
    });
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut out = Vec::new();
    for ((path, _), result) in specs.iter().zip(results) {
        let w = result?;
        if let Some(first) = seen.get(&w.name) {
            return Err(Error::DuplicateName {
                name: w.name,
                first: first.clone(),
                second: path.clone(),
            });
        }
        seen.insert(w.name.clone(), path.clone());
        out.push(w);
    }
    Ok(out)
}

/// Specs against what `render --out DIR` wrote: one spec file gives one
/// workload's report, several (or a folder) a report per workload.
///
/// # Errors
/// A spec cannot be rendered, or a folder cannot be read.
pub fn against_output(
    paths: &[PathBuf],
    against: Option<&Path>,
    templates: &Templates,
    reach: Reach,
) -> Result<Outcome, Error> {
    let single = paths.len() == 1 && !paths[0].is_dir();
    let specs: Vec<(PathBuf, Option<Vec<u8>>)> = crate::spec::find_specs(paths)?
        .into_iter()
        .map(|p| (p, None))
        .collect();
    let rendered = render_workloads(&specs, templates, reach, Keep::Roles, &|| {})?;
    let parent = against.unwrap_or_else(|| Path::new("outputs"));
    if let Some(dir) = against
        && dir.join(TEMPLATE_FILE).is_file()
        && let Some(w) = rendered.iter().find(|w| !dir.join(&w.name).exists())
    {
        return Err(Error::AgainstWorkload {
            dir: dir.to_owned(),
            name: w.name.clone(),
        });
    }
    if parent.exists() && !parent.is_dir() {
        return Err(Error::NotAFolder {
            path: parent.to_owned(),
            what: "is not a folder",
        });
    }
    let mut on_disk = Vec::new();
    for w in &rendered {
        let dir = parent.join(&w.name);
        if dir.exists() {
            if !dir.is_dir() {
                return Err(Error::NotAFolder {
                    path: dir,
                    what: "is not a folder",
                });
            }
            on_disk.push(Workload::read(w.name.clone(), &dir)?);
        }
    }
    if single {
        let new = &rendered[0];
        let dir = parent.join(&new.name);
        let (files, roles) = compare(on_disk.first(), Some(new))?;
        let mut report =
            DiffReport::new(escape::path(&dir), escape::path(&paths[0]), &files, roles);
        report.new_is_spec = true;
        report.hint = Some("run `ecs-iam render` to update it".to_owned());
        return Ok(Outcome::One(report));
    }
    let label = paths
        .iter()
        .map(|p| escape::path(p))
        .collect::<Vec<_>>()
        .join(" ");
    Ok(Outcome::Many(review(
        escape::path(parent),
        label,
        on_disk,
        rendered,
    )?))
}

/// Two generated folders: two workload folders, or two folders of
/// workloads paired by name. A missing --old is output new in the change.
///
/// # Errors
/// A folder holds no output, the two are of different kinds, or one
/// cannot be read.
pub fn folders(old: &Path, new: &Path) -> Result<Outcome, Error> {
    let name = |dir: &Path| {
        dir.file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    };
    let old_kind = classify(old)?;
    let new_kind = classify(new)?;
    match (old_kind, new_kind) {
        (_, Generated::Missing) => Err(Error::BadPath {
            path: new.to_owned(),
            problem: "does not exist; --new names the generated output after the change".to_owned(),
        }),
        (Generated::Tree(_), Generated::Workload) => Err(Error::MixedFolders {
            workload: new.to_owned(),
            tree: old.to_owned(),
        }),
        (Generated::Workload, Generated::Tree(_)) => Err(Error::MixedFolders {
            workload: old.to_owned(),
            tree: new.to_owned(),
        }),
        (old_kind, Generated::Workload) => {
            let before = match old_kind {
                Generated::Workload => Some(Workload::read(name(old), old)?),
                _ => None,
            };
            let after = Workload::read(name(new), new)?;
            let (files, roles) = compare(before.as_ref(), Some(&after))?;
            Ok(Outcome::One(DiffReport::new(
                escape::path(old),
                escape::path(new),
                &files,
                roles,
            )))
        }
        (old_kind, Generated::Tree(after)) => {
            let before = match old_kind {
                Generated::Tree(t) => read_tree(&t)?,
                _ => Vec::new(),
            };
            Ok(Outcome::Many(review(
                escape::path(old),
                escape::path(new),
                before,
                read_tree(&after)?,
            )?))
        }
    }
}

/// The specs as they are at a git revision against the working tree, both
/// rendered in memory: added, removed and renamed spec files included.
///
/// # Errors
/// git cannot read the revision, or a spec cannot be rendered.
pub fn at_revision(
    rev: &str,
    paths: &[PathBuf],
    templates: &Templates,
    reach: Reach,
) -> Result<Outcome, Error> {
    let before: Vec<(PathBuf, Option<Vec<u8>>)> = crate::git::specs_at(rev, paths)?
        .into_iter()
        .map(|b| (b.label, Some(b.bytes)))
        .collect();
    // A path the change deletes names nothing in the working tree.
    let present: Vec<PathBuf> = paths.iter().filter(|p| p.exists()).cloned().collect();
    let after: Vec<(PathBuf, Option<Vec<u8>>)> = if present.is_empty() {
        Vec::new()
    } else {
        crate::spec::find_specs(&present)?
            .into_iter()
            .map(|p| (p, None))
            .collect()
    };
    if before.is_empty() && after.is_empty() {
        return Err(Error::BadPath {
            path: paths.first().cloned().unwrap_or_default(),
            problem: format!(
                "names no spec files (.yaml, .yml, .json) at `{rev}` nor in the working tree"
            ),
        });
    }
    let old = render_workloads(&before, templates, reach, Keep::Roles, &|| {})?;
    let new = render_workloads(&after, templates, reach, Keep::Roles, &|| {})?;
    Ok(Outcome::Many(review(
        rev.to_owned(),
        "the working tree".to_owned(),
        old,
        new,
    )?))
}
