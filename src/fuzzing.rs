//! Entry points for the fuzz targets (`tests/fuzz`, see its README) and for their regression
//! tests (`tests/it/fuzz_regressions.rs`). Not a supported API: hidden from the docs.
//!
//! Each function runs one real reader on bytes in memory and panics when an invariant breaks,
//! which is what a fuzzer needs to see:
//! - an `Ok` result's row accounting adds up (rows read = rows loaded + rows quarantined, the
//!   quarantine holds one entry per quarantined row, the table one row per loaded row and basis);
//! - an `Err` renders as one line (`main` prints it after `outcome-lens: `).
//!
//! A panic inside a reader is a bug to fix in the reader, never to catch here.

use std::path::Path;
use std::sync::OnceLock;

use indicatif::ProgressBar;

use crate::config::extract::ExtractConfig;
use crate::config::{Config, Overrides};
use crate::extract::read::read_from;
use crate::ingest::{read_input_bytes, Ingested, Table};
use crate::normalise::forces::ForceTable;

/// The fuzz targets, by name (the names of the binaries in `tests/fuzz/fuzz_targets`).
pub const TARGETS: &[&str] = &[
    "home_office_csv",
    "tidy_counts_csv",
    "xlsx",
    "ods",
    "extract_csv",
    "analysis_toml",
    "audit_reviewed",
    "events_csv",
];

/// Runs the target named `target` on `data` (for the regression tests). Returns false for an
/// unknown name.
pub fn run(target: &str, data: &[u8]) -> bool {
    match target {
        "home_office_csv" | "tidy_counts_csv" => ingest(data),
        "xlsx" => xlsx(data),
        "ods" => ods(data),
        "extract_csv" => extract(data),
        "analysis_toml" => analysis_toml(data),
        "audit_reviewed" => audit_reviewed(data),
        "events_csv" => events_csv(data),
        _ => return false,
    }
    true
}

/// The Home Office and tidy-counts reader (`ingest::read_inputs` on one input): the format is
/// decided from the bytes, as for a file (CSV text, gzip, workbook, Parquet).
pub fn ingest(data: &[u8]) {
    let result = read_input_bytes(
        Path::new("fuzz-input"),
        data.to_vec(),
        forces(),
        &ProgressBar::hidden(),
    );
    match result {
        Ok(ingested) => check_ingested(&ingested),
        Err(e) => check_one_line(&e.to_string()),
    }
}

/// The XLSX reader. Bytes starting with `PK` are taken as a whole workbook; other bytes are
/// split at NUL bytes into the parts of a workbook that this function zips (uncompressed) around
/// them: `xl/sharedStrings.xml`, then up to three worksheets `xl/worksheets/sheetN.xml`. The
/// second form lets the fuzzer mutate the XML rather than the zip container's checksums.
pub fn xlsx(data: &[u8]) {
    if data.starts_with(b"PK") {
        ingest(data);
    } else {
        ingest(&xlsx_from_parts(data));
    }
}

/// The ODS reader. Bytes starting with `PK` are taken as a whole workbook; other bytes are the
/// `content.xml` of a workbook this function zips (uncompressed) around them.
pub fn ods(data: &[u8]) {
    if data.starts_with(b"PK") {
        ingest(data);
    } else {
        ingest(&ods_from_content(data));
    }
}

/// The record-level extract reader (`extract::read::read_from`) with the column mapping of
/// `data/sample/analysis.toml`'s `[extract]` section.
pub fn extract(data: &[u8]) {
    match read_from(extract_config(), data, &ProgressBar::hidden()) {
        Ok(extract) => {
            let a = &extract.account;
            assert_eq!(
                a.rows_read,
                a.rows_loaded + a.rows_quarantined,
                "rows read = loaded + quarantined: {a:?}"
            );
            assert_eq!(
                a.rows_loaded,
                a.crimes + a.duplicate_rows_reduced,
                "rows loaded = crimes + duplicates reduced: {a:?}"
            );
            assert_eq!(a.crimes, extract.crimes.len() as u64, "crimes: {a:?}");
            assert_eq!(
                a.rows_quarantined,
                extract.quarantine.len() as u64,
                "quarantine entries: {a:?}"
            );
            assert_eq!(
                a.rows_quarantined,
                a.quarantine_reasons.values().sum::<u64>(),
                "quarantine reasons: {a:?}"
            );
        }
        Err(e) => check_one_line(&e.to_string()),
    }
}

/// The reviewed audit sample's reader (`extract::audit::read_reviewed`, then `analyse`)
/// against the sample drawn from the bundled synthetic extract (`data/sample/force_extract.csv`)
/// with `data/sample/analysis.toml`'s `[extract.audit]` (seed 20190401, five per area) and its
/// checklist: an accepted file covers every drawn case once and its estimates lie in [0, 1];
/// a refused one has a one-line error. Bytes that are not UTF-8 are skipped (the file is read
/// as text, which refuses them first).
pub fn audit_reviewed(data: &[u8]) {
    use crate::extract::audit::{analyse, read_reviewed, AuditOptions};
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (config, extract, sample) = audit_sample();
    let options = AuditOptions::from_review(&config.review);
    match read_reviewed(text, "reviewed.csv", sample, extract, &options) {
        Ok(reviewed) => {
            assert_eq!(
                reviewed.cases.len(),
                sample.crimes.len(),
                "every drawn case once"
            );
            match analyse(&reviewed, &options) {
                Ok(results) => {
                    assert_eq!(results.drawn, sample.crimes.len() as u64);
                    assert!(results.reviewed <= results.drawn);
                    for share in results.shares.iter().chain(&results.checklist) {
                        let p = share.estimate.p;
                        assert!((0.0..=1.0).contains(&p), "share {p}");
                        assert!(share.interval.lower <= share.interval.upper);
                    }
                }
                Err(e) => check_one_line(&format!("{e:#}")),
            }
        }
        Err(e) => check_one_line(&format!("{e:#}")),
    }
}

/// The sample analysis file's `[extract]` section, the bundled synthetic extract and the
/// audit sample drawn from it with `[extract.audit]`, read once.
fn audit_sample() -> &'static (
    ExtractConfig,
    crate::extract::read::Extract,
    crate::extract::sample::AuditSample,
) {
    type Drawn = (
        ExtractConfig,
        crate::extract::read::Extract,
        crate::extract::sample::AuditSample,
    );
    static SAMPLE: OnceLock<Drawn> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let config = Config::from_toml(
            Path::new("/nonexistent-outcome-lens-fuzz/analysis.toml"),
            include_str!("../data/sample/analysis.toml"),
            &Overrides::default(),
        )
        .expect("the sample analysis file is valid")
        .extract
        .expect("it has an [extract] section");
        let extract = read_from(
            &config,
            &include_bytes!("../data/sample/force_extract.csv")[..],
            &ProgressBar::hidden(),
        )
        .expect("the bundled extract reads");
        let settings = config.audit.expect("it has an [extract.audit] section");
        let sample = crate::extract::sample::draw(&extract, &config, &settings);
        (config, extract, sample)
    })
}

/// The analysis-file reader (`Config::from_toml`), as if the file were
/// `/nonexistent-outcome-lens-fuzz/analysis.toml`, so relative paths name nothing. Bytes that
/// are not UTF-8 are skipped (`Config::load` rejects them before parsing).
pub fn analysis_toml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("/nonexistent-outcome-lens-fuzz/analysis.toml");
    match Config::from_toml(path, text, &Overrides::default()) {
        Ok(config) => {
            assert!(!config.outcomes.is_empty(), "no outcome types");
            assert!(
                config
                    .outcomes
                    .iter()
                    .all(|t| config.denominator.types.contains(t)),
                "numerator outside the denominator"
            );
            assert!(!config.inputs.is_empty(), "no inputs");
        }
        Err(e) => check_one_line(&format!("{e:#}")),
    }
}

fn check_ingested(ingested: &Ingested) {
    let mut loaded = 0;
    let mut quarantined = 0;
    for a in &ingested.accounts {
        assert_eq!(
            a.rows_read,
            a.rows_loaded + a.rows_quarantined,
            "rows read = loaded + quarantined: {a:?}"
        );
        loaded += a.rows_loaded;
        quarantined += a.rows_quarantined;
    }
    assert_eq!(
        quarantined,
        ingested.quarantine.len() as u64,
        "quarantine entries"
    );
    let (height, per_row) = match &ingested.table {
        // Every source row once per count basis.
        Table::Outcomes(df) => (df.height(), 2),
        Table::Tidy(df) => (df.height(), 1),
    };
    assert_eq!(height as u64, loaded * per_row, "table rows");
}

/// An events file (`[monitor] events_file`): read and each event checked, as the analysis
/// file's `[[events]]` are. Every event has a label and a day its written date or quarter
/// gives; an error is one line naming the file.
pub fn events_csv(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match crate::config::monitor::events_from_csv(text, "events.csv") {
        Ok(events) => {
            for event in events {
                assert!(!event.label.trim().is_empty(), "an event without a label");
                assert!(event.place.starts_with("events.csv:"));
                let (y, m, d) = crate::dates::civil_from_days(event.day);
                assert!((1..=12).contains(&m) && (1..=31).contains(&d) && y > 0);
            }
        }
        Err(e) => {
            let message = format!("{e:#}");
            check_one_line(&message);
            assert!(message.starts_with("events.csv"), "{message}");
        }
    }
}

fn check_one_line(message: &str) {
    assert!(
        !message.contains(['\n', '\r']),
        "the error message is not one line: {message:?}"
    );
    assert!(!message.trim().is_empty(), "empty error message");
}

fn forces() -> &'static ForceTable {
    static FORCES: OnceLock<ForceTable> = OnceLock::new();
    FORCES.get_or_init(|| ForceTable::bundled().expect("the bundled forces table parses"))
}

/// The `[extract]` mapping of `data/sample/analysis.toml` (columns, outcome labels, scope).
const EXTRACT_TOML: &str = r#"
inputs = ["unused.csv"]
[outputs]
folder = "unused"
[extract]
file = "fuzz-extract.csv"
force = "Cleveland"
scope = "da"
area_level = "neighbourhood"
[extract.columns]
crime_reference = "Crime Reference"
recorded_date = "Date Recorded"
outcome_date = "Outcome Date"
offence_code = "HO Code"
outcome = "Outcome"
domestic_abuse = "DA Flag"
area = "Neighbourhood"
victim_reference = "Victim ID"
unit = "OIC Department"
victim_age_band = "Victim Age Band"
victim_sex = "Victim Gender"
[extract.outcome_labels]
"Charged/Summonsed" = 1
"Adult Caution" = 3
"Community Resolution" = 8
"Evidential Difficulties: Suspect Not Identified - Victim Does Not Support" = 14
"Evidential Difficulties: Suspect Identified - Victim Supports" = 15
"Named Suspect Identified: Evidential Difficulties - Victim Does Not Support Police Action" = 16
"Investigation Complete - No Suspect Identified" = 18
[extract.flag_values]
yes = ["DA"]
no = ["Not DA"]
"#;

fn extract_config() -> &'static ExtractConfig {
    static CONFIG: OnceLock<ExtractConfig> = OnceLock::new();
    CONFIG.get_or_init(|| {
        Config::from_toml(
            Path::new("/nonexistent-outcome-lens-fuzz/analysis.toml"),
            EXTRACT_TOML,
            &Overrides::default(),
        )
        .expect("the fuzzing analysis file is valid")
        .extract
        .expect("it has an [extract] section")
    })
}

/// An XLSX workbook around the NUL-separated parts of `data` (see [`xlsx`]).
pub fn xlsx_from_parts(data: &[u8]) -> Vec<u8> {
    let mut parts = data.split(|b| *b == 0);
    let shared = parts.next().unwrap_or_default();
    let sheets: Vec<&[u8]> = parts.take(3).collect();
    let sheets = if sheets.is_empty() {
        vec![&b""[..]]
    } else {
        sheets
    };
    let mut types = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>"#,
    );
    let mut workbook = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>"#,
    );
    let mut rels = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    let names = ["Cover_sheet", "Notes", "Outcomes_open_data"];
    let first = names.len() - sheets.len();
    for i in 1..=sheets.len() {
        types.push_str(&format!(r#"<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#));
        workbook.push_str(&format!(
            r#"<sheet name="{}" sheetId="{i}" r:id="rId{i}"/>"#,
            names[first + i - 1]
        ));
        rels.push_str(&format!(r#"<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>"#));
    }
    types.push_str("</Types>");
    workbook.push_str("</sheets></workbook>");
    rels.push_str(&format!(r#"<Relationship Id="rId{0}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#, sheets.len() + 1));
    let root_rels = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
    let sheet_names: Vec<String> = (1..=sheets.len())
        .map(|i| format!("xl/worksheets/sheet{i}.xml"))
        .collect();
    let mut entries: Vec<(&str, &[u8])> = vec![
        ("[Content_Types].xml", types.as_bytes()),
        ("_rels/.rels", root_rels.as_bytes()),
        ("xl/workbook.xml", workbook.as_bytes()),
        ("xl/_rels/workbook.xml.rels", rels.as_bytes()),
        ("xl/sharedStrings.xml", shared),
    ];
    for (name, sheet) in sheet_names.iter().zip(&sheets) {
        entries.push((name, sheet));
    }
    stored_zip(&entries)
}

/// An ODS workbook around `content` as its `content.xml` (see [`ods`]).
pub fn ods_from_content(content: &[u8]) -> Vec<u8> {
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:version="1.2" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    stored_zip(&[
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        ),
        ("content.xml", content),
        ("META-INF/manifest.xml", manifest.as_bytes()),
    ])
}

/// A zip archive holding `entries` uncompressed (method 0), with correct CRC-32s.
fn stored_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let offset = out.len() as u32;
        let crc = crc32(data);
        let size = data.len() as u32;
        let name_len = name.len() as u16;
        // Local file header: version 2.0, no flags, stored, 1980-01-01 00:00.
        for field in [
            &0x0403_4b50u32.to_le_bytes()[..],
            &20u16.to_le_bytes(),
            &0u16.to_le_bytes(),
            &0u16.to_le_bytes(),
            &0u16.to_le_bytes(),
            &0x21u16.to_le_bytes(),
            &crc.to_le_bytes(),
            &size.to_le_bytes(),
            &size.to_le_bytes(),
            &name_len.to_le_bytes(),
            &0u16.to_le_bytes(),
            name.as_bytes(),
            data,
        ] {
            out.extend_from_slice(field);
        }
        for field in [
            &0x0201_4b50u32.to_le_bytes()[..],
            &20u16.to_le_bytes(),
            &20u16.to_le_bytes(),
            &0u16.to_le_bytes(),
            &0u16.to_le_bytes(),
            &0u16.to_le_bytes(),
            &0x21u16.to_le_bytes(),
            &crc.to_le_bytes(),
            &size.to_le_bytes(),
            &size.to_le_bytes(),
            &name_len.to_le_bytes(),
            &0u16.to_le_bytes(),
            &0u16.to_le_bytes(),
            &0u16.to_le_bytes(),
            &0u16.to_le_bytes(),
            &0u32.to_le_bytes(),
            &offset.to_le_bytes(),
            name.as_bytes(),
        ] {
            central.extend_from_slice(field);
        }
    }
    let central_offset = out.len() as u32;
    let n = entries.len() as u16;
    let central_len = central.len() as u32;
    out.extend_from_slice(&central);
    // End of central directory.
    for field in [
        &0x0605_4b50u32.to_le_bytes()[..],
        &0u16.to_le_bytes(),
        &0u16.to_le_bytes(),
        &n.to_le_bytes(),
        &n.to_le_bytes(),
        &central_len.to_le_bytes(),
        &central_offset.to_le_bytes(),
        &0u16.to_le_bytes(),
    ] {
        out.extend_from_slice(field);
    }
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
