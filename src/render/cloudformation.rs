//! CloudFormation YAML: the `cfn` filter.

use tera::{Kwargs, State, TeraResult, Value};

use super::{join_pieces, parts, sub_string};

/// Output file and the template that renders it.
pub const FILES: &[(&str, &str)] = &[("cloudformation.yaml", "cloudformation.yaml.tera")];

/// A YAML value: a double-quoted scalar, `!Sub "..."` when the text holds
/// deploy-time values, or a bare number or boolean.
///
/// # Errors
/// The value is not a string, text, number or boolean.
pub fn filter(value: &Value, _: Kwargs, _: &State) -> TeraResult<String> {
    yaml(value)
}

/// A plain YAML string, never an intrinsic: where CloudFormation takes
/// only a literal (the template's and a parameter's `Description`,
/// `Metadata`), `${` is text.
///
/// # Errors
/// The value is not a string.
pub fn text_filter(value: &Value, _: Kwargs, _: &State) -> TeraResult<String> {
    value
        .as_str()
        .map(quote)
        .ok_or_else(|| super::not_text(value))
}

fn yaml(value: &Value) -> TeraResult<String> {
    // Most values are plain strings: quoted as they are.
    if let Some(s) = value.as_str().filter(|s| !s.contains("${")) {
        return Ok(quote(s));
    }
    let Some(parts) = parts(value)? else {
        return Ok(value.to_string());
    };
    let symbolic = parts.iter().any(|p| matches!(p, super::Part::Ref(_)));
    let text = sub_string(&parts);
    if symbolic {
        return Ok(format!("!Sub {}", quote(&text)));
    }
    // Plain (non-Sub) strings take `${` literally: undo the Sub escape.
    let plain = text.replace("${!", "${");
    Ok(match join_pieces(&plain) {
        Some(pieces) => format!(
            "!Join [\"\", [{}]]",
            pieces
                .iter()
                .map(|p| quote(p))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => quote(&plain),
    })
}

/// A YAML double-quoted scalar ([`crate::escape::yaml_scalar`]).
#[must_use]
pub fn quote(s: &str) -> String {
    crate::escape::yaml_scalar(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cfn(v: &serde_json::Value) -> String {
        yaml(&Value::from_serializable(v)).unwrap()
    }

    #[test]
    fn plain_text_takes_strings_only() {
        let mut tera = tera::Tera::new();
        tera.register_filter("cfn_text", text_filter);
        tera.add_raw_template("t", "{{ x | cfn_text }}").unwrap();
        let text = |v: serde_json::Value| {
            let mut context = tera::Context::new();
            context.insert("x", &v);
            tera.render("t", &context)
        };
        assert_eq!(text(json!("in ${X}")).unwrap(), "\"in ${X}\"");
        let e = text(json!({"a": 1})).unwrap_err();
        let mut chain = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            chain.push_str(&s.to_string());
            source = s.source();
        }
        assert!(chain.contains("this filter takes a string"), "{chain}");
    }

    #[test]
    fn quotes_and_subs() {
        assert_eq!(cfn(&json!("yes")), "\"yes\"");
        assert_eq!(cfn(&json!("a\"b\\c\nd")), "\"a\\\"b\\\\c\\nd\"");
        assert_eq!(cfn(&json!(3600)), "3600");
        assert_eq!(cfn(&json!("b/${aws:username}")), "\"b/${aws:username}\"");
        assert_eq!(
            cfn(&json!("in ${AWS::Region}")),
            "!Join [\"\", [\"in $\", \"{AWS::Region}\"]]"
        );
        assert_eq!(
            cfn(&json!(["arn:", {"ref": "partition"}, ":s3:::b/${aws:username}"])),
            "!Sub \"arn:${AWS::Partition}:s3:::b/${!aws:username}\""
        );
    }
}
