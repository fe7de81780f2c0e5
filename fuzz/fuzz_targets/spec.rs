//! Spec bytes → parse → render → re-parse of every output. Whatever parses
//! must render into files that parse again; everything else must be a clean
//! error. A panic anywhere is a finding.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use ecs_iam::render::Templates;
use libfuzzer_sys::fuzz_target;

fn templates() -> &'static Templates {
    static T: OnceLock<Templates> = OnceLock::new();
    T.get_or_init(|| Templates::embedded().expect("built-in templates"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for name in ["fuzz.yaml", "fuzz.json"] {
        let path = Path::new(name);
        let Ok(source) = ecs_iam::spec::parse(path, text) else {
            continue;
        };
        let Ok(model) = ecs_iam::model::build(&source) else {
            continue;
        };
        let files = ecs_iam::render::render(&model, templates()).expect("a valid model renders");
        for (file, content) in &files {
            if file.ends_with(".tf") {
                hcl::parse(content).unwrap_or_else(|e| panic!("{file}: {e}"));
            } else if file.ends_with(".json") {
                serde_json::from_str::<serde_json::Value>(content)
                    .unwrap_or_else(|e| panic!("{file}: {e}"));
            } else if file.ends_with(".yaml") {
                serde_yaml::from_str::<serde_yaml::Value>(content)
                    .unwrap_or_else(|e| panic!("{file}: {e}"));
                // And ecs-iam reads its own template back.
                ecs_iam::render::readback::parse(Path::new(file), content)
                    .unwrap_or_else(|e| panic!("{file}: {e}"));
            }
        }
    }
});
