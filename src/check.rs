//! `ecs-iam check`: least-privilege and limit findings on a spec and its
//! rendering, each with a stable rule id, a severity, the spec's
//! `file:line:column` and a fix.

use std::fmt;

use serde::Serialize;
use serde_json::json;

use crate::error::{Error, Location, Problem};
use crate::model;
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

/// A rule `check` applies.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    pub fix: &'static str,
}

/// Every rule, by id; the ids are stable.
pub const RULES: &[Rule] = &[
    Rule {
        id: "secret-wildcard",
        severity: Severity::Error,
        summary: "secretsmanager:GetSecretValue on a wildcard reads secrets the workload was not given",
        fix: "name each secret; ecs-iam adds the `-??????` suffix itself",
    },
    Rule {
        id: "parameter-wildcard",
        severity: Severity::Error,
        summary: "ssm:GetParameters on a wildcard reads parameters the workload was not given",
        fix: "name each parameter",
    },
    Rule {
        id: "kms-wildcard",
        severity: Severity::Error,
        summary: "kms:Decrypt on a wildcard decrypts with keys the workload was not given",
        fix: "name each key by id or key ARN",
    },
    Rule {
        id: "kms-alias",
        severity: Severity::Error,
        summary: "IAM cannot authorise KMS actions by alias; the grant matches nothing",
        fix: "use the key ARN, or a `kms:ResourceAliases` condition",
    },
    Rule {
        id: "hardcoded-partition",
        severity: Severity::Warning,
        summary: "an ARN names its partition literally; the roles break when deployed to another partition",
        fix: "write `arn:<partition>:...`, or pin `deployment.partition`",
    },
    Rule {
        id: "ec2-trust",
        severity: Severity::Warning,
        summary: "ec2.amazonaws.com is trusted; Fargate tasks never need it",
        fix: "remove `ec2.amazonaws.com` from `trust.services` unless tasks run on the EC2 launch type",
    },
    Rule {
        id: "confused-deputy-off",
        severity: Severity::Warning,
        summary: "the task role's trust has no aws:SourceAccount/aws:SourceArn conditions; any account's ECS could assume it",
        fix: "remove `confused_deputy: false`",
    },
    Rule {
        id: "managed-execution-policy",
        severity: Severity::Warning,
        summary: "AmazonECSTaskExecutionRolePolicy grants ECR and CloudWatch Logs actions on \"*\"",
        fix: "drop it and list `ecr.repositories` and `logs.groups`; ecs-iam scopes those grants",
    },
    Rule {
        id: "secret-suffix",
        severity: Severity::Warning,
        summary: "the secret name already ends in `-` and six characters, which partial-ARN matching confuses with the suffix Secrets Manager adds",
        fix: "give the secret's full ARN, or rename the secret",
    },
    Rule {
        id: "policy-size",
        severity: Severity::Error,
        summary: "the role's inline policies exceed IAM's 10,240 characters (whitespace not counted)",
        fix: "split the workload, or group resources under fewer names",
    },
    Rule {
        id: "custom-star-action",
        severity: Severity::Error,
        summary: "a custom statement allows every action (`*`)",
        fix: "list the actions the workload calls",
    },
    Rule {
        id: "custom-service-wildcard",
        severity: Severity::Warning,
        summary: "a custom statement allows every action of a service",
        fix: "list the actions the workload calls",
    },
    Rule {
        id: "custom-star-resource",
        severity: Severity::Warning,
        summary: "a custom statement allows actions on every resource (`*`)",
        fix: "name the resources, unless the actions have no resource-level permissions",
    },
    Rule {
        id: "role-name-length",
        severity: Severity::Error,
        summary: "the role name is longer than IAM's 64 characters",
        fix: "shorten `name` or set the role's `name`",
    },
    Rule {
        id: "path-format",
        severity: Severity::Error,
        summary: "the path is not an IAM path",
        fix: "write `/` or `/segment/.../`",
    },
    Rule {
        id: "max-session-range",
        severity: Severity::Error,
        summary: "the maximum session duration is outside 3600..43200 seconds",
        fix: "use a value from 3600 to 43200",
    },
    Rule {
        id: "too-many-tags",
        severity: Severity::Error,
        summary: "IAM allows at most 50 tags per role",
        fix: "remove tags",
    },
    Rule {
        id: "action-format",
        severity: Severity::Error,
        summary: "an action is not `service:Action`",
        fix: "write actions as `service:Action`",
    },
    Rule {
        id: "invalid-spec",
        severity: Severity::Error,
        summary: "the spec cannot be rendered",
        fix: "see the message",
    },
];

fn rule(id: &str) -> &'static Rule {
    RULES.iter().find(|r| r.id == id).expect("known rule id")
}

/// One finding.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    pub fix: &'static str,
    #[serde(serialize_with = "location_json")]
    pub location: Location,
}

fn location_json<S: serde::Serializer>(l: &Location, s: S) -> Result<S::Ok, S::Error> {
    json!({"file": l.file.display().to_string(), "line": l.line, "column": l.column}).serialize(s)
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

/// The findings on a spec file; a spec that cannot be rendered yields one
/// finding for the first reason.
///
/// # Errors
/// The spec cannot be read or parsed at all.
pub fn check(source: &Source) -> Result<Vec<Finding>, Error> {
    // Rules on the rendered roles (role name length, inline policy size,
    // ...) are enforced by the model: a spec breaking one cannot be
    // rendered and yields that one finding.
    let model = match model::build(source) {
        Ok(model) => model,
        Err(Error::Invalid { at, field, problem }) => {
            let id = match *problem {
                Problem::RoleNameTooLong { .. } => "role-name-length",
                Problem::BadPath { .. } => "path-format",
                Problem::SessionDuration { .. } => "max-session-range",
                Problem::TooManyTags { .. } => "too-many-tags",
                Problem::BadAction { .. } => "action-format",
                Problem::KmsAlias { .. } => "kms-alias",
                Problem::PolicyTooLarge { .. } => "policy-size",
                _ => "invalid-spec",
            };
            let r = rule(id);
            return Ok(vec![Finding {
                rule: r.id,
                severity: r.severity,
                message: format!("`{field}`: {problem}"),
                fix: r.fix,
                location: at,
            }]);
        }
        Err(e) => return Err(e),
    };
    let mut c = Checker {
        source,
        findings: Vec::new(),
    };
    c.spec_rules();
    for h in &model.hard_coded {
        c.add(
            "hardcoded-partition",
            &h.field,
            format!(
                "`{}` hard-codes partition `{}` while `deployment.partition` is not set",
                h.value,
                h.partition.as_str()
            ),
        );
    }
    c.findings.sort_by(|a, b| {
        (a.location.line, a.location.column, a.rule).cmp(&(
            b.location.line,
            b.location.column,
            b.rule,
        ))
    });
    Ok(c.findings)
}

struct Checker<'a> {
    source: &'a Source,
    findings: Vec<Finding>,
}

impl Checker<'_> {
    fn add(&mut self, id: &'static str, path: &str, message: String) {
        let r = rule(id);
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
        id: &'static str,
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
                    self.add("secret-wildcard", &path, format!("`{v}` is a wildcard"));
                } else if !v.starts_with("arn:") && has_random_suffix(name) {
                    self.add(
                        "secret-suffix",
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
                    "parameter-wildcard",
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
                        "kms-wildcard",
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
                    "ec2-trust",
                    &format!("{field}.services[{i}]"),
                    "`ec2.amazonaws.com` is trusted".to_owned(),
                );
            }
            if deputy_default && trust.confused_deputy == Some(false) {
                self.add(
                    "confused-deputy-off",
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
                if v.ends_with("AmazonECSTaskExecutionRolePolicy") {
                    self.add(
                        "managed-execution-policy",
                        &format!("{field}[{i}]"),
                        "AmazonECSTaskExecutionRolePolicy is attached".to_owned(),
                    );
                }
            }
        }
        for (field, statements) in [
            ("task_role.statements", &s.task_role.statements),
            ("execution_role.statements", &s.execution_role.statements),
        ] {
            for (i, st) in statements.iter().enumerate() {
                if st.effect != crate::spec::Effect::Allow {
                    continue;
                }
                let acknowledged = st.acknowledge.as_deref();
                for (j, a) in st.actions.as_slice().iter().enumerate() {
                    let path = format!("{field}[{i}].actions[{j}]");
                    if a == "*" {
                        self.add("custom-star-action", &path, "the action is `*`".to_owned());
                    } else if a.ends_with(":*") {
                        self.add_wildcard(
                            "custom-service-wildcard",
                            &path,
                            format!("`{a}` allows every action of the service"),
                            acknowledged,
                        );
                    }
                }
                for (j, r) in st.resources.as_slice().iter().enumerate() {
                    if r == "*" {
                        self.add_wildcard(
                            "custom-star-resource",
                            &format!("{field}[{i}].resources[{j}]"),
                            "the resource is `*`".to_owned(),
                            acknowledged,
                        );
                    } else if r.contains(":alias/")
                        && st.actions.as_slice().iter().any(|a| a.starts_with("kms:"))
                    {
                        self.add(
                            "kms-alias",
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
pub fn sarif(findings: &[Finding]) -> serde_json::Value {
    let rules: Vec<serde_json::Value> = RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "shortDescription": {"text": r.summary},
                "help": {"text": r.fix},
                "defaultConfiguration": {"level": r.severity.as_str()},
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = findings
        .iter()
        .map(|f| {
            json!({
                "ruleId": f.rule,
                "ruleIndex": RULES.iter().position(|r| r.id == f.rule),
                "level": f.severity.as_str(),
                "message": {"text": format!("{}; fix: {}", f.message, f.fix)},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": f.location.file.to_string_lossy().replace('\\', "/")},
                        "region": {"startLine": f.location.line, "startColumn": f.location.column},
                    }
                }],
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "ecs-iam",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_suffix() {
        assert!(has_random_suffix("prod/db-AbC123"));
        assert!(!has_random_suffix("prod/db-password"));
        assert!(!has_random_suffix("db"));
    }
}
