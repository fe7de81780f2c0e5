//! AWS's rules for the names and texts a spec gives: role names, paths,
//! descriptions, tags, bucket names, key ids, actions, condition operators
//! and keys. Each rule returns the [`Problem`] it finds; the builder
//! attaches the spec location.

use crate::error::{Problem, suggest};
use crate::service_reference;

/// IAM's condition operators, without `ForAllValues:`/`ForAnyValue:` and
/// `IfExists`.
const CONDITION_OPERATORS: &[&str] = &[
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "BinaryEquals",
    "Bool",
    "DateEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateNotEquals",
    "IpAddress",
    "NotIpAddress",
    "Null",
    "NumericEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericNotEquals",
    "StringEquals",
    "StringEqualsIgnoreCase",
    "StringLike",
    "StringNotEquals",
    "StringNotEqualsIgnoreCase",
    "StringNotLike",
];

/// The spec's `name`: it names the output folder and prefixes role names.
pub(super) fn spec_name(name: &str) -> Result<(), Problem> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(Problem::BadSpecName {
            value: name.to_owned(),
        });
    }
    Ok(())
}

/// IAM role names: 1 to 64 characters of letters, digits and `+=,.@_-`.
pub(super) fn role_name(name: &str) -> Result<(), Problem> {
    if name.is_empty() {
        return Err(Problem::RoleNameEmpty);
    }
    if let Some(character) = name
        .chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || "+=,.@_-".contains(c)))
    {
        return Err(Problem::RoleNameCharacter {
            name: name.to_owned(),
            character,
        });
    }
    let length = name.chars().count();
    if length > 64 {
        return Err(Problem::RoleNameTooLong {
            name: name.to_owned(),
            length,
        });
    }
    Ok(())
}

/// `/` or `/a/b/`: printable ASCII between slashes, at most 512 characters.
pub(super) fn iam_path(p: &str) -> Result<(), Problem> {
    let ok = p.len() <= 512
        && p.starts_with('/')
        && p.ends_with('/')
        && p.bytes().all(|b| (0x21..=0x7e).contains(&b));
    if ok {
        Ok(())
    } else {
        Err(Problem::BadPath {
            value: p.to_owned(),
        })
    }
}

/// IAM: at most 1000 characters of tab, LF, CR, printable ASCII and the
/// Latin-1 supplement (U+00A1..U+00FF).
pub(super) fn description(d: &str) -> Result<(), Problem> {
    let length = d.chars().count();
    if length > 1000 {
        return Err(Problem::DescriptionLength { length });
    }
    if let Some(character) = d
        .chars()
        .find(|&c| !(matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{a1}'..='\u{ff}')))
    {
        return Err(Problem::DescriptionCharacter { character });
    }
    Ok(())
}

/// An input's description: a CloudFormation parameter's, which takes no
/// intrinsic function. aws-cdk-lib writes a `${` in a `CfnParameter`'s
/// description as an `Fn::Join`, which CloudFormation then refuses.
pub(super) fn input_description(d: &str) -> Result<(), Problem> {
    description(d)?;
    if d.contains("${") {
        return Err(Problem::InputDescriptionSub {
            description: d.to_owned(),
        });
    }
    Ok(())
}

/// At most 50 tags on a role.
pub(super) fn tag_count(count: usize) -> Result<(), Problem> {
    if count > 50 {
        return Err(Problem::TooManyTags { count });
    }
    Ok(())
}

/// A tag key of 1 to 128 characters, not starting with `aws:`, and a value
/// of at most 256; both of letters, digits, spaces and `_.:/=+-@`.
pub(super) fn tag(key: &str, value: &str) -> Result<(), Problem> {
    let allowed = |c: char| {
        c.is_alphanumeric()
            || c == ' '
            || matches!(c, '_' | '.' | ':' | '/' | '=' | '+' | '-' | '@')
    };
    if key.is_empty() || key.chars().count() > 128 {
        return Err(Problem::TagKeyLength {
            key: key.to_owned(),
        });
    }
    if key.to_ascii_lowercase().starts_with("aws:") {
        return Err(Problem::TagReserved {
            key: key.to_owned(),
        });
    }
    let length = value.chars().count();
    if length > 256 {
        return Err(Problem::TagValueLength {
            key: key.to_owned(),
            length,
        });
    }
    for text in [key, value] {
        if let Some(character) = text.chars().find(|&c| !allowed(c)) {
            return Err(Problem::TagCharacter {
                text: text.to_owned(),
                character,
            });
        }
    }
    Ok(())
}

/// A managed policy name given without its ARN.
pub(super) fn policy_name(value: &str) -> Result<(), Problem> {
    let ok = !value.is_empty()
        && value.len() <= 128
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(Problem::Name {
            kind: "policy name",
            value: value.to_owned(),
            allowed: "give a policy ARN, or a policy name of letters, digits and `+=,.@_-`",
        })
    }
}

/// S3 bucket names: 3 to 63 lowercase letters, digits, `.` and `-`,
/// starting and ending with a letter or digit.
pub(super) fn bucket(b: &str) -> Result<(), Problem> {
    if b.starts_with("arn:") {
        return Err(Problem::BucketArn {
            value: b.to_owned(),
        });
    }
    let ok = (3..=63).contains(&b.len())
        && b.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'.' || c == b'-')
        && b.bytes().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && b.bytes().last().is_some_and(|c| c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(Problem::BucketName {
            value: b.to_owned(),
        })
    }
}

/// An S3 key prefix: anything but control characters.
pub(super) fn key_prefix(prefix: &str) -> Result<(), Problem> {
    if prefix.chars().any(char::is_control) {
        return Err(Problem::Name {
            kind: "key prefix",
            value: prefix.to_owned(),
            allowed: "control characters cannot appear in IAM resources",
        });
    }
    Ok(())
}

/// A key id (UUID) or a multi-Region key id (`mrk-` and 32 hex digits).
pub(super) fn is_kms_key_id(s: &str) -> bool {
    let hex = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit());
    if let Some(rest) = s.strip_prefix("mrk-") {
        return hex(rest, 32);
    }
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && hex(parts[0], 8)
        && hex(parts[1], 4)
        && hex(parts[2], 4)
        && hex(parts[3], 4)
        && hex(parts[4], 12)
}

/// A VPC id (`vpc-`) or VPC endpoint id (`vpce-`): the prefix and 8 to 17
/// lowercase hex digits.
pub(super) fn vpc_id(value: &str, prefix: &str, kind: &'static str) -> Result<(), Problem> {
    let ok = value.strip_prefix(prefix).is_some_and(|hex| {
        (8..=17).contains(&hex.len())
            && hex
                .bytes()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
    });
    if ok {
        Ok(())
    } else {
        Err(Problem::Name {
            kind,
            value: value.to_owned(),
            allowed: if prefix == "vpc-" {
                "write it as `vpc-` and 8 or 17 hex digits"
            } else {
                "write it as `vpce-` and 8 or 17 hex digits"
            },
        })
    }
}

/// A Sid: letters and digits only.
pub(super) fn sid(sid: &str) -> Result<(), Problem> {
    if sid.is_empty() || !sid.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(Problem::BadSid {
            sid: sid.to_owned(),
        });
    }
    Ok(())
}

/// `service:Action`, wildcards allowed in the action part, or `*`.
pub(super) fn action(a: &str) -> Result<(), Problem> {
    if is_action(a) {
        Ok(())
    } else {
        Err(Problem::BadAction {
            action: a.to_owned(),
        })
    }
}

fn is_action(a: &str) -> bool {
    if a == "*" {
        return true;
    }
    let Some((service, action)) = a.split_once(':') else {
        return false;
    };
    !service.is_empty()
        && service
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !action.is_empty()
        && action
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'*' || b == b'?')
}

/// An action AWS's service reference lists (IAM compares action names
/// ignoring case); a wildcard must match at least one. `*` is every action.
pub(super) fn known_action(a: &str) -> Result<(), Problem> {
    let Some((prefix, name)) = a.split_once(':') else {
        return Ok(());
    };
    let reference = service_reference::reference();
    let Some(service) = reference.service(prefix) else {
        let suggestion = reference.suggest_service(prefix).map(|p| {
            // The same action under the closer prefix, where it has it.
            match reference.service(&p).and_then(|s| s.matching(name).next()) {
                Some(_) if !name.contains(['*', '?']) => format!("{p}:{name}"),
                _ => p,
            }
        });
        return Err(Problem::UnknownActionService {
            action: a.to_owned(),
            service: prefix.to_owned(),
            suggestion,
        });
    };
    if service.matching(name).next().is_some() {
        return Ok(());
    }
    if name.contains(['*', '?']) {
        return Err(Problem::ActionWildcardMatchesNothing {
            action: a.to_owned(),
        });
    }
    Err(Problem::UnknownAction {
        action: a.to_owned(),
        suggestion: service
            .suggest_action(name)
            .map(|n| format!("{}:{n}", service.prefix)),
    })
}

/// An Allow statement's action must take at least one of its resources:
/// an action acting on resource types needs an ARN that could be of one of
/// them (or `*`); an action without resource-level permissions needs `*`.
/// Otherwise IAM never matches the pair and the grant is silently void.
pub(super) fn action_takes(a: &str, resources: &[String]) -> Result<(), Problem> {
    if resources.iter().any(|r| r == "*") {
        return Ok(());
    }
    let Some((service, actions)) = service_reference::reference().resolve(a) else {
        return Ok(());
    };
    // A KMS alias ARN never matches a key action either; `check` reports it
    // as `kms-alias`, with the fix (`kms:ResourceAliases`) the alias needs.
    if service.prefix == "kms" && resources.iter().any(|r| r.contains(":alias/")) {
        return Ok(());
    }
    if actions
        .iter()
        .any(|action| resources.iter().any(|r| service.takes(action, r)))
    {
        return Ok(());
    }
    if actions
        .iter()
        .all(|action| action.resource_types.is_empty())
    {
        return Err(Problem::ActionTakesOnlyStar {
            action: a.to_owned(),
            resources: resources.to_vec(),
        });
    }
    let types = match actions.as_slice() {
        [action] => action
            .resource_types
            .iter()
            .map(|(i, _)| {
                let t = &service.resource_types[*i];
                (t.name.clone(), t.arns.join("` or `"))
            })
            .collect(),
        _ => Vec::new(),
    };
    Err(Problem::ResourceTypeMismatch {
        action: a.to_owned(),
        resources: resources.to_vec(),
        types,
    })
}

/// A condition operator, with its `ForAllValues:`/`ForAnyValue:` and
/// `IfExists` forms (`Null` has no `IfExists`).
pub(super) fn condition_operator(op: &str) -> Result<(), Problem> {
    if is_condition_operator(op) {
        Ok(())
    } else {
        Err(Problem::BadConditionOperator {
            operator: op.to_owned(),
            suggestion: suggest(op, CONDITION_OPERATORS.iter().copied()),
        })
    }
}

fn is_condition_operator(op: &str) -> bool {
    let op = op
        .strip_prefix("ForAllValues:")
        .or_else(|| op.strip_prefix("ForAnyValue:"))
        .unwrap_or(op);
    let base = op
        .strip_suffix("IfExists")
        .filter(|b| *b != "Null")
        .unwrap_or(op);
    CONDITION_OPERATORS.contains(&base)
}

/// A condition key: `prefix:name`.
pub(super) fn condition_key(key: &str) -> Result<(), Problem> {
    let ok = key.split_once(':').is_some_and(|(prefix, name)| {
        !prefix.is_empty()
            && prefix
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_graphic() && !matches!(c, '"' | '\'' | '\\'))
    });
    if ok {
        Ok(())
    } else {
        Err(Problem::BadConditionKey {
            key: key.to_owned(),
        })
    }
}

/// A spec value that becomes a mapping key in the outputs (a condition
/// operator or key) written literally. A deploy-time value cannot be a key:
/// CloudFormation and CDK would get an `Fn::Join` or `Fn::Sub` object where
/// only a string may stand, and IAM compares a condition key as written.
/// `what` names the key (`condition key`).
pub(super) fn literal_key(what: &'static str, key: &str) -> Result<(), Problem> {
    match deploy_time_part(key) {
        Some(value) => Err(Problem::DeployTimeKey {
            what,
            key: key.to_owned(),
            value: value.to_owned(),
        }),
        None => Ok(()),
    }
}

/// The first deploy-time value `text` holds: a placeholder (`<account_id>`,
/// `<input.Stage>`, or any other `<...>`) or a CloudFormation variable
/// (`${AWS::AccountId}`, `${Stage}`: `${` then an uppercase letter or a
/// digit, which the outputs write as `Fn::Join` pieces). IAM policy
/// variables (`${aws:username}`) are text.
fn deploy_time_part(text: &str) -> Option<&str> {
    let placeholder = text
        .find('<')
        .and_then(|start| text[start..].find('>').map(|len| (start, start + len + 1)));
    let bytes = text.as_bytes();
    let variable = (0..bytes.len().saturating_sub(2))
        .find(|&i| {
            bytes[i] == b'$'
                && bytes[i + 1] == b'{'
                && (bytes[i + 2].is_ascii_uppercase() || bytes[i + 2].is_ascii_digit())
        })
        .map(|start| {
            let end = text[start..]
                .find('}')
                .map_or(text.len(), |len| start + len + 1);
            (start, end)
        });
    let (start, end) = match (placeholder, variable) {
        (Some(p), Some(v)) => p.min(v),
        (one, other) => one.or(other)?,
    };
    Some(&text[start..end])
}

/// An ECR pull-through cache rule's repository prefix: 2 to 30 lowercase
/// letters and digits, separated by single `.`, `_` or `-`.
pub(super) fn cache_prefix(value: &str) -> Result<(), Problem> {
    let ok = (2..=30).contains(&value.len())
        && value.split(['.', '_', '-']).all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    if ok {
        Ok(())
    } else {
        Err(Problem::Name {
            kind: "pull-through cache prefix",
            value: value.to_owned(),
            allowed: "use 2 to 30 lowercase letters and digits, separated by single `.`, `_` or `-`, as the cache rule's `ecrRepositoryPrefix`",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deploy_time_parts_of_keys() {
        assert_eq!(
            deploy_time_part("aws:ResourceTag/${AWS::Region}"),
            Some("${AWS::Region}")
        );
        assert_eq!(
            deploy_time_part("a:${Stage}-<input.Team>"),
            Some("${Stage}")
        );
        assert_eq!(deploy_time_part("a:<region>/${Stage}"), Some("<region>"));
        assert_eq!(deploy_time_part("a:b/${1"), Some("${1"));
        // IAM policy variables and lone brackets are text.
        assert_eq!(deploy_time_part("aws:ResourceTag/${aws:username}"), None);
        assert_eq!(deploy_time_part("a:b>c<d"), None);
        assert_eq!(deploy_time_part("s3:prefix"), None);
        assert!(literal_key("condition key", "aws:SourceVpce").is_ok());
    }

    #[test]
    fn operators() {
        assert!(is_condition_operator("ForAnyValue:StringLikeIfExists"));
        assert!(!is_condition_operator("NullIfExists"));
        assert!(!is_condition_operator("StringEqual"));
    }

    #[test]
    fn an_empty_role_name_is_not_called_too_long() {
        assert!(matches!(role_name(""), Err(Problem::RoleNameEmpty)));
        assert!(matches!(
            role_name(&"a".repeat(65)),
            Err(Problem::RoleNameTooLong { length: 65, .. })
        ));
        assert!(role_name(&"a".repeat(64)).is_ok());
    }
}
