//! `terraform show -json` bytes (a saved plan or state) → both readers
//! that take them: the deployed roles of `drift --deployed` and `init
//! --from-role`, and the task definitions of `verify` and `init
//! --from-task-definition`. A panic, an amplifying input (RSS limit) or a
//! slow one (per-input timeout) is a finding.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("plan.json");
    if let Ok(deployed) = ecs_iam::deployed::checked(path, text.to_owned()) {
        // Each role read in full, as a command asking for it would.
        let roles = &deployed.roles;
        for r in (0..roles.len()).filter_map(|i| roles.get(i).ok()) {
            let _ = r.partition_and_account();
        }
    }
    let _ = ecs_iam::task_definition::parse(
        path,
        "plan.json",
        text,
        None,
        &ecs_iam::task_definition::Parameters::default(),
    );
});
