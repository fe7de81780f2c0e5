//! Differential tests of `ecs_iam::evaluate` against an independent IAM
//! simulator, @cloud-copilot/iam-simulate (AGPL-3.0, run only as an
//! external test tool through `conformance/simulate.js`; installed with the
//! conformance tools by `conformance/setup.sh`).
//!
//! For random specs the roles' policies (`evaluate::role_policies`), in one
//! concrete environment (`aws`, `us-east-1`, `111122223333`), are asked about
//! requests made from their own statements: each action (case changed too,
//! and a sibling action) on each resource with its wildcards filled with
//! random text (`:` and `/` included) and near misses (another account,
//! another region, a character more or less, case changed), under request
//! contexts that match, miss and lack each condition key. Both answers must
//! agree on every request. A second test checks the semantic diff: when
//! `grant_diff` says a change does not broaden, no request the old roles
//! denied may be allowed by the new ones.
//!
//! A third test takes the task definitions of `tests/task_definitions/`
//! (each `corpus/` spec, and the spec `init --from-task-definition` writes
//! for each `real/` case; the cases init refuses are skipped and listed),
//! renders their roles and asks both evaluators about every call
//! `verify::calls` says ECS makes for each need, and the GuardDuty agent's
//! pulls with `execution_role.guardduty_agent` set where the region has
//! the agent: each must be allowed. Near misses of each call (another
//! secret, parameter, log group, delivery stream, data stream, bucket, key
//! prefix, object, repository, file system or access point) must be denied
//! by both. `<partition>`, `<region>` and `<account_id>` take the simulated
//! environment's values in policies and requests alike. iam-simulate takes
//! the ECS agent's `CreateLogGroup` request on `log-group:NAME:log-stream:` as
//! a `log-group` resource, so it is sent as ECS makes it.
//!
//! Where the two evaluators differ by design, requests are not generated,
//! and each is named where it is avoided:
//! - policy variables: the evaluator reads `${aws:PrincipalTag/team}` as
//!   literal text, iam-simulate resolves it; no request spells one and no
//!   context holds a key one names;
//! - iam-simulate compares partition, service, region and account without
//!   case; case changes are made only in the resource part;
//! - iam-simulate treats a `*` in a request resource as a wildcard request
//!   and a newline as matched by no wildcard; fills hold neither, and a
//!   call on a name Fluent Bit fills at run time (`$(ecs_cluster)` in a
//!   log group, kept as `*` by `verify::calls`) is sent with a name there;
//! - iam-simulate makes an array-typed key (`aws:TagKeys`) a list even with
//!   one value, where the evaluator sees one value; such keys are used only
//!   with `ForAnyValue:`/`ForAllValues:`.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use common::specs::{CUSTOM_ACTIONS, rich_spec, rich_statement};
use ecs_iam::evaluate::{self, Condition, Decision, PolicyStatement, Request};
use ecs_iam::grant_diff;
use ecs_iam::model::{RoleKind, guardduty};
use ecs_iam::spec::Effect;
use ecs_iam::task_definition::needs::{self, Destination, Grant};
use ecs_iam::verify;
use proptest::prelude::Rng as _;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Value, json};

const PARTITION: &str = "aws";
const REGION: &str = "us-east-1";
const ACCOUNT: &str = "111122223333";

/// Specs (test 1) and spec pairs (test 2) per run, and requests per role
/// (iam-simulate decides about 1,000 a second).
const SPECS: usize = 200;
const PAIRS: usize = 160;
const PER_ROLE: usize = 70;

// ---------------------------------------------------------------- randomness

struct Rng(TestRng);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.0.next_u64() % n as u64).unwrap()
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// Text a wildcard may stand for: letters, digits, `:`, `/`, `-`, `_`,
    /// `.` (never `*`, `?` or a newline, which iam-simulate reads
    /// differently).
    fn text(&mut self, max: usize) -> String {
        const CHARS: &[u8] = b"abcXYZ019:/-_.";
        let n = self.below(max + 1);
        (0..n).map(|_| char::from(*self.pick(CHARS))).collect()
    }
}

/// The run's seed: `ECS_IAM_SIMULATE_SEED`, or a new one (printed, so a
/// failure can be replayed).
fn seed(test: &str) -> u64 {
    let seed = std::env::var("ECS_IAM_SIMULATE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap();
            u64::from(t.subsec_nanos()) ^ t.as_secs() ^ u64::from(std::process::id())
        });
    eprintln!("{test}: ECS_IAM_SIMULATE_SEED={seed}");
    seed
}

fn runner(seed: u64) -> TestRunner {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &bytes),
    )
}

fn generate<S: Strategy>(runner: &mut TestRunner, strategy: &S) -> S::Value {
    strategy.new_tree(runner).unwrap().current()
}

// ---------------------------------------------------------------- policies

/// Deploy-time values replaced by the simulated environment's.
fn concrete(s: &str) -> String {
    s.replace("<partition>", PARTITION)
        .replace("<region>", REGION)
        .replace("<account_id>", ACCOUNT)
}

fn concrete_statements(statements: &[PolicyStatement]) -> Vec<PolicyStatement> {
    statements
        .iter()
        .map(|s| PolicyStatement {
            sid: s.sid.clone(),
            effect: s.effect,
            actions: s.actions.clone(),
            resources: s.resources.iter().map(|r| concrete(r)).collect(),
            conditions: s
                .conditions
                .iter()
                .map(|c| Condition {
                    operator: c.operator.clone(),
                    key: c.key.clone(),
                    values: c.values.iter().map(|v| concrete(v)).collect(),
                })
                .collect(),
        })
        .collect()
}

/// IAM JSON of statements, as iam-simulate reads it.
fn document(statements: &[PolicyStatement]) -> Value {
    let statements: Vec<Value> = statements
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut conditions = serde_json::Map::new();
            for c in &s.conditions {
                let entry = conditions
                    .entry(c.operator.clone())
                    .or_insert_with(|| json!({}));
                entry[&c.key] = json!(c.values);
            }
            let mut st = json!({
                "Sid": format!("S{i}{}", s.sid),
                "Effect": s.effect.as_str(),
                "Action": s.actions,
                "Resource": s.resources,
            });
            if !conditions.is_empty() {
                st["Condition"] = Value::Object(conditions);
            }
            st
        })
        .collect();
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// The roles' statements of a spec, concrete, with their kind; roles
/// without statements are left out (they allow nothing).
fn roles(spec: &Value) -> Vec<(String, Vec<PolicyStatement>)> {
    let model = build(spec);
    model
        .roles
        .iter()
        .map(|r| {
            (
                r.kind.key().to_owned(),
                concrete_statements(&evaluate::role_policies(r).statements),
            )
        })
        .filter(|(_, s)| !s.is_empty())
        .collect()
}

fn build(spec: &Value) -> ecs_iam::model::Model {
    let spec = &fit_to_reference(spec);
    let text = serde_yaml::to_string(spec).unwrap();
    let source = ecs_iam::spec::parse(Path::new("simulated.yaml"), &text)
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    ecs_iam::model::build(&source).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// The spec with each custom `Allow` statement keeping only the actions
/// that take one of its resources (ecs-iam refuses the others, as they
/// grant nothing); a statement left with none becomes a `Deny`. The
/// generators pair actions and resources at random.
fn fit_to_reference(spec: &Value) -> Value {
    let reference = ecs_iam::service_reference::reference();
    let takes = |action: &str, resources: &[String]| {
        resources.iter().any(|r| r == "*")
            || reference.resolve(action).is_none_or(|(service, matched)| {
                service.prefix == "kms" && resources.iter().any(|r| r.contains(":alias/"))
                    || matched
                        .iter()
                        .any(|a| resources.iter().any(|r| service.takes(a, r)))
            })
    };
    let mut spec = spec.clone();
    for role in ["task_role", "execution_role"] {
        let Some(statements) = spec[role]["statements"].as_array_mut() else {
            continue;
        };
        for st in statements {
            if st.get("effect").is_some_and(|e| e == "Deny") {
                continue;
            }
            let resources: Vec<String> = match &st["resources"] {
                Value::String(r) => vec![r.clone()],
                Value::Array(rs) => rs
                    .iter()
                    .filter_map(|r| r.as_str().map(str::to_owned))
                    .collect(),
                _ => continue,
            };
            let actions: Vec<Value> = match &st["actions"] {
                Value::String(a) => vec![json!(a)],
                Value::Array(a) => a.clone(),
                _ => continue,
            };
            let kept: Vec<Value> = actions
                .iter()
                .filter(|a| a.as_str().is_some_and(|a| takes(a, &resources)))
                .cloned()
                .collect();
            if kept.is_empty() {
                st["effect"] = json!("Deny");
            } else {
                st["actions"] = json!(kept);
            }
        }
    }
    spec
}

// ---------------------------------------------------------------- actions and resources

/// The resource type an action is authorized on (the Service Authorization
/// Reference, as iam-simulate's iam-data holds it): a request's resource
/// must be of that type, or iam-simulate refuses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// No resource type: the request's resource is `*`.
    Unscoped,
    Secret,
    Key,
    Repository,
    LogStream,
    LogGroup,
    Parameter,
    Bucket,
    Object,
    Queue,
    Topic,
    Table,
}

const ACTIONS: &[(&str, Kind)] = &[
    ("ecr:GetAuthorizationToken", Kind::Unscoped),
    ("ecr-public:GetAuthorizationToken", Kind::Unscoped),
    ("sts:GetServiceBearerToken", Kind::Unscoped),
    ("secretsmanager:ListSecrets", Kind::Unscoped),
    ("secretsmanager:GetSecretValue", Kind::Secret),
    ("secretsmanager:DescribeSecret", Kind::Secret),
    ("secretsmanager:PutSecretValue", Kind::Secret),
    ("kms:Decrypt", Kind::Key),
    ("kms:GenerateDataKey", Kind::Key),
    ("kms:Encrypt", Kind::Key),
    ("ecr:BatchCheckLayerAvailability", Kind::Repository),
    ("ecr:BatchGetImage", Kind::Repository),
    ("ecr:GetDownloadUrlForLayer", Kind::Repository),
    ("ecr:PutImage", Kind::Repository),
    ("logs:CreateLogStream", Kind::LogStream),
    ("logs:PutLogEvents", Kind::LogStream),
    ("logs:CreateLogGroup", Kind::LogGroup),
    ("ssm:GetParameters", Kind::Parameter),
    ("ssm:GetParameter", Kind::Parameter),
    ("ssm:PutParameter", Kind::Parameter),
    ("s3:ListBucket", Kind::Bucket),
    ("s3:GetBucketLocation", Kind::Bucket),
    ("s3:GetObject", Kind::Object),
    ("s3:PutObject", Kind::Object),
    ("s3:DeleteObject", Kind::Object),
    ("s3:GetObjectAcl", Kind::Object),
    ("s3:PutObjectAcl", Kind::Object),
    ("sqs:SendMessage", Kind::Queue),
    ("sqs:ReceiveMessage", Kind::Queue),
    ("sqs:DeleteMessage", Kind::Queue),
    ("sns:Publish", Kind::Topic),
    ("dynamodb:GetItem", Kind::Table),
    ("dynamodb:PutItem", Kind::Table),
];

fn kind(action: &str) -> Kind {
    ACTIONS
        .iter()
        .find(|(a, _)| a.eq_ignore_ascii_case(action))
        .map_or_else(
            || panic!("add {action} to ACTIONS in tests/simulate.rs"),
            |(_, k)| *k,
        )
}

/// The ARN fields: partition, service, region, account, resource.
fn fields(arn: &str) -> Option<[&str; 5]> {
    let mut p = arn.splitn(6, ':');
    (p.next()? == "arn").then_some(())?;
    Some([p.next()?, p.next()?, p.next()?, p.next()?, p.next()?])
}

/// Whether `arn` is of the resource type `kind` (its ARN pattern in the
/// Service Authorization Reference).
fn fits(kind: Kind, arn: &str) -> bool {
    if kind == Kind::Unscoped {
        return arn == "*";
    }
    let Some([_, service, region, account, resource]) = fields(arn) else {
        return false;
    };
    let regional = |svc: &str| service == svc && !region.is_empty() && !account.is_empty();
    let after = |svc: &str, prefix: &str| {
        regional(svc) && resource.len() > prefix.len() && resource.starts_with(prefix)
    };
    let global_s3 = service == "s3" && region.is_empty() && account.is_empty();
    let single = |r: &str| !r.is_empty() && !r.contains(['/', ':']);
    match kind {
        Kind::Unscoped => unreachable!(),
        Kind::Secret => after("secretsmanager", "secret:"),
        Kind::Key => after("kms", "key/"),
        Kind::Repository => after("ecr", "repository/"),
        Kind::LogStream => {
            after("logs", "log-group:")
                && resource.find(":log-stream:").is_some_and(|i| {
                    i > "log-group:".len() && i + ":log-stream:".len() < resource.len()
                })
        }
        Kind::LogGroup => after("logs", "log-group:") && !resource.contains(":log-stream:"),
        Kind::Parameter => after("ssm", "parameter/"),
        // A resource type whose resource part is one variable
        // (`${BucketName}`, `${QueueName}`) takes no `/` or `:` in it.
        Kind::Bucket => global_s3 && single(resource),
        Kind::Object => {
            global_s3
                && resource
                    .split_once('/')
                    .is_some_and(|(b, k)| !b.is_empty() && !k.is_empty())
        }
        Kind::Queue => regional("sqs") && single(resource),
        Kind::Topic => regional("sns") && single(resource),
        Kind::Table => after("dynamodb", "table/"),
    }
}

/// A resource of `kind` in the simulated environment (sometimes another
/// account), named at random.
fn sample(kind: Kind, rng: &mut Rng) -> String {
    let account = if rng.chance(20) {
        "999999999999"
    } else {
        ACCOUNT
    };
    let name = format!("n{}", rng.text(5));
    let arn = |service: &str, resource: String| {
        format!("arn:{PARTITION}:{service}:{REGION}:{account}:{resource}")
    };
    match kind {
        Kind::Unscoped => "*".to_owned(),
        Kind::Secret => arn("secretsmanager", format!("secret:{name}")),
        Kind::Key => arn("kms", format!("key/{name}")),
        Kind::Repository => arn("ecr", format!("repository/{name}")),
        Kind::LogStream => arn(
            "logs",
            format!("log-group:/ecs/{name}:log-stream:s{}", rng.text(4)),
        ),
        Kind::LogGroup => arn("logs", format!("log-group:/ecs/{name}")),
        Kind::Parameter => arn("ssm", format!("parameter/{name}")),
        Kind::Bucket => format!(
            "arn:{PARTITION}:s3:::b{}",
            rng.text(3).replace(['/', ':'], "")
        ),
        Kind::Object => format!(
            "arn:{PARTITION}:s3:::b{}/{name}",
            rng.text(3).replace('/', "")
        ),
        Kind::Queue => arn("sqs", name.replace(['/', ':'], "")),
        Kind::Topic => arn("sns", name.replace(['/', ':'], "")),
        Kind::Table => arn("dynamodb", format!("table/{name}")),
    }
}

/// A resource the policy resource `pattern` is meant to match: each `*`
/// filled with random text, each `?` with one character, and a policy
/// variable replaced by text (a request never spells one). A wildcard in an
/// ARN's partition, region or account stands for a real one.
fn fill(pattern: &str, rng: &mut Rng) -> String {
    if let Some([partition, service, region, account, resource]) = fields(pattern) {
        let field = |f: &str, choices: &[&str], rng: &mut Rng| {
            if f.contains(['*', '?']) {
                (*rng.pick(choices)).to_owned()
            } else {
                f.to_owned()
            }
        };
        return format!(
            "arn:{}:{service}:{}:{}:{}",
            field(partition, &[PARTITION], rng),
            field(region, &[REGION, "eu-west-1", "us-east-2"], rng),
            field(account, &[ACCOUNT, "999999999999"], rng),
            fill_text(resource, rng)
        );
    }
    fill_text(pattern, rng)
}

fn fill_text(pattern: &str, rng: &mut Rng) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("${") {
            let end = after.find('}').map_or(after.len(), |i| i + 1);
            out.push_str("var");
            rest = &after[end..];
            continue;
        }
        match c {
            '*' => out.push_str(&rng.text(6)),
            '?' => {
                let mut t = rng.text(1);
                while t.is_empty() {
                    t = rng.text(1);
                }
                out.push_str(&t);
            }
            other => out.push(other),
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Near misses of a resource: another account, another region, a character
/// more, a character less, a letter of the resource part in another case.
fn near_misses(resource: &str, rng: &mut Rng) -> Vec<String> {
    let mut out = Vec::new();
    let Some([partition, service, region, account, rest]) = fields(resource) else {
        return out;
    };
    let arn = |region: &str, account: &str, rest: &str| {
        format!("arn:{partition}:{service}:{region}:{account}:{rest}")
    };
    if !account.is_empty() {
        out.push(arn(region, "444455556666", rest));
    }
    if !region.is_empty() {
        out.push(arn("eu-west-1", account, rest));
    }
    out.push(format!("{resource}{}", rng.text(2).replace(':', "x") + "z"));
    if rest.len() > 1 {
        out.push(arn(region, account, &rest[..rest.len() - 1]));
    }
    let letters: Vec<usize> = rest
        .char_indices()
        .filter(|(_, c)| c.is_ascii_alphabetic())
        .map(|(i, _)| i)
        .collect();
    if !letters.is_empty() {
        let i = *rng.pick(&letters);
        let mut changed = rest.to_owned();
        let c = changed[i..].chars().next().unwrap();
        let flipped = if c.is_ascii_lowercase() {
            c.to_ascii_uppercase()
        } else {
            c.to_ascii_lowercase()
        };
        changed.replace_range(i..=i, &flipped.to_string());
        out.push(arn(region, account, &changed));
    }
    out
}

/// The action with letters in random case (IAM compares actions without
/// case).
fn recase(action: &str, rng: &mut Rng) -> String {
    action
        .chars()
        .map(|c| {
            if rng.chance(50) {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

// ---------------------------------------------------------------- contexts

/// Whether iam-simulate takes `key` in a request for `action` (it drops
/// the others, so they are never sent).
fn key_allowed(action: &str, key: &str) -> bool {
    let (action, key) = (action.to_ascii_lowercase(), key.to_ascii_lowercase());
    key.starts_with("aws:")
        || (key == "kms:viaservice" && action.starts_with("kms:"))
        || (key == "s3:prefix" && action == "s3:listbucket")
}

/// The condition keys of statements, with every value the statements give
/// each (keys compared without case).
fn condition_keys(statements: &[&PolicyStatement]) -> BTreeMap<String, BTreeSet<String>> {
    let mut keys: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for c in statements.iter().flat_map(|s| &s.conditions) {
        keys.entry(c.key.to_ascii_lowercase())
            .or_default()
            .extend(c.values.iter().cloned());
    }
    keys
}

/// One value for `key`: a policy value (wildcards filled, sometimes in
/// another case) or another value of the key's type.
fn value(key: &str, policy: &BTreeSet<String>, rng: &mut Rng) -> String {
    let values: Vec<&String> = policy.iter().collect();
    // A policy's address range is no address a request comes from.
    if !values.is_empty() && key != "aws:sourceip" && rng.chance(60) {
        let pattern = (*rng.pick(&values)).clone();
        let v = fill(&pattern, rng);
        return if rng.chance(15) {
            v.to_ascii_uppercase()
        } else {
            v
        };
    }
    match key {
        "aws:securetransport" => (*rng.pick(&["true", "false"])).to_owned(),
        "aws:multifactorauthage" => (*rng.pick(&["0", "3599", "3600", "3601", "86400"])).to_owned(),
        "aws:sourceip" => {
            (*rng.pick(&["203.0.113.9", "203.0.114.9", "198.51.100.7", "198.51.100.8"])).to_owned()
        }
        "aws:currenttime" => (*rng.pick(&[
            "2029-12-31T23:59:59Z",
            "2030-01-01T00:00:00Z",
            "2031-06-01T12:00:00Z",
        ]))
        .to_owned(),
        "aws:sourcearn" => format!(
            "arn:aws:ecs:{}:{}:task/c/{}",
            rng.pick(&[REGION, "eu-west-1"]),
            rng.pick(&[ACCOUNT, "999999999999"]),
            rng.text(4).replace(':', "")
        ),
        "kms:viaservice" => format!(
            "{}.{}.amazonaws.com",
            rng.pick(&["secretsmanager", "ssm", "s3"]),
            rng.pick(&[REGION, "eu-west-1"])
        ),
        _ => format!("v{}", rng.text(4)),
    }
}

/// Request contexts for `action`: each condition key of `keys` absent, or
/// with one value (a list for `aws:TagKeys`), at random; the first context
/// gives every key a value.
fn contexts(
    action: &str,
    keys: &BTreeMap<String, BTreeSet<String>>,
    rng: &mut Rng,
) -> Vec<BTreeMap<String, Vec<String>>> {
    (0..2)
        .map(|i| {
            let mut context = BTreeMap::new();
            for (key, policy) in keys {
                if !key_allowed(action, key) || (i > 0 && rng.chance(35)) {
                    continue;
                }
                let values = if key == "aws:tagkeys" {
                    (0..=rng.below(3))
                        .map(|_| value(key, policy, rng))
                        .collect()
                } else {
                    vec![value(key, policy, rng)]
                };
                // Keys are matched without case: send some as AWS spells
                // them in another case.
                let key = if rng.chance(30) {
                    key.to_ascii_uppercase()
                } else {
                    key.clone()
                };
                context.insert(key, values);
            }
            context
        })
        .collect()
}

// ---------------------------------------------------------------- requests

/// At most `limit` requests made from `statements`, as the module
/// documentation describes, picked at random from all of them.
fn requests(statements: &[&PolicyStatement], limit: usize, rng: &mut Rng) -> Vec<Request> {
    let mut all = all_requests(statements, rng);
    let mut out = Vec::new();
    while out.len() < limit && !all.is_empty() {
        let i = rng.below(all.len());
        out.push(all.swap_remove(i));
    }
    out
}

fn all_requests(statements: &[&PolicyStatement], rng: &mut Rng) -> Vec<Request> {
    let keys = condition_keys(statements);
    let mut out = Vec::new();
    for st in statements {
        for pattern in &st.actions {
            let concrete: Vec<&str> = ACTIONS
                .iter()
                .map(|(a, _)| *a)
                .filter(|a| evaluate::action_matches(pattern, a))
                .collect();
            let action = *rng.pick(&concrete);
            let k = kind(action);
            let mut resources = Vec::new();
            for r in &st.resources {
                if r == "*" {
                    resources.push(sample(k, rng));
                    continue;
                }
                let filled = fill(r, rng);
                resources.extend(near_misses(&filled, rng));
                resources.push(filled);
                resources.push(fill(r, rng));
            }
            let fitting: Vec<String> = resources
                .into_iter()
                .map(|r| {
                    if k == Kind::Unscoped {
                        "*".to_owned()
                    } else {
                        r
                    }
                })
                .filter(|r| fits(k, r))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let resources = if fitting.is_empty() {
                vec![sample(k, rng)]
            } else {
                fitting
            };
            let siblings: Vec<&str> = ACTIONS
                .iter()
                .filter(|(a, kk)| *kk == k && *a != action)
                .map(|(a, _)| *a)
                .collect();
            for resource in &resources {
                let mut actions = vec![action.to_owned(), recase(action, rng)];
                if !siblings.is_empty() {
                    actions.push((*rng.pick(&siblings)).to_owned());
                }
                for a in actions {
                    for context in contexts(&a, &keys, rng) {
                        out.push(Request {
                            action: a.clone(),
                            resource: resource.clone(),
                            context,
                        });
                    }
                }
            }
        }
    }
    out
}

/// A random permissions boundary over the role's own actions and
/// resources.
fn boundary(statements: &[PolicyStatement], rng: &mut Rng) -> Vec<PolicyStatement> {
    let st = rng.pick(statements);
    let any = |actions: Vec<String>| PolicyStatement {
        sid: "Bound".into(),
        effect: Effect::Allow,
        actions,
        resources: vec!["*".into()],
        conditions: Vec::new(),
    };
    match rng.below(3) {
        0 => vec![
            any(vec!["*".into()]),
            PolicyStatement {
                sid: "Fence".into(),
                effect: Effect::Deny,
                actions: vec![rng.pick(&st.actions).clone()],
                resources: vec![rng.pick(&st.resources).clone()],
                conditions: Vec::new(),
            },
        ],
        1 => {
            let services: BTreeSet<String> = statements
                .iter()
                .flat_map(|s| &s.actions)
                .filter(|_| rng.chance(60))
                .map(|a| format!("{}:*", a.split(':').next().unwrap()))
                .collect();
            vec![any(services.into_iter().collect())]
        }
        _ => {
            let mut b = any(vec!["*".into()]);
            b.conditions.push(Condition {
                operator: "StringEquals".into(),
                key: "aws:PrincipalTag/project".into(),
                values: vec!["blue".into()],
            });
            vec![b]
        }
    }
}

// ---------------------------------------------------------------- iam-simulate

/// One role's policies and the requests to decide.
struct Case {
    label: String,
    identity: Vec<PolicyStatement>,
    boundary: Option<Vec<PolicyStatement>>,
    requests: Vec<Request>,
}

/// iam-simulate's answers, case by case, request by request.
fn simulate(cases: &[&Case]) -> Vec<Vec<Value>> {
    let tools = common::conformance_tools();
    let input: Vec<Value> = cases
        .iter()
        .map(|c| {
            let mut v = json!({
                "identityPolicy": document(&c.identity),
                "requests": c.requests.iter().map(|r| json!({
                    "action": r.action, "resource": r.resource, "context": r.context,
                })).collect::<Vec<_>>(),
            });
            if let Some(b) = &c.boundary {
                v["boundary"] = document(b);
            }
            v
        })
        .collect();
    let mut child = Command::new("node")
        .arg(common::root().join("conformance/simulate.js"))
        .env("NODE_PATH", tools.join("node/node_modules"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs");
    let payload = serde_json::to_vec(&input).unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&payload));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        out.status.success(),
        "simulate.js failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answers: Vec<Vec<Value>> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answers.len(), cases.len());
    answers
}

fn ours(decision: &Decision) -> &'static str {
    match decision {
        Decision::Allowed { .. } => "Allowed",
        Decision::ImplicitDeny { .. } => "ImplicitlyDenied",
        Decision::ExplicitDeny { .. } => "ExplicitlyDenied",
    }
}

/// The request, the policies and both answers, for a failure message.
fn report(case: &Case, request: &Request, evaluator: &Decision, simulator: &Value) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "--- {}", case.label);
    let _ = writeln!(
        s,
        "identity policy:\n{}",
        serde_json::to_string_pretty(&document(&case.identity)).unwrap()
    );
    if let Some(b) = &case.boundary {
        let _ = writeln!(
            s,
            "boundary:\n{}",
            serde_json::to_string_pretty(&document(b)).unwrap()
        );
    }
    let _ = writeln!(
        s,
        "request: {} on {} with {:?}\nevaluate: {evaluator:?}\niam-simulate: {simulator}",
        request.action, request.resource, request.context
    );
    s
}

/// Decide every request of every case both ways; the disagreements, as
/// messages, and the number of requests compared.
fn compare(cases: &[Case]) -> (Vec<String>, usize, Vec<Vec<String>>) {
    let answers = simulate(&cases.iter().collect::<Vec<_>>());
    let mut mismatches = Vec::new();
    let mut compared = 0;
    let mut decided = Vec::new();
    for (case, answers) in cases.iter().zip(&answers) {
        assert_eq!(answers.len(), case.requests.len());
        let mut row = Vec::new();
        for (request, theirs) in case.requests.iter().zip(answers) {
            let decision = evaluate::decide(&case.identity, case.boundary.as_deref(), request);
            let Some(theirs_str) = theirs.as_str() else {
                panic!(
                    "iam-simulate refused a generated request (fix the generator):\n{}",
                    report(case, request, &decision, theirs)
                );
            };
            compared += 1;
            if ours(&decision) != theirs_str {
                mismatches.push(report(case, request, &decision, theirs));
            }
            row.push(theirs_str.to_owned());
        }
        decided.push(row);
    }
    (mismatches, compared, decided)
}

fn fail_on(mismatches: &[String], compared: usize) {
    assert!(
        mismatches.is_empty(),
        "{} of {compared} requests decided differently; the first ones:\n{}",
        mismatches.len(),
        mismatches.iter().take(8).cloned().collect::<String>()
    );
}

// ---------------------------------------------------------------- the tests

#[test]
#[ignore = "installs iam-simulate with the conformance tools (npm); run with `cargo test -- --include-ignored`"]
fn the_evaluator_agrees_with_iam_simulate() {
    let seed = seed("the_evaluator_agrees_with_iam_simulate");
    let mut runner = runner(seed);
    let mut rng = Rng(TestRng::from_seed(
        RngAlgorithm::ChaCha,
        &[&seed.to_be_bytes()[..], &[1; 24]].concat(),
    ));
    let strategy = rich_spec();
    let mut cases = Vec::new();
    for i in 0..SPECS {
        let spec = generate(&mut runner, &strategy);
        for (role, identity) in roles(&spec) {
            let refs: Vec<&PolicyStatement> = identity.iter().collect();
            let requests = requests(&refs, PER_ROLE, &mut rng);
            let boundary = rng
                .chance(30)
                .then(|| concrete_statements(&boundary(&identity, &mut rng)));
            cases.push(Case {
                label: format!("spec {i}, {role} role"),
                identity,
                boundary,
                requests,
            });
        }
    }
    let started = Instant::now();
    let (mismatches, compared, answers) = compare(&cases);
    let count = |what: &str| answers.iter().flatten().filter(|a| *a == what).count();
    eprintln!(
        "{} roles of {SPECS} specs, {compared} requests compared in {:.1} s: {} allowed, {} implicitly denied, {} explicitly denied",
        cases.len(),
        started.elapsed().as_secs_f64(),
        count("Allowed"),
        count("ImplicitlyDenied"),
        count("ExplicitlyDenied"),
    );
    fail_on(&mismatches, compared);
    // The requests reach every outcome, so agreement is not agreement on
    // one answer.
    for what in ["Allowed", "ImplicitlyDenied", "ExplicitlyDenied"] {
        assert!(
            count(what) * 200 > compared,
            "too few {what}: {}",
            count(what)
        );
    }
}

/// A change of a spec that ecs-iam accepts: what the semantic diff is
/// asked to classify.
fn mutate(spec: &Value, rng: &mut Rng, extra: &Value) -> Value {
    loop {
        // Fitted as `build` fits it, or no mutation of a spec whose
        // statements the reference refuses would ever be accepted.
        let changed = fit_to_reference(&mutate_once(spec, rng, extra.clone()));
        let text = serde_yaml::to_string(&changed).unwrap();
        let valid = ecs_iam::spec::parse(Path::new("simulated.yaml"), &text)
            .is_ok_and(|source| ecs_iam::model::build(&source).is_ok());
        if valid {
            return changed;
        }
    }
}

fn mutate_once(spec: &Value, rng: &mut Rng, extra: Value) -> Value {
    let mut s = spec.clone();
    let lists = [
        "/task_role/secrets/read",
        "/task_role/kms_keys",
        "/task_role/s3",
        "/task_role/statements",
        "/execution_role/ecr/repositories",
        "/execution_role/secrets",
        "/execution_role/ssm_parameters",
        "/execution_role/statements",
    ];
    // Where the custom statements are: (role, index).
    let statements: Vec<(&str, usize)> = ["task_role", "execution_role"]
        .into_iter()
        .flat_map(|role| {
            let n = spec[role]["statements"].as_array().map_or(0, Vec::len);
            (0..n).map(move |i| (role, i))
        })
        .collect();
    match rng.below(12) {
        // Remove one grant.
        0 | 1 => {
            let path = rng.pick(&lists);
            if let Some(list) = s.pointer_mut(path).and_then(Value::as_array_mut)
                && !list.is_empty()
            {
                let i = rng.below(list.len());
                list.remove(i);
            }
        }
        // A new statement, often a Deny.
        2 | 3 => {
            let role = *rng.pick(&["task_role", "execution_role"]);
            let mut extra = common::specs::fit_partition(&s, extra);
            if rng.chance(60) {
                extra["effect"] = json!("Deny");
            }
            s[role]["statements"].as_array_mut().unwrap().push(extra);
        }
        // Change one statement: effect, a condition, its resources.
        4..=8 => {
            if !statements.is_empty() {
                let (role, i) = *rng.pick(&statements);
                let st = &mut s[role]["statements"][i];
                match rng.below(6) {
                    0 => {
                        let deny = st["effect"] == "Deny";
                        st["effect"] = json!(if deny { "Allow" } else { "Deny" });
                    }
                    1 => {
                        st["conditions"]["StringEquals"]["aws:SourceVpce"] = json!(["vpce-1a"]);
                    }
                    2 => {
                        if let Some(c) = st.get_mut("conditions").and_then(Value::as_object_mut) {
                            let ops: Vec<String> = c.keys().cloned().collect();
                            c.remove(rng.pick(&ops));
                            if c.is_empty() {
                                st.as_object_mut().unwrap().remove("conditions");
                            }
                        }
                    }
                    3 => {
                        if let Some(c) = st.get_mut("conditions").and_then(Value::as_object_mut) {
                            // One more value, of the key's type.
                            for keys in c.values_mut() {
                                for (key, values) in keys.as_object_mut().unwrap() {
                                    let more = match key.as_str() {
                                        "aws:SourceVpce" => "vpce-2b",
                                        "aws:PrincipalTag/project" => "green",
                                        "aws:SourceArn" => {
                                            "arn:aws:ecs:us-east-1:111122223333:task/*"
                                        }
                                        "aws:TagKeys" => "team",
                                        _ => continue,
                                    };
                                    if let Value::String(one) = values {
                                        *values = json!([one]);
                                    }
                                    values.as_array_mut().unwrap().push(json!(more));
                                }
                            }
                        }
                    }
                    4 => {
                        let rs = st["resources"].as_array_mut().unwrap();
                        let i = rng.below(rs.len());
                        let r = rs[i].as_str().unwrap().to_owned();
                        rs[i] = json!(if rng.chance(50) {
                            r.trim_end_matches(['*', '?']).to_owned()
                        } else {
                            format!("{}*", r.trim_end_matches('*'))
                        });
                    }
                    _ => {
                        let actions = st["actions"].as_array_mut().unwrap();
                        if actions.len() > 1 {
                            actions.pop();
                        } else {
                            actions.push(json!(*rng.pick(CUSTOM_ACTIONS)));
                        }
                    }
                }
            }
        }
        // Pin the partition to the simulated one.
        9 => {
            if s.get("deployment").is_none() {
                s["deployment"] = json!({"partition": PARTITION});
            }
        }
        // Attach or detach AmazonECSTaskExecutionRolePolicy.
        10 => {
            let e = &mut s["execution_role"];
            if e.get("managed_policies").is_some() {
                e.as_object_mut().unwrap().remove("managed_policies");
            } else {
                e["managed_policies"] = json!(["AmazonECSTaskExecutionRolePolicy"]);
            }
        }
        // Narrow or widen a bucket's access.
        _ => {
            if let Some(buckets) = s["task_role"]["s3"].as_array_mut()
                && !buckets.is_empty()
            {
                let i = rng.below(buckets.len());
                let access = buckets[i]["access"].as_array_mut().unwrap();
                if access.len() > 1 && rng.chance(60) {
                    access.remove(rng.below(access.len()));
                } else {
                    buckets[i]["prefix"] = json!("deeper/");
                }
            }
        }
    }
    s
}

#[test]
#[ignore = "installs iam-simulate with the conformance tools (npm); run with `cargo test -- --include-ignored`"]
fn a_change_the_diff_calls_not_broadening_allows_nothing_new() {
    let seed = seed("a_change_the_diff_calls_not_broadening_allows_nothing_new");
    let mut runner = runner(seed);
    let mut rng = Rng(TestRng::from_seed(
        RngAlgorithm::ChaCha,
        &[&seed.to_be_bytes()[..], &[2; 24]].concat(),
    ));
    let specs = rich_spec();
    let statements = rich_statement();
    let mut cases = Vec::new();
    // (pair, role, the diff's report) of each pair of cases.
    let mut pairs = Vec::new();
    let mut broadening = 0;
    for i in 0..PAIRS {
        let old_spec = generate(&mut runner, &specs);
        let extra = generate(&mut runner, &statements);
        let new_spec = mutate(&old_spec, &mut rng, &extra);
        let (old, new) = (build(&old_spec), build(&new_spec));
        let changes = grant_diff::compare(&old.roles, &new.roles);
        if grant_diff::summarize(&changes).broadening > 0 {
            broadening += 1;
            continue;
        }
        for (o, n) in old.roles.iter().zip(&new.roles) {
            let old_st = concrete_statements(&evaluate::role_policies(o).statements);
            let new_st = concrete_statements(&evaluate::role_policies(n).statements);
            if new_st.is_empty() {
                continue;
            }
            let union: Vec<&PolicyStatement> = old_st.iter().chain(&new_st).collect();
            let requests = requests(&union, PER_ROLE, &mut rng);
            let mut diff = String::new();
            for c in changes
                .iter()
                .filter(|r| r.role == o.kind.key())
                .flat_map(|r| &r.changes)
            {
                let _ = writeln!(
                    diff,
                    "  {} {} {}",
                    c.sign.symbol(),
                    c.class.as_str(),
                    c.item
                );
            }
            pairs.push((i, o.kind.key(), diff));
            for (side, identity) in [("old", old_st), ("new", new_st)] {
                cases.push(Case {
                    label: format!("pair {i}, {} role, {side}", o.kind.key()),
                    identity,
                    boundary: None,
                    requests: requests.clone(),
                });
            }
        }
    }
    let started = Instant::now();
    let (mismatches, compared, answers) = compare(&cases);
    let mut widened = Vec::new();
    let mut narrowed = 0;
    for (k, (pair, role, diff)) in pairs.iter().enumerate() {
        let (old, new) = (&answers[2 * k], &answers[2 * k + 1]);
        for (j, (o, n)) in old.iter().zip(new).enumerate() {
            if o != "Allowed" && n == "Allowed" {
                let r = &cases[2 * k + 1].requests[j];
                widened.push(format!(
                    "--- pair {pair}, {role} role; the diff said:\n{diff}old policy:\n{}\nnew policy:\n{}\nrequest: {} on {} with {:?}: {o} before, {n} after\n",
                    serde_json::to_string_pretty(&document(&cases[2 * k].identity)).unwrap(),
                    serde_json::to_string_pretty(&document(&cases[2 * k + 1].identity)).unwrap(),
                    r.action,
                    r.resource,
                    r.context
                ));
            }
            if o == "Allowed" && n != "Allowed" {
                narrowed += 1;
            }
        }
    }
    eprintln!(
        "{PAIRS} pairs: {broadening} broadening, {} not; {compared} requests compared in {:.1} s; {narrowed} allowed before and denied after",
        PAIRS - broadening,
        started.elapsed().as_secs_f64(),
    );
    assert!(
        widened.is_empty(),
        "{} requests allowed only after a change the diff did not call broadening:\n{}",
        widened.len(),
        widened.iter().take(5).cloned().collect::<String>()
    );
    fail_on(&mismatches, compared);
    // Most changes are not broadening, and some of them really narrow.
    assert!(
        pairs.len() * 4 > PAIRS,
        "too few pairs checked: {}",
        pairs.len()
    );
    assert!(narrowed > 0);
}

// ---------------------------------------------------------------- task definitions

/// The specs of the task definition corpora that render, by case: each
/// `corpus/<case>/spec.yaml`, and for each `real/<case>` the spec
/// `init --from-task-definition` writes (`starter`), read from the case's
/// folder. The cases whose spec does not render (init refuses a template
/// placeholder), with why.
fn task_definition_specs() -> (Vec<(String, ecs_iam::spec::Source)>, Vec<String>) {
    let mut specs = Vec::new();
    let mut skipped = Vec::new();
    for corpus in ["corpus", "real"] {
        let mut dirs: Vec<_> =
            std::fs::read_dir(common::root().join("tests/task_definitions").join(corpus))
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.is_dir())
                .collect();
        dirs.sort();
        for dir in dirs {
            let case = format!("{corpus}/{}", dir.file_name().unwrap().to_string_lossy());
            let source = if corpus == "corpus" {
                ecs_iam::spec::load(&dir.join("spec.yaml"), ecs_iam::spec_tree::Reach::Tree)
            } else {
                starter_spec(&dir)
            };
            match source.and_then(|s| ecs_iam::model::build(&s).map(|_| s)) {
                Ok(s) => specs.push((case, s)),
                Err(e) => skipped.push(format!("{case}: {e}")),
            }
        }
    }
    (specs, skipped)
}

/// The spec `init --from-task-definition` writes for the one task
/// definition of a `real/<case>` folder, with that task definition read.
fn starter_spec(dir: &Path) -> Result<ecs_iam::spec::Source, ecs_iam::Error> {
    let file = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .find(|n| n != "expected.yaml")
        .unwrap();
    let read = |p: &Path| {
        std::fs::read(p).map_err(|source| ecs_iam::Error::Read {
            path: p.to_owned(),
            source,
        })
    };
    let task = ecs_iam::task_definition::load(
        &file,
        dir,
        &read,
        &ecs_iam::task_definition::Parameters::default(),
    )?;
    let text = ecs_iam::task_definition::starter::starter(
        &task,
        &file,
        &ecs_iam::task_definition::Parameters::default(),
    )?;
    let mut source = ecs_iam::spec::parse(&dir.join("spec.yaml"), &text)?;
    source.read_task_definitions(&|p| std::fs::read(p), None)?;
    Ok(source)
}

/// Text no grant of a task definition reaches: what a near miss puts in.
const OTHER: &str = "other";

/// Requests like `request` that the need's grant must not allow: another
/// secret, parameter, log group, delivery stream, data stream, bucket,
/// key prefix, object, repository or file system, a partial secret ARN's
/// suffix a character longer, another EFS access point, an image pull
/// without the spec's network context.
fn task_near_misses(grant: &Grant, request: &Request) -> Vec<Request> {
    let r = request.resource.as_str();
    let with = |resource: String| Request {
        resource,
        ..request.clone()
    };
    // `resource` with `OTHER-` put after the first `marker`.
    let after = |marker: &str| {
        r.find(marker).map(|i| {
            let at = i + marker.len();
            format!("{}{OTHER}-{}", &r[..at], &r[at..])
        })
    };
    let mut out: Vec<Request> = Vec::new();
    match grant {
        _ if r == "*" => {}
        Grant::EcrPull { .. } | Grant::EcrImport { .. } => {
            out.extend(after(":repository/").map(with));
            if !request.context.is_empty() {
                out.push(Request {
                    context: BTreeMap::new(),
                    ..request.clone()
                });
            }
        }
        Grant::Secret { arn } => {
            out.extend(after(":secret:").map(with));
            if arn.to_string().ends_with("??????") {
                out.push(with(format!("{r}0")));
            }
        }
        Grant::Parameter { .. } => out.push(with(format!("{r}-{OTHER}"))),
        Grant::Logs { .. } | Grant::FirelensDestination(Destination::Logs { .. }) => {
            out.push(with(r.replacen(
                ":log-stream:",
                &format!("-{OTHER}:log-stream:"),
                1,
            )));
        }
        Grant::FirelensDestination(Destination::Firehose { .. } | Destination::Kinesis { .. }) => {
            out.push(with(format!("{r}-{OTHER}")));
        }
        Grant::FirelensDestination(Destination::S3 { objects }) => {
            // Another bucket, and another key prefix where the grant has one.
            let (head, path) = r.split_once(":::").unwrap();
            let (bucket, key) = path.split_once('/').unwrap();
            out.push(with(format!("{head}:::{OTHER}-{bucket}/{key}")));
            if !objects.to_string().ends_with(&format!(":::{bucket}/*")) {
                out.push(with(format!("{head}:::{bucket}/{OTHER}-{key}")));
            }
        }
        Grant::EnvironmentFile { .. } | Grant::FirelensConfig { .. } => {
            if r.contains('/') {
                out.push(with(format!("{r}-{OTHER}")));
            }
            out.push(with(r.replacen(":::", &format!(":::{OTHER}-"), 1)));
        }
        Grant::Efs { .. } => {
            out.push(with(format!("{r}0")));
            let key = "elasticfilesystem:AccessPointArn";
            if let Some(ap) = request.context.get(key) {
                let mut other = request.clone();
                other
                    .context
                    .insert(key.to_owned(), vec![format!("{}0", ap[0])]);
                out.push(other);
            }
        }
    }
    out
}

/// A request as a set holds it: action, resource, context.
type RequestKey = (String, String, BTreeMap<String, Vec<String>>);

/// A role's requests from one spec: the calls ECS makes, then their near
/// misses.
struct TaskCase {
    case: Case,
    /// How many of `case.requests` are calls (the rest are near misses).
    calls: usize,
}

/// The requests of each of a spec's roles: every call of every need of its
/// task definitions (with `agent`, the GuardDuty agent's pulls instead),
/// concrete as the policies are, each distinct request once, and their near
/// misses that are no call. Also the number of calls before duplicates are
/// merged.
fn task_cases(name: &str, source: &ecs_iam::spec::Source, agent: bool) -> (Vec<TaskCase>, usize) {
    let model = ecs_iam::model::build(source).unwrap_or_else(|e| panic!("{name}: {e}"));
    let env = ecs_iam::model::deployment(source).unwrap();
    let ecr = &source.spec.execution_role.ecr;
    let mut network = BTreeMap::new();
    if let Some(v) = &ecr.source_vpc {
        network.insert("aws:SourceVpc".to_owned(), vec![v.clone()]);
    }
    if let Some(v) = &ecr.source_vpce {
        network.insert("aws:SourceVpce".to_owned(), vec![v.clone()]);
    }
    let key = |r: &Request| (r.action.clone(), r.resource.clone(), r.context.clone());
    let mut calls: BTreeMap<RoleKind, BTreeSet<RequestKey>> = BTreeMap::new();
    let mut misses: BTreeMap<RoleKind, BTreeSet<RequestKey>> = BTreeMap::new();
    let mut total = 0;
    let mut add = |role: RoleKind, request: Request, near: Vec<Request>| {
        total += 1;
        calls.entry(role).or_default().insert(key(&request));
        misses.entry(role).or_default().extend(near.iter().map(key));
    };
    // A wildcard the grant keeps (Fluent Bit's `$(ecs_cluster)` in a log
    // group's name) stands for a name the request spells.
    let concrete_request = |r: &verify::CallRequest| Request {
        action: r.action.clone(),
        resource: if r.resource == "*" {
            r.resource.clone()
        } else {
            concrete(&r.resource).replace(['*', '?'], "x1")
        },
        context: r
            .context
            .iter()
            .map(|(k, vs)| (k.clone(), vs.iter().map(|v| concrete(v)).collect()))
            .collect(),
    };
    let caches: Vec<needs::PullThroughCache> =
        ecr.pull_through_cache.iter().map(Into::into).collect();
    for t in source.task_definitions.iter().filter(|_| !agent) {
        let needs = needs::needs(t, &env, &caches);
        assert!(
            needs.problems.is_empty(),
            "{name}: a spec that renders has problems: {:?}",
            needs.problems
        );
        for need in &needs.needs {
            for call in verify::calls(need, &network) {
                let request = concrete_request(&call.request);
                let near = task_near_misses(&need.grant, &request);
                add(call.role, request, near);
            }
        }
    }
    if agent {
        // ECS pulls the agent's image as it pulls a task's (the GuardDuty
        // user guide); the repository is AWS's own in the task's region.
        let region = env.region.as_deref().unwrap();
        let repository = guardduty::agent_repository(region).unwrap().to_string();
        let elsewhere = guardduty::AGENT_ACCOUNTS
            .iter()
            .find(|(r, ..)| *r != region)
            .and_then(|(r, ..)| guardduty::agent_repository(r))
            .unwrap()
            .to_string();
        add(
            RoleKind::Execution,
            Request {
                action: "ecr:GetAuthorizationToken".into(),
                resource: "*".into(),
                context: BTreeMap::new(),
            },
            Vec::new(),
        );
        for action in [
            "ecr:BatchCheckLayerAvailability",
            "ecr:GetDownloadUrlForLayer",
            "ecr:BatchGetImage",
        ] {
            let request = Request {
                action: action.into(),
                resource: repository.clone(),
                context: BTreeMap::new(),
            };
            let near = vec![
                Request {
                    resource: elsewhere.clone(),
                    ..request.clone()
                },
                Request {
                    resource: format!("{repository}-{OTHER}"),
                    ..request.clone()
                },
            ];
            add(RoleKind::Execution, request, near);
        }
    }
    let mut out = Vec::new();
    for (role, calls) in calls {
        let r = model
            .roles
            .iter()
            .find(|r| r.kind == role)
            .unwrap_or_else(|| {
                panic!(
                    "{name}: ECS calls with the {} the spec does not render",
                    role.title()
                )
            });
        let policies = evaluate::role_policies(r);
        assert!(
            policies.is_complete(),
            "{name}: the {} has policies ecs-iam does not know",
            role.title()
        );
        let near: Vec<RequestKey> = misses
            .remove(&role)
            .unwrap_or_default()
            .into_iter()
            .filter(|m| !calls.contains(m))
            .collect();
        let request = |(action, resource, context): RequestKey| Request {
            action,
            resource,
            context,
        };
        out.push(TaskCase {
            calls: calls.len(),
            case: Case {
                label: format!(
                    "{name}{}, {} role",
                    if agent {
                        " with the GuardDuty agent"
                    } else {
                        ""
                    },
                    role.key()
                ),
                identity: concrete_statements(&policies.statements),
                boundary: None,
                requests: calls.into_iter().chain(near).map(request).collect(),
            },
        });
    }
    (out, total)
}

#[test]
#[ignore = "installs iam-simulate with the conformance tools (npm); run with `cargo test -- --include-ignored`"]
fn every_call_ecs_makes_for_the_task_definition_corpora_is_allowed_by_both() {
    let (specs, skipped) = task_definition_specs();
    let mut cases = Vec::new();
    let mut calls = 0;
    let mut agents = 0;
    for (name, source) in &specs {
        let (c, n) = task_cases(name, source, false);
        cases.extend(c);
        calls += n;
        // The same roles with the GuardDuty agent, where the spec's region
        // has an agent repository.
        let mut with_agent = source.clone();
        with_agent.spec.execution_role.guardduty_agent = true;
        if ecs_iam::model::build(&with_agent).is_ok() {
            let (c, n) = task_cases(name, &with_agent, true);
            cases.extend(c);
            calls += n;
            agents += 1;
        }
    }
    let started = Instant::now();
    let answers = simulate(&cases.iter().map(|c| &c.case).collect::<Vec<_>>());
    let mut failures = Vec::new();
    let (mut distinct, mut near) = (0, 0);
    // (calls, near misses) by role and action.
    let mut by_action: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (c, answers) in cases.iter().zip(&answers) {
        let role = c
            .case
            .label
            .rsplit(", ")
            .next()
            .unwrap()
            .replace(" role", "");
        for (i, (request, theirs)) in c.case.requests.iter().zip(answers).enumerate() {
            let call = i < c.calls;
            let counts = by_action
                .entry(format!("{role} {}", request.action))
                .or_default();
            if call {
                distinct += 1;
                counts.0 += 1;
            } else {
                near += 1;
                counts.1 += 1;
            }
            let decision = evaluate::decide(&c.case.identity, None, request);
            let want = if call { "Allowed" } else { "ImplicitlyDenied" };
            if theirs.as_str() != Some(ours(&decision)) || ours(&decision) != want {
                failures.push(format!(
                    "{}: {}{}",
                    if call {
                        "a call ECS makes"
                    } else {
                        "a near miss"
                    },
                    report(&c.case, request, &decision, theirs),
                    format_args!("both must answer {want}\n")
                ));
            }
        }
    }
    eprintln!(
        "{} specs of the task definition corpora ({agents} also with the GuardDuty agent; {} skipped), {} role policies: {calls} calls ({distinct} distinct requests) allowed and {near} near misses denied by both in {:.1} s",
        specs.len(),
        skipped.len(),
        cases.len(),
        started.elapsed().as_secs_f64(),
    );
    for (action, (calls, misses)) in &by_action {
        eprintln!("  {action}: {calls} calls, {misses} near misses");
    }
    for s in &skipped {
        eprintln!("  skipped {}", s.lines().next().unwrap_or(""));
    }
    assert!(
        failures.is_empty(),
        "{} of {} requests not answered as they must be; the first ones:\n{}",
        failures.len(),
        distinct + near,
        failures.iter().take(8).cloned().collect::<String>()
    );
    // Every derivation is reached, each with near misses.
    for action in [
        "execution ecr:GetDownloadUrlForLayer",
        "execution secretsmanager:GetSecretValue",
        "execution ssm:GetParameters",
        "execution logs:CreateLogGroup",
        "execution logs:PutLogEvents",
        "execution s3:GetObject",
        "execution s3:GetBucketLocation",
        "task logs:CreateLogGroup",
        "task logs:PutLogEvents",
        "task firehose:PutRecordBatch",
        "task kinesis:PutRecords",
        "task s3:PutObject",
        "task elasticfilesystem:ClientWrite",
    ] {
        let (calls, misses) = by_action.get(action).copied().unwrap_or_default();
        assert!(
            calls > 0 && misses > 0,
            "{action}: {calls} calls, {misses} near misses"
        );
    }
    assert!(specs.len() >= 40, "only {} specs render", specs.len());
    assert!(agents > 0);
}
