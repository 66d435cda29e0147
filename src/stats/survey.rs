//! A proportion estimated from a stratified simple random sample drawn without replacement
//! (a case-file audit): the estimate, its design variance and degrees of freedom, its
//! intervals, the total, each stratum's exact interval, bounds for a partly reviewed sample,
//! and the sample sizes a target precision needs.
//!
//! Every formula is METHODS-2.md §1–§5, written as R's `survey` package (Lumley, 4.1.1)
//! computes it: `svydesign(ids = ~1, strata = ~h, fpc = ~N_h)`, `svymean`, `svytotal` and
//! `svyciprop`; the tests hold the values that package prints.
//!
//! Invariant: nothing here knows what is being audited; a stratum is three counts.

use super::distribution::{beta_quantile, t_quantile_upper};
use super::error::{Result, StatsError};
use super::level::Level;
use super::proportion::Interval;

/// One stratum of the audit: its population, the cases reviewed and the positive findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stratum {
    /// N_h: the cases in the stratum's population.
    pub population: u64,
    /// n_h: the cases reviewed (for a partly reviewed sample, r_h, the reviewed ones only).
    pub reviewed: u64,
    /// y_h: the reviewed cases with the finding.
    pub positives: u64,
}

/// What to do with a stratum of one reviewed case out of more (survey's
/// `options(survey.lonely.psu)`; METHODS-2.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LonelyStratum {
    /// An error naming the stratum (survey's default).
    Fail,
    /// The stratum adds nothing to the variance (also survey's `certainty`).
    Remove,
    /// The lone case is centred at the overall estimate.
    Adjust,
    /// Lonely strata are left out of the variance and the rest scaled up by H/(H − H₁).
    Average,
}

/// The stratified estimate of a proportion.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// p̂ = Σ W_h p̂_h.
    pub p: f64,
    /// V̂(p̂), with the finite-population correction.
    pub variance: f64,
    /// √V̂.
    pub se: f64,
    /// Degrees of freedom: cases reviewed minus strata.
    pub df: u64,
    /// Cases reviewed, n.
    pub n: u64,
    /// Reviewed cases with the finding, Σ y_h.
    pub positives: u64,
    /// The population, N.
    pub population: u64,
    /// The design effect against a simple random sample of the same n (svymean's `deff`).
    pub deff: f64,
    /// The effective sample size p̂(1 − p̂)/V̂ (svyciprop's `beta`); NaN when V̂ = 0.
    pub n_eff: f64,
    /// Kish's (Σw)²/Σw², from the weights alone.
    pub n_kish: f64,
}

/// The stratified estimate (METHODS-2.md §1):
///
/// ```text
/// p̂ = Σ_h W_h p̂_h,  W_h = N_h / N,  p̂_h = y_h / n_h
/// V̂ = Σ_h W_h² (1 − f_h) p̂_h (1 − p̂_h) / (n_h − 1),  f_h = n_h / N_h,  df = n − H
/// ```
///
/// A census stratum (n_h = N_h) adds nothing to V̂, whatever its size; a stratum of one case
/// out of more follows `lonely`.
///
/// # Errors
///
/// [`StatsError::EmptyInput`] with no strata; [`StatsError::StratumNotReviewed`] for a
/// stratum with no case reviewed (or an empty population); [`StatsError::NumeratorExceedsDenominator`]
/// when a stratum has more positives than reviewed cases or more reviewed cases than its
/// population; [`StatsError::LonelyStratum`] for a lonely stratum under
/// [`LonelyStratum::Fail`].
pub fn estimate(strata: &[Stratum], lonely: LonelyStratum) -> Result<Estimate> {
    if strata.is_empty() {
        return Err(StatsError::EmptyInput { what: "strata" });
    }
    for (index, s) in strata.iter().enumerate() {
        if s.reviewed == 0 || s.population == 0 {
            return Err(StatsError::StratumNotReviewed { index });
        }
        for (numerator, denominator) in [(s.positives, s.reviewed), (s.reviewed, s.population)] {
            if numerator > denominator {
                return Err(StatsError::NumeratorExceedsDenominator {
                    numerator: numerator as f64,
                    denominator: denominator as f64,
                });
            }
        }
    }
    let population: u64 = strata.iter().map(|s| s.population).sum();
    let n: u64 = strata.iter().map(|s| s.reviewed).sum();
    let big_n = population as f64;
    let share = |s: &Stratum| s.population as f64 / big_n;
    let rate = |s: &Stratum| s.positives as f64 / s.reviewed as f64;
    let positives: u64 = strata.iter().map(|s| s.positives).sum();
    // Exactly 0 or 1 when every finding is the same, whatever the rounding of the sum.
    let p: f64 = match positives {
        0 => 0.0,
        k if k == n => 1.0,
        _ => strata.iter().map(|s| share(s) * rate(s)).sum(),
    };
    // Census strata first (survey tests f_h before it looks for lonely strata), then lonely
    // strata, then the rest.
    let census = |s: &Stratum| s.reviewed as f64 / s.population as f64 > 1.0 - 1e-7;
    let lonely_strata = strata
        .iter()
        .filter(|s| !census(s) && s.reviewed == 1)
        .count();
    let mut variance = 0.0;
    for (index, s) in strata.iter().enumerate() {
        let (w, f) = (share(s), s.reviewed as f64 / s.population as f64);
        if census(s) {
            continue;
        }
        if s.reviewed == 1 {
            match lonely {
                LonelyStratum::Fail => return Err(StatsError::LonelyStratum { index }),
                LonelyStratum::Remove | LonelyStratum::Average => {}
                LonelyStratum::Adjust => {
                    let y = s.positives as f64;
                    variance += (1.0 - f) * w * w * (y - p) * (y - p);
                }
            }
            continue;
        }
        let ph = rate(s);
        variance += w * w * (1.0 - f) * ph * (1.0 - ph) / (s.reviewed as f64 - 1.0);
    }
    if lonely == LonelyStratum::Average && lonely_strata > 0 && lonely_strata < strata.len() {
        let h = strata.len() as f64;
        variance *= h / (h - lonely_strata as f64);
    }
    let n_f = n as f64;
    let v_srs = if n > 1 {
        n_f / (n_f - 1.0) * p * (1.0 - p) * (1.0 - n_f / big_n) / n_f
    } else {
        f64::NAN
    };
    let sum_w2: f64 = strata
        .iter()
        .map(|s| (s.population as f64).powi(2) / s.reviewed as f64)
        .sum();
    Ok(Estimate {
        p,
        variance,
        se: variance.sqrt(),
        df: n.saturating_sub(strata.len() as u64),
        n,
        positives,
        population,
        deff: variance / v_srs,
        n_eff: p * (1.0 - p) / variance,
        n_kish: big_n * big_n / sum_w2,
    })
}

/// How the interval of an audited proportion is made (METHODS-2.md §2; survey's
/// `svyciprop` methods of the same names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntervalMethod {
    /// p̂ ± t·SE (can leave [0, 1]).
    Mean,
    /// The delta method on the logit scale, with t (survey's `logit` and `xlogit`).
    Logit,
    /// Korn–Graubard: Clopper–Pearson on the effective sample size, shrunk by the design's
    /// degrees of freedom; at p̂ = 0 or 1 on n itself. `cap` caps the effective size at n
    /// (the NCHS convention).
    KornGraubard {
        /// Cap n* at n.
        cap: bool,
    },
}

/// The interval of an audited proportion.
///
/// ```text
/// t     = t_{df, 1 − α/2}
/// Mean  p̂ ± t·SE
/// Logit expit( logit p̂ ± t·SE / (p̂(1 − p̂)) )
/// KG    n* = n_eff · (t_{n−1} / t_{df})²  (n* = n when p̂ ∈ {0, 1}; capped at n if asked)
///       L = B⁻¹(α/2; n*p̂, n*(1 − p̂) + 1),  U = B⁻¹(1 − α/2; n*p̂ + 1, n*(1 − p̂))
/// ```
///
/// # Errors
///
/// [`StatsError::TooFewUnits`] when the design has no degrees of freedom (one case per
/// stratum); [`StatsError::NonFinite`] for the logit interval at p̂ = 0 or 1, where it is not
/// defined.
pub fn interval(estimate: &Estimate, method: IntervalMethod, level: Level) -> Result<Interval> {
    if estimate.df == 0 {
        return Err(StatsError::TooFewUnits { needed: 1, got: 0 });
    }
    let tail = level.alpha();
    let t = t_quantile_upper(estimate.df as f64, tail)?;
    let p = estimate.p;
    match method {
        IntervalMethod::Mean => Ok(Interval {
            lower: p - t * estimate.se,
            upper: p + t * estimate.se,
        }),
        IntervalMethod::Logit => {
            if p <= 0.0 || p >= 1.0 {
                return Err(StatsError::NonFinite {
                    what: "logit of the estimate",
                    value: p,
                });
            }
            let centre = (p / (1.0 - p)).ln();
            let half = t * estimate.se / (p * (1.0 - p));
            let expit = |x: f64| 1.0 / (1.0 + (-x).exp());
            Ok(Interval {
                lower: expit(centre - half),
                upper: expit(centre + half),
            })
        }
        IntervalMethod::KornGraubard { cap } => {
            let n = estimate.n as f64;
            let boundary = estimate.positives == 0
                || estimate.positives == estimate.n
                || estimate.variance <= 0.0;
            let mut n_star = if boundary {
                n
            } else {
                let t_srs = t_quantile_upper(n - 1.0, tail)?;
                estimate.n_eff * (t_srs / t).powi(2)
            };
            if cap {
                n_star = n_star.min(n);
            }
            let half = tail / 2.0;
            let x = n_star * p;
            let lower = if x <= 0.0 {
                0.0
            } else {
                beta_quantile(x, n_star - x + 1.0, half)?
            };
            let upper = if n_star - x <= 0.0 {
                1.0
            } else {
                beta_quantile(x + 1.0, n_star - x, 1.0 - half)?
            };
            Ok(Interval { lower, upper })
        }
    }
}

/// The interval of the population total N·p: N times the proportion's interval, within what
/// the sample itself proves (at least Σ y_h positives and Σ (n_h − y_h) negatives).
#[must_use]
pub fn total_interval(strata: &[Stratum], proportion: Interval) -> Interval {
    let population: u64 = strata.iter().map(|s| s.population).sum();
    let positives: u64 = strata.iter().map(|s| s.positives).sum();
    let negatives: u64 = strata.iter().map(|s| s.reviewed - s.positives).sum();
    let big_n = population as f64;
    let (floor, ceiling) = (positives as f64, big_n - negatives as f64);
    Interval {
        lower: (big_n * proportion.lower).clamp(floor, ceiling),
        upper: (big_n * proportion.upper).clamp(floor, ceiling),
    }
}

/// A stratum's exact interval for its share of positives, from the hypergeometric law of a
/// sample drawn without replacement (Buonaccorsi 1987; METHODS-2.md §3): every M with
/// P(X ≥ y | M) > α/2 and P(X ≤ y | M) > α/2, X ~ Hypergeometric(N, M, n), as M / N.
///
/// # Errors
///
/// [`StatsError::NumeratorExceedsDenominator`] when y > n or n > N;
/// [`StatsError::StratumNotReviewed`] when n = 0.
pub fn stratum_interval(stratum: Stratum, level: Level) -> Result<Interval> {
    let Stratum {
        population: big_n,
        reviewed: n,
        positives: y,
    } = stratum;
    if n == 0 {
        return Err(StatsError::StratumNotReviewed { index: 0 });
    }
    for (numerator, denominator) in [(y, n), (n, big_n)] {
        if numerator > denominator {
            return Err(StatsError::NumeratorExceedsDenominator {
                numerator: numerator as f64,
                denominator: denominator as f64,
            });
        }
    }
    let half = level.alpha() / 2.0;
    // ln k! for every k the search needs, each as `ln_factorial` gives it (the running sum
    // below 256 adds the same terms in the same order), so a pmf costs three lookups.
    let mut table = Vec::with_capacity(big_n as usize + 1);
    let mut running = 0.0;
    for k in 0..=big_n {
        if (2..256).contains(&k) {
            running += (k as f64).ln();
        }
        table.push(if k < 256 { running } else { ln_factorial(k) });
    }
    let ln_choose =
        |a: u64, b: u64| table[a as usize] - table[b as usize] - table[(a - b) as usize];
    let ln_total = ln_choose(big_n, n);
    let kept = |m: u64| -> bool {
        // The support of X: max(0, n − (N − M)) ..= min(n, M).
        let low = n.saturating_sub(big_n - m);
        let high = n.min(m);
        if y < low || y > high {
            return false;
        }
        let pmf = |k: u64| (ln_choose(m, k) + ln_choose(big_n - m, n - k) - ln_total).exp();
        let at_least: f64 = (y..=high).map(pmf).sum();
        let at_most: f64 = (low..=y).map(pmf).sum();
        at_least > half && at_most > half
    };
    let first = (0..=big_n).find(|&m| kept(m)).unwrap_or(y);
    let last = (0..=big_n).rev().find(|&m| kept(m)).unwrap_or(y);
    Ok(Interval {
        lower: first as f64 / big_n as f64,
        upper: last as f64 / big_n as f64,
    })
}

/// ln k!, exactly summed for small k and by ln Γ beyond.
fn ln_factorial(k: u64) -> f64 {
    if k < 256 {
        (2..=k).map(|i| (i as f64).ln()).sum()
    } else {
        statrs::function::gamma::ln_gamma(k as f64 + 1.0)
    }
}

/// Bounds on the proportion of a partly reviewed sample that assume nothing about the cases
/// still pending (Manski 2003; METHODS-2.md §4): every pending case negative, then every one
/// positive. `drawn[h]` is n_h, the cases drawn in stratum h; `strata[h].reviewed` is r_h.
///
/// # Errors
///
/// [`StatsError::LengthMismatch`] when the two slices differ in length;
/// [`StatsError::NumeratorExceedsDenominator`] when a stratum has more reviewed than drawn.
pub fn pending_bounds(strata: &[Stratum], drawn: &[u64]) -> Result<Interval> {
    if strata.len() != drawn.len() {
        return Err(StatsError::LengthMismatch {
            what: "strata and drawn sizes",
            left: strata.len(),
            right: drawn.len(),
        });
    }
    let big_n: f64 = strata.iter().map(|s| s.population as f64).sum();
    let (mut lower, mut upper) = (0.0, 0.0);
    for (s, &n) in strata.iter().zip(drawn) {
        if s.reviewed > n || n == 0 {
            return Err(StatsError::NumeratorExceedsDenominator {
                numerator: s.reviewed as f64,
                denominator: n as f64,
            });
        }
        let w = s.population as f64 / big_n;
        let pending = (n - s.reviewed) as f64;
        lower += w * s.positives as f64 / n as f64;
        upper += w * (s.positives as f64 + pending) / n as f64;
    }
    Ok(Interval { lower, upper })
}

/// The Rao–Scott test that strata differ in their share of positives (R survey's
/// `svychisq(~stratum + y, design)`, `statistic = "F"`; METHODS-2.md §3), with the smallest
/// expected sample count beside it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StrataTest {
    /// F = X² / tr Δ, X² being Pearson's statistic on the design-weighted table scaled to the
    /// n reviewed cases.
    pub statistic: f64,
    /// Its numerator degrees of freedom, d = (tr Δ)² / tr Δ².
    pub df_numerator: f64,
    /// Its denominator degrees of freedom, d (n − H).
    pub df_denominator: f64,
    /// Its p-value.
    pub p_value: f64,
    /// Pearson's X² on the weighted table, before the design correction.
    pub pearson: f64,
    /// The smallest expected count of the H × 2 table of reviewed cases (below 5, the F
    /// approximation is rough).
    pub smallest_expected: f64,
}

/// [`StrataTest`] on each stratum's (N_h, reviewed r_h, positives y_h), over the strata with
/// a reviewed case; `None` with fewer than two such strata, when every case or none is
/// positive, or when the design leaves the test undefined (tr Δ = 0, as when each stratum's
/// cases all agree).
///
/// Each stratum is a simple random sample of r_h from N_h, so the design covariance of the
/// 2H cell proportions is block diagonal: stratum h contributes
/// (1 − r_h/N_h) (N_h/N)² q_h(1 − q_h)/(r_h − 1) · [[1, −1], [−1, 1]] with q_h = y_h/r_h
/// (nothing when r_h = 1: such a stratum adds no variance). The interaction contrasts are the
/// double-centred cell indicators, the residuals of `svychisq`'s interaction columns on its
/// main effects; tr Δ and tr Δ² do not depend on that choice of basis.
#[must_use]
pub fn strata_differ(strata: &[Stratum]) -> Option<StrataTest> {
    let rows: Vec<Stratum> = strata.iter().copied().filter(|s| s.reviewed > 0).collect();
    let h = rows.len();
    let n: u64 = rows.iter().map(|s| s.reviewed).sum();
    let y: u64 = rows.iter().map(|s| s.positives).sum();
    if h < 2 || y == 0 || y == n || rows.iter().any(|s| s.positives > s.reviewed) {
        return None;
    }
    let n_f = n as f64;
    let big_n: f64 = rows.iter().map(|s| s.population as f64).sum();
    // Cell k = 2 g + c: stratum g, c = 1 for a positive.
    let mut mean = vec![0.0; 2 * h];
    let mut block = vec![0.0; h];
    let mut smallest = f64::INFINITY;
    for (g, s) in rows.iter().enumerate() {
        let (big, r) = (s.population as f64, s.reviewed as f64);
        let q = s.positives as f64 / r;
        mean[2 * g] = big / big_n * (1.0 - q);
        mean[2 * g + 1] = big / big_n * q;
        if s.reviewed > 1 && s.reviewed < s.population {
            block[g] = (1.0 - r / big) * (big / big_n).powi(2) * q * (1.0 - q) / (r - 1.0);
        }
        for column in [y as f64, (n - y) as f64] {
            smallest = smallest.min(r * column / n_f);
        }
    }
    // Pearson on the weighted table scaled to n.
    let column = [
        (0..h).map(|g| mean[2 * g]).sum::<f64>(),
        (0..h).map(|g| mean[2 * g + 1]).sum::<f64>(),
    ];
    let mut pearson = 0.0;
    for g in 0..h {
        let row = mean[2 * g] + mean[2 * g + 1];
        for c in 0..2 {
            let expected = n_f * row * column[c];
            pearson += (n_f * mean[2 * g + c] - expected).powi(2) / expected;
        }
    }
    // Contrast j (stratum j + 1, positive), double-centred over the H × 2 grid.
    let contrast = |k: usize, j: usize| -> f64 {
        let (g, c) = (k / 2, k % 2);
        let cell = f64::from(u8::from(g == j + 1 && c == 1));
        let row = if g == j + 1 { 0.5 } else { 0.0 };
        let col = if c == 1 { 1.0 / h as f64 } else { 0.0 };
        cell - row - col + 1.0 / (2.0 * h as f64)
    };
    let inverse = |k: usize| if mean[k] > 0.0 { 1.0 / mean[k] } else { 0.0 };
    let m = h - 1;
    let mut denominator = vec![vec![0.0; m]; m];
    let mut numerator = vec![vec![0.0; m]; m];
    for a in 0..m {
        for b in 0..m {
            denominator[a][b] = (0..2 * h)
                .map(|k| contrast(k, a) * inverse(k) * contrast(k, b) / n_f)
                .sum();
            // (D⁻¹ C̃) for the two cells of each stratum, through its 2 × 2 block.
            numerator[a][b] = (0..h)
                .map(|g| {
                    let (k0, k1) = (2 * g, 2 * g + 1);
                    let ua = contrast(k0, a) * inverse(k0) - contrast(k1, a) * inverse(k1);
                    let ub = contrast(k0, b) * inverse(k0) - contrast(k1, b) * inverse(k1);
                    block[g] * ua * ub
                })
                .sum();
        }
    }
    let delta = solve(denominator, numerator)?;
    let trace: f64 = (0..m).map(|i| delta[i][i]).sum();
    let trace_squared: f64 = (0..m)
        .map(|i| (0..m).map(|j| delta[i][j] * delta[j][i]).sum::<f64>())
        .sum();
    if !(trace > 0.0 && trace_squared > 0.0) {
        return None;
    }
    let statistic = pearson / trace;
    let df_numerator = trace * trace / trace_squared;
    let df_denominator = df_numerator * (n - h as u64) as f64;
    let p_value =
        super::distribution::f_upper_tail(df_numerator, df_denominator, statistic).ok()?;
    Some(StrataTest {
        statistic,
        df_numerator,
        df_denominator,
        p_value,
        pearson,
        smallest_expected: smallest,
    })
}

/// A⁻¹ B by Gauss–Jordan elimination with partial pivoting; `None` when A is singular.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<Vec<f64>>) -> Option<Vec<Vec<f64>>> {
    let m = a.len();
    let scale = a
        .iter()
        .flatten()
        .fold(0.0_f64, |s, v| s.max(v.abs()))
        .max(f64::MIN_POSITIVE);
    for col in 0..m {
        let pivot = (col..m).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() <= 1e-13 * scale {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        let p = a[col][col];
        for v in a[col].iter_mut() {
            *v /= p;
        }
        for v in b[col].iter_mut() {
            *v /= p;
        }
        for row in 0..m {
            if row != col {
                let factor = a[row][col];
                if factor != 0.0 {
                    for k in 0..m {
                        a[row][k] -= factor * a[col][k];
                        b[row][k] -= factor * b[col][k];
                    }
                }
            }
        }
    }
    Some(b)
}

/// How a planned sample is shared between strata (METHODS-2.md §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allocation {
    /// n_h ∝ N_h.
    Proportional,
    /// n_h ∝ N_h S_h (Neyman), strata that overflow taken whole.
    Neyman,
}

/// A planned audit sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The total before rounding (for the strata not taken whole, plus those taken whole).
    pub n: f64,
    /// n_h after rounding up and forcing 2 ≤ n_h ≤ N_h.
    pub sizes: Vec<u64>,
    /// z·√V at the rounded sizes and the planning values.
    pub half_width: f64,
}

/// The stratum sizes for an interval half-width of `margin` at `level`, from each stratum's
/// population and planning value P_h (0.5 when nothing is known):
///
/// ```text
/// S_h² = N_h P_h (1 − P_h)/(N_h − 1),  V₀ = (d/z)²,  W_h = N_h/N
/// proportional: n = n₀/(1 + n₀/N),  n₀ = Σ W_h S_h² / V₀,  n_h = n W_h
/// Neyman:       n = (Σ W_h S_h)² / (V₀ + Σ W_h S_h²/N),  n_h = n W_h S_h / Σ W_k S_k
/// ```
///
/// (Cochran 1977, ch. 5). A Neyman n_h above N_h takes the stratum whole and the rest is
/// solved again; every n_h is rounded up and kept within 2 ≤ n_h ≤ N_h.
///
/// # Errors
///
/// [`StatsError::EmptyInput`] with no strata; [`StatsError::LengthMismatch`] when the slices
/// differ; [`StatsError::ProbabilityOutOfRange`] for a planning value outside [0, 1];
/// [`StatsError::NonFinite`] for a margin that is not positive.
pub fn plan(
    populations: &[u64],
    planning: &[f64],
    margin: f64,
    level: Level,
    allocation: Allocation,
) -> Result<Plan> {
    if populations.is_empty() {
        return Err(StatsError::EmptyInput { what: "strata" });
    }
    if populations.len() != planning.len() {
        return Err(StatsError::LengthMismatch {
            what: "populations and planning values",
            left: populations.len(),
            right: planning.len(),
        });
    }
    if !(margin.is_finite() && margin > 0.0) {
        return Err(StatsError::NonFinite {
            what: "margin",
            value: margin,
        });
    }
    for &p in planning {
        if !(0.0..=1.0).contains(&p) {
            return Err(StatsError::ProbabilityOutOfRange { value: p });
        }
    }
    let big_n: f64 = populations.iter().map(|&n| n as f64).sum();
    let z = level.z();
    let v0 = (margin / z).powi(2);
    let s2: Vec<f64> = populations
        .iter()
        .zip(planning)
        .map(|(&n, &p)| {
            let n = n as f64;
            if n > 1.0 {
                n * p * (1.0 - p) / (n - 1.0)
            } else {
                0.0
            }
        })
        .collect();
    let w: Vec<f64> = populations.iter().map(|&n| n as f64 / big_n).collect();
    let mut real = vec![0.0; populations.len()];
    let n_total;
    match allocation {
        Allocation::Proportional => {
            let n0: f64 = w.iter().zip(&s2).map(|(w, s)| w * s).sum::<f64>() / v0;
            n_total = n0 / (1.0 + n0 / big_n);
            for (h, r) in real.iter_mut().enumerate() {
                *r = n_total * w[h];
            }
        }
        Allocation::Neyman => {
            // Strata taken whole add no variance; the rest share what remains of V₀.
            let mut whole = vec![false; populations.len()];
            loop {
                let open: Vec<usize> = (0..populations.len()).filter(|&h| !whole[h]).collect();
                let sum_ws: f64 = open.iter().map(|&h| w[h] * s2[h].sqrt()).sum();
                let sum_ws2: f64 = open.iter().map(|&h| w[h] * s2[h]).sum();
                let n_open = sum_ws * sum_ws / (v0 + sum_ws2 / big_n);
                let mut overflow = false;
                for &h in &open {
                    real[h] = if sum_ws > 0.0 {
                        n_open * w[h] * s2[h].sqrt() / sum_ws
                    } else {
                        0.0
                    };
                    if real[h] > populations[h] as f64 {
                        whole[h] = true;
                        overflow = true;
                    }
                }
                for h in 0..populations.len() {
                    if whole[h] {
                        real[h] = populations[h] as f64;
                    }
                }
                if !overflow || open.is_empty() {
                    n_total = real.iter().sum();
                    break;
                }
            }
        }
    }
    let sizes: Vec<u64> = real
        .iter()
        .zip(populations)
        .map(|(&r, &big)| ((r - 1e-9).ceil().max(2.0) as u64).min(big))
        .collect();
    let half_width = half_width(populations, &sizes, planning, level)?;
    Ok(Plan {
        n: n_total,
        sizes,
        half_width,
    })
}

/// The half-width z·√V of the 95% (or `level`) interval that stratum sizes `sizes` give at
/// planning shares `planning` (METHODS-2.md §5, the normal approximation the planner uses):
/// V = Σ W_h² (1 − n_h/N_h) S_h² / n_h, S_h² = N_h P_h (1 − P_h)/(N_h − 1).
///
/// # Errors
///
/// [`StatsError::LengthMismatch`] when the slices differ in length;
/// [`StatsError::StratumNotReviewed`] for a stratum of size 0.
pub fn half_width(
    populations: &[u64],
    sizes: &[u64],
    planning: &[f64],
    level: Level,
) -> Result<f64> {
    if populations.len() != sizes.len() || populations.len() != planning.len() {
        return Err(StatsError::LengthMismatch {
            what: "populations, sizes and planning values",
            left: populations.len(),
            right: sizes.len().min(planning.len()),
        });
    }
    let big_n: f64 = populations.iter().map(|&n| n as f64).sum();
    let mut variance = 0.0;
    for (index, ((&big, &n), &p)) in populations.iter().zip(sizes).zip(planning).enumerate() {
        if n == 0 {
            return Err(StatsError::StratumNotReviewed { index });
        }
        let (big, n) = (big as f64, n as f64);
        let s2 = if big > 1.0 {
            big * p * (1.0 - p) / (big - 1.0)
        } else {
            0.0
        };
        let w = big / big_n;
        variance += w * w * (1.0 - n / big) * s2 / n;
    }
    Ok(level.z() * variance.sqrt())
}

#[cfg(test)]
mod tests;
