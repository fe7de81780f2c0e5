//! ecs-iam: one role specification in; the ECS task role and task execution
//! role out, least-privilege, as CloudFormation, a Terraform module and CDK
//! JSON.
//!
//! The data flows one way: [`spec`] (the file) → [`model`] (the two roles,
//! normalised) → [`render`] (one module per format) → [`files`] (disk);
//! [`diff`] compares a rendering with what is on disk.

pub mod arn;
pub mod check;
pub mod checkov;
pub mod cli;
pub mod diff;
pub mod error;
pub mod explain;
pub mod files;
pub mod git;
pub mod location;
pub mod model;
pub mod parallel;
pub mod presets;
pub mod readback;
pub mod render;
pub mod report;
pub mod review;
pub mod semantic;
pub mod spec;

pub use error::Error;

use std::path::Path;

/// Parse a spec file, build its model and render every output file.
///
/// # Errors
/// Any problem with the spec or the templates.
pub fn render_spec(
    path: &Path,
    templates: &render::Templates,
) -> Result<(model::Model, render::Files), Error> {
    let source = spec::load(path)?;
    let model = model::build(&source)?;
    let files = render::render(&model, templates)?;
    Ok((model, files))
}
