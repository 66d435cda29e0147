//! Record-level extracts from inside one force (issue #7): a force's own crime-level extract,
//! where each crime carries its offence, a domestic-abuse flag, its outcome and dates, the area
//! and the investigating team, read, reduced to one outcome per crime, and analysed.
//!
//! Code map:
//! - [`config`]: the `[extract]` section of the analysis file;
//! - [`read`]: CSV/Parquet ingest, the reduction of duplicate rows and the row accounting;
//! - [`dates`]: hand-written date parsing (no date crate);
//! - [`offences`]: the embedded national offence list and outcome mix of 2018/19;
//! - [`analyse`]: the analyses (area and unit funnels, offences, months with SPC, repeat
//!   victims, time to closure, domestic abuse against other crimes);
//! - [`tables`]: the `extract_*` tables;
//! - [`sample`]: the stratified audit sample;
//! - [`synth`]: synthetic extracts with planted effects;
//! - [`rng`]: the seeded generator behind `sample` and `synth`.
//!
//! Invariants: rows read = rows loaded + rows quarantined, and rows loaded = crimes +
//! duplicate rows reduced, for every extract; every statistic comes from `stats`; outputs are
//! sorted and deterministic; a synthetic extract says so in every table (`source`).

pub mod analyse;
pub mod audit;
pub use crate::dates;
pub mod offences;
pub mod quality;
pub mod read;
pub mod rng;
pub mod sample;
pub mod synth;
pub mod tables;

use anyhow::{Context, Result};
use indicatif::ProgressBar;
use std::collections::BTreeMap;

use crate::compare::funnel::{adjustment_name, method_name};
use crate::config::extract::ExtractConfig;
use crate::extract::analyse::{ExtractAnalysis, UnitFunnel};
use crate::extract::read::Extract;
use crate::extract::sample::AuditSample;
use crate::run_folder::summary::{self, finite, ExtractSummary, Summary};
use crate::run_folder::{self, manifest};
use crate::stats::Flag;
use crate::tables::Table;

/// The file name of the audit sample inside a run folder.
pub const AUDIT_SAMPLE_FILE: &str = "audit_sample.csv";

/// The file name of the extract's quarantined rows inside a run folder.
pub const QUARANTINE_FILE: &str = "extract_quarantine.csv";

/// Everything the record-level part of a run produced.
#[derive(Debug, Clone)]
pub struct ExtractRun {
    /// The extract as read.
    pub extract: Extract,
    /// The analyses.
    pub analysis: ExtractAnalysis,
    /// The `extract_*` tables.
    pub tables: Vec<Table>,
    /// The audit sample, when the analysis file asks for one.
    pub audit: Option<AuditSample>,
    /// What the reviewed copy of the sample says, when `[extract.audit] reviewed` names one.
    pub review: Option<audit::AuditResults>,
}

/// Reads and analyses the extract, and draws the audit sample if asked.
pub fn run(config: &ExtractConfig, progress: &ProgressBar) -> Result<ExtractRun> {
    let extract = read::read_extract(config, progress)?;
    let analysis = analyse::analyse(&extract, config)
        .with_context(|| format!("record-level analysis of {}", config.file_label))?;
    let mut tables = tables::tables(&extract, &analysis, config);
    let audit = config
        .audit
        .as_ref()
        .map(|settings| sample::draw(&extract, config, settings));
    let review = match (&audit, &config.review.reviewed) {
        (Some(sample), Some(path)) => {
            let label = config.review.reviewed_label.as_deref().unwrap_or_default();
            let text = crate::ingest::files::read_text(path)
                .with_context(|| format!("cannot read the reviewed audit sample {label}"))?;
            let options = audit::AuditOptions::from_review(&config.review);
            let reviewed = audit::read_reviewed(&text, label, sample, &extract, &options)?;
            let results = audit::analyse(&reviewed, &options)?;
            tables.extend(tables::audit_tables(&results, &reviewed, config));
            Some(results)
        }
        _ => None,
    };
    Ok(ExtractRun {
        extract,
        analysis,
        tables,
        audit,
        review,
    })
}

/// Extra files for the run folder: the quarantined rows (when there are any) and the audit
/// sample (when asked for), as (relative path, bytes).
pub fn files(run: &ExtractRun) -> Result<Vec<(String, Vec<u8>)>> {
    let mut files = Vec::new();
    if !run.extract.quarantine.is_empty() {
        let mut bytes = Vec::new();
        crate::output::write_quarantine_to(&mut bytes, &run.extract.quarantine)?;
        files.push((QUARANTINE_FILE.to_string(), bytes));
    }
    if let Some(audit) = &run.audit {
        files.push((
            AUDIT_SAMPLE_FILE.to_string(),
            sample::to_csv(audit, &run.extract).into_bytes(),
        ));
    }
    Ok(files)
}

/// The extract's entry in `manifest.json`: path, sha256 and row accounting.
///
/// # Errors
///
/// Never in practice (the accounting serialises to JSON).
pub fn manifest_entry(run: &ExtractRun, config: &ExtractConfig) -> Result<manifest::Input> {
    Ok(manifest::Input {
        path: config.file_label.clone(),
        sha256: run.extract.sha256.clone(),
        accounting: serde_json::to_value(&run.extract.account)?,
    })
}

fn funnel_summary(funnel: &UnitFunnel, config: &ExtractConfig) -> summary::ExtractFunnel {
    let levels = config.funnel.levels;
    let mut flagged: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in &funnel.rows {
        if let Some(place) = &row.place {
            if place.flag != Flag::Within {
                flagged
                    .entry(place.flag.name(&levels))
                    .or_default()
                    .push(row.name.clone());
            }
        }
    }
    match &funnel.summary {
        Some(s) => summary::ExtractFunnel::Placed(Box::new(summary::ExtractFunnelStats {
            units: s.n_units as u64,
            target: finite(s.target),
            target_kind: s.target_kind.to_string(),
            phi: finite(s.phi),
            tau2: finite(s.tau2),
            overdispersion_test: summary::DispersionTest {
                statistic: finite(s.chi2_statistic),
                df: s.df as u64,
                p_value: finite(s.p_value),
            },
            method: method_name(s.method).to_string(),
            overdispersion: adjustment_name(s.adjustment).to_string(),
            adjustment_applied: s.adjustment_applied,
            adjusted_method: method_name(s.adjusted_method).to_string(),
            levels: vec![levels.inner().confidence(), levels.outer().confidence()],
            flagged,
        })),
        None => summary::ExtractFunnel::Note {
            note: "fewer than two units with closed crimes: no funnel".into(),
        },
    }
}

/// The `extract` object of `summary.json`: accounting and headline numbers.
pub fn summary(run: &ExtractRun, config: &ExtractConfig) -> ExtractSummary {
    let a = &run.analysis;
    let account = &run.extract.account;
    let repeat = a.repeat.as_ref().map(|r| {
        let rate = |k: usize| r.rows.get(k).and_then(|row| row.scope.rate);
        summary::RepeatVictims {
            first_crime_rate: rate(0),
            repeat_rate: rate(1),
            victims_with_two_or_more_closures: r.two_or_more_closures,
            crimes_without_victim: r.crimes_without_victim,
        }
    });
    let all_areas = a
        .closure_times
        .iter()
        .find(|r| r.subset == config.scope.label() && r.area == analyse::ALL_AREAS);
    let rule_hits: Vec<String> = a
        .months
        .iter()
        .filter(|m| m.rules.any())
        .map(|m| dates::month_label(m.month))
        .collect();
    let quality = a.quality.as_ref().map(|q| {
        use crate::stats::logistic::LeftOut;
        let (model_fitted, model_note, model_crimes, model_left_out) = match &q.model {
            quality::ModelOutcome::Fitted { model, .. } => (
                true,
                None,
                Some(model.crimes),
                model
                    .left_out
                    .iter()
                    .filter(|l| !matches!(l, LeftOut::EmptyLevel { level, .. } if level == quality::NOT_RECORDED))
                    .map(LeftOut::words)
                    .collect(),
            ),
            quality::ModelOutcome::NotFitted(why) => (false, Some(why.clone()), None, Vec::new()),
        };
        summary::QualitySummary {
            fields: q
                .completeness
                .iter()
                .map(|c| summary::FieldCompleteness {
                    field: c.field.to_string(),
                    crimes: c.crimes,
                    blank: c.blank,
                    blank_share: (c.crimes > 0).then(|| c.blank_share()),
                })
                .collect(),
            incomplete: q
                .completeness
                .iter()
                .filter(|c| c.crimes > 0 && c.blank_share() >= 0.2)
                .map(|c| {
                    format!(
                        "{} is blank for {} of the {} ({} of {}): its rates and odds ratios rest on the crimes where it was recorded, and \"not recorded\" is a level of its own",
                        crate::wording::capitalise(c.words),
                        crate::wording::percent(c.blank_share(), 0),
                        config.scope.label(),
                        crate::wording::thousands(c.blank),
                        crate::wording::thousands(c.crimes)
                    )
                })
                .collect(),
            model_fitted,
            model_note,
            model_crimes,
            model_left_out,
        }
    });
    ExtractSummary {
        reconciliation: None,
        quality,
        source: config.source_label(),
        file: config.file_label.clone(),
        force: config.force.clone(),
        note: config.note.clone(),
        scope: config.scope.name().to_string(),
        scope_label: config.scope.label().to_string(),
        comparison_label: config.scope.comparison_label().map(String::from),
        area_level: config.area_level.name().to_string(),
        outcome: config.measure.numerator.clone(),
        denominator_types: config.measure.denominator.clone(),
        basis: config.measure.basis.as_str().to_string(),
        rows: summary::ExtractRows {
            read: account.rows_read,
            loaded: account.rows_loaded,
            quarantined: account.rows_quarantined,
            blank: account.blank_rows,
            duplicates_reduced: account.duplicate_rows_reduced,
            crimes_with_several_rows: account.crimes_with_several_rows,
            duplicates_with_conflicting_fields: account.duplicates_with_conflicting_fields,
            quarantine_reasons: account.quarantine_reasons.clone(),
        },
        crimes: account.crimes,
        crimes_without_outcome: account.crimes_without_outcome,
        crimes_in_scope: a.crimes_in_scope,
        crimes_in_comparison: a.crimes_in_comparison,
        numerator: a.overall.numerator,
        denominator: a.overall.denominator,
        rate: a.overall.rate,
        comparison_rate: a.overall_comparison.and_then(|r| r.rate),
        area_funnel: funnel_summary(&a.areas, config),
        unit_funnel: a.units.as_ref().map(|u| funnel_summary(u, config)),
        months: summary::Months {
            first: a.months.first().map(|m| dates::month_label(m.month)),
            last: a.months.last().map(|m| dates::month_label(m.month)),
            count: a.months.len() as u64,
            chart: "laney_p_prime".into(),
            centre: a.month_chart.map(|c| c.centre),
            sigma_z: a.month_chart.and_then(|c| c.sigma_z),
            rule_hits,
            shift_length: config.spc.shift_length as u64,
            trend_length: config.spc.trend_length as u64,
        },
        repeat_victims: repeat,
        time_to_closure: all_areas.map(|r| summary::TimeToClosure {
            closures: r.closures,
            median_days: r.median_days,
            q1_days: r.q1_days,
            q3_days: r.q3_days,
            within_1_day: r.within_1_day,
        }),
        audit_sample: run.audit.as_ref().map(|s| summary::AuditSampleEntry {
            file: AUDIT_SAMPLE_FILE.into(),
            seed: s.settings.seed,
            stratify: s.settings.stratify.name().to_string(),
            eligible: s.eligible,
            sampled: s.crimes.len() as u64,
            planning_share: s.planning_share(),
            half_width_95: Some(s.half_width).filter(|h| h.is_finite()),
        }),
    }
}

/// The extract's months as the monitoring summary reads them.
pub fn month_series<'a>(
    analysis: &'a analyse::ExtractAnalysis,
    config: &'a ExtractConfig,
) -> run_folder::summary::monitor::SeriesPoints<'a> {
    let m = &analysis.months;
    let mut phases = Vec::new();
    for (k, r) in m.iter().enumerate() {
        let last_of_phase = m.get(k + 1).is_none_or(|next| next.phase != r.phase);
        if let (true, Some(v)) = (last_of_phase, r.variation) {
            phases.push(v);
        }
    }
    run_folder::summary::monitor::SeriesPoints {
        unit: config.scope.label(),
        source: "extract",
        points: m
            .iter()
            .map(|r| {
                (
                    dates::month_label(r.month),
                    analyse::month_days(r.month).1,
                    r.scope.rate.unwrap_or(f64::NAN),
                    r.variation,
                    r.spc.map(|p| (p.lower_3, p.upper_3)),
                )
            })
            .collect(),
        phases,
    }
}

/// The `audit` object of `summary.json`, when the run read a reviewed sample back.
pub fn audit_summary(run: &ExtractRun, config: &ExtractConfig) -> Option<summary::AuditSummary> {
    use crate::normalise::values::Finding;
    let results = run.review.as_ref()?;
    let share = |answer: Finding| {
        results
            .shares
            .iter()
            .find(|s| s.answer == answer.name())
            .map(|s| summary::AuditShare {
                positives: s.positives,
                reviewed: s.reviewed,
                share: finite(s.estimate.p),
                ci95: summary::finite_pair(s.interval.lower, s.interval.upper),
                total: finite(s.total),
                total_ci95: summary::finite_pair(s.total_interval.lower, s.total_interval.upper),
                bounds: s.bounds.map(|b| summary::finite_pair(b.lower, b.upper)),
            })
    };
    Some(summary::AuditSummary {
        file: config.review.reviewed_label.clone().unwrap_or_default(),
        status: results.status.name().to_string(),
        stratified_by: config
            .audit
            .map_or("area", |a| a.stratify.name())
            .to_string(),
        population: results.population,
        drawn: results.drawn,
        reviewed: results.reviewed,
        pending: results.pending.len() as u64,
        unreviewed_strata: results.unreviewed_strata.clone(),
        interval_method: tables::interval_name(config.review.method).to_string(),
        inappropriate: share(Finding::Inappropriate),
        cannot_tell: share(Finding::CannotTell),
        strata_test: results.strata_test.map(|t| summary::StrataTestEntry {
            statistic: finite(t.statistic),
            df_numerator: finite(t.df_numerator),
            df_denominator: finite(t.df_denominator),
            p_value: finite(t.p_value),
            pearson: finite(t.pearson),
            smallest_expected: finite(t.smallest_expected),
        }),
        agreement: results
            .agreement
            .as_ref()
            .map(|(k, _)| summary::AgreementEntry {
                cases: k.n,
                observed: finite(k.observed),
                expected: finite(k.expected),
                kappa: k.kappa,
                se: k.se,
                ci95: k.interval.map(|i| summary::finite_pair(i.lower, i.upper)),
                disagreements: results.disagreements.len() as u64,
            }),
    })
}

/// Runs the record-level analysis alone (`outcome-lens extract`) into a run folder with the
/// `extract_*` tables, `summary.json` (its `extract` object), the extract's charts (drawn from
/// those tables and that summary exactly as `outcome-lens run` draws them), `manifest.json`,
/// the quarantine and the audit sample.
pub fn write_folder(
    config: &crate::config::Config,
    extract_config: &ExtractConfig,
    overwrite: bool,
    progress: &ProgressBar,
) -> Result<ExtractRun> {
    let mut folder = crate::output::RunFolder::begin(&config.out, overwrite)?;
    let run = run(extract_config, progress)?;
    let formats = run_folder::Formats {
        parquet: config.formats.parquet,
        xlsx: config.formats.xlsx,
    };
    for (name, bytes) in run_folder::table_files(&run.tables, formats)? {
        folder.write(&name, &bytes)?;
    }
    for (name, bytes) in files(&run)? {
        folder.write(&name, &bytes)?;
    }
    let summary = Summary {
        title: config.title.clone(),
        national: None,
        extract: Some(summary(&run, extract_config)),
        audit: audit_summary(&run, extract_config),
        monitor: run_folder::summary::monitor::build(
            &extract_config.monitor,
            &[month_series(&run.analysis, extract_config)],
            &run.analysis
                .monitor
                .iter()
                .map(|e| ("extract", e))
                .collect::<Vec<_>>(),
            &run.analysis
                .displacement
                .iter()
                .map(|d| ("extract", d))
                .collect::<Vec<_>>(),
        ),
    };
    folder.write("summary.json", &run_folder::summary::to_bytes(&summary)?)?;
    let data = crate::render::RunData::from_tables(&run.tables, &summary)?;
    for (name, bytes) in crate::render::render_run(&data, &crate::render::ChartOptions::standard())?
    {
        folder.write(&format!("charts/{name}"), &bytes)?;
    }
    run_folder::finish(
        folder,
        manifest::AnalysisFile::of(&config.analysis_path, &config.analysis_text),
        None,
        Some(manifest_entry(&run, extract_config)?),
    )?;
    Ok(run)
}
