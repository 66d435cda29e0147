//! How a table is printed on A4: as on screen when it fits the text width, otherwise turned
//! on its side (a table of one to three rows becomes a list of its columns) or split into
//! groups of columns, each repeating the first column, so that no cell has to break inside a
//! number or a word.
//!
//! Widths are estimated in characters of the print table font (7.5 pt DejaVu Sans, 6.4 CSS
//! pixels a digit): a numeric cell never wraps, so it needs its whole length; a text cell or
//! a header wraps between words, so it needs its longest word. The A4 text width (182 mm,
//! 687 pixels) holds about 107 digits; [`WIDTH`] was set by printing the sample report: at
//! 112 every part fits (the estimates of padding and bold run high), at 125 four parts
//! overflowed by 5 to 52 pixels. The browser test (tests/browser) checks the result: every
//! printed table inside the page box and no number or word broken across lines.

use serde::Serialize;

use super::model::{Column, Row, TableBlock};

/// The characters a printed table may take across the A4 text width.
pub const WIDTH: f64 = 112.0;
/// The characters of padding and rule a column adds.
const PADDING: f64 = 1.6;
/// A bold header character against a body character.
const BOLD: f64 = 1.1;
/// A text column is given room for this many characters when its cells are longer, so that
/// a description does not wrap one word to a line.
const TEXT_ROOM: usize = 16;
/// At most this many leading text columns are repeated in each group of a split table.
const KEY_COLUMNS: usize = 2;
/// … and they take at most this share of the width.
const KEY_SHARE: f64 = 0.45;
/// Tables with at most this many rows are printed on their side when too wide.
const TRANSPOSE_ROWS: usize = 3;

/// One printed piece of a table that is too wide for the page.
#[derive(Debug, Clone, Serialize)]
pub struct PrintPart {
    /// "Table 12, continued: columns 8 to 14 of 20", or empty for the first part (which
    /// prints under the table's own caption).
    pub label: String,
    /// The part's columns.
    pub columns: Vec<Column>,
    /// The part's rows.
    pub rows: Vec<Row>,
}

/// The characters a cell needs in print when it may not break inside a word.
fn cell_width(text: &str, numeric: bool) -> f64 {
    let length = if numeric {
        text.chars().count()
    } else {
        let longest = longest_word(text);
        longest.max(text.chars().count().min(TEXT_ROOM))
    };
    length as f64 + PADDING
}

fn longest_word(text: &str) -> usize {
    text.split_whitespace()
        .map(|w| w.chars().count())
        .max()
        .unwrap_or(0)
}

/// The characters each column of `columns` and `rows` needs (the Word copy sets its
/// columns in these proportions).
pub fn widths(columns: &[Column], rows: &[Row]) -> Vec<f64> {
    columns
        .iter()
        .enumerate()
        .map(|(i, column)| {
            let header = longest_word(&column.name) as f64 * BOLD + PADDING;
            rows.iter()
                .filter_map(|r| r.cells.get(i))
                .map(|cell| cell_width(cell, column.numeric))
                .fold(header, f64::max)
        })
        .collect()
}

/// The printed parts of `table`, or none when it prints as it is.
pub fn layout(table: &TableBlock) -> Vec<PrintPart> {
    let widths = widths(&table.columns, &table.rows);
    if widths.iter().sum::<f64>() <= WIDTH || table.columns.len() < 2 {
        return Vec::new();
    }
    if table.rows.len() <= TRANSPOSE_ROWS {
        return vec![transposed(table)];
    }
    column_groups(table, &widths)
}

/// A short table on its side: one row per column, the first column's cells as the headers.
fn transposed(table: &TableBlock) -> PrintPart {
    let mut columns = vec![Column {
        name: table.columns[0].name.clone(),
        numeric: false,
    }];
    // The value columns mix numbers and text (a note), so they wrap between words.
    columns.extend(table.rows.iter().map(|r| Column {
        name: r.cells.first().cloned().unwrap_or_default(),
        numeric: false,
    }));
    let rows = table.columns[1..]
        .iter()
        .enumerate()
        .map(|(i, column)| Row {
            cells: std::iter::once(column.name.clone())
                .chain(
                    table
                        .rows
                        .iter()
                        .map(|r| r.cells.get(i + 1).cloned().unwrap_or_default()),
                )
                .collect(),
            highlight: false,
        })
        .collect();
    PrintPart {
        label: String::new(),
        columns,
        rows,
    }
}

/// The columns that name a row and are repeated in every group: the leading text columns,
/// at most [`KEY_COLUMNS`] of them and at most [`KEY_SHARE`] of the width, and always the
/// first.
fn key_columns(table: &TableBlock, widths: &[f64]) -> usize {
    let mut keys = 1;
    let mut used = widths[0];
    while keys < KEY_COLUMNS
        && keys + 1 < widths.len()
        && !table.columns[keys].numeric
        && used + widths[keys] <= WIDTH * KEY_SHARE
    {
        used += widths[keys];
        keys += 1;
    }
    keys
}

/// The columns after the key columns, in groups that fit the page beside them.
fn column_groups(table: &TableBlock, widths: &[f64]) -> Vec<PrintPart> {
    let keys = key_columns(table, widths);
    let key_width: f64 = widths[..keys].iter().sum();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut used = key_width;
    for (i, width) in widths.iter().enumerate().skip(keys) {
        match groups.last_mut() {
            Some(group) if used + width <= WIDTH => group.push(i),
            _ => {
                groups.push(vec![i]);
                used = key_width;
            }
        }
        used += width;
    }
    let total = table.columns.len();
    let number = table.number.as_str();
    groups
        .iter()
        .enumerate()
        .map(|(k, group)| {
            let keep: Vec<usize> = (0..keys).chain(group.iter().copied()).collect();
            let (first, last) = (group[0] + 1, group[group.len() - 1] + 1);
            PrintPart {
                label: if k == 0 {
                    String::new()
                } else {
                    format!("Table {number}, continued: columns {first} to {last} of {total}.")
                },
                columns: keep.iter().map(|&i| table.columns[i].clone()).collect(),
                rows: table
                    .rows
                    .iter()
                    .map(|r| Row {
                        cells: keep
                            .iter()
                            .map(|&i| r.cells.get(i).cloned().unwrap_or_default())
                            .collect(),
                        highlight: r.highlight,
                    })
                    .collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
