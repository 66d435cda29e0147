//! The displacement chart: one unit's outcomes assigned in each period, as the share of each
//! group displacement tracks (16, 15, 14, 18, charge or summons, out-of-court, the rest), with
//! the events; drawn for each focus force's quarters (`outcome_mix`) and the extract's months
//! (`extract_outcome_mix`).
//!
//! Invariant: every value drawn is a `*_share` cell of the table; lines are named at their
//! right-hand ends as well as in the legend, and differ in dash and marker as well as colour.

use anyhow::{anyhow, Result};
use plotters::prelude::DrawingBackend;

use super::axis::{draw_axes, fit_plot, Axis, AxisText};
use super::canvas::{Canvas, Font, Marker, MarkerShape, Stroke};
use super::frame::{draw_frame, Frame, Glyph, LegendEntry};
use super::model::{Model, OutcomeMixRow};
use super::style::{self, grey, okabe_ito, type_size};

/// Everything one displacement chart draws, already in words.
#[derive(Debug, Clone, PartialEq)]
pub struct DisplacementChart<'a> {
    /// The title.
    pub title: String,
    /// The first subtitle paragraph (scope, period, basis).
    pub scope_line: String,
    /// The periods in order, each with its shares.
    pub rows: &'a [OutcomeMixRow],
    /// "quarter" or "month".
    pub cadence: &'static str,
    /// The displacement sentences for this unit.
    pub notes: Vec<String>,
    /// The source line.
    pub source: String,
    /// The events on the series: (label, first period after).
    pub events: Vec<(String, String)>,
}

/// The groups' names in the legend and at the lines' ends, in the order of the table's
/// groups (`compare::monitor::GROUPS`).
const NAMES: [&str; 7] = [
    "16 (victim does not support)",
    "15 (victim supports)",
    "14 (no suspect; victim does not support)",
    "18 (no suspect identified)",
    "1 charge or summons",
    "Out-of-court (2-8, 22)",
    "Other outcomes",
];

fn look(g: usize) -> (Stroke, Marker) {
    let marker = |shape, colour| Marker {
        shape,
        radius: 3.5,
        fill: Some(colour),
        outline: colour,
        outline_width: 1.0,
    };
    match g {
        0 => (
            Stroke::solid(okabe_ito::VERMILION, 2.8),
            Marker {
                radius: 4.5,
                outline: okabe_ito::BLACK,
                ..marker(MarkerShape::Diamond, okabe_ito::VERMILION)
            },
        ),
        1 => (
            Stroke::solid(okabe_ito::BLUE, 2.2),
            marker(MarkerShape::Square, okabe_ito::BLUE),
        ),
        2 => (
            Stroke::dashed(okabe_ito::SKY_BLUE, 1.6),
            marker(MarkerShape::Circle, okabe_ito::SKY_BLUE),
        ),
        3 => (
            Stroke::dashed(okabe_ito::REDDISH_PURPLE, 1.6),
            marker(MarkerShape::TriangleUp, okabe_ito::REDDISH_PURPLE),
        ),
        4 => (
            Stroke::solid(okabe_ito::BLUISH_GREEN, 2.2),
            marker(MarkerShape::TriangleDown, okabe_ito::BLUISH_GREEN),
        ),
        5 => (
            Stroke::dashed(okabe_ito::ORANGE, 1.6),
            marker(MarkerShape::Circle, okabe_ito::ORANGE),
        ),
        _ => (
            Stroke::dashed(grey::POINT, 1.3),
            marker(MarkerShape::Circle, grey::POINT),
        ),
    }
}

/// Whether `force` has an outcome mix to draw in the run.
pub fn has_chart(model: &Model, force: &str) -> bool {
    model.outcome_mix.get(force).is_some_and(|r| r.len() >= 2)
}

/// A focus force's displacement chart by quarter, from the run's `outcome_mix` table.
///
/// # Errors
///
/// When the table has no rows for `force`.
pub fn national<'m>(model: &'m Model, force: &str) -> Result<DisplacementChart<'m>> {
    let rows = model
        .outcome_mix
        .get(force)
        .ok_or_else(|| anyhow!("the outcome_mix table has no rows for {force}"))?;
    let periods: Vec<String> = rows.iter().map(|r| r.period.clone()).collect();
    Ok(DisplacementChart {
        title: format!(
            "{force}: outcomes assigned by quarter, the share of each outcome group, {}",
            model.context.title_scope
        ),
        scope_line: model.series_scope_line(&periods),
        rows,
        cadence: "quarter",
        notes: model
            .displacement_notes
            .get(force)
            .cloned()
            .unwrap_or_default(),
        source: model.series_source_line(&periods),
        events: model.events.get(force).cloned().unwrap_or_default(),
    })
}

/// Draws a displacement chart.
///
/// # Errors
///
/// When drawing fails.
pub fn draw<DB: DrawingBackend>(canvas: &Canvas<DB>, chart: &DisplacementChart) -> Result<()> {
    let rows = chart.rows;
    let mut legend: Vec<LegendEntry> = (0..NAMES.len())
        .map(|g| {
            let (stroke, marker) = look(g);
            LegendEntry::new(Glyph::LineMarker(stroke, marker), NAMES[g])
        })
        .collect();
    if !chart.events.is_empty() {
        legend.push(super::marks::event_legend());
    }
    let method = format!(
        "Each line is a group's share of the outcomes assigned in the {} (types 1-22). A fall in 16 that comes with a rise in 15 (the same evidential difficulty, with the victim's support) suggests closures moved between the two rather than to a charge.",
        chart.cadence
    );
    let frame = Frame {
        title: chart.title.clone(),
        subtitle: vec![chart.scope_line.clone(), method],
        legend,
        notes: chart.notes.clone(),
        source: chart.source.clone(),
    };
    let region = draw_frame(canvas, &frame)?;

    let hi = rows
        .iter()
        .flat_map(|r| r.shares.iter().flatten())
        .fold(0.0f64, |a, &b| a.max(b));
    let y = Axis::percent(0.0, (hi * 1.08).clamp(0.05, 1.0), 8);
    let end_labels: Vec<super::marks::EndLabel> = (0..NAMES.len())
        .map(|g| {
            let last = rows.iter().rev().find_map(|r| r.shares[g]);
            let short = NAMES[g].split(" (").next().unwrap_or(NAMES[g]);
            super::marks::EndLabel {
                text: match last {
                    Some(v) => format!("{short} {}", style::percent(v, 1)),
                    None => short.to_string(),
                },
                value: last,
                colour: look(g).0.colour,
            }
        })
        .collect();
    let margin = super::marks::end_label_margin(canvas, &end_labels);
    let periods: Vec<String> = rows.iter().map(|r| r.period.clone()).collect();
    let (left, top, right, bottom) = region;
    let x = Axis::periods(
        canvas,
        &periods,
        right - margin - left - 80.0,
        Font::regular(type_size::TICK),
    );
    let axis_title = if chart.cadence == "month" {
        "Month"
    } else {
        "Quarter"
    };
    let text = AxisText::new(axis_title, "Share of outcomes assigned (%)");
    let plot = fit_plot(canvas, (left, top, right - margin, bottom), x, y, &text);
    draw_axes(canvas, &plot, &text)?;
    super::marks::event_lines(canvas, &plot, &periods, &chart.events)?;
    // The minor groups first, 16 and 15 on top.
    for g in (0..NAMES.len()).rev() {
        let (stroke, marker) = look(g);
        let points: Vec<(f64, f64)> = rows
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.shares[g].map(|v| (i as f64, v)))
            .collect();
        plot.line(canvas, &points, stroke)?;
        for (i, v) in &points {
            canvas.marker(plot.point(*i, *v), marker)?;
        }
    }
    super::marks::end_labels(canvas, &plot, &end_labels)?;
    Ok(())
}
