//! The last-accessed evidence files of `tests/last_accessed/` (see its
//! README for where each comes from), read as `usage --evidence` reads
//! them.

use std::path::PathBuf;

use ecs_iam::last_accessed::{self, Fact, Kind};

fn file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/last_accessed")
        .join(name)
}

#[test]
fn iam_s_documented_reports() {
    let evidence = last_accessed::read(&file("botocore-iam-example.json")).unwrap();
    assert_eq!(
        evidence.kind,
        Kind::Report {
            action_level: false
        }
    );
    assert_eq!(
        evidence.principal.as_deref(),
        Some("arn:aws:iam::123456789012:user/AWSExampleUser01")
    );
    assert_eq!(evidence.as_of.as_deref(), Some("2018-10-24T19:47:35.241Z"));
    assert_eq!(
        evidence.facts,
        [
            Fact::ServiceUsed {
                namespace: "iam".into(),
                last: "2018-10-24T19:11:00Z".into()
            },
            Fact::ServiceNeverUsed {
                namespace: "s3".into()
            },
        ]
    );
    let evidence = last_accessed::read(&file("aws-cli-iam-example.json")).unwrap();
    assert_eq!(evidence.as_of, None);
    assert_eq!(
        evidence.facts,
        [Fact::ServiceUsed {
            namespace: "lambda".into(),
            last: "2019-09-30T23:02:00Z".into()
        }]
    );
}

#[test]
fn access_analyzer_findings() {
    let evidence = last_accessed::read(&file("unused-permission-finding.json")).unwrap();
    assert_eq!(evidence.kind, Kind::Finding { archived: false });
    assert_eq!(
        evidence.principal.as_deref(),
        Some("arn:aws:iam::111122223333:role/orders-task")
    );
    assert_eq!(
        evidence.facts,
        [
            Fact::ActionUnused {
                action: "s3:PutObject".into(),
                last: Some("2026-06-02T10:00:00+00:00".into())
            },
            Fact::ActionUnused {
                action: "s3:DeleteObject".into(),
                last: None
            },
            Fact::ServiceUnused {
                namespace: "sqs".into(),
                last: None
            },
        ]
    );
    let path = file("aws-cli-external-access-finding.json");
    assert_eq!(
        last_accessed::read(&path).unwrap_err().to_string(),
        format!(
            "{}:23:20: an Access Analyzer finding of type `ExternalAccess` says nothing of what a role used; give an unused access finding about the role (`UnusedPermission` or `UnusedIAMRole`)",
            ecs_iam::escape::path(&path)
        )
    );
}
