use super::*;
use crate::config::extract::{AuditConfig, AuditSize, ExtractConfig, Stratify};
use crate::config::{Config, Overrides};
use crate::extract::read::read_from;
use crate::extract::sample::{draw, to_csv};
use indicatif::ProgressBar;
use std::path::Path;

fn config() -> ExtractConfig {
    let text = "inputs = [\"x.csv\"]\n[outputs]\nfolder = \"out\"\n[extract]\nfile = \"e.csv\"\n[extract.columns]\ncrime_reference = \"Ref\"\nrecorded_date = \"Recorded\"\noutcome_date = \"Closed\"\noffence_code = \"Code\"\noutcome = \"Outcome\"\ndomestic_abuse = \"DA\"\narea = \"Area\"\nvictim_reference = \"Victim\"\nunit = \"Team\"\n";
    Config::from_toml(Path::new("a.toml"), text, &Overrides::default())
        .unwrap()
        .extract
        .unwrap()
}

/// 30 outcome-16 domestic-abuse crimes in North, 8 in South.
fn extract() -> Extract {
    let mut rows = Vec::new();
    for i in 0..30 {
        rows.push(format!(
            "N{i:02},2019-04-01,2019-04-02,8N,16,Y,North,V{i},CID"
        ));
    }
    for i in 0..8 {
        rows.push(format!("S{i},2019-04-01,2019-04-02,8N,16,Y,South,W{i},CID"));
    }
    let text = format!(
        "Ref,Recorded,Closed,Code,Outcome,DA,Area,Victim,Team\n{}\n",
        rows.join("\n")
    );
    read_from(&config(), text.as_bytes(), &ProgressBar::hidden()).unwrap()
}

fn sample(extract: &Extract) -> AuditSample {
    let settings = AuditConfig {
        seed: 7,
        size: AuditSize::PerStratum(6),
        stratify: Stratify::Area,
    };
    draw(extract, &config(), &settings)
}

/// The drawn sample's CSV with its findings filled in by `fill(row index, stratum)`.
fn reviewed_text(
    extract: &Extract,
    sample: &AuditSample,
    fill: impl Fn(usize, &str) -> String,
) -> String {
    let csv = to_csv(sample, extract);
    let mut lines = csv.lines();
    let mut out = vec![lines.next().unwrap().to_string()];
    for (k, line) in lines.enumerate() {
        let stratum = line.split(',').next().unwrap().to_string();
        out.push(format!(
            "{}{}",
            line.strip_suffix(',').unwrap_or(line).to_string() + ",",
            fill(k, &stratum)
        ));
    }
    out.join("\n") + "\n"
}

#[test]
fn a_fully_reviewed_sample_is_weighted_back_to_the_force() {
    let e = extract();
    let s = sample(&e);
    // North: 2 of 6 inappropriate; South: 3 of 6 inappropriate, 1 cannot tell.
    let text = reviewed_text(&e, &s, |k, stratum| match (stratum, k % 6) {
        ("North", 0 | 1) | ("South", 0..=2) => "inappropriate".into(),
        ("South", 3) => "Cannot tell".into(),
        _ => "appropriate".into(),
    });
    let reviewed = read_reviewed(&text, "reviewed.csv", &s, &e, &AuditOptions::default()).unwrap();
    let results = analyse(&reviewed, &AuditOptions::default()).unwrap();
    assert_eq!(results.status, Status::Final);
    assert_eq!(
        (results.population, results.drawn, results.reviewed),
        (38, 12, 12)
    );
    let inappropriate = &results.shares[0];
    assert_eq!(inappropriate.answer, "inappropriate");
    // p̂ = (30/38)(2/6) + (8/38)(3/6).
    let expected = 30.0 / 38.0 * (2.0 / 6.0) + 8.0 / 38.0 * 0.5;
    assert!((inappropriate.estimate.p - expected).abs() < 1e-15);
    assert!(inappropriate.interval.lower < expected && expected < inappropriate.interval.upper);
    assert!((inappropriate.total - 38.0 * expected).abs() < 1e-12);
    assert_eq!(results.shares[1].answer, "cannot_tell");
    assert_eq!(results.shares[1].positives, 1);
    assert!(inappropriate.bounds.is_none());
    assert!(results.pending.is_empty());
    assert_eq!(results.strata[0].stratum, "North");
    assert_eq!(results.strata[0].inappropriate, 2);
    assert!(results.strata_test.is_some());
}

#[test]
fn empty_findings_are_pending_and_make_the_estimate_provisional() {
    let e = extract();
    let s = sample(&e);
    let text = reviewed_text(&e, &s, |k, _| match k % 6 {
        0 => "inappropriate".into(),
        5 => String::new(),
        _ => "appropriate".into(),
    });
    let reviewed = read_reviewed(&text, "reviewed.csv", &s, &e, &AuditOptions::default()).unwrap();
    let results = analyse(&reviewed, &AuditOptions::default()).unwrap();
    assert_eq!(results.status, Status::Provisional);
    assert_eq!(results.reviewed, 10);
    assert_eq!(results.pending.len(), 2);
    let bounds = results.shares[0].bounds.unwrap();
    assert!(
        bounds.lower < results.shares[0].estimate.p && results.shares[0].estimate.p < bounds.upper
    );
}

#[test]
fn a_stratum_with_no_reviewed_case_withholds_the_force_wide_estimate() {
    let e = extract();
    let s = sample(&e);
    let text = reviewed_text(&e, &s, |_, stratum| {
        if stratum == "South" {
            String::new()
        } else {
            "appropriate".into()
        }
    });
    let reviewed = read_reviewed(&text, "reviewed.csv", &s, &e, &AuditOptions::default()).unwrap();
    let results = analyse(&reviewed, &AuditOptions::default()).unwrap();
    assert!(results.shares.is_empty());
    assert_eq!(results.unreviewed_strata, vec!["South".to_string()]);
}

#[test]
fn double_reviewed_cases_give_kappa_and_their_disagreements() {
    let e = extract();
    let s = sample(&e);
    let csv = to_csv(&s, &e);
    let mut lines: Vec<String> = csv.lines().map(String::from).collect();
    lines[0].push_str(",second_reviewer_finding");
    for (k, line) in lines.iter_mut().enumerate().skip(1) {
        let (first, second) = match k % 4 {
            0 => ("inappropriate", "inappropriate"),
            1 => ("appropriate", "appropriate"),
            2 => ("appropriate", "inappropriate"),
            _ => ("cannot_tell", ""),
        };
        *line = format!("{}{first},{second}", line.strip_suffix(',').unwrap());
        line.insert(line.len() - first.len() - second.len() - 1, ',');
    }
    let text = lines.join("\n");
    let reviewed = read_reviewed(&text, "r.csv", &s, &e, &AuditOptions::default()).unwrap();
    let results = analyse(&reviewed, &AuditOptions::default()).unwrap();
    let (kappa, table) = results.agreement.unwrap();
    assert_eq!(kappa.n, 9);
    assert_eq!(table[0][1], 3);
    assert_eq!(results.disagreements.len(), 3);
}

fn error_of(text: &str) -> String {
    let e = extract();
    let s = sample(&e);
    format!(
        "{:#}",
        read_reviewed(text, "reviewed.csv", &s, &e, &AuditOptions::default()).unwrap_err()
    )
}

#[test]
fn a_file_that_is_not_the_drawn_sample_is_refused_naming_file_line_and_value() {
    let e = extract();
    let s = sample(&e);
    let good = reviewed_text(&e, &s, |_, _| "appropriate".into());
    let lines: Vec<&str> = good.lines().collect();
    // A crime that was not drawn.
    let not_drawn = (0..30)
        .map(|i| format!("N{i:02}"))
        .find(|r| !good.contains(r.as_str()))
        .unwrap();
    let swapped = good.replacen(lines[1].split(',').nth(4).unwrap(), &not_drawn, 1);
    let err = error_of(&swapped);
    assert!(err.starts_with("reviewed.csv:2: crime_reference"), "{err}");
    assert!(err.contains(&not_drawn) && err.contains("seed 7"), "{err}");
    // A duplicated row.
    let duplicated = format!("{}{}\n", good, lines[1]);
    let err = error_of(&duplicated);
    assert!(err.contains("appears again (first on line 2)"), "{err}");
    // A finding outside the vocabulary.
    let bad = good.replacen(",appropriate", ",fine", 1);
    let err = error_of(&bad);
    assert!(
        err.contains("reviewer_finding \"fine\" is not a finding"),
        "{err}"
    );
    // A changed seed.
    let err = error_of(&good.replacen(",7,", ",8,", 1));
    assert!(
        err.contains("seed \"8\" is not the drawn sample's 7"),
        "{err}"
    );
    // A changed stratum size.
    let err = error_of(&good.replacen("North,30,", "North,31,", 1));
    assert!(
        err.contains("stratum_crimes \"31\" is not the drawn sample's 30"),
        "{err}"
    );
    // A missing column.
    let err = error_of("stratum,crime_reference\n");
    assert!(err.contains("no column \"stratum_crimes\""), "{err}");
    // Nothing at all.
    assert!(error_of("").contains("the file is empty"));
}

#[test]
fn other_spellings_are_mapped_from_the_analysis_file() {
    let e = extract();
    let s = sample(&e);
    let text = reviewed_text(&e, &s, |_, _| "NFA justified".into());
    let mut options = AuditOptions::default();
    options
        .findings
        .insert("nfa justified".into(), Finding::Appropriate);
    let reviewed = read_reviewed(&text, "r.csv", &s, &e, &options).unwrap();
    assert!(reviewed
        .cases
        .iter()
        .all(|c| c.finding == Some(Finding::Appropriate)));
}

#[test]
fn the_strata_test_is_rao_scott_on_the_stratum_rows() {
    // METHODS-2.md §3: D1 (1 of 10 from 120, 2 of 8 from 60, 0 of 5 from 20): R's svychisq
    // gives F = 0.7694264483 on 1.693232774 and 33.86465547 df, p = 0.45118682.
    let row = |stratum: &str, population, reviewed, inappropriate| StratumRow {
        stratum: stratum.into(),
        population,
        drawn: reviewed,
        reviewed,
        inappropriate,
        cannot_tell: 0,
        share: None,
    };
    let test = rao_scott(&[row("A", 120, 10, 1), row("B", 60, 8, 2), row("C", 20, 5, 0)]).unwrap();
    assert!((test.statistic - 0.7694264483).abs() < 1e-9);
    assert!((test.df_numerator - 1.693232774).abs() < 1e-8);
    assert!((test.df_denominator - 33.86465547).abs() < 1e-7);
    assert!((test.p_value - 0.45118682).abs() < 1e-8);
    // The smallest expected sample count: 5 × 3 / 23.
    assert!((test.smallest_expected - 15.0 / 23.0).abs() < 1e-12);
}
