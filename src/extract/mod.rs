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
pub mod dates;
pub mod offences;
pub mod read;
pub mod rng;
pub mod sample;
pub mod synth;
pub mod tables;

use anyhow::{Context, Result};
use indicatif::ProgressBar;
use serde_json::json;

use crate::compare::funnel::{adjustment_name, method_name, FunnelSummary};
use crate::config::extract::ExtractConfig;
use crate::extract::analyse::{ExtractAnalysis, UnitFunnel};
use crate::extract::read::Extract;
use crate::extract::sample::AuditSample;
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
}

/// Reads and analyses the extract, and draws the audit sample if asked.
pub fn run(config: &ExtractConfig, progress: &ProgressBar) -> Result<ExtractRun> {
    let extract = read::read_extract(config, progress)?;
    let analysis = analyse::analyse(&extract, config)
        .with_context(|| format!("record-level analysis of {}", config.file_label))?;
    let tables = tables::tables(&extract, &analysis, config);
    let audit = config
        .audit
        .as_ref()
        .map(|settings| sample::draw(&extract, config, settings));
    Ok(ExtractRun {
        extract,
        analysis,
        tables,
        audit,
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
pub fn manifest_json(run: &ExtractRun, config: &ExtractConfig) -> serde_json::Value {
    json!({
        "path": config.file_label,
        "sha256": run.extract.sha256,
        "accounting": run.extract.account,
    })
}

fn funnel_json(funnel: &UnitFunnel, config: &ExtractConfig) -> serde_json::Value {
    let levels = config.funnel.levels;
    let mut flagged = serde_json::Map::new();
    for row in &funnel.rows {
        if let Some(place) = &row.place {
            if place.flag != Flag::Within {
                let entry = flagged
                    .entry(place.flag.name(&levels))
                    .or_insert_with(|| json!([]));
                if let Some(list) = entry.as_array_mut() {
                    list.push(json!(row.name));
                }
            }
        }
    }
    let summary = |s: &FunnelSummary| {
        json!({
            "units": s.n_units,
            "target": s.target,
            "target_kind": s.target_kind,
            "phi": s.phi,
            "tau2": s.tau2,
            "overdispersion_test": {"statistic": s.chi2_statistic, "df": s.df, "p_value": s.p_value},
            "method": method_name(s.method),
            "overdispersion": adjustment_name(s.adjustment),
            "adjustment_applied": s.adjustment_applied,
            "adjusted_method": method_name(s.adjusted_method),
            "levels": [levels.inner().confidence(), levels.outer().confidence()],
            "flagged": flagged,
        })
    };
    match &funnel.summary {
        Some(s) => summary(s),
        None => json!({"note": "fewer than two units with closed crimes: no funnel"}),
    }
}

/// The `extract` object of `summary.json`: accounting and headline numbers.
pub fn summary_json(run: &ExtractRun, config: &ExtractConfig) -> serde_json::Value {
    let a = &run.analysis;
    let account = &run.extract.account;
    let repeat = a.repeat.as_ref().map(|r| {
        let rate = |k: usize| r.rows.get(k).and_then(|row| row.scope.rate);
        json!({
            "first_crime_rate": rate(0),
            "repeat_rate": rate(1),
            "victims_with_two_or_more_closures": r.two_or_more_closures,
            "crimes_without_victim": r.crimes_without_victim,
        })
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
    json!({
        "source": config.source_label(),
        "file": config.file_label,
        "force": config.force,
        "note": config.note,
        "scope": config.scope.name(),
        "scope_label": config.scope.label(),
        "comparison_label": config.scope.comparison_label(),
        "area_level": config.area_level.name(),
        "outcome": config.measure.numerator,
        "denominator_types": config.measure.denominator,
        "basis": match config.measure.basis {
            crate::record::Basis::AssignedInPeriod => "assigned_in_period",
            crate::record::Basis::RecordedInPeriod => "recorded_in_period",
        },
        "rows": {
            "read": account.rows_read,
            "loaded": account.rows_loaded,
            "quarantined": account.rows_quarantined,
            "blank": account.blank_rows,
            "duplicates_reduced": account.duplicate_rows_reduced,
            "crimes_with_several_rows": account.crimes_with_several_rows,
            "duplicates_with_conflicting_fields": account.duplicates_with_conflicting_fields,
            "quarantine_reasons": account.quarantine_reasons,
        },
        "crimes": account.crimes,
        "crimes_without_outcome": account.crimes_without_outcome,
        "crimes_in_scope": a.crimes_in_scope,
        "crimes_in_comparison": a.crimes_in_comparison,
        "numerator": a.overall.numerator,
        "denominator": a.overall.denominator,
        "rate": a.overall.rate,
        "comparison_rate": a.overall_comparison.and_then(|r| r.rate),
        "area_funnel": funnel_json(&a.areas, config),
        "unit_funnel": a.units.as_ref().map(|u| funnel_json(u, config)),
        "months": {
            "first": a.months.first().map(|m| dates::month_label(m.month)),
            "last": a.months.last().map(|m| dates::month_label(m.month)),
            "count": a.months.len(),
            "chart": "laney_p_prime",
            "centre": a.month_chart.map(|c| c.centre),
            "sigma_z": a.month_chart.and_then(|c| c.sigma_z),
            "rule_hits": rule_hits,
            "shift_length": config.spc.shift_length,
            "trend_length": config.spc.trend_length,
        },
        "repeat_victims": repeat,
        "time_to_closure": all_areas.map(|r| json!({
            "closures": r.closures,
            "median_days": r.median_days,
            "q1_days": r.q1_days,
            "q3_days": r.q3_days,
            "within_1_day": r.within_1_day,
        })),
        "audit_sample": run.audit.as_ref().map(|s| json!({
            "file": AUDIT_SAMPLE_FILE,
            "seed": s.settings.seed,
            "stratify": s.settings.stratify.name(),
            "eligible": s.eligible,
            "sampled": s.crimes.len(),
        })),
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
    for table in &run.tables {
        folder.write(
            &format!("tables/{}.csv", table.name),
            table.to_csv().as_bytes(),
        )?;
        if config.formats.parquet {
            folder.write(
                &format!("data/{}.parquet", table.name),
                &crate::output::table_parquet(table)?,
            )?;
        }
    }
    if config.formats.xlsx {
        folder.write("tables.xlsx", &crate::output::tables_xlsx(&run.tables)?)?;
    }
    for (name, bytes) in files(&run)? {
        folder.write(&name, &bytes)?;
    }
    let summary = json!({
        "title": config.title,
        "extract": summary_json(&run, extract_config),
    });
    folder.write("summary.json", &pretty(&summary)?)?;
    let data = crate::render::RunData::from_tables(&run.tables, &summary)?;
    for (name, bytes) in crate::render::render_run(&data, &crate::render::ChartOptions::standard())?
    {
        folder.write(&format!("charts/{name}"), &bytes)?;
    }
    let outputs: Vec<serde_json::Value> = folder
        .files()
        .into_iter()
        .map(|(path, sha, bytes)| json!({"path": path, "sha256": sha, "bytes": bytes}))
        .collect();
    let manifest = json!({
        "tool": {"name": env!("CARGO_PKG_NAME"), "version": env!("CARGO_PKG_VERSION")},
        "analysis_file": {
            "name": config.analysis_path.file_name().map(|n| n.to_string_lossy().into_owned()),
            "sha256": crate::output::sha256_hex(config.analysis_text.as_bytes()),
            "text": config.analysis_text,
        },
        "extract": manifest_json(&run, extract_config),
        "outputs": outputs,
    });
    folder.write("manifest.json", &pretty(&manifest)?)?;
    folder.commit()?;
    Ok(run)
}

fn pretty(value: &serde_json::Value) -> Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(value)?;
    bytes.push(b'\n');
    Ok(bytes)
}
