//! `outcome-lens extract`: the record-level analysis alone.

use anyhow::{Context, Result};

use super::{on_interrupt_clean_up, progress_bar, AnalysisArgs};
use crate::exit::Exit;
use crate::wording::{count_of, thousands};

/// Worked examples, shown after `--help`.
pub const EXAMPLES: &str = "\
Examples:
  # The record-level part of the bundled sample (a synthetic extract) into extract-run/
  outcome-lens extract --out extract-run

  # A force's own extract, replacing last month's folder
  outcome-lens extract --config analyses/force-extract.toml --out runs/extract --force";

/// `outcome-lens extract`.
#[derive(Debug, clap::Args)]
pub struct ExtractArgs {
    /// The analysis file (it must have an [extract] section), the run folder and whether to
    /// replace it.
    #[command(flatten)]
    pub analysis: AnalysisArgs,
    /// No progress bar or summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

/// The analysis file's validated `[extract]` section, or an error saying it has none.
pub(super) fn extract_section(
    config: &crate::config::Config,
) -> Result<&crate::config::extract::ExtractConfig> {
    config.extract.as_ref().with_context(|| {
        format!(
            "{}: no [extract] section: name the force extract and its columns there",
            config.analysis_path.display()
        )
    })
}

/// Runs the record-level analysis alone into its folder.
pub fn run(args: &ExtractArgs) -> Result<Exit> {
    let config = args.analysis.load()?;
    let section = extract_section(&config)?;
    on_interrupt_clean_up();
    let bar = progress_bar(args.quiet);
    let result = crate::extract::write_folder(&config, section, args.analysis.force, &bar);
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
