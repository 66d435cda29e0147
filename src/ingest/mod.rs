//! Ingest: reads Home Office outcomes tables (CSV, XLSX, ODS) and tidy-counts tables (CSV,
//! Parquet) into typed tables, with a row accounting for every input.
//!
//! Invariant: for every input, rows read = rows loaded + rows quarantined, checked here;
//! the format is decided by the file's bytes, not its name; this module reads files and
//! never writes.

pub mod csv;
pub mod error;
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
                read_spreadsheet(path, bytes.into_vec(), gzip, &mut session, progress)?
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
    /// Mapped read-only from the file (`output::map_large`): a national table's 131 MB are
    /// neither copied nor written into fresh pages. The mapping is shared with other readers
    /// of the same file (the hashing of a fresh run's input).
    Mapped(std::sync::Arc<polars_utils::mmap::MMapSemaphore>),
}

impl Bytes {
    /// The bytes as an owned vector (a copy when mapped).
    fn into_vec(self) -> Vec<u8> {
        match self {
            Bytes::Owned(bytes) => bytes,
            Bytes::Mapped(map) => map.as_ref().as_ref().to_vec(),
        }
    }
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
    if let Some(map) = crate::output::map_large(&file) {
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

/// Where one input is in its reading: looking for the header, or loading rows.
enum Phase {
    Seeking {
        rows: usize,
        first_row: Option<String>,
    },
    HomeOffice {
        columns: HoColumns,
    },
    Tidy {
        columns: TidyColumns,
        input: u32,
    },
}

/// True for an empty or all-whitespace cell; decides on the first byte for almost every cell.
fn is_blank(cell: &str) -> bool {
    match cell.as_bytes().first() {
        None => true,
        Some(b) if !b.is_ascii_whitespace() && b.is_ascii() => false,
        Some(_) => cell.trim().is_empty(),
    }
}

/// Reads the rows of one input, whatever its format.
struct FileReader<'p> {
    path: &'p Path,
    phase: Phase,
    account: InputAccount,
    search_limit: usize,
    /// Rows that refused to load and look like footnotes, held until a data row follows them
    /// (then they are quarantined) or the input ends (then they are footnotes).
    pending_notes: Vec<QuarantinedRow>,
}

/// A row whose only text is in its first one or two cells (`Source: Home Office`, `Note 1`,
/// `Notes: …`): a footnote if nothing but such rows follow it.
fn looks_like_note<S: AsRef<str>>(cells: &[S]) -> bool {
    let filled: Vec<usize> = cells
        .iter()
        .enumerate()
        .filter(|(_, c)| !is_blank(c.as_ref()))
        .map(|(i, _)| i)
        .collect();
    !filled.is_empty() && filled.iter().all(|&i| i < 2)
}

impl<'p> FileReader<'p> {
    fn new(path: &'p Path, account: InputAccount, search_limit: usize) -> FileReader<'p> {
        FileReader {
            path,
            phase: Phase::Seeking {
                rows: 0,
                first_row: None,
            },
            account,
            search_limit,
            pending_notes: Vec::new(),
        }
    }

    fn row<S: AsRef<str>>(
        &mut self,
        line: u64,
        cells: &[S],
        session: &mut Session<'_>,
    ) -> Result<(), IngestError> {
        self.row_sharing(line, cells, false, session)
    }

    /// [`Self::row`], told whether the row's leading block fields
    /// ([`HoColumns::block_fields`]) are byte for byte the previous row's.
    fn row_sharing<S: AsRef<str>>(
        &mut self,
        line: u64,
        cells: &[S],
        same_block: bool,
        session: &mut Session<'_>,
    ) -> Result<(), IngestError> {
        let blank = cells.iter().all(|c| is_blank(c.as_ref()));
        let outcome = match &mut self.phase {
            Phase::Seeking { rows, first_row } => {
                if blank {
                    return Ok(());
                }
                *rows += 1;
                if first_row.is_none() {
                    *first_row = Some(
                        cells
                            .iter()
                            .map(AsRef::as_ref)
                            .collect::<Vec<_>>()
                            .join(","),
                    );
                }
                match match_header(cells) {
                    Some(HeaderMatch::HomeOffice(columns)) => {
                        self.start(TableKind::HomeOffice, line, session)?;
                        self.account.ignored_columns = columns.ignored.clone();
                        session.ho.add_input(&self.account.file);
                        self.phase = Phase::HomeOffice { columns };
                    }
                    Some(HeaderMatch::Tidy(columns)) => {
                        self.start(TableKind::TidyCounts, line, session)?;
                        let input = session.tidy.add_input(self.path, &columns)?;
                        self.phase = Phase::Tidy { columns, input };
                    }
                    Some(HeaderMatch::MissingColumns(missing)) => {
                        return Err(IngestError::MissingColumns {
                            file: self.path.to_path_buf(),
                            line,
                            columns: missing.join(", "),
                        })
                    }
                    Some(HeaderMatch::DuplicateColumn { header, columns }) => {
                        return Err(IngestError::DuplicateColumn {
                            file: self.path.to_path_buf(),
                            line,
                            header,
                            columns,
                        })
                    }
                    None => {
                        self.account.title_rows += 1;
                        if *rows >= self.search_limit {
                            return Err(self.no_header());
                        }
                    }
                }
                return Ok(());
            }
            _ if blank => {
                self.account.blank_rows += 1;
                return Ok(());
            }
            Phase::HomeOffice { columns } => session.ho.push(
                self.path,
                line,
                cells,
                columns,
                same_block,
                &mut self.account,
            )?,
            Phase::Tidy { columns, input } => {
                session
                    .tidy
                    .push(self.path, *input, line, cells, columns, &mut self.account)?
            }
        };
        match outcome {
            RowOutcome::Loaded => {
                self.flush_notes(session);
                self.account.rows_read += 1;
                self.account.rows_loaded += 1;
            }
            RowOutcome::Quarantined(reason) => {
                // The header again (a file made by pasting tables together): not data.
                if match_header(cells).is_some() {
                    self.account.header_rows_repeated += 1;
                    return Ok(());
                }
                let row = QuarantinedRow {
                    file: self.account.file.clone(),
                    line,
                    reason,
                    cells: cells.iter().map(|c| c.as_ref().to_string()).collect(),
                };
                // A row of one or two cells of text that refuses to load may be a footnote
                // below the table; it is one only if no data row follows it.
                if looks_like_note(cells) {
                    self.pending_notes.push(row);
                } else {
                    self.flush_notes(session);
                    self.quarantine(row, session);
                }
            }
        }
        Ok(())
    }

    /// Quarantines a row that could not be loaded.
    fn quarantine(&mut self, row: QuarantinedRow, session: &mut Session<'_>) {
        self.account.rows_read += 1;
        self.account.rows_quarantined += 1;
        session.quarantine.push(row);
    }

    /// The note-like rows held back turn out to have data after them: they are quarantined.
    fn flush_notes(&mut self, session: &mut Session<'_>) {
        for row in std::mem::take(&mut self.pending_notes) {
            self.quarantine(row, session);
        }
    }

    fn start(
        &mut self,
        kind: TableKind,
        line: u64,
        session: &mut Session<'_>,
    ) -> Result<(), IngestError> {
        match session.kind {
            Some(other) if other != kind => {
                return Err(IngestError::MixedKinds {
                    file: self.path.to_path_buf(),
                    kind: kind.describe(),
                    other: other.describe(),
                })
            }
            _ => session.kind = Some(kind),
        }
        self.account.kind = Some(kind);
        self.account.header_line = line;
        Ok(())
    }

    fn no_header(&self) -> IngestError {
        let (rows, first_row) = match &self.phase {
            Phase::Seeking { rows, first_row } => (*rows, first_row.clone().unwrap_or_default()),
            _ => (0, String::new()),
        };
        let mut hint = String::new();
        if !first_row.contains(',') {
            if let Some(delimiter) = [';', '\t', '|']
                .into_iter()
                .find(|d| first_row.contains(*d))
            {
                hint = format!(
                    "; the first row has no commas but contains {delimiter:?}, so the file looks {delimiter:?}-delimited: save it as comma-separated CSV"
                );
            }
        }
        IngestError::NoHeader {
            file: self.path.to_path_buf(),
            rows_searched: rows.min(self.search_limit),
            hint,
        }
    }

    /// Ends the input: note-like rows after the last data row are footnotes, counted apart.
    fn finish(mut self) -> Result<InputAccount, IngestError> {
        match &self.phase {
            Phase::Seeking { rows: 0, .. } => Err(IngestError::Empty {
                file: self.path.to_path_buf(),
            }),
            Phase::Seeking { .. } => Err(self.no_header()),
            _ => {
                self.account.note_rows += self.pending_notes.len() as u64;
                Ok(self.account)
            }
        }
    }
}

fn read_csv(
    path: &Path,
    bytes: &[u8],
    gzip: bool,
    session: &mut Session<'_>,
    progress: &ProgressBar,
) -> Result<InputAccount, IngestError> {
    if bytes.is_empty() {
        return Err(IngestError::Empty {
            file: path.to_path_buf(),
        });
    }
    if let Some(byte_order) = utf16_byte_order(bytes) {
        return Err(IngestError::Utf16 {
            file: path.to_path_buf(),
            byte_order,
        });
    }
    let (head, tail) = input_text(path, bytes)?;
    let head = head.strip_prefix('\u{FEFF}').unwrap_or(head);
    let mut reader = FileReader::new(
        path,
        InputAccount::new(path, InputFormat::Csv, gzip),
        HEADER_SEARCH_ROWS,
    );
    progress.set_length((head.len() + tail.len()) as u64);
    progress.set_position(0);
    // Read up to the header (and any title rows) on this thread.
    let mut records = CsvRecords::new(head);
    while !matches!(reader.phase, Phase::HomeOffice { .. } | Phase::Tidy { .. }) {
        let mut fields = Vec::with_capacity(16);
        match next_record(path, &mut records, &mut fields)? {
            Some(line) => reader.row(line, &fields, session)?,
            None => break,
        }
    }
    let rest = &head[records.position()..];
    let rest_line = records.line();
    progress.inc(records.position() as u64);
    let two_pieces = match &reader.phase {
        Phase::HomeOffice { columns } if !tail.is_empty() => Some(columns.clone()),
        _ => None,
    };
    if let Some(columns) = two_pieces {
        read_in_two(
            path,
            rest,
            tail,
            rest_line,
            &columns,
            &mut reader,
            session,
            progress,
        )?;
    } else {
        // The second piece, if any, follows on (a header not found in the first piece is
        // still looked for in it).
        let next_line = read_records(path, rest, rest_line, &mut reader, session, progress)?;
        read_records(path, tail, next_line, &mut reader, session, progress)?;
    }
    reader.finish()
}

/// An input's text in two pieces that follow each other, the second empty unless the input
/// is large enough to read on two threads: then they meet at the start of a line near the
/// middle. The pieces are checked (no NUL byte, valid UTF-8) on as many threads, and the first
/// fault is reported as a check of the whole would report it.
fn input_text<'b>(path: &Path, bytes: &'b [u8]) -> Result<(&'b str, &'b str), IngestError> {
    let split = if bytes.len() >= PARALLEL_MIN_BYTES
        && std::env::var_os("OUTCOME_LENS_SEQUENTIAL").is_none()
    {
        split_point(bytes)
    } else {
        None
    };
    let at = split.unwrap_or(bytes.len());
    let (head, tail) = bytes.split_at(at);
    let (head_check, tail_check) = if tail.is_empty() {
        (check_text(head), TextCheck::Text(""))
    } else {
        std::thread::scope(|scope| {
            let worker = scope.spawn(|| check_text(tail));
            let head_check = check_text(head);
            // A check cannot panic; were the thread lost, the tail is checked here.
            (
                head_check,
                worker.join().unwrap_or_else(|_| check_text(tail)),
            )
        })
    };
    let binary = |offset| IngestError::Binary {
        file: path.to_path_buf(),
        offset,
    };
    match (head_check, tail_check) {
        (TextCheck::Nul(offset), _) => Err(binary(offset)),
        (_, TextCheck::Nul(offset)) => Err(binary(at + offset)),
        (TextCheck::NotUtf8(offset), _) => Err(encoding_error(path, bytes, offset)),
        (_, TextCheck::NotUtf8(offset)) => Err(encoding_error(path, bytes, at + offset)),
        (TextCheck::Text(head), TextCheck::Text(tail)) => Ok((head, tail)),
    }
}

/// What a check of a stretch of an input's bytes found.
enum TextCheck<'b> {
    Text(&'b str),
    /// A NUL byte at this offset in the stretch: a binary file.
    Nul(usize),
    /// Not UTF-8 from this offset in the stretch.
    NotUtf8(usize),
}

fn check_text(bytes: &[u8]) -> TextCheck<'_> {
    if let Some(offset) = memchr::memchr(0, bytes) {
        return TextCheck::Nul(offset);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => TextCheck::Text(text),
        Err(e) => TextCheck::NotUtf8(e.valid_up_to()),
    }
}

/// CSV inputs of this many bytes or more are checked and read by two threads (unless the
/// environment variable `OUTCOME_LENS_SEQUENTIAL` is set, which the tests use to check that
/// both ways give the same bytes).
const PARALLEL_MIN_BYTES: usize = 4 << 20;

/// The next record, with structural CSV errors turned into ingest errors.
fn next_record<'t>(
    path: &Path,
    records: &mut CsvRecords<'t>,
    fields: &mut Vec<std::borrow::Cow<'t, str>>,
) -> Result<Option<u64>, IngestError> {
    records.next_record(fields).map_err(|e| match e {
        CsvError::UnclosedQuote { line } => IngestError::Csv {
            file: path.to_path_buf(),
            line,
            reason: "a quoted field is not closed before the end of the file (truncated file?)"
                .into(),
        },
        CsvError::TextAfterQuote { line, found } => IngestError::Csv {
            file: path.to_path_buf(),
            line,
            reason: format!("unexpected {found:?} after a closing quote"),
        },
    })
}

/// Feeds every record of `text` (which starts on line `first_line`) to `reader`; gives the
/// line that follows.
fn read_records(
    path: &Path,
    text: &str,
    first_line: u64,
    reader: &mut FileReader<'_>,
    session: &mut Session<'_>,
    progress: &ProgressBar,
) -> Result<u64, IngestError> {
    let mut records = CsvRecords::starting_at_line(text, first_line);
    if let Phase::HomeOffice { columns } = &reader.phase {
        // Rows that repeat the previous row's period, force and offence fields skip them.
        records.share_leading(columns.block_fields());
    }
    let mut fields = Vec::with_capacity(16);
    let mut since_tick = 0u32;
    let mut reported = 0usize;
    while let Some(line) = next_record(path, &mut records, &mut fields)? {
        reader.row_sharing(line, &fields, records.shared(), session)?;
        since_tick += 1;
        if since_tick == 65_536 {
            since_tick = 0;
            progress.inc((records.position() - reported) as u64);
            reported = records.position();
        }
    }
    progress.inc((text.len() - reported) as u64);
    Ok(records.line())
}

/// Where to cut `bytes` in two: the start of a line near the middle with an even number of
/// quotes before it, so the cut cannot fall inside a quoted field (RFC 4180). A newline is
/// never part of a multi-byte UTF-8 character, so each side can be checked on its own.
fn split_point(bytes: &[u8]) -> Option<usize> {
    let middle = bytes.len() / 2;
    let mut cut = middle + memchr::memchr(b'\n', &bytes[middle..])? + 1;
    let mut quotes = memchr::memchr_iter(b'"', &bytes[..cut]).count();
    // An odd count means the newline found is inside a quoted field: try the next ones.
    for _ in 0..1000 {
        if quotes.is_multiple_of(2) {
            return (cut < bytes.len()).then_some(cut);
        }
        let next = cut + memchr::memchr(b'\n', &bytes[cut..])? + 1;
        quotes += memchr::memchr_iter(b'"', &bytes[cut..next]).count();
        cut = next;
    }
    None
}

/// Reads the rows of a Home Office table in two pieces (`head`, starting on line
/// `first_line`, and `tail`, which follows it) on two threads, then merges the second into
/// the first in order, so the result equals a sequential read. The second piece is numbered
/// from 1 while it is read, and its rows renumbered once the first piece has said where it
/// ends (counting its newlines up front cost more).
#[allow(clippy::too_many_arguments)]
fn read_in_two(
    path: &Path,
    head: &str,
    tail: &str,
    first_line: u64,
    columns: &HoColumns,
    reader: &mut FileReader<'_>,
    session: &mut Session<'_>,
    progress: &ProgressBar,
) -> Result<(), IngestError> {
    // Rows of a Home Office table run to about 210 bytes; reserving once saves regrowing
    // columns of hundreds of thousands of rows.
    session.ho.reserve((head.len() + tail.len()) / 180);
    let forces = session.ho.forces();
    let (head_result, tail_result) = std::thread::scope(|scope| {
        let worker = scope.spawn(|| read_tail(path, tail, 1, columns, forces, progress));
        let head_result = read_records(path, head, first_line, reader, session, progress);
        let tail_result = worker.join();
        (head_result, tail_result)
    });
    let tail_line = head_result?;
    let (mut tail_session, tail_account) = match tail_result {
        Ok(Ok(result)) => result,
        Ok(Err(error)) => {
            // The error names lines counted from the second piece's start: read it again
            // from its true first line for the message (a refused file costs this once).
            let hidden = ProgressBar::hidden();
            return Err(read_tail(path, tail, tail_line, columns, forces, &hidden)
                .err()
                .unwrap_or(error));
        }
        Err(_) => {
            return Err(IngestError::Table {
                file: path.to_path_buf(),
                reason: "the second reading thread failed".into(),
            })
        }
    };
    let shift = tail_line - 1;
    tail_session.ho.shift_lines(shift);
    let TailAccount {
        account: tail_account,
        pending_notes: mut tail_notes,
    } = tail_account;
    for row in tail_session
        .quarantine
        .iter_mut()
        .chain(tail_notes.iter_mut())
    {
        row.line += shift;
    }
    session.ho.absorb(tail_session.ho, path)?;
    // Note-like rows at the end of the first piece are quarantined if the second piece has
    // data rows (loaded or not), as a sequential read would find.
    if tail_account.rows_read > 0 {
        reader.flush_notes(session);
    }
    session.quarantine.extend(tail_session.quarantine);
    reader.account.absorb(&tail_account);
    reader.pending_notes.extend(tail_notes);
    Ok(())
}

/// Reads the second piece of a Home Office table (starting on line `first_line`) into a
/// session and account of its own.
fn read_tail<'f>(
    path: &Path,
    tail: &str,
    first_line: u64,
    columns: &HoColumns,
    forces: &'f ForceTable,
    progress: &ProgressBar,
) -> Result<(Session<'f>, TailAccount), IngestError> {
    let mut tail_session = Session {
        kind: Some(TableKind::HomeOffice),
        ho: HoBuilder::new(forces),
        tidy: TidyBuilder::default(),
        quarantine: Vec::new(),
        canonical: Vec::new(),
    };
    tail_session.ho.add_input(&reader_label(path));
    tail_session.ho.reserve(tail.len() / 180);
    let mut tail_reader = FileReader {
        path,
        phase: Phase::HomeOffice {
            columns: columns.clone(),
        },
        account: InputAccount::new(path, InputFormat::Csv, false),
        search_limit: HEADER_SEARCH_ROWS,
        pending_notes: Vec::new(),
    };
    read_records(
        path,
        tail,
        first_line,
        &mut tail_reader,
        &mut tail_session,
        progress,
    )?;
    Ok((
        tail_session,
        TailAccount {
            account: tail_reader.account,
            pending_notes: tail_reader.pending_notes,
        },
    ))
}

/// The second piece's accounting, and its note-like rows not yet known to be footnotes.
struct TailAccount {
    account: InputAccount,
    pending_notes: Vec<QuarantinedRow>,
}

fn reader_label(path: &Path) -> String {
    path.display().to_string()
}

/// Explains where and why `bytes` are not UTF-8 from `offset`.
fn encoding_error(path: &Path, bytes: &[u8], offset: usize) -> IngestError {
    let byte = bytes[offset];
    let line = 1 + memchr::memchr_iter(b'\n', &bytes[..offset]).count() as u64;
    let hint = if (0x80..=0x9F).contains(&byte) || byte >= 0xA0 {
        let meaning = match byte {
            0x96 => " (an en dash there)",
            0x97 => " (an em dash there)",
            0x91..=0x94 => " (a curly quote there)",
            0xA3 => " (a pound sign there)",
            _ => "",
        };
        format!("; the file looks like Windows-1252{meaning}: re-save it as UTF-8")
    } else {
        String::new()
    };
    IngestError::Encoding {
        file: path.to_path_buf(),
        line,
        offset,
        byte,
        hint,
    }
}

/// The byte order of UTF-16 text (Excel's "Unicode Text" and some exports), told by its
/// byte-order mark or, without one, by the NUL high bytes of its first two ASCII characters.
fn utf16_byte_order(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0xFF, 0xFE, ..] => Some("little-endian, with a byte-order mark"),
        [0xFE, 0xFF, ..] => Some("big-endian, with a byte-order mark"),
        [a, 0, b, 0, ..] if a.is_ascii() && b.is_ascii() && *a != 0 && *b != 0 => {
            Some("little-endian")
        }
        [0, a, 0, b, ..] if a.is_ascii() && b.is_ascii() && *a != 0 && *b != 0 => {
            Some("big-endian")
        }
        _ => None,
    }
}

fn read_spreadsheet(
    path: &Path,
    bytes: Vec<u8>,
    gzip: bool,
    session: &mut Session<'_>,
    progress: &ProgressBar,
) -> Result<InputAccount, IngestError> {
    let mut account = InputAccount::new(path, InputFormat::Spreadsheet, gzip);
    spreadsheet::read_data_sheets(path, bytes, |sheet| {
        // Rows are located as `book.xlsx[Sheet]:ROW`, the sheet's own row number.
        let place = PathBuf::from(format!("{}[{}]", path.display(), sheet.name));
        let mut part = InputAccount::new(&place, InputFormat::Spreadsheet, gzip);
        part.sheet = Some(sheet.name.clone());
        let mut reader = FileReader::new(&place, part, spreadsheet::HEADER_SEARCH_ROWS);
        let first = sheet.first_row_number();
        let (height, _) = sheet.range.get_size();
        progress.set_length(height as u64);
        let mut cells: Vec<String> = Vec::new();
        for (i, row) in sheet.range.rows().enumerate() {
            cells.clear();
            cells.extend(row.iter().map(spreadsheet::cell_text));
            reader.row(first + i as u64, &cells, session)?;
            if i % 65_536 == 0 {
                progress.set_position(i as u64);
            }
        }
        let part = reader.finish()?;
        account.add_sheet(&part);
        Ok(())
    })?;
    Ok(account)
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
fn check_unique_keys(df: &DataFrame, paths: &[PathBuf]) -> Result<(), IngestError> {
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
