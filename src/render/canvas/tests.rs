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

/// A glyph to draw: character, position, size, bold, upwards, colour.
type Glyph = (char, (i32, i32), f64, bool, bool, RGBColor);

/// Draws `glyphs` on a white 60 × 40 bitmap, through plotters' text element or through the
/// glyph stamps.
fn drawn_glyphs(glyphs: &[Glyph], stamped: bool) -> Vec<u8> {
    use plotters::prelude::{BitMapBackend, IntoDrawingArea};
    style::register_fonts().unwrap();
    let mut pixels = vec![255u8; 60 * 40 * 3];
    {
        let area = BitMapBackend::with_buffer(&mut pixels, (60, 40)).into_drawing_area();
        for &(c, at, size, bold, upwards, colour) in glyphs {
            let face = if bold {
                FontStyle::Bold
            } else {
                FontStyle::Normal
            };
            let turn = if upwards {
                FontTransform::Rotate270
            } else {
                FontTransform::None
            };
            let style = FontDesc::new(FontFamily::Name(FAMILY), size, face)
                .color(&colour)
                .pos(Pos::new(HPos::Left, VPos::Top))
                .transform(turn);
            let text = c.to_string();
            if stamped {
                let key = StampKey {
                    glyph: c,
                    size: size.to_bits(),
                    bold,
                    upwards,
                    colour: (colour.0, colour.1, colour.2),
                };
                let stamp = Stamp::cached(key, &text, &style).unwrap();
                area.draw(&Stamped { at, stamp: &stamp }).unwrap();
            } else {
                area.draw(&Text::new(text, at, style)).unwrap();
            }
        }
        area.present().unwrap();
    }
    pixels
}

#[test]
fn stamped_glyphs_are_the_pixels_plotters_draws() {
    let (ink, red) = (RGBColor(20, 20, 20), RGBColor(200, 30, 30));
    // Overlapping glyphs, both faces, upward text, the same glyph in two colours and two
    // sizes (each its own stamp), and glyphs cut by every edge of the image.
    let glyphs = [
        ('g', (3, 2), 26.0, false, false, ink),
        ('W', (10, 4), 26.0, true, false, ink),
        ('g', (14, 8), 26.0, false, false, red),
        ('g', (20, 1), 19.5, false, false, red),
        ('7', (30, 30), 22.0, false, true, ink),
        ('Q', (-6, 20), 24.0, true, false, red),
        ('%', (50, -8), 24.0, false, false, ink),
        ('j', (40, 30), 24.0, false, false, ink),
        ('M', (55, 25), 24.0, false, true, ink),
    ];
    let plotters = drawn_glyphs(&glyphs, false);
    assert!(plotters.iter().any(|&b| b < 128), "nothing was drawn");
    // Twice: stamps made here, then stamps taken from the cache.
    assert!(drawn_glyphs(&glyphs, true) == plotters);
    assert!(drawn_glyphs(&glyphs, true) == plotters);
}
