//! Measure: numerators and denominators per unit, period and offence for the chosen outcome,
//! basis and denominator.
//!
//! Invariant: one pass over the canonical table (or one polars plan over a tidy table) gives
//! compact [`Cell`]s; nothing here compares or judges. Missing counts are skipped in sums and
//! counted; a canonical-table sum that would overflow is an error, never a wrapped number.

use polars::prelude::*;
use rustc_hash::FxHashMap as HashMap;

use crate::config::Config;
use crate::ingest::tidy_counts;
use crate::record::{col as rc, parse_financial_year, Period};

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

/// Interns optional strings as small ids, remembering the last one looked up (the canonical
/// table keeps a file's row order, so neighbouring rows mostly repeat the same text).
#[derive(Default)]
struct Interner<'a> {
    ids: HashMap<Option<&'a str>, u32>,
    values: Vec<Option<&'a str>>,
    last: Option<(Option<&'a str>, u32)>,
}

impl<'a> Interner<'a> {
    fn id(&mut self, value: Option<&'a str>) -> u32 {
        if let Some((last, id)) = self.last {
            if last == value {
                return id;
            }
        }
        let next = u32::try_from(self.values.len()).unwrap_or(u32::MAX);
        let id = *self.ids.entry(value).or_insert(next);
        if id == next {
            self.values.push(value);
        }
        self.last = Some((value, id));
        id
    }

    fn text(&self, id: u32) -> &'a str {
        self.values[id as usize].unwrap_or_default()
    }
}

/// The text of a row, `None` where null.
fn text_at(column: &<StringType as PolarsDataType>::Array, row: usize) -> Option<&str> {
    column.get(row)
}

/// The running sums of one unit × year × quarter × offence group.
struct Sums {
    numerator: i64,
    denominator: i64,
    missing: u64,
}

/// Cells from the canonical outcome table for the configured basis, outcome and denominator.
///
/// One pass over the rows: keep the configured basis and the denominator's outcome types, and
/// sum by force × financial year × quarter × offence (group, subgroup, code, description).
/// Missing counts are skipped in both sums and counted.
pub fn outcome_cells(table: &DataFrame, config: &Config) -> anyhow::Result<Vec<Cell>> {
    // Single-chunk arrays, read by index. A table fresh from the ingest is one chunk already
    // (no copy); one read back from Parquet is concatenated once here.
    let text = |name: &str| -> PolarsResult<StringChunked> {
        Ok(table.column(name)?.str()?.rechunk().into_owned())
    };
    let integers = |name: &str| -> PolarsResult<Int32Chunked> {
        Ok(table.column(name)?.i32()?.rechunk().into_owned())
    };
    let (forces, years, groups, subgroups, codes, descriptions, bases) = (
        text(rc::FORCE)?,
        text(rc::FINANCIAL_YEAR)?,
        text(rc::OFFENCE_GROUP)?,
        text(rc::OFFENCE_SUBGROUP)?,
        text(rc::OFFENCE_CODE)?,
        text(rc::OFFENCE_DESCRIPTION)?,
        text(rc::BASIS)?,
    );
    let (quarters, types) = (integers(rc::QUARTER)?, integers(rc::OUTCOME_TYPE)?);
    let counts = table.column(rc::COUNT)?.i64()?.rechunk().into_owned();
    let (forces, years, groups, subgroups, codes, descriptions, bases) = (
        forces.downcast_as_array(),
        years.downcast_as_array(),
        groups.downcast_as_array(),
        subgroups.downcast_as_array(),
        codes.downcast_as_array(),
        descriptions.downcast_as_array(),
        bases.downcast_as_array(),
    );
    let basis = config.basis.as_str();
    let mut in_numerator = [false; 256];
    let mut in_denominator = [false; 256];
    for &t in &config.outcomes {
        in_numerator[usize::from(t)] = true;
    }
    for &t in &config.denominator.types {
        in_denominator[usize::from(t)] = true;
    }
    let wanted = |t: Option<i32>, set: &[bool; 256]| {
        t.and_then(|t| usize::try_from(t).ok())
            .is_some_and(|t| set.get(t).copied().unwrap_or(false))
    };

    let (mut unit_ids, mut year_ids) = (Interner::default(), Interner::default());
    let mut offence_parts = [
        Interner::default(),
        Interner::default(),
        Interner::default(),
        Interner::default(),
    ];
    let mut offence_ids: HashMap<[u32; 4], u32> = HashMap::default();
    let mut offences: Vec<[u32; 4]> = Vec::new();
    let mut sums: HashMap<(u32, u32, Option<i32>, u32), Sums> = HashMap::default();
    for row in 0..table.height() {
        let t = types.get(row);
        if text_at(bases, row) != Some(basis) || !wanted(t, &in_denominator) {
            continue;
        }
        let (force, year, group, subgroup, code, description) = (
            text_at(forces, row),
            text_at(years, row),
            text_at(groups, row),
            text_at(subgroups, row),
            text_at(codes, row),
            text_at(descriptions, row),
        );
        let quarter = quarters.get(row);
        let count = counts.get(row);
        let parts = [
            offence_parts[0].id(group),
            offence_parts[1].id(subgroup),
            offence_parts[2].id(code),
            offence_parts[3].id(description),
        ];
        let next = u32::try_from(offences.len()).unwrap_or(u32::MAX);
        let offence = *offence_ids.entry(parts).or_insert(next);
        if offence == next {
            offences.push(parts);
        }
        let key = (unit_ids.id(force), year_ids.id(year), quarter, offence);
        let cell = sums.entry(key).or_insert(Sums {
            numerator: 0,
            denominator: 0,
            missing: 0,
        });
        let overflow = || {
            anyhow::anyhow!(
                "the counts summed for one cell overflow a 64-bit integer (canonical row {row})"
            )
        };
        match count {
            None => cell.missing += 1,
            Some(count) => {
                cell.denominator = cell.denominator.checked_add(count).ok_or_else(overflow)?;
                if wanted(t, &in_numerator) {
                    cell.numerator = cell.numerator.checked_add(count).ok_or_else(overflow)?;
                }
            }
        }
    }

    let mut cells = Vec::with_capacity(sums.len());
    for ((unit, year, quarter, offence), sum) in sums {
        let year = parse_financial_year(year_ids.text(year));
        let quarter = quarter.and_then(|q| u8::try_from(q).ok());
        let Some(period) = year.zip(quarter).and_then(|(y, q)| Period::new(y, q)) else {
            anyhow::bail!("canonical table row with an invalid period");
        };
        let [group, subgroup, code, description] = offences[offence as usize];
        cells.push(Cell {
            unit: unit_ids.text(unit).to_string(),
            period: PeriodKey::of_quarter(period),
            group: offence_parts[0].text(group).to_string(),
            subgroup: offence_parts[1].text(subgroup).to_string(),
            code: offence_parts[2].text(code).to_string(),
            description: offence_parts[3].text(description).to_string(),
            numerator: sum.numerator,
            denominator: sum.denominator,
            missing: sum.missing,
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
