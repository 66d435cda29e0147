//! Funnel limits for a proportion: normal, exact (Spiegelhalter) and arcsine methods.
//!
//! A funnel limit is the range a unit with denominator n would fall in, with the stated
//! probability, if its true rate were the target θ₀ (METHODS.md §3).
//!
//! The exact (Spiegelhalter) limits are not exactly monotone in n: whole-count jumps of the
//! binomial quantile are only partly smoothed by the interpolation, so a limit can move outward
//! between neighbouring denominators, by at most 0.25/n in a scan of n up to 100,000
//! (see `funnel/tests.rs`). The normal and arcsine limits narrow monotonically.
//!
//! Invariant: every limit returned lies in [0, 1]. The normal and arcsine limits always
//! bracket θ₀; exact limits do too except at tiny expected counts, where the upper quantile
//! of the count can be 0 (e.g. n = 1, θ₀ = 0.001 at 99.8%).

use super::distribution::{binomial_pmf, binomial_tails, BinomialTails};
use super::error::{Result, StatsError};
use super::level::Level;
use super::scale::Scale;

/// How funnel limits are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FunnelMethod {
    /// Normal approximation θ₀ ± z·√(θ₀(1 − θ₀)/n), as PHE Fingertips.
    Normal,
    /// Exact binomial quantiles with Spiegelhalter's (2005a) interpolation.
    Exact,
    /// Arcsine-normal sin²(asin√θ₀ ± z·√(1/(4n) + τ²)), as FunnelPlotR and the NHS Power BI funnel visual.
    Arcsine,
}

impl FunnelMethod {
    /// The method whose limits live on the given z-score scale: arcsine → `Arcsine`, natural → `Normal`.
    ///
    /// Overdispersion-adjusted limits must use the scale on which φ and τ² were estimated.
    #[must_use]
    pub fn on_scale(scale: Scale) -> Self {
        match scale {
            Scale::Arcsine => FunnelMethod::Arcsine,
            Scale::Natural => FunnelMethod::Normal,
        }
    }
}

/// The overdispersion adjustment to apply to limits, with its estimated parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DispersionAdjustment {
    /// Plain sampling-error limits.
    None,
    /// Limits widened by √φ on the method's scale; applied only when φ > 1 (METHODS.md §5.4).
    Multiplicative {
        /// The overdispersion factor φ.
        phi: f64,
    },
    /// Additive random effects: between-unit variance τ² added to s² (METHODS.md §5.5).
    Additive {
        /// The between-unit variance τ² on the method's scale.
        tau2: f64,
    },
}

/// The lower and upper funnel limit at one denominator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FunnelLimits {
    /// The lower limit, in [0, θ₀].
    pub lower: f64,
    /// The upper limit, in [θ₀, 1].
    pub upper: f64,
}

/// The funnel limits at denominator n for target θ₀ at a two-sided `level`.
///
/// Formulas (METHODS.md §3), with z the level's normal quantile and s(n) = 1/(2√n):
///
/// ```text
/// Normal:   θ₀ ∓ z·√( k·θ₀(1 − θ₀)/n + τ² ),  clamped to [0, 1]                 (PHE Fingertips)
/// Exact:    (r_p − α)/n,  r_p = min{ r : F(r) ≥ p },  α = (F(r_p) − p)/(F(r_p) − F(r_p − 1)),
///           p = (1 − c)/2 and 1 − (1 − c)/2, F the Binomial(n, θ₀) CDF, clamped at 0  (Spiegelhalter 2005a, A.1.1)
/// Arcsine:  sin²( asin√θ₀ ∓ z·√( k·s(n)² + τ² ) ),  the angle clamped to [0, π/2]    (FunnelPlotR)
/// ```
///
/// Here k = φ for the multiplicative adjustment when φ > 1 (else 1), and τ² is 0 unless
/// the adjustment is additive. For a single denominator the arcsine angle is clamped to
/// [0, π/2] before squaring, which is where FunnelPlotR's monotonicity fix leads;
/// [`limits_on_grid`] reproduces that fix itself.
///
/// # Errors
///
/// [`StatsError::NonPositiveDenominator`] when n = 0; [`StatsError::RateOutOfRange`] when θ₀ is outside [0, 1];
/// [`StatsError::NegativeDispersion`] for φ or τ² below 0 or not finite;
/// [`StatsError::ExactNotAdjustable`] for the exact method with an adjustment other than `None`.
pub fn limits(
    method: FunnelMethod,
    theta0: f64,
    n: u64,
    level: Level,
    adjustment: DispersionAdjustment,
) -> Result<FunnelLimits> {
    let spread = Spread::new(method, theta0, adjustment)?;
    if n == 0 {
        return Err(StatsError::NonPositiveDenominator { value: 0.0 });
    }
    Ok(match method {
        FunnelMethod::Normal => normal_limits(theta0, n, level.z(), spread),
        FunnelMethod::Exact => exact_limits(theta0, n, level),
        FunnelMethod::Arcsine => {
            let (lower, upper) = arcsine_angles(theta0, n, level.z(), spread);
            FunnelLimits {
                lower: sin_squared(lower.max(0.0)),
                upper: sin_squared(upper.min(std::f64::consts::FRAC_PI_2)),
            }
        }
    })
}

/// Funnel limits along a strictly increasing grid of denominators, for drawing a funnel.
///
/// The normal and exact methods give the same values as [`limits`] at each point.
/// The arcsine method applies FunnelPlotR's monotonicity fix (METHODS.md §3.3): the
/// unclamped sin² limits are computed at every grid point, then any lower limit larger
/// than the next grid point's lower limit is set to 0 and any upper limit smaller than
/// the next grid point's upper limit is set to 1. The last grid point, which has no
/// successor, has its angle clamped to [0, π/2] instead. Include the units' own
/// denominators in the grid (see [`grid`]) so that their limits are the ones drawn.
///
/// # Errors
///
/// As [`limits`], plus [`StatsError::EmptyInput`] for an empty grid and
/// [`StatsError::GridNotIncreasing`] when the grid is not strictly increasing.
pub fn limits_on_grid(
    method: FunnelMethod,
    theta0: f64,
    grid_points: &[u64],
    level: Level,
    adjustment: DispersionAdjustment,
) -> Result<Vec<FunnelLimits>> {
    let spread = Spread::new(method, theta0, adjustment)?;
    check_grid(grid_points)?;
    match method {
        FunnelMethod::Normal => Ok(grid_points
            .iter()
            .map(|&n| normal_limits(theta0, n, level.z(), spread))
            .collect()),
        FunnelMethod::Exact => Ok(grid_points
            .iter()
            .map(|&n| exact_limits(theta0, n, level))
            .collect()),
        FunnelMethod::Arcsine => {
            let angles: Vec<(f64, f64)> = grid_points
                .iter()
                .map(|&n| arcsine_angles(theta0, n, level.z(), spread))
                .collect();
            let raw: Vec<FunnelLimits> = angles
                .iter()
                .map(|&(lower, upper)| FunnelLimits {
                    lower: sin_squared(lower),
                    upper: sin_squared(upper),
                })
                .collect();
            let mut fixed = Vec::with_capacity(raw.len());
            for (idx, current) in raw.iter().enumerate() {
                let limit = match raw.get(idx + 1) {
                    Some(next) => FunnelLimits {
                        lower: if current.lower > next.lower {
                            0.0
                        } else {
                            current.lower
                        },
                        upper: if current.upper < next.upper {
                            1.0
                        } else {
                            current.upper
                        },
                    },
                    None => {
                        let (lower, upper) = angles[idx];
                        FunnelLimits {
                            lower: sin_squared(lower.max(0.0)),
                            upper: sin_squared(upper.min(std::f64::consts::FRAC_PI_2)),
                        }
                    }
                };
                fixed.push(FunnelLimits {
                    lower: limit.lower.clamp(0.0, 1.0),
                    upper: limit.upper.clamp(0.0, 1.0),
                });
            }
            Ok(fixed)
        }
    }
}

/// Funnel limits along a grid with each point truncated as [`limits`] truncates one unit's:
/// the arcsine angle clamped to [0, π/2] before squaring, so that no limit turns back past 0
/// or 1 at small n (METHODS.md §3.3). This is what a run draws and tabulates, so the curve
/// a reader sees passes through every unit's own limits; normal and exact limits are those of
/// [`limits_on_grid`]. [`limits_on_grid`] keeps FunnelPlotR's grid fix for parity checks.
///
/// # Errors
///
/// As [`limits_on_grid`].
pub fn truncated_limits_on_grid(
    method: FunnelMethod,
    theta0: f64,
    grid_points: &[u64],
    level: Level,
    adjustment: DispersionAdjustment,
) -> Result<Vec<FunnelLimits>> {
    match method {
        FunnelMethod::Arcsine => {
            Spread::new(method, theta0, adjustment)?;
            check_grid(grid_points)?;
            grid_points
                .iter()
                .map(|&n| limits(method, theta0, n, level, adjustment))
                .collect()
        }
        _ => limits_on_grid(method, theta0, grid_points, level, adjustment),
    }
}

/// Funnel limits along a grid at several levels at once: one vector of limits per level,
/// in the order of `levels`.
///
/// The values are those of [`limits_on_grid`] for each level. For the exact method the work is
/// shared: at each denominator the quantiles of the widest level are found first and the
/// narrower levels continue the same walk inward, which roughly halves the cost of two levels.
///
/// # Errors
///
/// As [`limits_on_grid`], plus [`StatsError::EmptyInput`] when `levels` is empty.
pub fn limits_on_grid_at_levels(
    method: FunnelMethod,
    theta0: f64,
    grid_points: &[u64],
    levels: &[Level],
    adjustment: DispersionAdjustment,
) -> Result<Vec<Vec<FunnelLimits>>> {
    if levels.is_empty() {
        return Err(StatsError::EmptyInput { what: "levels" });
    }
    if method != FunnelMethod::Exact {
        return levels
            .iter()
            .map(|&level| limits_on_grid(method, theta0, grid_points, level, adjustment))
            .collect();
    }
    Spread::new(method, theta0, adjustment)?;
    check_grid(grid_points)?;
    // Widest level first, remembering where each came from.
    let mut order: Vec<usize> = (0..levels.len()).collect();
    order.sort_by(|&a, &b| levels[b].confidence().total_cmp(&levels[a].confidence()));
    let sorted: Vec<Level> = order.iter().map(|&idx| levels[idx]).collect();
    let unset = FunnelLimits {
        lower: theta0,
        upper: theta0,
    };
    let mut out = vec![Vec::with_capacity(grid_points.len()); levels.len()];
    let mut at_n = vec![unset; levels.len()];
    for &n in grid_points {
        exact_limits_nested(theta0, n, &sorted, &mut at_n);
        for (position, &idx) in order.iter().enumerate() {
            out[idx].push(at_n[position]);
        }
    }
    Ok(out)
}

/// A plotting grid: `points` denominators spaced geometrically from `min` to `max`,
/// rounded to integers, merged with the units' own denominators `include`,
/// sorted and with duplicates removed.
///
/// # Errors
///
/// [`StatsError::NonPositiveDenominator`] when `min` or any included denominator is 0;
/// [`StatsError::GridNotIncreasing`] when `max` < `min`; [`StatsError::EmptyInput`] when `points` < 2.
pub fn grid(min: u64, max: u64, points: usize, include: &[u64]) -> Result<Vec<u64>> {
    if min == 0 {
        return Err(StatsError::NonPositiveDenominator { value: 0.0 });
    }
    if max < min {
        return Err(StatsError::GridNotIncreasing {
            index: 1,
            previous: min,
            value: max,
        });
    }
    if points < 2 {
        return Err(StatsError::EmptyInput {
            what: "grid (at least 2 points)",
        });
    }
    if let Some(idx) = include.iter().position(|&n| n == 0) {
        return Err(StatsError::NonPositiveDenominator { value: 0.0 }.at_unit(idx));
    }
    let (log_min, log_max) = ((min as f64).ln(), (max as f64).ln());
    let step = (log_max - log_min) / ((points - 1) as f64);
    let mut out: Vec<u64> = (0..points)
        .map(|idx| {
            let value = (log_min + step * idx as f64).exp().round();
            // Rounding can stray one unit past the ends; keep inside [min, max].
            (value as u64).clamp(min, max)
        })
        .collect();
    out.extend_from_slice(include);
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// The pooled target θ₀ = Σx / Σn (METHODS.md §1): the ratio of totals, not the mean of rates.
///
/// # Errors
///
/// [`StatsError::EmptyInput`] for no units, [`StatsError::LengthMismatch`] when the slices differ in length,
/// and the per-unit count errors (wrapped in [`StatsError::Unit`]) when some n = 0 or x > n.
pub fn pooled_target(x: &[u64], n: &[u64]) -> Result<f64> {
    check_units(x, n)?;
    let total_x: f64 = x.iter().map(|&v| v as f64).sum();
    let total_n: f64 = n.iter().map(|&v| v as f64).sum();
    Ok(total_x / total_n)
}

pub(crate) use super::proportion::check_units;

/// Checks a target rate: finite and in [0, 1].
pub(crate) fn check_target(theta0: f64) -> Result<()> {
    if (0.0..=1.0).contains(&theta0) {
        Ok(())
    } else {
        Err(StatsError::RateOutOfRange { value: theta0 })
    }
}

fn check_grid(grid_points: &[u64]) -> Result<()> {
    if grid_points.is_empty() {
        return Err(StatsError::EmptyInput { what: "grid" });
    }
    if let Some(idx) = grid_points.iter().position(|&n| n == 0) {
        return Err(StatsError::NonPositiveDenominator { value: 0.0 }.at_unit(idx));
    }
    for idx in 1..grid_points.len() {
        if grid_points[idx] <= grid_points[idx - 1] {
            return Err(StatsError::GridNotIncreasing {
                index: idx,
                previous: grid_points[idx - 1],
                value: grid_points[idx],
            });
        }
    }
    Ok(())
}

/// The validated widening applied to the sampling variance: variance · factor + tau2.
#[derive(Debug, Clone, Copy)]
struct Spread {
    factor: f64,
    tau2: f64,
}

impl Spread {
    fn new(method: FunnelMethod, theta0: f64, adjustment: DispersionAdjustment) -> Result<Self> {
        check_target(theta0)?;
        match adjustment {
            DispersionAdjustment::None => Ok(Spread {
                factor: 1.0,
                tau2: 0.0,
            }),
            _ if method == FunnelMethod::Exact => Err(StatsError::ExactNotAdjustable),
            DispersionAdjustment::Multiplicative { phi } => {
                if !(phi.is_finite() && phi >= 0.0) {
                    return Err(StatsError::NegativeDispersion {
                        what: "phi",
                        value: phi,
                    });
                }
                // METHODS.md §5.4: the multiplicative adjustment only ever widens.
                Ok(Spread {
                    factor: phi.max(1.0),
                    tau2: 0.0,
                })
            }
            DispersionAdjustment::Additive { tau2 } => {
                if !(tau2.is_finite() && tau2 >= 0.0) {
                    return Err(StatsError::NegativeDispersion {
                        what: "tau2",
                        value: tau2,
                    });
                }
                Ok(Spread { factor: 1.0, tau2 })
            }
        }
    }
}

fn normal_limits(theta0: f64, n: u64, z: f64, spread: Spread) -> FunnelLimits {
    let variance = theta0 * (1.0 - theta0) / n as f64;
    let half_width = z * (spread.factor * variance + spread.tau2).sqrt();
    FunnelLimits {
        lower: (theta0 - half_width).clamp(0.0, 1.0),
        upper: (theta0 + half_width).clamp(0.0, 1.0),
    }
}

/// The unclamped arcsine angles y₀ ∓ z·√(k·s² + τ²).
fn arcsine_angles(theta0: f64, n: u64, z: f64, spread: Spread) -> (f64, f64) {
    let y0 = theta0.sqrt().asin();
    let s2 = 0.25 / n as f64;
    let half_width = z * (spread.factor * s2 + spread.tau2).sqrt();
    (y0 - half_width, y0 + half_width)
}

fn sin_squared(angle: f64) -> f64 {
    let s = angle.sin();
    s * s
}

fn exact_limits(theta0: f64, n: u64, level: Level) -> FunnelLimits {
    let mut out = [FunnelLimits {
        lower: theta0,
        upper: theta0,
    }];
    exact_limits_nested(theta0, n, &[level], &mut out);
    out[0]
}

/// Exact limits at several levels for one n, the widest level first in `levels`.
///
/// Each tail's quantile for the widest level is found once; the narrower levels continue the
/// same walk inward, one count at a time, which costs about a sixth of a fresh tail sum.
fn exact_limits_nested(theta0: f64, n: u64, levels: &[Level], out: &mut [FunnelLimits]) {
    // A target of exactly 0 or 1 has no sampling variation: every unit would show θ₀.
    // The interpolation formula would otherwise place the limits a fraction of 1/n
    // away from θ₀, on the wrong side of it.
    if theta0 <= 0.0 || theta0 >= 1.0 {
        out.iter_mut().for_each(|limit| {
            *limit = FunnelLimits {
                lower: theta0,
                upper: theta0,
            }
        });
        return;
    }
    let Some(widest) = levels.first() else {
        return;
    };
    let z = widest.z();
    let tails: Vec<f64> = levels.iter().map(Level::tail_probability).collect();
    let mut values = vec![0.0; levels.len()];
    spiegelhalter_limits(n, theta0, &tails, z, Tail::Lower, &mut values);
    for (limit, value) in out.iter_mut().zip(&values) {
        limit.lower = value.clamp(0.0, 1.0);
    }
    spiegelhalter_limits(n, theta0, &tails, z, Tail::Upper, &mut values);
    for (limit, value) in out.iter_mut().zip(&values) {
        limit.upper = value.clamp(0.0, 1.0);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tail {
    /// p = a: the lower limit.
    Lower,
    /// p = 1 − a: the upper limit.
    Upper,
}

/// Spiegelhalter's interpolated binomial quantiles (r_p − α)/n for p = a (lower) or 1 − a (upper),
/// for one-sided tail probabilities a in `tail_probs`, smallest (widest level) first; `z` is the
/// normal quantile of the first. Results go to `out` in the same order.
///
/// r_p for the first probability is found from a Cornish–Fisher starting point, moved in steps
/// that each recompute the CDF directly until it sits on the safe side, then walked one count at
/// a time by adding probabilities (never subtracting them), so the CDF values used in α keep
/// full precision. The later, larger probabilities continue the walk inward. For the upper tail
/// F(r) ≥ 1 − a is tested as P(X > r) ≤ a, and F(r_p) − (1 − a) is computed as a − P(X > r_p),
/// avoiding cancellation near 1.
fn spiegelhalter_limits(
    n: u64,
    theta0: f64,
    tail_probs: &[f64],
    z: f64,
    tail: Tail,
    out: &mut [f64],
) {
    let Some(&first_prob) = tail_probs.first() else {
        return;
    };
    let n_f = n as f64;
    let sd = (n_f * theta0 * (1.0 - theta0)).sqrt();
    let z_p = match tail {
        Tail::Lower => -z,
        Tail::Upper => z,
    };
    // Cornish–Fisher: the normal quantile corrected for skewness (1 − 2θ₀)/sd.
    let skew = (1.0 - 2.0 * theta0) / sd;
    let start = n_f * theta0 + sd * (z_p + (z_p * z_p - 1.0) * skew / 6.0) - 0.5;
    let clamp = |value: f64| -> u64 { value.clamp(0.0, n_f) as u64 };
    let odds_up = theta0 / (1.0 - theta0);
    let odds_down = (1.0 - theta0) / theta0;

    match tail {
        Tail::Lower => {
            let reached = |t: &BinomialTails, a: f64| t.lower >= a;
            // Start below r_p (where F(r) < a) so the walk only ever adds mass to F.
            let mut step = 2.0;
            let mut r = clamp(start.floor() - 1.0);
            let mut tails = binomial_tails(r, n, theta0);
            while reached(&tails, first_prob) && r > 0 {
                r = clamp(r as f64 - step);
                tails = binomial_tails(r, n, theta0);
                step *= 2.0;
            }
            let mut pmf = binomial_pmf(r, n, theta0);
            let mut fresh = true;
            for (slot, &a) in out.iter_mut().zip(tail_probs) {
                while !reached(&tails, a) && r < n {
                    // P(X = r + 1) = P(X = r) · (n − r)/(r + 1) · θ/(1 − θ); the first step
                    // is computed directly.
                    pmf = if fresh {
                        binomial_pmf(r + 1, n, theta0)
                    } else {
                        pmf * ((n - r) as f64) / ((r + 1) as f64) * odds_up
                    };
                    fresh = false;
                    r += 1;
                    tails.lower += pmf;
                }
                *slot = interpolate(r, n_f, tails.lower - a, pmf);
            }
        }
        Tail::Upper => {
            let reached = |t: &BinomialTails, a: f64| t.upper <= a;
            // Start at or above r_p (where P(X > r) ≤ a) so the walk only ever adds mass to P(X > r).
            let mut step = 2.0;
            let mut r = clamp(start.ceil() + 1.0);
            let mut tails = binomial_tails(r, n, theta0);
            while !reached(&tails, first_prob) && r < n {
                r = clamp(r as f64 + step);
                tails = binomial_tails(r, n, theta0);
                step *= 2.0;
            }
            let mut pmf = binomial_pmf(r, n, theta0);
            let mut fresh = true;
            for (slot, &a) in out.iter_mut().zip(tail_probs) {
                // Walk down while r − 1 still satisfies P(X > r − 1) = P(X > r) + P(X = r) ≤ a.
                while r > 0 && tails.upper + pmf <= a {
                    tails.upper += pmf;
                    // P(X = r − 1) = P(X = r) · r/(n − r + 1) · (1 − θ)/θ; the first step is
                    // computed directly.
                    pmf = if fresh {
                        binomial_pmf(r - 1, n, theta0)
                    } else {
                        pmf * (r as f64) / ((n - r + 1) as f64) * odds_down
                    };
                    fresh = false;
                    r -= 1;
                }
                *slot = interpolate(r, n_f, a - tails.upper, pmf);
            }
        }
    }
}

/// (r − α)/n with α = excess / P(X = r), where excess = F(r) − p.
fn interpolate(r: u64, n_f: f64, excess: f64, pmf_at_r: f64) -> f64 {
    if pmf_at_r <= 0.0 {
        // Only if the mass at r_p underflows, far beyond any level in use: no interpolation.
        return r as f64 / n_f;
    }
    (r as f64 - excess / pmf_at_r) / n_f
}

#[cfg(test)]
mod tests;
