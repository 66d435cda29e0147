//! `outcome-lens validate`: inputs checked, nothing written.

use anyhow::Result;

use super::input::{print_accounting, read, InputArgs};
use crate::exit::Exit;
use crate::ingest::Ingested;

/// Worked examples, shown after `--help`.
pub const EXAMPLES: &str = "\
Examples:
  outcome-lens validate data/sample/ho-outcomes-ye-mar2019-sample.csv.gz
  outcome-lens validate data/raw/*.xlsx && echo clean";

/// `outcome-lens validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// The inputs and reading options.
    #[command(flatten)]
    pub input: InputArgs,
}

/// Prints the accounting and each problem; exit 1 when any row is quarantined.
pub fn run(args: &ValidateArgs) -> Result<Exit> {
    let ingested = read(&args.input)?;
    print_accounting(&ingested, args.input.format)?;
    report_problems(&ingested);
    Ok(if ingested.quarantine.is_empty() {
        Exit::Success
    } else {
        Exit::Failure
    })
}

fn report_problems(ingested: &Ingested) {
    const SHOWN: usize = 20;
    for row in ingested.quarantine.iter().take(SHOWN) {
        eprintln!("{}:{}: {}", row.file, row.line, row.reason);
    }
    if ingested.quarantine.len() > SHOWN {
        eprintln!(
            "… and {} more quarantined rows",
            ingested.quarantine.len() - SHOWN
        );
    }
}
