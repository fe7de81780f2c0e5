//! A bounded run of the fuzz target (`fuzz/fuzz_targets/spec.rs`) when
//! cargo-fuzz is installed: 60 seconds from the shipped corpus seeds. A
//! crash fails the test with libFuzzer's report.

use std::path::Path;
use std::process::Command;

#[test]
fn fuzz_spec_for_a_minute_when_cargo_fuzz_is_available() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let available = Command::new("cargo")
        .args(["fuzz", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        eprintln!("fuzz run skipped: cargo-fuzz is not installed (`cargo install cargo-fuzz`)");
        return;
    }
    let seconds = std::env::var("ECS_IAM_FUZZ_SECONDS").unwrap_or_else(|_| "60".to_owned());
    if seconds == "0" {
        eprintln!("fuzz run skipped: ECS_IAM_FUZZ_SECONDS=0");
        return;
    }
    // New inputs go to a scratch corpus; the shipped seeds stay as they are.
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-corpus");
    std::fs::create_dir_all(&scratch).unwrap();
    let out = Command::new("cargo")
        .args(["fuzz", "run", "spec"])
        .arg(&scratch)
        .arg("corpus/spec")
        .arg("--")
        .arg(format!("-max_total_time={seconds}"))
        .current_dir(root.join("fuzz"))
        // cargo-fuzz passes -Z flags (sanitizer instrumentation) to rustc;
        // the stable toolchain accepts them with RUSTC_BOOTSTRAP.
        .env("RUSTC_BOOTSTRAP", "1")
        .output()
        .expect("cargo fuzz runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the fuzz target failed:\n{}",
        &stderr[stderr.len().saturating_sub(4000)..]
    );
    let done = stderr
        .lines()
        .rev()
        .find(|l| l.starts_with("Done "))
        .unwrap_or("(no summary)");
    eprintln!("fuzz: {done}");
}
