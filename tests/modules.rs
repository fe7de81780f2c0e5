//! The stages of ecs-iam import one way: spec → task definitions → model →
//! render → files, with `error` at the bottom. A stage is a top-level
//! module (`src/spec.rs`, `src/model/`); the files of one stage may refer
//! to each other. This reads every `crate::<stage>` path in the sources
//! (comments and `#[cfg(test)]` modules aside) and fails on any cycle
//! between stages, naming it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file below `dir`.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The stage a source file belongs to: `model` for `src/model/names.rs`.
fn stage(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).unwrap();
    let first = relative.components().next().unwrap();
    let name = first.as_os_str().to_string_lossy();
    name.trim_end_matches(".rs").to_owned()
}

/// The stages a file's code names, comments and tests left out.
fn references(text: &str) -> BTreeSet<String> {
    let code = text.split("#[cfg(test)]").next().unwrap_or(text);
    let mut out = BTreeSet::new();
    for line in code.lines() {
        let line = line.trim_start();
        if line.starts_with("//") {
            continue;
        }
        let mut rest = line;
        while let Some(i) = rest.find("crate::") {
            let after = &rest[i + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.insert(name);
            }
            rest = after;
        }
    }
    out
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let from = stage(&src, &file);
        if from == "main" || from == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let edges = graph.entry(from.clone()).or_default();
        edges.extend(references(&text).into_iter().filter(|to| *to != from));
    }
    graph
}

/// A cycle through `start`, if any, as the stages in order.
fn cycle_through(graph: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    let mut stack = vec![(start.to_owned(), vec![start.to_owned()])];
    let mut seen = BTreeSet::new();
    while let Some((node, path)) = stack.pop() {
        for next in graph.get(&node).into_iter().flatten() {
            if next == start {
                let mut cycle = path.clone();
                cycle.push(start.to_owned());
                return Some(cycle);
            }
            if seen.insert(next.clone()) {
                let mut p = path.clone();
                p.push(next.clone());
                stack.push((next.clone(), p));
            }
        }
    }
    None
}

#[test]
fn the_stages_import_one_way() {
    let graph = graph();
    assert!(graph.len() > 10, "too few stages read: {graph:?}");
    let cycles: Vec<String> = graph
        .keys()
        .filter_map(|s| cycle_through(&graph, s))
        .map(|c| c.join(" -> "))
        .collect();
    assert!(
        cycles.is_empty(),
        "the stages import in a cycle:\n{}",
        cycles.join("\n")
    );
}

#[test]
fn error_is_at_the_bottom() {
    let graph = graph();
    assert_eq!(
        graph.get("error").cloned().unwrap_or_default(),
        BTreeSet::new(),
        "`error` names another stage; carry the value in the variant's data"
    );
}

#[test]
fn a_cycle_is_found() {
    // The check itself: a graph with a cycle is reported.
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    graph
        .entry("spec".into())
        .or_default()
        .insert("model".into());
    graph
        .entry("model".into())
        .or_default()
        .insert("error".into());
    graph
        .entry("error".into())
        .or_default()
        .insert("spec".into());
    assert_eq!(
        cycle_through(&graph, "spec").unwrap(),
        ["spec", "model", "error", "spec"]
    );
    assert_eq!(
        references(
            "use crate::model::Model;\n// crate::spec\nfn f() { crate::error::x() }\n#[cfg(test)]\nuse crate::verify;"
        ),
        BTreeSet::from(["error".to_owned(), "model".to_owned()])
    );
}
