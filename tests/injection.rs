//! Values that break naive templating come out intact: each format is parsed
//! back with its own parser and compared with the spec's raw values.

mod common;

use std::collections::BTreeSet;

use common::{Roles, from_cdk, from_cloudformation, from_terraform, root};
use ecs_iam::render::Templates;

#[test]
fn hostile_values_survive_in_every_format() {
    let spec_path = root().join("tests/golden/injection/spec.yaml");
    let raw: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(&spec_path).unwrap()).unwrap();
    let (_, files) = ecs_iam::render_spec(&spec_path, &Templates::embedded().unwrap()).unwrap();

    let description = raw["description"].as_str().unwrap();
    assert!(description.contains("${") && description.contains("%{") && description.contains('\n'));
    let statement = &raw["task_role"]["statements"][0];
    let resources: BTreeSet<String> = statement["resources"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_owned())
        .collect();
    let team: BTreeSet<String> = statement["conditions"]["StringLike"]["s3:ExistingObjectTag/team"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let prefix: BTreeSet<String> =
        statement["conditions"]["StringLike"]["s3:ExistingObjectTag/project"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();

    let formats: [(&str, Roles); 3] = [
        (
            "cloudformation",
            from_cloudformation(&files["cloudformation.yaml"]),
        ),
        ("cdk", from_cdk(&files)),
        ("terraform", from_terraform(&files)),
    ];
    for (format, roles) in formats {
        let task = &roles["task"];
        let execution = &roles["execution"];
        assert_eq!(
            task.description.as_deref(),
            Some("!Ref TaskRole"),
            "{format}"
        );
        assert_eq!(
            execution.description.as_deref(),
            Some(format!("ECS task execution role of injection: {description}").as_str()),
            "{format}"
        );
        for (k, v) in raw["tags"].as_mapping().unwrap() {
            assert_eq!(
                task.tags.get(k.as_str().unwrap()).map(String::as_str),
                v.as_str(),
                "{format}"
            );
        }
        let injected = task
            .statements
            .iter()
            .find(|s| s.sid == "Injected")
            .unwrap();
        assert_eq!(injected.resources, resources, "{format}");
        assert_eq!(
            injected.conditions["StringLike"]["s3:ExistingObjectTag/team"], team,
            "{format}"
        );
        assert_eq!(
            injected.conditions["StringLike"]["s3:ExistingObjectTag/project"], prefix,
            "{format}"
        );
        let logs = execution
            .statements
            .iter()
            .find(|s| s.sid == "Logs")
            .unwrap();
        assert_eq!(
            logs.resources.iter().next().unwrap(),
            "arn:<partition>:logs:<region>:<account_id>:log-group:/ecs/injection#1:*",
            "{format}"
        );
    }
}
