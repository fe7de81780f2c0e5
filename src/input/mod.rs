//! The one layer every file ecs-iam reads from others goes through: bytes
//! read through a cap ([`bytes`]), then one parser per syntax with
//! positions and budgets ([`json`], [`yaml`]), before any stage sees a
//! typed document. A limit is written here once, not per reader.

pub mod bytes;
pub mod json;
pub mod yaml;
