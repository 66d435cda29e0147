use super::*;

fn choose(n: u64, k: u64) -> f64 {
    (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
}

#[test]
fn pmf_matches_the_combinatorial_formula_for_small_n() {
    for n in [1_u64, 2, 5, 17, 30] {
        for theta in [0.01_f64, 0.2, 0.5, 0.93] {
            for k in 0..=n {
                let direct =
                    choose(n, k) * theta.powi(k as i32) * (1.0 - theta).powi((n - k) as i32);
                let got = binomial_pmf(k, n, theta);
                assert!(
                    (got - direct).abs() <= 1e-13 * direct.max(1e-300),
                    "n={n} k={k} θ={theta}: {got} vs {direct}"
                );
            }
        }
    }
}

#[test]
fn tails_are_complementary_sums_of_the_mass() {
    let (n, theta) = (30_u64, 0.37);
    let mut cumulative = 0.0;
    for k in 0..n {
        cumulative += binomial_pmf(k, n, theta);
        let tails = binomial_tails(k, n, theta);
        assert!((tails.lower - cumulative).abs() < 1e-14, "k={k}");
        assert!((tails.lower + tails.upper - 1.0).abs() < 1e-15, "k={k}");
    }
    assert!(binomial_tails(n, n, theta).upper.abs() < f64::MIN_POSITIVE);
}

#[test]
fn degenerate_probabilities() {
    assert!((binomial_pmf(0, 5, 0.0) - 1.0).abs() < 1e-300);
    assert!(binomial_pmf(1, 5, 0.0).abs() < 1e-300);
    assert!((binomial_pmf(5, 5, 1.0) - 1.0).abs() < 1e-300);
    assert!(binomial_pmf(6, 5, 0.5).abs() < 1e-300);
    assert!((binomial_tails(2, 5, 0.0).lower - 1.0).abs() < 1e-300);
    assert!((binomial_tails(2, 5, 1.0).upper - 1.0).abs() < 1e-300);
}

#[test]
fn quantile_arguments_are_validated() {
    assert!(matches!(
        normal_quantile(1.5),
        Err(StatsError::ProbabilityOutOfRange { .. })
    ));
    assert!(matches!(
        normal_quantile(f64::NAN),
        Err(StatsError::ProbabilityOutOfRange { .. })
    ));
    assert!(matches!(
        chi_squared_quantile(0.0, 0.5),
        Err(StatsError::NonFinite { .. })
    ));
    assert!(matches!(
        chi_squared_quantile(3.0, -0.1),
        Err(StatsError::ProbabilityOutOfRange { .. })
    ));
    assert!(matches!(
        chi_squared_upper_tail(-1.0, 2.0),
        Err(StatsError::NonFinite { .. })
    ));
    assert!(matches!(
        chi_squared_upper_tail(3.0, f64::NAN),
        Err(StatsError::NonFinite { .. })
    ));
    assert!(matches!(
        beta_quantile(0.0, 1.0, 0.5),
        Err(StatsError::NonFinite { .. })
    ));
    assert!(matches!(
        beta_quantile(1.0, 1.0, 2.0),
        Err(StatsError::ProbabilityOutOfRange { .. })
    ));
}

#[test]
fn quantile_end_points() {
    assert!(chi_squared_quantile(4.0, 0.0).expect("valid").abs() < 1e-300);
    assert!(chi_squared_quantile(4.0, 1.0).expect("valid").is_infinite());
    assert!(beta_quantile(2.0, 3.0, 0.0).expect("valid").abs() < 1e-300);
    assert!((beta_quantile(2.0, 3.0, 1.0).expect("valid") - 1.0).abs() < 1e-300);
    assert!((chi_squared_upper_tail(3.0, 0.0).expect("valid") - 1.0).abs() < 1e-300);
}

proptest::proptest! {
    #[test]
    fn beta_quantile_inverts_the_binomial_identity(x in 1u64..400, extra in 1u64..400, p in 0.0005f64..0.9995) {
        let (a, b) = (x as f64, extra as f64);
        let q = beta_quantile(a, b, p).expect("valid");
        // I_q(a, b) = P(Bin(a + b − 1, q) ≥ a).
        let cdf = binomial_tails(x - 1, x + extra - 1, q).upper;
        proptest::prop_assert!((cdf - p).abs() <= 1e-12 * p.max(1e-3), "a={} b={} p={} q={} cdf={}", a, b, p, q, cdf);
    }

    #[test]
    fn chi_squared_quantile_rises_with_p(df in 1.0f64..200.0, p1 in 0.001f64..0.999, p2 in 0.001f64..0.999) {
        let (low, high) = if p1 < p2 { (p1, p2) } else { (p2, p1) };
        let (ql, qh) = (chi_squared_quantile(df, low).expect("valid"), chi_squared_quantile(df, high).expect("valid"));
        proptest::prop_assert!(ql <= qh);
    }
}

#[test]
fn normal_tails_are_accurate() {
    // R: 2 * pnorm(-1) = 0.31731050786291409, pnorm(-4) = 3.1671241833119924e-05.
    assert!((two_sided_p_value(1.0) - 0.317_310_507_862_914_1).abs() < 1e-15);
    assert!((normal_upper_tail(4.0) - 3.167_124_183_311_992_4e-5).abs() < 1e-19);
    assert!((normal_upper_tail(-4.0) - (1.0 - 3.167_124_183_311_992_4e-5)).abs() < 1e-15);
    assert!(two_sided_p_value(f64::NAN).is_nan());
    assert!((two_sided_p_value(0.0) - 1.0).abs() < 1e-300);
    assert!(two_sided_p_value(f64::INFINITY).abs() < 1e-300);
    assert!((normal_upper_tail(f64::NEG_INFINITY) - 1.0).abs() < 1e-300);
}
