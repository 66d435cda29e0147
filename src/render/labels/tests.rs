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

/// See: #21. A label beside its point would sit on a limit line through the point's
/// height: it moves off the line, and it never covers a focus marker's keep-out box.
#[test]
fn labels_keep_off_lines_and_focus_markers() {
    let point = (200.0, 200.0);
    let line = vec![(0.0, 200.0), (600.0, 203.0)];
    let focus = Rect::around((200.0, 175.0), 12.0);
    let plain = place(&[request(point, 80.0)], &[], bounds());
    assert!(
        crossings(&plain[0].rect, std::slice::from_ref(&line)) > 0,
        "beside the point, the line crosses it"
    );
    let placed = place_clear(
        &[request(point, 80.0)],
        &[],
        &[focus],
        std::slice::from_ref(&line),
        bounds(),
    );
    let rect = placed[0].rect;
    assert_eq!(crossings(&rect, &[line]), 0, "{rect:?}");
    assert!(rect.overlap(&focus) <= 0.0, "{rect:?}");
    assert!(
        rect.distance(point) < 40.0,
        "still near its point: {rect:?}"
    );
}

#[test]
fn a_segment_crosses_a_box_only_when_it_passes_through_it() {
    let r = Rect::at((10.0, 10.0), 20.0, 10.0);
    assert!(crosses(&r, (0.0, 15.0), (40.0, 15.0)));
    assert!(crosses(&r, (15.0, 12.0), (16.0, 13.0)), "inside");
    assert!(!crosses(&r, (0.0, 25.0), (40.0, 25.0)), "below");
    assert!(!crosses(&r, (0.0, 0.0), (9.0, 30.0)), "beside");
    assert!(crosses(&r, (0.0, 0.0), (40.0, 30.0)), "diagonal through");
}
