//! Rendering the model through Tera templates into the output files.
//!
//! Templates only lay out text. Every value reaches them as ready data and
//! leaves through a per-format filter (`cfn`, `hcl`, `json`) that quotes and
//! escapes it and spells deploy-time values the way the format does.

pub mod acknowledgements;
pub mod cdk;
pub mod cloudformation;
pub mod cross_account;
pub mod readback;
pub mod terraform;

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;
use tera::{Context, Tera};

use crate::arn::Segment;
use crate::error::Error;
use crate::model::Model;

pub use crate::files::Files;

/// Built-in templates, embedded at build time.
const EMBEDDED: &[(&str, &str)] = &[
    (
        "cloudformation.yaml.tera",
        include_str!("../../templates/cloudformation.yaml.tera"),
    ),
    (
        "terraform/main.tf.tera",
        include_str!("../../templates/terraform/main.tf.tera"),
    ),
    (
        "terraform/variables.tf.tera",
        include_str!("../../templates/terraform/variables.tf.tera"),
    ),
    (
        "terraform/outputs.tf.tera",
        include_str!("../../templates/terraform/outputs.tf.tera"),
    ),
    (
        "terraform/versions.tf.tera",
        include_str!("../../templates/terraform/versions.tf.tera"),
    ),
    (
        "cdk/role.json.tera",
        include_str!("../../templates/cdk/role.json.tera"),
    ),
    (
        "cdk/nag-acknowledgements.json.tera",
        include_str!("../../templates/cdk/nag-acknowledgements.json.tera"),
    ),
];

/// The template set: the embedded templates, each optionally replaced by a
/// file of the same name from a user folder.
pub struct Templates {
    tera: Tera,
}

impl Templates {
    /// The built-in templates.
    ///
    /// # Errors
    /// Only if a built-in template is broken.
    pub fn embedded() -> Result<Self, Error> {
        Self::build(
            EMBEDDED
                .iter()
                .map(|(n, t)| ((*n).to_owned(), (*t).to_owned()))
                .collect(),
        )
    }

    /// The built-in templates with `found` (the `.tera` files of the folder
    /// `dir`, by name, as `files::read_templates` reads them) replacing them.
    ///
    /// # Errors
    /// A file that is not one of the template names, or a template that
    /// does not parse.
    pub fn with_overrides(dir: &Path, found: Files) -> Result<Self, Error> {
        let mut set: Vec<(String, String)> = EMBEDDED
            .iter()
            .map(|(n, t)| ((*n).to_owned(), (*t).to_owned()))
            .collect();
        for (name, text) in found {
            let Some(slot) = set.iter_mut().find(|(n, _)| *n == name) else {
                return Err(Error::UnknownTemplate {
                    path: dir.join(&name),
                    expected: EMBEDDED.iter().map(|(n, _)| (*n).to_owned()).collect(),
                });
            };
            slot.1 = text;
        }
        Self::build(set)
    }

    fn build(set: Vec<(String, String)>) -> Result<Self, Error> {
        let mut tera = Tera::default();
        tera.autoescape_on(Vec::new());
        tera.add_raw_templates(set)
            .map_err(|e| template_error("(set)", &e))?;
        tera.register_filter("cfn", cloudformation::filter);
        tera.register_filter("hcl", terraform::filter);
        tera.register_filter("json", cdk::filter);
        tera.register_filter("comment", comment_filter);
        Ok(Templates { tera })
    }

    /// Render one template with a context.
    ///
    /// # Errors
    /// The template fails to render.
    pub fn render(&self, name: &str, context: &Context) -> Result<String, Error> {
        self.tera
            .render(name, context)
            .map_err(|e| template_error(name, &e))
    }
}

/// The context every template sees: the model's fields at the top level,
/// and `role` for the per-role CDK template.
#[must_use]
pub fn context(model: &Model, role: Option<usize>) -> Context {
    let roles: Vec<Value> = model.roles.iter().map(role_context).collect();
    let mut whole = serde_json::to_value(model).unwrap_or_default();
    if let Some(o) = whole.as_object_mut() {
        o.insert("roles".to_owned(), Value::Array(roles.clone()));
    }
    let mut ctx = Context::from_value(whole).unwrap_or_default();
    if let Some(i) = role {
        ctx.insert("role", &roles[i]);
    }
    ctx
}

/// A role as templates see it: the model's role, the scanner findings its
/// output acknowledges, and `terraform.policy_resources`, the resources its
/// Terraform outputs wait for.
fn role_context(role: &crate::model::Role) -> Value {
    let mut value = serde_json::to_value(role).unwrap_or_default();
    if let Some(o) = value.as_object_mut() {
        o.insert(
            "acknowledgements".to_owned(),
            serde_json::to_value(acknowledgements::of(role)).unwrap_or_default(),
        );
        o.insert(
            "terraform".to_owned(),
            serde_json::json!({ "policy_resources": terraform::policy_resources(role) }),
        );
    }
    value
}

/// Render all output files of a model.
///
/// # Errors
/// A template fails to render.
pub fn render(model: &Model, templates: &Templates) -> Result<Files, Error> {
    let mut files = Files::new();
    let whole = context(model, None);
    for (out, template) in cloudformation::FILES
        .iter()
        .chain(terraform::FILES)
        .chain(cdk::FILES)
    {
        files.insert((*out).to_owned(), templates.render(template, &whole)?);
    }
    for (i, role) in model.roles.iter().enumerate() {
        let out = format!("cdk/{}.json", role.kind.file_stem());
        files.insert(
            out,
            templates.render(cdk::TEMPLATE, &context(model, Some(i)))?,
        );
    }
    files.extend(cross_account::files(model));
    Ok(files)
}

fn template_error(name: &str, e: &tera::Error) -> Error {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    Error::Template {
        name: name.to_owned(),
        message: message.replace('\n', " "),
    }
}

/// A value as the filters see it: literal text or a deploy-time reference.
pub(crate) enum Part<'a> {
    Literal(&'a str),
    Ref(Segment),
}

/// Split a context value (a string, or a serialised [`crate::arn::Text`])
/// into parts; `None` for numbers and booleans, which print as they are.
pub(crate) fn parts(value: &Value) -> tera::Result<Option<Vec<Part<'_>>>> {
    match value {
        Value::String(s) => Ok(Some(vec![Part::Literal(s)])),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(Part::Literal(s)),
                Value::Object(o) => match o.get("ref").and_then(Value::as_str) {
                    Some("partition") => Ok(Part::Ref(Segment::Partition)),
                    Some("region") => Ok(Part::Ref(Segment::Region)),
                    Some("account_id") => Ok(Part::Ref(Segment::Account)),
                    _ => Err(not_text(item)),
                },
                _ => Err(not_text(item)),
            })
            .collect::<tera::Result<Vec<_>>>()
            .map(Some),
        Value::Number(_) | Value::Bool(_) => Ok(None),
        other => Err(not_text(other)),
    }
}

fn not_text(value: &Value) -> tera::Error {
    let mut shown = value.to_string();
    if shown.chars().count() > 60 {
        shown = shown.chars().take(60).collect::<String>() + "...";
    }
    tera::Error::msg(format!(
        "this filter takes a string, a text or a number, not {shown}"
    ))
}

/// Escape `${` as CloudFormation's `Fn::Sub` wants a literal: `${!`.
pub(crate) fn sub_string(parts: &[Part<'_>]) -> String {
    let mut out = String::new();
    for p in parts {
        match p {
            Part::Literal(s) => out.push_str(&s.replace("${", "${!")),
            Part::Ref(Segment::Partition) => out.push_str("${AWS::Partition}"),
            Part::Ref(Segment::Region) => out.push_str("${AWS::Region}"),
            Part::Ref(Segment::Account) => out.push_str("${AWS::AccountId}"),
            Part::Ref(Segment::Literal(s)) => out.push_str(s),
        }
    }
    out
}

/// A literal that holds `${` followed by an uppercase letter or a digit
/// (`${AWS::Region}`, `${TaskRole}`) split into pieces, each `$` ending a
/// piece, for `Fn::Join`. CloudFormation leaves such text alone outside
/// `Fn::Sub`, but cfn-lint reports it (E1029) as a forgotten `Fn::Sub`, and
/// `Fn::Sub` around text without variables is reported too (W1020). IAM
/// policy variables (`${aws:username}`, `${*}`) stay as they are.
pub(crate) fn join_pieces(literal: &str) -> Option<Vec<String>> {
    let bytes = literal.as_bytes();
    let splits: Vec<usize> = (0..bytes.len().saturating_sub(2))
        .filter(|&i| {
            bytes[i] == b'$'
                && bytes[i + 1] == b'{'
                && (bytes[i + 2].is_ascii_uppercase() || bytes[i + 2].is_ascii_digit())
        })
        .map(|i| i + 1)
        .collect();
    if splits.is_empty() {
        return None;
    }
    let mut pieces = Vec::new();
    let mut start = 0;
    for at in splits {
        pieces.push(literal[start..at].to_owned());
        start = at;
    }
    pieces.push(literal[start..].to_owned());
    Some(pieces)
}

/// A comment line's text: control characters shown escaped so the value
/// cannot end the comment.
#[allow(clippy::unnecessary_wraps)]
fn comment_filter(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    let s = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Ok(Value::String(
        s.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The files `render` writes are the workload layout `files` knows, so
    /// a folder's own files are never taken for foreign ones.
    #[test]
    fn rendering_writes_the_workload_layout() {
        let source = crate::spec::parse(
            Path::new("w.yaml"),
            "version: 1\nname: w\nexecution_role:\n  logs: {groups: [/ecs/w]}\n",
        )
        .unwrap();
        let model = crate::model::build(&source).unwrap();
        let files = render(&model, &Templates::embedded().unwrap()).unwrap();
        let names: Vec<&str> = files.keys().map(String::as_str).collect();
        assert_eq!(names, crate::files::LAYOUT);
    }
}
