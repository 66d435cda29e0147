//! The visual vocabulary shared by the charts: which marker and colour mean which flag, the
//! focus force and peer-group members, and their legend entries.
//!
//! Invariant: a flag is always carried by shape as well as colour (triangle up = above,
//! triangle down = below, circle = within; filled = beyond the outer level, hollow = beyond
//! the inner level only), so the charts read the same in greyscale and to colour-blind eyes.

use anyhow::Result;
use plotters::prelude::DrawingBackend;
use plotters::style::RGBColor;

use super::canvas::{Canvas, Marker, MarkerShape, Stroke};
use super::frame::{Glyph, LegendEntry};
use super::style::{grey, okabe_ito};
use crate::stats::{Flag, FlagLevels};

/// How an event of the action plan is drawn on a time series.
pub fn event_stroke() -> Stroke {
    Stroke::dashed(okabe_ito::REDDISH_PURPLE, 1.5)
}

/// How a target trajectory is drawn.
pub fn target_stroke() -> Stroke {
    Stroke::dashed(okabe_ito::VERMILION, 2.0)
}

/// The legend entry for events.
pub fn event_legend() -> LegendEntry {
    LegendEntry::new(
        Glyph::Line(event_stroke()),
        "Event of the action plan (the analysis file's [[events]])",
    )
}

/// Each event as a dashed line at the start of its first period after (between that period's
/// slot and the one before), labelled up the line. `events` are (label, first period after);
/// an event whose period is not on the axis is not drawn.
///
/// # Errors
///
/// When drawing fails.
pub fn event_lines<DB: DrawingBackend>(
    canvas: &Canvas<DB>,
    plot: &super::axis::Plot,
    periods: &[String],
    events: &[(String, String)],
) -> Result<()> {
    let font = super::canvas::Font::regular(super::style::type_size::SOURCE);
    for (label, after) in events {
        let Some(index) = periods.iter().position(|p| p == after) else {
            continue;
        };
        let x = plot.px(index as f64 - 0.5);
        canvas.line(&[(x, plot.top), (x, plot.bottom)], event_stroke())?;
        let room = plot.bottom - plot.top - 8.0;
        let text = canvas.fit(label, font, room);
        canvas.text_upwards(
            &text,
            (x + 3.0, plot.bottom - 4.0),
            font,
            okabe_ito::REDDISH_PURPLE,
            super::canvas::Align::Left,
        )?;
    }
    Ok(())
}

/// A target trajectory as a dashed line from its start period to its last period; one whose
/// periods are not on the axis is not drawn.
///
/// # Errors
///
/// When drawing fails.
pub fn trajectory_line<DB: DrawingBackend>(
    canvas: &Canvas<DB>,
    plot: &super::axis::Plot,
    periods: &[String],
    trajectory: &super::model::Trajectory,
) -> Result<()> {
    let (_, start, a, end, b) = trajectory;
    let index = |label: &String| periods.iter().position(|p| p == label);
    if let (Some(i), Some(j)) = (index(start), index(end)) {
        plot.line(canvas, &[(i as f64, *a), (j as f64, *b)], target_stroke())?;
    }
    Ok(())
}

/// How a baseline is shaded.
pub const BASELINE_SHADE: (RGBColor, f64) = (okabe_ito::SKY_BLUE, 0.14);

/// The periods `first..=last` shaded as the baseline, labelled at the top.
///
/// # Errors
///
/// When drawing fails.
pub fn baseline_band<DB: DrawingBackend>(
    canvas: &Canvas<DB>,
    plot: &super::axis::Plot,
    (first, last): (usize, usize),
) -> Result<()> {
    let (x0, x1) = (plot.px(first as f64 - 0.5), plot.px(last as f64 + 0.5));
    let (x0, x1) = (x0.max(plot.left), x1.min(plot.right));
    canvas.rect(
        (x0, plot.top),
        (x1, plot.bottom),
        BASELINE_SHADE.0,
        BASELINE_SHADE.1,
    )?;
    canvas.text(
        "Baseline",
        (x0 + 4.0, plot.top + 4.0),
        super::canvas::Font::regular(super::style::type_size::SOURCE),
        grey::TEXT,
        super::canvas::Align::Left,
    )?;
    Ok(())
}

/// A line's name at its right-hand end, with its last value (where the label sits) and
/// colour.
pub struct EndLabel {
    /// The text.
    pub text: String,
    /// The line's last value, on the vertical axis.
    pub value: Option<f64>,
    /// The line's colour.
    pub colour: RGBColor,
}

/// The room end labels need to the right of the plot.
pub fn end_label_margin<DB: DrawingBackend>(canvas: &Canvas<DB>, labels: &[EndLabel]) -> f64 {
    let font = super::canvas::Font::regular(super::style::type_size::LABEL);
    labels
        .iter()
        .map(|l| canvas.text_width(&l.text, font))
        .fold(0.0, f64::max)
        + 12.0
}

/// Draws end labels to the right of the plot at their lines' last values, spread apart so
/// that none overlaps the next; orange (the focus colour, too light for text) is written in
/// black.
///
/// # Errors
///
/// When drawing fails.
pub fn end_labels<DB: DrawingBackend>(
    canvas: &Canvas<DB>,
    plot: &super::axis::Plot,
    labels: &[EndLabel],
) -> Result<()> {
    let font = super::canvas::Font::regular(super::style::type_size::LABEL);
    let anchors: Vec<f64> = labels
        .iter()
        .map(|l| plot.py(l.value.unwrap_or(plot.y.lo)) - font.size / 2.0)
        .collect();
    let tops = super::labels::spread(&anchors, font.size + 2.0, plot.top, plot.bottom);
    for (label, y) in labels.iter().zip(tops) {
        let colour = if label.colour == okabe_ito::ORANGE {
            okabe_ito::BLACK
        } else {
            label.colour
        };
        canvas.text(
            &label.text,
            (plot.right + 8.0, y),
            font,
            colour,
            super::canvas::Align::Left,
        )?;
    }
    Ok(())
}

/// The ordinary marker radius in logical pixels.
pub const RADIUS: f64 = 4.5;
/// The focus force's marker radius.
pub const FOCUS_RADIUS: f64 = 7.0;

/// How a confidence interval is drawn.
pub fn interval_stroke() -> Stroke {
    Stroke::solid(grey::INTERVAL, 1.5)
}

/// A confidence interval from `a` to `b` (across or up a plot) with a tick at each end,
/// sized for a row or column `slot` logical pixels wide.
///
/// # Errors
///
/// When drawing fails.
pub fn interval_bar<DB: DrawingBackend>(
    canvas: &Canvas<DB>,
    a: (f64, f64),
    b: (f64, f64),
    slot: f64,
) -> Result<()> {
    let cap = (slot * 0.25).clamp(1.5, 4.0);
    let horizontal = (a.1 - b.1).abs() < 1e-9;
    canvas.line(&[a, b], interval_stroke())?;
    for end in [a, b] {
        let tick = if horizontal {
            [(end.0, end.1 - cap), (end.0, end.1 + cap)]
        } else {
            [(end.0 - cap, end.1), (end.0 + cap, end.1)]
        };
        canvas.line(&tick, interval_stroke())?;
    }
    Ok(())
}

/// The colour that goes with a flag.
pub fn flag_colour(flag: Flag) -> RGBColor {
    match flag {
        Flag::HighOuter | Flag::HighInner => okabe_ito::VERMILION,
        Flag::Within => grey::POINT,
        Flag::LowInner | Flag::LowOuter => okabe_ito::BLUE,
    }
}

/// The marker for a force with `flag`.
pub fn flag_marker(flag: Flag, radius: f64) -> Marker {
    let colour = flag_colour(flag);
    match flag {
        Flag::HighOuter => Marker {
            shape: MarkerShape::TriangleUp,
            radius,
            fill: Some(colour),
            outline: colour,
            outline_width: 1.0,
        },
        Flag::HighInner => Marker {
            shape: MarkerShape::TriangleUp,
            radius,
            fill: None,
            outline: colour,
            outline_width: 2.0,
        },
        Flag::Within => Marker {
            shape: MarkerShape::Circle,
            radius: radius * 0.85,
            fill: Some(colour),
            outline: RGBColor(0x5A, 0x5A, 0x5A),
            outline_width: 1.0,
        },
        Flag::LowInner => Marker {
            shape: MarkerShape::TriangleDown,
            radius,
            fill: None,
            outline: colour,
            outline_width: 2.0,
        },
        Flag::LowOuter => Marker {
            shape: MarkerShape::TriangleDown,
            radius,
            fill: Some(colour),
            outline: colour,
            outline_width: 1.0,
        },
    }
}

/// The focus force's marker: a larger orange diamond with a black outline.
pub fn focus_marker() -> Marker {
    Marker {
        shape: MarkerShape::Diamond,
        radius: FOCUS_RADIUS,
        fill: Some(okabe_ito::ORANGE),
        outline: okabe_ito::BLACK,
        outline_width: 1.5,
    }
}

/// The ring drawn around peer-group members.
pub fn peer_ring() -> Stroke {
    Stroke::solid(okabe_ito::REDDISH_PURPLE, 2.0)
}

/// How far the peer ring sits outside a marker.
pub const RING_GAP: f64 = 4.0;

/// Legend entries for the five flags, high to low.
pub fn flag_legend(levels: &FlagLevels) -> Vec<LegendEntry> {
    Flag::ALL
        .iter()
        .map(|f| {
            LegendEntry::new(
                Glyph::Marker(flag_marker(*f, RADIUS)),
                crate::wording::flag_legend_words(levels, *f),
            )
        })
        .collect()
}

/// Legend entries for the five flags, saying what the points are: "Areas above the 99.8%
/// limit", "Areas within the limits".
pub fn flag_legend_of(levels: &FlagLevels, many: &str) -> Vec<LegendEntry> {
    let mut subject: Vec<char> = many.chars().collect();
    if let Some(first) = subject.first_mut() {
        *first = first.to_ascii_uppercase();
    }
    let subject: String = subject.into_iter().collect();
    Flag::ALL
        .iter()
        .map(|f| {
            let words = crate::wording::flag_legend_words(levels, *f);
            let mut chars = words.chars();
            let rest: String = chars
                .next()
                .map(|c| c.to_ascii_lowercase())
                .into_iter()
                .chain(chars)
                .collect();
            LegendEntry::new(
                Glyph::Marker(flag_marker(*f, RADIUS)),
                format!("{subject} {rest}"),
            )
        })
        .collect()
}
