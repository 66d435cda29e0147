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
