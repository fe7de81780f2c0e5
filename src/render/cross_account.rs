//! `cross-account/*.json`: for each resource in another account, the
//! resource-policy statement that account must add for this role (a
//! secret's resource policy, a key policy, a repository policy), as a
//! policy document. IAM allows a cross-account request only when both
//! accounts do.

use serde::Serialize;

use crate::files::Files;
use crate::model::Model;
use crate::model::cross_account::cross_account;

/// The folder, inside a workload's, that holds the statements.
pub const FOLDER: &str = "cross-account";

/// A resource policy document, its keys in the order AWS writes them.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Document {
    version: &'static str,
    statement: [Statement; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Statement {
    sid: String,
    effect: &'static str,
    principal: Principal,
    action: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource: Option<&'static str>,
}

#[derive(Serialize)]
struct Principal {
    #[serde(rename = "AWS")]
    aws: String,
}

/// One file per resource and role that needs the other account's consent.
#[must_use]
pub fn files(model: &Model) -> Files {
    let mut out = Files::new();
    let partition = model.partition.map_or("<partition>", |p| p.as_str());
    let account = model.account.as_deref().unwrap_or("<account_id>");
    for c in cross_account(model, model.account.as_deref()) {
        // A wildcard names no one resource a policy could be put on.
        if !c.has_policy_file() || c.resource.contains(['*', '?']) {
            continue;
        }
        let Some(role) = model.roles.iter().find(|r| r.kind == c.role) else {
            continue;
        };
        let path = role.path.as_deref().unwrap_or("/");
        let principal = format!("arn:{partition}:iam::{account}:role{path}{}", role.name);
        let sid: String = format!("Allow-{}", role.name)
            .split(|ch: char| !ch.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| w[..1].to_ascii_uppercase() + &w[1..])
            .collect();
        let document = Document {
            version: "2012-10-17",
            statement: [Statement {
                sid,
                effect: "Allow",
                principal: Principal { aws: principal },
                action: c.actions.clone(),
                // A secret's resource policy and a key policy name their
                // own resource as "*"; a repository policy has no Resource.
                resource: (c.service != "ecr").then_some("*"),
            }],
        };
        // The resource's name, after its type: `repository/orders/api` →
        // `orders-api`, `repository/cache/*` → `cache-any`.
        let part = c.resource.splitn(6, ':').nth(5).unwrap_or_default();
        let part = ["repository/", "secret:", "key/"]
            .iter()
            .find_map(|t| part.strip_prefix(t))
            .unwrap_or(part);
        let name = file_part(&part.replace('*', "any"));
        // An input's account (`<input.AccountId>`) shows as `input.AccountId`:
        // Windows allows no `<` or `>` in a file name, and the names are
        // the same on every platform.
        let file = format!(
            "{FOLDER}/{}-{}-{}-{name}.json",
            c.role.key(),
            c.service,
            file_part(c.account.trim_start_matches('<').trim_end_matches('>'))
        );
        out.insert(
            file,
            serde_json::to_string_pretty(&document).unwrap_or_default() + "\n",
        );
    }
    out
}

/// `text` with every character but ASCII letters, digits, `-`, `_` and `.`
/// as `-`: a file name part that means the same on every platform.
fn file_part(text: &str) -> String {
    text.chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() || ch == '-' || ch == '_' || ch == '.' {
                ch
            } else {
                '-'
            }
        })
        .collect()
}
