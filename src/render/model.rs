//! The run's tables read into typed rows for drawing.
//!
//! Invariant: this module only reads and types what the run holds (`summary.json` and the
//! tables); it computes nothing. A missing column or an unreadable cell is an error naming
//! the table, row and column; an empty cell is `None`.

use std::collections::BTreeMap;

use anyhow::{anyhow, Result};

use super::extract::ExtractModel;
use super::style;
use crate::run_folder::rows;
pub use crate::run_folder::rows::{
    ForceRow, LimitRow, MixRow, MixSummary, OutcomeMixRow, PeerGroup, Rules, SpcLimits, TrendRow,
};
use crate::run_folder::RunData;
use crate::stats::FlagLevels;

/// What the charts say about the run as a whole (from `summary.json`).
#[derive(Debug, Clone, PartialEq)]
pub struct RunContext {
    /// "Outcome 16".
    pub outcome: String,
    /// The scope's label, e.g. "DA proxy: violence offence codes 8N, 105A, 8L, 8Q, 3B".
    pub scope: String,
    /// The period as the run labels it ("2018/19").
    pub period: String,
    /// The period for a source line ("year ending March 2019").
    pub period_phrase: String,
    /// The count basis in words.
    pub basis: String,
    /// The denominator in words.
    pub denominator: String,
    /// The funnel method in words.
    pub method: String,
    /// Whether the overdispersion adjustment was applied.
    pub adjusted: bool,
    /// The funnel levels.
    pub levels: FlagLevels,
    /// φ, when the run estimated it.
    pub phi: Option<f64>,
    /// τ², when the run estimated it.
    pub tau2: Option<f64>,
    /// The target rate.
    pub target: f64,
    /// "pooled" or "fixed".
    pub target_kind: String,
    /// The set of forces the target comes from.
    pub national_set: String,
    /// The focus forces, in the order of `summary.json`.
    pub focus: Vec<String>,
    /// SPC rule lengths (shift, trend).
    pub spc_lengths: (u64, u64),
    /// Whether the run's input was a tidy-counts table rather than Home Office outcomes.
    pub tidy: bool,
    /// The quarters compared (the period's).
    pub periods_compared: Vec<String>,
    /// The analysis file's note on the inputs, for every source line.
    pub source_note: Option<String>,
    /// The scope as a title names it: the label, or for a proxy "DA proxy offences"
    /// (the subtitle gives its codes).
    pub title_scope: String,
    /// What the charts draw (`[charts]`).
    pub settings: crate::run_folder::summary::ChartSettings,
}

/// The run's summary and tables, typed for the charts.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Run-wide facts.
    pub context: RunContext,
    /// Force rows in table order.
    pub forces: Vec<ForceRow>,
    /// Funnel limits in table order (ascending denominator).
    pub limits: Vec<LimitRow>,
    /// Trend rows by force, each in period order.
    pub trend: BTreeMap<String, Vec<TrendRow>>,
    /// Why a force's series has no control limits (`spc_note` in `trend.csv`), by force.
    pub spc_notes: BTreeMap<String, String>,
    /// Whether the mix strata are offence codes (else offence groups).
    pub mix_by_code: bool,
    /// Offence-mix strata by force.
    pub mix: BTreeMap<String, Vec<MixRow>>,
    /// Offence-mix summaries by force.
    pub mix_summary: BTreeMap<String, MixSummary>,
    /// Peer groups by name.
    pub peers: BTreeMap<String, PeerGroup>,
    /// The record-level extract's tables, when the run has an extract.
    pub extract: Option<ExtractModel>,
    /// The events on each focus force's quarterly series: force → (label, first period after).
    pub events: BTreeMap<String, Vec<(String, String)>>,
    /// The target trajectory of each focus force's quarterly series.
    pub trajectories: BTreeMap<String, Trajectory>,
    /// The control charts' baseline, when the analysis file sets one.
    pub baseline: Option<BaselineMark>,
    /// Each focus force's outcome mix by quarter (`outcome_mix`), when the run has events.
    pub outcome_mix: BTreeMap<String, Vec<OutcomeMixRow>>,
    /// Each focus force's displacement sentences, one per event, as notes for its chart.
    pub displacement_notes: BTreeMap<String, Vec<String>>,
}

/// The displacement sentences of the series of `source`, by unit, each a note for a chart.
pub fn displacement_notes(data: &RunData, source: &str) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if let Some(m) = &data.summary.monitor {
        for d in m.displacement.iter().filter(|d| d.source == source) {
            out.entry(d.unit.clone())
                .or_default()
                .push(format!("{}.", style::capitalise(&d.sentence)));
        }
    }
    out
}

/// A target trajectory: (legend text, start period, start rate, last period, rate there).
pub type Trajectory = (String, String, f64, String, f64);

/// The control charts' fixed baseline, as the analysis file wrote it and as days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaselineMark {
    /// `from` and `to` as written.
    pub written: (String, String),
    /// Its first and last days (`YYYY-MM-DD`).
    pub dates: (String, String),
}

impl BaselineMark {
    /// Whether a period starting on `start` (`YYYY-MM-DD`) lies in the baseline.
    #[must_use]
    pub fn holds(&self, start: &str) -> bool {
        self.dates.0.as_str() <= start && start <= self.dates.1.as_str()
    }
}

/// The baseline of `summary.json`'s `monitor`, when it has one.
pub fn baseline_mark(data: &RunData) -> Option<BaselineMark> {
    let m = data.summary.monitor.as_ref()?;
    let [from, to] = m.baseline.clone()?;
    let [first, last] = m.baseline_dates.clone()?;
    Some(BaselineMark {
        written: (from, to),
        dates: (first, last),
    })
}

/// The target trajectories of the series of `source`, by unit.
pub fn trajectories(data: &RunData, source: &str) -> BTreeMap<String, Trajectory> {
    let mut out = BTreeMap::new();
    let Some(t) = data
        .summary
        .monitor
        .as_ref()
        .and_then(|m| m.target.as_ref())
    else {
        return out;
    };
    for g in t.gaps.iter().filter(|g| g.source == source) {
        if let (Some(start), Some(end)) = (g.start_rate, g.trajectory) {
            out.insert(
                g.unit.clone(),
                (
                    format!(
                        "Target trajectory: {} by {}",
                        style::percent(t.rate, 1),
                        t.by
                    ),
                    g.start_period.clone(),
                    start,
                    g.last_period.clone(),
                    end,
                ),
            );
        }
    }
    out
}

/// The events on the series of `source` (`home_office` or `extract`), by unit: (label, first
/// period after), from `summary.json`'s `monitor`.
pub fn event_marks(data: &RunData, source: &str) -> BTreeMap<String, Vec<(String, String)>> {
    let mut out: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    if let Some(m) = &data.summary.monitor {
        for e in m.effects.iter().filter(|e| e.source == source) {
            if let Some(after) = &e.first_period_after {
                out.entry(e.unit.clone())
                    .or_default()
                    .push((e.event.clone(), after.clone()));
            }
        }
    }
    out
}

fn context(data: &RunData) -> Result<RunContext> {
    let summary = data.summary.national()?;
    let levels = summary.levels()?;
    let quarters = &summary.periods_compared;
    let period = summary.period.clone();
    let denominator = summary
        .denominator
        .description
        .clone()
        .unwrap_or_else(|| summary.denominator.name.clone());
    Ok(RunContext {
        tidy: summary.tidy(),
        outcome: style::outcome_phrase(
            &summary
                .outcome
                .iter()
                .map(|&t| u64::from(t))
                .collect::<Vec<_>>(),
        ),
        scope: summary.scope.label.clone(),
        title_scope: if summary.scope.proxy {
            "DA proxy offences".to_string()
        } else {
            summary.scope.label.clone()
        },
        settings: summary.charts,
        period_phrase: if summary.period_partial {
            format!(
                "{} (partial: {} of the period only)",
                style::period_phrase(&period, quarters),
                quarters.join(", ")
            )
        } else {
            style::period_phrase(&period, quarters)
        },
        period,
        periods_compared: summary.periods_compared.clone(),
        source_note: summary.source_note.clone(),
        basis: style::basis_phrase(&summary.basis),
        denominator,
        method: summary.funnel.description.clone(),
        adjusted: summary.funnel.adjustment_applied,
        levels,
        phi: summary.phi,
        tau2: summary.tau2,
        target: summary
            .target
            .ok_or_else(|| anyhow!("summary.json has no target"))?,
        target_kind: summary.target_kind.clone(),
        national_set: summary.national_set.clone(),
        focus: summary.focus.iter().map(|f| f.force.clone()).collect(),
        spc_lengths: (summary.spc.shift_length, summary.spc.trend_length),
    })
}

impl Model {
    /// Reads and types a run's summary and tables.
    ///
    /// # Errors
    ///
    /// When a table or column the charts need is missing, or a cell is not what its column
    /// promises.
    pub fn read(data: &RunData) -> Result<Model> {
        let context = context(data)?;
        let forces = rows::forces(data, &context.levels)?;
        let limits = rows::limits(data, "funnel_limits", &context.levels)?;
        let trend = rows::trend(data)?;
        let spc_notes = rows::spc_notes(data)?;
        let (mix_by_code, mix, mix_summary) = rows::mix(data)?;
        let peers = rows::peers(data)?
            .into_iter()
            .map(|g| (g.name.clone(), g))
            .collect();
        let extract = ExtractModel::read(data)?;
        Ok(Model {
            context,
            forces,
            limits,
            trend,
            spc_notes,
            mix_by_code,
            mix,
            mix_summary,
            peers,
            extract,
            events: event_marks(data, "home_office"),
            trajectories: trajectories(data, "home_office"),
            baseline: baseline_mark(data),
            outcome_mix: rows::outcome_mix(data, "outcome_mix")?,
            displacement_notes: displacement_notes(data, "home_office"),
        })
    }

    /// The force row of a focus force.
    pub fn force(&self, name: &str) -> Option<&ForceRow> {
        self.forces.iter().find(|f| f.force == name)
    }

    /// The peer group of a force, when it has one.
    pub fn peer_group_of(&self, force: &str) -> Option<&PeerGroup> {
        let group = self.force(force)?.peer_group.as_ref()?;
        self.peers.get(group)
    }

    /// The first subtitle paragraph shared by every chart: scope, period, basis, denominator.
    pub fn scope_line(&self) -> String {
        let c = &self.context;
        format!(
            "{} · {} · {} · denominator: {}",
            c.scope, c.period, c.basis, c.denominator
        )
    }

    /// The source line of a chart of the comparison period.
    pub fn source_line(&self) -> String {
        self.source_line_over(&self.context.period_phrase)
    }

    /// The period a chart of a series over `periods` shows: the comparison period's words
    /// when they are its quarters, else the first and last ("2015/16 Q1 to 2019/20 Q4").
    pub fn series_period(&self, periods: &[String]) -> String {
        match (periods.first(), periods.last()) {
            _ if periods == self.context.periods_compared.as_slice() => self.context.period.clone(),
            (Some(first), Some(last)) if first != last => format!("{first} to {last}"),
            (Some(first), _) => first.clone(),
            _ => self.context.period.clone(),
        }
    }

    /// The scope line of a chart of a series over `periods`.
    pub fn series_scope_line(&self, periods: &[String]) -> String {
        let c = &self.context;
        format!(
            "{} · {} · {} · denominator: {}",
            c.scope,
            self.series_period(periods),
            c.basis,
            c.denominator
        )
    }

    /// The source line of a chart of a series over `periods`.
    pub fn series_source_line(&self, periods: &[String]) -> String {
        if periods == self.context.periods_compared.as_slice() {
            self.source_line()
        } else {
            self.source_line_over(&self.series_period(periods))
        }
    }

    fn source_line_over(&self, period: &str) -> String {
        let note = match &self.context.source_note {
            Some(note) => format!(" {note}"),
            None => String::new(),
        };
        if self.context.tidy {
            format!(
                "Source: the counts in the run's tidy-counts input, as published, {period}.{note} Drawn by outcome-lens from the run's tables."
            )
        } else {
            format!(
                "Source: Home Office police recorded crime outcomes open data, {period}.{note} Drawn by outcome-lens from the run's tables."
            )
        }
    }
}
