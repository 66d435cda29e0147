//! The analysis run end to end: numbers against R, goldens, determinism, diff, bad analysis
//! files, interrupted runs, locks and the CI gate.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::support::{output, realdata, root, Workdir};

const FULL_TABLE: &str = "home-office-outcomes/prc-outcomes-open-data-mar2019-tables.FULL.csv.gz";

/// Writes an analysis file into the work folder and returns its name.
fn analysis(work: &Workdir, name: &str, text: &str) -> String {
    std::fs::write(work.path().join(name), text).expect("write analysis file");
    name.to_string()
}

/// `outcome-lens run ARGS` in `work` with its private ingest cache.
fn run(work: &Workdir, args: &[&str]) -> (i32, String, String) {
    work.run(&[&["run"], args].concat())
}

/// Reads the R reference rows of one scope: force → column → text.
fn r_reference(scope: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let path = root().join("tests/reference/run_2018_19.csv");
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_path(path)
        .expect("reference");
    let headers = reader.headers().expect("header").clone();
    let mut rows = BTreeMap::new();
    for record in reader.records() {
        let record = record.expect("row");
        if &record[0] != scope {
            continue;
        }
        let row: BTreeMap<String, String> = headers
            .iter()
            .zip(record.iter())
            .map(|(h, v)| (h.to_string(), v.to_string()))
            .collect();
        rows.insert(record[1].to_string(), row);
    }
    rows
}

fn close(actual: f64, expected: f64) -> bool {
    outcome_lens::stats::tolerance::close_relative(
        actual,
        expected,
        outcome_lens::stats::tolerance::RELATIVE_EXACT,
    )
}

/// Compares a run's force table (full precision, from Parquet) and summary with R.
fn check_against_r(run_dir: &Path, scope: &str) {
    let reference = r_reference(scope);
    assert_eq!(
        reference.len(),
        43,
        "the R table has the 43 territorial forces"
    );
    let file = std::fs::File::open(run_dir.join("data/force_comparison.parquet")).expect("parquet");
    let df = ParquetReader::new(file).finish().expect("read parquet");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run_dir.join("summary.json")).unwrap())
            .unwrap();
    let any = reference.values().next().unwrap();
    for field in ["target", "phi", "tau2"] {
        let expected: f64 = any[field].parse().unwrap();
        let actual = summary[field].as_f64().unwrap();
        assert!(
            close(actual, expected),
            "{scope} {field}: ours {actual}, R {expected}"
        );
    }
    assert_eq!(summary["n_units"], 43);
    let forces = df.column("force").unwrap().str().unwrap().clone();
    let national = df
        .column("in_national_set")
        .unwrap()
        .bool()
        .unwrap()
        .clone();
    let mut compared = 0;
    for i in 0..df.height() {
        let force = forces.get(i).unwrap();
        let Some(expected) = reference.get(force) else {
            assert!(
                !national.get(i).unwrap(),
                "{force} is in our national set but not R's"
            );
            continue;
        };
        for field in ["numerator", "denominator"] {
            let actual = df.column(field).unwrap().i64().unwrap().get(i).unwrap();
            assert_eq!(
                actual.to_string(),
                expected[field],
                "{scope} {force} {field}"
            );
        }
        for field in [
            "rate",
            "z",
            "z_adjusted",
            "limit95_low",
            "limit95_high",
            "limit998_low",
            "limit998_high",
            "limit95_low_unadjusted",
            "limit95_high_unadjusted",
            "limit998_low_unadjusted",
            "limit998_high_unadjusted",
        ] {
            let actual = df.column(field).unwrap().f64().unwrap().get(i).unwrap();
            let wanted: f64 = expected[field].parse().unwrap();
            assert!(
                close(actual, wanted),
                "{scope} {force} {field}: ours {actual}, R {wanted}"
            );
        }
        for field in ["flag", "flag_unadjusted"] {
            let actual = df
                .column(field)
                .unwrap()
                .str()
                .unwrap()
                .get(i)
                .unwrap()
                .to_string();
            assert_eq!(actual, expected[field], "{scope} {force} {field}");
        }
        compared += 1;
    }
    assert_eq!(compared, 43);

    // Cleveland's indirectly standardised expectation, excess and offence-mix part.
    let path = root().join("tests/reference/run_2018_19_mix.csv");
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_path(path)
        .expect("mix reference");
    let headers = reader.headers().expect("header").clone();
    let row = reader
        .records()
        .map(|r| r.expect("row"))
        .find(|r| &r[0] == scope)
        .expect("the scope's mix row");
    let get = |name: &str| -> f64 {
        let i = headers.iter().position(|h| h == name).expect("column");
        row[i].parse().expect("number")
    };
    let focus = &summary["focus"][0];
    assert_eq!(focus["force"], "Cleveland");
    for (ours, theirs) in [
        ("expected", "expected"),
        ("excess", "excess"),
        ("explained_by_offence_mix", "mix"),
    ] {
        let actual = focus[ours].as_f64().unwrap();
        assert!(
            close(actual, get(theirs)),
            "{scope} {ours}: ours {actual}, R {}",
            get(theirs)
        );
    }
}

/// The real 2018/19 table, all offences: Cleveland 17,649 / 64,680, and every force's rate,
/// z, limits and flags equal base R's restatement of the method (tests/reference/run_2018_19.R).
#[test]
fn real_2018_19_all_offences_matches_r() {
    let work = Workdir::new();
    let input = realdata(FULL_TABLE);
    let file = analysis(
        &work,
        "real.toml",
        &format!(
            "inputs = [{:?}]\nperiod = \"2018/19\"\nfocus = [\"Cleveland\"]\n[mix]\nstrata = \"offence_group\"\n[outputs]\nfolder = \"run\"\n",
            input.display().to_string()
        ),
    );
    let (code, _, stderr) = run(&work, &["--config", &file]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("Cleveland: 27.3% (17,649 / 64,680), national 19.2%; above the 95% limit (high_95); rank 3 of 43"),
        "{stderr}"
    );
    check_against_r(&work.path().join("run"), "all");
    let table =
        std::fs::read_to_string(work.path().join("run/tables/force_comparison.csv")).unwrap();
    let cleveland = table.lines().find(|l| l.starts_with("Cleveland,")).unwrap();
    assert!(
        cleveland.starts_with("Cleveland,E23000013,2018/19,all offences,17649,64680,0.27286642,"),
        "{cleveland}"
    );
}

/// The bundled sample holds the proxy codes for all 44 forces, so its run must equal R's
/// proxy scope computed from the full table; its tables and summary match the goldens.
#[test]
fn sample_run_matches_r_and_goldens() {
    let work = Workdir::with_sample();
    let (code, _, stderr) = run(&work, &["--config", "analysis.toml", "--out", "out"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("Cleveland: 57.3% (9,261 / 16,168)"),
        "{stderr}"
    );
    let out = work.path().join("out");
    check_against_r(&out, "proxy");
    crate::golden::check_folder(&out, "sample");
}

#[test]
fn two_runs_are_byte_identical() {
    let work = Workdir::with_sample();
    assert_eq!(
        run(&work, &["--config", "analysis.toml", "--out", "a"]).0,
        0
    );
    let (code, _, stderr) = run(&work, &["--config", "analysis.toml", "--out", "b"]);
    assert_eq!(code, 0);
    assert!(
        stderr.contains("cached canonical table reused"),
        "the second run reuses the cache: {stderr}"
    );
    let files = crate::golden::files_under(&work.path().join("a"));
    assert!(files.len() >= 14, "{files:?}");
    assert_same_folders(&work.path().join("a"), &work.path().join("b"));
}

/// Asserts that two run folders hold the same files with the same bytes.
fn assert_same_folders(a: &std::path::Path, b: &std::path::Path) {
    let files = crate::golden::files_under(a);
    assert_eq!(files, crate::golden::files_under(b));
    for file in files {
        let same = std::fs::read(a.join(&file)).unwrap() == std::fs::read(b.join(&file)).unwrap();
        assert!(
            same,
            "{file} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

/// The cells cache is keyed by what the measure depends on: after a cached run, changing
/// the basis or the outcome gives the same folder as a cold run with those settings.
#[test]
fn cells_cache_is_keyed_by_basis_and_outcome() {
    let work = Workdir::with_sample();
    assert_eq!(
        run(&work, &["--config", "analysis.toml", "--out", "warm"]).0,
        0
    );
    let text = std::fs::read_to_string(work.path().join("analysis.toml")).unwrap();
    let changed = text
        .replace(
            "basis = \"assigned_in_period\"",
            "basis = \"recorded_in_period\"",
        )
        .replace("outcome = 16", "outcome = 15")
        // The reviewed audit is of outcome-16 closures: another outcome draws another sample.
        .replace("\nreviewed = \"audit_reviewed.csv\"", "");
    assert_ne!(
        changed, text,
        "the sample analysis names its basis and outcome"
    );
    std::fs::write(work.path().join("changed.toml"), changed).unwrap();
    let (code, _, stderr) = run(&work, &["--config", "changed.toml", "--out", "cached"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("cached canonical table reused"), "{stderr}");
    let mut cold = work.command();
    cold.env("OUTCOME_LENS_CACHE", work.path().join(".cold-cache"))
        .args(["run", "--config", "changed.toml", "--out", "cold"]);
    let (code, _, stderr) = output(&mut cold);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        !stderr.contains("cached canonical table reused"),
        "{stderr}"
    );
    let cached = work.path().join("cached");
    assert_same_folders(&cached, &work.path().join("cold"));
    let warm = std::fs::read(work.path().join("warm/tables/force_comparison.csv")).unwrap();
    let changed = std::fs::read(cached.join("tables/force_comparison.csv")).unwrap();
    assert_ne!(warm, changed, "the changed settings change the comparison");
}

/// An input whose identity changed (here its modification time) but not its bytes is read
/// and hashed again, at once, and the hash finds the cells cached under the old identity:
/// the run is the same, byte for byte, and says the cache was used.
#[test]
fn touched_input_is_hashed_again_and_its_cached_cells_used() {
    let work = Workdir::with_sample();
    let (code, _, stderr) = run(&work, &["--config", "analysis.toml", "--out", "first"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        !stderr.contains("cached canonical table reused"),
        "{stderr}"
    );
    let input = work.path().join("ho-outcomes-ye-mar2019-sample.csv.gz");
    let file = std::fs::File::options().write(true).open(&input).unwrap();
    file.set_modified(
        std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000),
    )
    .unwrap();
    drop(file);
    let (code, _, stderr) = run(&work, &["--config", "analysis.toml", "--out", "second"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("cached canonical table reused"), "{stderr}");
    assert_same_folders(&work.path().join("first"), &work.path().join("second"));
}

/// Several inputs are read one by one and each is cached by its own sha256 (the sample has
/// two): after one of them changes (here recompressed, so its bytes differ and its rows do
/// not), only that one is read again, and the run is the same byte for byte as the first.
#[test]
fn several_inputs_are_cached_one_by_one() {
    use std::io::{Read, Write};
    let work = Workdir::with_sample();
    let entries = |suffix: &str| {
        std::fs::read_dir(work.cache())
            .map(|dir| {
                dir.filter_map(Result::ok)
                    .filter(|e| e.file_name().to_string_lossy().ends_with(suffix))
                    .count()
            })
            .unwrap_or(0)
    };
    let (code, _, stderr) = run(&work, &["--config", "analysis.toml", "--out", "first"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(entries(".file.parquet"), 2, "one entry per input");
    let input = work.path().join("ho-outcomes-synthetic-series.csv.gz");
    let mut text = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&input).unwrap())
        .read_to_end(&mut text)
        .unwrap();
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(&text).unwrap();
    let recompressed = encoder.finish().unwrap();
    assert_ne!(recompressed, std::fs::read(&input).unwrap());
    std::fs::write(&input, recompressed).unwrap();
    let (code, _, stderr) = run(&work, &["--config", "analysis.toml", "--out", "second"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        entries(".file.parquet"),
        3,
        "only the changed input was read and cached again"
    );
    let differs: Vec<String> = crate::golden::files_under(&work.path().join("first"))
        .into_iter()
        .filter(|f| {
            std::fs::read(work.path().join("first").join(f)).unwrap()
                != std::fs::read(work.path().join("second").join(f)).unwrap()
        })
        .collect();
    // The manifest records each input's sha256, which changed; nothing else may.
    assert!(
        differs.iter().all(|f| f == "manifest.json"),
        "{differs:?} differ"
    );
    let (code, _, stderr) = run(&work, &["--config", "analysis.toml", "--out", "third"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("cached canonical table reused"), "{stderr}");
    assert_eq!(entries(".file.parquet"), 3, "nothing read again");
    assert_same_folders(&work.path().join("second"), &work.path().join("third"));
}

/// The 2018/19 sample split in two by quarter (no period in both: measured one input at a
/// time) and by force (every period in both: read together, their keys checked across the
/// inputs) gives the comparison of the whole table: every table is the same byte for byte.
/// A re-run after one part changed measures only that part.
#[test]
fn split_inputs_give_the_comparison_of_the_whole_table() {
    let work = Workdir::with_sample();
    let text = gunzip(&work.path().join("ho-outcomes-ye-mar2019-sample.csv.gz"));
    let mut lines = text.split("\r\n").filter(|l| !l.is_empty());
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let write = |name: &str, keep: &dyn Fn(&str) -> bool| {
        let part: Vec<&str> = std::iter::once(header)
            .chain(rows.iter().copied().filter(|l| keep(l)))
            .collect();
        std::fs::write(work.path().join(name), part.join("\r\n") + "\r\n").unwrap();
        part.len() - 1
    };
    let first_half = |l: &str| l.starts_with("2018/19,1,") || l.starts_with("2018/19,2,");
    let (q12, q34) = (
        write("q12.csv", &first_half),
        write("q34.csv", &|l| !first_half(l)),
    );
    let a_to_k = |l: &str| {
        l.split(',')
            .nth(2)
            .is_some_and(|force| force.as_bytes()[0].is_ascii_uppercase() && force < "L")
    };
    let (ak, lz) = (write("a-k.csv", &a_to_k), write("l-z.csv", &|l| !a_to_k(l)));
    assert_eq!((q12 + q34, ak + lz), (rows.len(), rows.len()));
    assert!(q12 > 0 && q34 > 0 && ak > 0 && lz > 0);
    let config = std::fs::read_to_string(work.path().join("analysis.toml")).unwrap();
    let whole = "\"ho-outcomes-ye-mar2019-sample.csv.gz\"";
    assert!(config.contains(whole));
    analysis(
        &work,
        "q.toml",
        &config.replace(whole, "\"q12.csv\", \"q34.csv\""),
    );
    analysis(
        &work,
        "f.toml",
        &config.replace(whole, "\"a-k.csv\", \"l-z.csv\""),
    );
    let cells = || {
        std::fs::read_dir(work.cache())
            .map(|dir| {
                dir.filter_map(Result::ok)
                    .filter(|e| {
                        e.file_name()
                            .to_string_lossy()
                            .ends_with(".file.cells.parquet")
                    })
                    .count()
            })
            .unwrap_or(0)
    };
    for (config, out) in [("analysis.toml", "whole"), ("q.toml", "q"), ("f.toml", "f")] {
        let (code, _, stderr) = run(&work, &["--config", config, "--out", out]);
        assert_eq!(code, 0, "{config}: {stderr}");
    }
    // Each input's cells are kept under the run's measure and the three alternatives measured
    // again: the whole table's, the series' (reused by the later runs) and the four parts'
    // (the parts by force are measured before their periods are seen to overlap).
    let keys = 4;
    assert_eq!(cells(), 6 * keys);
    let whole = work.path().join("whole");
    let tables = crate::golden::files_under(&whole.join("tables"));
    assert!(tables.len() > 20, "{tables:?}");
    for out in ["q", "f"] {
        let differs: Vec<&String> = tables
            .iter()
            .filter(|f| {
                std::fs::read(whole.join("tables").join(f)).unwrap()
                    != std::fs::read(work.path().join(out).join("tables").join(f)).unwrap()
            })
            .collect();
        assert!(
            differs.is_empty(),
            "{out}: {differs:?} differ from the whole table's"
        );
    }
    // One part's bytes changed (its line ends, not its rows): only it is measured again, and
    // the comparison is the same.
    let edited = std::fs::read_to_string(work.path().join("q34.csv"))
        .unwrap()
        .replace("\r\n", "\n");
    std::fs::write(work.path().join("q34.csv"), edited).unwrap();
    let (code, _, stderr) = run(&work, &["--config", "q.toml", "--out", "q2"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        cells(),
        7 * keys,
        "only the changed part was measured again"
    );
    assert_same_folders(&whole.join("tables"), &work.path().join("q2/tables"));
}

/// `diff` finds nothing between equal runs and names the one force that changed.
#[test]
fn diff_names_the_force_that_changed() {
    let work = Workdir::with_sample();
    assert_eq!(
        run(&work, &["--config", "analysis.toml", "--out", "a"]).0,
        0
    );
    assert_eq!(
        run(&work, &["--config", "analysis.toml", "--out", "b"]).0,
        0
    );
    let (code, stdout, _) = output(work.command().args(["diff", "a", "b"]));
    assert_eq!((code, stdout.as_str()), (0, "kind,subject,field,a,b\n"));

    // Halve Cumbria's outcome-16 closures for assault with injury in 2018/19 Q1 (476 → 238,
    // assigned basis) in a copy of the input.
    let text = gunzip(&work.path().join("ho-outcomes-ye-mar2019-sample.csv.gz"));
    let mut changed = 0;
    let edited: Vec<String> = text
        .split("\r\n")
        .map(|line| {
            if line.starts_with("2018/19,1,Cumbria,Assault with injury,") && line.contains(",16,") {
                changed += 1;
                let mut fields: Vec<&str> = line.split(',').collect();
                let last = fields.len() - 1;
                let halved = (fields[last].parse::<i64>().unwrap() / 2).to_string();
                let owned: Vec<String> = fields.drain(..).map(String::from).collect();
                let mut owned = owned;
                owned[last] = halved;
                owned.join(",")
            } else {
                line.to_string()
            }
        })
        .collect();
    assert_eq!(changed, 1);
    std::fs::write(work.path().join("edited.csv"), edited.join("\r\n")).unwrap();
    let config = std::fs::read_to_string(work.path().join("analysis.toml"))
        .unwrap()
        .replace("ho-outcomes-ye-mar2019-sample.csv.gz", "edited.csv");
    analysis(&work, "edited.toml", &config);
    assert_eq!(run(&work, &["--config", "edited.toml", "--out", "c"]).0, 0);
    let (code, stdout, _) = output(
        work.command()
            .args(["diff", "a", "c", "--tolerance", "0.005"]),
    );
    assert_eq!(code, 1, "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.iter().any(|l| l.starts_with("input,")), "{stdout}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("value,Cumbria,numerator,")),
        "{stdout}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("value,Cumbria,rate,")),
        "{stdout}"
    );
    // Only Cumbria's own rates move by more than 0.005: the target moves by 1e-4 and the
    // North West peer mean by 0.0024.
    let subjects: std::collections::BTreeSet<&str> = lines[1..]
        .iter()
        .filter(|l| l.starts_with("value,") || l.starts_with("flag,"))
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    assert_eq!(
        subjects.into_iter().collect::<Vec<_>>(),
        ["Cumbria"],
        "{stdout}"
    );
}

fn gunzip(path: &Path) -> String {
    use std::io::Read;
    let bytes = std::fs::read(path).unwrap();
    let mut text = String::new();
    flate2::read::GzDecoder::new(bytes.as_slice())
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// Bad analysis files stop with a clear message, exit 1, and leave no output folder.
#[test]
fn bad_analysis_files() {
    let cases: &[(&str, &str)] = &[
        ("title = \"x\"\nbogus_key = 1\n", "analysis.toml:2: unknown field `bogus_key`, expected one of"),
        // See: #21. The new sections' keys and values are checked as the others are.
        ("[charts]\nunadjusted_limits = \"no\"\n", "analysis.toml:3: invalid type: string \"no\", expected a boolean"),
        ("[charts]\nzero = true\n", "analysis.toml:3: unknown field `zero`, expected `unadjusted_limits` or `y_from_zero`"),
        ("[sensitivity]\nalternatives = \"basis\"\n", "analysis.toml:3: invalid type: string \"basis\", expected a sequence"),
        ("[sensitivity]\nalternatives = [\"bases\"]\n", "sensitivity.alternatives: \"bases\" is not one of basis, strata, outcome, denominator, city_of_london, overdispersion"),
        ("[peers.groups.g]\nlabel = 3\nmembers = [\"Cleveland\"]\n", "analysis.toml:3: invalid type: integer `3`, expected a string"),
        ("focus = [\"Clevland\"]\n", "focus: unknown force \"Clevland\"; closest known names: Cleveland"),
        (
            "scope = \"nothing\"\n[scopes.nothing]\ninclude_codes = [\"ZZ9\"]\n",
            "scope \"nothing\": include_codes: \"ZZ9\" not in the inputs; valid values:",
        ),
        (
            "scope = \"nothing\"\n[scopes.nothing]\ninclude_codes = [\"8N\"]\nexclude_codes = [\"8N\"]\n",
            "scope \"nothing\" selects no rows in the inputs",
        ),
        ("period = \"2019/20\"\n", "period \"2019/20\" has no data in the inputs; they hold 2018/19 Q1, 2018/19 Q2, 2018/19 Q3, 2018/19 Q4"),
        ("[funnel]\nmethod = \"wilson\"\n", "unknown variant `wilson`, expected one of `normal`, `exact`, `arcsine`"),
    ];
    for (extra, message) in cases {
        let work = Workdir::with_sample();
        let text = format!("{extra}inputs = [\"ho-outcomes-ye-mar2019-sample.csv.gz\"]\n[outputs]\nfolder = \"out\"\n");
        // Top-level keys must come before tables, so put the case's tables last.
        let table_start = if extra.starts_with('[') {
            Some(0)
        } else {
            extra.find("\n[").map(|i| i + 1)
        };
        let text = match table_start {
            Some(i) => format!(
                "{}inputs = [\"ho-outcomes-ye-mar2019-sample.csv.gz\"]\n{}[outputs]\nfolder = \"out\"\n",
                &extra[..i],
                &extra[i..]
            ),
            None => text,
        };
        analysis(&work, "analysis.toml", &text);
        let (code, _, stderr) = run(&work, &["--config", "analysis.toml"]);
        assert_eq!(code, 1, "{extra}: {stderr}");
        assert!(
            stderr.contains(message),
            "{extra}:\nexpected {message}\ngot {stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        assert!(
            !work.path().join("out").exists(),
            "{extra}: an output folder was left"
        );
        let leftovers: Vec<String> = work
            .listing()
            .into_iter()
            .filter(|n| n.starts_with(".out"))
            .collect();
        assert!(leftovers.is_empty(), "{extra}: left {leftovers:?}");
    }
}

/// An existing run folder is kept unless --force; a live lock stops a second writer.
#[test]
fn existing_folder_and_lock() {
    let work = Workdir::with_sample();
    assert_eq!(
        run(&work, &["--config", "analysis.toml", "--out", "out"]).0,
        0
    );
    let (code, _, stderr) = run(&work, &["--config", "analysis.toml", "--out", "out"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("output folder out already exists; pass --force to replace it"),
        "{stderr}"
    );
    // A lock held by a live process (this test) stops the run.
    std::fs::write(
        work.path().join(".out.lock"),
        std::process::id().to_string(),
    )
    .unwrap();
    let (code, _, stderr) = run(
        &work,
        &["--config", "analysis.toml", "--out", "out", "--force"],
    );
    assert_eq!(code, 1);
    assert!(
        stderr.contains("another outcome-lens run (process"),
        "{stderr}"
    );
    // A lock left by a dead process is taken over.
    std::fs::write(work.path().join(".out.lock"), "999999999").unwrap();
    let (code, _, stderr) = run(
        &work,
        &["--config", "analysis.toml", "--out", "out", "--force"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        work.listing()
            .iter()
            .filter(|n| n.starts_with(".out"))
            .count(),
        0
    );
}

/// `--fail-on high_998` exits 3 when a focus force is above the 99.8% limit; an unknown
/// flag name is a usage mistake reported with the valid names.
#[test]
fn fail_on_gate() {
    let work = Workdir::with_sample();
    let (code, _, stderr) = run(
        &work,
        &[
            "--config",
            "analysis.toml",
            "--out",
            "out",
            "--fail-on",
            "high_998",
        ],
    );
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains("--fail-on high_998: Cleveland is flagged high_998"),
        "{stderr}"
    );
    assert!(
        work.path().join("out/summary.json").exists(),
        "the run folder is still written"
    );
    let (code, _, stderr) = run(
        &work,
        &[
            "--config",
            "analysis.toml",
            "--out",
            "out2",
            "--fail-on",
            "above",
        ],
    );
    // Not of a flag's form: a usage error when the arguments are parsed.
    assert_eq!(code, 2);
    assert!(
        stderr.contains("valid flags: high_998, high_95, within, low_95, low_998"),
        "{stderr}"
    );
    // Of a flag's form, but at a level the analysis file does not use: known once the
    // analysis file is read, so exit 1, nothing written.
    let (code, _, stderr) = run(
        &work,
        &[
            "--config",
            "analysis.toml",
            "--out",
            "out3",
            "--fail-on",
            "high_90",
        ],
    );
    assert_eq!(code, 1);
    assert!(
        stderr.contains("\"high_90\" is not a flag at the analysis file's levels")
            && stderr.contains("valid flags: high_998, high_95, within, low_95, low_998"),
        "{stderr}"
    );
    assert!(!work.path().join("out3").exists());
}

/// A run killed part-way leaves the previous complete folder untouched (SIGKILL), or cleans up
/// after itself (SIGINT); never a partial folder.
#[test]
fn killed_run_leaves_previous_output() {
    let work = Workdir::with_sample();
    assert_eq!(
        run(&work, &["--config", "analysis.toml", "--out", "out"]).0,
        0
    );
    let before = crate::golden::files_under(&work.path().join("out"));
    let summary_before = std::fs::read(work.path().join("out/summary.json")).unwrap();
    // The real table takes seconds to ingest, so the signal lands mid-run.
    let input = realdata(FULL_TABLE);
    let text = format!(
        "inputs = [{:?}]\nfocus = [\"Cleveland\"]\n[outputs]\nfolder = \"out\"\n",
        input.display().to_string()
    );
    analysis(&work, "slow.toml", &text);
    for (signal, delay_ms) in [
        ("KILL", 300u64),
        ("INT", 300),
        ("KILL", 1500),
        ("INT", 1500),
    ] {
        let binary = assert_cmd::cargo::cargo_bin("outcome-lens");
        let mut child = std::process::Command::new(binary)
            .current_dir(work.path())
            .env(
                "OUTCOME_LENS_CACHE",
                work.path().join(format!(".cache-{signal}-{delay_ms}")),
            )
            .args(["run", "--config", "slow.toml", "--force", "-q"])
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start run");
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let status = std::process::Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
        let exit = child.wait().expect("wait");
        assert!(
            !exit.success(),
            "{signal} after {delay_ms} ms: the run finished first; make it slower"
        );
        assert_eq!(
            crate::golden::files_under(&work.path().join("out")),
            before,
            "{signal}"
        );
        assert_eq!(
            std::fs::read(work.path().join("out/summary.json")).unwrap(),
            summary_before
        );
        if signal == "INT" {
            let leftovers: Vec<String> = work
                .listing()
                .into_iter()
                .filter(|n| n.starts_with(".out"))
                .collect();
            assert!(leftovers.is_empty(), "SIGINT left {leftovers:?}");
        }
    }
    // The next run removes what a killed run left and replaces the folder whole.
    let (code, _, stderr) = run(&work, &["--config", "analysis.toml", "--force"]);
    assert_eq!(code, 0, "{stderr}");
    let leftovers: Vec<String> = work
        .listing()
        .into_iter()
        .filter(|n| n.starts_with(".out"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// With no arguments `run` runs the bundled sample into reports/sample.
#[test]
fn no_arguments_runs_the_sample() {
    let work = Workdir::new();
    work.copy_sample_into("data/sample");
    let (code, stdout, stderr) = work.run(&["run"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "");
    // The sample's five years of quarters need no notice: the focus force's line comes first.
    let mut lines = stderr.lines();
    assert!(
        lines.next().unwrap().starts_with("Cleveland: 57.3%"),
        "{stderr}"
    );
    assert!(work.path().join("reports/sample/summary.json").exists());
    let _ = PathBuf::new();
}

/// A tidy-counts table (figures copied from a publication, or areas inside a force) runs
/// through the same comparison: units are free text, the target is Σ numerators / Σ
/// denominators, and there is no offence mix.
#[test]
fn tidy_counts_run() {
    let work = Workdir::new();
    let mut csv = String::from("unit,period,numerator,denominator\n");
    let counts = [
        (120, 400),
        (95, 410),
        (210, 380),
        (80, 390),
        (150, 420),
        (101, 300),
        (99, 310),
        (140, 360),
    ];
    for (i, (x, n)) in counts.iter().enumerate() {
        csv.push_str(&format!(
            "Area {},2019/20,{x},{n}\n",
            (b'A' + i as u8) as char
        ));
    }
    std::fs::write(work.path().join("areas.csv"), &csv).unwrap();
    let file = analysis(
        &work,
        "areas.toml",
        "inputs = [\"areas.csv\"]\nfocus = [\"area c\"]\n[outputs]\nfolder = \"out\"\n",
    );
    let (code, _, stderr) = run(&work, &["--config", &file]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.starts_with("Area C: 55.3% (210 / 380)"), "{stderr}");
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(work.path().join("out/summary.json")).unwrap(),
    )
    .unwrap();
    let (x, n): (u64, u64) = counts.iter().fold((0, 0), |(a, b), (x, n)| (a + x, b + n));
    assert!(close(
        summary["target"].as_f64().unwrap(),
        x as f64 / n as f64
    ));
    assert_eq!(summary["n_units"], 8);
    let mix = std::fs::read_to_string(work.path().join("out/tables/offence_mix.csv")).unwrap();
    assert_eq!(mix.lines().count(), 1, "header only: {mix}");

    // The same units in two files are read together (a tidy table's units are read across
    // its inputs), and compare the same, cold and cached.
    let lines: Vec<&str> = csv.lines().collect();
    std::fs::write(work.path().join("a-d.csv"), lines[..5].join("\n") + "\n").unwrap();
    let rest: Vec<&str> = std::iter::once(lines[0])
        .chain(lines[5..].iter().copied())
        .collect();
    std::fs::write(work.path().join("e-h.csv"), rest.join("\n") + "\n").unwrap();
    let file = analysis(
        &work,
        "split.toml",
        "inputs = [\"a-d.csv\", \"e-h.csv\"]\nfocus = [\"area c\"]\n[outputs]\nfolder = \"split\"\n",
    );
    let whole = std::fs::read(work.path().join("out/tables/force_comparison.csv")).unwrap();
    for _ in 0..2 {
        let (code, _, stderr) = run(&work, &["--config", &file, "--force"]);
        assert_eq!(code, 0, "{stderr}");
        assert!(stderr.starts_with("Area C: 55.3% (210 / 380)"), "{stderr}");
        let split = std::fs::read(work.path().join("split/tables/force_comparison.csv")).unwrap();
        assert_eq!(split, whole);
    }
}

/// One row of a CSV as header → cell, found by the first cell of its `key` column.
fn csv_rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).expect("csv");
    let headers = reader.headers().expect("headers").clone();
    reader
        .records()
        .map(|r| {
            let r = r.expect("record");
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// See: #21. `tables/sensitivity.csv` of the real 2018/19 run (all offences, focus
/// Cleveland) gives, for each alternative, exactly what a run with that alternative set by
/// hand in the analysis file gives: the focus row of `force_comparison.csv` (counts, rate,
/// national rate, flag, rank) and of `offence_mix_summary.csv` (explained by offence mix,
/// excess). The run's own row is the run's.
#[test]
fn sensitivity_rows_match_runs_with_each_alternative_set_by_hand() {
    let work = Workdir::new();
    let input = realdata(FULL_TABLE).display().to_string();
    let base = format!("inputs = [{input:?}]\nperiod = \"2018/19\"\nfocus = [\"Cleveland\"]\n");
    let by_hand = [
        ("as_run", ""),
        ("basis", "basis = \"recorded_in_period\"\n"),
        ("strata", "[mix]\nstrata = \"offence_code\"\n"),
        ("outcome", "outcome = [15, 16]\n"),
        ("denominator", "denominator = \"suspect_identified\"\n"),
        (
            "city_of_london",
            "[peers]\ninclude_city_of_london = false\n",
        ),
        (
            "overdispersion",
            "[funnel]\noverdispersion = \"multiplicative\"\n",
        ),
    ];
    let mut sensitivity = Vec::new();
    for (name, setting) in by_hand {
        // Top-level keys go before any [table] of the base.
        let text = if setting.starts_with('[') {
            format!("{base}{setting}")
        } else {
            format!("{setting}{base}")
        };
        let file = analysis(&work, &format!("{name}.toml"), &text);
        let out = format!("run-{name}");
        let (code, _, stderr) = run(&work, &["--config", &file, "--out", &out, "-q"]);
        assert_eq!(code, 0, "{name}: {stderr}");
        let out = work.path().join(out);
        if name == "as_run" {
            sensitivity = csv_rows(&out.join("tables/sensitivity.csv"));
            assert_eq!(sensitivity.len(), by_hand.len(), "one row per alternative");
        }
        let row = sensitivity
            .iter()
            .find(|r| r["alternative"] == name)
            .unwrap_or_else(|| panic!("no sensitivity row {name}"));
        let force = csv_rows(&out.join("tables/force_comparison.csv"))
            .into_iter()
            .find(|r| r["force"] == "Cleveland")
            .expect("Cleveland");
        let mix = csv_rows(&out.join("tables/offence_mix_summary.csv"))
            .into_iter()
            .find(|r| r["force"] == "Cleveland")
            .expect("Cleveland's mix");
        for column in ["numerator", "denominator", "rate", "target", "flag", "rank"] {
            assert_eq!(row[column], force[column], "{name}: {column}");
        }
        for column in ["explained_by_offence_mix", "excess"] {
            assert_eq!(row[column], mix[column], "{name}: {column}");
        }
        let of = csv_rows(&out.join("tables/force_comparison.csv"))
            .iter()
            .filter(|r| r["in_national_set"] == "true")
            .count();
        assert_eq!(row["of"], of.to_string(), "{name}: the national set");
        assert_eq!(row["note"], "", "{name}");
    }
    // The account of this run: the excess and its mix part under each strata, and
    // Cleveland within the limits on outcomes 15 and 16 together.
    let cell = |name: &str, column: &str| -> String {
        sensitivity
            .iter()
            .find(|r| r["alternative"] == name)
            .unwrap()[column]
            .clone()
    };
    assert_eq!(
        (
            cell("as_run", "excess"),
            cell("as_run", "explained_by_offence_mix")
        ),
        ("5422.485".to_string(), "-165.821".to_string())
    );
    assert_eq!(
        (
            cell("strata", "excess"),
            cell("strata", "explained_by_offence_mix")
        ),
        ("4842.956".to_string(), "413.708".to_string())
    );
    assert_eq!(cell("as_run", "flag"), "high_95");
    assert_eq!(cell("outcome", "flag"), "within");
    assert_eq!(cell("outcome", "same_flag_as_run"), "false");
    assert_eq!(cell("strata", "same_flag_as_run"), "true");
    let report = std::fs::read_to_string(work.path().join("run-as_run/report.md")).unwrap();
    assert!(
        report.contains("- Sensitivity: The finding depends on the analysis file's choices: Cleveland is above the 95% limit but within the 99.8% limit as run, but with outcomes 15 and 16 together it is within the limits and with the multiplicative overdispersion adjustment it is within the limits."),
        "{report}"
    );
}

/// See: #21. `[sensitivity] alternatives` chooses the alternatives (none when empty), and a
/// name it does not know is refused naming the ones it does.
#[test]
fn sensitivity_alternatives_are_chosen_in_the_analysis_file() {
    let work = Workdir::with_sample();
    let sample = std::fs::read_to_string(work.path().join("analysis.toml")).unwrap();
    let file = analysis(
        &work,
        "two.toml",
        &format!("{sample}\n[sensitivity]\nalternatives = [\"overdispersion\", \"basis\"]\n"),
    );
    let (code, _, stderr) = run(&work, &["--config", &file, "--out", "two", "-q"]);
    assert_eq!(code, 0, "{stderr}");
    let names: Vec<String> = csv_rows(&work.path().join("two/tables/sensitivity.csv"))
        .into_iter()
        .map(|r| r["alternative"].clone())
        .collect();
    assert_eq!(names, ["as_run", "basis", "overdispersion"]);

    let file = analysis(
        &work,
        "bad.toml",
        &format!("{sample}\n[sensitivity]\nalternatives = [\"basis\", \"peer_group\"]\n"),
    );
    let (code, _, stderr) = run(&work, &["--config", &file, "--out", "bad", "-q"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(
        stderr.contains("sensitivity.alternatives: \"peer_group\" is not one of basis, strata, outcome, denominator, city_of_london, overdispersion"),
        "{stderr}"
    );
    assert!(!work.path().join("bad").exists());
}

/// See: #21. The sample run's `tables/reconciliation.csv`: its published column is what the
/// raw Home Office files give when summed by hand (Cleveland, outcomes recorded in the
/// quarter, types 1-22, each whole quarter of the extract), and the extract's outcomes it
/// compares plus those it leaves out (under codes not published in their quarter) are every
/// outcome of types 1-22 in the extract's own table of outcome types.
#[test]
fn reconciliation_matches_counts_made_from_the_raw_files() {
    use std::io::Read;
    let work = Workdir::with_sample();
    let (code, _, stderr) = run(&work, &["--config", "analysis.toml", "--out", "out", "-q"]);
    assert_eq!(code, 0, "{stderr}");
    let out = work.path().join("out");
    let rows = csv_rows(&out.join("tables/reconciliation.csv"));
    let mut published: BTreeMap<String, i64> = BTreeMap::new();
    for file in [
        "ho-outcomes-ye-mar2019-sample.csv.gz",
        "ho-outcomes-synthetic-series.csv.gz",
    ] {
        let mut text = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(work.path().join(file)).unwrap())
            .read_to_string(&mut text)
            .unwrap();
        // The published files end with notes that are not rows of the table.
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let headers = reader.headers().unwrap().clone();
        let at = |name: &str| headers.iter().position(|h| h == name).unwrap();
        let (year, quarter, force, outcome, count) = (
            at("Financial Year"),
            at("Financial Quarter"),
            at("Force Name"),
            at("Outcome Type"),
            at("Force outcomes recorded in quarter"),
        );
        for record in reader.records() {
            let record = record.unwrap();
            if record.len() != headers.len() || &record[force] != "Cleveland" {
                continue;
            }
            let t: u8 = record[outcome].parse().unwrap();
            if !(1..=22).contains(&t) {
                continue;
            }
            let label = format!("{} Q{}", &record[year], &record[quarter]);
            *published.entry(label).or_default() += record[count].parse::<i64>().unwrap();
        }
    }
    let quarters: Vec<&BTreeMap<String, String>> =
        rows.iter().filter(|r| r["level"] == "quarter").collect();
    assert_eq!(quarters.len(), 8, "April 2018 to March 2020");
    let mut total = 0;
    for row in &quarters {
        let by_hand = published[&row["quarter"]];
        assert_eq!(row["published"], by_hand.to_string(), "{}", row["quarter"]);
        total += by_hand;
    }
    let all = rows.iter().find(|r| r["level"] == "all").unwrap();
    assert_eq!(all["published"], total.to_string());
    let extract: i64 = all["extract"].parse().unwrap();
    assert_eq!(
        all["difference"],
        (extract - total).to_string(),
        "extract − published"
    );

    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let left_out: u64 = summary["extract"]["reconciliation"]["codes_not_published"]
        .as_array()
        .unwrap()
        .iter()
        .map(|pair| pair[1].as_u64().unwrap())
        .sum();
    let every_outcome: u64 = csv_rows(&out.join("tables/extract_outcome_types.csv"))
        .iter()
        .filter(|r| r["outcome_type"] != "0")
        .map(|r| {
            r["domestic_abuse_crimes"].parse::<u64>().unwrap()
                + r["other_crimes"].parse::<u64>().unwrap()
        })
        .sum();
    assert_eq!(extract as u64 + left_out, every_outcome);
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        report.contains(&format!(
            "reconciles the extract with the published figures. Counted as the Home Office tables count (outcomes assigned in the quarter, outcome types 1-22, under the offence codes the published tables hold for Cleveland in each quarter), the extract holds {} outcomes in the 8 whole quarters both cover (2018/19 Q1 to 2019/20 Q4), against {} published",
            crate::support::thousands(&extract.to_string()),
            crate::support::thousands(&total.to_string())
        )),
        "{report}"
    );
}
