//! Rows of a sheet assembled from its cells as a streaming reader meets them, and handed on
//! one at a time: the header is looked for in the sheet's first rows, which are held until it
//! is found; after it, only the current row is held.
//!
//! Invariant: a sheet's rows reach [`SheetRows`] as calamine's grid of the sheet would give
//! them (from the first row with a value to the last, the rows between as blank rows, cells
//! from the table's first column), and every cell is checked against the sheet's bounds and
//! [`MAX_SHEET_CELLS`] as it arrives, so no hostile cell reference allocates anything.

use std::path::Path;

use super::{HEADER_SEARCH_ROWS, MAX_SHEET_CELLS, SHEET_COLUMNS, SHEET_ROWS};
use crate::ingest::error::IngestError;
use crate::normalise::headers::match_header;

/// What receives the rows of each data sheet.
pub trait SheetRows {
    /// A data sheet begins; `size` is the sheet part's inflated size in bytes.
    fn begin(&mut self, sheet: &str, size: u64) -> Result<(), IngestError>;
    /// One row: its 1-based spreadsheet row number, its cells from the table's first column
    /// (none for a blank row), and the index of its first cell whose text differs from the
    /// row handed on before it.
    fn row(
        &mut self,
        number: u64,
        cells: &[String],
        first_changed: usize,
    ) -> Result<(), IngestError>;
    /// The sheet's bytes parsed so far.
    fn progress(&mut self, _parsed: u64) {}
    /// The data sheet ends.
    fn end(&mut self) -> Result<(), IngestError>;
}

/// Whether the reader of a sheet goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Go on reading the sheet.
    Continue,
    /// The sheet holds no header in its first rows: not a data sheet; stop reading it.
    NotData,
}

/// Where a sheet is in its reading.
enum Phase {
    /// Looking for the header; the rows so far (1-based number, cells from column A).
    Searching(Vec<(u64, Vec<String>)>),
    /// The header was found; rows are handed on.
    Streaming,
}

/// Assembles the rows of one sheet from its cells (0-based row and column positions).
pub struct Assembler<'a> {
    file: &'a Path,
    sheet: String,
    /// Whether the sheet expands repeated rows and cells (ODS), for the limit's message.
    repeats: bool,
    phase: Phase,
    /// The column the table starts at (from the rows up to the header).
    origin: u32,
    /// The header's width from `origin`: every row is handed on at least this wide.
    width: usize,
    /// The current row's cells from `origin` (from column A while searching), reused.
    cells: Vec<String>,
    /// For each cell, the row (`row_serial`) that last set it.
    set_in: Vec<u64>,
    row_serial: u64,
    /// The current row's position, and whether a cell of it has a value.
    row: u32,
    has_value: bool,
    /// The first cell set this row whose text changed, and the last cell set this row.
    first_changed: usize,
    last_set: Option<usize>,
    /// The rectangle of cells with values so far: rows, then columns.
    extent: Option<(u32, u32, u32, u32)>,
    /// The spreadsheet row last handed on, and the size of the sheet part.
    last_number: u64,
    size: u64,
}

impl<'a> Assembler<'a> {
    /// An assembler for the sheet `sheet` of `file`; `repeats` for ODS.
    pub fn new(file: &'a Path, sheet: &str, repeats: bool, size: u64) -> Assembler<'a> {
        Assembler {
            file,
            sheet: sheet.to_string(),
            repeats,
            phase: Phase::Searching(Vec::new()),
            origin: 0,
            width: 0,
            cells: Vec::new(),
            set_in: Vec::new(),
            row_serial: 1,
            row: 0,
            has_value: false,
            first_changed: usize::MAX,
            last_set: None,
            extent: None,
            last_number: 0,
            size,
        }
    }

    /// Starts the row at 0-based position `row`.
    pub fn start_row(&mut self, row: u32) {
        self.row = row;
        self.has_value = false;
        self.first_changed = usize::MAX;
        self.last_set = None;
        self.row_serial += 1;
    }

    /// The current row's 0-based position.
    pub fn current_row(&self) -> u32 {
        self.row
    }

    /// Sets the cell at 0-based column `column` of the current row, `repeat` times along the
    /// row, to `text` (a value: empty cells are never set, though a value may be empty text).
    pub fn set_cell(
        &mut self,
        column: u32,
        repeat: u32,
        row_repeat: u32,
        text: &str,
    ) -> Result<(), IngestError> {
        let last_column = u64::from(column) + u64::from(repeat.max(1)) - 1;
        let last_row = u64::from(self.row) + u64::from(row_repeat.max(1)) - 1;
        if last_row >= u64::from(SHEET_ROWS) || last_column >= u64::from(SHEET_COLUMNS) {
            return Err(IngestError::Spreadsheet {
                file: self.file.to_path_buf(),
                reason: format!(
                    "sheet {:?} has a cell at row {}, column {}, outside the {SHEET_ROWS} rows × {SHEET_COLUMNS} columns a sheet can have (damaged file?)",
                    self.sheet,
                    last_row + 1,
                    last_column + 1
                ),
            });
        }
        // Both are inside the sheet, so they fit in u32.
        let (last_row, last_column) = (last_row as u32, last_column as u32);
        let (r0, r1, c0, c1) = match self.extent {
            None => (self.row, last_row, column, last_column),
            Some((r0, r1, c0, c1)) => (
                r0.min(self.row),
                r1.max(last_row),
                c0.min(column),
                c1.max(last_column),
            ),
        };
        self.extent = Some((r0, r1, c0, c1));
        let rows = u64::from(r1 - r0) + 1;
        let columns = u64::from(c1 - c0) + 1;
        if rows.saturating_mul(columns) > MAX_SHEET_CELLS {
            let reason = if self.repeats {
                format!(
                    "sheet {:?} spans {rows} rows × {columns} columns once its repeated rows and cells are expanded, more than the limit of {MAX_SHEET_CELLS} cells",
                    self.sheet
                )
            } else {
                format!(
                    "sheet {:?} spans {rows} rows × {columns} columns (to row {}, column {}), more than the limit of {MAX_SHEET_CELLS} cells",
                    self.sheet,
                    u64::from(r1) + 1,
                    u64::from(c1) + 1
                )
            };
            return Err(IngestError::WorkbookTooLarge {
                file: self.file.to_path_buf(),
                reason,
            });
        }
        let base = match self.phase {
            Phase::Searching(_) => 0,
            Phase::Streaming => self.origin,
        };
        if column < base {
            return Err(IngestError::Spreadsheet {
                file: self.file.to_path_buf(),
                reason: format!(
                    "sheet {:?} row {} has a value in column {}, left of the table's first column ({}) at its header: which column it belongs to is unclear",
                    self.sheet,
                    u64::from(self.row) + 1,
                    column_name(column),
                    column_name(base)
                ),
            });
        }
        self.has_value = true;
        for column in column..=last_column {
            let at = (column - base) as usize;
            if at >= self.cells.len() {
                self.cells.resize(at + 1, String::new());
                self.set_in.resize(at + 1, 0);
            }
            if self.cells[at] != text {
                self.cells[at].clear();
                self.cells[at].push_str(text);
                self.first_changed = self.first_changed.min(at);
            }
            self.set_in[at] = self.row_serial;
            self.last_set = Some(self.last_set.map_or(at, |l| l.max(at)));
        }
        Ok(())
    }

    /// Ends the current row, which stands for `repeat` identical rows (ODS).
    pub fn end_row<S: SheetRows + ?Sized>(
        &mut self,
        repeat: u32,
        sink: &mut S,
    ) -> Result<Flow, IngestError> {
        if !self.has_value {
            return Ok(self.searched_past(u64::from(self.row) + u64::from(repeat.max(1))));
        }
        // Cells not set in this row are empty.
        let serial = self.row_serial;
        for (at, (cell, set)) in self.cells.iter_mut().zip(&self.set_in).enumerate() {
            if *set != serial && !cell.is_empty() {
                cell.clear();
                self.first_changed = self.first_changed.min(at);
            }
        }
        let length = self.width.max(self.last_set.map_or(0, |l| l + 1));
        let number = u64::from(self.row) + 1;
        match &mut self.phase {
            Phase::Searching(rows) => {
                for i in 0..u64::from(repeat.max(1)) {
                    rows.push((number + i, self.cells[..length].to_vec()));
                }
                if match_header(&self.cells[..length]).is_some() {
                    return self.header_found(sink).map(|()| Flow::Continue);
                }
                Ok(self.searched_past(number - 1 + u64::from(repeat.max(1))))
            }
            Phase::Streaming => {
                let first_changed = self.first_changed;
                for i in 0..u64::from(repeat.max(1)) {
                    self.hand_on(
                        number + i,
                        length,
                        if i == 0 { first_changed } else { length },
                        sink,
                    )?;
                }
                Ok(Flow::Continue)
            }
        }
    }

    /// While searching: whether the rows up to (not including) 0-based row `end` are past the
    /// header search of the sheet's first [`HEADER_SEARCH_ROWS`] rows.
    fn searched_past(&self, end: u64) -> Flow {
        match (&self.phase, self.extent) {
            (Phase::Searching(_), Some((first, ..)))
                if end >= u64::from(first) + HEADER_SEARCH_ROWS as u64 =>
            {
                Flow::NotData
            }
            _ => Flow::Continue,
        }
    }

    /// The header is the current row: the table's first column and width are fixed, the sink
    /// told, and the rows held so far handed on.
    fn header_found<S: SheetRows + ?Sized>(&mut self, sink: &mut S) -> Result<(), IngestError> {
        let Phase::Searching(rows) = std::mem::replace(&mut self.phase, Phase::Streaming) else {
            return Ok(());
        };
        let origin = rows
            .iter()
            .filter_map(|(_, cells)| cells.iter().position(|c| !c.is_empty()))
            .min()
            .unwrap_or(0);
        // Each held row is from column A; the header is the last of them.
        let header_width = rows.last().map_or(0, |(_, cells)| cells.len());
        self.origin = origin as u32;
        self.width = header_width.saturating_sub(origin);
        sink.begin(&self.sheet, self.size)?;
        let mut cells: Vec<String> = Vec::new();
        for (number, row) in &rows {
            cells.clear();
            cells.extend(row.iter().skip(origin).cloned());
            cells.resize(cells.len().max(self.width), String::new());
            self.gap_to(*number, sink)?;
            sink.row(*number, &cells, 0)?;
            self.last_number = *number;
        }
        // The current row's cells, from the table's first column.
        self.cells = cells;
        self.set_in = vec![self.row_serial; self.cells.len()];
        Ok(())
    }

    fn hand_on<S: SheetRows + ?Sized>(
        &mut self,
        number: u64,
        length: usize,
        first_changed: usize,
        sink: &mut S,
    ) -> Result<(), IngestError> {
        self.gap_to(number, sink)?;
        sink.row(number, &self.cells[..length], first_changed)?;
        self.last_number = number;
        Ok(())
    }

    /// Hands on the blank rows between the last row handed on and row `number`.
    fn gap_to<S: SheetRows + ?Sized>(
        &mut self,
        number: u64,
        sink: &mut S,
    ) -> Result<(), IngestError> {
        if self.last_number > 0 {
            for blank in self.last_number + 1..number {
                sink.row(blank, &[], 0)?;
            }
        }
        Ok(())
    }

    /// Ends the sheet: the sink is told if it was a data sheet. Returns whether it was.
    pub fn finish<S: SheetRows + ?Sized>(self, sink: &mut S) -> Result<bool, IngestError> {
        match self.phase {
            Phase::Streaming => sink.end().map(|()| true),
            Phase::Searching(_) => Ok(false),
        }
    }
}

/// A column's letters (0 is `A`, 26 is `AA`).
pub fn column_name(column: u32) -> String {
    let mut n = u64::from(column) + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}
