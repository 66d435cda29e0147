//! Benjamini–Hochberg adjusted p-values across the units compared.
//!
//! Invariant: adjusted p-values are reported beside the flags, never instead of them
//! (METHODS.md §10); the output has one value per input, in input order.

use super::distribution::two_sided_p_value;
use super::error::{Result, StatsError};

/// Benjamini–Hochberg adjusted p-values (q-values), as R's `p.adjust(p, method = "BH")`.
///
/// Formula (Benjamini & Hochberg 1995), with p₍₁₎ ≤ … ≤ p₍m₎ sorted:
///
/// ```text
/// p̃₍i₎ = min over j ≥ i of min(1, m · p₍j₎ / j)
/// ```
///
/// # Errors
///
/// [`StatsError::ProbabilityOutOfRange`] (wrapped in [`StatsError::Unit`]) for a p-value outside [0, 1] or NaN.
/// An empty input gives an empty output.
pub fn benjamini_hochberg(p_values: &[f64]) -> Result<Vec<f64>> {
    for (idx, &p) in p_values.iter().enumerate() {
        if !(0.0..=1.0).contains(&p) {
            return Err(StatsError::ProbabilityOutOfRange { value: p }.at_unit(idx));
        }
    }
    let m = p_values.len();
    let mut order: Vec<usize> = (0..m).collect();
    // Largest first, as R does; ties keep input order (the result does not depend on it).
    order.sort_by(|&a, &b| p_values[b].total_cmp(&p_values[a]));
    let mut adjusted = vec![0.0; m];
    let mut running_min = f64::INFINITY;
    for (position, &idx) in order.iter().enumerate() {
        let rank = m - position;
        let candidate = m as f64 / rank as f64 * p_values[idx];
        running_min = running_min.min(candidate);
        adjusted[idx] = running_min.min(1.0);
    }
    Ok(adjusted)
}

/// Two-sided p-values 2·(1 − Φ(|z|)) for (adjusted) z-scores (METHODS.md §10).
///
/// # Errors
///
/// [`StatsError::NonFinite`] (wrapped in [`StatsError::Unit`]) for a NaN z-score.
pub fn two_sided_p_values(z: &[f64]) -> Result<Vec<f64>> {
    z.iter()
        .enumerate()
        .map(|(idx, &value)| {
            if value.is_nan() {
                Err(StatsError::NonFinite {
                    what: "z-score",
                    value,
                }
                .at_unit(idx))
            } else {
                Ok(two_sided_p_value(value))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
