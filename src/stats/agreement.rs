//! Agreement between two reviewers who put the same cases into the same nominal categories:
//! Cohen's κ with the Fleiss–Cohen–Everitt large-sample variance (METHODS-2.md §6; the values
//! `psych::cohen.kappa` and `vcd::Kappa` print).

use super::error::{Result, StatsError};
use super::level::Level;
use super::proportion::Interval;

/// Cohen's κ and what it rests on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Kappa {
    /// The cases both reviewers classified.
    pub n: u64,
    /// p_o, the share of cases on which they agree.
    pub observed: f64,
    /// p_e, the agreement expected from their margins alone.
    pub expected: f64,
    /// κ = (p_o − p_e)/(1 − p_e); `None` when p_e = 1 (both put every case in one category).
    pub kappa: Option<f64>,
    /// Its large-sample standard error (Fleiss, Cohen and Everitt 1969).
    pub se: Option<f64>,
    /// κ ± z·SE, within [−1, 1].
    pub interval: Option<Interval>,
    /// z for the test of κ = 0.
    pub z: Option<f64>,
}

/// κ from a square table of counts, `table[i][j]` the cases reviewer A put in category i and
/// reviewer B in category j:
///
/// ```text
/// p_o = Σ p_ii,  p_e = Σ p_i· p_·i,  κ = (p_o − p_e)/(1 − p_e)
/// Var(κ) = [A + B − C] / (n (1 − p_e)²)
///   A = Σ_i p_ii [1 − (p_i· + p_·i)(1 − κ)]²,  B = (1 − κ)² Σ_{i≠j} p_ij (p_·i + p_j·)²,
///   C = [κ − p_e (1 − κ)]²
/// Var₀ = [p_e + p_e² − Σ_i p_i· p_·i (p_i· + p_·i)] / (n (1 − p_e)²),  z = κ/√Var₀
/// ```
///
/// # Errors
///
/// [`StatsError::EmptyInput`] for an empty table or one with no cases;
/// [`StatsError::LengthMismatch`] for a table that is not square.
pub fn cohen_kappa(table: &[Vec<u64>], level: Level) -> Result<Kappa> {
    let k = table.len();
    if k == 0 {
        return Err(StatsError::EmptyInput { what: "table" });
    }
    for row in table {
        if row.len() != k {
            return Err(StatsError::LengthMismatch {
                what: "table rows and columns",
                left: k,
                right: row.len(),
            });
        }
    }
    let n: u64 = table.iter().flatten().sum();
    if n == 0 {
        return Err(StatsError::EmptyInput { what: "table" });
    }
    let nf = n as f64;
    let p = |i: usize, j: usize| table[i][j] as f64 / nf;
    let row: Vec<f64> = (0..k).map(|i| (0..k).map(|j| p(i, j)).sum()).collect();
    let col: Vec<f64> = (0..k).map(|j| (0..k).map(|i| p(i, j)).sum()).collect();
    let observed: f64 = (0..k).map(|i| p(i, i)).sum();
    let expected: f64 = (0..k).map(|i| row[i] * col[i]).sum();
    if (1.0 - expected).abs() < 1e-15 {
        return Ok(Kappa {
            n,
            observed,
            expected,
            kappa: None,
            se: None,
            interval: None,
            z: None,
        });
    }
    let kappa = (observed - expected) / (1.0 - expected);
    let a: f64 = (0..k)
        .map(|i| p(i, i) * (1.0 - (row[i] + col[i]) * (1.0 - kappa)).powi(2))
        .sum();
    let b = (1.0 - kappa).powi(2)
        * (0..k)
            .flat_map(|i| (0..k).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| p(i, j) * (col[i] + row[j]).powi(2))
            .sum::<f64>();
    let c = (kappa - expected * (1.0 - kappa)).powi(2);
    let scale = nf * (1.0 - expected).powi(2);
    let variance = ((a + b - c) / scale).max(0.0);
    let se = variance.sqrt();
    let null: f64 = (0..k).map(|i| row[i] * col[i] * (row[i] + col[i])).sum();
    let variance0 = (expected + expected * expected - null) / scale;
    let z = level.z();
    Ok(Kappa {
        n,
        observed,
        expected,
        kappa: Some(kappa),
        se: Some(se),
        interval: Some(Interval {
            lower: (kappa - z * se).max(-1.0),
            upper: (kappa + z * se).min(1.0),
        }),
        z: (variance0 > 0.0).then(|| kappa / variance0.sqrt()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::tolerance::{close_relative, RELATIVE_EXACT};

    fn assert_close(actual: f64, expected: f64, _printed: f64) {
        assert!(
            close_relative(actual, expected, RELATIVE_EXACT),
            "{actual} is not {expected}"
        );
    }

    /// METHODS-2.md §6, script C (R 4.2.2, psych 2.2.9 `cohen.kappa` and vcd 1.4-11 `Kappa`,
    /// run 2026-12-02): A in rows, B in columns (appropriate, inappropriate, cannot_tell).
    #[test]
    fn kappa_matches_psych_and_vcd() {
        let table = vec![vec![30, 3, 2], vec![2, 8, 1], vec![1, 1, 2]];
        let k = cohen_kappa(&table, Level::ninety_five()).unwrap();
        assert_eq!(k.n, 50);
        assert_close(k.observed, 0.8, 1e-12);
        assert_close(k.expected, 0.5228, 1e-12);
        assert_close(k.kappa.unwrap(), 0.580888516345, 1e-11);
        assert_close(k.se.unwrap(), 0.110764918338, 1e-11);
        let ci = k.interval.unwrap();
        assert_close(ci.lower, 0.363793265653, 1e-11);
        assert_close(ci.upper, 0.797983767038, 1e-11);
        assert_close(k.z.unwrap(), 5.20025003434, 1e-11);
    }

    #[test]
    fn perfect_agreement_has_a_zero_width_interval() {
        let table = vec![vec![5, 0, 0], vec![0, 3, 0], vec![0, 0, 2]];
        let k = cohen_kappa(&table, Level::ninety_five()).unwrap();
        assert_close(k.kappa.unwrap(), 1.0, 1e-15);
        assert_close(k.se.unwrap(), 0.0, 1e-15);
    }

    #[test]
    fn one_category_for_everything_leaves_kappa_undefined() {
        let table = vec![vec![7, 0], vec![0, 0]];
        let k = cohen_kappa(&table, Level::ninety_five()).unwrap();
        assert_eq!(k.kappa, None);
        assert_close(k.observed, 1.0, 1e-15);
    }

    #[test]
    fn bad_tables_are_errors() {
        let level = Level::ninety_five();
        assert!(cohen_kappa(&[], level).is_err());
        assert!(cohen_kappa(&[vec![1, 2]], level).is_err());
        assert!(cohen_kappa(&[vec![0, 0], vec![0, 0]], level).is_err());
    }
}
