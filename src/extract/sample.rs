//! The audit sample: a reproducible stratified random sample of domestic-abuse crimes closed
//! with a numerator outcome (outcome 16 by default), for a case-file review.
//!
//! Invariants: the same extract, settings and seed give the same CSV bytes, whatever the order
//! of the extract's rows (each stratum's crimes are sorted by crime reference before drawing,
//! and each stratum draws from its own stream seeded by the seed and the stratum's name, so
//! adding a stratum does not change the others); each stratum is sampled without replacement;
//! each row carries its stratum's size and weight, so findings can be weighted back to the
//! force; the reviewer's column is blank.

use std::collections::BTreeMap;

use anyhow::{bail, Result};

use crate::config::extract::{AuditConfig, AuditSize, ExtractConfig, Stratify};
use crate::extract::analyse::{days_to_outcome, earlier_crimes_of_victim, NO_UNIT};
use crate::extract::dates;
use crate::extract::offences;
use crate::extract::read::{Extract, NONE};
use crate::extract::rng::Rng;
use crate::stats::survey;
use crate::stats::Level;
use crate::wording::{csv_field, spreadsheet_safe};

/// The columns of the audit sample, in order.
pub const COLUMNS: &[&str] = crate::config::extract::SAMPLE_COLUMNS;

/// Settings given on the command line, each overriding `[extract.audit]`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct AuditOverrides {
    /// `--seed`.
    pub seed: Option<u64>,
    /// `--per-stratum`.
    pub per_stratum: Option<usize>,
    /// `--share`.
    pub share: Option<f64>,
    /// `--by`.
    pub stratify: Option<Stratify>,
    /// `--margin`, with `--expected` and `--allocation neyman`.
    pub margin: Option<(f64, Option<f64>, bool)>,
}

/// The sample's settings: `[extract.audit]` with the overrides applied. A seed must come from
/// one or the other (randomness always takes a recorded seed).
pub fn resolve(config: &ExtractConfig, overrides: &AuditOverrides) -> Result<AuditConfig> {
    let base = config.audit;
    let Some(seed) = overrides.seed.or(base.map(|b| b.seed)) else {
        bail!("no seed: pass --seed or set [extract.audit] seed in the analysis file");
    };
    let size = match (overrides.per_stratum, overrides.share) {
        _ if overrides.margin.is_some() => {
            let (margin, expected, neyman) = overrides.margin.unwrap_or((0.0, None, false));
            if !(margin > 0.0 && margin <= 0.5) {
                bail!("--margin {margin} is not in (0, 0.5]: give the interval's half-width as a share, such as 0.05");
            }
            let expected = expected.unwrap_or(0.5);
            if !(0.0..=1.0).contains(&expected) {
                bail!("--expected {expected} is not a share in [0, 1]");
            }
            AuditSize::Margin {
                margin,
                expected,
                neyman,
            }
        }
        (Some(0), _) => bail!("--per-stratum must be at least 1"),
        (Some(n), _) => AuditSize::PerStratum(n),
        (None, Some(s)) if s > 0.0 && s <= 1.0 => AuditSize::Share(s),
        (None, Some(s)) => bail!("--share {s} is not in (0, 1]"),
        (None, None) => match base {
            Some(b) => b.size,
            None => bail!(
                "no sample size: pass --per-stratum or --share, or set [extract.audit] per_stratum or share"
            ),
        },
    };
    let stratify = overrides
        .stratify
        .or(base.map(|b| b.stratify))
        .unwrap_or(Stratify::Area);
    if stratify == Stratify::Unit && config.columns.unit.is_none() {
        bail!("--by unit needs extract.columns.unit in the analysis file");
    }
    Ok(AuditConfig {
        seed,
        size,
        stratify,
    })
}

/// A drawn sample.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditSample {
    /// The settings used.
    pub settings: AuditConfig,
    /// Eligible crimes.
    pub eligible: u64,
    /// Strata: (name, eligible crimes, sampled).
    pub strata: Vec<(String, u64, u64)>,
    /// The crimes drawn, as indices into the extract, sorted by stratum then reference.
    pub crimes: Vec<(String, usize)>,
    /// The 95% interval's half-width these sizes give at the planning share (0.5, or the
    /// planner's `expected`), by the normal approximation (`stats::survey::half_width`).
    pub half_width: f64,
}

impl AuditSample {
    /// The share of inappropriate closures its precision is stated at: the planner's
    /// `expected`, or 0.5 (the widest) when the sizes were not planned.
    pub fn planning_share(&self) -> f64 {
        planning_share(self.settings.size)
    }
}

fn planning_share(size: AuditSize) -> f64 {
    match size {
        AuditSize::Margin { expected, .. } => expected,
        AuditSize::PerStratum(_) | AuditSize::Share(_) => 0.5,
    }
}

/// Draws the sample.
pub fn draw(extract: &Extract, config: &ExtractConfig, settings: &AuditConfig) -> AuditSample {
    let (numerator, _) = config.measure.masks();
    let mut strata: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, crime) in extract.crimes.iter().enumerate() {
        if !crime.domestic_abuse || !numerator[usize::from(crime.outcome)] {
            continue;
        }
        let name = match settings.stratify {
            Stratify::Area => Extract::name(&extract.areas, crime.area).to_string(),
            Stratify::Unit if crime.unit == NONE => NO_UNIT.to_string(),
            Stratify::Unit => Extract::name(&extract.units, crime.unit).to_string(),
        };
        strata.entry(name).or_default().push(i);
    }
    // A planned size needs every stratum's population first.
    let planned: Option<Vec<u64>> = match settings.size {
        AuditSize::Margin {
            margin,
            expected,
            neyman,
        } => {
            let populations: Vec<u64> = strata.values().map(|m| m.len() as u64).collect();
            let allocation = if neyman {
                survey::Allocation::Neyman
            } else {
                survey::Allocation::Proportional
            };
            survey::plan(
                &populations,
                &vec![expected; populations.len()],
                margin,
                Level::ninety_five(),
                allocation,
            )
            .ok()
            .map(|p| p.sizes)
        }
        _ => None,
    };
    let mut eligible = 0;
    let mut summary = Vec::new();
    let mut chosen = Vec::new();
    for (h, (name, mut members)) in strata.into_iter().enumerate() {
        members.sort_by(|&a, &b| extract.reference(a).cmp(extract.reference(b)));
        let n = members.len();
        let k = match settings.size {
            AuditSize::PerStratum(k) => k.min(n),
            AuditSize::Share(share) => ((share * n as f64).ceil() as usize).clamp(1, n),
            AuditSize::Margin { .. } => planned
                .as_ref()
                .and_then(|sizes| sizes.get(h))
                .map_or(n, |&k| k as usize)
                .min(n),
        };
        // A partial Fisher–Yates shuffle: the first k positions are a uniform sample.
        let mut rng = Rng::for_label(settings.seed, &name);
        for position in 0..k {
            let pick = position + rng.below((n - position) as u64) as usize;
            members.swap(position, pick);
        }
        let mut picked: Vec<usize> = members[..k].to_vec();
        picked.sort_by(|&a, &b| extract.reference(a).cmp(extract.reference(b)));
        eligible += n as u64;
        summary.push((name.clone(), n as u64, k as u64));
        chosen.extend(picked.into_iter().map(|i| (name.clone(), i)));
    }
    let planning = planning_share(settings.size);
    let populations: Vec<u64> = summary.iter().map(|s| s.1).collect();
    let sizes: Vec<u64> = summary.iter().map(|s| s.2).collect();
    let half_width = survey::half_width(
        &populations,
        &sizes,
        &vec![planning; populations.len()],
        Level::ninety_five(),
    )
    .unwrap_or(f64::NAN);
    AuditSample {
        settings: *settings,
        eligible,
        strata: summary,
        crimes: chosen,
        half_width,
    }
}

/// The sample as CSV text (LF line ends, RFC 4180 quoting, spreadsheet-safe text).
pub fn to_csv(sample: &AuditSample, extract: &Extract) -> String {
    let mut out = COLUMNS.join(",");
    out.push('\n');
    for (_, row) in rows(sample, extract) {
        push_row(&mut out, &row);
    }
    out
}

/// Appends one CSV row (RFC 4180 quoting, spreadsheet-safe text) and a line end.
pub fn push_row(out: &mut String, cells: &[String]) {
    let row: Vec<String> = cells
        .iter()
        .map(|c| csv_field(&spreadsheet_safe(c)))
        .collect();
    out.push_str(&row.join(","));
    out.push('\n');
}

/// The sample's rows, cells in [`COLUMNS`] order (the reviewer's cell blank), each with the
/// crime's index in the extract.
pub fn rows(sample: &AuditSample, extract: &Extract) -> Vec<(usize, Vec<String>)> {
    let earlier = earlier_crimes_of_victim(extract, |c| c.domestic_abuse);
    let sizes: BTreeMap<&str, (u64, u64)> = sample
        .strata
        .iter()
        .map(|(name, n, k)| (name.as_str(), (*n, *k)))
        .collect();
    let mut rows = Vec::with_capacity(sample.crimes.len());
    for (stratum, i) in &sample.crimes {
        let crime = &extract.crimes[*i];
        let (n, k) = sizes.get(stratum.as_str()).copied().unwrap_or((0, 0));
        let code = Extract::name(&extract.offences, crime.offence);
        let description = offences::lookup(code)
            .map(|o| o.description.clone())
            .unwrap_or_default();
        let unit = if crime.unit == NONE {
            String::new()
        } else {
            Extract::name(&extract.units, crime.unit).to_string()
        };
        let cells: Vec<String> = vec![
            stratum.clone(),
            n.to_string(),
            k.to_string(),
            format!("{:.6}", n as f64 / k.max(1) as f64),
            extract.reference(*i).to_string(),
            dates::format_date_time(crime.recorded),
            dates::format_date(crime.outcome_at),
            format!("{:.2}", days_to_outcome(crime)),
            crime.outcome.to_string(),
            code.to_string(),
            description,
            Extract::name(&extract.areas, crime.area).to_string(),
            unit,
            extract.victim_reference(crime.victim).to_string(),
            if crime.victim == NONE {
                String::new()
            } else {
                earlier[*i].to_string()
            },
            Extract::name(&extract.age_bands, crime.age_band).to_string(),
            Extract::name(&extract.sexes, crime.sex).to_string(),
            sample.settings.seed.to_string(),
            String::new(),
        ];
        rows.push((*i, cells));
    }
    rows
}

#[cfg(test)]
mod tests;
