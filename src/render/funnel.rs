//! The funnel plot: each unit's rate against its denominator, with the target and the control
//! limits from a run's limits table.
//!
//! One drawing serves every funnel: the national one (forces, from `force_comparison` and
//! `funnel_limits`, built by [`national`]) and the within-force ones of a record-level extract
//! (areas and investigating units, built in `extract.rs`). Only the words, the points and the
//! limits table differ, and they arrive in a [`FunnelChart`].
//!
//! Invariant: the limit curves are the rows of the limits table, drawn as they are (never
//! recomputed); overdispersion-adjusted limits are solid and unadjusted limits dashed; every
//! flagged unit and every focus unit is labelled, and labels never overlap each other.

use anyhow::Result;
use plotters::prelude::DrawingBackend;
use plotters::style::RGBColor;

use super::axis::{draw_axes, fit_plot, Axis, AxisText, Plot};
use super::canvas::{Align, Canvas, Font, Stroke};
use super::frame::{draw_frame, Frame, Glyph, LegendEntry};
use super::labels::{place_clear, spread, LabelRequest, Rect};
use super::marks::{self, RADIUS, RING_GAP};
use super::model::{LimitRow, Model};
use super::style::{self, grey, okabe_ito, type_size};
use crate::stats::{Flag, FlagLevels};

/// Marks units outside the set the target comes from, in labels.
const NOT_IN_SET: &str = "†";

/// What a funnel's points are, in words: "force" and "forces", "area" and "areas".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Noun {
    /// One of them ("area").
    pub one: String,
    /// Several of them ("areas").
    pub many: String,
}

impl Noun {
    /// A noun from its singular and plural.
    pub fn new(one: &str, many: &str) -> Noun {
        Noun {
            one: one.to_string(),
            many: many.to_string(),
        }
    }
}

/// One point of a funnel: a unit's rate at its denominator.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelPoint {
    /// The unit's name, as labelled.
    pub name: String,
    /// The denominator (the horizontal position).
    pub denominator: f64,
    /// The rate (the vertical position).
    pub rate: f64,
    /// The overdispersion-adjusted flag.
    pub flag: Flag,
    /// A focus unit: drawn as an orange diamond and always labelled in bold.
    pub focus: bool,
    /// Ringed (a member of a focus force's peer group).
    pub ringed: bool,
    /// Part of the set the target comes from; others are marked with a dagger.
    pub in_target_set: bool,
}

/// Which points carry their name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Labelling {
    /// Focus units and flagged units (many points: the national funnel).
    Flagged,
    /// Every point, with flagged units in bold beside their rate and flag (few points: the
    /// areas of one force, where a reader wants to find each one).
    Every,
}

/// What a funnel's vertical axis holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Values {
    /// Rates (0–1), labelled in percent, against denominators.
    Rate,
    /// Ratios of observed to expected, against expected counts (the target is 1).
    Ratio,
}

impl Values {
    /// A value as the chart writes it: "40.8%", or "1.23".
    fn text(self, value: f64) -> String {
        match self {
            Values::Rate => style::percent(value, 1),
            Values::Ratio => format!("{value:.2}"),
        }
    }

    /// The target line's name: "Target 40.8%", or "As expected (1)".
    fn target_text(self, target: f64) -> String {
        match self {
            Values::Rate => format!("Target {}", self.text(target)),
            Values::Ratio => "As expected (1.00)".to_string(),
        }
    }
}

/// Everything one funnel plot draws, already in words.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelChart<'a> {
    /// The title.
    pub title: String,
    /// Subtitle paragraphs: the scope line, then [`method_line`].
    pub subtitle: Vec<String>,
    /// The horizontal axis title.
    pub x_title: String,
    /// The vertical axis title.
    pub y_title: String,
    /// The points, in table order.
    pub points: Vec<FunnelPoint>,
    /// The limits along a grid of denominators (ascending).
    pub limits: &'a [LimitRow],
    /// The target rate (or 1 for ratios).
    pub target: f64,
    /// Whether the points are rates or ratios.
    pub values: Values,
    /// The two levels.
    pub levels: FlagLevels,
    /// Whether the overdispersion adjustment was applied (else only one set of curves).
    pub adjusted: bool,
    /// Whether the unadjusted limits are drawn (lighter) beside adjusted ones
    /// (`[charts] unadjusted_limits`).
    pub show_unadjusted: bool,
    /// Legend entries for the points: the flags, then any focus or peer-group entries.
    pub point_legend: Vec<LegendEntry>,
    /// Which points carry their name.
    pub labelling: Labelling,
    /// The set the target comes from, for the note on daggered points ("national set").
    pub target_set: String,
    /// Notes above the source line (before the dagger's note, when there is one).
    pub notes: Vec<String>,
    /// The source line.
    pub source: String,
}

/// The subtitle's method paragraph: "Limits: …; φ = …, τ² = …. Target: pooled rate 40.8% (…)."
pub fn method_line(
    method: &str,
    phi: Option<f64>,
    tau2: Option<f64>,
    target_kind: &str,
    target: f64,
    target_set: &str,
) -> String {
    let mut line = format!("Limits: {method}");
    if let (Some(phi), Some(tau2)) = (phi, tau2) {
        line.push_str(&format!(
            "; φ = {}, τ² = {}",
            style::significant(phi),
            style::significant(tau2)
        ));
    }
    line.push_str(&format!(
        ". Target: {target_kind} rate {} ({target_set}).",
        style::percent(target, 1)
    ));
    line
}

/// The four limit curves' looks: outer adjusted, outer unadjusted, inner adjusted, inner
/// unadjusted. The unadjusted limits are light and thin: they show how much narrower chance
/// alone would draw the funnel, and must not read as the limits the flags use.
fn limit_strokes() -> [Stroke; 4] {
    [
        Stroke::solid(okabe_ito::BLACK, 1.8),
        Stroke {
            dash: Some((5.0, 3.0)),
            ..Stroke::solid(grey::AXIS, 1.0)
        },
        Stroke::solid(grey::LIMIT, 1.5),
        Stroke {
            dash: Some((2.0, 3.0)),
            ..Stroke::solid(grey::AXIS, 1.0)
        },
    ]
}

impl FunnelChart<'_> {
    /// Whether the unadjusted limits are drawn.
    fn draws_unadjusted(&self) -> bool {
        self.adjusted && self.show_unadjusted
    }
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

/// The national funnel: every force with a rate, from `force_comparison` and `funnel_limits`.
pub fn national(model: &Model) -> FunnelChart<'_> {
    let c = &model.context;
    let peers = peer_members(model);
    let points: Vec<FunnelPoint> = model
        .forces
        .iter()
        .filter(|f| f.denominator > 0.0)
        .filter_map(|f| {
            Some(FunnelPoint {
                name: f.force.clone(),
                denominator: f.denominator,
                rate: f.rate?,
                flag: f.flag,
                focus: f.focus,
                ringed: peers.contains(&f.force),
                in_target_set: f.in_national_set,
            })
        })
        .collect();
    let mut point_legend = marks::flag_legend(&c.levels);
    if !c.focus.is_empty() {
        point_legend.push(LegendEntry::new(
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
        point_legend.push(LegendEntry::new(
            Glyph::Ringed(marks::flag_marker(Flag::Within, RADIUS), marks::peer_ring()),
            format!("Peer group of {}", groups.join(", ")),
        ));
    }
    FunnelChart {
        title: format!(
            "{} rate by force against the number of outcomes: funnel plot, {}, {}",
            c.outcome, c.title_scope, c.period
        ),
        subtitle: vec![
            model.scope_line(),
            method_line(
                &c.method,
                c.phi,
                c.tau2,
                &c.target_kind,
                c.target,
                &c.national_set,
            ),
        ],
        x_title: format!("Denominator: {} (log scale)", c.denominator),
        y_title: format!("{} rate (%)", c.outcome),
        points,
        limits: &model.limits,
        target: c.target,
        values: Values::Rate,
        levels: c.levels,
        adjusted: c.adjusted,
        show_unadjusted: c.settings.unadjusted_limits,
        point_legend,
        labelling: Labelling::Flagged,
        target_set: "national set".to_string(),
        notes: Vec::new(),
        source: model.source_line(),
    }
}

fn frame(chart: &FunnelChart) -> Frame {
    let inner = style::level_text(chart.levels.inner().confidence());
    let outer = style::level_text(chart.levels.outer().confidence());
    let mut legend = vec![LegendEntry::new(
        Glyph::Line(target_stroke()),
        chart.values.target_text(chart.target),
    )];
    let strokes = limit_strokes();
    if chart.draws_unadjusted() {
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
    } else if chart.adjusted {
        legend.push(LegendEntry::new(
            Glyph::Line(strokes[0]),
            format!("{outer} limits, adjusted for overdispersion"),
        ));
        legend.push(LegendEntry::new(
            Glyph::Line(strokes[2]),
            format!("{inner} limits, adjusted"),
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
    legend.extend(chart.point_legend.iter().cloned());
    let mut notes = chart.notes.clone();
    if chart.points.iter().any(|p| !p.in_target_set) {
        notes.push(format!(
            "{NOT_IN_SET} Not in the {}: compared with the limits but not part of the target.",
            chart.target_set
        ));
    }
    Frame {
        title: chart.title.clone(),
        subtitle: chart.subtitle.clone(),
        legend,
        notes,
        source: chart.source.clone(),
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

fn axes(chart: &FunnelChart) -> (Axis, Axis) {
    let denominators = chart.points.iter().map(|p| p.denominator);
    let min_n = denominators.clone().fold(f64::INFINITY, f64::min);
    let max_n = denominators.fold(0.0, f64::max);
    let grid_lo = chart.limits.first().map_or(min_n, |l| l.denominator);
    let grid_hi = chart.limits.last().map_or(max_n, |l| l.denominator);
    let lo = (min_n / 1.3).max(grid_lo.min(min_n));
    let hi = (max_n * 1.2).min(grid_hi.max(max_n));
    let x = Axis::log_count(lo, hi, 9);
    let mut y_lo = chart.target;
    let mut y_hi = chart.target;
    for point in &chart.points {
        y_lo = y_lo.min(point.rate);
        y_hi = y_hi.max(point.rate);
    }
    for row in visible_limits(chart.limits, x.lo, x.hi) {
        let drawn = if chart.draws_unadjusted() {
            vec![row.outer, row.outer_unadjusted]
        } else {
            vec![row.outer]
        };
        for (low, high) in drawn {
            y_lo = y_lo.min(low);
            y_hi = y_hi.max(high);
        }
    }
    let pad = (y_hi - y_lo) * 0.04;
    let y = match chart.values {
        Values::Rate => Axis::percent(y_lo - pad, y_hi + pad, 9),
        Values::Ratio => Axis::number((y_lo - pad).max(0.0), y_hi + pad, 9),
    };
    (x, y)
}

/// The limit curves drawn, each as its low and high line in data coordinates, with its look,
/// lightest first.
fn limit_curves(plot: &Plot, chart: &FunnelChart) -> Vec<(Vec<(f64, f64)>, Stroke)> {
    let rows = visible_limits(chart.limits, plot.x.lo, plot.x.hi);
    let strokes = limit_strokes();
    type Pick = fn(&LimitRow) -> (f64, f64);
    let mut curves: Vec<(Pick, Stroke)> = Vec::new();
    if chart.draws_unadjusted() {
        curves.push((|r| r.inner_unadjusted, strokes[3]));
        curves.push((|r| r.outer_unadjusted, strokes[1]));
    }
    curves.push((|r| r.inner, strokes[2]));
    curves.push((|r| r.outer, strokes[0]));
    let mut lines = Vec::new();
    for (pick, stroke) in &curves {
        lines.push((
            rows.iter().map(|r| (r.denominator, pick(r).0)).collect(),
            *stroke,
        ));
        lines.push((
            rows.iter().map(|r| (r.denominator, pick(r).1)).collect(),
            *stroke,
        ));
    }
    lines
}

fn draw_limits<DB: DrawingBackend>(
    canvas: &Canvas<DB>,
    plot: &Plot,
    chart: &FunnelChart,
) -> Result<()> {
    for (line, stroke) in limit_curves(plot, chart) {
        plot.line(canvas, &line, stroke)?;
    }
    Ok(())
}

/// The texts that name the adjusted curves and the target in the right margin, with their
/// values and colours, top to bottom.
fn margin_labels(chart: &FunnelChart) -> Vec<(f64, String, RGBColor)> {
    let levels = &chart.levels;
    let mut labels = vec![(
        chart.target,
        chart.values.target_text(chart.target),
        okabe_ito::BLUISH_GREEN,
    )];
    if let Some(last) = chart.limits.last() {
        for (value, level) in [
            (last.outer.1, levels.outer().confidence()),
            (last.inner.1, levels.inner().confidence()),
            (last.inner.0, levels.inner().confidence()),
            (last.outer.0, levels.outer().confidence()),
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
    chart: &FunnelChart,
) -> Result<()> {
    let font = Font::regular(type_size::SOURCE);
    let rows = visible_limits(chart.limits, plot.x.lo, plot.x.hi);
    let mut labels = margin_labels(chart);
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

/// The label of a point, and its font: focus units (and, when every point is labelled,
/// flagged ones) in bold with their rate and flag; the rest by name.
fn label_text(chart: &FunnelChart, point: &FunnelPoint) -> (String, Font) {
    let mut text = point.name.clone();
    if !point.in_target_set {
        text.push_str(NOT_IN_SET);
    }
    let emphasised =
        point.focus || (chart.labelling == Labelling::Every && point.flag.is_flagged());
    if emphasised {
        let text = format!(
            "{text} {} ({})",
            chart.values.text(point.rate),
            crate::wording::flag_short(&chart.levels, point.flag)
        );
        (text, Font::bold(type_size::LABEL))
    } else {
        (text, Font::regular(type_size::LABEL))
    }
}

/// Draws a funnel plot.
pub fn draw<DB: DrawingBackend>(canvas: &Canvas<DB>, chart: &FunnelChart) -> Result<()> {
    let region = draw_frame(canvas, &frame(chart))?;
    let (x, y) = axes(chart);
    let text = AxisText::new(&chart.x_title, &chart.y_title);
    let font = Font::regular(type_size::SOURCE);
    let margin = margin_labels(chart)
        .iter()
        .map(|(_, text, _)| canvas.text_width(text, font))
        .fold(0.0, f64::max);
    let region = (region.0, region.1, region.2 - margin - 6.0, region.3);
    let plot = fit_plot(canvas, region, x, y, &text);
    draw_axes(canvas, &plot, &text)?;
    draw_limits(canvas, &plot, chart)?;
    draw_margin_labels(canvas, &plot, chart)?;
    plot.line(
        canvas,
        &[(plot.x.lo, chart.target), (plot.x.hi, chart.target)],
        target_stroke(),
    )?;

    // Points: unflagged first so that flagged and focus units are drawn on top.
    let mut order: Vec<&FunnelPoint> = chart.points.iter().collect();
    order.sort_by_key(|p| (p.focus, p.flag.is_flagged(), p.name.clone()));
    let mut obstacles = Vec::new();
    // A label may not cover a focus marker, nor be crossed by a limit or the target line.
    let mut hard = Vec::new();
    for point in &order {
        let centre = plot.point(point.denominator, point.rate);
        let marker = if point.focus {
            marks::focus_marker()
        } else {
            marks::flag_marker(point.flag, RADIUS)
        };
        if point.ringed {
            canvas.ring(centre, marker.radius + RING_GAP, marks::peer_ring())?;
        }
        canvas.marker(centre, marker)?;
        obstacles.push(Rect::around(centre, marker.radius + 1.0));
        if point.focus {
            // A margin round the focus marker, so that no other label reads as its own.
            hard.push(Rect::around(centre, marker.radius + 6.0));
        }
    }
    let mut lines: Vec<Vec<(f64, f64)>> = limit_curves(&plot, chart)
        .into_iter()
        .map(|(line, _)| line.into_iter().map(|(x, y)| plot.point(x, y)).collect())
        .collect();
    lines.push(vec![
        plot.point(plot.x.lo, chart.target),
        plot.point(plot.x.hi, chart.target),
    ]);

    // Labels: focus units first, then the outer flags, then the inner flags, then the rest.
    let mut labelled: Vec<&FunnelPoint> = chart
        .points
        .iter()
        .filter(|p| p.focus || p.flag.is_flagged() || chart.labelling == Labelling::Every)
        .collect();
    labelled.sort_by_key(|p| {
        let rank = match p.flag {
            Flag::HighOuter | Flag::LowOuter => 1,
            Flag::HighInner | Flag::LowInner => 2,
            Flag::Within => 3,
        };
        (!p.focus, rank, p.name.clone())
    });
    let texts: Vec<(String, Font)> = labelled.iter().map(|p| label_text(chart, p)).collect();
    let requests: Vec<LabelRequest> = labelled
        .iter()
        .zip(&texts)
        .map(|(p, (text, font))| LabelRequest {
            anchor: plot.point(p.denominator, p.rate),
            width: canvas.text_width(text, *font) + 2.0,
            height: font.size + 2.0,
            clearance: if p.focus {
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
    let placements = place_clear(&requests, &obstacles, &hard, &lines, bounds);
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
