//! CloudTrail records as evidence of what a workload's roles call. So far:
//! the files of records read ([`records`]), the IAM action each recorded
//! operation needs ([`actions`]), and the resources it acted on
//! ([`resources`]).

pub mod actions;
pub mod records;
pub mod resources;
