//! The task role: what the application's containers call (secrets, KMS
//! keys, S3 staging, the integrations of `integrations.rs`, the spec's own
//! statements).

use std::collections::BTreeSet;

use crate::arn::{NO_SCOPE, Text};
use crate::error::{Error, Problem};
use crate::spec::{S3Access, S3Spec};

use super::derived::Derived;
use super::resources::SECRET;
use super::statements::{condition, policy, statement};
use super::{Builder, Common, Role, RoleKind, Statement, Wildcard, names};

impl Builder<'_> {
    pub(super) fn task_role(&self, common: &Common, derived: &Derived) -> Result<Role, Error> {
        let t = &self.source.spec.task_role;
        let name = self.role_name("task_role.name", t.name.as_ref(), RoleKind::Task)?;
        let mut st = Vec::new();
        if t.secrets.list {
            st.push(
                statement(
                    "ListSecrets",
                    &["secretsmanager:ListSecrets"],
                    vec![Text::literal("*")],
                    Vec::new(),
                    "task_role.secrets.list",
                )
                .unavoidable(Wildcard::NoResourceScope),
            );
        }
        if !t.secrets.read.is_empty() {
            let resources = self.resources(&SECRET, "task_role.secrets.read", &t.secrets.read)?;
            st.push(statement(
                "ReadSecrets",
                &["secretsmanager:GetSecretValue"],
                resources,
                Vec::new(),
                "task_role.secrets.read",
            ));
        }
        st.extend(self.kms_statement("task_role.kms_keys", &t.kms_keys, &["secretsmanager"])?);
        for (i, bucket) in t.s3.iter().enumerate() {
            st.extend(self.s3(&format!("task_role.s3[{i}]"), bucket)?);
        }
        for (i, m) in derived.efs.iter().enumerate() {
            let actions: &[&str] = if m.write {
                &[
                    "elasticfilesystem:ClientMount",
                    "elasticfilesystem:ClientWrite",
                ]
            } else {
                &["elasticfilesystem:ClientMount"]
            };
            let conditions = m
                .access_point
                .iter()
                .map(|ap| {
                    condition(
                        "StringEquals",
                        "elasticfilesystem:AccessPointArn",
                        vec![ap.clone()],
                    )
                })
                .collect();
            st.push(
                statement(
                    &format!("EfsMount{}", i + 1),
                    actions,
                    vec![m.file_system.clone()],
                    conditions,
                    "task_definitions",
                )
                .sourced(vec![m.origin.clone()]),
            );
        }
        st.extend(self.exec_command(&t.exec_command)?);
        st.extend(Self::xray(t.xray));
        st.extend(self.firelens(&t.firelens, derived)?);
        let managed = self.managed("task_role.managed_policies", &t.managed_policies)?;
        st.extend(self.deny()?);
        let statements = self.custom("task_role.statements", &t.statements, st)?;
        Ok(Role {
            kind: RoleKind::Task,
            description: Some(self.description(
                "task_role.description",
                t.description.as_ref(),
                "ECS task role",
            )?),
            max_session_duration: self
                .session("task_role.max_session_duration", t.max_session_duration)?,
            trust: self.trust("task_role.trust", &t.trust, true)?,
            policy: policy(&name, statements),
            name,
            path: common.path.clone(),
            permissions_boundary: common.boundary.clone(),
            tags: common.tags.clone(),
            created_policies: Vec::new(),
            managed_policies: managed,
        })
    }

    fn s3(&self, field: &str, s: &S3Spec) -> Result<Vec<Statement>, Error> {
        let bucket = &s.bucket;
        self.checked_name(&format!("{field}.bucket"), bucket, names::bucket)?;
        let prefix = s.prefix.clone().unwrap_or_default();
        self.checked_name(&format!("{field}.prefix"), &prefix, names::key_prefix)?;
        let access: BTreeSet<S3Access> = match &s.access {
            None => BTreeSet::from([S3Access::List, S3Access::Read, S3Access::Write]),
            Some(list) if list.is_empty() => {
                return Err(self.invalid(
                    &format!("{field}.access"),
                    Problem::EmptyList { what: "`access`" },
                ));
            }
            Some(list) => list.iter().copied().collect(),
        };
        let id = pascal(bucket);
        let bucket_arn = self.env.arn("s3", NO_SCOPE, bucket);
        let mut out = Vec::new();
        // Bucket-level actions take the bucket ARN; object actions the object
        // ARN. Mixed up, either silently grants nothing.
        let mut bucket_actions = vec!["s3:GetBucketLocation"];
        let list = access.contains(&S3Access::List);
        if list && prefix.is_empty() {
            bucket_actions.push("s3:ListBucket");
        }
        out.push(statement(
            &format!("S3Bucket{id}"),
            &bucket_actions,
            vec![bucket_arn.clone()],
            Vec::new(),
            field,
        ));
        if list && !prefix.is_empty() {
            // A condition on s3:prefix keeps listing inside the prefix; it
            // needs its own statement, as GetBucketLocation carries no prefix.
            out.push(statement(
                &format!("S3List{id}"),
                &["s3:ListBucket"],
                vec![bucket_arn],
                vec![condition(
                    "StringLike",
                    "s3:prefix",
                    vec![Text::literal(&format!("{prefix}*"))],
                )],
                &format!("{field}.prefix"),
            ));
        }
        let mut object_actions = Vec::new();
        for a in &access {
            match a {
                S3Access::List => {}
                S3Access::Read => object_actions.push("s3:GetObject"),
                S3Access::Write => object_actions.push("s3:PutObject"),
                S3Access::Delete => object_actions.push("s3:DeleteObject"),
                S3Access::Acl => object_actions.extend(["s3:GetObjectAcl", "s3:PutObjectAcl"]),
            }
        }
        if !object_actions.is_empty() {
            out.push(
                statement(
                    &format!("S3Objects{id}"),
                    &object_actions,
                    vec![self.env.arn("s3", NO_SCOPE, &format!("{bucket}/{prefix}*"))],
                    Vec::new(),
                    &format!("{field}.access"),
                )
                .unavoidable(Wildcard::ObjectKeys),
            );
        }
        Ok(out)
    }
}

/// `orders-staging.eu` → `OrdersStagingEu`: a Sid-safe form of a name.
fn pascal(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}
