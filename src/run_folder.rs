//! A finished run folder, read back: the files `diff`, `chart` and `report` read, and the
//! manifest brought up to date when `chart` redraws a run's charts in place.
//!
//! Invariant: this is the only place outside `ingest`, `output` and `cache` that opens files
//! of a run folder; `render`, `report` and `diff` get their contents from here.

pub mod data;
pub mod manifest;
pub mod rows;
pub mod summary;

pub use data::{RunData, TextTable};
pub use manifest::Manifest;
pub use summary::Summary;

use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context, Result};

use crate::output::RunFolder;
use crate::tables::Table;

/// Checks that a run folder looks complete (used by `diff`, `chart` and `report`).
pub fn check_run_folder(path: &Path) -> Result<()> {
    for file in [
        "summary.json",
        "manifest.json",
        "tables/force_comparison.csv",
    ] {
        if !path.join(file).exists() {
            bail!(
                "{} is not a finished run folder (no {file})",
                path.display()
            );
        }
    }
    Ok(())
}

/// Whether the folder holds what `outcome-lens extract` writes (its summary, manifest and
/// accounting table).
pub fn is_extract_folder(path: &Path) -> bool {
    [
        "summary.json",
        "manifest.json",
        "tables/extract_accounting.csv",
    ]
    .iter()
    .all(|file| path.join(file).is_file())
}

/// A file of the folder as text.
fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Reads a run's summary.
pub fn read_summary(path: &Path) -> Result<Summary> {
    let file = path.join("summary.json");
    summary::from_text(&read_text(&file)?).with_context(|| format!("{}", file.display()))
}

/// Reads a run's manifest.
pub fn read_manifest(path: &Path) -> Result<Manifest> {
    let file = path.join("manifest.json");
    serde_json::from_str(&read_text(&file)?)
        .with_context(|| format!("{} is not a manifest outcome-lens wrote", file.display()))
}

/// The text of one table of the folder (`tables/NAME.csv`).
pub fn table_text(path: &Path, name: &str) -> Result<String> {
    let file = path.join("tables").join(format!("{name}.csv"));
    std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))
}

/// Every table of the folder as (name, CSV text), sorted by name.
pub fn table_texts(path: &Path) -> Result<Vec<(String, String)>> {
    let dir = path.join("tables");
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    entries.sort();
    let mut tables = Vec::with_capacity(entries.len());
    for file in entries {
        let name = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        tables.push((name, text));
    }
    Ok(tables)
}

/// The folder's charts as (file name, bytes), sorted by name; none when it has no `charts/`.
pub fn charts(path: &Path) -> Result<Vec<(String, Vec<u8>)>> {
    let dir = path.join("charts");
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut charts = Vec::new();
    let entries =
        std::fs::read_dir(&dir).with_context(|| format!("cannot list {}", dir.display()))?;
    for entry in entries {
        let file = entry?.path();
        if file.is_file() {
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            charts.push((name, bytes));
        }
    }
    charts.sort();
    Ok(charts)
}

/// Brings a run folder's `manifest.json` up to date with charts redrawn in place
/// (`outcome-lens chart <RUN>`): each `charts/NAME` output gets the sha256 and size of its
/// new bytes, so the manifest never describes charts that are no longer there. The manifest
/// is rewritten (atomically) only when something changed.
pub fn update_manifest_charts(run: &Path, charts: &[(String, Vec<u8>)]) -> Result<()> {
    let path = run.join("manifest.json");
    let mut manifest = read_manifest(run)?;
    let mut changed = false;
    for (name, bytes) in charts {
        changed |= manifest.put_output(manifest::Output::of(format!("charts/{name}"), bytes));
    }
    if changed {
        let bytes = manifest.to_bytes()?;
        crate::output::write_atomic(&path, |w| {
            w.write_all(&bytes)
                .with_context(|| format!("cannot write {}", path.display()))
        })?;
    }
    Ok(())
}

/// Which copies of the tables a run folder holds besides their CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Formats {
    /// `data/NAME.parquet` for each table.
    pub parquet: bool,
    /// `tables.xlsx`, every table a sheet.
    pub xlsx: bool,
}

/// The tables as files, (path in the run folder, bytes), in order: each table's CSV and, if
/// asked for, its Parquet, then the workbook if asked for. The one place `run` and `extract`
/// lay their tables out.
///
/// # Errors
///
/// When a Parquet file or the workbook cannot be made.
pub fn table_files(tables: &[Table], formats: Formats) -> Result<Vec<(String, Vec<u8>)>> {
    let mut files = Vec::new();
    for table in tables {
        files.push((
            format!("tables/{}.csv", table.name),
            table.to_csv().into_bytes(),
        ));
        if formats.parquet {
            files.push((
                format!("data/{}.parquet", table.name),
                crate::output::table_parquet(table)?,
            ));
        }
    }
    if formats.xlsx {
        files.push((
            "tables.xlsx".to_string(),
            crate::output::tables_xlsx(tables)?,
        ));
    }
    Ok(files)
}

/// Writes the folder's `manifest.json` (every file written so far, with the analysis file and
/// the inputs or the extract) and moves the folder into place: the last step of `run` and of
/// `extract`.
///
/// # Errors
///
/// When the manifest cannot be written or the folder cannot be moved into place.
pub fn finish(
    mut folder: RunFolder,
    analysis_file: manifest::AnalysisFile,
    inputs: Option<Vec<manifest::Input>>,
    extract: Option<manifest::Input>,
) -> Result<()> {
    let manifest = Manifest::new(analysis_file, inputs, extract, folder.files());
    folder.write("manifest.json", &manifest.to_bytes()?)?;
    folder.commit()
}

/// Writes redrawn charts into `out`, or in place into the run's `charts/` (replaced whole)
/// with the run's manifest brought up to date; the folder they went to.
///
/// # Errors
///
/// When the folder cannot be written or the manifest read or rewritten.
pub fn put_charts(
    run: &Path,
    out: Option<&Path>,
    charts: &[(String, Vec<u8>)],
) -> Result<std::path::PathBuf> {
    let target = out.map_or_else(|| run.join("charts"), Path::to_path_buf);
    let mut folder = RunFolder::begin(&target, true)?;
    for (name, bytes) in charts {
        folder.write(name, bytes)?;
    }
    folder.commit()?;
    if out.is_none() {
        update_manifest_charts(run, charts)?;
    }
    Ok(target)
}
