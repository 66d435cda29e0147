//! The analysis run: inputs → canonical table → cells → comparison → run folder.
//!
//! Invariant: the run folder is written through [`RunFolder`], so it is complete or absent;
//! `summary.json` and the tables hold every number later shown; the manifest records the
//! tool version, the analysis file as run, and the sha256 of every input and output.

use anyhow::{bail, Result};
use indicatif::ProgressBar;
use std::collections::BTreeMap;

use crate::cache;
use crate::compare::{self, Analysis};
use crate::config::{AdjustWhen, Alternative, Config};
use crate::ingest::Table;
use crate::measure;
use crate::output::{self, RunFolder};
use crate::render::{self, ChartOptions, RunData};
use crate::run_folder::summary::{self, finite, finite_pair, Summary};
use crate::run_folder::{self, manifest};
use crate::tables;

/// Options that are not part of the analysis.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Replace an existing run folder.
    pub overwrite: bool,
    /// Flags that, on a focus force, make the run exit with the gate code: a gate on a level
    /// fires for that level and every more extreme one on the same side
    /// ([`crate::stats::Flag::reaches`]).
    pub fail_on: Vec<crate::stats::Flag>,
    /// Fail (nothing written) on any quarantined row, missing count in scope or unit compared
    /// on part of the period: for scheduled runs that must not report on partial data.
    pub strict: bool,
}

/// What a finished run reports to the CLI.
#[derive(Debug, Clone)]
pub struct RunReport {
    /// One line per notice (partial, missing or left-out data), for stderr.
    pub notice_lines: Vec<String>,
    /// One line per focus force, for stderr.
    pub focus_lines: Vec<String>,
    /// The focus forces a `fail_on` gate fired for: (force, gate, the force's flag).
    pub gate_hits: Vec<(String, String, String)>,
    /// Whether the ingest cache was used.
    pub from_cache: bool,
}

/// Runs the analysis and writes the run folder.
pub fn run(config: &Config, options: &RunOptions, progress: &ProgressBar) -> Result<RunReport> {
    let mut clock = crate::timings::Stopwatch::from_env();
    let mut folder = RunFolder::begin(&config.out, options.overwrite)?;
    let aliases: Vec<(String, String)> = config
        .aliases
        .iter()
        .map(|(a, f)| (a.clone(), f.clone()))
        .collect();
    // The alternatives of `[sensitivity]` that count something else in a cell are measured
    // from the same table, after the run's own cells.
    let alternatives: Vec<(Alternative, Config, String)> = config
        .sensitivity
        .iter()
        .filter_map(|&a| config.with_alternative(a).map(|(c, words)| (a, c, words)))
        .collect();
    let mut measured: Vec<&Config> = vec![config];
    measured.extend(
        alternatives
            .iter()
            .filter(|(a, _, _)| a.measures_again())
            .map(|(_, c, _)| c),
    );
    // The alternatives' cells are measured in the period only: they are compared for each
    // force's place in it (`compare::Depth::Place`), which reads no other period.
    let measure_keys: Vec<String> = measured
        .iter()
        .enumerate()
        .map(|(k, c)| match k {
            0 => measure_key(c),
            _ => format!("{}\nin period {:?}", measure_key(c), c.period),
        })
        .collect();
    let loaded = cache::load_measured(
        &config.inputs,
        &config.forces,
        &aliases,
        &measure_keys,
        |table, k| match table {
            Table::Outcomes(df) if k == 0 => measure::outcome_cells(df, measured[k]),
            Table::Outcomes(df) => measure::outcome_cells_in_period(df, measured[k]),
            Table::Tidy(df) => measure::tidy_cells(df),
        },
        progress,
    )?;
    let (cells, tidy) = (&loaded.cells, loaded.tidy);
    clock.lap("load inputs, measure cells");
    let focus = resolve_focus(config, cells, &loaded.quarantine, tidy)?;
    let mut analysis = compare::compare(cells, config, &focus, tidy)?;
    if !loaded.quarantine.is_empty() {
        let rows = loaded.quarantine.len() as u64;
        analysis.notices.push(compare::Notice {
            kind: compare::NoticeKind::QuarantinedRows,
            count: rows,
            text: format!(
                "{} {} of the inputs could not be loaded and {} left out (quarantine.csv has each with its file, line and reason)",
                crate::wording::thousands(rows),
                compare::plural(rows, "row", "rows"),
                if rows == 1 { "was" } else { "were" }
            ),
        });
        analysis.notices.sort_by_key(|n| n.kind);
    }
    if options.strict {
        let failing: Vec<&compare::Notice> = analysis
            .notices
            .iter()
            .filter(|n| n.kind.strict())
            .collect();
        if !failing.is_empty() {
            bail!(
                "--strict: the data are not complete, so nothing was written: {}",
                failing
                    .iter()
                    .map(|n| n.text.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            );
        }
    }
    let sensitivity = sensitivity(config, &analysis, &alternatives, &loaded, &focus);
    let mut tables = tables::tables(&analysis, config);
    tables.push(tables::sensitivity_table(&sensitivity, &analysis, config));
    clock.lap("compare");
    // The record-level extract (issue #7), when the analysis file names one.
    let extract = match &config.extract {
        Some(section) => Some((crate::extract::run(section, progress)?, section)),
        None => None,
    };
    if let Some((run, _)) = &extract {
        tables.extend(run.tables.iter().cloned());
    }
    // The extract counted as the published tables count, against them (issue #21).
    let reconciliation = match (&extract, config.extract_force()) {
        (Some((run, _)), Some(force)) if !tidy => compare::reconcile::reconcile(
            cells,
            &force,
            &config.denominator.types,
            &run.extract.offences,
            &run.analysis.all_types,
        ),
        _ => None,
    };
    if let Some(r) = &reconciliation {
        tables.push(tables::reconciliation_table(r, config));
    }
    clock.lap("extract");
    let summary = Summary {
        title: config.title.clone(),
        national: Some(national_summary(config, &analysis, &focus, &loaded, tidy)),
        extract: extract.as_ref().map(|(run, section)| {
            let mut summary = crate::extract::summary(run, section);
            summary.reconciliation =
                reconciliation
                    .as_ref()
                    .map(|r| summary::ReconciliationSummary {
                        force: r.force.clone(),
                        quarters: r.quarters.iter().map(ToString::to_string).collect(),
                        quarters_not_published: r
                            .quarters_not_published
                            .iter()
                            .map(ToString::to_string)
                            .collect(),
                        codes_not_published: r.codes_not_published.clone(),
                        incomplete_cells: r.incomplete_cells,
                    });
            summary
        }),
        audit: extract
            .as_ref()
            .and_then(|(run, section)| crate::extract::audit_summary(run, section)),
        monitor: monitor_summary(
            config,
            &analysis,
            &focus,
            extract.as_ref().map(|(run, _)| &run.analysis),
        ),
    };
    let data = RunData::from_tables(&tables, &summary)?;
    // The tables' files are made on a thread of their own while the charts are drawn: the
    // charts' jobs do not divide evenly between two cores, and this fills the gap.
    let (table_files, charts) = std::thread::scope(|scope| {
        let formats = run_folder::Formats {
            parquet: config.formats.parquet,
            xlsx: config.formats.xlsx,
        };
        let files = scope.spawn(move || run_folder::table_files(&tables, formats));
        let charts = render::render_run(&data, &ChartOptions::standard());
        let files = files
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (files, charts)
    });
    for (name, bytes) in table_files? {
        folder.write(&name, &bytes)?;
    }
    if !loaded.quarantine.is_empty() {
        let mut text = Vec::new();
        output::write_quarantine_to(&mut text, &loaded.quarantine)?;
        folder.write("quarantine.csv", &text)?;
    }
    if let Some((run, _)) = &extract {
        for (name, bytes) in crate::extract::files(run)? {
            folder.write(&name, &bytes)?;
        }
    }
    folder.write("summary.json", &run_folder::summary::to_bytes(&summary)?)?;
    let charts = charts?;
    clock.lap("tables, tables.xlsx, charts");
    for (name, bytes) in &charts {
        folder.write(&format!("charts/{name}"), bytes)?;
    }
    for (name, bytes) in crate::report::build(&data, &charts)? {
        folder.write(&name, &bytes)?;
    }
    clock.lap("report");
    let extract_entry = match &extract {
        Some((run, section)) => Some(crate::extract::manifest_entry(run, section)?),
        None => None,
    };
    run_folder::finish(
        folder,
        manifest::AnalysisFile::of(&config.analysis_path, &config.analysis_text),
        Some(input_entries(config, &loaded)),
        extract_entry,
    )?;
    clock.lap("manifest, commit");

    let levels = config.funnel.levels;
    let mut focus_lines = Vec::new();
    let mut gate_hits = Vec::new();
    for row in analysis.forces.iter().filter(|r| r.focus) {
        let flag = row.flag.name(&levels);
        let excess = analysis
            .mix_summary
            .iter()
            .find(|m| m.force == row.force)
            .map(|m| format!("; {}", excess_phrase(m.excess)))
            .unwrap_or_default();
        let partial = if row.periods_missing.is_empty() {
            String::new()
        } else {
            format!(
                "; partial: compared on {} of {} periods (no {})",
                row.periods_present,
                analysis.periods.len(),
                row.periods_missing.join(", ")
            )
        };
        focus_lines.push(format!(
            "{}: {:.1}% ({} / {}), national {:.1}%; {} ({}){}{}{partial}",
            row.force,
            100.0 * row.rate,
            crate::wording::thousands(row.numerator),
            crate::wording::thousands(row.denominator),
            100.0 * row.target,
            crate::wording::flag_position(&levels, row.flag),
            flag,
            row.rank
                .map(|r| format!("; rank {r} of {}", analysis.funnel.n_units))
                .unwrap_or_default(),
            excess
        ));
        if let Some(gate) = options.fail_on.iter().find(|gate| row.flag.reaches(**gate)) {
            gate_hits.push((row.force.clone(), gate.name(&levels), flag));
        }
    }
    Ok(RunReport {
        notice_lines: analysis
            .notices
            .iter()
            .map(|n| format!("outcome-lens: note: {}", n.text))
            .collect(),
        focus_lines,
        gate_hits,
        from_cache: loaded.from_cache,
    })
}

/// What everything `measure` depends on besides the table, as the cells cache keys it.
fn measure_key(config: &Config) -> String {
    format!(
        "basis {}\noutcomes {:?}\ndenominator {:?}{}",
        config.basis.as_str(),
        config.outcomes,
        config.denominator.types,
        match config.type_count_units().as_slice() {
            [] => String::new(),
            units => format!("\noutcome mix of {units:?}"),
        }
    )
}

/// The focus forces under each alternative of `[sensitivity]`, compared from the cells the
/// run measured (an alternative that counts something else in a cell has its own, measured
/// from the same table). Tidy counts have no basis, outcome types, denominator, offences or
/// forces to vary: only the overdispersion adjustment applies to them.
fn sensitivity(
    config: &Config,
    analysis: &compare::Analysis,
    alternatives: &[(Alternative, Config, String)],
    loaded: &cache::Measured,
    focus: &[String],
) -> Vec<compare::sensitivity::SensitivityRow> {
    let mut further = loaded.further.iter();
    let compared: Vec<_> = alternatives
        .iter()
        .filter_map(|(alternative, other, words)| {
            let cells = if alternative.measures_again() {
                further.next()?
            } else {
                &loaded.cells
            };
            if loaded.tidy && *alternative != Alternative::Overdispersion {
                return None;
            }
            let compared =
                compare::compare_to(cells, other, focus, loaded.tidy, compare::Depth::Place);
            Some((*alternative, words.clone(), compared))
        })
        .collect();
    compare::sensitivity::rows(config, analysis, &compared)
}

/// The excess over the offence-mix expectation in words that read right either way:
/// "2,613 closures above the offence-mix expectation", "594 closures below it".
fn excess_phrase(x: f64) -> String {
    let rounded = x.round();
    let magnitude = rounded.abs() as u64;
    format!(
        "{} {} {} the offence-mix expectation",
        crate::wording::thousands(magnitude),
        compare::plural(magnitude, "closure", "closures"),
        if rounded < 0.0 { "below" } else { "above" }
    )
}

/// Focus forces as canonical names present in the data, or, for tidy-counts tables, the
/// units they name (compared without case).
fn resolve_focus(
    config: &Config,
    cells: &[measure::Cell],
    quarantine: &[crate::ingest::QuarantinedRow],
    tidy: bool,
) -> Result<Vec<String>> {
    use crate::normalise::text::match_key;
    let mut units: Vec<&str> = cells.iter().map(|c| c.unit.as_str()).collect();
    units.sort_unstable();
    units.dedup();
    let file = config.analysis_path.display();
    let mut focus = Vec::new();
    for name in &config.focus {
        // A row names the unit when one of its cells is the unit's name (any spelling).
        let names_unit = |cell: &str| {
            if tidy {
                match_key(cell) == match_key(name)
            } else {
                config.forces.lookup(cell).is_some()
                    && config.forces.lookup(cell) == config.forces.lookup(name)
            }
        };
        let found = if tidy {
            units.iter().find(|u| match_key(u) == match_key(name))
        } else {
            let forces = &config.forces;
            let Some(id) = forces.lookup(name) else {
                bail!(
                    "{file}: focus: unknown force {name:?}; closest known names: {}",
                    forces.closest_names(name, 3).join(", ")
                );
            };
            if forces.force(id).kind == crate::normalise::forces::ForceKind::Aggregate {
                bail!("{file}: focus: {name:?} is a total, not a force");
            }
            units.iter().find(|u| **u == forces.force(id).name)
        };
        let quarantined: Vec<&crate::ingest::QuarantinedRow> = quarantine
            .iter()
            .filter(|row| row.cells.iter().any(|cell| names_unit(cell)))
            .collect();
        match (found, quarantined.first()) {
            (Some(unit), _) => focus.push(unit.to_string()),
            (None, Some(first)) => bail!(
                "{file}: focus: {name:?} has no rows loaded: its {} {} quarantined (the first at {}:{}: {}; `outcome-lens validate` lists them all)",
                crate::wording::thousands(quarantined.len() as u64),
                if quarantined.len() == 1 { "row was" } else { "rows were" },
                first.file,
                first.line,
                first.reason
            ),
            (None, None) => bail!(
                "{file}: focus: {name:?} has no rows in the inputs; {} present: {}",
                if tidy { "units" } else { "forces" },
                units.join(", ")
            ),
        }
    }
    focus.sort();
    focus.dedup();
    Ok(focus)
}

fn national_summary(
    config: &Config,
    analysis: &Analysis,
    focus: &[String],
    loaded: &cache::Measured,
    tidy: bool,
) -> summary::National {
    let levels = config.funnel.levels;
    let f = &analysis.funnel;
    let mut flags: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in analysis.forces.iter().filter(|r| r.in_national_set) {
        flags
            .entry(row.flag.name(&levels))
            .or_default()
            .push(row.force.clone());
    }
    let flag_changes = analysis
        .forces
        .iter()
        .filter(|r| r.flag != r.flag_unadjusted)
        .map(|r| summary::FlagChange {
            force: r.force.clone(),
            flag: r.flag.name(&levels),
            flag_unadjusted: r.flag_unadjusted.name(&levels),
        })
        .collect();
    let focus = focus
        .iter()
        .filter_map(|name| analysis.forces.iter().find(|r| &r.force == name))
        .map(|r| {
            let mix = analysis.mix_summary.iter().find(|m| m.force == r.force);
            let series: Vec<&compare::TrendRow> = analysis
                .trend
                .iter()
                .filter(|t| t.force == r.force)
                .collect();
            let trend = match (series.first(), series.last()) {
                (Some(first), Some(last)) if series.len() >= 2 => {
                    let (change, movement) =
                        crate::stats::proportion::change(first.rate, last.rate);
                    Some(summary::FocusTrend {
                        first_period: first.period.label.clone(),
                        first_rate: finite(first.rate),
                        last_period: last.period.label.clone(),
                        last_rate: finite(last.rate),
                        change: finite(change),
                        direction: movement.name().to_string(),
                        periods: series.len() as u64,
                        rule_hits: series
                            .iter()
                            .filter(|t| t.rules.any())
                            .map(|t| t.period.label.clone())
                            .collect(),
                    })
                }
                _ => None,
            };
            summary::Focus {
                force: r.force.clone(),
                force_code: r.force_code.clone(),
                numerator: r.numerator,
                denominator: r.denominator,
                rate: finite(r.rate),
                ci95: finite_pair(r.ci95.lower, r.ci95.upper),
                z_adjusted: finite(r.z_adjusted),
                flag: r.flag.name(&levels),
                flag_in_words: crate::wording::flag_position(&levels, r.flag),
                flag_unadjusted: r.flag_unadjusted.name(&levels),
                rank: r.rank.map(|k| k as u64),
                of: f.n_units as u64,
                periods_present: r.periods_present as u64,
                periods_missing: r.periods_missing.clone(),
                peer_group: r.peer_group.clone(),
                peer_rate_pooled: r.peer_rate_pooled.and_then(finite),
                peer_rate_mean: r.peer_rate_mean.and_then(finite),
                expected: mix.and_then(|m| finite(m.expected)),
                excess: mix.and_then(|m| finite(m.excess)),
                explained_by_offence_mix: mix.and_then(|m| finite(m.mix)),
                standardised_ratio: mix.and_then(|m| finite(m.ratio)),
                standardised_ratio_ci95: mix
                    .map(|m| finite_pair(m.ratio_ci95.lower, m.ratio_ci95.upper)),
                trend,
            }
        })
        .collect();
    let scope = &config.scope;
    let rows = |key: &str| -> u64 {
        loaded
            .accounts
            .iter()
            .map(|a| a[key].as_u64().unwrap_or(0))
            .sum()
    };
    summary::National {
        outcome: config.outcomes.clone(),
        outcome_descriptions: config
            .outcomes
            .iter()
            .map(|t| crate::normalise::outcomes::description(*t))
            .collect(),
        basis: if tidy {
            TIDY_BASIS.to_string()
        } else {
            config.basis.as_str().to_string()
        },
        denominator: if tidy {
            summary::Denominator {
                name: TIDY_BASIS.to_string(),
                types: None,
                description: None,
            }
        } else {
            summary::Denominator {
                name: config.denominator.name.clone(),
                types: Some(config.denominator.types.clone()),
                description: Some(config.denominator.description.clone()),
            }
        },
        period: analysis.period_label.clone(),
        period_partial: !analysis.periods_not_held.is_empty(),
        periods_not_held: analysis.periods_not_held.clone(),
        periods_compared: analysis.periods.clone(),
        source_note: config.source_note.clone(),
        scope: summary::Scope {
            name: scope.name.clone(),
            label: scope.label.clone(),
            proxy: scope.proxy,
            include_groups: scope.include_groups.clone(),
            include_subgroups: scope.include_subgroups.clone(),
            include_codes: scope.include_codes.clone(),
            exclude_groups: scope.exclude_groups.clone(),
            exclude_subgroups: scope.exclude_subgroups.clone(),
            exclude_codes: scope.exclude_codes.clone(),
        },
        national_set: if tidy {
            "every unit in the inputs".to_string()
        } else {
            config.national_set_label()
        },
        n_units: f.n_units as u64,
        target: finite(f.target),
        target_kind: f.target_kind.to_string(),
        phi: finite(f.phi),
        tau2: finite(f.tau2),
        overdispersion_test: summary::DispersionTest {
            statistic: finite(f.chi2_statistic),
            df: f.df as u64,
            p_value: finite(f.p_value),
        },
        charts: summary::ChartSettings {
            unadjusted_limits: config.charts.unadjusted_limits,
            y_from_zero: config.charts.y_from_zero,
        },
        funnel: summary::FunnelSettings {
            method: compare::funnel::method_name(f.method).to_string(),
            levels: vec![levels.inner().confidence(), levels.outer().confidence()],
            overdispersion: compare::funnel::adjustment_name(f.adjustment).to_string(),
            scale: match config.funnel.scale {
                crate::stats::Scale::Arcsine => "arcsine",
                crate::stats::Scale::Natural => "natural",
            }
            .to_string(),
            winsorise: config.funnel.winsorise,
            winsor_bounds: finite_pair(f.winsor_bounds.0, f.winsor_bounds.1),
            adjust_when: match config.funnel.adjust_when {
                AdjustWhen::Tau2Positive => "tau2_positive",
                AdjustWhen::Significant => "significant",
            }
            .to_string(),
            adjustment_applied: f.adjustment_applied,
            adjusted_method: compare::funnel::method_name(f.adjusted_method).to_string(),
            description: tables::method_label(analysis),
        },
        spc: summary::SpcSettings {
            chart: "laney_p_prime".into(),
            shift_length: config.spc.shift_length as u64,
            trend_length: config.spc.trend_length as u64,
            screen_moving_ranges: config.spc.screen_moving_ranges,
        },
        focus,
        flags,
        flag_differs_when_unadjusted: flag_changes,
        missing_cells_in_scope: analysis.missing_cells,
        cells_left_out_in_scope: analysis.incomplete_cells,
        notices: analysis
            .notices
            .iter()
            .map(|n| summary::NoticeEntry {
                kind: n.kind.name().to_string(),
                count: n.count,
                text: n.text.clone(),
            })
            .collect(),
        rows: summary::Rows {
            read: rows("rows_read"),
            loaded: rows("rows_loaded"),
            quarantined: rows("rows_quarantined"),
        },
    }
}

/// The basis and denominator of a tidy-counts table, as the summary names them.
const TIDY_BASIS: &str = "as published (tidy counts)";

/// The inputs' entries in `manifest.json`: each path relative to the analysis file, its
/// sha256 and its row accounting (without the file name, which the path gives).
fn input_entries(config: &Config, loaded: &cache::Measured) -> Vec<manifest::Input> {
    let base = config
        .analysis_path
        .parent()
        .unwrap_or_else(|| std::path::Path::new(""));
    config
        .inputs
        .iter()
        .zip(&loaded.input_sha256)
        .zip(&loaded.accounts)
        .map(|((path, sha), account)| {
            let shown = path.strip_prefix(base).unwrap_or(path);
            let mut account = account.clone();
            if let Some(map) = account.as_object_mut() {
                map.remove("file");
            }
            manifest::Input {
                path: shown.to_string_lossy().into_owned(),
                sha256: sha.clone(),
                accounting: account,
            }
        })
        .collect()
}

/// `summary.json`'s `monitor`: the focus forces' quarterly series and the extract's months,
/// with each event's effects.
fn monitor_summary(
    config: &Config,
    analysis: &crate::compare::Analysis,
    focus: &[String],
    extract: Option<&crate::extract::analyse::ExtractAnalysis>,
) -> Option<run_folder::summary::MonitorSummary> {
    use run_folder::summary::monitor::{build, SeriesPoints};
    let mut series: Vec<SeriesPoints> = focus
        .iter()
        .map(|unit| {
            let rows: Vec<&crate::compare::TrendRow> =
                analysis.trend.iter().filter(|r| &r.force == unit).collect();
            let mut phases = Vec::new();
            for (k, r) in rows.iter().enumerate() {
                let last_of_phase = rows.get(k + 1).is_none_or(|next| next.phase != r.phase);
                if let (true, Some(v)) = (last_of_phase, r.variation) {
                    phases.push(v);
                }
            }
            SeriesPoints {
                unit,
                source: "home_office",
                points: rows
                    .iter()
                    .map(|r| {
                        (
                            r.period.label.clone(),
                            crate::compare::trend::period_days(&r.period).1,
                            r.rate,
                            r.variation,
                            r.spc.map(|p| (p.lower_3, p.upper_3)),
                        )
                    })
                    .collect(),
                phases,
            }
        })
        .collect();
    let mut effects: Vec<(&str, &crate::compare::monitor::EventEffect)> = analysis
        .monitor
        .iter()
        .map(|e| ("home_office", e))
        .collect();
    let mut displacement: Vec<(&str, &crate::compare::monitor::DisplacementEffect)> = analysis
        .displacement
        .iter()
        .map(|d| ("home_office", d))
        .collect();
    if let (Some(a), Some(section)) = (extract, &config.extract) {
        series.push(crate::extract::month_series(a, section));
        effects.extend(a.monitor.iter().map(|e| ("extract", e)));
        displacement.extend(a.displacement.iter().map(|d| ("extract", d)));
    }
    build(&config.monitor, &series, &effects, &displacement)
}
