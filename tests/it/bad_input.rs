//! The bad-input cases that are too large to commit or need more than one file: huge fields,
//! millions of columns, truncated, zip-bomb and sparse workbooks, gzip bombs, duplicated files,
//! mixed header families, counts that overflow, and formula-looking text carried through a run
//! into its CSV and Excel outputs. The small static cases are in tests/bad-input (checked by
//! `cli::bad_input_corpus`).
//!
//! Every refused input must give exit 1 and one line naming the file (and the line and value
//! where there is one), never a panic, and leave nothing behind.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use calamine::{Data, Reader};

use crate::support::{output, root, Workdir};

/// The header of a Home Office table (the older family of count columns).
const HEADER: &str = "Financial Year,Financial Quarter,Force Name,Offence Description,Offence Group,Offence Subgroup,Offence Code,Offence code expired,Outcome Description,Outcome Group,Outcome Type,Force outcomes for offences recorded in quarter,Force outcomes recorded in quarter";

/// A data row for Cleveland, assault with injury, outcome type 1, in `quarter`, with the
/// offence description and the recorded-in-period count given.
fn row(quarter: u8, description: &str, recorded: &str) -> String {
    format!("2018/19,{quarter},Cleveland,{description},Violence against the person,Violence with injury,8N,,Charged/Summonsed,Charged/Summonsed,1,{recorded},124")
}

/// The process memory limit (virtual, in KiB) under which the bombs must be refused.
const MEMORY_LIMIT_KIB: u64 = 1 << 20;

/// How long any one bad input may take before the test calls it unbounded.
const TIME_LIMIT: Duration = Duration::from_secs(120);

/// Runs `outcome-lens ARGS` in `work` under a virtual-memory limit of [`MEMORY_LIMIT_KIB`]
/// (through `sh -c ulimit`), killing it if it outlives [`TIME_LIMIT`]; returns (exit code,
/// stdout, stderr).
fn bounded(work: &Workdir, args: &[&str]) -> (i32, String, String) {
    let binary = assert_cmd::cargo::cargo_bin("outcome-lens");
    let (out_path, err_path) = (work.path().join(".stdout"), work.path().join(".stderr"));
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {MEMORY_LIMIT_KIB} && exec \"$0\" \"$@\""
        ))
        .arg(&binary)
        .args(args)
        .current_dir(work.path())
        .env("OUTCOME_LENS_CACHE", work.cache())
        .stdout(std::fs::File::create(&out_path).expect("stdout file"))
        .stderr(std::fs::File::create(&err_path).expect("stderr file"))
        .stdin(Stdio::null())
        .spawn()
        .expect("start outcome-lens");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("outcome-lens {args:?} ran for more than {TIME_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let read = |path: &Path| {
        let text = String::from_utf8_lossy(&std::fs::read(path).expect("read output")).into_owned();
        let _ = std::fs::remove_file(path);
        text
    };
    (
        status.code().unwrap_or(-1),
        read(&out_path),
        read(&err_path),
    )
}

/// Files in the work folder other than the test's own bookkeeping (`.stdout`, `.stderr`,
/// `.cache`).
fn listing(work: &Workdir) -> Vec<String> {
    work.listing()
        .into_iter()
        .filter(|n| ![".stdout", ".stderr", ".cache"].contains(&n.as_str()))
        .collect()
}

/// `validate FILES` and `ingest FILES --out out.parquet` both refuse the input with one line
/// that contains `fragment`, without a panic, and leave the folder as it was.
fn assert_refused(work: &Workdir, files: &[&str], fragment: &str) {
    let before = listing(work);
    for command in ["validate", "ingest"] {
        let mut args = vec![command];
        args.extend(files);
        if command == "ingest" {
            args.extend(["--out", "out.parquet"]);
        }
        let (code, stdout, stderr) = bounded(work, &args);
        let context = format!("{command} {files:?}:\nstdout: {stdout}\nstderr: {stderr}");
        assert_eq!(code, 1, "{context}");
        assert_eq!(stderr.lines().count(), 1, "one line: {context}");
        assert!(stderr.starts_with("outcome-lens: "), "{context}");
        assert!(
            stderr.contains(fragment),
            "expected {fragment:?}: {context}"
        );
        assert!(!stderr.contains("panicked"), "{context}");
        assert_eq!(listing(work), before, "something was left: {context}");
    }
}

/// A 50 MB offence description is a text like any other: the row loads and the accounting is
/// exact. A 1 MB count cell quarantines its row, and the message shows only its start.
#[test]
fn huge_field() {
    let work = Workdir::new();
    let huge = "x".repeat(50 << 20);
    std::fs::write(
        work.path().join("huge-text.csv"),
        format!(
            "{HEADER}\n{}\n{}\n",
            row(1, &huge, "151"),
            row(2, "Assault with injury", "151")
        ),
    )
    .unwrap();
    let (code, stdout, stderr) = bounded(&work, &["validate", "huge-text.csv"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("read 2 rows from 1 input: 2 loaded, 0 quarantined; 1 force"),
        "{stderr}"
    );
    assert!(
        stdout.contains("huge-text.csv,csv,home_office,2,2,0,0,0"),
        "{stdout}"
    );

    let big_count = "x".repeat(1 << 20);
    std::fs::write(
        work.path().join("huge-count.csv"),
        format!(
            "{HEADER}\n{}\n{}\n",
            row(1, "Assault with injury", &big_count),
            row(2, "Assault with injury", "151")
        ),
    )
    .unwrap();
    let (code, stdout, stderr) = bounded(&work, &["validate", "huge-count.csv"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stdout.contains("huge-count.csv,csv,home_office,2,1,1,0,0"),
        "{stdout}"
    );
    let line = stderr
        .lines()
        .find(|l| l.starts_with("huge-count.csv:2: "))
        .expect("the quarantined row's line");
    assert!(line.len() < 300, "the message is cut: {} bytes", line.len());
    assert!(
        line.contains("… (1048576 bytes) is not a number or a known missing-value token"),
        "{line}"
    );
}

/// One line with 2 million fields: trailing empty fields are ignored, extra non-empty fields
/// quarantine the row, a header that wide makes every normal row short, and a line of commas
/// above the header is a blank row.
#[test]
fn millions_of_columns_in_one_line() {
    let work = Workdir::new();
    let commas = ",".repeat(2_000_000);
    let data = row(1, "Assault with injury", "151");
    let cases: [(&str, String, i32, &str); 4] = [
        (
            "trailing-empty.csv",
            format!("{HEADER}\n{data}{commas}\n"),
            0,
            "read 1 row from 1 input: 1 loaded, 0 quarantined",
        ),
        (
            "extra-fields.csv",
            format!("{HEADER}\n{data}{}\n", ",x".repeat(2_000_000)),
            1,
            "extra-fields.csv:2: row has 2000013 fields, the header has 13",
        ),
        (
            "wide-header.csv",
            format!("{HEADER}{commas}\n{data}\n"),
            1,
            "wide-header.csv:2: row has 13 fields, the header has 2000013",
        ),
        (
            "commas-above-header.csv",
            format!("{commas}\n{HEADER}\n{data}\n"),
            0,
            "read 1 row from 1 input: 1 loaded, 0 quarantined",
        ),
    ];
    for (name, text, expected_code, fragment) in cases {
        std::fs::write(work.path().join(name), text).unwrap();
        let (code, _, stderr) = bounded(&work, &["validate", name]);
        assert_eq!(code, expected_code, "{name}: {stderr}");
        assert!(
            stderr.contains(fragment),
            "{name}: expected {fragment:?}, got {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    }
}

/// A workbook cut short anywhere (a broken download) is refused as a damaged archive.
#[test]
fn truncated_workbooks() {
    let work = Workdir::new();
    for extension in ["xlsx", "ods"] {
        let bytes =
            std::fs::read(root().join(format!("tests/fixtures/ho-2018-19-extract.{extension}")))
                .unwrap();
        for cut in [
            bytes.len() / 10,
            bytes.len() / 2,
            bytes.len() * 9 / 10,
            bytes.len() - 1,
        ] {
            let name = format!("truncated-{cut}.{extension}");
            std::fs::write(work.path().join(&name), &bytes[..cut]).unwrap();
            assert_refused(
                &work,
                &[&name],
                &format!("{name}: cannot open as an XLSX or ODS workbook: the zip archive is damaged or incomplete (truncated file?)"),
            );
            std::fs::remove_file(work.path().join(&name)).unwrap();
        }
    }
}

/// One part of a hand-built zip archive.
struct Part {
    name: String,
    /// 0 (stored) or 8 (deflated).
    method: u16,
    crc: u32,
    size: u32,
    data: Vec<u8>,
}

impl Part {
    /// A part stored as it is.
    fn stored(name: &str, data: &[u8]) -> Part {
        let mut crc = flate2::Crc::new();
        crc.update(data);
        Part {
            name: name.into(),
            method: 0,
            crc: crc.sum(),
            size: u32::try_from(data.len()).unwrap(),
            data: data.to_vec(),
        }
    }

    /// A deflated part whose content is `prefix`, then `unit` `repeats` times, then `suffix`,
    /// built without inflating it: each piece is compressed once on its own and ends with a
    /// sync flush, so the pieces concatenate into one valid deflate stream, and the CRC is
    /// combined from the pieces'. Its declared size is the true size unless `declared` is
    /// given.
    fn repeated(
        name: &str,
        prefix: &[u8],
        unit: &[u8],
        repeats: u64,
        suffix: &[u8],
        declared: Option<u32>,
    ) -> Part {
        use flate2::write::DeflateEncoder;
        let piece = |bytes: &[u8], last: bool| {
            let mut encoder = DeflateEncoder::new(Vec::new(), flate2::Compression::best());
            encoder.write_all(bytes).unwrap();
            if last {
                encoder.finish().unwrap()
            } else {
                encoder.flush().unwrap();
                encoder.get_ref().clone()
            }
        };
        let crc_of = |bytes: &[u8]| {
            let mut crc = flate2::Crc::new();
            crc.update(bytes);
            crc
        };
        let unit_piece = piece(unit, false);
        let mut data = piece(prefix, false);
        let mut crc = crc_of(prefix);
        let unit_crc = crc_of(unit);
        for _ in 0..repeats {
            data.extend_from_slice(&unit_piece);
            crc.combine(&unit_crc);
        }
        data.extend(piece(suffix, true));
        crc.combine(&crc_of(suffix));
        let size = prefix.len() as u64 + unit.len() as u64 * repeats + suffix.len() as u64;
        Part {
            name: name.into(),
            method: 8,
            crc: crc.sum(),
            size: declared.unwrap_or_else(|| u32::try_from(size).expect("under 4 GiB")),
            data,
        }
    }
}

/// The bytes of a zip archive holding `parts` (PKWARE APPNOTE 6.3: local headers, central
/// directory, end record; no zip64, so every part is under 4 GiB).
fn zip_archive(parts: &[Part]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut directory = Vec::new();
    for part in parts {
        let offset = u32::try_from(out.len()).unwrap();
        let name = part.name.as_bytes();
        let compressed = u32::try_from(part.data.len()).unwrap();
        let common = |buffer: &mut Vec<u8>| {
            for half in [20u16, 0, part.method, 0, 0x21] {
                buffer.extend(half.to_le_bytes()); // version, flags, method, time, date
            }
            for word in [part.crc, compressed, part.size] {
                buffer.extend(word.to_le_bytes());
            }
            buffer.extend(u16::try_from(name.len()).unwrap().to_le_bytes());
            buffer.extend(0u16.to_le_bytes()); // extra field length
        };
        out.extend(0x0403_4b50u32.to_le_bytes());
        common(&mut out);
        out.extend(name);
        out.extend(&part.data);
        directory.extend(0x0201_4b50u32.to_le_bytes());
        directory.extend(20u16.to_le_bytes()); // version made by
        common(&mut directory);
        for half in [0u16, 0, 0] {
            directory.extend(half.to_le_bytes()); // comment length, disk, internal attributes
        }
        directory.extend(0u32.to_le_bytes()); // external attributes
        directory.extend(offset.to_le_bytes());
        directory.extend(name);
    }
    let directory_offset = u32::try_from(out.len()).unwrap();
    out.extend(&directory);
    out.extend(0x0605_4b50u32.to_le_bytes());
    let count = u16::try_from(parts.len()).unwrap();
    for half in [0u16, 0, count, count] {
        out.extend(half.to_le_bytes());
    }
    out.extend(u32::try_from(directory.len()).unwrap().to_le_bytes());
    out.extend(directory_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes()); // comment length
    out
}

/// The parts of a minimal XLSX workbook except its one sheet, `xl/worksheets/sheet1.xml`.
fn xlsx_frame() -> Vec<Part> {
    let ct = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
    let rels = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
    let workbook = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
    let workbook_rels = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
    vec![
        Part::stored("[Content_Types].xml", ct.as_bytes()),
        Part::stored("_rels/.rels", rels.as_bytes()),
        Part::stored("xl/workbook.xml", workbook.as_bytes()),
        Part::stored("xl/_rels/workbook.xml.rels", workbook_rels.as_bytes()),
    ]
}

const SHEET_START: &[u8] = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
const SHEET_END: &[u8] = b"</sheetData></worksheet>";

/// About 1 MiB of one-cell rows, the unit a bomb's sheet repeats.
fn row_unit() -> Vec<u8> {
    br#"<row><c t="inlineStr"><is><t>x</t></is></c></row>"#.repeat(20_000)
}

/// Zip-bomb workbooks: a 12 MB XLSX whose sheet inflates to 4 GB, one whose many parts inflate
/// to 2.4 GB in all, and one whose sheet inflates far past the size it declares. Each stops
/// at once (or at its declared size) within a 1 GiB memory limit.
#[test]
fn zip_bomb_workbooks() {
    let work = Workdir::new();
    let unit = row_unit();
    let repeats = 4_000_000_000 / unit.len() as u64;

    let mut parts = xlsx_frame();
    parts.push(Part::repeated(
        "xl/worksheets/sheet1.xml",
        SHEET_START,
        &unit,
        repeats,
        SHEET_END,
        None,
    ));
    let bomb = zip_archive(&parts);
    assert!(bomb.len() < 16 << 20, "the bomb is {} bytes", bomb.len());
    std::fs::write(work.path().join("bomb.xlsx"), &bomb).unwrap();
    assert_refused(
        &work,
        &["bomb.xlsx"],
        "bomb.xlsx: workbook too large to read safely: part \"xl/worksheets/sheet1.xml\" inflates",
    );

    // Forty parts of 60 MiB each, none large enough for the ratio check: 2.4 GiB in all.
    let mut parts = xlsx_frame();
    let zeros = vec![0u8; 1 << 20];
    let padding = Part::repeated("pad", b"", &zeros, 60, b"", None);
    for i in 0..40 {
        parts.push(Part {
            name: format!("xl/media/padding{i}.bin"),
            method: padding.method,
            crc: padding.crc,
            size: padding.size,
            data: padding.data.clone(),
        });
    }
    parts.push(Part::stored(
        "xl/worksheets/sheet1.xml",
        &[SHEET_START, SHEET_END].concat(),
    ));
    std::fs::write(work.path().join("many-parts.xlsx"), zip_archive(&parts)).unwrap();
    assert_refused(
        &work,
        &["many-parts.xlsx"],
        "many-parts.xlsx: workbook too large to read safely: its parts inflate to at least",
    );

    // A sheet that declares 1 MiB and inflates to 1 GiB is cut off by the zip reader once
    // the streaming reader reads past its first megabyte (it does, since a header comes
    // first and every row is read).
    let header_row: String = HEADER
        .split(',')
        .map(|h| format!(r#"<c t="inlineStr"><is><t>{h}</t></is></c>"#))
        .collect();
    let start = [SHEET_START, format!("<row>{header_row}</row>").as_bytes()].concat();
    let mut parts = xlsx_frame();
    parts.push(Part::repeated(
        "xl/worksheets/sheet1.xml",
        &start,
        &unit,
        1024,
        SHEET_END,
        Some(1 << 20),
    ));
    std::fs::write(work.path().join("lying.xlsx"), zip_archive(&parts)).unwrap();
    assert_refused(
        &work,
        &["lying.xlsx"],
        "lying.xlsx: cannot read sheet \"Data\"",
    );
    // Without a header, only the sheet's first 30 rows are read: it is not a data sheet.
    let mut parts = xlsx_frame();
    parts.push(Part::repeated(
        "xl/worksheets/sheet1.xml",
        SHEET_START,
        &unit,
        1024,
        SHEET_END,
        Some(1 << 20),
    ));
    std::fs::write(
        work.path().join("lying-no-header.xlsx"),
        zip_archive(&parts),
    )
    .unwrap();
    assert_refused(
        &work,
        &["lying-no-header.xlsx"],
        "lying-no-header.xlsx: no header row found in the first 30 rows",
    );
}

/// Sheets that name cells far apart: an XLSX with cells at A1 and XFD1048576 (a real
/// spreadsheet writer makes it), and an ODS whose repeated rows and cells expand to 17
/// billion. Both are refused before the cells are allocated.
#[test]
fn sparse_and_repeated_workbooks() {
    let work = Workdir::new();
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (c, header) in HEADER.split(',').enumerate() {
        sheet
            .write_string(0, u16::try_from(c).unwrap(), header)
            .unwrap();
    }
    for (c, value) in row(1, "Assault with injury", "151").split(',').enumerate() {
        sheet
            .write_string(1, u16::try_from(c).unwrap(), value)
            .unwrap();
    }
    sheet.write_string(1_048_575, 16_383, "x").unwrap();
    workbook.save(work.path().join("sparse.xlsx")).unwrap();
    assert_refused(
        &work,
        &["sparse.xlsx"],
        "sparse.xlsx: workbook too large to read safely: sheet \"Sheet1\" spans 1048576 rows × 16384 columns",
    );

    let content = r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Data"><table:table-row table:number-rows-repeated="6000"><table:table-cell table:number-columns-repeated="16384" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#;
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let ods = zip_archive(&[
        Part::stored(
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        ),
        Part::stored("META-INF/manifest.xml", manifest.as_bytes()),
        Part::stored("content.xml", content.as_bytes()),
    ]);
    assert!(ods.len() < 2000);
    std::fs::write(work.path().join("repeated.ods"), ods).unwrap();
    assert_refused(
        &work,
        &["repeated.ods"],
        "repeated.ods: workbook too large to read safely: sheet \"Data\" spans 6000 rows × 16384 columns once its repeated rows and cells are expanded",
    );
}

/// A 260 kB gzip file that inflates a thousand times, to 256 MiB (256 gzip members of 1 MiB of
/// zeros, which the reader must take as one stream), stops at 64 MiB.
#[test]
fn gzip_bomb() {
    let work = Workdir::new();
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&vec![0u8; 1 << 20]).unwrap();
    let member = encoder.finish().unwrap();
    let bomb = member.repeat(256);
    assert!(bomb.len() < 512 << 10, "the bomb is {} bytes", bomb.len());
    std::fs::write(work.path().join("bomb.csv.gz"), bomb).unwrap();
    assert_refused(
        &work,
        &["bomb.csv.gz"],
        "bomb.csv.gz: cannot decompress gzip data: it inflates to more than 67108864 bytes",
    );
}

/// The same table given twice (by the same path, another spelling of it, a copy, or a
/// wildcard that also matches it) stops with the duplicate named, and nothing is written.
#[test]
fn duplicated_files() {
    let work = Workdir::new();
    let fixture = root().join("tests/fixtures/ho-2018-19-extract.csv");
    std::fs::copy(&fixture, work.path().join("a.csv")).unwrap();
    let duplicate = "duplicate row for 2018/19 Q1 Avon and Somerset offence 12 outcome type 7; first seen at a.csv:2 (was the same file passed twice?)";
    assert_refused(&work, &["a.csv", "a.csv"], &format!("a.csv:2: {duplicate}"));
    assert_refused(
        &work,
        &["a.csv", "./a.csv"],
        &format!("./a.csv:2: {duplicate}"),
    );
    std::fs::copy(&fixture, work.path().join("b.csv")).unwrap();
    assert_refused(&work, &["a.csv", "b.csv"], &format!("b.csv:2: {duplicate}"));

    for (name, inputs) in [
        ("twice.toml", r#"["a.csv", "a.csv"]"#),
        ("wildcard.toml", r#"["a.csv", "*.csv"]"#),
    ] {
        std::fs::write(
            work.path().join(name),
            format!("inputs = {inputs}\n[outputs]\nfolder = \"out\"\n"),
        )
        .unwrap();
        let before = listing(&work);
        let (code, _, stderr) = bounded(&work, &["run", "--config", name]);
        assert_eq!(code, 1, "{name}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{name}: {stderr}");
        assert!(stderr.contains(duplicate), "{name}: {stderr}");
        assert_eq!(listing(&work), before, "{name}: something was left");
    }
}

/// The two header families, one per file and with the count columns in opposite orders, load
/// together, each count under its own basis; the same rows under both families are
/// duplicates; a Home Office table and a tidy-counts table cannot be mixed.
#[test]
fn mixed_header_families() {
    let work = Workdir::new();
    let corpus = root().join("tests/bad-input");
    for file in [
        "mixed-headers-old.csv",
        "mixed-headers-new.csv",
        "tidy-a.csv",
    ] {
        std::fs::copy(corpus.join(file), work.path().join(file)).unwrap();
    }
    let (code, stdout, stderr) = output(work.command().args([
        "ingest",
        "mixed-headers-old.csv",
        "mixed-headers-new.csv",
        "--out",
        "mixed.parquet",
    ]));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("read 4 rows from 2 inputs: 4 loaded, 0 quarantined; 1 force"),
        "{stderr}"
    );
    assert!(stdout.contains("mixed-headers-old.csv,csv,home_office,2,2,0,0,0\nmixed-headers-new.csv,csv,home_office,2,2,0,0,0\n"), "{stdout}");
    let table = outcome_lens::output::read_parquet(&work.path().join("mixed.parquet")).unwrap();
    let table = outcome_lens::record::as_text(&table).unwrap();
    let column = |name: &str| table.column(name).unwrap().clone();
    let (quarters, types, bases, counts) = (
        column("quarter"),
        column("outcome_type"),
        column("basis"),
        column("count"),
    );
    let (quarters, types, bases, counts) = (
        quarters.i32().unwrap(),
        types.i32().unwrap(),
        bases.str().unwrap(),
        counts.i64().unwrap(),
    );
    let mut rows: Vec<String> = (0..table.height())
        .map(|i| {
            format!(
                "Q{} type {} {} {}",
                quarters.get(i).unwrap(),
                types.get(i).unwrap(),
                bases.get(i).unwrap(),
                counts.get(i).unwrap()
            )
        })
        .collect();
    rows.sort();
    assert_eq!(
        rows,
        [
            "Q1 type 1 assigned_in_period 124",
            "Q1 type 1 recorded_in_period 151",
            "Q1 type 16 assigned_in_period 40",
            "Q1 type 16 recorded_in_period 30",
            "Q2 type 1 assigned_in_period 124",
            "Q2 type 1 recorded_in_period 151",
            "Q2 type 16 assigned_in_period 40",
            "Q2 type 16 recorded_in_period 30",
        ]
    );
    std::fs::remove_file(work.path().join("mixed.parquet")).unwrap();

    // The old file's rows under the new family's headers are the same records.
    let old = std::fs::read_to_string(work.path().join("mixed-headers-old.csv")).unwrap();
    let new_header = std::fs::read_to_string(work.path().join("mixed-headers-new.csv"))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string();
    let (_, body) = old.split_once('\n').unwrap();
    // The new family lists the assigned count first, so swap the two count cells.
    let swapped: Vec<String> = body
        .lines()
        .map(|line| {
            let mut cells: Vec<&str> = line.split(',').collect();
            let n = cells.len();
            cells.swap(n - 1, n - 2);
            cells.join(",")
        })
        .collect();
    std::fs::write(
        work.path().join("renamed.csv"),
        format!("{new_header}\n{}\n", swapped.join("\n")),
    )
    .unwrap();
    assert_refused(
        &work,
        &["mixed-headers-old.csv", "renamed.csv"],
        "renamed.csv:2: duplicate row for 2018/19 Q1 Cleveland offence 8N outcome type 1; first seen at mixed-headers-old.csv:2",
    );
    assert_refused(
        &work,
        &["mixed-headers-old.csv", "tidy-a.csv"],
        "tidy-a.csv: is a tidy-counts table, but earlier inputs were Home Office outcomes tables; ingest them separately",
    );
}

/// Negative counts are kept and counted; a count too large to add up safely quarantines its
/// row (named with file, line and value) and the run goes on without it; counts whose
/// revisions outweigh them stop the run naming the force.
#[test]
fn negative_and_overflowing_counts() {
    let work = Workdir::new();
    let corpus = root().join("tests/bad-input");
    std::fs::copy(
        corpus.join("negative-counts.csv"),
        work.path().join("negative-counts.csv"),
    )
    .unwrap();
    let (code, stdout, stderr) =
        output(
            work.command()
                .args(["ingest", "negative-counts.csv", "--out", "negative.parquet"]),
        );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("negative-counts.csv,csv,home_office,3,3,0,3,0"),
        "{stdout}"
    );
    let table = outcome_lens::output::read_parquet(&work.path().join("negative.parquet")).unwrap();
    let counts = table.column("count").unwrap().i64().unwrap().clone();
    let mut values: Vec<i64> = counts.iter().flatten().collect();
    values.sort_unstable();
    assert_eq!(values, [-3, -2, -1, 4, 5, 30]);

    let mut csv = String::from("unit,period,numerator,denominator\n");
    for (i, (x, n)) in [(120, 400), (95, 410), (210, 380), (80, 390), (150, 420)]
        .iter()
        .enumerate()
    {
        csv.push_str(&format!("Area {i},2019/20,{x},{n}\n"));
    }
    csv.push_str("Area 5,2019/20,9223372036854775807,9223372036854775807\n");
    std::fs::write(work.path().join("areas.csv"), csv).unwrap();
    std::fs::write(
        work.path().join("areas.toml"),
        "inputs = [\"areas.csv\"]\n[outputs]\nfolder = \"out\"\n",
    )
    .unwrap();
    let (code, _, stderr) = bounded(&work, &["run", "--config", "areas.toml"]);
    assert_eq!(code, 0, "{stderr}");
    let mut quarantine = csv::Reader::from_path(work.path().join("out/quarantine.csv")).unwrap();
    let rows: Vec<Vec<String>> = quarantine
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(
        rows[0][..3],
        [
            "areas.csv",
            "7",
            "numerator count \"9223372036854775807\" is too large (the largest accepted is 999999999)"
        ]
    );
    let table =
        std::fs::read_to_string(work.path().join("out/tables/force_comparison.csv")).unwrap();
    assert_eq!(table.lines().count(), 1 + 5, "{table}");

    // The reader fixture holds Humberside's real negative revisions.
    std::fs::copy(
        root().join("tests/fixtures/ho-2018-19-extract.csv"),
        work.path().join("fixture.csv"),
    )
    .unwrap();
    std::fs::write(
        work.path().join("fixture.toml"),
        "inputs = [\"fixture.csv\"]\n[outputs]\nfolder = \"revisions\"\n",
    )
    .unwrap();
    let (code, _, stderr) = bounded(&work, &["run", "--config", "fixture.toml"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("Humberside: the counts sum to a negative value"),
        "{stderr}"
    );
    assert!(!work.path().join("revisions").exists());
}

/// True when a spreadsheet would take `cell` for a formula: it starts with `=`, `+`, `-`, `@`,
/// a tab or a carriage return and is not a finite number.
fn live_formula(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
        && !cell.parse::<f64>().is_ok_and(f64::is_finite)
}

/// Checks every cell of every CSV file under `dir` for live formulas.
fn assert_no_live_formula_in_csv(dir: &Path) {
    for file in crate::golden::files_under(dir) {
        if !file.ends_with(".csv") {
            continue;
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_path(dir.join(&file))
            .unwrap();
        for record in reader.records() {
            let record = record.unwrap();
            for cell in record.iter() {
                assert!(!live_formula(cell), "{file}: live formula {cell:?}");
            }
        }
    }
}

/// Every sheet of a workbook: no cell holds a formula, and its text cells, by row.
fn workbook_text(path: &Path) -> Vec<(String, Vec<Vec<String>>)> {
    let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(path).expect("open the workbook");
    let mut sheets = Vec::new();
    for name in workbook.sheet_names() {
        let formulas = workbook.worksheet_formula(&name).unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "{name}: a cell holds a formula"
        );
        let range = workbook.worksheet_range(&name).unwrap();
        let rows = range
            .rows()
            .map(|row| {
                row.iter()
                    .map(|cell| match cell {
                        Data::String(s) => s.clone(),
                        other => format!("<{other}>"),
                    })
                    .collect()
            })
            .collect();
        sheets.push((name, rows));
    }
    sheets
}

/// Formula-looking text (`=HYPERLINK(…)`, `+1`, `-2`, `@SUM(A1)`, `=1+1`, `-inf`) loads as
/// text, as tidy-counts units and as offence descriptions, and reaches the run's outputs as
/// text: in CSV with a leading `'` unless it is a finite number, in `tables.xlsx` as string
/// cells, never formulas.
#[test]
fn formula_cells_stay_text_end_to_end() {
    let work = Workdir::new();
    let corpus = root().join("tests/bad-input");
    for file in ["formula-units-tidy.csv", "formula-cells.csv"] {
        std::fs::copy(corpus.join(file), work.path().join(file)).unwrap();
    }
    std::fs::write(
        work.path().join("units.toml"),
        "inputs = [\"formula-units-tidy.csv\"]\n[outputs]\nfolder = \"units\"\n",
    )
    .unwrap();
    let (code, _, stderr) = bounded(&work, &["run", "--config", "units.toml"]);
    assert_eq!(code, 0, "{stderr}");
    let units_dir = work.path().join("units");
    assert_no_live_formula_in_csv(&units_dir);
    let mut reader = csv::Reader::from_path(units_dir.join("tables/force_comparison.csv")).unwrap();
    let mut units: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    units.sort();
    assert_eq!(
        units,
        [
            "'-inf",
            "'=1+1",
            "'=HYPERLINK(\"http://x\",\"y\")",
            "'@SUM(A1)",
            "+1",
            "-2",
            "Area G",
            "Area H"
        ]
    );
    let sheets = workbook_text(&units_dir.join("tables.xlsx"));
    let (_, comparison) = sheets
        .iter()
        .find(|(name, _)| name == "force_comparison")
        .expect("the force_comparison sheet");
    let mut cells: Vec<&str> = comparison[1..].iter().map(|r| r[0].as_str()).collect();
    cells.sort_unstable();
    assert_eq!(
        cells,
        [
            "+1",
            "-2",
            "-inf",
            "=1+1",
            "=HYPERLINK(\"http://x\",\"y\")",
            "@SUM(A1)",
            "Area G",
            "Area H"
        ],
        "text cells hold the units as written"
    );

    std::fs::write(
        work.path().join("offences.toml"),
        "inputs = [\"formula-cells.csv\"]\nfocus = [\"Cleveland\"]\n[mix]\nstrata = \"offence_code\"\n[outputs]\nfolder = \"offences\"\n",
    )
    .unwrap();
    let (code, _, stderr) = bounded(&work, &["run", "--config", "offences.toml"]);
    assert_eq!(code, 0, "{stderr}");
    let offences_dir = work.path().join("offences");
    assert_no_live_formula_in_csv(&offences_dir);
    let mix = std::fs::read_to_string(offences_dir.join("tables/offence_mix.csv")).unwrap();
    for neutralised in [
        ",8N,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",",
        ",8Q,'@SUM(A1),",
        ",105A,+1,",
        ",8L,-2,",
    ] {
        assert!(mix.contains(neutralised), "{neutralised}\n{mix}");
    }
    let sheets = workbook_text(&offences_dir.join("tables.xlsx"));
    let (_, mix_sheet) = sheets
        .iter()
        .find(|(name, _)| name == "offence_mix")
        .expect("the offence_mix sheet");
    assert!(
        mix_sheet
            .iter()
            .any(|r| r.iter().any(|c| c == "=HYPERLINK(\"http://x\",\"y\")")),
        "{mix_sheet:?}"
    );
}
