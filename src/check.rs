//! `ecs-iam check`: least-privilege and limit findings on a spec and its
//! rendering, each with a stable rule id, a severity, the spec's
//! `file:line:column` and a fix.

use std::fmt;
use std::fmt::Write as _;

use serde::Serialize;
use serde_json::json;

use crate::error::{Error, Location};
use crate::escape;
use crate::model;
use crate::model::managed::TASK_EXECUTION;
use crate::sarif;
use crate::service_reference;
use crate::spec::Source;

/// How serious a finding is (SARIF's levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// The id of a rule `check` applies; stable, as users suppress and filter by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RuleId {
    SecretWildcard,
    ParameterWildcard,
    KmsWildcard,
    KmsAlias,
    HardcodedPartition,
    CrossAccount,
    Ec2Trust,
    ConfusedDeputyOff,
    ManagedExecutionPolicy,
    SecretSuffix,
    CustomStarAction,
    CustomServiceWildcard,
    CustomStarResource,
    UnknownConditionKey,
    UnusedInput,
}

impl RuleId {
    /// The id as findings and SARIF print it, e.g. `secret-wildcard`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            RuleId::SecretWildcard => "secret-wildcard",
            RuleId::ParameterWildcard => "parameter-wildcard",
            RuleId::KmsWildcard => "kms-wildcard",
            RuleId::KmsAlias => "kms-alias",
            RuleId::HardcodedPartition => "hardcoded-partition",
            RuleId::CrossAccount => "cross-account",
            RuleId::Ec2Trust => "ec2-trust",
            RuleId::ConfusedDeputyOff => "confused-deputy-off",
            RuleId::ManagedExecutionPolicy => "managed-execution-policy",
            RuleId::SecretSuffix => "secret-suffix",
            RuleId::CustomStarAction => "custom-star-action",
            RuleId::CustomServiceWildcard => "custom-service-wildcard",
            RuleId::CustomStarResource => "custom-star-resource",
            RuleId::UnknownConditionKey => "unknown-condition-key",
            RuleId::UnusedInput => "unused-input",
        }
    }

    /// The rule with this id.
    #[must_use]
    pub fn rule(self) -> &'static Rule {
        // RULES lists the rules in the order of the variants (tested).
        &RULES[self as usize]
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for RuleId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A rule `check` applies.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub id: RuleId,
    pub severity: Severity,
    pub summary: &'static str,
    pub fix: &'static str,
}

/// Every rule, by id; the ids are stable.
pub const RULES: &[Rule] = &[
    Rule {
        id: RuleId::SecretWildcard,
        severity: Severity::Error,
        summary: "secretsmanager:GetSecretValue on a wildcard reads secrets the workload was not given",
        fix: "name each secret; ecs-iam adds the `-??????` suffix itself",
    },
    Rule {
        id: RuleId::ParameterWildcard,
        severity: Severity::Error,
        summary: "ssm:GetParameters on a wildcard reads parameters the workload was not given",
        fix: "name each parameter",
    },
    Rule {
        id: RuleId::KmsWildcard,
        severity: Severity::Error,
        summary: "kms:Decrypt on a wildcard decrypts with keys the workload was not given",
        fix: "name each key by id or key ARN",
    },
    Rule {
        id: RuleId::KmsAlias,
        severity: Severity::Error,
        summary: "IAM cannot authorise KMS actions by alias; the grant matches nothing",
        fix: "use the key ARN, or a `kms:ResourceAliases` condition",
    },
    Rule {
        id: RuleId::HardcodedPartition,
        severity: Severity::Warning,
        summary: "an ARN names its partition literally; the roles break when deployed to another partition",
        fix: "write `arn:<partition>:...`, or pin `deployment.partition`",
    },
    Rule {
        id: RuleId::CrossAccount,
        severity: Severity::Note,
        summary: "a grant on a resource in another account works only if that account allows the role too",
        fix: "have that account allow the role in its resource policy (`render` writes the statement to `cross-account/` for secrets, keys and repositories)",
    },
    Rule {
        id: RuleId::Ec2Trust,
        severity: Severity::Warning,
        summary: "ec2.amazonaws.com is trusted; Fargate tasks never need it",
        fix: "remove `ec2.amazonaws.com` from `trust.services` unless tasks run on the EC2 launch type",
    },
    Rule {
        id: RuleId::ConfusedDeputyOff,
        severity: Severity::Warning,
        summary: "the task role's trust has no aws:SourceAccount/aws:SourceArn conditions; any account's ECS could assume it",
        fix: "remove `confused_deputy: false`",
    },
    Rule {
        id: RuleId::ManagedExecutionPolicy,
        severity: Severity::Warning,
        summary: "AmazonECSTaskExecutionRolePolicy grants ECR and CloudWatch Logs actions on \"*\"",
        fix: "drop it and list `ecr.repositories` and `logs.groups`; ecs-iam scopes those grants",
    },
    Rule {
        id: RuleId::SecretSuffix,
        severity: Severity::Warning,
        summary: "the secret name already ends in `-` and six characters, which partial-ARN matching confuses with the suffix Secrets Manager adds",
        fix: "give the secret's full ARN, or rename the secret",
    },
    Rule {
        id: RuleId::CustomStarAction,
        severity: Severity::Error,
        summary: "a custom statement allows every action (`*`)",
        fix: "list the actions the workload calls",
    },
    Rule {
        id: RuleId::CustomServiceWildcard,
        severity: Severity::Warning,
        summary: "a custom statement allows every action of a service",
        fix: "list the actions the workload calls",
    },
    Rule {
        id: RuleId::CustomStarResource,
        severity: Severity::Warning,
        summary: "a custom statement allows actions on every resource (`*`)",
        fix: "name the resources, unless the actions have no resource-level permissions",
    },
    Rule {
        id: RuleId::UnknownConditionKey,
        severity: Severity::Warning,
        summary: "a custom statement's condition key is neither global nor one its actions or their resource types support (AWS's service reference); requests never carry it",
        fix: "correct the key's name, or use a key AWS's Service Authorization Reference lists for the actions",
    },
    Rule {
        id: RuleId::UnusedInput,
        severity: Severity::Warning,
        summary: "an input the spec declares is used nowhere, so the generated files leave it out; most likely its use is misspelt",
        fix: "write `<input.name>` where the value belongs, or remove the input",
    },
];

/// One finding.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub rule: RuleId,
    pub severity: Severity,
    pub message: String,
    pub fix: &'static str,
    #[serde(serialize_with = "location_json")]
    pub location: Location,
}

fn location_json<S: serde::Serializer>(l: &Location, s: S) -> Result<S::Ok, S::Error> {
    json!({"file": escape::path(&l.file), "line": l.line, "column": l.column}).serialize(s)
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}[{}]: {}; fix: {}",
            self.location,
            self.severity.as_str(),
            self.rule,
            self.message,
            self.fix
        )
    }
}

/// The findings on a spec file.
///
/// # Errors
/// The spec cannot be rendered (as `render` refuses it): not a finding, but
/// a spec `check` could not check.
pub fn check(source: &Source) -> Result<Vec<Finding>, Error> {
    Ok(check_model(source, &model::build(source)?))
}

/// [`check`] of a spec whose model is built already.
#[must_use]
pub fn check_model(source: &Source, model: &model::Model) -> Vec<Finding> {
    let mut c = Checker {
        source,
        findings: Vec::new(),
    };
    c.spec_rules();
    for h in &model.hard_coded {
        c.add(
            RuleId::HardcodedPartition,
            &h.field,
            format!(
                "`{}` hard-codes partition `{}` while `deployment.partition` is not set",
                h.value,
                h.partition.as_str()
            ),
        );
    }
    for name in &model.unused_inputs {
        c.add(
            RuleId::UnusedInput,
            &format!("inputs.{name}"),
            format!("the input `{name}` is declared but no `<input.{name}>` uses it"),
        );
    }
    for x in crate::model::cross_account::cross_account(model, model.account.as_deref()) {
        c.add(
            RuleId::CrossAccount,
            &x.origin,
            format!(
                "the {} grants {} on `{}`, {}: {}",
                x.role.title(),
                x.actions.join(", "),
                x.resource,
                if x.is_input_account() {
                    "in an account given at deploy time"
                } else {
                    "in another account"
                },
                x.requirement()
            ),
        );
    }
    c.findings.sort_by(|a, b| {
        (a.location.line, a.location.column, a.rule.as_str()).cmp(&(
            b.location.line,
            b.location.column,
            b.rule.as_str(),
        ))
    });
    c.findings
}

struct Checker<'a> {
    source: &'a Source,
    findings: Vec<Finding>,
}

impl Checker<'_> {
    fn add(&mut self, id: RuleId, path: &str, message: String) {
        let r = id.rule();
        self.findings.push(Finding {
            rule: r.id,
            severity: r.severity,
            message,
            fix: r.fix,
            location: self.source.locations.at(path),
        });
    }

    /// A wildcard finding on a custom statement; a note when the statement
    /// acknowledges its wildcards.
    fn add_wildcard(
        &mut self,
        id: RuleId,
        path: &str,
        message: String,
        acknowledged: Option<&str>,
    ) {
        match acknowledged {
            Some(reason) => {
                self.add(id, path, format!("{message}; acknowledged: {reason}"));
                if let Some(f) = self.findings.last_mut() {
                    f.severity = Severity::Note;
                }
            }
            None => self.add(id, path, message),
        }
    }

    fn spec_rules(&mut self) {
        let s = &self.source.spec;
        let secret_lists = [
            ("task_role.secrets.read", &s.task_role.secrets.read),
            ("execution_role.secrets", &s.execution_role.secrets),
        ];
        for (field, list) in secret_lists {
            for (i, v) in list.iter().enumerate() {
                let path = format!("{field}[{i}]");
                let name = v.rsplit(":secret:").next().unwrap_or(v);
                if v.contains('*') {
                    self.add(
                        RuleId::SecretWildcard,
                        &path,
                        format!("`{v}` is a wildcard"),
                    );
                } else if !v.starts_with("arn:") && has_random_suffix(name) {
                    self.add(
                        RuleId::SecretSuffix,
                        &path,
                        format!(
                            "`{v}` ends in what looks like Secrets Manager's six-character suffix"
                        ),
                    );
                }
            }
        }
        for (i, v) in s.execution_role.ssm_parameters.iter().enumerate() {
            if v.contains('*') {
                self.add(
                    RuleId::ParameterWildcard,
                    &format!("execution_role.ssm_parameters[{i}]"),
                    format!("`{v}` is a wildcard"),
                );
            }
        }
        for (field, keys) in [
            ("task_role.kms_keys", &s.task_role.kms_keys),
            ("execution_role.kms_keys", &s.execution_role.kms_keys),
        ] {
            for (i, v) in keys.iter().enumerate() {
                if v.contains('*') {
                    self.add(
                        RuleId::KmsWildcard,
                        &format!("{field}[{i}]"),
                        format!("`{v}` is a wildcard"),
                    );
                }
            }
        }
        for (field, trust, deputy_default) in [
            ("task_role.trust", &s.task_role.trust, true),
            ("execution_role.trust", &s.execution_role.trust, false),
        ] {
            if let Some(services) = &trust.services
                && let Some(i) = services.iter().position(|x| x == model::EC2)
            {
                self.add(
                    RuleId::Ec2Trust,
                    &format!("{field}.services[{i}]"),
                    "`ec2.amazonaws.com` is trusted".to_owned(),
                );
            }
            if deputy_default && trust.confused_deputy == Some(false) {
                self.add(
                    RuleId::ConfusedDeputyOff,
                    &format!("{field}.confused_deputy"),
                    "confused-deputy conditions are turned off on the task role".to_owned(),
                );
            }
        }
        for (field, list) in [
            ("task_role.managed_policies", &s.task_role.managed_policies),
            (
                "execution_role.managed_policies",
                &s.execution_role.managed_policies,
            ),
        ] {
            for (i, v) in list.iter().enumerate() {
                if TASK_EXECUTION.is_named_by(v) {
                    self.add(
                        RuleId::ManagedExecutionPolicy,
                        &format!("{field}[{i}]"),
                        format!("{} is attached", TASK_EXECUTION.name),
                    );
                }
            }
        }
        for (field, statements) in [
            ("task_role.statements", &s.task_role.statements),
            ("execution_role.statements", &s.execution_role.statements),
        ] {
            for (i, st) in statements.iter().enumerate() {
                let actions = st.actions.as_slice();
                for (op, keys) in &st.conditions {
                    for key in keys.keys() {
                        let reference = service_reference::reference();
                        if !reference.knows_condition_key(actions, key) {
                            let listed: Vec<String> =
                                actions.iter().map(|a| format!("`{a}`")).collect();
                            let mut message = format!(
                                "`{key}` is neither a global condition key nor a key of the statement's actions ({}) or their resource types in AWS's service reference",
                                listed.join(", ")
                            );
                            if let Some(s) = reference.suggest_condition_key(actions, key) {
                                let _ = write!(message, " (did you mean `{s}`?)");
                            }
                            self.add(
                                RuleId::UnknownConditionKey,
                                &format!("{field}[{i}].conditions.{op}.{key}"),
                                message,
                            );
                        }
                    }
                }
                if st.effect != crate::spec::Effect::Allow {
                    continue;
                }
                let acknowledged = st.acknowledge.as_deref();
                for (j, a) in st.actions.as_slice().iter().enumerate() {
                    let path = format!("{field}[{i}].actions[{j}]");
                    if a == "*" {
                        self.add(
                            RuleId::CustomStarAction,
                            &path,
                            "the action is `*`".to_owned(),
                        );
                    } else if a.ends_with(":*") {
                        self.add_wildcard(
                            RuleId::CustomServiceWildcard,
                            &path,
                            format!("`{a}` allows every action of the service"),
                            acknowledged,
                        );
                    }
                }
                for (j, r) in st.resources.as_slice().iter().enumerate() {
                    if r == "*" {
                        self.add_wildcard(
                            RuleId::CustomStarResource,
                            &format!("{field}[{i}].resources[{j}]"),
                            "the resource is `*`".to_owned(),
                            acknowledged,
                        );
                    } else if r.contains(":alias/")
                        && st.actions.as_slice().iter().any(|a| a.starts_with("kms:"))
                    {
                        self.add(
                            RuleId::KmsAlias,
                            &format!("{field}[{i}].resources[{j}]"),
                            format!("`{r}` is a KMS alias"),
                        );
                    }
                }
            }
        }
    }
}

/// `<name>-` and six letters or digits.
fn has_random_suffix(name: &str) -> bool {
    let bytes = name.as_bytes();
    bytes.len() > 7
        && bytes[bytes.len() - 7] == b'-'
        && bytes[bytes.len() - 6..]
            .iter()
            .all(u8::is_ascii_alphanumeric)
}

/// SARIF 2.1.0: every rule, and the findings as results on the spec's lines.
#[must_use]
pub fn sarif(findings: &[Finding]) -> sarif::Run {
    sarif::Run {
        rules: RULES
            .iter()
            .map(|r| sarif::Rule {
                id: r.id.as_str().to_owned(),
                summary: r.summary.to_owned(),
                help: Some(r.fix.to_owned()),
                level: r.severity.as_str(),
            })
            .collect(),
        results: findings
            .iter()
            .map(|f| sarif::Finding {
                rule: f.rule.as_str().to_owned(),
                level: f.severity.as_str(),
                message: format!("{}; fix: {}", f.message, f.fix),
                location: f.location.clone(),
            })
            .collect(),
        invocation: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_listed_in_the_order_of_their_ids() {
        for (i, r) in RULES.iter().enumerate() {
            assert_eq!(r.id as usize, i, "{}", r.id);
        }
    }

    #[test]
    fn random_suffix() {
        assert!(has_random_suffix("prod/db-AbC123"));
        assert!(!has_random_suffix("prod/db-password"));
        assert!(!has_random_suffix("db"));
    }
}
