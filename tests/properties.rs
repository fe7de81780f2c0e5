//! Properties over generated valid specs: the three formats parse and agree,
//! rendering is deterministic, a rendering compared with itself shows no
//! change, and adding a grant is broadening while removing it is narrowing.

mod common;

use std::path::Path;

use common::{from_cdk, from_cloudformation, from_terraform, parse_all_hcl};
use ecs_iam::grant_diff;
use ecs_iam::render::{Files, Templates};
use proptest::prelude::*;
use serde_json::{Value, json};

fn name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9]{1,12}"
}

fn bucket() -> impl Strategy<Value = Value> {
    (
        "[a-z][a-z0-9-]{2,20}[a-z0-9]",
        proptest::option::of("[a-z]{1,6}/"),
        proptest::sample::subsequence(vec!["list", "read", "write", "delete", "acl"], 1..=5),
    )
        .prop_map(|(bucket, prefix, access)| {
            let mut b = json!({"bucket": bucket, "access": access});
            if let Some(p) = prefix {
                b["prefix"] = json!(p);
            }
            b
        })
}

fn key_id() -> impl Strategy<Value = String> {
    "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
}

fn statement() -> impl Strategy<Value = Value> {
    (
        proptest::sample::subsequence(
            vec![
                "sqs:SendMessage",
                "sqs:ReceiveMessage",
                "sns:Publish",
                "dynamodb:GetItem",
                "s3:GetObject",
            ],
            1..=3,
        ),
        prop_oneof![
            Just("arn:<partition>:sqs:<region>:<account_id>:jobs".to_owned()),
            Just("arn:<partition>:s3:::home/${aws:PrincipalTag/team}/profile.json".to_owned()),
            "[a-z]{1,10}"
                .prop_map(|t| format!("arn:<partition>:dynamodb:<region>:<account_id>:table/{t}")),
        ],
        proptest::option::of("[a-z0-9-]{1,12}"),
    )
        .prop_map(|(actions, resource, vpce)| {
            let mut s = json!({"actions": actions, "resources": [resource]});
            if let Some(v) = vpce {
                s["conditions"] = json!({"StringEquals": {"aws:SourceVpce": format!("vpce-{v}")}});
            }
            s
        })
}

prop_compose! {
    fn spec()(
        name in name(),
        pinned in proptest::option::of(prop_oneof![
            Just(("aws", "eu-west-1")), Just(("aws-cn", "cn-north-1")), Just(("aws-us-gov", "us-gov-west-1"))
        ]),
        account in "[0-9]{12}",
        tags in proptest::collection::btree_map("[a-z]{1,8}", "[a-z0-9 ]{0,10}", 0..3),
        list in any::<bool>(),
        read in proptest::collection::vec("[a-z][a-z0-9/_]{0,15}", 0..3),
        task_keys in proptest::collection::vec(key_id(), 0..2),
        buckets in proptest::collection::vec(bucket(), 0..3),
        task_statements in proptest::collection::vec(statement(), 0..2),
        repos in proptest::collection::vec("[a-z][a-z0-9/_-]{1,12}", 0..3),
        public in any::<bool>(),
        vpce in proptest::option::of("[0-9a-f]{17}"),
        groups in proptest::collection::vec("/ecs/[a-z]{1,10}", 0..2),
        create_group in any::<bool>(),
        secrets in proptest::collection::vec("[a-z][a-z0-9/_]{0,15}", 0..3),
        parameters in proptest::collection::vec("/[a-z]{1,8}/[a-z]{1,8}", 0..3),
        keys in proptest::collection::vec(key_id(), 0..2),
        ec2 in any::<bool>(),
        session in proptest::option::of(3600u64..=43200),
    ) -> Value {
        let mut spec = json!({
            "version": 1,
            "name": name,
            "tags": tags,
            "task_role": {
                "secrets": {"list": list, "read": read},
                "kms_keys": task_keys,
                "s3": buckets,
                "statements": task_statements,
            },
            "execution_role": {
                "ecr": {"repositories": repos, "public": public},
                "logs": {"groups": groups, "create_group": create_group && !groups.is_empty()},
                "secrets": secrets,
                "ssm_parameters": parameters,
                "kms_keys": if secrets.is_empty() && parameters.is_empty() { Vec::new() } else { keys },
            },
        });
        if let Some((partition, region)) = pinned {
            spec["deployment"] = json!({"partition": partition, "region": region, "account_id": account});
        }
        if let (Some(v), false) = (vpce, repos.is_empty()) {
            spec["execution_role"]["ecr"]["source_vpce"] = json!(format!("vpce-{v}"));
        }
        if ec2 {
            spec["task_role"]["trust"] = json!({"services": ["ecs-tasks.amazonaws.com", "ec2.amazonaws.com"]});
        }
        if let Some(s) = session {
            spec["task_role"]["max_session_duration"] = json!(s);
        }
        spec
    }
}

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
        prop_assert_eq!(&cfn, &from_terraform(&files["terraform/main.tf"]));
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
