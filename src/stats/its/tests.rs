//! The vectors of METHODS-2.md §8 (R 4.2.2, script D of its §12); the full-precision values
//! from R are in tests/reference/its.csv, checked by tests/it/reference.rs.

use super::*;
use crate::stats::tolerance::close_absolute;

fn close(actual: f64, expected: f64, relative: f64) -> bool {
    (actual - expected).abs() <= relative * expected.abs().max(1e-300)
}

const N: [u64; 24] = [
    369, 384, 390, 386, 374, 356, 336, 320, 311, 312, 322, 339, 359, 376, 388, 390, 382, 366, 347,
    328, 315, 310, 315, 329,
];
const X: [u64; 24] = [
    112, 136, 114, 128, 100, 97, 125, 114, 106, 89, 85, 101, 118, 105, 110, 109, 91, 98, 95, 86,
    60, 72, 77, 68,
];

#[test]
fn newcombe_and_katz_match_methods_2() {
    let level = Level::ninety_five();
    let d = newcombe(1307, 4199, 1089, 4205, level).unwrap();
    assert!(close(d.estimate, -0.0522871789586, 1e-10));
    assert!(close(d.interval.lower, -0.0715294456748, 1e-10));
    assert!(close(d.interval.upper, -0.0329933370006, 1e-10));
    let r = katz(1307, 4199, 1089, 4205, level).unwrap().unwrap();
    assert!(close(r.estimate, 0.832016936154, 1e-10));
    assert!(close(r.se_log, 0.0347479570231, 1e-10));
    assert!(close(r.interval.lower, 0.777239121163, 1e-10));
    assert!(close(r.interval.upper, 0.890655350713, 1e-10));
    // A zero count: Newcombe is defined, Katz is not.
    let zero = newcombe(0, 40, 3, 40, level).unwrap();
    assert!(close(zero.estimate, 0.075, 1e-12));
    assert!(close(zero.interval.lower, -0.0254720924337, 1e-10));
    assert!(close(zero.interval.upper, 0.198642335243, 1e-10));
    assert_eq!(katz(0, 40, 3, 40, level).unwrap(), None);
    assert!(newcombe(5, 4, 1, 2, level).is_err());
}

#[test]
fn the_segmented_model_matches_methods_2() {
    let s = segmented(&X, &N, 13, Level::ninety_five()).unwrap();
    assert_eq!(s.fit.iterations, 3);
    assert!(close(s.fit.deviance, 34.3806691167, 1e-10));
    assert!(close(s.fit.pearson, 34.3185843827, 1e-10));
    let estimates = [
        -0.74329236683722,
        -0.00815459409721,
        0.02197577858281,
        -0.03540720663023,
    ];
    let se = [
        0.06871156519564,
        0.00965048992286,
        0.09665383383540,
        0.01417265830793,
    ];
    let quasi_se = [
        0.0900077540238,
        0.0126415243302,
        0.1266103381074,
        0.0185652755720,
    ];
    for k in 0..4 {
        assert!(close(s.binomial[k].estimate, estimates[k], 1e-9), "{k}");
        assert!(close(s.binomial[k].se, se[k], 1e-9), "{k}");
        assert!(close(s.adopted[k].se, quasi_se[k], 1e-9), "{k}");
    }
    assert!(close(s.fit.dispersion, 1.71593236824, 1e-10));
    assert!(s.quasi);
    let b3 = s.binomial[3];
    assert!(close(b3.interval.lower, -0.0631851064790, 1e-9));
    assert!(close(b3.interval.upper, -0.00762930678149, 1e-9));
    assert!(close(b3.p_value, 0.0124799122372, 1e-9));
    let q3 = s.adopted[3];
    assert!(close(q3.interval.lower, -0.0741336928619, 1e-9));
    assert!(close(q3.interval.upper, 0.00331927960146, 1e-9));
    assert!(close(q3.p_value, 0.0709645594837, 1e-9));
    assert!(close(s.pearson_p, 0.0240486560325, 1e-9));
    let (fitted, counterfactual, effect, effect_se) = s.effect_at_end;
    assert!(close(fitted, 0.213072084053, 1e-10));
    assert!(close(counterfactual, 0.281101851670, 1e-10));
    assert!(close(effect, -0.0680297676164, 1e-9));
    assert!(close(effect_se, 0.0488421743391, 1e-9));
    assert!(s.lag1_autocorrelation.abs() < 1.0);
}

#[test]
fn too_few_periods_on_a_side_or_a_singular_design_are_errors() {
    let level = Level::ninety_five();
    for first_after in [0, 1, 2, 24, 25, 40] {
        assert!(
            segmented(&X, &N, first_after, level).is_err(),
            "{first_after}"
        );
    }
    assert!(segmented(&X, &N, 3, level).is_ok());
    assert!(segmented(&X, &N, 23, level).is_ok());
    // Identical columns.
    let design = vec![vec![1.0, 1.0]; 5];
    assert!(binomial_glm(&[1, 2, 3, 4, 5], &[10; 5], &design).is_err());
    assert!(binomial_glm(&[11], &[10], &[vec![1.0]]).is_err());
    assert!(binomial_glm(&[], &[], &[]).is_err());
}

#[test]
fn an_intercept_only_fit_is_the_pooled_rate() {
    let design = vec![vec![1.0]; 4];
    let fit = binomial_glm(&[3, 5, 2, 6], &[20, 20, 20, 20], &design).unwrap();
    let pooled: f64 = 16.0 / 80.0;
    assert!(close_absolute(
        fit.coefficients[0],
        (pooled / (1.0 - pooled)).ln(),
        1e-9
    ));
    // Var(logit p̂) = 1/(N p(1 − p)), up to the last step: like summary.glm, the covariance
    // uses the working weights the last iteration started from.
    assert!(close(
        fit.covariance[0][0],
        1.0 / (80.0 * pooled * (1.0 - pooled)),
        1e-5
    ));
}
