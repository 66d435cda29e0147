//! Honest numbers (issue #16): partial data is said to be partial, missing counts stay
//! missing, one odd unit never stops a national run, and gates and charts say what they mean.
//! Each test here failed before the fix it names.

use std::io::Read;

use crate::support::{root, Workdir};

/// `outcome-lens <args>` in `work` with its private ingest cache.
fn outcome_lens(work: &Workdir, args: &[&str]) -> (i32, String, String) {
    work.run(args)
}

/// The bundled sample table's rows (header first), as records.
fn sample_records() -> Vec<csv::StringRecord> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(
        std::fs::File::open(root().join("data/sample/ho-outcomes-ye-mar2019-sample.csv.gz"))
            .unwrap(),
    )
    .read_to_string(&mut text)
    .unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    reader.records().map(|r| r.unwrap()).collect()
}

/// Writes records as a CSV file.
fn write_records(path: &std::path::Path, records: &[csv::StringRecord]) {
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .from_path(path)
        .unwrap();
    for record in records {
        writer.write_record(record).unwrap();
    }
    writer.flush().unwrap();
}

/// An analysis file over `input` (DA proxy scope, 2018/19 unless `extra` says otherwise).
fn analysis(work: &Workdir, input: &str, extra: &str) {
    let text = format!(
        "inputs = [\"{input}\"]\nscope = \"domestic_abuse_proxy\"\nfocus = [\"Cleveland\"]\n{extra}\n[outputs]\nfolder = \"out\"\n"
    );
    std::fs::write(work.path().join("analysis.toml"), text).unwrap();
}

fn read(work: &Workdir, file: &str) -> String {
    work.read(file)
}

/// The force_comparison.csv row of `force`, as column → value.
fn force_row(work: &Workdir, force: &str) -> std::collections::BTreeMap<String, String> {
    let mut reader = csv::Reader::from_path(work.path().join("out/tables/force_comparison.csv"))
        .expect("force_comparison.csv");
    let headers = reader.headers().unwrap().clone();
    for record in reader.records() {
        let record = record.unwrap();
        if &record[0] == force {
            return headers
                .iter()
                .zip(record.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect();
        }
    }
    panic!("no row for {force}");
}

fn summary(work: &Workdir) -> serde_json::Value {
    serde_json::from_str(&read(work, "out/summary.json")).unwrap()
}

/// A rolling window the data cover only half of is an error; with `allow_partial_period`
/// it runs and every output names the quarters it holds. Before: "12 months to 2018/19 Q2"
/// everywhere on two quarters of data, exit 0.
#[test]
fn a_window_the_data_do_not_cover_is_an_error_or_said_to_be_partial() {
    let work = Workdir::new();
    std::fs::copy(
        root().join("data/sample/ho-outcomes-ye-mar2019-sample.csv.gz"),
        work.path().join("t.csv.gz"),
    )
    .unwrap();
    analysis(
        &work,
        "t.csv.gz",
        "period = { rolling_12_months_to = \"2018/19 Q2\" }",
    );
    let (code, _, stderr) = outcome_lens(&work, &["run", "--config", "analysis.toml"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        "outcome-lens: period \"12 months to 2018/19 Q2\" is not covered by the inputs: they hold 2 of its 4 quarters (2018/19 Q1, 2018/19 Q2), not 2017/18 Q3, 2017/18 Q4; set allow_partial_period = true to compare on the quarters held (every output then says so), or choose a period the inputs cover"
    );
    assert!(!work.path().join("out").exists());

    analysis(
        &work,
        "t.csv.gz",
        "period = { rolling_12_months_to = \"2018/19 Q2\" }\nallow_partial_period = true",
    );
    let (code, _, stderr) = outcome_lens(&work, &["run", "--config", "analysis.toml"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("outcome-lens: note: the period is partial: the inputs hold 2 of its 4 quarters (2018/19 Q1, 2018/19 Q2), not 2017/18 Q3, 2017/18 Q4"),
        "{stderr}"
    );
    let label = "12 months to 2018/19 Q2 (partial: 2018/19 Q1, 2018/19 Q2 only)";
    let s = summary(&work);
    assert_eq!(s["period"], label);
    assert_eq!(s["period_partial"], true);
    assert_eq!(
        s["periods_not_held"],
        serde_json::json!(["2017/18 Q3", "2017/18 Q4"])
    );
    assert_eq!(force_row(&work, "Cleveland")["period"], label);
    let report = read(&work, "out/report.md");
    assert!(
        report.contains(label),
        "the report names the partial period"
    );
    assert!(
        report.contains("The period is partial"),
        "and opens with the notice"
    );
    let funnel = read(&work, "out/charts/funnel.svg");
    assert!(
        funnel.contains("(partial: 2018/19 Q1, 2018/19 Q2 of the period only)"),
        "the chart's subtitle says so"
    );
}

/// A force whose last quarter's rows are deleted, and the focus force whose last quarter's
/// counts are blank, are compared on 3 quarters: flagged in force_comparison.csv
/// (`periods_present`), on stderr, in summary.json and in the report, and the focus force's
/// line says so. Before: compared on 3 quarters against others' 4 while every output said
/// 2018/19, exit 0.
#[test]
fn a_unit_missing_a_quarter_is_flagged() {
    let work = Workdir::new();
    let mut records = sample_records();
    records.retain(|r| !(&r[2] == "Durham" && &r[1] == "4"));
    let mut blanked = 0;
    for r in records.iter_mut().skip(1) {
        if &r[2] == "Cleveland" && &r[1] == "4" {
            let mut cells: Vec<String> = r.iter().map(String::from).collect();
            cells[12] = "[x]".into();
            *r = csv::StringRecord::from(cells);
            blanked += 1;
        }
    }
    assert!(blanked > 100);
    write_records(&work.path().join("t.csv"), &records);
    analysis(&work, "t.csv", "period = \"2018/19\"");
    let (code, _, stderr) = outcome_lens(&work, &["run", "--config", "analysis.toml"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("outcome-lens: note: 2 units hold fewer periods than the national set's 4 and are compared on the periods they hold (periods_present in force_comparison.csv): Cleveland (3 of 4: no 2018/19 Q4), Durham (3 of 4: no 2018/19 Q4)"),
        "{stderr}"
    );
    let focus_line = stderr
        .lines()
        .find(|l| l.starts_with("Cleveland:"))
        .unwrap();
    assert!(
        focus_line.ends_with("; partial: compared on 3 of 4 periods (no 2018/19 Q4)"),
        "{focus_line}"
    );
    // The blanked quarter's cells are missing, not zero.
    assert!(stderr.contains("count cells in scope and period were missing (never taken as zero)"));
    for force in ["Cleveland", "Durham"] {
        let row = force_row(&work, force);
        assert_eq!(row["periods_present"], "3", "{force}");
        assert_eq!(row["periods_missing"], "2018/19 Q4", "{force}");
    }
    let row = force_row(&work, "Cleveland");
    assert_ne!(row["cells_left_out"], "0");
    assert_eq!(force_row(&work, "Kent")["periods_present"], "4");
    let s = summary(&work);
    assert_eq!(
        s["focus"][0]["periods_missing"],
        serde_json::json!(["2018/19 Q4"])
    );
    let kinds: Vec<&str> = s["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"partial_units") && kinds.contains(&"missing_counts"),
        "{kinds:?}"
    );
    let report = read(&work, "out/report.md");
    assert!(
        report.contains("Partial: Cleveland holds counts for 3 of the 4 periods the national set holds (none for 2018/19 Q4)"),
        "the focus force's summary says so"
    );
    // --strict refuses such data and writes nothing.
    let (code, _, stderr) = outcome_lens(
        &work,
        &[
            "run",
            "--config",
            "analysis.toml",
            "--out",
            "strict",
            "--strict",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("--strict: the data are not complete, so nothing was written: 2 units hold fewer periods"),
        "{stderr}"
    );
    assert_eq!(
        stderr
            .lines()
            .filter(|l| l.starts_with("outcome-lens: --strict"))
            .count(),
        1
    );
    assert!(!work.path().join("strict").exists());
}

/// Writes a tidy-counts table and an analysis file over it with `extra` keys.
fn tidy(work: &Workdir, rows: &str, extra: &str) {
    std::fs::write(
        work.path().join("t.csv"),
        format!("unit,period,numerator,denominator\n{rows}"),
    )
    .unwrap();
    std::fs::write(
        work.path().join("analysis.toml"),
        format!("inputs = [\"t.csv\"]\n{extra}\n[outputs]\nfolder = \"out\"\n"),
    )
    .unwrap();
}

/// Six units whose rates spread a little around 30%.
const UNITS: &str = "B,2019/20,30,100\nC,2019/20,33,110\nD,2019/20,28,95\nE,2019/20,31,105\nF,2019/20,29,98\nG,2019/20,35,112\n";

/// `A,NA,100` is left out (it was 0/100: flagged low, and φ jumped from 0.09 to 21.8); in a
/// two-period unit NA/100 + 20/100 is 20/100 over the period held, not 20/200.
#[test]
fn a_missing_numerator_is_never_zero() {
    let work = Workdir::new();
    tidy(&work, UNITS, "");
    let (code, _, stderr) = outcome_lens(&work, &["run", "--config", "analysis.toml"]);
    assert_eq!(code, 0, "{stderr}");
    let phi_without_a = summary(&work)["phi"].as_f64().unwrap();

    tidy(&work, &format!("A,2019/20,NA,100\n{UNITS}"), "");
    let (code, _, stderr) = outcome_lens(&work, &["run", "--config", "analysis.toml", "--force"]);
    assert_eq!(code, 0, "{stderr}");
    let s = summary(&work);
    assert_eq!(
        s["phi"].as_f64().unwrap().to_bits(),
        phi_without_a.to_bits(),
        "A moved every unit's limits"
    );
    assert_eq!(s["n_units"], 6);
    assert!(
        stderr.contains("1 count cell in scope and period was missing (never taken as zero); the 1 cell holding it was left out of the sums whole, numerator and denominator (cells_left_out in force_comparison.csv): A (1)"),
        "{stderr}"
    );
    assert!(stderr.contains("1 unit has no outcomes in scope and period (denominator 0 or missing) and is left out of the funnel: A"));
    let table = read(&work, "out/tables/force_comparison.csv");
    assert!(
        !table.lines().any(|l| l.starts_with("A,")),
        "A is not placed as 0/100:\n{table}"
    );

    tidy(
        &work,
        &format!(
            "A,2018/19,NA,100\nA,2019/20,20,100\n{}{}",
            UNITS,
            UNITS.replace("2019/20", "2018/19")
        ),
        "focus = [\"A\"]",
    );
    let (code, _, stderr) = outcome_lens(&work, &["run", "--config", "analysis.toml", "--force"]);
    assert_eq!(code, 0, "{stderr}");
    let row = force_row(&work, "A");
    assert_eq!(
        (row["numerator"].as_str(), row["denominator"].as_str()),
        ("20", "100")
    );
    assert_eq!(row["periods_present"], "1");
    assert_eq!(row["periods_missing"], "2018/19");
    assert_eq!(row["cells_left_out"], "1");
}

/// A unit whose numerator is 0 in every one of its periods (not a focus unit) no longer stops
/// the run ("natural-scale z-scores need a target strictly between 0 and 1, got 0"): its
/// series has no limits, said in trend.csv, on stderr and in the chart.
#[test]
fn an_all_zero_unit_keeps_its_series_without_limits() {
    let work = Workdir::new();
    let two_years = format!(
        "{UNITS}{}Z,2018/19,0,50\nZ,2019/20,0,60\n",
        UNITS.replace("2019/20", "2018/19")
    );
    tidy(&work, &two_years, "focus = [\"B\"]");
    let (code, _, stderr) = outcome_lens(&work, &["run", "--config", "analysis.toml"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("1 unit has no control limits, as its rate is 0% (or 100%) in every period (spc_note in trend.csv): Z"),
        "{stderr}"
    );
    let trend = read(&work, "out/tables/trend.csv");
    let z: Vec<&str> = trend.lines().filter(|l| l.starts_with("Z,")).collect();
    assert_eq!(z.len(), 2);
    assert!(
        z.iter()
            .all(|l| l.ends_with(",no control limits: the rate is 0% in every period")),
        "{z:?}"
    );
    // The same unit as the focus: its control chart is drawn, without limits, and says why.
    tidy(&work, &two_years, "focus = [\"Z\"]");
    let (code, _, stderr) = outcome_lens(&work, &["run", "--config", "analysis.toml", "--force"]);
    assert_eq!(code, 0, "{stderr}");
    let chart = read(&work, "out/charts/spc-z.svg");
    assert!(chart.contains("No control limits: the rate is 0% in every period."));
}

/// One unit against a fixed target with no overdispersion adjustment runs (it was refused:
/// "overdispersion needs at least 2 units"); with an adjustment the refusal says what to set.
#[test]
fn a_single_unit_against_a_fixed_target() {
    let work = Workdir::new();
    let extra = "focus = [\"B\"]\n[funnel]\noverdispersion = \"none\"\ntarget = 0.25";
    tidy(&work, "B,2019/20,30,100\n", extra);
    let (code, _, stderr) = outcome_lens(&work, &["run", "--config", "analysis.toml"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("outcome-lens: note: the funnel has 1 unit in its national set: with fewer than 5, the target, φ and τ² rest on too few units to be trusted"),
        "{stderr}"
    );
    assert_eq!(summary(&work)["target"], 0.25);
    tidy(&work, "B,2019/20,30,100\n", "[funnel]\ntarget = 0.25");
    let (code, _, stderr) = outcome_lens(&work, &["run", "--config", "analysis.toml", "--force"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("national funnel: overdispersion = \"additive\" needs at least 2 units in the national set"),
        "{stderr}"
    );
}

/// `--fail-on high_95` fires for a force above the 99.8% limit too (it did not), and
/// `above_95` is another name for it.
#[test]
fn a_gate_fires_for_its_level_and_every_more_extreme_one() {
    let work = Workdir::with_sample();
    for (gate, code) in [
        ("high_95", 3),
        ("above_95", 3),
        ("high_998", 3),
        ("within", 0),
        ("low_95", 0),
    ] {
        let out = format!("out-{gate}");
        let (got, _, stderr) = outcome_lens(
            &work,
            &[
                "run",
                "--config",
                "analysis.toml",
                "--out",
                &out,
                "--fail-on",
                gate,
                "-q",
            ],
        );
        assert_eq!(got, code, "{gate}: {stderr}");
        if code == 3 {
            let canonical = gate.replace("above_", "high_");
            assert!(
                stderr.contains(&format!(
                    "--fail-on {canonical}: Cleveland is flagged high_998"
                )),
                "{gate}: {stderr}"
            );
        }
    }
}

/// `chart <RUN> --size slide` without `--out` is refused (it rewrote the run's charts and
/// left manifest.json stale, and `diff` then found no difference); `diff` compares charts'
/// bytes.
#[test]
fn charts_are_never_silently_replaced_and_diff_sees_them() {
    let work = Workdir::with_sample();
    let (code, _, stderr) = outcome_lens(
        &work,
        &["run", "--config", "analysis.toml", "--out", "a", "-q"],
    );
    assert_eq!(code, 0, "{stderr}");
    let before = read(&work, "a/charts/funnel.svg");
    let (code, _, stderr) = outcome_lens(&work, &["chart", "a", "--size", "slide"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("give --out DIR for them"), "{stderr}");
    assert_eq!(read(&work, "a/charts/funnel.svg"), before);
    // In place with the run's own settings: the same bytes, the manifest still true.
    let manifest = read(&work, "a/manifest.json");
    let (code, _, stderr) = outcome_lens(&work, &["chart", "a"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(read(&work, "a/manifest.json"), manifest);
    // A copy of the run with one chart changed: diff names it.
    let copy = |from: &std::path::Path, to: &std::path::Path| {
        for entry in walk(from) {
            let target = to.join(entry.strip_prefix(from).unwrap());
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(&entry, &target).unwrap();
        }
    };
    copy(&work.path().join("a"), &work.path().join("b"));
    std::fs::write(
        work.path().join("b/charts/funnel.svg"),
        before.replace("Cleveland", "Clevel&#97;nd"),
    )
    .unwrap();
    let (code, stdout, _) = outcome_lens(&work, &["diff", "a", "b"]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("chart,funnel.svg,sha256,")),
        "{stdout}"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// A focus force whose rows were all quarantined is named with the real reason (it was
/// "has no rows in the inputs"), and quarantined rows are a notice of their own.
#[test]
fn a_quarantined_focus_force_is_named_with_the_reason() {
    let work = Workdir::new();
    let mut records = sample_records();
    for r in records.iter_mut().skip(1) {
        if &r[2] == "Cleveland" {
            let mut cells: Vec<String> = r.iter().map(String::from).collect();
            cells[10] = "sixteen".into();
            *r = csv::StringRecord::from(cells);
        }
    }
    write_records(&work.path().join("t.csv"), &records);
    analysis(&work, "t.csv", "");
    let (code, _, stderr) = outcome_lens(&work, &["run", "--config", "analysis.toml"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("focus: \"Cleveland\" has no rows loaded: its "),
        "{stderr}"
    );
    assert!(
        stderr.contains("rows were quarantined (the first at t.csv:"),
        "{stderr}"
    );
    // Another force's quarantined rows are a notice naming quarantine.csv.
    std::fs::write(
        work.path().join("analysis.toml"),
        "inputs = [\"t.csv\"]\nscope = \"domestic_abuse_proxy\"\nfocus = [\"Durham\"]\n[outputs]\nfolder = \"out\"\n",
    )
    .unwrap();
    let (code, _, stderr) = outcome_lens(&work, &["run", "--config", "analysis.toml"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("rows of the inputs could not be loaded and were left out (quarantine.csv has each with its file, line and reason)"),
        "{stderr}"
    );
    assert!(summary(&work)["notices"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["kind"] == "quarantined_rows"));
}

/// A header with `Force Name` twice is an error naming the column (it was a duplicate-row
/// error); the header repeated inside the data and footnotes below it are counted as such,
/// not quarantined; an England and Wales totals row is a total, not a 45th force.
#[test]
fn headers_footnotes_and_totals_in_the_accounting() {
    let work = Workdir::new();
    let records = sample_records();
    let header = records[0].clone();
    let mut doubled: Vec<String> = header.iter().map(String::from).collect();
    doubled.push("Force Name".into());
    let mut rows = vec![csv::StringRecord::from(doubled)];
    for r in records.iter().skip(1).take(3) {
        let mut cells: Vec<String> = r.iter().map(String::from).collect();
        cells.push("Cheshire".into());
        rows.push(csv::StringRecord::from(cells));
    }
    write_records(&work.path().join("dup.csv"), &rows);
    let (code, _, stderr) = outcome_lens(&work, &["validate", "dup.csv"]);
    assert_eq!(code, 1);
    assert_eq!(
        stderr.trim_end(),
        "outcome-lens: dup.csv:1: the header has the column \"Force Name\" twice (columns 3 and 14): remove or rename one"
    );

    let mut pasted: Vec<csv::StringRecord> = records[..200].to_vec();
    pasted.push(header.clone());
    pasted.extend(records[200..400].iter().cloned());
    let mut total: Vec<String> = records[1].iter().map(String::from).collect();
    total[2] = "England and Wales".into();
    pasted.push(csv::StringRecord::from(total));
    pasted.push(csv::StringRecord::from(vec![
        "Source: Home Office, police recorded crime outcomes",
    ]));
    pasted.push(csv::StringRecord::from(vec![
        "Note 1",
        "Counts may be revised.",
    ]));
    write_records(&work.path().join("pasted.csv"), &pasted);
    let (code, stdout, stderr) =
        outcome_lens(&work, &["validate", "pasted.csv", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("note: pasted.csv: the header appears again in 1 row"),
        "{stderr}"
    );
    assert!(
        stderr.contains("note: pasted.csv: 2 rows below the table taken for footnotes"),
        "{stderr}"
    );
    assert!(
        stderr.contains(" and 1 total (England and Wales), not a force"),
        "{stderr}"
    );
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let account = &json["inputs"][0];
    assert_eq!(account["rows_read"], 400, "{account}");
    assert_eq!(account["rows_quarantined"], 0);
    assert_eq!(account["header_rows_repeated"], 1);
    assert_eq!(account["note_rows"], 2);
    assert_eq!(
        json["total"]["aggregates"],
        serde_json::json!(["England and Wales"])
    );
    // A note-like row with data after it is a quarantined row, as before.
    let mut middle: Vec<csv::StringRecord> = records[..100].to_vec();
    middle.push(csv::StringRecord::from(vec!["Source: Home Office"]));
    middle.extend(records[100..150].iter().cloned());
    write_records(&work.path().join("middle.csv"), &middle);
    let (code, stdout, _) = outcome_lens(&work, &["validate", "middle.csv", "--format", "json"]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["inputs"][0]["rows_quarantined"], 1);
    assert!(json["inputs"][0].get("note_rows").is_none());
}
