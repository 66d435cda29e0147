//! `outcome-lens run`: the analysis of an analysis file into a run folder.

use anyhow::{bail, Result};

use super::{on_interrupt_clean_up, progress_bar, AnalysisArgs};
use crate::exit::Exit;
use crate::stats::{Flag, FlagLevels};

/// Worked examples, shown after `--help`.
pub const EXAMPLES: &str = "\
Examples:
  # The bundled sample (DA proxy codes, 2018/19, focus Cleveland) into reports/sample/
  outcome-lens run

  # A scheduled analysis, replacing last run's folder, failing CI when a focus force is
  # above the 95% limit (or the 99.8% one), and refusing partial or missing data
  outcome-lens run --config analyses/cleveland.toml --out runs/latest --force --fail-on high_95 --strict";

/// `outcome-lens run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The analysis file, the run folder and whether to replace it.
    #[command(flatten)]
    pub analysis: AnalysisArgs,
    /// Exit with code 3 when a focus force gets this flag or a more extreme one on the same
    /// side (repeatable; high_95 fires for high_95 and high_998; above_95 and below_95 are
    /// other names for high_95 and low_95).
    #[arg(long = "fail-on", value_name = "FLAG", value_parser = FlagArg::parse)]
    pub fail_on: Vec<FlagArg>,
    /// Exit 1, writing nothing, on any quarantined row, missing count in scope or unit
    /// compared on part of the period (for scheduled runs).
    #[arg(long)]
    pub strict: bool,
    /// No progress bar or per-force summary on stderr (notices of partial or missing data
    /// are still printed).
    #[arg(short, long)]
    pub quiet: bool,
}

/// A `--fail-on` flag as written: its form is checked when the arguments are parsed
/// (`within`, or `high_`, `low_`, `above_` or `below_` and a level's digits); whether the
/// level is one the analysis uses is known once the analysis file is read ([`FlagArg::at`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagArg(String);

impl FlagArg {
    /// Parses the form of a flag name.
    ///
    /// # Errors
    ///
    /// When the text is not of a flag's form, naming the forms.
    pub fn parse(text: &str) -> std::result::Result<FlagArg, String> {
        let digits = |rest: &str| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit());
        let well_formed = text == "within"
            || ["high_", "low_", "above_", "below_"]
                .iter()
                .any(|side| text.strip_prefix(side).is_some_and(digits));
        if well_formed {
            Ok(FlagArg(text.to_string()))
        } else {
            Err(format!(
                "{text:?} is not a flag; valid flags: {} (or above_… and below_… for high_… and low_…, at the levels of the analysis file)",
                valid_flag_names(&FlagLevels::standard()).join(", ")
            ))
        }
    }

    /// The flag this name means at the analysis's levels.
    ///
    /// # Errors
    ///
    /// When the name's level is not one of the levels in use, listing the valid names.
    pub fn at(&self, levels: &FlagLevels) -> Result<Flag> {
        match Flag::from_name(&self.0, levels) {
            Some(flag) => Ok(flag),
            None => bail!(
                "--fail-on {:?} is not a flag at the analysis file's levels; valid flags: {} (or above_… and below_… for high_… and low_…)",
                self.0,
                valid_flag_names(levels).join(", ")
            ),
        }
    }
}

/// Runs the analysis into its folder; exit 3 when a `--fail-on` gate fires.
pub fn run(args: &RunArgs) -> Result<Exit> {
    let config = args.analysis.load()?;
    let levels = config.funnel.levels;
    let fail_on = args
        .fail_on
        .iter()
        .map(|gate| gate.at(&levels))
        .collect::<Result<Vec<_>>>()?;
    on_interrupt_clean_up();
    let bar = progress_bar(args.quiet);
    let options = crate::run::RunOptions {
        overwrite: args.analysis.force,
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
