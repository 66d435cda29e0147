use super::*;

fn stratum(observed: u64, denominator: u64, reference_rate: f64) -> Stratum {
    Stratum {
        observed,
        denominator,
        reference_rate,
    }
}

#[test]
fn the_gap_splits_exactly_into_mix_and_excess() {
    let strata = [
        stratum(30, 100, 0.2),
        stratum(5, 50, 0.05),
        stratum(0, 0, 0.4),
    ];
    let got = indirect(&strata, 0.15, Level::ninety_five()).expect("valid");
    assert!((got.expected - 22.5).abs() < 1e-12);
    assert!((got.gap - (got.mix + got.excess)).abs() < 1e-12);
    let mix: f64 = got.strata.iter().map(|s| s.mix).sum();
    let unexplained: f64 = got.strata.iter().map(|s| s.unexplained).sum();
    assert!((mix - got.mix).abs() < 1e-12 && (unexplained - got.excess).abs() < 1e-12);
    assert_eq!(got.interval_method, CountIntervalMethod::Byar);
}

#[test]
fn small_counts_use_the_exact_interval() {
    let got = indirect(&[stratum(9, 100, 0.1)], 0.1, Level::ninety_five()).expect("valid");
    assert_eq!(got.interval_method, CountIntervalMethod::Exact);
    let got = indirect(&[stratum(0, 100, 0.1)], 0.1, Level::ninety_five()).expect("valid");
    assert!(got.ratio_interval.lower.abs() < 1e-300 && got.ratio_interval.upper > 0.0);
    let got = indirect(&[stratum(10, 100, 0.1)], 0.1, Level::ninety_five()).expect("valid");
    assert_eq!(got.interval_method, CountIntervalMethod::Byar);
}

#[test]
fn every_error_path_returns_a_typed_error() {
    let l = Level::ninety_five();
    assert!(matches!(
        indirect(&[], 0.1, l),
        Err(StatsError::EmptyInput { .. })
    ));
    assert!(matches!(
        indirect(&[stratum(1, 10, 0.1)], 1.2, l),
        Err(StatsError::RateOutOfRange { .. })
    ));
    let err = indirect(&[stratum(1, 10, 0.1), stratum(11, 10, 0.1)], 0.1, l).expect_err("O > n");
    assert_eq!(
        err.to_string(),
        "unit 1: numerator must not exceed denominator, got 11 > 10"
    );
    assert!(matches!(
        indirect(&[stratum(2, 0, 0.1)], 0.1, l),
        Err(StatsError::Unit { index: 0, .. })
    ));
    assert!(matches!(
        indirect(&[stratum(2, 10, -0.1)], 0.1, l),
        Err(StatsError::Unit { index: 0, .. })
    ));
    let err = indirect(&[stratum(0, 10, 0.0)], 0.1, l).expect_err("E = 0");
    assert_eq!(err.to_string(), "expected count must be positive, got 0");
}

proptest::proptest! {
    #[test]
    fn split_identity_and_interval_contains_the_ratio(
        units in proptest::collection::vec((0u64..5000, 0.0f64..=1.0, 0.001f64..0.9), 1..12),
        theta0 in 0.0f64..=1.0,
    ) {
        let strata: Vec<Stratum> = units.iter().map(|&(n, frac, r)| stratum(((n as f64) * frac).round() as u64, n, r)).collect();
        let expected: f64 = strata.iter().map(|s| s.denominator as f64 * s.reference_rate).sum();
        proptest::prop_assume!(expected > 0.0);
        let got = indirect(&strata, theta0, Level::ninety_five()).expect("valid");
        let scale = got.denominator as f64 + 1.0;
        proptest::prop_assert!((got.gap - (got.mix + got.excess)).abs() <= 1e-9 * scale);
        proptest::prop_assert!(got.ratio_interval.lower <= got.ratio && got.ratio <= got.ratio_interval.upper);
    }
}
