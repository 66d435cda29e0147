//! Why the force stands out (issue #20): for each investigation-quality field the extract
//! maps (and the victim's ethnicity and the officer in charge, as free text), the outcome-16
//! rate by its levels (with "not recorded") for the scope and the comparison group, and how
//! complete the field is; the record-level model of outcome 16 (against the rest of the
//! denominator) on offence group, repeat victim, the quality fields mapped and area, fitted by
//! `stats::logistic` to the crimes in scope grouped by pattern (each crime's pattern packed
//! into one integer); each area and unit against the case-mix model's expectation, placed on
//! the ratio funnel of `stats::standardise::ratio_limits`; and when victims withdrew.
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
use crate::stats::{Flag, FlagLevels, Level};

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

/// One area's or unit's observed closures against the case-mix model's expectation.
#[derive(Debug, Clone, PartialEq)]
pub struct AdjustedRow {
    /// `area` or `unit`.
    pub kind: &'static str,
    /// Its name.
    pub name: String,
    /// Crimes in the fit.
    pub crimes: u64,
    /// Closures with the outcome.
    pub observed: u64,
    /// The model's expected closures, Σ μ̂.
    pub expected: f64,
    /// O / E.
    pub ratio: Option<f64>,
    /// CI(O) / E.
    pub ratio_ci95: Option<crate::stats::Interval>,
    /// Where O lies on the ratio funnel at E (absent when E is 0).
    pub flag: Option<Flag>,
}

/// The ratio funnel's limits (as ratios O/E) at one expected count, for areas or units.
#[derive(Debug, Clone, PartialEq)]
pub struct AdjustedLimitRow {
    /// `area` or `unit`.
    pub kind: &'static str,
    /// The expected count E.
    pub expected: f64,
    /// The inner level's lines.
    pub inner: crate::stats::Interval,
    /// The outer level's lines.
    pub outer: crate::stats::Interval,
}

/// When the victims withdrew, for one group of outcome-16 closures.
#[derive(Debug, Clone, PartialEq)]
pub struct WithdrawalRow {
    /// `all`, `area` or `unit`.
    pub kind: &'static str,
    /// The area or unit (or all areas).
    pub name: String,
    /// Outcome-16 closures.
    pub closures: u64,
    /// Of them, with no withdrawal date recorded.
    pub without_date: u64,
    /// Days from recording to withdrawal: quartiles and median (type 7).
    pub to_withdrawal: [Option<f64>; 3],
    /// Days from withdrawal to closure: quartiles and median.
    pub to_closure: [Option<f64>; 3],
    /// Closures dated before the withdrawal (a withdrawal after the decision).
    pub after_closure: u64,
}

/// The quality fields' analyses.
#[derive(Debug, Clone, PartialEq)]
pub struct QualityAnalysis {
    /// Each mapped field's levels (the officer's apart, in `officers`).
    pub rows: Vec<FieldRow>,
    /// The rate by officer or team in charge, when the extract maps it.
    pub officers: Vec<FieldRow>,
    /// Each mapped field's completeness.
    pub completeness: Vec<Completeness>,
    /// The record-level model.
    pub model: ModelOutcome,
    /// Areas and units after adjustment for case mix.
    pub adjusted: Vec<AdjustedRow>,
    /// The ratio funnel's limits for them, along a grid of expected counts for each kind.
    pub adjusted_limits: Vec<AdjustedLimitRow>,
    /// k = Σ μ̂(1 − μ̂) / Σ μ̂, the ratio funnel's variance per expected closure.
    pub dispersion: f64,
    /// The timing of withdrawal, when the extract maps its date.
    pub withdrawal: Vec<WithdrawalRow>,
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
    let split = |key: &'static str,
                 words: &'static str,
                 levels: &[String],
                 level_of: &dyn Fn(&super::read::Crime) -> usize|
     -> Result<(Vec<FieldRow>, Completeness)> {
        // (crimes, x, n, comparison x, comparison n) by level code (0 = not recorded).
        let mut tallies = vec![(0u64, 0u64, 0u64, 0u64, 0u64); levels.len() + 1];
        for c in &extract.crimes {
            let t = &mut tallies[level_of(c)];
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
        let completeness = Completeness {
            field: key,
            words,
            crimes: tallies.iter().map(|t| t.0).sum(),
            blank: tallies[0].0,
        };
        let mut rows = Vec::new();
        for (code, t) in tallies
            .iter()
            .enumerate()
            .skip(1)
            .chain(std::iter::once((0, &tallies[0])))
        {
            rows.push(FieldRow {
                field: key,
                words,
                level: if code == 0 {
                    NOT_RECORDED.to_string()
                } else {
                    levels[code - 1].clone()
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
        Ok((rows, completeness))
    };
    let mut rows = Vec::new();
    let mut completeness = Vec::new();
    for &k in &mapped {
        let field = &QUALITY_FIELDS[k];
        let levels: Vec<String> = field.levels.iter().map(|l| (*l).to_string()).collect();
        let (r, c) = split(field.key, field.words, &levels, &|c| {
            usize::from(c.quality[k])
        })?;
        rows.extend(r);
        completeness.push(c);
    }
    // The free-text fields, their values in alphabetical order.
    let by_name = |names: &[String], of: fn(&super::read::Crime) -> u32| {
        let mut order: Vec<usize> = (0..names.len()).collect();
        order.sort_by(|&a, &b| names[a].cmp(&names[b]));
        let mut code = vec![0usize; names.len()];
        for (rank, &i) in order.iter().enumerate() {
            code[i] = rank + 1;
        }
        let sorted: Vec<String> = order.iter().map(|&i| names[i].clone()).collect();
        (sorted, code, of)
    };
    let mut officers = Vec::new();
    for (key, words, names, of, mapped) in [
        (
            "ethnicity",
            "victim's ethnicity",
            &extract.ethnicities,
            (|c| c.ethnicity) as fn(&super::read::Crime) -> u32,
            config.columns.ethnicity.is_some(),
        ),
        (
            "officer",
            "officer or team in charge",
            &extract.officers,
            |c| c.officer,
            config.columns.officer.is_some(),
        ),
    ] {
        if !mapped {
            continue;
        }
        let (sorted, code, of) = by_name(names, of);
        let level_of = |c: &super::read::Crime| {
            let id = of(c);
            if id == NONE {
                0
            } else {
                code[id as usize]
            }
        };
        let (r, c) = split(key, words, &sorted, &level_of)?;
        if key == "officer" {
            officers = r;
        } else {
            rows.extend(r);
        }
        completeness.push(c);
    }
    // The case-mix model (no area) gives the expectations the adjusted comparison uses.
    let (_, of_crime, mu) = model(extract, config, &mapped, &numerator, &denominator, false);
    let (model, _, _) = model(extract, config, &mapped, &numerator, &denominator, true);
    let dispersion = crate::stats::standardise::binomial_dispersion(
        of_crime
            .iter()
            .filter_map(|&p| mu.get(p as usize).map(|&m| (1.0, m))),
    )
    .unwrap_or(1.0);
    let adjusted = adjusted(extract, config, (&of_crime, &mu, dispersion), &numerator)?;
    let adjusted_limits = adjusted_limits(&adjusted, dispersion, config.funnel.levels)?;
    let withdrawal = if config.columns.withdrawal_date.is_some() {
        withdrawal(extract, config, &numerator)?
    } else {
        Vec::new()
    };
    Ok(Some(QualityAnalysis {
        rows,
        officers,
        completeness,
        model,
        adjusted,
        adjusted_limits,
        dispersion,
        withdrawal,
    }))
}

/// The record-level model of the crimes in scope with a denominator outcome.
/// The model, with or without area, and each crime's pattern (an index into the patterns
/// fitted, or `u32::MAX` for a crime outside the fit) with each pattern's fitted probability.
fn model(
    extract: &Extract,
    config: &ExtractConfig,
    mapped: &[usize],
    numerator: &[bool; 23],
    denominator: &[bool; 23],
    with_area: bool,
) -> (ModelOutcome, Vec<u32>, Vec<f64>) {
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
    if with_area {
        factors.push(Factor {
            name: "area".into(),
            levels: area_order
                .iter()
                .map(|&a| extract.areas[a].clone())
                .collect(),
        });
    }
    // Each crime's pattern packed into one integer (mixed radix over the factors' level
    // counts), so that ten million crimes cost one word each, not a vector each.
    let radices: Vec<u64> = factors.iter().map(|f| f.levels.len() as u64).collect();
    if radices
        .iter()
        .try_fold(1u64, |product, &r| product.checked_mul(r.max(1)))
        .is_none()
    {
        return (
            ModelOutcome::NotFitted(
                "the record-level model was not fitted: its fields have too many combinations of levels to count"
                    .into(),
            ),
            vec![u32::MAX; extract.crimes.len()],
            Vec::new(),
        );
    }
    let mut counts: HashMap<u64, (u64, u64)> = HashMap::new();
    let mut keys: Vec<u64> = vec![u64::MAX; extract.crimes.len()];
    for (i, c) in extract.crimes.iter().enumerate() {
        let o = usize::from(c.outcome);
        if !in_scope(c) || !denominator[o] {
            continue;
        }
        let Some(&group) = group_index.get(groups[c.offence as usize].as_str()) else {
            continue;
        };
        let mut key = group as u64;
        let mut place = radices[0];
        let mut push = |level: usize, radix: u64| {
            key += level as u64 * place;
            place *= radix;
        };
        let mut r = 1;
        if repeat {
            push(usize::from(c.victim != NONE && earlier[i] > 0), radices[r]);
            r += 1;
        }
        for &k in mapped {
            let code = usize::from(c.quality[k]);
            let n_levels = QUALITY_FIELDS[k].levels.len();
            push(if code == 0 { n_levels } else { code - 1 }, radices[r]);
            r += 1;
        }
        if with_area {
            push(area_rank[c.area as usize], radices[r]);
        }
        let e = counts.entry(key).or_default();
        e.0 += u64::from(numerator[o]);
        e.1 += 1;
        keys[i] = key;
    }
    let unpack = |mut key: u64| -> Vec<usize> {
        radices
            .iter()
            .map(|&r| {
                let level = key % r;
                key /= r;
                level as usize
            })
            .collect()
    };
    let mut patterns: Vec<Pattern> = counts
        .into_iter()
        .map(|(key, (x, n))| Pattern {
            levels: unpack(key),
            x,
            n,
        })
        .collect();
    patterns.sort_by(|a, b| a.levels.cmp(&b.levels));
    let index: HashMap<u64, u32> = patterns
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let key = p
                .levels
                .iter()
                .zip(&radices)
                .rev()
                .fold(0u64, |acc, (&l, &r)| acc * r + l as u64);
            (key, i as u32)
        })
        .collect();
    let of_crime: Vec<u32> = keys
        .iter()
        .map(|&k| if k == u64::MAX { u32::MAX } else { index[&k] })
        .collect();
    let names = factors.iter().map(|f| f.name.clone()).collect();
    match fit(&factors, &patterns, Level::ninety_five()) {
        Ok(model) => {
            // A pattern left out for separation is all or none: its probability is its share.
            let mu = patterns
                .iter()
                .zip(&model.expected)
                .map(|(p, &e)| {
                    if e > 0.0 {
                        e / p.n as f64
                    } else {
                        p.x as f64 / p.n as f64
                    }
                })
                .collect();
            (
                ModelOutcome::Fitted {
                    model: Box::new(model),
                    factors: names,
                },
                of_crime,
                mu,
            )
        }
        Err(e) => (
            ModelOutcome::NotFitted(format!("the record-level model could not be fitted: {e}")),
            of_crime,
            Vec::new(),
        ),
    }
}

/// Each area's and unit's observed outcome-16 closures against the case-mix model's expected
/// count (the model without area: offence group, repeat victim and the quality fields), the
/// ratio O/E with CI(O)/E (exact below 10, Byar's otherwise), for the crimes in the fit.
fn adjusted(
    extract: &Extract,
    config: &ExtractConfig,
    (of_crime, mu, dispersion): (&[u32], &[f64], f64),
    numerator: &[bool; 23],
) -> Result<Vec<AdjustedRow>> {
    use crate::stats::standardise::{count_interval, ratio_flag};
    let mut rows = Vec::new();
    if mu.is_empty() {
        return Ok(rows);
    }
    let kinds = groupings(extract);
    for Grouping { kind, names, of } in kinds {
        if kind == "unit" && config.columns.unit.is_none() {
            continue;
        }
        let mut sums = vec![(0u64, 0u64, 0.0f64); names.len()];
        for (c, &p) in extract.crimes.iter().zip(of_crime) {
            let (Some(&m), id) = (mu.get(p as usize), of(c)) else {
                continue;
            };
            if id == NONE {
                continue;
            }
            let s = &mut sums[id as usize];
            s.0 += 1;
            s.1 += u64::from(numerator[usize::from(c.outcome)]);
            s.2 += m;
        }
        let mut order: Vec<usize> = (0..names.len()).collect();
        order.sort_by(|&a, &b| names[a].cmp(&names[b]));
        for i in order {
            let (crimes, observed, expected) = sums[i];
            if crimes == 0 {
                continue;
            }
            let (interval, _) = count_interval(observed, Level::ninety_five());
            rows.push(AdjustedRow {
                kind,
                name: names[i].clone(),
                crimes,
                observed,
                expected,
                ratio: (expected > 0.0).then(|| observed as f64 / expected),
                ratio_ci95: (expected > 0.0).then(|| crate::stats::Interval {
                    lower: interval.lower / expected,
                    upper: interval.upper / expected,
                }),
                flag: if expected > 0.0 {
                    Some(ratio_flag(
                        observed,
                        expected,
                        dispersion,
                        config.funnel.levels,
                    )?)
                } else {
                    None
                },
            });
        }
    }
    Ok(rows)
}

/// Points in each kind's grid of expected counts (log-spaced, with each row's own E added).
const RATIO_GRID_POINTS: usize = 80;

/// The ratio funnel's lines for each kind of row, from a third of the smallest expected count
/// to twice the largest.
fn adjusted_limits(
    rows: &[AdjustedRow],
    dispersion: f64,
    levels: FlagLevels,
) -> Result<Vec<AdjustedLimitRow>> {
    use crate::stats::standardise::ratio_limits;
    let mut out = Vec::new();
    for kind in ["area", "unit"] {
        let mut own: Vec<f64> = rows
            .iter()
            .filter(|r| r.kind == kind && r.expected > 0.0)
            .map(|r| r.expected)
            .collect();
        if own.is_empty() {
            continue;
        }
        let lo = own.iter().copied().fold(f64::INFINITY, f64::min) / 3.0;
        let hi = own.iter().copied().fold(0.0, f64::max) * 2.0;
        let step = (hi / lo).ln() / (RATIO_GRID_POINTS - 1) as f64;
        own.extend((0..RATIO_GRID_POINTS).map(|i| lo * (step * i as f64).exp()));
        own.sort_by(f64::total_cmp);
        own.dedup();
        for expected in own {
            out.push(AdjustedLimitRow {
                kind,
                expected,
                inner: ratio_limits(expected, dispersion, levels.inner())?,
                outer: ratio_limits(expected, dispersion, levels.outer())?,
            });
        }
    }
    Ok(out)
}

/// A way of grouping crimes: its kind, its names, and each crime's index into them.
struct Grouping<'e> {
    kind: &'static str,
    names: &'e [String],
    of: fn(&super::read::Crime) -> u32,
}

/// Areas and investigating units, as the adjusted comparison and the withdrawal timing group
/// crimes.
fn groupings(extract: &Extract) -> [Grouping<'_>; 2] {
    [
        Grouping {
            kind: "area",
            names: &extract.areas,
            of: |c| c.area,
        },
        Grouping {
            kind: "unit",
            names: &extract.units,
            of: |c| c.unit,
        },
    ]
}

/// When the victims withdrew: for outcome-16 closures in scope, days from recording to the
/// withdrawal and from the withdrawal to the closure, overall, by area and by unit.
fn withdrawal(
    extract: &Extract,
    config: &ExtractConfig,
    numerator: &[bool; 23],
) -> Result<Vec<WithdrawalRow>> {
    use super::read::NO_DATE;
    use crate::stats::quantile::quantile_type7;
    let day = crate::extract::dates::SECONDS_PER_DAY;
    let closures: Vec<&super::read::Crime> = extract
        .crimes
        .iter()
        .filter(|c| config.scope.includes(c.domestic_abuse) && numerator[usize::from(c.outcome)])
        .collect();
    let row =
        |kind: &'static str, name: &str, crimes: &[&super::read::Crime]| -> Result<WithdrawalRow> {
            let dated: Vec<&&super::read::Crime> = crimes
                .iter()
                .filter(|c| c.withdrawn_at != NO_DATE)
                .collect();
            // Whole days between the dates (a recording's time of day aside).
            let days = |from: i64, to: i64| (to.div_euclid(day) - from.div_euclid(day)) as f64;
            let mut to_withdrawal: Vec<f64> = dated
                .iter()
                .map(|c| days(c.recorded, c.withdrawn_at))
                .collect();
            let mut to_closure: Vec<f64> = dated
                .iter()
                .map(|c| days(c.withdrawn_at, c.outcome_at))
                .collect();
            to_withdrawal.sort_by(f64::total_cmp);
            to_closure.sort_by(f64::total_cmp);
            let q = |v: &[f64], p: f64| -> Result<Option<f64>> {
                if v.is_empty() {
                    Ok(None)
                } else {
                    Ok(Some(quantile_type7(v, p)?))
                }
            };
            Ok(WithdrawalRow {
                kind,
                name: name.to_string(),
                closures: crimes.len() as u64,
                without_date: (crimes.len() - dated.len()) as u64,
                to_withdrawal: [
                    q(&to_withdrawal, 0.25)?,
                    q(&to_withdrawal, 0.5)?,
                    q(&to_withdrawal, 0.75)?,
                ],
                to_closure: [
                    q(&to_closure, 0.25)?,
                    q(&to_closure, 0.5)?,
                    q(&to_closure, 0.75)?,
                ],
                after_closure: to_closure.iter().filter(|&&d| d < 0.0).count() as u64,
            })
        };
    let mut rows = vec![row("all", super::analyse::ALL_AREAS, &closures)?];
    let kinds = groupings(extract);
    for Grouping { kind, names, of } in kinds {
        if kind == "unit" && config.columns.unit.is_none() {
            continue;
        }
        let mut order: Vec<usize> = (0..names.len()).collect();
        order.sort_by(|&a, &b| names[a].cmp(&names[b]));
        for i in order {
            let of_it: Vec<&super::read::Crime> = closures
                .iter()
                .copied()
                .filter(|c| of(c) == i as u32)
                .collect();
            if !of_it.is_empty() {
                rows.push(row(kind, &names[i], &of_it)?);
            }
        }
    }
    Ok(rows)
}
