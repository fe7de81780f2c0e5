//! Starter specs for `ecs-iam init`: the files of `examples/`, embedded.

use crate::error::{Error, suggest};

/// Preset names and their spec text.
pub const PRESETS: &[(&str, &str)] = &[
    ("ecs-basic", include_str!("../examples/ecs-basic.yaml")),
    (
        "ecs-observability",
        include_str!("../examples/ecs-observability.yaml"),
    ),
    (
        "ecs-secrets-vpce",
        include_str!("../examples/ecs-secrets-vpce.yaml"),
    ),
    (
        "matillion-agent",
        include_str!("../examples/matillion-agent.yaml"),
    ),
];

/// The preset `init` writes when none is named.
pub const DEFAULT: &str = "ecs-basic";

/// The spec text of a preset.
///
/// # Errors
/// No preset has that name.
pub fn get(name: &str) -> Result<&'static str, Error> {
    PRESETS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
        .ok_or_else(|| Error::UnknownPreset {
            name: name.to_owned(),
            suggestion: suggest(name, PRESETS.iter().map(|(n, _)| *n)),
            expected: PRESETS.iter().map(|(n, _)| (*n).to_owned()).collect(),
        })
}
