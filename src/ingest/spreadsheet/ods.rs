//! ODS workbooks (OpenDocument 1.2 part 1 §9), read as a stream: `content.xml` is inflated on
//! one thread and parsed on another, each table's rows made as its `<table:table-row>`
//! elements end. Repeated rows and cells (`table:number-rows-repeated`,
//! `table:number-columns-repeated`) are expanded only when a value follows them, and always
//! within [`super::MAX_SHEET_CELLS`].
//!
//! Invariant: a cell's text is what calamine's grid would hold for it (its `get_datatype`):
//! the first of `office:value`, `office:string-value`, `office:date-value`,
//! `office:time-value` and `office:boolean-value`, else for a string cell its paragraphs
//! joined by line breaks, with `text:s`, `text:tab` and `text:line-break` expanded and
//! annotations left out.

use std::io::BufRead;
use std::path::Path;

use super::rows::{Assembler, Flow, SheetRows};
use super::scan::{
    append_cdata, append_text, attribute, attributes, text_attribute, Event, Scanner,
};
use super::stream::{with_part, Inflated, PartError};
use crate::ingest::error::IngestError;
use crate::normalise::text::one_line;

/// Whether a zip archive with these part names looks like an ODS workbook.
pub fn is_ods(names: &[String]) -> bool {
    names.iter().any(|n| n == "content.xml")
}

/// Reads every table of an ODS workbook, handing the rows of each data sheet to `sink`.
/// Returns the number of data sheets and the names of all tables.
pub fn read(
    file: &Path,
    bytes: &[u8],
    sink: &mut dyn SheetRows,
) -> Result<(usize, Vec<String>), IngestError> {
    let outcome = with_part(bytes, "content.xml", |inflated| {
        read_content(file, inflated, sink)
    });
    match outcome {
        Ok(result) => result,
        Err(PartError::Missing) => Err(IngestError::Spreadsheet {
            file: file.to_path_buf(),
            reason: "cannot open as an XLSX or ODS workbook: it has no content.xml".into(),
        }),
        Err(PartError::Zip(reason)) => Err(IngestError::Spreadsheet {
            file: file.to_path_buf(),
            reason: format!(
                "cannot open as an XLSX or ODS workbook: {}",
                one_line(&reason)
            ),
        }),
    }
}

/// How often (in rows) progress is reported.
const PROGRESS_ROWS: u32 = 1 << 14;

/// What a tag asks for, taken out of the scanner's window.
enum Step {
    Table(String, bool),
    Row(u32, bool),
    Cell(u32, Value, bool, &'static [u8]),
    RowEnd,
    TableEnd,
    Eof,
    Nothing,
}

fn read_content(
    file: &Path,
    inflated: &mut Inflated,
    sink: &mut dyn SheetRows,
) -> Result<(usize, Vec<String>), IngestError> {
    let size = inflated.size;
    let mut xml = Scanner::new(&mut *inflated);
    let mut text = String::new();
    let mut names = Vec::new();
    let mut found = 0;
    // The table being read: its name and assembler, its next row, the current row's next
    // column and repeat.
    let mut table: Option<(String, Assembler<'_>)> = None;
    let (mut next_row, mut column, mut row_repeat) = (0u64, 0u64, 1u32);
    let mut in_row = false;
    let mut rows_since_progress = 0;
    let unreadable = |name: &str, reason: String| IngestError::Spreadsheet {
        file: file.to_path_buf(),
        reason: format!("cannot read sheet {name:?}: {}", one_line(&reason)),
    };
    // The name of the table being read, for errors (kept apart from `table`, so that naming
    // it costs nothing per event).
    let mut current = String::new();
    loop {
        let fail = |reason: String| unreadable(&current, reason);
        let step = match xml.next().map_err(&fail)? {
            Event::Start { name, attrs } => tag_step(name, attrs, false, table.is_some(), in_row),
            Event::Empty { name, attrs } => tag_step(name, attrs, true, table.is_some(), in_row),
            Event::End { name } if name == b"table:table-row" && in_row => Ok(Step::RowEnd),
            Event::End { name } if name == b"table:table" => Ok(Step::TableEnd),
            Event::Eof => Ok(Step::Eof),
            _ => Ok(Step::Nothing),
        }
        .map_err(&fail)?;
        match step {
            Step::Table(name, empty) => {
                names.push(name.clone());
                if !empty {
                    table = Some((name.clone(), Assembler::new(file, &name, true, size)));
                    current = name;
                    next_row = 0;
                }
            }
            Step::Row(repeat, empty) => {
                let Some((_, assembler)) = table.as_mut() else {
                    continue;
                };
                row_repeat = repeat;
                assembler.start_row(u32::try_from(next_row).unwrap_or(u32::MAX));
                column = 0;
                in_row = !empty;
                if empty {
                    next_row = next_row.saturating_add(u64::from(row_repeat));
                    // An empty row has no value, so its repeat needs no expanding.
                    if assembler.end_row(row_repeat, sink)? == Flow::NotData {
                        skip_table(&mut xml).map_err(&fail)?;
                        table = None;
                        current.clear();
                    }
                }
            }
            Step::Cell(repeats, value, empty, element) => {
                let Some((_, assembler)) = table.as_mut() else {
                    continue;
                };
                text.clear();
                // Most cells hold one paragraph of plain text (`<text:p>TEXT</text:p>`, then
                // the cell's end): read without the general scan.
                let simple = match (&value, empty) {
                    (Value::Text(_) | Value::Content, false) => {
                        let close: &[u8] = if element == b"table:table-cell" {
                            b"</text:p></table:table-cell>"
                        } else {
                            b"</text:p></table:covered-table-cell>"
                        };
                        xml.simple_content(b"<text:p>", close, 256).map_err(&fail)?
                    }
                    _ => None,
                };
                let has_value = match (value, simple) {
                    (Value::Text(t), Some(_)) => {
                        text.push_str(&t);
                        true
                    }
                    (Value::Content, Some(raw)) => {
                        append_text(raw, &mut text).map_err(&fail)?;
                        true
                    }
                    (value, _) => match value {
                        Value::Text(t) => {
                            text.push_str(&t);
                            if !empty {
                                xml.skip_element(element).map_err(&fail)?;
                            }
                            true
                        }
                        Value::Content => {
                            if !empty {
                                paragraphs(&mut xml, element, &mut text).map_err(&fail)?;
                            }
                            true
                        }
                        Value::Empty => {
                            if !empty {
                                xml.skip_element(element).map_err(&fail)?;
                            }
                            false
                        }
                    },
                };
                if has_value {
                    let at = u32::try_from(column).unwrap_or(u32::MAX);
                    assembler.set_cell(at, repeats, row_repeat, &text)?;
                }
                column = column.saturating_add(u64::from(repeats));
            }
            Step::RowEnd => {
                in_row = false;
                let Some((_, assembler)) = table.as_mut() else {
                    continue;
                };
                next_row = next_row.saturating_add(u64::from(row_repeat));
                if assembler.end_row(row_repeat, sink)? == Flow::NotData {
                    skip_table(&mut xml).map_err(&fail)?;
                    table = None;
                    current.clear();
                }
                rows_since_progress += 1;
                if rows_since_progress == PROGRESS_ROWS {
                    rows_since_progress = 0;
                    sink.progress(xml.position());
                }
            }
            Step::TableEnd => {
                current.clear();
                if let Some((_, assembler)) = table.take() {
                    if assembler.finish(sink)? {
                        found += 1;
                    }
                }
            }
            Step::Eof => {
                if let Some((name, _)) = table {
                    return Err(unreadable(
                        &name,
                        "content.xml ends inside it (truncated or damaged file?)".into(),
                    ));
                }
                return Ok((found, names));
            }
            Step::Nothing => {}
        }
    }
}

/// A cell's value, from its attributes.
enum Value {
    /// No value.
    Empty,
    /// The value is in an attribute.
    Text(String),
    /// A string cell whose text is its content.
    Content,
}

/// What a start (or empty) tag asks for.
fn tag_step(
    name: &[u8],
    attrs: &[u8],
    empty: bool,
    in_table: bool,
    in_row: bool,
) -> Result<Step, String> {
    Ok(match name {
        b"table:table" => Step::Table(
            text_attribute(attrs, b"table:name")?.unwrap_or_default(),
            empty,
        ),
        b"table:table-row" if in_table => {
            Step::Row(repeat(attrs, b"table:number-rows-repeated")?, empty)
        }
        b"table:table-cell" | b"table:covered-table-cell" if in_row => {
            let element: &'static [u8] = if name == b"table:table-cell" {
                b"table:table-cell"
            } else {
                b"table:covered-table-cell"
            };
            let (repeats, value) = cell_value(attrs)?;
            Step::Cell(repeats, value, empty, element)
        }
        _ => Step::Nothing,
    })
}

/// A cell's column repeat and value, as calamine's `get_datatype` decides it.
fn cell_value(attrs: &[u8]) -> Result<(u32, Value), String> {
    let mut repeats = 1;
    let mut value: Option<String> = None;
    let (mut is_string, mut is_error) = (false, false);
    for attr in attributes(attrs) {
        let (key, raw) = attr?;
        match key {
            b"table:number-columns-repeated" => repeats = count(raw)?,
            b"office:value" if value.is_none() => {
                let text = std::str::from_utf8(raw).map_err(|e| e.to_string())?;
                let number: f64 = text
                    .trim()
                    .parse()
                    .map_err(|_| format!("office:value {text:?} is not a number"))?;
                value = Some(super::format_float(number));
            }
            b"office:string-value" | b"office:date-value" | b"office:time-value"
                if value.is_none() =>
            {
                let mut text = String::new();
                append_text(raw, &mut text)?;
                value = Some(text);
            }
            b"office:boolean-value" if value.is_none() => {
                let b = matches!(raw, b"TRUE" | b"true");
                value = Some(if b { "TRUE" } else { "FALSE" }.to_string());
            }
            b"office:value-type" if value.is_none() => is_string = raw == b"string",
            b"calcext:value-type" => is_error = raw == b"error",
            _ => {}
        }
    }
    let value = match value {
        None if is_string => Value::Content,
        Some(v) if is_error && v.is_empty() => Value::Content,
        Some(v) => Value::Text(v),
        None => Value::Empty,
    };
    Ok((repeats, value))
}

/// A repeat attribute (1 when absent).
fn repeat(attrs: &[u8], name: &[u8]) -> Result<u32, String> {
    match attribute(attrs, name)? {
        Some(raw) => count(raw),
        None => Ok(1),
    }
}

/// A repeat count: a positive whole number; counts past a sheet's size are kept (saturated)
/// and refused with their position when a value makes them matter.
fn count(raw: &[u8]) -> Result<u32, String> {
    let text = raw.trim_ascii();
    if text.is_empty() || !text.iter().all(u8::is_ascii_digit) {
        return Err(format!(
            "repeat count {:?} is not a whole number",
            String::from_utf8_lossy(text)
        ));
    }
    let n = text.iter().fold(0u64, |n, d| {
        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    });
    Ok(u32::try_from(n.max(1)).unwrap_or(u32::MAX))
}

/// Reads a string cell's content up to the cell's end (`element`) into `out` (see the
/// module's invariant).
fn paragraphs<R: BufRead>(
    xml: &mut Scanner<R>,
    element: &[u8],
    out: &mut String,
) -> Result<(), String> {
    let mut first = true;
    loop {
        let (name, attrs, empty) = match xml.next()? {
            Event::Text(raw) => {
                append_text(raw, out)?;
                continue;
            }
            Event::CData(raw) => {
                append_cdata(raw, out)?;
                continue;
            }
            Event::End { name } if name == element => return Ok(()),
            Event::Start { name, attrs } => (name, attrs, false),
            Event::Empty { name, attrs } => (name, attrs, true),
            Event::Eof => {
                return Err("content.xml ends inside a cell (truncated or damaged file?)".into())
            }
            _ => continue,
        };
        match name {
            b"office:annotation" if !empty => {
                xml.skip_element(b"office:annotation")?;
            }
            b"text:p" => {
                if first {
                    first = false;
                } else {
                    out.push('\n');
                }
            }
            b"text:s" => {
                let spaces = repeat(attrs, b"text:c")?;
                // A run of spaces longer than a cell can hold is a damaged file.
                if spaces > 32_767 {
                    return Err(format!("text:c=\"{spaces}\" spaces in one cell"));
                }
                out.extend(std::iter::repeat_n(' ', spaces as usize));
            }
            b"text:tab" => out.push('\t'),
            b"text:line-break" => out.push('\n'),
            _ => {}
        }
    }
}

/// Passes over the rest of a table that is not a data sheet.
fn skip_table<R: BufRead>(xml: &mut Scanner<R>) -> Result<(), String> {
    xml.skip_element(b"table:table").map_err(|e| {
        if e.contains("ends inside") {
            "content.xml ends inside it (truncated or damaged file?)".to_string()
        } else {
            e
        }
    })
}
