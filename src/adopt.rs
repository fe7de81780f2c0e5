//! `init --from-role`: a spec written from roles already deployed. Each
//! grant a spec field says exactly is written as that field (secrets, SSM
//! parameters, KMS keys, ECR repositories, log groups, S3 buckets); every other
//! statement is kept under `statements` as written, with where it came
//! from. A statement maps to a field only when the field grants no more
//! than it does, so the adopted spec never renders more access than the
//! deployed roles have: what it renders less of (the AWS managed execution
//! policy, trusted principals other than services, conditions ecs-iam adds)
//! is what least privilege removes, which `init` prints.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::deployed::DeployedRole;
use crate::error::{PrincipalKind, Trusted};
use crate::escape::yaml_comment;
use crate::model::{Role, RoleKind, Statement};
use crate::spec::Effect;

/// The AWS managed policy consoles attach to execution roles; ecs-iam
/// scopes what it grants instead of keeping it.
const EXECUTION_POLICY: &str = "policy/service-role/AmazonECSTaskExecutionRolePolicy";

const ECR_LAYERS: [&str; 3] = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
];

/// A deployed role and which of the spec's roles it becomes.
pub struct Adopting<'a> {
    pub kind: RoleKind,
    pub role: &'a DeployedRole,
    /// `FILE#NAME`, for the comments.
    pub label: String,
}

/// A task definition the execution role is derived from instead.
pub struct Derived {
    /// As the spec names it (relative to the spec's folder).
    pub reference: String,
    /// Values given for its template's deploy-time names.
    pub parameters: std::collections::BTreeMap<String, String>,
    /// Its template's values kept as inputs, with their descriptions.
    pub inputs: Vec<(String, String)>,
}

/// The spec's text for the deployed roles (one or both).
#[must_use]
pub fn spec(roles: &[Adopting<'_>]) -> String {
    spec_with(roles, None)
}

/// [`spec`], with the execution role derived from a task definition: the
/// deployed execution role's grants are not adopted (what it holds beyond
/// the task definition's needs is what least privilege removes).
#[must_use]
pub fn spec_with(roles: &[Adopting<'_>], derived: Option<&Derived>) -> String {
    let mut s = String::new();
    let labels: Vec<String> = roles
        .iter()
        .map(|r| format!("`{}`", yaml_comment(&r.label)))
        .collect();
    let _ = writeln!(
        s,
        "# ecs-iam role specification adopted from the {} {}.",
        if roles.len() == 1 { "role" } else { "roles" },
        labels.join(" and ")
    );
    s.push_str(
        "# Each grant a field of the spec says exactly is written there; every other\n\
         # statement is kept under `statements` as written, with where it came from.\n\
         # `ecs-iam drift` compares the rendering with the deployed roles.\n",
    );
    s.push_str("version: 1\n");
    let _ = writeln!(s, "name: {}", quoted(&spec_name(roles)));
    // The deployed ARNs' partition and account, pinned: the adopted grants
    // name the same resources, not the same names in another account.
    if let Some((partition, account)) = roles[0].role.partition_and_account() {
        s.push_str("# Where the roles are deployed (their ARNs):\ndeployment:\n");
        let _ = writeln!(s, "  partition: {}", quoted(partition));
        let deployed: Vec<&crate::model::Role> = roles.iter().map(|r| &r.role.role).collect();
        if let Some(region) = crate::drift::deployment_region(&deployed) {
            let _ = writeln!(s, "  region: {}", quoted(&region));
        }
        let _ = writeln!(s, "  account_id: {}", quoted(account));
    }
    let first = &roles[0].role.role;
    if let Some(path) = first.path.as_deref().filter(|p| *p != "/") {
        let _ = writeln!(s, "path: {}", quoted(path));
    }
    if let Some(b) = roles
        .iter()
        .find_map(|r| r.role.role.permissions_boundary.as_ref())
    {
        let _ = writeln!(s, "permissions_boundary: {}", quoted(&b.to_string()));
    }
    let mut tags: Vec<(String, String)> = roles
        .iter()
        .flat_map(|r| {
            r.role
                .role
                .tags
                .iter()
                .map(|t| (t.key.clone(), t.value.clone()))
        })
        .collect();
    tags.sort();
    tags.dedup_by(|a, b| a.0 == b.0);
    if !tags.is_empty() {
        s.push_str("tags:\n");
        for (k, v) in &tags {
            let _ = writeln!(s, "  {}: {}", quoted(k), quoted(v));
        }
    }
    // A template's parameters the roles name (`!Sub ...${Env}`) are inputs.
    let mut inputs = BTreeSet::new();
    for r in roles {
        let role = &r.role.role;
        let texts = role
            .trust
            .iter()
            .chain(role.permission_statements())
            .flat_map(|st| {
                st.resources.iter().chain(
                    st.conditions
                        .iter()
                        .flat_map(|g| g.entries.iter().flat_map(|e| &e.values)),
                )
            })
            .chain(role.permissions_boundary.iter())
            .chain(role.managed_policies.iter().map(|m| &m.arn));
        for t in texts {
            inputs.extend(t.inputs().map(|i| i.as_str().to_owned()));
        }
    }
    // With those the task definition's template keeps for deploy time, in
    // one `inputs:`.
    let mut declared: Vec<(String, String)> = inputs
        .into_iter()
        .map(|name| {
            let description = format!("The template parameter {name}");
            (name, description)
        })
        .collect();
    for (name, description) in derived.iter().flat_map(|d| &d.inputs) {
        match declared.iter_mut().find(|(n, _)| n == name) {
            Some(existing) => existing.1.clone_from(description),
            None => declared.push((name.clone(), description.clone())),
        }
    }
    declared.sort();
    if !declared.is_empty() {
        s.push_str("# Values left to deploy time (template parameters), each a parameter of the\n# rendered stack and a variable of the module:\ninputs:\n");
        for (name, description) in &declared {
            let _ = writeln!(s, "  {}:", quoted(name));
            let _ = writeln!(s, "    description: {}", quoted(description));
        }
    }
    if let Some(d) = derived {
        s.push_str("# The execution role's grants are derived from it at every render:\ntask_definitions:\n");
        let _ = writeln!(s, "  - {}", quoted(&d.reference));
        if !d.parameters.is_empty() {
            s.push_str("parameters:\n");
            for (k, v) in &d.parameters {
                let _ = writeln!(s, "  {}: {}", quoted(k), quoted(v));
            }
        }
    }
    for kind in RoleKind::ALL {
        let Some(r) = roles.iter().find(|r| r.kind == kind) else {
            // A role not adopted is left to whoever manages it, unless the
            // task definition derives it.
            if derived.is_none() {
                let _ = writeln!(
                    s,
                    "# Not adopted: this spec leaves the {0} to be managed\n\
                     # elsewhere, so the files it renders do not declare it and `ecs-iam drift`\n\
                     # does not compare it. Adopt it with a second `--from-role`, or write its\n\
                     # grants here in place of `managed: false`.\n{1}:\n  managed: false",
                    kind.title(),
                    kind.spec_field()
                );
            }
            continue;
        };
        if derived.is_some() && r.kind == RoleKind::Execution {
            let _ = writeln!(s, "{}:", r.kind.spec_field());
            let _ = writeln!(
                s,
                "  name: {}  # {}, its grants derived from the task definition",
                quoted(&r.role.role.name),
                yaml_comment(&r.label)
            );
            continue;
        }
        role(&mut s, r);
    }
    s
}

/// The spec's `name`: the role names' common stem (`orders` for
/// `orders-task` and `orders-execution`), in the characters a name takes.
fn spec_name(roles: &[Adopting<'_>]) -> String {
    let stem = |r: &Adopting<'_>| {
        let name = r.role.role.name.as_str();
        [
            "-task-role",
            "-execution-role",
            "-task",
            "-execution",
            "TaskRole",
            "ExecutionRole",
        ]
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix))
        .filter(|stem| !stem.is_empty())
        .unwrap_or(name)
        .to_owned()
    };
    let name = stem(&roles[0]);
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// What one statement becomes.
enum Mapped {
    Secrets(Vec<String>),
    Parameters(Vec<String>),
    Keys(Vec<String>),
    Repositories(Vec<String>),
    LogGroups(Vec<String>),
    /// `ecr:GetAuthorizationToken` on `*`, which `ecr.repositories` grants.
    EcrToken,
    Verbatim,
}

fn actions(st: &Statement) -> BTreeSet<&str> {
    st.actions.iter().map(String::as_str).collect()
}

fn resources(st: &Statement) -> Vec<String> {
    st.resources.iter().map(ToString::to_string).collect()
}

/// Whether every resource is an ARN of `service` whose resource part
/// starts with `prefix`.
fn all_arns(resources: &[String], service: &str, prefix: &str) -> bool {
    !resources.is_empty()
        && resources.iter().all(|r| {
            let parts: Vec<&str> = r.splitn(6, ':').collect();
            if parts.len() != 6
                || parts[0] != "arn"
                || parts[2] != service
                || !parts[5].starts_with(prefix)
            {
                return false;
            }
            // No `*`, but the `:*` a log group's streams take (a secret's
            // `-??????` is one secret's name).
            let body = if service == "logs" {
                r.strip_suffix(":*").unwrap_or(r)
            } else {
                r
            };
            !body.contains('*')
        })
}

fn map(kind: RoleKind, st: &Statement, has_token: bool) -> Mapped {
    if st.effect != Effect::Allow || !st.conditions.is_empty() {
        return Mapped::Verbatim;
    }
    let a = actions(st);
    let r = resources(st);
    let only = |want: &[&str]| a == want.iter().copied().collect::<BTreeSet<_>>();
    if only(&["secretsmanager:GetSecretValue"]) && all_arns(&r, "secretsmanager", "secret:") {
        return Mapped::Secrets(r);
    }
    if only(&["kms:Decrypt"]) && all_arns(&r, "kms", "key/") {
        return Mapped::Keys(r);
    }
    if kind == RoleKind::Execution {
        if only(&["ssm:GetParameters"]) && all_arns(&r, "ssm", "parameter/") {
            return Mapped::Parameters(r);
        }
        if only(&ECR_LAYERS) && has_token && all_arns(&r, "ecr", "repository/") {
            return Mapped::Repositories(r);
        }
        if only(&["ecr:GetAuthorizationToken"]) && r == ["*"] {
            return Mapped::EcrToken;
        }
        if only(&["logs:CreateLogStream", "logs:PutLogEvents"])
            && all_arns(&r, "logs", "log-group:")
        {
            return Mapped::LogGroups(r);
        }
    }
    Mapped::Verbatim
}

fn role(s: &mut String, r: &Adopting<'_>) {
    let deployed = &r.role.role;
    let _ = writeln!(s, "{}:", r.kind.spec_field());
    let _ = writeln!(
        s,
        "  name: {}  # {}",
        quoted(&deployed.name),
        yaml_comment(&r.label)
    );
    // A role whose statements its template spreads over policies created
    // beside it keeps that layout.
    if !deployed.created_policies.is_empty() {
        let policies = deployed.created_policies.len() + usize::from(deployed.policy.is_some());
        let _ = writeln!(
            s,
            "  policy_layout: split  # its statements are spread over {policies} polic{} created beside it",
            if policies == 1 { "y" } else { "ies" }
        );
    }
    // Each statement's `origin` is its policy's name.
    let statements: Vec<(&str, &Statement)> = deployed
        .permission_statements()
        .map(|st| (st.origin.as_str(), st))
        .collect();
    let layers = statements
        .iter()
        .any(|(_, st)| matches!(map(r.kind, st, true), Mapped::Repositories(_)));
    let token = statements
        .iter()
        .any(|(_, st)| matches!(map(r.kind, st, true), Mapped::EcrToken));
    let mut secrets = Vec::new();
    let mut parameters = Vec::new();
    let mut keys = Vec::new();
    let mut repositories = Vec::new();
    let mut groups = Vec::new();
    let mut verbatim = Vec::new();
    let mut key_statements = Vec::new();
    // A bucket whose statements are exactly what `task_role.s3` grants
    // becomes that entry.
    let buckets = if r.kind == RoleKind::Task {
        s3_buckets(&statements)
    } else {
        Vec::new()
    };
    let statements: Vec<(&str, &Statement)> = statements
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !buckets.iter().any(|b| b.statements.contains(i)))
        .map(|(_, pair)| pair)
        .collect();
    for (policy, st) in &statements {
        match map(r.kind, st, token) {
            Mapped::Secrets(v) => secrets.extend(v),
            Mapped::Parameters(v) => parameters.extend(v),
            Mapped::Keys(v) => {
                keys.extend(v);
                key_statements.push((*policy, *st));
            }
            Mapped::Repositories(v) => repositories.extend(v),
            Mapped::LogGroups(v) => groups.extend(v),
            Mapped::EcrToken if layers => {}
            Mapped::EcrToken | Mapped::Verbatim => verbatim.push((*policy, *st)),
        }
    }
    // The execution role's `kms_keys` decrypt what it injects: without
    // secrets or parameters, the keys stay statements.
    if r.kind == RoleKind::Execution && secrets.is_empty() && parameters.is_empty() {
        keys.clear();
        verbatim.extend(key_statements);
    }
    // A spec's roles trust ECS tasks, and EC2 instances for the EC2 launch
    // type: anyone else the deployed trust names is dropped, and said.
    let services: Vec<&String> = allowed_principals(deployed)
        .filter(|p| SPEC_PRINCIPALS.contains(&p.as_str()))
        .collect();
    let dropped = dropped_principals(r.role);
    if !dropped.is_empty() {
        s.push_str(
            "  # The deployed trust also let these assume the role, which this spec does\n  \
             # not keep: its roles trust only ECS tasks (and EC2 instances for the EC2\n  \
             # launch type), because whoever else assumes a task role gets all of its\n  \
             # permissions. Give them a role of their own.\n",
        );
        for t in &dropped {
            let _ = writeln!(s, "  #   {}", yaml_comment(&t.to_string()));
        }
    }
    // A trust with conditions keeps ecs-iam's (`aws:SourceAccount`,
    // `aws:SourceArn`); the execution role has none by default.
    let mut trust = String::new();
    if r.kind == RoleKind::Execution && deployed.trust.iter().any(|st| !st.conditions.is_empty()) {
        trust.push_str("    confused_deputy: true\n");
    }
    if services.iter().any(|p| *p != crate::model::ECS_TASKS) {
        let mut all: Vec<&String> = services.clone();
        all.sort();
        all.dedup();
        trust.push_str("    services:\n");
        for p in all {
            let _ = writeln!(trust, "      - {}", quoted(p));
        }
    }
    if !trust.is_empty() {
        s.push_str("  trust:\n");
        s.push_str(&trust);
    }
    let managed: Vec<String> = deployed
        .managed_policies
        .iter()
        .map(|m| m.arn.to_string())
        .filter(|a| !a.ends_with(EXECUTION_POLICY))
        .collect();
    if deployed
        .managed_policies
        .iter()
        .any(|m| m.arn.to_string().ends_with(EXECUTION_POLICY))
    {
        s.push_str(
            "  # AmazonECSTaskExecutionRolePolicy was attached: not kept, because it pulls\n  \
             # from every repository and writes to every log group. Grant the repositories\n  \
             # and log groups the tasks use below, or name their task definitions.\n",
        );
    }
    list(s, "  managed_policies", &managed);
    match r.kind {
        RoleKind::Task => {
            if !secrets.is_empty() {
                s.push_str("  secrets:\n");
                list(s, "    read", &secrets);
            }
            list(s, "  kms_keys", &keys);
            if !buckets.is_empty() {
                s.push_str("  s3:\n");
                for b in &buckets {
                    let _ = writeln!(s, "    - bucket: {}", quoted(&b.name));
                    if !b.prefix.is_empty() {
                        let _ = writeln!(s, "      prefix: {}", quoted(&b.prefix));
                    }
                    let _ = writeln!(s, "      access: [{}]", b.access.join(", "));
                }
            }
        }
        RoleKind::Execution => {
            if !repositories.is_empty() {
                s.push_str("  ecr:\n");
                list(s, "    repositories", &repositories);
            }
            if !groups.is_empty() {
                s.push_str("  logs:\n");
                list(s, "    groups", &groups);
            }
            list(s, "  secrets", &secrets);
            list(s, "  ssm_parameters", &parameters);
            list(s, "  kms_keys", &keys);
        }
    }
    if !verbatim.is_empty() {
        // Written aside first: with no statement kept, the comments stand
        // alone, without an empty `statements:`.
        let outer = s;
        let mut block = String::new();
        let s = &mut block;
        let mut written = 0;
        for (policy, st) in verbatim {
            // An action a spec refuses grants nothing as deployed either
            // (unknown to AWS, or acting on none of the resources): left
            // out, and said.
            let shown = resources(st);
            let (kept, dropped): (Vec<&String>, Vec<&String>) = st.actions.iter().partition(|a| {
                crate::model::statement_action_problem(st.effect, a, &shown).is_none()
            });
            // The policy's name and the Sid are the dump's or template's
            // text: escaped, a line break in them cannot end the comment.
            let _ = writeln!(
                s,
                "    # from the inline policy `{}`{}",
                yaml_comment(policy),
                if st.sid.is_empty() {
                    String::new()
                } else {
                    format!(", statement `{}`", yaml_comment(&st.sid))
                }
            );
            for a in &dropped {
                if let Some(problem) = crate::model::statement_action_problem(st.effect, a, &shown)
                {
                    let _ = writeln!(
                        s,
                        "    # left out, it grants nothing: {}",
                        yaml_comment(&problem.to_string())
                    );
                }
            }
            if kept.is_empty() {
                continue;
            }
            let kept: Vec<String> = kept.into_iter().cloned().collect();
            written += 1;
            let sid_ok = !st.sid.is_empty() && st.sid.chars().all(|c| c.is_ascii_alphanumeric());
            if sid_ok {
                let _ = writeln!(s, "    - sid: {}", quoted(&st.sid));
                let _ = writeln!(s, "      effect: {}", st.effect.as_str());
            } else {
                let _ = writeln!(s, "    - effect: {}", st.effect.as_str());
            }
            list(s, "      actions", &kept);
            list(s, "      resources", &resources(st));
            if !st.conditions.is_empty() {
                s.push_str("      conditions:\n");
                for g in &st.conditions {
                    let _ = writeln!(s, "        {}:", quoted(&g.test));
                    for e in &g.entries {
                        let values: Vec<String> =
                            e.values.iter().map(ToString::to_string).collect();
                        list(s, &format!("          {}", quoted(&e.variable)), &values);
                    }
                }
            }
        }
        if written > 0 {
            outer.push_str("  statements:\n");
        }
        outer.push_str(&block);
    }
}

/// The principals a spec's trust can hold.
const SPEC_PRINCIPALS: [&str; 2] = [crate::model::ECS_TASKS, crate::model::EC2];

/// The principals of the `Allow` statements of a deployed role's trust.
fn allowed_principals(role: &Role) -> impl Iterator<Item = &String> {
    role.trust
        .iter()
        .filter(|st| st.effect == Effect::Allow)
        .flat_map(|st| &st.principals)
}

/// Whether ECS tasks can assume the deployed role: an `Allow` statement of
/// its trust names `ecs-tasks.amazonaws.com`.
#[must_use]
pub fn trusts_ecs_tasks(role: &DeployedRole) -> bool {
    allowed_principals(&role.role).any(|p| p == crate::model::ECS_TASKS)
}

/// Everyone the deployed role's trust lets assume it, each once, in order.
#[must_use]
pub fn principals(role: &DeployedRole) -> Vec<Trusted> {
    let own = role.partition_and_account().map(|(_, a)| a);
    let mut all: Vec<&String> = allowed_principals(&role.role).collect();
    all.sort();
    all.dedup();
    all.into_iter().map(|p| trusted(p, own)).collect()
}

/// Those of [`principals`] the adopted spec does not keep: everyone but ECS
/// tasks and EC2 instances.
#[must_use]
pub fn dropped_principals(role: &DeployedRole) -> Vec<Trusted> {
    principals(role)
        .into_iter()
        .filter(|t| !SPEC_PRINCIPALS.contains(&t.principal.as_str()))
        .collect()
}

/// What a principal is, from its shape: `*`, a service's name, an account
/// id, or an ARN (`arn:<partition>:iam::<account>:user/...`).
fn trusted(principal: &str, own_account: Option<&str>) -> Trusted {
    let of = |kind, account: Option<&str>| Trusted {
        principal: principal.to_owned(),
        kind,
        other_account: account
            .filter(|a| !a.is_empty() && own_account.is_some_and(|own| own != *a))
            .map(str::to_owned),
    };
    if principal == "*" {
        return of(PrincipalKind::Anyone, None);
    }
    if principal.len() == 12 && principal.bytes().all(|b| b.is_ascii_digit()) {
        return of(PrincipalKind::Account, Some(principal));
    }
    let parts: Vec<&str> = principal.splitn(6, ':').collect();
    let [arn, _, service, _, account, resource] = parts[..] else {
        let kind =
            if principal.ends_with(".amazonaws.com") || principal.ends_with(".amazonaws.com.cn") {
                PrincipalKind::Service
            } else {
                PrincipalKind::Other
            };
        return of(kind, None);
    };
    if arn != "arn" {
        return of(PrincipalKind::Other, None);
    }
    let kind = match (service, resource.split('/').next().unwrap_or_default()) {
        ("iam", "root") => PrincipalKind::Account,
        ("iam", "user") => PrincipalKind::User,
        ("iam", "role") => PrincipalKind::Role,
        ("sts", "assumed-role") => PrincipalKind::RoleSession,
        ("iam", "saml-provider") => PrincipalKind::SamlProvider,
        ("iam", "oidc-provider") => PrincipalKind::OidcProvider,
        _ => PrincipalKind::Other,
    };
    of(kind, Some(account))
}

/// An action on a resource.
type Pair = (String, String);

/// A bucket `task_role.s3` grants exactly as the deployed statements do.
struct Bucket {
    name: String,
    prefix: String,
    access: Vec<&'static str>,
    /// The statements it replaces, by index.
    statements: Vec<usize>,
}

/// The object actions of each `access` level, as `task_role.s3` grants
/// them (`list` is `s3:ListBucket` on the bucket, without a prefix).
const S3_ACCESS: [(&str, &[&str]); 4] = [
    ("read", &["s3:GetObject"]),
    ("write", &["s3:PutObject"]),
    ("delete", &["s3:DeleteObject"]),
    ("acl", &["s3:GetObjectAcl", "s3:PutObjectAcl"]),
];

/// The buckets whose Allow statements (no conditions, resources only the
/// bucket and `bucket/prefix*`) grant exactly what a `task_role.s3` entry
/// grants: `s3:GetBucketLocation` (and `s3:ListBucket` for `list`) on the
/// bucket, the access levels' object actions on `bucket/prefix*`.
fn s3_buckets(statements: &[(&str, &Statement)]) -> Vec<Bucket> {
    use std::collections::BTreeMap;
    // bucket -> (its statements, (action, resource) pairs)
    let mut by_bucket: BTreeMap<String, (Vec<usize>, BTreeSet<Pair>)> = BTreeMap::new();
    let mut spoilt = BTreeSet::new();
    // `arn:<partition>:s3:::<bucket>[/<key>]` → the bucket.
    let bucket_of = |r: &str| -> Option<String> {
        let parts: Vec<&str> = r.splitn(6, ':').collect();
        (parts.len() == 6
            && parts[0] == "arn"
            && parts[2] == "s3"
            && parts[3].is_empty()
            && parts[4].is_empty())
        .then(|| parts[5].split('/').next().unwrap_or_default().to_owned())
    };
    for (i, (_, st)) in statements.iter().enumerate() {
        let rs = resources(st);
        let buckets: BTreeSet<String> = rs.iter().filter_map(|r| bucket_of(r)).collect();
        let all_s3 = rs.iter().all(|r| bucket_of(r).is_some());
        let s3_only = st.actions.iter().all(|a| a.starts_with("s3:"));
        match buckets.len() {
            0 => {}
            1 if all_s3 && s3_only && st.effect == Effect::Allow && st.conditions.is_empty() => {
                let b = buckets.into_iter().next().unwrap_or_default();
                let entry = by_bucket.entry(b).or_default();
                entry.0.push(i);
                for a in &st.actions {
                    for r in &rs {
                        entry.1.insert((a.clone(), r.clone()));
                    }
                }
            }
            _ => spoilt.extend(buckets),
        }
    }
    let mut out = Vec::new();
    for (bucket, (statements, granted)) in by_bucket {
        if spoilt.contains(&bucket) || bucket.contains(['*', '?']) || bucket.is_empty() {
            continue;
        }
        let Some(bucket_arn) = granted
            .iter()
            .find(|(_, r)| !r.contains('/'))
            .map(|(_, r)| r.clone())
        else {
            // No statement on the bucket: the entry's GetBucketLocation
            // would be more.
            continue;
        };
        let objects: BTreeSet<&String> = granted
            .iter()
            .filter(|(_, r)| r.contains('/'))
            .map(|(_, r)| r)
            .collect();
        let prefix = match objects.iter().next() {
            None => String::new(),
            Some(r) => match r.split_once('/').and_then(|(_, p)| p.strip_suffix('*')) {
                Some(p) if objects.len() == 1 && !p.contains(['*', '?']) => p.to_owned(),
                _ => continue,
            },
        };
        let list = granted.contains(&("s3:ListBucket".to_owned(), bucket_arn.clone()));
        if list && !prefix.is_empty() {
            // A prefixed `list` adds a condition statement no deployed
            // statement here has.
            continue;
        }
        let mut access: Vec<&'static str> = Vec::new();
        if list {
            access.push("list");
        }
        let object_arn = format!("{bucket_arn}/{prefix}*");
        for (level, actions) in S3_ACCESS {
            if actions
                .iter()
                .all(|a| granted.contains(&((*a).to_owned(), object_arn.clone())))
            {
                access.push(level);
            }
        }
        // What the entry would grant, exactly.
        let mut would: BTreeSet<(String, String)> = BTreeSet::new();
        would.insert(("s3:GetBucketLocation".to_owned(), bucket_arn.clone()));
        if list {
            would.insert(("s3:ListBucket".to_owned(), bucket_arn.clone()));
        }
        for (level, actions) in S3_ACCESS {
            if access.contains(&level) {
                for a in actions {
                    would.insert(((*a).to_owned(), object_arn.clone()));
                }
            }
        }
        if access.is_empty() || would != granted {
            continue;
        }
        out.push(Bucket {
            name: bucket,
            prefix,
            access,
            statements,
        });
    }
    out
}

/// `key:` and one `- item` per value (nothing when there are none).
fn list(s: &mut String, key: &str, values: &[String]) {
    if values.is_empty() {
        return;
    }
    let mut sorted = values.to_vec();
    sorted.sort();
    sorted.dedup();
    let indent = key.len() - key.trim_start().len();
    let _ = writeln!(s, "{key}:");
    for v in sorted {
        let _ = writeln!(s, "{}  - {}", " ".repeat(indent), quoted(&v));
    }
}

fn quoted(value: &str) -> String {
    crate::escape::yaml_scalar(value)
}
