//! The caterpillar plot: forces ranked by rate, each with its 95% interval, against the target.
//!
//! Invariant: rows are ordered by the rate in the run's table (highest first, ties by name);
//! every force in `force_comparison` with a rate has a row and a readable name; the flag is
//! shown by marker shape and colour, and the focus forces by a diamond, a tinted row and bold.

use anyhow::Result;
use plotters::prelude::DrawingBackend;

use super::axis::{draw_axes, fit_plot, x_axis_height, Axis, AxisText, Scale};
use super::canvas::{Align, Canvas, Font, Stroke};
use super::frame::{draw_frame, Frame, Glyph, LegendEntry};
use super::marks::{self, RADIUS, RING_GAP};
use super::model::{ForceRow, Model};
use super::style::{self, grey, okabe_ito, type_size};
use crate::stats::Flag;

fn frame(model: &Model, has_outsiders: bool) -> Frame {
    let c = &model.context;
    let mut legend = vec![
        LegendEntry::new(
            Glyph::Line(Stroke::solid(okabe_ito::BLUISH_GREEN, 2.0)),
            format!("Target {}", style::percent(c.target, 1)),
        ),
        LegendEntry::new(
            Glyph::Line(marks::interval_stroke()),
            "95% confidence interval",
        ),
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
            Glyph::Ringed(marks::flag_marker(Flag::Within, RADIUS), marks::peer_ring()),
            format!("Peer group of {}", owners.join(", ")),
        ));
    }
    let mut notes = Vec::new();
    if has_outsiders {
        notes.push("† Not in the national set: shown for comparison, but not part of the target or the ranks.".to_string());
    }
    Frame {
        title: format!(
            "{} rate by force, ranked, with 95% confidence intervals, {}, {}",
            c.outcome, c.title_scope, c.period
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

/// Below this many logical pixels a row, names would be too small to read; the plot turns
/// to columns with upright names instead (a slide holds 44 forces only that way).
const MIN_ROW_HEIGHT: f64 = 12.5;

/// One ranked force with how its name is written.
struct Ranked<'a> {
    force: &'a ForceRow,
    name: String,
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
    let ranked: Vec<Ranked> = rows
        .iter()
        .map(|f| Ranked {
            force: f,
            name: if f.in_national_set {
                f.force.clone()
            } else {
                format!("{}†", f.force)
            },
        })
        .collect();

    let mut lo = model.context.target;
    let mut hi = model.context.target;
    for row in &rows {
        let rate = row.rate.unwrap_or(0.0);
        let (l, h) = row.ci95_pair().unwrap_or((rate, rate));
        lo = lo.min(l);
        hi = hi.max(h);
    }
    let pad = (hi - lo) * 0.03;
    let rates = Axis::percent(lo - pad, hi + pad, 10);
    let n = ranked.len();
    let row_height = {
        let (_, top, _, bottom) = region;
        let text = AxisText::new("x", "");
        (bottom - top - x_axis_height(&text)) / n.max(1) as f64
    };
    let peers: Vec<String> = model
        .context
        .focus
        .iter()
        .filter_map(|f| model.peer_group_of(f))
        .flat_map(|g| g.members.iter().cloned())
        .collect();
    let title = format!("{} rate (%)", model.context.outcome);
    if row_height >= MIN_ROW_HEIGHT {
        draw_rows(canvas, model, &ranked, rates, region, &peers, &title)
    } else {
        draw_columns(canvas, model, &ranked, rates, region, &peers, &title)
    }
}

/// Draws one force's interval and marker across (horizontal) or up (vertical) the plot.
fn draw_force<DB: DrawingBackend>(
    canvas: &Canvas<DB>,
    force: &ForceRow,
    ends: ((f64, f64), (f64, f64)),
    centre: (f64, f64),
    slot: f64,
    is_peer: bool,
) -> Result<()> {
    marks::interval_bar(canvas, ends.0, ends.1, slot)?;
    let scale = (slot / 16.0).clamp(0.6, 1.0);
    let mut marker = if force.focus {
        marks::focus_marker()
    } else {
        marks::flag_marker(force.flag, RADIUS)
    };
    marker.radius *= scale;
    if !force.focus && is_peer {
        canvas.ring(centre, marker.radius + RING_GAP * scale, marks::peer_ring())?;
    }
    canvas.marker(centre, marker)
}

/// Forces as rows, highest rate at the top, names on the left and rates on the right.
fn draw_rows<DB: DrawingBackend>(
    canvas: &Canvas<DB>,
    model: &Model,
    ranked: &[Ranked],
    x: Axis,
    region: (f64, f64, f64, f64),
    peers: &[String],
    title: &str,
) -> Result<()> {
    let n = ranked.len();
    let y = Axis {
        lo: -0.5,
        hi: n as f64 - 0.5,
        scale: Scale::Linear,
        ticks: Vec::new(),
    };
    let (left, top, right, bottom) = region;
    let mut text = AxisText::new(title, "");
    text.y_grid = false;
    let row_height = (bottom - top - x_axis_height(&text)) / n.max(1) as f64;
    let size = type_size::LABEL.min((row_height * 0.9).floor());
    let font = |r: &Ranked| {
        if r.force.focus {
            Font::bold(size)
        } else {
            Font::regular(size)
        }
    };
    let name_width = ranked
        .iter()
        .map(|r| canvas.text_width(&r.name, font(r)))
        .fold(0.0, f64::max);
    let value_width = canvas.text_width("100.0%", Font::bold(size)) + 10.0;
    let plot = fit_plot(
        canvas,
        (left + name_width + 10.0, top, right - value_width, bottom),
        x,
        y,
        &text,
    );
    // Rows from the top: the category axis runs bottom-up, so reverse the index.
    let row_y = |i: usize| plot.py((n - 1 - i) as f64);
    for (i, r) in ranked.iter().enumerate() {
        let y = row_y(i);
        let half = row_height / 2.0;
        if r.force.focus {
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
    for (i, r) in ranked.iter().enumerate() {
        let y = row_y(i);
        let f = font(r);
        canvas.text(
            &r.name,
            (plot.left - 8.0, y - f.size * 0.5),
            f,
            okabe_ito::BLACK,
            Align::Right,
        )?;
        let rate = r.force.rate.unwrap_or(0.0);
        canvas.text(
            &style::percent(rate, 1),
            (plot.right + 8.0, y - f.size * 0.5),
            f,
            grey::TEXT,
            Align::Left,
        )?;
        let (l, h) = r.force.ci95_pair().unwrap_or((rate, rate));
        draw_force(
            canvas,
            r.force,
            ((plot.px(l), y), (plot.px(h), y)),
            (plot.px(rate), y),
            row_height,
            peers.contains(&r.force.force),
        )?;
    }
    Ok(())
}

/// Forces as columns, highest rate on the left, names upright below the axis.
fn draw_columns<DB: DrawingBackend>(
    canvas: &Canvas<DB>,
    model: &Model,
    ranked: &[Ranked],
    y: Axis,
    region: (f64, f64, f64, f64),
    peers: &[String],
    title: &str,
) -> Result<()> {
    let n = ranked.len();
    let size = type_size::TICK;
    let font = |r: &Ranked| {
        if r.force.focus {
            Font::bold(size)
        } else {
            Font::regular(size)
        }
    };
    let name_height = ranked
        .iter()
        .map(|r| canvas.text_width(&r.name, font(r)))
        .fold(0.0, f64::max)
        + 8.0;
    let (left, top, right, bottom) = region;
    let x = Axis {
        lo: -0.5,
        hi: n as f64 - 0.5,
        scale: Scale::Linear,
        ticks: Vec::new(),
    };
    let mut text = AxisText::new("", title);
    text.x_grid = false;
    // The names take the place of the x-axis ticks and title.
    let plot = fit_plot(
        canvas,
        (
            left,
            top,
            right,
            bottom - name_height + x_axis_height(&text),
        ),
        x,
        y,
        &text,
    );
    let slot = (plot.right - plot.left) / n.max(1) as f64;
    for (i, r) in ranked.iter().enumerate() {
        let x = plot.px(i as f64);
        let half = slot / 2.0;
        if r.force.focus {
            canvas.rect(
                (x - half, plot.top),
                (x + half, bottom),
                okabe_ito::ORANGE,
                0.18,
            )?;
        } else if i % 2 == 1 {
            canvas.rect(
                (x - half, plot.top),
                (x + half, plot.bottom),
                grey::TINT,
                1.0,
            )?;
        }
    }
    draw_axes(canvas, &plot, &text)?;
    let target_y = plot.py(model.context.target);
    canvas.line(
        &[(plot.left, target_y), (plot.right, target_y)],
        Stroke::solid(okabe_ito::BLUISH_GREEN, 2.0),
    )?;
    for (i, r) in ranked.iter().enumerate() {
        let x = plot.px(i as f64);
        let f = font(r);
        canvas.text_upwards(
            &r.name,
            (x - f.size * 0.45, plot.bottom + 6.0),
            f,
            okabe_ito::BLACK,
            Align::Right,
        )?;
        let rate = r.force.rate.unwrap_or(0.0);
        let (l, h) = r.force.ci95_pair().unwrap_or((rate, rate));
        // The rate, upright above the interval (below it when there is no room above), as
        // the rows layout prints it beside each row.
        let value = style::percent(rate, 1);
        let value_font = Font {
            size: size * 0.9,
            ..f
        };
        let clearance = marks::FOCUS_RADIUS + 4.0;
        let above = plot.py(h).min(plot.py(rate) - clearance) - 3.0;
        let length = canvas.text_width(&value, value_font);
        let (anchor, align) = if above - length >= plot.top {
            (above, Align::Left)
        } else {
            (
                plot.py(l).max(plot.py(rate) + clearance) + 3.0,
                Align::Right,
            )
        };
        canvas.text_upwards(
            &value,
            (x - value_font.size * 0.45, anchor),
            value_font,
            grey::TEXT,
            align,
        )?;
        draw_force(
            canvas,
            r.force,
            ((x, plot.py(l)), (x, plot.py(h))),
            (x, plot.py(rate)),
            slot,
            peers.contains(&r.force.force),
        )?;
    }
    Ok(())
}
