//! Numbers as the report prints them: percentages to one decimal place, counts with
//! thousands separators, ratios and test statistics to a fixed number of places.
//!
//! Invariant: these functions only format a number they are given; they never combine two
//! numbers into a new one (the report computes nothing, ARCHITECTURE.md).

/// The minus sign used in printed numbers (U+2212), which does not break across lines
/// the way a hyphen can.
const MINUS: char = '\u{2212}';

/// A proportion as a percentage to one decimal place: 0.27286 → "27.3%".
pub fn percent(rate: f64) -> String {
    format!("{}%", fixed(100.0 * rate, 1))
}

/// Two proportions as a percentage range: "26.9% to 27.6%".
pub fn percent_range(low: f64, high: f64) -> String {
    format!("{} to {}", percent(low), percent(high))
}

/// A number rounded to whole units with thousands separators: 12226.515 → "12,227",
/// −165.8 → "−166".
pub fn count(x: f64) -> String {
    fixed(x, 0)
}

/// A whole count with a sign in front: "+46", "−166", "0".
pub fn signed_count(x: f64) -> String {
    let text = count(x);
    if text.starts_with(MINUS) || text == "0" {
        text
    } else {
        format!("+{text}")
    }
}

/// A number to `decimals` places with thousands separators and a true minus sign;
/// a value that rounds to zero is printed without a sign.
pub fn fixed(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "–".to_string();
    }
    let text = format!("{:.decimals$}", x.abs());
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (text.as_str(), None),
    };
    let mut out = String::with_capacity(text.len() + whole.len() / 3 + 1);
    let is_zero = text.chars().all(|c| c == '0' || c == '.');
    if x < 0.0 && !is_zero {
        out.push(MINUS);
    }
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(fraction) = fraction {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

/// A small positive quantity to `digits` significant figures: 0.0020045 → "0.002005",
/// 893.03 → "893.0" (never fewer than one decimal place, never scientific notation).
pub fn significant(x: f64, digits: usize) -> String {
    if x == 0.0 || !x.is_finite() {
        return fixed(x, 1);
    }
    let magnitude = x.abs().log10().floor() as i64;
    let decimals = (digits as i64 - 1 - magnitude).max(1) as usize;
    fixed(x, decimals)
}

/// A p-value: four significant figures, or "< 0.0001" below that (a p-value stored as 0
/// is below the precision of a double, not zero).
pub fn p_value(p: f64) -> String {
    if p < 0.0001 {
        "< 0.0001".to_string()
    } else {
        significant(p, 4)
    }
}

/// A confidence level as a percentage: 0.95 → "95%", 0.998 → "99.8%".
pub fn level(confidence: f64) -> String {
    let text = format!("{:.6}", confidence * 100.0);
    format!("{}%", text.trim_end_matches('0').trim_end_matches('.'))
}

/// An ordinal for ranks: 1 → "1st", 2 → "2nd", 3 → "3rd", 11 → "11th", 22 → "22nd".
pub fn ordinal(n: u64) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// A list in words: "A", "A and B", "A, B and C".
pub fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests;
