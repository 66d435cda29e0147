//! `outcome-lens report`: rebuilds a finished run's report.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::exit::Exit;
use crate::output;

/// Worked examples, shown after `--help`.
pub const EXAMPLES: &str = "\
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

/// Writes `report.html` and `report.md` into the run folder and prints their paths.
pub fn run(args: &ReportArgs) -> Result<Exit> {
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
