//! Spec bytes → parse → model → render → the check `render` makes before
//! writing: every output parses again, and the roles read back from
//! `cloudformation.yaml` and the CDK files are the model's, grant by grant.
//! Whatever loads and builds must pass it; everything else must be a clean
//! error. A panic anywhere is a finding.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use ecs_iam::render::{Templates, selfcheck};
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
        selfcheck::check(path, &model, &files, templates()).unwrap_or_else(|e| panic!("{e}"));
    }
});
