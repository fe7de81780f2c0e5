//! SARIF 2.1.0, as `check`, `verify` and `drift` write it: one run of
//! ecs-iam with its rules, results at `file:line:column`, and how the run
//! ended.

use serde_json::{Value, json};

use crate::error::Location;
use crate::escape;

/// A rule a result refers to.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub summary: String,
    /// How to fix a result of this rule, where the rule says.
    pub help: Option<String>,
    /// `error`, `warning` or `note`.
    pub level: &'static str,
}

/// One result: a rule broken at a location.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: String,
    pub level: &'static str,
    pub message: String,
    pub location: Location,
}

/// One run of ecs-iam: the rules, then the results that name them.
#[derive(Debug, Clone, Default)]
pub struct Run {
    pub rules: Vec<Rule>,
    pub results: Vec<Finding>,
    /// How the run ended, when the command says (`invocations`).
    pub invocation: Option<Invocation>,
}

/// Whether a run did all it was asked. A consumer reads a run whose
/// `executionSuccessful` is false, or that carries an error notification,
/// as incomplete whatever its results say (SARIF 2.1.0, appendix I,
/// "Detecting incomplete result sets").
#[derive(Debug, Clone)]
pub struct Invocation {
    /// The exit code the process ends with.
    pub exit_code: i32,
    /// What stopped the run, each at its place when it has one; none when
    /// it completed (findings or not).
    pub errors: Vec<Notification>,
}

/// An error that stopped a run (`toolExecutionNotifications`).
#[derive(Debug, Clone)]
pub struct Notification {
    pub message: String,
    pub location: Option<Location>,
}

impl Run {
    /// The SARIF document holding this run.
    #[must_use]
    pub fn document(&self) -> Value {
        let rules: Vec<Value> = self
            .rules
            .iter()
            .map(|r| {
                let mut rule = json!({
                    "id": r.id,
                    "shortDescription": {"text": r.summary},
                    "defaultConfiguration": {"level": r.level},
                });
                if let Some(help) = &r.help {
                    rule["help"] = json!({"text": help});
                }
                rule
            })
            .collect();
        let results: Vec<Value> = self
            .results
            .iter()
            .map(|f| {
                json!({
                    "ruleId": f.rule,
                    "ruleIndex": self.rules.iter().position(|r| r.id == f.rule),
                    "level": f.level,
                    "message": {"text": f.message},
                    "locations": [location(&f.location)],
                })
            })
            .collect();
        let mut run = json!({
            "tool": {"driver": {
                "name": "ecs-iam",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        });
        if let Some(i) = &self.invocation {
            let mut invocation = json!({
                "executionSuccessful": i.errors.is_empty(),
                "exitCode": i.exit_code,
            });
            if !i.errors.is_empty() {
                let notifications: Vec<Value> = i
                    .errors
                    .iter()
                    .map(|n| {
                        let mut notification = json!({
                            "level": "error",
                            "message": {"text": n.message},
                        });
                        if let Some(at) = &n.location {
                            notification["locations"] = json!([location(at)]);
                        }
                        notification
                    })
                    .collect();
                invocation["toolExecutionNotifications"] = Value::Array(notifications);
            }
            run["invocations"] = json!([invocation]);
        }
        json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [run],
        })
    }
}

/// A SARIF location: the file as a URI reference (RFC 3986, which SARIF
/// takes), `/`-separated and percent-encoded ([`escape::uri_path`]).
fn location(at: &Location) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": {"uri": escape::uri_path(&escape::path(&at.file))},
            "region": {"startLine": at.line, "startColumn": at.column},
        }
    })
}
