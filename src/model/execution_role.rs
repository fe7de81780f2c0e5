//! The task execution role: what ECS needs to start the task (image
//! pulls, logs, the secrets and parameters it injects, their KMS keys).

use crate::arn::Text;
use crate::error::{Error, Problem};

use super::resources::{KMS_KEY, LOG_GROUP, PARAMETER, REPOSITORY, SECRET};
use super::statements::{condition, policy, statement};
use super::{Builder, Common, Role, RoleKind, Wildcard, names};

impl Builder<'_> {
    pub(super) fn execution_role(&self, common: &Common) -> Result<Role, Error> {
        let e = &self.source.spec.execution_role;
        let name = self.role_name("execution_role.name", e.name.as_ref(), "execution")?;
        let mut st = Vec::new();
        let ecr = &e.ecr;
        let repos = self.resources(
            &REPOSITORY,
            "execution_role.ecr.repositories",
            &ecr.repositories,
        )?;
        if (ecr.source_vpc.is_some() || ecr.source_vpce.is_some()) && repos.is_empty() {
            return Err(self.invalid(
                "execution_role.ecr",
                Problem::EmptyList {
                    what: "`repositories` (the VPC conditions apply to pulls from them)",
                },
            ));
        }
        if !repos.is_empty() {
            // GetAuthorizationToken has no resource type and cannot carry the
            // VPC conditions: the call leaves through Fargate's own interface.
            st.push(
                statement(
                    "EcrAuthorizationToken",
                    &["ecr:GetAuthorizationToken"],
                    vec![Text::literal("*")],
                    Vec::new(),
                    "execution_role.ecr.repositories",
                )
                .unavoidable(Wildcard::NoResourceScope),
            );
            let mut conditions = Vec::new();
            if let Some(vpc) = &ecr.source_vpc {
                self.at(
                    "execution_role.ecr.source_vpc",
                    names::vpc_id(vpc, "vpc-", "VPC id"),
                )?;
                conditions.push(condition(
                    "StringEquals",
                    "aws:SourceVpc",
                    vec![Text::literal(vpc)],
                ));
            }
            if let Some(vpce) = &ecr.source_vpce {
                self.at(
                    "execution_role.ecr.source_vpce",
                    names::vpc_id(vpce, "vpce-", "VPC endpoint id"),
                )?;
                conditions.push(condition(
                    "StringEquals",
                    "aws:SourceVpce",
                    vec![Text::literal(vpce)],
                ));
            }
            st.push(statement(
                "EcrPull",
                &[
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:BatchGetImage",
                    "ecr:GetDownloadUrlForLayer",
                ],
                repos,
                conditions,
                "execution_role.ecr.repositories",
            ));
        }
        if ecr.public {
            st.push(
                statement(
                    "EcrPublicAuthorizationToken",
                    &[
                        "ecr-public:GetAuthorizationToken",
                        "sts:GetServiceBearerToken",
                    ],
                    vec![Text::literal("*")],
                    Vec::new(),
                    "execution_role.ecr.public",
                )
                .unavoidable(Wildcard::NoResourceScope),
            );
        }
        let groups = self.resources(&LOG_GROUP, "execution_role.logs.groups", &e.logs.groups)?;
        if e.logs.create_group && groups.is_empty() {
            return Err(self.invalid(
                "execution_role.logs",
                Problem::EmptyList {
                    what: "`groups` (`create_group` applies to them)",
                },
            ));
        }
        if !groups.is_empty() {
            st.push(
                statement(
                    "Logs",
                    &["logs:CreateLogStream", "logs:PutLogEvents"],
                    groups.clone(),
                    Vec::new(),
                    "execution_role.logs.groups",
                )
                .unavoidable(Wildcard::LogStreams),
            );
            if e.logs.create_group {
                st.push(
                    statement(
                        "LogsCreateGroup",
                        &["logs:CreateLogGroup"],
                        groups,
                        Vec::new(),
                        "execution_role.logs.create_group",
                    )
                    .unavoidable(Wildcard::LogStreams),
                );
            }
        }
        if !e.secrets.is_empty() {
            let resources = self.resources(&SECRET, "execution_role.secrets", &e.secrets)?;
            st.push(statement(
                "ReadSecrets",
                &["secretsmanager:GetSecretValue"],
                resources,
                Vec::new(),
                "execution_role.secrets",
            ));
        }
        if !e.ssm_parameters.is_empty() {
            let resources = self.resources(
                &PARAMETER,
                "execution_role.ssm_parameters",
                &e.ssm_parameters,
            )?;
            st.push(statement(
                "ReadParameters",
                &["ssm:GetParameters"],
                resources,
                Vec::new(),
                "execution_role.ssm_parameters",
            ));
        }
        // The keys decrypt what ECS injects: secrets through Secrets
        // Manager, SecureString parameters through SSM.
        let mut via = Vec::new();
        if !e.secrets.is_empty() {
            via.push("secretsmanager");
        }
        if !e.ssm_parameters.is_empty() {
            via.push("ssm");
        }
        if via.is_empty() && !e.kms_keys.is_empty() {
            // A bad key is the more useful message.
            self.resources(&KMS_KEY, "execution_role.kms_keys", &e.kms_keys)?;
            return Err(self.invalid("execution_role.kms_keys", Problem::NothingToDecrypt));
        }
        st.extend(self.kms_statement("execution_role.kms_keys", &e.kms_keys, &via)?);
        let managed = self.managed("execution_role.managed_policies", &e.managed_policies)?;
        let statements = self.custom("execution_role.statements", &e.statements, st)?;
        Ok(Role {
            kind: RoleKind::Execution,
            description: Some(self.description(
                "execution_role.description",
                e.description.as_ref(),
                "ECS task execution role",
            )?),
            max_session_duration: self.session(
                "execution_role.max_session_duration",
                e.max_session_duration,
            )?,
            trust: self.trust("execution_role.trust", &e.trust, false)?,
            policy: policy(&name, statements),
            name,
            path: common.path.clone(),
            permissions_boundary: common.boundary.clone(),
            tags: common.tags.clone(),
            managed_policies: managed,
        })
    }
}
