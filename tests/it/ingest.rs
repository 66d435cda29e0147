//! Ingest of real Home Office tables: the full 2018/19 table, the derived oracle, and the
//! XLSX and ODS fixtures against their CSV twin.

use std::collections::BTreeMap;
use std::path::PathBuf;

use indicatif::ProgressBar;
use outcome_lens::ingest::{read_inputs, Ingested, Table};
use outcome_lens::normalise::forces::ForceTable;
use outcome_lens::record::col;
use polars::prelude::*;

use crate::support::{realdata, root};

const FULL_TABLE: &str = "home-office-outcomes/prc-outcomes-open-data-mar2019-tables.FULL.csv.gz";

fn ingest(paths: &[PathBuf]) -> Ingested {
    let forces = ForceTable::bundled().expect("forces");
    read_inputs(paths, &forces, &ProgressBar::hidden()).expect("ingest succeeds")
}

fn outcomes(ingested: Ingested) -> DataFrame {
    match ingested.table {
        Table::Outcomes(df) => df,
        Table::Tidy(_) => panic!("expected the canonical outcome table"),
    }
}

/// Sum of `count` on the assigned basis for a force and a range of outcome types.
fn assigned_sum(df: &DataFrame, force: &str, types: std::ops::RangeInclusive<i32>) -> i64 {
    let summed = df
        .clone()
        .lazy()
        .filter(
            col(col::FORCE)
                .eq(lit(force))
                .and(col(col::BASIS).eq(lit("assigned_in_period")))
                .and(col(col::OUTCOME_TYPE).gt_eq(lit(*types.start())))
                .and(col(col::OUTCOME_TYPE).lt_eq(lit(*types.end()))),
        )
        .select([col(col::COUNT).sum()])
        .collect()
        .expect("sum");
    summed
        .column(col::COUNT)
        .expect("count")
        .i64()
        .expect("i64")
        .get(0)
        .expect("value")
}

/// The whole real 2018/19 table: every row loaded, 44 forces, the tokens and negatives that
/// DATA.md §2.5 lists, and Cleveland's outcome-16 count from DATA.md §8.
#[test]
fn full_2018_19_table() {
    let ingested = ingest(&[realdata(FULL_TABLE)]);
    let account = &ingested.accounts[0];
    assert_eq!(account.rows_read, 621_280);
    assert_eq!(account.rows_loaded, 621_280);
    assert_eq!(account.rows_quarantined, 0);
    assert_eq!(account.negative_counts, 428);
    let tokens: BTreeMap<(&str, &str), u64> = account
        .missing_tokens
        .iter()
        .map(|((c, t), n)| ((*c, *t), *n))
        .collect();
    assert_eq!(
        tokens,
        BTreeMap::from([
            (("assigned_in_period", "NA"), 23_010),
            (
                ("recorded_in_period", "N/A - offence code expired"),
                140_800
            ),
        ])
    );
    assert_eq!(ingested.n_forces, 44);
    let df = outcomes(ingested);
    assert_eq!(df.height(), 2 * 621_280);
    assert_dictionary_text(&df);
    let df = outcome_lens::record::as_text(&df).unwrap();
    assert_eq!(df.schema().as_ref(), &outcome_lens::record::schema());
    assert_eq!(assigned_sum(&df, "Cleveland", 16..=16), 17_649);
    assert_eq!(assigned_sum(&df, "Cleveland", 1..=21), 64_680);
    // DATA.md §8, all offences, 44 forces: 969,214 / 5,114,207.
    let national = df
        .clone()
        .lazy()
        .filter(col(col::BASIS).eq(lit("assigned_in_period")))
        .group_by([col(col::OUTCOME_TYPE).eq(lit(16)).alias("is16")])
        .agg([col(col::COUNT).sum()])
        .sort(["is16"], Default::default())
        .collect()
        .expect("national");
    let sums: Vec<Option<i64>> = national
        .column(col::COUNT)
        .unwrap()
        .i64()
        .unwrap()
        .iter()
        .collect();
    // Outcome 0 is NA on this basis, so "not 16" is types 1-21 less type 16.
    assert_eq!(sums, [Some(5_114_207 - 969_214), Some(969_214)]);
}

/// Every (force, offence group, outcome type) sum of both bases equals the derived oracle in
/// ../shared/realdata (sums made independently of this code; non-numeric cells skipped).
#[test]
fn sums_match_the_derived_oracle() {
    let df = outcomes(ingest(&[realdata(FULL_TABLE)]));
    let df = outcome_lens::record::as_text(&df).unwrap();
    let ours = df
        .lazy()
        .group_by([
            col(col::FORCE),
            col(col::OFFENCE_GROUP),
            col(col::OUTCOME_TYPE),
            col(col::BASIS),
        ])
        .agg([col(col::COUNT).sum()])
        .collect()
        .expect("group");
    let mut ours_map: BTreeMap<(String, String, i32, String), i64> = BTreeMap::new();
    let forces = ours.column(col::FORCE).unwrap().str().unwrap();
    let groups = ours.column(col::OFFENCE_GROUP).unwrap().str().unwrap();
    let types = ours.column(col::OUTCOME_TYPE).unwrap().i32().unwrap();
    let bases = ours.column(col::BASIS).unwrap().str().unwrap();
    let counts = ours.column(col::COUNT).unwrap().i64().unwrap();
    for i in 0..ours.height() {
        ours_map.insert(
            (
                forces.get(i).unwrap().to_string(),
                groups.get(i).unwrap().to_string(),
                types.get(i).unwrap(),
                bases.get(i).unwrap().to_string(),
            ),
            counts.get(i).unwrap_or(0),
        );
    }
    let oracle = realdata(
        "home-office-outcomes/DERIVED-ye-mar2019-force-offencegroup-outcometype-totals.csv",
    );
    let mut reader = csv::Reader::from_path(oracle).expect("oracle");
    let mut compared = 0;
    for record in reader.records() {
        let record = record.expect("oracle row");
        let key = |basis: &str| {
            (
                record[0].to_string(),
                record[1].to_string(),
                record[2].parse::<i32>().expect("type"),
                basis.to_string(),
            )
        };
        let recorded: i64 = record[3].parse().expect("recorded");
        let assigned: i64 = record[4].parse().expect("assigned");
        assert_eq!(
            ours_map.get(&key("recorded_in_period")),
            Some(&recorded),
            "{:?}",
            &record
        );
        assert_eq!(
            ours_map.get(&key("assigned_in_period")),
            Some(&assigned),
            "{:?}",
            &record
        );
        compared += 1;
    }
    assert_eq!(
        compared * 2,
        ours_map.len(),
        "the oracle covers every group we produced"
    );
}

/// XLSX and ODS files holding the same rows give the identical canonical table to the CSV.
/// The workbook has a cover sheet, a notes sheet and two title rows above the header
/// (tests/fixtures/make_fixtures.py).
#[test]
fn xlsx_and_ods_equal_csv() {
    let fixture = |ext: &str| root().join(format!("tests/fixtures/ho-2018-19-extract.{ext}"));
    let csv = ingest(&[fixture("csv")]);
    let xlsx = ingest(&[fixture("xlsx")]);
    let ods = ingest(&[fixture("ods")]);
    assert_eq!(csv.accounts[0].rows_loaded, 253);
    assert_eq!(
        xlsx.accounts[0].sheet.as_deref(),
        Some("Outcomes_open_data")
    );
    assert_eq!(xlsx.accounts[0].header_line, 3);
    assert_eq!(xlsx.accounts[0].title_rows, 2);
    for other in [&xlsx, &ods] {
        assert_eq!(other.accounts[0].rows_loaded, 253);
        assert_eq!(
            other.accounts[0].missing_tokens,
            csv.accounts[0].missing_tokens
        );
        assert_eq!(
            other.accounts[0].negative_counts,
            csv.accounts[0].negative_counts
        );
    }
    let csv = outcomes(csv);
    assert!(csv.equals_missing(&outcomes(xlsx)), "XLSX differs from CSV");
    assert!(csv.equals_missing(&outcomes(ods)), "ODS differs from CSV");
    // The quoted force name and the en dash survive every reader.
    let csv = outcome_lens::record::as_text(&csv).unwrap();
    let forces = csv.column(col::FORCE).unwrap().str().unwrap();
    assert!(forces.iter().any(|f| f == Some("London, City of")));
}

/// The canonical Parquet that `ingest` writes is byte for byte the same from the CSV, XLSX
/// and ODS copies of the same rows (the workbooks with a cover sheet, a notes sheet and title
/// rows, tests/fixtures/make_fixtures.py). Checked once on the full 2018/19 table too, with
/// tests/bench/make_workbooks.py's copies (README, Performance).
#[test]
fn the_canonical_parquet_is_byte_for_byte_the_same_from_every_format() {
    let work = crate::support::Workdir::new();
    let mut written = Vec::new();
    for ext in ["csv", "xlsx", "ods"] {
        let fixture = root().join(format!("tests/fixtures/ho-2018-19-extract.{ext}"));
        let out = format!("{ext}.parquet");
        let (code, _, stderr) =
            work.run(&["ingest", "-q", fixture.to_str().unwrap(), "--out", &out]);
        assert_eq!(code, 0, "{ext}: {stderr}");
        written.push(std::fs::read(work.path().join(&out)).unwrap());
    }
    assert!(written[0].len() > 1000);
    assert!(
        written[1] == written[0],
        "the XLSX gives other bytes than the CSV"
    );
    assert!(
        written[2] == written[0],
        "the ODS gives other bytes than the CSV"
    );
}

/// A workbook whose table is split over two sheets, Q1–Q2 on one and Q3–Q4 on the other,
/// each with the Home Office header (and a cover sheet first), loads every row of both, as
/// the CSV does, with each sheet's accounting; a row's place names its sheet. Before the fix
/// only the first data sheet was read, exit 0.
#[test]
fn a_table_split_over_two_sheets_is_read_whole() {
    let csv_path = root().join("tests/fixtures/ho-2018-19-extract.csv");
    let text = std::fs::read_to_string(&csv_path).unwrap();
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    let mut book = rust_xlsxwriter::Workbook::new();
    book.add_worksheet()
        .set_name("Cover")
        .unwrap()
        .write_string(0, 0, "Outcomes open data (test)")
        .unwrap();
    let mut expected = Vec::new();
    for (name, quarters) in [("Q1-Q2", ["1", "2"]), ("Q3-Q4", ["3", "4"])] {
        let sheet = book.add_worksheet().set_name(name).unwrap();
        for (c, h) in header.iter().enumerate() {
            sheet.write_string(0, c as u16, h).unwrap();
        }
        let mine: Vec<&Vec<String>> = rows
            .iter()
            .filter(|r| quarters.contains(&r[1].as_str()))
            .collect();
        for (r, row) in mine.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                sheet.write_string(r as u32 + 1, c as u16, v).unwrap();
            }
        }
        expected.push((name, mine.len() as u64));
    }
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("split.xlsx");
    book.save(&xlsx).unwrap();
    let csv = ingest(&[csv_path]);
    let split = ingest(&[xlsx]);
    let account = &split.accounts[0];
    assert_eq!(account.rows_read, 253);
    assert_eq!(account.rows_loaded, 253);
    assert_eq!(account.sheets.len(), 2, "{:?}", account.sheets);
    for (sheet, (name, n)) in account.sheets.iter().zip(&expected) {
        assert_eq!(sheet.name, *name);
        assert_eq!(
            (sheet.rows_read, sheet.rows_loaded, sheet.header_line),
            (*n, *n, 1)
        );
    }
    assert_eq!(expected.iter().map(|(_, n)| n).sum::<u64>(), 253);
    // The same records; the workbook holds them in another order (by quarter).
    let sorted = |df: DataFrame| {
        outcome_lens::record::as_text(&df)
            .unwrap()
            .sort(
                [
                    col::FINANCIAL_YEAR,
                    col::QUARTER,
                    col::FORCE,
                    col::OFFENCE_CODE,
                    col::OUTCOME_TYPE,
                    col::BASIS,
                ],
                SortMultipleOptions::default(),
            )
            .unwrap()
    };
    let (csv, split) = (sorted(outcomes(csv)), sorted(outcomes(split)));
    assert!(
        csv.equals_missing(&split),
        "the two-sheet workbook differs from the CSV"
    );
}

/// Family B headers in another column order, `Q1` quarters, LF endings and no BOM load to the
/// same records as Family A.
#[test]
fn header_families_give_the_same_table() {
    let family_a = "Financial Year,Financial Quarter,Force Name,Offence Description,Offence Group,Offence Subgroup,Offence Code,Offence code expired,Outcome Description,Outcome Group,Outcome Type,Force outcomes for offences recorded in quarter,Force outcomes recorded in quarter\r\n\
2018/19,1,Cleveland,Assault with injury,Violence against the person,Violence with injury,8N,,Charged/Summonsed,Charged/Summonsed,1,151,124\r\n";
    let family_b = "Financial Year,Financial Quarter,Force Name,Offence Code,Offence Description,Offence Group,Offence Subgroup,Offence code expired,Outcome Type,Outcome Description,Outcome Group,Outcomes for offences that were recorded in the quarter,Outcomes for investigations closed in the quarter\n\
2018/19,Q1,Cleveland Police,8N,Assault with injury,Violence Against The Person,Violence with injury,,1,Charged/Summonsed,Charged/Summonsed,151,124\n";
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv");
    let b = dir.path().join("b.csv");
    std::fs::write(&a, family_a).unwrap();
    std::fs::write(&b, family_b).unwrap();
    let a = outcomes(ingest(&[a]));
    let b = outcomes(ingest(&[b]));
    assert!(a.equals_missing(&b), "{a}\n{b}");
}

/// The canonical table survives a Parquet round trip unchanged.
#[test]
fn parquet_round_trip() {
    let mut df = outcomes(ingest(&[
        root().join("tests/fixtures/ho-2018-19-extract.csv")
    ]));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.parquet");
    outcome_lens::output::write_parquet(&path, &mut df).unwrap();
    let back = outcome_lens::output::read_parquet(&path).unwrap();
    assert!(df.equals_missing(&back));
    assert_eq!(back.schema(), df.schema());
    assert_dictionary_text(&back);
}

/// The canonical table's text columns are dictionaries (`Enum`) as the ingest builds them,
/// and the table conforms to the canonical schema.
fn assert_dictionary_text(df: &DataFrame) {
    assert!(
        outcome_lens::record::conforms(df.schema()),
        "{:?}",
        df.schema()
    );
    for name in outcome_lens::record::TEXT_COLUMNS {
        assert!(
            matches!(df.column(name).unwrap().dtype(), DataType::Enum(..)),
            "{name}: {:?}",
            df.column(name).unwrap().dtype()
        );
    }
}

/// Rows that repeat the previous row's period, force and offence fields take those values
/// from it without reading them again; a blank or refused row in between breaks the run, so a
/// row after a blank line with empty block fields is still refused for its empty year.
#[test]
fn rows_repeating_their_block_fields_read_as_written() {
    let header = "Financial Year,Financial Quarter,Force Name,Offence Description,Offence Group,Offence Subgroup,Offence Code,Offence code expired,Outcome Description,Outcome Group,Outcome Type,Force outcomes for offences recorded in quarter,Force outcomes recorded in quarter";
    let block = "2018/19,1,Cleveland,Assault with injury,Violence against the person,Violence with injury,8N,";
    let text = [
        header.to_string(),
        format!("{block},Charged,Charged,1,5,6"),
        format!("{block},Charged,Charged,x,5,6"),
        format!("{block},Charged,Charged,2,7,8"),
        ",,,,,,,,,,,,".to_string(),
        ",,,,,,,,Charged,Charged,3,1,1".to_string(),
        format!("{block},Charged,Charged,4,1,1"),
        format!("{block},Charged,Charged,5,2,2"),
        block.replacen(",1,", ",2,", 1) + ",Charged,Charged,6,3,3",
    ]
    .join("\r\n");
    let forces = ForceTable::bundled().expect("forces");
    let read = outcome_lens::ingest::read_input_bytes(
        std::path::Path::new("runs.csv"),
        text.into_bytes(),
        &forces,
        &ProgressBar::hidden(),
    )
    .expect("reads");
    let account = &read.accounts[0];
    assert_eq!(
        (
            account.rows_read,
            account.rows_loaded,
            account.rows_quarantined
        ),
        (7, 5, 2)
    );
    let refused: Vec<(u64, &str)> = read
        .quarantine
        .iter()
        .map(|q| (q.line, q.reason.as_str()))
        .collect();
    assert_eq!(
        refused,
        [
            (3, "outcome type \"x\" is not a whole number from 0 to 22"),
            (6, "financial year \"\" is not of the form 2018/19"),
        ]
    );
    let df = outcomes(read)
        .lazy()
        .filter(col(col::BASIS).eq(lit("recorded_in_period")))
        .collect()
        .expect("filter");
    let column = |name: &str| -> Vec<String> {
        let text = df
            .column(name)
            .expect(name)
            .cast(&DataType::String)
            .expect("text");
        text.str()
            .expect("str")
            .iter()
            .map(|v| v.unwrap_or("null").to_string())
            .collect()
    };
    assert_eq!(column(col::OUTCOME_TYPE), ["1", "2", "4", "5", "6"]);
    assert_eq!(column(col::QUARTER), ["1", "1", "1", "1", "2"]);
    assert_eq!(column(col::FORCE), vec!["Cleveland"; 5]);
    assert_eq!(column(col::OFFENCE_CODE), vec!["8N"; 5]);
    assert_eq!(column(col::COUNT), ["5", "7", "1", "2", "3"]);
}
