use std::collections::BTreeMap;

use serde_json::json;

use super::*;
use crate::run_folder::summary::{ExtractFunnel, Summary};
use crate::run_folder::TextTable;

/// A whole summary from the parts a test sets: `partial` laid over the sample run's summary
/// (tests/golden/sample/summary.json), objects key by key and each object of a list over the
/// sample's first, so that the test names only what it varies.
fn summary_from(partial: serde_json::Value) -> Summary {
    fn lay(base: &mut serde_json::Value, over: serde_json::Value) {
        use serde_json::Value;
        match (base, over) {
            (Value::Object(base), Value::Object(over)) => {
                for (key, value) in over {
                    match base.get_mut(&key) {
                        Some(slot) if !slot.is_null() => lay(slot, value),
                        _ => {
                            base.insert(key, value);
                        }
                    }
                }
            }
            (Value::Array(base), Value::Array(over)) => {
                let template = base.first().cloned();
                *base = over
                    .into_iter()
                    .map(|item| match (&template, item.is_object()) {
                        (Some(template), true) => {
                            let mut slot = template.clone();
                            lay(&mut slot, item);
                            slot
                        }
                        (_, _) => item,
                    })
                    .collect();
            }
            (slot, value) => *slot = value,
        }
    }
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/sample/summary.json");
    let mut base: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let has_extract = partial.get("extract").is_some();
    // The sample's monitoring (events, baseline, target) and its note on the synthetic years
    // belong to the sample: a test that wants them sets them.
    for key in ["monitor", "source_note"] {
        if partial.get(key).is_none() {
            base.as_object_mut().unwrap().remove(key);
        }
    }
    lay(&mut base, partial);
    if !has_extract {
        base.as_object_mut().unwrap().remove("extract");
    }
    serde_json::from_value(base).expect("a whole summary")
}

/// How the synthetic run differs from the ordinary one.
#[derive(Clone)]
struct Variant {
    levels: (f64, f64),
    proxy: bool,
    quarters: usize,
    with_mix: bool,
    /// Areas in the record-level extract (0: the run has no extract).
    areas: usize,
}

fn standard() -> Variant {
    Variant {
        levels: (0.95, 0.998),
        proxy: true,
        quarters: 8,
        with_mix: true,
        areas: 0,
    }
}

fn with_extract() -> Variant {
    Variant {
        areas: 6,
        ..standard()
    }
}

/// Column names of a limits table at `levels`, after `first`.
fn limit_columns(first: &[&str], levels: (f64, f64)) -> Vec<String> {
    let inner = style::level_label(levels.0);
    let outer = style::level_label(levels.1);
    let mut headers: Vec<String> = first.iter().map(|h| h.to_string()).collect();
    for suffix in ["", "_unadjusted"] {
        for label in [&inner, &outer] {
            headers.push(format!("limit{label}_low{suffix}"));
            headers.push(format!("limit{label}_high{suffix}"));
        }
    }
    headers
}

/// Limits around `target` along a grid of denominators from 50 to about 2,000.
fn extract_limits(target: f64, levels: (f64, f64)) -> TextTable {
    let headers = limit_columns(&["source", "scope", "denominator", "target"], levels);
    let rows = (0..40)
        .map(|k| {
            let n = 50.0 * 1.1f64.powi(k);
            let w = (target * (1.0 - target) / n).sqrt();
            let mut row = vec![
                "Cleveland (synthetic extract, not real Cleveland data)".to_string(),
                "domestic-abuse-flagged crimes".to_string(),
                format!("{n:.0}"),
                format!("{target:.8}"),
            ];
            for (z, extra) in [(2.0, 0.03), (3.0, 0.05), (2.0, 0.0), (3.0, 0.0)] {
                row.push(format!("{:.8}", target - z * w - extra));
                row.push(format!("{:.8}", target + z * w + extra));
            }
            row
        })
        .collect();
    let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    table(&refs, rows)
}

/// `extract_by_<kind>`: the columns the charts read, with `(name, denominator, rate, flag)`.
fn extract_rows(kind: &str, rows: &[(String, u64, f64, String)]) -> TextTable {
    table(
        &[
            "source",
            "scope",
            kind,
            "numerator",
            "denominator",
            "rate",
            "flag",
        ],
        rows.iter()
            .map(|(name, n, rate, flag)| {
                vec![
                    "Cleveland (synthetic extract, not real Cleveland data)".to_string(),
                    "domestic-abuse-flagged crimes".to_string(),
                    name.clone(),
                    format!("{:.0}", rate * *n as f64),
                    n.to_string(),
                    format!("{rate:.8}"),
                    flag.clone(),
                ]
            })
            .collect(),
    )
}

/// Adds a record-level extract to a run: `areas` areas (the second far above the force's rate,
/// the third below), five units with one far above and one without a unit, and 24 months
/// with a point beyond the limits and a two-of-three run.
fn add_extract(data: &mut RunData, variant: &Variant) {
    let levels = variant.levels;
    let inner = style::level_label(levels.0);
    let outer = style::level_label(levels.1);
    let target = 0.5;
    let areas: Vec<(String, u64, f64, String)> = (0..variant.areas)
        .map(|i| {
            let (rate, flag) = match i {
                1 => (0.74, format!("high_{outer}")),
                2 => (0.36, format!("low_{inner}")),
                _ => (0.47 + 0.01 * (i % 5) as f64, "within".to_string()),
            };
            (format!("Area {i}"), 100 + 17 * i as u64, rate, flag)
        })
        .collect();
    let units: Vec<(String, u64, f64, String)> = [
        ("CID", 140, 0.45, "within".to_string()),
        ("Domestic Abuse Team", 730, 0.46, "within".to_string()),
        (
            "Neighbourhood Team North",
            170,
            0.71,
            format!("high_{inner}"),
        ),
        ("Response Team A", 72, 0.44, "within".to_string()),
        ("(no unit recorded)", 20, 0.5, String::new()),
    ]
    .into_iter()
    .map(|(n, d, r, f)| (n.to_string(), d, r, f))
    .collect();
    let month_headers = [
        "source",
        "scope",
        "period",
        "period_start",
        "numerator",
        "denominator",
        "rate",
        "ci95_low",
        "ci95_high",
        "comparison_rate",
        "spc_centre",
        "spc_lower_3sigma",
        "spc_lower_2sigma",
        "spc_upper_2sigma",
        "spc_upper_3sigma",
        "rule_beyond_limits",
        "rule_shift",
        "rule_trend",
        "rule_two_of_three",
    ];
    let months = (0..24)
        .map(|m| {
            let (year, month) = (2018 + (m + 3) / 12, (m + 3) % 12 + 1);
            let rate = if m == 5 {
                0.85
            } else {
                0.45 + 0.01 * (m % 7) as f64
            };
            vec![
                "Cleveland (synthetic extract, not real Cleveland data)".to_string(),
                "domestic-abuse-flagged crimes".to_string(),
                format!("{year}-{month:02}"),
                format!("{year}-{month:02}-01"),
                format!("{:.0}", rate * 50.0),
                "50".to_string(),
                format!("{rate:.8}"),
                String::new(),
                String::new(),
                "0.08".to_string(),
                "0.5".to_string(),
                "0.29".to_string(),
                "0.36".to_string(),
                "0.64".to_string(),
                "0.71".to_string(),
                (m == 5).to_string(),
                "false".to_string(),
                "false".to_string(),
                (m == 5 || m == 6).to_string(),
            ]
        })
        .collect();
    let funnel = |units: usize| {
        json!({
            "units": units,
            "target": target,
            "target_kind": "pooled",
            "phi": 3.3,
            "tau2": 0.0037,
            "method": "arcsine",
            "overdispersion": "additive",
            "adjustment_applied": true,
            "adjusted_method": "arcsine",
            "levels": [levels.0, levels.1],
        })
    };
    let extract = json!({
        "source": "Cleveland (synthetic extract, not real Cleveland data)",
        "file": "force_extract.csv",
        "force": "Cleveland",
        "note": "synthetic extract, not real Cleveland data",
        "scope_label": "domestic-abuse-flagged crimes",
        "comparison_label": "crimes not flagged as domestic abuse",
        "area_level": "neighbourhood",
        "outcome": [16],
        "denominator_types": (1..=22).collect::<Vec<u64>>(),
        "basis": "assigned_in_period",
        "area_funnel": funnel(variant.areas),
        "unit_funnel": funnel(4),
        "months": {"first": "2018-04", "last": "2020-03", "count": 24},
    });
    data.summary.extract = summary_from(json!({"extract": extract})).extract;
    for (name, t) in [
        ("extract_by_area", extract_rows("area", &areas)),
        ("extract_area_funnel_limits", extract_limits(target, levels)),
        ("extract_by_unit", extract_rows("unit", &units)),
        ("extract_unit_funnel_limits", extract_limits(target, levels)),
        ("extract_by_month", table(&month_headers, months)),
    ] {
        data.tables.insert(name.to_string(), t);
    }
}

fn table(headers: &[&str], rows: Vec<Vec<String>>) -> TextTable {
    TextTable {
        headers: headers.iter().map(|h| h.to_string()).collect(),
        rows,
    }
}

const FORCES: [&str; 12] = [
    "Avon and Somerset",
    "British Transport Police",
    "Cheshire",
    "Cleveland",
    "Durham",
    "Gwent",
    "Kent",
    "London, City of",
    "Metropolitan Police",
    "Northumbria",
    "Surrey",
    "Zero Force",
];

/// A small run: twelve forces with made-up but self-consistent-looking numbers. The charts
/// compute nothing, so the numbers need not be statistically consistent.
fn run(variant: &Variant) -> RunData {
    let inner = style::level_label(variant.levels.0);
    let outer = style::level_label(variant.levels.1);
    let flags = [
        "within".to_string(),
        format!("low_{outer}"),
        format!("high_{outer}"),
        format!("high_{inner}"),
        "within".to_string(),
        format!("high_{inner}"),
        "within".to_string(),
        format!("low_{outer}"),
        format!("low_{inner}"),
        "within".to_string(),
        format!("low_{inner}"),
        "within".to_string(),
    ];
    let mut force_rows = Vec::new();
    for (i, force) in FORCES.iter().enumerate() {
        let denominator = if *force == "Zero Force" {
            0.0
        } else {
            1000.0 * (1.0 + (i as f64 * 7.3) % 60.0)
        };
        let rate = 0.25 + 0.02 * ((i * 5) % 11) as f64;
        let rate_text = if denominator > 0.0 {
            format!("{rate:.8}")
        } else {
            String::new()
        };
        force_rows.push(vec![
            force.to_string(),
            format!("{:.0}", rate * denominator),
            format!("{denominator:.0}"),
            rate_text.clone(),
            if denominator > 0.0 {
                format!("{:.8}", rate - 0.01)
            } else {
                String::new()
            },
            if denominator > 0.0 {
                format!("{:.8}", rate + 0.01)
            } else {
                String::new()
            },
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            flags[i].clone(),
            flags[i].clone(),
            format!("{}", i + 1),
            if ["Cleveland", "Durham", "Northumbria"].contains(force) {
                "north_east".to_string()
            } else {
                String::new()
            },
            (*force != "British Transport Police").to_string(),
            (*force == "Cleveland").to_string(),
        ]);
    }
    let force_comparison = table(
        &[
            "force",
            "numerator",
            "denominator",
            "rate",
            "ci95_low",
            "ci95_high",
            "z",
            "z_adjusted",
            &format!("limit{inner}_low"),
            &format!("limit{inner}_high"),
            &format!("limit{outer}_low"),
            &format!("limit{outer}_high"),
            "flag",
            "flag_unadjusted",
            "rank",
            "peer_group",
            "in_national_set",
            "focus",
        ],
        force_rows,
    );
    let limit_headers: Vec<String> = vec![
        "denominator".to_string(),
        format!("limit{inner}_low"),
        format!("limit{inner}_high"),
        format!("limit{outer}_low"),
        format!("limit{outer}_high"),
        format!("limit{inner}_low_unadjusted"),
        format!("limit{inner}_high_unadjusted"),
        format!("limit{outer}_low_unadjusted"),
        format!("limit{outer}_high_unadjusted"),
    ];
    let limit_rows = (0..60)
        .map(|k| {
            let n = 500.0 * 1.1f64.powi(k);
            let w = 1.0 / n.sqrt();
            vec![
                format!("{n:.0}"),
                format!("{:.8}", 0.35 - 2.0 * w - 0.05),
                format!("{:.8}", 0.35 + 2.0 * w + 0.05),
                format!("{:.8}", 0.35 - 3.0 * w - 0.08),
                format!("{:.8}", 0.35 + 3.0 * w + 0.08),
                format!("{:.8}", 0.35 - 2.0 * w),
                format!("{:.8}", 0.35 + 2.0 * w),
                format!("{:.8}", 0.35 - 3.0 * w),
                format!("{:.8}", 0.35 + 3.0 * w),
            ]
        })
        .collect();
    let limit_header_refs: Vec<&str> = limit_headers.iter().map(String::as_str).collect();
    let funnel_limits = table(&limit_header_refs, limit_rows);

    let mut trend_rows = Vec::new();
    for (f, force) in FORCES.iter().enumerate() {
        if *force == "Zero Force" {
            continue;
        }
        for q in 0..variant.quarters {
            let year = 2017 + q / 4;
            let period = format!("{year}/{:02} Q{}", (year + 1) % 100, q % 4 + 1);
            let rate = 0.3 + 0.01 * ((f + q * 3) % 7) as f64;
            // Cleveland breaks rules: a point beyond the limits, and a shift over seven.
            let cleveland = *force == "Cleveland";
            trend_rows.push(vec![
                force.to_string(),
                period,
                format!("{year}-{:02}-01", 4 + 3 * (q % 4)),
                "100".to_string(),
                "400".to_string(),
                format!("{rate:.8}"),
                format!("{:.8}", rate - 0.02),
                format!("{:.8}", rate + 0.02),
                format!("{:.8}", 0.33 + 0.002 * q as f64),
                if cleveland {
                    format!("{:.8}", 0.31 + 0.003 * q as f64)
                } else {
                    String::new()
                },
                "0.33".to_string(),
                "0.27".to_string(),
                "0.29".to_string(),
                "0.37".to_string(),
                "0.39".to_string(),
                (cleveland && q == 2).to_string(),
                (cleveland && q < 7).to_string(),
                "false".to_string(),
                "false".to_string(),
            ]);
        }
    }
    let trend = table(
        &[
            "force",
            "period",
            "period_start",
            "numerator",
            "denominator",
            "rate",
            "ci95_low",
            "ci95_high",
            "national_rate",
            "peer_rate_pooled",
            "spc_centre",
            "spc_lower_3sigma",
            "spc_lower_2sigma",
            "spc_upper_2sigma",
            "spc_upper_3sigma",
            "rule_beyond_limits",
            "rule_shift",
            "rule_trend",
            "rule_two_of_three",
        ],
        trend_rows,
    );
    let mix_rows = if variant.with_mix {
        vec![
            vec![
                "Cleveland",
                "Violence against the person",
                "500",
                "1000",
                "0.5",
                "0.4",
            ],
            vec!["Cleveland", "Theft offences", "50", "2000", "0.025", "0.03"],
            vec!["Cleveland", "Fraud offences to 2012/13", "0", "0", "", "0"],
        ]
        .into_iter()
        .map(|r| {
            // The expected count and the parts of the gap, which the charts do not draw.
            let mut r: Vec<String> = r.into_iter().map(String::from).collect();
            r.extend(["", "", ""].map(String::from));
            r
        })
        .collect()
    } else {
        Vec::new()
    };
    let offence_mix = table(
        &[
            "force",
            "offence_group",
            "numerator",
            "denominator",
            "rate",
            "national_rate",
            "expected",
            "excess_offence_mix",
            "excess_not_explained",
        ],
        mix_rows,
    );
    let summary_rows = if variant.with_mix {
        vec![[
            "Cleveland",
            "550",
            "2000",
            "460",
            "1.19565",
            "1.1",
            "1.3",
            "byar",
            "100",
            "10",
            "90",
        ]
        .into_iter()
        .map(String::from)
        .collect()]
    } else {
        Vec::new()
    };
    let offence_mix_summary = table(
        &[
            "force",
            "observed",
            "denominator",
            "expected",
            "ratio",
            "ratio_ci95_low",
            "ratio_ci95_high",
            "interval_method",
            "gap_vs_national",
            "explained_by_offence_mix",
            "excess",
        ],
        summary_rows,
    );
    let peer_groups = table(
        &[
            "peer_group",
            "owner",
            "members",
            "members_without_data",
            "numerator",
            "denominator",
            "rate_pooled",
            "rate_mean",
        ],
        vec![[
            "north_east",
            "",
            "Cleveland; Durham; Northumbria",
            "",
            "900",
            "3000",
            "0.3",
            "0.31",
        ]
        .into_iter()
        .map(String::from)
        .collect()],
    );
    let scope = if variant.proxy {
        json!({"label": "DA proxy: violence offence codes 8N, 105A, 8L, 8Q, 3B", "proxy": true})
    } else {
        json!({"label": "all offences", "proxy": false})
    };
    let summary = json!({
        "title": "Outcome 16 in the domestic-abuse proxy offences",
        "outcome": [16],
        "basis": "assigned_in_period",
        "denominator": {"description": "all outcomes assigned (outcome types 1-22)"},
        "period": "2018/19",
        "periods_compared": ["2018/19 Q1", "2018/19 Q2", "2018/19 Q3", "2018/19 Q4"],
        "scope": scope,
        "national_set": "the forces of the test",
        "target": 0.35,
        "target_kind": "pooled",
        "phi": 12.5,
        "tau2": 0.0021,
        "funnel": {
            "levels": [variant.levels.0, variant.levels.1],
            "description": "arcsine limits, additive overdispersion adjustment (arcsine scale)",
            "adjustment_applied": true,
        },
        "spc": {"shift_length": 7, "trend_length": 7},
        "focus": [{"force": "Cleveland"}],
    });
    let tables: BTreeMap<String, TextTable> = [
        ("force_comparison", force_comparison),
        ("funnel_limits", funnel_limits),
        ("trend", trend),
        ("offence_mix", offence_mix),
        ("offence_mix_summary", offence_mix_summary),
        ("peer_groups", peer_groups),
    ]
    .into_iter()
    .map(|(n, t)| (n.to_string(), t))
    .collect();
    let mut data = RunData {
        summary: summary_from(summary),
        tables,
    };
    if variant.areas > 0 {
        add_extract(&mut data, variant);
    }
    data
}

fn svg_only() -> ChartOptions {
    ChartOptions {
        formats: vec![ChartFormat::Svg],
        size: ChartSize::A4,
        png_scale: 1,
    }
}

fn names(charts: &[(String, Vec<u8>)]) -> Vec<&str> {
    charts.iter().map(|(n, _)| n.as_str()).collect()
}

/// Whether an SVG holds `text` as a whole text element (as labels are written).
fn is_text(svg: &str, text: &str) -> bool {
    svg.contains(&format!(">\n{text}\n</text>"))
}

fn text_of<'a>(charts: &'a [(String, Vec<u8>)], name: &str) -> &'a str {
    let (_, bytes) = charts
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no chart {name}"));
    std::str::from_utf8(bytes).unwrap()
}

#[test]
fn every_chart_in_a_fixed_order_and_both_formats() {
    let charts = render_run(&run(&standard()), &ChartOptions::standard()).unwrap();
    assert_eq!(
        names(&charts),
        [
            "funnel.svg",
            "funnel.png",
            "caterpillar.svg",
            "caterpillar.png",
            "trend-cleveland.svg",
            "trend-cleveland.png",
            "spc-cleveland.svg",
            "spc-cleveland.png",
            "offence-mix-cleveland.svg",
            "offence-mix-cleveland.png",
            "small-multiples.svg",
            "small-multiples.png",
        ]
    );
}

#[test]
fn formats_are_written_in_a_fixed_order_whatever_the_order_asked() {
    let options = ChartOptions {
        formats: vec![ChartFormat::Png, ChartFormat::Svg, ChartFormat::Png],
        ..ChartOptions::standard()
    };
    let charts = render_run(&run(&standard()), &options).unwrap();
    assert_eq!(&names(&charts)[..2], ["funnel.svg", "funnel.png"]);
    assert_eq!(charts.len(), 12);
}

#[test]
fn svg_is_byte_identical_from_run_to_run() {
    let data = run(&standard());
    assert_eq!(
        render_run(&data, &svg_only()).unwrap(),
        render_run(&data, &svg_only()).unwrap()
    );
}

#[test]
fn svg_names_the_embedded_family_list() {
    let charts = render_run(&run(&standard()), &svg_only()).unwrap();
    for (name, bytes) in &charts {
        let text = std::str::from_utf8(bytes).unwrap();
        assert!(
            text.contains(r#"font-family="DejaVu Sans, Arial, sans-serif""#),
            "{name}"
        );
        assert!(!text.contains(r#"font-family="sans-serif""#), "{name}");
    }
}

#[test]
fn every_chart_states_the_proxy_and_never_says_domestic_abuse() {
    let charts = render_run(&run(&standard()), &svg_only()).unwrap();
    for (name, bytes) in &charts {
        let text = std::str::from_utf8(bytes).unwrap();
        assert!(
            text.contains("DA proxy: violence offence codes 8N, 105A, 8L, 8Q, 3B"),
            "{name}"
        );
        let lower = text.to_lowercase();
        assert!(
            !lower.contains("domestic abuse") && !lower.contains("domestic-abuse"),
            "{name}"
        );
        assert!(text.contains("Source: Home Office"), "{name}");
    }
}

#[test]
fn the_funnel_labels_flagged_forces_and_states_phi_and_tau2() {
    let charts = render_run(&run(&standard()), &svg_only()).unwrap();
    let funnel = text_of(&charts, "funnel.svg");
    for label in [
        "Cheshire",
        "Gwent",
        "Metropolitan Police",
        "Surrey",
        "British Transport Police†",
        "London, City of",
        "φ = 12.50, τ² = 0.002100",
        "99.8% limits, adjusted for overdispersion",
        "95% limits, unadjusted",
        "Peer group of Cleveland",
    ] {
        assert!(funnel.contains(label), "the funnel lacks {label:?}");
    }
    // Cleveland is the focus: bold, with its rate and flag.
    assert!(funnel.contains("font-weight=\"bold\""));
    assert!(funnel.contains("Cleveland 33.0% (above 95%)"), "{funnel}");
}

#[test]
fn other_levels_name_their_columns_and_legends() {
    let variant = Variant {
        levels: (0.9, 0.99),
        ..standard()
    };
    let charts = render_run(&run(&variant), &svg_only()).unwrap();
    let funnel = text_of(&charts, "funnel.svg");
    assert!(funnel.contains("99% limits, adjusted for overdispersion"));
    assert!(funnel.contains("Above the 90% limit only"));
}

#[test]
fn rule_breaks_are_marked_and_counted_in_the_legend() {
    let charts = render_run(&run(&standard()), &svg_only()).unwrap();
    let spc = text_of(&charts, "spc-cleveland.svg");
    assert!(spc.contains("Beyond a 3σ limit (1 point)"), "{spc}");
    assert!(spc.contains("Shift: 7 or more points in a row on one side of the centre (7 points)"));
    assert!(spc.contains("(no points)"));
    // Eight quarters: the rules can be met, so the chart does not say they cannot.
    assert!(!spc.contains("cannot be met"));
}

#[test]
fn short_series_say_that_run_rules_cannot_fire() {
    let variant = Variant {
        quarters: 4,
        ..standard()
    };
    let charts = render_run(&run(&variant), &svg_only()).unwrap();
    let spc = text_of(&charts, "spc-cleveland.svg");
    assert!(spc.contains("With 4 quarters (fewer than 12) the limits are trial limits, and the shift and trend rules (runs of 7) cannot be met."));
    // Rules that cannot fire are not listed as "(no points)" in the legend.
    assert!(!spc.contains("Shift: 7 or more"), "{spc}");
    assert!(!spc.contains("Trend: 7 or more"), "{spc}");
    assert!(spc.contains("Beyond a 3σ limit"));
}

#[test]
fn strata_without_outcomes_are_noted_not_drawn() {
    let charts = render_run(&run(&standard()), &svg_only()).unwrap();
    let mix = text_of(&charts, "offence-mix-cleveland.svg");
    assert!(mix.contains("Fraud offences to 2012/13."));
    assert!(mix.contains("Violence against the person"));
    assert!(mix.contains("1.196 (1.100 to 1.300)"));
    assert!(mix.contains("500 of 1,000"));
}

#[test]
fn runs_without_offence_mix_have_no_offence_mix_chart() {
    let variant = Variant {
        with_mix: false,
        ..standard()
    };
    let charts = render_run(&run(&variant), &svg_only()).unwrap();
    assert!(!names(&charts).iter().any(|n| n.starts_with("offence-mix")));
    assert_eq!(charts.len(), 5);
}

#[test]
fn pngs_have_the_size_asked_for_and_are_not_blank() {
    for (size, scale, expected) in [
        (ChartSize::A4, 1, (960, 680)),
        (ChartSize::Slide, 2, (2560, 1440)),
    ] {
        let options = ChartOptions {
            formats: vec![ChartFormat::Png],
            size,
            png_scale: scale,
        };
        let charts = render_run(&run(&standard()), &options).unwrap();
        let (_, funnel) = &charts[0];
        let (w, h, pixels) = png::decode_rgb(funnel).unwrap();
        assert_eq!((w, h), expected);
        let ink = pixels
            .chunks(3)
            .filter(|p| p.iter().any(|c| *c < 128))
            .count();
        let share = ink as f64 / f64::from(w * h);
        assert!(share > 0.01 && share < 0.5, "{share}");
    }
}

#[test]
fn tall_charts_are_tall_on_a4_and_16_9_on_slides() {
    let options = ChartOptions {
        formats: vec![ChartFormat::Png],
        size: ChartSize::A4,
        png_scale: 1,
    };
    let charts = render_run(&run(&standard()), &options).unwrap();
    let sizes: Vec<(u32, u32)> = charts
        .iter()
        .map(|(_, b)| {
            let (w, h, _) = png::decode_rgb(b).unwrap();
            (w, h)
        })
        .collect();
    assert_eq!(sizes[1], (960, 1240), "the caterpillar");
    assert_eq!(sizes[0], (960, 680), "the funnel");
}

#[test]
fn a_missing_column_is_an_error_that_names_it() {
    let mut data = run(&standard());
    let limits = data.tables.get_mut("funnel_limits").unwrap();
    limits.headers[3] = "limit998_lower".to_string();
    let err = render_run(&data, &svg_only()).unwrap_err();
    assert!(format!("{err:#}").contains("limit998_low"), "{err:#}");
}

#[test]
fn an_unknown_flag_is_an_error_that_names_the_row() {
    let mut data = run(&standard());
    let forces = data.tables.get_mut("force_comparison").unwrap();
    forces.rows[2][6] = "sky_high".to_string();
    let err = format!("{:#}", render_run(&data, &svg_only()).unwrap_err());
    assert!(err.contains("row 3") && err.contains("sky_high"), "{err}");
}

#[test]
fn an_extract_adds_its_funnels_and_monthly_chart_after_the_national_charts() {
    let charts = render_run(&run(&with_extract()), &ChartOptions::standard()).unwrap();
    let names = names(&charts);
    assert_eq!(names.len(), 18, "{names:?}");
    assert_eq!(
        names[12..],
        [
            "extract-funnel-area.svg",
            "extract-funnel-area.png",
            "extract-funnel-unit.svg",
            "extract-funnel-unit.png",
            "extract-spc-month.svg",
            "extract-spc-month.png",
        ]
    );
    // The national charts are drawn as without an extract.
    let without = render_run(&run(&standard()), &ChartOptions::standard()).unwrap();
    assert_eq!(charts[..12], without[..]);
}

#[test]
fn the_area_funnel_speaks_of_areas_and_names_the_extract() {
    let charts = render_run(&run(&with_extract()), &svg_only()).unwrap();
    let funnel = text_of(&charts, "extract-funnel-area.svg");
    for words in [
        // The title names the scope (it wraps before the period's end).
        "Cleveland: outcome 16 rate by area, funnel plot, domestic-abuse-flagged crimes,",
        "Domestic-abuse-flagged crimes, Cleveland (synthetic extract, not real Cleveland data)",
        "Denominator per area (neighbourhood): crimes with outcome types 1-22 (log scale)",
        "Outcome 16 rate (%)",
        "Areas above the 99.8% limit",
        "Areas within the limits",
        "φ = 3.300, τ² = 0.003700",
        "Target: pooled rate 50.0%",
        "99.8% limits, adjusted for overdispersion",
        "Source: record-level crime extract force_extract.csv, Cleveland (synthetic extract, not real Cleveland data), April 2018 to March 2020.",
        "φ and τ² come from these 6 areas alone",
    ] {
        assert!(funnel.contains(words), "the area funnel lacks {words:?}");
    }
    assert!(!funnel.contains("by force"));
    assert!(!funnel.contains("Home Office"));
    // Flagged areas in bold with their rate and flag; with six areas, every area is named.
    assert!(funnel.contains("Area 1 74.0% (above 99.8%)"), "{funnel}");
    assert!(funnel.contains("Area 2 36.0% (below 95%)"));
    for i in [0, 3, 4, 5] {
        assert!(
            is_text(funnel, &format!("Area {i}")),
            "Area {i} is not labelled"
        );
    }
}

#[test]
fn the_unit_funnel_leaves_crimes_without_a_unit_out_and_says_so() {
    let charts = render_run(&run(&with_extract()), &svg_only()).unwrap();
    let funnel = text_of(&charts, "extract-funnel-unit.svg");
    assert!(funnel.contains("Cleveland: outcome 16 rate by investigating unit, funnel plot"));
    assert!(funnel.contains("Denominator per investigating unit: crimes with outcome types 1-22"));
    assert!(funnel.contains("Investigating units above the 95% limit only"));
    assert!(funnel.contains("Neighbourhood Team North 71.0% (above 95%)"));
    assert!(
        funnel.contains("Not in the funnel (no outcomes, or kept out of it): (no unit recorded).")
    );
    assert!(funnel.contains("φ and τ² come from these 4 investigating units alone"));
}

#[test]
fn many_areas_label_only_the_flagged_ones() {
    let variant = Variant {
        areas: 30,
        ..standard()
    };
    let charts = render_run(&run(&variant), &svg_only()).unwrap();
    let funnel = text_of(&charts, "extract-funnel-area.svg");
    // The flagged areas keep their names (in plain type, as on the national funnel)...
    assert!(is_text(funnel, "Area 1"), "{funnel}");
    assert!(is_text(funnel, "Area 2"));
    // ...and areas within the limits are not labelled among thirty.
    for i in [0, 3, 13, 29] {
        assert!(
            !funnel.contains(&format!("Area {i}")),
            "Area {i} is labelled"
        );
    }
}

#[test]
fn the_monthly_chart_marks_rule_breaks_and_speaks_of_months() {
    let charts = render_run(&run(&with_extract()), &svg_only()).unwrap();
    let spc = text_of(&charts, "extract-spc-month.svg");
    for words in [
        "Cleveland: outcome 16 rate by month in the record-level extract, control chart (Laney p′)",
        "Domestic-abuse-flagged crimes: monthly rate",
        "Laney p′ chart of monthly rates; centre line 50.0%",
        "variation between months",
        "Beyond a 3σ limit (1 point)",
        "Two of three points beyond 2σ on one side (2 points)",
        "(no points)",
        "Month",
        "Apr 2018",
        "the first months over-represent quick outcomes",
        "Source: record-level crime extract force_extract.csv",
    ] {
        assert!(spc.contains(words), "the monthly chart lacks {words:?}");
    }
    assert!(!spc.contains("quarter"));
}

#[test]
fn an_extract_without_a_funnel_has_no_funnel_chart() {
    let mut data = run(&with_extract());
    let extract = data.summary.extract.as_mut().unwrap();
    extract.area_funnel = ExtractFunnel::Note {
        note: "fewer than two units with closed crimes: no funnel".into(),
    };
    extract.unit_funnel = None;
    let charts = render_run(&data, &svg_only()).unwrap();
    let names = names(&charts);
    assert!(
        !names.iter().any(|n| n.starts_with("extract-funnel")),
        "{names:?}"
    );
    assert!(names.contains(&"extract-spc-month.svg"));
}

#[test]
fn a_missing_extract_table_is_an_error_that_names_it() {
    let mut data = run(&with_extract());
    data.tables.remove("extract_unit_funnel_limits");
    let err = format!("{:#}", render_run(&data, &svg_only()).unwrap_err());
    assert!(err.contains("extract_unit_funnel_limits"), "{err}");
}

/// What `outcome-lens extract` writes for the extract of `run(&with_extract())`: the
/// `extract_*` tables and a summary with the `extract` object alone (with its rule lengths).
fn extract_only(full: &RunData) -> RunData {
    let mut extract = full.summary.extract.clone().unwrap();
    extract.months.shift_length = 7;
    extract.months.trend_length = 7;
    RunData {
        summary: Summary {
            title: "Cleveland extract".into(),
            national: None,
            extract: Some(extract),
            audit: None,
            monitor: full.summary.monitor.clone(),
        },
        tables: full
            .tables
            .iter()
            .filter(|(name, _)| name.starts_with("extract_"))
            .map(|(name, table)| (name.clone(), table.clone()))
            .collect(),
    }
}

#[test]
fn an_extract_only_folder_gets_the_extract_charts_alone_drawn_as_in_the_run() {
    let full = run(&with_extract());
    assert!(!full.is_extract_only());
    let data = extract_only(&full);
    assert!(data.is_extract_only());
    let charts = render_run(&data, &ChartOptions::standard()).unwrap();
    assert_eq!(
        names(&charts),
        [
            "extract-funnel-area.svg",
            "extract-funnel-area.png",
            "extract-funnel-unit.svg",
            "extract-funnel-unit.png",
            "extract-spc-month.svg",
            "extract-spc-month.png",
        ]
    );
    // Byte for byte what the whole run draws for the same extract.
    let whole = render_run(&full, &ChartOptions::standard()).unwrap();
    assert_eq!(charts[..], whole[12..]);
}

#[test]
fn the_extracts_own_rule_lengths_name_the_monthly_rules() {
    let mut data = extract_only(&run(&with_extract()));
    let months = &mut data.summary.extract.as_mut().unwrap().months;
    (months.shift_length, months.trend_length) = (8, 6);
    let charts = render_run(&data, &svg_only()).unwrap();
    let spc = text_of(&charts, "extract-spc-month.svg");
    assert!(spc.contains("Shift: 8 or more points in a row"), "{spc}");
    assert!(spc.contains("Trend: 6 or more points each higher"), "{spc}");
}

#[test]
fn an_extract_only_summary_without_rule_lengths_is_an_error_that_says_so() {
    // Written by an outcome-lens before the extract had its own rule lengths: the summary
    // cannot be read, and the error names what is missing.
    let data = extract_only(&run(&with_extract()));
    let mut json = serde_json::to_value(&data.summary).unwrap();
    let months = json["extract"]["months"].as_object_mut().unwrap();
    months.remove("shift_length");
    months.remove("trend_length");
    let err = crate::run_folder::summary::from_text(&json.to_string()).unwrap_err();
    let err = format!("{err:#}");
    assert!(
        err.contains("summary.json") && err.contains("missing field `shift_length`"),
        "{err}"
    );
}

#[test]
fn each_two_by_two_block_is_averaged_rounding_half_up() {
    // Two rows of four RGB pixels; the left block averages to 2.5, 10 and 255 (rounded to
    // 3, 10 and 255), the right one to 0.25, 0.75 and 127.5 (0, 1 and 128).
    let rows: Vec<u8> = [
        [1, 10, 255, 2, 10, 255, 0, 0, 255, 1, 1, 0],
        [3, 10, 255, 4, 10, 255, 0, 1, 0, 0, 1, 255],
    ]
    .concat();
    let mut out = [9u8; 6];
    downsample_row(&rows, &mut out);
    assert_eq!(out, [3, 10, 255, 0, 1, 128]);
}

/// A chart's title: the text of its first text elements in the title's bold size, joined.
fn title_of(svg: &str) -> String {
    let mut size = None;
    let mut words = Vec::new();
    for element in svg.split("<text ").skip(1) {
        let (attributes, rest) = element.split_once('>').unwrap();
        let this = attributes
            .split("font-size=\"")
            .nth(1)
            .and_then(|s| s.split('"').next());
        if size.is_none() {
            size = this;
        }
        if this != size || !attributes.contains("font-weight=\"bold\"") {
            break;
        }
        words.push(rest.split("</text>").next().unwrap().trim().to_string());
    }
    words.join(" ")
}

/// See: #21. The funnel's unadjusted limits are drawn lighter by default and not at all with
/// `[charts] unadjusted_limits = false`; every national title names the scope.
#[test]
fn unadjusted_limits_are_optional_and_titles_name_the_scope() {
    let mut data = run(&standard());
    let drawn = render_run(&data, &svg_only()).unwrap();
    let funnel = text_of(&drawn, "funnel.svg");
    assert!(funnel.contains("99.8% limits, unadjusted"));
    data.summary
        .national
        .as_mut()
        .unwrap()
        .charts
        .unadjusted_limits = false;
    let charts = render_run(&data, &svg_only()).unwrap();
    let funnel = text_of(&charts, "funnel.svg");
    assert!(
        !funnel.contains("unadjusted"),
        "no unadjusted limits or legend"
    );
    assert!(funnel.contains("99.8% limits, adjusted for overdispersion"));
    assert_ne!(text_of(&drawn, "funnel.svg"), funnel);
    for (name, _) in charts.iter().filter(|(n, _)| !n.starts_with("extract")) {
        let svg = text_of(&charts, name);
        let title = title_of(svg);
        assert!(
            title.contains("DA proxy offences"),
            "{name}'s title names the proxy scope: {title}"
        );
    }
}

/// See: #21. The trend chart's rate axis starts at zero unless `[charts] y_from_zero =
/// false`, and names the peer group by its label, saying whether the force is in it.
#[test]
fn the_trend_axis_starts_at_zero_and_the_peer_group_is_named_by_its_label() {
    let mut data = run(&standard());
    let charts = render_run(&data, &svg_only()).unwrap();
    let trend = text_of(&charts, "trend-cleveland.svg");
    assert!(is_text(trend, "0%"), "a 0% tick");
    assert!(
        trend.contains("Peer group (North east): pooled rate"),
        "{trend}"
    );
    assert!(!trend.contains("north_east"));
    assert!(trend.contains("Cleveland included"));
    data.summary.national.as_mut().unwrap().charts.y_from_zero = false;
    let charts = render_run(&data, &svg_only()).unwrap();
    assert!(!is_text(text_of(&charts, "trend-cleveland.svg"), "0%"));
}

/// See: #21. On a slide the caterpillar's forces are columns, and each keeps its rate label.
#[test]
fn the_slide_caterpillar_keeps_its_rate_labels() {
    let data = run(&standard());
    let options = ChartOptions {
        size: ChartSize::Slide,
        ..svg_only()
    };
    let charts = render_run(&data, &options).unwrap();
    let slide = text_of(&charts, "caterpillar.svg");
    let a4 = render_run(&data, &svg_only()).unwrap();
    let rows = text_of(&a4, "caterpillar.svg");
    let forces =
        crate::run_folder::rows::forces(&data, &crate::stats::FlagLevels::standard()).unwrap();
    for force in forces.iter().filter_map(|f| f.rate) {
        let label = style::percent(force, 1);
        assert!(is_text(slide, &label), "the slide lacks {label}");
        assert!(is_text(rows, &label), "the A4 chart lacks {label}");
    }
}

/// See: #21. The extract's monthly control chart draws the comparison group's rate (crimes
/// not flagged as domestic abuse) as a line without limits, and its legend says so.
#[test]
fn the_monthly_control_chart_draws_the_comparison_group() {
    let data = run(&with_extract());
    let charts = render_run(&data, &svg_only()).unwrap();
    let month = text_of(&charts, "extract-spc-month.svg");
    assert!(
        month.contains(
            "Crimes not flagged as domestic abuse: monthly rate (for comparison; no limits)"
        ),
        "{month}"
    );
}
