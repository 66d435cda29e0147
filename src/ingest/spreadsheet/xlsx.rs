//! XLSX workbooks (Office Open XML, ECMA-376 part 1 §18), read as a stream: each sheet's XML
//! is inflated on one thread and parsed on another, and its rows are made as its `<row>`
//! elements end, never as a grid of the whole sheet.
//!
//! Invariant: a cell's text is what calamine's grid would hold for it, as
//! [`super::cell_text`] writes it (shared and inline strings as they are, numbers in their
//! shortest form, integral ones without `.0`, booleans as `TRUE`/`FALSE`); date styles are not
//! applied, since calamine's date cells print as their serial number too.

use std::io::{Cursor, Read};
use std::path::Path;

use super::rows::{column_name, Assembler, Flow, SheetRows};
use super::scan::{
    append_cdata, append_text, attribute, attributes, local, text_attribute, Event, Scanner,
};
use super::stream::{with_part, Inflated, PartError};
use crate::ingest::error::IngestError;
use crate::normalise::text::one_line;

/// One sheet of a workbook, in workbook order.
struct SheetPart {
    name: String,
    /// The zip part holding it, or `None` for a chart sheet (no cells).
    part: Option<String>,
}

/// Whether the zip archive `names` looks like an XLSX workbook.
pub fn is_xlsx(names: &[String]) -> bool {
    names.iter().any(|n| n == "xl/workbook.xml")
        || names.iter().any(|n| n == "[Content_Types].xml")
            && !names.iter().any(|n| n.ends_with(".bin"))
            && names.iter().any(|n| n.starts_with("xl/"))
}

/// Reads every sheet of an XLSX workbook, handing the rows of each data sheet to `sink`.
/// Returns the number of data sheets and the names of all sheets.
pub fn read(
    file: &Path,
    bytes: &[u8],
    sink: &mut dyn SheetRows,
) -> Result<(usize, Vec<String>), IngestError> {
    let open_error = |reason: String| IngestError::Spreadsheet {
        file: file.to_path_buf(),
        reason: format!(
            "cannot open as an XLSX or ODS workbook: {}",
            one_line(&reason)
        ),
    };
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| open_error(e.to_string()))?;
    let workbook_path = match small_part(&mut archive, "_rels/.rels").map_err(&open_error)? {
        Some(rels) => relationships(&rels, "")
            .map_err(&open_error)?
            .into_iter()
            .find(|r| r.kind.ends_with("/officeDocument"))
            .map_or_else(|| "xl/workbook.xml".to_string(), |r| r.target),
        None => "xl/workbook.xml".to_string(),
    };
    let base = workbook_path
        .rsplit_once('/')
        .map_or(String::new(), |(dir, _)| format!("{dir}/"));
    let rels_path = format!("{base}_rels/{}.rels", &workbook_path[base.len()..]);
    let Some(workbook) = small_part(&mut archive, &workbook_path).map_err(&open_error)? else {
        return Err(open_error(format!("it has no {workbook_path}")));
    };
    let rels = match small_part(&mut archive, &rels_path).map_err(&open_error)? {
        Some(rels) => relationships(&rels, &base).map_err(&open_error)?,
        None => Vec::new(),
    };
    let sheets = sheet_parts(&workbook, &rels).map_err(&open_error)?;
    let strings_path = rels
        .iter()
        .find(|r| r.kind.ends_with("/sharedStrings"))
        .map_or_else(|| format!("{base}sharedStrings.xml"), |r| r.target.clone());
    let strings = match small_part(&mut archive, &strings_path).map_err(&open_error)? {
        Some(xml) => shared_strings(&xml).map_err(|e| {
            open_error(format!(
                "cannot read the shared strings ({strings_path}): {e}"
            ))
        })?,
        None => Vec::new(),
    };
    drop(archive);
    let names: Vec<String> = sheets.iter().map(|s| s.name.clone()).collect();
    let mut found = 0;
    for sheet in &sheets {
        let Some(part) = &sheet.part else {
            continue;
        };
        let unreadable = |reason: &str| IngestError::Spreadsheet {
            file: file.to_path_buf(),
            reason: format!("cannot read sheet {:?}: {}", sheet.name, one_line(reason)),
        };
        let outcome = with_part(bytes, part, |inflated| {
            let size = inflated.size;
            let mut assembler = Assembler::new(file, &sheet.name, false, size);
            read_sheet(inflated, &strings, &mut assembler, sink)
                .and_then(|()| assembler.finish(sink).map_err(SheetError::Ours))
        });
        match outcome {
            Ok(Ok(true)) => found += 1,
            Ok(Ok(false)) => {}
            Ok(Err(SheetError::Ours(e))) => return Err(e),
            Ok(Err(SheetError::Xml(reason))) => return Err(unreadable(&reason)),
            Err(PartError::Missing) => {
                return Err(unreadable(&format!("the workbook has no part {part}")))
            }
            Err(PartError::Zip(reason)) => return Err(unreadable(&reason)),
        }
    }
    Ok((found, names))
}

/// A problem met reading a sheet: ours (limits, the sink's), or the file's.
enum SheetError {
    Ours(IngestError),
    Xml(String),
}

impl From<IngestError> for SheetError {
    fn from(e: IngestError) -> SheetError {
        SheetError::Ours(e)
    }
}

/// How often (in rows) progress is reported.
const PROGRESS_ROWS: u32 = 1 << 14;

/// What a tag of the sheet data asks for, taken out of the scanner's window.
enum Step {
    Row(Option<u32>, bool),
    RowEnd,
    Cell(Option<(u32, u32)>, CellKind, bool),
    Skip(Vec<u8>),
    DataEnd,
    Eof,
    Nothing,
}

/// Reads one sheet's `<sheetData>`, cell by cell, into `assembler`.
fn read_sheet(
    inflated: &mut Inflated,
    strings: &[String],
    assembler: &mut Assembler<'_>,
    sink: &mut dyn SheetRows,
) -> Result<(), SheetError> {
    let mut xml = Scanner::new(&mut *inflated);
    // Up to the sheet data; a sheet without it (a chart or dialog sheet) has no cells.
    loop {
        match xml.next().map_err(SheetError::Xml)? {
            Event::Start { name, .. } if local(name) == b"sheetData" => break,
            Event::Empty { name, .. } if local(name) == b"sheetData" => return Ok(()),
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
    let mut text = String::new();
    let mut raw = String::new();
    let mut in_row = false;
    let mut next_row: u32 = 0;
    let mut next_column: u32 = 0;
    let mut rows_since_progress = 0;
    loop {
        let step = match xml.next().map_err(SheetError::Xml)? {
            Event::Start { name, attrs } => tag_step(name, attrs, false)?,
            Event::Empty { name, attrs } => tag_step(name, attrs, true)?,
            Event::End { name } if local(name) == b"row" => Step::RowEnd,
            Event::End { name } if local(name) == b"sheetData" => Step::DataEnd,
            Event::Eof => Step::Eof,
            _ => Step::Nothing,
        };
        match step {
            Step::Row(row, empty) => {
                let row = row.unwrap_or(next_row);
                if row < next_row {
                    return Err(SheetError::Xml(format!(
                        "row {} comes after row {}: its rows are out of order (damaged file?)",
                        u64::from(row) + 1,
                        next_row
                    )));
                }
                assembler.start_row(row);
                next_column = 0;
                in_row = !empty;
                if empty {
                    next_row = row + 1;
                    if assembler.end_row(1, sink)? == Flow::NotData {
                        return Ok(());
                    }
                }
            }
            Step::Cell(position, kind, empty) => {
                if !in_row {
                    // A cell outside a row: in its own row, or the row after the last.
                    assembler.start_row(position.map_or(next_row, |(row, _)| row));
                    in_row = true;
                }
                let column = match position {
                    Some((row, column)) if row == assembler.current_row() => column,
                    Some((row, _)) => {
                        return Err(SheetError::Xml(format!(
                            "cell at row {} is inside row {}",
                            u64::from(row) + 1,
                            u64::from(assembler.current_row()) + 1
                        )))
                    }
                    None => next_column,
                };
                next_column = column.saturating_add(1);
                if empty {
                    continue;
                }
                text.clear();
                let in_words = |reason: String| {
                    SheetError::Xml(format!(
                        "cell {}{}: {reason}",
                        column_name(column),
                        u64::from(assembler.current_row()) + 1
                    ))
                };
                // Most cells are `<v>TEXT</v></c>`: read without the general scan.
                let simple = match kind {
                    CellKind::Inline => None,
                    _ => xml.simple_value().map_err(&in_words)?,
                };
                let has_value = match simple {
                    // Most values are plain digits (a shared string's index, a count): no
                    // entity or UTF-8 to check.
                    Some(value) if plain_digits(value) => {
                        digits_text(kind, value, strings, &mut text).map_err(&in_words)?
                    }
                    Some(value) => {
                        raw.clear();
                        append_text(value, &mut raw).map_err(&in_words)?;
                        value_text(kind, &raw, strings, &mut text).map_err(&in_words)?
                    }
                    None => read_cell(&mut xml, kind, strings, &mut raw, &mut text)
                        .map_err(&in_words)?,
                };
                if has_value {
                    assembler.set_cell(column, 1, 1, &text)?;
                }
            }
            Step::Skip(name) => xml.skip_element(&name).map_err(SheetError::Xml)?,
            Step::RowEnd => {
                in_row = false;
                next_row = assembler.current_row() + 1;
                if assembler.end_row(1, sink)? == Flow::NotData {
                    return Ok(());
                }
                rows_since_progress += 1;
                if rows_since_progress == PROGRESS_ROWS {
                    rows_since_progress = 0;
                    sink.progress(xml.position());
                }
            }
            Step::DataEnd => {
                if in_row {
                    assembler.end_row(1, sink)?;
                }
                return Ok(());
            }
            Step::Eof => {
                return Err(SheetError::Xml(
                    "its XML ends inside the sheet data (truncated or damaged file?)".into(),
                ))
            }
            Step::Nothing => {}
        }
    }
}

/// What a start (or empty) tag in the sheet data asks for.
fn tag_step(name: &[u8], attrs: &[u8], empty: bool) -> Result<Step, SheetError> {
    Ok(match local(name) {
        b"row" => {
            let row = match attribute(attrs, b"r").map_err(SheetError::Xml)? {
                Some(r) => Some(row_number(r).ok_or_else(|| {
                    SheetError::Xml(format!(
                        "row number {:?} is not a row of a sheet",
                        String::from_utf8_lossy(r)
                    ))
                })?),
                None => None,
            };
            Step::Row(row, empty)
        }
        b"c" => {
            let (position, kind) = cell_attributes(attrs)?;
            Step::Cell(position, kind, empty)
        }
        // Anything else inside the sheet data is passed over whole.
        _ if !empty => Step::Skip(name.to_vec()),
        _ => Step::Nothing,
    })
}

/// Reads the children of a `<c>` element up to its end into `text`. Returns whether the cell
/// has a value (calamine's `DataRef::Empty` otherwise).
fn read_cell<R: std::io::BufRead>(
    xml: &mut Scanner<R>,
    kind: CellKind,
    strings: &[String],
    raw: &mut String,
    text: &mut String,
) -> Result<bool, String> {
    let mut has_value = false;
    loop {
        enum Child {
            Value,
            Inline,
            Other(Vec<u8>),
            End,
        }
        let child = match xml.next()? {
            Event::Start { name, .. } => match local(name) {
                b"v" if kind != CellKind::Inline => Child::Value,
                b"is" => Child::Inline,
                _ => Child::Other(name.to_vec()),
            },
            Event::End { name } if local(name) == b"c" => Child::End,
            Event::Eof => return Err("the XML ends inside the cell".into()),
            _ => continue,
        };
        match child {
            Child::Value => {
                raw.clear();
                element_text(xml, b"v", raw)?;
                has_value = value_text(kind, raw, strings, text)?;
            }
            Child::Inline => {
                rich_text(xml, b"is", text)?;
                has_value = true;
            }
            Child::Other(name) => xml.skip_element(&name)?,
            Child::End => return Ok(has_value),
        }
    }
}

/// A cell's position (from `r`, 0-based) and type.
fn cell_attributes(attrs: &[u8]) -> Result<(Option<(u32, u32)>, CellKind), SheetError> {
    let (mut position, mut kind) = (None, CellKind::Number { explicit: false });
    for attr in attributes(attrs) {
        let (key, value) = attr.map_err(SheetError::Xml)?;
        match key {
            b"r" => {
                position = Some(cell_reference(value).ok_or_else(|| {
                    SheetError::Xml(format!(
                        "cell reference {:?} is not a cell of a sheet",
                        String::from_utf8_lossy(value)
                    ))
                })?);
            }
            b"t" => {
                kind = match value {
                    b"n" => CellKind::Number { explicit: true },
                    b"s" => CellKind::Shared,
                    b"str" => CellKind::FormulaText,
                    b"inlineStr" | b"is" => CellKind::Inline,
                    b"b" => CellKind::Boolean,
                    b"e" => CellKind::Error,
                    b"d" => CellKind::Date,
                    other => {
                        return Err(SheetError::Xml(format!(
                            "cell type {:?} is not one of n, s, str, inlineStr, b, e, d",
                            String::from_utf8_lossy(other)
                        )))
                    }
                }
            }
            _ => {}
        }
    }
    Ok((position, kind))
}

/// The type of a cell (its `t` attribute).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CellKind {
    /// `n`, or no `t`: a number (no `t`: text that is not a number is kept as text).
    Number { explicit: bool },
    /// `s`: an index into the shared strings.
    Shared,
    /// `str`: a formula's text result.
    FormulaText,
    /// `inlineStr`: the text is in `<is>`.
    Inline,
    /// `b`: a boolean.
    Boolean,
    /// `e`: an error value.
    Error,
    /// `d`: an ISO 8601 date.
    Date,
}

/// The text of a `<v>` value of a cell of type `kind`, into `text`. Returns whether the cell
/// has a value.
fn value_text(
    kind: CellKind,
    raw: &str,
    strings: &[String],
    text: &mut String,
) -> Result<bool, String> {
    match kind {
        CellKind::Shared => {
            let index = raw.trim();
            if index.is_empty() {
                return Ok(false);
            }
            let string = index
                .parse::<usize>()
                .ok()
                .and_then(|i| strings.get(i))
                .ok_or_else(|| {
                    format!(
                        "shared string {index:?} is not in the workbook's {} shared strings",
                        strings.len()
                    )
                })?;
            text.push_str(string);
        }
        CellKind::Number { explicit } => {
            if raw.is_empty() {
                return Ok(false);
            }
            if !number_text(raw, text) {
                if explicit {
                    return Err(format!("{raw:?} is not a number"));
                }
                text.push_str(raw);
            }
        }
        CellKind::Boolean => match raw.trim() {
            "" => return Ok(false),
            "1" | "true" => text.push_str("TRUE"),
            "0" | "false" => text.push_str("FALSE"),
            other => return Err(format!("{other:?} is not a boolean (0 or 1)")),
        },
        CellKind::Error => {
            let error: calamine::CellErrorType = raw
                .parse()
                .map_err(|_| format!("{raw:?} is not a spreadsheet error value"))?;
            text.push_str(&error.to_string());
        }
        CellKind::Date | CellKind::Inline => text.push_str(raw),
        CellKind::FormulaText => text.push_str(&unescape_excel(raw)),
    }
    Ok(true)
}

/// Whether a value is a plain decimal integer of at most 15 digits, without a sign or a
/// leading zero (but `0` itself).
fn plain_digits(value: &[u8]) -> bool {
    !value.is_empty()
        && value.len() < 16
        && value.iter().all(u8::is_ascii_digit)
        && (value[0] != b'0' || value.len() == 1)
}

/// [`value_text`] for a value of [`plain_digits`]: a shared string's index, or a number
/// whose text is its digits.
fn digits_text(
    kind: CellKind,
    value: &[u8],
    strings: &[String],
    text: &mut String,
) -> Result<bool, String> {
    let digits = || value.iter().map(|&b| char::from(b));
    match kind {
        CellKind::Shared => {
            let index = value
                .iter()
                .fold(0usize, |n, &b| n * 10 + usize::from(b - b'0'));
            let string = strings.get(index).ok_or_else(|| {
                format!(
                    "shared string \"{}\" is not in the workbook's {} shared strings",
                    digits().collect::<String>(),
                    strings.len()
                )
            })?;
            text.push_str(string);
            Ok(true)
        }
        CellKind::Number { .. } => {
            text.extend(digits());
            Ok(true)
        }
        _ => {
            let raw: String = digits().collect();
            value_text(kind, &raw, strings, text)
        }
    }
}

/// Writes a number's text as a CSV copy would hold it (see [`super::cell_text`]); false if
/// `raw` is not a number. A plain integer is copied as it is, without parsing.
fn number_text(raw: &str, text: &mut String) -> bool {
    let digits = raw.strip_prefix('-').unwrap_or(raw).as_bytes();
    let plain = !digits.is_empty()
        && digits.len() < 16
        && digits.iter().all(u8::is_ascii_digit)
        && (digits[0] != b'0' || digits.len() == 1)
        && raw != "-0";
    if plain {
        text.push_str(raw);
        return true;
    }
    match raw.trim().parse::<f64>() {
        Ok(f) => {
            text.push_str(&super::format_float(f));
            true
        }
        Err(_) => false,
    }
}

/// Excel's escape of characters XML cannot hold: `_x000D_` is a carriage return (ECMA-376
/// part 1 §22.4.2.4), as calamine undoes it.
fn unescape_excel(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("_x") {
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("_x") {
        let candidate = rest.get(at + 2..at + 7);
        let code = candidate
            .filter(|c| c.ends_with('_') && c[..4].bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|c| u32::from_str_radix(&c[..4], 16).ok())
            .and_then(char::from_u32);
        out.push_str(&rest[..at]);
        match code {
            Some(c) => {
                out.push(c);
                rest = &rest[at + 7..];
            }
            None => {
                out.push_str("_x");
                rest = &rest[at + 2..];
            }
        }
    }
    out.push_str(rest);
    out.into()
}

/// Reads the text of an element up to the first end tag of its local name `name` (entities
/// resolved, nested elements' text included, as calamine reads a `<v>` or `<t>`) into `out`.
fn element_text<R: std::io::BufRead>(
    xml: &mut Scanner<R>,
    name: &[u8],
    out: &mut String,
) -> Result<(), String> {
    loop {
        match xml.next()? {
            Event::Text(raw) => append_text(raw, out)?,
            Event::CData(raw) => append_cdata(raw, out)?,
            Event::End { name: end } if local(end) == name => return Ok(()),
            Event::Eof => return Err("the XML ends inside a value".into()),
            _ => {}
        }
    }
}

/// A rich or plain string (`<si>` or `<is>`, local name `closing`): the text of its `<t>`
/// elements, in its runs, without phonetic runs (`<rPh>`), each trimmed unless
/// `xml:space="preserve"`, as calamine reads it.
fn rich_text<R: std::io::BufRead>(
    xml: &mut Scanner<R>,
    closing: &[u8],
    out: &mut String,
) -> Result<(), String> {
    let mut phonetic = false;
    let mut value = String::new();
    loop {
        let preserve = match xml.next()? {
            Event::Start { name, .. } if local(name) == b"rPh" => {
                phonetic = true;
                continue;
            }
            Event::End { name } if local(name) == b"rPh" => {
                phonetic = false;
                continue;
            }
            Event::Start { name, attrs } if local(name) == b"t" && !phonetic => {
                attribute(attrs, b"xml:space")? == Some(&b"preserve"[..])
            }
            Event::End { name } if local(name) == closing => return Ok(()),
            Event::Eof => return Err("the XML ends inside a string".into()),
            _ => continue,
        };
        value.clear();
        element_text(xml, b"t", &mut value)?;
        let kept = if preserve {
            value.as_str()
        } else {
            value.trim_matches([' ', '\t', '\r', '\n'])
        };
        out.push_str(&unescape_excel(kept));
    }
}

/// A 1-based row number as a 0-based row.
fn row_number(r: &[u8]) -> Option<u32> {
    let text = r.trim_ascii();
    decimal(text.strip_prefix(b"+").unwrap_or(text))?.checked_sub(1)
}

/// Digits as a `u32`, as `str::parse` reads them (`None` when empty, not all digits, or
/// past `u32::MAX`), without its UTF-8 check.
fn decimal(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    digits.iter().try_fold(0u32, |n, &d| {
        n.checked_mul(10)?.checked_add(u32::from(d - b'0'))
    })
}

/// A cell reference (`B12`, 0-based row and column), or `None` when it is not one. Columns
/// and rows past a sheet's are accepted here and refused with their position later.
pub fn cell_reference(r: &[u8]) -> Option<(u32, u32)> {
    let letters = r.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    if letters == 0 || letters > 7 || letters == r.len() {
        return None;
    }
    // Seven letters reach 26^7, past a u32: counted in a u64, kept saturated.
    let mut column: u64 = 0;
    for b in &r[..letters] {
        column = column * 26 + u64::from(b.to_ascii_uppercase() - b'A') + 1;
    }
    let column = u32::try_from(column).unwrap_or(u32::MAX);
    let digits = &r[letters..];
    if digits.len() > 9 {
        return None;
    }
    let row = decimal(digits)?;
    Some((row.checked_sub(1)?, column - 1))
}

/// The bytes of a small part (workbook, relationships, shared strings), or `None` if absent.
fn small_part(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
) -> Result<Option<Vec<u8>>, String> {
    let index = archive.index_for_name(name).or_else(|| {
        // Part names are case-insensitive (ECMA-376 part 2 §6.2.2.3).
        archive
            .file_names()
            .position(|n| n.is_ok_and(|n| n.eq_ignore_ascii_case(name)))
    });
    let Some(index) = index else {
        return Ok(None);
    };
    let mut part = archive.by_index(index).map_err(|e| e.to_string())?;
    let mut out = Vec::with_capacity(usize::try_from(part.size()).unwrap_or(0).min(64 << 20));
    part.read_to_end(&mut out)
        .map_err(|e| format!("cannot inflate {name}: {e}"))?;
    Ok(Some(out))
}

/// A relationship of a part.
struct Relationship {
    id: String,
    kind: String,
    /// The target as a part name (resolved against the source part's folder).
    target: String,
}

/// The relationships in a `.rels` part, targets resolved against `base` (a folder ending in
/// `/`, or empty for the package root).
fn relationships(xml: &[u8], base: &str) -> Result<Vec<Relationship>, String> {
    let mut scanner = Scanner::new(xml);
    let mut out = Vec::new();
    loop {
        match scanner.next().map_err(|e| format!("relationships: {e}"))? {
            Event::Start { name, attrs } | Event::Empty { name, attrs }
                if local(name) == b"Relationship" =>
            {
                let get = |name: &[u8]| text_attribute(attrs, name).map(Option::unwrap_or_default);
                if get(b"TargetMode")? == "External" {
                    continue;
                }
                out.push(Relationship {
                    id: get(b"Id")?,
                    kind: get(b"Type")?,
                    target: resolve(base, &get(b"Target")?),
                });
            }
            Event::Eof => return Ok(out),
            _ => {}
        }
    }
}

/// A relationship target as a part name: absolute targets from the root, others from `base`,
/// with `..` and `.` segments resolved.
fn resolve(base: &str, target: &str) -> String {
    let joined = match target.strip_prefix('/') {
        Some(absolute) => absolute.to_string(),
        None => format!("{base}{target}"),
    };
    let mut parts: Vec<&str> = Vec::new();
    for segment in joined.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// The sheets named in `workbook.xml`, in order, with their parts.
fn sheet_parts(workbook: &[u8], rels: &[Relationship]) -> Result<Vec<SheetPart>, String> {
    let mut scanner = Scanner::new(workbook);
    let mut out = Vec::new();
    loop {
        match scanner.next().map_err(|e| format!("workbook: {e}"))? {
            Event::Start { name, attrs } | Event::Empty { name, attrs }
                if local(name) == b"sheet" =>
            {
                let sheet = text_attribute(attrs, b"name")?.unwrap_or_default();
                let mut id = None;
                for attr in attributes(attrs) {
                    let (key, value) = attr?;
                    // `r:id`, whatever the relationships namespace's prefix.
                    if local(key) == b"id" && key.contains(&b':') {
                        id = Some(String::from_utf8_lossy(value).into_owned());
                    }
                }
                let relationship = id.and_then(|id| rels.iter().find(|r| r.id == id));
                let part = match relationship {
                    Some(r) if r.kind.ends_with("/chartsheet") => None,
                    Some(r) => Some(r.target.clone()),
                    None => {
                        return Err(format!(
                            "sheet {sheet:?} names no part of the workbook (damaged file?)"
                        ))
                    }
                };
                out.push(SheetPart { name: sheet, part });
            }
            Event::Eof => return Ok(out),
            _ => {}
        }
    }
}

/// The shared strings (`sharedStrings.xml`), in order.
fn shared_strings(xml: &[u8]) -> Result<Vec<String>, String> {
    let mut scanner = Scanner::new(xml);
    let mut out = Vec::new();
    loop {
        match scanner.next()? {
            Event::Start { name, .. } if local(name) == b"si" => {
                let mut text = String::new();
                rich_text(&mut scanner, b"si", &mut text)?;
                out.push(text);
            }
            Event::Empty { name, .. } if local(name) == b"si" => out.push(String::new()),
            Event::Eof => return Ok(out),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_references_and_numbers() {
        assert_eq!(cell_reference(b"A1"), Some((0, 0)));
        assert_eq!(cell_reference(b"XFD1048576"), Some((1_048_575, 16_383)));
        assert_eq!(cell_reference(b"AA10"), Some((9, 26)));
        assert_eq!(cell_reference(b"A0"), None);
        assert_eq!(cell_reference(b"12"), None);
        assert_eq!(cell_reference(b"A"), None);
        assert_eq!(cell_reference(b"A+1"), None);
        // Found by fuzzing (tests/fuzz/regressions/xlsx/seven-letter-column-fuzzed.xml):
        // seven letters overflowed the column's u32.
        assert_eq!(cell_reference(b"ZZZZZZZ1"), Some((0, u32::MAX - 1)));
        assert_eq!(cell_reference(b"AAAAAAA1"), Some((0, 321_272_406)));
        // Row numbers as `str::parse` reads them.
        for r in [
            "1",
            "+7",
            " 12 ",
            "0009",
            "4294967295",
            "4294967296",
            "",
            "1a",
            "-1",
            "0",
        ] {
            let parsed = r.trim().parse::<u32>().ok().and_then(|n| n.checked_sub(1));
            assert_eq!(row_number(r.as_bytes()), parsed, "{r:?}");
        }
        let text = |raw: &str| {
            let mut t = String::new();
            number_text(raw, &mut t).then_some(t)
        };
        assert_eq!(text("151").as_deref(), Some("151"));
        assert_eq!(text("-3").as_deref(), Some("-3"));
        assert_eq!(text("0").as_deref(), Some("0"));
        assert_eq!(text("-0").as_deref(), Some("0"));
        assert_eq!(text("007").as_deref(), Some("7"));
        assert_eq!(text("12.0").as_deref(), Some("12"));
        assert_eq!(text("4.1").as_deref(), Some("4.1"));
        assert_eq!(text("1E3").as_deref(), Some("1000"));
        assert_eq!(text("x").as_deref(), None);
        assert_eq!(unescape_excel("a_x000D_b"), "a\rb");
        assert_eq!(unescape_excel("a_x00zz_b"), "a_x00zz_b");
        assert_eq!(
            resolve("xl/", "worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(
            resolve("xl/", "/xl/worksheets/s.xml"),
            "xl/worksheets/s.xml"
        );
        assert_eq!(resolve("xl/", "../x.xml"), "x.xml");
    }
}
