//! The binomial generalised linear model with the logit link, fitted to grouped counts by
//! iteratively reweighted least squares as R's `glm.fit` does (METHODS-2.md §9.1): glm's
//! starting values, the deviance's relative change below 1e-8 to stop, at most 25
//! iterations, the unscaled covariance from the working weights of the last iteration.
//! Shared by the segmented regression (`its`) and the record-level model (`logistic`).
//!
//! Invariant: a singular design or a fit that does not converge is an error, never NaN.

use super::error::{Result, StatsError};

/// A binomial GLM with the logit link fitted to grouped counts.
#[derive(Debug, Clone, PartialEq)]
pub struct BinomialFit {
    /// β̂.
    pub coefficients: Vec<f64>,
    /// (XᵀWX)⁻¹ at the working weights of the last iteration (the unscaled covariance).
    pub covariance: Vec<Vec<f64>>,
    /// μ̂ for each group.
    pub fitted: Vec<f64>,
    /// The residual deviance.
    pub deviance: f64,
    /// Σ (x − nμ̂)² / (nμ̂(1 − μ̂)).
    pub pearson: f64,
    /// The quasi-binomial dispersion φ̂ as `summary.glm` computes it (working weights of the
    /// last iteration times squared working residuals at the fit, over the residual df).
    pub dispersion: f64,
    /// Groups minus coefficients.
    pub df_residual: usize,
    /// IRLS iterations.
    pub iterations: usize,
}

/// glm.control's defaults.
const EPSILON: f64 = 1e-8;
const MAX_ITERATIONS: usize = 25;

/// Fits logit μ = Xβ to x successes of n by IRLS, as R's `glm.fit` (METHODS-2.md §9.1).
///
/// # Errors
///
/// [`StatsError::EmptyInput`] or [`StatsError::LengthMismatch`] for malformed input, a count
/// error for x > n or n = 0, [`StatsError::NonFinite`] when the design is singular or the fit
/// does not converge in 25 iterations.
pub fn binomial_glm(x: &[u64], n: &[u64], design: &[Vec<f64>]) -> Result<BinomialFit> {
    let groups = x.len();
    if groups == 0 {
        return Err(StatsError::EmptyInput { what: "periods" });
    }
    if n.len() != groups || design.len() != groups {
        return Err(StatsError::LengthMismatch {
            what: "counts, denominators and design rows",
            left: groups,
            right: n.len().min(design.len()),
        });
    }
    let p = design[0].len();
    for (i, (&xi, &ni)) in x.iter().zip(n).enumerate() {
        if ni == 0 {
            return Err(StatsError::NonPositiveDenominator { value: 0.0 }.at_unit(i));
        }
        if xi > ni {
            return Err(StatsError::NumeratorExceedsDenominator {
                numerator: xi as f64,
                denominator: ni as f64,
            }
            .at_unit(i));
        }
        if design[i].len() != p {
            return Err(StatsError::LengthMismatch {
                what: "design rows",
                left: p,
                right: design[i].len(),
            });
        }
    }
    if groups <= p {
        return Err(StatsError::TooFewUnits {
            needed: p + 1,
            got: groups,
        });
    }
    let y: Vec<f64> = x
        .iter()
        .zip(n)
        .map(|(&a, &b)| a as f64 / b as f64)
        .collect();
    let weights: Vec<f64> = n.iter().map(|&b| b as f64).collect();
    // glm's binomial starting values: μ = (n y + 0.5) / (n + 1).
    let mut mu: Vec<f64> = y
        .iter()
        .zip(&weights)
        .map(|(&yi, &wi)| (wi * yi + 0.5) / (wi + 1.0))
        .collect();
    let mut eta: Vec<f64> = mu.iter().map(|&m| (m / (1.0 - m)).ln()).collect();
    let mut deviance_old = deviance(&y, &weights, &mu);
    let mut working_weights = vec![0.0; groups];
    for iteration in 1..=MAX_ITERATIONS {
        // Working response and weights at the current μ.
        let mut xtwx = vec![vec![0.0; p]; p];
        let mut xtwz = vec![0.0; p];
        for i in 0..groups {
            let derivative = mu[i] * (1.0 - mu[i]);
            let z = eta[i] + (y[i] - mu[i]) / derivative;
            let w = weights[i] * derivative;
            working_weights[i] = w;
            for a in 0..p {
                xtwz[a] += design[i][a] * w * z;
                for b in 0..p {
                    xtwx[a][b] += design[i][a] * w * design[i][b];
                }
            }
        }
        let inverse = invert(&xtwx).ok_or(StatsError::NonFinite {
            what: "the regression's design (singular)",
            value: f64::NAN,
        })?;
        let beta: Vec<f64> = (0..p)
            .map(|a| (0..p).map(|b| inverse[a][b] * xtwz[b]).sum())
            .collect();
        eta = design
            .iter()
            .map(|row| row.iter().zip(&beta).map(|(d, b)| d * b).sum())
            .collect();
        mu = eta.iter().map(|&e| expit(e)).collect();
        let dev = deviance(&y, &weights, &mu);
        if (dev - deviance_old).abs() / (dev.abs() + 0.1) < EPSILON {
            let pearson = (0..groups)
                .map(|i| {
                    let v = weights[i] * mu[i] * (1.0 - mu[i]);
                    (x[i] as f64 - weights[i] * mu[i]).powi(2) / v
                })
                .sum();
            let df_residual = groups - p;
            let dispersion = (0..groups)
                .map(|i| {
                    let residual = (y[i] - mu[i]) / (mu[i] * (1.0 - mu[i]));
                    working_weights[i] * residual * residual
                })
                .sum::<f64>()
                / df_residual as f64;
            return Ok(BinomialFit {
                coefficients: beta,
                covariance: inverse,
                fitted: mu,
                deviance: dev,
                pearson,
                dispersion,
                df_residual,
                iterations: iteration,
            });
        }
        deviance_old = dev;
    }
    Err(StatsError::NonFinite {
        what: "the regression (no convergence in 25 iterations)",
        value: deviance_old,
    })
}

/// The binomial deviance 2 Σ n [y ln(y/μ) + (1 − y) ln((1 − y)/(1 − μ))].
pub(crate) fn deviance(y: &[f64], weights: &[f64], mu: &[f64]) -> f64 {
    let term = |a: f64, b: f64| if a > 0.0 { a * (a / b).ln() } else { 0.0 };
    y.iter()
        .zip(weights)
        .zip(mu)
        .map(|((&yi, &wi), &mi)| 2.0 * wi * (term(yi, mi) + term(1.0 - yi, 1.0 - mi)))
        .sum()
}

pub(crate) fn expit(eta: f64) -> f64 {
    1.0 / (1.0 + (-eta).exp())
}

/// A symmetric positive-definite matrix's inverse by Gauss–Jordan with partial pivoting;
/// `None` when it is singular.
pub(crate) fn invert(matrix: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let m = matrix.len();
    let mut a: Vec<Vec<f64>> = matrix.to_vec();
    let mut b: Vec<Vec<f64>> = (0..m)
        .map(|i| (0..m).map(|j| f64::from(u8::from(i == j))).collect())
        .collect();
    let scale = a
        .iter()
        .flatten()
        .fold(0.0_f64, |s, v| s.max(v.abs()))
        .max(f64::MIN_POSITIVE);
    for col in 0..m {
        let pivot = (col..m).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() <= 1e-12 * scale {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        let d = a[col][col];
        for k in 0..m {
            a[col][k] /= d;
            b[col][k] /= d;
        }
        for row in 0..m {
            if row != col {
                let f = a[row][col];
                if f != 0.0 {
                    for k in 0..m {
                        a[row][k] -= f * a[col][k];
                        b[row][k] -= f * b[col][k];
                    }
                }
            }
        }
    }
    Some(b)
}
