//! `summary.json`'s `monitor`: the events, the baseline, each monitored series' variation and
//! phases, the target and the gap to it, and each event's before/after and interrupted time
//! series estimates, for the report and `diff`.

use serde::{Deserialize, Serialize};

use super::finite;
use crate::compare::monitor::{DisplacementEffect, EventEffect};
use crate::config::monitor::MonitorConfig;

/// The `monitor` object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonitorSummary {
    /// `lower`, `higher` or `neutral`.
    pub better: String,
    /// Whether the analysis file said which way is better.
    pub better_given: bool,
    /// The baseline as written (from, to).
    pub baseline: Option<[String; 2]>,
    /// The baseline's first and last days (`YYYY-MM-DD`), for placing it on a chart.
    #[serde(default)]
    pub baseline_dates: Option<[String; 2]>,
    /// The events, by date.
    pub events: Vec<EventEntry>,
    /// Each monitored series.
    pub series: Vec<SeriesEntry>,
    /// Each event's effect on each series.
    pub effects: Vec<EffectEntry>,
    /// Each event's effect on the mix of outcomes.
    pub displacement: Vec<DisplacementEntry>,
    /// The target, when one is set.
    pub target: Option<TargetEntry>,
}

/// An event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventEntry {
    /// As written.
    pub date: String,
    /// Its label.
    pub label: String,
    /// Its kind.
    pub kind: String,
    /// Whether the charts start a new phase at it.
    pub starts_phase: bool,
}

/// A monitored series: a focus force's quarters or the extract's months.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeriesEntry {
    /// The unit.
    pub unit: String,
    /// `home_office` or `extract`.
    pub source: String,
    /// The last period.
    pub last_period: String,
    /// Its rate.
    pub last_rate: Option<f64>,
    /// The last point's variation (`common_cause`, `special_cause_improving`, …).
    pub variation: Option<String>,
    /// Each phase's variation (its last point's), in order.
    pub phases: Vec<String>,
    /// The periods with a special cause, and theirs.
    pub special_causes: Vec<[String; 2]>,
    /// Where the target lies against the last limits (`consistently_pass`, …).
    pub assurance: Option<String>,
}

/// One event's effect on one series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EffectEntry {
    /// The unit.
    pub unit: String,
    /// `home_office` or `extract`.
    pub source: String,
    /// The event's label.
    pub event: String,
    /// The first period after it.
    pub first_period_after: Option<String>,
    /// The periods compared on each side.
    pub periods: [u64; 2],
    /// The rate before.
    pub before_rate: Option<f64>,
    /// The rate after.
    pub after_rate: Option<f64>,
    /// after − before with its 95% interval.
    pub difference: Option<[Option<f64>; 3]>,
    /// after / before with its 95% interval.
    pub ratio: Option<[Option<f64>; 3]>,
    /// The regression's level change (log-odds) with its interval and p-value.
    pub level_change: Option<[Option<f64>; 4]>,
    /// Its slope change per period, with its interval and p-value.
    pub slope_change: Option<[Option<f64>; 4]>,
    /// `quasi-binomial` or `binomial`.
    pub its_errors: Option<String>,
    /// φ̂.
    pub dispersion: Option<f64>,
    /// The regression's periods.
    pub its_periods: Option<[String; 2]>,
    /// A sustained shift after the event, in words.
    pub sustained_shift: Option<String>,
    /// What could not be estimated, and why.
    pub note: Option<String>,
}

/// One event's displacement sentence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DisplacementEntry {
    /// The unit.
    pub unit: String,
    /// `home_office` or `extract`.
    #[serde(default = "extract_source")]
    pub source: String,
    /// The event's label.
    pub event: String,
    /// In words.
    pub sentence: String,
}

/// The target and each series' gap to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetEntry {
    /// The rate.
    pub rate: f64,
    /// By when, as written.
    pub by: String,
    /// Each series' last rate minus the target.
    pub gaps: Vec<GapEntry>,
}

/// A series' gap to the target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GapEntry {
    /// The unit.
    pub unit: String,
    /// `home_office` or `extract`.
    pub source: String,
    /// The last period.
    pub last_period: String,
    /// Last rate − target (positive: above it).
    pub gap: Option<f64>,
    /// The trajectory's rate at the last period: a straight line from the baseline's rate at
    /// its end to the target at its date (the target itself past that date).
    pub trajectory: Option<f64>,
    /// Where the trajectory starts: the baseline's last period (or the first period).
    pub start_period: String,
    /// The rate there.
    pub start_rate: Option<f64>,
}

/// One point of a monitored series: label, last day, rate, variation, the 3σ limits.
pub type MonitoredPoint = (
    String,
    i64,
    f64,
    Option<crate::stats::spc::phases::Variation>,
    Option<(f64, f64)>,
);

/// A monitored series' points, as the summary reads them.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesPoints<'a> {
    /// The unit.
    pub unit: &'a str,
    /// `home_office` or `extract`.
    pub source: &'a str,
    /// Each point.
    pub points: Vec<MonitoredPoint>,
    /// Each phase's variation.
    pub phases: Vec<crate::stats::spc::phases::Variation>,
}

/// Runs written before the Home Office tables had a displacement had it for the extract alone.
fn extract_source() -> String {
    "extract".into()
}

/// The `monitor` object, or `None` when the analysis file sets no events, baseline or target.
#[must_use]
pub fn build(
    config: &MonitorConfig,
    series: &[SeriesPoints],
    effects: &[(&str, &EventEffect)],
    displacement: &[(&str, &DisplacementEffect)],
) -> Option<MonitorSummary> {
    if config.events.is_empty() && config.baseline.is_none() && config.target.is_none() {
        return None;
    }
    use crate::stats::spc::phases::assurance;
    let series_entries = series
        .iter()
        .filter_map(|s| {
            let last = s.points.last()?;
            let assurance = config.target.as_ref().and_then(|t| {
                let (lower, upper) = last.4?;
                let point = crate::stats::spc::ChartPoint {
                    value: last.2,
                    centre: last.2,
                    sigma: 0.0,
                    lower_3: lower,
                    lower_2: lower,
                    upper_2: upper,
                    upper_3: upper,
                };
                assurance(t.rate, &point, config.improvement).map(|a| a.name().to_string())
            });
            Some(SeriesEntry {
                unit: s.unit.to_string(),
                source: s.source.to_string(),
                last_period: last.0.clone(),
                last_rate: finite(last.2),
                variation: last.3.map(|v| v.name().to_string()),
                phases: s.phases.iter().map(|v| v.name().to_string()).collect(),
                special_causes: s
                    .points
                    .iter()
                    .filter_map(|p| {
                        let v = p.3?;
                        (v != crate::stats::spc::phases::Variation::CommonCause)
                            .then(|| [p.0.clone(), v.name().to_string()])
                    })
                    .collect(),
                assurance,
            })
        })
        .collect();
    let effect_entries = effects
        .iter()
        .map(|(source, e)| {
            let rate = |(x, n): (u64, u64)| (n > 0).then(|| x as f64 / n as f64);
            let coefficient = |k: usize| {
                e.its.as_ref().map(|s| {
                    let c = s.adopted[k];
                    [
                        finite(c.estimate),
                        finite(c.interval.lower),
                        finite(c.interval.upper),
                        finite(c.p_value),
                    ]
                })
            };
            EffectEntry {
                unit: e.unit.clone(),
                source: (*source).to_string(),
                event: e.event.label.clone(),
                first_period_after: e.first_after.clone(),
                periods: [e.before_periods.2 as u64, e.after_periods.2 as u64],
                before_rate: rate(e.before),
                after_rate: rate(e.after),
                difference: e.difference.map(|d| {
                    [
                        finite(d.estimate),
                        finite(d.interval.lower),
                        finite(d.interval.upper),
                    ]
                }),
                ratio: e.ratio.map(|r| {
                    [
                        finite(r.estimate),
                        finite(r.interval.lower),
                        finite(r.interval.upper),
                    ]
                }),
                level_change: coefficient(2),
                slope_change: coefficient(3),
                its_errors: e.its.as_ref().map(|s| {
                    if s.quasi {
                        "quasi-binomial"
                    } else {
                        "binomial"
                    }
                    .to_string()
                }),
                dispersion: e.its.as_ref().and_then(|s| finite(s.fit.dispersion)),
                its_periods: e.its_periods.clone().map(|(a, b)| [a, b]),
                sustained_shift: e.sustained.clone(),
                note: e.note.clone(),
            }
        })
        .collect();
    let target = config.target.as_ref().map(|t| {
        let baseline_end = config.baseline.map(|b| b.1);
        TargetEntry {
            rate: t.rate,
            by: t.by.clone(),
            gaps: series
                .iter()
                .filter_map(|s| {
                    let last = s.points.last()?;
                    // The trajectory starts at the baseline's last point (or the first point).
                    let start = baseline_end
                        .and_then(|end| s.points.iter().rev().find(|p| p.1 <= end))
                        .or_else(|| s.points.first())?;
                    let trajectory = if last.1 >= t.by_day || start.1 >= t.by_day {
                        t.rate
                    } else {
                        let share = (last.1 - start.1) as f64 / (t.by_day - start.1) as f64;
                        start.2 + share * (t.rate - start.2)
                    };
                    Some(GapEntry {
                        unit: s.unit.to_string(),
                        source: s.source.to_string(),
                        last_period: last.0.clone(),
                        gap: finite(last.2 - t.rate),
                        trajectory: finite(trajectory),
                        start_period: start.0.clone(),
                        start_rate: finite(start.2),
                    })
                })
                .collect(),
        }
    });
    Some(MonitorSummary {
        better: config.improvement.name().to_string(),
        better_given: config.improvement_given,
        baseline: config.baseline_written.clone().map(|(from, to)| [from, to]),
        baseline_dates: config.baseline.map(|(from, to)| {
            let day = |d: i64| crate::dates::format_date(d * 86_400);
            [day(from), day(to)]
        }),
        events: config
            .events
            .iter()
            .map(|e| EventEntry {
                date: e.written.clone(),
                label: e.label.clone(),
                kind: e.kind.name().to_string(),
                starts_phase: e.starts_phase,
            })
            .collect(),
        series: series_entries,
        effects: effect_entries,
        displacement: displacement
            .iter()
            .map(|(source, d)| DisplacementEntry {
                unit: d.unit.clone(),
                source: (*source).to_string(),
                event: d.event.label.clone(),
                sentence: d.sentence.clone(),
            })
            .collect(),
        target,
    })
}
