//! Every reader is bounded: a file that never ends (`/dev/zero`, a FIFO
//! fed forever), a YAML alias bomb and deep nesting are refused with one
//! line and exit 2, at once and in bounded memory, whichever command reads
//! them: a spec, a task definition (`verify --task-definition`, `init
//! --from-task-definition`), a dump or template (`drift --deployed`, `init
//! --from-role`), a guardrails file (`check --guardrails`), a
//! `--templates` override, a rendered folder `diff` reads back, and the
//! blobs of `diff --base`. The hostile files are generated here, in the
//! test's scratch folder.
#![cfg(unix)]

mod common;

use std::fmt::Write as _;
use std::io::{Read as _, Write as _};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Test, git};

/// A run that takes longer than this is killed and fails.
const TIMEOUT: Duration = Duration::from_secs(20);

/// The address space each run gets: an alias expanded or an endless file
/// read whole would exceed it. A dump may be 256 MiB, read whole.
const ADDRESS_SPACE_KIB: u64 = 1024 * 1024;

const SPEC: &str = "version: 1\nname: w\n";

struct Outcome {
    status: Option<i32>,
    stderr: String,
    elapsed: Duration,
}

/// Run `test` with a watchdog: killed after [`TIMEOUT`].
fn run(test: Test) -> Outcome {
    let mut cmd: Command = test.address_space_limit_kib(ADDRESS_SPACE_KIB).command();
    let start = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut pipe = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = pipe.read_to_string(&mut s);
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`{cmd:?}` ran for more than {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Outcome {
        status: status.code(),
        stderr: reader.join().unwrap(),
        elapsed: start.elapsed(),
    }
}

/// A FIFO at `path` that a thread feeds with zeros until its reader goes.
fn endless_fifo(path: &Path) {
    let made = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(made.success());
    let path = path.to_owned();
    std::thread::spawn(move || {
        let Ok(mut fifo) = std::fs::OpenOptions::new().write(true).open(&path) else {
            return;
        };
        let zeros = vec![0u8; 64 * 1024];
        while fifo.write_all(&zeros).is_ok() {}
    });
}

/// `/dev/zero`, then a FIFO made here, given where `args` put `{}`: each
/// refused at once, the message naming `kind` and its cap `max`.
#[track_caller]
fn refused_as_too_large(args: &[&str], kind: &str, max: u64) {
    for endless in ["/dev/zero", "fifo"] {
        let test = Test::new().file("spec.yaml", SPEC);
        let file = if endless == "fifo" {
            let path = test.dir().join("endless");
            endless_fifo(&path);
            "endless"
        } else {
            endless
        };
        let args: Vec<String> = args.iter().map(|a| a.replace("{}", file)).collect();
        let out = run(test.args(&args));
        assert_eq!(
            (out.status, out.stderr.as_str()),
            (
                Some(2),
                format!(
                    "error: {file}:1:1: the file goes on past {max} bytes; a {kind} may be at most {max} bytes\n"
                )
                .as_str()
            ),
            "{args:?}"
        );
        assert!(out.elapsed < TIMEOUT, "{args:?} took {:?}", out.elapsed);
    }
}

#[test]
fn an_endless_spec_is_refused() {
    refused_as_too_large(&["render", "{}", "--out", "out"], "spec", 1_048_576);
}

#[test]
fn an_endless_task_definition_is_refused() {
    refused_as_too_large(
        &["verify", "spec.yaml", "--task-definition", "{}"],
        "task definition",
        4_194_304,
    );
    refused_as_too_large(
        &["init", "--from-task-definition", "{}", "--output", "-"],
        "task definition",
        4_194_304,
    );
}

#[test]
fn an_endless_task_definition_a_spec_names_is_refused() {
    let test = Test::new().file(
        "spec.yaml",
        format!("{SPEC}task_definitions: [endless.json]\n"),
    );
    endless_fifo(&test.dir().join("endless.json"));
    let out = run(test.args(["render", "spec.yaml", "--out", "out"]));
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (
            Some(2),
            "error: endless.json:1:1: the file goes on past 4194304 bytes; a task definition may be at most 4194304 bytes\n"
        )
    );
}

#[test]
fn an_endless_dump_is_refused() {
    refused_as_too_large(
        &["drift", "spec.yaml", "--deployed", "{}"],
        "dump",
        268_435_456,
    );
    refused_as_too_large(
        &["init", "--from-role", "{}#r", "--output", "-"],
        "dump",
        268_435_456,
    );
}

#[test]
fn an_endless_guardrails_file_is_refused() {
    refused_as_too_large(
        &["check", "spec.yaml", "--guardrails", "{}"],
        "guardrails file",
        1_048_576,
    );
}

#[test]
fn an_endless_template_override_is_refused() {
    let test = Test::new().file("spec.yaml", SPEC);
    std::fs::create_dir(test.dir().join("templates")).unwrap();
    endless_fifo(&test.dir().join("templates/cloudformation.yaml.tera"));
    let out = run(test.args(["render", "spec.yaml", "--templates", "templates"]));
    assert_eq!(out.status, Some(2));
    assert_eq!(
        out.stderr,
        "error: templates/cloudformation.yaml.tera:1:1: the file goes on past 16777216 bytes; a template may be at most 16777216 bytes\n"
    );
}

/// `head` with one 300,000-character string anchored where it puts `{}`,
/// then that string aliased 5,000 times, one alias a line at `indent`.
fn alias_bomb(head: &str, indent: &str) -> String {
    let mut text = head.replace("{}", &format!("&s \"{}\"", "x".repeat(300_000)));
    for _ in 0..5_000 {
        let _ = writeln!(text, "{indent}- *s");
    }
    text
}

/// The message for the alias bomb: the anchor and 55 aliases hold
/// 16,800,000 bytes, past the 16 MiB budget, so the 55th alias is refused.
fn alias_refused(file: &str, first_alias_line: usize, column: usize, kind: &str) -> String {
    format!(
        "error: {file}:{}:{column}: this alias would expand the {kind} past 1000000 nodes or 16777216 bytes; write the value out, or alias less\n",
        first_alias_line + 54
    )
}

#[test]
fn an_alias_bomb_spec_is_refused_at_the_alias() {
    let bomb = alias_bomb("version: 1\nname: w\ndescription: {}\ndeny:\n", "  ");
    assert!(bomb.len() < 400_000);
    let out =
        run(Test::new()
            .file("bomb.yaml", &bomb)
            .args(["render", "bomb.yaml", "--out", "out"]));
    assert_eq!(out.status, Some(2));
    assert_eq!(out.stderr, alias_refused("bomb.yaml", 5, 5, "spec"));
}

fn template_bomb() -> String {
    alias_bomb(
        "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      Description: {}\n      Tags:\n",
        "        ",
    )
}

#[test]
fn an_alias_bomb_template_is_refused_at_the_alias() {
    let expected = alias_refused("roles.yaml", 7, 11, "dump");
    let out = run(Test::new()
        .file("spec.yaml", SPEC)
        .file("roles.yaml", template_bomb())
        .args(["drift", "spec.yaml", "--deployed", "roles.yaml"]));
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (Some(2), expected.as_str())
    );
    let out = run(Test::new().file("roles.yaml", template_bomb()).args([
        "init",
        "--from-role",
        "roles.yaml#Role",
        "--output",
        "-",
    ]));
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (Some(2), expected.as_str())
    );
}

#[test]
fn an_alias_bomb_in_a_rendered_folder_is_refused_at_the_alias() {
    // A pull request's output folder is its author's too: `diff` reads it
    // back through the same budget.
    let test = Test::new().file("spec.yaml", SPEC);
    let dir = test.dir().to_owned();
    let out = run(test.args(["render", "spec.yaml"]));
    assert_eq!(out.status, Some(0), "{}", out.stderr);
    let bomb = alias_bomb(
        "Resources:\n  TaskRole:\n    Type: AWS::IAM::Role\n    Properties:\n      Description: {}\n      Tags:\n",
        "        ",
    );
    std::fs::write(dir.join("outputs/w/cloudformation.yaml"), bomb).unwrap();
    let out = run(Test::in_dir(&dir).args(["diff", "spec.yaml"]));
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (
            Some(2),
            alias_refused("outputs/w/cloudformation.yaml", 7, 11, "generated file").as_str()
        )
    );
}

#[test]
fn deep_nesting_is_refused_at_once() {
    let deep_json = format!("{}1{}", "{\"a\": ".repeat(100_000), "}".repeat(100_000));
    let out = run(Test::new()
        .file("spec.yaml", SPEC)
        .file("deep.json", &deep_json)
        .args(["drift", "spec.yaml", "--deployed", "deep.json"]));
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (
            Some(2),
            "error: deep.json:1:763: the text nests too deep to be a dump (a dump nests about twelve levels)\n"
        )
    );
    assert!(out.elapsed < Duration::from_secs(5), "{:?}", out.elapsed);

    let deep_yaml = format!(
        "version: 1\nrules: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let out = run(Test::new()
        .file("spec.yaml", SPEC)
        .file("guardrails.yaml", &deep_yaml)
        .args(["check", "spec.yaml", "--guardrails", "guardrails.yaml"]));
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (
            Some(2),
            "error: guardrails.yaml:2:263: the text nests too deep to be a guardrails file (a guardrails file nests about six levels)\n"
        )
    );
    assert!(out.elapsed < Duration::from_secs(5), "{:?}", out.elapsed);
}

#[test]
fn a_dump_may_start_with_a_byte_order_mark() {
    let dump = "{\"RoleDetailList\": []}";
    for text in [dump.to_owned(), format!("\u{feff}{dump}")] {
        Test::new()
            .file("spec.yaml", SPEC)
            .file("dump.json", &text)
            .args(["drift", "spec.yaml", "--deployed", "dump.json"])
            .status(1)
            .stdout(
                "spec.yaml: task role `w-task`: not deployed: no role of that name with path `/` in dump.json\n\
                 spec.yaml: execution role `w-execution`: not deployed: no role of that name with path `/` in dump.json\n\
                 drift: 2 roles: 0 match, 0 drifted, 2 missing; IAM: 0 broadening, 0 narrowing, 0 neutral\n",
            )
            .run();
    }
}

#[test]
fn a_blob_at_the_base_revision_is_read_through_the_cap() {
    // A spec over 1 MiB at `main`: refused from the size git gives before
    // its bytes.
    let test = Test::new();
    let dir = test.dir().to_owned();
    let padding = format!("# {}\n", "x".repeat(100)).repeat(20_000);
    let big = format!("{SPEC}{padding}");
    std::fs::write(dir.join("spec.yaml"), &big).unwrap();
    git(&dir, &["init", "-q", "-b", "main"]);
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "base"]);
    std::fs::write(dir.join("spec.yaml"), SPEC).unwrap();
    let out = run(Test::in_dir(&dir).args(["diff", "--base", "main", "spec.yaml"]));
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (
            Some(2),
            format!(
                "error: main:spec.yaml:1:1: the file is {} bytes; a spec may be at most 1048576 bytes\n",
                big.len()
            )
            .as_str()
        )
    );

    // A task definition over 4 MiB that the spec at `main` names.
    let test = Test::new();
    let dir = test.dir().to_owned();
    let spec = format!("{SPEC}task_definitions: [td.json]\n");
    std::fs::write(dir.join("spec.yaml"), &spec).unwrap();
    let td = format!(
        "{{\"family\": \"w\", \"containerDefinitions\": [], \"pad\": \"{}\"}}",
        "x".repeat(5_000_000)
    );
    std::fs::write(dir.join("td.json"), &td).unwrap();
    git(&dir, &["init", "-q", "-b", "main"]);
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "base"]);
    std::fs::write(dir.join("spec.yaml"), SPEC).unwrap();
    let out = run(Test::in_dir(&dir).args(["diff", "--base", "main", "spec.yaml"]));
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (
            Some(2),
            format!(
                "error: main:td.json:1:1: the file is {} bytes; a task definition may be at most 4194304 bytes\n",
                td.len()
            )
            .as_str()
        )
    );
}

#[test]
fn unclosed_placeholders_are_read_in_one_pass() {
    // Four megabytes of openers no closer follows, inside a string (read
    // for placeholders) and where JSON needs a value (read for stand-ins):
    // each must not search the rest of the file again, or reading it takes
    // minutes and the watchdog fails the run.
    let in_string = format!(
        "[{{\"name\": \"a\", \"image\": \"{}\"}}]",
        "{{${<".repeat(800_000)
    );
    let out = run(Test::new()
        .file(
            "spec.yaml",
            "version: 1\nname: w\ntask_definitions: [c.json]\n",
        )
        .file("c.json", &in_string)
        .args(["explain", "spec.yaml"]));
    assert_eq!(out.status, Some(2));
    assert!(
        out.stderr
            .starts_with("error: c.json:1:25: `containerDefinitions[a].image`: `{{${<"),
        "{}",
        &out.stderr[..200]
    );
    let as_values = format!("[{}]", "{{${<".repeat(800_000));
    let out = run(Test::new()
        .file(
            "spec.yaml",
            "version: 1\nname: w\ntask_definitions: [c.json]\n",
        )
        .file("c.json", &as_values)
        .args(["explain", "spec.yaml"]));
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (
            Some(2),
            "error: c.json:1:3: not JSON: key must be a string\n"
        )
    );
}
