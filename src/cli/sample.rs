//! `outcome-lens sample`: the seeded stratified audit sample.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::ValueEnum;

use super::extract::extract_section;
use super::progress_bar;
use crate::exit::Exit;
use crate::output;
use crate::wording::{count_of, thousands};

/// Worked examples, shown after `--help`.
pub const EXAMPLES: &str = "\
Examples:
  # Five crimes per area from the bundled sample's synthetic extract, seed from [extract.audit]
  outcome-lens sample --per-stratum 5 --out audit.csv

  # The sizes for a 95% interval of about +-5 points if about 30% are inappropriate
  outcome-lens sample --margin 0.05 --expected 0.3 --out audit.csv

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
    /// Plan the sizes instead: the 95% interval's half-width wanted, as a share (0.05 for
    /// ±5 points), at the planning share --expected.
    #[arg(long, value_name = "SHARE", conflicts_with_all = ["per_stratum", "share"])]
    pub margin: Option<f64>,
    /// The share of inappropriate closures expected, for --margin (default 0.5, the most
    /// cautious).
    #[arg(long, value_name = "SHARE", requires = "margin")]
    pub expected: Option<f64>,
    /// How --margin shares the sample between strata.
    #[arg(long, value_enum, default_value_t = AllocationArg::Proportional, requires = "margin")]
    pub allocation: AllocationArg,
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

/// How a planned sample is shared between strata.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AllocationArg {
    /// In proportion to each stratum's size (robust when the expected share is a guess).
    Proportional,
    /// Neyman: more where the expected variation is larger (for planning values from a
    /// previous audit).
    Neyman,
}

/// Audit-sample strata.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StratifyBy {
    /// The area.
    Area,
    /// The investigating unit.
    Unit,
}

/// Draws the audit sample and writes it to `--out` or stdout.
pub fn run(args: &SampleArgs) -> Result<Exit> {
    use crate::extract::sample;
    let config = crate::config::Config::load(&args.config, &crate::config::Overrides::default())?;
    let section = extract_section(&config)?;
    let settings = sample::resolve(
        section,
        &sample::AuditOverrides {
            seed: args.seed,
            per_stratum: args.per_stratum,
            share: args.share,
            margin: args
                .margin
                .map(|m| (m, args.expected, args.allocation == AllocationArg::Neyman)),
            stratify: args.by.map(|b| match b {
                StratifyBy::Area => crate::config::extract::Stratify::Area,
                StratifyBy::Unit => crate::config::extract::Stratify::Unit,
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
        let planning = drawn.planning_share();
        eprintln!(
            "drew {} of {} eligible crimes from {} with seed {}; at a share of {:.0}% inappropriate, the 95% interval's half-width would be about {:.1} points (normal approximation; the Korn-Graubard interval the audit reports is somewhat wider)",
            thousands(drawn.crimes.len() as u64),
            thousands(drawn.eligible),
            count_of(drawn.strata.len() as u64, settings.stratify.name()),
            settings.seed,
            100.0 * planning,
            100.0 * drawn.half_width
        );
    }
    Ok(Exit::Success)
}
