//! ecs-iam: one role specification in; the ECS task role and task execution
//! role out, least-privilege, as CloudFormation, a Terraform module and CDK
//! JSON.
//!
//! The data flows one way: [`spec`] (the file) → [`model`] (the two roles,
//! normalised) → [`render`] (one module per format) → [`files`] (disk);
//! [`review`] compares renderings: [`file_diff`] file by file,
//! [`grant_diff`] grant by grant, read back by [`render::readback`].

pub mod adopt;
pub mod arn;
pub mod athena;
pub mod check;
pub mod checkov;
pub mod cli;
pub mod cloudtrail;
pub mod deployed;
pub mod drift;
pub mod error;
pub mod escape;
pub mod evaluate;
pub mod explain;
pub mod file_diff;
pub mod files;
pub mod git;
pub mod grant_diff;
pub mod guardrails;
pub mod input;
pub mod last_accessed;
pub mod location;
pub mod model;
pub mod output;
pub mod parallel;
pub mod presets;
pub mod progress;
pub mod render;
pub mod report;
pub mod review;
pub mod sarif;
pub mod service_reference;
pub mod spec;
pub mod spec_tree;
pub mod task_definition;
pub mod usage;
pub mod verify;

pub use error::Error;

use std::path::Path;

/// Parse a spec file, build its model and render every output file; the
/// spec may name only task definitions inside its tree
/// ([`spec_tree::Reach::Tree`]).
///
/// # Errors
/// Any problem with the spec or the templates.
pub fn render_spec(
    path: &Path,
    templates: &render::Templates,
) -> Result<(model::Model, render::Files), Error> {
    let source = spec::load(path, spec_tree::Reach::Tree)?;
    let model = model::build(&source)?;
    let files = render::render(&model, templates)?;
    Ok((model, files))
}
