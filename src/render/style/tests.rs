use super::*;

#[test]
fn percentages_and_counts() {
    assert_eq!(percent(0.572_798_1, 1), "57.3%");
    assert_eq!(percent(0.0, 0), "0%");
    assert_eq!(count(16_168.0), "16,168");
    assert_eq!(count(12_226.515), "12,227");
    assert_eq!(count(-278.336), "−278");
    assert_eq!(count(0.0), "0");
}

#[test]
fn levels_for_people_and_for_column_names() {
    fn check(level: f64, text: &str, label: &str) {
        assert_eq!(level_text(level), text);
        assert_eq!(level_label(level), label);
    }
    check(0.95, "95%", "95");
    check(0.998, "99.8%", "998");
    check(0.99, "99%", "99");
    check(0.6827, "68.27%", "6827");
}

#[test]
fn slugs_are_file_names() {
    assert_eq!(slug("Cleveland"), "cleveland");
    assert_eq!(slug("London, City of"), "london-city-of");
    assert_eq!(slug("Devon and Cornwall"), "devon-and-cornwall");
    assert_eq!(slug("Area C"), "area-c");
    assert_eq!(slug("  ---  "), "unit");
}

#[test]
fn periods_for_source_lines() {
    let quarters = |labels: &[&str]| labels.iter().map(|l| l.to_string()).collect::<Vec<_>>();
    assert_eq!(quarter_end("2018/19 Q4").as_deref(), Some("March 2019"));
    assert_eq!(quarter_end("2018/19 Q1").as_deref(), Some("June 2018"));
    assert_eq!(quarter_end("2018/19"), None);
    assert_eq!(
        period_phrase(
            "2018/19",
            &quarters(&["2018/19 Q1", "2018/19 Q2", "2018/19 Q3", "2018/19 Q4"])
        ),
        "year ending March 2019"
    );
    assert_eq!(
        period_phrase(
            "12 months to 2019/20 Q2",
            &quarters(&["2018/19 Q3", "2018/19 Q4", "2019/20 Q1", "2019/20 Q2"])
        ),
        "12 months ending September 2019"
    );
    assert_eq!(
        period_phrase("all quarters", &quarters(&["2016/17 Q1", "2018/19 Q4"])),
        "2016/17 Q1 to 2018/19 Q4"
    );
    assert_eq!(period_phrase("2019/20", &quarters(&["2019/20"])), "2019/20");
    assert_eq!(period_phrase("2019/20", &[]), "2019/20");
}

#[test]
fn words_for_basis_and_outcomes() {
    assert_eq!(
        basis_phrase("assigned_in_period"),
        "outcomes assigned in the period"
    );
    assert_eq!(
        basis_phrase("recorded_in_period"),
        "outcomes of offences recorded in the period"
    );
    assert_eq!(outcome_phrase(&[16]), "Outcome 16");
    assert_eq!(outcome_phrase(&[14, 15, 16]), "Outcomes 14, 15 and 16");
    assert_eq!(outcome_phrase(&[]), "The outcome");
}

#[test]
fn significant_figures_for_phi_and_tau2() {
    assert_eq!(significant(228.345_100_552_759), "228.3");
    assert_eq!(significant(893.034_542_923_871_4), "893.0");
    assert_eq!(significant(0.001_978_095_734_275_669_4), "0.001978");
    assert_eq!(significant(12_345.6), "12346");
    assert_eq!(significant(0.0), "0");
}

#[test]
fn sizes_fit_a4_and_slides() {
    let (w, h) = canvas_size(ChartSize::Slide, Shape::Tall);
    assert_eq!(w * 9, h * 16, "slides are 16:9");
    let (w, h) = canvas_size(ChartSize::A4, Shape::Tall);
    // A4's text block is about 160 mm × 247 mm: a tall chart must not be relatively taller.
    assert!(f64::from(h) / f64::from(w) <= 247.0 / 160.0);
}

#[test]
fn fonts_register_once_and_again_without_error() {
    register_fonts().unwrap();
    register_fonts().unwrap();
}

#[test]
fn months_in_words_and_on_ticks() {
    assert_eq!(month_phrase("2018-04"), "April 2018");
    assert_eq!(month_phrase("2020-12"), "December 2020");
    assert_eq!(month_tick("2019-01"), "Jan 2019");
    assert_eq!(month_tick("2019-13"), "2019-13");
    assert_eq!(month_phrase("2018/19 Q1"), "2018/19 Q1");
}

#[test]
fn outcome_types_as_ranges() {
    let all: Vec<u64> = (1..=22).collect();
    assert_eq!(types_phrase(&all), "outcome types 1-22");
    assert_eq!(
        types_phrase(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17, 21, 22]),
        "outcome types 1-13, 15-17 and 21, 22"
    );
    assert_eq!(types_phrase(&[16]), "outcome type 16");
}
