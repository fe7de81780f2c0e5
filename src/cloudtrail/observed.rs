//! What the evidence holds once read, whatever it was read from: calls
//! recorded alike and counted, the task starts ECS recorded, the kinds of
//! events the trail shows it logs, and the time it covers. The local files
//! give one [`Observed`] per record; an Athena query's result gives one per
//! row, already counted.

use std::collections::BTreeSet;

use super::records::Record;

/// Calls recorded alike: one record read from a file (`count` 1), or one
/// row of an Athena result.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    /// A record standing for them all: the fields that decide the role
    /// (`issuer`), the action (`source`, `name`), whether it was refused
    /// (`error`) and the resource (`region`, `account`, `resources`,
    /// `request`). Its `time` is the earliest call's.
    pub record: Record,
    pub count: u64,
    /// The latest call's `eventTime`.
    pub last: String,
    /// The example given for them: the `eventID` of the earliest call, the
    /// lowest id among calls of that time.
    pub example: Option<String>,
}

impl Observed {
    /// One record, counted once.
    #[must_use]
    pub fn one(record: Record) -> Observed {
        Observed {
            last: record.time.clone(),
            example: record.id.clone(),
            record,
            count: 1,
        }
    }
}

/// The tasks ECS started with one role: its `sts:AssumeRole` records
/// (`invokedBy: ecs-tasks.amazonaws.com`), one task per role session name
/// (the task id).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TaskStarts {
    /// `requestParameters.roleArn`.
    pub role: String,
    /// Distinct session names.
    pub tasks: u64,
    pub first: String,
    pub last: String,
}

/// A kind of event the files show the trail logged, whoever made it:
/// what tells, without the trail's event selectors, which data events it
/// logs and for which read/write side.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Shown {
    /// `eventCategory` (`Management`, `Data`); `None` in records written
    /// before CloudTrail had the field, all of them management events.
    pub category: Option<String>,
    pub source: String,
    pub name: String,
    pub read_only: Option<bool>,
}

/// Everything read, from local files or an Athena result.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evidence {
    /// The earliest and latest `eventTime` of all records read (within the
    /// window asked for), whoever made them.
    pub coverage: Option<(String, String)>,
    /// The records read (within the window).
    pub records: u64,
    pub shown: BTreeSet<Shown>,
    pub task_starts: Vec<TaskStarts>,
    /// Calls made by the roles asked about; a local read never holds these
    /// all at once (they are tallied as they are read).
    pub calls: Vec<Observed>,
}
