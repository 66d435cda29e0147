//! Trend: every unit's rate per period, against the national and peer rates, with a Laney p′
//! chart and its rule hits.
//!
//! Invariant: the series covers every period in the inputs (not only the comparison period),
//! in period order; the SPC statistics come from `stats::spc`.

use std::collections::BTreeMap;

use anyhow::Result;

use crate::compare::notice::{plural, Notice, NoticeKind, SHORT_SERIES};
use crate::compare::Counts;
use crate::config::monitor::MonitorConfig;
use crate::config::{Config, SpcConfig};
use crate::measure::{Cell, PeriodKey};
use crate::stats::spc::phases::{Improvement, Variation};
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
    /// Rule hits at this point, judged within its phase.
    pub rules: spc::RuleHits,
    /// The point's variation (None without limits).
    pub variation: Option<Variation>,
    /// Its phase (0 without phases).
    pub phase: usize,
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
        let days: Vec<(i64, i64)> = points.iter().map(|p| period_days(p.0)).collect();
        let plan = ChartPlan::for_periods(&days, &config.monitor);
        let ControlChart {
            chart,
            hits,
            variation,
            phase_of,
            note: spc_note,
            ..
        } = control_chart(&xs, &ns, &config.spc, &plan).map_err(|e| {
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
                variation: variation[k],
                phase: phase_of[k],
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
    /// The chart, when one can be drawn: every point with its phase's limits; the centre,
    /// σ_z and screening are the first phase's (the baseline's, when one is set).
    pub chart: Option<spc::Chart>,
    /// The rule hits of each point, judged within its phase (none without a chart).
    pub hits: Vec<spc::RuleHits>,
    /// Each point's variation (none without a chart).
    pub variation: Vec<Option<Variation>>,
    /// Each point's phase (0 without phases).
    pub phase_of: Vec<usize>,
    /// The phases (none without a chart).
    pub phases: Vec<spc::phases::Phase>,
    /// Why a series of two or more points has no chart.
    pub note: Option<String>,
}

/// What the monitoring settings ask of one series, as point indices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartPlan {
    /// The points at which a new phase starts.
    pub starts: Vec<usize>,
    /// The baseline's first and last points.
    pub baseline: Option<(usize, usize)>,
    /// Which way is better.
    pub improvement: Improvement,
}

impl ChartPlan {
    /// One phase, limits from every point.
    #[must_use]
    pub fn plain(improvement: Improvement) -> ChartPlan {
        ChartPlan {
            starts: Vec::new(),
            baseline: None,
            improvement,
        }
    }

    /// The plan for a series whose points span the days `periods` (first and last day of
    /// each, in order): a phase at each event that starts one and falls after the series'
    /// first period (from the first period starting on or after its day), and the baseline's
    /// points (those lying wholly inside it). An event or baseline the series does not reach
    /// leaves it as one phase or without a baseline; [`check_monitoring`] has already refused
    /// those outside all the data.
    #[must_use]
    pub fn for_periods(periods: &[(i64, i64)], monitor: &MonitorConfig) -> ChartPlan {
        let mut starts: Vec<usize> = monitor
            .events
            .iter()
            .filter(|e| e.starts_phase)
            .filter_map(|e| first_after(periods, e.day))
            .filter(|&i| i > 0)
            .collect();
        starts.dedup();
        let baseline = monitor.baseline.and_then(|(from, to)| {
            let inside: Vec<usize> = (0..periods.len())
                .filter(|&i| periods[i].0 >= from && periods[i].1 <= to)
                .collect();
            Some((*inside.first()?, *inside.last()?))
        });
        // A baseline reaching past the first phase is cut at it.
        let baseline = baseline.map(|(a, b)| match starts.first() {
            Some(&s) if b >= s => (a, s - 1),
            _ => (a, b),
        });
        ChartPlan {
            starts,
            baseline: baseline.filter(|(a, b)| b > a),
            improvement: monitor.improvement,
        }
    }
}

/// A period's first and last days (a Home Office quarter; other periods have no days and
/// stay out of every event and baseline).
#[must_use]
pub fn period_days(period: &PeriodKey) -> (i64, i64) {
    match period.quarter {
        Some(q) => {
            let first = i64::from(q.start_days_since_epoch());
            let next = crate::config::monitor::parse_day(&q.to_string(), true).unwrap_or(first);
            (first, next)
        }
        None => (i64::MAX, i64::MAX),
    }
}

/// The index of the first period starting on or after `day`.
#[must_use]
pub fn first_after(periods: &[(i64, i64)], day: i64) -> Option<usize> {
    periods.iter().position(|p| p.0 >= day)
}

/// Refuses events outside the data (`span`: the first and last days of all the periods, and
/// their labels) and a baseline shorter than the rule lengths, each error naming the key and
/// the value. `points_in_baseline` counts the periods wholly inside the baseline.
///
/// # Errors
///
/// As said.
pub fn check_monitoring(
    monitor: &MonitorConfig,
    settings: &SpcConfig,
    span: (i64, i64),
    labels: (&str, &str),
    points_in_baseline: usize,
) -> Result<()> {
    for event in &monitor.events {
        if event.day <= span.0 || event.day > span.1 {
            anyhow::bail!(
                "{}: {:?} ({}) is outside the data, which run from {} to {}: an event needs periods before and after it",
                event.place,
                event.label,
                event.written,
                labels.0,
                labels.1
            );
        }
    }
    if let Some((from, to)) = &monitor.baseline_written {
        let needed = settings.shift_length.max(settings.trend_length);
        if points_in_baseline < needed {
            anyhow::bail!(
                "spc.baseline: {{ from = {from:?}, to = {to:?} }} holds {points_in_baseline} {} of the data, fewer than the rule lengths ({needed}: spc.shift_length and spc.trend_length)",
                if points_in_baseline == 1 { "period" } else { "periods" }
            );
        }
    }
    Ok(())
}

/// The control chart of `xs` over `ns` (every n > 0) with the SPC settings and the series'
/// plan.
///
/// # Errors
///
/// The errors of `stats::spc` other than a rate of 0 or 1 throughout.
pub fn control_chart(
    xs: &[u64],
    ns: &[u64],
    settings: &SpcConfig,
    plan: &ChartPlan,
) -> std::result::Result<ControlChart, StatsError> {
    let options = spc::SpcOptions {
        baseline: None,
        screen_moving_ranges: settings.screen_moving_ranges,
    };
    let rule_options = spc::RuleOptions {
        shift_length: settings.shift_length,
        trend_length: settings.trend_length,
        two_of_three: settings.two_of_three,
    };
    let none = |note: Option<String>| ControlChart {
        chart: None,
        hits: vec![spc::RuleHits::default(); xs.len()],
        variation: vec![None; xs.len()],
        phase_of: vec![0; xs.len()],
        phases: Vec::new(),
        note,
    };
    if xs.len() < 2 {
        return Ok(none(None));
    }
    // Phases too short to chart are dropped rather than failing the series.
    let mut starts: Vec<usize> = Vec::new();
    let mut previous = 0;
    for &s in &plan.starts {
        if s >= previous + 2 && s + 2 <= xs.len() {
            starts.push(s);
            previous = s;
        }
    }
    let baseline = plan
        .baseline
        .filter(|&(_, b)| starts.first().is_none_or(|&s| b < s));
    match spc::phases::phased_laney(
        xs,
        ns,
        &starts,
        baseline,
        &options,
        &rule_options,
        plan.improvement,
    ) {
        Ok(phased) => {
            let first = phased.phases[0].chart.clone();
            Ok(ControlChart {
                chart: Some(spc::Chart {
                    points: phased.points,
                    ..first
                }),
                hits: phased.hits,
                variation: phased.variation.into_iter().map(Some).collect(),
                phase_of: phased.phase_of,
                phases: phased.phases,
                note: None,
            })
        }
        Err(StatsError::DegenerateTarget { value }) => Ok(none(Some(format!(
            "no control limits: the rate is {} in every period{}",
            if value <= 0.0 { "0%" } else { "100%" },
            if starts.is_empty() && baseline.is_none() {
                ""
            } else {
                " of a phase or the baseline"
            }
        )))),
        Err(e) => Err(e),
    }
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
