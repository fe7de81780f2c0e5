//! What `cargo package` ships: what building and running ecs-iam needs, its
//! licences and the third-party notices; none of the tests' data.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `cargo package --list`: reads the manifest and the file tree only, no
/// build and no registry.
fn packaged() -> Vec<String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(["package", "--list", "--locked", "--allow-dirty"])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Every file an `include_str!` or `include_bytes!` under `src/` names,
/// relative to the package root.
fn embedded(dir: &Path, found: &mut Vec<String>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            embedded(&path, found);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = fs::read_to_string(&path).unwrap();
        for macro_call in ["include_str!(", "include_bytes!("] {
            for (at, _) in text.match_indices(macro_call) {
                let rest = text[at + macro_call.len()..].trim_start();
                let Some(literal) = rest.strip_prefix('"') else {
                    continue;
                };
                let name = &literal[..literal.find('"').unwrap()];
                let file = path.parent().unwrap().join(name);
                let file = fs::canonicalize(&file)
                    .unwrap_or_else(|e| panic!("{}: {name}: {e}", path.display()));
                let relative = file
                    .strip_prefix(fs::canonicalize(root()).unwrap())
                    .unwrap();
                found.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
}

#[test]
fn the_package_holds_what_builds_and_the_notices_and_no_test_data() {
    let files = packaged();
    let mut needed: Vec<String> = [
        "Cargo.toml",
        "Cargo.lock",
        "README.md",
        "LICENSE-MIT",
        "LICENSE-APACHE",
        "THIRD-PARTY-NOTICES.md",
        "src/main.rs",
        "src/lib.rs",
    ]
    .map(str::to_owned)
    .to_vec();
    embedded(&root().join("src"), &mut needed);
    // The data, the templates and the presets at least.
    assert!(needed.len() > 8 + 10, "{needed:?}");
    for file in &needed {
        assert!(files.contains(file), "`{file}` is not in the package");
    }
    let left_out = [
        "tests/",
        "outputs/",
        "fuzz/",
        "conformance/",
        "benches/",
        "bench/",
        ".ci/",
    ];
    for file in &files {
        assert!(
            !left_out.iter().any(|dir| file.starts_with(dir)),
            "`{file}` is in the package"
        );
    }
}
