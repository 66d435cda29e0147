//! z-scores, the overdispersion factor φ, its χ² test, and the DerSimonian–Laird τ².
//!
//! Invariant: φ is the mean of the squared *winsorised* z-scores over all N units;
//! the weights for τ² use all N units too; τ² ≥ 0 (METHODS.md §5).

use super::distribution::chi_squared_upper_tail;
use super::error::{Result, StatsError};
use super::funnel::{check_target, check_units, pooled_target, DispersionAdjustment, FunnelMethod};
use super::quantile::winsorise;

pub use super::scale::Scale;

/// What the funnel is centred on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    /// θ₀ = Σx/Σn over the units; the χ² test then has N − 1 degrees of freedom.
    Pooled,
    /// An external target in [0, 1]; the χ² test then has N degrees of freedom.
    Fixed(f64),
}

/// Which overdispersion adjustment to apply (the choice; [`DispersionAdjustment`] carries the numbers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Adjustment {
    /// No adjustment.
    None,
    /// Multiply the standard error by √φ when φ > 1.
    Multiplicative,
    /// Add the between-unit variance τ² (the default in METHODS.md §5.6).
    Additive,
}

/// The result of an overdispersion analysis over N units.
#[derive(Debug, Clone, PartialEq)]
pub struct Overdispersion {
    /// The target θ₀ used (pooled or fixed).
    pub target: f64,
    /// The scale of the z-scores, φ and τ².
    pub scale: Scale,
    /// The number of units N (winsorisation keeps them all).
    pub n_units: usize,
    /// Each unit's standard error under the target, s_i, on `scale`.
    pub standard_errors: Vec<f64>,
    /// The unadjusted z-scores z_i, in input order.
    pub z: Vec<f64>,
    /// The winsorised z-scores z_iᵂ, in input order.
    pub z_winsorised: Vec<f64>,
    /// The winsorisation bounds (type-7 quantiles of z at the fraction and 1 − fraction).
    pub winsor_lower: f64,
    /// See `winsor_lower`.
    pub winsor_upper: f64,
    /// φ = (1/N)·Σ(z_iᵂ)².
    pub phi: f64,
    /// The test statistic N·φ.
    pub chi2_statistic: f64,
    /// Degrees of freedom: N − 1 for a pooled target, N for a fixed one.
    pub df: usize,
    /// P(χ²_df > N·φ).
    pub p_value: f64,
    /// The DerSimonian–Laird between-unit variance τ² on `scale` (≥ 0).
    pub tau2: f64,
}

/// Each unit's z-score against the target θ₀ on the given scale (METHODS.md §4).
///
/// ```text
/// arcsine:  z_i = 2√n_i · ( asin√p_i − asin√θ₀ )
/// natural:  z_i = ( p_i − θ₀ ) / √( θ₀(1 − θ₀)/n_i )
/// ```
///
/// # Errors
///
/// [`StatsError::EmptyInput`], [`StatsError::LengthMismatch`], per-unit count errors wrapped in
/// [`StatsError::Unit`], [`StatsError::RateOutOfRange`] for θ₀ outside [0, 1], and
/// [`StatsError::DegenerateTarget`] for θ₀ of 0 or 1 on the natural scale.
pub fn z_scores(x: &[u64], n: &[u64], theta0: f64, scale: Scale) -> Result<Vec<f64>> {
    check_units(x, n)?;
    check_scale_target(theta0, scale)?;
    Ok(x.iter()
        .zip(n)
        .map(|(&xi, &ni)| z_score(xi, ni, theta0, scale))
        .collect())
}

/// Estimates φ, its χ² test and τ² for N units (METHODS.md §5.1–§5.5).
///
/// ```text
/// z_iᵂ = min(max(z_i, Q₇(z, q)), Q₇(z, 1 − q))          winsorised at fraction q
/// φ    = (1/N)·Σ (z_iᵂ)²
/// p    = P( χ²_df > N·φ ),  df = N − 1 (pooled target) or N (fixed target)
/// w_i  = 1/s_i²  (4n_i on the arcsine scale, n_i/(θ₀(1 − θ₀)) on the natural scale)
/// τ²   = 0 if N·φ < N − 1, else max(0, (N·φ − (N − 1)) / (Σw_i − Σw_i²/Σw_i))      (pooled target)
/// τ²   = 0 if N·φ < N,     else (N·φ − N) / Σw_i                                  (fixed target)
/// ```
///
/// The pooled-target τ² is DerSimonian & Laird (1986) as used by FunnelPlotR (Spiegelhalter 2005b).
/// With a fixed target the centre is known rather than estimated, so the same moment equation
/// E[N·φ] = N + τ²·Σw_i gives N in place of N − 1 and Σw_i in place of Σw_i − Σw_i²/Σw_i.
///
/// # Errors
///
/// [`StatsError::TooFewUnits`] for N < 2, [`StatsError::FractionOutOfRange`] for q outside [0, 0.5),
/// and the errors of [`z_scores`].
pub fn estimate(
    x: &[u64],
    n: &[u64],
    target: Target,
    scale: Scale,
    winsor_fraction: f64,
) -> Result<Overdispersion> {
    check_units(x, n)?;
    // A pooled target uses up one degree of freedom; a fixed one leaves every unit's.
    let needed = match target {
        Target::Pooled => 2,
        Target::Fixed(_) => 1,
    };
    if x.len() < needed {
        return Err(StatsError::TooFewUnits {
            needed,
            got: x.len(),
        });
    }
    if !(0.0..0.5).contains(&winsor_fraction) {
        return Err(StatsError::FractionOutOfRange {
            value: winsor_fraction,
        });
    }
    let theta0 = match target {
        Target::Pooled => pooled_target(x, n)?,
        Target::Fixed(value) => value,
    };
    check_scale_target(theta0, scale)?;
    let n_units = x.len();
    let z: Vec<f64> = x
        .iter()
        .zip(n)
        .map(|(&xi, &ni)| z_score(xi, ni, theta0, scale))
        .collect();
    let standard_errors: Vec<f64> = n
        .iter()
        .map(|&ni| standard_error(ni, theta0, scale))
        .collect();
    let winsorised = winsorise(&z, winsor_fraction)?;
    let phi = winsorised.values.iter().map(|v| v * v).sum::<f64>() / n_units as f64;
    let chi2_statistic = n_units as f64 * phi;
    let df = match target {
        Target::Pooled => n_units - 1,
        Target::Fixed(_) => n_units,
    };
    let p_value = chi_squared_upper_tail(df as f64, chi2_statistic)?;

    let weights: Vec<f64> = standard_errors.iter().map(|s| 1.0 / (s * s)).collect();
    let sum_w: f64 = weights.iter().sum();
    let tau2 = if chi2_statistic < df as f64 {
        0.0
    } else {
        let denominator = match target {
            Target::Pooled => sum_w - weights.iter().map(|w| w * w).sum::<f64>() / sum_w,
            Target::Fixed(_) => sum_w,
        };
        ((chi2_statistic - df as f64) / denominator).max(0.0)
    };
    Ok(Overdispersion {
        target: theta0,
        scale,
        n_units,
        standard_errors,
        z,
        z_winsorised: winsorised.values,
        winsor_lower: winsorised.lower,
        winsor_upper: winsorised.upper,
        phi,
        chi2_statistic,
        df,
        p_value,
        tau2,
    })
}

impl Overdispersion {
    /// The adjustment parameters to pass to [`super::funnel::limits`] for the chosen adjustment.
    ///
    /// Multiplicative gives `None` when φ ≤ 1 (METHODS.md §5.4); additive gives τ², which is 0
    /// when N·φ is below its degrees of freedom, so the limits then equal the unadjusted ones.
    #[must_use]
    pub fn dispersion_adjustment(&self, adjustment: Adjustment) -> DispersionAdjustment {
        match adjustment {
            Adjustment::None => DispersionAdjustment::None,
            Adjustment::Multiplicative if self.phi > 1.0 => {
                DispersionAdjustment::Multiplicative { phi: self.phi }
            }
            Adjustment::Multiplicative => DispersionAdjustment::None,
            Adjustment::Additive => DispersionAdjustment::Additive { tau2: self.tau2 },
        }
    }

    /// The funnel method whose limits live on this analysis's scale (arcsine → arcsine, natural → normal).
    #[must_use]
    pub fn funnel_method(&self) -> FunnelMethod {
        FunnelMethod::on_scale(self.scale)
    }

    /// Whether the χ² test rejects "no overdispersion" at significance `alpha` (p-value < alpha).
    #[must_use]
    pub fn is_significant(&self, alpha: f64) -> bool {
        self.p_value < alpha
    }

    /// The adjusted z-scores, in input order (METHODS.md §5.4, §5.5).
    ///
    /// ```text
    /// none:            z_i
    /// multiplicative:  z_i / √φ              (only when φ > 1)
    /// additive:        z_i · s_i / √(s_i² + τ²)
    /// ```
    #[must_use]
    pub fn z_adjusted(&self, adjustment: Adjustment) -> Vec<f64> {
        match self.dispersion_adjustment(adjustment) {
            DispersionAdjustment::None => self.z.clone(),
            DispersionAdjustment::Multiplicative { phi } => {
                let root = phi.sqrt();
                self.z.iter().map(|z| z / root).collect()
            }
            DispersionAdjustment::Additive { tau2 } => self
                .z
                .iter()
                .zip(&self.standard_errors)
                .map(|(z, s)| z * s / (s * s + tau2).sqrt())
                .collect(),
        }
    }
}

/// z-scores of any units against a target, after an overdispersion adjustment estimated
/// elsewhere (for example over the national set, applied to every force).
///
/// ```text
/// none:            z_i
/// multiplicative:  z_i / √φ                     (only when φ > 1)
/// additive:        z_i · s_i / √(s_i² + τ²)
/// ```
///
/// with z_i and s_i on `scale` (METHODS.md §4, §5.4, §5.5).
///
/// # Errors
///
/// The errors of [`z_scores`], and [`StatsError::NegativeDispersion`] for φ or τ² below 0 or
/// not finite.
pub fn adjusted_z_scores(
    x: &[u64],
    n: &[u64],
    theta0: f64,
    scale: Scale,
    adjustment: DispersionAdjustment,
) -> Result<Vec<f64>> {
    let z = z_scores(x, n, theta0, scale)?;
    match adjustment {
        DispersionAdjustment::None => Ok(z),
        DispersionAdjustment::Multiplicative { phi } => {
            if !phi.is_finite() || phi < 0.0 {
                return Err(StatsError::NegativeDispersion {
                    what: "phi",
                    value: phi,
                });
            }
            let root = if phi > 1.0 { phi.sqrt() } else { 1.0 };
            Ok(z.iter().map(|z| z / root).collect())
        }
        DispersionAdjustment::Additive { tau2 } => {
            if !tau2.is_finite() || tau2 < 0.0 {
                return Err(StatsError::NegativeDispersion {
                    what: "tau2",
                    value: tau2,
                });
            }
            Ok(z.iter()
                .zip(n)
                .map(|(z, &ni)| {
                    let s = standard_error(ni, theta0, scale);
                    z * s / (s * s + tau2).sqrt()
                })
                .collect())
        }
    }
}

fn check_scale_target(theta0: f64, scale: Scale) -> Result<()> {
    check_target(theta0)?;
    if scale == Scale::Natural && (theta0 <= 0.0 || theta0 >= 1.0) {
        return Err(StatsError::DegenerateTarget { value: theta0 });
    }
    Ok(())
}

fn standard_error(n: u64, theta0: f64, scale: Scale) -> f64 {
    match scale {
        Scale::Arcsine => 0.5 / (n as f64).sqrt(),
        Scale::Natural => (theta0 * (1.0 - theta0) / n as f64).sqrt(),
    }
}

fn z_score(x: u64, n: u64, theta0: f64, scale: Scale) -> f64 {
    let p = x as f64 / n as f64;
    match scale {
        Scale::Arcsine => 2.0 * (n as f64).sqrt() * (p.sqrt().asin() - theta0.sqrt().asin()),
        Scale::Natural => (p - theta0) / standard_error(n, theta0, scale),
    }
}

#[cfg(test)]
mod tests;
