//! A spec reads only files inside the folder tree it belongs to: the git
//! work tree holding it, else its own folder. Absolute paths, `..` that
//! climbs out and symbolic links that lead out are refused, all of one spec
//! together, unless `--allow-outside-paths` is given.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::Test;

/// A task definition that needs nothing of the roles.
const TASK: &str = r#"[{"name": "app", "image": "public.ecr.aws/nginx/nginx:1"}]"#;

/// A scratch folder with `outside/orders.json` beside the spec's folder
/// `proj/`, which is in no git work tree, and the canonical path of the
/// scratch folder (messages name the tree by its canonical path).
fn scratch() -> (Test, PathBuf) {
    let t = Test::outside_repository()
        .file("outside/orders.json", TASK)
        .file("proj/inside.json", TASK);
    let root = t.dir().canonicalize().unwrap();
    (t, root)
}

fn spec(entries: &[&str]) -> String {
    let mut s = String::from("version: 1\nname: orders\ntask_definitions:\n");
    for e in entries {
        s.push_str("  - ");
        s.push_str(e);
        s.push('\n');
    }
    s
}

fn absolute(root: &Path) -> String {
    ecs_iam::escape::path(&root.join("outside/orders.json"))
}

/// What each command prints for `proj/spec.yaml` naming one entry that
/// leaves `proj/`, and that the flag lets it read.
fn refused_then_allowed(t: Test, entry: &str, stderr: &str) {
    let dir = t.dir().to_owned();
    let t = t.file("proj/spec.yaml", spec(&[entry]));
    let commands: [&[&str]; 6] = [
        &["render", "proj/spec.yaml"],
        &["render", "proj/spec.yaml", "--context"],
        &["check", "proj/spec.yaml"],
        &["explain", "proj/spec.yaml"],
        &["verify", "proj/spec.yaml"],
        &["diff", "proj/spec.yaml"],
    ];
    drop(t);
    for args in commands {
        Test::in_dir(&dir).args(args).status(2).stderr(stderr).run();
        assert!(!dir.join("outputs").exists(), "{args:?} wrote nothing");
    }
    for args in commands {
        Test::in_dir(&dir)
            .args(args)
            .args(["--allow-outside-paths"])
            .run();
    }
    assert!(dir.join("outputs/orders/cloudformation.yaml").exists());
}

#[test]
fn an_absolute_path_is_refused() {
    let (t, root) = scratch();
    let path = absolute(&root);
    refused_then_allowed(
        t,
        &path,
        &format!(
            "error: proj/spec.yaml:4:5: `task_definitions[0]`: `{path}` is an absolute path, and a spec reads only files inside the spec's folder `{}`; name a file there, relative to the spec's folder, or pass --allow-outside-paths to read it anyway\n",
            ecs_iam::escape::path(&root.join("proj"))
        ),
    );
}

#[test]
fn a_parent_folder_climbing_out_is_refused() {
    let (t, root) = scratch();
    refused_then_allowed(
        t,
        "../outside/orders.json",
        &format!(
            "error: proj/spec.yaml:4:5: `task_definitions[0]`: `..` in `../outside/orders.json` climbs out of the spec's folder `{}`, and a spec reads only files inside it; move the file into the tree, or pass --allow-outside-paths to read it anyway\n",
            ecs_iam::escape::path(&root.join("proj"))
        ),
    );
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_leading_out_is_refused() {
    let (t, root) = scratch();
    std::os::unix::fs::symlink("../outside", t.dir().join("proj/link")).unwrap();
    refused_then_allowed(
        t,
        "link/orders.json",
        &format!(
            "error: proj/spec.yaml:4:5: `task_definitions[0]`: `link/orders.json` leads out of the spec's folder `{}`: `proj/link` is a symbolic link to `{}`, and a spec reads only files inside the tree; copy the file into it, or pass --allow-outside-paths to read it anyway\n",
            ecs_iam::escape::path(&root.join("proj")),
            ecs_iam::escape::path(&root.join("outside"))
        ),
    );
}

#[cfg(unix)]
#[test]
fn paths_inside_the_tree_are_read() {
    // `..` that stays inside and a link to a folder inside are fine.
    let (t, _) = scratch();
    std::os::unix::fs::symlink(".", t.dir().join("proj/here")).unwrap();
    t.file(
        "proj/spec.yaml",
        spec(&["inside.json", "sub/../inside.json", "here/inside.json"]),
    )
    .args(["render", "proj/spec.yaml"])
    .stdout("proj/spec.yaml -> outputs/orders/ (9 files)\n")
    .run();
}

#[cfg(unix)]
#[test]
fn every_entry_outside_is_reported_in_line_order() {
    let (t, root) = scratch();
    std::os::unix::fs::symlink("../outside", t.dir().join("proj/link")).unwrap();
    let proj = root.join("proj");
    let path = absolute(&root);
    t.file(
        "proj/spec.yaml",
        spec(&["inside.json", "link/orders.json", "../outside/orders.json", &path]),
    )
    .args(["check", "proj/spec.yaml"])
    .status(2)
    .stderr(format!(
        "error: proj/spec.yaml:5:5: `task_definitions[1]`: `link/orders.json` leads out of the spec's folder `{p}`: `proj/link` is a symbolic link to `{o}`, and a spec reads only files inside the tree; copy the file into it, or pass --allow-outside-paths to read it anyway
error: proj/spec.yaml:6:5: `task_definitions[2]`: `..` in `../outside/orders.json` climbs out of the spec's folder `{p}`, and a spec reads only files inside it; move the file into the tree, or pass --allow-outside-paths to read it anyway
error: proj/spec.yaml:7:5: `task_definitions[3]`: `{path}` is an absolute path, and a spec reads only files inside the spec's folder `{p}`; name a file there, relative to the spec's folder, or pass --allow-outside-paths to read it anyway
",
        p = ecs_iam::escape::path(&proj),
        o = ecs_iam::escape::path(&root.join("outside")),
    ))
    .run();
}

#[test]
fn a_git_work_tree_is_the_tree() {
    // With `.git` above it, the spec may name files beside its folder.
    let (t, _) = scratch();
    t.file(".git/HEAD", "ref: refs/heads/main\n")
        .file("proj/spec.yaml", spec(&["../outside/orders.json"]))
        .args(["render", "proj/spec.yaml"])
        .stdout("proj/spec.yaml -> outputs/orders/ (9 files)\n")
        .run();
    // A linked work tree's `.git` is a file; climbing above it is refused.
    let (t, root) = scratch();
    t.file("proj/.git", "gitdir: /elsewhere\n")
        .file("proj/specs/spec.yaml", spec(&["../../outside/orders.json"]))
        .args(["explain", "proj/specs/spec.yaml"])
        .status(2)
        .stderr(format!(
            "error: proj/specs/spec.yaml:4:5: `task_definitions[0]`: `..` in `../../outside/orders.json` climbs out of the git work tree `{}`, and a spec reads only files inside it; move the file into the tree, or pass --allow-outside-paths to read it anyway\n",
            ecs_iam::escape::path(&root.join("proj"))
        ))
        .run();
}

#[test]
fn init_writes_no_spec_that_could_not_read_its_task_definition() {
    let (t, root) = scratch();
    let dir = t.dir().to_owned();
    drop(t);
    let init = |extra: &[&str]| {
        Test::in_dir(&dir)
            .args([
                "init",
                "--from-task-definition",
                "outside/orders.json",
                "--output",
                "proj/orders.yaml",
            ])
            .args(extra)
    };
    init(&[])
        .status(2)
        .stderr(format!(
            "error: `proj/orders.yaml` would name the task definition as `../outside/orders.json`, outside the spec's folder `{}`, and a spec reads only files inside its tree; write the spec into the tree that holds the task definition (--output), or pass --allow-outside-paths here and to each command that reads the spec\n",
            ecs_iam::escape::path(&root.join("proj"))
        ))
        .run();
    assert!(!dir.join("proj/orders.yaml").exists());
    init(&["--allow-outside-paths"])
        .stdout("wrote proj/orders.yaml (from task definition `outside/orders.json`); render it with `ecs-iam render proj/orders.yaml`, check it with `ecs-iam verify proj/orders.yaml`\n")
        .run();
    Test::in_dir(&dir)
        .args(["verify", "proj/orders.yaml", "--allow-outside-paths"])
        .stdout_ends_with("proj/orders.yaml: 0 of 0 calls ECS makes to start 1 container of ../outside/orders.json are allowed\n")
        .run();
}

#[test]
fn a_spec_at_a_revision_keeps_to_the_repository() {
    let t = Test::outside_repository()
        .file("orders.json", TASK)
        .file("spec.yaml", spec(&["../orders.json"]));
    let dir = t.dir().to_owned();
    drop(t);
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(&dir)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "base"]);
    // The working tree's spec is fine; the one at `main` climbs out.
    std::fs::write(dir.join("spec.yaml"), spec(&["orders.json"])).unwrap();
    Test::in_dir(&dir)
        .args(["diff", "--base", "main", "spec.yaml"])
        .status(2)
        .stderr("error: main:spec.yaml:4:5: `task_definitions[0]`: `..` in `../orders.json` climbs out of the repository at `main`, and a spec reads only files inside it; move the file into the tree, or pass --allow-outside-paths to read it anyway\n")
        .run();
    // The working tree's side the same way, naming its git work tree.
    git(&["commit", "-q", "-am", "inside"]);
    std::fs::write(dir.join("spec.yaml"), spec(&["/etc/passwd"])).unwrap();
    Test::in_dir(&dir)
        .args(["diff", "--base", "main", "spec.yaml"])
        .status(2)
        .stderr(format!("error: spec.yaml:4:5: `task_definitions[0]`: `/etc/passwd` is an absolute path, and a spec reads only files inside the git work tree `{}`; name a file there, relative to the spec's folder, or pass --allow-outside-paths to read it anyway\n", ecs_iam::escape::path(&dir.canonicalize().unwrap())))
        .run();
    // Allowed, the revision's `..` stops at the repository's root.
    git(&["reset", "-q", "--hard", "HEAD~1"]);
    std::fs::write(dir.join("spec.yaml"), spec(&["orders.json"])).unwrap();
    Test::in_dir(&dir)
        .args([
            "diff",
            "--base",
            "main",
            "spec.yaml",
            "--allow-outside-paths",
            "--fail-on",
            "broadening",
        ])
        .stdout("`main` is in sync with `the working tree`: 1 workload: 0 new, 0 removed, 0 changed, 1 unchanged\n")
        .run();
}
