use super::*;
use crate::config::{Config, Overrides};
use crate::extract::read::read_from;
use indicatif::ProgressBar;

fn small(seed: u64) -> SynthOptions {
    let mut options = SynthOptions::standard(3_000, seed);
    options.months = 6;
    options
}

fn bytes(options: &SynthOptions) -> (Vec<u8>, Truth) {
    let mut out = Vec::new();
    let truth = synthesise(options, &mut out).unwrap();
    (out, truth)
}

fn section_config() -> crate::config::extract::ExtractConfig {
    let text = format!(
        "inputs = [\"x.csv\"]\n[outputs]\nfolder = \"out\"\n{}",
        extract_section("s.csv", "Cleveland")
    );
    Config::from_toml(std::path::Path::new("a.toml"), &text, &Overrides::default())
        .unwrap()
        .extract
        .unwrap()
}

#[test]
fn same_seed_same_bytes_and_another_seed_other_bytes() {
    let (a, truth_a) = bytes(&small(5));
    let (b, truth_b) = bytes(&small(5));
    let (c, _) = bytes(&small(6));
    assert!(a == b, "the same seed gave different extracts");
    assert_eq!(truth_a, truth_b);
    assert!(a != c, "another seed gave the same extract");
}

#[test]
fn the_extract_reads_back_as_the_truth_says() {
    let options = small(9);
    let (text, truth) = bytes(&options);
    let lines = text.iter().filter(|&&b| b == b'\n').count() as u64;
    assert_eq!(lines, truth.rows + 1, "header + rows");
    let extract = read_from(&section_config(), text.as_slice(), &ProgressBar::hidden()).unwrap();
    let a = &extract.account;
    assert_eq!(a.crimes, options.crimes);
    assert_eq!(a.rows_read, truth.rows);
    assert_eq!(a.rows_quarantined, 0);
    assert_eq!(
        a.duplicate_rows_reduced,
        truth.superseded_rows + truth.exact_duplicate_rows
    );
    assert_eq!(a.duplicates_with_conflicting_fields, 0);
    assert_eq!(a.crimes_without_outcome, truth.open_crimes);
    let da = extract.crimes.iter().filter(|c| c.domestic_abuse).count() as u64;
    assert_eq!(da, truth.domestic_abuse_crimes);
    // The superseded rows carry earlier dates, so the reduction keeps the final outcomes:
    // every crime's outcome date lies inside the window.
    let end = dates::days_from_civil(2018, 10, 1) * SECONDS_PER_DAY;
    assert!(extract
        .crimes
        .iter()
        .all(|c| c.outcome == 0
            || (c.outcome_at >= c.recorded - SECONDS_PER_DAY && c.outcome_at < end)));
    assert_eq!(truth.window, ["2018-04-01", "2018-09-30"]);
    assert_eq!(
        truth.areas.iter().map(|u| u.crimes).sum::<u64>(),
        options.crimes
    );
    assert_eq!(truth.areas.iter().filter(|u| u.planted).count(), 2);
    assert_eq!(truth.units.iter().filter(|u| u.planted).count(), 1);
    assert!(truth
        .note
        .contains("synthetic extract, not real Cleveland data"));
}

#[test]
fn domestic_abuse_share_can_be_rescaled() {
    let mut options = small(3);
    let (_, truth) = bytes(&options);
    let share = truth.domestic_abuse_crimes as f64 / truth.crimes as f64;
    assert!((0.12..0.20).contains(&share), "{share}");
    options.da_share = Some(0.4);
    let (_, truth) = bytes(&options);
    let share = truth.domestic_abuse_crimes as f64 / truth.crimes as f64;
    assert!((0.35..0.45).contains(&share), "{share}");
}

#[test]
fn bad_options_are_errors() {
    let mut options = small(1);
    options.planted_areas = 20;
    assert!(synthesise(&options, &mut Vec::new()).is_err());
    let mut options = small(1);
    options.da_share = Some(1.5);
    assert!(synthesise(&options, &mut Vec::new()).is_err());
    let mut options = small(1);
    options.crimes = 0;
    assert!(synthesise(&options, &mut Vec::new()).is_err());
}

#[test]
fn model_pieces() {
    assert!((odds_scaled(0.5, 1.5) - 0.6).abs() < 1e-12);
    assert!(odds_scaled(0.0, 1.5).abs() < 1e-12);
    assert_eq!(
        area_names("Cleveland", 5),
        [
            "Hartlepool 1",
            "Middlesbrough 1",
            "Redcar and Cleveland 1",
            "Stockton-on-Tees 1",
            "Hartlepool 2"
        ]
    );
    assert_eq!(unit_names(11)[10], "Investigation Team 11");
    let (truth, section) = companion_paths(std::path::Path::new("d/force_extract.csv"));
    assert_eq!(truth, std::path::Path::new("d/force_extract.truth.json"));
    assert_eq!(
        section,
        std::path::Path::new("d/force_extract.extract.toml")
    );
}

/// A planted change lowers the domestic-abuse outcome-16 share of crimes recorded from its
/// day on by about its size, and the truth file says so; without one the extract is the
/// standard one.
#[test]
fn a_planted_change_lowers_outcome_16_from_its_day() {
    let mut options = SynthOptions::standard(20_000, 4);
    options.da_share = Some(0.5);
    let (plain, truth_plain) = bytes(&options);
    assert!(truth_plain.change.is_none());
    let json = serde_json::to_value(&truth_plain).unwrap();
    assert!(json.get("change").is_none(), "no change, no key");
    options.change = Some(PlantedChange {
        from_day: dates::days_from_civil(2019, 4, 1),
        by: -0.10,
    });
    let (changed, truth) = bytes(&options);
    assert!(plain != changed);
    let change = truth.change.as_ref().unwrap();
    assert_eq!(change.from, "2019-04-01");
    assert_eq!(
        change.before.domestic_abuse_crimes + change.after.domestic_abuse_crimes,
        truth.domestic_abuse_crimes
    );
    // The model's mean probability falls by the change (a little less where it is clamped
    // at 0), and the observed shares follow it.
    let fall = change.before.mean_probability - change.after.mean_probability;
    assert!((0.095..=0.1 + 1e-12).contains(&fall), "fall {fall}");
    let share = |c: &ChangeCounts| c.outcome16 as f64 / c.domestic_abuse_crimes as f64;
    let observed = share(&change.before) - share(&change.after);
    assert!(
        (0.06..=0.14).contains(&observed),
        "observed fall {observed}"
    );
    // Crimes before the day are drawn as without the change: the two extracts agree up to
    // the first domestic-abuse crime recorded on or after it.
    let text = String::from_utf8(changed).unwrap();
    let plain = String::from_utf8(plain).unwrap();
    let first_after = text
        .lines()
        .position(|l| l.contains("/04/2019") || l.contains("/05/2019"))
        .unwrap();
    assert_eq!(
        text.lines().take(first_after - 1).collect::<Vec<_>>(),
        plain.lines().take(first_after - 1).collect::<Vec<_>>()
    );
}

#[test]
fn a_change_outside_the_window_or_too_large_is_refused() {
    let mut options = small(1);
    options.change = Some(PlantedChange {
        from_day: dates::days_from_civil(2018, 3, 1),
        by: -0.1,
    });
    let e = synthesise(&options, &mut Vec::new())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("--change-at 2018-03-01 is not inside the window (2018-04-01 to 2018-09-30)"),
        "{e}"
    );
    options.change = Some(PlantedChange {
        from_day: dates::days_from_civil(2018, 6, 1),
        by: -0.9,
    });
    let e = synthesise(&options, &mut Vec::new())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("--change -0.9 is not a change in probability in [-0.8, 0.8]"),
        "{e}"
    );
}
