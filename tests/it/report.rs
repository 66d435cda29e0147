//! The report: `report.html` and `report.md` of the sample run against goldens, the
//! `report` command rebuilding them from a finished run, escaping of hostile unit names end
//! to end, a run without charts, and the real 2018/19 report's numbers against its tables.
//!
//! The goldens compare the report with every chart payload replaced by a placeholder
//! (inline `<svg>…</svg>` and base64 `data:` URIs): the charts are drawn by `render`, which
//! has its own tests and changes on its own schedule, and a chart's bytes inside the report
//! would make every chart change a report change. Which figures appear, their captions,
//! text alternatives and tables are still compared. Refresh with
//! `UPDATE_GOLDEN=1 cargo test --test it report`, and read the diff.

use std::path::Path;

use crate::support::{realdata, root, thousands, Workdir};

const FULL_TABLE: &str = "home-office-outcomes/prc-outcomes-open-data-mar2019-tables.FULL.csv.gz";

/// `outcome-lens <args>` in `work` with its private ingest cache.
fn outcome_lens(work: &Workdir, args: &[&str]) -> (i32, String, String) {
    work.run(args)
}

/// The bundled sample run, written to `<work>/run`.
fn sample_run(work: &Workdir) {
    work.copy_sample();
    let (code, _, stderr) = outcome_lens(
        work,
        &[
            "run",
            "--config",
            "analysis.toml",
            "--out",
            "run",
            "--force",
            "-q",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
        .replace("\r\n", "\n")
}

/// The report with chart payloads replaced by placeholders: every `<svg…>…</svg>` becomes
/// `<svg>[chart]</svg>` and every base64 `data:` URI becomes `data:[chart]`.
fn without_chart_payloads(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<svg") {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find("</svg>")
            .map(|e| start + e + "</svg>".len())
            .expect("an <svg> without </svg>");
        out.push_str("<svg>[chart]</svg>");
        rest = &rest[end..];
    }
    out.push_str(rest);
    let mut result = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(start) = rest.find(";base64,") {
        let prefix_start = rest[..start]
            .rfind("data:")
            .expect("base64 outside a data: URI");
        result.push_str(&rest[..prefix_start]);
        result.push_str("data:[chart]");
        let payload = &rest[start + ";base64,".len()..];
        let end = payload
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '+' || c == '/' || c == '='))
            .unwrap_or(payload.len());
        rest = &payload[end..];
    }
    result.push_str(rest);
    result
}

/// Compares `actual` with tests/golden/report/<name>, or rewrites it when UPDATE_GOLDEN=1.
fn check_golden(name: &str, actual: &str) {
    let path = root().join("tests/golden/report").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("create golden folder");
        std::fs::write(&path, actual).expect("write golden");
        return;
    }
    let expected = read(&path);
    if actual != expected {
        let first = actual
            .lines()
            .zip(expected.lines())
            .position(|(a, e)| a != e)
            .unwrap_or(actual.lines().count().min(expected.lines().count()));
        panic!(
            "tests/golden/report/{name} differs at line {}:\n```expected\n{}\n```\n```actual\n{}\n```\n(UPDATE_GOLDEN=1 cargo test --test it report refreshes the goldens; read the diff)",
            first + 1,
            expected.lines().nth(first).unwrap_or("<end of file>"),
            actual.lines().nth(first).unwrap_or("<end of file>")
        );
    }
}

/// The tags that open in an HTML page, by lower-case name.
fn tags(html: &str) -> Vec<String> {
    html.split('<')
        .skip(1)
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '/' || *c == '!')
                .collect::<String>()
                .to_ascii_lowercase()
        })
        .collect()
}

/// See: #6. The sample run writes report.html and report.md; their text, figures and tables
/// match the goldens (chart payloads aside).
#[test]
fn sample_report_matches_goldens() {
    let work = Workdir::new();
    sample_run(&work);
    let html = read(&work.path().join("run/report.html"));
    let md = read(&work.path().join("run/report.md"));
    check_golden("report.html", &without_chart_payloads(&html));
    check_golden("report.md", &md);
    // The Markdown points at PNGs the run folder holds.
    for (start, _) in md.match_indices("](charts/") {
        let path = &md[start + 2..start + 2 + md[start + 2..].find(')').expect("closing )")];
        assert!(
            work.path().join("run").join(path).exists(),
            "{path} is missing"
        );
    }
}

/// `outcome-lens report` rebuilds exactly what the run wrote, from the folder alone.
#[test]
fn report_command_rebuilds_the_run_report() {
    let work = Workdir::new();
    sample_run(&work);
    let run = work.path().join("run");
    let html = std::fs::read(run.join("report.html")).expect("report.html");
    let md = std::fs::read(run.join("report.md")).expect("report.md");
    let docx = std::fs::read(run.join("report.docx")).expect("report.docx");
    for name in ["report.html", "report.md", "report.docx"] {
        std::fs::remove_file(run.join(name)).expect("remove");
    }
    let (code, stdout, stderr) = outcome_lens(&work, &["report", "run"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.lines().count(), 3, "{stdout}");
    assert!(
        stdout.contains("report.html")
            && stdout.contains("report.md")
            && stdout.contains("report.docx"),
        "{stdout}"
    );
    // The Word copy too: the same bytes from the folder alone (its pictures are numbered by
    // the report, not by a counter that a second document in one process would move on).
    assert!(
        std::fs::read(run.join("report.docx")).expect("rebuilt") == docx,
        "report.docx differs when rebuilt"
    );
    assert!(
        std::fs::read(run.join("report.html")).expect("rebuilt") == html,
        "report.html differs when rebuilt"
    );
    assert!(
        std::fs::read(run.join("report.md")).expect("rebuilt") == md,
        "report.md differs when rebuilt"
    );
}

/// Without charts the report still has every section and table, and says which charts are
/// missing instead of drawing empty figures.
#[test]
fn report_without_charts() {
    let work = Workdir::new();
    sample_run(&work);
    let run = work.path().join("run");
    std::fs::remove_dir_all(run.join("charts")).expect("remove charts");
    let (code, _, stderr) = outcome_lens(&work, &["report", "run"]);
    assert_eq!(code, 0, "{stderr}");
    let html = read(&run.join("report.html"));
    assert!(!html.contains("<figure"));
    assert!(
        html.contains("This run has no chart of this (funnel.svg or funnel.png in charts&#x2f;)")
    );
    assert!(html.contains("Table 1. The funnel plot"));
    let md = read(&run.join("report.md"));
    assert!(!md.contains("!["));
}

/// A folder that is not a run is an error naming it.
#[test]
fn report_of_a_folder_that_is_not_a_run() {
    let work = Workdir::new();
    std::fs::create_dir(work.path().join("empty")).expect("mkdir");
    let (code, _, stderr) = outcome_lens(&work, &["report", "empty"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("is not a finished run folder (no summary.json)"),
        "{stderr}"
    );
    assert!(!work.path().join("empty/report.html").exists());
}

/// See: #6. Unit names that are markup show as text in the HTML (and its inline charts) and
/// in the Markdown: tidy counts whose units are `<script>alert(1)</script>` and
/// `"><img src=x onerror=alert(1)>`.
#[test]
fn hostile_unit_names_show_as_text() {
    let work = Workdir::new();
    let mut csv = String::from("unit,period,numerator,denominator\n");
    let units = [
        ("\"<script>alert(1)</script>\"", 210, 380),
        ("\"\"\"><img src=x onerror=alert(1)>\"", 95, 410),
        ("Area C", 120, 400),
        ("Area D", 80, 390),
        ("Area E", 150, 420),
        ("Area F", 101, 300),
        ("Area G", 99, 310),
        ("Area H", 140, 360),
    ];
    for (unit, x, n) in units {
        for quarter in 1..=4 {
            csv.push_str(&format!(
                "{unit},2019/20 Q{quarter},{},{}\n",
                x / 4 + quarter,
                n / 4 + 5
            ));
        }
    }
    std::fs::write(work.path().join("areas.csv"), csv).expect("write");
    std::fs::write(
        work.path().join("areas.toml"),
        "inputs = [\"areas.csv\"]\nfocus = [\"<script>alert(1)</script>\"]\n[outputs]\nfolder = \"out\"\n",
    )
    .expect("write");
    let (code, _, stderr) = outcome_lens(&work, &["run", "--config", "areas.toml", "-q"]);
    assert_eq!(code, 0, "{stderr}");
    let html = read(&work.path().join("out/report.html"));
    let md = read(&work.path().join("out/report.md"));
    let tags = tags(&html);
    assert!(
        !tags.iter().any(|t| t == "script"),
        "a <script> tag in report.html"
    );
    for (start, _) in html.match_indices("<img") {
        assert!(
            html[start..].starts_with("<img class=\"chart-image\" src=\"data:"),
            "an <img> from data in report.html: {}",
            &html[start..(start + 60).min(html.len())]
        );
    }
    assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"));
    assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    assert!(
        !md.contains("<script") && !md.contains("<img"),
        "raw HTML in report.md"
    );
    assert!(md.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

/// Formats a rate as the report does (one decimal place).
fn percent(text: &str) -> String {
    format!("{:.1}%", 100.0 * text.parse::<f64>().expect("a rate"))
}

/// One row of a run's CSV table, by its first column.
fn csv_row(path: &Path, key: &str) -> std::collections::BTreeMap<String, String> {
    let mut reader = csv::Reader::from_path(path).expect("csv");
    let headers = reader.headers().expect("header").clone();
    for record in reader.records() {
        let record = record.expect("row");
        if &record[0] == key {
            return headers
                .iter()
                .zip(record.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect();
        }
    }
    panic!("{} has no row {key:?}", path.display());
}

/// See: #6. The real 2018/19 report (all offences, focus Cleveland) says what its tables say:
/// the summary's rate, counts, interval, national and peer rates, position at both levels,
/// rank, trend and excess are the tables' cells, formatted.
#[test]
fn real_2018_19_report_agrees_with_its_tables() {
    let work = Workdir::new();
    let input = realdata(FULL_TABLE);
    std::fs::write(
        work.path().join("real.toml"),
        format!(
            "inputs = [{:?}]\nperiod = \"2018/19\"\nfocus = [\"Cleveland\"]\n[outputs]\nfolder = \"run\"\n",
            input.display().to_string()
        ),
    )
    .expect("write");
    let (code, _, stderr) = outcome_lens(&work, &["run", "--config", "real.toml", "-q"]);
    assert_eq!(code, 0, "{stderr}");
    let run = work.path().join("run");
    let md = read(&run.join("report.md"));
    let force = csv_row(&run.join("tables/force_comparison.csv"), "Cleveland");
    let peers = csv_row(&run.join("tables/peer_groups.csv"), &force["peer_group"]);
    let mix = csv_row(&run.join("tables/offence_mix_summary.csv"), "Cleveland");
    let summary: serde_json::Value =
        serde_json::from_str(&read(&run.join("summary.json"))).expect("summary");
    let trend = &summary["focus"][0]["trend"];
    assert_eq!(
        force["rank"], "3",
        "the README's account of this run: the third-highest share"
    );
    let expected = [
        format!(
            "Rate: {} of Cleveland's outcomes in 2018/19 were outcome 16 ({} of {}; 95% interval {} to {}), against a national rate of {}; its peer group ({}) had a pooled rate of {} and a mean of member rates of {}.",
            percent(&force["rate"]),
            thousands(&force["numerator"]),
            thousands(&force["denominator"]),
            percent(&force["ci95_low"]),
            percent(&force["ci95_high"]),
            percent(&force["target"]),
            // The group by its label, as the charts name it.
            peers["label"],
            percent(&peers["rate_pooled"]),
            percent(&peers["rate_mean"]),
        ),
        // The README's account of this run: above the 95% but within the 99.8% limit.
        "Position: after the overdispersion adjustment, Cleveland is above the 95% limit but within the 99.8% limit. Without the adjustment it would be above the 99.8% limit.".to_string(),
        format!(
            "Rank: the 3rd highest rate of the {} forces in the national set (rank 3 of {}).",
            summary["n_units"], summary["n_units"]
        ),
        format!(
            "Cleveland's rate was higher in {} ({}) than in {} ({}): on this measure its reliance on outcome 16 is not falling.",
            trend["last_period"].as_str().expect("period"),
            percent(&trend["last_rate"].to_string()),
            trend["first_period"].as_str().expect("period"),
            percent(&trend["first_rate"].to_string()),
        ),
        format!(
            "Excess: Cleveland closed {} more crimes with outcome 16 than the national rates for its offence mix predict ({} observed against {} expected; standardised ratio {:.2}, 95% interval {:.2} to {:.2}).",
            thousands(&mix["excess"]),
            thousands(&mix["observed"]),
            thousands(&mix["expected"]),
            mix["ratio"].parse::<f64>().expect("ratio"),
            mix["ratio_ci95_low"].parse::<f64>().expect("ratio"),
            mix["ratio_ci95_high"].parse::<f64>().expect("ratio"),
        ),
        format!(
            "Against the plain national rate of {}, Cleveland's gap is +{} closures. Of that gap, its offence mix accounts for {} closures",
            percent(&force["target"]),
            thousands(&mix["gap_vs_national"]),
            thousands(&mix["explained_by_offence_mix"]),
        ),
    ];
    for sentence in expected {
        assert!(md.contains(&sentence), "report.md lacks:\n{sentence}");
    }
    // Every section is there, and no section for record-level data that was not supplied.
    for heading in [
        "## 1. Summary",
        "## 2. National comparison",
        "## 3. Peer-group comparison",
        "## 4. Trend and SPC",
        "## 5. Offence mix",
        "## 6. Data and methods",
        "## Appendix: tables",
    ] {
        assert!(md.contains(&format!("\n{heading}\n")), "{heading}");
    }
    assert!(!md.contains("Within-force"));
    // All offences: nothing here is a proxy, and nothing is called domestic abuse.
    assert!(
        !md.to_lowercase().contains("domestic"),
        "report.md mentions domestic abuse"
    );
}
