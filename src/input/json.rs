//! JSON read once, with `serde_json`; positions from byte offsets, worked
//! out only where a message needs them.
