use std::io::{BufReader, Read};

use super::*;

/// The largest table of an ODS `content.xml` body, read in chunks of `chunk` bytes so that
/// tags are cut across reads.
fn extent(body: &str, chunk: usize) -> Option<OdsExtent> {
    let content = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content><office:body><office:spreadsheet>{body}</office:spreadsheet></office:body></office:document-content>"
    );
    largest_ods_table(BufReader::with_capacity(chunk, content.as_bytes())).expect("scan")
}

fn check(body: &str, expected: (&str, u64, u64)) {
    for chunk in [1, 7, 64, 1 << 16] {
        let found = extent(body, chunk).expect("a table");
        assert_eq!(
            (found.name.as_str(), found.rows, found.columns),
            expected,
            "chunk {chunk}: {body}"
        );
    }
}

const CELL: &str =
    "<table:table-cell office:value-type=\"string\"><text:p>x</text:p></table:table-cell>";

#[test]
fn ods_extent_counts_rows_and_cells() {
    check(
        &format!("<table:table table:name=\"Data\"><table:table-row>{CELL}{CELL}{CELL}</table:table-row><table:table-row>{CELL}</table:table-row></table:table>"),
        ("Data", 2, 3),
    );
}

#[test]
fn ods_extent_expands_repeats() {
    check(
        "<table:table table:name=\"Data\"><table:table-row table:number-rows-repeated=\"1048576\"><table:table-cell table:number-columns-repeated=\"16384\" office:value-type=\"string\"><text:p>x</text:p></table:table-cell></table:table-row></table:table>",
        ("Data", 1_048_576, 16_384),
    );
    // Empty cells between non-empty ones, and empty rows above a non-empty one, count.
    check(
        &format!("<table:table table:name=\"Sparse\"><table:table-row>{CELL}</table:table-row><table:table-row table:number-rows-repeated=\"1000\"><table:table-cell/></table:table-row><table:table-row><table:table-cell table:number-columns-repeated=\"999\"/>{CELL}</table:table-row></table:table>"),
        ("Sparse", 1002, 1000),
    );
}

#[test]
fn ods_extent_ignores_trailing_empty_rows_and_cells() {
    // As LibreOffice writes a sheet: trailing empty cells to column 1024 and empty rows to
    // row 1048576.
    check(
        &format!("<table:table table:name=\"Data\"><table:table-column table:number-columns-repeated=\"1024\"/><table:table-row>{CELL}{CELL}<table:table-cell table:number-columns-repeated=\"1022\"/></table:table-row><table:table-row table:number-rows-repeated=\"1048575\"><table:table-cell table:number-columns-repeated=\"1024\"/></table:table-row></table:table>"),
        ("Data", 1, 2),
    );
}

#[test]
fn ods_extent_is_the_largest_table() {
    check(
        &format!("<table:table table:name=\"Cover\"><table:table-row>{CELL}</table:table-row></table:table><table:table table:name=\"Data\"><table:table-row>{CELL}{CELL}</table:table-row></table:table><table:table table:name=\"Notes\"><table:table-row>{CELL}</table:table-row></table:table>"),
        ("Data", 1, 2),
    );
}

/// The scan agrees with calamine on the reader fixture (written by LibreOffice).
#[test]
fn ods_extent_of_the_fixture_matches_calamine() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/ho-2018-19-extract.ods"
    );
    let bytes = std::fs::read(path).expect("fixture");
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes.as_slice())).expect("zip");
    let mut content = String::new();
    archive
        .by_name("content.xml")
        .expect("content.xml")
        .read_to_string(&mut content)
        .expect("read");
    let found = largest_ods_table(BufReader::new(content.as_bytes()))
        .expect("scan")
        .expect("a table");
    let mut sheets = Vec::new();
    let n = read_data_sheets(Path::new("fixture.ods"), bytes, |sheet| {
        sheets.push(sheet);
        Ok(())
    })
    .expect("data sheet");
    assert_eq!((n, sheets.len()), (1, 1));
    let (rows, columns) = sheets[0].range.get_size();
    assert_eq!(found.name, sheets[0].name);
    assert_eq!((found.rows, found.columns), (rows as u64, columns as u64));
}

#[test]
fn attributes_and_repeats() {
    let tag = b"table:table-row table:style-name=\"ro1\" table:number-rows-repeated=\"12\"";
    assert_eq!(
        attribute(tag, b"table:number-rows-repeated"),
        Some(&b"12"[..])
    );
    assert_eq!(repeat(tag, b"table:number-rows-repeated"), 12);
    assert_eq!(repeat(tag, b"table:number-columns-repeated"), 1);
    let huge = b"table:table-cell table:number-columns-repeated=\"99999999999999999999999\"";
    assert_eq!(repeat(huge, b"table:number-columns-repeated"), u64::MAX);
    // A name that only ends like the attribute is not it.
    let other = b"table:table-cell xtable:number-columns-repeated=\"5\"";
    assert_eq!(repeat(other, b"table:number-columns-repeated"), 1);
}
