use super::*;

fn labels(axis: &Axis) -> Vec<&str> {
    axis.ticks.iter().map(|t| t.label.as_str()).collect()
}

#[test]
fn percent_axes_cover_the_range_with_nice_ticks() {
    let axis = Axis::percent(0.105, 0.581, 9);
    assert_eq!(
        labels(&axis),
        ["10%", "20%", "30%", "40%", "50%", "60%"],
        "{axis:?}"
    );
    assert!(axis.lo <= 0.105 && axis.hi >= 0.581);
    // Near zero, the axis starts at zero.
    let axis = Axis::percent(0.032, 0.32, 9);
    assert_eq!(labels(&axis).first(), Some(&"0%"));
    // Narrow ranges get decimals, never a repeated label.
    let axis = Axis::percent(0.2563, 0.2612, 8);
    let texts = labels(&axis);
    assert!(texts.iter().all(|t| t.contains('.')), "{texts:?}");
    let mut unique = texts.clone();
    unique.dedup();
    assert_eq!(unique, texts);
    assert!(axis.ticks.len() <= 8);
}

#[test]
fn percent_axes_survive_a_single_value() {
    let axis = Axis::percent(0.4, 0.4, 6);
    assert!(axis.lo < 0.4 && axis.hi > 0.4, "{axis:?}");
}

#[test]
fn log_axes_pick_readable_ticks() {
    let axis = Axis::log_count(760.0, 197_000.0, 9);
    assert_eq!(
        labels(&axis),
        ["1,000", "2,000", "5,000", "10,000", "20,000", "50,000", "100,000"]
    );
    assert_eq!(axis.scale, Scale::Log);
    let wide = Axis::log_count(5_000.0, 1_100_000.0, 9);
    assert!(wide.ticks.len() <= 9, "{wide:?}");
    assert!((wide.fraction(wide.lo)).abs() < 1e-12);
    assert!((wide.fraction(wide.hi) - 1.0).abs() < 1e-12);
    // Within one decade there is still more than one tick.
    let narrow = Axis::log_count(230.0, 440.0, 9);
    assert_eq!(labels(&narrow), ["250", "300", "350", "400"]);
}

#[test]
fn number_axes_for_ratios() {
    assert_eq!(
        labels(&Axis::number(0.8, 1.6, 8)),
        ["0.8", "1.0", "1.2", "1.4", "1.6"]
    );
    assert_eq!(
        labels(&Axis::number(0.8, 1.6, 10)),
        ["0.8", "0.9", "1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6"]
    );
    // A step of 2.5 keeps its halves (it once printed 2.5 as "2" and 7.5 as "8").
    assert_eq!(
        labels(&Axis::number(0.0, 22.0, 10)),
        ["0.0", "2.5", "5.0", "7.5", "10.0", "12.5", "15.0", "17.5", "20.0", "22.5"]
    );
    // The odds-ratio axis: 1-2-5 ticks, with 1 always inside.
    assert_eq!(
        labels(&Axis::log_ratio(0.15, 3.0)),
        ["0.2", "0.5", "1", "2"]
    );
}

#[test]
fn category_axes_put_items_at_whole_numbers() {
    let axis = Axis::categories(&["a".to_string(), "b".to_string()]);
    assert!((axis.fraction(0.0) - 0.25).abs() < 1e-12);
    assert!((axis.fraction(1.0) - 0.75).abs() < 1e-12);
}

#[test]
fn plots_map_values_to_the_canvas_and_clip_lines() {
    let plot = Plot {
        left: 100.0,
        top: 50.0,
        right: 300.0,
        bottom: 250.0,
        x: Axis::number(0.0, 10.0, 6),
        y: Axis::percent(0.0, 0.5, 6),
    };
    assert_eq!(plot.point(0.0, 0.0), (100.0, 250.0));
    assert_eq!(plot.point(10.0, 0.5), (300.0, 50.0));
    let runs = clip_polyline(
        &[(50.0, 150.0), (200.0, 150.0), (200.0, 400.0)],
        plot.rect(),
    );
    assert_eq!(
        runs,
        vec![vec![(100.0, 150.0), (200.0, 150.0), (200.0, 250.0)]]
    );
}
