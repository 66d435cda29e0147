//! Offence mix: each focus force's rate by stratum against the national stratum rates, the
//! indirectly standardised ratio, and the excess split into offence mix and the rest.
//!
//! Invariant: reference stratum rates are pooled over the national set in the comparison
//! period, the force itself included (METHODS.md §8.3); the arithmetic is `stats::standardise`.

use std::collections::BTreeMap;

use anyhow::{Context, Result};

use crate::compare::Counts;
use crate::config::{Config, Strata};
use crate::measure::Cell;
use crate::stats::{standardise, Interval, Level};

/// One stratum of one focus force.
#[derive(Debug, Clone, PartialEq)]
pub struct MixRow {
    /// The focus force.
    pub force: String,
    /// The stratum: an offence group, or an offence code.
    pub stratum: String,
    /// For code strata, the offence description.
    pub description: String,
    /// The force's numerator O_j.
    pub numerator: u64,
    /// The force's denominator n_j.
    pub denominator: u64,
    /// O_j / n_j (NaN when n_j = 0).
    pub rate: f64,
    /// The national rate r_j.
    pub national_rate: f64,
    /// n_j · r_j.
    pub expected: f64,
    /// n_j · (r_j − θ₀): the part of the gap this stratum's share explains.
    pub mix: f64,
    /// O_j − n_j · r_j: the part it does not.
    pub unexplained: f64,
}

/// One focus force's standardised ratio and excess split.
#[derive(Debug, Clone, PartialEq)]
pub struct MixSummary {
    /// The focus force.
    pub force: String,
    /// O.
    pub observed: u64,
    /// n.
    pub denominator: u64,
    /// E = Σ n_j r_j.
    pub expected: f64,
    /// O / E.
    pub ratio: f64,
    /// 95% interval of O / E.
    pub ratio_ci95: Interval,
    /// `exact` (O < 10) or `byar`.
    pub interval_method: &'static str,
    /// O − n·θ₀.
    pub gap: f64,
    /// E − n·θ₀: explained by offence mix.
    pub mix: f64,
    /// O − E: not explained by offence mix (the excess).
    pub excess: f64,
}

/// The decomposition for every focus force.
pub fn offence_mix(
    cells: &[&Cell],
    config: &Config,
    focus: &[String],
    national: &dyn Fn(&str) -> bool,
    theta0: f64,
) -> Result<(Vec<MixRow>, Vec<MixSummary>)> {
    let stratum_of = |cell: &Cell| -> String {
        match config.strata {
            Strata::OffenceGroup => cell.group.clone(),
            Strata::OffenceCode => cell.code.clone(),
        }
    };
    let mut reference: BTreeMap<String, Counts> = BTreeMap::new();
    let mut descriptions: BTreeMap<String, String> = BTreeMap::new();
    for cell in cells.iter().filter(|c| national(&c.unit)) {
        reference.entry(stratum_of(cell)).or_default().add(cell);
        if config.strata == Strata::OffenceCode {
            descriptions
                .entry(cell.code.clone())
                .and_modify(|d| {
                    if cell.description < *d {
                        *d = cell.description.clone();
                    }
                })
                .or_insert_with(|| cell.description.clone());
        }
    }
    let mut rows = Vec::new();
    let mut summaries = Vec::new();
    for force in focus {
        let mut own: BTreeMap<String, Counts> = BTreeMap::new();
        for cell in cells.iter().filter(|c| &c.unit == force) {
            own.entry(stratum_of(cell)).or_default().add(cell);
        }
        if own.is_empty() {
            continue;
        }
        let mut strata = Vec::new();
        let mut names = Vec::new();
        for (name, reference_counts) in &reference {
            let (rx, rn) = reference_counts.unsigned(&format!("national {name}"))?;
            if rn == 0 {
                continue;
            }
            let counts = own.get(name).copied().unwrap_or_default();
            let (x, n) = counts.unsigned(&format!("{force} {name}"))?;
            strata.push(standardise::Stratum {
                observed: x,
                denominator: n,
                reference_rate: rx as f64 / rn as f64,
            });
            names.push(name.clone());
        }
        let result = standardise::indirect(&strata, theta0, Level::ninety_five())
            .with_context(|| format!("offence mix for {force}"))?;
        for ((name, stratum), split) in names.iter().zip(&strata).zip(&result.strata) {
            rows.push(MixRow {
                force: force.clone(),
                stratum: name.clone(),
                description: descriptions.get(name).cloned().unwrap_or_default(),
                numerator: stratum.observed,
                denominator: stratum.denominator,
                rate: stratum.observed as f64 / stratum.denominator as f64,
                national_rate: stratum.reference_rate,
                expected: split.expected,
                mix: split.mix,
                unexplained: split.unexplained,
            });
        }
        summaries.push(MixSummary {
            force: force.clone(),
            observed: result.observed,
            denominator: result.denominator,
            expected: result.expected,
            ratio: result.ratio,
            ratio_ci95: result.ratio_interval,
            interval_method: match result.interval_method {
                standardise::CountIntervalMethod::Exact => "exact",
                standardise::CountIntervalMethod::Byar => "byar",
            },
            gap: result.gap,
            mix: result.mix,
            excess: result.excess,
        });
    }
    Ok((rows, summaries))
}
