//! The national offence list of 2018/19 with its offence mix and outcome counts, embedded from
//! `data/reference/national_mix_2018_19.csv` (made by `tests/reference/national_mix.py` from the
//! real Home Office table; its header says how).
//!
//! Invariant: offence codes are text, compared after trimming and upper-casing; the
//! domestic-abuse shares in the file are labelled assumptions and are used only to make
//! synthetic extracts, never to describe real data.

use std::sync::OnceLock;

/// The embedded reference table.
pub const NATIONAL_MIX_CSV: &str = include_str!("../../data/reference/national_mix_2018_19.csv");

/// The outcome types that have a column in the reference table (19 is absent in 2018/19).
pub const ASSIGNED_TYPES: [u8; 20] = [
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 20, 21,
];

/// One offence code nationally, in 2018/19 (43 territorial forces, four quarters).
#[derive(Debug, Clone, PartialEq)]
pub struct NationalOffence {
    /// The Home Office offence code, e.g. `8N`.
    pub code: String,
    /// Its description.
    pub description: String,
    /// Its offence group.
    pub group: String,
    /// Its offence subgroup.
    pub subgroup: String,
    /// Offences recorded in the year.
    pub recorded_crimes: u64,
    /// Of those, still without an outcome when the table was extracted (type 0).
    pub open_crimes: u64,
    /// ASSUMPTION: the share flagged as domestic abuse in synthetic extracts.
    pub da_share_assumption: f64,
    /// Outcomes assigned in the year, indexed by outcome type (0 and 19 are always 0).
    pub assigned: [u64; 23],
}

/// Every offence code in the reference table, in the file's order (sorted by code).
pub fn national_mix() -> &'static [NationalOffence] {
    static TABLE: OnceLock<Vec<NationalOffence>> = OnceLock::new();
    TABLE.get_or_init(|| parse(NATIONAL_MIX_CSV))
}

/// The reference row of an offence code, if the 2018/19 list has it.
pub fn lookup(code: &str) -> Option<&'static NationalOffence> {
    let code = normalise_code(code);
    national_mix().iter().find(|o| o.code == code)
}

pub use crate::normalise::offences::normalise_code;

/// Parses the reference CSV; the table is compiled in and checked by a unit test, so a
/// malformed row cannot reach users and is skipped.
fn parse(text: &str) -> Vec<NationalOffence> {
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for record in reader.records().filter_map(Result::ok) {
        let number = |i: usize| record.get(i).and_then(|v| v.parse::<u64>().ok());
        let mut assigned = [0u64; 23];
        let mut complete = true;
        for (k, &t) in ASSIGNED_TYPES.iter().enumerate() {
            match number(7 + k) {
                Some(v) => assigned[usize::from(t)] = v,
                None => complete = false,
            }
        }
        let (Some(recorded_crimes), Some(open_crimes), Some(da_share)) = (
            number(4),
            number(5),
            record.get(6).and_then(|v| v.parse::<f64>().ok()),
        ) else {
            continue;
        };
        if !complete {
            continue;
        }
        out.push(NationalOffence {
            code: record.get(0).unwrap_or_default().to_string(),
            description: record.get(1).unwrap_or_default().to_string(),
            group: record.get(2).unwrap_or_default().to_string(),
            subgroup: record.get(3).unwrap_or_default().to_string(),
            recorded_crimes,
            open_crimes,
            da_share_assumption: da_share,
            assigned,
        });
    }
    out
}

#[cfg(test)]
mod tests;
