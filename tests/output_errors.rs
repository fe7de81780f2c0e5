//! Every command that prints, with stdout that fails: a pipe whose reader
//! is gone ends the run quietly with 141 (what a shell reports for a
//! process killed by SIGPIPE), any other write error is one line on stderr
//! and exit 2. Never a panic (101 and a backtrace), never a report lost
//! behind exit 0 or 1.

mod common;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The quiet status of a broken pipe (README, Exit codes).
const BROKEN_PIPE: i32 = 141;

/// Every command line that prints to stdout, run from the repository root
/// on its fixtures. `{out}` stands for a fresh, empty scratch folder, for the
/// commands that also write files.
const COMMANDS: &[&[&str]] = &[
    &["render", "--context", "examples/ecs-basic.yaml"],
    &["render", "--context", "examples"],
    &["render", "examples/ecs-basic.yaml", "--out", "{out}"],
    &["diff", "examples/ecs-basic.yaml"],
    &["diff", "--format", "text", "examples"],
    &["diff", "--format", "markdown", "examples/ecs-basic.yaml"],
    &["diff", "--format", "json", "examples/ecs-basic.yaml"],
    &["diff", "--old", "outputs", "--new", "outputs"],
    &["check", "examples/ecs-basic.yaml"],
    &["check", "--format", "json", "examples"],
    &["check", "--format", "sarif", "examples/ecs-basic.yaml"],
    &["check", "tests/check/findings.yaml"],
    &[
        "check",
        "--guardrails",
        "tests/guardrails/platform.yaml",
        "tests/guardrails/broad.yaml",
    ],
    &["explain", "examples/ecs-basic.yaml"],
    &["explain", "--format", "json", "examples/ecs-basic.yaml"],
    &["verify", "tests/golden/task-definition/spec.yaml"],
    &[
        "verify",
        "--format",
        "json",
        "tests/golden/task-definition/spec.yaml",
    ],
    &[
        "verify",
        "--format",
        "sarif",
        "tests/golden/task-definition/spec.yaml",
    ],
    &[
        "drift",
        "examples/ecs-basic.yaml",
        "--deployed",
        "tests/drift/raw-api-eu-west-1.json",
    ],
    &[
        "drift",
        "--format",
        "markdown",
        "examples/ecs-basic.yaml",
        "--deployed",
        "tests/drift/raw-api-eu-west-1.json",
    ],
    &[
        "drift",
        "--format",
        "json",
        "examples/ecs-basic.yaml",
        "--deployed",
        "tests/drift/raw-api-eu-west-1.json",
    ],
    &[
        "drift",
        "--format",
        "sarif",
        "examples/ecs-basic.yaml",
        "--deployed",
        "tests/drift/raw-api-eu-west-1.json",
    ],
    &["init", "--preset", "ecs-basic", "--output", "-"],
    &[
        "init",
        "--preset",
        "ecs-basic",
        "--output",
        "{out}/ecs-basic.yaml",
    ],
    &[
        "init",
        "--from-task-definition",
        "tests/golden/task-definition/orders.taskdef.json",
        "--output",
        "-",
    ],
    // The spec on stdout, then what least privilege removes on stderr.
    &[
        "init",
        "--from-role",
        "execution=tests/drift/raw-api-eu-west-1.json#ecs-basic-execution",
        "--output",
        "-",
    ],
    &[
        "init",
        "--from-role",
        "task=tests/drift/raw-api-eu-west-1.json#ecs-basic-task",
        "--output",
        "{out}/adopted.yaml",
    ],
    &["schema"],
    &["notices"],
    &["completions", "bash"],
    &["completions", "elvish"],
    &["completions", "fish"],
    &["completions", "powershell"],
    &["completions", "zsh"],
    &["--help"],
    &["check", "--help"],
    &["help", "drift"],
    &["-V"],
    &["--version"],
];

/// A fresh, empty folder under the build's temporary folder.
fn scratch() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "output-errors-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `args` with `stdout`; returns the exit code and stderr.
fn run(args: &[&str], stdout: Stdio, stderr: Stdio) -> (Option<i32>, String) {
    let out = scratch();
    let args: Vec<OsString> = args
        .iter()
        .map(|a| a.replace("{out}", &out.display().to_string()).into())
        .collect();
    let output = common::binary()
        .args(&args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        // Styles are written where stdout takes them: forced here, so that
        // `diff`'s coloured path fails as the plain one does.
        .env("CLICOLOR_FORCE", "1")
        .env("RUST_BACKTRACE", "1")
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A pipe whose read end is closed before the command starts, so that its
/// first write to stdout meets a reader that is gone (`ecs-iam … | head`
/// once `head` has read its lines), whatever the output's size.
fn closed_pipe() -> Stdio {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    writer.into()
}

#[test]
fn a_closed_pipe_ends_every_command_quietly_with_141() {
    let mut wrong = Vec::new();
    for args in COMMANDS {
        let (status, stderr) = run(args, closed_pipe(), Stdio::piped());
        if status != Some(BROKEN_PIPE) || !stderr.is_empty() {
            wrong.push(format!(
                "ecs-iam {}: exit {status:?}, stderr {stderr:?}",
                args.join(" ")
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Linux only: `/dev/full` (every write fails with ENOSPC) is a Linux
/// device, and the message carries the OS's wording of the error.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_one_error_line_and_exit_2_for_every_command() {
    let mut wrong = Vec::new();
    for args in COMMANDS {
        let full = std::fs::File::options()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let (status, stderr) = run(args, full.into(), Stdio::piped());
        if status != Some(2)
            || stderr
                != "error: cannot write to standard output: No space left on device (os error 28)\n"
        {
            wrong.push(format!(
                "ecs-iam {}: exit {status:?}, stderr {stderr:?}",
                args.join(" ")
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// stderr is where failures are reported: when it fails too, the exit code
/// still says what happened, without a panic.
#[test]
fn a_closed_stderr_does_not_change_the_exit_code() {
    // An error on stderr only.
    let (status, _) = run(
        &["explain", "tests/no-such-spec.yaml"],
        Stdio::null(),
        closed_pipe(),
    );
    assert_eq!(status, Some(2));
    // The spec on stdout, the adoption's report on stderr.
    let adopt = [
        "init",
        "--from-role",
        "execution=tests/drift/raw-api-eu-west-1.json#ecs-basic-execution",
        "--output",
        "-",
    ];
    let (status, stderr) = run(&adopt, Stdio::null(), Stdio::piped());
    assert_eq!(status, Some(0));
    assert!(
        stderr.starts_with("the task role was not adopted: "),
        "{stderr}"
    );
    let (status, _) = run(&adopt, Stdio::null(), closed_pipe());
    assert_eq!(status, Some(0));
    // Both closed: the broken stdout decides.
    let (status, _) = run(&["schema"], closed_pipe(), closed_pipe());
    assert_eq!(status, Some(BROKEN_PIPE));
}

/// Both failing, on Linux: stdout full, stderr closed, still exit 2.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_with_a_closed_stderr_still_exits_2() {
    let full = std::fs::File::options()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let (status, _) = run(&["notices"], full.into(), closed_pipe());
    assert_eq!(status, Some(2));
}

/// Buffered stdout is flushed before stderr takes over: on one stream
/// (`2>&1`, a CI log) the spec `init` prints comes before its report.
#[test]
fn stdout_comes_before_what_follows_on_stderr() {
    use std::io::Read as _;
    let (mut reader, writer) = std::io::pipe().unwrap();
    let mut child = common::binary()
        .args([
            "init",
            "--from-role",
            "execution=tests/drift/raw-api-eu-west-1.json#ecs-basic-execution",
            "--output",
            "-",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .stdout(writer.try_clone().unwrap())
        .stderr(writer)
        .spawn()
        .unwrap();
    let mut both = String::new();
    reader.read_to_string(&mut both).unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0));
    let report = both
        .find("the rendering against the task execution role")
        .unwrap_or_else(|| panic!("no report in {both}"));
    assert!(both.starts_with("# ecs-iam role specification"), "{both}");
    assert!(both[..report].contains("\nexecution_role:"), "{both}");
}
