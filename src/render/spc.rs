//! The SPC chart: a Laney p′ control chart of one series, with its centre line, 2σ and 3σ
//! limits, and the points that break a special-cause rule marked. It draws each focus force's
//! quarterly rate (from the run's `trend` table, built by [`national`]) and the monthly rate of
//! a record-level extract (from `extract_by_month`, built in `extract.rs`).
//!
//! Invariant: limits and rule hits are the `spc_*` and `rule_*` cells of the table (never
//! recomputed); each rule has its own marker shape and colour, and the legend names every rule
//! with how many points break it, including none.

use anyhow::{anyhow, Result};
use plotters::prelude::DrawingBackend;

use super::axis::{draw_axes, fit_plot, Axis, AxisText, Plot};
use super::canvas::{Canvas, Font, Marker, MarkerShape, Stroke};
use super::frame::{draw_frame, Frame, Glyph, LegendEntry};
use super::model::{BaselineMark, Model, Rules, SpcLimits, Trajectory, TrendRow};
use super::style::{self, grey, okabe_ito, type_size};

/// A rule's name for the legend, its marker, and whether a point breaks it.
struct RuleLook {
    words: String,
    marker: Marker,
    hit: fn(&Rules) -> bool,
    /// The fewest points that can break it.
    needs: u64,
}

fn outline(shape: MarkerShape, radius: f64, colour: plotters::style::RGBColor) -> Marker {
    Marker {
        shape,
        radius,
        fill: None,
        outline: colour,
        outline_width: 2.0,
    }
}

fn rule_looks(shift: u64, trend: u64) -> Vec<RuleLook> {
    vec![
        RuleLook {
            words: "Beyond a 3σ limit".to_string(),
            marker: Marker {
                shape: MarkerShape::Circle,
                radius: 6.5,
                fill: Some(okabe_ito::VERMILION),
                outline: okabe_ito::VERMILION,
                outline_width: 1.0,
            },
            hit: |r| r.beyond_limits,
            needs: 1,
        },
        RuleLook {
            words: format!("Shift: {shift} or more points in a row on one side of the centre"),
            marker: outline(MarkerShape::Square, 9.0, okabe_ito::BLUE),
            hit: |r| r.shift,
            needs: shift,
        },
        RuleLook {
            words: format!(
                "Trend: {trend} or more points each higher (or each lower) than the last"
            ),
            marker: outline(MarkerShape::Diamond, 10.0, okabe_ito::REDDISH_PURPLE),
            hit: |r| r.trend,
            needs: trend,
        },
        RuleLook {
            words: "Two of three points beyond 2σ on one side".to_string(),
            marker: outline(MarkerShape::TriangleUp, 11.0, okabe_ito::BLUISH_GREEN),
            hit: |r| r.two_of_three,
            needs: 3,
        },
    ]
}

fn point_marker() -> Marker {
    Marker {
        shape: MarkerShape::Circle,
        radius: 3.5,
        fill: Some(okabe_ito::BLACK),
        outline: okabe_ito::BLACK,
        outline_width: 1.0,
    }
}

/// The comparison group's line: grey, dashed, with small open circles.
fn comparison_stroke() -> Stroke {
    Stroke::dashed(grey::POINT, 1.3)
}

fn comparison_marker() -> Marker {
    Marker {
        shape: MarkerShape::Circle,
        radius: 2.5,
        fill: Some(super::style::WHITE),
        outline: grey::POINT,
        outline_width: 1.2,
    }
}

fn centre_stroke() -> Stroke {
    Stroke::solid(okabe_ito::BLACK, 1.5)
}

fn limit3_stroke() -> Stroke {
    Stroke::solid(grey::LIMIT, 1.5)
}

fn limit2_stroke() -> Stroke {
    Stroke::dashed(grey::LIMIT, 1.2)
}

/// A limit drawn as steps: level across each point's slot, joined at the slot edges.
fn step_line<DB: DrawingBackend>(
    canvas: &Canvas<DB>,
    plot: &Plot,
    rows: &[TrendRow],
    pick: fn(&SpcLimits) -> f64,
    stroke: Stroke,
) -> Result<()> {
    let mut points: Vec<(f64, f64)> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        match row.spc {
            Some(limits) => {
                let value = pick(&limits);
                points.push((i as f64 - 0.5, value));
                points.push((i as f64 + 0.5, value));
            }
            None => {
                plot.line(canvas, &points, stroke)?;
                points.clear();
            }
        }
    }
    plot.line(canvas, &points, stroke)
}

/// The time step of a series, in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cadence {
    /// Financial quarters ("2018/19 Q1").
    Quarter,
    /// Calendar months.
    Month,
    /// Periods of another length.
    Period,
}

impl Cadence {
    /// The cadence of a run's period labels: quarters when every label names one.
    pub fn of(periods: &[String]) -> Cadence {
        if super::trend::period_title(periods) == "Quarter" {
            Cadence::Quarter
        } else {
            Cadence::Period
        }
    }

    /// One step: "quarter".
    pub fn one(self) -> &'static str {
        match self {
            Cadence::Quarter => "quarter",
            Cadence::Month => "month",
            Cadence::Period => "period",
        }
    }

    /// Several steps: "quarters".
    pub fn many(self) -> &'static str {
        match self {
            Cadence::Quarter => "quarters",
            Cadence::Month => "months",
            Cadence::Period => "periods",
        }
    }

    /// The horizontal axis title: "Quarter".
    pub fn axis_title(self) -> &'static str {
        match self {
            Cadence::Quarter => "Quarter",
            Cadence::Month => "Month",
            Cadence::Period => "Period",
        }
    }

    /// A series' rate: "quarterly rate".
    pub fn rate(self) -> &'static str {
        match self {
            Cadence::Quarter => "quarterly rate",
            Cadence::Month => "monthly rate",
            Cadence::Period => "rate by period",
        }
    }

    /// A series' rates: "quarterly rates".
    pub fn rates(self) -> &'static str {
        match self {
            Cadence::Quarter => "quarterly rates",
            Cadence::Month => "monthly rates",
            Cadence::Period => "rates by period",
        }
    }
}

/// Everything one control chart draws, already in words.
#[derive(Debug, Clone, PartialEq)]
pub struct SpcChart<'a> {
    /// The title.
    pub title: String,
    /// The first subtitle paragraph (scope, period, basis, denominator); the method follows.
    pub scope_line: String,
    /// What the series is, for the legend ("Cleveland").
    pub series: String,
    /// The points in time order; each row's `period` is its tick label.
    pub rows: &'a [TrendRow],
    /// The time step.
    pub cadence: Cadence,
    /// "Outcome 16", for the vertical axis.
    pub outcome: String,
    /// SPC rule lengths (shift, trend).
    pub spc_lengths: (u64, u64),
    /// Notes above the source line.
    pub notes: Vec<String>,
    /// The source line.
    pub source: String,
    /// The events on the series: (label, first period after).
    pub events: Vec<(String, String)>,
    /// The fixed baseline the limits come from, when the analysis file sets one.
    pub baseline: Option<BaselineMark>,
    /// The target trajectory, when the analysis file sets a target.
    pub trajectory: Option<Trajectory>,
    /// A comparison group's rate at each point, with its label (the monthly chart of a
    /// domestic-abuse extract: crimes not flagged as domestic abuse), drawn as a line
    /// without limits.
    pub comparison: Option<(String, Vec<Option<f64>>)>,
}

/// Whether `force` has a control chart in the run.
pub fn has_chart(model: &Model, force: &str) -> bool {
    model
        .trend
        .get(force)
        .is_some_and(|rows| rows.iter().any(|r| r.spc.is_some()))
        || model.spc_notes.contains_key(force)
}

/// A focus force's control chart of its rate by quarter, from the run's `trend` table.
///
/// # Errors
///
/// When the trend table has no rows for `force`.
pub fn national<'m>(model: &'m Model, force: &str) -> Result<SpcChart<'m>> {
    let rows: &[TrendRow] = model
        .trend
        .get(force)
        .ok_or_else(|| anyhow!("the trend table has no rows for {force}"))?;
    let periods: Vec<String> = rows.iter().map(|r| r.period.clone()).collect();
    let cadence = Cadence::of(&periods);
    let c = &model.context;
    Ok(SpcChart {
        title: format!(
            "{force}: {} rate by {}, control chart (Laney p′), {}",
            c.outcome.to_lowercase(),
            cadence.one(),
            c.title_scope
        ),
        scope_line: model.series_scope_line(&periods),
        series: force.to_string(),
        rows,
        cadence,
        outcome: c.outcome.clone(),
        spc_lengths: c.spc_lengths,
        notes: model
            .spc_notes
            .get(force)
            .map(|note| vec![format!("{}.", style::capitalise(note))])
            .unwrap_or_default(),
        source: model.series_source_line(&periods),
        events: model.events.get(force).cloned().unwrap_or_default(),
        baseline: model.baseline.clone(),
        trajectory: model.trajectories.get(force).cloned(),
        comparison: None,
    })
}

/// Draws a control chart.
pub fn draw<DB: DrawingBackend>(canvas: &Canvas<DB>, chart: &SpcChart) -> Result<()> {
    let rows = chart.rows;
    let cadence = chart.cadence;
    let (shift, trend) = chart.spc_lengths;
    let looks = rule_looks(shift, trend);
    let mut legend = vec![
        LegendEntry::new(
            Glyph::LineMarker(Stroke::solid(okabe_ito::BLACK, 1.0), point_marker()),
            format!("{}: {}", chart.series, cadence.rate()),
        ),
        LegendEntry::new(Glyph::Line(centre_stroke()), "Centre line"),
        LegendEntry::new(Glyph::Line(limit3_stroke()), "3σ control limits"),
        LegendEntry::new(Glyph::Line(limit2_stroke()), "2σ warning limits"),
    ];
    let n = rows.len() as u64;
    for look in &looks {
        // A rule that needs more points than the chart has cannot fire: the subtitle says so,
        // and the legend does not list it as "(no points)".
        if look.needs > n {
            continue;
        }
        let count = rows.iter().filter(|r| (look.hit)(&r.rules)).count();
        let points = match count {
            0 => "no points".to_string(),
            1 => "1 point".to_string(),
            n => format!("{n} points"),
        };
        legend.push(LegendEntry::new(
            Glyph::Marker(look.marker),
            format!("{} ({points})", look.words),
        ));
    }
    if !chart.events.is_empty() {
        legend.push(super::marks::event_legend());
    }
    // The baseline's points (first and last index, count), when it holds any.
    let in_baseline: Vec<usize> = match &chart.baseline {
        Some(b) => (0..rows.len())
            .filter(|&i| b.holds(&rows[i].period_start))
            .collect(),
        None => Vec::new(),
    };
    let baseline = match (&chart.baseline, in_baseline.first(), in_baseline.last()) {
        (Some(b), Some(&first), Some(&last)) => Some((b, first, last, in_baseline.len())),
        _ => None,
    };
    if let Some((b, first, last, k)) = baseline {
        let (from, to) = (&rows[first].period, &rows[last].period);
        let written = if (from, to) == (&b.written.0, &b.written.1) {
            String::new()
        } else {
            format!(
                "; the baseline {} to {} within the data",
                b.written.0, b.written.1
            )
        };
        legend.push(LegendEntry::new(
            Glyph::Band(
                super::marks::BASELINE_SHADE.0,
                super::marks::BASELINE_SHADE.1,
            ),
            format!(
                "Baseline: limits set on {from} to {to} ({k} {}{written})",
                if k == 1 {
                    cadence.one()
                } else {
                    cadence.many()
                }
            ),
        ));
    }
    if let Some((words, ..)) = &chart.trajectory {
        legend.push(LegendEntry::new(
            Glyph::Line(super::marks::target_stroke()),
            words.clone(),
        ));
    }
    if let Some((label, _)) = &chart.comparison {
        legend.push(LegendEntry::new(
            Glyph::LineMarker(comparison_stroke(), comparison_marker()),
            format!("{label}: {} (for comparison; no limits)", cadence.rate()),
        ));
    }
    // Each phase's first row and centre line.
    let mut phases: Vec<(usize, Option<f64>)> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        if i == 0 || row.phase != rows[i - 1].phase {
            phases.push((i, row.spc.map(|s| s.centre)));
        }
    }
    let centres: Vec<String> = phases
        .iter()
        .filter_map(|(_, c)| c.map(|v| style::percent(v, 1)))
        .collect();
    let centre_words = match (centres.as_slice(), baseline) {
        ([], _) => String::new(),
        ([one], Some(_)) => {
            format!("; centre line {one} and limits from the baseline, carried on past it")
        }
        ([one], None) => format!("; centre line {one}"),
        (many, _) => format!(
            "; limits recalculated at each new phase ({} phases, from {}), centre lines {}",
            many.len(),
            phases
                .iter()
                .skip(1)
                .map(|(i, _)| rows[*i].period.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            many.join(", ")
        ),
    };
    let mut method = format!(
        "Laney p′ chart of {}{centre_words}: limits at 2σ and 3σ, with σ widened for the variation between {} that sampling alone does not explain (Laney 2002).",
        cadence.rates(),
        cadence.many()
    );
    let runs = if shift == trend {
        format!("runs of {shift}")
    } else {
        format!("runs of {shift} and {trend}")
    };
    // Making Data Count: fewer than 12 points give trial limits (the baseline's, when the
    // limits come from one).
    let (limit_points, limit_words) = match baseline {
        Some((_, _, _, k)) => (k as u64, " in the baseline"),
        None => (n, ""),
    };
    match (limit_points < 12, n < shift.max(trend)) {
        (true, true) => method.push_str(&format!(
            " With {limit_points} {}{limit_words} (fewer than 12) the limits are trial limits, and the shift and trend rules ({runs}) cannot be met.",
            cadence.many()
        )),
        (true, false) => method.push_str(&format!(
            " With {limit_points} {}{limit_words} (fewer than 12) the limits are trial limits.",
            cadence.many()
        )),
        (false, true) => method.push_str(&format!(
            " With {n} {}, the shift and trend rules ({runs}) cannot be met.",
            cadence.many()
        )),
        (false, false) => {}
    }
    let frame = Frame {
        title: chart.title.clone(),
        subtitle: vec![chart.scope_line.clone(), method],
        legend,
        notes: chart.notes.clone(),
        source: chart.source.clone(),
    };
    let region = draw_frame(canvas, &frame)?;

    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for row in rows {
        let values = [
            row.rate,
            row.spc.map(|s| s.lower_3),
            row.spc.map(|s| s.upper_3),
        ];
        for v in values.into_iter().flatten() {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    if let Some((_, _, a, _, b)) = &chart.trajectory {
        lo = lo.min(a.min(*b));
        hi = hi.max(a.max(*b));
    }
    if let Some((_, rates)) = &chart.comparison {
        for v in rates.iter().flatten() {
            lo = lo.min(*v);
            hi = hi.max(*v);
        }
    }
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    let pad = (hi - lo) * 0.08;
    let y = Axis::percent(lo - pad, hi + pad, 8);
    let periods: Vec<String> = rows.iter().map(|r| r.period.clone()).collect();
    let (left, _, right, _) = region;
    let x = Axis::periods(
        canvas,
        &periods,
        right - left - 80.0,
        Font::regular(type_size::TICK),
    );
    let text = AxisText::new(cadence.axis_title(), &format!("{} rate (%)", chart.outcome));
    let plot = fit_plot(canvas, region, x, y, &text);
    if let Some((_, first, last, _)) = baseline {
        super::marks::baseline_band(canvas, &plot, (first, last))?;
    }
    draw_axes(canvas, &plot, &text)?;

    step_line(canvas, &plot, rows, |s| s.lower_2, limit2_stroke())?;
    step_line(canvas, &plot, rows, |s| s.upper_2, limit2_stroke())?;
    step_line(canvas, &plot, rows, |s| s.lower_3, limit3_stroke())?;
    step_line(canvas, &plot, rows, |s| s.upper_3, limit3_stroke())?;
    step_line(canvas, &plot, rows, |s| s.centre, centre_stroke())?;
    super::marks::event_lines(canvas, &plot, &periods, &chart.events)?;
    if let Some(trajectory) = &chart.trajectory {
        super::marks::trajectory_line(canvas, &plot, &periods, trajectory)?;
    }

    if let Some((_, rates)) = &chart.comparison {
        let line: Vec<(f64, f64)> = rates
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| (i as f64, v)))
            .collect();
        plot.line(canvas, &line, comparison_stroke())?;
        for &(i, v) in &line {
            canvas.marker(plot.point(i, v), comparison_marker())?;
        }
    }
    let points: Vec<(f64, f64)> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.rate.map(|v| (i as f64, v)))
        .collect();
    plot.line(canvas, &points, Stroke::solid(okabe_ito::BLACK, 1.0))?;
    for (i, row) in rows.iter().enumerate() {
        let Some(rate) = row.rate else {
            continue;
        };
        let centre = plot.point(i as f64, rate);
        // Rule markers nest: the largest first, so that each stays visible.
        for look in looks.iter().rev() {
            if (look.hit)(&row.rules) {
                canvas.marker(centre, look.marker)?;
            }
        }
        if !row.rules.beyond_limits {
            canvas.marker(centre, point_marker())?;
        }
    }
    Ok(())
}
