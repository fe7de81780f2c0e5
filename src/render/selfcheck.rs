//! `render` checks its own output before it writes anything: every file
//! must parse with its syntax's parser, and the roles `cloudformation.yaml`
//! and the CDK files declare, read back as `diff` and `drift` read them,
//! must be the model's roles, grant by grant.
//!
//! A file the built-in templates render that fails is a bug of ecs-iam,
//! reported as one. A template from `--templates` may lay its file out as
//! it likes, so the file it renders is only parsed: a CloudFormation
//! template or CDK file whose layout the readers do not know is the
//! user's to decide.

use std::path::Path;

use crate::error::{Error, FileKind};
use crate::files::{Files, TEMPLATE_FILE};
use crate::grant_diff;
use crate::model::{Model, Role};

use super::{Templates, cdk, cloudformation, readback, terraform};

/// Check the files rendered from `spec` (whose model is `model`) with
/// `templates`.
///
/// # Errors
/// [`Error::RenderedUnreadable`] for the first file, in name order, that
/// does not parse or does not declare the model's roles.
pub fn check(
    spec: &Path,
    model: &Model,
    files: &Files,
    templates: &Templates,
) -> Result<(), Error> {
    for (file, text) in files {
        let role = model.roles.iter().find(|r| *file == cdk_file(r));
        let template = match role {
            Some(_) => cdk::TEMPLATE,
            None => template_of(file),
        };
        // A role's CDK file reads back with its policies file, so an
        // override of either leaves both to the user.
        let custom = templates.overridden(template).or_else(|| {
            role.filter(|r| !r.created_policies.is_empty())
                .and_then(|_| templates.overridden(cdk::POLICIES_TEMPLATE))
        });
        let fail = |what: String| Error::RenderedUnreadable {
            spec: spec.to_owned(),
            file: file.clone(),
            template: custom.clone(),
            what,
        };
        match role {
            _ if custom.is_some() => parses(file, text).map_err(fail)?,
            Some(role) => {
                let mut back = readback::parse_cdk(Path::new(file), role.kind, text)
                    .map_err(|e| fail(reason(&e)))?;
                let policies = cdk::policies_file(role.kind);
                if let Some(p) = files.get(&policies) {
                    back.created_policies = readback::parse_cdk_policies(Path::new(&policies), p)
                        .map_err(|e| fail(reason(&e)))?;
                }
                same_roles(std::slice::from_ref(role), &[back]).map_err(fail)?;
            }
            None if file == TEMPLATE_FILE => {
                let back = readback::parse(Path::new(file), text).map_err(|e| fail(reason(&e)))?;
                same_roles(&model.roles, &back).map_err(fail)?;
            }
            None => parses(file, text).map_err(fail)?,
        }
    }
    Ok(())
}

/// The template that renders `file`, one of a workload's files other than
/// the per-role CDK files (`""` for the cross-account statements, which
/// no template renders).
fn template_of(file: &str) -> &'static str {
    cloudformation::FILES
        .iter()
        .chain(terraform::FILES)
        .chain(cdk::FILES)
        .chain(std::iter::once(&cdk::INPUTS))
        .find(|(out, _)| *out == file)
        .map_or_else(
            || {
                if crate::files::CDK_POLICIES_FILES.contains(&file) {
                    cdk::POLICIES_TEMPLATE
                } else {
                    ""
                }
            },
            |(_, template)| template,
        )
}

fn cdk_file(role: &Role) -> String {
    format!("cdk/{}.json", role.kind.file_stem())
}

/// Whether `text` parses as the syntax its name says: YAML, JSON, HCL
/// (Terraform); Markdown and anything else is text.
fn parses(file: &str, text: &str) -> Result<(), String> {
    let extension = Path::new(file).extension().and_then(|e| e.to_str());
    match extension {
        // A `--templates` override lays out what it likes: its aliases and
        // nesting are bounded before serde expands them.
        Some("yaml") => crate::input::yaml::check(Path::new(file), text, FileKind::Generated)
            .map_err(|e| e.to_string())
            .and_then(|()| {
                serde_yaml::from_str::<serde_yaml::Value>(text)
                    .map(drop)
                    .map_err(|e| format!("it is not YAML: {e}"))
            }),
        Some("json") => serde_json::from_str::<serde::de::IgnoredAny>(text)
            .map(drop)
            .map_err(|e| format!("it is not JSON: {e}")),
        Some("tf") => hcl_edit::parser::parse_body(text).map(drop).map_err(|e| {
            let at = e.location();
            format!(
                "it is not HCL: line {}, column {}: {}",
                at.line(),
                at.column(),
                e.message()
            )
        }),
        _ => Ok(()),
    }
}

/// The readers' error without its file, which the caller names.
fn reason(e: &Error) -> String {
    match e {
        Error::NotGenerated { message, .. } => format!("it does not read back: {message}"),
        other => format!("it does not read back: {other}"),
    }
}

/// The first difference `diff` would show between the model's roles and
/// the ones read back, if any.
fn same_roles(model: &[Role], back: &[Role]) -> Result<(), String> {
    for role in grant_diff::compare(model, back) {
        if let Some(change) = role.changes.first() {
            return Err(format!(
                "it reads back as a different {} role: {}",
                role.role,
                change.line().trim()
            ));
        }
    }
    Ok(())
}
