//! The documentation stays true: README.md and every page of docs/. Every
//! relative link and anchor resolves; every YAML example is a spec that
//! renders, a guardrail file that loads, or a workflow or pre-commit snippet
//! naming this release and its hooks; every JSON example parses; every
//! `ecs-iam` command line is one the CLI accepts; and every `sh` block is a
//! user's session, run as the page says; and the spec page's example of a
//! spec with four problems reports them one run at a time, as the page
//! shows. A block that is wrong on purpose is preceded by `<!-- invalid -->`
//! and must then fail.
//!
//! # Sessions
//!
//! Each `sh` block runs in order, in one `sh`, in a fresh folder outside any
//! git work tree, with the binary under test on `PATH` as `ecs-iam`. Every
//! command must exit 0, unless its own comment says otherwise: a command
//! ending in `# exits N ...` must exit `N`. Comment lines and blank lines
//! are not commands. HTML comments right above a block (one per line) say
//! what it is:
//!
//! - `<!-- session: DIRECTIVE; DIRECTIVE... -->` sets the folder up first:
//!   - `PATH = doc`: the file `PATH` holds this page's block marked
//!     `<!-- file: PATH -->` (the file the page shows the user);
//!   - `PATH = REPO_PATH`: a copy of this repository's file or folder
//!     `REPO_PATH` (a file the user has and the page does not show, such as
//!     their task definition, or `examples/`);
//!   - `git`: the folder is a git repository, everything set up committed on
//!     `main`, which is also `origin/main`, as in a clone;
//!   - `continues`: the folder is the one the page's previous session left;
//!   - `skip PROGRAM: REASON`: the lines that run `PROGRAM` (e.g. `aws`,
//!     which needs an account) are not run; a file set up stands for what
//!     they would write;
//!   - `cargo run`: `cargo run [--release] -- ARGS` runs the binary under
//!     test with `ARGS`, as cargo would after building it.
//!
//!   A block with no marker is a session with nothing set up.
//! - `<!-- not-run: REASON -->`: the block is not run (its `ecs-iam` lines
//!   are still parsed by the CLI).
//! - `<!-- file: PATH -->` (any language): the block is the file `PATH` of
//!   the page's sessions.
//! - `<!-- output -->` (a `text` block): exactly what the last command of the
//!   session above printed, standard output then standard error.
//!
//! After each session, every `outputs/NAME/` in its folder whose `NAME` this
//! repository commits under `outputs/` must hold the committed files.

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
    /// The line of the opening fence (the `sh` sessions, Unix only).
    #[cfg_attr(not(unix), allow(dead_code))]
    line: usize,
    lang: String,
    /// The content, with the fence's indentation taken off each line.
    text: String,
    /// The HTML comments right above the fence, each without `<!--` and
    /// `-->`.
    markers: Vec<String>,
    /// Preceded by `<!-- invalid -->`: the example is wrong on purpose.
    invalid: bool,
}

impl Block {
    /// The page the block is on.
    fn page(&self) -> &str {
        self.at.rsplit_once(':').map_or(&self.at, |(page, _)| page)
    }
}

/// An opened block: its first line, the fence's indentation, language,
/// markers and lines so far.
type Open = (usize, usize, String, Vec<String>, Vec<String>);

/// The fenced blocks of a document, and its lines outside them (blanked
/// inside, so line numbers stay).
fn parse(name: &str, text: &str) -> (Vec<Block>, Vec<String>) {
    let mut blocks = Vec::new();
    let mut prose = Vec::new();
    let mut open: Option<Open> = None;
    let mut markers: Vec<String> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        match open.take() {
            None => {
                if let Some(lang) = trimmed.strip_prefix("```") {
                    let above = std::mem::take(&mut markers);
                    open = Some((i + 1, indent, lang.trim().to_owned(), above, Vec::new()));
                    prose.push(String::new());
                } else {
                    prose.push(line.to_owned());
                    let line = line.trim();
                    if let Some(marker) = line
                        .strip_prefix("<!--")
                        .and_then(|m| m.strip_suffix("-->"))
                    {
                        markers.push(marker.trim().to_owned());
                    } else if !line.is_empty() {
                        markers.clear();
                    }
                }
            }
            Some((start, fence_indent, lang, above, mut lines)) => {
                prose.push(String::new());
                if trimmed.trim_end() == "```" {
                    blocks.push(Block {
                        at: format!("{name}:{start}"),
                        line: start,
                        lang,
                        text: lines.join("\n") + "\n",
                        invalid: above.iter().any(|m| m == "invalid"),
                        markers: above,
                    });
                } else {
                    let cut = line.len() - line.trim_start().len();
                    lines.push(line[cut.min(fence_indent)..].to_owned());
                    open = Some((start, fence_indent, lang, above, lines));
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
    let sessions = blocks_of("sh");
    for block in blocks_of("yaml") {
        // A file the page's sessions set up is checked by running them
        // (a spec naming task definitions renders only beside them).
        let file = block
            .markers
            .iter()
            .find_map(|m| m.trim().strip_prefix("file: ").map(str::trim));
        if let Some(file) = file
            && sessions.iter().any(|s| {
                s.page() == block.page()
                    && s.markers
                        .iter()
                        .any(|m| m.contains(&format!("{file} = doc")))
            })
        {
            *kinds.entry("file of a session").or_default() += 1;
            continue;
        }
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

/// The `sh` blocks run as sessions (see the file's first comment).
#[cfg(unix)]
mod sessions {
    use std::collections::BTreeMap;
    use std::fmt::Write as _;
    use std::fs;
    use std::path::{Path, PathBuf};

    use super::common::{self, Test, root};
    use super::{Block, documents, parse, words};

    /// How a session's folder is set up: its `<!-- session: ... -->`.
    #[derive(Default)]
    struct Setup {
        git: bool,
        continues: bool,
        cargo_run: bool,
        /// (path in the folder, the repository's path it is copied from);
        /// `None` for the page's block marked `<!-- file: PATH -->`.
        files: Vec<(String, Option<String>)>,
        /// Programs whose lines are not run, each with why.
        skip: Vec<(String, String)>,
    }

    impl Setup {
        fn parse(directives: &str) -> Result<Self, String> {
            let mut setup = Setup::default();
            for d in directives
                .split(';')
                .map(str::trim)
                .filter(|d| !d.is_empty())
            {
                match d {
                    "git" => setup.git = true,
                    "continues" => setup.continues = true,
                    "cargo run" => setup.cargo_run = true,
                    _ => {
                        if let Some(rest) = d.strip_prefix("skip ") {
                            let (program, reason) = rest
                                .split_once(':')
                                .filter(|(_, r)| !r.trim().is_empty())
                                .ok_or_else(|| {
                                    format!("`{d}`: give the reason, `skip PROGRAM: REASON`")
                                })?;
                            setup
                                .skip
                                .push((program.trim().to_owned(), reason.trim().to_owned()));
                        } else if let Some((path, from)) = d.split_once(" = ") {
                            let from = from.trim();
                            setup.files.push((
                                path.trim().to_owned(),
                                (from != "doc").then(|| from.to_owned()),
                            ));
                        } else {
                            return Err(format!("unknown directive `{d}`"));
                        }
                    }
                }
            }
            Ok(setup)
        }
    }

    /// One command of a session.
    struct Step {
        /// The line of the block it starts on (1 is the line after the fence).
        line: usize,
        /// The command, continuation lines joined.
        text: String,
        /// The program it runs.
        program: String,
        /// The exit code its comment states (`# exits N`), else 0.
        expect: i32,
    }

    /// The commands of a shell block, in order.
    fn steps(script: &str) -> Result<Vec<Step>, String> {
        let mut out = Vec::new();
        let mut pending: Option<(usize, String)> = None;
        for (i, line) in script.lines().enumerate() {
            let (start, mut text) = pending.take().unwrap_or((i + 1, String::new()));
            if let Some(head) = line.strip_suffix('\\') {
                text.push_str(head);
                text.push(' ');
                pending = Some((start, text));
                continue;
            }
            text.push_str(line);
            let trimmed = text.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let expect = match comment(trimmed).map(str::trim) {
                Some(c) if c.starts_with("exits") => {
                    let code: String = c
                        .strip_prefix("exits ")
                        .unwrap_or_default()
                        .chars()
                        .take_while(char::is_ascii_digit)
                        .collect();
                    code.parse()
                        .map_err(|_| format!("line {start}: `# {c}`: write `# exits N`"))?
                }
                _ => 0,
            };
            out.push(Step {
                line: start,
                text: trimmed.to_owned(),
                program: words(trimmed).into_iter().next().unwrap_or_default(),
                expect,
            });
        }
        if let Some((start, _)) = pending {
            return Err(format!(
                "line {start}: the last line continues into nothing"
            ));
        }
        Ok(out)
    }

    /// The comment a shell command line ends with: from a `#` that starts a
    /// word outside quotes (`a#b` and `"a #b"` hold none).
    fn comment(line: &str) -> Option<&str> {
        let mut quote: Option<char> = None;
        let mut word_start = true;
        for (i, c) in line.char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (None, '\'' | '"') => quote = Some(c),
                (None, '#') if word_start => return Some(&line[i + 1..]),
                _ => {}
            }
            word_start = quote.is_none() && c.is_whitespace();
        }
        None
    }

    /// Copy the repository's `from` (a file or a folder) to `to`.
    fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
        if from.is_dir() {
            fs::create_dir_all(to)?;
            for entry in fs::read_dir(from)? {
                let entry = entry?;
                copy_tree(&entry.path(), &to.join(entry.file_name()))?;
            }
        } else {
            if let Some(parent) = to.parent() {
                fs::create_dir_all(parent)?;
            }
            fs::copy(from, to)?;
        }
        Ok(())
    }

    /// A folder name for what a block's session keeps: `docs-drift-md-17`.
    fn folder_name(block: &Block) -> String {
        block.at.replace(['/', ':', '.'], "-")
    }

    /// What the sessions test counted.
    #[derive(Default)]
    struct Tally {
        sessions: usize,
        commands: usize,
        /// `page:line: command: reason` of every command not run.
        not_run: Vec<String>,
    }

    /// Where the sessions run, and the `ecs-iam` they find on `PATH`.
    struct Bench {
        base: PathBuf,
        bin: PathBuf,
    }

    impl Bench {
        fn new() -> Self {
            let test = Test::outside_repository();
            let base = test.dir().to_owned();
            if let Some(tree) = base.ancestors().find(|a| a.join(".git").exists()) {
                panic!(
                    "the sessions must run outside any git work tree, and {} is one",
                    tree.display()
                );
            }
            let bin = base.join("bin");
            fs::create_dir_all(&bin).unwrap();
            std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_ecs-iam"), bin.join("ecs-iam")).unwrap();
            Self { base, bin }
        }

        /// Set up the folder of the session in `block`, run its commands and
        /// check each one's exit code; return what its last command printed.
        fn run(
            &self,
            block: &Block,
            setup: &Setup,
            page_files: &BTreeMap<String, String>,
            folder: &Path,
            tally: &mut Tally,
        ) -> Result<String, String> {
            let at = |step: &Step| format!("{}:{}", block.page(), block.line + step.line);
            let steps = steps(&block.text).map_err(|e| format!("{}: {e}", block.at))?;
            if !setup.continues {
                fs::create_dir_all(folder).unwrap();
            }
            for (path, from) in &setup.files {
                let dest = folder.join(path);
                match from {
                    None => {
                        let text = page_files.get(path).ok_or_else(|| {
                            format!(
                                "{}: `{path} = doc`, but no block of the page is marked `<!-- file: {path} -->`",
                                block.at
                            )
                        })?;
                        fs::create_dir_all(dest.parent().unwrap()).unwrap();
                        fs::write(&dest, text).unwrap();
                    }
                    Some(from) => copy_tree(&root().join(from), &dest)
                        .map_err(|e| format!("{}: `{path} = {from}`: {e}", block.at))?,
                }
            }
            if setup.git {
                for args in [
                    &["init", "--quiet", "--initial-branch=main"][..],
                    &["add", "--all"],
                    &[
                        "-c",
                        "commit.gpgsign=false",
                        "commit",
                        "--quiet",
                        "--allow-empty",
                        "--message=setup",
                    ],
                    &["update-ref", "refs/remotes/origin/main", "HEAD"],
                ] {
                    common::git(folder, args);
                }
            }
            let status = self.base.join("status").join(folder_name(block));
            fs::create_dir_all(&status).unwrap();
            let quoted = |p: &Path| {
                let p = p.to_str().expect("a UTF-8 scratch path");
                assert!(!p.contains('\''), "{p}");
                format!("'{p}'")
            };
            let mut script = String::new();
            if setup.cargo_run {
                script.push_str(
                    "cargo() {\n  [ \"$1\" = run ] || { echo \"cargo $1: only cargo run stands for ecs-iam\" >&2; return 127; }\n  while [ \"$#\" -gt 0 ] && [ \"$1\" != -- ]; do shift; done\n  [ \"$#\" -gt 0 ] && shift\n  ecs-iam \"$@\"\n}\n",
                );
            }
            let mut run = Vec::new();
            for step in steps {
                if let Some((_, reason)) = setup.skip.iter().find(|(p, _)| *p == step.program) {
                    tally
                        .not_run
                        .push(format!("{}: `{}`: {reason}", at(&step), step.text));
                    continue;
                }
                let n = run.len();
                let file = |ext: &str| quoted(&status.join(format!("{n}.{ext}")));
                // Each command's output and status go to files beside the
                // folder; the first unexpected status ends the session.
                writeln!(
                    script,
                    "{{\n{}\n}} >{} 2>{} </dev/null\n__docs_status=$?\necho \"$__docs_status\" >{}\n[ \"$__docs_status\" = {} ] || exit 0",
                    step.text,
                    file("out"),
                    file("err"),
                    file("code"),
                    step.expect,
                )
                .unwrap();
                run.push(step);
            }
            let script_file = status.join("session.sh");
            fs::write(&script_file, &script).unwrap();
            let path = std::env::join_paths(std::iter::once(self.bin.clone()).chain(
                std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
            ))
            .unwrap();
            let out = std::process::Command::new("sh")
                .arg(&script_file)
                .current_dir(folder)
                .env("PATH", path)
                .env("NO_COLOR", "1")
                .env_remove("COLUMNS")
                .env_remove("GIT_DIR")
                .env_remove("GIT_WORK_TREE")
                .env_remove("GIT_INDEX_FILE")
                .stdin(std::process::Stdio::null())
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}: the session's shell failed: {}",
                block.at,
                String::from_utf8_lossy(&out.stderr)
            );
            let mut printed = String::new();
            for (n, step) in run.iter().enumerate() {
                let read = |ext: &str| fs::read_to_string(status.join(format!("{n}.{ext}")));
                let Ok(code) = read("code") else {
                    return Err(format!("{}: `{}` never ran", at(step), step.text));
                };
                let (stdout, stderr) = (read("out").unwrap(), read("err").unwrap());
                if code.trim() != step.expect.to_string() {
                    return Err(format!(
                        "{}: `{}` exits {}, not {} (run in {}):\n{stdout}{stderr}",
                        at(step),
                        step.text,
                        code.trim(),
                        step.expect,
                        folder.display()
                    ));
                }
                tally.commands += 1;
                printed = stdout + &stderr;
            }
            tally.sessions += 1;
            if let Ok(written) = fs::read_dir(folder.join("outputs")) {
                for entry in written {
                    let name = entry.unwrap().file_name();
                    let committed = root().join("outputs").join(&name);
                    if committed.is_dir()
                        && common::read_folder(&folder.join("outputs").join(&name))
                            != common::read_folder(&committed)
                    {
                        return Err(format!(
                            "{}: `outputs/{}` differs from the committed one",
                            block.at,
                            name.to_string_lossy()
                        ));
                    }
                }
            }
            Ok(printed)
        }
    }

    /// Every `sh` block of the README and docs/ runs as a session, in order,
    /// as the file's first comment says; or says why it is not run.
    #[test]
    fn every_session_runs_in_order() {
        let bench = Bench::new();
        let mut tally = Tally::default();
        let mut problems = Vec::new();
        let mut not_run_blocks = Vec::new();
        for (page, text) in documents() {
            let (blocks, _) = parse(&page, &text);
            let page_files: BTreeMap<String, String> = blocks
                .iter()
                .flat_map(|b| {
                    b.markers
                        .iter()
                        .filter_map(|m| m.strip_prefix("file:"))
                        .map(|f| (f.trim().to_owned(), b.text.clone()))
                })
                .collect();
            let mut previous: Option<PathBuf> = None;
            // What the last command of the session right above printed; `Err`
            // when that session failed.
            let mut printed: Option<Result<String, ()>> = None;
            for block in &blocks {
                let mut session = None;
                let mut not_run = None;
                for marker in &block.markers {
                    if let Some(d) = marker.strip_prefix("session:") {
                        session = Some(d);
                    } else if let Some(reason) = marker.strip_prefix("not-run:") {
                        not_run = Some(reason.trim());
                    } else if !(marker == "invalid"
                        || marker == "output"
                        || marker.starts_with("file:"))
                    {
                        problems.push(format!("{}: unknown marker `<!-- {marker} -->`", block.at));
                    }
                }
                if block.markers.iter().any(|m| m == "output") {
                    match printed.take() {
                        Some(Ok(p)) if p == block.text => {}
                        Some(Ok(p)) => problems.push(format!(
                            "{}: the session above prints, not this:\n{p}",
                            block.at
                        )),
                        // Its failure is reported already.
                        Some(Err(())) => {}
                        None => problems.push(format!(
                            "{}: `<!-- output -->`, but no session runs right above it",
                            block.at
                        )),
                    }
                }
                if matches!(block.lang.as_str(), "bash" | "shell" | "console" | "zsh") {
                    problems.push(format!(
                        "{}: write shell sessions as ```sh, which this test runs",
                        block.at
                    ));
                }
                if block.lang != "sh" {
                    if session.is_some() || not_run.is_some() {
                        problems.push(format!(
                            "{}: a session marker on a `{}` block",
                            block.at, block.lang
                        ));
                    }
                    continue;
                }
                printed = None;
                match (session, not_run) {
                    (Some(_), Some(_)) => {
                        problems.push(format!("{}: both a session and not run", block.at));
                    }
                    (None, Some("")) => {
                        problems.push(format!("{}: say why it is not run", block.at));
                    }
                    (None, Some(reason)) => {
                        not_run_blocks.push(format!("{}: {reason}", block.at));
                        tally
                            .not_run
                            .extend(steps(&block.text).unwrap_or_default().iter().map(|s| {
                                format!(
                                    "{}:{}: `{}`: {reason}",
                                    block.page(),
                                    block.line + s.line,
                                    s.text
                                )
                            }));
                    }
                    (directives, None) => {
                        let setup = match Setup::parse(directives.unwrap_or_default()) {
                            Ok(s) => s,
                            Err(e) => {
                                problems.push(format!("{}: {e}", block.at));
                                continue;
                            }
                        };
                        let folder = match (setup.continues, &previous) {
                            (false, _) => bench.base.join(folder_name(block)),
                            (true, Some(p)) => p.clone(),
                            (true, None) => {
                                problems.push(format!(
                                    "{}: `continues`, but no session of the page runs before it",
                                    block.at
                                ));
                                continue;
                            }
                        };
                        printed = Some(
                            bench
                                .run(block, &setup, &page_files, &folder, &mut tally)
                                .map_err(|e| problems.push(e)),
                        );
                        previous = Some(folder);
                    }
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n\n"));
        eprintln!(
            "sessions run: {}, commands run: {}; not run: {} commands\n{}",
            tally.sessions,
            tally.commands,
            tally.not_run.len(),
            tally.not_run.join("\n")
        );
        eprintln!("blocks not run:\n{}", not_run_blocks.join("\n"));
        assert!(tally.sessions >= 9, "only {} sessions ran", tally.sessions);
        assert!(tally.commands >= 18, "only {} commands ran", tally.commands);
    }
}

/// The spec of four problems on docs/spec.md: each run reports the next,
/// once the one before is fixed, word for word as the page shows.
#[test]
fn the_spec_page_shows_what_each_run_reports() {
    let (blocks, _) = parse(
        "docs/spec.md",
        &fs::read_to_string(root().join("docs/spec.md")).unwrap(),
    );
    let spec = blocks
        .iter()
        .find(|b| b.markers.iter().any(|m| m == "file: orders.yaml"))
        .expect("docs/spec.md shows orders.yaml");
    let first = blocks
        .iter()
        .position(|b| b.markers.iter().any(|m| m == "output"))
        .expect("docs/spec.md shows what the first run prints");
    let shown: Vec<&str> = blocks[first..=first + 1]
        .iter()
        .flat_map(|b| b.text.lines())
        .collect();
    // What the page says to fix after each run.
    let fixes = [
        ("  secret:", "  secrets:"),
        ("API — on", "API - on"),
        ("arn:aws:", "arn:<partition>:"),
        ("alias/app", "1234abcd-12ab-34cd-56ef-1234567890ab"),
    ];
    assert_eq!(shown.len(), fixes.len(), "{shown:?}");
    let mut text = spec.text.clone();
    for (line, (wrong, right)) in shown.iter().zip(fixes) {
        Test::new()
            .file("orders.yaml", &text)
            .args(["render", "orders.yaml"])
            .status(2)
            .stderr(format!("{line}\n"))
            .run();
        assert!(text.contains(wrong), "{wrong}");
        text = text.replacen(wrong, right, 1);
    }
    Test::new()
        .file("orders.yaml", &text)
        .args(["render", "orders.yaml"])
        .stdout_starts_with("orders.yaml -> outputs/orders/")
        .run();
}
