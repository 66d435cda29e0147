//! Why the force stands out (issue #20, in part): for each investigation-quality field the
//! extract maps, the outcome-16 rate by its levels (with "not recorded") for the scope and the
//! comparison group, and how complete the field is; and the record-level model of outcome 16
//! (against the rest of the denominator) on offence group, repeat victim, the quality fields
//! mapped and area, fitted by `stats::logistic` to the crimes in scope grouped by pattern.
//!
//! Invariant: every crime in scope counts once in each field's rows (its level, or "not
//! recorded"); a model that cannot be fitted is a sentence, never a table of NaN.

use std::collections::HashMap;

use anyhow::Result;

use super::analyse::{earlier_crimes_of_victim, Rate};
use super::offences;
use super::read::{Extract, NONE};
use crate::config::extract::{ExtractConfig, QUALITY_FIELDS};
use crate::stats::logistic::{fit, Factor, LogisticModel, Pattern};
use crate::stats::Level;

/// The level name of a blank field.
pub const NOT_RECORDED: &str = "not recorded";

/// One level of one field.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldRow {
    /// The field's key.
    pub field: &'static str,
    /// The field in words.
    pub words: &'static str,
    /// The level (or [`NOT_RECORDED`]).
    pub level: String,
    /// Crimes in scope at the level.
    pub crimes: u64,
    /// The rate in scope.
    pub scope: Rate,
    /// The rate in the comparison group.
    pub comparison: Option<Rate>,
}

/// How complete one field is among the crimes in scope.
#[derive(Debug, Clone, PartialEq)]
pub struct Completeness {
    /// The field's key.
    pub field: &'static str,
    /// The field in words.
    pub words: &'static str,
    /// Crimes in scope.
    pub crimes: u64,
    /// Of them, with the field blank.
    pub blank: u64,
}

impl Completeness {
    /// The blank share.
    #[must_use]
    pub fn blank_share(&self) -> f64 {
        if self.crimes == 0 {
            0.0
        } else {
            self.blank as f64 / self.crimes as f64
        }
    }
}

/// The record-level model, or why there is none.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelOutcome {
    /// The fitted model, with the factors it was given.
    Fitted {
        /// The model.
        model: Box<LogisticModel>,
        /// The factors, in order.
        factors: Vec<String>,
    },
    /// Why no model was fitted.
    NotFitted(String),
}

/// The quality fields' analyses.
#[derive(Debug, Clone, PartialEq)]
pub struct QualityAnalysis {
    /// Each mapped field's levels.
    pub rows: Vec<FieldRow>,
    /// Each mapped field's completeness.
    pub completeness: Vec<Completeness>,
    /// The record-level model.
    pub model: ModelOutcome,
}

/// The analyses, when the extract maps at least one quality field.
///
/// # Errors
///
/// The count errors of a rate (which counts from one pass cannot raise).
pub fn analyse(extract: &Extract, config: &ExtractConfig) -> Result<Option<QualityAnalysis>> {
    let mapped: Vec<usize> = (0..QUALITY_FIELDS.len())
        .filter(|&k| config.columns.quality[k].is_some())
        .collect();
    if mapped.is_empty() {
        return Ok(None);
    }
    let (numerator, denominator) = config.measure.masks();
    let has_comparison = config.scope.comparison_label().is_some();
    let mut rows = Vec::new();
    let mut completeness = Vec::new();
    for &k in &mapped {
        let field = &QUALITY_FIELDS[k];
        // (crimes, x, n, comparison x, comparison n) by level code (0 = not recorded).
        let mut tallies = vec![(0u64, 0u64, 0u64, 0u64, 0u64); field.levels.len() + 1];
        for c in &extract.crimes {
            let t = &mut tallies[usize::from(c.quality[k])];
            let o = usize::from(c.outcome);
            if config.scope.includes(c.domestic_abuse) {
                t.0 += 1;
                t.1 += u64::from(numerator[o]);
                t.2 += u64::from(denominator[o]);
            } else if config.scope.compares(c.domestic_abuse) {
                t.3 += u64::from(numerator[o]);
                t.4 += u64::from(denominator[o]);
            }
        }
        let in_scope: u64 = tallies.iter().map(|t| t.0).sum();
        completeness.push(Completeness {
            field: field.key,
            words: field.words,
            crimes: in_scope,
            blank: tallies[0].0,
        });
        for (code, t) in tallies
            .iter()
            .enumerate()
            .skip(1)
            .chain(std::iter::once((0, &tallies[0])))
        {
            rows.push(FieldRow {
                field: field.key,
                words: field.words,
                level: if code == 0 {
                    NOT_RECORDED.to_string()
                } else {
                    field.levels[code - 1].to_string()
                },
                crimes: t.0,
                scope: Rate::new(t.1, t.2)?,
                comparison: if has_comparison {
                    Some(Rate::new(t.3, t.4)?)
                } else {
                    None
                },
            });
        }
    }
    let model = model(extract, config, &mapped, &numerator, &denominator);
    Ok(Some(QualityAnalysis {
        rows,
        completeness,
        model,
    }))
}

/// The record-level model of the crimes in scope with a denominator outcome.
fn model(
    extract: &Extract,
    config: &ExtractConfig,
    mapped: &[usize],
    numerator: &[bool; 23],
    denominator: &[bool; 23],
) -> ModelOutcome {
    let in_scope = |c: &super::read::Crime| config.scope.includes(c.domestic_abuse);
    // Offence groups, in the order of the offence list (the largest group first would make a
    // better reference, but a fixed order keeps the reference stable from run to run).
    let groups: Vec<String> = extract
        .offences
        .iter()
        .map(|code| {
            offences::lookup(code).map_or_else(
                || "(not in the 2018/19 offence list)".to_string(),
                |o| o.group.clone(),
            )
        })
        .collect();
    // The groups of the crimes in scope, the largest first (the reference).
    let mut group_crimes: HashMap<&str, u64> = HashMap::new();
    for c in extract.crimes.iter().filter(|c| in_scope(c)) {
        *group_crimes
            .entry(groups[c.offence as usize].as_str())
            .or_default() += 1;
    }
    let mut group_levels: Vec<String> = group_crimes.keys().map(|g| g.to_string()).collect();
    group_levels.sort();
    group_levels.sort_by_key(|g| std::cmp::Reverse(group_crimes[g.as_str()]));
    let group_index: HashMap<&str, usize> = group_levels
        .iter()
        .enumerate()
        .map(|(i, g)| (g.as_str(), i))
        .collect();
    let mut factors = vec![Factor {
        name: "offence_group".into(),
        levels: group_levels.clone(),
    }];
    let repeat = config.columns.victim_reference.is_some();
    let earlier = if repeat {
        earlier_crimes_of_victim(extract, in_scope)
    } else {
        Vec::new()
    };
    if repeat {
        factors.push(Factor {
            name: "repeat_victim".into(),
            levels: vec!["no".into(), "yes".into()],
        });
    }
    for &k in mapped {
        let field = &QUALITY_FIELDS[k];
        factors.push(Factor {
            name: field.key.into(),
            levels: field
                .levels
                .iter()
                .map(|l| (*l).to_string())
                .chain(std::iter::once(NOT_RECORDED.to_string()))
                .collect(),
        });
    }
    // Areas, the largest first (the reference).
    let mut area_crimes = vec![0u64; extract.areas.len()];
    for c in extract.crimes.iter().filter(|c| in_scope(c)) {
        area_crimes[c.area as usize] += 1;
    }
    let mut area_order: Vec<usize> = (0..extract.areas.len()).collect();
    area_order.sort_by_key(|&a| (std::cmp::Reverse(area_crimes[a]), extract.areas[a].clone()));
    let mut area_rank = vec![0usize; extract.areas.len()];
    for (rank, &a) in area_order.iter().enumerate() {
        area_rank[a] = rank;
    }
    factors.push(Factor {
        name: "area".into(),
        levels: area_order
            .iter()
            .map(|&a| extract.areas[a].clone())
            .collect(),
    });
    let mut patterns: HashMap<Vec<usize>, (u64, u64)> = HashMap::new();
    for (i, c) in extract.crimes.iter().enumerate() {
        let o = usize::from(c.outcome);
        if !in_scope(c) || !denominator[o] {
            continue;
        }
        let Some(&group) = group_index.get(groups[c.offence as usize].as_str()) else {
            continue;
        };
        let mut levels = vec![group];
        if repeat {
            levels.push(usize::from(c.victim != NONE && earlier[i] > 0));
        }
        for &k in mapped {
            let code = usize::from(c.quality[k]);
            let n_levels = QUALITY_FIELDS[k].levels.len();
            levels.push(if code == 0 { n_levels } else { code - 1 });
        }
        levels.push(area_rank[c.area as usize]);
        let e = patterns.entry(levels).or_default();
        e.0 += u64::from(numerator[o]);
        e.1 += 1;
    }
    let mut patterns: Vec<Pattern> = patterns
        .into_iter()
        .map(|(levels, (x, n))| Pattern { levels, x, n })
        .collect();
    patterns.sort_by(|a, b| a.levels.cmp(&b.levels));
    let names = factors.iter().map(|f| f.name.clone()).collect();
    match fit(&factors, &patterns, Level::ninety_five()) {
        Ok(model) => ModelOutcome::Fitted {
            model: Box::new(model),
            factors: names,
        },
        Err(e) => {
            ModelOutcome::NotFitted(format!("the record-level model could not be fitted: {e}"))
        }
    }
}
