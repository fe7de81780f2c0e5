//! `ecs-iam explain` against goldens: the text and the JSON of every
//! example, of the literal-ARN case, whose pasted ARNs show as written,
//! and of the GuardDuty agent case (`tests/explain/`; `ECS_IAM_BLESS=1`
//! regenerates them); the text at other widths, and under a terminal.

mod common;

use std::fs;
#[cfg(target_os = "linux")]
use std::process::{Command, Stdio};

use common::Test;
use ecs_iam::explain::{self, Row};
use ecs_iam::spec_tree::Reach;

/// The specs of the goldens, by golden name.
const SPECS: [(&str, &str); 6] = [
    ("ecs-basic", "examples/ecs-basic.yaml"),
    ("ecs-observability", "examples/ecs-observability.yaml"),
    ("ecs-secrets-vpce", "examples/ecs-secrets-vpce.yaml"),
    ("matillion-agent", "examples/matillion-agent.yaml"),
    ("literal-arns", "tests/golden/literal-arns/spec.yaml"),
    ("guardduty-agent", "tests/golden/guardduty-agent/spec.yaml"),
];

/// The goldens: `NAME.txt` is the text piped (100 columns), `NAME.300.txt`
/// the text for `COLUMNS=300`, `NAME.json` the JSON.
#[test]
fn explain_matches_its_goldens() {
    let bless = std::env::var_os("ECS_IAM_BLESS").is_some();
    let mut failures = Vec::new();
    for (example, spec) in SPECS {
        for (format, columns, ext) in [
            ("text", None, "txt"),
            ("text", Some("300"), "300.txt"),
            ("json", None, "json"),
        ] {
            let mut test = Test::new()
                .copy(spec)
                .args(["explain", spec, "--format", format]);
            if let Some(columns) = columns {
                test = test.env("COLUMNS", columns);
            }
            let actual = test.run().stdout;
            let path = common::root().join(format!("tests/explain/{example}.{ext}"));
            if bless {
                fs::create_dir_all(path.parent().unwrap()).unwrap();
                fs::write(&path, &actual).unwrap();
            } else if fs::read_to_string(&path).ok().as_deref() != Some(actual.as_str()) {
                failures.push(format!("{}:\n{actual}", path.display()));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "explain differs from the goldens (ECS_IAM_BLESS=1 regenerates):\n{}",
        failures.join("\n")
    );
}

fn rows(spec: &str) -> Vec<Row> {
    let source = ecs_iam::spec::load(&common::root().join(spec), Reach::Tree)
        .unwrap_or_else(|e| panic!("{e}"));
    let model = ecs_iam::model::build(&source).unwrap_or_else(|e| panic!("{e}"));
    explain::explain(&model)
}

fn widest(text: &str) -> usize {
    text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

const HEADER: [&str; 7] = [
    "ROLE",
    "KIND",
    "EFFECT",
    "ACTIONS",
    "RESOURCES",
    "CONDITION",
    "FROM",
];

/// What a grant's seven fields say, without whitespace: a value wrapped
/// over lines reads the same.
fn fields(r: &Row) -> [String; 7] {
    r.cells().map(|f| squeeze(&f))
}

/// The grants `text` shows, read back from the table (a grant's lines
/// under the columns the header sets; a grant starts where ROLE is filled)
/// or from the blocks (`ROLE: ...  KIND: ...  EFFECT: ...`, then a
/// labelled value, continued on indented lines).
fn read_back(text: &str) -> Vec<[String; 7]> {
    let body = text.split("\nAction wildcards").next().unwrap();
    let mut lines = body.lines();
    let mut grants: Vec<[String; 7]> = Vec::new();
    if body.starts_with("ROLE ") {
        let header = lines.next().unwrap();
        let mut starts: Vec<usize> = HEADER.iter().map(|h| header.find(h).unwrap()).collect();
        starts.push(usize::MAX);
        for line in lines.filter(|l| !l.is_empty()) {
            let chars: Vec<char> = line.chars().collect();
            let column = |i: usize| -> String {
                let end = starts[i + 1].min(chars.len());
                chars[starts[i].min(end)..end].iter().collect()
            };
            if !column(0).trim().is_empty() {
                grants.push(Default::default());
            }
            let grant = grants.last_mut().expect("a grant's first line");
            for (i, field) in grant.iter_mut().enumerate() {
                field.push_str(&squeeze(&column(i)));
            }
        }
    } else {
        let mut field = 0;
        for line in lines.filter(|l| !l.is_empty()) {
            if let Some(title) = line.strip_prefix("ROLE: ") {
                let (role, rest) = title.split_once("  KIND: ").unwrap();
                let (kind, effect) = rest.split_once("  EFFECT: ").unwrap();
                grants.push([role, kind, effect, "", "", "-", ""].map(str::to_owned));
            } else if let Some(i) = (3..7).find(|&i| line.starts_with(&format!("  {}:", HEADER[i])))
            {
                field = i;
                let value = &line[HEADER[i].len() + 3..];
                grants.last_mut().unwrap()[i] = squeeze(value);
            } else {
                assert!(line.starts_with("      "), "not a continuation: {line:?}");
                grants.last_mut().unwrap()[field].push_str(&squeeze(line));
            }
        }
    }
    grants
}

/// At 80, 100 and 200 columns (blocks) and 300 (the table, wrapped, for
/// most specs): no line wider than the width, and every grant's every
/// field reads back whole once the line breaks are taken out; so do the
/// action wildcards' expansions.
#[test]
fn every_width_keeps_every_grant_whole() {
    let mut wildcards_seen = false;
    for (_, spec) in SPECS
        .into_iter()
        .chain([("acknowledged", "tests/golden/acknowledged/spec.yaml")])
    {
        let rows = rows(spec);
        let expected: Vec<[String; 7]> = rows.iter().map(fields).collect();
        let one_line = explain::text(&rows, usize::MAX);
        let table = one_line.split("\nAction wildcards").next().unwrap();
        assert_eq!(table.lines().count(), 1 + rows.len(), "{one_line}");
        let wildcards = |text: &str| {
            text.split_once("\nAction wildcards")
                .map(|(_, w)| squeeze(w))
        };
        wildcards_seen |= wildcards(&one_line).is_some();
        for width in [80, 100, 200, 300] {
            let text = explain::text(&rows, width);
            assert!(
                widest(&text) <= width,
                "{spec} at {width}: a line of {} characters:\n{text}",
                widest(&text)
            );
            assert_eq!(read_back(&text), expected, "{spec} at {width}:\n{text}");
            assert_eq!(
                wildcards(&text),
                wildcards(&one_line),
                "{spec} at {width}:\n{text}"
            );
        }
    }
    assert!(wildcards_seen, "no spec expands an action wildcard");
}

/// Piped, `explain` lays out for 100 columns, the same bytes wherever it
/// runs; `COLUMNS` sets another width.
#[test]
fn piped_the_width_is_100_unless_columns_says_otherwise() {
    let spec = "examples/matillion-agent.yaml";
    let run = |columns: Option<&str>| {
        let mut test = Test::new().copy(spec).args(["explain", spec]);
        if let Some(columns) = columns {
            test = test.env("COLUMNS", columns);
        }
        test.run().stdout
    };
    let piped = run(None);
    assert_eq!(piped, run(Some("100")));
    assert!(widest(&piped) <= 100, "{piped}");
    let wide = run(Some("200"));
    assert_ne!(wide, piped);
    assert!((101..=200).contains(&widest(&wide)), "{wide}");
    // Not a number: the piped width.
    assert_eq!(run(Some("wide")), piped);
}

/// Under a pseudo-terminal (util-linux's `script`, `stty cols N`), the
/// text is what `COLUMNS=N` gives piped, no line wider than N; `COLUMNS`
/// still overrides the terminal's width.
#[cfg(target_os = "linux")]
#[test]
fn a_terminal_gets_text_as_wide_as_it_is() {
    let spec = "examples/matillion-agent.yaml";
    let piped = |columns: &str| {
        Test::new()
            .copy(spec)
            .args(["explain", spec])
            .env("COLUMNS", columns)
            .run()
            .stdout
    };
    let dir = Test::new().copy(spec).dir().to_owned();
    let bin = env!("CARGO_BIN_EXE_ecs-iam").replace('\'', r"'\''");
    let on_terminal = |cols: u16, columns: Option<&str>| {
        let mut cmd = Command::new("script");
        cmd.args(["-q", "-e", "-c"])
            .arg(format!("stty cols {cols}; exec '{bin}' explain {spec}"))
            .arg("/dev/null")
            .current_dir(&dir)
            .env("NO_COLOR", "1")
            .env_remove("COLUMNS")
            .stdin(Stdio::null());
        if let Some(columns) = columns {
            cmd.env("COLUMNS", columns);
        }
        let out = cmd
            .output()
            .unwrap_or_else(|e| panic!("util-linux's `script` runs this test: {e}"));
        assert!(out.status.success(), "{out:?}");
        // The terminal turns each `\n` into `\r\n`.
        String::from_utf8(out.stdout).unwrap().replace("\r\n", "\n")
    };
    for cols in [80, 100] {
        let text = on_terminal(cols, None);
        assert!(
            widest(&text) <= usize::from(cols),
            "{cols} columns:\n{text}"
        );
        assert_eq!(text, piped(&cols.to_string()), "{cols} columns");
    }
    assert_eq!(on_terminal(80, Some("200")), piped("200"));
}

/// An ARN wider than its line breaks only after a `:`, `/` or `,`, never at
/// a space of its own (`tests/golden/braces` grants the prefix `my
/// reports/`): every line of a RESOURCES value but its last ends with one
/// of them, and the lines joined give the ARNs back.
#[test]
fn an_arn_breaks_only_after_a_colon_or_a_slash() {
    let rows = rows("tests/golden/braces/spec.yaml");
    let spaced = "arn:<partition>:s3:::braces-space/my reports/*";
    assert!(rows.iter().any(|r| r.resources.iter().any(|x| x == spaced)));
    let mut blocks = 0;
    for width in 30..=160 {
        let text = explain::text(&rows, width);
        if text.starts_with("ROLE ") {
            continue;
        }
        blocks += 1;
        let mut value: Option<Vec<&str>> = None;
        let mut values: Vec<Vec<&str>> = Vec::new();
        for line in text.lines() {
            if let Some(first) = line.strip_prefix("  RESOURCES:  ") {
                values.extend(value.take());
                value = Some(vec![first]);
            } else if let (Some(v), Some(more)) = (&mut value, line.strip_prefix("              "))
            {
                v.push(more);
            } else {
                values.extend(value.take());
            }
        }
        values.extend(value);
        let mut found = false;
        for lines in values {
            for l in &lines[..lines.len() - 1] {
                assert!(
                    l.ends_with([':', '/', ',']),
                    "at {width}, a line of an ARN ends with {l:?}:\n{text}"
                );
            }
            // Between two ARNs the break is after `,` and its space goes.
            let joined = lines.concat().replace(',', ", ");
            found |= joined.split(", ").any(|arn| arn == spaced);
        }
        assert!(found, "at {width}, `{spaced}` is not whole:\n{text}");
    }
    assert!(blocks > 100, "{blocks} widths laid out as blocks");
}
