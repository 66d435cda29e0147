//! The run's wording: how numbers, names, periods and outcome types are written, for the charts
//! (`render`), the report (`report`), the tables' sentences and the CLI's lines alike.
//!
//! Invariant: these functions only write what they are given; they compute nothing.

use crate::stats::{Flag, FlagLevels};

/// Formats an integer with thousands separators, e.g. 621,280.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A count and its noun, plural with an `s` unless the count is 1: "1 row", "621,280 rows".
pub fn count_of(n: u64, noun: &str) -> String {
    format!("{} {noun}{}", thousands(n), if n == 1 { "" } else { "s" })
}

/// The singular or the plural, by count.
pub fn plural(n: u64, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// A rate as a percentage with `decimals` decimals: 0.57279 → "57.3%".
pub fn percent(rate: f64, decimals: usize) -> String {
    format!("{:.*}%", decimals, rate * 100.0)
}

/// A whole count with thousands separators: 16168 → "16,168". Counts in the tables are whole
/// numbers; a fractional value (an expected count) is rounded for display only.
pub fn count(value: f64) -> String {
    let rounded = value.round();
    let digits = thousands(rounded.abs() as u64);
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

/// A peer group's name for people, made from its identifier: words for underscores, the
/// first capitalised, and a bundled region's name in title case ("North East region").
pub fn peer_label(name: &str) -> String {
    if let Some(region) = name.strip_prefix("region_") {
        let words: Vec<String> = region.split('_').map(capitalise).collect();
        return match words.as_slice() {
            [wales] if wales == "Wales" => "Wales".to_string(),
            _ => format!("{} region", words.join(" ")),
        };
    }
    capitalise(&name.replace('_', " "))
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

/// A p-value in a sentence: "p = 0.0123", or "p < 0.0001".
pub fn p_phrase(p: f64) -> String {
    if p < 0.0001 {
        "p < 0.0001".to_string()
    } else {
        format!("p = {}", significant(p))
    }
}

/// Quotes a CSV field when it needs it (RFC 4180).
pub fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

/// Keeps text from becoming a live formula when a CSV is opened in a spreadsheet: a value
/// that starts with `=`, `+`, `-`, `@`, a tab or a carriage return and is not a finite number
/// gets a leading `'`. (`-inf` and `+NaN` parse as floats but a spreadsheet reads them as
/// formulas naming `inf` and `NaN`.)
pub fn spreadsheet_safe(value: &str) -> String {
    let starts_formula = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if starts_formula && !value.parse::<f64>().is_ok_and(f64::is_finite) {
        format!("'{value}")
    } else {
        value.to_string()
    }
}

/// A flag in words for a chart legend: "Above the 99.8% limit", "Above the 95% limit only",
/// "Within the limits".
#[must_use]
pub fn flag_legend_words(levels: &FlagLevels, flag: Flag) -> String {
    let inner = level_text(levels.inner().confidence());
    let outer = level_text(levels.outer().confidence());
    match flag {
        Flag::HighOuter => format!("Above the {outer} limit"),
        Flag::HighInner => format!("Above the {inner} limit only"),
        Flag::Within => "Within the limits".to_string(),
        Flag::LowInner => format!("Below the {inner} limit only"),
        Flag::LowOuter => format!("Below the {outer} limit"),
    }
}

/// A flag in a few words for a chart label: "above 99.8%", "within limits".
#[must_use]
pub fn flag_short(levels: &FlagLevels, flag: Flag) -> String {
    let inner = level_text(levels.inner().confidence());
    let outer = level_text(levels.outer().confidence());
    match flag {
        Flag::HighOuter => format!("above {outer}"),
        Flag::HighInner => format!("above {inner}"),
        Flag::Within => "within limits".to_string(),
        Flag::LowInner => format!("below {inner}"),
        Flag::LowOuter => format!("below {outer}"),
    }
}

/// A flag as a position in a sentence (METHODS.md §6: position, not merit): "above the 99.8%
/// limit", "within the limits".
#[must_use]
pub fn flag_position(levels: &FlagLevels, flag: Flag) -> String {
    let inner = level_text(levels.inner().confidence());
    let outer = level_text(levels.outer().confidence());
    match flag {
        Flag::HighOuter => format!("above the {outer} limit"),
        Flag::HighInner => format!("above the {inner} limit"),
        Flag::Within => "within the limits".into(),
        Flag::LowInner => format!("below the {inner} limit"),
        Flag::LowOuter => format!("below the {outer} limit"),
    }
}
