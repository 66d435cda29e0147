//! Before and after a dated change: two binomial rates compared (Newcombe's difference,
//! Katz's ratio) and the interrupted time series as a segmented binomial regression
//! (METHODS-2.md §8).
//!
//! The regression is R's `glm(cbind(x, n - x) ~ t + A + I((t - t0) * A), family = binomial)`
//! step for step: iteratively reweighted least squares from glm's starting values, stopped
//! when the deviance changes by less than 1e-8 relative, the standard errors from the
//! working weights of the last iteration (as `summary.glm` reads them), and the
//! quasi-binomial dispersion from the working residuals at the fit.
//!
//! Invariant: a fit that does not converge, or a design that is singular (fewer than two
//! periods on either side of the change), is an error, never a table of NaN.

use super::distribution::{normal_upper_tail, t_quantile_upper};
use super::error::{Result, StatsError};
use super::glm::expit;
pub use super::glm::{binomial_glm, BinomialFit};
use super::level::Level;
use super::proportion::{wilson, Interval};

/// A difference of two rates with its interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Difference {
    /// p̂₂ − p̂₁.
    pub estimate: f64,
    /// Its interval.
    pub interval: Interval,
}

/// Newcombe's hybrid score interval for p̂₂ − p̂₁ (Newcombe 1998, method 10), from the two
/// Wilson intervals; defined at x = 0 and x = n.
///
/// ```text
/// L = d − √( (p̂₂ − l₂)² + (u₁ − p̂₁)² ),   U = d + √( (u₂ − p̂₂)² + (p̂₁ − l₁)² )
/// ```
///
/// # Errors
///
/// The count errors of [`wilson`].
pub fn newcombe(x1: u64, n1: u64, x2: u64, n2: u64, level: Level) -> Result<Difference> {
    let (a, b) = (
        wilson(x1 as f64, n1 as f64, level)?,
        wilson(x2 as f64, n2 as f64, level)?,
    );
    let (p1, p2) = (x1 as f64 / n1 as f64, x2 as f64 / n2 as f64);
    let d = p2 - p1;
    Ok(Difference {
        estimate: d,
        interval: Interval {
            lower: d - ((p2 - b.lower).powi(2) + (a.upper - p1).powi(2)).sqrt(),
            upper: d + ((b.upper - p2).powi(2) + (p1 - a.lower).powi(2)).sqrt(),
        },
    })
}

/// A ratio of two rates with its interval and the standard error of its logarithm.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ratio {
    /// p̂₂ / p̂₁.
    pub estimate: f64,
    /// SE(ln RR).
    pub se_log: f64,
    /// Its interval.
    pub interval: Interval,
}

/// Katz's log interval for p̂₂ / p̂₁ (Katz et al. 1978); `None` when either count is 0.
///
/// ```text
/// SE(ln RR) = √( 1/x₂ − 1/n₂ + 1/x₁ − 1/n₁ ),   RR · exp(∓ z · SE)
/// ```
///
/// # Errors
///
/// The count errors of [`wilson`] (a numerator above its denominator, a zero denominator).
pub fn katz(x1: u64, n1: u64, x2: u64, n2: u64, level: Level) -> Result<Option<Ratio>> {
    for (x, n) in [(x1, n1), (x2, n2)] {
        wilson(x as f64, n as f64, level)?;
    }
    if x1 == 0 || x2 == 0 {
        return Ok(None);
    }
    let (p1, p2) = (x1 as f64 / n1 as f64, x2 as f64 / n2 as f64);
    let ratio = p2 / p1;
    let se = (1.0 / x2 as f64 - 1.0 / n2 as f64 + 1.0 / x1 as f64 - 1.0 / n1 as f64).sqrt();
    let z = level.z();
    Ok(Some(Ratio {
        estimate: ratio,
        se_log: se,
        interval: Interval {
            lower: ratio * (-z * se).exp(),
            upper: ratio * (z * se).exp(),
        },
    }))
}

/// One coefficient of the segmented model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coefficient {
    /// β̂ (log-odds).
    pub estimate: f64,
    /// Its standard error.
    pub se: f64,
    /// Its Wald interval.
    pub interval: Interval,
    /// Its two-sided p-value.
    pub p_value: f64,
}

/// An interrupted time series fitted by segmented binomial regression (METHODS-2.md §8.2):
///
/// ```text
/// logit p_t = β₀ + β₁ t + β₂ A_t + β₃ (t − t₀) A_t,   t = 1…T,   A_t = 1 when t ≥ t₀
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Segmented {
    /// The periods, T.
    pub periods: usize,
    /// t₀, the first period after the change (1-based).
    pub first_after: usize,
    /// The binomial fit.
    pub fit: BinomialFit,
    /// The binomial coefficients (β₀, β₁, β₂ the level change, β₃ the slope change), with
    /// z-based Wald intervals and p-values, as `summary.glm` for the binomial family.
    pub binomial: [Coefficient; 4],
    /// φ̂ > 1: the quasi-binomial standard errors (× √φ̂) with t on T − 4 df are the ones
    /// adopted; otherwise the binomial ones.
    pub quasi: bool,
    /// The adopted coefficients: quasi-binomial with t_{T−4} intervals and p-values when
    /// φ̂ > 1, else the binomial ones.
    pub adopted: [Coefficient; 4],
    /// P(χ²_{T−4} > X²_P): the Pearson test of the binomial model's fit.
    pub pearson_p: f64,
    /// The lag-1 autocorrelation of the Pearson residuals (as R's `acf`).
    pub lag1_autocorrelation: f64,
    /// The effect at the last period: the fitted minus the counterfactual probability (the
    /// pre-change line carried on), with its delta-method SE under the adopted covariance.
    pub effect_at_end: (f64, f64, f64, f64),
}

/// Fits [`Segmented`] to x_t of n_t over T equally spaced periods with the change at
/// `first_after` (t₀, 1-based: the first period after the change).
///
/// # Errors
///
/// [`StatsError::TooFewUnits`] unless there are at least two periods before and two after;
/// the errors of [`binomial_glm`].
pub fn segmented(x: &[u64], n: &[u64], first_after: usize, level: Level) -> Result<Segmented> {
    let periods = x.len();
    let before = first_after.saturating_sub(1).min(periods);
    let after = periods - before;
    if before < 2 || after < 2 {
        return Err(StatsError::TooFewUnits {
            needed: 2,
            got: before.min(after),
        });
    }
    let design: Vec<Vec<f64>> = (1..=periods)
        .map(|t| {
            let after = f64::from(u8::from(t >= first_after));
            let t = t as f64;
            vec![1.0, t, after, (t - first_after as f64) * after]
        })
        .collect();
    let fit = binomial_glm(x, n, &design)?;
    let z = level.z();
    let coefficient = |k: usize, scale: f64, quantile: f64, p: &dyn Fn(f64) -> f64| {
        let estimate = fit.coefficients[k];
        let se = fit.covariance[k][k].sqrt() * scale;
        Coefficient {
            estimate,
            se,
            interval: Interval {
                lower: estimate - quantile * se,
                upper: estimate + quantile * se,
            },
            p_value: p(estimate / se),
        }
    };
    let normal_p = |statistic: f64| 2.0 * normal_upper_tail(statistic.abs());
    let binomial = [0, 1, 2, 3].map(|k| coefficient(k, 1.0, z, &normal_p));
    let df = fit.df_residual as f64;
    let quasi = fit.dispersion > 1.0;
    let adopted = if quasi {
        let quantile = t_quantile_upper(df, level.alpha())?;
        let t_p = |statistic: f64| {
            statrs::function::beta::beta_reg(df / 2.0, 0.5, df / (df + statistic * statistic))
        };
        [0, 1, 2, 3].map(|k| coefficient(k, fit.dispersion.sqrt(), quantile, &t_p))
    } else {
        binomial
    };
    let pearson_p = super::distribution::chi_squared_upper_tail(df, fit.pearson)?;
    let residuals: Vec<f64> = (0..periods)
        .map(|i| {
            let mu = fit.fitted[i];
            (x[i] as f64 - n[i] as f64 * mu) / (n[i] as f64 * mu * (1.0 - mu)).sqrt()
        })
        .collect();
    let lag1_autocorrelation = lag1(&residuals);
    // The effect at T: x_T = (1, T, 1, T − t₀) against x_c = (1, T, 0, 0).
    let last = periods as f64;
    let on = [1.0, last, 1.0, last - first_after as f64];
    let off = [1.0, last, 0.0, 0.0];
    let linear =
        |row: &[f64; 4]| -> f64 { row.iter().zip(&fit.coefficients).map(|(a, b)| a * b).sum() };
    let (fitted, counterfactual) = (expit(linear(&on)), expit(linear(&off)));
    let gradient: Vec<f64> = (0..4)
        .map(|k| fitted * (1.0 - fitted) * on[k] - counterfactual * (1.0 - counterfactual) * off[k])
        .collect();
    let scale = if quasi { fit.dispersion } else { 1.0 };
    let variance: f64 = (0..4)
        .map(|a| {
            (0..4)
                .map(|b| gradient[a] * fit.covariance[a][b] * gradient[b])
                .sum::<f64>()
        })
        .sum::<f64>()
        * scale;
    Ok(Segmented {
        periods,
        first_after,
        fit,
        binomial,
        quasi,
        adopted,
        pearson_p,
        lag1_autocorrelation,
        effect_at_end: (
            fitted,
            counterfactual,
            fitted - counterfactual,
            variance.sqrt(),
        ),
    })
}

/// The lag-1 autocorrelation as R's `acf`: Σ (e_t − ē)(e_{t−1} − ē) / Σ (e_t − ē)².
fn lag1(values: &[f64]) -> f64 {
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    let denominator: f64 = values.iter().map(|v| (v - mean).powi(2)).sum();
    let numerator: f64 = values
        .windows(2)
        .map(|w| (w[1] - mean) * (w[0] - mean))
        .sum();
    numerator / denominator
}

#[cfg(test)]
mod tests;
