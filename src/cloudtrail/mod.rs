//! CloudTrail records as evidence of what a workload's roles call. So far:
//! the files of records read ([`records`]), and the IAM action each recorded
//! operation needs ([`actions`]).

pub mod actions;
pub mod records;
