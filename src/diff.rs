//! `diff`: what changed between two finished run folders.
//!
//! Invariant: reads run folders only; a difference is a changed input or analysis file, a
//! force added or removed, a changed flag, a number that moved by more than the tolerance, or
//! a chart whose bytes differ.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};

use crate::run_folder::{self, check_run_folder, read_manifest, read_summary};

/// One difference between two runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    /// `input`, `analysis`, `summary`, `force`, `flag`, `value` or `chart`.
    pub kind: &'static str,
    /// The force, input or field concerned.
    pub subject: String,
    /// The field (empty when not applicable).
    pub field: String,
    /// The value in the first run.
    pub a: String,
    /// The value in the second run.
    pub b: String,
}

type Rows = BTreeMap<String, BTreeMap<String, String>>;

fn read_force_table(run: &Path) -> Result<Rows> {
    let text = run_folder::table_text(run, "force_comparison")?;
    let path = run.join("tables/force_comparison.csv");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers()?.clone();
    let mut rows = Rows::new();
    for record in reader.records() {
        let record = record.with_context(|| format!("{} is not valid CSV", path.display()))?;
        let map: BTreeMap<String, String> = headers
            .iter()
            .zip(record.iter())
            .map(|(h, v)| (h.to_string(), v.to_string()))
            .collect();
        let force = map.get("force").cloned().unwrap_or_default();
        rows.insert(force, map);
    }
    Ok(rows)
}

/// Rates and limits, compared with the tolerance.
fn is_rate_field(field: &str) -> bool {
    field == "rate"
        || field.starts_with("limit")
        || field.starts_with("ci95")
        || field.starts_with("peer_rate")
}

/// Columns derived from the ones compared (z-scores, ranks, adjusted p-values, the target,
/// which the summary covers): a change there is reported through its cause.
fn is_derived_field(field: &str) -> bool {
    matches!(field, "z" | "z_adjusted" | "rank" | "p_bh" | "target")
}

/// Every difference between runs `a` and `b`: rates and limits beyond `tolerance`
/// (absolute), φ and τ² beyond `tolerance` relative to their size, and any other change.
pub fn diff(a: &Path, b: &Path, tolerance: f64) -> Result<Vec<Difference>> {
    check_run_folder(a)?;
    check_run_folder(b)?;
    let mut out = Vec::new();
    let (ma, mb) = (read_manifest(a)?, read_manifest(b)?);
    let inputs = |m: &serde_json::Value| -> BTreeMap<String, String> {
        m["inputs"]
            .as_array()
            .map(|list| {
                list.iter()
                    .map(|i| {
                        (
                            i["path"].as_str().unwrap_or_default().to_string(),
                            i["sha256"].as_str().unwrap_or_default().to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let (ia, ib) = (inputs(&ma), inputs(&mb));
    hashes_differ("input", &ia, &ib, &mut out);
    let sha = |m: &serde_json::Value| {
        m["analysis_file"]["sha256"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    if sha(&ma) != sha(&mb) {
        out.push(Difference {
            kind: "analysis",
            subject: "analysis file".into(),
            field: "sha256".into(),
            a: sha(&ma),
            b: sha(&mb),
        });
    }
    let (sa, sb) = (read_summary(a)?, read_summary(b)?);
    // The target is a rate (absolute tolerance); φ and τ² live on other scales, so they are
    // compared relative to their size.
    for (field, relative) in [("target", false), ("phi", true), ("tau2", true)] {
        let (x, y) = (sa[field].as_f64(), sb[field].as_f64());
        let moved = match (x, y) {
            (Some(x), Some(y)) if relative => (x - y).abs() > tolerance * x.abs().max(y.abs()),
            (Some(x), Some(y)) => (x - y).abs() > tolerance,
            _ => x.is_some() != y.is_some(),
        };
        if moved {
            out.push(Difference {
                kind: "summary",
                subject: "national funnel".into(),
                field: field.into(),
                a: sa[field].to_string(),
                b: sb[field].to_string(),
            });
        }
    }
    let (ra, rb) = (read_force_table(a)?, read_force_table(b)?);
    for force in ra
        .keys()
        .chain(rb.keys())
        .collect::<std::collections::BTreeSet<_>>()
    {
        let (Some(x), Some(y)) = (ra.get(force), rb.get(force)) else {
            out.push(Difference {
                kind: "force",
                subject: force.clone(),
                field: String::new(),
                a: if ra.contains_key(force) {
                    "present"
                } else {
                    "(absent)"
                }
                .into(),
                b: if rb.contains_key(force) {
                    "present"
                } else {
                    "(absent)"
                }
                .into(),
            });
            continue;
        };
        for (field, va) in x {
            let vb = y.get(field).cloned().unwrap_or_default();
            if *va == vb || is_derived_field(field) {
                continue;
            }
            let kind = if field.starts_with("flag") {
                "flag"
            } else if is_rate_field(field) {
                match (va.parse::<f64>(), vb.parse::<f64>()) {
                    (Ok(p), Ok(q)) if (p - q).abs() <= tolerance => continue,
                    _ => "value",
                }
            } else {
                "value"
            };
            out.push(Difference {
                kind,
                subject: force.clone(),
                field: field.clone(),
                a: va.clone(),
                b: vb,
            });
        }
    }
    // The charts, by the sha256 of their bytes as they are now (not as a manifest says).
    hashes_differ("chart", &chart_hashes(a)?, &chart_hashes(b)?, &mut out);
    Ok(out)
}

/// A difference of `kind` for each name whose sha256 differs between the two runs (or that
/// one of them lacks).
fn hashes_differ(
    kind: &'static str,
    a: &BTreeMap<String, String>,
    b: &BTreeMap<String, String>,
    out: &mut Vec<Difference>,
) {
    for name in a
        .keys()
        .chain(b.keys())
        .collect::<std::collections::BTreeSet<_>>()
    {
        let (x, y) = (a.get(name), b.get(name));
        if x != y {
            out.push(Difference {
                kind,
                subject: name.clone(),
                field: "sha256".into(),
                a: x.cloned().unwrap_or_else(|| "(absent)".into()),
                b: y.cloned().unwrap_or_else(|| "(absent)".into()),
            });
        }
    }
}

/// The sha256 of each file in a run's `charts/` folder, by name (none when it has no charts).
fn chart_hashes(run: &Path) -> Result<BTreeMap<String, String>> {
    Ok(run_folder::charts(run)?
        .into_iter()
        .map(|(name, bytes)| (name, crate::output::sha256_hex(&bytes)))
        .collect())
}
