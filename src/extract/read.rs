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

use crate::config::extract::{ExtractConfig, QUALITY_FIELDS};
use crate::extract::dates;
use crate::ingest::csv::{CsvError, CsvRecords};
use crate::ingest::QuarantinedRow;
use crate::normalise::offences::normalise_code;
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
    /// A yes/no quality field's value that is not yes or no.
    #[error("{file}:{line}: column {column:?}: {value:?} is not yes or no (Y/N, yes/no, 1/0, true/false, or a value in [extract.flag_values]; empty when not recorded)")]
    BadYesNo {
        /// The file.
        file: PathBuf,
        /// The line.
        line: u64,
        /// The column's header.
        column: String,
        /// The value.
        value: String,
    },
    /// A risk level or relationship that is none of its field's levels.
    #[error("{file}:{line}: column {column:?}: {value:?} is not one of {} (the extract's own spellings go in [extract.field_values.{key}]; empty when not recorded)", .levels.join(", "))]
    BadLevel {
        /// The file.
        file: PathBuf,
        /// The line.
        line: u64,
        /// The column's header.
        column: String,
        /// The value.
        value: String,
        /// The field's levels.
        levels: &'static [&'static str],
        /// The field's key.
        key: &'static str,
    },
    /// A withdrawal date before the crime was recorded.
    #[error("{file}:{line}: column {column:?}: the victim's withdrawal {value:?} is before the crime was recorded ({recorded})")]
    WithdrawalBeforeRecorded {
        /// The file.
        file: PathBuf,
        /// The line.
        line: u64,
        /// The column's header.
        column: String,
        /// The value.
        value: String,
        /// The recorded date as written.
        recorded: String,
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
    /// Each investigation-quality field's level, 1-based into its levels, or 0 when the
    /// field is blank or not mapped (in the order of `config::extract::QUALITY_FIELDS`).
    pub quality: [u8; QUALITY_FIELDS.len()],
    /// When the victim said they did not support action, or [`NO_DATE`].
    pub withdrawn_at: i64,
    /// Index into [`Extract::ethnicities`], or [`NONE`].
    pub ethnicity: u32,
    /// Index into [`Extract::officers`], or [`NONE`].
    pub officer: u32,
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
    /// Victim ethnicities.
    pub ethnicities: Vec<String>,
    /// Officers or teams in charge.
    pub officers: Vec<String>,
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
    let file = crate::ingest::files::open(&config.file).map_err(|error| ExtractError::Io {
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

// How rows become crimes.
mod loader;

use loader::*;

#[cfg(test)]
mod tests;
