//! Sample quantiles (R's type 7) and winsorisation.
//!
//! Invariant: winsorising clamps values to the quantiles and keeps every value, so the
//! output has as many entries as the input (METHODS.md §5.1; truncation, which drops
//! units, is a different operation and is not offered).

use super::error::{Result, StatsError};

/// The type-7 sample quantile at probability `prob` (R's default `quantile(x, prob, type = 7)`).
///
/// Formula (Hyndman & Fan 1996, definition 7), with x₍₁₎ ≤ … ≤ x₍N₎ sorted and 1-based:
///
/// ```text
/// h = (N − 1)·prob,  j = ⌊h⌋,  Q₇ = (1 − (h − j))·x₍j+1₎ + (h − j)·x₍j+2₎
/// ```
///
/// taking x₍j+2₎ = x₍j+1₎ when j + 1 = N; when the two order statistics are equal, that value is returned exactly.
///
/// # Errors
///
/// [`StatsError::EmptyInput`] for no values, [`StatsError::ProbabilityOutOfRange`] for `prob` outside [0, 1],
/// [`StatsError::NonFinite`] when a value is NaN or infinite.
pub fn quantile_type7(values: &[f64], prob: f64) -> Result<f64> {
    let sorted = sorted_finite(values)?;
    super::distribution::check_probability(prob)?;
    Ok(quantile_sorted(&sorted, prob))
}

/// Values clamped to their type-7 quantiles at `fraction` and 1 − `fraction`.
#[derive(Debug, Clone, PartialEq)]
pub struct Winsorised {
    /// The clamped values, in the input order; as many as were given.
    pub values: Vec<f64>,
    /// The lower bound Q₇(fraction).
    pub lower: f64,
    /// The upper bound Q₇(1 − fraction).
    pub upper: f64,
}

/// Winsorises `values` at `fraction` in each tail (METHODS.md §5.1).
///
/// Formula: q_L = Q₇(values, fraction), q_U = Q₇(values, 1 − fraction), vᵂ = min(max(v, q_L), q_U).
/// A bound of exactly 0 is a bound like any other (PowerBI-Funnels skips it; METHODS.md §11).
/// A fraction of 0 leaves the values unchanged.
///
/// # Errors
///
/// [`StatsError::EmptyInput`] for no values, [`StatsError::FractionOutOfRange`] for `fraction`
/// outside [0, 0.5), [`StatsError::NonFinite`] when a value is NaN or infinite.
pub fn winsorise(values: &[f64], fraction: f64) -> Result<Winsorised> {
    if !(0.0..0.5).contains(&fraction) {
        return Err(StatsError::FractionOutOfRange { value: fraction });
    }
    let sorted = sorted_finite(values)?;
    let lower = quantile_sorted(&sorted, fraction);
    let upper = quantile_sorted(&sorted, 1.0 - fraction);
    Ok(Winsorised {
        values: values.iter().map(|&v| v.max(lower).min(upper)).collect(),
        lower,
        upper,
    })
}

fn sorted_finite(values: &[f64]) -> Result<Vec<f64>> {
    if values.is_empty() {
        return Err(StatsError::EmptyInput { what: "values" });
    }
    if let Some(idx) = values.iter().position(|v| !v.is_finite()) {
        return Err(StatsError::NonFinite {
            what: "value",
            value: values[idx],
        }
        .at_unit(idx));
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    Ok(sorted)
}

/// Type-7 quantile of an already sorted, non-empty slice; `prob` in [0, 1].
fn quantile_sorted(sorted: &[f64], prob: f64) -> f64 {
    let last = sorted.len() - 1;
    let index = last as f64 * prob;
    let low = (index.floor() as usize).min(last);
    let high = (index.ceil() as usize).min(last);
    let (x_low, x_high) = (sorted[low], sorted[high]);
    let h = index - low as f64;
    if high == low || x_low.total_cmp(&x_high).is_eq() {
        x_low
    } else {
        (1.0 - h) * x_low + h * x_high
    }
}

#[cfg(test)]
mod tests;
