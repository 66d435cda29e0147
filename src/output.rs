//! Writing outputs: atomically, deterministically, and safe to open in a spreadsheet.
//!
//! Invariant: a file is written to a temporary sibling and renamed into place, so a reader
//! (or a crash) never sees half a file; text written to CSV never starts a live formula.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use polars::prelude::*;

use crate::ingest::QuarantinedRow;

/// A temporary sibling of `path`, unique to this process.
fn temporary_sibling(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

/// Writes `path` atomically: `write` fills a temporary sibling, which is synced and renamed.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> Result<()>,
) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create folder {}", parent.display()))?;
    }
    let temporary = temporary_sibling(path);
    let result = (|| {
        let file = File::create(&temporary)
            .with_context(|| format!("cannot create {}", temporary.display()))?;
        let mut writer = BufWriter::new(file);
        write(&mut writer)?;
        let file = writer
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(|| format!("cannot write {}", temporary.display()))?;
        file.sync_all()
            .with_context(|| format!("cannot sync {}", temporary.display()))?;
        std::fs::rename(&temporary, path)
            .with_context(|| format!("cannot move {} into place", path.display()))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

/// Writes a table as Parquet (zstd-compressed), atomically.
pub fn write_parquet(path: &Path, df: &mut DataFrame) -> Result<()> {
    write_atomic(path, |writer| {
        ParquetWriter::new(writer)
            .with_compression(ParquetCompression::Zstd(None))
            .finish(df)
            .map_err(|e| anyhow::anyhow!("cannot write Parquet {}: {e}", path.display()))?;
        Ok(())
    })
}

/// Reads a Parquet table.
pub fn read_parquet(path: &Path) -> Result<DataFrame> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    ParquetReader::new(file)
        .finish()
        .map_err(|e| anyhow::anyhow!("cannot read Parquet {}: {e}", path.display()))
}

/// The quarantine file written beside an output: `out.parquet` → `out.quarantine.csv`.
pub fn quarantine_path(out: &Path) -> PathBuf {
    out.with_extension("quarantine.csv")
}

/// Writes quarantined rows as CSV (`file,line,reason,row`), atomically.
pub fn write_quarantine(path: &Path, rows: &[QuarantinedRow]) -> Result<()> {
    write_atomic(path, |writer| {
        writeln!(writer, "file,line,reason,row")?;
        for row in rows {
            let raw = row
                .cells
                .iter()
                .map(|c| csv_field(c))
                .collect::<Vec<_>>()
                .join(",");
            writeln!(
                writer,
                "{},{},{},{}",
                csv_field(&spreadsheet_safe(&row.file)),
                row.line,
                csv_field(&spreadsheet_safe(&row.reason)),
                csv_field(&spreadsheet_safe(&raw))
            )?;
        }
        Ok(())
    })
}

/// Quotes a CSV field when it needs it (RFC 4180).
pub fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

/// Keeps text from becoming a live formula when a CSV is opened in a spreadsheet: a value
/// that starts with `=`, `+`, `-` or `@` and is not a plain number gets a leading `'`.
pub fn spreadsheet_safe(value: &str) -> String {
    let starts_formula = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if starts_formula && value.parse::<f64>().is_err() {
        format!("'{value}")
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests;
