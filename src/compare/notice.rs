//! Notices: what is partial, missing or left out in the data a comparison rests on, in words
//! for stderr, `summary.json` and the report's opening.

pub use crate::wording::{plural, thousands};

/// Something partial, missing or left out that the numbers rest on: printed on stderr,
/// written to `summary.json` and opened with in the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// What kind of thing.
    pub kind: NoticeKind,
    /// How many (cells, units, rows or points, as the text says).
    pub count: u64,
    /// One sentence for a reader, naming what to look at.
    pub text: String,
}

/// The kinds of [`Notice`], in the order they are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NoticeKind {
    /// The configured period is not fully covered by the data.
    PartialPeriod,
    /// Units that hold fewer periods than the national set.
    PartialUnits,
    /// Count cells that were missing, and the cells left out for them.
    MissingCounts,
    /// Rows of the inputs that were quarantined.
    QuarantinedRows,
    /// Units with no denominator in scope and period, left out of the funnel.
    NoDenominator,
    /// A funnel with fewer than [`FEW_UNITS`] units.
    FewUnits,
    /// Control charts with fewer than [`SHORT_SERIES`] points.
    ShortSeries,
    /// Units whose control chart has no limits (a rate of 0 or 1 throughout).
    NoControlLimits,
}

impl NoticeKind {
    /// The name in `summary.json`.
    pub fn name(self) -> &'static str {
        match self {
            NoticeKind::PartialPeriod => "partial_period",
            NoticeKind::PartialUnits => "partial_units",
            NoticeKind::MissingCounts => "missing_counts",
            NoticeKind::QuarantinedRows => "quarantined_rows",
            NoticeKind::NoDenominator => "no_denominator",
            NoticeKind::FewUnits => "few_units",
            NoticeKind::ShortSeries => "short_series",
            NoticeKind::NoControlLimits => "no_control_limits",
        }
    }

    /// Whether `--strict` fails the run on it: quarantined rows, missing counts in scope and
    /// units compared on part of the period.
    pub fn strict(self) -> bool {
        matches!(
            self,
            NoticeKind::PartialUnits | NoticeKind::MissingCounts | NoticeKind::QuarantinedRows
        )
    }
}

/// Below this many units a funnel's φ and τ² rest on too few units to be trusted.
pub const FEW_UNITS: usize = 5;

/// Below this many points a control chart's limits are trial limits (Making Data Count).
pub const SHORT_SERIES: usize = 12;

/// Names as a list for a sentence, the first `shown` of them and how many more.
pub fn name_list(names: &[String], shown: usize) -> String {
    let mut text = names
        .iter()
        .take(shown)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > shown {
        text.push_str(&format!(" and {} more", names.len() - shown));
    }
    text
}
