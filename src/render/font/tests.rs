use plotters::prelude::{BitMapBackend, IntoDrawingArea};
use plotters::style::{FontDesc, FontFamily, FontStyle};

use super::*;
use crate::render::style::{register_fonts, FAMILY};

#[test]
fn every_character_the_charts_use_is_in_the_font() {
    let (regular, bold) = faces().unwrap();
    for face in [regular, bold] {
        for c in "Aaz09%†φτ²σ′−–…·÷×".chars() {
            assert_ne!(face.glyph(c), 0, "{c:?} is missing");
        }
        assert_eq!(face.glyph('\u{10FFFF}'), 0);
    }
}

#[test]
fn widths_match_what_plotters_measures() {
    // ab_glyph scales the hhea height to the size it is given; our layout must agree with it,
    // kerning included, or PNG labels would be placed for the wrong widths.
    register_fonts().unwrap();
    let (regular, bold) = faces().unwrap();
    let mut buffer = vec![0u8; 3 * 64 * 64];
    let area = BitMapBackend::with_buffer(&mut buffer, (64, 64)).into_drawing_area();
    for (face, style) in [(regular, FontStyle::Normal), (bold, FontStyle::Bold)] {
        for text in [
            "AVATAR Wavy",
            "Cleveland 57.3% (above 99.8%)",
            "φ = 228.3, τ² = 0.001978",
        ] {
            let size = 200.0;
            let font = FontDesc::new(FontFamily::Name(FAMILY), size, style);
            let (measured, _) = area
                .estimate_text_size(text, &font.color(&plotters::style::BLACK))
                .unwrap();
            let ours = face.layout(text).1 * size * face.units_per_em / face.height_units;
            assert!(
                (ours - f64::from(measured)).abs() <= 1.0,
                "{text:?}: ours {ours}, plotters {measured}"
            );
        }
    }
}

#[test]
fn kerning_pairs_are_read() {
    let (regular, _) = faces().unwrap();
    let (a, v) = (regular.glyph('A'), regular.glyph('V'));
    assert!(
        regular.kern(a, v) < 0.0,
        "A and V kern together in DejaVu Sans"
    );
    assert!(regular.kern(regular.glyph('H'), regular.glyph('H')).abs() < 1e-12);
}

#[test]
fn blank_glyphs_have_no_box() {
    let (regular, _) = faces().unwrap();
    assert!(regular.bounds(regular.glyph(' ')).is_none());
    assert!(regular.bounds(regular.glyph('H')).is_some());
}

#[test]
fn garbage_is_an_error_not_a_panic() {
    static GARBAGE: [u8; 16] = [0; 16];
    assert!(Face::parse(&GARBAGE).is_err());
}
