//! `outcome-lens audit` end to end (issue #18): the bundled sample's reviewed audit read back
//! and weighted to the force, and reviewed files that are not the drawn sample refused.

use crate::support::Workdir;

fn audit(work: &Workdir, reviewed: &str, out: &str) -> (i32, String, String) {
    work.run(&[
        "audit",
        "--config",
        "analysis.toml",
        "--reviewed",
        reviewed,
        "--out",
        out,
    ])
}

/// The share in summary.json and audit_estimates.csv is R's survey on the same counts
/// (tests/reference/audit.csv, sample S4: p = 0.277, Korn-Graubard 0.117846732133382 to
/// 0.492162975883098).
#[test]
fn the_bundled_reviewed_sample_is_weighted_back_to_the_force() {
    let work = Workdir::with_sample();
    let (code, _, stderr) = audit(&work, "audit_reviewed.csv", "out");
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("audit: an estimated 27.7% (95% CI 11.8% to 49.2%) of the 600 closures, about 166 crimes, were judged inappropriate (8 of 30 reviewed found so)"),
        "{stderr}"
    );
    let summary: serde_json::Value = serde_json::from_str(&work.read("out/summary.json")).unwrap();
    let a = &summary["audit"];
    assert_eq!(a["status"], "final");
    assert_eq!(
        (a["population"].as_u64(), a["reviewed"].as_u64()),
        (Some(600), Some(30))
    );
    let share = a["inappropriate"]["share"].as_f64().unwrap();
    assert!((share - 0.277).abs() < 1e-12);
    let low = a["inappropriate"]["ci95"][0].as_f64().unwrap();
    let high = a["inappropriate"]["ci95"][1].as_f64().unwrap();
    assert!((low - 0.117846732133382).abs() < 1e-9 * low, "{low}");
    assert!((high - 0.492162975883098).abs() < 1e-9 * high, "{high}");
    assert_eq!(a["cannot_tell"]["positives"], 4);
    for table in [
        "audit_estimates",
        "audit_by_stratum",
        "audit_checklist",
        "audit_agreement",
        "audit_pending",
    ] {
        let text = work.read(&format!("out/tables/{table}.csv"));
        assert!(
            text.starts_with("source,"),
            "{table} names its (synthetic) source first"
        );
    }
    let checklist = work.read("out/tables/audit_checklist.csv");
    assert!(checklist.contains(
        "supervisor_reviewed,Did a supervisor review the decision to take no further action?,yes,"
    ));
    // The pending table has its header only: every drawn case is reviewed.
    assert_eq!(work.read("out/tables/audit_pending.csv").lines().count(), 1);
}

#[test]
fn a_partly_reviewed_sample_is_provisional_and_lists_what_is_pending() {
    let work = Workdir::with_sample();
    let text = work.read("audit_reviewed.csv");
    // Clear the findings of the first two cases of the first stratum.
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    for line in lines.iter_mut().skip(1).take(2) {
        for finding in [",appropriate,", ",inappropriate,", ",cannot_tell,"] {
            if let Some(at) = line.find(finding) {
                line.replace_range(at..at + finding.len(), ",,");
                break;
            }
        }
    }
    std::fs::write(work.path().join("partial.csv"), lines.join("\n") + "\n").unwrap();
    let (code, _, stderr) = audit(&work, "partial.csv", "out");
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("provisional: 2 drawn cases not yet reviewed"),
        "{stderr}"
    );
    let summary: serde_json::Value = serde_json::from_str(&work.read("out/summary.json")).unwrap();
    assert_eq!(summary["audit"]["status"], "provisional");
    assert!(summary["audit"]["inappropriate"]["bounds"].is_array());
    assert_eq!(work.read("out/tables/audit_pending.csv").lines().count(), 3);
}

/// The audit's bad-input corpus (tests/bad-input/audit/expected.tsv): each way a reviewed file
/// can fail to be the drawn sample gives its exit code and one line naming the file, the line
/// and the value, and writes nothing.
#[test]
fn a_reviewed_file_that_is_not_the_drawn_sample_is_refused_and_nothing_is_written() {
    let corpus = crate::support::root().join("tests/bad-input/audit");
    let work = Workdir::with_sample();
    let mut checked = 0;
    for (file, code, message) in crate::support::corpus_cases("tests/bad-input/audit") {
        let (file, message) = (file.as_str(), message.as_str());
        std::fs::copy(corpus.join(file), work.path().join(file)).expect("copy the case");
        let out = format!("out-{file}");
        let (actual, _, stderr) = audit(&work, file, &out);
        assert_eq!(actual, code, "{file}: {stderr}");
        assert!(
            stderr.contains(message),
            "{file}: expected {message:?} in {stderr}"
        );
        assert!(
            stderr.contains(file),
            "{file}: the message names the file: {stderr}"
        );
        assert_eq!(
            stderr.trim().lines().count(),
            1,
            "{file}: one line: {stderr}"
        );
        assert!(!work.path().join(&out).exists(), "{file}: nothing written");
        checked += 1;
    }
    assert!(checked >= 9, "the corpus has its cases ({checked})");
}

/// `sample --margin` plans the sizes with `stats::survey::plan` and every sample says the
/// precision it gives.
#[test]
fn the_planner_chooses_the_sizes_and_every_sample_says_its_precision() {
    use outcome_lens::stats::survey::{plan, Allocation};
    use outcome_lens::stats::Level;
    let work = Workdir::with_sample();
    let (code, _, stderr) = work.run(&[
        "sample",
        "--config",
        "analysis.toml",
        "--margin",
        "0.1",
        "--out",
        "planned.csv",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let text = work.read("planned.csv");
    let mut sizes: Vec<(String, u64, u64)> = Vec::new();
    for line in text.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let row = (
            cells[0].to_string(),
            cells[1].parse().unwrap(),
            cells[2].parse().unwrap(),
        );
        if sizes.last() != Some(&row) {
            sizes.push(row);
        }
    }
    let populations: Vec<u64> = sizes.iter().map(|s| s.1).collect();
    let expected = plan(
        &populations,
        &vec![0.5; populations.len()],
        0.1,
        Level::ninety_five(),
        Allocation::Proportional,
    )
    .unwrap();
    assert_eq!(
        sizes.iter().map(|s| s.2).collect::<Vec<_>>(),
        expected.sizes
    );
    assert!(expected.half_width <= 0.1);
    assert!(
        stderr.contains(&format!(
            "the 95% interval's half-width would be about {:.1} points",
            100.0 * expected.half_width
        )),
        "{stderr}"
    );
    // A fixed size says its precision too (five per area: about ±17 points at 50%).
    let (code, _, stderr) =
        work.run(&["sample", "--config", "analysis.toml", "--out", "fixed.csv"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains(
            "at a share of 50% inappropriate, the 95% interval's half-width would be about"
        ),
        "{stderr}"
    );
    // A margin that is not a half-width is refused.
    let (code, _, stderr) = work.run(&["sample", "--config", "analysis.toml", "--margin", "5"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("--margin 5 is not in (0, 0.5]"), "{stderr}");
}

/// A sample planned in the analysis file (`[extract.audit] margin`) is the one `sample`
/// draws with `--margin`, and its reviewed copy is read back by `audit` (a planned sample
/// drawn on the command line alone could not be found again).
#[test]
fn a_sample_planned_in_the_analysis_file_is_read_back() {
    let work = Workdir::with_sample();
    // The checklist is left out: the drawn sample has only the finding column to fill.
    let analysis = work
        .read("analysis.toml")
        .replace(
            "per_stratum = 5\n",
            "margin = 0.1\nexpected = 0.3\nallocation = \"neyman\"\n",
        )
        .replace(
            "supervisor_reviewed = \"Did a supervisor review the decision to take no further action?\"\n",
            "",
        )
        .replace(
            "evidence_led_considered = \"Was an evidence-led prosecution considered?\"\n",
            "",
        );
    assert!(analysis.contains("margin = 0.1"));
    std::fs::write(work.path().join("planned.toml"), &analysis).unwrap();
    let (code, _, stderr) = work.run(&[
        "sample",
        "--config",
        "analysis.toml",
        "--margin",
        "0.1",
        "--expected",
        "0.3",
        "--allocation",
        "neyman",
        "--out",
        "from-flags.csv",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) =
        work.run(&["sample", "--config", "planned.toml", "--out", "planned.csv"]);
    assert_eq!(code, 0, "{stderr}");
    let drawn = work.read("planned.csv");
    assert_eq!(
        drawn,
        work.read("from-flags.csv"),
        "the same sample either way"
    );
    // Every case reviewed as appropriate, except the first as inappropriate.
    let mut reviewed = String::new();
    for (k, line) in drawn.lines().enumerate() {
        reviewed.push_str(line);
        reviewed.push_str(match k {
            0 => "",
            1 => "inappropriate",
            _ => "appropriate",
        });
        reviewed.push('\n');
    }
    std::fs::write(work.path().join("planned-reviewed.csv"), reviewed).unwrap();
    let (code, _, stderr) = work.run(&[
        "audit",
        "--config",
        "planned.toml",
        "--reviewed",
        "planned-reviewed.csv",
        "--out",
        "out",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let summary: serde_json::Value = serde_json::from_str(&work.read("out/summary.json")).unwrap();
    let cases = drawn.lines().count() as u64 - 1;
    assert_eq!(summary["audit"]["reviewed"].as_u64(), Some(cases));
    assert_eq!(summary["audit"]["inappropriate"]["positives"], 1);
    let sample = &summary["extract"]["audit_sample"];
    assert_eq!(sample["planning_share"].as_f64(), Some(0.3));
    assert!(sample["half_width_95"].as_f64().unwrap() <= 0.1, "{sample}");
    // The drawn file and the reviewed copy read against the per-stratum sample are refused.
    let (code, _, stderr) = audit(&work, "planned-reviewed.csv", "out-fixed");
    assert_eq!(code, 1, "{stderr}");
    assert!(!work.path().join("out-fixed").exists());
}
