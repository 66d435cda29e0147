use std::collections::BTreeMap;

use serde_json::json;

use super::data::TextTable;
use super::*;

/// How the synthetic run differs from the ordinary one.
#[derive(Clone)]
struct Variant {
    levels: (f64, f64),
    proxy: bool,
    quarters: usize,
    with_mix: bool,
}

fn standard() -> Variant {
    Variant {
        levels: (0.95, 0.998),
        proxy: true,
        quarters: 8,
        with_mix: true,
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
            "flag",
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
        .map(|r| r.into_iter().map(String::from).collect())
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
        ],
        mix_rows,
    );
    let summary_rows = if variant.with_mix {
        vec![["Cleveland", "550", "460", "1.19565", "1.1", "1.3", "byar"]
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
            "expected",
            "ratio",
            "ratio_ci95_low",
            "ratio_ci95_high",
            "interval_method",
        ],
        summary_rows,
    );
    let peer_groups = table(
        &["peer_group", "members"],
        vec![vec![
            "north_east".to_string(),
            "Cleveland; Durham; Northumbria".to_string(),
        ]],
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
    RunData { summary, tables }
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
    assert!(spc.contains("With 4 quarters, the shift and trend rules (runs of 7) cannot be met."));
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
