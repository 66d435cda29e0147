//! Project-relative defaults.

/// The bundled sample analysis, run by `outcome-lens run` with no arguments.
pub const SAMPLE_ANALYSIS: &str = "data/sample/analysis.toml";
