use super::*;
use crate::stats::level::Level;

fn limits(lower: f64, upper: f64) -> FunnelLimits {
    FunnelLimits { lower, upper }
}

#[test]
fn names_follow_the_levels_in_use() {
    let standard = FlagLevels::standard();
    let names: Vec<String> = [
        Flag::HighOuter,
        Flag::HighInner,
        Flag::Within,
        Flag::LowInner,
        Flag::LowOuter,
    ]
    .iter()
    .map(|f| f.name(&standard))
    .collect();
    assert_eq!(
        names,
        ["high_998", "high_95", "within", "low_95", "low_998"]
    );
    let other = FlagLevels::new(
        Level::new(0.99).expect("valid"),
        Level::new(0.68).expect("valid"),
    )
    .expect("nested");
    assert_eq!(Flag::HighOuter.name(&other), "high_99");
    assert_eq!(Flag::LowInner.name(&other), "low_68");
}

#[test]
fn a_unit_exactly_on_a_limit_is_within() {
    let (outer, inner) = (limits(0.1, 0.5), limits(0.2, 0.4));
    for p in [0.4, 0.2] {
        assert_eq!(classify(p, &outer, &inner).expect("finite"), Flag::Within);
    }
    assert_eq!(
        classify(0.5, &outer, &inner).expect("finite"),
        Flag::HighInner
    );
    assert_eq!(
        classify(0.1, &outer, &inner).expect("finite"),
        Flag::LowInner
    );
    // A zero rate against a lower limit clamped to 0 is on the limit, hence within.
    assert_eq!(
        classify(0.0, &limits(0.0, 0.6), &limits(0.0, 0.5)).expect("finite"),
        Flag::Within
    );
}

#[test]
fn outer_limit_is_checked_first() {
    let (outer, inner) = (limits(0.1, 0.5), limits(0.2, 0.4));
    assert_eq!(
        classify(0.51, &outer, &inner).expect("finite"),
        Flag::HighOuter
    );
    assert_eq!(
        classify(0.09, &outer, &inner).expect("finite"),
        Flag::LowOuter
    );
    assert_eq!(Flag::HighOuter.direction(), Some(Direction::High));
    assert_eq!(Flag::LowInner.direction(), Some(Direction::Low));
    assert_eq!(Flag::Within.direction(), None);
}

#[test]
fn z_classification_is_strict() {
    let levels = FlagLevels::standard();
    let z95 = levels.inner().z();
    assert_eq!(classify_z(z95, &levels).expect("finite"), Flag::Within);
    assert_eq!(
        classify_z(-z95 - 1e-9, &levels).expect("finite"),
        Flag::LowInner
    );
    assert_eq!(classify_z(4.0, &levels).expect("finite"), Flag::HighOuter);
}

#[test]
fn non_finite_input_is_an_error() {
    let l = limits(0.1, 0.2);
    assert!(matches!(
        classify(f64::NAN, &l, &l),
        Err(StatsError::NonFinite { .. })
    ));
    assert!(matches!(
        classify_z(f64::INFINITY, &FlagLevels::standard()),
        Err(StatsError::NonFinite { .. })
    ));
}

proptest::proptest! {
    #[test]
    fn flags_agree_with_the_limits(p in 0.0f64..=1.0, a in 0.0f64..=1.0, b in 0.0f64..=1.0, c in 0.0f64..=1.0, d in 0.0f64..=1.0) {
        let mut v = [a, b, c, d];
        v.sort_by(f64::total_cmp);
        let (outer, inner) = (limits(v[0], v[3]), limits(v[1], v[2]));
        let flag = classify(p, &outer, &inner).expect("finite");
        let expected_ok = match flag {
            Flag::HighOuter => p > outer.upper,
            Flag::LowOuter => p < outer.lower,
            Flag::HighInner => p > inner.upper && p <= outer.upper,
            Flag::LowInner => p < inner.lower && p >= outer.lower,
            Flag::Within => inner.lower <= p && p <= inner.upper,
        };
        proptest::prop_assert!(expected_ok, "p={} {:?} {:?} → {:?}", p, outer, inner, flag);
    }
}
