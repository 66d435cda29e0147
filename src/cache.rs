//! The ingest cache: the canonical table of a set of inputs, keyed by their sha256.
//!
//! Invariant: a cache entry is used only when every input's bytes, the aliases and the tool
//! version are unchanged (the key hashes all three); entries are written atomically, and a
//! damaged entry is ignored and rebuilt, never trusted.

use std::path::{Path, PathBuf};

use anyhow::Result;
use indicatif::ProgressBar;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::ingest::{self, InputAccount, Table};
use crate::normalise::forces::ForceTable;
use crate::output;

/// What an ingest produced, as the run needs it.
pub struct Loaded {
    /// The table (canonical outcomes or tidy counts).
    pub table: Table,
    /// Row accounting per input, as JSON values (from the ingest or the cache).
    pub accounts: Vec<serde_json::Value>,
    /// Quarantined rows as CSV text (header only when none).
    pub quarantine: Vec<ingest::QuarantinedRow>,
    /// Each input's sha256, in input order.
    pub input_sha256: Vec<String>,
    /// Whether the cache was used.
    pub from_cache: bool,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    tidy: bool,
    accounts: Vec<serde_json::Value>,
    quarantine: Vec<QuarantineEntry>,
}

#[derive(Serialize, Deserialize)]
struct QuarantineEntry {
    file: String,
    line: u64,
    reason: String,
    cells: Vec<String>,
}

/// The cache folder: `$OUTCOME_LENS_CACHE`, else `$XDG_CACHE_HOME/outcome-lens/ingest`, else
/// `~/.cache/outcome-lens/ingest`.
pub fn folder() -> PathBuf {
    if let Some(dir) = std::env::var_os("OUTCOME_LENS_CACHE") {
        return PathBuf::from(dir);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("outcome-lens").join("ingest")
}

/// Loads the inputs, from the cache when it holds them.
pub fn load(
    inputs: &[PathBuf],
    forces: &ForceTable,
    aliases: &[(String, String)],
    progress: &ProgressBar,
) -> Result<Loaded> {
    let dir = folder();
    let input_sha256 = inputs
        .iter()
        .map(|p| file_sha256(&dir, p))
        .collect::<Result<Vec<_>>>()?;
    let mut key_text = format!("outcome-lens {}\n", env!("CARGO_PKG_VERSION"));
    for sha in &input_sha256 {
        key_text.push_str(sha);
        key_text.push('\n');
    }
    for (alias, force) in aliases {
        key_text.push_str(&format!("alias {alias}={force}\n"));
    }
    let key = output::sha256_hex(key_text.as_bytes());
    let table_path = dir.join(format!("{key}.parquet"));
    let entry_path = dir.join(format!("{key}.json"));
    if let Some(loaded) = read_entry(&table_path, &entry_path, &input_sha256) {
        return Ok(loaded);
    }
    let ingested = ingest::read_inputs(inputs, forces, progress)?;
    let accounts: Vec<serde_json::Value> = ingested
        .accounts
        .iter()
        .map(account_json)
        .collect::<Result<_>>()?;
    let (tidy, mut df) = match ingested.table {
        Table::Outcomes(df) => (false, df),
        Table::Tidy(df) => (true, df),
    };
    let entry = Entry {
        tidy,
        accounts: accounts.clone(),
        quarantine: ingested
            .quarantine
            .iter()
            .map(|q| QuarantineEntry {
                file: q.file.clone(),
                line: q.line,
                reason: q.reason.clone(),
                cells: q.cells.clone(),
            })
            .collect(),
    };
    // A cache that cannot be written (read-only home, full disk) only costs speed.
    let written = output::write_parquet(&table_path, &mut df).and_then(|()| {
        output::write_atomic(&entry_path, |w| Ok(serde_json::to_writer(w, &entry)?))
    });
    if let Err(err) = written {
        eprintln!(
            "note: cannot write the ingest cache in {}: {err:#}",
            dir.display()
        );
    }
    Ok(Loaded {
        table: if tidy {
            Table::Tidy(df)
        } else {
            Table::Outcomes(df)
        },
        accounts,
        quarantine: ingested.quarantine,
        input_sha256,
        from_cache: false,
    })
}

/// The sha256 of an input, remembered by its identity (absolute path, size, modification time
/// to the nanosecond, inode) as git's index does, so an unchanged 131 MB table is not hashed
/// again on every run. Any change to the file changes its identity and forces a new hash.
fn file_sha256(dir: &Path, path: &Path) -> Result<String> {
    use std::os::unix::fs::MetadataExt;
    let identity = std::fs::canonicalize(path)
        .and_then(|absolute| {
            let meta = std::fs::metadata(&absolute)?;
            Ok(format!(
                "{}\n{}\n{}.{}\n{}",
                absolute.display(),
                meta.len(),
                meta.mtime(),
                meta.mtime_nsec(),
                meta.ino()
            ))
        })
        .ok();
    let Some(identity) = identity else {
        return output::sha256_file(path);
    };
    let memo = dir
        .join("sha256")
        .join(output::sha256_hex(identity.as_bytes()));
    if let Ok(known) = std::fs::read_to_string(&memo) {
        let known = known.trim();
        if known.len() == 64 && known.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(known.to_string());
        }
    }
    let sha = output::sha256_file(path)?;
    // A memo that cannot be written only costs a re-hash next time.
    let _ = output::write_atomic(&memo, |w| Ok(std::io::Write::write_all(w, sha.as_bytes())?));
    Ok(sha)
}

fn account_json(account: &InputAccount) -> Result<serde_json::Value> {
    Ok(serde_json::to_value(account)?)
}

fn read_entry(table_path: &Path, entry_path: &Path, input_sha256: &[String]) -> Option<Loaded> {
    let entry: Entry = serde_json::from_slice(&std::fs::read(entry_path).ok()?).ok()?;
    let file = std::fs::File::open(table_path).ok()?;
    let df = ParquetReader::new(file).finish().ok()?;
    if !entry.tidy && df.schema().as_ref() != &crate::record::schema() {
        return None;
    }
    Some(Loaded {
        table: if entry.tidy {
            Table::Tidy(df)
        } else {
            Table::Outcomes(df)
        },
        accounts: entry.accounts,
        quarantine: entry
            .quarantine
            .into_iter()
            .map(|q| ingest::QuarantinedRow {
                file: q.file,
                line: q.line,
                reason: q.reason,
                cells: q.cells,
            })
            .collect(),
        input_sha256: input_sha256.to_vec(),
        from_cache: true,
    })
}
