//! Measure: numerators and denominators per unit, period and offence for the chosen outcome,
//! basis and denominator.
//!
//! Invariant: one pass over the canonical table (or one polars plan over a tidy table) gives
//! compact [`Cell`]s; nothing here compares or judges. A cell with a missing count is left
//! out of both sums whole and counted ([`Cell::incomplete`]); a canonical-table sum that would
//! overflow is an error, never a wrapped number.

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
    /// The counts by outcome type (0–22) of the denominator's rows, for the units whose outcome
    /// mix is followed or whose extract is reconciled
    /// ([`crate::config::Config::type_count_units`]); none for the others and
    /// for tidy counts. Zero throughout when the cell is incomplete, as its sums are.
    pub types: Option<Box<[i64; 23]>>,
    /// Count cells that were missing (null) among the rows summed.
    pub missing: u64,
    /// Source cells left out of `numerator` and `denominator` because a count in them was
    /// missing: a whole Home Office cell (unit × quarter × offence) with any missing count
    /// among its outcome types (it then adds 0 to both), or the tidy rows with a missing
    /// numerator or denominator. A missing count is never taken as zero, and a cell is never
    /// half-added (its numerator without its denominator).
    pub incomplete: u64,
}

/// A text column of the canonical table as one small id per row ([`NULL_ID`] where null)
/// and the text of each id. A dictionary column (the form the ingest builds; see
/// [`crate::record::TEXT_COLUMNS`]) gives its ids as they are; a plain one is interned here,
/// remembering the last value because the table keeps a file's row order.
struct TextColumn {
    ids: Ids,
    texts: Vec<String>,
}

/// Where a [`TextColumn`]'s ids come from.
enum Ids {
    /// A dictionary column's own ids (its physical integers), read a block of rows at a time.
    Dictionary(Series),
    /// Ids given to a plain text column's values here.
    Interned(Vec<u32>),
}

/// Rows are summed a block at a time, with the ids and numbers of the block's rows copied into
/// buffers that are reused: about 4 MB, where copying whole columns of a national table (1.2
/// million canonical rows) took 55 MB of fresh memory, which a virtual machine can be slow to
/// hand out (see ARCHITECTURE.md).
const BLOCK_ROWS: usize = 1 << 16;

/// The id of a null text.
const NULL_ID: u32 = u32::MAX;

/// Appends a dictionary column's ids, [`NULL_ID`] for a null.
fn extend_ids<T>(ids: &mut Vec<u32>, physical: &ChunkedArray<T>)
where
    T: PolarsNumericType,
    T::Native: Into<u32>,
{
    if physical.null_count() == 0 {
        for chunk in physical.downcast_iter() {
            ids.extend(chunk.values().iter().map(|&id| id.into()));
        }
    } else {
        ids.extend(physical.iter().map(|id| id.map_or(NULL_ID, Into::into)));
    }
}

impl TextColumn {
    fn of(table: &DataFrame, name: &str) -> PolarsResult<TextColumn> {
        let column = table.column(name)?;
        match column.dtype() {
            DataType::Enum(_, mapping) | DataType::Categorical(_, mapping) => {
                let texts = crate::record::dictionary_values(mapping);
                let physical = column.as_materialized_series().to_physical_repr();
                Ok(TextColumn {
                    ids: Ids::Dictionary(physical.into_owned()),
                    texts,
                })
            }
            _ => {
                let values = column.str()?;
                let mut ids = Vec::with_capacity(values.len());
                let mut texts: Vec<String> = Vec::new();
                let mut known: HashMap<&str, u32> = HashMap::default();
                let mut last: Option<(&str, u32)> = None;
                for value in values.iter() {
                    let id = match value {
                        None => NULL_ID,
                        Some(text) => match last {
                            Some((previous, id)) if previous == text => id,
                            _ => {
                                let next = u32::try_from(texts.len()).unwrap_or(NULL_ID - 1);
                                let id = *known.entry(text).or_insert(next);
                                if id == next {
                                    texts.push(text.to_string());
                                }
                                last = Some((text, id));
                                id
                            }
                        },
                    };
                    ids.push(id);
                }
                Ok(TextColumn {
                    ids: Ids::Interned(ids),
                    texts,
                })
            }
        }
    }

    /// Puts the ids of rows `start..start + len` in `out`, in place of what it held. A
    /// dictionary's ids are read in their own integer type, chunk by chunk (no cast of the
    /// whole column, and no null check where a chunk has none).
    fn read_ids(&self, start: usize, len: usize, out: &mut Vec<u32>) -> PolarsResult<()> {
        out.clear();
        match &self.ids {
            Ids::Interned(ids) => out.extend_from_slice(&ids[start..start + len]),
            Ids::Dictionary(physical) => {
                let part = physical.slice(start as i64, len);
                match part.dtype() {
                    DataType::UInt8 => extend_ids(out, part.u8()?),
                    DataType::UInt16 => extend_ids(out, part.u16()?),
                    DataType::UInt32 => extend_ids(out, part.u32()?),
                    _ => extend_ids(out, part.cast(&DataType::UInt32)?.u32()?),
                }
            }
        }
        Ok(())
    }

    /// The rank of each id's text (see [`Ranks`]).
    fn ranks(&self) -> Ranks {
        let mut sorted: Vec<&str> = self.texts.iter().map(String::as_str).collect();
        sorted.push("");
        sorted.sort_unstable();
        sorted.dedup();
        let rank = |text: &str| sorted.binary_search(&text).unwrap_or(0) as u32;
        Ranks {
            of_id: self.texts.iter().map(|t| rank(t)).collect(),
            of_null: rank(""),
        }
    }

    /// The text of an id; empty for null.
    fn text(&self, id: u32) -> &str {
        self.texts.get(id as usize).map_or("", String::as_str)
    }

    /// The id of a text, if the column holds it.
    fn id_of(&self, text: &str) -> Option<u32> {
        self.texts
            .iter()
            .position(|t| t == text)
            .and_then(|i| u32::try_from(i).ok())
    }
}

/// The running sums of one unit × year × quarter × offence group.
struct Sums {
    numerator: i64,
    denominator: i64,
    missing: u64,
    types: Option<Box<[i64; 23]>>,
}

/// Cells from the canonical outcome table for the configured basis, outcome and denominator.
///
/// One pass over the rows: keep the configured basis and the denominator's outcome types, and
/// sum by force × financial year × quarter × offence (group, subgroup, code, description).
/// A cell with any missing count among its rows is left out of both sums (numerator and
/// denominator 0) and marked [`Cell::incomplete`].
pub fn outcome_cells(table: &DataFrame, config: &Config) -> anyhow::Result<Vec<Cell>> {
    cells_of(table, config, false)
}

/// The cells of [`outcome_cells`] in the configured period only (`config.period`): for a
/// comparison that reads no other period (a sensitivity alternative, which reports each
/// force's place in the period), the rows of the other periods are passed over.
pub fn outcome_cells_in_period(table: &DataFrame, config: &Config) -> anyhow::Result<Vec<Cell>> {
    cells_of(table, config, true)
}

fn cells_of(table: &DataFrame, config: &Config, in_period: bool) -> anyhow::Result<Vec<Cell>> {
    let text = |name: &str| TextColumn::of(table, name);
    let (forces, years, groups, subgroups, codes, descriptions, bases) = (
        text(rc::FORCE)?,
        text(rc::FINANCIAL_YEAR)?,
        text(rc::OFFENCE_GROUP)?,
        text(rc::OFFENCE_SUBGROUP)?,
        text(rc::OFFENCE_CODE)?,
        text(rc::OFFENCE_DESCRIPTION)?,
        text(rc::BASIS)?,
    );
    let (quarters, types) = (
        table.column(rc::QUARTER)?.i32()?,
        table.column(rc::OUTCOME_TYPE)?.i32()?,
    );
    let counts = table.column(rc::COUNT)?.i64()?;
    // A table without the configured basis has no rows to sum.
    let basis = bases.id_of(config.basis.as_str()).unwrap_or(NULL_ID);
    let mut in_numerator = [false; 256];
    let mut in_denominator = [false; 256];
    for &t in &config.outcomes {
        in_numerator[usize::from(t)] = true;
    }
    for &t in &config.denominator.types {
        in_denominator[usize::from(t)] = true;
    }
    let mix_units: Vec<u32> = config
        .type_count_units()
        .iter()
        .filter_map(|u| forces.id_of(u))
        .collect();
    // Whether the rows of each year (by id) and quarter are measured.
    let measured_quarters: Vec<[bool; 5]> = years
        .texts
        .iter()
        .map(|year| {
            let fy = parse_financial_year(year);
            std::array::from_fn(|q| {
                !in_period
                    || fy
                        .zip(u8::try_from(q).ok())
                        .and_then(|(y, q)| Period::new(y, q))
                        .is_some_and(|p| config.period.contains(p))
            })
        })
        .collect();
    let quarter_measured = |year: u32, quarter: Option<i32>| {
        !in_period
            || quarter
                .and_then(|q| usize::try_from(q).ok())
                .zip(measured_quarters.get(year as usize))
                .is_some_and(|(q, of_year)| of_year.get(q).copied().unwrap_or(false))
    };
    let wanted = |t: Option<i32>, set: &[bool; 256]| {
        t.and_then(|t| usize::try_from(t).ok())
            .is_some_and(|t| set.get(t).copied().unwrap_or(false))
    };

    // Offences are (group, subgroup, code, description) ids; cells are (unit, year, quarter,
    // offence). Rows come in runs of one cell, so the last of each is remembered.
    let mut offence_ids: HashMap<[u32; 4], u32> = HashMap::default();
    let mut offences: Vec<[u32; 4]> = Vec::new();
    let mut last_offence: Option<([u32; 4], u32)> = None;
    type Key = (u32, u32, Option<i32>, u32);
    let mut sum_ids: HashMap<Key, usize> = HashMap::default();
    let mut sums: Vec<(Key, Sums)> = Vec::new();
    let mut last_sum: Option<(Key, usize)> = None;
    // The block's ids (basis, group, subgroup, code, description, force, year) and numbers.
    let mut ids: [Vec<u32>; 7] = Default::default();
    let (mut block_quarters, mut block_types, mut block_counts) =
        (Vec::new(), Vec::new(), Vec::new());
    for start in (0..table.height()).step_by(BLOCK_ROWS) {
        let len = BLOCK_ROWS.min(table.height() - start);
        // A block without a row of the basis is passed over (the ingest writes each basis as
        // one run of rows, so about half the blocks are).
        bases.read_ids(start, len, &mut ids[0])?;
        if !ids[0].contains(&basis) {
            continue;
        }
        for (column, out) in [&groups, &subgroups, &codes, &descriptions, &forces, &years]
            .into_iter()
            .zip(&mut ids[1..])
        {
            column.read_ids(start, len, out)?;
        }
        let [block_bases, block_groups, block_subgroups, block_codes, block_descriptions, block_forces, block_years] =
            &ids;
        block_quarters.clear();
        block_quarters.extend(quarters.slice(start as i64, len).iter());
        block_types.clear();
        block_types.extend(types.slice(start as i64, len).iter());
        block_counts.clear();
        block_counts.extend(counts.slice(start as i64, len).iter());
        for i in 0..len {
            let t = block_types[i];
            if block_bases[i] != basis
                || !wanted(t, &in_denominator)
                || !quarter_measured(block_years[i], block_quarters[i])
            {
                continue;
            }
            let parts = [
                block_groups[i],
                block_subgroups[i],
                block_codes[i],
                block_descriptions[i],
            ];
            let offence = match last_offence {
                Some((last, id)) if last == parts => id,
                _ => {
                    let next = u32::try_from(offences.len()).unwrap_or(u32::MAX);
                    let id = *offence_ids.entry(parts).or_insert(next);
                    if id == next {
                        offences.push(parts);
                    }
                    last_offence = Some((parts, id));
                    id
                }
            };
            let key: Key = (block_forces[i], block_years[i], block_quarters[i], offence);
            let at = match last_sum {
                Some((last, at)) if last == key => at,
                _ => {
                    let at = *sum_ids.entry(key).or_insert(sums.len());
                    if at == sums.len() {
                        sums.push((
                            key,
                            Sums {
                                numerator: 0,
                                denominator: 0,
                                missing: 0,
                                types: mix_units
                                    .contains(&block_forces[i])
                                    .then(|| Box::new([0; 23])),
                            },
                        ));
                    }
                    last_sum = Some((key, at));
                    at
                }
            };
            let cell = &mut sums[at].1;
            let overflow = || {
                anyhow::anyhow!(
                    "the counts summed for one cell overflow a 64-bit integer (canonical row {})",
                    start + i
                )
            };
            match block_counts[i] {
                None => cell.missing += 1,
                Some(count) => {
                    cell.denominator = cell.denominator.checked_add(count).ok_or_else(overflow)?;
                    if wanted(t, &in_numerator) {
                        cell.numerator = cell.numerator.checked_add(count).ok_or_else(overflow)?;
                    }
                    if let (Some(types), Some(t)) = (
                        cell.types.as_deref_mut(),
                        t.and_then(|t| usize::try_from(t).ok()).filter(|&t| t < 23),
                    ) {
                        // Bounded by the denominator's sum, which did not overflow, only when
                        // no count is negative: checked all the same.
                        types[t] = types[t].checked_add(count).ok_or_else(overflow)?;
                    }
                }
            }
        }
    }

    let mut periods = Vec::with_capacity(sums.len());
    for ((_, year, quarter, _), _) in &sums {
        let year = parse_financial_year(years.text(*year));
        let quarter = quarter.and_then(|q| u8::try_from(q).ok());
        let Some(period) = year.zip(quarter).and_then(|(y, q)| Period::new(y, q)) else {
            anyhow::bail!("canonical table row with an invalid period");
        };
        periods.push(PeriodKey::of_quarter(period));
    }
    // The cells are put in `sort_cells`'s order by comparing the ranks of their texts rather
    // than the texts (a period's order stands for the whole key, as no two periods share it).
    let (unit_rank, group_rank, subgroup_rank, code_rank, description_rank) = (
        forces.ranks(),
        groups.ranks(),
        subgroups.ranks(),
        codes.ranks(),
        descriptions.ranks(),
    );
    let mut order: Vec<usize> = (0..sums.len()).collect();
    order.sort_by_key(|&i| {
        let ((unit, _, _, offence), _) = sums[i];
        let [group, subgroup, code, description] = offences[offence as usize];
        (
            unit_rank.of(unit),
            periods[i].order,
            group_rank.of(group),
            subgroup_rank.of(subgroup),
            code_rank.of(code),
            description_rank.of(description),
        )
    });
    let mut cells = Vec::with_capacity(sums.len());
    for i in order {
        let ((unit, _, _, offence), sum) = &sums[i];
        let [group, subgroup, code, description] = offences[*offence as usize];
        let complete = sum.missing == 0;
        cells.push(Cell {
            unit: forces.text(*unit).to_string(),
            period: periods[i].clone(),
            group: groups.text(group).to_string(),
            subgroup: subgroups.text(subgroup).to_string(),
            code: codes.text(code).to_string(),
            description: descriptions.text(description).to_string(),
            numerator: if complete { sum.numerator } else { 0 },
            denominator: if complete { sum.denominator } else { 0 },
            types: sum.types.as_ref().map(|t| {
                if complete {
                    t.clone()
                } else {
                    Box::new([0; 23])
                }
            }),
            missing: sum.missing,
            incomplete: u64::from(!complete),
        });
    }
    Ok(cells)
}

/// Where each id's text comes in byte order among a column's texts (and the empty text, which
/// a null reads as): equal texts get equal ranks.
struct Ranks {
    of_id: Vec<u32>,
    of_null: u32,
}

impl Ranks {
    fn of(&self, id: u32) -> u32 {
        self.of_id.get(id as usize).copied().unwrap_or(self.of_null)
    }
}

/// Cells from a tidy-counts table: one per unit × period, summed over any grouping columns.
/// A row with a missing numerator or denominator is left out of both sums and counted in
/// [`Cell::incomplete`] (so `A,NA,100` adds nothing, not 0/100).
pub fn tidy_cells(table: &DataFrame) -> anyhow::Result<Vec<Cell>> {
    use tidy_counts::col as tc;
    let complete = col(tc::NUMERATOR)
        .is_not_null()
        .and(col(tc::DENOMINATOR).is_not_null());
    let grouped = table
        .clone()
        .lazy()
        .group_by([col(tc::UNIT), col(tc::PERIOD)])
        .agg([
            col(tc::NUMERATOR).filter(complete.clone()).sum(),
            col(tc::DENOMINATOR).filter(complete.clone()).sum(),
            (col(tc::NUMERATOR).null_count() + col(tc::DENOMINATOR).null_count())
                .cast(DataType::UInt64)
                .alias("missing"),
            complete
                .not()
                .cast(DataType::UInt64)
                .sum()
                .alias("incomplete"),
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
    let incomplete = grouped.column("incomplete")?.u64()?.clone();
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
            types: None,
            missing: missing.get(i).unwrap_or(0),
            incomplete: incomplete.get(i).unwrap_or(0),
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

/// Puts cells in the order the measure gives them: by unit, period, group, subgroup, code and
/// description.
pub fn sort_cells(cells: &mut [Cell]) {
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

#[cfg(test)]
mod tests;
