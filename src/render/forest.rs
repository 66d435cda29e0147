//! The record-level model's forest plot: each estimated level's adjusted odds ratio of the
//! outcome against its field's reference level, with its 95% Wald interval, on a log scale
//! with a line at 1, one row per level, grouped by field.
//!
//! Invariant: like the other charts, this only draws what the run's `extract_model` table
//! holds; the extract's source (which says when it is synthetic) is in the subtitle and
//! source line, and the note says that an association is not a cause.

use anyhow::{bail, Result};
use plotters::prelude::DrawingBackend;

use super::axis::{draw_axes, row_layout, row_plot, Axis};
use super::canvas::{Align, Canvas, Font, Stroke};
use super::extract::ExtractModel;
use super::frame::{draw_frame, Frame, Glyph, LegendEntry};
use super::marks::{self, RADIUS};
use super::style::{self, grey, okabe_ito};
use crate::stats::Flag;

/// Whether the run has a model to draw.
pub fn has_chart(extract: &ExtractModel) -> bool {
    !extract.odds_ratios.is_empty()
}

/// A field's key in words: `body_worn_video` → "Body worn video".
fn field_words(key: &str) -> String {
    style::capitalise(&key.replace('_', " "))
}

/// Draws the forest plot.
///
/// # Errors
///
/// When the run has no model, or drawing fails.
pub fn draw<DB: DrawingBackend>(canvas: &Canvas<DB>, e: &ExtractModel) -> Result<()> {
    let terms = &e.odds_ratios;
    if terms.is_empty() {
        bail!("the run has no record-level model");
    }
    let frame = Frame {
        title: format!(
            "{}: adjusted odds ratios of {} from the record-level model, with 95% intervals, {}",
            e.owner_name(),
            e.outcome.to_lowercase(),
            e.scope_label
        ),
        subtitle: vec![
            format!(
                "{} · {} · {}",
                style::capitalise(&e.scope_label),
                e.period,
                e.source
            ),
            "Logistic regression of the outcome against the rest of the denominator on offence group, repeat victim, the investigation-quality fields recorded and area, fitted together: each level against its field's reference level (in brackets) with the other fields held equal. Wald intervals; log scale.".to_string(),
        ],
        legend: vec![
            LegendEntry::new(
                Glyph::Marker(marks::flag_marker(Flag::Within, RADIUS)),
                "Adjusted odds ratio",
            ),
            LegendEntry::new(Glyph::Line(marks::interval_stroke()), "95% interval"),
            LegendEntry::new(
                Glyph::Line(Stroke::solid(okabe_ito::BLUISH_GREEN, 1.5)),
                "1: no difference from the reference",
            ),
        ],
        notes: vec!["An odds ratio is an association, not a cause: the model adjusts only for the fields the extract records, and a field filled in more carefully in some cases than others goes with the outcome without causing it.".to_string()],
        source: e.source_line(),
    };
    let region = draw_frame(canvas, &frame)?;
    let n = terms.len();
    let (text, row_height, size) = row_layout(region, n, "Adjusted odds ratio (log scale)");
    let font = Font::regular(size);
    let labels: Vec<String> = terms
        .iter()
        .map(|t| {
            format!(
                "{}: {} (against {})",
                field_words(&t.factor),
                t.level.replace('_', " "),
                t.reference.replace('_', " ")
            )
        })
        .collect();
    let values: Vec<String> = terms
        .iter()
        .map(|t| format!("{:.2} ({:.2} to {:.2})", t.odds_ratio, t.ci95.0, t.ci95.1))
        .collect();
    let name_width = labels
        .iter()
        .map(|l| canvas.text_width(l, font))
        .fold(0.0, f64::max);
    let value_width = values
        .iter()
        .map(|v| canvas.text_width(v, font))
        .fold(0.0, f64::max)
        + 10.0;
    let lo = terms.iter().map(|t| t.ci95.0).fold(f64::INFINITY, f64::min);
    let hi = terms.iter().map(|t| t.ci95.1).fold(0.0, f64::max);
    let plot = row_plot(
        canvas,
        region,
        (name_width, value_width),
        n,
        Axis::log_ratio(lo / 1.1, hi * 1.1),
        &text,
    );
    let row_y = |i: usize| plot.row_y(i);
    // A band behind each other field, so that a field's levels read as one group.
    let mut shaded = false;
    for (i, t) in terms.iter().enumerate() {
        if i > 0 && terms[i - 1].factor != t.factor {
            shaded = !shaded;
        }
        if shaded {
            let (y, half) = (row_y(i), row_height / 2.0);
            canvas.rect(
                (plot.left, y - half),
                (plot.right, y + half),
                grey::TINT,
                1.0,
            )?;
        }
    }
    draw_axes(canvas, &plot, &text)?;
    let one = plot.px(1.0);
    canvas.line(
        &[(one, plot.top), (one, plot.bottom)],
        Stroke::solid(okabe_ito::BLUISH_GREEN, 1.5),
    )?;
    for (i, t) in terms.iter().enumerate() {
        let y = row_y(i);
        canvas.text(
            &labels[i],
            (plot.left - 8.0, y - size * 0.5),
            font,
            okabe_ito::BLACK,
            Align::Right,
        )?;
        canvas.text(
            &values[i],
            (plot.right + 8.0, y - size * 0.5),
            font,
            grey::TEXT,
            Align::Left,
        )?;
        marks::interval_bar(
            canvas,
            (plot.px(t.ci95.0), y),
            (plot.px(t.ci95.1), y),
            row_height,
        )?;
        canvas.marker(
            (plot.px(t.odds_ratio), y),
            marks::flag_marker(Flag::Within, RADIUS),
        )?;
    }
    Ok(())
}
