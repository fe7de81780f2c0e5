//! The resource a recorded call acted on, as the ARN a policy names it by:
//! from the record's `resources[]` when it lists one of the action's kind,
//! otherwise from `requestParameters` (`bucketName` and `key`, `secretId`,
//! `name` / `names` of SSM parameters, `logGroupName`, `queueUrl`,
//! `tableName`, `keyId`, ...), in the record's partition, region and
//! account. `None` when the record does not say: the call is then
//! evidence for the action alone, never for a resource guessed.

use serde_json::Value;

use crate::arn::{Partition, is_account_id, is_region};

use super::records::Record;

/// The resources `action` (`s3:GetObject`) acted on in `record`, as ARNs.
#[must_use]
pub fn resources(record: &Record, action: &str) -> Option<Vec<String>> {
    let (service, name) = action.split_once(':')?;
    let listed: Vec<String> = record
        .resources
        .iter()
        .filter(|arn| arn.split(':').nth(2) == Some(service))
        .cloned()
        .collect();
    // S3 lists the bucket beside the object: the object is what an object
    // action acts on.
    let listed = if service == "s3" && name.contains("Object") {
        listed.into_iter().filter(|a| a.contains('/')).collect()
    } else {
        listed
    };
    if !listed.is_empty() {
        return Some(listed);
    }
    let place = Place::of(record)?;
    let p = &record.request;
    let text = |key: &str| p.get(key).and_then(Value::as_str);
    let out: Vec<String> = match service {
        "s3" => {
            let bucket = text("bucketName")?;
            match text("key") {
                Some(key) if name.contains("Object") => {
                    vec![format!("arn:{}:s3:::{bucket}/{key}", place.partition)]
                }
                _ => vec![format!("arn:{}:s3:::{bucket}", place.partition)],
            }
        }
        "secretsmanager" => {
            let id = text("secretId")?;
            vec![if id.starts_with("arn:") {
                id.to_owned()
            } else {
                // A name: the secret's ARN ends in six characters the record
                // does not give.
                place.arn("secretsmanager", &format!("secret:{id}-??????"))
            }]
        }
        "ssm" => {
            let names: Vec<&str> = match p.get("names").and_then(Value::as_array) {
                Some(list) => list.iter().filter_map(Value::as_str).collect(),
                None => vec![text("name")?],
            };
            names
                .into_iter()
                .map(|n| {
                    if n.starts_with("arn:") {
                        n.to_owned()
                    } else {
                        place.arn("ssm", &format!("parameter/{}", n.trim_start_matches('/')))
                    }
                })
                .collect()
        }
        "logs" => {
            let group = text("logGroupName")?;
            vec![place.arn("logs", &format!("log-group:{group}:*"))]
        }
        "sqs" => {
            // https://sqs.REGION.amazonaws.com/ACCOUNT/NAME
            let url = text("queueUrl")?;
            let mut parts = url.rsplit('/');
            let queue = parts.next()?;
            let account = parts.next().filter(|a| is_account_id(a))?;
            vec![format!(
                "arn:{}:sqs:{}:{account}:{queue}",
                place.partition, place.region
            )]
        }
        "sns" => vec![text("topicArn")?.to_owned()],
        "dynamodb" => {
            let table = text("tableName")?;
            vec![place.arn("dynamodb", &format!("table/{table}"))]
        }
        "kms" => {
            let key = text("keyId")?;
            vec![if key.starts_with("arn:") {
                key.to_owned()
            } else if key.starts_with("alias/") {
                // An alias names no key ARN the policy holds.
                return None;
            } else {
                place.arn("kms", &format!("key/{key}"))
            }]
        }
        "ecr" => {
            let repository = text("repositoryName")?;
            let account = text("registryId").unwrap_or(&place.account);
            vec![format!(
                "arn:{}:ecr:{}:{account}:repository/{repository}",
                place.partition, place.region
            )]
        }
        "kinesis" => match text("streamARN") {
            Some(arn) => vec![arn.to_owned()],
            None => vec![place.arn("kinesis", &format!("stream/{}", text("streamName")?))],
        },
        "firehose" => vec![place.arn(
            "firehose",
            &format!("deliverystream/{}", text("deliveryStreamName")?),
        )],
        _ => return None,
    };
    Some(out)
}

/// Where a call was made: the partition, region and account of the
/// resources it names by name.
struct Place {
    partition: &'static str,
    region: String,
    account: String,
}

impl Place {
    fn of(record: &Record) -> Option<Place> {
        let region = record.region.as_deref().filter(|r| is_region(r))?;
        let account = record.account.as_deref().filter(|a| is_account_id(a))?;
        Some(Place {
            partition: Partition::of_region(region).as_str(),
            region: region.to_owned(),
            account: account.to_owned(),
        })
    }

    fn arn(&self, service: &str, resource: &str) -> String {
        format!(
            "arn:{}:{service}:{}:{}:{resource}",
            self.partition, self.region, self.account
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Location;
    use serde_json::json;

    fn record(listed: &[&str], request: Value) -> Record {
        Record {
            at: Location {
                file: "t.json".into(),
                line: 1,
                column: 1,
            },
            id: None,
            time: "2026-12-01T10:00:00Z".to_owned(),
            source: String::new(),
            name: String::new(),
            region: Some("eu-west-1".to_owned()),
            account: Some("111122223333".to_owned()),
            issuer: None,
            invoked_by: None,
            error: None,
            category: None,
            read_only: None,
            resources: listed.iter().map(|s| (*s).to_owned()).collect(),
            request,
        }
    }

    #[test]
    fn from_the_request() {
        for (action, request, expected) in [
            (
                "s3:GetObject",
                json!({"bucketName": "orders", "key": "in/a.csv"}),
                vec!["arn:aws:s3:::orders/in/a.csv"],
            ),
            (
                "s3:ListBucket",
                json!({"bucketName": "orders", "prefix": "in/"}),
                vec!["arn:aws:s3:::orders"],
            ),
            (
                "secretsmanager:GetSecretValue",
                json!({"secretId": "orders/db"}),
                vec!["arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders/db-??????"],
            ),
            (
                "ssm:GetParameters",
                json!({"names": ["/orders/a", "orders/b"]}),
                vec![
                    "arn:aws:ssm:eu-west-1:111122223333:parameter/orders/a",
                    "arn:aws:ssm:eu-west-1:111122223333:parameter/orders/b",
                ],
            ),
            (
                "logs:CreateLogStream",
                json!({"logGroupName": "/ecs/orders", "logStreamName": "x"}),
                vec!["arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/orders:*"],
            ),
            (
                "sqs:SendMessage",
                json!({"queueUrl": "https://sqs.eu-west-1.amazonaws.com/444455556666/jobs"}),
                vec!["arn:aws:sqs:eu-west-1:444455556666:jobs"],
            ),
            (
                "dynamodb:GetItem",
                json!({"tableName": "orders"}),
                vec!["arn:aws:dynamodb:eu-west-1:111122223333:table/orders"],
            ),
            (
                "kms:Decrypt",
                json!({"keyId": "1234abcd-12ab-34cd-56ef-1234567890ab"}),
                vec!["arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"],
            ),
            (
                "ecr:BatchGetImage",
                json!({"repositoryName": "orders", "registryId": "444455556666"}),
                vec!["arn:aws:ecr:eu-west-1:444455556666:repository/orders"],
            ),
        ] {
            assert_eq!(
                resources(&record(&[], request), action),
                Some(expected.iter().map(|s| (*s).to_owned()).collect()),
                "{action}"
            );
        }
    }

    #[test]
    fn the_record_s_own_list_first_and_nothing_guessed() {
        let listed = record(
            &["arn:aws:s3:::orders", "arn:aws:s3:::orders/a.csv"],
            json!({"bucketName": "other", "key": "b"}),
        );
        assert_eq!(
            resources(&listed, "s3:GetObject"),
            Some(vec!["arn:aws:s3:::orders/a.csv".to_owned()])
        );
        // No request, an alias, an unknown region or an unknown service.
        assert_eq!(resources(&record(&[], Value::Null), "s3:GetObject"), None);
        assert_eq!(
            resources(&record(&[], json!({"keyId": "alias/app"})), "kms:Decrypt"),
            None
        );
        let mut unknown_region = record(&[], json!({"tableName": "t"}));
        unknown_region.region = Some("xx-unknown".to_owned());
        assert_eq!(resources(&unknown_region, "dynamodb:GetItem"), None);
        assert_eq!(
            resources(&record(&[], json!({"name": "x"})), "ec2:DescribeInstances"),
            None
        );
    }
}
