//! Bounded runs of the fuzz targets (`fuzz/fuzz_targets/`), each from its
//! shipped corpus seeds: `spec` and `task_definition` for 60 seconds, and
//! the readers of others' files (`dump`, `terraform`, `template_role`,
//! `guardrails`) for 30 seconds each; four minutes in all, plus the first
//! build. Every input runs under libFuzzer's RSS limit (2 GiB) and
//! per-input timeout (10 seconds), so an amplifying or slow input is a
//! finding like a crash; a finding fails the test with libFuzzer's report.
//! It needs cargo-fuzz, which it installs under `target/` when it is not on
//! PATH: it is ignored by a plain `cargo test` and run by `cargo test --
//! --include-ignored` (`.ci/run`). `ECS_IAM_FUZZ_SECONDS` sets every
//! target's time.

mod common;

use std::path::Path;
use std::process::Command;

use common::Test;

/// `cargo fuzz` works: on PATH, or installed under `target/cargo-fuzz`
/// (once, for both targets). Returns the PATH to run it with.
fn cargo_fuzz(root: &Path) -> std::ffi::OsString {
    static PATH: std::sync::OnceLock<std::ffi::OsString> = std::sync::OnceLock::new();
    PATH.get_or_init(|| install_cargo_fuzz(root)).clone()
}

fn install_cargo_fuzz(root: &Path) -> std::ffi::OsString {
    let local = root.join("target/cargo-fuzz");
    let mut paths = vec![local.join("bin")];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    let path = std::env::join_paths(paths).unwrap();
    let works = |path: &std::ffi::OsStr| {
        Command::new("cargo")
            .args(["fuzz", "--version"])
            .env("PATH", path)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !works(&path) {
        let out = Command::new("cargo")
            .args(["install", "cargo-fuzz", "--locked", "--root"])
            .arg(&local)
            .output()
            .expect("cargo runs");
        assert!(
            out.status.success(),
            "installing cargo-fuzz failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(works(&path), "cargo-fuzz installed but does not run");
    }
    path
}

#[test]
#[ignore = "installs cargo-fuzz and fuzzes for a minute; run with `cargo test -- --include-ignored`"]
fn fuzz_spec_for_a_minute() {
    fuzz("spec", 60);
}

#[test]
#[ignore = "installs cargo-fuzz and fuzzes for a minute; run with `cargo test -- --include-ignored`"]
fn fuzz_task_definition_for_a_minute() {
    fuzz("task_definition", 60);
}

#[test]
#[ignore = "installs cargo-fuzz and fuzzes for 30 seconds; run with `cargo test -- --include-ignored`"]
fn fuzz_dump_for_30_seconds() {
    fuzz("dump", 30);
}

#[test]
#[ignore = "installs cargo-fuzz and fuzzes for 30 seconds; run with `cargo test -- --include-ignored`"]
fn fuzz_terraform_for_30_seconds() {
    fuzz("terraform", 30);
}

#[test]
#[ignore = "installs cargo-fuzz and fuzzes for 30 seconds; run with `cargo test -- --include-ignored`"]
fn fuzz_template_role_for_30_seconds() {
    fuzz("template_role", 30);
}

#[test]
#[ignore = "installs cargo-fuzz and fuzzes for 30 seconds; run with `cargo test -- --include-ignored`"]
fn fuzz_guardrails_for_30_seconds() {
    fuzz("guardrails", 30);
}

/// The most memory one input may take before libFuzzer calls it a finding:
/// every reader's budget keeps far below it.
const RSS_LIMIT_MB: u32 = 2048;

/// The most time one input may take before libFuzzer calls it a finding.
const INPUT_TIMEOUT_SECONDS: u32 = 10;

/// Run one target from its seeds (`fuzz/corpus/<target>`) for `seconds`
/// (or `ECS_IAM_FUZZ_SECONDS`).
fn fuzz(target: &str, seconds: u64) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = cargo_fuzz(root);
    let seconds = std::env::var("ECS_IAM_FUZZ_SECONDS").unwrap_or_else(|_| seconds.to_string());
    assert!(
        seconds.parse::<u64>().is_ok_and(|s| s > 0),
        "ECS_IAM_FUZZ_SECONDS must be a positive number of seconds, not `{seconds}`"
    );
    // New inputs go to a fresh scratch corpus, so each run starts from the
    // shipped seeds alone, and the seeds stay as they are.
    let scratch = Test::new().dir().to_owned();
    let out = Command::new("cargo")
        .args(["fuzz", "run", target])
        .arg(&scratch)
        .arg(format!("corpus/{target}"))
        .arg("--")
        .arg(format!("-max_total_time={seconds}"))
        .arg(format!("-rss_limit_mb={RSS_LIMIT_MB}"))
        .arg(format!("-timeout={INPUT_TIMEOUT_SECONDS}"))
        .current_dir(root.join("fuzz"))
        .env("PATH", &path)
        // cargo-fuzz passes -Z flags (sanitizer instrumentation) to rustc;
        // the stable toolchain accepts them with RUSTC_BOOTSTRAP.
        .env("RUSTC_BOOTSTRAP", "1")
        .output()
        .expect("cargo fuzz runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the fuzz target `{target}` failed:\n{}",
        &stderr[stderr.len().saturating_sub(4000)..]
    );
    let done = stderr
        .lines()
        .rev()
        .find(|l| l.starts_with("Done "))
        .unwrap_or("(no summary)");
    eprintln!("fuzz {target}: {done}");
}
