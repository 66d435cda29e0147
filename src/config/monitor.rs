//! Monitoring against the action plan (`[[events]]`, `[spc] baseline`, `phases` and
//! `direction`, `[monitor]`): the dated events, the fixed baseline and phases of the control
//! charts, which way is better, the before/after windows and the target.
//!
//! Invariant: every date here is a day (days since 1970-01-01) on the calendar; a quarter
//! (`2019/20 Q1`) or a month (`2019-04`) names its first day for an event or a `from`, and its
//! last day for a `to`. Whether an event or a baseline lies inside the data is checked by the
//! run, which knows the periods; everything checkable here is, each error naming its key.

use anyhow::{bail, Result};
use serde::Deserialize;

use crate::dates;
use crate::record::{parse_financial_year, parse_quarter, Period};
use crate::stats::spc::phases::Improvement;

/// What kind of event it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// The action plan itself, or a step of it.
    ActionPlan,
    /// Training of officers or supervisors.
    Training,
    /// A change of policy or guidance.
    Policy,
    /// A change in how crimes or outcomes are recorded.
    Recording,
    /// An inspection or a published report.
    Inspection,
    /// Anything else.
    Other,
}

impl EventKind {
    /// Every kind, with its name in the analysis file.
    pub const ALL: [(EventKind, &'static str); 6] = [
        (EventKind::ActionPlan, "action_plan"),
        (EventKind::Training, "training"),
        (EventKind::Policy, "policy"),
        (EventKind::Recording, "recording"),
        (EventKind::Inspection, "inspection"),
        (EventKind::Other, "other"),
    ];

    /// Its name in the analysis file and the outputs.
    #[must_use]
    pub fn name(self) -> &'static str {
        EventKind::ALL
            .iter()
            .find(|(k, _)| *k == self)
            .map_or("other", |(_, n)| n)
    }
}

/// A dated event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The first day it applies (a quarter or a month: its first day).
    pub day: i64,
    /// The date as written.
    pub written: String,
    /// What it was.
    pub label: String,
    /// Its kind.
    pub kind: EventKind,
    /// Whether the control charts start a new phase at it.
    pub starts_phase: bool,
    /// Where it was written (`events[2]`, or `events.csv:3` in an events file), for errors.
    pub place: String,
}

/// The monitoring settings.
#[derive(Debug, Clone, PartialEq)]
pub struct MonitorConfig {
    /// The events, by day.
    pub events: Vec<Event>,
    /// The baseline, as first and last days.
    pub baseline: Option<(i64, i64)>,
    /// The baseline as written (`from`, `to`).
    pub baseline_written: Option<(String, String)>,
    /// Which way is better.
    pub improvement: Improvement,
    /// Whether the analysis file said so (otherwise it is the default for the outcome).
    pub improvement_given: bool,
    /// Periods before and after each event for the before/after comparison of quarterly series.
    pub quarters: (usize, usize),
    /// Months before and after each event for monthly series.
    pub months: (usize, usize),
    /// The target, if any.
    pub target: Option<MonitorTarget>,
}

/// A target rate and the period by which it should be met.
#[derive(Debug, Clone, PartialEq)]
pub struct MonitorTarget {
    /// The rate.
    pub rate: f64,
    /// The last day of the period named in `by`.
    pub by_day: i64,
    /// `by` as written.
    pub by: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEvent {
    date: Option<String>,
    quarter: Option<String>,
    label: String,
    kind: Option<String>,
    /// Start a new phase of the control charts here (also `[spc] phases = "events"`).
    phase: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBaseline {
    from: String,
    to: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMonitor {
    /// A CSV of events (`date` or `quarter`, `label`, `kind`, `phase`), relative to the
    /// analysis file; read by `config.rs` and added to `[[events]]`.
    pub(super) events_file: Option<String>,
    target: Option<RawTarget>,
    /// Periods before and after each event: `{ before = 4, after = 4 }`.
    quarters: Option<RawWindow>,
    /// Months before and after each event: `{ before = 6, after = 6 }`.
    months: Option<RawWindow>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTarget {
    rate: f64,
    by: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWindow {
    before: usize,
    after: usize,
}

/// One event before it is checked, with where it was written: `events[2]` in the analysis
/// file, or `events.csv:3` in an events file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventInput {
    /// Where it was written.
    pub place: String,
    /// Whether `place` is a file and line (its fields are then named after `: `).
    pub in_file: bool,
    /// `date`.
    pub date: Option<String>,
    /// `quarter`.
    pub quarter: Option<String>,
    /// `label`.
    pub label: String,
    /// `kind`.
    pub kind: Option<String>,
    /// `phase`.
    pub phase: Option<bool>,
}

impl EventInput {
    /// How an error names one of its fields: `events[2].date:` or `events.csv:3: date`.
    fn field(&self, name: &str) -> String {
        if self.in_file {
            format!("{}: {name}", self.place)
        } else {
            format!("{}.{name}:", self.place)
        }
    }
}

/// The columns an events file may have.
pub const EVENT_COLUMNS: [&str; 5] = ["date", "quarter", "label", "kind", "phase"];

/// The largest events file read (an action plan has tens of events, not millions).
const MAX_EVENT_ROWS: usize = 10_000;

/// Reads an events file: a header with `label` and `date` or `quarter` (and optionally
/// `kind` and `phase`), matched ignoring case and spaces, then one event per row. `file` names
/// the file in errors, each of which gives its line and value.
///
/// # Errors
///
/// An empty file, a header without `label` or without `date` and `quarter`, an unknown or
/// repeated column, a row of another length, a `phase` other than yes/no/true/false/1/0, more
/// than 10,000 rows.
pub fn parse_events_csv(text: &str, file: &str) -> Result<Vec<EventInput>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(at) = unclosed_quote(text) {
        bail!(
            "{file}:{}: a quoted field is not closed before the end of the file (truncated file?)",
            text[..at].matches('\n').count() + 1
        );
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    // Each record with the line it starts on. The lines are counted from the last record's
    // start (records come in order), so the file is scanned once.
    let (mut counted_to, mut lines_before) = (0usize, 0u64);
    let mut next = move || -> Result<Option<(u64, csv::StringRecord)>> {
        let mut record = csv::StringRecord::new();
        match reader.read_record(&mut record) {
            Ok(true) => {
                // The record's position is where reading began, before any blank lines the
                // reader passed over (its line count lags behind CRLF files): the record's
                // line is that of the first byte after them.
                let mut at = record.position().map_or(0, |p| p.byte() as usize);
                while matches!(text.as_bytes().get(at), Some(b'\r' | b'\n')) {
                    at += 1;
                }
                let at = at.min(text.len()).max(counted_to);
                lines_before += text.as_bytes()[counted_to..at]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count() as u64;
                counted_to = at;
                Ok(Some((lines_before + 1, record)))
            }
            Ok(false) => Ok(None),
            Err(e) => bail!("{file}:{}: {}", csv_line(&e), csv_problem(&e)),
        }
    };
    let (header_line, header) = loop {
        match next()? {
            None => bail!("{file}: the events file is empty; its first line names the columns (date or quarter, label, kind, phase)"),
            Some((_, r)) if r.iter().all(|f| f.trim().is_empty()) => continue,
            Some(found) => break found,
        }
    };
    let mut columns: [Option<usize>; 5] = [None; 5];
    for (k, name) in header.iter().enumerate() {
        let key = crate::normalise::text::match_key(name);
        let Some(c) = EVENT_COLUMNS.iter().position(|c| *c == key) else {
            bail!(
                "{file}:{header_line}: column {:?} is not one of {}",
                shown(name),
                EVENT_COLUMNS.join(", ")
            );
        };
        if let Some(first) = columns[c] {
            bail!(
                "{file}:{header_line}: column {:?} appears twice (columns {} and {})",
                EVENT_COLUMNS[c],
                first + 1,
                k + 1
            );
        }
        columns[c] = Some(k);
    }
    if columns[2].is_none() {
        bail!("{file}:{header_line}: the header has no label column (columns: date or quarter, label, kind, phase)");
    }
    if columns[0].is_none() && columns[1].is_none() {
        bail!("{file}:{header_line}: the header has neither a date nor a quarter column");
    }
    let mut out = Vec::new();
    while let Some((line, record)) = next()? {
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if record.len() != header.len() {
            bail!(
                "{file}:{line}: the row has {} fields, the header {}",
                record.len(),
                header.len()
            );
        }
        if out.len() == MAX_EVENT_ROWS {
            bail!("{file}:{line}: more than {MAX_EVENT_ROWS} events; an events file lists an action plan's dated steps");
        }
        let cell = |c: usize| {
            columns[c]
                .and_then(|k| record.get(k))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let phase = match cell(4) {
            None => None,
            Some(v) => Some(crate::normalise::values::parse_yes_no(&v).ok_or_else(|| {
                anyhow::anyhow!(
                    "{file}:{line}: phase {:?} is not yes or no (true/false, 1/0; empty for no)",
                    shown(&v)
                )
            })?),
        };
        out.push(EventInput {
            place: format!("{file}:{line}"),
            in_file: true,
            date: cell(0),
            quarter: cell(1),
            label: cell(2).unwrap_or_default(),
            kind: cell(3),
            phase,
        });
    }
    Ok(out)
}

/// Where the quoted field that the text ends inside opens, if it does (RFC 4180: a quote
/// opens a field only at its start, and `""` inside one is a quote).
fn unclosed_quote(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let (mut open, mut at_start) = (None, true);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match open {
            Some(_) if b == b'"' && bytes.get(i + 1) == Some(&b'"') => i += 1,
            Some(_) if b == b'"' => open = None,
            Some(_) => {}
            None if b == b'"' && at_start => open = Some(i),
            None => {}
        }
        at_start = open.is_none() && matches!(b, b',' | b'\n' | b'\r');
        i += 1;
    }
    open
}

/// A value as an error shows it: at most 60 characters.
fn shown(value: &str) -> String {
    if value.chars().count() > 60 {
        format!(
            "{}… ({} characters)",
            value.chars().take(60).collect::<String>(),
            value.chars().count()
        )
    } else {
        value.to_string()
    }
}

fn csv_line(e: &csv::Error) -> u64 {
    e.position().map_or(0, csv::Position::line)
}

fn csv_problem(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "not valid UTF-8".to_string(),
        _ => "not a CSV row".to_string(),
    }
}

/// Reads and checks an events file as [`build`] checks `[[events]]` (for the fuzz target and
/// the tests).
///
/// # Errors
///
/// Those of [`parse_events_csv`] and of checking each event.
pub fn events_from_csv(text: &str, file: &str) -> Result<Vec<Event>> {
    parse_events_csv(text, file)?
        .into_iter()
        .map(|e| check_event(e, false))
        .collect()
}

/// Checks one event: its date or quarter, label and kind.
fn check_event(event: EventInput, phases_at_events: bool) -> Result<Event> {
    let (day, written) = match (&event.date, &event.quarter) {
        (Some(date), None) => (
            parse_day(date, false).ok_or_else(|| {
                anyhow::anyhow!(
                    "{} {:?} is not a date (2019-04-01), a month (2019-04) or a quarter (2019/20 Q1)",
                    event.field("date"),
                    shown(date)
                )
            })?,
            date.trim().to_string(),
        ),
        (None, Some(quarter)) => (
            quarter_day(quarter, false).ok_or_else(|| {
                anyhow::anyhow!(
                    "{} {:?} is not a quarter such as \"2019/20 Q1\"",
                    event.field("quarter"),
                    shown(quarter)
                )
            })?,
            quarter.trim().to_string(),
        ),
        (Some(_), Some(_)) => bail!("{}: give date or quarter, not both", event.place),
        (None, None) => bail!(
            "{}: give a date (2019-04-01) or a quarter (2019/20 Q1)",
            event.place
        ),
    };
    if event.label.trim().is_empty() {
        bail!(
            "{} an event needs a label for the charts and the report",
            if event.in_file {
                format!("{}: label:", event.place)
            } else {
                event.field("label")
            }
        );
    }
    let kind = match event.kind.as_deref().map(str::trim) {
        None => EventKind::Other,
        Some(text) => EventKind::ALL
            .iter()
            .find(|(_, n)| *n == text)
            .map(|(k, _)| *k)
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "{} {:?} is not one of {}",
                    event.field("kind"),
                    shown(text),
                    EventKind::ALL.map(|(_, n)| n).join(", ")
                )
            })?,
    };
    Ok(Event {
        day,
        written,
        label: event.label.trim().to_string(),
        kind,
        starts_phase: phases_at_events || event.phase.unwrap_or(false),
        place: event.place,
    })
}

/// The `[spc]` keys that belong to monitoring.
#[derive(Debug, Default)]
pub(super) struct RawSpcMonitor {
    pub(super) baseline: Option<RawBaseline>,
    pub(super) phases: Option<String>,
    pub(super) direction: Option<String>,
}

/// Builds the monitoring settings. `outcomes` is the numerator: outcome 16 alone has lower as
/// better by default, anything else no direction until `[spc] direction` gives one.
pub(super) fn build(
    events: Vec<RawEvent>,
    from_file: Vec<EventInput>,
    spc: RawSpcMonitor,
    monitor: Option<RawMonitor>,
    outcomes: &[u8],
) -> Result<MonitorConfig> {
    let phases_at_events = match spc.phases.as_deref() {
        None | Some("none") => false,
        Some("events") => true,
        Some(other) => bail!(
            "spc.phases: {other:?} is not \"events\" (a new phase at every event) or \"none\"; to start a phase at one event, give it phase = true"
        ),
    };
    let inputs = events
        .into_iter()
        .enumerate()
        .map(|(k, e)| EventInput {
            place: format!("events[{}]", k + 1),
            in_file: false,
            date: e.date,
            quarter: e.quarter,
            label: e.label,
            kind: e.kind,
            phase: e.phase,
        })
        .chain(from_file);
    let mut built = inputs
        .map(|e| check_event(e, phases_at_events))
        .collect::<Result<Vec<Event>>>()?;
    built.sort_by_key(|e| e.day);
    if let Some(pair) = built
        .windows(2)
        .find(|w| w[0].day == w[1].day && w[0].starts_phase)
    {
        bail!(
            "events: {:?} and {:?} fall on the same day ({}); one phase cannot start twice",
            pair[0].label,
            pair[1].label,
            pair[0].written
        );
    }
    let baseline = match &spc.baseline {
        None => None,
        Some(b) => {
            let from = parse_day(&b.from, false).ok_or_else(|| {
                anyhow::anyhow!("spc.baseline.from: {:?} is not a quarter (2018/19 Q1), a month (2018-04) or a date", b.from)
            })?;
            let to = parse_day(&b.to, true).ok_or_else(|| {
                anyhow::anyhow!("spc.baseline.to: {:?} is not a quarter (2018/19 Q4), a month (2019-03) or a date", b.to)
            })?;
            if to < from {
                bail!(
                    "spc.baseline: to ({:?}) is before from ({:?})",
                    b.to,
                    b.from
                );
            }
            Some((from, to))
        }
    };
    let (improvement, improvement_given) = match spc.direction.as_deref() {
        None if outcomes == [16] => (Improvement::Lower, false),
        None => (Improvement::Neutral, false),
        Some("lower") => (Improvement::Lower, true),
        Some("higher") => (Improvement::Higher, true),
        Some("neutral") => (Improvement::Neutral, true),
        Some(other) => bail!("spc.direction: {other:?} is not lower, higher or neutral"),
    };
    let monitor = monitor.unwrap_or_default();
    let window =
        |w: Option<RawWindow>, key: &str, default: (usize, usize)| -> Result<(usize, usize)> {
            match w {
                None => Ok(default),
                Some(w) if w.before >= 1 && w.after >= 1 => Ok((w.before, w.after)),
                Some(w) => bail!(
                    "monitor.{key}: before = {} and after = {} must both be at least 1",
                    w.before,
                    w.after
                ),
            }
        };
    let quarters = window(monitor.quarters, "quarters", (4, 4))?;
    let months = window(monitor.months, "months", (6, 6))?;
    let target = match monitor.target {
        None => None,
        Some(t) => {
            if !(0.0..=1.0).contains(&t.rate) {
                bail!(
                    "monitor.target.rate: {} is not a rate in [0, 1] (0.2 for 20%)",
                    t.rate
                );
            }
            let by_day = parse_day(&t.by, true).ok_or_else(|| {
                anyhow::anyhow!(
                    "monitor.target.by: {:?} is not a quarter (2019/20 Q4), a month or a date",
                    t.by
                )
            })?;
            Some(MonitorTarget {
                rate: t.rate,
                by_day,
                by: t.by.trim().to_string(),
            })
        }
    };
    Ok(MonitorConfig {
        events: built,
        baseline,
        baseline_written: spc
            .baseline
            .map(|b| (b.from.trim().into(), b.to.trim().into())),
        improvement,
        improvement_given,
        quarters,
        months,
        target,
    })
}

/// A quarter (`2019/20 Q1`), a month (`2019-04`) or a date, as its first day (or, with
/// `last`, its last day).
pub fn parse_day(text: &str, last: bool) -> Option<i64> {
    let text = text.trim();
    if let Some(day) = quarter_day(text, last) {
        return Some(day);
    }
    if let Some((year, month)) = text.split_once('-').filter(|(y, m)| {
        y.len() == 4 && (1..=2).contains(&m.len()) && m.bytes().all(|b| b.is_ascii_digit())
    }) {
        let (year, month): (i64, i64) = (year.parse().ok()?, month.parse().ok()?);
        if !(1..=12).contains(&month) {
            return None;
        }
        return Some(if last {
            dates::days_from_civil(year, month, dates::days_in_month(year, month))
        } else {
            dates::days_from_civil(year, month, 1)
        });
    }
    dates::parse(text).map(|t| t.div_euclid(dates::SECONDS_PER_DAY))
}

/// A quarter's first (or last) day.
fn quarter_day(text: &str, last: bool) -> Option<i64> {
    let (year, quarter) = text.trim().rsplit_once(' ')?;
    let period = Period::new(parse_financial_year(year)?, parse_quarter(quarter)?)?;
    let start = i64::from(period.start_days_since_epoch());
    if !last {
        return Some(start);
    }
    let (y, m, _) = dates::civil_from_days(start);
    let end_month = y * 12 + m - 1 + 3;
    Some(dates::days_from_civil(end_month.div_euclid(12), end_month.rem_euclid(12) + 1, 1) - 1)
}

#[cfg(test)]
mod tests;
