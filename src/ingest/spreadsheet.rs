//! XLSX and ODS workbooks, read directly with calamine.
//!
//! Invariant: the data sheet is found by its header row, never by sheet index or row number
//! (DATA.md §2.1: cover and notes sheets sit beside it, and title rows may stand above the
//! header). Cells are turned into the same text a CSV copy would hold, so one normaliser
//! serves every format. A workbook is a zip archive that may inflate to far more than its
//! size, and a sheet may name a cell a million rows and sixteen thousand columns from its
//! first: both are checked against limits before anything is inflated or allocated, so a
//! hostile file stops with [`IngestError::WorkbookTooLarge`] instead of exhausting memory.

use std::io::Cursor;
use std::path::Path;

use calamine::{open_workbook_auto_from_rs, Cell, Data, DataRef, Range, Reader, Sheets};

use crate::ingest::error::IngestError;
use crate::normalise::headers::match_header;
use crate::normalise::text::one_line;

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
/// non-empty cell (which is what is held in memory, at 32 bytes a cell): 1,048,576 rows (the
/// most a sheet can have) of 32 columns. Two cells at `A1` and `XFD1048576` would otherwise
/// ask for 17 billion.
pub const MAX_SHEET_CELLS: u64 = 1 << 25;

/// The rows of an XLSX sheet (1,048,576, the last row `1048576`).
pub const SHEET_ROWS: u32 = 1 << 20;

/// The columns of an XLSX sheet (16,384, the last column `XFD`).
pub const SHEET_COLUMNS: u32 = 1 << 14;

/// The sheet holding the table, with its cells.
pub struct DataSheet {
    /// The sheet's name.
    pub name: String,
    /// Its cells.
    pub range: Range<Data>,
}

impl DataSheet {
    /// The 1-based spreadsheet row number of the first row of the range.
    pub fn first_row_number(&self) -> u64 {
        self.range.start().map_or(1, |(row, _)| u64::from(row) + 1)
    }
}

/// Opens a workbook from its bytes and hands every sheet with a recognisable header row to
/// `read`, in workbook order, one sheet at a time (so only one sheet's cells are held at
/// once). A table split over several sheets (Q1–Q2 on one, Q3–Q4 on another) is read whole;
/// no data sheet is ever passed over. Returns the number of data sheets read.
pub fn read_data_sheets(
    file: &Path,
    bytes: Vec<u8>,
    mut read: impl FnMut(DataSheet) -> Result<(), IngestError>,
) -> Result<usize, IngestError> {
    if bytes.starts_with(b"PK\x03\x04") {
        check_inflated_size(file, &bytes)?;
        // Not only when `is_ods`: calamine opens an ODS whose `mimetype` is not the first part.
        check_ods_extent(file, &bytes)?;
    }
    // calamine tries each format in turn on a clone of the reader: a borrowed slice clones
    // without copying the file.
    let mut workbook = open_workbook_auto_from_rs(Cursor::new(bytes.as_slice())).map_err(|e| {
        IngestError::Spreadsheet {
            file: file.to_path_buf(),
            reason: format!(
                "cannot open as an XLSX or ODS workbook: {}",
                one_line(&why_not(&bytes, e))
            ),
        }
    })?;
    let names = workbook.sheet_names();
    if names.is_empty() {
        return Err(IngestError::Spreadsheet {
            file: file.to_path_buf(),
            reason: "the workbook has no sheets".into(),
        });
    }
    let mut found = 0;
    for name in &names {
        let range = sheet_range(file, &mut workbook, name)?;
        let has_header = range.rows().take(HEADER_SEARCH_ROWS).any(|row| {
            let cells: Vec<String> = row.iter().map(cell_text).collect();
            match_header(&cells).is_some()
        });
        if has_header {
            found += 1;
            read(DataSheet {
                name: name.clone(),
                range,
            })?;
        }
    }
    if found == 0 {
        return Err(IngestError::NoHeader {
            file: file.to_path_buf(),
            rows_searched: HEADER_SEARCH_ROWS,
            hint: format!(" in any sheet (searched {})", names.join(", ")),
        });
    }
    Ok(found)
}

/// Why a workbook could not be opened. Trying every format ends in "Cannot detect file
/// format"; an OpenDocument archive is opened as one again, so that the reason is its own
/// (for example calamine's limit on cells, which a table of repeated rows can exceed).
fn why_not(bytes: &[u8], error: calamine::Error) -> String {
    if is_ods(bytes) {
        if let Err(e) = calamine::open_workbook_from_rs::<calamine::Ods<_>, _>(Cursor::new(bytes)) {
            return e.to_string();
        }
    }
    error.to_string()
}

/// True for an OpenDocument spreadsheet: its first part is the stored `mimetype` naming it
/// (OpenDocument 1.2 part 3, §3.3).
fn is_ods(bytes: &[u8]) -> bool {
    const ODS_MIMETYPE: &[u8] = b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet";
    bytes.get(30..30 + ODS_MIMETYPE.len()) == Some(ODS_MIMETYPE)
}

/// Refuses an ODS workbook with a table that would span more than [`MAX_SHEET_CELLS`] cells.
/// calamine expands `table:number-rows-repeated` and `table:number-columns-repeated` while it
/// opens the workbook, up to 100 million cells (several gigabytes) for a file of a few hundred
/// bytes, so the extent is measured first by scanning `content.xml`. Also refuses a
/// `content.xml` that ends inside a table, on which calamine 0.38 loops for ever (its
/// `read_table` ignores the end of the file; found by fuzzing). Archives without a
/// `content.xml` (XLSX) pass.
fn check_ods_extent(file: &Path, bytes: &[u8]) -> Result<(), IngestError> {
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    // A damaged content.xml is left to calamine to report.
    let Ok(content) = archive.by_name("content.xml") else {
        return Ok(());
    };
    let Ok(scan) = scan_ods_tables(std::io::BufReader::new(content)) else {
        return Ok(());
    };
    if let Some(name) = scan.unclosed {
        return Err(IngestError::Spreadsheet {
            file: file.to_path_buf(),
            reason: format!(
                "cannot read sheet {name:?}: content.xml ends inside it (truncated or damaged file?)"
            ),
        });
    }
    let Some(extent) = scan.largest else {
        return Ok(());
    };
    if extent.rows.saturating_mul(extent.columns) <= MAX_SHEET_CELLS {
        return Ok(());
    }
    Err(IngestError::WorkbookTooLarge {
        file: file.to_path_buf(),
        reason: format!(
            "sheet {:?} spans {} rows × {} columns once its repeated rows and cells are expanded, more than the limit of {MAX_SHEET_CELLS} cells",
            extent.name, extent.rows, extent.columns
        ),
    })
}

/// The rectangle a table of an ODS workbook covers: rows up to its last row with a non-empty
/// cell, columns up to the last non-empty cell of any row, with repeats counted.
#[derive(Debug, Default, PartialEq, Eq)]
struct OdsExtent {
    name: String,
    rows: u64,
    columns: u64,
}

/// The largest table (by rows × columns) of an ODS `content.xml`, found by scanning its
/// tags: `table:table` (with `table:name`), `table:table-row` (with
/// `table:number-rows-repeated`), and `table:table-cell` and `table:covered-table-cell`
/// (with `table:number-columns-repeated`). A self-closing cell is empty; any other cell is
/// counted as non-empty, which can only overstate the extent. Only the first 4 kB of a tag
/// are kept, which is far more than its name and attributes need.
#[cfg(test)]
fn largest_ods_table(content: impl std::io::BufRead) -> std::io::Result<Option<OdsExtent>> {
    scan_ods_tables(content).map(|scan| scan.largest)
}

/// What [`scan_ods_tables`] finds in a `content.xml`.
struct OdsScan {
    /// The largest table (see [`largest_ods_table`]).
    largest: Option<OdsExtent>,
    /// The name of the last table opened, if no `</table:table>` follows it.
    unclosed: Option<String>,
}

/// Scans the tags of an ODS `content.xml` for [`OdsScan`] (see [`largest_ods_table`]).
fn scan_ods_tables(mut content: impl std::io::BufRead) -> std::io::Result<OdsScan> {
    const KEPT_TAG_BYTES: usize = 4096;
    let mut largest: Option<OdsExtent> = None;
    let mut unclosed: Option<String> = None;
    let mut table = OdsExtent::default();
    // Rows so far in the table, and the row count after its last non-empty row.
    let (mut row_position, mut rows_used) = (0u64, 0u64);
    // The current row's repeat, cells so far, and cells up to its last non-empty cell.
    let (mut row_repeat, mut column_position, mut columns_used) = (1u64, 0u64, 0u64);
    let mut tag: Vec<u8> = Vec::new();
    let mut in_tag = false;
    // The tag's end is found as quick-xml (calamine's parser) finds it: the first '>' outside a
    // quoted attribute value, or for a comment, CDATA section or processing instruction its own
    // terminator, so that a '</table:table>' inside an attribute value or a comment is not
    // taken for a table's end (found by fuzzing).
    let mut quote: Option<u8> = None;
    let mut terminator: Option<&[u8]> = None;
    let (mut tag_length, mut last) = (0u64, [0u8; 3]);
    loop {
        let chunk = content.fill_buf()?;
        if chunk.is_empty() {
            break;
        }
        let length = chunk.len();
        let mut at = 0;
        while at < length {
            if !in_tag {
                match memchr::memchr(b'<', &chunk[at..]) {
                    Some(offset) => {
                        at += offset + 1;
                        in_tag = true;
                        tag.clear();
                        (quote, terminator, tag_length, last) = (None, None, 0, [0; 3]);
                    }
                    None => at = length,
                }
                continue;
            }
            let (mut ended, mut self_closing) = (false, false);
            while at < length && !ended {
                let b = chunk[at];
                at += 1;
                let before = last[2];
                last = [last[1], last[2], b];
                match (terminator, quote) {
                    (Some(end), _) => {
                        ended = tag_length >= 2 && last.ends_with(end);
                    }
                    (None, Some(q)) => {
                        if b == q {
                            quote = None;
                        }
                    }
                    (None, None) if b == b'"' || b == b'\'' => quote = Some(b),
                    (None, None) => ended = b == b'>',
                }
                if ended {
                    // Whether the tag closes itself, from its last byte even when it was cut.
                    self_closing = terminator.is_none() && before == b'/';
                    break;
                }
                tag_length += 1;
                if tag.len() < KEPT_TAG_BYTES {
                    tag.push(b);
                }
                if terminator.is_none() && quote.is_none() {
                    terminator = match tag.as_slice() {
                        b"!--" => Some(b"-->"),
                        b"![CDATA[" => Some(b"]]>"),
                        b"?" => Some(b"?>"),
                        _ => None,
                    };
                }
            }
            if !ended {
                continue;
            }
            in_tag = false;
            // The name runs to the first space or '/', after a closing tag's own '/'.
            let name_end = tag
                .iter()
                .skip(1)
                .position(|b| b.is_ascii_whitespace() || *b == b'/')
                .map_or(tag.len(), |i| i + 1);
            match &tag[..name_end] {
                b"table:table" => {
                    table = OdsExtent {
                        name: attribute(&tag, b"table:name")
                            .map(|v| String::from_utf8_lossy(v).into_owned())
                            .unwrap_or_default(),
                        ..OdsExtent::default()
                    };
                    (row_position, rows_used) = (0, 0);
                    if !self_closing {
                        unclosed = Some(table.name.clone());
                    }
                }
                b"/table:table" => {
                    unclosed = None;
                    table.rows = rows_used;
                    let size = |e: &OdsExtent| e.rows.saturating_mul(e.columns);
                    if largest.as_ref().is_none_or(|l| size(&table) > size(l)) {
                        largest = Some(std::mem::take(&mut table));
                    }
                }
                b"table:table-row" => {
                    row_repeat = repeat(&tag, b"table:number-rows-repeated");
                    (column_position, columns_used) = (0, 0);
                    if self_closing {
                        row_position = row_position.saturating_add(row_repeat);
                    }
                }
                b"/table:table-row" => {
                    row_position = row_position.saturating_add(row_repeat);
                    if columns_used > 0 {
                        rows_used = row_position;
                        table.columns = table.columns.max(columns_used);
                    }
                }
                b"table:table-cell" | b"table:covered-table-cell" => {
                    let columns = repeat(&tag, b"table:number-columns-repeated");
                    column_position = column_position.saturating_add(columns);
                    if !self_closing {
                        columns_used = column_position;
                    }
                }
                _ => {}
            }
        }
        content.consume(length);
    }
    Ok(OdsScan { largest, unclosed })
}

/// The value of an attribute in a tag's bytes, if present.
fn attribute<'t>(tag: &'t [u8], name: &[u8]) -> Option<&'t [u8]> {
    let mut from = 0;
    while let Some(offset) = memchr::memmem::find(&tag[from..], name) {
        let start = from + offset;
        let rest = &tag[start + name.len()..];
        let preceded_by_space = start > 0 && tag[start - 1].is_ascii_whitespace();
        if preceded_by_space && rest.starts_with(b"=\"") {
            let value = &rest[2..];
            return Some(&value[..memchr::memchr(b'"', value).unwrap_or(value.len())]);
        }
        from = start + name.len();
    }
    None
}

/// A repeat count attribute: 1 when absent or unreadable, saturating when huge.
fn repeat(tag: &[u8], name: &[u8]) -> u64 {
    let Some(value) = attribute(tag, name) else {
        return 1;
    };
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return 1;
    }
    value.iter().fold(0u64, |n, d| {
        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    })
}

/// Refuses a zip archive whose parts declare more than [`MAX_INFLATED_BYTES`] in all, or
/// whose large parts inflate more than [`MAX_INFLATION_RATIO`] times. The declared sizes can
/// be trusted as a bound: the zip reader fails a part that inflates past its declared size.
/// An archive the zip reader cannot open (most often a truncated download, which has lost
/// the zip directory at its end) is reported as such.
fn check_inflated_size(file: &Path, bytes: &[u8]) -> Result<(), IngestError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        IngestError::Spreadsheet {
            file: file.to_path_buf(),
            reason: format!(
                "cannot open as an XLSX or ODS workbook: the zip archive is damaged or incomplete (truncated file?): {e}"
            ),
        }
    })?;
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let Ok(part) = archive.by_index_raw(index) else {
            continue;
        };
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
    Ok(())
}

/// The cells of one sheet. XLSX and XLSB sheets are read cell by cell, so that a sheet
/// spanning more than [`MAX_SHEET_CELLS`] is refused before its rectangle is allocated;
/// other formats are read by calamine whole (ODS caps repeated rows and cells itself).
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

fn format_float(f: f64) -> String {
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
