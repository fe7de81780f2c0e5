//! The command line: argument parsing, and the one place that prints.

use std::collections::BTreeMap;
use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::{Parser, Subcommand};

use crate::check::{self, Severity};
use crate::error::{EXIT_DIFFERS, EXIT_ERROR, EXIT_OK, Error};
use crate::render::{Files, Templates};
use crate::report::DiffReport;
use crate::review::{Review, Workload};
use crate::{explain, files, presets, render};

/// Least-privilege IAM roles for Amazon ECS tasks, from one spec, as
/// CloudFormation, a Terraform module and CDK JSON.
#[derive(Debug, Parser)]
#[command(name = "ecs-iam", version)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render specs into CloudFormation, Terraform and CDK files.
    Render {
        /// Spec files (YAML or JSON), or folders of them.
        #[arg(required = true)]
        specs: Vec<PathBuf>,
        /// Parent folder of the outputs; each spec writes `<out>/<name>/`.
        #[arg(long, default_value = "outputs")]
        out: PathBuf,
        /// Folder of templates replacing the built-in ones of the same name.
        #[arg(long)]
        templates: Option<PathBuf>,
        /// Print the context the templates see (JSON) instead of writing.
        #[arg(long)]
        context: bool,
    },
    /// Compare what specs render with previously generated files, two
    /// generated folders, or the specs at a git revision, file by file and
    /// grant by grant.
    Diff {
        /// Spec files, or folders of them (or give --old and --new instead).
        #[arg(required_unless_present = "old", conflicts_with_all = ["old", "new"])]
        specs: Vec<PathBuf>,
        /// The folder `render --out` wrote: each spec is compared with
        /// `<DIR>/<name>` (default `outputs`).
        #[arg(long, conflicts_with_all = ["old", "new", "base"])]
        against: Option<PathBuf>,
        /// Compare with the same specs as they are at this git revision
        /// (e.g. the pull request's base), both rendered in memory.
        #[arg(long, value_name = "GIT_REF", conflicts_with_all = ["old", "new"])]
        base: Option<String>,
        /// Generated output before the change: a workload folder, or a
        /// folder of them (what `render --out` wrote).
        #[arg(long, requires = "new")]
        old: Option<PathBuf>,
        /// Generated output after the change, of the same kind as --old.
        #[arg(long, requires = "old")]
        new: Option<PathBuf>,
        /// Report format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Which differences exit with 1.
        #[arg(long, value_enum, default_value_t = FailOn::Any)]
        fail_on: FailOn,
        /// Folder of templates replacing the built-in ones of the same name.
        #[arg(long)]
        templates: Option<PathBuf>,
    },
    /// Least-privilege and limit findings on a spec and its rendering.
    Check {
        /// Spec files, or folders of them.
        #[arg(required = true)]
        specs: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
        /// Exit with 1 when a finding is at or above this severity.
        #[arg(long, value_enum, default_value_t = Severity::Error)]
        deny: Severity,
    },
    /// Every grant of both roles, and the spec field it comes from.
    Explain {
        /// The spec file.
        spec: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
        format: ExplainFormat,
    },
    /// Write a starter spec.
    Init {
        /// Which starter: ecs-basic, ecs-secrets-vpce, matillion-agent.
        #[arg(long, default_value = presets::DEFAULT)]
        preset: String,
        /// Where to write it (default `<preset>.yaml`; `-` for stdout).
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Print the JSON Schema of the spec format.
    Schema,
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// Report formats of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Plain text; coloured on a terminal unless NO_COLOR is set
    /// (CLICOLOR_FORCE=1 colours it anywhere).
    Text,
    /// A pull-request comment.
    Markdown,
    /// Machine-readable, schema version 1.
    Json,
}

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    /// One line per finding: `file:line:column: severity[rule]: message; fix: ...`.
    Text,
    /// A JSON array of findings.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
}

/// Output formats of `explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExplainFormat {
    /// An aligned table.
    Text,
    /// A JSON array of rows.
    Json,
}

/// Which differences make `diff` exit with 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Any difference, in files or in IAM.
    Any,
    /// Only a change that grants more access.
    Broadening,
    /// None: always exit 0 when the comparison ran.
    Never,
}

/// Run a command; returns the process exit code.
#[must_use]
pub fn run(args: Args) -> i32 {
    let result = match args.command {
        Command::Render {
            specs,
            out,
            templates,
            context,
        } => render_command(&specs, &out, templates.as_deref(), context),
        Command::Diff {
            specs,
            against,
            base,
            old,
            new,
            format,
            fail_on,
            templates,
        } => {
            let outcome = match (base, old, new) {
                (Some(base), _, _) => diff_base(&base, &specs, templates.as_deref()),
                (None, Some(old), Some(new)) => diff_folders(&old, &new),
                _ => diff_specs(&specs, against.as_deref(), templates.as_deref()),
            };
            outcome.map(|o| print_diff(&o, format, fail_on))
        }
        Command::Check {
            specs,
            format,
            deny,
        } => check_command(&specs, format, deny),
        Command::Explain { spec, format } => explain_command(&spec, format),
        Command::Init { preset, output } => init_command(&preset, output.as_deref()),
        Command::Completions { shell } => {
            let mut cmd = <Args as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "ecs-iam", &mut std::io::stdout());
            Ok(EXIT_OK)
        }
        Command::Schema => {
            let schema = schemars::schema_for!(crate::spec::Spec);
            let text = serde_json::to_string_pretty(&schema).unwrap_or_default();
            println!("{text}");
            Ok(EXIT_OK)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_ERROR
        }
    }
}

fn templates(dir: Option<&Path>) -> Result<Templates, Error> {
    match dir {
        Some(d) => Templates::with_overrides(d),
        None => Templates::embedded(),
    }
}

/// Spec files named on the command line, folders expanded to their
/// `.yaml`, `.yml` and `.json` files in name order.
fn expand_specs(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|source| Error::Read {
                    path: p.clone(),
                    source,
                })?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|f| {
                    f.is_file()
                        && f.extension()
                            .and_then(|e| e.to_str())
                            .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
                })
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(Error::NoSpecs { path: p.clone() });
            }
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// What `render` produced for one spec.
enum Rendering {
    Files(Files),
    /// With `--context`: what the templates would see.
    Context(serde_json::Value),
}

fn render_command(
    specs: &[PathBuf],
    out: &Path,
    template_dir: Option<&Path>,
    context: bool,
) -> Result<i32, Error> {
    let templates = templates(template_dir)?;
    let specs = expand_specs(specs)?;
    let progress = Progress::new(specs.len());
    // Each spec is parsed, built and rendered on its own; all cores share
    // the batch. Results keep the order of the specs, so the first error
    // reported is the first in that order.
    let results = crate::parallel::map(&specs, |spec| {
        let source = crate::spec::load(spec)?;
        let model = crate::model::build(&source)?;
        let out = if context {
            (
                model.name.clone(),
                Rendering::Context(render::context(&model, None).into_json()),
            )
        } else {
            (
                model.name.clone(),
                Rendering::Files(render::render(&model, &templates)?),
            )
        };
        progress.tick();
        Ok::<_, Error>(out)
    });
    progress.finish();
    let mut rendered: Vec<(PathBuf, PathBuf, Files)> = Vec::new();
    let mut contexts = Vec::new();
    let mut folders: BTreeMap<PathBuf, PathBuf> = BTreeMap::new();
    for (spec, result) in specs.iter().zip(results) {
        let (name, files) = result?;
        match files {
            Rendering::Context(json) => contexts.push(json),
            Rendering::Files(files) => {
                let dir = out.join(&name);
                if let Some(first) = folders.get(&dir) {
                    return Err(Error::DuplicateName {
                        name,
                        first: first.clone(),
                        second: spec.clone(),
                    });
                }
                folders.insert(dir.clone(), spec.clone());
                rendered.push((spec.clone(), dir, files));
            }
        }
    }
    if context {
        let value = if contexts.len() == 1 {
            contexts.remove(0)
        } else {
            serde_json::Value::Array(contexts)
        };
        println!(
            "{}",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        );
        return Ok(EXIT_OK);
    }
    let plan: Vec<(PathBuf, &Files)> = rendered.iter().map(|(_, d, f)| (d.clone(), f)).collect();
    files::write_outputs(&plan)?;
    let mut stdout = std::io::stdout().lock();
    for (spec, dir, files) in &rendered {
        let _ = writeln!(
            stdout,
            "{} -> {}/ ({} files)",
            spec.display(),
            dir.display(),
            files.len()
        );
    }
    Ok(EXIT_OK)
}

/// A progress line on stderr for batches of more than 50 specs, only when
/// stderr is a terminal.
struct Progress {
    total: usize,
    done: AtomicUsize,
    shown: bool,
}

impl Progress {
    fn new(total: usize) -> Self {
        Progress {
            total,
            done: AtomicUsize::new(0),
            shown: total > 50 && std::io::stderr().is_terminal(),
        }
    }

    fn tick(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if self.shown && (done.is_multiple_of(25) || done == self.total) {
            eprint!("\rrendering {done}/{} specs", self.total);
        }
    }

    fn finish(&self) {
        if self.shown {
            eprintln!();
        }
    }
}

/// What `diff` compared: one workload, or several paired by name.
enum Outcome {
    One(DiffReport),
    Many(Review),
}

/// Render specs in memory, on all cores, refusing two with one name.
fn render_workloads(
    specs: &[(PathBuf, Option<Vec<u8>>)],
    templates: &Templates,
) -> Result<Vec<Workload>, Error> {
    let results = crate::parallel::map(specs, |(path, bytes)| {
        let source = match bytes {
            Some(b) => crate::spec::from_bytes(path, b.clone())?,
            None => crate::spec::load(path)?,
        };
        let model = crate::model::build(&source)?;
        let files = render::render(&model, templates)?;
        Ok::<_, Error>(Workload::rendered(path.display().to_string(), model, files))
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
fn diff_specs(
    paths: &[PathBuf],
    against: Option<&Path>,
    template_dir: Option<&Path>,
) -> Result<Outcome, Error> {
    let templates = templates(template_dir)?;
    let single = paths.len() == 1 && !paths[0].is_dir();
    let specs: Vec<(PathBuf, Option<Vec<u8>>)> = expand_specs(paths)?
        .into_iter()
        .map(|p| (p, None))
        .collect();
    let rendered = render_workloads(&specs, &templates)?;
    let parent = against.unwrap_or_else(|| Path::new("outputs"));
    if let Some(dir) = against
        && dir.join(crate::review::TEMPLATE_FILE).is_file()
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
        let (files, roles) = crate::review::compare(on_disk.first(), Some(new))?;
        let mut report = DiffReport::new(
            dir.display().to_string(),
            paths[0].display().to_string(),
            &files,
            roles,
        );
        report.new_is_spec = true;
        report.hint = Some("run `ecs-iam render` to update it".to_owned());
        return Ok(Outcome::One(report));
    }
    let label = paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(" ");
    Ok(Outcome::Many(crate::review::review(
        parent.display().to_string(),
        label,
        on_disk,
        rendered,
    )?))
}

/// Two generated folders: two workload folders, or two folders of
/// workloads paired by name. A missing --old is output new in the change.
fn diff_folders(old: &Path, new: &Path) -> Result<Outcome, Error> {
    use crate::review::{Generated, classify, read_tree};
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
            let (files, roles) = crate::review::compare(before.as_ref(), Some(&after))?;
            Ok(Outcome::One(DiffReport::new(
                old.display().to_string(),
                new.display().to_string(),
                &files,
                roles,
            )))
        }
        (old_kind, Generated::Tree(after)) => {
            let before = match old_kind {
                Generated::Tree(t) => read_tree(&t)?,
                _ => Vec::new(),
            };
            Ok(Outcome::Many(crate::review::review(
                old.display().to_string(),
                new.display().to_string(),
                before,
                read_tree(&after)?,
            )?))
        }
    }
}

/// The specs as they are at a git revision against the working tree, both
/// rendered in memory: added, removed and renamed spec files included.
fn diff_base(rev: &str, paths: &[PathBuf], template_dir: Option<&Path>) -> Result<Outcome, Error> {
    let templates = templates(template_dir)?;
    let before: Vec<(PathBuf, Option<Vec<u8>>)> = crate::git::specs_at(rev, paths)?
        .into_iter()
        .map(|b| (b.label, Some(b.bytes)))
        .collect();
    // A path the change deletes names nothing in the working tree.
    let present: Vec<PathBuf> = paths.iter().filter(|p| p.exists()).cloned().collect();
    let after: Vec<(PathBuf, Option<Vec<u8>>)> = if present.is_empty() {
        Vec::new()
    } else {
        expand_specs(&present)?
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
    let old = render_workloads(&before, &templates)?;
    let new = render_workloads(&after, &templates)?;
    Ok(Outcome::Many(crate::review::review(
        rev.to_owned(),
        "the working tree".to_owned(),
        old,
        new,
    )?))
}

fn print_diff(outcome: &Outcome, format: Format, fail_on: FailOn) -> i32 {
    // Styles are always written; anstream drops them unless stdout is a
    // terminal that takes them (NO_COLOR, CLICOLOR_FORCE, TERM=dumb).
    let color = true;
    let (text, in_sync, broadens) = match outcome {
        Outcome::One(r) => (
            match format {
                Format::Text => r.text(color),
                Format::Markdown => r.markdown(),
                Format::Json => r.json(),
            },
            r.in_sync(),
            r.summary.iam.broadening > 0,
        ),
        Outcome::Many(r) => (
            match format {
                Format::Text => r.text(color),
                Format::Markdown => r.markdown(),
                Format::Json => r.json(),
            },
            r.in_sync(),
            r.broadens(),
        ),
    };
    let _ = anstream::AutoStream::auto(std::io::stdout().lock()).write_all(text.as_bytes());
    let fails = match fail_on {
        FailOn::Any => !in_sync,
        FailOn::Broadening => broadens,
        FailOn::Never => false,
    };
    if fails { EXIT_DIFFERS } else { EXIT_OK }
}

fn check_command(specs: &[PathBuf], format: CheckFormat, deny: Severity) -> Result<i32, Error> {
    let specs = expand_specs(specs)?;
    let mut findings = Vec::new();
    for result in crate::parallel::map(&specs, |spec| {
        crate::spec::load(spec).and_then(|source| check::check(&source))
    }) {
        findings.extend(result?);
    }
    let mut stdout = std::io::stdout().lock();
    match format {
        CheckFormat::Text => {
            for f in &findings {
                let _ = writeln!(stdout, "{f}");
            }
            let _ = writeln!(
                stdout,
                "{} finding{}",
                findings.len(),
                if findings.len() == 1 { "" } else { "s" }
            );
        }
        CheckFormat::Json => {
            let _ = writeln!(
                stdout,
                "{}",
                serde_json::to_string_pretty(&findings).unwrap_or_default()
            );
        }
        CheckFormat::Sarif => {
            let _ = writeln!(
                stdout,
                "{}",
                serde_json::to_string_pretty(&check::sarif(&findings)).unwrap_or_default()
            );
        }
    }
    Ok(if findings.iter().any(|f| f.severity >= deny) {
        EXIT_DIFFERS
    } else {
        EXIT_OK
    })
}

fn explain_command(spec: &Path, format: ExplainFormat) -> Result<i32, Error> {
    let source = crate::spec::load(spec)?;
    let model = crate::model::build(&source)?;
    let rows = explain::explain(&model);
    let text = match format {
        ExplainFormat::Text => explain::table(&rows),
        ExplainFormat::Json => serde_json::to_string_pretty(&rows).unwrap_or_default() + "\n",
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(EXIT_OK)
}

fn init_command(preset: &str, output: Option<&Path>) -> Result<i32, Error> {
    let text = presets::get(preset)?;
    let path = output.map_or_else(|| PathBuf::from(format!("{preset}.yaml")), Path::to_owned);
    if path.as_os_str() == "-" {
        print!("{text}");
        return Ok(EXIT_OK);
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|source| {
            if source.kind() == std::io::ErrorKind::AlreadyExists {
                Error::WouldOverwrite { path: path.clone() }
            } else {
                Error::Write {
                    path: path.clone(),
                    source,
                }
            }
        })?;
    file.write_all(text.as_bytes())
        .map_err(|source| Error::Write {
            path: path.clone(),
            source,
        })?;
    println!(
        "wrote {} (preset `{preset}`); render it with `ecs-iam render {}`",
        path.display(),
        path.display()
    );
    Ok(EXIT_OK)
}
