use super::*;

fn records(text: &str) -> Result<Vec<(u64, Vec<String>)>, CsvError> {
    let mut reader = CsvRecords::new(text);
    let mut fields = Vec::new();
    let mut out = Vec::new();
    while let Some(line) = reader.next_record(&mut fields)? {
        out.push((line, fields.iter().map(|f| f.to_string()).collect()));
    }
    Ok(out)
}

fn row(line: u64, fields: &[&str]) -> (u64, Vec<String>) {
    (line, fields.iter().map(|f| f.to_string()).collect())
}

#[test]
fn crlf_lf_and_no_final_newline() {
    assert_eq!(
        records("a,b\r\n1,2\n3,4").unwrap(),
        [
            row(1, &["a", "b"]),
            row(2, &["1", "2"]),
            row(3, &["3", "4"])
        ]
    );
    assert_eq!(records("a,b\r\n").unwrap(), [row(1, &["a", "b"])]);
}

#[test]
fn quoted_fields() {
    assert_eq!(
        records("2018/19,\"London, City of\",\"say \"\"hi\"\"\"\r\nx,\"\",y").unwrap(),
        [
            row(1, &["2018/19", "London, City of", "say \"hi\""]),
            row(2, &["x", "", "y"])
        ]
    );
}

#[test]
fn newlines_inside_quotes_keep_line_numbers() {
    assert_eq!(
        records("\"a\nb\",c\nd,e\n").unwrap(),
        [row(1, &["a\nb", "c"]), row(3, &["d", "e"])]
    );
}

#[test]
fn empty_fields_and_blank_lines() {
    assert_eq!(
        records("a,,b\n\n,\n").unwrap(),
        [row(1, &["a", "", "b"]), row(2, &[""]), row(3, &["", ""])]
    );
}

#[test]
fn structural_errors() {
    assert_eq!(
        records("a,b\n1,\"unterminated\n2,3\n"),
        Err(CsvError::UnclosedQuote { line: 2 })
    );
    assert_eq!(
        records("a,\"b\"c\n"),
        Err(CsvError::TextAfterQuote {
            line: 1,
            found: 'c'
        })
    );
}

/// Records with quotes between plain ones: the single scan for delimiters picks up again
/// after each quoted record, with the right fields and lines, CRLF or LF.
#[test]
fn quoted_records_between_plain_ones() {
    assert_eq!(
        records("a,b\r\n\"London, City of\",2\r\nc,d\r\n\"x\ny\",3\ne,f").unwrap(),
        [
            row(1, &["a", "b"]),
            row(2, &["London, City of", "2"]),
            row(3, &["c", "d"]),
            row(4, &["x\ny", "3"]),
            row(6, &["e", "f"]),
        ]
    );
    // A quote that is not the start of a field is still an error after plain records.
    assert!(records("a,b\nc,d\ne,\"f\"g\n").is_err());
    // A carriage return inside a line stays in its field; only the one before \n goes.
    assert_eq!(records("a\rb,c\r\n").unwrap(), [row(1, &["a\rb", "c"])]);
}

/// Records read with their first `keep` fields shared where they repeat, and whether each
/// was shared.
fn sharing(text: &str, keep: usize) -> Result<Vec<(u64, Vec<String>, bool)>, CsvError> {
    let mut reader = CsvRecords::new(text);
    reader.share_leading(keep);
    let mut fields = Vec::new();
    let mut out = Vec::new();
    while let Some(line) = reader.next_record(&mut fields)? {
        let cells = fields.iter().map(|f| f.to_string()).collect();
        out.push((line, cells, reader.shared()));
    }
    Ok(out)
}

#[test]
fn repeated_leading_fields_are_kept_not_split_again() {
    let text = "x,y,1\r\nx,y,2\r\nx,z,3\r\nx,z,\"4,5\"\r\nx,z,6\nx,z\n\"x\",z,7\nx,z,8\nx,z,9";
    let read = sharing(text, 2).unwrap();
    let shared: Vec<bool> = read.iter().map(|r| r.2).collect();
    // Row 4 shares its first two fields but holds a quote further on: read whole, so row 5
    // follows a quoted row. Row 6 has no third field; row 7 is quoted; row 8 follows it.
    assert_eq!(
        shared,
        [false, true, false, false, false, false, false, false, true]
    );
    let plain: Vec<(u64, Vec<String>)> = read.into_iter().map(|(l, c, _)| (l, c)).collect();
    assert_eq!(plain, records(text).unwrap());
    assert_eq!(plain[3], row(4, &["x", "z", "4,5"]));
    assert_eq!(plain[4], row(5, &["x", "z", "6"]));
}

#[test]
fn fields_not_from_the_previous_record_are_never_kept() {
    let text = "a,b,1\na,b,2\n";
    let mut reader = CsvRecords::new(text);
    reader.share_leading(2);
    let mut fields = Vec::new();
    reader.next_record(&mut fields).unwrap();
    // Another vector (or one the caller changed) cannot stand for the previous record.
    let mut other = vec![Cow::Borrowed("q"), Cow::Borrowed("r"), Cow::Borrowed("s")];
    reader.next_record(&mut other).unwrap();
    assert!(!reader.shared());
    assert_eq!(other, ["a", "b", "2"]);
}

proptest::proptest! {
    /// Sharing leading fields never changes what is read, errors and line numbers included.
    #[test]
    fn sharing_reads_the_same_records(
        text in proptest::string::string_regex("([ab,\"\r]|\n|ab,ab,){0,60}").unwrap(),
        keep in 0usize..4,
    ) {
        let shared = sharing(&text, keep)
            .map(|rows| rows.into_iter().map(|(l, c, _)| (l, c)).collect::<Vec<_>>());
        proptest::prop_assert_eq!(shared, records(&text));
    }
}
