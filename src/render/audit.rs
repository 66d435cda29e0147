//! The case-file audit's chart: the force-wide share of reviewed closures judged
//! inappropriate with its 95% interval, each stratum's share with its exact interval, and the
//! share answering "yes" to each checklist question, one row each on a common 0–100% scale.
//!
//! Invariant: like the other charts, this only draws what the run's `audit_*` tables hold; the
//! extract's source (which says when it is synthetic) is in the subtitle and source line.

use anyhow::{bail, Result};
use plotters::prelude::DrawingBackend;

use super::axis::{draw_axes, row_layout, row_plot, Axis};
use super::canvas::{Align, Canvas, Font, Stroke};
use super::extract::ExtractModel;
use super::frame::{draw_frame, Frame, Glyph, LegendEntry};
use super::marks::{self, RADIUS};
use super::style::{self, grey, okabe_ito};
use crate::stats::Flag;

/// One row of the chart.
struct Row {
    label: String,
    share: f64,
    interval: (f64, f64),
    /// The force-wide row, drawn as a diamond in bold.
    headline: bool,
}

/// Whether the run has an audit to draw.
pub fn has_chart(extract: &ExtractModel) -> bool {
    extract.audit.as_ref().is_some_and(|a| {
        a.findings.iter().any(|f| f.answer == "inappropriate")
            || a.strata.iter().any(|s| s.share.is_some())
    })
}

/// Draws the audit chart.
///
/// # Errors
///
/// When the run has no audit tables, or drawing fails.
pub fn draw<DB: DrawingBackend>(canvas: &Canvas<DB>, e: &ExtractModel) -> Result<()> {
    let Some(audit) = &e.audit else {
        bail!("the run has no reviewed audit sample");
    };
    let mut rows = Vec::new();
    let force_wide = audit.findings.iter().find(|f| f.answer == "inappropriate");
    if let Some(f) = force_wide {
        rows.push(Row {
            label: format!("{} (all areas)", e.owner_name()),
            share: f.share,
            interval: f.ci95,
            headline: true,
        });
    }
    for s in &audit.strata {
        if let Some((share, interval)) = s.share {
            rows.push(Row {
                label: format!(
                    "{} ({:.0} of {:.0})",
                    s.stratum, s.inappropriate, s.reviewed
                ),
                share,
                interval,
                headline: false,
            });
        }
    }
    let checklist: Vec<Row> = audit
        .checklist
        .iter()
        .filter(|c| c.answer == "yes")
        .map(|c| Row {
            label: format!("{}: yes", style::capitalise(&c.column.replace('_', " "))),
            share: c.share,
            interval: c.ci95,
            headline: false,
        })
        .collect();
    let checklist_from = rows.len();
    rows.extend(checklist);
    let frame = Frame {
        title: format!(
            "{}: share of reviewed outcome-16 closures judged inappropriate, with 95% intervals, {}",
            e.owner_name(),
            e.scope_label
        ),
        subtitle: vec![
            format!(
                "{} · case-file review of a stratified random sample · {}",
                style::capitalise(&e.scope_label),
                e.source
            ),
            "The force-wide share is the stratified estimate (each reviewed case weighted by its stratum's size) with its Korn–Graubard interval; each stratum's share has the exact interval of a sample without replacement; checklist rows give the share answering yes among the cases answered.".to_string(),
        ],
        legend: vec![
            LegendEntry::new(Glyph::Marker(marks::focus_marker()), "Force-wide estimate"),
            LegendEntry::new(
                Glyph::Marker(marks::flag_marker(Flag::Within, RADIUS)),
                "A stratum or a checklist question",
            ),
            LegendEntry::new(Glyph::Line(marks::interval_stroke()), "95% interval"),
        ],
        notes: vec!["Findings are reviewers' judgements on the case files; a share is of the reviewed cases, and cases the reviewers could not judge count as not inappropriate here (their own share is in the tables).".to_string()],
        source: e.source_line(),
    };
    let region = draw_frame(canvas, &frame)?;
    let n = rows.len();
    let (left, _, right, _) = region;
    let (text, row_height, size) = row_layout(region, n, "Share (%)");
    let font = |r: &Row| {
        if r.headline {
            Font::bold(size)
        } else {
            Font::regular(size)
        }
    };
    let name_width = rows
        .iter()
        .map(|r| canvas.text_width(&r.label, font(r)))
        .fold(0.0, f64::max);
    let value_width = canvas.text_width("100.0%", Font::bold(size)) + 10.0;
    let plot = row_plot(
        canvas,
        region,
        (name_width, value_width),
        n,
        Axis::percent(0.0, 1.0, 10),
        &text,
    );
    let row_y = |i: usize| plot.row_y(i);
    for (i, r) in rows.iter().enumerate() {
        let y = row_y(i);
        let half = row_height / 2.0;
        if r.headline {
            canvas.rect((left, y - half), (right, y + half), okabe_ito::ORANGE, 0.18)?;
        } else if i % 2 == 1 {
            canvas.rect(
                (plot.left, y - half),
                (plot.right, y + half),
                grey::TINT,
                1.0,
            )?;
        }
    }
    draw_axes(canvas, &plot, &text)?;
    // The force-wide estimate as a line through the findings' rows, not the checklist's.
    let separator = (checklist_from > 0 && checklist_from < n)
        .then(|| (row_y(checklist_from - 1) + row_y(checklist_from)) / 2.0);
    if let Some(f) = force_wide {
        let x = plot.px(f.share);
        canvas.line(
            &[(x, plot.top), (x, separator.unwrap_or(plot.bottom))],
            Stroke::solid(okabe_ito::BLUISH_GREEN, 1.5),
        )?;
    }
    if let Some(y) = separator {
        canvas.line(&[(left, y), (right, y)], Stroke::solid(grey::POINT, 1.0))?;
    }
    for (i, r) in rows.iter().enumerate() {
        let y = row_y(i);
        let f = font(r);
        canvas.text(
            &r.label,
            (plot.left - 8.0, y - f.size * 0.5),
            f,
            okabe_ito::BLACK,
            Align::Right,
        )?;
        canvas.text(
            &style::percent(r.share, 1),
            (plot.right + 8.0, y - f.size * 0.5),
            f,
            grey::TEXT,
            Align::Left,
        )?;
        marks::interval_bar(
            canvas,
            (plot.px(r.interval.0), y),
            (plot.px(r.interval.1), y),
            row_height,
        )?;
        let marker = if r.headline {
            marks::focus_marker()
        } else {
            marks::flag_marker(Flag::Within, RADIUS)
        };
        canvas.marker((plot.px(r.share), y), marker)?;
    }
    Ok(())
}
