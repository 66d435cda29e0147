use super::*;

fn check(values: &[f64], prob: f64, expected: f64) {
    let got = quantile_type7(values, prob).expect("valid input");
    assert!(
        (got - expected).abs() <= 1e-12 * expected.abs().max(1.0),
        "Q7({prob}) = {got}, expected {expected}"
    );
}

#[test]
fn type7_matches_r_on_small_examples() {
    let one_to_ten: Vec<f64> = (1..=10).map(f64::from).collect();
    // R: quantile(1:10, c(0, 0.1, 0.5, 0.9, 1), type = 7) = 1, 1.9, 5.5, 9.1, 10.
    check(&one_to_ten, 0.0, 1.0);
    check(&one_to_ten, 0.1, 1.9);
    check(&one_to_ten, 0.5, 5.5);
    check(&one_to_ten, 0.9, 9.1);
    check(&one_to_ten, 1.0, 10.0);
    check(&[4.0], 0.3, 4.0);
}

#[test]
fn forty_three_units_at_ten_percent_use_the_fifth_and_sixth_values() {
    // METHODS.md §5.1: N = 43, q = 0.10 gives h = 4.2 and Q₇ = x₍5₎ + 0.2·(x₍6₎ − x₍5₎).
    let values: Vec<f64> = (0..43).map(|i| f64::from(i * i)).rev().collect();
    check(&values, 0.1, 16.0 + 0.2 * (25.0 - 16.0));
}

#[test]
fn a_bound_of_exactly_zero_still_clamps() {
    // METHODS.md §11: PowerBI-Funnels skips a zero bound. N = 21, q = 0.1 gives h = 2,
    // so the lower bound is x₍3₎ = 0 and the two values below it are clamped.
    let mut values = vec![-5.0, -1.0, 0.0, 0.0];
    values.extend((1..=17).map(f64::from));
    let got = winsorise(&values, 0.1).expect("valid");
    assert!(got.lower.abs() < 1e-300);
    assert!(got.values[0].abs() < 1e-300 && got.values[1].abs() < 1e-300);
    assert_eq!(got.values.len(), values.len());
}

#[test]
fn values_on_a_bound_are_unchanged_and_fraction_zero_is_the_identity() {
    let values = [3.0, -2.0, 7.5, 0.25, 1.0];
    let got = winsorise(&values, 0.0).expect("valid");
    assert_eq!(got.values, values.to_vec());
}

#[test]
fn invalid_input_is_an_error() {
    assert!(matches!(
        quantile_type7(&[], 0.5),
        Err(StatsError::EmptyInput { .. })
    ));
    assert!(matches!(
        quantile_type7(&[1.0], 1.5),
        Err(StatsError::ProbabilityOutOfRange { .. })
    ));
    assert!(matches!(
        quantile_type7(&[1.0, f64::NAN], 0.5),
        Err(StatsError::Unit { index: 1, .. })
    ));
    assert!(matches!(
        winsorise(&[1.0, 2.0], 0.5),
        Err(StatsError::FractionOutOfRange { .. })
    ));
    assert!(matches!(
        winsorise(&[1.0, 2.0], -0.1),
        Err(StatsError::FractionOutOfRange { .. })
    ));
    assert!(matches!(
        winsorise(&[], 0.1),
        Err(StatsError::EmptyInput { .. })
    ));
    let err = winsorise(&[1.0], 0.6).expect_err("bad fraction");
    assert_eq!(
        err.to_string(),
        "winsorisation fraction must lie in [0, 0.5), got 0.6"
    );
}

proptest::proptest! {
    #[test]
    fn winsorising_keeps_every_unit_and_clamps(values in proptest::collection::vec(-50.0f64..50.0, 1..80), q in 0.0f64..0.49) {
        let got = winsorise(&values, q).expect("valid");
        proptest::prop_assert_eq!(got.values.len(), values.len());
        for (&before, &after) in values.iter().zip(&got.values) {
            proptest::prop_assert!(got.lower <= after && after <= got.upper);
            if got.lower <= before && before <= got.upper {
                proptest::prop_assert!((before - after).abs() < 1e-300);
            }
        }
    }

    #[test]
    fn quantiles_rise_with_the_probability(values in proptest::collection::vec(-50.0f64..50.0, 1..80), p1 in 0.0f64..=1.0, p2 in 0.0f64..=1.0) {
        let (low, high) = if p1 < p2 { (p1, p2) } else { (p2, p1) };
        let (ql, qh) = (quantile_type7(&values, low).expect("valid"), quantile_type7(&values, high).expect("valid"));
        proptest::prop_assert!(ql <= qh + 1e-12);
    }
}
