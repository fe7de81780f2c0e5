//! What both roles share: their names, descriptions, session length, trust
//! policy, tags, permissions boundary and managed policies.

use std::collections::{BTreeMap, BTreeSet};

use crate::arn::{GLOBAL, Text};
use crate::error::{Error, Problem, suggest};
use crate::spec::{Effect, TrustSpec};

use super::managed::AwsManaged;
use super::resources::{MANAGED_POLICY, POLICY};
use super::statements::{condition, group_conditions};
use super::{
    Builder, EC2, ECS_TASKS, ManagedPolicy, RoleKind, Statement, Tag, UnmanagedRole, names,
};

impl Builder<'_> {
    pub(super) fn tags(&self) -> Result<Vec<Tag>, Error> {
        let tags = &self.source.spec.tags;
        self.at("tags", names::tag_count(tags.len()))?;
        let mut out = Vec::new();
        for (key, value) in tags {
            self.at(&format!("tags.{key}"), names::tag(key, value))?;
            out.push(Tag {
                key: key.clone(),
                value: value.clone(),
            });
        }
        Ok(out)
    }

    pub(super) fn boundary(&self, field: &str, value: &str) -> Result<Text, Error> {
        if value.starts_with("arn:") {
            return Ok(self.typed_arn(field, value, &POLICY)?.text);
        }
        self.at(field, names::policy_name(value))?;
        Ok(self.env.arn("iam", GLOBAL, &format!("policy/{value}")))
    }

    pub(super) fn managed(
        &self,
        field: &str,
        list: &[String],
    ) -> Result<Vec<ManagedPolicy>, Error> {
        let mut out: BTreeMap<String, ManagedPolicy> = BTreeMap::new();
        for (i, value) in list.iter().enumerate() {
            let field = format!("{field}[{i}]");
            let (name, arn) = if value.starts_with("arn:") {
                let a = self.typed_arn(&field, value, &MANAGED_POLICY)?;
                let name = a.resource.rsplit('/').next().unwrap_or_default().to_owned();
                (name, a.text)
            } else {
                let Some(known) = AwsManaged::by_name(value) else {
                    return Err(self.invalid(
                        &field,
                        Problem::UnknownManagedPolicy {
                            value: value.clone(),
                        },
                    ));
                };
                (known.name.to_owned(), known.arn(self.env.partition()))
            };
            if out.contains_key(&name) {
                return Err(self.invalid(
                    &field,
                    Problem::Duplicate {
                        value: value.clone(),
                    },
                ));
            }
            out.insert(name.clone(), ManagedPolicy { name, arn });
        }
        Ok(out.into_values().collect())
    }

    /// Whether the spec manages the role of `kind`; one it does not
    /// (`managed: false`) may give only its `name`.
    pub(super) fn is_managed(&self, kind: RoleKind) -> Result<bool, Error> {
        let s = &self.source.spec;
        // Each field of the role's section as written, against its default.
        let (managed, written, default) = match kind {
            RoleKind::Task => (
                s.task_role.managed,
                serde_json::to_value(&s.task_role),
                serde_json::to_value(crate::spec::TaskRoleSpec::default()),
            ),
            RoleKind::Execution => (
                s.execution_role.managed,
                serde_json::to_value(&s.execution_role),
                serde_json::to_value(crate::spec::ExecutionRoleSpec::default()),
            ),
        };
        if managed != Some(false) {
            return Ok(true);
        }
        if let (Ok(serde_json::Value::Object(written)), Ok(default)) = (written, default) {
            for (key, value) in &written {
                if key != "managed" && key != "name" && Some(value) != default.get(key) {
                    return Err(self.invalid_key(
                        &format!("{}.{key}", kind.spec_field()),
                        Problem::UnmanagedRoleField {
                            role: kind.title(),
                            field: key.clone(),
                        },
                    ));
                }
            }
        }
        Ok(false)
    }

    /// A role the spec does not manage: its name, when the spec or the task
    /// definitions give one.
    pub(super) fn unmanaged_role(&self, kind: RoleKind) -> Result<UnmanagedRole, Error> {
        let field = format!("{}.name", kind.spec_field());
        let explicit = match kind {
            RoleKind::Task => self.source.spec.task_role.name.as_ref(),
            RoleKind::Execution => self.source.spec.execution_role.name.as_ref(),
        };
        let name = match (explicit, self.bound(kind)) {
            (Some(n), _) => Some(n.clone()),
            (None, Some(r)) => Some(r.name.clone()),
            (None, None) => None,
        };
        if let (Some(n), Some(_)) = (&name, explicit) {
            self.at(&field, names::role_name(n))?;
        }
        Ok(UnmanagedRole { kind, name })
    }

    /// The role's name: the spec's, or the workload's name and `suffix`.
    pub(super) fn role_name(
        &self,
        field: &str,
        explicit: Option<&String>,
        kind: RoleKind,
    ) -> Result<String, Error> {
        let (name, field) = match (explicit, self.bound(kind)) {
            (Some(n), _) => (n.clone(), field),
            (None, Some(r)) => (r.name.clone(), "task_definitions"),
            (None, None) => (format!("{}-{}", self.source.spec.name, kind.key()), "name"),
        };
        self.at(field, names::role_name(&name))?;
        Ok(name)
    }

    /// The role of this kind the task definitions run with, when the spec
    /// names none: the rendered role takes its name. A task role that is
    /// also the execution role is not taken (the two roles are distinct;
    /// `verify` reports that the task definition must change).
    pub(super) fn bound(&self, kind: RoleKind) -> Option<&crate::task_definition::RoleRef> {
        let r = &self.roles;
        match kind {
            RoleKind::Execution => r.execution.as_ref(),
            RoleKind::Task => r.task.as_ref().filter(|t| {
                r.execution
                    .as_ref()
                    .is_none_or(|e| e.path_name() != t.path_name())
            }),
        }
    }

    /// The path the task definitions' roles share, when the spec names
    /// none and the roles take their names from them.
    pub(super) fn bound_path(&self) -> Option<String> {
        let s = &self.source.spec;
        let named = [
            (RoleKind::Task, s.task_role.name.is_some()),
            (RoleKind::Execution, s.execution_role.name.is_some()),
        ];
        let paths: Vec<&str> = named
            .iter()
            .filter(|(_, explicit)| !explicit)
            .filter_map(|(k, _)| self.bound(*k))
            .map(|r| r.path.as_str())
            .collect();
        match paths.as_slice() {
            [first, rest @ ..] if *first != "/" && rest.iter().all(|p| p == first) => {
                Some((*first).to_owned())
            }
            _ => None,
        }
    }

    /// The role's description: the spec's, or one made of `what` and the
    /// workload's name and description.
    pub(super) fn description(
        &self,
        field: &str,
        explicit: Option<&String>,
        what: &str,
    ) -> Result<String, Error> {
        let s = &self.source.spec;
        if let Some(d) = explicit {
            self.at(field, names::description(d))?;
            return Ok(d.clone());
        }
        let d = match &s.description {
            Some(d) => format!("{what} of {}: {d}", s.name),
            None => format!("{what} of {}", s.name),
        };
        // The spec description was checked; only the length can grow.
        self.at("description", names::description(&d))?;
        Ok(d)
    }

    pub(super) fn session(&self, field: &str, value: Option<u64>) -> Result<Option<u64>, Error> {
        match value {
            Some(v) if !(3600..=43200).contains(&v) => {
                Err(self.invalid(field, Problem::SessionDuration { value: v }))
            }
            other => Ok(other),
        }
    }

    pub(super) fn trust(
        &self,
        field: &str,
        trust: &TrustSpec,
        deputy_default: bool,
    ) -> Result<Vec<Statement>, Error> {
        let services: BTreeSet<String> = match &trust.services {
            None => BTreeSet::from([ECS_TASKS.to_owned()]),
            Some(list) => {
                let mut set = BTreeSet::new();
                for (i, s) in list.iter().enumerate() {
                    if s != ECS_TASKS && s != EC2 {
                        return Err(self.invalid(
                            &format!("{field}.services[{i}]"),
                            Problem::UnknownService {
                                value: s.clone(),
                                suggestion: suggest(s, [ECS_TASKS, EC2]),
                            },
                        ));
                    }
                    set.insert(s.clone());
                }
                if !set.contains(ECS_TASKS) {
                    return Err(
                        self.invalid(&format!("{field}.services"), Problem::MissingEcsTasks)
                    );
                }
                set
            }
        };
        let deputy = trust.confused_deputy.unwrap_or(deputy_default);
        let mut out = Vec::new();
        let mut conditions = Vec::new();
        if deputy {
            // AWS: the conditions must sit on the statement that names the
            // principal; a separate statement would be ORed away.
            let mut source_arn = Text::literal("arn:");
            source_arn.push(self.env.partition());
            source_arn.push_str(":ecs:");
            source_arn.push(self.env.region());
            source_arn.push_str(":");
            source_arn.push(self.env.account());
            source_arn.push_str(":*");
            let mut account = Text::default();
            account.push(self.env.account());
            conditions = group_conditions(vec![
                condition("ArnLike", "aws:SourceArn", vec![source_arn]),
                condition("StringEquals", "aws:SourceAccount", vec![account]),
            ]);
        }
        out.push(Statement {
            sid: "EcsTasksAssumeRole".to_owned(),
            effect: Effect::Allow,
            principals: vec![ECS_TASKS.to_owned()],
            actions: vec!["sts:AssumeRole".to_owned()],
            resources: Vec::new(),
            conditions,
            origin: format!("{field}.services"),
            sources: Vec::new(),
            wildcard: None,
            acknowledged: None,
        });
        if services.contains(EC2) {
            // EC2 assumes the role with the instance as source, so the ECS
            // SourceArn condition cannot apply to it.
            out.push(Statement {
                sid: "Ec2AssumeRole".to_owned(),
                effect: Effect::Allow,
                principals: vec![EC2.to_owned()],
                actions: vec!["sts:AssumeRole".to_owned()],
                resources: Vec::new(),
                conditions: Vec::new(),
                origin: format!("{field}.services"),
                sources: Vec::new(),
                wildcard: None,
                acknowledged: None,
            });
        }
        Ok(out)
    }
}

impl Builder<'_> {
    /// The spec's `deny` list as one explicit `Deny` statement on `"*"`.
    pub(super) fn deny(&self) -> Result<Option<Statement>, Error> {
        let actions = &self.source.spec.deny;
        if actions.is_empty() {
            return Ok(None);
        }
        for (i, a) in actions.iter().enumerate() {
            let field = format!("deny[{i}]");
            self.at(&field, names::action(a))?;
            // A misspelt action would deny nothing.
            self.at(&field, names::known_action(a))?;
        }
        let mut st =
            super::statements::statement("Deny", &[], vec![Text::literal("*")], Vec::new(), "deny");
        st.effect = Effect::Deny;
        st.actions = super::statements::sorted_unique(actions.clone());
        Ok(Some(st))
    }
}
