//! Golden outputs: every example spec against its committed `outputs/<name>/`
//! and every case under `tests/golden/<case>/` against its `expected/`.
//! `ECS_IAM_BLESS=1 cargo test --test golden` regenerates them; review the
//! change in `git diff`.

mod common;

use std::path::{Path, PathBuf};

use common::{
    from_cdk, from_cloudformation, from_terraform, parse_all_hcl, read_folder, root,
    terraform_output_depends_on, terraform_policy_resources,
};
use ecs_iam::render::{Files, Templates};

/// (spec, folder holding its expected output)
fn cases() -> Vec<(PathBuf, PathBuf)> {
    let root = root();
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root.join("examples")).unwrap() {
        let spec = entry.unwrap().path();
        let source = ecs_iam::spec::load(&spec, ecs_iam::spec_tree::Reach::Tree).unwrap();
        out.push((spec, root.join("outputs").join(&source.spec.name)));
    }
    for entry in std::fs::read_dir(root.join("tests/golden")).unwrap() {
        let dir = entry.unwrap().path();
        out.push((dir.join("spec.yaml"), dir.join("expected")));
    }
    out.sort();
    assert!(out.len() >= 7, "examples and golden cases are found");
    out
}

fn render(spec: &Path) -> (ecs_iam::model::Model, Files) {
    ecs_iam::render_spec(spec, &Templates::embedded().unwrap()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn outputs_match_goldens() {
    let bless = std::env::var_os("ECS_IAM_BLESS").is_some();
    let mut failures = Vec::new();
    for (spec, expected) in cases() {
        let (_, files) = render(&spec);
        if bless {
            ecs_iam::files::write_outputs(&[(expected.clone(), &files)]).unwrap();
            continue;
        }
        let on_disk = if expected.exists() {
            read_folder(&expected)
        } else {
            Files::new()
        };
        let files_report = ecs_iam::file_diff::compare(&on_disk, &files);
        if !files_report.in_sync() {
            let report = ecs_iam::report::DiffReport::new(
                expected.display().to_string(),
                spec.display().to_string(),
                &files_report,
                Vec::new(),
            );
            failures.push(report.text(false));
        }
    }
    assert!(
        failures.is_empty(),
        "generated output differs from the goldens (ECS_IAM_BLESS=1 regenerates):\n{}",
        failures.join("\n")
    );
}

#[test]
fn the_three_formats_declare_the_same_roles() {
    for (spec, _) in cases() {
        let (_, files) = render(&spec);
        parse_all_hcl(&files);
        let cfn = from_cloudformation(&files["cloudformation.yaml"]);
        let cdk = from_cdk(&files);
        let tf = from_terraform(&files);
        assert_eq!(
            cfn,
            cdk,
            "{}: CloudFormation and CDK differ",
            spec.display()
        );
        assert_eq!(
            cfn,
            tf,
            "{}: CloudFormation and Terraform differ",
            spec.display()
        );
    }
}

/// Each role's Terraform outputs wait for exactly the resources that give
/// the role its permissions (its inline policy and managed policy
/// attachments, as `main.tf` declares them), so a task definition or
/// service given the ARN cannot start a task without them.
#[test]
fn terraform_outputs_wait_for_their_roles_policies() {
    let mut attachments = 0;
    for (spec, _) in cases() {
        let (model, files) = render(&spec);
        let policies = terraform_policy_resources(&files["terraform/main.tf"]);
        let outputs = terraform_output_depends_on(&files["terraform/outputs.tf"]);
        assert_eq!(outputs.len(), 2 * model.roles.len(), "{}", spec.display());
        for role in &model.roles {
            let key = role.kind.key();
            let want: Vec<String> = policies
                .get(key)
                .map(|p| p.iter().cloned().collect())
                .unwrap_or_default();
            assert_eq!(
                want.is_empty(),
                role.policy.is_none() && role.managed_policies.is_empty(),
                "{}: {key}",
                spec.display()
            );
            attachments += usize::from(!role.managed_policies.is_empty());
            for output in [format!("{key}_role_arn"), format!("{key}_role_name")] {
                let mut got = outputs[&output].clone();
                got.sort();
                assert_eq!(got, want, "{}: output {output}", spec.display());
            }
        }
    }
    assert!(attachments > 0, "some case attaches a managed policy");
}

/// The files say what the model says, value for value: the filters neither
/// lose nor change anything.
#[test]
fn outputs_carry_the_model_exactly() {
    for (spec, _) in cases() {
        let (model, files) = render(&spec);
        let cfn = from_cloudformation(&files["cloudformation.yaml"]);
        for role in &model.roles {
            let view = &cfn[role.kind.key()];
            assert_eq!(view.name, role.name);
            assert_eq!(view.description, role.description);
            assert_eq!(view.path, role.path);
            assert_eq!(view.max_session_duration, role.max_session_duration);
            assert_eq!(
                view.permissions_boundary,
                role.permissions_boundary.as_ref().map(ToString::to_string)
            );
            let tags: Vec<(String, String)> = role
                .tags
                .iter()
                .map(|t| (t.key.clone(), t.value.clone()))
                .collect();
            assert_eq!(view.tags.clone().into_iter().collect::<Vec<_>>(), tags);
            let managed: Vec<String> = role
                .managed_policies
                .iter()
                .map(|m| m.arn.to_string())
                .collect();
            assert_eq!(view.managed_policies.iter().cloned().collect::<Vec<_>>(), {
                let mut m = managed;
                m.sort();
                m
            });
            let statements = role
                .policy
                .as_ref()
                .map(|p| p.statements.as_slice())
                .unwrap_or_default();
            assert_eq!(
                view.statements.len(),
                statements.len(),
                "{}",
                spec.display()
            );
            for (got, want) in view
                .statements
                .iter()
                .chain(&view.trust)
                .zip(statements.iter().chain(&role.trust))
            {
                assert_eq!(got.sid, want.sid);
                assert_eq!(got.effect, want.effect.as_str());
                assert_eq!(
                    got.actions.iter().collect::<Vec<_>>(),
                    want.actions.iter().collect::<Vec<_>>()
                );
                let resources: Vec<String> =
                    want.resources.iter().map(ToString::to_string).collect();
                assert_eq!(got.resources.iter().cloned().collect::<Vec<_>>(), resources);
                for g in &want.conditions {
                    for e in &g.entries {
                        let values: Vec<String> =
                            e.values.iter().map(ToString::to_string).collect();
                        let got_values: Vec<String> = got.conditions[&g.test][&e.variable]
                            .iter()
                            .cloned()
                            .collect();
                        let mut values_sorted = values.clone();
                        values_sorted.sort();
                        assert_eq!(got_values, values_sorted);
                    }
                }
            }
        }
    }
}

#[test]
fn rendering_is_deterministic() {
    for (spec, _) in cases() {
        let (_, a) = render(&spec);
        let (_, b) = render(&spec);
        assert_eq!(a, b);
    }
}

/// The module's `README.md` lists exactly the inputs `variables.tf`
/// declares, with their defaults, and the outputs `outputs.tf` declares, in
/// terraform-docs' order (by name).
#[test]
fn the_terraform_readme_lists_the_modules_inputs_and_outputs() {
    for (spec, _) in cases() {
        let (_, files) = render(&spec);
        let readme = &files["terraform/README.md"];
        let section = |title: &str| -> Vec<Vec<String>> {
            let start = readme
                .find(&format!("## {title}\n"))
                .unwrap_or_else(|| panic!("{}: no {title}", spec.display()));
            readme[start..]
                .lines()
                .skip(4)
                .take_while(|l| l.starts_with('|'))
                .map(|l| {
                    l.trim_matches('|')
                        .split(" | ")
                        .map(|c| c.trim().to_owned())
                        .collect()
                })
                .collect()
        };
        // `<a name="input_x"></a> [x](#input\_x)` names `x`.
        let name = |cell: &str| {
            let start = cell.find("name=\"").unwrap() + 6;
            let end = cell[start..].find('"').unwrap() + start;
            cell[start..end].split_once('_').unwrap().1.to_owned()
        };
        let variables = hcl::parse(&files["terraform/variables.tf"]).unwrap();
        let mut declared: Vec<(String, String)> = variables
            .blocks()
            .filter(|b| b.identifier() == "variable")
            .map(|b| {
                // terraform-docs shows a required input's default as `n/a`.
                let default = b
                    .body()
                    .attributes()
                    .find(|a| a.key() == "default")
                    .map_or_else(
                        || "n/a".to_owned(),
                        |a| format!("`{}`", hcl::format::to_string(a.expr()).unwrap()),
                    );
                (b.labels()[0].as_str().to_owned(), default)
            })
            .collect();
        declared.sort();
        let listed: Vec<(String, String)> = section("Inputs")
            .iter()
            .map(|row| (name(&row[0]), row[3].clone()))
            .collect();
        assert_eq!(listed, declared, "{}: inputs", spec.display());
        let outputs = hcl::parse(&files["terraform/outputs.tf"]).unwrap();
        let mut declared: Vec<String> = outputs
            .blocks()
            .filter(|b| b.identifier() == "output")
            .map(|b| b.labels()[0].as_str().to_owned())
            .collect();
        declared.sort();
        let listed: Vec<String> = section("Outputs").iter().map(|row| name(&row[0])).collect();
        assert_eq!(listed, declared, "{}: outputs", spec.display());
    }
}

/// The module is written for the provider the spec names: `versions.tf`
/// and the README require that provider's major version, and `main.tf`
/// reads the region with the `aws_region` attribute it has (5.x has no
/// `region`; 6.0.0 deprecates `name`, 6.47.0 `id`). No role sets an
/// argument deprecated since 5.x (`inline_policy`, `managed_policy_arns`).
#[test]
fn the_module_is_written_for_the_provider_the_spec_names() {
    let mut providers = std::collections::BTreeSet::new();
    for (spec, _) in cases() {
        let (model, files) = render(&spec);
        let (constraint, attribute) = match model.terraform.provider {
            5 => (">= 5.0, < 6.0", "name"),
            6 => (">= 6.0", "region"),
            other => panic!("{}: provider {other}", spec.display()),
        };
        providers.insert(model.terraform.provider);
        let versions = hcl::parse(&files["terraform/versions.tf"]).unwrap();
        let terraform = versions
            .blocks()
            .find(|b| b.identifier() == "terraform")
            .unwrap();
        let required = terraform
            .body()
            .blocks()
            .find(|b| b.identifier() == "required_providers")
            .unwrap();
        let aws = required
            .body()
            .attributes()
            .find(|a| a.key() == "aws")
            .unwrap();
        let hcl::Expression::Object(aws) = aws.expr() else {
            panic!("{}: aws is not an object", spec.display());
        };
        let version = aws
            .iter()
            .find(|(k, _)| matches!(k, hcl::ObjectKey::Identifier(i) if i.as_str() == "version"))
            .map(|(_, v)| v.clone())
            .unwrap();
        assert_eq!(
            version,
            hcl::Expression::String(constraint.to_owned()),
            "{}",
            spec.display()
        );
        let readme = &files["terraform/README.md"];
        assert_eq!(
            readme.matches(&format!("| aws | {constraint} |")).count(),
            2,
            "{}: README requirements",
            spec.display()
        );
        let main = &files["terraform/main.tf"];
        for used in main.split("data.aws_region.current.").skip(1) {
            let name: String = used
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            assert_eq!(name, attribute, "{}: region attribute", spec.display());
        }
        let body = hcl::parse(main).unwrap();
        for role in body
            .blocks()
            .filter(|b| b.identifier() == "resource" && b.labels()[0].as_str() == "aws_iam_role")
        {
            for argument in ["inline_policy", "managed_policy_arns"] {
                assert!(
                    role.body().attributes().all(|a| a.key() != argument)
                        && role.body().blocks().all(|b| b.identifier() != argument),
                    "{}: aws_iam_role sets {argument}",
                    spec.display()
                );
            }
        }
    }
    assert_eq!(providers.len(), 2, "a case for each provider");
}

/// The inputs `<input.Name>` in a text of `roles`, by name.
fn inputs_in(roles: &common::Roles) -> std::collections::BTreeSet<String> {
    let shown = format!("{roles:?}");
    shown
        .split("<input.")
        .skip(1)
        .map(|rest| rest[..rest.find('>').unwrap()].to_owned())
        .collect()
}

/// Each format declares exactly the inputs its roles use, with the spec's
/// description: CloudFormation `Parameters`, the module's variables without
/// a default, and `cdk/inputs.json`, the props of the app's
/// `CfnParameter`s. The `inputs` case, written by hand: its roles use
/// three of its four inputs.
#[test]
fn each_format_declares_the_inputs_its_roles_use() {
    use std::collections::{BTreeMap, BTreeSet};
    for (spec, _) in cases() {
        let (_, files) = render(&spec);
        let source = ecs_iam::spec::load(&spec, ecs_iam::spec_tree::Reach::Tree).unwrap();
        let described = |name: &str| source.spec.inputs[name].description.clone();
        let roles = from_cloudformation(&files["cloudformation.yaml"]);
        let used = inputs_in(&roles);
        assert_eq!(
            used,
            inputs_in(&from_terraform(&files)),
            "{}",
            spec.display()
        );
        assert_eq!(used, inputs_in(&from_cdk(&files)), "{}", spec.display());
        if spec.ends_with("inputs/spec.yaml") {
            let expected: BTreeSet<String> = ["DataBucket", "Environment", "KeyId"]
                .map(str::to_owned)
                .into();
            assert_eq!(used, expected);
        }

        let cfn: serde_yaml::Value = serde_yaml::from_str(&files["cloudformation.yaml"]).unwrap();
        let parameters: BTreeMap<String, String> = cfn
            .get("Parameters")
            .and_then(serde_yaml::Value::as_mapping)
            .into_iter()
            .flatten()
            .map(|(k, v)| {
                assert_eq!(v["Type"], "String");
                assert_eq!(v["MinLength"], 1);
                let name = k.as_str().unwrap().to_owned();
                assert_eq!(v["Description"].as_str().unwrap(), described(&name));
                (name, String::new())
            })
            .collect();
        assert_eq!(
            parameters.keys().cloned().collect::<BTreeSet<_>>(),
            used,
            "{}: Parameters",
            spec.display()
        );

        let variables = hcl::parse(&files["terraform/variables.tf"]).unwrap();
        let required: BTreeSet<String> = variables
            .blocks()
            .filter(|b| b.identifier() == "variable")
            .filter(|b| !b.body().attributes().any(|a| a.key() == "default"))
            .map(|b| b.labels()[0].as_str().to_owned())
            .collect();
        assert_eq!(required, used, "{}: variables", spec.display());

        match files.get("cdk/inputs.json") {
            None => assert!(used.is_empty(), "{}: no cdk/inputs.json", spec.display()),
            Some(text) => {
                let props: serde_json::Value = serde_json::from_str(text).unwrap();
                let props = props.as_object().unwrap();
                for (name, p) in props {
                    assert_eq!(p["type"], "String");
                    assert_eq!(p["description"].as_str().unwrap(), described(name));
                }
                assert_eq!(props.keys().cloned().collect::<BTreeSet<_>>(), used);
            }
        }
    }
}
