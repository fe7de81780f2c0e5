//! The kinds of resource a spec names by name or by ARN (secrets, KMS keys,
//! ECR repositories, log groups, SSM parameters), one table row each: the
//! service, the ARN's scope and resource prefix, the name rule, and how a
//! name becomes the resource part of the ARN.

use crate::arn::{REGIONAL, Scope, Text};
use crate::error::{Error, Problem};

use super::Builder;
use super::names;

/// What an ARN the spec writes must be.
pub(super) struct ArnRule {
    pub service: &'static str,
    /// The ARN in words, for a malformed ARN.
    pub what: &'static str,
    /// The start of the resource part, e.g. `secret:`.
    pub prefix: &'static str,
    /// The resource in words, for an ARN of another resource type.
    pub expected: &'static str,
}

/// A resource kind the spec names by name or ARN.
pub(super) struct ResourceKind {
    pub arn: ArnRule,
    pub scope: Scope,
    /// Whether `*` alone stands for every resource of the kind.
    pub any: bool,
    /// A value refused before anything else, ARN or name.
    pub refuse: fn(&str) -> Result<(), Problem>,
    /// Checks a name.
    pub check: fn(&str) -> Result<(), Problem>,
    /// Turns a checked name into the resource part of the ARN.
    pub resource: fn(&str) -> String,
}

/// IAM policies (permissions boundaries, managed policies).
pub(super) const POLICY: ArnRule = ArnRule {
    service: "iam",
    what: "an IAM policy ARN (`arn:<partition>:iam::<account_id>:policy/<name>`)",
    prefix: "policy/",
    expected: "an IAM policy (`...:policy/<name>`)",
};

/// Managed policies attached by ARN.
pub(super) const MANAGED_POLICY: ArnRule = ArnRule {
    service: "iam",
    what: "a managed policy ARN (`arn:<partition>:iam::aws:policy/<name>`)",
    prefix: "policy/",
    expected: "a managed policy (`...:policy/<name>`)",
};

// A `refuse` rule that lets every value through; the table's field is a
// plain function pointer, so it returns a Result like the others.
#[allow(clippy::unnecessary_wraps)]
fn accept(_: &str) -> Result<(), Problem> {
    Ok(())
}

/// A name of 1 to `max` characters, each `allowed`.
fn name_of(value: &str, max: usize, allowed: impl Fn(char) -> bool) -> bool {
    !value.is_empty() && value.len() <= max && value.chars().all(allowed)
}

pub(super) const SECRET: ResourceKind = ResourceKind {
    arn: ArnRule {
        service: "secretsmanager",
        what: "a Secrets Manager secret ARN",
        prefix: "secret:",
        expected: "a secret (`...:secret:<name>`)",
    },
    scope: REGIONAL,
    any: true,
    refuse: accept,
    check: |value| {
        if !name_of(value, 512, |c| {
            c.is_ascii_alphanumeric() || "/_+=.@-*?".contains(c)
        }) {
            return Err(Problem::Name {
                kind: "secret name",
                value: value.to_owned(),
                allowed: "use letters, digits and `/_+=.@-`, or give the secret's ARN",
            });
        }
        Ok(())
    },
    // Secrets Manager appends `-` and six random characters to the name.
    resource: |value| {
        if value.ends_with('*') {
            format!("secret:{value}")
        } else {
            format!("secret:{value}-??????")
        }
    },
};

pub(super) const KMS_KEY: ResourceKind = ResourceKind {
    arn: ArnRule {
        service: "kms",
        what: "a KMS key ARN",
        prefix: "key/",
        expected: "a KMS key (`...:key/<key-id>`)",
    },
    scope: REGIONAL,
    any: false,
    // IAM cannot authorise by alias ARN.
    refuse: |value| {
        if value.starts_with("alias/") || value.contains(":alias/") {
            return Err(Problem::KmsAlias {
                value: value.to_owned(),
            });
        }
        Ok(())
    },
    check: |value| {
        if !names::is_kms_key_id(value) {
            return Err(Problem::KmsKeyId {
                value: value.to_owned(),
            });
        }
        Ok(())
    },
    resource: |value| format!("key/{value}"),
};

pub(super) const REPOSITORY: ResourceKind = ResourceKind {
    arn: ArnRule {
        service: "ecr",
        what: "an ECR repository ARN",
        prefix: "repository/",
        expected: "an ECR repository (`...:repository/<name>`)",
    },
    scope: REGIONAL,
    any: false,
    refuse: accept,
    check: |value| {
        if value.len() < 2
            || !name_of(value, 256, |c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || "._/-*".contains(c)
            })
        {
            return Err(Problem::Name {
                kind: "ECR repository name",
                value: value.to_owned(),
                allowed: "use 2 to 256 lowercase letters, digits and `._/-`, or give the repository ARN",
            });
        }
        Ok(())
    },
    resource: |value| format!("repository/{value}"),
};

pub(super) const LOG_GROUP: ResourceKind = ResourceKind {
    arn: ArnRule {
        service: "logs",
        what: "a CloudWatch Logs log group ARN",
        prefix: "log-group:",
        expected: "a log group (`...:log-group:<name>:*`)",
    },
    scope: REGIONAL,
    any: false,
    refuse: accept,
    check: |value| {
        if !name_of(value, 512, |c| {
            c.is_ascii_alphanumeric() || "._-/#*".contains(c)
        }) {
            return Err(Problem::Name {
                kind: "log group name",
                value: value.to_owned(),
                allowed: "use letters, digits and `._-/#`, or give the log group ARN",
            });
        }
        Ok(())
    },
    // Log streams (PutLogEvents) live under `log-group:<name>:log-stream:`.
    resource: |value| format!("log-group:{value}:*"),
};

pub(super) const PARAMETER: ResourceKind = ResourceKind {
    arn: ArnRule {
        service: "ssm",
        what: "an SSM parameter ARN",
        prefix: "parameter/",
        expected: "an SSM parameter (`...:parameter/<name>`)",
    },
    scope: REGIONAL,
    any: false,
    refuse: accept,
    check: |value| {
        let name = value.strip_prefix('/').unwrap_or(value);
        if !name_of(name, 2048, |c| {
            c.is_ascii_alphanumeric() || "_.-/*".contains(c)
        }) {
            return Err(Problem::Name {
                kind: "SSM parameter name",
                value: value.to_owned(),
                allowed: "use letters, digits and `_.-/`, or give the parameter ARN",
            });
        }
        Ok(())
    },
    resource: |value| format!("parameter/{}", value.strip_prefix('/').unwrap_or(value)),
};

/// Whether `value` is one placeholder (`<region>`, `<input.Name>`) and
/// nothing else.
fn is_one_placeholder(value: &str) -> bool {
    value.starts_with('<') && value.ends_with('>') && value.matches('<').count() == 1
}

impl Builder<'_> {
    /// Check a name the spec wrote in `field`, which may hold deploy-time
    /// values: its literal text is checked, each value standing in as `x`;
    /// a name that is one value whole is the deployer's to get right.
    pub(super) fn checked_name(
        &self,
        field: &str,
        value: &str,
        check: impl Fn(&str) -> Result<(), Problem>,
    ) -> Result<(), Error> {
        let checked = self.at(field, self.env.check_placeholders(value))?;
        if checked == value || !is_one_placeholder(value) {
            self.at(field, check(&checked))?;
        }
        Ok(())
    }

    /// An ARN from the spec that must follow `rule`.
    pub(super) fn typed_arn(
        &self,
        field: &str,
        value: &str,
        rule: &ArnRule,
    ) -> Result<crate::arn::Arn, Error> {
        let a = self.user_arn(field, value, Some(rule.service), rule.what)?;
        if !a.resource.starts_with(rule.prefix) {
            return Err(self.invalid(
                field,
                Problem::WrongResourceType {
                    value: value.to_owned(),
                    expected: rule.expected,
                },
            ));
        }
        Ok(a)
    }

    /// A resource of `kind` the spec wrote in `field`, as an ARN.
    pub(super) fn resource(
        &self,
        kind: &ResourceKind,
        field: &str,
        value: &str,
    ) -> Result<Text, Error> {
        if kind.any && value == "*" {
            return Ok(Text::literal("*"));
        }
        self.at(field, (kind.refuse)(value))?;
        if value.starts_with("arn:") {
            return Ok(self.typed_arn(field, value, &kind.arn)?.text);
        }
        self.checked_name(field, value, kind.check)?;
        Ok(self
            .env
            .arn(kind.arn.service, kind.scope, &(kind.resource)(value)))
    }

    /// The resources of `kind` listed in `field`.
    pub(super) fn resources(
        &self,
        kind: &ResourceKind,
        field: &str,
        values: &[String],
    ) -> Result<Vec<Text>, Error> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| self.resource(kind, &format!("{field}[{i}]"), v))
            .collect()
    }
}
