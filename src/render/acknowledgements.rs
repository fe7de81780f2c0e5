//! Scanner acknowledgements: the checkov, cfn_nag and cdk-nag findings
//! that only an unavoidable wildcard, or a wildcard the spec's author
//! acknowledged, causes. The model records which statements hold such
//! wildcards and why; the finding ids and reasons each scanner's
//! suppression format carries are worked out here.

use std::collections::BTreeSet;

use crate::arn::{Segment, Text};
use crate::checkov;

use serde::Serialize;

use crate::model::{Role, Statement, Wildcard};
use crate::spec::Effect;

/// A scanner finding acknowledged in the output, with its reason.
#[derive(Debug, Clone, Serialize)]
pub struct Acknowledgement {
    pub id: String,
    pub reason: String,
}

/// The findings of each scanner that only an unavoidable wildcard causes.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Acknowledgements {
    /// checkov check ids for CloudFormation `Metadata`.
    pub checkov: Vec<Acknowledgement>,
    /// checkov check ids for the Terraform policy document's comments: the
    /// same, and `CKV_AWS_356`, which checkov runs on Terraform only.
    pub checkov_terraform: Vec<Acknowledgement>,
    /// cfn_nag rule ids (CloudFormation `Metadata`).
    pub cfn_nag: Vec<Acknowledgement>,
    /// cdk-nag finding ids (`cdk/nag-acknowledgements.json`).
    pub cdk_nag: Vec<Acknowledgement>,
}

/// The acknowledgements a role's inline statements call for (each policy
/// created beside it has its own: [`acknowledgements`]).
#[must_use]
pub fn of(role: &Role) -> Acknowledgements {
    role.policy
        .as_ref()
        .map_or_else(Acknowledgements::default, |p| {
            acknowledgements(&p.statements)
        })
}

/// The acknowledgements these statements call for. A finding a custom
/// statement without `acknowledge` could also cause is never acknowledged:
/// the spec's author has to decide about their own wildcards.
#[must_use]
pub fn acknowledgements(statements: &[Statement]) -> Acknowledgements {
    let allowed = |s: &&Statement| s.effect == Effect::Allow;
    let unacknowledged: Vec<&Statement> = statements
        .iter()
        .filter(allowed)
        .filter(|s| s.wildcard.is_none() && s.acknowledged.is_none())
        .collect();
    let acknowledged: Vec<(&Statement, &str)> = statements
        .iter()
        .filter(allowed)
        .filter_map(|s| s.acknowledged.as_deref().map(|r| (s, r)))
        .collect();
    let custom_star = unacknowledged
        .iter()
        .any(|s| s.resources.iter().any(Text::is_star));
    let acknowledged_star = acknowledged
        .iter()
        .any(|(s, _)| s.resources.iter().any(Text::is_star));
    let mut acks = Acknowledgements::default();
    let star_actions: BTreeSet<&str> = statements
        .iter()
        .filter(|s| s.wildcard == Some(Wildcard::NoResourceScope))
        .flat_map(|s| s.actions.iter().map(String::as_str))
        .collect();
    if !star_actions.is_empty() && !custom_star {
        let actions: Vec<&str> = star_actions.iter().copied().collect();
        let (list, verb) = match actions.as_slice() {
            [one] => ((*one).to_owned(), "has"),
            [init @ .., last] => (format!("{} and {last}", init.join(", ")), "have"),
            [] => unreachable!("star_actions is not empty"),
        };
        let mut reason =
            format!("{list} {verb} no resource-level permissions, so IAM requires Resource \"*\"");
        if !acknowledged_star {
            reason.push_str("; nothing else is granted on \"*\"");
        }
        add(&mut acks.cdk_nag, "AwsSolutions-IAM5[Resource::*]", &reason);
        add(&mut acks.cfn_nag, "W11", &reason);
        // checkov counts ECR Public's token actions as credentials exposure.
        if star_actions.contains("ecr-public:GetAuthorizationToken")
            || star_actions.contains("sts:GetServiceBearerToken")
        {
            let reason = "Authenticated ECR Public pulls need ecr-public:GetAuthorizationToken and sts:GetServiceBearerToken, which support no resource-level permissions";
            add(&mut acks.checkov, "CKV_AWS_107", reason);
            add(&mut acks.checkov_terraform, "CKV_AWS_107", reason);
        }
    }
    for s in statements {
        let reason = match s.wildcard {
            Some(Wildcard::LogStreams) => {
                "The awslogs driver names log streams at run time; the grant covers the streams of this log group only"
            }
            Some(Wildcard::LogStreamsNamedBy(who)) => {
                &format!("{who}; the grant covers the streams of this log group only")
            }
            Some(Wildcard::ObjectKeys) => {
                "Object keys are chosen at run time; the grant covers the objects under this bucket and prefix only"
            }
            Some(Wildcard::CachedRepositories) => {
                "A pull-through cache rule creates a repository under its prefix for each upstream image; the grant covers that prefix only"
            }
            _ => continue,
        };
        for r in s.resources.iter().filter(|r| r.to_string().contains('*')) {
            let id = format!("AwsSolutions-IAM5[Resource::{}]", cdk_nag_form(r));
            // aws-cdk-lib cannot take every id: such a finding stays.
            if acknowledgeable(&id) {
                add(&mut acks.cdk_nag, &id, reason);
            }
        }
    }
    if !acknowledged.is_empty() {
        acknowledge_custom(&mut acks, statements, &unacknowledged, &acknowledged);
    }
    acks
}

/// The findings the acknowledged custom statements cause, with their
/// authors' reasons; none that an unacknowledged custom statement shares.
fn acknowledge_custom(
    acks: &mut Acknowledgements,
    statements: &[Statement],
    unacknowledged: &[&Statement],
    acknowledged: &[(&Statement, &str)],
) {
    let by_others = |f: &dyn Fn(&Statement) -> bool| unacknowledged.iter().any(|s| f(s));
    let star = |s: &Statement| s.resources.iter().any(Text::is_star);
    // cfn_nag: `*` resource (W11), `*` or `service:*` action (F3), PassRole
    // on `*` (F38), as cfn-model matches them.
    let service_star = |s: &Statement| s.actions.iter().any(|a| a.ends_with(":*") && a.len() > 2);
    let pass_role = |s: &Statement| star(s) && s.actions.iter().any(|a| is_pass_role_pattern(a));
    for (s, reason) in acknowledged {
        if star(s) && !by_others(&star) {
            add(&mut acks.cfn_nag, "W11", reason);
        }
        if service_star(s) && !by_others(&service_star) {
            add(&mut acks.cfn_nag, "F3", reason);
        }
        if pass_role(s) && !by_others(&pass_role) {
            add(&mut acks.cfn_nag, "F38", reason);
        }
        // cdk-nag: every action and resource holding `*`.
        for a in s.actions.iter().filter(|a| a.contains('*')) {
            let id = format!("AwsSolutions-IAM5[Action::{a}]");
            if acknowledgeable(&id) && !by_others(&|o| o.actions.contains(a)) {
                add(&mut acks.cdk_nag, &id, reason);
            }
        }
        for r in s.resources.iter().filter(|r| r.to_string().contains('*')) {
            let form = cdk_nag_form(r);
            let id = format!("AwsSolutions-IAM5[Resource::{form}]");
            if acknowledgeable(&id)
                && !by_others(&|o| o.resources.iter().any(|x| cdk_nag_form(x) == form))
            {
                add(&mut acks.cdk_nag, &id, reason);
            }
        }
    }
    // checkov judges the whole policy: what it raises only with the
    // acknowledged statements is theirs.
    let rest: Vec<checkov::Statement<'_>> = statements
        .iter()
        .filter(|s| s.acknowledged.is_none())
        .map(view)
        .collect();
    let all: Vec<checkov::Statement<'_>> = statements.iter().map(view).collect();
    let (with, without) = (checkov::raised(&all), checkov::raised(&rest));
    let alone: Vec<(checkov::Raised, &str)> = acknowledged
        .iter()
        .map(|(s, reason)| {
            let mut one = rest.clone();
            one.push(view(s));
            (checkov::raised(&one), *reason)
        })
        .collect();
    let everyone: Vec<&str> = acknowledged.iter().map(|(_, r)| *r).collect();
    let cloudformation: Vec<(&BTreeSet<&str>, &str)> = alone
        .iter()
        .map(|(r, why)| (&r.cloudformation, *why))
        .collect();
    let terraform: Vec<(&BTreeSet<&str>, &str)> =
        alone.iter().map(|(r, why)| (&r.terraform, *why)).collect();
    attribute(
        &mut acks.checkov,
        with.cloudformation.difference(&without.cloudformation),
        &cloudformation,
        &everyone,
    );
    attribute(
        &mut acks.checkov_terraform,
        with.terraform.difference(&without.terraform),
        &terraform,
        &everyone,
    );
}

/// Acknowledge each check with the reasons of the statements that raise it
/// alone, or of all of them when only several together do (privilege
/// escalation needs a combination of actions).
fn attribute<'a>(
    list: &mut Vec<Acknowledgement>,
    ids: impl Iterator<Item = &'a &'static str>,
    alone: &[(&BTreeSet<&'static str>, &str)],
    everyone: &[&str],
) {
    for id in ids {
        let mut reasons: Vec<&str> = alone
            .iter()
            .filter(|(raised, _)| raised.contains(id))
            .map(|(_, why)| *why)
            .collect();
        if reasons.is_empty() {
            reasons = everyone.to_vec();
        }
        for r in reasons {
            add(list, id, r);
        }
    }
}

/// cfn_nag's PassRole patterns: `iam:PassRole`, `iam:*` and each prefix of
/// `PassRole` followed by `*`.
fn is_pass_role_pattern(action: &str) -> bool {
    action == "*"
        || action.strip_prefix("iam:").is_some_and(|a| {
            a == "PassRole"
                || a.strip_suffix('*')
                    .is_some_and(|p| "PassRole".starts_with(p))
        })
}

/// Add an acknowledgement, or another reason to the one already there.
fn add(list: &mut Vec<Acknowledgement>, id: &str, reason: &str) {
    match list.iter_mut().find(|a| a.id == id) {
        Some(a) => {
            let has = a.reason == reason
                || a.reason.starts_with(&format!("{reason}; "))
                || a.reason.ends_with(&format!("; {reason}"))
                || a.reason.contains(&format!("; {reason}; "));
            if !has {
                a.reason.push_str("; ");
                a.reason.push_str(reason);
            }
        }
        None => list.push(Acknowledgement {
            id: id.to_owned(),
            reason: reason.to_owned(),
        }),
    }
}

/// A resource as cdk-nag 3.0.2 names it in a finding id. cdk-nag flattens
/// the synthesised value (`flattenCfnReference`): in every string `${`
/// becomes `<` and then `}` becomes `>`, and the pieces of an `Fn::Join` are
/// flattened one by one. So the id follows the value's CDK JSON form: an
/// `Fn::Sub` (deploy-time values as `<AWS::Partition>`, a literal `${` as
/// `<!`), a `Fn::Join` split before `{` (its `{` stays), or a plain string.
fn cdk_nag_form(t: &Text) -> String {
    let flatten = |s: &str| s.replace("${", "<").replace('}', ">");
    if !t.is_literal() {
        let sub: String = t
            .segments()
            .iter()
            .map(|s| match s {
                Segment::Literal(l) => l.replace("${", "${!"),
                Segment::Partition => "${AWS::Partition}".to_owned(),
                Segment::Region => "${AWS::Region}".to_owned(),
                Segment::Account => "${AWS::AccountId}".to_owned(),
                Segment::Input(name) => format!("${{{name}}}"),
            })
            .collect();
        return flatten(&sub);
    }
    let plain = t.to_string();
    match super::join_pieces(&plain) {
        Some(pieces) => pieces.iter().map(|p| flatten(p)).collect(),
        None => flatten(&plain),
    }
}

/// Whether `Validations.of(...).acknowledge` in aws-cdk-lib 2.276 takes `id`
/// and records it as cdk-nag 3.0.2 reports it. `parseValidationId` refuses a
/// closing `)`, `]` or `}` that does not close the last open bracket (a
/// lone `{` is closed by the id's final `]`), and reads `::` outside
/// brackets as a plugin prefix; the recorded id has each space turned into
/// `-`, while cdk-nag compares its own id unchanged.
fn acknowledgeable(id: &str) -> bool {
    let mut open = Vec::new();
    let mut chars = id.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' => return false,
            ':' if open.is_empty() && chars.peek() == Some(&':') => return false,
            '(' | '[' | '{' => open.push(c),
            ')' | ']' | '}' => {
                let closes = match open.pop() {
                    Some('(') => ')',
                    Some('[') => ']',
                    Some(_) => '}',
                    None => return false,
                };
                if c != closes {
                    return false;
                }
            }
            _ => {}
        }
    }
    true
}

/// A statement as checkov's IAM checks see it.
fn view(s: &Statement) -> checkov::Statement<'_> {
    checkov::Statement {
        allow: s.effect == Effect::Allow,
        actions: &s.actions,
        star_resource: s.resources.iter().any(Text::is_star),
        conditioned: !s.conditions.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arn::{Env, Partition};
    use crate::error::Error;
    use crate::model::Model;
    use std::path::Path;

    fn model(text: &str) -> Result<Model, Error> {
        crate::model::build(&crate::spec::parse(Path::new("t.yaml"), text)?)
    }

    #[test]
    fn only_unavoidable_wildcards_are_acknowledged() {
        let m = model(
            "version: 1\nname: w\nexecution_role:\n  ecr: {repositories: [web], public: true}\n  logs: {groups: [/ecs/w]}\n",
        )
        .unwrap();
        let acks = &of(&m.roles[1]);
        let ids: Vec<&str> = acks.cdk_nag.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "AwsSolutions-IAM5[Resource::*]",
                "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/ecs/w:*]"
            ]
        );
        assert!(acks.cdk_nag[0].reason.starts_with(
            "ecr-public:GetAuthorizationToken, ecr:GetAuthorizationToken and sts:GetServiceBearerToken have no resource-level permissions"
        ));
        assert_eq!(acks.checkov[0].id, "CKV_AWS_107");
        assert_eq!(acks.cfn_nag[0].id, "W11");
        // The task role has no grants, so nothing to acknowledge.
        assert!(of(&m.roles[0]).cdk_nag.is_empty());

        // A custom statement on "*" is the author's to justify: no role-wide
        // acknowledgement hides it.
        let m = model(
            "version: 1\nname: w\nexecution_role:\n  ecr: {repositories: [web]}\n  statements:\n    - {actions: [\"sqs:SendMessage\"], resources: \"*\"}\n",
        )
        .unwrap();
        let acks = &of(&m.roles[1]);
        assert!(acks.cdk_nag.is_empty() && acks.cfn_nag.is_empty() && acks.checkov.is_empty());
    }

    #[test]
    fn acknowledged_statements_are_acknowledged_for_every_scanner() {
        let m = model(
            "version: 1\nname: w\ntask_role:\n  statements:\n    - {actions: [\"sqs:SendMessage\", \"sqs:Receive*\"], resources: \"*\", acknowledge: per tenant}\n    - {actions: [\"s3:*\"], resources: \"arn:<partition>:s3:::b/*\", acknowledge: staging}\n",
        )
        .unwrap();
        let acks = &of(&m.roles[0]);
        let ids = |list: &[Acknowledgement]| -> Vec<String> {
            list.iter()
                .map(|a| format!("{} {}", a.id, a.reason))
                .collect()
        };
        assert_eq!(ids(&acks.cfn_nag), ["W11 per tenant", "F3 staging"]);
        assert_eq!(
            ids(&acks.cdk_nag),
            [
                "AwsSolutions-IAM5[Action::sqs:Receive*] per tenant",
                "AwsSolutions-IAM5[Resource::*] per tenant",
                "AwsSolutions-IAM5[Action::s3:*] staging",
                "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::b/*] staging",
            ]
        );
        // Writes on "*" (CKV_AWS_111); restrictable actions on "*" (356,
        // Terraform only). s3:* on a named bucket raises nothing in checkov.
        assert_eq!(ids(&acks.checkov), ["CKV_AWS_111 per tenant"]);
        assert_eq!(
            ids(&acks.checkov_terraform),
            ["CKV_AWS_111 per tenant", "CKV_AWS_356 per tenant"]
        );

        // A finding an unacknowledged statement shares stays.
        let m = model(
            "version: 1\nname: w\ntask_role:\n  statements:\n    - {actions: [\"sqs:SendMessage\"], resources: \"*\", acknowledge: per tenant}\n    - {actions: [\"sns:Publish\"], resources: \"*\"}\n",
        )
        .unwrap();
        let acks = &of(&m.roles[0]);
        assert!(acks.cfn_nag.is_empty() && acks.cdk_nag.is_empty());
        assert!(acks.checkov.is_empty() && acks.checkov_terraform.is_empty());
    }

    /// The ids cdk-nag 3.0.2 reported for these resources, taken from its
    /// validation report (aws-cdk-lib 2.276, `conformance/cdk_synth.js`).
    #[test]
    fn cdk_nag_ids_follow_the_cdk_json_form() {
        let env = |partition: Option<Partition>| Env {
            partition,
            region: None,
            account: None,
            inputs: Vec::new(),
        };
        let symbolic = env(None)
            .expand("arn:<partition>:s3:::b/${aws:username}/$${x}/%{y}/*")
            .unwrap();
        assert_eq!(
            cdk_nag_form(&symbolic),
            "arn:<AWS::Partition>:s3:::b/<!aws:username>/$<!x>/%{y>/*"
        );
        let plain = env(Some(Partition::Aws))
            .expand("arn:aws:s3:::b/${aws:username}/${AWS::Region}/*")
            .unwrap();
        assert_eq!(
            cdk_nag_form(&plain),
            "arn:aws:s3:::b/<aws:username>/${AWS::Region>/*"
        );
    }

    #[test]
    fn ids_aws_cdk_lib_refuses_are_not_acknowledgeable() {
        for ok in [
            "AwsSolutions-IAM5[Resource::*]",
            "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::b/<!x>/(a)[b]/*]",
            "AwsSolutions-IAM5[Resource::arn:aws:s3:::b/[open/*]",
            "AwsSolutions-IAM5[Action::s3:Get*]",
        ] {
            assert!(acknowledgeable(ok), "{ok}");
        }
        for refused in [
            // Mismatched closing brace ']': a `{` that `}` no longer closes.
            "AwsSolutions-IAM5[Resource::arn:aws:s3:::b/%{y>/*]",
            "AwsSolutions-IAM5[Resource::arn:aws:s3:::b/(open/*]",
            // Unmatched closing brace.
            "AwsSolutions-IAM5[Resource::arn:aws:s3:::b/a]/*]",
            // Recorded as `my-reports`, reported as `my reports`.
            "AwsSolutions-IAM5[Resource::arn:aws:s3:::b/my reports/*]",
            // `::` outside brackets: a plugin prefix.
            "AwsSolutions-IAM5[Resource::arn:aws:s3:::b/a]::[*]",
        ] {
            assert!(!acknowledgeable(refused), "{refused}");
        }
    }
}
