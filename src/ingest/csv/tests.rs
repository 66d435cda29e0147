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
