//! The run's tables read into typed rows: `force_comparison`, the funnel limits (national and
//! within-force), `trend`, `offence_mix`, `offence_mix_summary` and `peer_groups`, as the
//! charts and the report read them.
//!
//! Invariant: this module only reads and types what the tables hold; it computes nothing. A
//! missing column or an unreadable cell is an error naming the table, row and column; an
//! empty cell is `None`. The limit columns are named by [`crate::tables::limit_names`], the
//! function that names them when the tables are written.

use std::collections::BTreeMap;

use anyhow::{anyhow, Context as _, Result};

use super::data::{RunData, TextTable};
use crate::stats::{Flag, FlagLevels};
use crate::tables::limit_names;

/// The flag a table holds under these levels ("high_998", "within", …), by its exact name.
#[must_use]
pub fn parse_flag(name: &str, levels: &FlagLevels) -> Option<Flag> {
    Flag::ALL.into_iter().find(|f| f.name(levels) == name)
}

/// One force's row of `force_comparison`.
#[derive(Debug, Clone, PartialEq)]
pub struct ForceRow {
    /// The force.
    pub force: String,
    /// The numerator.
    pub numerator: f64,
    /// The denominator.
    pub denominator: f64,
    /// The rate (absent when the denominator is zero).
    pub rate: Option<f64>,
    /// The 95% interval's bounds.
    pub ci95: (Option<f64>, Option<f64>),
    /// z against the target.
    pub z: Option<f64>,
    /// z with the overdispersion adjustment.
    pub z_adjusted: Option<f64>,
    /// The adjusted inner limits at the force's denominator (low, high).
    pub inner: (Option<f64>, Option<f64>),
    /// The adjusted outer limits (low, high).
    pub outer: (Option<f64>, Option<f64>),
    /// The overdispersion-adjusted flag.
    pub flag: Flag,
    /// The unadjusted flag.
    pub flag_unadjusted: Flag,
    /// The rank among the national set.
    pub rank: Option<u64>,
    /// The force's peer group.
    pub peer_group: Option<String>,
    /// Whether the force is in the national set.
    pub in_national_set: bool,
    /// Whether the force is a focus force.
    pub focus: bool,
    /// The Benjamini–Hochberg adjusted p-value (runs with `[funnel] multiplicity`).
    pub p_bh: Option<f64>,
}

impl ForceRow {
    /// The 95% interval, when both bounds are there.
    #[must_use]
    pub fn ci95_pair(&self) -> Option<(f64, f64)> {
        both(self.ci95)
    }
}

/// One row of a funnel-limits table: the limits at one denominator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LimitRow {
    /// The denominator.
    pub denominator: f64,
    /// Adjusted inner (low, high).
    pub inner: (f64, f64),
    /// Adjusted outer (low, high).
    pub outer: (f64, f64),
    /// Unadjusted inner (low, high).
    pub inner_unadjusted: (f64, f64),
    /// Unadjusted outer (low, high).
    pub outer_unadjusted: (f64, f64),
}

/// A control chart's lines at one point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpcLimits {
    /// The centre line.
    pub centre: f64,
    /// −3σ.
    pub lower_3: f64,
    /// −2σ.
    pub lower_2: f64,
    /// +2σ.
    pub upper_2: f64,
    /// +3σ.
    pub upper_3: f64,
}

/// The SPC rules a point breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rules {
    /// Beyond a 3σ limit.
    pub beyond_limits: bool,
    /// Part of a shift.
    pub shift: bool,
    /// Part of a trend.
    pub trend: bool,
    /// Two of three beyond 2σ.
    pub two_of_three: bool,
}

impl Rules {
    /// Whether any rule is broken.
    #[must_use]
    pub fn any(&self) -> bool {
        self.beyond_limits || self.shift || self.trend || self.two_of_three
    }
}

/// One period of a force's series (`trend`).
#[derive(Debug, Clone, PartialEq)]
pub struct TrendRow {
    /// The period's label.
    pub period: String,
    /// Its first day (`YYYY-MM-DD`).
    pub period_start: String,
    /// Its phase of the control chart (1, 2, …; none in runs written before phases).
    pub phase: Option<u64>,
    /// The numerator.
    pub numerator: f64,
    /// The denominator.
    pub denominator: f64,
    /// The rate.
    pub rate: Option<f64>,
    /// Its 95% interval.
    pub ci95: Option<(f64, f64)>,
    /// The national rate in the period.
    pub national_rate: Option<f64>,
    /// The peer group's pooled rate in the period.
    pub peer_rate: Option<f64>,
    /// The control chart's lines, when the series has limits.
    pub spc: Option<SpcLimits>,
    /// The rules the point breaks.
    pub rules: Rules,
}

/// One period of a unit's outcome mix (`outcome_mix`, `extract_outcome_mix`).
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeMixRow {
    /// The period's label.
    pub period: String,
    /// Outcomes assigned (types 1–22).
    pub assigned: f64,
    /// Each group's share of them, in the order of `compare::monitor::GROUPS` (none when
    /// nothing was assigned).
    pub shares: [Option<f64>; 7],
}

/// `outcome_mix` or `extract_outcome_mix` by unit, each in period order; empty when the run
/// has no such table (no events).
///
/// # Errors
///
/// When a column or a cell is not what the run writes.
pub fn outcome_mix(data: &RunData, name: &str) -> Result<BTreeMap<String, Vec<OutcomeMixRow>>> {
    let mut out: BTreeMap<String, Vec<(String, OutcomeMixRow)>> = BTreeMap::new();
    if !data.tables.contains_key(name) {
        return Ok(BTreeMap::new());
    }
    let table = data.table(name)?;
    for i in 0..table.len() {
        let mut shares = [None; 7];
        for (g, share) in shares.iter_mut().enumerate() {
            *share = optional(
                table,
                name,
                i,
                &format!("{}_share", crate::tables::mix_column(g)),
            )?;
        }
        out.entry(text(table, name, i, "unit")?).or_default().push((
            text(table, name, i, "period_start")?,
            OutcomeMixRow {
                period: text(table, name, i, "period")?,
                assigned: required(table, name, i, "assigned")?,
                shares,
            },
        ));
    }
    Ok(out
        .into_iter()
        .map(|(unit, mut rows)| {
            rows.sort_by(|a, b| a.0.cmp(&b.0));
            (unit, rows.into_iter().map(|(_, r)| r).collect())
        })
        .collect())
}

/// One row of `extract_by_area` or `extract_by_unit`.
#[derive(Debug, Clone, PartialEq)]
pub struct WithinRow {
    /// The area or unit.
    pub name: String,
    /// The denominator.
    pub denominator: f64,
    /// The rate (absent when the denominator is zero).
    pub rate: Option<f64>,
    /// The overdispersion-adjusted flag; absent for a row kept out of the funnel.
    pub flag: Option<Flag>,
}

/// One stratum of a force's offence mix (`offence_mix`).
#[derive(Debug, Clone, PartialEq)]
pub struct MixRow {
    /// The offence group, or the code and its description.
    pub label: String,
    /// The numerator.
    pub numerator: f64,
    /// The denominator.
    pub denominator: f64,
    /// The force's rate.
    pub rate: Option<f64>,
    /// The national rate.
    pub national_rate: Option<f64>,
    /// Closures expected at the national rate.
    pub expected: Option<f64>,
    /// The stratum's part of the gap the offence mix explains.
    pub excess_offence_mix: Option<f64>,
    /// The stratum's part of the excess (not explained by the mix).
    pub excess_not_explained: Option<f64>,
}

/// A force's row of `offence_mix_summary`.
#[derive(Debug, Clone, PartialEq)]
pub struct MixSummary {
    /// Closures observed.
    pub observed: f64,
    /// The denominator.
    pub denominator: Option<f64>,
    /// Closures expected from the national rates and the force's mix.
    pub expected: f64,
    /// Observed ÷ expected.
    pub ratio: f64,
    /// Its 95% interval.
    pub ratio_ci95: (f64, f64),
    /// `byar` or `exact`.
    pub interval_method: String,
    /// Observed − the plain national rate's prediction.
    pub gap_vs_national: Option<f64>,
    /// The part of that gap the offence mix explains.
    pub explained_by_offence_mix: Option<f64>,
    /// Observed − expected.
    pub excess: Option<f64>,
}

/// A peer group and its members (`peer_groups`).
#[derive(Debug, Clone, PartialEq)]
pub struct PeerGroup {
    /// The group's name.
    pub name: String,
    /// Its label for people (the name made readable in a run written before labels).
    pub label: String,
    /// The force it is configured for, when it is one force's own group.
    pub owner: Option<String>,
    /// Its member forces.
    pub members: Vec<String>,
    /// Members with no counts in the scope.
    pub members_without_data: Vec<String>,
    /// The members' numerators, summed.
    pub numerator: f64,
    /// Their denominators, summed.
    pub denominator: f64,
    /// The pooled rate.
    pub rate_pooled: Option<f64>,
    /// The mean of the member rates.
    pub rate_mean: Option<f64>,
}

/// The offence mix tables: whether strata are offence codes, each force's strata, and each
/// focus force's standardisation.
pub type MixTables = (
    bool,
    BTreeMap<String, Vec<MixRow>>,
    BTreeMap<String, MixSummary>,
);

/// A cell that must hold a number.
fn required(table: &TextTable, name: &str, row: usize, column: &str) -> Result<f64> {
    table
        .number(row, column)
        .with_context(|| format!("table {name}"))?
        .ok_or_else(|| anyhow!("table {name} row {}: {column:?} is empty", row + 1))
}

/// A number cell that may be empty.
fn optional(table: &TextTable, name: &str, row: usize, column: &str) -> Result<Option<f64>> {
    table
        .number(row, column)
        .with_context(|| format!("table {name}"))
}

/// Two number cells that must both hold a number.
fn pair(
    table: &TextTable,
    name: &str,
    row: usize,
    (low, high): (&str, &str),
) -> Result<(f64, f64)> {
    Ok((
        required(table, name, row, low)?,
        required(table, name, row, high)?,
    ))
}

/// Two number cells that may be empty.
fn optional_pair(
    table: &TextTable,
    name: &str,
    row: usize,
    (low, high): (&str, &str),
) -> Result<(Option<f64>, Option<f64>)> {
    Ok((
        optional(table, name, row, low)?,
        optional(table, name, row, high)?,
    ))
}

/// Both or neither.
fn both(pair: (Option<f64>, Option<f64>)) -> Option<(f64, f64)> {
    match pair {
        (Some(low), Some(high)) => Some((low, high)),
        _ => None,
    }
}

/// A text cell.
fn text(table: &TextTable, name: &str, row: usize, column: &str) -> Result<String> {
    Ok(table
        .text(row, column)
        .with_context(|| format!("table {name}"))?
        .to_string())
}

/// A flag cell under these levels.
fn flag(
    table: &TextTable,
    name: &str,
    row: usize,
    column: &str,
    levels: &FlagLevels,
) -> Result<Flag> {
    let cell = text(table, name, row, column)?;
    parse_flag(&cell, levels).ok_or_else(|| {
        anyhow!(
            "table {name} row {}: {column} {cell:?} is not a flag for levels {} and {}",
            row + 1,
            crate::wording::level_text(levels.inner().confidence()),
            crate::wording::level_text(levels.outer().confidence())
        )
    })
}

/// `force_comparison`, one row per force.
///
/// # Errors
///
/// When the table, a column or a cell is not what the run writes.
pub fn forces(data: &RunData, levels: &FlagLevels) -> Result<Vec<ForceRow>> {
    let name = "force_comparison";
    let table = data.table(name)?;
    let (inner, outer) = (levels.inner().label(), levels.outer().label());
    let (inner_low, inner_high) = limit_names(&inner, "");
    let (outer_low, outer_high) = limit_names(&outer, "");
    let has_bh = table.headers.iter().any(|h| h == "p_bh");
    let mut rows = Vec::with_capacity(table.len());
    for i in 0..table.len() {
        let peer_group = text(table, name, i, "peer_group")?;
        let rank = optional(table, name, i, "rank")?;
        rows.push(ForceRow {
            force: text(table, name, i, "force")?,
            numerator: required(table, name, i, "numerator")?,
            denominator: required(table, name, i, "denominator")?,
            rate: optional(table, name, i, "rate")?,
            ci95: optional_pair(table, name, i, ("ci95_low", "ci95_high"))?,
            z: optional(table, name, i, "z")?,
            z_adjusted: optional(table, name, i, "z_adjusted")?,
            inner: optional_pair(table, name, i, (&inner_low, &inner_high))?,
            outer: optional_pair(table, name, i, (&outer_low, &outer_high))?,
            flag: flag(table, name, i, "flag", levels)?,
            flag_unadjusted: flag(table, name, i, "flag_unadjusted", levels)?,
            rank: rank.map(|r| r as u64),
            peer_group: (!peer_group.is_empty()).then_some(peer_group),
            in_national_set: table.flag(i, "in_national_set")?,
            focus: table.flag(i, "focus")?,
            p_bh: if has_bh {
                optional(table, name, i, "p_bh")?
            } else {
                None
            },
        });
    }
    Ok(rows)
}

/// A funnel-limits table (`funnel_limits`, `extract_area_funnel_limits`, …).
///
/// # Errors
///
/// When the table, a column or a cell is not what the run writes.
pub fn limits(data: &RunData, name: &str, levels: &FlagLevels) -> Result<Vec<LimitRow>> {
    let table = data.table(name)?;
    let (inner, outer) = (levels.inner().label(), levels.outer().label());
    let (inner_adj, outer_adj) = (limit_names(&inner, ""), limit_names(&outer, ""));
    let (inner_raw, outer_raw) = (
        limit_names(&inner, "_unadjusted"),
        limit_names(&outer, "_unadjusted"),
    );
    let mut rows = Vec::with_capacity(table.len());
    for i in 0..table.len() {
        rows.push(LimitRow {
            denominator: required(table, name, i, "denominator")?,
            inner: pair(table, name, i, (&inner_adj.0, &inner_adj.1))?,
            outer: pair(table, name, i, (&outer_adj.0, &outer_adj.1))?,
            inner_unadjusted: pair(table, name, i, (&inner_raw.0, &inner_raw.1))?,
            outer_unadjusted: pair(table, name, i, (&outer_raw.0, &outer_raw.1))?,
        });
    }
    Ok(rows)
}

/// A row's control-chart lines and rule hits (`trend`, `extract_by_month`).
///
/// # Errors
///
/// When a column is missing or a cell is not a number.
pub fn spc_cells(table: &TextTable, name: &str, i: usize) -> Result<(Option<SpcLimits>, Rules)> {
    let spc = match (
        optional(table, name, i, "spc_centre")?,
        optional(table, name, i, "spc_lower_3sigma")?,
        optional(table, name, i, "spc_lower_2sigma")?,
        optional(table, name, i, "spc_upper_2sigma")?,
        optional(table, name, i, "spc_upper_3sigma")?,
    ) {
        (Some(centre), Some(lower_3), Some(lower_2), Some(upper_2), Some(upper_3)) => {
            Some(SpcLimits {
                centre,
                lower_3,
                lower_2,
                upper_2,
                upper_3,
            })
        }
        _ => None,
    };
    let rules = Rules {
        beyond_limits: table.flag(i, "rule_beyond_limits")?,
        shift: table.flag(i, "rule_shift")?,
        trend: table.flag(i, "rule_trend")?,
        two_of_three: table.flag(i, "rule_two_of_three")?,
    };
    Ok((spc, rules))
}

/// A row's phase of the control chart (runs written before phases have no `phase` column).
fn phase(table: &TextTable, i: usize) -> Option<u64> {
    table.text(i, "phase").ok().and_then(|t| t.parse().ok())
}

/// `trend`, by force, each series in period order.
///
/// # Errors
///
/// When the table, a column or a cell is not what the run writes.
pub fn trend(data: &RunData) -> Result<BTreeMap<String, Vec<TrendRow>>> {
    let name = "trend";
    let table = data.table(name)?;
    let mut by_force: BTreeMap<String, Vec<(String, TrendRow)>> = BTreeMap::new();
    for i in 0..table.len() {
        let (spc, rules) = spc_cells(table, name, i)?;
        let start = text(table, name, i, "period_start")?;
        let row = TrendRow {
            period: text(table, name, i, "period")?,
            period_start: start.clone(),
            phase: phase(table, i),
            numerator: required(table, name, i, "numerator")?,
            denominator: required(table, name, i, "denominator")?,
            rate: optional(table, name, i, "rate")?,
            ci95: both(optional_pair(table, name, i, ("ci95_low", "ci95_high"))?),
            national_rate: optional(table, name, i, "national_rate")?,
            peer_rate: optional(table, name, i, "peer_rate_pooled")?,
            spc,
            rules,
        };
        by_force
            .entry(text(table, name, i, "force")?)
            .or_default()
            .push((start, row));
    }
    Ok(by_force
        .into_iter()
        .map(|(force, mut rows)| {
            rows.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.period.cmp(&b.1.period)));
            (force, rows.into_iter().map(|(_, r)| r).collect())
        })
        .collect())
}

/// `trend`'s `spc_note` by force (runs written before the column have none).
///
/// # Errors
///
/// When the table has no `force` column.
pub fn spc_notes(data: &RunData) -> Result<BTreeMap<String, String>> {
    let table = data.table("trend")?;
    let mut notes = BTreeMap::new();
    for i in 0..table.len() {
        if let Ok(note) = table.text(i, "spc_note") {
            if !note.is_empty() {
                notes.insert(text(table, "trend", i, "force")?, note.to_string());
            }
        }
    }
    Ok(notes)
}

/// `offence_mix` and `offence_mix_summary`.
///
/// # Errors
///
/// When a table, a column or a cell is not what the run writes.
pub fn mix(data: &RunData) -> Result<MixTables> {
    let name = "offence_mix";
    let table = data.table(name)?;
    let by_code = table.headers.iter().any(|h| h == "offence_code");
    let has_description = table.headers.iter().any(|h| h == "offence_description");
    let mut rows: BTreeMap<String, Vec<MixRow>> = BTreeMap::new();
    for i in 0..table.len() {
        let label = if by_code {
            let code = text(table, name, i, "offence_code")?;
            let description = if has_description {
                text(table, name, i, "offence_description")?
            } else {
                String::new()
            };
            if description.is_empty() {
                code
            } else {
                format!("{code} {description}")
            }
        } else {
            text(table, name, i, "offence_group")?
        };
        rows.entry(text(table, name, i, "force")?)
            .or_default()
            .push(MixRow {
                label,
                numerator: required(table, name, i, "numerator")?,
                denominator: required(table, name, i, "denominator")?,
                rate: optional(table, name, i, "rate")?,
                national_rate: optional(table, name, i, "national_rate")?,
                expected: optional(table, name, i, "expected")?,
                excess_offence_mix: optional(table, name, i, "excess_offence_mix")?,
                excess_not_explained: optional(table, name, i, "excess_not_explained")?,
            });
    }
    let name = "offence_mix_summary";
    let table = data.table(name)?;
    let mut summaries = BTreeMap::new();
    for i in 0..table.len() {
        summaries.insert(
            text(table, name, i, "force")?,
            MixSummary {
                observed: required(table, name, i, "observed")?,
                denominator: optional(table, name, i, "denominator")?,
                expected: required(table, name, i, "expected")?,
                ratio: required(table, name, i, "ratio")?,
                ratio_ci95: pair(table, name, i, ("ratio_ci95_low", "ratio_ci95_high"))?,
                interval_method: text(table, name, i, "interval_method")?,
                gap_vs_national: optional(table, name, i, "gap_vs_national")?,
                explained_by_offence_mix: optional(table, name, i, "explained_by_offence_mix")?,
                excess: optional(table, name, i, "excess")?,
            },
        );
    }
    Ok((by_code, rows, summaries))
}

/// A list of names as the tables write it: joined by "; ".
#[must_use]
pub fn split_names(text: &str) -> Vec<String> {
    text.split("; ")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// `peer_groups`, in table order.
///
/// # Errors
///
/// When the table, a column or a cell is not what the run writes.
pub fn peers(data: &RunData) -> Result<Vec<PeerGroup>> {
    let name = "peer_groups";
    let table = data.table(name)?;
    let mut groups = Vec::with_capacity(table.len());
    for i in 0..table.len() {
        let owner = text(table, name, i, "owner")?;
        let group = text(table, name, i, "peer_group")?;
        groups.push(PeerGroup {
            label: match table.headers.iter().any(|h| h == "label") {
                true => text(table, name, i, "label")?,
                false => crate::wording::peer_label(&group),
            },
            name: group,
            owner: (!owner.is_empty()).then_some(owner),
            members: split_names(&text(table, name, i, "members")?),
            members_without_data: split_names(&text(table, name, i, "members_without_data")?),
            numerator: required(table, name, i, "numerator")?,
            denominator: required(table, name, i, "denominator")?,
            rate_pooled: optional(table, name, i, "rate_pooled")?,
            rate_mean: optional(table, name, i, "rate_mean")?,
        });
    }
    Ok(groups)
}

/// `extract_by_<key>` (`area` or `unit`): each area's or unit's denominator, rate and flag at
/// the within-force funnel's levels.
///
/// # Errors
///
/// When the table, a column or a cell is not what the run writes.
pub fn within_units(data: &RunData, key: &str, levels: &FlagLevels) -> Result<Vec<WithinRow>> {
    let name = format!("extract_by_{key}");
    let table = data.table(&name)?;
    let mut rows = Vec::with_capacity(table.len());
    for i in 0..table.len() {
        let cell = text(table, &name, i, "flag")?;
        rows.push(WithinRow {
            name: text(table, &name, i, key)?,
            denominator: required(table, &name, i, "denominator")?,
            rate: optional(table, &name, i, "rate")?,
            flag: if cell.is_empty() {
                None
            } else {
                Some(flag(table, &name, i, "flag", levels)?)
            },
        });
    }
    Ok(rows)
}

/// `extract_by_month`: one row per month in table order, its period labelled by `label`
/// (`2018-04` → "Apr 2018" for an axis).
///
/// # Errors
///
/// When the table, a column or a cell is not what the run writes.
pub fn months(data: &RunData, label: impl Fn(&str) -> String) -> Result<Vec<TrendRow>> {
    let name = "extract_by_month";
    let table = data.table(name)?;
    let mut rows = Vec::with_capacity(table.len());
    for i in 0..table.len() {
        let (spc, rules) = spc_cells(table, name, i)?;
        rows.push(TrendRow {
            period: label(&text(table, name, i, "period")?),
            period_start: text(table, name, i, "period_start")?,
            phase: phase(table, i),
            numerator: required(table, name, i, "numerator")?,
            denominator: required(table, name, i, "denominator")?,
            rate: optional(table, name, i, "rate")?,
            ci95: None,
            national_rate: None,
            peer_rate: None,
            spc,
            rules,
        });
    }
    Ok(rows)
}

/// `extract_by_month`'s comparison group's rate, one per month in table order (none where
/// the group had no outcomes that month).
///
/// # Errors
///
/// When the table or a cell is not what the run writes.
pub fn month_comparison(data: &RunData) -> Result<Vec<Option<f64>>> {
    let name = "extract_by_month";
    let table = data.table(name)?;
    if !table.headers.iter().any(|h| h == "comparison_rate") {
        return Ok(vec![None; table.len()]);
    }
    (0..table.len())
        .map(|i| optional(table, name, i, "comparison_rate"))
        .collect()
}

/// A force-wide share of the reviewed audit (`audit_estimates`, `audit_checklist`).
#[derive(Debug, Clone, PartialEq)]
pub struct AuditShareRow {
    /// `reviewer_finding` or the checklist column.
    pub column: String,
    /// What the column asks.
    pub question: String,
    /// The answer counted (`inappropriate`, `yes`, …).
    pub answer: String,
    /// Reviewed cases with the answer.
    pub positives: f64,
    /// Cases reviewed (answered).
    pub reviewed: f64,
    /// The stratified estimate.
    pub share: f64,
    /// Its 95% interval.
    pub ci95: (f64, f64),
    /// The estimated number of cases with the answer, and its interval.
    pub total: (f64, f64, f64),
}

/// A stratum of the reviewed audit (`audit_by_stratum`).
#[derive(Debug, Clone, PartialEq)]
pub struct AuditStratumRow {
    /// The area or unit.
    pub stratum: String,
    /// Its crimes.
    pub population: f64,
    /// Cases drawn.
    pub drawn: f64,
    /// Cases reviewed.
    pub reviewed: f64,
    /// Found inappropriate.
    pub inappropriate: f64,
    /// Could not tell.
    pub cannot_tell: f64,
    /// The inappropriate share with its exact interval, when any case is reviewed.
    pub share: Option<(f64, (f64, f64))>,
}

/// The reviewed audit's tables, typed.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRows {
    /// The force-wide share of each finding.
    pub findings: Vec<AuditShareRow>,
    /// Each stratum.
    pub strata: Vec<AuditStratumRow>,
    /// Each checklist answer's share.
    pub checklist: Vec<AuditShareRow>,
}

fn audit_shares(data: &RunData, name: &str) -> Result<Vec<AuditShareRow>> {
    let table = data.table(name)?;
    let mut rows = Vec::with_capacity(table.len());
    for i in 0..table.len() {
        rows.push(AuditShareRow {
            column: text(table, name, i, "column")?,
            question: text(table, name, i, "question")?,
            answer: text(table, name, i, "answer")?,
            positives: required(table, name, i, "positives")?,
            reviewed: required(table, name, i, "reviewed")?,
            share: required(table, name, i, "share")?,
            ci95: pair(table, name, i, ("ci95_low", "ci95_high"))?,
            total: (
                required(table, name, i, "total")?,
                required(table, name, i, "total_low")?,
                required(table, name, i, "total_high")?,
            ),
        });
    }
    Ok(rows)
}

/// The reviewed audit's tables, when the run has them.
///
/// # Errors
///
/// When a table, a column or a cell is not what the run writes.
pub fn audit(data: &RunData) -> Result<Option<AuditRows>> {
    if !data.tables.contains_key("audit_estimates") {
        return Ok(None);
    }
    let name = "audit_by_stratum";
    let table = data.table(name)?;
    let mut strata = Vec::with_capacity(table.len());
    for i in 0..table.len() {
        let share = optional(table, name, i, "share")?;
        let exact = both(optional_pair(table, name, i, ("exact_low", "exact_high"))?);
        strata.push(AuditStratumRow {
            stratum: text(table, name, i, "stratum")?,
            population: required(table, name, i, "population")?,
            drawn: required(table, name, i, "drawn")?,
            reviewed: required(table, name, i, "reviewed")?,
            inappropriate: required(table, name, i, "inappropriate")?,
            cannot_tell: required(table, name, i, "cannot_tell")?,
            share: share.zip(exact),
        });
    }
    Ok(Some(AuditRows {
        findings: audit_shares(data, "audit_estimates")?,
        strata,
        checklist: audit_shares(data, "audit_checklist")?,
    }))
}

/// An adjusted funnel's rows, its lines and k (see [`adjusted_funnel`]).
pub type AdjustedFunnelRows = (Vec<WithinRow>, Vec<LimitRow>, f64);

/// The case-mix-adjusted ratio funnel of one kind (`area` or `unit`) from `extract_adjusted`
/// and `extract_adjusted_limits`: rows with the expected count as their denominator and O/E
/// as their rate, the limits along the grid (the same lines as both adjusted and unadjusted:
/// the ratio funnel has no overdispersion adjustment), and k. `None` when the run has no
/// adjusted comparison of that kind.
///
/// # Errors
///
/// When a table, a column or a cell is not what the run writes.
pub fn adjusted_funnel(
    data: &RunData,
    kind: &str,
    levels: &FlagLevels,
) -> Result<Option<AdjustedFunnelRows>> {
    let (name, limits_name) = ("extract_adjusted", "extract_adjusted_limits");
    if !data.tables.contains_key(limits_name) {
        return Ok(None);
    }
    let table = data.table(name)?;
    let mut rows = Vec::new();
    for i in 0..table.len() {
        if text(table, name, i, "kind")? != kind {
            continue;
        }
        let cell = text(table, name, i, "flag")?;
        rows.push(WithinRow {
            name: text(table, name, i, "name")?,
            denominator: required(table, name, i, "expected")?,
            rate: optional(table, name, i, "ratio")?,
            flag: if cell.is_empty() {
                None
            } else {
                Some(flag(table, name, i, "flag", levels)?)
            },
        });
    }
    let table = data.table(limits_name)?;
    let (inner, outer) = (levels.inner().label(), levels.outer().label());
    let (inner, outer) = (limit_names(&inner, ""), limit_names(&outer, ""));
    let mut limits = Vec::new();
    let mut k = None;
    for i in 0..table.len() {
        if text(table, limits_name, i, "kind")? != kind {
            continue;
        }
        k = Some(required(table, limits_name, i, "k")?);
        let inner = pair(table, limits_name, i, (&inner.0, &inner.1))?;
        let outer = pair(table, limits_name, i, (&outer.0, &outer.1))?;
        limits.push(LimitRow {
            denominator: required(table, limits_name, i, "expected")?,
            inner,
            outer,
            inner_unadjusted: inner,
            outer_unadjusted: outer,
        });
    }
    Ok(match k {
        Some(k) if !rows.is_empty() => Some((rows, limits, k)),
        _ => None,
    })
}

/// One estimated level of the record-level model (`extract_model`).
#[derive(Debug, Clone, PartialEq)]
pub struct OddsRatioRow {
    /// The field.
    pub factor: String,
    /// The level.
    pub level: String,
    /// The field's reference level.
    pub reference: String,
    /// exp(β̂).
    pub odds_ratio: f64,
    /// Its 95% Wald interval.
    pub ci95: (f64, f64),
}

/// The record-level model's estimated levels in table order (the rows left out, which have
/// no odds ratio, are skipped); empty when the run has no model.
///
/// # Errors
///
/// When a column is missing or a cell is not a number.
pub fn odds_ratios(data: &RunData) -> Result<Vec<OddsRatioRow>> {
    let name = "extract_model";
    if !data.tables.contains_key(name) {
        return Ok(Vec::new());
    }
    let table = data.table(name)?;
    let mut rows = Vec::new();
    for i in 0..table.len() {
        let Some(odds_ratio) = optional(table, name, i, "odds_ratio")? else {
            continue;
        };
        rows.push(OddsRatioRow {
            factor: text(table, name, i, "factor")?,
            level: text(table, name, i, "level")?,
            reference: text(table, name, i, "reference")?,
            odds_ratio,
            ci95: pair(
                table,
                name,
                i,
                ("odds_ratio_ci95_low", "odds_ratio_ci95_high"),
            )?,
        });
    }
    Ok(rows)
}

/// One group's withdrawal timing (`extract_withdrawal`).
#[derive(Debug, Clone, PartialEq)]
pub struct WithdrawalRow {
    /// `all`, `area` or `unit`.
    pub kind: String,
    /// The area or unit (or all areas).
    pub name: String,
    /// Outcome-16 closures.
    pub closures: f64,
    /// The share of them with no withdrawal date.
    pub without_date_share: Option<f64>,
    /// Days from recording to withdrawal: first quartile, median, third quartile.
    pub to_withdrawal: Option<[f64; 3]>,
    /// Days from withdrawal to closure: the same.
    pub to_closure: Option<[f64; 3]>,
}

/// `extract_withdrawal` in table order; empty when the run has none.
///
/// # Errors
///
/// When a column is missing or a cell is not a number.
pub fn withdrawal(data: &RunData) -> Result<Vec<WithdrawalRow>> {
    let name = "extract_withdrawal";
    if !data.tables.contains_key(name) {
        return Ok(Vec::new());
    }
    let table = data.table(name)?;
    let quartiles = |i: usize, stem: &str| -> Result<Option<[f64; 3]>> {
        let q = |p: &str| optional(table, name, i, &format!("{stem}_{p}"));
        Ok(match (q("q1")?, q("median")?, q("q3")?) {
            (Some(a), Some(b), Some(c)) => Some([a, b, c]),
            _ => None,
        })
    };
    let mut rows = Vec::with_capacity(table.len());
    for i in 0..table.len() {
        rows.push(WithdrawalRow {
            kind: text(table, name, i, "kind")?,
            name: text(table, name, i, "name")?,
            closures: required(table, name, i, "outcome16_closures")?,
            without_date_share: optional(table, name, i, "without_withdrawal_date_share")?,
            to_withdrawal: quartiles(i, "days_recording_to_withdrawal")?,
            to_closure: quartiles(i, "days_withdrawal_to_closure")?,
        });
    }
    Ok(rows)
}
