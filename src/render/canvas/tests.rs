use super::*;

fn length(piece: &[(f64, f64)]) -> f64 {
    piece
        .windows(2)
        .map(|w| ((w[1].0 - w[0].0).powi(2) + (w[1].1 - w[0].1).powi(2)).sqrt())
        .sum()
}

#[test]
fn dashes_follow_the_pattern_across_corners() {
    // 20 units right then 20 down, in dashes of 9 with gaps of 3: dashes at 0–9, 12–21,
    // 24–33 and 36–40 along the line.
    let pieces = dash_polyline(&[(0.0, 0.0), (20.0, 0.0), (20.0, 20.0)], 9.0, 3.0);
    let lengths: Vec<f64> = pieces.iter().map(|p| length(p)).collect();
    assert_eq!(pieces.len(), 4, "{pieces:?}");
    for l in &lengths[..3] {
        assert!((l - 9.0).abs() < 1e-9, "{lengths:?}");
    }
    assert!((lengths[3] - 4.0).abs() < 1e-9, "{lengths:?}");
    // The second dash turns the corner: it has three points.
    assert_eq!(pieces[0].len(), 2);
    assert_eq!(pieces[1].len(), 3);
}

#[test]
fn clipping_splits_a_line_that_leaves_and_comes_back() {
    let runs = clip_polyline(
        &[
            (0.0, 5.0),
            (20.0, 5.0),
            (20.0, 30.0),
            (5.0, 30.0),
            (5.0, 8.0),
        ],
        (0.0, 0.0, 10.0, 10.0),
    );
    assert_eq!(runs.len(), 2, "{runs:?}");
    assert_eq!(runs[0], vec![(0.0, 5.0), (10.0, 5.0)]);
    assert_eq!(runs[1], vec![(5.0, 10.0), (5.0, 8.0)]);
}

#[test]
fn markers_have_the_corners_of_their_shapes() {
    assert_eq!(
        marker_outline(MarkerShape::Diamond, (0.0, 0.0), 10.0).len(),
        4
    );
    let up = marker_outline(MarkerShape::TriangleUp, (0.0, 0.0), 10.0);
    assert!(
        up[0].1 < 0.0,
        "the apex of an up triangle is above the centre"
    );
    let down = marker_outline(MarkerShape::TriangleDown, (0.0, 0.0), 10.0);
    assert!(down[0].1 > 0.0);
}
