//! Policy statements: building and sorting them, the spec's own statements
//! and their acknowledgements, the KMS grant both roles share, and IAM's
//! size limit on a role's inline policies.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use crate::arn::{Segment, Text};
use crate::error::{Error, Problem};
use crate::spec::{Effect, StatementSpec};

use super::resources::KMS_KEY;
use super::{
    Builder, ConditionEntry, ConditionGroup, MAX_ACKNOWLEDGEMENT, Policy, Role, Sourced, Statement,
    Wildcard, names,
};

/// A condition before grouping.
pub(super) struct Condition {
    test: String,
    variable: String,
    values: Vec<Text>,
}

impl Builder<'_> {
    /// Append the spec's own statements to the generated ones, checking Sids
    /// across both.
    pub(super) fn custom(
        &self,
        field: &str,
        specs: &[StatementSpec],
        mut st: Vec<Statement>,
    ) -> Result<Vec<Statement>, Error> {
        let mut sids: BTreeSet<String> = st.iter().map(|s| s.sid.clone()).collect();
        for (i, s) in specs.iter().enumerate() {
            let f = format!("{field}[{i}]");
            let sid = if let Some(sid) = &s.sid {
                self.at(&format!("{f}.sid"), names::sid(sid))?;
                if !sids.insert(sid.clone()) {
                    return Err(self.invalid(
                        &format!("{f}.sid"),
                        Problem::DuplicateSid { sid: sid.clone() },
                    ));
                }
                sid.clone()
            } else {
                let mut n = i + 1;
                while sids.contains(&format!("Custom{n}")) {
                    n += 1;
                }
                let sid = format!("Custom{n}");
                sids.insert(sid.clone());
                sid
            };
            let actions = s.actions.as_slice();
            if actions.is_empty() {
                return Err(self.invalid(
                    &format!("{f}.actions"),
                    Problem::EmptyList { what: "`actions`" },
                ));
            }
            for (j, a) in actions.iter().enumerate() {
                let af = format!("{f}.actions[{j}]");
                self.at(&af, names::action(a))?;
                self.at(&af, names::known_action(a))?;
            }
            let resources = s.resources.as_slice();
            if resources.is_empty() {
                return Err(self.invalid(
                    &format!("{f}.resources"),
                    Problem::EmptyList {
                        what: "`resources`",
                    },
                ));
            }
            let mut texts = Vec::new();
            for (j, r) in resources.iter().enumerate() {
                let rf = format!("{f}.resources[{j}]");
                if r == "*" {
                    texts.push(Text::literal("*"));
                } else if r.starts_with("arn:") {
                    let a = self.user_arn(
                        &rf,
                        r,
                        None,
                        "`arn:<partition>:service:region:account:resource`",
                    )?;
                    texts.push(a.text);
                } else {
                    return Err(self.invalid(&rf, Problem::BadResource { value: r.clone() }));
                }
            }
            if s.effect == Effect::Allow {
                let mut shown: Vec<String> = texts.iter().map(ToString::to_string).collect();
                shown.sort();
                shown.dedup();
                for (j, a) in actions.iter().enumerate() {
                    self.at(&format!("{f}.actions[{j}]"), names::action_takes(a, &shown))?;
                }
            }
            let mut conditions = Vec::new();
            for (op, keys) in &s.conditions {
                let of = format!("{f}.conditions.{op}");
                self.at(&of, names::condition_operator(op))?;
                for (key, values) in keys {
                    let kf = format!("{of}.{key}");
                    self.at(&kf, names::condition_key(key))?;
                    let values = values.as_slice();
                    if values.is_empty() {
                        return Err(self.invalid(
                            &kf,
                            Problem::EmptyList {
                                what: "the condition's values",
                            },
                        ));
                    }
                    let mut texts = Vec::new();
                    for v in values {
                        texts.push(self.at(&kf, self.env.expand(&v.to_text()))?);
                    }
                    conditions.push(condition(op, key, texts));
                }
            }
            let mut stmt = statement(&sid, &[], texts, conditions, &f);
            stmt.effect = s.effect;
            stmt.actions = sorted_unique(actions.to_vec());
            if let Some(reason) = &s.acknowledge {
                stmt.acknowledged = Some(self.acknowledgement(&f, reason, &stmt)?);
            }
            st.push(stmt);
        }
        Ok(st)
    }

    /// Refuse every condition operator and key of the spec's own
    /// statements that holds a deploy-time value, all of them at once, in
    /// line order, each at its key.
    pub(super) fn literal_keys(&self) -> Result<(), Error> {
        let s = &self.source.spec;
        let mut refused = Vec::new();
        for (field, specs) in [
            ("task_role.statements", &s.task_role.statements),
            ("execution_role.statements", &s.execution_role.statements),
        ] {
            for (i, st) in specs.iter().enumerate() {
                for (op, keys) in &st.conditions {
                    let of = format!("{field}[{i}].conditions.{op}");
                    if let Err(p) = names::literal_key("condition operator", op) {
                        refused.push(self.invalid_key(&of, p));
                    }
                    for key in keys.keys() {
                        let kf = format!("{of}.{key}");
                        if let Err(p) = names::literal_key("condition key", key) {
                            refused.push(self.invalid_key(&kf, p));
                        }
                    }
                }
            }
        }
        refused.sort_by_key(|e| e.location().map(|l| (l.line, l.column)));
        Error::several(refused).map_or(Ok(()), Err)
    }

    /// A custom statement's `acknowledge`: text every scanner's suppression
    /// format carries, on a statement with a wildcard to acknowledge.
    fn acknowledgement(&self, f: &str, reason: &str, st: &Statement) -> Result<String, Error> {
        let field = format!("{f}.acknowledge");
        if reason.is_empty()
            || reason.len() > MAX_ACKNOWLEDGEMENT
            || reason.trim().is_empty()
            || !reason.chars().all(|c| c == ' ' || c.is_ascii_graphic())
        {
            return Err(self.invalid(
                &field,
                Problem::BadAcknowledgement {
                    reason: reason.to_owned(),
                    max: MAX_ACKNOWLEDGEMENT,
                },
            ));
        }
        if st.effect != Effect::Allow {
            return Err(self.invalid(&field, Problem::NothingToAcknowledge { deny: true }));
        }
        if st.actions.iter().any(|a| a == "*") {
            return Err(self.invalid(&field, Problem::AcknowledgedStarAction));
        }
        let wildcard = st.actions.iter().any(|a| a.contains('*'))
            || st.resources.iter().any(|r| r.to_string().contains('*'));
        if !wildcard {
            return Err(self.invalid(&field, Problem::NothingToAcknowledge { deny: false }));
        }
        Ok(reason.to_owned())
    }

    pub(super) fn kms_statement(
        &self,
        field: &str,
        keys: &[String],
        services: &[&str],
    ) -> Result<Option<Statement>, Error> {
        if keys.is_empty() {
            return Ok(None);
        }
        let resources = self.resources(&KMS_KEY, field, keys)?;
        // kms:ViaService limits the key to decryptions requested by these
        // services on the role's behalf. A KMS key serves only callers in its
        // own region, so a key given by ARN in another region is used via
        // the services of that region.
        let regions: BTreeSet<String> = resources
            .iter()
            .map(|k| {
                k.to_string()
                    .split(':')
                    .nth(3)
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect();
        let via = services
            .iter()
            .flat_map(|svc| {
                regions.iter().map(move |region| {
                    let mut t = Text::literal(&format!("{svc}."));
                    // A region left to deploy time, or a wildcard, stays
                    // the deployment's: the narrower reading.
                    if region == "<region>" || region.is_empty() || region.contains('*') {
                        t.push(self.env.region());
                    } else {
                        t.push_str(region);
                    }
                    t.push_str(".amazonaws.com");
                    t
                })
            })
            .collect();
        Ok(Some(statement(
            "DecryptSecrets",
            &["kms:Decrypt"],
            resources,
            vec![condition("StringEquals", "kms:ViaService", via)],
            field,
        )))
    }
}

pub(super) fn policy(role_name: &str, statements: Vec<Statement>) -> Option<Policy> {
    if statements.is_empty() {
        None
    } else {
        Some(Policy {
            name: format!("{role_name}-policy"),
            statements,
        })
    }
}

pub(super) fn statement(
    sid: &str,
    actions: &[&str],
    resources: Vec<Text>,
    conditions: Vec<Condition>,
    origin: &str,
) -> Statement {
    Statement {
        sid: sid.to_owned(),
        effect: Effect::Allow,
        principals: Vec::new(),
        actions: sorted_unique(actions.iter().map(|s| (*s).to_owned()).collect()),
        resources: sorted_texts(resources),
        conditions: group_conditions(conditions),
        origin: origin.to_owned(),
        sources: Vec::new(),
        wildcard: None,
        acknowledged: None,
    }
}

impl Statement {
    pub(super) fn unavoidable(mut self, wildcard: Wildcard) -> Self {
        self.wildcard = Some(wildcard);
        self
    }

    /// Record which task definition field asked for which resource.
    pub(super) fn sourced(mut self, sources: Vec<Sourced>) -> Self {
        self.sources = sources;
        self
    }
}

pub(super) fn condition(test: &str, variable: &str, values: Vec<Text>) -> Condition {
    Condition {
        test: test.to_owned(),
        variable: variable.to_owned(),
        values: sorted_texts(values),
    }
}

pub(super) fn group_conditions(conditions: Vec<Condition>) -> Vec<ConditionGroup> {
    let mut groups: BTreeMap<String, BTreeMap<String, Vec<Text>>> = BTreeMap::new();
    for c in conditions {
        groups
            .entry(c.test)
            .or_default()
            .entry(c.variable)
            .or_default()
            .extend(c.values);
    }
    groups
        .into_iter()
        .map(|(test, keys)| ConditionGroup {
            test,
            entries: keys
                .into_iter()
                .map(|(variable, values)| ConditionEntry {
                    variable,
                    values: sorted_texts(values),
                })
                .collect(),
        })
        .collect()
}

pub(super) fn sorted_unique(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

/// The characters an input's value is counted as in [`policy_size`]: room
/// for a name of most AWS resource types (a log group or secret name, a
/// bucket name of up to 63).
pub const INPUT_SIZE: usize = 64;

pub(super) fn sorted_texts(mut v: Vec<Text>) -> Vec<Text> {
    v.sort_by_cached_key(Text::sort_key);
    v.dedup();
    v
}

/// The size IAM counts for a role's inline policy (its JSON without
/// whitespace), with deploy-time values at their longest: `aws-us-gov`, a
/// 14-character region and a 12-digit account; a declared input, whose
/// value ecs-iam cannot know, counts as [`INPUT_SIZE`] characters.
#[must_use]
pub fn policy_size(role: &Role) -> usize {
    role.policy
        .as_ref()
        .map_or(0, |p| document_size(&p.statements))
}

/// The size IAM counts for a policy document holding `statements`, as
/// [`policy_size`] counts it.
#[must_use]
pub fn document_size(statements: &[Statement]) -> usize {
    let sizes: Vec<usize> = statements.iter().map(statement_size).collect();
    sizes_to_document(&sizes)
}

/// The size of the role's trust policy, as [`policy_size`] counts it.
#[must_use]
pub fn trust_policy_size(role: &Role) -> usize {
    document_size(&role.trust)
}

/// `{"Version":"2012-10-17","Statement":[]}`: what a document adds to its
/// statements.
const DOCUMENT_OVERHEAD: usize = 39;

/// The size of a document whose statements have `sizes`: the statements,
/// the commas between them and [`DOCUMENT_OVERHEAD`].
pub(super) fn sizes_to_document(sizes: &[usize]) -> usize {
    DOCUMENT_OVERHEAD + sizes.iter().sum::<usize>() + sizes.len().saturating_sub(1)
}

/// One statement's JSON without whitespace, as [`policy_size`] counts it.
pub(super) fn statement_size(st: &Statement) -> usize {
    let text = |t: &Text| -> String {
        t.segments()
            .iter()
            .map(|s| match s {
                Segment::Literal(l) => l.clone(),
                Segment::Partition => "aws-us-gov".to_owned(),
                Segment::Region => "ap-southeast-5".to_owned(),
                Segment::Account => "123456789012".to_owned(),
                Segment::Input(_) => "x".repeat(INPUT_SIZE),
            })
            .collect()
    };
    let mut conditions: BTreeMap<&str, BTreeMap<&str, Vec<String>>> = BTreeMap::new();
    for g in &st.conditions {
        for e in &g.entries {
            conditions
                .entry(&g.test)
                .or_default()
                .insert(&e.variable, e.values.iter().map(text).collect());
        }
    }
    let mut one = json!({
        "Sid": st.sid,
        "Effect": st.effect.as_str(),
        "Action": st.actions,
        "Condition": conditions,
    });
    if st.principals.is_empty() {
        one["Resource"] = json!(st.resources.iter().map(text).collect::<Vec<_>>());
    } else {
        one["Principal"] = json!({"Service": st.principals});
    }
    one.to_string()
        .chars()
        .filter(|c| !c.is_whitespace())
        .count()
}
