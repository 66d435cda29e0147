//! `diff`: what changed between two finished run folders.
//!
//! Invariant: reads run folders only; a difference is a changed input or analysis file, a
//! force added or removed, a changed flag, a number that moved by more than the tolerance, a
//! control chart's rule hit or variation label that changed (or a new period's special
//! cause), or a chart whose bytes differ.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};

use crate::run_folder::{self, check_run_folder, read_manifest, read_summary, TextTable};

/// One difference between two runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    /// `input`, `analysis`, `summary`, `force`, `flag`, `value`, `rule`, `variation`,
    /// `table` or `chart`.
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

/// A run's `table` as rows by the key `key` makes of each row.
fn read_rows(
    run: &Path,
    table: &str,
    key: impl Fn(&BTreeMap<String, String>) -> String,
) -> Result<Rows> {
    let text = run_folder::table_text(run, table)?;
    let path = run.join("tables").join(format!("{table}.csv"));
    let parsed = TextTable::from_csv(&text)
        .with_context(|| format!("{} is not valid CSV", path.display()))?;
    let mut rows = Rows::new();
    for cells in parsed.rows {
        let map: BTreeMap<String, String> = parsed.headers.iter().cloned().zip(cells).collect();
        rows.insert(key(&map), map);
    }
    Ok(rows)
}

fn read_force_table(run: &Path) -> Result<Rows> {
    read_rows(run, "force_comparison", |row| {
        row.get("force").cloned().unwrap_or_default()
    })
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
    hashes_differ("input", &ma.input_hashes(), &mb.input_hashes(), &mut out);
    let (sha_a, sha_b) = (&ma.analysis_file.sha256, &mb.analysis_file.sha256);
    if sha_a != sha_b {
        out.push(Difference {
            kind: "analysis",
            subject: "analysis file".into(),
            field: "sha256".into(),
            a: sha_a.clone(),
            b: sha_b.clone(),
        });
    }
    let (sa, sb) = (read_summary(a)?, read_summary(b)?);
    let (na, nb) = (sa.national()?, sb.national()?);
    // The target is a rate (absolute tolerance); φ and τ² live on other scales, so they are
    // compared relative to their size.
    for (field, x, y, relative) in [
        ("target", na.target, nb.target, false),
        ("phi", na.phi, nb.phi, true),
        ("tau2", na.tau2, nb.tau2, true),
    ] {
        let moved = match (x, y) {
            (Some(x), Some(y)) if relative => (x - y).abs() > tolerance * x.abs().max(y.abs()),
            (Some(x), Some(y)) => (x - y).abs() > tolerance,
            _ => x.is_some() != y.is_some(),
        };
        if moved {
            // As the summary writes them: the number's JSON text, or `null`.
            let written = |v: Option<f64>| serde_json::to_string(&v).unwrap_or_default();
            out.push(Difference {
                kind: "summary",
                subject: "national funnel".into(),
                field: field.into(),
                a: written(x),
                b: written(y),
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
    // The control charts: the Home Office quarters per force, the extract's months.
    for (table, key) in [("trend", "force"), ("extract_by_month", "source")] {
        control_chart_differs(a, b, table, key, &mut out)?;
    }
    // The charts, by the sha256 of their bytes as they are now (not as a manifest says).
    hashes_differ("chart", &chart_hashes(a)?, &chart_hashes(b)?, &mut out);
    Ok(out)
}

/// The rule columns of the control-chart tables.
const RULES: [&str; 4] = [
    "rule_beyond_limits",
    "rule_shift",
    "rule_trend",
    "rule_two_of_three",
];

/// A control-chart table's rows by "series period", or `None` when the run has no such table.
fn read_chart_table(run: &Path, table: &str, key: &str) -> Result<Option<Rows>> {
    if !run.join("tables").join(format!("{table}.csv")).is_file() {
        return Ok(None);
    }
    let cell =
        |row: &BTreeMap<String, String>, field: &str| row.get(field).cloned().unwrap_or_default();
    read_rows(run, table, |row| {
        format!("{} {}", cell(row, key), cell(row, "period"))
    })
    .map(Some)
}

/// Rule hits and variation labels that changed between the runs' `table`. A period in both
/// runs is compared column by column; a period only in the second run (the new quarter or
/// month of a scheduled run) is reported when it hit a rule or is a special cause; a period
/// only in the first is left to the input differences that explain it.
fn control_chart_differs(
    a: &Path,
    b: &Path,
    table: &str,
    key: &str,
    out: &mut Vec<Difference>,
) -> Result<()> {
    let (ta, tb) = (
        read_chart_table(a, table, key)?,
        read_chart_table(b, table, key)?,
    );
    let (ta, tb) = match (ta, tb) {
        (None, None) => return Ok(()),
        (Some(x), Some(y)) => (x, y),
        (x, _) => {
            let present = |p: bool| if p { "present" } else { "(absent)" }.to_string();
            out.push(Difference {
                kind: "table",
                subject: format!("tables/{table}.csv"),
                field: String::new(),
                a: present(x.is_some()),
                b: present(x.is_none()),
            });
            return Ok(());
        }
    };
    let absent = String::from("(absent)");
    for (subject, y) in &tb {
        let x = ta.get(subject);
        let cell = |row: Option<&BTreeMap<String, String>>, field: &str| {
            row.and_then(|r| r.get(field))
                .cloned()
                .unwrap_or_else(|| absent.clone())
        };
        for field in RULES.into_iter().chain(["variation"]) {
            let (va, vb) = (cell(x, field), cell(Some(y), field));
            let news = if x.is_some() {
                va != vb
            } else if field == "variation" {
                vb.starts_with("special_cause")
            } else {
                vb == "true"
            };
            if news {
                out.push(Difference {
                    kind: if field == "variation" {
                        "variation"
                    } else {
                        "rule"
                    },
                    subject: subject.clone(),
                    field: field.into(),
                    a: va,
                    b: vb,
                });
            }
        }
    }
    Ok(())
}

/// What `diff --fail-on` gates on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// A point of the second run newly labelled `special_cause_concerning`.
    Concerning,
    /// A point of the second run newly labelled with any special cause.
    SpecialCause,
    /// A rule newly hit in the second run.
    RuleHit,
    /// Any difference at all.
    Any,
}

impl Gate {
    /// Whether `difference` trips this gate.
    #[must_use]
    pub fn trips(self, difference: &Difference) -> bool {
        match self {
            Gate::Concerning => {
                difference.kind == "variation" && difference.b == "special_cause_concerning"
            }
            Gate::SpecialCause => {
                difference.kind == "variation" && difference.b.starts_with("special_cause")
            }
            Gate::RuleHit => difference.kind == "rule" && difference.b == "true",
            Gate::Any => true,
        }
    }
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
