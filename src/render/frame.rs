//! The frame every chart shares: title, subtitle, legend and source line around the plot.
//!
//! Invariant: every chart has a title, a subtitle stating scope, period, basis and method, a
//! legend that explains each colour with a shape or line style beside it, and a source line;
//! long lines wrap rather than run off the canvas.

use anyhow::Result;
use plotters::prelude::DrawingBackend;
use plotters::style::RGBColor;

use super::canvas::{Align, Canvas, Font, Marker, Stroke};
use super::style::{grey, okabe_ito, type_size};

/// Space between the canvas edge and the content, left and right.
pub const SIDE_MARGIN: f64 = 24.0;
const TOP_MARGIN: f64 = 16.0;
const BOTTOM_MARGIN: f64 = 12.0;
const GLYPH_WIDTH: f64 = 28.0;

/// What a legend entry shows beside its text.
#[derive(Debug, Clone, PartialEq)]
pub enum Glyph {
    /// A marker.
    Marker(Marker),
    /// A line.
    Line(Stroke),
    /// A line with a marker on it.
    LineMarker(Stroke, Marker),
    /// A filled band (colour, opacity).
    Band(RGBColor, f64),
    /// A marker inside a ring (peer-group members).
    Ringed(Marker, Stroke),
}

/// One legend entry.
#[derive(Debug, Clone, PartialEq)]
pub struct LegendEntry {
    /// The sample.
    pub glyph: Glyph,
    /// What it means.
    pub text: String,
}

impl LegendEntry {
    /// An entry.
    pub fn new(glyph: Glyph, text: impl Into<String>) -> LegendEntry {
        LegendEntry {
            glyph,
            text: text.into(),
        }
    }
}

/// The text and legend around a chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// The title.
    pub title: String,
    /// Subtitle paragraphs (each wraps on its own).
    pub subtitle: Vec<String>,
    /// Legend entries, in reading order.
    pub legend: Vec<LegendEntry>,
    /// Notes printed above the source line.
    pub notes: Vec<String>,
    /// The source line.
    pub source: String,
}

/// A laid-out legend: entry positions relative to its top-left corner.
struct LegendLayout {
    rows: Vec<Vec<(f64, usize)>>,
    row_height: f64,
}

fn legend_layout<DB: DrawingBackend>(
    canvas: &Canvas<DB>,
    entries: &[LegendEntry],
    width: f64,
) -> LegendLayout {
    let font = Font::regular(type_size::LABEL);
    let mut rows: Vec<Vec<(f64, usize)>> = Vec::new();
    let mut row: Vec<(f64, usize)> = Vec::new();
    let mut x = 0.0;
    for (i, entry) in entries.iter().enumerate() {
        let w = GLYPH_WIDTH + 6.0 + canvas.text_width(&entry.text, font);
        if !row.is_empty() && x + w > width {
            rows.push(std::mem::take(&mut row));
            x = 0.0;
        }
        row.push((x, i));
        x += w + 22.0;
    }
    if !row.is_empty() {
        rows.push(row);
    }
    LegendLayout {
        rows,
        row_height: font.line_height() + 5.0,
    }
}

/// Draws a legend glyph centred vertically on `y`, starting at `x`.
pub fn draw_glyph<DB: DrawingBackend>(
    canvas: &Canvas<DB>,
    glyph: &Glyph,
    (x, y): (f64, f64),
) -> Result<()> {
    let middle = (x + GLYPH_WIDTH / 2.0, y);
    // Large markers (nested rule markers) are shown at a size that fits a legend row.
    let fit = |m: &Marker| Marker {
        radius: m.radius.min(7.0),
        ..*m
    };
    match glyph {
        Glyph::Marker(marker) => canvas.marker(middle, fit(marker)),
        Glyph::Line(stroke) => canvas.line(&[(x, y), (x + GLYPH_WIDTH, y)], *stroke),
        Glyph::LineMarker(stroke, marker) => {
            canvas.line(&[(x, y), (x + GLYPH_WIDTH, y)], *stroke)?;
            canvas.marker(middle, *marker)
        }
        Glyph::Band(colour, opacity) => {
            canvas.rect((x, y - 6.0), (x + GLYPH_WIDTH, y + 6.0), *colour, *opacity)
        }
        Glyph::Ringed(marker, ring) => {
            canvas.ring(middle, marker.radius + 4.0, *ring)?;
            canvas.marker(middle, *marker)
        }
    }
}

/// Draws the frame and returns the region left for the plot as (left, top, right, bottom).
pub fn draw_frame<DB: DrawingBackend>(
    canvas: &Canvas<DB>,
    frame: &Frame,
) -> Result<(f64, f64, f64, f64)> {
    let width = canvas.width - 2.0 * SIDE_MARGIN;
    let left = SIDE_MARGIN;

    // Header: title, then subtitle paragraphs.
    let title_font = Font::bold(type_size::TITLE);
    let mut y = TOP_MARGIN;
    for line in canvas.wrap(&frame.title, title_font, width) {
        canvas.text(&line, (left, y), title_font, okabe_ito::BLACK, Align::Left)?;
        y += title_font.line_height();
    }
    y += 4.0;
    let subtitle_font = Font::regular(type_size::SUBTITLE);
    for paragraph in &frame.subtitle {
        for line in canvas.wrap(paragraph, subtitle_font, width) {
            canvas.text(&line, (left, y), subtitle_font, grey::TEXT, Align::Left)?;
            y += subtitle_font.line_height();
        }
    }
    let header_bottom = y + 12.0;

    // Footer, from the bottom up: source, notes, legend.
    let source_font = Font::regular(type_size::SOURCE);
    let mut footer: Vec<String> = Vec::new();
    for note in &frame.notes {
        footer.extend(canvas.wrap(note, source_font, width));
    }
    footer.extend(canvas.wrap(&frame.source, source_font, width));
    let mut y = canvas.height - BOTTOM_MARGIN - footer.len() as f64 * source_font.line_height();
    let footer_top = y;
    for line in &footer {
        canvas.text(line, (left, y), source_font, grey::TEXT, Align::Left)?;
        y += source_font.line_height();
    }

    let layout = legend_layout(canvas, &frame.legend, width);
    let legend_height = layout.rows.len() as f64 * layout.row_height;
    let legend_top = footer_top - 8.0 - legend_height;
    let label_font = Font::regular(type_size::LABEL);
    for (r, row) in layout.rows.iter().enumerate() {
        let row_y = legend_top + r as f64 * layout.row_height;
        for (x, i) in row {
            let entry = &frame.legend[*i];
            let middle = row_y + label_font.size * 0.55;
            draw_glyph(canvas, &entry.glyph, (left + x, middle))?;
            canvas.text(
                &entry.text,
                (left + x + GLYPH_WIDTH + 6.0, row_y),
                label_font,
                okabe_ito::BLACK,
                Align::Left,
            )?;
        }
    }
    let plot_bottom = if frame.legend.is_empty() {
        footer_top - 8.0
    } else {
        legend_top - 10.0
    };
    Ok((left, header_bottom, canvas.width - SIDE_MARGIN, plot_bottom))
}
