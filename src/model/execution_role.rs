//! The task execution role: what ECS needs to start the task (image
//! pulls, logs, the secrets and parameters it injects, their KMS keys).

use crate::arn::Text;
use crate::error::{Error, Problem};

use super::derived::{Derived, Sourced, joined, origins};
use super::resources::{KMS_KEY, LOG_GROUP, PARAMETER, REPOSITORY, SECRET};
use super::statements::{condition, policy, statement};
use super::{Builder, Common, Role, RoleKind, Wildcard, guardduty, names};

impl Builder<'_> {
    pub(super) fn execution_role(&self, common: &Common, derived: &Derived) -> Result<Role, Error> {
        let e = &self.source.spec.execution_role;
        let name = self.role_name("execution_role.name", e.name.as_ref(), RoleKind::Execution)?;
        let mut st = Vec::new();
        let ecr = &e.ecr;
        let repos = self.resources(
            &REPOSITORY,
            "execution_role.ecr.repositories",
            &ecr.repositories,
        )?;
        for (i, cache) in ecr.pull_through_cache.iter().enumerate() {
            self.at(
                &format!("execution_role.ecr.pull_through_cache[{i}].prefix"),
                names::cache_prefix(&cache.prefix),
            )?;
        }
        let agent = if e.guardduty_agent {
            let region = self.env.region.clone();
            let repository = region.as_deref().and_then(guardduty::agent_repository);
            Some(repository.ok_or_else(|| {
                self.invalid(
                    "execution_role.guardduty_agent",
                    Problem::GuardDutyRegion { region },
                )
            })?)
        } else {
            None
        };
        let pulls_anything = !repos.is_empty() || !derived.pulls.is_empty();
        if (ecr.source_vpc.is_some() || ecr.source_vpce.is_some()) && !pulls_anything {
            return Err(self.invalid(
                "execution_role.ecr",
                Problem::EmptyList {
                    what: "`repositories` (the VPC conditions apply to pulls from them)",
                },
            ));
        }
        if pulls_anything || agent.is_some() {
            // GetAuthorizationToken has no resource type and cannot carry the
            // VPC conditions: the call leaves through Fargate's own interface.
            st.push(
                statement(
                    "EcrAuthorizationToken",
                    &["ecr:GetAuthorizationToken"],
                    vec![Text::literal("*")],
                    Vec::new(),
                    if pulls_anything {
                        "execution_role.ecr.repositories"
                    } else {
                        "execution_role.guardduty_agent"
                    },
                )
                .unavoidable(Wildcard::NoResourceScope)
                .sourced(
                    derived
                        .pulls
                        .iter()
                        .map(|p| Sourced {
                            text: Text::literal("*"),
                            ..p.clone()
                        })
                        .collect(),
                ),
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
            st.push(
                statement(
                    "EcrPull",
                    &[
                        "ecr:BatchCheckLayerAvailability",
                        "ecr:BatchGetImage",
                        "ecr:GetDownloadUrlForLayer",
                    ],
                    joined(repos, &derived.pulls),
                    conditions,
                    "execution_role.ecr.repositories",
                )
                .sourced(origins(&derived.pulls)),
            );
        }
        if let Some(repository) = agent {
            // Not under the VPC conditions: those narrow the pulls of the
            // spec's own images, and whether Fargate pulls the agent
            // through the task's VPC endpoint is not documented.
            st.push(statement(
                "GuardDutyAgentPull",
                &[
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:BatchGetImage",
                    "ecr:GetDownloadUrlForLayer",
                ],
                vec![repository],
                Vec::new(),
                "execution_role.guardduty_agent",
            ));
        }
        if !derived.imports.is_empty() {
            st.push(
                statement(
                    "EcrPullThroughCache",
                    &["ecr:BatchImportUpstreamImage"],
                    joined(Vec::new(), &derived.imports),
                    Vec::new(),
                    "execution_role.ecr.pull_through_cache",
                )
                .unavoidable(Wildcard::CachedRepositories)
                .sourced(origins(&derived.imports)),
            );
        }
        if !derived.creates.is_empty() {
            st.push(
                statement(
                    "EcrPullThroughCacheCreate",
                    &["ecr:CreateRepository"],
                    joined(Vec::new(), &derived.creates),
                    Vec::new(),
                    "execution_role.ecr.pull_through_cache",
                )
                .unavoidable(Wildcard::CachedRepositories)
                .sourced(origins(&derived.creates)),
            );
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
        if !groups.is_empty() || !derived.log_groups.is_empty() {
            let created = if e.logs.create_group {
                groups.clone()
            } else {
                Vec::new()
            };
            st.push(
                statement(
                    "Logs",
                    &["logs:CreateLogStream", "logs:PutLogEvents"],
                    joined(groups, &derived.log_groups),
                    Vec::new(),
                    "execution_role.logs.groups",
                )
                .unavoidable(Wildcard::LogStreams)
                .sourced(origins(&derived.log_groups)),
            );
            if !created.is_empty() || !derived.created_log_groups.is_empty() {
                st.push(
                    statement(
                        "LogsCreateGroup",
                        &["logs:CreateLogGroup"],
                        // Only the `:*` form: the ECS agent asks for
                        // `log-group:<name>:log-stream:` (an empty stream
                        // name), as its AccessDenied messages show, which
                        // the bare group ARN does not match.
                        joined(created, &derived.created_log_groups),
                        Vec::new(),
                        if e.logs.create_group {
                            "execution_role.logs.create_group"
                        } else {
                            "task_definitions"
                        },
                    )
                    .unavoidable(Wildcard::LogStreams)
                    .sourced(origins(&derived.created_log_groups)),
                );
            }
        }
        let reads_secrets = !e.secrets.is_empty() || !derived.secrets.is_empty();
        if reads_secrets {
            let resources = self.resources(&SECRET, "execution_role.secrets", &e.secrets)?;
            st.push(
                statement(
                    "ReadSecrets",
                    &["secretsmanager:GetSecretValue"],
                    joined(resources, &derived.secrets),
                    Vec::new(),
                    "execution_role.secrets",
                )
                .sourced(origins(&derived.secrets)),
            );
        }
        let reads_parameters = !e.ssm_parameters.is_empty() || !derived.parameters.is_empty();
        if reads_parameters {
            let resources = self.resources(
                &PARAMETER,
                "execution_role.ssm_parameters",
                &e.ssm_parameters,
            )?;
            st.push(
                statement(
                    "ReadParameters",
                    &["ssm:GetParameters"],
                    joined(resources, &derived.parameters),
                    Vec::new(),
                    "execution_role.ssm_parameters",
                )
                .sourced(origins(&derived.parameters)),
            );
        }
        if !derived.environment_files.is_empty() {
            st.push(
                statement(
                    "EnvironmentFiles",
                    &["s3:GetObject"],
                    joined(Vec::new(), &derived.environment_files),
                    Vec::new(),
                    "task_definitions",
                )
                .sourced(origins(&derived.environment_files)),
            );
            st.push(
                statement(
                    "EnvironmentFileBuckets",
                    &["s3:GetBucketLocation"],
                    joined(Vec::new(), &derived.environment_file_buckets),
                    Vec::new(),
                    "task_definitions",
                )
                .sourced(origins(&derived.environment_file_buckets)),
            );
        }
        if !derived.firelens_configs.is_empty() {
            st.push(
                statement(
                    "FirelensConfig",
                    &["s3:GetObject"],
                    joined(Vec::new(), &derived.firelens_configs),
                    Vec::new(),
                    "task_definitions",
                )
                .sourced(origins(&derived.firelens_configs)),
            );
            st.push(
                statement(
                    "FirelensConfigBuckets",
                    &["s3:GetBucketLocation"],
                    joined(Vec::new(), &derived.firelens_config_buckets),
                    Vec::new(),
                    "task_definitions",
                )
                .sourced(origins(&derived.firelens_config_buckets)),
            );
        }
        // The keys decrypt what ECS injects: secrets through Secrets
        // Manager, SecureString parameters through SSM.
        let mut via = Vec::new();
        if reads_secrets {
            via.push("secretsmanager");
        }
        if reads_parameters {
            via.push("ssm");
        }
        if via.is_empty() && !e.kms_keys.is_empty() {
            // A bad key is the more useful message.
            self.resources(&KMS_KEY, "execution_role.kms_keys", &e.kms_keys)?;
            return Err(self.invalid("execution_role.kms_keys", Problem::NothingToDecrypt));
        }
        st.extend(self.kms_statement("execution_role.kms_keys", &e.kms_keys, &via)?);
        let managed = self.managed("execution_role.managed_policies", &e.managed_policies)?;
        st.extend(self.deny()?);
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
            created_policies: Vec::new(),
            managed_policies: managed,
        })
    }
}
