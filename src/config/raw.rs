//! The analysis file as written: the TOML's shapes, read with `deny_unknown_fields`; values of
//! the wrong form are answered in the file's words (key, value, accepted forms).

use super::*;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAnalysis {
    pub(super) title: Option<String>,
    pub(super) inputs: Vec<String>,
    /// A sentence every chart's source line and the report's methods carry about the inputs
    /// (for example that some years are synthetic).
    pub(super) source_note: Option<String>,
    pub(super) outcome: Option<OneOrMany>,
    pub(super) basis: Option<RawBasis>,
    pub(super) denominator: Option<RawDenominator>,
    pub(super) period: Option<RawPeriod>,
    pub(super) allow_partial_period: Option<bool>,
    pub(super) scope: Option<String>,
    #[serde(default)]
    pub(super) scopes: BTreeMap<String, RawScope>,
    #[serde(default)]
    pub(super) focus: Vec<String>,
    #[serde(default)]
    pub(super) aliases: BTreeMap<String, String>,
    pub(super) peers: Option<RawPeers>,
    pub(super) funnel: Option<RawFunnel>,
    pub(super) spc: Option<RawSpc>,
    /// `[[events]]`: the dated events of the action plan.
    #[serde(default)]
    pub(super) events: Vec<super::monitor::RawEvent>,
    pub(super) monitor: Option<super::monitor::RawMonitor>,
    pub(super) mix: Option<RawMix>,
    /// `[charts]`: what the charts draw.
    pub(super) charts: Option<RawCharts>,
    /// `[sensitivity]`: which alternatives the run reports beside its own choices.
    pub(super) sensitivity: Option<RawSensitivity>,
    pub(super) outputs: Option<RawOutputs>,
    pub(super) extract: Option<crate::config::extract::RawExtract>,
}

/// `outcome`: one type or a list of types. Read from any TOML value so that a wrong one is
/// answered in the analysis file's words (key, value, accepted forms), not serde's.
#[derive(Debug)]
pub(super) enum OneOrMany {
    One(u8),
    Many(Vec<u8>),
}

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let value = toml::Value::deserialize(d)?;
        let wrong = || {
            serde::de::Error::custom(format!(
                "outcome: {} is not an outcome type; write outcome = 16 or outcome = [15, 16] (whole numbers 0-22){}",
                shown(&value),
                if value.is_str() { ", without quotes" } else { "" }
            ))
        };
        match &value {
            toml::Value::Integer(_) => type_number(&value).map(OneOrMany::One).ok_or_else(wrong),
            toml::Value::Array(items) => items
                .iter()
                .map(type_number)
                .collect::<Option<Vec<u8>>>()
                .map(OneOrMany::Many)
                .ok_or_else(wrong),
            _ => Err(wrong()),
        }
    }
}

/// A TOML value as it would be written in the file, on one line.
pub(crate) fn shown(value: &toml::Value) -> String {
    crate::normalise::text::one_line(&value.to_string()).into_owned()
}

/// An integer TOML value that fits an outcome type's byte (range-checked later).
pub(super) fn type_number(value: &toml::Value) -> Option<u8> {
    value.as_integer().and_then(|i| u8::try_from(i).ok())
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum RawBasis {
    AssignedInPeriod,
    RecordedInPeriod,
}

/// `denominator`: a named set or a list of types.
#[derive(Debug)]
pub(super) enum RawDenominator {
    Named(String),
    Types(Vec<u8>),
}

impl<'de> Deserialize<'de> for RawDenominator {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let value = toml::Value::deserialize(d)?;
        let parsed = match &value {
            toml::Value::String(name) => Some(RawDenominator::Named(name.clone())),
            toml::Value::Array(items) => items
                .iter()
                .map(type_number)
                .collect::<Option<Vec<u8>>>()
                .map(RawDenominator::Types),
            _ => None,
        };
        parsed.ok_or_else(|| {
            serde::de::Error::custom(format!(
                "denominator: {} is not \"all_assigned\", \"suspect_identified\" or a list of outcome types such as [1, 2, 16]",
                shown(&value)
            ))
        })
    }
}

/// `period`: a financial year, `"all"`, or `{ rolling_12_months_to = "…" }`.
#[derive(Debug)]
pub(super) enum RawPeriod {
    Text(String),
    Rolling(RawRolling),
}

#[derive(Debug)]
pub(super) struct RawRolling {
    pub(super) rolling_12_months_to: String,
}

impl<'de> Deserialize<'de> for RawPeriod {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let value = toml::Value::deserialize(d)?;
        let parsed = match &value {
            toml::Value::String(text) => Some(RawPeriod::Text(text.clone())),
            toml::Value::Table(table) if table.len() == 1 => table
                .get("rolling_12_months_to")
                .and_then(toml::Value::as_str)
                .map(|end| {
                    RawPeriod::Rolling(RawRolling {
                        rolling_12_months_to: end.to_string(),
                    })
                }),
            _ => None,
        };
        parsed.ok_or_else(|| {
            serde::de::Error::custom(format!(
                "period: {} is not a financial year (\"2018/19\"), \"all\", or {{ rolling_12_months_to = \"2018/19 Q4\" }}",
                shown(&value)
            ))
        })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawScope {
    pub(super) label: Option<String>,
    #[serde(default)]
    pub(super) proxy: bool,
    #[serde(default)]
    pub(super) include_groups: Vec<String>,
    #[serde(default)]
    pub(super) include_subgroups: Vec<String>,
    #[serde(default)]
    pub(super) include_codes: Vec<String>,
    #[serde(default)]
    pub(super) exclude_groups: Vec<String>,
    #[serde(default)]
    pub(super) exclude_subgroups: Vec<String>,
    #[serde(default)]
    pub(super) exclude_codes: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPeers {
    pub(super) include_btp: Option<bool>,
    pub(super) include_city_of_london: Option<bool>,
    pub(super) groups_file: Option<String>,
    #[serde(default)]
    pub(super) groups: BTreeMap<String, RawPeerGroup>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPeerGroup {
    /// How charts and the report name the group (default: made from its identifier).
    pub(super) label: Option<String>,
    pub(super) owner: Option<String>,
    pub(super) members: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFunnel {
    pub(super) method: Option<RawMethod>,
    pub(super) levels: Option<Vec<f64>>,
    pub(super) overdispersion: Option<RawAdjustment>,
    pub(super) scale: Option<RawScale>,
    pub(super) winsorise: Option<f64>,
    pub(super) target: Option<RawTarget>,
    pub(super) adjust_when: Option<RawAdjustWhen>,
    pub(super) benjamini_hochberg: Option<bool>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum RawMethod {
    Normal,
    Exact,
    Arcsine,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum RawAdjustment {
    None,
    Multiplicative,
    Additive,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum RawScale {
    Arcsine,
    Natural,
}

/// `target`: `"pooled"` or a fixed rate.
#[derive(Debug)]
pub(crate) enum RawTarget {
    Named(String),
    Fixed(f64),
}

impl<'de> Deserialize<'de> for RawTarget {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let value = toml::Value::deserialize(d)?;
        match &value {
            toml::Value::String(name) => Ok(RawTarget::Named(name.clone())),
            toml::Value::Float(rate) => Ok(RawTarget::Fixed(*rate)),
            _ => Err(serde::de::Error::custom(format!(
                "target: {} is not \"pooled\" or a rate strictly between 0 and 1 such as 0.2",
                shown(&value)
            ))),
        }
    }
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum RawAdjustWhen {
    Tau2Positive,
    Significant,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSpc {
    pub(super) shift_length: Option<usize>,
    pub(super) trend_length: Option<usize>,
    pub(super) screen_moving_ranges: Option<bool>,
    pub(super) two_in_three: Option<RawTwoInThree>,
    /// `{ from = "2018/19 Q1", to = "2019/20 Q4" }`: limits from these periods, extended.
    pub(super) baseline: Option<super::monitor::RawBaseline>,
    /// `"events"` (a new phase at every event) or `"none"`.
    pub(super) phases: Option<String>,
    /// `lower`, `higher` or `neutral`: which way is better.
    pub(super) direction: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
pub(super) enum RawTwoInThree {
    #[serde(rename = "making-data-count")]
    MakingDataCount,
    #[serde(rename = "nhsrplotthedots-0.2")]
    NhsrPlotTheDots02,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMix {
    pub(super) strata: Option<RawStrata>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCharts {
    /// Draw the funnel's limits without the overdispersion adjustment (lighter) beside the
    /// adjusted ones.
    pub(super) unadjusted_limits: Option<bool>,
    /// Start the trend charts' rate axis at zero.
    pub(super) y_from_zero: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSensitivity {
    /// The alternatives, by name (see [`super::Alternative::NAMES`]); all when absent, none
    /// when empty.
    pub(super) alternatives: Option<Vec<String>>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum RawStrata {
    OffenceGroup,
    OffenceCode,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOutputs {
    pub(super) folder: Option<String>,
    pub(super) formats: Option<Vec<RawFormat>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum RawFormat {
    Csv,
    Parquet,
    Xlsx,
}

// ---------------------------------------------------------------------------------------
// The validated configuration.
