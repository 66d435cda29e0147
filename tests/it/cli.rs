//! The command line: help, usage errors, and the bad-input corpus.

use crate::support::{output, root, Workdir};

#[test]
fn help_has_worked_examples() {
    let work = Workdir::new();
    let (code, stdout, _) = output(work.command().args(["ingest", "--help"]));
    assert_eq!(code, 0);
    assert!(stdout.contains("Examples:"), "{stdout}");
    assert!(
        stdout.contains("outcome-lens ingest data/sample/"),
        "{stdout}"
    );
}

#[test]
fn usage_error_exits_2() {
    let work = Workdir::new();
    let (code, _, stderr) = output(work.command().args(["ingest"]));
    assert_eq!(code, 2, "{stderr}");
    let (code, _, _) = output(work.command().args(["frobnicate"]));
    assert_eq!(code, 2);
}

#[test]
fn missing_file_is_named() {
    let work = Workdir::new();
    let (code, _, stderr) = output(work.command().args(["validate", "nope.csv"]));
    assert_eq!(code, 1);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("outcome-lens: nope.csv: cannot read:"),
        "{stderr}"
    );
}

/// Every file in tests/bad-input gives the exit code and message listed in expected.tsv.
#[test]
fn bad_input_corpus() {
    let corpus = root().join("tests/bad-input");
    let mut checked = 0;
    for (file, code, message) in crate::support::corpus_cases("tests/bad-input") {
        let (file, message) = (file.as_str(), message.as_str());
        let work = Workdir::new();
        std::fs::copy(corpus.join(file), work.path().join(file)).expect("copy fixture");
        let (actual_code, _, stderr) = output(work.command().args(["validate", file]));
        assert_eq!(actual_code, code, "{file}: exit code; stderr:\n{stderr}");
        assert!(
            stderr.contains(message),
            "{file}: expected stderr to contain\n  {message}\ngot\n  {stderr}"
        );
        if code != 0 {
            assert!(
                stderr.contains(file),
                "{file}: the message must name the file:\n{stderr}"
            );
        }
        assert!(!stderr.contains("panicked"), "{file}: panic:\n{stderr}");
        // `ingest` stops on the same fatal errors with one line and writes nothing; rows that
        // are only quarantined are written beside the table.
        let fatal = stderr.starts_with("outcome-lens: ");
        if fatal {
            assert_eq!(stderr.lines().count(), 1, "{file}: one line:\n{stderr}");
        }
        let (ingest_code, _, ingest_stderr) =
            output(
                work.command()
                    .args(["ingest", file, "--out", "out.parquet", "-q"]),
            );
        let mut expected_files = vec![file.to_string()];
        if !fatal {
            expected_files.push("out.parquet".into());
            if code != 0 {
                expected_files.push("out.quarantine.csv".into());
            }
        }
        expected_files.sort();
        assert_eq!(
            (ingest_code, work.listing()),
            (i32::from(fatal), expected_files),
            "{file}: ingest:\n{ingest_stderr}"
        );
        checked += 1;
    }
    // Files only: tests/bad-input/audit/ is the audit's corpus (tests/it/audit.rs).
    let n_files = std::fs::read_dir(&corpus)
        .expect("corpus")
        .filter(|e| e.as_ref().is_ok_and(|e| e.path().is_file()))
        .count()
        - 1;
    assert_eq!(
        checked, n_files,
        "every file in tests/bad-input needs a line in expected.tsv"
    );
}

/// A fatal error leaves nothing behind: no output, no temporary file.
#[test]
fn failed_ingest_writes_nothing() {
    let work = Workdir::new();
    let source = root().join("tests/bad-input/unknown-force.csv");
    std::fs::copy(&source, work.path().join("in.csv")).expect("copy");
    let (code, _, stderr) =
        output(
            work.command()
                .args(["ingest", "in.csv", "--out", "out.parquet"]),
        );
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(work.listing(), ["in.csv"]);
}

/// Quarantined rows go to a CSV beside the output with file, line and reason; the accounting
/// balances.
#[test]
fn quarantine_file_names_file_line_and_reason() {
    let work = Workdir::new();
    let source = root().join("tests/bad-input/quarantined-rows.csv");
    std::fs::copy(&source, work.path().join("in.csv")).expect("copy");
    let (code, stdout, stderr) =
        output(
            work.command()
                .args(["ingest", "in.csv", "--out", "out.parquet"]),
        );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        "file,format,kind,rows_read,rows_loaded,rows_quarantined,negative_counts,missing_cells\n\
         in.csv,csv,home_office,4,1,3,0,0\n\
         total,,,4,1,3,0,0\n"
    );
    assert_eq!(
        work.listing(),
        ["in.csv", "out.parquet", "out.quarantine.csv"]
    );
    let quarantine = std::fs::read_to_string(work.path().join("out.quarantine.csv")).expect("read");
    let lines: Vec<&str> = quarantine.lines().collect();
    assert_eq!(lines[0], "file,line,reason,row");
    assert!(
        lines[1].starts_with("in.csv,3,\"count \"\"abc\"\" is not a number"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("in.csv,4,\"quarter \"\"5\"\" is not 1-4 or Q1-Q4\""),
        "{}",
        lines[2]
    );
    assert!(
        lines[3].starts_with("in.csv,5,\"count \"\"151.5\"\" is not a whole number"),
        "{}",
        lines[3]
    );
    assert_eq!(lines.len(), 4);
}

#[test]
fn json_accounting_counts_tokens() {
    let work = Workdir::new();
    let source = root().join("tests/bad-input/tokens-and-negatives.csv");
    std::fs::copy(&source, work.path().join("in.csv")).expect("copy");
    let (code, stdout, _) = output(
        work.command()
            .args(["validate", "in.csv", "--format", "json", "-q"]),
    );
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    let input = &doc["inputs"][0];
    assert_eq!(input["rows_read"], 3);
    assert_eq!(input["negative_counts"], 1);
    let tokens: Vec<(String, String, u64)> = input["missing_tokens"]
        .as_array()
        .expect("tokens")
        .iter()
        .map(|t| {
            (
                t["column"].as_str().unwrap_or_default().to_string(),
                t["token"].as_str().unwrap_or_default().to_string(),
                t["cells"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        tokens,
        [
            ("assigned_in_period".into(), "..".into(), 1),
            ("assigned_in_period".into(), "[x]".into(), 1),
            ("recorded_in_period".into(), "*".into(), 1),
            ("recorded_in_period".into(), "NA".into(), 1),
            ("recorded_in_period".into(), "[c]".into(), 1),
        ]
    );
}

/// A work folder holding the fixture table as `in.csv` and its canonical Parquet `a.parquet`
/// (written by `ingest`).
fn canonical_fixture() -> Workdir {
    let work = Workdir::new();
    let source = root().join("tests/fixtures/ho-2018-19-extract.csv");
    std::fs::copy(&source, work.path().join("in.csv")).expect("copy");
    let (code, _, stderr) =
        output(
            work.command()
                .args(["ingest", "in.csv", "--out", "a.parquet", "-q"]),
        );
    assert_eq!(code, 0, "{stderr}");
    work
}

/// A canonical Parquet holding a key twice is refused, even alone.
#[test]
fn canonical_parquet_with_a_repeated_key_is_refused() {
    let work = canonical_fixture();
    let mut table = outcome_lens::output::read_parquet(&work.path().join("a.parquet")).unwrap();
    let first_row = table.slice(0, 1);
    table.vstack_mut(&first_row).unwrap();
    outcome_lens::output::write_parquet(&work.path().join("twice.parquet"), &mut table).unwrap();
    let (code, _, stderr) =
        output(
            work.command()
                .args(["ingest", "twice.parquet", "--out", "b.parquet", "-q"]),
        );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("twice.parquet: duplicate records for 2018/19 Q"),
        "{stderr}"
    );
    assert!(!work.path().join("b.parquet").exists());
}

/// A canonical Parquet written by `ingest` is accepted as an input and gives the same table;
/// passing it together with its source is refused as a duplicate.
#[test]
fn canonical_parquet_is_an_input() {
    let work = canonical_fixture();
    let (code, stdout, stderr) =
        output(
            work.command()
                .args(["ingest", "a.parquet", "--out", "b.parquet", "-q"]),
        );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("a.parquet,parquet,home_office,506,506,0,0,0"),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read(work.path().join("a.parquet")).unwrap(),
        std::fs::read(work.path().join("b.parquet")).unwrap()
    );
    let (code, _, stderr) = output(work.command().args(["validate", "in.csv", "a.parquet"]));
    assert_eq!(code, 1);
    assert!(
        stderr.contains("a.parquet: duplicate records for 2018/19 Q1 Avon and Somerset offence"),
        "{stderr}"
    );
}

/// Large inputs are read by two threads; the table, the accounting and the quarantine are
/// byte for byte those of a sequential read, and problems in the second half name the right
/// line.
#[test]
fn parallel_read_equals_sequential() {
    let work = Workdir::new();
    let sample = root().join("data/sample/ho-outcomes-ye-mar2019-sample.csv.gz");
    let mut text = String::new();
    use std::io::Read;
    flate2::read::GzDecoder::new(std::fs::File::open(&sample).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(lines.len(), 114_381);
    // Quarantine one row near the end (line 114,000) by breaking its count.
    let mut edited: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let bad = &mut edited[113_999];
    let cut = bad.rfind(',').unwrap();
    bad.replace_range(cut + 1.., "abc");
    std::fs::write(work.path().join("in.csv"), edited.join("\r\n")).unwrap();
    let ingest = |sequential: bool, out: &str| {
        let mut cmd = work.command();
        if sequential {
            cmd.env("OUTCOME_LENS_SEQUENTIAL", "1");
        }
        output(cmd.args(["ingest", "in.csv", "--out", out, "--format", "json", "-q"]))
    };
    let (code_a, json_a, stderr_a) = ingest(false, "parallel.parquet");
    let (code_b, json_b, _) = ingest(true, "sequential.parquet");
    assert_eq!((code_a, code_b), (0, 0), "{stderr_a}");
    assert_eq!(json_a, json_b);
    let read = |name: &str| std::fs::read(work.path().join(name)).unwrap();
    assert!(
        read("parallel.parquet") == read("sequential.parquet"),
        "tables differ"
    );
    assert_eq!(
        read("parallel.quarantine.csv"),
        read("sequential.quarantine.csv")
    );
    let quarantine = String::from_utf8(read("parallel.quarantine.csv")).unwrap();
    assert!(
        quarantine
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("in.csv,114000,"),
        "{quarantine}"
    );

    // A duplicate across the halves (the first data row again at the end) and an unknown
    // force in the second half are reported at their own lines.
    let mut with_duplicate = lines.clone();
    with_duplicate.push(lines[1]);
    std::fs::write(work.path().join("dup.csv"), with_duplicate.join("\r\n")).unwrap();
    let (code, _, stderr) = output(work.command().args(["validate", "dup.csv"]));
    assert_eq!(code, 1);
    assert!(
        stderr.contains("dup.csv:114382: duplicate row for 2018/19 Q1"),
        "{stderr}"
    );
    assert!(stderr.contains("first seen at dup.csv:2"), "{stderr}");
    let mut unknown: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let fields: Vec<&str> = lines[100_000].split(',').collect();
    unknown[100_000] = lines[100_000].replacen(&format!(",{},", fields[2]), ",Atlantis,", 1);
    std::fs::write(work.path().join("unknown.csv"), unknown.join("\r\n")).unwrap();
    let (code, _, stderr) = output(work.command().args(["validate", "unknown.csv"]));
    assert_eq!(code, 1);
    assert!(
        stderr.contains("unknown.csv:100001: unknown force \"Atlantis\""),
        "{stderr}"
    );

    // The two halves' text is checked on two threads: a Windows-1252 dash in the second half
    // is reported at its line and offset in the whole file, and a NUL byte in the second half
    // outranks a bad byte in the first, exactly as a sequential check reports them.
    let joined = lines.join("\r\n");
    let offset_of_line = |n: usize| lines[..n - 1].iter().map(|l| l.len() + 2).sum::<usize>();
    let mut dash = joined.clone().into_bytes();
    let dash_at = offset_of_line(100_001) + 10;
    dash[dash_at] = 0x96;
    let mut binary = dash.clone();
    binary[offset_of_line(1_000) + 5] = 0x96;
    binary[offset_of_line(110_000)] = 0;
    std::fs::write(work.path().join("dash.csv"), &dash).unwrap();
    std::fs::write(work.path().join("binary.csv"), &binary).unwrap();
    let validate = |name: &str, sequential: bool| {
        let mut cmd = work.command();
        if sequential {
            cmd.env("OUTCOME_LENS_SEQUENTIAL", "1");
        }
        output(cmd.args(["validate", name]))
    };
    let parallel = validate("dash.csv", false);
    let (code, _, stderr) = &parallel;
    assert_eq!(*code, 1);
    assert!(
        stderr.contains(&format!(
            "dash.csv:100001: not valid UTF-8 at byte offset {dash_at} (byte 0x96); the file looks like Windows-1252 (an en dash there)"
        )),
        "{stderr}"
    );
    assert_eq!(validate("dash.csv", true), parallel);
    let parallel = validate("binary.csv", false);
    let (code, _, stderr) = &parallel;
    assert_eq!(*code, 1);
    assert!(
        stderr.contains(&format!(
            "binary.csv: looks like a binary file, not a CSV table (NUL byte at byte offset {})",
            offset_of_line(110_000)
        )),
        "{stderr}"
    );
    assert_eq!(validate("binary.csv", true), parallel);
}
