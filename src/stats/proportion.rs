//! Confidence intervals for one unit's proportion: Wilson score and exact Clopper–Pearson.
//!
//! Invariant: every interval returned lies inside [0, 1] and contains p̂ = x/n.

use super::distribution::beta_quantile;
use super::error::{Result, StatsError};
use super::level::Level;

/// A closed interval [lower, upper].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// The lower end.
    pub lower: f64,
    /// The upper end.
    pub upper: f64,
}

/// The Wilson score interval for x events out of n.
///
/// Formula (Wilson 1927; PHEindicatormethods `phe_proportion`; METHODS.md §2.1):
///
/// ```text
/// L, U = ( 2x + z² ∓ z·√( z² + 4x(1 − x/n) ) ) / ( 2(n + z²) )
/// ```
///
/// x may be non-integer, as PHE allows.
///
/// # Errors
///
/// [`StatsError::NonPositiveDenominator`] when n ≤ 0, [`StatsError::NegativeNumerator`] when x < 0,
/// [`StatsError::NumeratorExceedsDenominator`] when x > n, [`StatsError::NonFinite`] for NaN or infinite input.
pub fn wilson(x: f64, n: f64, level: Level) -> Result<Interval> {
    check_real_counts(x, n)?;
    let z = level.z();
    let z2 = z * z;
    let centre = 2.0 * x + z2;
    let half_width = z * (z2 + 4.0 * x * (1.0 - x / n)).sqrt();
    let denominator = 2.0 * (n + z2);
    Ok(Interval {
        lower: ((centre - half_width) / denominator).max(0.0),
        upper: ((centre + half_width) / denominator).min(1.0),
    })
}

/// The exact (Clopper–Pearson) interval for x events out of n.
///
/// Formula (Clopper & Pearson 1934; METHODS.md §2.2), with α = 1 − c and B⁻¹ the beta quantile:
///
/// ```text
/// L = B⁻¹(α/2; x, n − x + 1)      (L = 0 when x = 0)
/// U = B⁻¹(1 − α/2; x + 1, n − x)  (U = 1 when x = n)
/// ```
///
/// This equals R's `binom.test(x, n, conf.level = c)$conf.int`.
///
/// # Errors
///
/// [`StatsError::NonPositiveDenominator`] when n = 0, [`StatsError::NumeratorExceedsDenominator`] when x > n.
pub fn clopper_pearson(x: u64, n: u64, level: Level) -> Result<Interval> {
    check_counts(x, n)?;
    let tail = level.tail_probability();
    let (x_f, n_f) = (x as f64, n as f64);
    let lower = if x == 0 {
        0.0
    } else {
        beta_quantile(x_f, n_f - x_f + 1.0, tail)?
    };
    let upper = if x == n {
        1.0
    } else {
        beta_quantile(x_f + 1.0, n_f - x_f, 1.0 - tail)?
    };
    Ok(Interval { lower, upper })
}

/// Checks integer counts: n > 0 and x ≤ n.
pub(crate) fn check_counts(x: u64, n: u64) -> Result<()> {
    if n == 0 {
        return Err(StatsError::NonPositiveDenominator { value: 0.0 });
    }
    if x > n {
        return Err(StatsError::NumeratorExceedsDenominator {
            numerator: x as f64,
            denominator: n as f64,
        });
    }
    Ok(())
}

/// Checks real counts: both finite, n > 0 and 0 ≤ x ≤ n.
pub(crate) fn check_real_counts(x: f64, n: f64) -> Result<()> {
    if !x.is_finite() {
        return Err(StatsError::NonFinite {
            what: "numerator",
            value: x,
        });
    }
    if !n.is_finite() {
        return Err(StatsError::NonFinite {
            what: "denominator",
            value: n,
        });
    }
    if n <= 0.0 {
        return Err(StatsError::NonPositiveDenominator { value: n });
    }
    if x < 0.0 {
        return Err(StatsError::NegativeNumerator { value: x });
    }
    if x > n {
        return Err(StatsError::NumeratorExceedsDenominator {
            numerator: x,
            denominator: n,
        });
    }
    Ok(())
}

/// A group of units' pooled rate Σx/Σn and the unweighted mean of their rates, (1/k)·Σ x_i/n_i
/// (HMIC's most-similar-group average, every member counted once whatever its size).
///
/// # Errors
///
/// [`StatsError::EmptyInput`] for no units, [`StatsError::LengthMismatch`] for slices of
/// different lengths, and a unit's count errors (a denominator of 0, x > n).
pub fn pooled_and_mean_rates(x: &[u64], n: &[u64]) -> Result<(f64, f64)> {
    check_units(x, n)?;
    let (total_x, total_n): (u64, u64) = x
        .iter()
        .zip(n)
        .fold((0, 0), |(a, b), (&xi, &ni)| (a + xi, b + ni));
    let rate_sum: f64 = x
        .iter()
        .zip(n)
        .map(|(&xi, &ni)| xi as f64 / ni as f64)
        .sum();
    Ok((total_x as f64 / total_n as f64, rate_sum / x.len() as f64))
}

/// Ranks by value, highest first, ties sharing the better rank (1, 2, 2, 4): `ranks[i]` is the
/// rank of `values[i]` (compared by `f64::total_cmp`).
pub fn ranks_highest_first(values: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
    let mut ranks = vec![0; values.len()];
    for (position, &i) in order.iter().enumerate() {
        let tied = position > 0 && values[order[position - 1]].total_cmp(&values[i]).is_eq();
        ranks[i] = if tied {
            ranks[order[position - 1]]
        } else {
            position + 1
        };
    }
    ranks
}

/// A rate x/n with its Wilson 95% interval, or `None` when n is 0.
///
/// # Errors
///
/// As [`wilson`].
pub fn rate_with_interval(x: u64, n: u64) -> Result<Option<(f64, Interval)>> {
    if n == 0 {
        return Ok(None);
    }
    Ok(Some((
        x as f64 / n as f64,
        wilson(x as f64, n as f64, Level::ninety_five())?,
    )))
}

/// Checks paired unit counts: non-empty, equal lengths, each n > 0 and x ≤ n.
pub(crate) fn check_units(x: &[u64], n: &[u64]) -> Result<()> {
    if x.len() != n.len() {
        return Err(StatsError::LengthMismatch {
            what: "numerators and denominators",
            left: x.len(),
            right: n.len(),
        });
    }
    if x.is_empty() {
        return Err(StatsError::EmptyInput { what: "units" });
    }
    for (idx, (&xi, &ni)) in x.iter().zip(n).enumerate() {
        check_counts(xi, ni).map_err(|err| err.at_unit(idx))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;

/// Which way a rate moved between two periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Movement {
    /// The later rate is lower.
    Falling,
    /// The later rate is higher.
    Rising,
    /// The two are equal (or either is not a number).
    Flat,
}

impl Movement {
    /// The name outputs use: `falling`, `rising`, `flat`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Movement::Falling => "falling",
            Movement::Rising => "rising",
            Movement::Flat => "flat",
        }
    }
}

/// The change from a first rate to a last one: `last − first` and its direction.
#[must_use]
pub fn change(first: f64, last: f64) -> (f64, Movement) {
    let movement = if last < first {
        Movement::Falling
    } else if last > first {
        Movement::Rising
    } else {
        Movement::Flat
    };
    (last - first, movement)
}
