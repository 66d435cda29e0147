//! Trend: every unit's rate per period, against the national and peer rates, with a Laney p′
//! chart and its rule hits.
//!
//! Invariant: the series covers every period in the inputs (not only the comparison period),
//! in period order; the SPC statistics come from `stats::spc`.

use std::collections::BTreeMap;

use anyhow::Result;

use crate::compare::notice::{plural, Notice, NoticeKind, SHORT_SERIES};
use crate::compare::Counts;
use crate::config::{Config, SpcConfig};
use crate::measure::{Cell, PeriodKey};
use crate::stats::{proportion, spc, Level, StatsError};

/// One unit in one period.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendRow {
    /// The unit.
    pub force: String,
    /// The period.
    pub period: PeriodKey,
    /// Σ numerator.
    pub numerator: u64,
    /// Σ denominator.
    pub denominator: u64,
    /// The rate.
    pub rate: f64,
    /// Wilson 95% interval.
    pub ci95: proportion::Interval,
    /// The national pooled rate in this period.
    pub national_rate: f64,
    /// The unit's peer group's pooled rate in this period.
    pub peer_rate_pooled: Option<f64>,
    /// The Laney p′ chart point (None when the unit has fewer than two periods).
    pub spc: Option<spc::ChartPoint>,
    /// Rule hits at this point.
    pub rules: spc::RuleHits,
    /// Why the point has no control limits, when its unit has two or more periods but none
    /// can be drawn (a rate of 0, or of 1, in every period: no variation to set limits by).
    pub spc_note: Option<String>,
}

/// Builds every unit's series.
pub fn series(
    scoped: &[&Cell],
    config: &Config,
    national: &dyn Fn(&str) -> bool,
    tidy: bool,
) -> Result<Vec<TrendRow>> {
    let mut by_unit: BTreeMap<&str, BTreeMap<&PeriodKey, Counts>> = BTreeMap::new();
    let mut by_period: BTreeMap<&PeriodKey, Counts> = BTreeMap::new();
    for cell in scoped {
        by_unit
            .entry(cell.unit.as_str())
            .or_default()
            .entry(&cell.period)
            .or_default()
            .add(cell);
        if national(&cell.unit) {
            by_period.entry(&cell.period).or_default().add(cell);
        }
    }
    let mut rows = Vec::new();
    for (unit, series) in &by_unit {
        let unit = *unit;
        let aggregate = config.forces.lookup(unit).is_some_and(|id| {
            config.forces.force(id).kind == crate::normalise::forces::ForceKind::Aggregate
        });
        if aggregate && !tidy {
            continue;
        }
        let peer = if tidy {
            None
        } else {
            config.peer_group_of(unit)
        };
        let mut points: Vec<(&PeriodKey, u64, u64)> = Vec::new();
        for (period, counts) in series {
            let (x, n) = counts.unsigned(&format!("{unit} {}", period.label))?;
            if n > 0 {
                points.push((period, x, n));
            }
        }
        let xs: Vec<u64> = points.iter().map(|p| p.1).collect();
        let ns: Vec<u64> = points.iter().map(|p| p.2).collect();
        let ControlChart {
            chart,
            hits,
            note: spc_note,
        } = control_chart(&xs, &ns, &config.spc).map_err(|e| {
            anyhow::Error::new(e).context(format!(
                "{unit}: the control chart (Laney p′) of its {} periods",
                points.len()
            ))
        })?;
        for (k, (period, x, n)) in points.iter().enumerate() {
            let national_counts = by_period.get(period).copied().unwrap_or_default();
            let peer_rate_pooled = match peer {
                Some(group) => {
                    let mut total = Counts::default();
                    for member in &group.members {
                        if let Some(c) = by_unit.get(member.as_str()).and_then(|s| s.get(period)) {
                            total.numerator += c.numerator;
                            total.denominator += c.denominator;
                        }
                    }
                    (total.denominator > 0).then(|| total.rate())
                }
                None => None,
            };
            rows.push(TrendRow {
                force: unit.to_string(),
                period: (*period).clone(),
                numerator: *x,
                denominator: *n,
                rate: *x as f64 / *n as f64,
                ci95: proportion::wilson(*x as f64, *n as f64, Level::ninety_five())?,
                national_rate: national_counts.rate(),
                peer_rate_pooled,
                spc: chart.as_ref().map(|c| c.points[k]),
                rules: hits[k],
                spc_note: spc_note.clone(),
            });
        }
    }
    Ok(rows)
}

/// A series' Laney p′ chart and its rule hits (one per point), or no chart: for fewer than
/// two points, or, with `note` saying why, when the rate is 0 (or 1) in every period and there
/// is no spread to set limits by. Shared by the national trend and the extract's months.
#[derive(Debug, Clone, PartialEq)]
pub struct ControlChart {
    /// The chart, when one can be drawn.
    pub chart: Option<spc::Chart>,
    /// The rule hits of each point (none without a chart).
    pub hits: Vec<spc::RuleHits>,
    /// Why a series of two or more points has no chart.
    pub note: Option<String>,
}

/// The control chart of `xs` over `ns` (every n > 0) with the SPC settings.
///
/// # Errors
///
/// The errors of `stats::spc` other than a rate of 0 or 1 throughout.
pub fn control_chart(
    xs: &[u64],
    ns: &[u64],
    settings: &SpcConfig,
) -> std::result::Result<ControlChart, StatsError> {
    let options = spc::SpcOptions {
        baseline: None,
        screen_moving_ranges: settings.screen_moving_ranges,
    };
    let (chart, note) = if xs.len() >= 2 {
        match spc::laney(xs, ns, &options) {
            Ok(chart) => (Some(chart), None),
            Err(StatsError::DegenerateTarget { value }) => (
                None,
                Some(format!(
                    "no control limits: the rate is {} in every period",
                    if value <= 0.0 { "0%" } else { "100%" }
                )),
            ),
            Err(e) => return Err(e),
        }
    } else {
        (None, None)
    };
    let hits = match &chart {
        Some(chart) => spc::rules(
            &chart.points,
            &spc::RuleOptions {
                shift_length: settings.shift_length,
                trend_length: settings.trend_length,
                two_of_three: settings.two_of_three,
            },
        )?,
        None => vec![spc::RuleHits::default(); xs.len()],
    };
    Ok(ControlChart { chart, hits, note })
}

/// What the series of the focus units leave unsaid: charts shorter than [`SHORT_SERIES`]
/// points (trial limits; shift and trend need more points than they have), and units with no
/// control limits.
pub fn notices(rows: &[TrendRow], focus: &[String], config: &Config) -> Vec<Notice> {
    let mut notices = Vec::new();
    let points = |unit: &str| rows.iter().filter(|r| r.force == unit).count();
    // A single period is no chart at all (the report says there is no trend to describe).
    let shortest = focus.iter().map(|f| points(f)).filter(|&n| n >= 2).min();
    if let Some(n) = shortest.filter(|&n| n < SHORT_SERIES) {
        let shortest_rule = config.spc.shift_length.min(config.spc.trend_length);
        notices.push(Notice {
            kind: NoticeKind::ShortSeries,
            count: n as u64,
            text: format!(
                "the control {} {n} points (fewer than {SHORT_SERIES}): {} limits are trial limits{}",
                if focus.len() == 1 { "chart has" } else { "charts have as few as" },
                if focus.len() == 1 { "its" } else { "their" },
                if n < shortest_rule {
                    format!(
                        ", and no shift or trend can show (they need {} and {} points)",
                        config.spc.shift_length, config.spc.trend_length
                    )
                } else {
                    String::new()
                }
            ),
        });
    }
    let mut without: Vec<String> = rows
        .iter()
        .filter(|r| r.spc_note.is_some())
        .map(|r| r.force.clone())
        .collect();
    without.dedup();
    if !without.is_empty() {
        notices.push(Notice {
            kind: NoticeKind::NoControlLimits,
            count: without.len() as u64,
            text: format!(
                "{} {} no control limits, as {} rate is 0% (or 100%) in every period (spc_note in trend.csv): {}",
                without.len(),
                plural(without.len() as u64, "unit has", "units have"),
                plural(without.len() as u64, "its", "their"),
                crate::compare::name_list(&without, 6)
            ),
        });
    }
    notices
}
