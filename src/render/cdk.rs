//! CDK JSON (`iam.CfnRoleProps`): the `json` filter.

use serde_json::Value as Json;
use tera::{Kwargs, State, TeraResult, Value};

use super::{join_pieces, parts, sub_string};

/// The template rendered once per role into `cdk/<role>.json`.
pub const TEMPLATE: &str = "cdk/role.json.tera";

/// The template rendered once per role whose statements are split
/// (`policy_layout: split`) into [`policies_file`].
pub const POLICIES_TEMPLATE: &str = "cdk/policies.json.tera";

/// `cdk/<role>-policies.json`: the `iam.CfnManagedPolicyProps` of the
/// policies created beside a role.
#[must_use]
pub fn policies_file(kind: crate::model::RoleKind) -> String {
    format!("cdk/{}-policies.json", kind.file_stem())
}

/// Output files rendered once per model, and their templates.
pub const FILES: &[(&str, &str)] = &[(
    "cdk/nag-acknowledgements.json",
    "cdk/nag-acknowledgements.json.tera",
)];

/// The file of the spec's inputs, rendered when it declares any: the props
/// of one `CfnParameter` each, by the id the app gives it at the top of its
/// stack (so that the parameter's logical id, which the roles' `Fn::Sub`
/// names, is that id).
pub const INPUTS: (&str, &str) = (crate::files::CDK_INPUTS_FILE, "cdk/inputs.json.tera");

/// A JSON value: a string, `{"Fn::Sub": "..."}` when the text holds
/// deploy-time values, or a bare number or boolean.
///
/// With `policy_ref=true` a symbolic value is wrapped as an
/// `iam.IManagedPolicyRef` (`{"managedPolicyRef": {"policyArn": ...}}`):
/// `CfnRole` checks at run time that `managedPolicyArns` items and
/// `permissionsBoundary` are strings or such references, and passes the
/// reference's ARN through to the template unchanged.
///
/// # Errors
/// The value is not a string, text, number or boolean.
#[allow(clippy::needless_pass_by_value)] // Tera's filter signature
pub fn filter(value: &Value, args: Kwargs, _: &State) -> TeraResult<String> {
    json(value, args.get::<bool>("policy_ref")?.unwrap_or(false))
}

fn json(value: &Value, policy_ref: bool) -> TeraResult<String> {
    // Most values are plain strings: a JSON string as they are.
    if let Some(s) = value.as_str().filter(|s| !s.contains("${")) {
        return Ok(Json::String(s.to_owned()).to_string());
    }
    let Some(parts) = parts(value)? else {
        return Ok(value.to_string());
    };
    let symbolic = parts.iter().any(|p| matches!(p, super::Part::Ref(_)));
    let text = sub_string(&parts);
    let out = if symbolic && policy_ref {
        format!(
            "{{\"managedPolicyRef\": {{\"policyArn\": {{\"Fn::Sub\": {}}}}}}}",
            Json::String(text)
        )
    } else if symbolic {
        format!("{{\"Fn::Sub\": {}}}", Json::String(text))
    } else {
        // The same shape as the CloudFormation output, so that a CDK app
        // synthesises the very template `cloudformation.yaml` holds.
        let plain = text.replace("${!", "${");
        match join_pieces(&plain) {
            Some(pieces) => format!(
                "{{\"Fn::Join\": [\"\", [{}]]}}",
                pieces
                    .into_iter()
                    .map(|p| Json::String(p).to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None => Json::String(plain).to_string(),
        }
    };
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_and_subs() {
        let f = |v: Json| json(&Value::from_serializable(&v), false).unwrap();
        assert_eq!(f(json!("a\"b\n")), "\"a\\\"b\\n\"");
        assert_eq!(
            f(json!([{"ref": "account_id"}])),
            "{\"Fn::Sub\": \"${AWS::AccountId}\"}"
        );
    }
}
