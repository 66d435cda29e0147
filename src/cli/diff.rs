//! `outcome-lens diff`: what changed between two finished run folders.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;

use crate::exit::Exit;

/// Worked examples, shown after `--help`.
pub const EXAMPLES: &str = "\
Examples:
  outcome-lens diff runs/2024-06 runs/2024-07
  outcome-lens diff reports/sample tests/golden/sample --tolerance 1e-6";

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

/// Prints the differences as CSV on stdout and their count on stderr; exit 1 when any.
pub fn run(args: &DiffArgs) -> Result<Exit> {
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
