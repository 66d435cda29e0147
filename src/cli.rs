//! Command-line arguments (clap derive): raw arguments only, no pipeline logic.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

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
    #[command(after_long_help = INGEST_EXAMPLES)]
    Ingest(IngestArgs),
    /// Check inputs without writing anything (exit 0 when clean, 1 when there are problems).
    ///
    /// Reads the inputs exactly as `ingest` would, prints the row accounting to stdout and
    /// each problem to stderr.
    #[command(after_long_help = VALIDATE_EXAMPLES)]
    Validate(ValidateArgs),
    /// Run an analysis: each force's outcome rate against national and peer forces.
    ///
    /// Reads the analysis file (TOML), ingests its inputs (reusing the canonical table cached by
    /// the inputs' sha256 when nothing changed), compares every force with funnel limits
    /// adjusted for overdispersion, tracks trends with a Laney p' chart, splits each focus
    /// force's excess into offence mix and the rest, and writes a run folder: tables (CSV,
    /// Parquet, Excel), summary.json and manifest.json. The folder is written whole or not at
    /// all. With no arguments it runs the bundled sample into reports/sample/.
    #[command(after_long_help = RUN_EXAMPLES)]
    Run(RunArgs),
    /// Compare two finished run folders (exit 0 when equal within the tolerance, 1 otherwise).
    ///
    /// Lists, as CSV on stdout, inputs or analysis files that changed, forces added or removed,
    /// flags that changed, and rates, limits or z-scores that moved by more than --tolerance.
    #[command(after_long_help = DIFF_EXAMPLES)]
    Diff(DiffArgs),
    /// Redraw a finished run's charts (for example at another size or format).
    ///
    /// Reads the run folder's tables and summary and writes the charts into <RUN_DIR>/charts
    /// (replacing that folder whole), or into --out. A folder written by `outcome-lens extract`
    /// gets the extract's charts.
    #[command(after_long_help = CHART_EXAMPLES)]
    Chart(ChartArgs),
    /// Run only the record-level analysis of an analysis file's [extract] section.
    ///
    /// Reads the force's crime-level extract named in [extract], reduces crimes with several
    /// outcome rows to one (the latest outcome date), and writes the extract_* tables, the
    /// extract's charts (funnels by area and by investigating unit, the monthly control chart),
    /// the quarantined rows, the audit sample (when [extract.audit] asks for one), summary.json
    /// and manifest.json into a run folder, whole or not at all. `outcome-lens run` does the same
    /// inside a full run.
    #[command(after_long_help = EXTRACT_EXAMPLES)]
    Extract(ExtractArgs),
    /// Draw a reproducible stratified random sample of outcome-16 domestic-abuse crimes for a
    /// case-file review.
    ///
    /// Reads the extract named in the analysis file's [extract] section and draws, from each
    /// area (or investigating unit), a fixed number or a share of the domestic-abuse crimes
    /// closed with the numerator outcome (16 by default), with a seeded generator: the same
    /// extract, settings and seed give the same file. Settings default to [extract.audit]; the
    /// options override them. The CSV has the fields a reviewer needs, each stratum's size and
    /// weight, the seed, and a blank reviewer_finding column; it goes to --out, or to stdout.
    #[command(after_long_help = SAMPLE_EXAMPLES)]
    Sample(SampleArgs),
    /// Write a synthetic record-level extract with planted effects, and its planted truth.
    ///
    /// Offence mix and outcomes are drawn from the national 2018/19 proportions, with a
    /// domestic-abuse share, repeat victims, realistic dates, duplicate outcome rows, and areas
    /// and units whose domestic-abuse outcome-16 rate is raised by --raise. Writes FILE, the
    /// planted truth beside it as <stem>.truth.json, and the [extract] section that reads it as
    /// <stem>.extract.toml. The data are synthetic and say so; they are not any force's.
    #[command(after_long_help = SYNTH_EXAMPLES)]
    Synth(SynthArgs),
    /// Rebuild a finished run's report (report.html and report.md) from its tables and charts.
    ///
    /// Reads the run folder's summary.json, tables and charts (any that exist) and writes
    /// <RUN_DIR>/report.html, one self-contained page that loads and runs nothing, and
    /// <RUN_DIR>/report.md, the same content as Markdown with the PNG charts. Each file is
    /// replaced atomically; manifest.json is not rewritten.
    #[command(after_long_help = REPORT_EXAMPLES)]
    Report(ReportArgs),
}

const REPORT_EXAMPLES: &str = "\
Examples:
  # Rebuild the sample run's report after redrawing its charts
  outcome-lens chart reports/sample
  outcome-lens report reports/sample";

/// `outcome-lens report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The finished run folder.
    pub run: PathBuf,
}

const CHART_EXAMPLES: &str = "\
Examples:
  # Slide-sized, high-DPI PNGs of the sample run, for a presentation
  outcome-lens chart reports/sample --size slide --formats png --hidpi --out slides/

  # Redraw the SVGs only
  outcome-lens chart reports/sample --formats svg";

/// `outcome-lens chart`.
#[derive(Debug, clap::Args)]
pub struct ChartArgs {
    /// The finished run folder (of `outcome-lens run` or `outcome-lens extract`).
    pub run: PathBuf,
    /// Image formats, comma-separated.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [ImageFormat::Svg, ImageFormat::Png])]
    pub formats: Vec<ImageFormat>,
    /// Page size to draw for.
    #[arg(long, value_enum, default_value_t = PageSize::A4)]
    pub size: PageSize,
    /// PNGs at twice the pixel density.
    #[arg(long)]
    pub hidpi: bool,
    /// Where to write the charts (default: <RUN_DIR>/charts).
    #[arg(long, short, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Chart image formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImageFormat {
    /// SVG.
    Svg,
    /// PNG.
    Png,
}

/// Chart page sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PageSize {
    /// The text width of an A4 page.
    A4,
    /// A 16:9 slide.
    Slide,
}

const RUN_EXAMPLES: &str = "\
Examples:
  # The bundled sample (DA proxy codes, 2018/19, focus Cleveland) into reports/sample/
  outcome-lens run

  # A scheduled analysis, replacing last run's folder, failing CI when a focus force is
  # above the 95% limit (or the 99.8% one), and refusing partial or missing data
  outcome-lens run --config analyses/cleveland.toml --out runs/latest --force --fail-on high_95 --strict";

const DIFF_EXAMPLES: &str = "\
Examples:
  outcome-lens diff runs/2024-06 runs/2024-07
  outcome-lens diff reports/sample tests/golden/sample --tolerance 1e-6";

/// `outcome-lens run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The analysis file.
    #[arg(long, short, value_name = "FILE", default_value = crate::paths::SAMPLE_ANALYSIS)]
    pub config: PathBuf,
    /// The run folder (overrides outputs.folder in the analysis file).
    #[arg(long, short, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Replace the run folder if it exists.
    #[arg(long)]
    pub force: bool,
    /// Exit with code 3 when a focus force gets this flag or a more extreme one on the same
    /// side (repeatable; high_95 fires for high_95 and high_998; above_95 and below_95 are
    /// other names for high_95 and low_95).
    #[arg(long = "fail-on", value_name = "FLAG")]
    pub fail_on: Vec<String>,
    /// Exit 1, writing nothing, on any quarantined row, missing count in scope or unit
    /// compared on part of the period (for scheduled runs).
    #[arg(long)]
    pub strict: bool,
    /// No progress bar or per-force summary on stderr (notices of partial or missing data
    /// are still printed).
    #[arg(short, long)]
    pub quiet: bool,
}

/// `outcome-lens diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The first run folder.
    pub a: PathBuf,
    /// The second run folder.
    pub b: PathBuf,
    /// Largest absolute change in a rate, limit or z-score that counts as equal.
    #[arg(long, default_value_t = 1e-9)]
    pub tolerance: f64,
}

const INGEST_EXAMPLES: &str = "\
Examples:
  # The bundled sample (Cleveland and six other forces in full, five offence codes for all 44)
  outcome-lens ingest data/sample/ho-outcomes-ye-mar2019-sample.csv.gz --out reports/sample/outcomes.parquet

  # A downloaded Home Office workbook, straight from the .ods or .xlsx
  outcome-lens ingest data/raw/prc-outcomes-open-data-mar2019-tables.ods --out outcomes.parquet

  # A gzip-compressed CSV copy, with the accounting as JSON
  outcome-lens ingest outcomes.csv.gz --format json > accounting.json";

const VALIDATE_EXAMPLES: &str = "\
Examples:
  outcome-lens validate data/sample/ho-outcomes-ye-mar2019-sample.csv.gz
  outcome-lens validate data/raw/*.xlsx && echo clean";

/// Arguments shared by the commands that read inputs.
#[derive(Debug, clap::Args)]
pub struct InputArgs {
    /// Input files (CSV, XLSX, ODS, Parquet; .gz accepted).
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Accept another spelling of a force name, as NAME=FORCE (repeatable).
    #[arg(long = "alias", value_name = "NAME=FORCE")]
    pub aliases: Vec<String>,
    /// Format of the row accounting printed on stdout.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// No progress bar or summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

/// `outcome-lens ingest`.
#[derive(Debug, clap::Args)]
pub struct IngestArgs {
    /// The inputs and reading options.
    #[command(flatten)]
    pub input: InputArgs,
    /// Where to write the table (Parquet); quarantined rows go beside it as
    /// <OUT stem>.quarantine.csv.
    #[arg(long, short, value_name = "PATH", default_value = "outcomes.parquet")]
    pub out: PathBuf,
}

/// `outcome-lens validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// The inputs and reading options.
    #[command(flatten)]
    pub input: InputArgs,
}

/// Machine-readable output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Comma-separated, one row per input and a total row.
    Csv,
    /// JSON with every detail, including missing-value tokens.
    Json,
}

const EXTRACT_EXAMPLES: &str = "\
Examples:
  # The record-level part of the bundled sample (a synthetic extract) into extract-run/
  outcome-lens extract --out extract-run

  # A force's own extract, replacing last month's folder
  outcome-lens extract --config analyses/force-extract.toml --out runs/extract --force";

/// `outcome-lens extract`.
#[derive(Debug, clap::Args)]
pub struct ExtractArgs {
    /// The analysis file (it must have an [extract] section).
    #[arg(long, short, value_name = "FILE", default_value = crate::paths::SAMPLE_ANALYSIS)]
    pub config: PathBuf,
    /// The run folder (overrides outputs.folder in the analysis file).
    #[arg(long, short, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Replace the run folder if it exists.
    #[arg(long)]
    pub force: bool,
    /// No progress bar or summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

const SAMPLE_EXAMPLES: &str = "\
Examples:
  # Five crimes per area from the bundled sample's synthetic extract, seed from [extract.audit]
  outcome-lens sample --per-stratum 5 --out audit.csv

  # A tenth of each investigating unit's crimes, with a new seed, to stdout
  outcome-lens sample --config analyses/force-extract.toml --by unit --share 0.1 --seed 20240601";

/// `outcome-lens sample`.
#[derive(Debug, clap::Args)]
pub struct SampleArgs {
    /// The analysis file (it must have an [extract] section).
    #[arg(long, short, value_name = "FILE", default_value = crate::paths::SAMPLE_ANALYSIS)]
    pub config: PathBuf,
    /// The seed (default: [extract.audit] seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Crimes drawn from each stratum (or all of a smaller stratum).
    #[arg(long, value_name = "N", conflicts_with = "share")]
    pub per_stratum: Option<usize>,
    /// Share of each stratum drawn, in (0, 1], rounded up.
    #[arg(long, value_name = "FRACTION")]
    pub share: Option<f64>,
    /// What the strata are.
    #[arg(long, value_enum)]
    pub by: Option<StratifyBy>,
    /// Where to write the CSV (default: stdout).
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// No summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Audit-sample strata.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StratifyBy {
    /// The area.
    Area,
    /// The investigating unit.
    Unit,
}

const SYNTH_EXAMPLES: &str = "\
Examples:
  # The bundled sample's synthetic extract (also writes .truth.json and .extract.toml)
  outcome-lens synth --crimes 3000 --seed 1 --areas 6 --units 5 --planted-areas 1 --planted-units 1 \\
    --raise 0.25 --da-share 0.45 --out data/sample/force_extract.csv

  # Ten million crimes for the benchmark
  outcome-lens synth --crimes 10000000 --seed 1 --areas 40 --planted-areas 4 --units 10 --out big.csv";

/// `outcome-lens synth`.
#[derive(Debug, clap::Args)]
pub struct SynthArgs {
    /// Crimes to generate (distinct references; superseded and duplicated rows come on top).
    #[arg(long)]
    pub crimes: u64,
    /// The seed.
    #[arg(long)]
    pub seed: u64,
    /// The extract to write (CSV).
    #[arg(long, short, value_name = "FILE")]
    pub out: PathBuf,
    /// The force named in the note (the data are synthetic, not that force's).
    #[arg(long = "force-name", value_name = "NAME", default_value = "Cleveland")]
    pub force_name: String,
    /// Areas (neighbourhoods).
    #[arg(long, default_value_t = 12)]
    pub areas: usize,
    /// Investigating units.
    #[arg(long, default_value_t = 8)]
    pub units: usize,
    /// Areas whose domestic-abuse outcome-16 probability is raised.
    #[arg(long, default_value_t = 2)]
    pub planted_areas: usize,
    /// Units whose domestic-abuse outcome-16 probability is raised.
    #[arg(long, default_value_t = 1)]
    pub planted_units: usize,
    /// The raise, as a probability (0.15 = 15 percentage points).
    #[arg(long, default_value_t = 0.15)]
    pub raise: f64,
    /// Rescale the assumed per-offence domestic-abuse shares to this overall share.
    #[arg(long, value_name = "FRACTION")]
    pub da_share: Option<f64>,
    /// The first day of the window (YYYY-MM-DD).
    #[arg(long, default_value = "2018-04-01")]
    pub start: String,
    /// Months in the window.
    #[arg(long, default_value_t = 24)]
    pub months: u32,
    /// No summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,
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
