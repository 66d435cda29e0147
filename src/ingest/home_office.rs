//! Home Office outcomes tables: rows in, the canonical outcome table out.
//!
//! Invariant: each data row is either loaded (one canonical record per count basis) or
//! quarantined with a reason; unknown forces and duplicate keys stop the ingest, because
//! both mean the inputs themselves are wrong (DATA.md §2.5, §6).

use std::path::Path;

use polars::prelude::*;
use rustc_hash::FxHashMap;

use crate::ingest::error::IngestError;
use crate::ingest::{InputAccount, RowOutcome};
use crate::normalise::forces::{ForceId, ForceTable};
use crate::normalise::headers::HoColumns;
use crate::normalise::offences::canonical_group;
use crate::normalise::text::{clean, quote_for_message};
use crate::normalise::values::{parse_count, parse_expired, parse_outcome_type, Count};
use crate::record::{
    col, enum_column, enum_column_nullable, parse_financial_year, parse_quarter, Basis, Period,
};

/// The keys loaded so far, for refusing a key seen twice. A key is a block (period, force,
/// offence code) and an outcome type; each block holds a bit per outcome type, and the block
/// in use stays out of the map, because Home Office rows come in runs of one block.
#[derive(Debug, Default)]
struct KeySet {
    blocks: FxHashMap<u64, u32>,
    current: Option<(u64, u32)>,
}

impl KeySet {
    /// Adds a key; false if it was already there.
    fn insert(&mut self, block: u64, outcome_type: u8) -> bool {
        let bit = 1u32 << outcome_type;
        match &mut self.current {
            Some((current, mask)) if *current == block => {
                let fresh = *mask & bit == 0;
                *mask |= bit;
                fresh
            }
            _ => {
                self.flush();
                let mask = self.blocks.remove(&block).unwrap_or(0);
                self.current = Some((block, mask | bit));
                mask & bit == 0
            }
        }
    }

    fn flush(&mut self) {
        if let Some((block, mask)) = self.current.take() {
            self.blocks.insert(block, mask);
        }
    }
}

/// The block of a key: period, force and offence code (interned).
fn block_key(fy_start: u16, quarter: u8, force: ForceId, code: u32) -> u64 {
    (u64::from(fy_start) << 48)
        | (u64::from(quarter) << 40)
        | (u64::from(force) << 32)
        | u64::from(code)
}

/// The offence code (interned) of a block.
fn block_code(block: u64) -> u32 {
    u32::try_from(block & 0xFFFF_FFFF).unwrap_or(0)
}

/// The block with another offence code (the same code interned by another builder).
fn block_key_with_code(block: u64, code: u32) -> u64 {
    (block & !0xFFFF_FFFF) | u64::from(code)
}

/// Interns strings: repeated values are stored once and rows hold an id. The last value is
/// cached because Home Office rows come in long runs of the same force and offence.
#[derive(Debug, Default)]
struct Interner {
    by_raw: FxHashMap<String, u32>,
    by_clean: FxHashMap<String, u32>,
    values: Vec<String>,
    /// The last raw text seen and its id; the buffer is reused, so a change costs no allocation.
    last_raw: String,
    last_id: Option<u32>,
}

impl Interner {
    fn intern(&mut self, raw: &str, canonicalise: impl Fn(&str) -> String) -> u32 {
        if let Some(id) = self.last_id {
            if self.last_raw == raw {
                return id;
            }
        }
        let id = match self.by_raw.get(raw) {
            Some(&id) => id,
            None => {
                let canonical = canonicalise(raw);
                let next = u32::try_from(self.values.len()).unwrap_or(u32::MAX);
                let id = *self.by_clean.entry(canonical.clone()).or_insert(next);
                if id == next {
                    self.values.push(canonical);
                }
                self.by_raw.insert(raw.to_string(), id);
                id
            }
        };
        self.last_raw.clear();
        self.last_raw.push_str(raw);
        self.last_id = Some(id);
        id
    }

    /// The id of an already canonical value, adding it if new.
    fn intern_canonical(&mut self, value: &str) -> u32 {
        if let Some(&id) = self.by_clean.get(value) {
            return id;
        }
        let id = u32::try_from(self.values.len()).unwrap_or(u32::MAX);
        self.by_clean.insert(value.to_string(), id);
        self.values.push(value.to_string());
        id
    }

    fn get(&self, id: u32) -> &str {
        &self.values[id as usize]
    }

    /// The dictionary (`Enum`) column of `ids`: four bytes or fewer a row, and Parquet writes
    /// the dictionary as it is instead of hashing every string again.
    fn column(&self, name: &str, ids: &[u32]) -> PolarsResult<Column> {
        let values: Vec<&str> = self.values.iter().map(String::as_str).collect();
        enum_column(name, &values, ids.to_vec())
    }
}

/// A count column: the values as they are, null where the source held a missing-value token.
///
/// The values and the validity bitmap become the column as they are (no column of nulls to
/// merge them with, which had cost two more arrays of the column's size).
fn count_column(counts: &[Option<i64>]) -> PolarsResult<Column> {
    let values: Vec<i64> = counts.iter().map(|c| c.unwrap_or(0)).collect();
    if counts.iter().all(Option::is_some) {
        return Ok(Int64Chunked::from_vec(col::COUNT.into(), values).into_column());
    }
    let present =
        BooleanChunked::from_iter_values(PlSmallStr::EMPTY, counts.iter().map(Option::is_some));
    let validity = present.downcast_as_array().values().clone();
    Ok(Int64Chunked::from_vec_validity(col::COUNT.into(), values, Some(validity)).into_column())
}

/// The column followed by itself, for the table's second half (the other basis repeats the
/// first's keys); the two chunks share one buffer.
fn twice(column: Column) -> PolarsResult<Column> {
    let mut doubled = column.clone();
    doubled.append(&column)?;
    Ok(doubled)
}

/// Accumulates the canonical outcome table across every Home Office input of one ingest.
pub struct HoBuilder<'f> {
    forces: &'f ForceTable,
    force_cache: FxHashMap<String, ForceId>,
    last_force: Option<(ForceId, String)>,
    files: Vec<String>,
    /// Each row's source line (for messages about rows merged from a parallel reader).
    lines: Vec<u64>,
    fy_start: Vec<u16>,
    quarter: Vec<u8>,
    force: Vec<ForceId>,
    offence_code: Vec<u32>,
    offence_description: Vec<u32>,
    offence_group: Vec<u32>,
    offence_subgroup: Vec<u32>,
    expired: Vec<bool>,
    outcome_type: Vec<u8>,
    counts: [Vec<Option<i64>>; 2],
    codes: Interner,
    descriptions: Interner,
    groups: Interner,
    subgroups: Interner,
    keys: KeySet,
    /// The first row of each input, in row order: (row, input).
    input_rows: Vec<(usize, u32)>,
    last_year: Option<(String, Option<u16>)>,
    /// The block values of the last row loaded (see [`HoBuilder::push`]).
    last_block: Option<BlockMemo>,
}

/// What the rows of one period, force and offence share: their parsed block fields.
#[derive(Debug, Clone, Copy)]
struct BlockMemo {
    /// The line of the row they were read from.
    line: u64,
    period: Period,
    force: ForceId,
    expired: bool,
    /// Interned offence code, description, group and subgroup.
    ids: [u32; 4],
}

impl<'f> HoBuilder<'f> {
    /// An empty builder that resolves force names through `forces`.
    pub fn new(forces: &'f ForceTable) -> HoBuilder<'f> {
        HoBuilder {
            forces,
            force_cache: FxHashMap::default(),
            last_force: None,
            files: Vec::new(),
            lines: Vec::new(),
            fy_start: Vec::new(),
            quarter: Vec::new(),
            force: Vec::new(),
            offence_code: Vec::new(),
            offence_description: Vec::new(),
            offence_group: Vec::new(),
            offence_subgroup: Vec::new(),
            expired: Vec::new(),
            outcome_type: Vec::new(),
            counts: [Vec::new(), Vec::new()],
            codes: Interner::default(),
            descriptions: Interner::default(),
            groups: Interner::default(),
            subgroups: Interner::default(),
            keys: KeySet::default(),
            input_rows: Vec::new(),
            last_year: None,
            last_block: None,
        }
    }

    /// Registers an input file: the rows pushed from now on come from it.
    pub fn add_input(&mut self, label: &str) {
        self.files.push(label.to_string());
        let input = u32::try_from(self.files.len() - 1).unwrap_or(u32::MAX);
        self.input_rows.push((self.n_rows(), input));
    }

    /// The forces table names are resolved through.
    pub fn forces(&self) -> &'f ForceTable {
        self.forces
    }

    /// Makes room for about `rows` more source rows, so a large table grows its columns once.
    pub fn reserve(&mut self, rows: usize) {
        self.lines.reserve(rows);
        self.fy_start.reserve(rows);
        self.quarter.reserve(rows);
        self.force.reserve(rows);
        self.offence_code.reserve(rows);
        self.offence_description.reserve(rows);
        self.offence_group.reserve(rows);
        self.offence_subgroup.reserve(rows);
        self.expired.reserve(rows);
        self.outcome_type.reserve(rows);
        self.counts[0].reserve(rows);
        self.counts[1].reserve(rows);
    }

    /// Adds `shift` to the source line of every row loaded so far (rows read from the second
    /// piece of a file, numbered from its start while they were read).
    pub fn shift_lines(&mut self, shift: u64) {
        for line in &mut self.lines {
            *line += shift;
        }
    }

    /// Source rows loaded so far (each becomes two canonical records).
    pub fn n_rows(&self) -> usize {
        self.fy_start.len()
    }

    /// Distinct forces loaded so far.
    pub fn n_forces(&self) -> usize {
        self.units(false).len()
    }

    /// The names of the totals in the table (England and Wales, Action Fraud): counted apart
    /// from the forces, never as one of them.
    pub fn aggregates(&self) -> Vec<String> {
        self.units(true)
    }

    /// The distinct units read, totals or forces, by name.
    fn units(&self, aggregate: bool) -> Vec<String> {
        let mut ids: Vec<ForceId> = self.force_cache.values().copied().collect();
        ids.sort_unstable();
        ids.dedup();
        ids.into_iter()
            .map(|id| self.forces.force(id))
            .filter(|f| (f.kind == crate::normalise::forces::ForceKind::Aggregate) == aggregate)
            .map(|f| f.name.clone())
            .collect()
    }

    fn financial_year(&mut self, raw: &str) -> Option<u16> {
        if let Some((last, parsed)) = &self.last_year {
            if last == raw {
                return *parsed;
            }
        }
        let parsed = parse_financial_year(raw);
        self.last_year = Some((raw.to_string(), parsed));
        parsed
    }

    /// Loads or quarantines one data row. Fatal problems (an unknown force, a duplicate key)
    /// are errors.
    pub fn push<S: AsRef<str>>(
        &mut self,
        file: &Path,
        line: u64,
        cells: &[S],
        columns: &HoColumns,
        same_block: bool,
        account: &mut InputAccount,
    ) -> Result<RowOutcome, IngestError> {
        if cells.len() < columns.width {
            return Ok(RowOutcome::Quarantined(format!(
                "row has {} fields, the header has {}",
                cells.len(),
                columns.width
            )));
        }
        if cells[columns.width..]
            .iter()
            .any(|c| !c.as_ref().trim().is_empty())
        {
            return Ok(RowOutcome::Quarantined(format!(
                "row has {} fields, the header has {}",
                cells.len(),
                columns.width
            )));
        }
        let cell = |i: usize| cells[i].as_ref();

        // A row whose block fields are byte for byte those of the row before it, which was
        // loaded, has that row's block values (a blank or refused row in between breaks the run).
        let shared = self
            .last_block
            .filter(|memo| same_block && memo.line + 1 == line);
        if shared.is_none() {
            self.last_block = None;
        }
        let (period, force) = match shared {
            Some(memo) => (memo.period, memo.force),
            None => {
                let year_text = cell(columns.financial_year);
                let Some(fy_start) = self.financial_year(year_text) else {
                    return Ok(RowOutcome::Quarantined(format!(
                        "financial year {} is not of the form 2018/19",
                        quote_for_message(year_text)
                    )));
                };
                let quarter_text = cell(columns.quarter);
                let Some(period) =
                    parse_quarter(quarter_text).and_then(|q| Period::new(fy_start, q))
                else {
                    return Ok(RowOutcome::Quarantined(format!(
                        "quarter {} is not 1-4 or Q1-Q4",
                        quote_for_message(quarter_text)
                    )));
                };
                let force_text = cell(columns.force);
                let cached_force = match self.last_force {
                    Some((id, ref text)) if text == force_text => Some(id),
                    _ => self.force_cache.get(force_text).copied(),
                };
                let force = match cached_force {
                    Some(id) => id,
                    None => {
                        if force_text.trim().is_empty() {
                            return Ok(RowOutcome::Quarantined("force name is empty".into()));
                        }
                        let Some(id) = self.forces.lookup(force_text) else {
                            return Err(IngestError::UnknownForce {
                                file: file.to_path_buf(),
                                line,
                                column: "Force Name".into(),
                                value: force_text.to_string(),
                                closest: self.forces.closest_names(force_text, 3).join(", "),
                            });
                        };
                        self.force_cache.insert(force_text.to_string(), id);
                        id
                    }
                };
                if self.last_force.as_ref().is_none_or(|(id, _)| *id != force) {
                    self.last_force = Some((force, force_text.to_string()));
                }
                if cell(columns.offence_code).trim().is_empty() {
                    return Ok(RowOutcome::Quarantined("offence code is empty".into()));
                }
                (period, force)
            }
        };
        let outcome_text = cell(columns.outcome_type);
        let Some(outcome_type) = parse_outcome_type(outcome_text) else {
            return Ok(RowOutcome::Quarantined(format!(
                "outcome type {} is not a whole number from 0 to 22",
                quote_for_message(outcome_text)
            )));
        };
        let expired = match (shared, columns.offence_code_expired) {
            (Some(memo), _) => memo.expired,
            (None, Some(i)) => match parse_expired(cell(i)) {
                Some(flag) => flag,
                None => {
                    return Ok(RowOutcome::Quarantined(format!(
                        "offence code expired {} is neither empty nor x",
                        quote_for_message(cell(i))
                    )))
                }
            },
            (None, None) => false,
        };
        let mut counts = [None, None];
        for (slot, basis) in counts.iter_mut().zip(Basis::ALL) {
            match parse_count(cell(columns.count(basis))) {
                Count::Value(v) => {
                    if v < 0 {
                        account.negative_counts += 1;
                    }
                    *slot = Some(v);
                }
                Count::Missing(token) => {
                    *account
                        .missing_tokens
                        .entry((basis.as_str(), token))
                        .or_insert(0) += 1;
                }
                Count::Invalid(reason) => {
                    return Ok(RowOutcome::Quarantined(format!(
                        "{reason} (column {:?})",
                        columns.count_header(basis)
                    )));
                }
            }
        }

        let [code, description, group, subgroup] = match shared {
            Some(memo) => memo.ids,
            None => [
                self.codes
                    .intern(cell(columns.offence_code), |s| clean(s).into_owned()),
                self.descriptions
                    .intern(cell(columns.offence_description), |s| clean(s).into_owned()),
                self.groups.intern(cell(columns.offence_group), |s| {
                    canonical_group(s).into_owned()
                }),
                self.subgroups
                    .intern(cell(columns.offence_subgroup), |s| clean(s).into_owned()),
            ],
        };
        let block = block_key(period.fy_start(), period.quarter(), force, code);
        if !self.keys.insert(block, outcome_type) {
            return Err(self.duplicate(file, line, block, outcome_type));
        }
        self.lines.push(line);
        self.fy_start.push(period.fy_start());
        self.quarter.push(period.quarter());
        self.force.push(force);
        self.offence_code.push(code);
        self.offence_description.push(description);
        self.offence_group.push(group);
        self.offence_subgroup.push(subgroup);
        self.expired.push(expired);
        self.outcome_type.push(outcome_type);
        let [recorded, assigned] = counts;
        self.counts[0].push(recorded);
        self.counts[1].push(assigned);
        self.last_block = Some(BlockMemo {
            line,
            period,
            force,
            expired,
            ids: [code, description, group, subgroup],
        });
        Ok(RowOutcome::Loaded)
    }

    /// The error for a key seen twice: the row at `file`:`line` repeats the key (`block`,
    /// `outcome_type`) of an earlier row, found by a scan (this happens once, on the way out).
    fn duplicate(&self, file: &Path, line: u64, block: u64, outcome_type: u8) -> IngestError {
        let first = (0..self.n_rows()).find(|&row| {
            self.outcome_type[row] == outcome_type
                && block_key(
                    self.fy_start[row],
                    self.quarter[row],
                    self.force[row],
                    self.offence_code[row],
                ) == block
        });
        let first = first.map_or_else(String::new, |row| {
            let at = self.input_rows.partition_point(|&(start, _)| start <= row);
            let input = at
                .checked_sub(1)
                .map_or(0, |i| self.input_rows[i].1 as usize);
            format!("{}:{}", self.files[input], self.lines[row])
        });
        let fy_start = u16::try_from(block >> 48).unwrap_or(0);
        let quarter = u8::try_from((block >> 40) & 0xFF).unwrap_or(0);
        let force = ForceId::try_from((block >> 32) & 0xFF).unwrap_or(0);
        let code = block_code(block);
        IngestError::DuplicateKey {
            file: file.to_path_buf(),
            line,
            key: format!(
                "{} {} offence {} outcome type {outcome_type}",
                Period::new(fy_start, quarter).map_or_else(String::new, |p| p.to_string()),
                self.forces.force(force).name,
                self.codes.get(code)
            ),
            first,
        }
    }

    /// Appends the rows of `other`, a builder that read a later part of the input read last,
    /// checking its keys against every row already loaded.
    pub fn absorb(&mut self, other: HoBuilder<'_>, file: &Path) -> Result<(), IngestError> {
        let remap = |from: &Interner, to: &mut Interner| -> Vec<u32> {
            from.values.iter().map(|v| to.intern_canonical(v)).collect()
        };
        let codes = remap(&other.codes, &mut self.codes);
        let descriptions = remap(&other.descriptions, &mut self.descriptions);
        let groups = remap(&other.groups, &mut self.groups);
        let subgroups = remap(&other.subgroups, &mut self.subgroups);
        // `other` refused its own repeated keys; its keys are checked against these a block
        // at a time, and row by row only to name the first repeated row.
        let mut other_keys = other.keys;
        other_keys.flush();
        self.keys.flush();
        let in_self = |block: u64| block_key_with_code(block, codes[block_code(block) as usize]);
        let clash = other_keys.blocks.iter().any(|(&block, &mask)| {
            self.keys
                .blocks
                .get(&in_self(block))
                .is_some_and(|&known| known & mask != 0)
        });
        if clash {
            for row in 0..other.fy_start.len() {
                let block = block_key(
                    other.fy_start[row],
                    other.quarter[row],
                    other.force[row],
                    codes[other.offence_code[row] as usize],
                );
                let bit = 1u32 << other.outcome_type[row];
                if self
                    .keys
                    .blocks
                    .get(&block)
                    .is_some_and(|&known| known & bit != 0)
                {
                    return Err(self.duplicate(
                        file,
                        other.lines[row],
                        block,
                        other.outcome_type[row],
                    ));
                }
            }
        }
        for (block, mask) in other_keys.blocks {
            *self.keys.blocks.entry(in_self(block)).or_insert(0) |= mask;
        }
        // Straight into the columns, which the head reserved for the whole file.
        fn mapped<'a>(ids: &'a [u32], map: &'a [u32]) -> impl Iterator<Item = u32> + 'a {
            ids.iter().map(|&id| map[id as usize])
        }
        self.lines.extend_from_slice(&other.lines);
        self.fy_start.extend_from_slice(&other.fy_start);
        self.quarter.extend_from_slice(&other.quarter);
        self.force.extend_from_slice(&other.force);
        self.offence_code
            .extend(mapped(&other.offence_code, &codes));
        self.offence_description
            .extend(mapped(&other.offence_description, &descriptions));
        self.offence_group
            .extend(mapped(&other.offence_group, &groups));
        self.offence_subgroup
            .extend(mapped(&other.offence_subgroup, &subgroups));
        self.expired.extend_from_slice(&other.expired);
        self.outcome_type.extend_from_slice(&other.outcome_type);
        let [recorded, assigned] = other.counts;
        self.counts[0].extend(recorded);
        self.counts[1].extend(assigned);
        for (text, id) in other.force_cache {
            self.force_cache.entry(text).or_insert(id);
        }
        Ok(())
    }

    /// Builds the canonical outcome table: every source row once per basis, recorded first.
    pub fn finish(self) -> PolarsResult<DataFrame> {
        let n = self.n_rows();
        std::thread::scope(|scope| {
            // The four offence columns (the most dictionary work), the counts and the expiry
            // flags are built on a second core.
            let second = scope.spawn(|| -> PolarsResult<[Column; 6]> {
                let [recorded, assigned] = &self.counts;
                let mut counts = count_column(recorded)?;
                counts.append(&count_column(assigned)?)?;
                Ok([
                    twice(self.codes.column(col::OFFENCE_CODE, &self.offence_code)?)?,
                    twice(
                        self.descriptions
                            .column(col::OFFENCE_DESCRIPTION, &self.offence_description)?,
                    )?,
                    twice(
                        self.groups
                            .column(col::OFFENCE_GROUP, &self.offence_group)?,
                    )?,
                    twice(
                        self.subgroups
                            .column(col::OFFENCE_SUBGROUP, &self.offence_subgroup)?,
                    )?,
                    twice(
                        BooleanChunked::from_slice(col::OFFENCE_CODE_EXPIRED.into(), &self.expired)
                            .into_column(),
                    )?,
                    counts,
                ])
            });
            // Years and forces are few: their columns are dictionaries too. Each row's year
            // and period start are looked up by (year, quarter), not worked out row by row.
            let first_year = self.fy_start.iter().copied().min().unwrap_or(0);
            let last_year = self.fy_start.iter().copied().max().unwrap_or(0);
            let mut present = vec![false; usize::from(last_year - first_year) + 1];
            for &year in &self.fy_start {
                present[usize::from(year - first_year)] = true;
            }
            let years: Vec<u16> = (first_year..=last_year)
                .filter(|&year| present[usize::from(year - first_year)])
                .collect();
            let mut year_id = vec![0u32; present.len()];
            let mut period_start = vec![0i32; 4 * year_id.len()];
            for (id, &year) in years.iter().enumerate() {
                let at = usize::from(year - first_year);
                year_id[at] = u32::try_from(id).unwrap_or(u32::MAX);
                for quarter in 1..=4u8 {
                    period_start[4 * at + usize::from(quarter - 1)] =
                        Period::new(year, quarter).map_or(0, Period::start_days_since_epoch);
                }
            }
            let year_ids: Vec<u32> = self
                .fy_start
                .iter()
                .map(|&y| year_id[usize::from(y - first_year)])
                .collect();
            let year_text: Vec<String> = years
                .iter()
                .map(|&y| {
                    Period::new(y, 1)
                        .map(|p| p.financial_year())
                        .unwrap_or_default()
                })
                .collect();
            let year_refs: Vec<&str> = year_text.iter().map(String::as_str).collect();
            let quarters: Vec<i32> = self.quarter.iter().map(|&q| i32::from(q)).collect();
            // Quarters are 1–4 (checked as each row was read).
            let starts: Vec<i32> = self
                .fy_start
                .iter()
                .zip(&self.quarter)
                .map(|(&y, &q)| {
                    period_start[4 * usize::from(y - first_year) + usize::from(q.clamp(1, 4) - 1)]
                })
                .collect();
            let forces = self.forces;
            let force_ids: Vec<u32> = self.force.iter().map(|&f| u32::from(f)).collect();
            let force_names: Vec<&str> = forces.forces().iter().map(|f| f.name.as_str()).collect();
            // British Transport Police has no ONS code: null, not an empty string.
            let force_code_column = {
                let mut codes: Vec<&str> = Vec::new();
                let code_ids: Vec<Option<u32>> = forces
                    .forces()
                    .iter()
                    .map(|f| {
                        f.ons_code.as_deref().map(|code| {
                            let at = codes.iter().position(|c| *c == code).unwrap_or_else(|| {
                                codes.push(code);
                                codes.len() - 1
                            });
                            u32::try_from(at).unwrap_or(u32::MAX)
                        })
                    })
                    .collect();
                let ids: Vec<Option<u32>> = self
                    .force
                    .iter()
                    .map(|&f| code_ids[usize::from(f)])
                    .collect();
                enum_column_nullable(col::FORCE_CODE, &codes, ids)?
            };
            let outcome: Vec<i32> = self.outcome_type.iter().map(|&t| i32::from(t)).collect();
            let basis_names = [
                Basis::RecordedInPeriod.as_str(),
                Basis::AssignedInPeriod.as_str(),
            ];
            let mut basis_column = enum_column(col::BASIS, &basis_names, vec![0; n])?;
            basis_column.append(&enum_column(col::BASIS, &basis_names, vec![1; n])?)?;
            let [code, description, group, subgroup, expired, counts] = second.join().map_err(
                |_| polars_err!(ComputeError: "the second thread building the table's columns failed"),
            )??;
            let columns = vec![
                twice(enum_column(col::FINANCIAL_YEAR, &year_refs, year_ids)?)?,
                twice(Column::new(col::QUARTER.into(), quarters))?,
                twice(Column::new(col::PERIOD_START.into(), starts).cast(&DataType::Date)?)?,
                twice(enum_column(col::FORCE, &force_names, force_ids)?)?,
                twice(force_code_column)?,
                code,
                description,
                group,
                subgroup,
                expired,
                twice(Column::new(col::OUTCOME_TYPE.into(), outcome))?,
                basis_column,
                counts,
            ];
            DataFrame::new(2 * n, columns)
        })
    }
}
