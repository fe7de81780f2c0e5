//! Grants on resources in another account. IAM evaluates a cross-account
//! request in both accounts: this role's policy allows it here, and the
//! other account's resource policy (bucket policy, secret resource policy,
//! key policy, repository policy) must allow this role there.

use serde::Serialize;

use crate::arn::{Segment, Text};
use crate::spec::Effect;

use super::{Model, RoleKind};

/// One resource in another account and what a role is granted on it.
#[derive(Debug, Clone, Serialize)]
pub struct CrossAccount {
    #[serde(skip)]
    pub role: RoleKind,
    pub service: String,
    /// The other account.
    pub account: String,
    pub resource: String,
    pub actions: Vec<String>,
    /// The spec field that grants it.
    #[serde(skip)]
    pub origin: String,
}

impl CrossAccount {
    /// What the other account must change, in words.
    #[must_use]
    pub fn resource_policy(&self) -> &'static str {
        match self.service.as_str() {
            "s3" => "bucket policy",
            "secretsmanager" => "secret's resource policy",
            "kms" => "key policy",
            "ecr" => "repository policy",
            "ssm" => "parameter sharing (AWS RAM, advanced-tier parameters only)",
            "logs" => "log group resource policy",
            _ => "resource policy",
        }
    }

    /// Whether the service takes a resource policy ecs-iam can write.
    #[must_use]
    pub fn has_policy_file(&self) -> bool {
        matches!(self.service.as_str(), "secretsmanager" | "kms" | "ecr")
    }
}

/// The account of a resource ARN when it is written literally and is not
/// the deployment's: `None` for the deployment's own account (symbolic, or
/// equal to the pinned one), AWS's (`aws`), none (S3), or a wildcard.
#[must_use]
pub fn other_account(resource: &Text, pinned: Option<&str>) -> Option<String> {
    let text = resource.to_string();
    let account = text.split(':').nth(4)?;
    let symbolic = resource.segments().iter().any(|s| *s == Segment::Account)
        && account == "<account_id>";
    if symbolic
        || account.is_empty()
        || account == "aws"
        || account.contains(['*', '?'])
        || pinned == Some(account)
    {
        return None;
    }
    Some(account.to_owned())
}

/// Every cross-account grant of the model's roles, one per resource and
/// role, actions merged, in role then resource order.
#[must_use]
pub fn cross_account(model: &Model, pinned: Option<&str>) -> Vec<CrossAccount> {
    let mut out: Vec<CrossAccount> = Vec::new();
    for role in &model.roles {
        for st in role.policy.iter().flat_map(|p| &p.statements) {
            if st.effect != Effect::Allow {
                continue;
            }
            for r in &st.resources {
                let Some(account) = other_account(r, pinned) else {
                    continue;
                };
                let resource = r.to_string();
                if let Some(c) = out
                    .iter_mut()
                    .find(|c| c.role == role.kind && c.resource == resource)
                {
                    c.actions.extend(st.actions.iter().cloned());
                    c.actions.sort();
                    c.actions.dedup();
                    continue;
                }
                out.push(CrossAccount {
                    role: role.kind,
                    service: resource.split(':').nth(2).unwrap_or_default().to_owned(),
                    account,
                    resource,
                    actions: st.actions.clone(),
                    origin: st.origin.clone(),
                });
            }
        }
    }
    out.sort_by(|a, b| (a.role, &a.resource).cmp(&(b.role, &b.resource)));
    out
}
