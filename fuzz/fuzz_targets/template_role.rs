//! CloudFormation template bytes (YAML or JSON), as `init --from-role` and
//! `drift --deployed` read them → the reading layer's checks (alias
//! budget, depth) → the template's roles → the spec `init --from-role`
//! writes for each, which is read back as a spec. A panic, an amplifying
//! input (RSS limit) or a slow one (per-input timeout) is a finding.
#![no_main]

use std::path::Path;

use ecs_iam::adopt::Adopting;
use ecs_iam::model::RoleKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for name in ["template.yaml", "template.json"] {
        let Ok(deployed) = ecs_iam::deployed::checked(Path::new(name), text.to_owned()) else {
            continue;
        };
        let roles = &deployed.roles;
        for role in (0..roles.len().min(4)).filter_map(|i| roles.get(i).ok()) {
            let spec = ecs_iam::adopt::spec(&[Adopting {
                kind: RoleKind::Task,
                role,
                label: format!("{name}#{}", role.role.name),
            }]);
            let _ = ecs_iam::spec::parse(Path::new("spec.yaml"), &spec);
        }
    }
});
