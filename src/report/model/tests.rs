use super::super::tests::sample;
use super::*;

/// Every piece of text in the report, as one string (for searching).
fn all_text(report: &Report) -> String {
    serde_json::to_string(report).unwrap()
}

fn report_of(data: &RunData) -> Report {
    read(data, &[]).unwrap()
}

/// The summary bullets of the first focus force (after its heading; the run's notices, when
/// it has any, are bullets before it).
fn summary_bullets(report: &Report) -> Vec<String> {
    report.sections[0]
        .blocks
        .iter()
        .skip_while(|b| !matches!(b, Block::Heading { .. }))
        .find_map(|b| match b {
            Block::Bullets { items } => Some(items.clone()),
            _ => None,
        })
        .expect("summary bullets")
}

fn set(data: &mut RunData, path: &[&str], value: serde_json::Value) {
    data.summary.edit_as_json(|summary| {
        let mut target = summary;
        for key in path {
            target = match key.parse::<usize>() {
                Ok(i) => &mut target[i],
                Err(_) => &mut target[*key],
            };
        }
        *target = value;
    });
}

fn check_contains(haystack: &[String], needle: &str) {
    assert!(
        haystack.iter().any(|h| h.contains(needle)),
        "no text contains {needle:?}:\n{haystack:#?}"
    );
}

/// The run's notices open the summary, before the focus forces, as a caveat and bullets.
#[test]
fn the_summary_opens_with_the_notices() {
    let mut data = sample();
    set(
        &mut data,
        &["notices"],
        serde_json::json!([{"kind": "partial_units", "count": 1, "text": "1 unit holds fewer periods than the national set's 4"}]),
    );
    let report = report_of(&data);
    let blocks = &report.sections[0].blocks;
    let heading = blocks
        .iter()
        .position(|b| matches!(b, Block::Heading { .. }))
        .expect("a focus heading");
    let notice = blocks.iter().position(|b| match b {
        Block::Bullets { items } => {
            items == &["1 unit holds fewer periods than the national set's 4.".to_string()]
        }
        _ => false,
    });
    assert!(notice.is_some_and(|n| n < heading), "{blocks:#?}");
    set(&mut data, &["notices"], serde_json::json!([]));
    let report = report_of(&data);
    assert!(!report.sections[0]
        .blocks
        .iter()
        .any(|b| matches!(b, Block::Caveat { text } if text.contains("not whole"))));
}

#[test]
fn sections_are_numbered_in_order_with_the_appendix_last() {
    let report = report_of(&sample());
    let heads: Vec<(String, String)> = report
        .sections
        .iter()
        .map(|s| (s.number.clone(), s.title.clone()))
        .collect();
    assert_eq!(
        heads,
        [
            ("1", "Summary"),
            ("2", "National comparison"),
            ("3", "Peer-group comparison"),
            ("4", "Trend and SPC"),
            ("5", "Offence mix"),
            ("6", "Is reliance falling?"),
            ("7", "Data and methods"),
            ("A", "Appendix: tables"),
        ]
        .map(|(n, t)| (n.to_string(), t.to_string()))
    );
}

#[test]
fn the_summary_says_where_the_focus_force_stands_in_plain_words() {
    let bullets = summary_bullets(&report_of(&sample()));
    assert_eq!(
        bullets[0],
        "Rate: 57.3% of Cleveland's outcomes in 2018/19 were outcome 16 (9,261 of 16,168; 95% interval 56.5% to 58.0%), against a national rate of 40.8%; its peer group (Cleveland illustrative peers) had a pooled rate of 42.0% and a mean of member rates of 43.3%."
    );
    assert_eq!(
        bullets[1],
        "Position: after the overdispersion adjustment, Cleveland is above the 99.8% limit. Without the adjustment its position is the same."
    );
    assert_eq!(
        bullets[2],
        "Rank: the highest rate of the 43 forces in the national set (rank 1 of 43)."
    );
    check_contains(
        &bullets,
        "Trend: Cleveland's rate was lower in 2019/20 Q4 (48.0%) than in 2015/16 Q1 (59.5%).",
    );
    check_contains(
        &bullets,
        "SPC rules mark a signal in 2019/20 Q1, 2019/20 Q2, 2019/20 Q3 and 2019/20 Q4.",
    );
    // Twenty quarters: the rules can be met, so the bullet does not say they cannot.
    assert!(!bullets.iter().any(|b| b.contains("cannot be met")));
    assert_eq!(
        bullets[4],
        "Excess: Cleveland closed 2,613 more crimes with outcome 16 than the national rates for its offence mix predict (9,261 observed against 6,648 expected; standardised ratio 1.39, 95% interval 1.36 to 1.42)."
    );
}

#[test]
fn positions_at_both_levels_describe_place_not_merit() {
    for (flag, unadjusted, expected) in [
        ("high_95", "high_998", "Cleveland is above the 95% limit but within the 99.8% limit. Without the adjustment it would be above the 99.8% limit."),
        ("within", "low_95", "Cleveland is within the 95% and 99.8% limits. Without the adjustment it would be below the 95% limit but within the 99.8% limit."),
        ("low_998", "low_998", "Cleveland is below the 99.8% limit. Without the adjustment its position is the same."),
    ] {
        let mut data = sample();
        set(&mut data, &["focus", "0", "flag"], flag.into());
        set(&mut data, &["focus", "0", "flag_unadjusted"], unadjusted.into());
        check_contains(&summary_bullets(&report_of(&data)), expected);
    }
    let text = all_text(&report_of(&sample())).to_lowercase();
    for word in ["worse", "better", "poor", "good performance", "failing"] {
        assert!(!text.contains(word), "the report says {word:?}");
    }
}

#[test]
fn rank_in_words() {
    for (rank, expected) in [
        (
            3,
            "Rank: the 3rd highest rate of the 43 forces in the national set (rank 3 of 43).",
        ),
        (
            43,
            "Rank: the lowest rate of the 43 forces in the national set (rank 43 of 43).",
        ),
    ] {
        let mut data = sample();
        set(&mut data, &["focus", "0", "rank"], rank.into());
        check_contains(&summary_bullets(&report_of(&data)), expected);
    }
    let mut data = sample();
    set(&mut data, &["focus", "0", "rank"], serde_json::Value::Null);
    check_contains(
        &summary_bullets(&report_of(&data)),
        "Rank: Cleveland is not in the national set, so it has no rank.",
    );
}

#[test]
fn trend_in_words() {
    let mut data = sample();
    set(
        &mut data,
        &["focus", "0", "trend", "direction"],
        "rising".into(),
    );
    set(
        &mut data,
        &["focus", "0", "trend", "first_rate"],
        0.25.into(),
    );
    set(&mut data, &["focus", "0", "trend", "last_rate"], 0.3.into());
    set(
        &mut data,
        &["focus", "0", "trend", "rule_hits"],
        serde_json::json!(["2018/19 Q3", "2018/19 Q4"]),
    );
    set(&mut data, &["focus", "0", "trend", "periods"], 12.into());
    let bullets = summary_bullets(&report_of(&data));
    check_contains(
        &bullets,
        "Trend: Cleveland's rate was higher in 2019/20 Q4 (30.0%) than in 2015/16 Q1 (25.0%): on this measure its reliance on outcome 16 is not falling. SPC rules mark a signal in 2018/19 Q3 and 2018/19 Q4.",
    );
    assert!(
        !bullets.iter().any(|b| b.contains("cannot be met")),
        "12 quarters can meet the rules"
    );
    set(&mut data, &["focus", "0", "trend"], serde_json::Value::Null);
    assert!(!summary_bullets(&report_of(&data))
        .iter()
        .any(|b| b.starts_with("Trend:")));
}

#[test]
fn the_report_says_in_words_when_the_adjustment_was_not_applied() {
    let national_text = |data: &RunData| -> String {
        let report = report_of(data);
        serde_json::to_string(&report.sections[1].blocks).unwrap()
    };
    let mut data = sample();
    assert!(national_text(&data).contains("the additive overdispersion adjustment was applied"));
    set(&mut data, &["funnel", "adjustment_applied"], false.into());
    assert!(national_text(&data).contains("The additive overdispersion adjustment was not applied, because the estimate gives no extra variation to allow for: the adjusted limits are the unadjusted ones."));
    set(&mut data, &["funnel", "adjust_when"], "significant".into());
    set(&mut data, &["overdispersion_test", "p_value"], 0.2.into());
    assert!(national_text(&data).contains(
        "applies it only when the overdispersion test is significant at 5%, and it is not"
    ));
    set(&mut data, &["funnel", "overdispersion"], "none".into());
    assert!(national_text(&data).contains(
        "The overdispersion adjustment was not applied, because the analysis file asks for none"
    ));
}

#[test]
fn a_proxy_is_labelled_and_never_called_domestic_abuse() {
    let report = report_of(&sample());
    assert_eq!(
        report.scope_label,
        "DA proxy: violence offence codes 8N, 105A, 8L, 8Q, 3B"
    );
    let note = report.proxy_note.clone().expect("a proxy note");
    assert!(note.starts_with(
        "DA proxy: violence offence codes 8N, 105A, 8L, 8Q, 3B. This scope is a proxy"
    ));
    // "domestic abuse" appears only where the proxy note says what the proxy is not (and in
    // the analysis file's own title, which is the user's text, and the extract's own scope,
    // which is a force's domestic-abuse flag, not the proxy).
    let text = all_text(&report)
        .replace(&note, "")
        .replace(&report.title, "")
        .replace("domestic-abuse-flagged crimes", "");
    assert!(!text.to_lowercase().contains("domestic"), "{text}");
    // Without a proxy there is no note.
    let mut data = sample();
    set(&mut data, &["scope", "proxy"], false.into());
    set(&mut data, &["scope", "label"], "all offences".into());
    assert!(report_of(&data).proxy_note.is_none());
}

#[test]
fn every_caption_names_the_scope() {
    let report = report_of(&sample());
    for section in &report.sections {
        for block in &section.blocks {
            if let Block::Table(t) = block {
                if section.id != "methods" {
                    assert!(
                        t.caption.contains("DA proxy: violence offence codes"),
                        "{}",
                        t.caption
                    );
                }
            }
        }
    }
}

#[test]
fn without_a_focus_force_the_report_describes_the_national_comparison() {
    let mut data = sample();
    set(&mut data, &["focus"], serde_json::json!([]));
    let text = all_text(&report_of(&data));
    assert!(text.contains("The analysis file names no focus force, so this report describes the national comparison only."));
    assert!(text.contains("Above the 99.8% limit: Cheshire and Cleveland."));
}

#[test]
fn a_force_without_a_peer_group() {
    let mut data = sample();
    set(
        &mut data,
        &["focus", "0", "peer_group"],
        serde_json::Value::Null,
    );
    set(
        &mut data,
        &["focus", "0", "peer_rate_pooled"],
        serde_json::Value::Null,
    );
    set(
        &mut data,
        &["focus", "0", "peer_rate_mean"],
        serde_json::Value::Null,
    );
    let report = report_of(&data);
    check_contains(
        &summary_bullets(&report),
        "against a national rate of 40.8%; it has no peer group.",
    );
    assert!(all_text(&report).contains("No peer group is configured for Cleveland."));
}

#[test]
fn offence_mix_strata_are_ordered_by_their_excess() {
    let report = report_of(&sample());
    let mix = report
        .sections
        .iter()
        .find(|s| s.id == "offence-mix")
        .unwrap();
    let table = mix
        .blocks
        .iter()
        .find_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
        .unwrap();
    let first: Vec<&str> = table.rows.iter().map(|r| r.cells[0].as_str()).collect();
    assert_eq!(
        first,
        [
            "105A Assault without injury",
            "8L Harassment",
            "8N Assault with injury",
            "8Q Stalking",
            "3B Threats to kill"
        ]
    );
    let text = all_text(&report);
    assert!(text.contains("The offence codes that add most to the excess are 105A Assault without injury (+1,054), 8L Harassment (+809) and 8N Assault with injury (+695)."));
    assert!(text.contains("Of that gap, its offence mix explains +46 closures, and +2,613 closures are not explained by offence mix (the excess)."));
}

#[test]
fn flags_are_read_under_the_levels_in_use() {
    let levels = FlagLevels::new(
        crate::stats::Level::new(0.99).unwrap(),
        crate::stats::Level::new(0.9).unwrap(),
    )
    .unwrap();
    assert_eq!(parse_flag("high_99", &levels), Some(Flag::HighOuter));
    assert_eq!(parse_flag("low_90", &levels), Some(Flag::LowInner));
    assert_eq!(parse_flag("within", &levels), Some(Flag::Within));
    assert_eq!(parse_flag("high_998", &levels), None);
}

#[test]
fn slugs_match_the_chart_file_names() {
    assert_eq!(slug("Cleveland"), "cleveland");
    assert_eq!(slug("London, City of"), "london-city-of");
    assert_eq!(slug("Devon and Cornwall"), "devon-and-cornwall");
    assert_eq!(slug("<script>alert(1)</script>"), "script-alert-1-script");
    assert_eq!(slug("***"), "unit");
}
