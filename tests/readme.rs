//! The README's two commands stay true, and the spec reference's example
//! renders. tests/docs.rs checks every page's links and examples.

mod common;

use std::fs;

use common::Test;
use ecs_iam::render::Templates;

fn readme() -> String {
    fs::read_to_string(common::root().join("README.md")).unwrap()
}

/// The fenced blocks of one language, in order.
fn blocks(text: &str, lang: &str) -> Vec<String> {
    let fence = format!("```{lang}\n");
    text.split(&fence)
        .skip(1)
        .map(|b| b.split("```").next().unwrap().to_owned())
        .collect()
}

#[test]
fn the_spec_example_renders() {
    let reference = fs::read_to_string(common::root().join("docs/spec.md")).unwrap();
    let yaml = blocks(&reference, "yaml")
        .into_iter()
        .next()
        .expect("a yaml example");
    let spec = Test::new()
        .file("orders-api.yaml", yaml)
        .dir()
        .join("orders-api.yaml");
    let (model, files) = ecs_iam::render_spec(&spec, &Templates::embedded().unwrap())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(model.name, "orders-api");
    assert_eq!(files.len(), 9);
}

#[test]
fn the_readme_renders_an_example() {
    let readme = readme();
    let sh = blocks(&readme, "sh");
    let command = "cargo run --release -- render examples/matillion-agent.yaml";
    assert!(
        sh.iter().any(|b| b.trim() == command),
        "README names `{command}`"
    );
    assert!(
        common::root().join("outputs/matillion-agent").is_dir(),
        "the README says the example renders into outputs/matillion-agent/"
    );
    // tests/docs.rs runs it into a scratch folder against outputs/.
}

#[test]
fn the_test_command_is_what_ci_runs() {
    let readme = readme();
    let sh = blocks(&readme, "sh");
    assert!(
        sh.iter()
            .any(|b| b.trim() == "cargo test -- --include-ignored"),
        "README names `cargo test -- --include-ignored`"
    );
    let ci = fs::read_to_string(common::root().join(".ci/run")).unwrap();
    assert!(
        ci.lines()
            .any(|l| l.trim() == "stage cargo test --locked -- --include-ignored"),
        ".ci/run runs the README's test command"
    );
}
