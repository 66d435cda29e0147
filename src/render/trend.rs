//! The trend chart: one focus force's quarterly rate with its 95% interval band, against the
//! national rate and its peer group's rate in the same quarters.
//!
//! Invariant: every value drawn is a cell of the run's `trend` table for that force; lines are
//! named at their right-hand ends as well as in the legend, so no line is told apart by
//! colour alone (the force, national and peer lines also differ in marker and dash).

use anyhow::{anyhow, Result};
use plotters::prelude::DrawingBackend;

use super::axis::{draw_axes, fit_plot, Axis, AxisText};
use super::canvas::{Canvas, Font, Marker, MarkerShape, Stroke};
use super::frame::{draw_frame, Frame, Glyph, LegendEntry};
use super::model::{Model, TrendRow};
use super::style::{self, okabe_ito, type_size};

/// The focus force's line and markers.
pub fn force_look() -> (Stroke, Marker) {
    (
        Stroke::solid(okabe_ito::ORANGE, 2.5),
        Marker {
            shape: MarkerShape::Diamond,
            radius: 5.0,
            fill: Some(okabe_ito::ORANGE),
            outline: okabe_ito::BLACK,
            outline_width: 1.0,
        },
    )
}

/// The national line and markers.
pub fn national_look() -> (Stroke, Marker) {
    (
        Stroke::solid(okabe_ito::BLUISH_GREEN, 2.0),
        Marker {
            shape: MarkerShape::Circle,
            radius: 3.5,
            fill: None,
            outline: okabe_ito::BLUISH_GREEN,
            outline_width: 2.0,
        },
    )
}

/// The peer-group line and markers.
pub fn peer_look() -> (Stroke, Marker) {
    (
        Stroke::dashed(okabe_ito::BLUE, 2.0),
        Marker {
            shape: MarkerShape::Square,
            radius: 3.5,
            fill: Some(okabe_ito::BLUE),
            outline: okabe_ito::BLUE,
            outline_width: 1.0,
        },
    )
}

struct Series {
    name: String,
    values: Vec<Option<f64>>,
    look: (Stroke, Marker),
}

/// Draws the trend chart for `force`.
pub fn draw<DB: DrawingBackend>(canvas: &Canvas<DB>, model: &Model, force: &str) -> Result<()> {
    let rows: &[TrendRow] = model
        .trend
        .get(force)
        .ok_or_else(|| anyhow!("the trend table has no rows for {force}"))?;
    let c = &model.context;
    let group = model.peer_group_of(force);
    let mut series = vec![
        Series {
            name: force.to_string(),
            values: rows.iter().map(|r| r.rate).collect(),
            look: force_look(),
        },
        Series {
            name: "National".to_string(),
            values: rows.iter().map(|r| r.national_rate).collect(),
            look: national_look(),
        },
    ];
    if group.is_some() && rows.iter().any(|r| r.peer_rate.is_some()) {
        series.push(Series {
            name: "Peer group".to_string(),
            values: rows.iter().map(|r| r.peer_rate).collect(),
            look: peer_look(),
        });
    }

    let periods: Vec<String> = rows.iter().map(|r| r.period.clone()).collect();
    let mut legend = vec![
        LegendEntry::new(
            Glyph::LineMarker(series[0].look.0, series[0].look.1),
            format!("{force}: quarterly rate"),
        ),
        LegendEntry::new(
            Glyph::Band(okabe_ito::ORANGE, 0.25),
            format!("{force}: 95% confidence interval"),
        ),
        LegendEntry::new(
            Glyph::LineMarker(series[1].look.0, series[1].look.1),
            format!("National: {}", c.national_set),
        ),
    ];
    let mut method = "Quarterly rates; band: Wilson 95% interval of the force's rate; national: pooled rate of the national set each quarter".to_string();
    if let (Some(group), Some(peer)) = (group, series.get(2)) {
        legend.push(LegendEntry::new(
            Glyph::LineMarker(peer.look.0, peer.look.1),
            format!("Peer group ({}): pooled rate", group.label),
        ));
        let includes = group.members.iter().any(|m| m == force);
        method.push_str(&format!(
            "; peer group {}: pooled rate of its {} {} ({}), {force} {}",
            group.label,
            group.members.len(),
            if group.members.len() == 1 {
                "force"
            } else {
                "forces"
            },
            group.members.join(", "),
            if includes {
                "included"
            } else {
                "not among them"
            }
        ));
    }
    method.push('.');
    let events = model.events.get(force).cloned().unwrap_or_default();
    if !events.is_empty() {
        legend.push(super::marks::event_legend());
    }
    let trajectory = model.trajectories.get(force);
    if let Some((words, ..)) = trajectory {
        legend.push(LegendEntry::new(
            Glyph::Line(super::marks::target_stroke()),
            words.clone(),
        ));
    }
    let frame = Frame {
        title: format!(
            "{force}: {} rate by {} against the national{} rate{}, {}",
            c.outcome.to_lowercase(),
            period_title(&periods).to_lowercase(),
            if series.len() > 2 {
                " and peer-group"
            } else {
                ""
            },
            if series.len() > 2 { "s" } else { "" },
            c.title_scope
        ),
        subtitle: vec![model.series_scope_line(&periods), method],
        legend,
        notes: Vec::new(),
        source: model.series_source_line(&periods),
    };
    let region = draw_frame(canvas, &frame)?;

    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for row in rows {
        for v in [row.rate, row.national_rate, row.peer_rate]
            .into_iter()
            .flatten()
            .chain(row.ci95.map(|c| c.0))
            .chain(row.ci95.map(|c| c.1))
        {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    if let Some((_, _, a, _, b)) = trajectory {
        lo = lo.min(a.min(*b));
        hi = hi.max(a.max(*b));
    }
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    let pad = (hi - lo) * 0.08;
    // From zero unless `[charts] y_from_zero = false`, so that a slide does not make a small
    // change look large.
    let y = if c.settings.y_from_zero {
        Axis::percent(0.0, hi + pad, 8)
    } else {
        Axis::percent(lo - pad, hi + pad, 8)
    };
    let end_labels: Vec<super::marks::EndLabel> = series
        .iter()
        .map(|s| {
            let last = s.values.iter().rev().flatten().next().copied();
            super::marks::EndLabel {
                text: match last {
                    Some(v) => format!("{} {}", s.name, style::percent(v, 1)),
                    None => s.name.clone(),
                },
                value: last,
                colour: s.look.0.colour,
            }
        })
        .collect();
    let margin = super::marks::end_label_margin(canvas, &end_labels);
    let (left, top, right, bottom) = region;
    let x = Axis::periods(
        canvas,
        &periods,
        right - margin - left - 80.0,
        Font::regular(type_size::TICK),
    );
    let text = AxisText::new(period_title(&periods), &format!("{} rate (%)", c.outcome));
    let plot = fit_plot(canvas, (left, top, right - margin, bottom), x, y, &text);
    draw_axes(canvas, &plot, &text)?;

    // The interval band, as one polygon per run of quarters that have an interval.
    let mut run: Vec<(usize, (f64, f64))> = Vec::new();
    let mut runs = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        match row.ci95 {
            Some(ci) => run.push((i, ci)),
            None => runs.push(std::mem::take(&mut run)),
        }
    }
    runs.push(run);
    for run in runs.iter().filter(|r| !r.is_empty()) {
        let mut outline: Vec<(f64, f64)> = run
            .iter()
            .map(|(i, (_, h))| plot.point(*i as f64, *h))
            .collect();
        outline.extend(
            run.iter()
                .rev()
                .map(|(i, (l, _))| plot.point(*i as f64, *l)),
        );
        if run.len() == 1 {
            let (i, (l, h)) = run[0];
            let (x, half) = (plot.px(i as f64), 6.0);
            outline = vec![
                (x - half, plot.py(h)),
                (x + half, plot.py(h)),
                (x + half, plot.py(l)),
                (x - half, plot.py(l)),
            ];
        }
        canvas.polygon(&outline, okabe_ito::ORANGE, 0.25)?;
    }
    super::marks::event_lines(canvas, &plot, &periods, &events)?;
    if let Some(trajectory) = trajectory {
        super::marks::trajectory_line(canvas, &plot, &periods, trajectory)?;
    }
    // Peer and national first, the force on top.
    for s in series.iter().rev() {
        let points: Vec<(f64, f64)> = s
            .values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| (i as f64, v)))
            .collect();
        plot.line(canvas, &points, s.look.0)?;
        for (i, v) in &points {
            canvas.marker(plot.point(*i, *v), s.look.1)?;
        }
    }
    super::marks::end_labels(canvas, &plot, &end_labels)?;
    Ok(())
}

/// "Quarter" when the periods are quarters, else "Period".
pub fn period_title(periods: &[String]) -> &'static str {
    if periods.iter().all(|p| p.contains(" Q")) {
        "Quarter"
    } else {
        "Period"
    }
}
