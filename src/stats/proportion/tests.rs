use super::*;

fn check(x: u64, n: u64, level: Level) -> (Interval, Interval) {
    let w = wilson(x as f64, n as f64, level).expect("valid counts");
    let cp = clopper_pearson(x, n, level).expect("valid counts");
    (w, cp)
}

#[test]
fn end_points_at_x_zero_and_x_n() {
    let (w, cp) = check(0, 10, Level::ninety_five());
    assert!(w.lower.abs() < 1e-300 && cp.lower.abs() < 1e-300);
    let (w, cp) = check(10, 10, Level::ninety_five());
    assert!((w.upper - 1.0).abs() < 1e-15 && (cp.upper - 1.0).abs() < 1e-300);
    let (w, cp) = check(1, 1, Level::ninety_five());
    assert!(w.lower > 0.0 && cp.lower > 0.0);
}

#[test]
fn invalid_counts_are_errors_with_clear_messages() {
    let l = Level::ninety_five();
    let err = clopper_pearson(1, 0, l).expect_err("n = 0");
    assert_eq!(err.to_string(), "denominator must be positive, got 0");
    let err = clopper_pearson(5, 4, l).expect_err("x > n");
    assert_eq!(
        err.to_string(),
        "numerator must not exceed denominator, got 5 > 4"
    );
    assert!(matches!(
        wilson(1.0, 0.0, l),
        Err(StatsError::NonPositiveDenominator { .. })
    ));
    assert!(matches!(
        wilson(-1.0, 5.0, l),
        Err(StatsError::NegativeNumerator { .. })
    ));
    assert!(matches!(
        wilson(6.0, 5.0, l),
        Err(StatsError::NumeratorExceedsDenominator { .. })
    ));
    assert!(matches!(
        wilson(f64::NAN, 5.0, l),
        Err(StatsError::NonFinite { .. })
    ));
    assert!(matches!(
        wilson(1.0, f64::INFINITY, l),
        Err(StatsError::NonFinite { .. })
    ));
}

#[test]
fn wilson_allows_non_integer_counts() {
    let w = wilson(2.5, 7.5, Level::ninety_five()).expect("valid");
    assert!(w.lower < 1.0 / 3.0 && 1.0 / 3.0 < w.upper);
}

proptest::proptest! {
    #[test]
    fn intervals_contain_the_proportion(n in 1u64..300_000, frac in 0.0f64..=1.0, c in 0.5f64..0.9999) {
        let x = ((n as f64) * frac).round() as u64;
        let p = x as f64 / n as f64;
        let (w, cp) = check(x, n, Level::new(c).expect("valid"));
        for interval in [w, cp] {
            proptest::prop_assert!(0.0 <= interval.lower && interval.lower <= p && p <= interval.upper && interval.upper <= 1.0,
                "x={} n={} c={} {:?}", x, n, c, interval);
        }
    }

    #[test]
    fn intervals_widen_as_the_level_rises(n in 1u64..5000, frac in 0.0f64..=1.0, c1 in 0.5f64..0.999, c2 in 0.5f64..0.999) {
        let x = ((n as f64) * frac).round() as u64;
        let (low, high) = if c1 < c2 { (c1, c2) } else { (c2, c1) };
        let (wl, cl) = check(x, n, Level::new(low).expect("valid"));
        let (wh, ch) = check(x, n, Level::new(high).expect("valid"));
        proptest::prop_assert!(wh.lower <= wl.lower + 1e-15 && wh.upper >= wl.upper - 1e-15);
        proptest::prop_assert!(ch.lower <= cl.lower + 1e-15 && ch.upper >= cl.upper - 1e-15);
    }
}

/// Pooled Σx/Σn against the unweighted mean of rates: 10/100 and 90/300 pool to 0.25 and
/// average to 0.2.
#[test]
fn pooled_and_mean_rates_of_a_group() {
    let (pooled, mean) = pooled_and_mean_rates(&[10, 90], &[100, 300]).unwrap();
    assert!((pooled - 0.25).abs() < 1e-15 && (mean - 0.2).abs() < 1e-15);
    assert!(pooled_and_mean_rates(&[], &[]).is_err());
    assert!(pooled_and_mean_rates(&[1], &[0]).is_err());
}

/// Ties share the better rank and the next rank skips ("1224").
#[test]
fn ranks_highest_first_share_ties() {
    assert_eq!(
        ranks_highest_first(&[0.2, 0.5, 0.2, 0.1, 0.5]),
        [3, 1, 3, 5, 1]
    );
    assert!(ranks_highest_first(&[]).is_empty());
}

#[test]
fn a_rate_with_its_interval_or_none() {
    assert!(rate_with_interval(3, 0).unwrap().is_none());
    let (rate, ci) = rate_with_interval(1, 4).unwrap().unwrap();
    assert!((rate - 0.25).abs() < 1e-15 && ci.lower < 0.25 && ci.upper > 0.25);
}
