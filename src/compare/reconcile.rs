//! Reconciliation: a force's record-level extract counted as the Home Office tables count
//! (outcomes by the quarter of the run's basis date, by outcome type, the denominator's
//! types, the offence codes the published tables hold for the force in that quarter) against
//! the published counts for the same force and quarters, with the difference and its share.
//!
//! Invariant: only whole quarters are compared: those whose three months lie within the
//! extract's months and that the published tables hold for the force. Published cells with a
//! missing count are left out whole, as everywhere (their number is reported), and the
//! extract's crimes under codes the published tables do not hold are counted apart, never
//! silently dropped.

use std::collections::{BTreeMap, BTreeSet};

use crate::measure::Cell;
use crate::record::Period;

/// One line of the reconciliation.
#[derive(Debug, Clone, PartialEq)]
pub struct ReconcileRow {
    /// `all`, `quarter` or `outcome_type`.
    pub level: &'static str,
    /// The quarter ("2018/19 Q1"), or "all quarters compared".
    pub quarter: String,
    /// The outcome type, or `None` for all the denominator's types.
    pub outcome_type: Option<u8>,
    /// Outcomes in the extract.
    pub extract: u64,
    /// Outcomes in the published tables.
    pub published: i64,
    /// extract − published.
    pub difference: i64,
    /// difference ÷ published (`None` when nothing was published).
    pub share: Option<f64>,
}

/// The comparison of one force's extract with its published counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Reconciliation {
    /// The force.
    pub force: String,
    /// The quarters compared, in order.
    pub quarters: Vec<Period>,
    /// The whole quarters of the extract that the published tables do not hold for the force.
    pub quarters_not_published: Vec<Period>,
    /// The extract's outcomes, in the quarters compared, under offence codes the published
    /// tables do not hold for the force in the quarter (left out of `rows`), by code.
    pub codes_not_published: Vec<(String, u64)>,
    /// Published cells of the force in the quarters compared left out because a count in
    /// them was missing.
    pub incomplete_cells: u64,
    /// The total first, then each quarter, then each outcome type with any count.
    pub rows: Vec<ReconcileRow>,
}

/// The financial quarter of a month index (`year · 12 + month − 1`).
fn quarter_of_month(index: i64) -> Option<Period> {
    let (year, month) = (index.div_euclid(12), index.rem_euclid(12) + 1);
    let fy_start = if month >= 4 { year } else { year - 1 };
    let quarter = (month + 8) % 12 / 3 + 1;
    Period::new(u16::try_from(fy_start).ok()?, u8::try_from(quarter).ok()?)
}

fn row(
    level: &'static str,
    quarter: String,
    outcome_type: Option<u8>,
    extract: u64,
    published: i64,
) -> ReconcileRow {
    let difference = extract as i64 - published;
    ReconcileRow {
        level,
        quarter,
        outcome_type,
        extract,
        published,
        difference,
        share: (published != 0).then(|| difference as f64 / published as f64),
    }
}

/// Reconciles `force`'s extract (`all_types`: counts by month and offence index into
/// `offences`) with its published cells. `None` when the cells hold no counts by outcome
/// type for the force (tidy counts, or a force the tables do not have) or when no whole
/// quarter is in both.
pub fn reconcile(
    cells: &[Cell],
    force: &str,
    denominator_types: &[u8],
    offences: &[String],
    all_types: &BTreeMap<(i64, u32), [u64; 23]>,
) -> Option<Reconciliation> {
    let counted = |t: usize| denominator_types.iter().any(|&d| usize::from(d) == t);
    // The published counts by quarter and outcome type, and the codes published.
    let mut published: BTreeMap<Period, [i64; 23]> = BTreeMap::new();
    let mut incomplete: BTreeMap<Period, u64> = BTreeMap::new();
    let mut codes: BTreeMap<Period, BTreeSet<&str>> = BTreeMap::new();
    for cell in cells.iter().filter(|c| c.unit == force) {
        let (Some(quarter), Some(types)) = (cell.period.quarter, cell.types.as_deref()) else {
            continue;
        };
        codes.entry(quarter).or_default().insert(cell.code.as_str());
        let sums = published.entry(quarter).or_default();
        for (sum, &n) in sums.iter_mut().zip(types.iter()) {
            *sum += n;
        }
        *incomplete.entry(quarter).or_default() += cell.incomplete;
    }
    if published.is_empty() {
        return None;
    }
    // The extract's whole quarters: all three months within its first and last month.
    let (first, last) = (
        all_types.keys().map(|k| k.0).min()?,
        all_types.keys().map(|k| k.0).max()?,
    );
    let whole: BTreeSet<Period> = (first..=last)
        .filter_map(quarter_of_month)
        .filter(|q| {
            (first..=last)
                .filter(|&m| quarter_of_month(m) == Some(*q))
                .count()
                == 3
        })
        .collect();
    let quarters: Vec<Period> = whole
        .iter()
        .copied()
        .filter(|q| published.contains_key(q))
        .collect();
    if quarters.is_empty() {
        return None;
    }
    let quarters_not_published = whole
        .iter()
        .copied()
        .filter(|q| !published.contains_key(q))
        .collect();
    let mut extract: BTreeMap<Period, [u64; 23]> = BTreeMap::new();
    let mut not_published: BTreeMap<String, u64> = BTreeMap::new();
    for (&(month, offence), types) in all_types {
        let Some(quarter) = quarter_of_month(month).filter(|q| quarters.contains(q)) else {
            continue;
        };
        let code = offences.get(offence as usize).map_or("", String::as_str);
        if !codes.get(&quarter).is_some_and(|c| c.contains(code)) {
            let n: u64 = (0..23).filter(|&t| counted(t)).map(|t| types[t]).sum();
            if n > 0 {
                *not_published.entry(code.to_string()).or_default() += n;
            }
            continue;
        }
        let sums = extract.entry(quarter).or_default();
        for t in 0..23 {
            sums[t] += types[t];
        }
    }
    let extract_of = |q: &Period, t: usize| extract.get(q).map_or(0, |s| s[t]);
    let published_of = |q: &Period, t: usize| published.get(q).map_or(0, |s| s[t]);
    let types: Vec<usize> = (0..23).filter(|&t| counted(t)).collect();
    let sum_extract = |qs: &[Period], ts: &[usize]| -> u64 {
        qs.iter()
            .flat_map(|q| ts.iter().map(move |&t| (q, t)))
            .map(|(q, t)| extract_of(q, t))
            .sum()
    };
    let sum_published = |qs: &[Period], ts: &[usize]| -> i64 {
        qs.iter()
            .flat_map(|q| ts.iter().map(move |&t| (q, t)))
            .map(|(q, t)| published_of(q, t))
            .sum()
    };
    let mut rows = vec![row(
        "all",
        "all quarters compared".to_string(),
        None,
        sum_extract(&quarters, &types),
        sum_published(&quarters, &types),
    )];
    for q in &quarters {
        rows.push(row(
            "quarter",
            q.to_string(),
            None,
            sum_extract(std::slice::from_ref(q), &types),
            sum_published(std::slice::from_ref(q), &types),
        ));
    }
    for &t in &types {
        let (e, p) = (sum_extract(&quarters, &[t]), sum_published(&quarters, &[t]));
        if e > 0 || p != 0 {
            rows.push(row(
                "outcome_type",
                "all quarters compared".to_string(),
                u8::try_from(t).ok(),
                e,
                p,
            ));
        }
    }
    Some(Reconciliation {
        force: force.to_string(),
        incomplete_cells: quarters.iter().filter_map(|q| incomplete.get(q)).sum(),
        quarters,
        quarters_not_published,
        codes_not_published: not_published.into_iter().collect(),
        rows,
    })
}

#[cfg(test)]
mod tests;
