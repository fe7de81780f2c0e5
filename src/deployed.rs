//! Roles as they are deployed, read offline from what the AWS CLI prints:
//! `aws iam get-account-authorization-details` (the raw API's shape as
//! well, whose policy documents are URL-encoded strings). Each role becomes
//! a [`Role`] as generated files read back, so that `drift` compares it
//! with a spec grant by grant.
//!
//! The dump holds no role description and no maximum session duration:
//! they are not compared.

use std::path::{Path, PathBuf};

use serde_yaml::{Mapping, Value};

use crate::error::{Error, Problem};
use crate::location::Locations;
use crate::model::{Role, RoleKind};
use crate::render::readback::Reader;

/// The largest dump read; an account's full authorization details are a
/// few megabytes.
pub const MAX_DUMP_BYTES: u64 = 256 * 1024 * 1024;

/// One deployed role.
#[derive(Debug, Clone)]
pub struct DeployedRole {
    /// The role's ARN, as IAM gives it.
    pub arn: String,
    /// Its trust, inline policies (as one policy), attached managed
    /// policies, boundary, path and tags. `kind` is [`RoleKind::Task`]
    /// until a spec's role claims it.
    pub role: Role,
}

impl DeployedRole {
    /// The partition and account of the role's ARN.
    #[must_use]
    pub fn partition_and_account(&self) -> Option<(&str, &str)> {
        let mut parts = self.arn.splitn(6, ':');
        let (_, partition, _, _, account) = (
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
        );
        Some((partition, account))
    }
}

/// The roles of one file.
#[derive(Debug, Clone)]
pub struct Deployed {
    pub file: PathBuf,
    pub roles: Vec<DeployedRole>,
}

/// Read the deployed roles of `path`.
///
/// # Errors
/// The file cannot be read, is not JSON, is not the output of `aws iam
/// get-account-authorization-details`, or holds a policy document ecs-iam
/// cannot compare; located in the file.
pub fn read(path: &Path) -> Result<Deployed, Error> {
    let read_err = |source| Error::Read {
        path: path.to_owned(),
        source,
    };
    let len = std::fs::metadata(path).map_err(read_err)?.len();
    if len > MAX_DUMP_BYTES {
        return Err(Error::TooLarge {
            at: crate::error::Location {
                file: path.to_owned(),
                line: 1,
                column: 1,
            },
            bytes: len,
            max: MAX_DUMP_BYTES,
        });
    }
    let text = std::fs::read_to_string(path).map_err(read_err)?;
    parse(path, &text)
}

/// The deployed roles of a dump's text.
///
/// # Errors
/// As [`read`].
pub fn parse(path: &Path, text: &str) -> Result<Deployed, Error> {
    let json: serde_json::Value = serde_json::from_str(text).map_err(|e| Error::Invalid {
        at: crate::error::Location {
            file: path.to_owned(),
            line: e.line().max(1),
            column: e.column().max(1),
        },
        field: String::new(),
        problem: Box::new(Problem::Dump {
            what: format!(
                "the file is not JSON ({}); give what `aws iam get-account-authorization-details` prints",
                without_position(&e.to_string())
            ),
        }),
    })?;
    let locations = Locations::index(path, text);
    let invalid = |at: &str, what: &str| Error::Invalid {
        at: locations.at(at),
        field: at.to_owned(),
        problem: Box::new(Problem::Dump {
            what: what.to_owned(),
        }),
    };
    let Some(list) = json.get("RoleDetailList") else {
        let keys: Vec<String> = json
            .as_object()
            .map(|o| o.keys().map(|k| format!("`{k}`")).collect())
            .unwrap_or_default();
        return Err(Error::Invalid {
            at: locations.location(1, 1),
            field: String::new(),
            problem: Box::new(Problem::Dump {
                what: format!(
                    "the file is not what `aws iam get-account-authorization-details` prints: it has no `RoleDetailList` (its keys: {})",
                    if keys.is_empty() {
                        "none".to_owned()
                    } else {
                        keys.join(", ")
                    }
                ),
            }),
        });
    };
    let Some(list) = list.as_array() else {
        return Err(invalid("RoleDetailList", "is not a list"));
    };
    let reader = Reader::new(&invalid);
    let mut roles = Vec::new();
    for (i, r) in list.iter().enumerate() {
        let at = format!("RoleDetailList[{i}]");
        roles.push(role(&reader, &invalid, r, &at)?);
    }
    Ok(Deployed {
        file: path.to_owned(),
        roles,
    })
}

/// A policy document as the dump holds it: a JSON object, or the raw
/// API's URL-encoded JSON string.
fn document(
    value: &serde_json::Value,
    at: &str,
    invalid: &dyn Fn(&str, &str) -> Error,
) -> Result<Value, Error> {
    let json = match value {
        serde_json::Value::String(encoded) => {
            let decoded = percent_decode(encoded)
                .ok_or_else(|| invalid(at, "is not a URL-encoded policy document"))?;
            serde_json::from_str(&decoded).map_err(|e| {
                invalid(
                    at,
                    &format!(
                        "does not decode to a JSON policy document ({})",
                        without_position(&e.to_string())
                    ),
                )
            })?
        }
        other => other.clone(),
    };
    serde_yaml::to_value(json).map_err(|e| invalid(at, &e.to_string()))
}

/// `%XX` escapes decoded (IAM's URL encoding writes no `+` for spaces).
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// One `RoleDetailList` entry, turned into the CloudFormation `Properties`
/// shape the reader takes.
fn role(
    reader: &Reader<'_>,
    invalid: &dyn Fn(&str, &str) -> Error,
    r: &serde_json::Value,
    at: &str,
) -> Result<DeployedRole, Error> {
    let field = |name: &str| format!("{at}.{name}");
    let string = |name: &str| -> Result<String, Error> {
        r.get(name)
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| invalid(&field(name), "is missing or not a string"))
    };
    let name = string("RoleName")?;
    let arn = string("Arn")?;
    let mut props = Mapping::new();
    props.insert("RoleName".into(), name.into());
    props.insert("Path".into(), string("Path")?.into());
    let trust = r
        .get("AssumeRolePolicyDocument")
        .ok_or_else(|| invalid(&field("AssumeRolePolicyDocument"), "is missing"))?;
    props.insert(
        "AssumeRolePolicyDocument".into(),
        document(trust, &field("AssumeRolePolicyDocument"), invalid)?,
    );
    // By name, whatever order the dump lists them in.
    let mut inline: Vec<(usize, &serde_json::Value)> =
        array(r, "RolePolicyList").iter().enumerate().collect();
    inline.sort_by_key(|(_, p)| p.get("PolicyName").and_then(serde_json::Value::as_str));
    let mut policies = Vec::new();
    for (i, p) in inline {
        let at = field(&format!("RolePolicyList[{i}]"));
        let mut one = Mapping::new();
        let policy_name = p
            .get("PolicyName")
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| invalid(&format!("{at}.PolicyName"), "is missing"))?;
        one.insert("PolicyName".into(), policy_name.into());
        let doc = p
            .get("PolicyDocument")
            .ok_or_else(|| invalid(&format!("{at}.PolicyDocument"), "is missing"))?;
        one.insert(
            "PolicyDocument".into(),
            document(doc, &format!("{at}.PolicyDocument"), invalid)?,
        );
        policies.push(Value::Mapping(one));
    }
    if !policies.is_empty() {
        props.insert("Policies".into(), Value::Sequence(policies));
    }
    let managed: Vec<Value> = array(r, "AttachedManagedPolicies")
        .iter()
        .filter_map(|m| m.get("PolicyArn").and_then(serde_json::Value::as_str))
        .map(Value::from)
        .collect();
    if !managed.is_empty() {
        props.insert("ManagedPolicyArns".into(), Value::Sequence(managed));
    }
    if let Some(b) = r
        .get("PermissionsBoundary")
        .and_then(|b| b.get("PermissionsBoundaryArn"))
        .and_then(serde_json::Value::as_str)
    {
        props.insert("PermissionsBoundary".into(), b.into());
    }
    let tags: Vec<Value> = array(r, "Tags")
        .iter()
        .map(|t| {
            let mut m = Mapping::new();
            for k in ["Key", "Value"] {
                m.insert(
                    k.into(),
                    t.get(k)
                        .and_then(serde_json::Value::as_str)
                        .unwrap_or_default()
                        .into(),
                );
            }
            Value::Mapping(m)
        })
        .collect();
    if !tags.is_empty() {
        props.insert("Tags".into(), Value::Sequence(tags));
    }
    // The reader names a field by the property; the dump's own field is
    // the one to point at.
    let dump_field = |property: &str| -> String {
        let (head, rest) = property.split_once('.').unwrap_or((property, ""));
        let mapped = match head.split_once('[') {
            Some(("Policies", index)) => format!("RolePolicyList[{index}.PolicyDocument"),
            _ => match head {
                "ManagedPolicyArns" => "AttachedManagedPolicies".to_owned(),
                "PermissionsBoundary" => "PermissionsBoundary".to_owned(),
                other => other.to_owned(),
            },
        };
        if rest.is_empty() || head.starts_with("Policies[") {
            field(&mapped)
        } else {
            field(&format!("{mapped}.{rest}"))
        }
    };
    let role = reader.role(RoleKind::Task, &Value::Mapping(props), &dump_field)?;
    Ok(DeployedRole { arn, role })
}

/// serde_json's message without its ` at line L column C`, which the
/// error's own position replaces.
fn without_position(message: &str) -> &str {
    message.find(" at line ").map_or(message, |i| &message[..i])
}

fn array<'a>(v: &'a serde_json::Value, key: &str) -> &'a [serde_json::Value] {
    v.get(key)
        .and_then(serde_json::Value::as_array)
        .map_or(&[], Vec::as_slice)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_encoded_documents_decode() {
        assert_eq!(
            percent_decode("%7B%22Version%22%3A%222012-10-17%22%7D").as_deref(),
            Some("{\"Version\":\"2012-10-17\"}")
        );
        assert_eq!(percent_decode("%7"), None);
        assert_eq!(percent_decode("%zz"), None);
    }
}
