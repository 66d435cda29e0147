//! Several Home Office inputs measured one by one: each input's cells are cached under its
//! own sha256 (beside its canonical table), so a run after one workbook of a series changed
//! reads and measures only that workbook, and the other inputs' cells are taken as they are.
//!
//! Invariant: cells measured one input at a time are used only when no two inputs hold a
//! row of the same period (financial year and quarter). A cell is one unit × period ×
//! offence, so the inputs' cells are then disjoint, and together, in the measure's order,
//! they are the cells of the joined table, cell for cell. Otherwise (and for tidy counts or
//! the same bytes given twice) the inputs are left to the joint read, which checks their
//! keys across inputs.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::thread::JoinHandle;

use anyhow::Result;
use indicatif::ProgressBar;

use super::{
    account_json, cached_table, file_key, file_sha256, quarantine_entry, quarantined_row,
    read_alone, read_cells, read_entry_json, table_periods, write_cells, Entry, PendingWrite,
    CELLS_LAYOUT,
};
use crate::ingest::{self, Table};
use crate::measure::{self, Cell};
use crate::normalise::forces::ForceTable;
use crate::output;

/// The inputs' cells, measured one input at a time.
pub(super) struct Each {
    /// Each input's sha256, in input order.
    pub input_sha256: Vec<String>,
    /// The cells under each measure key, in the keys' order.
    pub sets: Vec<Vec<Cell>>,
    /// Row accounting per input, as JSON values.
    pub accounts: Vec<serde_json::Value>,
    /// Quarantined rows, in input order.
    pub quarantine: Vec<ingest::QuarantinedRow>,
    /// Whether every input's cells or table came from the cache.
    pub from_cache: bool,
    /// The threads writing fresh tables and cells to the cache.
    pub writers: Vec<JoinHandle<()>>,
}

/// One input, as its worker left it.
struct Part {
    sha256: String,
    entry: Entry,
    /// Its cells under each measure key; empty for a tidy table (left to the joint read).
    sets: Vec<Vec<Cell>>,
    from_cache: bool,
    writers: Vec<JoinHandle<()>>,
}

/// Where one input's cells under `measure_key` are cached.
fn cells_path(dir: &Path, file_key: &str, measure_key: &str) -> PathBuf {
    let key = output::sha256_hex(format!("{file_key}\n{CELLS_LAYOUT}\n{measure_key}").as_bytes());
    dir.join(format!("{key}.file.cells.parquet"))
}

/// Why the inputs were left to the joint read (see the module's invariant).
pub(super) struct Joint {
    /// Each input's sha256, in input order.
    pub input_sha256: Vec<String>,
    /// Whether they must be read together in one read (tidy counts, or the same bytes given
    /// twice, whose duplicate rows that read names line by line), rather than one by one and
    /// joined (inputs that share a period).
    pub together: bool,
}

/// Measures the inputs one by one, as many at once as there are cores, each from its own
/// cache entry when it has one. [`Joint`] when the inputs must be read together; the fresh
/// entries made meanwhile are kept, and their writes finished.
pub(super) fn measure_each(
    dir: &Path,
    inputs: &[PathBuf],
    forces: &ForceTable,
    aliases: &[(String, String)],
    measure_keys: &[String],
    measure: &(dyn Fn(&Table, usize) -> Result<Vec<Cell>> + Sync),
    progress: &ProgressBar,
) -> Result<Result<Each, Joint>> {
    // The sha256 of the inputs being measured: the same bytes given twice are measured once
    // (and then left to the joint read, which names their duplicate rows), so that no two
    // threads write the same cache entry.
    let claimed: Mutex<HashSet<String>> = Mutex::default();
    let results = super::on_each_input(inputs, progress, |path| {
        one_input(dir, path, forces, aliases, measure_keys, measure, &claimed)
    });
    let mut parts = Vec::with_capacity(inputs.len());
    let mut failed = None;
    for result in results {
        match result {
            Some(Ok(part)) => parts.push(part),
            Some(Err(err)) => {
                failed.get_or_insert(err);
            }
            None => {
                failed.get_or_insert(anyhow::anyhow!("a thread reading the inputs failed"));
            }
        }
    }
    if let Some(err) = failed {
        // Let the cache writes finish rather than leave them half-done at exit.
        join(parts.into_iter().flat_map(|p| p.writers));
        return Err(err);
    }
    let mut distinct: Vec<&str> = parts.iter().map(|p| p.sha256.as_str()).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let periods: Vec<&[(String, i32)]> = parts
        .iter()
        .map(|p| p.entry.periods.as_deref().unwrap_or_default())
        .collect();
    let together = parts.iter().any(|p| p.entry.tidy) || distinct.len() < parts.len();
    if together || super::overlapping(&periods) {
        let input_sha256 = parts.iter().map(|p| p.sha256.clone()).collect();
        join(parts.into_iter().flat_map(|p| p.writers));
        return Ok(Err(Joint {
            input_sha256,
            together,
        }));
    }
    // Each set is made at its full size at once: grown by doubling, a twelve-year series'
    // cells would briefly be held twice.
    let sets = (0..measure_keys.len())
        .map(|k| {
            Vec::with_capacity(
                parts
                    .iter()
                    .map(|p| p.sets.get(k).map_or(0, Vec::len))
                    .sum(),
            )
        })
        .collect();
    let mut each = Each {
        input_sha256: Vec::with_capacity(parts.len()),
        sets,
        accounts: Vec::new(),
        quarantine: Vec::new(),
        from_cache: true,
        writers: Vec::new(),
    };
    for part in parts {
        each.input_sha256.push(part.sha256);
        each.accounts.extend(part.entry.accounts);
        each.quarantine
            .extend(part.entry.quarantine.into_iter().map(quarantined_row));
        each.from_cache &= part.from_cache;
        each.writers.extend(part.writers);
        for (set, cells) in each.sets.iter_mut().zip(part.sets) {
            set.extend(cells);
        }
    }
    // Each input's cells are in the measure's order already: the sort merges those runs.
    for set in &mut each.sets {
        measure::sort_cells(set);
    }
    Ok(Ok(each))
}

/// One input's cells under every measure key: from its cache entry, else measured from its
/// cached table, else from a fresh read (whose table, entry and cells are then written to the
/// cache on threads of their own). An input whose bytes another thread has claimed is passed
/// over: its part has only its sha256.
fn one_input(
    dir: &Path,
    path: &Path,
    forces: &ForceTable,
    aliases: &[(String, String)],
    measure_keys: &[String],
    measure: &(dyn Fn(&Table, usize) -> Result<Vec<Cell>> + Sync),
    claimed: &Mutex<HashSet<String>>,
) -> Result<Part> {
    let sha256 = file_sha256(dir, path)?;
    let first = claimed
        .lock()
        .map_err(|_| anyhow::anyhow!("a thread reading the inputs failed"))?
        .insert(sha256.clone());
    if !first {
        return Ok(Part {
            sha256,
            entry: Entry {
                tidy: false,
                accounts: Vec::new(),
                quarantine: Vec::new(),
                dictionaries: None,
                periods: None,
            },
            sets: Vec::new(),
            from_cache: false,
            writers: Vec::new(),
        });
    }
    let key = file_key(&sha256, aliases);
    let table_path = dir.join(format!("{key}.file.parquet"));
    let entry_path = dir.join(format!("{key}.file.json"));
    let cells_paths: Vec<PathBuf> = measure_keys
        .iter()
        .map(|k| cells_path(dir, &key, k))
        .collect();
    let cached = match read_entry_json(&entry_path) {
        Some(entry) if entry.periods.is_some() && !entry.tidy => {
            let sets: Option<Vec<Vec<Cell>>> = cells_paths.iter().map(|p| read_cells(p)).collect();
            match sets {
                Some(sets) => {
                    return Ok(Part {
                        sha256,
                        entry,
                        sets,
                        from_cache: true,
                        writers: Vec::new(),
                    })
                }
                None => Some(entry),
            }
        }
        other => other,
    };
    let mut writers = Vec::new();
    let cached = cached.and_then(|entry| Some((cached_table(&table_path, &entry)?, entry)));
    let (table, entry, from_cache) = match cached {
        Some((table, entry)) => (table, entry, true),
        None => {
            let ingested = read_alone(path, forces)?;
            let accounts: Vec<serde_json::Value> = ingested
                .accounts
                .iter()
                .map(account_json)
                .collect::<Result<_>>()?;
            let quarantine = ingested.quarantine.iter().map(quarantine_entry).collect();
            let entry = match &ingested.table {
                Table::Tidy(_) => Entry {
                    tidy: true,
                    accounts,
                    quarantine,
                    dictionaries: None,
                    periods: None,
                },
                Table::Outcomes(df) => {
                    let (ids, dictionaries) = crate::record::to_ids(df)
                        .map_err(|e| anyhow::anyhow!("cannot keep a table in the cache: {e}"))?;
                    let entry = Entry {
                        tidy: false,
                        accounts,
                        quarantine,
                        dictionaries: Some(dictionaries),
                        periods: Some(table_periods(df).map_err(|e| {
                            anyhow::anyhow!("cannot read the periods of {}: {e}", path.display())
                        })?),
                    };
                    let pending = PendingWrite {
                        dir: dir.to_path_buf(),
                        table_path,
                        entry_path,
                        table: Some(ids),
                        entry: entry.clone(),
                    };
                    writers.push(std::thread::spawn(move || pending.write()));
                    entry
                }
            };
            (ingested.table, entry, false)
        }
    };
    if entry.tidy || entry.periods.is_none() {
        // Left to the joint read (an entry of an older layout has no periods: FILE_LAYOUT
        // changed with them, so this is only a guard).
        return Ok(Part {
            sha256,
            entry: Entry {
                periods: None,
                ..entry
            },
            sets: Vec::new(),
            from_cache,
            writers,
        });
    }
    let mut sets = Vec::with_capacity(measure_keys.len());
    for k in 0..measure_keys.len() {
        match measure(&table, k) {
            Ok(cells) => sets.push(cells),
            Err(err) => {
                join(writers);
                return Err(err);
            }
        }
    }
    drop(table);
    writers.extend(write_cells(dir, &sets, cells_paths));
    Ok(Part {
        sha256,
        entry,
        sets,
        from_cache,
        writers,
    })
}

/// Waits for cache writes (each reports its own failure).
fn join(writers: impl IntoIterator<Item = JoinHandle<()>>) {
    for writer in writers {
        let _ = writer.join();
    }
}
