//! Ingest: reads Home Office outcomes tables (CSV, XLSX, ODS) and tidy-counts tables (CSV,
//! Parquet) into typed tables, with a row accounting for every input.
//!
//! Invariant: for every input, rows read = rows loaded + rows quarantined, checked here;
//! the format is decided by the file's bytes, not its name; this module reads files and
//! never writes.

pub mod csv;
pub mod error;
pub mod files;
pub mod home_office;
pub mod spreadsheet;
pub mod tidy_counts;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use indicatif::ProgressBar;
use polars::prelude::*;
use serde::Serialize;

use crate::ingest::csv::{CsvError, CsvRecords};
use crate::ingest::error::IngestError;
use crate::ingest::home_office::HoBuilder;
use crate::ingest::tidy_counts::TidyBuilder;
use crate::normalise::forces::ForceTable;
use crate::normalise::headers::{match_header, HeaderMatch, HoColumns, TidyColumns};

/// How many non-blank rows at the top of a CSV are searched for the header.
pub const HEADER_SEARCH_ROWS: usize = 20;

/// The physical format of an input, decided from its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InputFormat {
    /// Comma-separated text.
    Csv,
    /// An Office Open XML or OpenDocument workbook (or legacy XLS).
    Spreadsheet,
    /// Apache Parquet.
    Parquet,
}

/// What kind of table an input holds, decided from its header row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TableKind {
    /// A Home Office crime-outcomes table.
    HomeOffice,
    /// A tidy-counts table.
    TidyCounts,
}

impl TableKind {
    fn describe(self) -> &'static str {
        match self {
            TableKind::HomeOffice => "Home Office outcomes",
            TableKind::TidyCounts => "tidy-counts",
        }
    }
}

/// The row accounting of one input.
#[derive(Debug, Clone, Serialize)]
pub struct InputAccount {
    /// The input path as given.
    pub file: String,
    /// Its physical format.
    pub format: InputFormat,
    /// Whether it was gzip-compressed.
    pub gzip: bool,
    /// The table kind found.
    pub kind: Option<TableKind>,
    /// The (first) data sheet read, for workbooks.
    pub sheet: Option<String>,
    /// For workbooks, every data sheet read with its own accounting (a table may be split
    /// over several sheets; each one with the data header is read).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sheets: Vec<SheetAccount>,
    /// The line (or spreadsheet row) of the header.
    pub header_line: u64,
    /// Non-blank rows above the header (titles), not data.
    pub title_rows: u64,
    /// Blank rows below the header, not data.
    pub blank_rows: u64,
    /// Rows below the header that repeat a header (tables pasted together), not data.
    #[serde(skip_serializing_if = "is_zero")]
    pub header_rows_repeated: u64,
    /// Footnote rows after the last data row (one or two cells of text), not data.
    #[serde(skip_serializing_if = "is_zero")]
    pub note_rows: u64,
    /// Data rows read.
    pub rows_read: u64,
    /// Data rows loaded.
    pub rows_loaded: u64,
    /// Data rows quarantined.
    pub rows_quarantined: u64,
    /// Negative counts kept (revisions).
    pub negative_counts: u64,
    /// Missing-value cells by (column, token).
    #[serde(serialize_with = "serialize_tokens")]
    pub missing_tokens: BTreeMap<(&'static str, &'static str), u64>,
    /// Header cells that matched no field.
    pub ignored_columns: Vec<String>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn serialize_tokens<S: serde::Serializer>(
    tokens: &BTreeMap<(&'static str, &'static str), u64>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = serializer.serialize_seq(Some(tokens.len()))?;
    for ((column, token), count) in tokens {
        seq.serialize_element(
            &serde_json::json!({"column": column, "token": token, "cells": count}),
        )?;
    }
    seq.end()
}

impl InputAccount {
    fn new(file: &Path, format: InputFormat, gzip: bool) -> InputAccount {
        InputAccount {
            file: file.display().to_string(),
            format,
            gzip,
            kind: None,
            sheet: None,
            sheets: Vec::new(),
            header_line: 0,
            title_rows: 0,
            blank_rows: 0,
            header_rows_repeated: 0,
            note_rows: 0,
            rows_read: 0,
            rows_loaded: 0,
            rows_quarantined: 0,
            negative_counts: 0,
            missing_tokens: BTreeMap::new(),
            ignored_columns: Vec::new(),
        }
    }

    /// Adds the counts of another part of the same input.
    fn absorb(&mut self, other: &InputAccount) {
        self.blank_rows += other.blank_rows;
        self.header_rows_repeated += other.header_rows_repeated;
        self.note_rows += other.note_rows;
        self.rows_read += other.rows_read;
        self.rows_loaded += other.rows_loaded;
        self.rows_quarantined += other.rows_quarantined;
        self.negative_counts += other.negative_counts;
        for (key, n) in &other.missing_tokens {
            *self.missing_tokens.entry(*key).or_insert(0) += n;
        }
    }

    /// Adds one data sheet of a workbook: the first sets the kind, sheet and header; every
    /// sheet's rows are added and listed in [`InputAccount::sheets`].
    fn add_sheet(&mut self, part: &InputAccount) {
        if self.sheets.is_empty() {
            self.kind = part.kind;
            self.sheet.clone_from(&part.sheet);
            self.header_line = part.header_line;
            self.ignored_columns.clone_from(&part.ignored_columns);
        }
        self.title_rows += part.title_rows;
        self.absorb(part);
        self.sheets.push(SheetAccount {
            name: part.sheet.clone().unwrap_or_default(),
            header_line: part.header_line,
            title_rows: part.title_rows,
            rows_read: part.rows_read,
            rows_loaded: part.rows_loaded,
            rows_quarantined: part.rows_quarantined,
        });
    }

    /// Missing-value cells in all columns.
    pub fn missing_cells(&self) -> u64 {
        self.missing_tokens.values().sum()
    }
}

/// The row accounting of one data sheet of a workbook.
#[derive(Debug, Clone, Serialize)]
pub struct SheetAccount {
    /// The sheet's name.
    pub name: String,
    /// The spreadsheet row of its header.
    pub header_line: u64,
    /// Non-blank rows above its header (titles), not data.
    pub title_rows: u64,
    /// Data rows read.
    pub rows_read: u64,
    /// Data rows loaded.
    pub rows_loaded: u64,
    /// Data rows quarantined.
    pub rows_quarantined: u64,
}

/// A row that was not loaded, and why.
#[derive(Debug, Clone, Serialize)]
pub struct QuarantinedRow {
    /// The input path.
    pub file: String,
    /// The line (or spreadsheet row).
    pub line: u64,
    /// Why it was not loaded.
    pub reason: String,
    /// The row's cells.
    pub cells: Vec<String>,
}

/// Whether a row was loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowOutcome {
    /// Loaded into the table.
    Loaded,
    /// Quarantined, with the reason.
    Quarantined(String),
}

/// The table an ingest produced.
pub enum Table {
    /// The canonical outcome table (see `record.rs`).
    Outcomes(DataFrame),
    /// A tidy-counts table.
    Tidy(DataFrame),
}

/// Everything an ingest produced.
pub struct Ingested {
    /// The table.
    pub table: Table,
    /// One accounting per input, in input order.
    pub accounts: Vec<InputAccount>,
    /// Rows not loaded, in input order.
    pub quarantine: Vec<QuarantinedRow>,
    /// Distinct forces in a Home Office table (0 for tidy tables), totals not counted.
    pub n_forces: usize,
    /// The totals in a Home Office table (England and Wales, Action Fraud), by name.
    pub aggregates: Vec<String>,
}

/// Reads every input into one table. Fails on the first fatal problem; row-level problems
/// quarantine the row instead.
pub fn read_inputs(
    paths: &[PathBuf],
    forces: &ForceTable,
    progress: &ProgressBar,
) -> Result<Ingested, IngestError> {
    read_sources(paths, forces, progress, read_bytes)
}

/// Reads one input held in memory, exactly as [`read_inputs`] reads a file with these bytes;
/// `name` stands for the file in the accounting and in messages. Used by the fuzz targets
/// (tests/fuzz), which must not write a file per input.
pub fn read_input_bytes(
    name: &Path,
    bytes: Vec<u8>,
    forces: &ForceTable,
    progress: &ProgressBar,
) -> Result<Ingested, IngestError> {
    let mut bytes = Some(bytes);
    read_sources(&[name.to_path_buf()], forces, progress, |path| {
        decompress(path, Bytes::Owned(bytes.take().unwrap_or_default()))
    })
}

/// [`read_inputs`] with the bytes of each input (decompressed, and whether they were gzip)
/// coming from `load`.
fn read_sources(
    paths: &[PathBuf],
    forces: &ForceTable,
    progress: &ProgressBar,
    mut load: impl FnMut(&Path) -> Result<(Bytes, bool), IngestError>,
) -> Result<Ingested, IngestError> {
    let mut session = Session {
        kind: None,
        ho: HoBuilder::new(forces),
        tidy: TidyBuilder::default(),
        quarantine: Vec::new(),
        canonical: Vec::new(),
    };
    let mut accounts = Vec::with_capacity(paths.len());
    for path in paths {
        let (bytes, gzip) = load(path)?;
        let account =
            if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
                read_spreadsheet(path, &bytes, gzip, &mut session, progress)?
            } else if bytes.starts_with(b"PAR1") {
                read_parquet(path, &bytes, gzip, &mut session, progress)?
            } else {
                read_csv(path, &bytes, gzip, &mut session, progress)?
            };
        if account.rows_read != account.rows_loaded + account.rows_quarantined {
            return Err(IngestError::Accounting {
                file: path.clone(),
                read: account.rows_read,
                loaded: account.rows_loaded,
                quarantined: account.rows_quarantined,
            });
        }
        accounts.push(account);
    }
    let n_forces = session.ho.n_forces();
    let mut aggregates = session.ho.aggregates();
    let table_error = |e: PolarsError| IngestError::Table {
        file: paths.first().cloned().unwrap_or_default(),
        reason: e.to_string(),
    };
    let (canonical_n, canonical_aggregates) = canonical_forces(&session.canonical, forces);
    let n_forces = n_forces.max(canonical_n);
    aggregates.extend(canonical_aggregates);
    aggregates.sort();
    aggregates.dedup();
    let table = match session.kind {
        Some(TableKind::TidyCounts) => Table::Tidy(session.tidy.finish().map_err(table_error)?),
        _ => {
            let mut df = session.ho.finish().map_err(table_error)?;
            if df.height() == 0 && session.canonical.len() == 1 {
                // One canonical table alone is taken as it is, dictionaries and all.
                df = session.canonical.swap_remove(0).1;
                check_unique_keys(&df, paths)?;
            } else if !session.canonical.is_empty() {
                // Parts hold different dictionaries: join them as plain text.
                df = crate::record::as_text(&df).map_err(table_error)?;
                for (_, part) in &session.canonical {
                    let part = crate::record::as_text(part).map_err(table_error)?;
                    df.vstack_mut(&part).map_err(table_error)?;
                }
                check_unique_keys(&df, paths)?;
            }
            Table::Outcomes(df)
        }
    };
    Ok(Ingested {
        table,
        accounts,
        quarantine: session.quarantine,
        n_forces,
        aggregates,
    })
}

/// State shared by the inputs of one ingest.
struct Session<'f> {
    kind: Option<TableKind>,
    ho: HoBuilder<'f>,
    tidy: TidyBuilder,
    quarantine: Vec<QuarantinedRow>,
    /// Canonical outcome tables read whole from Parquet (earlier `ingest` outputs).
    canonical: Vec<(PathBuf, DataFrame)>,
}

/// An input's bytes: read into memory, or mapped from the file.
pub(crate) enum Bytes {
    /// Read (or inflated) into memory.
    Owned(Vec<u8>),
    /// Mapped read-only from the file (`files::map_large`): a national table's 131 MB are
    /// neither copied nor written into fresh pages. The mapping is shared with other readers
    /// of the same file (the hashing of a fresh run's input).
    Mapped(std::sync::Arc<polars_utils::mmap::MMapSemaphore>),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Owned(bytes) => bytes,
            Bytes::Mapped(map) => map.as_ref().as_ref(),
        }
    }
}

/// Reads (or, when large, maps) a file, decompressing gzip (detected by its magic bytes).
fn read_bytes(path: &Path) -> Result<(Bytes, bool), IngestError> {
    let io_error = |source| IngestError::Io {
        file: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(io_error)?;
    if let Some(map) = files::map_large(&file) {
        return decompress(path, Bytes::Mapped(map));
    }
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(io_error)?;
    decompress(path, Bytes::Owned(bytes))
}

/// Decompresses gzip data (detected by its magic bytes); other bytes are returned as they are.
fn decompress(path: &Path, bytes: Bytes) -> Result<(Bytes, bool), IngestError> {
    if bytes.starts_with(&[0x1F, 0x8B]) {
        let compressed = bytes.len() as u64;
        let limit = gzip_limit(compressed);
        let mut out = Vec::with_capacity(bytes.len() * 8);
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .take(limit + 1)
            .read_to_end(&mut out)
            .map_err(|e| IngestError::Gzip {
                file: path.to_path_buf(),
                reason: e.to_string(),
            })?;
        if out.len() as u64 > limit {
            return Err(IngestError::Gzip {
                file: path.to_path_buf(),
                reason: format!(
                    "it inflates to more than {limit} bytes from {compressed}, past the limit of {GZIP_MAX_RATIO} times its size (at least {GZIP_MIN_LIMIT} bytes, at most {GZIP_MAX_BYTES}): a gzip bomb?"
                ),
            });
        }
        return Ok((Bytes::Owned(out), true));
    }
    Ok((bytes, false))
}

/// The most bytes a gzip-compressed input may inflate to. The full 2018/19 table is 131 MB
/// from 4 MB (33 times); a gzip bomb inflates about 1,000 times, so an input may inflate
/// [`GZIP_MAX_RATIO`] times its compressed size, or [`GZIP_MIN_LIMIT`] bytes if that is more,
/// and never more than [`GZIP_MAX_BYTES`] (the inflated bytes are held in memory).
pub const GZIP_MAX_BYTES: u64 = 2 << 30;

/// See [`GZIP_MAX_BYTES`].
pub const GZIP_MAX_RATIO: u64 = 200;

/// See [`GZIP_MAX_BYTES`].
pub const GZIP_MIN_LIMIT: u64 = 64 << 20;

/// How many bytes `compressed` bytes of gzip data may inflate to.
fn gzip_limit(compressed: u64) -> u64 {
    compressed
        .saturating_mul(GZIP_MAX_RATIO)
        .clamp(GZIP_MIN_LIMIT, GZIP_MAX_BYTES)
}

// The row reader, and the CSV text reader built on it.
mod reader;
mod text;

use reader::*;
use text::*;

fn read_spreadsheet(
    path: &Path,
    bytes: &[u8],
    gzip: bool,
    session: &mut Session<'_>,
    progress: &ProgressBar,
) -> Result<InputAccount, IngestError> {
    let mut sink = SpreadsheetRows {
        path,
        gzip,
        session,
        progress,
        account: InputAccount::new(path, InputFormat::Spreadsheet, gzip),
        reader: None,
    };
    spreadsheet::read_data_sheets(path, bytes, &mut sink)?;
    Ok(sink.account)
}

/// A sheet's rows are reserved for as its part's size over this: fewer bytes than a sheet
/// writer spends on a row of a Home Office table's thirteen cells.
const SHEET_BYTES_PER_ROW: u64 = 256;

/// The rows of a workbook's data sheets, each sheet read as an input of its own and its
/// accounting added to the workbook's.
struct SpreadsheetRows<'s, 'f, 'p> {
    path: &'p Path,
    gzip: bool,
    session: &'s mut Session<'f>,
    progress: &'p ProgressBar,
    account: InputAccount,
    reader: Option<FileReader<'static>>,
}

impl spreadsheet::rows::SheetRows for SpreadsheetRows<'_, '_, '_> {
    fn begin(&mut self, sheet: &str, size: u64) -> Result<(), IngestError> {
        // Rows are located as `book.xlsx[Sheet]:ROW`, the sheet's own row number.
        // A sheet's name may hold a line break (found by fuzzing): messages stay one line.
        let place = PathBuf::from(format!(
            "{}[{}]",
            self.path.display(),
            crate::normalise::text::one_line(sheet)
        ));
        let mut part = InputAccount::new(&place, InputFormat::Spreadsheet, self.gzip);
        part.sheet = Some(sheet.to_string());
        self.reader = Some(FileReader::new(
            place,
            part,
            spreadsheet::HEADER_SEARCH_ROWS,
        ));
        // The columns are sized once for the sheet (an XLSX row of a Home Office table takes
        // about 430 bytes of XML, an ODS row about 1,500): grown by doubling, they were copied
        // and faulted in afresh about twenty times, a seventh of a workbook's ingest. Memory
        // reserved and not filled is never touched.
        let rows = usize::try_from(size / SHEET_BYTES_PER_ROW).unwrap_or(usize::MAX);
        self.session
            .ho
            .reserve(rows.min(spreadsheet::SHEET_ROWS as usize));
        self.progress.set_length(size);
        self.progress.set_position(0);
        Ok(())
    }

    fn row(
        &mut self,
        number: u64,
        cells: &[String],
        first_changed: usize,
    ) -> Result<(), IngestError> {
        let Some(reader) = self.reader.as_mut() else {
            return Ok(());
        };
        let block = match &reader.phase {
            Phase::HomeOffice { columns } => columns.block_fields(),
            _ => 0,
        };
        let same_block = block > 0 && first_changed >= block;
        reader.row_sharing(number, cells, same_block, self.session)
    }

    fn progress(&mut self, parsed: u64) {
        self.progress.set_position(parsed);
    }

    fn end(&mut self) -> Result<(), IngestError> {
        if let Some(reader) = self.reader.take() {
            let part = reader.finish()?;
            self.account.add_sheet(&part);
        }
        Ok(())
    }
}

fn read_parquet(
    path: &Path,
    bytes: &[u8],
    gzip: bool,
    session: &mut Session<'_>,
    progress: &ProgressBar,
) -> Result<InputAccount, IngestError> {
    let table_error = |e: PolarsError| IngestError::Table {
        file: path.to_path_buf(),
        reason: format!("cannot read Parquet: {e}"),
    };
    let df = ParquetReader::new(std::io::Cursor::new(bytes))
        .finish()
        .map_err(table_error)?;
    if crate::record::conforms(df.schema()) {
        return read_canonical(path, df, gzip, session);
    }
    let mut reader = FileReader::new(path, InputAccount::new(path, InputFormat::Parquet, gzip), 1);
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    reader.row(1, &names, session)?;
    let text_columns: Vec<Column> = df
        .columns()
        .iter()
        .map(|c| c.cast(&DataType::String))
        .collect::<PolarsResult<_>>()
        .map_err(table_error)?;
    let text_columns: Vec<&StringChunked> = text_columns
        .iter()
        .map(|c| c.str())
        .collect::<PolarsResult<_>>()
        .map_err(table_error)?;
    progress.set_length(df.height() as u64);
    let mut cells: Vec<String> = Vec::with_capacity(names.len());
    for i in 0..df.height() {
        cells.clear();
        cells.extend(
            text_columns
                .iter()
                .map(|c| c.get(i).unwrap_or("").to_string()),
        );
        // Parquet has no lines: row i of the table is reported as line i + 2 (after the header).
        reader.row(i as u64 + 2, &cells, session)?;
    }
    reader.finish()
}

/// A canonical outcome table written by an earlier `ingest`: taken whole, after checking that
/// its forces are known.
fn read_canonical(
    path: &Path,
    df: DataFrame,
    gzip: bool,
    session: &mut Session<'_>,
) -> Result<InputAccount, IngestError> {
    let mut account = InputAccount::new(path, InputFormat::Parquet, gzip);
    match session.kind {
        Some(TableKind::TidyCounts) => {
            return Err(IngestError::MixedKinds {
                file: path.to_path_buf(),
                kind: TableKind::HomeOffice.describe(),
                other: TableKind::TidyCounts.describe(),
            })
        }
        _ => session.kind = Some(TableKind::HomeOffice),
    }
    account.kind = Some(TableKind::HomeOffice);
    let table_error = |e: PolarsError| IngestError::Table {
        file: path.to_path_buf(),
        reason: e.to_string(),
    };
    let forces = df
        .column(crate::record::col::FORCE)
        .and_then(|c| c.unique_stable())
        .and_then(|c| c.cast(&DataType::String))
        .map_err(table_error)?;
    let forces = forces.str().map_err(table_error)?;
    for (row, name) in forces.iter().enumerate() {
        let name = name.unwrap_or_default();
        if session.ho.forces().lookup(name).is_none() {
            return Err(IngestError::UnknownForce {
                file: path.to_path_buf(),
                line: row as u64 + 1,
                column: crate::record::col::FORCE.into(),
                value: name.to_string(),
                closest: session.ho.forces().closest_names(name, 3).join(", "),
            });
        }
    }
    account.rows_read = df.height() as u64;
    account.rows_loaded = df.height() as u64;
    session.canonical.push((path.to_path_buf(), df));
    Ok(account)
}

/// The forces and the totals (by name) of canonical tables read whole.
fn canonical_forces(parts: &[(PathBuf, DataFrame)], forces: &ForceTable) -> (usize, Vec<String>) {
    let mut names: Vec<String> = Vec::new();
    for (_, df) in parts {
        if let Ok(column) = df
            .column(crate::record::col::FORCE)
            .and_then(|c| c.unique())
            .and_then(|c| c.cast(&DataType::String))
        {
            if let Ok(values) = column.str() {
                names.extend(values.iter().flatten().map(String::from));
            }
        }
    }
    names.sort();
    names.dedup();
    let (totals, forces): (Vec<String>, Vec<String>) = names.into_iter().partition(|name| {
        forces.lookup(name).is_some_and(|id| {
            forces.force(id).kind == crate::normalise::forces::ForceKind::Aggregate
        })
    });
    (forces.len(), totals)
}

/// Stops on a key (period, force, offence code, outcome type, basis) present twice, as when
/// the same table is passed both as a source file and as a canonical Parquet.
pub fn check_unique_keys(df: &DataFrame, paths: &[PathBuf]) -> Result<(), IngestError> {
    use crate::record::col as rc;
    let keys = [
        rc::FINANCIAL_YEAR,
        rc::QUARTER,
        rc::FORCE,
        rc::OFFENCE_CODE,
        rc::OUTCOME_TYPE,
        rc::BASIS,
    ];
    let table_error = |e: PolarsError| IngestError::Table {
        file: paths.first().cloned().unwrap_or_default(),
        reason: e.to_string(),
    };
    let duplicates = df
        .clone()
        .lazy()
        .group_by(keys.map(col))
        .agg([len().alias("n")])
        .filter(col("n").gt(lit(1u32)))
        .sort(keys, Default::default())
        .limit(1)
        .collect()
        .map_err(table_error)?;
    if duplicates.height() == 0 {
        return Ok(());
    }
    let cell = |name: &str| {
        duplicates
            .column(name)
            .ok()
            .and_then(|c| c.get(0).ok().map(|v| v.to_string()))
            .unwrap_or_default()
            .trim_matches('"')
            .to_string()
    };
    Err(IngestError::DuplicateRecords {
        file: paths.last().cloned().unwrap_or_default(),
        key: format!(
            "{} Q{} {} offence {} outcome type {} ({})",
            cell(rc::FINANCIAL_YEAR),
            cell(rc::QUARTER),
            cell(rc::FORCE),
            cell(rc::OFFENCE_CODE),
            cell(rc::OUTCOME_TYPE),
            cell(rc::BASIS)
        ),
    })
}
