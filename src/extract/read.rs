//! Reading a force's record-level extract (CSV, gzip-compressed CSV or Parquet, any column
//! names) into one row per crime, with a row accounting and the reduction of crimes that have
//! several outcome rows.
//!
//! Invariants:
//! - rows read = rows loaded + rows quarantined, checked before returning; rows loaded =
//!   crimes + duplicate rows reduced (DATA.md §4: "one crime can have several outcome rows.
//!   Reduce them to one outcome per crime, and count the reduction");
//! - a crime keeps the row with the latest outcome date (a row without an outcome counts as
//!   earliest; among equal dates the later row in the file wins);
//! - a value that cannot mean anything (an unmapped column, an unknown outcome label, an
//!   unparseable date, a flag that is not a flag, an unmapped offence description) stops the
//!   read with an [`ExtractError`] naming file, line, column and value; a row that is merely
//!   incomplete (no reference, no recorded date, no area, an outcome without its date) is
//!   quarantined with its reason;
//! - the file is streamed in chunks, so memory grows with the number of crimes, not with the
//!   file's size.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::hash::BuildHasher;
use std::io::Read;
use std::path::PathBuf;

use indicatif::ProgressBar;
use polars::prelude::*;
use rustc_hash::{FxBuildHasher, FxHashMap};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::extract::config::ExtractConfig;
use crate::extract::dates;
use crate::extract::offences::normalise_code;
use crate::ingest::csv::{CsvError, CsvRecords};
use crate::ingest::QuarantinedRow;
use crate::normalise::text::{clean, match_key, one_line};
use crate::record::OutcomeType;

/// The outcome date of a crime without an outcome.
pub const NO_DATE: i64 = i64::MIN;

/// An absent optional value (unit, victim, age band, sex).
pub const NONE: u32 = u32::MAX;

/// Bytes read from the file per chunk.
const CHUNK_BYTES: usize = 16 << 20;

/// Parquet rows turned into text per batch.
const PARQUET_BATCH: usize = 1 << 20;

/// Why an extract could not be read. Each variant is a one-line message naming the file and,
/// where there is one, the line, column and value.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// The file could not be opened or read.
    #[error("{file}: cannot read: {error}")]
    Io {
        /// The file.
        file: PathBuf,
        /// The OS error (not a `source`, so that the message names it once).
        error: std::io::Error,
    },
    /// The file has no header row.
    #[error("{file}: the file is empty")]
    Empty {
        /// The file.
        file: PathBuf,
    },
    /// The text is not valid UTF-8.
    #[error("{file}:{line}: not valid UTF-8 (byte 0x{byte:02X}); re-save the extract as UTF-8")]
    Encoding {
        /// The file.
        file: PathBuf,
        /// The line of the bad byte.
        line: u64,
        /// The bad byte.
        byte: u8,
    },
    /// A structural CSV problem.
    #[error("{file}:{line}: {reason}")]
    Csv {
        /// The file.
        file: PathBuf,
        /// The line.
        line: u64,
        /// What is wrong.
        reason: String,
    },
    /// A column named in `[extract.columns]` is not in the header.
    #[error("{file}:{line}: column {value:?} (extract.columns.{field}) is not in the header; the header has: {available}")]
    MissingColumn {
        /// The file.
        file: PathBuf,
        /// The header line.
        line: u64,
        /// The field, e.g. `outcome_date`.
        field: &'static str,
        /// The header name the analysis file gives.
        value: String,
        /// The header's names, comma-separated.
        available: String,
    },
    /// A date that is not one of the accepted forms.
    #[error("{file}:{line}: column {column:?}: {value:?} is not a date (expected YYYY-MM-DD or DD/MM/YYYY, optionally with a time such as 14:05)")]
    BadDate {
        /// The file.
        file: PathBuf,
        /// The line.
        line: u64,
        /// The column's header.
        column: String,
        /// The value.
        value: String,
    },
    /// An outcome that is not a number 0–22, a Home Office description or a mapped label.
    #[error("{file}:{line}: column {column:?}: unknown outcome {value:?}: not an outcome type 0-22, a Home Office outcome description, or a label in [extract.outcome_labels]")]
    UnknownOutcome {
        /// The file.
        file: PathBuf,
        /// The line.
        line: u64,
        /// The column's header.
        column: String,
        /// The value.
        value: String,
    },
    /// A domestic-abuse flag value that is not a flag.
    #[error("{file}:{line}: column {column:?}: {value:?} is not a domestic-abuse flag (expected Y/N, yes/no, 1/0 or true/false, or a value in [extract.flag_values])")]
    BadFlag {
        /// The file.
        file: PathBuf,
        /// The line.
        line: u64,
        /// The column's header.
        column: String,
        /// The value.
        value: String,
    },
    /// An offence description with no code in `[extract.offence_codes]`.
    #[error("{file}:{line}: column {column:?}: offence {value:?} has no Home Office code in [extract.offence_codes]")]
    UnknownOffence {
        /// The file.
        file: PathBuf,
        /// The line.
        line: u64,
        /// The column's header.
        column: String,
        /// The value.
        value: String,
    },
    /// The Parquet file could not be read.
    #[error("{file}: cannot read Parquet: {reason}")]
    Parquet {
        /// The file.
        file: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The row accounting does not balance (a bug, reported rather than hidden).
    #[error("{file}: row accounting does not balance: {read} read, {loaded} loaded, {quarantined} quarantined")]
    Accounting {
        /// The file.
        file: PathBuf,
        /// Rows read.
        read: u64,
        /// Rows loaded.
        loaded: u64,
        /// Rows quarantined.
        quarantined: u64,
    },
}

/// One crime after the reduction. Text values are indices into the extract's dictionaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Crime {
    /// When it was recorded (see [`dates`]).
    pub recorded: i64,
    /// When its outcome was assigned, or [`NO_DATE`].
    pub outcome_at: i64,
    /// Its outcome type, 0 when it has none.
    pub outcome: u8,
    /// Whether it is flagged as domestic abuse.
    pub domestic_abuse: bool,
    /// Index into [`Extract::offences`].
    pub offence: u32,
    /// Index into [`Extract::areas`].
    pub area: u32,
    /// Index into [`Extract::units`], or [`NONE`].
    pub unit: u32,
    /// The victim's number (see [`Extract::victim_reference`]), or [`NONE`].
    pub victim: u32,
    /// Index into [`Extract::age_bands`], or [`NONE`].
    pub age_band: u32,
    /// Index into [`Extract::sexes`], or [`NONE`].
    pub sex: u32,
}

/// The row accounting of an extract.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ExtractAccount {
    /// `csv`, `csv.gz` or `parquet`.
    pub format: String,
    /// The header's line.
    pub header_line: u64,
    /// Blank rows (not data).
    pub blank_rows: u64,
    /// Data rows read.
    pub rows_read: u64,
    /// Data rows loaded (crimes + duplicate rows reduced).
    pub rows_loaded: u64,
    /// Data rows quarantined.
    pub rows_quarantined: u64,
    /// Rows folded into an earlier row of the same crime.
    pub duplicate_rows_reduced: u64,
    /// Crimes that had more than one row.
    pub crimes_with_several_rows: u64,
    /// Reduced rows whose flag, area or offence differed from the row kept.
    pub duplicates_with_conflicting_fields: u64,
    /// Crimes after the reduction.
    pub crimes: u64,
    /// Crimes without an outcome (type 0).
    pub crimes_without_outcome: u64,
    /// Quarantined rows by reason (the reason's first words, without values).
    pub quarantine_reasons: BTreeMap<String, u64>,
}

/// A force extract, one row per crime.
#[derive(Debug, Clone)]
pub struct Extract {
    /// The file as the analysis file names it.
    pub file_label: String,
    /// The sha256 of the file's bytes.
    pub sha256: String,
    /// The crimes, in the order of their first row.
    pub crimes: Vec<Crime>,
    /// Offence codes.
    pub offences: Vec<String>,
    /// Areas.
    pub areas: Vec<String>,
    /// Investigating units.
    pub units: Vec<String>,
    /// Victim age bands.
    pub age_bands: Vec<String>,
    /// Victim sexes.
    pub sexes: Vec<String>,
    /// The row accounting.
    pub account: ExtractAccount,
    /// Rows not loaded, with the reason.
    pub quarantine: Vec<QuarantinedRow>,
    references: StrIndex,
    victims: StrIndex,
}

impl Extract {
    /// The crime reference of crime `index`.
    pub fn reference(&self, index: usize) -> &str {
        self.references.get(index)
    }

    /// The victim reference of a victim number (empty for [`NONE`]).
    pub fn victim_reference(&self, victim: u32) -> &str {
        if victim == NONE {
            ""
        } else {
            self.victims.get(victim as usize)
        }
    }

    /// How many distinct victims the extract names.
    pub fn n_victims(&self) -> usize {
        self.victims.len()
    }

    /// A dictionary value, or "" for [`NONE`].
    pub fn name(values: &[String], index: u32) -> &str {
        values.get(index as usize).map_or("", String::as_str)
    }
}

/// Reads the extract named in the configuration.
pub fn read_extract(
    config: &ExtractConfig,
    progress: &ProgressBar,
) -> Result<Extract, ExtractError> {
    let file = std::fs::File::open(&config.file).map_err(|error| ExtractError::Io {
        file: config.file.clone(),
        error,
    })?;
    let size = file.metadata().map(|m| m.len()).ok();
    progress.set_length(size.unwrap_or(0));
    progress.set_position(0);
    read_in_chunks(config, file, progress, CHUNK_BYTES, size)
}

/// Reads an extract from any reader (a file, or bytes in memory); messages name the
/// configured file. The format is decided from the first bytes: Parquet, gzip, or CSV text.
pub fn read_from(
    config: &ExtractConfig,
    reader: impl Read,
    progress: &ProgressBar,
) -> Result<Extract, ExtractError> {
    read_in_chunks(config, reader, progress, CHUNK_BYTES, None)
}

/// [`read_from`] with a chosen chunk size (small chunks test the carrying of records).
fn read_in_chunks(
    config: &ExtractConfig,
    reader: impl Read,
    progress: &ProgressBar,
    chunk_bytes: usize,
    size_hint: Option<u64>,
) -> Result<Extract, ExtractError> {
    let path = config.file.clone();
    let io = |error| ExtractError::Io {
        file: path.clone(),
        error,
    };
    let mut hashing = HashingReader {
        inner: reader,
        hasher: Sha256::new(),
    };
    let mut magic = [0u8; 4];
    let got = read_up_to(&mut hashing, &mut magic).map_err(io)?;
    let head = &magic[..got];
    let mut loader = Loader::new(config);
    if head.starts_with(b"PAR1") {
        loader.account.format = "parquet".into();
        let mut bytes = head.to_vec();
        hashing.read_to_end(&mut bytes).map_err(io)?;
        read_parquet(&path, bytes, &mut loader)?;
    } else if head.starts_with(&[0x1F, 0x8B]) {
        loader.account.format = "csv.gz".into();
        let chained = std::io::Cursor::new(head.to_vec()).chain(&mut hashing);
        let decoder = flate2::read::MultiGzDecoder::new(chained);
        // The file's size says little about the decompressed rows: no estimate.
        read_csv(&path, decoder, &mut loader, progress, chunk_bytes, None)?;
    } else {
        loader.account.format = "csv".into();
        let chained = std::io::Cursor::new(head.to_vec()).chain(&mut hashing);
        read_csv(
            &path,
            chained,
            &mut loader,
            progress,
            chunk_bytes,
            size_hint,
        )?;
    }
    if let Some(length) = progress.length() {
        progress.set_position(length);
    }
    let sha256 = hashing
        .hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    loader.finish(&path, sha256)
}

/// Reads until `buffer` is full or the reader ends; returns how many bytes were read.
fn read_up_to(reader: &mut impl Read, buffer: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match reader.read(&mut buffer[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// A reader that hashes the bytes passing through it.
struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// Streams CSV records to the loader, a chunk at a time. A record whose quoted field runs past
/// the end of a chunk is carried into the next one.
fn read_csv(
    path: &std::path::Path,
    mut reader: impl Read,
    loader: &mut Loader<'_>,
    progress: &ProgressBar,
    chunk_bytes: usize,
    size_hint: Option<u64>,
) -> Result<(), ExtractError> {
    let io = |error| ExtractError::Io {
        file: path.to_path_buf(),
        error,
    };
    let mut buffer: Vec<u8> = Vec::with_capacity(chunk_bytes + (1 << 16));
    let mut base_line: u64 = 1;
    let mut first = true;
    let mut eof = false;
    let mut reserved = false;
    let mut total_in: u64 = 0;
    loop {
        let want = buffer.len() + chunk_bytes;
        while buffer.len() < want && !eof {
            let before = buffer.len();
            (&mut reader)
                .take((want - before) as u64)
                .read_to_end(&mut buffer)
                .map_err(io)?;
            if buffer.len() == before {
                eof = true;
            }
            total_in += (buffer.len() - before) as u64;
        }
        // Decompressed bytes for gzip, so the bar only approximates there.
        progress.set_position(total_in.min(progress.length().unwrap_or(0)));
        if first {
            first = false;
            if buffer.starts_with(b"\xEF\xBB\xBF") {
                buffer.drain(..3);
            }
        }
        let end = if eof {
            buffer.len()
        } else {
            match memchr::memrchr(b'\n', &buffer) {
                Some(i) => i + 1,
                None => continue,
            }
        };
        let text = std::str::from_utf8(&buffer[..end]).map_err(|e| {
            let offset = e.valid_up_to();
            ExtractError::Encoding {
                file: path.to_path_buf(),
                line: base_line + memchr::memchr_iter(b'\n', &buffer[..offset]).count() as u64,
                byte: buffer[offset],
            }
        })?;
        let mut records = CsvRecords::new(text);
        let mut fields: Vec<Cow<'_, str>> = Vec::with_capacity(32);
        let mut consumed = 0;
        loop {
            let start = records.position();
            match records.next_record(&mut fields) {
                Ok(Some(line)) => {
                    loader.record(path, base_line + line - 1, &fields)?;
                    consumed = records.position();
                }
                Ok(None) => break,
                Err(CsvError::UnclosedQuote { .. }) if !eof => {
                    consumed = start;
                    break;
                }
                Err(CsvError::UnclosedQuote { line }) => return Err(ExtractError::Csv {
                    file: path.to_path_buf(),
                    line: base_line + line - 1,
                    reason:
                        "a quoted field is not closed before the end of the file (truncated file?)"
                            .into(),
                }),
                Err(CsvError::TextAfterQuote { line, found }) => {
                    return Err(ExtractError::Csv {
                        file: path.to_path_buf(),
                        line: base_line + line - 1,
                        reason: format!("unexpected {found:?} after a closing quote"),
                    })
                }
            }
        }
        drop(fields);
        if !reserved {
            // After the first chunk, the file's size and the rows seen so far estimate how
            // many rows there are (5% more, for variation along the file).
            reserved = true;
            if let (Some(size), true) = (size_hint, consumed > 0) {
                let rows = loader.account.rows_read + loader.account.blank_rows;
                let estimate = (size as f64 / total_in.max(1) as f64 * rows as f64 * 1.05) as usize;
                loader.reserve(estimate.saturating_sub(rows as usize));
            }
        }
        base_line += memchr::memchr_iter(b'\n', &buffer[..consumed]).count() as u64;
        buffer.drain(..consumed);
        if eof {
            break;
        }
    }
    Ok(())
}

/// Feeds a Parquet file's rows to the loader as text (row i is reported as line i + 2, after
/// the header, as the other readers do), a batch at a time.
fn read_parquet(
    path: &std::path::Path,
    bytes: Vec<u8>,
    loader: &mut Loader<'_>,
) -> Result<(), ExtractError> {
    let parquet = |e: PolarsError| ExtractError::Parquet {
        file: path.to_path_buf(),
        reason: e.to_string(),
    };
    let df = ParquetReader::new(std::io::Cursor::new(bytes))
        .finish()
        .map_err(parquet)?;
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    loader.record(path, 1, &names)?;
    let wanted = loader.wanted_columns();
    let height = df.height();
    let mut offset = 0;
    while offset < height {
        let len = PARQUET_BATCH.min(height - offset);
        let part = df.slice(offset as i64, len);
        let mut text: Vec<Option<StringChunked>> = vec![None; names.len()];
        for &i in &wanted {
            let column = part.columns()[i].cast(&DataType::String).map_err(parquet)?;
            text[i] = Some(column.str().map_err(parquet)?.clone());
        }
        let mut cells: Vec<&str> = vec![""; names.len()];
        for row in 0..len {
            for &i in &wanted {
                cells[i] = text[i].as_ref().and_then(|c| c.get(row)).unwrap_or("");
            }
            loader.record(path, (offset + row) as u64 + 2, &cells)?;
        }
        offset += len;
    }
    Ok(())
}

/// Strings stored once in one buffer, found again by a 64-bit hash (verified by comparing the
/// text, so a hash collision can never merge two references).
#[derive(Debug, Clone, Default)]
struct StrIndex {
    text: String,
    ends: Vec<usize>,
    by_hash: FxHashMap<u64, u32>,
    collided: FxHashMap<String, u32>,
}

impl StrIndex {
    fn len(&self) -> usize {
        self.ends.len()
    }

    fn get(&self, index: usize) -> &str {
        slice(&self.text, &self.ends, index)
    }

    /// Room for `n` keys of about `bytes` bytes each, so the tables grow once.
    fn reserve(&mut self, n: usize, bytes: usize) {
        self.text.reserve(n.saturating_mul(bytes));
        self.ends.reserve(n);
        self.by_hash.reserve(n);
    }

    /// The key's number, and whether it is new. One probe of the hash table per key: this is
    /// the hottest loop of a large read.
    fn insert(&mut self, key: &str) -> (u32, bool) {
        use std::collections::hash_map::Entry;
        let hash = FxBuildHasher.hash_one(key);
        let next = self.ends.len() as u32;
        match self.by_hash.entry(hash) {
            Entry::Vacant(slot) => {
                slot.insert(next);
            }
            Entry::Occupied(slot) => {
                let id = *slot.get();
                if slice(&self.text, &self.ends, id as usize) == key {
                    return (id, false);
                }
                match self.collided.get(key) {
                    Some(&id) => return (id, false),
                    None => {
                        self.collided.insert(key.to_string(), next);
                    }
                }
            }
        }
        self.text.push_str(key);
        self.ends.push(self.text.len());
        (next, true)
    }
}

/// Key `index` of a [`StrIndex`]'s buffer.
fn slice<'t>(text: &'t str, ends: &[usize], index: usize) -> &'t str {
    let start = if index == 0 { 0 } else { ends[index - 1] };
    &text[start..ends[index]]
}

/// A small dictionary of repeated text values (areas, units, offence codes, age bands, sexes).
#[derive(Debug, Default)]
struct Dictionary {
    ids: FxHashMap<String, u32>,
    names: Vec<String>,
}

impl Dictionary {
    fn intern(&mut self, value: &str) -> u32 {
        if let Some(&id) = self.ids.get(value) {
            return id;
        }
        let id = self.names.len() as u32;
        self.ids.insert(value.to_string(), id);
        self.names.push(value.to_string());
        id
    }
}

/// Column positions of the mapped fields.
#[derive(Debug, Clone, Copy, Default)]
struct Positions {
    crime_reference: usize,
    recorded_date: usize,
    outcome_date: usize,
    offence_code: Option<usize>,
    offence_description: Option<usize>,
    outcome: usize,
    domestic_abuse: usize,
    area: usize,
    victim_reference: Option<usize>,
    unit: Option<usize>,
    victim_age_band: Option<usize>,
    victim_sex: Option<usize>,
}

/// Turns rows into crimes.
struct Loader<'c> {
    config: &'c ExtractConfig,
    header: Option<(Vec<String>, Positions)>,
    account: ExtractAccount,
    quarantine: Vec<QuarantinedRow>,
    crimes: Vec<Crime>,
    rows_per_crime: Vec<u8>,
    references: StrIndex,
    victims: StrIndex,
    offences: Dictionary,
    areas: Dictionary,
    units: Dictionary,
    age_bands: Dictionary,
    sexes: Dictionary,
    /// Raw outcome text → type, so labels are normalised once, not once per row.
    outcome_cache: FxHashMap<String, u8>,
    flag_cache: FxHashMap<String, bool>,
    description_cache: FxHashMap<String, u32>,
    /// Raw offence code text → offence index, so codes are normalised once.
    code_cache: FxHashMap<String, u32>,
    descriptions: FxHashMap<String, u8>,
}

/// A row that is quarantined rather than loaded.
struct Quarantine(String);

impl<'c> Loader<'c> {
    fn new(config: &'c ExtractConfig) -> Loader<'c> {
        let descriptions = crate::normalise::outcomes::outcome_types()
            .into_iter()
            .map(|t| (match_key(&t.description), t.number))
            .collect();
        Loader {
            config,
            header: None,
            account: ExtractAccount::default(),
            quarantine: Vec::new(),
            crimes: Vec::new(),
            rows_per_crime: Vec::new(),
            references: StrIndex::default(),
            victims: StrIndex::default(),
            offences: Dictionary::default(),
            areas: Dictionary::default(),
            units: Dictionary::default(),
            age_bands: Dictionary::default(),
            sexes: Dictionary::default(),
            outcome_cache: FxHashMap::default(),
            flag_cache: FxHashMap::default(),
            description_cache: FxHashMap::default(),
            code_cache: FxHashMap::default(),
            descriptions,
        }
    }

    /// Makes room for about `rows` more rows (estimated from the file's size), so the large
    /// tables are allocated once instead of doubling, which also lowers the peak memory.
    fn reserve(&mut self, rows: usize) {
        let average_reference = if self.crimes.is_empty() {
            16
        } else {
            self.references.text.len() / self.crimes.len() + 1
        };
        self.crimes.reserve(rows);
        self.rows_per_crime.reserve(rows);
        self.references.reserve(rows, average_reference);
    }

    /// The header positions of the mapped columns (for Parquet, which converts only these).
    fn wanted_columns(&self) -> Vec<usize> {
        let Some((_, p)) = &self.header else {
            return Vec::new();
        };
        let mut wanted = vec![
            p.crime_reference,
            p.recorded_date,
            p.outcome_date,
            p.outcome,
            p.domestic_abuse,
            p.area,
        ];
        wanted.extend(
            [
                p.offence_code,
                p.offence_description,
                p.victim_reference,
                p.unit,
                p.victim_age_band,
                p.victim_sex,
            ]
            .into_iter()
            .flatten(),
        );
        wanted.sort_unstable();
        wanted.dedup();
        wanted
    }

    /// One CSV record: the header first, then data rows.
    fn record<S: AsRef<str>>(
        &mut self,
        path: &std::path::Path,
        line: u64,
        cells: &[S],
    ) -> Result<(), ExtractError> {
        let blank = cells.iter().all(|c| c.as_ref().trim().is_empty());
        if self.header.is_none() {
            if blank {
                return Ok(());
            }
            let names: Vec<String> = cells.iter().map(|c| c.as_ref().to_string()).collect();
            let positions = self.positions(path, line, &names)?;
            self.account.header_line = line;
            self.header = Some((names, positions));
            return Ok(());
        }
        if blank {
            self.account.blank_rows += 1;
            return Ok(());
        }
        self.account.rows_read += 1;
        let Some((names, positions)) = self.header.take() else {
            return Ok(());
        };
        let outcome = self.row(path, line, cells, &names, positions);
        self.header = Some((names, positions));
        match outcome? {
            Ok(()) => self.account.rows_loaded += 1,
            Err(Quarantine(reason)) => {
                self.account.rows_quarantined += 1;
                let key = reason.split(':').next().unwrap_or(&reason).to_string();
                *self.account.quarantine_reasons.entry(key).or_insert(0) += 1;
                self.quarantine.push(QuarantinedRow {
                    file: self.config.file_label.clone(),
                    line,
                    reason,
                    cells: cells.iter().map(|c| c.as_ref().to_string()).collect(),
                });
            }
        }
        Ok(())
    }

    fn positions(
        &self,
        path: &std::path::Path,
        line: u64,
        names: &[String],
    ) -> Result<Positions, ExtractError> {
        let keys: Vec<String> = names.iter().map(|n| match_key(n)).collect();
        let find = |field: &'static str, wanted: &str| -> Result<usize, ExtractError> {
            let key = match_key(wanted);
            keys.iter()
                .position(|k| *k == key)
                .ok_or_else(|| ExtractError::MissingColumn {
                    file: path.to_path_buf(),
                    line,
                    field,
                    value: wanted.to_string(),
                    available: names
                        .iter()
                        .map(|n| one_line(n))
                        .collect::<Vec<_>>()
                        .join(", "),
                })
        };
        let optional =
            |field: &'static str, wanted: &Option<String>| -> Result<Option<usize>, ExtractError> {
                wanted.as_deref().map(|w| find(field, w)).transpose()
            };
        let c = &self.config.columns;
        Ok(Positions {
            crime_reference: find("crime_reference", &c.crime_reference)?,
            recorded_date: find("recorded_date", &c.recorded_date)?,
            outcome_date: find("outcome_date", &c.outcome_date)?,
            offence_code: optional("offence_code", &c.offence_code)?,
            offence_description: optional("offence_description", &c.offence_description)?,
            outcome: find("outcome", &c.outcome)?,
            domestic_abuse: find("domestic_abuse", &c.domestic_abuse)?,
            area: find("area", &c.area)?,
            victim_reference: optional("victim_reference", &c.victim_reference)?,
            unit: optional("unit", &c.unit)?,
            victim_age_band: optional("victim_age_band", &c.victim_age_band)?,
            victim_sex: optional("victim_sex", &c.victim_sex)?,
        })
    }

    /// One data row: `Ok(Ok(()))` loaded, `Ok(Err(_))` quarantined, `Err(_)` fatal.
    fn row<S: AsRef<str>>(
        &mut self,
        path: &std::path::Path,
        line: u64,
        cells: &[S],
        names: &[String],
        p: Positions,
    ) -> Result<Result<(), Quarantine>, ExtractError> {
        if cells.len() != names.len() {
            return Ok(Err(Quarantine(format!(
                "wrong number of fields: {} fields, the header has {}",
                cells.len(),
                names.len()
            ))));
        }
        let cell = |i: usize| cells[i].as_ref().trim();
        let column = |i: usize| names[i].clone();
        let reference = cell(p.crime_reference);
        if reference.is_empty() {
            return Ok(Err(Quarantine("no crime reference".into())));
        }
        let recorded_text = cell(p.recorded_date);
        if recorded_text.is_empty() {
            return Ok(Err(Quarantine("no recorded date".into())));
        }
        let bad_date = |i: usize, value: &str| ExtractError::BadDate {
            file: path.to_path_buf(),
            line,
            column: column(i),
            value: value.to_string(),
        };
        let recorded =
            dates::parse(recorded_text).ok_or_else(|| bad_date(p.recorded_date, recorded_text))?;
        let outcome_text = cell(p.outcome);
        let outcome = self
            .outcome(outcome_text)
            .ok_or_else(|| ExtractError::UnknownOutcome {
                file: path.to_path_buf(),
                line,
                column: column(p.outcome),
                value: outcome_text.to_string(),
            })?;
        let outcome_date_text = cell(p.outcome_date);
        let mut outcome_at = if outcome_date_text.is_empty() {
            NO_DATE
        } else {
            dates::parse(outcome_date_text)
                .ok_or_else(|| bad_date(p.outcome_date, outcome_date_text))?
        };
        let flag_text = cell(p.domestic_abuse);
        let domestic_abuse = self.flag(flag_text).ok_or_else(|| ExtractError::BadFlag {
            file: path.to_path_buf(),
            line,
            column: column(p.domestic_abuse),
            value: flag_text.to_string(),
        })?;
        let code_text = p.offence_code.map(cell).unwrap_or("");
        let offence = if !code_text.is_empty() {
            match self.code_cache.get(code_text) {
                Some(&id) => id,
                None => {
                    let id = self.offences.intern(&normalise_code(code_text));
                    self.code_cache.insert(code_text.to_string(), id);
                    id
                }
            }
        } else {
            let description = p.offence_description.map(cell).unwrap_or("");
            if description.is_empty() {
                return Ok(Err(Quarantine("no offence code".into())));
            }
            match self.description(description) {
                Some(id) => id,
                None => {
                    return Err(ExtractError::UnknownOffence {
                        file: path.to_path_buf(),
                        line,
                        column: p.offence_description.map(column).unwrap_or_default(),
                        value: description.to_string(),
                    })
                }
            }
        };
        let area_text = clean(cell(p.area));
        if area_text.is_empty() {
            return Ok(Err(Quarantine("no area".into())));
        }
        if outcome == 0 {
            // A crime without an outcome has no outcome date; a stray date is not a decision.
            outcome_at = NO_DATE;
        } else if outcome_at == NO_DATE {
            return Ok(Err(Quarantine(format!(
                "no outcome date: outcome {outcome} has no date"
            ))));
        } else if outcome_at.div_euclid(dates::SECONDS_PER_DAY)
            < recorded.div_euclid(dates::SECONDS_PER_DAY)
        {
            return Ok(Err(Quarantine(format!(
                "outcome date before recorded date: {} is before {}",
                outcome_date_text, recorded_text
            ))));
        }
        let area = self.areas.intern(&area_text);
        let optional = |i: Option<usize>| i.map(cell).filter(|v| !v.is_empty());
        let unit = optional(p.unit).map_or(NONE, |v| self.units.intern(&clean(v)));
        let age_band = optional(p.victim_age_band).map_or(NONE, |v| self.age_bands.intern(v));
        let sex = optional(p.victim_sex).map_or(NONE, |v| self.sexes.intern(v));
        let victim = optional(p.victim_reference).map_or(NONE, |v| self.victims.insert(v).0);
        let crime = Crime {
            recorded,
            outcome_at,
            outcome,
            domestic_abuse,
            offence,
            area,
            unit,
            victim,
            age_band,
            sex,
        };
        let (id, new) = self.references.insert(reference);
        if new {
            self.crimes.push(crime);
            self.rows_per_crime.push(1);
        } else {
            let id = id as usize;
            self.account.duplicate_rows_reduced += 1;
            if self.rows_per_crime[id] == 1 {
                self.account.crimes_with_several_rows += 1;
            }
            self.rows_per_crime[id] = self.rows_per_crime[id].saturating_add(1);
            let kept = &mut self.crimes[id];
            if kept.domestic_abuse != crime.domestic_abuse
                || kept.area != crime.area
                || kept.offence != crime.offence
            {
                self.account.duplicates_with_conflicting_fields += 1;
            }
            if crime.outcome_at >= kept.outcome_at {
                *kept = crime;
            }
        }
        Ok(Ok(()))
    }

    /// The outcome type of a cell: empty → 0, a number 0–22, a mapped label, or a Home Office
    /// description (compared without case, spaces or dash variants).
    fn outcome(&mut self, text: &str) -> Option<u8> {
        if text.is_empty() {
            return Some(0);
        }
        if let Some(&t) = self.outcome_cache.get(text) {
            return Some(t);
        }
        let found = match text.parse::<u8>() {
            Ok(t) if t <= OutcomeType::MAX => Some(t),
            Ok(_) => None,
            Err(_) => {
                let key = match_key(text);
                self.config
                    .outcome_labels
                    .get(&key)
                    .or_else(|| self.descriptions.get(&key))
                    .copied()
            }
        }?;
        self.outcome_cache.insert(text.to_string(), found);
        Some(found)
    }

    fn flag(&mut self, text: &str) -> Option<bool> {
        if let Some(&f) = self.flag_cache.get(text) {
            return Some(f);
        }
        let key = match_key(text);
        let found = match key.as_str() {
            "y" | "yes" | "1" | "true" => Some(true),
            "n" | "no" | "0" | "false" => Some(false),
            _ if self.config.flag_yes.contains(&key) => Some(true),
            _ if self.config.flag_no.contains(&key) => Some(false),
            _ => None,
        }?;
        self.flag_cache.insert(text.to_string(), found);
        Some(found)
    }

    fn description(&mut self, text: &str) -> Option<u32> {
        if let Some(&id) = self.description_cache.get(text) {
            return Some(id);
        }
        let code = self.config.offence_codes.get(&match_key(text))?.clone();
        let id = self.offences.intern(&code);
        self.description_cache.insert(text.to_string(), id);
        Some(id)
    }

    fn finish(mut self, path: &std::path::Path, sha256: String) -> Result<Extract, ExtractError> {
        if self.header.is_none() {
            return Err(ExtractError::Empty {
                file: path.to_path_buf(),
            });
        }
        let a = &mut self.account;
        a.crimes = self.crimes.len() as u64;
        a.crimes_without_outcome = self.crimes.iter().filter(|c| c.outcome == 0).count() as u64;
        if a.rows_read != a.rows_loaded + a.rows_quarantined
            || a.rows_loaded != a.crimes + a.duplicate_rows_reduced
        {
            return Err(ExtractError::Accounting {
                file: path.to_path_buf(),
                read: a.rows_read,
                loaded: a.rows_loaded,
                quarantined: a.rows_quarantined,
            });
        }
        Ok(Extract {
            file_label: self.config.file_label.clone(),
            sha256,
            crimes: self.crimes,
            offences: self.offences.names,
            areas: self.areas.names,
            units: self.units.names,
            age_bands: self.age_bands.names,
            sexes: self.sexes.names,
            account: self.account,
            quarantine: self.quarantine,
            references: self.references,
            victims: self.victims,
        })
    }
}

#[cfg(test)]
mod tests;
