//! The record-level analysis as named tables (`extract_*`), written beside the national ones
//! as CSV, Parquet and Excel.
//!
//! Invariant: every table starts with a `source` column naming the force and the extract's
//! note (so a synthetic extract is never mistaken for real data, as a proxy is never mistaken
//! for domestic abuse), has one fixed sort order (inherited from the analysis) and fixed float
//! formats; limit columns are named exactly as in the national tables.

use crate::compare::funnel::GridRow;
use crate::config::extract::ExtractConfig;
use crate::extract::analyse::{ExtractAnalysis, Rate, UnitFunnel};
use crate::extract::dates;
use crate::extract::read::Extract;
use crate::stats::{FlagLevels, FunnelLimits};
use crate::tables::{FloatFormat, Table, Values};

/// Decimals for rates, limits and shares.
const RATE_DECIMALS: usize = 8;
/// Decimals for z-scores and ratios.
const SCORE_DECIMALS: usize = 6;
/// Decimals for expected counts and days.
const COUNT_DECIMALS: usize = 3;

/// Builds a table column by column.
struct Builder {
    name: String,
    rows: usize,
    columns: Vec<(String, Values)>,
}

impl Builder {
    fn new(name: &str, rows: usize, source: &str) -> Builder {
        let builder = Builder {
            name: name.into(),
            rows,
            columns: Vec::new(),
        };
        builder.text("source", (0..rows).map(|_| Some(source.to_string())))
    }

    fn text(mut self, name: &str, values: impl Iterator<Item = Option<String>>) -> Builder {
        self.columns
            .push((name.into(), Values::Text(values.collect())));
        self
    }

    fn same_text(self, name: &str, value: &str) -> Builder {
        let rows = self.rows;
        self.text(name, (0..rows).map(|_| Some(value.to_string())))
    }

    fn int(mut self, name: &str, values: impl Iterator<Item = Option<u64>>) -> Builder {
        self.columns.push((
            name.into(),
            Values::Int(values.map(|v| v.map(|x| x as i64)).collect()),
        ));
        self
    }

    fn float(
        mut self,
        name: &str,
        values: impl Iterator<Item = Option<f64>>,
        decimals: usize,
    ) -> Builder {
        self.columns.push((
            name.into(),
            Values::Float(values.collect(), FloatFormat::Fixed(decimals)),
        ));
        self
    }

    fn boolean(mut self, name: &str, values: impl Iterator<Item = bool>) -> Builder {
        self.columns
            .push((name.into(), Values::Bool(values.collect())));
        self
    }

    /// numerator, denominator, rate, ci95_low, ci95_high with a prefix.
    fn rate<'r>(
        self,
        prefix: &str,
        rates: impl Iterator<Item = Option<&'r Rate>> + Clone,
    ) -> Builder {
        let name = |s: &str| format!("{prefix}{s}");
        self.int(
            &name("numerator"),
            rates.clone().map(|r| r.map(|r| r.numerator)),
        )
        .int(
            &name("denominator"),
            rates.clone().map(|r| r.map(|r| r.denominator)),
        )
        .float(
            &name("rate"),
            rates.clone().map(|r| r.and_then(|r| r.rate)),
            RATE_DECIMALS,
        )
        .float(
            &name("ci95_low"),
            rates
                .clone()
                .map(|r| r.and_then(|r| r.ci95).map(|c| c.lower)),
            RATE_DECIMALS,
        )
        .float(
            &name("ci95_high"),
            rates.map(|r| r.and_then(|r| r.ci95).map(|c| c.upper)),
            RATE_DECIMALS,
        )
    }

    fn limits(
        self,
        label: &str,
        suffix: &str,
        limits: impl Iterator<Item = Option<FunnelLimits>> + Clone,
    ) -> Builder {
        let (low, high) = crate::tables::limit_names(label, suffix);
        self.float(
            &low,
            limits.clone().map(|l| l.map(|l| l.lower)),
            RATE_DECIMALS,
        )
        .float(&high, limits.map(|l| l.map(|l| l.upper)), RATE_DECIMALS)
    }

    fn build(self) -> Table {
        Table {
            name: self.name,
            columns: self.columns,
        }
    }
}

/// Every `extract_*` table, in a fixed order.
pub fn tables(extract: &Extract, analysis: &ExtractAnalysis, config: &ExtractConfig) -> Vec<Table> {
    let source = config.source_label();
    let scope = config.scope.label();
    let levels = config.funnel.levels;
    let a = &extract.account;

    let accounting = Builder::new("extract_accounting", 1, &source)
        .same_text("file", &config.file_label)
        .same_text("format", &a.format)
        .int("rows_read", std::iter::once(Some(a.rows_read)))
        .int("rows_loaded", std::iter::once(Some(a.rows_loaded)))
        .int(
            "rows_quarantined",
            std::iter::once(Some(a.rows_quarantined)),
        )
        .int("blank_rows", std::iter::once(Some(a.blank_rows)))
        .int(
            "duplicate_rows_reduced",
            std::iter::once(Some(a.duplicate_rows_reduced)),
        )
        .int(
            "crimes_with_several_rows",
            std::iter::once(Some(a.crimes_with_several_rows)),
        )
        .int(
            "duplicates_with_conflicting_fields",
            std::iter::once(Some(a.duplicates_with_conflicting_fields)),
        )
        .int("crimes", std::iter::once(Some(a.crimes)))
        .int(
            "crimes_without_outcome",
            std::iter::once(Some(a.crimes_without_outcome)),
        )
        .same_text("scope", scope)
        .int(
            "crimes_in_scope",
            std::iter::once(Some(analysis.crimes_in_scope)),
        )
        .int(
            "crimes_in_comparison",
            std::iter::once(Some(analysis.crimes_in_comparison)),
        )
        .int("victims", std::iter::once(Some(extract.n_victims() as u64)))
        .build();

    let mut out = vec![accounting];
    out.extend(funnel_tables(
        "area",
        &analysis.areas,
        &source,
        scope,
        &levels,
        config,
    ));
    if let Some(units) = &analysis.units {
        out.extend(funnel_tables(
            "unit", units, &source, scope, &levels, config,
        ));
    }

    let g = &analysis.groups;
    out.push(
        Builder::new("extract_by_offence_group", g.len(), &source)
            .same_text("scope", scope)
            .text("offence_group", g.iter().map(|r| Some(r.group.clone())))
            .int("crimes", g.iter().map(|r| Some(r.crimes)))
            .rate("", g.iter().map(|r| Some(&r.scope)))
            .rate("comparison_", g.iter().map(|r| r.comparison.as_ref()))
            .build(),
    );
    let o = &analysis.offences;
    out.push(
        Builder::new("extract_by_offence_code", o.len(), &source)
            .same_text("scope", scope)
            .text("offence_group", o.iter().map(|r| Some(r.group.clone())))
            .text("offence_code", o.iter().map(|r| Some(r.code.clone())))
            .text(
                "offence_description",
                o.iter().map(|r| Some(r.description.clone())),
            )
            .int("crimes", o.iter().map(|r| Some(r.crimes)))
            .rate("", o.iter().map(|r| Some(&r.scope)))
            .rate("comparison_", o.iter().map(|r| r.comparison.as_ref()))
            .build(),
    );

    let m = &analysis.months;
    let spc =
        |f: fn(&crate::stats::spc::ChartPoint) -> f64| m.iter().map(move |r| r.spc.as_ref().map(f));
    out.push(
        Builder::new("extract_by_month", m.len(), &source)
            .same_text("scope", scope)
            .text(
                "period",
                m.iter().map(|r| Some(dates::month_label(r.month))),
            )
            .text(
                "period_start",
                m.iter().map(|r| Some(dates::month_start(r.month))),
            )
            .rate("", m.iter().map(|r| Some(&r.scope)))
            .float(
                "comparison_rate",
                m.iter().map(|r| r.comparison.and_then(|c| c.rate)),
                RATE_DECIMALS,
            )
            .float("spc_centre", spc(|p| p.centre), RATE_DECIMALS)
            .float("spc_lower_3sigma", spc(|p| p.lower_3), RATE_DECIMALS)
            .float("spc_lower_2sigma", spc(|p| p.lower_2), RATE_DECIMALS)
            .float("spc_upper_2sigma", spc(|p| p.upper_2), RATE_DECIMALS)
            .float("spc_upper_3sigma", spc(|p| p.upper_3), RATE_DECIMALS)
            .boolean("rule_beyond_limits", m.iter().map(|r| r.rules.astronomical))
            .boolean("rule_shift", m.iter().map(|r| r.rules.shift))
            .boolean("rule_trend", m.iter().map(|r| r.rules.trend))
            .boolean("rule_two_of_three", m.iter().map(|r| r.rules.two_of_three))
            .build(),
    );

    if let Some(repeat) = &analysis.repeat {
        let r = &repeat.rows;
        out.push(
            Builder::new("extract_repeat_victims", r.len(), &source)
                .same_text("scope", scope)
                .text("victims_group", r.iter().map(|x| Some(x.group.to_string())))
                .int("crimes", r.iter().map(|x| Some(x.crimes)))
                .int("victims", r.iter().map(|x| Some(x.victims)))
                .rate("", r.iter().map(|x| Some(&x.scope)))
                .build(),
        );
        let c = &repeat.by_closures;
        out.push(
            Builder::new("extract_victim_closures", c.len(), &source)
                .same_text("scope", scope)
                .text("closures", c.iter().map(|x| Some(x.0.clone())))
                .int("victims", c.iter().map(|x| Some(x.1)))
                .build(),
        );
    }

    let t = &analysis.closure_times;
    out.push(
        Builder::new("extract_time_to_closure", t.len(), &source)
            .text("subset", t.iter().map(|r| Some(r.subset.clone())))
            .text("area", t.iter().map(|r| Some(r.area.clone())))
            .int("closures", t.iter().map(|r| Some(r.closures)))
            .float(
                "median_days",
                t.iter().map(|r| r.median_days),
                COUNT_DECIMALS,
            )
            .float("q1_days", t.iter().map(|r| r.q1_days), COUNT_DECIMALS)
            .float("q3_days", t.iter().map(|r| r.q3_days), COUNT_DECIMALS)
            .int("within_1_day", t.iter().map(|r| Some(r.within_1_day)))
            .int("within_7_days", t.iter().map(|r| Some(r.within_7_days)))
            .build(),
    );

    let d = &analysis.da_vs_other;
    out.push(
        Builder::new("extract_da_vs_other", d.len(), &source)
            .text("group", d.iter().map(|r| Some(r.group.to_string())))
            .int("crimes", d.iter().map(|r| Some(r.crimes)))
            .int("without_outcome", d.iter().map(|r| Some(r.without_outcome)))
            .rate("", d.iter().map(|r| Some(&r.rate)))
            .float(
                "median_days_to_closure",
                d.iter().map(|r| r.median_days_to_closure),
                COUNT_DECIMALS,
            )
            .build(),
    );
    let ot = &analysis.outcome_types;
    out.push(
        Builder::new("extract_outcome_types", ot.len(), &source)
            .int(
                "outcome_type",
                ot.iter().map(|r| Some(u64::from(r.outcome_type))),
            )
            .text(
                "description",
                ot.iter().map(|r| Some(r.description.clone())),
            )
            .int(
                "domestic_abuse_crimes",
                ot.iter().map(|r| Some(r.domestic_abuse)),
            )
            .float(
                "domestic_abuse_share",
                ot.iter().map(|r| r.domestic_abuse_share),
                RATE_DECIMALS,
            )
            .int("other_crimes", ot.iter().map(|r| Some(r.other)))
            .float(
                "other_share",
                ot.iter().map(|r| r.other_share),
                RATE_DECIMALS,
            )
            .build(),
    );
    out
}

/// `extract_by_<kind>` and `extract_<kind>_funnel_limits`.
fn funnel_tables(
    kind: &str,
    funnel: &UnitFunnel,
    source: &str,
    scope: &str,
    levels: &FlagLevels,
    config: &ExtractConfig,
) -> Vec<Table> {
    let rows = &funnel.rows;
    let (inner, outer) = (levels.inner().label(), levels.outer().label());
    let target = funnel.summary.as_ref().map(|s| s.target);
    let place = |f: fn(&crate::extract::analyse::FunnelPlace) -> FunnelLimits| {
        rows.iter().map(move |r| r.place.as_ref().map(f))
    };
    let mut by =
        Builder::new(&format!("extract_by_{kind}"), rows.len(), source).same_text("scope", scope);
    if kind == "area" {
        by = by.same_text("area_level", config.area_level.name());
    }
    let by = by
        .text(kind, rows.iter().map(|r| Some(r.name.clone())))
        .int("crimes", rows.iter().map(|r| Some(r.crimes)))
        .int(
            "without_outcome",
            rows.iter().map(|r| Some(r.without_outcome)),
        )
        .rate("", rows.iter().map(|r| Some(&r.scope)))
        .float(
            "target",
            rows.iter().map(|r| r.place.and(target)),
            RATE_DECIMALS,
        )
        .float(
            "z",
            rows.iter().map(|r| r.place.map(|p| p.z)),
            SCORE_DECIMALS,
        )
        .float(
            "z_adjusted",
            rows.iter().map(|r| r.place.map(|p| p.z_adjusted)),
            SCORE_DECIMALS,
        )
        .limits(&inner, "", place(|p| p.inner))
        .limits(&outer, "", place(|p| p.outer))
        .limits(&inner, "_unadjusted", place(|p| p.inner_unadjusted))
        .limits(&outer, "_unadjusted", place(|p| p.outer_unadjusted))
        .text(
            "flag",
            rows.iter().map(|r| r.place.map(|p| p.flag.name(levels))),
        )
        .text(
            "flag_unadjusted",
            rows.iter()
                .map(|r| r.place.map(|p| p.flag_unadjusted.name(levels))),
        )
        .float(
            "expected_given_offence_mix",
            rows.iter().map(|r| r.mix.map(|m| m.expected)),
            COUNT_DECIMALS,
        )
        .float(
            "ratio_to_expected",
            rows.iter().map(|r| r.mix.map(|m| m.ratio)),
            SCORE_DECIMALS,
        )
        .float(
            "ratio_ci95_low",
            rows.iter().map(|r| r.mix.map(|m| m.ratio_ci95.lower)),
            SCORE_DECIMALS,
        )
        .float(
            "ratio_ci95_high",
            rows.iter().map(|r| r.mix.map(|m| m.ratio_ci95.upper)),
            SCORE_DECIMALS,
        )
        .rate("comparison_", rows.iter().map(|r| r.comparison.as_ref()))
        .build();

    let grid: &[GridRow] = &funnel.grid;
    let limits = Builder::new(&format!("extract_{kind}_funnel_limits"), grid.len(), source)
        .same_text("scope", scope)
        .int("denominator", grid.iter().map(|g| Some(g.n)))
        .float("target", grid.iter().map(|_| target), RATE_DECIMALS)
        .limits(&inner, "", grid.iter().map(|g| Some(g.inner)))
        .limits(&outer, "", grid.iter().map(|g| Some(g.outer)))
        .limits(
            &inner,
            "_unadjusted",
            grid.iter().map(|g| Some(g.inner_unadjusted)),
        )
        .limits(
            &outer,
            "_unadjusted",
            grid.iter().map(|g| Some(g.outer_unadjusted)),
        )
        .build();
    vec![by, limits]
}
