use super::*;

fn point(value: f64) -> ChartPoint {
    // Centre 0, σ = 1.
    ChartPoint {
        value,
        centre: 0.0,
        sigma: 1.0,
        lower_3: -3.0,
        lower_2: -2.0,
        upper_2: 2.0,
        upper_3: 3.0,
    }
}

fn hits(values: &[f64], shift_length: usize, trend_length: usize) -> Vec<RuleHits> {
    hits_with(
        values,
        shift_length,
        trend_length,
        TwoOfThree::MakingDataCount,
    )
}

fn hits_with(
    values: &[f64],
    shift_length: usize,
    trend_length: usize,
    two_of_three: TwoOfThree,
) -> Vec<RuleHits> {
    let points: Vec<ChartPoint> = values.iter().map(|&v| point(v)).collect();
    rules(
        &points,
        &RuleOptions {
            shift_length,
            trend_length,
            two_of_three,
        },
    )
    .expect("valid lengths")
}

#[test]
fn xmr_reproduces_methods_13_6() {
    let y = [
        1.0, 2.0, 1.0, 2.0, 10.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0,
    ];
    let chart = xmr(&y, &SpcOptions::standard()).expect("valid");
    assert!((chart.points[0].lower_3 - -0.715_555_6).abs() < 0.5e-7);
    assert_eq!(chart.moving_ranges_screened, 2);
}

#[test]
fn shift_needs_the_full_run_and_the_centre_breaks_it() {
    let seven = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, -1.0];
    assert!(hits(&seven, 7, 7)[..7].iter().all(|h| h.shift));
    assert!(!hits(&seven, 7, 7)[7].shift);
    let broken = [1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0];
    assert!(hits(&broken, 7, 7).iter().all(|h| !h.shift));
    assert!(hits(&broken, 4, 7)[4..].iter().all(|h| h.shift));
}

#[test]
fn trend_counts_points_and_ties_break_it() {
    let rising = [-1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 1.9];
    assert!(hits(&rising, 7, 7).iter().all(|h| h.trend));
    assert!(hits(&rising[..6], 7, 7).iter().all(|h| !h.trend));
    let tied = [-1.0, -0.5, 0.0, 0.0, 1.0, 1.5, 1.9];
    assert!(hits(&tied, 7, 7).iter().all(|h| !h.trend));
    let falling = [1.9, 1.5, 1.0, 0.5, 0.0];
    assert!(hits(&falling, 7, 5).iter().all(|h| h.trend));
}

#[test]
fn two_of_three_flags_only_the_near_limit_points_on_one_side() {
    let got = hits(&[2.5, 0.5, 2.2], 7, 7);
    assert!(got[0].two_of_three && !got[1].two_of_three && got[2].two_of_three);
    // Beyond 3σ counts too (Making Data Count, 2023): astronomical and two of three.
    let got = hits(&[3.5, 0.5, 2.2], 7, 7);
    assert!(got[0].astronomical && got[0].two_of_three && got[2].two_of_three);
    // NHSRplotthedots 0.2 counts the near-limit zone alone.
    let got = hits_with(&[3.5, 0.5, 2.2], 7, 7, TwoOfThree::NhsrPlotTheDots02);
    assert!(got[0].astronomical && !got[0].two_of_three && !got[2].two_of_three);
    // Opposite sides do not count.
    assert!(hits(&[2.5, -0.5, 2.2], 7, 7)
        .iter()
        .all(|h| !h.two_of_three));
    // Exactly on the 2σ line is not beyond it.
    assert!(hits(&[2.0, 0.5, 2.2], 7, 7).iter().all(|h| !h.two_of_three));
}

/// METHODS-2.md §7.4's vectors (centre 0, near limits ±2, limits ±3): under the Making Data
/// Count rule 0.5, 2.5, 3.5, 0.4 makes point 3 beyond the limits and point 2 (with point 3)
/// two of three; NHSRplotthedots 0.2 flags point 2 as common cause. 2.5, −0.5, 2.6 is none
/// under either (the three points are not on one side).
#[test]
fn two_of_three_on_the_methods_vectors() {
    let mdc = hits(&[0.5, 2.5, 3.5, 0.4], 7, 7);
    assert!(mdc[2].astronomical && mdc[1].two_of_three && mdc[2].two_of_three);
    assert!(!mdc[0].two_of_three && !mdc[3].two_of_three);
    let nhsr = hits_with(&[0.5, 2.5, 3.5, 0.4], 7, 7, TwoOfThree::NhsrPlotTheDots02);
    assert!(nhsr[2].astronomical && nhsr.iter().all(|h| !h.two_of_three));
    for rule in [TwoOfThree::MakingDataCount, TwoOfThree::NhsrPlotTheDots02] {
        assert!(hits_with(&[2.5, -0.5, 2.6], 7, 7, rule)
            .iter()
            .all(|h| !h.two_of_three));
    }
}

#[test]
fn astronomical_is_strict() {
    let got = hits(&[3.0, -3.0, 3.01], 7, 7);
    assert!(!got[0].astronomical && !got[1].astronomical && got[2].astronomical && got[2].any());
}

#[test]
fn every_error_path_returns_a_typed_error() {
    let opts = SpcOptions::standard();
    assert!(matches!(
        rules(
            &[],
            &RuleOptions {
                shift_length: 1,
                ..RuleOptions::standard()
            }
        ),
        Err(StatsError::RuleLengthTooShort { rule: "shift", .. })
    ));
    assert!(matches!(
        rules(
            &[],
            &RuleOptions {
                trend_length: 0,
                ..RuleOptions::standard()
            }
        ),
        Err(StatsError::RuleLengthTooShort { rule: "trend", .. })
    ));
    assert!(matches!(
        xmr(&[1.0], &opts),
        Err(StatsError::TooFewUnits { .. })
    ));
    assert!(matches!(
        xmr(&[1.0, f64::NAN], &opts),
        Err(StatsError::Unit { index: 1, .. })
    ));
    assert!(matches!(
        p_chart(&[], &[], &opts),
        Err(StatsError::EmptyInput { .. })
    ));
    assert!(matches!(
        p_chart(&[1, 2], &[10, 0], &opts),
        Err(StatsError::Unit { index: 1, .. })
    ));
    assert!(matches!(
        laney(&[1], &[10], &opts),
        Err(StatsError::TooFewUnits { .. })
    ));
    assert!(matches!(
        laney(&[0, 0], &[10, 10], &opts),
        Err(StatsError::DegenerateTarget { .. })
    ));
    let err = xmr(
        &[1.0, 2.0, 3.0],
        &SpcOptions {
            baseline: Some(1),
            screen_moving_ranges: true,
        },
    )
    .expect_err("short baseline");
    assert_eq!(
        err.to_string(),
        "baseline must cover between 2 and 3 points, got 1"
    );
    assert!(matches!(
        p_chart(
            &[1, 2],
            &[10, 10],
            &SpcOptions {
                baseline: Some(3),
                screen_moving_ranges: true
            }
        ),
        Err(StatsError::BaselineOutOfRange { .. })
    ));
}

#[test]
fn a_constant_series_has_zero_width_limits() {
    let chart = xmr(&[4.0, 4.0, 4.0], &SpcOptions::standard()).expect("valid");
    assert!(chart
        .points
        .iter()
        .all(|p| (p.upper_3 - 4.0).abs() < 1e-300));
}

proptest::proptest! {
    #[test]
    fn p_chart_limits_are_ordered_and_inside_the_unit_interval(
        units in proptest::collection::vec((1u64..100_000, 0.0f64..=1.0), 2..40),
        laney_chart in proptest::bool::ANY,
    ) {
        let n: Vec<u64> = units.iter().map(|u| u.0).collect();
        let x: Vec<u64> = units.iter().map(|u| ((u.0 as f64) * u.1).round() as u64).collect();
        let chart = if laney_chart {
            match laney(&x, &n, &SpcOptions::standard()) {
                Ok(chart) => chart,
                Err(StatsError::DegenerateTarget { .. }) => return Ok(()),
                Err(other) => return Err(proptest::test_runner::TestCaseError::fail(other.to_string())),
            }
        } else {
            p_chart(&x, &n, &SpcOptions::standard()).expect("valid")
        };
        for p in &chart.points {
            proptest::prop_assert!(0.0 <= p.lower_3 && p.lower_3 <= p.lower_2 && p.lower_2 <= p.centre);
            proptest::prop_assert!(p.centre <= p.upper_2 && p.upper_2 <= p.upper_3 && p.upper_3 <= 1.0);
        }
        let got = rules(&chart.points, &RuleOptions::standard()).expect("valid");
        proptest::prop_assert_eq!(got.len(), x.len());
    }
}
