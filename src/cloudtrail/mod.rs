//! CloudTrail records as evidence of what a workload's roles call: the
//! files of records read ([`records`]), the IAM action each recorded
//! operation needs ([`actions`]), the resources it acted on
//! ([`resources`]), and what the evidence holds once read, from files or
//! an Athena result ([`observed`]), and which calls the trail logs at all
//! ([`logged`]).

pub mod actions;
pub mod logged;
pub mod observed;
pub mod records;
pub mod resources;
