use super::*;

fn check_label(confidence: f64, expected: &str) {
    let level = Level::new(confidence).expect("valid level");
    assert_eq!(level.label(), expected, "label of {confidence}");
}

#[test]
fn z_comes_from_the_normal_inverse_cdf() {
    // METHODS.md §1: pinned to the published values within 1e-6.
    assert!((Level::ninety_five().z() - 1.959964).abs() < 1e-6);
    assert!((Level::ninety_nine_point_eight().z() - 3.090232).abs() < 1e-6);
    assert!((Level::new(0.68).expect("valid").z() - 0.994_457_883).abs() < 1e-6);
}

#[test]
fn tail_probabilities() {
    let level = Level::ninety_nine_point_eight();
    assert!((level.tail_probability() - 0.001).abs() < 1e-15);
    assert!((level.alpha() - 0.002).abs() < 1e-15);
    assert!((level.confidence() - 0.998).abs() < 1e-15);
}

#[test]
fn labels_name_the_level_without_its_decimal_point() {
    check_label(0.95, "95");
    check_label(0.998, "998");
    check_label(0.99, "99");
    check_label(0.68, "68");
    check_label(0.9999, "9999");
    check_label(0.5, "50");
}

#[test]
fn level_outside_the_open_unit_interval_is_an_error() {
    for bad in [0.0, 1.0, -0.5, 1.5, f64::NAN, f64::INFINITY] {
        let err = Level::new(bad).expect_err("invalid level");
        assert!(
            matches!(err, StatsError::LevelOutOfRange { .. }),
            "{bad}: {err:?}"
        );
    }
    let err = Level::new(1.0).expect_err("invalid level");
    assert_eq!(
        err.to_string(),
        "confidence level must lie strictly between 0 and 1, got 1"
    );
}

#[test]
fn flag_levels_must_be_nested() {
    let (l95, l998) = (Level::ninety_five(), Level::ninety_nine_point_eight());
    assert!(FlagLevels::new(l998, l95).is_ok());
    let err = FlagLevels::new(l95, l998).expect_err("not nested");
    assert!(matches!(err, StatsError::LevelsNotNested { .. }));
    assert!(matches!(
        FlagLevels::new(l95, l95),
        Err(StatsError::LevelsNotNested { .. })
    ));
    assert_eq!(FlagLevels::standard().outer().label(), "998");
}

proptest::proptest! {
    #[test]
    fn z_rises_with_the_level(a in 0.01f64..0.99, b in 0.01f64..0.99) {
        let (low, high) = if a < b { (a, b) } else { (b, a) };
        proptest::prop_assume!(high - low > 1e-9);
        let (zl, zh) = (Level::new(low).expect("valid").z(), Level::new(high).expect("valid").z());
        proptest::prop_assert!(zl < zh);
    }
}
