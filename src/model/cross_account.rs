//! Grants on resources in another account. IAM evaluates a cross-account
//! request in both accounts: this role's policy allows it here, and the
//! other account's resource policy (bucket policy, secret resource policy,
//! key policy, repository policy) must allow this role there.

use serde::Serialize;

use crate::arn::Text;
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
    /// What the other account must change, in words: `secret's resource
    /// policy`; `None` where no resource policy can let another account's
    /// role in.
    #[must_use]
    pub fn resource_policy(&self) -> Option<&'static str> {
        Some(match self.service.as_str() {
            "s3" => "bucket policy",
            "secretsmanager" => "secret's resource policy",
            "kms" => "key policy",
            "ecr" => "repository policy",
            "sqs" => "queue policy",
            "sns" => "topic policy",
            "ssm" => "parameter share (AWS RAM, advanced-tier parameters)",
            "logs" => return None,
            _ => "resource policy",
        })
    }

    /// The whole finding, e.g. `account 444455556666 must allow this role
    /// in the repository policy`.
    #[must_use]
    pub fn requirement(&self) -> String {
        // An input may name the deployment's own account or another.
        if self.is_input_account() {
            return match self.resource_policy() {
                Some(p) => format!(
                    "where {} is another account than the deployment's, it must allow this role in the {p}",
                    self.account
                ),
                None => format!(
                    "where {} is another account than the deployment's, {} takes no grant from this role",
                    self.account, self.service
                ),
            };
        }
        match self.resource_policy() {
            Some(p) => format!("account {} must allow this role in the {p}", self.account),
            None => format!(
                "account {} is not the deployment's, and {} takes no grant from another account's role",
                self.account, self.service
            ),
        }
    }

    /// Whether the account is an input, given at deploy time: it may be
    /// the deployment's own.
    #[must_use]
    pub fn is_input_account(&self) -> bool {
        is_input(&self.account)
    }

    /// Whether the service takes a resource policy ecs-iam can write.
    #[must_use]
    pub fn has_policy_file(&self) -> bool {
        matches!(self.service.as_str(), "secretsmanager" | "kms" | "ecr")
    }
}

/// The account of a resource ARN when it is written literally and is not
/// the deployment's: `None` for the deployment's own account (symbolic, or
/// equal to the pinned one), AWS's (`aws`, or the GuardDuty agent's
/// repository, which AWS opens to every account), none (S3), or a wildcard;
/// and `None` for a literal account while the deployment's is not pinned:
/// an account ecs-iam does not know may be that one (a bare
/// `containerDefinitions` list's own ECR repository), so it is not taken
/// for another. An input's account (`<input.Name>`) is returned either way,
/// and told as maybe another ([`CrossAccount::requirement`]).
#[must_use]
pub fn other_account(resource: &Text, pinned: Option<&str>) -> Option<String> {
    let text = resource.to_string();
    let account = text.split(':').nth(4)?;
    // `<account_id>` is the deployment's own, symbolic or spelled so.
    if account == "<account_id>"
        || account.is_empty()
        || account == "aws"
        || account.contains(['*', '?'])
        || (pinned.is_none_or(|p| p == account) && !is_input(account))
        || super::guardduty::is_agent_repository(&text)
    {
        return None;
    }
    Some(account.to_owned())
}

/// Whether an ARN's account is an input (`<input.Account>`).
fn is_input(account: &str) -> bool {
    account.starts_with("<input.")
}

/// Every cross-account grant of the model's roles, one per resource and
/// role, actions merged, in role then resource order.
#[must_use]
pub fn cross_account(model: &Model, pinned: Option<&str>) -> Vec<CrossAccount> {
    let mut out: Vec<CrossAccount> = Vec::new();
    for role in &model.roles {
        for st in role.permission_statements() {
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
