//! The record-level extract's charts: the within-force funnels by area and by investigating
//! unit, and the monthly control chart. They are read from the run's `extract_*` tables and
//! the `extract` object of `summary.json` alone (so that a folder written by `outcome-lens
//! extract`, which has no national tables, draws them too), and drawn by the same code as the
//! national funnel (`funnel.rs`) and the focus forces' control charts (`spc.rs`).
//!
//! Invariant: like `model.rs`, this only reads and types what the run holds; it computes
//! nothing. Every chart names the extract (its force, note and file) in its subtitle and
//! source line, so that a synthetic extract is never mistaken for real data.

use anyhow::{anyhow, Result};

use super::frame::LegendEntry;
use super::funnel::{method_line, FunnelChart, FunnelPoint, Labelling, Noun, Values};
use super::marks;
use super::model::{LimitRow, TrendRow};
use super::spc::{Cadence, SpcChart};
use super::style;
use crate::run_folder::rows;
pub use crate::run_folder::rows::WithinRow;
use crate::run_folder::summary::{levels_of, ExtractFunnel, ExtractFunnelStats, ExtractSummary};
use crate::run_folder::RunData;
use crate::stats::FlagLevels;

/// Up to this many points, a within-force funnel labels every point, so that a reader can find
/// each area; beyond it only flagged points are labelled, as on the national funnel.
const LABEL_EVERY_UP_TO: usize = 15;

/// What a within-force funnel compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WithinKind {
    /// Areas (district, neighbourhood, community safety partnership or LSOA).
    Area,
    /// Investigating units.
    Unit,
}

impl WithinKind {
    /// Both kinds, in chart order.
    pub const ALL: [WithinKind; 2] = [WithinKind::Area, WithinKind::Unit];

    /// The word in the table names and the key column: "area", "unit".
    fn key(self) -> &'static str {
        match self {
            WithinKind::Area => "area",
            WithinKind::Unit => "unit",
        }
    }

    /// The chart's file stem: "extract-funnel-area".
    pub fn stem(self) -> String {
        format!("extract-funnel-{}", self.key())
    }

    /// The adjusted chart's file stem: "extract-adjusted-area".
    pub fn adjusted_stem(self) -> String {
        format!("extract-adjusted-{}", self.key())
    }

    /// What the points are, in words.
    pub fn noun(self) -> Noun {
        match self {
            WithinKind::Area => Noun::new("area", "areas"),
            WithinKind::Unit => Noun::new("investigating unit", "investigating units"),
        }
    }
}

/// A within-force funnel: its rows, its limits and its parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct WithinFunnel {
    /// The rows in table order.
    pub rows: Vec<WithinRow>,
    /// The limits along a grid of denominators (ascending).
    pub limits: Vec<LimitRow>,
    /// The two levels.
    pub levels: FlagLevels,
    /// The target rate.
    pub target: f64,
    /// "pooled" or "fixed".
    pub target_kind: String,
    /// φ.
    pub phi: Option<f64>,
    /// τ².
    pub tau2: Option<f64>,
    /// The limits' method in words ("arcsine limits, additive overdispersion adjustment …").
    pub method: String,
    /// Whether the overdispersion adjustment was applied.
    pub adjusted: bool,
}

/// A case-mix-adjusted ratio funnel: O/E against E, with its lines and k.
#[derive(Debug, Clone, PartialEq)]
pub struct AdjustedFunnel {
    /// The rows (denominator = E, rate = O/E).
    pub rows: Vec<WithinRow>,
    /// The lines along a grid of E.
    pub limits: Vec<LimitRow>,
    /// The levels.
    pub levels: FlagLevels,
    /// k = Σ μ̂(1 − μ̂) / Σ μ̂.
    pub k: f64,
}

/// The record-level extract as the charts read it.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtractModel {
    /// The force the extract is from, when the analysis file names it.
    pub force: Option<String>,
    /// What the charts draw (`[charts]`; the defaults for an extract-only folder).
    pub settings: crate::run_folder::summary::ChartSettings,
    /// The extract as every table's `source` column names it: "Cleveland (synthetic extract,
    /// not real Cleveland data)".
    pub source: String,
    /// The extract's file name, as the analysis file gives it.
    pub file: String,
    /// The crimes in scope: "domestic-abuse-flagged crimes".
    pub scope_label: String,
    /// What the area column holds ("neighbourhood").
    pub area_level: String,
    /// "Outcome 16".
    pub outcome: String,
    /// The count basis as the run names it ("assigned_in_period").
    pub basis: String,
    /// The outcome types in the denominator.
    pub denominator_types: Vec<u64>,
    /// The extract's months, in words: "April 2018 to March 2020".
    pub period: String,
    /// The funnel by area, when the run has one.
    pub areas: Option<WithinFunnel>,
    /// The funnel by investigating unit, when the run has one.
    pub units: Option<WithinFunnel>,
    /// The case-mix-adjusted ratio funnels by area and by unit, when the run has the
    /// record-level model.
    pub adjusted: [Option<AdjustedFunnel>; 2],
    /// The months in order, with their control limits and rule hits.
    pub months: Vec<TrendRow>,
    /// The comparison group's monthly rate (crimes not flagged as domestic abuse, for the
    /// `da` scope) and its label, when the scope has one.
    pub month_comparison: Option<(String, Vec<Option<f64>>)>,
    /// The events on the monthly series: (label, first month after).
    pub events: Vec<(String, String)>,
    /// The control charts' baseline, when the analysis file sets one.
    pub baseline: Option<super::model::BaselineMark>,
    /// The target trajectory of the monthly series (its months as axis ticks).
    pub trajectory: Option<super::model::Trajectory>,
    /// The crimes in scope's outcome mix by month (its months as axis ticks), when the run
    /// has events.
    pub outcome_mix: Vec<super::model::OutcomeMixRow>,
    /// The displacement sentences, one per event.
    pub displacement_notes: Vec<String>,
    /// The SPC rule lengths the months were tested with (shift, trend).
    pub spc_lengths: (u64, u64),
    /// The reviewed audit sample's tables, when the run read one back.
    pub audit: Option<rows::AuditRows>,
    /// The record-level model's estimated levels (empty without a model).
    pub odds_ratios: Vec<rows::OddsRatioRow>,
    /// When victims withdrew (empty without a withdrawal date).
    pub withdrawal: Vec<rows::WithdrawalRow>,
}

/// The limits' method in words, from a funnel of `summary.json`'s `extract`: the same words
/// as the national `funnel.description`.
fn method_words(funnel: &ExtractFunnelStats) -> String {
    if funnel.adjustment_applied {
        format!(
            "{} limits, {} overdispersion adjustment ({} scale)",
            funnel.method, funnel.overdispersion, funnel.adjusted_method
        )
    } else {
        format!(
            "{} limits, no overdispersion adjustment applied",
            funnel.method
        )
    }
}

/// Reads `extract_by_<kind>` and `extract_<kind>_funnel_limits`, when the summary has a
/// funnel for them (an extract with fewer than two units has none).
fn read_funnel(
    data: &RunData,
    extract: &ExtractSummary,
    kind: WithinKind,
) -> Result<Option<WithinFunnel>> {
    let funnel = match kind {
        WithinKind::Area => Some(&extract.area_funnel),
        WithinKind::Unit => extract.unit_funnel.as_ref(),
    };
    let Some(funnel) = funnel.and_then(ExtractFunnel::stats) else {
        return Ok(None);
    };
    let key = format!("{}_funnel", kind.key());
    let levels =
        levels_of(&funnel.levels).map_err(|e| anyhow!("summary.json: extract.{key}.{e}"))?;
    let rows = rows::within_units(data, kind.key(), &levels)?;
    let limits = rows::limits(
        data,
        &format!("extract_{}_funnel_limits", kind.key()),
        &levels,
    )?;
    Ok(Some(WithinFunnel {
        rows,
        limits,
        levels,
        target: funnel
            .target
            .ok_or_else(|| anyhow!("summary.json: extract.{key}.target is not a number"))?,
        target_kind: funnel.target_kind.clone(),
        phi: funnel.phi,
        tau2: funnel.tau2,
        method: method_words(funnel),
        adjusted: funnel.adjustment_applied,
    }))
}

/// Reads the adjusted ratio funnel of `kind`, at the levels of the extract's area funnel.
fn read_adjusted(
    data: &RunData,
    extract: &ExtractSummary,
    kind: WithinKind,
) -> Result<Option<AdjustedFunnel>> {
    let Some(funnel) = extract.area_funnel.stats() else {
        return Ok(None);
    };
    let levels =
        levels_of(&funnel.levels).map_err(|e| anyhow!("summary.json: extract.area_funnel.{e}"))?;
    Ok(
        rows::adjusted_funnel(data, kind.key(), &levels)?.map(|(rows, limits, k)| AdjustedFunnel {
            rows,
            limits,
            levels,
            k,
        }),
    )
}

impl ExtractModel {
    /// Reads the extract's summary and tables; `None` when the run has no extract.
    ///
    /// # Errors
    ///
    /// When the summary names an extract but a table or column its charts need is missing, or
    /// a cell is not what its column promises.
    pub fn read(data: &RunData) -> Result<Option<ExtractModel>> {
        let Some(extract) = &data.summary.extract else {
            return Ok(None);
        };
        let list = |types: &[u8]| -> Vec<u64> { types.iter().map(|&t| u64::from(t)).collect() };
        let months = &extract.months;
        let period = match (&months.first, &months.last) {
            (Some(first), Some(last)) if first != last => format!(
                "{} to {}",
                style::month_phrase(first),
                style::month_phrase(last)
            ),
            (Some(first), _) => style::month_phrase(first),
            _ => String::new(),
        };
        Ok(Some(ExtractModel {
            settings: data
                .summary
                .national
                .as_ref()
                .map(|n| n.charts)
                .unwrap_or_default(),
            force: extract.force.clone(),
            source: extract.source.clone(),
            file: extract.file.clone(),
            scope_label: extract.scope_label.clone(),
            area_level: extract.area_level.clone(),
            outcome: style::outcome_phrase(&list(&extract.outcome)),
            basis: extract.basis.clone(),
            denominator_types: list(&extract.denominator_types),
            period,
            areas: read_funnel(data, extract, WithinKind::Area)?,
            units: read_funnel(data, extract, WithinKind::Unit)?,
            adjusted: [
                read_adjusted(data, extract, WithinKind::Area)?,
                read_adjusted(data, extract, WithinKind::Unit)?,
            ],
            months: rows::months(data, style::month_tick)?,
            month_comparison: match &extract.comparison_label {
                Some(label) => Some((style::capitalise(label), rows::month_comparison(data)?)),
                None => None,
            },
            spc_lengths: (months.shift_length, months.trend_length),
            audit: rows::audit(data)?,
            odds_ratios: rows::odds_ratios(data)?,
            withdrawal: rows::withdrawal(data)?,
            events: super::model::event_marks(data, "extract")
                .into_values()
                .flatten()
                .map(|(label, month)| (label, style::month_tick(&month)))
                .collect(),
            baseline: super::model::baseline_mark(data),
            outcome_mix: rows::outcome_mix(data, "extract_outcome_mix")?
                .into_values()
                .next()
                .unwrap_or_default()
                .into_iter()
                .map(|r| super::model::OutcomeMixRow {
                    period: style::month_tick(&r.period),
                    ..r
                })
                .collect(),
            displacement_notes: super::model::displacement_notes(data, "extract")
                .into_values()
                .flatten()
                .collect(),
            trajectory: super::model::trajectories(data, "extract")
                .into_values()
                .next()
                .map(|(words, start, a, last, b)| {
                    (
                        words,
                        style::month_tick(&start),
                        a,
                        style::month_tick(&last),
                        b,
                    )
                }),
        }))
    }

    /// The adjusted ratio funnel of `kind`, when the run has one.
    pub fn adjusted_funnel(&self, kind: WithinKind) -> Option<&AdjustedFunnel> {
        self.adjusted[usize::from(kind == WithinKind::Unit)].as_ref()
    }

    /// The funnel of `kind`, when the run has one.
    pub fn funnel(&self, kind: WithinKind) -> Option<&WithinFunnel> {
        match kind {
            WithinKind::Area => self.areas.as_ref(),
            WithinKind::Unit => self.units.as_ref(),
        }
    }

    /// Whether the monthly control chart has anything to draw.
    pub fn has_month_chart(&self) -> bool {
        self.months.iter().any(|m| m.spc.is_some())
    }

    /// Who the charts are about, at the start of a title: the force, or "Record-level extract".
    /// Who the charts are about: the force, or "Record-level extract".
    pub fn owner_name(&self) -> String {
        self.owner()
    }

    fn owner(&self) -> String {
        self.force
            .clone()
            .unwrap_or_else(|| "Record-level extract".to_string())
    }

    /// The count basis in words, for crimes counted by month.
    fn basis_words(&self) -> String {
        match self.basis.as_str() {
            "assigned_in_period" => "crimes counted in the month of their outcome".to_string(),
            "recorded_in_period" => "crimes counted in the month they were recorded".to_string(),
            other => other.replace('_', " "),
        }
    }

    /// The denominator in words: "crimes with outcome types 1-22".
    fn denominator_words(&self) -> String {
        format!(
            "crimes with {}",
            style::types_phrase(&self.denominator_types)
        )
    }

    /// The first subtitle paragraph: crimes in scope and the extract, period, basis,
    /// denominator.
    fn scope_line(&self) -> String {
        format!(
            "{}, {} · {} · {} · denominator: {}",
            style::capitalise(&self.scope_label),
            self.source,
            self.period,
            self.basis_words(),
            self.denominator_words()
        )
    }

    /// The source line: the extract's file, whose it is, and its months.
    pub fn source_line(&self) -> String {
        let file = if self.file.is_empty() {
            String::new()
        } else {
            format!(" {}", self.file)
        };
        format!(
            "Source: record-level crime extract{file}, {}, {}. Drawn by outcome-lens from the run's tables.",
            self.source, self.period
        )
    }

    /// The area level in words: "neighbourhood", "community safety partnership", "LSOA".
    fn area_level_words(&self) -> String {
        match self.area_level.as_str() {
            "lsoa" => "LSOA".to_string(),
            other => other.replace('_', " "),
        }
    }
}

/// A within-force funnel's points: its rows with a denominator and a flag (the rest are kept
/// out of the funnel).
fn points_of(rows: &[WithinRow]) -> Vec<FunnelPoint> {
    rows.iter()
        .filter(|r| r.denominator > 0.0)
        .filter_map(|r| {
            Some(FunnelPoint {
                name: r.name.clone(),
                denominator: r.denominator,
                rate: r.rate?,
                flag: r.flag?,
                focus: false,
                ringed: false,
                in_target_set: true,
            })
        })
        .collect()
}

/// Every point named up to [`LABEL_EVERY_UP_TO`], only flagged ones beyond.
fn labelling_of(points: &[FunnelPoint]) -> Labelling {
    if points.len() <= LABEL_EVERY_UP_TO {
        Labelling::Every
    } else {
        Labelling::Flagged
    }
}

/// The within-force funnel of `kind`: every area (or unit) placed in the funnel, against the
/// force's own rate.
///
/// # Errors
///
/// When the extract has no funnel of `kind`.
pub fn funnel_chart(e: &ExtractModel, kind: WithinKind) -> Result<FunnelChart<'_>> {
    let noun = kind.noun();
    let f = e
        .funnel(kind)
        .ok_or_else(|| anyhow!("the extract has no funnel by {}", noun.one))?;
    let points = points_of(&f.rows);
    let mut notes = Vec::new();
    let left_out: Vec<String> = f
        .rows
        .iter()
        .filter(|r| !points.iter().any(|p| p.name == r.name))
        .map(|r| r.name.clone())
        .collect();
    if !left_out.is_empty() {
        notes.push(format!(
            "Not in the funnel (no outcomes, or kept out of it): {}.",
            left_out.join(", ")
        ));
    }
    notes.push(format!(
        "φ and τ² come from these {} {} alone, and with few {} they are unstable: read a flag as a prompt to look, not a finding.",
        points.len(),
        noun.many,
        noun.many
    ));
    let target_set = if f.target_kind == "pooled" {
        format!("all {}", e.scope_label)
    } else {
        "set for the extract".to_string()
    };
    let x_title = match kind {
        WithinKind::Area if !e.area_level.is_empty() => format!(
            "Denominator per area ({}): {} (log scale)",
            e.area_level_words(),
            e.denominator_words()
        ),
        _ => format!(
            "Denominator per {}: {} (log scale)",
            noun.one,
            e.denominator_words()
        ),
    };
    let labelling = labelling_of(&points);
    let point_legend: Vec<LegendEntry> = marks::flag_legend_of(&f.levels, &noun.many);
    Ok(FunnelChart {
        title: format!(
            "{}: {} rate by {}, funnel plot, {}, {}",
            e.owner(),
            e.outcome.to_lowercase(),
            noun.one,
            e.scope_label,
            e.period
        ),
        subtitle: vec![
            e.scope_line(),
            method_line(
                &f.method,
                f.phi,
                f.tau2,
                &f.target_kind,
                f.target,
                &target_set,
            ),
        ],
        x_title,
        y_title: format!("{} rate (%)", e.outcome),
        points,
        limits: &f.limits,
        target: f.target,
        values: Values::Rate,
        levels: f.levels,
        adjusted: f.adjusted,
        show_unadjusted: e.settings.unadjusted_limits,
        point_legend,
        labelling,
        target_set,
        notes,
        source: e.source_line(),
    })
}

/// The case-mix-adjusted funnel of `kind`: each area's (or unit's) outcome-16 closures
/// against the record-level model's expectation without area (offence group, repeat victim
/// and the quality fields), O/E against E, with the model's binomial lines.
///
/// # Errors
///
/// When the extract has no adjusted funnel of `kind`.
pub fn adjusted_funnel_chart(e: &ExtractModel, kind: WithinKind) -> Result<FunnelChart<'_>> {
    let noun = kind.noun();
    let f = e
        .adjusted_funnel(kind)
        .ok_or_else(|| anyhow!("the extract has no adjusted funnel by {}", noun.one))?;
    let points = points_of(&f.rows);
    let labelling = labelling_of(&points);
    Ok(FunnelChart {
        title: format!(
            "{}: {} closures against the case-mix model's expectation, by {}, {}, {}",
            e.owner(),
            e.outcome.to_lowercase(),
            noun.one,
            e.scope_label,
            e.period
        ),
        subtitle: vec![
            e.scope_line(),
            format!(
                "Expected: each crime's probability from the record-level model without area (offence group, repeat victim and the investigation-quality fields), summed. Limits: 1 ∓ z·√(k/E), k = {} (the model's binomial variance per expected closure); no overdispersion adjustment.",
                style::significant(f.k)
            ),
        ],
        x_title: format!("Expected {} closures, E (log scale)", e.outcome.to_lowercase()),
        y_title: "Observed / expected".to_string(),
        points,
        limits: &f.limits,
        target: 1.0,
        values: Values::Ratio,
        levels: f.levels,
        adjusted: false,
        show_unadjusted: false,
        point_legend: marks::flag_legend_of(&f.levels, &noun.many),
        labelling,
        target_set: "the model".to_string(),
        notes: vec![format!(
            "Set beside the unadjusted funnel by {}: a point that moves inside the limits here had an excess its case mix explains. An association, not a cause: the model adjusts only for the fields recorded.",
            noun.one
        )],
        source: e.source_line(),
    })
}

/// The displacement chart of the crimes in scope by month.
pub fn displacement_chart(e: &ExtractModel) -> super::displacement::DisplacementChart<'_> {
    super::displacement::DisplacementChart {
        title: format!(
            "{}: outcomes assigned by month in the record-level extract, the share of each outcome group, {}",
            e.owner(),
            e.scope_label
        ),
        scope_line: e.scope_line(),
        rows: &e.outcome_mix,
        cadence: "month",
        notes: e.displacement_notes.clone(),
        source: e.source_line(),
        events: e.events.clone(),
    }
}

/// The monthly control chart of the crimes in scope.
///
/// # Errors
///
/// When the summary does not give the rule lengths the months were tested with.
pub fn month_chart(e: &ExtractModel) -> Result<SpcChart<'_>> {
    let spc_lengths = e.spc_lengths;
    let mut notes = Vec::new();
    if e.basis == "assigned_in_period" {
        notes.push(
            "Counted by the month of the outcome: the first months over-represent quick outcomes, because crimes recorded before the extract's window are absent."
                .to_string(),
        );
    }
    Ok(SpcChart {
        title: format!(
            "{}: {} rate by month in the record-level extract, control chart (Laney p′), {}",
            e.owner(),
            e.outcome.to_lowercase(),
            e.scope_label
        ),
        scope_line: e.scope_line(),
        series: style::capitalise(&e.scope_label),
        rows: &e.months,
        cadence: Cadence::Month,
        outcome: e.outcome.clone(),
        spc_lengths,
        notes,
        source: e.source_line(),
        events: e.events.clone(),
        baseline: e.baseline.clone(),
        trajectory: e.trajectory.clone(),
        comparison: e
            .month_comparison
            .as_ref()
            .filter(|(_, rates)| rates.iter().any(Option::is_some))
            .cloned(),
    })
}
