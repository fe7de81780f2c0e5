//! The AWS managed policies ecs-iam knows: their names and paths, and the
//! grants of those whose content it knows.

use crate::arn::{Segment, Text};

/// An AWS managed policy.
#[derive(Debug)]
pub struct AwsManaged {
    pub name: &'static str,
    /// The IAM path, e.g. `/service-role/`.
    pub path: &'static str,
    /// The actions it allows on `"*"`, as AWS documents them; empty when
    /// ecs-iam does not know its content.
    pub grants: &'static [&'static str],
}

/// The policy AWS offers for task execution roles: ECR pulls and awslogs
/// on `"*"`.
pub const TASK_EXECUTION: AwsManaged = AwsManaged {
    name: "AmazonECSTaskExecutionRolePolicy",
    path: "/service-role/",
    grants: &[
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:GetAuthorizationToken",
        "ecr:GetDownloadUrlForLayer",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    ],
};

/// The policies a spec may name without their ARN, sorted by name.
pub const KNOWN: &[AwsManaged] = &[
    other("AWSXRayDaemonWriteAccess"),
    other("AmazonEC2ContainerRegistryReadOnly"),
    TASK_EXECUTION,
    other("AmazonS3ReadOnlyAccess"),
    other("AmazonSSMManagedInstanceCore"),
    other("AmazonSSMReadOnlyAccess"),
    other("CloudWatchAgentServerPolicy"),
    other("CloudWatchLogsFullAccess"),
    other("SecretsManagerReadWrite"),
];

const fn other(name: &'static str) -> AwsManaged {
    AwsManaged {
        name,
        path: "/",
        grants: &[],
    }
}

impl AwsManaged {
    /// The known policy called `name`.
    #[must_use]
    pub fn by_name(name: &str) -> Option<&'static AwsManaged> {
        KNOWN.iter().find(|m| m.name == name)
    }

    /// The known policy `arn` names, in any partition.
    #[must_use]
    pub fn by_arn(arn: &str) -> Option<&'static AwsManaged> {
        KNOWN
            .iter()
            .find(|m| arn.ends_with(&format!(":iam::aws:policy{}{}", m.path, m.name)))
    }

    /// Whether a spec's managed policy entry, a name or an ARN, names this
    /// policy.
    #[must_use]
    pub fn is_named_by(&self, value: &str) -> bool {
        value.rsplit('/').next() == Some(self.name)
    }

    /// The policy's ARN in `partition`.
    #[must_use]
    pub fn arn(&self, partition: Segment) -> Text {
        let mut t = Text::literal("arn:");
        t.push(partition);
        t.push_str(&format!(":iam::aws:policy{}{}", self.path, self.name));
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_by_name_and_by_arn() {
        let arn = "arn:aws-cn:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";
        assert_eq!(
            AwsManaged::by_arn(arn).map(|m| m.name),
            Some(TASK_EXECUTION.name)
        );
        assert!(
            AwsManaged::by_arn("arn:aws:iam::aws:policy/AmazonECSTaskExecutionRolePolicy")
                .is_none()
        );
        assert!(TASK_EXECUTION.is_named_by(arn));
        assert!(TASK_EXECUTION.is_named_by("AmazonECSTaskExecutionRolePolicy"));
        assert!(!TASK_EXECUTION.is_named_by("MyAmazonECSTaskExecutionRolePolicy"));
        assert_eq!(
            AwsManaged::by_name("SecretsManagerReadWrite").map(|m| m.path),
            Some("/")
        );
    }
}
