use super::*;
use crate::stats::flags::{classify, classify_z};
use crate::stats::funnel::limits;
use crate::stats::level::FlagLevels;

fn check(x: &[u64], n: &[u64], target: Target, scale: Scale) -> Overdispersion {
    estimate(x, n, target, scale, 0.1).expect("valid units")
}

#[test]
fn units_exactly_on_target_have_no_overdispersion() {
    let od = check(
        &[20, 40, 60],
        &[100, 200, 300],
        Target::Pooled,
        Scale::Arcsine,
    );
    assert!(od.phi.abs() < 1e-20 && od.tau2.abs() < 1e-300);
    assert_eq!(od.df, 2);
    assert!((od.p_value - 1.0).abs() < 1e-12);
    assert_eq!(
        od.dispersion_adjustment(Adjustment::Multiplicative),
        DispersionAdjustment::None
    );
    assert_eq!(od.z_adjusted(Adjustment::Multiplicative), od.z);
}

#[test]
fn fixed_target_uses_n_degrees_of_freedom() {
    let od = check(
        &[20, 45, 60],
        &[100, 200, 300],
        Target::Fixed(0.2),
        Scale::Natural,
    );
    assert_eq!(od.df, 3);
    assert!((od.target - 0.2).abs() < 1e-300);
}

#[test]
fn arcsine_scale_handles_rates_of_zero_and_one() {
    let od = check(&[0, 10, 3], &[10, 10, 12], Target::Pooled, Scale::Arcsine);
    assert!(od.z.iter().all(|z| z.is_finite()));
    let od = check(&[0, 0, 0], &[10, 10, 12], Target::Pooled, Scale::Arcsine);
    assert!(od.z.iter().all(|z| z.abs() < 1e-300));
}

/// A fixed target leaves one unit its degree of freedom: φ = z², χ² on 1 df (a pooled target
/// would make the unit its own target).
#[test]
fn one_unit_against_a_fixed_target() {
    let od = estimate(&[30], &[100], Target::Fixed(0.2), Scale::Natural, 0.1).expect("one unit");
    let z = (0.3 - 0.2) / (0.2_f64 * 0.8 / 100.0).sqrt();
    assert!((od.z[0] - z).abs() < 1e-12, "{}", od.z[0]);
    assert!((od.phi - z * z).abs() < 1e-12);
    assert_eq!((od.n_units, od.df), (1, 1));
}

#[test]
fn every_error_path_returns_a_typed_error() {
    let t = Target::Pooled;
    let s = Scale::Arcsine;
    let err = estimate(&[1], &[10], t, s, 0.1).expect_err("one unit");
    assert_eq!(
        err.to_string(),
        "overdispersion needs at least 2 units, got 1"
    );
    assert!(matches!(
        estimate(&[], &[], t, s, 0.1),
        Err(StatsError::EmptyInput { .. })
    ));
    assert!(matches!(
        estimate(&[1, 2], &[10], t, s, 0.1),
        Err(StatsError::LengthMismatch { .. })
    ));
    let err = estimate(&[1, 2], &[10, 0], t, s, 0.1).expect_err("n = 0");
    assert_eq!(
        err.to_string(),
        "unit 1: denominator must be positive, got 0"
    );
    assert!(matches!(
        estimate(&[11, 2], &[10, 10], t, s, 0.1),
        Err(StatsError::Unit { index: 0, .. })
    ));
    assert!(matches!(
        estimate(&[1, 2], &[10, 10], t, s, 0.5),
        Err(StatsError::FractionOutOfRange { .. })
    ));
    assert!(matches!(
        estimate(&[1, 2], &[10, 10], Target::Fixed(1.5), s, 0.1),
        Err(StatsError::RateOutOfRange { .. })
    ));
    assert!(matches!(
        estimate(&[0, 0], &[10, 10], t, Scale::Natural, 0.1),
        Err(StatsError::DegenerateTarget { .. })
    ));
    assert!(matches!(
        z_scores(&[1], &[10], 1.0, Scale::Natural),
        Err(StatsError::DegenerateTarget { .. })
    ));
    assert!(z_scores(&[1], &[10], 1.0, Scale::Arcsine).is_ok());
}

#[test]
fn adjustment_choice_maps_to_its_parameters() {
    let od = check(
        &[100, 300, 180, 500],
        &[1000, 1000, 1000, 1000],
        Target::Pooled,
        Scale::Arcsine,
    );
    assert!(od.phi > 1.0 && od.tau2 > 0.0);
    assert_eq!(
        od.dispersion_adjustment(Adjustment::None),
        DispersionAdjustment::None
    );
    assert_eq!(
        od.dispersion_adjustment(Adjustment::Multiplicative),
        DispersionAdjustment::Multiplicative { phi: od.phi }
    );
    assert_eq!(
        od.dispersion_adjustment(Adjustment::Additive),
        DispersionAdjustment::Additive { tau2: od.tau2 }
    );
    assert_eq!(od.funnel_method(), FunnelMethod::Arcsine);
    assert!(od.is_significant(0.05));
}

#[test]
fn adjusted_z_scores_apply_an_adjustment_estimated_elsewhere() {
    let (x, n) = ([100, 300, 180, 500], [1000, 1000, 1000, 1000]);
    let od = check(&x, &n, Target::Pooled, Scale::Arcsine);
    for adjustment in [
        Adjustment::None,
        Adjustment::Multiplicative,
        Adjustment::Additive,
    ] {
        let params = od.dispersion_adjustment(adjustment);
        let got = adjusted_z_scores(&x, &n, od.target, Scale::Arcsine, params).expect("valid");
        for (a, b) in got.iter().zip(od.z_adjusted(adjustment)) {
            assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "{adjustment:?}");
        }
    }
    let below_one = DispersionAdjustment::Multiplicative { phi: 0.5 };
    let got = adjusted_z_scores(&x, &n, od.target, Scale::Arcsine, below_one).expect("valid");
    assert_eq!(got, od.z);
    let bad = DispersionAdjustment::Additive { tau2: -1.0 };
    assert!(matches!(
        adjusted_z_scores(&x, &n, od.target, Scale::Arcsine, bad),
        Err(StatsError::NegativeDispersion { what: "tau2", .. })
    ));
    let bad = DispersionAdjustment::Multiplicative { phi: f64::NAN };
    assert!(matches!(
        adjusted_z_scores(&x, &n, od.target, Scale::Arcsine, bad),
        Err(StatsError::NegativeDispersion { what: "phi", .. })
    ));
}

fn units() -> impl proptest::strategy::Strategy<Value = (Vec<u64>, Vec<u64>)> {
    use proptest::prelude::*;
    proptest::collection::vec((1u64..200_000, 0.0f64..=1.0), 2..60).prop_map(|units| {
        let n: Vec<u64> = units.iter().map(|u| u.0).collect();
        let x: Vec<u64> = units
            .iter()
            .map(|u| ((u.0 as f64) * u.1).round() as u64)
            .collect();
        (x, n)
    })
}

proptest::proptest! {
    #[test]
    fn winsorising_keeps_n_and_tau2_is_never_negative((x, n) in units(), q in 0.0f64..0.45, arcsine in proptest::bool::ANY) {
        let scale = if arcsine { Scale::Arcsine } else { Scale::Natural };
        let theta0 = pooled_target(&x, &n).expect("valid");
        proptest::prop_assume!(arcsine || (theta0 > 0.0 && theta0 < 1.0));
        let od = estimate(&x, &n, Target::Pooled, scale, q).expect("valid");
        proptest::prop_assert_eq!(od.z_winsorised.len(), x.len());
        proptest::prop_assert_eq!(od.n_units, x.len());
        proptest::prop_assert!(od.tau2 >= 0.0 && od.phi >= 0.0);
        proptest::prop_assert!((0.0..=1.0).contains(&od.p_value));
        if od.chi2_statistic < od.df as f64 {
            proptest::prop_assert!(od.tau2.abs() < 1e-300);
        }
    }

    #[test]
    fn flags_from_adjusted_limits_agree_with_adjusted_z((x, n) in units()) {
        // METHODS.md §6: on the transformed scale p > U ⇔ z_adjusted > z wherever the limits are not clamped.
        let od = estimate(&x, &n, Target::Pooled, Scale::Arcsine, 0.1).expect("valid");
        let levels = FlagLevels::standard();
        let params = od.dispersion_adjustment(Adjustment::Additive);
        let z_adj = od.z_adjusted(Adjustment::Additive);
        let y0 = od.target.sqrt().asin();
        for idx in 0..x.len() {
            let half = levels.outer().z() * (od.standard_errors[idx].powi(2) + od.tau2).sqrt();
            // Clamped limits break the equivalence; only unclamped units are compared.
            if y0 - half <= 0.0 || y0 + half >= std::f64::consts::FRAC_PI_2 {
                continue;
            }
            let outer = limits(FunnelMethod::Arcsine, od.target, n[idx], levels.outer(), params).expect("valid");
            let inner = limits(FunnelMethod::Arcsine, od.target, n[idx], levels.inner(), params).expect("valid");
            let p = x[idx] as f64 / n[idx] as f64;
            let by_limits = classify(p, &outer, &inner).expect("finite");
            let by_z = classify_z(z_adj[idx], &levels).expect("finite");
            // Exact ties on a limit can round differently on the two scales; skip those.
            let margin = (z_adj[idx].abs() - levels.outer().z()).abs().min((z_adj[idx].abs() - levels.inner().z()).abs());
            if margin > 1e-9 {
                proptest::prop_assert_eq!(by_limits, by_z, "unit {} p={} z_adj={}", idx, p, z_adj[idx]);
            }
        }
    }
}
