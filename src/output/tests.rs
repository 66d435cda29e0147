use super::*;

#[test]
fn formulas_are_defused_but_numbers_kept() {
    assert_eq!(spreadsheet_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
    assert_eq!(spreadsheet_safe("@SUM(A1)"), "'@SUM(A1)");
    assert_eq!(spreadsheet_safe("+1+1"), "'+1+1");
    assert_eq!(spreadsheet_safe("-276"), "-276");
    assert_eq!(spreadsheet_safe("Cleveland"), "Cleveland");
    assert_eq!(spreadsheet_safe("+1"), "+1");
    assert_eq!(spreadsheet_safe("-0.5e3"), "-0.5e3");
    for value in ["-inf", "+Infinity", "-NaN", "\t=1", "\r=1", "-1+cmd"] {
        assert_eq!(spreadsheet_safe(value), format!("'{value}"), "{value:?}");
    }
}

#[test]
fn csv_fields_are_quoted_when_needed() {
    assert_eq!(csv_field("London, City of"), "\"London, City of\"");
    assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    assert_eq!(csv_field("8N"), "8N");
}

#[test]
fn atomic_write_leaves_no_temporary_on_failure() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.csv");
    let result = write_atomic(&path, |_| anyhow::bail!("boom"));
    assert!(result.is_err());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    write_atomic(&path, |w| Ok(w.write_all(b"ok")?)).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "ok");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

/// `write_parquet` encodes pages on two threads but must write exactly what polars' own
/// writer writes: same bytes for a table of several row groups (polars cuts them at 262,144
/// rows) with dictionary, nullable, boolean, date and integer columns split over two chunks,
/// as the ingest builds them.
#[test]
fn parquet_written_on_two_threads_is_polars_bytes() {
    let n = 300_000;
    let names = ["Cleveland", "Durham", "Kent"];
    let ids: Vec<u32> = (0..n).map(|i| (i / 7 % 3) as u32).collect();
    let force = crate::record::enum_column("force", &names, ids).unwrap();
    let count = Column::new(
        "count".into(),
        (0..n)
            .map(|i| (i % 11 != 0).then_some(i as i64 - 5))
            .collect::<Vec<_>>(),
    );
    let expired = Column::new(
        "expired".into(),
        (0..n).map(|i| i % 13 == 0).collect::<Vec<_>>(),
    );
    let start = Column::new(
        "start".into(),
        (0..n).map(|i| (i / 1000) as i32).collect::<Vec<_>>(),
    )
    .cast(&DataType::Date)
    .unwrap();
    let twice = |c: Column| {
        let mut doubled = c.clone();
        doubled.append(&c).unwrap();
        doubled
    };
    let mut df = DataFrame::new(
        2 * n,
        vec![twice(force), twice(count), twice(expired), twice(start)],
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.parquet");
    // What polars' own single-threaded writer writes for a table.
    let polars_bytes = |table: &mut DataFrame| {
        let mut bytes = Vec::new();
        ParquetWriter::new(&mut bytes)
            .with_compression(ParquetCompression::Lz4Raw)
            .finish(table)
            .unwrap();
        bytes
    };
    write_parquet(&path, &mut df).unwrap();
    let expected = polars_bytes(&mut df);
    let written = std::fs::read(&path).unwrap();
    assert!(
        written == expected,
        "{} bytes, polars wrote {}",
        written.len(),
        expected.len()
    );
    assert!(read_parquet(&path).unwrap().equals_missing(&df));

    // An empty table (every row refused) too.
    let mut empty = df.head(Some(0));
    write_parquet(&path, &mut empty).unwrap();
    assert!(std::fs::read(&path).unwrap() == polars_bytes(&mut empty));
    assert_eq!(read_parquet(&path).unwrap().height(), 0);
}
