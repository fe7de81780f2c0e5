//! ECS task definitions, read from the shapes users have: what
//! `aws ecs describe-task-definition` prints, what
//! `register-task-definition --cli-input-json` takes, a bare
//! `containerDefinitions` list (Terraform's `container_definitions`), and an
//! `AWS::ECS::TaskDefinition` resource of a CloudFormation template.
//!
//! Only the fields that decide what the roles need are read; each keeps its
//! `file:line:column` and its path in the ECS API's own names
//! (`containerDefinitions[app].secrets[DB_PASSWORD]`), whatever the shape.
//! CloudFormation's `Fn::Sub`, `Fn::Join` and `Ref` of the pseudo
//! parameters are resolved to the spec's placeholders (`<partition>`,
//! `<region>`, `<account_id>`); anything known only at deploy time is an
//! error where it is needed. [`needs`] turns what is read into grants.

pub mod needs;
pub mod starter;
mod tree;

use std::path::{Path, PathBuf};

use crate::error::{Error, Location, Problem};

use tree::{Node, Pos, Value};

/// The largest task definition file read (CloudFormation's own limit on a
/// template is 1 MB).
pub const MAX_TASK_DEFINITION_BYTES: u64 = 4 * 1024 * 1024;

/// A task definition, as far as the roles are concerned.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskDefinition {
    /// The file as the spec or the command line names it, for origins.
    pub label: String,
    /// `taskDefinitionArn` (describe-task-definition output only).
    pub arn: Option<Field>,
    pub family: Option<Field>,
    pub task_role_arn: Option<Field>,
    pub execution_role_arn: Option<Field>,
    pub containers: Vec<Container>,
    pub volumes: Vec<Volume>,
}

impl TaskDefinition {
    /// The deployment its own ARNs name: the partition and account of its
    /// roles and of `taskDefinitionArn`, the region of the latter; each
    /// with the field that names it.
    #[must_use]
    pub fn deployment(&self) -> Vec<(&'static str, String, String)> {
        let mut out: Vec<(&'static str, String, String)> = Vec::new();
        for f in [&self.arn, &self.execution_role_arn, &self.task_role_arn]
            .into_iter()
            .flatten()
        {
            let parts: Vec<&str> = f.value.splitn(6, ':').collect();
            if parts.len() != 6 || parts[0] != "arn" {
                continue;
            }
            let mut add = |key: &'static str, value: &str| {
                if !value.is_empty()
                    && !value.starts_with('<')
                    && !out.iter().any(|(k, ..)| *k == key)
                {
                    out.push((key, value.to_owned(), f.path.clone()));
                }
            };
            add("<partition>", parts[1]);
            add("<region>", parts[3]);
            add("<account_id>", parts[4]);
        }
        out
    }
}

/// A value read from the file: its text (deploy-time values as the spec's
/// placeholders), its path in ECS API names, and where it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub value: String,
    pub path: String,
    pub at: Location,
}

/// One entry of `containerDefinitions`.
#[derive(Debug, Clone, PartialEq)]
pub struct Container {
    pub name: String,
    /// `containerDefinitions[<name>]`.
    pub path: String,
    pub image: Option<Field>,
    /// `repositoryCredentials.credentialsParameter`.
    pub repository_credentials: Option<Field>,
    /// `secrets[].valueFrom`, each path naming the secret's `name`.
    pub secrets: Vec<Field>,
    pub log: Option<LogConfiguration>,
    /// `environmentFiles[]` of type `s3`: their `value`.
    pub environment_files: Vec<Field>,
    pub mount_points: Vec<MountPoint>,
}

/// A container's `logConfiguration`.
#[derive(Debug, Clone, PartialEq)]
pub struct LogConfiguration {
    pub driver: Field,
    /// `options`, by key.
    pub options: Vec<(String, Field)>,
    /// `secretOptions[].valueFrom`.
    pub secret_options: Vec<Field>,
}

impl LogConfiguration {
    #[must_use]
    pub fn option(&self, key: &str) -> Option<&Field> {
        self.options.iter().find(|(k, _)| k == key).map(|(_, f)| f)
    }
}

/// A container's mount of a task volume.
#[derive(Debug, Clone, PartialEq)]
pub struct MountPoint {
    pub source_volume: String,
    pub read_only: bool,
}

/// One entry of `volumes`.
#[derive(Debug, Clone, PartialEq)]
pub struct Volume {
    pub name: String,
    pub path: String,
    pub efs: Option<Efs>,
}

/// `efsVolumeConfiguration`.
#[derive(Debug, Clone, PartialEq)]
pub struct Efs {
    pub path: String,
    pub at: Location,
    pub file_system_id: Field,
    /// `authorizationConfig.iam` is `ENABLED`.
    pub iam: bool,
    pub access_point_id: Option<Field>,
}

/// Read the task definition `reference` names (`file` or `file#LogicalId`
/// for a template holding several), relative to `base`, with `read`
/// supplying a file's bytes (from disk, or from a git revision).
///
/// # Errors
/// The file cannot be read, is not a task definition, or a field ecs-iam
/// needs is malformed or known only at deploy time.
pub fn load(
    reference: &str,
    base: &Path,
    read: &dyn Fn(&Path) -> Result<Vec<u8>, Error>,
) -> Result<TaskDefinition, Error> {
    let (file, logical) = match reference.rsplit_once('#') {
        Some((f, id)) => (f, Some(id)),
        None => (reference, None),
    };
    // `..` is applied to the text, so a spec's folder need not exist yet
    // (`init --output new/folder/spec.yaml`).
    let mut path = PathBuf::new();
    for c in base.join(file).components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir if path.file_name().is_some() => {
                path.pop();
            }
            other => path.push(other),
        }
    }
    let bytes = read(&path)?;
    let start = Location {
        file: path.clone(),
        line: 1,
        column: 1,
    };
    if bytes.len() as u64 > MAX_TASK_DEFINITION_BYTES {
        return Err(Error::Invalid {
            at: start,
            field: String::new(),
            problem: Box::new(Problem::TaskDefinitionTooLarge {
                bytes: bytes.len() as u64,
                max: MAX_TASK_DEFINITION_BYTES,
            }),
        });
    }
    let text = String::from_utf8(bytes).map_err(|_| Error::NotUtf8 { at: start })?;
    parse(&path, reference, &text, logical)
}

/// Parse a task definition's text; `path` names the file in errors and
/// picks JSON or YAML, `label` names it in origins.
///
/// # Errors
/// As [`load`].
pub fn parse(
    path: &Path,
    label: &str,
    text: &str,
    logical: Option<&str>,
) -> Result<TaskDefinition, Error> {
    let root = tree::parse(path, text)?;
    let r = Reader {
        file: path.to_owned(),
        cfn: false,
    };
    if root.as_list().is_some() {
        return r.task(label, &root, Some(&root));
    }
    if let Some(inner) = root.get("taskDefinition") {
        let containers = inner.get("containerDefinitions");
        return r.task(label, inner, containers);
    }
    if let Some(containers) = root.get("containerDefinitions") {
        return r.task(label, &root, Some(containers));
    }
    if let Some(resources) = root.get("Resources") {
        let r = Reader { cfn: true, ..r };
        let found: Vec<(&str, &Node)> = resources
            .as_map()
            .unwrap_or_default()
            .iter()
            .filter(|(_, _, n)| {
                n.get("Type").and_then(Node::as_str) == Some("AWS::ECS::TaskDefinition")
            })
            .map(|(k, _, n)| (k.as_str(), n))
            .collect();
        let chosen = match (logical, found.as_slice()) {
            (Some(id), _) => found.iter().find(|(k, _)| *k == id).ok_or_else(|| {
                r.invalid(
                    resources.pos,
                    "Resources",
                    Problem::NoSuchTaskDefinition {
                        id: id.to_owned(),
                        found: found.iter().map(|(k, _)| (*k).to_owned()).collect(),
                    },
                )
            })?,
            (None, [one]) => one,
            (None, _) => {
                return Err(r.invalid(
                    resources.pos,
                    "Resources",
                    Problem::TaskDefinitionCount {
                        found: found.iter().map(|(k, _)| (*k).to_owned()).collect(),
                    },
                ));
            }
        };
        let properties = chosen.1.get("Properties").ok_or_else(|| {
            r.invalid(
                chosen.1.pos,
                &format!("Resources.{}", chosen.0),
                Problem::NoContainerDefinitions,
            )
        })?;
        return r.task(label, properties, properties.get("ContainerDefinitions"));
    }
    Err(r.invalid(root.pos, "", Problem::NotATaskDefinition))
}

/// Reads fields by their ECS API name, in the API's camelCase or
/// CloudFormation's PascalCase.
struct Reader {
    file: PathBuf,
    cfn: bool,
}

/// CloudFormation's name of an ECS API field.
fn cfn_name(api: &str) -> String {
    match api {
        "efsVolumeConfiguration" => "EFSVolumeConfiguration".to_owned(),
        "fileSystemId" => "FilesystemId".to_owned(),
        "iam" => "IAM".to_owned(),
        _ => {
            let mut c = api.chars();
            c.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + c.as_str()
            })
        }
    }
}

impl Reader {
    fn at(&self, (line, column): Pos) -> Location {
        Location {
            file: self.file.clone(),
            line,
            column,
        }
    }

    fn invalid(&self, pos: Pos, path: &str, problem: Problem) -> Error {
        Error::Invalid {
            at: self.at(pos),
            field: path.to_owned(),
            problem: Box::new(problem),
        }
    }

    fn get<'n>(&self, node: &'n Node, api: &str) -> Option<&'n Node> {
        if self.cfn {
            node.get(&cfn_name(api))
        } else {
            node.get(api)
        }
    }

    /// The list under `api`, empty when absent.
    fn list<'n>(&self, node: &'n Node, api: &str, path: &str) -> Result<&'n [Node], Error> {
        match self.get(node, api) {
            None => Ok(&[]),
            Some(n) => n.as_list().ok_or_else(|| {
                self.invalid(
                    n.pos,
                    &format!("{path}.{api}"),
                    Problem::TaskDefinitionType { expected: "a list" },
                )
            }),
        }
    }

    /// The text of a string field, CloudFormation intrinsics resolved.
    fn text(&self, node: &Node, path: &str) -> Result<Field, Error> {
        Ok(Field {
            value: self.resolve(node, path)?,
            path: path.to_owned(),
            at: self.at(node.pos),
        })
    }

    fn field(&self, node: &Node, api: &str, path: &str) -> Result<Option<Field>, Error> {
        self.get(node, api)
            .map(|n| self.text(n, &format!("{path}.{api}")))
            .transpose()
    }

    /// A field read only for names (`family`, role ARNs): a value known
    /// only at deploy time is left out rather than refused.
    fn optional(&self, node: &Node, api: &str) -> Option<Field> {
        self.field(node, api, "").ok().flatten().map(|mut f| {
            api.clone_into(&mut f.path);
            f
        })
    }

    fn boolean(&self, node: &Node, api: &str) -> bool {
        self.get(node, api)
            .and_then(|n| match &n.value {
                Value::Scalar { text, .. } if n.tag.is_none() => Some(text.as_str()),
                _ => None,
            })
            .is_some_and(|t| t.eq_ignore_ascii_case("true"))
    }

    /// A scalar, a `Fn::Sub`, a `Fn::Join` or a `Ref` of a pseudo
    /// parameter, as text with the spec's placeholders.
    fn resolve(&self, node: &Node, path: &str) -> Result<String, Error> {
        let function = |name: &str| {
            self.invalid(
                node.pos,
                path,
                Problem::Intrinsic {
                    function: name.to_owned(),
                },
            )
        };
        let (function_name, argument) = match (&node.tag, &node.value) {
            (Some(tag), _) => {
                let name = if tag == "Ref" {
                    "Ref".to_owned()
                } else {
                    format!("Fn::{tag}")
                };
                let untagged = Node {
                    tag: None,
                    ..node.clone()
                };
                return self.call(&name, &untagged, path).map_err(|e| match e {
                    Some(e) => e,
                    None => function(&name),
                });
            }
            (None, Value::Scalar { text, .. }) => return Ok(text.clone()),
            (None, Value::Map(entries))
                if entries.len() == 1
                    && (entries[0].0 == "Ref" || entries[0].0.starts_with("Fn::")) =>
            {
                (entries[0].0.clone(), &entries[0].2)
            }
            (None, _) => {
                return Err(self.invalid(
                    node.pos,
                    path,
                    Problem::TaskDefinitionType {
                        expected: "a string",
                    },
                ));
            }
        };
        self.call(&function_name, argument, path)
            .map_err(|e| e.unwrap_or_else(|| function(&function_name)))
    }

    /// An intrinsic function's value; `Err(None)` for a function that
    /// cannot be resolved before deploy.
    fn call(&self, function: &str, arg: &Node, path: &str) -> Result<String, Option<Error>> {
        let type_error =
            |expected| Some(self.invalid(arg.pos, path, Problem::TaskDefinitionType { expected }));
        match function {
            "Ref" => {
                let name = arg.as_str().ok_or_else(|| type_error("a name"))?;
                pseudo(name).map(str::to_owned).ok_or_else(|| {
                    Some(self.invalid(
                        arg.pos,
                        path,
                        Problem::DeployTimeValue {
                            name: name.to_owned(),
                        },
                    ))
                })
            }
            "Fn::Sub" => {
                let (template, vars) = match &arg.value {
                    Value::Scalar { text, .. } if arg.tag.is_none() => (text.clone(), None),
                    Value::List(items) if items.len() == 2 => (
                        items[0]
                            .as_str()
                            .ok_or_else(|| type_error("a string"))?
                            .to_owned(),
                        Some(&items[1]),
                    ),
                    _ => return Err(type_error("a string, or a string and a mapping")),
                };
                self.sub(&template, vars, arg.pos, path).map_err(Some)
            }
            "Fn::Join" => {
                let items = arg.as_list().ok_or_else(|| type_error("a list"))?;
                let [delimiter, parts] = items else {
                    return Err(type_error("a delimiter and a list"));
                };
                let delimiter = delimiter.as_str().ok_or_else(|| type_error("a string"))?;
                let parts = parts.as_list().ok_or_else(|| type_error("a list"))?;
                let texts: Result<Vec<String>, Error> =
                    parts.iter().map(|p| self.resolve(p, path)).collect();
                Ok(texts.map_err(Some)?.join(delimiter))
            }
            _ => Err(None),
        }
    }

    fn sub(
        &self,
        template: &str,
        vars: Option<&Node>,
        pos: Pos,
        path: &str,
    ) -> Result<String, Error> {
        let mut out = String::new();
        let mut rest = template;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            if let Some(literal) = after.strip_prefix('!') {
                // `${!Name}` is the literal text `${Name}`.
                out.push_str("${");
                rest = literal;
                continue;
            }
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let name = &after[..end];
            if let Some(v) = vars.and_then(|v| v.get(name)) {
                out.push_str(&self.resolve(v, path)?);
            } else if let Some(value) = pseudo(name) {
                out.push_str(value);
            } else {
                return Err(self.invalid(
                    pos,
                    path,
                    Problem::DeployTimeValue {
                        name: name.to_owned(),
                    },
                ));
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    fn task(
        &self,
        label: &str,
        task: &Node,
        containers: Option<&Node>,
    ) -> Result<TaskDefinition, Error> {
        let containers = match containers {
            None => return Err(self.invalid(task.pos, "", Problem::NoContainerDefinitions)),
            Some(c) => c.as_list().ok_or_else(|| {
                self.invalid(
                    c.pos,
                    "containerDefinitions",
                    Problem::TaskDefinitionType { expected: "a list" },
                )
            })?,
        };
        let is_task = task.as_map().is_some();
        let mut out = TaskDefinition {
            label: label.to_owned(),
            arn: None,
            family: None,
            task_role_arn: None,
            execution_role_arn: None,
            containers: Vec::new(),
            volumes: Vec::new(),
        };
        if is_task {
            out.arn = self.optional(task, "taskDefinitionArn");
            out.family = self.optional(task, "family");
            out.task_role_arn = self.optional(task, "taskRoleArn");
            out.execution_role_arn = self.optional(task, "executionRoleArn");
        }
        for (i, c) in containers.iter().enumerate() {
            out.containers.push(self.container(i, c)?);
        }
        if is_task {
            for (i, v) in self.list(task, "volumes", "")?.iter().enumerate() {
                out.volumes.push(self.volume(i, v)?);
            }
        }
        Ok(out)
    }

    fn container(&self, index: usize, c: &Node) -> Result<Container, Error> {
        let indexed = format!("containerDefinitions[{index}]");
        if c.as_map().is_none() {
            return Err(self.invalid(
                c.pos,
                &indexed,
                Problem::TaskDefinitionType {
                    expected: "a mapping",
                },
            ));
        }
        let name = match self.get(c, "name") {
            Some(n) => self.resolve(n, &format!("{indexed}.name"))?,
            None => {
                return Err(self.invalid(c.pos, &indexed, Problem::ContainerName));
            }
        };
        let path = format!("containerDefinitions[{name}]");
        let mut secrets = Vec::new();
        for (i, s) in self.list(c, "secrets", &path)?.iter().enumerate() {
            secrets.push(self.named_value_from(s, &format!("{path}.secrets"), i)?);
        }
        let log = match self.get(c, "logConfiguration") {
            None => None,
            Some(l) => {
                let lp = format!("{path}.logConfiguration");
                let driver = self
                    .field(l, "logDriver", &lp)?
                    .ok_or_else(|| self.invalid(l.pos, &lp, Problem::LogDriver))?;
                let mut options = Vec::new();
                if let Some(o) = self.get(l, "options") {
                    // Option keys are the driver's own, in both shapes.
                    for (k, _, v) in o.as_map().unwrap_or_default() {
                        options.push((k.clone(), self.text(v, &format!("{lp}.options.{k}"))?));
                    }
                }
                let mut secret_options = Vec::new();
                for (i, s) in self.list(l, "secretOptions", &lp)?.iter().enumerate() {
                    secret_options.push(self.named_value_from(
                        s,
                        &format!("{lp}.secretOptions"),
                        i,
                    )?);
                }
                Some(LogConfiguration {
                    driver,
                    options,
                    secret_options,
                })
            }
        };
        let repository_credentials = match self.get(c, "repositoryCredentials") {
            None => None,
            Some(r) => {
                let rp = format!("{path}.repositoryCredentials");
                self.field(r, "credentialsParameter", &rp)?.map(|mut f| {
                    f.path = rp;
                    f
                })
            }
        };
        let mut environment_files = Vec::new();
        for (i, f) in self.list(c, "environmentFiles", &path)?.iter().enumerate() {
            let fp = format!("{path}.environmentFiles[{i}]");
            let kind = self.field(f, "type", &fp)?;
            if kind.as_ref().is_some_and(|k| k.value == "s3")
                && let Some(mut v) = self.field(f, "value", &fp)?
            {
                v.path = fp;
                environment_files.push(v);
            }
        }
        let mut mount_points = Vec::new();
        for m in self.list(c, "mountPoints", &path)? {
            if let Some(v) = self.get(m, "sourceVolume").and_then(Node::as_str) {
                mount_points.push(MountPoint {
                    source_volume: v.to_owned(),
                    read_only: self.boolean(m, "readOnly"),
                });
            }
        }
        Ok(Container {
            image: self.field(c, "image", &path)?,
            name,
            path,
            repository_credentials,
            secrets,
            log,
            environment_files,
            mount_points,
        })
    }

    /// A `{name, valueFrom}` entry, its path naming it by `name`.
    fn named_value_from(&self, entry: &Node, list: &str, index: usize) -> Result<Field, Error> {
        let name = self
            .get(entry, "name")
            .and_then(|n| self.resolve(n, list).ok())
            .unwrap_or_else(|| index.to_string());
        let path = format!("{list}[{name}]");
        let value = self
            .get(entry, "valueFrom")
            .ok_or_else(|| self.invalid(entry.pos, &path, Problem::ValueFromMissing))?;
        let mut f = self.text(value, &format!("{path}.valueFrom"))?;
        f.path = path;
        Ok(f)
    }

    fn volume(&self, index: usize, v: &Node) -> Result<Volume, Error> {
        let name = self
            .get(v, "name")
            .and_then(Node::as_str)
            .map_or_else(|| index.to_string(), str::to_owned);
        let path = format!("volumes[{name}]");
        let efs = match self.get(v, "efsVolumeConfiguration") {
            None => None,
            Some(e) => {
                let ep = format!("{path}.efsVolumeConfiguration");
                let file_system_id = self
                    .field(e, "fileSystemId", &ep)?
                    .ok_or_else(|| self.invalid(e.pos, &ep, Problem::FileSystemId))?;
                let auth = self.get(e, "authorizationConfig");
                let iam = auth
                    .and_then(|a| self.get(a, "iam"))
                    .and_then(Node::as_str)
                    .is_some_and(|s| s == "ENABLED");
                let access_point_id = match auth {
                    Some(a) => {
                        self.field(a, "accessPointId", &format!("{ep}.authorizationConfig"))?
                    }
                    None => None,
                };
                Some(Efs {
                    at: self.at(e.pos),
                    path: ep,
                    file_system_id,
                    iam,
                    access_point_id,
                })
            }
        };
        Ok(Volume { name, path, efs })
    }
}

/// The text a pseudo parameter stands for.
fn pseudo(name: &str) -> Option<&'static str> {
    Some(match name {
        "AWS::Partition" => "<partition>",
        "AWS::Region" => "<region>",
        "AWS::AccountId" => "<account_id>",
        "AWS::URLSuffix" => "<url_suffix>",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(file: &str, text: &str) -> Result<TaskDefinition, Error> {
        parse(Path::new(file), file, text, None)
    }

    #[test]
    fn the_four_shapes_read_alike() {
        let bare = r#"[{"name": "app", "image": "nginx", "secrets": [{"name": "DB", "valueFrom": "/orders/db"}]}]"#;
        let register = format!(r#"{{"family": "orders", "containerDefinitions": {bare}}}"#);
        let describe = format!(r#"{{"taskDefinition": {register}, "tags": []}}"#);
        let cfn = "Resources:\n  Task:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      Family: orders\n      ContainerDefinitions:\n        - Name: app\n          Image: nginx\n          Secrets:\n            - Name: DB\n              ValueFrom: /orders/db\n";
        let shapes = [
            read("a.json", bare).unwrap(),
            read("b.json", &register).unwrap(),
            read("c.json", &describe).unwrap(),
            read("d.yaml", cfn).unwrap(),
        ];
        for t in &shapes {
            assert_eq!(t.containers[0].name, "app");
            assert_eq!(t.containers[0].secrets[0].value, "/orders/db");
            assert_eq!(
                t.containers[0].secrets[0].path,
                "containerDefinitions[app].secrets[DB]"
            );
        }
        assert_eq!(shapes[3].containers[0].secrets[0].at.line, 11);
        assert_eq!(shapes[2].family.as_ref().unwrap().value, "orders");
    }

    #[test]
    fn intrinsics_resolve_to_placeholders() {
        let cfn = "Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: app\n          Image: !Sub '${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/app:${Tag}'\n";
        let e = read("t.yaml", cfn).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.yaml:7:18: `containerDefinitions[app].image`: `Tag` is known only at deploy time; ecs-iam resolves `Ref` and `Fn::Sub` of `AWS::Partition`, `AWS::Region`, `AWS::AccountId` and `AWS::URLSuffix`: write the value here, or grant it in the spec instead"
        );
        let ok = cfn.replace("${Tag}", "${!Tag}");
        let t = read("t.yaml", &ok).unwrap();
        assert_eq!(
            t.containers[0].image.as_ref().unwrap().value,
            "<account_id>.dkr.ecr.<region>.<url_suffix>/app:${Tag}"
        );
        let join = r#"{"Resources": {"T": {"Type": "AWS::ECS::TaskDefinition", "Properties": {"ContainerDefinitions": [{"Name": "app", "Image": {"Fn::Join": ["", [{"Ref": "AWS::AccountId"}, ".dkr.ecr.eu-west-1.amazonaws.com/app"]]}, "Secrets": [{"Name": "S", "ValueFrom": {"Fn::GetAtt": ["X", "Arn"]}}]}]}}}}"#;
        let e = read("t.json", join).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("t.json:1:251: `containerDefinitions[app].secrets[S].valueFrom`: `Fn::GetAtt` is known only at deploy time"),
            "{e}"
        );
    }

    #[test]
    fn not_a_task_definition() {
        let e = read("t.json", r#"{"version": 1}"#).unwrap_err();
        assert!(e.to_string().starts_with("t.json:1:1: "), "{e}");
        let e = read("t.json", r#"[{"image": "nginx"}]"#).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("t.json:1:2: `containerDefinitions[0]`: "),
            "{e}"
        );
    }
}
