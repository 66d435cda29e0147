//! The arguments and output shared by `ingest` and `validate`: the inputs read, the row
//! accounting printed on stdout and the summary on stderr.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::ValueEnum;

use super::progress_bar;
use crate::ingest::{self, Ingested};
use crate::normalise::forces::ForceTable;
use crate::wording::{count_of, thousands};

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

/// Machine-readable output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Comma-separated, one row per input and a total row.
    Csv,
    /// JSON with every detail, including missing-value tokens.
    Json,
}

/// The forces table with the user's aliases added.
fn force_table(aliases: &[String]) -> Result<ForceTable> {
    let mut forces = ForceTable::bundled().context("bundled forces table")?;
    for alias in aliases {
        let Some((name, force)) = alias.split_once('=') else {
            bail!("--alias {alias:?} is not of the form NAME=FORCE");
        };
        forces.add_alias(name.trim(), force.trim())?;
    }
    Ok(forces)
}

/// Reads the inputs with a progress bar, and prints the summary unless `--quiet`.
pub(super) fn read(args: &InputArgs) -> Result<Ingested> {
    let forces = force_table(&args.aliases)?;
    let bar = progress_bar(args.quiet);
    let result = ingest::read_inputs(&args.inputs, &forces, &bar);
    bar.finish_and_clear();
    let ingested = result?;
    if !args.quiet {
        summarise(&ingested);
    }
    Ok(ingested)
}

fn summarise(ingested: &Ingested) {
    let read: u64 = ingested.accounts.iter().map(|a| a.rows_read).sum();
    let loaded: u64 = ingested.accounts.iter().map(|a| a.rows_loaded).sum();
    let quarantined: u64 = ingested.accounts.iter().map(|a| a.rows_quarantined).sum();
    let negative: u64 = ingested.accounts.iter().map(|a| a.negative_counts).sum();
    let mut tokens: std::collections::BTreeMap<&str, u64> = Default::default();
    for account in &ingested.accounts {
        for ((_, token), n) in &account.missing_tokens {
            *tokens.entry(*token).or_insert(0) += n;
        }
        if !account.ignored_columns.is_empty() {
            eprintln!(
                "note: {}: ignored column(s): {}",
                account.file,
                account.ignored_columns.join(", ")
            );
        }
        if account.title_rows > 0 {
            eprintln!(
                "note: {}: header found on line {} below {} title row(s)",
                account.file, account.header_line, account.title_rows
            );
        }
        if account.header_rows_repeated > 0 {
            eprintln!(
                "note: {}: the header appears again in {} (not data; was a table pasted in twice?)",
                account.file,
                count_of(account.header_rows_repeated, "row")
            );
        }
        if account.note_rows > 0 {
            eprintln!(
                "note: {}: {} below the table taken for footnotes (not data)",
                account.file,
                count_of(account.note_rows, "row")
            );
        }
        if account.sheets.len() > 1 {
            let sheets: Vec<String> = account
                .sheets
                .iter()
                .map(|s| format!("{:?} {}", s.name, count_of(s.rows_read, "row")))
                .collect();
            eprintln!(
                "note: {}: the table is read from {} sheets: {}",
                account.file,
                account.sheets.len(),
                sheets.join(", ")
            );
        }
    }
    let n_inputs = ingested.accounts.len();
    let mut line = format!(
        "read {} from {}: {} loaded, {} quarantined",
        count_of(read, "row"),
        count_of(n_inputs as u64, "input"),
        thousands(loaded),
        thousands(quarantined)
    );
    if ingested.n_forces > 0 {
        line.push_str(&format!(
            "; {}",
            count_of(ingested.n_forces as u64, "force")
        ));
    }
    if !ingested.aggregates.is_empty() {
        line.push_str(&format!(
            " and {} ({}), not a force",
            count_of(ingested.aggregates.len() as u64, "total"),
            ingested.aggregates.join(", ")
        ));
    }
    let missing: u64 = tokens.values().sum();
    if missing > 0 {
        let detail: Vec<String> = tokens
            .iter()
            .map(|(t, n)| format!("{t}: {}", thousands(*n)))
            .collect();
        line.push_str(&format!(
            "; {} ({})",
            count_of(missing, "missing cell"),
            detail.join("; ")
        ));
    }
    if negative > 0 {
        line.push_str(&format!("; {} kept", count_of(negative, "negative count")));
    }
    eprintln!("{line}");
}

/// Prints the row accounting on stdout as CSV or JSON.
pub(super) fn print_accounting(ingested: &Ingested, format: Format) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match format {
        Format::Json => {
            let totals = serde_json::json!({
                "rows_read": ingested.accounts.iter().map(|a| a.rows_read).sum::<u64>(),
                "rows_loaded": ingested.accounts.iter().map(|a| a.rows_loaded).sum::<u64>(),
                "rows_quarantined": ingested.accounts.iter().map(|a| a.rows_quarantined).sum::<u64>(),
                "forces": ingested.n_forces,
                "aggregates": ingested.aggregates,
            });
            let doc = serde_json::json!({ "inputs": ingested.accounts, "total": totals });
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
        }
        Format::Csv => {
            writeln!(out, "file,format,kind,rows_read,rows_loaded,rows_quarantined,negative_counts,missing_cells")?;
            for a in &ingested.accounts {
                let kind = match a.kind {
                    Some(ingest::TableKind::HomeOffice) => "home_office",
                    Some(ingest::TableKind::TidyCounts) => "tidy_counts",
                    None => "",
                };
                let format = match a.format {
                    ingest::InputFormat::Csv => "csv",
                    ingest::InputFormat::Spreadsheet => "spreadsheet",
                    ingest::InputFormat::Parquet => "parquet",
                };
                writeln!(
                    out,
                    "{},{format},{kind},{},{},{},{},{}",
                    crate::wording::csv_field(&a.file),
                    a.rows_read,
                    a.rows_loaded,
                    a.rows_quarantined,
                    a.negative_counts,
                    a.missing_cells()
                )?;
            }
            let sum = |f: fn(&ingest::InputAccount) -> u64| -> u64 {
                ingested.accounts.iter().map(f).sum()
            };
            writeln!(
                out,
                "total,,,{},{},{},{},{}",
                sum(|a| a.rows_read),
                sum(|a| a.rows_loaded),
                sum(|a| a.rows_quarantined),
                sum(|a| a.negative_counts),
                sum(ingest::InputAccount::missing_cells)
            )?;
        }
    }
    out.flush()?;
    Ok(())
}
