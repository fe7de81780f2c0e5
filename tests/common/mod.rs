//! Test helpers: `Test` runs the binary in a scratch folder and checks what
//! it prints; the readers read each generated format back, with its real
//! parser, into one comparable shape, so the three formats can be checked
//! against each other and against the values a spec wrote.
#![allow(dead_code)]

mod harness;
pub mod specs;

// Not every test file runs the binary.
#[allow(unused_imports)]
pub use harness::{Output, Test, binary};

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use hcl::expr::{Expression, ObjectKey, TraversalOperator};
use hcl::template::{Element, Template};
use serde_json::Value as Json;
use serde_yaml::Value as Yaml;

/// Conditions: operator → key → values.
pub type Conditions = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

/// A statement with deploy-time values spelled `<partition>`, `<region>`,
/// `<account_id>`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stmt {
    pub sid: String,
    pub effect: String,
    pub principals: BTreeSet<String>,
    pub actions: BTreeSet<String>,
    pub resources: BTreeSet<String>,
    pub conditions: Conditions,
}

/// One role as declared by a generated file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RoleView {
    pub name: String,
    pub description: Option<String>,
    pub path: Option<String>,
    pub max_session_duration: Option<u64>,
    pub permissions_boundary: Option<String>,
    pub tags: BTreeMap<String, String>,
    pub managed_policies: BTreeSet<String>,
    pub trust: Vec<Stmt>,
    pub policy_name: Option<String>,
    pub statements: Vec<Stmt>,
    /// The customer managed policies created beside the role
    /// (`policy_layout: split`), by the number their name ends in.
    pub created: BTreeMap<String, Vec<Stmt>>,
}

/// The number a created policy's name ends in (`2` for `w-task-policy-2`).
fn policy_number(name: &str) -> String {
    name.rsplit('-').next().unwrap().to_owned()
}

/// Roles by key: `task`, `execution`.
pub type Roles = BTreeMap<String, RoleView>;

/// The vendored SARIF 2.1.0 schema. The published schema's `run.language`
/// pattern ends in an unbalanced `]`, which ECMAScript reads as a literal
/// and Rust's regex engine refuses; it is escaped (ecs-iam never writes
/// `language`).
pub fn sarif_schema() -> serde_json::Value {
    let text = std::fs::read_to_string(root().join("tests/sarif/sarif-schema-2.1.0.json"))
        .unwrap()
        .replace(
            r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#,
            r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$""#,
        );
    serde_json::from_str(&text).unwrap()
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The conformance tools, installed by `conformance/setup.sh` under
/// `target/conformance/` on first use (from PyPI and the npm registry; a
/// few minutes the first time, reused while the pins are unchanged). A
/// failed install fails the calling test with the installer's message.
pub fn conformance_tools() -> PathBuf {
    static TOOLS: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let result = TOOLS.get_or_init(|| {
        let root = root();
        let dest = root.join("target/conformance");
        let out = Command::new("bash")
            .arg(root.join("conformance/setup.sh"))
            .env("ECS_IAM_CONFORMANCE_DIR", &dest)
            .output()
            .map_err(|e| format!("cannot run conformance/setup.sh: {e}"))?;
        if out.status.success() {
            Ok(dest)
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    });
    match result {
        Ok(dest) => dest.clone(),
        Err(message) => panic!("installing the conformance tools failed:\n{message}"),
    }
}

/// The generated files of a folder, by relative path.
pub fn read_folder(dir: &Path) -> BTreeMap<String, String> {
    ecs_iam::files::read_tree(dir).unwrap_or_else(|e| panic!("{e}"))
}

// ---------------------------------------------------------------- grants

/// (role, action, resource, conditions) of every Allow statement.
pub type Grant = (String, String, String, String);

/// Every (action, resource) pair of each role's Allow statements.
pub fn grants(roles: &Roles) -> BTreeSet<Grant> {
    let mut out = BTreeSet::new();
    for (role, view) in roles {
        let all = view
            .statements
            .iter()
            .chain(view.created.values().flatten());
        for st in all.filter(|s| s.effect == "Allow") {
            for a in &st.actions {
                for r in &st.resources {
                    out.insert((
                        role.clone(),
                        a.clone(),
                        r.clone(),
                        format!("{:?}", st.conditions),
                    ));
                }
            }
        }
    }
    out
}

/// The grants an `expected.yaml` of the task definition corpora lists
/// (`execution:` and `task:` groups), and each group's `from`.
pub fn expected_grants(file: &Path) -> (BTreeSet<Grant>, Vec<String>) {
    let doc: Yaml = serde_yaml::from_str(&std::fs::read_to_string(file).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let mut out = BTreeSet::new();
    let mut froms = Vec::new();
    for role in ["execution", "task"] {
        for group in doc[role].as_sequence().unwrap() {
            let list = |v: &Yaml| -> Vec<String> {
                v.as_sequence()
                    .map(|s| s.iter().map(|x| x.as_str().unwrap().to_owned()).collect())
                    .unwrap_or_default()
            };
            let mut conditions: Conditions = BTreeMap::new();
            if let Some(map) = group.get("conditions").and_then(Yaml::as_mapping) {
                for (op, keys) in map {
                    for (key, values) in keys.as_mapping().unwrap() {
                        conditions
                            .entry(op.as_str().unwrap().to_owned())
                            .or_default()
                            .insert(
                                key.as_str().unwrap().to_owned(),
                                list(values).into_iter().collect(),
                            );
                    }
                }
            }
            for a in list(&group["actions"]) {
                for r in list(&group["resources"]) {
                    out.insert((role.to_owned(), a.clone(), r, format!("{conditions:?}")));
                }
            }
            froms.push(group["from"].as_str().unwrap().to_owned());
        }
    }
    (out, froms)
}

// ---------------------------------------------------------------- CloudFormation

/// `Fn::Sub` text back to plain text with placeholders.
fn unsub(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        if let Some(lit) = after.strip_prefix('!') {
            out.push_str("${");
            rest = lit;
            continue;
        }
        let end = after.find('}').expect("unclosed ${ in Fn::Sub");
        match &after[..end] {
            "AWS::Partition" => out.push_str("<partition>"),
            "AWS::Region" => out.push_str("<region>"),
            "AWS::AccountId" => out.push_str("<account_id>"),
            // A template parameter: one of the spec's inputs.
            input if input.chars().all(|c| c.is_ascii_alphanumeric()) => {
                out.push_str("<input.");
                out.push_str(input);
                out.push('>');
            }
            other => panic!("unexpected Sub variable {other}"),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

fn yaml_text(v: &Yaml) -> String {
    match v {
        Yaml::String(s) => s.clone(),
        Yaml::Number(n) => n.to_string(),
        Yaml::Bool(b) => b.to_string(),
        Yaml::Tagged(t) if t.tag == "!Sub" => unsub(t.value.as_str().expect("!Sub of a string")),
        Yaml::Tagged(t) if t.tag == "!Join" => {
            let args = t.value.as_sequence().expect("!Join arguments");
            assert_eq!(
                args[0],
                Yaml::String(String::new()),
                "joined without a delimiter"
            );
            args[1]
                .as_sequence()
                .expect("!Join list")
                .iter()
                .map(yaml_text)
                .collect()
        }
        other => panic!("not a text value: {other:?}"),
    }
}

fn yaml_list(v: Option<&Yaml>) -> Vec<String> {
    match v {
        None => Vec::new(),
        Some(Yaml::Sequence(items)) => items.iter().map(yaml_text).collect(),
        Some(other) => vec![yaml_text(other)],
    }
}

fn yaml_conditions(v: Option<&Yaml>) -> Conditions {
    let mut out = Conditions::new();
    if let Some(Yaml::Mapping(ops)) = v {
        for (op, keys) in ops {
            let entry = out.entry(yaml_text(op)).or_default();
            for (k, vals) in keys.as_mapping().expect("condition keys") {
                entry.insert(yaml_text(k), yaml_list(Some(vals)).into_iter().collect());
            }
        }
    }
    out
}

fn yaml_statements(doc: &Yaml) -> Vec<Stmt> {
    assert_eq!(doc["Version"], Yaml::String("2012-10-17".into()));
    doc["Statement"]
        .as_sequence()
        .expect("Statement list")
        .iter()
        .map(|s| Stmt {
            sid: yaml_text(&s["Sid"]),
            effect: yaml_text(&s["Effect"]),
            principals: yaml_list(s.get("Principal").and_then(|p| p.get("Service")))
                .into_iter()
                .collect(),
            actions: yaml_list(s.get("Action")).into_iter().collect(),
            resources: yaml_list(s.get("Resource")).into_iter().collect(),
            conditions: yaml_conditions(s.get("Condition")),
        })
        .collect()
}

/// Parse `cloudformation.yaml` with a YAML parser and read both roles.
pub fn from_cloudformation(text: &str) -> Roles {
    let doc: Yaml = serde_yaml::from_str(text).expect("cloudformation.yaml parses as YAML");
    let mut roles = Roles::new();
    for (logical, key) in [("TaskRole", "task"), ("TaskExecutionRole", "execution")] {
        let r = &doc["Resources"][logical];
        // A role the spec leaves to be managed elsewhere is not declared.
        if r.is_null() {
            continue;
        }
        assert_eq!(r["Type"], Yaml::String("AWS::IAM::Role".into()));
        let p = &r["Properties"];
        let policies = p.get("Policies").and_then(Yaml::as_sequence);
        let mut view = RoleView {
            name: yaml_text(&p["RoleName"]),
            description: p.get("Description").map(yaml_text),
            path: p.get("Path").map(yaml_text),
            max_session_duration: p
                .get("MaxSessionDuration")
                .map(|v| v.as_u64().expect("number")),
            permissions_boundary: p.get("PermissionsBoundary").map(yaml_text),
            trust: yaml_statements(&p["AssumeRolePolicyDocument"]),
            ..RoleView::default()
        };
        // `ManagedPolicyArns` lists the managed policies, then a `!Ref` to
        // each policy the template creates for the role, so that whatever
        // uses the role waits for them.
        let mut created_ids = Vec::new();
        for v in p
            .get("ManagedPolicyArns")
            .and_then(Yaml::as_sequence)
            .into_iter()
            .flatten()
        {
            match v {
                Yaml::Tagged(t) if t.tag == "!Ref" => {
                    created_ids.push(t.value.as_str().unwrap().to_owned());
                }
                other => {
                    assert!(
                        created_ids.is_empty(),
                        "a managed policy after a created one"
                    );
                    view.managed_policies.insert(yaml_text(other));
                }
            }
        }
        if let Some(tags) = p.get("Tags").and_then(Yaml::as_sequence) {
            for t in tags {
                view.tags
                    .insert(yaml_text(&t["Key"]), yaml_text(&t["Value"]));
            }
        }
        if let Some(policies) = policies {
            assert_eq!(policies.len(), 1, "one inline policy per role");
            view.policy_name = Some(yaml_text(&policies[0]["PolicyName"]));
            view.statements = yaml_statements(&policies[0]["PolicyDocument"]);
        }
        for id in &created_ids {
            let r = &doc["Resources"][id.as_str()];
            assert_eq!(
                r["Type"],
                Yaml::String("AWS::IAM::ManagedPolicy".into()),
                "{logical}'s ManagedPolicyArns names {id}"
            );
            let p = &r["Properties"];
            for k in p.as_mapping().unwrap().keys() {
                assert!(
                    ["ManagedPolicyName", "Description", "PolicyDocument"]
                        .contains(&k.as_str().unwrap()),
                    "{k:?} is not a property ecs-iam writes"
                );
            }
            view.created.insert(
                policy_number(&yaml_text(&p["ManagedPolicyName"])),
                yaml_statements(&p["PolicyDocument"]),
            );
        }
        roles.insert(key.to_owned(), view);
    }
    // Every policy the template creates is attached to a role.
    let created = doc["Resources"]
        .as_mapping()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == Yaml::String("AWS::IAM::ManagedPolicy".into()))
        .count();
    assert_eq!(
        created,
        roles.values().map(|v| v.created.len()).sum::<usize>(),
        "a created policy no role's ManagedPolicyArns names"
    );
    roles
}

// ---------------------------------------------------------------- CDK

fn json_text(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        Json::Number(n) => n.to_string(),
        Json::Object(o) if o.len() == 1 && o.contains_key("Fn::Sub") => {
            unsub(o["Fn::Sub"].as_str().expect("Fn::Sub of a string"))
        }
        Json::Object(o) if o.len() == 1 && o.contains_key("managedPolicyRef") => {
            json_text(&o["managedPolicyRef"]["policyArn"])
        }
        Json::Object(o) if o.len() == 1 && o.contains_key("Fn::Join") => {
            let args = o["Fn::Join"].as_array().expect("Fn::Join arguments");
            assert_eq!(args[0], "", "joined without a delimiter");
            args[1]
                .as_array()
                .expect("Fn::Join list")
                .iter()
                .map(json_text)
                .collect()
        }
        other => panic!("not a text value: {other}"),
    }
}

fn json_list(v: Option<&Json>) -> Vec<String> {
    match v {
        None => Vec::new(),
        Some(Json::Array(items)) => items.iter().map(json_text).collect(),
        Some(other) => vec![json_text(other)],
    }
}

fn json_statements(doc: &Json) -> Vec<Stmt> {
    assert_eq!(doc["Version"], "2012-10-17");
    doc["Statement"]
        .as_array()
        .expect("Statement list")
        .iter()
        .map(|s| {
            let mut conditions = Conditions::new();
            if let Some(ops) = s.get("Condition").and_then(Json::as_object) {
                for (op, keys) in ops {
                    let entry = conditions.entry(op.clone()).or_default();
                    for (k, vals) in keys.as_object().expect("condition keys") {
                        entry.insert(k.clone(), json_list(Some(vals)).into_iter().collect());
                    }
                }
            }
            Stmt {
                sid: json_text(&s["Sid"]),
                effect: json_text(&s["Effect"]),
                principals: json_list(s.get("Principal").and_then(|p| p.get("Service")))
                    .into_iter()
                    .collect(),
                actions: json_list(s.get("Action")).into_iter().collect(),
                resources: json_list(s.get("Resource")).into_iter().collect(),
                conditions,
            }
        })
        .collect()
}

/// Parse one `cdk/*.json` (an `iam.CfnRoleProps`) with a JSON parser.
pub fn from_cdk_role(text: &str) -> RoleView {
    let p: Json = serde_json::from_str(text).expect("CDK JSON parses");
    let allowed = [
        "roleName",
        "description",
        "path",
        "maxSessionDuration",
        "permissionsBoundary",
        "assumeRolePolicyDocument",
        "policies",
        "managedPolicyArns",
        "tags",
    ];
    for k in p.as_object().expect("object").keys() {
        assert!(
            allowed.contains(&k.as_str()),
            "`{k}` is not a CfnRoleProps key"
        );
    }
    let mut view = RoleView {
        name: json_text(&p["roleName"]),
        description: p.get("description").map(json_text),
        path: p.get("path").map(json_text),
        max_session_duration: p
            .get("maxSessionDuration")
            .map(|v| v.as_u64().expect("number")),
        permissions_boundary: p.get("permissionsBoundary").map(json_text),
        managed_policies: json_list(p.get("managedPolicyArns")).into_iter().collect(),
        trust: json_statements(&p["assumeRolePolicyDocument"]),
        ..RoleView::default()
    };
    if let Some(tags) = p.get("tags").and_then(Json::as_array) {
        for t in tags {
            view.tags
                .insert(json_text(&t["key"]), json_text(&t["value"]));
        }
    }
    if let Some(policies) = p.get("policies").and_then(Json::as_array) {
        assert_eq!(policies.len(), 1);
        view.policy_name = Some(json_text(&policies[0]["policyName"]));
        view.statements = json_statements(&policies[0]["policyDocument"]);
    }
    view
}

pub fn from_cdk(files: &BTreeMap<String, String>) -> Roles {
    let mut roles = Roles::new();
    for key in ["task", "execution"] {
        if let Some(text) = files.get(&format!("cdk/{key}-role.json")) {
            let mut view = from_cdk_role(text);
            if let Some(text) = files.get(&format!("cdk/{key}-role-policies.json")) {
                let list: Json = serde_json::from_str(text).expect("CDK JSON parses");
                for p in list.as_array().expect("a list of CfnManagedPolicyProps") {
                    for k in p.as_object().expect("object").keys() {
                        assert!(
                            ["managedPolicyName", "description", "policyDocument"]
                                .contains(&k.as_str()),
                            "`{k}` is not a CfnManagedPolicyProps key ecs-iam writes"
                        );
                    }
                    view.created.insert(
                        policy_number(&json_text(&p["managedPolicyName"])),
                        json_statements(&p["policyDocument"]),
                    );
                }
            }
            roles.insert(key.into(), view);
        }
    }
    roles
}

// ---------------------------------------------------------------- Terraform

fn traversal_name(e: &Expression) -> String {
    let Expression::Traversal(t) = e else {
        panic!("expected a traversal, found {e:?}")
    };
    let Expression::Variable(root) = &t.expr else {
        panic!("traversal root")
    };
    let mut s = root.to_string();
    for op in &t.operators {
        match op {
            TraversalOperator::GetAttr(id) => {
                s.push('.');
                s.push_str(id.as_str());
            }
            other => panic!("unexpected traversal operator {other:?}"),
        }
    }
    s
}

/// A Terraform string value, evaluated: data source references become
/// placeholders, `$${` is already unescaped by the parser.
fn hcl_text(e: &Expression) -> Option<String> {
    match e {
        Expression::Null => None,
        Expression::String(s) => Some(s.clone()),
        Expression::Number(n) => Some(n.to_string()),
        Expression::TemplateExpr(t) => {
            let template = Template::from_expr(t.as_ref()).expect("template parses");
            let mut out = String::new();
            for el in template.elements() {
                match el {
                    Element::Literal(l) => out.push_str(l),
                    Element::Interpolation(i) => match &i.expr {
                        Expression::String(s) => out.push_str(s),
                        other => match traversal_name(other).as_str() {
                            "data.aws_partition.current.partition" => out.push_str("<partition>"),
                            // `name` in a module for the provider's 5.x.
                            "data.aws_region.current.region" | "data.aws_region.current.name" => {
                                out.push_str("<region>");
                            }
                            "data.aws_caller_identity.current.account_id" => {
                                out.push_str("<account_id>");
                            }
                            // A variable of the module: one of the spec's inputs.
                            n => match n.strip_prefix("var.") {
                                Some(input) => {
                                    out.push_str("<input.");
                                    out.push_str(input);
                                    out.push('>');
                                }
                                None => panic!("unexpected interpolation {n}"),
                            },
                        },
                    },
                    Element::Directive(d) => panic!("unexpected directive {d:?}"),
                }
            }
            Some(out)
        }
        other => panic!("not a text value: {other:?}"),
    }
}

fn hcl_list(e: &Expression) -> Vec<String> {
    match e {
        Expression::Array(items) => items.iter().filter_map(hcl_text).collect(),
        other => panic!("expected a list, found {other:?}"),
    }
}

fn attr<'a>(body: &'a hcl::Body, key: &str) -> Option<&'a Expression> {
    body.attributes()
        .find(|a| a.key() == key)
        .map(hcl::Attribute::expr)
}

fn block<'a>(body: &'a hcl::Body, kind: &str, labels: &[&str]) -> Option<&'a hcl::Body> {
    body.blocks()
        .find(|b| {
            b.identifier() == kind
                && b.labels()
                    .iter()
                    .map(hcl::BlockLabel::as_str)
                    .collect::<Vec<_>>()
                    == labels
        })
        .map(hcl::Block::body)
}

fn hcl_statements(doc: &hcl::Body) -> Vec<Stmt> {
    doc.blocks()
        .filter(|b| b.identifier() == "statement")
        .map(|b| {
            let s = b.body();
            let mut conditions = Conditions::new();
            for c in s.blocks().filter(|c| c.identifier() == "condition") {
                let cb = c.body();
                conditions
                    .entry(hcl_text(attr(cb, "test").unwrap()).unwrap())
                    .or_default()
                    .insert(
                        hcl_text(attr(cb, "variable").unwrap()).unwrap(),
                        hcl_list(attr(cb, "values").unwrap()).into_iter().collect(),
                    );
            }
            let mut principals = BTreeSet::new();
            for p in s.blocks().filter(|p| p.identifier() == "principals") {
                assert_eq!(
                    hcl_text(attr(p.body(), "type").unwrap()).unwrap(),
                    "Service"
                );
                principals.extend(hcl_list(attr(p.body(), "identifiers").unwrap()));
            }
            Stmt {
                sid: hcl_text(attr(s, "sid").unwrap()).unwrap(),
                effect: hcl_text(attr(s, "effect").unwrap()).unwrap(),
                principals,
                actions: hcl_list(attr(s, "actions").unwrap()).into_iter().collect(),
                resources: attr(s, "resources")
                    .map(hcl_list)
                    .unwrap_or_default()
                    .into_iter()
                    .collect(),
                conditions,
            }
        })
        .collect()
}

fn hcl_tags(body: &hcl::Body) -> BTreeMap<String, String> {
    let locals = block(body, "locals", &[]).expect("locals block");
    let Some(Expression::FuncCall(merge)) = attr(locals, "tags") else {
        panic!("tags = merge(...)")
    };
    let mut tags = BTreeMap::new();
    for arg in &merge.args {
        match arg {
            Expression::Object(o) => {
                for (k, v) in o {
                    let key = match k {
                        ObjectKey::Identifier(i) => i.to_string(),
                        ObjectKey::Expression(e) => hcl_text(e).unwrap(),
                        other => panic!("unexpected object key {other:?}"),
                    };
                    tags.insert(key, hcl_text(v).unwrap());
                }
            }
            other => assert_eq!(traversal_name(other), "var.tags"),
        }
    }
    tags
}

/// The module's inputs as used with their defaults: `var.NAME` is the
/// default of `variable "NAME"` in `variables.tf` (`None` for `null`), and
/// `coalesce(var.NAME, VALUE)` is the default or else `VALUE`.
struct Inputs(BTreeMap<String, Option<String>>);

impl Inputs {
    fn of(variables_tf: &str) -> Self {
        let body = hcl::parse(variables_tf).expect("variables.tf parses as HCL");
        let mut out = BTreeMap::new();
        for b in body.blocks().filter(|b| b.identifier() == "variable") {
            let name = b.labels()[0].as_str().to_owned();
            let default = attr(b.body(), "default").and_then(|e| match e {
                Expression::Object(_) => None,
                Expression::Bool(b) => Some(b.to_string()),
                other => hcl_text(other),
            });
            out.insert(name, default);
        }
        Inputs(out)
    }

    fn text(&self, e: &Expression) -> Option<String> {
        match e {
            Expression::Traversal(_) => {
                let name = traversal_name(e);
                let var = name
                    .strip_prefix("var.")
                    .unwrap_or_else(|| panic!("not an input: {name}"));
                self.0
                    .get(var)
                    .unwrap_or_else(|| panic!("no variable {var}"))
                    .clone()
            }
            Expression::FuncCall(f) if f.name.to_string() == "coalesce" => {
                f.args.iter().find_map(|a| self.text(a))
            }
            // `var.flag ? A : B`, the flag at its default.
            Expression::Conditional(c) => match self.text(&c.cond_expr).as_deref() {
                Some("true") => self.text(&c.true_expr),
                Some("false") => self.text(&c.false_expr),
                other => panic!("not a flag: {other:?}"),
            },
            other => hcl_text(other),
        }
    }
}

/// Parse the module's `main.tf` and `variables.tf` with an HCL parser and
/// read both roles, the inputs at their defaults.
pub fn from_terraform(files: &BTreeMap<String, String>) -> Roles {
    let inputs = Inputs::of(&files["terraform/variables.tf"]);
    let body = hcl::parse(&files["terraform/main.tf"]).expect("main.tf parses as HCL");
    let tags = hcl_tags(&body);
    let mut roles = Roles::new();
    for key in ["task", "execution"] {
        let Some(r) = block(&body, "resource", &["aws_iam_role", key]) else {
            continue;
        };
        let trust_ref = traversal_name(attr(r, "assume_role_policy").unwrap());
        assert_eq!(
            trust_ref,
            format!("data.aws_iam_policy_document.{key}_trust.json")
        );
        let trust = block(
            &body,
            "data",
            &["aws_iam_policy_document", &format!("{key}_trust")],
        )
        .unwrap();
        assert_eq!(traversal_name(attr(r, "tags").unwrap()), "local.tags");
        // `use_name_prefix` is off by default: the name as set, no prefix.
        assert_eq!(inputs.text(attr(r, "name_prefix").unwrap()), None);
        let mut view = RoleView {
            name: inputs.text(attr(r, "name").unwrap()).unwrap(),
            description: attr(r, "description").and_then(hcl_text),
            path: attr(r, "path").and_then(|e| inputs.text(e)),
            max_session_duration: attr(r, "max_session_duration")
                .and_then(hcl_text)
                .map(|n| n.parse().unwrap()),
            permissions_boundary: attr(r, "permissions_boundary").and_then(|e| inputs.text(e)),
            tags: tags.clone(),
            trust: hcl_statements(trust),
            ..RoleView::default()
        };
        if let Some(p) = block(&body, "resource", &["aws_iam_role_policy", key]) {
            assert_eq!(
                traversal_name(attr(p, "role").unwrap()),
                format!("aws_iam_role.{key}.id")
            );
            assert_eq!(
                traversal_name(attr(p, "policy").unwrap()),
                format!("data.aws_iam_policy_document.{key}.json")
            );
            view.policy_name = hcl_text(attr(p, "name").unwrap());
            let doc =
                block(&body, "data", &["aws_iam_policy_document", key]).expect("policy document");
            view.statements = hcl_statements(doc);
        }
        if let Some(a) = block(&body, "resource", &["aws_iam_role_policy_attachment", key]) {
            let Some(Expression::FuncCall(toset)) = attr(a, "for_each") else {
                panic!("for_each = toset([...])")
            };
            view.managed_policies = hcl_list(&toset.args[0]).into_iter().collect();
            assert_eq!(
                traversal_name(attr(a, "role").unwrap()),
                format!("aws_iam_role.{key}.name")
            );
        }
        let prefix = format!("{key}_policy_");
        for b in body.blocks().filter(|b| b.identifier() == "resource") {
            let labels: Vec<&str> = b.labels().iter().map(hcl::BlockLabel::as_str).collect();
            let [kind, name] = labels[..] else { continue };
            let Some(number) = name.strip_prefix(&prefix) else {
                continue;
            };
            if kind != "aws_iam_policy" {
                continue;
            }
            let p = b.body();
            assert_eq!(
                traversal_name(attr(p, "policy").unwrap()),
                format!("data.aws_iam_policy_document.{name}.json")
            );
            let a = block(&body, "resource", &["aws_iam_role_policy_attachment", name])
                .expect("the created policy is attached");
            assert_eq!(
                traversal_name(attr(a, "role").unwrap()),
                format!("aws_iam_role.{key}.name")
            );
            assert_eq!(
                traversal_name(attr(a, "policy_arn").unwrap()),
                format!("aws_iam_policy.{name}.arn")
            );
            let doc =
                block(&body, "data", &["aws_iam_policy_document", name]).expect("policy document");
            view.created.insert(number.to_owned(), hcl_statements(doc));
        }
        roles.insert(key.to_owned(), view);
    }
    roles
}

/// Every `.tf` file parses as HCL.
/// The policy resources of each role in `main.tf`, by role key: every
/// resource whose `role` refers to `aws_iam_role.<key>`, as `type.name`.
pub fn terraform_policy_resources(main_tf: &str) -> BTreeMap<String, BTreeSet<String>> {
    let body = hcl::parse(main_tf).expect("main.tf parses as HCL");
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for b in body.blocks().filter(|b| b.identifier() == "resource") {
        let [kind, name] = b.labels() else {
            panic!("a resource has two labels")
        };
        let Some(role) = attr(b.body(), "role") else {
            continue;
        };
        let role = traversal_name(role);
        let key = role
            .strip_prefix("aws_iam_role.")
            .and_then(|r| r.split('.').next())
            .unwrap_or_else(|| panic!("{role} is not a role's attribute"));
        out.entry(key.to_owned()).or_default().insert(format!(
            "{}.{}",
            kind.as_str(),
            name.as_str()
        ));
    }
    out
}

/// The `depends_on` of each output in `outputs.tf`, by output name (empty
/// when it has none).
pub fn terraform_output_depends_on(outputs_tf: &str) -> BTreeMap<String, Vec<String>> {
    let body = hcl::parse(outputs_tf).expect("outputs.tf parses as HCL");
    body.blocks()
        .filter(|b| b.identifier() == "output")
        .map(|b| {
            let depends_on = match attr(b.body(), "depends_on") {
                Some(Expression::Array(items)) => items.iter().map(traversal_name).collect(),
                Some(other) => panic!("depends_on is not a list: {other:?}"),
                None => Vec::new(),
            };
            (b.labels()[0].as_str().to_owned(), depends_on)
        })
        .collect()
}

pub fn parse_all_hcl(files: &BTreeMap<String, String>) {
    for (name, text) in files
        .iter()
        .filter(|(n, _)| Path::new(n.as_str()).extension().is_some_and(|e| e == "tf"))
    {
        hcl::parse(text).unwrap_or_else(|e| panic!("{name} does not parse as HCL: {e}"));
    }
}

/// A case of `tests/task_definitions/real/`: its one file besides
/// `expected.yaml`, and the arguments of the `init` that turns it into
/// `spec.yaml` (the case's `parameters:` given as `--parameter`).
pub fn real_case_init(case: &Path) -> (String, Vec<String>) {
    let mut names: Vec<String> = std::fs::read_dir(case)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n != "expected.yaml")
        .collect();
    assert_eq!(names.len(), 1, "{}: {names:?}", case.display());
    let file = names.remove(0);
    let expected: Yaml =
        serde_yaml::from_str(&std::fs::read_to_string(case.join("expected.yaml")).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", case.display()));
    let mut args: Vec<String> = [
        "init",
        "--from-task-definition",
        &file,
        "--output",
        "spec.yaml",
    ]
    .iter()
    .map(|a| (*a).to_owned())
    .collect();
    for (k, v) in expected["parameters"].as_mapping().into_iter().flatten() {
        args.push("--parameter".to_owned());
        args.push(format!("{}={}", k.as_str().unwrap(), v.as_str().unwrap()));
    }
    (file, args)
}

/// The case folders of `tests/task_definitions/<folder>/`, sorted.
pub fn task_definition_cases(folder: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/task_definitions")
            .join(folder),
    )
    .unwrap()
    .map(|e| e.unwrap().path())
    .filter(|p| p.is_dir())
    .collect();
    out.sort();
    out
}

/// Run `git args` in `dir` as a fixed author; a failure fails the test.
pub fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "ecs-iam tests")
        .env("GIT_AUTHOR_EMAIL", "tests@example.com")
        .env("GIT_COMMITTER_NAME", "ecs-iam tests")
        .env("GIT_COMMITTER_EMAIL", "tests@example.com")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
