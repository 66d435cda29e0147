//! `outcome-lens ingest`: inputs into the canonical Parquet table.

use std::path::{Path, PathBuf};

use anyhow::Result;

use super::input::{print_accounting, read, InputArgs};
use crate::exit::Exit;
use crate::ingest::{Ingested, Table};
use crate::output;
use crate::wording::thousands;

/// Worked examples, shown after `--help`.
pub const EXAMPLES: &str = "\
Examples:
  # The bundled sample (Cleveland and six other forces in full, five offence codes for all 44)
  outcome-lens ingest data/sample/ho-outcomes-ye-mar2019-sample.csv.gz --out reports/sample/outcomes.parquet

  # A downloaded Home Office workbook, straight from the .ods or .xlsx
  outcome-lens ingest data/raw/prc-outcomes-open-data-mar2019-tables.ods --out outcomes.parquet

  # A gzip-compressed CSV copy, with the accounting as JSON
  outcome-lens ingest outcomes.csv.gz --format json > accounting.json";

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

/// Reads the inputs, prints the accounting and writes the table (and its quarantine).
pub fn run(args: IngestArgs) -> Result<Exit> {
    let ingested = read(&args.input)?;
    print_accounting(&ingested, args.input.format)?;
    write_ingested(ingested, &args.out, args.input.quiet)?;
    Ok(Exit::Success)
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
