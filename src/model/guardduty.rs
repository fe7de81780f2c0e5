//! The GuardDuty Runtime Monitoring security agent that ECS adds to new
//! Fargate tasks when GuardDuty manages the agent automatically. ECS pulls
//! its image with the task execution role from a repository AWS owns in
//! each region.
//!
//! The table is GuardDuty's user guide, "ECR Repository for GuardDuty agent
//! on AWS Fargate (Amazon ECS only)"
//! (<https://docs.aws.amazon.com/guardduty/latest/ug/ecs-runtime-agent-ecr-image-uri.html>),
//! copied row for row in the page's order. It lists `aws` partition regions
//! only: no AWS GovCloud (US) or China region.

use crate::arn::Text;

/// The repository's name, the same in every region.
pub const AGENT_REPOSITORY: &str = "aws-guardduty-agent-fargate";

/// (region, AWS-owned account holding the repository, region's name), as
/// the user guide lists them.
pub const AGENT_ACCOUNTS: &[(&str, &str, &str)] = &[
    ("us-west-2", "733349766148", "US West (Oregon)"),
    ("eu-west-3", "665651866788", "Europe (Paris)"),
    ("ap-south-1", "251508486986", "Asia Pacific (Mumbai)"),
    ("ap-south-2", "950823858135", "Asia Pacific (Hyderabad)"),
    ("ca-central-1", "354763396469", "Canada (Central)"),
    ("me-central-1", "000014521398", "Middle East (UAE)"),
    ("eu-west-2", "892757235363", "Europe (London)"),
    ("us-west-1", "684579721401", "US West (N. California)"),
    ("us-east-1", "593207742271", "US East (N. Virginia)"),
    ("us-east-2", "307168627858", "US East (Ohio)"),
    ("eu-west-1", "694911143906", "Europe (Ireland)"),
    ("sa-east-1", "758426053663", "South America (São Paulo)"),
    ("eu-north-1", "591436053604", "Europe (Stockholm)"),
    ("eu-central-1", "323658145986", "Europe (Frankfurt)"),
    ("eu-central-2", "529164026651", "Europe (Zurich)"),
    ("ap-southeast-1", "174946120834", "Asia Pacific (Singapore)"),
    ("ap-southeast-2", "005257825471", "Asia Pacific (Sydney)"),
    ("ap-southeast-3", "510637619217", "Asia Pacific (Jakarta)"),
    ("ap-northeast-1", "533107202818", "Asia Pacific (Tokyo)"),
    ("ap-northeast-2", "914738172881", "Asia Pacific (Seoul)"),
    ("ap-northeast-3", "273192626886", "Asia Pacific (Osaka)"),
    ("ap-east-1", "258348409381", "Asia Pacific (Hong Kong)"),
    ("me-south-1", "536382113932", "Middle East (Bahrain)"),
    ("eu-south-1", "266869475730", "Europe (Milan)"),
    ("eu-south-2", "919611009337", "Europe (Spain)"),
    ("af-south-1", "197869348890", "Africa (Cape Town)"),
    ("ap-southeast-4", "251357961535", "Asia Pacific (Melbourne)"),
    ("il-central-1", "870907303882", "Israel (Tel Aviv)"),
    ("ap-southeast-5", "156041399949", "Asia Pacific (Malaysia)"),
    ("ap-southeast-7", "054037130133", "Asia Pacific (Thailand)"),
    ("ca-west-1", "339712888787", "Canada West (Calgary)"),
    ("mx-central-1", "311141559934", "Mexico (Central)"),
    ("ap-east-2", "259886477082", "Asia Pacific (Taipei)"),
];

/// The agent repository's ARN in `region`, or `None` for a region the user
/// guide does not list. Every listed region is in the `aws` partition.
#[must_use]
pub fn agent_repository(region: &str) -> Option<Text> {
    AGENT_ACCOUNTS
        .iter()
        .find(|(r, ..)| *r == region)
        .map(|(r, account, _)| {
            Text::literal(&format!(
                "arn:aws:ecr:{r}:{account}:repository/{AGENT_REPOSITORY}"
            ))
        })
}

/// Whether `arn` is one of the agent repositories: AWS's own, which lets
/// every account pull, so no resource policy is anyone's to write.
#[must_use]
pub fn is_agent_repository(arn: &str) -> bool {
    AGENT_ACCOUNTS.iter().any(|(r, account, _)| {
        arn == format!("arn:aws:ecr:{r}:{account}:repository/{AGENT_REPOSITORY}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_repository_per_region() {
        let mut regions: Vec<&str> = AGENT_ACCOUNTS.iter().map(|(r, ..)| *r).collect();
        regions.sort_unstable();
        regions.dedup();
        assert_eq!(regions.len(), AGENT_ACCOUNTS.len());
        assert!(
            AGENT_ACCOUNTS
                .iter()
                .all(|(r, a, _)| crate::arn::is_region(r)
                    && a.len() == 12
                    && a.bytes().all(|b| b.is_ascii_digit()))
        );
        assert_eq!(
            agent_repository("eu-west-1").unwrap().to_string(),
            "arn:aws:ecr:eu-west-1:694911143906:repository/aws-guardduty-agent-fargate"
        );
        assert!(agent_repository("us-gov-west-1").is_none());
    }
}
