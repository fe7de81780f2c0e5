//! Reviewing a change across workloads, as users run it: folders of
//! workloads, specs against `render --out`, specs at a git revision, the
//! GitHub Action's steps and the pre-commit hooks. Reports are compared with
//! goldens in `tests/review/` (`ECS_IAM_BLESS=1` regenerates them).

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_ecs-iam")
}

fn ecs_iam(dir: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh, empty working folder.
fn workdir() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "review-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
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
    let dir = workdir();
    write(&dir, "specs/api.yaml", API);
    write(&dir, "specs/worker.yaml", WORKER);
    assert_eq!(
        ecs_iam(&dir, &["render", "specs", "--out", "base"])
            .status
            .code(),
        Some(0)
    );
    write(&dir, "specs/api.yaml", API_WITH_SECRET);
    fs::remove_file(dir.join("specs/worker.yaml")).unwrap();
    write(&dir, "specs/jobs.yaml", JOBS);
    assert_eq!(
        ecs_iam(&dir, &["render", "specs", "--out", "head"])
            .status
            .code(),
        Some(0)
    );
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
        let out = ecs_iam(&dir, &[&args[..], &["--format", format]].concat());
        assert_eq!(out.status.code(), Some(1), "{format}");
        assert_eq!(text(&out.stderr), "");
        golden(file, &text(&out.stdout));
    }
    // One exit code for the whole tree: a secret was added to `api`.
    let code = |extra: &[&str]| ecs_iam(&dir, &[&args[..], extra].concat()).status.code();
    assert_eq!(code(&["--fail-on", "broadening"]), Some(1));
    assert_eq!(code(&["--fail-on", "never"]), Some(0));
    // The other way round: `jobs` removed narrows, but `worker` comes back,
    // which broadens.
    let back = ecs_iam(
        &dir,
        &[
            "diff",
            "--old",
            "head",
            "--new",
            "base",
            "--fail-on",
            "broadening",
        ],
    );
    assert_eq!(back.status.code(), Some(1));
    assert!(
        text(&back.stdout).ends_with("`head` differs from `base`: 3 workloads: 1 new, 1 removed, 1 changed, 0 unchanged; IAM: 3 broadening, 3 narrowing, 1 neutral\n"),
        "{}",
        text(&back.stdout)
    );

    // A base with no output yet: every workload is new.
    let out = ecs_iam(&dir, &["diff", "--old", "nothing-yet", "--new", "head"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).ends_with("`nothing-yet` differs from `head`: 2 workloads: 2 new, 0 removed, 0 changed, 0 unchanged; IAM: 9 broadening, 0 narrowing, 0 neutral\n"),
        "{}",
        text(&out.stdout)
    );
    // Colour where the terminal takes it: forced here, as CLICOLOR_FORCE
    // does for CI logs; NO_COLOR (set by `ecs_iam`) keeps it plain.
    let forced = Command::new(bin())
        .args(["diff", "--old", "base", "--new", "head"])
        .current_dir(&dir)
        .env_remove("NO_COLOR")
        .env("CLICOLOR_FORCE", "1")
        .output()
        .unwrap();
    assert!(
        text(&forced.stdout).contains(
            "  + \u{1b}[1m\u{1b}[31mbroadening\u{1b}[0m  Allow secretsmanager:GetSecretValue"
        ),
        "{}",
        text(&forced.stdout)
    );
    // A tree compared with itself is in sync.
    let out = ecs_iam(&dir, &["diff", "--old", "head", "--new", "head"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stdout),
        "`head` is in sync with `head`: 2 workloads: 0 new, 0 removed, 0 changed, 2 unchanged\n"
    );
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
        let out = ecs_iam(&dir, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(text(&out.stderr), *stderr, "{args:?}");
        assert_eq!(text(&out.stdout), "", "{args:?}");
    }
}

#[test]
fn render_out_and_diff_against_mean_the_same_folder() {
    let dir = two_trees();
    // One spec: one workload's report.
    let out = ecs_iam(&dir, &["diff", "specs/api.yaml", "--against", "head"]);
    assert_eq!(text(&out.stderr), "");
    assert_eq!(
        text(&out.stdout),
        "`head/api` is in sync with the spec `specs/api.yaml`\n"
    );
    assert_eq!(out.status.code(), Some(0));
    // A folder of specs: a report per workload.
    let out = ecs_iam(&dir, &["diff", "specs", "--against", "head"]);
    assert_eq!(
        text(&out.stdout),
        "`head` is in sync with `specs`: 2 workloads: 0 new, 0 removed, 0 changed, 2 unchanged\n"
    );
    assert_eq!(out.status.code(), Some(0));
    // Against the older rendering, `api` changed and `jobs` is not there.
    let out = ecs_iam(
        &dir,
        &["diff", "specs", "--against", "base", "--format", "markdown"],
    );
    assert_eq!(out.status.code(), Some(1));
    golden("specs-against-base.md", &text(&out.stdout));
}

// ------------------------------------------------------------------ git

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "ecs-iam tests")
        .env("GIT_AUTHOR_EMAIL", "tests@example.com")
        .env("GIT_COMMITTER_NAME", "ecs-iam tests")
        .env("GIT_COMMITTER_EMAIL", "tests@example.com")
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
}

/// A repository whose `main` holds `specs/{api,worker}.yaml`, and a working
/// tree where `api` gains a secret, `worker.yaml` is renamed, `jobs` is
/// added, and a spec outside `specs/` is left alone.
fn repository() -> PathBuf {
    let dir = workdir();
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

#[test]
fn diff_base_renders_both_revisions_and_compares_every_workload() {
    let dir = repository();
    for (format, file) in [("text", "base.txt"), ("json", "base.json")] {
        let out = ecs_iam(
            &dir,
            &["diff", "--base", "main", "specs", "--format", format],
        );
        assert_eq!(text(&out.stderr), "", "{format}");
        assert_eq!(out.status.code(), Some(1), "{format}");
        golden(file, &text(&out.stdout));
    }
    let code = |args: &[&str]| ecs_iam(&dir, args).status.code();
    assert_eq!(
        code(&["diff", "--base", "main", "specs", "--fail-on", "broadening"]),
        Some(1)
    );
    assert_eq!(
        code(&["diff", "--base", "main", "specs", "--fail-on", "never"]),
        Some(0)
    );
    // From a sub-folder, paths are the user's own.
    let sub = ecs_iam(&dir.join("specs"), &["diff", "--base", "main", "."]);
    assert!(
        text(&sub.stdout).ends_with("`main` differs from `the working tree`: 3 workloads: 1 new, 0 removed, 2 changed, 0 unchanged; IAM: 5 broadening, 0 narrowing, 1 neutral\n"),
        "{}",
        text(&sub.stdout)
    );
    // Committed, nothing differs.
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "change"]);
    let out = ecs_iam(&dir, &["diff", "--base", "HEAD", "specs"]);
    assert_eq!(
        text(&out.stdout),
        "`HEAD` is in sync with `the working tree`: 3 workloads: 0 new, 0 removed, 0 changed, 3 unchanged\n"
    );
    assert_eq!(out.status.code(), Some(0));
    // A deleted folder of specs: every workload is removed (narrowing).
    fs::remove_dir_all(dir.join("specs")).unwrap();
    let out = ecs_iam(
        &dir,
        &["diff", "--base", "HEAD", "specs", "--fail-on", "broadening"],
    );
    assert_eq!(text(&out.stderr), "");
    assert!(
        text(&out.stdout).ends_with("`HEAD` differs from `the working tree`: 3 workloads: 0 new, 3 removed, 0 changed, 0 unchanged; IAM: 0 broadening, 6 narrowing, 0 neutral\n"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(out.status.code(), Some(0));
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
        let out = ecs_iam(&dir, args);
        assert_eq!(text(&out.stderr), *stderr, "{args:?}");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    // A spec broken at the base is named by revision and path.
    write(&dir, "specs/api.yaml", "version: 1\nname: api\nbogus: 1\n");
    git(&dir, &["commit", "-q", "-am", "broken"]);
    write(&dir, "specs/api.yaml", API);
    let out = ecs_iam(&dir, &["diff", "--base", "HEAD", "specs/api.yaml"]);
    assert_eq!(
        text(&out.stderr),
        "error: HEAD:specs/api.yaml:3:1: unknown field `bogus` at the top level; expected one of `version`, `name`, `description`, `deployment`, `path`, `permissions_boundary`, `tags`, `task_role`, `execution_role`\n"
    );
    assert_eq!(out.status.code(), Some(2));
    // Outside a repository (the ceiling keeps git from finding one the
    // test folder sits in).
    let plain = workdir();
    write(&plain, "api.yaml", API);
    let out = Command::new(bin())
        .args(["diff", "--base", "main", "api.yaml"])
        .current_dir(&plain)
        .env("GIT_CEILING_DIRECTORIES", plain.parent().unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).starts_with(
            "error: `git rev-parse --show-toplevel` failed: fatal: not a git repository"
        ),
        "{}",
        text(&out.stderr)
    );
}

// ------------------------------------------------------- the integrations

/// A folder on PATH holding `ecs-iam` (the binary under test).
fn path_with_binary() -> std::ffi::OsString {
    let dir = Path::new(bin()).parent().unwrap().to_owned();
    let mut paths = vec![dir];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(paths).unwrap()
}

/// Run the `run:` steps of `action.yml` as GitHub's composite runner does
/// (`bash --noprofile --norc -eo pipefail`), with `${{ inputs.* }}` set;
/// steps GitHub would skip here (the install, the comment) are left out.
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
    let runner = workdir();
    let summary = runner.join("summary.md");
    let outputs = runner.join("outputs");
    let mut results = Vec::new();
    for step in action["runs"]["steps"].as_sequence().unwrap() {
        let Some(run) = step["run"].as_str() else {
            assert_eq!(
                step["uses"].as_str(),
                Some("marocchino/sticky-pull-request-comment@v2")
            );
            continue;
        };
        if step["if"].as_str() == Some("inputs.install == 'cargo'") {
            assert_eq!(run, "cargo install --locked --path \"$GITHUB_ACTION_PATH\"");
            continue;
        }
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
    let markdown = ecs_iam(
        &repo,
        &["diff", "--base", "main", "specs", "--format", "markdown"],
    );
    assert_eq!(summary, text(&markdown.stdout));
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

/// Run a hook of `.pre-commit-hooks.yaml` the way pre-commit does: its
/// entry and args, then the staged files its `files` pattern matches.
fn run_hook(repo: &Path, id: &str, args: &[&str]) -> Output {
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
    assert_eq!(hook["language"].as_str(), Some("rust"));
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
    Command::new(bin())
        .args(&entry[1..])
        .args(args)
        .args(&names)
        .current_dir(repo)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[test]
fn the_pre_commit_hooks_fail_on_stale_output_and_findings() {
    let repo = repository();
    // The files pattern picks the specs, not the generated YAML.
    assert_eq!(ecs_iam(&repo, &["render", "specs"]).status.code(), Some(0));
    let out = run_hook(&repo, "ecs-iam-sync", &[]);
    assert_eq!(text(&out.stderr), "");
    assert_eq!(
        text(&out.stdout),
        "`outputs` is in sync with `specs/api.yaml specs/background-worker.yaml specs/jobs.yaml`: 3 workloads: 0 new, 0 removed, 0 changed, 3 unchanged\n"
    );
    assert_eq!(out.status.code(), Some(0));
    let out = run_hook(&repo, "ecs-iam-check", &[]);
    assert_eq!(text(&out.stdout), "0 findings\n");
    assert_eq!(out.status.code(), Some(0));

    // A spec changed without rendering: the sync hook fails.
    write(&repo, "specs/api.yaml", API);
    let out = run_hook(&repo, "ecs-iam-sync", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).ends_with("`outputs` differs from `specs/api.yaml specs/background-worker.yaml specs/jobs.yaml`: 3 workloads: 0 new, 0 removed, 1 changed, 2 unchanged; IAM: 0 broadening, 1 narrowing, 1 neutral\n"),
        "{}",
        text(&out.stdout)
    );
    // Output elsewhere: `args: [--against, DIR]`.
    assert_eq!(
        ecs_iam(&repo, &["render", "specs", "--out", "iam"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        run_hook(&repo, "ecs-iam-sync", &["--against", "iam"])
            .status
            .code(),
        Some(0)
    );

    // A wildcard secret: the check hook fails with the finding's line.
    write(
        &repo,
        "specs/jobs.yaml",
        "version: 1\nname: jobs\ntask_role:\n  secrets: {read: [\"*\"]}\n",
    );
    let out = run_hook(&repo, "ecs-iam-check", &[]);
    assert_eq!(
        text(&out.stdout),
        "specs/jobs.yaml:4:20: error[secret-wildcard]: `*` is a wildcard; fix: name each secret; ecs-iam adds the `-??????` suffix itself\n1 finding\n"
    );
    assert_eq!(out.status.code(), Some(1));
}
