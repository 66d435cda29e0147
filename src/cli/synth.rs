//! `outcome-lens synth`: a synthetic record-level extract with planted effects.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::exit::Exit;
use crate::wording::thousands;

/// Worked examples, shown after `--help`.
pub const EXAMPLES: &str = "\
Examples:
  # The bundled sample's synthetic extract (also writes .truth.json and .extract.toml)
  outcome-lens synth --crimes 3000 --seed 1 --areas 6 --units 5 --planted-areas 1 --planted-units 1 \\
    --raise 0.25 --da-share 0.45 --out data/sample/force_extract.csv

  # A planted fall of 10 points in domestic-abuse outcome 16 for crimes recorded from April 2019
  outcome-lens synth --crimes 20000 --seed 3 --change-at 2019-04-01 --change -0.10 --out changed.csv

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
    /// Units (besides the planted ones) given mostly standard-risk domestic-abuse crimes, and
    /// the outcome-16 odds that risk mix brings: an excess that adjustment for risk explains.
    #[arg(long, default_value_t = 0)]
    pub mix_units: usize,
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
    /// Plant a level change in the domestic-abuse outcome-16 probability for crimes recorded
    /// on or after this date (YYYY-MM-DD); needs --change.
    #[arg(long = "change-at", value_name = "DATE", requires = "change")]
    pub change_at: Option<String>,
    /// The planted change, as a probability (-0.10 = 10 percentage points lower); needs
    /// --change-at.
    #[arg(
        long,
        value_name = "X",
        requires = "change_at",
        allow_negative_numbers = true
    )]
    pub change: Option<f64>,
    /// No summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Writes the synthetic extract, its planted truth and its `[extract]` section.
pub fn run(args: &SynthArgs) -> Result<Exit> {
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
        mix_units: args.mix_units,
        raise: args.raise,
        da_share: args.da_share,
        start_day: start.div_euclid(crate::extract::dates::SECONDS_PER_DAY),
        months: args.months,
        change: match (&args.change_at, args.change) {
            (Some(at), Some(by)) => Some(synth::PlantedChange {
                from_day: crate::extract::dates::parse(at)
                    .with_context(|| {
                        format!("--change-at {at:?} is not a date such as 2019-04-01")
                    })?
                    .div_euclid(crate::extract::dates::SECONDS_PER_DAY),
                by,
            }),
            _ => None,
        },
    };
    let written = synth::write_files(&options, &args.out)?;
    let (truth, truth_path, section_path) =
        (&written.truth, &written.truth_path, &written.section_path);
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
        if let Some(change) = &truth.change {
            let share = |c: &crate::extract::synth::ChangeCounts| {
                crate::wording::percent(
                    c.outcome16 as f64 / c.domestic_abuse_crimes.max(1) as f64,
                    1,
                )
            };
            eprintln!(
                "planted change: {:+} in the domestic-abuse outcome-16 probability from {}; outcome 16 in {} of domestic-abuse crimes recorded before, {} from then on",
                change.by,
                change.from,
                share(&change.before),
                share(&change.after)
            );
        }
    }
    Ok(Exit::Success)
}
