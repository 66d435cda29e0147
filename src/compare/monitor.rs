//! Monitoring against the action plan: for each dated event and each series that reaches
//! it, the rates in windows before and after (their difference and ratio with intervals), an
//! interrupted time series fitted on the periods between the events around it, and a
//! sustained shift after it called out in words. Shared by the national trend's focus units
//! (quarters) and the extract's months.
//!
//! Invariant: the statistics come from `stats::its`; a series that does not reach an event,
//! or has too few periods on a side for the regression, gets a row that says so, never NaN.

use anyhow::Result;

use crate::config::monitor::{Event, MonitorConfig};
use crate::stats::its::{katz, newcombe, segmented, Difference, Ratio, Segmented};
use crate::stats::spc::phases::Variation;
use crate::stats::spc::RuleHits;
use crate::stats::Level;

/// One point of a series, as monitoring reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesPoint {
    /// The period's label.
    pub label: String,
    /// Its first and last days.
    pub days: (i64, i64),
    /// The numerator.
    pub x: u64,
    /// The denominator.
    pub n: u64,
    /// Its rule hits.
    pub rules: RuleHits,
    /// Its variation.
    pub variation: Option<Variation>,
    /// Whether it lies above its centre line.
    pub above: bool,
}

/// What one event did to one series.
#[derive(Debug, Clone, PartialEq)]
pub struct EventEffect {
    /// The unit (a force, or the extract's scope).
    pub unit: String,
    /// The event.
    pub event: Event,
    /// The first period after it (the first starting on or after its day).
    pub first_after: Option<String>,
    /// The periods before it compared: first and last labels, count.
    pub before_periods: (String, String, usize),
    /// The periods after it compared.
    pub after_periods: (String, String, usize),
    /// Σx and Σn before.
    pub before: (u64, u64),
    /// Σx and Σn after.
    pub after: (u64, u64),
    /// after − before (Newcombe).
    pub difference: Option<Difference>,
    /// after / before (Katz; none when a count is 0).
    pub ratio: Option<Ratio>,
    /// The segmented regression on the periods from the previous event to the next.
    pub its: Option<Segmented>,
    /// The periods the regression used: first and last labels.
    pub its_periods: Option<(String, String)>,
    /// Why there is no regression or no comparison.
    pub note: Option<String>,
    /// A sustained shift after the event, in words.
    pub sustained: Option<String>,
}

/// Every event's effect on `points` (one unit's series, in order), with `windows` periods
/// before and after.
///
/// # Errors
///
/// The count errors of `stats::its`, which a series with n > 0 in every point cannot raise.
pub fn effects(
    unit: &str,
    points: &[SeriesPoint],
    monitor: &MonitorConfig,
    windows: (usize, usize),
    level: Level,
) -> Result<Vec<EventEffect>> {
    let mut out = Vec::with_capacity(monitor.events.len());
    let days: Vec<(i64, i64)> = points.iter().map(|p| p.days).collect();
    let index: Vec<Option<usize>> = monitor
        .events
        .iter()
        .map(|e| crate::compare::trend::first_after(&days, e.day))
        .collect();
    for (k, event) in monitor.events.iter().enumerate() {
        let empty = (String::new(), String::new(), 0);
        let mut effect = EventEffect {
            unit: unit.to_string(),
            event: event.clone(),
            first_after: None,
            before_periods: empty.clone(),
            after_periods: empty,
            before: (0, 0),
            after: (0, 0),
            difference: None,
            ratio: None,
            its: None,
            its_periods: None,
            note: None,
            sustained: None,
        };
        let Some(t0) = index[k].filter(|&i| i > 0) else {
            effect.note = Some("the series has no periods on one side of the event".into());
            out.push(effect);
            continue;
        };
        effect.first_after = Some(points[t0].label.clone());
        let before = t0.saturating_sub(windows.0)..t0;
        let after = t0..(t0 + windows.1).min(points.len());
        let span = |range: &std::ops::Range<usize>| {
            (
                points[range.start].label.clone(),
                points[range.end - 1].label.clone(),
                range.len(),
            )
        };
        effect.before_periods = span(&before);
        effect.after_periods = span(&after);
        let sum = |range: &std::ops::Range<usize>| {
            points[range.clone()]
                .iter()
                .fold((0, 0), |(x, n), p| (x + p.x, n + p.n))
        };
        effect.before = sum(&before);
        effect.after = sum(&after);
        let ((x1, n1), (x2, n2)) = (effect.before, effect.after);
        effect.difference = Some(newcombe(x1, n1, x2, n2, level)?);
        effect.ratio = katz(x1, n1, x2, n2, level)?;
        // The regression runs from the previous event's first period to the next event's.
        let from = index[..k]
            .iter()
            .rev()
            .flatten()
            .copied()
            .find(|&i| i < t0)
            .unwrap_or(0);
        let to = index[k + 1..]
            .iter()
            .flatten()
            .copied()
            .find(|&i| i > t0)
            .unwrap_or(points.len());
        let xs: Vec<u64> = points[from..to].iter().map(|p| p.x).collect();
        let ns: Vec<u64> = points[from..to].iter().map(|p| p.n).collect();
        let (periods_before, periods_after) = (t0 - from, to - t0);
        if periods_before < 3 || periods_after < 3 {
            effect.note = Some(format!(
                "no interrupted time series: {periods_before} {} before and {periods_after} after (it needs at least 3 on each side)",
                if periods_before == 1 { "period" } else { "periods" }
            ));
        } else {
            match segmented(&xs, &ns, t0 - from + 1, level) {
                Ok(fit) => {
                    effect.its = Some(fit);
                    effect.its_periods =
                        Some((points[from].label.clone(), points[to - 1].label.clone()));
                }
                Err(e) => effect.note = Some(format!("no interrupted time series: {e}")),
            }
        }
        effect.sustained = sustained_shift(points, t0, to, &event.label);
        out.push(effect);
    }
    Ok(out)
}

/// The first run of shift points that starts at or after `t0` (a run already under way
/// before the event is not the event's) and before `to`, in words.
fn sustained_shift(points: &[SeriesPoint], t0: usize, to: usize, label: &str) -> Option<String> {
    let start = (t0..to).find(|&i| points[i].rules.shift && !points[i - 1].rules.shift)?;
    let end = (start..points.len())
        .find(|&i| !points[i].rules.shift)
        .unwrap_or(points.len());
    let variation = points[start].variation?;
    Some(format!(
        "after {label}, {} periods in a row from {} to {} lay {} the centre line: a sustained shift, {}",
        end - start,
        points[start].label,
        points[end - 1].label,
        if points[start].above { "above" } else { "below" },
        variation.words()
    ))
}

#[cfg(test)]
mod tests;
