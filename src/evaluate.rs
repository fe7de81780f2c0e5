//! Offline IAM policy evaluation of the identity policies ecs-iam generates:
//! does a role allow one request (action, resource ARN, request context)?
//!
//! The rules are AWS's, from the IAM User Guide: "Policy evaluation logic"
//! (an explicit `Deny` in any policy wins; an `Allow` needs a matching
//! statement in the identity policies and, when the role has one, in the
//! permissions boundary), "IAM JSON policy elements: Resource" and
//! "Condition operators". Scope and the choices made where the
//! documentation is silent:
//!
//! - Statements have `Action` and `Resource` (ecs-iam writes no
//!   `NotAction`, `NotResource` or `Principal` in permission policies).
//! - Actions match case-insensitively, `*` and `?` as wildcards.
//! - Resources match case-sensitively, as `ArnLike` matches ARNs: partition,
//!   service, region and account are compared each on its own, so a
//!   wildcard there never reaches into the next field, and the resource
//!   part (everything after the fifth colon, colons included) is one field
//!   in which `*` also matches `:` and `/`. So `log-group:G:*` matches
//!   `log-group:G:log-stream:S` but not `log-group:G`: the colon before the
//!   `*` is literal. A resource that is not a six-field ARN (`"*"`, the
//!   request of an action with no resource type) is matched as one glob.
//! - Policy variables (`${aws:username}`) are not produced by ecs-iam's
//!   generated statements and are treated as literal text, in resources and
//!   in condition values alike; deploy-time values, spelled `<partition>`,
//!   `<region>`, `<account_id>` by [`role_policies`], are literal text too.
//! - Conditions: every operator IAM has, with `IfExists` and the
//!   `ForAnyValue:`/`ForAllValues:` qualifiers. Several values of one
//!   condition are ORed (NORed for a negated operator); several keys and
//!   operators are ANDed; keys match case-insensitively. A key absent from
//!   the request makes a condition false, except for negated operators,
//!   `...IfExists`, `ForAllValues:` and `Null`. A request key with one value
//!   is single-valued; a key with several values matches only under
//!   `ForAnyValue:`/`ForAllValues:` (AWS: multivalued keys need a set
//!   operator), and `Null`.

use std::collections::BTreeMap;
use std::net::IpAddr;

use crate::model::Role;
use crate::model::managed::AwsManaged;
use crate::spec::Effect;

/// One statement of an identity policy or permissions boundary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyStatement {
    /// The statement's Sid (empty when it has none), for messages.
    pub sid: String,
    pub effect: Effect,
    /// `service:Action`, with `*` and `?` wildcards, or `*`.
    pub actions: Vec<String>,
    /// ARNs, with `*` and `?` wildcards, or `*`.
    pub resources: Vec<String>,
    /// All must hold for the statement to apply.
    pub conditions: Vec<Condition>,
}

/// One condition: an operator on one key, with the policy's values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// e.g. `StringEquals`, `ArnLike`, `StringLikeIfExists`,
    /// `ForAnyValue:StringEquals`, `Bool`, `Null`.
    pub operator: String,
    /// The condition key, e.g. `kms:ViaService` (matched case-insensitively).
    pub key: String,
    pub values: Vec<String>,
}

/// One request: an action on a resource, with its request context.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Request {
    /// `service:Action`.
    pub action: String,
    /// The resource ARN the service authorizes, or `*` for an action with
    /// no resource type.
    pub resource: String,
    /// Condition keys present in the request (matched case-insensitively)
    /// and their values.
    pub context: BTreeMap<String, Vec<String>>,
}

/// Which policy a statement belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The role's identity policies (inline and managed).
    Identity,
    /// The permissions boundary.
    Boundary,
}

/// The statement that decided a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    pub source: Source,
    /// Its index in the slice given to [`decide`].
    pub index: usize,
    pub sid: String,
}

/// The outcome of [`decide`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// An identity statement allows the request (and, with a boundary, a
    /// boundary statement does too); no statement denies it.
    Allowed { by: Matched },
    /// No statement denies the request, but none allows it: either no
    /// identity statement applies (`outside_boundary: None`) or the one
    /// that does lies outside the permissions boundary.
    ImplicitDeny { outside_boundary: Option<Matched> },
    /// A `Deny` statement applies.
    ExplicitDeny { by: Matched },
}

impl Decision {
    #[must_use]
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allowed { .. })
    }
}

/// Evaluate `request` against a role's identity policy statements and its
/// permissions boundary, as IAM evaluates a request within one account with
/// no resource-based, session or organization policy.
#[must_use]
pub fn decide(
    policies: &[PolicyStatement],
    boundary: Option<&[PolicyStatement]>,
    request: &Request,
) -> Decision {
    let applying = |statements: &[PolicyStatement], source: Source, effect: Effect| {
        statements
            .iter()
            .enumerate()
            .find(|(_, s)| s.effect == effect && applies(s, request))
            .map(|(index, s)| Matched {
                source,
                index,
                sid: s.sid.clone(),
            })
    };
    let deny = applying(policies, Source::Identity, Effect::Deny)
        .or_else(|| boundary.and_then(|b| applying(b, Source::Boundary, Effect::Deny)));
    if let Some(by) = deny {
        return Decision::ExplicitDeny { by };
    }
    let Some(by) = applying(policies, Source::Identity, Effect::Allow) else {
        return Decision::ImplicitDeny {
            outside_boundary: None,
        };
    };
    match boundary {
        Some(b) if applying(b, Source::Boundary, Effect::Allow).is_none() => {
            Decision::ImplicitDeny {
                outside_boundary: Some(by),
            }
        }
        _ => Decision::Allowed { by },
    }
}

/// Whether a statement applies to a request: one of its actions and one of
/// its resources match, and every condition holds.
#[must_use]
pub fn applies(statement: &PolicyStatement, request: &Request) -> bool {
    statement
        .actions
        .iter()
        .any(|a| action_matches(a, &request.action))
        && statement
            .resources
            .iter()
            .any(|r| resource_matches(r, &request.resource))
        && statement
            .conditions
            .iter()
            .all(|c| condition_holds(c, &request.context))
}

/// Whether a policy's action (`s3:Get*`) matches a request's action; case
/// does not matter.
#[must_use]
pub fn action_matches(pattern: &str, action: &str) -> bool {
    glob(&pattern.to_lowercase(), &action.to_lowercase())
}

/// Whether a policy's resource matches a request's resource (see the module
/// documentation): ARN fields one by one, the resource part as one field.
#[must_use]
pub fn resource_matches(pattern: &str, resource: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    match (arn_fields(pattern), arn_fields(resource)) {
        (Some(p), Some(r)) => p.iter().zip(&r).all(|(p, r)| glob(p, r)),
        _ => glob(pattern, resource),
    }
}

/// `arn`, partition, service, region, account and resource: the resource
/// part keeps its own colons.
pub(crate) fn arn_fields(arn: &str) -> Option<[&str; 6]> {
    let mut parts = arn.splitn(6, ':');
    let fields = [
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    ];
    (fields[0] == "arn").then_some(fields)
}

/// Whether `text` matches `pattern`, where `*` is any run of characters
/// (empty included) and `?` exactly one character.
#[must_use]
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut i, mut j) = (0, 0);
    // The last `*` seen and the text position it is currently matched up to.
    let mut star: Option<(usize, usize)> = None;
    while j < t.len() {
        if i < p.len() && (p[i] == '?' || (p[i] != '*' && p[i] == t[j])) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some((i, j));
            i += 1;
        } else if let Some((si, sj)) = star {
            // Let the last `*` take one more character and retry.
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&c| c == '*')
}

/// The base operators, without `IfExists` or a set qualifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operator {
    StringEquals,
    StringEqualsIgnoreCase,
    StringLike,
    NumericEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    ArnLike,
}

/// A parsed operator: its base test, whether it is the negation of that
/// test, and its qualifiers.
#[derive(Debug, Clone, Copy)]
struct Parsed {
    test: Operator,
    negated: bool,
    if_exists: bool,
    set: Option<Set>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Set {
    AnyValue,
    AllValues,
}

/// Parse an operator; `None` for `Null` (handled on its own) and for names
/// IAM does not know.
fn parse_operator(operator: &str) -> Option<Parsed> {
    let (set, rest) = if let Some(r) = operator.strip_prefix("ForAnyValue:") {
        (Some(Set::AnyValue), r)
    } else if let Some(r) = operator.strip_prefix("ForAllValues:") {
        (Some(Set::AllValues), r)
    } else {
        (None, operator)
    };
    let (if_exists, base) = match rest.strip_suffix("IfExists") {
        Some(b) => (true, b),
        None => (false, rest),
    };
    let (test, negated) = match base {
        "StringEquals" => (Operator::StringEquals, false),
        "StringNotEquals" => (Operator::StringEquals, true),
        "StringEqualsIgnoreCase" => (Operator::StringEqualsIgnoreCase, false),
        "StringNotEqualsIgnoreCase" => (Operator::StringEqualsIgnoreCase, true),
        "StringLike" => (Operator::StringLike, false),
        "StringNotLike" => (Operator::StringLike, true),
        "NumericEquals" => (Operator::NumericEquals, false),
        "NumericNotEquals" => (Operator::NumericEquals, true),
        "NumericLessThan" => (Operator::NumericLessThan, false),
        "NumericLessThanEquals" => (Operator::NumericLessThanEquals, false),
        "NumericGreaterThan" => (Operator::NumericGreaterThan, false),
        "NumericGreaterThanEquals" => (Operator::NumericGreaterThanEquals, false),
        "DateEquals" => (Operator::DateEquals, false),
        "DateNotEquals" => (Operator::DateEquals, true),
        "DateLessThan" => (Operator::DateLessThan, false),
        "DateLessThanEquals" => (Operator::DateLessThanEquals, false),
        "DateGreaterThan" => (Operator::DateGreaterThan, false),
        "DateGreaterThanEquals" => (Operator::DateGreaterThanEquals, false),
        "Bool" => (Operator::Bool, false),
        "BinaryEquals" => (Operator::BinaryEquals, false),
        "IpAddress" => (Operator::IpAddress, false),
        "NotIpAddress" => (Operator::IpAddress, true),
        // AWS: ArnEquals and ArnLike behave identically, as do their
        // negations.
        "ArnEquals" | "ArnLike" => (Operator::ArnLike, false),
        "ArnNotEquals" | "ArnNotLike" => (Operator::ArnLike, true),
        _ => return None,
    };
    Some(Parsed {
        test,
        negated,
        if_exists,
        set,
    })
}

/// The values of `key` in the request, keys compared case-insensitively.
fn lookup<'a>(context: &'a BTreeMap<String, Vec<String>>, key: &str) -> Option<&'a [String]> {
    context
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.as_slice())
}

/// Whether one condition holds for a request context. An operator IAM does
/// not know never holds (IAM would refuse the policy; ecs-iam refuses the
/// spec first).
#[must_use]
pub fn condition_holds(condition: &Condition, context: &BTreeMap<String, Vec<String>>) -> bool {
    let present = lookup(context, &condition.key);
    if condition.operator == "Null" {
        // `true`: the key is absent; `false`: it is present.
        return condition.values.iter().any(|v| {
            let v = v.to_ascii_lowercase();
            (v == "true" && present.is_none()) || (v == "false" && present.is_some())
        });
    }
    let Some(op) = parse_operator(&condition.operator) else {
        return false;
    };
    // One request value against all of the policy's values: any of them
    // (none of them, for a negated operator).
    let passes = |value: &str| {
        let hit = condition.values.iter().any(|p| compare(op.test, value, p));
        hit != op.negated
    };
    match (op.set, present) {
        // AWS: ForAllValues is true when the key is absent or empty;
        // ForAnyValue is false then (unless IfExists).
        (Some(Set::AllValues), None) => true,
        (Some(Set::AnyValue), None) => op.if_exists,
        (Some(Set::AllValues), Some(values)) => values.iter().all(|v| passes(v)),
        (Some(Set::AnyValue), Some(values)) => values.iter().any(|v| passes(v)),
        // An absent key: false, except for IfExists and negated operators.
        (None, None) => op.if_exists || op.negated,
        (None, Some([value])) => passes(value),
        // No value, or several: a single-valued operator matches neither.
        (None, Some(_)) => false,
    }
}

/// The positive test of an operator: request `value` against one policy
/// value.
fn compare(test: Operator, value: &str, policy: &str) -> bool {
    match test {
        Operator::StringEquals | Operator::BinaryEquals => value == policy,
        Operator::StringEqualsIgnoreCase => value.to_lowercase() == policy.to_lowercase(),
        Operator::StringLike => glob(policy, value),
        Operator::ArnLike => match (arn_fields(policy), arn_fields(value)) {
            // AWS: each of the six colon-delimited fields is checked on
            // its own.
            (Some(p), Some(v)) => p.iter().zip(&v).all(|(p, v)| glob(p, v)),
            _ => false,
        },
        Operator::Bool => {
            let (v, p) = (value.to_ascii_lowercase(), policy.to_ascii_lowercase());
            (v == "true" || v == "false") && v == p
        }
        Operator::NumericEquals
        | Operator::NumericLessThan
        | Operator::NumericLessThanEquals
        | Operator::NumericGreaterThan
        | Operator::NumericGreaterThanEquals => {
            match (value.trim().parse::<f64>(), policy.trim().parse::<f64>()) {
                (Ok(v), Ok(p)) => ordered(test, v.partial_cmp(&p)),
                _ => false,
            }
        }
        Operator::DateEquals
        | Operator::DateLessThan
        | Operator::DateLessThanEquals
        | Operator::DateGreaterThan
        | Operator::DateGreaterThanEquals => match (parse_date(value), parse_date(policy)) {
            (Some(v), Some(p)) => ordered(test, Some(v.cmp(&p))),
            _ => false,
        },
        Operator::IpAddress => ip_in(value, policy),
    }
}

/// Whether `ordering` (request value against policy value) passes `test`.
fn ordered(test: Operator, ordering: Option<std::cmp::Ordering>) -> bool {
    use std::cmp::Ordering::{Equal, Greater, Less};
    let Some(o) = ordering else { return false };
    match test {
        Operator::NumericEquals | Operator::DateEquals => o == Equal,
        Operator::NumericLessThan | Operator::DateLessThan => o == Less,
        Operator::NumericLessThanEquals | Operator::DateLessThanEquals => o != Greater,
        Operator::NumericGreaterThan | Operator::DateGreaterThan => o == Greater,
        Operator::NumericGreaterThanEquals | Operator::DateGreaterThanEquals => o != Less,
        _ => false,
    }
}

/// A date condition value as milliseconds since the Unix epoch: epoch
/// seconds, or ISO 8601 (`2020-01-01`, `2020-01-01T00:00:00Z`, with
/// optional fractional seconds and a `±hh:mm` offset), as AWS documents.
fn parse_date(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<i64>() {
        return seconds.checked_mul(1000);
    }
    let (date, time) = match text.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let mut ymd = date.splitn(3, '-');
    let year: i64 = digits(ymd.next()?, 4)?;
    let month: i64 = digits(ymd.next()?, 2)?;
    let day: i64 = digits(ymd.next()?, 2)?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let mut millis = days_from_civil(year, month, day) * 86_400_000;
    if let Some(time) = time {
        let (clock, offset_minutes) = if let Some(c) = time.strip_suffix('Z') {
            (c, 0)
        } else if let Some(i) = time.rfind(['+', '-']) {
            let (c, o) = time.split_at(i);
            let sign = if o.starts_with('-') { -1 } else { 1 };
            let (oh, om) = o[1..].split_once(':')?;
            (c, sign * (digits(oh, 2)? * 60 + digits(om, 2)?))
        } else {
            return None;
        };
        let (clock, fraction) = match clock.split_once('.') {
            Some((c, f)) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => {
                let ms: String = f.chars().chain("00".chars()).take(3).collect();
                (c, ms.parse::<i64>().ok()?)
            }
            Some(_) => return None,
            None => (clock, 0),
        };
        let mut hms = clock.split(':');
        let hours = digits(hms.next()?, 2)?;
        let minutes = digits(hms.next()?, 2)?;
        let seconds = hms.next().map_or(Some(0), |s| digits(s, 2))?;
        if hms.next().is_some() || hours > 23 || minutes > 59 || seconds > 60 {
            return None;
        }
        millis += ((hours * 60 + minutes - offset_minutes) * 60 + seconds) * 1000 + fraction;
    }
    Some(millis)
}

/// Exactly `n` ASCII digits.
fn digits(s: &str, n: usize) -> Option<i64> {
    (s.len() == n && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Whether address `value` lies in `cidr` (an address without a prefix is
/// one address: `/32`, `/128`).
fn ip_in(value: &str, cidr: &str) -> bool {
    let Ok(ip) = value.trim().parse::<IpAddr>() else {
        return false;
    };
    let (net, bits) = match cidr.trim().split_once('/') {
        Some((n, b)) => (n, b.parse::<u32>().ok()),
        None => (cidr.trim(), None),
    };
    let Ok(net) = net.parse::<IpAddr>() else {
        return false;
    };
    let (a, b, width) = match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => (u128::from(a.to_bits()), u128::from(b.to_bits()), 32),
        (IpAddr::V6(a), IpAddr::V6(b)) => (a.to_bits(), b.to_bits(), 128),
        _ => return false,
    };
    let bits = bits.unwrap_or(width);
    if bits > width {
        return false;
    }
    let shift = width - bits;
    shift == width || (a >> shift) == (b >> shift)
}

/// The grants of one rendered role, as [`decide`] sees them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RolePolicies {
    /// The inline policy's statements, then one statement per attached AWS
    /// managed policy whose content ecs-iam knows.
    pub statements: Vec<PolicyStatement>,
    /// Attached managed policies whose content ecs-iam does not know: what
    /// they allow or deny is not in `statements`.
    pub unknown_managed: Vec<String>,
    /// The permissions boundary's ARN, when the role has one: its content
    /// is not known either, and it can only take access away.
    pub boundary: Option<String>,
}

impl RolePolicies {
    /// Whether `statements` are all the role's permissions, so that
    /// [`decide`]'s answer on them is IAM's answer (within one account, no
    /// resource, session or organization policy).
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.unknown_managed.is_empty() && self.boundary.is_none()
    }
}

/// The permissions of a rendered role: its inline statements (deploy-time
/// values spelled `<partition>`, `<region>`, `<account_id>`, which
/// [`decide`] treats as literal text) and the AWS managed policies whose
/// content ecs-iam knows (their actions on `"*"`); managed policies of
/// unknown content and the permissions boundary are reported, not guessed.
#[must_use]
pub fn role_policies(role: &Role) -> RolePolicies {
    let mut out = RolePolicies {
        boundary: role.permissions_boundary.as_ref().map(ToString::to_string),
        ..RolePolicies::default()
    };
    for st in role.permission_statements() {
        out.statements.push(PolicyStatement {
            sid: st.sid.clone(),
            effect: st.effect,
            actions: st.actions.clone(),
            resources: st.resources.iter().map(ToString::to_string).collect(),
            conditions: st
                .conditions
                .iter()
                .flat_map(|g| {
                    g.entries.iter().map(|e| Condition {
                        operator: g.test.clone(),
                        key: e.variable.clone(),
                        values: e.values.iter().map(ToString::to_string).collect(),
                    })
                })
                .collect(),
        });
    }
    for m in &role.managed_policies {
        match AwsManaged::by_arn(&m.arn.to_string()) {
            Some(known) if !known.grants.is_empty() => out.statements.push(PolicyStatement {
                sid: known.name.to_owned(),
                effect: Effect::Allow,
                actions: known.grants.iter().map(|a| (*a).to_owned()).collect(),
                resources: vec!["*".to_owned()],
                conditions: Vec::new(),
            }),
            _ => out.unknown_managed.push(m.name.clone()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allow(actions: &[&str], resources: &[&str]) -> PolicyStatement {
        PolicyStatement {
            sid: String::new(),
            effect: Effect::Allow,
            actions: actions.iter().map(|s| (*s).to_owned()).collect(),
            resources: resources.iter().map(|s| (*s).to_owned()).collect(),
            conditions: Vec::new(),
        }
    }

    fn deny(actions: &[&str], resources: &[&str]) -> PolicyStatement {
        PolicyStatement {
            effect: Effect::Deny,
            ..allow(actions, resources)
        }
    }

    fn when(
        mut st: PolicyStatement,
        operator: &str,
        key: &str,
        values: &[&str],
    ) -> PolicyStatement {
        st.conditions.push(Condition {
            operator: operator.to_owned(),
            key: key.to_owned(),
            values: values.iter().map(|s| (*s).to_owned()).collect(),
        });
        st
    }

    fn request(action: &str, resource: &str) -> Request {
        Request {
            action: action.to_owned(),
            resource: resource.to_owned(),
            context: BTreeMap::new(),
        }
    }

    fn with(mut r: Request, key: &str, values: &[&str]) -> Request {
        r.context.insert(
            key.to_owned(),
            values.iter().map(|s| (*s).to_owned()).collect(),
        );
        r
    }

    /// One condition against a request context: `(operator, key, policy
    /// values)` and `Some(values)` present in the request, `None` absent.
    fn holds(operator: &str, key: &str, policy: &[&str], request: Option<&[&str]>) -> bool {
        let c = Condition {
            operator: operator.to_owned(),
            key: key.to_owned(),
            values: policy.iter().map(|s| (*s).to_owned()).collect(),
        };
        let mut context = BTreeMap::new();
        if let Some(values) = request {
            context.insert(
                key.to_owned(),
                values.iter().map(|s| (*s).to_owned()).collect(),
            );
        }
        condition_holds(&c, &context)
    }

    const OBJECT: &str = "arn:aws:s3:::amzn-s3-demo-bucket/report.csv";

    // "Policy evaluation logic": an explicit deny in any policy overrides
    // any allow; without an allow the request is implicitly denied.
    #[test]
    fn an_explicit_deny_overrides_an_allow() {
        let policies = [
            allow(&["s3:GetObject"], &["*"]),
            PolicyStatement {
                sid: "NoReports".into(),
                ..deny(&["s3:*"], &["arn:aws:s3:::amzn-s3-demo-bucket/*"])
            },
        ];
        assert_eq!(
            decide(&policies, None, &request("s3:GetObject", OBJECT)),
            Decision::ExplicitDeny {
                by: Matched {
                    source: Source::Identity,
                    index: 1,
                    sid: "NoReports".into()
                }
            }
        );
        assert!(
            decide(
                &policies,
                None,
                &request("s3:GetObject", "arn:aws:s3:::other/x")
            )
            .is_allowed()
        );
        assert_eq!(
            decide(
                &policies,
                None,
                &request("s3:PutObject", "arn:aws:s3:::other/x")
            ),
            Decision::ImplicitDeny {
                outside_boundary: None
            }
        );
        assert_eq!(
            decide(&[], None, &request("s3:GetObject", OBJECT)),
            Decision::ImplicitDeny {
                outside_boundary: None
            }
        );
    }

    // "Policy evaluation logic", permissions boundaries: the effective
    // permissions are the intersection of the identity policies and the
    // boundary; a boundary grants nothing by itself, and a deny in it denies.
    #[test]
    fn a_boundary_limits_and_never_grants() {
        let identity = [allow(&["s3:GetObject", "sqs:SendMessage"], &["*"])];
        let boundary = [
            allow(&["s3:*", "ec2:*"], &["*"]),
            deny(&["s3:GetObject"], &["arn:aws:s3:::secret-bucket/*"]),
        ];
        let b = Some(&boundary[..]);
        assert!(decide(&identity, b, &request("s3:GetObject", OBJECT)).is_allowed());
        assert_eq!(
            decide(
                &identity,
                b,
                &request("sqs:SendMessage", "arn:aws:sqs:us-east-1:111122223333:q")
            ),
            Decision::ImplicitDeny {
                outside_boundary: Some(Matched {
                    source: Source::Identity,
                    index: 0,
                    sid: String::new()
                })
            }
        );
        assert_eq!(
            decide(&identity, b, &request("ec2:RunInstances", "*")),
            Decision::ImplicitDeny {
                outside_boundary: None
            }
        );
        assert!(matches!(
            decide(
                &identity,
                b,
                &request("s3:GetObject", "arn:aws:s3:::secret-bucket/k")
            ),
            Decision::ExplicitDeny {
                by: Matched {
                    source: Source::Boundary,
                    index: 1,
                    ..
                }
            }
        ));
        // An empty boundary allows nothing.
        assert!(!decide(&identity, Some(&[]), &request("s3:GetObject", OBJECT)).is_allowed());
    }

    // "IAM JSON policy elements: Action": names are case-insensitive and take
    // `*` and `?` (the page's example `iam:*AccessKey*`).
    #[test]
    fn actions_match_without_case_with_wildcards() {
        assert!(action_matches("iam:*AccessKey*", "iam:CreateAccessKey"));
        assert!(action_matches("iam:*AccessKey*", "iam:ListAccessKeys"));
        assert!(!action_matches("iam:*AccessKey*", "iam:CreateUser"));
        assert!(action_matches("s3:GetObject", "S3:getobject"));
        assert!(action_matches(
            "ecr:Get?ownloadUrlForLayer",
            "ecr:GetDownloadUrlForLayer"
        ));
        assert!(action_matches("*", "kms:Decrypt"));
        assert!(!action_matches("s3:GetObject", "s3:GetObjectAcl"));
        assert!(!action_matches("s3:Get*", "s3:PutObject"));
    }

    // "IAM JSON policy elements: Resource": `*` expands within a segment over
    // characters such as `/`; the page's example and the objects it lists.
    #[test]
    fn resources_match_the_documented_examples() {
        let p = "arn:aws:s3:::amzn-s3-demo-bucket/*/test/*";
        for object in [
            "amzn-s3-demo-bucket/1/test/object.jpg",
            "amzn-s3-demo-bucket/1/2/test/object.jpg",
            "amzn-s3-demo-bucket/1/2/test/3/object.jpg",
            "amzn-s3-demo-bucket/1/2/3/test/4/object.jpg",
            "amzn-s3-demo-bucket/1///test///object.jpg",
            "amzn-s3-demo-bucket/1/test/.jpg",
            "amzn-s3-demo-bucket//test/object.jpg",
            "amzn-s3-demo-bucket/1/test/",
        ] {
            assert!(
                resource_matches(p, &format!("arn:aws:s3:::{object}")),
                "{object}"
            );
        }
        for object in [
            "amzn-s3-demo-bucket/1-test/object.jpg",
            "amzn-s3-demo-bucket/test/object.jpg",
            "amzn-s3-demo-bucket/1/2/test.jpg",
        ] {
            assert!(
                !resource_matches(p, &format!("arn:aws:s3:::{object}")),
                "{object}"
            );
        }
        assert!(resource_matches(
            "arn:aws:iam::111122223333:user/accounting/*",
            "arn:aws:iam::111122223333:user/accounting/Bob"
        ));
        // The IAM user name in a Resource is case sensitive.
        assert!(!resource_matches(
            "arn:aws:iam::111122223333:user/Bob",
            "arn:aws:iam::111122223333:user/bob"
        ));
        assert!(resource_matches(
            "*",
            "arn:aws:sqs:us-east-2:111122223333:queue1"
        ));
        assert!(resource_matches("*", "*"));
        // A specific ARN does not match the `*` of an action with no
        // resource type.
        assert!(!resource_matches(
            "arn:aws:ecr:us-east-1:111122223333:repository/web",
            "*"
        ));
    }

    #[test]
    fn arn_fields_are_matched_one_by_one() {
        // A wildcard in the region never reaches into the account.
        assert!(resource_matches(
            "arn:aws:sqs:*:111122223333:jobs",
            "arn:aws:sqs:eu-west-1:111122223333:jobs"
        ));
        assert!(!resource_matches(
            "arn:aws:sqs:*:111122223333:jobs",
            "arn:aws:sqs:eu-west-1:999999999999:jobs"
        ));
        assert!(!resource_matches(
            "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-??????",
            "arn:aws:secretsmanager:us-east-1:999999999999:secret:db-abcdef"
        ));
        assert!(!resource_matches(
            "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-??????",
            "arn:aws:secretsmanager:us-west-2:111122223333:secret:db-abcdef"
        ));
        // `?` is exactly one character; the secret's six are required.
        assert!(resource_matches(
            "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-??????",
            "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-a1B2c3"
        ));
        assert!(!resource_matches(
            "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-??????",
            "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-a1B2c"
        ));
        assert!(!resource_matches(
            "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-??????",
            "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-admin-a1B2c3"
        ));
        // In the resource part `*` matches colons: log streams of a group.
        let group = "arn:aws:logs:us-east-1:111122223333:log-group:/ecs/web:*";
        assert!(resource_matches(
            group,
            "arn:aws:logs:us-east-1:111122223333:log-group:/ecs/web:log-stream:web/app/0f1e"
        ));
        // ... but the colon before it is literal: not the group's own ARN.
        assert!(!resource_matches(
            group,
            "arn:aws:logs:us-east-1:111122223333:log-group:/ecs/web"
        ));
        assert!(!resource_matches(
            group,
            "arn:aws:logs:us-east-1:111122223333:log-group:/ecs/web2:log-stream:x"
        ));
        // Deploy-time values are literal text.
        assert!(resource_matches(
            "arn:<partition>:s3:::b/*",
            "arn:<partition>:s3:::b/k"
        ));
        assert!(!resource_matches(
            "arn:<partition>:s3:::b/*",
            "arn:aws:s3:::b/k"
        ));
    }

    // "Condition operators", ARN: StringLike matches across colons where
    // ArnLike, which checks each of the six fields, does not (the page's
    // example).
    #[test]
    fn arn_operators_check_each_field() {
        let pattern = ["arn:aws:someservice:*:111122223333:finance/*"];
        let value: &[&str] = &[
            "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt",
        ];
        assert!(holds("StringLike", "aws:SourceArn", &pattern, Some(value)));
        assert!(!holds("ArnLike", "aws:SourceArn", &pattern, Some(value)));
        assert!(!holds("ArnEquals", "aws:SourceArn", &pattern, Some(value)));
        assert!(holds("ArnNotLike", "aws:SourceArn", &pattern, Some(value)));
        let ecs = ["arn:aws:ecs:us-east-1:111122223333:*"];
        let task: &[&str] = &["arn:aws:ecs:us-east-1:111122223333:task/cluster/0abc"];
        assert!(holds("ArnLike", "aws:SourceArn", &ecs, Some(task)));
        assert!(holds("ArnEquals", "aws:SourceArn", &ecs, Some(task)));
        assert!(!holds("ArnNotEquals", "aws:SourceArn", &ecs, Some(task)));
        // Absent: false, and true for the negated operators.
        assert!(!holds("ArnLike", "aws:SourceArn", &ecs, None));
        assert!(holds("ArnNotLike", "aws:SourceArn", &ecs, None));
    }

    // "Condition operators", string: exact and case-sensitive, IgnoreCase,
    // Like with wildcards; several values are ORed, and a negated operator
    // holds only when the request matches none of them.
    #[test]
    fn string_operators() {
        let key = "aws:PrincipalTag/job-category";
        assert!(holds(
            "StringEquals",
            key,
            &["iamuser-admin"],
            Some(&["iamuser-admin"])
        ));
        assert!(!holds(
            "StringEquals",
            key,
            &["iamuser-admin"],
            Some(&["IAMUser-Admin"])
        ));
        assert!(holds(
            "StringEqualsIgnoreCase",
            key,
            &["iamuser-admin"],
            Some(&["IAMUser-Admin"])
        ));
        assert!(!holds(
            "StringNotEqualsIgnoreCase",
            key,
            &["iamuser-admin"],
            Some(&["IAMUser-Admin"])
        ));
        assert!(holds(
            "StringEquals",
            key,
            &["a", "iamuser-admin"],
            Some(&["iamuser-admin"])
        ));
        assert!(!holds(
            "StringNotEquals",
            key,
            &["a", "iamuser-admin"],
            Some(&["iamuser-admin"])
        ));
        assert!(holds(
            "StringNotEquals",
            key,
            &["a", "b"],
            Some(&["iamuser-admin"])
        ));
        // The key is absent: the values do not match.
        assert!(!holds("StringEquals", key, &["iamuser-admin"], None));
        assert!(!holds("StringLike", key, &["*"], None));
        assert!(holds("StringNotEquals", key, &["iamuser-admin"], None));
        assert!(holds("StringNotLike", key, &["iam*"], None));
        // Like: `*` and `?` anywhere; partial matches need a wildcard.
        let prefix = "s3:prefix";
        assert!(holds(
            "StringLike",
            prefix,
            &["", "home/", "home/*/"],
            Some(&["home/jane/"])
        ));
        assert!(holds("StringLike", prefix, &["", "home/"], Some(&[""])));
        assert!(!holds(
            "StringLike",
            prefix,
            &["home/"],
            Some(&["home/jane/"])
        ));
        assert!(holds(
            "StringLike",
            prefix,
            &["home/????/"],
            Some(&["home/jane/"])
        ));
        assert!(!holds(
            "StringLike",
            prefix,
            &["home/???/"],
            Some(&["home/jane/"])
        ));
        assert!(!holds(
            "StringNotLike",
            prefix,
            &["home/*"],
            Some(&["home/jane/"])
        ));
        assert!(holds(
            "StringNotLike",
            prefix,
            &["work/*"],
            Some(&["home/jane/"])
        ));
        // Policy variables are literal text here.
        assert!(!holds(
            "StringLike",
            prefix,
            &["home/${aws:username}/*"],
            Some(&["home/jane/x"])
        ));
    }

    #[test]
    fn condition_keys_match_without_case() {
        assert!(holds(
            "StringEquals",
            "aws:SourceVpce",
            &["vpce-1"],
            Some(&["vpce-1"])
        ));
        let c = Condition {
            operator: "StringEquals".into(),
            key: "aws:SourceVpce".into(),
            values: vec!["vpce-1".into()],
        };
        let context = BTreeMap::from([("AWS:SOURCEVPCE".to_owned(), vec!["vpce-1".to_owned()])]);
        assert!(condition_holds(&c, &context));
        // Values, unlike keys, keep their case.
        let context = BTreeMap::from([("aws:sourcevpce".to_owned(), vec!["VPCE-1".to_owned()])]);
        assert!(!condition_holds(&c, &context));
    }

    // "Condition operators", numeric (the page's `s3:max-keys` example),
    // date (`aws:TokenIssueTime`), Bool (`aws:SecureTransport`), IP address
    // (`aws:SourceIp`, IPv4 and IPv6, `/32` by default) and binary.
    #[test]
    fn numeric_date_bool_ip_and_binary_operators() {
        let k = "s3:max-keys";
        assert!(holds("NumericLessThanEquals", k, &["10"], Some(&["10"])));
        assert!(holds("NumericLessThanEquals", k, &["10"], Some(&["9.5"])));
        assert!(!holds("NumericLessThanEquals", k, &["10"], Some(&["11"])));
        assert!(holds("NumericLessThan", k, &["10"], Some(&["9"])));
        assert!(!holds("NumericLessThan", k, &["10"], Some(&["10"])));
        assert!(holds("NumericGreaterThan", k, &["10"], Some(&["11"])));
        assert!(holds("NumericGreaterThanEquals", k, &["10"], Some(&["10"])));
        assert!(holds("NumericEquals", k, &["10"], Some(&["10.0"])));
        assert!(!holds("NumericNotEquals", k, &["10"], Some(&["10"])));
        assert!(holds("NumericNotEquals", k, &["10"], Some(&["12"])));
        assert!(!holds("NumericEquals", k, &["10"], Some(&["ten"])));
        assert!(!holds("NumericLessThan", k, &["10"], None));

        let t = "aws:TokenIssueTime";
        let issued: &[&str] = &["2020-01-01T00:00:01Z"];
        assert!(holds(
            "DateGreaterThan",
            t,
            issued,
            Some(&["2020-06-01T12:00:00Z"])
        ));
        assert!(!holds(
            "DateGreaterThan",
            t,
            issued,
            Some(&["2019-12-31T23:59:59Z"])
        ));
        assert!(!holds(
            "DateGreaterThan",
            t,
            issued,
            Some(&["2020-01-01T00:00:01Z"])
        ));
        assert!(holds(
            "DateGreaterThanEquals",
            t,
            issued,
            Some(&["2020-01-01T00:00:01Z"])
        ));
        assert!(holds("DateEquals", t, issued, Some(&["1577836801"])));
        assert!(holds(
            "DateEquals",
            t,
            &["2020-01-01"],
            Some(&["2020-01-01T00:00:00Z"])
        ));
        assert!(holds(
            "DateLessThan",
            t,
            issued,
            Some(&["2020-01-01T00:00:00.500Z"])
        ));
        assert!(holds(
            "DateEquals",
            t,
            issued,
            Some(&["2020-01-01T01:00:01+01:00"])
        ));
        assert!(holds(
            "DateNotEquals",
            t,
            issued,
            Some(&["2021-01-01T00:00:00Z"])
        ));
        assert!(!holds("DateLessThan", t, issued, None));
        assert!(!holds("DateLessThan", t, issued, Some(&["yesterday"])));

        let s = "aws:SecureTransport";
        assert!(holds("Bool", s, &["false"], Some(&["false"])));
        assert!(holds("Bool", s, &["true"], Some(&["TRUE"])));
        assert!(!holds("Bool", s, &["false"], Some(&["true"])));
        assert!(!holds("Bool", s, &["false"], None));
        assert!(holds("BoolIfExists", s, &["false"], None));

        let ip = "aws:SourceIp";
        let ranges: &[&str] = &["203.0.113.0/24", "2001:DB8:1234:5678::/64"];
        assert!(holds("IpAddress", ip, ranges, Some(&["203.0.113.7"])));
        assert!(!holds("IpAddress", ip, ranges, Some(&["203.0.114.7"])));
        assert!(holds(
            "IpAddress",
            ip,
            ranges,
            Some(&["2001:db8:1234:5678::1"])
        ));
        assert!(!holds(
            "IpAddress",
            ip,
            ranges,
            Some(&["2001:db8:1234:5679::1"])
        ));
        assert!(holds("NotIpAddress", ip, ranges, Some(&["198.51.100.1"])));
        assert!(holds(
            "IpAddress",
            ip,
            &["203.0.113.7"],
            Some(&["203.0.113.7"])
        ));
        assert!(!holds(
            "IpAddress",
            ip,
            &["203.0.113.7"],
            Some(&["203.0.113.8"])
        ));
        assert!(holds(
            "IpAddress",
            ip,
            &["0.0.0.0/0"],
            Some(&["198.51.100.1"])
        ));
        // The key is absent (a request through a VPC endpoint): false.
        assert!(!holds("IpAddress", ip, ranges, None));

        assert!(holds(
            "BinaryEquals",
            "k:b",
            &["QmluYXJ5VmFsdWVJbkJhc2U2NA=="],
            Some(&["QmluYXJ5VmFsdWVJbkJhc2U2NA=="])
        ));
    }

    // "...IfExists": an absent key makes the condition true; a present one
    // is tested as usual (the page's `ec2:InstanceType` example). `Null`:
    // `true` when the key is absent, `false` when present.
    #[test]
    fn if_exists_and_null() {
        let types: &[&str] = &["t1.*", "t2.*", "m3.*"];
        let k = "ec2:InstanceType";
        assert!(holds("StringLikeIfExists", k, types, None));
        assert!(holds("StringLikeIfExists", k, types, Some(&["t2.micro"])));
        assert!(!holds("StringLikeIfExists", k, types, Some(&["m5.large"])));
        assert!(!holds("StringLike", k, types, None));
        assert!(holds("StringNotEqualsIfExists", k, &["m5.large"], None));
        assert!(!holds(
            "StringNotEqualsIfExists",
            k,
            &["m5.large"],
            Some(&["m5.large"])
        ));

        let t = "aws:TokenIssueTime";
        assert!(holds("Null", t, &["true"], None));
        assert!(!holds(
            "Null",
            t,
            &["true"],
            Some(&["2020-01-01T00:00:00Z"])
        ));
        assert!(holds(
            "Null",
            t,
            &["false"],
            Some(&["2020-01-01T00:00:00Z"])
        ));
        assert!(!holds("Null", t, &["false"], None));
        assert!(holds("Null", t, &["TRUE"], None));
    }

    // "Single-valued vs. multivalued context keys": ForAllValues holds when
    // every request value matches one policy value, and when the key is
    // absent; ForAnyValue when at least one does, and not when it is
    // absent. A multivalued key needs a set operator.
    #[test]
    fn set_operators() {
        let k = "aws:TagKeys";
        let allowed: &[&str] = &["environment", "cost-center"];
        assert!(holds(
            "ForAllValues:StringEquals",
            k,
            allowed,
            Some(&["environment"])
        ));
        assert!(holds(
            "ForAllValues:StringEquals",
            k,
            allowed,
            Some(&["environment", "cost-center"])
        ));
        assert!(!holds(
            "ForAllValues:StringEquals",
            k,
            allowed,
            Some(&["environment", "dept"])
        ));
        assert!(holds("ForAllValues:StringEquals", k, allowed, None));
        assert!(holds("ForAllValues:StringEquals", k, allowed, Some(&[])));
        assert!(holds(
            "ForAnyValue:StringEquals",
            k,
            allowed,
            Some(&["environment", "dept"])
        ));
        assert!(!holds(
            "ForAnyValue:StringEquals",
            k,
            allowed,
            Some(&["dept"])
        ));
        assert!(!holds("ForAnyValue:StringEquals", k, allowed, None));
        assert!(!holds("ForAnyValue:StringEquals", k, allowed, Some(&[])));
        assert!(holds("ForAnyValue:StringEqualsIfExists", k, allowed, None));
        assert!(holds(
            "ForAnyValue:StringLike",
            k,
            &["env*"],
            Some(&["dept", "environment"])
        ));
        // Negated: each request value must match none of the policy values.
        assert!(holds(
            "ForAllValues:StringNotEquals",
            k,
            allowed,
            Some(&["dept", "team"])
        ));
        assert!(!holds(
            "ForAllValues:StringNotEquals",
            k,
            allowed,
            Some(&["dept", "environment"])
        ));
        assert!(holds(
            "ForAnyValue:StringNotEquals",
            k,
            allowed,
            Some(&["dept", "environment"])
        ));
        assert!(!holds(
            "ForAnyValue:StringNotEquals",
            k,
            allowed,
            Some(&["environment"])
        ));
        // A single-valued operator matches no multivalued key.
        assert!(!holds(
            "StringEquals",
            k,
            allowed,
            Some(&["environment", "cost-center"])
        ));
        assert!(!holds(
            "StringNotEquals",
            k,
            &["x"],
            Some(&["environment", "cost-center"])
        ));
    }

    // "Condition element": several operators and several keys are ANDed.
    #[test]
    fn every_condition_must_hold() {
        let st = when(
            when(
                allow(
                    &["ecr:BatchGetImage"],
                    &["arn:aws:ecr:us-east-1:111122223333:repository/web"],
                ),
                "StringEquals",
                "aws:SourceVpce",
                &["vpce-1"],
            ),
            "StringEquals",
            "aws:SourceVpc",
            &["vpc-1"],
        );
        let r = request(
            "ecr:BatchGetImage",
            "arn:aws:ecr:us-east-1:111122223333:repository/web",
        );
        let both = with(
            with(r.clone(), "aws:SourceVpce", &["vpce-1"]),
            "aws:SourceVpc",
            &["vpc-1"],
        );
        assert!(applies(&st, &both));
        assert!(!applies(
            &st,
            &with(r.clone(), "aws:SourceVpce", &["vpce-1"])
        ));
        assert!(!applies(&st, &r));
        let other = with(
            with(r, "aws:SourceVpce", &["vpce-2"]),
            "aws:SourceVpc",
            &["vpc-1"],
        );
        assert!(!applies(&st, &other));
        // An unknown operator never holds.
        assert!(!holds(
            "StringEqual",
            "aws:SourceVpce",
            &["vpce-1"],
            Some(&["vpce-1"])
        ));
    }

    #[test]
    fn globs() {
        assert!(glob("", ""));
        assert!(glob("*", ""));
        assert!(!glob("?", ""));
        assert!(glob("a*b*c", "aXbYbZc"));
        assert!(!glob("a*b*c", "aXbYbZ"));
        assert!(glob("*:*", "a:b:c"));
        assert!(glob("**?", "x"));
        assert!(glob("é?", "éü"));
    }

    fn model(text: &str) -> crate::model::Model {
        crate::model::build(&crate::spec::parse(std::path::Path::new("t.yaml"), text).unwrap())
            .unwrap()
    }

    #[test]
    fn role_policies_report_what_they_cannot_see() {
        let m = model(
            "version: 1\nname: w\npermissions_boundary: team-boundary\nexecution_role:\n  managed_policies: [AmazonECSTaskExecutionRolePolicy, SecretsManagerReadWrite]\n  secrets: [db]\n",
        );
        let p = role_policies(&m.roles[1]);
        assert_eq!(p.unknown_managed, ["SecretsManagerReadWrite"]);
        assert_eq!(
            p.boundary.as_deref(),
            Some("arn:<partition>:iam::<account_id>:policy/team-boundary")
        );
        assert!(!p.is_complete());
        assert_eq!(p.statements.len(), 2);
        assert_eq!(
            p.statements[0].resources,
            ["arn:<partition>:secretsmanager:<region>:<account_id>:secret:db-??????"]
        );
        assert_eq!(p.statements[1].sid, "AmazonECSTaskExecutionRolePolicy");
        assert_eq!(p.statements[1].resources, ["*"]);
        let pull = request(
            "ecr:BatchGetImage",
            "arn:aws:ecr:eu-west-1:111122223333:repository/any",
        );
        assert!(decide(&p.statements, None, &pull).is_allowed());
    }

    /// What ECS calls to start a task of `ecs-basic` (its execution role),
    /// with the ARNs the services authorize.
    #[test]
    fn the_basic_execution_role_allows_what_ecs_calls() {
        let m = model(
            "version: 1\nname: w\ndeployment: {partition: aws, region: eu-west-1, account_id: \"111122223333\"}\nexecution_role:\n  ecr: {repositories: [web], source_vpce: vpce-0123456789abcdef0}\n  logs: {groups: [/ecs/web]}\n  secrets: [db]\n  kms_keys: [1234abcd-12ab-34cd-56ef-1234567890ab]\n",
        );
        let p = role_policies(&m.roles[1]);
        assert!(p.is_complete());
        let arn = |rest: &str| format!("arn:aws:{rest}");
        let vpce = |r: Request| with(r, "aws:SourceVpce", &["vpce-0123456789abcdef0"]);
        let allowed = [
            request("ecr:GetAuthorizationToken", "*"),
            vpce(request(
                "ecr:BatchGetImage",
                &arn("ecr:eu-west-1:111122223333:repository/web"),
            )),
            vpce(request(
                "ecr:GetDownloadUrlForLayer",
                &arn("ecr:eu-west-1:111122223333:repository/web"),
            )),
            request(
                "logs:CreateLogStream",
                &arn("logs:eu-west-1:111122223333:log-group:/ecs/web:log-stream:web/app/1"),
            ),
            request(
                "secretsmanager:GetSecretValue",
                &arn("secretsmanager:eu-west-1:111122223333:secret:db-AbC123"),
            ),
            with(
                request(
                    "kms:Decrypt",
                    &arn("kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
                ),
                "kms:ViaService",
                &["secretsmanager.eu-west-1.amazonaws.com"],
            ),
        ];
        for r in &allowed {
            assert!(decide(&p.statements, None, r).is_allowed(), "{r:?}");
        }
        let denied = [
            // Not through the endpoint.
            request(
                "ecr:BatchGetImage",
                &arn("ecr:eu-west-1:111122223333:repository/web"),
            ),
            request(
                "ecr:BatchGetImage",
                &arn("ecr:eu-west-1:111122223333:repository/web2"),
            ),
            request(
                "secretsmanager:GetSecretValue",
                &arn("secretsmanager:eu-west-1:111122223333:secret:db-admin-AbC123"),
            ),
            // Not via Secrets Manager.
            request(
                "kms:Decrypt",
                &arn("kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
            ),
            request(
                "logs:CreateLogGroup",
                &arn("logs:eu-west-1:111122223333:log-group:/ecs/web"),
            ),
        ];
        for r in &denied {
            assert_eq!(
                decide(&p.statements, None, r),
                Decision::ImplicitDeny {
                    outside_boundary: None
                },
                "{r:?}"
            );
        }
    }
}
