//! The run's tables read into typed rows for drawing.
//!
//! Invariant: this module only reads and types what the run holds (`summary.json` and the
//! tables); it computes nothing. A missing column or an unreadable cell is an error naming
//! the table, row and column; an empty cell is `None`.

use std::collections::BTreeMap;

use anyhow::{anyhow, bail, Context as _, Result};
use serde_json::Value;

use super::data::{RunData, TextTable};
use super::extract::ExtractModel;
use super::style;

/// A force's funnel flag, by side and level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FlagKind {
    /// Above the outer limit (99.8% by default).
    HighOuter,
    /// Above the inner limit only (95%).
    HighInner,
    /// Within both limits.
    Within,
    /// Below the inner limit only.
    LowInner,
    /// Below the outer limit.
    LowOuter,
}

impl FlagKind {
    /// Every flag, high to low.
    pub const ALL: [FlagKind; 5] = [
        FlagKind::HighOuter,
        FlagKind::HighInner,
        FlagKind::Within,
        FlagKind::LowInner,
        FlagKind::LowOuter,
    ];

    /// Whether the force is outside a limit.
    pub fn is_flagged(&self) -> bool {
        *self != FlagKind::Within
    }
}

/// The funnel's two levels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Levels {
    /// The inner level (0.95 by default).
    pub inner: f64,
    /// The outer level (0.998 by default).
    pub outer: f64,
}

impl Levels {
    /// The flag name a run writes for `flag` ("high_998", "within", …).
    pub fn flag_name(&self, flag: FlagKind) -> String {
        let inner = style::level_label(self.inner);
        let outer = style::level_label(self.outer);
        match flag {
            FlagKind::HighOuter => format!("high_{outer}"),
            FlagKind::HighInner => format!("high_{inner}"),
            FlagKind::Within => "within".to_string(),
            FlagKind::LowInner => format!("low_{inner}"),
            FlagKind::LowOuter => format!("low_{outer}"),
        }
    }

    /// A flag in words for a legend: "Above the 99.8% limit".
    pub fn flag_words(&self, flag: FlagKind) -> String {
        let inner = style::level_text(self.inner);
        let outer = style::level_text(self.outer);
        match flag {
            FlagKind::HighOuter => format!("Above the {outer} limit"),
            FlagKind::HighInner => format!("Above the {inner} limit only"),
            FlagKind::Within => "Within the limits".to_string(),
            FlagKind::LowInner => format!("Below the {inner} limit only"),
            FlagKind::LowOuter => format!("Below the {outer} limit"),
        }
    }

    /// The flag a run writes as `text` ("high_998", "within", …).
    ///
    /// # Errors
    ///
    /// When `text` names no flag at these levels.
    pub fn parse_flag(&self, text: &str) -> Result<FlagKind> {
        FlagKind::ALL
            .iter()
            .copied()
            .find(|f| self.flag_name(*f) == text)
            .ok_or_else(|| {
                anyhow!(
                    "{text:?} is not a flag for levels {} and {}",
                    style::level_text(self.inner),
                    style::level_text(self.outer)
                )
            })
    }
}

/// What the charts say about the run as a whole (from `summary.json`).
#[derive(Debug, Clone, PartialEq)]
pub struct RunContext {
    /// "Outcome 16".
    pub outcome: String,
    /// The scope's label, e.g. "DA proxy: violence offence codes 8N, 105A, 8L, 8Q, 3B".
    pub scope: String,
    /// The period as the run labels it ("2018/19").
    pub period: String,
    /// The period for a source line ("year ending March 2019").
    pub period_phrase: String,
    /// The count basis in words.
    pub basis: String,
    /// The denominator in words.
    pub denominator: String,
    /// The funnel method in words.
    pub method: String,
    /// Whether the overdispersion adjustment was applied.
    pub adjusted: bool,
    /// The funnel levels.
    pub levels: Levels,
    /// φ, when the run estimated it.
    pub phi: Option<f64>,
    /// τ², when the run estimated it.
    pub tau2: Option<f64>,
    /// The target rate.
    pub target: f64,
    /// "pooled" or "fixed".
    pub target_kind: String,
    /// The set of forces the target comes from.
    pub national_set: String,
    /// The focus forces, in the order of `summary.json`.
    pub focus: Vec<String>,
    /// SPC rule lengths (shift, trend).
    pub spc_lengths: (u64, u64),
    /// Whether the run's input was a tidy-counts table rather than Home Office outcomes.
    pub tidy: bool,
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
    /// The 95% interval.
    pub ci95: Option<(f64, f64)>,
    /// The overdispersion-adjusted flag.
    pub flag: FlagKind,
    /// The rank among the national set.
    pub rank: Option<u64>,
    /// The force's peer group.
    pub peer_group: Option<String>,
    /// Whether the force is in the national set.
    pub in_national_set: bool,
    /// Whether the force is a focus force.
    pub focus: bool,
}

/// One row of `funnel_limits`: the limits at one denominator.
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
    pub fn any(&self) -> bool {
        self.beyond_limits || self.shift || self.trend || self.two_of_three
    }
}

/// The control limits at one point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpcLimits {
    /// Centre line.
    pub centre: f64,
    /// Centre − 3σ.
    pub lower_3: f64,
    /// Centre − 2σ.
    pub lower_2: f64,
    /// Centre + 2σ.
    pub upper_2: f64,
    /// Centre + 3σ.
    pub upper_3: f64,
}

/// One force-quarter of `trend`.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendRow {
    /// The quarter ("2018/19 Q1").
    pub period: String,
    /// The numerator.
    pub numerator: f64,
    /// The denominator.
    pub denominator: f64,
    /// The rate.
    pub rate: Option<f64>,
    /// The 95% interval.
    pub ci95: Option<(f64, f64)>,
    /// The national rate that quarter.
    pub national_rate: Option<f64>,
    /// The force's peer-group rate that quarter.
    pub peer_rate: Option<f64>,
    /// The control limits, when the run drew a chart for the force.
    pub spc: Option<SpcLimits>,
    /// Rules broken.
    pub rules: Rules,
}

/// One stratum of `offence_mix`.
#[derive(Debug, Clone, PartialEq)]
pub struct MixRow {
    /// The offence group, or "code description".
    pub label: String,
    /// The numerator.
    pub numerator: f64,
    /// The denominator.
    pub denominator: f64,
    /// The force's rate.
    pub rate: Option<f64>,
    /// The national rate.
    pub national_rate: Option<f64>,
}

/// A force's row of `offence_mix_summary`.
#[derive(Debug, Clone, PartialEq)]
pub struct MixSummary {
    /// Observed count.
    pub observed: f64,
    /// Expected count at national rates.
    pub expected: f64,
    /// Observed ÷ expected.
    pub ratio: f64,
    /// Its 95% interval.
    pub ratio_ci95: (f64, f64),
    /// The interval's method ("byar").
    pub interval_method: String,
}

/// A peer group.
#[derive(Debug, Clone, PartialEq)]
pub struct PeerGroup {
    /// Its name.
    pub name: String,
    /// Its members.
    pub members: Vec<String>,
}

/// Everything the charts draw, typed.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Run-wide facts.
    pub context: RunContext,
    /// Force rows in table order.
    pub forces: Vec<ForceRow>,
    /// Funnel limits in table order (ascending denominator).
    pub limits: Vec<LimitRow>,
    /// Trend rows by force, each in period order.
    pub trend: BTreeMap<String, Vec<TrendRow>>,
    /// Why a force's series has no control limits (`spc_note` in `trend.csv`), by force.
    pub spc_notes: BTreeMap<String, String>,
    /// Whether the mix strata are offence codes (else offence groups).
    pub mix_by_code: bool,
    /// Offence-mix strata by force.
    pub mix: BTreeMap<String, Vec<MixRow>>,
    /// Offence-mix summaries by force.
    pub mix_summary: BTreeMap<String, MixSummary>,
    /// Peer groups by name.
    pub peers: BTreeMap<String, PeerGroup>,
    /// The record-level extract's tables, when the run has an extract.
    pub extract: Option<ExtractModel>,
}

pub(super) fn json_str(summary: &Value, path: &[&str]) -> Option<String> {
    let mut value = summary;
    for key in path {
        value = value.get(key)?;
    }
    value.as_str().map(String::from)
}

pub(super) fn json_f64(summary: &Value, path: &[&str]) -> Option<f64> {
    let mut value = summary;
    for key in path {
        value = value.get(key)?;
    }
    value.as_f64()
}

pub(super) fn required(table: &TextTable, name: &str, row: usize, column: &str) -> Result<f64> {
    table
        .number(row, column)
        .with_context(|| format!("table {name}"))?
        .ok_or_else(|| anyhow!("table {name} row {}: {column:?} is empty", row + 1))
}

pub(super) fn optional(
    table: &TextTable,
    name: &str,
    row: usize,
    column: &str,
) -> Result<Option<f64>> {
    table
        .number(row, column)
        .with_context(|| format!("table {name}"))
}

pub(super) fn pair(
    table: &TextTable,
    name: &str,
    row: usize,
    low: &str,
    high: &str,
) -> Result<(f64, f64)> {
    Ok((
        required(table, name, row, low)?,
        required(table, name, row, high)?,
    ))
}

pub(super) fn optional_pair(
    table: &TextTable,
    name: &str,
    row: usize,
    low: &str,
    high: &str,
) -> Result<Option<(f64, f64)>> {
    Ok(
        match (
            optional(table, name, row, low)?,
            optional(table, name, row, high)?,
        ) {
            (Some(l), Some(h)) => Some((l, h)),
            _ => None,
        },
    )
}

pub(super) fn text(table: &TextTable, name: &str, row: usize, column: &str) -> Result<String> {
    Ok(table
        .text(row, column)
        .with_context(|| format!("table {name}"))?
        .to_string())
}

/// The two funnel levels at a JSON pointer of `summary.json` ("/funnel/levels").
pub(super) fn levels_at(summary: &Value, pointer: &str) -> Result<Levels> {
    let levels = summary
        .pointer(pointer)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_f64).collect::<Vec<_>>())
        .unwrap_or_default();
    match levels.as_slice() {
        [a, b] => Ok(Levels {
            inner: a.min(*b),
            outer: a.max(*b),
        }),
        _ => bail!(
            "summary.json: {} must hold two levels",
            pointer.trim_start_matches('/').replace('/', ".")
        ),
    }
}

fn context(summary: &Value) -> Result<RunContext> {
    let levels = levels_at(summary, "/funnel/levels")?;
    let outcomes: Vec<u64> = summary
        .get("outcome")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_u64).collect())
        .unwrap_or_default();
    let quarters: Vec<String> = summary
        .get("periods_compared")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let period = json_str(summary, &["period"]).unwrap_or_default();
    let focus = summary
        .get("focus")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|f| f.get("force").and_then(Value::as_str).map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let denominator = json_str(summary, &["denominator", "description"])
        .or_else(|| json_str(summary, &["denominator", "name"]))
        .unwrap_or_default();
    let basis = json_str(summary, &["basis"]).unwrap_or_default();
    Ok(RunContext {
        tidy: basis.contains("tidy counts"),
        outcome: style::outcome_phrase(&outcomes),
        scope: json_str(summary, &["scope", "label"]).unwrap_or_else(|| "all offences".into()),
        period_phrase: if summary.get("period_partial").and_then(Value::as_bool) == Some(true) {
            format!(
                "{} (partial: {} of the period only)",
                style::period_phrase(&period, &quarters),
                quarters.join(", ")
            )
        } else {
            style::period_phrase(&period, &quarters)
        },
        period,
        basis: style::basis_phrase(&basis),
        denominator,
        method: json_str(summary, &["funnel", "description"]).unwrap_or_default(),
        adjusted: summary
            .pointer("/funnel/adjustment_applied")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        levels,
        phi: json_f64(summary, &["phi"]),
        tau2: json_f64(summary, &["tau2"]),
        target: json_f64(summary, &["target"])
            .ok_or_else(|| anyhow!("summary.json has no target"))?,
        target_kind: json_str(summary, &["target_kind"]).unwrap_or_default(),
        national_set: json_str(summary, &["national_set"]).unwrap_or_default(),
        focus,
        spc_lengths: (
            summary
                .pointer("/spc/shift_length")
                .and_then(Value::as_u64)
                .unwrap_or(0),
            summary
                .pointer("/spc/trend_length")
                .and_then(Value::as_u64)
                .unwrap_or(0),
        ),
    })
}

fn forces(data: &RunData, levels: &Levels) -> Result<Vec<ForceRow>> {
    let name = "force_comparison";
    let table = data.table(name)?;
    let mut rows = Vec::with_capacity(table.len());
    for i in 0..table.len() {
        let peer_group = text(table, name, i, "peer_group")?;
        let flag_text = text(table, name, i, "flag")?;
        rows.push(ForceRow {
            force: text(table, name, i, "force")?,
            numerator: required(table, name, i, "numerator")?,
            denominator: required(table, name, i, "denominator")?,
            rate: optional(table, name, i, "rate")?,
            ci95: optional_pair(table, name, i, "ci95_low", "ci95_high")?,
            flag: levels
                .parse_flag(&flag_text)
                .with_context(|| format!("table {name} row {}", i + 1))?,
            rank: optional(table, name, i, "rank")?.map(|r| r as u64),
            peer_group: (!peer_group.is_empty()).then_some(peer_group),
            in_national_set: table.flag(i, "in_national_set")?,
            focus: table.flag(i, "focus")?,
        });
    }
    Ok(rows)
}

/// The rows of a limits table (`funnel_limits` or `extract_<kind>_funnel_limits`, whose
/// columns are named alike).
pub(super) fn limits(data: &RunData, name: &str, levels: &Levels) -> Result<Vec<LimitRow>> {
    let table = data.table(name)?;
    let inner = style::level_label(levels.inner);
    let outer = style::level_label(levels.outer);
    let mut rows = Vec::with_capacity(table.len());
    for i in 0..table.len() {
        let col = |level: &str, side: &str, suffix: &str| format!("limit{level}_{side}{suffix}");
        rows.push(LimitRow {
            denominator: required(table, name, i, "denominator")?,
            inner: pair(
                table,
                name,
                i,
                &col(&inner, "low", ""),
                &col(&inner, "high", ""),
            )?,
            outer: pair(
                table,
                name,
                i,
                &col(&outer, "low", ""),
                &col(&outer, "high", ""),
            )?,
            inner_unadjusted: pair(
                table,
                name,
                i,
                &col(&inner, "low", "_unadjusted"),
                &col(&inner, "high", "_unadjusted"),
            )?,
            outer_unadjusted: pair(
                table,
                name,
                i,
                &col(&outer, "low", "_unadjusted"),
                &col(&outer, "high", "_unadjusted"),
            )?,
        });
    }
    Ok(rows)
}

/// A row's control limits (when it has them) and rule hits, from the `spc_*` and `rule_*`
/// columns that `trend` and `extract_by_month` share.
pub(super) fn spc_cells(
    table: &TextTable,
    name: &str,
    i: usize,
) -> Result<(Option<SpcLimits>, Rules)> {
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

fn trend(data: &RunData) -> Result<BTreeMap<String, Vec<TrendRow>>> {
    let name = "trend";
    let table = data.table(name)?;
    let mut by_force: BTreeMap<String, Vec<(String, TrendRow)>> = BTreeMap::new();
    for i in 0..table.len() {
        let (spc, rules) = spc_cells(table, name, i)?;
        let row = TrendRow {
            period: text(table, name, i, "period")?,
            numerator: required(table, name, i, "numerator")?,
            denominator: required(table, name, i, "denominator")?,
            rate: optional(table, name, i, "rate")?,
            ci95: optional_pair(table, name, i, "ci95_low", "ci95_high")?,
            national_rate: optional(table, name, i, "national_rate")?,
            peer_rate: optional(table, name, i, "peer_rate_pooled")?,
            spc,
            rules,
        };
        let start = text(table, name, i, "period_start")?;
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

/// `trend.csv`'s `spc_note` by force (runs written before the column have none).
fn spc_notes(data: &RunData) -> Result<BTreeMap<String, String>> {
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

type MixTables = (
    bool,
    BTreeMap<String, Vec<MixRow>>,
    BTreeMap<String, MixSummary>,
);

fn mix(data: &RunData) -> Result<MixTables> {
    let name = "offence_mix";
    let table = data.table(name)?;
    let by_code = table.headers.iter().any(|h| h == "offence_code");
    let mut rows: BTreeMap<String, Vec<MixRow>> = BTreeMap::new();
    for i in 0..table.len() {
        let label = if by_code {
            let code = text(table, name, i, "offence_code")?;
            let description = if table.headers.iter().any(|h| h == "offence_description") {
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
                expected: required(table, name, i, "expected")?,
                ratio: required(table, name, i, "ratio")?,
                ratio_ci95: pair(table, name, i, "ratio_ci95_low", "ratio_ci95_high")?,
                interval_method: text(table, name, i, "interval_method")?,
            },
        );
    }
    Ok((by_code, rows, summaries))
}

fn peers(data: &RunData) -> Result<BTreeMap<String, PeerGroup>> {
    let name = "peer_groups";
    let table = data.table(name)?;
    let mut groups = BTreeMap::new();
    for i in 0..table.len() {
        let group = text(table, name, i, "peer_group")?;
        let members = text(table, name, i, "members")?
            .split("; ")
            .filter(|m| !m.is_empty())
            .map(String::from)
            .collect();
        groups.insert(
            group.clone(),
            PeerGroup {
                name: group,
                members,
            },
        );
    }
    Ok(groups)
}

impl Model {
    /// Reads and types a run's summary and tables.
    ///
    /// # Errors
    ///
    /// When a table or column the charts need is missing, or a cell is not what its column
    /// promises.
    pub fn read(data: &RunData) -> Result<Model> {
        let context = context(&data.summary)?;
        let forces = forces(data, &context.levels)?;
        let limits = limits(data, "funnel_limits", &context.levels)?;
        let trend = trend(data)?;
        let spc_notes = spc_notes(data)?;
        let (mix_by_code, mix, mix_summary) = mix(data)?;
        let peers = peers(data)?;
        let extract = ExtractModel::read(data)?;
        Ok(Model {
            context,
            forces,
            limits,
            trend,
            spc_notes,
            mix_by_code,
            mix,
            mix_summary,
            peers,
            extract,
        })
    }

    /// The force row of a focus force.
    pub fn force(&self, name: &str) -> Option<&ForceRow> {
        self.forces.iter().find(|f| f.force == name)
    }

    /// The peer group of a force, when it has one.
    pub fn peer_group_of(&self, force: &str) -> Option<&PeerGroup> {
        let group = self.force(force)?.peer_group.as_ref()?;
        self.peers.get(group)
    }

    /// The first subtitle paragraph shared by every chart: scope, period, basis, denominator.
    pub fn scope_line(&self) -> String {
        let c = &self.context;
        format!(
            "{} · {} · {} · denominator: {}",
            c.scope, c.period, c.basis, c.denominator
        )
    }

    /// The source line.
    pub fn source_line(&self) -> String {
        if self.context.tidy {
            format!(
                "Source: the counts in the run's tidy-counts input, as published, {}. Drawn by outcome-lens from the run's tables.",
                self.context.period_phrase
            )
        } else {
            format!(
                "Source: Home Office police recorded crime outcomes open data, {}. Drawn by outcome-lens from the run's tables.",
                self.context.period_phrase
            )
        }
    }
}
