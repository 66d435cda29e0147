//! Compare: targets, funnel limits, flags, peer groups, offence-mix standardisation and SPC
//! series, computed from measured cells by calling `stats`.
//!
//! Invariant: no formula lives here (they are in `stats`); this stage chooses units, sums
//! cells, and arranges the statistics into typed rows with an explicit sort order.

pub mod funnel;
pub mod mix;
pub mod monitor;
pub mod notice;
pub mod peers;
pub mod reconcile;
pub mod sensitivity;
pub mod trend;

use std::collections::BTreeMap;

use anyhow::{bail, Result};

use crate::config::Config;
use crate::measure::{Cell, PeriodKey};
use crate::stats::Level;

pub use funnel::{ForceRow, FunnelSummary, GridRow};
pub use mix::{MixRow, MixSummary};
pub use notice::{name_list, plural, thousands, Notice, NoticeKind, FEW_UNITS, SHORT_SERIES};
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
    /// Cells left out of both sums because a count in them was missing.
    pub incomplete: u64,
}

impl Counts {
    fn add(&mut self, cell: &Cell) {
        self.numerator += cell.numerator;
        self.denominator += cell.denominator;
        self.missing += cell.missing;
        self.incomplete += cell.incomplete;
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
    /// Each event's effect on each focus force's series.
    pub monitor: Vec<monitor::EventEffect>,
    /// Each focus force's outcome mix by period, when the analysis file has events.
    pub outcome_mix: Vec<monitor::MixPeriod>,
    /// Each event's effect on each focus force's outcome mix.
    pub displacement: Vec<monitor::DisplacementEffect>,
    /// Offence-mix strata for each focus force.
    pub mix: Vec<MixRow>,
    /// The standardised ratio and excess split for each focus force.
    pub mix_summary: Vec<MixSummary>,
    /// Peer groups with their pooled and mean rates.
    pub peers: Vec<PeerRow>,
    /// The periods compared (labels, in order): those the national set holds counts for.
    pub periods: Vec<String>,
    /// The period as every output names it: the analysis file's period, followed by the
    /// quarters it holds when the data cover only part of it (`allow_partial_period`).
    pub period_label: String,
    /// The quarters of the configured period that no unit of the national set holds
    /// (non-empty only with `allow_partial_period = true`; otherwise that is an error).
    pub periods_not_held: Vec<String>,
    /// Missing count cells among the cells in scope and period.
    pub missing_cells: u64,
    /// Cells in scope and period left out of the sums whole because a count was missing.
    pub incomplete_cells: u64,
    /// What the reader must know about the data behind the numbers, one notice per kind.
    pub notices: Vec<Notice>,
}

/// Refuses events outside the inputs' quarters and a baseline shorter than the rule lengths.
fn check_monitoring_against(scoped: &[&Cell], config: &Config) -> Result<()> {
    let m = &config.monitor;
    if m.events.is_empty() && m.baseline.is_none() {
        return Ok(());
    }
    let periods: std::collections::BTreeSet<&PeriodKey> =
        scoped.iter().map(|c| &c.period).collect();
    let days: Vec<(i64, i64)> = periods.iter().map(|p| trend::period_days(p)).collect();
    let (Some(first), Some(last)) = (periods.first(), periods.last()) else {
        return Ok(());
    };
    if days.iter().any(|d| d.0 == i64::MAX) {
        anyhow::bail!(
            "events and spc.baseline need quarterly periods, and the inputs' periods are not quarters (such as {:?})",
            first.label
        );
    }
    let in_baseline = m.baseline.map_or(0, |(from, to)| {
        days.iter().filter(|d| d.0 >= from && d.1 <= to).count()
    });
    trend::check_monitoring(
        m,
        &config.spc,
        (days[0].0, days[days.len() - 1].1),
        (&first.label, &last.label),
        in_baseline,
    )
}

/// Each event's effect on each focus force's quarterly series.
fn monitor_focus(
    trend: &[TrendRow],
    focus: &[String],
    config: &Config,
) -> Result<Vec<monitor::EventEffect>> {
    let mut out = Vec::new();
    if config.monitor.events.is_empty() {
        return Ok(out);
    }
    for unit in focus {
        let points: Vec<monitor::SeriesPoint> = trend
            .iter()
            .filter(|r| &r.force == unit)
            .map(|r| monitor::SeriesPoint {
                label: r.period.label.clone(),
                days: trend::period_days(&r.period),
                x: r.numerator,
                n: r.denominator,
                rules: r.rules,
                variation: r.variation,
                above: r.spc.is_some_and(|p| p.value > p.centre),
            })
            .collect();
        out.extend(monitor::effects(
            unit,
            &points,
            &config.monitor,
            config.monitor.quarters,
            Level::ninety_five(),
        )?);
    }
    Ok(out)
}

/// Whether a cell holds counts (it is complete, or holds some complete rows).
fn holds_counts(cell: &Cell) -> bool {
    cell.incomplete == 0 || cell.numerator != 0 || cell.denominator != 0
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

/// How much of the comparison to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// Everything: the funnel, peers and offence mix, the series with their control charts,
    /// and the monitoring.
    Whole,
    /// The funnel, peers and offence mix only (the series, control charts and monitoring are
    /// left empty): each force's place, which is all a sensitivity alternative reports. Only
    /// the period's cells are read, and the scope is not checked again.
    Place,
}

/// Runs the whole comparison.
pub fn compare(cells: &[Cell], config: &Config, focus: &[String], tidy: bool) -> Result<Analysis> {
    compare_to(cells, config, focus, tidy, Depth::Whole)
}

/// Runs the comparison to `depth`.
pub fn compare_to(
    cells: &[Cell],
    config: &Config,
    focus: &[String],
    tidy: bool,
    depth: Depth,
) -> Result<Analysis> {
    // The scope is checked against every period's offences; a place-only comparison (a
    // sensitivity alternative, with the run's scope, after the run's own comparison checked
    // it) may be given the period's cells only.
    if !tidy && depth == Depth::Whole {
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
    let national = |unit: &str| tidy || config.in_national_set(unit);
    // The periods each unit holds counts for, and those of the national set.
    let mut held: BTreeMap<&str, std::collections::BTreeSet<&PeriodKey>> = BTreeMap::new();
    for cell in in_period_cells.iter().filter(|c| holds_counts(c)) {
        held.entry(cell.unit.as_str())
            .or_default()
            .insert(&cell.period);
    }
    let national_periods: std::collections::BTreeSet<&PeriodKey> = held
        .iter()
        .filter(|(unit, _)| national(unit))
        .flat_map(|(_, periods)| periods.iter().copied())
        .collect();
    if national_periods.is_empty() {
        bail!(
            "period {:?}: the national set holds no counts in scope (every count is missing)",
            config.period.label()
        );
    }
    let periods: Vec<String> = national_periods.iter().map(|p| p.label.clone()).collect();
    let mut notices = Vec::new();

    // The configured period must be covered, unless the analysis file allows a partial one.
    let periods_not_held: Vec<String> = match config.period.quarters() {
        Some(quarters) if !tidy => quarters
            .iter()
            .filter(|q| !national_periods.iter().any(|p| p.quarter == Some(**q)))
            .map(ToString::to_string)
            .collect(),
        _ => Vec::new(),
    };
    let mut period_label = config.period.label();
    if !periods_not_held.is_empty() {
        let span = config.period.quarters().map_or(0, |q| q.len());
        if !config.allow_partial_period {
            bail!(
                "period {period_label:?} is not covered by the inputs: they hold {} of its {span} quarters ({}), not {}; set allow_partial_period = true to compare on the quarters held (every output then says so), or choose a period the inputs cover",
                periods.len(),
                periods.join(", "),
                periods_not_held.join(", ")
            );
        }
        period_label = format!("{period_label} (partial: {} only)", periods.join(", "));
        notices.push(Notice {
            kind: NoticeKind::PartialPeriod,
            count: periods_not_held.len() as u64,
            text: format!(
                "the period is partial: the inputs hold {} of its {span} quarters ({}), not {} (allow_partial_period = true); every rate is over the quarters held",
                periods.len(),
                periods.join(", "),
                periods_not_held.join(", ")
            ),
        });
    }

    let mut by_unit: BTreeMap<&str, Counts> = BTreeMap::new();
    for cell in &in_period_cells {
        by_unit.entry(cell.unit.as_str()).or_default().add(cell);
    }
    let aggregate = |unit: &str| {
        !tidy
            && config.forces.lookup(unit).is_some_and(|id| {
                config.forces.force(id).kind == crate::normalise::forces::ForceKind::Aggregate
            })
    };
    let missing_cells: u64 = in_period_cells.iter().map(|c| c.missing).sum();
    let incomplete_cells: u64 = in_period_cells.iter().map(|c| c.incomplete).sum();
    if missing_cells > 0 || incomplete_cells > 0 {
        let mut units: Vec<String> = by_unit
            .iter()
            .filter(|(unit, c)| c.incomplete > 0 && !aggregate(unit))
            .map(|(unit, c)| format!("{unit} ({})", c.incomplete))
            .collect();
        units.sort();
        notices.push(Notice {
            kind: NoticeKind::MissingCounts,
            count: missing_cells,
            text: format!(
                "{} count {} in scope and period {} missing (never taken as zero); the {} {} holding {} {} left out of the sums whole, numerator and denominator (cells_left_out in force_comparison.csv){}",
                thousands(missing_cells),
                plural(missing_cells, "cell", "cells"),
                if missing_cells == 1 { "was" } else { "were" },
                thousands(incomplete_cells),
                plural(incomplete_cells, "cell", "cells"),
                if missing_cells == 1 { "it" } else { "them" },
                if incomplete_cells == 1 { "was" } else { "were" },
                if units.is_empty() {
                    String::new()
                } else {
                    format!(": {}", name_list(&units, 6))
                }
            ),
        });
    }
    // A unit with no denominator is not placed; a focus unit must have one.
    let mut no_denominator: Vec<String> = by_unit
        .iter()
        .filter(|(unit, c)| c.denominator == 0 && !aggregate(unit))
        .map(|(unit, _)| unit.to_string())
        .collect();
    no_denominator.sort();
    if let Some(name) = focus.iter().find(|f| no_denominator.contains(f)) {
        let counts = by_unit.get(name.as_str()).copied().unwrap_or_default();
        bail!(
            "focus: {name:?} has no outcomes in scope and period {period_label:?} to compare (denominator 0{})",
            if counts.incomplete > 0 {
                format!(
                    "; {} of its cells had a missing count and were left out",
                    thousands(counts.incomplete)
                )
            } else {
                String::new()
            }
        );
    }
    if !no_denominator.is_empty() {
        notices.push(Notice {
            kind: NoticeKind::NoDenominator,
            count: no_denominator.len() as u64,
            text: format!(
                "{} {} no outcomes in scope and period (denominator 0 or missing) and {} left out of the funnel: {}",
                thousands(no_denominator.len() as u64),
                plural(no_denominator.len() as u64, "unit has", "units have"),
                if no_denominator.len() == 1 { "is" } else { "are" },
                name_list(&no_denominator, 6)
            ),
        });
    }

    let (mut forces, funnel, grid) = funnel::compare_units(&by_unit, config, focus, &national)?;
    // How many of the national set's periods each unit holds.
    let mut partial: Vec<String> = Vec::new();
    for row in &mut forces {
        let mine = held.get(row.force.as_str());
        row.periods_present = mine.map_or(0, |m| {
            m.iter().filter(|p| national_periods.contains(*p)).count()
        });
        row.periods_missing = national_periods
            .iter()
            .filter(|p| !mine.is_some_and(|m| m.contains(*p)))
            .map(|p| p.label.clone())
            .collect();
        row.incomplete_cells = by_unit.get(row.force.as_str()).map_or(0, |c| c.incomplete);
        if !row.periods_missing.is_empty() {
            partial.push(format!(
                "{} ({} of {}: no {})",
                row.force,
                row.periods_present,
                national_periods.len(),
                row.periods_missing.join(", ")
            ));
        }
    }
    if !partial.is_empty() {
        notices.push(Notice {
            kind: NoticeKind::PartialUnits,
            count: partial.len() as u64,
            text: format!(
                "{} {} fewer periods than the national set's {} and {} compared on the periods {} (periods_present in force_comparison.csv): {}",
                thousands(partial.len() as u64),
                plural(partial.len() as u64, "unit holds", "units hold"),
                national_periods.len(),
                if partial.len() == 1 { "is" } else { "are" },
                if partial.len() == 1 { "it holds" } else { "they hold" },
                name_list(&partial, 6)
            ),
        });
    }
    if funnel.n_units < FEW_UNITS {
        notices.push(Notice {
            kind: NoticeKind::FewUnits,
            count: funnel.n_units as u64,
            text: format!(
                "the funnel has {} {} in its national set: with fewer than {FEW_UNITS}, the target, φ and τ² rest on too few units to be trusted",
                funnel.n_units,
                plural(funnel.n_units as u64, "unit", "units")
            ),
        });
    }
    let peers = peers::peer_rows(&by_unit, config, tidy)?;
    let forces = peers::attach(forces, &peers, config);
    let (trend, monitor, outcome_mix, displacement) = match depth {
        Depth::Place => (Vec::new(), Vec::new(), Vec::new(), Vec::new()),
        Depth::Whole => {
            check_monitoring_against(&scoped, config)?;
            let trend = trend::series(&scoped, config, &national, tidy)?;
            notices.extend(trend::notices(&trend, focus, config));
            let monitor = monitor_focus(&trend, focus, config)?;
            let outcome_mix = monitor::mix_series(&scoped, config.outcome_mix_units());
            let displacement = monitor::mix_displacement(
                &outcome_mix,
                &config.monitor,
                config.monitor.quarters,
                Level::ninety_five(),
            )?;
            (trend, monitor, outcome_mix, displacement)
        }
    };
    let (mix, mix_summary) = if tidy {
        (Vec::new(), Vec::new())
    } else {
        mix::offence_mix(&in_period_cells, config, focus, &national, funnel.target)?
    };
    notices.sort_by_key(|n| n.kind);
    Ok(Analysis {
        forces,
        funnel,
        grid,
        trend,
        monitor,
        outcome_mix,
        displacement,
        mix,
        mix_summary,
        peers,
        periods,
        period_label,
        periods_not_held,
        missing_cells,
        incomplete_cells,
        notices,
    })
}
