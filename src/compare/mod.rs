//! Compare: targets, funnel limits, flags, peer groups, offence-mix standardisation and SPC
//! series, computed from measured cells by calling `stats`.
//!
//! Invariant: no formula lives here (they are in `stats`); this stage chooses units, sums
//! cells, and arranges the statistics into typed rows with an explicit sort order.

pub mod funnel;
pub mod mix;
pub mod peers;
pub mod trend;

use std::collections::BTreeMap;

use anyhow::{bail, Result};

use crate::config::Config;
use crate::measure::{Cell, PeriodKey};

pub use funnel::{ForceRow, FunnelSummary, GridRow};
pub use mix::{MixRow, MixSummary};
pub use peers::PeerRow;
pub use trend::TrendRow;

/// Numerator and denominator of one unit (or group), after summing cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// Σ numerator.
    pub numerator: i64,
    /// Σ denominator.
    pub denominator: i64,
    /// Missing count cells among the rows summed.
    pub missing: u64,
}

impl Counts {
    fn add(&mut self, cell: &Cell) {
        self.numerator += cell.numerator;
        self.denominator += cell.denominator;
        self.missing += cell.missing;
    }

    /// The counts as the unsigned pair `stats` takes, or an error naming the unit when a sum
    /// of revisions is negative (DATA.md §2.5: a data error to report, not a value to clamp).
    pub fn unsigned(&self, what: &str) -> Result<(u64, u64)> {
        if self.numerator < 0 || self.denominator < 0 {
            bail!(
                "{what}: the counts sum to a negative value (numerator {}, denominator {}); negative revisions outweigh the counts",
                self.numerator,
                self.denominator
            );
        }
        Ok((self.numerator as u64, self.denominator as u64))
    }

    /// numerator / denominator (NaN when the denominator is 0).
    pub fn rate(&self) -> f64 {
        self.numerator as f64 / self.denominator as f64
    }
}

/// Everything the comparison produced.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// One row per force (or unit), sorted by name.
    pub forces: Vec<ForceRow>,
    /// The funnel's target, φ, τ² and test.
    pub funnel: FunnelSummary,
    /// The funnel limits along a grid of denominators (for charts).
    pub grid: Vec<GridRow>,
    /// Quarterly (or per-period) series for every unit.
    pub trend: Vec<TrendRow>,
    /// Offence-mix strata for each focus force.
    pub mix: Vec<MixRow>,
    /// The standardised ratio and excess split for each focus force.
    pub mix_summary: Vec<MixSummary>,
    /// Peer groups with their pooled and mean rates.
    pub peers: Vec<PeerRow>,
    /// The periods compared (labels, in order).
    pub periods: Vec<String>,
    /// Missing count cells among the cells in scope and period.
    pub missing_cells: u64,
}

/// Which cells are in scope (offence filters), already validated against the data.
pub fn in_scope(cell: &Cell, config: &Config) -> bool {
    let scope = &config.scope;
    let subgroup_listed = |list: &[String]| {
        !list.is_empty() && list.contains(&crate::normalise::text::match_key(&cell.subgroup))
    };
    (scope.include_groups.is_empty() || scope.include_groups.contains(&cell.group))
        && (scope.include_subgroups.is_empty() || subgroup_listed(&scope.include_subgroups))
        && (scope.include_codes.is_empty() || scope.include_codes.contains(&cell.code))
        && !scope.exclude_groups.contains(&cell.group)
        && !subgroup_listed(&scope.exclude_subgroups)
        && !scope.exclude_codes.contains(&cell.code)
}

/// Whether a cell's period is in the comparison period.
pub fn in_period(period: &PeriodKey, config: &Config) -> bool {
    match (&period.quarter, &config.period) {
        (Some(quarter), spec) => spec.contains(*quarter),
        (None, crate::config::PeriodSpec::All) => true,
        (None, crate::config::PeriodSpec::FinancialYear(year)) => {
            crate::record::parse_financial_year(&period.label) == Some(*year)
        }
        (None, crate::config::PeriodSpec::Rolling12MonthsTo(_)) => false,
    }
}

/// Checks the scope against the offences present, so that a typo is an error listing the
/// valid choices rather than an empty analysis.
pub fn check_scope(cells: &[Cell], config: &Config) -> Result<()> {
    let scope = &config.scope;
    let present = |f: fn(&Cell) -> &str, key: fn(&str) -> String| -> Vec<String> {
        let distinct: std::collections::BTreeSet<&str> = cells.iter().map(f).collect();
        let mut v: Vec<String> = distinct.into_iter().map(key).collect();
        v.sort();
        v.dedup();
        v
    };
    let check = |key: &str, wanted: &[String], valid: &[String]| -> Result<()> {
        let unknown: Vec<&String> = wanted.iter().filter(|w| !valid.contains(w)).collect();
        if !unknown.is_empty() {
            let mut shown: Vec<&str> = valid.iter().map(String::as_str).collect();
            let more = shown.len().saturating_sub(40);
            shown.truncate(40);
            bail!(
                "scope {:?}: {key}: {} not in the inputs; valid values: {}{}",
                scope.name,
                unknown
                    .iter()
                    .map(|u| format!("{u:?}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                shown.join(", "),
                if more > 0 {
                    format!(" (and {more} more)")
                } else {
                    String::new()
                }
            );
        }
        Ok(())
    };
    /// A field of the scope: its include and exclude keys and lists, how a cell's value is
    /// read, and the form values are compared in.
    struct Field<'s> {
        include: (&'static str, &'s [String]),
        exclude: (&'static str, &'s [String]),
        value: fn(&Cell) -> &str,
        key: fn(&str) -> String,
    }
    let fields = [
        Field {
            include: ("include_groups", &scope.include_groups),
            exclude: ("exclude_groups", &scope.exclude_groups),
            value: |c| &c.group,
            key: str::to_string,
        },
        Field {
            include: ("include_subgroups", &scope.include_subgroups),
            exclude: ("exclude_subgroups", &scope.exclude_subgroups),
            value: |c| &c.subgroup,
            key: crate::normalise::text::match_key,
        },
        Field {
            include: ("include_codes", &scope.include_codes),
            exclude: ("exclude_codes", &scope.exclude_codes),
            value: |c| &c.code,
            key: str::to_string,
        },
    ];
    // The values present are gathered only for a field the scope names values of (a national
    // table has tens of thousands of cells, and the `all` scope names none).
    for field in fields {
        if field.include.1.is_empty() && field.exclude.1.is_empty() {
            continue;
        }
        let valid = present(field.value, field.key);
        check(field.include.0, field.include.1, &valid)?;
        check(field.exclude.0, field.exclude.1, &valid)?;
    }
    Ok(())
}

/// Runs the whole comparison.
pub fn compare(cells: &[Cell], config: &Config, focus: &[String], tidy: bool) -> Result<Analysis> {
    if !tidy {
        check_scope(cells, config)?;
    }
    let scoped: Vec<&Cell> = cells
        .iter()
        .filter(|c| tidy || in_scope(c, config))
        .collect();
    if scoped.is_empty() {
        bail!(
            "scope {:?} selects no rows in the inputs",
            config.scope.name
        );
    }
    let in_period_cells: Vec<&Cell> = scoped
        .iter()
        .copied()
        .filter(|c| in_period(&c.period, config))
        .collect();
    if in_period_cells.is_empty() {
        let mut available: Vec<&PeriodKey> = scoped.iter().map(|c| &c.period).collect();
        available.sort();
        available.dedup();
        bail!(
            "period {:?} has no data in the inputs; they hold {}",
            config.period.label(),
            available
                .iter()
                .map(|p| p.label.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let mut periods: Vec<&PeriodKey> = in_period_cells.iter().map(|c| &c.period).collect();
    periods.sort();
    periods.dedup();
    let periods: Vec<String> = periods.into_iter().map(|p| p.label.clone()).collect();

    let mut by_unit: BTreeMap<&str, Counts> = BTreeMap::new();
    for cell in &in_period_cells {
        by_unit.entry(cell.unit.as_str()).or_default().add(cell);
    }
    let missing_cells = in_period_cells.iter().map(|c| c.missing).sum();
    let national = |unit: &str| tidy || config.in_national_set(unit);
    let (forces, funnel, grid) = funnel::compare_units(&by_unit, config, focus, &national)?;
    let peers = peers::peer_rows(&by_unit, config, tidy)?;
    let forces = peers::attach(forces, &peers, config);
    let trend = trend::series(&scoped, config, &national, tidy)?;
    let (mix, mix_summary) = if tidy {
        (Vec::new(), Vec::new())
    } else {
        mix::offence_mix(&in_period_cells, config, focus, &national, funnel.target)?
    };
    Ok(Analysis {
        forces,
        funnel,
        grid,
        trend,
        mix,
        mix_summary,
        peers,
        periods,
        missing_cells,
    })
}
