//! One way to run the binary in tests, after casey/just's `tests/` `Test`:
//! a fresh scratch folder, files written or copied into it, the command,
//! and what it must print and return, checked together in `run`.

use std::ffi::{OsStr, OsString};
use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// One expectation on a stream.
#[derive(Debug, Clone)]
enum Check {
    Is(String),
    Contains(String),
    StartsWith(String),
    EndsWith(String),
}

/// What a run printed and returned.
#[derive(Debug)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    /// The exit code; `-1` when a signal ended the process.
    pub status: i32,
    /// The scratch folder the run worked in (`Test::in_dir` runs there again).
    pub dir: PathBuf,
    pub elapsed: Duration,
}

/// One run of `ecs-iam`, in a scratch folder under `CARGO_TARGET_TMPDIR`.
///
/// Unless a test says otherwise, a run must exit 0 and print nothing on
/// stderr; stdout is checked only when the test gives an expectation.
/// `NO_COLOR=1` is set; `.env_remove("NO_COLOR")` takes it away. `COLUMNS`
/// is removed, so `explain` lays out for its piped width whatever the
/// shell running the tests exports; `.env("COLUMNS", ...)` sets it.
#[must_use = "a Test does nothing until `.run()`"]
pub struct Test {
    dir: PathBuf,
    current_dir: PathBuf,
    args: Vec<OsString>,
    env: Vec<(OsString, Option<OsString>)>,
    stdin: Option<Vec<u8>>,
    address_space_kib: Option<u64>,
    stdout: Vec<Check>,
    stderr: Vec<Check>,
    status: i32,
}

impl Default for Test {
    fn default() -> Self {
        Self::new()
    }
}

impl Test {
    /// A fresh, empty scratch folder, unique to this test: named after the
    /// process id, a counter and the test, removed and recreated.
    pub fn new() -> Self {
        Self::scratch_in(Path::new(env!("CARGO_TARGET_TMPDIR")))
    }

    /// A scratch folder outside any git work tree (under the system's
    /// temporary folder), for behaviour that depends on there being none:
    /// the build's own folder is inside the project's work tree.
    pub fn outside_repository() -> Self {
        Self::scratch_in(&std::env::temp_dir().join("ecs-iam-tests"))
    }

    fn scratch_in(base: &Path) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let thread = std::thread::current();
        let test: String = thread
            .name()
            .unwrap_or("test")
            .rsplit("::")
            .next()
            .unwrap_or("test")
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .take(60)
            .collect();
        let dir = base.join(format!(
            "{}-{}-{test}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        match fs::remove_dir_all(&dir) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => panic!("cannot clear {}: {e}", dir.display()),
        }
        fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        Self::in_dir(&dir)
    }

    /// Another run in a folder already set up, such as a previous run's
    /// `Output::dir`; nothing in it is cleared.
    pub fn in_dir(dir: &Path) -> Self {
        Self {
            dir: dir.to_owned(),
            current_dir: dir.to_owned(),
            args: Vec::new(),
            env: vec![
                ("NO_COLOR".into(), Some("1".into())),
                ("COLUMNS".into(), None),
            ],
            stdin: None,
            address_space_kib: None,
            stdout: Vec::new(),
            stderr: Vec::new(),
            status: 0,
        }
    }

    /// The scratch folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Write `contents` to `path` (relative to the scratch folder), creating
    /// its folders.
    pub fn file(self, path: &str, contents: impl AsRef<[u8]>) -> Self {
        let dest = self.dir.join(path);
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(&dest, contents).unwrap_or_else(|e| panic!("{}: {e}", dest.display()));
        self
    }

    /// Copy a repository file to the same relative path in the scratch
    /// folder, so messages naming it read as they do in the repository.
    pub fn copy(self, repo_path: &str) -> Self {
        self.copy_as(repo_path, repo_path)
    }

    /// Copy a repository file to `dest` in the scratch folder.
    pub fn copy_as(self, repo_path: &str, dest: &str) -> Self {
        let source = super::root().join(repo_path);
        let contents = fs::read(&source).unwrap_or_else(|e| panic!("{}: {e}", source.display()));
        self.file(dest, contents)
    }

    /// Arguments, added after any given before.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Text on standard input (none by default).
    pub fn stdin(mut self, input: impl AsRef<[u8]>) -> Self {
        self.stdin = Some(input.as_ref().to_owned());
        self
    }

    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.env
            .push((key.as_ref().to_owned(), Some(value.as_ref().to_owned())));
        self
    }

    pub fn env_remove(mut self, key: impl AsRef<OsStr>) -> Self {
        self.env.push((key.as_ref().to_owned(), None));
        self
    }

    /// Run in `sub`, a folder inside the scratch folder.
    pub fn current_dir(mut self, sub: impl AsRef<Path>) -> Self {
        self.current_dir = self.dir.join(sub);
        self
    }

    /// Run under an address-space limit (`ulimit -v`, in KiB; Unix only),
    /// so a blow-up fails the run instead of the machine.
    pub fn address_space_limit_kib(mut self, kib: u64) -> Self {
        self.address_space_kib = Some(kib);
        self
    }

    /// Stdout, exactly.
    pub fn stdout(mut self, text: impl Into<String>) -> Self {
        self.stdout.push(Check::Is(text.into()));
        self
    }

    /// Stdout holds `text`; only where the whole output is long or differs
    /// between machines (say why at the call).
    pub fn stdout_contains(mut self, text: impl Into<String>) -> Self {
        self.stdout.push(Check::Contains(text.into()));
        self
    }

    /// Stdout starts with `text`; only where the whole output is long (say
    /// why at the call).
    pub fn stdout_starts_with(mut self, text: impl Into<String>) -> Self {
        self.stdout.push(Check::StartsWith(text.into()));
        self
    }

    /// Stdout ends with `text`; only where the whole output is long (say why
    /// at the call).
    pub fn stdout_ends_with(mut self, text: impl Into<String>) -> Self {
        self.stdout.push(Check::EndsWith(text.into()));
        self
    }

    /// Stderr, exactly (empty unless given).
    pub fn stderr(mut self, text: impl Into<String>) -> Self {
        self.stderr.push(Check::Is(text.into()));
        self
    }

    /// Stderr starts with `text`; only where the rest is another program's
    /// or the operating system's words (say why at the call).
    pub fn stderr_starts_with(mut self, text: impl Into<String>) -> Self {
        self.stderr.push(Check::StartsWith(text.into()));
        self
    }

    /// The exit code (0 unless given).
    pub fn status(mut self, code: i32) -> Self {
        self.status = code;
        self
    }

    /// The command as configured, for a test that must drive the process
    /// itself (spawn it and kill it); no expectation is checked.
    pub fn command(&self) -> Command {
        // Windows has no `ulimit`: the run there is not capped.
        let mut cmd = match self.address_space_kib.filter(|_| cfg!(unix)) {
            None => binary(),
            Some(kib) => {
                let mut cmd = Command::new("bash");
                cmd.arg("-c")
                    .arg(format!("ulimit -v {kib} && exec \"$0\" \"$@\""));
                cmd.args(binary_argv());
                cmd
            }
        };
        cmd.args(&self.args).current_dir(&self.current_dir);
        for (key, value) in &self.env {
            match value {
                Some(value) => cmd.env(key, value),
                None => cmd.env_remove(key),
            };
        }
        cmd
    }

    /// Run, and panic with a diff of whatever differs from the expectations.
    #[track_caller]
    pub fn run(self) -> Output {
        match self.try_run() {
            Ok(output) => output,
            Err(message) => panic!("{message}"),
        }
    }

    /// Run; a mismatch is returned as the message `run` would panic with, so
    /// a table of cases can report every failing case at once.
    pub fn try_run(self) -> Result<Output, String> {
        let mut cmd = self.command();
        cmd.stdin(if self.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let start = Instant::now();
        let mut child = cmd.spawn().expect("the binary runs");
        let writer = self.stdin.clone().map(|input| {
            let mut pipe = child.stdin.take().unwrap();
            // A thread, so a binary that prints before reading all its input
            // cannot block on a full pipe.
            std::thread::spawn(move || {
                let _ = pipe.write_all(&input);
            })
        });
        let out = child.wait_with_output().expect("the binary runs");
        let elapsed = start.elapsed();
        if let Some(writer) = writer {
            writer.join().unwrap();
        }
        let output = Output {
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            status: out.status.code().unwrap_or(-1),
            dir: self.dir.clone(),
            elapsed,
        };

        let mut problems = String::new();
        if output.status != self.status {
            let got = out
                .status
                .code()
                .map_or_else(|| out.status.to_string(), |c| c.to_string());
            let _ = writeln!(problems, "exit status: expected {}, got {got}", self.status);
        }
        let stderr_checks = if self.stderr.is_empty() {
            vec![Check::Is(String::new())]
        } else {
            self.stderr.clone()
        };
        for (stream, checks, actual) in [
            ("stdout", &self.stdout, &output.stdout),
            ("stderr", &stderr_checks, &output.stderr),
        ] {
            for check in checks {
                if let Some(problem) = mismatch(stream, check, actual) {
                    problems.push_str(&problem);
                }
            }
        }
        if problems.is_empty() {
            return Ok(output);
        }
        let command: Vec<String> = self
            .args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let mut message = format!(
            "`ecs-iam {}` in {}:\n{problems}",
            command.join(" "),
            self.current_dir.display()
        );
        // The streams nobody asked about explain most failures.
        if self.stdout.is_empty() && !output.stdout.is_empty() {
            let _ = write!(message, "stdout was:\n{}", output.stdout);
        }
        if output.status != self.status && !output.stderr.is_empty() {
            let _ = write!(message, "stderr was:\n{}", output.stderr);
        }
        Err(message)
    }
}

/// What is wrong with `actual`, if anything, as a readable report.
fn mismatch(stream: &str, check: &Check, actual: &str) -> Option<String> {
    match check {
        Check::Is(expected) if expected != actual => {
            let diff = similar::TextDiff::from_lines(expected.as_str(), actual)
                .unified_diff()
                .header("expected", "actual")
                .to_string();
            Some(format!("{stream} differs:\n{diff}"))
        }
        Check::Contains(part) if !actual.contains(part.as_str()) => Some(format!(
            "{stream} does not contain:\n{part}\n{stream} was:\n{actual}"
        )),
        Check::StartsWith(part) if !actual.starts_with(part.as_str()) => Some(format!(
            "{stream} does not start with:\n{part}\n{stream} was:\n{actual}"
        )),
        Check::EndsWith(part) if !actual.ends_with(part.as_str()) => Some(format!(
            "{stream} does not end with:\n{part}\n{stream} was:\n{actual}"
        )),
        _ => None,
    }
}

/// The binary under test, as a command: run by `ECS_IAM_TEST_RUNNER` when
/// that is set (`.ci/cross` sets `qemu-aarch64-static` for the aarch64
/// build, whose binary this machine's kernel cannot start by itself).
pub fn binary() -> Command {
    let argv = binary_argv();
    let mut cmd = Command::new(&argv[0]);
    cmd.args(&argv[1..]);
    cmd
}

/// The runner, if any, then the binary.
fn binary_argv() -> Vec<std::ffi::OsString> {
    let mut argv: Vec<std::ffi::OsString> = std::env::var_os("ECS_IAM_TEST_RUNNER")
        .filter(|r| !r.is_empty())
        .into_iter()
        .collect();
    argv.push(env!("CARGO_BIN_EXE_ecs-iam").into());
    argv
}
