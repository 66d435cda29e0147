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
use crate::tables::{Builder, Table, COUNT_DECIMALS, RATE_DECIMALS, SCORE_DECIMALS};

/// A table whose first column, `source`, names the extract in each of its `rows` rows.
fn sourced(name: &str, rows: usize, source: &str) -> Builder {
    Builder::new(name).text(
        "source",
        std::iter::repeat_n(Some(source.to_string()), rows),
    )
}

/// The columns of a rate, on the one table builder.
impl Builder {
    /// numerator, denominator, rate, ci95_low, ci95_high with a prefix.
    fn rate<'r>(
        self,
        prefix: &str,
        rates: impl Iterator<Item = Option<&'r Rate>> + Clone,
    ) -> Builder {
        let name = |s: &str| format!("{prefix}{s}");
        self.count(
            &name("numerator"),
            rates.clone().map(|r| r.map(|r| r.numerator)),
        )
        .count(
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
}

/// Every `extract_*` table, in a fixed order.
pub fn tables(extract: &Extract, analysis: &ExtractAnalysis, config: &ExtractConfig) -> Vec<Table> {
    let source = config.source_label();
    let scope = config.scope.label();
    let levels = config.funnel.levels;
    let a = &extract.account;

    let accounting = sourced("extract_accounting", 1, &source)
        .same_text("file", &config.file_label)
        .same_text("format", &a.format)
        .count("rows_read", std::iter::once(Some(a.rows_read)))
        .count("rows_loaded", std::iter::once(Some(a.rows_loaded)))
        .count(
            "rows_quarantined",
            std::iter::once(Some(a.rows_quarantined)),
        )
        .count("blank_rows", std::iter::once(Some(a.blank_rows)))
        .count(
            "duplicate_rows_reduced",
            std::iter::once(Some(a.duplicate_rows_reduced)),
        )
        .count(
            "crimes_with_several_rows",
            std::iter::once(Some(a.crimes_with_several_rows)),
        )
        .count(
            "duplicates_with_conflicting_fields",
            std::iter::once(Some(a.duplicates_with_conflicting_fields)),
        )
        .count("crimes", std::iter::once(Some(a.crimes)))
        .count(
            "crimes_without_outcome",
            std::iter::once(Some(a.crimes_without_outcome)),
        )
        .same_text("scope", scope)
        .count(
            "crimes_in_scope",
            std::iter::once(Some(analysis.crimes_in_scope)),
        )
        .count(
            "crimes_in_comparison",
            std::iter::once(Some(analysis.crimes_in_comparison)),
        )
        .count("victims", std::iter::once(Some(extract.n_victims() as u64)))
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
        sourced("extract_by_offence_group", g.len(), &source)
            .same_text("scope", scope)
            .text("offence_group", g.iter().map(|r| Some(r.group.clone())))
            .count("crimes", g.iter().map(|r| Some(r.crimes)))
            .rate("", g.iter().map(|r| Some(&r.scope)))
            .rate("comparison_", g.iter().map(|r| r.comparison.as_ref()))
            .build(),
    );
    let o = &analysis.offences;
    out.push(
        sourced("extract_by_offence_code", o.len(), &source)
            .same_text("scope", scope)
            .text("offence_group", o.iter().map(|r| Some(r.group.clone())))
            .text("offence_code", o.iter().map(|r| Some(r.code.clone())))
            .text(
                "offence_description",
                o.iter().map(|r| Some(r.description.clone())),
            )
            .count("crimes", o.iter().map(|r| Some(r.crimes)))
            .rate("", o.iter().map(|r| Some(&r.scope)))
            .rate("comparison_", o.iter().map(|r| r.comparison.as_ref()))
            .build(),
    );

    if let Some(q) = &analysis.quality {
        out.extend(quality_tables(q, &source, scope, &levels));
    }

    let m = &analysis.months;
    let spc =
        |f: fn(&crate::stats::spc::ChartPoint) -> f64| m.iter().map(move |r| r.spc.as_ref().map(f));
    out.push(
        sourced("extract_by_month", m.len(), &source)
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
            .count("phase", m.iter().map(|r| Some(r.phase as u64 + 1)))
            .text(
                "variation",
                m.iter().map(|r| r.variation.map(|v| v.name().to_string())),
            )
            .build(),
    );

    if let Some(repeat) = &analysis.repeat {
        let r = &repeat.rows;
        out.push(
            sourced("extract_repeat_victims", r.len(), &source)
                .same_text("scope", scope)
                .text("victims_group", r.iter().map(|x| Some(x.group.to_string())))
                .count("crimes", r.iter().map(|x| Some(x.crimes)))
                .count("victims", r.iter().map(|x| Some(x.victims)))
                .rate("", r.iter().map(|x| Some(&x.scope)))
                .build(),
        );
        let c = &repeat.by_closures;
        out.push(
            sourced("extract_victim_closures", c.len(), &source)
                .same_text("scope", scope)
                .text("closures", c.iter().map(|x| Some(x.0.clone())))
                .count("victims", c.iter().map(|x| Some(x.1)))
                .build(),
        );
    }

    let t = &analysis.closure_times;
    out.push(
        sourced("extract_time_to_closure", t.len(), &source)
            .text("subset", t.iter().map(|r| Some(r.subset.clone())))
            .text("area", t.iter().map(|r| Some(r.area.clone())))
            .count("closures", t.iter().map(|r| Some(r.closures)))
            .float(
                "median_days",
                t.iter().map(|r| r.median_days),
                COUNT_DECIMALS,
            )
            .float("q1_days", t.iter().map(|r| r.q1_days), COUNT_DECIMALS)
            .float("q3_days", t.iter().map(|r| r.q3_days), COUNT_DECIMALS)
            .count("within_1_day", t.iter().map(|r| Some(r.within_1_day)))
            .count("within_7_days", t.iter().map(|r| Some(r.within_7_days)))
            .build(),
    );

    let d = &analysis.da_vs_other;
    out.push(
        sourced("extract_da_vs_other", d.len(), &source)
            .text("group", d.iter().map(|r| Some(r.group.to_string())))
            .count("crimes", d.iter().map(|r| Some(r.crimes)))
            .count("without_outcome", d.iter().map(|r| Some(r.without_outcome)))
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
        sourced("extract_outcome_types", ot.len(), &source)
            .count(
                "outcome_type",
                ot.iter().map(|r| Some(u64::from(r.outcome_type))),
            )
            .text(
                "description",
                ot.iter().map(|r| Some(r.description.clone())),
            )
            .count(
                "domestic_abuse_crimes",
                ot.iter().map(|r| Some(r.domestic_abuse)),
            )
            .float(
                "domestic_abuse_share",
                ot.iter().map(|r| r.domestic_abuse_share),
                RATE_DECIMALS,
            )
            .count("other_crimes", ot.iter().map(|r| Some(r.other)))
            .float(
                "other_share",
                ot.iter().map(|r| r.other_share),
                RATE_DECIMALS,
            )
            .build(),
    );
    if !config.monitor.events.is_empty() {
        out.push(crate::tables::monitor_table(
            sourced("extract_events", analysis.monitor.len(), &source),
            &analysis.monitor,
        ));
        let rows = analysis.displacement.len() * crate::compare::monitor::GROUPS.len();
        out.push(crate::tables::displacement_table(
            sourced("extract_displacement", rows, &source),
            &analysis.displacement,
        ));
        out.push(crate::tables::outcome_mix_table(
            sourced("extract_outcome_mix", analysis.outcome_mix.len(), &source),
            &analysis.outcome_mix,
        ));
    }
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
        sourced(&format!("extract_by_{kind}"), rows.len(), source).same_text("scope", scope);
    if kind == "area" {
        by = by.same_text("area_level", config.area_level.name());
    }
    let by = by
        .text(kind, rows.iter().map(|r| Some(r.name.clone())))
        .count("crimes", rows.iter().map(|r| Some(r.crimes)))
        .count(
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
    let limits = sourced(&format!("extract_{kind}_funnel_limits"), grid.len(), source)
        .same_text("scope", scope)
        .count("denominator", grid.iter().map(|g| Some(g.n)))
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

/// The reviewed audit sample's tables: `audit_estimates` (the force-wide shares of each
/// finding), `audit_by_stratum`, `audit_checklist` (each checklist answer's share),
/// `audit_agreement` (the two reviewers' table, when cases were double-reviewed) and
/// `audit_pending` (the drawn cases not yet reviewed).
pub fn audit_tables(
    results: &crate::extract::audit::AuditResults,
    reviewed: &crate::extract::audit::Reviewed,
    config: &ExtractConfig,
) -> Vec<Table> {
    use crate::extract::audit::ShareEstimate;
    let source = config.source_label();
    let status = results.status.name();
    let method = interval_name(config.review.method);
    let shares = |name: &str, rows: &[ShareEstimate], question: &dyn Fn(&str) -> String| {
        let b = sourced(name, rows.len(), &source)
            .same_text("status", status)
            .text("column", rows.iter().map(|r| Some(r.what.clone())))
            .text("question", rows.iter().map(|r| Some(question(&r.what))))
            .text("answer", rows.iter().map(|r| Some(r.answer.clone())))
            .count("positives", rows.iter().map(|r| Some(r.positives)))
            .count("reviewed", rows.iter().map(|r| Some(r.reviewed)))
            .count(
                "population",
                rows.iter().map(|r| Some(r.estimate.population)),
            )
            .float(
                "share",
                rows.iter().map(|r| Some(r.estimate.p)),
                RATE_DECIMALS,
            )
            .float(
                "se",
                rows.iter().map(|r| Some(r.estimate.se)),
                RATE_DECIMALS,
            )
            .count("df", rows.iter().map(|r| Some(r.estimate.df)))
            .same_text("interval_method", method)
            .float(
                "ci95_low",
                rows.iter().map(|r| Some(r.interval.lower)),
                RATE_DECIMALS,
            )
            .float(
                "ci95_high",
                rows.iter().map(|r| Some(r.interval.upper)),
                RATE_DECIMALS,
            )
            .float(
                "deff",
                rows.iter().map(|r| Some(r.estimate.deff)),
                SCORE_DECIMALS,
            )
            .float(
                "n_eff",
                rows.iter().map(|r| Some(r.estimate.n_eff)),
                COUNT_DECIMALS,
            )
            .float(
                "n_kish",
                rows.iter().map(|r| Some(r.estimate.n_kish)),
                COUNT_DECIMALS,
            )
            .float("total", rows.iter().map(|r| Some(r.total)), COUNT_DECIMALS)
            .float(
                "total_low",
                rows.iter().map(|r| Some(r.total_interval.lower)),
                COUNT_DECIMALS,
            )
            .float(
                "total_high",
                rows.iter().map(|r| Some(r.total_interval.upper)),
                COUNT_DECIMALS,
            )
            .float(
                "bounds_low",
                rows.iter().map(|r| r.bounds.map(|b| b.lower)),
                RATE_DECIMALS,
            )
            .float(
                "bounds_high",
                rows.iter().map(|r| r.bounds.map(|b| b.upper)),
                RATE_DECIMALS,
            );
        b.build()
    };
    let finding_question = |_: &str| "Was the closure appropriate?".to_string();
    let checklist_question = |column: &str| {
        config
            .review
            .checklist
            .iter()
            .find(|(c, _)| c == column)
            .map(|(_, label)| label.clone())
            .unwrap_or_default()
    };
    let s = &results.strata;
    let by_stratum = sourced("audit_by_stratum", s.len(), &source)
        .same_text("status", status)
        .same_text(
            "stratified_by",
            config.audit.map_or("area", |a| a.stratify.name()),
        )
        .text("stratum", s.iter().map(|r| Some(r.stratum.clone())))
        .count("population", s.iter().map(|r| Some(r.population)))
        .count("drawn", s.iter().map(|r| Some(r.drawn)))
        .count("reviewed", s.iter().map(|r| Some(r.reviewed)))
        .count("inappropriate", s.iter().map(|r| Some(r.inappropriate)))
        .count("cannot_tell", s.iter().map(|r| Some(r.cannot_tell)))
        .float(
            "share",
            s.iter().map(|r| r.share.map(|x| x.0)),
            RATE_DECIMALS,
        )
        .float(
            "exact_low",
            s.iter().map(|r| r.share.map(|x| x.1.lower)),
            RATE_DECIMALS,
        )
        .float(
            "exact_high",
            s.iter().map(|r| r.share.map(|x| x.1.upper)),
            RATE_DECIMALS,
        )
        .build();
    let mut tables = vec![
        shares("audit_estimates", &results.shares, &finding_question),
        by_stratum,
        shares("audit_checklist", &results.checklist, &checklist_question),
    ];
    if let Some((_, table)) = &results.agreement {
        use crate::normalise::values::Finding;
        let names: Vec<&str> = Finding::ALL.iter().map(|f| f.name()).collect();
        let mut b = sourced("audit_agreement", 3, &source)
            .text("first_reviewer", names.iter().map(|n| Some(n.to_string())));
        for (j, name) in names.iter().enumerate() {
            b = b.count(
                &format!("second_{name}"),
                table.iter().map(|row| Some(row[j])),
            );
        }
        tables.push(b.build());
    }
    let p = &results.pending;
    let lines: std::collections::BTreeMap<&str, u64> = reviewed
        .cases
        .iter()
        .map(|c| (c.reference.as_str(), c.line))
        .collect();
    tables.push(
        sourced("audit_pending", p.len(), &source)
            .text("stratum", p.iter().map(|(s, _)| Some(s.clone())))
            .text("crime_reference", p.iter().map(|(_, r)| Some(r.clone())))
            .count(
                "line",
                p.iter()
                    .map(|(_, r)| lines.get(r.as_str()).copied().filter(|&l| l > 0)),
            )
            .build(),
    );
    tables
}

/// The interval method as the tables name it.
pub fn interval_name(method: crate::stats::survey::IntervalMethod) -> &'static str {
    use crate::stats::survey::IntervalMethod;
    match method {
        IntervalMethod::KornGraubard { cap: false } => "korn-graubard",
        IntervalMethod::KornGraubard { cap: true } => "korn-graubard (n* capped at n)",
        IntervalMethod::Logit => "logit",
        IntervalMethod::Mean => "mean",
    }
}

/// `extract_by_field` (each quality field's levels, with the field's blank share) and
/// `extract_model` (the record-level model's adjusted odds ratios, then what it left out).
fn quality_tables(
    q: &super::quality::QualityAnalysis,
    source: &str,
    scope: &str,
    levels: &FlagLevels,
) -> Vec<Table> {
    use super::quality::{ModelOutcome, NOT_RECORDED};
    use crate::stats::logistic::LeftOut;
    let blank_share = |field: &str| {
        q.completeness
            .iter()
            .find(|c| c.field == field)
            .map(super::quality::Completeness::blank_share)
    };
    let field_table = |name: &str, r: &[super::quality::FieldRow]| {
        sourced(name, r.len(), source)
            .same_text("scope", scope)
            .text("field", r.iter().map(|x| Some(x.field.to_string())))
            .text("field_words", r.iter().map(|x| Some(x.words.to_string())))
            .text("level", r.iter().map(|x| Some(x.level.clone())))
            .count("crimes", r.iter().map(|x| Some(x.crimes)))
            .rate("", r.iter().map(|x| Some(&x.scope)))
            .rate("comparison_", r.iter().map(|x| x.comparison.as_ref()))
            .float(
                "field_blank_share",
                r.iter().map(|x| blank_share(x.field)),
                RATE_DECIMALS,
            )
            .build()
    };
    let by_field = field_table("extract_by_field", &q.rows);
    // One row per estimated level, then one per level left out (with the reason).
    let mut terms: Vec<(
        String,
        String,
        String,
        Option<&crate::stats::logistic::Term>,
        String,
    )> = Vec::new();
    match &q.model {
        ModelOutcome::Fitted { model, .. } => {
            let reference = |factor: &str| {
                model
                    .references
                    .iter()
                    .find(|(f, _)| f == factor)
                    .map(|(_, l)| l.clone())
                    .unwrap_or_default()
            };
            for t in &model.terms {
                terms.push((
                    t.factor.clone(),
                    t.level.clone(),
                    reference(&t.factor),
                    Some(t),
                    String::new(),
                ));
            }
            for l in &model.left_out {
                let (factor, level) = match l {
                    LeftOut::EmptyLevel { level, .. } if level == NOT_RECORDED => continue,
                    LeftOut::EmptyLevel { factor, level }
                    | LeftOut::Constant { factor, level }
                    | LeftOut::Separated { factor, level, .. } => (factor.clone(), level.clone()),
                };
                let reference = reference(&factor);
                terms.push((factor, level, reference, None, l.words()));
            }
        }
        ModelOutcome::NotFitted(why) => {
            terms.push((
                String::new(),
                String::new(),
                String::new(),
                None,
                why.clone(),
            ));
        }
    }
    let model = sourced("extract_model", terms.len(), source)
        .same_text("scope", scope)
        .text("factor", terms.iter().map(|t| Some(t.0.clone())))
        .text("level", terms.iter().map(|t| Some(t.1.clone())))
        .text("reference", terms.iter().map(|t| Some(t.2.clone())))
        .float(
            "estimate",
            terms.iter().map(|t| t.3.map(|x| x.estimate)),
            SCORE_DECIMALS,
        )
        .float(
            "std_error",
            terms.iter().map(|t| t.3.map(|x| x.se)),
            SCORE_DECIMALS,
        )
        .float("z", terms.iter().map(|t| t.3.map(|x| x.z)), SCORE_DECIMALS)
        .scientific("p", terms.iter().map(|t| t.3.map(|x| x.p_value)))
        .float(
            "odds_ratio",
            terms.iter().map(|t| t.3.map(|x| x.odds_ratio)),
            SCORE_DECIMALS,
        )
        .float(
            "odds_ratio_ci95_low",
            terms.iter().map(|t| t.3.map(|x| x.interval.lower)),
            SCORE_DECIMALS,
        )
        .float(
            "odds_ratio_ci95_high",
            terms.iter().map(|t| t.3.map(|x| x.interval.upper)),
            SCORE_DECIMALS,
        )
        .text("note", terms.iter().map(|t| Some(t.4.clone())))
        .build();
    let a = &q.adjusted;
    let adjusted = sourced("extract_adjusted", a.len(), source)
        .same_text("scope", scope)
        .text("kind", a.iter().map(|x| Some(x.kind.to_string())))
        .text("name", a.iter().map(|x| Some(x.name.clone())))
        .count("crimes", a.iter().map(|x| Some(x.crimes)))
        .count("observed", a.iter().map(|x| Some(x.observed)))
        .float(
            "expected",
            a.iter().map(|x| Some(x.expected)),
            SCORE_DECIMALS,
        )
        .float("ratio", a.iter().map(|x| x.ratio), SCORE_DECIMALS)
        .float(
            "ratio_ci95_low",
            a.iter().map(|x| x.ratio_ci95.map(|c| c.lower)),
            SCORE_DECIMALS,
        )
        .float(
            "ratio_ci95_high",
            a.iter().map(|x| x.ratio_ci95.map(|c| c.upper)),
            SCORE_DECIMALS,
        )
        .text("flag", a.iter().map(|x| x.flag.map(|f| f.name(levels))))
        .build();
    let l = &q.adjusted_limits;
    let (inner, outer) = (levels.inner().label(), levels.outer().label());
    let adjusted_limits = sourced("extract_adjusted_limits", l.len(), source)
        .same_text("scope", scope)
        .text("kind", l.iter().map(|x| Some(x.kind.to_string())))
        .float(
            "expected",
            l.iter().map(|x| Some(x.expected)),
            SCORE_DECIMALS,
        )
        .float("k", l.iter().map(|_| Some(q.dispersion)), SCORE_DECIMALS)
        .limits(
            &inner,
            "",
            l.iter().map(|x| {
                Some(FunnelLimits {
                    lower: x.inner.lower,
                    upper: x.inner.upper,
                })
            }),
        )
        .limits(
            &outer,
            "",
            l.iter().map(|x| {
                Some(FunnelLimits {
                    lower: x.outer.lower,
                    upper: x.outer.upper,
                })
            }),
        )
        .build();
    let mut out = vec![by_field, model, adjusted, adjusted_limits];
    if !q.officers.is_empty() {
        out.push(field_table("extract_by_officer", &q.officers));
    }
    if !q.withdrawal.is_empty() {
        let w = &q.withdrawal;
        let days =
            |name: &str, k: usize, f: fn(&super::quality::WithdrawalRow) -> [Option<f64>; 3]| {
                (
                    name.to_string(),
                    w.iter().map(move |x| f(x)[k]).collect::<Vec<_>>(),
                )
            };
        let mut b = sourced("extract_withdrawal", w.len(), source)
            .same_text("scope", scope)
            .text("kind", w.iter().map(|x| Some(x.kind.to_string())))
            .text("name", w.iter().map(|x| Some(x.name.clone())))
            .count("outcome16_closures", w.iter().map(|x| Some(x.closures)))
            .count(
                "without_withdrawal_date",
                w.iter().map(|x| Some(x.without_date)),
            )
            .float(
                "without_withdrawal_date_share",
                w.iter()
                    .map(|x| (x.closures > 0).then(|| x.without_date as f64 / x.closures as f64)),
                RATE_DECIMALS,
            );
        for (name, values) in [
            days("days_recording_to_withdrawal_q1", 0, |x| x.to_withdrawal),
            days("days_recording_to_withdrawal_median", 1, |x| {
                x.to_withdrawal
            }),
            days("days_recording_to_withdrawal_q3", 2, |x| x.to_withdrawal),
            days("days_withdrawal_to_closure_q1", 0, |x| x.to_closure),
            days("days_withdrawal_to_closure_median", 1, |x| x.to_closure),
            days("days_withdrawal_to_closure_q3", 2, |x| x.to_closure),
        ] {
            b = b.float(&name, values, COUNT_DECIMALS);
        }
        out.push(
            b.count(
                "closed_before_withdrawal",
                w.iter().map(|x| Some(x.after_closure)),
            )
            .build(),
        );
    }
    out
}
