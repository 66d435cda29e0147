//! Header alias tables: the only place source column names are known.
//!
//! Invariant: a header cell matches a canonical field only if its [`match_key`] equals one
//! alias exactly. Count columns are never matched by substring, because
//! `Force outcomes recorded in quarter` and `Force outcomes for offences recorded in quarter`
//! share most of their words and are different bases (DATA.md §2.3).

use crate::normalise::text::match_key;
use crate::record::Basis;

/// A field of a Home Office outcomes table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoField {
    /// `Financial Year`.
    FinancialYear,
    /// `Financial Quarter`.
    Quarter,
    /// `Force Name`.
    Force,
    /// `Offence Code`.
    OffenceCode,
    /// `Offence Description`.
    OffenceDescription,
    /// `Offence Group`.
    OffenceGroup,
    /// `Offence Subgroup`.
    OffenceSubgroup,
    /// `Offence code expired` (optional).
    OffenceCodeExpired,
    /// `Outcome Type` (the number).
    OutcomeType,
    /// `Outcome Description` (optional; we key on the number).
    OutcomeDescription,
    /// `Outcome Group` (optional; never used to select).
    OutcomeGroup,
    /// One of the two count columns.
    Count(Basis),
}

/// Aliases for each field, compared by [`match_key`] (so written here in lower case).
/// Count-column aliases come from DATA.md §2.3: Family A, Family B and the `Number of` variant.
const HO_ALIASES: &[(HoField, &[&str])] = &[
    (HoField::FinancialYear, &["financial year"]),
    (HoField::Quarter, &["financial quarter", "quarter"]),
    (HoField::Force, &["force name", "force"]),
    (HoField::OffenceCode, &["offence code"]),
    (HoField::OffenceDescription, &["offence description"]),
    (HoField::OffenceGroup, &["offence group"]),
    (
        HoField::OffenceSubgroup,
        &["offence subgroup", "offence sub-group", "offence sub group"],
    ),
    (HoField::OffenceCodeExpired, &["offence code expired"]),
    (HoField::OutcomeType, &["outcome type"]),
    (HoField::OutcomeDescription, &["outcome description"]),
    (HoField::OutcomeGroup, &["outcome group"]),
    (
        HoField::Count(Basis::RecordedInPeriod),
        &[
            "force outcomes for offences recorded in quarter",
            "outcomes for offences that were recorded in the quarter",
            "number of outcomes for offences that were recorded in the quarter",
        ],
    ),
    (
        HoField::Count(Basis::AssignedInPeriod),
        &[
            "force outcomes recorded in quarter",
            "outcomes for investigations closed in the quarter",
            "number of outcomes for investigations that were closed in the quarter",
        ],
    ),
];

/// Fields without which a Home Office table cannot be loaded, with the name to report.
const HO_REQUIRED: &[(HoField, &str)] = &[
    (HoField::FinancialYear, "Financial Year"),
    (HoField::Quarter, "Financial Quarter"),
    (HoField::Force, "Force Name"),
    (HoField::OffenceCode, "Offence Code"),
    (HoField::OffenceDescription, "Offence Description"),
    (HoField::OffenceGroup, "Offence Group"),
    (HoField::OffenceSubgroup, "Offence Subgroup"),
    (HoField::OutcomeType, "Outcome Type"),
    (
        HoField::Count(Basis::RecordedInPeriod),
        "Force outcomes for offences recorded in quarter (or Outcomes for offences that were recorded in the quarter)",
    ),
    (
        HoField::Count(Basis::AssignedInPeriod),
        "Force outcomes recorded in quarter (or Outcomes for investigations closed in the quarter)",
    ),
];

/// The column positions of a Home Office outcomes table.
#[derive(Debug, Clone)]
pub struct HoColumns {
    /// Index of each required or optional field.
    pub financial_year: usize,
    /// `Financial Quarter`.
    pub quarter: usize,
    /// `Force Name`.
    pub force: usize,
    /// `Offence Code`.
    pub offence_code: usize,
    /// `Offence Description`.
    pub offence_description: usize,
    /// `Offence Group`.
    pub offence_group: usize,
    /// `Offence Subgroup`.
    pub offence_subgroup: usize,
    /// `Offence code expired`, if present.
    pub offence_code_expired: Option<usize>,
    /// `Outcome Type`.
    pub outcome_type: usize,
    /// The `recorded_in_period` count column.
    pub recorded_in_period: usize,
    /// The `assigned_in_period` count column.
    pub assigned_in_period: usize,
    /// The number of header cells.
    pub width: usize,
    /// The two count columns' headers as written, for messages (recorded, assigned).
    pub count_headers: [String; 2],
    /// Header cells that matched no field (ignored, with a note).
    pub ignored: Vec<String>,
}

fn header_text<S: AsRef<str>>(cells: &[S], index: usize) -> String {
    cells
        .get(index)
        .map(|c| {
            crate::normalise::text::clean(c.as_ref().trim_start_matches('\u{FEFF}')).into_owned()
        })
        .unwrap_or_default()
}

impl HoColumns {
    /// How many leading fields hold only what the rows of one period, force and offence share
    /// (year, quarter, force, the offence's code, names and expiry, and any columns between):
    /// rows that repeat those fields' bytes repeat those values. Zero when a per-row field
    /// (outcome type or a count) comes before one of them.
    pub fn block_fields(&self) -> usize {
        let block = [
            self.financial_year,
            self.quarter,
            self.force,
            self.offence_code,
            self.offence_description,
            self.offence_group,
            self.offence_subgroup,
        ]
        .into_iter()
        .chain(self.offence_code_expired);
        let keep = block.max().map_or(0, |last| last + 1);
        let first_per_row = self
            .outcome_type
            .min(self.recorded_in_period)
            .min(self.assigned_in_period);
        if keep <= first_per_row {
            keep
        } else {
            0
        }
    }

    /// The header of the count column for `basis`, as written in the file.
    pub fn count_header(&self, basis: Basis) -> &str {
        match basis {
            Basis::RecordedInPeriod => &self.count_headers[0],
            Basis::AssignedInPeriod => &self.count_headers[1],
        }
    }

    /// The column index holding the count for `basis`.
    pub fn count(&self, basis: Basis) -> usize {
        match basis {
            Basis::RecordedInPeriod => self.recorded_in_period,
            Basis::AssignedInPeriod => self.assigned_in_period,
        }
    }
}

/// The column positions of a tidy-counts table (`unit,period,numerator,denominator` plus
/// optional grouping columns).
#[derive(Debug, Clone)]
pub struct TidyColumns {
    /// `unit`.
    pub unit: usize,
    /// `period`.
    pub period: usize,
    /// `numerator`.
    pub numerator: usize,
    /// `denominator`.
    pub denominator: usize,
    /// Every other column, kept as a grouping column: (index, cleaned header).
    pub groups: Vec<(usize, String)>,
    /// The number of header cells.
    pub width: usize,
}

/// What a header row turned out to be.
#[derive(Debug, Clone)]
pub enum HeaderMatch {
    /// A Home Office outcomes table with every required column.
    HomeOffice(HoColumns),
    /// A tidy-counts table.
    Tidy(TidyColumns),
    /// It looks like a Home Office header but lacks these required columns.
    MissingColumns(Vec<&'static str>),
    /// A header with the same field in two columns (1-based positions), so that which one
    /// holds the data cannot be known.
    DuplicateColumn {
        /// The header text of the second one.
        header: String,
        /// Its first and second column, counted from 1.
        columns: (usize, usize),
    },
}

fn ho_field(key: &str) -> Option<HoField> {
    HO_ALIASES
        .iter()
        .find(|(_, aliases)| aliases.contains(&key))
        .map(|(field, _)| *field)
}

/// Recognises a header row, or returns `None` when the row is not a header (a title row,
/// a blank row, or data).
pub fn match_header<S: AsRef<str>>(cells: &[S]) -> Option<HeaderMatch> {
    let keys: Vec<String> = cells.iter().map(|c| match_key(c.as_ref())).collect();
    let fields: Vec<Option<HoField>> = keys.iter().map(|k| ho_field(k)).collect();
    let n_matched = fields.iter().flatten().count();
    if n_matched >= 3 {
        for (second, field) in fields.iter().enumerate() {
            let Some(field) = field else { continue };
            if let Some(first) = fields[..second].iter().position(|f| f == &Some(*field)) {
                return Some(HeaderMatch::DuplicateColumn {
                    header: header_text(cells, second),
                    columns: (first + 1, second + 1),
                });
            }
        }
        let find = |field: HoField| fields.iter().position(|f| *f == Some(field));
        let missing: Vec<&'static str> = HO_REQUIRED
            .iter()
            .filter(|(field, _)| find(*field).is_none())
            .map(|(_, name)| *name)
            .collect();
        if !missing.is_empty() {
            return Some(HeaderMatch::MissingColumns(missing));
        }
        let get = |field: HoField| find(field).unwrap_or(usize::MAX);
        let ignored = cells
            .iter()
            .zip(&fields)
            .filter(|(cell, field)| field.is_none() && !cell.as_ref().trim().is_empty())
            .map(|(cell, _)| cell.as_ref().trim().to_string())
            .collect();
        return Some(HeaderMatch::HomeOffice(HoColumns {
            financial_year: get(HoField::FinancialYear),
            quarter: get(HoField::Quarter),
            force: get(HoField::Force),
            offence_code: get(HoField::OffenceCode),
            offence_description: get(HoField::OffenceDescription),
            offence_group: get(HoField::OffenceGroup),
            offence_subgroup: get(HoField::OffenceSubgroup),
            offence_code_expired: find(HoField::OffenceCodeExpired),
            outcome_type: get(HoField::OutcomeType),
            recorded_in_period: get(HoField::Count(Basis::RecordedInPeriod)),
            assigned_in_period: get(HoField::Count(Basis::AssignedInPeriod)),
            width: cells.len(),
            count_headers: [
                header_text(cells, get(HoField::Count(Basis::RecordedInPeriod))),
                header_text(cells, get(HoField::Count(Basis::AssignedInPeriod))),
            ],
            ignored,
        }));
    }
    let find = |name: &str| keys.iter().position(|k| k == name);
    for name in ["unit", "period", "numerator", "denominator"] {
        let mut at = keys
            .iter()
            .enumerate()
            .filter(|(_, k)| *k == name)
            .map(|(i, _)| i);
        if let (Some(first), Some(second)) = (at.next(), at.next()) {
            if ["unit", "period", "numerator", "denominator"]
                .iter()
                .all(|n| find(n).is_some())
            {
                return Some(HeaderMatch::DuplicateColumn {
                    header: header_text(cells, second),
                    columns: (first + 1, second + 1),
                });
            }
        }
    }
    if let (Some(unit), Some(period), Some(numerator), Some(denominator)) = (
        find("unit"),
        find("period"),
        find("numerator"),
        find("denominator"),
    ) {
        let groups = cells
            .iter()
            .enumerate()
            .filter(|(i, c)| {
                ![unit, period, numerator, denominator].contains(i) && !c.as_ref().trim().is_empty()
            })
            .map(|(i, c)| (i, crate::normalise::text::clean(c.as_ref()).into_owned()))
            .collect();
        return Some(HeaderMatch::Tidy(TidyColumns {
            unit,
            period,
            numerator,
            denominator,
            groups,
            width: cells.len(),
        }));
    }
    None
}

#[cfg(test)]
mod tests;
