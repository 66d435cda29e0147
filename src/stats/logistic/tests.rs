//! Separation, empty levels and constant factors, and bad input; the fit itself is checked
//! against R's glm in tests/it/reference.rs (tests/reference/logistic.csv).

use super::*;

fn factor(name: &str, levels: &[&str]) -> Factor {
    Factor {
        name: name.into(),
        levels: levels.iter().map(|s| s.to_string()).collect(),
    }
}

fn pattern(levels: &[usize], x: u64, n: u64) -> Pattern {
    Pattern {
        levels: levels.to_vec(),
        x,
        n,
    }
}

/// Two factors, risk (3 levels) and bwv (2), with varied counts in every cell.
fn base() -> (Vec<Factor>, Vec<Pattern>) {
    let factors = vec![
        factor("risk", &["standard", "medium", "high"]),
        factor("bwv", &["yes", "no"]),
    ];
    let patterns = vec![
        pattern(&[0, 0], 30, 100),
        pattern(&[0, 1], 45, 100),
        pattern(&[1, 0], 25, 90),
        pattern(&[1, 1], 40, 95),
        pattern(&[2, 0], 20, 80),
        pattern(&[2, 1], 33, 85),
    ];
    (factors, patterns)
}

#[test]
fn a_separated_level_is_said_to_be_and_left_out_of_the_fit() {
    let (mut factors, mut patterns) = base();
    factors[0].levels.push("very high".into());
    patterns.push(pattern(&[3, 0], 0, 6));
    patterns.push(pattern(&[3, 1], 0, 4));
    let model = fit(&factors, &patterns, Level::ninety_five()).unwrap();
    let (plain, _) = (fit(&base().0, &base().1, Level::ninety_five()).unwrap(), ());
    assert_eq!(
        model.left_out,
        vec![LeftOut::Separated {
            factor: "risk".into(),
            level: "very high".into(),
            crimes: 10,
            all: false
        }]
    );
    assert!(model.left_out[0]
        .words()
        .contains("none of its 10 crimes had the outcome"));
    // The other estimates are those of the fit without the level's crimes.
    assert_eq!(model.terms, plain.terms);
    assert!(model.terms.iter().all(|t| t.level != "very high"));
    assert_eq!(
        model.expected[6].to_bits(),
        0.0_f64.to_bits(),
        "left out: nothing expected"
    );
    assert!(model
        .terms
        .iter()
        .all(|t| t.estimate.is_finite() && t.se.is_finite()));
}

#[test]
fn empty_levels_and_constant_factors_are_left_out_in_words() {
    let (mut factors, patterns) = base();
    factors[0].levels.push("unknown".into());
    let mut patterns: Vec<Pattern> = patterns
        .into_iter()
        .map(|mut p| {
            p.levels.push(0);
            p
        })
        .collect();
    factors.push(factor("arrest", &["yes", "no"]));
    patterns.push(pattern(&[3, 0, 0], 0, 0));
    let model = fit(&factors, &patterns, Level::ninety_five()).unwrap();
    assert!(model.left_out.contains(&LeftOut::EmptyLevel {
        factor: "risk".into(),
        level: "unknown".into()
    }));
    assert!(model.left_out.contains(&LeftOut::EmptyLevel {
        factor: "arrest".into(),
        level: "no".into()
    }));
    assert!(model.left_out.contains(&LeftOut::Constant {
        factor: "arrest".into(),
        level: "yes".into()
    }));
    assert!(model.terms.iter().all(|t| t.factor != "arrest"));
    assert_eq!(
        model.references,
        vec![
            ("risk".into(), "standard".into()),
            ("bwv".into(), "yes".into())
        ]
    );
}

#[test]
fn a_reference_level_that_separates_hands_the_reference_on() {
    let (factors, mut patterns) = base();
    // Every standard-risk crime had the outcome.
    patterns[0].x = patterns[0].n;
    patterns[1].x = patterns[1].n;
    let model = fit(&factors, &patterns, Level::ninety_five()).unwrap();
    assert!(
        matches!(&model.left_out[0], LeftOut::Separated { level, all: true, .. } if level == "standard")
    );
    assert_eq!(model.references[0], ("risk".into(), "medium".into()));
}

#[test]
fn separation_by_fields_together_is_an_error_in_words() {
    // No level alone is pure (a = 0 has 25 of 100, a = 1 75 of 100, and so for b), but the
    // two together separate: none at a = b = 0, all at a = b = 1. The maximum-likelihood
    // estimates do not exist (β_a, β_b → +∞).
    let f = vec![factor("a", &["0", "1"]), factor("b", &["0", "1"])];
    let p = vec![
        pattern(&[0, 0], 0, 50),
        pattern(&[0, 1], 25, 50),
        pattern(&[1, 0], 25, 50),
        pattern(&[1, 1], 50, 50),
    ];
    let e = fit(&f, &p, Level::ninety_five()).unwrap_err().to_string();
    assert!(e.contains("separate the outcome together"), "{e}");
    assert!(!e.contains("NaN"), "{e}");
}

#[test]
fn bad_input_is_an_error() {
    let (factors, mut patterns) = base();
    patterns[0].x = 200;
    assert!(fit(&factors, &patterns, Level::ninety_five()).is_err());
    let (factors, mut patterns) = base();
    patterns[0].levels = vec![0];
    assert!(fit(&factors, &patterns, Level::ninety_five()).is_err());
    let (factors, mut patterns) = base();
    patterns[0].levels = vec![7, 0];
    assert!(fit(&factors, &patterns, Level::ninety_five()).is_err());
    let (factors, _) = base();
    assert!(fit(&factors, &[], Level::ninety_five()).is_err());
}
