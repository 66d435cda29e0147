//! Measure: numerators and denominators per unit, period and offence for the chosen outcome,
//! basis and denominator.
//!
//! Invariant: one lazy polars plan over the canonical table, collected once, gives compact
//! [`Cell`]s; nothing here compares or judges. Missing counts are skipped in sums and counted.

use polars::prelude::*;

use crate::config::Config;
use crate::ingest::tidy_counts;
use crate::record::{col as rc, parse_financial_year, Basis, Period};

/// A period as the analysis sees it: a sortable key and a label.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PeriodKey {
    /// Sort order (financial-year start × 4 + quarter for Home Office data).
    pub order: i64,
    /// Label, e.g. `2018/19 Q1`.
    pub label: String,
    /// The typed quarter, for Home Office data.
    pub quarter: Option<Period>,
}

impl PeriodKey {
    /// The key of a Home Office quarter.
    pub fn of_quarter(period: Period) -> PeriodKey {
        PeriodKey {
            order: i64::from(period.fy_start()) * 4 + i64::from(period.quarter()),
            label: period.to_string(),
            quarter: Some(period),
        }
    }
}

/// One unit × period × offence cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// The unit: a canonical force name, or a tidy table's unit.
    pub unit: String,
    /// The period.
    pub period: PeriodKey,
    /// Offence group (empty for tidy tables).
    pub group: String,
    /// Offence subgroup (empty for tidy tables).
    pub subgroup: String,
    /// Offence code (empty for tidy tables).
    pub code: String,
    /// Offence description (empty for tidy tables).
    pub description: String,
    /// Σ count of the numerator outcome types.
    pub numerator: i64,
    /// Σ count of the denominator outcome types.
    pub denominator: i64,
    /// Count cells that were missing (null) among the rows summed.
    pub missing: u64,
}

/// An OR of equalities, true when `column` equals any of `values`.
fn any_of(column: &str, values: &[u8]) -> Expr {
    values
        .iter()
        .map(|v| col(column).eq(lit(i32::from(*v))))
        .reduce(|a, b| a.or(b))
        .unwrap_or_else(|| lit(false))
}

/// Cells from the canonical outcome table for the configured basis, outcome and denominator.
pub fn outcome_cells(table: &DataFrame, config: &Config) -> anyhow::Result<Vec<Cell>> {
    let basis = match config.basis {
        Basis::AssignedInPeriod => Basis::AssignedInPeriod.as_str(),
        Basis::RecordedInPeriod => Basis::RecordedInPeriod.as_str(),
    };
    let numerator = any_of(rc::OUTCOME_TYPE, &config.outcomes);
    let keys = [
        rc::FORCE,
        rc::FINANCIAL_YEAR,
        rc::QUARTER,
        rc::OFFENCE_GROUP,
        rc::OFFENCE_SUBGROUP,
        rc::OFFENCE_CODE,
        rc::OFFENCE_DESCRIPTION,
    ];
    let grouped = table
        .clone()
        .lazy()
        .filter(
            col(rc::BASIS)
                .eq(lit(basis))
                .and(any_of(rc::OUTCOME_TYPE, &config.denominator.types)),
        )
        .group_by(keys.map(col))
        .agg([
            when(numerator)
                .then(col(rc::COUNT))
                .otherwise(lit(0i64))
                .sum()
                .alias("numerator"),
            col(rc::COUNT).sum().alias("denominator"),
            col(rc::COUNT)
                .null_count()
                .cast(DataType::UInt64)
                .alias("missing"),
        ])
        .collect()?;
    let text = |name: &str| grouped.column(name).and_then(|c| c.str().cloned());
    let (forces, years, groups, subgroups, codes, descriptions) = (
        text(rc::FORCE)?,
        text(rc::FINANCIAL_YEAR)?,
        text(rc::OFFENCE_GROUP)?,
        text(rc::OFFENCE_SUBGROUP)?,
        text(rc::OFFENCE_CODE)?,
        text(rc::OFFENCE_DESCRIPTION)?,
    );
    let quarters = grouped.column(rc::QUARTER)?.i32()?.clone();
    let numerators = grouped.column("numerator")?.i64()?.clone();
    let denominators = grouped.column("denominator")?.i64()?.clone();
    let missing = grouped.column("missing")?.u64()?.clone();
    let mut cells = Vec::with_capacity(grouped.height());
    for i in 0..grouped.height() {
        let year = years.get(i).and_then(parse_financial_year);
        let quarter = quarters.get(i).and_then(|q| u8::try_from(q).ok());
        let Some(period) = year.zip(quarter).and_then(|(y, q)| Period::new(y, q)) else {
            anyhow::bail!("canonical table row with an invalid period (row {i} of the aggregate)");
        };
        cells.push(Cell {
            unit: forces.get(i).unwrap_or_default().to_string(),
            period: PeriodKey::of_quarter(period),
            group: groups.get(i).unwrap_or_default().to_string(),
            subgroup: subgroups.get(i).unwrap_or_default().to_string(),
            code: codes.get(i).unwrap_or_default().to_string(),
            description: descriptions.get(i).unwrap_or_default().to_string(),
            numerator: numerators.get(i).unwrap_or(0),
            denominator: denominators.get(i).unwrap_or(0),
            missing: missing.get(i).unwrap_or(0),
        });
    }
    sort_cells(&mut cells);
    Ok(cells)
}

/// Cells from a tidy-counts table: one per row, summed over any grouping columns.
pub fn tidy_cells(table: &DataFrame) -> anyhow::Result<Vec<Cell>> {
    let grouped = table
        .clone()
        .lazy()
        .group_by([col(tidy_counts::col::UNIT), col(tidy_counts::col::PERIOD)])
        .agg([
            col(tidy_counts::col::NUMERATOR).sum(),
            col(tidy_counts::col::DENOMINATOR).sum(),
            (col(tidy_counts::col::NUMERATOR).null_count()
                + col(tidy_counts::col::DENOMINATOR).null_count())
            .cast(DataType::UInt64)
            .alias("missing"),
        ])
        .collect()?;
    let units = grouped.column(tidy_counts::col::UNIT)?.str()?.clone();
    let periods = grouped.column(tidy_counts::col::PERIOD)?.str()?.clone();
    let numerators = grouped.column(tidy_counts::col::NUMERATOR)?.i64()?.clone();
    let denominators = grouped
        .column(tidy_counts::col::DENOMINATOR)?
        .i64()?
        .clone();
    let missing = grouped.column("missing")?.u64()?.clone();
    let mut cells = Vec::with_capacity(grouped.height());
    for i in 0..grouped.height() {
        let label = periods.get(i).unwrap_or_default().to_string();
        cells.push(Cell {
            unit: units.get(i).unwrap_or_default().to_string(),
            period: tidy_period(&label),
            group: String::new(),
            subgroup: String::new(),
            code: String::new(),
            description: String::new(),
            numerator: numerators.get(i).unwrap_or(0),
            denominator: denominators.get(i).unwrap_or(0),
            missing: missing.get(i).unwrap_or(0),
        });
    }
    sort_cells(&mut cells);
    Ok(cells)
}

/// A tidy table's period: financial years sort by year; other labels sort after them by text.
fn tidy_period(label: &str) -> PeriodKey {
    match parse_financial_year(label) {
        Some(year) => PeriodKey {
            order: i64::from(year) * 4,
            label: label.to_string(),
            quarter: None,
        },
        None => PeriodKey {
            order: i64::MAX,
            label: label.to_string(),
            quarter: None,
        },
    }
}

fn sort_cells(cells: &mut [Cell]) {
    cells.sort_by(|a, b| {
        (
            &a.unit,
            &a.period,
            &a.group,
            &a.subgroup,
            &a.code,
            &a.description,
        )
            .cmp(&(
                &b.unit,
                &b.period,
                &b.group,
                &b.subgroup,
                &b.code,
                &b.description,
            ))
    });
}
