//! A record-level logistic regression on categorical fields: the log-odds of an outcome
//! (outcome 16 against the rest of the denominator) on factors such as offence group, risk
//! level, repeat victim, the investigation-quality fields and area, fitted to the crimes
//! grouped by their pattern of levels (a crime's fields are all categorical, so the grouped
//! binomial likelihood is the record-level one, and ten million crimes become a few thousand
//! patterns). Treatment contrasts: each factor's first level with cases is its reference.
//!
//! The fit is `glm::binomial_glm` (R's `glm.fit`); estimates, standard errors, Wald
//! intervals and p-values are `summary.glm`'s for the binomial family, and the adjusted odds
//! ratios are exp(β) with exp(β ∓ z·SE).
//!
//! Invariant: the model never reports NaN or a diverging estimate. Before fitting, a level
//! with no cases is dropped and said to be; a factor left with one level is dropped as
//! constant; a level whose crimes all had the outcome, or none did (quasi-complete
//! separation on that level), gets no estimate and is said to be, and its crimes leave the
//! fit (the maximum-likelihood estimates of the other coefficients are the limit of the fit
//! with them, which is the fit without them). A separation among several fields together, or
//! a fit that does not converge, is an error that says so.

use super::distribution::normal_upper_tail;
use super::error::{Result, StatsError};
use super::glm::binomial_glm;
use super::level::Level;
use super::proportion::Interval;

/// A categorical field: its name and levels (the first with cases is the reference).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Factor {
    /// The field's name.
    pub name: String,
    /// Its levels, in order.
    pub levels: Vec<String>,
}

/// One pattern of levels with its counts: `x` of `n` crimes had the outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    /// Each factor's level (an index into its `levels`).
    pub levels: Vec<usize>,
    /// Crimes with the outcome.
    pub x: u64,
    /// Crimes.
    pub n: u64,
}

/// One adjusted odds ratio.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// The factor.
    pub factor: String,
    /// The level, against the factor's reference.
    pub level: String,
    /// β̂ (log-odds).
    pub estimate: f64,
    /// Its standard error.
    pub se: f64,
    /// β̂ / SE.
    pub z: f64,
    /// Two-sided p-value (normal).
    pub p_value: f64,
    /// exp(β̂).
    pub odds_ratio: f64,
    /// exp(β̂ ∓ z·SE).
    pub interval: Interval,
}

/// What the model left out, and why, in words for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeftOut {
    /// A level with no crimes.
    EmptyLevel {
        /// The factor.
        factor: String,
        /// The level.
        level: String,
    },
    /// A factor with cases at one level only.
    Constant {
        /// The factor.
        factor: String,
        /// Its one level.
        level: String,
    },
    /// A level whose crimes all had the outcome (`all = true`) or none did.
    Separated {
        /// The factor.
        factor: String,
        /// The level.
        level: String,
        /// Its crimes.
        crimes: u64,
        /// Whether every crime had the outcome (else none did).
        all: bool,
    },
}

impl LeftOut {
    /// In words.
    #[must_use]
    pub fn words(&self) -> String {
        match self {
            LeftOut::EmptyLevel { factor, level } => {
                format!("{factor} = {level} has no crimes, so it has no estimate")
            }
            LeftOut::Constant { factor, level } => format!(
                "{factor} is {level} for every crime, so it cannot be adjusted for and is left out"
            ),
            LeftOut::Separated {
                factor,
                level,
                crimes,
                all,
            } => format!(
                "{factor} = {level}: {} of its {crimes} crimes had the outcome, so its odds ratio cannot be estimated (separation) and its crimes are left out of the fit",
                if *all { "all" } else { "none" }
            ),
        }
    }
}

/// The fitted model.
#[derive(Debug, Clone, PartialEq)]
pub struct LogisticModel {
    /// The intercept: the log-odds at every factor's reference level.
    pub intercept: Term,
    /// Each estimated level against its factor's reference.
    pub terms: Vec<Term>,
    /// Each factor's reference level (for factors kept).
    pub references: Vec<(String, String)>,
    /// What was left out, and why.
    pub left_out: Vec<LeftOut>,
    /// The residual deviance.
    pub deviance: f64,
    /// The null deviance (intercept alone, same crimes).
    pub null_deviance: f64,
    /// Patterns minus coefficients.
    pub df_residual: usize,
    /// IRLS iterations.
    pub iterations: usize,
    /// Crimes in the fit.
    pub crimes: u64,
    /// The model's expected count of crimes with the outcome for each pattern given (0 for a
    /// pattern left out of the fit), Σ nμ̂, in the order of the input.
    pub expected: Vec<f64>,
}

/// Fits the model.
///
/// # Errors
///
/// [`StatsError::EmptyInput`] without crimes; [`StatsError::LengthMismatch`] when a pattern
/// does not give one level per factor; [`StatsError::NumeratorExceedsDenominator`]; a
/// [`StatsError::NonFinite`] naming the problem when the fit does not converge or separates
/// on several fields together (coefficients beyond ±15 on the log-odds scale, or fitted
/// probabilities within 1e-8 of 0 or 1).
pub fn fit(factors: &[Factor], patterns: &[Pattern], level: Level) -> Result<LogisticModel> {
    for p in patterns {
        if p.levels.len() != factors.len() {
            return Err(StatsError::LengthMismatch {
                what: "a pattern's levels and the factors",
                left: factors.len(),
                right: p.levels.len(),
            });
        }
        if p.x > p.n {
            return Err(StatsError::NumeratorExceedsDenominator {
                numerator: p.x as f64,
                denominator: p.n as f64,
            });
        }
        if let Some(k) = (0..factors.len()).find(|&k| p.levels[k] >= factors[k].levels.len()) {
            return Err(StatsError::LengthMismatch {
                what: "a level index and the factor's levels",
                left: factors[k].levels.len(),
                right: p.levels[k] + 1,
            });
        }
    }
    let mut keep: Vec<bool> = patterns.iter().map(|p| p.n > 0).collect();
    if !keep.iter().any(|&k| k) {
        return Err(StatsError::EmptyInput { what: "crimes" });
    }
    let mut left_out = Vec::new();
    // Separation on single levels, repeated until none is left: leaving one level's crimes
    // out can leave another level with all or none.
    let mut separated: Vec<Vec<bool>> = factors
        .iter()
        .map(|f| vec![false; f.levels.len()])
        .collect();
    loop {
        let mut found = false;
        for (k, f) in factors.iter().enumerate() {
            let counts = level_counts(patterns, &keep, k, f.levels.len());
            let with_cases = counts.iter().filter(|c| c.1 > 0).count();
            if with_cases < 2 {
                continue;
            }
            for (l, &(x, n)) in counts.iter().enumerate() {
                if n > 0 && (x == 0 || x == n) {
                    separated[k][l] = true;
                    left_out.push(LeftOut::Separated {
                        factor: f.name.clone(),
                        level: f.levels[l].clone(),
                        crimes: n,
                        all: x == n,
                    });
                    for (i, p) in patterns.iter().enumerate() {
                        if p.levels[k] == l {
                            keep[i] = false;
                        }
                    }
                    found = true;
                }
            }
        }
        if !found {
            break;
        }
    }
    if !keep.iter().any(|&k| k) {
        return Err(StatsError::EmptyInput {
            what: "crimes once the separated levels are left out",
        });
    }
    // Each kept factor's levels with cases; the first is the reference.
    let mut columns: Vec<(usize, usize)> = Vec::new(); // (factor, level) of each column
    let mut references = Vec::new();
    for (k, f) in factors.iter().enumerate() {
        let counts = level_counts(patterns, &keep, k, f.levels.len());
        let present: Vec<usize> = (0..f.levels.len()).filter(|&l| counts[l].1 > 0).collect();
        for l in 0..f.levels.len() {
            let all_crimes: u64 = patterns
                .iter()
                .filter(|p| p.levels[k] == l)
                .map(|p| p.n)
                .sum();
            if all_crimes == 0 {
                left_out.push(LeftOut::EmptyLevel {
                    factor: f.name.clone(),
                    level: f.levels[l].clone(),
                });
            }
        }
        match present.as_slice() {
            [] => {}
            [only] => left_out.push(LeftOut::Constant {
                factor: f.name.clone(),
                level: f.levels[*only].clone(),
            }),
            [reference, rest @ ..] => {
                references.push((f.name.clone(), f.levels[*reference].clone()));
                columns.extend(rest.iter().map(|&l| (k, l)));
            }
        }
    }
    let rows: Vec<usize> = (0..patterns.len()).filter(|&i| keep[i]).collect();
    let design: Vec<Vec<f64>> = rows
        .iter()
        .map(|&i| {
            std::iter::once(1.0)
                .chain(
                    columns
                        .iter()
                        .map(|&(k, l)| f64::from(u8::from(patterns[i].levels[k] == l))),
                )
                .collect()
        })
        .collect();
    let x: Vec<u64> = rows.iter().map(|&i| patterns[i].x).collect();
    let n: Vec<u64> = rows.iter().map(|&i| patterns[i].n).collect();
    let glm = binomial_glm(&x, &n, &design).map_err(|e| match e {
        StatsError::NonFinite { what, value } if what.contains("no convergence") => {
            StatsError::NonFinite {
                what: "the record-level model (no convergence in 25 iterations: the fields may separate the outcome together)",
                value,
            }
        }
        other => other,
    })?;
    let diverging = glm.coefficients.iter().any(|b| b.abs() > 15.0)
        || glm
            .fitted
            .iter()
            .any(|&m| !(1e-8..=1.0 - 1e-8).contains(&m));
    if diverging {
        return Err(StatsError::NonFinite {
            what: "the record-level model (fitted probabilities of 0 or 1: the fields separate the outcome together, so its odds ratios are not estimable)",
            value: glm.coefficients.iter().fold(0.0_f64, |a, b| a.max(b.abs())),
        });
    }
    let z = level.z();
    let term = |index: usize, factor: &str, level_name: &str| -> Term {
        let estimate = glm.coefficients[index];
        let se = glm.covariance[index][index].sqrt();
        let zv = estimate / se;
        Term {
            factor: factor.to_string(),
            level: level_name.to_string(),
            estimate,
            se,
            z: zv,
            p_value: 2.0 * normal_upper_tail(zv.abs()),
            odds_ratio: estimate.exp(),
            interval: Interval {
                lower: (estimate - z * se).exp(),
                upper: (estimate + z * se).exp(),
            },
        }
    };
    let intercept = term(0, "(intercept)", "");
    let terms: Vec<Term> = columns
        .iter()
        .enumerate()
        .map(|(c, &(k, l))| term(c + 1, &factors[k].name, &factors[k].levels[l]))
        .collect();
    // The null deviance: the intercept alone on the same crimes.
    let total_x: u64 = x.iter().sum();
    let total_n: u64 = n.iter().sum();
    let pooled = total_x as f64 / total_n as f64;
    let y: Vec<f64> = x
        .iter()
        .zip(&n)
        .map(|(&a, &b)| a as f64 / b as f64)
        .collect();
    let weights: Vec<f64> = n.iter().map(|&b| b as f64).collect();
    let null_deviance = super::glm::deviance(&y, &weights, &vec![pooled; y.len()]);
    let mut expected = vec![0.0; patterns.len()];
    for (r, &i) in rows.iter().enumerate() {
        expected[i] = patterns[i].n as f64 * glm.fitted[r];
    }
    Ok(LogisticModel {
        intercept,
        terms,
        references,
        left_out,
        deviance: glm.deviance,
        null_deviance,
        df_residual: glm.df_residual,
        iterations: glm.iterations,
        crimes: total_n,
        expected,
    })
}

/// (Σx, Σn) of each level of factor `k` over the kept patterns.
fn level_counts(patterns: &[Pattern], keep: &[bool], k: usize, levels: usize) -> Vec<(u64, u64)> {
    let mut counts = vec![(0u64, 0u64); levels];
    for (p, _) in patterns.iter().zip(keep).filter(|(_, &k)| k) {
        let c = &mut counts[p.levels[k]];
        c.0 += p.x;
        c.1 += p.n;
    }
    counts
}

#[cfg(test)]
mod tests;
