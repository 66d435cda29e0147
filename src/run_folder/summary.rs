//! `summary.json`, typed: what `run` and `extract` write and what the charts, the report and
//! `diff` read back. One set of types for both directions, so renaming a key is a compile
//! error in every reader, not a failure at run time.
//!
//! The file is written with its keys sorted (through `serde_json::Value`, whose map is
//! ordered), as it always was. A float a run could not compute (a rate with no denominator,
//! φ with one unit) is `None` here and `null` in the file.

use std::collections::BTreeMap;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::stats::{Flag, FlagLevels, Level};

pub mod monitor;

pub use monitor::MonitorSummary;

/// A float as the summary holds it: `None` when it is not finite (written as `null`).
#[must_use]
pub fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// A pair (an interval, two bounds) as the summary holds it.
#[must_use]
pub fn finite_pair(low: f64, high: f64) -> [Option<f64>; 2] {
    [finite(low), finite(high)]
}

/// The whole file: the national run's summary, the record-level extract's, or both.
///
/// A run of `outcome-lens run` holds the national part (and `extract` when the analysis file
/// has an `[extract]` section); a folder of `outcome-lens extract` holds the title and
/// `extract` alone. In the file the national part's keys sit at the top level beside `title`
/// and `extract`.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// The analysis title.
    pub title: String,
    /// The national comparison, when the run made one.
    pub national: Option<National>,
    /// The record-level extract, when the run read one.
    pub extract: Option<ExtractSummary>,
    /// The reviewed audit sample, when the run read one back.
    pub audit: Option<AuditSummary>,
    /// Monitoring against the action plan, when the analysis file sets events, a baseline or
    /// a target.
    pub monitor: Option<MonitorSummary>,
}

impl Serialize for Summary {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error as _;
        let mut map = match &self.national {
            Some(national) => match serde_json::to_value(national).map_err(S::Error::custom)? {
                serde_json::Value::Object(map) => map,
                _ => return Err(S::Error::custom("the national summary is not an object")),
            },
            None => serde_json::Map::new(),
        };
        map.insert("title".into(), self.title.clone().into());
        if let Some(extract) = &self.extract {
            map.insert(
                "extract".into(),
                serde_json::to_value(extract).map_err(S::Error::custom)?,
            );
        }
        if let Some(audit) = &self.audit {
            map.insert(
                "audit".into(),
                serde_json::to_value(audit).map_err(S::Error::custom)?,
            );
        }
        if let Some(monitor) = &self.monitor {
            map.insert(
                "monitor".into(),
                serde_json::to_value(monitor).map_err(S::Error::custom)?,
            );
        }
        map.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Summary {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Summary, D::Error> {
        let mut map = serde_json::Map::<String, serde_json::Value>::deserialize(deserializer)?;
        let title = match map.remove("title") {
            Some(serde_json::Value::String(title)) => title,
            Some(other) => return Err(D::Error::custom(format!("title {other} is not text"))),
            None => return Err(D::Error::missing_field("title")),
        };
        let extract = match map.remove("extract") {
            None | Some(serde_json::Value::Null) => None,
            Some(value) => Some(
                ExtractSummary::deserialize(value)
                    .map_err(|e| D::Error::custom(format!("extract: {e}")))?,
            ),
        };
        let audit = match map.remove("audit") {
            None | Some(serde_json::Value::Null) => None,
            Some(value) => Some(
                AuditSummary::deserialize(value)
                    .map_err(|e| D::Error::custom(format!("audit: {e}")))?,
            ),
        };
        let monitor = match map.remove("monitor") {
            None | Some(serde_json::Value::Null) => None,
            Some(value) => Some(
                MonitorSummary::deserialize(value)
                    .map_err(|e| D::Error::custom(format!("monitor: {e}")))?,
            ),
        };
        // Anything besides the title, the extract, the audit and the monitoring is the
        // national part, read whole.
        let national = if map.is_empty() {
            None
        } else {
            Some(National::deserialize(serde_json::Value::Object(map)).map_err(D::Error::custom)?)
        };
        Ok(Summary {
            title,
            national,
            extract,
            audit,
            monitor,
        })
    }
}

impl Summary {
    /// Edits the summary as the JSON it is written as, and reads it back (for tests that
    /// plant a changed or broken summary).
    ///
    /// # Panics
    ///
    /// When the edited JSON is no longer a summary.
    #[cfg(test)]
    pub(crate) fn edit_as_json(&mut self, edit: impl FnOnce(&mut serde_json::Value)) {
        let mut value = serde_json::to_value(&*self).expect("a summary is JSON");
        edit(&mut value);
        *self = serde_json::from_value(value).expect("still a summary");
    }

    /// The national part, or an error saying the folder has none.
    ///
    /// # Errors
    ///
    /// When the summary is an extract's alone.
    pub fn national(&self) -> anyhow::Result<&National> {
        self.national
            .as_ref()
            .ok_or_else(|| anyhow::anyhow!("summary.json has no national comparison"))
    }
}

/// The national comparison: what was compared, the funnel and each focus force.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct National {
    /// The outcome types of the numerator.
    pub outcome: Vec<u8>,
    /// Their Home Office descriptions, in the same order (none for a type not in the list).
    pub outcome_descriptions: Vec<Option<String>>,
    /// `assigned_in_period`, `recorded_in_period` or `as published (tidy counts)`.
    pub basis: String,
    /// The denominator.
    pub denominator: Denominator,
    /// The period as labelled ("2018/19").
    pub period: String,
    /// Whether the national set lacks some of the period's quarters.
    pub period_partial: bool,
    /// The quarters of the period the national set does not hold.
    pub periods_not_held: Vec<String>,
    /// The quarters compared.
    pub periods_compared: Vec<String>,
    /// The analysis file's `source_note`, carried by every chart's source line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_note: Option<String>,
    /// The offence scope.
    pub scope: Scope,
    /// The set of forces the target and φ come from, in words.
    pub national_set: String,
    /// The number of units in the national set.
    pub n_units: u64,
    /// The target rate.
    pub target: Option<f64>,
    /// `pooled` or `fixed`.
    pub target_kind: String,
    /// φ (standardised dispersion).
    pub phi: Option<f64>,
    /// τ² (between-unit variance on the estimation scale).
    pub tau2: Option<f64>,
    /// The overdispersion test.
    pub overdispersion_test: DispersionTest,
    /// The funnel's settings and the adjustment made.
    pub funnel: FunnelSettings,
    /// What the charts draw (`[charts]`); the defaults for a run written before it.
    #[serde(default)]
    pub charts: ChartSettings,
    /// The SPC settings.
    pub spc: SpcSettings,
    /// Each focus force.
    pub focus: Vec<Focus>,
    /// The national set's units by flag name (`high_998` → forces).
    pub flags: BTreeMap<String, Vec<String>>,
    /// The units whose flag would differ without the overdispersion adjustment.
    pub flag_differs_when_unadjusted: Vec<FlagChange>,
    /// Cells of the scope with a missing count.
    pub missing_cells_in_scope: u64,
    /// Cells of the scope left out whole because a count was missing.
    pub cells_left_out_in_scope: u64,
    /// What is partial, missing or left out.
    #[serde(default)]
    pub notices: Vec<NoticeEntry>,
    /// The inputs' row accounting, summed.
    pub rows: Rows,
}

impl National {
    /// The funnel's two levels.
    ///
    /// # Errors
    ///
    /// When the two numbers are not levels, or not one wider than the other.
    pub fn levels(&self) -> anyhow::Result<FlagLevels> {
        levels_of(&self.funnel.levels).map_err(|e| anyhow::anyhow!("summary.json: funnel.{e}"))
    }

    /// Whether the input was a tidy-counts table rather than Home Office outcomes.
    #[must_use]
    pub fn tidy(&self) -> bool {
        self.basis.starts_with("as published")
    }
}

/// A pair of levels as written (`[0.95, 0.998]`), read as flag levels.
///
/// # Errors
///
/// When the two numbers are not levels, or not one wider than the other.
pub fn levels_of(levels: &[f64]) -> anyhow::Result<FlagLevels> {
    use anyhow::Context as _;
    let [a, b] = levels else {
        anyhow::bail!("levels must hold two levels");
    };
    let (inner, outer) = (a.min(*b), a.max(*b));
    let level = |c: f64| Level::new(c).with_context(|| format!("levels: {c}"));
    FlagLevels::new(level(outer)?, level(inner)?).context("levels")
}

/// The denominator: a named set of outcome types, or the published one of a tidy table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Denominator {
    /// `all_assigned`, `suspect_identified`, `custom` or `as published (tidy counts)`.
    pub name: String,
    /// The outcome types summed (absent for a tidy table).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub types: Option<Vec<u8>>,
    /// The definition in words (absent for a tidy table).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The offence scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scope {
    /// Its name (`all`, `domestic_abuse_proxy`, …).
    pub name: String,
    /// How outputs describe it.
    pub label: String,
    /// A proxy, labelled as such.
    pub proxy: bool,
    /// Offence groups included (empty: all).
    pub include_groups: Vec<String>,
    /// Offence subgroups included.
    pub include_subgroups: Vec<String>,
    /// Offence codes included.
    pub include_codes: Vec<String>,
    /// Offence groups excluded.
    pub exclude_groups: Vec<String>,
    /// Offence subgroups excluded.
    pub exclude_subgroups: Vec<String>,
    /// Offence codes excluded.
    pub exclude_codes: Vec<String>,
}

/// The overdispersion test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DispersionTest {
    /// The χ² statistic.
    pub statistic: Option<f64>,
    /// Its degrees of freedom.
    pub df: u64,
    /// Its p-value.
    pub p_value: Option<f64>,
}

/// What the charts draw (`[charts]`); the defaults for a run written before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartSettings {
    /// The funnel's unadjusted limits, drawn lighter beside the adjusted ones.
    #[serde(default = "yes")]
    pub unadjusted_limits: bool,
    /// The trend charts' rate axis from zero.
    #[serde(default = "yes")]
    pub y_from_zero: bool,
}

fn yes() -> bool {
    true
}

impl Default for ChartSettings {
    fn default() -> ChartSettings {
        ChartSettings {
            unadjusted_limits: true,
            y_from_zero: true,
        }
    }
}

/// The national funnel's settings and the adjustment made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunnelSettings {
    /// The limits' method before adjustment.
    pub method: String,
    /// The two levels.
    pub levels: Vec<f64>,
    /// The overdispersion adjustment (`additive`, `multiplicative`, `none`).
    pub overdispersion: String,
    /// The estimation scale (`arcsine`, `natural`).
    pub scale: String,
    /// The winsorisation share.
    pub winsorise: f64,
    /// The winsorisation bounds on the z scale.
    pub winsor_bounds: [Option<f64>; 2],
    /// When the adjustment applies (`tau2_positive`, `significant`).
    pub adjust_when: String,
    /// Whether it applied.
    pub adjustment_applied: bool,
    /// The limits' method after adjustment.
    pub adjusted_method: String,
    /// The method in words.
    pub description: String,
}

/// The SPC settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpcSettings {
    /// `laney_p_prime`.
    pub chart: String,
    /// Points in a shift.
    pub shift_length: u64,
    /// Points in a trend.
    pub trend_length: u64,
    /// Whether large moving ranges were screened out of σ_z.
    pub screen_moving_ranges: bool,
}

/// A focus force.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Focus {
    /// The force.
    pub force: String,
    /// Its Home Office code.
    pub force_code: Option<String>,
    /// The numerator.
    pub numerator: u64,
    /// The denominator.
    pub denominator: u64,
    /// The rate.
    pub rate: Option<f64>,
    /// Its 95% interval.
    pub ci95: [Option<f64>; 2],
    /// The overdispersion-adjusted z.
    pub z_adjusted: Option<f64>,
    /// The adjusted flag's name.
    pub flag: String,
    /// The flag in words.
    pub flag_in_words: String,
    /// The unadjusted flag's name.
    pub flag_unadjusted: String,
    /// The rank among the national set, highest rate first.
    pub rank: Option<u64>,
    /// The number of ranked units.
    pub of: u64,
    /// The periods the force holds counts for.
    pub periods_present: u64,
    /// The national set's periods it holds none for.
    pub periods_missing: Vec<String>,
    /// Its peer group.
    pub peer_group: Option<String>,
    /// The peer group's pooled rate.
    pub peer_rate_pooled: Option<f64>,
    /// The peer group's mean rate.
    pub peer_rate_mean: Option<f64>,
    /// Closures expected from the national rates and the force's offence mix.
    pub expected: Option<f64>,
    /// Closures above that expectation.
    pub excess: Option<f64>,
    /// The part of the gap to the national rate the offence mix explains.
    pub explained_by_offence_mix: Option<f64>,
    /// Observed / expected.
    pub standardised_ratio: Option<f64>,
    /// Its 95% interval.
    pub standardised_ratio_ci95: Option<[Option<f64>; 2]>,
    /// The first and last period of its series.
    pub trend: Option<FocusTrend>,
}

impl Focus {
    /// The adjusted flag.
    #[must_use]
    pub fn flag(&self, levels: &FlagLevels) -> Option<Flag> {
        super::rows::parse_flag(&self.flag, levels)
    }

    /// The unadjusted flag.
    #[must_use]
    pub fn flag_unadjusted(&self, levels: &FlagLevels) -> Option<Flag> {
        super::rows::parse_flag(&self.flag_unadjusted, levels)
    }
}

/// A focus force's series from its first to its last period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FocusTrend {
    /// The first period.
    pub first_period: String,
    /// Its rate.
    pub first_rate: Option<f64>,
    /// The last period.
    pub last_period: String,
    /// Its rate.
    pub last_rate: Option<f64>,
    /// Last rate − first rate.
    pub change: Option<f64>,
    /// `falling`, `rising` or `flat`.
    pub direction: String,
    /// The number of periods.
    pub periods: u64,
    /// The periods that break an SPC rule.
    pub rule_hits: Vec<String>,
}

/// A unit whose flag depends on the overdispersion adjustment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlagChange {
    /// The unit.
    pub force: String,
    /// The adjusted flag's name.
    pub flag: String,
    /// The unadjusted flag's name.
    pub flag_unadjusted: String,
}

/// A notice: what is partial, missing or left out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoticeEntry {
    /// Its kind (`partial_period`, …).
    pub kind: String,
    /// How many.
    pub count: u64,
    /// One sentence for a reader.
    pub text: String,
}

/// Rows read, loaded and quarantined, summed over the inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rows {
    /// Rows read.
    pub read: u64,
    /// Rows loaded.
    pub loaded: u64,
    /// Rows quarantined.
    pub quarantined: u64,
}

/// The record-level extract: its accounting and headline numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtractSummary {
    /// Where the data come from, in words (says when synthetic).
    pub source: String,
    /// The extract's file as the analysis file names it.
    pub file: String,
    /// The force.
    pub force: Option<String>,
    /// A note carried into every output.
    pub note: Option<String>,
    /// The scope's name (`da`, …).
    pub scope: String,
    /// The scope in words.
    pub scope_label: String,
    /// The comparison group in words (none when the scope has no comparison group).
    pub comparison_label: Option<String>,
    /// The area level (`neighbourhood`, …).
    pub area_level: String,
    /// The outcome types of the numerator.
    pub outcome: Vec<u8>,
    /// The outcome types of the denominator.
    pub denominator_types: Vec<u8>,
    /// `assigned_in_period` or `recorded_in_period`.
    pub basis: String,
    /// The row accounting.
    pub rows: ExtractRows,
    /// Crimes after reduction to one outcome each.
    pub crimes: u64,
    /// Crimes with no outcome.
    pub crimes_without_outcome: u64,
    /// Crimes in the scope.
    pub crimes_in_scope: u64,
    /// Crimes in the comparison group.
    pub crimes_in_comparison: u64,
    /// The scope's numerator.
    pub numerator: u64,
    /// Its denominator.
    pub denominator: u64,
    /// Its rate.
    pub rate: Option<f64>,
    /// The comparison group's rate.
    pub comparison_rate: Option<f64>,
    /// The funnel by area.
    pub area_funnel: ExtractFunnel,
    /// The funnel by investigating unit, when the extract has units.
    pub unit_funnel: Option<ExtractFunnel>,
    /// The monthly series and its chart.
    pub months: Months,
    /// Repeat victims, when the extract identifies victims.
    pub repeat_victims: Option<RepeatVictims>,
    /// Days from recording to closure, for the scope in all areas.
    pub time_to_closure: Option<TimeToClosure>,
    /// The audit sample, when one was drawn.
    pub audit_sample: Option<AuditSampleEntry>,
    /// The investigation-quality fields and the record-level model (issue #20), when the
    /// extract maps any of the fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality: Option<QualitySummary>,
    /// The extract counted as the Home Office tables count and compared with the published
    /// counts for its force (issue #21), when the run has both (`tables/reconciliation.csv`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconciliation: Option<ReconciliationSummary>,
}

/// What the reconciliation table needs said beside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReconciliationSummary {
    /// The force whose published counts are compared.
    pub force: String,
    /// The whole quarters compared, in order.
    pub quarters: Vec<String>,
    /// The extract's whole quarters the published tables do not hold for the force.
    pub quarters_not_published: Vec<String>,
    /// The extract's outcomes under offence codes the published tables do not hold for the
    /// force, by code (left out of the comparison).
    pub codes_not_published: Vec<(String, u64)>,
    /// Published cells left out because a count in them was missing.
    pub incomplete_cells: u64,
}

/// The investigation-quality fields' completeness and the record-level model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QualitySummary {
    /// Each mapped field: crimes in scope and how many had it blank.
    pub fields: Vec<FieldCompleteness>,
    /// A sentence for each field blank in at least a fifth of the crimes in scope.
    pub incomplete: Vec<String>,
    /// Whether the model was fitted.
    pub model_fitted: bool,
    /// Why not, when it was not.
    pub model_note: Option<String>,
    /// Crimes in the model's fit.
    pub model_crimes: Option<u64>,
    /// What the model left out, in words.
    pub model_left_out: Vec<String>,
}

/// One field's completeness.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldCompleteness {
    /// The field's key in `[extract.columns]`.
    pub field: String,
    /// Crimes in scope.
    pub crimes: u64,
    /// Of them, blank.
    pub blank: u64,
    /// blank / crimes.
    pub blank_share: Option<f64>,
}

/// The extract's row accounting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtractRows {
    /// Rows read.
    pub read: u64,
    /// Rows loaded.
    pub loaded: u64,
    /// Rows quarantined.
    pub quarantined: u64,
    /// Blank rows.
    pub blank: u64,
    /// Duplicate rows reduced.
    pub duplicates_reduced: u64,
    /// Crimes with more than one row.
    pub crimes_with_several_rows: u64,
    /// Duplicates whose fields disagree.
    pub duplicates_with_conflicting_fields: u64,
    /// Quarantined rows by reason.
    pub quarantine_reasons: BTreeMap<String, u64>,
}

/// A within-force funnel, or why there is none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ExtractFunnel {
    /// The funnel.
    Placed(Box<ExtractFunnelStats>),
    /// Why there is no funnel.
    Note {
        /// The reason.
        note: String,
    },
}

impl ExtractFunnel {
    /// The funnel, when there is one.
    #[must_use]
    pub fn stats(&self) -> Option<&ExtractFunnelStats> {
        match self {
            ExtractFunnel::Placed(stats) => Some(stats),
            ExtractFunnel::Note { .. } => None,
        }
    }
}

/// A within-force funnel's target, dispersion and flagged units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtractFunnelStats {
    /// Units placed.
    pub units: u64,
    /// The target.
    pub target: Option<f64>,
    /// `pooled` or `fixed`.
    pub target_kind: String,
    /// φ.
    pub phi: Option<f64>,
    /// τ².
    pub tau2: Option<f64>,
    /// The overdispersion test.
    pub overdispersion_test: DispersionTest,
    /// The limits' method before adjustment.
    pub method: String,
    /// The overdispersion adjustment.
    pub overdispersion: String,
    /// Whether it applied.
    pub adjustment_applied: bool,
    /// The limits' method after adjustment.
    pub adjusted_method: String,
    /// The two levels.
    pub levels: Vec<f64>,
    /// Units outside a limit, by flag name.
    pub flagged: BTreeMap<String, Vec<String>>,
}

/// The extract's monthly series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Months {
    /// The first month (`2018-04`).
    pub first: Option<String>,
    /// The last month.
    pub last: Option<String>,
    /// The number of months.
    pub count: u64,
    /// `laney_p_prime`.
    pub chart: String,
    /// The chart's centre line.
    pub centre: Option<f64>,
    /// Laney's σ_z.
    pub sigma_z: Option<f64>,
    /// The months that break an SPC rule.
    pub rule_hits: Vec<String>,
    /// Points in a shift.
    pub shift_length: u64,
    /// Points in a trend.
    pub trend_length: u64,
}

/// Repeat victims' rates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepeatVictims {
    /// The rate on a victim's first crime.
    pub first_crime_rate: Option<f64>,
    /// The rate on later crimes.
    pub repeat_rate: Option<f64>,
    /// Victims with two or more closures.
    pub victims_with_two_or_more_closures: u64,
    /// Crimes with no victim identifier.
    pub crimes_without_victim: u64,
}

/// Days from recording to closure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeToClosure {
    /// Closures with both dates.
    pub closures: u64,
    /// The median.
    pub median_days: Option<f64>,
    /// The lower quartile.
    pub q1_days: Option<f64>,
    /// The upper quartile.
    pub q3_days: Option<f64>,
    /// Closures within a day.
    pub within_1_day: u64,
}

/// The audit sample drawn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditSampleEntry {
    /// Its file in the run folder.
    pub file: String,
    /// The seed.
    pub seed: u64,
    /// What it is stratified by.
    pub stratify: String,
    /// Crimes eligible.
    pub eligible: u64,
    /// Crimes sampled.
    pub sampled: u64,
    /// The share of inappropriate closures the precision is stated at (0.5, or the planner's
    /// expected share).
    pub planning_share: f64,
    /// The 95% interval's half-width the stratum sizes give at that share (normal
    /// approximation, `stats::survey::half_width`; `null` when no stratum has two cases).
    pub half_width_95: Option<f64>,
}

/// The reviewed audit sample: how far it is reviewed and what it estimates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditSummary {
    /// The reviewed file as the analysis file names it.
    pub file: String,
    /// `final`, or `provisional` while some drawn cases are pending.
    pub status: String,
    /// What the strata are (`area`, `unit`).
    pub stratified_by: String,
    /// Crimes eligible for the sample.
    pub population: u64,
    /// Cases drawn.
    pub drawn: u64,
    /// Cases reviewed.
    pub reviewed: u64,
    /// Drawn cases not yet reviewed.
    pub pending: u64,
    /// Strata with no case reviewed (no force-wide estimate while there are any).
    pub unreviewed_strata: Vec<String>,
    /// The interval method.
    pub interval_method: String,
    /// The force-wide share judged inappropriate, when estimated.
    pub inappropriate: Option<AuditShare>,
    /// The share the reviewers could not judge.
    pub cannot_tell: Option<AuditShare>,
    /// Pearson's test that the strata differ, on the reviewed counts.
    pub strata_test: Option<StrataTestEntry>,
    /// Agreement on the double-reviewed cases.
    pub agreement: Option<AgreementEntry>,
}

/// A force-wide share of the audit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditShare {
    /// Reviewed cases with the finding.
    pub positives: u64,
    /// Cases reviewed.
    pub reviewed: u64,
    /// The stratified estimate.
    pub share: Option<f64>,
    /// Its 95% interval.
    pub ci95: [Option<f64>; 2],
    /// The estimated number of the population's cases: N p̂.
    pub total: Option<f64>,
    /// Its interval.
    pub total_ci95: [Option<f64>; 2],
    /// While provisional, the share if every pending case had the finding or none.
    pub bounds: Option<[Option<f64>; 2]>,
}

/// The Rao–Scott test that the strata differ (`svychisq`, F).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StrataTestEntry {
    /// F.
    pub statistic: Option<f64>,
    /// Numerator degrees of freedom.
    pub df_numerator: Option<f64>,
    /// Denominator degrees of freedom.
    pub df_denominator: Option<f64>,
    /// p-value.
    pub p_value: Option<f64>,
    /// Pearson's X² on the weighted table, before the design correction.
    pub pearson: Option<f64>,
    /// The smallest expected count.
    pub smallest_expected: Option<f64>,
}

/// Cohen's κ between the two reviewers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgreementEntry {
    /// Double-reviewed cases.
    pub cases: u64,
    /// The share they agree on.
    pub observed: Option<f64>,
    /// The agreement their margins alone would give.
    pub expected: Option<f64>,
    /// κ (none when both put every case in one category).
    pub kappa: Option<f64>,
    /// Its standard error.
    pub se: Option<f64>,
    /// Its 95% interval.
    pub ci95: Option<[Option<f64>; 2]>,
    /// The cases they disagree on.
    pub disagreements: u64,
}

/// `summary.json`'s bytes: sorted keys, two-space indent, a final newline.
///
/// # Errors
///
/// Never in practice (the types serialise to JSON).
pub fn to_bytes(summary: &Summary) -> anyhow::Result<Vec<u8>> {
    let value = serde_json::to_value(summary)?;
    let mut bytes = serde_json::to_vec_pretty(&value)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Reads `summary.json`'s text.
///
/// # Errors
///
/// When the text is not JSON or lacks a key, naming the key.
pub fn from_text(text: &str) -> anyhow::Result<Summary> {
    serde_json::from_str(text).map_err(|e| anyhow::anyhow!("summary.json: {e}"))
}
