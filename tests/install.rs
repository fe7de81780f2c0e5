//! Installing a release, as the GitHub Action and users do: the binary under
//! test packed by `scripts/package.sh` into a fake release, served over HTTP
//! from 127.0.0.1, and installed by `scripts/install.sh`, which must check
//! the archive against `SHA256SUMS` and install nothing when it does not
//! match. Also: the Action's install steps run as GitHub runs them, and the
//! `cargo binstall` metadata naming the same archives.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use common::Test;

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A folder served over HTTP on 127.0.0.1 until the test ends; every
/// request's path is logged.
struct Server {
    url: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn serve(dir: &Path) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&requests);
        let dir = dir.to_owned();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                // The whole request is read before answering: closing on
                // unread bytes resets the connection, which curl retries.
                let mut reader = BufReader::new(&stream);
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                let mut header = String::new();
                while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                    header.clear();
                }
                let path = line.split(' ').nth(1).unwrap_or("/").to_owned();
                log.lock().unwrap().push(path.clone());
                let file = dir.join(path.trim_start_matches('/'));
                let response = match fs::read(&file) {
                    Ok(body) if file.is_file() => {
                        let mut r = format!(
                            "HTTP/1.0 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            body.len()
                        )
                        .into_bytes();
                        r.extend(body);
                        r
                    }
                    _ => {
                        b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .to_vec()
                    }
                };
                let _ = stream.write_all(&response);
            }
        });
        Self { url, requests }
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

/// What a script printed and returned.
#[derive(Debug)]
struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

fn sh(script: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new("sh");
    cmd.arg(common::root().join("scripts").join(script))
        .args(args);
    for var in [
        "ECS_IAM_VERSION",
        "ECS_IAM_TARGET",
        "ECS_IAM_DOWNLOAD_URL",
        "http_proxy",
        "https_proxy",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "all_proxy",
    ] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    let out = cmd.output().expect("sh runs");
    Run {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// This machine's release target, as the install script names it.
fn target() -> String {
    let run = sh("install.sh", &["--target"], &[]);
    assert_eq!(run.status, 0, "{run:?}");
    run.stdout.trim_end().to_owned()
}

fn sha256(file: &Path) -> String {
    let out = Command::new("sha256sum")
        .arg(file)
        .output()
        .or_else(|_| {
            Command::new("shasum")
                .args(["-a", "256"])
                .arg(file)
                .output()
        })
        .expect("sha256sum or shasum runs");
    String::from_utf8_lossy(&out.stdout)
        .split(' ')
        .next()
        .unwrap()
        .to_owned()
}

/// A release folder: `binary` packed for this machine as ecs-iam, and
/// `SHA256SUMS` listing it (and another target's archive, as a release
/// does). Returns the folder and the archive's name.
fn fake_release(binary: Binary) -> (PathBuf, String) {
    fake_release_for(binary, &target())
}

/// [`fake_release`] packed for `target`: a `.zip` holding `ecs-iam.exe`
/// for Windows.
fn fake_release_for(binary: Binary, target: &str) -> (PathBuf, String) {
    let scratch = Test::new().dir().to_owned();
    let dir = scratch.join("release");
    let binary = match binary {
        Binary::UnderTest => PathBuf::from(env!("CARGO_BIN_EXE_ecs-iam")),
        Binary::Script => {
            let script = scratch.join("ecs-iam-script");
            fs::write(&script, format!("#!/bin/sh\necho 'ecs-iam {VERSION}'\n")).unwrap();
            script
        }
    };
    let run = sh(
        "package.sh",
        &[
            VERSION,
            target,
            binary.to_str().unwrap(),
            dir.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(run.status, 0, "{run:?}");
    let extension = if target.contains("windows") {
        "zip"
    } else {
        "tar.gz"
    };
    let archive = format!("ecs-iam-{VERSION}-{target}.{extension}");
    assert_eq!(run.stdout, format!("{}\n", dir.join(&archive).display()));
    let sums = format!(
        "{}  ecs-iam-{VERSION}-x86_64-apple-darwin.tar.gz\n{}  {archive}\n",
        "0".repeat(64),
        sha256(&dir.join(&archive)),
    );
    fs::write(dir.join("SHA256SUMS"), sums).unwrap();
    (dir, archive)
}

/// What a fake release packs: the binary under test (a debug build, over
/// 100 MB, seconds to pack), or a shell script answering `--version` as it
/// does.
#[derive(Clone, Copy)]
enum Binary {
    UnderTest,
    Script,
}

/// `DIR/ecs-iam --version`.
fn version_of(dir: &Path) -> String {
    let out = Command::new(dir.join("ecs-iam"))
        .arg("--version")
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", dir.join("ecs-iam").display()));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_release_archive_is_checked_installed_and_runs() {
    let (release, archive) = fake_release(Binary::UnderTest);
    let server = Server::serve(&release);
    let bin = release.parent().unwrap().join("bin");
    let run = sh(
        "install.sh",
        &[bin.to_str().unwrap()],
        &[("ECS_IAM_DOWNLOAD_URL", &server.url)],
    );
    assert_eq!(
        (run.status, run.stderr.as_str(), run.stdout),
        (
            0,
            "",
            format!(
                "installed ecs-iam {VERSION} ({}) as {}/ecs-iam ({archive} matches SHA256SUMS)\n",
                target(),
                bin.display()
            )
        )
    );
    assert_eq!(
        server.requests(),
        ["/SHA256SUMS".to_owned(), format!("/{archive}")]
    );
    assert!(
        version_of(&bin).starts_with(&format!("ecs-iam {VERSION}\n")),
        "{}",
        version_of(&bin)
    );
    // Only the binary is installed; the download is cleaned up.
    let installed: Vec<_> = fs::read_dir(&bin)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(installed, ["ecs-iam"]);

    // The archive holds one folder: the binary and the documents present.
    let listed = Command::new("tar")
        .arg("-tzf")
        .arg(release.join(&archive))
        .output()
        .unwrap();
    let mut entries: Vec<String> = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    entries.sort();
    let folder = archive.trim_end_matches(".tar.gz");
    let mut expected = vec![format!("{folder}/"), format!("{folder}/ecs-iam")];
    for doc in [
        "README.md",
        "LICENSE",
        "LICENSE-MIT",
        "LICENSE-APACHE",
        "THIRD-PARTY-NOTICES.md",
        "THIRD-PARTY-CRATES.yml",
    ] {
        if common::root().join(doc).is_file() {
            expected.push(format!("{folder}/{doc}"));
        }
    }
    // The manual the README links to.
    expected.push(format!("{folder}/docs/"));
    for page in fs::read_dir(common::root().join("docs")).unwrap() {
        let path = page.unwrap().path();
        // What `cp docs/*.md` copies: the shell's glob is case-sensitive.
        if path.extension().is_some_and(|e| e == "md") {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            expected.push(format!("{folder}/docs/{name}"));
        }
    }
    expected.sort();
    assert_eq!(entries, expected);
}

/// A failure case: what it is, what it changes in the release (returning
/// the stderr it expects), and the folder of the server to look in.
type Case<'a> = (&'a str, Box<dyn Fn() -> String + 'a>, &'a str);

#[test]
fn a_bad_download_installs_nothing() {
    let (release, archive) = fake_release(Binary::Script);
    let server = Server::serve(&release);
    let url = &server.url;
    let sums = fs::read_to_string(release.join("SHA256SUMS")).unwrap();
    let good = sha256(&release.join(&archive));
    let bad = "ab".repeat(32);
    let fail =
        |message: String| format!("error: installing ecs-iam: {message}; nothing installed\n");

    // Each case: what it changes in the release and the stderr it expects,
    // and where the release is looked for (a folder the server lacks: curl's
    // own line comes before the message).
    let cases: Vec<Case> = vec![
        (
            "the listed checksum is another",
            Box::new(|| {
                fs::write(release.join("SHA256SUMS"), sums.replace(&good, &bad)).unwrap();
                fail(format!(
                    "checksum mismatch: `{archive}` has SHA-256 {good}, but SHA256SUMS says {bad}"
                ))
            }),
            "",
        ),
        (
            "the archive was replaced after SHA256SUMS was written",
            Box::new(|| {
                fs::write(release.join("SHA256SUMS"), &sums).unwrap();
                let mut bytes = fs::read(release.join(&archive)).unwrap();
                bytes.extend(b"tampered");
                fs::write(release.join(&archive), bytes).unwrap();
                let tampered = sha256(&release.join(&archive));
                fail(format!(
                    "checksum mismatch: `{archive}` has SHA-256 {tampered}, but SHA256SUMS says {good}"
                ))
            }),
            "",
        ),
        (
            "SHA256SUMS does not list this machine's archive",
            Box::new(|| {
                let other = sums.lines().next().unwrap();
                fs::write(release.join("SHA256SUMS"), format!("{other}\n")).unwrap();
                fail(format!(
                    "`{url}/SHA256SUMS` lists no `{archive}`: v{VERSION} has no build for {}",
                    target()
                ))
            }),
            "",
        ),
        (
            "the release does not exist",
            Box::new(|| {
                format!(
                    "error: installing ecs-iam: could not download `{url}/v9.9.9/SHA256SUMS`; is v{VERSION} released?\n"
                )
            }),
            "/v9.9.9",
        ),
    ];
    for (what, change, folder) in cases {
        let stderr = change();
        let bin = release.parent().unwrap().join("bin");
        fs::create_dir_all(&bin).unwrap();
        fs::write(bin.join("ecs-iam"), "#!/bin/sh\necho previous\n").unwrap();
        let run = sh(
            "install.sh",
            &[bin.to_str().unwrap()],
            &[("ECS_IAM_DOWNLOAD_URL", &format!("{url}{folder}"))],
        );
        assert_eq!(run.status, 1, "{what}: {run:?}");
        assert_eq!(run.stdout, "", "{what}");
        if folder.is_empty() {
            assert_eq!(run.stderr, stderr, "{what}");
        } else {
            assert!(run.stderr.ends_with(&stderr), "{what}: {}", run.stderr);
        }
        // What was installed before is left as it was, and nothing is added.
        assert_eq!(
            fs::read_to_string(bin.join("ecs-iam")).unwrap(),
            "#!/bin/sh\necho previous\n",
            "{what}"
        );
        assert_eq!(fs::read_dir(&bin).unwrap().count(), 1, "{what}");
    }
}

#[test]
fn by_default_it_downloads_from_the_github_release_of_its_own_version() {
    assert_eq!(
        sh("install.sh", &["--version"], &[]).stdout,
        format!("{VERSION}\n")
    );
    // A proxy that refuses every connection: the URL shows in the message,
    // and nothing reaches the network.
    let bin = Test::new().dir().join("bin");
    let run = sh(
        "install.sh",
        &[bin.to_str().unwrap()],
        &[
            ("https_proxy", "http://127.0.0.1:1"),
            ("HTTPS_PROXY", "http://127.0.0.1:1"),
            ("no_proxy", ""),
            ("NO_PROXY", ""),
        ],
    );
    assert_eq!(run.status, 1, "{run:?}");
    assert!(
        run.stderr.ends_with(&format!(
            "error: installing ecs-iam: could not download `https://github.com/ecs-iam/ecs-iam/releases/download/v{VERSION}/SHA256SUMS`; is v{VERSION} released?\n"
        )),
        "{}",
        run.stderr
    );
    assert!(!bin.exists());
}

/// `[package.metadata.binstall]` and its overrides: table → key → value.
fn binstall_metadata() -> BTreeMap<String, BTreeMap<String, String>> {
    let manifest = fs::read_to_string(common::root().join("Cargo.toml")).unwrap();
    let mut tables: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut table = String::new();
    for line in manifest.lines() {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            name.clone_into(&mut table);
        } else if let (true, Some((key, value))) = (
            table.starts_with("package.metadata.binstall"),
            line.split_once(" = "),
        ) {
            tables
                .entry(table.clone())
                .or_default()
                .insert(key.to_owned(), value.trim_matches('"').to_owned());
        }
    }
    tables
}

/// The binstall settings `cargo binstall` applies for `target`: the
/// package's, then the target's override.
fn meta_of(target: &str) -> BTreeMap<String, String> {
    let meta = binstall_metadata();
    let mut m = meta["package.metadata.binstall"].clone();
    if let Some(over) = meta.get(&format!("package.metadata.binstall.overrides.{target}")) {
        m.extend(over.clone());
    }
    m
}

/// The archive's entries (`tar` or `unzip`).
fn entries(archive: &Path) -> Vec<String> {
    let out = if archive.extension().unwrap() == "zip" {
        Command::new("unzip").arg("-Z1").arg(archive).output()
    } else {
        Command::new("tar").arg("-tzf").arg(archive).output()
    }
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn cargo_binstall_fetches_the_archives_the_release_workflow_packs() {
    let workflow: serde_yaml::Value = serde_yaml::from_str(
        &fs::read_to_string(common::root().join(".github/workflows/release.yml")).unwrap(),
    )
    .unwrap();
    let targets: Vec<&str> = ["build", "cross"]
        .iter()
        .flat_map(|job| {
            workflow["jobs"][job]["strategy"]["matrix"]["include"]
                .as_sequence()
                .unwrap()
        })
        .map(|t| t["target"].as_str().unwrap())
        .collect();
    assert_eq!(
        targets,
        [
            "x86_64-apple-darwin",
            "aarch64-apple-darwin",
            "x86_64-pc-windows-gnu",
            "aarch64-unknown-linux-musl",
            "x86_64-unknown-linux-musl",
        ]
    );
    // An MSVC machine takes the Windows archive, built for windows-gnu.
    let msvc = &meta_of("x86_64-pc-windows-msvc");
    assert_eq!(
        msvc["pkg-url"]
            .replace("{ version }", VERSION)
            .replace("{ name }", "ecs-iam"),
        format!(
            "https://github.com/ecs-iam/ecs-iam/releases/download/v{VERSION}/ecs-iam-{VERSION}-x86_64-pc-windows-gnu.zip"
        )
    );
    assert_eq!(
        msvc["bin-dir"],
        "{ name }-{ version }-x86_64-pc-windows-gnu/{ bin }{ binary-ext }"
    );
    let dir = Test::new().dir().to_owned();
    fs::write(dir.join("binary"), "#!/bin/sh\n").unwrap();
    for target in targets {
        let m = meta_of(target);
        let windows = target.contains("windows");
        let expand = |template: &str| {
            template
                .replace("{ name }", "ecs-iam")
                .replace("{ bin }", "ecs-iam")
                .replace("{ version }", VERSION)
                .replace("{ target }", target)
                .replace("{ binary-ext }", if windows { ".exe" } else { "" })
        };
        let run = sh(
            "package.sh",
            &[
                VERSION,
                target,
                dir.join("binary").to_str().unwrap(),
                dir.join("dist").to_str().unwrap(),
            ],
            &[],
        );
        assert_eq!(run.status, 0, "{target}: {run:?}");
        let archive = PathBuf::from(run.stdout.trim_end());
        let file = archive.file_name().unwrap().to_str().unwrap();
        assert_eq!(
            expand(&m["pkg-url"]),
            format!("https://github.com/ecs-iam/ecs-iam/releases/download/v{VERSION}/{file}"),
            "{target}"
        );
        assert_eq!(
            m["pkg-fmt"],
            if windows { "zip" } else { "tgz" },
            "{target}"
        );
        assert!(
            entries(&archive).contains(&expand(&m["bin-dir"])),
            "{target}: {:?}",
            entries(&archive)
        );
    }
}

// ------------------------------------------------------------ the Action

/// `${{ inputs.NAME }}` and `${{ steps.ID.outputs.NAME }}` replaced.
fn expand(
    text: &str,
    inputs: &BTreeMap<&str, String>,
    outputs: &BTreeMap<String, String>,
) -> String {
    let mut out = text.to_owned();
    for (name, value) in inputs {
        out = out.replace(&format!("${{{{ inputs.{name} }}}}"), value);
    }
    for (name, value) in outputs {
        out = out.replace(&format!("${{{{ steps.{name} }}}}"), value);
    }
    assert!(
        !out.contains("${{"),
        "an expression the test does not know: {out}"
    );
    out
}

/// Run the steps of `action.yml` whose condition starts with `condition`
/// (but those named in `skip`), as GitHub's composite runner does (`bash
/// --noprofile --norc -eo pipefail`), with GITHUB_ACTION_PATH at `action`;
/// `actions/cache` finds nothing.
/// Returns the step outputs (`id.outputs.name`), the cache steps' `with`,
/// and GITHUB_PATH.
fn run_action_steps(
    condition: &str,
    skip: &[&str],
    action: &Path,
    inputs: &[(&str, &str)],
    runner: &Path,
    runner_env: &[(&str, &str)],
) -> (
    BTreeMap<String, String>,
    Vec<BTreeMap<String, String>>,
    String,
) {
    let manifest: serde_yaml::Value =
        serde_yaml::from_str(&fs::read_to_string(common::root().join("action.yml")).unwrap())
            .unwrap();
    let mut values: BTreeMap<&str, String> = BTreeMap::new();
    for (name, input) in manifest["inputs"].as_mapping().unwrap() {
        values.insert(
            name.as_str().unwrap(),
            input["default"].as_str().unwrap().to_owned(),
        );
    }
    for (name, value) in inputs {
        values.insert(name, (*value).to_owned());
    }
    let mut outputs = BTreeMap::new();
    let mut caches = Vec::new();
    let path_file = runner.join("path");
    for step in manifest["runs"]["steps"].as_sequence().unwrap() {
        if !step["if"]
            .as_str()
            .is_some_and(|c| c.starts_with(condition))
            || skip.contains(&step["name"].as_str().unwrap())
        {
            continue;
        }
        let id = step["id"].as_str().unwrap_or_default();
        if let Some(uses) = step["uses"].as_str() {
            assert_eq!(uses, "actions/cache@v4");
            let with = step["with"].as_mapping().unwrap();
            caches.push(
                with.iter()
                    .map(|(k, v)| {
                        (
                            k.as_str().unwrap().to_owned(),
                            expand(v.as_str().unwrap(), &values, &outputs),
                        )
                    })
                    .collect(),
            );
            outputs.insert(format!("{id}.outputs.cache-hit"), "false".to_owned());
            continue;
        }
        assert_eq!(step["shell"].as_str(), Some("bash"));
        let output_file = runner.join(format!("output-{id}"));
        let mut cmd = Command::new("bash");
        cmd.args([
            "--noprofile",
            "--norc",
            "-eo",
            "pipefail",
            "-c",
            step["run"].as_str().unwrap(),
        ])
        .current_dir(runner)
        .env("GITHUB_ACTION_PATH", action)
        .env("RUNNER_TOOL_CACHE", runner.join("tool-cache"))
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64")
        .env("HOME", runner.join("home"))
        .env("GITHUB_OUTPUT", &output_file)
        .env("GITHUB_PATH", &path_file)
        .envs(runner_env.iter().copied());
        if let Some(env) = step["env"].as_mapping() {
            for (k, v) in env {
                cmd.env(
                    k.as_str().unwrap(),
                    expand(v.as_str().unwrap(), &values, &outputs),
                );
            }
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{}: {}{}",
            step["name"].as_str().unwrap(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        for line in fs::read_to_string(&output_file).unwrap_or_default().lines() {
            let (k, v) = line.split_once('=').unwrap();
            outputs.insert(format!("{id}.outputs.{k}"), v.to_owned());
        }
    }
    (
        outputs,
        caches,
        fs::read_to_string(path_file).unwrap_or_default(),
    )
}

#[test]
fn the_action_installs_the_release_of_its_own_version_and_caches_it() {
    // This machine's archive, and the Windows (zip) and aarch64 ones, each
    // picked by a runner of its platform (ECS_IAM_TARGET stands in for
    // what `uname` says there).
    for target in [
        target(),
        "x86_64-pc-windows-gnu".to_owned(),
        "aarch64-unknown-linux-musl".to_owned(),
    ] {
        let (release, _) = fake_release_for(Binary::Script, &target);
        let server = Server::serve(&release);
        let runner = Test::new().dir().to_owned();
        let (outputs, caches, path) = run_action_steps(
            "inputs.install == 'release'",
            &[],
            &common::root(),
            &[("download-url", &server.url)],
            &runner,
            &[("ECS_IAM_TARGET", &target)],
        );
        let dir = runner.join(format!("tool-cache/ecs-iam/{VERSION}/{target}"));
        assert_eq!(path, format!("{}\n", dir.display()), "{target}");
        assert_eq!(outputs["release.outputs.version"], VERSION);
        assert_eq!(outputs["release.outputs.target"], target);
        assert_eq!(
            caches,
            [BTreeMap::from([
                ("path".to_owned(), dir.display().to_string()),
                (
                    "key".to_owned(),
                    format!("ecs-iam-release-{VERSION}-{target}")
                ),
            ])]
        );
        let bin = if target.contains("windows") {
            "ecs-iam.exe"
        } else {
            "ecs-iam"
        };
        let installed: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(installed, [bin], "{target}");
        let out = Command::new(dir.join(bin))
            .arg("--version")
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            format!("ecs-iam {VERSION}\n")
        );
    }
}

#[test]
fn the_cargo_install_cache_key_follows_the_lock_file_and_the_sources() {
    let action = Test::new()
        .file("Cargo.lock", "# a lock file\n")
        .file("src/main.rs", "fn main() {}\n")
        .file("target/release/ignored", "built\n")
        .dir()
        .to_owned();
    let key = || {
        let runner = Test::new().dir().to_owned();
        let (outputs, caches, path) = run_action_steps(
            "inputs.install == 'cargo'",
            &["Install ecs-iam"],
            &action,
            &[("install", "cargo")],
            &runner,
            &[],
        );
        assert_eq!(
            path,
            format!("{}\n", runner.join("home/.cargo/ecs-iam/bin").display())
        );
        assert_eq!(caches[0]["key"], outputs["cargo.outputs.key"]);
        assert_eq!(
            caches[0]["restore-keys"],
            outputs["cargo.outputs.restore-key"]
        );
        (
            outputs["cargo.outputs.key"].clone(),
            outputs["cargo.outputs.restore-key"].clone(),
        )
    };
    let (first, restore) = key();
    assert!(
        first.starts_with(&restore) && restore.starts_with("ecs-iam-cargo-Linux-X64-"),
        "{first}"
    );
    // The same files: the same key, so the cached binary is used as it is.
    fs::write(action.join("target/release/ignored"), "rebuilt\n").unwrap();
    assert_eq!(key(), (first.clone(), restore.clone()));
    // A source changed: another key, but the same lock file's build to start from.
    fs::write(action.join("src/main.rs"), "fn main() { println!(); }\n").unwrap();
    let (second, same) = key();
    assert_ne!(second, first);
    assert_eq!(same, restore);
    // Another lock file: nothing to start from.
    fs::write(action.join("Cargo.lock"), "# another lock file\n").unwrap();
    assert_ne!(key().1, restore);

    // The build the key stands for runs only when the cache missed, into
    // the cached folders.
    let manifest: serde_yaml::Value =
        serde_yaml::from_str(&fs::read_to_string(common::root().join("action.yml")).unwrap())
            .unwrap();
    let install = manifest["runs"]["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Install ecs-iam")
        .unwrap();
    assert_eq!(
        install["if"].as_str(),
        Some("inputs.install == 'cargo' && steps.cargo-cache.outputs.cache-hit != 'true'")
    );
    assert_eq!(
        install["run"].as_str(),
        Some(
            "cargo install --locked --path \"$GITHUB_ACTION_PATH\" --root \"$HOME/.cargo/ecs-iam\" --target-dir \"$HOME/.cargo/ecs-iam-target\""
        )
    );
}
