//! Cell values: counts, missing-value tokens and flags.
//!
//! Invariant: a count cell is a whole number, a known missing-value token (which becomes
//! null, never zero), or an invalid value that quarantines its row. Negative counts are real
//! revisions and are kept (DATA.md §2.5).

use crate::normalise::text::{match_key, quote_for_message};

/// The largest count accepted, either side of zero. England and Wales record about six
/// million crimes a year, so no count of outcomes comes near it; the bound keeps every sum of
/// counts far inside `i64` (a billion rows of it sum to under 10^18), where a count such as
/// 9223372036854775807 would overflow the first sum it entered.
pub const MAX_COUNT: i64 = 999_999_999;

/// Tokens that mean "no number here" in count cells, as written in the sources
/// (DATA.md §2.5): verified in 2018/19 (`N/A - offence code expired`, `NA`), used by other
/// loaders (`..`, `*`, `--`), and GOV.UK's shorthand (`[c]`, `[x]`, `[z]`).
pub const MISSING_TOKENS: &[&str] = &[
    "N/A - offence code expired",
    "NA",
    "N/A",
    "..",
    "*",
    "--",
    "[c]",
    "[x]",
    "[z]",
];

/// The label under which empty count cells are counted.
pub const EMPTY_TOKEN: &str = "(empty)";

/// What a count cell holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Count {
    /// A whole number (possibly negative).
    Value(i64),
    /// A missing-value token, in its canonical spelling.
    Missing(&'static str),
    /// Anything else, with the reason it was refused.
    Invalid(String),
}

/// Parses a count cell. Accepts `151`, `-1`, `151.0` (a spreadsheet float with an integral
/// value) and `1,234` (thousands separators in copied tables); any other float is invalid,
/// and so is a count beyond [`MAX_COUNT`].
pub fn parse_count(text: &str) -> Count {
    let bytes = text.as_bytes();
    // Fast path: an optional minus sign and 1–9 digits are within MAX_COUNT.
    let digits = bytes.strip_prefix(b"-").unwrap_or(bytes);
    if !digits.is_empty() && digits.len() <= 9 && digits.iter().all(u8::is_ascii_digit) {
        let magnitude = digits
            .iter()
            .fold(0i64, |acc, &d| acc * 10 + i64::from(d - b'0'));
        return Count::Value(if digits.len() < bytes.len() {
            -magnitude
        } else {
            magnitude
        });
    }
    parse_count_slow(text)
}

fn parse_count_slow(text: &str) -> Count {
    // Tokens as written (every cell of an expired code, every outcome-0 cell) are matched
    // exactly first: this path runs for a quarter of a million cells in a yearly table.
    if let Some(token) = MISSING_TOKENS.iter().find(|t| **t == text) {
        return Count::Missing(token);
    }
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Count::Missing(EMPTY_TOKEN);
    }
    let key = match_key(trimmed);
    if let Some(index) = token_keys().iter().position(|k| *k == key) {
        return Count::Missing(MISSING_TOKENS[index]);
    }
    if trimmed.len() != text.len() {
        return parse_count(trimmed);
    }
    let (sign, digits) = match trimmed.strip_prefix('-') {
        Some(rest) => (-1i64, rest),
        None => (1, trimmed.strip_prefix('+').unwrap_or(trimmed)),
    };
    let grouped = is_thousands_grouped(digits);
    let plain: String = if grouped {
        digits.replace(',', "")
    } else {
        digits.to_string()
    };
    if !plain.is_empty() && plain.bytes().all(|b| b.is_ascii_digit()) {
        return match plain.parse::<i64>() {
            Ok(v) if v <= MAX_COUNT => Count::Value(sign * v),
            _ => Count::Invalid(format!(
                "count {} is too large (the largest accepted is {MAX_COUNT})",
                quote_for_message(text)
            )),
        };
    }
    if let Ok(value) = plain.parse::<f64>() {
        // MAX_COUNT is exactly representable, so the comparison is exact.
        #[allow(clippy::cast_precision_loss)]
        let max = MAX_COUNT as f64;
        if value.is_finite() && value.fract() == 0.0 && value.abs() <= max {
            // An integral float such as `151.0`: the check above proves the cast is exact.
            #[allow(clippy::cast_possible_truncation)]
            return Count::Value(sign * value as i64);
        }
        if value.is_finite() && value.fract() == 0.0 {
            return Count::Invalid(format!(
                "count {} is too large (the largest accepted is {MAX_COUNT})",
                quote_for_message(text)
            ));
        }
        return Count::Invalid(format!(
            "count {} is not a whole number",
            quote_for_message(text)
        ));
    }
    Count::Invalid(format!(
        "count {} is not a number or a known missing-value token",
        quote_for_message(text)
    ))
}

/// [`MISSING_TOKENS`] as match keys, computed once.
fn token_keys() -> &'static [String] {
    static KEYS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| MISSING_TOKENS.iter().map(|t| match_key(t)).collect())
}

/// True for `1,234` or `12,345,678`: digits in groups of three after the first group.
fn is_thousands_grouped(digits: &str) -> bool {
    let mut groups = digits.split(',');
    let first_ok = groups
        .next()
        .is_some_and(|g| (1..=3).contains(&g.len()) && g.bytes().all(|b| b.is_ascii_digit()));
    let mut n_rest = 0;
    let rest_ok = groups.all(|g| {
        n_rest += 1;
        g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit())
    });
    first_ok && rest_ok && n_rest > 0
}

/// Parses an `Offence code expired` cell: empty is false, `x` is true (DATA.md §2.4).
pub fn parse_expired(text: &str) -> Option<bool> {
    match text.trim() {
        "" => Some(false),
        "x" | "X" => Some(true),
        _ => None,
    }
}

/// A yes/no flag in its built-in spellings, from a [`crate::normalise::text::match_key`]ed
/// text: `y`, `yes`, `1`, `true` and `n`, `no`, `0`, `false`; `None` for any other (an
/// extract's analysis file may add spellings of its own).
pub fn parse_yes_no(key: &str) -> Option<bool> {
    match key {
        "y" | "yes" | "1" | "true" => Some(true),
        "n" | "no" | "0" | "false" => Some(false),
        _ => None,
    }
}

/// A case-file reviewer's finding on an outcome-16 closure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Finding {
    /// The closure was appropriate.
    Appropriate,
    /// The closure was not appropriate.
    Inappropriate,
    /// The file does not let the reviewer tell.
    CannotTell,
}

impl Finding {
    /// Every finding, in table order.
    pub const ALL: [Finding; 3] = [
        Finding::Appropriate,
        Finding::Inappropriate,
        Finding::CannotTell,
    ];

    /// The canonical spelling: `appropriate`, `inappropriate`, `cannot_tell`.
    pub fn name(self) -> &'static str {
        match self {
            Finding::Appropriate => "appropriate",
            Finding::Inappropriate => "inappropriate",
            Finding::CannotTell => "cannot_tell",
        }
    }
}

/// A finding as a reviewer may write it, after [`crate::normalise::text::match_key`]: the
/// canonical names with spaces, hyphens or underscores, and the obvious variants
/// (`not appropriate`, `unknown`). Other spellings are mapped in the analysis file.
pub fn parse_finding(key: &str) -> Option<Finding> {
    let key: String = key
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect();
    match key.as_str() {
        "appropriate" | "yes_appropriate" => Some(Finding::Appropriate),
        "inappropriate" | "not_appropriate" => Some(Finding::Inappropriate),
        "cannot_tell" | "cant_tell" | "can_t_tell" | "unknown" | "unclear" => {
            Some(Finding::CannotTell)
        }
        _ => None,
    }
}

/// A checklist answer of a case-file review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChecklistAnswer {
    /// Yes.
    Yes,
    /// No.
    No,
    /// The file does not record it.
    NotRecorded,
}

impl ChecklistAnswer {
    /// Every answer, in table order.
    pub const ALL: [ChecklistAnswer; 3] = [
        ChecklistAnswer::Yes,
        ChecklistAnswer::No,
        ChecklistAnswer::NotRecorded,
    ];

    /// The canonical spelling: `yes`, `no`, `not_recorded`.
    pub fn name(self) -> &'static str {
        match self {
            ChecklistAnswer::Yes => "yes",
            ChecklistAnswer::No => "no",
            ChecklistAnswer::NotRecorded => "not_recorded",
        }
    }
}

/// A checklist answer as written, after [`crate::normalise::text::match_key`]: the yes/no
/// spellings of [`parse_yes_no`], and `not recorded` (also `not_recorded`, `nr`).
pub fn parse_checklist_answer(key: &str) -> Option<ChecklistAnswer> {
    match parse_yes_no(key) {
        Some(true) => return Some(ChecklistAnswer::Yes),
        Some(false) => return Some(ChecklistAnswer::No),
        None => {}
    }
    match key {
        "not recorded" | "not_recorded" | "not-recorded" | "nr" => {
            Some(ChecklistAnswer::NotRecorded)
        }
        _ => None,
    }
}

/// Parses an outcome type cell, `0`–`22` (spreadsheets may store `16.0`).
pub fn parse_outcome_type(text: &str) -> Option<u8> {
    let text = text.trim();
    let text = text.strip_suffix(".0").unwrap_or(text);
    text.parse::<u8>()
        .ok()
        .filter(|&t| t <= crate::record::OutcomeType::MAX)
}

#[cfg(test)]
mod tests;
