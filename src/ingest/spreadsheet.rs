//! XLSX and ODS workbooks, read directly with calamine.
//!
//! Invariant: the data sheet is found by its header row, never by sheet index or row number
//! (DATA.md §2.1: cover and notes sheets sit beside it, and title rows may stand above the
//! header). Cells are turned into the same text a CSV copy would hold, so one normaliser
//! serves every format.

use std::io::Cursor;
use std::path::Path;

use calamine::{open_workbook_auto_from_rs, Data, Range, Reader};

use crate::ingest::error::IngestError;
use crate::normalise::headers::match_header;

/// How many rows from the top of each sheet are searched for the header.
pub const HEADER_SEARCH_ROWS: usize = 30;

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

/// Opens a workbook from its bytes and finds the first sheet with a recognisable header row.
pub fn find_data_sheet(file: &Path, bytes: Vec<u8>) -> Result<DataSheet, IngestError> {
    let mut workbook =
        open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| IngestError::Spreadsheet {
            file: file.to_path_buf(),
            reason: format!("cannot open as an XLSX or ODS workbook: {e}"),
        })?;
    let names = workbook.sheet_names();
    if names.is_empty() {
        return Err(IngestError::Spreadsheet {
            file: file.to_path_buf(),
            reason: "the workbook has no sheets".into(),
        });
    }
    for name in &names {
        let range = workbook
            .worksheet_range(name)
            .map_err(|e| IngestError::Spreadsheet {
                file: file.to_path_buf(),
                reason: format!("cannot read sheet {name:?}: {e}"),
            })?;
        let has_header = range.rows().take(HEADER_SEARCH_ROWS).any(|row| {
            let cells: Vec<String> = row.iter().map(cell_text).collect();
            match_header(&cells).is_some()
        });
        if has_header {
            return Ok(DataSheet {
                name: name.clone(),
                range,
            });
        }
    }
    Err(IngestError::NoHeader {
        file: file.to_path_buf(),
        rows_searched: HEADER_SEARCH_ROWS,
        hint: format!(" in any sheet (searched {})", names.join(", ")),
    })
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
