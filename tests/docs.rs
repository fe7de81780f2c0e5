//! The documentation stays true: README.md and every page of docs/. Every
//! relative link and anchor resolves; every YAML example is a spec that
//! renders, a guardrail file that loads, or a workflow or pre-commit snippet
//! naming this release and its hooks; every JSON example parses; every
//! `ecs-iam` command line is one the CLI accepts, and those that only read
//! the repository (or render into a scratch folder) run. A block that is
//! wrong on purpose is preceded by `<!-- invalid -->` and must then fail.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use clap::Parser as _;
use common::{Test, root};
use ecs_iam::cli::Args;
use ecs_iam::render::Templates;
use serde_yaml::Value;

/// README.md and docs/*.md, as (path relative to the root, text).
fn documents() -> Vec<(String, String)> {
    let mut names = vec!["README.md".to_owned()];
    let mut pages: Vec<String> = fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| Path::new(n).extension().is_some_and(|e| e == "md"))
        .map(|n| format!("docs/{n}"))
        .collect();
    pages.sort();
    names.extend(pages);
    names
        .into_iter()
        .map(|n| {
            let text = fs::read_to_string(root().join(&n)).unwrap();
            (n, text)
        })
        .collect()
}

/// One fenced code block.
struct Block {
    /// `file:line` of the opening fence.
    at: String,
    lang: String,
    /// The content, with the fence's indentation taken off each line.
    text: String,
    /// Preceded by `<!-- invalid -->`: the example is wrong on purpose.
    invalid: bool,
}

/// The fenced blocks of a document, and its lines outside them (blanked
/// inside, so line numbers stay).
fn parse(name: &str, text: &str) -> (Vec<Block>, Vec<String>) {
    let mut blocks = Vec::new();
    let mut prose = Vec::new();
    let mut open: Option<(usize, usize, String, bool, Vec<String>)> = None;
    let mut previous = "";
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        match open.take() {
            None => {
                if let Some(lang) = trimmed.strip_prefix("```") {
                    let invalid = previous.trim() == "<!-- invalid -->";
                    open = Some((i + 1, indent, lang.trim().to_owned(), invalid, Vec::new()));
                    prose.push(String::new());
                } else {
                    prose.push(line.to_owned());
                    if !line.trim().is_empty() {
                        previous = line;
                    }
                }
            }
            Some((start, fence_indent, lang, invalid, mut lines)) => {
                prose.push(String::new());
                if trimmed.trim_end() == "```" {
                    blocks.push(Block {
                        at: format!("{name}:{start}"),
                        lang,
                        text: lines.join("\n") + "\n",
                        invalid,
                    });
                    previous = "";
                } else {
                    let cut = line.len() - line.trim_start().len();
                    lines.push(line[cut.min(fence_indent)..].to_owned());
                    open = Some((start, fence_indent, lang, invalid, lines));
                }
            }
        }
    }
    assert!(open.is_none(), "{name}: a code block is never closed");
    (blocks, prose)
}

/// GitHub's anchor of a heading: lower case, spaces to `-`, punctuation
/// other than `-` and `_` removed.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' '))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of a document's headings; a repeated one gets `-1`, `-2`...
fn anchors(prose: &[String]) -> BTreeSet<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = BTreeSet::new();
    for line in prose {
        let hashes = line.len() - line.trim_start_matches('#').len();
        if (1..=6).contains(&hashes) && line[hashes..].starts_with(' ') {
            let a = anchor(&line[hashes..]);
            let n = seen.entry(a.clone()).or_insert(0);
            out.insert(if *n == 0 {
                a.clone()
            } else {
                format!("{a}-{n}")
            });
            *n += 1;
        }
    }
    out
}

/// The targets of the inline links `[text](target)` outside code, with the
/// line each is on.
fn links(prose: &[String]) -> Vec<(usize, String)> {
    let text = prose.join("\n");
    // Code spans may wrap; blank them, keeping the line breaks.
    let mut plain = String::with_capacity(text.len());
    let mut in_code = false;
    for c in text.chars() {
        if c == '`' {
            in_code = !in_code;
            plain.push(' ');
        } else if in_code && c != '\n' {
            plain.push(' ');
        } else {
            plain.push(c);
        }
    }
    let re = regex::Regex::new(r"\]\(([^)\s]+)\)").unwrap();
    re.captures_iter(&plain)
        .map(|c| {
            let m = c.get(1).unwrap();
            let line = plain[..m.start()].matches('\n').count() + 1;
            (line, m.as_str().to_owned())
        })
        .collect()
}

#[test]
fn every_relative_link_and_anchor_resolves() {
    let docs = documents();
    let anchors_of: BTreeMap<PathBuf, BTreeSet<String>> = docs
        .iter()
        .map(|(name, text)| (root().join(name), anchors(&parse(name, text).1)))
        .collect();
    let mut problems = Vec::new();
    let mut checked = 0;
    for (name, text) in &docs {
        let here = root().join(name);
        for (line, target) in links(&parse(name, text).1) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            checked += 1;
            let (path, fragment) = match target.split_once('#') {
                Some((p, f)) => (p, Some(f)),
                None => (target.as_str(), None),
            };
            let file = if path.is_empty() {
                here.clone()
            } else {
                here.parent().unwrap().join(path)
            };
            let file = normalise(&file);
            if !file.exists() {
                problems.push(format!("{name}:{line}: `{target}`: no such file"));
                continue;
            }
            if let Some(fragment) = fragment {
                match anchors_of.get(&file) {
                    Some(anchors) if anchors.contains(fragment) => {}
                    Some(_) => problems.push(format!(
                        "{name}:{line}: `{target}`: no heading has the anchor `#{fragment}`"
                    )),
                    None => problems.push(format!(
                        "{name}:{line}: `{target}`: an anchor into a file that is not README.md or docs/*.md"
                    )),
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    eprintln!("relative links checked: {checked}");
    assert!(checked >= 30, "only {checked} relative links found");
}

/// `a/b/../c` as `a/c`, without touching the file system.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[test]
fn the_readme_links_every_page() {
    let docs = documents();
    let readme = &docs[0].1;
    for (name, _) in &docs[1..] {
        assert!(
            readme.contains(&format!("]({name})")),
            "README.md does not link {name}"
        );
    }
}

fn blocks_of(lang: &str) -> Vec<Block> {
    documents()
        .iter()
        .flat_map(|(name, text)| parse(name, text).0)
        .filter(|b| b.lang == lang)
        .collect()
}

/// The spec format's top-level fields, from `ecs-iam schema`.
fn spec_fields() -> BTreeSet<String> {
    let out = Test::new().args(["schema"]).run();
    let schema: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    schema["properties"]
        .as_object()
        .expect("the schema lists properties")
        .keys()
        .cloned()
        .collect()
}

fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// What one YAML example is, and whether it holds: `Ok(kind)` or the problem.
fn check_yaml(block: &Block, fields: &BTreeSet<String>) -> Result<&'static str, String> {
    let value: Value = serde_yaml::from_str(&block.text).map_err(|e| format!("not YAML: {e}"))?;
    let keys: BTreeSet<String> = match &value {
        Value::Mapping(m) => m
            .keys()
            .map(|k| k.as_str().unwrap_or_default().to_owned())
            .collect(),
        _ => BTreeSet::new(),
    };
    let has = |k: &str| keys.contains(k);
    if has("version") && has("rules") {
        let test = Test::new().file("guardrails.yaml", &block.text);
        ecs_iam::guardrails::load(&test.dir().join("guardrails.yaml"))
            .map_err(|e| format!("the guardrail file does not load: {e}"))?;
        return Ok("guardrail file");
    }
    if !keys.is_empty() && keys.iter().all(|k| fields.contains(k)) {
        // A spec, or a part of one (completed with what it leaves out).
        let kind = if has("version") { "spec" } else { "spec part" };
        let mut spec = block.text.clone();
        if !has("name") {
            spec = format!("name: example\n{spec}");
        }
        if !has("version") {
            spec = format!("version: 1\n{spec}");
        }
        let test = Test::new().file("spec.yaml", spec);
        let (_, files) = ecs_iam::render_spec(
            &test.dir().join("spec.yaml"),
            &Templates::embedded().unwrap(),
        )
        .map_err(|e| format!("the {kind} does not render: {e}"))?;
        if !files.contains_key("cloudformation.yaml") {
            return Err(format!("the {kind} renders no cloudformation.yaml"));
        }
        return Ok(kind);
    }
    if has("jobs") {
        let uses = uses_of(&value);
        let ours: Vec<&String> = uses
            .iter()
            .filter(|u| u.starts_with("ecs-iam/ecs-iam@"))
            .collect();
        for u in &ours {
            if **u != format!("ecs-iam/ecs-iam@v{}", version()) {
                return Err(format!("`uses: {u}` is not this release, v{}", version()));
            }
        }
        return Ok("workflow");
    }
    if has("repos") {
        let hooks = fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
        let hooks: Value = serde_yaml::from_str(&hooks).unwrap();
        let ids: BTreeSet<&str> = hooks
            .as_sequence()
            .unwrap()
            .iter()
            .filter_map(|h| h["id"].as_str())
            .collect();
        for repo in value["repos"].as_sequence().unwrap() {
            if repo["repo"].as_str() != Some("https://github.com/ecs-iam/ecs-iam") {
                continue;
            }
            let rev = repo["rev"].as_str().unwrap_or_default();
            if rev != format!("v{}", version()) {
                return Err(format!("`rev: {rev}` is not this release, v{}", version()));
            }
            for hook in repo["hooks"].as_sequence().unwrap() {
                let id = hook["id"].as_str().unwrap_or_default();
                if !ids.contains(id) {
                    return Err(format!("no hook `{id}` in .pre-commit-hooks.yaml"));
                }
            }
        }
        return Ok("pre-commit configuration");
    }
    if let Value::Sequence(steps) = &value
        && steps
            .iter()
            .all(|s| s.get("run").is_some() || s.get("uses").is_some())
    {
        return Ok("workflow steps");
    }
    Err(
        "neither a spec, a guardrail file, a workflow nor a pre-commit configuration: \
         teach tests/docs.rs what it is, or mark it `<!-- invalid -->`"
            .to_owned(),
    )
}

/// Every `uses:` of a workflow's steps.
fn uses_of(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    match value {
        Value::Mapping(m) => {
            for (k, v) in m {
                if k.as_str() == Some("uses")
                    && let Some(u) = v.as_str()
                {
                    out.push(u.to_owned());
                }
                out.extend(uses_of(v));
            }
        }
        Value::Sequence(s) => s.iter().for_each(|v| out.extend(uses_of(v))),
        _ => {}
    }
    out
}

#[test]
fn every_yaml_example_is_a_spec_that_renders_or_a_file_that_loads() {
    let fields = spec_fields();
    let mut problems = Vec::new();
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for block in blocks_of("yaml") {
        match (check_yaml(&block, &fields), block.invalid) {
            (Ok(kind), false) => *kinds.entry(kind).or_default() += 1,
            (Err(e), false) => problems.push(format!("{}: {e}", block.at)),
            (Ok(kind), true) => problems.push(format!(
                "{}: marked invalid, but is a valid {kind}",
                block.at
            )),
            (Err(_), true) => *kinds.entry("invalid, as marked").or_default() += 1,
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    eprintln!("yaml examples checked: {kinds:?}");
    assert!(kinds.get("spec").copied().unwrap_or(0) >= 1, "{kinds:?}");
}

#[test]
fn every_json_example_parses() {
    let mut problems = Vec::new();
    let blocks = blocks_of("json");
    for block in &blocks {
        let parsed = serde_json::from_str::<serde_json::Value>(&block.text);
        match (parsed, block.invalid) {
            (Ok(value), false) => {
                if value.get("Statement").is_some() && !is_generated_policy(&value) {
                    problems.push(format!(
                        "{}: a policy no golden case or example generates",
                        block.at
                    ));
                }
            }
            (Err(e), false) => problems.push(format!("{}: {e}", block.at)),
            (Ok(_), true) => problems.push(format!("{}: marked invalid, but parses", block.at)),
            (Err(_), true) => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(!blocks.is_empty());
}

/// A policy document shown in the docs is one that ecs-iam writes: some
/// `cross-account/` file of the goldens or the examples' outputs.
fn is_generated_policy(value: &serde_json::Value) -> bool {
    let mut folders = Vec::new();
    for base in ["tests/golden", "outputs"] {
        for case in fs::read_dir(root().join(base)).unwrap() {
            let case = case.unwrap().path();
            folders.push(case.join("expected/cross-account"));
            folders.push(case.join("cross-account"));
        }
    }
    folders
        .iter()
        .filter_map(|f| fs::read_dir(f).ok())
        .flatten()
        .map(|e| e.unwrap().path())
        .filter_map(|p| fs::read_to_string(p).ok())
        .filter_map(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .any(|v| &v == value)
}

#[test]
fn the_hcl_examples_parse() {
    for block in blocks_of("hcl") {
        hcl::from_str::<hcl::Body>(&block.text)
            .unwrap_or_else(|e| panic!("{}: not HCL: {e}", block.at));
    }
}

/// One shell command's words, split as a POSIX shell splits them (quotes,
/// backslashes), without expansions; redirections dropped.
fn words(command: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut started = false;
    let mut chars = command.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') => word.extend(chars.next()),
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                started = true;
            }
            (None, '\\') => {
                word.extend(chars.next());
                started = true;
            }
            (None, c) if c.is_whitespace() => {
                if started {
                    out.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            (None, c) => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        out.push(word);
    }
    // `> file`, `2> file`, `>file`
    let mut kept = Vec::new();
    let mut skip = false;
    for w in out {
        if skip {
            skip = false;
        } else if w.trim_start_matches(['1', '2']).starts_with(['>', '<']) {
            skip = w
                .trim_start_matches(['1', '2'])
                .trim_start_matches(['>', '<'])
                .is_empty();
        } else {
            kept.push(w);
        }
    }
    kept
}

/// The ecs-iam command lines of a shell script: `ecs-iam ARGS`, or
/// `cargo run [--release] -- ARGS` in this repository, with comments,
/// continuations and the commands around them (`&&`, `||`, `|`, `;`) taken off.
fn commands(script: &str) -> Vec<Vec<String>> {
    let joined = script.replace("\\\n", " ");
    let mut out = Vec::new();
    for line in joined.lines() {
        let line = match line.find(" #") {
            Some(i) => &line[..i],
            None if line.trim_start().starts_with('#') => "",
            None => line,
        };
        for part in line.split("&&").flat_map(|p| p.split("||")) {
            for segment in part.split(['|', ';']) {
                let w = words(segment);
                match w.first().map(String::as_str) {
                    Some("ecs-iam") => out.push(w[1..].to_vec()),
                    Some("cargo") if w.get(1).map(String::as_str) == Some("run") => {
                        if let Some(i) = w.iter().position(|x| x == "--") {
                            out.push(w[i + 1..].to_vec());
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    out
}

/// The shell in the docs: the `sh` blocks and the `run:` steps of the YAML ones.
fn scripts() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = blocks_of("sh")
        .into_iter()
        .map(|b| (b.at, b.text))
        .collect();
    for block in blocks_of("yaml") {
        for (i, line) in block.text.lines().enumerate() {
            if let Some(run) = line
                .trim_start()
                .trim_start_matches("- ")
                .strip_prefix("run: ")
            {
                out.push((
                    format!("{} (line {} of the block)", block.at, i + 1),
                    run.to_owned(),
                ));
            }
        }
    }
    out
}

#[test]
fn every_command_line_is_one_the_cli_takes() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for (at, script) in scripts() {
        for args in commands(&script) {
            checked += 1;
            let argv = std::iter::once("ecs-iam".to_owned()).chain(args.iter().cloned());
            if let Err(e) = Args::try_parse_from(argv) {
                problems.push(format!("{at}: `ecs-iam {}`:\n{e}", args.join(" ")));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    eprintln!("command lines checked: {checked}");
    assert!(checked >= 10, "only {checked} command lines found");
}

/// The command lines that need nothing but the repository run from its root:
/// those that read (`diff`, `check`, `explain`, `verify`, `schema`), and
/// `render` into a scratch folder, whose output must be the committed one.
#[test]
fn the_command_lines_that_need_only_the_repository_run() {
    let mut ran = 0;
    for (at, script) in scripts() {
        for args in commands(&script) {
            let Some(sub) = args.first().map(String::as_str) else {
                continue;
            };
            let paths: Vec<&String> = args[1..]
                .iter()
                .filter(|a| !a.starts_with('-') && a.contains(['/', '.']))
                .collect();
            if !paths.iter().all(|p| root().join(p).exists()) {
                continue;
            }
            match sub {
                "diff" | "check" | "explain" | "verify" | "schema" => {
                    let out = Test::in_dir(&root())
                        .command()
                        .args(&args)
                        .output()
                        .unwrap();
                    let code = out.status.code();
                    assert!(
                        code == Some(0) || (sub == "check" && code == Some(1)),
                        "{at}: `ecs-iam {}` exits {code:?}:\n{}{}",
                        args.join(" "),
                        String::from_utf8_lossy(&out.stdout),
                        String::from_utf8_lossy(&out.stderr)
                    );
                }
                "render" if !args.iter().any(|a| a == "--out") => {
                    let test = Test::new();
                    let scratch = test.dir().to_owned();
                    let out = Test::in_dir(&root())
                        .command()
                        .args(&args)
                        .arg("--out")
                        .arg(&scratch)
                        .output()
                        .unwrap();
                    assert_eq!(out.status.code(), Some(0), "{at}: {out:?}");
                    for spec in &paths {
                        let name = Path::new(spec.as_str()).file_stem().unwrap();
                        let committed = root().join("outputs").join(name);
                        if committed.is_dir() {
                            assert_eq!(
                                common::read_folder(&scratch.join(name)),
                                common::read_folder(&committed),
                                "{at}: `ecs-iam {}` writes other files than outputs/ holds",
                                args.join(" ")
                            );
                        }
                    }
                }
                _ => continue,
            }
            ran += 1;
        }
    }
    eprintln!("command lines run: {ran}");
    assert!(ran >= 2, "only {ran} command lines ran");
}
