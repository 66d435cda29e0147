//! The vector of METHODS-2.md §10 (R 4.2.2, script D of its §12).

use super::*;

fn close(actual: f64, expected: f64, relative: f64) -> bool {
    (actual - expected).abs() <= relative * expected.abs().max(1e-300)
}

#[test]
fn the_displacement_vector_of_methods_2() {
    // Groups 16, 15, 14, 18, 1, other.
    let before = [1250, 520, 600, 800, 330, 500];
    let after = [1040, 690, 610, 850, 350, 560];
    let d = compare(&before, &after, 0, 1, Level::ninety_five()).unwrap();
    let expected = [
        (
            -0.0588414634146,
            -0.0784000691715,
            -0.0392331109236,
            4.11450503298e-9,
            2.46870301979e-8,
            6.04832239847e-8,
        ),
        (
            0.0382926829268,
            0.022792089349,
            0.05377459712,
            1.34031696421e-6,
            4.02095089263e-6,
            9.85132968695e-6,
        ),
        (
            -0.00121951219512,
            -0.016762601422,
            0.0143062480906,
            0.877657938139,
            0.877657938139,
            1.0,
        ),
        (
            0.00731707317073,
            -0.0102326613561,
            0.024847609144,
            0.413651092697,
            0.620476639045,
            1.0,
        ),
        (
            0.00286585365854,
            -0.00923886883829,
            0.0149547248709,
            0.641924493285,
            0.770309391942,
            1.0,
        ),
        (
            0.0115853658537,
            -0.00311304233688,
            0.0262685338896,
            0.122168681016,
            0.244337362031,
            0.598626536977,
        ),
    ];
    for (g, (diff, lower, upper, p, bh, by)) in expected.into_iter().enumerate() {
        let s = d.groups[g];
        assert!(close(s.difference.estimate, diff, 1e-10), "{g}");
        assert!(close(s.difference.interval.lower, lower, 1e-9), "{g}");
        assert!(close(s.difference.interval.upper, upper, 1e-9), "{g}");
        assert!(close(s.p_value, p, 1e-9), "{g}");
        assert!(close(s.q_bh, bh, 1e-9), "{g}");
        assert!(close(s.q_by, by, 1e-9), "{g}");
    }
    assert!(close(d.pearson, 47.4968686661, 1e-10));
    assert!(close(d.pearson_p, 4.49918522516e-9, 1e-9));
    assert!(close(d.g2, 47.5980166814, 1e-10));
    assert!(close(d.g2_p, 4.29040881049e-9, 1e-9));
    assert!(close(d.share_15_of_pair.0, 0.293785310734, 1e-10));
    assert!(close(d.share_15_of_pair.1, 0.398843930636, 1e-10));
    assert!(close(d.share_15_p, 6.41271324021e-11, 1e-8));
    let (lor, se) = d.log_odds_ratio.unwrap();
    assert!(close(lor, 0.466785624177, 1e-10));
    assert!(close(se, 0.0716511740792, 1e-10));
    assert!(close(d.combined.0, 0.4425, 1e-12));
    assert!(close(d.combined.1, 0.421951219512, 1e-10));
    assert!(close(d.combined_p, 0.0619657048122, 1e-9));
}

#[test]
fn empty_sides_and_mismatched_groups_are_errors() {
    let level = Level::ninety_five();
    assert!(compare(&[1, 2], &[1], 0, 1, level).is_err());
    assert!(compare(&[0, 0, 3], &[1, 1, 1], 0, 1, level).is_err());
    assert!(compare(&[1, 2, 3], &[1, 2, 3], 0, 0, level).is_err());
    assert!(compare(&[1, 2, 3], &[1, 2, 3], 0, 5, level).is_err());
    // A zero count leaves the log-odds ratio undefined, the rest defined.
    let d = compare(&[5, 0, 3], &[4, 2, 3], 0, 1, level).unwrap();
    assert_eq!(d.log_odds_ratio, None);
    assert!(d.pearson.is_finite() && d.g2.is_finite());
}
