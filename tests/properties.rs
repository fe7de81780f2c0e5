//! Properties over generated valid specs: the three formats parse and agree,
//! rendering is deterministic, a rendering compared with itself shows no
//! change, and adding a grant is broadening while removing it is narrowing.

mod common;

use std::path::Path;

use common::specs::spec;
use common::{from_cdk, from_cloudformation, from_terraform, parse_all_hcl};
use ecs_iam::grant_diff;
use ecs_iam::render::{Files, Templates};
use proptest::prelude::*;
use serde_json::{Value, json};

fn render(spec: &Value) -> (ecs_iam::model::Model, Files) {
    let path = Path::new("prop.yaml");
    let text = serde_yaml::to_string(spec).unwrap();
    let source = ecs_iam::spec::parse(path, &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let model = ecs_iam::model::build(&source).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let files = ecs_iam::render::render(&model, &Templates::embedded().unwrap()).unwrap();
    (model, files)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn formats_parse_and_agree_and_render_is_deterministic(spec in spec()) {
        let (_, files) = render(&spec);
        parse_all_hcl(&files);
        let cfn = from_cloudformation(&files["cloudformation.yaml"]);
        prop_assert_eq!(&cfn, &from_cdk(&files));
        prop_assert_eq!(&cfn, &from_terraform(&files));
        let (_, again) = render(&spec);
        prop_assert_eq!(files, again);
    }

    #[test]
    fn a_rendering_compared_with_itself_shows_nothing(spec in spec()) {
        let (model, files) = render(&spec);
        prop_assert!(ecs_iam::file_diff::compare(&files, &files).in_sync());
        let back = ecs_iam::render::readback::parse(Path::new("cloudformation.yaml"), &files["cloudformation.yaml"]).unwrap();
        let changes = grant_diff::compare(&back, &model.roles);
        prop_assert!(changes.iter().all(|r| r.changes.is_empty()), "{:?}", changes);
    }

    #[test]
    fn adding_a_grant_broadens_and_removing_it_narrows(spec in spec(), kind in 0usize..5, extra in "[a-z]{3,10}") {
        let mut wider = spec.clone();
        match kind {
            0 => wider["task_role"]["secrets"]["read"].as_array_mut().unwrap().push(json!(format!("added/{extra}"))),
            1 => wider["task_role"]["s3"].as_array_mut().unwrap().push(json!({"bucket": format!("added-{extra}")})),
            2 => wider["execution_role"]["ssm_parameters"].as_array_mut().unwrap().push(json!(format!("/added/{extra}"))),
            3 => wider["execution_role"]["secrets"].as_array_mut().unwrap().push(json!(format!("added/{extra}"))),
            _ => wider["task_role"]["statements"].as_array_mut().unwrap().push(json!({
                "actions": ["sqs:DeleteMessage"],
                "resources": [format!("arn:<partition>:sqs:<region>:<account_id>:{extra}")],
            })),
        }
        let (narrow_model, _) = render(&spec);
        let (wide_model, _) = render(&wider);
        let up = grant_diff::summarize(&grant_diff::compare(&narrow_model.roles, &wide_model.roles));
        prop_assert!(up.broadening > 0, "adding kind {} was not broadening: {:?}", kind, up);
        prop_assert_eq!(up.narrowing, 0);
        let down = grant_diff::summarize(&grant_diff::compare(&wide_model.roles, &narrow_model.roles));
        prop_assert!(down.narrowing > 0, "removing kind {} was not narrowing: {:?}", kind, down);
        prop_assert_eq!(down.broadening, 0);
    }
}

/// A request for a grant's resource: its wildcards filled, its deploy-time
/// values left as the roles' policies spell them.
fn call_on(resource: &str) -> String {
    resource.replace(['*', '?'], "x")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// `usage --suggest` never takes away what a recorded call used: each
    /// grant a generated call matches is `used`, every other `unused` (as
    /// much as the evidence can leave removable), and every call the
    /// original roles allow, the narrowed roles allow too. The narrowed
    /// spec is never refused by its own check.
    #[test]
    fn suggest_keeps_every_recorded_call(
        spec in spec(),
        json_text in any::<bool>(),
        picks in proptest::collection::vec(any::<bool>(), 64),
    ) {
        use ecs_iam::evaluate::{Request, decide, role_policies, action_matches, resource_matches};
        let (path, text) = if json_text {
            (Path::new("prop.json"), serde_json::to_string_pretty(&spec).unwrap())
        } else {
            (Path::new("prop.yaml"), serde_yaml::to_string(&spec).unwrap())
        };
        let source = ecs_iam::spec::parse(path, &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let model = ecs_iam::model::build(&source).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let specs = vec![(source, model)];
        let usage = ecs_iam::usage::Usage::new(&specs, ecs_iam::usage::Window::default());
        let mut report = usage.report(Vec::new(), None, &[]);
        // The calls: one on each picked grant's resource.
        let calls: Vec<(&'static str, Request)> = report
            .entries
            .iter()
            .zip(picks.iter().cycle())
            .filter(|(_, pick)| **pick)
            .map(|(e, _)| (e.role, Request {
                action: e.action.clone(),
                resource: call_on(&e.resource),
                context: std::collections::BTreeMap::new(),
            }))
            .collect();
        for e in &mut report.entries {
            let used = calls.iter().any(|(role, c)| {
                *role == e.role && action_matches(&e.action, &c.action) && resource_matches(&e.resource, &c.resource)
            });
            e.status = if used { ecs_iam::usage::Status::Used } else { ecs_iam::usage::Status::Unused };
        }
        let narrowed = ecs_iam::usage::suggest::narrowed(&specs, std::slice::from_ref(&text), &report);
        prop_assert_eq!(narrowed.len(), 1);
        let n = &narrowed[0];
        prop_assert!(n.check.is_ok(), "{:?}\n{}", n.check, text);
        let after = ecs_iam::spec::parse(path, &n.narrowed).unwrap_or_else(|e| panic!("{e}\n{}", n.narrowed));
        let after = ecs_iam::model::build(&after).unwrap_or_else(|e| panic!("{e}\n{}", n.narrowed));
        for role in &specs[0].1.roles {
            let before = role_policies(role);
            let narrowed_role = after.roles.iter().find(|r| r.kind == role.kind).expect("the role stays");
            let kept = role_policies(narrowed_role);
            for (kind, call) in &calls {
                if *kind != role.kind.key() || !decide(&before.statements, None, call).is_allowed() {
                    continue;
                }
                prop_assert!(
                    decide(&kept.statements, None, call).is_allowed(),
                    "{} {} on {} no longer allowed\n{}\n{}",
                    kind, call.action, call.resource, text, n.diff()
                );
            }
        }
    }
}

/// The spec with `count` more custom statements on the task role, each on
/// its own queue, and the grants they add.
fn with_queues(spec: &Value, count: usize, tag: &str) -> (Value, Vec<grant_diff::Grant>) {
    let mut wide = spec.clone();
    let mut grants = Vec::new();
    for i in 0..count {
        let queue =
            format!("arn:<partition>:sqs:<region>:<account_id>:split-{tag}-queue-number-{i:03}");
        wide["task_role"]["statements"]
            .as_array_mut()
            .unwrap()
            .push(json!({
                "sid": format!("Queue{tag}{i:03}"),
                "actions": ["sqs:DeleteMessage", "sqs:ReceiveMessage", "sqs:SendMessage"],
                "resources": [queue],
            }));
        // A pinned deployment writes its values literally.
        let mut resolved = queue.clone();
        for (placeholder, key) in [
            ("<partition>", "partition"),
            ("<region>", "region"),
            ("<account_id>", "account_id"),
        ] {
            if let Some(v) = spec["deployment"][key].as_str() {
                resolved = resolved.replace(placeholder, v);
            }
        }
        for action in ["sqs:DeleteMessage", "sqs:ReceiveMessage", "sqs:SendMessage"] {
            grants.push(grant_diff::Grant {
                effect: ecs_iam::spec::Effect::Allow,
                action: action.to_owned(),
                resource: resolved.clone(),
                conditions: std::collections::BTreeSet::new(),
            });
        }
    }
    (wide, grants)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// A role too large for one inline policy, split: it grants exactly
    /// what its statements grant (the spec without the extra statements,
    /// plus theirs), in the model and as each format reads back; every
    /// policy stays within its limit; and comparing it with the same role
    /// unsplit shows nothing but statements moving.
    #[test]
    fn a_split_role_grants_what_the_unsplit_role_would(spec in spec(), count in 70usize..150, tag in "[A-Z][a-z]{2,6}") {
        let (base, _) = render(&spec);
        let (mut wide, extra) = with_queues(&spec, count, &tag);
        let text = serde_yaml::to_string(&wide).unwrap();
        let refused = ecs_iam::model::build(&ecs_iam::spec::parse(Path::new("prop.yaml"), &text).unwrap());
        prop_assert!(refused.is_err(), "{count} statements fit inline: the case tests nothing");
        wide["task_role"]["policy_layout"] = json!("split");
        let (model, files) = render(&wide);
        let role = &model.roles[0];
        prop_assert!(!role.created_policies.is_empty());
        prop_assert!(ecs_iam::model::policy_size(role) <= ecs_iam::model::MAX_INLINE_POLICY);
        for p in &role.created_policies {
            prop_assert!(ecs_iam::model::document_size(&p.statements) <= ecs_iam::model::MAX_MANAGED_POLICY);
        }
        let mut expected = grant_diff::permission_grants(&base.roles[0]);
        expected.extend(extra);
        expected.sort();
        expected.dedup();
        let same = |grants: &[grant_diff::Grant]| {
            let missing = expected.iter().find(|g| !grants.contains(g));
            let more = grants.iter().find(|g| !expected.contains(g));
            (missing.is_none() && more.is_none()).then_some(()).ok_or(format!("missing {missing:?}, more {more:?}"))
        };
        prop_assert!(same(&grant_diff::permission_grants(role)).is_ok(), "{:?}", same(&grant_diff::permission_grants(role)));
        let back = ecs_iam::render::readback::parse(Path::new("cloudformation.yaml"), &files["cloudformation.yaml"]).unwrap();
        prop_assert!(same(&grant_diff::permission_grants(&back[0])).is_ok(), "{:?}", same(&grant_diff::permission_grants(&back[0])));
        let cfn = from_cloudformation(&files["cloudformation.yaml"]);
        prop_assert_eq!(&cfn, &from_cdk(&files));
        prop_assert_eq!(&cfn, &from_terraform(&files));

        // The same statements in one inline policy: only moves differ.
        let mut unsplit = role.clone();
        let all: Vec<_> = role.permission_statements().cloned().collect();
        unsplit.policy.as_mut().unwrap().statements = all;
        unsplit.created_policies.clear();
        let changes = grant_diff::compare(std::slice::from_ref(&unsplit), std::slice::from_ref(role));
        let moved = changes[0].changes.iter().filter(|c| c.item.to_string().contains(" moved from policy ")).count();
        prop_assert!(changes[0].changes.iter().all(|c| c.class == grant_diff::Class::Neutral), "{:?}", changes);
        prop_assert_eq!(moved, role.created_policies.iter().map(|p| p.statements.len()).sum::<usize>());
    }
}

/// The golden split role with one bucket added before the others: `diff`
/// reads both renderings back, reports the new bucket's grants as
/// broadening and the statements it pushed out of the inline policy as
/// neutral moves, and nothing else about access.
#[test]
fn a_statement_moving_between_a_roles_policies_is_neutral() {
    let text =
        std::fs::read_to_string(common::root().join("tests/golden/split-task-role/spec.yaml"))
            .unwrap();
    let wider = text.replacen(
        "  s3:\n",
        "  s3:\n    - bucket: orders-aaa-new\n      prefix: batch/\n      access: [list, read, write]\n",
        1,
    );
    let read_back = |text: &str| {
        let source = ecs_iam::spec::parse(Path::new("spec.yaml"), text).unwrap();
        let model = ecs_iam::model::build(&source).unwrap();
        let files = ecs_iam::render::render(&model, &Templates::embedded().unwrap()).unwrap();
        ecs_iam::render::readback::parse(
            Path::new("cloudformation.yaml"),
            &files["cloudformation.yaml"],
        )
        .unwrap()
    };
    let changes = grant_diff::compare(&read_back(&text), &read_back(&wider));
    let task = &changes[0].changes;
    let moved: Vec<String> = task
        .iter()
        .map(|c| c.item.to_string())
        .filter(|s| s.contains(" moved from policy "))
        .collect();
    assert!(!moved.is_empty(), "{task:?}");
    assert!(
        task.iter()
            .filter(|c| c.item.to_string().contains(" moved from policy "))
            .all(|c| c.class == grant_diff::Class::Neutral)
    );
    let access: Vec<String> = task
        .iter()
        .filter(|c| c.class != grant_diff::Class::Neutral)
        .map(|c| c.item.to_string())
        .collect();
    assert_eq!(access.len(), 4, "{access:?}");
    assert!(
        access.iter().all(|a| a.contains("orders-aaa-new")),
        "{access:?}"
    );
    assert!(changes[1].changes.is_empty());
}
