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
use crate::record::{col, parse_financial_year, parse_quarter, Basis, Period};

/// Where a row came from: input index and line.
#[derive(Debug, Clone, Copy)]
struct Location {
    input: u32,
    line: u64,
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

    /// The column of `ids`, twice over (once per basis), built by gathering from the small
    /// dictionary of distinct values rather than pushing a million strings.
    fn column_twice(&self, name: &str, ids: &[u32]) -> PolarsResult<Column> {
        let values: Vec<&str> = self.values.iter().map(String::as_str).collect();
        gather_twice(name, &values, ids)
    }
}

/// `values[ids[i]]` for every i, repeated twice, as a string column.
fn gather_twice(name: &str, values: &[&str], ids: &[u32]) -> PolarsResult<Column> {
    let dictionary = StringChunked::from_slice(name.into(), values);
    let mut indices: Vec<IdxSize> = Vec::with_capacity(2 * ids.len());
    indices.extend(ids.iter().map(|&i| i as IdxSize));
    indices.extend(ids.iter().map(|&i| i as IdxSize));
    let gathered = dictionary.take(&IdxCa::from_vec("".into(), indices))?;
    Ok(gathered.into_series().into_column())
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
    seen: FxHashMap<u64, Location>,
    last_year: Option<(String, Option<u16>)>,
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
            seen: FxHashMap::default(),
            last_year: None,
        }
    }

    /// Registers an input file and returns its index for [`HoBuilder::push`].
    pub fn add_input(&mut self, label: &str) -> u32 {
        self.files.push(label.to_string());
        u32::try_from(self.files.len() - 1).unwrap_or(u32::MAX)
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
        self.seen.reserve(rows);
    }

    /// Source rows loaded so far (each becomes two canonical records).
    pub fn n_rows(&self) -> usize {
        self.fy_start.len()
    }

    /// Distinct forces loaded so far.
    pub fn n_forces(&self) -> usize {
        let mut ids: Vec<ForceId> = self.force_cache.values().copied().collect();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
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
        input: u32,
        line: u64,
        cells: &[S],
        columns: &HoColumns,
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

        let year_text = cell(columns.financial_year);
        let Some(fy_start) = self.financial_year(year_text) else {
            return Ok(RowOutcome::Quarantined(format!(
                "financial year {} is not of the form 2018/19",
                quote_for_message(year_text)
            )));
        };
        let quarter_text = cell(columns.quarter);
        let Some(period) = parse_quarter(quarter_text).and_then(|q| Period::new(fy_start, q))
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
        let code_text = cell(columns.offence_code);
        if code_text.trim().is_empty() {
            return Ok(RowOutcome::Quarantined("offence code is empty".into()));
        }
        let outcome_text = cell(columns.outcome_type);
        let Some(outcome_type) = parse_outcome_type(outcome_text) else {
            return Ok(RowOutcome::Quarantined(format!(
                "outcome type {} is not a whole number from 0 to 22",
                quote_for_message(outcome_text)
            )));
        };
        let expired = match columns.offence_code_expired {
            Some(i) => match parse_expired(cell(i)) {
                Some(flag) => flag,
                None => {
                    return Ok(RowOutcome::Quarantined(format!(
                        "offence code expired {} is neither empty nor x",
                        quote_for_message(cell(i))
                    )))
                }
            },
            None => false,
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

        let code = self.codes.intern(code_text, |s| clean(s).into_owned());
        let key = (u64::from(period.fy_start()) << 48)
            | (u64::from(period.quarter()) << 40)
            | (u64::from(force) << 32)
            | (u64::from(code) << 8)
            | u64::from(outcome_type);
        let here = Location { input, line };
        if let Some(first) = self.seen.insert(key, here) {
            return Err(IngestError::DuplicateKey {
                file: file.to_path_buf(),
                line,
                key: format!(
                    "{period} {} offence {} outcome type {outcome_type}",
                    self.forces.force(force).name,
                    self.codes.get(code)
                ),
                first: format!("{}:{}", self.files[first.input as usize], first.line),
            });
        }
        self.lines.push(line);
        self.fy_start.push(period.fy_start());
        self.quarter.push(period.quarter());
        self.force.push(force);
        self.offence_code.push(code);
        self.offence_description.push(
            self.descriptions
                .intern(cell(columns.offence_description), |s| clean(s).into_owned()),
        );
        self.offence_group
            .push(self.groups.intern(cell(columns.offence_group), |s| {
                canonical_group(s).into_owned()
            }));
        self.offence_subgroup.push(
            self.subgroups
                .intern(cell(columns.offence_subgroup), |s| clean(s).into_owned()),
        );
        self.expired.push(expired);
        self.outcome_type.push(outcome_type);
        let [recorded, assigned] = counts;
        self.counts[0].push(recorded);
        self.counts[1].push(assigned);
        Ok(RowOutcome::Loaded)
    }

    /// Appends the rows of `other`, a builder that read a later part of the same input
    /// (`input` here), checking its keys against every row already loaded.
    pub fn absorb(
        &mut self,
        other: HoBuilder<'_>,
        file: &Path,
        input: u32,
    ) -> Result<(), IngestError> {
        let remap = |from: &Interner, to: &mut Interner| -> Vec<u32> {
            from.values.iter().map(|v| to.intern_canonical(v)).collect()
        };
        let codes = remap(&other.codes, &mut self.codes);
        let descriptions = remap(&other.descriptions, &mut self.descriptions);
        let groups = remap(&other.groups, &mut self.groups);
        let subgroups = remap(&other.subgroups, &mut self.subgroups);
        for row in 0..other.n_rows() {
            let line = other.lines[row];
            let code = codes[other.offence_code[row] as usize];
            let key = (u64::from(other.fy_start[row]) << 48)
                | (u64::from(other.quarter[row]) << 40)
                | (u64::from(other.force[row]) << 32)
                | (u64::from(code) << 8)
                | u64::from(other.outcome_type[row]);
            let here = Location { input, line };
            if let Some(first) = self.seen.insert(key, here) {
                let period = Period::new(other.fy_start[row], other.quarter[row]);
                return Err(IngestError::DuplicateKey {
                    file: file.to_path_buf(),
                    line,
                    key: format!(
                        "{} {} offence {} outcome type {}",
                        period.map(|p| p.to_string()).unwrap_or_default(),
                        self.forces.force(other.force[row]).name,
                        self.codes.get(code),
                        other.outcome_type[row]
                    ),
                    first: format!("{}:{}", self.files[first.input as usize], first.line),
                });
            }
            self.lines.push(line);
            self.fy_start.push(other.fy_start[row]);
            self.quarter.push(other.quarter[row]);
            self.force.push(other.force[row]);
            self.offence_code.push(code);
            self.offence_description
                .push(descriptions[other.offence_description[row] as usize]);
            self.offence_group
                .push(groups[other.offence_group[row] as usize]);
            self.offence_subgroup
                .push(subgroups[other.offence_subgroup[row] as usize]);
            self.expired.push(other.expired[row]);
            self.outcome_type.push(other.outcome_type[row]);
            self.counts[0].push(other.counts[0][row]);
            self.counts[1].push(other.counts[1][row]);
        }
        for (text, id) in other.force_cache {
            self.force_cache.entry(text).or_insert(id);
        }
        Ok(())
    }

    /// Builds the canonical outcome table: every source row once per basis, recorded first.
    pub fn finish(self) -> PolarsResult<DataFrame> {
        let n = self.n_rows();
        // Periods and forces are few: gather their text from small dictionaries too.
        let mut periods: Vec<(u16, u8)> = self
            .fy_start
            .iter()
            .zip(&self.quarter)
            .map(|(&y, &q)| (y, q))
            .collect();
        periods.sort_unstable();
        periods.dedup();
        let period_index = |y: u16, q: u8| -> u32 {
            periods
                .binary_search(&(y, q))
                .map_or(0, |i| u32::try_from(i).unwrap_or(0))
        };
        let period_ids: Vec<u32> = self
            .fy_start
            .iter()
            .zip(&self.quarter)
            .map(|(&y, &q)| period_index(y, q))
            .collect();
        let year_text: Vec<String> = periods
            .iter()
            .map(|&(y, q)| {
                Period::new(y, q)
                    .map(|p| p.financial_year())
                    .unwrap_or_default()
            })
            .collect();
        let year_refs: Vec<&str> = year_text.iter().map(String::as_str).collect();
        let quarters: Vec<i32> = self
            .quarter
            .iter()
            .chain(&self.quarter)
            .map(|&q| i32::from(q))
            .collect();
        let starts: Vec<i32> = self
            .fy_start
            .iter()
            .zip(&self.quarter)
            .map(|(&y, &q)| Period::new(y, q).map_or(0, Period::start_days_since_epoch))
            .collect();
        let starts: Vec<i32> = starts.iter().chain(&starts).copied().collect();
        let forces = self.forces;
        let force_ids: Vec<u32> = self.force.iter().map(|&f| u32::from(f)).collect();
        let force_names: Vec<&str> = forces.forces().iter().map(|f| f.name.as_str()).collect();
        // British Transport Police has no ONS code: null, not an empty string.
        let force_codes: Vec<Option<&str>> = forces
            .forces()
            .iter()
            .map(|f| f.ons_code.as_deref())
            .collect();
        let force_code_column = {
            let dictionary: StringChunked = force_codes.iter().copied().collect();
            let mut indices: Vec<IdxSize> = Vec::with_capacity(2 * n);
            indices.extend(force_ids.iter().map(|&i| i as IdxSize));
            indices.extend(force_ids.iter().map(|&i| i as IdxSize));
            dictionary
                .take(&IdxCa::from_vec("".into(), indices))?
                .with_name(col::FORCE_CODE.into())
                .into_series()
                .into_column()
        };
        let expired: Vec<bool> = self.expired.iter().chain(&self.expired).copied().collect();
        let outcome: Vec<i32> = self
            .outcome_type
            .iter()
            .chain(&self.outcome_type)
            .map(|&t| i32::from(t))
            .collect();
        let mut basis: Vec<u32> = vec![0; n];
        basis.resize(2 * n, 1);
        let basis_column = {
            let dictionary = StringChunked::from_slice(
                col::BASIS.into(),
                &[
                    Basis::RecordedInPeriod.as_str(),
                    Basis::AssignedInPeriod.as_str(),
                ],
            );
            dictionary
                .take(&IdxCa::from_vec(
                    "".into(),
                    basis.iter().map(|&b| b as IdxSize).collect(),
                ))?
                .into_series()
                .into_column()
        };
        let [recorded, assigned] = &self.counts;
        let counts: Vec<Option<i64>> = recorded.iter().chain(assigned).copied().collect();
        let columns = vec![
            gather_twice(col::FINANCIAL_YEAR, &year_refs, &period_ids)?,
            Column::new(col::QUARTER.into(), quarters),
            Column::new(col::PERIOD_START.into(), starts).cast(&DataType::Date)?,
            gather_twice(col::FORCE, &force_names, &force_ids)?,
            force_code_column,
            self.codes
                .column_twice(col::OFFENCE_CODE, &self.offence_code)?,
            self.descriptions
                .column_twice(col::OFFENCE_DESCRIPTION, &self.offence_description)?,
            self.groups
                .column_twice(col::OFFENCE_GROUP, &self.offence_group)?,
            self.subgroups
                .column_twice(col::OFFENCE_SUBGROUP, &self.offence_subgroup)?,
            Column::new(col::OFFENCE_CODE_EXPIRED.into(), expired),
            Column::new(col::OUTCOME_TYPE.into(), outcome),
            basis_column,
            Column::new(col::COUNT.into(), counts),
        ];
        DataFrame::new(2 * n, columns)
    }
}
