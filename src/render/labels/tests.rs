use super::*;

fn request(anchor: (f64, f64), width: f64) -> LabelRequest {
    LabelRequest {
        anchor,
        width,
        height: 15.0,
        clearance: 6.0,
    }
}

fn bounds() -> Rect {
    Rect {
        left: 0.0,
        top: 0.0,
        right: 600.0,
        bottom: 400.0,
    }
}

/// A crowded cluster: twelve labels on points a few pixels apart.
fn crowd() -> Vec<LabelRequest> {
    (0..12)
        .map(|i| request((300.0 + (i % 3) as f64 * 6.0, 200.0 + i as f64 * 4.0), 90.0))
        .collect()
}

#[test]
fn crowded_labels_do_not_overlap() {
    let requests = crowd();
    let obstacles: Vec<Rect> = requests
        .iter()
        .map(|r| Rect::around(r.anchor, 5.0))
        .collect();
    let placed = place(&requests, &obstacles, bounds());
    for (i, a) in placed.iter().enumerate() {
        assert!(a.rect.inside(&bounds()), "label {i} leaves the bounds");
        for (j, b) in placed.iter().enumerate().skip(i + 1) {
            assert!(
                a.rect.overlap(&b.rect) <= 0.0,
                "labels {i} and {j} overlap: {a:?} {b:?}"
            );
        }
    }
    // Labels pushed away from their points get a leader line.
    assert!(placed.iter().any(|p| p.leader.is_some()));
}

#[test]
fn placement_is_deterministic() {
    let requests = crowd();
    assert_eq!(
        place(&requests, &[], bounds()),
        place(&requests, &[], bounds())
    );
}

#[test]
fn a_lone_label_sits_beside_its_point_without_a_leader() {
    let placed = place(&[request((100.0, 100.0), 50.0)], &[], bounds());
    assert!((placed[0].rect.left - 109.0).abs() < 1e-9, "{placed:?}");
    assert!(placed[0].leader.is_none());
}

#[test]
fn labels_at_the_edge_stay_inside() {
    let placed = place(&[request((598.0, 399.0), 80.0)], &[], bounds());
    assert!(placed[0].rect.inside(&bounds()), "{placed:?}");
}

#[test]
fn spread_keeps_order_and_gaps() {
    let out = spread(&[100.0, 95.0, 101.0, 300.0], 12.0, 0.0, 400.0);
    assert_eq!(out, vec![107.0, 95.0, 119.0, 300.0]);
    // Against the bottom edge, labels move up instead.
    let out = spread(&[395.0, 398.0], 12.0, 0.0, 400.0);
    assert_eq!(out, vec![388.0, 400.0]);
}
