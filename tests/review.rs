//! Reviewing a change across workloads, as users run it: folders of
//! workloads, specs against `render --out`, specs at a git revision, the
//! GitHub Action's steps and the pre-commit hooks. Reports are compared with
//! goldens in `tests/review/` (`ECS_IAM_BLESS=1` regenerates them).

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Test, git};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Compare `actual` with `tests/review/<name>`, or write it with
/// `ECS_IAM_BLESS=1`.
fn golden(name: &str, actual: &str) {
    let path = common::root().join("tests/review").join(name);
    if std::env::var_os("ECS_IAM_BLESS").is_some() {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, actual).unwrap();
        return;
    }
    let expected = fs::read_to_string(&path).unwrap_or_default();
    if expected != actual {
        let diff = similar::TextDiff::from_lines(&expected, actual)
            .unified_diff()
            .header("expected", "actual")
            .to_string();
        panic!(
            "{} differs (ECS_IAM_BLESS=1 regenerates):\n{diff}",
            path.display()
        );
    }
}

const API: &str = "version: 1\nname: api\nexecution_role:\n  logs: {groups: [/ecs/api]}\n";
const API_WITH_SECRET: &str = "version: 1\nname: api\nexecution_role:\n  logs: {groups: [/ecs/api]}\n  secrets: [api/token]\n";
const WORKER: &str = "version: 1\nname: worker\ntask_role:\n  secrets: {read: [worker/db]}\n";
const JOBS: &str =
    "version: 1\nname: jobs\ntask_role:\n  s3: [{bucket: jobs-stage, access: [read]}]\n";

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// `base/` and `head/` rendered from two states of `specs/`: `api` gains a
/// secret, `worker` is removed, `jobs` is new.
fn two_trees() -> PathBuf {
    let dir = Test::new()
        .file("specs/api.yaml", API)
        .file("specs/worker.yaml", WORKER)
        .args(["render", "specs", "--out", "base"])
        .run()
        .dir;
    fs::remove_file(dir.join("specs/worker.yaml")).unwrap();
    Test::in_dir(&dir)
        .file("specs/api.yaml", API_WITH_SECRET)
        .file("specs/jobs.yaml", JOBS)
        .args(["render", "specs", "--out", "head"])
        .run();
    dir
}

#[test]
fn folders_of_workloads_are_compared_workload_by_workload() {
    let dir = two_trees();
    let args = ["diff", "--old", "base", "--new", "head"];
    for (format, file) in [
        ("text", "trees.txt"),
        ("markdown", "trees.md"),
        ("json", "trees.json"),
    ] {
        let out = Test::in_dir(&dir)
            .args(args)
            .args(["--format", format])
            .status(1)
            .run();
        golden(file, &out.stdout);
    }
    // One exit code for the whole tree: a secret was added to `api`.
    Test::in_dir(&dir)
        .args(args)
        .args(["--fail-on", "broadening"])
        .status(1)
        .run();
    Test::in_dir(&dir)
        .args(args)
        .args(["--fail-on", "never"])
        .run();
    // The other way round: `jobs` removed narrows, but `worker` comes back,
    // which broadens. The reports before the verdict are in the goldens.
    Test::in_dir(&dir)
        .args([
            "diff",
            "--old",
            "head",
            "--new",
            "base",
            "--fail-on",
            "broadening",
        ])
        .status(1)
        .stdout_ends_with("`head` differs from `base`: 3 workloads: 1 new, 1 removed, 1 changed, 0 unchanged; IAM: 3 broadening, 3 narrowing, 1 neutral\n")
        .run();

    // A base with no output yet: every workload is new (every grant listed
    // before the verdict).
    Test::in_dir(&dir)
        .args(["diff", "--old", "nothing-yet", "--new", "head"])
        .status(1)
        .stdout_ends_with("`nothing-yet` differs from `head`: 2 workloads: 2 new, 0 removed, 0 changed, 0 unchanged; IAM: 9 broadening, 0 narrowing, 0 neutral\n")
        .run();
    // Colour where the terminal takes it: forced here, as CLICOLOR_FORCE
    // does for CI logs; NO_COLOR (set by `Test`) keeps it plain. The plain
    // report is in the goldens; here, one coloured row.
    Test::in_dir(&dir)
        .args(["diff", "--old", "base", "--new", "head"])
        .env_remove("NO_COLOR")
        .env("CLICOLOR_FORCE", "1")
        .status(1)
        .stdout_contains(
            "  + \u{1b}[1m\u{1b}[31mbroadening\u{1b}[0m  Allow secretsmanager:GetSecretValue",
        )
        .run();
    // A tree compared with itself is in sync.
    Test::in_dir(&dir)
        .args(["diff", "--old", "head", "--new", "head"])
        .stdout(
            "`head` is in sync with `head`: 2 workloads: 0 new, 0 removed, 0 changed, 2 unchanged\n",
        )
        .run();
}

#[test]
fn a_folder_without_output_is_an_error_not_a_pass() {
    let dir = two_trees();
    fs::create_dir_all(dir.join("empty-a")).unwrap();
    fs::create_dir_all(dir.join("empty-b/unrelated")).unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "diff",
                "--old",
                "empty-a",
                "--new",
                "empty-b",
                "--fail-on",
                "broadening",
            ],
            "error: `empty-a` holds no generated output: expected `cloudformation.yaml` (a workload folder) or folders holding one (what `ecs-iam render --out empty-a` writes); render into it first, or name the right folder\n",
        ),
        (
            &["diff", "--old", "base", "--new", "empty-b"],
            "error: `empty-b` holds no generated output: expected `cloudformation.yaml` (a workload folder) or folders holding one (what `ecs-iam render --out empty-b` writes); render into it first, or name the right folder\n",
        ),
        (
            &["diff", "--old", "base/api", "--new", "head"],
            "error: `base/api` is one workload's folder but `head` is a folder of workloads; compare a workload folder with a workload folder, or two folders of workloads\n",
        ),
        (
            &["diff", "--old", "base", "--new", "head/api"],
            "error: `head/api` is one workload's folder but `base` is a folder of workloads; compare a workload folder with a workload folder, or two folders of workloads\n",
        ),
        (
            &["diff", "--old", "base", "--new", "nowhere"],
            "error: `nowhere`: does not exist; --new names the generated output after the change\n",
        ),
        (
            &["diff", "specs/api.yaml", "--against", "head/api"],
            "error: `head/api` is a workload folder, but --against takes the folder `render --out` took (it compares `<DIR>/api`); pass its parent\n",
        ),
    ];
    for (args, stderr) in cases {
        Test::in_dir(&dir)
            .args(*args)
            .status(2)
            .stderr(*stderr)
            .stdout("")
            .run();
    }
}

#[test]
fn render_out_and_diff_against_mean_the_same_folder() {
    let dir = two_trees();
    // One spec: one workload's report.
    Test::in_dir(&dir)
        .args(["diff", "specs/api.yaml", "--against", "head"])
        .stdout("`head/api` is in sync with the spec `specs/api.yaml`\n")
        .run();
    // A folder of specs: a report per workload.
    Test::in_dir(&dir)
        .args(["diff", "specs", "--against", "head"])
        .stdout("`head` is in sync with `specs`: 2 workloads: 0 new, 0 removed, 0 changed, 2 unchanged\n")
        .run();
    // Against the older rendering, `api` changed and `jobs` is not there.
    let out = Test::in_dir(&dir)
        .args(["diff", "specs", "--against", "base", "--format", "markdown"])
        .status(1)
        .run();
    golden("specs-against-base.md", &out.stdout);
}

// ------------------------------------------------------------------ git

/// A repository whose `main` holds `specs/{api,worker}.yaml`, and a working
/// tree where `api` gains a secret, `worker.yaml` is renamed, `jobs` is
/// added, and a spec outside `specs/` is left alone.
fn repository() -> PathBuf {
    let dir = Test::new().dir().to_owned();
    git(&dir, &["init", "-q", "-b", "main"]);
    write(&dir, "specs/api.yaml", API);
    write(&dir, "specs/worker.yaml", WORKER);
    write(&dir, "specs/notes.txt", "not a spec\n");
    write(&dir, "other/elsewhere.yaml", JOBS);
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "base"]);
    write(&dir, "specs/api.yaml", API_WITH_SECRET);
    git(
        &dir,
        &["mv", "specs/worker.yaml", "specs/background-worker.yaml"],
    );
    write(&dir, "specs/jobs.yaml", JOBS);
    dir
}

/// A spec at the repository's root, unchanged since the base, is in sync:
/// its generated files name the spec's file as the working tree's do, not
/// `<rev>:<file>`.
#[test]
fn diff_base_of_a_spec_at_the_root_is_in_sync_when_unchanged() {
    let dir = Test::new().dir().to_owned();
    git(&dir, &["init", "-q", "-b", "main"]);
    write(&dir, "api.yaml", API);
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "base"]);
    Test::in_dir(&dir)
        .args(["diff", "--base", "main", "api.yaml"])
        .stdout_ends_with("`main` is in sync with `the working tree`: 1 workload: 0 new, 0 removed, 0 changed, 1 unchanged\n")
        .run();
}

/// A spec whose file name holds a line break cannot be named to `git
/// cat-file --batch` (one name a line): the gate refuses, naming the file,
/// and never compares another file's blob in its place.
#[cfg(unix)]
#[test]
fn diff_base_refuses_a_file_name_holding_a_line_break() {
    let dir = Test::new().dir().to_owned();
    git(&dir, &["init", "-q", "-b", "main"]);
    write(&dir, "specs/api.yaml", API);
    write(&dir, "specs/a\nb.yaml", WORKER);
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "base"]);
    Test::in_dir(&dir)
        .args(["diff", "--base", "main", "specs"])
        .status(2)
        .stderr("error: `git cat-file --batch` failed: `main:specs/a\\nb.yaml`: a file name holding a line break cannot be read at a revision (`git cat-file --batch` takes one name a line); rename the file\n")
        .run();
}

#[test]
fn diff_base_renders_both_revisions_and_compares_every_workload() {
    let dir = repository();
    for (format, file) in [("text", "base.txt"), ("json", "base.json")] {
        let out = Test::in_dir(&dir)
            .args(["diff", "--base", "main", "specs", "--format", format])
            .status(1)
            .run();
        golden(file, &out.stdout);
    }
    Test::in_dir(&dir)
        .args(["diff", "--base", "main", "specs", "--fail-on", "broadening"])
        .status(1)
        .run();
    Test::in_dir(&dir)
        .args(["diff", "--base", "main", "specs", "--fail-on", "never"])
        .run();
    // From a sub-folder, paths are the user's own. (The report before the
    // verdict is in the goldens.)
    Test::in_dir(&dir)
        .current_dir("specs")
        .args(["diff", "--base", "main", "."])
        .status(1)
        .stdout_ends_with("`main` differs from `the working tree`: 3 workloads: 1 new, 0 removed, 2 changed, 0 unchanged; IAM: 5 broadening, 0 narrowing, 1 neutral\n")
        .run();
    // Committed, nothing differs.
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "change"]);
    Test::in_dir(&dir)
        .args(["diff", "--base", "HEAD", "specs"])
        .stdout("`HEAD` is in sync with `the working tree`: 3 workloads: 0 new, 0 removed, 0 changed, 3 unchanged\n")
        .run();
    // A deleted folder of specs: every workload is removed (narrowing; each
    // removed grant is listed before the verdict).
    fs::remove_dir_all(dir.join("specs")).unwrap();
    Test::in_dir(&dir)
        .args(["diff", "--base", "HEAD", "specs", "--fail-on", "broadening"])
        .stdout_ends_with("`HEAD` differs from `the working tree`: 3 workloads: 0 new, 3 removed, 0 changed, 0 unchanged; IAM: 0 broadening, 6 narrowing, 0 neutral\n")
        .run();
}

#[test]
fn diff_base_errors() {
    let dir = repository();
    let cases: &[(&[&str], &str)] = &[
        (
            &["diff", "--base", "no-such-branch", "specs"],
            "error: `git rev-parse no-such-branch` failed: `no-such-branch` is not a commit here; fetch it (actions/checkout needs `fetch-depth: 0`) or name another revision\n",
        ),
        (
            &["diff", "--base", "main", "nowhere"],
            "error: `nowhere`: names no spec files (.yaml, .yml, .json) at `main` nor in the working tree\n",
        ),
    ];
    for (args, stderr) in cases {
        Test::in_dir(&dir)
            .args(*args)
            .status(2)
            .stderr(*stderr)
            .run();
    }
    // A spec broken at the base is named by revision and path.
    write(&dir, "specs/api.yaml", "version: 1\nname: api\nbogus: 1\n");
    git(&dir, &["commit", "-q", "-am", "broken"]);
    Test::in_dir(&dir)
        .file("specs/api.yaml", API)
        .args(["diff", "--base", "HEAD", "specs/api.yaml"])
        .status(2)
        .stderr("error: HEAD:specs/api.yaml:3:1: unknown field `bogus` at the top level; expected one of `version`, `name`, `description`, `deployment`, `path`, `permissions_boundary`, `tags`, `task_role`, `execution_role`, `task_definitions`, `parameters`, `inputs`, `deny`, `terraform`\n")
        .run();
    // Outside a repository (the ceiling keeps git from finding one the
    // test folder sits in). The message ends in git's own words, which name
    // the folder and vary between git versions.
    let plain = Test::new().file("api.yaml", API);
    let ceiling = plain.dir().parent().unwrap().to_owned();
    plain
        .args(["diff", "--base", "main", "api.yaml"])
        .env("GIT_CEILING_DIRECTORIES", ceiling)
        .status(2)
        .stderr_starts_with(
            "error: `git rev-parse --show-toplevel` failed: fatal: not a git repository",
        )
        .run();
}

// ------------------------------------------------------- the integrations

/// A folder on PATH holding `ecs-iam` (the binary under test).
fn path_with_binary() -> std::ffi::OsString {
    let dir = Path::new(env!("CARGO_BIN_EXE_ecs-iam"))
        .parent()
        .unwrap()
        .to_owned();
    let mut paths = vec![dir];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(paths).unwrap()
}

/// Run the `run:` steps of `action.yml` as GitHub's composite runner does
/// (`bash --noprofile --norc -eo pipefail`), with `${{ inputs.* }}` set;
/// steps GitHub would skip here (the comment) are left out, and so is the
/// install (`tests/install.rs` runs it): ecs-iam is the binary under test.
/// Returns each step's name, exit code and stdout, the job summary and the
/// step outputs.
fn run_action(
    repo: &Path,
    inputs: &[(&str, &str)],
) -> (Vec<(String, i32, String)>, String, String) {
    let action: serde_yaml::Value =
        serde_yaml::from_str(&fs::read_to_string(common::root().join("action.yml")).unwrap())
            .unwrap();
    let defaults = &action["inputs"];
    let input = |name: &str| -> String {
        inputs.iter().find(|(k, _)| *k == name).map_or_else(
            || defaults[name]["default"].as_str().unwrap().to_owned(),
            |(_, v)| (*v).to_owned(),
        )
    };
    let expand = |s: &str| -> String {
        let mut out = s.to_owned();
        for name in ["specs", "base", "fail-on", "comment", "install"] {
            out = out.replace(&format!("${{{{ inputs.{name} }}}}"), &input(name));
        }
        out
    };
    let runner = Test::new().dir().to_owned();
    let summary = runner.join("summary.md");
    let outputs = runner.join("outputs");
    let mut results = Vec::new();
    for step in action["runs"]["steps"].as_sequence().unwrap() {
        if step["if"]
            .as_str()
            .is_some_and(|c| c.starts_with("inputs.install == "))
        {
            continue;
        }
        let Some(run) = step["run"].as_str() else {
            assert_eq!(
                step["uses"].as_str(),
                Some("marocchino/sticky-pull-request-comment@v2")
            );
            continue;
        };
        assert_eq!(step["shell"].as_str(), Some("bash"));
        let mut cmd = Command::new("bash");
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail", "-c", run])
            .current_dir(repo)
            .env("PATH", path_with_binary())
            .env("NO_COLOR", "1")
            .env("RUNNER_TEMP", &runner)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("GITHUB_OUTPUT", &outputs);
        if let Some(env) = step["env"].as_mapping() {
            for (k, v) in env {
                cmd.env(k.as_str().unwrap(), expand(v.as_str().unwrap()));
            }
        }
        let out = cmd.output().unwrap();
        results.push((
            step["name"].as_str().unwrap().to_owned(),
            out.status.code().unwrap_or(-1),
            text(&out.stdout) + &text(&out.stderr),
        ));
        if !out.status.success() {
            break;
        }
    }
    (
        results,
        fs::read_to_string(summary).unwrap_or_default(),
        fs::read_to_string(outputs).unwrap_or_default(),
    )
}

#[test]
fn the_github_action_posts_the_review_and_fails_on_broadening() {
    let repo = repository();
    let (steps, summary, outputs) = run_action(&repo, &[("base", "main")]);
    let names: Vec<(&str, i32)> = steps.iter().map(|(n, c, _)| (n.as_str(), *c)).collect();
    assert_eq!(
        names,
        [("Review the IAM change", 0), ("Fail when access grows", 1)],
        "{steps:#?}"
    );
    // The summary is the Markdown report of the same comparison.
    let markdown = Test::in_dir(&repo)
        .args(["diff", "--base", "main", "specs", "--format", "markdown"])
        .status(1)
        .run();
    assert_eq!(summary, markdown.stdout);
    golden("action-summary.md", &summary);
    assert!(outputs.starts_with("report=") && outputs.ends_with("ecs-iam-review.md\n"));
    assert!(
        steps[1].2.ends_with("`main` differs from `the working tree`: 3 workloads: 1 new, 0 removed, 2 changed, 0 unchanged; IAM: 5 broadening, 0 narrowing, 1 neutral\n"),
        "{}",
        steps[1].2
    );

    // A change that only narrows passes.
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "change"]);
    write(&repo, "specs/api.yaml", API);
    let (steps, summary, _) = run_action(&repo, &[("base", "HEAD")]);
    let codes: Vec<i32> = steps.iter().map(|(_, c, _)| *c).collect();
    assert_eq!(codes, [0, 0], "{steps:#?}");
    assert!(
        summary.starts_with(
            "### ecs-iam: ✅ **No access grows**: 0 broadening, 1 narrowing, 1 neutral\n"
        ),
        "{summary}"
    );
    // `fail-on: any` fails on it.
    let (steps, _, _) = run_action(&repo, &[("base", "HEAD"), ("fail-on", "any")]);
    assert_eq!(steps[1].1, 1);

    // A base that cannot be read fails the job at the first step: the
    // action never passes on what it did not compare.
    let (steps, summary, _) = run_action(&repo, &[("base", "not-fetched")]);
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0].1, 2);
    assert_eq!(
        steps[0].2,
        "error: `git rev-parse not-fetched` failed: `not-fetched` is not a commit here; fetch it (actions/checkout needs `fetch-depth: 0`) or name another revision\n"
    );
    assert_eq!(summary, "");
}

/// A hook of `.pre-commit-hooks.yaml` run the way pre-commit does: its
/// entry and args, then the staged files its `files` pattern matches.
fn hook(repo: &Path, id: &str, args: &[&str]) -> Test {
    let hooks: serde_yaml::Value = serde_yaml::from_str(
        &fs::read_to_string(common::root().join(".pre-commit-hooks.yaml")).unwrap(),
    )
    .unwrap();
    let hook = hooks
        .as_sequence()
        .unwrap()
        .iter()
        .find(|h| h["id"] == id)
        .unwrap();
    assert!(
        matches!(hook["language"].as_str(), Some("rust" | "system")),
        "{id}"
    );
    let files = regex::Regex::new(hook["files"].as_str().unwrap()).unwrap();
    let listed = Command::new("git")
        .args(["ls-files", "--cached", "--others", "--exclude-standard"])
        .current_dir(repo)
        .output()
        .unwrap();
    let mut names: Vec<String> = text(&listed.stdout)
        .lines()
        .filter(|f| files.is_match(f))
        .map(str::to_owned)
        .collect();
    names.sort();
    let entry: Vec<&str> = hook["entry"].as_str().unwrap().split(' ').collect();
    assert_eq!(entry[0], "ecs-iam");
    Test::in_dir(repo).args(&entry[1..]).args(args).args(&names)
}

#[test]
fn the_pre_commit_hooks_fail_on_stale_output_and_findings() {
    let repo = repository();
    // The files pattern picks the specs, not the generated YAML.
    Test::in_dir(&repo).args(["render", "specs"]).run();
    hook(&repo, "ecs-iam-sync", &[])
        .stdout("`outputs` is in sync with `specs/api.yaml specs/background-worker.yaml specs/jobs.yaml`: 3 workloads: 0 new, 0 removed, 0 changed, 3 unchanged\n")
        .run();
    hook(&repo, "ecs-iam-check", &[])
        .stdout("0 findings\n")
        .run();

    // A spec changed without rendering: the sync hook fails. (The changed
    // grants are listed before the verdict.)
    write(&repo, "specs/api.yaml", API);
    hook(&repo, "ecs-iam-sync", &[])
        .status(1)
        .stdout_ends_with("`outputs` differs from `specs/api.yaml specs/background-worker.yaml specs/jobs.yaml`: 3 workloads: 0 new, 0 removed, 1 changed, 2 unchanged; IAM: 0 broadening, 1 narrowing, 1 neutral\n")
        .run();
    // Output elsewhere: `args: [--against, DIR]`.
    Test::in_dir(&repo)
        .args(["render", "specs", "--out", "iam"])
        .run();
    hook(&repo, "ecs-iam-sync", &["--against", "iam"]).run();

    // A wildcard secret: the check hook fails with the finding's line.
    write(
        &repo,
        "specs/jobs.yaml",
        "version: 1\nname: jobs\ntask_role:\n  secrets: {read: [\"*\"]}\n",
    );
    hook(&repo, "ecs-iam-check", &[])
        .status(1)
        .stdout("specs/jobs.yaml:4:20: error[secret-wildcard]: `*` is a wildcard; fix: name each secret; ecs-iam adds the `-??????` suffix itself\n1 finding\n")
        .run();
}

/// Each `-system` hook (for machines without a Rust toolchain: the ecs-iam
/// on PATH) is its `language: rust` twin but for the language, and runs the
/// same way.
#[test]
fn the_system_hooks_are_the_rust_hooks_on_the_installed_binary() {
    let hooks: serde_yaml::Value = serde_yaml::from_str(
        &fs::read_to_string(common::root().join(".pre-commit-hooks.yaml")).unwrap(),
    )
    .unwrap();
    let hooks = hooks.as_sequence().unwrap();
    let ids: Vec<&str> = hooks.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "ecs-iam-sync",
            "ecs-iam-check",
            "ecs-iam-sync-system",
            "ecs-iam-check-system"
        ]
    );
    for twin in ["ecs-iam-sync", "ecs-iam-check"] {
        let find = |id: &str| hooks.iter().find(|h| h["id"] == id).unwrap();
        let (rust, system) = (find(twin), find(&format!("{twin}-system")));
        assert_eq!(rust["language"], "rust");
        assert_eq!(system["language"], "system");
        for key in ["name", "entry", "files"] {
            assert_eq!(rust[key], system[key], "{twin}: {key}");
        }
    }
    let repo = repository();
    Test::in_dir(&repo).args(["render", "specs"]).run();
    hook(&repo, "ecs-iam-sync-system", &[])
        .stdout("`outputs` is in sync with `specs/api.yaml specs/background-worker.yaml specs/jobs.yaml`: 3 workloads: 0 new, 0 removed, 0 changed, 3 unchanged\n")
        .run();
    hook(&repo, "ecs-iam-check-system", &[])
        .stdout("0 findings\n")
        .run();
}
