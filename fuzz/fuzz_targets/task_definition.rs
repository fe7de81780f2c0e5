//! Task definition bytes → read (as JSON and as YAML) → derive → model →
//! render → verify, and read as `init` reads a template → the spec it writes. Whatever reads must derive, render and verify without a
//! panic; everything else must be a clean error.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use ecs_iam::render::Templates;
use libfuzzer_sys::fuzz_target;

fn templates() -> &'static Templates {
    static T: OnceLock<Templates> = OnceLock::new();
    T.get_or_init(|| Templates::embedded().expect("built-in templates"))
}

const SPEC: &str = "version: 1\nname: fuzz\ntask_definitions: [fuzz]\nexecution_role:\n  ecr:\n    pull_through_cache: [{prefix: docker-hub, create_repository: true}]\n";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for name in ["fuzz.json", "fuzz.yaml"] {
        // As `init` reads a template: every placeholder an input, a whole
        // image an ECR repository input; the spec it writes is parsed.
        let init = ecs_iam::task_definition::Parameters {
            every_parameter: true,
            ..ecs_iam::task_definition::Parameters::default()
        };
        if let Ok(task) = ecs_iam::task_definition::parse(Path::new(name), name, text, None, &init)
            && let Ok(spec) = ecs_iam::task_definition::starter::starter(&task, name, &init)
        {
            let _ = ecs_iam::spec::parse(Path::new("spec.yaml"), &spec);
        }
        let Ok(task) = ecs_iam::task_definition::parse(Path::new(name), name, text, None, &ecs_iam::task_definition::Parameters::default()) else {
            continue;
        };
        let mut source =
            ecs_iam::spec::parse(Path::new("spec.yaml"), SPEC).expect("the fuzz spec parses");
        source.task_definitions = vec![task.clone()];
        let Ok(model) = ecs_iam::model::build(&source) else {
            continue;
        };
        ecs_iam::render::render(&model, templates()).expect("a valid model renders");
        let v = ecs_iam::verify::verify_spec(&source, None).expect("what built a model verifies");
        // Derived roles allow every call their task definition makes.
        assert!(v.missing.is_empty(), "{}", v.text(false));
    }
});
