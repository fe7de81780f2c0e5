//! Crash-safe writes: a batch render killed with SIGKILL at staggered points
//! leaves every output folder wholly old or wholly new, and a failed write
//! leaves the previous output untouched.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::Test;
use ecs_iam::render::{Files, Templates};

const SPECS: usize = 60;

/// Write the batch's specs at `version`; return each folder's expected files.
fn write_specs(dir: &Path, version: usize) -> BTreeMap<String, Files> {
    let templates = Templates::embedded().unwrap();
    fs::create_dir_all(dir.join("specs")).unwrap();
    let mut expected = BTreeMap::new();
    for i in 0..SPECS {
        let name = format!("w{i:02}");
        let path = dir.join("specs").join(format!("{name}.yaml"));
        fs::write(
            &path,
            format!(
                "version: 1\nname: {name}\ndescription: version {version}\ntask_role:\n  s3: [{{bucket: stage-{i}}}]\nexecution_role:\n  ecr: {{repositories: [app]}}\n  logs: {{groups: [/ecs/{name}]}}\n"
            ),
        )
        .unwrap();
        let (_, files) = ecs_iam::render_spec(&path, &templates).unwrap();
        expected.insert(name, files);
    }
    expected
}

/// `ecs-iam render specs --out out`, through the portable two-rename swap
/// when `two_renames`.
fn render(dir: &Path, two_renames: bool) -> Test {
    let test = Test::in_dir(dir).args(["render", "specs", "--out", "out"]);
    if two_renames {
        test.env(ecs_iam::files::TWO_RENAMES, "1")
    } else {
        test
    }
}

/// The folder a killed two-rename swap left set aside for `name`, if any.
fn set_aside(dir: &Path, name: &str) -> Option<PathBuf> {
    fs::read_dir(dir.join("out"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(&format!(".{name}.ecs-iam-old-"))
        })
}

#[test]
fn sigkill_leaves_each_folder_wholly_old_or_wholly_new() {
    kill_rounds(false);
}

/// The portable path (two renames, as on Windows and file systems without
/// an exchange), taken on Linux through its switch: a kill between the
/// renames leaves the previous folder set aside, never lost, and the next
/// run puts it back.
#[test]
fn sigkill_during_two_rename_swaps_loses_nothing() {
    kill_rounds(true);
}

fn kill_rounds(two_renames: bool) {
    let dir = Test::new().dir().to_owned();
    let mut versions = vec![write_specs(&dir, 0)];
    render(&dir, two_renames).run();
    let mut killed_midway = 0;
    for version in 1..=16 {
        versions.push(write_specs(&dir, version));
        let mut child = render(&dir, two_renames).command().spawn().unwrap();
        // Staggered: early (parsing), middle (staging), late (swapping).
        std::thread::sleep(Duration::from_micros((version as u64 * 4_700) % 60_000));
        let _ = child.kill();
        let status = child.wait().unwrap();
        if !status.success() {
            killed_midway += 1;
        }
        for i in 0..SPECS {
            let name = format!("w{i:02}");
            let mut folder = dir.join("out").join(&name);
            if !folder.is_dir() && two_renames {
                folder = set_aside(&dir, &name)
                    .unwrap_or_else(|| panic!("{name} is lost after a kill in round {version}"));
            }
            assert!(
                folder.is_dir(),
                "{name} vanished after a kill in round {version}"
            );
            let on_disk = common::read_folder(&folder);
            assert!(
                versions.iter().any(|v| v[&name] == on_disk),
                "{name} is neither an old nor the new rendering after a kill in round {version}"
            );
        }
    }
    assert!(
        killed_midway > 0,
        "no run was interrupted; the test proved nothing"
    );
    // A complete run afterwards lands the last version everywhere and
    // leaves no staging folder behind.
    render(&dir, two_renames).run();
    let last = versions.last().unwrap();
    for (name, files) in last {
        assert_eq!(&common::read_folder(&dir.join("out").join(name)), files);
    }
    let leftovers: Vec<_> = fs::read_dir(dir.join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_failed_write_leaves_the_previous_output() {
    let dir = Test::new().dir().to_owned();
    write_specs(&dir, 0);
    render(&dir, false).run();
    let before = common::read_folder(&dir.join("out"));
    write_specs(&dir, 1);

    // A file where a generated folder's subfolder should be.
    let blocker = dir.join("out/w00/terraform");
    fs::remove_dir_all(&blocker).unwrap();
    fs::write(&blocker, "not a folder\n").unwrap();
    render(&dir, false)
        .status(2)
        .stderr("error: `out/w00` holds `terraform`, which ecs-iam does not generate; move it elsewhere or choose another --out\n")
        .run();
    let mut expected = before.clone();
    expected.retain(|k, _| !k.starts_with("w00/terraform/"));
    expected.insert("w00/terraform".to_owned(), "not a folder\n".to_owned());
    assert_eq!(common::read_folder(&dir.join("out")), expected);

    // An output root that is a file.
    // The message ends in the operating system's words for the failure.
    Test::in_dir(&dir)
        .args(["render", "specs/w01.yaml", "--out", "specs/w02.yaml"])
        .status(2)
        .stderr_starts_with("error: cannot write `specs/w02.yaml`: ")
        .run();
    assert!(
        fs::read_to_string(dir.join("specs/w02.yaml"))
            .unwrap()
            .starts_with("version: 1\n")
    );
}
