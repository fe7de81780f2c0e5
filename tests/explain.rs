//! `ecs-iam explain` against goldens: the table and the JSON of every
//! example, of the literal-ARN case, whose pasted ARNs show as written,
//! and of the GuardDuty agent case (`tests/explain/`; `ECS_IAM_BLESS=1`
//! regenerates them).

mod common;

use std::fs;

use common::Test;

#[test]
fn explain_matches_its_goldens() {
    let bless = std::env::var_os("ECS_IAM_BLESS").is_some();
    let mut failures = Vec::new();
    for (example, spec) in [
        ("ecs-basic", "examples/ecs-basic.yaml"),
        ("ecs-observability", "examples/ecs-observability.yaml"),
        ("ecs-secrets-vpce", "examples/ecs-secrets-vpce.yaml"),
        ("matillion-agent", "examples/matillion-agent.yaml"),
        ("literal-arns", "tests/golden/literal-arns/spec.yaml"),
        ("guardduty-agent", "tests/golden/guardduty-agent/spec.yaml"),
    ] {
        for (format, ext) in [("text", "txt"), ("json", "json")] {
            let actual = Test::new()
                .copy(spec)
                .args(["explain", spec, "--format", format])
                .run()
                .stdout;
            let path = common::root().join(format!("tests/explain/{example}.{ext}"));
            if bless {
                fs::create_dir_all(path.parent().unwrap()).unwrap();
                fs::write(&path, &actual).unwrap();
            } else if fs::read_to_string(&path).ok().as_deref() != Some(actual.as_str()) {
                failures.push(format!("{}:\n{actual}", path.display()));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "explain differs from the goldens (ECS_IAM_BLESS=1 regenerates):\n{}",
        failures.join("\n")
    );
}
