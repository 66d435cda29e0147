//! Indirect standardisation for offence mix: expected count, observed/expected ratio,
//! its interval, and the split of the excess into offence mix and the unexplained rest.
//!
//! Invariant: the split is exact, O − n·θ₀ = (E − n·θ₀) + (O − E), overall and summed over
//! strata (METHODS.md §8.3), up to floating-point rounding.

use super::distribution::chi_squared_quantile;
use super::error::{Result, StatsError};
use super::flags::{classify_z, Flag};
use super::level::{FlagLevels, Level};
use super::proportion::{check_counts, Interval};

/// One offence stratum of one unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stratum {
    /// The unit's outcome count O_j in the stratum.
    pub observed: u64,
    /// The unit's denominator n_j in the stratum (0 allowed: the stratum then contributes nothing).
    pub denominator: u64,
    /// The reference rate r_j for the stratum (Σ O_ij / Σ n_ij over the comparison set), in [0, 1].
    pub reference_rate: f64,
}

/// How the interval for a count was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CountIntervalMethod {
    /// Exact Poisson, via χ² quantiles; used when O < 10.
    Exact,
    /// Byar's approximation; used when O ≥ 10.
    Byar,
}

/// A per-stratum line of the excess decomposition.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StratumSplit {
    /// The expected count n_j · r_j.
    pub expected: f64,
    /// The offence-mix part n_j · (r_j − θ₀).
    pub mix: f64,
    /// The part not explained by mix, O_j − n_j · r_j.
    pub unexplained: f64,
}

/// The indirect standardisation of one unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Standardised {
    /// O = Σ O_j.
    pub observed: u64,
    /// n = Σ n_j.
    pub denominator: u64,
    /// E = Σ n_j · r_j.
    pub expected: f64,
    /// The ratio O/E (PHE multiplies it by 100; we do not).
    pub ratio: f64,
    /// The interval for O/E: CI(O)/E.
    pub ratio_interval: Interval,
    /// The method used for CI(O).
    pub interval_method: CountIntervalMethod,
    /// The standardised rate (O/E)·θ₀.
    pub standardised_rate: f64,
    /// The gap to the plain national expectation, O − n·θ₀.
    pub gap: f64,
    /// The offence-mix part of the gap, E − n·θ₀.
    pub mix: f64,
    /// The excess not explained by offence mix, O − E.
    pub excess: f64,
    /// The same split per stratum, in input order.
    pub strata: Vec<StratumSplit>,
}

/// Indirectly standardises one unit's strata against reference stratum rates (METHODS.md §8).
///
/// ```text
/// E = Σ_j n_j · r_j,   ratio = O/E,   interval = CI(O)/E
/// O − n·θ₀ = (E − n·θ₀) + (O − E);   mix_j = n_j (r_j − θ₀),   unexplained_j = O_j − n_j r_j
/// ```
///
/// CI(O) is the exact Poisson interval for O < 10 and Byar's otherwise (PHEindicatormethods
/// `calculate_ISRatio`); see [`count_interval`]. θ₀ is the overall reference rate.
///
/// # Errors
///
/// [`StatsError::EmptyInput`] for no strata; per-stratum errors wrapped in [`StatsError::Unit`]
/// (O_j > n_j, or r_j outside [0, 1]); [`StatsError::RateOutOfRange`] for θ₀ outside [0, 1];
/// [`StatsError::NonPositiveExpected`] when E = 0.
pub fn indirect(strata: &[Stratum], theta0: f64, level: Level) -> Result<Standardised> {
    if strata.is_empty() {
        return Err(StatsError::EmptyInput { what: "strata" });
    }
    if !(0.0..=1.0).contains(&theta0) {
        return Err(StatsError::RateOutOfRange { value: theta0 });
    }
    for (idx, stratum) in strata.iter().enumerate() {
        check_stratum(stratum).map_err(|err| err.at_unit(idx))?;
    }
    let observed: u64 = strata.iter().map(|s| s.observed).sum();
    let denominator: u64 = strata.iter().map(|s| s.denominator).sum();
    let splits: Vec<StratumSplit> = strata
        .iter()
        .map(|s| {
            let n_j = s.denominator as f64;
            let expected = n_j * s.reference_rate;
            StratumSplit {
                expected,
                mix: n_j * (s.reference_rate - theta0),
                unexplained: s.observed as f64 - expected,
            }
        })
        .collect();
    let expected: f64 = splits.iter().map(|s| s.expected).sum();
    if expected <= 0.0 {
        return Err(StatsError::NonPositiveExpected { value: expected });
    }
    let (count_ci, interval_method) = count_interval(observed, level);
    let ratio = observed as f64 / expected;
    let national = denominator as f64 * theta0;
    Ok(Standardised {
        observed,
        denominator,
        expected,
        ratio,
        ratio_interval: Interval {
            lower: count_ci.lower / expected,
            upper: count_ci.upper / expected,
        },
        interval_method,
        standardised_rate: ratio * theta0,
        gap: observed as f64 - national,
        mix: expected - national,
        excess: observed as f64 - expected,
        strata: splits,
    })
}

/// The interval for a Poisson count O: exact when O < 10, Byar's otherwise (METHODS.md §8.1).
#[must_use]
pub fn count_interval(observed: u64, level: Level) -> (Interval, CountIntervalMethod) {
    if observed < BYAR_THRESHOLD {
        (
            exact_count_interval(observed, level),
            CountIntervalMethod::Exact,
        )
    } else {
        (byar_interval(observed, level), CountIntervalMethod::Byar)
    }
}

/// Counts from which Byar's approximation replaces the exact interval (PHEindicatormethods).
pub const BYAR_THRESHOLD: u64 = 10;

/// The exact Poisson interval for a count O, with α = 1 − c.
///
/// ```text
/// L = qχ²(α/2; 2O)/2   (0 when O = 0),   U = qχ²(1 − α/2; 2O + 2)/2
/// ```
#[must_use]
pub fn exact_count_interval(observed: u64, level: Level) -> Interval {
    let tail = level.tail_probability();
    let o = observed as f64;
    // The tail is in (0, 0.5) and the degrees of freedom positive, so the quantiles exist.
    let lower = if observed == 0 {
        0.0
    } else {
        chi_squared_quantile(2.0 * o, tail).map_or(0.0, |q| q / 2.0)
    };
    let upper = chi_squared_quantile(2.0 * o + 2.0, 1.0 - tail).map_or(f64::INFINITY, |q| q / 2.0);
    Interval { lower, upper }
}

/// Byar's approximate interval for a count O (Breslow & Day 1987), clamped below at 0.
///
/// ```text
/// L = O · (1 − 1/(9O) − z/(3√O))³
/// U = (O + 1) · (1 − 1/(9(O + 1)) + z/(3√(O + 1)))³
/// ```
///
/// At O = 0 the lower end is 0. PHE sets a negative lower end to NA; we clamp it to 0.
#[must_use]
pub fn byar_interval(observed: u64, level: Level) -> Interval {
    let z = level.z();
    let o = observed as f64;
    let lower = if observed == 0 {
        0.0
    } else {
        o * (1.0 - 1.0 / (9.0 * o) - z / (3.0 * o.sqrt())).powi(3)
    };
    let o1 = o + 1.0;
    let upper = o1 * (1.0 - 1.0 / (9.0 * o1) + z / (3.0 * o1.sqrt())).powi(3);
    Interval {
        lower: lower.max(0.0),
        upper,
    }
}

/// The ratio funnel's limits at an expected count E from a record-level model, as ratios
/// O/E: 1 ∓ z·√(k/E), the lower clamped at 0, where k = Σ μ̂(1 − μ̂) / Σ μ̂ over the crimes
/// of the fit. Under the model, O is a sum of independent Bernoulli(μ̂) with variance
/// Σ μ̂(1 − μ̂); the funnel takes each unit's variance as k·E (its share of the whole fit's),
/// so that its lines are a function of E alone. k < 1: a Poisson funnel (k = 1) would be too
/// wide wherever the outcome is common.
///
/// # Errors
///
/// [`StatsError::NonPositiveDenominator`] when E is not positive and finite;
/// [`StatsError::NegativeDispersion`] when k is not in (0, 1].
pub fn ratio_limits(expected: f64, dispersion: f64, level: Level) -> Result<Interval> {
    check_ratio(expected, dispersion)?;
    let half = level.z() * (dispersion / expected).sqrt();
    Ok(Interval {
        lower: (1.0 - half).max(0.0),
        upper: 1.0 + half,
    })
}

/// Where an observed count O lies on the ratio funnel of [`ratio_limits`] at its expected
/// count E: z = (O − E)/√(k·E) against the levels, so that a unit is flagged exactly when it
/// lies beyond the lines drawn.
///
/// # Errors
///
/// As [`ratio_limits`].
pub fn ratio_flag(
    observed: u64,
    expected: f64,
    dispersion: f64,
    levels: FlagLevels,
) -> Result<Flag> {
    check_ratio(expected, dispersion)?;
    let z = (observed as f64 - expected) / (dispersion * expected).sqrt();
    classify_z(z, &levels)
}

/// k = Σ n·μ̂(1 − μ̂) / Σ n·μ̂ over a fit's patterns of `n` crimes with fitted probability
/// μ̂: the variance of an expected count per expected closure, for [`ratio_limits`]. `None`
/// when nothing is expected or nothing varies.
#[must_use]
pub fn binomial_dispersion(patterns: impl IntoIterator<Item = (f64, f64)>) -> Option<f64> {
    let (mut variance, mut expected) = (0.0, 0.0);
    for (n, mu) in patterns {
        variance += n * mu * (1.0 - mu);
        expected += n * mu;
    }
    (expected > 0.0 && variance > 0.0).then(|| (variance / expected).min(1.0))
}

fn check_ratio(expected: f64, dispersion: f64) -> Result<()> {
    if !(expected.is_finite() && expected > 0.0) {
        return Err(StatsError::NonPositiveDenominator { value: expected });
    }
    if !(dispersion.is_finite() && dispersion > 0.0 && dispersion <= 1.0) {
        return Err(StatsError::NegativeDispersion {
            what: "k",
            value: dispersion,
        });
    }
    Ok(())
}

fn check_stratum(stratum: &Stratum) -> Result<()> {
    if stratum.denominator > 0 {
        check_counts(stratum.observed, stratum.denominator)?;
    } else if stratum.observed > 0 {
        return Err(StatsError::NumeratorExceedsDenominator {
            numerator: stratum.observed as f64,
            denominator: 0.0,
        });
    }
    if !(0.0..=1.0).contains(&stratum.reference_rate) {
        return Err(StatsError::RateOutOfRange {
            value: stratum.reference_rate,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
