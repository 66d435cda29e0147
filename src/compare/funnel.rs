//! The national funnel: target, overdispersion, limits, flags and ranks for every unit.
//!
//! Invariant: φ and τ² are estimated over the national set only; every unit (members or not)
//! is then placed against the same limits. Aggregates (England and Wales totals) never appear.

use std::collections::BTreeMap;

use anyhow::{Context, Result};

use crate::compare::Counts;
use crate::config::{AdjustWhen, Config, FunnelConfig};
use crate::normalise::forces::ForceKind;
use crate::stats::{
    self, funnel as sfunnel, multiplicity, overdispersion, proportion, Adjustment,
    DispersionAdjustment, Flag, FunnelLimits, FunnelMethod, Level, Target,
};

/// One unit in the national comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct ForceRow {
    /// Canonical force name (or tidy unit).
    pub force: String,
    /// ONS code, if any.
    pub force_code: Option<String>,
    /// Σ numerator.
    pub numerator: u64,
    /// Σ denominator.
    pub denominator: u64,
    /// numerator / denominator.
    pub rate: f64,
    /// Wilson 95% interval of the rate.
    pub ci95: proportion::Interval,
    /// The funnel target θ₀.
    pub target: f64,
    /// z-score on the configured scale.
    pub z: f64,
    /// z-score after the overdispersion adjustment (equal to `z` when none is applied).
    pub z_adjusted: f64,
    /// Adjusted limits at the inner level.
    pub inner: FunnelLimits,
    /// Adjusted limits at the outer level.
    pub outer: FunnelLimits,
    /// Unadjusted limits at the inner level.
    pub inner_unadjusted: FunnelLimits,
    /// Unadjusted limits at the outer level.
    pub outer_unadjusted: FunnelLimits,
    /// Flag against the adjusted limits.
    pub flag: Flag,
    /// Flag against the unadjusted limits.
    pub flag_unadjusted: Flag,
    /// Rank by rate, highest first, among the national set (ties share the lower rank).
    pub rank: Option<usize>,
    /// Benjamini–Hochberg adjusted p-value of `z_adjusted` across the national set.
    pub p_bh: Option<f64>,
    /// Whether the unit is in the national set.
    pub in_national_set: bool,
    /// Whether the unit is a focus force.
    pub focus: bool,
    /// How many of the national set's periods the unit holds counts for.
    pub periods_present: usize,
    /// The national set's periods the unit holds no counts for (rows absent or every count
    /// missing): it is compared on the others.
    pub periods_missing: Vec<String>,
    /// Its cells in scope and period left out whole because a count was missing.
    pub incomplete_cells: u64,
    /// The unit's peer group, if any.
    pub peer_group: Option<String>,
    /// The peer group's pooled rate ΣO/Σn.
    pub peer_rate_pooled: Option<f64>,
    /// The unweighted mean of the members' rates (HMIC's MSG average, the unit included).
    pub peer_rate_mean: Option<f64>,
}

/// The national funnel's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelSummary {
    /// θ₀.
    pub target: f64,
    /// `pooled` or `fixed`.
    pub target_kind: &'static str,
    /// Units in the national set, N.
    pub n_units: usize,
    /// Overdispersion factor φ.
    pub phi: f64,
    /// N·φ.
    pub chi2_statistic: f64,
    /// Degrees of freedom of the test.
    pub df: usize,
    /// P(χ²_df > N·φ).
    pub p_value: f64,
    /// Between-unit variance τ² (on `scale`).
    pub tau2: f64,
    /// The configured adjustment.
    pub adjustment: Adjustment,
    /// Whether it was applied (see `adjust_when`).
    pub adjustment_applied: bool,
    /// Method of the unadjusted limits.
    pub method: FunnelMethod,
    /// Method of the adjusted limits (the estimation scale's).
    pub adjusted_method: FunnelMethod,
    /// The winsorisation bounds on z.
    pub winsor_bounds: (f64, f64),
}

/// The funnel limits at one denominator of the plotting grid.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GridRow {
    /// Denominator.
    pub n: u64,
    /// Adjusted inner limits.
    pub inner: FunnelLimits,
    /// Adjusted outer limits.
    pub outer: FunnelLimits,
    /// Unadjusted inner limits.
    pub inner_unadjusted: FunnelLimits,
    /// Unadjusted outer limits.
    pub outer_unadjusted: FunnelLimits,
}

/// Points on the plotting grid (plus the units' own denominators).
const GRID_POINTS: usize = 200;

/// Name of an adjustment for outputs.
pub fn adjustment_name(adjustment: Adjustment) -> &'static str {
    match adjustment {
        Adjustment::None => "none",
        Adjustment::Multiplicative => "multiplicative",
        Adjustment::Additive => "additive",
    }
}

/// Name of a funnel method for outputs.
pub fn method_name(method: FunnelMethod) -> &'static str {
    match method {
        FunnelMethod::Normal => "normal",
        FunnelMethod::Exact => "exact",
        FunnelMethod::Arcsine => "arcsine",
    }
}

/// Places every unit against the national funnel.
pub fn compare_units(
    by_unit: &BTreeMap<&str, Counts>,
    config: &Config,
    focus: &[String],
    national: &dyn Fn(&str) -> bool,
) -> Result<(Vec<ForceRow>, FunnelSummary, Vec<GridRow>)> {
    let fc = &config.funnel;
    let mut units: Vec<(&str, u64, u64)> = Vec::new();
    for (unit, counts) in by_unit {
        let aggregate = config
            .forces
            .lookup(unit)
            .is_some_and(|id| config.forces.force(id).kind == ForceKind::Aggregate);
        if aggregate {
            continue;
        }
        let (x, n) = counts.unsigned(unit)?;
        if n == 0 {
            continue;
        }
        units.push((unit, x, n));
    }
    let members: Vec<&(&str, u64, u64)> = units.iter().filter(|u| national(u.0)).collect();
    let xs: Vec<u64> = members.iter().map(|u| u.1).collect();
    let ns: Vec<u64> = members.iter().map(|u| u.2).collect();
    if xs.len() < 2 && fc.overdispersion != Adjustment::None {
        anyhow::bail!(
            "national funnel: overdispersion = {:?} needs at least 2 units in the national set to estimate the spread between units; it has {}: set overdispersion = \"none\" (with a fixed target) to place a single unit",
            adjustment_name(fc.overdispersion),
            xs.len()
        );
    }
    let od = overdispersion::estimate(&xs, &ns, fc.target, fc.scale, fc.winsorise)
        .context("national funnel")?;
    let theta0 = od.target;
    let rule = AdjustmentRule::of(&od, fc);
    let all_x: Vec<u64> = units.iter().map(|u| u.1).collect();
    let all_n: Vec<u64> = units.iter().map(|u| u.2).collect();
    let places = place_units(&all_x, &all_n, &od, &rule, fc)?;

    // Ranks and BH over the national set.
    let ranked: Vec<usize> = (0..units.len()).filter(|&i| national(units[i].0)).collect();
    let rates: Vec<f64> = ranked
        .iter()
        .map(|&i| units[i].1 as f64 / units[i].2 as f64)
        .collect();
    let mut ranks: Vec<Option<usize>> = vec![None; units.len()];
    for (&i, rank) in ranked.iter().zip(proportion::ranks_highest_first(&rates)) {
        ranks[i] = Some(rank);
    }
    let mut p_bh: Vec<Option<f64>> = vec![None; units.len()];
    if fc.benjamini_hochberg {
        let member_idx: Vec<usize> = (0..units.len()).filter(|&i| national(units[i].0)).collect();
        let z: Vec<f64> = member_idx.iter().map(|&i| places[i].z_adjusted).collect();
        let p = multiplicity::two_sided_p_values(&z)?;
        let q = multiplicity::benjamini_hochberg(&p)?;
        for (k, &i) in member_idx.iter().enumerate() {
            p_bh[i] = Some(q[k]);
        }
    }

    let mut rows = Vec::with_capacity(units.len());
    for (i, &(unit, x, n)) in units.iter().enumerate() {
        let p = x as f64 / n as f64;
        let place = places[i];
        let force_code = config
            .forces
            .lookup(unit)
            .and_then(|id| config.forces.force(id).ons_code.clone());
        rows.push(ForceRow {
            force: unit.to_string(),
            force_code,
            numerator: x,
            denominator: n,
            rate: p,
            ci95: proportion::wilson(x as f64, n as f64, Level::ninety_five())?,
            target: theta0,
            z: place.z,
            z_adjusted: place.z_adjusted,
            inner: place.inner,
            outer: place.outer,
            inner_unadjusted: place.inner_unadjusted,
            outer_unadjusted: place.outer_unadjusted,
            flag: place.flag,
            flag_unadjusted: place.flag_unadjusted,
            rank: ranks[i],
            p_bh: p_bh[i],
            in_national_set: national(unit),
            focus: focus.iter().any(|f| f == unit),
            periods_present: 0,
            periods_missing: Vec::new(),
            incomplete_cells: 0,
            peer_group: None,
            peer_rate_pooled: None,
            peer_rate_mean: None,
        });
    }

    let (grid, summary) = grid_and_summary(&all_n, &od, fc, &rule)?;
    Ok((rows, summary, grid))
}

/// One unit's place in a funnel: its z-scores, limits and flags, adjusted and not.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FunnelPlace {
    /// z-score on the configured scale.
    pub z: f64,
    /// z-score after the adjustment (equal to `z` when none is applied).
    pub z_adjusted: f64,
    /// Adjusted limits at the inner level.
    pub inner: FunnelLimits,
    /// Adjusted limits at the outer level.
    pub outer: FunnelLimits,
    /// Unadjusted limits at the inner level.
    pub inner_unadjusted: FunnelLimits,
    /// Unadjusted limits at the outer level.
    pub outer_unadjusted: FunnelLimits,
    /// Flag against the adjusted limits.
    pub flag: Flag,
    /// Flag against the unadjusted limits.
    pub flag_unadjusted: Flag,
}

/// The adjustment a funnel applies, by the rule of METHODS.md §5.6: whenever τ² > 0 (or φ > 1
/// for the multiplicative adjustment) and, with `adjust_when = significant`, only when the χ²
/// test is significant at 5%. Shared by the national and the within-force funnels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdjustmentRule {
    /// Whether the adjustment is applied.
    pub applied: bool,
    /// The method of the adjusted limits (the estimation scale's, when applied).
    pub adjusted_method: FunnelMethod,
    /// The adjustment's parameters (none when not applied).
    pub adjustment: DispersionAdjustment,
}

impl AdjustmentRule {
    /// The rule applied to an overdispersion estimate and the funnel settings.
    pub fn of(od: &overdispersion::Overdispersion, fc: &FunnelConfig) -> AdjustmentRule {
        let wanted = od.dispersion_adjustment(fc.overdispersion);
        let applied = wanted != DispersionAdjustment::None
            && match wanted {
                DispersionAdjustment::Additive { tau2 } => tau2 > 0.0,
                _ => true,
            }
            && (fc.adjust_when == AdjustWhen::Tau2Positive || od.is_significant(0.05));
        AdjustmentRule {
            applied,
            adjusted_method: if applied {
                od.funnel_method()
            } else {
                fc.method
            },
            adjustment: if applied {
                wanted
            } else {
                DispersionAdjustment::None
            },
        }
    }
}

/// Places units (`xs` over `ns`, every n > 0) against the target θ₀ of `od`: z-scores,
/// limits at both levels, adjusted by `rule` and not, and flags.
pub fn place_units(
    xs: &[u64],
    ns: &[u64],
    od: &overdispersion::Overdispersion,
    rule: &AdjustmentRule,
    fc: &FunnelConfig,
) -> Result<Vec<FunnelPlace>> {
    let theta0 = od.target;
    let (inner_level, outer_level) = (fc.levels.inner(), fc.levels.outer());
    let z = overdispersion::z_scores(xs, ns, theta0, fc.scale)?;
    let z_adjusted = overdispersion::adjusted_z_scores(xs, ns, theta0, fc.scale, rule.adjustment)?;
    let limits = |n: u64, method: FunnelMethod, adj: DispersionAdjustment, level: Level| {
        sfunnel::limits(method, theta0, n, level, adj)
    };
    let mut places = Vec::with_capacity(xs.len());
    for (i, (&x, &n)) in xs.iter().zip(ns).enumerate() {
        let p = x as f64 / n as f64;
        let inner_unadjusted = limits(n, fc.method, DispersionAdjustment::None, inner_level)?;
        let outer_unadjusted = limits(n, fc.method, DispersionAdjustment::None, outer_level)?;
        let (inner, outer) = if rule.applied {
            (
                limits(n, rule.adjusted_method, rule.adjustment, inner_level)?,
                limits(n, rule.adjusted_method, rule.adjustment, outer_level)?,
            )
        } else {
            (inner_unadjusted, outer_unadjusted)
        };
        places.push(FunnelPlace {
            z: z[i],
            z_adjusted: z_adjusted[i],
            inner,
            outer,
            inner_unadjusted,
            outer_unadjusted,
            flag: stats::classify(p, &outer, &inner)?,
            flag_unadjusted: stats::classify(p, &outer_unadjusted, &inner_unadjusted)?,
        });
    }
    Ok(places)
}

/// The limits along a grid of denominators spanning `ns` (what the funnel plot draws), and the
/// funnel's parameters: shared by the national funnel and the record-level extract's funnels.
pub(crate) fn grid_and_summary(
    ns: &[u64],
    od: &overdispersion::Overdispersion,
    fc: &FunnelConfig,
    rule: &AdjustmentRule,
) -> Result<(Vec<GridRow>, FunnelSummary)> {
    let (applied, adjusted_method, adjustment) =
        (rule.applied, rule.adjusted_method, rule.adjustment);
    let theta0 = od.target;
    let (inner_level, outer_level) = (fc.levels.inner(), fc.levels.outer());
    let min_n = ns.iter().copied().min().unwrap_or(1);
    let max_n = ns.iter().copied().max().unwrap_or(1);
    let grid_points = sfunnel::grid((min_n / 2).max(1), max_n + max_n / 10, GRID_POINTS, ns)?;
    // Truncated as each unit's limits are, so the drawn curve passes through them.
    let on_grid = |method, adj, level| {
        sfunnel::truncated_limits_on_grid(method, theta0, &grid_points, level, adj)
    };
    let inner_u = on_grid(fc.method, DispersionAdjustment::None, inner_level)?;
    let outer_u = on_grid(fc.method, DispersionAdjustment::None, outer_level)?;
    let (inner_a, outer_a) = if applied {
        (
            on_grid(adjusted_method, adjustment, inner_level)?,
            on_grid(adjusted_method, adjustment, outer_level)?,
        )
    } else {
        (inner_u.clone(), outer_u.clone())
    };
    let grid = grid_points
        .iter()
        .enumerate()
        .map(|(k, &n)| GridRow {
            n,
            inner: inner_a[k],
            outer: outer_a[k],
            inner_unadjusted: inner_u[k],
            outer_unadjusted: outer_u[k],
        })
        .collect();
    let summary = FunnelSummary {
        target: theta0,
        target_kind: match fc.target {
            Target::Pooled => "pooled",
            Target::Fixed(_) => "fixed",
        },
        n_units: od.n_units,
        phi: od.phi,
        chi2_statistic: od.chi2_statistic,
        df: od.df,
        p_value: od.p_value,
        tau2: od.tau2,
        adjustment: fc.overdispersion,
        adjustment_applied: applied,
        method: fc.method,
        adjusted_method,
        winsor_bounds: (od.winsor_lower, od.winsor_upper),
    };
    Ok((grid, summary))
}
