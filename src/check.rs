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
    AttachedPolicies,
    TrustPolicySize,
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
            RuleId::AttachedPolicies => "attached-policies",
            RuleId::TrustPolicySize => "trust-policy-size",
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
    Rule {
        id: RuleId::AttachedPolicies,
        severity: Severity::Warning,
        summary: "the role would have more managed policies attached than IAM's default quota of 10 per role (the policies `policy_layout: split` creates count); beyond 20 IAM refuses them whatever the quota",
        fix: "attach fewer managed policies or grant fewer resources; up to 20, ask AWS to raise the account's `Managed policies per role` quota before deploying",
    },
    Rule {
        id: RuleId::TrustPolicySize,
        severity: Severity::Warning,
        summary: "the role's trust policy is longer than IAM's default quota of 2,048 characters (whitespace not counted); beyond 4,096 IAM refuses it whatever the quota",
        fix: "trust fewer principals or drop conditions; up to 4,096, ask AWS to raise the account's `Role trust policy length` quota before deploying",
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
    c.limits(model);
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
    /// IAM's quotas on what the rendered roles hold, beside the inline
    /// policy size the model enforces: attached managed policies and trust
    /// policy length (IAM and AWS STS quotas, IAM User Guide). A finding
    /// over the raised maximum is an error: no quota request helps.
    fn limits(&mut self, model: &model::Model) {
        for role in &model.roles {
            let field = role.kind.spec_field();
            let attached = role.managed_policies.len() + role.created_policies.len();
            if attached > model::MAX_ATTACHED_POLICIES {
                let at = if role.created_policies.is_empty() {
                    format!("{field}.managed_policies")
                } else {
                    format!("{field}.policy_layout")
                };
                self.add(
                    RuleId::AttachedPolicies,
                    &at,
                    format!(
                        "the {} would have {attached} managed policies attached ({} listed, {} created by `policy_layout: split`); IAM allows {} by default, {} at most",
                        role.kind.title(),
                        role.managed_policies.len(),
                        role.created_policies.len(),
                        model::MAX_ATTACHED_POLICIES,
                        model::MAX_ATTACHED_POLICIES_RAISED,
                    ),
                );
                self.raise_over(attached, model::MAX_ATTACHED_POLICIES_RAISED);
            }
            let trust = model::trust_policy_size(role);
            if trust > model::MAX_TRUST_POLICY {
                self.add(
                    RuleId::TrustPolicySize,
                    &format!("{field}.trust"),
                    format!(
                        "the {}'s trust policy would be {trust} characters (whitespace not counted, at the longest partition and region names); IAM allows {} by default, {} at most",
                        role.kind.title(),
                        model::MAX_TRUST_POLICY,
                        model::MAX_TRUST_POLICY_RAISED,
                    ),
                );
                self.raise_over(trust, model::MAX_TRUST_POLICY_RAISED);
            }
        }
    }

    /// The last finding made an error when `value` exceeds even the
    /// raised quota `max`.
    fn raise_over(&mut self, value: usize, max: usize) {
        if value > max
            && let Some(f) = self.findings.last_mut()
        {
            f.severity = Severity::Error;
        }
    }

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

    fn findings(text: &str) -> Vec<Finding> {
        check(&crate::spec::parse(std::path::Path::new("t.yaml"), text).unwrap()).unwrap()
    }

    #[test]
    fn attached_policies_count_against_iams_quota() {
        let policies = |n: usize| -> String {
            (1..=n)
                .map(|i| format!("\"arn:aws:iam::111122223333:policy/p{i}\""))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let spec = |n| {
            format!(
                "version: 1\nname: w\ntask_role:\n  managed_policies: [{}]\n",
                policies(n)
            )
        };
        let found = |n| -> Vec<(RuleId, Severity)> {
            findings(&spec(n))
                .into_iter()
                .filter(|f| f.rule == RuleId::AttachedPolicies)
                .map(|f| (f.rule, f.severity))
                .collect()
        };
        assert_eq!(found(10), []);
        assert_eq!(found(11), [(RuleId::AttachedPolicies, Severity::Warning)]);
        assert_eq!(found(21), [(RuleId::AttachedPolicies, Severity::Error)]);
        let f = findings(&spec(11));
        let f = f
            .iter()
            .find(|f| f.rule == RuleId::AttachedPolicies)
            .unwrap();
        assert_eq!(
            f.message,
            "the task role would have 11 managed policies attached (11 listed, 0 created by `policy_layout: split`); IAM allows 10 by default, 20 at most"
        );
        assert_eq!((f.location.line, f.location.column), (4, 3));
    }

    #[test]
    fn a_long_trust_policy_is_found() {
        let source = crate::spec::parse(
            std::path::Path::new("t.yaml"),
            "version: 1\nname: w\ntask_role:\n  trust:\n    services: [ecs-tasks.amazonaws.com]\n",
        )
        .unwrap();
        let mut model = model::build(&source).unwrap();
        let size = |m: &model::Model| model::trust_policy_size(&m.roles[0]);
        assert!(check_model(&source, &model).is_empty());
        // The trust statement repeated until the policy passes each quota.
        let one = model.roles[0].trust[0].clone();
        while size(&model) <= model::MAX_TRUST_POLICY {
            model.roles[0].trust.push(one.clone());
        }
        let found = check_model(&source, &model);
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].rule, found[0].severity),
            (RuleId::TrustPolicySize, Severity::Warning)
        );
        assert_eq!((found[0].location.line, found[0].location.column), (4, 3));
        while size(&model) <= model::MAX_TRUST_POLICY_RAISED {
            model.roles[0].trust.push(one.clone());
        }
        assert_eq!(check_model(&source, &model)[0].severity, Severity::Error);
    }

    #[test]
    fn random_suffix() {
        assert!(has_random_suffix("prod/db-AbC123"));
        assert!(!has_random_suffix("prod/db-password"));
        assert!(!has_random_suffix("db"));
    }
}
