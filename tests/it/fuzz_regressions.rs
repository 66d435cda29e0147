//! The fuzz targets' inputs under `cargo test`: every committed seed (`tests/fuzz/seeds/<target>/`)
//! and every input a fuzzer once crashed on (`tests/fuzz/regressions/<target>/`) is run through
//! the same entry point as its fuzz target (`outcome_lens::fuzzing`), which panics if a reader
//! panics, an `Ok` result's row accounting does not add up, or an error is not one line.
//! tests/fuzz/README.md says how the regressions were found and what was fixed.

use std::path::Path;
use std::time::{Duration, Instant};

use indicatif::ProgressBar;
use outcome_lens::fuzzing;
use outcome_lens::ingest::{read_input_bytes, Ingested};
use outcome_lens::normalise::forces::ForceTable;

use crate::support::root;

/// Runs every file in `tests/fuzz/<folder>/<target>/` through its target; returns how many.
fn run_folder(folder: &str) -> usize {
    let base = root().join("tests/fuzz").join(folder);
    let mut n = 0;
    for target in fuzzing::TARGETS {
        let dir = base.join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<_> = entries
            .map(|e| e.expect("read a directory entry").path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        for file in files {
            run_one(target, &file);
            n += 1;
        }
    }
    n
}

fn run_one(target: &str, file: &Path) {
    let data = std::fs::read(file).expect("read the input");
    let started = Instant::now();
    assert!(fuzzing::run(target, &data), "unknown target {target}");
    // The fuzzers stop at 10 s; an unoptimised test build gets some slack, not unbounded time.
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(20),
        "{}: took {took:?}",
        file.display()
    );
}

#[test]
fn fuzz_seeds_run_clean() {
    assert!(run_folder("seeds") >= fuzzing::TARGETS.len());
}

#[test]
fn fuzz_regressions_run_clean() {
    run_folder("regressions");
}

fn ingest_workbook(bytes: Vec<u8>) -> Ingested {
    let forces = ForceTable::bundled().expect("forces");
    read_input_bytes(Path::new("seed"), bytes, &forces, &ProgressBar::hidden())
        .expect("the workbook reads")
}

/// The workbooks the XLSX and ODS targets zip around their seeds' XML read as the fixtures do,
/// so the fuzzers start from tables that load rather than from archives that fail to open.
#[test]
fn fuzz_workbook_seeds_load_rows() {
    let seeds = root().join("tests/fuzz/seeds");
    let xlsx = std::fs::read(seeds.join("xlsx/parts-fixture.xml")).expect("xlsx seed");
    let read = ingest_workbook(fuzzing::xlsx_from_parts(&xlsx));
    assert_eq!(
        read.accounts[0].sheet.as_deref(),
        Some("Outcomes_open_data")
    );
    assert_eq!(read.accounts[0].header_line, 3);
    assert_eq!(read.accounts[0].rows_loaded, 3);
    let shared = std::fs::read(seeds.join("xlsx/parts-shared-strings.xml")).expect("xlsx seed");
    let read = ingest_workbook(fuzzing::xlsx_from_parts(&shared));
    assert_eq!(read.accounts[0].rows_loaded, 3);
    assert_eq!(read.n_forces, 1);
    let ods = std::fs::read(seeds.join("ods/content-fixture.xml")).expect("ods seed");
    let read = ingest_workbook(fuzzing::ods_from_content(&ods));
    assert_eq!(
        read.accounts[0].sheet.as_deref(),
        Some("Outcomes_open_data")
    );
    assert!(read.accounts[0].rows_loaded >= 3);
}

/// A sheet whose `<dimension ref>` ends before it starts (`C5:A1`) reads like any other: calamine
/// subtracts the two ends unchecked (tafia/calamine#692), so its overflow checks are off in
/// every profile (Cargo.toml); the fuzzer's first find.
// See: #8
#[test]
fn issue_8_xlsx_reversed_dimension_reads() {
    let parts = std::fs::read(root().join("tests/fuzz/regressions/xlsx/reversed-dimension.xml"))
        .expect("regression input");
    let read = ingest_workbook(fuzzing::xlsx_from_parts(&parts));
    assert_eq!(read.accounts[0].rows_read, 1);
    assert_eq!(read.accounts[0].rows_loaded, 1);
}

/// An ODS whose `content.xml` ends inside a table is refused with a one-line reason: calamine
/// 0.38 loops for ever on it (its `read_table` ignores the end of the file). The check also runs
/// when `mimetype` is not the archive's first part, which calamine opens all the same.
// See: #8
#[test]
fn issue_8_ods_ending_inside_a_table_is_refused() {
    let dir = root().join("tests/fuzz/regressions/ods");
    let read = |name: &str| std::fs::read(dir.join(name)).expect("regression input");
    let forces = ForceTable::bundled().expect("forces");
    // The last two end the table only inside an attribute value or a comment.
    for bytes in [
        fuzzing::ods_from_content(&read("unclosed-table.xml")),
        read("unclosed-table-mimetype-second.ods"),
        fuzzing::ods_from_content(&read("unclosed-table-end-in-attribute.xml")),
        fuzzing::ods_from_content(&read("unclosed-table-end-in-comment.xml")),
    ] {
        let started = Instant::now();
        let error = read_input_bytes(Path::new("t.ods"), bytes, &forces, &ProgressBar::hidden())
            .err()
            .expect("refused");
        assert_eq!(
            error.to_string(),
            "t.ods: cannot read sheet \"Data\": content.xml ends inside it (truncated or damaged file?)"
        );
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}

/// A header name holding a carriage return and a NUL is shown escaped in the extract's
/// missing-column message, which stays on one line (`fuzzing::extract` checks it).
// See: #8
#[test]
fn issue_8_extract_header_names_in_messages_are_one_line() {
    let file =
        root().join("tests/fuzz/regressions/extract_csv/header-name-with-carriage-return.csv");
    fuzzing::extract(&std::fs::read(file).expect("regression input"));
}
