//! The streaming readers against calamine's grid: for every workbook calamine reads, the data
//! sheets' rows (numbers and cell text) are the same.

use super::*;
use crate::fuzzing::{ods_from_content, xlsx_from_parts};
use crate::normalise::headers::match_header;

/// The data sheets' rows as the streaming readers hand them on: sheet name, then each row's
/// number and cells without trailing empty cells.
#[derive(Default)]
struct Collected {
    sheets: Sheets,
    ended: usize,
}

impl SheetRows for Collected {
    fn begin(&mut self, sheet: &str, _size: u64) -> Result<(), IngestError> {
        self.sheets.push((sheet.to_string(), Vec::new()));
        Ok(())
    }

    fn row(&mut self, number: u64, cells: &[String], _: usize) -> Result<(), IngestError> {
        let mut cells = cells.to_vec();
        while cells.last().is_some_and(String::is_empty) {
            cells.pop();
        }
        self.sheets.last_mut().unwrap().1.push((number, cells));
        Ok(())
    }

    fn end(&mut self) -> Result<(), IngestError> {
        self.ended += 1;
        Ok(())
    }
}

type Sheets = Vec<(String, Vec<(u64, Vec<String>)>)>;

fn streamed(bytes: &[u8]) -> Result<Sheets, IngestError> {
    let mut collected = Collected::default();
    read_data_sheets(Path::new("book"), bytes, &mut collected)?;
    assert_eq!(collected.ended, collected.sheets.len());
    Ok(collected.sheets)
}

/// The data sheets as calamine's grid holds them (`None` when calamine cannot read the
/// workbook).
fn by_calamine(bytes: &[u8]) -> Option<Sheets> {
    let mut workbook = open_workbook_auto_from_rs(Cursor::new(bytes)).ok()?;
    let mut out = Vec::new();
    for name in workbook.sheet_names() {
        let range = workbook.worksheet_range(&name).ok()?;
        let Some((first, _)) = range.start() else {
            continue;
        };
        let rows: Vec<Vec<String>> = range
            .rows()
            .map(|row| {
                let mut cells: Vec<String> = row.iter().map(cell_text).collect();
                while cells.last().is_some_and(String::is_empty) {
                    cells.pop();
                }
                cells
            })
            .collect();
        if !rows
            .iter()
            .take(HEADER_SEARCH_ROWS)
            .any(|r| match_header(r).is_some())
        {
            continue;
        }
        let numbered = rows
            .into_iter()
            .enumerate()
            .map(|(i, cells)| (u64::from(first) + 1 + i as u64, cells))
            .collect();
        out.push((name, numbered));
    }
    Some(out)
}

fn assert_same(bytes: &[u8], what: &str) {
    let expected = by_calamine(bytes).unwrap_or_else(|| panic!("{what}: calamine cannot read it"));
    let got = streamed(bytes).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(got.len(), expected.len(), "{what}: data sheets");
    for ((name, rows), (expected_name, expected_rows)) in got.iter().zip(&expected) {
        assert_eq!(name, expected_name, "{what}");
        assert_eq!(rows.len(), expected_rows.len(), "{what}: rows of {name}");
        for (row, expected_row) in rows.iter().zip(expected_rows) {
            assert_eq!(row, expected_row, "{what}: sheet {name}");
        }
    }
}

fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_fixtures_read_as_calamine_reads_them() {
    for ext in ["xlsx", "ods"] {
        let bytes =
            std::fs::read(root().join(format!("tests/fixtures/ho-2018-19-extract.{ext}"))).unwrap();
        assert_same(&bytes, ext);
        let sheets = streamed(&bytes).unwrap();
        assert_eq!(sheets.len(), 1);
        // Two title rows, a blank row between them and the header? The fixture's layout.
        assert_eq!(sheets[0].0, "Outcomes_open_data");
        assert_eq!(
            sheets[0].1.len(),
            256,
            "{ext}: 2 title rows, the header, 253 rows"
        );
    }
}

/// The fuzz seeds and regressions (tests/fuzz), wherever calamine reads them: the streaming
/// readers give the same rows.
#[test]
fn the_fuzz_corpus_reads_as_calamine_reads_it() {
    let mut compared = 0;
    for (folder, wrap) in [
        ("xlsx", xlsx_from_parts as fn(&[u8]) -> Vec<u8>),
        ("ods", ods_from_content as fn(&[u8]) -> Vec<u8>),
    ] {
        for kind in ["seeds", "regressions"] {
            let dir = root().join(format!("tests/fuzz/{kind}/{folder}"));
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries {
                let path = entry.unwrap().path();
                let data = std::fs::read(&path).unwrap();
                let bytes = if data.starts_with(b"PK") {
                    data
                } else {
                    wrap(&data)
                };
                // Calamine is asked only about workbooks the streaming readers accept: on some
                // that they refuse it loops for ever (an ODS ending inside a table) or
                // expands a hundred million cells. Rows out of order (ECMA-376 part 1
                // §18.3.1.73 asks for them in order), which calamine sorts, are refused in
                // words by a reader that makes rows as it goes.
                if streamed(&bytes).is_err() {
                    continue;
                }
                let Some(expected) = by_calamine(&bytes) else {
                    continue;
                };
                if expected.is_empty() {
                    continue;
                }
                assert_same(&bytes, &path.display().to_string());
                compared += 1;
            }
        }
    }
    assert!(compared >= 4, "only {compared} workbooks compared");
}

const HEADER: &str = "Financial Year,Financial Quarter,Force Name,Offence Description,Offence Group,Offence Subgroup,Offence Code,Offence code expired,Outcome Description,Outcome Group,Outcome Type,Force outcomes for offences recorded in quarter,Force outcomes recorded in quarter";

fn inline_row(row: u32, first_column: u32, cells: &[&str]) -> String {
    let mut out = format!(r#"<row r="{}">"#, row + 1);
    for (i, text) in cells.iter().enumerate() {
        let column = rows::column_name(first_column + i as u32);
        out.push_str(&format!(
            r#"<c r="{column}{}" t="inlineStr"><is><t>{text}</t></is></c>"#,
            row + 1
        ));
    }
    out.push_str("</row>");
    out
}

fn sheet(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{body}</sheetData></worksheet>"#
    )
}

/// Cell types, shared and rich strings, gaps between rows, a table starting in column B and
/// rows without positions read as calamine reads them.
#[test]
fn cell_types_gaps_and_offsets_read_as_calamine_reads_them() {
    let shared = r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>2018/19</t></si><si><r><t>Cleve</t></r><r><rPr/><t xml:space="preserve">land </t></r><rPh><t>x</t></rPh></si><si><t>  trimmed  </t></si><si><t>A &amp; B_x000D_</t></si></sst>"#;
    let header: Vec<&str> = HEADER.split(',').collect();
    let mut body = inline_row(0, 1, &["Title"]);
    body.push_str(&inline_row(2, 1, &header));
    body.push_str(
        r#"<row r="4"><c r="B4" t="s"><v>0</v></c><c r="C4"><v>1</v></c><c r="D4" t="s"><v>1</v></c><c r="E4" t="s"><v>2</v></c><c r="F4" t="s"><v>3</v></c><c r="G4" t="b"><v>1</v></c><c r="H4"><v>4.10</v></c><c r="I4" t="e"><v>#N/A</v></c><c r="J4" t="str"><f>A1</f><v>x &lt; y</v></c><c r="L4"><v>1E3</v></c><c r="M4"><v>-0.5</v></c><c r="N4"><v>12</v></c></row>"#,
    );
    // A gap of two rows, then cells without positions.
    body.push_str(r#"<row r="7"><c r="B7" t="s"><v>0</v></c><c><v>2</v></c><c/><c t="inlineStr"><is><t>x</t></is></c></row>"#);
    // A trailing row with only an empty cell is not part of the grid.
    body.push_str(r#"<row r="9"><c r="B9" s="1"/></row>"#);
    let cover = sheet(&inline_row(0, 0, &["Cover"]));
    let data = sheet(&body);
    let parts = [shared.as_bytes(), cover.as_bytes(), data.as_bytes()].join(&0u8);
    let bytes = xlsx_from_parts(&parts);
    assert_same(&bytes, "types");
    let sheets = streamed(&bytes).unwrap();
    let rows = &sheets[0].1;
    assert_eq!(rows[0], (1, vec!["Title".to_string()]));
    assert_eq!(rows[1], (2, vec![]));
    assert_eq!(
        rows[3].1[..4],
        ["2018/19", "1", "Cleveland ", "trimmed"].map(String::from)
    );
    assert_eq!(rows[3].1[4], "A & B\r");
    assert_eq!(rows[3].1[5], "TRUE");
    assert_eq!(rows[3].1[6], "4.1");
    assert_eq!(rows[3].1[8], "x < y");
    assert_eq!(rows.len(), 7, "{rows:?}");
}

/// Rows out of order, a value left of the table's first column, an unknown shared string
/// and a bad number are refused with the sheet and cell named.
#[test]
fn damaged_sheets_are_refused_in_words() {
    let header: Vec<&str> = HEADER.split(',').collect();
    let shared = r#"<sst><si><t>a</t></si></sst>"#;
    let cases = [
        (
            format!("{}{}", inline_row(4, 0, &header), inline_row(2, 0, &["x"])),
            "row 3 comes after row 5",
        ),
        (
            format!("{}{}", inline_row(0, 1, &header), inline_row(1, 0, &["x"])),
            "row 2 has a value in column A, left of the table's first column (B)",
        ),
        (
            format!(
                r#"{}<row r="2"><c r="A2" t="s"><v>7</v></c></row>"#,
                inline_row(0, 0, &header)
            ),
            "cell A2: shared string \"7\" is not in the workbook's 1 shared strings",
        ),
        (
            format!(
                r#"{}<row r="2"><c r="C2" t="n"><v>seven</v></c></row>"#,
                inline_row(0, 0, &header)
            ),
            "cell C2: \"seven\" is not a number",
        ),
        (
            format!(
                r#"{}<row r="2"><c r="A2" t="q"><v>1</v></c></row>"#,
                inline_row(0, 0, &header)
            ),
            "cell type \"q\"",
        ),
    ];
    for (body, expected) in cases {
        let parts = [shared.as_bytes(), sheet(&body).as_bytes()].join(&0u8);
        let error = streamed(&xlsx_from_parts(&parts)).unwrap_err().to_string();
        assert!(error.contains("book: "), "{error}");
        assert!(error.contains(expected), "expected {expected:?} in {error}");
    }
    // A sheet cut off inside its data.
    let body = sheet(&inline_row(0, 0, &header));
    let cut = &body[..body.len() - 30];
    let parts = [shared.as_bytes(), cut.as_bytes()].join(&0u8);
    let error = streamed(&xlsx_from_parts(&parts)).unwrap_err().to_string();
    assert!(error.contains("ends inside"), "{error}");
}

fn ods_content(tables: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"#
    )
}

fn ods_row(cells: &[&str]) -> String {
    let mut out = String::from("<table:table-row>");
    for text in cells {
        out.push_str(&format!(
            r#"<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>"#
        ));
    }
    out.push_str("</table:table-row>");
    out
}

/// Repeated rows and cells, paragraphs and spaces, values in attributes, a cover table and
/// the empty rows an office suite writes to the end of a sheet read as calamine reads them.
#[test]
fn ods_repeats_and_text_read_as_calamine_reads_them() {
    let header: Vec<&str> = HEADER.split(',').collect();
    let mut data = String::from(r#"<table:table table:name="Data"><table:table-column/>"#);
    data.push_str(
        r#"<table:table-row table:number-rows-repeated="2"><table:table-cell/></table:table-row>"#,
    );
    data.push_str(&ods_row(&["Title"]));
    data.push_str(&ods_row(&header));
    data.push_str(r#"<table:table-row><table:table-cell table:number-columns-repeated="2"/><table:table-cell office:value-type="float" office:value="4.10"><text:p>4.1</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>a<text:s text:c="3"/>b</text:p><text:p>c<text:tab/>d</text:p><office:annotation><text:p>note</text:p></office:annotation></table:table-cell><table:table-cell office:value-type="boolean" office:boolean-value="true"/><table:table-cell office:value-type="date" office:date-value="2019-03-31"/><table:table-cell table:number-columns-repeated="3" office:value-type="float" office:value="7"/><table:table-cell office:value-type="string" office:string-value="A &amp; B"/><table:covered-table-cell/></table:table-row>"#);
    data.push_str(r#"<table:table-row table:number-rows-repeated="3"><table:table-cell table:number-columns-repeated="2" office:value-type="float" office:value="1"/></table:table-row>"#);
    data.push_str(r#"<table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="1024"/></table:table-row></table:table>"#);
    let cover = format!(
        r#"<table:table table:name="Cover">{}</table:table>"#,
        ods_row(&["Cover"])
    );
    let bytes = ods_from_content(ods_content(&format!("{cover}{data}")).as_bytes());
    assert_same(&bytes, "ods");
    let sheets = streamed(&bytes).unwrap();
    let rows = &sheets[0].1;
    assert_eq!(rows[0].0, 3, "the first row with a value");
    assert_eq!(
        rows[2].1[2..6],
        ["4.1", "a   b\nc\td", "TRUE", "2019-03-31"].map(String::from)
    );
    assert_eq!(rows.len(), 6);
    assert_eq!(rows[5], (8, vec!["1".to_string(), "1".to_string()]));
}

/// An ODS table that ends inside itself, a repeat that is no number and a repeated row too
/// large to expand are refused in words.
#[test]
fn damaged_ods_is_refused_in_words() {
    let header: Vec<&str> = HEADER.split(',').collect();
    let table = format!(r#"<table:table table:name="Data">{}"#, ods_row(&header));
    let error = streamed(&ods_from_content(ods_content(&table).as_bytes()))
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("cannot read sheet \"Data\": content.xml ends inside it"),
        "{error}"
    );
    let table = format!(
        r#"<table:table table:name="Data">{}<table:table-row table:number-rows-repeated="x"/></table:table>"#,
        ods_row(&header)
    );
    let error = streamed(&ods_from_content(ods_content(&table).as_bytes()))
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("repeat count \"x\" is not a whole number"),
        "{error}"
    );
    let table = format!(
        r#"<table:table table:name="Data">{}<table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="40" office:value-type="float" office:value="1"/></table:table-row></table:table>"#,
        ods_row(&header)
    );
    let error = streamed(&ods_from_content(ods_content(&table).as_bytes()))
        .unwrap_err()
        .to_string();
    assert!(
        error.contains(
            "spans 1000001 rows × 40 columns once its repeated rows and cells are expanded"
        ),
        "{error}"
    );
}
