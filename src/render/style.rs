//! The look shared by every chart: the embedded font, the Okabe–Ito palette, page sizes, type
//! sizes, and how numbers and labels are written.
//!
//! Invariant: text is only ever drawn in [`FAMILY`], which is registered from the DejaVu Sans
//! faces compiled into the binary, so a machine with no fonts draws the same picture; colours
//! come only from the Okabe–Ito set (plus neutral greys), and every colour used for meaning is
//! paired with a marker shape or a text label.

use std::sync::OnceLock;

use anyhow::{anyhow, Result};
use plotters::style::{FontStyle, RGBColor};

use super::ChartSize;

/// The font family every chart names. SVG writes it into `font-family`, so a viewer without
/// DejaVu Sans falls back to Arial or its own sans-serif; PNG always uses the embedded faces.
pub const FAMILY: &str = "DejaVu Sans, Arial, sans-serif";

/// Registers the embedded DejaVu Sans faces under [`FAMILY`] (and under plotters' default
/// `sans-serif`), once per process.
///
/// # Errors
///
/// When a compiled-in font cannot be parsed, which would be a build defect.
pub fn register_fonts() -> Result<()> {
    static REGISTERED: OnceLock<std::result::Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            for family in [FAMILY, "sans-serif"] {
                plotters::style::register_font(family, FontStyle::Normal, dejavu::sans::regular())
                    .map_err(|_| "the embedded DejaVu Sans regular face is not a valid font")?;
                plotters::style::register_font(family, FontStyle::Bold, dejavu::sans::bold())
                    .map_err(|_| "the embedded DejaVu Sans bold face is not a valid font")?;
            }
            Ok(())
        })
        .clone()
        .map_err(|e| anyhow!(e))
}

/// The Okabe–Ito colours (Okabe and Ito 2008), safe for the common colour-vision deficiencies.
pub mod okabe_ito {
    use plotters::style::RGBColor;

    /// Orange, #E69F00: the focus force.
    pub const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
    /// Sky blue, #56B4E9: interval bands.
    pub const SKY_BLUE: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
    /// Bluish green, #009E73: the target (national) rate.
    pub const BLUISH_GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
    /// Yellow, #F0E442 (too pale for thin lines on white; used for backgrounds only).
    pub const YELLOW: RGBColor = RGBColor(0xF0, 0xE4, 0x42);
    /// Blue, #0072B2: below the limits.
    pub const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
    /// Vermilion, #D55E00: above the limits.
    pub const VERMILION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
    /// Reddish purple, #CC79A7: peer-group members.
    pub const REDDISH_PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
    /// Black, #000000: text, the outer limits.
    pub const BLACK: RGBColor = RGBColor(0x00, 0x00, 0x00);
}

/// Neutral greys for text, grid lines and points without a flag.
pub mod grey {
    use plotters::style::RGBColor;

    /// Secondary text (subtitles, source lines, tick labels).
    pub const TEXT: RGBColor = RGBColor(0x40, 0x40, 0x40);
    /// Points within the limits.
    pub const POINT: RGBColor = RGBColor(0x8C, 0x8C, 0x8C);
    /// The inner limits.
    pub const LIMIT: RGBColor = RGBColor(0x70, 0x70, 0x70);
    /// Interval bars.
    pub const INTERVAL: RGBColor = RGBColor(0x55, 0x55, 0x55);
    /// Grid lines.
    pub const GRID: RGBColor = RGBColor(0xE3, 0xE3, 0xE3);
    /// Axis lines and tick marks.
    pub const AXIS: RGBColor = RGBColor(0x9A, 0x9A, 0x9A);
    /// A faint background for highlighted rows and panels.
    pub const TINT: RGBColor = RGBColor(0xF4, 0xF4, 0xF4);
}

/// White.
pub const WHITE: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);

/// The shape of a chart: ordinary (landscape) or tall (a long ranked list or a grid).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Landscape: funnel, trend, SPC, offence mix.
    Wide,
    /// Portrait on A4 (caterpillar, small multiples); still 16:9 on a slide.
    Tall,
}

/// The canvas size in logical pixels (SVG user units; PNG multiplies them by its scale).
///
/// A4: 960 units across the text width of an A4 page (about 160 mm, so 12-unit text prints at
/// roughly 6.5 pt and up); tall charts use 960 × 1240, which still fits the page's text block.
/// Slide: 1280 × 720, exactly 16:9.
pub fn canvas_size(size: ChartSize, shape: Shape) -> (u32, u32) {
    match (size, shape) {
        (ChartSize::A4, Shape::Wide) => (960, 680),
        (ChartSize::A4, Shape::Tall) => (960, 1240),
        (ChartSize::Slide, _) => (1280, 720),
    }
}

/// Type sizes in logical pixels (plotters' font size: the font's full height).
pub mod type_size {
    /// Chart title.
    pub const TITLE: f64 = 22.0;
    /// Subtitle lines.
    pub const SUBTITLE: f64 = 14.5;
    /// Axis titles.
    pub const AXIS_TITLE: f64 = 14.0;
    /// Tick labels.
    pub const TICK: f64 = 13.0;
    /// Point labels and legend entries.
    pub const LABEL: f64 = 13.0;
    /// The source line and notes.
    pub const SOURCE: f64 = 12.0;
}

/// A rate as a percentage with `decimals` decimals: 0.57279 → "57.3%".
pub fn percent(rate: f64, decimals: usize) -> String {
    format!("{:.*}%", decimals, rate * 100.0)
}

/// A whole count with thousands separators: 16168 → "16,168". Counts in the tables are whole
/// numbers; a fractional value (an expected count) is rounded for display only.
pub fn count(value: f64) -> String {
    let rounded = value.round();
    let digits = crate::app::thousands(rounded.abs() as u64);
    if rounded < 0.0 {
        format!("−{digits}")
    } else {
        digits
    }
}

/// A level as a percentage for people: 0.95 → "95%", 0.998 → "99.8%".
pub fn level_text(level: f64) -> String {
    let text = format!("{:.6}", level * 100.0);
    let trimmed = text.trim_end_matches('0').trim_end_matches('.');
    format!("{trimmed}%")
}

/// A level as it appears in column and flag names: 0.95 → "95", 0.998 → "998".
pub fn level_label(level: f64) -> String {
    let text = format!("{:.6}", level * 100.0);
    text.trim_end_matches('0')
        .trim_end_matches('.')
        .replace('.', "")
}

/// A file-name slug: "London, City of" → "london-city-of".
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        "unit".to_string()
    } else {
        out
    }
}

/// The calendar month and year a financial quarter ends, from its label:
/// "2018/19 Q4" → "March 2019", "2018/19 Q1" → "June 2018".
pub fn quarter_end(label: &str) -> Option<String> {
    let (year, quarter) = label.split_once(" Q")?;
    let start: i32 = year.get(0..4)?.parse().ok()?;
    match quarter.trim() {
        "1" => Some(format!("June {start}")),
        "2" => Some(format!("September {start}")),
        "3" => Some(format!("December {start}")),
        "4" => Some(format!("March {}", start + 1)),
        _ => None,
    }
}

/// The period for a source line: "year ending March 2019" for four quarters ending in March,
/// "12 months ending …" for another four, else "2016/17 Q1 to 2018/19 Q4", else the label.
pub fn period_phrase(period_label: &str, quarters: &[String]) -> String {
    match (quarters.first(), quarters.last()) {
        (Some(_), Some(last)) if quarters.len() == 4 => match quarter_end(last) {
            Some(end) if end.starts_with("March") => format!("year ending {end}"),
            Some(end) => format!("12 months ending {end}"),
            None => period_label.to_string(),
        },
        (Some(first), Some(last)) if first != last => format!("{first} to {last}"),
        _ => period_label.to_string(),
    }
}

/// The text with its first letter in upper case.
pub fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The count basis in words.
pub fn basis_phrase(basis: &str) -> String {
    match basis {
        "assigned_in_period" => "outcomes assigned in the period".to_string(),
        "recorded_in_period" => "outcomes of offences recorded in the period".to_string(),
        other => other.replace('_', " "),
    }
}

/// "Outcome 16", or "Outcomes 14 and 16" for several types.
pub fn outcome_phrase(types: &[u64]) -> String {
    match types {
        [] => "The outcome".to_string(),
        [one] => format!("Outcome {one}"),
        [init @ .., last] => format!(
            "Outcomes {} and {last}",
            init.iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A month as a run labels it ("2018-04"), in words: "April 2018"; another text unchanged.
pub fn month_phrase(label: &str) -> String {
    match split_month(label) {
        Some((year, month)) => format!("{} {year}", MONTHS[month - 1]),
        None => label.to_string(),
    }
}

/// A month for a tick label: "2018-04" → "Apr 2018"; another text unchanged.
pub fn month_tick(label: &str) -> String {
    match split_month(label) {
        Some((year, month)) => format!("{} {year}", &MONTHS[month - 1][..3]),
        None => label.to_string(),
    }
}

/// "2018-04" → (2018, 4).
fn split_month(label: &str) -> Option<(u32, usize)> {
    let (year, month) = label.split_once('-')?;
    let year: u32 = year.parse().ok().filter(|_| year.len() == 4)?;
    let month: usize = month.parse().ok().filter(|m| (1..=12).contains(m))?;
    Some((year, month))
}

/// Outcome types as ranges: [1, 2, 3, 5] → "outcome types 1-3 and 5", [16] → "outcome type 16".
pub fn types_phrase(types: &[u64]) -> String {
    let mut sorted = types.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut runs: Vec<(u64, u64)> = Vec::new();
    for t in sorted {
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == t => *end = t,
            _ => runs.push((t, t)),
        }
    }
    let parts: Vec<String> = runs
        .iter()
        .map(|&(a, b)| match b - a {
            0 => a.to_string(),
            1 => format!("{a}, {b}"),
            _ => format!("{a}-{b}"),
        })
        .collect();
    let list = match parts.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    };
    if types.len() == 1 {
        format!("outcome type {list}")
    } else {
        format!("outcome types {list}")
    }
}

/// A φ or τ² value for a subtitle: four significant figures, no exponent for ordinary sizes.
pub fn significant(value: f64) -> String {
    if value == 0.0 || !value.is_finite() {
        return format!("{value}");
    }
    let magnitude = value.abs().log10().floor() as i32;
    let decimals = (3 - magnitude).clamp(0, 8) as usize;
    format!("{value:.decimals$}")
}

#[cfg(test)]
mod tests;
