//! The look shared by every chart: the embedded font, the Okabe–Ito palette, page sizes, type
//! sizes, and how numbers and labels are written.
//!
//! Invariant: text is only ever drawn in [`FAMILY`], which is registered from the DejaVu Sans
//! faces compiled into the binary, so a machine with no fonts draws the same picture; colours
//! come only from the Okabe–Ito set (plus neutral greys), and every colour used for meaning is
//! paired with a marker shape or a text label.

use std::sync::OnceLock;

use anyhow::{anyhow, Result};
use plotters::style::{FontStyle, RGBColor};

use super::ChartSize;

/// The font family every chart names. SVG writes it into `font-family`, so a viewer without
/// DejaVu Sans falls back to Arial or its own sans-serif; PNG always uses the embedded faces.
pub const FAMILY: &str = "DejaVu Sans, Arial, sans-serif";

/// Registers the embedded DejaVu Sans faces under [`FAMILY`] (and under plotters' default
/// `sans-serif`), once per process.
///
/// # Errors
///
/// When a compiled-in font cannot be parsed, which would be a build defect.
pub fn register_fonts() -> Result<()> {
    static REGISTERED: OnceLock<std::result::Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            for family in [FAMILY, "sans-serif"] {
                plotters::style::register_font(family, FontStyle::Normal, dejavu::sans::regular())
                    .map_err(|_| "the embedded DejaVu Sans regular face is not a valid font")?;
                plotters::style::register_font(family, FontStyle::Bold, dejavu::sans::bold())
                    .map_err(|_| "the embedded DejaVu Sans bold face is not a valid font")?;
            }
            Ok(())
        })
        .clone()
        .map_err(|e| anyhow!(e))
}

/// The Okabe–Ito colours (Okabe and Ito 2008), safe for the common colour-vision deficiencies.
pub mod okabe_ito {
    use plotters::style::RGBColor;

    /// Orange, #E69F00: the focus force.
    pub const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
    /// Sky blue, #56B4E9: interval bands.
    pub const SKY_BLUE: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
    /// Bluish green, #009E73: the target (national) rate.
    pub const BLUISH_GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
    /// Yellow, #F0E442 (too pale for thin lines on white; used for backgrounds only).
    pub const YELLOW: RGBColor = RGBColor(0xF0, 0xE4, 0x42);
    /// Blue, #0072B2: below the limits.
    pub const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
    /// Vermilion, #D55E00: above the limits.
    pub const VERMILION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
    /// Reddish purple, #CC79A7: peer-group members.
    pub const REDDISH_PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
    /// Black, #000000: text, the outer limits.
    pub const BLACK: RGBColor = RGBColor(0x00, 0x00, 0x00);
}

/// Neutral greys for text, grid lines and points without a flag.
pub mod grey {
    use plotters::style::RGBColor;

    /// Secondary text (subtitles, source lines, tick labels).
    pub const TEXT: RGBColor = RGBColor(0x40, 0x40, 0x40);
    /// Points within the limits.
    pub const POINT: RGBColor = RGBColor(0x8C, 0x8C, 0x8C);
    /// The inner limits.
    pub const LIMIT: RGBColor = RGBColor(0x70, 0x70, 0x70);
    /// Interval bars.
    pub const INTERVAL: RGBColor = RGBColor(0x55, 0x55, 0x55);
    /// Grid lines.
    pub const GRID: RGBColor = RGBColor(0xE3, 0xE3, 0xE3);
    /// Axis lines and tick marks.
    pub const AXIS: RGBColor = RGBColor(0x9A, 0x9A, 0x9A);
    /// A faint background for highlighted rows and panels.
    pub const TINT: RGBColor = RGBColor(0xF4, 0xF4, 0xF4);
}

/// White.
pub const WHITE: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);

/// The shape of a chart: ordinary (landscape) or tall (a long ranked list or a grid).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Landscape: funnel, trend, SPC, offence mix.
    Wide,
    /// Portrait on A4 (caterpillar, small multiples); still 16:9 on a slide.
    Tall,
}

/// The canvas size in logical pixels (SVG user units; PNG multiplies them by its scale).
///
/// A4: 960 units across the text width of an A4 page (about 160 mm, so 12-unit text prints at
/// roughly 6.5 pt and up); tall charts use 960 × 1240, which still fits the page's text block.
/// Slide: 1280 × 720, exactly 16:9.
pub fn canvas_size(size: ChartSize, shape: Shape) -> (u32, u32) {
    match (size, shape) {
        (ChartSize::A4, Shape::Wide) => (960, 680),
        (ChartSize::A4, Shape::Tall) => (960, 1240),
        (ChartSize::Slide, _) => (1280, 720),
    }
}

/// Type sizes in logical pixels (plotters' font size: the font's full height).
pub mod type_size {
    /// Chart title.
    pub const TITLE: f64 = 22.0;
    /// Subtitle lines.
    pub const SUBTITLE: f64 = 14.5;
    /// Axis titles.
    pub const AXIS_TITLE: f64 = 14.0;
    /// Tick labels.
    pub const TICK: f64 = 13.0;
    /// Point labels and legend entries.
    pub const LABEL: f64 = 13.0;
    /// The source line and notes.
    pub const SOURCE: f64 = 12.0;
}

// The words and numbers charts print are the run's wording (`crate::wording`), shared with
// the report.
pub use crate::wording::{
    basis_phrase, capitalise, count, level_label, level_text, month_phrase, month_tick,
    outcome_phrase, percent, period_phrase, quarter_end, significant, slug, types_phrase,
};

#[cfg(test)]
mod tests;
