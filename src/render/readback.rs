//! Generated output read back into the model: `cloudformation.yaml` becomes
//! the two [`Role`]s again, so that two renderings (or a rendering and a
//! spec) can be compared grant by grant.
//!
//! The CloudFormation file is the one read: the tests hold the three formats
//! equal, and a hand edit to another file shows in the file-level diff.

use std::path::Path;

use serde_yaml::Value;

use crate::arn::{Segment, Text};
use crate::error::Error;
use crate::model::{
    ConditionEntry, ConditionGroup, ManagedPolicy, Policy, Role, RoleKind, Statement, Tag,
};
use crate::spec::Effect;

/// The roles a generated folder declares, task role first.
///
/// # Errors
/// `cloudformation.yaml` is missing or is not a template ecs-iam could have
/// written.
pub fn roles(dir: &Path) -> Result<Vec<Role>, Error> {
    let file = dir.join("cloudformation.yaml");
    let text = crate::input::bytes::read_text(
        &file,
        crate::error::FileKind::Generated,
        crate::files::MAX_FILE_BYTES,
    )?;
    parse(&file, &text)
}

/// The roles of a CloudFormation template's text.
///
/// # Errors
/// The text is not YAML, or not a template ecs-iam could have written.
pub fn parse(file: &Path, text: &str) -> Result<Vec<Role>, Error> {
    // An output folder in a pull request is its author's: its aliases are
    // bounded before serde expands them.
    crate::input::yaml::check(file, text, crate::error::FileKind::Generated)?;
    let doc: Value = serde_yaml::from_str(text).map_err(|e| unreadable(file, &e.to_string()))?;
    let error = |at: &str, what: &str| unreadable(file, &format!("`{at}` {what}"));
    let reader = Reader::new(&error);
    let mut roles = Vec::new();
    // A spec that leaves one role to be managed elsewhere declares only
    // the other.
    for kind in RoleKind::ALL {
        let logical_id = kind.logical_id();
        let resource = &doc["Resources"][logical_id];
        if resource.is_null() {
            continue;
        }
        let props = &resource["Properties"];
        if props.is_null() {
            return Err(unreadable(
                file,
                &format!("`Resources.{logical_id}.Properties` is missing"),
            ));
        }
        let at = |field: &str| format!("Resources.{logical_id}.Properties.{field}");
        let (props, attached) = created_refs(&doc, props);
        let mut role = reader.role(kind, &props, &at)?;
        role.created_policies = reader.created_policies(&doc, logical_id, &attached)?;
        roles.push(role);
    }
    if roles.is_empty() {
        return Err(unreadable(
            file,
            "`Resources` holds neither `TaskRole` nor `TaskExecutionRole`",
        ));
    }
    Ok(roles)
}

/// The role of a CDK file (`cdk/<role>.json`, an `iam.CfnRoleProps`),
/// read as its CloudFormation `Properties`: the same IAM fields under
/// camelCase names, the same `Fn::Sub` and `Fn::Join` long forms, and
/// `managedPolicyRef` wrapping a symbolic policy ARN.
///
/// # Errors
/// The text is not JSON, or not a role ecs-iam could have written.
pub fn parse_cdk(file: &Path, kind: RoleKind, text: &str) -> Result<Role, Error> {
    // Straight into the YAML reader's values: JSON's are a subset.
    let json: Value = serde_json::from_str(text).map_err(|e| unreadable(file, &e.to_string()))?;
    let Value::Mapping(props) = json else {
        return Err(unreadable(file, "is not a JSON object"));
    };
    let mut cfn = serde_yaml::Mapping::new();
    for (key, value) in props {
        let key = key.as_str().unwrap_or_default();
        let (name, value) = match key {
            "roleName" => ("RoleName", value),
            "description" => ("Description", value),
            "path" => ("Path", value),
            "maxSessionDuration" => ("MaxSessionDuration", value),
            "permissionsBoundary" => ("PermissionsBoundary", policy_ref(value)),
            "assumeRolePolicyDocument" => ("AssumeRolePolicyDocument", value),
            "policies" => (
                "Policies",
                renamed(
                    value,
                    &[
                        ("policyName", "PolicyName"),
                        ("policyDocument", "PolicyDocument"),
                    ],
                ),
            ),
            "managedPolicyArns" => (
                "ManagedPolicyArns",
                match value {
                    Value::Sequence(items) => {
                        Value::Sequence(items.into_iter().map(policy_ref).collect())
                    }
                    other => other,
                },
            ),
            "tags" => (
                "Tags",
                renamed(value, &[("key", "Key"), ("value", "Value")]),
            ),
            _ => {
                return Err(unreadable(
                    file,
                    &format!("`{key}` is not a key of `iam.CfnRoleProps` ecs-iam writes"),
                ));
            }
        };
        cfn.insert(Value::String(name.to_owned()), value);
    }
    let error = |at: &str, what: &str| unreadable(file, &format!("`{at}` {what}"));
    Reader::new(&error).role(kind, &Value::Mapping(cfn), &|field: &str| field.to_owned())
}

/// `{"managedPolicyRef": {"policyArn": ARN}}` as the ARN it wraps.
fn policy_ref(value: Value) -> Value {
    match value {
        Value::Mapping(mut m) if m.len() == 1 && m.contains_key("managedPolicyRef") => {
            match m.remove("managedPolicyRef") {
                Some(Value::Mapping(mut r)) if r.len() == 1 => {
                    r.remove("policyArn").unwrap_or(Value::Null)
                }
                _ => Value::Null,
            }
        }
        other => other,
    }
}

/// A list of objects with their keys renamed from CDK's to CloudFormation's.
fn renamed(value: Value, names: &[(&str, &str)]) -> Value {
    let Value::Sequence(items) = value else {
        return value;
    };
    Value::Sequence(
        items
            .into_iter()
            .map(|item| match item {
                Value::Mapping(m) => Value::Mapping(
                    m.into_iter()
                        .map(|(k, v)| {
                            let k = names
                                .iter()
                                .find(|(cdk, _)| k.as_str() == Some(*cdk))
                                .map_or(k, |(_, cfn)| Value::String((*cfn).to_owned()));
                            (k, v)
                        })
                        .collect(),
                ),
                other => other,
            })
            .collect(),
    )
}

fn unreadable(file: &Path, message: &str) -> Error {
    Error::NotGenerated {
        path: file.to_owned(),
        message: message.to_owned(),
    }
}

/// Reads roles and policy documents, reporting what it cannot read with
/// `error(path, what)`.
pub struct Reader<'a> {
    error: &'a dyn Fn(&str, &str) -> Error,
}

impl<'a> Reader<'a> {
    /// A reader whose errors `error(path, what)` makes.
    #[must_use]
    pub fn new(error: &'a dyn Fn(&str, &str) -> Error) -> Self {
        Reader { error }
    }

    fn error(&self, at: &str, what: &str) -> Error {
        (self.error)(at, what)
    }

    /// A role from its CloudFormation `Properties` (the IAM API's fields
    /// read back into the same shape), each field's path made by `at`.
    ///
    /// # Errors
    /// A field ecs-iam cannot compare.
    pub fn role(
        &self,
        kind: RoleKind,
        props: &Value,
        at: &dyn Fn(&str) -> String,
    ) -> Result<Role, Error> {
        let reader = self;
        let policy = match props.get("Policies").and_then(Value::as_sequence) {
            None => None,
            Some(list) if list.is_empty() => None,
            Some(list) => {
                let mut statements = Vec::new();
                let mut names = Vec::new();
                for (i, p) in list.iter().enumerate() {
                    let name = reader
                        .string(&p["PolicyName"], &at(&format!("Policies[{i}].PolicyName")))?;
                    // Each statement remembers its policy (a deployed role
                    // may have several).
                    statements.extend(
                        reader
                            .statements(&p["PolicyDocument"], &at(&format!("Policies[{i}]")))?
                            .into_iter()
                            .map(|mut st| {
                                st.origin.clone_from(&name);
                                st
                            }),
                    );
                    names.push(name);
                }
                Some(Policy {
                    name: names.join(","),
                    statements,
                })
            }
        };
        let mut managed = Vec::new();
        for (i, v) in Reader::list(props.get("ManagedPolicyArns"))
            .iter()
            .enumerate()
        {
            let arn = reader.text(v, &at(&format!("ManagedPolicyArns[{i}]")))?;
            let name = arn
                .to_string()
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_owned();
            managed.push(ManagedPolicy { name, arn });
        }
        let mut tags = Vec::new();
        for (i, t) in Reader::list(props.get("Tags")).iter().enumerate() {
            tags.push(Tag {
                key: reader.string(&t["Key"], &at(&format!("Tags[{i}].Key")))?,
                value: reader.string(&t["Value"], &at(&format!("Tags[{i}].Value")))?,
            });
        }
        Ok(Role {
            kind,
            name: reader.string(&props["RoleName"], &at("RoleName"))?,
            description: props
                .get("Description")
                .map(|v| reader.text(v, &at("Description")).map(|t| t.to_string()))
                .transpose()?,
            path: props
                .get("Path")
                .map(|v| reader.text(v, &at("Path")).map(|t| t.to_string()))
                .transpose()?,
            permissions_boundary: props
                .get("PermissionsBoundary")
                .map(|v| reader.text(v, &at("PermissionsBoundary")))
                .transpose()?,
            max_session_duration: props.get("MaxSessionDuration").and_then(Value::as_u64),
            tags,
            trust: reader.statements(
                &props["AssumeRolePolicyDocument"],
                &at("AssumeRolePolicyDocument"),
            )?,
            policy,
            created_policies: Vec::new(),
            managed_policies: managed,
        })
    }

    /// The customer managed policies a template creates for the role of
    /// `logical_id` (`policy_layout: split`): each `AWS::IAM::ManagedPolicy`
    /// the role's `ManagedPolicyArns` names by `!Ref` (`attached`, from
    /// [`created_refs`]; what `render` writes, so that whatever uses the
    /// role waits for them), or whose own `Roles` holds `!Ref
    /// <logical_id>`; in template order, each statement's `origin` its
    /// policy's name.
    ///
    /// # Errors
    /// Such a policy's name or document ecs-iam cannot read.
    pub fn created_policies(
        &self,
        doc: &Value,
        logical_id: &str,
        attached: &[String],
    ) -> Result<Vec<Policy>, Error> {
        let mut out = Vec::new();
        for (id, r) in doc["Resources"].as_mapping().into_iter().flatten() {
            if r.get("Type").and_then(Value::as_str) != Some("AWS::IAM::ManagedPolicy") {
                continue;
            }
            let props = &r["Properties"];
            let id = id.as_str().unwrap_or_default();
            if !attached.iter().any(|a| a == id)
                && !Self::list(props.get("Roles"))
                    .iter()
                    .any(|v| is_ref(v, logical_id))
            {
                continue;
            }
            let at = |field: &str| format!("Resources.{id}.Properties.{field}");
            // A policy CloudFormation names itself is known by its logical id.
            let name = match props.get("ManagedPolicyName") {
                Some(v) => self.string(v, &at("ManagedPolicyName"))?,
                None => id.to_owned(),
            };
            let statements = self
                .statements(&props["PolicyDocument"], &at("PolicyDocument"))?
                .into_iter()
                .map(|mut st| {
                    st.origin.clone_from(&name);
                    st
                })
                .collect();
            out.push(Policy { name, statements });
        }
        Ok(out)
    }

    fn list(v: Option<&Value>) -> Vec<&Value> {
        match v {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Sequence(items)) => items.iter().collect(),
            Some(other) => vec![other],
        }
    }

    fn string(&self, v: &Value, at: &str) -> Result<String, Error> {
        match v {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            Value::Bool(b) => Ok(b.to_string()),
            _ => Err(self.error(at, "is not a string")),
        }
    }

    /// A value with `!Sub` and `!Join` read back into a [`Text`].
    fn text(&self, v: &Value, at: &str) -> Result<Text, Error> {
        match v {
            Value::Tagged(t) if t.tag == "!Sub" => {
                let s = t
                    .value
                    .as_str()
                    .ok_or_else(|| self.error(at, "holds a `!Sub` of a non-string"))?;
                unsub(s)
                    .ok_or_else(|| self.error(at, "holds a `!Sub` variable ecs-iam does not write"))
            }
            Value::Tagged(t) if t.tag == "!Join" => {
                let args = t
                    .value
                    .as_sequence()
                    .filter(|a| a.len() == 2 && a[0].as_str() == Some(""));
                let parts = args
                    .and_then(|a| a[1].as_sequence())
                    .ok_or_else(|| self.error(at, "holds a `!Join` ecs-iam does not write"))?;
                let mut text = Text::default();
                for p in parts {
                    text.append(&self.text(p, at)?);
                }
                Ok(text)
            }
            Value::Mapping(m) if m.len() == 1 => {
                // The long forms of the same functions.
                let (k, inner) = m.iter().next().expect("one entry");
                match k.as_str() {
                    Some("Fn::Sub") => self.text(&tagged("!Sub", inner), at),
                    Some("Fn::Join") => self.text(&tagged("!Join", inner), at),
                    _ => Err(self.error(at, "is not a string")),
                }
            }
            other => Ok(Text::literal(&self.string(other, at)?)),
        }
    }

    fn texts(&self, v: Option<&Value>, at: &str) -> Result<Vec<Text>, Error> {
        Self::list(v)
            .into_iter()
            .enumerate()
            .map(|(i, x)| self.text(x, &format!("{at}[{i}]")))
            .collect()
    }

    /// The statements of a policy document at `at`.
    ///
    /// # Errors
    /// A statement ecs-iam cannot compare (`NotAction`, no `Effect`, ...).
    pub fn statements(&self, doc: &Value, at: &str) -> Result<Vec<Statement>, Error> {
        let Some(list) = doc.get("Statement") else {
            return Err(self.error(at, "has no `Statement`"));
        };
        let mut out = Vec::new();
        for (i, s) in Self::list(Some(list)).into_iter().enumerate() {
            let at = format!("{at}.Statement[{i}]");
            for unsupported in ["NotAction", "NotResource", "NotPrincipal"] {
                if s.get(unsupported).is_some() {
                    return Err(self.error(
                        &at,
                        &format!(
                            "uses `{unsupported}`, which ecs-iam cannot compare grant by grant"
                        ),
                    ));
                }
            }
            let effect = match s.get("Effect").and_then(Value::as_str) {
                Some("Allow") => Effect::Allow,
                Some("Deny") => Effect::Deny,
                _ => return Err(self.error(&at, "has no `Effect` of `Allow` or `Deny`")),
            };
            // Service principals by name, the others (`AWS`, `Federated`,
            // `*`) by what they name: each is someone who may assume the
            // role.
            let principals = match s.get("Principal") {
                None => Vec::new(),
                Some(Value::String(any)) => vec![any.clone()],
                Some(p) => {
                    let mut all = Vec::new();
                    for kind in ["Service", "AWS", "Federated", "CanonicalUser"] {
                        all.extend(
                            self.texts(p.get(kind), &format!("{at}.Principal.{kind}"))?
                                .iter()
                                .map(ToString::to_string),
                        );
                    }
                    all.sort();
                    all
                }
            };
            let actions = self
                .texts(s.get("Action"), &format!("{at}.Action"))?
                .iter()
                .map(ToString::to_string)
                .collect();
            let mut conditions = Vec::new();
            if let Some(Value::Mapping(ops)) = s.get("Condition") {
                for (op, keys) in ops {
                    let test = self.string(op, &format!("{at}.Condition"))?;
                    let mut entries = Vec::new();
                    if let Value::Mapping(keys) = keys {
                        for (k, vals) in keys {
                            let variable = self.string(k, &format!("{at}.Condition.{test}"))?;
                            let values = self
                                .texts(Some(vals), &format!("{at}.Condition.{test}.{variable}"))?;
                            entries.push(ConditionEntry { variable, values });
                        }
                    }
                    conditions.push(ConditionGroup { test, entries });
                }
            }
            out.push(Statement {
                sid: s
                    .get("Sid")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                effect,
                principals,
                actions,
                resources: self.texts(s.get("Resource"), &format!("{at}.Resource"))?,
                conditions,
                origin: String::new(),
                sources: Vec::new(),
                wildcard: None,
                acknowledged: None,
            });
        }
        Ok(out)
    }
}

/// A role's `Properties` without the `ManagedPolicyArns` entries that are
/// a `!Ref` to an `AWS::IAM::ManagedPolicy` of the same template, and
/// those policies' logical ids: they are policies created beside the role
/// (`policy_layout: split`), read as its grants
/// ([`Reader::created_policies`]), not attachments of unknown content.
#[must_use]
pub fn created_refs(doc: &Value, props: &Value) -> (Value, Vec<String>) {
    let is_created = |v: &Value| -> Option<String> {
        let id = ref_target(v)?;
        (doc["Resources"][id]["Type"].as_str() == Some("AWS::IAM::ManagedPolicy"))
            .then(|| id.to_owned())
    };
    let mut props = props.clone();
    let mut ids = Vec::new();
    if let Some(Value::Sequence(list)) = props.get_mut("ManagedPolicyArns") {
        list.retain(|v| match is_created(v) {
            Some(id) => {
                ids.push(id);
                false
            }
            None => true,
        });
        if list.is_empty()
            && let Value::Mapping(m) = &mut props
        {
            m.remove("ManagedPolicyArns");
        }
    }
    (props, ids)
}

/// The logical id `v` names, when it is `!Ref <id>` or `{"Ref": <id>}`.
fn ref_target(v: &Value) -> Option<&str> {
    match v {
        Value::Tagged(t) if t.tag == "!Ref" => t.value.as_str(),
        Value::Mapping(m) if m.len() == 1 => m.get("Ref").and_then(Value::as_str),
        _ => None,
    }
}

/// Whether `v` is `!Ref <id>` or `{"Ref": <id>}`.
fn is_ref(v: &Value, id: &str) -> bool {
    ref_target(v) == Some(id)
}

/// The policies of a role's CDK policies file (`cdk/<role>-policies.json`,
/// a list of `iam.CfnManagedPolicyProps`), read as the CloudFormation
/// policies they become.
///
/// # Errors
/// The text is not JSON, or not policies ecs-iam could have written.
pub fn parse_cdk_policies(file: &Path, text: &str) -> Result<Vec<Policy>, Error> {
    let json: Value = serde_json::from_str(text).map_err(|e| unreadable(file, &e.to_string()))?;
    let Value::Sequence(items) = json else {
        return Err(unreadable(file, "is not a JSON list"));
    };
    let error = |at: &str, what: &str| unreadable(file, &format!("`{at}` {what}"));
    let reader = Reader::new(&error);
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let name = reader.string(
            &item["managedPolicyName"],
            &format!("[{i}].managedPolicyName"),
        )?;
        let statements = reader
            .statements(&item["policyDocument"], &format!("[{i}].policyDocument"))?
            .into_iter()
            .map(|mut st| {
                st.origin.clone_from(&name);
                st
            })
            .collect();
        out.push(Policy { name, statements });
    }
    Ok(out)
}

fn tagged(tag: &str, value: &Value) -> Value {
    Value::Tagged(Box::new(serde_yaml::value::TaggedValue {
        tag: serde_yaml::value::Tag::new(tag),
        value: value.clone(),
    }))
}

/// `Fn::Sub` text back to a [`Text`]; `None` for a variable other than the
/// three pseudo parameters and the inputs ecs-iam writes.
fn unsub(s: &str) -> Option<Text> {
    let mut t = Text::default();
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        t.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        if let Some(lit) = after.strip_prefix('!') {
            t.push_str("${");
            rest = lit;
            continue;
        }
        let end = after.find('}')?;
        t.push(match &after[..end] {
            "AWS::Partition" => Segment::Partition,
            "AWS::Region" => Segment::Region,
            "AWS::AccountId" => Segment::Account,
            // The spec's inputs are template parameters of the same name.
            name => Segment::Input(crate::arn::InputName::parse(name).ok()?),
        });
        rest = &after[end + 1..];
    }
    t.push_str(rest);
    Some(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{Templates, render};

    /// Rendering then reading back gives the same roles.
    #[test]
    fn round_trips_every_example() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        for entry in std::fs::read_dir(root.join("examples")).unwrap() {
            let source =
                crate::spec::load(&entry.unwrap().path(), crate::spec_tree::Reach::Tree).unwrap();
            let model = crate::model::build(&source).unwrap();
            let files = render(&model, &Templates::embedded().unwrap()).unwrap();
            let back = parse(
                Path::new("cloudformation.yaml"),
                &files["cloudformation.yaml"],
            )
            .unwrap();
            for (a, b) in model.roles.iter().zip(&back) {
                assert_eq!(a.name, b.name);
                assert_eq!(a.trust.len(), b.trust.len());
                let (pa, pb) = (a.policy.as_ref(), b.policy.as_ref());
                assert_eq!(
                    pa.map(|p| p.statements.len()),
                    pb.map(|p| p.statements.len())
                );
                for (x, y) in pa
                    .into_iter()
                    .flat_map(|p| &p.statements)
                    .zip(pb.into_iter().flat_map(|p| &p.statements))
                {
                    assert_eq!(x.actions, y.actions);
                    assert_eq!(x.resources, y.resources);
                    assert_eq!(x.sid, y.sid);
                }
            }
        }
    }

    #[test]
    fn unsub_reads_escapes() {
        assert_eq!(
            unsub("arn:${AWS::Partition}:s3:::b/${!aws:username}")
                .unwrap()
                .to_string(),
            "arn:<partition>:s3:::b/${aws:username}"
        );
        // A template parameter is one of the spec's inputs.
        assert_eq!(
            unsub("log-group:${Stage}-app").unwrap().to_string(),
            "log-group:<input.Stage>-app"
        );
        assert!(unsub("${Other::Thing}").is_none());
    }
}
