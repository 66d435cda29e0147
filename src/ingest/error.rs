//! Ingest errors: every one names the file, and where it can, the line, column and value.

use std::path::PathBuf;

/// Why an input could not be ingested. Each variant is a one-line message.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The file could not be opened or read.
    #[error("{file}: cannot read: {source}")]
    Io {
        /// The file.
        file: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file has no bytes, or only blank lines.
    #[error("{file}: the file is empty")]
    Empty {
        /// The file.
        file: PathBuf,
    },
    /// A compressed input could not be decompressed.
    #[error("{file}: cannot decompress gzip data: {reason}")]
    Gzip {
        /// The file.
        file: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The file holds NUL bytes, so it is not a text table.
    #[error(
        "{file}: looks like a binary file, not a CSV table (NUL byte at byte offset {offset})"
    )]
    Binary {
        /// The file.
        file: PathBuf,
        /// Offset of the first NUL byte.
        offset: usize,
    },
    /// The text is not valid UTF-8.
    #[error("{file}:{line}: not valid UTF-8 at byte offset {offset} (byte 0x{byte:02X}){hint}")]
    Encoding {
        /// The file.
        file: PathBuf,
        /// Line of the bad byte.
        line: u64,
        /// Byte offset of the bad byte.
        offset: usize,
        /// The bad byte.
        byte: u8,
        /// A hint such as "; it looks like Windows-1252 …".
        hint: String,
    },
    /// The text is UTF-16, not UTF-8.
    #[error("{file}: the file is UTF-16 ({byte_order}), not UTF-8: re-save it as UTF-8 (in Excel, \"CSV UTF-8\")")]
    Utf16 {
        /// The file.
        file: PathBuf,
        /// Its byte order, and whether it has a byte-order mark.
        byte_order: &'static str,
    },
    /// A structural CSV error.
    #[error("{file}:{line}: {reason}")]
    Csv {
        /// The file.
        file: PathBuf,
        /// The line.
        line: u64,
        /// What is wrong.
        reason: String,
    },
    /// No header row was recognised.
    #[error("{file}: no header row found in the first {rows_searched} rows: expected a Home Office outcomes table (Financial Year, Financial Quarter, Force Name, …) or a tidy-counts table (unit, period, numerator, denominator){hint}")]
    NoHeader {
        /// The file.
        file: PathBuf,
        /// How many rows were examined.
        rows_searched: usize,
        /// A delimiter hint, if any.
        hint: String,
    },
    /// Required columns are missing.
    #[error("{file}:{line}: missing required column(s): {columns}")]
    MissingColumns {
        /// The file.
        file: PathBuf,
        /// The header line.
        line: u64,
        /// The missing columns, comma-separated.
        columns: String,
    },
    /// The header names one field in two columns.
    #[error("{file}:{line}: the header has the column {header:?} twice (columns {} and {}): remove or rename one", .columns.0, .columns.1)]
    DuplicateColumn {
        /// The file.
        file: PathBuf,
        /// The header line.
        line: u64,
        /// The header text of the second one.
        header: String,
        /// Both columns, counted from 1.
        columns: (usize, usize),
    },
    /// A force name that is not in the forces table.
    #[error("{file}:{line}: unknown force {} in column {column:?}; closest known names: {closest} (if this is another spelling of a known force, add it with --alias NAME=FORCE)", crate::normalise::text::quote_for_message(.value))]
    UnknownForce {
        /// The file.
        file: PathBuf,
        /// The line.
        line: u64,
        /// The column header.
        column: String,
        /// The unknown name.
        value: String,
        /// Suggestions.
        closest: String,
    },
    /// The same key appears twice (for example the same file passed twice).
    #[error("{file}:{line}: duplicate row for {key}; first seen at {first} (was the same file passed twice?)")]
    DuplicateKey {
        /// The file.
        file: PathBuf,
        /// The line.
        line: u64,
        /// The key, human-readable.
        key: String,
        /// Where it was first seen, `file:line`.
        first: String,
    },
    /// Two inputs hold the same canonical records (for example a source table and the
    /// canonical Parquet made from it).
    #[error("{file}: duplicate records for {key} across the inputs (was the same table passed twice, once as canonical Parquet?)")]
    DuplicateRecords {
        /// The last input.
        file: PathBuf,
        /// The first duplicated key, human-readable.
        key: String,
    },
    /// The spreadsheet could not be opened or read.
    #[error("{file}: {reason}")]
    Spreadsheet {
        /// The file.
        file: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A workbook too large to read safely: its parts would inflate past
    /// [`crate::ingest::spreadsheet::MAX_INFLATED_BYTES`] (a zip bomb, or a table far larger
    /// than any published one), or a sheet spans more than
    /// [`crate::ingest::spreadsheet::MAX_SHEET_CELLS`] cells.
    #[error("{file}: workbook too large to read safely: {reason}")]
    WorkbookTooLarge {
        /// The file.
        file: PathBuf,
        /// What is too large, with the limit.
        reason: String,
    },
    /// Inputs of different kinds were mixed in one ingest.
    #[error(
        "{file}: is a {kind} table, but earlier inputs were {other} tables; ingest them separately"
    )]
    MixedKinds {
        /// The file.
        file: PathBuf,
        /// This file's kind.
        kind: &'static str,
        /// The earlier kind.
        other: &'static str,
    },
    /// Tidy-counts inputs with different grouping columns.
    #[error("{file}: grouping columns [{found}] differ from earlier inputs' [{expected}]")]
    TidyGroups {
        /// The file.
        file: PathBuf,
        /// This file's grouping columns.
        found: String,
        /// The earlier grouping columns.
        expected: String,
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
    /// Building the output table failed.
    #[error("{file}: {reason}")]
    Table {
        /// The file.
        file: PathBuf,
        /// What went wrong.
        reason: String,
    },
}
