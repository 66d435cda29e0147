//! The audit estimate against R's survey 4.1.1: the vectors of METHODS-2.md §1–§5 (R 4.2.2 on
//! Debian 12, scripts A and B of its §12, run 2026-12-02), at 1e-9 relative; tests/reference
//! holds the values this machine's R prints for more samples (tests/it/reference.rs).

use super::*;
use crate::stats::tolerance::{close_absolute, close_relative, RELATIVE_EXACT};

fn close(actual: f64, expected: f64) {
    assert!(
        close_relative(actual, expected, RELATIVE_EXACT),
        "{actual} is not {expected} (relative {:e})",
        ((actual - expected) / expected).abs()
    );
}

fn stratum(population: u64, reviewed: u64, positives: u64) -> Stratum {
    Stratum {
        population,
        reviewed,
        positives,
    }
}

/// D1: N_h = 120, 60, 20; n_h = 10, 8, 5; y_h = 1, 2, 0.
fn d1() -> Vec<Stratum> {
    vec![stratum(120, 10, 1), stratum(60, 8, 2), stratum(20, 5, 0)]
}

fn level() -> Level {
    Level::ninety_five()
}

#[test]
fn the_estimate_and_its_design_variance_are_surveys() {
    let e = estimate(&d1(), LonelyStratum::Fail).unwrap();
    close(e.p, 0.135);
    close(e.variance, 0.00538928571429);
    close(e.se, 0.0734117546057);
    assert_eq!((e.df, e.n, e.population), (20, 23, 200));
    close(e.deff, 1.14725706966);
    close(e.n_eff, 21.6679920477);
    close(e.n_kish, 20.3045685279);
}

#[test]
fn lonely_strata_follow_the_option_and_fail_by_default() {
    let mut d2 = d1();
    d2.push(stratum(15, 1, 1));
    assert_eq!(
        estimate(&d2, LonelyStratum::Fail),
        Err(StatsError::LonelyStratum { index: 3 })
    );
    for (option, se) in [
        (LonelyStratum::Remove, 0.0682900042844),
        (LonelyStratum::Adjust, 0.0872063580607),
        (LonelyStratum::Average, 0.0788545047131),
    ] {
        let e = estimate(&d2, option).unwrap();
        close(e.p, 0.195348837209);
        assert_eq!(e.df, 20);
        close(e.se, se);
    }
}

#[test]
fn census_strata_add_no_variance_and_are_never_lonely() {
    let mut d3 = d1();
    d3.push(stratum(4, 4, 1));
    d3.push(stratum(1, 1, 1));
    let e = estimate(&d3, LonelyStratum::Fail).unwrap();
    close(e.p, 0.141463414634);
    close(e.se, 0.0716212240055);
    assert_eq!(e.df, 23);
}

#[test]
fn intervals_are_svycipropss() {
    let e = estimate(&d1(), LonelyStratum::Fail).unwrap();
    let mean = interval(&e, IntervalMethod::Mean, level()).unwrap();
    close(mean.lower, -0.0181342367071);
    close(mean.upper, 0.288134236707);
    let logit = interval(&e, IntervalMethod::Logit, level()).unwrap();
    close(logit.lower, 0.0403562359411);
    close(logit.upper, 0.366771279038);
    let kg = interval(&e, IntervalMethod::KornGraubard { cap: false }, level()).unwrap();
    close(kg.lower, 0.0275956008411);
    close(kg.upper, 0.351145697273);
    // The cap does not bind here (n* = 21.4 < 23).
    assert_eq!(
        kg,
        interval(&e, IntervalMethod::KornGraubard { cap: true }, level()).unwrap()
    );
}

#[test]
fn a_design_effect_below_one_is_kept_unless_capped() {
    // D5: y_h = 0, 1, 0; p̂ = 0.0375, deff 0.839, n_eff 29.6 > n = 23.
    let d5 = vec![stratum(120, 10, 0), stratum(60, 8, 1), stratum(20, 5, 0)];
    let e = estimate(&d5, LonelyStratum::Fail).unwrap();
    close(e.p, 0.0375);
    close(e.deff, 0.839386602098);
    close(e.n_eff, 29.6153846154);
    let mean = interval(&e, IntervalMethod::Mean, level()).unwrap();
    close(mean.lower, -0.0353222357504);
    close(mean.upper, 0.11032223575);
    let logit = interval(&e, IntervalMethod::Logit, level()).unwrap();
    close(logit.lower, 0.00515418435258);
    close(logit.upper, 0.226600464382);
    let kg = interval(&e, IntervalMethod::KornGraubard { cap: false }, level()).unwrap();
    close(kg.lower, 0.00125808544844);
    close(kg.upper, 0.181217938369);
    let capped = interval(&e, IntervalMethod::KornGraubard { cap: true }, level()).unwrap();
    close(capped.lower, 0.000570609746221);
    close(capped.upper, 0.210497926881);
}

#[test]
fn a_share_of_zero_or_one_gets_clopper_pearson_on_n() {
    let d4 = vec![stratum(120, 10, 0), stratum(60, 8, 0), stratum(20, 5, 0)];
    let e = estimate(&d4, LonelyStratum::Fail).unwrap();
    assert!(close_absolute(e.variance, 0.0, 0.0));
    let kg = interval(&e, IntervalMethod::KornGraubard { cap: false }, level()).unwrap();
    assert!(close_absolute(kg.lower, 0.0, 0.0));
    close(kg.upper, 0.148185128915);
    let all = vec![stratum(120, 10, 10), stratum(60, 8, 8), stratum(20, 5, 5)];
    let e = estimate(&all, LonelyStratum::Fail).unwrap();
    let kg = interval(&e, IntervalMethod::KornGraubard { cap: false }, level()).unwrap();
    close(kg.lower, 0.851814871085);
    assert!(close_absolute(kg.upper, 1.0, 0.0));
    assert!(interval(&e, IntervalMethod::Logit, level()).is_err());
}

#[test]
fn the_total_is_n_times_the_interval_within_what_the_sample_proves() {
    let e = estimate(&d1(), LonelyStratum::Fail).unwrap();
    let kg = interval(&e, IntervalMethod::KornGraubard { cap: false }, level()).unwrap();
    let total = total_interval(&d1(), kg);
    close(total.lower, 5.51912016822);
    close(total.upper, 70.2291394546);
    // A mean interval below zero is lifted to the positives the sample holds (3).
    let mean = interval(&e, IntervalMethod::Mean, level()).unwrap();
    let total = total_interval(&d1(), mean);
    close(total.lower, 3.0);
}

#[test]
fn each_stratum_has_its_exact_hypergeometric_interval() {
    for (s, lower, upper) in [
        (stratum(120, 10, 1), 1.0 / 120.0, 51.0 / 120.0),
        (stratum(60, 8, 2), 3.0 / 60.0, 37.0 / 60.0),
        (stratum(20, 5, 0), 0.0, 9.0 / 20.0),
        // samplingbook's Sprop(m = 45, n = 100, N = 300): M in [111, 160] by this rule.
        (stratum(300, 100, 45), 111.0 / 300.0, 160.0 / 300.0),
    ] {
        let ci = stratum_interval(s, level()).unwrap();
        assert!(close_absolute(ci.lower, lower, 1e-15), "{s:?}: {ci:?}");
        assert!(close_absolute(ci.upper, upper, 1e-15), "{s:?}: {ci:?}");
    }
}

#[test]
fn a_partly_reviewed_sample_is_estimated_on_its_reviewed_cases_with_bounds() {
    // 8 of 10, 4 of 8 and 5 of 5 reviewed, one positive in A and one in B.
    let reviewed = vec![stratum(120, 8, 1), stratum(60, 4, 1), stratum(20, 5, 0)];
    let e = estimate(&reviewed, LonelyStratum::Fail).unwrap();
    close(e.p, 0.15);
    close(e.se, 0.10246950766);
    assert_eq!(e.df, 14);
    let kg = interval(&e, IntervalMethod::KornGraubard { cap: false }, level()).unwrap();
    close(kg.lower, 0.0153585664383);
    close(kg.upper, 0.467610450691);
    let bounds = pending_bounds(&reviewed, &[10, 8, 5]).unwrap();
    close(bounds.lower, 0.0975);
    close(bounds.upper, 0.3675);
}

/// METHODS-2.md prints the planner's half-widths to ten significant figures.
const HALF_WIDTH: f64 = 5e-10;

#[test]
fn the_planner_allocates_as_cochran() {
    let populations = [120, 60, 20];
    let planning = [0.10, 0.25, 0.05];
    let p = plan(
        &populations,
        &planning,
        0.10,
        level(),
        Allocation::Proportional,
    )
    .unwrap();
    close(p.n, 36.6102322123);
    assert_eq!(p.sizes, vec![22, 11, 4]);
    assert!(close_absolute(p.half_width, 0.0996870462, HALF_WIDTH));
    let p = plan(&populations, &planning, 0.10, level(), Allocation::Neyman).unwrap();
    close(p.n, 35.0335540430);
    assert_eq!(p.sizes, vec![19, 14, 3]);
    assert!(close_absolute(p.half_width, 0.0985602893, HALF_WIDTH));
    let p = plan(
        &populations,
        &[0.5; 3],
        0.10,
        level(),
        Allocation::Proportional,
    )
    .unwrap();
    close(p.n, 65.5527551815);
    assert_eq!(p.sizes, vec![40, 20, 7]);
    assert!(close_absolute(p.half_width, 0.0983831212, HALF_WIDTH));
    let p = plan(
        &[1000, 12],
        &[0.02, 0.5],
        0.012,
        level(),
        Allocation::Proportional,
    )
    .unwrap();
    close(p.n, 378.0329577155);
    assert_eq!(p.sizes, vec![374, 5]);
    assert!(close_absolute(p.half_width, 0.0118474724, HALF_WIDTH));
    // Neyman: stratum 2 overflows (14.96 > 12), is taken whole and the rest re-solved.
    let p = plan(
        &[1000, 12],
        &[0.02, 0.5],
        0.012,
        level(),
        Allocation::Neyman,
    )
    .unwrap();
    close(p.n, 350.2084559920);
    assert_eq!(p.sizes, vec![339, 12]);
    assert!(close_absolute(p.half_width, 0.0119788121, HALF_WIDTH));
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    assert!(estimate(&[], LonelyStratum::Fail).is_err());
    assert!(estimate(&[stratum(10, 0, 0)], LonelyStratum::Fail).is_err());
    assert!(estimate(&[stratum(10, 3, 4)], LonelyStratum::Fail).is_err());
    assert!(estimate(&[stratum(2, 3, 1)], LonelyStratum::Fail).is_err());
    let one_each = estimate(
        &[stratum(10, 1, 0), stratum(5, 5, 1)],
        LonelyStratum::Remove,
    )
    .unwrap();
    assert!(interval(&one_each, IntervalMethod::Mean, level()).is_ok());
    let none = estimate(&[stratum(1, 1, 0)], LonelyStratum::Fail).unwrap();
    assert!(interval(&none, IntervalMethod::Mean, level()).is_err());
    assert!(plan(&[10], &[1.5], 0.1, level(), Allocation::Proportional).is_err());
    assert!(plan(&[10], &[0.5], 0.0, level(), Allocation::Proportional).is_err());
    assert!(stratum_interval(stratum(5, 6, 1), level()).is_err());
}

/// A seeded xorshift generator for the coverage study (the tests' own: `stats` depends on
/// nothing of the crate).
struct Xorshift(u64);

impl Xorshift {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Coverage of the planted force-wide share by the 95% Korn–Graubard interval over 1,000
/// stratified samples without replacement from a fixed population: six areas of 73 to 126
/// closures with planted shares of 10% to 40% inappropriate, 15 reviewed in each. Measured
/// here: 96.2% (962 of 1,000; binomial SE 0.6 points), inside the 93–97% the issue asks; the
/// interval errs on the wide side, as Clopper–Pearson does.
#[test]
fn korn_graubard_covers_the_planted_share_about_95_percent_of_the_time() {
    let populations = [113u64, 126, 88, 105, 95, 73];
    let planted = [0.1, 0.2, 0.25, 0.4, 0.15, 0.3];
    let positives: Vec<u64> = populations
        .iter()
        .zip(planted)
        .map(|(&n, p)| (n as f64 * p).round() as u64)
        .collect();
    let truth = positives.iter().sum::<u64>() as f64 / populations.iter().sum::<u64>() as f64;
    let mut rng = Xorshift(0x9E37_79B9_7F4A_7C15);
    let (samples, reviewed) = (1000, 15u64);
    let mut covered = 0;
    for _ in 0..samples {
        let strata: Vec<Stratum> = populations
            .iter()
            .zip(&positives)
            .map(|(&n, &m)| {
                // A partial Fisher–Yates shuffle of the stratum's cases (the first m positive).
                let mut cases: Vec<bool> = (0..n).map(|i| i < m).collect();
                for k in 0..reviewed {
                    let pick = k + rng.below(n - k);
                    cases.swap(k as usize, pick as usize);
                }
                stratum(
                    n,
                    reviewed,
                    cases[..reviewed as usize].iter().filter(|&&c| c).count() as u64,
                )
            })
            .collect();
        let e = estimate(&strata, LonelyStratum::Fail).unwrap();
        let ci = interval(&e, IntervalMethod::KornGraubard { cap: false }, level()).unwrap();
        if ci.lower <= truth && truth <= ci.upper {
            covered += 1;
        }
    }
    let rate = f64::from(covered) / f64::from(samples);
    assert!((0.93..=0.97).contains(&rate), "coverage {rate}");
}

#[test]
fn the_strata_test_needs_two_strata_and_variation() {
    let s = |population, reviewed, positives| Stratum {
        population,
        reviewed,
        positives,
    };
    // One stratum with cases; every case negative; every stratum's cases agreeing (no design
    // variance, so tr Δ = 0 and F is undefined).
    assert_eq!(strata_differ(&[s(50, 5, 2), s(40, 0, 0)]), None);
    assert_eq!(strata_differ(&[s(50, 5, 0), s(40, 4, 0)]), None);
    assert_eq!(strata_differ(&[s(50, 5, 5), s(40, 4, 0)]), None);
    // Equal shares: X² = 0, p = 1.
    let t = strata_differ(&[s(50, 10, 2), s(40, 5, 1)]).expect("a test");
    assert!(
        t.statistic.abs() < 1e-12 && (t.p_value - 1.0).abs() < 1e-12,
        "{t:?}"
    );
}
