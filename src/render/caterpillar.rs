//! The caterpillar plot: forces ranked by rate, each with its 95% interval, against the target.
//!
//! Invariant: rows are ordered by the rate in the run's table (highest first, ties by name);
//! every force in `force_comparison` with a rate has a row and a readable name; the flag is
//! shown by marker shape and colour, and the focus forces by a diamond, a tinted row and bold.

use anyhow::Result;
use plotters::prelude::DrawingBackend;

use super::axis::{draw_axes, fit_plot, Axis, AxisText};
use super::canvas::{Align, Canvas, Font, Stroke};
use super::frame::{draw_frame, Frame, Glyph, LegendEntry};
use super::marks::{self, RADIUS, RING_GAP};
use super::model::{FlagKind, ForceRow, Model};
use super::style::{self, grey, okabe_ito, type_size};

fn interval_stroke() -> Stroke {
    Stroke::solid(grey::INTERVAL, 1.5)
}

fn frame(model: &Model, has_outsiders: bool) -> Frame {
    let c = &model.context;
    let mut legend = vec![
        LegendEntry::new(
            Glyph::Line(Stroke::solid(okabe_ito::BLUISH_GREEN, 2.0)),
            format!("Target {}", style::percent(c.target, 1)),
        ),
        LegendEntry::new(Glyph::Line(interval_stroke()), "95% confidence interval"),
    ];
    legend.extend(marks::flag_legend(&c.levels));
    if !c.focus.is_empty() {
        legend.push(LegendEntry::new(
            Glyph::Marker(marks::focus_marker()),
            format!("Focus: {}", c.focus.join(", ")),
        ));
    }
    let owners: Vec<String> = c
        .focus
        .iter()
        .filter(|f| model.peer_group_of(f).is_some())
        .cloned()
        .collect();
    if !owners.is_empty() {
        legend.push(LegendEntry::new(
            Glyph::Ringed(
                marks::flag_marker(FlagKind::Within, RADIUS),
                marks::peer_ring(),
            ),
            format!("Peer group of {}", owners.join(", ")),
        ));
    }
    let mut notes = Vec::new();
    if has_outsiders {
        notes.push("† Not in the national set: not ranked and not part of the target.".to_string());
    }
    Frame {
        title: format!(
            "{} rate by force, ranked, with 95% confidence intervals, {}",
            c.outcome, c.period
        ),
        subtitle: vec![
            model.scope_line(),
            format!(
                "Wilson 95% intervals for each force's rate. Flags from the funnel plot: {}. Target: {} rate {} ({}).",
                c.method,
                c.target_kind,
                style::percent(c.target, 1),
                c.national_set
            ),
        ],
        legend,
        notes,
        source: model.source_line(),
    }
}

/// Draws the caterpillar plot.
pub fn draw<DB: DrawingBackend>(canvas: &Canvas<DB>, model: &Model) -> Result<()> {
    let mut rows: Vec<&ForceRow> = model.forces.iter().filter(|f| f.rate.is_some()).collect();
    rows.sort_by(|a, b| {
        b.rate
            .unwrap_or(0.0)
            .total_cmp(&a.rate.unwrap_or(0.0))
            .then_with(|| a.force.cmp(&b.force))
    });
    let has_outsiders = rows.iter().any(|f| !f.in_national_set);
    let region = draw_frame(canvas, &frame(model, has_outsiders))?;

    let mut lo = model.context.target;
    let mut hi = model.context.target;
    for row in &rows {
        let (l, h) = row
            .ci95
            .unwrap_or((row.rate.unwrap_or(0.0), row.rate.unwrap_or(0.0)));
        lo = lo.min(l);
        hi = hi.max(h);
    }
    let pad = (hi - lo) * 0.03;
    let x = Axis::percent(lo - pad, hi + pad, 10);
    // Rows from the top: the category axis runs bottom-up, so reverse the index.
    let n = rows.len();
    let y = Axis {
        lo: -0.5,
        hi: n as f64 - 0.5,
        scale: super::axis::Scale::Linear,
        ticks: Vec::new(),
    };
    let row_height = {
        let (_, top, _, bottom) = region;
        let text = AxisText::new("x", "");
        (bottom - top - super::axis::x_axis_height(&text)) / n.max(1) as f64
    };
    let name_size = type_size::LABEL.min((row_height * 0.9).floor()).max(8.0);
    let regular = Font::regular(name_size);
    let bold = Font::bold(name_size);
    let names: Vec<(String, Font)> = rows
        .iter()
        .map(|f| {
            let mut name = f.force.clone();
            if !f.in_national_set {
                name.push('†');
            }
            (name, if f.focus { bold } else { regular })
        })
        .collect();
    let name_width = names
        .iter()
        .map(|(n, f)| canvas.text_width(n, *f))
        .fold(0.0, f64::max);
    let value_width = canvas.text_width("100.0%", regular) + 10.0;
    let mut text = AxisText::new(&format!("{} rate (%)", model.context.outcome), "");
    text.y_grid = false;
    let (left, top, right, bottom) = region;
    let plot = fit_plot(
        canvas,
        (left + name_width + 10.0, top, right - value_width, bottom),
        x,
        y,
        &text,
    );
    let row_y = |i: usize| plot.py((n - 1 - i) as f64);
    // Zebra rows and focus tint, behind everything.
    for (i, row) in rows.iter().enumerate() {
        let y = row_y(i);
        let half = row_height / 2.0;
        if row.focus {
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
    let target_x = plot.px(model.context.target);
    canvas.line(
        &[(target_x, plot.top), (target_x, plot.bottom)],
        Stroke::solid(okabe_ito::BLUISH_GREEN, 2.0),
    )?;
    let peers: Vec<String> = model
        .context
        .focus
        .iter()
        .filter_map(|f| model.peer_group_of(f))
        .flat_map(|g| g.members.iter().cloned())
        .collect();
    let cap = (row_height * 0.25).clamp(1.5, 4.0);
    for (i, (row, (name, font))) in rows.iter().zip(&names).enumerate() {
        let y = row_y(i);
        canvas.text(
            name,
            (plot.left - 8.0, y - font.size * 0.5),
            *font,
            okabe_ito::BLACK,
            Align::Right,
        )?;
        let rate = row.rate.unwrap_or(0.0);
        canvas.text(
            &style::percent(rate, 1),
            (plot.right + 8.0, y - font.size * 0.5),
            *font,
            grey::TEXT,
            Align::Left,
        )?;
        if let Some((l, h)) = row.ci95 {
            let (xl, xh) = (plot.px(l), plot.px(h));
            canvas.line(&[(xl, y), (xh, y)], interval_stroke())?;
            canvas.line(&[(xl, y - cap), (xl, y + cap)], interval_stroke())?;
            canvas.line(&[(xh, y - cap), (xh, y + cap)], interval_stroke())?;
        }
        let scale = (row_height / 16.0).clamp(0.6, 1.0);
        let mut marker = if row.focus {
            marks::focus_marker()
        } else {
            marks::flag_marker(row.flag, RADIUS)
        };
        marker.radius *= scale;
        let centre = (plot.px(rate), y);
        if !row.focus && peers.contains(&row.force) {
            canvas.ring(centre, marker.radius + RING_GAP * scale, marks::peer_ring())?;
        }
        canvas.marker(centre, marker)?;
    }
    Ok(())
}
