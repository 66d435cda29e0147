//! Tidy-counts tables: `unit,period,numerator,denominator` plus optional grouping columns,
//! for figures copied from other publications or areas inside a force.
//!
//! Invariant: unit names are free text (not checked against the forces table); every row is
//! loaded or quarantined with a reason; the same unit, period and groups twice stop the
//! ingest. A missing-value token leaves the number null and is counted.

use std::path::Path;

use polars::prelude::*;
use rustc_hash::FxHashMap;

use crate::ingest::error::IngestError;
use crate::ingest::{InputAccount, RowOutcome};
use crate::normalise::headers::TidyColumns;
use crate::normalise::text::{clean, quote_for_message};
use crate::normalise::values::{parse_count, Count};

/// Column names of the tidy-counts table written by `ingest`.
pub mod col {
    /// The unit (a force, an area, a team): free text.
    pub const UNIT: &str = "unit";
    /// The period, as written in the source.
    pub const PERIOD: &str = "period";
    /// The numerator.
    pub const NUMERATOR: &str = "numerator";
    /// The denominator.
    pub const DENOMINATOR: &str = "denominator";
}

/// Accumulates tidy-counts rows across the inputs of one ingest.
#[derive(Default)]
pub struct TidyBuilder {
    group_names: Option<Vec<String>>,
    units: Vec<String>,
    periods: Vec<String>,
    groups: Vec<Vec<String>>,
    numerators: Vec<Option<i64>>,
    denominators: Vec<Option<i64>>,
    seen: FxHashMap<Vec<String>, String>,
    files: Vec<String>,
}

impl TidyBuilder {
    /// Registers an input with its columns; all tidy inputs of one ingest must share their
    /// grouping columns.
    pub fn add_input(&mut self, file: &Path, columns: &TidyColumns) -> Result<u32, IngestError> {
        let names: Vec<String> = columns.groups.iter().map(|(_, n)| n.clone()).collect();
        match &self.group_names {
            None => self.group_names = Some(names),
            Some(expected) if *expected != names => {
                return Err(IngestError::TidyGroups {
                    file: file.to_path_buf(),
                    found: names.join(", "),
                    expected: expected.join(", "),
                })
            }
            Some(_) => {}
        }
        self.files.push(file.display().to_string());
        Ok(u32::try_from(self.files.len() - 1).unwrap_or(u32::MAX))
    }

    /// Rows loaded so far.
    pub fn n_rows(&self) -> usize {
        self.units.len()
    }

    /// Loads or quarantines one row.
    pub fn push<S: AsRef<str>>(
        &mut self,
        file: &Path,
        input: u32,
        line: u64,
        cells: &[S],
        columns: &TidyColumns,
        account: &mut InputAccount,
    ) -> Result<RowOutcome, IngestError> {
        if cells.len() < columns.width {
            return Ok(RowOutcome::Quarantined(format!(
                "row has {} fields, the header has {}",
                cells.len(),
                columns.width
            )));
        }
        let cell = |i: usize| clean(cells[i].as_ref()).into_owned();
        let unit = cell(columns.unit);
        if unit.is_empty() {
            return Ok(RowOutcome::Quarantined("unit is empty".into()));
        }
        let period = cell(columns.period);
        if period.is_empty() {
            return Ok(RowOutcome::Quarantined("period is empty".into()));
        }
        let mut numbers = [None, None];
        for (slot, (index, name)) in numbers.iter_mut().zip([
            (columns.numerator, col::NUMERATOR),
            (columns.denominator, col::DENOMINATOR),
        ]) {
            match parse_count(cells[index].as_ref()) {
                Count::Value(v) if v < 0 => {
                    return Ok(RowOutcome::Quarantined(format!("{name} {v} is negative")))
                }
                Count::Value(v) => *slot = Some(v),
                Count::Missing(token) => {
                    *account.missing_tokens.entry((name, token)).or_insert(0) += 1;
                }
                Count::Invalid(reason) => {
                    return Ok(RowOutcome::Quarantined(format!("{name} {reason}")))
                }
            }
        }
        if let [Some(numerator), Some(denominator)] = numbers {
            if numerator > denominator {
                return Ok(RowOutcome::Quarantined(format!(
                    "numerator {numerator} is greater than denominator {denominator}"
                )));
            }
        }
        let groups: Vec<String> = columns.groups.iter().map(|(i, _)| cell(*i)).collect();
        let mut key = vec![unit.clone(), period.clone()];
        key.extend(groups.iter().cloned());
        let here = format!("{}:{line}", self.files[input as usize]);
        if let Some(first) = self.seen.insert(key, here) {
            let mut described = format!(
                "unit {} period {}",
                quote_for_message(&unit),
                quote_for_message(&period)
            );
            for ((_, name), value) in columns.groups.iter().zip(&groups) {
                described.push_str(&format!(" {name} {}", quote_for_message(value)));
            }
            return Err(IngestError::DuplicateKey {
                file: file.to_path_buf(),
                line,
                key: described,
                first,
            });
        }
        self.units.push(unit);
        self.periods.push(period);
        self.groups.push(groups);
        self.numerators.push(numbers[0]);
        self.denominators.push(numbers[1]);
        Ok(RowOutcome::Loaded)
    }

    /// Builds the tidy table: unit, period, the grouping columns, numerator, denominator.
    pub fn finish(self) -> PolarsResult<DataFrame> {
        let n = self.units.len();
        let mut columns = vec![
            Column::new(col::UNIT.into(), &self.units),
            Column::new(col::PERIOD.into(), &self.periods),
        ];
        for (g, name) in self.group_names.iter().flatten().enumerate() {
            let values: Vec<&str> = self.groups.iter().map(|row| row[g].as_str()).collect();
            columns.push(Column::new(name.as_str().into(), values));
        }
        columns.push(Column::new(col::NUMERATOR.into(), &self.numerators));
        columns.push(Column::new(col::DENOMINATOR.into(), &self.denominators));
        DataFrame::new(n, columns)
    }
}
