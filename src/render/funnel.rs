//! The funnel plot: each force's rate against its denominator, with the target and the
//! control limits from the run's `funnel_limits` table.
//!
//! Invariant: the limit curves are the rows of `funnel_limits`, drawn as they are (never
//! recomputed); overdispersion-adjusted limits are solid and unadjusted limits dashed; every
//! flagged force and every focus force is labelled, and labels never overlap each other.

use anyhow::Result;
use plotters::prelude::DrawingBackend;
use plotters::style::RGBColor;

use super::axis::{draw_axes, fit_plot, Axis, AxisText, Plot};
use super::canvas::{Align, Canvas, Font, Stroke};
use super::frame::{draw_frame, Frame, Glyph, LegendEntry};
use super::labels::{place, spread, LabelRequest, Rect};
use super::marks::{self, RADIUS, RING_GAP};
use super::model::{FlagKind, ForceRow, LimitRow, Model};
use super::style::{self, grey, okabe_ito, type_size};

/// Marks forces outside the national set in labels.
const NOT_NATIONAL: &str = "†";

/// The four limit curves' looks: outer adjusted, outer unadjusted, inner adjusted, inner
/// unadjusted.
fn limit_strokes() -> [Stroke; 4] {
    [
        Stroke::solid(okabe_ito::BLACK, 1.8),
        Stroke::dashed(okabe_ito::BLACK, 1.3),
        Stroke::solid(grey::LIMIT, 1.5),
        Stroke::dashed(grey::LIMIT, 1.2),
    ]
}

fn target_stroke() -> Stroke {
    Stroke::solid(okabe_ito::BLUISH_GREEN, 2.0)
}

/// The forces whose peer groups are marked: members of a focus force's peer group.
fn peer_members(model: &Model) -> Vec<String> {
    let mut members: Vec<String> = model
        .context
        .focus
        .iter()
        .filter_map(|f| model.peer_group_of(f))
        .flat_map(|g| g.members.iter().cloned())
        .filter(|m| !model.context.focus.contains(m))
        .collect();
    members.sort();
    members.dedup();
    members
}

fn frame(model: &Model, has_outsiders: bool) -> Frame {
    let c = &model.context;
    let inner = style::level_text(c.levels.inner);
    let outer = style::level_text(c.levels.outer);
    let mut method = format!("Limits: {}", c.method);
    if let (Some(phi), Some(tau2)) = (c.phi, c.tau2) {
        method.push_str(&format!(
            "; φ = {}, τ² = {}",
            style::significant(phi),
            style::significant(tau2)
        ));
    }
    method.push_str(&format!(
        ". Target: {} rate {} ({}).",
        c.target_kind,
        style::percent(c.target, 1),
        c.national_set
    ));
    let mut legend = vec![LegendEntry::new(
        Glyph::Line(target_stroke()),
        format!("Target {}", style::percent(c.target, 1)),
    )];
    let strokes = limit_strokes();
    if c.adjusted {
        legend.push(LegendEntry::new(
            Glyph::Line(strokes[0]),
            format!("{outer} limits, adjusted for overdispersion"),
        ));
        legend.push(LegendEntry::new(
            Glyph::Line(strokes[1]),
            format!("{outer} limits, unadjusted"),
        ));
        legend.push(LegendEntry::new(
            Glyph::Line(strokes[2]),
            format!("{inner} limits, adjusted"),
        ));
        legend.push(LegendEntry::new(
            Glyph::Line(strokes[3]),
            format!("{inner} limits, unadjusted"),
        ));
    } else {
        legend.push(LegendEntry::new(
            Glyph::Line(strokes[0]),
            format!("{outer} limits (no overdispersion adjustment)"),
        ));
        legend.push(LegendEntry::new(
            Glyph::Line(strokes[2]),
            format!("{inner} limits"),
        ));
    }
    legend.extend(marks::flag_legend(&c.levels));
    if !c.focus.is_empty() {
        legend.push(LegendEntry::new(
            Glyph::Marker(marks::focus_marker()),
            format!("Focus: {}", c.focus.join(", ")),
        ));
    }
    let groups: Vec<String> = c
        .focus
        .iter()
        .filter(|f| model.peer_group_of(f).is_some())
        .cloned()
        .collect();
    if !groups.is_empty() {
        legend.push(LegendEntry::new(
            Glyph::Ringed(
                marks::flag_marker(FlagKind::Within, RADIUS),
                marks::peer_ring(),
            ),
            format!("Peer group of {}", groups.join(", ")),
        ));
    }
    let mut notes = Vec::new();
    if has_outsiders {
        notes.push(format!(
            "{NOT_NATIONAL} Not in the national set: compared with the limits but not part of the target."
        ));
    }
    Frame {
        title: format!(
            "{} rate by force against the number of outcomes: funnel plot, {}",
            c.outcome, c.period
        ),
        subtitle: vec![model.scope_line(), method],
        legend,
        notes,
        source: model.source_line(),
    }
}

/// The part of the limits grid that the axis shows.
fn visible_limits(limits: &[LimitRow], lo: f64, hi: f64) -> Vec<LimitRow> {
    limits
        .iter()
        .filter(|l| l.denominator >= lo && l.denominator <= hi)
        .copied()
        .collect()
}

fn axes(model: &Model, points: &[&ForceRow]) -> (Axis, Axis) {
    let denominators = points.iter().map(|f| f.denominator);
    let min_n = denominators.clone().fold(f64::INFINITY, f64::min);
    let max_n = denominators.fold(0.0, f64::max);
    let grid_lo = model.limits.first().map_or(min_n, |l| l.denominator);
    let grid_hi = model.limits.last().map_or(max_n, |l| l.denominator);
    let lo = (min_n / 1.3).max(grid_lo.min(min_n));
    let hi = (max_n * 1.2).min(grid_hi.max(max_n));
    let x = Axis::log_count(lo, hi, 9);
    let mut y_lo = model.context.target;
    let mut y_hi = model.context.target;
    for force in points {
        if let Some(rate) = force.rate {
            y_lo = y_lo.min(rate);
            y_hi = y_hi.max(rate);
        }
    }
    for row in visible_limits(&model.limits, x.lo, x.hi) {
        for (low, high) in [row.outer, row.outer_unadjusted] {
            y_lo = y_lo.min(low);
            y_hi = y_hi.max(high);
        }
    }
    let pad = (y_hi - y_lo) * 0.04;
    (x, Axis::percent(y_lo - pad, y_hi + pad, 9))
}

fn draw_limits<DB: DrawingBackend>(canvas: &Canvas<DB>, plot: &Plot, model: &Model) -> Result<()> {
    let rows = visible_limits(&model.limits, plot.x.lo, plot.x.hi);
    let strokes = limit_strokes();
    type Pick = fn(&LimitRow) -> (f64, f64);
    let mut curves: Vec<(Pick, Stroke)> = Vec::new();
    if model.context.adjusted {
        curves.push((|r| r.inner_unadjusted, strokes[3]));
        curves.push((|r| r.outer_unadjusted, strokes[1]));
    }
    curves.push((|r| r.inner, strokes[2]));
    curves.push((|r| r.outer, strokes[0]));
    for (pick, stroke) in &curves {
        let low: Vec<(f64, f64)> = rows.iter().map(|r| (r.denominator, pick(r).0)).collect();
        let high: Vec<(f64, f64)> = rows.iter().map(|r| (r.denominator, pick(r).1)).collect();
        plot.line(canvas, &low, *stroke)?;
        plot.line(canvas, &high, *stroke)?;
    }
    Ok(())
}

/// The texts that name the adjusted curves and the target in the right margin, with their
/// values and colours, top to bottom.
fn margin_labels(model: &Model) -> Vec<(f64, String, RGBColor)> {
    let levels = &model.context.levels;
    let mut labels = vec![(
        model.context.target,
        format!("Target {}", style::percent(model.context.target, 1)),
        okabe_ito::BLUISH_GREEN,
    )];
    if let Some(last) = model.limits.last() {
        for (value, level) in [
            (last.outer.1, levels.outer),
            (last.inner.1, levels.inner),
            (last.inner.0, levels.inner),
            (last.outer.0, levels.outer),
        ] {
            labels.push((value, style::level_text(level), grey::TEXT));
        }
    }
    labels
}

/// Draws the margin labels beside the plot's right edge, nudged apart so they never overlap.
fn draw_margin_labels<DB: DrawingBackend>(
    canvas: &Canvas<DB>,
    plot: &Plot,
    model: &Model,
) -> Result<()> {
    let font = Font::regular(type_size::SOURCE);
    let rows = visible_limits(&model.limits, plot.x.lo, plot.x.hi);
    let mut labels = margin_labels(model);
    // The curves' values where they leave the plot, not at the end of the grid.
    if let Some(last) = rows.last() {
        let levels = [last.outer.1, last.inner.1, last.inner.0, last.outer.0];
        for (label, value) in labels.iter_mut().skip(1).zip(levels) {
            label.0 = value;
        }
    }
    let labels: Vec<(f64, String, RGBColor)> = labels
        .into_iter()
        .map(|(value, text, colour)| (plot.py(value) - font.size / 2.0, text, colour))
        .filter(|(y, _, _)| *y > plot.top - font.size && *y < plot.bottom)
        .collect();
    let tops: Vec<f64> = labels.iter().map(|l| l.0).collect();
    let tops = spread(
        &tops,
        font.size + 1.0,
        plot.top - font.size / 2.0,
        plot.bottom,
    );
    for ((_, text, colour), y) in labels.iter().zip(tops) {
        canvas.text(text, (plot.right + 5.0, y), font, *colour, Align::Left)?;
    }
    Ok(())
}

/// Draws the funnel plot.
pub fn draw<DB: DrawingBackend>(canvas: &Canvas<DB>, model: &Model) -> Result<()> {
    let points: Vec<&ForceRow> = model
        .forces
        .iter()
        .filter(|f| f.rate.is_some() && f.denominator > 0.0)
        .collect();
    let has_outsiders = points.iter().any(|f| !f.in_national_set);
    let region = draw_frame(canvas, &frame(model, has_outsiders))?;
    let (x, y) = axes(model, &points);
    let text = AxisText::new(
        &format!("Denominator: {} (log scale)", model.context.denominator),
        &format!("{} rate (%)", model.context.outcome),
    );
    let font = Font::regular(type_size::SOURCE);
    let margin = margin_labels(model)
        .iter()
        .map(|(_, text, _)| canvas.text_width(text, font))
        .fold(0.0, f64::max);
    let region = (region.0, region.1, region.2 - margin - 6.0, region.3);
    let plot = fit_plot(canvas, region, x, y, &text);
    draw_axes(canvas, &plot, &text)?;
    draw_limits(canvas, &plot, model)?;
    draw_margin_labels(canvas, &plot, model)?;
    plot.line(
        canvas,
        &[
            (plot.x.lo, model.context.target),
            (plot.x.hi, model.context.target),
        ],
        target_stroke(),
    )?;

    // Points: unflagged first so that flagged and focus forces are drawn on top.
    let peers = peer_members(model);
    let mut order: Vec<&ForceRow> = points.clone();
    order.sort_by_key(|f| (f.focus, f.flag.is_flagged(), f.force.clone()));
    let mut obstacles = Vec::new();
    for force in &order {
        let rate = force.rate.unwrap_or(0.0);
        let centre = plot.point(force.denominator, rate);
        let marker = if force.focus {
            marks::focus_marker()
        } else {
            marks::flag_marker(force.flag, RADIUS)
        };
        if peers.contains(&force.force) {
            canvas.ring(centre, marker.radius + RING_GAP, marks::peer_ring())?;
        }
        canvas.marker(centre, marker)?;
        obstacles.push(Rect::around(centre, marker.radius + 1.0));
    }

    // Labels: focus forces first, then the outer flags, then the inner flags.
    let mut labelled: Vec<&ForceRow> = points
        .iter()
        .copied()
        .filter(|f| f.focus || f.flag.is_flagged())
        .collect();
    labelled.sort_by_key(|f| {
        let rank = match f.flag {
            FlagKind::HighOuter | FlagKind::LowOuter => 1,
            FlagKind::HighInner | FlagKind::LowInner => 2,
            FlagKind::Within => 3,
        };
        (!f.focus, rank, f.force.clone())
    });
    let bold = Font::bold(type_size::LABEL);
    let regular = Font::regular(type_size::LABEL);
    let texts: Vec<(String, Font)> = labelled
        .iter()
        .map(|f| {
            let mut text = f.force.clone();
            if !f.in_national_set {
                text.push_str(NOT_NATIONAL);
            }
            if f.focus {
                text = format!(
                    "{text} {} ({})",
                    style::percent(f.rate.unwrap_or(0.0), 1),
                    marks::flag_short(&model.context.levels, f.flag)
                );
                (text, bold)
            } else {
                (text, regular)
            }
        })
        .collect();
    let requests: Vec<LabelRequest> = labelled
        .iter()
        .zip(&texts)
        .map(|(f, (text, font))| LabelRequest {
            anchor: plot.point(f.denominator, f.rate.unwrap_or(0.0)),
            width: canvas.text_width(text, *font) + 2.0,
            height: font.size + 2.0,
            clearance: if f.focus {
                marks::FOCUS_RADIUS + 2.0
            } else {
                RADIUS + 2.0
            },
        })
        .collect();
    let bounds = Rect {
        left: plot.left + 2.0,
        top: plot.top + 2.0,
        right: plot.right - 2.0,
        bottom: plot.bottom - 2.0,
    };
    let placements = place(&requests, &obstacles, bounds);
    for (placement, (text, font)) in placements.iter().zip(&texts) {
        if let Some((from, to)) = placement.leader {
            canvas.line(&[from, to], Stroke::solid(grey::AXIS, 1.0))?;
        }
        halo(canvas, &placement.rect)?;
        canvas.text(
            text,
            (placement.rect.left + 1.0, placement.rect.top + 1.0),
            *font,
            okabe_ito::BLACK,
            Align::Left,
        )?;
    }
    Ok(())
}

/// A translucent white box behind a label, so that lines under it do not hide its letters.
pub fn halo<DB: DrawingBackend>(canvas: &Canvas<DB>, rect: &Rect) -> Result<()> {
    canvas.rect(
        (rect.left, rect.top),
        (rect.right, rect.bottom),
        style::WHITE,
        0.75,
    )
}
