//! Record-level extracts (issue #7): planted effects are found, unplanted areas are flagged at
//! about the nominal rate, bad extracts stop with file, line, column and value, duplicate rows
//! are reduced and counted, and `sample` and `synth` are reproducible.

use std::path::Path;

use indicatif::ProgressBar;
use outcome_lens::config::extract::ExtractConfig;
use outcome_lens::config::{Config, Overrides};
use outcome_lens::extract::analyse::{analyse, ExtractAnalysis, UnitFunnel};
use outcome_lens::extract::read::{read_from, Extract};
use outcome_lens::extract::synth::{self, SynthOptions, Truth};
use outcome_lens::stats::Flag;

use crate::support::{output, Workdir};

/// The `[extract]` section of a synthetic extract, validated as part of an analysis file.
fn synthetic_config(extra: &str) -> ExtractConfig {
    let text = format!(
        "inputs = [\"x.csv\"]\n[outputs]\nfolder = \"out\"\n{}{extra}",
        synth::extract_section("synthetic.csv", "Cleveland")
    );
    Config::from_toml(Path::new("analysis.toml"), &text, &Overrides::default())
        .expect("valid analysis file")
        .extract
        .expect("an [extract] section")
}

/// Synthesises an extract in memory and analyses it through the library.
fn synthesise_and_analyse(
    options: &SynthOptions,
    config: &ExtractConfig,
) -> (Truth, Extract, ExtractAnalysis) {
    let mut bytes = Vec::new();
    let truth = synth::synthesise(options, &mut bytes).expect("synthesise");
    let extract = read_from(config, bytes.as_slice(), &ProgressBar::hidden()).expect("read");
    let analysis = analyse(&extract, config).expect("analyse");
    (truth, extract, analysis)
}

/// The flag of a named row of a funnel.
fn flag_of(funnel: &UnitFunnel, name: &str) -> Flag {
    funnel
        .rows
        .iter()
        .find(|r| r.name == name)
        .and_then(|r| r.place)
        .map(|p| p.flag)
        .unwrap_or_else(|| panic!("{name} is not in the funnel"))
}

/// Planted areas and units (raised by 15 points) are flagged high in every seed. With 20
/// areas, winsorising 10% at each end clamps the two planted areas' z-scores, so they do not
/// inflate φ and τ² enough to hide themselves (with 12 areas they sometimes do).
#[test]
fn planted_areas_and_units_are_flagged() {
    let config = synthetic_config("");
    for seed in 1..=5 {
        let mut options = SynthOptions::standard(60_000, seed);
        options.areas = 20;
        options.planted_areas = 2;
        options.units = 8;
        options.planted_units = 1;
        let (truth, _, analysis) = synthesise_and_analyse(&options, &config);
        let units = analysis.units.as_ref().expect("a unit funnel");
        for area in truth.areas.iter().filter(|a| a.planted) {
            let flag = flag_of(&analysis.areas, &area.name);
            assert!(
                matches!(flag, Flag::HighInner | Flag::HighOuter),
                "seed {seed}: planted area {} is {flag:?}",
                area.name
            );
        }
        for unit in truth.units.iter().filter(|u| u.planted) {
            let flag = flag_of(units, &unit.name);
            assert!(
                matches!(flag, Flag::HighInner | Flag::HighOuter),
                "seed {seed}: planted unit {} is {flag:?}",
                unit.name
            );
        }
        assert_eq!(analysis.crimes_in_scope, truth.domestic_abuse_crimes);
    }
}

/// Over 200 seeds × 20 unplanted areas, the share of unplanted areas outside the 95% limits
/// stays near 5%.
///
/// The synthetic model has no between-area variation except the planted areas, so the
/// unadjusted (binomial, arcsine) limits are the ones whose nominal rate applies: their share
/// must be within 0.015 of 0.05. With 4,000 independent areas the binomial standard error
/// would be √(0.05 · 0.95 / 4000) = 0.0034; areas of one seed share an estimated target, so a
/// design effect of up to 2 is allowed, and 3 · 0.0034 · √2 ≈ 0.015. (The planted areas lift
/// the pooled target by about 1.4 points, which moves the expected share only to about 5.3%.)
/// The overdispersion-adjusted limits widen whenever τ² > 0 (METHODS.md §5.6), which chance
/// and the planted areas make it in many seeds, so their share is lower: it must not exceed
/// the unadjusted share, nor 0.05 + 0.015.
#[test]
fn unplanted_areas_are_flagged_at_about_the_nominal_rate() {
    let config = synthetic_config("");
    let (mut flagged, mut flagged_unadjusted, mut total) = (0u64, 0u64, 0u64);
    let mut per_seed: Vec<f64> = Vec::new();
    for seed in 0..200 {
        let mut options = SynthOptions::standard(4_000, 1_000 + seed);
        options.areas = 22;
        options.planted_areas = 2;
        options.units = 3;
        options.planted_units = 0;
        options.da_share = Some(0.5);
        let (truth, _, analysis) = synthesise_and_analyse(&options, &config);
        let mut in_seed = 0u64;
        for area in truth.areas.iter().filter(|a| !a.planted) {
            let row = analysis
                .areas
                .rows
                .iter()
                .find(|r| r.name == area.name)
                .expect("area");
            let place = row.place.expect("in the funnel");
            total += 1;
            flagged += u64::from(place.flag != Flag::Within);
            let outside = u64::from(place.flag_unadjusted != Flag::Within);
            flagged_unadjusted += outside;
            in_seed += outside;
        }
        per_seed.push(in_seed as f64 / 20.0);
    }
    let share = flagged as f64 / total as f64;
    let share_unadjusted = flagged_unadjusted as f64 / total as f64;
    let mean = per_seed.iter().sum::<f64>() / per_seed.len() as f64;
    let sd = (per_seed.iter().map(|x| (x - mean).powi(2)).sum::<f64>()
        / (per_seed.len() - 1) as f64)
        .sqrt();
    eprintln!(
        "unplanted areas outside the 95% limits: unadjusted {flagged_unadjusted} of {total} = {share_unadjusted:.4} (standard error between seeds {:.4}); adjusted {flagged} of {total} = {share:.4}",
        sd / (per_seed.len() as f64).sqrt()
    );
    assert_eq!(total, 4_000);
    assert!(
        (share_unadjusted - 0.05).abs() <= 0.015,
        "unadjusted share {share_unadjusted} is not within 0.015 of 0.05"
    );
    assert!(share <= share_unadjusted, "{share} > {share_unadjusted}");
    assert!(share <= 0.065, "adjusted share {share}");
}

/// An analysis file for `outcome-lens extract` in `work`, reading `extract.csv` in synth's
/// layout without the optional investigation-quality fields (so they are shown optional).
fn extract_analysis(work: &Workdir) {
    let section: String = synth::extract_section("extract.csv", "Cleveland")
        .lines()
        .filter(|l| {
            // The optional investigation-quality fields' keys in `[extract.columns]`.
            let mut optional = outcome_lens::config::extract::QUALITY_FIELDS
                .iter()
                .map(|f| f.key)
                .chain(["withdrawal_date", "ethnicity", "officer"]);
            !optional.any(|k| l.starts_with(&format!("{k} = ")))
        })
        .map(|l| format!("{l}\n"))
        .collect();
    let text = format!("inputs = [\"unused.csv\"]\n[outputs]\nfolder = \"out\"\n{section}");
    std::fs::write(work.path().join("analysis.toml"), text).expect("write analysis file");
}

/// A bad value of an investigation-quality field (issue #20) stops with exit 1 naming the
/// file, line, column and value, and writes nothing; good values in the extract's own
/// spellings (`[extract.field_values]`) read.
#[test]
fn bad_quality_fields_name_file_line_column_and_value() {
    let header = format!(
        "{},Arrest,BWV,DASH Risk,Supervisor Review,ELP Considered,ELP Submitted,Relationship,Withdrawal Date,Victim Ethnicity,OIC\n",
        HEADER.trim_end()
    );
    let row = |fields: &str| format!("{}{fields}\n", GOOD_ROW.trim_end());
    let good = row(",Y,N,High,,Y,N,Partner,2019-04-02,White British,PC 1001");
    let cases = [
        (
            row(",Y,maybe,High,,Y,N,Partner,,White British,PC 1001"),
            "extract.csv:3: column \"BWV\": \"maybe\" is not yes or no",
        ),
        (
            row(",Y,N,Very High,,Y,N,Partner,,White British,PC 1001"),
            "extract.csv:3: column \"DASH Risk\": \"Very High\" is not one of standard, medium, high (the extract's own spellings go in [extract.field_values.risk_level]",
        ),
        (
            row(",Y,N,High,,Y,N,Neighbour,,White British,PC 1001"),
            "extract.csv:3: column \"Relationship\": \"Neighbour\" is not one of intimate_partner, family, other",
        ),
        (
            row(",Y,N,High,,Y,N,Partner,2019-03-30,White British,PC 1001"),
            "extract.csv:3: column \"Withdrawal Date\": the victim's withdrawal \"2019-03-30\" is before the crime was recorded (01/04/2019 10:00)",
        ),
        (
            row(",Y,N,High,,Y,N,Partner,2019-02-30,White British,PC 1001"),
            "extract.csv:3: column \"Withdrawal Date\": \"2019-02-30\" is not a date",
        ),
    ];
    for (bad, expected) in cases {
        let work = Workdir::new();
        let text = format!(
            "inputs = [\"unused.csv\"]\n[outputs]\nfolder = \"out\"\n{}",
            synth::extract_section("extract.csv", "Cleveland")
        );
        std::fs::write(work.path().join("analysis.toml"), text).unwrap();
        std::fs::write(
            work.path().join("extract.csv"),
            format!("{header}{good}{bad}"),
        )
        .unwrap();
        let (code, _, stderr) =
            output(
                work.command()
                    .args(["extract", "--config", "analysis.toml", "-q"]),
            );
        assert_eq!(code, 1, "{expected}: {stderr}");
        assert!(
            stderr.contains(expected),
            "expected {expected:?} in {stderr}"
        );
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(!work.path().join("out").exists());
    }
    // The extract's own spellings.
    let work = Workdir::new();
    let text = format!(
        "inputs = [\"unused.csv\"]\n[outputs]\nfolder = \"out\"\n{}\n[extract.field_values]\nrisk_level = {{ high = [\"Very High\"] }}\nrelationship = {{ other = [\"Neighbour\"] }}\n",
        synth::extract_section("extract.csv", "Cleveland")
    );
    std::fs::write(work.path().join("analysis.toml"), text).unwrap();
    std::fs::write(
        work.path().join("extract.csv"),
        format!(
            "{header}{good}{}",
            row(",Y,N,Very High,,Y,N,Neighbour,,White British,PC 1001")
                .replace("CL/19/000001", "CL/19/000002")
        ),
    )
    .unwrap();
    let (code, _, stderr) =
        output(
            work.command()
                .args(["extract", "--config", "analysis.toml", "-q"]),
        );
    assert_eq!(code, 0, "{stderr}");
    let by_field = work.read("out/tables/extract_by_field.csv");
    assert!(
        by_field.contains(",risk_level,DASH risk level,high,2,"),
        "{by_field}"
    );
    assert!(
        by_field.contains(",relationship,relationship of victim and suspect,other,1,"),
        "{by_field}"
    );
    // A spelling listed under two levels is an error in the analysis file's words.
    let text = format!(
        "inputs = [\"unused.csv\"]\n[outputs]\nfolder = \"out\"\n{}\n[extract.field_values]\nrisk_level = {{ high = [\"H1\"], medium = [\"h1\"] }}\n",
        synth::extract_section("extract.csv", "Cleveland")
    );
    std::fs::write(work.path().join("analysis.toml"), text).unwrap();
    let (code, _, stderr) =
        output(
            work.command()
                .args(["extract", "--config", "analysis.toml", "-q", "--force"]),
        );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains(
            "extract.field_values.risk_level: \"H1\" is listed under both \"high\" and \"medium\""
        ),
        "{stderr}"
    );
}

const HEADER: &str = "Crime Reference,Date Recorded,Outcome Date,HO Code,Outcome,DA Flag,Neighbourhood,Victim ID,OIC Department,Victim Age Band,Victim Gender\n";
const GOOD_ROW: &str =
    "CL/19/000001,01/04/2019 10:00,2019-04-10,8N,Charged/Summonsed,Y,Hartlepool 1,V1,CID,25-34,F\n";

/// Every bad extract stops with exit 1 and a message naming the file, the line, the column
/// and the value; nothing is written.
#[test]
fn bad_extracts_name_file_line_column_and_value() {
    let cases: [(&str, Vec<u8>, &str); 7] = [
        (
            "an unmapped column",
            format!("{}{GOOD_ROW}", HEADER.replace("Outcome Date", "Closed On")).into_bytes(),
            "extract.csv:1: column \"Outcome Date\" (extract.columns.outcome_date) is not in the header; the header has: Crime Reference, Date Recorded, Closed On,",
        ),
        (
            "an unknown outcome label",
            format!("{HEADER}{GOOD_ROW}CL/19/000002,01/04/2019 11:00,2019-04-10,8N,Victim withdrew support,Y,Hartlepool 1,V2,CID,25-34,F\n").into_bytes(),
            "extract.csv:3: column \"Outcome\": unknown outcome \"Victim withdrew support\"",
        ),
        (
            "an unparseable date",
            format!("{HEADER}{GOOD_ROW}{GOOD_ROW}CL/19/000003,30/02/2019 09:00,2019-04-10,8N,Charged/Summonsed,Y,Hartlepool 1,V3,CID,25-34,F\n").into_bytes(),
            "extract.csv:4: column \"Date Recorded\": \"30/02/2019 09:00\" is not a date",
        ),
        (
            "a flag that is not a flag",
            format!("{HEADER}CL/19/000001,01/04/2019 10:00,2019-04-10,8N,Charged/Summonsed,Unknown,Hartlepool 1,V1,CID,25-34,F\n").into_bytes(),
            "extract.csv:2: column \"DA Flag\": \"Unknown\" is not a domestic-abuse flag",
        ),
        (
            "an unclosed quote",
            format!("{HEADER}{GOOD_ROW}CL/19/000002,01/04/2019 11:00,2019-04-10,8N,\"Charged,Y,Hartlepool 1,V2,CID,25-34,F\n").into_bytes(),
            "extract.csv:3: a quoted field is not closed before the end of the file",
        ),
        (
            "Windows-1252 text",
            [HEADER.as_bytes(), b"CL/19/000001,01/04/2019 10:00,2019-04-10,8N,Charged/Summonsed,Y,Hartlepool \x96 North,V1,CID,25-34,F\n"].concat(),
            "extract.csv:2: not valid UTF-8 (byte 0x96)",
        ),
        (
            "an empty file",
            Vec::new(),
            "extract.csv: the file is empty",
        ),
    ];
    for (what, bytes, expected) in cases {
        let work = Workdir::new();
        extract_analysis(&work);
        std::fs::write(work.path().join("extract.csv"), &bytes).expect("write extract");
        let (code, stdout, stderr) =
            output(
                work.command()
                    .args(["extract", "--config", "analysis.toml", "-q"]),
            );
        assert_eq!(code, 1, "{what}: exit code; stderr:\n{stderr}");
        assert_eq!(stdout, "", "{what}");
        assert!(
            stderr.contains(expected),
            "{what}: expected stderr to contain\n  {expected}\ngot\n  {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{what}: {stderr}");
        assert!(
            !work.path().join("out").exists(),
            "{what}: a failed read must leave no run folder"
        );
    }
    let work = Workdir::new();
    extract_analysis(&work);
    let (code, _, stderr) =
        output(
            work.command()
                .args(["extract", "--config", "analysis.toml", "-q"]),
        );
    assert_eq!(code, 1);
    assert!(
        stderr.contains("extract.csv: cannot read: No such file or directory (os error 2)\n"),
        "{stderr}"
    );
}

/// Duplicate rows are reduced to the latest outcome and counted; incomplete rows are
/// quarantined; the accounting balances in the table and in summary.json.
#[test]
fn duplicate_rows_are_reduced_and_counted() {
    let work = Workdir::new();
    extract_analysis(&work);
    let rows = [
        // A: superseded by a later outcome-16 row written after it.
        "CL/19/1,01/04/2019 10:00,2019-04-10,8N,Evidential Difficulties: Suspect Identified - Victim Supports,Y,Hartlepool 1,V1,CID,25-34,F",
        "CL/19/1,01/04/2019 10:00,2019-05-01,8N,Named Suspect Identified: Evidential Difficulties - Victim Does Not Support Police Action,Y,Hartlepool 1,V1,CID,25-34,F",
        // B: the later outcome comes first in the file.
        "CL/19/2,02/04/2019 10:00,2019-06-01,105A,Named Suspect Identified: Evidential Difficulties - Victim Does Not Support Police Action,Y,Hartlepool 2,V2,CID,35-44,F",
        "CL/19/2,02/04/2019 10:00,2019-05-01,105A,Charged/Summonsed,Y,Hartlepool 2,V2,CID,35-44,F",
        // C: an exact duplicate.
        "CL/19/3,03/04/2019 10:00,2019-04-04,8N,Charged/Summonsed,N,Hartlepool 2,V3,CID,45-54,M",
        "CL/19/3,03/04/2019 10:00,2019-04-04,8N,Charged/Summonsed,N,Hartlepool 2,V3,CID,45-54,M",
        // D: still open.
        "CL/19/4,04/04/2019 10:00,,8N,,Y,Hartlepool 1,V1,CID,25-34,F",
        // E: quarantined, no area (its victim is not counted).
        "CL/19/5,04/04/2019 10:00,2019-04-05,8N,Charged/Summonsed,Y,,V5,CID,25-34,F",
    ];
    std::fs::write(
        work.path().join("extract.csv"),
        format!("{HEADER}{}\n", rows.join("\n")),
    )
    .unwrap();
    let (code, _, stderr) = output(
        work.command()
            .args(["extract", "--config", "analysis.toml"]),
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("read 8 rows: 7 loaded, 1 quarantined; 3 duplicate rows reduced; 4 crimes"),
        "{stderr}"
    );
    let accounting =
        std::fs::read_to_string(work.path().join("out/tables/extract_accounting.csv")).unwrap();
    let mut lines = accounting.lines();
    assert_eq!(
        lines.next().unwrap(),
        "source,file,format,rows_read,rows_loaded,rows_quarantined,blank_rows,duplicate_rows_reduced,crimes_with_several_rows,duplicates_with_conflicting_fields,crimes,crimes_without_outcome,scope,crimes_in_scope,crimes_in_comparison,victims"
    );
    assert_eq!(
        lines.next().unwrap(),
        "\"Cleveland (synthetic extract, not real Cleveland data)\",extract.csv,csv,8,7,1,0,3,3,0,4,1,domestic-abuse-flagged crimes,3,1,3"
    );
    let quarantine =
        std::fs::read_to_string(work.path().join("out/extract_quarantine.csv")).unwrap();
    assert!(
        quarantine.contains("extract.csv,9,no area,"),
        "{quarantine}"
    );
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(work.path().join("out/summary.json")).unwrap(),
    )
    .unwrap();
    let extract = &summary["extract"];
    assert_eq!(extract["rows"]["duplicates_reduced"], 3);
    // In scope (domestic abuse): A and B closed with 16, D open.
    assert_eq!(extract["numerator"], 2);
    assert_eq!(extract["denominator"], 2);
    let by_area =
        std::fs::read_to_string(work.path().join("out/tables/extract_by_area.csv")).unwrap();
    assert!(by_area.contains(",Hartlepool 1,2,1,1,1,"), "{by_area}");
}

/// The same seed gives the same audit sample bytes; another seed gives another sample; the
/// run writes the same sample as `outcome-lens sample` with the file's settings.
#[test]
fn audit_sample_is_reproducible() {
    let work = Workdir::with_sample();
    let sample = |seed: &str, out: &str| {
        let (code, _, stderr) = output(work.command().args([
            "sample",
            "--config",
            "analysis.toml",
            "--seed",
            seed,
            "--per-stratum",
            "4",
            "--out",
            out,
        ]));
        assert_eq!(code, 0, "{stderr}");
        assert!(stderr.contains(&format!("with seed {seed}")), "{stderr}");
        std::fs::read(work.path().join(out)).unwrap()
    };
    let a = sample("3", "a.csv");
    let b = sample("3", "b.csv");
    let c = sample("4", "c.csv");
    assert!(a == b, "the same seed gave different samples");
    assert!(a != c, "another seed gave the same sample");
    let text = String::from_utf8(a).unwrap();
    let header = text.lines().next().unwrap();
    assert!(header.starts_with("stratum,stratum_crimes,sampled_in_stratum,weight,crime_reference,"));
    assert!(header.ends_with(",seed,reviewer_finding"));
    // Six areas, four crimes each, and the reviewer's column blank.
    assert_eq!(text.lines().count(), 1 + 24);
    assert!(text.lines().skip(1).all(|l| l.ends_with(",3,")));
    // To stdout, with [extract.audit]'s settings (seed 20190401, 5 per area), it equals the
    // run's audit_sample.csv.
    let (code, stdout, _) =
        output(
            work.command()
                .args(["sample", "--config", "analysis.toml", "-q"]),
        );
    assert_eq!(code, 0);
    let (code, _, stderr) =
        output(
            work.command()
                .args(["extract", "--config", "analysis.toml", "--out", "run", "-q"]),
        );
    assert_eq!(code, 0, "{stderr}");
    let from_run = std::fs::read_to_string(work.path().join("run/audit_sample.csv")).unwrap();
    assert_eq!(stdout, from_run);
    assert_eq!(stdout.lines().count(), 1 + 30);
}

/// `synth` writes the same three files for the same seed and different ones for another.
#[test]
fn synth_is_deterministic() {
    let work = Workdir::new();
    let synth = |dir: &str, seed: &str| {
        std::fs::create_dir_all(work.path().join(dir)).unwrap();
        let (code, stdout, stderr) = output(work.command().args([
            "synth",
            "--crimes",
            "800",
            "--seed",
            seed,
            "--out",
            &format!("{dir}/x.csv"),
        ]));
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(stdout.trim(), format!("{dir}/x.csv"));
        assert!(
            stderr.contains("synthetic, not real Cleveland data"),
            "{stderr}"
        );
        ["x.csv", "x.truth.json", "x.extract.toml"]
            .map(|f| std::fs::read(work.path().join(dir).join(f)).unwrap())
    };
    let a = synth("a", "9");
    let b = synth("b", "9");
    let c = synth("c", "10");
    assert!(a == b, "the same seed gave different files");
    assert!(
        a[0] != c[0] && a[1] != c[1],
        "another seed gave the same extract"
    );
    assert_eq!(
        a[2], c[2],
        "the [extract] section does not depend on the seed"
    );
    // The written section reads the written extract.
    let text = format!(
        "inputs = [\"unused.csv\"]\n[outputs]\nfolder = \"out\"\n{}",
        String::from_utf8(a[2].clone()).unwrap()
    );
    std::fs::write(work.path().join("a/analysis.toml"), text).unwrap();
    let (code, _, stderr) =
        output(
            work.command()
                .args(["extract", "--config", "a/analysis.toml", "-q"]),
        );
    assert_eq!(code, 0, "{stderr}");
    let truth: serde_json::Value = serde_json::from_slice(&a[1]).unwrap();
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(work.path().join("a/out/summary.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(summary["extract"]["crimes"], 800);
    assert_eq!(summary["extract"]["rows"]["read"], truth["rows"]);
    assert_eq!(
        summary["extract"]["crimes_in_scope"],
        truth["domestic_abuse_crimes"]
    );
}

/// `outcome-lens run` on the bundled sample adds the extract's tables, the audit sample, an
/// `extract` object in summary.json and the extract's sha256 in manifest.json.
#[test]
fn the_sample_run_includes_the_extract() {
    let work = Workdir::with_sample();
    let (code, _, stderr) = work.run(&["run", "--config", "analysis.toml", "--out", "out", "-q"]);
    assert_eq!(code, 0, "{stderr}");
    let out = work.path().join("out");
    for table in [
        "extract_accounting",
        "extract_by_area",
        "extract_area_funnel_limits",
        "extract_by_unit",
        "extract_unit_funnel_limits",
        "extract_by_offence_group",
        "extract_by_offence_code",
        "extract_by_month",
        "extract_repeat_victims",
        "extract_victim_closures",
        "extract_time_to_closure",
        "extract_da_vs_other",
        "extract_outcome_types",
    ] {
        assert!(out.join(format!("tables/{table}.csv")).exists(), "{table}");
        assert!(
            out.join(format!("data/{table}.parquet")).exists(),
            "{table}"
        );
    }
    assert!(out.join("audit_sample.csv").exists());
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let extract = &summary["extract"];
    assert_eq!(
        extract["note"],
        "synthetic extract, not real Cleveland data"
    );
    assert_eq!(
        extract["area_funnel"]["flagged"]["high_998"][0],
        "Middlesbrough 2"
    );
    assert_eq!(
        extract["unit_funnel"]["flagged"]["high_95"][0],
        "Neighbourhood Team North"
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let bytes = std::fs::read(work.path().join("force_extract.csv")).unwrap();
    assert_eq!(
        manifest["extract"]["sha256"],
        outcome_lens::output::sha256_hex(&bytes)
    );
    assert_eq!(manifest["extract"]["accounting"]["rows_read"], 3110);
    // The planted truth agrees with what the run found.
    let truth: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            crate::support::root().join("data/sample/force_extract.truth.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let planted: Vec<&str> = truth["areas"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["planted"] == true)
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(planted, ["Middlesbrough 2"]);
}

/// `outcome-lens extract` draws the extract's charts (and no national ones) into its folder,
/// lists them in its manifest, draws them byte for byte as the sample run does (the golden
/// SVGs), and `outcome-lens chart` redraws them identically; `report` says it needs a whole run.
#[test]
fn the_extract_command_draws_the_extract_charts_and_chart_redraws_them() {
    let work = Workdir::with_sample();
    let (code, _, stderr) =
        output(
            work.command()
                .args(["extract", "--config", "analysis.toml", "--out", "ex", "-q"]),
        );
    assert_eq!(code, 0, "{stderr}");
    let charts = work.path().join("ex/charts");
    let stems = [
        "extract-funnel-area",
        "extract-funnel-unit",
        // The sample extract maps the investigation-quality fields.
        "extract-adjusted-area",
        "extract-adjusted-unit",
        "extract-odds-ratios",
        "extract-withdrawal",
        "extract-spc-month",
        // The sample analysis file has an event.
        "extract-displacement",
        // The sample analysis file names its reviewed audit (synthetic findings).
        "audit-findings",
    ];
    let mut expected: Vec<String> = stems
        .iter()
        .flat_map(|s| [format!("{s}.png"), format!("{s}.svg")])
        .collect();
    expected.sort();
    let mut listed: Vec<String> = std::fs::read_dir(&charts)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    listed.sort();
    assert_eq!(listed, expected, "the extract's charts and nothing else");
    let source = "Source: record-level crime extract force_extract.csv, Cleveland (synthetic extract, not real Cleveland data), April 2018 to March 2020.";
    for stem in stems {
        let svg = std::fs::read_to_string(charts.join(format!("{stem}.svg"))).unwrap();
        assert!(svg.contains(source), "{stem} does not name the extract");
        let golden = std::fs::read_to_string(
            crate::support::root().join(format!("tests/golden/charts/{stem}.svg")),
        )
        .unwrap();
        assert!(
            svg.replace("\r\n", "\n") == golden.replace("\r\n", "\n"),
            "{stem}.svg differs from what the sample run draws (tests/golden/charts)"
        );
        let png = std::fs::read(charts.join(format!("{stem}.png"))).unwrap();
        let (width, height, pixels) = outcome_lens::render::png::decode_rgb(&png).unwrap();
        // The sample's model has 27 levels, more than fit a wide chart.
        let tall = stem == "extract-odds-ratios";
        let expected = if tall { (960, 1240) } else { (960, 680) };
        assert_eq!((width, height), expected, "{stem}.png");
        assert!(pixels.iter().any(|c| *c < 100), "{stem}.png is blank");
    }
    let area = std::fs::read_to_string(charts.join("extract-funnel-area.svg")).unwrap();
    for words in [
        "Cleveland: outcome 16 rate by area, funnel plot",
        "Denominator per area (neighbourhood)",
        "Areas within the limits",
    ] {
        assert!(area.contains(words), "the area funnel lacks {words:?}");
    }
    // The manifest lists every chart with its bytes' sha256.
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(work.path().join("ex/manifest.json")).unwrap(),
    )
    .unwrap();
    for name in &expected {
        let path = format!("charts/{name}");
        let entry = manifest["outputs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["path"] == path.as_str())
            .unwrap_or_else(|| panic!("manifest.json does not list {path}"));
        let bytes = std::fs::read(charts.join(name)).unwrap();
        assert_eq!(entry["sha256"], outcome_lens::output::sha256_hex(&bytes));
        assert_eq!(entry["bytes"], bytes.len());
    }
    // `chart` redraws them byte for byte.
    let before: Vec<Vec<u8>> = expected
        .iter()
        .map(|n| std::fs::read(charts.join(n)).unwrap())
        .collect();
    let (code, stdout, stderr) = output(work.command().args(["chart", "ex"]));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.lines().count(), expected.len(), "{stdout}");
    for (name, bytes) in expected.iter().zip(&before) {
        assert!(
            std::fs::read(charts.join(name)).unwrap() == *bytes,
            "chart redrew {name} differently"
        );
    }
    // The report needs the national tables.
    let (code, _, stderr) = output(work.command().args(["report", "ex"]));
    assert_eq!(code, 1);
    assert!(
        stderr.contains("the report needs a whole run (outcome-lens run)"),
        "{stderr}"
    );
}

/// The new commands show worked examples, and an analysis file without [extract] is a clear
/// error.
#[test]
fn help_and_missing_section() {
    let work = Workdir::new();
    for command in ["extract", "sample", "synth"] {
        let (code, stdout, _) = output(work.command().args([command, "--help"]));
        assert_eq!(code, 0, "{command}");
        assert!(stdout.contains("Examples:"), "{command}: {stdout}");
    }
    std::fs::write(
        work.path().join("analysis.toml"),
        "inputs = [\"x.csv\"]\n[outputs]\nfolder = \"out\"\n",
    )
    .unwrap();
    for command in ["extract", "sample"] {
        let (code, _, stderr) = output(work.command().args([command, "--config", "analysis.toml"]));
        assert_eq!(code, 1, "{command}");
        assert!(
            stderr.contains("analysis.toml: no [extract] section"),
            "{command}: {stderr}"
        );
    }
    let (code, _, stderr) = output(work.command().args([
        "synth",
        "--crimes",
        "10",
        "--seed",
        "1",
        "--out",
        "x.csv",
        "--planted-areas",
        "99",
    ]));
    assert_eq!(code, 1);
    assert!(
        stderr.contains("cannot plant more areas or units than there are"),
        "{stderr}"
    );
    assert!(
        !work.path().join("x.csv").exists(),
        "a failed synth leaves no file"
    );
}

/// Issue #19's study through `synth --change`: over 200 seeds of 6,000 crimes (about 3,000
/// domestic-abuse crimes over 24 months), a planted fall of 10 points in the domestic-abuse
/// outcome-16 probability for crimes recorded from 1 April 2019 is looked for by the
/// extract's monitoring of an event on that day (nine months each side).
///
/// Measured: the before/after interval lies below 0 in 196 of 200 seeds (98%); with no planted
/// change it excludes 0 in 8 of 200 (4.0%; nominal 5%, standard error 1.5 points). The
/// segmented regression's level change (p < 0.05) finds the fall in 50 of 200 (25%) and alarms
/// in 10 of 200 (5.0%) without it: about 125 closures a month give each month's log-odds a
/// standard error near 0.18, and the level change is the gap between two lines extrapolated
/// to the event, so it needs a larger change or a longer series (the quarterly study in
/// `compare::monitor`'s tests, with 3,000 crimes a quarter, finds a 4-point fall in 89.5%).
/// The months are those of the outcome (the basis is outcomes assigned in the period), so
/// closures just after the day are partly of crimes recorded before it.
#[test]
fn a_change_planted_by_synth_is_detected_and_no_change_rarely_alarms() {
    let config = synthetic_config(
        "[[events]]\ndate = \"2019-04-01\"\nlabel = \"Planted change\"\nkind = \"action_plan\"\n[monitor]\nmonths = { before = 9, after = 9 }\n",
    );
    let runs = 200u64;
    let (mut detected, mut detected_its, mut alarms, mut alarms_its) = (0u64, 0u64, 0u64, 0u64);
    for seed in 0..runs {
        let mut options = SynthOptions::standard(6_000, 5_000 + seed);
        options.da_share = Some(0.5);
        options.planted_areas = 0;
        options.planted_units = 0;
        for (planted, by) in [(true, -0.10), (false, 0.0)] {
            options.change = planted.then_some(synth::PlantedChange {
                from_day: outcome_lens::dates::days_from_civil(2019, 4, 1),
                by,
            });
            let (_, _, analysis) = synthesise_and_analyse(&options, &config);
            let effect = &analysis.monitor[0];
            let d = effect
                .difference
                .expect("a before/after comparison")
                .interval;
            let its = effect.its.as_ref().expect("a segmented regression");
            let level = &its.adopted[2];
            if planted {
                detected += u64::from(d.upper < 0.0);
                detected_its += u64::from(level.p_value < 0.05 && level.estimate < 0.0);
            } else {
                alarms += u64::from(d.upper < 0.0 || d.lower > 0.0);
                alarms_its += u64::from(level.p_value < 0.05);
            }
        }
    }
    let rate = |k: u64| k as f64 / runs as f64;
    eprintln!(
        "planted fall of 10 points: detected by before/after {detected}/{runs}, by the regression {detected_its}/{runs}; no change: false alarms {alarms}/{runs} (before/after), {alarms_its}/{runs} (regression)"
    );
    assert!(rate(detected) >= 0.9, "before/after detected {detected}");
    // The regression, a weaker test on monthly series this small, must still find the change
    // far more often than it alarms without one.
    assert!(
        rate(detected_its) >= 3.0 * 0.05,
        "regression detected {detected_its}"
    );
    let se = (0.05 * 0.95 / runs as f64).sqrt();
    assert!(
        (rate(alarms) - 0.05).abs() <= 2.0 * se,
        "false alarms {alarms}"
    );
    assert!(
        (rate(alarms_its) - 0.05).abs() <= 2.0 * se,
        "regression false alarms {alarms_its}"
    );
}

/// `synth --change-at DATE --change X` writes the change into the truth file; either flag
/// alone is a usage error, and a date outside the window is refused with nothing written.
#[test]
fn synth_plants_a_change_and_refuses_a_bad_one() {
    let work = Workdir::new();
    let synth = |extra: &[&str]| {
        let mut args = vec![
            "synth", "--crimes", "2000", "--seed", "3", "--out", "x.csv", "-q",
        ];
        args.extend_from_slice(extra);
        output(work.command().args(&args))
    };
    let (code, _, stderr) = synth(&["--change-at", "2019-04-01", "--change", "-0.1"]);
    assert_eq!(code, 0, "{stderr}");
    let truth: serde_json::Value =
        serde_json::from_str(&work.read("x.truth.json")).expect("truth JSON");
    assert_eq!(truth["change"]["from"], "2019-04-01");
    assert_eq!(truth["change"]["by"], -0.1);
    let before = &truth["change"]["before"];
    let after = &truth["change"]["after"];
    assert_eq!(
        before["domestic_abuse_crimes"].as_u64().unwrap()
            + after["domestic_abuse_crimes"].as_u64().unwrap(),
        truth["domestic_abuse_crimes"].as_u64().unwrap()
    );
    std::fs::remove_file(work.path().join("x.csv")).unwrap();
    let (code, _, stderr) = synth(&["--change-at", "2019-04-01"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--change"), "{stderr}");
    let (code, _, stderr) = synth(&["--change-at", "2021-04-01", "--change", "-0.1"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr
            .contains("--change-at 2021-04-01 is not inside the window (2018-04-01 to 2020-03-31)"),
        "{stderr}"
    );
    assert!(!work.path().join("x.csv").exists(), "nothing written");
}

/// Issue #20's coverage study: over 100 seeds of 5,000 crimes (about 2,500 domestic-abuse
/// crimes, no planted areas or units), the record-level model's 95% intervals for the planted
/// odds ratios of the investigation-quality fields (9 levels: arrest, body-worn video, risk
/// medium and high, supervisor review, evidence-led prosecution considered and submitted,
/// relationship family and other) cover the planted values at about the nominal rate.
/// Measured: 851 of 900 (94.6%), each level between 93 and 97 of 100.
#[test]
fn the_record_level_model_covers_the_planted_odds_ratios() {
    use outcome_lens::extract::quality::ModelOutcome;
    let config = synthetic_config("");
    let planted = synth::fields::planted();
    let (mut covered, mut total) = (0u64, 0u64);
    let mut by_level: std::collections::BTreeMap<String, (u64, u64)> = Default::default();
    for seed in 0..100 {
        let mut options = SynthOptions::standard(5_000, 7_000 + seed);
        options.da_share = Some(0.5);
        options.planted_areas = 0;
        options.planted_units = 0;
        let (_, _, analysis) = synthesise_and_analyse(&options, &config);
        let quality = analysis
            .quality
            .expect("the synthetic extract maps the fields");
        let ModelOutcome::Fitted { model, .. } = quality.model else {
            panic!("seed {seed}: no model")
        };
        for p in &planted.odds_ratios {
            let term = model
                .terms
                .iter()
                .find(|t| t.factor == p.field && t.level == p.level)
                .unwrap_or_else(|| panic!("seed {seed}: no term {} = {}", p.field, p.level));
            let hit = term.interval.lower <= p.odds_ratio && p.odds_ratio <= term.interval.upper;
            covered += u64::from(hit);
            total += 1;
            let e = by_level
                .entry(format!("{}={}", p.field, p.level))
                .or_default();
            e.0 += u64::from(hit);
            e.1 += 1;
        }
    }
    let rate = covered as f64 / total as f64;
    eprintln!(
        "planted odds ratios covered: {covered} of {total} ({:.1}%); by level: {by_level:?}",
        100.0 * rate
    );
    assert_eq!(total, 900);
    // 900 intervals (9 per seed, nearly independent): the binomial standard error of the
    // coverage is 0.73 points; three of them either side of 95%.
    assert!((rate - 0.95).abs() <= 0.022, "coverage {rate}");
}

/// The sample's case-mix-adjusted comparison and withdrawal timing (issue #20): the planted
/// area and unit stay above their expectation once offence group, repeat victims and the
/// quality fields are adjusted for (their 95% intervals for O/E above 1); the expectations
/// add up to the observed closures (a property of the maximum-likelihood fit with an
/// intercept); about 15% of outcome-16 closures have no withdrawal date (synth leaves 15% out).
#[test]
fn the_sample_adjusts_areas_and_units_for_case_mix_and_times_withdrawal() {
    let work = Workdir::with_sample();
    let (code, _, stderr) =
        work.run(&["extract", "--config", "analysis.toml", "--out", "out", "-q"]);
    assert_eq!(code, 0, "{stderr}");
    let adjusted = work.read("out/tables/extract_adjusted.csv");
    let rows: Vec<Vec<String>> = adjusted
        .lines()
        .skip(1)
        .map(|l| {
            l.rsplitn(10, ',')
                .map(String::from)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect()
        })
        .collect();
    // Columns from the right: kind, name, crimes, observed, expected, ratio, low, high, flag.
    let field = |r: &Vec<String>, k: usize| r[r.len() - 9 + k].clone();
    for (kind, name) in [
        ("area", "Middlesbrough 2"),
        ("unit", "Neighbourhood Team North"),
    ] {
        let r = rows
            .iter()
            .find(|r| field(r, 0) == kind && field(r, 1) == name)
            .unwrap_or_else(|| panic!("no row for {name}"));
        let low: f64 = field(r, 6).parse().unwrap();
        assert!(low > 1.0, "{name}: O/E interval {low}");
        assert_eq!(
            field(r, 8),
            "high_998",
            "{name}: its place on the adjusted funnel"
        );
    }
    for kind in ["area", "unit"] {
        let (o, e): (f64, f64) = rows
            .iter()
            .filter(|r| field(r, 0) == kind)
            .map(|r| {
                (
                    field(r, 3).parse::<f64>().unwrap(),
                    field(r, 4).parse::<f64>().unwrap(),
                )
            })
            .fold((0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1));
        assert!((o - e).abs() < 1e-3, "{kind}: observed {o}, expected {e}");
    }
    let withdrawal = work.read("out/tables/extract_withdrawal.csv");
    let all = withdrawal
        .lines()
        .find(|l| l.contains(",all,all areas,"))
        .expect("the all-areas row");
    let share: f64 = all.rsplit(',').nth(7).unwrap().parse().unwrap();
    assert!((0.10..=0.21).contains(&share), "{all}");
}

/// Issue #20's two planted units, over 100 seeds of 10,000 crimes (about 5,000
/// domestic-abuse crimes; no planted areas): a "mix unit", whose domestic-abuse crimes are
/// mostly of standard risk and whose outcome-16 odds are raised by exactly what that mix
/// brings, and a unit raised by 15 points. After adjustment for case mix (offence group,
/// repeat victim and the quality fields, risk among them) the mix unit lies within the ratio
/// funnel's outer limits and the raised unit above them: the two are told apart.
/// Measured: told apart in 93 of 100 (the mix unit within in 98, the raised unit above in
/// 95); the mix unit was above the unadjusted funnel's 95% limit in 6 (its excess, odds 1.47
/// times, is small). A first version with Poisson lines (k = 1; 8,000 crimes, the earlier
/// risk shares) found the raised unit above them in only 45.
#[test]
fn the_case_mix_model_tells_a_risk_mix_unit_from_a_raised_one() {
    let config = synthetic_config("");
    let (mut told_apart, mut mix_within, mut raised_high, mut mix_unadjusted_high) =
        (0u64, 0u64, 0u64, 0u64);
    let seeds = 100;
    for seed in 0..seeds {
        let mut options = SynthOptions::standard(10_000, 9_100 + seed);
        options.da_share = Some(0.5);
        options.planted_areas = 0;
        options.planted_units = 1;
        options.mix_units = 1;
        let (truth, _, analysis) = synthesise_and_analyse(&options, &config);
        let mix = truth
            .units
            .iter()
            .find(|u| u.risk_mix_odds_ratio.is_some())
            .expect("a mix unit");
        let raised = truth
            .units
            .iter()
            .find(|u| u.planted)
            .expect("a raised unit");
        let quality = analysis.quality.expect("the fields are mapped");
        let flag = |name: &str| {
            quality
                .adjusted
                .iter()
                .find(|r| r.kind == "unit" && r.name == name)
                .and_then(|r| r.flag)
                .unwrap_or_else(|| panic!("seed {seed}: {name} has no adjusted flag"))
        };
        let (a, b) = (flag(&mix.name), flag(&raised.name));
        let a_within = !matches!(a, Flag::HighOuter | Flag::LowOuter);
        let b_high = b == Flag::HighOuter;
        mix_within += u64::from(a_within);
        raised_high += u64::from(b_high);
        told_apart += u64::from(a_within && b_high);
        let units = analysis.units.as_ref().expect("a unit funnel");
        mix_unadjusted_high += u64::from(flag_of(units, &mix.name).reaches(Flag::HighInner));
    }
    eprintln!(
        "told apart in {told_apart} of {seeds} seeds; mix unit within the outer limits after adjustment {mix_within}, raised unit above them {raised_high}; mix unit high on the unadjusted funnel (95% or beyond) {mix_unadjusted_high}"
    );
    assert!(
        told_apart * 100 >= 90 * seeds,
        "told apart in {told_apart} of {seeds}"
    );
}
