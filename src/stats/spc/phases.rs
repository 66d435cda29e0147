//! Laney p′ charts in phases, with a fixed baseline, the rules judged within each phase, and
//! each point's variation named as NHS "Making Data Count" names it (METHODS-2.md §7).
//!
//! - A phase starts at each given index; its limits come from its own points, except that the
//!   first phase may take them from a baseline (its points `from..=to`), extended to the rest of
//!   the phase and to any points before `from`.
//! - The rules never cross a phase. A phase under [`TRIAL_POINTS`] points has trial limits.
//! - Each point's label follows NHSRplotthedots' priority (beyond limits, then trend, then two
//!   of three, then shift, else common cause), with the side (or, for a trend, the direction)
//!   read against the direction of improvement; a phase is labelled by its last point (the
//!   variation icon's convention).

use super::{laney, rules, Chart, ChartPoint, RuleHits, RuleOptions, SpcOptions};
use crate::stats::error::{Result, StatsError};

/// Phases with fewer points than this have trial limits (NHSRplotthedots' threshold).
pub const TRIAL_POINTS: usize = 13;

/// Which way is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Improvement {
    /// A lower rate is better (outcome 16 by default).
    Lower,
    /// A higher rate is better.
    Higher,
    /// Neither: special causes are named high or low, not improving or concerning.
    Neutral,
}

impl Improvement {
    /// `lower`, `higher`, `neutral`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Improvement::Lower => "lower",
            Improvement::Higher => "higher",
            Improvement::Neutral => "neutral",
        }
    }
}

/// A point's (or a phase's) variation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variation {
    /// No rule hit.
    CommonCause,
    /// A special cause on the better side.
    Improving,
    /// A special cause on the worse side.
    Concerning,
    /// A special cause above the centre (or rising), with no direction of improvement.
    NeutralHigh,
    /// A special cause below the centre (or falling), with no direction of improvement.
    NeutralLow,
}

impl Variation {
    /// `common_cause`, `special_cause_improving`, `special_cause_concerning`,
    /// `special_cause_neutral_high`, `special_cause_neutral_low`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Variation::CommonCause => "common_cause",
            Variation::Improving => "special_cause_improving",
            Variation::Concerning => "special_cause_concerning",
            Variation::NeutralHigh => "special_cause_neutral_high",
            Variation::NeutralLow => "special_cause_neutral_low",
        }
    }

    /// In words: "common cause", "special cause (improving)", ….
    #[must_use]
    pub fn words(self) -> &'static str {
        match self {
            Variation::CommonCause => "common cause",
            Variation::Improving => "special cause (improving)",
            Variation::Concerning => "special cause (concerning)",
            Variation::NeutralHigh => "special cause (high)",
            Variation::NeutralLow => "special cause (low)",
        }
    }
}

/// Where a target lies against the limits at the last point (METHODS-2.md §7.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assurance {
    /// The process will meet the target every period as it stands.
    ConsistentlyPass,
    /// The process will miss it every period as it stands.
    ConsistentlyFail,
    /// The target lies within the limits: the process will sometimes meet it.
    HitAndMiss,
}

impl Assurance {
    /// `consistently_pass`, `consistently_fail`, `hit_and_miss`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Assurance::ConsistentlyPass => "consistently_pass",
            Assurance::ConsistentlyFail => "consistently_fail",
            Assurance::HitAndMiss => "hit_and_miss",
        }
    }
}

/// One phase.
#[derive(Debug, Clone, PartialEq)]
pub struct Phase {
    /// Its first point.
    pub start: usize,
    /// One past its last point.
    pub end: usize,
    /// The points its limits come from (`start..end`, or the baseline).
    pub limits_from: (usize, usize),
    /// The chart of its points.
    pub chart: Chart,
    /// Fewer than [`TRIAL_POINTS`] points set its limits.
    pub trial: bool,
    /// The label of its last point.
    pub variation: Variation,
}

/// A phased chart: one entry per point, and the phases.
#[derive(Debug, Clone, PartialEq)]
pub struct PhasedChart {
    /// Each point with its phase's limits.
    pub points: Vec<ChartPoint>,
    /// Its rule hits, judged within its phase.
    pub hits: Vec<RuleHits>,
    /// Its variation.
    pub variation: Vec<Variation>,
    /// The phase of each point.
    pub phase_of: Vec<usize>,
    /// The phases, in order.
    pub phases: Vec<Phase>,
}

/// The Laney p′ chart of x over n in phases starting at `starts` (indices after 0, increasing),
/// the first phase's limits from `baseline` (inclusive indices) when given.
///
/// # Errors
///
/// [`StatsError::BaselineOutOfRange`] when the baseline or a phase start lies outside the
/// series, a phase has fewer than 2 points, or the baseline lies outside the first phase;
/// the errors of [`laney`] and [`rules`].
pub fn phased_laney(
    x: &[u64],
    n: &[u64],
    starts: &[usize],
    baseline: Option<(usize, usize)>,
    options: &SpcOptions,
    rule_options: &RuleOptions,
    improvement: Improvement,
) -> Result<PhasedChart> {
    let len = x.len();
    let mut bounds = vec![0];
    for &s in starts {
        if s <= *bounds.last().unwrap_or(&0) || s >= len {
            return Err(StatsError::BaselineOutOfRange {
                value: s,
                minimum: bounds.last().copied().unwrap_or(0) + 1,
                len,
            });
        }
        bounds.push(s);
    }
    bounds.push(len);
    let mut out = PhasedChart {
        points: Vec::with_capacity(len),
        hits: Vec::with_capacity(len),
        variation: Vec::with_capacity(len),
        phase_of: Vec::with_capacity(len),
        phases: Vec::new(),
    };
    for (k, pair) in bounds.windows(2).enumerate() {
        let (start, end) = (pair[0], pair[1]);
        if end - start < 2 {
            return Err(StatsError::BaselineOutOfRange {
                value: end - start,
                minimum: 2,
                len: end - start,
            });
        }
        let (from, to) = match baseline {
            Some((from, to)) if k == 0 => {
                if from > to || to >= end || to - from + 1 < 2 {
                    return Err(StatsError::BaselineOutOfRange {
                        value: to.saturating_sub(from) + 1,
                        minimum: 2,
                        len: end - start,
                    });
                }
                (from, to)
            }
            _ => (start, end - 1),
        };
        // The chart from the baseline's first point to the phase's end, its limits from the
        // baseline; points before the baseline take the same centre and σ_z.
        let chart = laney(
            &x[from..end],
            &n[from..end],
            &SpcOptions {
                baseline: Some(to - from + 1),
                ..*options
            },
        )?;
        let sigma_z = chart.sigma_z.unwrap_or(1.0);
        let mut points: Vec<ChartPoint> = (start..from)
            .map(|i| {
                let p = x[i] as f64 / n[i] as f64;
                let s = (chart.centre * (1.0 - chart.centre) / n[i] as f64).sqrt();
                super::proportion_point(p, chart.centre, s * sigma_z)
            })
            .collect();
        points.extend_from_slice(&chart.points);
        let hits = rules(&points, rule_options)?;
        let directions = trend_directions(&points, &hits);
        let variation: Vec<Variation> = points
            .iter()
            .zip(&hits)
            .zip(&directions)
            .map(|((p, h), &d)| label(p, h, d, improvement))
            .collect();
        let last = *variation.last().unwrap_or(&Variation::CommonCause);
        out.points.extend_from_slice(&points);
        out.hits.extend_from_slice(&hits);
        out.variation.extend_from_slice(&variation);
        out.phase_of.extend(std::iter::repeat_n(k, end - start));
        out.phases.push(Phase {
            start,
            end,
            limits_from: (from, to + 1),
            chart,
            trial: to + 1 - from < TRIAL_POINTS,
            variation: last,
        });
    }
    Ok(out)
}

/// For each point in a trend, +1 when it is in a rising run and −1 in a falling one (a point
/// in both, at a peak or trough, takes the run it ends); 0 elsewhere.
fn trend_directions(points: &[ChartPoint], hits: &[RuleHits]) -> Vec<i8> {
    (0..points.len())
        .map(|i| {
            if !hits[i].trend {
                return 0;
            }
            let rising_into = i > 0 && hits[i - 1].trend && points[i].value > points[i - 1].value;
            let falling_into = i > 0 && hits[i - 1].trend && points[i].value < points[i - 1].value;
            let rising_out =
                i + 1 < points.len() && hits[i + 1].trend && points[i + 1].value > points[i].value;
            if rising_into || (!falling_into && rising_out) {
                1
            } else {
                -1
            }
        })
        .collect()
}

/// A point's variation: the highest-priority rule it is part of, read for its side.
fn label(point: &ChartPoint, hits: &RuleHits, trend: i8, improvement: Improvement) -> Variation {
    let high = if hits.astronomical {
        Some(point.value > point.upper_3)
    } else if hits.trend {
        Some(trend > 0)
    } else if hits.two_of_three || hits.shift {
        Some(point.value > point.centre)
    } else {
        None
    };
    match (high, improvement) {
        (None, _) => Variation::CommonCause,
        (Some(true), Improvement::Higher) | (Some(false), Improvement::Lower) => {
            Variation::Improving
        }
        (Some(true), Improvement::Lower) | (Some(false), Improvement::Higher) => {
            Variation::Concerning
        }
        (Some(true), Improvement::Neutral) => Variation::NeutralHigh,
        (Some(false), Improvement::Neutral) => Variation::NeutralLow,
    }
}

/// Where `target` lies against the 3σ limits of `last` (strict comparisons), or `None` with no
/// direction of improvement.
#[must_use]
pub fn assurance(target: f64, last: &ChartPoint, improvement: Improvement) -> Option<Assurance> {
    let above = target > last.upper_3;
    let below = target < last.lower_3;
    match improvement {
        Improvement::Neutral => None,
        _ if !above && !below => Some(Assurance::HitAndMiss),
        Improvement::Lower if above => Some(Assurance::ConsistentlyPass),
        Improvement::Lower => Some(Assurance::ConsistentlyFail),
        Improvement::Higher if above => Some(Assurance::ConsistentlyFail),
        Improvement::Higher => Some(Assurance::ConsistentlyPass),
    }
}

#[cfg(test)]
mod tests;
