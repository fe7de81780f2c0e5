//! Terraform HCL: the `hcl` filter.

use std::fmt::Write as _;

use tera::{Kwargs, State, TeraResult, Value};

use super::{Part, parts};
use crate::arn::Segment;
use crate::model::Role;

/// Output files and the templates that render them.
pub const FILES: &[(&str, &str)] = &[
    ("terraform/main.tf", "terraform/main.tf.tera"),
    ("terraform/outputs.tf", "terraform/outputs.tf.tera"),
    ("terraform/variables.tf", "terraform/variables.tf.tera"),
    ("terraform/versions.tf", "terraform/versions.tf.tera"),
    ("terraform/README.md", "terraform/README.md.tera"),
];

/// The resources of `main.tf` that give `role` its permissions: the inline
/// policy and the managed policy attachments. The role's outputs name them
/// in `depends_on`: Terraform knows `aws_iam_role.<key>.arn` as soon as the
/// role exists, so without it a task definition or service given the ARN
/// can start a task before the policies are in place
/// (terraform-aws-modules/terraform-aws-ecs#200).
#[must_use]
pub fn policy_resources(role: &Role) -> Vec<String> {
    let key = role.kind.key();
    let mut out = Vec::new();
    if role.policy.is_some() {
        out.push(format!("aws_iam_role_policy.{key}"));
    }
    if !role.managed_policies.is_empty() {
        out.push(format!("aws_iam_role_policy_attachment.{key}"));
    }
    for p in &role.created_policies {
        out.push(format!(
            "aws_iam_role_policy_attachment.{}",
            created_policy_key(role, p)
        ));
    }
    out
}

/// The Terraform name of the resources of a policy created beside `role`
/// (`task_policy_2` for `<role>-policy-2`): the policy document, the
/// `aws_iam_policy` and its attachment.
#[must_use]
pub fn created_policy_key(role: &Role, policy: &crate::model::Policy) -> String {
    format!("{}_policy_{}", role.kind.key(), policy_number(policy))
}

/// The number a created policy's name ends in (`2` for `w-task-policy-2`).
#[must_use]
pub fn policy_number(policy: &crate::model::Policy) -> &str {
    policy.name.rsplit('-').next().unwrap_or_default()
}

/// An HCL value: a quoted template string with deploy-time values as data
/// source interpolations, or a bare number or boolean. The region is the
/// attribute of `data.aws_region` the context's
/// `terraform.region_attribute` names, as the module's provider has it.
///
/// # Errors
/// The value is not a string, text, number or boolean, or the context has
/// no `terraform.region_attribute`.
pub fn filter(value: &Value, _: Kwargs, state: &State) -> TeraResult<String> {
    hcl(value, &|| region_attribute(state))
}

fn region_attribute(state: &State) -> TeraResult<String> {
    state
        .get::<Value>("terraform")?
        .as_ref()
        .and_then(Value::as_map)
        .and_then(|m| m.get(&tera::value::Key::Str("region_attribute")))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| {
            tera::Error::message(
                "the context has no `terraform.region_attribute` to name the region with: `render --context` shows what it has",
            )
        })
}

/// `value` in HCL; `region` gives the attribute of `data.aws_region` that
/// names the region, asked for only when the value holds the region.
fn hcl(value: &Value, region: &dyn Fn() -> TeraResult<String>) -> TeraResult<String> {
    if let Some(s) = value.as_str() {
        return Ok(quote(&[Part::Literal(s)], ""));
    }
    let Some(parts) = parts(value)? else {
        return Ok(value.to_string());
    };
    let attribute = if parts
        .iter()
        .any(|p| matches!(p, Part::Ref(Segment::Region)))
    {
        region()?
    } else {
        String::new()
    };
    Ok(quote(&parts, &attribute))
}

fn quote(parts: &[Part<'_>], region_attribute: &str) -> String {
    let mut out = String::from("\"");
    for (i, p) in parts.iter().enumerate() {
        match p {
            Part::Literal(s) => {
                let next_is_ref = matches!(parts.get(i + 1), Some(Part::Ref(_)));
                literal(&mut out, s, next_is_ref);
            }
            Part::Ref(Segment::Partition) => {
                out.push_str("${data.aws_partition.current.partition}");
            }
            Part::Ref(Segment::Region) => {
                out.push_str("${data.aws_region.current.");
                out.push_str(region_attribute);
                out.push('}');
            }
            Part::Ref(Segment::Account) => {
                out.push_str("${data.aws_caller_identity.current.account_id}");
            }
            Part::Ref(Segment::Input(name)) => {
                out.push_str("${var.");
                out.push_str(name.as_str());
                out.push('}');
            }
            Part::Ref(Segment::Literal(s)) => literal(&mut out, s, false),
        }
    }
    out.push('"');
    out
}

/// HCL string escapes, plus Terraform's template sequences. A literal `${`
/// is written `$${` when a `}` follows (IAM policy variables read as users
/// expect: `$${aws:username}`); otherwise, and for every literal `%{`, the
/// `$` or `%` is written as the interpolated string `${"$"}` / `${"%"}`:
/// HashiCorp's parser accepts `$${` and `%%{` anywhere, but python-hcl2 and
/// checkov's parser reject an unclosed `$${` and any `%%{`. A `$` right
/// before an escape or an interpolation would merge with it, so it is
/// interpolated too.
fn literal(out: &mut String, s: &str, next_is_ref: bool) {
    enum Token {
        Char(char),
        Escaped(char),
        Interpolated(char),
    }
    let chars: Vec<char> = s.chars().collect();
    let mut tokens: Vec<Token> = chars
        .iter()
        .enumerate()
        .map(|(i, &c)| match (c, chars.get(i + 1)) {
            ('$', Some('{')) if chars[i + 2..].contains(&'}') => Token::Escaped('$'),
            ('$' | '%', Some('{')) => Token::Interpolated(c),
            _ => Token::Char(c),
        })
        .collect();
    // Right to left, so that a run of `$` before an interpolation is
    // interpolated as a whole.
    let mut next_opens = next_is_ref;
    for t in tokens.iter_mut().rev() {
        if matches!(t, Token::Char('$')) && next_opens {
            *t = Token::Interpolated('$');
        }
        next_opens = matches!(t, Token::Escaped(_) | Token::Interpolated(_));
    }
    for t in tokens {
        match t {
            Token::Escaped(c) => {
                out.push(c);
                out.push(c);
            }
            Token::Interpolated(c) => {
                let _ = write!(out, "${{\"{c}\"}}");
            }
            Token::Char('"') => out.push_str("\\\""),
            Token::Char('\\') => out.push_str("\\\\"),
            Token::Char('\n') => out.push_str("\\n"),
            Token::Char('\r') => out.push_str("\\r"),
            Token::Char('\t') => out.push_str("\\t"),
            Token::Char(c)
                if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') =>
            {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            Token::Char(c) => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn hcl(v: &serde_json::Value) -> String {
        super::hcl(&Value::from_serializable(v), &|| Ok("region".to_owned())).unwrap()
    }

    #[test]
    fn escapes_template_sequences() {
        assert_eq!(hcl(&json!("${aws:username}")), "\"$${aws:username}\"");
        assert_eq!(hcl(&json!("%{if}")), "\"${\"%\"}{if}\"");
        assert_eq!(hcl(&json!("a ${ b")), "\"a ${\"$\"}{ b\"");
        assert_eq!(hcl(&json!("$${x}")), "\"${\"$\"}$${x}\"");
        assert_eq!(hcl(&json!("$%{x}")), "\"${\"$\"}${\"%\"}{x}\"");
        assert_eq!(hcl(&json!("a\"\\\n")), "\"a\\\"\\\\\\n\"");
        assert_eq!(hcl(&json!("cost $5")), "\"cost $5\"");
        assert_eq!(
            hcl(&json!(["arn:", {"ref": "partition"}, ":s3:::b"])),
            "\"arn:${data.aws_partition.current.partition}:s3:::b\""
        );
        assert_eq!(
            hcl(&json!(["x$", {"ref": "region"}])),
            "\"x${\"$\"}${data.aws_region.current.region}\""
        );
    }

    #[test]
    fn the_region_is_the_attribute_the_provider_has() {
        let text = Value::from_serializable(&json!(["logs:", {"ref": "region"}]));
        assert_eq!(
            super::hcl(&text, &|| Ok("name".to_owned())).unwrap(),
            "\"logs:${data.aws_region.current.name}\""
        );
    }
}
