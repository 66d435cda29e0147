use super::*;

fn options() -> (SpcOptions, RuleOptions) {
    (SpcOptions::standard(), RuleOptions::standard())
}

/// Twelve quarters around 30%, then twelve around 24%: a fall after period 12.
fn falling() -> (Vec<u64>, Vec<u64>) {
    let before = [300, 310, 295, 305, 290, 315, 300, 298, 307, 302, 296, 304];
    let after = [250, 238, 245, 236, 242, 240, 233, 247, 239, 241, 236, 244];
    let x: Vec<u64> = before.iter().chain(&after).copied().collect();
    (x, vec![1000; 24])
}

#[test]
fn one_phase_without_a_baseline_is_the_plain_chart() {
    let (x, n) = falling();
    let (o, r) = options();
    let phased = phased_laney(&x, &n, &[], None, &o, &r, Improvement::Lower).unwrap();
    let plain = laney(&x, &n, &o).unwrap();
    assert_eq!(phased.points, plain.points);
    assert_eq!(phased.hits, rules(&plain.points, &r).unwrap());
    assert_eq!(phased.phases.len(), 1);
    assert!(!phased.phases[0].trial);
}

#[test]
fn a_baseline_sets_the_limits_and_the_fall_after_it_is_improving() {
    let (x, n) = falling();
    let (o, r) = options();
    let phased = phased_laney(&x, &n, &[], Some((0, 11)), &o, &r, Improvement::Lower).unwrap();
    // The centre is the baseline's pooled rate, extended past it.
    let centre = x[..12].iter().sum::<u64>() as f64 / 12_000.0;
    assert!(phased
        .points
        .iter()
        .all(|p| (p.centre - centre).abs() < 1e-15));
    // Every point after the fall is below the baseline's lower limit or in the shift.
    assert!(phased.variation[12..]
        .iter()
        .all(|v| *v == Variation::Improving));
    assert!(phased.variation[..12]
        .iter()
        .all(|v| *v == Variation::CommonCause));
    assert_eq!(phased.phases[0].variation, Variation::Improving);
    assert!(phased.phases[0].trial, "12 baseline points: trial limits");
    // Higher is better: the same fall is concerning; neutral: low.
    let higher = phased_laney(&x, &n, &[], Some((0, 11)), &o, &r, Improvement::Higher).unwrap();
    assert_eq!(higher.variation[20], Variation::Concerning);
    let neutral = phased_laney(&x, &n, &[], Some((0, 11)), &o, &r, Improvement::Neutral).unwrap();
    assert_eq!(neutral.variation[20], Variation::NeutralLow);
    // Points before a baseline that starts later take its limits too.
    let late = phased_laney(&x, &n, &[], Some((2, 11)), &o, &r, Improvement::Lower).unwrap();
    let late_centre = x[2..12].iter().sum::<u64>() as f64 / 10_000.0;
    assert!((late.points[0].centre - late_centre).abs() < 1e-15);
    assert_eq!(late.phases[0].limits_from, (2, 12));
}

#[test]
fn limits_recalculated_at_a_phase_and_rules_never_cross_it() {
    let (x, n) = falling();
    let (o, r) = options();
    let phased = phased_laney(&x, &n, &[12], None, &o, &r, Improvement::Lower).unwrap();
    assert_eq!(phased.phases.len(), 2);
    assert_eq!(phased.phase_of[11], 0);
    assert_eq!(phased.phase_of[12], 1);
    let second = x[12..].iter().sum::<u64>() as f64 / 12_000.0;
    assert!((phased.points[12].centre - second).abs() < 1e-15);
    // Each phase is stable about its own centre: no special cause in either.
    assert!(phased
        .variation
        .iter()
        .all(|v| *v == Variation::CommonCause));
    // The same as two separate charts.
    let a = laney(&x[..12], &n[..12], &o).unwrap();
    assert_eq!(&phased.points[..12], a.points.as_slice());
}

#[test]
fn a_rising_trend_is_labelled_by_its_direction() {
    // Flat, then seven rising points (a trend), then flat.
    let x: Vec<u64> = [
        300, 302, 298, 301, 299, 300, 290, 295, 300, 305, 310, 315, 320, 300, 301,
    ]
    .to_vec();
    let n = vec![1000; x.len()];
    let (o, r) = options();
    let phased = phased_laney(&x, &n, &[], None, &o, &r, Improvement::Lower).unwrap();
    assert!(phased.hits[6..13].iter().all(|h| h.trend));
    assert_eq!(phased.variation[9], Variation::Concerning);
}

#[test]
fn assurance_compares_the_target_with_the_last_limits() {
    let point = ChartPoint {
        value: 0.3,
        centre: 0.3,
        sigma: 0.01,
        lower_3: 0.27,
        lower_2: 0.28,
        upper_2: 0.32,
        upper_3: 0.33,
    };
    use Assurance::*;
    assert_eq!(
        assurance(0.2, &point, Improvement::Lower),
        Some(ConsistentlyFail)
    );
    assert_eq!(
        assurance(0.4, &point, Improvement::Lower),
        Some(ConsistentlyPass)
    );
    assert_eq!(
        assurance(0.2, &point, Improvement::Higher),
        Some(ConsistentlyPass)
    );
    assert_eq!(assurance(0.3, &point, Improvement::Lower), Some(HitAndMiss));
    assert_eq!(
        assurance(0.27, &point, Improvement::Lower),
        Some(HitAndMiss)
    );
    assert_eq!(assurance(0.2, &point, Improvement::Neutral), None);
}

#[test]
fn phases_and_baselines_outside_the_series_are_errors() {
    let (x, n) = falling();
    let (o, r) = options();
    let lower = Improvement::Lower;
    assert!(phased_laney(&x, &n, &[0], None, &o, &r, lower).is_err());
    assert!(phased_laney(&x, &n, &[24], None, &o, &r, lower).is_err());
    assert!(phased_laney(&x, &n, &[10, 10], None, &o, &r, lower).is_err());
    assert!(
        phased_laney(&x, &n, &[23], None, &o, &r, lower).is_err(),
        "a phase of one point"
    );
    assert!(phased_laney(&x, &n, &[12], Some((0, 12)), &o, &r, lower).is_err());
    assert!(phased_laney(&x, &n, &[], Some((5, 5)), &o, &r, lower).is_err());
}
