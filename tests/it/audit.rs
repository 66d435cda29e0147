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

/// Each way a reviewed file can fail to be the drawn sample: one line naming the file, the
/// line and the value, exit 1, nothing written.
#[test]
fn a_reviewed_file_that_is_not_the_drawn_sample_is_refused_and_nothing_is_written() {
    let work = Workdir::with_sample();
    let text = work.read("audit_reviewed.csv");
    let lines: Vec<&str> = text.lines().collect();
    let second_row_reference = lines[2].split(',').nth(4).unwrap().to_string();
    let first_row_reference = lines[1].split(',').nth(4).unwrap().to_string();
    let cases = [
        (
            "swapped",
            text.replacen(&first_row_reference, "CL/99/999999", 1),
            "swapped.csv:2: crime_reference \"CL/99/999999\" is not in the sample drawn from this extract with seed 20190401",
        ),
        (
            "duplicated",
            format!("{text}{}\n", lines[1]),
            "duplicated.csv:32: crime_reference",
        ),
        (
            "finding",
            text.replacen(",appropriate,", ",looks fine,", 1),
            "is not a finding; write appropriate, inappropriate or cannot_tell",
        ),
        (
            "seed",
            text.replacen(",20190401,", ",20190402,", 1),
            "seed \"20190402\" is not the drawn sample's 20190401",
        ),
        (
            "size",
            text.replacen("Hartlepool 1,113,", "Hartlepool 1,112,", 1),
            "stratum_crimes \"112\" is not the drawn sample's 113",
        ),
        (
            "stratum",
            {
                let moved = lines[2].replacen("Hartlepool 1,", "Hartlepool 2,", 1);
                text.replacen(lines[2], &moved, 1)
            },
            &format!("crime {second_row_reference} was drawn from"),
        ),
    ];
    for (name, body, expected) in cases {
        let file = format!("{name}.csv");
        std::fs::write(work.path().join(&file), body).unwrap();
        let (code, _, stderr) = audit(&work, &file, name);
        assert_eq!(code, 1, "{name}: {stderr}");
        assert!(stderr.contains(expected), "{name}: {stderr}");
        assert_eq!(
            stderr.trim().lines().count(),
            1,
            "{name}: one line: {stderr}"
        );
        assert!(!work.path().join(name).exists(), "{name}: nothing written");
    }
}
