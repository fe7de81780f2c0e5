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
