//! The run's tables as the charts and the report read them.
//!
//! Invariant: charts and reports are drawn from exactly what a run folder holds
//! (`summary.json` and `tables/*.csv`), whether the run has just been computed or is read back
//! from disk for `outcome-lens chart` and `outcome-lens report`.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{anyhow, Context, Result};

use super::summary::Summary;
use crate::tables::Table;

/// One table as text cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextTable {
    /// Column names.
    pub headers: Vec<String>,
    /// Rows of cells.
    pub rows: Vec<Vec<String>>,
}

impl TextTable {
    /// Parses CSV text.
    pub fn from_csv(text: &str) -> Result<TextTable> {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headers = reader.headers()?.iter().map(String::from).collect();
        let rows = reader
            .records()
            .map(|r| r.map(|r| r.iter().map(String::from).collect()))
            .collect::<std::result::Result<_, _>>()?;
        Ok(TextTable { headers, rows })
    }

    fn index(&self, column: &str) -> Result<usize> {
        self.headers
            .iter()
            .position(|h| h == column)
            .ok_or_else(|| anyhow!("the table has no column {column:?}"))
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// A text cell.
    pub fn text(&self, row: usize, column: &str) -> Result<&str> {
        Ok(self.rows[row][self.index(column)?].as_str())
    }

    /// A number cell (`None` when empty).
    pub fn number(&self, row: usize, column: &str) -> Result<Option<f64>> {
        let text = self.text(row, column)?;
        if text.is_empty() {
            return Ok(None);
        }
        text.parse::<f64>().map(Some).with_context(|| {
            format!(
                "column {column:?} row {}: {text:?} is not a number",
                row + 1
            )
        })
    }

    /// A boolean cell.
    pub fn flag(&self, row: usize, column: &str) -> Result<bool> {
        Ok(self.text(row, column)? == "true")
    }
}

/// Everything a chart or report may show.
#[derive(Debug, Clone)]
pub struct RunData {
    /// `summary.json`.
    pub summary: Summary,
    /// The tables by name (`force_comparison`, `trend`, …).
    pub tables: BTreeMap<String, TextTable>,
}

impl RunData {
    /// From a run being written: the same bytes that go into `tables/*.csv`.
    pub fn from_tables(tables: &[Table], summary: &Summary) -> Result<RunData> {
        let mut map = BTreeMap::new();
        for table in tables {
            map.insert(table.name.clone(), TextTable::from_csv(&table.to_csv())?);
        }
        Ok(RunData {
            summary: summary.clone(),
            tables: map,
        })
    }

    /// From a finished run folder, or a finished folder of `outcome-lens extract` (its
    /// summary, its manifest and its extract's tables, but no national tables).
    ///
    /// # Errors
    ///
    /// When the folder is neither, or a file cannot be read.
    pub fn load(run: &Path) -> Result<RunData> {
        if let Err(not_a_run) = super::check_run_folder(run) {
            if !super::is_extract_folder(run) {
                return Err(not_a_run);
            }
            let data = RunData::read(run)?;
            return if data.is_extract_only() {
                Ok(data)
            } else {
                Err(not_a_run)
            };
        }
        RunData::read(run)
    }

    /// Reads a folder's summary and tables.
    fn read(run: &Path) -> Result<RunData> {
        let summary = super::read_summary(run)?;
        let mut map = BTreeMap::new();
        for (name, text) in super::table_texts(run)? {
            let table = TextTable::from_csv(&text).with_context(|| {
                format!(
                    "{}",
                    run.join("tables").join(format!("{name}.csv")).display()
                )
            })?;
            map.insert(name, table);
        }
        Ok(RunData {
            summary,
            tables: map,
        })
    }

    /// Whether this is what `outcome-lens extract` writes: a record-level extract (an `extract`
    /// object in the summary) and no national tables (no `force_comparison`).
    pub fn is_extract_only(&self) -> bool {
        !self.tables.contains_key("force_comparison") && self.summary.extract.is_some()
    }

    /// A table by name.
    pub fn table(&self, name: &str) -> Result<&TextTable> {
        self.tables
            .get(name)
            .ok_or_else(|| anyhow!("the run has no table {name:?}"))
    }
}
