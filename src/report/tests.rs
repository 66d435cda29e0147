use std::path::Path;

use super::*;
use crate::run_folder::TextTable;

/// The sample run's Home Office part: its tables and summary as committed in
/// tests/golden/sample, without the record-level extract (see [`sample_with_extract`]).
pub(crate) fn sample() -> RunData {
    let mut data = sample_with_extract();
    data.tables.retain(|name, _| !name.starts_with("extract_"));
    data.summary.extract = None;
    data.summary.audit = None;
    data.tables.retain(|name, _| !name.starts_with("audit_"));
    data
}

/// The whole sample run as committed in tests/golden/sample, with its (synthetic) extract.
pub(crate) fn sample_with_extract() -> RunData {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/sample");
    let summary = crate::run_folder::summary::from_text(
        &std::fs::read_to_string(dir.join("summary.json")).unwrap(),
    )
    .unwrap();
    let mut tables = std::collections::BTreeMap::new();
    for entry in std::fs::read_dir(dir.join("tables")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        tables.insert(name, TextTable::from_csv(&text).unwrap());
    }
    RunData { summary, tables }
}

/// Renames a force everywhere: table cells, peer-group member lists and summary.json.
pub(crate) fn rename(data: &mut RunData, from: &str, to: &str) {
    for table in data.tables.values_mut() {
        for row in &mut table.rows {
            for cell in row.iter_mut() {
                *cell = cell.replace(from, to);
            }
        }
    }
    fn walk(value: &mut serde_json::Value, from: &str, to: &str) {
        match value {
            serde_json::Value::String(s) => *s = s.replace(from, to),
            serde_json::Value::Array(items) => items.iter_mut().for_each(|v| walk(v, from, to)),
            serde_json::Value::Object(map) => map.values_mut().for_each(|v| walk(v, from, to)),
            _ => {}
        }
    }
    data.summary.edit_as_json(|summary| walk(summary, from, to));
}

fn build_texts(data: &RunData, charts: &[(String, Vec<u8>)]) -> (String, String) {
    let files = build(data, charts).unwrap();
    assert_eq!(
        files.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["report.html", "report.md", "report.docx"]
    );
    (
        String::from_utf8(files[0].1.clone()).unwrap(),
        String::from_utf8(files[1].1.clone()).unwrap(),
    )
}

fn chart(name: &str, svg: &str) -> (String, Vec<u8>) {
    (name.to_string(), svg.as_bytes().to_vec())
}

const PLAIN_SVG: &str = "<svg width=\"10\" height=\"10\" viewBox=\"0 0 10 10\" xmlns=\"http://www.w3.org/2000/svg\"><rect x=\"0\" y=\"0\" width=\"10\" height=\"10\" fill=\"#FFFFFF\"/></svg>";

/// Every tag that opens in the page, by name.
fn tags(html: &str) -> Vec<String> {
    html.split('<')
        .skip(1)
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '!' || *c == '/')
                .collect::<String>()
                .to_ascii_lowercase()
        })
        .collect()
}

#[test]
fn the_page_forbids_scripts_and_remote_loads() {
    let (html, _) = build_texts(&sample(), &[chart("funnel.svg", PLAIN_SVG)]);
    let head = &html[..html.find("</head>").unwrap()];
    let csp = format!(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">",
        "default-src &#x27;none&#x27;; style-src &#x27;unsafe-inline&#x27;; img-src data:"
    );
    assert!(head.contains(&csp), "{head}");
    // The policy comes before the style sheet, so it governs everything that follows.
    assert!(head.find("Content-Security-Policy").unwrap() < head.find("<style>").unwrap());
    let tags = tags(&html);
    for forbidden in [
        "script", "iframe", "object", "embed", "link", "base", "form", "audio", "video", "source",
    ] {
        assert!(
            !tags.iter().any(|t| t == forbidden),
            "<{forbidden}> in the page"
        );
    }
    // The only URL is the SVG namespace, which is a name, not a request.
    let without_namespace = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert!(!without_namespace.contains("http:"), "a URL in the page");
    assert!(!without_namespace.contains("https:"), "a URL in the page");
    assert!(!html.contains("url("), "a CSS url() in the page");
    assert!(!html.contains("@import"), "an @import in the page");
    for link in html.match_indices("href=\"").map(|(i, _)| &html[i + 6..]) {
        assert!(
            link.starts_with('#'),
            "a link out of the page: {}",
            &link[..40.min(link.len())]
        );
    }
}

#[test]
fn data_text_is_escaped_in_html_and_markdown() {
    // See: #6 (a unit named <script>alert(1)</script> or "><img src=x onerror=alert(1)>
    // shows as text).
    let mut data = sample();
    rename(&mut data, "Cleveland", "<script>alert(1)</script>");
    rename(&mut data, "Derbyshire", "\"><img src=x onerror=alert(1)>");
    rename(
        &mut data,
        "Assault without injury",
        "<b onmouseover=alert(1)>Assault</b>",
    );
    let (html, md) = build_texts(&data, &[chart("funnel.svg", PLAIN_SVG)]);
    let tags = tags(&html);
    assert!(
        !tags.iter().any(|t| t == "script"),
        "a script tag in the page"
    );
    assert!(
        !tags.iter().any(|t| t == "img"),
        "an img tag from data in the page"
    );
    assert!(
        !tags.iter().any(|t| t == "b"),
        "a b tag from data in the page"
    );
    assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"));
    assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    assert!(!md.contains("<script"), "raw HTML in the Markdown");
    assert!(!md.contains("<img"), "raw HTML in the Markdown");
    assert!(!md.contains("<b "), "raw HTML in the Markdown");
    assert!(md.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(md.contains("\"&gt;&lt;img src=x onerror=alert(1)&gt;"));
}

#[test]
fn a_chart_the_allowlist_refuses_is_embedded_as_an_image() {
    let hostile = "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
    let (html, _) = build_texts(&sample(), &[chart("funnel.svg", hostile)]);
    assert!(!tags(&html).iter().any(|t| t == "script"));
    assert!(html.contains("<img class=\"chart-image\" src=\"data:image/svg+xml;base64,"));
}

#[test]
fn charts_are_inlined_or_embedded_and_missing_ones_are_said_so() {
    let png = vec![0x89, b'P', b'N', b'G', 1, 2, 3];
    let (html, md) = build_texts(
        &sample(),
        &[
            chart("funnel.svg", PLAIN_SVG),
            chart("funnel.png", "png"),
            ("caterpillar.png".into(), png),
        ],
    );
    // SVG inline, with the figure's text alternative on its wrapper.
    assert!(html.contains("<div class=\"chart-image\" role=\"img\" aria-label=\"Figure 1 shows"));
    assert!(html.contains("<svg aria-hidden=\"true\" focusable=\"false\" width=\"10\""));
    // A PNG-only chart as a data URI with alt text.
    assert!(html.contains("<img class=\"chart-image\" src=\"data:image/png;base64,iVBORwECAw==\" alt=\"Figure 2 shows"));
    assert!(md.contains("](charts/funnel.png)"));
    assert!(md.contains("](charts/caterpillar.png)"));
    // The per-force charts are absent: a note in their place, and the tables still there.
    assert!(html.contains(
        "This run has no chart of this (trend-cleveland.svg or trend-cleveland.png in charts&#x2f;)"
    ));
    assert!(md.contains(
        "This run has no chart of this (trend-cleveland.svg or trend-cleveland.png in charts/)"
    ));
    assert_eq!(html.matches("<figure ").count(), 2);
}

#[test]
fn no_charts_at_all_still_gives_every_section_and_table() {
    let (html, md) = build_texts(&sample(), &[]);
    assert_eq!(html.matches("<figure").count(), 0);
    for heading in [
        "1. Summary",
        "2. National comparison",
        "3. Peer-group comparison",
        "4. Trend and SPC",
        "5. Offence mix",
        "6. Is reliance falling?",
        "7. Data and methods",
        "Appendix: tables",
    ] {
        assert!(
            html.contains(&format!("-heading\">{heading}</h2>")),
            "{heading}"
        );
        assert!(md.contains(&format!("\n## {heading}\n")), "{heading}");
    }
    assert!(html.contains("Table 1. The funnel plot"));
}

#[test]
fn record_level_tables_add_a_within_force_section() {
    let mut data = sample();
    data.tables.insert(
        "extract_areas".into(),
        TextTable::from_csv("area,numerator,denominator\nNorth <East>,5,10\n").unwrap(),
    );
    let (html, md) = build_texts(&data, &[]);
    assert!(html.contains("-heading\">6. Within-force breakdown</h2>"));
    assert!(html.contains("-heading\">7. Is reliance falling?</h2>"));
    assert!(html.contains("-heading\">8. Data and methods</h2>"));
    assert!(html.contains("<td>North &lt;East&gt;</td>"));
    assert!(md.contains("## 6. Within-force breakdown"));
    assert!(md.contains("North &lt;East&gt;"));
}

#[test]
fn the_build_is_deterministic() {
    let charts = [chart("funnel.svg", PLAIN_SVG)];
    assert_eq!(
        build(&sample(), &charts).unwrap(),
        build(&sample(), &charts).unwrap()
    );
}

#[test]
fn a_missing_summary_field_is_an_error_naming_it() {
    let mut data = sample();
    data.summary.national.as_mut().unwrap().phi = None;
    let err = format!("{:#}", build(&data, &[]).unwrap_err());
    assert!(err.contains("summary.json: phi is not a number"), "{err}");
}

#[test]
fn the_sample_extract_gets_a_within_force_section_with_its_own_scope() {
    let (html, md) = build_texts(&sample_with_extract(), &[]);
    assert!(html.contains("-heading\">6. Within-force breakdown</h2>"));
    assert!(md.contains("## 6. Within-force breakdown"));
    assert!(md.contains(
        "*Scope: domestic-abuse-flagged crimes (the force's record-level extract) · Period: April 2018 to March 2020*"
    ));
    // See: #21. It says plainly that its scope and period are not the national sections'.
    assert!(md.contains(
        "> This section's scope and period differ from those of the national sections: it counts domestic-abuse-flagged crimes from April 2018 to March 2020 in the force's own records, where sections 2, 3 and 5 count \"DA proxy: violence offence codes 8N, 105A, 8L, 8Q, 3B\" (a proxy scope) in 2018/19 from the Home Office tables."
    ), "{md}");
    assert!(md.contains(
        "Source of this section: Cleveland (synthetic extract, not real Cleveland data)"
    ));
    // See: #21. Offence codes that counted no crimes fold into one line, naming them.
    assert!(md.contains("20 offence codes with no crimes are not shown: 56A, 92A, 92D"));
    assert!(!md.contains("| Criminal damage and arson | 56A |"));
    // The tables without a chart are said in words, from their cells.
    for words in [
        "sets domestic abuse against the force's other crimes: of the domestic-abuse-flagged crimes with an outcome, 49.5% (600 of 1,212; 95% interval 46.7% to 52.3%) were closed with outcome 16, against 7.8% (131 of 1,674; 95% interval 6.6% to 9.2%) of the other crimes; the two 95% intervals do not overlap. The median time from recording to an outcome-16 closure was 5.5 days for domestic abuse and 5.2 days for other crimes.",
        "(386 crimes against 264 victims) against each victim's first crime: 53.1% (198 of 373; 95% interval 48.0% to 58.1%) of the repeat victims' crimes with an outcome were closed with outcome 16, against 48.1% (402 of 836; 95% interval 44.7% to 51.5%) of first crimes; the two 95% intervals overlap",
        "gives the days from a crime's recording to an outcome-16 closure: for domestic-abuse-flagged crimes, the median was 5.5 days (the middle half 2.2 to 13.5 days); 62 of the 600 closures came within a day of recording and 331 within 7 days. By area, the median ran from 4.3 days (Middlesbrough 2) to 7.8 days (Middlesbrough 1). For crimes not flagged as domestic abuse, the median was 5.2 days.",
        "| Group | Area | Outcome-16 closures | Median days to an outcome-16 closure | Lower quartile, days | Upper quartile, days | Closed within a day | Closed within 7 days |",
    ] {
        assert!(md.contains(words), "section 6 lacks {words:?}");
    }
    // The grids of funnel limits are named, not printed.
    assert!(md.contains("are not printed: tables/extract\\_area\\_funnel\\_limits.csv"));
    assert!(!md.contains("Record-level extract: Area funnel limits"));
}

/// See: #7. The record-level charts sit in section 6 before their tables, inline (so they
/// pass the SVG allowlist), each with a caption and a text alternative.
#[test]
fn the_within_force_section_shows_the_record_level_charts() {
    let data = sample_with_extract();
    let options = crate::render::ChartOptions {
        formats: vec![crate::render::ChartFormat::Svg],
        ..crate::render::ChartOptions::standard()
    };
    let charts = crate::render::render_run(&data, &options).unwrap();
    let (html, md) = build_texts(&data, &charts);
    let section = &md[md.find("## 6. Within-force breakdown").unwrap()..];
    let section = &section[..section.find("\n## 7.").unwrap()];
    let area = section
        .find("*Figure 7. Funnel plot within the force: each area's rate of outcome 16")
        .expect("the area funnel's caption");
    let area_table = section
        .find("Record-level extract: By area")
        .expect("the area table");
    let month = section
        .find("*Figure 8. Laney p′ control chart of the monthly rate of outcome 16")
        .expect("the monthly chart's caption");
    let month_table = section.find("Record-level extract: By month").unwrap();
    let unit = section
        .find("*Figure 9. Funnel plot within the force: each investigating unit's rate")
        .expect("the unit funnel's caption");
    let unit_table = section.find("Record-level extract: By unit").unwrap();
    assert!(area < area_table && area_table < month && month < month_table);
    assert!(month_table < unit && unit < unit_table);
    for alt in [
        "Figure 7 shows each area as a point at its number of crimes with an outcome",
        "Middlesbrough 2 is above the 99.8% limit; every other area is within the limits. Table 12 gives the numbers.",
        "Figure 8 shows the monthly rate of domestic-abuse-flagged crimes closed with outcome 16 from April 2018 to March 2020, with the chart's centre line at 50.6% (the rate over the months of the baseline, 2016/17 Q1 to 2018/19 Q4, that the extract holds)",
        "No month breaks an SPC rule",
        "Neighbourhood Team North is above the 95% limit but within the 99.8% limit; every other investigating unit is within the limits. Table 16 gives the numbers.",
    ] {
        assert!(section.contains(alt), "section 6 lacks {alt:?}");
    }
    for stem in [
        "extract-funnel-area",
        "extract-spc-month",
        "extract-funnel-unit",
    ] {
        assert!(section.contains(&format!("](charts/{stem}.svg)")), "{stem}");
    }
    // Inline SVG, not an image: the new charts pass the allowlist like the national ones.
    assert!(html.contains("aria-label=\"Figure 7 shows each area"));
    assert!(html.contains("aria-label=\"Figure 9 shows each investigating unit"));
    // Nine charts of the national and within-force sections, the four of "Why does the
    // force stand out?" (the forest plot, the adjusted funnels and the withdrawal timing),
    // the audit's, and the monitoring section's two displacement charts.
    assert_eq!(html.matches("<figure ").count(), 16);
    assert!(!html.contains("data:image/svg+xml"));
}

#[test]
fn a_reviewed_audit_adds_its_section_opening_with_the_estimate() {
    let (html, md) = build_texts(&sample_with_extract(), &[]);
    assert!(html.contains("-heading\">7. Why does the force stand out?</h2>"));
    assert!(html.contains("-heading\">8. Is our use of outcome 16 appropriate?</h2>"));
    assert!(html.contains("-heading\">9. Is reliance falling?</h2>"));
    assert!(html.contains("-heading\">10. Data and methods</h2>"));
    // The estimate in one sentence, as tests/golden/sample/summary.json's audit holds it
    // (R's survey on the same counts: tests/reference/audit.csv, sample S4).
    assert!(md.contains("An estimated 27.7% (95% CI 11.8% to 49.2%) of the 600 domestic-abuse-flagged crimes closed with outcome 16 from April 2018 to March 2020, about 166 crimes, were judged inappropriate by the case-file review (8 of the 30 cases reviewed)."), "{md}");
    assert!(md.contains("synthetic extract, not real Cleveland data"));
    assert!(md.contains("| Hartlepool 1 | 113 | 5 | 5 | 1 | 2 | 20.0% | 0.9% to 70.8% |"));
    // A partly reviewed audit says it is provisional, with the bounds.
    let mut data = sample_with_extract();
    data.summary.edit_as_json(|s| {
        s["audit"]["status"] = "provisional".into();
        s["audit"]["pending"] = 2.into();
        s["audit"]["inappropriate"]["bounds"] = serde_json::json!([0.2, 0.4]);
    });
    let (_, md) = build_texts(&data, &[]);
    assert!(md.contains("Provisionally, an estimated 27.7%"));
    assert!(md.contains("Provisional: 2 of the 30 drawn cases are not yet reviewed"));
    assert!(md.contains("the share lies from 20.0% to 40.0%"), "{md}");
}

/// Issue #20: "Why does the force stand out?" follows the within-force breakdown, with the
/// forest plot, the adjusted funnels (saying where each area and unit lies after adjustment
/// and pointing back to the unadjusted funnels), the quality tables moved out of section 6,
/// and the caution that associations are not causes.
#[test]
fn why_the_force_stands_out_has_the_model_and_the_adjusted_funnels() {
    let data = sample_with_extract();
    let options = crate::render::ChartOptions {
        formats: vec![crate::render::ChartFormat::Svg],
        ..crate::render::ChartOptions::standard()
    };
    let charts = crate::render::render_run(&data, &options).unwrap();
    let (_, md) = build_texts(&data, &charts);
    let within = &md[md.find("## 6. Within-force breakdown").unwrap()..];
    let within = &within[..within.find("\n## 7.").unwrap()];
    assert!(
        !within.contains("tables/extract\\_model.csv"),
        "the model moved out of section 6"
    );
    let why = &md[md.find("## 7. Why does the force stand out?").unwrap()..];
    let why = &why[..why.find("\n## 8.").unwrap()];
    for words in [
        "These are associations, not causes.",
        "Forest plot of the record-level model's adjusted odds ratios of outcome 16",
        "](charts/extract-odds-ratios.svg)",
        "](charts/extract-adjusted-area.svg)",
        "](charts/extract-adjusted-unit.svg)",
        "](charts/extract-withdrawal.svg)",
        "Once case mix is allowed for, Middlesbrough 2 (O/E 1.37) is above the 99.8% limit",
        "Neighbourhood Team North (O/E 1.39) is above the 99.8% limit",
        "Set it beside Figure 7, the unadjusted funnel",
        "Set it beside Figure 9, the unadjusted funnel",
        "tables/extract\\_model.csv",
        "tables/extract\\_adjusted.csv",
        "tables/extract\\_by\\_field.csv",
        "tables/extract\\_withdrawal.csv",
        "is blank for 41% of the domestic-abuse-flagged crimes",
    ] {
        assert!(why.contains(words), "section 7 lacks {words:?}");
    }
}
