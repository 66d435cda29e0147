//! Axes: value ranges, tick positions and labels, and the plot rectangle that maps values to
//! the canvas.
//!
//! Invariant: ticks are chosen from fixed "nice" steps and computed as integer multiples of the
//! step, so the same range always gives the same ticks and labels; a rate axis is labelled in
//! percent; a log axis says so in its title.

use anyhow::Result;
use plotters::prelude::DrawingBackend;

use super::canvas::{clip_polyline, Align, Canvas, Font, Stroke};
use super::style::{grey, type_size};

/// A tick: its value and its label.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    /// Position in data units.
    pub value: f64,
    /// The label drawn beside it.
    pub label: String,
}

/// How values map onto an axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Linear.
    Linear,
    /// Base-10 logarithmic (values must be positive).
    Log,
}

/// One axis: its range, scale and ticks.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// The low end in data units.
    pub lo: f64,
    /// The high end in data units.
    pub hi: f64,
    /// The scale.
    pub scale: Scale,
    /// The ticks, low to high.
    pub ticks: Vec<Tick>,
}

/// Steps between rate ticks, in percentage points.
const PERCENT_STEPS: [f64; 10] = [0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 25.0, 50.0];

impl Axis {
    /// A rate axis in percent that covers [lo, hi] (rates, 0–1), widened to whole ticks with at
    /// most `max_ticks` ticks. A range that nearly reaches zero starts at zero.
    pub fn percent(lo: f64, hi: f64, max_ticks: usize) -> Axis {
        let (mut lo, mut hi) = (lo.min(hi).max(0.0), hi.max(lo).min(1.0));
        if hi - lo < 1e-6 {
            lo = (lo - 0.01).max(0.0);
            hi = (hi + 0.01).min(1.0);
        }
        if lo < (hi - lo) * 0.15 {
            lo = 0.0;
        }
        let (lo_pp, hi_pp) = (lo * 100.0, hi * 100.0);
        let step = PERCENT_STEPS
            .iter()
            .copied()
            .find(|s| (((hi_pp / s).ceil() - (lo_pp / s).floor()) as usize) < max_ticks.max(2))
            .unwrap_or(50.0);
        let first = (lo_pp / step + 1e-9).floor() as i64;
        let last = (hi_pp / step - 1e-9).ceil() as i64;
        // Every step is a whole number of percentage points or of tenths of one.
        let decimals = usize::from(step < 1.0);
        let ticks = (first..=last)
            .map(|k| {
                let pp = k as f64 * step;
                Tick {
                    value: pp / 100.0,
                    label: format!("{pp:.decimals$}%"),
                }
            })
            .collect();
        Axis {
            lo: first as f64 * step / 100.0,
            hi: last as f64 * step / 100.0,
            scale: Scale::Linear,
            ticks,
        }
    }

    /// A logarithmic count axis over [lo, hi] (not widened), with ticks at 1-2-5, 1-3 or 1
    /// times powers of ten, whichever gives at most `max_ticks`.
    pub fn log_count(lo: f64, hi: f64, max_ticks: usize) -> Axis {
        let lo = lo.max(1.0);
        let hi = hi.max(lo * 1.0001);
        let mut chosen: Vec<f64> = Vec::new();
        for multipliers in [&[1.0, 2.0, 5.0][..], &[1.0, 3.0][..], &[1.0][..]] {
            let mut ticks = Vec::new();
            let mut decade = lo.log10().floor() as i32;
            while 10f64.powi(decade) <= hi {
                for m in multipliers {
                    let value = m * 10f64.powi(decade);
                    if value >= lo && value <= hi {
                        ticks.push(value);
                    }
                }
                decade += 1;
            }
            chosen = ticks;
            if chosen.len() <= max_ticks {
                break;
            }
        }
        // A range within one decade may hold fewer than two such ticks: use evenly spaced
        // round numbers instead, still placed on the log scale.
        if chosen.len() < 2 {
            chosen = Axis::number(lo, hi, 8)
                .ticks
                .into_iter()
                .map(|t| t.value)
                .filter(|v| *v >= lo && *v <= hi)
                .collect();
        }
        Axis {
            lo,
            hi,
            scale: Scale::Log,
            ticks: chosen
                .into_iter()
                .map(|v| Tick {
                    value: v,
                    label: super::style::count(v),
                })
                .collect(),
        }
    }

    /// A logarithmic axis of ratios (odds ratios) over [lo, hi] widened to take in 1, with
    /// ticks at 1-2-5 times powers of ten (0.2, 0.5, 1, 2, 5, …) labelled as plain numbers.
    pub fn log_ratio(lo: f64, hi: f64) -> Axis {
        let lo = lo.clamp(1e-3, 1.0 / 1.25);
        let hi = hi.max(1.25).max(lo * 1.01);
        let mut ticks = Vec::new();
        let mut decade = lo.log10().floor() as i32;
        while 10f64.powi(decade) <= hi {
            for m in [1.0, 2.0, 5.0] {
                let value = m * 10f64.powi(decade);
                if value >= lo && value <= hi {
                    let decimals = (-decade).max(0) as usize;
                    ticks.push(Tick {
                        value,
                        label: format!("{value:.decimals$}"),
                    });
                }
            }
            decade += 1;
        }
        Axis {
            lo,
            hi,
            scale: Scale::Log,
            ticks,
        }
    }

    /// A linear axis over [lo, hi] (widened to whole ticks) with plain number labels.
    pub fn number(lo: f64, hi: f64, max_ticks: usize) -> Axis {
        let span = (hi - lo).abs().max(1e-9);
        let raw = span / max_ticks.max(2) as f64;
        let magnitude = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 2.5, 5.0, 10.0]
            .iter()
            .map(|m| m * magnitude)
            .find(|s| (((hi / s).ceil() - (lo / s).floor()) as usize) < max_ticks.max(2))
            .unwrap_or(10.0 * magnitude);
        let first = (lo / step + 1e-9).floor() as i64;
        let last = (hi / step - 1e-9).ceil() as i64;
        let decimals = if step >= 1.0 {
            // 2.5 is a step of whole numbers and halves (2.5, 7.5).
            usize::from(step.fract() > 1e-9)
        } else {
            (-step.log10().floor()) as usize + usize::from((step / magnitude - 2.5).abs() < 1e-9)
        };
        Axis {
            lo: first as f64 * step,
            hi: last as f64 * step,
            scale: Scale::Linear,
            ticks: (first..=last)
                .map(|k| {
                    let v = k as f64 * step;
                    Tick {
                        value: v,
                        label: format!("{v:.decimals$}"),
                    }
                })
                .collect(),
        }
    }

    /// A category axis: positions 0..n−1 with the given labels, padded half a step each side.
    pub fn categories(labels: &[String]) -> Axis {
        Axis {
            lo: -0.5,
            hi: labels.len() as f64 - 0.5,
            scale: Scale::Linear,
            ticks: labels
                .iter()
                .enumerate()
                .map(|(i, l)| Tick {
                    value: i as f64,
                    label: l.clone(),
                })
                .collect(),
        }
    }

    /// A category axis of periods whose labels are thinned to every k-th so that they fit in
    /// `width` at `font` (the first period is always labelled).
    pub fn periods<DB: DrawingBackend>(
        canvas: &Canvas<DB>,
        labels: &[String],
        width: f64,
        font: Font,
    ) -> Axis {
        let mut axis = Axis::categories(labels);
        let widest = labels
            .iter()
            .map(|l| canvas.text_width(l, font))
            .fold(0.0, f64::max);
        let step = width / labels.len().max(1) as f64;
        let every = ((widest + 14.0) / step).ceil().max(1.0) as usize;
        for (i, tick) in axis.ticks.iter_mut().enumerate() {
            if i % every != 0 {
                tick.label.clear();
            }
        }
        axis
    }

    /// Where `value` falls along the axis, 0 at `lo` and 1 at `hi`.
    pub fn fraction(&self, value: f64) -> f64 {
        match self.scale {
            Scale::Linear => (value - self.lo) / (self.hi - self.lo),
            Scale::Log => {
                (value.max(1e-12).log10() - self.lo.log10()) / (self.hi.log10() - self.lo.log10())
            }
        }
    }
}

/// A plot rectangle on the canvas with its two axes.
#[derive(Debug, Clone, PartialEq)]
pub struct Plot {
    /// Left edge (logical pixels).
    pub left: f64,
    /// Top edge.
    pub top: f64,
    /// Right edge.
    pub right: f64,
    /// Bottom edge.
    pub bottom: f64,
    /// The horizontal axis.
    pub x: Axis,
    /// The vertical axis (low values at the bottom).
    pub y: Axis,
}

impl Plot {
    /// The canvas x of a data x.
    pub fn px(&self, x: f64) -> f64 {
        self.left + self.x.fraction(x) * (self.right - self.left)
    }

    /// The canvas y of a data y.
    pub fn py(&self, y: f64) -> f64 {
        self.bottom - self.y.fraction(y) * (self.bottom - self.top)
    }

    /// The canvas point of a data point.
    pub fn point(&self, x: f64, y: f64) -> (f64, f64) {
        (self.px(x), self.py(y))
    }

    /// The rectangle as (left, top, right, bottom).
    pub fn rect(&self) -> (f64, f64, f64, f64) {
        (self.left, self.top, self.right, self.bottom)
    }

    /// Draws a polyline given in data units, clipped to the plot.
    pub fn line<DB: DrawingBackend>(
        &self,
        canvas: &Canvas<DB>,
        points: &[(f64, f64)],
        stroke: Stroke,
    ) -> Result<()> {
        let on_canvas: Vec<(f64, f64)> = points.iter().map(|(x, y)| self.point(*x, *y)).collect();
        for run in clip_polyline(&on_canvas, self.rect()) {
            canvas.line(&run, stroke)?;
        }
        Ok(())
    }
}

/// What to draw around a plot.
#[derive(Debug, Clone, PartialEq)]
pub struct AxisText {
    /// The x-axis title (with units).
    pub x_title: String,
    /// The y-axis title (with units).
    pub y_title: String,
    /// Grid lines at the x ticks.
    pub x_grid: bool,
    /// Grid lines at the y ticks.
    pub y_grid: bool,
    /// Tick label font for the y axis (category axes may need a smaller one).
    pub y_tick_font: Font,
}

impl AxisText {
    /// Titles with grid lines on both axes and the standard tick font.
    pub fn new(x_title: &str, y_title: &str) -> AxisText {
        AxisText {
            x_title: x_title.to_string(),
            y_title: y_title.to_string(),
            x_grid: true,
            y_grid: true,
            y_tick_font: Font::regular(type_size::TICK),
        }
    }
}

/// A plot of `n` rows, one per category from the top, between a column of names
/// `name_width` wide on the left and one of values `value_width` wide on the right (the
/// audit's shares and the model's odds ratios); row i is centred at [`Plot::row_y`].
pub fn row_plot<DB: DrawingBackend>(
    canvas: &Canvas<DB>,
    (left, top, right, bottom): (f64, f64, f64, f64),
    (name_width, value_width): (f64, f64),
    n: usize,
    x: Axis,
    text: &AxisText,
) -> Plot {
    let y = Axis {
        lo: -0.5,
        hi: n as f64 - 0.5,
        scale: Scale::Linear,
        ticks: Vec::new(),
    };
    fit_plot(
        canvas,
        (left + name_width + 10.0, top, right - value_width, bottom),
        x,
        y,
        text,
    )
}

/// The axis text of a [`row_plot`] titled `x_title` (no horizontal grid lines), each row's
/// height in `region` for `n` rows, and the type size that fits a row.
pub fn row_layout(
    (_, top, _, bottom): (f64, f64, f64, f64),
    n: usize,
    x_title: &str,
) -> (AxisText, f64, f64) {
    let mut text = AxisText::new(x_title, "");
    text.y_grid = false;
    let row_height = (bottom - top - x_axis_height(&text)) / n.max(1) as f64;
    let size = type_size::LABEL.min((row_height * 0.9).floor());
    (text, row_height, size)
}

impl Plot {
    /// The canvas y of row `i` (from the top) of a [`row_plot`].
    pub fn row_y(&self, i: usize) -> f64 {
        self.py(self.y.hi - 0.5 - i as f64)
    }
}

/// Space kept for the x-axis ticks and title below a plot.
pub fn x_axis_height(text: &AxisText) -> f64 {
    let tick = Font::regular(type_size::TICK).line_height();
    let title = if text.x_title.is_empty() {
        0.0
    } else {
        Font::regular(type_size::AXIS_TITLE).line_height() + 4.0
    };
    6.0 + tick + title
}

/// Fits a plot into the region (left, top, right, bottom), leaving room on the left for the
/// y tick labels and title and below for the x axis.
pub fn fit_plot<DB: DrawingBackend>(
    canvas: &Canvas<DB>,
    region: (f64, f64, f64, f64),
    x: Axis,
    y: Axis,
    text: &AxisText,
) -> Plot {
    let (left, top, right, bottom) = region;
    let widest = y
        .ticks
        .iter()
        .map(|t| canvas.text_width(&t.label, text.y_tick_font))
        .fold(0.0, f64::max);
    let title = if text.y_title.is_empty() {
        0.0
    } else {
        Font::regular(type_size::AXIS_TITLE).line_height() + 6.0
    };
    // Half a tick label's width on the right keeps the last x label inside the canvas.
    let last_x = x
        .ticks
        .last()
        .map(|t| canvas.text_width(&t.label, Font::regular(type_size::TICK)) / 2.0)
        .unwrap_or(0.0);
    Plot {
        left: (left + title + widest + 8.0).round(),
        top: top.round(),
        right: (right - last_x.min(30.0)).round(),
        bottom: (bottom - x_axis_height(text)).round(),
        x,
        y,
    }
}

/// Draws grid lines, axis lines, tick labels and axis titles.
pub fn draw_axes<DB: DrawingBackend>(
    canvas: &Canvas<DB>,
    plot: &Plot,
    text: &AxisText,
) -> Result<()> {
    let grid = Stroke::solid(grey::GRID, 1.0);
    let axis = Stroke::solid(grey::AXIS, 1.0);
    let tick_font = Font::regular(type_size::TICK);
    if text.y_grid {
        for tick in &plot.y.ticks {
            let y = plot.py(tick.value).round();
            canvas.line(&[(plot.left, y), (plot.right, y)], grid)?;
        }
    }
    if text.x_grid {
        for tick in &plot.x.ticks {
            let x = plot.px(tick.value).round();
            canvas.line(&[(x, plot.top), (x, plot.bottom)], grid)?;
        }
    }
    canvas.line(&[(plot.left, plot.top), (plot.left, plot.bottom)], axis)?;
    canvas.line(&[(plot.left, plot.bottom), (plot.right, plot.bottom)], axis)?;
    for tick in &plot.y.ticks {
        let y = plot.py(tick.value).round();
        canvas.line(&[(plot.left - 4.0, y), (plot.left, y)], axis)?;
        canvas.text(
            &tick.label,
            (plot.left - 7.0, y - text.y_tick_font.size * 0.5),
            text.y_tick_font,
            grey::TEXT,
            Align::Right,
        )?;
    }
    for tick in &plot.x.ticks {
        let x = plot.px(tick.value).round();
        canvas.line(&[(x, plot.bottom), (x, plot.bottom + 4.0)], axis)?;
        canvas.text(
            &tick.label,
            (x, plot.bottom + 6.0),
            tick_font,
            grey::TEXT,
            Align::Centre,
        )?;
    }
    let title_font = Font::regular(type_size::AXIS_TITLE);
    if !text.x_title.is_empty() {
        canvas.text(
            &text.x_title,
            (
                (plot.left + plot.right) / 2.0,
                plot.bottom + 6.0 + tick_font.line_height() + 4.0,
            ),
            title_font,
            super::style::okabe_ito::BLACK,
            Align::Centre,
        )?;
    }
    if !text.y_title.is_empty() {
        let widest = plot
            .y
            .ticks
            .iter()
            .map(|t| canvas.text_width(&t.label, text.y_tick_font))
            .fold(0.0, f64::max);
        canvas.text_upwards(
            &text.y_title,
            (
                plot.left - 8.0 - widest - title_font.line_height(),
                (plot.top + plot.bottom) / 2.0,
            ),
            title_font,
            super::style::okabe_ito::BLACK,
            Align::Centre,
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
