//! `outcome-lens audit`: the reviewed audit sample read back and weighted to the force.

use std::path::PathBuf;

use anyhow::{bail, Result};

use super::extract::extract_section;
use super::{on_interrupt_clean_up, progress_bar, AnalysisArgs};
use crate::exit::Exit;
use crate::wording::thousands;

/// Worked examples, shown after `--help`.
pub const EXAMPLES: &str = "\
Examples:
  # The bundled sample's reviewed audit (synthetic findings) into audit-run/
  outcome-lens audit --reviewed data/sample/audit_reviewed.csv --out audit-run

  # A force's own review, the file named in [extract.audit] reviewed
  outcome-lens audit --config analyses/force-extract.toml --out runs/audit --force";

/// `outcome-lens audit`.
#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    /// The analysis file (with [extract] and [extract.audit]), the run folder and whether to
    /// replace it.
    #[command(flatten)]
    pub analysis: AnalysisArgs,
    /// The reviewed audit sample (default: [extract.audit] reviewed).
    #[arg(long, value_name = "FILE")]
    pub reviewed: Option<PathBuf>,
    /// No progress bar or summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Reads the extract, draws the sample again, reads the reviewed copy back and writes the
/// run folder with the audit tables beside the extract's.
pub fn run(args: &AuditArgs) -> Result<Exit> {
    let mut config = args.analysis.load()?;
    let mut section = extract_section(&config)?.clone();
    if section.audit.is_none() {
        bail!(
            "{}: no [extract.audit] section: the audit reads back the sample drawn with its seed and size",
            config.analysis_path.display()
        );
    }
    if let Some(path) = &args.reviewed {
        section.review.reviewed = Some(path.clone());
        section.review.reviewed_label = Some(path.display().to_string());
    }
    if section.review.reviewed.is_none() {
        bail!("no reviewed sample: pass --reviewed FILE or set [extract.audit] reviewed");
    }
    config.extract = Some(section.clone());
    on_interrupt_clean_up();
    let bar = progress_bar(args.quiet);
    let result = crate::extract::write_folder(&config, &section, args.analysis.force, &bar);
    bar.finish_and_clear();
    let run = result?;
    if !args.quiet {
        if let Some(review) = &run.review {
            for line in crate::extract::audit::headline(review) {
                eprintln!("{line}");
            }
        }
        eprintln!(
            "wrote {} ({} of {} drawn cases reviewed)",
            config.out.display(),
            thousands(run.review.as_ref().map_or(0, |r| r.reviewed)),
            thousands(run.review.as_ref().map_or(0, |r| r.drawn))
        );
    }
    Ok(Exit::Success)
}
