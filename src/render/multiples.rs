//! Small multiples: every force's quarterly rate in a grid of panels on one shared scale, with
//! the national rate in each, and the forces outside the funnel limits emphasised.
//!
//! Invariant: panels are in the order of the run's `force_comparison` table; every panel uses
//! the same vertical scale (so panels can be compared by eye); a flagged force is emphasised
//! by colour, by its flag's marker beside its name and on its line, and by a bold name.

use anyhow::Result;
use plotters::prelude::DrawingBackend;

use super::axis::{Axis, Plot, Scale};
use super::canvas::{Align, Canvas, Font, Marker, MarkerShape, Stroke};
use super::frame::{draw_frame, Frame, Glyph, LegendEntry};
use super::marks;
use super::model::{ForceRow, Model, TrendRow};
use super::style::{grey, okabe_ito, type_size};
use crate::stats::Flag;

fn national_stroke() -> Stroke {
    Stroke {
        dash: Some((4.0, 3.0)),
        ..Stroke::solid(okabe_ito::BLUISH_GREEN, 1.3)
    }
}

fn force_stroke(force: &ForceRow) -> Stroke {
    if force.focus {
        Stroke::solid(okabe_ito::ORANGE, 2.2)
    } else if force.flag.is_flagged() {
        Stroke::solid(marks::flag_colour(force.flag), 2.2)
    } else {
        Stroke::solid(grey::INTERVAL, 1.3)
    }
}

fn force_marker(force: &ForceRow) -> Marker {
    if force.focus {
        Marker {
            radius: 4.0,
            ..marks::focus_marker()
        }
    } else if force.flag.is_flagged() {
        marks::flag_marker(force.flag, 3.2)
    } else {
        within_marker()
    }
}

fn within_marker() -> Marker {
    Marker {
        shape: MarkerShape::Circle,
        radius: 1.8,
        fill: Some(grey::INTERVAL),
        outline: grey::INTERVAL,
        outline_width: 1.0,
    }
}

/// Columns for `n` panels in a region of `width` × `height`, aiming at panels about 1.3
/// times as wide as tall.
fn columns(n: usize, width: f64, height: f64) -> usize {
    let ideal = ((n as f64) * width / height / 1.3).sqrt().round() as usize;
    ideal.clamp(1, n.max(1))
}

/// The period labels shown under the bottom row: short quarter names within one year,
/// else the full labels.
fn period_labels(rows: &[TrendRow]) -> Vec<String> {
    let years: Vec<&str> = rows
        .iter()
        .map(|r| r.period.split_once(' ').map_or(r.period.as_str(), |p| p.0))
        .collect();
    let one_year = years.windows(2).all(|w| w[0] == w[1]);
    rows.iter()
        .map(|r| match (one_year, r.period.split_once(' ')) {
            (true, Some((_, quarter))) => quarter.to_string(),
            _ => r.period.clone(),
        })
        .collect()
}

/// Draws the grid of small multiples.
pub fn draw<DB: DrawingBackend>(canvas: &Canvas<DB>, model: &Model) -> Result<()> {
    let c = &model.context;
    let forces: Vec<&ForceRow> = model
        .forces
        .iter()
        .filter(|f| model.trend.get(&f.force).is_some_and(|r| !r.is_empty()))
        .collect();
    let mut legend = vec![LegendEntry::new(
        Glyph::Line(national_stroke()),
        "National rate",
    )];
    legend.push(LegendEntry::new(
        Glyph::LineMarker(Stroke::solid(grey::INTERVAL, 1.3), within_marker()),
        crate::wording::flag_legend_words(&c.levels, Flag::Within),
    ));
    for flag in [
        Flag::HighOuter,
        Flag::HighInner,
        Flag::LowInner,
        Flag::LowOuter,
    ] {
        legend.push(LegendEntry::new(
            Glyph::LineMarker(
                Stroke::solid(marks::flag_colour(flag), 2.2),
                marks::flag_marker(flag, 3.2),
            ),
            crate::wording::flag_legend_words(&c.levels, flag),
        ));
    }
    if !c.focus.is_empty() {
        legend.push(LegendEntry::new(
            Glyph::LineMarker(
                Stroke::solid(okabe_ito::ORANGE, 2.2),
                Marker {
                    radius: 4.0,
                    ..marks::focus_marker()
                },
            ),
            format!("Focus: {}", c.focus.join(", ")),
        ));
    }
    // The panels show every period of the trend; the flags are those of the comparison period.
    let periods: Vec<String> = model
        .trend
        .values()
        .max_by_key(|rows| rows.len())
        .map(|rows| rows.iter().map(|r| r.period.clone()).collect())
        .unwrap_or_default();
    let series_period = model.series_period(&periods);
    let frame = Frame {
        title: format!(
            "{} rate by quarter, every force, {}, {series_period}",
            c.outcome, c.title_scope
        ),
        subtitle: vec![
            model.series_scope_line(&periods),
            format!(
                "Each panel shows one force's quarterly rate against the national rate, on the same scale. Colour, marker and a bold name mark forces outside the funnel limits ({}){}.",
                c.method,
                if series_period == c.period {
                    String::new()
                } else {
                    format!(" in {}", c.period)
                }
            ),
        ],
        legend,
        notes: Vec::new(),
        source: model.series_source_line(&periods),
    };
    let (left, top, right, bottom) = draw_frame(canvas, &frame)?;

    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for force in &forces {
        for row in &model.trend[&force.force] {
            for v in [row.rate, row.national_rate].into_iter().flatten() {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
    }
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    let y_axis = Axis::percent(lo, hi, 4);
    let tick_font = Font::regular(type_size::SOURCE - 1.0);
    let gutter = y_axis
        .ticks
        .iter()
        .map(|t| canvas.text_width(&t.label, tick_font))
        .fold(0.0, f64::max)
        + 8.0;
    let bottom_gutter = tick_font.line_height() + 4.0;
    let n = forces.len().max(1);
    let (grid_left, grid_right) = (left + gutter, right);
    let (grid_top, grid_bottom) = (top, bottom - bottom_gutter);
    let cols = columns(n, grid_right - grid_left, grid_bottom - grid_top);
    let rows_n = n.div_ceil(cols);
    let (gap_x, gap_y) = (10.0, 8.0);
    let cell_w = (grid_right - grid_left - gap_x * (cols - 1) as f64) / cols as f64;
    let cell_h = (grid_bottom - grid_top - gap_y * (rows_n - 1) as f64) / rows_n as f64;
    let name_sizes = [12.0, 11.0, 10.0, 9.5];
    for (index, force) in forces.iter().enumerate() {
        let (row, col) = (index / cols, index % cols);
        let x0 = grid_left + col as f64 * (cell_w + gap_x);
        let y0 = grid_top + row as f64 * (cell_h + gap_y);
        let emphasised = force.focus || force.flag.is_flagged();
        // The name, with the flag's marker before it for flagged forces.
        let marker = force_marker(force);
        let mut name_left = x0;
        let name_top = y0;
        let mut name_size = name_sizes[name_sizes.len() - 1];
        let marker_room = if emphasised { 12.0 } else { 0.0 };
        for size in name_sizes {
            let font = if emphasised {
                Font::bold(size)
            } else {
                Font::regular(size)
            };
            if canvas.text_width(&force.force, font) <= cell_w - marker_room {
                name_size = size;
                break;
            }
        }
        let name_font = if emphasised {
            Font::bold(name_size)
        } else {
            Font::regular(name_size)
        };
        if emphasised {
            canvas.marker(
                (x0 + 4.5, name_top + name_font.size * 0.55),
                Marker {
                    radius: marker.radius.min(4.0),
                    ..marker
                },
            )?;
            name_left += marker_room;
        }
        let name = canvas.fit(&force.force, name_font, cell_w - marker_room);
        canvas.text(
            &name,
            (name_left, name_top),
            name_font,
            okabe_ito::BLACK,
            Align::Left,
        )?;
        let rows = &model.trend[&force.force];
        let panel_top = (y0 + name_font.line_height() + 1.0).round();
        let plot = Plot {
            left: x0.round(),
            top: panel_top,
            right: (x0 + cell_w).round(),
            bottom: (y0 + cell_h).round(),
            x: Axis {
                lo: -0.3,
                hi: rows.len() as f64 - 0.7,
                scale: Scale::Linear,
                ticks: Vec::new(),
            },
            y: y_axis.clone(),
        };
        if force.focus {
            canvas.rect(
                (plot.left, plot.top),
                (plot.right, plot.bottom),
                okabe_ito::ORANGE,
                0.15,
            )?;
        } else if force.flag.is_flagged() {
            canvas.rect(
                (plot.left, plot.top),
                (plot.right, plot.bottom),
                marks::flag_colour(force.flag),
                0.07,
            )?;
        } else {
            canvas.rect(
                (plot.left, plot.top),
                (plot.right, plot.bottom),
                grey::TINT,
                1.0,
            )?;
        }
        for tick in &plot.y.ticks {
            let y = plot.py(tick.value).round();
            canvas.line(
                &[(plot.left, y), (plot.right, y)],
                Stroke::solid(grey::GRID, 1.0),
            )?;
            if col == 0 {
                canvas.text(
                    &tick.label,
                    (plot.left - 4.0, y - tick_font.size / 2.0),
                    tick_font,
                    grey::TEXT,
                    Align::Right,
                )?;
            }
        }
        let national: Vec<(f64, f64)> = rows
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.national_rate.map(|v| (i as f64, v)))
            .collect();
        plot.line(canvas, &national, national_stroke())?;
        let points: Vec<(f64, f64)> = rows
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.rate.map(|v| (i as f64, v)))
            .collect();
        plot.line(canvas, &points, force_stroke(force))?;
        for (i, v) in &points {
            let (px, py) = plot.point(*i, *v);
            if py >= plot.top && py <= plot.bottom {
                canvas.marker((px, py), marker)?;
            }
        }
        // Period labels under the last panel of each column.
        let last_in_column = index + cols >= forces.len();
        if last_in_column {
            let labels = period_labels(rows);
            if labels.len() <= 4 {
                for (i, label) in labels.iter().enumerate() {
                    canvas.text(
                        label,
                        (plot.px(i as f64), plot.bottom + 3.0),
                        tick_font,
                        grey::TEXT,
                        Align::Centre,
                    )?;
                }
            } else {
                // The first and last period, held inside the panel (left- and right-aligned)
                // so that they do not run into the next panel's.
                let last = labels.len() - 1;
                canvas.text(
                    &labels[0],
                    (plot.left, plot.bottom + 3.0),
                    tick_font,
                    grey::TEXT,
                    Align::Left,
                )?;
                canvas.text(
                    &labels[last],
                    (plot.right, plot.bottom + 3.0),
                    tick_font,
                    grey::TEXT,
                    Align::Right,
                )?;
            }
        }
    }
    Ok(())
}
