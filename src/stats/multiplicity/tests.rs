use super::*;

#[test]
fn matches_p_adjust_bh_on_a_small_example() {
    // R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "BH") = 0.02 0.04 0.04 0.02.
    let got = benjamini_hochberg(&[0.01, 0.04, 0.03, 0.005]).expect("valid");
    for (g, e) in got.iter().zip([0.02, 0.04, 0.04, 0.02]) {
        assert!((g - e).abs() < 1e-15, "{got:?}");
    }
}

#[test]
fn empty_input_gives_empty_output_and_bad_p_values_are_errors() {
    assert!(benjamini_hochberg(&[]).expect("valid").is_empty());
    let err = benjamini_hochberg(&[0.1, 1.2]).expect_err("p > 1");
    assert_eq!(
        err.to_string(),
        "unit 1: probability must lie in [0, 1], got 1.2"
    );
    assert!(matches!(
        benjamini_hochberg(&[f64::NAN]),
        Err(StatsError::Unit { index: 0, .. })
    ));
    assert!(matches!(
        two_sided_p_values(&[0.0, f64::NAN]),
        Err(StatsError::Unit { index: 1, .. })
    ));
}

#[test]
fn two_sided_p_values_of_the_level_quantiles() {
    use crate::stats::level::Level;
    let z = [
        Level::ninety_five().z(),
        -Level::ninety_nine_point_eight().z(),
    ];
    let got = two_sided_p_values(&z).expect("valid");
    assert!(
        (got[0] - 0.05).abs() < 1e-13 * 0.05 && (got[1] - 0.002).abs() < 1e-13 * 0.002,
        "{got:?}"
    );
}

proptest::proptest! {
    #[test]
    fn adjusted_values_are_at_least_p_at_most_one_and_keep_the_order(p in proptest::collection::vec(0.0f64..=1.0, 1..60)) {
        let adjusted = benjamini_hochberg(&p).expect("valid");
        proptest::prop_assert_eq!(adjusted.len(), p.len());
        for (i, (&raw, &adj)) in p.iter().zip(&adjusted).enumerate() {
            proptest::prop_assert!(raw <= adj + 1e-15 && adj <= 1.0);
            for (j, &other) in p.iter().enumerate() {
                if raw < other {
                    proptest::prop_assert!(adj <= adjusted[j], "order broken at {} and {}", i, j);
                }
            }
        }
    }
}
