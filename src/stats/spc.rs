//! Statistical process control over time: p-chart, Laney p′ chart, XmR chart and the special-cause rules.
//!
//! Invariant: each chart returns one [`ChartPoint`] per input point, in order, with the centre
//! and the k = 2 and k = 3 limits at that point; proportion limits are clamped to [0, 1].
//! In SPC k = 2 and k = 3 are exact multiples of σ, unlike the 95%/99.8% funnel levels (METHODS.md §1).

use super::error::{Result, StatsError};
use super::funnel::check_units;

pub mod phases;

/// d₂ for moving ranges of two points: σ̂ = M̄R / d₂ (Nelson 1982).
pub const D2: f64 = 1.128;
/// D₄ for moving ranges of two points: the upper limit of the moving-range chart, used to screen ranges.
pub const D4: f64 = 3.267;
/// The XmR limit multiplier 3/d₂, as published and used by "Making Data Count" (2.66 · M̄R).
pub const XMR_LIMIT_FACTOR: f64 = 2.66;

/// How a chart's centre and spread are estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpcOptions {
    /// Use only the first m points for the centre and the moving ranges (a fixed baseline); `None` uses all.
    pub baseline: Option<usize>,
    /// Drop moving ranges ≥ D₄ · M̄R and recompute M̄R once (on by default; the MDC Excel tool does not screen).
    pub screen_moving_ranges: bool,
}

impl SpcOptions {
    /// All points as the baseline, with moving-range screening on (METHODS.md §9 "We adopt").
    #[must_use]
    pub fn standard() -> Self {
        SpcOptions {
            baseline: None,
            screen_moving_ranges: true,
        }
    }
}

/// One point of a control chart with its limits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChartPoint {
    /// The plotted value (a rate for p and p′ charts).
    pub value: f64,
    /// The centre line.
    pub centre: f64,
    /// σ at this point (for XmR, 2.66·M̄R/3, so that the limits are centre ± kσ).
    pub sigma: f64,
    /// centre − 3σ (clamped to [0, 1] for proportions).
    pub lower_3: f64,
    /// centre − 2σ.
    pub lower_2: f64,
    /// centre + 2σ.
    pub upper_2: f64,
    /// centre + 3σ.
    pub upper_3: f64,
}

/// A control chart: its centre, per-point limits and the spread estimates behind them.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// The centre line (p̄ or x̄ over the baseline).
    pub centre: f64,
    /// One entry per input point.
    pub points: Vec<ChartPoint>,
    /// M̄R after any screening (Laney: of the z-scores; XmR: of the values); `None` for the p-chart.
    pub mean_moving_range: Option<f64>,
    /// Laney's σ_z = M̄R/d₂; `None` for the other charts.
    pub sigma_z: Option<f64>,
    /// How many moving ranges screening removed.
    pub moving_ranges_screened: usize,
}

/// A p-chart (METHODS.md §9.1; PowerBI-SPC).
///
/// ```text
/// p̄ = ΣO_t / Σn_t (over the baseline),   σ_t = √( p̄(1 − p̄)/n_t ),   limits p̄ ± k·σ_t, clamped to [0, 1]
/// ```
///
/// # Errors
///
/// The unit-count errors ([`StatsError::EmptyInput`], [`StatsError::LengthMismatch`], wrapped count errors)
/// and [`StatsError::BaselineOutOfRange`].
pub fn p_chart(x: &[u64], n: &[u64], options: &SpcOptions) -> Result<Chart> {
    check_units(x, n)?;
    let m = baseline_len(x.len(), options.baseline, 1)?;
    let centre = pooled(&x[..m], &n[..m]);
    let points = x
        .iter()
        .zip(n)
        .map(|(&xi, &ni)| {
            let sigma = (centre * (1.0 - centre) / ni as f64).sqrt();
            proportion_point(xi as f64 / ni as f64, centre, sigma)
        })
        .collect();
    Ok(Chart {
        centre,
        points,
        mean_moving_range: None,
        sigma_z: None,
        moving_ranges_screened: 0,
    })
}

/// A Laney p′ chart (Laney 2002; METHODS.md §9.2).
///
/// ```text
/// z_t = (p_t − p̄)/σ_t,   MR_t = |z_t − z_{t−1}|,   M̄R = mean of MR_t over the baseline
/// screening: drop MR_t ≥ 3.267·M̄R, recompute M̄R once
/// σ_z = M̄R / 1.128,   limits p̄ ± k·σ_t·σ_z, clamped to [0, 1]
/// ```
///
/// # Errors
///
/// As [`p_chart`], plus [`StatsError::TooFewUnits`] for fewer than 2 points and
/// [`StatsError::DegenerateTarget`] when p̄ is 0 or 1 (σ_t would be 0).
pub fn laney(x: &[u64], n: &[u64], options: &SpcOptions) -> Result<Chart> {
    check_units(x, n)?;
    if x.len() < 2 {
        return Err(StatsError::TooFewUnits {
            needed: 2,
            got: x.len(),
        });
    }
    let m = baseline_len(x.len(), options.baseline, 2)?;
    let centre = pooled(&x[..m], &n[..m]);
    if centre <= 0.0 || centre >= 1.0 {
        return Err(StatsError::DegenerateTarget { value: centre });
    }
    let sigmas: Vec<f64> = n
        .iter()
        .map(|&ni| (centre * (1.0 - centre) / ni as f64).sqrt())
        .collect();
    let rates: Vec<f64> = x
        .iter()
        .zip(n)
        .map(|(&xi, &ni)| xi as f64 / ni as f64)
        .collect();
    let z: Vec<f64> = rates
        .iter()
        .zip(&sigmas)
        .map(|(p, s)| (p - centre) / s)
        .collect();
    let (mean_mr, screened) = mean_moving_range(&z[..m], options.screen_moving_ranges);
    let sigma_z = mean_mr / D2;
    let points = rates
        .iter()
        .zip(&sigmas)
        .map(|(&p, &s)| proportion_point(p, centre, s * sigma_z))
        .collect();
    Ok(Chart {
        centre,
        points,
        mean_moving_range: Some(mean_mr),
        sigma_z: Some(sigma_z),
        moving_ranges_screened: screened,
    })
}

/// An XmR (individuals) chart (METHODS.md §9.3; NHSRplotthedots, "Making Data Count").
///
/// ```text
/// x̄ = mean of y (over the baseline),   MR_t = |y_t − y_{t−1}|,   M̄R = mean of MR_t over the baseline
/// screening (optional): drop MR_t ≥ 3.267·M̄R, recompute M̄R once
/// limits x̄ ± 2.66·M̄R;   2σ limits x̄ ± (2/3)·2.66·M̄R
/// ```
///
/// # Errors
///
/// [`StatsError::TooFewUnits`] for fewer than 2 points, [`StatsError::NonFinite`] (wrapped in
/// [`StatsError::Unit`]) for a NaN or infinite value, [`StatsError::BaselineOutOfRange`].
pub fn xmr(y: &[f64], options: &SpcOptions) -> Result<Chart> {
    if y.len() < 2 {
        return Err(StatsError::TooFewUnits {
            needed: 2,
            got: y.len(),
        });
    }
    if let Some(idx) = y.iter().position(|v| !v.is_finite()) {
        return Err(StatsError::NonFinite {
            what: "value",
            value: y[idx],
        }
        .at_unit(idx));
    }
    let m = baseline_len(y.len(), options.baseline, 2)?;
    let centre = y[..m].iter().sum::<f64>() / m as f64;
    let (mean_mr, screened) = mean_moving_range(&y[..m], options.screen_moving_ranges);
    let sigma = XMR_LIMIT_FACTOR * mean_mr / 3.0;
    let three = XMR_LIMIT_FACTOR * mean_mr;
    let two = 2.0 / 3.0 * XMR_LIMIT_FACTOR * mean_mr;
    let points = y
        .iter()
        .map(|&value| ChartPoint {
            value,
            centre,
            sigma,
            lower_3: centre - three,
            lower_2: centre - two,
            upper_2: centre + two,
            upper_3: centre + three,
        })
        .collect();
    Ok(Chart {
        centre,
        points,
        mean_moving_range: Some(mean_mr),
        sigma_z: None,
        moving_ranges_screened: screened,
    })
}

/// Which points the two-of-three rule counts as beyond 2σ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TwoOfThree {
    /// Every point beyond 2σ, including those beyond 3σ: the NHS "Making Data Count" rule as
    /// its team announced it in November 2023 (the default).
    #[default]
    MakingDataCount,
    /// Only points beyond 2σ and not beyond 3σ, as NHSRplotthedots 0.2 still counts them.
    NhsrPlotTheDots02,
}

/// Lengths for the run rules, and the two-of-three rule's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleOptions {
    /// Points in a run on one side of the centre that make a shift (7 by default; the MDC tool allows 6).
    pub shift_length: usize,
    /// Points in a strictly monotone run that make a trend (7 by default; PowerBI-SPC uses 5).
    pub trend_length: usize,
    /// Whether two-of-three counts points beyond 3σ.
    pub two_of_three: TwoOfThree,
}

impl RuleOptions {
    /// Shift and trend lengths of 7 and the Making Data Count two-of-three rule (METHODS.md §9.4).
    #[must_use]
    pub fn standard() -> Self {
        RuleOptions {
            shift_length: 7,
            trend_length: 7,
            two_of_three: TwoOfThree::MakingDataCount,
        }
    }
}

/// Which special-cause rules a point is part of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RuleHits {
    /// Strictly beyond a 3σ limit.
    pub astronomical: bool,
    /// Part of a run of at least `shift_length` points strictly on one side of the centre.
    pub shift: bool,
    /// Part of a run of at least `trend_length` points each strictly above (or below) the one before.
    pub trend: bool,
    /// Beyond 2σ (and, under [`TwoOfThree::NhsrPlotTheDots02`], not beyond 3σ) in a window of
    /// three points on one side of the centre where at least two are beyond 2σ on that side.
    pub two_of_three: bool,
}

impl RuleHits {
    /// Whether any rule hit this point.
    #[must_use]
    pub fn any(&self) -> bool {
        self.astronomical || self.shift || self.trend || self.two_of_three
    }
}

/// The special-cause rules for each point of a chart (METHODS.md §9.4).
///
/// - Astronomical: value > upper_3 or value < lower_3.
/// - Shift: a run of ≥ `shift_length` consecutive points strictly on one side of the centre;
///   a point exactly on the centre breaks the run. Every point of the run is flagged.
/// - Trend: a run of ≥ `trend_length` consecutive points, each strictly higher (or each strictly
///   lower) than the one before; a tie breaks the run. Every point of the run is flagged.
/// - Two of three: in any three consecutive points all strictly on one side of the centre,
///   if at least two lie beyond 2σ on that side (value > upper_2, or value < lower_2), those
///   points are flagged. Points beyond 3σ count (Making Data Count, 2023), unless
///   [`TwoOfThree::NhsrPlotTheDots02`] asks for the near-limit zone alone
///   (upper_2 < value ≤ upper_3, or lower_3 ≤ value < lower_2).
///
/// # Errors
///
/// [`StatsError::RuleLengthTooShort`] when a length is below 2.
pub fn rules(points: &[ChartPoint], options: &RuleOptions) -> Result<Vec<RuleHits>> {
    if options.shift_length < 2 {
        return Err(StatsError::RuleLengthTooShort {
            rule: "shift",
            value: options.shift_length,
        });
    }
    if options.trend_length < 2 {
        return Err(StatsError::RuleLengthTooShort {
            rule: "trend",
            value: options.trend_length,
        });
    }
    let len = points.len();
    let mut hits = vec![RuleHits::default(); len];
    for (hit, point) in hits.iter_mut().zip(points) {
        hit.astronomical = point.value > point.upper_3 || point.value < point.lower_3;
    }

    // Shift: runs of equal, non-zero side.
    let sides: Vec<i8> = points.iter().map(side).collect();
    for (start, end) in runs(len, |a, b| sides[a] != 0 && sides[a] == sides[b]) {
        if sides[start] != 0 && end - start >= options.shift_length {
            hits[start..end].iter_mut().for_each(|h| h.shift = true);
        }
    }

    // Trend: runs where each step goes the same strict direction.
    for direction in [1_i8, -1] {
        let step = |a: usize, b: usize| -> bool {
            let (prev, next) = (points[a].value, points[b].value);
            if direction > 0 {
                next > prev
            } else {
                next < prev
            }
        };
        let mut start = 0;
        for idx in 1..=len {
            if idx == len || !step(idx - 1, idx) {
                if idx - start >= options.trend_length {
                    hits[start..idx].iter_mut().for_each(|h| h.trend = true);
                }
                start = idx;
            }
        }
    }

    // Two of three beyond 2σ on the same side.
    for window_start in 0..len.saturating_sub(2) {
        let window = window_start..window_start + 3;
        let side_of_window = sides[window_start];
        if side_of_window == 0 || window.clone().any(|idx| sides[idx] != side_of_window) {
            continue;
        }
        let near: Vec<usize> = window
            .filter(|&idx| beyond_two_sigma(&points[idx], side_of_window, options.two_of_three))
            .collect();
        if near.len() >= 2 {
            for idx in near {
                hits[idx].two_of_three = true;
            }
        }
    }
    Ok(hits)
}

/// +1 strictly above the centre, −1 strictly below, 0 on it.
fn side(point: &ChartPoint) -> i8 {
    if point.value > point.centre {
        1
    } else if point.value < point.centre {
        -1
    } else {
        0
    }
}

/// Beyond 2σ on the window's side; under [`TwoOfThree::NhsrPlotTheDots02`] also not beyond 3σ.
fn beyond_two_sigma(point: &ChartPoint, side_of_window: i8, rule: TwoOfThree) -> bool {
    let within_three = match rule {
        TwoOfThree::MakingDataCount => true,
        TwoOfThree::NhsrPlotTheDots02 if side_of_window > 0 => point.value <= point.upper_3,
        TwoOfThree::NhsrPlotTheDots02 => point.value >= point.lower_3,
    };
    within_three
        && if side_of_window > 0 {
            point.value > point.upper_2
        } else {
            point.value < point.lower_2
        }
}

/// Maximal runs [start, end) of consecutive indices where `same(i − 1, i)` holds for each step.
fn runs(len: usize, same: impl Fn(usize, usize) -> bool) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for idx in 1..=len {
        if idx == len || !same(idx - 1, idx) {
            out.push((start, idx));
            start = idx;
        }
    }
    out
}

fn proportion_point(value: f64, centre: f64, sigma: f64) -> ChartPoint {
    let clamp = |v: f64| v.clamp(0.0, 1.0);
    ChartPoint {
        value,
        centre,
        sigma,
        lower_3: clamp(centre - 3.0 * sigma),
        lower_2: clamp(centre - 2.0 * sigma),
        upper_2: clamp(centre + 2.0 * sigma),
        upper_3: clamp(centre + 3.0 * sigma),
    }
}

fn pooled(x: &[u64], n: &[u64]) -> f64 {
    let total_x: f64 = x.iter().map(|&v| v as f64).sum();
    let total_n: f64 = n.iter().map(|&v| v as f64).sum();
    total_x / total_n
}

fn baseline_len(len: usize, baseline: Option<usize>, minimum: usize) -> Result<usize> {
    match baseline {
        None => Ok(len),
        Some(m) if m >= minimum && m <= len => Ok(m),
        Some(m) => Err(StatsError::BaselineOutOfRange {
            value: m,
            minimum,
            len,
        }),
    }
}

/// The mean moving range of `values`, optionally screened once; returns (M̄R, number screened out).
fn mean_moving_range(values: &[f64], screen: bool) -> (f64, usize) {
    let ranges: Vec<f64> = values.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
    let mean = ranges.iter().sum::<f64>() / ranges.len() as f64;
    if !screen || mean <= 0.0 {
        return (mean, 0);
    }
    let cut = D4 * mean;
    let kept: Vec<f64> = ranges.iter().copied().filter(|&r| r < cut).collect();
    // At least one range is ≤ the mean < cut, so `kept` is never empty.
    let screened = ranges.len() - kept.len();
    (kept.iter().sum::<f64>() / kept.len() as f64, screened)
}

#[cfg(test)]
mod tests;
