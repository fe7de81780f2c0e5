//! Rendering the model through Tera templates into the output files.
//!
//! Templates only lay out text. Every value reaches them as ready data and
//! leaves through a per-format filter (`cfn`, `hcl`, `json`; `md` and
//! `md_code` for the Terraform module's README) that quotes and escapes it
//! and spells deploy-time values the way the format does.

pub mod acknowledgements;
pub mod cdk;
pub mod cloudformation;
pub mod cross_account;
pub mod markdown;
pub mod readback;
pub mod selfcheck;
pub mod terraform;

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value as Json;
use tera::{Context, Kwargs, State, Tera, Value};

use crate::arn::{InputName, Segment};
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
        "terraform/README.md.tera",
        include_str!("../../templates/terraform/README.md.tera"),
    ),
    (
        "cdk/role.json.tera",
        include_str!("../../templates/cdk/role.json.tera"),
    ),
    (
        "cdk/policies.json.tera",
        include_str!("../../templates/cdk/policies.json.tera"),
    ),
    (
        "cdk/nag-acknowledgements.json.tera",
        include_str!("../../templates/cdk/nag-acknowledgements.json.tera"),
    ),
    (
        "cdk/inputs.json.tera",
        include_str!("../../templates/cdk/inputs.json.tera"),
    ),
];

/// The template set: the embedded templates, each optionally replaced by a
/// file of the same name from a user folder.
pub struct Templates {
    tera: Tera,
    /// Where each template came from, by name: the user's file for an
    /// override, so that errors point at it.
    origins: Vec<(String, PathBuf)>,
}

impl Templates {
    /// The built-in templates.
    ///
    /// # Errors
    /// Only if a built-in template is broken.
    pub fn embedded() -> Result<Self, Error> {
        Self::build(EMBEDDED.iter().map(|(n, t)| (*n, *t)), Vec::new())
    }

    /// The built-in templates with `found` (the `.tera` files of the folder
    /// `dir`, by name, as `files::read_templates` reads them) replacing them.
    ///
    /// # Errors
    /// A file that is not one of the template names, or templates that do
    /// not parse (all of them reported).
    pub fn with_overrides(dir: &Path, found: &Files) -> Result<Self, Error> {
        if let Some(name) = found.keys().find(|n| !EMBEDDED.iter().any(|(e, _)| e == n)) {
            return Err(Error::UnknownTemplate {
                path: dir.join(name),
                expected: EMBEDDED.iter().map(|(n, _)| (*n).to_owned()).collect(),
            });
        }
        let origins = found.keys().map(|n| (n.clone(), dir.join(n))).collect();
        Self::build(
            EMBEDDED
                .iter()
                .map(|(n, t)| (*n, found.get(*n).map_or(*t, String::as_str))),
            origins,
        )
    }

    fn build<'a>(
        set: impl Iterator<Item = (&'a str, &'a str)>,
        origins: Vec<(String, PathBuf)>,
    ) -> Result<Self, Error> {
        let mut tera = Tera::new();
        tera.autoescape_on(Vec::<&str>::new());
        tera.register_filter("cfn", cloudformation::filter);
        tera.register_filter("cfn_text", cloudformation::text_filter);
        tera.register_filter("hcl", terraform::filter);
        tera.register_filter("json", cdk::filter);
        tera.register_filter("comment", comment_filter);
        tera.register_filter("md", markdown::text_filter);
        tera.register_filter("md_code", markdown::code_filter);
        let mut problems = Vec::new();
        // One template at a time, so that an error names its file.
        for (name, text) in set {
            if let Err(e) = tera.add_raw_template(name, text) {
                problems.extend(errors(&origins, name, &e));
            }
        }
        match Error::several(problems) {
            Some(e) => Err(e),
            None => Ok(Templates { tera, origins }),
        }
    }

    /// The user's file that replaces the template `name`, if one does.
    #[must_use]
    pub fn overridden(&self, name: &str) -> Option<PathBuf> {
        self.origins
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, p)| p.clone())
    }

    /// Render one template with a context.
    ///
    /// # Errors
    /// The template fails to render.
    pub fn render(&self, name: &str, context: &Context) -> Result<String, Error> {
        // A batch holds every file until all are rendered: no spare
        // capacity from the buffer's growth.
        let mut text = self.tera.render(name, context).map_err(|e| {
            Error::several(errors(&self.origins, name, &e)).unwrap_or_else(|| Error::Template {
                name: name.to_owned(),
                path: None,
                at: None,
                message: e.to_string(),
            })
        })?;
        text.shrink_to_fit();
        Ok(text)
    }
}

/// A Tera error as ecs-iam reports it: the template's file (the user's
/// override, or the built-in template's name), the line and column where
/// Tera reports one, and Tera's own words. Tera checks a template's
/// filters, tests and functions all at once and joins its reports into one
/// message; each becomes its own error, in line order.
fn errors(origins: &[(String, PathBuf)], name: &str, e: &tera::Error) -> Vec<Error> {
    let path = origins
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, p)| p.clone());
    let one = |at, message: String| Error::Template {
        name: name.to_owned(),
        path: path.clone(),
        at,
        message,
    };
    let mut found = match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => vec![one(
            Some((r.span().start_line, r.span().start_col + 1)),
            r.message().to_owned(),
        )],
        tera::ErrorKind::Msg(text) if text.starts_with("error: ") => text
            .split("\n\nerror: ")
            .map(|report| {
                let (at, message) = joined_report(report.trim_start_matches("error: "));
                one(at, message)
            })
            .collect(),
        other => vec![one(None, other.to_string())],
    };
    if let Some(Error::Template { message, .. }) = found.last_mut() {
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            message.push_str(": ");
            message.push_str(&s.to_string());
            source = s.source();
        }
    }
    found.sort_by_key(|e| match e {
        Error::Template { at, .. } => *at,
        _ => None,
    });
    for e in &mut found {
        if let Error::Template { message, .. } = e {
            *message = message.replace('\n', " ");
        }
    }
    found
}

/// One of the reports Tera joins into a message: its first line is the
/// message, its second `--> name:line:column`.
fn joined_report(report: &str) -> (Option<(usize, usize)>, String) {
    let mut lines = report.lines();
    let message = lines.next().unwrap_or_default().to_owned();
    let at = lines
        .next()
        .and_then(|l| l.trim_start().strip_prefix("--> "))
        .and_then(|l| {
            let mut numbers = l.rsplitn(3, ':');
            let column = numbers.next()?.parse().ok()?;
            let line = numbers.next()?.parse().ok()?;
            Some((line, column))
        });
    (at, message)
}

/// The context every template sees: the model's fields at the top level,
/// each role with what [`RoleContext`] adds. The per-role CDK template
/// also sees its role as `role`. `render --context` prints this value.
#[derive(Serialize)]
struct TemplateContext<'a> {
    #[serde(flatten)]
    model: &'a Model,
    roles: Vec<RoleContext<'a>>,
}

/// A role as templates see it: the model's role, the scanner findings its
/// output acknowledges, the policies created beside it and
/// `terraform.policy_resources`, the resources its Terraform outputs wait
/// for.
#[derive(Serialize)]
struct RoleContext<'a> {
    #[serde(flatten)]
    role: &'a crate::model::Role,
    acknowledgements: acknowledgements::Acknowledgements,
    created_policies: Vec<CreatedPolicyContext<'a>>,
    terraform: TerraformContext,
}

/// A customer managed policy created beside a role (`policy_layout:
/// split`), as templates see it.
#[derive(Serialize)]
struct CreatedPolicyContext<'a> {
    /// The policy's name, `<role>-policy-<number>`.
    name: &'a str,
    /// The number its name ends in: Terraform names the policy
    /// `"${aws_iam_role.<key>.name}-policy-<number>"`.
    number: &'a str,
    /// Its CloudFormation logical id, e.g. `TaskRolePolicy2`.
    logical_id: String,
    /// Its Terraform resource name, e.g. `task_policy_2`.
    key: String,
    /// The policy's description.
    description: String,
    statements: &'a [crate::model::Statement],
    acknowledgements: acknowledgements::Acknowledgements,
}

#[derive(Serialize)]
struct TerraformContext {
    policy_resources: Vec<String>,
}

impl<'a> TemplateContext<'a> {
    fn of(model: &'a Model) -> Self {
        TemplateContext {
            model,
            roles: model
                .roles
                .iter()
                .map(|role| RoleContext {
                    role,
                    acknowledgements: acknowledgements::of(role),
                    created_policies: role
                        .created_policies
                        .iter()
                        .map(|p| {
                            let number = terraform::policy_number(p);
                            CreatedPolicyContext {
                                name: &p.name,
                                number,
                                logical_id: format!("{}Policy{number}", role.kind.logical_id()),
                                key: terraform::created_policy_key(role, p),
                                description: format!(
                                    "Permissions of the {} {} beyond its inline policy",
                                    role.kind.title(),
                                    role.name
                                ),
                                statements: &p.statements,
                                acknowledgements: acknowledgements::acknowledgements(&p.statements),
                            }
                        })
                        .collect(),
                    terraform: TerraformContext {
                        policy_resources: terraform::policy_resources(role),
                    },
                })
                .collect(),
        }
    }
}

/// The context every template sees, as JSON: what `render --context`
/// prints.
#[must_use]
pub fn context(model: &Model) -> Json {
    serde_json::to_value(TemplateContext::of(model)).unwrap_or_default()
}

/// Render all output files of a model.
///
/// # Errors
/// A template fails to render.
pub fn render(model: &Model, templates: &Templates) -> Result<Files, Error> {
    let mut files = Files::new();
    let (whole, each_role) = contexts(model)?;
    for (out, template) in cloudformation::FILES
        .iter()
        .chain(terraform::FILES)
        .chain(cdk::FILES)
    {
        files.insert((*out).to_owned(), templates.render(template, &whole)?);
    }
    for (role, one) in model.roles.iter().zip(&each_role) {
        let out = format!("cdk/{}.json", role.kind.file_stem());
        files.insert(out, templates.render(cdk::TEMPLATE, one)?);
        if !role.created_policies.is_empty() {
            files.insert(
                cdk::policies_file(role.kind),
                templates.render(cdk::POLICIES_TEMPLATE, one)?,
            );
        }
    }
    if !model.inputs.is_empty() {
        let (out, template) = cdk::INPUTS;
        files.insert(out.to_owned(), templates.render(template, &whole)?);
    }
    files.extend(cross_account::files(model));
    Ok(files)
}

/// [`context`] as Tera takes it, and one copy per role with that role as
/// `role` (Tera's arrays and maps are shared, so a copy is cheap).
///
/// # Errors
/// Only if Tera cannot take the context, which serialises to a JSON object.
pub fn contexts(model: &Model) -> Result<(Context, Vec<Context>), Error> {
    let whole =
        Context::from_serialize(&TemplateContext::of(model)).map_err(|e| Error::Template {
            name: "context".to_owned(),
            path: None,
            at: None,
            message: e.to_string(),
        })?;
    let each_role = whole
        .get("roles")
        .and_then(Value::as_array)
        .unwrap_or_default()
        .iter()
        .map(|role| {
            let mut one = whole.clone();
            one.insert_value("role", role.clone());
            one
        })
        .collect();
    Ok((whole, each_role))
}

/// A value as the filters see it: literal text or a deploy-time reference.
pub(crate) enum Part<'a> {
    Literal(&'a str),
    Ref(Segment),
}

/// Split a context value (a string, or a serialised [`crate::arn::Text`])
/// into parts; `None` for numbers and booleans, which print as they are.
pub(crate) fn parts(value: &Value) -> tera::TeraResult<Option<Vec<Part<'_>>>> {
    if let Some(s) = value.as_str() {
        return Ok(Some(vec![Part::Literal(s)]));
    }
    if let Some(items) = value.as_array() {
        return items
            .iter()
            .map(|item| {
                if let Some(s) = item.as_str() {
                    return Ok(Part::Literal(s));
                }
                let field = |key| {
                    item.as_map()
                        .and_then(|o| o.get(&tera::value::Key::Str(key)))
                        .and_then(Value::as_str)
                };
                if let Some(name) = field("input") {
                    return InputName::parse(name)
                        .map(|n| Part::Ref(Segment::Input(n)))
                        .map_err(|_| not_text(item));
                }
                match field("ref") {
                    Some("partition") => Ok(Part::Ref(Segment::Partition)),
                    Some("region") => Ok(Part::Ref(Segment::Region)),
                    Some("account_id") => Ok(Part::Ref(Segment::Account)),
                    _ => Err(not_text(item)),
                }
            })
            .collect::<tera::TeraResult<Vec<_>>>()
            .map(Some);
    }
    if value.is_number() || value.is_bool() {
        return Ok(None);
    }
    if value.is_undefined() {
        return Err(tera::Error::message(
            "this filter got a value the context does not have: `render --context` shows what it has",
        ));
    }
    Err(not_text(value))
}

fn not_text(value: &Value) -> tera::Error {
    // Through serde_json, whose maps keep their keys sorted: the message is
    // the same on every run.
    let mut shown =
        serde_json::to_value(value).map_or_else(|_| value.to_string(), |v| v.to_string());
    if shown.chars().count() > 60 {
        shown = shown.chars().take(60).collect::<String>() + "...";
    }
    tera::Error::message(format!(
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
            Part::Ref(Segment::Input(name)) => {
                out.push_str("${");
                out.push_str(name.as_str());
                out.push('}');
            }
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

/// A comment line's text ([`crate::escape::yaml_comment`]): line breaks
/// (YAML's NEL, U+2028 and U+2029 too) and control characters shown
/// escaped, so the value cannot end the comment.
fn comment_filter(value: &Value, _: Kwargs, _: &State) -> String {
    let s = value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_owned);
    crate::escape::yaml_comment(&s)
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
