//! The offence-mix chart: for one focus force, its rate in each offence group (or code)
//! against the national rate, with volumes, and the indirectly standardised ratio with its
//! interval.
//!
//! Invariant: rows are the force's strata in the run's `offence_mix` table, largest
//! denominator first (ties by name); strata with no outcomes are listed in a note rather than
//! drawn; the ratio, its interval and the observed and expected counts are the cells of
//! `offence_mix_summary`.

use anyhow::{anyhow, Result};
use plotters::prelude::DrawingBackend;

use super::axis::{draw_axes, fit_plot, Axis, AxisText, Plot, Scale};
use super::canvas::{Align, Canvas, Font, Marker, MarkerShape, Stroke};
use super::frame::{draw_frame, Frame, Glyph, LegendEntry};
use super::model::{MixRow, MixSummary, Model};
use super::style::{self, grey, okabe_ito, type_size};

fn force_marker() -> Marker {
    Marker {
        shape: MarkerShape::Diamond,
        radius: 5.0,
        fill: Some(okabe_ito::ORANGE),
        outline: okabe_ito::BLACK,
        outline_width: 1.0,
    }
}

fn national_marker() -> Marker {
    Marker {
        shape: MarkerShape::Circle,
        radius: 4.5,
        fill: None,
        outline: okabe_ito::BLUISH_GREEN,
        outline_width: 2.0,
    }
}

/// Whether `force` has offence-mix rows in the run.
pub fn has_chart(model: &Model, force: &str) -> bool {
    model.mix.get(force).is_some_and(|rows| !rows.is_empty())
}

/// Draws the offence-mix chart for `force`.
pub fn draw<DB: DrawingBackend>(canvas: &Canvas<DB>, model: &Model, force: &str) -> Result<()> {
    let all = model
        .mix
        .get(force)
        .ok_or_else(|| anyhow!("the offence_mix table has no rows for {force}"))?;
    let summary = model.mix_summary.get(force);
    let c = &model.context;
    let stratum = if model.mix_by_code {
        "offence code"
    } else {
        "offence group"
    };
    let mut rows: Vec<&MixRow> = all
        .iter()
        .filter(|r| r.denominator > 0.0 && r.rate.is_some())
        .collect();
    rows.sort_by(|a, b| {
        b.denominator
            .total_cmp(&a.denominator)
            .then_with(|| a.label.cmp(&b.label))
    });
    let empty: Vec<&str> = all
        .iter()
        .filter(|r| r.denominator <= 0.0 || r.rate.is_none())
        .map(|r| r.label.as_str())
        .collect();

    let mut notes = Vec::new();
    if !empty.is_empty() {
        notes.push(format!(
            "Not drawn, as the force had no outcomes there in the period: {}.",
            empty.join(", ")
        ));
    }
    let legend = vec![
        LegendEntry::new(Glyph::Marker(force_marker()), force.to_string()),
        LegendEntry::new(
            Glyph::Marker(national_marker()),
            format!("National ({})", c.national_set),
        ),
        LegendEntry::new(
            Glyph::Line(Stroke::solid(grey::POINT, 3.0)),
            "Gap between the two",
        ),
    ];
    let mut method = format!(
        "Rates by {stratum}, largest volume first. Indirect standardisation: expected = the national rate in each {stratum} applied to the force's own outcomes, summed"
    );
    if let Some(s) = summary {
        method.push_str(&format!(
            "; ratio = observed ÷ expected = {} ÷ {} = {:.3} (95% interval {:.3} to {:.3}, {}).",
            style::count(s.observed),
            style::count(s.expected),
            s.ratio,
            s.ratio_ci95.0,
            s.ratio_ci95.1,
            interval_name(&s.interval_method)
        ));
    } else {
        method.push('.');
    }
    let frame = Frame {
        title: format!(
            "{force}: {} rate by {stratum} against the national rate, {}",
            c.outcome.to_lowercase(),
            c.title_scope
        ),
        subtitle: vec![model.scope_line(), method],
        legend,
        notes,
        source: model.source_line(),
    };
    let (left, top, right, bottom) = draw_frame(canvas, &frame)?;

    // The ratio panel takes the bottom of the region.
    let ratio_height = if summary.is_some() { 120.0 } else { 0.0 };
    let rows_bottom = bottom - ratio_height;
    let label_font = Font::regular(type_size::LABEL);
    let volume_font = Font::regular(type_size::SOURCE);
    let labels: Vec<String> = rows.iter().map(|r| r.label.clone()).collect();
    let volumes: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{} of {}",
                style::count(r.numerator),
                style::count(r.denominator)
            )
        })
        .collect();
    let label_width = labels
        .iter()
        .map(|l| canvas.text_width(l, label_font))
        .fold(0.0, f64::max)
        .min((right - left) * 0.38);
    let volume_title = format!("{} / outcomes", c.outcome);
    let volume_width = volumes
        .iter()
        .chain(std::iter::once(&volume_title))
        .map(|v| canvas.text_width(v, volume_font))
        .fold(0.0, f64::max)
        + 16.0;

    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for row in &rows {
        for v in [row.rate, row.national_rate].into_iter().flatten() {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    let x = Axis::percent(lo.min(0.0), hi, 10);
    let n = rows.len();
    let y = Axis {
        lo: -0.5,
        hi: n as f64 - 0.5,
        scale: Scale::Linear,
        ticks: Vec::new(),
    };
    let mut text = AxisText::new(&format!("{} rate (%)", c.outcome), "");
    text.y_grid = false;
    let plot = fit_plot(
        canvas,
        (
            left + label_width + 12.0,
            top + label_font.line_height(),
            right - volume_width,
            rows_bottom,
        ),
        x,
        y,
        &text,
    );
    let row_y = |i: usize| plot.py((n - 1 - i) as f64);
    let row_height = (plot.bottom - plot.top) / n.max(1) as f64;
    for i in (1..n).step_by(2) {
        let y = row_y(i);
        canvas.rect(
            (plot.left, y - row_height / 2.0),
            (plot.right, y + row_height / 2.0),
            grey::TINT,
            1.0,
        )?;
    }
    draw_axes(canvas, &plot, &text)?;
    canvas.text(
        &volume_title,
        (right, plot.top - label_font.line_height()),
        volume_font,
        grey::TEXT,
        Align::Right,
    )?;
    for (i, row) in rows.iter().enumerate() {
        let y = row_y(i);
        let label = canvas.fit(&labels[i], label_font, label_width);
        canvas.text(
            &label,
            (plot.left - 8.0, y - label_font.size / 2.0),
            label_font,
            okabe_ito::BLACK,
            Align::Right,
        )?;
        canvas.text(
            &volumes[i],
            (right, y - volume_font.size / 2.0),
            volume_font,
            grey::TEXT,
            Align::Right,
        )?;
        let rate = row.rate.unwrap_or(0.0);
        if let Some(national) = row.national_rate {
            canvas.line(
                &[(plot.px(national), y), (plot.px(rate), y)],
                Stroke::solid(grey::POINT, 3.0),
            )?;
            canvas.marker((plot.px(national), y), national_marker())?;
        }
        canvas.marker((plot.px(rate), y), force_marker())?;
    }
    if let Some(s) = summary {
        draw_ratio(canvas, (left, rows_bottom + 14.0, right, bottom), s, force)?;
    }
    Ok(())
}

/// The standardised ratio as a point with its interval on a ratio axis with a line at 1.
fn draw_ratio<DB: DrawingBackend>(
    canvas: &Canvas<DB>,
    (left, top, right, bottom): (f64, f64, f64, f64),
    summary: &MixSummary,
    force: &str,
) -> Result<()> {
    let title_font = Font::bold(type_size::LABEL);
    canvas.text(
        &format!("Standardised ratio: {force} against the national rates for its own offence mix"),
        (left, top),
        title_font,
        okabe_ito::BLACK,
        Align::Left,
    )?;
    let (lo, hi) = summary.ratio_ci95;
    let min = lo.min(1.0).min(summary.ratio);
    let max = hi.max(1.0).max(summary.ratio);
    let pad = ((max - min) * 0.25).max(0.05);
    let x = Axis::number(min - pad, max + pad, 8);
    let y = Axis {
        lo: 0.0,
        hi: 1.0,
        scale: Scale::Linear,
        ticks: Vec::new(),
    };
    let mut text = AxisText::new(
        "Observed ÷ expected (1 = as expected from national rates)",
        "",
    );
    text.y_grid = false;
    let plot: Plot = fit_plot(
        canvas,
        (
            left + 160.0,
            top + title_font.line_height() + 4.0,
            right - 60.0,
            bottom,
        ),
        x,
        y,
        &text,
    );
    draw_axes(canvas, &plot, &text)?;
    let one = plot.px(1.0);
    canvas.line(
        &[(one, plot.top), (one, plot.bottom)],
        Stroke::solid(okabe_ito::BLUISH_GREEN, 2.0),
    )?;
    let y = (plot.top + plot.bottom) / 2.0;
    let (xl, xh) = (plot.px(lo), plot.px(hi));
    let bar = Stroke::solid(grey::INTERVAL, 2.0);
    canvas.line(&[(xl, y), (xh, y)], bar)?;
    canvas.line(&[(xl, y - 5.0), (xl, y + 5.0)], bar)?;
    canvas.line(&[(xh, y - 5.0), (xh, y + 5.0)], bar)?;
    canvas.marker((plot.px(summary.ratio), y), force_marker())?;
    let font = Font::regular(type_size::LABEL);
    canvas.text(
        &format!("{:.3} ({:.3} to {:.3})", summary.ratio, lo, hi),
        (plot.px(summary.ratio), y - font.line_height() - 8.0),
        font,
        okabe_ito::BLACK,
        Align::Centre,
    )?;
    canvas.text(
        force,
        (plot.left - 8.0, y - font.size / 2.0),
        font,
        okabe_ito::BLACK,
        Align::Right,
    )?;
    Ok(())
}

/// An interval method's name as people write it.
fn interval_name(method: &str) -> String {
    match method {
        "byar" => "Byar's method".to_string(),
        "exact" => "exact Poisson".to_string(),
        other => other.replace('_', " "),
    }
}
