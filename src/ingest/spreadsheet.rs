//! XLSX and ODS workbooks, read as streams ([`xlsx`], [`ods`]: each sheet inflated on one
//! thread and parsed on another, rows made as they end); legacy XLS and XLSB with calamine.
//!
//! Invariant: the data sheet is found by its header row, never by sheet index or row number
//! (DATA.md §2.1: cover and notes sheets sit beside it, and title rows may stand above the
//! header). Cells are turned into the same text a CSV copy would hold, so one normaliser
//! serves every format. A workbook is a zip archive that may inflate to far more than its
//! size, and a sheet may name a cell a million rows and sixteen thousand columns from its
//! first: the archive's declared sizes are checked before anything is inflated, and every
//! cell against the sheet's bounds and [`MAX_SHEET_CELLS`] as it is read ([`rows`]), so a
//! hostile file stops with [`IngestError::WorkbookTooLarge`] instead of exhausting memory.

mod ods;
mod pipe;
pub mod rows;
mod scan;
mod stream;
mod xlsx;

use std::io::Cursor;
use std::path::Path;

use calamine::{open_workbook_auto_from_rs, Cell, Data, DataRef, Range, Reader, Sheets};

use crate::ingest::error::IngestError;
use crate::normalise::text::one_line;
use rows::{Assembler, Flow, SheetRows};

/// How many rows from the top of each sheet are searched for the header.
pub const HEADER_SEARCH_ROWS: usize = 30;

/// The most bytes the parts of a workbook may inflate to, all together, as their zip
/// directory declares (the zip reader stops any part that inflates past its declared size).
/// A year of the Home Office table (621,280 rows) is a sheet of 300 to 520 MB, depending on
/// the writer; a full sheet of 1,048,576 rows would be under 900 MB.
pub const MAX_INFLATED_BYTES: u64 = 2 << 30;

/// The most a large part may inflate, as a multiple of its compressed size. Sheets compress
/// 10 to 20 times (a year of the Home Office table written by openpyxl: 16; a million empty
/// formatted rows: 21); a zip bomb's repeated bytes inflate 300 to 1,000 times.
pub const MAX_INFLATION_RATIO: u64 = 100;

/// Parts that inflate to more than this many bytes are held to [`MAX_INFLATION_RATIO`].
pub const RATIO_CHECKED_BYTES: u64 = 64 << 20;

/// The most cells a sheet may span, counted over the rectangle from its first to its last
/// non-empty cell (what calamine holds in memory for an XLS or XLSB sheet, at 32 bytes a
/// cell, and what a streaming read hands on as rows): 1,048,576 rows (the most a sheet can
/// have) of 32 columns. Two cells at `A1` and `XFD1048576` would otherwise
/// ask for 17 billion.
pub const MAX_SHEET_CELLS: u64 = 1 << 25;

/// The rows of an XLSX sheet (1,048,576, the last row `1048576`).
pub const SHEET_ROWS: u32 = 1 << 20;

/// The columns of an XLSX sheet (16,384, the last column `XFD`).
pub const SHEET_COLUMNS: u32 = 1 << 14;

/// Opens a workbook from its bytes and hands the rows of every sheet with a recognisable
/// header row to `sink`, in workbook order, one sheet and one row at a time. A table split
/// over several sheets (Q1–Q2 on one, Q3–Q4 on another) is read whole; no data sheet is ever
/// passed over. XLSX and ODS are read as streams ([`xlsx`], [`ods`]); legacy XLS and XLSB by
/// calamine. Returns the number of data sheets read.
pub fn read_data_sheets(
    file: &Path,
    bytes: &[u8],
    sink: &mut dyn SheetRows,
) -> Result<usize, IngestError> {
    let (found, names) = if bytes.starts_with(b"PK\x03\x04") {
        let names = check_inflated_size(file, bytes)?;
        // The sheet is parsed on one thread (and inflated on another) while its rows are
        // made into columns on this one.
        if ods::is_ods(&names) && !names.iter().any(|n| n == "xl/workbook.xml") {
            pipe::pipelined(file, sink, |rows| ods::read(file, bytes, rows))?
        } else if xlsx::is_xlsx(&names) {
            pipe::pipelined(file, sink, |rows| xlsx::read(file, bytes, rows))?
        } else {
            read_with_calamine(file, bytes, sink)?
        }
    } else {
        read_with_calamine(file, bytes, sink)?
    };
    if names.is_empty() {
        return Err(IngestError::Spreadsheet {
            file: file.to_path_buf(),
            reason: "the workbook has no sheets".into(),
        });
    }
    if found == 0 {
        return Err(IngestError::NoHeader {
            file: file.to_path_buf(),
            rows_searched: HEADER_SEARCH_ROWS,
            hint: format!(
                " in any sheet (searched {})",
                names
                    .iter()
                    .map(|n| one_line(n))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    Ok(found)
}

/// Legacy XLS and XLSB workbooks, read whole by calamine one sheet at a time (XLSB cell by
/// cell, so that a sheet spanning more than [`MAX_SHEET_CELLS`] is refused before its
/// rectangle is allocated), and handed on row by row as the streaming readers hand theirs.
fn read_with_calamine(
    file: &Path,
    bytes: &[u8],
    sink: &mut dyn SheetRows,
) -> Result<(usize, Vec<String>), IngestError> {
    // calamine tries each format in turn on a clone of the reader: a borrowed slice clones
    // without copying the file.
    let mut workbook =
        open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| IngestError::Spreadsheet {
            file: file.to_path_buf(),
            reason: format!(
                "cannot open as an XLSX or ODS workbook: {}",
                one_line(&e.to_string())
            ),
        })?;
    let names = workbook.sheet_names();
    let mut found = 0;
    for name in &names {
        let range = sheet_range(file, &mut workbook, name)?;
        let Some((first_row, first_column)) = range.start() else {
            continue;
        };
        let mut assembler = Assembler::new(file, name, false, 0);
        let mut text = String::new();
        for (i, row) in range.rows().enumerate() {
            assembler.start_row(first_row + i as u32);
            for (j, cell) in row.iter().enumerate() {
                if matches!(cell, Data::Empty) {
                    continue;
                }
                text.clear();
                text.push_str(&cell_text(cell));
                assembler.set_cell(first_column + j as u32, 1, 1, &text)?;
            }
            if assembler.end_row(1, sink)? == Flow::NotData {
                break;
            }
        }
        if assembler.finish(sink)? {
            found += 1;
        }
    }
    Ok((found, names))
}

/// Refuses a zip archive whose parts declare more than [`MAX_INFLATED_BYTES`] in all, or
/// whose large parts inflate more than [`MAX_INFLATION_RATIO`] times. The declared sizes can
/// be trusted as a bound: the zip reader fails a part that inflates past its declared size.
/// An archive the zip reader cannot open (most often a truncated download, which has lost
/// the zip directory at its end) is reported as such. Returns the names of the parts.
fn check_inflated_size(file: &Path, bytes: &[u8]) -> Result<Vec<String>, IngestError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        IngestError::Spreadsheet {
            file: file.to_path_buf(),
            reason: format!(
                "cannot open as an XLSX or ODS workbook: the zip archive is damaged or incomplete (truncated file?): {e}"
            ),
        }
    })?;
    let mut total: u64 = 0;
    let mut names = Vec::with_capacity(archive.len());
    for index in 0..archive.len() {
        let Ok(part) = archive.by_index_raw(index) else {
            continue;
        };
        names.push(part.name().map(|n| n.into_owned()).unwrap_or_default());
        let (size, compressed) = (part.size(), part.compressed_size());
        total = total.saturating_add(size);
        let too_large = total > MAX_INFLATED_BYTES;
        let bomb_like =
            size > RATIO_CHECKED_BYTES && size / compressed.max(1) > MAX_INFLATION_RATIO;
        if too_large || bomb_like {
            let name = part.name().map(|n| n.into_owned()).unwrap_or_default();
            let reason = if bomb_like {
                format!(
                    "part {name:?} inflates {} times, from {compressed} to {size} bytes (the limit is {MAX_INFLATION_RATIO} times for parts over {RATIO_CHECKED_BYTES} bytes): a zip bomb?",
                    size / compressed.max(1)
                )
            } else {
                format!(
                    "its parts inflate to at least {total} bytes, more than the limit of {MAX_INFLATED_BYTES} in all (reached at part {name:?})"
                )
            };
            return Err(IngestError::WorkbookTooLarge {
                file: file.to_path_buf(),
                reason,
            });
        }
    }
    Ok(names)
}

/// The cells of one sheet, by calamine. XLSX and XLSB sheets are read cell by cell, so that
/// a sheet spanning more than [`MAX_SHEET_CELLS`] is refused before its rectangle is
/// allocated; other formats are read by calamine whole.
fn sheet_range<RS: std::io::Read + std::io::Seek>(
    file: &Path,
    workbook: &mut Sheets<RS>,
    name: &str,
) -> Result<Range<Data>, IngestError> {
    let unreadable = |e: &dyn std::fmt::Display| IngestError::Spreadsheet {
        file: file.to_path_buf(),
        reason: format!("cannot read sheet {name:?}: {}", one_line(&e.to_string())),
    };
    match workbook {
        Sheets::Xlsx(xlsx) => match xlsx.worksheet_cells_reader(name) {
            // A chart sheet has no cells, as calamine's own worksheet_range treats it.
            Err(calamine::XlsxError::NotAWorksheet(_)) => Ok(Range::default()),
            Err(e) => Err(unreadable(&e)),
            Ok(mut cells) => bounded_range(file, name, || cells.next_cell())
                .map_err(|e| e.unwrap_or_else(|e| unreadable(&e))),
        },
        Sheets::Xlsb(xlsb) => match xlsb.worksheet_cells_reader(name) {
            Err(e) => Err(unreadable(&e)),
            Ok(mut cells) => bounded_range(file, name, || cells.next_cell())
                .map_err(|e| e.unwrap_or_else(|e| unreadable(&e))),
        },
        other => other.worksheet_range(name).map_err(|e| unreadable(&e)),
    }
}

/// Collects the non-empty cells that `next_cell` yields into a range, as calamine's
/// `worksheet_range` does, but stops as soon as they span more than [`MAX_SHEET_CELLS`].
/// Errors are either ours (`Ok`) or the reader's (`Err`).
fn bounded_range<'a, E>(
    file: &Path,
    sheet: &str,
    mut next_cell: impl FnMut() -> Result<Option<Cell<DataRef<'a>>>, E>,
) -> Result<Range<Data>, Result<IngestError, E>> {
    let mut cells: Vec<Cell<Data>> = Vec::new();
    let (mut first_row, mut last_row) = (u32::MAX, 0u32);
    let (mut first_col, mut last_col) = (u32::MAX, 0u32);
    while let Some(cell) = next_cell().map_err(Err)? {
        if matches!(cell.get_value(), DataRef::Empty) {
            continue;
        }
        let (row, col) = cell.get_position();
        if row >= SHEET_ROWS || col >= SHEET_COLUMNS {
            // calamine reads any cell reference, `GWENI4` (column 3,420,000) too; past a
            // sheet's last column a few cells would pass MAX_SHEET_CELLS as a row millions wide
            // and take many seconds to search for the header (found by fuzzing).
            return Err(Ok(IngestError::Spreadsheet {
                file: file.to_path_buf(),
                reason: format!(
                    "sheet {sheet:?} has a cell at row {}, column {}, outside the {SHEET_ROWS} rows × {SHEET_COLUMNS} columns a sheet can have (damaged file?)",
                    u64::from(row) + 1,
                    u64::from(col) + 1
                ),
            }));
        }
        first_row = first_row.min(row);
        last_row = last_row.max(row);
        first_col = first_col.min(col);
        last_col = last_col.max(col);
        let rows = u64::from(last_row - first_row) + 1;
        let columns = u64::from(last_col - first_col) + 1;
        if rows.saturating_mul(columns) > MAX_SHEET_CELLS {
            return Err(Ok(IngestError::WorkbookTooLarge {
                file: file.to_path_buf(),
                reason: format!(
                    "sheet {sheet:?} spans {rows} rows × {columns} columns (to row {}, column {}), more than the limit of {MAX_SHEET_CELLS} cells",
                    u64::from(last_row) + 1,
                    u64::from(last_col) + 1
                ),
            }));
        }
        cells.push(Cell::new((row, col), Data::from(cell.get_value().clone())));
    }
    Ok(Range::from_sparse(cells))
}

/// The text a CSV copy of this cell would hold. Integral floats lose their `.0` (spreadsheets
/// store counts as floats, DATA.md §2.5); other floats keep their shortest exact form.
pub fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => format_float(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(d) => format_float(d.as_f64()),
        Data::Error(e) => e.to_string(),
    }
}

pub(crate) fn format_float(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15 {
        // Integral and well inside i64's exact range, so the cast is exact.
        #[allow(clippy::cast_possible_truncation)]
        let i = f as i64;
        i.to_string()
    } else {
        f.to_string()
    }
}

#[cfg(test)]
mod tests;
