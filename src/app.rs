//! Subcommand handlers: build the configuration, call the stages, print results.
//!
//! Invariant: no pipeline logic lives here; stdout carries only machine-readable output and
//! everything for people goes to stderr.

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::{Cli, Command, Format, InputArgs};
use crate::exit::Exit;
use crate::ingest::{self, Ingested, Table};
use crate::normalise::forces::ForceTable;
use crate::output;
use crate::wording::{count_of, thousands};

/// Runs one command.
pub fn run(cli: Cli) -> Result<Exit> {
    match cli.command {
        Command::Ingest(args) => {
            let ingested = read(&args.input)?;
            print_accounting(&ingested, args.input.format)?;
            write_ingested(ingested, &args.out, args.input.quiet)?;
            Ok(Exit::Success)
        }
        Command::Run(args) => run_analysis(&args),
        Command::Extract(args) => extract_only(&args),
        Command::Sample(args) => audit_sample(&args),
        Command::Synth(args) => synthesise(&args),
        Command::Chart(args) => {
            use crate::render::{ChartFormat, ChartOptions, ChartSize};
            let data = crate::render::RunData::load(&args.run)?;
            let options = ChartOptions {
                formats: args
                    .formats
                    .iter()
                    .map(|f| match f {
                        crate::cli::ImageFormat::Svg => ChartFormat::Svg,
                        crate::cli::ImageFormat::Png => ChartFormat::Png,
                    })
                    .collect(),
                size: match args.size {
                    crate::cli::PageSize::A4 => ChartSize::A4,
                    crate::cli::PageSize::Slide => ChartSize::Slide,
                },
                png_scale: if args.hidpi { 2 } else { 1 },
            };
            // In place, only the run's own charts may be drawn: other sizes or formats would
            // replace the charts its report and manifest describe.
            let in_place = args.out.is_none();
            let own = options.size == ChartSize::A4
                && options.png_scale == 1
                && [ChartFormat::Svg, ChartFormat::Png]
                    .iter()
                    .all(|f| options.formats.contains(f));
            if in_place && !own {
                bail!(
                    "chart: --size, --formats and --hidpi other than the run's own (A4, svg and png) would replace the charts that {}'s report and manifest describe; give --out DIR for them",
                    args.run.display()
                );
            }
            let charts = crate::render::render_run(&data, &options)?;
            let target = args.out.clone().unwrap_or_else(|| args.run.join("charts"));
            let mut folder = output::RunFolder::begin(&target, true)?;
            for (name, bytes) in &charts {
                folder.write(name, bytes)?;
            }
            folder.commit()?;
            if in_place {
                crate::run_folder::update_manifest_charts(&args.run, &charts)?;
            }
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            for (name, _) in &charts {
                writeln!(out, "{}", target.join(name).display())?;
            }
            Ok(Exit::Success)
        }
        Command::Report(args) => {
            let data = crate::render::RunData::load(&args.run)?;
            let charts = crate::run_folder::charts(&args.run)?;
            for (name, bytes) in crate::report::build(&data, &charts)? {
                let path = args.run.join(&name);
                output::write_atomic(&path, |w| {
                    w.write_all(&bytes)
                        .with_context(|| format!("cannot write {}", path.display()))
                })?;
                writeln!(std::io::stdout().lock(), "{}", path.display())?;
            }
            Ok(Exit::Success)
        }
        Command::Diff(args) => {
            let differences = crate::diff::diff(&args.a, &args.b, args.tolerance)?;
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            writeln!(out, "kind,subject,field,a,b")?;
            for d in &differences {
                writeln!(
                    out,
                    "{},{},{},{},{}",
                    d.kind,
                    crate::wording::csv_field(&d.subject),
                    crate::wording::csv_field(&d.field),
                    crate::wording::csv_field(&d.a),
                    crate::wording::csv_field(&d.b)
                )?;
            }
            out.flush()?;
            eprintln!(
                "{} between {} and {}",
                match differences.len() {
                    0 => "no differences".to_string(),
                    1 => "1 difference".to_string(),
                    n => format!("{n} differences"),
                },
                args.a.display(),
                args.b.display()
            );
            Ok(if differences.is_empty() {
                Exit::Success
            } else {
                Exit::Failure
            })
        }
        Command::Validate(args) => {
            let ingested = read(&args.input)?;
            print_accounting(&ingested, args.input.format)?;
            report_problems(&ingested);
            if ingested.quarantine.is_empty() {
                Ok(Exit::Success)
            } else {
                Ok(Exit::Failure)
            }
        }
    }
}

/// An interrupted run removes its temporary folder and lock before exiting (SIGINT, SIGTERM).
fn on_interrupt_clean_up() {
    let _ = ctrlc::set_handler(|| {
        output::cleanup_after_interrupt();
        eprintln!("outcome-lens: interrupted; the output folder was left as it was");
        std::process::exit(i32::from(Exit::Interrupted.code()));
    });
}

fn run_analysis(args: &crate::cli::RunArgs) -> Result<Exit> {
    let overrides = crate::config::Overrides {
        out: args.out.clone(),
    };
    let config = crate::config::Config::load(&args.config, &overrides)?;
    let valid_flags = valid_flag_names(&config.funnel.levels);
    let mut fail_on = Vec::new();
    for name in &args.fail_on {
        match crate::stats::Flag::from_name(name, &config.funnel.levels) {
            Some(flag) => fail_on.push(flag),
            None => bail!(
                "--fail-on {name:?} is not a flag; valid flags: {} (or above_… and below_… for high_… and low_…)",
                valid_flags.join(", ")
            ),
        }
    }
    on_interrupt_clean_up();
    let bar = progress_bar(args.quiet);
    let options = crate::run::RunOptions {
        overwrite: args.force,
        fail_on,
        strict: args.strict,
    };
    let result = crate::run::run(&config, &options, &bar);
    bar.finish_and_clear();
    let report = result?;
    // Notices are printed even with -q: they say the numbers rest on partial data.
    for line in &report.notice_lines {
        eprintln!("{line}");
    }
    if !args.quiet {
        for line in &report.focus_lines {
            eprintln!("{line}");
        }
        eprintln!(
            "wrote {}{}",
            config.out.display(),
            if report.from_cache {
                " (inputs unchanged: cached canonical table reused)"
            } else {
                ""
            }
        );
    }
    for (force, gate, flag) in &report.gate_hits {
        eprintln!("outcome-lens: --fail-on {gate}: {force} is flagged {flag}");
    }
    Ok(if report.gate_hits.is_empty() {
        Exit::Success
    } else {
        Exit::Gate
    })
}

/// Every flag name the levels in use can produce.
fn valid_flag_names(levels: &crate::stats::FlagLevels) -> Vec<String> {
    crate::stats::Flag::ALL
        .iter()
        .map(|f| f.name(levels))
        .collect()
}

/// The forces table with the user's aliases added.
fn force_table(aliases: &[String]) -> Result<ForceTable> {
    let mut forces = ForceTable::bundled().context("bundled forces table")?;
    for alias in aliases {
        let Some((name, force)) = alias.split_once('=') else {
            bail!("--alias {alias:?} is not of the form NAME=FORCE");
        };
        forces.add_alias(name.trim(), force.trim())?;
    }
    Ok(forces)
}

fn progress_bar(quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{spinner} reading {wide_bar} {percent}% {eta}")
    {
        bar.set_style(style);
    }
    bar
}

fn read(args: &InputArgs) -> Result<Ingested> {
    let forces = force_table(&args.aliases)?;
    let bar = progress_bar(args.quiet);
    let result = ingest::read_inputs(&args.inputs, &forces, &bar);
    bar.finish_and_clear();
    let ingested = result?;
    if !args.quiet {
        summarise(&ingested);
    }
    Ok(ingested)
}

fn summarise(ingested: &Ingested) {
    let read: u64 = ingested.accounts.iter().map(|a| a.rows_read).sum();
    let loaded: u64 = ingested.accounts.iter().map(|a| a.rows_loaded).sum();
    let quarantined: u64 = ingested.accounts.iter().map(|a| a.rows_quarantined).sum();
    let negative: u64 = ingested.accounts.iter().map(|a| a.negative_counts).sum();
    let mut tokens: std::collections::BTreeMap<&str, u64> = Default::default();
    for account in &ingested.accounts {
        for ((_, token), n) in &account.missing_tokens {
            *tokens.entry(*token).or_insert(0) += n;
        }
        if !account.ignored_columns.is_empty() {
            eprintln!(
                "note: {}: ignored column(s): {}",
                account.file,
                account.ignored_columns.join(", ")
            );
        }
        if account.title_rows > 0 {
            eprintln!(
                "note: {}: header found on line {} below {} title row(s)",
                account.file, account.header_line, account.title_rows
            );
        }
        if account.header_rows_repeated > 0 {
            eprintln!(
                "note: {}: the header appears again in {} (not data; was a table pasted in twice?)",
                account.file,
                count_of(account.header_rows_repeated, "row")
            );
        }
        if account.note_rows > 0 {
            eprintln!(
                "note: {}: {} below the table taken for footnotes (not data)",
                account.file,
                count_of(account.note_rows, "row")
            );
        }
        if account.sheets.len() > 1 {
            let sheets: Vec<String> = account
                .sheets
                .iter()
                .map(|s| format!("{:?} {}", s.name, count_of(s.rows_read, "row")))
                .collect();
            eprintln!(
                "note: {}: the table is read from {} sheets: {}",
                account.file,
                account.sheets.len(),
                sheets.join(", ")
            );
        }
    }
    let n_inputs = ingested.accounts.len();
    let mut line = format!(
        "read {} from {}: {} loaded, {} quarantined",
        count_of(read, "row"),
        count_of(n_inputs as u64, "input"),
        thousands(loaded),
        thousands(quarantined)
    );
    if ingested.n_forces > 0 {
        line.push_str(&format!(
            "; {}",
            count_of(ingested.n_forces as u64, "force")
        ));
    }
    if !ingested.aggregates.is_empty() {
        line.push_str(&format!(
            " and {} ({}), not a force",
            count_of(ingested.aggregates.len() as u64, "total"),
            ingested.aggregates.join(", ")
        ));
    }
    let missing: u64 = tokens.values().sum();
    if missing > 0 {
        let detail: Vec<String> = tokens
            .iter()
            .map(|(t, n)| format!("{t}: {}", thousands(*n)))
            .collect();
        line.push_str(&format!(
            "; {} ({})",
            count_of(missing, "missing cell"),
            detail.join("; ")
        ));
    }
    if negative > 0 {
        line.push_str(&format!("; {} kept", count_of(negative, "negative count")));
    }
    eprintln!("{line}");
}

fn print_accounting(ingested: &Ingested, format: Format) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match format {
        Format::Json => {
            let totals = serde_json::json!({
                "rows_read": ingested.accounts.iter().map(|a| a.rows_read).sum::<u64>(),
                "rows_loaded": ingested.accounts.iter().map(|a| a.rows_loaded).sum::<u64>(),
                "rows_quarantined": ingested.accounts.iter().map(|a| a.rows_quarantined).sum::<u64>(),
                "forces": ingested.n_forces,
                "aggregates": ingested.aggregates,
            });
            let doc = serde_json::json!({ "inputs": ingested.accounts, "total": totals });
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
        }
        Format::Csv => {
            writeln!(out, "file,format,kind,rows_read,rows_loaded,rows_quarantined,negative_counts,missing_cells")?;
            for a in &ingested.accounts {
                let kind = match a.kind {
                    Some(ingest::TableKind::HomeOffice) => "home_office",
                    Some(ingest::TableKind::TidyCounts) => "tidy_counts",
                    None => "",
                };
                let format = match a.format {
                    ingest::InputFormat::Csv => "csv",
                    ingest::InputFormat::Spreadsheet => "spreadsheet",
                    ingest::InputFormat::Parquet => "parquet",
                };
                writeln!(
                    out,
                    "{},{format},{kind},{},{},{},{},{}",
                    crate::wording::csv_field(&a.file),
                    a.rows_read,
                    a.rows_loaded,
                    a.rows_quarantined,
                    a.negative_counts,
                    a.missing_cells()
                )?;
            }
            let sum = |f: fn(&ingest::InputAccount) -> u64| -> u64 {
                ingested.accounts.iter().map(f).sum()
            };
            writeln!(
                out,
                "total,,,{},{},{},{},{}",
                sum(|a| a.rows_read),
                sum(|a| a.rows_loaded),
                sum(|a| a.rows_quarantined),
                sum(|a| a.negative_counts),
                sum(ingest::InputAccount::missing_cells)
            )?;
        }
    }
    out.flush()?;
    Ok(())
}

fn report_problems(ingested: &Ingested) {
    const SHOWN: usize = 20;
    for row in ingested.quarantine.iter().take(SHOWN) {
        eprintln!("{}:{}: {}", row.file, row.line, row.reason);
    }
    if ingested.quarantine.len() > SHOWN {
        eprintln!(
            "… and {} more quarantined rows",
            ingested.quarantine.len() - SHOWN
        );
    }
}

fn write_ingested(ingested: Ingested, out: &Path, quiet: bool) -> Result<()> {
    let quarantine_path = output::quarantine_path(out);
    let mut table = match ingested.table {
        Table::Outcomes(df) | Table::Tidy(df) => df,
    };
    output::write_parquet(out, &mut table)?;
    output::write_or_clear_quarantine(&quarantine_path, &ingested.quarantine)?;
    if !quiet {
        eprintln!(
            "wrote {} ({} records)",
            out.display(),
            thousands(table.height() as u64)
        );
        if !ingested.quarantine.is_empty() {
            eprintln!(
                "wrote {} ({} quarantined rows)",
                quarantine_path.display(),
                thousands(ingested.quarantine.len() as u64)
            );
        }
    }
    Ok(())
}

/// `1 row`, `621,280 rows`.
/// The analysis file's validated `[extract]` section, or an error saying it has none.
fn extract_section(
    config: &crate::config::Config,
) -> Result<&crate::config::extract::ExtractConfig> {
    config.extract.as_ref().with_context(|| {
        format!(
            "{}: no [extract] section: name the force extract and its columns there",
            config.analysis_path.display()
        )
    })
}

fn extract_only(args: &crate::cli::ExtractArgs) -> Result<Exit> {
    let overrides = crate::config::Overrides {
        out: args.out.clone(),
    };
    let config = crate::config::Config::load(&args.config, &overrides)?;
    let section = extract_section(&config)?;
    on_interrupt_clean_up();
    let bar = progress_bar(args.quiet);
    let result = crate::extract::write_folder(&config, section, args.force, &bar);
    bar.finish_and_clear();
    let run = result?;
    if !args.quiet {
        let a = &run.extract.account;
        eprintln!(
            "read {}: {} loaded, {} quarantined; {} duplicate rows reduced; {}",
            count_of(a.rows_read, "row"),
            thousands(a.rows_loaded),
            thousands(a.rows_quarantined),
            thousands(a.duplicate_rows_reduced),
            count_of(a.crimes, "crime")
        );
        eprintln!("wrote {}", config.out.display());
    }
    Ok(Exit::Success)
}

fn audit_sample(args: &crate::cli::SampleArgs) -> Result<Exit> {
    use crate::extract::sample;
    let config = crate::config::Config::load(&args.config, &crate::config::Overrides::default())?;
    let section = extract_section(&config)?;
    let settings = sample::resolve(
        section,
        &sample::AuditOverrides {
            seed: args.seed,
            per_stratum: args.per_stratum,
            share: args.share,
            stratify: args.by.map(|b| match b {
                crate::cli::StratifyBy::Area => crate::config::extract::Stratify::Area,
                crate::cli::StratifyBy::Unit => crate::config::extract::Stratify::Unit,
            }),
        },
    )?;
    let bar = progress_bar(args.quiet);
    let result = crate::extract::read::read_extract(section, &bar);
    bar.finish_and_clear();
    let extract = result?;
    let drawn = sample::draw(&extract, section, &settings);
    let text = sample::to_csv(&drawn, &extract);
    match &args.out {
        Some(path) => output::write_atomic(path, |w| {
            w.write_all(text.as_bytes())
                .with_context(|| format!("cannot write {}", path.display()))
        })?,
        None => {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
    }
    if !args.quiet {
        eprintln!(
            "drew {} of {} eligible crimes from {} with seed {}",
            thousands(drawn.crimes.len() as u64),
            thousands(drawn.eligible),
            count_of(drawn.strata.len() as u64, settings.stratify.name()),
            settings.seed
        );
    }
    Ok(Exit::Success)
}

fn synthesise(args: &crate::cli::SynthArgs) -> Result<Exit> {
    use crate::extract::synth;
    let start = crate::extract::dates::parse(&args.start)
        .with_context(|| format!("--start {:?} is not a date such as 2018-04-01", args.start))?;
    let options = synth::SynthOptions {
        crimes: args.crimes,
        seed: args.seed,
        force: args.force_name.clone(),
        areas: args.areas,
        units: args.units,
        planted_areas: args.planted_areas,
        planted_units: args.planted_units,
        raise: args.raise,
        da_share: args.da_share,
        start_day: start.div_euclid(crate::extract::dates::SECONDS_PER_DAY),
        months: args.months,
    };
    let (truth_path, section_path) = synth::companion_paths(&args.out);
    let mut truth = None;
    output::write_atomic(&args.out, |w| {
        truth = Some(synth::synthesise(&options, w)?);
        Ok(())
    })?;
    let truth = truth.context("the synthetic extract was not written")?;
    let mut json = serde_json::to_vec_pretty(&truth)?;
    json.push(b'\n');
    output::write_atomic(&truth_path, |w| {
        w.write_all(&json)
            .with_context(|| format!("cannot write {}", truth_path.display()))
    })?;
    let file_name = args
        .out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let section = synth::extract_section(&file_name, &args.force_name);
    output::write_atomic(&section_path, |w| {
        w.write_all(section.as_bytes())
            .with_context(|| format!("cannot write {}", section_path.display()))
    })?;
    writeln!(std::io::stdout().lock(), "{}", args.out.display())?;
    if !args.quiet {
        eprintln!(
            "wrote {} ({} crimes in {} rows; synthetic, not real {} data), {} and {}",
            args.out.display(),
            thousands(truth.crimes),
            thousands(truth.rows),
            args.force_name,
            truth_path.display(),
            section_path.display()
        );
    }
    Ok(Exit::Success)
}
