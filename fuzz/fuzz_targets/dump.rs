//! Dump bytes (what `aws iam get-account-authorization-details` prints) →
//! the reading layer's checks → deployed roles → `drift` against a spec, in
//! every report format. Whatever reads must compare without a panic;
//! everything else must be a clean error. Run with an RSS limit and a
//! per-input timeout (tests/fuzz.rs), an amplifying or slow input is a
//! finding too.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

/// The example the dump seeds were written for (`ecs-basic-task`).
const SPEC: &str = include_str!("../../examples/ecs-basic.yaml");

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(deployed) = ecs_iam::deployed::checked(Path::new("dump.json"), text.to_owned()) else {
        return;
    };
    let source = ecs_iam::spec::parse(Path::new("spec.yaml"), SPEC).expect("the fuzz spec parses");
    let model = ecs_iam::model::build(&source).expect("the fuzz spec builds");
    // A role the spec asks for that cannot be read is a clean error.
    let Ok(report) = ecs_iam::drift::drift(&[(source, model)], &[deployed]) else {
        return;
    };
    let _ = report.text();
    let _ = report.markdown();
    serde_json::from_str::<serde_json::Value>(&report.json()).expect("drift's JSON parses");
    let _ = report.sarif();
});
