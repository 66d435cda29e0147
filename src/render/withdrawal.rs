//! When victims withdrew: for the outcome-16 closures of each group (all areas, each area,
//! each investigating unit), the days from recording to the victim's withdrawal and from the
//! withdrawal to the closure, each as its interquartile range with the median, one row per
//! group, with the closures and the share with no withdrawal date beside it.
//!
//! Invariant: like the other charts, this only draws what the run's `extract_withdrawal`
//! table holds, and names the extract in its subtitle and source line.

use anyhow::{bail, Result};
use plotters::prelude::DrawingBackend;
use plotters::style::RGBColor;

use super::axis::{draw_axes, row_layout, row_plot, Axis};
use super::canvas::{Align, Canvas, Font, Marker, MarkerShape, Stroke};
use super::extract::ExtractModel;
use super::frame::{draw_frame, Frame, Glyph, LegendEntry};
use super::marks::RADIUS;
use super::style::{self, grey, okabe_ito};
use crate::run_folder::rows;

/// Whether the run has withdrawal dates to draw.
pub fn has_chart(extract: &ExtractModel) -> bool {
    extract.withdrawal.iter().any(|r| r.to_withdrawal.is_some())
}

/// The two spans' colours: recording to withdrawal, withdrawal to closure.
const SPANS: [(RGBColor, &str); 2] = [
    (okabe_ito::BLUE, "Recording to withdrawal"),
    (okabe_ito::REDDISH_PURPLE, "Withdrawal to closure"),
];

fn median_marker(colour: RGBColor) -> Marker {
    Marker {
        shape: MarkerShape::Circle,
        radius: RADIUS * 0.85,
        fill: Some(colour),
        outline: okabe_ito::BLACK,
        outline_width: 0.8,
    }
}

/// Draws the withdrawal timing chart.
///
/// # Errors
///
/// When the run has no withdrawal dates, or drawing fails.
pub fn draw<DB: DrawingBackend>(canvas: &Canvas<DB>, e: &ExtractModel) -> Result<()> {
    let rows: Vec<_> = e
        .withdrawal
        .iter()
        .filter(|r| r.to_withdrawal.is_some() || r.to_closure.is_some())
        .collect();
    if rows.is_empty() {
        bail!("the run has no withdrawal dates");
    }
    let mut legend = Vec::new();
    for (colour, words) in SPANS {
        legend.push(LegendEntry::new(
            Glyph::LineMarker(Stroke::solid(colour, 4.0), median_marker(colour)),
            format!("{words}: middle half of the closures, and the median"),
        ));
    }
    let frame = Frame {
        title: format!(
            "{}: when victims withdrew their support, {} closures, {}, {}",
            e.owner_name(),
            e.outcome.to_lowercase(),
            e.scope_label,
            e.period
        ),
        subtitle: vec![
            format!(
                "{} · {}",
                style::capitalise(&e.scope_label),
                e.source
            ),
            "Days from the crime's recording to the date the victim said they did not support action, and from that date to the closure, for the closures with a withdrawal date; beside each row, its closures and the share with no withdrawal date recorded.".to_string(),
        ],
        legend,
        notes: vec!["A withdrawal soon after the recording leaves little time for evidence gathered without the victim; a long wait from the withdrawal to the closure is time the case stayed open. Neither shows why the victim withdrew.".to_string()],
        source: e.source_line(),
    };
    let region = draw_frame(canvas, &frame)?;
    let n = rows.len();
    let (text, row_height, size) = row_layout(region, n, "Days");
    let label = |r: &rows::WithdrawalRow| match r.kind.as_str() {
        "area" => format!("Area: {}", r.name),
        "unit" => format!("Unit: {}", r.name),
        _ => style::capitalise(&r.name),
    };
    let font = |r: &rows::WithdrawalRow| {
        if r.kind == "all" {
            Font::bold(size)
        } else {
            Font::regular(size)
        }
    };
    let values: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{} closures, {} no date",
                style::count(r.closures),
                r.without_date_share
                    .map_or_else(|| "–".to_string(), |s| style::percent(s, 0))
            )
        })
        .collect();
    let name_width = rows
        .iter()
        .map(|r| canvas.text_width(&label(r), font(r)))
        .fold(0.0, f64::max);
    let value_width = values
        .iter()
        .map(|v| canvas.text_width(v, Font::regular(size)))
        .fold(0.0, f64::max)
        + 10.0;
    let hi = rows
        .iter()
        .flat_map(|r| [r.to_withdrawal, r.to_closure])
        .flatten()
        .map(|q| q[2])
        .fold(1.0, f64::max);
    let plot = row_plot(
        canvas,
        region,
        (name_width, value_width),
        n,
        Axis::number(0.0, hi * 1.05, 10),
        &text,
    );
    for i in (1..n).step_by(2) {
        let (y, half) = (plot.row_y(i), row_height / 2.0);
        canvas.rect(
            (plot.left, y - half),
            (plot.right, y + half),
            grey::TINT,
            1.0,
        )?;
    }
    draw_axes(canvas, &plot, &text)?;
    for (i, r) in rows.iter().enumerate() {
        let y = plot.row_y(i);
        canvas.text(
            &label(r),
            (plot.left - 8.0, y - size * 0.5),
            font(r),
            okabe_ito::BLACK,
            Align::Right,
        )?;
        canvas.text(
            &values[i],
            (plot.right + 8.0, y - size * 0.5),
            Font::regular(size),
            grey::TEXT,
            Align::Left,
        )?;
        let offset = (row_height * 0.2).min(6.0);
        for ((colour, _), (span, dy)) in SPANS
            .iter()
            .zip([(r.to_withdrawal, -offset), (r.to_closure, offset)])
        {
            let Some([q1, median, q3]) = span else {
                continue;
            };
            let width = (row_height * 0.25).clamp(2.0, 5.0);
            canvas.line(
                &[(plot.px(q1), y + dy), (plot.px(q3), y + dy)],
                Stroke::solid(*colour, width),
            )?;
            canvas.marker((plot.px(median), y + dy), median_marker(*colour))?;
        }
    }
    Ok(())
}
