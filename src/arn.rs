//! ARNs and other values that may hold the partition, region or account id
//! either literally (pinned in `deployment`) or symbolically (resolved by
//! CloudFormation, Terraform or CDK at deploy time).

use std::fmt;

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use crate::error::{Problem, suggest};

/// An AWS partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Partition {
    Aws,
    AwsCn,
    AwsUsGov,
}

impl Partition {
    pub const ALL: [Partition; 3] = [Partition::Aws, Partition::AwsCn, Partition::AwsUsGov];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Partition::Aws => "aws",
            Partition::AwsCn => "aws-cn",
            Partition::AwsUsGov => "aws-us-gov",
        }
    }

    /// Parse a partition name.
    ///
    /// # Errors
    /// An unknown name, with the closest known one.
    pub fn parse(value: &str) -> Result<Partition, Problem> {
        Partition::ALL
            .into_iter()
            .find(|p| p.as_str() == value)
            .ok_or_else(|| Problem::UnknownPartition {
                value: value.to_owned(),
                suggestion: suggest(value, Partition::ALL.iter().map(|p| p.as_str())),
            })
    }

    /// The partition a region belongs to.
    #[must_use]
    pub fn of_region(region: &str) -> Partition {
        if region.starts_with("cn-") {
            Partition::AwsCn
        } else if region.starts_with("us-gov-") {
            Partition::AwsUsGov
        } else {
            Partition::Aws
        }
    }
}

/// The name of a deploy-time input the spec declares under `inputs:`.
/// The same name is the CloudFormation parameter's, the Terraform
/// variable's and the CDK `CfnParameter`'s id, so it is what all three
/// allow: a letter, then letters and digits (CloudFormation's parameter
/// names take no `_`), at most 255 characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InputName(String);

impl InputName {
    /// Parse an input name.
    ///
    /// # Errors
    /// A name CloudFormation, Terraform or CDK would not take.
    pub fn parse(name: &str) -> Result<InputName, Problem> {
        let mut chars = name.chars();
        let ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric())
            && name.len() <= 255;
        if ok {
            Ok(InputName(name.to_owned()))
        } else {
            Err(Problem::InputName {
                name: name.to_owned(),
            })
        }
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Serialize for InputName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl fmt::Display for InputName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A part of a [`Text`]: literal text or a deploy-time value. The
/// partition, region and account id are the built-in inputs; the spec
/// declares any other.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Segment {
    Literal(String),
    Partition,
    Region,
    Account,
    Input(InputName),
}

/// A string that may contain the partition, region and account id
/// symbolically. Serialised for templates as a list whose items are strings
/// (literal text), `{"ref": "partition" | "region" | "account_id"}` or
/// `{"input": "<name>"}`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text(Vec<Segment>);

impl Text {
    /// A text of one segment.
    #[must_use]
    pub fn from_segment(segment: Segment) -> Text {
        let mut t = Text::default();
        t.push(segment);
        t
    }

    /// A literal text.
    #[must_use]
    pub fn literal(s: &str) -> Text {
        let mut t = Text::default();
        t.push_str(s);
        t
    }

    pub fn push_str(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        if let Some(Segment::Literal(last)) = self.0.last_mut() {
            last.push_str(s);
        } else {
            self.0.push(Segment::Literal(s.to_owned()));
        }
    }

    pub fn push(&mut self, segment: Segment) {
        match segment {
            Segment::Literal(s) => self.push_str(&s),
            other => self.0.push(other),
        }
    }

    pub fn append(&mut self, other: &Text) {
        for s in &other.0 {
            self.push(s.clone());
        }
    }

    #[must_use]
    pub fn segments(&self) -> &[Segment] {
        &self.0
    }

    /// True when no part is symbolic.
    #[must_use]
    pub fn is_literal(&self) -> bool {
        self.0.iter().all(|s| matches!(s, Segment::Literal(_)))
    }

    /// True when the text is exactly `*`.
    #[must_use]
    pub fn is_star(&self) -> bool {
        matches!(self.0.as_slice(), [Segment::Literal(s)] if s == "*")
    }

    /// A log group ARN without the `:*` that covers its streams
    /// (`log-group:<name>:*` → `log-group:<name>`).
    #[must_use]
    pub fn without_streams(&self) -> Text {
        let mut t = self.clone();
        let is_log_group = self
            .0
            .iter()
            .any(|s| matches!(s, Segment::Literal(l) if l.contains("log-group:")));
        if let Some(Segment::Literal(last)) = t.0.last_mut()
            && last.ends_with(":*")
            && is_log_group
        {
            last.truncate(last.len() - 2);
            if last.is_empty() {
                t.0.pop();
            }
        }
        t
    }

    /// The declared inputs the text holds, in order.
    pub fn inputs(&self) -> impl Iterator<Item = &InputName> {
        self.0.iter().filter_map(|s| match s {
            Segment::Input(name) => Some(name),
            _ => None,
        })
    }

    /// A sort key: literal text with the deploy-time values spelled as
    /// `<partition>`, `<region>`, `<account_id>`, `<input.name>` (the
    /// spec's own placeholders).
    #[must_use]
    pub fn sort_key(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for s in &self.0 {
            match s {
                Segment::Literal(l) => f.write_str(l)?,
                Segment::Partition => f.write_str("<partition>")?,
                Segment::Region => f.write_str("<region>")?,
                Segment::Account => f.write_str("<account_id>")?,
                Segment::Input(name) => write!(f, "<input.{name}>")?,
            }
        }
        Ok(())
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Ref<'a>(&'static str, &'a str);
        impl Serialize for Ref<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry(self.0, self.1)?;
                map.end()
            }
        }
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for s in &self.0 {
            match s {
                Segment::Literal(l) => seq.serialize_element(l)?,
                Segment::Partition => seq.serialize_element(&Ref("ref", "partition"))?,
                Segment::Region => seq.serialize_element(&Ref("ref", "region"))?,
                Segment::Account => seq.serialize_element(&Ref("ref", "account_id"))?,
                Segment::Input(name) => seq.serialize_element(&Ref("input", name.as_str()))?,
            }
        }
        seq.end()
    }
}

/// The deployment target: each part pinned or left to deploy time, and the
/// inputs the spec declares.
#[derive(Debug, Clone, Default)]
pub struct Env {
    pub partition: Option<Partition>,
    pub region: Option<String>,
    pub account: Option<String>,
    pub inputs: Vec<InputName>,
}

/// Which ARN fields a resource type fills in.
#[derive(Debug, Clone, Copy)]
pub struct Scope {
    pub region: bool,
    pub account: bool,
}

pub const REGIONAL: Scope = Scope {
    region: true,
    account: true,
};
pub const GLOBAL: Scope = Scope {
    region: false,
    account: true,
};
pub const NO_SCOPE: Scope = Scope {
    region: false,
    account: false,
};

impl Env {
    #[must_use]
    pub fn partition(&self) -> Segment {
        self.partition.map_or(Segment::Partition, |p| {
            Segment::Literal(p.as_str().to_owned())
        })
    }

    #[must_use]
    pub fn region(&self) -> Segment {
        self.region
            .as_ref()
            .map_or(Segment::Region, |r| Segment::Literal(r.clone()))
    }

    #[must_use]
    pub fn account(&self) -> Segment {
        self.account
            .as_ref()
            .map_or(Segment::Account, |a| Segment::Literal(a.clone()))
    }

    /// `arn:<partition>:<service>:<region>:<account>:<resource>`.
    #[must_use]
    pub fn arn(&self, service: &str, scope: Scope, resource: &str) -> Text {
        let mut t = Text::literal("arn:");
        t.push(self.partition());
        t.push_str(&format!(":{service}:"));
        if scope.region {
            t.push(self.region());
        }
        t.push_str(":");
        if scope.account {
            t.push(self.account());
        }
        t.push_str(":");
        t.append(&self.placeholders(resource));
        t
    }

    /// `value` with its placeholders (the built-in ones and the declared
    /// inputs) as deploy-time values; anything else between `<` and `>`
    /// stays text. For values already checked by [`Env::check_placeholders`].
    #[must_use]
    pub fn placeholders(&self, value: &str) -> Text {
        let mut t = Text::default();
        let mut rest = value;
        while let Some(start) = rest.find('<') {
            t.push_str(&rest[..start]);
            let after = &rest[start..];
            let found = after
                .find('>')
                .and_then(|len| Some((len, self.placeholder(&after[..=len])?)));
            if let Some((len, segment)) = found {
                t.push(segment);
                rest = &after[len + 1..];
            } else {
                t.push_str("<");
                rest = &after[1..];
            }
        }
        t.push_str(rest);
        t
    }

    /// The deploy-time value `<...>` stands for: a built-in input or a
    /// declared one.
    fn placeholder(&self, placeholder: &str) -> Option<Segment> {
        match placeholder {
            "<partition>" => Some(self.partition()),
            "<region>" => Some(self.region()),
            "<account_id>" => Some(self.account()),
            _ => {
                let name = placeholder.strip_prefix("<input.")?.strip_suffix('>')?;
                self.inputs
                    .iter()
                    .find(|i| i.as_str() == name)
                    .map(|i| Segment::Input(i.clone()))
            }
        }
    }

    /// `value` with every placeholder replaced by `x`, for the checks of a
    /// name's characters and length that the value must pass once the
    /// deploy-time values are known.
    ///
    /// # Errors
    /// An unknown placeholder or undeclared input.
    pub fn check_placeholders(&self, value: &str) -> Result<String, Problem> {
        let text = self.expand(value)?;
        Ok(text
            .segments()
            .iter()
            .map(|s| match s {
                Segment::Literal(l) => l.as_str(),
                _ => "x",
            })
            .collect())
    }

    /// Text with the spec's placeholders `<partition>`, `<region>` and
    /// `<account_id>` replaced by this deployment's values, and each
    /// `<input.name>` by the declared input.
    ///
    /// # Errors
    /// An undeclared input, or any other `<...>` placeholder, e.g. one
    /// copied from documentation.
    pub fn expand(&self, value: &str) -> Result<Text, Problem> {
        let mut t = Text::default();
        let mut rest = value;
        while let Some(start) = rest.find('<') {
            t.push_str(&rest[..start]);
            let Some(len) = rest[start..].find('>') else {
                t.push_str(&rest[start..]);
                return Ok(t);
            };
            let placeholder = &rest[start..=start + len];
            let Some(segment) = self.placeholder(placeholder) else {
                if let Some(name) = placeholder
                    .strip_prefix("<input.")
                    .and_then(|p| p.strip_suffix('>'))
                {
                    return Err(Problem::UnknownInput {
                        value: value.to_owned(),
                        name: name.to_owned(),
                        suggestion: suggest(name, self.inputs.iter().map(InputName::as_str)),
                    });
                }
                return Err(Problem::UnknownPlaceholder {
                    value: value.to_owned(),
                    placeholder: placeholder.to_owned(),
                });
            };
            t.push(segment);
            rest = &rest[start + len + 1..];
        }
        t.push_str(rest);
        Ok(t)
    }

    /// Parse an ARN written in the spec: placeholders expanded, the partition
    /// checked against the deployment, the service checked when given. A
    /// literal partition is used as written when the deployment pins none
    /// (`check` warns about it); it must equal a pinned one.
    ///
    /// # Errors
    /// A malformed ARN, a partition that contradicts the pinned one, a wrong
    /// service.
    pub fn user_arn(
        &self,
        value: &str,
        service: Option<&str>,
        expected: &'static str,
    ) -> Result<Arn, Problem> {
        let parts: Vec<&str> = value.splitn(6, ':').collect();
        if parts.len() != 6 || parts[0] != "arn" || parts[2].is_empty() || parts[5].is_empty() {
            return Err(Problem::BadArn {
                value: value.to_owned(),
                expected,
            });
        }
        let partition = parts[1];
        let mut hard_coded = None;
        if partition != "<partition>" {
            let found = Partition::parse(partition)?;
            match self.partition {
                None => hard_coded = Some(found),
                Some(pinned) if pinned != found => {
                    return Err(Problem::PartitionMismatch {
                        value: value.to_owned(),
                        found: partition.to_owned(),
                        pinned: pinned.as_str().to_owned(),
                    });
                }
                Some(_) => {}
            }
        }
        if let Some(service) = service
            && parts[2] != service
        {
            return Err(Problem::WrongService {
                value: value.to_owned(),
                found: parts[2].to_owned(),
                expected,
            });
        }
        let account = parts[4];
        if !(account.is_empty()
            || account == "<account_id>"
            || account == "aws"
            || account == "*"
            || is_account_id(account)
            || matches!(self.placeholder(account), Some(Segment::Input(_))))
        {
            return Err(Problem::BadArn {
                value: value.to_owned(),
                expected,
            });
        }
        Ok(Arn {
            text: self.expand(value)?,
            resource: parts[5].to_owned(),
            hard_coded,
        })
    }
}

/// An ARN from the spec, expanded, with its resource part for type checks.
#[derive(Debug, Clone)]
pub struct Arn {
    pub text: Text,
    pub resource: String,
    /// The partition written literally while the deployment pins none.
    pub hard_coded: Option<Partition>,
}

/// Twelve ASCII digits.
#[must_use]
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// A region name such as `eu-west-1` or `us-gov-west-1`.
#[must_use]
pub fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pinned() -> Env {
        Env {
            partition: Some(Partition::AwsCn),
            region: Some("cn-north-1".into()),
            account: Some("123456789012".into()),
            inputs: Vec::new(),
        }
    }

    #[test]
    fn inputs_are_declared_names() {
        let env = Env {
            inputs: vec![InputName::parse("Stage").unwrap()],
            ..Env::default()
        };
        let t = env
            .expand("arn:<partition>:logs:<region>:<account_id>:log-group:app-<input.Stage>:*")
            .unwrap();
        assert_eq!(
            t.segments(),
            [
                Segment::Literal("arn:".into()),
                Segment::Partition,
                Segment::Literal(":logs:".into()),
                Segment::Region,
                Segment::Literal(":".into()),
                Segment::Account,
                Segment::Literal(":log-group:app-".into()),
                Segment::Input(InputName::parse("Stage").unwrap()),
                Segment::Literal(":*".into()),
            ]
        );
        assert_eq!(
            t.to_string(),
            "arn:<partition>:logs:<region>:<account_id>:log-group:app-<input.Stage>:*"
        );
        assert_eq!(
            env.expand("x-<input.Stag>").unwrap_err().to_string(),
            "`x-<input.Stag>` uses the input `Stag`, which `inputs:` does not declare; did you mean `<input.Stage>`?"
        );
        assert_eq!(env.check_placeholders("a<input.Stage>b").unwrap(), "axb");
        // A log group named by an input still loses its `:*` for the streams.
        assert_eq!(
            t.without_streams().to_string(),
            "arn:<partition>:logs:<region>:<account_id>:log-group:app-<input.Stage>"
        );
        // In a name already checked, an unknown `<...>` stays text.
        assert_eq!(env.placeholders("a<b>").to_string(), "a<b>");
        for bad in ["stage_name", "1stage", "", "st-age"] {
            assert!(matches!(
                InputName::parse(bad),
                Err(Problem::InputName { .. })
            ));
        }
    }

    #[test]
    fn builds_symbolic_and_pinned_arns() {
        let sym = Env::default().arn("secretsmanager", REGIONAL, "secret:db-??????");
        assert_eq!(
            sym.to_string(),
            "arn:<partition>:secretsmanager:<region>:<account_id>:secret:db-??????"
        );
        assert!(!sym.is_literal());
        let lit = pinned().arn("s3", NO_SCOPE, "bucket/p*");
        assert_eq!(lit.to_string(), "arn:aws-cn:s3:::bucket/p*");
        assert!(lit.is_literal());
    }

    #[test]
    fn user_arns_respect_the_partition() {
        let env = Env::default();
        // A literal partition is used as written, and marked for `check`.
        let literal = env.user_arn("arn:aws:s3:::b", None, "an ARN").unwrap();
        assert_eq!(literal.text.to_string(), "arn:aws:s3:::b");
        assert!(literal.text.is_literal());
        assert_eq!(literal.hard_coded, Some(Partition::Aws));
        let ok = env
            .user_arn("arn:<partition>:s3:::b/${aws:username}/*", None, "an ARN")
            .unwrap();
        assert_eq!(
            ok.text.to_string(),
            "arn:<partition>:s3:::b/${aws:username}/*"
        );
        assert!(matches!(
            pinned().user_arn("arn:aws:s3:::b", None, "an ARN"),
            Err(Problem::PartitionMismatch { .. })
        ));
        assert!(matches!(
            env.user_arn(
                "arn:<partition>:ssm:<region>:<account_id>:parameter/x",
                Some("secretsmanager"),
                "a secret"
            ),
            Err(Problem::WrongService { .. })
        ));
        assert!(matches!(
            env.expand("arn:<partition>:kms:<region>:<acct>:key/x"),
            Err(Problem::UnknownPlaceholder { .. })
        ));
    }

    #[test]
    fn regions() {
        assert!(is_region("eu-west-1"));
        assert!(is_region("us-gov-west-1"));
        assert!(!is_region("eu-west"));
        assert!(!is_region("EU-west-1"));
        assert_eq!(Partition::of_region("cn-northwest-1"), Partition::AwsCn);
    }
}
