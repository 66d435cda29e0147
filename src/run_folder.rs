//! A finished run folder, read back: the files `diff`, `chart` and `report` read, and the
//! manifest brought up to date when `chart` redraws a run's charts in place.
//!
//! Invariant: this is the only place outside `ingest`, `output` and `cache` that opens files
//! of a run folder; `render`, `report` and `diff` get their contents from here.

use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context, Result};

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

/// A JSON file of the folder.
fn read_json(path: &Path) -> Result<serde_json::Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not valid JSON", path.display()))
}

/// Reads a run's summary.
pub fn read_summary(path: &Path) -> Result<serde_json::Value> {
    read_json(&path.join("summary.json"))
}

/// Reads a run's manifest.
pub fn read_manifest(path: &Path) -> Result<serde_json::Value> {
    read_json(&path.join("manifest.json"))
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
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let mut manifest: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not valid JSON", path.display()))?;
    let mut changed = false;
    if let Some(outputs) = manifest
        .get_mut("outputs")
        .and_then(serde_json::Value::as_array_mut)
    {
        for (name, bytes) in charts {
            let entry = serde_json::json!({
                "path": format!("charts/{name}"),
                "sha256": crate::output::sha256_hex(bytes),
                "bytes": bytes.len(),
            });
            match outputs.iter_mut().find(|o| o["path"] == entry["path"]) {
                Some(old) if *old == entry => {}
                Some(old) => {
                    *old = entry;
                    changed = true;
                }
                None => {
                    outputs.push(entry);
                    changed = true;
                }
            }
        }
        if changed {
            outputs.sort_by(|a, b| a["path"].as_str().cmp(&b["path"].as_str()));
        }
    }
    if changed {
        let mut bytes = serde_json::to_vec_pretty(&manifest)?;
        bytes.push(b'\n');
        crate::output::write_atomic(&path, |w| {
            w.write_all(&bytes)
                .with_context(|| format!("cannot write {}", path.display()))
        })?;
    }
    Ok(())
}
