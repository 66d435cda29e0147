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

use quick_xml::escape::unescape;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::QName;
use quick_xml::Reader;

use super::rows::{Assembler, Flow, SheetRows};
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

fn read_content(
    file: &Path,
    inflated: &mut Inflated,
    sink: &mut dyn SheetRows,
) -> Result<(usize, Vec<String>), IngestError> {
    let size = inflated.size;
    let mut xml = Reader::from_reader(&mut *inflated);
    let config = xml.config_mut();
    config.trim_text(false);
    config.check_end_names = false;
    config.expand_empty_elements = false;
    let mut buf = Vec::with_capacity(1024);
    let mut cell_buf = Vec::with_capacity(1024);
    let mut text = String::new();
    let mut names = Vec::new();
    let mut found = 0;
    // The table being read: its name, assembler, next row and column, and the current row's
    // repeat.
    let mut table: Option<(String, Assembler<'_>)> = None;
    let (mut next_row, mut column, mut row_repeat) = (0u64, 0u64, 1u32);
    let mut in_row = false;
    let mut rows_since_progress = 0;
    let unreadable = |name: &str, reason: String| IngestError::Spreadsheet {
        file: file.to_path_buf(),
        reason: format!("cannot read sheet {name:?}: {}", one_line(&reason)),
    };
    loop {
        buf.clear();
        let event = match xml.read_event_into(&mut buf) {
            Ok(event) => event,
            Err(e) => {
                let name = table.as_ref().map_or("", |(n, _)| n.as_str());
                return Err(unreadable(name, e.to_string()));
            }
        };
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => match e.name().as_ref() {
                "table:table" => {
                    let name = attribute_text(e, "table:name")
                        .map_err(|reason| unreadable("", reason))?
                        .unwrap_or_default();
                    names.push(name.clone());
                    if !empty {
                        table = Some((name.clone(), Assembler::new(file, &name, true, size)));
                        next_row = 0;
                    }
                }
                "table:table-row" if table.is_some() => {
                    let Some((name, assembler)) = table.as_mut() else {
                        continue;
                    };
                    row_repeat = repeat(e, "table:number-rows-repeated")
                        .map_err(|reason| unreadable(name, reason))?;
                    let row = u32::try_from(next_row).unwrap_or(u32::MAX);
                    assembler.start_row(row);
                    column = 0;
                    in_row = !empty;
                    if empty {
                        next_row = next_row.saturating_add(u64::from(row_repeat));
                        // An empty row has no value, so its repeat needs no expanding.
                        if assembler.end_row(row_repeat, sink)? == Flow::NotData {
                            skip_table(&mut xml, &mut cell_buf)
                                .map_err(|reason| unreadable(name, reason))?;
                            table = None;
                        }
                    }
                }
                "table:table-cell" | "table:covered-table-cell" if in_row => {
                    let Some((name, assembler)) = table.as_mut() else {
                        continue;
                    };
                    let element = e.name().as_ref().to_string();
                    let (repeats, value) =
                        cell_value(e).map_err(|reason| unreadable(name, reason))?;
                    text.clear();
                    let has_value = match value {
                        Value::Text(t) => {
                            text.push_str(&t);
                            if !empty {
                                skip_to_end(&mut xml, &element, &mut cell_buf)
                                    .map_err(|reason| unreadable(name, reason))?;
                            }
                            true
                        }
                        Value::Content => {
                            if !empty {
                                paragraphs(&mut xml, &element, &mut cell_buf, &mut text)
                                    .map_err(|reason| unreadable(name, reason))?;
                            }
                            true
                        }
                        Value::Empty => {
                            if !empty {
                                skip_to_end(&mut xml, &element, &mut cell_buf)
                                    .map_err(|reason| unreadable(name, reason))?;
                            }
                            false
                        }
                    };
                    if has_value {
                        let at = u32::try_from(column).unwrap_or(u32::MAX);
                        assembler.set_cell(at, repeats, row_repeat, &text)?;
                    }
                    column = column.saturating_add(u64::from(repeats));
                }
                _ => {}
            },
            Event::End(ref e) => match e.name().as_ref() {
                "table:table-row" if in_row => {
                    in_row = false;
                    let Some((name, assembler)) = table.as_mut() else {
                        continue;
                    };
                    next_row = next_row.saturating_add(u64::from(row_repeat));
                    if assembler.end_row(row_repeat, sink)? == Flow::NotData {
                        skip_table(&mut xml, &mut cell_buf)
                            .map_err(|reason| unreadable(name, reason))?;
                        table = None;
                    }
                    rows_since_progress += 1;
                    if rows_since_progress == PROGRESS_ROWS {
                        rows_since_progress = 0;
                        sink.progress(xml.get_ref().consumed());
                    }
                }
                "table:table" => {
                    if let Some((_, assembler)) = table.take() {
                        if assembler.finish(sink)? {
                            found += 1;
                        }
                    }
                }
                _ => {}
            },
            Event::Eof => {
                if let Some((name, _)) = table {
                    return Err(unreadable(
                        &name,
                        "content.xml ends inside it (truncated or damaged file?)".into(),
                    ));
                }
                return Ok((found, names));
            }
            _ => {}
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

/// A cell's column repeat and value, as calamine's `get_datatype` decides it.
fn cell_value(e: &BytesStart<'_>) -> Result<(u32, Value), String> {
    let mut repeats = 1;
    let mut value: Option<String> = None;
    let (mut is_string, mut is_error) = (false, false);
    for attr in e.attributes().with_checks(false) {
        let attr = attr.map_err(|e| e.to_string())?;
        match attr.key.as_ref() {
            "table:number-columns-repeated" => repeats = count(&attr.value)?,
            "office:value" if value.is_none() => {
                let raw: &str = &attr.value;
                let number: f64 = raw
                    .trim()
                    .parse()
                    .map_err(|_| format!("office:value {raw:?} is not a number"))?;
                value = Some(super::format_float(number));
            }
            "office:string-value" | "office:date-value" | "office:time-value"
                if value.is_none() =>
            {
                value = Some(
                    unescape(&attr.value)
                        .map_err(|e| e.to_string())?
                        .into_owned(),
                );
            }
            "office:boolean-value" if value.is_none() => {
                let b = matches!(attr.value.as_ref(), "TRUE" | "true");
                value = Some(if b { "TRUE" } else { "FALSE" }.to_string());
            }
            "office:value-type" if value.is_none() => {
                is_string = attr.value.as_ref() == "string";
            }
            "calcext:value-type" => is_error = attr.value.as_ref() == "error",
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
fn repeat(e: &BytesStart<'_>, name: &str) -> Result<u32, String> {
    for attr in e.attributes().with_checks(false) {
        let attr = attr.map_err(|e| e.to_string())?;
        if attr.key.as_ref() == name {
            return count(&attr.value);
        }
    }
    Ok(1)
}

/// A repeat count: a positive whole number; counts past a sheet's size are kept (saturated)
/// and refused with their position when a value makes them matter.
fn count(raw: &str) -> Result<u32, String> {
    let text = raw.trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("repeat count {text:?} is not a whole number"));
    }
    let n = text.bytes().fold(0u64, |n, d| {
        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    });
    Ok(u32::try_from(n.max(1)).unwrap_or(u32::MAX))
}

/// An attribute's text, entities resolved.
fn attribute_text(e: &BytesStart<'_>, name: &str) -> Result<Option<String>, String> {
    for attr in e.attributes().with_checks(false) {
        let attr = attr.map_err(|e| e.to_string())?;
        if attr.key.as_ref() == name {
            return unescape(&attr.value)
                .map(|v| Some(v.into_owned()))
                .map_err(|e| e.to_string());
        }
    }
    Ok(None)
}

/// Reads a string cell's content up to the cell's end into `out` (see the module's
/// invariant).
fn paragraphs<R: BufRead>(
    xml: &mut Reader<R>,
    element: &str,
    buf: &mut Vec<u8>,
    out: &mut String,
) -> Result<(), String> {
    let mut first = true;
    loop {
        buf.clear();
        let event = xml.read_event_into(buf).map_err(|e| e.to_string())?;
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Text(t) => out.push_str(&t.xml10_content()),
            Event::CData(t) => out.push_str(&t.xml10_content()),
            Event::GeneralRef(e) => {
                let name: &str = &e;
                if let Some(text) = quick_xml::escape::resolve_xml_entity(name) {
                    out.push_str(text);
                } else if let Some(c) = e.resolve_char_ref().map_err(|e| e.to_string())? {
                    out.push(c);
                } else {
                    return Err(format!("unknown entity &{name};"));
                }
            }
            Event::End(e) if e.name().as_ref() == element => return Ok(()),
            Event::Start(ref e) | Event::Empty(ref e) => match e.name().as_ref() {
                "office:annotation" if !empty => {
                    let name = e.name().as_ref().to_string();
                    let mut skip = Vec::new();
                    xml.read_to_end_into(QName(&name), &mut skip)
                        .map_err(|e| e.to_string())?;
                }
                "text:p" => {
                    if first {
                        first = false;
                    } else {
                        out.push('\n');
                    }
                }
                "text:s" => {
                    let spaces = repeat(e, "text:c")?;
                    // A run of spaces longer than a cell can hold is a damaged file.
                    if spaces > 32_767 {
                        return Err(format!("text:c=\"{spaces}\" spaces in one cell"));
                    }
                    out.extend(std::iter::repeat_n(' ', spaces as usize));
                }
                "text:tab" => out.push('\t'),
                "text:line-break" => out.push('\n'),
                _ => {}
            },
            Event::Eof => {
                return Err("content.xml ends inside a cell (truncated or damaged file?)".into())
            }
            _ => {}
        }
    }
}

/// Passes over an element up to its end.
fn skip_to_end<R: BufRead>(
    xml: &mut Reader<R>,
    name: &str,
    buf: &mut Vec<u8>,
) -> Result<(), String> {
    buf.clear();
    xml.read_to_end_into(QName(name), buf)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Passes over the rest of a table that is not a data sheet.
fn skip_table<R: BufRead>(xml: &mut Reader<R>, buf: &mut Vec<u8>) -> Result<(), String> {
    skip_to_end(xml, "table:table", buf).map_err(|e| {
        if e.contains("nexpected end") || e.contains("EOF") || e.contains("end of") {
            "content.xml ends inside it (truncated or damaged file?)".to_string()
        } else {
            e
        }
    })
}
