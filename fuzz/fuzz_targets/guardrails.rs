//! Guardrails file bytes → the reading layer's checks → rules → checked
//! against a spec's roles. A panic, an amplifying input (RSS limit) or a
//! slow one (per-input timeout) is a finding.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use ecs_iam::model::Model;
use ecs_iam::spec::Source;
use libfuzzer_sys::fuzz_target;

/// An example with secrets, VPC endpoints and logs for the rules to judge.
const SPEC: &str = include_str!("../../examples/ecs-secrets-vpce.yaml");

fn spec() -> &'static (Source, Model) {
    static S: OnceLock<(Source, Model)> = OnceLock::new();
    S.get_or_init(|| {
        let source =
            ecs_iam::spec::parse(Path::new("spec.yaml"), SPEC).expect("the fuzz spec parses");
        let model = ecs_iam::model::build(&source).expect("the fuzz spec builds");
        (source, model)
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(guardrails) = ecs_iam::guardrails::parse(Path::new("guardrails.yaml"), text) else {
        return;
    };
    let (source, model) = spec();
    for v in guardrails.check(source, model) {
        let _ = v.to_string();
    }
});
