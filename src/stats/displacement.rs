//! Outcome displacement before and after a change (METHODS-2.md §10): the shares of outcome
//! groups among assigned outcomes compared as a whole and one by one, and the question itself,
//! whether outcome 15's share within 15 ∪ 16 rose while 16 fell.
//!
//! Invariant: the groups partition the assigned outcomes (their counts add to the total of
//! each side); the wording a caller builds on this says "consistent with displacement", never
//! a finding of it.

use super::distribution::{chi_squared_upper_tail, two_sided_p_value};
use super::error::{Result, StatsError};
use super::its::{newcombe, Difference};
use super::level::Level;
use super::multiplicity::benjamini_hochberg;

/// One outcome group's share before and after.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GroupShift {
    /// The share before.
    pub before: f64,
    /// The share after.
    pub after: f64,
    /// after − before, with Newcombe's interval.
    pub difference: Difference,
    /// The two-proportion χ² p-value (`prop.test(correct = FALSE)`).
    pub p_value: f64,
    /// Benjamini–Hochberg q-value across the groups.
    pub q_bh: f64,
    /// Benjamini–Yekutieli q-value (valid under any dependence).
    pub q_by: f64,
}

/// The displacement comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Displacement {
    /// One entry per group, in input order.
    pub groups: Vec<GroupShift>,
    /// Pearson's X² on the 2 × K table, K − 1 df.
    pub pearson: f64,
    /// Its p-value.
    pub pearson_p: f64,
    /// G² = 2 Σ O ln(O/E).
    pub g2: f64,
    /// Its p-value.
    pub g2_p: f64,
    /// Outcome 15's share of 15 ∪ 16, before and after.
    pub share_15_of_pair: (f64, f64),
    /// Its two-proportion p-value.
    pub share_15_p: f64,
    /// ln[(c₁₅/c₁₆)_after / (c₁₅/c₁₆)_before] and its SE √Σ 1/c (`None` when a count is 0).
    pub log_odds_ratio: Option<(f64, f64)>,
    /// The combined share (15 + 16)/total, before and after.
    pub combined: (f64, f64),
    /// Its two-proportion p-value.
    pub combined_p: f64,
}

/// Compares `before` and `after`, the counts of the same K outcome groups on each side, with
/// `i16` and `i15` the positions of outcomes 16 and 15.
///
/// # Errors
///
/// [`StatsError::LengthMismatch`] when the sides differ in length or a position is out of
/// range; [`StatsError::NonPositiveDenominator`] when a side has no outcomes or 15 ∪ 16 is
/// empty on a side.
pub fn compare(
    before: &[u64],
    after: &[u64],
    i16: usize,
    i15: usize,
    level: Level,
) -> Result<Displacement> {
    let k = before.len();
    if after.len() != k || i16 >= k || i15 >= k || i15 == i16 || k < 2 {
        return Err(StatsError::LengthMismatch {
            what: "outcome groups before and after",
            left: k,
            right: after.len(),
        });
    }
    let (t1, t2): (u64, u64) = (before.iter().sum(), after.iter().sum());
    let pair = (before[i15] + before[i16], after[i15] + after[i16]);
    for total in [t1, t2, pair.0, pair.1] {
        if total == 0 {
            return Err(StatsError::NonPositiveDenominator { value: 0.0 });
        }
    }
    let mut groups = Vec::with_capacity(k);
    let mut p_values = Vec::with_capacity(k);
    for g in 0..k {
        let difference = newcombe(before[g], t1, after[g], t2, level)?;
        let p = two_proportion_p(before[g], t1, after[g], t2);
        p_values.push(p);
        groups.push(GroupShift {
            before: before[g] as f64 / t1 as f64,
            after: after[g] as f64 / t2 as f64,
            difference,
            p_value: p,
            q_bh: 0.0,
            q_by: 0.0,
        });
    }
    let bh = benjamini_hochberg(&p_values)?;
    let by = benjamini_yekutieli(&p_values)?;
    for (g, shift) in groups.iter_mut().enumerate() {
        shift.q_bh = bh[g];
        shift.q_by = by[g];
    }
    // The 2 × K table.
    let total = (t1 + t2) as f64;
    let (mut pearson, mut g2) = (0.0, 0.0);
    for g in 0..k {
        let column = (before[g] + after[g]) as f64;
        for (observed, row) in [(before[g], t1), (after[g], t2)] {
            let expected = row as f64 * column / total;
            if expected > 0.0 {
                let o = observed as f64;
                pearson += (o - expected).powi(2) / expected;
                if observed > 0 {
                    g2 += 2.0 * o * (o / expected).ln();
                }
            }
        }
    }
    let df = (k - 1) as f64;
    let log_odds_ratio = [before[i15], before[i16], after[i15], after[i16]]
        .iter()
        .all(|&c| c > 0)
        .then(|| {
            let (b15, b16, a15, a16) = (
                before[i15] as f64,
                before[i16] as f64,
                after[i15] as f64,
                after[i16] as f64,
            );
            (
                ((a15 / a16) / (b15 / b16)).ln(),
                (1.0 / a15 + 1.0 / a16 + 1.0 / b15 + 1.0 / b16).sqrt(),
            )
        });
    Ok(Displacement {
        groups,
        pearson,
        pearson_p: chi_squared_upper_tail(df, pearson)?,
        g2,
        g2_p: chi_squared_upper_tail(df, g2)?,
        share_15_of_pair: (
            before[i15] as f64 / pair.0 as f64,
            after[i15] as f64 / pair.1 as f64,
        ),
        share_15_p: two_proportion_p(before[i15], pair.0, after[i15], pair.1),
        log_odds_ratio,
        combined: (pair.0 as f64 / t1 as f64, pair.1 as f64 / t2 as f64),
        combined_p: two_proportion_p(pair.0, t1, pair.1, t2),
    })
}

/// The two-proportion χ² test without continuity correction (`prop.test(correct = FALSE)`):
/// z = (p̂₂ − p̂₁)/√(p̄(1 − p̄)(1/n₁ + 1/n₂)), p = 2(1 − Φ(|z|)); 1 when p̄ is 0 or 1.
#[must_use]
pub fn two_proportion_p(x1: u64, n1: u64, x2: u64, n2: u64) -> f64 {
    let pooled = (x1 + x2) as f64 / (n1 + n2) as f64;
    let variance = pooled * (1.0 - pooled) * (1.0 / n1 as f64 + 1.0 / n2 as f64);
    if variance <= 0.0 {
        return 1.0;
    }
    let z = (x2 as f64 / n2 as f64 - x1 as f64 / n1 as f64) / variance.sqrt();
    two_sided_p_value(z)
}

/// Benjamini–Yekutieli adjusted p-values, as R's `p.adjust(p, method = "BY")`: the
/// Benjamini–Hochberg values times Σ_{i ≤ m} 1/i, capped at 1.
///
/// # Errors
///
/// As [`benjamini_hochberg`].
pub fn benjamini_yekutieli(p_values: &[f64]) -> Result<Vec<f64>> {
    let m = p_values.len();
    let harmonic: f64 = (1..=m).map(|i| 1.0 / i as f64).sum();
    let scaled: Vec<f64> = p_values.iter().map(|p| p * harmonic).collect();
    // BH on the scaled values is BY as R computes it, pmin(1, cummin(q m / i p)) over the
    // sorted values; values above 1 are capped there, so check the inputs first.
    for (idx, &p) in p_values.iter().enumerate() {
        if !(0.0..=1.0).contains(&p) {
            return Err(StatsError::ProbabilityOutOfRange { value: p }.at_unit(idx));
        }
    }
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| scaled[b].total_cmp(&scaled[a]));
    let mut adjusted = vec![0.0; m];
    let mut running_min = f64::INFINITY;
    for (position, &idx) in order.iter().enumerate() {
        let rank = m - position;
        running_min = running_min.min(m as f64 / rank as f64 * scaled[idx]);
        adjusted[idx] = running_min.min(1.0);
    }
    Ok(adjusted)
}

#[cfg(test)]
mod tests;
