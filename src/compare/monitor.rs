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

/// One period of one unit's outcome mix: a focus force's quarter from the Home Office tables,
/// or a month of the extract's crimes in scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MixPeriod {
    /// The unit.
    pub unit: String,
    /// The period's label.
    pub label: String,
    /// Its first and last days.
    pub days: (i64, i64),
    /// Its counts by outcome type (0–22).
    pub types: [u64; 23],
}

impl MixPeriod {
    /// The counts of [`GROUPS`].
    #[must_use]
    pub fn groups(&self) -> [u64; 7] {
        group_counts(&self.types)
    }
}

/// Each focus force's outcome mix by period, summed over its cells in scope that keep counts
/// by outcome type ([`crate::measure::Cell::types`]). A type whose sum over a period is below
/// zero (negative revisions) counts as zero; a cell left out whole for a missing count adds
/// nothing, as it adds nothing to the rates.
#[must_use]
pub fn mix_series(scoped: &[&crate::measure::Cell], focus: &[String]) -> Vec<MixPeriod> {
    use std::collections::BTreeMap;
    // (unit, period order, label) → (first and last days, counts by type).
    type Key<'c> = (&'c str, i64, &'c str);
    let mut sums: BTreeMap<Key, ((i64, i64), [i64; 23])> = BTreeMap::new();
    for cell in scoped {
        let Some(types) = cell.types.as_deref() else {
            continue;
        };
        if !focus.iter().any(|f| f == &cell.unit) {
            continue;
        }
        let entry = sums
            .entry((
                cell.unit.as_str(),
                cell.period.order,
                cell.period.label.as_str(),
            ))
            .or_insert_with(|| (crate::compare::trend::period_days(&cell.period), [0; 23]));
        for (sum, count) in entry.1.iter_mut().zip(types) {
            *sum = sum.saturating_add(*count);
        }
    }
    sums.into_iter()
        .map(|((unit, _, label), (days, types))| MixPeriod {
            unit: unit.to_string(),
            label: label.to_string(),
            days,
            types: types.map(|c| u64::try_from(c).unwrap_or(0)),
        })
        .collect()
}

/// Each event's displacement on each unit's outcome mix (`series` grouped by unit, in period
/// order), with `windows` periods before and after.
///
/// # Errors
///
/// The errors of [`displacement`].
pub fn mix_displacement(
    series: &[MixPeriod],
    monitor: &MonitorConfig,
    windows: (usize, usize),
    level: Level,
) -> Result<Vec<DisplacementEffect>> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < series.len() {
        let unit = &series[start].unit;
        let end = start
            + series[start..]
                .iter()
                .take_while(|p| &p.unit == unit)
                .count();
        let periods = &series[start..end];
        let days: Vec<(i64, i64)> = periods.iter().map(|p| p.days).collect();
        let types: Vec<[u64; 23]> = periods.iter().map(|p| p.types).collect();
        out.extend(displacement(unit, &days, &types, monitor, windows, level)?);
        start = end;
    }
    Ok(out)
}

/// The outcome groups displacement tracks, as (name, outcome types).
pub const GROUPS: [(&str, &[u8]); 7] = [
    ("16", &[16]),
    ("15", &[15]),
    ("14", &[14]),
    ("18", &[18]),
    ("1 (charge or summons)", &[1]),
    ("out-of-court (2-8, 22)", &[2, 3, 4, 5, 6, 7, 8, 22]),
    ("other", &[9, 10, 11, 12, 13, 17, 20, 21]),
];

/// The group counts of a period's assigned outcomes (types 1–22; type 19 and 0 are not
/// assigned outcomes).
#[must_use]
pub fn group_counts(types: &[u64; 23]) -> [u64; 7] {
    let mut out = [0; 7];
    for (g, (_, members)) in GROUPS.iter().enumerate() {
        out[g] = members.iter().map(|&t| types[usize::from(t)]).sum();
    }
    out
}

/// What one event did to the mix of outcomes.
#[derive(Debug, Clone, PartialEq)]
pub struct DisplacementEffect {
    /// The unit.
    pub unit: String,
    /// The event.
    pub event: Event,
    /// The group counts before and after (the same windows as [`effects`]).
    pub before: [u64; 7],
    /// After.
    pub after: [u64; 7],
    /// The comparison, when both sides have outcomes 15 or 16.
    pub comparison: Option<crate::stats::displacement::Displacement>,
    /// In words: whether a fall in 16 came with a rise in 15.
    pub sentence: String,
}

/// Each event's displacement: `types[k]` holds period k's outcome-type counts; `days` each
/// period's first and last days.
///
/// # Errors
///
/// The errors of `stats::displacement` other than an empty side.
pub fn displacement(
    unit: &str,
    days: &[(i64, i64)],
    types: &[[u64; 23]],
    monitor: &MonitorConfig,
    windows: (usize, usize),
    level: Level,
) -> Result<Vec<DisplacementEffect>> {
    let mut out = Vec::new();
    for event in &monitor.events {
        let Some(t0) = crate::compare::trend::first_after(days, event.day).filter(|&i| i > 0)
        else {
            continue;
        };
        let sum = |range: std::ops::Range<usize>| {
            let mut total = [0u64; 7];
            for period in &types[range] {
                for (t, c) in group_counts(period).iter().enumerate() {
                    total[t] += c;
                }
            }
            total
        };
        let before = sum(t0.saturating_sub(windows.0)..t0);
        let after = sum(t0..(t0 + windows.1).min(types.len()));
        let comparison = crate::stats::displacement::compare(&before, &after, 0, 1, level).ok();
        let sentence = match &comparison {
            None => format!(
                "after {}: too few outcomes 15 and 16 to compare",
                event.label
            ),
            Some(d) => displacement_sentence(&event.label, &d.groups[0], d),
        };
        out.push(DisplacementEffect {
            unit: unit.to_string(),
            event: event.clone(),
            before,
            after,
            comparison,
            sentence,
        });
    }
    Ok(out)
}

/// "Consistent with displacement" only when 16 fell, 15's share of 15 ∪ 16 rose (both at
/// p < 0.05) and the combined share did not fall significantly; never a finding of it.
fn displacement_sentence(
    label: &str,
    sixteen: &crate::stats::displacement::GroupShift,
    d: &crate::stats::displacement::Displacement,
) -> String {
    let percent = |x: f64| format!("{:.1}%", 100.0 * x);
    let fell = sixteen.difference.interval.upper < 0.0;
    let rose_within = d.share_15_of_pair.1 > d.share_15_of_pair.0 && d.share_15_p < 0.05;
    let combined_fell = d.combined.1 < d.combined.0 && d.combined_p < 0.05;
    let shares = format!(
        "outcome 16's share of assigned outcomes went from {} to {}; outcome 15's share of 15 and 16 together from {} to {} ({}); 15 and 16 together from {} to {} ({})",
        percent(sixteen.before),
        percent(sixteen.after),
        percent(d.share_15_of_pair.0),
        percent(d.share_15_of_pair.1),
        crate::wording::p_phrase(d.share_15_p),
        percent(d.combined.0),
        percent(d.combined.1),
        crate::wording::p_phrase(d.combined_p)
    );
    let verdict = match (fell, rose_within, combined_fell) {
        (true, true, false) => "the fall in 16 came with a rise in 15 and little change in the two together: consistent with displacement to outcome 15 (the data cannot tell relabelling from a real change in victims' support)",
        (true, true, true) => "16 fell and 15 rose within the pair, but the two together also fell: partly consistent with displacement",
        (true, false, _) => "16 fell without a rise in 15's share: no sign of displacement to 15",
        (false, _, _) => "16 did not fall significantly",
    };
    format!("after {label}: {shares}; {verdict}")
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
