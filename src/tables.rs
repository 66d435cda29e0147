//! The run's result tables as plain columns, written as CSV, Parquet and Excel.
//!
//! Invariant: each table has one explicit sort order and a fixed float format; every number a
//! chart or report shows is a cell of one of these tables (or of `summary.json`).

use crate::compare::{funnel, Analysis};
use crate::config::Config;
use crate::stats::{Flag, FlagLevels, FunnelLimits};

/// How a float column is written in CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloatFormat {
    /// A fixed number of decimals.
    Fixed(usize),
    /// Scientific notation with this many significant decimals (for p-values).
    Scientific(usize),
}

/// One column's values.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// Text (null = empty).
    Text(Vec<Option<String>>),
    /// Integers.
    Int(Vec<Option<i64>>),
    /// Floats, with their CSV format (null, NaN = empty).
    Float(Vec<Option<f64>>, FloatFormat),
    /// Booleans.
    Bool(Vec<bool>),
}

impl Values {
    /// The number of rows.
    pub fn len(&self) -> usize {
        match self {
            Values::Text(v) => v.len(),
            Values::Int(v) => v.len(),
            Values::Float(v, _) => v.len(),
            Values::Bool(v) => v.len(),
        }
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The CSV text of row `i`.
    pub fn cell_text(&self, i: usize) -> String {
        match self {
            Values::Text(v) => v[i].clone().unwrap_or_default(),
            Values::Int(v) => v[i].map(|x| x.to_string()).unwrap_or_default(),
            Values::Float(v, format) => match v[i] {
                Some(x) if x.is_finite() => format_float(x, *format),
                _ => String::new(),
            },
            Values::Bool(v) => v[i].to_string(),
        }
    }
}

/// Formats a float deterministically: fixed decimals or scientific notation, never `-0`.
pub fn format_float(x: f64, format: FloatFormat) -> String {
    let x = if x == 0.0 { 0.0 } else { x };
    let text = match format {
        FloatFormat::Fixed(decimals) => format!("{x:.decimals$}"),
        FloatFormat::Scientific(decimals) => format!("{x:.decimals$e}"),
    };
    if text.starts_with('-') && text[1..].chars().all(|c| c == '0' || c == '.') {
        text[1..].to_string()
    } else {
        text
    }
}

/// A named table.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// File stem, e.g. `force_comparison`.
    pub name: String,
    /// Columns in order.
    pub columns: Vec<(String, Values)>,
}

impl Table {
    /// The number of rows.
    pub fn height(&self) -> usize {
        self.columns.first().map_or(0, |(_, v)| v.len())
    }

    /// The table as CSV text (LF line ends, RFC 4180 quoting, spreadsheet-safe text).
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        let header: Vec<String> = self
            .columns
            .iter()
            .map(|(n, _)| crate::wording::csv_field(n))
            .collect();
        out.push_str(&header.join(","));
        out.push('\n');
        for i in 0..self.height() {
            let row: Vec<String> = self
                .columns
                .iter()
                .map(|(_, v)| {
                    let text = v.cell_text(i);
                    match v {
                        Values::Text(_) => {
                            crate::wording::csv_field(&crate::wording::spreadsheet_safe(&text))
                        }
                        _ => text,
                    }
                })
                .collect();
            out.push_str(&row.join(","));
            out.push('\n');
        }
        out
    }
}

/// Builds a table column by column: the one builder of the national and the `extract_*`
/// tables.
pub struct Builder {
    name: String,
    columns: Vec<(String, Values)>,
}

impl Builder {
    /// An empty table named `name`.
    #[must_use]
    pub fn new(name: &str) -> Builder {
        Builder {
            name: name.into(),
            columns: Vec::new(),
        }
    }

    /// The number of rows of the columns so far.
    fn height(&self) -> usize {
        self.columns.first().map_or(0, |(_, v)| v.len())
    }

    /// A text column.
    #[must_use]
    pub fn text(mut self, name: &str, values: impl IntoIterator<Item = Option<String>>) -> Builder {
        let values = Values::Text(values.into_iter().collect());
        self.columns.push((name.into(), values));
        self
    }

    /// A text column holding `value` in every row of the columns so far.
    #[must_use]
    pub fn same_text(self, name: &str, value: &str) -> Builder {
        let rows = self.height();
        self.text(name, std::iter::repeat_n(Some(value.to_string()), rows))
    }

    /// An integer column.
    #[must_use]
    pub fn int(mut self, name: &str, values: impl IntoIterator<Item = Option<i64>>) -> Builder {
        let values = Values::Int(values.into_iter().collect());
        self.columns.push((name.into(), values));
        self
    }

    /// A column of counts.
    #[must_use]
    pub fn count(self, name: &str, values: impl IntoIterator<Item = Option<u64>>) -> Builder {
        self.int(name, values.into_iter().map(|v| v.map(|x| x as i64)))
    }

    /// A float column with fixed decimals.
    #[must_use]
    pub fn float(
        mut self,
        name: &str,
        values: impl IntoIterator<Item = Option<f64>>,
        decimals: usize,
    ) -> Builder {
        let values = Values::Float(values.into_iter().collect(), FloatFormat::Fixed(decimals));
        self.columns.push((name.into(), values));
        self
    }

    /// A float column in scientific notation (p-values).
    #[must_use]
    pub fn scientific(
        mut self,
        name: &str,
        values: impl IntoIterator<Item = Option<f64>>,
    ) -> Builder {
        let values = Values::Float(values.into_iter().collect(), FloatFormat::Scientific(6));
        self.columns.push((name.into(), values));
        self
    }

    /// A true/false column.
    #[must_use]
    pub fn boolean(mut self, name: &str, values: impl IntoIterator<Item = bool>) -> Builder {
        let values = Values::Bool(values.into_iter().collect());
        self.columns.push((name.into(), values));
        self
    }

    /// The low and high limit columns at a level's label with a suffix (`""` or
    /// `"_unadjusted"`), named by [`limit_names`].
    #[must_use]
    pub fn limits(
        self,
        label: &str,
        suffix: &str,
        limits: impl IntoIterator<Item = Option<FunnelLimits>>,
    ) -> Builder {
        let limits: Vec<Option<FunnelLimits>> = limits.into_iter().collect();
        let (low, high) = limit_names(label, suffix);
        self.float(
            &low,
            limits.iter().map(|l| l.map(|l| l.lower)),
            RATE_DECIMALS,
        )
        .float(
            &high,
            limits.iter().map(|l| l.map(|l| l.upper)),
            RATE_DECIMALS,
        )
    }

    /// The table.
    #[must_use]
    pub fn build(self) -> Table {
        Table {
            name: self.name,
            columns: self.columns,
        }
    }
}

/// Decimals for rates, limits and targets.
pub const RATE_DECIMALS: usize = 8;
/// Decimals for z-scores and ratios.
pub const SCORE_DECIMALS: usize = 6;
/// Decimals for expected counts and excesses.
pub const COUNT_DECIMALS: usize = 3;

fn some<T>(values: impl Iterator<Item = T>) -> Vec<Option<T>> {
    values.map(Some).collect()
}

/// Column names for a pair of limits at a level's label (`Level::label`) with a suffix (`""`
/// or `"_unadjusted"`), e.g. `limit95_low`, `limit998_high_unadjusted`: the one place these
/// names are made, for the tables written and the tables read back.
pub fn limit_names(label: &str, suffix: &str) -> (String, String) {
    let stem = limit_stem(label);
    (
        format!("{stem}_low{suffix}"),
        format!("{stem}_high{suffix}"),
    )
}

/// The stem of a level's limit columns: `limit95`, `limit998`.
#[must_use]
pub fn limit_stem(label: &str) -> String {
    format!("limit{label}")
}

fn flag_name(flag: Flag, levels: &FlagLevels) -> Option<String> {
    Some(flag.name(levels))
}

/// `sensitivity`: each focus force's rate, flag and excess as run and under each alternative
/// of `[sensitivity]` (an alternative that could not be compared has its reason in `note`).
pub fn sensitivity_table(
    rows: &[crate::compare::sensitivity::SensitivityRow],
    analysis: &Analysis,
    config: &Config,
) -> Table {
    let levels = config.funnel.levels;
    let ok = |r: &crate::compare::sensitivity::SensitivityRow| r.result.as_ref().ok().cloned();
    let outcomes: Vec<_> = rows.iter().map(ok).collect();
    Builder::new("sensitivity")
        .text(
            "alternative",
            some(rows.iter().map(|r| r.alternative.clone())),
        )
        .text("setting", some(rows.iter().map(|r| r.setting.clone())))
        .text("force", some(rows.iter().map(|r| r.force.clone())))
        .same_text("period", &analysis.period_label)
        .same_text("scope", &config.scope.label)
        .count(
            "numerator",
            outcomes.iter().map(|o| o.as_ref().map(|o| o.numerator)),
        )
        .count(
            "denominator",
            outcomes.iter().map(|o| o.as_ref().map(|o| o.denominator)),
        )
        .float(
            "rate",
            outcomes.iter().map(|o| o.as_ref().map(|o| o.rate)),
            RATE_DECIMALS,
        )
        .float(
            "target",
            outcomes.iter().map(|o| o.as_ref().map(|o| o.target)),
            RATE_DECIMALS,
        )
        .text(
            "flag",
            outcomes
                .iter()
                .map(|o| o.as_ref().and_then(|o| flag_name(o.flag, &levels))),
        )
        .count(
            "rank",
            outcomes
                .iter()
                .map(|o| o.as_ref().and_then(|o| o.rank.map(|r| r as u64))),
        )
        .count("of", outcomes.iter().map(|o| o.as_ref().map(|o| o.of)))
        .float(
            "explained_by_offence_mix",
            outcomes
                .iter()
                .map(|o| o.as_ref().and_then(|o| o.explained_by_offence_mix)),
            COUNT_DECIMALS,
        )
        .float(
            "excess",
            outcomes.iter().map(|o| o.as_ref().and_then(|o| o.excess)),
            COUNT_DECIMALS,
        )
        .text(
            "same_flag_as_run",
            outcomes
                .iter()
                .map(|o| o.as_ref().map(|o| o.same_flag.to_string())),
        )
        .text(
            "note",
            rows.iter().map(|r| r.result.as_ref().err().cloned()),
        )
        .build()
}

/// `reconciliation`: the extract's outcomes counted as the published tables count them,
/// against the published counts for its force: in all, by quarter and by outcome type.
pub fn reconciliation_table(
    r: &crate::compare::reconcile::Reconciliation,
    config: &Config,
) -> Table {
    let rows = &r.rows;
    Builder::new("reconciliation")
        .text("level", some(rows.iter().map(|x| x.level.to_string())))
        .same_text("force", &r.force)
        .same_text("basis", config.basis.as_str())
        .text("quarter", some(rows.iter().map(|x| x.quarter.clone())))
        .count(
            "outcome_type",
            rows.iter().map(|x| x.outcome_type.map(u64::from)),
        )
        .count("extract", some(rows.iter().map(|x| x.extract)))
        .int("published", some(rows.iter().map(|x| x.published)))
        .int("difference", some(rows.iter().map(|x| x.difference)))
        .float(
            "difference_share",
            rows.iter().map(|x| x.share),
            RATE_DECIMALS,
        )
        .build()
}

/// Every table of a run, in a fixed order.
pub fn tables(analysis: &Analysis, config: &Config) -> Vec<Table> {
    let levels = config.funnel.levels;
    let (inner, outer) = (levels.inner().label(), levels.outer().label());
    let period = analysis.period_label.clone();
    // Every table names its scope, so a proxy is never mistaken for the real thing.
    let scope = config.scope.label.clone();
    let rows = &analysis.forces;

    let mut force = Builder::new("force_comparison")
        .text("force", some(rows.iter().map(|r| r.force.clone())))
        .text("force_code", rows.iter().map(|r| r.force_code.clone()))
        .text("period", some(rows.iter().map(|_| period.clone())))
        .text("scope", some(rows.iter().map(|_| scope.clone())))
        .int("numerator", some(rows.iter().map(|r| r.numerator as i64)))
        .int(
            "denominator",
            some(rows.iter().map(|r| r.denominator as i64)),
        )
        .float("rate", some(rows.iter().map(|r| r.rate)), RATE_DECIMALS)
        .float(
            "ci95_low",
            some(rows.iter().map(|r| r.ci95.lower)),
            RATE_DECIMALS,
        )
        .float(
            "ci95_high",
            some(rows.iter().map(|r| r.ci95.upper)),
            RATE_DECIMALS,
        )
        .float("target", some(rows.iter().map(|r| r.target)), RATE_DECIMALS)
        .float("z", some(rows.iter().map(|r| r.z)), SCORE_DECIMALS)
        .float(
            "z_adjusted",
            some(rows.iter().map(|r| r.z_adjusted)),
            SCORE_DECIMALS,
        );
    force = force.limits(&inner, "", rows.iter().map(|r| Some(r.inner)));
    force = force.limits(&outer, "", rows.iter().map(|r| Some(r.outer)));
    force = force.limits(
        &inner,
        "_unadjusted",
        rows.iter().map(|r| Some(r.inner_unadjusted)),
    );
    force = force.limits(
        &outer,
        "_unadjusted",
        rows.iter().map(|r| Some(r.outer_unadjusted)),
    );
    let mut force = force
        .text("flag", rows.iter().map(|r| flag_name(r.flag, &levels)))
        .text(
            "flag_unadjusted",
            rows.iter().map(|r| flag_name(r.flag_unadjusted, &levels)),
        )
        .int("rank", rows.iter().map(|r| r.rank.map(|k| k as i64)))
        .text("peer_group", rows.iter().map(|r| r.peer_group.clone()))
        .float(
            "peer_rate_pooled",
            rows.iter().map(|r| r.peer_rate_pooled),
            RATE_DECIMALS,
        )
        .float(
            "peer_rate_mean",
            rows.iter().map(|r| r.peer_rate_mean),
            RATE_DECIMALS,
        )
        .boolean("in_national_set", rows.iter().map(|r| r.in_national_set))
        .boolean("focus", rows.iter().map(|r| r.focus))
        .int(
            "periods_present",
            some(rows.iter().map(|r| r.periods_present as i64)),
        )
        .text(
            "periods_missing",
            some(rows.iter().map(|r| r.periods_missing.join("; "))),
        )
        .int(
            "cells_left_out",
            some(rows.iter().map(|r| r.incomplete_cells as i64)),
        );
    if config.funnel.benjamini_hochberg {
        force = force.scientific("p_bh", rows.iter().map(|r| r.p_bh));
    }

    let grid = &analysis.grid;
    let mut funnel_limits = Builder::new("funnel_limits")
        .int("denominator", some(grid.iter().map(|g| g.n as i64)))
        .float(
            "target",
            some(grid.iter().map(|_| analysis.funnel.target)),
            RATE_DECIMALS,
        );
    funnel_limits = funnel_limits.limits(&inner, "", grid.iter().map(|g| Some(g.inner)));
    funnel_limits = funnel_limits.limits(&outer, "", grid.iter().map(|g| Some(g.outer)));
    funnel_limits = funnel_limits.limits(
        &inner,
        "_unadjusted",
        grid.iter().map(|g| Some(g.inner_unadjusted)),
    );
    funnel_limits = funnel_limits.limits(
        &outer,
        "_unadjusted",
        grid.iter().map(|g| Some(g.outer_unadjusted)),
    );

    let trend = &analysis.trend;
    let spc = |f: fn(&crate::stats::spc::ChartPoint) -> f64| -> Vec<Option<f64>> {
        trend.iter().map(|t| t.spc.as_ref().map(f)).collect()
    };
    let trend_table = Builder::new("trend")
        .text("force", some(trend.iter().map(|t| t.force.clone())))
        .text("period", some(trend.iter().map(|t| t.period.label.clone())))
        .text("scope", some(trend.iter().map(|_| scope.clone())))
        .text(
            "period_start",
            trend.iter().map(|t| {
                t.period
                    .quarter
                    .map(|q| quarter_start(q.fy_start(), q.quarter()))
            }),
        )
        .int("numerator", some(trend.iter().map(|t| t.numerator as i64)))
        .int(
            "denominator",
            some(trend.iter().map(|t| t.denominator as i64)),
        )
        .float("rate", some(trend.iter().map(|t| t.rate)), RATE_DECIMALS)
        .float(
            "ci95_low",
            some(trend.iter().map(|t| t.ci95.lower)),
            RATE_DECIMALS,
        )
        .float(
            "ci95_high",
            some(trend.iter().map(|t| t.ci95.upper)),
            RATE_DECIMALS,
        )
        .float(
            "national_rate",
            some(trend.iter().map(|t| t.national_rate)),
            RATE_DECIMALS,
        )
        .float(
            "peer_rate_pooled",
            trend.iter().map(|t| t.peer_rate_pooled),
            RATE_DECIMALS,
        )
        .float("spc_centre", spc(|p| p.centre), RATE_DECIMALS)
        .float("spc_lower_3sigma", spc(|p| p.lower_3), RATE_DECIMALS)
        .float("spc_lower_2sigma", spc(|p| p.lower_2), RATE_DECIMALS)
        .float("spc_upper_2sigma", spc(|p| p.upper_2), RATE_DECIMALS)
        .float("spc_upper_3sigma", spc(|p| p.upper_3), RATE_DECIMALS)
        .boolean(
            "rule_beyond_limits",
            trend.iter().map(|t| t.rules.astronomical),
        )
        .boolean("rule_shift", trend.iter().map(|t| t.rules.shift))
        .boolean("rule_trend", trend.iter().map(|t| t.rules.trend))
        .boolean(
            "rule_two_of_three",
            trend.iter().map(|t| t.rules.two_of_three),
        )
        .count("phase", some(trend.iter().map(|t| t.phase as u64 + 1)))
        .text(
            "variation",
            trend
                .iter()
                .map(|t| t.variation.map(|v| v.name().to_string())),
        )
        .text("spc_note", trend.iter().map(|t| t.spc_note.clone()))
        .build();

    let mix = &analysis.mix;
    let stratum_name = match config.strata {
        crate::config::Strata::OffenceGroup => "offence_group",
        crate::config::Strata::OffenceCode => "offence_code",
    };
    let mut mix_table = Builder::new("offence_mix")
        .text("force", some(mix.iter().map(|m| m.force.clone())))
        .text("scope", some(mix.iter().map(|_| scope.clone())))
        .text(stratum_name, some(mix.iter().map(|m| m.stratum.clone())));
    if config.strata == crate::config::Strata::OffenceCode {
        mix_table = mix_table.text(
            "offence_description",
            some(mix.iter().map(|m| m.description.clone())),
        );
    }
    let mix_table = mix_table
        .int("numerator", some(mix.iter().map(|m| m.numerator as i64)))
        .int(
            "denominator",
            some(mix.iter().map(|m| m.denominator as i64)),
        )
        .float("rate", some(mix.iter().map(|m| m.rate)), RATE_DECIMALS)
        .float(
            "national_rate",
            some(mix.iter().map(|m| m.national_rate)),
            RATE_DECIMALS,
        )
        .float(
            "expected",
            some(mix.iter().map(|m| m.expected)),
            COUNT_DECIMALS,
        )
        .float(
            "excess_offence_mix",
            some(mix.iter().map(|m| m.mix)),
            COUNT_DECIMALS,
        )
        .float(
            "excess_not_explained",
            some(mix.iter().map(|m| m.unexplained)),
            COUNT_DECIMALS,
        )
        .build();

    let ms = &analysis.mix_summary;
    let mix_summary = Builder::new("offence_mix_summary")
        .text("force", some(ms.iter().map(|m| m.force.clone())))
        .text("scope", some(ms.iter().map(|_| scope.clone())))
        .int("observed", some(ms.iter().map(|m| m.observed as i64)))
        .int("denominator", some(ms.iter().map(|m| m.denominator as i64)))
        .float(
            "expected",
            some(ms.iter().map(|m| m.expected)),
            COUNT_DECIMALS,
        )
        .float("ratio", some(ms.iter().map(|m| m.ratio)), SCORE_DECIMALS)
        .float(
            "ratio_ci95_low",
            some(ms.iter().map(|m| m.ratio_ci95.lower)),
            SCORE_DECIMALS,
        )
        .float(
            "ratio_ci95_high",
            some(ms.iter().map(|m| m.ratio_ci95.upper)),
            SCORE_DECIMALS,
        )
        .text(
            "interval_method",
            some(ms.iter().map(|m| m.interval_method.to_string())),
        )
        .float(
            "gap_vs_national",
            some(ms.iter().map(|m| m.gap)),
            COUNT_DECIMALS,
        )
        .float(
            "explained_by_offence_mix",
            some(ms.iter().map(|m| m.mix)),
            COUNT_DECIMALS,
        )
        .float("excess", some(ms.iter().map(|m| m.excess)), COUNT_DECIMALS)
        .build();

    let peers = &analysis.peers;
    let peer_table = Builder::new("peer_groups")
        .text("peer_group", some(peers.iter().map(|p| p.group.clone())))
        .text("label", some(peers.iter().map(|p| p.label.clone())))
        .text("owner", peers.iter().map(|p| p.owner.clone()))
        .text("members", some(peers.iter().map(|p| p.members.join("; "))))
        .text(
            "members_without_data",
            some(peers.iter().map(|p| p.members_without_data.join("; "))),
        )
        .int("numerator", some(peers.iter().map(|p| p.numerator as i64)))
        .int(
            "denominator",
            some(peers.iter().map(|p| p.denominator as i64)),
        )
        .float(
            "rate_pooled",
            some(peers.iter().map(|p| p.rate_pooled)),
            RATE_DECIMALS,
        )
        .float(
            "rate_mean",
            some(peers.iter().map(|p| p.rate_mean)),
            RATE_DECIMALS,
        )
        .build();

    let mut tables = vec![
        force.build(),
        trend_table,
        mix_table,
        mix_summary,
        peer_table,
        funnel_limits.build(),
    ];
    if !config.monitor.events.is_empty() {
        tables.push(monitor_table(
            Builder::new("monitor_events"),
            &analysis.monitor,
        ));
        if !analysis.outcome_mix.is_empty() {
            tables.push(outcome_mix_table(
                Builder::new("outcome_mix"),
                &analysis.outcome_mix,
            ));
            tables.push(displacement_table(
                Builder::new("monitor_displacement"),
                &analysis.displacement,
            ));
        }
    }
    tables
}

/// `outcome_mix`: each period's outcomes assigned in the groups displacement tracks, with
/// their shares of all assigned outcomes (types 1–22), for each focus force (or the extract's
/// scope, as `extract_outcome_mix`), after the columns `first` already holds.
#[must_use]
pub fn outcome_mix_table(first: Builder, series: &[crate::compare::monitor::MixPeriod]) -> Table {
    use crate::compare::monitor::GROUPS;
    let groups: Vec<[u64; 7]> = series.iter().map(|p| p.groups()).collect();
    let assigned: Vec<u64> = groups.iter().map(|g| g.iter().sum()).collect();
    let mut builder = first
        .text("unit", some(series.iter().map(|p| p.unit.clone())))
        .text("period", some(series.iter().map(|p| p.label.clone())))
        .text(
            "period_start",
            some(
                series
                    .iter()
                    .map(|p| crate::dates::format_date(p.days.0 * 86_400)),
            ),
        )
        .count("assigned", some(assigned.iter().copied()));
    for (g, (_, _)) in GROUPS.iter().enumerate() {
        let name = mix_column(g);
        builder = builder
            .count(&name, some(groups.iter().map(|c| c[g])))
            .float(
                &format!("{name}_share"),
                groups
                    .iter()
                    .zip(&assigned)
                    .map(|(c, &n)| (n > 0).then(|| c[g] as f64 / n as f64)),
                RATE_DECIMALS,
            );
    }
    builder.build()
}

/// The column of `outcome_mix` (and `extract_outcome_mix`) for the group at `g` of
/// [`crate::compare::monitor::GROUPS`]: `outcome_16`, …, `charge_summons`, `out_of_court`,
/// `other`.
#[must_use]
pub fn mix_column(g: usize) -> String {
    match g {
        0..=3 => format!("outcome_{}", crate::compare::monitor::GROUPS[g].0),
        4 => "charge_summons".into(),
        5 => "out_of_court".into(),
        _ => "other".into(),
    }
}

/// `monitor_events`: each event's effect on each series (the run's focus forces, or the
/// extract's scope), after the columns `first` already holds (a name, and a source for the
/// extract's tables).
#[must_use]
pub fn monitor_table(first: Builder, effects: &[crate::compare::monitor::EventEffect]) -> Table {
    let e = effects;
    let its = |f: fn(&crate::stats::its::Segmented) -> f64| -> Vec<Option<f64>> {
        e.iter().map(|x| x.its.as_ref().map(f)).collect()
    };
    let rate = |(x, n): (u64, u64)| (n > 0).then(|| x as f64 / n as f64);
    first
        .text("unit", some(e.iter().map(|x| x.unit.clone())))
        .text(
            "event_date",
            some(e.iter().map(|x| x.event.written.clone())),
        )
        .text("event", some(e.iter().map(|x| x.event.label.clone())))
        .text(
            "event_kind",
            some(e.iter().map(|x| x.event.kind.name().to_string())),
        )
        .text(
            "first_period_after",
            e.iter().map(|x| x.first_after.clone()),
        )
        .text(
            "before_from",
            e.iter()
                .map(|x| Some(x.before_periods.0.clone()).filter(|s| !s.is_empty())),
        )
        .text(
            "before_to",
            e.iter()
                .map(|x| Some(x.before_periods.1.clone()).filter(|s| !s.is_empty())),
        )
        .count(
            "before_periods",
            some(e.iter().map(|x| x.before_periods.2 as u64)),
        )
        .count("before_numerator", some(e.iter().map(|x| x.before.0)))
        .count("before_denominator", some(e.iter().map(|x| x.before.1)))
        .float(
            "before_rate",
            e.iter().map(|x| rate(x.before)),
            RATE_DECIMALS,
        )
        .text(
            "after_from",
            e.iter()
                .map(|x| Some(x.after_periods.0.clone()).filter(|s| !s.is_empty())),
        )
        .text(
            "after_to",
            e.iter()
                .map(|x| Some(x.after_periods.1.clone()).filter(|s| !s.is_empty())),
        )
        .count(
            "after_periods",
            some(e.iter().map(|x| x.after_periods.2 as u64)),
        )
        .count("after_numerator", some(e.iter().map(|x| x.after.0)))
        .count("after_denominator", some(e.iter().map(|x| x.after.1)))
        .float("after_rate", e.iter().map(|x| rate(x.after)), RATE_DECIMALS)
        .float(
            "difference",
            e.iter().map(|x| x.difference.map(|d| d.estimate)),
            RATE_DECIMALS,
        )
        .float(
            "difference_ci95_low",
            e.iter().map(|x| x.difference.map(|d| d.interval.lower)),
            RATE_DECIMALS,
        )
        .float(
            "difference_ci95_high",
            e.iter().map(|x| x.difference.map(|d| d.interval.upper)),
            RATE_DECIMALS,
        )
        .float(
            "ratio",
            e.iter().map(|x| x.ratio.map(|r| r.estimate)),
            SCORE_DECIMALS,
        )
        .float(
            "ratio_ci95_low",
            e.iter().map(|x| x.ratio.map(|r| r.interval.lower)),
            SCORE_DECIMALS,
        )
        .float(
            "ratio_ci95_high",
            e.iter().map(|x| x.ratio.map(|r| r.interval.upper)),
            SCORE_DECIMALS,
        )
        .text(
            "its_from",
            e.iter()
                .map(|x| x.its_periods.as_ref().map(|p| p.0.clone())),
        )
        .text(
            "its_to",
            e.iter()
                .map(|x| x.its_periods.as_ref().map(|p| p.1.clone())),
        )
        .text(
            "its_errors",
            e.iter().map(|x| {
                x.its.as_ref().map(|s| {
                    if s.quasi {
                        "quasi-binomial".to_string()
                    } else {
                        "binomial".to_string()
                    }
                })
            }),
        )
        .float(
            "level_change_log_odds",
            its(|s| s.adopted[2].estimate),
            SCORE_DECIMALS,
        )
        .float(
            "level_change_ci95_low",
            its(|s| s.adopted[2].interval.lower),
            SCORE_DECIMALS,
        )
        .float(
            "level_change_ci95_high",
            its(|s| s.adopted[2].interval.upper),
            SCORE_DECIMALS,
        )
        .scientific("level_change_p", its(|s| s.adopted[2].p_value))
        .float(
            "slope_change_log_odds",
            its(|s| s.adopted[3].estimate),
            SCORE_DECIMALS,
        )
        .float(
            "slope_change_ci95_low",
            its(|s| s.adopted[3].interval.lower),
            SCORE_DECIMALS,
        )
        .float(
            "slope_change_ci95_high",
            its(|s| s.adopted[3].interval.upper),
            SCORE_DECIMALS,
        )
        .scientific("slope_change_p", its(|s| s.adopted[3].p_value))
        .float("dispersion", its(|s| s.fit.dispersion), SCORE_DECIMALS)
        .scientific("pearson_p", its(|s| s.pearson_p))
        .float(
            "lag1_autocorrelation",
            its(|s| s.lag1_autocorrelation),
            SCORE_DECIMALS,
        )
        .float("effect_at_end", its(|s| s.effect_at_end.2), RATE_DECIMALS)
        .float(
            "effect_at_end_se",
            its(|s| s.effect_at_end.3),
            RATE_DECIMALS,
        )
        .text("sustained_shift", e.iter().map(|x| x.sustained.clone()))
        .text("note", e.iter().map(|x| x.note.clone()))
        .build()
}

/// `..._displacement` (after the columns `first` holds): for each event, each outcome group's count and share of assigned
/// outcomes before and after, the change with Newcombe's interval, p and q-values, and the
/// event's tests (global, 15 within 15 and 16, the two together) and sentence on every row.
#[must_use]
pub fn displacement_table(
    first: Builder,
    effects: &[crate::compare::monitor::DisplacementEffect],
) -> Table {
    use crate::compare::monitor::GROUPS;
    let rows: Vec<(&crate::compare::monitor::DisplacementEffect, usize)> = effects
        .iter()
        .flat_map(|e| (0..GROUPS.len()).map(move |g| (e, g)))
        .collect();
    let group = |f: fn(&crate::stats::displacement::GroupShift) -> f64| -> Vec<Option<f64>> {
        rows.iter()
            .map(|(e, g)| e.comparison.as_ref().map(|d| f(&d.groups[*g])))
            .collect()
    };
    let test = |f: fn(&crate::stats::displacement::Displacement) -> f64| -> Vec<Option<f64>> {
        rows.iter()
            .map(|(e, _)| e.comparison.as_ref().map(f))
            .collect()
    };
    first
        .text("unit", some(rows.iter().map(|(e, _)| e.unit.clone())))
        .text(
            "event_date",
            some(rows.iter().map(|(e, _)| e.event.written.clone())),
        )
        .text(
            "event",
            some(rows.iter().map(|(e, _)| e.event.label.clone())),
        )
        .text(
            "outcome_group",
            some(rows.iter().map(|(_, g)| GROUPS[*g].0.to_string())),
        )
        .count("before", some(rows.iter().map(|(e, g)| e.before[*g])))
        .count("after", some(rows.iter().map(|(e, g)| e.after[*g])))
        .float("share_before", group(|s| s.before), RATE_DECIMALS)
        .float("share_after", group(|s| s.after), RATE_DECIMALS)
        .float(
            "difference",
            group(|s| s.difference.estimate),
            RATE_DECIMALS,
        )
        .float(
            "difference_ci95_low",
            group(|s| s.difference.interval.lower),
            RATE_DECIMALS,
        )
        .float(
            "difference_ci95_high",
            group(|s| s.difference.interval.upper),
            RATE_DECIMALS,
        )
        .scientific("p", group(|s| s.p_value))
        .scientific("q_benjamini_hochberg", group(|s| s.q_bh))
        .scientific("q_benjamini_yekutieli", group(|s| s.q_by))
        .float("global_chi_squared", test(|d| d.pearson), SCORE_DECIMALS)
        .scientific("global_p", test(|d| d.pearson_p))
        .float(
            "share_15_of_15_and_16_before",
            test(|d| d.share_15_of_pair.0),
            RATE_DECIMALS,
        )
        .float(
            "share_15_of_15_and_16_after",
            test(|d| d.share_15_of_pair.1),
            RATE_DECIMALS,
        )
        .scientific("share_15_of_15_and_16_p", test(|d| d.share_15_p))
        .float(
            "share_15_and_16_before",
            test(|d| d.combined.0),
            RATE_DECIMALS,
        )
        .float(
            "share_15_and_16_after",
            test(|d| d.combined.1),
            RATE_DECIMALS,
        )
        .scientific("share_15_and_16_p", test(|d| d.combined_p))
        .text(
            "sentence",
            some(rows.iter().map(|(e, _)| e.sentence.clone())),
        )
        .build()
}

/// `YYYY-MM-DD` of a quarter's first day.
fn quarter_start(fy_start: u16, quarter: u8) -> String {
    match quarter {
        1 => format!("{fy_start}-04-01"),
        2 => format!("{fy_start}-07-01"),
        3 => format!("{fy_start}-10-01"),
        _ => format!("{}-01-01", fy_start + 1),
    }
}

/// The name used in flags and tables for the funnel method.
pub fn method_label(analysis: &Analysis) -> String {
    let f = &analysis.funnel;
    if f.adjustment_applied {
        format!(
            "{} limits, {} overdispersion adjustment ({} scale)",
            funnel::method_name(f.method),
            funnel::adjustment_name(f.adjustment),
            funnel::method_name(f.adjusted_method)
        )
    } else {
        format!(
            "{} limits, no overdispersion adjustment applied",
            funnel::method_name(f.method)
        )
    }
}
