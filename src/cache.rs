//! The ingest cache: the canonical table of a set of inputs, keyed by their sha256, and the
//! cells measured from it, keyed by that key and the measure's settings.
//!
//! Invariant: a cache entry is used only when every input's bytes, the aliases and the tool
//! version are unchanged (the key hashes all three), and cells only for the same basis,
//! outcome types and denominator; entries are written atomically, and a damaged entry is
//! ignored and rebuilt, never trusted.

use std::path::{Path, PathBuf};

use anyhow::Result;
use indicatif::ProgressBar;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::ingest::{self, InputAccount, Table};
use crate::measure::{Cell, PeriodKey};
use crate::normalise::forces::ForceTable;
use crate::output;

mod each;

/// What an ingest produced, as the run needs it.
struct Loaded {
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

#[derive(Clone, Serialize, Deserialize)]
struct Entry {
    tidy: bool,
    accounts: Vec<serde_json::Value>,
    quarantine: Vec<QuarantineEntry>,
    /// For a table kept with its dictionary columns as ids ([`crate::record::to_ids`]), their
    /// values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dictionaries: Option<crate::record::Dictionaries>,
    /// For one input's entry, the periods (financial year, quarter) its table holds rows of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    periods: Option<Vec<(String, i32)>>,
}

#[derive(Clone, Serialize, Deserialize)]
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

/// What the run needs from its inputs: the measured cells and the inputs' accounting.
pub struct Measured {
    /// The cells, as [`crate::measure`] gives them.
    pub cells: Vec<Cell>,
    /// The cells measured under each further key of [`load_measured`], in its order (the
    /// sensitivity's alternatives), from the same table.
    pub further: Vec<Vec<Cell>>,
    /// Whether the inputs are tidy counts (else the canonical outcome table).
    pub tidy: bool,
    /// Row accounting per input, as JSON values (from the ingest or the cache).
    pub accounts: Vec<serde_json::Value>,
    /// Quarantined rows.
    pub quarantine: Vec<ingest::QuarantinedRow>,
    /// Each input's sha256, in input order.
    pub input_sha256: Vec<String>,
    /// Whether the cache was used (for the cells or the table).
    pub from_cache: bool,
    /// The threads writing a fresh canonical table and fresh cells to the cache, joined on
    /// drop.
    writers: Vec<std::thread::JoinHandle<()>>,
}

impl Drop for Measured {
    fn drop(&mut self) {
        for writer in self.writers.drain(..) {
            // A writer reports its own failures; a panic there is not the run's to handle.
            let _ = writer.join();
        }
    }
}

/// The version of the cells cache layout; part of each cells key.
const CELLS_LAYOUT: &str = "cells 2";

/// Loads the inputs and measures their cells, from the cache when it holds them.
///
/// `measure_keys` name everything `measure` depends on besides the table (basis, outcome
/// types, denominator), one per set of cells: the first is the run's own, any further ones
/// are measured from the same table (`measure(table, k)` for the `k`th key). Cells cached
/// under another key are never used. When every set is cached the canonical table is not
/// read at all.
pub fn load_measured(
    inputs: &[PathBuf],
    forces: &ForceTable,
    aliases: &[(String, String)],
    measure_keys: &[String],
    measure: impl Fn(&Table, usize) -> Result<Vec<Cell>> + Sync,
    progress: &ProgressBar,
) -> Result<Measured> {
    if measure_keys.is_empty() {
        anyhow::bail!("no cells to measure: load_measured was given no measure key");
    }
    let dir = folder();
    // Inputs hashed before (by their identity) are checked against the cache first. Inputs
    // never seen are hashed while they are read, on two cores: reading them is needed unless
    // the same bytes were cached under another name, which the hash then tells.
    let mut known: Option<Vec<String>> = inputs.iter().map(|p| memo_sha256(&dir, p)).collect();
    if let Some(measured) = known
        .as_deref()
        .and_then(|known| cached_measured(&dir, known, aliases, measure_keys))
    {
        return Ok(measured);
    }
    let mut fresh = None;
    if inputs.len() > 1 {
        // Several Home Office inputs are measured one by one, each from its own cache entry
        // when it has one; the cells of them all are cached under their joint key too.
        let each = match each::measure_each(
            &dir,
            inputs,
            forces,
            aliases,
            measure_keys,
            &measure,
            progress,
        )? {
            Ok(each) => Some(each),
            // Left to the joint read; measuring them one by one hashed them all.
            Err(joint) => {
                known = Some(joint.input_sha256);
                fresh = joint.together.then_some(Fresh::Together);
                None
            }
        };
        if let Some(each) = each {
            let (key, cells_paths, entry_path) =
                combined_paths(&dir, &each.input_sha256, aliases, measure_keys);
            let mut writers = each.writers;
            let pending = PendingWrite {
                dir: dir.clone(),
                table_path: dir.join(format!("{key}.parquet")),
                entry_path,
                table: None,
                entry: Entry {
                    tidy: false,
                    accounts: each.accounts.clone(),
                    quarantine: each.quarantine.iter().map(quarantine_entry).collect(),
                    dictionaries: None,
                    periods: None,
                },
            };
            // The entry is written after the cells, so that it never stands for cells not yet
            // written.
            let mut sets = each.sets;
            let cell_writers = write_cells(&dir, &sets, cells_paths);
            writers.push(std::thread::spawn(move || {
                for writer in cell_writers {
                    let _ = writer.join();
                }
                pending.write();
            }));
            let cells = sets.remove(0);
            return Ok(Measured {
                cells,
                further: sets,
                tidy: false,
                accounts: each.accounts,
                quarantine: each.quarantine,
                input_sha256: each.input_sha256,
                from_cache: each.from_cache,
                writers,
            });
        }
    }
    let (input_sha256, fresh) = match known {
        Some(known) => (known, fresh),
        // One input never hashed (several were hashed as they were measured).
        None => {
            let (hashed, ingested) = std::thread::scope(|scope| {
                let hashing = scope.spawn(|| {
                    inputs
                        .iter()
                        .map(|p| file_sha256(&dir, p))
                        .collect::<Result<Vec<_>>>()
                });
                let ingested = ingest::read_inputs(inputs, forces, progress);
                (hashing.join(), ingested)
            });
            let hashed =
                hashed.map_err(|_| anyhow::anyhow!("the thread hashing the inputs failed"))??;
            (hashed, Some(Fresh::Ingested(ingested?)))
        }
    };
    if let Some(measured) = cached_measured(&dir, &input_sha256, aliases, measure_keys) {
        return Ok(measured);
    }
    let (key, cells_paths, _) = combined_paths(&dir, &input_sha256, aliases, measure_keys);
    let (loaded, pending, file_writers) = load_keyed(
        &dir,
        &key,
        input_sha256,
        inputs,
        forces,
        aliases,
        fresh,
        progress,
    )?;
    // A fresh table is written to the cache while the cells are measured and the run goes on.
    let writer = pending.map(|pending| std::thread::spawn(move || pending.write()));
    let mut writers: Vec<_> = writer.into_iter().chain(file_writers).collect();
    // The further sets (the sensitivity's alternatives) are measured beside the run's own,
    // one thread each: every measure reads the same table and writes only its own cells.
    let measured: Vec<Result<Vec<Cell>>> = std::thread::scope(|scope| {
        let measure = &measure;
        let table = &loaded.table;
        let further: Vec<_> = (1..measure_keys.len())
            .map(|k| scope.spawn(move || measure(table, k)))
            .collect();
        let mut all = vec![measure(table, 0)];
        for handle in further {
            all.push(
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
        }
        all
    });
    let mut sets = Vec::with_capacity(measure_keys.len());
    for result in measured {
        match result {
            Ok(cells) => sets.push(cells),
            Err(err) => {
                // Let the cache writes finish rather than leave them half-done at exit.
                for writer in writers {
                    let _ = writer.join();
                }
                return Err(err);
            }
        }
    }
    writers.extend(write_cells(&dir, &sets, cells_paths));
    let cells = sets.remove(0);
    Ok(Measured {
        cells,
        further: sets,
        tidy: matches!(loaded.table, Table::Tidy(_)),
        accounts: loaded.accounts,
        quarantine: loaded.quarantine,
        input_sha256: loaded.input_sha256,
        from_cache: loaded.from_cache,
        writers,
    })
}

/// The joint key of the inputs with these sha256, the paths of their cells under each
/// measure key, and the path of their entry.
fn combined_paths(
    dir: &Path,
    input_sha256: &[String],
    aliases: &[(String, String)],
    measure_keys: &[String],
) -> (String, Vec<PathBuf>, PathBuf) {
    let key = ingest_key(input_sha256, aliases);
    let cells_paths = measure_keys
        .iter()
        .map(|measure_key| {
            let cells_key =
                output::sha256_hex(format!("{key}\n{CELLS_LAYOUT}\n{measure_key}").as_bytes());
            dir.join(format!("{cells_key}.cells.parquet"))
        })
        .collect();
    let entry_path = dir.join(format!("{key}.json"));
    (key, cells_paths, entry_path)
}

/// The inputs' cells under every measure key and their entry, when the cache holds them all
/// under the inputs' joint key.
fn cached_measured(
    dir: &Path,
    input_sha256: &[String],
    aliases: &[(String, String)],
    measure_keys: &[String],
) -> Option<Measured> {
    let (_, cells_paths, entry_path) = combined_paths(dir, input_sha256, aliases, measure_keys);
    let entry = read_entry_json(&entry_path)?;
    let mut sets: Vec<Vec<Cell>> = cells_paths
        .iter()
        .map(|p| read_cells(p))
        .collect::<Option<_>>()?;
    if sets.is_empty() {
        return None;
    }
    let cells = sets.remove(0);
    Some(Measured {
        cells,
        further: sets,
        tidy: entry.tidy,
        accounts: entry.accounts,
        quarantine: entry.quarantine.into_iter().map(quarantined_row).collect(),
        input_sha256: input_sha256.to_vec(),
        from_cache: true,
        writers: Vec::new(),
    })
}

/// Writes each set of cells to its path in the cache, each on a thread of its own (and
/// flushed to disk, about 10 ms) while the run goes on. Cells that cannot be cached only
/// cost speed next time.
fn write_cells(
    dir: &Path,
    sets: &[Vec<Cell>],
    cells_paths: Vec<PathBuf>,
) -> Vec<std::thread::JoinHandle<()>> {
    let mut writers = Vec::new();
    for (cells, cells_path) in sets.iter().zip(cells_paths) {
        let cells_dir = dir.to_path_buf();
        let cells_note = move |err: anyhow::Error| {
            eprintln!(
                "note: cannot write the cells cache in {}: {err:#}",
                cells_dir.display()
            );
        };
        match cells_frame(cells) {
            Ok(mut frame) => writers.push(std::thread::spawn(move || {
                if let Err(err) = output::write_parquet(&cells_path, &mut frame) {
                    cells_note(err);
                }
            })),
            Err(err) => cells_note(err),
        }
    }
    writers
}

/// A canonical table still to be written to the cache, with its entry.
struct PendingWrite {
    dir: PathBuf,
    table_path: PathBuf,
    entry_path: PathBuf,
    /// The table, or `None` when only the entry is written (inputs cached one by one, whose
    /// joined table is cheaper to join again than to write and read).
    table: Option<DataFrame>,
    entry: Entry,
}

impl PendingWrite {
    /// Writes the table, then the entry that makes it valid. A cache that cannot be written
    /// (read-only home, full disk) only costs speed.
    fn write(mut self) {
        let table = match self.table.as_mut() {
            Some(table) => output::write_parquet(&self.table_path, table),
            None => Ok(()),
        };
        let written = table.and_then(|()| {
            output::write_atomic(&self.entry_path, |w| {
                Ok(serde_json::to_writer(w, &self.entry)?)
            })
        });
        if let Err(err) = written {
            eprintln!(
                "note: cannot write the ingest cache in {}: {err:#}",
                self.dir.display()
            );
        }
    }
}

/// The ingest key: the tool version, every input's sha256 and the aliases.
fn ingest_key(input_sha256: &[String], aliases: &[(String, String)]) -> String {
    let mut key_text = format!("outcome-lens {}\n", env!("CARGO_PKG_VERSION"));
    for sha in input_sha256 {
        key_text.push_str(sha);
        key_text.push('\n');
    }
    for (alias, force) in aliases {
        key_text.push_str(&format!("alias {alias}={force}\n"));
    }
    output::sha256_hex(key_text.as_bytes())
}

/// A read of the inputs not (yet) found in the cache under the key of all of them.
enum Fresh {
    /// Read together.
    Ingested(ingest::Ingested),
    /// Read (or taken from the cache) one by one and joined, with the threads writing the
    /// fresh ones to the cache.
    Each(Each),
    /// Not read yet, and to be read together (see [`load_each`]).
    Together,
}

/// Several inputs read (or taken from the cache) one by one and joined.
struct Each {
    loaded: Loaded,
    writers: Vec<std::thread::JoinHandle<()>>,
}

#[allow(clippy::too_many_arguments)]
fn load_keyed(
    dir: &Path,
    key: &str,
    input_sha256: Vec<String>,
    inputs: &[PathBuf],
    forces: &ForceTable,
    aliases: &[(String, String)],
    fresh: Option<Fresh>,
    progress: &ProgressBar,
) -> Result<(
    Loaded,
    Option<PendingWrite>,
    Vec<std::thread::JoinHandle<()>>,
)> {
    let table_path = dir.join(format!("{key}.parquet"));
    let entry_path = dir.join(format!("{key}.json"));
    let fresh = match fresh {
        Some(Fresh::Ingested(_) | Fresh::Each(_)) => fresh,
        Some(Fresh::Together) | None => {
            if let Some(loaded) = read_entry(&table_path, &entry_path, &input_sha256) {
                return Ok((loaded, None, Vec::new()));
            }
            if fresh.is_some() {
                fresh
            } else if inputs.len() > 1 {
                load_each(dir, inputs, forces, aliases, progress)?
                    .1
                    .map(Fresh::Each)
            } else {
                None
            }
        }
    };
    let ingested = match fresh {
        Some(Fresh::Each(each)) => {
            let entry = Entry {
                tidy: false,
                accounts: each.loaded.accounts.clone(),
                quarantine: each
                    .loaded
                    .quarantine
                    .iter()
                    .map(quarantine_entry)
                    .collect(),
                dictionaries: None,
                periods: None,
            };
            let pending = PendingWrite {
                dir: dir.to_path_buf(),
                table_path,
                entry_path,
                table: None,
                entry,
            };
            return Ok((each.loaded, Some(pending), each.writers));
        }
        Some(Fresh::Ingested(ingested)) => ingested,
        Some(Fresh::Together) | None => ingest::read_inputs(inputs, forces, progress)?,
    };
    let accounts: Vec<serde_json::Value> = ingested
        .accounts
        .iter()
        .map(account_json)
        .collect::<Result<_>>()?;
    let (tidy, df) = match ingested.table {
        Table::Outcomes(df) => (false, df),
        Table::Tidy(df) => (true, df),
    };
    let entry = Entry {
        tidy,
        accounts: accounts.clone(),
        quarantine: ingested.quarantine.iter().map(quarantine_entry).collect(),
        dictionaries: None,
        periods: None,
    };
    let pending = PendingWrite {
        dir: dir.to_path_buf(),
        table_path,
        entry_path,
        table: Some(df.clone()),
        entry,
    };
    let loaded = Loaded {
        table: if tidy {
            Table::Tidy(df)
        } else {
            Table::Outcomes(df)
        },
        accounts,
        quarantine: ingested.quarantine,
        input_sha256,
        from_cache: false,
    };
    Ok((loaded, Some(pending), Vec::new()))
}

fn quarantine_entry(q: &ingest::QuarantinedRow) -> QuarantineEntry {
    QuarantineEntry {
        file: q.file.clone(),
        line: q.line,
        reason: q.reason.clone(),
        cells: q.cells.clone(),
    }
}

/// Whether two of the tables hold rows of the same period (financial year and quarter).
fn periods_overlap(tables: &[DataFrame]) -> PolarsResult<bool> {
    let periods = tables
        .iter()
        .map(table_periods)
        .collect::<PolarsResult<Vec<_>>>()?;
    let periods: Vec<&[(String, i32)]> = periods.iter().map(Vec::as_slice).collect();
    Ok(overlapping(&periods))
}

/// The periods (financial year, quarter) a canonical table holds rows of, in order of first
/// appearance.
fn table_periods(table: &DataFrame) -> PolarsResult<Vec<(String, i32)>> {
    use crate::record::col;
    let periods = table
        .select([col::FINANCIAL_YEAR, col::QUARTER])?
        .unique_stable(None, UniqueKeepStrategy::First, None)?;
    let years = periods
        .column(col::FINANCIAL_YEAR)?
        .cast(&DataType::String)?;
    let quarters = periods.column(col::QUARTER)?.cast(&DataType::Int32)?;
    Ok(years
        .str()?
        .iter()
        .zip(quarters.i32()?.iter())
        .map(|(year, quarter)| {
            (
                year.unwrap_or_default().to_string(),
                quarter.unwrap_or_default(),
            )
        })
        .collect())
}

/// Whether two of the tables whose periods these are share one.
fn overlapping(periods: &[&[(String, i32)]]) -> bool {
    let mut seen: std::collections::HashMap<&(String, i32), usize> = Default::default();
    for (index, table) in periods.iter().enumerate() {
        for period in table.iter() {
            if seen
                .insert(period, index)
                .is_some_and(|other| other != index)
            {
                return true;
            }
        }
    }
    false
}

/// The version of the layout of the cache's entries for single inputs; part of their keys.
const FILE_LAYOUT: &str = "file 2";

/// The key of one input's entry: the tool version, the input's sha256 and the aliases.
fn file_key(sha256: &str, aliases: &[(String, String)]) -> String {
    let mut text = format!(
        "outcome-lens {}\n{FILE_LAYOUT}\n{sha256}\n",
        env!("CARGO_PKG_VERSION")
    );
    for (alias, force) in aliases {
        text.push_str(&format!("alias {alias}={force}\n"));
    }
    output::sha256_hex(text.as_bytes())
}

/// One input, read or taken from its own cache entry.
enum Part {
    Cached(Loaded),
    Read(ingest::Ingested),
}

/// One input read as if it were the only one (its own progress not shown).
fn read_alone(path: &Path, forces: &ForceTable) -> Result<ingest::Ingested> {
    Ok(ingest::read_inputs(
        std::slice::from_ref(&path.to_path_buf()),
        forces,
        &ProgressBar::hidden(),
    )?)
}

/// Runs `work` on each input, as many inputs at once as there are cores, counting them on
/// `progress`; the results in input order (`None` where a worker panicked, which the scope
/// then reports too).
fn on_each_input<T: Send>(
    inputs: &[PathBuf],
    progress: &ProgressBar,
    work: impl Fn(&Path) -> T + Sync,
) -> Vec<Option<T>> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let slots: Vec<std::sync::Mutex<Option<T>>> =
        inputs.iter().map(|_| std::sync::Mutex::new(None)).collect();
    let workers = std::thread::available_parallelism()
        .map_or(2, std::num::NonZeroUsize::get)
        .min(inputs.len());
    progress.set_length(inputs.len() as u64);
    progress.set_position(0);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(path) = inputs.get(i) else {
                    break;
                };
                let result = work(path);
                // Only a panicking worker poisons a slot, and then the scope panics too.
                if let Ok(mut slot) = slots[i].lock() {
                    *slot = Some(result);
                }
                progress.inc(1);
            });
        }
    });
    slots
        .into_iter()
        .map(|slot| slot.into_inner().ok().flatten())
        .collect()
}

/// Reads several inputs one by one, as many at once as there are cores (each workbook also
/// inflates on a thread of its own), each taken from its own cache entry (keyed by its own
/// sha256) when it has one, so that adding next year's workbook reads only that workbook.
/// Returns every input's sha256 and, unless the inputs must be read together, their joined
/// table: tidy-counts tables (whose units are read across inputs) and the same bytes given
/// twice (whose duplicate rows are named by the joint read, line by line) are left to it.
fn load_each(
    dir: &Path,
    inputs: &[PathBuf],
    forces: &ForceTable,
    aliases: &[(String, String)],
    progress: &ProgressBar,
) -> Result<(Vec<String>, Option<Each>)> {
    let results = on_each_input(inputs, progress, |path| {
        file_sha256(dir, path).and_then(|sha| {
            let key = file_key(&sha, aliases);
            let table = dir.join(format!("{key}.file.parquet"));
            let entry = dir.join(format!("{key}.file.json"));
            match read_entry(&table, &entry, std::slice::from_ref(&sha)) {
                Some(loaded) => Ok((sha, Part::Cached(loaded))),
                None => Ok((sha, Part::Read(read_alone(path, forces)?))),
            }
        })
    });
    let mut shas = Vec::with_capacity(inputs.len());
    let mut parts = Vec::with_capacity(inputs.len());
    for result in results {
        let (sha, part): (String, Part) =
            result.ok_or_else(|| anyhow::anyhow!("a thread reading the inputs failed"))??;
        shas.push(sha);
        parts.push(part);
    }
    let mut distinct = shas.clone();
    distinct.sort();
    distinct.dedup();
    let tidy = parts.iter().any(|p| match p {
        Part::Cached(loaded) => matches!(loaded.table, Table::Tidy(_)),
        Part::Read(ingested) => matches!(ingested.table, Table::Tidy(_)),
    });
    if tidy || distinct.len() < shas.len() {
        return Ok((shas, None));
    }
    let mut tables = Vec::with_capacity(parts.len());
    let mut accounts = Vec::new();
    let mut quarantine = Vec::new();
    let mut writers = Vec::new();
    let mut all_cached = true;
    for ((part, sha), path) in parts.into_iter().zip(&shas).zip(inputs) {
        match part {
            Part::Cached(loaded) => {
                let Table::Outcomes(df) = loaded.table else {
                    unreachable!("tidy tables were left to the joint read");
                };
                tables.push(df);
                accounts.extend(loaded.accounts);
                quarantine.extend(loaded.quarantine);
            }
            Part::Read(ingested) => {
                all_cached = false;
                let Table::Outcomes(df) = ingested.table else {
                    unreachable!("tidy tables were left to the joint read");
                };
                let part_accounts: Vec<serde_json::Value> = ingested
                    .accounts
                    .iter()
                    .map(account_json)
                    .collect::<Result<_>>()?;
                let key = file_key(sha, aliases);
                let (ids, dictionaries) = crate::record::to_ids(&df)
                    .map_err(|e| anyhow::anyhow!("cannot keep a table in the cache: {e}"))?;
                let pending = PendingWrite {
                    dir: dir.to_path_buf(),
                    table_path: dir.join(format!("{key}.file.parquet")),
                    entry_path: dir.join(format!("{key}.file.json")),
                    table: Some(ids),
                    entry: Entry {
                        tidy: false,
                        accounts: part_accounts.clone(),
                        quarantine: ingested.quarantine.iter().map(quarantine_entry).collect(),
                        dictionaries: Some(dictionaries),
                        periods: Some(table_periods(&df).map_err(|e| {
                            anyhow::anyhow!("cannot read the periods of {}: {e}", path.display())
                        })?),
                    },
                };
                writers.push(std::thread::spawn(move || pending.write()));
                tables.push(df);
                accounts.extend(part_accounts);
                quarantine.extend(ingested.quarantine);
            }
        }
    }
    // Each part's keys are unique (its read refused a repeated one); parts can share a key
    // only if they share a period, which a series of years does not, so only then is the
    // joined table checked (a check of fifteen million rows costs seconds and gigabytes).
    let overlap = periods_overlap(&tables)
        .map_err(|e| anyhow::anyhow!("cannot read the inputs' periods: {e}"))?;
    let table = crate::record::concat(tables)
        .map_err(|e| anyhow::anyhow!("cannot join the inputs' tables: {e}"))?;
    if overlap {
        ingest::check_unique_keys(&table, inputs)?;
    }
    let loaded = Loaded {
        table: Table::Outcomes(table),
        accounts,
        quarantine,
        input_sha256: shas.clone(),
        from_cache: all_cached,
    };
    Ok((shas, Some(Each { loaded, writers })))
}

/// The sha256 of an input, remembered by its identity (absolute path, size, modification time
/// to the nanosecond, inode) as git's index does, so an unchanged 131 MB table is not hashed
/// again on every run. Any change to the file changes its identity and forces a new hash.
fn file_sha256(dir: &Path, path: &Path) -> Result<String> {
    if let Some(known) = memo_sha256(dir, path) {
        return Ok(known);
    }
    let sha = crate::ingest::files::sha256_file(path)?;
    if let Some(memo) = memo_path(dir, path) {
        // A memo that cannot be written only costs a re-hash next time.
        let _ = output::write_atomic(&memo, |w| Ok(std::io::Write::write_all(w, sha.as_bytes())?));
    }
    Ok(sha)
}

/// The sha256 remembered for an input with this identity, if any.
fn memo_sha256(dir: &Path, path: &Path) -> Option<String> {
    let known = std::fs::read_to_string(memo_path(dir, path)?).ok()?;
    let known = known.trim();
    (known.len() == 64 && known.bytes().all(|b| b.is_ascii_hexdigit())).then(|| known.to_string())
}

/// Where the sha256 of an input with this identity is remembered; `None` when the file
/// cannot be examined.
fn memo_path(dir: &Path, path: &Path) -> Option<PathBuf> {
    use std::os::unix::fs::MetadataExt;
    let absolute = std::fs::canonicalize(path).ok()?;
    let meta = std::fs::metadata(&absolute).ok()?;
    let identity = format!(
        "{}\n{}\n{}.{}\n{}",
        absolute.display(),
        meta.len(),
        meta.mtime(),
        meta.mtime_nsec(),
        meta.ino()
    );
    Some(
        dir.join("sha256")
            .join(output::sha256_hex(identity.as_bytes())),
    )
}

fn account_json(account: &InputAccount) -> Result<serde_json::Value> {
    Ok(serde_json::to_value(account)?)
}

fn read_entry_json(entry_path: &Path) -> Option<Entry> {
    serde_json::from_slice(&std::fs::read(entry_path).ok()?).ok()
}

fn quarantined_row(q: QuarantineEntry) -> ingest::QuarantinedRow {
    ingest::QuarantinedRow {
        file: q.file,
        line: q.line,
        reason: q.reason,
        cells: q.cells,
    }
}

/// The cells' columns in the cells cache.
mod cells_col {
    pub const UNIT: &str = "unit";
    pub const ORDER: &str = "period_order";
    pub const LABEL: &str = "period_label";
    pub const FY_START: &str = "fy_start";
    pub const QUARTER: &str = "quarter";
    pub const GROUP: &str = "group";
    pub const SUBGROUP: &str = "subgroup";
    pub const CODE: &str = "code";
    pub const DESCRIPTION: &str = "description";
    pub const NUMERATOR: &str = "numerator";
    pub const DENOMINATOR: &str = "denominator";
    pub const MISSING: &str = "missing";
    pub const INCOMPLETE: &str = "incomplete";
    /// `type_0` … `type_22`: the counts by outcome type, null for cells without them (the
    /// columns are absent when no cell has them).
    pub fn type_column(t: usize) -> String {
        format!("type_{t}")
    }
}

/// The cells as the cache's table of them.
fn cells_frame(cells: &[Cell]) -> Result<DataFrame> {
    use cells_col as c;
    let text = |name: &str, f: fn(&Cell) -> &str| {
        Column::new(name.into(), cells.iter().map(f).collect::<Vec<&str>>())
    };
    let df = DataFrame::new_infer_height(vec![
        text(c::UNIT, |x| &x.unit),
        Column::new(
            c::ORDER.into(),
            cells.iter().map(|x| x.period.order).collect::<Vec<i64>>(),
        ),
        text(c::LABEL, |x| &x.period.label),
        Column::new(
            c::FY_START.into(),
            cells
                .iter()
                .map(|x| x.period.quarter.map(|q| i32::from(q.fy_start())))
                .collect::<Vec<Option<i32>>>(),
        ),
        Column::new(
            c::QUARTER.into(),
            cells
                .iter()
                .map(|x| x.period.quarter.map(|q| i32::from(q.quarter())))
                .collect::<Vec<Option<i32>>>(),
        ),
        text(c::GROUP, |x| &x.group),
        text(c::SUBGROUP, |x| &x.subgroup),
        text(c::CODE, |x| &x.code),
        text(c::DESCRIPTION, |x| &x.description),
        Column::new(
            c::NUMERATOR.into(),
            cells.iter().map(|x| x.numerator).collect::<Vec<i64>>(),
        ),
        Column::new(
            c::DENOMINATOR.into(),
            cells.iter().map(|x| x.denominator).collect::<Vec<i64>>(),
        ),
        Column::new(
            c::MISSING.into(),
            cells.iter().map(|x| x.missing).collect::<Vec<u64>>(),
        ),
        Column::new(
            c::INCOMPLETE.into(),
            cells.iter().map(|x| x.incomplete).collect::<Vec<u64>>(),
        ),
    ])?;
    let mut df = df;
    if cells.iter().any(|x| x.types.is_some()) {
        for t in 0..23 {
            df.with_column(Column::new(
                c::type_column(t).into(),
                cells
                    .iter()
                    .map(|x| x.types.as_ref().map(|types| types[t]))
                    .collect::<Vec<Option<i64>>>(),
            ))?;
        }
    }
    Ok(df)
}

fn read_cells(path: &Path) -> Option<Vec<Cell>> {
    use cells_col as c;
    let df = ParquetReader::new(std::fs::File::open(path).ok()?)
        .finish()
        .ok()?;
    // Each column as one array, read by index (a chunked column's own `get` looks for the
    // chunk first, which took about a quarter of the time this reading takes).
    let text = |name: &str| Some(df.column(name).ok()?.str().ok()?.rechunk().into_owned());
    let int = |name: &str| Some(df.column(name).ok()?.i64().ok()?.rechunk().into_owned());
    let small = |name: &str| Some(df.column(name).ok()?.i32().ok()?.rechunk().into_owned());
    let (units, labels, groups, subgroups, codes, descriptions) = (
        text(c::UNIT)?,
        text(c::LABEL)?,
        text(c::GROUP)?,
        text(c::SUBGROUP)?,
        text(c::CODE)?,
        text(c::DESCRIPTION)?,
    );
    let (orders, numerators, denominators) =
        (int(c::ORDER)?, int(c::NUMERATOR)?, int(c::DENOMINATOR)?);
    let (years, quarters) = (small(c::FY_START)?, small(c::QUARTER)?);
    let counted = |name: &str| Some(df.column(name).ok()?.u64().ok()?.rechunk().into_owned());
    let (missing, incomplete) = (counted(c::MISSING)?, counted(c::INCOMPLETE)?);
    let incomplete = incomplete.downcast_as_array();
    let (units, labels, groups, subgroups, codes, descriptions) = (
        units.downcast_as_array(),
        labels.downcast_as_array(),
        groups.downcast_as_array(),
        subgroups.downcast_as_array(),
        codes.downcast_as_array(),
        descriptions.downcast_as_array(),
    );
    let (orders, numerators, denominators, years, quarters, missing) = (
        orders.downcast_as_array(),
        numerators.downcast_as_array(),
        denominators.downcast_as_array(),
        years.downcast_as_array(),
        quarters.downcast_as_array(),
        missing.downcast_as_array(),
    );
    let types: Option<Vec<_>> = (0..23)
        .map(|t| int(&c::type_column(t)))
        .collect::<Option<Vec<_>>>();
    let types: Vec<_> = types.unwrap_or_default();
    let types: Vec<_> = types.iter().map(|t| t.downcast_as_array()).collect();
    let mut cells = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        let by_type = if types.len() == 23 && types[0].get(i).is_some() {
            let mut counts = [0i64; 23];
            for (t, column) in types.iter().enumerate() {
                counts[t] = column.get(i)?;
            }
            Some(Box::new(counts))
        } else {
            None
        };
        let quarter = match (years.get(i), quarters.get(i)) {
            (Some(y), Some(q)) => Some(crate::record::Period::new(
                u16::try_from(y).ok()?,
                u8::try_from(q).ok()?,
            )?),
            _ => None,
        };
        cells.push(Cell {
            unit: units.get(i)?.to_string(),
            period: PeriodKey {
                order: orders.get(i)?,
                label: labels.get(i)?.to_string(),
                quarter,
            },
            group: groups.get(i)?.to_string(),
            subgroup: subgroups.get(i)?.to_string(),
            code: codes.get(i)?.to_string(),
            description: descriptions.get(i)?.to_string(),
            numerator: numerators.get(i)?,
            denominator: denominators.get(i)?,
            types: by_type,
            missing: missing.get(i)?,
            incomplete: incomplete.get(i)?,
        });
    }
    Some(cells)
}

fn read_entry(table_path: &Path, entry_path: &Path, input_sha256: &[String]) -> Option<Loaded> {
    let entry = read_entry_json(entry_path)?;
    Some(Loaded {
        table: cached_table(table_path, &entry)?,
        accounts: entry.accounts,
        quarantine: entry.quarantine.into_iter().map(quarantined_row).collect(),
        input_sha256: input_sha256.to_vec(),
        from_cache: true,
    })
}

/// The table cached at `table_path` under its `entry`, or `None` when it is missing or
/// damaged.
fn cached_table(table_path: &Path, entry: &Entry) -> Option<Table> {
    let file = std::fs::File::open(table_path).ok()?;
    let mut df = ParquetReader::new(file).finish().ok()?;
    if let Some(dictionaries) = &entry.dictionaries {
        df = crate::record::from_ids(df, dictionaries).ok()?;
    }
    if !entry.tidy && !crate::record::conforms(df.schema()) {
        return None;
    }
    Some(if entry.tidy {
        Table::Tidy(df)
    } else {
        Table::Outcomes(df)
    })
}
