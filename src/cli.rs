//! The command line: one module per command (its arguments, help examples and a thin
//! function that calls the library's stages), the argument groups they share, and the one
//! progress bar and interrupt handler.
//!
//! Invariant: no pipeline logic lives here; stdout carries only machine-readable output and
//! everything for people goes to stderr; exit codes come from [`Exit`].

pub mod audit;
pub mod chart;
pub mod diff;
pub mod extract;
pub mod ingest;
pub mod input;
pub mod report;
pub mod run;
pub mod sample;
pub mod synth;
pub mod validate;

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Result;
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::exit::Exit;
use crate::output;

/// Crime-outcome rates for police forces: Home Office outcomes tables in, funnel-plot
/// statistics out.
#[derive(Debug, Parser)]
#[command(name = "outcome-lens", version, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read outcomes tables into the canonical Parquet table and print the row accounting.
    ///
    /// Inputs may be Home Office crime-outcomes tables (CSV, XLSX or ODS, optionally
    /// gzip-compressed) or tidy-counts tables (CSV or Parquet with the columns
    /// unit,period,numerator,denominator). The format is decided from each file's bytes.
    /// Rows that cannot be loaded are written, with the reason, to a quarantine CSV beside
    /// the output. The row accounting goes to stdout; a summary goes to stderr.
    #[command(after_long_help = ingest::EXAMPLES)]
    Ingest(ingest::IngestArgs),
    /// Check inputs without writing anything (exit 0 when clean, 1 when there are problems).
    ///
    /// Reads the inputs exactly as `ingest` would, prints the row accounting to stdout and
    /// each problem to stderr.
    #[command(after_long_help = validate::EXAMPLES)]
    Validate(validate::ValidateArgs),
    /// Run an analysis: each force's outcome rate against national and peer forces.
    ///
    /// Reads the analysis file (TOML), ingests its inputs (reusing the canonical table cached by
    /// the inputs' sha256 when nothing changed), compares every force with funnel limits
    /// adjusted for overdispersion, tracks trends with a Laney p' chart, splits each focus
    /// force's excess into offence mix and the rest, and writes a run folder: tables (CSV,
    /// Parquet, Excel), summary.json and manifest.json. The folder is written whole or not at
    /// all. With no arguments it runs the bundled sample into reports/sample/.
    #[command(after_long_help = run::EXAMPLES)]
    Run(run::RunArgs),
    /// Compare two finished run folders (exit 0 when equal within the tolerance, 1 otherwise).
    ///
    /// Lists, as CSV on stdout, inputs or analysis files that changed, forces added or removed,
    /// flags that changed, and rates, limits or z-scores that moved by more than --tolerance.
    #[command(after_long_help = diff::EXAMPLES)]
    Diff(diff::DiffArgs),
    /// Redraw a finished run's charts (for example at another size or format).
    ///
    /// Reads the run folder's tables and summary and writes the charts into <RUN_DIR>/charts
    /// (replacing that folder whole), or into --out. A folder written by `outcome-lens extract`
    /// gets the extract's charts.
    #[command(after_long_help = chart::EXAMPLES)]
    Chart(chart::ChartArgs),
    /// Run only the record-level analysis of an analysis file's [extract] section.
    ///
    /// Reads the force's crime-level extract named in [extract], reduces crimes with several
    /// outcome rows to one (the latest outcome date), and writes the extract_* tables, the
    /// extract's charts (funnels by area and by investigating unit, the monthly control chart),
    /// the quarantined rows, the audit sample (when [extract.audit] asks for one), summary.json
    /// and manifest.json into a run folder, whole or not at all. `outcome-lens run` does the same
    /// inside a full run.
    #[command(after_long_help = extract::EXAMPLES)]
    Extract(extract::ExtractArgs),
    /// Draw a reproducible stratified random sample of outcome-16 domestic-abuse crimes for a
    /// case-file review.
    ///
    /// Reads the extract named in the analysis file's [extract] section and draws, from each
    /// area (or investigating unit), a fixed number or a share of the domestic-abuse crimes
    /// closed with the numerator outcome (16 by default), with a seeded generator: the same
    /// extract, settings and seed give the same file. Settings default to [extract.audit]; the
    /// options override them. The CSV has the fields a reviewer needs, each stratum's size and
    /// weight, the seed, and a blank reviewer_finding column; it goes to --out, or to stdout.
    #[command(after_long_help = sample::EXAMPLES)]
    Sample(sample::SampleArgs),
    /// Read a reviewed audit sample back: the force-wide share of closures judged
    /// inappropriate, with its interval, by stratum, the checklist, and agreement between
    /// reviewers.
    ///
    /// Draws the audit sample again from the extract with [extract.audit]'s seed and size, and
    /// accepts the reviewed file only as that sample (every crime, stratum, stratum size and
    /// seed checked). Empty findings are cases not yet reviewed: the estimates are then
    /// provisional, with the pending cases listed and bounds that assume nothing about them.
    /// Writes the extract's run folder with the audit_* tables and summary.json's audit object.
    #[command(after_long_help = audit::EXAMPLES)]
    Audit(audit::AuditArgs),
    /// Write a synthetic record-level extract with planted effects, and its planted truth.
    ///
    /// Offence mix and outcomes are drawn from the national 2018/19 proportions, with a
    /// domestic-abuse share, repeat victims, realistic dates, duplicate outcome rows, and areas
    /// and units whose domestic-abuse outcome-16 rate is raised by --raise. Writes FILE, the
    /// planted truth beside it as <stem>.truth.json, and the [extract] section that reads it as
    /// <stem>.extract.toml. The data are synthetic and say so; they are not any force's.
    #[command(after_long_help = synth::EXAMPLES)]
    Synth(synth::SynthArgs),
    /// Rebuild a finished run's report (report.html and report.md) from its tables and charts.
    ///
    /// Reads the run folder's summary.json, tables and charts (any that exist) and writes
    /// <RUN_DIR>/report.html, one self-contained page that loads and runs nothing, and
    /// <RUN_DIR>/report.md, the same content as Markdown with the PNG charts. Each file is
    /// replaced atomically; manifest.json is not rewritten.
    #[command(after_long_help = report::EXAMPLES)]
    Report(report::ReportArgs),
}

/// The arguments of the commands that run an analysis file into a run folder (`run`,
/// `extract`).
#[derive(Debug, clap::Args)]
pub struct AnalysisArgs {
    /// The analysis file.
    #[arg(long, short, value_name = "FILE", default_value = crate::paths::SAMPLE_ANALYSIS)]
    pub config: PathBuf,
    /// The run folder (overrides outputs.folder in the analysis file).
    #[arg(long, short, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Replace the run folder if it exists.
    #[arg(long)]
    pub force: bool,
}

impl AnalysisArgs {
    /// The analysis file, validated, with `--out` applied.
    ///
    /// # Errors
    ///
    /// When the file cannot be read or is not a valid analysis file.
    pub fn load(&self) -> Result<crate::config::Config> {
        let overrides = crate::config::Overrides {
            out: self.out.clone(),
        };
        crate::config::Config::load(&self.config, &overrides)
    }
}

/// Runs one command.
///
/// # Errors
///
/// Whatever the command fails with; `main` prints it once.
pub fn run(cli: Cli) -> Result<Exit> {
    match cli.command {
        Command::Ingest(args) => ingest::run(args),
        Command::Validate(args) => validate::run(&args),
        Command::Run(args) => run::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Chart(args) => chart::run(&args),
        Command::Extract(args) => extract::run(&args),
        Command::Sample(args) => sample::run(&args),
        Command::Audit(args) => audit::run(&args),
        Command::Synth(args) => synth::run(&args),
        Command::Report(args) => report::run(&args),
    }
}

/// An interrupted run removes its temporary folder and lock before exiting (SIGINT, SIGTERM):
/// the one handler, for every command that writes a run folder.
pub(crate) fn on_interrupt_clean_up() {
    let _ = ctrlc::set_handler(|| {
        output::cleanup_after_interrupt();
        eprintln!("outcome-lens: interrupted; the output folder was left as it was");
        std::process::exit(i32::from(Exit::Interrupted.code()));
    });
}

/// A progress bar on stderr when it is a terminal and `--quiet` is absent.
pub(crate) fn progress_bar(quiet: bool) -> ProgressBar {
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }
}
