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
use crate::normalise::text::clean;
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
    last: Option<(String, u32)>,
}

impl Interner {
    fn intern(&mut self, raw: &str, canonicalise: impl Fn(&str) -> String) -> u32 {
        if let Some((last_raw, id)) = &self.last {
            if last_raw == raw {
                return *id;
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
        self.last = Some((raw.to_string(), id));
        id
    }

    fn get(&self, id: u32) -> &str {
        &self.values[id as usize]
    }
}

/// Accumulates the canonical outcome table across every Home Office input of one ingest.
pub struct HoBuilder<'f> {
    forces: &'f ForceTable,
    force_cache: FxHashMap<String, ForceId>,
    files: Vec<String>,
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
            files: Vec::new(),
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
    pub fn forces(&self) -> &ForceTable {
        self.forces
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
                "financial year {year_text:?} is not of the form 2018/19"
            )));
        };
        let quarter_text = cell(columns.quarter);
        let Some(period) = parse_quarter(quarter_text).and_then(|q| Period::new(fy_start, q))
        else {
            return Ok(RowOutcome::Quarantined(format!(
                "quarter {quarter_text:?} is not 1-4 or Q1-Q4"
            )));
        };
        let force_text = cell(columns.force);
        let force = match self.force_cache.get(force_text) {
            Some(&id) => id,
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
        let code_text = cell(columns.offence_code);
        if code_text.trim().is_empty() {
            return Ok(RowOutcome::Quarantined("offence code is empty".into()));
        }
        let outcome_text = cell(columns.outcome_type);
        let Some(outcome_type) = parse_outcome_type(outcome_text) else {
            return Ok(RowOutcome::Quarantined(format!(
                "outcome type {outcome_text:?} is not a whole number from 0 to 22"
            )));
        };
        let expired = match columns.offence_code_expired {
            Some(i) => match parse_expired(cell(i)) {
                Some(flag) => flag,
                None => {
                    return Ok(RowOutcome::Quarantined(format!(
                        "offence code expired {:?} is neither empty nor x",
                        cell(i)
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
                        .entry((basis.as_str().to_string(), token.to_string()))
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

    /// Builds the canonical outcome table: every source row once per basis, recorded first.
    pub fn finish(self) -> PolarsResult<DataFrame> {
        let n = self.n_rows();
        fn twice<'i>(column: &[u32], interner: &'i Interner) -> Vec<&'i str> {
            let once = column.iter().map(|&id| interner.get(id));
            once.clone().chain(once).collect()
        }
        let years: Vec<String> = self
            .fy_start
            .iter()
            .zip(&self.quarter)
            .map(|(&y, &q)| {
                Period::new(y, q)
                    .map(|p| p.financial_year())
                    .unwrap_or_default()
            })
            .collect();
        let year_column: Vec<&str> = years.iter().chain(&years).map(String::as_str).collect();
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
        let force_names: Vec<&str> = self
            .force
            .iter()
            .chain(&self.force)
            .map(|&f| forces.force(f).name.as_str())
            .collect();
        let force_codes: Vec<Option<&str>> = self
            .force
            .iter()
            .chain(&self.force)
            .map(|&f| forces.force(f).ons_code.as_deref())
            .collect();
        let expired: Vec<bool> = self.expired.iter().chain(&self.expired).copied().collect();
        let outcome: Vec<i32> = self
            .outcome_type
            .iter()
            .chain(&self.outcome_type)
            .map(|&t| i32::from(t))
            .collect();
        let basis: Vec<&str> = std::iter::repeat_n(Basis::RecordedInPeriod.as_str(), n)
            .chain(std::iter::repeat_n(Basis::AssignedInPeriod.as_str(), n))
            .collect();
        let [recorded, assigned] = &self.counts;
        let counts: Vec<Option<i64>> = recorded.iter().chain(assigned).copied().collect();
        let columns = vec![
            Column::new(col::FINANCIAL_YEAR.into(), year_column),
            Column::new(col::QUARTER.into(), quarters),
            Column::new(col::PERIOD_START.into(), starts).cast(&DataType::Date)?,
            Column::new(col::FORCE.into(), force_names),
            Column::new(col::FORCE_CODE.into(), force_codes),
            Column::new(
                col::OFFENCE_CODE.into(),
                twice(&self.offence_code, &self.codes),
            ),
            Column::new(
                col::OFFENCE_DESCRIPTION.into(),
                twice(&self.offence_description, &self.descriptions),
            ),
            Column::new(
                col::OFFENCE_GROUP.into(),
                twice(&self.offence_group, &self.groups),
            ),
            Column::new(
                col::OFFENCE_SUBGROUP.into(),
                twice(&self.offence_subgroup, &self.subgroups),
            ),
            Column::new(col::OFFENCE_CODE_EXPIRED.into(), expired),
            Column::new(col::OUTCOME_TYPE.into(), outcome),
            Column::new(col::BASIS.into(), basis),
            Column::new(col::COUNT.into(), counts),
        ];
        DataFrame::new(2 * n, columns)
    }
}
